/* test_merge.c — merging results databases (store/merge.c): every row of three shards
 * present exactly once, a second merge changing nothing, the same result in any input
 * order, planned runs upgraded or replaced by completed ones with their sweep links
 * moved, conflicts reported with the output keeping its rows, identical completed runs
 * skipped as duplicates, foreign, corrupt, newer and missing inputs refused with the
 * output unchanged, an older schema merged without touching the input, configs of one
 * hash compared on the keys both have, and a merge killed with SIGKILL leaving the
 * output either as before or fully merged. */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/strbuf.h"
#include "core/timer.h"
#include "store/merge.h"
#include "store/store_internal.h"
#include "testing.h"

static const char *const tables[] = {"config", "run",      "provenance", "metric", "result",
                                     "length_result", "sweep", "sweep_run", "bench"};
#define TABLES 9

static const char *temp_path(const char *name) {
    static char paths[64][512];
    static int next;
    char *path = paths[next++ % 64];
    snprintf(path, sizeof paths[0], "%s/%s", test_temp_dir(), name);
    return path;
}

static char *slurp(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    strbuf b = {0};
    char chunk[4096];
    size_t got;
    strbuf_append(&b, "");
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) strbuf_append_n(&b, chunk, got);
    fclose(f);
    *size = b.length;
    return b.data;
}

static int compare_lines(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every table's rows as sorted lines of typed values (bench without its local id). */
static char *dump(const char *path) {
    sqlite3 *db = NULL;
    strbuf out = {0};
    strbuf_append(&out, "");
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return out.data;
    }
    for (int t = 0; t < TABLES; t++) {
        char sql[128];
        snprintf(sql, sizeof sql, "SELECT * FROM %s", tables[t]);
        sqlite3_stmt *stmt = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
            strbuf_printf(&out, "%s: %s\n", tables[t], sqlite3_errmsg(db));
            continue;
        }
        char **lines = NULL;
        size_t n = 0, capacity = 0;
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            strbuf line = {0};
            strbuf_printf(&line, "%s", tables[t]);
            for (int c = 0; c < sqlite3_column_count(stmt); c++) {
                if (strcmp(tables[t], "bench") == 0 && strcmp(sqlite3_column_name(stmt, c), "id") == 0)
                    continue;
                switch (sqlite3_column_type(stmt, c)) {
                case SQLITE_NULL: strbuf_append(&line, "|null"); break;
                case SQLITE_INTEGER: strbuf_printf(&line, "|%lld", (long long)sqlite3_column_int64(stmt, c)); break;
                case SQLITE_FLOAT: strbuf_printf(&line, "|%a", sqlite3_column_double(stmt, c)); break;
                default: strbuf_printf(&line, "|'%s'", (const char *)sqlite3_column_text(stmt, c));
                }
            }
            if (n == capacity) {
                capacity = capacity ? 2 * capacity : 64;
                lines = realloc(lines, capacity * sizeof *lines);
            }
            lines[n++] = line.data;
        }
        sqlite3_finalize(stmt);
        if (n > 0) qsort(lines, n, sizeof *lines, compare_lines);
        for (size_t i = 0; i < n; i++) {
            strbuf_printf(&out, "%s\n", lines[i]);
            free(lines[i]);
        }
        free(lines);
    }
    sqlite3_close(db);
    return out.data;
}

/* The first line where two dumps differ (both versions), for failure messages. */
static const char *first_difference(const char *a, const char *b) {
    static char text[1200];
    size_t i = 0, line = 0;
    for (; a[i] && a[i] == b[i]; i++)
        if (a[i] == '\n') line = i + 1;
    snprintf(text, sizeof text, "%.*s <> %.*s", (int)strcspn(a + line, "\n"), a + line,
             (int)strcspn(b + line, "\n"), b + line);
    return text;
}

static void check_same_dump(const char *a, const char *b, const char *what) {
    char *da = dump(a), *db = dump(b);
    test_check(strcmp(da, db) == 0, what, "first difference near: %s", first_difference(da, db));
    free(da);
    free(db);
}

static long long count(const char *path, const char *sql) {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    long long value = -999;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
        value = sqlite3_column_int64(stmt, 0);
    else
        printf("  (sql failed: %s: %s)\n", sql, sqlite3_errmsg(db));
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return value;
}

static void expect_count(const char *path, const char *sql, long long expected, const char *what) {
    long long got = count(path, sql);
    test_check(got == expected, what, "%s: got %lld, expected %lld", sql, got, expected);
}

static store *open_db(const char *path) {
    error_info err = {0};
    store *s = NULL;
    if (store_open(&s, path, false, &err)) {
        printf("cannot open %s: %s\n", path, err.message);
        abort();
    }
    return s;
}

static void sql(store *s, const char *text) {
    char *message = NULL;
    if (sqlite3_exec(store_db(s), text, NULL, NULL, &message) != SQLITE_OK) {
        printf("sql failed: %s: %s\n", text, message);
        abort();
    }
}

static run_identity identity(const char *hash, uint64_t seed, const char *mechanism) {
    static char json[8][256];
    static int next;
    char *j = json[next++ % 8];
    snprintf(j, sizeof json[0],
             "{\"name\":\"shard\",\"task\":{\"name\":\"lra/listops\"},\"model\":{\"positional\":\"rope\","
             "\"attention\":{\"kind\":\"%s\"}},\"train\":{\"seed\":%llu,\"threads\":%llu}}",
             mechanism, (unsigned long long)seed, (unsigned long long)seed + 1);
    return (run_identity){.config_json = j, .config_hash = hash, .seed = seed, .name = "shard",
                          .task = "lra/listops", .task_version = "1", .mechanism = mechanism, .suite = "lra",
                          .level = "", .task_order = 1};
}

static void ok_or_abort(int rc, const error_info *err) {
    if (rc) {
        printf("store call failed: %s\n", err->message);
        abort();
    }
}

/* A running run with `steps` metric steps (two points each). */
static void add_running(store *s, const run_identity *id, int steps, char run_id[33]) {
    error_info err = {0};
    provenance p;
    provenance_collect(&p, 1);
    ok_or_abort(store_run_begin(s, id, &p, run_id, &err), &err);
    for (int step = 0; step < steps; step++) {
        metric_point points[] = {{"train", "loss", 2.0 / (step + 1)}, {"eval", "accuracy", 0.1 * step}};
        ok_or_abort(store_run_metrics(s, run_id, step, points, 2, &err), &err);
    }
}

/* A completed run: 3 metric steps, 2 lengths, 3 results with test accuracy acc. */
static void add_completed(store *s, const run_identity *id, double acc, char run_id[33]) {
    error_info err = {0};
    add_running(s, id, 3, run_id);
    length_point lengths[] = {{"test", 10, acc, acc / 2, 8}, {"test", 20, acc / 2, 0, 8}};
    ok_or_abort(store_run_lengths(s, run_id, lengths, 2, &err), &err);
    result_value results[] = {{"test", "accuracy", acc}, {"eval", "accuracy", acc + 0.01}, {"test", "loss", 1 - acc}};
    ok_or_abort(store_run_complete(s, run_id, results, 3, 3, 1.5, 1e6, &err), &err);
}

static void add_failed(store *s, const run_identity *id, char run_id[33]) {
    error_info err = {0};
    add_running(s, id, 1, run_id);
    ok_or_abort(store_run_fail(s, run_id, "failed", 1, "out of memory", &err), &err);
}

/* A planned run as a sweep records it (no provenance, no rows). */
static void add_planned(store *s, const run_identity *id, const char *run_id) {
    char text[1024];
    snprintf(text, sizeof text,
             "INSERT OR IGNORE INTO config (hash, json) VALUES ('%s', '%s');"
             "INSERT INTO run (id, config_hash, seed, name, task, task_version, mechanism, status, "
             "created_at) VALUES ('%s', '%s', %llu, 'shard', 'lra/listops', '1', '%s', 'planned', "
             "'2024-01-01T00:00:00.000Z')",
             id->config_hash, id->config_json, run_id, id->config_hash, (unsigned long long)id->seed,
             id->mechanism);
    sql(s, text);
}

static void add_sweep(store *s, const char *created_at, const char *source) {
    char text[512];
    snprintf(text, sizeof text,
             "INSERT INTO sweep (id, created_at, config_json, name, source, planned) "
             "VALUES ('sweep1', '%s', '{}', 'grid', %s, 4)",
             created_at, source);
    sql(s, text);
}

static void link_run(store *s, const char *run_id, int position) {
    char text[256];
    snprintf(text, sizeof text,
             "INSERT INTO sweep_run (sweep_id, run_id, position, overrides) VALUES ('sweep1', '%s', %d, "
             "'[\"train.seed=%d\"]')",
             run_id, position, position);
    sql(s, text);
}

static void add_bench(store *s, const char *mechanism, int length) {
    error_info err = {0};
    bench_row row = {.run_id = "bench1", .mechanism = mechanism, .length = length, .batch = 4, .dim = 16,
                     .heads = 2, .layers = 1, .steps_per_second = 10, .tokens_per_second = 40 * length,
                     .peak_rss_bytes = 1e6, .attention_gflops = 0.5, .threads = 1, .host = "node"};
    ok_or_abort(store_bench_insert(s, &row, &err), &err);
}

/* Copy a closed database file with the backup API. */
static void copy_db(const char *from, const char *to) {
    sqlite3 *src = NULL, *dst = NULL;
    sqlite3_open(from, &src);
    sqlite3_open(to, &dst);
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b || sqlite3_backup_step(b, -1) != SQLITE_DONE) abort();
    sqlite3_backup_finish(b);
    sqlite3_close(src);
    sqlite3_close(dst);
}

/* Merge inputs into out in order; the reports are summed; returns the failures. */
static int merge_all(const char *out_path, const char *const *inputs, int n, merge_report *sum) {
    store *out = open_db(out_path);
    int failures = 0;
    merge_report_free(sum);
    for (int i = 0; i < n; i++) {
        merge_report r = {.added = 0};
        error_info err = {0};
        if (merge_database(out, inputs[i], &r, &err)) {
            printf("  merge %s failed: %s\n", inputs[i], err.message);
            failures++;
            continue;
        }
        printf("  merged %s: %d added, %d upgraded, %d present, %d duplicates, %d superseded, "
               "%d replaced, %d conflicts\n%s%s",
               inputs[i], r.added, r.upgraded, r.present, r.duplicates, r.superseded, r.replaced,
               r.conflicts, r.event_lines.data ? r.event_lines.data : "",
               r.conflict_lines.data ? r.conflict_lines.data : "");
        sum->added += r.added, sum->upgraded += r.upgraded, sum->present += r.present;
        sum->duplicates += r.duplicates, sum->superseded += r.superseded, sum->replaced += r.replaced;
        sum->conflicts += r.conflicts, sum->configs += r.configs, sum->sweeps += r.sweeps;
        sum->sweep_links += r.sweep_links, sum->bench += r.bench;
        if (r.conflict_lines.data) strbuf_append(&sum->conflict_lines, r.conflict_lines.data);
        merge_report_free(&r);
    }
    store_close(out);
    return failures;
}

/* Run ids of the three shards. */
static char a1[33], a2[33], b1[33], b2[33], c1[33], c2[33];
static const char a3[] = "a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3";
static const char *shards[3];

/* Shard A: completed a1, failed a2 (cfg1 seed 1), planned a3 (cfg2 seed 0), all in
 * sweep1; 2 bench rows. Shard B: completed b1 (cfg2 seed 0) and b2 (cfg1 seed 1), in
 * sweep1 too (with its source); 1 bench row. Shard C: completed c1, running c2. */
static void make_shards(void) {
    shards[0] = temp_path("a.sqlite");
    shards[1] = temp_path("b.sqlite");
    shards[2] = temp_path("c.sqlite");
    store *s = open_db(shards[0]);
    run_identity cfg1_0 = identity("cfg1", 0, "full"), cfg1_1 = identity("cfg1", 1, "full");
    run_identity cfg2_0 = identity("cfg2", 0, "local");
    add_completed(s, &cfg1_0, 0.5, a1);
    add_failed(s, &cfg1_1, a2);
    add_planned(s, &cfg2_0, a3);
    add_sweep(s, "2024-01-01T00:00:00.000Z", "NULL");
    link_run(s, a1, 0);
    link_run(s, a2, 1);
    link_run(s, a3, 2);
    add_bench(s, "full", 64);
    add_bench(s, "local", 64);
    store_close(s);

    s = open_db(shards[1]);
    add_completed(s, &cfg2_0, 0.7, b1);
    add_completed(s, &cfg1_1, 0.6, b2);
    add_sweep(s, "2024-01-02T00:00:00.000Z", "'grid.yaml'");
    link_run(s, b1, 2);
    link_run(s, b2, 1);
    add_bench(s, "full", 128);
    store_close(s);

    s = open_db(shards[2]);
    run_identity cfg3_0 = identity("cfg3", 0, "performer"), cfg3_1 = identity("cfg3", 1, "performer");
    add_completed(s, &cfg3_0, 0.4, c1);
    add_running(s, &cfg3_1, 2, c2);
    add_bench(s, "performer", 64);
    store_close(s);
}

static void test_shards(void) {
    make_shards();
    size_t size_before = 0, size_after = 0;
    char *before = slurp(shards[0], &size_before);

    const char *out = temp_path("out_abc.sqlite");
    merge_report sum = {.added = 0};
    test_check(merge_all(out, shards, 3, &sum) == 0, "merge three shards", NULL);
    test_check(sum.added == 7 && sum.replaced == 2 && sum.superseded == 0 && sum.conflicts == 0,
               "A, B, C: 7 runs added, B's completed runs replace failed a2 and planned a3",
               "added %d replaced %d superseded %d conflicts %d",
               sum.added, sum.replaced, sum.superseded, sum.conflicts);
    /* The runs kept: a1, b1, b2, c1 (completed) and c2 (running). */
    static const struct {
        const char *sql;
        long long expected;
    } counts[] = {
        {"SELECT count(*) FROM config", 3},
        {"SELECT count(*) FROM run", 5},
        {"SELECT count(*) FROM run WHERE status = 'completed'", 4},
        {"SELECT count(*) FROM provenance", 5},
        {"SELECT count(*) FROM metric", 4 * 6 + 4},
        {"SELECT count(*) FROM result", 4 * 3},
        {"SELECT count(*) FROM length_result", 4 * 2},
        {"SELECT count(*) FROM sweep", 1},
        {"SELECT count(*) FROM sweep_run", 3},
        {"SELECT count(*) FROM bench", 4},
        {"SELECT count(*) FROM (SELECT DISTINCT run_id, step, split, name FROM metric)", 28},
    };
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        expect_count(out, counts[i].sql, counts[i].expected, "every row present exactly once");
    char text[512];
    snprintf(text, sizeof text, "SELECT count(*) FROM run WHERE id IN ('%s', '%s')", a2, a3);
    expect_count(out, text, 0, "failed a2 and planned a3 are left out");
    snprintf(text, sizeof text,
             "SELECT count(*) FROM sweep_run WHERE (run_id, position) IN (VALUES ('%s', 0), ('%s', 1), ('%s', 2))",
             a1, b2, b1);
    expect_count(out, text, 3, "sweep positions 0, 1, 2 link a1, b2, b1");
    expect_count(out,
                 "SELECT count(*) FROM sweep WHERE created_at = '2024-01-01T00:00:00.000Z' AND "
                 "source = 'grid.yaml' AND name = 'grid' AND planned = 4",
                 1, "sweep row merged: earliest created_at, the source B knew");

    char *after = slurp(shards[0], &size_after);
    test_check(before && after && size_before == size_after && memcmp(before, after, size_before) == 0,
               "the input file is byte for byte unchanged", "%zu bytes before, %zu after", size_before,
               size_after);
    free(before);
    free(after);

    /* A second merge of the same inputs changes nothing. */
    char *first = dump(out);
    test_check(merge_all(out, shards, 3, &sum) == 0, "merge the three shards again", NULL);
    char *second = dump(out);
    test_check(strcmp(first, second) == 0, "a second merge leaves every table identical",
               "first difference near: %s", first_difference(first, second));
    test_check(sum.added + sum.upgraded + sum.replaced + sum.configs + sum.sweeps + sum.sweep_links + sum.bench == 0 &&
                   sum.present == 5 && sum.superseded == 2,
               "the second merge reports 5 present, 2 superseded, nothing added",
               "added %d upgraded %d replaced %d present %d superseded %d rows %d %d %d %d", sum.added,
               sum.upgraded, sum.replaced, sum.present, sum.superseded, sum.configs, sum.sweeps,
               sum.sweep_links, sum.bench);
    free(first);
    free(second);

    /* Any order gives the same tables; A after B finds a2 and a3 superseded. */
    const char *orders[][3] = {{shards[2], shards[1], shards[0]}, {shards[1], shards[0], shards[2]}};
    const char *names[] = {"C, B, A", "B, A, C"};
    const char *outs[] = {temp_path("out_cba.sqlite"), temp_path("out_bac.sqlite")};
    for (int i = 0; i < 2; i++) {
        merge_all(outs[i], orders[i], 3, &sum);
        snprintf(text, sizeof text, "%s: a2 and a3 superseded, nothing replaced", names[i]);
        test_check(sum.superseded == 2 && sum.replaced == 0 && sum.added == 5, text,
                   "added %d superseded %d replaced %d", sum.added, sum.superseded, sum.replaced);
        snprintf(text, sizeof text, "merging %s gives the same tables as A, B, C", names[i]);
        check_same_dump(out, outs[i], text);
    }
}

/* A planned run upgraded by its completed copy, in both orders, keeping its sweep link;
 * then a changed copy of the completed run is a conflict. */
static void test_upgrade_and_conflict(void) {
    const char *planned = temp_path("d1.sqlite"), *done = temp_path("d2.sqlite"), *changed = temp_path("d3.sqlite");
    const char *id = "d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1";
    run_identity cfg4 = identity("cfg4", 0, "bigbird");
    store *s = open_db(planned);
    add_planned(s, &cfg4, id);
    add_sweep(s, "2024-01-01T00:00:00.000Z", "NULL");
    link_run(s, id, 0);
    store_close(s);
    copy_db(planned, done);
    s = open_db(done);
    sql(s, "UPDATE run SET status = 'running'");
    error_info err = {0};
    metric_point point = {"train", "loss", 1.5};
    result_value results[] = {{"test", "accuracy", 0.8}, {"eval", "accuracy", 0.75}};
    ok_or_abort(store_run_metrics(s, id, 1, &point, 1, &err), &err);
    ok_or_abort(store_run_complete(s, id, results, 2, 1, 2.0, 1e6, &err), &err);
    store_close(s);

    const char *out = temp_path("out_upgrade.sqlite"), *reverse = temp_path("out_upgrade_rev.sqlite");
    const char *forward_order[] = {planned, done}, *reverse_order[] = {done, planned};
    merge_report sum = {.added = 0};
    merge_all(out, forward_order, 2, &sum);
    test_check(sum.added == 1 && sum.upgraded == 1, "planned then completed: added, then upgraded",
               "added %d upgraded %d", sum.added, sum.upgraded);
    expect_count(out, "SELECT count(*) FROM run WHERE status = 'completed'", 1, "the upgraded run is completed");
    expect_count(out, "SELECT count(*) FROM result", 2, "the upgraded run has its results");
    expect_count(out, "SELECT count(*) FROM metric", 1, "the upgraded run has its metrics");
    expect_count(out, "SELECT count(*) FROM sweep_run", 1, "the upgraded run keeps its sweep link");
    merge_all(reverse, reverse_order, 2, &sum);
    test_check(sum.added == 1 && sum.present == 1 && sum.upgraded == 0,
               "completed then planned: the planned copy counts as present", "added %d present %d upgraded %d",
               sum.added, sum.present, sum.upgraded);
    check_same_dump(out, reverse, "upgrade in either order gives the same tables");

    copy_db(done, changed);
    s = open_db(changed);
    sql(s, "UPDATE result SET value = 0.9 WHERE split = 'test' AND name = 'accuracy'");
    store_close(s);
    char *before = dump(out);
    const char *conflicting[] = {changed};
    merge_all(out, conflicting, 1, &sum);
    char *after = dump(out);
    const char *line = sum.conflict_lines.data ? sum.conflict_lines.data : "";
    test_check(sum.conflicts == 1, "a completed run with other results is one conflict", "got %d", sum.conflicts);
    test_check(strstr(line, id) && strstr(line, "lra/listops") && strstr(line, "bigbird") && strstr(line, "seed 0") &&
                   strstr(line, "result test/accuracy (kept 0.8, input 0.9)"),
               "the conflict line names the run, task, mechanism, seed and what differs", "%s", line);
    test_check(strcmp(before, after) == 0, "the output keeps its own row", "first difference near: %s",
               first_difference(before, after));
    free(before);
    free(after);
    merge_report_free(&sum);
}

/* Two separately run completions of one config and seed: identical results are a
 * duplicate, different ones a conflict naming both runs. */
static void test_duplicates(void) {
    run_identity cfg5 = identity("cfg5", 0, "linformer");
    const char *paths[] = {temp_path("e1.sqlite"), temp_path("e2.sqlite"), temp_path("e3.sqlite")};
    char ids[3][33];
    const double acc[] = {0.5, 0.5, 0.9};
    for (int i = 0; i < 3; i++) {
        store *s = open_db(paths[i]);
        add_completed(s, &cfg5, acc[i], ids[i]);
        store_close(s);
    }
    const char *out = temp_path("out_dup.sqlite");
    merge_report sum = {.added = 0};
    merge_all(out, paths, 2, &sum);
    test_check(sum.added == 1 && sum.duplicates == 1, "identical completed runs: one added, one duplicate",
               "added %d duplicates %d", sum.added, sum.duplicates);
    expect_count(out, "SELECT count(*) FROM run", 1, "the duplicate is not copied");
    merge_all(out, paths + 2, 1, &sum);
    const char *line = sum.conflict_lines.data ? sum.conflict_lines.data : "";
    test_check(sum.conflicts == 1 && strstr(line, ids[2]) && strstr(line, ids[0]) &&
                   strstr(line, "result test/accuracy (kept 0.5, input 0.9)"),
               "different results of one config and seed: a conflict naming both runs", "%s", line);
    expect_count(out, "SELECT count(*) FROM run", 1, "the output keeps its run");
    merge_report_free(&sum);
}

/* Inputs that are not attnbench databases of a usable schema are refused, naming the
 * file, and neither they nor the output change. */
static void test_refused_inputs(void) {
    const char *out = temp_path("out_abc.sqlite");
    const char *text = temp_path("notes.txt"), *foreign = temp_path("foreign.sqlite");
    const char *newer = temp_path("newer.sqlite"), *missing = temp_path("missing.sqlite");
    const char *truncated = temp_path("truncated.sqlite");
    test_write_file(NULL, text, "somebody else's notes\n");
    sqlite3 *db = NULL;
    sqlite3_open(foreign, &db);
    sqlite3_exec(db, "PRAGMA application_id = 305419896; CREATE TABLE t (x)", NULL, NULL, NULL);
    sqlite3_close(db);
    sqlite3_open(newer, &db);
    char newer_sql[128];
    snprintf(newer_sql, sizeof newer_sql, "PRAGMA application_id = %d; PRAGMA user_version = 99; CREATE TABLE t (x)",
             STORE_APPLICATION_ID);
    sqlite3_exec(db, newer_sql, NULL, NULL, NULL);
    sqlite3_close(db);
    size_t size = 0;
    char *whole = slurp(shards[0], &size);
    FILE *f = fopen(truncated, "wb");
    fwrite(whole, 1, 60, f);
    fclose(f);
    free(whole);

    const struct {
        const char *path, *message;
    } cases[] = {
        {text, "not an attnbench database"},   {foreign, "not an attnbench database (application_id 0x12345678)"},
        {newer, "schema version 99 is newer"}, {missing, "no such database"},
        {truncated, "not an attnbench database"},
    };
    char *before = dump(out);
    store *s = open_db(out);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t size_before = 0, size_after = 0;
        char *bytes_before = slurp(cases[i].path, &size_before);
        error_info err = {0};
        int checked = merge_check_input(cases[i].path, &err);
        merge_report r = {.added = 0};
        error_info merge_err = {0};
        int merged = merge_database(s, cases[i].path, &r, &merge_err);
        test_check(checked == -1 && merged == -1 && strstr(err.message, cases[i].path) &&
                       strstr(err.message, cases[i].message) && strstr(merge_err.message, cases[i].path),
                   "an unusable input is refused, naming the file", "check: %s; merge: %s", err.message,
                   merge_err.message);
        char *bytes_after = slurp(cases[i].path, &size_after);
        test_check((!bytes_before && !bytes_after) ||
                       (bytes_before && bytes_after && size_before == size_after &&
                        memcmp(bytes_before, bytes_after, size_before) == 0),
                   "the refused input is untouched", "%s", cases[i].path);
        free(bytes_before);
        free(bytes_after);
    }
    store_close(s);
    char *after = dump(out);
    test_check(strcmp(before, after) == 0, "the output is unchanged after refused inputs", "first difference near: %s",
               first_difference(before, after));
    free(before);
    free(after);
}

/* A version 1 database (before sweep_run) merges without being migrated in place. */
static void test_older_schema(void) {
    const char *old = temp_path("v1.sqlite");
    sqlite3 *db = NULL;
    sqlite3_open(old, &db);
    char *message = NULL;
    strbuf text = {0};
    strbuf_printf(&text,
                  "BEGIN; %s PRAGMA application_id = %d; PRAGMA user_version = 1;"
                  "INSERT INTO config VALUES ('cfg9', '{}');"
                  "INSERT INTO run (id, config_hash, seed, name, task, task_version, mechanism, status, created_at) "
                  "VALUES ('f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9', 'cfg9', 0, 'old', 'lra/text', '1', 'full', 'completed', "
                  "'2023-01-01T00:00:00.000Z');"
                  "INSERT INTO result VALUES ('f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9f9', 'test', 'accuracy', 0.6);"
                  "INSERT INTO sweep VALUES ('old-sweep', '2023-01-01T00:00:00.000Z', '{}'); COMMIT;",
                  store_migrations[0].sql, STORE_APPLICATION_ID);
    if (sqlite3_exec(db, text.data, NULL, NULL, &message) != SQLITE_OK) printf("v1 setup failed: %s\n", message);
    sqlite3_free(message);
    sqlite3_close(db);
    strbuf_free(&text);
    size_t size_before = 0, size_after = 0;
    char *before = slurp(old, &size_before);
    error_info err = {0};
    test_check(merge_check_input(old, &err) == 0, "an older schema is accepted", "%s", err.message);
    const char *out = temp_path("out_old.sqlite");
    merge_report sum = {.added = 0};
    const char *inputs[] = {old};
    test_check(merge_all(out, inputs, 1, &sum) == 0 && sum.added == 1 && sum.sweeps == 1,
               "a version 1 database merges", "added %d sweeps %d", sum.added, sum.sweeps);
    expect_count(out, "SELECT count(*) FROM results WHERE task = 'lra/text' AND value = 0.6", 1,
                 "its result is in the output");
    char *after = slurp(old, &size_after);
    test_check(before && after && size_before == size_after && memcmp(before, after, size_before) == 0,
               "the older input is not migrated in place", "%zu bytes before, %zu after", size_before, size_after);
    expect_count(old, "PRAGMA user_version", 1, "the older input keeps schema version 1");
    free(before);
    free(after);
}

/* Runs with many metric rows, so that a merge takes long enough to be killed mid-way. */
static void make_large(const char *path, int runs, int steps) {
    store *s = open_db(path);
    provenance p;
    provenance_collect(&p, 1);
    sqlite3_stmt *stmt = NULL;
    sqlite3_prepare_v2(store_db(s),
                       "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ?2) "
                       "INSERT INTO metric (run_id, step, split, name, value) "
                       "SELECT ?1, i, 'train', 'loss', 1.0 / (i + 1) FROM k",
                       -1, &stmt, NULL);
    for (int i = 0; i < runs; i++) {
        char hash[16], id[33];
        snprintf(hash, sizeof hash, "big%d", i);
        run_identity r = identity(hash, 0, "full");
        error_info err = {0};
        ok_or_abort(store_run_begin(s, &r, &p, id, &err), &err);
        sqlite3_bind_text(stmt, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(stmt, 2, steps - 1);
        if (sqlite3_step(stmt) != SQLITE_DONE) abort();
        sqlite3_reset(stmt);
        result_value result = {"test", "accuracy", i / (double)runs};
        ok_or_abort(store_run_complete(s, id, &result, 1, steps, 1, 1, &err), &err);
    }
    sqlite3_finalize(stmt);
    store_close(s);
}

static void test_killed_merge(void) {
    const char *large = temp_path("large.sqlite"), *full = temp_path("out_full.sqlite");
    make_large(large, 300, 400);
    const char *base_inputs[] = {shards[0]}, *large_inputs[] = {large};
    merge_report sum = {.added = 0};
    merge_all(full, base_inputs, 1, &sum);
    const double start = timer_now();
    merge_all(full, large_inputs, 1, &sum);
    const double took = timer_now() - start;
    printf("  merging the large input takes %.0f ms; kills spread over 0 to %.0f ms\n", took * 1e3, took * 1.5e3);
    char *expected_full = dump(full);
    int unchanged = 0, merged = 0, other = 0;
    enum { ROUNDS = 10 };
    for (int round = 0; round < ROUNDS; round++) {
        const double delay = took * 1.5 * round / (ROUNDS - 1);
        char name[64];
        snprintf(name, sizeof name, "killed%d.sqlite", round);
        const char *out = temp_path(name);
        merge_all(out, base_inputs, 1, &sum);
        char *expected_before = dump(out);
        int ready[2];
        if (pipe(ready) != 0) abort();
        pid_t pid = fork();
        if (pid == 0) {
            store *s = open_db(out);
            merge_report r = {.added = 0};
            error_info err = {0};
            close(ready[0]);
            if (write(ready[1], "x", 1) != 1) _exit(3);
            _exit(merge_database(s, large, &r, &err) == 0 ? 0 : 2);
        }
        close(ready[1]);
        char byte;
        if (read(ready[0], &byte, 1) != 1) abort();
        close(ready[0]);
        usleep((useconds_t)(delay * 1e6));
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        char *got = dump(out);
        bool killed = WIFSIGNALED(status);
        if (strcmp(got, expected_before) == 0) unchanged++;
        else if (strcmp(got, expected_full) == 0) merged++;
        else other++;
        printf("  round %d: SIGKILL after %.0f ms (%s): output %s\n", round, delay * 1e3,
               killed ? "it was still merging" : "it had already exited",
               strcmp(got, expected_before) == 0 ? "as before" : strcmp(got, expected_full) == 0 ? "fully merged" : "PARTIAL");
        free(got);
        free(expected_before);
    }
    test_check(other == 0, "a merge killed at any moment leaves the output as before or fully merged",
               "%d unchanged, %d fully merged, %d partial", unchanged, merged, other);
    test_check(unchanged > 0, "some kills landed before the commit", "%d unchanged, %d merged", unchanged, merged);
    free(expected_full);
}

/* One config hash recorded with the given JSON, as a build with those options writes it. */
static const char *config_db(const char *name, const char *json) {
    const char *path = temp_path(name);
    store *s = open_db(path);
    run_identity id = identity("same", 0, "local");
    id.config_json = json;
    char run_id[33];
    add_completed(s, &id, 0.5, run_id);
    store_close(s);
    return path;
}

/* A hash covers what differs from the defaults, so a build with one more option writes
 * one more key under the same hash: no conflict; a key both have, set apart, is one. */
static void test_config_settings(void) {
    const char *older = config_db("cfg_older.sqlite", "{\"task\":{\"name\":\"lra/listops\"},\"model\":{\"attention\":"
                                                    "{\"kind\":\"local\",\"window\":8}}}");
    const char *newer = config_db("cfg_newer.sqlite", "{\"task\":{\"name\":\"lra/listops\"},\"model\":{\"attention\":"
                                                    "{\"kind\":\"local\",\"window\":8,\"added\":[1,2]}}}");
    const char *other = config_db("cfg_other.sqlite", "{\"task\":{\"name\":\"lra/listops\"},\"model\":{\"attention\":"
                                                    "{\"kind\":\"local\",\"window\":16}}}");
    merge_report sum = {.added = 0};
    const char *compatible[] = {older, newer};
    merge_all(temp_path("cfg_out1.sqlite"), compatible, 2, &sum);
    test_check(sum.conflicts == 0, "one hash, a key only the newer build writes: no conflict", "%d: %s", sum.conflicts,
               sum.conflict_lines.data ? sum.conflict_lines.data : "");
    const char *conflicting[] = {older, other};
    merge_all(temp_path("cfg_out2.sqlite"), conflicting, 2, &sum);
    test_check(sum.conflicts == 1 && strstr(sum.conflict_lines.data ? sum.conflict_lines.data : "",
                                            "conflict: config same: same hash, different settings"),
               "one hash, window 8 against 16: a conflict", "%d", sum.conflicts);
    merge_report_free(&sum);
}

int main(void) {
    setenv("TMPDIR", test_temp_dir(), 1); /* snapshot copies of killed merges stay here */
    test_config_settings();
    test_shards();
    test_upgrade_and_conflict();
    test_duplicates();
    test_refused_inputs();
    test_older_schema();
    test_killed_merge();
    return test_finish("test_merge");
}
