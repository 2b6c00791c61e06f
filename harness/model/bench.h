/* bench.h — one cell of `attnbench bench`: the time and memory of a training step of
 * a small fixed encoder, or of an experiment config's model, for one attention
 * mechanism at one sequence length.
 *
 * The model is by default dim 64, 4 heads, 2 layers, MLP 128 (another shape on request),
 * no dropout, CLS pooling and sinusoidal positions; its batches are random
 * tokens that fill all T positions (CLS included, no padding) with random targets. A
 * step is zero_grad + forward + backward + AdamW update. With a config the model, its
 * batch and its step are the config's (model/bench_config.h). Each cell runs in a forked
 * child process so that the peak resident memory measured is that cell's alone and a
 * cell that crashes takes nothing else down; the child reports through a pipe. After the
 * steps the child frees the model and times the mechanism's forward + backward alone
 * (model/bench_attention.h), for its GFLOP/s. */
#ifndef ATTNBENCH_BENCH_H
#define ATTNBENCH_BENCH_H

#include "config/config.h"

/* The default model: the PyTorch peer's (harness/model/peer_torch.py). */
#define BENCH_DIM 64
#define BENCH_HEADS 4
#define BENCH_LAYERS 2
#define BENCH_MLP_DIM 128

typedef struct bench_shape {
    int dim, heads, layers, mlp_dim;
} bench_shape;

typedef struct bench_cell {
    const char *mechanism;     /* registry name */
    const opt_set *options;    /* the mechanism's options (NULL: its defaults) */
    bench_shape shape;
    int T;                     /* tokens per sequence, CLS included */
    int B;                     /* sequences per batch */
    int steps;                 /* timed steps, after one untimed warm-up step */
    double memory_limit_bytes; /* refuse the cell when the model needs more */
    const experiment_config *config; /* NULL: the default model; else the config's (shape unused) */
    int length;                      /* with config: the task input length n that gives T */
} bench_cell;

enum bench_outcome {
    BENCH_MEASURED,
    BENCH_REFUSED, /* over the memory limit, or a shape the model does not take */
    BENCH_FAILED,  /* the child crashed, exited early or could not be started */
};

typedef struct bench_result {
    enum bench_outcome outcome;
    double model_bytes;       /* model_bytes() of the cell's model; 0 when not created */
    double step_seconds;      /* median of the timed steps (MEASURED) */
    double attention_gflops;  /* mechanism forward + backward over all layers, per step */
    double attention_seconds; /* the same, timed alone on random inputs (median) */
    double peak_rss_bytes;    /* peak resident memory of the cell's process */
    char reason[1024];        /* REFUSED and FAILED: why, one line */
} bench_result;

/* The benchmark model's config for a mechanism with the given options (NULL: its
 * defaults). The mechanism must be registered. */
void bench_model_config(model_config *config, const char *mechanism, const opt_set *options, bench_shape shape);

/* Run one cell in a child process and wait for it. Never fails itself: every problem
 * (refusal, crash, a fork that fails) is an outcome with its reason. */
void bench_run_cell(const bench_cell *cell, bench_result *result);

/* OpenBLAS sgemm GFLOP/s on n×n matrices with `threads` BLAS threads (best of three
 * products), measured in a child process like a cell; 0 when the child failed. */
double bench_sgemm_gflops(int n, int threads);

#endif
