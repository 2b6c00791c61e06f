/* cmd_bench.c — `attnbench bench`: time and memory per training step for each
 * mechanism across sequence lengths.
 *
 * Every (mechanism, length) cell runs in its own child process (model/bench.h), so
 * its peak memory is its own and a crash is one failed row, not a lost bench. A cell
 * whose model needs more than --memory-limit is refused before it allocates, which is
 * an expected outcome (full attention at long lengths), not an error. The table goes
 * to stdout row by row, progress to stderr; each measured cell is recorded in the
 * `bench` table as it finishes, so an interrupted bench keeps what it measured. The
 * last table compares the cost per token at each mechanism's longest measured length
 * with its shortest: near 1× means the mechanism's cost grows linearly with T. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/parallel.h"
#include "mechanisms/mechanism.h"
#include "model/bench.h"
#include "store/store.h"

#define MAX_MECHANISMS 64
#define MAX_LENGTHS 64
#define MAX_LENGTH (1 << 20)
#define MAX_BATCH 65536
#define MAX_STEPS 1000000
#define MAX_THREADS 256
#define BATCH_TOKENS 16384 /* default batch: min(8, max(1, BATCH_TOKENS / T)) */

static const char usage[] =
    "usage: attnbench bench [--mechanisms a,b,...] [--lengths 1024,2048,...] [--batch N]\n"
    "                       [--steps N] [--threads N] [--memory-limit GB] [--db PATH]\n"
    "                       [--no-record]\n"
    "\n"
    "Time and peak memory of one training step (forward, backward, AdamW) of a small\n"
    "encoder (dim 64, 4 heads, 2 layers, MLP 128) on random tokens, for each mechanism\n"
    "at each sequence length T (CLS included). Each cell runs in its own process; cells\n"
    "whose model needs more than the memory limit are refused, not run. Prints a\n"
    "Markdown table and the per-token cost ratios from the shortest to the longest\n"
    "measured length, and records every measured cell in the database's bench table.\n"
    "\n"
    "  --mechanisms LIST  comma-separated mechanisms (default: every registered one)\n"
    "  --lengths LIST     comma-separated T in [2, 1048576] (default 1024,2048,4096,8192,16384)\n"
    "  --batch N          sequences per step (default min(8, max(1, 16384 / T)))\n"
    "  --steps N          timed steps per cell, after one warm-up step (default 3)\n"
    "  --threads N        threads (default: every online core)\n"
    "  --memory-limit GB  refuse cells whose model needs more (default: half of memory)\n"
    "  --db PATH          database file (default $ATTNBENCH_DB or " STORE_DEFAULT_PATH ")\n"
    "  --no-record        print the table only\n"
    "\n"
    "Exit status: 0 every cell measured or refused, 1 a cell failed or the database\n"
    "could not be written, 2 usage error.\n";

typedef struct bench_args {
    const mechanism_ops *mechanisms[MAX_MECHANISMS];
    int n_mechanisms;
    int lengths[MAX_LENGTHS];
    int n_lengths;
    int batch;              /* 0: by length */
    int steps, threads;     /* threads 0: every online core */
    double memory_limit_gb; /* 0: half of physical memory */
    const char *db_flag;
    bool no_record;
} bench_args;

/* Cost per token at the shortest and the longest measured length of one mechanism. */
typedef struct length_span {
    int shortest, longest; /* T; 0 before the first measured cell */
    double time_short, time_long;     /* seconds per token */
    double memory_short, memory_long; /* peak RSS bytes per token */
} length_span;

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

static int parse_mechanisms(const char *text, bench_args *a) {
    char items[MAX_MECHANISMS][64];
    int status = split_list("--mechanisms", text, items, MAX_MECHANISMS, &a->n_mechanisms);
    if (status != EXIT_OK) return status;
    for (int i = 0; i < a->n_mechanisms; i++) {
        a->mechanisms[i] = mechanism_find(items[i]);
        if (a->mechanisms[i]) continue;
        char known[512] = "";
        for (int k = 0; k < mechanism_count(); k++) {
            const size_t used = strlen(known);
            snprintf(known + used, sizeof known - used, "%s%s", k ? ", " : "", mechanism_at(k)->name);
        }
        return cli_fail(EXIT_USAGE, "bench: --mechanisms: unknown mechanism \"%s\" (known: %s)", items[i], known);
    }
    return EXIT_OK;
}

static int parse_lengths(const char *text, bench_args *a) {
    char items[MAX_LENGTHS][64];
    int status = split_list("--lengths", text, items, MAX_LENGTHS, &a->n_lengths);
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

static void default_args(bench_args *a) {
    static const int lengths[] = {1024, 2048, 4096, 8192, 16384};
    memset(a, 0, sizeof *a);
    a->n_mechanisms = mechanism_count() < MAX_MECHANISMS ? mechanism_count() : MAX_MECHANISMS;
    for (int i = 0; i < a->n_mechanisms; i++) a->mechanisms[i] = mechanism_at(i);
    a->n_lengths = (int)(sizeof lengths / sizeof lengths[0]);
    memcpy(a->lengths, lengths, sizeof lengths);
    a->steps = 3;
}

static int parse_args(int argc, char **argv, bench_args *a) {
    default_args(a);
    for (int i = 1; i < argc; i++) {
        const char *flag = argv[i];
        if (strcmp(flag, "--no-record") == 0) {
            a->no_record = true;
            continue;
        }
        const bool takes_value = strcmp(flag, "--mechanisms") == 0 || strcmp(flag, "--lengths") == 0 ||
                                 strcmp(flag, "--batch") == 0 || strcmp(flag, "--steps") == 0 ||
                                 strcmp(flag, "--threads") == 0 || strcmp(flag, "--memory-limit") == 0 ||
                                 strcmp(flag, "--db") == 0;
        if (!takes_value)
            return cli_fail(EXIT_USAGE, "bench: unknown argument %s (see attnbench bench --help)", flag);
        if (++i == argc) return cli_fail(EXIT_USAGE, "bench: %s needs a value", flag);
        const char *value = argv[i];
        int status = EXIT_OK;
        if (strcmp(flag, "--mechanisms") == 0) status = parse_mechanisms(value, a);
        else if (strcmp(flag, "--lengths") == 0) status = parse_lengths(value, a);
        else if (strcmp(flag, "--batch") == 0) status = parse_int_flag(flag, value, 1, MAX_BATCH, &a->batch);
        else if (strcmp(flag, "--steps") == 0) status = parse_int_flag(flag, value, 1, MAX_STEPS, &a->steps);
        else if (strcmp(flag, "--threads") == 0) status = parse_int_flag(flag, value, 1, MAX_THREADS, &a->threads);
        else if (strcmp(flag, "--memory-limit") == 0) status = parse_memory_limit(value, &a->memory_limit_gb);
        else a->db_flag = value;
        if (status != EXIT_OK) return status;
    }
    return EXIT_OK;
}

static int resolve_threads(int requested) {
    if (requested > 0) return requested;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}

static double memory_limit_bytes(double gb) {
    if (gb > 0) return gb * 1e9;
    return 0.5 * (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
}

static int default_batch(int T) {
    const int by_tokens = BATCH_TOKENS / T;
    return by_tokens < 1 ? 1 : by_tokens > 8 ? 8 : by_tokens;
}

static void print_header(void) {
    printf("| mechanism | T | batch | ms/step | tokens/s | µs/token | peak RSS (MB) | model memory (MB) "
           "| attention GFLOP/step | note |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
}

static void print_row(const char *mechanism, int T, int B, const bench_result *r) {
    printf("| %s | %d | %d | ", mechanism, T, B);
    if (r->outcome == BENCH_MEASURED) {
        const double tokens = (double)B * T;
        printf("%.1f | %.0f | %.2f | %.0f | ", 1e3 * r->step_seconds, tokens / r->step_seconds,
               1e6 * r->step_seconds / tokens, r->peak_rss_bytes / 1e6);
    } else {
        printf("— | — | — | — | ");
    }
    if (r->model_bytes > 0) printf("%.1f | %.3g | ", r->model_bytes / 1e6, r->attention_gflops);
    else printf("— | — | ");
    if (r->outcome == BENCH_REFUSED) printf("refused: %s |\n", r->reason);
    else if (r->outcome == BENCH_FAILED) printf("failed: %s |\n", r->reason);
    else printf(" |\n");
    fflush(stdout);
}

static void report_progress(int index, int total, const char *mechanism, int T, const bench_result *r) {
    if (r->outcome == BENCH_MEASURED)
        fprintf(stderr, "bench [%d/%d] %s T=%d: %.1f ms/step, peak RSS %.0f MB\n", index, total, mechanism, T,
                1e3 * r->step_seconds, r->peak_rss_bytes / 1e6);
    else
        fprintf(stderr, "bench [%d/%d] %s T=%d: %s: %s\n", index, total, mechanism, T,
                r->outcome == BENCH_REFUSED ? "refused" : "failed", r->reason);
}

static void span_add(length_span *s, int T, int B, const bench_result *r) {
    const double tokens = (double)B * T;
    const double time = r->step_seconds / tokens, memory = r->peak_rss_bytes / tokens;
    if (!s->shortest || T < s->shortest) {
        s->shortest = T;
        s->time_short = time;
        s->memory_short = memory;
    }
    if (!s->longest || T > s->longest) {
        s->longest = T;
        s->time_long = time;
        s->memory_long = memory;
    }
}

static void print_ratios(const bench_args *a, const length_span *spans) {
    printf("\nCost per token at the longest measured length over the shortest "
           "(a mechanism linear in T stays near 1×):\n\n");
    printf("| mechanism | from T | to T | time per token | memory per token |\n");
    printf("|---|---:|---:|---:|---:|\n");
    for (int i = 0; i < a->n_mechanisms; i++) {
        const length_span *s = &spans[i];
        printf("| %s | ", a->mechanisms[i]->name);
        if (s->longest > s->shortest)
            printf("%d | %d | %.2f× | %.2f× |\n", s->shortest, s->longest, s->time_long / s->time_short,
                   s->memory_long / s->memory_short);
        else if (s->shortest)
            printf("%d | %d | — | — |\n", s->shortest, s->longest);
        else
            printf("— | — | — | — |\n");
    }
}

/* Run every cell, printing and recording as it goes; returns the exit status. */
static int run_cells(const bench_args *a, int threads, store *st, const char *run_id, const char *host) {
    const double limit = memory_limit_bytes(a->memory_limit_gb);
    const int total = a->n_mechanisms * a->n_lengths;
    length_span spans[MAX_MECHANISMS] = {{0}};
    int failed = 0, recorded = 0;
    print_header();
    for (int i = 0; i < a->n_mechanisms; i++) {
        const char *name = a->mechanisms[i]->name;
        for (int j = 0; j < a->n_lengths; j++) {
            const int T = a->lengths[j], index = i * a->n_lengths + j + 1;
            const bench_cell cell = {name, T, a->batch ? a->batch : default_batch(T), a->steps, limit};
            fprintf(stderr, "bench [%d/%d] %s T=%d batch %d ...\n", index, total, name, T, cell.B);
            bench_result r;
            bench_run_cell(&cell, &r);
            print_row(name, T, cell.B, &r);
            report_progress(index, total, name, T, &r);
            failed += r.outcome == BENCH_FAILED;
            if (r.outcome != BENCH_MEASURED) continue;
            span_add(&spans[i], T, cell.B, &r);
            if (!st) continue;
            const bench_row row = {
                .run_id = run_id,
                .mechanism = name,
                .length = T,
                .batch = cell.B,
                .dim = BENCH_DIM,
                .heads = BENCH_HEADS,
                .layers = BENCH_LAYERS,
                .steps_per_second = 1 / r.step_seconds,
                .tokens_per_second = (double)cell.B * T / r.step_seconds,
                .peak_rss_bytes = r.peak_rss_bytes,
                .attention_gflops = r.attention_gflops,
                .threads = threads,
                .host = host,
            };
            error_info err = {0};
            if (store_bench_insert(st, &row, &err) != 0) return cli_fail(err.status, "%s", err.message);
            recorded++;
        }
    }
    print_ratios(a, spans);
    if (st) fprintf(stderr, "bench %s: recorded %d rows\n", run_id, recorded);
    if (failed) return cli_fail(EXIT_RUNTIME, "bench: %d of %d cells failed", failed, total);
    return EXIT_OK;
}

int cmd_bench(int argc, char **argv) {
    if (cli_wants_help(argc, argv)) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    bench_args args;
    int status = parse_args(argc, argv, &args);
    if (status != EXIT_OK) return status;
    const int threads = resolve_threads(args.threads);
    parallel_set_threads(threads);
    provenance prov;
    provenance_collect(&prov, threads);

    store *st = NULL;
    char run_id[33] = "";
    if (!args.no_record) {
        error_info err = {0};
        if (store_open(&st, cli_database_path(args.db_flag), false, &err) != 0)
            return cli_fail(err.status, "%s", err.message);
        if (store_random_id(run_id, &err) != 0) {
            store_close(st);
            return cli_fail(err.status, "bench: %s", err.message);
        }
    }
    status = run_cells(&args, threads, st, run_id, prov.host);
    store_close(st);
    return status;
}
