/* prefetch.h — the next training batch, generated on a thread of its own while the
 * current step computes.
 *
 * Task generators are pure functions of (seed, index), but some cost as much as a tenth
 * of a training step (Pathfinder draws its contours). Two batch builders alternate: while
 * the caller trains on step s from one, a worker thread fills step s + 1 into the other.
 * The batches are exactly those the caller would fill itself, in the same order, so
 * results do not change; only the wait does. The worker is one plain thread outside the
 * OpenMP team; the task state is only read. */
#ifndef ATTNBENCH_PREFETCH_H
#define ATTNBENCH_PREFETCH_H

#include <stdint.h>

#include "core/error.h"
#include "model/batch.h"

/* Fill bb with the batch of `step`; 0 or −1 with err set. Runs on the worker thread. */
typedef int (*prefetch_fill)(void *arg, int64_t step, batch_builder *bb, error_info *err);

typedef struct prefetch prefetch;

/* Start filling steps first … last − 1 alternately into a and b (a gets `first`). */
int prefetch_start(prefetch **out, batch_builder *a, batch_builder *b, prefetch_fill fill, void *arg, int64_t first,
                   int64_t last, error_info *err);
/* Wait for the batch of `step` (steps are taken in order, each once) and hand back its
 * builder, which stays the caller's until the next take; the previous one goes back to
 * the worker. −1 with err set when filling it failed. */
int prefetch_take(prefetch *p, int64_t step, batch_builder **bb, error_info *err);
/* Stop the worker (after the fill in progress) and free p. NULL is a no-op. */
void prefetch_stop(prefetch *p);

#endif
