/* config_bind.c — bind a YAML tree to experiment_config (see config_bind.h).
 *
 * Every section goes through bind_section: defaults from the section's table, then
 * each key as written, looked up first in the table and then in the plug-in's
 * opt_spec table (task options sit beside task.name, mechanism options beside
 * model.attention.kind), then the fields left unwritten whose default is another
 * field's value (model.qkv_dim: model.dim). An unknown key suggests the nearest valid one (edit distance
 * at most 2, counting a swap of neighbours as one edit) or lists them all. */
#include "config/config_bind.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "config/config_schema.h"
#include "core/check.h"
#include "mechanisms/mechanism.h"
#include "tasks/task.h"

enum {
    FIELDS_MAX = 32, /* fields in one section table */
    PATH_MAX_ = 256, /* a key path in a message */
    NAME_MAX_ = 64,  /* longest key compared for a suggestion */
    SUGGEST_MAX = 2, /* edit distance of a suggestion */
    QUOTE_MAX = 80,  /* longest excerpt of a value in a message */
};

typedef struct binder {
    const char *source;
    error_info *err;
} binder;

static const ytree_mark whole_source = {0, 0, NULL};

static void join_path(char *out, size_t size, const char *prefix, const char *key) {
    if (prefix[0])
        snprintf(out, size, "%s.%s", prefix, key);
    else
        snprintf(out, size, "%s", key);
}

/* Optimal string alignment distance; INT_MAX for names too long to be keys. */
static int edit_distance(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    if (n > NAME_MAX_ || m > NAME_MAX_) return INT_MAX;
    int d[NAME_MAX_ + 1][NAME_MAX_ + 1];
    for (size_t i = 0; i <= n; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= n; i++) {
        for (size_t j = 1; j <= m; j++) {
            int best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[n][m];
}

/* Append ", name" (or "name" first) to a list being built in buf. */
static void append_name(char *buf, size_t size, const char *name) {
    size_t used = strlen(buf);
    if (used + 1 < size) snprintf(buf + used, size - used, "%s%s", used ? ", " : "", name);
}

static const char *candidate_name(const config_section *section, const opt_spec *extra, int i) {
    return i < section->n_fields ? section->fields[i].spec.name : extra[i - section->n_fields].name;
}

static int unknown_key(const binder *b, const ytree_node *key, const char *path,
                       const config_section *section, const opt_spec *extra, int n_extra) {
    int n = section->n_fields + n_extra;
    const char *best = NULL;
    int best_distance = SUGGEST_MAX + 1;
    for (int i = 0; i < n; i++) {
        int distance = edit_distance(key->text, candidate_name(section, extra, i));
        if (distance < best_distance && distance < (int)strlen(key->text)) {
            best = candidate_name(section, extra, i);
            best_distance = distance;
        }
    }
    if (best) return ytree_error(b->err, b->source, &key->mark, path, "unknown key (did you mean %s?)", best);
    char names[768] = "";
    for (int i = 0; i < n; i++) append_name(names, sizeof names, candidate_name(section, extra, i));
    return ytree_error(b->err, b->source, &key->mark, path, "unknown key (expected one of: %s)", names);
}

/* "expected <what spec wants>, got <the node>" at the node. */
static int wrong_value(const binder *b, const opt_spec *spec, const ytree_node *node, const char *path) {
    char expected[160];
    opt_describe_expected(spec, expected, sizeof expected);
    if (node->kind != YTREE_SCALAR)
        return ytree_error(b->err, b->source, &node->mark, path, "expected %s, got %s", expected,
                           ytree_kind_name(node->kind));
    if (strlen(node->text) > QUOTE_MAX)
        return ytree_error(b->err, b->source, &node->mark, path, "expected %s, got \"%.*s...\"", expected,
                           QUOTE_MAX, node->text);
    return ytree_error(b->err, b->source, &node->mark, path, "expected %s, got \"%s\"", expected, node->text);
}

/* A sequence of integers for an OPT_INT_LIST; each element checked on its own. */
static int bind_list(const binder *b, const opt_spec *spec, const ytree_node *node, const char *path,
                     opt_value *out) {
    if (node->kind != YTREE_SEQUENCE) return wrong_value(b, spec, node, path);
    memset(out, 0, sizeof *out);
    out->spec = spec;
    if (node->n > OPT_LIST_MAX) {
        char expected[160];
        opt_describe_expected(spec, expected, sizeof expected);
        return ytree_error(b->err, b->source, &node->mark, path, "expected %s, got %d values (at most %d)",
                           expected, node->n, OPT_LIST_MAX);
    }
    opt_spec element = *spec;
    element.type = OPT_INT;
    for (int i = 0; i < node->n; i++) {
        opt_value v;
        const ytree_node *item = node->items[i];
        if (item->kind != YTREE_SCALAR || opt_parse_scalar(&v, &element, item->text, b->err) != 0)
            return wrong_value(b, spec, item, path);
        out->list[out->n_list++] = v.i;
    }
    return 0;
}

static int bind_value(const binder *b, const opt_spec *spec, const ytree_node *node, const char *path,
                      opt_value *out) {
    if (spec->type == OPT_INT_LIST) return bind_list(b, spec, node, path, out);
    if (node->kind != YTREE_SCALAR) return wrong_value(b, spec, node, path);
    if (opt_parse_scalar(out, spec, node->text, b->err) != 0)
        return ytree_prefix(b->err, b->source, &node->mark, path);
    return 0;
}

static int find_spec(const opt_spec *specs, int n_specs, const char *name) {
    for (int i = 0; i < n_specs; i++)
        if (strcmp(specs[i].name, name) == 0) return i;
    return -1;
}

/* Defaults, then every key of map (NULL: none given) into base and extra_set. given[i]
 * is set to the value node of field i when the key was written. */
static int bind_section(const binder *b, const ytree_node *map, const config_section *section, void *base,
                        const opt_spec *extra, int n_extra, opt_set *extra_set, const ytree_node **given) {
    CHECK(section->n_fields <= FIELDS_MAX);
    for (int i = 0; i < section->n_fields; i++) {
        given[i] = NULL;
        CHECK(find_spec(extra, n_extra, section->fields[i].spec.name) < 0); /* a plug-in option hides no field */
    }
    config_section_defaults(section, base);
    if (extra_set) opt_set_defaults(extra_set, extra, n_extra);
    for (int k = 0; map && k + 1 < map->n; k += 2) {
        const ytree_node *key = map->items[k], *value = map->items[k + 1];
        CHECK(key->kind == YTREE_SCALAR); /* ytree_check_keys ran */
        char path[PATH_MAX_];
        join_path(path, sizeof path, section->path, key->text);
        const config_field *field = config_field_find(section, key->text);
        if (field) {
            given[field - section->fields] = value;
            if (field->store == STORE_NONE || field->registry) continue;
            opt_value parsed;
            if (bind_value(b, &field->spec, value, path, &parsed) != 0) return -1;
            config_field_store(field, base, &parsed);
            continue;
        }
        int option = find_spec(extra, n_extra, key->text);
        if (option < 0) return unknown_key(b, key, path, section, extra, n_extra);
        if (bind_value(b, &extra[option], value, path, &extra_set->values[option]) != 0) return -1;
    }
    for (int i = 0; i < section->n_fields; i++)
        if (section->fields[i].default_from && !given[i]) config_field_derive(section, &section->fields[i], base);
    return 0;
}

static const ytree_node *given_of(const config_section *section, const ytree_node *const *given,
                                  const char *name) {
    const config_field *field = config_field_find(section, name);
    CHECK(field != NULL);
    return given[field - section->fields];
}

int config_bind_mapping(const ytree_node *node, const char *path, const char *source,
                        const ytree_node **mapping, error_info *err) {
    *mapping = NULL;
    if (!node || ytree_is_null(node)) return 0;
    if (node->kind == YTREE_MAPPING) {
        *mapping = node;
        return 0;
    }
    if (node->kind == YTREE_SCALAR)
        return ytree_error(err, source, &node->mark, path, "expected a mapping, got \"%.*s\"", QUOTE_MAX,
                           node->text);
    return ytree_error(err, source, &node->mark, path, "expected a mapping, got %s",
                       ytree_kind_name(node->kind));
}

static int bind_task(const binder *b, const ytree_node *node, task_config *task) {
    const ytree_node *map, *given[FIELDS_MAX];
    if (config_bind_mapping(node, "task", b->source, &map, b->err) != 0) return -1;
    const ytree_node *name = map ? ytree_get(map, "name") : NULL;
    if (!name) return ytree_error(b->err, b->source, &whole_source, "task.name", "missing required key");
    const config_field *field = config_field_find(&config_task_section, "name");
    opt_value value;
    if (bind_value(b, &field->spec, name, "task.name", &value) != 0) return -1;
    const task_ops *ops = task_find(value.s);
    if (!ops) {
        char known[512] = "";
        for (int i = 0; i < task_count(); i++) append_name(known, sizeof known, task_at(i)->name);
        return ytree_error(b->err, b->source, &name->mark, "task.name", "unknown task \"%s\" (known: %s)",
                           value.s, known);
    }
    config_field_store(field, task, &value);
    return bind_section(b, map, &config_task_section, task, ops->options, ops->n_options, &task->options,
                        given);
}

static int bind_attention(const binder *b, const ytree_node *node, attention_config *attention) {
    const ytree_node *map, *given[FIELDS_MAX];
    if (config_bind_mapping(node, "model.attention", b->source, &map, b->err) != 0) return -1;
    const ytree_node *kind = map ? ytree_get(map, "kind") : NULL;
    const config_field *field = config_field_find(&config_attention_section, "kind");
    opt_value value;
    error_info unused = {0};
    if (!kind)
        CHECK(opt_parse_scalar(&value, &field->spec, field->spec.default_value, &unused) == 0);
    else if (bind_value(b, &field->spec, kind, "model.attention.kind", &value) != 0)
        return -1;
    const mechanism_ops *ops = mechanism_find(value.s);
    if (!ops) {
        char known[512] = "";
        for (int i = 0; i < mechanism_count(); i++) append_name(known, sizeof known, mechanism_at(i)->name);
        return ytree_error(b->err, b->source, kind ? &kind->mark : &whole_source, "model.attention.kind",
                           "unknown mechanism \"%s\" (known: %s)", value.s, known);
    }
    config_field_store(field, attention, &value);
    return bind_section(b, map, &config_attention_section, attention, ops->options, ops->n_options,
                        &attention->options, given);
}

static int bind_model(const binder *b, const ytree_node *node, model_config *model) {
    const config_section *section = &config_model_section;
    const ytree_node *map, *given[FIELDS_MAX];
    if (config_bind_mapping(node, "model", b->source, &map, b->err) != 0) return -1;
    if (bind_section(b, map, section, model, NULL, 0, NULL, given) != 0) return -1;
    const bool qkv_given = given_of(section, given, "qkv_dim") != NULL;
    if (model->qkv_dim % model->heads != 0) {
        const ytree_node *at = given_of(section, given, "heads");
        if (!at) at = given_of(section, given, qkv_given ? "qkv_dim" : "dim");
        CHECK(at != NULL); /* the defaults divide */
        return ytree_error(b->err, b->source, &at->mark, "model.heads", "%d does not divide model.%s = %d",
                           model->heads, qkv_given ? "qkv_dim" : "dim", model->qkv_dim);
    }
    return bind_attention(b, given_of(section, given, "attention"), &model->attention);
}

/* The file's name without directory and extension: "configs/lra/listops.yaml" → "listops". */
static void set_stem(char *name, size_t size, const char *source) {
    const char *base = strrchr(source, '/');
    base = base ? base + 1 : source;
    const char *dot = strrchr(base, '.');
    size_t length = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    snprintf(name, size, "%.*s", (int)length, base);
}

int config_bind(experiment_config *cfg, const ytree_node *root, const char *source, error_info *err) {
    CHECK(root->kind == YTREE_MAPPING);
    binder b = {source, err};
    const config_section *top = &config_top_section;
    const ytree_node *given[FIELDS_MAX], *train_map, *train_given[FIELDS_MAX];
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->source, sizeof cfg->source, "%s", source);
    set_stem(cfg->name, sizeof cfg->name, source);
    if (bind_section(&b, root, top, cfg, NULL, 0, NULL, given) != 0) return -1;
    if (cfg->name[0] == '\0') {
        const ytree_node *name = given_of(top, given, "name");
        return ytree_error(err, source, name ? &name->mark : &whole_source, "name",
                           "expected a non-empty string");
    }
    if (bind_task(&b, given_of(top, given, "task"), &cfg->task) != 0) return -1;
    if (bind_model(&b, given_of(top, given, "model"), &cfg->model) != 0) return -1;
    if (config_bind_mapping(given_of(top, given, "train"), "train", source, &train_map, err) != 0) return -1;
    return bind_section(&b, train_map, &config_train_section, &cfg->train, NULL, 0, NULL, train_given);
}
