/* merge.c — merging one input database into the output (the rules are in merge.h).
 *
 * The input's private snapshot is attached to the output's connection as merge_src, so
 * the whole merge is SQL on one connection inside one BEGIN IMMEDIATE transaction.
 * First every input run is planned: a row of temp.merge_plan says what happens to it
 * (add, upgrade, present, duplicate, superseded, conflict) and which run of the output
 * stands for it afterwards (its sweep links go there); output runs that a completed
 * input run makes redundant go to temp.merge_retire. The plan looks only at the output
 * as it was before this input, so the order of the input's runs does not matter. Then
 * set-wise statements apply it: configs, sweeps, runs with their child rows, sweep
 * links, retired runs, bench rows (matched by content, their ids being local). */
#define _POSIX_C_SOURCE 200809L
#include "store/merge.h"

#include <stdint.h>
#include <string.h>

#include "store/merge_snapshot.h"
#include "store/store_internal.h"

#define ID_SIZE 33          /* 32 hex digits */
#define MAX_DIFFERENCES 6   /* items named in one conflict line */
#define MAX_VALUE_CHARS 40  /* longer texts are cut in conflict lines */

enum plan_action { PLAN_ADD, PLAN_UPGRADE, PLAN_PRESENT, PLAN_DUPLICATE, PLAN_SUPERSEDED, PLAN_CONFLICT };
static const char *const action_names[] = {"add", "upgrade", "present", "duplicate", "superseded", "conflict"};

/* One run of the input, as the plan sees it (texts belong to the input query's row). */
typedef struct input_run {
    const char *id, *config_hash, *status, *task, *mechanism, *heartbeat;
    int64_t seed, steps;
} input_run;

/* The output's row of a run the input also has. */
typedef struct output_run {
    char status[16];
    char heartbeat[40];
    int64_t steps;
} output_run;

typedef struct merger {
    store *out;
    merge_report *report;
    sqlite3_stmt *out_run, *differing, *matches, *same_results, *plan, *retire;
} merger;

static const char setup_sql[] =
    "CREATE TEMP TABLE merge_plan (id TEXT PRIMARY KEY, action TEXT NOT NULL, target TEXT NOT NULL);"
    "CREATE TEMP TABLE merge_retire (id TEXT PRIMARY KEY, target TEXT NOT NULL);";
static const char teardown_sql[] = "DROP TABLE temp.merge_plan; DROP TABLE temp.merge_retire;"
                                   "DROP TABLE temp.merge_links; DROP TABLE temp.merge_bench;";

static const char input_runs_sql[] =
    "SELECT id, config_hash, seed, status, task, mechanism, steps_done, coalesce(heartbeat_at, '') "
    "FROM merge_src.run ORDER BY id";
static const char out_run_sql[] =
    "SELECT status, steps_done, coalesce(heartbeat_at, '') FROM main.run WHERE id = ?1";

/* Rows of run ?1 that one database has and the other lacks, per table. */
#define EXCEPT_ROWS(a, b, table, key)                                                              \
    "(SELECT count(*) FROM (SELECT * FROM " a "." table " WHERE " key " = ?1 EXCEPT SELECT * FROM " \
    b "." table " WHERE " key " = ?1))"
#define DIFFERING(table, key) \
    EXCEPT_ROWS("merge_src", "main", table, key) " + " EXCEPT_ROWS("main", "merge_src", table, key)
static const char *const run_tables[] = {"run", "provenance", "metric", "result", "length_result"};
#define RUN_TABLES 5
static const char differing_sql[] =
    "SELECT " DIFFERING("run", "id") ", " DIFFERING("provenance", "run_id") ", " DIFFERING(
        "metric", "run_id") ", " DIFFERING("result", "run_id") ", " DIFFERING("length_result", "run_id");

/* The output's runs of the same config and seed that the input does not hold itself,
 * completed ones first. */
static const char matches_sql[] =
    "SELECT id, status FROM main.run AS o WHERE config_hash = ?1 AND seed = ?2 "
    "AND NOT EXISTS (SELECT 1 FROM merge_src.run AS s WHERE s.id = o.id) "
    "ORDER BY status <> 'completed', finished_at, id";

/* Do input run ?1 and output run ?2 have the same test and eval results? */
#define FINAL_RESULTS(db, param) \
    "SELECT split, name, value FROM " db ".result WHERE run_id = " param " AND split IN ('test', 'eval')"
static const char same_results_sql[] =
    "SELECT NOT EXISTS (" FINAL_RESULTS("merge_src", "?1") " EXCEPT " FINAL_RESULTS("main", "?2") ") "
    "AND NOT EXISTS (" FINAL_RESULTS("main", "?2") " EXCEPT " FINAL_RESULTS("merge_src", "?1") ")";

/* Results that differ between input run ?1 and output run ?2: split, name, kept, input. */
static const char result_differences_sql[] =
    "SELECT s.split, s.name, o.value, s.value FROM merge_src.result AS s "
    "LEFT JOIN main.result AS o ON o.run_id = ?2 AND o.split = s.split AND o.name = s.name "
    "WHERE s.run_id = ?1 AND o.value IS NOT s.value "
    "UNION ALL SELECT o.split, o.name, o.value, NULL FROM main.result AS o WHERE o.run_id = ?2 "
    "AND NOT EXISTS (SELECT 1 FROM merge_src.result AS s "
    "WHERE s.run_id = ?1 AND s.split = o.split AND s.name = o.name) ORDER BY 1, 2";

static const char plan_sql[] = "INSERT INTO temp.merge_plan (id, action, target) VALUES (?1, ?2, ?3)";
static const char retire_sql[] = "INSERT OR IGNORE INTO temp.merge_retire (id, target) VALUES (?1, ?2)";

/* Conflicts outside runs, one message per row. Config JSON holds the fields that the
 * hash leaves out (the first run's name, seed and threads), so only the rest counts;
 * and a hash covers what differs from the defaults, so JSON written by a build with
 * more options (at their defaults) has keys the other lacks: only keys both have are
 * compared. */
#define UNHASHED "'$.name', '$.train.seed', '$.train.threads', '$.sweep'"
/* No key that both JSON texts a and b have holds different values. */
#define AGREE(a, b)                                                                                     \
    "NOT EXISTS (SELECT 1 FROM json_tree(" a ") AS x JOIN json_tree(" b ") AS y ON y.fullkey = x.fullkey " \
    "WHERE x.type <> 'object' AND (x.type IS NOT y.type OR x.value IS NOT y.value))"
#define SAME_SETTINGS AGREE("json_remove(o.json, " UNHASHED ")", "json_remove(s.json, " UNHASHED ")")
#define SWEEP_FIELD(field)                                                                         \
    "SELECT printf('conflict: sweep %s: " field " differs (kept %s, input %s)', s.id, o." field \
    ", s." field ") FROM merge_src.sweep AS s JOIN main.sweep AS o ON o.id = s.id WHERE o." field \
    " <> s." field
static const char other_conflicts_sql[] =
    "SELECT printf('conflict: config %s: same hash, different settings; kept the output''s', s.hash) "
    "FROM merge_src.config AS s JOIN main.config AS o ON o.hash = s.hash "
    "WHERE NOT " SAME_SETTINGS " "
    "UNION ALL " SWEEP_FIELD("name") " UNION ALL " SWEEP_FIELD("source") " UNION ALL " SWEEP_FIELD(
        "planned") " UNION ALL "
    "SELECT printf('conflict: sweep %s: config_json differs; kept the output''s', s.id) "
    "FROM merge_src.sweep AS s JOIN main.sweep AS o ON o.id = s.id "
    "WHERE NOT " AGREE("o.config_json", "s.config_json") " "
    "UNION ALL SELECT printf('conflict: sweep %s, run %s: position or overrides differ "
    "(kept %s %s, input %s %s)', s.sweep_id, s.run_id, o.position, o.overrides, s.position, s.overrides) "
    "FROM merge_src.sweep_run AS s JOIN main.sweep_run AS o "
    "ON o.sweep_id = s.sweep_id AND o.run_id = s.run_id "
    "WHERE o.position IS NOT s.position OR o.overrides IS NOT s.overrides";

/* Applying the plan. */
#define PLANNED(actions) "(SELECT id FROM temp.merge_plan WHERE action IN (" actions "))"
#define COPY_CHILDREN(table) \
    "INSERT INTO main." table " SELECT * FROM merge_src." table " WHERE run_id IN " PLANNED("'add', 'upgrade'")
#define SAME_BENCH_CELL                                                                        \
    "o.run_id IS s.run_id AND o.created_at IS s.created_at AND o.mechanism IS s.mechanism AND " \
    "o.length IS s.length AND o.batch IS s.batch AND o.dim IS s.dim AND o.heads IS s.heads AND " \
    "o.layers IS s.layers AND o.host IS s.host AND o.implementation IS s.implementation AND " \
    "o.options IS s.options"

static const char insert_configs_sql[] = "INSERT OR IGNORE INTO main.config SELECT * FROM merge_src.config";
/* Of two JSON texts of one hash with the same settings, the smaller one is kept, so
 * that the result does not depend on the order of the inputs. */
static const char update_configs_sql[] =
    "UPDATE main.config AS o SET json = s.json FROM merge_src.config AS s WHERE s.hash = o.hash "
    "AND s.json < o.json AND " SAME_SETTINGS;
static const char insert_sweeps_sql[] = "INSERT OR IGNORE INTO main.sweep SELECT * FROM merge_src.sweep";
static const char update_sweeps_sql[] =
    "UPDATE main.sweep AS o SET "
    "created_at = coalesce(min(o.created_at, s.created_at), o.created_at, s.created_at), "
    "config_json = coalesce(o.config_json, s.config_json), name = coalesce(o.name, s.name), "
    "source = coalesce(o.source, s.source), planned = coalesce(o.planned, s.planned) "
    "FROM merge_src.sweep AS s WHERE s.id = o.id";
/* An upgraded run is deleted (its child rows go by cascade) and copied anew; its sweep
 * links are kept aside and put back. */
static const char keep_links_sql[] =
    "CREATE TEMP TABLE merge_links AS SELECT * FROM main.sweep_run WHERE run_id IN " PLANNED("'upgrade'");
static const char drop_upgraded_sql[] = "DELETE FROM main.run WHERE id IN " PLANNED("'upgrade'");
static const char insert_runs_sql[] =
    "INSERT INTO main.run SELECT * FROM merge_src.run WHERE id IN " PLANNED("'add', 'upgrade'");
static const char restore_links_sql[] = "INSERT INTO main.sweep_run SELECT * FROM temp.merge_links";
static const char insert_links_sql[] =
    "INSERT OR IGNORE INTO main.sweep_run (sweep_id, run_id, position, overrides) "
    "SELECT s.sweep_id, p.target, s.position, s.overrides "
    "FROM merge_src.sweep_run AS s JOIN temp.merge_plan AS p ON p.id = s.run_id";
static const char relink_retired_sql[] =
    "INSERT OR IGNORE INTO main.sweep_run (sweep_id, run_id, position, overrides) "
    "SELECT l.sweep_id, r.target, l.position, l.overrides "
    "FROM main.sweep_run AS l JOIN temp.merge_retire AS r ON r.id = l.run_id";
static const char delete_retired_sql[] = "DELETE FROM main.run WHERE id IN (SELECT id FROM temp.merge_retire)";
static const char new_bench_sql[] =
    "CREATE TEMP TABLE merge_bench AS SELECT * FROM merge_src.bench AS s "
    "WHERE NOT EXISTS (SELECT 1 FROM main.bench AS o WHERE " SAME_BENCH_CELL ") ORDER BY s.id";
static const char renumber_bench_sql[] = "UPDATE temp.merge_bench SET id = NULL";
static const char insert_bench_sql[] = "INSERT INTO main.bench SELECT * FROM temp.merge_bench ORDER BY rowid";

static bool is_final(const char *status) {
    return strcmp(status, "completed") == 0 || strcmp(status, "failed") == 0 ||
           strcmp(status, "diverged") == 0;
}

/* Not completed, and made redundant by a completed run of the same config and seed. */
static bool is_stale(const char *status) {
    return strcmp(status, "planned") == 0 || strcmp(status, "running") == 0 ||
           strcmp(status, "dead") == 0 || strcmp(status, "failed") == 0;
}

static int exec(merger *m, const char *sql, const char *what, int *changes, error_info *err) {
    if (sqlite3_exec(m->out->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_fail_sql(m->out, what, err);
    if (changes) *changes += sqlite3_changes(m->out->db);
    return 0;
}

/* Step a statement that returns one row (or none) and read one integer from it. */
static int step_integer(merger *m, sqlite3_stmt *stmt, int column, int64_t *value, error_info *err) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) *value = sqlite3_column_int64(stmt, column);
    sqlite3_reset(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return store_fail_sql(m->out, "cannot compare runs", err);
    return 0;
}

static int step_done(merger *m, sqlite3_stmt *stmt, const char *what, error_info *err) {
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    return rc == SQLITE_DONE ? 0 : store_fail_sql(m->out, what, err);
}

static void describe_run(strbuf *line, const input_run *r) {
    strbuf_printf(line, "run %s (%s, %s, seed %lld)", r->id, r->task, r->mechanism, (long long)r->seed);
}

/* A value for a conflict line: numbers in their shortest exact form, long texts cut. */
static void append_cell(strbuf *line, sqlite3_stmt *stmt, int column) {
    switch (sqlite3_column_type(stmt, column)) {
    case SQLITE_NULL: strbuf_append(line, "none"); break;
    case SQLITE_INTEGER: strbuf_printf(line, "%lld", (long long)sqlite3_column_int64(stmt, column)); break;
    case SQLITE_FLOAT: strbuf_append_real(line, sqlite3_column_double(stmt, column)); break;
    default: {
        const char *text = store_column_text(stmt, column);
        size_t n = strlen(text);
        strbuf_append_n(line, text, n > MAX_VALUE_CHARS ? MAX_VALUE_CHARS : n);
        if (n > MAX_VALUE_CHARS) strbuf_append(line, "...");
    }
    }
}

static bool same_value(sqlite3_stmt *a, sqlite3_stmt *b, int column) {
    int type = sqlite3_column_type(a, column);
    if (type != sqlite3_column_type(b, column)) return false;
    switch (type) {
    case SQLITE_NULL: return true;
    case SQLITE_INTEGER: return sqlite3_column_int64(a, column) == sqlite3_column_int64(b, column);
    case SQLITE_FLOAT: return sqlite3_column_double(a, column) == sqlite3_column_double(b, column);
    default: {
        int n = sqlite3_column_bytes(a, column);
        return n == sqlite3_column_bytes(b, column) &&
               memcmp(sqlite3_column_blob(a, column), sqlite3_column_blob(b, column), (size_t)n) == 0;
    }
    }
}

/* The items of one conflict line: "what (kept X, input Y)", the first few named. */
typedef struct difference_list {
    strbuf *line;
    int items;
} difference_list;

static bool next_item(difference_list *d) {
    if (d->items++ >= MAX_DIFFERENCES) return false;
    strbuf_append(d->line, d->items > 1 ? ", " : ": ");
    return true;
}

/* Columns of the run row that differ between the output and the input. */
static int list_run_columns(merger *m, const char *id, difference_list *d, error_info *err) {
    sqlite3_stmt *kept = NULL, *input = NULL;
    int result = store_prepare(m->out, "SELECT * FROM main.run WHERE id = ?1", &kept, err);
    if (result == 0) result = store_prepare(m->out, "SELECT * FROM merge_src.run WHERE id = ?1", &input, err);
    if (result == 0) {
        store_bind_text(kept, 1, id);
        store_bind_text(input, 1, id);
        if (sqlite3_step(kept) != SQLITE_ROW || sqlite3_step(input) != SQLITE_ROW)
            result = store_fail_sql(m->out, "cannot compare runs", err);
    }
    for (int c = 0; result == 0 && c < sqlite3_column_count(kept); c++) {
        if (same_value(kept, input, c) || !next_item(d)) continue;
        strbuf_printf(d->line, "%s (kept ", sqlite3_column_name(kept, c));
        append_cell(d->line, kept, c);
        strbuf_append(d->line, ", input ");
        append_cell(d->line, input, c);
        strbuf_append(d->line, ")");
    }
    sqlite3_finalize(kept);
    sqlite3_finalize(input);
    return result;
}

static int list_results(merger *m, const char *input_id, const char *kept_id, difference_list *d,
                        error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(m->out, result_differences_sql, &stmt, err)) return -1;
    store_bind_text(stmt, 1, input_id);
    store_bind_text(stmt, 2, kept_id);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (!next_item(d)) continue;
        strbuf_printf(d->line, "result %s/%s (kept ", store_column_text(stmt, 0), store_column_text(stmt, 1));
        append_cell(d->line, stmt, 2);
        strbuf_append(d->line, ", input ");
        append_cell(d->line, stmt, 3);
        strbuf_append(d->line, ")");
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : store_fail_sql(m->out, "cannot compare results", err);
}

static void finish_list(difference_list *d) {
    if (d->items > MAX_DIFFERENCES) strbuf_printf(d->line, ", and %d more", d->items - MAX_DIFFERENCES);
    strbuf_append(d->line, "\n");
}

/* A run both databases hold, final in both and different. differing: rows per table. */
static int conflict_same_run(merger *m, const input_run *r, const int64_t *differing, error_info *err) {
    strbuf *line = &m->report->conflict_lines;
    strbuf_append(line, "conflict: ");
    describe_run(line, r);
    strbuf_append(line, " is final in both but differs; kept the output's");
    difference_list d = {line, 0};
    if (differing[0] && list_run_columns(m, r->id, &d, err)) return -1;
    if (differing[3] && list_results(m, r->id, r->id, &d, err)) return -1;
    for (int t = 1; t < RUN_TABLES; t++)
        if (t != 3 && differing[t] && next_item(&d))
            strbuf_printf(line, "%lld %s rows", (long long)differing[t], run_tables[t]);
    finish_list(&d);
    m->report->conflicts++;
    return 0;
}

/* A completed input run beside a completed output run of the same config and seed. */
static int conflict_other_run(merger *m, const input_run *r, const char *kept, error_info *err) {
    strbuf *line = &m->report->conflict_lines;
    strbuf_append(line, "conflict: ");
    describe_run(line, r);
    strbuf_printf(line, " and the output's run %s are completed with the same config %.12s and seed but "
                        "different results; kept the output's",
                  kept, r->config_hash);
    difference_list d = {line, 0};
    if (list_results(m, r->id, kept, &d, err)) return -1;
    finish_list(&d);
    m->report->conflicts++;
    return 0;
}

static int record(merger *m, const input_run *r, enum plan_action action, const char *target,
                  error_info *err) {
    store_bind_text(m->plan, 1, r->id);
    store_bind_text(m->plan, 2, action_names[action]);
    store_bind_text(m->plan, 3, target);
    int *counts[] = {&m->report->added,      &m->report->upgraded,   &m->report->present,
                     &m->report->duplicates, &m->report->superseded, NULL};
    if (counts[action]) (*counts[action])++;
    return step_done(m, m->plan, "cannot plan the merge", err);
}

/* Retire the output's stale runs of r's config and seed in favour of r (completed). */
static int retire_stale(merger *m, const input_run *r, error_info *err) {
    sqlite3_stmt *q = m->matches;
    store_bind_text(q, 1, r->config_hash);
    sqlite3_bind_int64(q, 2, r->seed);
    int rc = SQLITE_DONE, result = 0;
    while (result == 0 && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *id = store_column_text(q, 0), *status = store_column_text(q, 1);
        if (!is_stale(status)) continue;
        store_bind_text(m->retire, 1, id);
        store_bind_text(m->retire, 2, r->id);
        result = step_done(m, m->retire, "cannot plan the merge", err);
        if (result == 0 && sqlite3_changes(m->out->db) == 1) {
            strbuf_printf(&m->report->event_lines, "replaced: the output's %s run %s by completed ", status, id);
            describe_run(&m->report->event_lines, r);
            strbuf_append(&m->report->event_lines, "\n");
        }
    }
    if (result == 0 && rc != SQLITE_DONE) result = store_fail_sql(m->out, "cannot read runs", err);
    sqlite3_reset(q);
    return result;
}

/* Find the output's first completed run of r's config and seed (kept), and one whose
 * test and eval results equal r's (duplicate), when r is completed. */
static int find_completed(merger *m, const input_run *r, char kept[ID_SIZE], char duplicate[ID_SIZE],
                          error_info *err) {
    sqlite3_stmt *q = m->matches;
    store_bind_text(q, 1, r->config_hash);
    sqlite3_bind_int64(q, 2, r->seed);
    const bool completed = strcmp(r->status, "completed") == 0;
    int result = 0;
    while (result == 0 && !duplicate[0]) {
        int rc = sqlite3_step(q);
        if (rc != SQLITE_ROW) {
            if (rc != SQLITE_DONE) result = store_fail_sql(m->out, "cannot read runs", err);
            break;
        }
        if (strcmp(store_column_text(q, 1), "completed") != 0) break;
        const char *id = store_column_text(q, 0);
        if (!kept[0]) snprintf(kept, ID_SIZE, "%s", id);
        if (!completed) break;
        int64_t same = 0;
        store_bind_text(m->same_results, 1, r->id);
        store_bind_text(m->same_results, 2, id);
        result = step_integer(m, m->same_results, 0, &same, err);
        if (same) snprintf(duplicate, ID_SIZE, "%s", id);
    }
    sqlite3_reset(q);
    return result;
}

static int plan_new_run(merger *m, const input_run *r, error_info *err) {
    char kept[ID_SIZE] = "", duplicate[ID_SIZE] = "";
    if (find_completed(m, r, kept, duplicate, err)) return -1;
    const bool completed = strcmp(r->status, "completed") == 0;
    strbuf *events = &m->report->event_lines;
    if (completed && duplicate[0]) {
        strbuf_append(events, "duplicate: ");
        describe_run(events, r);
        strbuf_printf(events, " has the results of the output's run %s; skipped\n", duplicate);
        return record(m, r, PLAN_DUPLICATE, duplicate, err);
    }
    if (completed && kept[0])
        return conflict_other_run(m, r, kept, err) || record(m, r, PLAN_CONFLICT, kept, err) ? -1 : 0;
    if (kept[0] && is_stale(r->status)) {
        strbuf_printf(events, "superseded: %s ", r->status);
        describe_run(events, r);
        strbuf_printf(events, " by the output's completed run %s; skipped\n", kept);
        return record(m, r, PLAN_SUPERSEDED, kept, err);
    }
    if (completed && retire_stale(m, r, err)) return -1;
    return record(m, r, PLAN_ADD, r->id, err);
}

/* Between two non-final rows of one run, the one with more progress wins. */
static bool further_along(const input_run *r, const output_run *o) {
    static const char *const order[] = {"planned", "running", "dead"};
    if (r->steps != o->steps) return r->steps > o->steps;
    int c = strcmp(r->heartbeat, o->heartbeat);
    if (c != 0) return c > 0;
    int rank_in = 0, rank_out = 0;
    for (int i = 0; i < 3; i++) {
        if (strcmp(r->status, order[i]) == 0) rank_in = i;
        if (strcmp(o->status, order[i]) == 0) rank_out = i;
    }
    return rank_in > rank_out;
}

static int plan_known_run(merger *m, const input_run *r, const output_run *o, error_info *err) {
    int64_t differing[RUN_TABLES];
    store_bind_text(m->differing, 1, r->id);
    bool same = true;
    int rc = sqlite3_step(m->differing);
    for (int t = 0; rc == SQLITE_ROW && t < RUN_TABLES; t++) {
        differing[t] = sqlite3_column_int64(m->differing, t);
        same = same && differing[t] == 0;
    }
    sqlite3_reset(m->differing);
    if (rc != SQLITE_ROW) return store_fail_sql(m->out, "cannot compare runs", err);

    const bool final_in = is_final(r->status), final_out = is_final(o->status);
    if (!same && final_in && final_out)
        return conflict_same_run(m, r, differing, err) || record(m, r, PLAN_CONFLICT, r->id, err) ? -1 : 0;
    const bool upgrade = !same && (final_in ? !final_out : !final_out && further_along(r, o));
    if (!upgrade) return record(m, r, PLAN_PRESENT, r->id, err);
    strbuf *events = &m->report->event_lines;
    strbuf_append(events, "upgraded: ");
    describe_run(events, r);
    strbuf_printf(events, ": %s at step %lld -> %s at step %lld\n", o->status, (long long)o->steps,
                  r->status, (long long)r->steps);
    if (strcmp(r->status, "completed") == 0 && retire_stale(m, r, err)) return -1;
    return record(m, r, PLAN_UPGRADE, r->id, err);
}

static int plan_run(merger *m, const input_run *r, error_info *err) {
    sqlite3_stmt *q = m->out_run;
    store_bind_text(q, 1, r->id);
    int rc = sqlite3_step(q);
    output_run o = {.steps = 0};
    if (rc == SQLITE_ROW) {
        snprintf(o.status, sizeof o.status, "%s", store_column_text(q, 0));
        o.steps = sqlite3_column_int64(q, 1);
        snprintf(o.heartbeat, sizeof o.heartbeat, "%s", store_column_text(q, 2));
    }
    sqlite3_reset(q);
    if (rc == SQLITE_DONE) return plan_new_run(m, r, err);
    if (rc != SQLITE_ROW) return store_fail_sql(m->out, "cannot read runs", err);
    return plan_known_run(m, r, &o, err);
}

static int plan_runs(merger *m, error_info *err) {
    sqlite3_stmt *runs = NULL;
    if (store_prepare(m->out, input_runs_sql, &runs, err)) return -1;
    int rc = SQLITE_DONE, result = 0;
    while (result == 0 && (rc = sqlite3_step(runs)) == SQLITE_ROW) {
        input_run r = {
            .id = store_column_text(runs, 0),
            .config_hash = store_column_text(runs, 1),
            .seed = sqlite3_column_int64(runs, 2),
            .status = store_column_text(runs, 3),
            .task = store_column_text(runs, 4),
            .mechanism = store_column_text(runs, 5),
            .steps = sqlite3_column_int64(runs, 6),
            .heartbeat = store_column_text(runs, 7),
        };
        result = plan_run(m, &r, err);
    }
    if (result == 0 && rc != SQLITE_DONE) result = store_fail_sql(m->out, "cannot read the input's runs", err);
    sqlite3_finalize(runs);
    return result;
}

static int list_other_conflicts(merger *m, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(m->out, other_conflicts_sql, &stmt, err)) return -1;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        strbuf_printf(&m->report->conflict_lines, "%s\n", store_column_text(stmt, 0));
        m->report->conflicts++;
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : store_fail_sql(m->out, "cannot compare configs and sweeps", err);
}

static int apply_plan(merger *m, error_info *err) {
    merge_report *r = m->report;
    const struct {
        const char *sql, *what;
        int *changes;
    } steps[] = {
        {insert_configs_sql, "cannot copy configs", &r->configs},
        {update_configs_sql, "cannot merge configs", NULL},
        {insert_sweeps_sql, "cannot copy sweeps", &r->sweeps},
        {update_sweeps_sql, "cannot merge sweeps", NULL},
        {keep_links_sql, "cannot keep sweep links", NULL},
        {drop_upgraded_sql, "cannot replace upgraded runs", NULL},
        {insert_runs_sql, "cannot copy runs", NULL},
        {COPY_CHILDREN("provenance"), "cannot copy provenance", NULL},
        {COPY_CHILDREN("metric"), "cannot copy metrics", NULL},
        {COPY_CHILDREN("result"), "cannot copy results", NULL},
        {COPY_CHILDREN("length_result"), "cannot copy per-length results", NULL},
        {restore_links_sql, "cannot keep sweep links", NULL},
        {insert_links_sql, "cannot copy sweep links", &r->sweep_links},
        {relink_retired_sql, "cannot move sweep links", NULL},
        {delete_retired_sql, "cannot remove replaced runs", &r->replaced},
        {new_bench_sql, "cannot compare bench rows", NULL},
        {renumber_bench_sql, "cannot copy bench rows", NULL},
        {insert_bench_sql, "cannot copy bench rows", &r->bench},
        {teardown_sql, "cannot finish the merge", NULL},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (exec(m, steps[i].sql, steps[i].what, steps[i].changes, err)) return -1;
    return 0;
}

static void finalize_statements(merger *m) {
    sqlite3_stmt **all[] = {&m->out_run, &m->differing, &m->matches, &m->same_results, &m->plan, &m->retire};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        sqlite3_finalize(*all[i]);
        *all[i] = NULL;
    }
}

/* The whole merge of the attached input, in one transaction. */
static int merge_attached(merger *m, error_info *err) {
    if (store_begin(m->out, err)) return -1;
    int result = exec(m, setup_sql, "cannot start the merge", NULL, err) ||
                 store_prepare(m->out, out_run_sql, &m->out_run, err) || store_prepare(m->out, differing_sql, &m->differing, err) ||
                 store_prepare(m->out, matches_sql, &m->matches, err) ||
                 store_prepare(m->out, same_results_sql, &m->same_results, err) || store_prepare(m->out, plan_sql, &m->plan, err) ||
                 store_prepare(m->out, retire_sql, &m->retire, err) || plan_runs(m, err) ||
                 list_other_conflicts(m, err) || apply_plan(m, err);
    finalize_statements(m);
    if (result) {
        store_rollback(m->out);
        return -1;
    }
    return store_commit(m->out, err);
}

static int attach(merger *m, const char *copy, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(m->out, "ATTACH ?1 AS merge_src", &stmt, err)) return -1;
    store_bind_text(stmt, 1, copy);
    int rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? 0 : store_fail_sql(m->out, "cannot attach the input's copy", err);
}

int merge_database(store *out, const char *in_path, merge_report *report, error_info *err) {
    char copy[4096];
    if (merge_snapshot_take(in_path, copy, sizeof copy, err)) return -1;
    merger m = {.out = out, .report = report};
    int result = attach(&m, copy, err);
    if (result == 0) {
        result = merge_attached(&m, err);
        sqlite3_exec(out->db, "DETACH merge_src", NULL, NULL, NULL);
    }
    merge_snapshot_remove(copy);
    if (result) {
        error_prefix(err, "merging %s", in_path);
        merge_report_free(report);
    }
    return result;
}

void merge_report_free(merge_report *report) {
    strbuf_free(&report->conflict_lines);
    strbuf_free(&report->event_lines);
    *report = (merge_report){.added = 0};
}
