/* cmd_reap.c — `attnbench reap`: mark as dead the runs that say `running` but whose
 * process is gone (on this machine) or silent (on any), so that sweeps run them again.
 * Every sweep does this first; the command is for a database that no sweep is using. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/heartbeat.h"
#include "store/store.h"
#include "store/sweep.h"

static const char usage[] =
    "usage: attnbench reap [--db PATH] [--stale SECONDS]\n"
    "\n"
    "Mark `dead` every running run whose process no longer exists (runs of this machine)\n"
    "or whose heartbeat is older than --stale seconds (runs of any machine; default 120;\n"
    "a live run beats every 15 s). Each one is printed with the reason. A dead run is run\n"
    "again by the next `attnbench sweep` that plans it; its partial curves are discarded.\n"
    "\n"
    "Exit status: 0 ok, 1 database error, 2 usage error.\n";

int cmd_reap(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    const char *db_flag = NULL;
    long long stale = HEARTBEAT_STALE_SECONDS;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db_flag = argv[++i];
        } else if (strcmp(argv[i], "--stale") == 0 && i + 1 < argc) {
            if (!cli_parse_integer(argv[++i], 1, 1000000000, &stale))
                return cli_fail(EXIT_USAGE, "reap: --stale expects a number of seconds, got \"%s\"", argv[i]);
        } else {
            return cli_fail(EXIT_USAGE, "reap: unexpected argument \"%s\" (see attnbench reap --help)", argv[i]);
        }
    }
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
