/* chomsky_runs.c — the results of a suite per task and configuration as the plots read
 * them (the Chomsky hierarchy's, or any suite's with per-length results), from the
 * database only (never from a run in memory).
 *
 * One SELECT picks the completed runs of the suite's tasks (run.suite), the latest of
 * each (config hash, seed), with their configuration keys from the stored config JSON,
 * and counts the runs with results per task and configuration. A second SELECT reads
 * the per-length accuracy of the same runs for the curves. Each task's level and order
 * are those its runs recorded (task_places.c: the paper's Table 2 for Chomsky); only its
 * number of classes, for the chance line, comes from the task registry. */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "report/report_internal.h"
#include "tasks/task.h"

/* The runs that count, with the configuration columns every query starts with. */
#define PICKED_RUNS                                                                          \
    "WITH latest AS (\n"                                                                     \
    "  SELECT r.id, r.task, r.mechanism, c.json,\n"                                          \
    "         row_number() OVER (PARTITION BY r.config_hash, r.seed\n"                       \
    "                            ORDER BY r.finished_at DESC, r.rowid DESC) AS k\n"          \
    "  FROM run r JOIN config c ON c.hash = r.config_hash\n"                                 \
    "  WHERE r.status = 'completed' AND r.suite = ?1),\n"                                      \
    "picked AS (\n"                                                                          \
    "  SELECT id, task, mechanism,\n"                                                        \
    "         coalesce(json_extract(json, '$.model.positional'), '?') AS positional,\n"      \
    "         coalesce(json_extract(json, '$.model.randomized_positions'), 0) AS randomized,\n" \
    "         json_extract(json, '$.task.train_lengths[0]') AS train_min,\n"         \
    "         json_extract(json, '$.task.train_lengths[1]') AS train_max\n"          \
    "  FROM latest WHERE k = 1)\n"

static const char runs_sql[] = PICKED_RUNS
    "SELECT p.task, p.mechanism, p.positional, p.randomized,\n"
    "       (SELECT x.value FROM result x\n"
    "         WHERE x.run_id = p.id AND x.split = 'test' AND x.name = 'accuracy'),\n"
    "       (SELECT x.value FROM result x\n"
    "         WHERE x.run_id = p.id AND x.split = 'eval' AND x.name = 'accuracy'),\n"
    "       p.train_min, p.train_max\n"
    "FROM picked p ORDER BY p.id";

static const char lengths_sql[] = PICKED_RUNS
    "SELECT p.task, p.mechanism, p.positional, p.randomized, l.length, l.accuracy\n"
    "FROM picked p JOIN length_result l ON l.run_id = p.id\n"
    "WHERE l.accuracy IS NOT NULL\n"
    "ORDER BY p.task, p.mechanism, p.positional, p.randomized, l.length, p.id, l.split";

static char *copy(const char *text) {
    char *c = strdup(text ? text : "");
    CHECK(c != NULL);
    return c;
}

static const char *column_text(sqlite3_stmt *stmt, int column) {
    const unsigned char *text = sqlite3_column_text(stmt, column);
    return text ? (const char *)text : "";
}

/* Tasks in the order their runs recorded, then by name. */
static void sort_tasks(chomsky_report *r, const task_places *places) {
    for (int t = 1; t < r->n_tasks; t++) {
        const chomsky_task task = r->tasks[t];
        int at = t;
        for (; at > 0 && task_places_compare(places, r->tasks[at - 1].name, task.name) > 0; at--)
            r->tasks[at] = r->tasks[at - 1];
        r->tasks[at] = task;
    }
}

static int compare_configs(const void *a, const void *b) {
    const chomsky_config *x = a, *y = b;
    int c = strcmp(x->mechanism, y->mechanism);
    if (c == 0) c = strcmp(x->positional, y->positional);
    return c ? c : (int)x->randomized - (int)y->randomized;
}

static int find_task(const chomsky_report *r, const char *name) {
    for (int t = 0; t < r->n_tasks; t++)
        if (strcmp(r->tasks[t].name, name) == 0) return t;
    return -1;
}

/* The configuration of the current row (columns 1–3), or -1. */
static int find_config(const chomsky_report *r, sqlite3_stmt *stmt) {
    for (int c = 0; c < r->n_configs; c++) {
        const chomsky_config *k = &r->configs[c];
        if (strcmp(k->mechanism, column_text(stmt, 1)) == 0 && strcmp(k->positional, column_text(stmt, 2)) == 0 &&
            k->randomized == (sqlite3_column_int(stmt, 3) != 0))
            return c;
    }
    return -1;
}

int chomsky_task_classes(const char *task) {
    const task_ops *ops = task_find(task);
    if (!ops) return 0;
    opt_set *defaults = malloc(sizeof *defaults);
    CHECK(defaults != NULL);
    opt_set_defaults(defaults, ops->options, ops->n_options);
    void *state = NULL;
    task_info info = {0};
    error_info err = {0};
    const int classes = ops->init(&state, defaults, &info, &err) == 0 ? info.n_classes : 0;
    ops->free(state);
    free(defaults);
    return classes;
}

static void curve_add(chomsky_curve *c, int length, double accuracy) {
    chomsky_point *last = c->n_points ? &c->points[c->n_points - 1] : NULL;
    if (!last || last->length != length) {
        if (c->n_points == c->capacity) {
            c->capacity = c->capacity ? 2 * c->capacity : 64;
            c->points = realloc(c->points, (size_t)c->capacity * sizeof *c->points);
            CHECK(c->points != NULL);
        }
        last = &c->points[c->n_points++];
        *last = (chomsky_point){.length = length};
    }
    last->runs++;
    last->accuracy += (accuracy - last->accuracy) / last->runs;
    if (last->runs > c->runs) c->runs = last->runs;
}

static int sql_error(store *s, sqlite3_stmt *stmt, error_info *err) {
    error_set(err, EXIT_RUNTIME, "report: %s", sqlite3_errmsg(store_db(s)));
    sqlite3_finalize(stmt);
    return -1;
}

/* One of the two SELECTs, with the suite bound. */
static int prepare(const chomsky_report *r, store *s, const char *sql, sqlite3_stmt **stmt, error_info *err) {
    if (sqlite3_prepare_v2(store_db(s), sql, -1, stmt, NULL) != SQLITE_OK) return sql_error(s, *stmt, err);
    sqlite3_bind_text(*stmt, 1, r->suite, -1, SQLITE_STATIC);
    return 0;
}

/* First pass: the tasks and configurations, sorted. */
static int collect_keys(chomsky_report *r, store *s, const task_places *places, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (prepare(r, s, runs_sql, &stmt, err)) return -1;
    int rc, task_capacity = 0, config_capacity = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (find_task(r, column_text(stmt, 0)) < 0) {
            if (r->n_tasks == task_capacity) {
                task_capacity = task_capacity ? 2 * task_capacity : 16;
                r->tasks = realloc(r->tasks, (size_t)task_capacity * sizeof *r->tasks);
                CHECK(r->tasks != NULL);
            }
            r->tasks[r->n_tasks++] = (chomsky_task){.name = copy(column_text(stmt, 0))};
        }
        if (find_config(r, stmt) < 0) {
            if (r->n_configs == config_capacity) {
                config_capacity = config_capacity ? 2 * config_capacity : 16;
                r->configs = realloc(r->configs, (size_t)config_capacity * sizeof *r->configs);
                CHECK(r->configs != NULL);
            }
            r->configs[r->n_configs++] = (chomsky_config){
                .mechanism = copy(column_text(stmt, 1)),
                .positional = copy(column_text(stmt, 2)),
                .randomized = sqlite3_column_int(stmt, 3) != 0,
            };
        }
    }
    if (rc != SQLITE_DONE) return sql_error(s, stmt, err);
    sqlite3_finalize(stmt);
    sort_tasks(r, places);
    if (r->n_configs > 0) qsort(r->configs, (size_t)r->n_configs, sizeof *r->configs, compare_configs);
    for (int c = 0; c < r->n_configs; c++) {
        chomsky_config *k = &r->configs[c];
        const size_t size = strlen(k->mechanism) + strlen(k->positional) + 16;
        k->label = malloc(size);
        CHECK(k->label != NULL);
        snprintf(k->label, size, "%s · %s%s", k->mechanism, k->positional, k->randomized ? " (rand.)" : "");
    }
    for (int t = 0; t < r->n_tasks; t++) {
        chomsky_task *task = &r->tasks[t];
        const size_t prefix = strlen(r->suite);
        const bool in_suite = strncmp(task->name, r->suite, prefix) == 0 && task->name[prefix] == '/';
        task->short_name = task->name + (in_suite ? prefix + 1 : 0);
        task->level = copy(task_places_level(places, task->name));
        task->classes = chomsky_task_classes(task->name);
        task->score = calloc((size_t)r->n_configs, sizeof *task->score);
        task->in_distribution = calloc((size_t)r->n_configs, sizeof *task->in_distribution);
        task->curves = calloc((size_t)r->n_configs, sizeof *task->curves);
        CHECK(task->score && task->in_distribution && task->curves);
    }
    return 0;
}

/* Second pass: the runs with results and the training range. */
static int collect_stats(chomsky_report *r, store *s, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (prepare(r, s, runs_sql, &stmt, err)) return -1;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        chomsky_task *t = &r->tasks[find_task(r, column_text(stmt, 0))];
        const int c = find_config(r, stmt);
        t->score[c].n += sqlite3_column_type(stmt, 4) != SQLITE_NULL;
        t->in_distribution[c].n += sqlite3_column_type(stmt, 5) != SQLITE_NULL;
        if (sqlite3_column_type(stmt, 6) != SQLITE_NULL && sqlite3_column_type(stmt, 7) != SQLITE_NULL) {
            const int lo = sqlite3_column_int(stmt, 6), hi = sqlite3_column_int(stmt, 7);
            if (t->train_max == 0 || lo < t->train_min) t->train_min = lo;
            if (hi > t->train_max) t->train_max = hi;
        }
    }
    if (rc != SQLITE_DONE) return sql_error(s, stmt, err);
    sqlite3_finalize(stmt);
    return 0;
}

static int collect_curves(chomsky_report *r, store *s, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (prepare(r, s, lengths_sql, &stmt, err)) return -1;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        chomsky_task *t = &r->tasks[find_task(r, column_text(stmt, 0))];
        curve_add(&t->curves[find_config(r, stmt)], sqlite3_column_int(stmt, 4),
                  100.0 * sqlite3_column_double(stmt, 5));
    }
    if (rc != SQLITE_DONE) return sql_error(s, stmt, err);
    sqlite3_finalize(stmt);
    return 0;
}

int chomsky_report_load(chomsky_report **out, store *s, const char *suite, bool curves, error_info *err) {
    chomsky_report *r = calloc(1, sizeof *r);
    CHECK(r != NULL);
    snprintf(r->suite, sizeof r->suite, "%s", suite);
    task_places places;
    int status = task_places_load(&places, s, err);
    if (status == 0) {
        status = collect_keys(r, s, &places, err) || collect_stats(r, s, err) || (curves && collect_curves(r, s, err));
        task_places_free(&places);
    }
    if (status) {
        chomsky_report_free(r);
        *out = NULL;
        return -1;
    }
    *out = r;
    return 0;
}

int chomsky_report_tasks(const chomsky_report *r) { return r->n_tasks; }

int chomsky_report_points(const chomsky_report *r) {
    int points = 0;
    for (int t = 0; t < r->n_tasks; t++)
        for (int c = 0; c < r->n_configs; c++) points += r->tasks[t].curves ? r->tasks[t].curves[c].n_points : 0;
    return points;
}

void chomsky_report_free(chomsky_report *r) {
    if (!r) return;
    for (int t = 0; t < r->n_tasks; t++) {
        chomsky_task *task = &r->tasks[t];
        free(task->name);
        free(task->level);
        free(task->score);
        free(task->in_distribution);
        if (task->curves)
            for (int c = 0; c < r->n_configs; c++) free(task->curves[c].points);
        free(task->curves);
    }
    for (int c = 0; c < r->n_configs; c++) {
        free(r->configs[c].mechanism);
        free(r->configs[c].positional);
        free(r->configs[c].label);
    }
    free(r->tasks);
    free(r->configs);
    free(r);
}
