/* bench.c — rows of the `bench` table: the speed and memory of one training step per
 * mechanism and shape, written by `attnbench bench`.
 *
 * Each row is its own BEGIN IMMEDIATE transaction, so the rows of a long bench are
 * kept as each cell finishes and a later failure (a locked database, a crash) loses
 * none of them. */
#include "core/timer.h"
#include "store/store_internal.h"

static const char insert_sql[] =
    "INSERT INTO bench (run_id, created_at, mechanism, length, batch, dim, heads, layers, "
    "steps_per_second, tokens_per_second, peak_rss_bytes, attention_gflops, threads, host, "
    "implementation, options, mlp_dim, attention_seconds, sgemm_gflops) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";

/* A measurement that was not taken is NULL, not 0. */
static void bind_measured(sqlite3_stmt *stmt, int index, double value) {
    if (value > 0) sqlite3_bind_double(stmt, index, value);
    else sqlite3_bind_null(stmt, index);
}

static void bind_row(sqlite3_stmt *stmt, const bench_row *row, const char *now) {
    sqlite3_bind_text(stmt, 1, row->run_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 3, row->mechanism, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(stmt, 4, row->length);
    sqlite3_bind_int(stmt, 5, row->batch);
    sqlite3_bind_int(stmt, 6, row->dim);
    sqlite3_bind_int(stmt, 7, row->heads);
    sqlite3_bind_int(stmt, 8, row->layers);
    sqlite3_bind_double(stmt, 9, row->steps_per_second);
    sqlite3_bind_double(stmt, 10, row->tokens_per_second);
    sqlite3_bind_double(stmt, 11, row->peak_rss_bytes);
    bind_measured(stmt, 12, row->attention_gflops);
    sqlite3_bind_int(stmt, 13, row->threads);
    sqlite3_bind_text(stmt, 14, row->host, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 15, row->implementation, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 16, row->options ? row->options : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(stmt, 17, row->mlp_dim);
    bind_measured(stmt, 18, row->attention_seconds);
    bind_measured(stmt, 19, row->sgemm_gflops);
}

int store_bench_insert(store *s, const bench_row *row, error_info *err) {
    if (store_begin(s, err) != 0) return -1;
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(s->db, insert_sql, -1, &stmt, NULL) != SQLITE_OK) {
        store_fail_sql(s, "cannot prepare the bench insert", err);
        store_rollback(s);
        return -1;
    }
    char now[32];
    timer_utc_iso(now, sizeof now);
    bind_row(stmt, row, now);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        store_fail_sql(s, "cannot record a bench row", err);
        sqlite3_finalize(stmt);
        store_rollback(s);
        return -1;
    }
    sqlite3_finalize(stmt);
    return store_commit(s, err);
}
