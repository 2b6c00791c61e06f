/* cmd_leaderboard.c — `attnbench leaderboard`: the tables of a benchmark suite, read
 * from the database and written as Markdown to stdout or a file.
 *
 * --suite lra (the default): mechanisms × tasks of test accuracy. --suite chomsky: the
 * Chomsky-hierarchy tasks × configurations (score and in-distribution accuracy) beside
 * the paper's Transformer column. A database without runs of the suite is not an
 * error: the command says so and exits 0, without creating the output file. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "report/report.h"
#include "store/store.h"

#define DEFAULT_REFERENCE "results/reference/chomsky_table2.csv"

static const char usage[] =
    "usage: attnbench leaderboard [--suite lra|chomsky] [--db PATH] [--format md]\n"
    "                             [--reference CSV] [-o FILE]\n"
    "\n"
    "--suite lra (default): a Markdown table with a row per attention mechanism and a\n"
    "column per task: test accuracy in percent over the completed runs, mean ± standard\n"
    "deviation over seeds with the number of seeds (n), the best cell of each column in\n"
    "bold, and an Avg column (the mean over the tasks the mechanism has).\n"
    "\n"
    "--suite chomsky: two Markdown tables with a row per Chomsky-hierarchy task (the\n"
    "paper's order, with its level R, DCF or CS and chance) and a column per configuration\n"
    "(mechanism · positional encoding, \"(rand.)\" for randomized positions): the score on\n"
    "the test lengths, then the in-distribution accuracy on the training lengths. A cell\n"
    "is the max over the configuration's runs (seeds, learning rates and other settings\n"
    "pooled, as in the paper), bold when ≥ 90 (solved), then the mean ± standard deviation\n"
    "and the number of runs. The score table ends with the paper's Transformer column\n"
    "(Delétang et al. 2023, Table 2) from the reference CSV.\n"
    "\n"
    "Runs that are not completed do not count; a config and seed completed twice counts\n"
    "once (its latest run).\n"
    "\n"
    "  --suite NAME     lra (default) or chomsky\n"
    "  --db PATH        the database (else $ATTNBENCH_DB, else " STORE_DEFAULT_PATH ")\n"
    "  --format md      Markdown (the only format so far)\n"
    "  --reference CSV  chomsky: the published numbers (default " DEFAULT_REFERENCE ";\n"
    "                   left out with a note when that default is absent)\n"
    "  -o FILE          write to FILE instead of stdout\n";

static int usage_error(const char *message, const char *argument) {
    cli_fail(EXIT_USAGE, "leaderboard: %s%s", message, argument);
    fputs(usage, stderr);
    return EXIT_USAGE;
}

/* The rendered tables, to output (NULL: stdout). */
static int write_text(const char *text, size_t size, const char *output) {
    FILE *out = output ? fopen(output, "w") : stdout;
    if (!out) return cli_fail(EXIT_RUNTIME, "%s: cannot write: %s", output, strerror(errno));
    bool failed = fwrite(text, 1, size, out) != size || fflush(out) != 0 || ferror(out);
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

static int lra_tables(store *s, const char *path, FILE *out, error_info *err) {
    leaderboard *lb = NULL;
    if (leaderboard_load(&lb, s, err)) return -1;
    if (leaderboard_rows(lb) == 0)
        printf("%s: no completed runs with a test accuracy yet; nothing to rank\n", path);
    else leaderboard_write_markdown(lb, out);
    leaderboard_free(lb);
    return 0;
}

static int chomsky_tables(store *s, const char *path, const char *reference, FILE *out, error_info *err) {
    if (!reference && access(DEFAULT_REFERENCE, R_OK) == 0) reference = DEFAULT_REFERENCE;
    chomsky_report *r = NULL;
    if (chomsky_report_load(&r, s, false, err)) return -1;
    int status = 0;
    if (chomsky_report_tasks(r) == 0)
        printf("%s: no completed Chomsky-hierarchy runs yet; nothing to rank\n", path);
    else {
        if (!reference)
            fprintf(stderr, "attnbench: note: %s not found; the paper's column is left out "
                            "(--reference CSV names it)\n", DEFAULT_REFERENCE);
        status = chomsky_leaderboard_write_markdown(r, reference, out, err);
    }
    chomsky_report_free(r);
    return status;
}

int cmd_leaderboard(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    const char *db_flag = NULL, *format_name = "md", *output = NULL, *suite = "lra", *reference = NULL;
    for (int i = 1; i < argc; i++) {
        const char **target = strcmp(argv[i], "--db") == 0          ? &db_flag
                              : strcmp(argv[i], "--format") == 0    ? &format_name
                              : strcmp(argv[i], "-o") == 0          ? &output
                              : strcmp(argv[i], "--suite") == 0     ? &suite
                              : strcmp(argv[i], "--reference") == 0 ? &reference
                                                                    : NULL;
        if (!target) return usage_error("unexpected argument ", argv[i]);
        if (i + 1 >= argc) return usage_error("missing value after ", argv[i]);
        *target = argv[++i];
    }
    if (strcmp(format_name, "md") != 0)
        return usage_error("--format must be md, not ", format_name);
    const bool chomsky = strcmp(suite, "chomsky") == 0;
    if (!chomsky && strcmp(suite, "lra") != 0) return usage_error("--suite must be lra or chomsky, not ", suite);
    if (reference && !chomsky) return usage_error("--reference is for --suite chomsky", "");

    const char *path = cli_database_path(db_flag);
    error_info err = {0};
    store *s = NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *table = open_memstream(&text, &size);
    if (!table) return cli_fail(EXIT_RUNTIME, "leaderboard: out of memory");
    int failed = store_open(&s, path, true, &err);
    if (!failed) failed = chomsky ? chomsky_tables(s, path, reference, table, &err) : lra_tables(s, path, table, &err);
    store_close(s);
    fclose(table);
    int status = failed ? cli_fail(err.status, "%s", err.message) : size > 0 ? write_text(text, size, output) : EXIT_OK;
    free(text);
    return status;
}
