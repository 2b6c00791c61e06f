/* cmd_reap.c — `attnbench reap`: mark as dead the runs that say `running` but whose
 * process is gone (on this machine) or silent (on any), so that sweeps run them again.
 * Every sweep does this first; the command is for a database that no sweep is using. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "store/heartbeat.h"
#include "store/store.h"
#include "store/sweep.h"

static const char about[] =
    "Mark `dead` every running run whose process no longer exists (runs of this machine)\n"
    "or whose heartbeat is older than --stale seconds (runs of any machine; default 120;\n"
    "a live run beats every 15 s). Each one is printed with the reason. A dead run is run\n"
    "again by the next `attnbench sweep` that plans it; its partial curves are discarded.\n";

static const char notes[] = "Exit status: 0 ok, 1 database error, 2 usage error.\n";

int cmd_reap(int argc, char **argv) {
    const char *db_flag = NULL;
    long long stale = HEARTBEAT_STALE_SECONDS;
    const cli_opt opts[] = {
        CLI_OPT_DB(&db_flag),
        CLI_NUMBER64("--stale", "SECONDS", &stale, 1, 1000000000, "a heartbeat older than this is stale (default 120)"),
    };
    const cli_spec spec = {"reap", CLI_OPTS(opts), NULL, about, notes};
    const int status = cli_parse_command(&spec, argc, argv);
    if (status != CLI_PARSED) return status;
    const char *path = cli_database_path(db_flag);
    store *s = NULL;
    error_info err = {0};
    int reaped = 0;
    if (store_open(&s, path, false, &err) != 0 || store_reap(s, (double)stale, stdout, &reaped, &err) != 0) {
        store_close(s);
        return cli_fail(err.status, "%s", err.message);
    }
    store_close(s);
    printf("%d run%s marked dead in %s\n", reaped, reaped == 1 ? "" : "s", path);
    return EXIT_OK;
}
