/* listops_data.c — reader of the released ListOps TSV files (see listops_data.h).
 *
 * Each file starts with the header `Source\tTarget`; every row is the expression and
 * its value 0–9. The expression is the nested tuple printed by the original generator,
 * with parentheses around every pair: like LRA's input pipeline, `(` and `)` are
 * dropped and the remaining whitespace-separated tokens are `[MIN`, `[MAX`, `[MED`,
 * `[SM`, the digits and `]` (LRA's tokenizer renames it `X`, which is accepted too).
 * Tokens are kept as bytes (17 ids), so the 96k training rows take about 100 MB. */
#define _POSIX_C_SOURCE 200809L
#include "tasks/lra/listops_data.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "tasks/data_file.h"
#include "tasks/lra/listops.h"

typedef struct split_rows {
    char path[1024];
    int64_t count;
    uint8_t *tokens;  /* all rows, concatenated */
    int64_t *offsets; /* (count + 1) */
    uint8_t *labels;  /* (count) */
    size_t token_capacity, offset_capacity, label_capacity;
    int max_tokens;
    bool header_seen;
} split_rows;

struct listops_data {
    int max_tokens;
    split_rows splits[3];
};

static const char *const file_names[3] = {"basic_train.tsv", "basic_val.tsv", "basic_test.tsv"};

static int token_id(const char *word) {
    static const char *const operators[] = {"[MIN", "[MAX", "[MED", "[SM"};
    if (word[0] >= '0' && word[0] <= '9' && word[1] == '\0') return LISTOPS_DIGIT0 + (word[0] - '0');
    for (int i = 0; i < 4; i++)
        if (strcmp(word, operators[i]) == 0) return LISTOPS_MIN + i;
    if (strcmp(word, "]") == 0 || strcmp(word, "X") == 0) return LISTOPS_CLOSE;
    return -1;
}

/* Checks the header on line 1, then appends each row's tokens (cut at max_tokens) to s;
 * 0 or an error naming the line. */
static int parse_row(void *context, char *line, size_t length, int64_t line_number, error_info *err) {
    split_rows *s = context;
    if (!s->header_seen) {
        if (line_number != 1 || strcmp(line, "Source\tTarget") != 0)
            return error_set(err, EXIT_RUNTIME, "%s:1: expected the header Source<TAB>Target", s->path);
        s->header_seen = true;
        return 0;
    }
    s->labels = data_grow(s->labels, &s->label_capacity, (size_t)s->count + 1, 1);
    s->offsets = data_grow(s->offsets, &s->offset_capacity, (size_t)s->count + 2, sizeof *s->offsets);
    char *tab = strchr(line, '\t');
    if (!tab) return error_set(err, EXIT_RUNTIME, "%s:%lld: expected Source<TAB>Target", s->path, (long long)line_number);
    *tab = '\0';
    char *target = tab + 1, *end;
    errno = 0;
    const long label = strtol(target, &end, 10);
    if (errno || end == target || *end || label < 0 || label > 9)
        return error_set(err, EXIT_RUNTIME, "%s:%lld: target must be a digit 0-9, got \"%.40s\"", s->path,
                         (long long)line_number, target);
    int64_t used = s->offsets[s->count], kept = 0;
    for (char *save = NULL, *word = strtok_r(line, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
        if (strcmp(word, "(") == 0 || strcmp(word, ")") == 0) continue;
        const int id = token_id(word);
        if (id < 0)
            return error_set(err, EXIT_RUNTIME, "%s:%lld: unknown token \"%.40s\"", s->path,
                             (long long)line_number, word);
        if (kept == s->max_tokens) continue;
        s->tokens = data_grow(s->tokens, &s->token_capacity, (size_t)used + 1, 1);
        s->tokens[used++] = (uint8_t)id;
        kept++;
    }
    if (kept == 0) return error_set(err, EXIT_RUNTIME, "%s:%lld: empty expression", s->path, (long long)line_number);
    s->labels[s->count] = (uint8_t)label;
    s->offsets[++s->count] = used;
    return 0;
}

static int load_split(split_rows *s, const char *dir, const char *name, int max_tokens, error_info *err) {
    snprintf(s->path, sizeof s->path, "%s/%s", dir, name);
    s->max_tokens = max_tokens;
    s->offsets = data_grow(NULL, &s->offset_capacity, 1, sizeof *s->offsets);
    s->offsets[0] = 0;
    if (data_read_lines(s->path, parse_row, s, err) != 0) return -1;
    if (!s->header_seen) return error_set(err, EXIT_RUNTIME, "%s: empty file", s->path);
    return 0;
}

void listops_data_free(listops_data *d) {
    if (!d) return;
    for (int i = 0; i < 3; i++) free(d->splits[i].tokens), free(d->splits[i].offsets), free(d->splits[i].labels);
    free(d);
}

int listops_data_load(listops_data **out, const char *dir, int max_tokens, error_info *err) {
    listops_data *d = calloc(1, sizeof *d);
    CHECK(d != NULL);
    d->max_tokens = max_tokens;
    for (int i = 0; i < 3; i++)
        if (load_split(&d->splits[i], dir, file_names[i], max_tokens, err) != 0) {
            listops_data_free(d);
            return -1;
        }
    *out = d;
    return 0;
}

int listops_data_example(const listops_data *d, enum task_split split, int64_t index, example *out,
                         error_info *err) {
    const split_rows *s = &d->splits[split];
    if (index < 0 || index >= s->count)
        return error_set(err, EXIT_USAGE, "%s has %lld examples; example %lld was asked for (lower task.%s_examples)",
                         s->path, (long long)s->count, (long long)index,
                         split == SPLIT_TRAIN ? "train" : split == SPLIT_EVAL ? "eval" : "test");
    const int64_t begin = s->offsets[index], length = s->offsets[index + 1] - begin;
    for (int64_t t = 0; t < d->max_tokens; t++) out->tokens[t] = t < length ? s->tokens[begin + t] : LISTOPS_PAD;
    out->length = (int)length;
    out->length2 = 0;
    out->targets[0] = s->labels[index];
    out->target_mask[0] = 1;
    out->n_outputs = 1;
    return 0;
}
