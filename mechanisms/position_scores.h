/* position_scores.h — scores that depend on where the tokens are (ALiBi, T5's bucketed
 * bias, Transformer-XL relative attention; definitions in nn/position.h), for the
 * mechanisms that form explicit scores: full attention and the sparse engine.
 *
 * A mechanism works on blocks of scores S (n_rows × n_keys) of one (b, h): the rows and
 * keys are token indices (NULL: 0, 1, ...), q and k their gathered rows. After its
 * τ·Q·Kᵀ it calls position_scores_add, which adds the position term; after it has dS
 * (the gradient of the loss with respect to S) it calls position_scores_backward, which
 * adds the relative term's share into dq and dk and collects the parameter gradient of
 * this (b, h) in a slot of the shared scratch. position_scores_end adds the slots into
 * dparams in a fixed order, so the result does not depend on threads. Relative keys
 * r(δ) = R(δ)·W_r are formed once per call for |δ| up to the call's largest position.
 *
 * A kernel that walks the scores in tiles of consecutive tokens (full attention) uses the
 * _tile variants; its backward calls _backward_rows with the rows' gradient buffer and
 * _backward_keys with the keys', which together add what position_scores_backward adds.
 *
 * Scratch: position_scores_shared reals shared by the threads (relative keys, the
 * gradient slots), position_scores_per_thread reals for each thread. */
#ifndef ATTNBENCH_POSITION_SCORES_H
#define ATTNBENCH_POSITION_SCORES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "mechanisms/mechanism.h"

/* What a mechanism instance keeps: the geometry's kind and sizes, and for relative
 * attention the sinusoid R(δ) of every distance |δ| < max_position. */
typedef struct position_layout {
    int kind;         /* the geometry's kind when it acts on scores, else 0 (nothing reserved) */
    int heads, head_size, width;
    int max_position; /* positions are below this */
    real *sinusoid;   /* relative: (2·max_position − 1, width), row δ + max_position − 1 */
} position_layout;

int position_layout_init(position_layout *l, const attention_geometry *geometry, error_info *err);
void position_layout_free(position_layout *l);
size_t position_scores_shared(const position_layout *l, attention_shape shape);
/* For a thread that handles blocks of at most `rows` query rows and `keys` keys. */
size_t position_scores_per_thread(const position_layout *l, attention_shape shape, int rows, int keys);

/* One call's view (filled by position_scores_begin). */
typedef struct position_scores {
    const position_layout *layout;
    const attention_positions *call;
    int T, NH, hs;
    real scale;       /* τ = 1/√hs */
    int reach;        /* relative keys exist for |δ| ≤ reach */
    real *keys;       /* relative: r (2·max_position − 1, NH·hs), row δ + max_position − 1 */
    real *slots;      /* backward: (B, NH, slot) parameter gradients */
    size_t slot;
} position_scores;

/* Before a forward (backward = false) or a backward: checks the call against the layout,
 * forms the relative keys, and for a backward zeroes the slots. */
void position_scores_begin(position_scores *ps, const position_layout *l, const attention_call *call, real *shared,
                           bool backward);
/* scores (n_rows, n_keys) += the position term of (b, h). work: per-thread scratch. */
void position_scores_add(const position_scores *ps, int b, int h, const int32_t *rows, int n_rows,
                         const int32_t *keys, int n_keys, const real *q, const real *k, real *scores, real *work);
/* From dscores (n_rows, n_keys): dq (n_rows, hs) and dk (n_keys, hs) += the relative
 * term's share; the parameter gradient of (b, h) goes into its slot. */
void position_scores_backward(const position_scores *ps, int b, int h, const int32_t *rows, int n_rows,
                              const int32_t *keys, int n_keys, const real *q, const real *k, const real *dscores,
                              real *dq, real *dk, real *work);
/* position_scores_add on the tile of rows row0 … row0 + n_rows − 1 and keys key0 … key0 + n_keys − 1;
 * q (n_rows, hs) and k (n_keys, hs) are their rows. */
void position_scores_add_tile(const position_scores *ps, int b, int h, int row0, int n_rows, int key0, int n_keys,
                              const real *q, const real *k, real *scores, real *work);
/* The rows' half of position_scores_backward on such a tile: dq (n_rows, hs) and every
 * parameter gradient but the relative content bias u's. */
void position_scores_backward_rows(const position_scores *ps, int b, int h, int row0, int n_rows, int key0,
                                   int n_keys, const real *q, const real *dscores, real *dq, real *work);
/* The keys' half: dk (n_keys, hs) and u's gradient (only relative attention has one). */
void position_scores_backward_keys(const position_scores *ps, int b, int h, int n_rows, int n_keys, const real *k,
                                   const real *dscores, real *dk, real *work);
/* After a backward: dparams += the sum of the slots over b (in order of b). */
void position_scores_end(const position_scores *ps, int B);

#endif
