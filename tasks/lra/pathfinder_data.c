/* pathfinder_data.c — reader of the released Pathfinder images (see pathfinder_data.h).
 *
 * A difficulty level directory (e.g. lra_release/pathfinder32/curv_contour_length_14)
 * holds imgs/<k>/sample_<j>.png and metadata/<k>.npy. Despite the extension each
 * metadata file is plain text, one line per image, space-separated:
 * `imgs/<k> sample_<j>.png <idx> <label> <continuity> ...`; like LRA's builder, fields 0
 * and 1 give the path relative to the directory and field 3 the label (0 or 1).
 *
 * Order and splits: metadata files in numeric order of <k>, lines in file order (LRA's
 * Beam build fixes its own order; this one is reproducible). Every image is decoded
 * once here to check it; empty (all-black) images are left out, as LRA filters them,
 * and counted. The kept images are split 80/10/10 in that order (LRA's hard[:80%],
 * [80%:90%], [90%:], boundaries rounded to nearest). Within a split the images are
 * served alternating label 0, label 1 (each label in order, the leftovers of the
 * larger one at the end) so that every prefix, which is what the harness evaluates
 * on, is balanced.
 *
 * Memory: only the relative paths and labels are kept; an example decodes its PNG when
 * it is asked for (about 0.1 ms at 128×128), so 200,000 Path-X images need a few MB
 * rather than 3.3 GB. */
#define _POSIX_C_SOURCE 200809L
#include "tasks/lra/pathfinder_data.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/png_io.h"
#include "tasks/data_file.h"

typedef struct image_list {
    int64_t count, capacity;
    int64_t *path_offsets; /* (count) into the path pool */
    uint8_t *labels;       /* (count) */
} image_list;

struct pathfinder_data {
    char dir[1024];
    int side;
    char *paths; /* NUL-terminated relative paths, one after another */
    size_t paths_used, paths_capacity;
    image_list kept;
    int64_t empty;
    int64_t begin[3], count[3]; /* the splits, as ranges of `kept` */
    int64_t *order;             /* (kept.count) per split: the kept image served at each index */
};

typedef struct metadata_file {
    long long number;
    char name[256];
} metadata_file;

static int compare_files(const void *a, const void *b) {
    const long long x = ((const metadata_file *)a)->number, y = ((const metadata_file *)b)->number;
    return (x > y) - (x < y);
}

/* The metadata/<k>.npy files of dir in numeric order of k. */
static int list_metadata(const char *dir, metadata_file **out, int *n_out, error_info *err) {
    char path[1200];
    snprintf(path, sizeof path, "%s/metadata", dir);
    DIR *d = opendir(path);
    if (!d) return error_set(err, EXIT_RUNTIME, "%s: cannot open: %s", path, strerror(errno));
    metadata_file *files = NULL;
    int n = 0, capacity = 0, status = 0;
    for (struct dirent *entry; status == 0 && (entry = readdir(d));) {
        const char *name = entry->d_name;
        const size_t length = strlen(name);
        if (length < 4 || strcmp(name + length - 4, ".npy") != 0) continue;
        char *end;
        errno = 0;
        const long long number = strtoll(name, &end, 10);
        if (end == name || name[0] == '-' || name[0] == '+' || errno || end != name + length - 4 ||
            length >= sizeof files[0].name) {
            status = error_set(err, EXIT_RUNTIME, "%s/%s: metadata files must be named <k>.npy with k a number",
                               path, name);
            break;
        }
        if (n == capacity) {
            capacity = capacity ? 2 * capacity : 64;
            files = realloc(files, (size_t)capacity * sizeof *files);
            CHECK(files != NULL);
        }
        files[n].number = number;
        memcpy(files[n].name, name, length + 1);
        n++;
    }
    closedir(d);
    if (status == 0 && n == 0) status = error_set(err, EXIT_RUNTIME, "%s: no <k>.npy metadata files", path);
    if (status != 0) {
        free(files);
        return status;
    }
    qsort(files, (size_t)n, sizeof *files, compare_files);
    *out = files;
    *n_out = n;
    return 0;
}

/* Checks the image of one metadata line and keeps it unless it is empty. */
static int add_image(pathfinder_data *d, const char *relative, int label, const char *where, error_info *err) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", d->dir, relative);
    uint8_t *pixels = NULL;
    int width = 0, height = 0;
    if (png_read_grey(path, &pixels, &width, &height, err) != 0) return error_prefix(err, "%s", where);
    int status = 0;
    bool empty = true;
    for (int64_t i = 0; i < (int64_t)width * height && empty; i++) empty = pixels[i] == 0;
    free(pixels);
    if (width != d->side || height != d->side)
        status = error_set(err, EXIT_RUNTIME, "%s: %s is %dx%d, but task.resolution is %d", where, path, width,
                           height, d->side);
    if (status != 0) return status;
    if (empty) {
        d->empty++;
        return 0;
    }
    image_list *k = &d->kept;
    if (k->count == k->capacity) {
        k->capacity = k->capacity ? 2 * k->capacity : 1024;
        k->path_offsets = realloc(k->path_offsets, (size_t)k->capacity * sizeof *k->path_offsets);
        k->labels = realloc(k->labels, (size_t)k->capacity);
        CHECK(k->path_offsets != NULL && k->labels != NULL);
    }
    const size_t length = strlen(relative) + 1;
    while (d->paths_used + length > d->paths_capacity) {
        d->paths_capacity = d->paths_capacity ? 2 * d->paths_capacity : 65536;
        d->paths = realloc(d->paths, d->paths_capacity);
        CHECK(d->paths != NULL);
    }
    memcpy(d->paths + d->paths_used, relative, length);
    k->path_offsets[k->count] = (int64_t)d->paths_used;
    k->labels[k->count++] = (uint8_t)label;
    d->paths_used += length;
    return 0;
}

/* A metadata file being read. */
typedef struct metadata_reader {
    pathfinder_data *data;
    const char *path;
} metadata_reader;

/* One metadata line: `<dir> <file> <idx> <label> ...`. */
static int parse_line(void *context, char *line, size_t length, int64_t line_number, error_info *err) {
    const metadata_reader *m = context;
    char *fields[4];
    int n = 0;
    for (char *save = NULL, *word = strtok_r(line, " ", &save); word && n < 4; word = strtok_r(NULL, " ", &save))
        fields[n++] = word;
    char where[1500];
    snprintf(where, sizeof where, "%s:%lld", m->path, (long long)line_number);
    if (n < 4)
        return error_set(err, EXIT_RUNTIME, "%s: expected at least 4 space-separated fields (directory, file, "
                         "index, label), got %d", where, n);
    if (strcmp(fields[3], "0") != 0 && strcmp(fields[3], "1") != 0)
        return error_set(err, EXIT_RUNTIME, "%s: label (field 4) must be 0 or 1, got \"%.40s\"", where, fields[3]);
    char relative[2048];
    if (snprintf(relative, sizeof relative, "%s/%s", fields[0], fields[1]) >= (int)sizeof relative)
        return error_set(err, EXIT_RUNTIME, "%s: image path too long", where);
    return add_image(m->data, relative, fields[3][0] - '0', where, err);
}

static int read_metadata(pathfinder_data *d, const char *name, error_info *err) {
    char path[1400];
    snprintf(path, sizeof path, "%s/metadata/%s", d->dir, name);
    metadata_reader m = {.data = d, .path = path};
    return data_read_lines(path, parse_line, &m, err);
}

/* Split s serves its images alternating label 0 and label 1, each in order. */
static void interleave(pathfinder_data *d, int split) {
    const int64_t begin = d->begin[split], end = begin + d->count[split];
    int64_t next[2] = {begin, begin}, *order = d->order + begin;
    for (int64_t i = 0; i < end - begin; i++) {
        for (int c = 0; c < 2; c++)
            while (next[c] < end && d->kept.labels[next[c]] != c) next[c]++;
        int c = (int)(i % 2);
        if (next[c] == end) c = 1 - c;
        order[i] = next[c]++;
    }
}

void pathfinder_data_free(pathfinder_data *d) {
    if (!d) return;
    free(d->paths);
    free(d->kept.path_offsets);
    free(d->kept.labels);
    free(d->order);
    free(d);
}

int pathfinder_data_load(pathfinder_data **out, const char *dir, int side, error_info *err) {
    pathfinder_data *d = calloc(1, sizeof *d);
    CHECK(d != NULL);
    snprintf(d->dir, sizeof d->dir, "%s", dir);
    d->side = side;
    metadata_file *files = NULL;
    int n_files = 0;
    int status = list_metadata(dir, &files, &n_files, err);
    for (int i = 0; status == 0 && i < n_files; i++) status = read_metadata(d, files[i].name, err);
    free(files);
    const int64_t n = d->kept.count;
    if (status == 0 && n == 0)
        status = error_set(err, EXIT_RUNTIME, "%s/metadata: lists no image that is not empty", dir);
    if (status != 0) {
        pathfinder_data_free(d);
        return status;
    }
    const int64_t train_end = (8 * n + 5) / 10, eval_end = (9 * n + 5) / 10;
    d->begin[SPLIT_TRAIN] = 0, d->count[SPLIT_TRAIN] = train_end;
    d->begin[SPLIT_EVAL] = train_end, d->count[SPLIT_EVAL] = eval_end - train_end;
    d->begin[SPLIT_TEST] = eval_end, d->count[SPLIT_TEST] = n - eval_end;
    d->order = malloc((size_t)n * sizeof *d->order);
    CHECK(d->order != NULL);
    for (int s = 0; s < 3; s++) interleave(d, s);
    *out = d;
    return 0;
}

int64_t pathfinder_data_count(const pathfinder_data *d, enum task_split split) { return d->count[split]; }

int64_t pathfinder_data_empty(const pathfinder_data *d) { return d->empty; }

int pathfinder_data_example(const pathfinder_data *d, enum task_split split, int64_t index, example *out,
                            error_info *err) {
    if (index < 0 || index >= d->count[split])
        return error_set(err, EXIT_USAGE,
                         "%s: the %s split has %lld images; example %lld was asked for (lower task.%s_examples)",
                         d->dir, task_split_name(split), (long long)d->count[split], (long long)index,
                         task_split_name(split));
    const int64_t image = d->order[d->begin[split] + index];
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", d->dir, d->paths + d->kept.path_offsets[image]);
    uint8_t *pixels = NULL;
    int width = 0, height = 0;
    if (png_read_grey(path, &pixels, &width, &height, err) != 0) return -1;
    if (width != d->side || height != d->side) {
        free(pixels);
        return error_set(err, EXIT_RUNTIME, "%s is %dx%d, but task.resolution is %d", path, width, height, d->side);
    }
    for (int t = 0; t < d->side * d->side; t++) out->tokens[t] = TASK_GREY_TOKEN0 + pixels[t];
    free(pixels);
    out->length = d->side * d->side;
    out->length2 = 0;
    out->targets[0] = d->kept.labels[image];
    out->target_mask[0] = 1;
    out->n_outputs = 1;
    return 0;
}
