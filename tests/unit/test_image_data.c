/* test_image_data.c — lra/image reading CIFAR-10's binary release: fixture files in the
 * released format, written here with two records per training batch, are read back
 * exactly (grey levels computed by hand, row-major order, LRA's 90 % / 10 % split of
 * the training batches, classes served round-robin), and missing files, truncated
 * records, bad labels and a side other than 32 give one error naming the file and
 * record or the option. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tasks/lra/image.h"
#include "tasks/task.h"
#include "testing.h"

enum { PIXELS = 1024, RECORD = 3073 };

/* One record: the label, every pixel grey `fill` (R = G = B), and pixel 1023 grey
 * `marker` so that tests can tell records apart. */
static void make_record(uint8_t *record, int label, int fill, int marker) {
    record[0] = (uint8_t)label;
    memset(record + 1, fill, 3 * PIXELS);
    for (int plane = 0; plane < 3; plane++) record[1 + plane * PIXELS + 1023] = (uint8_t)marker;
}

static void set_rgb(uint8_t *record, int pixel, int red, int green, int blue) {
    record[1 + pixel] = (uint8_t)red;
    record[1 + PIXELS + pixel] = (uint8_t)green;
    record[1 + 2 * PIXELS + pixel] = (uint8_t)blue;
}

static void write_bytes(const char *dir, const char *name, const uint8_t *bytes, size_t size) {
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(bytes, 1, size, f) != size) {
        fprintf(stderr, "cannot write %s\n", path);
        abort();
    }
    fclose(f);
}

/* Training labels by file: record 2k and 2k + 1 go to data_batch_{k+1}.bin. Record j
 * carries marker 20 j; the test batch has three records with markers 200, 210, 220. */
static const int train_labels[10] = {3, 3, 5, 1, 3, 7, 1, 9, 0, 2};

static void write_release(const char *dir) {
    mkdir(dir, 0700);
    static uint8_t records[3][RECORD];
    for (int file = 0; file < 5; file++) {
        for (int k = 0; k < 2; k++) {
            const int j = 2 * file + k;
            make_record(records[k], train_labels[j], 100, 20 * j);
        }
        if (file == 0) {
            /* hand-computed grey levels, (299 R + 587 G + 114 B) / 1000 rounded to nearest */
            set_rgb(records[0], 0, 255, 0, 0);   /* 76.245 -> 76 */
            set_rgb(records[0], 1, 0, 255, 0);   /* 149.685 -> 150 */
            set_rgb(records[0], 2, 0, 0, 250);   /* 28.5 -> 29, halves up */
            set_rgb(records[0], 3, 10, 20, 30);  /* 18.15 -> 18 */
            set_rgb(records[0], 33, 255, 255, 255); /* row 1, column 1: 255 */
        }
        char name[32];
        snprintf(name, sizeof name, "data_batch_%d.bin", file + 1);
        write_bytes(dir, name, &records[0][0], 2 * RECORD);
    }
    for (int k = 0; k < 3; k++) make_record(records[k], 4 + k, 0, 200 + 10 * k);
    write_bytes(dir, "test_batch.bin", &records[0][0], 3 * RECORD);
}

/* init with data_dir and side; returns the init status, err filled. */
static int open_task(const char *dir, int side, void **state, task_info *info, error_info *err) {
    const task_ops *ops = task_find("lra/image");
    opt_set set;
    opt_set_defaults(&set, ops->options, ops->n_options);
    for (int i = 0; i < set.n; i++) {
        if (strcmp(set.values[i].spec->name, "data_dir") == 0) snprintf(set.values[i].s, sizeof set.values[i].s, "%s", dir);
        if (strcmp(set.values[i].spec->name, "side") == 0) set.values[i].i = side;
    }
    return ops->init(state, &set, info, err);
}

static int grey(const example *ex, int pixel) { return ex->tokens[pixel] - IMAGE_GREY0; }

static void check_read_back(const char *base) {
    char dir[600];
    snprintf(dir, sizeof dir, "%s/good", base);
    write_release(dir);
    void *state = NULL;
    task_info info;
    error_info err = {0};
    test_check(open_task(dir, 32, &state, &info, &err) == 0, "the released layout loads", "%s", err.message);
    if (!state) return;
    test_check(info.max_length == 1024 && info.image_side == 32 && info.vocab_size == 258 && info.n_classes == 10 &&
                   strcmp(info.version, "released-cifar10") == 0,
               "info: 1024 tokens, side 32, vocab 258, 10 classes, version released-cifar10", "version %s",
               info.version);
    const task_ops *ops = task_find("lra/image");
    example ex;
    example_alloc(&ex, &info);

    /* train is records 0..8 (90 % of 10), served round-robin by class: the first record
     * of classes 0, 1, 3, 5, 7, 9, then the second of 1 and 3, then the third of 3 */
    static const int expected_records[9] = {8, 3, 0, 2, 5, 7, 6, 1, 4};
    int wrong = 0;
    example_request request = {0, SPLIT_TRAIN, 0, 0};
    for (int i = 0; i < 9; i++) {
        request.index = i;
        const int j = expected_records[i];
        if (ops->example(state, &request, &ex, &err) != 0 || ex.length != 1024 || ex.targets[0] != train_labels[j] ||
            grey(&ex, 1023) != 20 * j || ex.n_outputs != 1 || ex.target_mask[0] != 1)
            wrong++;
    }
    char what[200];
    snprintf(what, sizeof what, "train: records 8 3 0 2 5 7 6 1 4 (labels 0 1 3 5 7 9 1 3 3) in that order (%d wrong)",
             wrong);
    test_check(wrong == 0, what, "%d wrong", wrong);

    request.index = 2; /* record 0, the one with the coloured pixels */
    ops->example(state, &request, &ex, &err);
    printf("record 0, pixels 0-3 and 33: grey %d %d %d %d %d; pixel 4: %d\n", grey(&ex, 0), grey(&ex, 1), grey(&ex, 2),
           grey(&ex, 3), grey(&ex, 33), grey(&ex, 4));
    test_check(grey(&ex, 0) == 76 && grey(&ex, 1) == 150 && grey(&ex, 2) == 29 && grey(&ex, 3) == 18,
               "grey of (255,0,0) 76, (0,255,0) 150, (0,0,250) 29 (half up), (10,20,30) 18", NULL);
    test_check(grey(&ex, 33) == 255 && grey(&ex, 32) == 100 && grey(&ex, 34) == 100 && grey(&ex, 1) == 150 &&
                   grey(&ex, 4) == 100,
               "row-major: row 1 column 1 is pixel 33; the other pixels keep the fill 100", NULL);

    request.index = 9;
    test_check(ops->example(state, &request, &ex, &err) != 0 && strstr(err.message, "train split has 9") &&
                   err.status == EXIT_USAGE,
               "an index past the train split is an error naming its size", "%s", err.message);

    request = (example_request){0, SPLIT_EVAL, 0, 0};
    test_check(ops->example(state, &request, &ex, &err) == 0 && ex.targets[0] == 2 && grey(&ex, 1023) == 180,
               "eval is the last 10 %: record 9 (label 2)", "label %d", ex.targets[0]);
    request.index = 1;
    test_check(ops->example(state, &request, &ex, &err) != 0 && strstr(err.message, "eval split has 1"),
               "eval has 1 example", "%s", err.message);

    wrong = 0;
    request.split = SPLIT_TEST;
    for (int i = 0; i < 3; i++) {
        request.index = i;
        if (ops->example(state, &request, &ex, &err) != 0 || ex.targets[0] != 4 + i || grey(&ex, 1023) != 200 + 10 * i ||
            grey(&ex, 0) != 0)
            wrong++;
    }
    snprintf(what, sizeof what, "test is test_batch.bin: labels 4 5 6, markers 200 210 220 (%d wrong)", wrong);
    test_check(wrong == 0, what, "%d wrong", wrong);
    example_free(&ex);
    ops->free(state);
}

/* A release whose file `name` is replaced by `size` bytes of records (label `label` in
 * its second record) or removed (size < 0); init must fail naming file and record. */
static void expect_error(const char *base, const char *what, const char *name, long size, int label,
                         const char *needle) {
    char dir[600];
    snprintf(dir, sizeof dir, "%s/%s", base, what);
    write_release(dir);
    char path[700];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (size < 0) {
        remove(path);
    } else {
        uint8_t *bytes = calloc(2 * RECORD + 1, 1);
        make_record(bytes, 1, 50, 0);
        make_record(bytes + RECORD, label, 50, 0);
        write_bytes(dir, name, bytes, (size_t)size);
        free(bytes);
    }
    void *state = NULL;
    task_info info;
    error_info err = {0};
    const int status = open_task(dir, 32, &state, &info, &err);
    char line[1300];
    snprintf(line, sizeof line, "%s: one error naming file and record: \"%s\"", what, status ? err.message : "(none)");
    test_check(status != 0 && err.status == EXIT_RUNTIME && strstr(err.message, needle) && !strchr(err.message, '\n'),
               line, "expected \"%s\"", needle);
    if (status == 0) task_find("lra/image")->free(state);
}

int main(void) {
    const char *base = test_temp_dir();
    check_read_back(base);
    expect_error(base, "missing", "test_batch.bin", -1, 0, "test_batch.bin: cannot open");
    expect_error(base, "truncated", "data_batch_3.bin", RECORD + 100, 0,
                 "data_batch_3.bin: record 2 (counting from 1) is truncated: 100 of 3073 bytes");
    expect_error(base, "label", "data_batch_2.bin", 2 * RECORD, 10,
                 "data_batch_2.bin: record 2 (counting from 1): label 10 is not 0-9");
    expect_error(base, "empty", "data_batch_5.bin", 0, 0, "data_batch_5.bin: empty file");

    char dir[600];
    snprintf(dir, sizeof dir, "%s/good", base);
    void *state = NULL;
    task_info info;
    error_info err = {0};
    const int status = open_task(dir, 16, &state, &info, &err);
    char line[1300];
    snprintf(line, sizeof line, "side 16 with data_dir: a usage error naming task.side: \"%s\"",
             status ? err.message : "(none)");
    test_check(status != 0 && err.status == EXIT_USAGE && strstr(err.message, "task.side"), line, "wrong error");
    if (status == 0) task_find("lra/image")->free(state);
    return test_finish("test_image_data");
}
