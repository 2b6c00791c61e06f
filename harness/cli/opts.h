/* opts.h — every command's command line as one declarative table, read by one parser
 * and one usage printer (the shape of libgit2's cli_opt_spec arrays).
 *
 * A command lists its flags and positional arguments as {kind, name, value name,
 * target, help}; cli_parse_command fills the targets from argv and answers --help with
 * usage text generated from the same table, so the two cannot drift apart. The flags
 * that several commands share (--db, --format, -o, --quiet, and --help, which the parser
 * adds to every command) are defined once, below. A bad command line is one line naming
 * the flag or argument at fault, exit status 2. */
#ifndef ATTNBENCH_CLI_OPTS_H
#define ATTNBENCH_CLI_OPTS_H

#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"
#include "store/store.h"

typedef enum cli_opt_kind {
    CLI_SWITCH, /* --quiet: *(bool *)target = true */
    CLI_STRING, /* --db PATH: *(const char **)target = PATH; the last one given wins */
    CLI_INT,    /* -j N: *(int *)target, a whole number in [min, max] */
    CLI_INT64,  /* --count N: *(long long *)target, a whole number in [min, max] */
    CLI_CALL,   /* --lengths LIST: call(target, value, err), in command-line order */
    CLI_ARG,    /* a positional argument: *(const char **)target */
    CLI_ARGS,   /* the positional arguments after the others: into *(cli_list *)target */
} cli_opt_kind;

/* Where CLI_ARGS puts its arguments: items is the command's array of capacity entries. */
typedef struct cli_list {
    const char **items;
    int n, capacity;
} cli_list;

typedef struct cli_opt {
    cli_opt_kind kind;
    const char *name;       /* "--db", "-j"; a positional's name in the usage ("CONFIG") */
    const char *alias;      /* another spelling ("--verbose" of -v), or NULL */
    const char *value_name; /* what a flag's value is ("PATH"); NULL for switches and positionals */
    void *target;
    const char *help;       /* lines separated by \n */
    long long min, max;     /* CLI_INT, CLI_INT64 */
    int (*call)(void *target, const char *value, error_info *err); /* CLI_CALL: 0, or -1 and err */
    bool required;          /* must be given (a positional, or a flag such as plot's -o) */
    bool value_optional;    /* CLI_CALL: the value may be left out (the flag is last or another
                               flag follows it), and call gets NULL */
} cli_opt;

typedef struct cli_spec {
    const char *command; /* "query" */
    const cli_opt *opts;
    int n_opts;
    const char *more_usage; /* further synopsis lines ("attnbench leaderboard --all -o DIR"), or NULL */
    const char *about;      /* what the command does: the paragraphs under the synopsis */
    const char *notes;      /* after the list of options (examples, exit status), or NULL */
} cli_spec;

#define CLI_OPTS(array) (array), (int)(sizeof(array) / sizeof((array)[0]))

/* Table entries. */
#define CLI_FLAG(flag, dest, text) {.kind = CLI_SWITCH, .name = flag, .target = dest, .help = text}
#define CLI_TEXT(flag, value, dest, text) \
    {.kind = CLI_STRING, .name = flag, .value_name = value, .target = dest, .help = text}
#define CLI_NUMBER(flag, value, dest, lo, hi, text) \
    {.kind = CLI_INT, .name = flag, .value_name = value, .target = dest, .help = text, .min = lo, .max = hi}
#define CLI_NUMBER64(flag, value, dest, lo, hi, text) \
    {.kind = CLI_INT64, .name = flag, .value_name = value, .target = dest, .help = text, .min = lo, .max = hi}
#define CLI_CALLBACK(flag, value, dest, fn, text) \
    {.kind = CLI_CALL, .name = flag, .value_name = value, .target = dest, .help = text, .call = fn}
#define CLI_CALLBACK_OPTIONAL(flag, value, dest, fn, text) \
    {.kind = CLI_CALL, .name = flag, .value_name = value, .target = dest, .help = text, .call = fn, \
     .value_optional = true}
#define CLI_POSITIONAL(arg, dest, must, text) \
    {.kind = CLI_ARG, .name = arg, .target = dest, .help = text, .required = must}
#define CLI_REST(arg, list, must, text) {.kind = CLI_ARGS, .name = arg, .target = list, .help = text, .required = must}

/* The shared flags. */
#define CLI_OPT_DB(dest) \
    CLI_TEXT("--db", "PATH", dest, "the database (else $ATTNBENCH_DB, else " STORE_DEFAULT_PATH ")")
#define CLI_OPT_FORMAT(dest, choices, text) CLI_TEXT("--format", choices, dest, text)
/* --format of the commands that print query results: into an enum query_format. */
#define CLI_OPT_QUERY_FORMAT(dest) \
    CLI_CALLBACK("--format", "table|csv|json", dest, cli_parse_query_format, "table (default), csv or json")
#define CLI_OPT_OUTPUT(dest, value, must, text) \
    {.kind = CLI_STRING, .name = "-o", .value_name = value, .target = dest, .help = text, .required = must}
#define CLI_OPT_QUIET(dest, text) CLI_FLAG("--quiet", dest, text)

int cli_parse_query_format(void *format, const char *value, error_info *err);

/* A command's parse. -h or --help anywhere prints the usage on stdout and returns
 * EXIT_OK; a usage error is printed as one line and returns EXIT_USAGE; otherwise
 * returns CLI_PARSED and the command goes on. */
#define CLI_PARSED (-1)
int cli_parse_command(const cli_spec *spec, int argc, char **argv);

/* Parse argv[1..] (argv[0] is the command name) into the targets; returns 0, or -1 with
 * a usage error in err ("<command>: ..."). For argument lists that are not a command
 * line (a leaderboard manifest line): --help is not a flag here. */
int cli_parse(const cli_spec *spec, int argc, char **argv, error_info *err);

/* The usage generated from the table: synopsis, about, arguments and options, notes. */
void cli_print_usage(const cli_spec *spec, FILE *out);

#endif
