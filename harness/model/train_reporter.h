/* train_reporter.h — how training reports what it measures, without knowing where it goes.
 *
 * The training loop (model/train.h) hands its metric rows, heartbeats and per-length
 * accuracies to a reporter; the command that runs it decides what they become (the
 * database, for `attnbench run`: cli/run_recorder.h). So model/ never reaches up into
 * the store, and a test or another front end can train with no database at all (a NULL
 * reporter records nothing). Each callback returns 0, or -1 with err set, which stops
 * the run as failed. The types below are training's own; the store has its row types,
 * and the reporter that writes one into the other is the only code that knows both. */
#ifndef ATTNBENCH_TRAIN_REPORTER_H
#define ATTNBENCH_TRAIN_REPORTER_H

#include <stdint.h>

#include "core/error.h"

/* One measured value of a step. */
typedef struct train_metric {
    const char *split; /* "train", "eval" */
    const char *name;  /* "loss", "accuracy", "lr", "grad_norm", "tokens_per_second" */
    double value;
} train_metric;

/* Accuracy at one input length (length-generalisation protocol). */
typedef struct length_accuracy {
    const char *split;        /* "eval" (training lengths) or "test" */
    int length;               /* input symbols, without output placeholders */
    double accuracy;          /* mean over sequences of the fraction of scored outputs right */
    double sequence_accuracy; /* fraction of sequences with every scored output right */
    int64_t examples;
} length_accuracy;

typedef struct train_reporter {
    void *user; /* passed back to every callback */
    /* The values of step `step` (steps done): every log interval, every evaluation. */
    int (*on_metrics)(void *user, int64_t step, const train_metric *points, int n, error_info *err);
    /* Training is alive at step `step`; follows each log interval's metrics. */
    int (*on_heartbeat)(void *user, int64_t step, error_info *err);
    /* The final evaluation by length, once, before the final eval metrics. */
    int (*on_lengths)(void *user, const length_accuracy *points, int n, error_info *err);
} train_reporter;

#endif
