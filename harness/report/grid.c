/* grid.c — the runs of a suite grouped by (row key, column key), read from the database.
 *
 * One SELECT picks the completed runs of the suite (run.suite), the latest of each
 * (config hash, seed) so that repeating a run does not count it twice, and gives each
 * its row key, column key and metric value; keys come from run columns or from the
 * stored config JSON (json_extract, with the path bound as a parameter). Tasks sort in
 * the order their runs recorded (task_places.c). Each cell keeps its values sorted, so
 * the aggregates do not depend on the order the runs come back in. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "report/leaderboard_internal.h"
#include "report/report_internal.h"

#define POSITIONAL "coalesce(json_extract(p.json, '$.model.positional'), '?')"

static const char picked_runs[] =
    "WITH latest AS (\n"
    "  SELECT r.id, r.task, r.mechanism, r.wall_seconds, r.peak_rss_bytes, c.json,\n"
    "         row_number() OVER (PARTITION BY r.config_hash, r.seed\n"
    "                            ORDER BY r.finished_at DESC, r.rowid DESC) AS k\n"
    "  FROM run r JOIN config c ON c.hash = r.config_hash\n"
    "  WHERE r.status = 'completed' AND r.suite = ?5)\n";

/* The SQL expression of a field; parameter is ?1 (rows) or ?2 (columns). */
static void field_sql(const field_spec *f, int parameter, char *out, size_t size) {
    switch (f->kind) {
    case FIELD_MECHANISM: snprintf(out, size, "p.mechanism"); return;
    case FIELD_TASK: snprintf(out, size, "p.task"); return;
    case FIELD_POSITIONAL: snprintf(out, size, POSITIONAL); return;
    case FIELD_CONFIG:
        snprintf(out, size,
                 "p.mechanism || ' · ' || " POSITIONAL " || CASE WHEN coalesce(json_extract(p.json, "
                 "'$.model.randomized_positions'), 0) THEN ' (rand.)' ELSE '' END");
        return;
    case FIELD_KEY: snprintf(out, size, "coalesce(json_extract(p.json, ?%d), '?')", parameter); return;
    }
}

static void value_sql(const metric_spec *m, char *out, size_t size) {
    if (m->column) snprintf(out, size, "p.%s", m->column);
    else snprintf(out, size, "(SELECT x.value FROM result x WHERE x.run_id = p.id AND x.split = ?3 AND x.name = ?4)");
}

static bool is_number(const char *text, double *value) {
    char *end;
    *value = strtod(text, &end);
    return end != text && *end == '\0';
}

static int compare_keys(const field_spec *f, const task_places *places, const char *a, const char *b) {
    double x, y;
    if (f->kind == FIELD_TASK) return task_places_compare(places, a, b);
    if (is_number(a, &x) && is_number(b, &y) && x != y) return x < y ? -1 : 1;
    return strcmp(a, b);
}

/* The index of key in the sorted list, inserting it when absent. */
static int key_add(char ***keys, int *n, const field_spec *f, const task_places *places, const char *key) {
    int at = 0;
    while (at < *n && compare_keys(f, places, (*keys)[at], key) < 0) at++;
    if (at < *n && strcmp((*keys)[at], key) == 0) return at;
    *keys = realloc(*keys, ((size_t)*n + 1) * sizeof **keys);
    CHECK(*keys != NULL);
    memmove(*keys + at + 1, *keys + at, (size_t)(*n - at) * sizeof **keys);
    (*keys)[at] = strdup(key);
    CHECK((*keys)[at] != NULL);
    (*n)++;
    return at;
}

static int find_key(char **keys, int n, const char *key) {
    for (int i = 0; i < n; i++)
        if (strcmp(keys[i], key) == 0) return i;
    return -1;
}

int grid_find_row(const grid *g, const char *key) { return find_key(g->rows, g->n_rows, key); }
int grid_find_col(const grid *g, const char *key) { return find_key(g->cols, g->n_cols, key); }

static void cell_add(grid_cell *c, double value) {
    if (c->n == c->capacity) {
        c->capacity = c->capacity ? 2 * c->capacity : 8;
        c->values = realloc(c->values, (size_t)c->capacity * sizeof *c->values);
        CHECK(c->values != NULL);
    }
    int at = c->n++;
    while (at > 0 && c->values[at - 1] > value) {
        c->values[at] = c->values[at - 1];
        at--;
    }
    c->values[at] = value;
}

static int prepare(store *s, const char *sql, const field_spec *rows, const field_spec *cols,
                   const metric_spec *m, const char *suite, sqlite3_stmt **stmt, error_info *err) {
    if (sqlite3_prepare_v2(store_db(s), sql, -1, stmt, NULL) != SQLITE_OK)
        return error_set(err, EXIT_RUNTIME, "leaderboard: %s", sqlite3_errmsg(store_db(s)));
    sqlite3_bind_text(*stmt, 1, rows->path, -1, SQLITE_STATIC);
    sqlite3_bind_text(*stmt, 2, cols->path, -1, SQLITE_STATIC);
    sqlite3_bind_text(*stmt, 3, m->split, -1, SQLITE_STATIC);
    sqlite3_bind_text(*stmt, 4, m->result, -1, SQLITE_STATIC);
    sqlite3_bind_text(*stmt, 5, suite, -1, SQLITE_STATIC);
    return 0;
}

int grid_load(grid *g, store *s, const char *suite, const field_spec *rows, const field_spec *cols,
              const metric_spec *m, error_info *err) {
    *g = (grid){0};
    task_places places;
    if (task_places_load(&places, s, err)) return -1;
    char row_sql[512], col_sql[512], val_sql[256], sql[4096];
    field_sql(rows, 1, row_sql, sizeof row_sql);
    field_sql(cols, 2, col_sql, sizeof col_sql);
    value_sql(m, val_sql, sizeof val_sql);
    snprintf(sql, sizeof sql,
             "%sSELECT * FROM (SELECT %s AS row_key, %s AS col_key, %s AS value FROM latest p WHERE k = 1)\n"
             "WHERE value IS NOT NULL",
             picked_runs, row_sql, col_sql, val_sql);
    sqlite3_stmt *stmt = NULL;
    int rc;
    for (int pass = 0; pass < 2; pass++) {
        if (prepare(s, sql, rows, cols, m, suite, &stmt, err)) goto fail;
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            const char *r = (const char *)sqlite3_column_text(stmt, 0), *c = (const char *)sqlite3_column_text(stmt, 1);
            if (pass == 0) {
                key_add(&g->rows, &g->n_rows, rows, &places, r);
                key_add(&g->cols, &g->n_cols, cols, &places, c);
            } else
                cell_add(&g->cells[grid_find_row(g, r) * g->n_cols + grid_find_col(g, c)],
                         m->scale * sqlite3_column_double(stmt, 2));
        }
        if (rc != SQLITE_DONE) {
            error_set(err, EXIT_RUNTIME, "leaderboard: %s", sqlite3_errmsg(store_db(s)));
            goto fail;
        }
        sqlite3_finalize(stmt);
        stmt = NULL;
        if (pass == 0) {
            g->cells = calloc((size_t)g->n_rows * (size_t)g->n_cols + 1, sizeof *g->cells);
            CHECK(g->cells != NULL);
        }
    }
    task_places_free(&places);
    return 0;
fail:
    sqlite3_finalize(stmt);
    task_places_free(&places);
    grid_free(g);
    return -1;
}

void grid_cell_stat(const grid_cell *g, agg_kind agg, table_cell *c) {
    CHECK(g->n > 0);
    double sum = 0, squares = 0;
    for (int i = 0; i < g->n; i++) sum += g->values[i];
    const double mean = sum / g->n;
    for (int i = 0; i < g->n; i++) squares += (g->values[i] - mean) * (g->values[i] - mean);
    const int mid = g->n / 2;
    const double median = g->n % 2 ? g->values[mid] : (g->values[mid - 1] + g->values[mid]) / 2;
    free(c->text);
    *c = (table_cell){
        .kind = CELL_STAT,
        .value = agg == AGG_MAX ? g->values[g->n - 1] : agg == AGG_MEDIAN ? median : mean,
        .mean = mean,
        .std = g->n > 1 ? sqrt(squares / (g->n - 1)) : 0,
        .n = g->n,
    };
}

void grid_free(grid *g) {
    for (int r = 0; r < g->n_rows; r++) free(g->rows[r]);
    for (int c = 0; c < g->n_cols; c++) free(g->cols[c]);
    if (g->cells)
        for (int i = 0; i < g->n_rows * g->n_cols; i++) free(g->cells[i].values);
    free(g->rows);
    free(g->cols);
    free(g->cells);
    *g = (grid){0};
}
