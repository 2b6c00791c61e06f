/* test_listops.c — LRA ListOps: the evaluator on hand-written expressions, generated
 * labels against the evaluator, well-formedness, the length filter, the label
 * distribution, and init errors. Purity, disjoint splits and the golden hash:
 * test_task_registry. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/options.h"
#include "tasks/lra/listops.h"
#include "tasks/task.h"
#include "task_checks.h"
#include "testing.h"

/* The task at default options with min_length and max_length replaced
 * (negative: keep the default). */
static int instance_init(task_under_test *in, int min_length, int max_length, error_info *err) {
    opt_set set;
    task_defaults(&set, "lra/listops");
    if (min_length >= 0) task_option(&set, "min_length")->i = min_length;
    if (max_length >= 0) task_option(&set, "max_length")->i = max_length;
    return task_under_test_init(in, "lra/listops", &set, err);
}

/* Whitespace-separated symbols of the task's vocabulary → token ids; returns count. */
static int tokens_from_text(const task_info *info, const char *text, int32_t *tokens, int cap) {
    int n = 0;
    char word[16];
    int used;
    while (sscanf(text, "%15s%n", word, &used) == 1) {
        text += used;
        int id = -1;
        for (int v = 0; v < info->vocab_size; v++)
            if (strcmp(info->token_names[v], word) == 0) id = v;
        if (id < 0 || n == cap) return -1;
        tokens[n++] = id;
    }
    return n;
}

static void check_evaluator(const task_info *info) {
    static const struct {
        const char *text;
        int value;
    } cases[] = {
        {"7", 7},
        {"[MAX 2 9 [MIN 4 7 ] 0 ]", 9},
        {"[MIN 4 7 ]", 4},
        {"[MED 1 2 ]", 1},
        {"[MED 3 8 2 9 ]", 5},
        {"[MED 9 0 5 ]", 5},
        {"[MED 0 1 ]", 0},
        {"[SM 9 9 9 ]", 7},
        {"[SM 5 5 ]", 0},
        {"[MIN [MAX 3 8 ] [SM 4 4 ] [MED 9 9 1 ] ]", 8},
        {"[SM [MED 1 [SM 3 2 ] ] [MED 8 7 1 ] ]", 0},
        {"[MAX [MAX [MAX [MAX [MAX [MAX [MAX [MAX 1 2 ] 3 ] 4 ] 5 ] 6 ] 7 ] 8 ] 0 ]", 8},
        {"[MIN 9 [MIN 9 [MIN 9 [MIN 9 [MIN 9 [MIN 9 [MIN 3 9 ] ] ] ] ] ] ]", 3},
        /* not exactly one well-formed expression */
        {"", -1},
        {"[MIN 1 2", -1},
        {"[MIN ]", -1},
        {"1 2", -1},
        {"[MAX 1 2 ] 3", -1},
        {"]", -1},
        {"[SM 1 ] ]", -1},
        {"[MIN 1 <pad> ]", -1},
    };
    int32_t tokens[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n = tokens_from_text(info, cases[i].text, tokens, 64);
        int got = n < 0 ? -2 : listops_evaluate(tokens, n);
        char what[160];
        snprintf(what, sizeof what, "evaluate \"%s\" = %d (got %d)", cases[i].text,
                 cases[i].value, got);
        test_check(got == cases[i].value, what, "expected %d, got %d", cases[i].value, got);
    }
}

/* Well-formed, every operator with 2..max_args arguments, nesting ≤ max_depth, pad
 * after the real tokens. */
static bool well_formed(const example *ex, const task_info *info, int max_depth,
                        int max_args) {
    int args[64 + 1] = {0}, depth = 0, roots = 0;
    for (int t = 0; t < ex->length; t++) {
        int tok = ex->tokens[t];
        if (depth == 0 && roots) return false;
        if (tok >= LISTOPS_MIN && tok <= LISTOPS_SM) {
            if (depth > 0) args[depth]++;
            if (++depth >= max_depth) return false; /* an operator's arguments need a level */
            args[depth] = 0;
        } else if (tok >= LISTOPS_DIGIT0 && tok < LISTOPS_DIGIT0 + 10) {
            if (depth > 0) args[depth]++;
            else roots++;
        } else if (tok == LISTOPS_CLOSE) {
            if (depth == 0 || args[depth] < 2 || args[depth] > max_args) return false;
            if (--depth == 0) roots++;
        } else {
            return false;
        }
    }
    if (depth != 0 || roots != 1) return false;
    for (int t = ex->length; t < info->max_length; t++)
        if (ex->tokens[t] != info->pad_token) return false;
    return true;
}

static void check_generated(const task_under_test *in) {
    example ex;
    example_alloc(&ex, &in->info);
    int mismatched = 0, malformed = 0, n = 300;
    for (int i = 0; i < n; i++) {
        if (task_under_test_example(in, 7, (enum task_split)(i % 3), i, &ex) != 0) break;
        if (listops_evaluate(ex.tokens, ex.length) != ex.targets[0]) mismatched++;
        if (!well_formed(&ex, &in->info, 10, 10) || ex.n_outputs != 1 || ex.target_mask[0] != 1)
            malformed++;
    }
    char what[160];
    snprintf(what, sizeof what, "%d generated labels equal the evaluator (%d differ)", n,
             mismatched);
    test_check(mismatched == 0, what, "%d differ", mismatched);
    snprintf(what, sizeof what,
             "%d generated examples are one expression, 2-10 args, depth <= 10, pad after "
             "(%d not)", n, malformed);
    test_check(malformed == 0, what, "%d malformed", malformed);
    example_free(&ex);
}

static int compare_int(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* 10,000 samples: every length strictly inside the filter; labels at defaults. */
static void check_distribution(int min_length, int max_length, bool check_labels) {
    enum { N = 10000 };
    task_under_test in;
    error_info err = {0};
    if (instance_init(&in, min_length, max_length, &err) != 0) {
        test_check(false, "init", "%s", err.message);
        return;
    }
    example ex;
    example_alloc(&ex, &in.info);
    static int lengths[N];
    int labels[10] = {0}, outside = 0;
    double sum = 0;
    for (int i = 0; i < N; i++) {
        if (task_under_test_example(&in, 11, SPLIT_TRAIN, i, &ex) != 0) break;
        lengths[i] = ex.length;
        sum += ex.length;
        if (!(ex.length > min_length && ex.length < max_length)) outside++;
        labels[ex.targets[0]]++;
    }
    qsort(lengths, N, sizeof lengths[0], compare_int);
    printf("lengths at min_length %d, max_length %d over %d samples: min %d, mean %.1f, "
           "median %d, max %d\n",
           min_length, max_length, N, lengths[0], sum / N, lengths[N / 2], lengths[N - 1]);
    char what[200];
    snprintf(what, sizeof what, "%d samples have %d < length < %d (min %d, max %d, %d outside)",
             N, min_length, max_length, lengths[0], lengths[N - 1], outside);
    test_check(outside == 0, what, "%d outside", outside);
    printf("labels:");
    for (int v = 0; v < 10; v++) printf(" %d: %.1f%%", v, 100.0 * labels[v] / N);
    printf("\n");
    if (check_labels)
        for (int v = 0; v <= 9; v += 9) {
            double share = (double)labels[v] / N;
            snprintf(what, sizeof what, "label %d share %.3f in [0.12, 0.22]", v, share);
            test_check(share >= 0.12 && share <= 0.22, what, "share %.3f", share);
        }
    example_free(&ex);
    task_under_test_free(&in);
}

static void check_init_errors(void) {
    static const struct {
        int min_length, max_length;
        const char *message;
    } cases[] = {
        {500, 500, "task.max_length: must exceed task.min_length + 1 (got 500 and 500)"},
        {500, 501, "task.max_length: must exceed task.min_length + 1 (got 501 and 500)"},
        {900, 100, "task.max_length: must exceed task.min_length + 1 (got 100 and 900)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        task_under_test in;
        error_info err = {0};
        int rc = instance_init(&in, cases[i].min_length, cases[i].max_length, &err);
        char what[1200];
        snprintf(what, sizeof what, "init min_length %d max_length %d fails with status 2: \"%s\"",
                 cases[i].min_length, cases[i].max_length, rc ? err.message : "(no error)");
        test_check(rc == -1 && err.status == EXIT_USAGE &&
                       strcmp(err.message, cases[i].message) == 0,
                   what, "expected \"%s\"", cases[i].message);
    }
    task_under_test in;
    error_info err = {0};
    int rc = instance_init(&in, 500, 502, &err);
    test_check(rc == 0 && in.info.max_length == 501,
               "init min_length 500 max_length 502 succeeds with info.max_length 501", "%s",
               rc ? err.message : "wrong max_length");
    if (rc == 0) task_under_test_free(&in);

    /* depth 1 allows only single digits: no length can pass min_length 500 */
    const task_ops *ops = task_find("lra/listops");
    opt_set set;
    opt_set_defaults(&set, ops->options, ops->n_options);
    task_option(&set, "max_depth")->i = 1;
    void *state = NULL;
    task_info info;
    rc = ops->init(&state, &set, &info, &err);
    char what[1200];
    snprintf(what, sizeof what, "init max_depth 1 fails with status 2: \"%s\"",
             rc ? err.message : "(no error)");
    test_check(rc == -1 && err.status == EXIT_USAGE && strstr(err.message, "task.min_length"),
               what, "expected an error naming task.min_length");
    if (rc == 0) ops->free(state);

    /* depth 2, 2 args: lengths 1 and 4 only, none strictly between 1 and 4 */
    opt_set_defaults(&set, ops->options, ops->n_options);
    task_option(&set, "max_depth")->i = 2;
    task_option(&set, "max_args")->i = 2;
    task_option(&set, "min_length")->i = 1;
    task_option(&set, "max_length")->i = 4;
    rc = ops->init(&state, &set, &info, &err);
    test_check(rc == 0, "init max_depth 2 max_args 2 min_length 1 max_length 4 succeeds", "%s",
               err.message);
    if (rc != 0) return;
    example ex;
    example_alloc(&ex, &info);
    example_request request = {.seed = 0, .split = SPLIT_TRAIN, .index = 0};
    memset(&err, 0, sizeof err);
    rc = ops->example(state, &request, &ex, &err);
    snprintf(what, sizeof what, "unsatisfiable filter gives status 2: \"%s\"",
             rc ? err.message : "(no error)");
    test_check(rc == -1 && err.status == EXIT_USAGE, what, "expected an error");
    example_free(&ex);
    ops->free(state);
}

int main(void) {
    const task_ops *ops = task_find("lra/listops");
    test_check(ops != NULL, "registry finds lra/listops", "not registered");
    if (!ops) return test_finish("test_listops");
    task_under_test in;
    error_info err = {0};
    if (instance_init(&in, -1, -1, &err) != 0) {
        test_check(false, "init at defaults", "%s", err.message);
        return test_finish("test_listops");
    }
    const task_info *info = &in.info;
    char what[256];
    snprintf(what, sizeof what,
             "info: vocab %d, classes %d, max_length %d, outputs %d, pad %d, cls %d, class "
             "output, version %s",
             info->vocab_size, info->n_classes, info->max_length, info->max_outputs,
             info->pad_token, info->cls_token, info->version);
    test_check(info->vocab_size == 17 && info->n_classes == 10 && info->max_length == 1999 &&
                   info->max_outputs == 1 && info->pad_token == 0 && info->cls_token == 1 &&
                   info->output == TASK_OUTPUT_CLASS &&
                   strcmp(info->version, "1") == 0,
               what, "unexpected info");

    check_evaluator(info);
    check_generated(&in);
    task_under_test_free(&in);
    check_distribution(500, 2000, true);
    check_distribution(10, 100, false);
    check_init_errors();
    return test_finish("test_listops");
}
