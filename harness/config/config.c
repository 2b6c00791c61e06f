/* config.c — loading a config: file → YAML tree → overrides → typed structs → sweep.
 *
 * The steps, each with its own errors: read the file; parse it (ytree.c); check that
 * the top level is a mapping; splice in every `key.path=value` override (the value is
 * parsed as YAML, so `[0,5]` is a list and quoting works as in the file); check that
 * every key is a name given once; bind the tree (config_bind.c); bind the sweep.
 *
 * Overrides: `a.b.c=value` sets that key, creating it when the file lacks it. Keys
 * under `sweep` are key paths themselves, so `sweep.model.heads=2,4` (or `=[2, 4]`)
 * sets the axis `model.heads`; a plain value with commas is split into a list there.
 *
 * Sweep: every value of every axis is tried alone on a copy of the tree, exactly as
 * the sweep will apply it (its text parsed as an override), and the copy is bound,
 * so a misspelt key or a bad value is reported at load time at its line in the file. */
#include "config/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_bind.h"
#include "config/ytree.h"
#include "core/check.h"
#include "core/strbuf.h"

#define FILE_SIZE_MAX (16u << 20)

enum { PATH_MAX_ = 256 };

static int read_file(const char *path, char **text, size_t *size, error_info *err) {
    FILE *file = fopen(path, "rb");
    if (!file) return error_set(err, EXIT_USAGE, "%s: cannot read config: %s", path, strerror(errno));
    strbuf buf = {0};
    char chunk[4096];
    size_t got;
    while (buf.length <= FILE_SIZE_MAX && (got = fread(chunk, 1, sizeof chunk, file)) > 0)
        strbuf_append_n(&buf, chunk, got);
    int failed = ferror(file), saved = errno;
    fclose(file);
    if (failed) {
        strbuf_free(&buf);
        return error_set(err, EXIT_USAGE, "%s: cannot read config: %s", path, strerror(saved));
    }
    if (buf.length > FILE_SIZE_MAX) {
        strbuf_free(&buf);
        return error_set(err, EXIT_USAGE, "%s: cannot read config: larger than %u bytes", path,
                         FILE_SIZE_MAX);
    }
    strbuf_append(&buf, "");
    *text = buf.data;
    *size = buf.length;
    return 0;
}

/* Split key in place at its dots into path (at most YTREE_DEPTH_MAX parts); under
 * "sweep." the rest is one part. Returns the count, or 0 when a part is empty. */
static int split_key(char *key, const char **path) {
    if (strncmp(key, "sweep.", 6) == 0) {
        key[5] = '\0';
        path[0] = key;
        path[1] = key + 6;
        return key[6] ? 2 : 0;
    }
    int n = 0;
    for (char *part = key;;) {
        char *dot = strchr(part, '.');
        if (dot) *dot = '\0';
        if (*part == '\0' || n == YTREE_DEPTH_MAX) return 0;
        path[n++] = part;
        if (!dot) return n;
        part = dot + 1;
    }
}

/* "2,4" → [2, 4] for a sweep axis given on the command line. */
static ytree_node *split_commas(ytree_node *value, ytree_mark mark) {
    if (value->kind != YTREE_SCALAR || !value->plain || !strchr(value->text, ',')) return value;
    ytree_node *list = ytree_new(YTREE_SEQUENCE, mark, NULL);
    for (char *item = value->text;;) {
        char *comma = strchr(item, ',');
        if (comma) *comma = '\0';
        item += strspn(item, " ");
        for (char *end = item + strlen(item); end > item && end[-1] == ' ';) *--end = '\0';
        ytree_append(list, ytree_new(YTREE_SCALAR, mark, item));
        if (!comma) break;
        item = comma + 1;
    }
    ytree_free(value);
    return list;
}

static int apply_override(ytree_node *root, const char *override, const char *source, error_info *err) {
    const char *equals = strchr(override, '=');
    size_t key_length = equals ? (size_t)(equals - override) : 0;
    char *key = malloc(key_length + 1);
    CHECK(key != NULL);
    memcpy(key, override, key_length);
    key[key_length] = '\0';
    const char *path[YTREE_DEPTH_MAX];
    int n_path = key_length ? split_key(key, path) : 0;
    ytree_node *value = NULL;
    int status = -1;
    if (n_path == 0) {
        error_set(err, EXIT_USAGE, "command line: \"%s\": expected key.path=value", override);
        goto out;
    }
    ytree_mark mark = {0, 0, override};
    if (ytree_parse(&value, equals + 1, strlen(equals + 1), source, override, err) != 0) goto out;
    if (!value) value = ytree_new(YTREE_SCALAR, mark, "");
    if (n_path == 2 && strcmp(path[0], "sweep") == 0) value = split_commas(value, mark);
    ytree_set(root, path, n_path, value, mark);
    status = 0;
out:
    free(key);
    return status;
}

/* Bind a copy of root with one sweep value applied at path; scratch receives it. */
static int try_sweep_value(const ytree_node *root, const char *const *path, int n_path, const ytree_node *key,
                           const ytree_node *item, const char *source, experiment_config *scratch,
                           error_info *err) {
    ytree_node *value;
    error_info unused = {0};
    if (ytree_parse(&value, item->text, strlen(item->text), source, item->text, &unused) != 0)
        return ytree_error(err, source, &item->mark, key->text,
                           "expected a value that can be written as key=value, got \"%s\"", item->text);
    if (!value) value = ytree_new(YTREE_SCALAR, item->mark, "");
    ytree_remark(value, item->mark);
    if (ytree_check_keys(value, key->text, source, err) != 0) {
        ytree_free(value);
        return -1;
    }
    ytree_node *copy = ytree_copy(root);
    ytree_set(copy, path, n_path, value, key->mark);
    int status = config_bind(scratch, copy, source, err);
    ytree_free(copy);
    return status;
}

static int bind_axis(experiment_config *cfg, const ytree_node *root, const ytree_node *key,
                     const ytree_node *values, const char *source, experiment_config *scratch,
                     error_info *err) {
    char path_text[PATH_MAX_];
    snprintf(path_text, sizeof path_text, "sweep.%s", key->text);
    sweep_axis *axis = &cfg->sweep[cfg->n_sweep_axes++];
    char key_copy[sizeof axis->key];
    const char *path[YTREE_DEPTH_MAX];
    if (strlen(key->text) >= sizeof axis->key)
        return ytree_error(err, source, &key->mark, path_text, "key path longer than %d characters",
                           (int)sizeof axis->key - 1);
    snprintf(axis->key, sizeof axis->key, "%s", key->text);
    snprintf(key_copy, sizeof key_copy, "%s", key->text);
    int n_path = split_key(key_copy, path);
    if (n_path == 0 || strcmp(path[0], "sweep") == 0)
        return ytree_error(err, source, &key->mark, path_text, "expected a key path such as model.heads");

    const ytree_node *const *items = &values;
    int n_items = 1;
    if (values->kind == YTREE_SEQUENCE) {
        items = (const ytree_node *const *)values->items;
        n_items = values->n;
    }
    if (n_items == 0)
        return ytree_error(err, source, &values->mark, path_text, "expected at least one value");
    if (n_items > SWEEP_VALUES_MAX)
        return ytree_error(err, source, &items[SWEEP_VALUES_MAX]->mark, path_text, "more than %d values",
                           SWEEP_VALUES_MAX);
    for (int i = 0; i < n_items; i++) {
        const ytree_node *item = items[i];
        if (item->kind != YTREE_SCALAR)
            return ytree_error(err, source, &item->mark, path_text,
                               "expected a value or a list of values, got %s", ytree_kind_name(item->kind));
        if (strlen(item->text) >= sizeof axis->values[0])
            return ytree_error(err, source, &item->mark, path_text, "value longer than %d characters",
                               (int)sizeof axis->values[0] - 1);
        if (try_sweep_value(root, path, n_path, key, item, source, scratch, err) != 0) return -1;
        snprintf(axis->values[axis->n_values++], sizeof axis->values[0], "%s", item->text);
    }
    return 0;
}

static int bind_sweep(experiment_config *cfg, const ytree_node *root, const char *source, error_info *err) {
    const ytree_node *map;
    if (config_bind_mapping(ytree_get(root, "sweep"), "sweep", source, &map, err) != 0) return -1;
    if (!map) return 0;
    if (map->n / 2 > SWEEP_AXES_MAX)
        return ytree_error(err, source, &map->items[2 * SWEEP_AXES_MAX]->mark, "sweep", "more than %d axes",
                           SWEEP_AXES_MAX);
    experiment_config *scratch = malloc(sizeof *scratch);
    CHECK(scratch != NULL);
    int status = 0;
    for (int k = 0; k + 1 < map->n && status == 0; k += 2)
        status = bind_axis(cfg, root, map->items[k], map->items[k + 1], source, scratch, err);
    free(scratch);
    return status;
}

static int load_text(experiment_config *cfg, const char *text, size_t size, const char *source,
                     const char *const *overrides, int n_overrides, error_info *err) {
    ytree_node *root;
    if (ytree_parse(&root, text, size, source, NULL, err) != 0) return -1;
    int status = -1;
    if (!root || ytree_is_null(root)) {
        error_set(err, EXIT_USAGE, "%s: empty config (expected a mapping with task, model and train)",
                  source);
        goto out;
    }
    if (root->kind != YTREE_MAPPING) {
        ytree_error(err, source, &root->mark, NULL, "expected a mapping at the top level, got %s",
                    ytree_kind_name(root->kind));
        goto out;
    }
    for (int i = 0; i < n_overrides; i++)
        if (apply_override(root, overrides[i], source, err) != 0) goto out;
    if (ytree_check_keys(root, "", source, err) != 0) goto out;
    if (config_bind(cfg, root, source, err) != 0) goto out;
    if (bind_sweep(cfg, root, source, err) != 0) goto out;
    status = 0;
out:
    ytree_free(root);
    return status;
}

int config_load_string(experiment_config *cfg, const char *text, size_t size, const char *source_name,
                       const char *const *overrides, int n_overrides, error_info *err) {
    CHECK(source_name != NULL && (text != NULL || size == 0) && n_overrides >= 0);
    return load_text(cfg, size ? text : "", size, source_name, overrides, n_overrides, err);
}

int config_load_file(experiment_config *cfg, const char *path, const char *const *overrides, int n_overrides,
                     error_info *err) {
    char *text;
    size_t size;
    if (read_file(path, &text, &size, err) != 0) return -1;
    int status = load_text(cfg, text, size, path, overrides, n_overrides, err);
    free(text);
    return status;
}
