/* run.c — the life of a run in the database: begin, heartbeats, metric curves, and an
 * end that is either `completed` (with every final result) or `failed`/`diverged`.
 *
 * Each write is one BEGIN IMMEDIATE transaction that first checks the run is still
 * `running`, so a run that another process declared dead, or that already ended, is
 * never overwritten. Completion writes the results and the status together: a process
 * killed at any instant leaves either a completed run with all its results or a
 * running one with none. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "core/check.h"
#include "core/timer.h"
#include "store/store_internal.h"

int store_random_id(char id[33], error_info *err) {
    unsigned char bytes[16];
    size_t got = 0;
    while (got < sizeof bytes) {
        ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0)
            return error_set(err, EXIT_RUNTIME, "getrandom: cannot draw a run id: %s",
                             strerror(errno));
        got += (size_t)n;
    }
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < sizeof bytes; i++) {
        id[2 * i] = digits[bytes[i] >> 4];
        id[2 * i + 1] = digits[bytes[i] & 15];
    }
    id[32] = '\0';
    return 0;
}

/* Inside a transaction: fail unless the run exists and is 'running'. */
static int require_running(store *s, const char *run_id, const char *action, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(s, "SELECT status FROM run WHERE id = ?", &stmt, err)) return -1;
    store_bind_text(stmt, 1, run_id);
    int rc = sqlite3_step(stmt);
    int result = 0;
    if (rc == SQLITE_ROW) {
        const char *status = (const char *)sqlite3_column_text(stmt, 0);
        if (strcmp(status, "running") != 0)
            result = error_set(err, EXIT_RUNTIME, "%s: run %s is %s, not running; cannot %s",
                               s->path, run_id, status, action);
    } else if (rc == SQLITE_DONE) {
        result = error_set(err, EXIT_RUNTIME, "%s: no run %s", s->path, run_id);
    } else {
        result = store_fail_sql(s, "cannot read run status", err);
    }
    sqlite3_finalize(stmt);
    return result;
}

int store_record_config(store *s, const run_identity *id, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(s, "INSERT OR IGNORE INTO config (hash, json) VALUES (?, ?)", &stmt, err))
        return -1;
    store_bind_text(stmt, 1, id->config_hash);
    store_bind_text(stmt, 2, id->config_json);
    int rc = store_step_done(s, stmt, "cannot record config", err);
    sqlite3_finalize(stmt);
    return rc;
}

static int insert_run(store *s, const char *run_id, const run_identity *id, const provenance *p,
                      error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(s,
                "INSERT INTO run (id, config_hash, seed, name, task, task_version, mechanism, suite, level, "
                "task_order, status, created_at, started_at, heartbeat_at, host, pid) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'running', ?11, ?11, ?11, ?12, ?13)",
                &stmt, err))
        return -1;
    char now[32];
    timer_utc_iso(now, sizeof now);
    store_bind_text(stmt, 1, run_id);
    store_bind_identity(stmt, id);
    store_bind_text(stmt, 11, now);
    store_bind_text(stmt, 12, p->host);
    sqlite3_bind_int64(stmt, 13, (sqlite3_int64)getpid());
    int rc = store_step_done(s, stmt, "cannot record run", err);
    sqlite3_finalize(stmt);
    return rc;
}

int store_record_provenance(store *s, const char *run_id, const provenance *p, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(s,
                "INSERT INTO provenance (run_id, version, git_commit, compiler, flags, blas, "
                "blas_threads, threads, cpu, cpu_count, host, os) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                &stmt, err))
        return -1;
    store_bind_text(stmt, 1, run_id);
    store_bind_text(stmt, 2, p->version);
    store_bind_text(stmt, 3, p->commit);
    store_bind_text(stmt, 4, p->compiler);
    store_bind_text(stmt, 5, p->flags);
    store_bind_text(stmt, 6, p->blas);
    sqlite3_bind_int(stmt, 7, p->blas_threads);
    sqlite3_bind_int(stmt, 8, p->threads);
    store_bind_text(stmt, 9, p->cpu);
    sqlite3_bind_int(stmt, 10, p->cpu_count);
    store_bind_text(stmt, 11, p->host);
    store_bind_text(stmt, 12, p->os);
    int rc = store_step_done(s, stmt, "cannot record provenance", err);
    sqlite3_finalize(stmt);
    return rc;
}

int store_run_begin(store *s, const run_identity *id, const provenance *p, char run_id[33],
                    error_info *err) {
    char fresh[33];
    if (store_random_id(fresh, err) || store_begin(s, err)) return -1;
    if (store_record_config(s, id, err) || insert_run(s, fresh, id, p, err) ||
        store_record_provenance(s, fresh, p, err) || store_commit(s, err)) {
        store_rollback(s);
        return -1;
    }
    memcpy(run_id, fresh, sizeof fresh);
    return 0;
}

/* UPDATE run SET <assignments> WHERE id = ?1, where the caller binds ?2 onwards. */
typedef void (*bind_fn)(sqlite3_stmt *stmt, const void *ctx);

static int update_run(store *s, const char *run_id, const char *sql, bind_fn bind,
                      const void *ctx, const char *what, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(s, sql, &stmt, err)) return -1;
    store_bind_text(stmt, 1, run_id);
    bind(stmt, ctx);
    int rc = store_step_done(s, stmt, what, err);
    sqlite3_finalize(stmt);
    return rc;
}

typedef struct heartbeat_args {
    int64_t step;
    const char *now;
} heartbeat_args;

static void bind_heartbeat(sqlite3_stmt *stmt, const void *ctx) {
    const heartbeat_args *a = ctx;
    sqlite3_bind_int64(stmt, 2, a->step);
    store_bind_text(stmt, 3, a->now);
}

int store_run_heartbeat(store *s, const char *run_id, int64_t step, error_info *err) {
    char now[32];
    timer_utc_iso(now, sizeof now);
    heartbeat_args args = {step, now};
    if (store_begin(s, err)) return -1;
    if (require_running(s, run_id, "record a heartbeat", err) ||
        update_run(s, run_id, "UPDATE run SET steps_done = ?2, heartbeat_at = ?3 WHERE id = ?1",
                   bind_heartbeat, &args, "cannot record heartbeat", err) ||
        store_commit(s, err)) {
        store_rollback(s);
        return -1;
    }
    return 0;
}

static int insert_metrics(store *s, const char *run_id, int64_t step, const metric_point *points,
                          int n, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(s,
                "INSERT OR REPLACE INTO metric (run_id, step, split, name, value) "
                "VALUES (?, ?, ?, ?, ?)",
                &stmt, err))
        return -1;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        store_bind_text(stmt, 1, run_id);
        sqlite3_bind_int64(stmt, 2, step);
        store_bind_text(stmt, 3, points[i].split);
        store_bind_text(stmt, 4, points[i].name);
        store_bind_real(stmt, 5, points[i].value);
        rc = store_step_done(s, stmt, "cannot record metric", err);
    }
    sqlite3_finalize(stmt);
    return rc;
}

int store_run_metrics(store *s, const char *run_id, int64_t step, const metric_point *points,
                      int n, error_info *err) {
    CHECK(n >= 0);
    if (store_begin(s, err)) return -1;
    if (require_running(s, run_id, "record metrics", err) ||
        insert_metrics(s, run_id, step, points, n, err) || store_commit(s, err)) {
        store_rollback(s);
        return -1;
    }
    return 0;
}

int store_run_lengths(store *s, const char *run_id, const length_point *points, int n, error_info *err) {
    CHECK(n >= 0);
    if (store_begin(s, err)) return -1;
    sqlite3_stmt *stmt = NULL;
    int rc = require_running(s, run_id, "record per-length accuracy", err);
    if (rc == 0)
        rc = store_prepare(s,
                     "INSERT OR REPLACE INTO length_result (run_id, length, split, accuracy, sequence_accuracy, "
                     "examples) VALUES (?, ?, ?, ?, ?, ?)",
                     &stmt, err);
    for (int i = 0; i < n && rc == 0; i++) {
        store_bind_text(stmt, 1, run_id);
        sqlite3_bind_int(stmt, 2, points[i].length);
        store_bind_text(stmt, 3, points[i].split);
        store_bind_real(stmt, 4, points[i].accuracy);
        store_bind_real(stmt, 5, points[i].sequence_accuracy);
        sqlite3_bind_int64(stmt, 6, points[i].examples);
        rc = store_step_done(s, stmt, "cannot record per-length accuracy", err);
    }
    sqlite3_finalize(stmt);
    if (rc != 0 || store_commit(s, err) != 0) {
        store_rollback(s);
        return -1;
    }
    return 0;
}

static int insert_results(store *s, const char *run_id, const result_value *results, int n,
                          error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(s,
                "INSERT OR REPLACE INTO result (run_id, split, name, value) VALUES (?, ?, ?, ?)",
                &stmt, err))
        return -1;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        store_bind_text(stmt, 1, run_id);
        store_bind_text(stmt, 2, results[i].split);
        store_bind_text(stmt, 3, results[i].name);
        store_bind_real(stmt, 4, results[i].value);
        rc = store_step_done(s, stmt, "cannot record result", err);
    }
    sqlite3_finalize(stmt);
    return rc;
}

typedef struct complete_args {
    const char *now;
    int64_t steps_done;
    double wall_seconds;
    double peak_rss_bytes;
} complete_args;

static void bind_complete(sqlite3_stmt *stmt, const void *ctx) {
    const complete_args *a = ctx;
    store_bind_text(stmt, 2, a->now);
    sqlite3_bind_int64(stmt, 3, a->steps_done);
    store_bind_real(stmt, 4, a->wall_seconds);
    store_bind_real(stmt, 5, a->peak_rss_bytes);
}

int store_run_complete(store *s, const char *run_id, const result_value *results, int n,
                       int64_t steps_done, double wall_seconds, double peak_rss_bytes,
                       error_info *err) {
    CHECK(n >= 0);
    char now[32];
    timer_utc_iso(now, sizeof now);
    complete_args args = {now, steps_done, wall_seconds, peak_rss_bytes};
    if (store_begin(s, err)) return -1;
    if (require_running(s, run_id, "complete it", err) ||
        insert_results(s, run_id, results, n, err) ||
        update_run(s, run_id,
                   "UPDATE run SET status = 'completed', finished_at = ?2, heartbeat_at = ?2, "
                   "steps_done = ?3, wall_seconds = ?4, peak_rss_bytes = ?5 WHERE id = ?1",
                   bind_complete, &args, "cannot mark run completed", err) ||
        store_commit(s, err)) {
        store_rollback(s);
        return -1;
    }
    return 0;
}

typedef struct fail_args {
    const char *status;
    const char *message;
    int message_length; /* the first line only */
    const char *now;
    int64_t step;
} fail_args;

static void bind_fail(sqlite3_stmt *stmt, const void *ctx) {
    const fail_args *a = ctx;
    store_bind_text(stmt, 2, a->status);
    sqlite3_bind_text(stmt, 3, a->message, a->message_length, SQLITE_TRANSIENT);
    store_bind_text(stmt, 4, a->now);
    sqlite3_bind_int64(stmt, 5, a->step);
}

int store_run_fail(store *s, const char *run_id, const char *status, int64_t step,
                   const char *message, error_info *err) {
    CHECK(strcmp(status, "failed") == 0 || strcmp(status, "diverged") == 0 || strcmp(status, "dead") == 0);
    char now[32];
    timer_utc_iso(now, sizeof now);
    fail_args args = {status, message, (int)strcspn(message, "\r\n"), now, step};
    if (store_begin(s, err)) return -1;
    if (require_running(s, run_id, "mark it failed", err) ||
        update_run(s, run_id,
                   "UPDATE run SET status = ?2, error = ?3, finished_at = ?4, heartbeat_at = ?4, "
                   "steps_done = ?5 WHERE id = ?1",
                   bind_fail, &args, "cannot mark run failed", err) ||
        store_commit(s, err)) {
        store_rollback(s);
        return -1;
    }
    return 0;
}
