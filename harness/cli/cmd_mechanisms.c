/* cmd_mechanisms.c — `attnbench mechanisms`: every registered attention mechanism
 * with its options, as model.attention.kind and model.attention.<option> take them. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/options_print.h"
#include "mechanisms/mechanism.h"

static const char usage[] =
    "usage: attnbench mechanisms [--help]\n"
    "\n"
    "List every attention mechanism a config can name as model.attention.kind, with its\n"
    "summary and options (set under model.attention: in a config or as\n"
    "model.attention.<option>=VALUE on the command line).\n";

int cmd_mechanisms(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (argc > 1) {
        cli_fail(EXIT_USAGE, "mechanisms: unexpected argument \"%s\"", argv[1]);
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    for (int i = 0; i < mechanism_count(); i++) {
        const mechanism_ops *ops = mechanism_at(i);
        if (i > 0) printf("\n");
        printf("%s  %s\n", ops->name, ops->summary);
        printf("  options:\n");
        options_print(stdout, ops->options, ops->n_options, "    ");
    }
    return EXIT_OK;
}
