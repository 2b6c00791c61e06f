/* cmd_plot.c — `attnbench plot`: figures read from the database, written as SVG files.
 *
 * The one suite with figures so far is the Chomsky hierarchy: per task, accuracy
 * against input length for every configuration (see chomsky_plot.c). A database
 * without Chomsky runs is not an error: the command says so and exits 0. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "report/report.h"
#include "store/store.h"

static const char usage[] =
    "usage: attnbench plot [--suite chomsky] [--db PATH] [--task NAME] -o DIR\n"
    "\n"
    "Write one SVG per Chomsky-hierarchy task, DIR/chomsky_<task>.svg (DIR is created if\n"
    "missing), and print each path: accuracy (%) against input length, one curve per\n"
    "configuration (mechanism · positional encoding, \"(rand.)\" for randomized positions),\n"
    "each the mean at every length over that configuration's completed runs; the training\n"
    "lengths shaded and chance (1 / classes per output) dashed.\n"
    "\n"
    "  --suite chomsky  the benchmark (the only one with plots so far)\n"
    "  --db PATH        the database (else $ATTNBENCH_DB, else " STORE_DEFAULT_PATH ")\n"
    "  --task NAME      only this task (parity_check or chomsky/parity_check)\n"
    "  -o DIR           the output directory (required)\n";

static int usage_error(const char *message, const char *argument) {
    cli_fail(EXIT_USAGE, "plot: %s%s", message, argument);
    fputs(usage, stderr);
    return EXIT_USAGE;
}

int cmd_plot(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    const char *db_flag = NULL, *suite = "chomsky", *task = NULL, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char **target = strcmp(argv[i], "--db") == 0      ? &db_flag
                              : strcmp(argv[i], "--suite") == 0 ? &suite
                              : strcmp(argv[i], "--task") == 0  ? &task
                              : strcmp(argv[i], "-o") == 0      ? &dir
                                                                : NULL;
        if (!target) return usage_error("unexpected argument ", argv[i]);
        if (i + 1 >= argc) return usage_error("missing value after ", argv[i]);
        *target = argv[++i];
    }
    if (strcmp(suite, "chomsky") != 0) return usage_error("--suite must be chomsky, not ", suite);
    if (!dir || !*dir) return usage_error("missing -o DIR", "");

    const char *path = cli_database_path(db_flag);
    error_info err = {0};
    store *s = NULL;
    chomsky_report *r = NULL;
    if (store_open(&s, path, true, &err) || chomsky_report_load(&r, s, true, &err)) {
        store_close(s);
        return cli_fail(err.status, "%s", err.message);
    }
    store_close(s);
    int status = EXIT_OK;
    if (chomsky_report_tasks(r) == 0)
        printf("%s: no completed Chomsky-hierarchy runs yet; nothing to plot\n", path);
    else if (chomsky_plot_write(r, dir, task, stdout, &err))
        status = cli_fail(err.status, "plot: %s", err.message);
    chomsky_report_free(r);
    return status;
}
