/* cmd_data.c — `attnbench data TASK`: a task's generated examples as TSV, so that a
 * person can see exactly what a model is trained and tested on.
 *
 * One row per example: its index, its length in tokens, its target(s) and its input
 * as the task's readable symbols separated by spaces (a pair task gets a second input
 * column). Task options are given as option=value, exactly as under task: in a
 * config. Tabs, newlines and backslashes inside symbols are escaped, so every row is
 * one line of TSV. With --png DIR, image tasks also write each example as a PNG, named
 * by split, index and target, so that a person can look at them. With --requests, the
 * examples are named one per line (index and input length) instead of by a range, so
 * that another program can be handed exactly the examples of attnbench's batches. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "core/check.h"
#include "core/png_io.h"
#include "tasks/task.h"

static const char about[] =
    "Print examples of TASK (see attnbench tasks) as TSV on stdout: index, length, target\n"
    "(per output position for sequence tasks, '_' where unscored) and the input as readable\n"
    "symbols.\n";

typedef struct data_args {
    const char *task;
    const char *png_dir;
    const char *requests;
    enum task_split split;
    long long count, start, seed;
    int length;
    const char *options[64];
    int n_options;
} data_args;

static int parse_split(void *target, const char *text, error_info *err) {
    for (int s = SPLIT_TRAIN; s <= SPLIT_TEST; s++)
        if (strcmp(text, task_split_name((enum task_split)s)) == 0) {
            *(enum task_split *)target = (enum task_split)s;
            return 0;
        }
    return error_set(err, EXIT_USAGE, "expected train, eval or test, got \"%s\"", text);
}

static int parse_args(int argc, char **argv, data_args *a) {
    memset(a, 0, sizeof *a);
    a->count = 10;
    cli_list options = {a->options, 0, (int)(sizeof a->options / sizeof a->options[0])};
    const cli_opt opts[] = {
        CLI_POSITIONAL("TASK", &a->task, true, "a task name (see attnbench tasks)"),
        CLI_REST("option=value", &options, false, "one of the task's options, as in a config"),
        CLI_CALLBACK("--split", "train|eval|test", &a->split, parse_split, "the split (default train)"),
        CLI_NUMBER64("--count", "N", &a->count, 0, LLONG_MAX, "this many examples (default 10)"),
        CLI_NUMBER64("--start", "I", &a->start, 0, LLONG_MAX, "from index I (default 0)"),
        CLI_NUMBER64("--seed", "N", &a->seed, 0, LLONG_MAX, "the data seed (default 0, as task.seed)"),
        CLI_NUMBER("--length", "N", &a->length, 1, INT_MAX,
                   "inputs of N symbols, for a task with a length protocol (the Chomsky\n"
                   "tasks); without it they draw their lengths from train_lengths"),
        CLI_TEXT("--png", "DIR", &a->png_dir,
                 "also write each example of an image task as\n"
                 "DIR/<split>-<index>-target<k>.png, creating DIR if it does not exist"),
        CLI_TEXT("--requests", "FILE", &a->requests,
                 "instead of --start and --count, the examples named by FILE ('-': stdin),\n"
                 "one per line as INDEX LENGTH (LENGTH 0: drawn as without --length)"),
    };
    const cli_spec spec = {"data", CLI_OPTS(opts), NULL, about, NULL};
    const int status = cli_parse_command(&spec, argc, argv);
    a->n_options = options.n;
    for (int i = 0; i < a->n_options && status == CLI_PARSED; i++)
        if (!strchr(a->options[i], '='))
            return cli_fail(EXIT_USAGE, "data: unexpected argument \"%s\" (an option is option=value)",
                            a->options[i]);
    return status;
}

/* The task's options: defaults, then each option=value. */
static int task_options(const task_ops *ops, const data_args *a, opt_set *set) {
    opt_set_defaults(set, ops->options, ops->n_options);
    for (int k = 0; k < a->n_options; k++) {
        const char *eq = strchr(a->options[k], '=');
        const int key_length = (int)(eq - a->options[k]);
        int found = -1;
        for (int i = 0; i < ops->n_options; i++)
            if ((int)strlen(ops->options[i].name) == key_length &&
                strncmp(ops->options[i].name, a->options[k], (size_t)key_length) == 0)
                found = i;
        if (found < 0)
            return cli_fail(EXIT_USAGE, "data: %s has no option \"%.*s\" (see attnbench tasks)", ops->name,
                            key_length, a->options[k]);
        error_info err = {0};
        if (opt_parse_scalar(&set->values[found], &ops->options[found], eq + 1, &err) != 0)
            return cli_fail(EXIT_USAGE, "data: %.*s: %s", key_length, a->options[k], err.message);
    }
    return EXIT_OK;
}

static void print_symbol(const char *symbol) {
    for (const char *c = symbol; *c; c++) {
        if (*c == '\t') fputs("\\t", stdout);
        else if (*c == '\n') fputs("\\n", stdout);
        else if (*c == '\\') fputs("\\\\", stdout);
        else putchar(*c);
    }
}

static void print_tokens(const task_info *info, const int32_t *tokens, int length) {
    for (int t = 0; t < length; t++) {
        if (t > 0) putchar(' ');
        if (info->token_names) print_symbol(info->token_names[tokens[t]]);
        else printf("%d", (int)tokens[t]);
    }
}

static void print_example(const task_info *info, long long index, const example *ex) {
    printf("%lld\t%d\t", index, ex->length);
    for (int o = 0; o < ex->n_outputs; o++) {
        if (o > 0) putchar(' ');
        if (ex->target_mask[o]) printf("%d", (int)ex->targets[o]);
        else putchar('_');
    }
    putchar('\t');
    print_tokens(info, ex->tokens, ex->length);
    if (info->output == TASK_OUTPUT_PAIR) {
        putchar('\t');
        print_tokens(info, ex->tokens2, ex->length2);
    }
    putchar('\n');
}

/* The example's image as DIR/<split>-<index>-target<k>.png. */
static int write_png(const data_args *a, const task_info *info, long long index, const example *ex) {
    const int side = info->image_side;
    CHECK(ex->length == side * side);
    uint8_t *pixels = malloc((size_t)side * side);
    CHECK(pixels != NULL);
    for (int t = 0; t < side * side; t++) pixels[t] = (uint8_t)(ex->tokens[t] - TASK_GREY_TOKEN0);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%lld-target%d.png", a->png_dir, task_split_name(a->split), index,
             (int)ex->targets[0]);
    error_info err = {0};
    const int rc = png_write_grey(path, pixels, side, side, &err);
    free(pixels);
    return rc == 0 ? EXIT_OK : cli_fail(err.status, "data: --png: %s", err.message);
}

int cmd_data(int argc, char **argv) {
    data_args a;
    int status = parse_args(argc, argv, &a);
    if (status != CLI_PARSED) return status;
    const task_ops *ops = task_find(a.task);
    if (!ops) return cli_fail(EXIT_USAGE, "data: unknown task \"%s\" (see attnbench tasks)", a.task);
    opt_set set;
    if ((status = task_options(ops, &a, &set)) != EXIT_OK) return status;
    void *state = NULL;
    task_info info;
    error_info err = {0};
    if (ops->init(&state, &set, &info, &err) != 0) return cli_fail(err.status, "data: %s", err.message);
    if (a.png_dir && info.image_side <= 0) {
        ops->free(state);
        return cli_fail(EXIT_USAGE, "data: --png: %s is not an image task", ops->name);
    }
    if (a.length > 0 && info.lengths.samples_per_length == 0) {
        ops->free(state);
        return cli_fail(EXIT_USAGE, "data: --length: %s has no length protocol; its lengths are its own", ops->name);
    }
    if (a.png_dir && mkdir(a.png_dir, 0777) != 0 && errno != EEXIST) {
        ops->free(state);
        return cli_fail(EXIT_RUNTIME, "data: --png: %s: cannot create the directory: %s", a.png_dir, strerror(errno));
    }
    FILE *requests = NULL;
    if (a.requests && !(requests = strcmp(a.requests, "-") == 0 ? stdin : fopen(a.requests, "r"))) {
        ops->free(state);
        return cli_fail(EXIT_RUNTIME, "data: --requests: %s: %s", a.requests, strerror(errno));
    }
    example ex;
    example_alloc(&ex, &info);
    printf("index\tlength\ttarget\tinput%s\n", info.output == TASK_OUTPUT_PAIR ? "\tinput2" : "");
    long long index = a.start, length = a.length;
    int line = 0;
    while (status == EXIT_OK) {
        if (requests) {
            const int read = fscanf(requests, "%lld %lld", &index, &length);
            line++;
            if (read == EOF) break;
            if (read != 2 || index < 0 || length < 0 || length > INT_MAX ||
                (length > 0 && info.lengths.samples_per_length == 0)) {
                status = cli_fail(EXIT_USAGE, "data: --requests: line %d: expected INDEX LENGTH (LENGTH 0 unless "
                                  "the task has a length protocol)", line);
                break;
            }
        } else if (index >= a.start + a.count) {
            break;
        }
        const example_request request = {(uint64_t)a.seed, a.split, index, (int)length};
        if (ops->example(state, &request, &ex, &err) != 0) status = cli_fail(err.status, "data: %s", err.message);
        else {
            print_example(&info, index, &ex);
            if (a.png_dir) status = write_png(&a, &info, index, &ex);
        }
        if (!requests) index++;
    }
    if (requests && requests != stdin) fclose(requests);
    example_free(&ex);
    ops->free(state);
    return status;
}
