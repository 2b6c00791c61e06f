/* bench_attention.h — the attention mechanism of a bench cell timed on its own.
 *
 * A training step's time mixes the mechanism with the projections, the MLP and the
 * optimiser; the attention GFLOP/s that `attnbench bench` reports (and compares with
 * sgemm's) needs the mechanism's forward + backward alone. This builds the mechanism
 * of a model config directly, on random Q, K, V and output gradients of the cell's
 * shape (every sequence full length, training mode, no dropout), and times it. */
#ifndef ATTNBENCH_BENCH_ATTENTION_H
#define ATTNBENCH_BENCH_ATTENTION_H

#include "config/config.h"

/* Seconds of one layer's forward + backward (the median of `repeats` after one
 * warm-up), times the config's layers; 0 when the mechanism or its buffers could not
 * be created. */
double bench_attention_seconds(const model_config *config, int B, int T, int repeats);

#endif
