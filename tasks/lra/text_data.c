/* text_data.c — reader of released review files for lra/text (see text_data.h).
 *
 * Every review is read eagerly and cut at max_bytes, so the 25k + 25k IMDb reviews at
 * LRA's 1000 bytes take under 50 MB. Rows are kept in file order (IMDb: the neg files,
 * then the pos files, each sorted by name with digit runs compared as numbers, so
 * `2_7.txt` comes before `10_8.txt`); a per-split order interleaves the classes so
 * that the first N examples, which the harness evaluates on, are balanced. */
#define _POSIX_C_SOURCE 200809L
#include "tasks/lra/text_data.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/check.h"
#include "tasks/data_file.h"
#include "tasks/lra/text.h"

typedef struct review_set {
    char path[1024];  /* what errors about the split name: a TSV file or an IMDb split directory */
    int64_t count;
    uint8_t *bytes;   /* every review, cut at max_bytes, concatenated */
    int64_t *offsets; /* (count + 1) */
    uint8_t *labels;  /* (count) */
    int64_t *order;   /* (count) served index -> row, classes interleaved */
    size_t bytes_capacity, offsets_capacity, labels_capacity;
    int max_bytes;    /* reviews are cut to this many bytes */
} review_set;

struct text_data {
    int max_bytes;
    const char *version;
    review_set *splits[3]; /* eval may be the test set itself */
};

static review_set *review_set_new(const char *path, int max_bytes) {
    review_set *s = calloc(1, sizeof *s);
    CHECK(s != NULL);
    snprintf(s->path, sizeof s->path, "%s", path);
    s->max_bytes = max_bytes;
    return s;
}

static void review_set_free(review_set *s) {
    if (!s) return;
    free(s->bytes), free(s->offsets), free(s->labels), free(s->order);
    free(s);
}

/* Appends a review of n bytes (already cut at max_bytes). */
static void append_review(review_set *s, const uint8_t *text, size_t n, int label) {
    s->offsets = data_grow(s->offsets, &s->offsets_capacity, (size_t)s->count + 2, sizeof *s->offsets);
    s->labels = data_grow(s->labels, &s->labels_capacity, (size_t)s->count + 1, 1);
    if (s->count == 0) s->offsets[0] = 0;
    const int64_t used = s->offsets[s->count];
    s->bytes = data_grow(s->bytes, &s->bytes_capacity, (size_t)used + n + 1, 1);
    memcpy(s->bytes + used, text, n);
    s->labels[s->count] = (uint8_t)label;
    s->offsets[++s->count] = used + (int64_t)n;
}

/* Class 0 and class 1 rows alternate, each in row order; the surplus of the larger
 * class follows. */
static void interleave_classes(review_set *s) {
    s->order = malloc((size_t)(s->count ? s->count : 1) * sizeof *s->order);
    CHECK(s->order != NULL);
    int64_t next[2] = {0, 0}, served = 0;
    for (int label = 0; served < s->count; label ^= 1) {
        while (next[label] < s->count && s->labels[next[label]] != label) next[label]++;
        if (next[label] < s->count) s->order[served++] = next[label]++;
    }
}

static bool is_directory(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool is_file(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* ---- TSV layout ---- */

/* Appends the row `label<TAB>text` (newline already stripped); 0 or an error naming the line. */
static int parse_tsv_row(void *context, char *line, size_t n, int64_t line_number, error_info *err) {
    review_set *s = context;
    const size_t max_bytes = (size_t)s->max_bytes;
    const char *tab = memchr(line, '\t', n);
    if (!tab) return error_set(err, EXIT_RUNTIME, "%s:%lld: expected label<TAB>text", s->path, (long long)line_number);
    const size_t label_bytes = (size_t)(tab - line);
    if (label_bytes != 1 || (line[0] != '0' && line[0] != '1'))
        return error_set(err, EXIT_RUNTIME, "%s:%lld: label must be 0 or 1, got \"%.*s\"", s->path,
                         (long long)line_number, (int)(label_bytes < 40 ? label_bytes : 40), line);
    const size_t text_bytes = n - label_bytes - 1;
    if (text_bytes == 0) return error_set(err, EXIT_RUNTIME, "%s:%lld: empty text", s->path, (long long)line_number);
    append_review(s, (const uint8_t *)tab + 1, text_bytes < max_bytes ? text_bytes : max_bytes,
                  line[0] - '0');
    return 0;
}

static int load_tsv(review_set **out, const char *dir, const char *name, int max_bytes, error_info *err) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    review_set *s = review_set_new(path, max_bytes);
    int status = data_read_lines(path, parse_tsv_row, s, err);
    if (status == 0 && s->count == 0) status = error_set(err, EXIT_RUNTIME, "%s: no reviews", path);
    if (status != 0) {
        review_set_free(s);
        return status;
    }
    interleave_classes(s);
    *out = s;
    return 0;
}

/* ---- IMDb layout ---- */

/* File names with digit runs compared as numbers: 2_7.txt < 10_8.txt. */
static int compare_names(const void *pa, const void *pb) {
    const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            while (*a == '0') a++;
            while (*b == '0') b++;
            size_t na = 0, nb = 0;
            while (a[na] >= '0' && a[na] <= '9') na++;
            while (b[nb] >= '0' && b[nb] <= '9') nb++;
            if (na != nb) return na < nb ? -1 : 1;
            const int c = strncmp(a, b, na);
            if (c != 0) return c;
            a += na, b += nb;
            continue;
        }
        if (*a != *b) return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++, b++;
    }
    if (*a || *b) return *a ? 1 : -1;
    return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

static bool is_review_name(const char *name) {
    const size_t n = strlen(name);
    return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".txt") == 0;
}

/* Appends one review file, cut at max_bytes. */
static int read_review(review_set *s, const char *path, int label, int max_bytes, uint8_t *buffer, error_info *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return error_set(err, EXIT_RUNTIME, "%s: cannot open: %s", path, strerror(errno));
    const size_t n = fread(buffer, 1, (size_t)max_bytes, f);
    const bool failed = ferror(f) != 0;
    fclose(f);
    if (failed) return error_set(err, EXIT_RUNTIME, "%s: read error", path);
    if (n == 0) return error_set(err, EXIT_RUNTIME, "%s: empty review", path);
    append_review(s, buffer, n, label);
    return 0;
}

/* Appends every *.txt review of class_dir in name order. */
static int read_class(review_set *s, const char *class_dir, int label, int max_bytes, error_info *err) {
    DIR *d = opendir(class_dir);
    if (!d) return error_set(err, EXIT_RUNTIME, "%s: cannot open: %s", class_dir, strerror(errno));
    char **names = NULL;
    size_t count = 0, capacity = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!is_review_name(e->d_name)) continue;
        names = data_grow(names, &capacity, count + 1, sizeof *names);
        names[count] = strdup(e->d_name);
        CHECK(names[count] != NULL);
        count++;
    }
    closedir(d);
    int status = 0;
    if (count == 0) status = error_set(err, EXIT_RUNTIME, "%s: no .txt reviews", class_dir);
    if (count) qsort(names, count, sizeof *names, compare_names);
    uint8_t *buffer = malloc((size_t)max_bytes);
    CHECK(buffer != NULL);
    char path[2048];
    for (size_t i = 0; i < count && status == 0; i++) {
        snprintf(path, sizeof path, "%s/%s", class_dir, names[i]);
        status = read_review(s, path, label, max_bytes, buffer, err);
    }
    free(buffer);
    for (size_t i = 0; i < count; i++) free(names[i]);
    free(names);
    return status;
}

static int load_imdb_split(review_set **out, const char *dir, const char *split, int max_bytes, error_info *err) {
    char path[1024], class_dir[1100];
    snprintf(path, sizeof path, "%s/%s", dir, split);
    review_set *s = review_set_new(path, max_bytes);
    snprintf(class_dir, sizeof class_dir, "%s/neg", path);
    int status = read_class(s, class_dir, 0, max_bytes, err);
    snprintf(class_dir, sizeof class_dir, "%s/pos", path);
    if (status == 0) status = read_class(s, class_dir, 1, max_bytes, err);
    if (status != 0) {
        review_set_free(s);
        return status;
    }
    interleave_classes(s);
    *out = s;
    return 0;
}

/* ---- both ---- */

void text_data_free(text_data *d) {
    if (!d) return;
    if (d->splits[SPLIT_EVAL] != d->splits[SPLIT_TEST]) review_set_free(d->splits[SPLIT_EVAL]);
    review_set_free(d->splits[SPLIT_TRAIN]);
    review_set_free(d->splits[SPLIT_TEST]);
    free(d);
}

static int load_splits(text_data *d, const char *dir, error_info *err) {
    char path[1024];
    struct stat st;
    if (stat(dir, &st) != 0) return error_set(err, EXIT_RUNTIME, "%s: cannot open: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return error_set(err, EXIT_RUNTIME, "%s: not a directory", dir);
    snprintf(path, sizeof path, "%s/train.tsv", dir);
    if (is_file(path)) {
        d->version = "released-tsv";
        if (load_tsv(&d->splits[SPLIT_TRAIN], dir, "train.tsv", d->max_bytes, err) != 0) return -1;
        if (load_tsv(&d->splits[SPLIT_TEST], dir, "test.tsv", d->max_bytes, err) != 0) return -1;
        snprintf(path, sizeof path, "%s/eval.tsv", dir);
        if (!is_file(path)) d->splits[SPLIT_EVAL] = d->splits[SPLIT_TEST];
        else if (load_tsv(&d->splits[SPLIT_EVAL], dir, "eval.tsv", d->max_bytes, err) != 0) return -1;
        return 0;
    }
    snprintf(path, sizeof path, "%s/train", dir);
    if (!is_directory(path))
        return error_set(err, EXIT_RUNTIME, "%s: holds neither train.tsv (TSV layout) nor train/ (IMDb layout)", dir);
    d->version = "released-imdb";
    if (load_imdb_split(&d->splits[SPLIT_TRAIN], dir, "train", d->max_bytes, err) != 0) return -1;
    if (load_imdb_split(&d->splits[SPLIT_TEST], dir, "test", d->max_bytes, err) != 0) return -1;
    d->splits[SPLIT_EVAL] = d->splits[SPLIT_TEST];
    return 0;
}

int text_data_load(text_data **out, const char *dir, int max_bytes, error_info *err) {
    text_data *d = calloc(1, sizeof *d);
    CHECK(d != NULL);
    d->max_bytes = max_bytes;
    if (load_splits(d, dir, err) != 0) {
        text_data_free(d);
        return -1;
    }
    *out = d;
    return 0;
}

const char *text_data_version(const text_data *d) { return d->version; }

int text_data_example(const text_data *d, enum task_split split, int64_t index, example *out, error_info *err) {
    const review_set *s = d->splits[split];
    if (index < 0 || index >= s->count)
        return error_set(err, EXIT_USAGE, "%s has %lld examples; example %lld was asked for (lower task.%s_examples)",
                         s->path, (long long)s->count, (long long)index, task_split_name(split));
    const int64_t row = s->order[index], begin = s->offsets[row], length = s->offsets[row + 1] - begin;
    for (int64_t t = 0; t < d->max_bytes; t++)
        out->tokens[t] = t < length ? TEXT_BYTE0 + s->bytes[begin + t] : TEXT_PAD;
    out->length = (int)length;
    out->length2 = 0;
    out->targets[0] = s->labels[row];
    out->target_mask[0] = 1;
    out->n_outputs = 1;
    return 0;
}
