/* mechanism.h — the attention-mechanism plug-in interface.
 *
 * A mechanism is one file and one registry line. The encoder block owns the
 * projections: it hands the mechanism `n_inputs` per-head tensors (Q, K, V, and for
 * some mechanisms extra projections such as Longformer's global Q, K, V) laid out
 * contiguously as (n_inputs, B, NH, T, hs), plus the true length of every sequence,
 * and receives the per-head output (B, NH, T, hs).
 *
 * Padding contract: positions t ≥ lengths[b] are padding. Padded keys get zero
 * weight, padded queries give zero output and receive zero gradient, and a query
 * whose every key is masked gives zero output, never NaN.
 *
 * Memory: the model asks `sizes` for a shape and allocates the mechanism's
 * parameters, its saved activations (kept from forward to backward, per layer) and
 * its scratch (shared by all layers) once; forward and backward never allocate.
 * Randomness (features, random blocks, dropout) comes from the seeds in
 * attention_call, so backward sees exactly what forward saw. backward *adds* into
 * dinputs and dparams.
 *
 * Hooks: name, summary, init, sizes, forward, backward and flops are required. The
 * others may be left NULL, and then the harness does the obvious thing: options
 * (n_options 0: none), init_params (NULL only when sizes().params is 0: there are no
 * parameters), falls_back (never) and free (init left nothing to release). A mechanism
 * writes no empty function for a hook it does not need. */
#ifndef ATTNBENCH_MECHANISM_H
#define ATTNBENCH_MECHANISM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/options.h"
#include "core/error.h"
#include "core/real.h"
#include "core/rng.h"

typedef struct attention_shape {
    int B, NH, T, hs; /* batch, heads, tokens (padded), head size */
} attention_shape;

/* What the model tells a mechanism when it is created. */
typedef struct attention_geometry {
    int heads, head_size;
    int max_tokens;   /* longest T any call will use */
    int layers;       /* number of encoder blocks (for per-layer random patterns) */
    int global_token; /* position of the CLS token, or -1 when there is none */
    int positional;   /* the model's enum positional_kind: a mechanism with position_scores
                       * reserves what ALiBi, T5 or relative attention need (0: none) */
    int max_position; /* every position any call holds is below this (relative attention
                       * sizes its distance tables from it; at least max_tokens + 1 is used) */
} attention_geometry;

typedef struct attention_sizes {
    size_t params;  /* reals of learned parameters per layer */
    size_t saved;   /* reals kept from forward to backward, per layer */
    size_t scratch; /* reals of temporary space, shared by all layers */
} attention_sizes;

/* Where the tokens are, for scores that depend on position: ALiBi, T5's bucketed
 * relative bias and Transformer-XL's relative attention (model.positional; definitions
 * in nn/position.h, kernels in mechanisms/position_scores.h). Only mechanisms with
 * position_scores accept it, and only with the kind given in their geometry. */
typedef struct attention_positions {
    int kind;                 /* enum positional_kind: POSITIONAL_ALIBI, _T5 or _RELATIVE */
    const int32_t *positions; /* (B, T) position of every token (randomized or counting down
                               * when the config says so) */
    const real *params;       /* this layer's position parameters (position_bias_params) */
    real *dparams;            /* their gradient; backward adds into it */
} attention_positions;

/* One call: the shape and everything random or step-dependent. */
typedef struct attention_call {
    attention_shape shape;
    const int32_t *lengths; /* (B) real tokens per sequence, 0 ≤ lengths[b] ≤ T */
    int layer;
    bool training;
    int64_t step;
    uint64_t seed;          /* the model's seed, fixed for a run: features, random blocks */
    real dropout;           /* on attention probabilities; applied only when training */
    uint64_t dropout_key;   /* counter-hash key for this layer and step */
    const attention_positions *positions; /* NULL: the scores do not depend on position */
} attention_call;

typedef struct mechanism_ops {
    const char *name;    /* "full" */
    const char *summary; /* one line for `attnbench mechanisms` */
    /* Whether it forms explicit scores and so supports attention_call.positions (ALiBi,
     * T5, relative); false for the kernelized mechanisms, which form no scores. */
    bool position_scores;
    const opt_spec *options;
    int n_options;
    /* Read options (already validated against the table) and the geometry; set
     * *n_inputs (3 for Q, K, V). Errors name the option at fault. */
    int (*init)(void **state, const opt_set *options, const attention_geometry *geometry,
                int *n_inputs, error_info *err);
    attention_sizes (*sizes)(const void *state, attention_shape shape);
    /* Optional (NULL: there are none): initialise this layer's parameters
     * (sizes().params reals). */
    void (*init_params)(const void *state, real *params, rng *r);
    /* inputs: (n_inputs, B, NH, T, hs); out: (B, NH, T, hs), overwritten. */
    void (*forward)(const void *state, const attention_call *call, const real *params,
                    const real *inputs, real *out, real *saved, real *scratch);
    /* Adds the gradients of the loss into dinputs (n_inputs, B, NH, T, hs) and dparams. */
    void (*backward)(const void *state, const attention_call *call, const real *params,
                     const real *inputs, const real *out, const real *dout, const real *saved,
                     real *dinputs, real *dparams, real *scratch);
    /* Floating-point operations of forward + backward for one call of this shape. */
    double (*flops)(const void *state, attention_shape shape);
    /* Optional (NULL: never): whether a sequence of this many real tokens is too short
     * for the mechanism's pattern and is computed with full attention instead. The run
     * records the fraction of its sequences for which this held. */
    bool (*falls_back)(const void *state, int length);
    /* Optional (NULL: nothing to release): free the state init made. */
    void (*free)(void *state);
} mechanism_ops;

/* The registry (mechanisms/registry.c): mechanism_count and mechanism_at list the
 * shipped mechanisms; mechanism_find also finds those a test registered with
 * mechanism_register_extra (tests/support/test_mechanisms.c), so that a model can be
 * built with a test-only mechanism that the CLI never lists or accepts. */
const mechanism_ops *mechanism_find(const char *name);
int mechanism_count(void);
const mechanism_ops *mechanism_at(int index);
void mechanism_register_extra(const mechanism_ops *ops);

#endif
