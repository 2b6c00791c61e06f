/* attention_reference.h — naive dense softmax attention, the yardstick for every
 * mechanism: one head, an explicit T×T visibility mask, the full probability matrix
 * materialised, and the textbook backward. A query with no visible key outputs zero.
 * Optional position terms (an additive bias, Transformer-XL's content and position
 * biases with a relative key per pair) cover the score-position encodings. */
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

/* Position terms: the score of (i, j) becomes
 *   τ·q_i·k_j + bias[i, j] + τ·u·k_j + τ·(q_i + v)·rel[i, j],   τ = 1/√hs;
 * any NULL member is absent (u, v and rel go together). */
typedef struct reference_terms {
    const double *bias; /* (T, T) */
    const double *u, *v; /* (hs) */
    const double *rel;  /* (T, T, hs) the relative key of each pair */
} reference_terms;

/* Their gradients, added into (NULL: not wanted). */
typedef struct reference_term_grads {
    double *bias; /* (T, T) */
    double *u, *v; /* (hs) */
    double *rel;  /* (T, T, hs) */
} reference_term_grads;

void reference_attention_forward_terms(real *out, const real *q, const real *k, const real *v,
                                       const uint8_t *allowed, const reference_terms *terms, int T, int hs);
void reference_attention_backward_terms(real *dq, real *dk, real *dv, const reference_term_grads *grads,
                                        const real *dout, const real *q, const real *k, const real *v,
                                        const uint8_t *allowed, const reference_terms *terms, int T, int hs);

#endif
