/* cli.h — the command table and the helpers every command shares.
 *
 * Each command is one file (cmd_<name>.c) with a function that takes the arguments
 * after its name and returns the exit status: 0 ok, 1 runtime error, 2 usage or
 * config error. Each parses its arguments through its own flag table (cli/opts.h),
 * which also gives its --help. */
#ifndef ATTNBENCH_CLI_H
#define ATTNBENCH_CLI_H

#include <stdbool.h>

typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
    const char *summary;
} cli_command;

int cli_main(int argc, char **argv);

int cmd_run(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_tasks(int argc, char **argv);
int cmd_mechanisms(int argc, char **argv);
int cmd_leaderboard(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_data(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_reap(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* The database path: --db value if given, else $ATTNBENCH_DB, else STORE_DEFAULT_PATH. */
const char *cli_database_path(const char *flag_value);
/* A whole decimal integer in [min, max] from a flag's text; false if it is not one. */
bool cli_parse_integer(const char *text, long long min, long long max, long long *out);
/* Print "attnbench: <message>" on stderr and return status (for `return cli_fail(...)`). */
int cli_fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
