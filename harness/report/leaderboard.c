/* leaderboard.c — mechanisms × LRA tasks table of test accuracy, read from the database.
 *
 * One SELECT picks the test accuracy of every completed run, keeping only the latest
 * run of each (config hash, seed) so that repeating a run does not count it twice; the
 * cells are then aggregated here (mean and sample standard deviation, Welford's way).
 * "Best" compares means as printed (two decimals, in percent), so cells that read the
 * same are bold together. The Avg column averages the task means a mechanism has; it is
 * only comparable between mechanisms that have every task, so only those compete for
 * its bold. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <sqlite3.h>
#include <string.h>

#include "core/check.h"
#include "report/report.h"

static const char accuracy_sql[] =
    "WITH latest AS (\n"
    "  SELECT r.mechanism, r.task, x.value,\n"
    "         row_number() OVER (PARTITION BY r.config_hash, r.seed\n"
    "                            ORDER BY r.finished_at DESC, r.rowid DESC) AS k\n"
    "  FROM run r JOIN result x ON x.run_id = r.id\n"
    "  WHERE r.status = 'completed' AND x.split = 'test' AND x.name = 'accuracy'\n"
    "    AND substr(r.task, 1, 4) = 'lra/'\n"
    "    AND x.value IS NOT NULL)\n"
    "SELECT mechanism, task, value FROM latest WHERE k = 1";

typedef struct cell {
    int n;
    double mean; /* percent */
    double m2;   /* sum of squared deviations from the mean (Welford) */
} cell;

struct leaderboard {
    int rows, columns;
    char **mechanisms; /* [rows], sorted */
    char **tasks;      /* [columns], sorted */
    cell *cells;       /* [rows × columns] */
};

typedef struct name_list {
    char **names;
    int count, capacity;
} name_list;

/* Insert name in sorted order unless it is already there. */
static void name_list_add(name_list *l, const char *name) {
    int at = 0;
    while (at < l->count && strcmp(l->names[at], name) < 0) at++;
    if (at < l->count && strcmp(l->names[at], name) == 0) return;
    if (l->count == l->capacity) {
        l->capacity = l->capacity ? 2 * l->capacity : 16;
        l->names = realloc(l->names, (size_t)l->capacity * sizeof *l->names);
        CHECK(l->names != NULL);
    }
    memmove(l->names + at + 1, l->names + at, (size_t)(l->count - at) * sizeof *l->names);
    l->names[at] = strdup(name);
    CHECK(l->names[at] != NULL);
    l->count++;
}

static int name_list_find(const name_list *l, const char *name) {
    int i = 0;
    while (i < l->count && strcmp(l->names[i], name) != 0) i++;
    CHECK(i < l->count);
    return i;
}

static int prepare(store *s, sqlite3_stmt **stmt, error_info *err) {
    if (sqlite3_prepare_v2(store_db(s), accuracy_sql, -1, stmt, NULL) != SQLITE_OK)
        return error_set(err, EXIT_RUNTIME, "leaderboard: %s", sqlite3_errmsg(store_db(s)));
    return 0;
}

static int finish(store *s, sqlite3_stmt *stmt, int rc, error_info *err) {
    int result = 0;
    if (rc != SQLITE_DONE)
        result = error_set(err, EXIT_RUNTIME, "leaderboard: %s", sqlite3_errmsg(store_db(s)));
    sqlite3_finalize(stmt);
    return result;
}

int leaderboard_load(leaderboard **out, store *s, error_info *err) {
    *out = NULL;
    name_list mechanisms = {0}, tasks = {0};
    sqlite3_stmt *stmt = NULL;
    int rc;
    if (prepare(s, &stmt, err)) return -1;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        name_list_add(&mechanisms, (const char *)sqlite3_column_text(stmt, 0));
        name_list_add(&tasks, (const char *)sqlite3_column_text(stmt, 1));
    }
    leaderboard *lb = calloc(1, sizeof *lb);
    CHECK(lb != NULL);
    lb->rows = mechanisms.count;
    lb->columns = tasks.count;
    lb->mechanisms = mechanisms.names;
    lb->tasks = tasks.names;
    lb->cells = calloc((size_t)lb->rows * (size_t)lb->columns + 1, sizeof *lb->cells);
    CHECK(lb->cells != NULL);
    if (finish(s, stmt, rc, err) || prepare(s, &stmt, err)) goto fail;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int r = name_list_find(&mechanisms, (const char *)sqlite3_column_text(stmt, 0));
        int c = name_list_find(&tasks, (const char *)sqlite3_column_text(stmt, 1));
        cell *x = &lb->cells[r * lb->columns + c];
        double value = 100.0 * sqlite3_column_double(stmt, 2);
        x->n++;
        double delta = value - x->mean;
        x->mean += delta / x->n;
        x->m2 += delta * (value - x->mean);
    }
    if (finish(s, stmt, rc, err)) goto fail;
    *out = lb;
    return 0;
fail:
    leaderboard_free(lb);
    return -1;
}

int leaderboard_rows(const leaderboard *lb) { return lb->rows; }

/* The mean as printed, in hundredths of a percent: what "best" compares. */
static long long shown(double percent) { return llround(percent * 100.0); }

/* Markdown table text: a '|' inside a name would end the cell. */
static void write_name(FILE *out, const char *name) {
    for (const char *p = name; *p; p++) {
        if (*p == '|') fputc('\\', out);
        fputc(*p, out);
    }
}

static double row_average(const leaderboard *lb, int r, int *tasks_present) {
    double sum = 0;
    int n = 0;
    for (int c = 0; c < lb->columns; c++) {
        const cell *x = &lb->cells[r * lb->columns + c];
        if (x->n == 0) continue;
        sum += x->mean;
        n++;
    }
    *tasks_present = n;
    return n ? sum / n : 0;
}

void leaderboard_write_markdown(const leaderboard *lb, FILE *out) {
    long long *best = malloc(((size_t)lb->columns + 1) * sizeof *best);
    CHECK(best != NULL);
    for (int c = 0; c <= lb->columns; c++) best[c] = LLONG_MIN;
    for (int r = 0; r < lb->rows; r++) {
        for (int c = 0; c < lb->columns; c++) {
            const cell *x = &lb->cells[r * lb->columns + c];
            if (x->n > 0 && shown(x->mean) > best[c]) best[c] = shown(x->mean);
        }
        int present;
        double avg = row_average(lb, r, &present);
        if (present == lb->columns && shown(avg) > best[lb->columns])
            best[lb->columns] = shown(avg);
    }

    fputs("| Mechanism |", out);
    for (int c = 0; c < lb->columns; c++) {
        fputc(' ', out);
        write_name(out, lb->tasks[c]);
        fputs(" |", out);
    }
    fputs(" Avg |\n|:---|", out);
    for (int c = 0; c <= lb->columns; c++) fputs("---:|", out);
    fputc('\n', out);

    for (int r = 0; r < lb->rows; r++) {
        fputs("| ", out);
        write_name(out, lb->mechanisms[r]);
        fputs(" |", out);
        for (int c = 0; c < lb->columns; c++) {
            const cell *x = &lb->cells[r * lb->columns + c];
            if (x->n == 0) {
                fputs(" - |", out);
                continue;
            }
            const char *bold = shown(x->mean) == best[c] ? "**" : "";
            fprintf(out, " %s%.2f", bold, x->mean);
            if (x->n > 1) fprintf(out, " ± %.2f", sqrt(x->m2 / (x->n - 1)));
            fprintf(out, "%s (n=%d) |", bold, x->n);
        }
        int present;
        double avg = row_average(lb, r, &present);
        bool is_best = present == lb->columns && shown(avg) == best[lb->columns];
        fprintf(out, " %s%.2f%s |\n", is_best ? "**" : "", avg, is_best ? "**" : "");
    }
    fputs(
        "\nTest accuracy (%) of completed runs: mean ± standard deviation over seeds (n seeds);"
        " best per column in bold; Avg is the mean over the tasks a mechanism has (bold only among"
        " mechanisms with every task).\n",
        out);
    free(best);
}

void leaderboard_free(leaderboard *lb) {
    if (!lb) return;
    for (int r = 0; r < lb->rows; r++) free(lb->mechanisms[r]);
    for (int c = 0; c < lb->columns; c++) free(lb->tasks[c]);
    free(lb->mechanisms);
    free(lb->tasks);
    free(lb->cells);
    free(lb);
}
