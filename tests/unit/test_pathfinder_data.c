/* test_pathfinder_data.c — lra/pathfinder reading the released image layout: a fixture
 * written here in that layout (metadata/<k>.npy text files, imgs/<k>/sample_<j>.png
 * written with png_write_grey) is read back exactly — metadata files in numeric order,
 * lines in order, empty images left out and counted, 80/10/10 splits, labels alternating
 * within each split — and malformed layouts give one error naming the file and line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/png_io.h"
#include "tasks/lra/pathfinder_data.h"
#include "tasks/task.h"
#include "testing.h"

enum { SIDE = 32, PIXELS = SIDE * SIDE };

/* Image `id` of the fixture: a pattern no other image has; id < 0 is all black. */
static void pattern(int id, uint8_t *pixels) {
    for (int i = 0; i < PIXELS; i++) pixels[i] = id < 0 ? 0 : (uint8_t)((i * 7 + id * 13) % 256);
    if (id >= 0) pixels[0] = (uint8_t)(id + 1);
}

static void make_dir(const char *base, const char *name) {
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", base, name);
    mkdir(path, 0700);
}

static void write_image(const char *dir, const char *name, int id, int side) {
    uint8_t pixels[4 * PIXELS];
    pattern(id, pixels);
    char path[1400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    error_info err = {0};
    if (png_write_grey(path, pixels, side, side, &err) != 0) test_check(false, "fixture PNG written", "%s", err.message);
}

/* The fixture's lines in file order: (batch, sample, pattern id or -1 for empty, label). */
typedef struct line {
    int batch, sample, id, label;
} line;

static const line release[] = {
    {2, 0, 0, 0}, {2, 1, 1, 0}, {2, 2, -1, 1}, {2, 3, 2, 1}, {2, 4, 3, 0}, {2, 5, 4, 0}, {2, 6, 5, 1},
    {2, 7, 6, 0}, {2, 8, 7, 0}, {2, 9, 8, 1}, {10, 0, 9, 1}, {10, 1, 10, 1}, {10, 2, 11, 0}, {10, 3, -1, 0},
    {10, 4, 12, 1}, {10, 5, 13, 0}, {10, 6, 14, 1}, {10, 7, 15, 1}, {10, 8, 16, 0}, {10, 9, 17, 1},
    {10, 10, 18, 0}, {10, 11, 19, 1},
};
enum { LINES = sizeof release / sizeof release[0] };

static void write_release(const char *dir) {
    mkdir(dir, 0700);
    make_dir(dir, "metadata");
    make_dir(dir, "imgs");
    make_dir(dir, "imgs/2");
    make_dir(dir, "imgs/10");
    char text2[4096] = "", text10[4096] = "";
    for (int k = 0; k < LINES; k++) {
        const line *l = &release[k];
        char name[64], row[160];
        snprintf(name, sizeof name, "imgs/%d/sample_%d.png", l->batch, l->sample);
        write_image(dir, name, l->id, SIDE);
        snprintf(row, sizeof row, "imgs/%d sample_%d.png %d %d 1.0 14 4 2 0.5 1 1%s\n", l->batch, l->sample,
                 l->sample, l->label, k == 3 ? "\r" : "");
        strcat(l->batch == 2 ? text2 : text10, row);
    }
    strcat(text10, "\n"); /* a blank line at the end is skipped */
    char metadata[1200];
    snprintf(metadata, sizeof metadata, "%s/metadata", dir);
    test_write_file(metadata, "10.npy", text10);
    test_write_file(metadata, "2.npy", text2);
    test_write_file(metadata, "notes.txt", "not metadata\n");
}

static int open_task(const char *dir, void **state, task_info *info, error_info *err) {
    const task_ops *ops = task_find("lra/pathfinder");
    opt_set set;
    opt_set_defaults(&set, ops->options, ops->n_options);
    for (int i = 0; i < set.n; i++)
        if (strcmp(set.values[i].spec->name, "data_dir") == 0) snprintf(set.values[i].s, sizeof set.values[i].s, "%s", dir);
    return ops->init(state, &set, info, err);
}

/* What each split must serve, worked out by hand from `release`: the 20 kept images
 * (ids 0..19), train 0..15, eval 16..17, test 18..19, each alternating label 0, 1. */
static const int served[3][16] = {
    {0, 2, 1, 5, 3, 8, 4, 9, 6, 10, 7, 12, 11, 14, 13, 15},
    {16, 17},
    {18, 19},
};
static const int served_count[3] = {16, 2, 2};

static int label_of(int id) {
    for (int k = 0; k < LINES; k++)
        if (release[k].id == id) return release[k].label;
    return -1;
}

static void check_read_back(const char *base) {
    char dir[600];
    snprintf(dir, sizeof dir, "%s/good", base);
    write_release(dir);

    pathfinder_data *data = NULL;
    error_info err = {0};
    if (!test_check(pathfinder_data_load(&data, dir, SIDE, &err) == 0, "the released layout loads (loader)", "%s",
                    err.message))
        return;
    char what[400];
    snprintf(what, sizeof what, "2 empty images left out and counted (got %lld); splits 16 / 2 / 2 of 20 (got %lld / %lld / %lld)",
             (long long)pathfinder_data_empty(data), (long long)pathfinder_data_count(data, SPLIT_TRAIN),
             (long long)pathfinder_data_count(data, SPLIT_EVAL), (long long)pathfinder_data_count(data, SPLIT_TEST));
    test_check(pathfinder_data_empty(data) == 2 && pathfinder_data_count(data, SPLIT_TRAIN) == 16 &&
                   pathfinder_data_count(data, SPLIT_EVAL) == 2 && pathfinder_data_count(data, SPLIT_TEST) == 2,
               what, "counts differ");
    pathfinder_data_free(data);

    void *state = NULL;
    task_info info;
    if (!test_check(open_task(dir, &state, &info, &err) == 0, "the released layout loads (task)", "%s", err.message))
        return;
    test_check(info.max_length == PIXELS && info.image_side == SIDE && strcmp(info.version, "released-png") == 0,
               "info: 1024 tokens, side 32, version released-png", "max_length %d, version %s", info.max_length,
               info.version);
    const task_ops *ops = task_find("lra/pathfinder");
    example ex;
    example_alloc(&ex, &info);
    uint8_t pixels[PIXELS];
    for (int s = 0; s < 3; s++) {
        const int *ids = served[s], n = served_count[s];
        int wrong = 0;
        char order[200] = "";
        for (int i = 0; i < n; i++) {
            example_request request = {0, (enum task_split)s, i, 0};
            if (ops->example(state, &request, &ex, &err) != 0) {
                wrong++;
                continue;
            }
            pattern(ids[i], pixels);
            for (int t = 0; t < PIXELS; t++) wrong += ex.tokens[t] != TASK_GREY_TOKEN0 + pixels[t];
            wrong += ex.length != PIXELS || ex.targets[0] != label_of(ids[i]) || ex.target_mask[0] != 1;
            char item[16];
            snprintf(item, sizeof item, " %d:%d", ids[i], label_of(ids[i]));
            strcat(order, item);
        }
        snprintf(what, sizeof what, "%s split serves image:label%s exactly, pixels + 2 as tokens (%d differ)",
                 task_split_name((enum task_split)s), order, wrong);
        test_check(wrong == 0, what, "%d differ", wrong);
    }
    example_request request = {0, SPLIT_EVAL, 2, 0};
    test_check(ops->example(state, &request, &ex, &err) != 0 && strstr(err.message, "the eval split has 2 images"),
               "an index past the split is an error naming its size", "%s", err.message);
    example_free(&ex);
    ops->free(state);
}

/* A fixture dir with one metadata file 0.npy holding `text` and the images it names. */
static void expect_error(const char *base, const char *name, const char *text, int image_side, const char *where,
                         const char *needle) {
    char dir[600];
    snprintf(dir, sizeof dir, "%s/%s", base, name);
    mkdir(dir, 0700);
    make_dir(dir, "metadata");
    make_dir(dir, "imgs");
    make_dir(dir, "imgs/0");
    char imgs[700];
    snprintf(imgs, sizeof imgs, "%s/imgs/0", dir);
    write_image(imgs, "sample_0.png", 0, image_side);
    test_write_file(imgs, "sample_1.png", "this is not a PNG file\n");
    write_image(imgs, "sample_2.png", -1, image_side);
    char metadata[700];
    snprintf(metadata, sizeof metadata, "%s/metadata", dir);
    test_write_file(metadata, "0.npy", text);
    void *state = NULL;
    task_info info;
    error_info err = {0};
    const int status = open_task(dir, &state, &info, &err);
    char what[1400];
    snprintf(what, sizeof what, "%s: one error naming file and line: \"%s\"", name, status ? err.message : "(none)");
    test_check(status != 0 && strstr(err.message, where) && strstr(err.message, needle) && !strchr(err.message, '\n'),
               what, "expected \"%s\" and \"%s\"", where, needle);
    if (status == 0) task_find("lra/pathfinder")->free(state);
}

int main(void) {
    const char *base = test_temp_dir();
    check_read_back(base);
    const char *good = "imgs/0 sample_0.png 0 1 1.0 14 4 2 0.5 1 1\n";
    char text[400];
    snprintf(text, sizeof text, "%simgs/0 sample_0.png 1\n", good);
    expect_error(base, "fields", text, SIDE, "metadata/0.npy:2: ", "expected at least 4 space-separated fields");
    snprintf(text, sizeof text, "%s%simgs/0 sample_0.png 2 yes 1.0\n", good, good);
    expect_error(base, "label", text, SIDE, "metadata/0.npy:3: ", "label (field 4) must be 0 or 1, got \"yes\"");
    snprintf(text, sizeof text, "%simgs/0 sample_7.png 1 0 1.0\n", good);
    expect_error(base, "missing", text, SIDE, "metadata/0.npy:2: ", "imgs/0/sample_7.png: cannot read PNG");
    snprintf(text, sizeof text, "%simgs/0 sample_1.png 1 0 1.0\n", good);
    expect_error(base, "undecodable", text, SIDE, "metadata/0.npy:2: ", "imgs/0/sample_1.png: cannot read PNG");
    expect_error(base, "size", good, 16, "metadata/0.npy:1: ", "sample_0.png is 16x16, but task.resolution is 32");
    expect_error(base, "empty", "imgs/0 sample_2.png 0 1\n", SIDE, "/metadata: ", "lists no image that is not empty");
    char dir[600];
    snprintf(dir, sizeof dir, "%s/no-metadata", base);
    mkdir(dir, 0700);
    void *state = NULL;
    task_info info;
    error_info err = {0};
    test_check(open_task(dir, &state, &info, &err) != 0 && strstr(err.message, "no-metadata/metadata: cannot open"),
               "a missing metadata directory is an error naming it", "%s", err.message);
    snprintf(dir, sizeof dir, "%s/bad-name", base);
    mkdir(dir, 0700);
    make_dir(dir, "metadata");
    char metadata[700];
    snprintf(metadata, sizeof metadata, "%s/metadata", dir);
    test_write_file(metadata, "first.npy", "imgs/0 sample_0.png 0 1\n");
    test_check(open_task(dir, &state, &info, &err) != 0 && strstr(err.message, "metadata/first.npy: metadata files must be named <k>.npy"),
               "a metadata file not named <k>.npy is an error naming it", "%s", err.message);
    return test_finish("test_pathfinder_data");
}
