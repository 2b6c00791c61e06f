/* cmd_ls.c — `attnbench ls`: the runs of a database, newest first, with filters. The
 * filters become a WHERE clause over the documented `runs` view, quoted by SQLite. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/strbuf.h"
#include "store/store.h"
#include "store/sweep.h"

static const char usage[] =
    "usage: attnbench ls [--db PATH] [--status S] [--task GLOB] [--mechanism M]\n"
    "                    [--sweep SWEEP] [--limit N] [--format table|csv|json]\n"
    "\n"
    "List runs, newest first: id, status, task, mechanism, positional encoding, seed,\n"
    "test and eval accuracy in percent (for Chomsky tasks: the score and the\n"
    "in-distribution accuracy), steps, wall seconds, when it finished (or its heartbeat),\n"
    "and the first line of its error.\n"
    "\n"
    "  --status S      planned, running, completed, failed, diverged or dead\n"
    "  --task GLOB     e.g. lra/listops or 'chomsky/*'\n"
    "  --mechanism M   e.g. full\n"
    "  --sweep SWEEP   the runs of a sweep (an id prefix or the config's name)\n"
    "  --limit N       at most N rows (default 50; 0 for all)\n";

static const char *const statuses[] = {"planned", "running", "completed", "failed", "diverged", "dead"};

typedef struct ls_args {
    const char *db_flag, *status, *task, *mechanism, *sweep, *format;
    long long limit;
} ls_args;

static int parse_args(int argc, char **argv, ls_args *a) {
    *a = (ls_args){.format = "table", .limit = 50};
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i];
        if (flag[0] != '-' || i + 1 == argc)
            return cli_fail(EXIT_USAGE, "ls: unexpected argument \"%s\" (see attnbench ls --help)", flag);
        const char *value = argv[++i];
        if (strcmp(flag, "--db") == 0) a->db_flag = value;
        else if (strcmp(flag, "--status") == 0) a->status = value;
        else if (strcmp(flag, "--task") == 0) a->task = value;
        else if (strcmp(flag, "--mechanism") == 0) a->mechanism = value;
        else if (strcmp(flag, "--sweep") == 0) a->sweep = value;
        else if (strcmp(flag, "--format") == 0) a->format = value;
        else if (strcmp(flag, "--limit") == 0) {
            if (!cli_parse_integer(value, 0, 1000000000, &a->limit))
                return cli_fail(EXIT_USAGE, "ls: --limit expects a whole number, got \"%s\"", value);
        } else return cli_fail(EXIT_USAGE, "ls: unknown option %s (see attnbench ls --help)", flag);
    }
    if (a->status) {
        bool known = false;
        for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) known |= strcmp(a->status, statuses[i]) == 0;
        if (!known)
            return cli_fail(EXIT_USAGE,
                            "ls: --status \"%s\" is not one of planned, running, completed, failed, diverged, dead",
                            a->status);
    }
    return EXIT_OK;
}

static void add_filter(strbuf *sql, const char *format, const char *value) {
    if (!value) return;
    char *clause = sqlite3_mprintf(format, value);
    strbuf_append(sql, clause);
    sqlite3_free(clause);
}

int cmd_ls(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    ls_args a;
    int status = parse_args(argc, argv, &a);
    if (status != EXIT_OK) return status;
    enum query_format format;
    if (!query_format_parse(a.format, &format))
        return cli_fail(EXIT_USAGE, "ls: --format \"%s\" is not one of table, csv, json", a.format);
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
    if (store_query(s, sql.data, format, stdout, &err) != 0) status = cli_fail(err.status, "%s", err.message);
    strbuf_free(&sql);
    store_close(s);
    return status;
}
