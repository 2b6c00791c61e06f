/* cmd_leaderboard.c — `attnbench leaderboard`: the mechanisms × tasks table of test
 * accuracy, read from the database and written as Markdown to stdout or a file.
 *
 * A database without completed runs is not an error: the command says so and exits 0,
 * without creating the output file. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "report/report.h"
#include "store/store.h"

static const char usage[] =
    "usage: attnbench leaderboard [--db PATH] [--format md] [-o FILE]\n"
    "\n"
    "Print a Markdown table with a row per attention mechanism and a column per task:\n"
    "test accuracy in percent over the completed runs, mean ± standard deviation over\n"
    "seeds with the number of seeds (n), the best cell of each column in bold, and an Avg\n"
    "column (the mean over the tasks the mechanism has). Runs that are not completed do\n"
    "not count; a config and seed completed twice counts once (its latest run).\n"
    "\n"
    "  --db PATH     the database (else $ATTNBENCH_DB, else " STORE_DEFAULT_PATH ")\n"
    "  --format md   Markdown (the only format so far)\n"
    "  -o FILE       write to FILE instead of stdout\n";

static int usage_error(const char *message, const char *argument) {
    cli_fail(EXIT_USAGE, "leaderboard: %s%s", message, argument);
    fputs(usage, stderr);
    return EXIT_USAGE;
}

static int write_table(const leaderboard *lb, const char *output) {
    FILE *out = output ? fopen(output, "w") : stdout;
    if (!out) return cli_fail(EXIT_RUNTIME, "%s: cannot write: %s", output, strerror(errno));
    leaderboard_write_markdown(lb, out);
    bool failed = fflush(out) != 0 || ferror(out);
    int saved = errno;
    if (output && fclose(out) != 0 && !failed) {
        failed = true;
        saved = errno;
    }
    if (failed)
        return cli_fail(EXIT_RUNTIME, "%s: cannot write: %s", output ? output : "stdout",
                        strerror(saved));
    return EXIT_OK;
}

int cmd_leaderboard(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    const char *db_flag = NULL, *format_name = "md", *output = NULL;
    for (int i = 1; i < argc; i++) {
        const char **target = strcmp(argv[i], "--db") == 0       ? &db_flag
                              : strcmp(argv[i], "--format") == 0 ? &format_name
                              : strcmp(argv[i], "-o") == 0       ? &output
                                                                 : NULL;
        if (!target) return usage_error("unexpected argument ", argv[i]);
        if (i + 1 >= argc) return usage_error("missing value after ", argv[i]);
        *target = argv[++i];
    }
    if (strcmp(format_name, "md") != 0)
        return usage_error("--format must be md, not ", format_name);

    const char *path = cli_database_path(db_flag);
    error_info err = {0};
    store *s = NULL;
    leaderboard *lb = NULL;
    if (store_open(&s, path, true, &err) || leaderboard_load(&lb, s, &err)) {
        store_close(s);
        return cli_fail(err.status, "%s", err.message);
    }
    store_close(s);
    int status = EXIT_OK;
    if (leaderboard_rows(lb) == 0)
        printf("%s: no completed runs with a test accuracy yet; nothing to rank\n", path);
    else status = write_table(lb, output);
    leaderboard_free(lb);
    return status;
}
