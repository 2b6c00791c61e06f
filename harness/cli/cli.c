/* cli.c — the command table, top-level help, and helpers shared by the commands.
 *
 * `attnbench <command> [args]`: the table below is the whole command line; each entry
 * points at a cmd_<name>() in its own file. Exit status: 0 ok, 1 runtime error,
 * 2 usage or config error. */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "store/store.h"

static const cli_command commands[] = {
    {"run", cmd_run, "train and evaluate one config, recording the run in the database"},
    {"sweep", cmd_sweep, "plan a config's grid × seeds and run every run not yet completed"},
    {"status", cmd_status, "what a sweep (or the database) has planned, running, completed and failed"},
    {"ls", cmd_ls, "list runs, with filters"},
    {"show", cmd_show, "one run: its config, provenance, results and error"},
    {"reap", cmd_reap, "mark running runs whose process is gone or silent as dead"},
    {"merge", cmd_merge, "combine databases from several machines into one, idempotently"},
    {"export", cmd_export, "write results as long-form CSV (one row per run × metric)"},
    {"query", cmd_query, "run a read-only SQL query over the database"},
    {"bench", cmd_bench, "time and memory per training step for each mechanism across lengths"},
    {"leaderboard", cmd_leaderboard, "print a suite's results table (LRA: mechanism × task; Chomsky)"},
    {"plot", cmd_plot, "write SVG plots of accuracy against input length (Chomsky tasks)"},
    {"tasks", cmd_tasks, "list the tasks and their options"},
    {"mechanisms", cmd_mechanisms, "list the attention mechanisms and their options"},
    {"data", cmd_data, "print a task's generated examples as TSV"},
};

static void print_usage(FILE *out) {
    fprintf(out, "usage: attnbench <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out,
            "\n`attnbench <command> --help` describes a command. The database is --db PATH,\n"
            "else $ATTNBENCH_DB, else %s.\n"
            "Exit status: 0 ok, 1 runtime error, 2 usage or config error.\n",
            STORE_DEFAULT_PATH);
}

int cli_main(int argc, char **argv) {
    if (argc < 2) {
        print_usage(stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        print_usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("attnbench %s (%s)\n", ATTNBENCH_VERSION, ATTNBENCH_COMMIT);
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0) return commands[i].run(argc - 1, argv + 1);
    return cli_fail(EXIT_USAGE, "unknown command \"%s\" (try attnbench --help)", argv[1]);
}

const char *cli_database_path(const char *flag_value) {
    if (flag_value) return flag_value;
    const char *env = getenv("ATTNBENCH_DB");
    if (env && *env) return env;
    return STORE_DEFAULT_PATH;
}

bool cli_parse_integer(const char *text, long long min, long long max, long long *out) {
    char *end;
    errno = 0;
    const long long value = strtoll(text, &end, 10);
    if (errno || end == text || *end || value < min || value > max) return false;
    *out = value;
    return true;
}

int cli_fail(int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "attnbench: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    return status;
}
