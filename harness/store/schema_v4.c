/* schema_v4.c — the C step of migration 4 (schema.c): what SQL alone cannot compute,
 * run inside the migration's transaction, so a database is migrated whole or not at all.
 *
 * Runs placed in suites: every task named by a run gets its registered suite, level and
 * order (task_place_find: a task this build lacks gets the text before its '/', no
 * level and no order).
 *
 * Configs re-keyed: the config hash used to cover every key of the canonical JSON; it
 * now covers the config's identity, what differs from the defaults (config_json.c).
 * Each stored JSON, without its sweep (whose values were tried against the sweep's base
 * config, not this run's), is loaded as a config and hashed anew, and its config row
 * and runs move to the new hash. Should two old hashes meet, the smaller JSON is kept. A
 * JSON this build cannot load (a task or option since removed) keeps its hash: it can
 * never run again, so its identity only has to stay unique, and it does.
 *
 * Sweeps renamed: a sweep's id is a hash of its plan's (config hash, seed) list, so a
 * re-keyed plan has another id. Where the database holds the whole plan (a link at
 * every position 0 .. planned − 1), the sweep, its links and its runs' sweep_id take the
 * new id, so the same command names the same sweep again. A shard's database holds part
 * of a plan and keeps the old id; its runs are still found by (config hash, seed). */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "core/check.h"
#include "store/store_internal.h"
#include "store/sweep.h"
#include "tasks/task.h"

static int exec(store *s, const char *sql, error_info *err) {
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_fail_sql(s, "migration to schema version 4 failed", err);
    return 0;
}

/* Run query (its first column a text, bound ?1 = key when key is not NULL); for each
 * row, fill the insert statement from it with fill and step it. */
typedef void (*fill_fn)(sqlite3_stmt *row, sqlite3_stmt *insert);

static int copy_rows(store *s, const char *query, const char *key, const char *insert_sql, fill_fn fill,
                     error_info *err) {
    sqlite3_stmt *rows = NULL, *insert = NULL;
    int rc = store_prepare(s, query, &rows, err);
    if (rc == 0) rc = store_prepare(s, insert_sql, &insert, err);
    if (rc == 0 && key) store_bind_text(rows, 1, key);
    int step = SQLITE_DONE;
    while (rc == 0 && (step = sqlite3_step(rows)) == SQLITE_ROW) {
        fill(rows, insert);
        rc = store_step_done(s, insert, "migration to schema version 4 failed", err);
    }
    if (rc == 0 && step != SQLITE_DONE) rc = store_fail_sql(s, "migration to schema version 4 failed", err);
    sqlite3_finalize(rows);
    sqlite3_finalize(insert);
    return rc;
}

static void fill_place(sqlite3_stmt *row, sqlite3_stmt *insert) {
    const char *task = store_column_text(row, 0);
    task_place place;
    task_place_find(&place, task);
    store_bind_text(insert, 1, task);
    store_bind_text(insert, 2, place.suite);
    store_bind_text(insert, 3, place.level);
    if (place.order > 0) sqlite3_bind_int(insert, 4, place.order);
}

static void fill_rekey(sqlite3_stmt *row, sqlite3_stmt *insert) {
    const char *old = store_column_text(row, 0), *json = store_column_text(row, 1);
    experiment_config *cfg = malloc(sizeof *cfg);
    CHECK(cfg != NULL);
    char hash[65];
    error_info unloadable = {0};
    if (config_load_string(cfg, json, strlen(json), "stored config", NULL, 0, &unloadable) == 0)
        config_hash(cfg, hash);
    else
        snprintf(hash, sizeof hash, "%s", old);
    free(cfg);
    store_bind_text(insert, 1, old);
    store_bind_text(insert, 2, hash);
}

static int place_runs(store *s, error_info *err) {
    if (exec(s, "CREATE TEMP TABLE v4_place (task TEXT PRIMARY KEY, suite TEXT, level TEXT, task_order INTEGER)",
             err) ||
        copy_rows(s, "SELECT DISTINCT task FROM run", NULL,
                  "INSERT INTO temp.v4_place (task, suite, level, task_order) VALUES (?1, ?2, ?3, ?4)", fill_place,
                  err))
        return -1;
    return exec(s,
                "UPDATE run SET suite = p.suite, level = p.level, task_order = p.task_order "
                "FROM temp.v4_place AS p WHERE p.task = run.task;"
                "DROP TABLE temp.v4_place",
                err);
}

static int rekey_configs(store *s, error_info *err) {
    if (exec(s, "CREATE TEMP TABLE v4_rekey (old TEXT PRIMARY KEY, new TEXT NOT NULL)", err) ||
        copy_rows(s, "SELECT hash, json_remove(json, '$.sweep') FROM config", NULL,
                  "INSERT INTO temp.v4_rekey (old, new) VALUES (?1, ?2)", fill_rekey, err))
        return -1;
    return exec(s,
                "DELETE FROM temp.v4_rekey WHERE new = old;"
                "INSERT OR IGNORE INTO config (hash, json) "
                "SELECT k.new, c.json FROM config AS c JOIN temp.v4_rekey AS k ON k.old = c.hash ORDER BY c.json;"
                "UPDATE run SET config_hash = k.new FROM temp.v4_rekey AS k WHERE k.old = run.config_hash;"
                "DELETE FROM config WHERE hash IN (SELECT old FROM temp.v4_rekey) "
                "AND hash NOT IN (SELECT new FROM temp.v4_rekey);"
                "DROP TABLE temp.v4_rekey",
                err);
}

/* The new id of each sweep whose whole plan is linked, from its runs' new hashes. */
static int rename_sweep(store *s, const char *id, sqlite3_stmt *insert, error_info *err) {
    sqlite3_stmt *plan = NULL;
    if (store_prepare(s,
                      "SELECT r.config_hash, r.seed FROM sweep_run AS l JOIN run AS r ON r.id = l.run_id "
                      "WHERE l.sweep_id = ?1 ORDER BY l.position",
                      &plan, err))
        return -1;
    store_bind_text(plan, 1, id);
    sha256 h;
    sha256_init(&h);
    int step;
    while ((step = sqlite3_step(plan)) == SQLITE_ROW)
        store_sweep_id_add(&h, store_column_text(plan, 0), (uint64_t)sqlite3_column_int64(plan, 1));
    sqlite3_finalize(plan);
    if (step != SQLITE_DONE) return store_fail_sql(s, "migration to schema version 4 failed", err);
    char renamed[33];
    store_sweep_id_final(&h, renamed);
    store_bind_text(insert, 1, id);
    store_bind_text(insert, 2, renamed);
    return store_step_done(s, insert, "migration to schema version 4 failed", err);
}

static int rename_sweeps(store *s, error_info *err) {
    static const char whole_plans[] =
        "SELECT s.id FROM sweep AS s JOIN (SELECT sweep_id, count(*) AS n, count(DISTINCT position) AS k, "
        "min(position) AS lo, max(position) AS hi FROM sweep_run GROUP BY sweep_id) AS l ON l.sweep_id = s.id "
        "WHERE l.n = s.planned AND l.k = s.planned AND l.lo = 0 AND l.hi = s.planned - 1";
    sqlite3_stmt *sweeps = NULL, *insert = NULL;
    int rc = exec(s, "CREATE TEMP TABLE v4_sweep (old TEXT PRIMARY KEY, new TEXT NOT NULL)", err);
    if (rc == 0) rc = store_prepare(s, whole_plans, &sweeps, err);
    if (rc == 0) rc = store_prepare(s, "INSERT INTO temp.v4_sweep (old, new) VALUES (?1, ?2)", &insert, err);
    int step = SQLITE_DONE;
    while (rc == 0 && (step = sqlite3_step(sweeps)) == SQLITE_ROW)
        rc = rename_sweep(s, store_column_text(sweeps, 0), insert, err);
    if (rc == 0 && step != SQLITE_DONE) rc = store_fail_sql(s, "migration to schema version 4 failed", err);
    sqlite3_finalize(sweeps);
    sqlite3_finalize(insert);
    if (rc) return -1;
    /* An id already taken, or met twice, is not given: that sweep keeps its old id. */
    return exec(s,
                "DELETE FROM temp.v4_sweep WHERE new = old OR new IN (SELECT id FROM sweep) "
                "OR rowid NOT IN (SELECT min(rowid) FROM temp.v4_sweep GROUP BY new);"
                "UPDATE sweep SET id = k.new FROM temp.v4_sweep AS k WHERE k.old = sweep.id;"
                "UPDATE sweep_run SET sweep_id = k.new FROM temp.v4_sweep AS k WHERE k.old = sweep_run.sweep_id;"
                "UPDATE run SET sweep_id = k.new FROM temp.v4_sweep AS k WHERE k.old = run.sweep_id;"
                "DROP TABLE temp.v4_sweep",
                err);
}

int store_migrate_v4(store *s, error_info *err) {
    /* Keys move in several statements: foreign keys are checked at commit, if at all. */
    return exec(s, "PRAGMA defer_foreign_keys = ON", err) || place_runs(s, err) || rekey_configs(s, err) ||
                   rename_sweeps(s, err)
               ? -1
               : 0;
}
