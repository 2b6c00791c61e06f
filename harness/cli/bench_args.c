/* bench_args.c — `attnbench bench`'s flag table and the checks of its values (see bench_args.h). */
#include "cli/bench_args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "model/bench_config.h"
#include "model/peer.h"
#include "store/store.h"

#define MAX_LENGTH (1 << 20)
#define MAX_BATCH 65536
#define MAX_STEPS 1000000
#define MAX_THREADS 256

static const char about[] =
    "Time and peak memory of one training step (forward, backward, AdamW) of a small\n"
    "encoder (by default dim 64, 4 heads, 2 layers, MLP 128: the PyTorch peer's model) on\n"
    "random tokens, for each mechanism at each sequence length T (CLS included), and its\n"
    "attention's GFLOP/s timed alone beside OpenBLAS sgemm's, measured first in the same\n"
    "run. Each cell runs in its own process; cells whose model needs more than the memory\n"
    "limit are refused, not run. With --peer, the PyTorch peer runs the same cell right\n"
    "after ours (full, blocked local and Performer). Prints Markdown tables and records\n"
    "every measured cell in the database's bench table.\n"
    "\n"
    "With --config the model is the experiment config's instead (its whole model section,\n"
    "the task's vocabulary, classes and outputs), on a real training batch of its task:\n"
    "examples 0..B-1 of the training split at each task input length n of --lengths, so\n"
    "that T is what the task makes of n (n + 1 for a one-output Chomsky task). A step is\n"
    "the config's training step (dropout, clipping and AdamW as configured). The default\n"
    "mechanism is the config's, with its options; the shape is the config's (no --dim,\n"
    "--heads, --layers or --mlp), and the recorded rows' options name the config and its\n"
    "--set values. --peer runs the Chomsky twin (" PEER_TWIN_SCRIPT ")\n"
    "on the same batch, for full attention on a Chomsky task. Example:\n"
    "  attnbench bench --config configs/chomsky/cpu.yaml --batch 128 --threads 1 --peer\n";

static const char notes[] =
    "Exit status: 0 every cell measured or refused, 1 a cell failed or the database\n"
    "could not be written, 2 usage error.\n";

/* --peer [PATH]: PATH must be readable; without it, the project's peer (or with
 * --config its twin), checked once --config is known. */
static int parse_peer(void *target, const char *value, error_info *err) {
    bench_args *a = target;
    a->peer_default = value == NULL;
    a->peer_script = value;
    return value ? peer_check_script(value, err) : 0;
}

static int parse_set(void *target, const char *value, error_info *err) {
    bench_args *a = target;
    if (a->n_sets == BENCH_MAX_SETS) return error_set(err, EXIT_USAGE, "more than %d overrides", BENCH_MAX_SETS);
    a->sets[a->n_sets++] = value;
    return 0;
}

static int parse_memory_limit(void *target, const char *text, error_info *err) {
    char *end;
    errno = 0;
    const double value = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(value) || value <= 0)
        return error_set(err, EXIT_USAGE, "expected a number of GB > 0, got \"%s\"", text);
    *(double *)target = value;
    return 0;
}

/* Split a comma-separated list into items (at most max, each shorter than 64 bytes). */
static int split_list(const char *text, char items[][64], int max, int *n, error_info *err) {
    *n = 0;
    const char *p = text;
    for (;;) {
        const size_t len = strcspn(p, ",");
        if (*n == max) return error_set(err, EXIT_USAGE, "more than %d items in \"%s\"", max, text);
        if (len >= 64) return error_set(err, EXIT_USAGE, "item \"%.*s\" is too long", (int)len, p);
        memcpy(items[*n], p, len);
        items[(*n)++][len] = '\0';
        if (!p[len]) return 0;
        p += len + 1;
    }
}

static void known_mechanisms(char *known, size_t size) {
    known[0] = '\0';
    for (int k = 0; k < mechanism_count(); k++) {
        const size_t used = strlen(known);
        snprintf(known + used, size - used, "%s%s", k ? ", " : "", mechanism_at(k)->name);
    }
}

static void set_mechanisms(bench_args *a, const mechanism_ops *const *ops, int n) {
    a->n_mechanisms = n;
    for (int i = 0; i < n; i++) {
        a->mechanisms[i] = ops[i];
        opt_set_defaults(&a->options[i], ops[i]->options, ops[i]->n_options);
        a->settings[i][0] = '\0';
    }
}

static int parse_mechanisms(void *target, const char *text, error_info *err) {
    bench_args *a = target;
    if (a->options_set)
        return error_set(err, EXIT_USAGE, "given after --option, but --mechanisms must come before --option");
    char items[BENCH_MAX_MECHANISMS][64];
    const mechanism_ops *ops[BENCH_MAX_MECHANISMS];
    int n;
    if (split_list(text, items, BENCH_MAX_MECHANISMS, &n, err)) return -1;
    for (int i = 0; i < n; i++) {
        ops[i] = mechanism_find(items[i]);
        if (ops[i]) continue;
        char known[512];
        known_mechanisms(known, sizeof known);
        return error_set(err, EXIT_USAGE, "unknown mechanism \"%s\" (known: %s)", items[i], known);
    }
    set_mechanisms(a, ops, n);
    a->mechanisms_given = true;
    return 0;
}

/* T in [2, MAX_LENGTH]; with --config, task input lengths n ≥ 1 (checked once --config is known). */
static int parse_lengths(void *target, const char *text, error_info *err) {
    bench_args *a = target;
    char items[BENCH_MAX_LENGTHS][64];
    if (split_list(text, items, BENCH_MAX_LENGTHS, &a->n_lengths, err)) return -1;
    for (int i = 0; i < a->n_lengths; i++) {
        long long value;
        if (!cli_parse_integer(items[i], 1, MAX_LENGTH, &value))
            return error_set(err, EXIT_USAGE,
                             "\"%s\" is not a length (expected an integer in [2, %d], or [1, %d] with --config)",
                             items[i], MAX_LENGTH, MAX_LENGTH);
        a->lengths[i] = (int)value;
    }
    a->lengths_given = true;
    return 0;
}

/* --option: kept, and applied once the mechanisms (with --config, the config's) are known. */
static int collect_option(void *target, const char *text, error_info *err) {
    bench_args *a = target;
    a->options_set = true;
    if (a->n_options == BENCH_MAX_OPTIONS)
        return error_set(err, EXIT_USAGE, "more than %d options", BENCH_MAX_OPTIONS);
    a->option_texts[a->n_options++] = text;
    return 0;
}

/* MECHANISM.KEY=VALUE, for a mechanism of the set. */
static int apply_option(bench_args *a, const char *text, error_info *err) {
    const char *dot = strchr(text, '.'), *equals = strchr(text, '=');
    if (!dot || !equals || equals < dot)
        return error_set(err, EXIT_USAGE, "expected MECHANISM.KEY=VALUE, got \"%s\"", text);
    const int name_length = (int)(dot - text), key_length = (int)(equals - dot - 1);
    for (int i = 0; i < a->n_mechanisms; i++) {
        if ((int)strlen(a->mechanisms[i]->name) != name_length || strncmp(a->mechanisms[i]->name, text, name_length))
            continue;
        opt_set *set = &a->options[i];
        for (int k = 0; k < set->n; k++) {
            const opt_spec *spec = set->values[k].spec;
            if ((int)strlen(spec->name) != key_length || strncmp(spec->name, dot + 1, key_length)) continue;
            if (spec->type == OPT_INT_LIST)
                return error_set(err, EXIT_USAGE, "%s: list options are set in a config, not here", text);
            if (opt_parse_scalar(&set->values[k], spec, equals + 1, err) != 0) return error_prefix(err, "%s", text);
            const size_t used = strlen(a->settings[i]);
            snprintf(a->settings[i] + used, sizeof a->settings[i] - used, "%s%s", used ? " " : "", dot + 1);
            return 0;
        }
        return error_set(err, EXIT_USAGE, "%s: %.*s has no option \"%.*s\" (see attnbench mechanisms)", text,
                         name_length, text, key_length, dot + 1);
    }
    return error_set(err, EXIT_USAGE, "%s: \"%.*s\" is not among the mechanisms benchmarked", text, name_length,
                     text);
}

/* Without --config: the default shape where no flag set it, and T as given. */
static int resolve_default_model(bench_args *a) {
    bench_shape *s = &a->shape;
    if (!s->dim) s->dim = BENCH_DIM;
    if (!s->heads) s->heads = BENCH_HEADS;
    if (!s->layers) s->layers = BENCH_LAYERS;
    if (!s->mlp_dim) s->mlp_dim = BENCH_MLP_DIM;
    if (s->dim % s->heads != 0)
        return cli_fail(EXIT_USAGE, "bench: --dim %d is not a multiple of --heads %d", s->dim, s->heads);
    for (int j = 0; j < a->n_lengths; j++) {
        if (a->lengths[j] < 2)
            return cli_fail(EXIT_USAGE, "bench: --lengths: \"%d\" is not a length (expected an integer in [2, %d])",
                            a->lengths[j], MAX_LENGTH);
        a->tokens[j] = a->lengths[j];
    }
    return CLI_PARSED;
}

/* The config's label for the rows: "config PATH KEY=VALUE …". */
static void label_config(bench_args *a) {
    size_t used = (size_t)snprintf(a->config_label, sizeof a->config_label, "config %s", a->config_path);
    for (int k = 0; k < a->n_sets && used < sizeof a->config_label; k++)
        used += (size_t)snprintf(a->config_label + used, sizeof a->config_label - used, " %s", a->sets[k]);
}

/* With --config: load it, take its shape, its mechanism (with its options) unless
 * --mechanisms chose, its batch size unless --batch did, and each length's T from a
 * real batch of its task. */
static int resolve_config(bench_args *a) {
    bench_shape *s = &a->shape;
    const char *shape_flag = s->dim      ? "--dim"
                             : s->heads  ? "--heads"
                             : s->layers ? "--layers"
                             : s->mlp_dim ? "--mlp"
                                          : NULL;
    if (shape_flag)
        return cli_fail(EXIT_USAGE, "bench: %s cannot be given with --config (the config says the model's shape)",
                        shape_flag);
    error_info err = {0};
    experiment_config *cfg = &a->config;
    if (config_load_file(cfg, a->config_path, a->sets, a->n_sets, &err) != 0)
        return cli_fail(err.status, "bench: %s", err.message);
    *s = (bench_shape){.dim = cfg->model.dim, .heads = cfg->model.heads, .layers = cfg->model.layers,
                       .mlp_dim = cfg->model.mlp_dim};
    const attention_config *attention = &cfg->model.attention;
    if (!a->mechanisms_given) set_mechanisms(a, (const mechanism_ops *const[]){mechanism_find(attention->kind)}, 1);
    for (int i = 0; i < a->n_mechanisms; i++)
        if (strcmp(a->mechanisms[i]->name, attention->kind) == 0) a->options[i] = attention->options;
    if (!a->batch) a->batch = cfg->train.batch_size;
    if (!a->lengths_given) {
        a->n_lengths = 1;
        if (bench_config_default_length(cfg, &a->lengths[0], &err) != 0)
            return cli_fail(err.status, "bench: %s: %s", a->config_path, err.message);
    }
    for (int j = 0; j < a->n_lengths; j++)
        if (bench_config_tokens(cfg, a->lengths[j], a->batch, &a->tokens[j], &err) != 0)
            return cli_fail(err.status, "bench: %s: length %d: %s", a->config_path, a->lengths[j], err.message);
    label_config(a);
    return CLI_PARSED;
}

static void default_args(bench_args *a) {
    static const int lengths[] = {1024, 2048, 4096, 8192, 16384};
    memset(a, 0, sizeof *a);
    const mechanism_ops *ops[BENCH_MAX_MECHANISMS];
    const int n = mechanism_count() < BENCH_MAX_MECHANISMS ? mechanism_count() : BENCH_MAX_MECHANISMS;
    for (int i = 0; i < n; i++) ops[i] = mechanism_at(i);
    set_mechanisms(a, ops, n);
    a->n_lengths = (int)(sizeof lengths / sizeof lengths[0]);
    memcpy(a->lengths, lengths, sizeof lengths);
    a->steps = 3;
    a->repeat = 1;
    a->python = "/usr/bin/python3";
}

int bench_args_parse(int argc, char **argv, bench_args *a) {
    default_args(a);
    const cli_opt opts[] = {
        CLI_CALLBACK("--mechanisms", "a,b,...", a, parse_mechanisms,
                     "comma-separated mechanisms (default: every registered one)"),
        CLI_CALLBACK("--lengths", "1024,2048,...", a, parse_lengths,
                     "comma-separated T in [2, 1048576] (default 1024,2048,4096,8192,16384);\n"
                     "with --config, task input lengths n (default: the upper end of\n"
                     "task.train_lengths, else the task's longest input)"),
        CLI_NUMBER("--batch", "N", &a->batch, 1, MAX_BATCH,
                   "sequences per step (default min(8, max(1, 16384 / T)); with --config,\n"
                   "its train.batch_size)"),
        CLI_CALLBACK("--option", "M.K=V", a, collect_option,
                     "set option K of mechanism M (repeatable, after --mechanisms),\n"
                     "e.g. local.blocked=true"),
        CLI_TEXT("--config", "FILE", &a->config_path,
                 "time the model, batch and training step of this experiment config;\n"
                 "its mechanism, with its options, is the default set (a mechanism of\n"
                 "--mechanisms that is the config's keeps them too)"),
        CLI_CALLBACK("--set", "KEY=VALUE", a, parse_set,
                     "override a key of --config, as `attnbench run FILE key=value`\n"
                     "(repeatable)"),
        CLI_NUMBER("--dim", "D", &a->shape.dim, 1, 65536, "the model's width (default 64)"),
        CLI_NUMBER("--heads", "H", &a->shape.heads, 1, 1024, "attention heads (default 4)"),
        CLI_NUMBER("--layers", "L", &a->shape.layers, 1, 1024, "layers (default 2)"),
        CLI_NUMBER("--mlp", "M", &a->shape.mlp_dim, 1, 1 << 20, "MLP width (default 128)"),
        CLI_NUMBER("--steps", "N", &a->steps, 1, MAX_STEPS, "timed steps per cell, after one warm-up step (default 3)"),
        CLI_NUMBER("--repeat", "R", &a->repeat, 1, 100,
                   "run the whole grid R times, round after round; each cell reports\n"
                   "its round with the median step time (default 1)"),
        CLI_NUMBER("--threads", "N", &a->threads, 1, MAX_THREADS, "threads (default: every online core)"),
        CLI_CALLBACK("--memory-limit", "GB", &a->memory_limit_gb, parse_memory_limit,
                     "refuse cells whose model needs more (default: half of memory)"),
        CLI_CALLBACK_OPTIONAL("--peer", "PATH", a, parse_peer,
                              "run the PyTorch peer on every cell it implements: the project's\n"
                              PEER_SCRIPT " without PATH, else the peer script PATH;\n"
                              "with --config, " PEER_TWIN_SCRIPT " (or PATH,\n"
                              "run as the twin is)"),
        CLI_TEXT("--python", "PATH", &a->python, "the interpreter for the peer (default /usr/bin/python3)"),
        CLI_OPT_DB(&a->db_flag),
        CLI_FLAG("--no-record", &a->no_record, "print the tables only"),
    };
    const cli_spec spec = {"bench", CLI_OPTS(opts), NULL, about, notes};
    const int status = cli_parse_command(&spec, argc, argv);
    if (status != CLI_PARSED) return status;
    const int resolved = a->config_path ? resolve_config(a) : resolve_default_model(a);
    if (resolved != CLI_PARSED) return resolved;
    error_info err = {0};
    for (int k = 0; k < a->n_options; k++)
        if (apply_option(a, a->option_texts[k], &err) != 0)
            return cli_fail(err.status, "bench: --option: %s", err.message);
    for (int i = 0; i < a->n_mechanisms; i++) {
        const char *gap = a->config_path && a->settings[i][0] ? "; " : "";
        snprintf(a->row_options[i], sizeof a->row_options[i], "%s%s%s", a->config_path ? a->config_label : "", gap,
                 a->settings[i]);
    }
    if (a->peer_default) {
        a->peer_script = a->config_path ? peer_twin_script() : peer_default_script();
        if (peer_check_script(a->peer_script, &err) != 0) return cli_fail(err.status, "bench: --peer: %s", err.message);
    }
    return CLI_PARSED;
}
