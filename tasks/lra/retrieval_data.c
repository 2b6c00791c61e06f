/* retrieval_data.c — reader of the released Retrieval TSV files (see retrieval_data.h).
 *
 * The files are headerless; every row is `label, id1, id2, text1, text2` separated by
 * tabs, without quoting (LRA reads them with use_quote_delim=False), the label a float
 * 0/1 such as `1.0` or `0`. Like LRA's pipeline, each text is cut to its first 10,000
 * bytes and then to max_length, and bytes become ids byte + 2. Only the kept bytes are
 * stored, one byte each, so the full training file (≈147k rows of two documents up to
 * 10 KB) takes at most 147k × 2 × max_length bytes. Rows keep the file order: the
 * released files are already shuffled. */
#define _POSIX_C_SOURCE 200809L
#include "tasks/lra/retrieval_data.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "tasks/data_file.h"
#include "tasks/lra/retrieval.h"

/* LRA keeps the first 10,000 bytes of each text before cutting to max_length. */
enum { RELEASE_TEXT_BYTES = 10000, COLUMNS = 5 };

typedef struct split_rows {
    char path[1024];
    int64_t count;
    uint8_t *bytes;   /* the kept bytes of every document, concatenated */
    int64_t *offsets; /* (2 count + 1): document d of row i is [offsets[2i + d], offsets[2i + d + 1]) */
    uint8_t *labels;  /* (count) */
    size_t byte_capacity, offset_capacity, label_capacity;
    int max_bytes;
} split_rows;

struct retrieval_data {
    int max_bytes;
    split_rows splits[3];
};

static const char *const file_names[3] = {"new_aan_pairs.train.tsv", "new_aan_pairs.eval.tsv",
                                          "new_aan_pairs.test.tsv"};

/* Appends the first max_bytes bytes of text[0, length) as the next document of s. */
static void keep_text(split_rows *s, int64_t documents, const char *text, size_t length, int max_bytes) {
    if (length > (size_t)max_bytes) length = (size_t)max_bytes;
    const int64_t used = s->offsets[documents];
    s->bytes = data_grow(s->bytes, &s->byte_capacity, (size_t)used + length, 1);
    memcpy(s->bytes + used, text, length);
    s->offsets = data_grow(s->offsets, &s->offset_capacity, (size_t)documents + 2, sizeof *s->offsets);
    s->offsets[documents + 1] = used + (int64_t)length;
}

/* Appends one row to s; 0 or an error naming the line. */
static int parse_row(void *context, char *line, size_t length, int64_t line_number, error_info *err) {
    split_rows *s = context;
    char *columns[COLUMNS];
    int n = 0;
    for (char *c = line, *start = line;; c++) {
        if (*c != '\t' && c != line + length) continue;
        if (n < COLUMNS) columns[n] = start;
        n++;
        if (c == line + length) break;
        *c = '\0';
        start = c + 1;
    }
    if (n != COLUMNS)
        return error_set(err, EXIT_RUNTIME,
                         "%s:%lld: expected 5 tab-separated columns (label, id1, id2, text1, text2), got %d",
                         s->path, (long long)line_number, n);
    char *end;
    errno = 0;
    const double label = strtod(columns[0], &end);
    if (errno || end == columns[0] || *end || (label != 0.0 && label != 1.0))
        return error_set(err, EXIT_RUNTIME, "%s:%lld: label must be 0 or 1, got \"%.40s\"", s->path,
                         (long long)line_number, columns[0]);
    const int cap = s->max_bytes < RELEASE_TEXT_BYTES ? s->max_bytes : RELEASE_TEXT_BYTES;
    keep_text(s, 2 * s->count, columns[3], (size_t)(columns[4] - 1 - columns[3]), cap);
    keep_text(s, 2 * s->count + 1, columns[4], (size_t)(line + length - columns[4]), cap);
    s->labels = data_grow(s->labels, &s->label_capacity, (size_t)s->count + 1, 1);
    s->labels[s->count++] = (uint8_t)label;
    return 0;
}

static int load_split(split_rows *s, const char *dir, const char *name, int max_bytes, error_info *err) {
    snprintf(s->path, sizeof s->path, "%s/%s", dir, name);
    s->max_bytes = max_bytes;
    s->offsets = data_grow(NULL, &s->offset_capacity, 1, sizeof *s->offsets);
    s->offsets[0] = 0;
    if (data_read_lines(s->path, parse_row, s, err) != 0) return -1;
    if (s->count == 0) return error_set(err, EXIT_RUNTIME, "%s: no rows", s->path);
    return 0;
}

void retrieval_data_free(retrieval_data *d) {
    if (!d) return;
    for (int i = 0; i < 3; i++) free(d->splits[i].bytes), free(d->splits[i].offsets), free(d->splits[i].labels);
    free(d);
}

int retrieval_data_load(retrieval_data **out, const char *dir, int max_bytes, error_info *err) {
    retrieval_data *d = calloc(1, sizeof *d);
    CHECK(d != NULL);
    d->max_bytes = max_bytes;
    for (int i = 0; i < 3; i++)
        if (load_split(&d->splits[i], dir, file_names[i], max_bytes, err) != 0) {
            retrieval_data_free(d);
            return -1;
        }
    *out = d;
    return 0;
}

/* Document [begin, end) of the stored bytes as ids, padded to max_bytes; its length. */
static int copy_document(const split_rows *s, int64_t begin, int64_t end, int max_bytes, int32_t *tokens) {
    for (int64_t t = 0; t < max_bytes; t++)
        tokens[t] = begin + t < end ? RETRIEVAL_BYTE0 + s->bytes[begin + t] : RETRIEVAL_PAD;
    return (int)(end - begin);
}

int retrieval_data_example(const retrieval_data *d, enum task_split split, int64_t index, example *out,
                           error_info *err) {
    const split_rows *s = &d->splits[split];
    if (index < 0 || index >= s->count)
        return error_set(err, EXIT_USAGE, "%s has %lld examples; example %lld was asked for (lower task.%s_examples)",
                         s->path, (long long)s->count, (long long)index, task_split_name(split));
    const int64_t *row = s->offsets + 2 * index;
    out->length = copy_document(s, row[0], row[1], d->max_bytes, out->tokens);
    out->length2 = copy_document(s, row[1], row[2], d->max_bytes, out->tokens2);
    out->targets[0] = s->labels[index];
    out->target_mask[0] = 1;
    out->n_outputs = 1;
    return 0;
}
