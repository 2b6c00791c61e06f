/* cmd_ls.c — `attnbench ls`: the runs of a database, newest first, with filters. The
 * filters become a WHERE clause over the documented `runs` view, quoted by SQLite. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "core/strbuf.h"
#include "store/store.h"
#include "store/sweep.h"

static const char about[] =
    "List runs, newest first: id, status, task, mechanism, positional encoding, seed,\n"
    "test and eval accuracy in percent (for Chomsky tasks: the score and the\n"
    "in-distribution accuracy), steps, wall seconds, when it finished (or its heartbeat),\n"
    "and the first line of its error.\n";

static const char *const statuses[] = {"planned", "running", "completed", "failed", "diverged", "dead"};

typedef struct ls_args {
    const char *db_flag, *status, *task, *mechanism, *sweep;
    enum query_format format;
    long long limit;
} ls_args;

static int parse_args(int argc, char **argv, ls_args *a) {
    *a = (ls_args){.format = QUERY_TABLE, .limit = 50};
    const cli_opt opts[] = {
        CLI_OPT_DB(&a->db_flag),
        CLI_TEXT("--status", "S", &a->status, "planned, running, completed, failed, diverged or dead"),
        CLI_TEXT("--task", "GLOB", &a->task, "e.g. lra/listops or 'chomsky/*'"),
        CLI_TEXT("--mechanism", "M", &a->mechanism, "e.g. full"),
        CLI_TEXT("--sweep", "SWEEP", &a->sweep, "the runs of a sweep (an id prefix or the config's name)"),
        CLI_NUMBER64("--limit", "N", &a->limit, 0, 1000000000, "at most N rows (default 50; 0 for all)"),
        CLI_OPT_QUERY_FORMAT(&a->format),
    };
    const cli_spec spec = {"ls", CLI_OPTS(opts), NULL, about, NULL};
    const int status = cli_parse_command(&spec, argc, argv);
    if (status != CLI_PARSED) return status;
    if (a->status) {
        bool known = false;
        for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) known |= strcmp(a->status, statuses[i]) == 0;
        if (!known)
            return cli_fail(EXIT_USAGE,
                            "ls: --status \"%s\" is not one of planned, running, completed, failed, diverged, dead",
                            a->status);
    }
    return CLI_PARSED;
}

static void add_filter(strbuf *sql, const char *format, const char *value) {
    if (!value) return;
    char *clause = sqlite3_mprintf(format, value);
    strbuf_append(sql, clause);
    sqlite3_free(clause);
}

int cmd_ls(int argc, char **argv) {
    ls_args a;
    int status = parse_args(argc, argv, &a);
    if (status != CLI_PARSED) return status;
    status = EXIT_OK;
    store *s = NULL;
    error_info err = {0};
    char sweep_id[33] = "";
    if (store_open(&s, cli_database_path(a.db_flag), true, &err) != 0 ||
        (a.sweep && store_sweep_find(s, a.sweep, sweep_id, &err) != 0)) {
        store_close(s);
        return cli_fail(err.status, "%s", err.message);
    }
    strbuf sql = {0};
    strbuf_append(&sql,
                  "SELECT r.id, r.status, r.task, r.mechanism, json_extract(c.json, '$.model.positional') AS "
                  "positional, r.seed, round(100 * r.test_accuracy, 2) AS test_pct, round(100 * r.eval_accuracy, 2) "
                  "AS eval_pct, r.steps_done AS steps, round(r.wall_seconds, 1) AS seconds, "
                  "coalesce(r.finished_at, r.heartbeat_at, r.created_at) AS time, r.error "
                  "FROM runs r LEFT JOIN config c ON c.hash = r.config_hash WHERE 1");
    add_filter(&sql, " AND r.status = %Q", a.status);
    add_filter(&sql, " AND r.task GLOB %Q", a.task);
    add_filter(&sql, " AND r.mechanism = %Q", a.mechanism);
    add_filter(&sql, " AND r.id IN (SELECT run_id FROM sweep_run WHERE sweep_id = %Q)", a.sweep ? sweep_id : NULL);
    strbuf_append(&sql, " ORDER BY time DESC, r.id");
    if (a.limit > 0) strbuf_printf(&sql, " LIMIT %lld", a.limit);
    if (store_query(s, sql.data, a.format, stdout, &err) != 0) status = cli_fail(err.status, "%s", err.message);
    strbuf_free(&sql);
    store_close(s);
    return status;
}
