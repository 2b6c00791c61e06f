/* lra_reference.c — the published numbers of results/reference/lra_table1.csv, so the
 * LRA leaderboard can print the paper's rows beside ours.
 *
 * Plain CSV without quoting, one row per model; the columns are found by name: model,
 * mechanism (the attnbench mechanism implementing it, may be empty), average_5, and
 * every column whose name starts with "lra/" is a task. A cell is a number or FAIL.
 * A malformed row is an error naming path:line. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "report/leaderboard_internal.h"
#include "report/report_internal.h"

enum { LINE_MAX_BYTES = 4096 };

typedef struct header {
    int n_fields, model, mechanism, average;
    int task_field[REFERENCE_MAX_FIELDS];
} header;

static char *copy(const char *text) {
    char *c = strdup(text);
    CHECK(c != NULL);
    return c;
}

static int find(char **fields, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(fields[i], name) == 0) return i;
    return -1;
}

static int read_header(lra_reference *ref, header *h, char *line, const char *path, error_info *err) {
    char *fields[REFERENCE_MAX_FIELDS + 1];
    h->n_fields = reference_csv_split(line, fields);
    if (h->n_fields > REFERENCE_MAX_FIELDS) return error_set(err, EXIT_RUNTIME, "%s:1: too many columns", path);
    h->model = find(fields, h->n_fields, "model");
    h->mechanism = find(fields, h->n_fields, "mechanism");
    h->average = find(fields, h->n_fields, "average_5");
    const char *missing = h->model < 0 ? "model" : h->mechanism < 0 ? "mechanism" : h->average < 0 ? "average_5" : NULL;
    if (missing) return error_set(err, EXIT_RUNTIME, "%s:1: the header has no \"%s\" column", path, missing);
    ref->tasks = calloc(REFERENCE_MAX_FIELDS, sizeof *ref->tasks);
    CHECK(ref->tasks != NULL);
    for (int f = 0; f < h->n_fields; f++)
        if (strncmp(fields[f], "lra/", 4) == 0) {
            h->task_field[ref->n_tasks] = f;
            ref->tasks[ref->n_tasks++] = copy(fields[f]);
        }
    return 0;
}

static bool valid_cell(const char *text) {
    char *end;
    errno = 0;
    const double v = strtod(text, &end);
    return strcmp(text, "FAIL") == 0 || (!errno && end != text && !*end && v >= 0 && v <= 100);
}

static int add_row(lra_reference *ref, const header *h, char *line, const char *path, int line_number,
                   error_info *err) {
    char *fields[REFERENCE_MAX_FIELDS + 1];
    if (reference_csv_split(line, fields) != h->n_fields)
        return error_set(err, EXIT_RUNTIME, "%s:%d: expected %d comma-separated fields", path, line_number,
                         h->n_fields);
    for (int t = 0; t <= ref->n_tasks; t++) {
        const char *cell = fields[t < ref->n_tasks ? h->task_field[t] : h->average];
        if (!valid_cell(cell))
            return error_set(err, EXIT_RUNTIME, "%s:%d: \"%s\" is neither a number in [0, 100] nor FAIL", path,
                             line_number, cell);
    }
    ref->rows = realloc(ref->rows, ((size_t)ref->n_rows + 1) * sizeof *ref->rows);
    CHECK(ref->rows != NULL);
    lra_reference_row *row = &ref->rows[ref->n_rows++];
    *row = (lra_reference_row){.model = copy(fields[h->model]), .mechanism = copy(fields[h->mechanism]),
                               .average = copy(fields[h->average]),
                               .values = calloc((size_t)ref->n_tasks + 1, sizeof *row->values)};
    CHECK(row->values != NULL);
    for (int t = 0; t < ref->n_tasks; t++) row->values[t] = copy(fields[h->task_field[t]]);
    return 0;
}

int lra_reference_load(lra_reference *ref, const char *path, error_info *err) {
    *ref = (lra_reference){0};
    FILE *f = fopen(path, "r");
    if (!f) return error_set(err, EXIT_RUNTIME, "%s: cannot read: %s", path, strerror(errno));
    char line[LINE_MAX_BYTES];
    header h = {0};
    int status = fgets(line, sizeof line, f) ? read_header(ref, &h, line, path, err)
                                             : error_set(err, EXIT_RUNTIME, "%s: empty file", path);
    for (int line_number = 2; status == 0 && fgets(line, sizeof line, f); line_number++)
        if (strcspn(line, "\r\n") > 0) status = add_row(ref, &h, line, path, line_number, err);
    fclose(f);
    if (status) lra_reference_free(ref);
    return status;
}

void lra_reference_free(lra_reference *ref) {
    for (int r = 0; r < ref->n_rows; r++) {
        for (int t = 0; t < ref->n_tasks; t++) free(ref->rows[r].values[t]);
        free(ref->rows[r].values);
        free(ref->rows[r].model);
        free(ref->rows[r].mechanism);
        free(ref->rows[r].average);
    }
    if (ref->tasks)
        for (int t = 0; t < ref->n_tasks; t++) free(ref->tasks[t]);
    free(ref->tasks);
    free(ref->rows);
    *ref = (lra_reference){0};
}
