/* task_places.c — where the database places each task in its suite: its level and
 * order, as its runs recorded them from the task's registration (schema 4). Reports sort and
 * label tasks from here, never from the task registry, so a task of a new suite is
 * ordered and labelled in every report by itself, and a database from another build
 * reports what that build recorded.
 *
 * Runs of one task that disagree (a task moved between builds) are read as one: the
 * smallest order and the greatest level text, so the answer does not depend on the
 * order of the rows. Which suite a run belongs to is asked of run.suite directly. */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "report/report_internal.h"

static char *copy(const unsigned char *text) {
    char *c = strdup(text ? (const char *)text : "");
    CHECK(c != NULL);
    return c;
}

int task_places_load(task_places *p, store *s, error_info *err) {
    *p = (task_places){0};
    sqlite3_stmt *stmt = NULL;
    static const char sql[] = "SELECT task, max(level), min(task_order) FROM run GROUP BY task ORDER BY task";
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &stmt, NULL) != SQLITE_OK)
        return error_set(err, EXIT_RUNTIME, "report: %s", sqlite3_errmsg(store_db(s)));
    int rc, capacity = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (p->n == capacity) {
            capacity = capacity ? 2 * capacity : 32;
            p->places = realloc(p->places, (size_t)capacity * sizeof *p->places);
            CHECK(p->places != NULL);
        }
        p->places[p->n++] = (task_place_row){
            .task = copy(sqlite3_column_text(stmt, 0)),
            .level = copy(sqlite3_column_text(stmt, 1)),
            .order = sqlite3_column_type(stmt, 2) == SQLITE_NULL ? 0 : sqlite3_column_int(stmt, 2),
        };
    }
    if (rc != SQLITE_DONE) {
        error_set(err, EXIT_RUNTIME, "report: %s", sqlite3_errmsg(store_db(s)));
        sqlite3_finalize(stmt);
        task_places_free(p);
        return -1;
    }
    sqlite3_finalize(stmt);
    return 0;
}

static const task_place_row *find(const task_places *p, const char *task) {
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->places[i].task, task) == 0) return &p->places[i];
    return NULL;
}

const char *task_places_level(const task_places *p, const char *task) {
    const task_place_row *row = find(p, task);
    return row ? row->level : "";
}

int task_places_compare(const task_places *p, const char *a, const char *b) {
    const task_place_row *x = find(p, a), *y = find(p, b);
    const int i = x && x->order > 0 ? x->order : 0, j = y && y->order > 0 ? y->order : 0;
    if (i != j) return i == 0 ? 1 : j == 0 ? -1 : i < j ? -1 : 1; /* unknown order last */
    return strcmp(a, b);
}

void task_places_free(task_places *p) {
    for (int i = 0; i < p->n; i++) {
        free(p->places[i].task);
        free(p->places[i].level);
    }
    free(p->places);
    *p = (task_places){0};
}
