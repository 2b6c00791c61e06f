/* full.c — exact softmax attention, O = softmax(τ Q Kᵀ + mask) V with τ = 1/√hs.
 *
 * One (batch, head) at a time: the scores of the L real tokens of that sequence are
 * formed with one GEMM into a L×L scratch, softmaxed row by row, and multiplied into
 * V with a second GEMM; padded queries are left at zero and padded keys never enter
 * a row. Only the log-sum-exp of each row is kept for the backward, which recomputes
 * the probabilities from it (P = exp(S − lse)), so the saved activations are O(T)
 * per head; the L×L scratch is shared by all layers. Attention dropout masks come
 * from a counter hash of (key, b, h, i, j) and are regenerated in the backward.
 * The backward uses Δ_i = dO_i · O_i, which holds with inverted dropout too.
 * Position-dependent scores (ALiBi, T5, relative; position_scores.h) are added to each
 * head's score block after the first GEMM, in forward and in the recompute.
 * (batch, head) pairs run on OpenMP threads, each calling single-threaded BLAS. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/blas.h"
#include "core/check.h"
#include "core/parallel.h"
#include "core/vecmath.h"
#include "mechanisms/attention_dropout.h"
#include "mechanisms/mechanism.h"
#include "mechanisms/position_scores.h"

typedef struct full_state {
    position_layout position;
} full_state;

static int full_init(void **state, const opt_set *options, const attention_geometry *geometry,
                     int *n_inputs, error_info *err) {
    full_state *st = calloc(1, sizeof *st);
    if (!st) return error_set(err, EXIT_RUNTIME, "out of memory");
    const int rc = position_layout_init(&st->position, geometry, err);
    if (rc != 0) {
        free(st);
        return rc;
    }
    *state = st;
    *n_inputs = 3;
    return 0;
}

/* Scores/probs and dP (T, T), then the position kernels' work, for each thread working
 * on its own (b, h); the position kernels' shared part follows all threads' slices. */
static size_t thread_scratch(const full_state *st, attention_shape shape) {
    return 2 * (size_t)shape.T * shape.T + position_scores_per_thread(&st->position, shape, shape.T, shape.T);
}

static attention_sizes full_sizes(const void *state, attention_shape shape) {
    attention_sizes sizes = {0};
    sizes.saved = (size_t)shape.B * shape.NH * shape.T;       /* lse (B, NH, T) */
    sizes.scratch = thread_scratch(state, shape) * (size_t)parallel_threads() +
                    position_scores_shared(&((const full_state *)state)->position, shape);
    return sizes;
}

static void full_init_params(const void *state, real *params, rng *r) {}

/* Offsets of head (b, h) inside a (B, NH, T, hs) tensor and its row-block counter. */
static size_t head_offset(const attention_shape *s, int b, int h) {
    return (((size_t)b * s->NH + h) * s->T) * s->hs;
}

static void forward_head(const attention_call *call, const position_scores *ps, int b, int h, const real *inputs,
                         real *out, real *saved, real *probs) {
    const attention_shape s = call->shape;
    const size_t tensor = (size_t)s.B * s.NH * s.T * s.hs;
    const real scale = 1 / REAL_SQRT((real)s.hs);
    const int L = call->lengths[b];
    const size_t off = head_offset(&s, b, h);
    const real *q = inputs + off, *k = inputs + tensor + off, *v = inputs + 2 * tensor + off;
    real *o = out + off;
    real *lse = saved + ((size_t)b * s.NH + h) * s.T;
    memset(o, 0, sizeof(real) * s.T * s.hs);
    for (int i = 0; i < s.T; i++) lse[i] = 0;
    if (L == 0) return;
    blas_gemm(false, true, L, L, s.hs, scale, q, s.hs, k, s.hs, 0, probs, L);
    if (ps) position_scores_add(ps, b, h, NULL, L, NULL, L, q, k, probs, probs + 2 * (size_t)s.T * s.T);
    for (int i = 0; i < L; i++) {
        real *row = probs + (size_t)i * L;
        const real max = vec_max(row, L);
        const double sum = vec_exp_sum(row, max, L);
        vec_scale(row, (real)(1 / sum), L);
        lse[i] = max + (real)log(sum);
        if (attention_dropout_active(call))
            for (int j = 0; j < L; j++) row[j] *= attention_keep_scale(call, b, h, i, j);
    }
    blas_gemm(false, false, L, s.hs, L, 1, probs, L, v, s.hs, 0, o, s.hs);
}

/* One OpenMP thread per (b, h) pair, each with its own slice of the scratch. */
static void full_forward(const void *state, const attention_call *call, const real *params,
                         const real *inputs, real *out, real *saved, real *scratch) {
    const attention_shape s = call->shape;
    CHECK(s.T < (1 << 24));
    for (int b = 0; b < s.B; b++) CHECK(call->lengths[b] >= 0 && call->lengths[b] <= s.T);
    const size_t per_thread = thread_scratch(state, s);
    position_scores ps;
    if (call->positions)
        position_scores_begin(&ps, &((const full_state *)state)->position, call,
                              scratch + per_thread * (size_t)parallel_threads(), false);
#pragma omp parallel for schedule(dynamic) if ((size_t)s.B * s.NH * s.T * s.hs >= PARALLEL_MIN_WORK)
    for (int bh = 0; bh < s.B * s.NH; bh++)
        forward_head(call, call->positions ? &ps : NULL, bh / s.NH, bh % s.NH, inputs, out, saved,
                     scratch + per_thread * (size_t)parallel_thread_id());
}

static void backward_head(const attention_call *call, const position_scores *ps, int b, int h, const real *inputs,
                          const real *out, const real *dout, const real *saved, real *dinputs, real *probs) {
    const attention_shape s = call->shape;
    const size_t tensor = (size_t)s.B * s.NH * s.T * s.hs;
    const real scale = 1 / REAL_SQRT((real)s.hs);
    const bool dropout = attention_dropout_active(call);
    const int L = call->lengths[b];
    if (L == 0) return;
    real *dprobs = probs + (size_t)s.T * s.T;
    const size_t off = head_offset(&s, b, h);
    const real *q = inputs + off, *k = inputs + tensor + off, *v = inputs + 2 * tensor + off;
    const real *o = out + off, *dO = dout + off;
    real *dq = dinputs + off, *dk = dinputs + tensor + off, *dv = dinputs + 2 * tensor + off;
    const real *lse = saved + ((size_t)b * s.NH + h) * s.T;
    /* P = exp(τ Q Kᵀ + position term − lse), recomputed. */
    blas_gemm(false, true, L, L, s.hs, scale, q, s.hs, k, s.hs, 0, probs, L);
    if (ps) position_scores_add(ps, b, h, NULL, L, NULL, L, q, k, probs, probs + 2 * (size_t)s.T * s.T);
    for (int i = 0; i < L; i++) vec_exp_sum(probs + (size_t)i * L, lse[i], L);
    /* dV += P̃ᵀ dO, with P̃ the dropped-out probabilities used in the forward. */
    if (dropout) {
        for (int i = 0; i < L; i++)
            for (int j = 0; j < L; j++)
                dprobs[(size_t)i * L + j] = probs[(size_t)i * L + j] * attention_keep_scale(call, b, h, i, j);
        blas_gemm(true, false, L, s.hs, L, 1, dprobs, L, dO, s.hs, 1, dv, s.hs);
    } else {
        blas_gemm(true, false, L, s.hs, L, 1, probs, L, dO, s.hs, 1, dv, s.hs);
    }
    /* dP̃ = dO Vᵀ; dP = dP̃ ∘ keep; dS = P ∘ (dP − Δ), Δ_i = dO_i · O_i. */
    blas_gemm(false, true, L, L, s.hs, 1, dO, s.hs, v, s.hs, 0, dprobs, L);
    for (int i = 0; i < L; i++) {
        double delta = 0;
        for (int c = 0; c < s.hs; c++) delta += (double)dO[(size_t)i * s.hs + c] * o[(size_t)i * s.hs + c];
        real *p = probs + (size_t)i * L, *dp = dprobs + (size_t)i * L;
        if (dropout)
            for (int j = 0; j < L; j++) dp[j] *= attention_keep_scale(call, b, h, i, j);
        const real d = (real)delta;
#pragma omp simd
        for (int j = 0; j < L; j++) p[j] = p[j] * (dp[j] - d);
    }
    /* dQ += τ dS K; dK += τ dSᵀ Q. */
    blas_gemm(false, false, L, s.hs, L, scale, probs, L, k, s.hs, 1, dq, s.hs);
    blas_gemm(true, false, L, s.hs, L, scale, probs, L, q, s.hs, 1, dk, s.hs);
    if (ps) position_scores_backward(ps, b, h, NULL, L, NULL, L, q, k, probs, dq, dk, probs + 2 * (size_t)s.T * s.T);
}

static void full_backward(const void *state, const attention_call *call, const real *params,
                          const real *inputs, const real *out, const real *dout, const real *saved,
                          real *dinputs, real *dparams, real *scratch) {
    const attention_shape s = call->shape;
    const size_t per_thread = thread_scratch(state, s);
    position_scores ps;
    if (call->positions)
        position_scores_begin(&ps, &((const full_state *)state)->position, call,
                              scratch + per_thread * (size_t)parallel_threads(), true);
#pragma omp parallel for schedule(dynamic) if ((size_t)s.B * s.NH * s.T * s.hs >= PARALLEL_MIN_WORK)
    for (int bh = 0; bh < s.B * s.NH; bh++)
        backward_head(call, call->positions ? &ps : NULL, bh / s.NH, bh % s.NH, inputs, out, dout, saved, dinputs,
                      scratch + per_thread * (size_t)parallel_thread_id());
    if (call->positions) position_scores_end(&ps, s.B);
}

static double full_flops(const void *state, attention_shape shape) {
    /* forward: QKᵀ and PV; backward: recomputed QKᵀ, dV, dP, dQ, dK — 2·T²·hs each. */
    return 14.0 * shape.B * shape.NH * (double)shape.T * shape.T * shape.hs;
}

static void full_free(void *state) {
    full_state *st = state;
    if (st) position_layout_free(&st->position);
    free(st);
}

const mechanism_ops mechanism_full = {
    .name = "full",
    .summary = "exact softmax attention over all real tokens (the reference every other mechanism approximates)",
    .position_scores = true,
    .options = NULL,
    .n_options = 0,
    .init = full_init,
    .sizes = full_sizes,
    .init_params = full_init_params,
    .forward = full_forward,
    .backward = full_backward,
    .flops = full_flops,
    .free = full_free,
};
