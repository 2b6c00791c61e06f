/* cmd_plot.c — `attnbench plot`: figures read from the database, written as SVG files.
 *
 * Per task of a suite (chomsky by default, or any suite whose runs recorded accuracy
 * by input length), accuracy against input length for every configuration (see
 * chomsky_plot.c). A database without such runs of the suite is not an error: the
 * command says so and exits 0. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "report/report.h"
#include "store/store.h"

static const char about[] =
    "Write one SVG per task of the suite, DIR/<suite>_<task>.svg (DIR is created if\n"
    "missing), and print each path: accuracy (%) against input length, one curve per\n"
    "configuration (mechanism · positional encoding, \"(rand.)\" for randomized positions),\n"
    "each the mean at every length over that configuration's completed runs; the training\n"
    "lengths shaded and chance (1 / classes per output) dashed.\n";

int cmd_plot(int argc, char **argv) {
    const char *db_flag = NULL, *suite = "chomsky", *task = NULL, *dir = NULL;
    const cli_opt opts[] = {
        CLI_TEXT("--suite", "SUITE", &suite,
                 "chomsky (default), or any suite whose runs recorded accuracy by\ninput length"),
        CLI_OPT_DB(&db_flag),
        CLI_TEXT("--task", "NAME", &task, "only this task (parity_check or chomsky/parity_check)"),
        CLI_OPT_OUTPUT(&dir, "DIR", true, "the output directory"),
    };
    const cli_spec spec = {"plot", CLI_OPTS(opts), NULL, about, NULL};
    const int parsed = cli_parse_command(&spec, argc, argv);
    if (parsed != CLI_PARSED) return parsed;
    if (!*suite || strchr(suite, '/')) return cli_fail(EXIT_USAGE, "plot: --suite must name a suite, not %s", suite);
    if (!*dir) return cli_fail(EXIT_USAGE, "plot: -o needs a directory");

    const char *path = cli_database_path(db_flag);
    error_info err = {0};
    store *s = NULL;
    chomsky_report *r = NULL;
    if (store_open(&s, path, true, &err) || chomsky_report_load(&r, s, suite, true, &err)) {
        store_close(s);
        return cli_fail(err.status, "%s", err.message);
    }
    store_close(s);
    int status = EXIT_OK;
    if (chomsky_report_tasks(r) == 0 && strcmp(suite, "chomsky") == 0)
        printf("%s: no completed Chomsky-hierarchy runs yet; nothing to plot\n", path);
    else if (chomsky_report_tasks(r) == 0)
        printf("%s: no completed runs of suite %s yet; nothing to plot\n", path, suite);
    else if (chomsky_report_points(r) == 0)
        printf("%s: the runs of suite %s recorded no accuracy by input length; nothing to plot\n", path, suite);
    else if (chomsky_plot_write(r, dir, task, stdout, &err))
        status = cli_fail(err.status, "plot: %s", err.message);
    chomsky_report_free(r);
    return status;
}
