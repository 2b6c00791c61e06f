/* test_cli_opts.c — the one command-line parser (cli/opts.c) on a made-up command:
 * flags anywhere among positionals, --flag=value, switches, whole numbers with bounds,
 * callbacks in command-line order, an optional value, positional lists with a
 * capacity; every bad command line is one line naming the flag or argument at fault;
 * the usage generated from the table names every entry. Each case prints its argv. */
#define _POSIX_C_SOURCE 200809L
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/opts.h"
#include "testing.h"

typedef struct parsed {
    const char *config, *db, *peer, *items[2];
    cli_list rest;
    int jobs, peer_calls;
    long long count;
    bool quiet, verbose;
    char order[64]; /* the callbacks' values, in the order they ran */
} parsed;

static int record_length(void *target, const char *value, error_info *err) {
    parsed *p = target;
    if (strcmp(value, "bad") == 0) return error_set(err, EXIT_USAGE, "\"%s\" is not a length", value);
    strncat(p->order, value, sizeof p->order - strlen(p->order) - 1);
    return 0;
}

static int record_peer(void *target, const char *value, error_info *err) {
    parsed *p = target;
    p->peer = value ? value : "(default)";
    p->peer_calls++;
    return 0;
}

/* Parse the words of line (argv[0] "t" added) into p; returns cli_parse's result. */
static int parse_line(const char *line, parsed *p, error_info *err) {
    *p = (parsed){.jobs = 1};
    p->rest = (cli_list){p->items, 0, 2};
    const cli_opt opts[] = {
        CLI_POSITIONAL("CONFIG", &p->config, true, "the config"),
        CLI_REST("key=value", &p->rest, false, "overrides"),
        CLI_OPT_DB(&p->db),
        CLI_NUMBER("-j", "N", &p->jobs, 1, 8, "jobs"),
        CLI_NUMBER64("--count", "N", &p->count, 0, LLONG_MAX, "how many"),
        CLI_OPT_QUIET(&p->quiet, "say less"),
        {.kind = CLI_SWITCH, .name = "-v", .alias = "--verbose", .target = &p->verbose, .help = "say more"},
        CLI_CALLBACK("--length", "T", p, record_length, "a length,\nrepeatable"),
        CLI_CALLBACK_OPTIONAL("--peer", "PATH", p, record_peer, "the peer"),
    };
    const cli_spec spec = {"t", CLI_OPTS(opts), NULL, "A test command.\n", NULL};
    char copy[512], *argv[32] = {"t"};
    int argc = 1;
    snprintf(copy, sizeof copy, "%s", line);
    for (char *word = strtok(copy, " "); word; word = strtok(NULL, " ")) argv[argc++] = word;
    const int rc = cli_parse(&spec, argc, argv, err);
    /* the pointers into copy die here: keep what the checks read as flags and counts */
    p->config = p->config ? "set" : NULL;
    p->db = p->db ? "set" : NULL;
    p->peer = p->peer && strcmp(p->peer, "(default)") != 0 ? "path" : p->peer;
    return rc;
}

static void test_accepts(void) {
    parsed p;
    error_info err = {0};
    const char *line = "--db x c.yaml a=1 -j 3 --quiet --count=5 b=2 -v --length 16 --length=32";
    test_check(parse_line(line, &p, &err) == 0, line, "%s", err.message);
    test_check(p.config && p.db && p.jobs == 3 && p.count == 5 && p.quiet && p.verbose && p.rest.n == 2,
               "flags anywhere among positionals, and --flag=value", "jobs %d count %lld rest %d", p.jobs, p.count,
               p.rest.n);
    test_check(strcmp(p.order, "1632") == 0, "callbacks run in command-line order", "order %s", p.order);
    test_check(parse_line("c.yaml --verbose", &p, &err) == 0 && p.verbose, "a switch's other spelling", "%s",
               err.message);
    test_check(parse_line("c.yaml --peer", &p, &err) == 0 && p.peer_calls == 1 && strcmp(p.peer, "(default)") == 0,
               "an optional value left out, last", "%s", err.message);
    test_check(parse_line("c.yaml --peer --db x", &p, &err) == 0 && strcmp(p.peer, "(default)") == 0 && p.db,
               "an optional value left out, a flag next", "%s", err.message);
    test_check(parse_line("c.yaml --peer p.py", &p, &err) == 0 && strcmp(p.peer, "path") == 0,
               "an optional value given", "%s", err.message);
    test_check(parse_line("- --db -x", &p, &err) == 0 && p.config && p.db,
               "\"-\" is a positional; a value may start with '-'", "%s", err.message);
}

static void expect_error(const char *line, const char *message) {
    parsed p;
    error_info err = {0};
    const int rc = parse_line(line, &p, &err);
    char what[256];
    snprintf(what, sizeof what, "\"%s\" is the usage error \"%s\"", line, message);
    test_check(rc == -1 && err.status == EXIT_USAGE && strcmp(err.message, message) == 0 && !strchr(err.message, '\n'),
               what, "rc %d status %d: %s", rc, err.status, err.message);
}

static void test_errors(void) {
    expect_error("c.yaml --frob", "t: unknown option --frob (see attnbench t --help)");
    expect_error("c.yaml --help", "t: unknown option --help (see attnbench t --help)");
    expect_error("c.yaml --db", "t: missing value after --db");
    expect_error("c.yaml -j 9", "t: -j: expected an integer in [1, 8], got \"9\"");
    expect_error("c.yaml -j x", "t: -j: expected an integer in [1, 8], got \"x\"");
    expect_error("c.yaml --count -1", "t: --count: expected an integer ≥ 0, got \"-1\"");
    expect_error("c.yaml --count 99999999999999999999", "t: --count: expected an integer ≥ 0, got "
                                                        "\"99999999999999999999\"");
    expect_error("c.yaml --quiet=yes", "t: --quiet takes no value");
    expect_error("c.yaml --length bad", "t: --length: \"bad\" is not a length");
    expect_error("c.yaml a=1 b=2 c=3", "t: more than 2 key=value");
    expect_error("--db x", "t: missing CONFIG (see attnbench t --help)");
}

/* The usage names every entry of the table, with the help text, and --help. */
static void test_usage(void) {
    parsed p = {0};
    const cli_opt opts[] = {
        CLI_POSITIONAL("RUN", &p.config, true, "the run"),
        CLI_OPT_DB(&p.db),
        CLI_CALLBACK_OPTIONAL("--peer", "PATH", &p, record_peer, "the peer,\nover two lines"),
        CLI_OPT_OUTPUT(&p.peer, "DIR", true, "where to write"),
    };
    const cli_spec spec = {"show", CLI_OPTS(opts), "attnbench show --all", "Shows a run.\n", "Exit status: 0.\n"};
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    cli_print_usage(&spec, out);
    fclose(out);
    printf("%s", text);
    const char *expected =
        "usage: attnbench show RUN [--db PATH] [--peer [PATH]] -o DIR\n"
        "       attnbench show --all\n"
        "\n"
        "Shows a run.\n"
        "\n"
        "  RUN                the run\n"
        "  --db PATH          the database (else $ATTNBENCH_DB, else " STORE_DEFAULT_PATH ")\n"
        "  --peer [PATH]      the peer,\n"
        "                     over two lines\n"
        "  -o DIR             where to write\n"
        "  -h, --help         print this help\n"
        "\n"
        "Exit status: 0.\n";
    test_check(strcmp(text, expected) == 0, "the usage generated from the table", "expected:\n%s", expected);
    free(text);
    char *argv[] = {"show", "x", "--help", NULL};
    test_check(cli_parse_command(&spec, 3, argv) == EXIT_OK, "--help anywhere: usage, exit 0", NULL);
    char *bad[] = {"show", "x", "--nope", NULL};
    test_check(cli_parse_command(&spec, 3, bad) == EXIT_USAGE, "a bad flag: exit 2", NULL);
    char *good[] = {"show", "x", "-o", "d", NULL};
    test_check(cli_parse_command(&spec, 4, good) == CLI_PARSED, "a good command line: go on", NULL);
}

int main(void) {
    test_accepts();
    test_errors();
    test_usage();
    return test_finish("test_cli_opts");
}
