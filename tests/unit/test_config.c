/* test_config.c — the config loader: every malformed config gives its exact one-line
 * message, defaults are filled, overrides win, the canonical JSON and the hash are
 * stable, and the sweep is parsed and checked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "mechanisms/mechanism.h"
#include "tasks/task.h"
#include "testing.h"

#define TASK "task:\n  name: lra/listops\n"

typedef struct bad_case {
    const char *what;
    const char *yaml;
    const char *overrides[3];
    const char *expected; /* the whole message */
} bad_case;

static const bad_case bad_cases[] = {
    {"empty file", "", {NULL}, "bad.yaml: empty config (expected a mapping with task, model and train)"},
    {"only comments", "# nothing\n\n  # here\n", {NULL},
     "bad.yaml: empty config (expected a mapping with task, model and train)"},
    {"YAML syntax", TASK "model:\n  dim: [64\n", {NULL},
     "bad.yaml:5:1: YAML syntax error: did not find expected ',' or ']'"},
    {"bad indentation", TASK "model:\n  dim: 64\n   heads: 4\n", {NULL},
     "bad.yaml:5:9: YAML syntax error: mapping values are not allowed in this context"},
    {"top-level sequence", "- task\n- model\n", {NULL},
     "bad.yaml:1:1: expected a mapping at the top level, got a sequence"},
    {"top-level scalar", "just words\n", {NULL},
     "bad.yaml:1:1: expected a mapping at the top level, got a scalar"},
    {"unknown key, near", TASK "model:\n  hedas: 4\n", {NULL},
     "bad.yaml:4:3: model.hedas: unknown key (did you mean heads?)"},
    {"unknown key, far", TASK "model:\n  colour: red\n", {NULL},
     "bad.yaml:4:3: model.colour: unknown key (expected one of: layers, dim, heads, mlp_dim, "
     "head_mlp_dim, qkv_dim, dropout, attention_dropout, pooling, positional, randomized_positions, "
     "max_position, reverse_positions, norm, attention_bias, embedding_scale, embedding_std, activation, head, "
     "attention)"},
    {"unknown top-level key", TASK "modle:\n  dim: 64\n", {NULL},
     "bad.yaml:3:1: modle: unknown key (did you mean model?)"},
    {"unknown task key", TASK "  train_exmples: 10\n", {NULL},
     "bad.yaml:3:3: task.train_exmples: unknown key (did you mean train_examples?)"},
    {"duplicate key", TASK "model:\n  dim: 64\n  heads: 4\n  dim: 128\n", {NULL},
     "bad.yaml:6:3: model.dim: duplicate key (first given at line 4)"},
    {"duplicate section", TASK "train:\n  steps: 1\n" TASK, {NULL},
     "bad.yaml:5:1: task: duplicate key (first given at line 1)"},
    {"word for an integer", TASK "model:\n  heads: four\n", {NULL},
     "bad.yaml:4:10: model.heads: expected an integer in [1, 256], got \"four\""},
    {"integer out of range", TASK "model:\n  heads: 512\n", {NULL},
     "bad.yaml:4:10: model.heads: expected an integer in [1, 256], got \"512\""},
    {"fraction for an integer", TASK "train:\n  steps: 1.5\n", {NULL},
     "bad.yaml:4:10: train.steps: expected an integer in [1, 1000000000], got \"1.5\""},
    {"excluded lower bound", TASK "train:\n  lr: 0\n", {NULL},
     "bad.yaml:4:7: train.lr: expected a number in (0, 1000000000000], got \"0\""},
    {"excluded upper bound", TASK "train:\n  beta1: 1.0\n", {NULL},
     "bad.yaml:4:10: train.beta1: expected a number in [0, 1), got \"1.0\""},
    {"number out of range", TASK "model:\n  dropout: 0.95\n", {NULL},
     "bad.yaml:4:12: model.dropout: expected a number in [0, 0.9], got \"0.95\""},
    {"not a choice", TASK "model:\n  pooling: max\n", {NULL},
     "bad.yaml:4:12: model.pooling: expected one of cls|mean, got \"max\""},
    {"mapping for a scalar", TASK "model:\n  dim:\n    width: 64\n", {NULL},
     "bad.yaml:5:5: model.dim: expected an integer in [1, 8192], got a mapping"},
    {"list for a scalar", TASK "train:\n  schedule: [cosine]\n", {NULL},
     "bad.yaml:4:13: train.schedule: expected one of constant|linear|cosine|rsqrt, got a sequence"},
    {"scalar for a section", TASK "model: 5\n", {NULL},
     "bad.yaml:3:8: model: expected a mapping, got \"5\""},
    {"heads not dividing dim", TASK "model:\n  dim: 64\n  heads: 3\n", {NULL},
     "bad.yaml:5:10: model.heads: 3 does not divide model.dim = 64"},
    {"dim not divisible by default heads", TASK "model:\n  dim: 66\n", {NULL},
     "bad.yaml:4:8: model.heads: 4 does not divide model.dim = 66"},
    {"heads not dividing qkv_dim", TASK "model:\n  dim: 64\n  qkv_dim: 30\n", {NULL},
     "bad.yaml:5:12: model.heads: 4 does not divide model.qkv_dim = 30"},
    {"empty name", "name: ''\n" TASK, {NULL}, "bad.yaml:1:7: name: expected a non-empty string"},
    {"missing task.name", "model:\n  dim: 64\n", {NULL}, "bad.yaml: task.name: missing required key"},
    {"task without name", "task:\n  seed: 1\n", {NULL}, "bad.yaml: task.name: missing required key"},
    {"override without =", TASK, {"model.heads"},
     "command line: \"model.heads\": expected key.path=value"},
    {"override with empty part", TASK, {"model..heads=4"},
     "command line: \"model..heads=4\": expected key.path=value"},
    {"override without key", TASK, {"=4"}, "command line: \"=4\": expected key.path=value"},
    {"override value", TASK, {"model.heads=four"},
     "command line: model.heads=four: expected an integer in [1, 256], got \"four\""},
    {"override into an unknown key", TASK, {"model.hedas=4"},
     "command line: model.hedas=4: unknown key (did you mean heads?)"},
    {"override YAML syntax", TASK, {"model.heads=[4"},
     "command line: model.heads=[4: YAML syntax error: did not find expected ',' or ']'"},
    {"override heads not dividing", TASK "model:\n  dim: 64\n", {"model.heads=3"},
     "command line: model.heads=3: 3 does not divide model.dim = 64"},
    {"override empty value", TASK, {"train.steps="},
     "command line: train.steps=: expected an integer in [1, 1000000000], got \"\""},
    {"override with a duplicate key", TASK, {"model={dim: 32, dim: 64}"},
     "command line: model={dim: 32, dim: 64}: duplicate key"},
    {"override with a complex key", TASK, {"model={[a]: 1}"},
     "command line: model={[a]: 1}: expected a key name, got a sequence"},
    {"unknown alias", TASK "model:\n  dim: *width\n", {NULL}, "bad.yaml:4:8: unknown alias *width"},
    {"two documents", TASK "---\n" TASK, {NULL}, "bad.yaml:3:1: expected a single YAML document"},
    {"NUL byte", TASK "model:\n  dim: 6\0004\n", {NULL},
     "bad.yaml:4:9: YAML syntax error: control characters are not allowed"},
    {"complex key", TASK "? [a, b]\n: 1\n", {NULL}, "bad.yaml:3:3: expected a key name, got a sequence"},
    {"sweep: unknown key", TASK "sweep:\n  model.hedas: [2, 4]\n", {NULL},
     "bad.yaml:4:3: model.hedas: unknown key (did you mean heads?)"},
    {"sweep: bad value", TASK "sweep:\n  model.heads: [2, four]\n", {NULL},
     "bad.yaml:4:20: model.heads: expected an integer in [1, 256], got \"four\""},
    {"sweep: value not dividing", TASK "sweep:\n  model.heads: [2, 3]\n", {NULL},
     "bad.yaml:4:20: model.heads: 3 does not divide model.dim = 64"},
    {"sweep: nested list", TASK "sweep:\n  model.heads: [[2]]\n", {NULL},
     "bad.yaml:4:17: sweep.model.heads: expected a value or a list of values, got a sequence"},
    {"sweep: empty list", TASK "sweep:\n  model.heads: []\n", {NULL},
     "bad.yaml:4:16: sweep.model.heads: expected at least one value"},
    {"sweep: empty key part", TASK "sweep:\n  model..heads: [2]\n", {NULL},
     "bad.yaml:4:3: sweep.model..heads: expected a key path such as model.heads"},
    {"sweep: of the sweep", TASK "sweep:\n  sweep.x: [2]\n", {NULL},
     "bad.yaml:4:3: sweep.sweep.x: expected a key path such as model.heads"},
    {"sweep: not a mapping", TASK "sweep: [model.heads]\n", {NULL},
     "bad.yaml:3:8: sweep: expected a mapping, got a sequence"},
    {"sweep: override value", TASK, {"sweep.model.heads=2,x"},
     "command line: sweep.model.heads=2,x: expected an integer in [1, 256], got \"x\""},
};

static experiment_config *new_config(void) {
    experiment_config *cfg = malloc(sizeof *cfg);
    if (!cfg) abort();
    return cfg;
}

static int count_overrides(const char *const overrides[3]) {
    int n = 0;
    while (n < 3 && overrides[n]) n++;
    return n;
}

static void expect_error(const char *what, const char *yaml, size_t size, const char *const *overrides,
                         int n_overrides, const char *expected) {
    experiment_config *cfg = new_config();
    error_info err = {0};
    int rc = config_load_string(cfg, yaml, size, "bad.yaml", overrides, n_overrides, &err);
    char label[1400];
    snprintf(label, sizeof label, "%s: error \"%s\"", what, expected);
    test_check(rc == -1 && err.status == EXIT_USAGE && strcmp(err.message, expected) == 0, label,
               "rc %d status %d message \"%s\"", rc, err.status, rc ? err.message : "");
    free(cfg);
}

static void test_bad_cases(void) {
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        size_t size = strlen(c->yaml);
        if (strcmp(c->what, "NUL byte") == 0) size += 1 + strlen(c->yaml + size + 1);
        expect_error(c->what, c->yaml, size, c->overrides, count_overrides(c->overrides), c->expected);
    }
}

/* Messages that list the registries or quote a plug-in's own bounds. */
static void test_registry_errors(void) {
    char known[2048] = "", expected[4096];
    for (int i = 0; i < task_count(); i++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "",
                 task_at(i)->name);
    snprintf(expected, sizeof expected, "bad.yaml:2:9: task.name: unknown task \"foo\" (known: %s)", known);
    const char *yaml = "task:\n  name: foo\n";
    expect_error("unknown task", yaml, strlen(yaml), NULL, 0, expected);

    known[0] = '\0';
    for (int i = 0; i < mechanism_count(); i++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "",
                 mechanism_at(i)->name);
    snprintf(expected, sizeof expected,
             "bad.yaml:5:11: model.attention.kind: unknown mechanism \"foo\" (known: %s)", known);
    yaml = TASK "model:\n  attention:\n    kind: foo\n";
    expect_error("unknown mechanism", yaml, strlen(yaml), NULL, 0, expected);
    snprintf(expected, sizeof expected,
             "command line: model.attention.kind=foo: unknown mechanism \"foo\" (known: %s)", known);
    const char *override = "model.attention.kind=foo";
    expect_error("unknown mechanism from an override", TASK, strlen(TASK), &override, 1, expected);

    const opt_spec *max_length = NULL;
    const task_ops *listops = task_find("lra/listops");
    for (int i = 0; i < listops->n_options; i++)
        if (strcmp(listops->options[i].name, "max_length") == 0) max_length = &listops->options[i];
    char wants[160];
    opt_describe_expected(max_length, wants, sizeof wants);
    snprintf(expected, sizeof expected, "bad.yaml:3:15: task.max_length: expected %s, got \"-1\"", wants);
    yaml = TASK "  max_length: -1\n";
    expect_error("task option out of range", yaml, strlen(yaml), NULL, 0, expected);
}

static void test_limits(void) {
    char yaml[4096];
    int used = snprintf(yaml, sizeof yaml, TASK "model:\n  dim: ");
    for (int i = 0; i < 100; i++) yaml[used++] = '[';
    yaml[used] = '\0';
    expect_error("deep nesting", yaml, strlen(yaml), NULL, 0, "bad.yaml:4:70: nested deeper than 64 levels");

    const char *bomb = TASK "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                            "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                            "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n";
    expect_error("alias bomb", bomb, strlen(bomb), NULL, 0,
                 "bad.yaml:6:36: config too large (more than 10000 nodes after expanding aliases)");

    used = snprintf(yaml, sizeof yaml, TASK "sweep:\n");
    for (int i = 0; i < 17; i++)
        used += snprintf(yaml + used, sizeof yaml - (size_t)used, "  model.layers%d: [1]\n", i);
    expect_error("too many sweep axes", yaml, strlen(yaml), NULL, 0,
                 "bad.yaml:20:3: sweep: more than 16 axes");

    used = snprintf(yaml, sizeof yaml, TASK "sweep:\n  train.seed: [");
    for (int i = 0; i < 33; i++)
        used += snprintf(yaml + used, sizeof yaml - (size_t)used, "%s%d", i ? ", " : "", i);
    snprintf(yaml + used, sizeof yaml - (size_t)used, "]\n");
    expect_error("too many sweep values", yaml, strlen(yaml), NULL, 0,
                 "bad.yaml:4:134: sweep.train.seed: more than 32 values");

    /* Text fields are bounded by their own storage, not by the longest option string. */
    char long_name[101];
    memset(long_name, 'n', 100);
    long_name[100] = '\0';
    snprintf(yaml, sizeof yaml, "name: %s\n" TASK, long_name);
    char expected[300];
    snprintf(expected, sizeof expected, "bad.yaml:1:7: name: expected a string of at most 63 characters, got \"%.80s...\"",
             long_name);
    expect_error("a 100-character name", yaml, strlen(yaml), NULL, 0, expected);
}

static void test_file(void) {
    char path[512], missing[512], expected[1100];
    snprintf(path, sizeof path, "%s/listops-small.yaml", test_temp_dir());
    snprintf(missing, sizeof missing, "%s/missing.yaml", test_temp_dir());
    FILE *file = fopen(path, "w");
    if (!file) abort();
    fputs(TASK "model:\n  heads: 8\n  heads: 2\n", file);
    fclose(file);

    experiment_config *cfg = new_config();
    error_info err = {0};
    snprintf(expected, sizeof expected, "%s:5:3: model.heads: duplicate key (first given at line 4)", path);
    int rc = config_load_file(cfg, path, NULL, 0, &err);
    test_check(rc == -1 && strcmp(err.message, expected) == 0, "file: the error names the file", "got \"%s\"",
               err.message);

    file = fopen(path, "w");
    if (!file) abort();
    fputs(TASK "model:\n  heads: 8\n", file);
    fclose(file);
    rc = config_load_file(cfg, path, NULL, 0, &err);
    test_check(rc == 0, "file: loads", "%s", err.message);
    test_check(strcmp(cfg->name, "listops-small") == 0, "file: name is the file's stem", "got \"%s\"",
               cfg->name);
    test_check(strcmp(cfg->source, path) == 0, "file: source is the path", "got \"%s\"", cfg->source);
    test_check(cfg->model.heads == 8, "file: model.heads = 8", "got %d", cfg->model.heads);

    snprintf(expected, sizeof expected, "%s: cannot read config: No such file or directory", missing);
    rc = config_load_file(cfg, missing, NULL, 0, &err);
    test_check(rc == -1 && err.status == EXIT_USAGE && strcmp(err.message, expected) == 0,
               "file: missing file", "got \"%s\"", err.message);
    snprintf(expected, sizeof expected, "%s: cannot read config: Is a directory", test_temp_dir());
    rc = config_load_file(cfg, test_temp_dir(), NULL, 0, &err);
    test_check(rc == -1 && err.status == EXIT_USAGE && strcmp(err.message, expected) == 0,
               "file: a directory", "got \"%s\"", err.message);
    free(cfg);
}

static int load(experiment_config *cfg, const char *yaml, const char *const *overrides, int n_overrides) {
    error_info err = {0};
    int rc =
        config_load_string(cfg, yaml, strlen(yaml), "configs/lra/small.yaml", overrides, n_overrides, &err);
    if (rc != 0) printf("     load failed: %s\n", err.message);
    return rc;
}

static void test_defaults(void) {
    experiment_config *cfg = new_config();
    test_check(load(cfg, TASK, NULL, 0) == 0, "defaults: minimal config loads", NULL);
    test_check(strcmp(cfg->name, "small") == 0, "defaults: name is the stem of the source", "got \"%s\"",
               cfg->name);
    test_check(strcmp(cfg->task.name, "lra/listops") == 0, "defaults: task.name", "got \"%s\"",
               cfg->task.name);
    test_check(cfg->task.train_examples == 96000 && cfg->task.eval_examples == 2000 &&
                   cfg->task.test_examples == 2000 && cfg->task.seed == 0,
               "defaults: task sizes 96000/2000/2000, seed 0", NULL);
    const task_ops *listops = task_find("lra/listops");
    test_check(cfg->task.options.n == listops->n_options, "defaults: every task option present", "got %d",
               cfg->task.options.n);
    test_check(opt_int(&cfg->task.options, "max_length") == 2000, "defaults: task.max_length = 2000", NULL);
    const model_config *m = &cfg->model;
    test_check(m->layers == 2 && m->dim == 64 && m->heads == 4 && m->mlp_dim == 128 && m->head_mlp_dim == 128,
               "defaults: model 2 layers, dim 64, 4 heads, mlp 128, head mlp 128", NULL);
    test_check(m->dropout == 0.1 && m->attention_dropout == 0.0 && m->pooling == POOLING_CLS &&
                   m->positional == POSITIONAL_SINUSOIDAL,
               "defaults: dropout 0.1, attention dropout 0, cls pooling, sinusoidal", NULL);
    test_check(strcmp(m->attention.kind, "full") == 0, "defaults: attention full", "got \"%s\"",
               m->attention.kind);
    const train_config *t = &cfg->train;
    test_check(t->steps == 1000 && t->batch_size == 32 && t->lr == 1e-3 && t->beta1 == 0.9 &&
                   t->beta2 == 0.98 && t->eps == 1e-9 && t->warmup == 0 && t->schedule == SCHEDULE_COSINE &&
                   t->weight_decay == 0 && t->grad_clip == 1.0 && t->eval_every == 0 && t->log_every == 10 &&
                   t->seed == 0 && t->threads == 0,
               "defaults: every train field", NULL);
    test_check(cfg->n_sweep_axes == 0, "defaults: no sweep", NULL);

    test_check(load(cfg, TASK "model:\n  mlp_dim: 256\ntrain:\nsweep: ~\n", NULL, 0) == 0,
               "defaults: null sections load", NULL);
    test_check(cfg->model.head_mlp_dim == 256, "defaults: head_mlp_dim follows mlp_dim", "got %d",
               cfg->model.head_mlp_dim);
    test_check(cfg->model.qkv_dim == 64, "defaults: qkv_dim follows dim", "got %d", cfg->model.qkv_dim);
    test_check(load(cfg, TASK "train:\n  steps: 1e3\n  seed: 9223372036854775807\n", NULL, 0) == 0,
               "values: 1e3 and 2^63-1 load", NULL);
    test_check(cfg->train.steps == 1000 && cfg->train.seed == 9223372036854775807ull,
               "values: steps 1000, seed 2^63-1", NULL);
    test_check(load(cfg, TASK "model:\n  dim: &width 96\n  mlp_dim: *width\n  positional: 'learned'\n", NULL,
                    0) == 0,
               "values: aliases and quoted strings load", NULL);
    test_check(cfg->model.mlp_dim == 96 && cfg->model.positional == POSITIONAL_LEARNED,
               "values: alias gives 96, 'learned' gives learned", NULL);
    free(cfg);
}

static void test_overrides(void) {
    experiment_config *cfg = new_config();
    const char *overrides[] = {"model.heads=8", "train.lr=5e-4", "model.heads=16", "task.max_length=700",
                               "model.attention.kind='full'"};
    test_check(load(cfg, TASK "model:\n  dim: 128\n  heads: 2\n", overrides, 5) == 0, "overrides: load",
               NULL);
    test_check(cfg->model.heads == 16, "overrides: the later override wins over the earlier and the file",
               "got %d", cfg->model.heads);
    test_check(cfg->train.lr == 5e-4, "overrides: a key absent from the file is created", "got %g",
               cfg->train.lr);
    test_check(opt_int(&cfg->task.options, "max_length") == 700, "overrides: a task option", NULL);

    experiment_config *from_file = new_config();
    test_check(load(from_file,
                    TASK "  max_length: 700\nmodel:\n  dim: 128\n  heads: 16\ntrain:\n  lr: 5.0e-4\n", NULL,
                    0) == 0,
               "overrides: the same values from the file load", NULL);
    char *a = config_to_json(cfg), *b = config_to_json(from_file);
    test_check(strcmp(a, b) == 0, "overrides: values from overrides equal values from the file", "%s vs %s",
               a, b);
    free(a);
    free(b);
    free(from_file);
    free(cfg);
}

/* The task options of lra/listops as JSON, one of them set to a given value. */
static void listops_options_json(char *out, size_t size, const char *set_name, long long set_value) {
    const task_ops *listops = task_find("lra/listops");
    opt_set set;
    opt_set_defaults(&set, listops->options, listops->n_options);
    out[0] = '\0';
    for (int i = 0; i < set.n; i++) {
        const opt_value *v = &set.values[i];
        if (v->spec->type == OPT_STRING) {
            snprintf(out + strlen(out), size - strlen(out), ",\"%s\":\"%s\"", v->spec->name, v->s);
            continue;
        }
        long long value = strcmp(v->spec->name, set_name) == 0 ? set_value : (long long)v->i;
        snprintf(out + strlen(out), size - strlen(out), ",\"%s\":%lld", v->spec->name, value);
    }
}

static void test_json(void) {
    experiment_config *cfg = new_config();
    const char *yaml = "name: tiny\n" TASK "  max_length: 600\n  seed: 7\n"
                       "model:\n  dim: 32\n  heads: 2\n  pooling: mean\n  dropout: 0\n"
                       "train:\n  lr: 2.5e-4\n  schedule: linear\n  seed: 3\n  threads: 2\n"
                       "sweep:\n  train.seed: [0, 1]\n  model.attention.kind: full\n";
    test_check(load(cfg, yaml, NULL, 0) == 0, "json: load", NULL);
    test_check(mechanism_find("full")->n_options == 0,
               "json: full has no options (as the expected text assumes)", NULL);
    char options[512], expected[2048];
    listops_options_json(options, sizeof options, "max_length", 600);
    snprintf(
        expected, sizeof expected,
        "{\"name\":\"tiny\",\"task\":{\"name\":\"lra/"
        "listops\",\"train_examples\":96000,\"eval_examples\":2000,"
        "\"test_examples\":2000,\"seed\":7%s},\"model\":{\"layers\":2,\"dim\":32,\"heads\":2,\"mlp_dim\":128,"
        "\"head_mlp_dim\":128,\"qkv_dim\":32,\"dropout\":0,\"attention_dropout\":0,\"pooling\":\"mean\","
        "\"positional\":\"sinusoidal\",\"randomized_positions\":false,\"max_position\":2048,"
        "\"reverse_positions\":false,\"norm\":\"pre\",\"attention_bias\":true,\"embedding_scale\":false,"
        "\"embedding_std\":1,\"activation\":\"gelu\",\"head\":\"mlp\",\"attention\":{\"kind\":\"full\"}},"
        "\"train\":{\"steps\":1000,"
        "\"batch_size\":32,\"lr\":0.00025,\"beta1\":0.9,\"beta2\":0.98,\"eps\":1e-09,\"warmup\":0,"
        "\"schedule\":\"linear\",\"weight_decay\":0,\"grad_clip\":1,\"eval_every\":0,\"log_every\":10,"
        "\"seed\":3,\"threads\":2},\"sweep\":{\"train.seed\":[\"0\",\"1\"],\"model.attention.kind\":["
        "\"full\"]}}",
        options);
    char *json = config_to_json(cfg);
    test_check(strcmp(json, expected) == 0, "json: canonical text", "\n  got      %s\n  expected %s", json,
               expected);
    free(json);
    test_check(cfg->n_sweep_axes == 2 && strcmp(cfg->sweep[0].key, "train.seed") == 0 &&
                   cfg->sweep[0].n_values == 2 && strcmp(cfg->sweep[0].values[1], "1") == 0 &&
                   strcmp(cfg->sweep[1].key, "model.attention.kind") == 0 && cfg->sweep[1].n_values == 1 &&
                   strcmp(cfg->sweep[1].values[0], "full") == 0,
               "sweep: two axes, a list and a single value", NULL);
    free(cfg);
}

static void test_sweep_overrides(void) {
    experiment_config *cfg = new_config();
    const char *overrides[] = {"sweep.model.heads=2,4, 8", "sweep.train.lr=[1e-3, 2e-3]"};
    test_check(load(cfg, TASK "sweep:\n  model.heads: [1]\n", overrides, 2) == 0, "sweep overrides: load",
               NULL);
    test_check(cfg->n_sweep_axes == 2 && strcmp(cfg->sweep[0].key, "model.heads") == 0 &&
                   cfg->sweep[0].n_values == 3 && strcmp(cfg->sweep[0].values[2], "8") == 0 &&
                   strcmp(cfg->sweep[1].key, "train.lr") == 0 && cfg->sweep[1].n_values == 2 &&
                   strcmp(cfg->sweep[1].values[1], "2e-3") == 0,
               "sweep overrides: model.heads = 2, 4, 8 replaces the file's axis; train.lr added", NULL);
    free(cfg);
}

static void test_hash(void) {
    static const char *const same[] = {"name=other", "train.seed=5", "train.threads=3",
                                       "sweep.train.seed=1,2"};
    static const char *const different[] = {"model.dim=128",
                                            "train.lr=2e-3",
                                            "task.seed=1",
                                            "task.max_length=1000",
                                            "model.pooling=mean",
                                            "train.steps=2000",
                                            "model.attention_dropout=0.1",
                                            "train.eval_every=100"};
    experiment_config *base = new_config(), *cfg = new_config();
    char base_hash[65], hash[65];
    test_check(load(base, TASK, NULL, 0) == 0, "hash: base config loads", NULL);
    config_hash(base, base_hash);
    test_check(strlen(base_hash) == 64, "hash: 64 hex digits", "got %s", base_hash);
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        char what[128];
        snprintf(what, sizeof what, "hash: unchanged by %s", same[i]);
        test_check(load(cfg, TASK, &same[i], 1) == 0, what, "load failed");
        config_hash(cfg, hash);
        test_check(strcmp(hash, base_hash) == 0, what, "%s vs %s", hash, base_hash);
    }
    for (size_t i = 0; i < sizeof different / sizeof different[0]; i++) {
        char what[128];
        snprintf(what, sizeof what, "hash: changed by %s", different[i]);
        test_check(load(cfg, TASK, &different[i], 1) == 0, what, "load failed");
        config_hash(cfg, hash);
        test_check(strcmp(hash, base_hash) != 0, what, "both %s", hash);
    }
    free(base);
    free(cfg);
}

static void test_names(void) {
    test_check(strcmp(config_pooling_name(POOLING_MEAN), "mean") == 0 &&
                   strcmp(config_positional_name(POSITIONAL_NONE), "none") == 0 &&
                   strcmp(config_schedule_name(SCHEDULE_RSQRT), "rsqrt") == 0,
               "names: mean, none, rsqrt", NULL);
    /* Each name, written in a config, binds to the enum value it names. */
    experiment_config *cfg = new_config();
    for (int s = SCHEDULE_CONSTANT; s <= SCHEDULE_RSQRT; s++) {
        char override[64], what[96];
        snprintf(override, sizeof override, "train.schedule=%s", config_schedule_name((enum lr_schedule)s));
        snprintf(what, sizeof what, "names: %s binds to schedule %d", override, s);
        const char *o = override;
        test_check(load(cfg, TASK, &o, 1) == 0 && (int)cfg->train.schedule == s, what, NULL);
    }
    for (int p = POSITIONAL_NONE; p <= POSITIONAL_LEARNED; p++) {
        char override[64], what[96];
        snprintf(override, sizeof override, "model.positional=%s",
                 config_positional_name((enum positional_kind)p));
        snprintf(what, sizeof what, "names: %s binds to positional %d", override, p);
        const char *o = override;
        test_check(load(cfg, TASK, &o, 1) == 0 && (int)cfg->model.positional == p, what, NULL);
    }
    for (int p = POOLING_CLS; p <= POOLING_MEAN; p++) {
        char override[64], what[96];
        snprintf(override, sizeof override, "model.pooling=%s", config_pooling_name((enum pooling)p));
        snprintf(what, sizeof what, "names: %s binds to pooling %d", override, p);
        const char *o = override;
        test_check(load(cfg, TASK, &o, 1) == 0 && (int)cfg->model.pooling == p, what, NULL);
    }
    free(cfg);
}

int main(void) {
    test_bad_cases();
    test_registry_errors();
    test_limits();
    test_file();
    test_defaults();
    test_overrides();
    test_json();
    test_sweep_overrides();
    test_hash();
    test_names();
    return test_finish("test_config");
}
