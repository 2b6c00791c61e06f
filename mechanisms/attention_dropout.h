/* attention_dropout.h — dropout on attention probabilities, shared by every
 * mechanism that forms them (full and the sparse ones).
 *
 * The keep decision for probability (b, h, i, j) is a counter hash of the call's
 * dropout key and the absolute positions, never stored: backward regenerates it, a
 * batch padded further keeps every mask, and a sparse pattern that happens to cover
 * the whole sequence drops exactly what full attention drops. */
#ifndef ATTNBENCH_ATTENTION_DROPOUT_H
#define ATTNBENCH_ATTENTION_DROPOUT_H

#include <stdbool.h>

#include "mechanisms/mechanism.h"

static inline bool attention_dropout_active(const attention_call *call) {
    return call->training && call->dropout > 0;
}

/* 1/(1−p) if probability (b, h, i, j) is kept, 0 if dropped; positions < 2^24. */
static inline real attention_keep_scale(const attention_call *call, int b, int h, int i, int j) {
    const uint64_t counter = ((((uint64_t)b * (uint64_t)call->shape.NH + (uint64_t)h) << 24 | (uint64_t)i) << 24) |
                             (uint64_t)j;
    return rng_uniform_at(call->dropout_key, counter) >= call->dropout ? 1 / (1 - call->dropout) : 0;
}

#endif
