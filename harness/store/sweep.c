/* sweep.c — a sweep's plan in the database, and claiming and taking over its runs.
 *
 * Planning is one BEGIN IMMEDIATE transaction, so two sweeps planning the same grid at
 * once are serialised and the second finds the first's rows. For each entry the row
 * standing for its (config hash, seed) is chosen by how far it got: completed, then
 * diverged, running, planned, dead, failed. Only when there is none is a planned row
 * inserted. A dead row (and a failed one under --rerun-failed) is reset to planned
 * with its partial curves, per-length results and provenance deleted, keeping its id. */
#define _DEFAULT_SOURCE
#include "store/sweep.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/timer.h"
#include "store/store_internal.h"

void store_sweep_id_add(sha256 *h, const char *config_hash, uint64_t seed) {
    char line[96];
    snprintf(line, sizeof line, "%s:%llu\n", config_hash, (unsigned long long)seed);
    sha256_update(h, line, strlen(line));
}

void store_sweep_id_final(sha256 *h, char id[33]) {
    char hex[65];
    sha256_final_hex(h, hex);
    snprintf(id, 33, "%.32s", hex);
}

int store_run_lookup(store *s, const char *hash, uint64_t seed, char id[33], char status[16],
                         error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(s,
                      "SELECT id, status FROM run WHERE config_hash = ?1 AND seed = ?2 ORDER BY "
                      "CASE status WHEN 'completed' THEN 0 WHEN 'diverged' THEN 1 WHEN 'running' THEN 2 "
                      "WHEN 'planned' THEN 3 WHEN 'dead' THEN 4 ELSE 5 END, created_at DESC LIMIT 1",
                      &stmt, err))
        return -1;
    store_bind_text(stmt, 1, hash);
    sqlite3_bind_int64(stmt, 2, (sqlite3_int64)seed);
    int rc = sqlite3_step(stmt);
    id[0] = status[0] = '\0';
    if (rc == SQLITE_ROW) {
        snprintf(id, 33, "%s", store_column_text(stmt, 0));
        snprintf(status, 16, "%s", store_column_text(stmt, 1));
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return store_fail_sql(s, "cannot look up runs", err);
    return 0;
}

static int exec_bound(store *s, const char *sql, const char *id, const char *what, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(s, sql, &stmt, err)) return -1;
    store_bind_text(stmt, 1, id);
    int rc = store_step_done(s, stmt, what, err);
    sqlite3_finalize(stmt);
    return rc;
}

/* Back to planned: what the stopped attempt wrote goes, the row and its id stay. */
static int reset_to_planned(store *s, const char *id, error_info *err) {
    static const char *const clear[] = {
        "DELETE FROM metric WHERE run_id = ?1",
        "DELETE FROM result WHERE run_id = ?1",
        "DELETE FROM length_result WHERE run_id = ?1",
        "DELETE FROM provenance WHERE run_id = ?1",
        "UPDATE run SET status = 'planned', started_at = NULL, finished_at = NULL, heartbeat_at = NULL, "
        "steps_done = 0, wall_seconds = NULL, peak_rss_bytes = NULL, host = NULL, pid = NULL, error = NULL "
        "WHERE id = ?1",
    };
    for (size_t i = 0; i < sizeof clear / sizeof clear[0]; i++)
        if (exec_bound(s, clear[i], id, "cannot reset a run to planned", err)) return -1;
    return 0;
}

static int insert_planned(store *s, const sweep_record *sweep, const run_identity *id, const char *run_id,
                          error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (store_record_config(s, id, err)) return -1;
    if (store_prepare(s,
                      "INSERT INTO run (id, config_hash, seed, name, task, task_version, mechanism, suite, "
                      "level, task_order, status, created_at, sweep_id) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'planned', ?11, ?12)",
                      &stmt, err))
        return -1;
    char now[32];
    timer_utc_iso(now, sizeof now);
    store_bind_text(stmt, 1, run_id);
    store_bind_identity(stmt, id);
    store_bind_text(stmt, 11, now);
    store_bind_text(stmt, 12, sweep->id);
    int rc = store_step_done(s, stmt, "cannot record a planned run", err);
    sqlite3_finalize(stmt);
    return rc;
}

static int plan_entry(store *s, const sweep_record *sweep, sweep_entry *e, bool rerun_failed,
                      sqlite3_stmt *link, error_info *err) {
    if (store_run_lookup(s, e->identity.config_hash, e->identity.seed, e->run_id, e->status, err)) return -1;
    if (!e->run_id[0]) {
        if (store_random_id(e->run_id, err) || insert_planned(s, sweep, &e->identity, e->run_id, err)) return -1;
        snprintf(e->status, sizeof e->status, "planned");
    } else if (strcmp(e->status, "dead") == 0 || (rerun_failed && strcmp(e->status, "failed") == 0)) {
        if (reset_to_planned(s, e->run_id, err)) return -1;
        snprintf(e->status, sizeof e->status, "planned");
    }
    store_bind_text(link, 1, sweep->id);
    store_bind_text(link, 2, e->run_id);
    sqlite3_bind_int(link, 3, e->position);
    store_bind_text(link, 4, e->overrides_json);
    return store_step_done(s, link, "cannot link a run to its sweep", err);
}

int store_sweep_plan(store *s, const sweep_record *sweep, sweep_entry *entries, int n, bool rerun_failed,
                     error_info *err) {
    if (store_begin(s, err)) return -1;
    sqlite3_stmt *stmt = NULL;
    char now[32];
    timer_utc_iso(now, sizeof now);
    int rc = store_prepare(s,
                           "INSERT OR IGNORE INTO sweep (id, created_at, config_json, name, source, planned) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           &stmt, err);
    if (rc == 0) {
        store_bind_text(stmt, 1, sweep->id);
        store_bind_text(stmt, 2, now);
        store_bind_text(stmt, 3, sweep->config_json);
        store_bind_text(stmt, 4, sweep->name);
        store_bind_text(stmt, 5, sweep->source);
        sqlite3_bind_int(stmt, 6, sweep->planned);
        rc = store_step_done(s, stmt, "cannot record the sweep", err);
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    if (rc == 0)
        rc = store_prepare(s,
                           "INSERT OR IGNORE INTO sweep_run (sweep_id, run_id, position, overrides) "
                           "VALUES (?, ?, ?, ?)",
                           &stmt, err);
    for (int i = 0; i < n && rc == 0; i++) rc = plan_entry(s, sweep, &entries[i], rerun_failed, stmt, err);
    sqlite3_finalize(stmt);
    if (rc != 0 || store_commit(s, err) != 0) {
        store_rollback(s);
        return -1;
    }
    return 0;
}

int store_run_claim(store *s, const char *run_id, bool *claimed, error_info *err) {
    char now[32], host[128] = "";
    timer_utc_iso(now, sizeof now);
    gethostname(host, sizeof host - 1);
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(s,
                      "UPDATE run SET status = 'running', started_at = ?2, heartbeat_at = ?2, host = ?3, pid = ?4 "
                      "WHERE id = ?1 AND status = 'planned'",
                      &stmt, err))
        return -1;
    store_bind_text(stmt, 1, run_id);
    store_bind_text(stmt, 2, now);
    store_bind_text(stmt, 3, host);
    sqlite3_bind_int64(stmt, 4, (sqlite3_int64)getpid());
    int rc = store_step_done(s, stmt, "cannot claim a planned run", err);
    sqlite3_finalize(stmt);
    *claimed = rc == 0 && sqlite3_changes(s->db) == 1;
    return rc;
}

/* Inside the take-over transaction: the claimed row matches what this process loaded. */
static int check_claimed(store *s, const char *run_id, const run_identity *id, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(s, "SELECT status, config_hash, seed FROM run WHERE id = ?", &stmt, err)) return -1;
    store_bind_text(stmt, 1, run_id);
    int rc = sqlite3_step(stmt), result = 0;
    if (rc == SQLITE_DONE) {
        result = error_set(err, EXIT_USAGE, "%s: no run %s to take over", s->path, run_id);
    } else if (rc != SQLITE_ROW) {
        result = store_fail_sql(s, "cannot read a claimed run", err);
    } else if (strcmp(store_column_text(stmt, 0), "running") != 0) {
        result = error_set(err, EXIT_RUNTIME, "%s: run %s is %s, not claimed", s->path, run_id,
                           store_column_text(stmt, 0));
    } else if (strcmp(store_column_text(stmt, 1), id->config_hash) != 0 ||
               (uint64_t)sqlite3_column_int64(stmt, 2) != id->seed) {
        result = error_set(err, EXIT_USAGE,
                           "run %s: the config no longer gives the planned run (config hash %.12s, seed %lld "
                           "planned; %.12s, seed %llu now): was the config file edited after planning?",
                           run_id, store_column_text(stmt, 1), (long long)sqlite3_column_int64(stmt, 2),
                           id->config_hash, (unsigned long long)id->seed);
    }
    sqlite3_finalize(stmt);
    return result;
}

int store_run_take(store *s, const char *run_id, const run_identity *id, const provenance *p, error_info *err) {
    if (store_begin(s, err)) return -1;
    sqlite3_stmt *stmt = NULL;
    char now[32];
    timer_utc_iso(now, sizeof now);
    int rc = check_claimed(s, run_id, id, err);
    if (rc == 0)
        rc = store_prepare(s,
                           "UPDATE run SET pid = ?2, host = ?3, started_at = ?4, heartbeat_at = ?4, name = ?5, "
                           "task_version = ?6 WHERE id = ?1",
                           &stmt, err);
    if (rc == 0) {
        store_bind_text(stmt, 1, run_id);
        sqlite3_bind_int64(stmt, 2, (sqlite3_int64)getpid());
        store_bind_text(stmt, 3, p->host);
        store_bind_text(stmt, 4, now);
        store_bind_text(stmt, 5, id->name);
        store_bind_text(stmt, 6, id->task_version);
        rc = store_step_done(s, stmt, "cannot take over a claimed run", err);
    }
    sqlite3_finalize(stmt);
    if (rc == 0) rc = store_record_provenance(s, run_id, p, err);
    if (rc != 0 || store_commit(s, err) != 0) {
        store_rollback(s);
        return -1;
    }
    return 0;
}

int store_run_summary(store *s, const char *run_id, run_summary *out, error_info *err) {
    memset(out, 0, sizeof *out);
    out->test_accuracy = out->eval_accuracy = out->wall_seconds = NAN;
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(s,
                      "SELECT status, error, steps_done, wall_seconds, test_accuracy, eval_accuracy, "
                      "(SELECT count(*) FROM result x WHERE x.run_id = r.id AND x.name = 'sequence_accuracy') "
                      "FROM runs r WHERE id = ?",
                      &stmt, err))
        return -1;
    store_bind_text(stmt, 1, run_id);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        snprintf(out->status, sizeof out->status, "%s", store_column_text(stmt, 0));
        snprintf(out->error, sizeof out->error, "%s", store_column_text(stmt, 1));
        out->steps_done = sqlite3_column_int64(stmt, 2);
        if (sqlite3_column_type(stmt, 3) != SQLITE_NULL) out->wall_seconds = sqlite3_column_double(stmt, 3);
        if (sqlite3_column_type(stmt, 4) != SQLITE_NULL) out->test_accuracy = sqlite3_column_double(stmt, 4);
        if (sqlite3_column_type(stmt, 5) != SQLITE_NULL) out->eval_accuracy = sqlite3_column_double(stmt, 5);
        out->by_length = sqlite3_column_int(stmt, 6) > 0;
    }
    sqlite3_finalize(stmt);
    if (rc == SQLITE_DONE) return error_set(err, EXIT_RUNTIME, "%s: no run %s", s->path, run_id);
    if (rc != SQLITE_ROW) return store_fail_sql(s, "cannot read a run", err);
    return 0;
}
