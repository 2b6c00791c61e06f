/* config_json.c — the canonical JSON of a resolved config and its hash.
 *
 * One line, no spaces, every key with defaults filled in, in the order of the
 * section tables (config_schema.c) with plug-in options in their own table's order,
 * so two configs that mean the same thing give the same bytes. The hash is the
 * SHA-256 of the same text without the fields that do not change what is computed
 * (name, train.seed, train.threads) and without the sweep: runs of one sweep with the
 * same values share a hash and differ by seed. Sweep values are kept as the texts
 * they were written as, in JSON strings. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "config/config_schema.h"
#include "core/sha256.h"
#include "core/strbuf.h"

static void append_key(strbuf *out, bool *first, const char *key) {
    if (!*first) strbuf_append(out, ",");
    *first = false;
    strbuf_append_json_string(out, key);
    strbuf_append(out, ":");
}

/* The section's own values; nested sections are left to the caller. */
static void append_fields(strbuf *out, bool *first, const config_section *section, const void *base,
                          bool hashing) {
    for (int i = 0; i < section->n_fields; i++) {
        const config_field *field = &section->fields[i];
        if (field->store == STORE_NONE || (hashing && field->unhashed)) continue;
        append_key(out, first, field->spec.name);
        config_field_to_json(field, base, out);
    }
}

static void append_options(strbuf *out, bool *first, const opt_set *set) {
    for (int i = 0; i < set->n; i++) {
        append_key(out, first, set->values[i].spec->name);
        opt_value_to_json(&set->values[i], out);
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

static char *build_json(const experiment_config *cfg, bool hashing) {
    strbuf out = {0};
    bool first = true, first_task = true, first_model = true, first_attention = true, first_train = true;
    strbuf_append(&out, "{");
    append_fields(&out, &first, &config_top_section, cfg, hashing);

    append_key(&out, &first, "task");
    strbuf_append(&out, "{");
    append_fields(&out, &first_task, &config_task_section, &cfg->task, hashing);
    append_options(&out, &first_task, &cfg->task.options);
    strbuf_append(&out, "}");

    append_key(&out, &first, "model");
    strbuf_append(&out, "{");
    append_fields(&out, &first_model, &config_model_section, &cfg->model, hashing);
    append_key(&out, &first_model, "attention");
    strbuf_append(&out, "{");
    append_fields(&out, &first_attention, &config_attention_section, &cfg->model.attention, hashing);
    append_options(&out, &first_attention, &cfg->model.attention.options);
    strbuf_append(&out, "}}");

    append_key(&out, &first, "train");
    strbuf_append(&out, "{");
    append_fields(&out, &first_train, &config_train_section, &cfg->train, hashing);
    strbuf_append(&out, "}");

    if (!hashing && cfg->n_sweep_axes > 0) append_sweep(&out, &first, cfg);
    strbuf_append(&out, "}");
    return out.data;
}

char *config_to_json(const experiment_config *cfg) { return build_json(cfg, false); }

void config_hash(const experiment_config *cfg, char hex[65]) {
    char *json = build_json(cfg, true);
    sha256 h;
    sha256_init(&h);
    sha256_update(&h, json, strlen(json));
    sha256_final_hex(&h, hex);
    free(json);
}
