/* chomsky_checks.c — shared checks of the formal-language tasks (see chomsky_checks.h). */
#include "chomsky_checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testing.h"

void chomsky_open(chomsky_under_test *c, const char *name, int max_length) {
    memset(c, 0, sizeof *c);
    opt_set set;
    task_defaults(&set, name);
    opt_value *test = task_option(&set, "test_lengths");
    test->n_list = 2;
    test->list[0] = 1;
    test->list[1] = max_length;
    error_info err = {0};
    if (!test_check(task_under_test_init(&c->task, name, &set, &err) == 0, name, "init failed: %s", err.message))
        exit(1);
    c->spec = chomsky_spec_of(c->task.state);
    c->max_length = max_length;
}

void chomsky_close(chomsky_under_test *c) { task_under_test_free(&c->task); }

static int example_at(const chomsky_under_test *c, enum task_split split, int64_t index, int n, example *ex) {
    example_request request = {.seed = 0, .split = split, .index = index, .length = n};
    error_info err = {0};
    const int status = c->task.ops->example(c->task.state, &request, ex, &err);
    if (status != 0) test_check(false, "example", "%s at length %d: %s", c->task.ops->name, n, err.message);
    return status;
}

void chomsky_check_shapes(const chomsky_under_test *c, const char *level, int symbols, int classes,
                          int (*expected_inputs)(int n), int (*expected_outputs)(int n), bool terminated) {
    const task_info *info = &c->task.info;
    const char *name = c->task.ops->name;
    const char *registered = c->task.ops->level;
    test_check(strcmp(registered, level) == 0, "level", "%s: expected %s, got %s", name, level, registered);
    test_check(info->vocab_size == symbols + 2 && info->n_classes == classes && info->output == TASK_OUTPUT_SEQUENCE,
               "alphabets", "%s: expected vocab %d, classes %d; got %d, %d", name, symbols + 2, classes,
               info->vocab_size, info->n_classes);
    example ex;
    example_alloc(&ex, info);
    int bad = 0, first_bad = 0;
    char detail[200] = "";
    for (int requested = 1; requested <= c->max_length && bad == 0; requested++)
        for (int split = 0; split < 3; split++) {
            if (example_at(c, (enum task_split)split, requested, requested, &ex) != 0) return;
            const int n = expected_inputs ? expected_inputs(requested) : requested;
            const int outs = expected_outputs(n);
            bool ok = ex.n_outputs == outs && ex.length == n + outs;
            for (int t = 0; ok && t < n; t++) ok = ex.tokens[t] >= 0 && ex.tokens[t] < symbols;
            for (int t = n; ok && t < n + outs; t++) ok = ex.tokens[t] == symbols;
            bool ended = false;
            for (int k = 0; ok && k < outs; k++) {
                ok = ex.targets[k] >= 0 && ex.targets[k] < classes && ex.target_mask[k] == !ended;
                if (terminated && ex.targets[k] == CHOMSKY_END_TOKEN) ended = true;
            }
            if (!ok && bad++ == 0) {
                first_bad = requested;
                snprintf(detail, sizeof detail, "length %d: %d outputs (expected %d), %d tokens", n, ex.n_outputs,
                         outs, ex.length);
            }
        }
    test_check(bad == 0, "shapes", "%s at lengths 1..%d: first bad at %d: %s", name, c->max_length, first_bad,
               detail);
    example_free(&ex);
}

/* "0110" or "10,3,4" → ids; returns the count. */
static int parse_ids(const char *text, int32_t *ids, int cap) {
    int n = 0;
    const bool commas = strchr(text, ',') != NULL;
    for (const char *p = text; *p && n < cap;) {
        if (commas) {
            ids[n++] = (int32_t)strtol(p, (char **)&p, 10);
            if (*p == ',') p++;
        } else {
            ids[n++] = *p++ - '0';
        }
    }
    return n;
}

void chomsky_check_case(const chomsky_under_test *c, const char *input, const char *expected) {
    int32_t in[4096], want[4096], got[4096];
    const int n = parse_ids(input, in, 4096), n_want = parse_ids(expected, want, 4096);
    const int outs = c->spec->output_length(n);
    c->spec->solve(in, n, got);
    bool ok = outs == n_want && memcmp(got, want, sizeof(int32_t) * (size_t)outs) == 0;
    char text[4096] = "";
    for (int k = 0, used = 0; k < outs && used < (int)sizeof text - 16; k++)
        used += snprintf(text + used, sizeof text - (size_t)used, "%s%d", k ? "," : "", got[k]);
    test_check(ok, "hand-written case", "%s: %s → expected %s, got %s", c->task.ops->name, input, expected, text);
}

void chomsky_check_random(const chomsky_under_test *c, chomsky_evaluator evaluate, int samples) {
    example ex;
    example_alloc(&ex, &c->task.info);
    int32_t *want = calloc((size_t)c->task.info.max_outputs + 1, sizeof *want);
    int bad = 0, first_bad = -1;
    for (int i = 0; i < samples; i++) {
        if (example_at(c, SPLIT_TEST, i, 1 + i % c->max_length, &ex) != 0) break;
        const int outs = evaluate(ex.tokens, ex.length - ex.n_outputs, want);
        const bool ok = outs == ex.n_outputs && memcmp(want, ex.targets, sizeof(int32_t) * (size_t)outs) == 0;
        if (!ok && bad++ == 0) first_bad = i;
    }
    test_check(bad == 0, "random examples against the evaluator", "%s: %d of %d differ (first: example %d)",
               c->task.ops->name, bad, samples, first_bad);
    free(want);
    example_free(&ex);
}
