/* chomsky_reference.c — the published numbers of results/reference/chomsky_table2.csv,
 * so the Chomsky leaderboard can print the paper's column beside ours.
 *
 * The file is plain CSV without quoting, one row per task and model; the columns are
 * found by their header names (task, model, score, verified), so columns may be added.
 * A malformed row is an error naming path:line, never a silently wrong cell. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "report/report_internal.h"

enum { MAX_FIELDS = REFERENCE_MAX_FIELDS, LINE_MAX_BYTES = 4096 };
enum { COL_TASK, COL_MODEL, COL_SCORE, COL_VERIFIED, N_COLUMNS };
static const char *const column_names[N_COLUMNS] = {"task", "model", "score", "verified"};

int reference_csv_split(char *line, char **fields) {
    line[strcspn(line, "\r\n")] = '\0';
    int n = 0;
    for (char *p = line;; p++) {
        if (n == MAX_FIELDS) return MAX_FIELDS + 1;
        fields[n++] = p;
        p += strcspn(p, ",");
        if (*p == '\0') return n;
        *p = '\0';
    }
}

static int add_cell(chomsky_reference *ref, char **fields, const int *at, const char *path, int line_number,
                    error_info *err) {
    char *end;
    errno = 0;
    const double score = strtod(fields[at[COL_SCORE]], &end);
    if (errno || end == fields[at[COL_SCORE]] || *end || score < 0 || score > 100)
        return error_set(err, EXIT_RUNTIME, "%s:%d: score \"%s\" is not a number in [0, 100]", path, line_number,
                         fields[at[COL_SCORE]]);
    const char *verified = fields[at[COL_VERIFIED]];
    if (strcmp(verified, "yes") != 0 && strcmp(verified, "no") != 0)
        return error_set(err, EXIT_RUNTIME, "%s:%d: verified must be yes or no, not \"%s\"", path, line_number,
                         verified);
    ref->cells = realloc(ref->cells, ((size_t)ref->n + 1) * sizeof *ref->cells);
    CHECK(ref->cells != NULL);
    ref->cells[ref->n] = (chomsky_reference_cell){
        .task = strdup(fields[at[COL_TASK]]),
        .score = score,
        .verified = strcmp(verified, "yes") == 0,
    };
    CHECK(ref->cells[ref->n].task != NULL);
    ref->n++;
    return 0;
}

/* The position of each needed column in the header. */
static int read_header(char *line, int *at, const char *path, error_info *err) {
    char *fields[MAX_FIELDS + 1];
    const int n = reference_csv_split(line, fields);
    for (int c = 0; c < N_COLUMNS; c++) {
        at[c] = -1;
        for (int f = 0; f < n && f < MAX_FIELDS; f++)
            if (strcmp(fields[f], column_names[c]) == 0) at[c] = f;
        if (at[c] < 0)
            return error_set(err, EXIT_RUNTIME, "%s:1: the header has no \"%s\" column", path, column_names[c]);
    }
    return n;
}

int chomsky_reference_load(chomsky_reference *out, const char *path, const char *model, error_info *err) {
    *out = (chomsky_reference){0};
    FILE *f = fopen(path, "r");
    if (!f) return error_set(err, EXIT_RUNTIME, "%s: cannot read: %s", path, strerror(errno));
    char line[LINE_MAX_BYTES];
    int at[N_COLUMNS], columns = -1, line_number = 1;
    if (fgets(line, sizeof line, f)) columns = read_header(line, at, path, err);
    else error_set(err, EXIT_RUNTIME, "%s: empty file", path);
    while (columns > 0 && fgets(line, sizeof line, f)) {
        line_number++;
        char *fields[MAX_FIELDS + 1];
        if (strcspn(line, "\r\n") == 0) continue;
        if (reference_csv_split(line, fields) != columns) {
            error_set(err, EXIT_RUNTIME, "%s:%d: expected %d comma-separated fields", path, line_number, columns);
            columns = -1;
        } else if (strcmp(fields[at[COL_MODEL]], model) == 0 &&
                   add_cell(out, fields, at, path, line_number, err) != 0)
            columns = -1;
    }
    fclose(f);
    if (columns > 0) return 0;
    chomsky_reference_free(out);
    return -1;
}

const chomsky_reference_cell *chomsky_reference_find(const chomsky_reference *ref, const char *task) {
    for (int i = 0; i < ref->n; i++)
        if (strcmp(ref->cells[i].task, task) == 0) return &ref->cells[i];
    return NULL;
}

void chomsky_reference_free(chomsky_reference *ref) {
    for (int i = 0; i < ref->n; i++) free(ref->cells[i].task);
    free(ref->cells);
    *ref = (chomsky_reference){0};
}
