/* chomsky_runs.c — the Chomsky-hierarchy results as the plots read them, from the
 * database only (never from a run in memory), and the paper's task order and levels,
 * which the leaderboard shares.
 *
 * One SELECT picks the completed runs of the "chomsky/" tasks, the latest of each
 * (config hash, seed), with their configuration keys from the stored config JSON, and
 * counts the runs with results per task and configuration. A second SELECT reads the
 * per-length accuracy of the same runs for the curves. The task's level and number of
 * classes come from the task registry; the row order is the paper's (Delétang et al.
 * 2023, Table 2). */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "report/report_internal.h"
#include "tasks/task.h"

/* The paper's tasks in its order, with their levels (for tasks this build lacks). */
static const struct {
    const char *name, *level;
} paper_tasks[] = {
    {"chomsky/even_pairs", "R"},
    {"chomsky/modular_arithmetic", "R"},
    {"chomsky/parity_check", "R"},
    {"chomsky/cycle_navigation", "R"},
    {"chomsky/stack_manipulation", "DCF"},
    {"chomsky/reverse_string", "DCF"},
    {"chomsky/modular_arithmetic_brackets", "DCF"},
    {"chomsky/solve_equation", "DCF"},
    {"chomsky/duplicate_string", "CS"},
    {"chomsky/missing_duplicate_string", "CS"},
    {"chomsky/odds_first", "CS"},
    {"chomsky/binary_addition", "CS"},
    {"chomsky/binary_multiplication", "CS"},
    {"chomsky/compute_sqrt", "CS"},
    {"chomsky/bucket_sort", "CS"},
};
enum { PAPER_TASKS = (int)(sizeof paper_tasks / sizeof paper_tasks[0]) };

/* The runs that count, with the configuration columns every query starts with. */
#define PICKED_RUNS                                                                          \
    "WITH latest AS (\n"                                                                     \
    "  SELECT r.id, r.task, r.mechanism, c.json,\n"                                          \
    "         row_number() OVER (PARTITION BY r.config_hash, r.seed\n"                       \
    "                            ORDER BY r.finished_at DESC, r.rowid DESC) AS k\n"          \
    "  FROM run r JOIN config c ON c.hash = r.config_hash\n"                                 \
    "  WHERE r.status = 'completed' AND substr(r.task, 1, 8) = 'chomsky/'),\n"               \
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

int chomsky_task_rank(const char *task) {
    for (int i = 0; i < PAPER_TASKS; i++)
        if (strcmp(paper_tasks[i].name, task) == 0) return i;
    return PAPER_TASKS;
}

static int compare_tasks(const void *a, const void *b) {
    const chomsky_task *x = a, *y = b;
    const int i = chomsky_task_rank(x->name), j = chomsky_task_rank(y->name);
    return i != j ? (i < j ? -1 : 1) : strcmp(x->name, y->name);
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

void chomsky_task_describe(const char *name, char level[8], int *classes) {
    const int paper = chomsky_task_rank(name);
    snprintf(level, 8, "%s", paper < PAPER_TASKS ? paper_tasks[paper].level : "?");
    *classes = 0;
    const task_ops *ops = task_find(name);
    if (!ops) return;
    static opt_set defaults;
    opt_set_defaults(&defaults, ops->options, ops->n_options);
    void *state = NULL;
    task_info info = {0};
    error_info err = {0};
    if (ops->init(&state, &defaults, &info, &err) == 0) {
        *classes = info.n_classes;
        if (info.level && info.level[0]) snprintf(level, 8, "%s", info.level);
    }
    ops->free(state);
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
    error_set(err, EXIT_RUNTIME, "chomsky report: %s", sqlite3_errmsg(store_db(s)));
    sqlite3_finalize(stmt);
    return -1;
}

/* First pass: the tasks and configurations, sorted. */
static int collect_keys(chomsky_report *r, store *s, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(store_db(s), runs_sql, -1, &stmt, NULL) != SQLITE_OK) return sql_error(s, stmt, err);
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
    if (r->n_tasks > 0) qsort(r->tasks, (size_t)r->n_tasks, sizeof *r->tasks, compare_tasks);
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
        task->short_name = task->name + strlen("chomsky/");
        chomsky_task_describe(task->name, task->level, &task->classes);
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
    if (sqlite3_prepare_v2(store_db(s), runs_sql, -1, &stmt, NULL) != SQLITE_OK) return sql_error(s, stmt, err);
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
    if (sqlite3_prepare_v2(store_db(s), lengths_sql, -1, &stmt, NULL) != SQLITE_OK) return sql_error(s, stmt, err);
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

int chomsky_report_load(chomsky_report **out, store *s, bool curves, error_info *err) {
    chomsky_report *r = calloc(1, sizeof *r);
    CHECK(r != NULL);
    if (collect_keys(r, s, err) || collect_stats(r, s, err) || (curves && collect_curves(r, s, err))) {
        chomsky_report_free(r);
        *out = NULL;
        return -1;
    }
    *out = r;
    return 0;
}

int chomsky_report_tasks(const chomsky_report *r) { return r->n_tasks; }

void chomsky_report_free(chomsky_report *r) {
    if (!r) return;
    for (int t = 0; t < r->n_tasks; t++) {
        chomsky_task *task = &r->tasks[t];
        free(task->name);
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
