/* cmd_bench.c — `attnbench bench`: time and memory per training step for each
 * mechanism across sequence lengths, LRA's efficiency table (Tay et al. 2021, Table 2)
 * on this machine, optionally beside the PyTorch peer.
 *
 * First a yardstick: OpenBLAS sgemm's GFLOP/s with the same threads, so that attention
 * GFLOP/s reads as a fraction of what the machine does on its best kernel. Then every
 * (mechanism, length) cell runs in its own child process (model/bench.h), so its peak
 * memory is its own and a crash is one failed row, not a lost bench. A cell whose
 * model needs more than --memory-limit is refused before it allocates, which is an
 * expected outcome (full attention at long lengths), not an error. With --peer the
 * PyTorch peer (model/peer.h) runs each cell it implements right after ours, so both
 * see the machine in the same state. Tables are filled into the table model and printed
 * through its Markdown renderer, the step table row by row as cells finish; progress
 * goes to stderr; each measured cell (ours and the peer's) is recorded in the `bench`
 * table as it finishes, so an interrupted bench keeps what it measured. With --config
 * the cells time that config's model on its task's training batch (model/bench_config.h)
 * and the peer is the Chomsky twin; a mechanism the twin lacks gets a comparison row
 * saying so. */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/bench_args.h"
#include "cli/cli.h"
#include "cli/opts.h"
#include "core/parallel.h"
#include "model/peer.h"
#include "store/store.h"
#include "table/table.h"

#define BATCH_TOKENS 16384 /* default batch: min(8, max(1, BATCH_TOKENS / T)) */
#define SGEMM_SIZE 2048

/* Cost per token at the shortest and the longest measured length of one mechanism. */
typedef struct length_span {
    int shortest, longest; /* T; 0 before the first measured cell */
    double time_short, time_long;     /* seconds per token */
    double memory_short, memory_long; /* peak RSS bytes per token */
} length_span;

/* A measured cell of ours and, when the peer ran it, the peer's. */
typedef struct comparison {
    int mechanism, T, B;
    double ours_tokens, ours_rss;
    peer_result peer;
} comparison;

/* What the run shares: where it records, and the results so far. */
typedef struct bench_run {
    const bench_args *a;
    int threads;
    double sgemm_gflops;
    store *st;
    char run_id[33];
    provenance prov;
    char implementation[64];
    double full_tokens[BENCH_MAX_LENGTHS]; /* full attention's tokens/s at each length (0: none) */
    int full_batch[BENCH_MAX_LENGTHS];
    length_span spans[BENCH_MAX_MECHANISMS];
    comparison *comparisons;
    int n_comparisons, recorded;
    bench_result *rounds;     /* (mechanisms, lengths, repeat): each cell's result in every round */
    peer_result *peer_rounds; /* the same for the peer */
    table_doc steps;          /* the step table, its rows printed as they are measured */
} bench_run;

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

/* "local (blocked=true block=128)", or the bare name without --option. */
static void mechanism_label(const bench_args *a, int i, char *label, size_t size) {
    if (a->settings[i][0]) snprintf(label, size, "%s (%s)", a->mechanisms[i]->name, a->settings[i]);
    else snprintf(label, size, "%s", a->mechanisms[i]->name);
}

/* A table of the given labels, "l" or "r" in align per column; the first is the key. */
static table *add_table(table_doc *d, const char *id, const char *align, const char *const *labels) {
    table *t = table_doc_add(d, id, NULL);
    for (int c = 0; align[c]; c++) table_add_column(t, labels[c], c == 0, align[c] == 'r');
    return t;
}

/* Cell c of row: a CELL_NUMBER, a CELL_TEXT, or CELL_EMPTY ("—": nothing measured). */
static void set_cell(table_row *row, int c, cell_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void set_cell(table_row *row, int c, cell_kind kind, const char *fmt, ...) {
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    table_cell_text(&row->cells[c], kind, text);
}

static void print_header(bench_run *run) {
    static const char *const labels[] = {"mechanism", "T", "batch", "ms/step", "tokens/s", "speed vs full",
                                         "µs/token", "peak RSS (MB)", "model memory (MB)", "attention GFLOP/step",
                                         "attention GFLOP/s", "of sgemm", "note"};
    render_md_head(add_table(&run->steps, "bench.steps", "lrrrrrrrrrrrl", labels), stdout);
}

static void print_row(bench_run *run, const char *label, int length_index, int B, const bench_result *r) {
    const int T = run->a->tokens[length_index];
    table *t = &run->steps.tables[0];
    table_row *row = table_add_row(t, ROW_OURS, NULL);
    for (int c = 3; c < t->n_columns - 1; c++) set_cell(row, c, CELL_EMPTY, "—");
    set_cell(row, 0, CELL_TEXT, "%s", label);
    set_cell(row, 1, CELL_NUMBER, "%d", T);
    set_cell(row, 2, CELL_NUMBER, "%d", B);
    if (r->outcome == BENCH_MEASURED) {
        const double tokens = (double)B * T, per_second = tokens / r->step_seconds;
        set_cell(row, 3, CELL_NUMBER, "%.1f", 1e3 * r->step_seconds);
        set_cell(row, 4, CELL_NUMBER, "%.0f", per_second);
        if (run->full_tokens[length_index] > 0 && run->full_batch[length_index] == B)
            set_cell(row, 5, CELL_TEXT, "%.2f×", per_second / run->full_tokens[length_index]);
        set_cell(row, 6, CELL_NUMBER, "%.2f", 1e6 * r->step_seconds / tokens);
        set_cell(row, 7, CELL_NUMBER, "%.0f", r->peak_rss_bytes / 1e6);
    }
    if (r->model_bytes > 0) {
        set_cell(row, 8, CELL_NUMBER, "%.1f", r->model_bytes / 1e6);
        set_cell(row, 9, CELL_NUMBER, "%.3g", r->attention_gflops);
    }
    if (r->outcome == BENCH_MEASURED && r->attention_seconds > 0) {
        const double rate = r->attention_gflops / r->attention_seconds;
        set_cell(row, 10, CELL_NUMBER, "%.1f", rate);
        if (run->sgemm_gflops > 0) set_cell(row, 11, CELL_TEXT, "%.0f%%", 100 * rate / run->sgemm_gflops);
    }
    if (r->outcome == BENCH_REFUSED) set_cell(row, 12, CELL_TEXT, "refused: %s", r->reason);
    else if (r->outcome == BENCH_FAILED) set_cell(row, 12, CELL_TEXT, "failed: %s", r->reason);
    else set_cell(row, 12, CELL_EMPTY, "%s", "");
    render_md_row(t, row, stdout);
    fflush(stdout);
}

static void report_progress(int index, int total, const char *label, int T, const bench_result *r) {
    if (r->outcome == BENCH_MEASURED)
        fprintf(stderr, "bench [%d/%d] %s T=%d: %.1f ms/step, peak RSS %.0f MB\n", index, total, label, T,
                1e3 * r->step_seconds, r->peak_rss_bytes / 1e6);
    else
        fprintf(stderr, "bench [%d/%d] %s T=%d: %s: %s\n", index, total, label, T,
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

static void print_ratios(const bench_run *run) {
    static const char *const labels[] = {"mechanism", "from T", "to T", "time per token", "memory per token"};
    printf("\nCost per token at the longest measured length over the shortest "
           "(a mechanism linear in T stays near 1×):\n\n");
    table_doc doc = {0};
    table *t = add_table(&doc, "bench.ratios", "lrrrr", labels);
    for (int i = 0; i < run->a->n_mechanisms; i++) {
        const length_span *s = &run->spans[i];
        char label[320];
        mechanism_label(run->a, i, label, sizeof label);
        table_row *row = table_add_row(t, ROW_OURS, NULL);
        for (int c = 1; c < t->n_columns; c++) set_cell(row, c, CELL_EMPTY, "—");
        set_cell(row, 0, CELL_TEXT, "%s", label);
        if (s->shortest) {
            set_cell(row, 1, CELL_NUMBER, "%d", s->shortest);
            set_cell(row, 2, CELL_NUMBER, "%d", s->longest);
        }
        if (s->longest > s->shortest) {
            set_cell(row, 3, CELL_TEXT, "%.2f×", s->time_long / s->time_short);
            set_cell(row, 4, CELL_TEXT, "%.2f×", s->memory_long / s->memory_short);
        }
    }
    render_md(&doc, stdout);
    table_doc_free(&doc);
}

/* The peer's name for mechanism i, and its window and features; NULL when the peer has
 * no implementation of it as configured. */
static const char *peer_mechanism(const bench_args *a, int i, int *window, int *features) {
    const char *name = a->mechanisms[i]->name;
    const opt_set *o = &a->options[i];
    *window = 128, *features = 128;
    if (strcmp(name, "full") == 0) return "full";
    if (strcmp(name, "local") == 0 && opt_bool(o, "blocked")) {
        *window = (int)opt_int(o, "block");
        return "local";
    }
    if (strcmp(name, "performer") == 0 && strcmp(opt_string(o, "kernel"), "softmax") == 0 &&
        !opt_bool(o, "deterministic")) {
        *features = (int)opt_int(o, "features");
        return "performer";
    }
    return NULL;
}

static int record(bench_run *run, const bench_row *row) {
    if (!run->st) return EXIT_OK;
    error_info err = {0};
    if (store_bench_insert(run->st, row, &err) != 0) return cli_fail(err.status, "%s", err.message);
    run->recorded++;
    return EXIT_OK;
}

static bench_row row_for(const bench_run *run, int i, int T, int B) {
    const bench_args *a = run->a;
    return (bench_row){.run_id = run->run_id, .implementation = run->implementation,
                       .mechanism = a->mechanisms[i]->name, .options = a->row_options[i], .length = T, .batch = B,
                       .dim = a->shape.dim, .heads = a->shape.heads, .layers = a->shape.layers,
                       .mlp_dim = a->shape.mlp_dim, .sgemm_gflops = run->sgemm_gflops, .threads = run->threads,
                       .host = run->prov.host};
}

/* With --config: the twin on the cell's batch, or why it cannot run it. */
static void run_twin(bench_run *run, int i, int j, int B, peer_result *result) {
    const bench_args *a = run->a;
    const char *name = a->mechanisms[i]->name;
    const char *refusal = peer_twin_refusal(&a->config, name);
    if (refusal) {
        *result = (peer_result){.measured = false};
        snprintf(result->reason, sizeof result->reason, "%s", refusal);
        return;
    }
    const peer_cell cell = {.python = a->python, .script = a->peer_script, .mechanism = name, .T = a->tokens[j],
                            .B = B, .steps = a->steps, .threads = run->threads, .config_path = a->config_path,
                            .overrides = a->sets, .n_overrides = a->n_sets, .length = a->lengths[j]};
    fprintf(stderr, "bench: the PyTorch twin on %s n=%d (T=%d) batch %d ...\n", name, cell.length, cell.T, B);
    peer_run(&cell, result);
    if (!result->measured) fprintf(stderr, "bench: twin %s T=%d: %s\n", name, cell.T, result->reason);
}

/* Run the peer on the cell we just measured, in this round; false when the peer has no
 * implementation of the mechanism as configured (or no --peer). With --config, the
 * twin's row says why when it cannot run the mechanism. */
static bool run_peer(bench_run *run, int i, int j, int B, peer_result *result) {
    if (!run->a->peer_script) return false;
    if (run->a->config_path) {
        run_twin(run, i, j, B, result);
        return true;
    }
    const int T = run->a->tokens[j];
    int window, features;
    const char *name = peer_mechanism(run->a, i, &window, &features);
    if (!name) return false;
    const peer_cell cell = {.python = run->a->python, .script = run->a->peer_script, .mechanism = name,
                            .shape = run->a->shape, .T = T, .B = B, .steps = run->a->steps,
                            .threads = run->threads, .window = window, .features = features};
    fprintf(stderr, "bench: the PyTorch peer on %s T=%d batch %d ...\n", name, T, B);
    peer_run(&cell, result);
    if (!result->measured) fprintf(stderr, "bench: peer %s T=%d: %s\n", name, T, result->reason);
    return true;
}

static int compare_peer_tokens(const void *x, const void *y) {
    const double a = ((const peer_result *)x)->tokens_per_second, b = ((const peer_result *)y)->tokens_per_second;
    return (a < b) - (a > b); /* fastest first, as step times sort */
}

/* The peer's round to report, as for our cells: one that was not measured if any, else
 * the median (the faster of the two middle ones). */
static peer_result median_peer(peer_result *rounds, int n) {
    for (int k = 0; k < n; k++)
        if (!rounds[k].measured) return rounds[k];
    qsort(rounds, (size_t)n, sizeof *rounds, compare_peer_tokens);
    return rounds[(n - 1) / 2];
}

/* After the last round: keep the comparison of our median with the peer's and record the peer's row. */
static int compare_with_peer(bench_run *run, int i, int T, int B, const bench_result *ours, peer_result *rounds) {
    comparison *c = &run->comparisons[run->n_comparisons++];
    *c = (comparison){.mechanism = i, .T = T, .B = B, .ours_tokens = (double)B * T / ours->step_seconds,
                      .ours_rss = ours->peak_rss_bytes, .peer = median_peer(rounds, run->a->repeat)};
    if (!c->peer.measured) return EXIT_OK;
    bench_row row = row_for(run, i, T, B);
    row.implementation = c->peer.version;
    row.steps_per_second = c->peer.steps_per_second;
    row.tokens_per_second = c->peer.tokens_per_second;
    row.peak_rss_bytes = c->peer.peak_rss_bytes;
    row.sgemm_gflops = 0;
    return record(run, &row);
}

static void print_comparisons(const bench_run *run) {
    const char *script = run->a->peer_script;
    if (!script) return;
    const char *shown = strcmp(script, peer_default_script()) == 0 ? PEER_SCRIPT
                        : strcmp(script, peer_twin_script()) == 0 ? PEER_TWIN_SCRIPT
                                                                  : script;
    if (run->a->config_path)
        printf("\nAgainst the PyTorch twin (%s), the config's model and training step on the same batch with the "
               "same threads, each cell run right after ours in every round (the median round of each beside the "
               "other's):\n\n",
               shown);
    else
        printf("\nAgainst the PyTorch peer (%s), the same model, batch, lengths and threads, each cell run right "
               "after ours in every round (the median round of each beside the other's):\n\n",
               shown);
    static const char *const labels[] = {"mechanism", "T", "batch", "attnbench tokens/s", "peer tokens/s",
                                         "speed-up", "attnbench peak RSS (MB)", "peer peak RSS (MB)",
                                         "memory ratio", "peer"};
    table_doc doc = {0};
    table *t = add_table(&doc, "bench.peer", "lrrrrrrrrl", labels);
    for (int k = 0; k < run->n_comparisons; k++) {
        const comparison *c = &run->comparisons[k];
        char label[320];
        mechanism_label(run->a, c->mechanism, label, sizeof label);
        table_row *row = table_add_row(t, ROW_OURS, NULL);
        for (int col = 4; col < 9; col++) set_cell(row, col, CELL_EMPTY, "—");
        set_cell(row, 0, CELL_TEXT, "%s", label);
        set_cell(row, 1, CELL_NUMBER, "%d", c->T);
        set_cell(row, 2, CELL_NUMBER, "%d", c->B);
        set_cell(row, 3, CELL_NUMBER, "%.0f", c->ours_tokens);
        set_cell(row, 6, CELL_NUMBER, "%.0f", c->ours_rss / 1e6);
        if (!c->peer.measured) {
            set_cell(row, 9, CELL_TEXT, "%s", c->peer.reason);
            continue;
        }
        set_cell(row, 4, CELL_NUMBER, "%.0f", c->peer.tokens_per_second);
        set_cell(row, 5, CELL_TEXT, "%.2f×", c->ours_tokens / c->peer.tokens_per_second);
        set_cell(row, 7, CELL_NUMBER, "%.0f", c->peer.peak_rss_bytes / 1e6);
        set_cell(row, 8, CELL_NUMBER, "%.2f", c->ours_rss / c->peer.peak_rss_bytes);
        set_cell(row, 9, CELL_TEXT, "%s", c->peer.version);
    }
    render_md(&doc, stdout);
    table_doc_free(&doc);
}

static int compare_step_seconds(const void *x, const void *y) {
    const double a = ((const bench_result *)x)->step_seconds, b = ((const bench_result *)y)->step_seconds;
    return (a > b) - (a < b);
}

/* The round of a cell to report: one that was not measured if any (a refusal or a
 * crash is the cell's outcome), else the one with the median step time (the lower of
 * the two middle ones): a real measurement, its memory and attention time with it. */
static bench_result median_round(bench_result *rounds, int n) {
    for (int k = 0; k < n; k++)
        if (rounds[k].outcome != BENCH_MEASURED) return rounds[k];
    qsort(rounds, (size_t)n, sizeof *rounds, compare_step_seconds);
    return rounds[(n - 1) / 2];
}

/* One cell in one round: measure; in the last round print, record, then the peer.
 * Returns 1 when the cell failed. */
static int run_cell(bench_run *run, int i, int j, int round, int index, int total, int *status) {
    const bench_args *a = run->a;
    const int T = a->tokens[j];
    const bench_cell cell = {.mechanism = a->mechanisms[i]->name, .options = &a->options[i], .shape = a->shape,
                             .T = T, .B = a->batch ? a->batch : default_batch(T), .steps = a->steps,
                             .memory_limit_bytes = memory_limit_bytes(a->memory_limit_gb),
                             .config = a->config_path ? &a->config : NULL, .length = a->lengths[j]};
    char label[320];
    mechanism_label(a, i, label, sizeof label);
    fprintf(stderr, "bench [%d/%d] %s T=%d batch %d ...\n", index, total, label, T, cell.B);
    const size_t at = ((size_t)i * a->n_lengths + j) * a->repeat;
    bench_result *rounds = run->rounds + at;
    bench_run_cell(&cell, &rounds[round]);
    report_progress(index, total, label, T, &rounds[round]);
    const bool peer =
        rounds[round].outcome == BENCH_MEASURED && run_peer(run, i, j, cell.B, &run->peer_rounds[at + round]);
    if (round < a->repeat - 1) return 0;
    const bench_result r = median_round(rounds, a->repeat);
    const bool is_full = strcmp(cell.mechanism, "full") == 0 && !a->settings[i][0];
    if (r.outcome == BENCH_MEASURED && is_full) {
        run->full_tokens[j] = (double)cell.B * T / r.step_seconds;
        run->full_batch[j] = cell.B;
    }
    print_row(run, label, j, cell.B, &r);
    if (r.outcome != BENCH_MEASURED) return r.outcome == BENCH_FAILED;
    span_add(&run->spans[i], T, cell.B, &r);
    bench_row row = row_for(run, i, T, cell.B);
    row.steps_per_second = 1 / r.step_seconds;
    row.tokens_per_second = (double)cell.B * T / r.step_seconds;
    row.peak_rss_bytes = r.peak_rss_bytes;
    row.attention_gflops = r.attention_gflops;
    row.attention_seconds = r.attention_seconds;
    if (*status == EXIT_OK) *status = record(run, &row);
    if (*status == EXIT_OK && peer) *status = compare_with_peer(run, i, T, cell.B, &r, run->peer_rounds + at);
    return 0;
}

/* Every round runs the whole grid, full attention first in each, so that every other
 * mechanism's speed ratio is known when its row prints (in the last round). Rounds
 * spread each cell's measurements over the whole run, so a machine that slows down for
 * a while does not bias the cells measured then. */
static int run_cells(bench_run *run) {
    const bench_args *a = run->a;
    const int total = a->n_mechanisms * a->n_lengths * a->repeat;
    int failed = 0, status = EXIT_OK, index = 0;
    print_header(run);
    for (int round = 0; round < a->repeat && status == EXIT_OK; round++)
        for (int pass = 0; pass < 2 && status == EXIT_OK; pass++)
            for (int i = 0; i < a->n_mechanisms && status == EXIT_OK; i++) {
                const bool is_full = strcmp(a->mechanisms[i]->name, "full") == 0 && !a->settings[i][0];
                if (is_full != (pass == 0)) continue;
                for (int j = 0; j < a->n_lengths && status == EXIT_OK; j++)
                    failed += run_cell(run, i, j, round, ++index, total, &status);
            }
    print_ratios(run);
    print_comparisons(run);
    if (run->st) fprintf(stderr, "bench %s: recorded %d rows\n", run->run_id, run->recorded);
    if (status != EXIT_OK) return status;
    if (failed) return cli_fail(EXIT_RUNTIME, "bench: %d of %d cells failed", failed, a->n_mechanisms * a->n_lengths);
    return EXIT_OK;
}

/* With --config: what the rows measure, since their labels are the mechanisms alone. */
static void print_config_model(const bench_args *a) {
    const experiment_config *cfg = &a->config;
    printf("Model: %s (task %s, %d layers, width %d, %d heads, MLP %d), its training step on examples 0..%d of the "
           "task's training split at input length",
           a->config_label, cfg->task.name, a->shape.layers, a->shape.dim, a->shape.heads, a->shape.mlp_dim,
           a->batch - 1);
    for (int j = 0; j < a->n_lengths; j++) printf("%s %d (T = %d)", j ? "," : "", a->lengths[j], a->tokens[j]);
    printf(".\n\n");
}

int cmd_bench(int argc, char **argv) {
    static bench_args args; /* large: every mechanism's option set */
    int status = bench_args_parse(argc, argv, &args);
    if (status != CLI_PARSED) return status;
    static bench_run run;
    run = (bench_run){.a = &args, .threads = resolve_threads(args.threads)};
    parallel_set_threads(run.threads);
    provenance_collect(&run.prov, run.threads);
    snprintf(run.implementation, sizeof run.implementation, "attnbench %s", run.prov.version);
    run.comparisons = calloc((size_t)args.n_mechanisms * args.n_lengths, sizeof *run.comparisons);
    run.rounds = calloc((size_t)args.n_mechanisms * args.n_lengths * args.repeat, sizeof *run.rounds);
    run.peer_rounds = calloc((size_t)args.n_mechanisms * args.n_lengths * args.repeat, sizeof *run.peer_rounds);
    if (!run.comparisons || !run.rounds || !run.peer_rounds) {
        free(run.comparisons), free(run.rounds), free(run.peer_rounds);
        return cli_fail(EXIT_RUNTIME, "bench: out of memory");
    }
    if (!args.no_record) {
        error_info err = {0};
        if (store_open(&run.st, cli_database_path(args.db_flag), false, &err) != 0 ||
            store_random_id(run.run_id, &err) != 0) {
            store_close(run.st);
            free(run.comparisons), free(run.rounds), free(run.peer_rounds);
            return cli_fail(err.status, "bench: %s", err.message);
        }
    }
    run.sgemm_gflops = bench_sgemm_gflops(SGEMM_SIZE, run.threads);
    printf("OpenBLAS sgemm %d×%d×%d on %d thread%s: %.1f GFLOP/s (%s)\n\n", SGEMM_SIZE, SGEMM_SIZE, SGEMM_SIZE,
           run.threads, run.threads == 1 ? "" : "s", run.sgemm_gflops, run.prov.blas);
    if (args.config_path) print_config_model(&args);
    status = run_cells(&run);
    store_close(run.st);
    table_doc_free(&run.steps);
    free(run.comparisons), free(run.rounds), free(run.peer_rounds);
    return status;
}
