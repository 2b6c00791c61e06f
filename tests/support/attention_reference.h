/* attention_reference.h — naive dense softmax attention, the yardstick for every
 * mechanism: one head, an explicit T×T visibility mask, the full probability matrix
 * materialised, and the textbook backward. A query with no visible key outputs zero. */
#ifndef ATTNBENCH_ATTENTION_REFERENCE_H
#define ATTNBENCH_ATTENTION_REFERENCE_H

#include <stdint.h>

#include "core/real.h"

/* allowed (T, T): 1 where query i may attend to key j. q, k, v, out: (T, hs). */
void reference_attention_forward(real *out, const real *q, const real *k, const real *v,
                                 const uint8_t *allowed, int T, int hs);
/* Adds the gradients into dq, dk, dv (T, hs). */
void reference_attention_backward(real *dq, real *dk, real *dv, const real *dout, const real *q,
                                  const real *k, const real *v, const uint8_t *allowed, int T, int hs);
/* The key-padding mask of a sequence with `length` real tokens: i, j < length. */
void reference_padding_mask(uint8_t *allowed, int T, int length);

#endif
