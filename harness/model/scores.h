/* scores.h — accuracy of output rows per sequence, from logits alone.
 *
 * A sequence's outputs are consecutive rows of K logits; a row is right when its
 * largest logit (the first, on ties) is the target. The sequence's accuracy is the
 * fraction of its scored rows (mask 1) that are right — the per-sequence accuracy of
 * the Chomsky benchmark, whose tasks with an end token score outputs up to and
 * including it. Kept apart from the model so that tests can feed hand-made logits. */
#ifndef ATTNBENCH_SCORES_H
#define ATTNBENCH_SCORES_H

#include <stdbool.h>
#include <stdint.h>

#include "core/real.h"

/* Index of the largest of K values, the first on ties. */
int scores_argmax(const real *row, int K);

/* For each of `sequences` sequences with n_outputs[s] rows each (rows of logits,
 * targets and scored in sequence order): fraction[s] = right scored rows / scored rows
 * (1 when none is scored) and all_right[s] = every scored row right. */
void scores_per_sequence(const real *logits, int K, const int32_t *targets, const uint8_t *scored,
                         const int32_t *n_outputs, int sequences, double *fraction, bool *all_right);

#endif
