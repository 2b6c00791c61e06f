/* sparse_attention.h — exact softmax attention over a sparse pattern, the engine
 * behind local, Longformer and BigBird attention.
 *
 * A pattern cuts each (sequence, head) into groups. A group is a few query rows (at
 * most SPARSE_GROUP_ROWS) and the ascending, duplicate-free list of key positions any
 * of them may see; when the rows see different subsets of that list (a sliding band,
 * a dilated window), the pattern's mask_row says which keys each row keeps, or its
 * row_span which index range of the list (a band, which is then softmaxed over the
 * band only). Every real query row belongs to exactly one group. The engine takes the
 * group's keys in chunks of a few hundred, reads (or gathers) the rows of Q, K and V
 * into contiguous blocks, forms the scores with one small GEMM per chunk, softmaxes
 * each row over its allowed keys (online across the chunks) and multiplies into V with
 * a second GEMM, so the work grows with the pattern's key count and the scratch with
 * the chunk, never with T². Only the log-sum-exp of each row is saved; the backward
 * recomputes the probabilities chunk by chunk, collects dQ, dK and dV of the whole head
 * in thread-local buffers, and adds them to the caller's gradients once (so a second
 * backward adds exactly the same values).
 *
 * Keys are only ever real positions (< length): padding never enters a list, padded
 * rows are in no group and output zero. A group may use a second set of projections
 * (Longformer's global Q, K, V): inputs then hold 6 tensors and the group names which
 * triple it reads. Attention dropout is keyed by absolute (b, h, i, j), like full
 * attention's. Position-dependent scores (ALiBi, T5, relative: position_scores.h) are
 * added to each group's block of scores, with the group's own Q and K. (b, h) pairs
 * run on OpenMP threads; the result does not depend on the thread count. */
#ifndef ATTNBENCH_SPARSE_ATTENTION_H
#define ATTNBENCH_SPARSE_ATTENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mechanisms/mechanism.h"
#include "mechanisms/position_scores.h"

#define SPARSE_GROUP_ROWS 64

/* The sequence and head a pattern is asked about. */
typedef struct sparse_context {
    int length; /* real tokens of the sequence */
    int layer, head;
    uint64_t seed;
} sparse_context;

/* One group, filled by the pattern into buffers the engine owns. */
typedef struct sparse_group {
    int n_rows, n_keys;
    int32_t *rows;   /* (n_rows ≤ SPARSE_GROUP_ROWS) query positions, ascending */
    int32_t *keys;   /* (n_keys ≤ max_keys) key positions < length, ascending, distinct */
    int projections; /* 0: inputs 0..2 (Q, K, V); 1: inputs 3..5 */
    bool masked;     /* rows see different subsets of keys: ask row_span or mask_row */
} sparse_group;

typedef struct sparse_pattern {
    const void *self;
    int max_keys; /* an upper bound on n_keys of any group at this T */
    const position_layout *position; /* the mechanism's (kind 0: no position scores) */
    int (*group_count)(const void *self, const sparse_context *c);
    void (*group_at)(const void *self, const sparse_context *c, int index, sparse_group *g);
    /* For masked groups, one of the two (row_span is asked when set). row_span: query
     * `row` sees exactly keys[*lo … *hi − 1] of the group's whole list. mask_row:
     * allowed[j] = 1 if query `row` may see keys[j], for any part of the list. */
    void (*row_span)(const void *self, const sparse_context *c, int row, const int32_t *keys, int n_keys, int *lo,
                     int *hi);
    void (*mask_row)(const void *self, const sparse_context *c, int row, const int32_t *keys, int n_keys,
                     uint8_t *allowed);
} sparse_pattern;

/* Reals of scratch at this shape (for all threads), and the reals saved per layer
 * (the log-sum-exp of every row). */
size_t sparse_scratch(const sparse_pattern *p, attention_shape shape, int n_inputs);
size_t sparse_saved(attention_shape shape);

void sparse_forward(const sparse_pattern *p, const attention_call *call, int n_inputs, const real *inputs,
                    real *out, real *saved, real *scratch);
void sparse_backward(const sparse_pattern *p, const attention_call *call, int n_inputs, const real *inputs,
                     const real *out, const real *dout, const real *saved, real *dinputs, real *scratch);

/* Helpers for patterns. Fills keys with lo, lo+1, ..., hi−1; returns the count. */
int sparse_key_range(int32_t *keys, int lo, int hi);
/* Merges two ascending lists into out without duplicates; returns the count. out
 * may overlap b when b starts at out + n_a (each b[j] is read before out[j + n_a]). */
int sparse_merge(int32_t *out, const int32_t *a, int n_a, const int32_t *b, int n_b);

#endif
