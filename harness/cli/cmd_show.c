/* cmd_show.c — `attnbench show RUN`: everything recorded about one run — what it was,
 * where it stands, where it came from, what it scored — read through `attnbench
 * query`'s own printer, so nothing here formats numbers of its own; the config is
 * printed as stored, its canonical JSON. */
#include <sqlite3.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "store/store.h"
#include "store/sweep.h"

static const char about[] =
    "Print one run (RUN: its id or a prefix of at least 4 hex digits): its row (status,\n"
    "times, host, pid, steps, error), the sweeps it belongs to and the overrides that\n"
    "made it, its resolved config as JSON, its provenance (commit, compiler, flags, BLAS,\n"
    "threads, CPU), its final results and, for length-generalisation tasks, its accuracy\n"
    "by input length.\n";

typedef struct section {
    const char *title;
    const char *sql; /* %Q is the run id */
    enum query_format format;
} section;

static const section sections[] = {
    {"run",
     "SELECT id, status, name, task, task_version, mechanism, seed, config_hash, created_at, started_at, "
     "finished_at, heartbeat_at, steps_done, wall_seconds, peak_rss_bytes, host, pid, error FROM runs WHERE id = %Q",
     QUERY_JSON},
    {"sweeps", "SELECT sweep_id, position, overrides FROM sweep_run WHERE run_id = %Q ORDER BY sweep_id", QUERY_TABLE},
    {"provenance", "SELECT * FROM provenance WHERE run_id = %Q", QUERY_JSON},
    {"results", "SELECT split, metric, value FROM results WHERE run_id = %Q ORDER BY split, metric", QUERY_TABLE},
    {"accuracy by length",
     "SELECT split, count(*) AS lengths, min(length) AS shortest, max(length) AS longest, avg(accuracy) AS "
     "mean_accuracy, avg(sequence_accuracy) AS mean_sequence_accuracy, sum(examples) AS examples "
     "FROM length_result WHERE run_id = %Q GROUP BY split ORDER BY split",
     QUERY_TABLE},
};

static int print_config(store *s, const char *id, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    const char *sql = "SELECT c.json FROM run r JOIN config c ON c.hash = r.config_hash WHERE r.id = ?";
    if (sqlite3_prepare_v2(store_db(s), sql, -1, &stmt, NULL) != SQLITE_OK)
        return error_set(err, EXIT_RUNTIME, "cannot read the config: %s", sqlite3_errmsg(store_db(s)));
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(stmt) == SQLITE_ROW) printf("%s\n", (const char *)sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    return 0;
}

int cmd_show(int argc, char **argv) {
    const char *db_flag = NULL, *reference = NULL;
    const cli_opt opts[] = {
        CLI_POSITIONAL("RUN", &reference, true, "its id, or a prefix of at least 4 hex digits"),
        CLI_OPT_DB(&db_flag),
    };
    const cli_spec spec = {"show", CLI_OPTS(opts), NULL, about, NULL};
    int status = cli_parse_command(&spec, argc, argv);
    if (status != CLI_PARSED) return status;
    status = EXIT_OK;
    store *s = NULL;
    error_info err = {0};
    char id[33];
    if (store_open(&s, cli_database_path(db_flag), true, &err) != 0 || store_run_find(s, reference, id, &err) != 0) {
        store_close(s);
        return cli_fail(err.status, "%s", err.message);
    }
    for (size_t i = 0; i < sizeof sections / sizeof sections[0] && status == EXIT_OK; i++) {
        printf("%s## %s\n", i ? "\n" : "", sections[i].title);
        fflush(stdout);
        char *sql = sqlite3_mprintf(sections[i].sql, id);
        if (store_query(s, sql, sections[i].format, stdout, &err) != 0) status = cli_fail(err.status, "%s", err.message);
        sqlite3_free(sql);
        if (i == 1 && status == EXIT_OK) {
            printf("\n## config\n");
            if (print_config(s, id, &err) != 0) status = cli_fail(err.status, "%s", err.message);
        }
    }
    store_close(s);
    return status;
}
