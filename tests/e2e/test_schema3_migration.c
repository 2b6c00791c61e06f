/* test_schema3_migration.c — a database written by schema version 3 (the text dump
 * tests/fixtures/schema3/schema3.sql, recorded by the build before schema 4), migrated
 * by opening it, reports what it reported before.
 *
 * Checked: the dump loads and opens, at version 4; every run is placed in its suite with
 * its level and order; every config has a new hash and its JSON unchanged, and no run
 * points at a missing config; the leaderboards (LRA, Chomsky, a custom layout, speed;
 * md, csv, json) and the plots are byte for byte what the schema-3 binary printed; the
 * sweeps of the fixture's config files (and a one-run plan of its single config) run
 * nothing and add no sweep, every run being found completed under its new identity;
 * `merge` of the unmigrated file carries the new columns; and a migration that fails
 * half way (here: a schema-3 file without its config table) leaves the file as it was. */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "testing.h"

static char fixture[1024], out[1 << 16];

typedef struct leaderboard_case {
    const char *file;      /* under tests/fixtures/schema3/ */
    const char *reference; /* under results/reference/, or NULL */
    const char *args;
} leaderboard_case;

static const leaderboard_case cases[] = {
    {"lra.md", "lra_table1.csv", "--suite lra"},
    {"lra.csv", "lra_table1.csv", "--suite lra --format csv"},
    {"lra.json", "lra_table1.csv", "--suite lra --format json"},
    {"chomsky.md", "chomsky_table2.csv", "--suite chomsky"},
    {"chomsky.csv", "chomsky_table2.csv", "--suite chomsky --format csv"},
    {"chomsky-mechanism-by-task.csv", NULL,
     "--suite chomsky --rows mechanism --cols task --metric test.sequence_accuracy --format csv --reference none"},
    {"speed.md", NULL, "--suite speed"},
};

static const char *const plots[] = {"chomsky_parity_check.svg", "chomsky_reverse_string.svg",
                                    "chomsky_duplicate_string.svg"};

/* A fresh database at dir/name loaded from the dump; aborts the test when it cannot. */
static const char *load_dump(const char *name) {
    static char path[4][600];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", test_temp_dir(), name);
    char dump_path[1200];
    snprintf(dump_path, sizeof dump_path, "%s/schema3.sql", fixture);
    char *dump = test_read_file(dump_path);
    sqlite3 *db = NULL;
    char *message = NULL;
    const int rc = dump ? sqlite3_open_v2(p, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) : SQLITE_ERROR;
    const int loaded = rc == SQLITE_OK ? sqlite3_exec(db, dump, NULL, NULL, &message) : rc;
    if (!test_check(loaded == SQLITE_OK, "load the schema-3 dump", "%s: %s", dump_path,
                    message ? message : dump ? "cannot open" : "cannot read"))
        exit(test_finish("test_schema3_migration"));
    sqlite3_free(message);
    sqlite3_close(db);
    free(dump);
    return p;
}

static long long sql_int(sqlite3 *db, const char *sql) {
    sqlite3_stmt *stmt = NULL;
    long long value = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
        value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
}

/* The first column of the first row as text ("" when none), malloc'd. */
static char *sql_text(sqlite3 *db, const char *sql) {
    sqlite3_stmt *stmt = NULL;
    char *value = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW &&
        sqlite3_column_text(stmt, 0))
        value = strdup((const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return value ? value : strdup("");
}

static const char *const all_hashes = "SELECT group_concat(hash, ' ') FROM (SELECT hash FROM config ORDER BY hash)";
static const char *const all_json = "SELECT group_concat(json, ' ') FROM (SELECT json FROM config ORDER BY json)";

static void test_rows(const char *path) {
    sqlite3 *raw = NULL;
    sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL);
    char *old_hashes = sql_text(raw, all_hashes), *old_json = sql_text(raw, all_json);
    const long long configs = sql_int(raw, "SELECT count(*) FROM config");
    test_check(sql_int(raw, "PRAGMA user_version") == 3, "the dump is at schema version 3", NULL);
    sqlite3_close(raw);

    store *s = NULL;
    error_info err = {0};
    if (!test_check(store_open(&s, path, false, &err) == 0, "the schema-3 database opens (migrated)", "%s",
                    err.message))
        exit(test_finish("test_schema3_migration"));
    sqlite3 *db = store_db(s);
    test_check(sql_int(db, "PRAGMA user_version") == STORE_SCHEMA_VERSION, "now at the current version", "%lld",
               sql_int(db, "PRAGMA user_version"));
    test_check(sql_int(db, "SELECT count(*) FROM runs WHERE suite = '' OR suite IS NULL") == 0,
               "every run has a suite", NULL);
    test_check(sql_int(db, "SELECT count(*) FROM runs WHERE task LIKE 'lra/%' AND (suite <> 'lra' OR level <> '')") ==
                       0 &&
                   sql_int(db, "SELECT min(task_order) FROM runs WHERE task = 'lra/text'") == 2,
               "LRA runs: suite lra, no level, lra/text second", NULL);
    test_check(sql_int(db, "SELECT count(*) FROM runs WHERE task = 'chomsky/reverse_string' AND suite = 'chomsky' "
                           "AND level = 'DCF' AND task_order = 6") == 4,
               "chomsky/reverse_string: suite chomsky, level DCF, 6th, on its 4 runs", NULL);
    char *new_hashes = sql_text(db, all_hashes), *new_json = sql_text(db, all_json);
    const long long configs_now = sql_int(db, "SELECT count(*) FROM config");
    test_check(configs_now == configs && strcmp(new_json, old_json) == 0, "every config kept, its JSON unchanged",
               "%lld configs, was %lld", configs_now, configs);
    int kept = 0;
    for (char *h = strtok(old_hashes, " "); h; h = strtok(NULL, " ")) kept += strstr(new_hashes, h) != NULL;
    test_check(kept == 0, "every config re-keyed by its identity", "%d old hashes kept", kept);
    test_check(sql_int(db, "SELECT count(*) FROM run WHERE config_hash NOT IN (SELECT hash FROM config)") == 0 &&
                   sql_int(db, "SELECT count(*) FROM pragma_foreign_key_check") == 0,
               "every run's config exists (foreign keys hold)", NULL);
    free(old_hashes);
    free(old_json);
    free(new_hashes);
    free(new_json);
    store_close(s);
}

static void test_leaderboards(const char *path) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const leaderboard_case *c = &cases[i];
        char output[700], expected_path[1200], reference[1200] = "";
        snprintf(output, sizeof output, "%s/out-%s", test_temp_dir(), c->file);
        snprintf(expected_path, sizeof expected_path, "%s/%s", fixture, c->file);
        if (c->reference)
            snprintf(reference, sizeof reference, "--reference %s/results/reference/%s", test_source_dir(),
                     c->reference);
        const int status = test_attnbench(out, sizeof out, "leaderboard --db %s %s %s -o %s", path, c->args,
                                          reference, output);
        char *got = test_read_file(output), *expected = test_read_file(expected_path);
        char what[256];
        snprintf(what, sizeof what, "leaderboard %s: byte for byte what schema 3 printed (%s)", c->args, c->file);
        test_check(status == 0 && got && expected && strcmp(got, expected) == 0, what,
                   "exit %d %s\n--- got\n%s\n--- expected\n%s", status, out, got ? got : "(none)",
                   expected ? expected : "(none)");
        free(got);
        free(expected);
    }
    char dir[700];
    snprintf(dir, sizeof dir, "%s/plots", test_temp_dir());
    const int status = test_attnbench(out, sizeof out, "plot --db %s -o %s", path, dir);
    test_check(status == 0, "plot", "exit %d: %s", status, out);
    for (size_t i = 0; i < sizeof plots / sizeof plots[0]; i++) {
        char got_path[1200], expected_path[1200], what[160];
        snprintf(got_path, sizeof got_path, "%s/%s", dir, plots[i]);
        snprintf(expected_path, sizeof expected_path, "%s/plots/%s", fixture, plots[i]);
        char *got = test_read_file(got_path), *expected = test_read_file(expected_path);
        snprintf(what, sizeof what, "plot %s: byte for byte what schema 3 drew", plots[i]);
        test_check(got && expected && strcmp(got, expected) == 0, what, "%s", got ? "differs" : "missing");
        free(got);
        free(expected);
    }
}

static void counts(const char *path, long long *runs, long long *sweeps) {
    sqlite3 *db = NULL;
    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    *runs = sql_int(db, "SELECT count(*) FROM run");
    *sweeps = sql_int(db, "SELECT count(*) FROM sweep");
    sqlite3_close(db);
}

static void test_sweeps(const char *path) {
    static const struct {
        const char *config, *said;
        bool recorded; /* the fixture holds this sweep */
    } sweeps[] = {
        {"quickstart.yaml", "6 runs: 0 to run, 6 already completed", true},
        {"chomsky.yaml", "12 runs: 0 to run, 12 already completed", true},
        {"single.yaml", "1 runs: 0 to run, 1 already completed", false},
    };
    for (size_t i = 0; i < sizeof sweeps / sizeof sweeps[0]; i++) {
        long long runs, swept, runs_after, swept_after;
        counts(path, &runs, &swept);
        const int status = test_attnbench(out, sizeof out, "sweep %s/%s --db %s", fixture, sweeps[i].config, path);
        counts(path, &runs_after, &swept_after);
        char what[256];
        snprintf(what, sizeof what, "sweep %s on the migrated database: runs nothing (%s)", sweeps[i].config,
                 sweeps[i].said);
        test_check(status == 0 && strstr(out, sweeps[i].said) && runs_after == runs, what,
                   "exit %d, %lld runs, was %lld: %s", status, runs_after, runs, out);
        if (sweeps[i].recorded) {
            snprintf(what, sizeof what, "sweep %s: names the migrated sweep (no new sweep row)", sweeps[i].config);
            test_check(swept_after == swept, what, "%lld sweeps, was %lld", swept_after, swept);
        }
    }
}

static void test_merge(void) {
    const char *input = load_dump("merge-input.sqlite");
    char output[700], table[700];
    snprintf(output, sizeof output, "%s/merged.sqlite", test_temp_dir());
    snprintf(table, sizeof table, "%s/merged-lra.md", test_temp_dir());
    int status = test_attnbench(out, sizeof out, "merge %s %s", output, input);
    test_check(status == 0, "merge the schema-3 file", "exit %d: %s", status, out);
    sqlite3 *db = NULL;
    sqlite3_open_v2(output, &db, SQLITE_OPEN_READONLY, NULL);
    test_check(sql_int(db, "SELECT count(*) FROM run WHERE suite = 'chomsky' AND level <> '' AND task_order > 0") ==
                   12,
               "the merged runs carry suite, level and task_order", NULL);
    sqlite3_close(db);
    status = test_attnbench(out, sizeof out,
                            "leaderboard --db %s --reference %s/results/reference/lra_table1.csv -o %s", output,
                            test_source_dir(), table);
    char expected_path[1200];
    snprintf(expected_path, sizeof expected_path, "%s/lra.md", fixture);
    char *got = test_read_file(table), *expected = test_read_file(expected_path);
    test_check(status == 0 && got && expected && strcmp(got, expected) == 0,
               "the merged database prints the same LRA leaderboard", "exit %d: %s", status, out);
    free(got);
    free(expected);
}

static void test_failed_migration(void) {
    const char *path = load_dump("broken.sqlite");
    sqlite3 *db = NULL;
    sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    sqlite3_exec(db, "DROP TABLE config", NULL, NULL, NULL);
    sqlite3_close(db);
    store *s = NULL;
    error_info err = {0};
    const int status = store_open(&s, path, false, &err);
    store_close(s);
    test_check(status != 0 && strstr(err.message, "schema version 4"), "a migration failing half way is an error",
               "%s", err.message);
    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
    test_check(sql_int(db, "PRAGMA user_version") == 3 &&
                   sql_int(db, "SELECT count(*) FROM pragma_table_info('run') WHERE name = 'suite'") == 0,
               "and leaves the file at version 3, without the new columns", NULL);
    sqlite3_close(db);
}

int main(void) {
    snprintf(fixture, sizeof fixture, "%s/tests/fixtures/schema3", test_source_dir());
    const char *path = load_dump("migrated.sqlite");
    test_rows(path);
    test_leaderboards(path);
    test_sweeps(path);
    test_merge();
    test_failed_migration();
    return test_finish("test_schema3_migration");
}
