/* test_train_reporter.c — training reports through model/train_reporter.h and nothing
 * else: a reporter that keeps every call sees the metric rows of each log interval
 * with their heartbeat, the periodic and final evaluations, and (for a task with a
 * length protocol) the per-length accuracies once, before the final eval metrics; a
 * NULL reporter trains to the same numbers; a reporter that fails stops the run with
 * its message. */
#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "model/train.h"
#include "testing.h"

enum { MAX_CALLS = 64 };

/* One callback as the reporter saw it. */
typedef struct call {
    char kind;         /* 'm' metrics, 'h' heartbeat, 'l' lengths */
    long long step;    /* metrics and heartbeat */
    int n;             /* points given */
    char first[32];    /* "split/name" of the first metric, or the first length's split */
    double value;      /* the first metric's value, or the mean of the lengths' accuracies */
} call;

typedef struct transcript {
    call calls[MAX_CALLS];
    int n;
    long long fail_heartbeat_at; /* 0: never fail */
} transcript;

static call *next_call(transcript *t, char kind) {
    if (t->n == MAX_CALLS) return NULL;
    call *c = &t->calls[t->n++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    return c;
}

static int keep_metrics(void *user, int64_t step, const train_metric *points, int n, error_info *err) {
    call *c = next_call(user, 'm');
    if (!c) return error_set(err, EXIT_RUNTIME, "more than %d reports", MAX_CALLS);
    c->step = step, c->n = n, c->value = points[0].value;
    snprintf(c->first, sizeof c->first, "%s/%s", points[0].split, points[0].name);
    return 0;
}

static int keep_heartbeat(void *user, int64_t step, error_info *err) {
    transcript *t = user;
    if (t->fail_heartbeat_at == step)
        return error_set(err, EXIT_RUNTIME, "the recorder is gone at step %lld", (long long)step);
    call *c = next_call(t, 'h');
    if (!c) return error_set(err, EXIT_RUNTIME, "more than %d reports", MAX_CALLS);
    c->step = step;
    return 0;
}

static int keep_lengths(void *user, const length_accuracy *points, int n, error_info *err) {
    call *c = next_call(user, 'l');
    if (!c) return error_set(err, EXIT_RUNTIME, "more than %d reports", MAX_CALLS);
    c->n = n;
    snprintf(c->first, sizeof c->first, "%s", points[0].split);
    for (int i = 0; i < n; i++)
        if (strcmp(points[i].split, "eval") == 0) c->value += points[i].accuracy;
    return 0;
}

/* The calls as text, e.g. "m3:train/loss h3 m5:eval/loss ...". */
static void describe(const transcript *t, char *text, size_t size) {
    size_t used = 0;
    text[0] = '\0';
    for (int i = 0; i < t->n && used < size; i++) {
        const call *c = &t->calls[i];
        if (c->kind == 'l') used += (size_t)snprintf(text + used, size - used, "l%d:%s ", c->n, c->first);
        else if (c->kind == 'h') used += (size_t)snprintf(text + used, size - used, "h%lld ", c->step);
        else used += (size_t)snprintf(text + used, size - used, "m%lld:%s ", c->step, c->first);
    }
}

/* Load the config, build everything, train with reporter (NULL: none). */
static int train_with(const char *yaml, const train_reporter *reporter, train_outcome *out, error_info *err) {
    experiment_config cfg;
    if (config_load_string(&cfg, yaml, strlen(yaml), "reporter.yaml", NULL, 0, err) != 0) return -1;
    const task_ops *task = task_find(cfg.task.name);
    void *state = NULL;
    task_info info;
    if (task->init(&state, &cfg.task.options, &info, err) != 0) return -1;
    model *m = NULL;
    int status = model_create(&m, &cfg.model, &info, cfg.train.batch_size, cfg.train.seed, err);
    if (status == 0) {
        batch_builder bb;
        batch_builder_init(&bb, task, state, &info, model_uses_cls(m), cfg.train.batch_size);
        const train_context ctx = {.config = &cfg, .model = m, .batches = &bb, .reporter = reporter, .quiet = true};
        status = train_run(&ctx, out, err);
        batch_builder_free(&bb);
    }
    model_free(m);
    task->free(state);
    return status;
}

static const char listops_yaml[] =
    "task: {name: lra/listops, min_length: 10, max_length: 30, train_examples: 64, eval_examples: 8,\n"
    "       test_examples: 8}\n"
    "model: {layers: 1, dim: 16, heads: 2, mlp_dim: 32, dropout: 0}\n"
    "train: {steps: 7, batch_size: 4, log_every: 3, eval_every: 5, threads: 1}\n";

static const char parity_yaml[] =
    "task: {name: chomsky/parity_check, train_lengths: [1, 4], test_lengths: [5, 9], test_length_stride: 2,\n"
    "       samples_per_length: 4, train_examples: 64, eval_examples: 8, test_examples: 8}\n"
    "model: {layers: 1, dim: 16, heads: 2, mlp_dim: 32, dropout: 0}\n"
    "train: {steps: 4, batch_size: 4, log_every: 2, threads: 1}\n";

static void check_listops(void) {
    transcript t = {0};
    const train_reporter reporter = {&t, keep_metrics, keep_heartbeat, keep_lengths};
    train_outcome reported, silent;
    error_info err = {0};
    if (!test_check(train_with(listops_yaml, &reporter, &reported, &err) == 0, "train listops with a reporter",
                    "%s", err.message))
        return;
    char text[1024];
    describe(&t, text, sizeof text);
    printf("reports: %s\n", text);
    test_check(strcmp(text, "m3:train/loss h3 m5:eval/loss m6:train/loss h6 m7:train/loss h7 m7:eval/loss ") == 0,
               "log intervals at 3, 6, 7 with heartbeats; evaluations at 5 and at the end", "got %s", text);
    test_check(t.calls[0].n == 5 && t.calls[2].n == 2, "five train metrics, two eval metrics",
               "got %d and %d", t.calls[0].n, t.calls[2].n);
    test_near(t.calls[t.n - 1].value, reported.eval.loss, 0, "the final eval loss reported is the outcome's");
    test_near(t.calls[5].value, reported.train_loss, 0, "the last interval's train loss reported is the outcome's");
    if (!test_check(train_with(listops_yaml, NULL, &silent, &err) == 0, "train listops with no reporter", "%s",
                    err.message))
        return;
    test_near(silent.train_loss, reported.train_loss, 0, "no reporter: the same train loss");
    test_near(silent.test.accuracy, reported.test.accuracy, 0, "no reporter: the same test accuracy");
}

static void check_failure(void) {
    transcript t = {.fail_heartbeat_at = 6};
    const train_reporter reporter = {&t, keep_metrics, keep_heartbeat, keep_lengths};
    train_outcome out;
    error_info err = {0};
    test_check(train_with(listops_yaml, &reporter, &out, &err) == -1 && strstr(err.message, "gone at step 6"),
               "a failing reporter stops the run with its message", "status message \"%s\"", err.message);
    test_check(out.steps_done == 6, "the run stopped at the step that failed", "steps done %lld",
               (long long)out.steps_done);
}

static void check_lengths(void) {
    transcript t = {0};
    const train_reporter reporter = {&t, keep_metrics, keep_heartbeat, keep_lengths};
    train_outcome out;
    error_info err = {0};
    if (!test_check(train_with(parity_yaml, &reporter, &out, &err) == 0, "train parity_check with a reporter", "%s",
                    err.message))
        return;
    char text[1024];
    describe(&t, text, sizeof text);
    printf("reports: %s\n", text);
    test_check(strcmp(text, "m2:train/loss h2 m4:train/loss h4 l7:eval m4:eval/loss ") == 0,
               "seven lengths (1-4 eval, 5 7 9 test) once, before the final eval metrics", "got %s", text);
    test_near(t.calls[4].value / 4, out.eval.accuracy, 1e-12,
              "the in-distribution accuracy is the mean of the reported eval lengths");
}

int main(void) {
    check_listops();
    check_failure();
    check_lengths();
    return test_finish("test_train_reporter");
}
