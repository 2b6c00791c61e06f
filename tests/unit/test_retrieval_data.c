/* test_retrieval_data.c — lra/retrieval reading the released TSV layout: fixture files in
 * the released format, written here, are read back exactly (bytes as ids byte + 2,
 * float labels, texts cut at 10,000 bytes and then at max_length, file order, splits
 * from the right files), and malformed files give one error naming the file and line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tasks/lra/retrieval.h"
#include "tasks/task.h"
#include "testing.h"

static const char *const default_eval = "0.0\te1\te2\tshort one\tshort two\n1\te3\te4\tx\ty\n";

static void write_release(const char *dir, const char *train, const char *eval) {
    mkdir(dir, 0700);
    test_write_file(dir, "new_aan_pairs.train.tsv", train);
    test_write_file(dir, "new_aan_pairs.eval.tsv", eval);
    test_write_file(dir, "new_aan_pairs.test.tsv", "1.0\tp\tq\tAB\tCD\n");
}

/* init with data_dir and max_length; returns the init status, err filled. */
static int open_task(const char *dir, int max_length, void **state, task_info *info, error_info *err) {
    const task_ops *ops = task_find("lra/retrieval");
    opt_set set;
    opt_set_defaults(&set, ops->options, ops->n_options);
    for (int i = 0; i < set.n; i++) {
        if (strcmp(set.values[i].spec->name, "data_dir") == 0) snprintf(set.values[i].s, sizeof set.values[i].s, "%s", dir);
        if (strcmp(set.values[i].spec->name, "max_length") == 0) set.values[i].i = max_length;
    }
    return ops->init(state, &set, info, err);
}

/* tokens[0, length) spell text and pad follows up to max_length. */
static bool spells(const int32_t *tokens, int length, const char *text, int max_length) {
    if (length != (int)strlen(text)) return false;
    for (int t = 0; t < max_length; t++) {
        const int32_t expected = t < length ? RETRIEVAL_BYTE0 + (unsigned char)text[t] : RETRIEVAL_PAD;
        if (tokens[t] != expected) return false;
    }
    return true;
}

static int fetch(void *state, enum task_split split, int64_t index, example *ex, error_info *err) {
    const example_request request = {0, split, index, 0};
    return task_find("lra/retrieval")->example(state, &request, ex, err);
}

static void check_read_back(const char *base) {
    enum { LONG_TEXT = 12000 };
    char dir[600];
    snprintf(dir, sizeof dir, "%s/good", base);
    char *train = malloc(LONG_TEXT + 1000);
    char *long_text = malloc(LONG_TEXT + 1);
    for (int i = 0; i < LONG_TEXT; i++) long_text[i] = (char)('a' + i % 26);
    long_text[LONG_TEXT] = '\0';
    snprintf(train, LONG_TEXT + 1000,
             "1.0\tW01-0101\tP02-0202\tHello world.\tSecond doc, caf\xc3\xa9\r\n"
             "\n"
             "0\tid3\tid4\t%s\tshort\n"
             "0.0\tid5\tid6\t\tempty first\n",
             long_text);
    write_release(dir, train, default_eval);
    void *state = NULL;
    task_info info;
    error_info err = {0};
    if (!test_check(open_task(dir, LONG_TEXT, &state, &info, &err) == 0, "the released layout loads", "%s",
                    err.message))
        goto out;
    test_check(info.output == TASK_OUTPUT_PAIR && info.vocab_size == 258 && info.n_classes == 2 &&
                   info.max_length == LONG_TEXT && strcmp(info.version, "released-tsv") == 0,
               "info: pair output, 258 ids, 2 classes, max_length as asked, version released-tsv", "version %s",
               info.version);
    example ex;
    example_alloc(&ex, &info);
    bool ok = fetch(state, SPLIT_TRAIN, 0, &ex, &err) == 0 && ex.targets[0] == 1 && ex.target_mask[0] == 1 &&
              spells(ex.tokens, ex.length, "Hello world.", LONG_TEXT) &&
              spells(ex.tokens2, ex.length2, "Second doc, caf\xc3\xa9", LONG_TEXT);
    test_check(ok, "row 1: label 1.0, both texts byte for byte (UTF-8 kept as bytes), CRLF stripped, pad after",
               "lengths %d %d label %d", ex.length, ex.length2, ex.targets[0]);
    long_text[10000] = '\0';
    ok = fetch(state, SPLIT_TRAIN, 1, &ex, &err) == 0 && ex.targets[0] == 0 &&
         spells(ex.tokens, ex.length, long_text, LONG_TEXT) && spells(ex.tokens2, ex.length2, "short", LONG_TEXT);
    test_check(ok, "row 2 (after a blank line): label 0, a 12,000-byte text cut to its first 10,000 bytes",
               "length %d", ex.length);
    ok = fetch(state, SPLIT_TRAIN, 2, &ex, &err) == 0 && ex.targets[0] == 0 && ex.length == 0 &&
         spells(ex.tokens2, ex.length2, "empty first", LONG_TEXT);
    test_check(ok, "row 3: label 0.0, an empty first text has length 0", "length %d", ex.length);
    const int rc = fetch(state, SPLIT_TRAIN, 3, &ex, &err);
    test_check(rc != 0 && err.status == EXIT_USAGE && strstr(err.message, "new_aan_pairs.train.tsv has 3 examples") &&
                   strstr(err.message, "task.train_examples"),
               "an index past the file is a usage error naming it and its size", "%s", err.message);
    ok = fetch(state, SPLIT_EVAL, 0, &ex, &err) == 0 && ex.targets[0] == 0 &&
         spells(ex.tokens, ex.length, "short one", LONG_TEXT) && fetch(state, SPLIT_EVAL, 1, &ex, &err) == 0 &&
         ex.targets[0] == 1 && spells(ex.tokens2, ex.length2, "y", LONG_TEXT);
    test_check(ok, "the eval split comes from new_aan_pairs.eval.tsv, in file order", NULL);
    ok = fetch(state, SPLIT_TEST, 0, &ex, &err) == 0 && ex.targets[0] == 1 && spells(ex.tokens, ex.length, "AB", LONG_TEXT) &&
         spells(ex.tokens2, ex.length2, "CD", LONG_TEXT);
    test_check(ok, "the test split comes from new_aan_pairs.test.tsv", NULL);
    example_free(&ex);
    task_find("lra/retrieval")->free(state);

    state = NULL;
    if (!test_check(open_task(dir, 16, &state, &info, &err) == 0, "loads with max_length 16", "%s", err.message))
        goto out;
    example_alloc(&ex, &info);
    ok = fetch(state, SPLIT_TRAIN, 1, &ex, &err) == 0 && spells(ex.tokens, ex.length, "abcdefghijklmnop", 16) &&
         fetch(state, SPLIT_TRAIN, 0, &ex, &err) == 0 && spells(ex.tokens2, ex.length2, "Second doc, caf\xc3", 16);
    test_check(ok, "texts are cut at max_length bytes (inside a UTF-8 character too)", "lengths %d %d", ex.length,
               ex.length2);
    example_free(&ex);
    task_find("lra/retrieval")->free(state);
out:
    free(train);
    free(long_text);
}

static void expect_error(const char *base, const char *name, const char *train, const char *eval, const char *needle) {
    char dir[600];
    snprintf(dir, sizeof dir, "%s/%s", base, name);
    write_release(dir, train, eval);
    void *state = NULL;
    task_info info;
    error_info err = {0};
    const int status = open_task(dir, 4000, &state, &info, &err);
    char what[1200];
    snprintf(what, sizeof what, "%s: one error naming file and line: \"%s\"", name, status ? err.message : "(none)");
    test_check(status != 0 && err.status == EXIT_RUNTIME && strstr(err.message, needle) && !strchr(err.message, '\n'),
               what, "expected \"%s\"", needle);
    if (status == 0) task_find("lra/retrieval")->free(state);
}

int main(void) {
    const char *base = test_temp_dir();
    check_read_back(base);
    const char *good = "1\ta\tb\tone\ttwo\n";
    expect_error(base, "four-columns", "1\ta\tb\tone\ttwo\n0\ta\tb\tonly one text\n", default_eval,
                 "new_aan_pairs.train.tsv:2: expected 5 tab-separated columns (label, id1, id2, text1, text2), got 4");
    expect_error(base, "six-columns", "1\ta\tb\tone\ttwo\tthree\n", default_eval,
                 "new_aan_pairs.train.tsv:1: expected 5 tab-separated columns (label, id1, id2, text1, text2), got 6");
    expect_error(base, "label-2", "2.0\ta\tb\tone\ttwo\n", default_eval,
                 "new_aan_pairs.train.tsv:1: label must be 0 or 1, got \"2.0\"");
    expect_error(base, "label-half", "\n1\ta\tb\tone\ttwo\n0.5\ta\tb\tone\ttwo\n", default_eval,
                 "new_aan_pairs.train.tsv:3: label must be 0 or 1, got \"0.5\"");
    expect_error(base, "label-word", "yes\ta\tb\tone\ttwo\n", default_eval,
                 "new_aan_pairs.train.tsv:1: label must be 0 or 1, got \"yes\"");
    expect_error(base, "bad-eval", good, "0\ta\tb\tone\ttwo\n1 \ta\tb\tone\ttwo\n",
                 "new_aan_pairs.eval.tsv:2: label must be 0 or 1, got \"1 \"");
    expect_error(base, "empty-eval", good, "", "new_aan_pairs.eval.tsv: no rows");
    expect_error(base, "blank-eval", good, "\n\r\n", "new_aan_pairs.eval.tsv: no rows");
    void *state = NULL;
    task_info info;
    error_info err = {0};
    char missing[600];
    snprintf(missing, sizeof missing, "%s/nothing-here", base);
    const int status = open_task(missing, 4000, &state, &info, &err);
    test_check(status != 0 && err.status == EXIT_RUNTIME && strstr(err.message, "new_aan_pairs.train.tsv: cannot open"),
               "a missing file is an error naming it", "%s", err.message);
    return test_finish("test_retrieval_data");
}
