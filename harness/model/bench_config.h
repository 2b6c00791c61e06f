/* bench_config.h — a cell of `attnbench bench --config`: the model of an experiment
 * config on a real training batch of its task, timed through the real training step.
 *
 * The default bench model (model/bench.h) is a fixed small encoder on random tokens;
 * a config's model is what its runs train: the whole model section (norm, activation,
 * positions, dropout, head, pooling) with the benchmarked mechanism, the task's
 * vocabulary, classes and output kind, and model/train.c's step (zero_grad, forward in
 * training mode, backward, model_update with the config's train section: clipping and
 * AdamW at the scheduled rate). Its batch is examples 0..B−1 of the training split at
 * task input length n, built by the batch builder with the config's data seed, so T is
 * what the task makes of n (n + 1 for a one-output Chomsky task, more for sequence
 * outputs, plus CLS where the model pools by CLS). A length beyond the task's training
 * range is allocated as a training batch of that length, not refused. */
#ifndef ATTNBENCH_BENCH_CONFIG_H
#define ATTNBENCH_BENCH_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "core/error.h"
#include "model/batch.h"
#include "model/model.h"
#include "tasks/task.h"

/* The input length benchmarked by default: the upper end of the task's training
 * lengths, or its longest input when it has no length protocol. */
int bench_config_default_length(const experiment_config *cfg, int *length, error_info *err);
/* T of the cell's batch: B examples at input length n. Errors (a length the task does
 * not make) are the task's, EXIT_USAGE. */
int bench_config_tokens(const experiment_config *cfg, int length, int B, int *T, error_info *err);

/* One cell's task, model config and batch, in the child that measures it. */
typedef struct bench_config_cell {
    const experiment_config *config;
    model_config model; /* the config's, with the cell's mechanism and its options */
    const task_ops *task;
    void *task_state;
    task_info info; /* the task's, its training batches widened to the cell's T */
    batch_builder batches;
    bool have_batches;
} bench_config_cell;

/* Set up the task and the model config of mechanism (with options) for batches of T
 * tokens. */
int bench_config_open(bench_config_cell *c, const experiment_config *cfg, const char *mechanism,
                      const opt_set *options, int T, error_info *err);
/* Build the batch (c->batches.batch): B examples at input length n; cls as the model
 * pools (model_uses_cls). */
int bench_config_batch(bench_config_cell *c, bool cls, int length, int B, error_info *err);
/* One training step of model/train.c on the batch: zero_grad, forward, backward, update. */
void bench_config_step(const bench_config_cell *c, model *m, int64_t step);
void bench_config_close(bench_config_cell *c);

#endif
