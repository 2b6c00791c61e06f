/* cmd_query.c — `attnbench query`: one read-only SQL statement over the database.
 *
 * The connection is opened read-only and store_query refuses any statement that could
 * write, so a query can never damage results. --help documents the views, which are
 * the stable way in; the tables behind them are listed for completeness. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "store/store.h"

static const char about[] =
    "Run one read-only SQL statement (SQLite dialect) over the results database and print\n"
    "its rows: an aligned table (NULL shown empty), CSV with a header row (RFC 4180\n"
    "quoting, NULL as an empty field), or a JSON array of objects (NULL, inf and nan as\n"
    "null). Statements that would write, ATTACH, transactions and several statements are\n"
    "refused.\n";

static const char notes[] =
    "Views:\n"
    "  runs     one row per run: id, name, task, mechanism, seed, status, config_hash,\n"
    "           created_at, finished_at, steps_done, wall_seconds, test_accuracy,\n"
    "           eval_accuracy (accuracies are fractions; NULL until the run completes),\n"
    "           task_version, started_at, heartbeat_at, host, pid, error,\n"
    "           peak_rss_bytes, sweep_id (the sweep that planned it, if any), suite,\n"
    "           level, task_order (where the task's registration places it)\n"
    "  results  one row per run, split and final metric: run_id, name, task, mechanism,\n"
    "           seed, status, split, metric, value\n"
    "Tables:\n"
    "  run            status is planned, running, completed, failed, diverged or dead;\n"
    "                 times are ISO-8601 UTC text; host, pid, heartbeat_at, error\n"
    "  config         hash, json: the resolved config of each run (run.config_hash; the\n"
    "                 hash covers what differs from the defaults)\n"
    "  provenance     run_id, version, git_commit, compiler, flags, blas, blas_threads,\n"
    "                 threads, cpu, cpu_count, host, os\n"
    "  metric         run_id, step, split, name, value: training curves\n"
    "  result         run_id, split, name, value: final results of completed runs\n"
    "  length_result  run_id, length, split, accuracy, sequence_accuracy, examples\n"
    "  bench          time and memory per training step by mechanism and shape\n"
    "  sweep          id, created_at, config_json, name, source (the config file),\n"
    "                 planned (runs in the whole plan, every shard)\n"
    "  sweep_run      sweep_id, run_id, position (in the plan), overrides (JSON array of\n"
    "                 the key=value that make the run from the sweep's config file)\n"
    "\n"
    "Examples:\n"
    "  attnbench query \"SELECT mechanism, task, avg(test_accuracy) FROM runs\n"
    "                  WHERE status = 'completed' GROUP BY mechanism, task\"\n"
    "  attnbench query --format csv \"SELECT * FROM metric WHERE run_id = '...'\"\n"
    "\n"
    "Exit status: 0 ok, 1 database error, 2 usage error, bad SQL or a statement that writes.\n";

int cmd_query(int argc, char **argv) {
    const char *db_flag = NULL, *sql = NULL;
    enum query_format format = QUERY_TABLE;
    const cli_opt opts[] = {
        CLI_OPT_DB(&db_flag),
        CLI_OPT_QUERY_FORMAT(&format),
        CLI_POSITIONAL("\"SELECT ...\"", &sql, true, "one SQL statement, in quotes"),
    };
    const cli_spec spec = {"query", CLI_OPTS(opts), NULL, about, notes};
    const int status = cli_parse_command(&spec, argc, argv);
    if (status != CLI_PARSED) return status;

    error_info err = {0};
    store *s = NULL;
    if (store_open(&s, cli_database_path(db_flag), true, &err) ||
        store_query(s, sql, format, stdout, &err)) {
        store_close(s);
        return cli_fail(err.status, "%s", err.message);
    }
    store_close(s);
    return EXIT_OK;
}
