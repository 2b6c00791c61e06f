/* cmd_mechanisms.c — `attnbench mechanisms`: every registered attention mechanism
 * with its options, as model.attention.kind and model.attention.<option> take them. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/options_print.h"
#include "mechanisms/mechanism.h"

static const char about[] =
    "List every attention mechanism a config can name as model.attention.kind, with its\n"
    "summary and options (set under model.attention: in a config or as\n"
    "model.attention.<option>=VALUE on the command line).\n";

int cmd_mechanisms(int argc, char **argv) {
    const cli_spec spec = {"mechanisms", NULL, 0, NULL, about, NULL};
    const int status = cli_parse_command(&spec, argc, argv);
    if (status != CLI_PARSED) return status;
    for (int i = 0; i < mechanism_count(); i++) {
        const mechanism_ops *ops = mechanism_at(i);
        if (i > 0) printf("\n");
        printf("%s  %s\n", ops->name, ops->summary);
        printf("  options:\n");
        options_print(stdout, ops->options, ops->n_options, "    ");
    }
    return EXIT_OK;
}
