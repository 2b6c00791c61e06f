/* test_text_data.c — lra/text reading released reviews: fixtures in the IMDb layout
 * (train/{pos,neg}, test/{pos,neg} of <id>_<rating>.txt files) and the TSV layout
 * (label<TAB>text lines), written here, are read back byte for byte, in numeric file
 * order with the classes interleaved, cut at max_length, with eval = test unless
 * eval.tsv exists; malformed files give one error naming the file (and line), and an
 * index past a split names the split's size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tasks/lra/text.h"
#include "tasks/task.h"
#include "testing.h"

/* init with data_dir and max_length; returns the init status, err filled. */
static int open_task(const char *dir, int max_length, void **state, task_info *info, error_info *err) {
    const task_ops *ops = task_find("lra/text");
    opt_set set;
    opt_set_defaults(&set, ops->options, ops->n_options);
    for (int i = 0; i < set.n; i++) {
        if (strcmp(set.values[i].spec->name, "data_dir") == 0)
            snprintf(set.values[i].s, sizeof set.values[i].s, "%s", dir);
        if (strcmp(set.values[i].spec->name, "max_length") == 0) set.values[i].i = max_length;
    }
    return ops->init(state, &set, info, err);
}

static void make_dirs(const char *base, const char *const *names, int n) {
    char path[700];
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", base, names[i]);
        mkdir(path, 0700);
    }
}

static void write_imdb(const char *dir) {
    static const char *const dirs[] = {"", "train", "train/pos", "train/neg", "test", "test/pos", "test/neg"};
    make_dirs(dir, dirs, 7);
    char sub[700];
    snprintf(sub, sizeof sub, "%s/train/pos", dir);
    test_write_file(sub, "10_8.txt", "Pos ten.");
    test_write_file(sub, "2_7.txt", "Pos two.");
    test_write_file(sub, "0_9.txt", "A superb film.<br /><br />Tab\there,\nnew line, caf\xc3\xa9.");
    test_write_file(sub, "notes.md", "not a review");
    snprintf(sub, sizeof sub, "%s/train/neg", dir);
    test_write_file(sub, "3_1.txt", "Neg three.");
    test_write_file(sub, "21_2.txt", "Neg twenty-one.");
    test_write_file(sub, "100_4.txt", "Neg one hundred.");
    test_write_file(sub, "4_3.txt", "Neg four.");
    snprintf(sub, sizeof sub, "%s/test/pos", dir);
    test_write_file(sub, "0_10.txt", "Test pos.");
    snprintf(sub, sizeof sub, "%s/test/neg", dir);
    test_write_file(sub, "0_1.txt", "Test neg.");
}

/* Example `index` of split as text; label into *label; false when it is an error. */
static bool read_example(void *state, const task_info *info, enum task_split split, int index, char *text,
                         int *label, error_info *err) {
    example ex;
    example_alloc(&ex, info);
    example_request request = {0, split, index, 0};
    bool ok = task_find("lra/text")->example(state, &request, &ex, err) == 0;
    if (ok) {
        for (int t = 0; t < ex.length; t++) text[t] = (char)(ex.tokens[t] - TEXT_BYTE0);
        text[ex.length] = '\0';
        *label = ex.targets[0];
        for (int t = ex.length; t < info->max_length; t++) ok = ok && ex.tokens[t] == TEXT_PAD;
        ok = ok && ex.n_outputs == 1 && ex.target_mask[0] == 1;
    }
    example_free(&ex);
    return ok;
}

static void check_split(void *state, const task_info *info, enum task_split split, const char *const *texts,
                        const int *labels, int n, const char *what) {
    char text[5000];
    int label = -1, wrong = 0;
    error_info err = {0};
    for (int i = 0; i < n; i++) {
        const bool ok = read_example(state, info, split, i, text, &label, &err);
        if (!ok || strcmp(text, texts[i]) != 0 || label != labels[i]) {
            printf("  %s example %d: got \"%s\" label %d, expected \"%s\" label %d %s\n", task_split_name(split), i,
                   ok ? text : "(error)", label, texts[i], labels[i], ok ? "" : err.message);
            wrong++;
        }
    }
    test_check(wrong == 0, what, "%d examples differ", wrong);
}

static void check_imdb(const char *base) {
    char dir[600];
    snprintf(dir, sizeof dir, "%s/imdb", base);
    write_imdb(dir);
    void *state = NULL;
    task_info info;
    error_info err = {0};
    if (!test_check(open_task(dir, 1000, &state, &info, &err) == 0, "the IMDb layout loads", "%s", err.message))
        return;
    test_check(strcmp(info.version, "released-imdb") == 0 && info.max_length == 1000 && info.vocab_size == 258,
               "version released-imdb, max_length 1000, vocab 258", "version %s", info.version);
    /* neg in numeric order 3, 4, 21, 100; pos in numeric order 0, 2, 10; neg first */
    const char *const expected[] = {"Neg three.",
                                    "A superb film.<br /><br />Tab\there,\nnew line, caf\xc3\xa9.",
                                    "Neg four.",
                                    "Pos two.",
                                    "Neg twenty-one.",
                                    "Pos ten.",
                                    "Neg one hundred."};
    const int labels[] = {0, 1, 0, 1, 0, 1, 0};
    check_split(state, &info, SPLIT_TRAIN, expected, labels, 7,
                "train: files in numeric order, neg and pos alternating, bytes exact (tab, newline, UTF-8 kept), "
                "non-.txt ignored");
    const char *const test[] = {"Test neg.", "Test pos."};
    const int test_labels[] = {0, 1};
    check_split(state, &info, SPLIT_TEST, test, test_labels, 2, "test: from test/neg and test/pos");
    check_split(state, &info, SPLIT_EVAL, test, test_labels, 2, "eval is the test set");
    char text[100];
    int label;
    test_check(!read_example(state, &info, SPLIT_TRAIN, 7, text, &label, &err) && err.status == EXIT_USAGE &&
                   strstr(err.message, "imdb/train has 7 examples; example 7 was asked for") &&
                   strstr(err.message, "task.train_examples"),
               "an index past train is a usage error naming its size", "%s", err.message);
    test_check(!read_example(state, &info, SPLIT_EVAL, 2, text, &label, &err) &&
                   strstr(err.message, "imdb/test has 2 examples") && strstr(err.message, "task.eval_examples"),
               "an index past eval names the test set and task.eval_examples", "%s", err.message);
    task_find("lra/text")->free(state);

    state = NULL;
    if (!test_check(open_task(dir, 16, &state, &info, &err) == 0, "loads at max_length 16", "%s", err.message))
        return;
    const char *const cut[] = {"Neg three.", "A superb film.<b"};
    check_split(state, &info, SPLIT_TRAIN, cut, labels, 2, "reviews are cut at max_length bytes");
    task_find("lra/text")->free(state);
}

static void write_tsv_release(const char *dir, const char *train, bool with_eval) {
    mkdir(dir, 0700);
    test_write_file(dir, "train.tsv", train);
    test_write_file(dir, "test.tsv", "1\tTest one.\n0\tTest zero.\n");
    if (with_eval) test_write_file(dir, "eval.tsv", "0\tEval zero.\n1\tEval one.\n");
}

static void check_tsv(const char *base) {
    char dir[600];
    snprintf(dir, sizeof dir, "%s/tsv", base);
    write_tsv_release(dir,
                      "1\tFirst good.\n"
                      "1\tSecond\tgood, with a tab.\r\n"
                      "\n"
                      "0\tFirst bad.\n"
                      "1\tThird good.\n",
                      false);
    void *state = NULL;
    task_info info;
    error_info err = {0};
    if (!test_check(open_task(dir, 1000, &state, &info, &err) == 0, "the TSV layout loads", "%s", err.message))
        return;
    test_check(strcmp(info.version, "released-tsv") == 0, "version released-tsv", "version %s", info.version);
    const char *const train[] = {"First bad.", "First good.", "Second\tgood, with a tab.", "Third good."};
    const int labels[] = {0, 1, 1, 1};
    check_split(state, &info, SPLIT_TRAIN, train, labels, 4,
                "train.tsv: classes alternate, surplus last, text is the rest of the line, CRLF and blank lines "
                "handled");
    const char *const test[] = {"Test zero.", "Test one."};
    const int test_labels[] = {0, 1};
    check_split(state, &info, SPLIT_EVAL, test, test_labels, 2, "without eval.tsv, eval is test.tsv");
    char text[100];
    int label;
    test_check(!read_example(state, &info, SPLIT_TRAIN, 4, text, &label, &err) &&
                   strstr(err.message, "train.tsv has 4 examples"),
               "an index past train.tsv names it and its size", "%s", err.message);
    task_find("lra/text")->free(state);

    snprintf(dir, sizeof dir, "%s/tsv-eval", base);
    write_tsv_release(dir, "0\tBad.\n1\tGood.\n", true);
    state = NULL;
    if (!test_check(open_task(dir, 1000, &state, &info, &err) == 0, "the TSV layout with eval.tsv loads", "%s",
                    err.message))
        return;
    const char *const eval[] = {"Eval zero.", "Eval one."};
    check_split(state, &info, SPLIT_EVAL, eval, test_labels, 2, "eval.tsv is the eval split when present");
    check_split(state, &info, SPLIT_TEST, test, test_labels, 2, "test.tsv is still the test split");
    task_find("lra/text")->free(state);

    snprintf(dir, sizeof dir, "%s/tsv-long", base);
    write_tsv_release(dir, "1\tA line much longer than sixteen bytes.\n0\tShort.\n", false);
    state = NULL;
    if (!test_check(open_task(dir, 16, &state, &info, &err) == 0, "a long TSV line loads", "%s", err.message)) return;
    const char *const cut[] = {"Short.", "A line much long"};
    const int cut_labels[] = {0, 1};
    check_split(state, &info, SPLIT_TRAIN, cut, cut_labels, 2, "TSV texts are cut at max_length bytes");
    task_find("lra/text")->free(state);
}

/* init on dir fails with one line containing needle. */
static void expect_error(const char *dir, const char *needle, const char *what) {
    void *state = NULL;
    task_info info;
    error_info err = {0};
    const int status = open_task(dir, 1000, &state, &info, &err);
    test_check(status != 0 && err.status == EXIT_RUNTIME && strstr(err.message, needle) && !strchr(err.message, '\n'),
               what, "got \"%s\", expected it to contain \"%s\"", status ? err.message : "(no error)", needle);
    if (status == 0) task_find("lra/text")->free(state);
}

static void expect_tsv_error(const char *base, const char *name, const char *train, const char *needle,
                             const char *what) {
    char dir[600];
    snprintf(dir, sizeof dir, "%s/%s", base, name);
    write_tsv_release(dir, train, false);
    expect_error(dir, needle, what);
}

static void check_errors(const char *base) {
    char dir[600], path[700];
    snprintf(dir, sizeof dir, "%s/nothing-here", base);
    expect_error(dir, "nothing-here: cannot open", "a missing directory is an error naming it");
    snprintf(dir, sizeof dir, "%s/empty", base);
    mkdir(dir, 0700);
    expect_error(dir, "empty: holds neither train.tsv (TSV layout) nor train/ (IMDb layout)",
                 "a directory of neither layout is an error naming both");

    expect_tsv_error(base, "label", "0\tFine.\n2\tWhat?\n", "label/train.tsv:2: label must be 0 or 1, got \"2\"",
                     "a bad label names file and line");
    expect_tsv_error(base, "label-word", "pos\tGreat.\n", "label-word/train.tsv:1: label must be 0 or 1, got \"pos\"",
                     "a word label names file and line");
    expect_tsv_error(base, "tab", "0\tFine.\n\n1 no tab here\n", "tab/train.tsv:3: expected label<TAB>text",
                     "a missing tab names file and line");
    expect_tsv_error(base, "empty-text", "0\tFine.\n1\t\n", "empty-text/train.tsv:2: empty text",
                     "an empty text names file and line");
    expect_tsv_error(base, "no-rows", "\n\n", "no-rows/train.tsv: no reviews", "an empty split names its file");
    snprintf(dir, sizeof dir, "%s/no-test", base);
    mkdir(dir, 0700);
    test_write_file(dir, "train.tsv", "0\tFine.\n");
    expect_error(dir, "no-test/test.tsv: cannot open", "a missing test.tsv is an error naming it");

    snprintf(dir, sizeof dir, "%s/imdb-no-neg", base);
    static const char *const dirs[] = {"", "train", "train/pos", "test", "test/pos", "test/neg"};
    make_dirs(dir, dirs, 6);
    snprintf(path, sizeof path, "%s/train/pos", dir);
    test_write_file(path, "0_9.txt", "Good.");
    expect_error(dir, "imdb-no-neg/train/neg: cannot open", "a missing class directory is an error naming it");
    snprintf(path, sizeof path, "%s/train/neg", dir);
    mkdir(path, 0700);
    expect_error(dir, "imdb-no-neg/train/neg: no .txt reviews", "a class directory without reviews is an error");
    test_write_file(path, "0_1.txt", "");
    expect_error(dir, "imdb-no-neg/train/neg/0_1.txt: empty review", "an empty review names its file");
    test_write_file(path, "0_1.txt", "Bad.");
    expect_error(dir, "imdb-no-neg/test/neg: no .txt reviews", "an empty test split names its directory");
}

int main(void) {
    const char *base = test_temp_dir();
    check_imdb(base);
    check_tsv(base);
    check_errors(base);
    return test_finish("test_text_data");
}
