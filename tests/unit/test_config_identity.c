/* test_config_identity.c — a config's identity (what its hash covers) is what differs
 * from the defaults, so that past runs keep their hash when an option is added.
 *
 * Checked: a config at its defaults is its task name alone; stating defaults (plain
 * values, a number written another way, fields defaulting to another field, the default
 * mechanism) changes nothing; values that differ appear, plug-in options included;
 * name, seed, threads and the sweep never appear; adding an option with a default to a
 * task's or a mechanism's table — a test build of the table, here — leaves the hash of
 * every config as it was, while setting that option changes it; and the stored JSON
 * (config_to_json) loads back into the same identity, as the schema-4 migration needs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "mechanisms/mechanism.h"
#include "tasks/task.h"
#include "testing.h"

#define TASK "task:\n  name: lra/listops\n"

static experiment_config *load(const char *yaml, const char *const *overrides, int n) {
    experiment_config *cfg = malloc(sizeof *cfg);
    error_info err = {0};
    if (!cfg || config_load_string(cfg, yaml, strlen(yaml), "identity.yaml", overrides, n, &err) != 0) {
        test_check(false, "load", "%s", err.message);
        exit(test_finish("test_config_identity"));
    }
    return cfg;
}

static void check_identity(const char *what, const experiment_config *cfg, const char *expected) {
    char *identity = config_identity(cfg);
    test_check(strcmp(identity, expected) == 0, what, "\n  got      %s\n  expected %s", identity, expected);
    free(identity);
}

static void hash_of(const experiment_config *cfg, char hex[65]) { config_hash(cfg, hex); }

static void test_defaults(void) {
    experiment_config *cfg = load(TASK, NULL, 0);
    check_identity("a config at its defaults: the task name alone", cfg, "{\"task\":{\"name\":\"lra/listops\"}}");
    char base[65], hash[65];
    hash_of(cfg, base);
    free(cfg);

    const char *stated = TASK "  train_examples: 96000\n  seed: 0\n  max_length: 2000\n"
                              "model:\n  layers: 2\n  dim: 64\n  qkv_dim: 64\n  mlp_dim: 128\n  head_mlp_dim: 128\n"
                              "  dropout: 1.0e-1\n  pooling: cls\n  attention:\n    kind: full\n"
                              "train:\n  lr: 0.001\n  schedule: cosine\n  steps: 1000\n";
    cfg = load(stated, NULL, 0);
    hash_of(cfg, hash);
    check_identity("defaults stated (0.1 as 1.0e-1, qkv_dim = dim, kind full): the task name alone", cfg,
                   "{\"task\":{\"name\":\"lra/listops\"}}");
    test_check(strcmp(hash, base) == 0, "defaults stated: same hash as omitted", "%s vs %s", hash, base);
    free(cfg);

    const char *unhashed[] = {"name=other", "train.seed=5", "train.threads=3", "sweep.train.seed=1,2"};
    cfg = load(TASK, unhashed, 4);
    hash_of(cfg, hash);
    test_check(strcmp(hash, base) == 0, "name, train.seed, train.threads and sweep: same hash", "%s vs %s", hash,
               base);
    free(cfg);
}

static void test_differences(void) {
    const char *dim[] = {"model.dim=32"};
    experiment_config *cfg = load(TASK, dim, 1);
    check_identity("model.dim=32: only dim (qkv_dim follows it)", cfg,
                   "{\"task\":{\"name\":\"lra/listops\"},\"model\":{\"dim\":32}}");
    free(cfg);
    const char *qkv[] = {"model.qkv_dim=32", "train.lr=2e-3", "task.max_length=500"};
    cfg = load(TASK, qkv, 3);
    check_identity("qkv_dim apart from dim, lr, a task option", cfg,
                   "{\"task\":{\"name\":\"lra/listops\",\"max_length\":500},\"model\":{\"qkv_dim\":32},"
                   "\"train\":{\"lr\":0.002}}");
    free(cfg);
    const char *local[] = {"model.attention.kind=local"};
    cfg = load(TASK, local, 1);
    check_identity("kind local, its options at their defaults: the kind alone", cfg,
                   "{\"task\":{\"name\":\"lra/listops\"},\"model\":{\"attention\":{\"kind\":\"local\"}}}");
    free(cfg);
    const char *window[] = {"model.attention.kind=local", "model.attention.window=8"};
    cfg = load(TASK, window, 2);
    check_identity("kind local, window 8", cfg,
                   "{\"task\":{\"name\":\"lra/listops\"},\"model\":{\"attention\":{\"kind\":\"local\","
                   "\"window\":8}}}");
    free(cfg);
}

/* cfg with one more option in set's table (a copy of table with an option appended):
 * what a build that adds the option would load from the same file, the option at
 * value_text. */
static void add_option(opt_set *set, opt_spec *extended, const opt_spec *table, int n, const char *value_text) {
    memcpy(extended, table, (size_t)n * sizeof *table);
    extended[n] = (opt_spec){"test_build_option", OPT_INT, "7", 0, 100, NULL, "an option this test adds"};
    for (int i = 0; i < n; i++) set->values[i].spec = &extended[i];
    error_info err = {0};
    test_check(opt_parse_scalar(&set->values[n], &extended[n], value_text, &err) == 0, "parse the added option",
               "%s", err.message);
    set->n = n + 1;
}

static void test_added_option(void) {
    const char *overrides[] = {"model.attention.kind=local", "model.attention.window=8", "task.max_length=500",
                               "model.dim=32"};
    experiment_config *cfg = load(TASK, overrides, 4), *built = malloc(sizeof *built);
    const task_ops *task = task_find("lra/listops");
    const mechanism_ops *local = mechanism_find("local");
    opt_spec task_table[OPT_SET_MAX], mechanism_table[OPT_SET_MAX];
    test_check(task->n_options < OPT_SET_MAX && local->n_options < OPT_SET_MAX, "room for one more option",
               "listops %d, local %d of %d", task->n_options, local->n_options, OPT_SET_MAX);
    char before[65], after[65];
    hash_of(cfg, before);

    *built = *cfg;
    add_option(&built->task.options, task_table, task->options, task->n_options, "7");
    add_option(&built->model.attention.options, mechanism_table, local->options, local->n_options, "7");
    char *json = config_to_json(built);
    test_check(strstr(json, "\"test_build_option\":7") != NULL, "the added option is in the stored JSON", "%s",
               json);
    free(json);
    hash_of(built, after);
    test_check(strcmp(before, after) == 0, "an option added to the task and the mechanism at its default: same hash",
               "%s vs %s", before, after);

    *built = *cfg;
    add_option(&built->model.attention.options, mechanism_table, local->options, local->n_options, "8");
    hash_of(built, after);
    test_check(strcmp(before, after) != 0, "the added option set to 8: another hash", "both %s", after);
    free(built);
    free(cfg);
}

/* The stored JSON loads back into the same config: what migration 4 rehashes. */
static void test_round_trip(void) {
    static const char *const cases[][3] = {
        {"model.attention.kind=longformer", "model.attention.dilation=[1,2]", "train.lr=3.5e-4"},
        {"model.attention.kind=performer", "model.positional=rope", "task.seed=9"},
        {"model.qkv_dim=32", "train.schedule=rsqrt", "train.seed=4"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        experiment_config *cfg = load(TASK, cases[i], 3);
        char *json = config_to_json(cfg);
        experiment_config *back = load(json, NULL, 0);
        char *again = config_to_json(back);
        char a[65], b[65], what[160];
        hash_of(cfg, a);
        hash_of(back, b);
        snprintf(what, sizeof what, "stored JSON of %s loads back: same JSON and hash", cases[i][0]);
        test_check(strcmp(json, again) == 0 && strcmp(a, b) == 0, what, "\n  %s\n  %s", json, again);
        free(json);
        free(again);
        free(back);
        free(cfg);
    }
}

int main(void) {
    test_defaults();
    test_differences();
    test_added_option();
    test_round_trip();
    return test_finish("test_config_identity");
}
