/* cmd_status.c — `attnbench status [SWEEP]`: where a sweep stands, or every sweep.
 *
 * Read-only: it never reaps. A running run whose heartbeat is stale is shown as such,
 * and `attnbench reap` (or the next sweep) marks it dead. The estimate of time left is
 * the runs still to do times the mean wall time of the sweep's completed runs, divided
 * by the number running now. */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "store/heartbeat.h"
#include "store/store.h"
#include "store/sweep.h"

static const char about[] =
    "Without SWEEP: one line per sweep in the database (counts of its runs by status),\n"
    "then the counts over every run. With SWEEP (an id prefix, or a config name for its\n"
    "latest sweep): its counts, an estimate of the time left, its failed, diverged and\n"
    "dead runs with their first error line, and its running runs with host, pid, steps\n"
    "and the age of their heartbeat (stale after 120 s: `attnbench reap` marks them dead).\n";

#define COUNT_COLUMNS                                                                                              \
    "count(r.id) AS runs, sum(r.status = 'completed') AS completed, sum(r.status = 'running') AS running, "      \
    "sum(r.status = 'planned') AS planned, sum(r.status = 'failed') AS failed, sum(r.status = 'diverged') AS "   \
    "diverged, sum(r.status = 'dead') AS dead"

static int all_sweeps(store *s, error_info *err) {
    printf("## sweeps\n");
    fflush(stdout);
    if (store_query(s,
                    "SELECT substr(w.id, 1, 12) AS sweep, w.name, w.created_at, w.planned, " COUNT_COLUMNS
                    " FROM sweep w LEFT JOIN sweep_run l ON l.sweep_id = w.id LEFT JOIN run r ON r.id = l.run_id "
                    "GROUP BY w.id ORDER BY w.created_at, w.id",
                    QUERY_TABLE, stdout, err) != 0)
        return -1;
    printf("\n## all runs\n");
    fflush(stdout);
    return store_query(s, "SELECT " COUNT_COLUMNS " FROM run r", QUERY_TABLE, stdout, err);
}

typedef struct sweep_counts {
    int runs, completed, running, planned, failed, diverged, dead, planned_total;
    double mean_seconds;
    char name[128], source[512];
} sweep_counts;

static int read_counts(store *s, const char *id, sweep_counts *c, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    const char *sql = "SELECT w.name, w.source, w.planned, " COUNT_COLUMNS
                      ", avg(CASE WHEN r.status = 'completed' THEN r.wall_seconds END) FROM sweep w "
                      "LEFT JOIN sweep_run l ON l.sweep_id = w.id LEFT JOIN run r ON r.id = l.run_id WHERE w.id = ?";
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &stmt, NULL) != SQLITE_OK)
        return error_set(err, EXIT_RUNTIME, "cannot read the sweep: %s", sqlite3_errmsg(store_db(s)));
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_TRANSIENT);
    memset(c, 0, sizeof *c);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        const unsigned char *name = sqlite3_column_text(stmt, 0), *source = sqlite3_column_text(stmt, 1);
        snprintf(c->name, sizeof c->name, "%s", name ? (const char *)name : "");
        snprintf(c->source, sizeof c->source, "%s", source ? (const char *)source : "");
        c->planned_total = sqlite3_column_int(stmt, 2);
        int *counts[] = {&c->runs, &c->completed, &c->running, &c->planned, &c->failed, &c->diverged, &c->dead};
        for (int i = 0; i < 7; i++) *counts[i] = sqlite3_column_int(stmt, 3 + i);
        c->mean_seconds = sqlite3_column_type(stmt, 10) == SQLITE_NULL ? NAN : sqlite3_column_double(stmt, 10);
    }
    sqlite3_finalize(stmt);
    return 0;
}

static void print_estimate(const sweep_counts *c) {
    const int left = c->planned + c->running;
    if (left == 0) {
        printf("nothing left to run%s\n", c->failed || c->dead ? " (failed and dead runs need a sweep to rerun)" : "");
    } else if (isnan(c->mean_seconds)) {
        printf("%d runs left; no run has completed yet, so no estimate\n", left);
    } else if (c->running == 0) {
        printf("%d runs left, about %.0f s each; nothing is running (run the sweep again to resume)\n", left,
               c->mean_seconds);
    } else {
        const double seconds = left * c->mean_seconds / c->running;
        printf("%d runs left, about %.0f s each, %d running: about %.0f min left\n", left, c->mean_seconds,
               c->running, ceil(seconds / 60));
    }
}

static int one_sweep(store *s, const char *id, error_info *err) {
    sweep_counts c;
    if (read_counts(s, id, &c, err) != 0) return -1;
    printf("sweep %s (%s, from %s)\n", id, c.name, c.source);
    printf("%d runs here of %d in the whole plan: %d completed, %d running, %d planned, %d failed, %d diverged, "
           "%d dead\n",
           c.runs, c.planned_total, c.completed, c.running, c.planned, c.failed, c.diverged, c.dead);
    print_estimate(&c);
    char *sql = sqlite3_mprintf(
        "SELECT r.id, r.status, l.overrides, r.steps_done AS steps, r.error FROM sweep_run l JOIN run r ON r.id = "
        "l.run_id WHERE l.sweep_id = %Q AND r.status IN ('failed', 'diverged', 'dead') ORDER BY l.position",
        id);
    printf("\n## failed, diverged and dead\n");
    fflush(stdout);
    int rc = store_query(s, sql, QUERY_TABLE, stdout, err);
    sqlite3_free(sql);
    if (rc != 0) return -1;
    sql = sqlite3_mprintf(
        "SELECT r.id, r.host, r.pid, r.steps_done AS steps, r.heartbeat_at, "
        "CAST(round((julianday('now') - julianday(r.heartbeat_at)) * 86400) AS INTEGER) AS heartbeat_age_s, "
        "CASE WHEN (julianday('now') - julianday(r.heartbeat_at)) * 86400 > %d THEN 'stale' ELSE '' END AS note, "
        "l.overrides FROM sweep_run l JOIN run r ON r.id = l.run_id WHERE l.sweep_id = %Q AND r.status = 'running' "
        "ORDER BY l.position",
        HEARTBEAT_STALE_SECONDS, id);
    printf("\n## running\n");
    fflush(stdout);
    rc = store_query(s, sql, QUERY_TABLE, stdout, err);
    sqlite3_free(sql);
    return rc;
}

int cmd_status(int argc, char **argv) {
    const char *db_flag = NULL, *reference = NULL;
    const cli_opt opts[] = {
        CLI_POSITIONAL("SWEEP", &reference, false, "a sweep's id prefix, or a config name for its latest sweep"),
        CLI_OPT_DB(&db_flag),
    };
    const cli_spec spec = {"status", CLI_OPTS(opts), NULL, about, NULL};
    const int status = cli_parse_command(&spec, argc, argv);
    if (status != CLI_PARSED) return status;
    store *s = NULL;
    error_info err = {0};
    char id[33];
    int rc = store_open(&s, cli_database_path(db_flag), true, &err);
    if (rc == 0) rc = reference ? store_sweep_find(s, reference, id, &err) || one_sweep(s, id, &err) : all_sweeps(s, &err);
    store_close(s);
    return rc == 0 ? EXIT_OK : cli_fail(err.status, "%s", err.message);
}
