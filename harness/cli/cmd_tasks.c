/* cmd_tasks.c — `attnbench tasks`: every registered task with its options.
 *
 * The output kind, vocabulary and lengths live in task_info, which only init fills,
 * so each task is initialised at its default options to describe it; a task whose
 * defaults cannot initialise (one that needs a data directory, say) says why. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/options_print.h"
#include "tasks/task.h"

static const char about[] =
    "List every task a config can name as task.name, with its summary, output kind and\n"
    "options (set under task: in a config or as task.<option>=VALUE on the command line).\n";

static const char *output_name(enum task_output output) {
    switch (output) {
    case TASK_OUTPUT_CLASS: return "class per sequence";
    case TASK_OUTPUT_SEQUENCE: return "class per output position";
    case TASK_OUTPUT_PAIR: return "class per pair of sequences";
    }
    return "?";
}

static void print_task(const task_ops *ops) {
    printf("%s  %s\n", ops->name, ops->summary);
    printf("  suite: %s, #%d%s%s\n", ops->suite, ops->order, ops->level[0] ? ", level " : "", ops->level);
    opt_set defaults;
    opt_set_defaults(&defaults, ops->options, ops->n_options);
    void *state = NULL;
    task_info info;
    error_info err = {0};
    if (ops->init(&state, &defaults, &info, &err) == 0) {
        printf("  output: %s; %d classes, vocabulary %d, up to %d tokens at the defaults\n",
               output_name(info.output), info.n_classes, info.vocab_size, info.max_length);
        ops->free(state);
    } else {
        printf("  output: not known at the defaults (%s)\n", err.message);
    }
    printf("  options:\n");
    options_print(stdout, ops->options, ops->n_options, "    ");
}

int cmd_tasks(int argc, char **argv) {
    const cli_spec spec = {"tasks", NULL, 0, NULL, about, NULL};
    const int status = cli_parse_command(&spec, argc, argv);
    if (status != CLI_PARSED) return status;
    for (int i = 0; i < task_count(); i++) {
        if (i > 0) printf("\n");
        print_task(task_at(i));
    }
    return EXIT_OK;
}
