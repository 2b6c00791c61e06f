/* plan.c — expanding a sweep (see plan.h): command-line axes, the odometer over the
 * axes with train.seed outermost, one config load per combination (so each entry is
 * validated and hashed exactly as `attnbench run` would), and the plan's id. A plain
 * override of an axis's key (model.attention.kind=full) pins it: the axis is dropped. */
#define _POSIX_C_SOURCE 200809L
#include "sweep/plan.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/check.h"
#include "core/sha256.h"
#include "core/strbuf.h"
#include "store/sweep.h"
#include "tasks/task.h"

/* "key=a,b" (a comma outside any bracket or quote) is an axis: "sweep.key=a,b". */
static char *command_line_override(const char *arg) {
    const char *equals = strchr(arg, '=');
    const char *value = equals ? equals + 1 : "";
    const bool axis = equals && strncmp(arg, "sweep.", 6) != 0 && strchr(value, ',') && !strchr("[{\"'", value[0]);
    strbuf out = {0};
    if (axis) strbuf_append(&out, "sweep.");
    strbuf_append(&out, arg);
    return out.data;
}

static char *dup_text(const char *text) {
    char *copy = strdup(text);
    CHECK(copy != NULL);
    return copy;
}

/* True when a plain override sets this axis's key: that value then holds for every
 * run, and the axis is dropped. */
static bool pinned(const char *key, char **base, int n_base) {
    const size_t n = strlen(key);
    for (int i = 0; i < n_base; i++)
        if (strncmp(base[i], key, n) == 0 && base[i][n] == '=') return true;
    return false;
}

/* Axis order for the odometer: train.seed first (outermost), the rest as written. */
static int order_axes(const experiment_config *cfg, char **base, int n_base, int order[SWEEP_AXES_MAX]) {
    int n = 0;
    for (int seed_pass = 1; seed_pass >= 0; seed_pass--)
        for (int a = 0; a < cfg->n_sweep_axes; a++)
            if ((strcmp(cfg->sweep[a].key, "train.seed") == 0) == seed_pass && !pinned(cfg->sweep[a].key, base, n_base))
                order[n++] = a;
    return n;
}

static int task_version(const experiment_config *cfg, char *out, size_t size, error_info *err) {
    const task_ops *task = task_find(cfg->task.name);
    void *state = NULL;
    task_info info;
    if (task->init(&state, &cfg->task.options, &info, err) != 0) return -1;
    snprintf(out, size, "%s", info.version);
    task->free(state);
    return 0;
}

static bool seen_before(const sweep_plan *plan, const plan_entry *e) {
    for (int i = 0; i < plan->n; i++)
        if (plan->entries[i].seed == e->seed && strcmp(plan->entries[i].config_hash, e->config_hash) == 0)
            return true;
    return false;
}

/* Load the config for one combination and fill e; EXIT_USAGE on any problem. */
static int make_entry(plan_entry *e, const char *path, char **base, int n_base, const experiment_config *cfg,
                      const int *axes, const int *choice, int n_axes, experiment_config *scratch,
                      error_info *err) {
    e->n_overrides = n_base + n_axes;
    e->overrides = calloc((size_t)e->n_overrides, sizeof *e->overrides);
    CHECK(e->overrides != NULL);
    strbuf json = {0}, label = {0};
    strbuf_append(&json, "[");
    for (int i = 0; i < e->n_overrides; i++) {
        if (i < n_base) {
            e->overrides[i] = dup_text(base[i]);
        } else {
            const sweep_axis *axis = &cfg->sweep[axes[i - n_base]];
            strbuf text = {0};
            strbuf_printf(&text, "%s=%s", axis->key, axis->values[choice[i - n_base]]);
            e->overrides[i] = text.data;
            strbuf_printf(&label, "%s%s", label.length ? " " : "", text.data);
        }
        if (i) strbuf_append(&json, ", ");
        strbuf_append_json_string(&json, e->overrides[i]);
    }
    strbuf_append(&json, "]");
    strbuf_append(&label, "");
    e->overrides_json = json.data;
    e->label = label.data;
    if (config_load_file(scratch, path, (const char *const *)e->overrides, e->n_overrides, err) != 0) return -1;
    e->config_json = config_to_json(scratch);
    config_hash(scratch, e->config_hash);
    e->seed = scratch->train.seed;
    e->configured_threads = scratch->train.threads;
    snprintf(e->name, sizeof e->name, "%s", scratch->name);
    snprintf(e->task, sizeof e->task, "%s", scratch->task.name);
    snprintf(e->mechanism, sizeof e->mechanism, "%s", scratch->model.attention.kind);
    task_place_find(&e->place, e->task);
    if (task_version(scratch, e->task_version, sizeof e->task_version, err) != 0) {
        char message[sizeof err->message];
        snprintf(message, sizeof message, "%s", err->message);
        return error_set(err, EXIT_USAGE, "%s (%s): %s", path, e->label, message);
    }
    return 0;
}

static void free_entry(plan_entry *e) {
    for (int i = 0; i < e->n_overrides; i++) free(e->overrides[i]);
    free(e->overrides);
    free(e->overrides_json);
    free(e->label);
    free(e->config_json);
    memset(e, 0, sizeof *e);
}

static void plan_id(sweep_plan *plan) {
    sha256 h;
    sha256_init(&h);
    for (int i = 0; i < plan->n; i++) store_sweep_id_add(&h, plan->entries[i].config_hash, plan->entries[i].seed);
    store_sweep_id_final(&h, plan->id);
}

static int expand(sweep_plan *plan, const char *path, char **base, int n_base, const experiment_config *cfg,
                  error_info *err) {
    int axes[SWEEP_AXES_MAX], choice[SWEEP_AXES_MAX] = {0};
    const int n_axes = order_axes(cfg, base, n_base, axes);
    long long total = 1;
    for (int a = 0; a < n_axes; a++) total *= cfg->sweep[axes[a]].n_values;
    if (total > SWEEP_PLAN_MAX)
        return error_set(err, EXIT_USAGE, "%s: the sweep has %lld combinations, more than %d", path, total,
                         SWEEP_PLAN_MAX);
    plan->entries = calloc((size_t)total, sizeof *plan->entries);
    CHECK(plan->entries != NULL);
    experiment_config *scratch = malloc(sizeof *scratch);
    CHECK(scratch != NULL);
    int status = 0;
    for (long long k = 0; k < total && status == 0; k++) {
        plan_entry *e = &plan->entries[plan->n];
        status = make_entry(e, path, base, n_base, cfg, axes, choice, n_axes, scratch, err);
        if (status == 0 && seen_before(plan, e)) {
            free_entry(e);
            plan->duplicates++;
        } else if (status == 0) {
            plan->n++;
        }
        for (int a = n_axes - 1; a >= 0; a--) { /* the odometer: last axis fastest */
            if (++choice[a] < cfg->sweep[axes[a]].n_values) break;
            choice[a] = 0;
        }
    }
    if (status != 0) free_entry(&plan->entries[plan->n]);
    free(scratch);
    return status;
}

int sweep_plan_build(sweep_plan *plan, const char *config_path, const char *const *args, int n_args,
                     error_info *err) {
    memset(plan, 0, sizeof *plan);
    char **base = calloc((size_t)n_args + 1, sizeof *base);
    CHECK(base != NULL);
    for (int i = 0; i < n_args; i++) base[i] = command_line_override(args[i]);
    experiment_config *cfg = malloc(sizeof *cfg);
    CHECK(cfg != NULL);
    int status = config_load_file(cfg, config_path, (const char *const *)base, n_args, err);
    if (status == 0) {
        snprintf(plan->name, sizeof plan->name, "%s", cfg->name);
        snprintf(plan->source, sizeof plan->source, "%s", config_path);
        plan->config_json = config_to_json(cfg);
        status = expand(plan, config_path, base, n_args, cfg, err);
    }
    if (status == 0) plan_id(plan);
    for (int i = 0; i < n_args; i++) free(base[i]);
    free(base);
    free(cfg);
    if (status != 0) sweep_plan_free(plan);
    return status;
}

void sweep_plan_free(sweep_plan *plan) {
    for (int i = 0; i < plan->n; i++) free_entry(&plan->entries[i]);
    free(plan->entries);
    free(plan->config_json);
    memset(plan, 0, sizeof *plan);
}

bool sweep_parse_shard(const char *text, int *index, int *count) {
    int i = 0, n = 0, used = 0;
    if (sscanf(text, "%d/%d%n", &i, &n, &used) != 2 || text[used] != '\0') return false;
    if (n < 1 || i < 1 || i > n) return false;
    *index = i;
    *count = n;
    return true;
}
