/* config_json.c — the canonical JSON of a resolved config, and its identity and hash.
 *
 * The canonical JSON is one line, no spaces, every key with defaults filled in, in the
 * order of the section tables (config_schema.c) with plug-in options in their own
 * table's order, so two configs that mean the same thing give the same bytes. It is
 * what the database stores (config.json). Sweep values are kept as the texts they were
 * written as, in JSON strings.
 *
 * The identity is the same JSON restricted to what differs from the defaults: a field
 * or plug-in option is left out when its value, written as canonical JSON, is the text
 * of its declared default written the same way, and a section or object left empty is
 * left out. A field whose default is another field's value (model.qkv_dim: model.dim)
 * is left out when it equals that value. task.name has no default, so it always stays;
 * model.attention.kind stays when it is not "full". The fields that do not change what is
 * computed (name, train.seed, train.threads) and the sweep are never in it. The hash
 * is the SHA-256 of the identity, so adding an option whose default reproduces today's
 * behaviour changes no existing hash, and a config that states a default hashes as one
 * that omits it. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_schema.h"
#include "core/check.h"
#include "core/sha256.h"
#include "core/strbuf.h"

static void append_key(strbuf *out, bool *first, const char *key) {
    if (!*first) strbuf_append(out, ",");
    *first = false;
    strbuf_append_json_string(out, key);
    strbuf_append(out, ":");
}

/* Append "key":{body} to out; in identity mode nothing when body is empty. */
static void append_object(strbuf *out, bool *first, const char *key, const strbuf *body, bool identity) {
    if (identity && body->length == 0) return;
    append_key(out, first, key);
    strbuf_append(out, "{");
    if (body->length) strbuf_append_n(out, body->data, body->length);
    strbuf_append(out, "}");
}

/* Is text the canonical JSON of the field's declared default, or of the value of the
 * field it defaults to? */
static bool field_at_default(const config_section *section, const config_field *field, const void *base,
                             const char *text) {
    if (field->default_from) {
        strbuf text_of_default = {0};
        config_field_to_json(config_field_find(section, field->default_from), base, &text_of_default);
        const bool same = strcmp(text, text_of_default.data) == 0;
        strbuf_free(&text_of_default);
        return same;
    }
    if (!field->spec.default_value) return false;
    opt_value value;
    error_info err = {0};
    CHECK(opt_parse_scalar(&value, &field->spec, field->spec.default_value, &err) == 0);
    void *scratch = calloc(1, field->offset + field->size); /* the field where the section has it */
    CHECK(scratch != NULL);
    config_field_store(field, scratch, &value);
    strbuf text_of_default = {0};
    config_field_to_json(field, scratch, &text_of_default);
    const bool same = strcmp(text, text_of_default.data) == 0;
    strbuf_free(&text_of_default);
    free(scratch);
    return same;
}

static bool option_at_default(const opt_value *value, const char *text) {
    opt_value def;
    error_info err = {0};
    CHECK(opt_parse_scalar(&def, value->spec, value->spec->default_value, &err) == 0);
    strbuf text_of_default = {0};
    opt_value_to_json(&def, &text_of_default);
    const bool same = strcmp(text, text_of_default.data) == 0;
    strbuf_free(&text_of_default);
    return same;
}

/* The section's own values; nested sections are left to the caller. */
static void append_fields(strbuf *out, bool *first, const config_section *section, const void *base,
                          bool identity) {
    for (int i = 0; i < section->n_fields; i++) {
        const config_field *field = &section->fields[i];
        if (field->store == STORE_NONE || (identity && field->unhashed)) continue;
        strbuf value = {0};
        config_field_to_json(field, base, &value);
        if (!identity || !field_at_default(section, field, base, value.data)) {
            append_key(out, first, field->spec.name);
            strbuf_append(out, value.data);
        }
        strbuf_free(&value);
    }
}

static void append_options(strbuf *out, bool *first, const opt_set *set, bool identity) {
    for (int i = 0; i < set->n; i++) {
        strbuf value = {0};
        opt_value_to_json(&set->values[i], &value);
        if (!identity || !option_at_default(&set->values[i], value.data)) {
            append_key(out, first, set->values[i].spec->name);
            strbuf_append(out, value.data);
        }
        strbuf_free(&value);
    }
}

static void append_sweep(strbuf *out, bool *first, const experiment_config *cfg) {
    append_key(out, first, "sweep");
    strbuf_append(out, "{");
    bool first_axis = true;
    for (int a = 0; a < cfg->n_sweep_axes; a++) {
        const sweep_axis *axis = &cfg->sweep[a];
        append_key(out, &first_axis, axis->key);
        strbuf_append(out, "[");
        for (int v = 0; v < axis->n_values; v++) {
            if (v) strbuf_append(out, ",");
            strbuf_append_json_string(out, axis->values[v]);
        }
        strbuf_append(out, "]");
    }
    strbuf_append(out, "}");
}

static char *build_json(const experiment_config *cfg, bool identity) {
    strbuf out = {0}, task = {0}, model = {0}, attention = {0}, train = {0};
    bool first = true, first_task = true, first_model = true, first_attention = true, first_train = true;
    strbuf_append(&out, "{");
    append_fields(&out, &first, &config_top_section, cfg, identity);

    append_fields(&task, &first_task, &config_task_section, &cfg->task, identity);
    append_options(&task, &first_task, &cfg->task.options, identity);
    append_object(&out, &first, "task", &task, identity);

    append_fields(&model, &first_model, &config_model_section, &cfg->model, identity);
    append_fields(&attention, &first_attention, &config_attention_section, &cfg->model.attention, identity);
    append_options(&attention, &first_attention, &cfg->model.attention.options, identity);
    append_object(&model, &first_model, "attention", &attention, identity);
    append_object(&out, &first, "model", &model, identity);

    append_fields(&train, &first_train, &config_train_section, &cfg->train, identity);
    append_object(&out, &first, "train", &train, identity);

    if (!identity && cfg->n_sweep_axes > 0) append_sweep(&out, &first, cfg);
    strbuf_append(&out, "}");
    strbuf_free(&task);
    strbuf_free(&model);
    strbuf_free(&attention);
    strbuf_free(&train);
    return out.data;
}

char *config_to_json(const experiment_config *cfg) { return build_json(cfg, false); }

char *config_identity(const experiment_config *cfg) { return build_json(cfg, true); }

void config_hash(const experiment_config *cfg, char hex[65]) {
    char *json = config_identity(cfg);
    sha256 h;
    sha256_init(&h);
    sha256_update(&h, json, strlen(json));
    sha256_final_hex(&h, hex);
    free(json);
}
