/* test_listops_data.c — lra/listops reading the released TSV layout: fixture files in
 * the released format, written here, are read back exactly (parentheses dropped, `]`
 * and `X` as the closing token, labels, inputs cut at max_length − 1, splits from the
 * right files), and malformed files give one error naming the file and line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tasks/lra/listops.h"
#include "tasks/task.h"
#include "testing.h"

static void write_release(const char *dir, const char *train) {
    mkdir(dir, 0700);
    test_write_file(dir, "basic_train.tsv", train);
    test_write_file(dir, "basic_val.tsv", "Source\tTarget\n( ( [MIN 4 ) 6 ) ]\t4\n");
    test_write_file(dir, "basic_test.tsv", "Source\tTarget\n7\t7\n");
}

/* init with data_dir (and max_length); returns the init status, err filled. */
static int open_task(const char *dir, const char *max_length, void **state, task_info *info, error_info *err) {
    const task_ops *ops = task_find("lra/listops");
    opt_set set;
    opt_set_defaults(&set, ops->options, ops->n_options);
    for (int i = 0; i < set.n; i++) {
        if (strcmp(set.values[i].spec->name, "data_dir") == 0) snprintf(set.values[i].s, sizeof set.values[i].s, "%s", dir);
        if (strcmp(set.values[i].spec->name, "max_length") == 0) set.values[i].i = atoi(max_length);
    }
    return ops->init(state, &set, info, err);
}

static void check_read_back(const char *base) {
    char dir[600];
    snprintf(dir, sizeof dir, "%s/good", base);
    write_release(dir, "Source\tTarget\n"
                       "( ( ( ( [MAX 2 ) 9 ) ( ( [SM 3 ) 8 ) ] ) ) ] )\t9\r\n"
                       "( ( [MED 1 ) 5 ) X\t3\n"
                       "\n"
                       "( ( ( [MIN 1 ) 2 ) 3 ) ]\t1\n");
    void *state = NULL;
    task_info info;
    error_info err = {0};
    test_check(open_task(dir, "2000", &state, &info, &err) == 0, "the released layout loads", "%s", err.message);
    if (!state) return;
    const task_ops *ops = task_find("lra/listops");
    example ex;
    example_alloc(&ex, &info);
    const int32_t first[] = {LISTOPS_MAX, 4, 11, LISTOPS_SM, 5, 10, LISTOPS_CLOSE, LISTOPS_CLOSE};
    example_request request = {0, SPLIT_TRAIN, 0, 0};
    bool ok = ops->example(state, &request, &ex, &err) == 0 && ex.length == 8 && ex.targets[0] == 9 &&
              memcmp(ex.tokens, first, sizeof first) == 0 && ex.tokens[8] == LISTOPS_PAD;
    test_check(ok, "row 1: parentheses dropped, tokens and label exact, padding after", "length %d label %d",
               ex.length, ex.targets[0]);
    test_check(listops_evaluate(ex.tokens, ex.length) == 9, "the row evaluates to its label", NULL);
    request.index = 1;
    ok = ops->example(state, &request, &ex, &err) == 0 && ex.length == 4 && ex.tokens[3] == LISTOPS_CLOSE &&
         ex.targets[0] == 3;
    test_check(ok, "X is read as the closing token; a CRLF row parses", "length %d", ex.length);
    request.index = 2;
    test_check(ops->example(state, &request, &ex, &err) == 0 && ex.length == 5 && ex.targets[0] == 1,
               "a blank line is skipped", "length %d", ex.length);
    request.index = 3;
    test_check(ops->example(state, &request, &ex, &err) != 0 && strstr(err.message, "basic_train.tsv has 3"),
               "an index past the file is an error naming it", "%s", err.message);
    request = (example_request){0, SPLIT_EVAL, 0, 0};
    test_check(ops->example(state, &request, &ex, &err) == 0 && ex.tokens[0] == LISTOPS_MIN && ex.targets[0] == 4,
               "the eval split comes from basic_val.tsv", NULL);
    request.split = SPLIT_TEST;
    test_check(ops->example(state, &request, &ex, &err) == 0 && ex.length == 1 && ex.targets[0] == 7,
               "the test split comes from basic_test.tsv", NULL);
    example_free(&ex);
    ops->free(state);

    state = NULL;
    if (!test_check(open_task(dir, "4", &state, &info, &err) == 0, "loads with a small max_length", "%s",
                    err.message))
        return;
    example_alloc(&ex, &info);
    request = (example_request){0, SPLIT_TRAIN, 0, 0};
    test_check(ops->example(state, &request, &ex, &err) == 0 && ex.length == 3 && info.max_length == 3,
               "inputs are cut at max_length - 1 tokens", "length %d", ex.length);
    example_free(&ex);
    ops->free(state);
}

static void expect_error(const char *base, const char *name, const char *train, const char *needle) {
    char dir[600];
    snprintf(dir, sizeof dir, "%s/%s", base, name);
    write_release(dir, train);
    void *state = NULL;
    task_info info;
    error_info err = {0};
    const int status = open_task(dir, "2000", &state, &info, &err);
    test_check(status != 0 && strstr(err.message, needle) && !strchr(err.message, '\n'),
               "a malformed file is one error naming file and line", "%s: %s", name, err.message);
    if (status == 0) task_find("lra/listops")->free(state);
}

int main(void) {
    const char *base = test_temp_dir();
    check_read_back(base);
    expect_error(base, "header", "Input\tLabel\n1\t1\n", "basic_train.tsv:1: expected the header");
    expect_error(base, "tab", "Source\tTarget\n[MAX 1 2 ] 2\n", "basic_train.tsv:2: expected Source<TAB>Target");
    expect_error(base, "token", "Source\tTarget\n1\t1\n[AVG 1 2 ]\t1\n", "basic_train.tsv:3: unknown token \"[AVG\"");
    expect_error(base, "label", "Source\tTarget\n[MAX 1 2 ]\t12\n", "basic_train.tsv:2: target must be a digit");
    void *state = NULL;
    task_info info;
    error_info err = {0};
    char missing[600];
    snprintf(missing, sizeof missing, "%s/nothing-here", base);
    test_check(open_task(missing, "2000", &state, &info, &err) != 0 && strstr(err.message, "basic_train.tsv: cannot open"),
               "a missing file is an error naming it", "%s", err.message);
    return test_finish("test_listops_data");
}
