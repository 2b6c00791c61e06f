/* test_store.c — the results database: a run's round trip through tables and views,
 * run ids, refusal of files that are not ours (left byte for byte as they were),
 * newer schemas, lock timeouts, atomic completion under SIGKILL, two writers at once,
 * and the read-only guard and output formats of store_query. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/timer.h"
#include "store/store.h"
#include "store/store_internal.h"
#include "testing.h"

#define RESULTS_PER_RUN 200

static const char *temp_path(const char *name) {
    static char paths[32][512];
    static int next;
    char *path = paths[next++ % 32];
    snprintf(path, sizeof paths[0], "%s/%s", test_temp_dir(), name);
    return path;
}

static const run_identity identity = {
    .config_json = "{\"task\":{\"name\":\"lra/listops\"}}",
    .config_hash = "c0ffee",
    .seed = 3,
    .name = "listops-full",
    .task = "lra/listops",
    .task_version = "1",
    .mechanism = "full",
    .suite = "lra",
    .level = "",
    .task_order = 1,
};

/* Whole file contents, for "left untouched" checks; *size receives the length. */
static char *slurp(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *data = NULL;
    size_t used = 0, capacity = 0, got;
    char chunk[4096];
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (used + got > capacity) {
            capacity = 2 * (used + got);
            data = realloc(data, capacity);
        }
        memcpy(data + used, chunk, got);
        used += got;
    }
    fclose(f);
    *size = used;
    return data ? data : calloc(1, 1);
}

static long long sql_int(sqlite3 *db, const char *sql) {
    sqlite3_stmt *stmt = NULL;
    long long value = -999;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        value = sqlite3_column_int64(stmt, 0);
    else
        printf("  (sql failed: %s: %s)\n", sql, sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    return value;
}

static double sql_double(sqlite3 *db, const char *sql) {
    sqlite3_stmt *stmt = NULL;
    double value = -999;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW)
        value = sqlite3_column_double(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
}

/* First column of the first row as text ("(null)" for NULL, "(none)" without a row). */
static const char *sql_text(sqlite3 *db, const char *sql) {
    static char text[4][1024];
    static int next;
    char *out = text[next++ % 4];
    sqlite3_stmt *stmt = NULL;
    snprintf(out, sizeof text[0], "(none)");
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
        const unsigned char *v = sqlite3_column_text(stmt, 0);
        snprintf(out, sizeof text[0], "%s", v ? (const char *)v : "(null)");
    }
    sqlite3_finalize(stmt);
    return out;
}

static void check_text(const char *got, const char *expected, const char *what) {
    test_check(strcmp(got, expected) == 0, what, "got \"%s\", expected \"%s\"", got, expected);
}

static bool is_hex32(const char *id) {
    if (strlen(id) != 32) return false;
    for (int i = 0; i < 32; i++)
        if (!strchr("0123456789abcdef", id[i])) return false;
    return true;
}

static void fill_results(result_value *results) {
    static char names[RESULTS_PER_RUN][16];
    for (int i = 0; i < RESULTS_PER_RUN; i++) {
        snprintf(names[i], sizeof names[i], "r%03d", i);
        results[i] = (result_value){"test", names[i], i / 1000.0};
    }
    results[0].name = "accuracy";
    results[1] = (result_value){"eval", "accuracy", 0.5};
}

static void test_round_trip(void) {
    const char *path = temp_path("round_trip.sqlite");
    error_info err = {0};
    store *s = NULL;
    if (!test_check(store_open(&s, path, false, &err) == 0, "open a new database", "%s",
                    err.message))
        return;
    sqlite3 *db = store_db(s);
    check_text(sql_text(db, "PRAGMA journal_mode"), "wal", "journal mode is WAL");
    test_check(sql_int(db, "PRAGMA application_id") == STORE_APPLICATION_ID,
               "application_id stamped", "got %lld", sql_int(db, "PRAGMA application_id"));
    test_check(sql_int(db, "PRAGMA user_version") == STORE_SCHEMA_VERSION,
               "user_version is current", "got %lld", sql_int(db, "PRAGMA user_version"));
    test_check(sql_int(db, "PRAGMA foreign_keys") == 1, "foreign keys on", NULL);

    provenance p;
    provenance_collect(&p, 2);
    test_check(p.cpu_count > 0 && p.host[0] && p.os[0] && p.compiler[0] && p.version[0],
               "provenance collected", "cpu_count %d host '%s' os '%s' compiler '%s'", p.cpu_count,
               p.host, p.os, p.compiler);
    char run_id[33];
    char before[32];
    timer_utc_iso(before, sizeof before);
    if (!test_check(store_run_begin(s, &identity, &p, run_id, &err) == 0, "begin a run", "%s",
                    err.message))
        return;
    test_check(is_hex32(run_id), "run id is 32 hex digits", "got '%s'", run_id);
    for (int step = 0; step < 5; step++) {
        metric_point points[] = {{"train", "loss", 2.0 - step * 0.25}, {"train", "lr", 1e-3}};
        test_check(store_run_metrics(s, run_id, step * 10, points, 2, &err) == 0, "record metrics",
                   "%s", err.message);
    }
    test_check(store_run_heartbeat(s, run_id, 40, &err) == 0, "heartbeat", "%s", err.message);
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT steps_done FROM run WHERE id = '%s'", run_id);
    test_check(sql_int(db, sql) == 40, "heartbeat recorded steps_done", "got %lld",
               sql_int(db, sql));

    result_value results[RESULTS_PER_RUN];
    fill_results(results);
    results[0].value = 0.75;
    test_check(store_run_complete(s, run_id, results, RESULTS_PER_RUN, 50, 12.5, 1.5e8, &err) == 0,
               "complete the run", "%s", err.message);

    static const struct {
        const char *column, *expected;
    } text_fields[] = {
        {"config_hash", "c0ffee"},
        {"name", "listops-full"},
        {"task", "lra/listops"},
        {"task_version", "1"},
        {"mechanism", "full"},
        {"status", "completed"},
        {"seed", "3"},
        {"steps_done", "50"},
        {"error", "(null)"},
        {"sweep_id", "(null)"},
    };
    for (size_t i = 0; i < sizeof text_fields / sizeof text_fields[0]; i++) {
        snprintf(sql, sizeof sql, "SELECT %s FROM run WHERE id = '%s'", text_fields[i].column,
                 run_id);
        char what[128];
        snprintf(what, sizeof what, "run.%s", text_fields[i].column);
        check_text(sql_text(db, sql), text_fields[i].expected, what);
    }
    snprintf(sql, sizeof sql, "SELECT wall_seconds FROM run WHERE id = '%s'", run_id);
    test_near(sql_double(db, sql), 12.5, 0, "run.wall_seconds");
    snprintf(sql, sizeof sql, "SELECT peak_rss_bytes FROM run WHERE id = '%s'", run_id);
    test_near(sql_double(db, sql), 1.5e8, 0, "run.peak_rss_bytes");
    snprintf(sql, sizeof sql, "SELECT pid FROM run WHERE id = '%s'", run_id);
    test_check(sql_int(db, sql) == getpid(), "run.pid is this process", "got %lld",
               sql_int(db, sql));
    snprintf(sql, sizeof sql, "SELECT host FROM run WHERE id = '%s'", run_id);
    check_text(sql_text(db, sql), p.host, "run.host");
    static const char *const time_columns[] = {"created_at", "started_at", "heartbeat_at",
                                               "finished_at"};
    for (int i = 0; i < 4; i++) {
        snprintf(sql, sizeof sql, "SELECT %s FROM run WHERE id = '%s'", time_columns[i], run_id);
        const char *t = sql_text(db, sql);
        test_check(strlen(t) == 24 && t[10] == 'T' && t[23] == 'Z' && strcmp(t, before) >= 0,
                   time_columns[i], "got '%s', expected ISO-8601 UTC not before %s", t, before);
    }
    snprintf(sql, sizeof sql, "SELECT json FROM config WHERE hash = 'c0ffee'");
    check_text(sql_text(db, sql), identity.config_json, "config.json");

    static const char *const prov_columns[] = {"version", "git_commit", "compiler", "flags",
                                               "blas",    "cpu",        "host",     "os"};
    const char *prov_values[] = {p.version, p.commit, p.compiler, p.flags,
                                 p.blas,    p.cpu,    p.host,     p.os};
    for (int i = 0; i < 8; i++) {
        snprintf(sql, sizeof sql, "SELECT %s FROM provenance WHERE run_id = '%s'", prov_columns[i],
                 run_id);
        char what[64];
        snprintf(what, sizeof what, "provenance.%s", prov_columns[i]);
        check_text(sql_text(db, sql), prov_values[i], what);
    }
    snprintf(sql, sizeof sql,
             "SELECT blas_threads || ',' || threads || ',' || cpu_count FROM provenance WHERE "
             "run_id = '%s'",
             run_id);
    char expected[64];
    snprintf(expected, sizeof expected, "%d,%d,%d", p.blas_threads, p.threads, p.cpu_count);
    check_text(sql_text(db, sql), expected, "provenance thread and cpu counts");

    snprintf(sql, sizeof sql, "SELECT count(*) FROM metric WHERE run_id = '%s'", run_id);
    test_check(sql_int(db, sql) == 10, "10 metric rows", "got %lld", sql_int(db, sql));
    snprintf(sql, sizeof sql,
             "SELECT value FROM metric WHERE run_id = '%s' AND step = 30 AND split = 'train' AND "
             "name = 'loss'",
             run_id);
    test_near(sql_double(db, sql), 1.25, 0, "metric loss at step 30");
    snprintf(sql, sizeof sql, "SELECT count(*) FROM result WHERE run_id = '%s'", run_id);
    test_check(sql_int(db, sql) == RESULTS_PER_RUN, "all results written", "got %lld",
               sql_int(db, sql));
    snprintf(sql, sizeof sql,
             "SELECT value FROM result WHERE run_id = '%s' AND split = 'test' AND name = 'r123'",
             run_id);
    test_near(sql_double(db, sql), 0.123, 0, "result test/r123");

    snprintf(
        sql, sizeof sql,
        "SELECT name || '|' || task || '|' || mechanism || '|' || seed || '|' || status || '|' || "
        "config_hash || '|' || steps_done || '|' || wall_seconds || '|' || test_accuracy || '|' || "
        "eval_accuracy || '|' || (finished_at IS NOT NULL) || '|' || (created_at IS NOT NULL) "
        "FROM runs WHERE id = '%s'",
        run_id);
    check_text(sql_text(db, sql),
               "listops-full|lra/listops|full|3|completed|c0ffee|50|12.5|0.75|0.5|1|1",
               "view runs");
    snprintf(
        sql, sizeof sql,
        "SELECT name || '|' || task || '|' || mechanism || '|' || seed || '|' || status || '|' || "
        "split || '|' || metric || '|' || value FROM results WHERE run_id = '%s' AND metric = "
        "'accuracy' "
        "ORDER BY split",
        run_id);
    check_text(sql_text(db, sql), "listops-full|lra/listops|full|3|completed|eval|accuracy|0.5",
               "view results (eval accuracy row)");
    snprintf(sql, sizeof sql, "SELECT count(*) FROM results WHERE run_id = '%s'", run_id);
    test_check(sql_int(db, sql) == RESULTS_PER_RUN, "view results has a row per result", "got %lld",
               sql_int(db, sql));

    err = (error_info){0};
    int rc = store_run_complete(s, run_id, results, 1, 50, 1, 1, &err);
    char want[512];
    snprintf(want, sizeof want, "%s: run %s is completed, not running; cannot complete it", path,
             run_id);
    test_check(rc == -1 && err.status == EXIT_RUNTIME && strcmp(err.message, want) == 0,
               "completing a completed run is refused", "rc %d status %d message '%s'", rc,
               err.status, err.message);
    err = (error_info){0};
    rc = store_run_metrics(s, "0123", 1, (metric_point[]){{"train", "loss", 1}}, 1, &err);
    snprintf(want, sizeof want, "%s: no run 0123", path);
    test_check(rc == -1 && strcmp(err.message, want) == 0, "metrics for a missing run are refused",
               "rc %d message '%s'", rc, err.message);

    /* A failed run keeps only the first line of its error. */
    char failed_id[33];
    test_check(store_run_begin(s, &identity, &p, failed_id, &err) == 0, "begin a second run", "%s",
               err.message);
    test_check(store_run_fail(s, failed_id, "diverged", 17, "loss is NaN at step 17\nsecond line",
                              &err) == 0,
               "mark it diverged", "%s", err.message);
    snprintf(
        sql, sizeof sql,
        "SELECT status || '|' || error || '|' || steps_done || '|' || (finished_at IS NOT NULL) "
        "FROM run WHERE id = '%s'",
        failed_id);
    check_text(sql_text(db, sql), "diverged|loss is NaN at step 17|17|1", "failed run row");
    test_check(sql_int(db, "SELECT count(*) FROM config") == 1, "config stored once for two runs",
               "got %lld", sql_int(db, "SELECT count(*) FROM config"));
    store_close(s);

    /* Reopening (read-only and read-write) finds everything as it was. */
    test_check(store_open(&s, path, true, &err) == 0, "reopen read-only", "%s", err.message);
    if (s) {
        test_check(sql_int(store_db(s), "SELECT count(*) FROM runs") == 2,
                   "two runs after reopening", NULL);
        store_close(s);
    }
    test_check(store_open(&s, path, false, &err) == 0, "reopen read-write", "%s", err.message);
    store_close(s);
}

static void test_run_ids_unique(void) {
    error_info err = {0};
    store *s = NULL;
    if (!test_check(store_open(&s, temp_path("ids.sqlite"), false, &err) == 0, "open ids database",
                    "%s", err.message))
        return;
    provenance p;
    provenance_collect(&p, 1);
    enum { N = 64 };
    char ids[N][33];
    bool all_hex = true, unique = true;
    for (int i = 0; i < N; i++) {
        if (store_run_begin(s, &identity, &p, ids[i], &err) != 0) {
            test_check(false, "begin run for id test", "%s", err.message);
            break;
        }
        all_hex = all_hex && is_hex32(ids[i]);
        for (int j = 0; j < i; j++) unique = unique && strcmp(ids[i], ids[j]) != 0;
    }
    test_check(all_hex, "64 run ids are 32 lowercase hex digits", "e.g. '%s'", ids[0]);
    test_check(unique, "64 run ids are distinct", NULL);
    store_close(s);
}

/* store_open must fail with exactly `expected` and leave the file's bytes alone. */
static void expect_refused(const char *path, bool read_only, const char *expected,
                           const char *what) {
    size_t size_before = 0, size_after = 0;
    char *before = slurp(path, &size_before);
    error_info err = {0};
    store *s = NULL;
    int rc = store_open(&s, path, read_only, &err);
    test_check(
        rc == -1 && s == NULL && err.status == EXIT_RUNTIME && strcmp(err.message, expected) == 0,
        what, "rc %d status %d message '%s', expected '%s'", rc, err.status, err.message, expected);
    store_close(s);
    char *after = slurp(path, &size_after);
    if (before) {
        char label[256];
        snprintf(label, sizeof label, "%s: file bytes unchanged", what);
        test_check(after && size_after == size_before && memcmp(before, after, size_before) == 0,
                   label, "%zu bytes before, %zu after", size_before, size_after);
    }
    free(before);
    free(after);
}

static void make_sqlite(const char *path, int application_id, const char *sql) {
    sqlite3 *db = NULL;
    sqlite3_open(path, &db);
    char pragma[64];
    snprintf(pragma, sizeof pragma, "PRAGMA application_id = %d", application_id);
    sqlite3_exec(db, pragma, NULL, NULL, NULL);
    if (sql) sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
}

static void test_refusals(void) {
    char expected[1024];
    const char *foreign = temp_path("foreign.sqlite");
    make_sqlite(foreign, 0, "CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('mine');");
    snprintf(expected, sizeof expected,
             "%s: not an attnbench database (application_id 0x00000000); refusing to touch it",
             foreign);
    expect_refused(foreign, false, expected,
                   "SQLite file with tables and application_id 0 refused");
    expect_refused(foreign, true, expected, "same file refused read-only");

    const char *other = temp_path("other.sqlite");
    make_sqlite(other, 0x12345678, "CREATE TABLE t (x)");
    snprintf(expected, sizeof expected,
             "%s: not an attnbench database (application_id 0x12345678); refusing to touch it",
             other);
    expect_refused(other, false, expected, "SQLite file of another application refused");

    const char *other_wal = temp_path("other_wal.sqlite");
    make_sqlite(other_wal, 0x0BADF00D, "PRAGMA journal_mode = WAL; CREATE TABLE t (x)");
    snprintf(expected, sizeof expected,
             "%s: not an attnbench database (application_id 0x0badf00d); refusing to touch it",
             other_wal);
    expect_refused(other_wal, false, expected, "WAL file of another application refused");

    char shm[600];
    snprintf(shm, sizeof shm, "%s-shm", other_wal);
    test_check(access(shm, F_OK) != 0, "SQLite never opened the foreign WAL file (no -shm left)",
               NULL);

    /* A header still in the WAL: the file on disk says application_id 0 and no tables. */
    const char *stale = temp_path("stale_header.sqlite");
    sqlite3 *holder = NULL;
    sqlite3_open(stale, &holder);
    sqlite3_exec(holder,
                 "PRAGMA journal_mode = WAL; PRAGMA application_id = 305419896;"
                 "CREATE TABLE t (x)",
                 NULL, NULL, NULL);
    snprintf(expected, sizeof expected,
             "%s: not an attnbench database (application_id 0x12345678); refusing to touch it",
             stale);
    expect_refused(stale, false, expected, "foreign file whose header is still in its WAL refused");
    sqlite3_close(holder);

    const char *text = temp_path("notes.txt");
    FILE *f = fopen(text, "w");
    fputs("These are my notes, not a database.\n", f);
    fclose(f);
    snprintf(expected, sizeof expected, "%s: not an attnbench database (file is not a database)",
             text);
    expect_refused(text, false, expected, "non-SQLite file refused");

    const char *short_file = temp_path("short.bin");
    f = fopen(short_file, "w");
    fputs("SQLite", f);
    fclose(f);
    snprintf(expected, sizeof expected, "%s: not an attnbench database (file is not a database)",
             short_file);
    expect_refused(short_file, false, expected, "truncated header refused");

    const char *newer = temp_path("newer.sqlite");
    error_info err = {0};
    store *s = NULL;
    test_check(store_open(&s, newer, false, &err) == 0, "create database to age", "%s",
               err.message);
    store_close(s);
    sqlite3 *db = NULL;
    sqlite3_open(newer, &db);
    sqlite3_exec(db, "PRAGMA user_version = 7", NULL, NULL, NULL);
    sqlite3_close(db);
    snprintf(expected, sizeof expected,
             "%s: database schema version 7 is newer than this attnbench supports (%d); upgrade "
             "attnbench",
             newer, STORE_SCHEMA_VERSION);
    expect_refused(newer, false, expected, "newer schema refused");
    expect_refused(newer, true, expected, "newer schema refused read-only");

    const char *missing_dir = temp_path("no/such/dir/x.sqlite");
    snprintf(expected, sizeof expected, "%s: cannot create database: No such file or directory",
             missing_dir);
    expect_refused(missing_dir, false, expected, "missing parent directory");

    const char *missing = temp_path("missing.sqlite");
    snprintf(expected, sizeof expected, "%s: no such database", missing);
    expect_refused(missing, true, expected, "read-only open of a missing file");
    test_check(access(missing, F_OK) != 0, "read-only open did not create the file", NULL);

    const char *empty = temp_path("empty.sqlite");
    fclose(fopen(empty, "w"));
    snprintf(expected, sizeof expected, "%s: empty database (nothing recorded yet)", empty);
    expect_refused(empty, true, expected, "read-only open of an empty file");
    test_check(store_open(&s, empty, false, &err) == 0, "empty file is treated as new", "%s",
               err.message);
    if (s) {
        test_check(sql_int(store_db(s), "SELECT count(*) FROM sqlite_master WHERE name = 'run'") ==
                       1,
                   "empty file got the schema", NULL);
        store_close(s);
    }

    /* An attnbench file at version 0 (stamped, no tables) is migrated forward. */
    const char *old = temp_path("old.sqlite");
    make_sqlite(old, STORE_APPLICATION_ID, NULL);
    snprintf(expected, sizeof expected,
             "%s: database schema version 0 is older than this attnbench expects (%d); "
             "record a run with it to migrate it",
             old, STORE_SCHEMA_VERSION);
    expect_refused(old, true, expected, "read-only open of an older schema");
    test_check(store_open(&s, old, false, &err) == 0, "older schema opens read-write", "%s",
               err.message);
    if (s) {
        db = store_db(s);
        test_check(sql_int(db, "PRAGMA user_version") == STORE_SCHEMA_VERSION,
                   "older schema migrated", "user_version %lld",
                   sql_int(db, "PRAGMA user_version"));
        test_check(sql_int(db, "SELECT count(*) FROM sqlite_master WHERE type = 'view'") == 2,
                   "migration created both views", NULL);
        store_close(s);
    }
}

/* A version-1 database holding a completed run (the schema of migration 1 alone) is
 * migrated to the current version with its rows intact and the new columns present. */
static void test_migrate_with_rows(void) {
    const char *path = temp_path("v1.sqlite");
    make_sqlite(path, STORE_APPLICATION_ID, NULL);
    sqlite3 *db = NULL;
    sqlite3_open(path, &db);
    sqlite3_exec(db, store_migrations[0].sql, NULL, NULL, NULL);
    sqlite3_exec(db,
                 "INSERT INTO config VALUES ('h', '{}');"
                 "INSERT INTO run (id, config_hash, seed, name, task, task_version, mechanism, status, created_at) "
                 "VALUES ('r1', 'h', 3, 'n', 'lra/listops', '1', 'full', 'completed', '2024-01-01T00:00:00.000Z');"
                 "INSERT INTO result VALUES ('r1', 'test', 'accuracy', 0.5);"
                 "PRAGMA user_version = 1;",
                 NULL, NULL, NULL);
    sqlite3_close(db);
    store *s = NULL;
    error_info err = {0};
    test_check(store_open(&s, path, false, &err) == 0, "a version-1 database with a run opens", "%s", err.message);
    if (!s) return;
    db = store_db(s);
    test_check(sql_int(db, "PRAGMA user_version") == STORE_SCHEMA_VERSION, "version 1 migrated to current", NULL);
    test_check(sql_double(db, "SELECT test_accuracy FROM runs WHERE id = 'r1' AND sweep_id IS NULL") == 0.5,
               "its run and result are in the new `runs` view", NULL);
    test_check(sql_int(db, "SELECT count(*) FROM sweep_run") == 0 &&
                   sql_int(db, "SELECT count(*) FROM pragma_table_info('sweep') WHERE name = 'planned'") == 1,
               "the sweep tables of migration 2 exist", NULL);
    test_check(sql_int(db, "SELECT count(*) FROM runs WHERE id = 'r1' AND suite = 'lra' AND level = '' AND "
                           "task_order = 1") == 1,
               "migration 4 places its run: suite lra, no level, first", NULL);
    test_check(sql_int(db, "SELECT count(*) FROM run r JOIN config c ON c.hash = r.config_hash WHERE c.hash = 'h'") == 1,
               "a config this build cannot load ({}) keeps its hash", NULL);
    store_close(s);
}

static void test_locked(void) {
    const char *path = temp_path("locked.sqlite");
    error_info err = {0};
    store *s = NULL;
    if (!test_check(store_open(&s, path, false, &err) == 0, "open database to lock", "%s",
                    err.message))
        return;
    provenance p;
    provenance_collect(&p, 1);
    char run_id[33];
    store_run_begin(s, &identity, &p, run_id, &err);
    sqlite3 *other = NULL;
    sqlite3_open(path, &other);
    test_check(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK,
               "another connection holds the write lock", NULL);
    store_set_busy_timeout(s, 200);
    double start = timer_now();
    int rc = store_run_heartbeat(s, run_id, 1, &err);
    double waited = timer_now() - start;
    char expected[1024];
    snprintf(expected, sizeof expected, "%s: database is locked by another process (waited 0.2 s)",
             path);
    test_check(rc == -1 && err.status == EXIT_RUNTIME && strcmp(err.message, expected) == 0,
               "write under a held lock fails after the timeout", "rc %d message '%s'", rc,
               err.message);
    test_check(waited >= 0.15, "it waited for the lock", "waited %.3f s", waited);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    test_check(store_run_heartbeat(s, run_id, 2, &err) == 0, "write succeeds once the lock is gone",
               "%s", err.message);
    store_close(s);
}

/* The body of a writer process: one run, metric curves, then 200 results. When
 * notify_fd is not -1 it receives the time (timer_now, a system-wide monotonic clock)
 * just before the completing transaction and just after it. */
static int writer_child(const char *path, int steps, int notify_fd) {
    error_info err = {0};
    store *s = NULL;
    provenance p;
    provenance_collect(&p, 1);
    char run_id[33];
    if (store_open(&s, path, false, &err) || store_run_begin(s, &identity, &p, run_id, &err))
        goto fail;
    for (int step = 0; step < steps; step++) {
        metric_point points[] = {{"train", "loss", 1.0 / (step + 1)},
                                 {"train", "lr", 1e-3},
                                 {"eval", "accuracy", step / 100.0}};
        if (store_run_metrics(s, run_id, step, points, 3, &err)) goto fail;
    }
    result_value results[RESULTS_PER_RUN];
    fill_results(results);
    double now = timer_now();
    if (notify_fd != -1 && write(notify_fd, &now, sizeof now) != sizeof now) return 1;
    if (store_run_complete(s, run_id, results, RESULTS_PER_RUN, steps, 1.0, 1e6, &err)) goto fail;
    now = timer_now();
    if (notify_fd != -1 && write(notify_fd, &now, sizeof now) != sizeof now) return 1;
    store_close(s);
    return 0;
fail:
    fprintf(stderr, "writer %d: %s\n", (int)getpid(), err.message);
    store_close(s);
    return 1;
}

/* Start a writer; *notify_fd receives the read end of its timing pipe. */
static pid_t start_writer(const char *path, int steps, int *notify_fd) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        _exit(writer_child(path, steps, fds[1]));
    }
    close(fds[1]);
    *notify_fd = fds[0];
    return pid;
}

static bool read_time(int fd, double *t) { return read(fd, t, sizeof *t) == sizeof *t; }

static void sleep_seconds(double seconds) {
    if (seconds <= 0) return;
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&ts, NULL);
}

/* Every run is either completed with all its results or not completed with none. */
static bool runs_whole(const char *path, int *completed, int *runs, char *detail, size_t size) {
    store *s = NULL;
    error_info err = {0};
    if (store_open(&s, path, false, &err)) {
        snprintf(detail, size, "reopen failed: %.300s", err.message);
        return false;
    }
    sqlite3 *db = store_db(s);
    *completed = (int)sql_int(db, "SELECT count(*) FROM run WHERE status = 'completed'");
    *runs = (int)sql_int(db, "SELECT count(*) FROM run");
    char sql[256];
    snprintf(
        sql, sizeof sql,
        "SELECT count(*) FROM run r WHERE (SELECT count(*) FROM result x WHERE x.run_id = r.id) "
        "!= CASE WHEN r.status = 'completed' THEN %d ELSE 0 END",
        RESULTS_PER_RUN);
    long long broken = sql_int(db, sql);
    const char *integrity = sql_text(db, "PRAGMA integrity_check");
    snprintf(detail, size, "%lld runs with a partial result set; integrity '%.200s'", broken,
             integrity);
    bool ok = broken == 0 && strcmp(integrity, "ok") == 0;
    store_close(s);
    return ok;
}

/* Kill writers with SIGKILL at delays spread over their whole life (even rounds) and
 * over their completing transaction alone (odd rounds, timed from the writer's clock). */
static void test_killed_writer(void) {
    const char *path = temp_path("killed.sqlite");
    enum { STEPS = 30, KILLS = 40 };
    int notify_fd = -1, status = 0;
    double before = 0, after = 0;
    double start = timer_now();
    pid_t pid = start_writer(path, STEPS, &notify_fd);
    bool notified = read_time(notify_fd, &before) && read_time(notify_fd, &after);
    double completion = after - before;
    waitpid(pid, &status, 0);
    double lifetime = timer_now() - start;
    close(notify_fd);
    test_check(notified && WIFEXITED(status) && WEXITSTATUS(status) == 0,
               "an uninterrupted writer completes", "status %d", status);
    printf("     writer lifetime %.1f ms, completing transaction %.2f ms\n", lifetime * 1e3,
           completion * 1e3);

    unsigned long long rng = 0x9E3779B97F4A7C15ull;
    int killed = 0, finished = 0;
    bool invariant = true;
    char detail[512] = "";
    for (int i = 0; i < KILLS && invariant; i++) {
        rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
        bool in_completion = i % 2 == 1;
        double window = in_completion ? 1.5 * completion : 1.2 * lifetime;
        int slot = i / 2, slots = KILLS / 2;
        double delay = window / slots * (slot + (double)(rng % 1000) / 1000.0);
        pid = start_writer(path, STEPS, &notify_fd);
        if (in_completion) {
            if (read_time(notify_fd, &before))
                delay -= timer_now() - before;
            else {
                invariant = false;
                snprintf(detail, sizeof detail, "writer %d never reached completion", i);
            }
        }
        sleep_seconds(delay);
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        close(notify_fd);
        if (WIFSIGNALED(status))
            killed++;
        else if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            finished++;
        else {
            invariant = false;
            snprintf(detail, sizeof detail, "writer %d failed on its own (status %d)", i, status);
        }
        int completed, runs;
        if (invariant) invariant = runs_whole(path, &completed, &runs, detail, sizeof detail);
    }
    printf("     %d writers killed, %d finished before the signal\n", killed, finished);
    test_check(invariant, "after every SIGKILL each run is completed with all results or has none",
               "%s", detail);
    int completed = 0, runs = 0;
    runs_whole(path, &completed, &runs, detail, sizeof detail);
    printf("     %d runs begun, %d completed\n", runs, completed);
    test_check(runs > completed, "some writers were killed before completing their run",
               "%d runs, %d completed", runs, completed);
    test_check(completed >= 1 + finished && completed <= 1 + finished + killed,
               "every writer that exited completed its run", "completed %d, finished %d, killed %d",
               completed, finished, killed);
}

static void test_two_writers(void) {
    for (int round = 0; round < 3; round++) {
        char name[64];
        snprintf(name, sizeof name, "two_writers_%d.sqlite", round);
        const char *path = temp_path(name); /* does not exist yet: both create it */
        pid_t a = fork();
        if (a == 0) _exit(writer_child(path, 40, -1));
        pid_t b = fork();
        if (b == 0) _exit(writer_child(path, 40, -1));
        int status_a = 0, status_b = 0;
        waitpid(a, &status_a, 0);
        waitpid(b, &status_b, 0);
        char what[128];
        snprintf(what, sizeof what, "round %d: two concurrent writers both succeed", round);
        test_check(WIFEXITED(status_a) && WEXITSTATUS(status_a) == 0 && WIFEXITED(status_b) &&
                       WEXITSTATUS(status_b) == 0,
                   what, "status %d and %d", status_a, status_b);
        store *s = NULL;
        error_info err = {0};
        if (store_open(&s, path, true, &err) == 0) {
            sqlite3 *db = store_db(s);
            long long completed =
                sql_int(db, "SELECT count(*) FROM run WHERE status = 'completed'");
            long long metrics = sql_int(db, "SELECT count(*) FROM metric");
            snprintf(what, sizeof what, "round %d: both runs completed with all metrics", round);
            test_check(completed == 2 && metrics == 2 * 40 * 3, what,
                       "completed %lld, metric rows %lld", completed, metrics);
            store_close(s);
        } else {
            test_check(false, "open after two writers", "%s", err.message);
        }
    }
}

/* Run store_query into a string; returns its status and fills err. */
static int query_to_string(store *s, const char *sql, enum query_format format, char **text,
                           error_info *err) {
    size_t size = 0;
    FILE *out = open_memstream(text, &size);
    int rc = store_query(s, sql, format, out, err);
    fclose(out);
    return rc;
}

static void test_query_guard(bool read_only) {
    const char *path = temp_path("query.sqlite");
    error_info err = {0};
    store *s = NULL;
    if (!read_only) {
        test_check(store_open(&s, path, false, &err) == 0, "open query database", "%s",
                   err.message);
        provenance p;
        provenance_collect(&p, 1);
        char run_id[33];
        store_run_begin(s, &identity, &p, run_id, &err);
        store_close(s);
    }
    if (!test_check(store_open(&s, path, read_only, &err) == 0,
                    read_only ? "open read-only" : "open read-write", "%s", err.message))
        return;
    static const char *const writes[] = {
        "INSERT INTO config VALUES ('x', '{}')",
        "UPDATE run SET status = 'failed'",
        "DELETE FROM run",
        "DROP TABLE metric",
        "DROP VIEW runs",
        "CREATE TABLE mine (x)",
        "CREATE TEMP TABLE scratch (x)",
        "ATTACH DATABASE 'elsewhere.sqlite' AS elsewhere",
        "PRAGMA user_version = 3",
        "PRAGMA journal_mode = DELETE",
        "PRAGMA foreign_keys = OFF",
        "PRAGMA wal_checkpoint",
        "PRAGMA optimize",
        "BEGIN",
        "VACUUM",
        "REINDEX",
        "ANALYZE",
        "REPLACE INTO config VALUES ('c0ffee', '{}')",
        "WITH x AS (SELECT 1) DELETE FROM run",
    };
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++) {
        char *text = NULL;
        err = (error_info){0};
        int rc = query_to_string(s, writes[i], QUERY_TABLE, &text, &err);
        char what[256];
        snprintf(what, sizeof what, "%s: refused \"%s\"", read_only ? "read-only" : "read-write",
                 writes[i]);
        test_check(rc == -1 && err.status == EXIT_USAGE &&
                       strcmp(err.message, "query: only read-only statements are allowed") == 0,
                   what, "rc %d status %d message '%s'", rc, err.status, err.message);
        free(text);
    }
    static const char *const several[] = {"SELECT 1; SELECT 2", "SELECT 1; DELETE FROM run",
                                          "SELECT 1; garbage",
                                          "SELECT 1; /* fine */ ; PRAGMA user_version = 9"};
    for (size_t i = 0; i < sizeof several / sizeof several[0]; i++) {
        char *text = NULL;
        err = (error_info){0};
        int rc = query_to_string(s, several[i], QUERY_TABLE, &text, &err);
        char what[256];
        snprintf(what, sizeof what, "refused several statements \"%s\"", several[i]);
        test_check(rc == -1 && err.status == EXIT_USAGE &&
                       strcmp(err.message, "query: only one statement is allowed") == 0,
                   what, "rc %d message '%s'", rc, err.message);
        free(text);
    }
    static const char *const empty[] = {"", "  ;  ", "-- only a comment"};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        char *text = NULL;
        err = (error_info){0};
        int rc = query_to_string(s, empty[i], QUERY_TABLE, &text, &err);
        char what[128];
        snprintf(what, sizeof what, "no statement in \"%s\" is a usage error", empty[i]);
        test_check(rc == -1 && err.status == EXIT_USAGE &&
                       strcmp(err.message, "query: no SQL statement given") == 0,
                   what, "rc %d message '%s'", rc, err.message);
        free(text);
    }
    char *text = NULL;
    err = (error_info){0};
    int rc = query_to_string(s, "SELEC 1", QUERY_TABLE, &text, &err);
    check_text(err.message, "query: near \"SELEC\": syntax error", "bad SQL message");
    test_check(rc == -1 && err.status == EXIT_USAGE, "bad SQL is a usage error", "rc %d", rc);
    free(text);
    text = NULL;
    rc = query_to_string(s, "SELECT 1; -- trailing comment\n;  ", QUERY_CSV, &text, &err);
    test_check(rc == 0 && strcmp(text, "1\n1\n") == 0, "trailing semicolons and comments are fine",
               "rc %d output '%s' (%s)", rc, text, err.message);
    free(text);
    text = NULL;
    rc = query_to_string(s, "PRAGMA Table_Info(metric)", QUERY_CSV, &text, &err);
    test_check(rc == 0 && strstr(text, "run_id") != NULL, "reading pragmas are allowed",
               "rc %d (%s)", rc, err.message);
    free(text);
    sqlite3 *db = store_db(s);
    test_check(
        sql_int(db, "SELECT count(*) FROM run") == 1 && sql_int(db, "PRAGMA user_version") == STORE_SCHEMA_VERSION &&
            sql_int(db, "SELECT count(*) FROM sqlite_master WHERE name IN ('metric', 'runs')") == 2,
        "database unchanged by the refused statements", NULL);
    check_text(sql_text(db, "PRAGMA journal_mode"), "wal", "still in WAL mode");
    store_close(s);
    test_check(access("elsewhere.sqlite", F_OK) != 0, "ATTACH created no file", NULL);
}

static void test_query_formats(void) {
    error_info err = {0};
    store *s = NULL;
    if (!test_check(store_open(&s, temp_path("formats.sqlite"), false, &err) == 0,
                    "open formats database", "%s", err.message))
        return;
    const char *awkward =
        "SELECT 'a,b' AS x, 'say \"hi\"' AS y, 'line1' || char(10) || 'line2' AS z, NULL AS n, "
        "1.5 AS f, 42 AS i, '' AS e, 'tab' || char(9) || 'ü\\' AS \"odd \"\"name\"";
    char *text = NULL;
    int rc = query_to_string(s, awkward, QUERY_CSV, &text, &err);
    check_text(rc == 0 ? text : err.message,
               "x,y,z,n,f,i,e,\"odd \"\"name\"\n"
               "\"a,b\",\"say \"\"hi\"\"\",\"line1\nline2\",,1.5,42,\"\",tab\tü\\\n",
               "csv quoting of awkward strings");
    free(text);
    text = NULL;
    rc = query_to_string(s, awkward, QUERY_JSON, &text, &err);
    check_text(rc == 0 ? text : err.message,
               "[\n  {\"x\":\"a,b\",\"y\":\"say \\\"hi\\\"\",\"z\":\"line1\\nline2\",\"n\":null,"
               "\"f\":1.5,\"i\":42,\"e\":\"\",\"odd \\\"name\":\"tab\\tü\\\\\"}\n]\n",
               "json escaping of awkward strings");
    free(text);
    text = NULL;
    const char *rows = "SELECT column1 AS name, column2 AS value, column3 AS note FROM "
                       "(VALUES ('a', 1, 'x'), ('long name', 22.5, NULL), ('ü', NULL, 'two' || "
                       "char(10) || 'lines'))";
    rc = query_to_string(s, rows, QUERY_TABLE, &text, &err);
    check_text(rc == 0 ? text : err.message,
               "name       value  note\n"
               "---------  -----  ----------\n"
               "a              1  x\n"
               "long name   22.5\n"
               "ü                 two\\nlines\n",
               "table alignment, NULL empty, one line per row");
    free(text);
    text = NULL;
    rc = query_to_string(s, "SELECT 1 AS a, 0.1 AS b, 1e308 * 10 AS c, x'00ff' AS d", QUERY_JSON,
                         &text, &err);
    check_text(rc == 0 ? text : err.message,
               "[\n  {\"a\":1,\"b\":0.1,\"c\":null,\"d\":\"00ff\"}\n]\n",
               "json numbers, infinity as null, blob as hex");
    free(text);
    text = NULL;
    rc = query_to_string(s, "SELECT 50.0 AS a, 0.00012 AS b, 1e20 AS c, 0.00001 AS d, 123456.5 AS e", QUERY_CSV,
                         &text, &err);
    check_text(rc == 0 ? text : err.message, "a,b,c,d,e\n50,0.00012,1e+20,1e-05,123456.5\n",
               "reals in the shortest exact form, plain between 1e-4 and 1e15");
    free(text);
    text = NULL;
    rc = query_to_string(s, "SELECT id FROM run", QUERY_JSON, &text, &err);
    check_text(rc == 0 ? text : err.message, "[]\n", "json of no rows is an empty array");
    free(text);
    text = NULL;
    rc = query_to_string(s, "SELECT id, status FROM run", QUERY_TABLE, &text, &err);
    check_text(rc == 0 ? text : err.message, "id  status\n--  ------\n",
               "table of no rows: header and rule");
    free(text);
    store_close(s);
}

int main(void) {
    test_round_trip();
    test_run_ids_unique();
    test_refusals();
    test_migrate_with_rows();
    test_locked();
    test_killed_writer();
    test_two_writers();
    test_query_guard(false);
    test_query_guard(true);
    test_query_formats();
    return test_finish("test_store");
}
