/* cmd_leaderboard.c — `attnbench leaderboard`: a suite's tables, read from the
 * database and written in one of five formats to stdout or a file; with --all, every
 * table a manifest lists.
 *
 * The options are checked before the database is opened, so a typo is a usage error
 * (exit 2) naming the bad value. A database without runs of the suite is not an error:
 * the command says so and exits 0 without creating the output file. The manifest of
 * --all (DIR/leaderboards.tsv) has a line per table: the output file and the database,
 * both relative to DIR unless absolute, then the leaderboard options; a line that
 * fails (a missing database, a bad option) is reported naming manifest:line and the
 * others are still written; the exit status is the worst one. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "report/report.h"
#include "store/store.h"

#define MANIFEST "leaderboards.tsv"

static const char about[] =
    "--suite lra (default): a row per attention mechanism and a column per LRA task, each\n"
    "cell the test accuracy (%) of the completed runs: mean ± standard deviation and the\n"
    "number of runs n, the best of each column in bold. Avg is the mean over the five tasks\n"
    "listops, text, retrieval, image and pathfinder (Path-X apart, as published), \"—\" for a\n"
    "row lacking one; the paper's rows (Tay et al. 2021, Table 1) follow ours, labelled.\n"
    "\n"
    "--suite chomsky: a row per Chomsky-hierarchy task (the paper's order, with its level\n"
    "and chance) and a column per configuration (mechanism · positional encoding): the\n"
    "score on the test lengths, then the in-distribution accuracy. By default a cell is the\n"
    "max over the configuration's runs (as the paper reports), bold when ≥ 90 (solved),\n"
    "with their mean ± standard deviation and n; the paper's Transformer column\n"
    "(Delétang et al. 2023, Table 2) closes the score table.\n"
    "\n"
    "--suite speed: from `attnbench bench`: a row per mechanism and a column per length,\n"
    "the latest measurement of each, with the ratio to full attention at that length.\n"
    "\n"
    "--suite SUITE, any other suite the database's runs belong to (the suite a task's\n"
    "registration names): a row per mechanism and a column per task, as for lra but\n"
    "without the average and the published rows.\n"
    "\n"
    "Runs that are not completed do not count; a config and seed completed twice counts\n"
    "once (its latest run).\n";

typedef struct invocation {
    leaderboard_options o;
    const char *db, *output;
    bool all, reference_given;
} invocation;

enum { LEADERBOARD_FLAGS = 10 };

/* The flag table, into a fresh inv: a command line and a manifest line share it. */
static cli_spec leaderboard_spec(invocation *inv, cli_opt opts[LEADERBOARD_FLAGS]) {
    *inv = (invocation){0};
    const cli_opt table[LEADERBOARD_FLAGS] = {
        CLI_TEXT("--suite", "lra|chomsky|speed|SUITE", &inv->o.suite,
                 "lra (default), chomsky, speed, or another suite of the database"),
        CLI_TEXT("--metric", "M", &inv->o.metric,
                 "lra, chomsky: SPLIT.NAME, SPLIT train|eval|test, NAME accuracy|\n"
                 "sequence_accuracy|loss|tokens_per_second (default test.accuracy),\n"
                 "or wall_seconds|peak_rss_bytes; speed: tokens_per_second (default),\n"
                 "steps_per_second, peak_rss_bytes, attention_gflops or\n"
                 "attention_gflops_per_second"),
        CLI_TEXT("--agg", "mean_std|max|median", &inv->o.agg,
                 "mean_std (lra default), max (chomsky default) or median; max and\n"
                 "median still show mean ± std"),
        CLI_OPT_FORMAT(&inv->o.format, "md|csv|latex|html|json",
                       "md (default), csv, latex, html (one self-contained page) or json"),
        CLI_TEXT("--rows", "FIELD", &inv->o.rows, "what keys the rows: mechanism, task, positional, config"),
        CLI_TEXT("--cols", "FIELD", &inv->o.cols,
                 "(mechanism · positional) or a config key path such as\n"
                 "model.attention.window (default lra: mechanism × task; chomsky:\n"
                 "the layout above)"),
        CLI_TEXT("--reference", "FILE|none", &inv->o.reference,
                 "published numbers shown beside ours (default\n"
                 "results/reference/lra_table1.csv or chomsky_table2.csv, left out\n"
                 "with a note when absent); none leaves them out"),
        CLI_OPT_DB(&inv->db),
        CLI_OPT_OUTPUT(&inv->output, "FILE", false, "write to FILE instead of stdout"),
        CLI_FLAG("--all", &inv->all,
                 "with -o DIR: write every table listed in DIR/" MANIFEST ": a line per\n"
                 "table, OUTPUT DATABASE [OPTIONS...] separated by tabs or spaces, paths\n"
                 "relative to DIR; # starts a comment line"),
    };
    memcpy(opts, table, sizeof table);
    return (cli_spec){"leaderboard", opts, LEADERBOARD_FLAGS, "attnbench leaderboard --all -o DIR", about, NULL};
}

/* After parsing: "none" as no reference, and the options checked. */
static int check(invocation *inv, error_info *err) {
    inv->reference_given = inv->o.reference != NULL;
    if (inv->o.reference && strcmp(inv->o.reference, "none") == 0) inv->o.reference = NULL;
    return leaderboard_check(&inv->o, err);
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
        return cli_fail(EXIT_RUNTIME, "%s: cannot write: %s", output ? output : "stdout", strerror(saved));
    return EXIT_OK;
}

static const char *nothing_message(const char *suite) {
    return !suite || strcmp(suite, "lra") == 0 ? "no completed LRA runs with that metric yet; nothing to rank"
           : strcmp(suite, "chomsky") == 0     ? "no completed Chomsky-hierarchy runs with that metric yet; "
                                                 "nothing to rank"
           : strcmp(suite, "speed") == 0       ? "no bench measurements yet; nothing to rank"
                                               : "no completed runs of that suite with that metric yet; nothing to rank";
}

/* One leaderboard from path to output; where names the manifest line in errors. */
static int run_one(invocation *inv, const char *path, const char *output, const char *where) {
    const char *fallback = leaderboard_default_reference(inv->o.suite);
    if (!inv->reference_given && fallback) {
        if (access(fallback, R_OK) == 0) inv->o.reference = fallback;
        else
            fprintf(stderr, "attnbench: note: %s not found; the published numbers are left out (--reference "
                            "FILE names them, --reference none silences this)\n", fallback);
    }
    error_info err = {0};
    store *s = NULL;
    char *text = NULL;
    size_t size = 0;
    bool empty = false;
    FILE *table = open_memstream(&text, &size);
    if (!table) return cli_fail(EXIT_RUNTIME, "leaderboard: out of memory");
    int failed = store_open(&s, path, true, &err);
    if (!failed) failed = leaderboard_write(s, &inv->o, table, &empty, &err);
    char suites[512] = "";
    const bool ranks_runs = !inv->o.suite || strcmp(inv->o.suite, "speed") != 0;
    if (!failed && empty && ranks_runs) failed = leaderboard_suites(s, suites, sizeof suites, &err);
    store_close(s);
    fclose(table);
    int status = EXIT_OK;
    if (failed) status = cli_fail(err.status, "%s%s", where, err.message);
    else if (empty && suites[0])
        printf("%s: %s (the database has completed runs of: %s; choose with --suite)\n", path,
               nothing_message(inv->o.suite), suites);
    else if (empty) printf("%s: %s\n", path, nothing_message(inv->o.suite));
    else status = write_text(text, size, output);
    free(text);
    return status;
}

/* Split line at tabs and spaces into argv[1..]; argv[0] is the command name. */
static int split_line(char *line, char **argv, int capacity) {
    int argc = 1;
    argv[0] = "leaderboard";
    for (char *field = strtok(line, " \t\r\n"); field; field = strtok(NULL, " \t\r\n")) {
        if (argc == capacity) return -1;
        argv[argc++] = field;
    }
    return argc;
}

static void join(char *out, size_t size, const char *dir, const char *path) {
    snprintf(out, size, "%s%s%s", path[0] == '/' ? "" : dir, path[0] == '/' ? "" : "/", path);
}

static int run_line(const char *dir, char *line, const char *where) {
    char *argv[64];
    const int argc = split_line(line, argv, 64);
    if (argc == 1) return EXIT_OK;
    if (argc < 3) return cli_fail(EXIT_USAGE, "%sexpected OUTPUT DATABASE [OPTIONS...]", where);
    char output[4096], database[4096];
    join(output, sizeof output, dir, argv[1]);
    join(database, sizeof database, dir, argv[2]);
    invocation inv;
    cli_opt opts[LEADERBOARD_FLAGS];
    const cli_spec spec = leaderboard_spec(&inv, opts);
    error_info err = {0};
    argv[2] = argv[0]; /* the options follow a command name, as on the command line */
    if (cli_parse(&spec, argc - 2, argv + 2, &err) || check(&inv, &err))
        return cli_fail(err.status, "%s%s", where, err.message);
    if (inv.db || inv.output || inv.all)
        return cli_fail(EXIT_USAGE, "%s--db, -o and --all are not for a manifest line", where);
    const int status = run_one(&inv, database, output, where);
    if (status == EXIT_OK && access(output, F_OK) == 0) printf("wrote %s\n", output);
    return status;
}

static int run_manifest(const char *dir) {
    char path[4096], line[4096], where[4200];
    snprintf(path, sizeof path, "%s/" MANIFEST, dir);
    FILE *f = fopen(path, "r");
    if (!f) return cli_fail(EXIT_RUNTIME, "%s: cannot read: %s", path, strerror(errno));
    int worst = EXIT_OK;
    for (int number = 1; fgets(line, sizeof line, f); number++) {
        if (line[0] == '#') continue;
        snprintf(where, sizeof where, "%s:%d: ", path, number);
        const int status = run_line(dir, line, where);
        if (status > worst) worst = status;
    }
    fclose(f);
    return worst;
}

int cmd_leaderboard(int argc, char **argv) {
    invocation inv;
    cli_opt opts[LEADERBOARD_FLAGS];
    const cli_spec spec = leaderboard_spec(&inv, opts);
    const int status = cli_parse_command(&spec, argc, argv);
    if (status != CLI_PARSED) return status;
    error_info err = {0};
    if (check(&inv, &err)) return cli_fail(err.status, "%s", err.message);
    if (inv.all) {
        if (!inv.output || inv.db || argc != 4)
            return cli_fail(EXIT_USAGE, "leaderboard: --all takes only -o DIR (the options are in DIR/" MANIFEST ")");
        return run_manifest(inv.output);
    }
    return run_one(&inv, cli_database_path(inv.db), inv.output, "");
}
