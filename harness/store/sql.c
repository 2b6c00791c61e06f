/* sql.c — the small SQLite helpers every file of the store shares: prepare, step a
 * write, bind text, reals (NaN as NULL) and a run's identity, read a column as text. */
#include <math.h>

#include "core/check.h"
#include "store/store_internal.h"

int store_prepare(store *s, const char *sql, sqlite3_stmt **stmt, error_info *err) {
    if (sqlite3_prepare_v2(s->db, sql, -1, stmt, NULL) != SQLITE_OK)
        return store_fail_sql(s, "cannot prepare statement", err);
    return 0;
}

int store_step_done(store *s, sqlite3_stmt *stmt, const char *what, error_info *err) {
    int rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) {
        store_fail_sql(s, what, err);
        sqlite3_reset(stmt);
        return -1;
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return 0;
}

void store_bind_real(sqlite3_stmt *stmt, int index, double value) {
    if (isnan(value)) sqlite3_bind_null(stmt, index);
    else sqlite3_bind_double(stmt, index, value);
}

void store_bind_text(sqlite3_stmt *stmt, int index, const char *text) {
    sqlite3_bind_text(stmt, index, text, -1, SQLITE_TRANSIENT);
}

const char *store_column_text(sqlite3_stmt *stmt, int column) {
    const unsigned char *text = sqlite3_column_text(stmt, column);
    return text ? (const char *)text : "";
}

void store_bind_identity(sqlite3_stmt *stmt, const run_identity *id) {
    CHECK(id->suite != NULL && id->level != NULL && id->task_order >= 0); /* every run is placed in a suite */
    store_bind_text(stmt, 2, id->config_hash);
    sqlite3_bind_int64(stmt, 3, (sqlite3_int64)id->seed);
    store_bind_text(stmt, 4, id->name);
    store_bind_text(stmt, 5, id->task);
    store_bind_text(stmt, 6, id->task_version);
    store_bind_text(stmt, 7, id->mechanism);
    store_bind_text(stmt, 8, id->suite);
    store_bind_text(stmt, 9, id->level);
    if (id->task_order > 0) sqlite3_bind_int(stmt, 10, id->task_order);
    else sqlite3_bind_null(stmt, 10);
}
