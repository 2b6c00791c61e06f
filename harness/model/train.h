/* train.h — the training loop and evaluation of one run.
 *
 * Train: for each step, a batch from the shuffled training split, forward, loss,
 * backward, global-norm clipping, AdamW at the scheduled rate. Every log_every steps
 * the interval's loss, accuracy, learning rate, gradient norm and throughput go to
 * the context's reporter (model/train_reporter.h) with a heartbeat; every eval_every
 * steps the validation split is evaluated; at the end both the validation and the
 * test split are. A non-finite loss or gradient stops the run as diverged; SIGINT /
 * SIGTERM stop it as interrupted. The test accuracy is that of the final weights
 * (LRA's protocol: no selection on validation). The next training batch is generated
 * on a thread of its own while a step computes (model/prefetch.h), into a second
 * batch builder.
 *
 * A task with a length protocol (task_info.lengths) gives each training batch one
 * input length drawn uniformly from its training range; periodic evaluations use the
 * validation split at the task's own lengths; the final evaluation scores every
 * training length on the validation split (in-distribution accuracy) and every test
 * length on the test split (the score), reported per length. */
#ifndef ATTNBENCH_TRAIN_H
#define ATTNBENCH_TRAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "core/error.h"
#include "model/batch.h"
#include "model/model.h"
#include "model/train_reporter.h"

typedef struct eval_result {
    double loss;     /* mean cross-entropy over output rows */
    double accuracy; /* correct / scored outputs; by length: the mean of the lengths' accuracies */
    double sequence_accuracy; /* by length only: the mean of the lengths' fractions of
                               * sequences with every scored output right */
    int64_t examples;
    double full_attention_fraction; /* of the examples, those too short for the
                                     * mechanism's pattern (model_attention_falls_back) */
} eval_result;

typedef struct train_outcome {
    int64_t steps_done;
    double train_loss, train_accuracy; /* over the last logging interval */
    double train_full_attention_fraction; /* of all training sequences (see eval_result) */
    eval_result eval, test;
    double tokens_per_second;          /* padded tokens of training steps per second */
    double wall_seconds;
    bool diverged;                     /* stopped on a non-finite loss or gradient */
    bool by_length;                    /* eval and test were evaluated per input length (the
                                        * task's length protocol): eval over the training
                                        * lengths, test over the test lengths */
} train_outcome;

typedef struct train_context {
    const experiment_config *config;
    model *model;
    batch_builder *batches;
    const train_reporter *reporter; /* NULL: nothing is reported */
    bool quiet;         /* no progress output */
} train_context;

/* Evaluate the first n_examples of a split with the current weights, and the
 * mechanism's randomness of training step `step` (the last one taken). */
int evaluate_split(model *m, batch_builder *bb, uint64_t data_seed, enum task_split split,
                   int64_t n_examples, int batch_size, int64_t step, eval_result *out, error_info *err);

/* Evaluate a split at every input length shortest, shortest + stride, … ≤ longest, on
 * examples 0..samples−1 of each, into points (length_points_count of them; *n_points
 * is set); out gets the loss over all outputs and the mean over lengths of the
 * per-length accuracies (see eval_lengths.c). */
int evaluate_lengths(model *m, batch_builder *bb, uint64_t data_seed, enum task_split split, int shortest,
                     int longest, int stride, int samples, int64_t step, length_accuracy *points, int *n_points,
                     eval_result *out, error_info *err);
int length_points_count(int shortest, int longest, int stride);

/* How many of the batch's sequences the mechanism computes with full attention. */
int64_t batch_full_attention_count(const model *m, const model_batch *batch);

/* Train, evaluate, and fill out. Returns -1 with err set on a runtime failure or an
 * interruption; a divergence returns 0 with out->diverged set. */
int train_run(const train_context *ctx, train_outcome *out, error_info *err);

/* Install SIGINT/SIGTERM handlers that make train_run stop at the next step. */
void train_catch_signals(void);
/* The signal that stopped training (SIGINT, SIGTERM), or 0. */
int train_stop_signal(void);

#endif
