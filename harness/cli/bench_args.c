/* bench_args.c — parse `attnbench bench`'s flags (see bench_args.h). */
#include "cli/bench_args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

#define MAX_LENGTH (1 << 20)
#define MAX_BATCH 65536
#define MAX_STEPS 1000000
#define MAX_THREADS 256

const char bench_usage[] =
    "usage: attnbench bench [--mechanisms a,b,...] [--lengths 1024,2048,...] [--batch N]\n"
    "                       [--option MECHANISM.KEY=VALUE ...] [--dim D] [--heads H]\n"
    "                       [--layers L] [--mlp M] [--steps N] [--repeat R] [--threads N]\n"
    "                       [--memory-limit GB] [--peer PEER_TORCH_PY] [--python PATH]\n"
    "                       [--db PATH] [--no-record]\n"
    "\n"
    "Time and peak memory of one training step (forward, backward, AdamW) of a small\n"
    "encoder (by default dim 64, 4 heads, 2 layers, MLP 128: the PyTorch peer's model) on\n"
    "random tokens, for each mechanism at each sequence length T (CLS included), and its\n"
    "attention's GFLOP/s timed alone beside OpenBLAS sgemm's, measured first in the same\n"
    "run. Each cell runs in its own process; cells whose model needs more than the memory\n"
    "limit are refused, not run. With --peer, the PyTorch peer runs the same cell right\n"
    "after ours (full, blocked local and Performer). Prints Markdown tables and records\n"
    "every measured cell in the database's bench table.\n"
    "\n"
    "  --mechanisms LIST  comma-separated mechanisms (default: every registered one)\n"
    "  --lengths LIST     comma-separated T in [2, 1048576] (default 1024,2048,4096,8192,16384)\n"
    "  --batch N          sequences per step (default min(8, max(1, 16384 / T)))\n"
    "  --option M.K=V     set option K of mechanism M (repeatable), e.g. local.blocked=true\n"
    "  --dim D, --heads H, --layers L, --mlp M   the model's shape (default 64, 4, 2, 128)\n"
    "  --steps N          timed steps per cell, after one warm-up step (default 3)\n"
    "  --repeat R         run the whole grid R times, round after round; each cell reports\n"
    "                     its round with the median step time (default 1)\n"
    "  --threads N        threads (default: every online core)\n"
    "  --memory-limit GB  refuse cells whose model needs more (default: half of memory)\n"
    "  --peer PATH        peer_torch.py: run the PyTorch peer on every cell it implements\n"
    "  --python PATH      the interpreter for the peer (default /usr/bin/python3)\n"
    "  --db PATH          database file (default $ATTNBENCH_DB or " STORE_DEFAULT_PATH ")\n"
    "  --no-record        print the tables only\n"
    "\n"
    "Exit status: 0 every cell measured or refused, 1 a cell failed or the database\n"
    "could not be written, 2 usage error.\n";

static int parse_int_flag(const char *flag, const char *text, long long min, long long max, int *out) {
    long long value;
    if (!cli_parse_integer(text, min, max, &value))
        return cli_fail(EXIT_USAGE, "bench: %s: expected an integer in [%lld, %lld], got \"%s\"", flag, min, max,
                        text);
    *out = (int)value;
    return EXIT_OK;
}

static int parse_memory_limit(const char *text, double *out) {
    char *end;
    errno = 0;
    const double value = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(value) || value <= 0)
        return cli_fail(EXIT_USAGE, "bench: --memory-limit: expected a number of GB > 0, got \"%s\"", text);
    *out = value;
    return EXIT_OK;
}

/* Split a comma-separated list into items (at most max, each shorter than 64 bytes). */
static int split_list(const char *flag, const char *text, char items[][64], int max, int *n) {
    *n = 0;
    const char *p = text;
    for (;;) {
        const size_t len = strcspn(p, ",");
        if (*n == max) return cli_fail(EXIT_USAGE, "bench: %s: more than %d items in \"%s\"", flag, max, text);
        if (len >= 64) return cli_fail(EXIT_USAGE, "bench: %s: item \"%.*s\" is too long", flag, (int)len, p);
        memcpy(items[*n], p, len);
        items[(*n)++][len] = '\0';
        if (!p[len]) return EXIT_OK;
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

static int parse_mechanisms(const char *text, bench_args *a) {
    char items[BENCH_MAX_MECHANISMS][64];
    const mechanism_ops *ops[BENCH_MAX_MECHANISMS];
    int n;
    int status = split_list("--mechanisms", text, items, BENCH_MAX_MECHANISMS, &n);
    if (status != EXIT_OK) return status;
    for (int i = 0; i < n; i++) {
        ops[i] = mechanism_find(items[i]);
        if (ops[i]) continue;
        char known[512];
        known_mechanisms(known, sizeof known);
        return cli_fail(EXIT_USAGE, "bench: --mechanisms: unknown mechanism \"%s\" (known: %s)", items[i], known);
    }
    set_mechanisms(a, ops, n);
    return EXIT_OK;
}

static int parse_lengths(const char *text, bench_args *a) {
    char items[BENCH_MAX_LENGTHS][64];
    int status = split_list("--lengths", text, items, BENCH_MAX_LENGTHS, &a->n_lengths);
    if (status != EXIT_OK) return status;
    for (int i = 0; i < a->n_lengths; i++) {
        long long value;
        if (!cli_parse_integer(items[i], 2, MAX_LENGTH, &value))
            return cli_fail(EXIT_USAGE, "bench: --lengths: \"%s\" is not a length (expected an integer in [2, %d])",
                            items[i], MAX_LENGTH);
        a->lengths[i] = (int)value;
    }
    return EXIT_OK;
}

/* MECHANISM.KEY=VALUE, for a mechanism of --mechanisms (which must come first). */
static int apply_option(const char *text, bench_args *a) {
    const char *dot = strchr(text, '.'), *equals = strchr(text, '=');
    if (!dot || !equals || equals < dot)
        return cli_fail(EXIT_USAGE, "bench: --option: expected MECHANISM.KEY=VALUE, got \"%s\"", text);
    const int name_length = (int)(dot - text), key_length = (int)(equals - dot - 1);
    for (int i = 0; i < a->n_mechanisms; i++) {
        if ((int)strlen(a->mechanisms[i]->name) != name_length || strncmp(a->mechanisms[i]->name, text, name_length))
            continue;
        opt_set *set = &a->options[i];
        for (int k = 0; k < set->n; k++) {
            const opt_spec *spec = set->values[k].spec;
            if ((int)strlen(spec->name) != key_length || strncmp(spec->name, dot + 1, key_length)) continue;
            if (spec->type == OPT_INT_LIST)
                return cli_fail(EXIT_USAGE, "bench: --option %s: list options are set in a config, not here", text);
            error_info err = {0};
            if (opt_parse_scalar(&set->values[k], spec, equals + 1, &err) != 0)
                return cli_fail(EXIT_USAGE, "bench: --option %s: %s", text, err.message);
            const size_t used = strlen(a->settings[i]);
            snprintf(a->settings[i] + used, sizeof a->settings[i] - used, "%s%s", used ? " " : "", dot + 1);
            return EXIT_OK;
        }
        return cli_fail(EXIT_USAGE, "bench: --option %s: %.*s has no option \"%.*s\" (see attnbench mechanisms)", text,
                        name_length, text, key_length, dot + 1);
    }
    return cli_fail(EXIT_USAGE, "bench: --option %s: \"%.*s\" is not among the mechanisms benchmarked", text,
                    name_length, text);
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
    a->shape = (bench_shape){.dim = BENCH_DIM, .heads = BENCH_HEADS, .layers = BENCH_LAYERS, .mlp_dim = BENCH_MLP_DIM};
    a->steps = 3;
    a->repeat = 1;
    a->python = "/usr/bin/python3";
}

static const char *const value_flags[] = {"--mechanisms", "--lengths", "--batch",  "--steps", "--threads",
                                          "--memory-limit", "--db",   "--option", "--dim",   "--heads",
                                          "--layers",     "--mlp",     "--peer",   "--python", "--repeat"};

static bool takes_value(const char *flag) {
    for (size_t i = 0; i < sizeof value_flags / sizeof *value_flags; i++)
        if (strcmp(flag, value_flags[i]) == 0) return true;
    return false;
}

static int parse_flag(const char *flag, const char *value, bench_args *a) {
    if (strcmp(flag, "--mechanisms") == 0) return parse_mechanisms(value, a);
    if (strcmp(flag, "--lengths") == 0) return parse_lengths(value, a);
    if (strcmp(flag, "--batch") == 0) return parse_int_flag(flag, value, 1, MAX_BATCH, &a->batch);
    if (strcmp(flag, "--steps") == 0) return parse_int_flag(flag, value, 1, MAX_STEPS, &a->steps);
    if (strcmp(flag, "--repeat") == 0) return parse_int_flag(flag, value, 1, 100, &a->repeat);
    if (strcmp(flag, "--threads") == 0) return parse_int_flag(flag, value, 1, MAX_THREADS, &a->threads);
    if (strcmp(flag, "--memory-limit") == 0) return parse_memory_limit(value, &a->memory_limit_gb);
    if (strcmp(flag, "--option") == 0) return apply_option(value, a);
    if (strcmp(flag, "--dim") == 0) return parse_int_flag(flag, value, 1, 65536, &a->shape.dim);
    if (strcmp(flag, "--heads") == 0) return parse_int_flag(flag, value, 1, 1024, &a->shape.heads);
    if (strcmp(flag, "--layers") == 0) return parse_int_flag(flag, value, 1, 1024, &a->shape.layers);
    if (strcmp(flag, "--mlp") == 0) return parse_int_flag(flag, value, 1, 1 << 20, &a->shape.mlp_dim);
    if (strcmp(flag, "--peer") == 0) a->peer_script = value;
    else if (strcmp(flag, "--python") == 0) a->python = value;
    else a->db_flag = value;
    return EXIT_OK;
}

int bench_args_parse(int argc, char **argv, bench_args *a) {
    default_args(a);
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i];
        if (strcmp(flag, "--no-record") == 0) {
            a->no_record = true;
            continue;
        }
        if (!takes_value(flag))
            return cli_fail(EXIT_USAGE, "bench: unknown argument %s (see attnbench bench --help)", flag);
        if (++i == argc) return cli_fail(EXIT_USAGE, "bench: %s needs a value", flag);
        if (strcmp(flag, "--option") == 0) /* an option applies to the mechanisms listed so far */
            for (int j = i + 1; j < argc; j++)
                if (strcmp(argv[j], "--mechanisms") == 0)
                    return cli_fail(EXIT_USAGE, "bench: --mechanisms must come before --option");
        const int status = parse_flag(flag, argv[i], a);
        if (status != EXIT_OK) return status;
    }
    if (a->shape.dim % a->shape.heads != 0)
        return cli_fail(EXIT_USAGE, "bench: --dim %d is not a multiple of --heads %d", a->shape.dim, a->shape.heads);
    return EXIT_OK;
}
