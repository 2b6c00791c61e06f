/* test_tiled_attention.c — the tiled kernel behind full attention (full_tiled.h), in
 * double precision, on tile sizes that do and do not divide the lengths (1×1, 2×3, 3×2,
 * 4×4, 5×7, 16×16 and the default), against the naive dense reference: output, lse, dQ,
 * dK, dV and the position-parameter gradient, with padding, an empty sequence, one head
 * and many, odd T, with no position term and with ALiBi, T5 and relative attention
 * (attention_reference.h), and under attention dropout (a dense reference with the same
 * keep mask, here). Then finite differences through the small tiles with dropout and
 * every position kind, padded rows exactly zero, one thread and two bit for bit on
 * ragged tiles, and a scratch that is linear in T: one head's dQ and Δ per thread. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attention_reference.h"
#include "config/config.h"
#include "core/check.h"
#include "core/parallel.h"
#include "gradcheck.h"
#include "mechanism_options.h"
#include "mechanisms/attention_dropout.h"
#include "mechanisms/full_tiled.h"
#include "mechanisms/mechanism.h"
#include "nn/position.h"
#include "testing.h"

#ifndef TEST_NAME
#define TEST_NAME "test_tiled_attention"
#endif

/* The double build checks the tiling to rounding; the float build (which trains, with
 * the AVX2 tile products) to float accuracy, and leaves finite differences to the
 * double build. */
#ifdef ATTNBENCH_DOUBLE
#define TOLERANCE 1e-12
#define PARAM_TOLERANCE 1e-11
#else
#define TOLERANCE 1e-5
#define PARAM_TOLERANCE 1e-4
#endif

enum { MAX_B = 4, MAX_POSITION = 48 };

typedef struct shape_case {
    const char *label;
    int B, NH, T, hs;
    int32_t lengths[MAX_B];
    bool randomized; /* positions drawn from [0, MAX_POSITION) */
    double dropout;
} shape_case;

static const shape_case cases[] = {
    {"odd T 13, padding, an empty sequence", 3, 2, 13, 4, {13, 6, 0}, false, 0},
    {"one head, odd head size, T 9", 1, 1, 9, 3, {9}, true, 0},
    {"six heads, T 10, a length-1 sequence", 2, 6, 10, 2, {10, 1}, true, 0},
    {"attention dropout 0.3, T 11", 2, 2, 11, 4, {11, 7}, false, 0.3},
};

static const full_tiles tile_sizes[] = {{1, 1}, {2, 3}, {3, 2}, {4, 4}, {5, 7}, {16, 16}, {64, 64}};
static const int kinds[] = {0, POSITIONAL_ALIBI, POSITIONAL_T5, POSITIONAL_RELATIVE};

static const char *kind_name(int kind) {
    return kind == POSITIONAL_ALIBI ? "ALiBi" : kind == POSITIONAL_T5 ? "T5" : kind ? "relative" : "no positions";
}

static void *zalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) abort();
    return p;
}

/* ---- one tiled call ---- */

typedef struct run {
    void *state;
    full_tiles tiles;
    int kind;
    attention_call call;
    attention_positions pos;
    int32_t *positions;
    size_t tensor, n_pos;
    real *inputs, *dinputs, *out, *lse, *scratch, *weights, *pparams, *dpparams;
} run;

static void run_init(run *r, const shape_case *c, int kind, full_tiles tiles) {
    memset(r, 0, sizeof *r);
    r->tiles = tiles;
    r->kind = kind;
    const attention_geometry geometry = {.heads = c->NH, .head_size = c->hs, .max_tokens = c->T, .layers = 1,
                                         .global_token = 0, .positional = kind, .max_position = MAX_POSITION};
    const mechanism_ops *ops = mechanism_find("full");
    opt_set options;
    test_mechanism_options(ops, NULL, &options);
    int n_inputs;
    error_info err = {0};
    CHECK(ops->init(&r->state, &options, &geometry, &n_inputs, &err) == 0 && n_inputs == 3);
    const attention_shape shape = {c->B, c->NH, c->T, c->hs};
    r->tensor = (size_t)c->B * c->NH * c->T * c->hs;
    r->n_pos = position_bias_params(kind, c->NH, c->hs);
    r->inputs = zalloc(3 * r->tensor, sizeof(real));
    r->dinputs = zalloc(3 * r->tensor, sizeof(real));
    r->out = zalloc(r->tensor, sizeof(real));
    r->weights = zalloc(r->tensor, sizeof(real));
    r->lse = zalloc((size_t)c->B * c->NH * c->T, sizeof(real));
    r->scratch = zalloc(full_tiled_scratch(r->state, shape, tiles), sizeof(real));
    r->pparams = zalloc(r->n_pos, sizeof(real));
    r->dpparams = zalloc(r->n_pos, sizeof(real));
    r->positions = zalloc((size_t)c->B * c->T, sizeof(int32_t));
    positions_fill(r->positions, c->lengths, c->B, c->T, false, c->randomized, MAX_POSITION, 5);
    gradcheck_fill(r->inputs, 3 * r->tensor, 41, 1.5);
    gradcheck_fill(r->weights, r->tensor, 42, 1.0);
    gradcheck_fill(r->pparams, r->n_pos, 43, 0.8);
    r->pos = (attention_positions){kind, r->positions, r->pparams, r->dpparams};
    r->call = (attention_call){.shape = shape, .lengths = c->lengths, .training = c->dropout > 0, .step = 2,
                               .seed = 9, .dropout = (real)c->dropout, .dropout_key = 1234,
                               .positions = kind ? &r->pos : NULL};
}

static void run_free(run *r) {
    mechanism_find("full")->free(r->state);
    free(r->inputs), free(r->dinputs), free(r->out), free(r->weights), free(r->lse), free(r->scratch);
    free(r->pparams), free(r->dpparams), free(r->positions);
}

static double loss_of(void *ctx) {
    run *r = ctx;
    full_tiled_forward(r->state, &r->call, r->tiles, r->inputs, r->out, r->lse, r->scratch);
    return gradcheck_weighted_sum(r->out, r->weights, r->tensor);
}

/* Forward, then backward into zeroed gradients with dO = weights. */
static void run_both(run *r) {
    memset(r->dinputs, 0, sizeof(real) * 3 * r->tensor);
    memset(r->dpparams, 0, sizeof(real) * r->n_pos);
    loss_of(r);
    full_tiled_backward(r->state, &r->call, r->tiles, r->inputs, r->out, r->weights, r->lse, r->dinputs, r->scratch);
}

/* ---- the dense reference of one (b, h) ---- */

typedef struct dense {
    int T, hs, L;
    double *bias, *u, *v, *rel;     /* reference_terms of the kind (T·T, hs, hs, T·T·hs) */
    double *gbias, *gu, *gv, *grel; /* their gradients */
} dense;

static void dense_init(dense *d, const shape_case *c) {
    const size_t TT = (size_t)c->T * c->T;
    *d = (dense){c->T, c->hs, 0, zalloc(TT, sizeof(double)), zalloc(c->hs, sizeof(double)),
                 zalloc(c->hs, sizeof(double)), zalloc(TT * c->hs, sizeof(double)), zalloc(TT, sizeof(double)),
                 zalloc(c->hs, sizeof(double)), zalloc(c->hs, sizeof(double)), zalloc(TT * c->hs, sizeof(double))};
}

static void dense_free(dense *d) {
    free(d->bias), free(d->u), free(d->v), free(d->rel), free(d->gbias), free(d->gu), free(d->gv), free(d->grel);
}

/* The position terms of (b, h) from their definitions; gradients zeroed. */
static void dense_terms(dense *d, const run *r, int b, int h) {
    const int T = d->T, hs = d->hs, NH = r->call.shape.NH, D = NH * hs, width = position_relative_width(NH, hs);
    const int32_t *p = r->positions + (size_t)b * T;
    real *sinusoid = zalloc(width, sizeof(real));
    for (int i = 0; i < T; i++)
        for (int j = 0; j < T; j++) {
            const int delta = p[i] - p[j];
            if (r->kind == POSITIONAL_ALIBI)
                d->bias[i * T + j] = position_alibi_slope(h, NH) * ((delta > 0 ? 0.5 : 0.0) - abs(delta));
            if (r->kind == POSITIONAL_T5) d->bias[i * T + j] = r->pparams[h * POSITION_T5_BUCKETS + position_t5_bucket(delta)];
            if (r->kind != POSITIONAL_RELATIVE) continue;
            position_relative_sinusoid(sinusoid, delta, width);
            for (int c = 0; c < hs; c++) {
                double sum = 0;
                for (int k = 0; k < width; k++) sum += sinusoid[k] * r->pparams[2 * D + k * D + h * hs + c];
                d->rel[((size_t)i * T + j) * hs + c] = sum;
            }
        }
    for (int c = 0; r->kind == POSITIONAL_RELATIVE && c < hs; c++) {
        d->u[c] = r->pparams[h * hs + c];
        d->v[c] = r->pparams[D + h * hs + c];
    }
    memset(d->gbias, 0, sizeof(double) * T * T), memset(d->gu, 0, sizeof(double) * hs);
    memset(d->gv, 0, sizeof(double) * hs), memset(d->grel, 0, sizeof(double) * T * T * hs);
    free(sinusoid);
}

/* The term gradients of (b, h) mapped onto the position parameters. */
static void dense_param_grads(const dense *d, const run *r, int b, int h, double *dp) {
    const int T = d->T, hs = d->hs, NH = r->call.shape.NH, D = NH * hs, width = position_relative_width(NH, hs);
    const int32_t *p = r->positions + (size_t)b * T;
    real *sinusoid = zalloc(width, sizeof(real));
    for (int i = 0; i < T; i++)
        for (int j = 0; j < T; j++) {
            if (r->kind == POSITIONAL_T5) dp[h * POSITION_T5_BUCKETS + position_t5_bucket(p[i] - p[j])] += d->gbias[i * T + j];
            if (r->kind != POSITIONAL_RELATIVE) continue;
            position_relative_sinusoid(sinusoid, p[i] - p[j], width);
            for (int k = 0; k < width; k++)
                for (int c = 0; c < hs; c++) dp[2 * D + k * D + h * hs + c] += d->grel[((size_t)i * T + j) * hs + c] * sinusoid[k];
        }
    for (int c = 0; r->kind == POSITIONAL_RELATIVE && c < hs; c++) {
        dp[h * hs + c] += d->gu[c];
        dp[D + h * hs + c] += d->gv[c];
    }
    free(sinusoid);
}

/* Score (i, j) with the position terms, as attention_reference.h defines it. */
static double dense_score(const dense *d, const real *q, const real *k, int i, int j) {
    const int T = d->T, hs = d->hs;
    double s = 0, content = 0, position = 0;
    for (int c = 0; c < hs; c++) {
        s += (double)q[i * hs + c] * k[j * hs + c];
        content += d->u[c] * k[j * hs + c];
        position += ((double)q[i * hs + c] + d->v[c]) * d->rel[((size_t)i * T + j) * hs + c];
    }
    return (s + content + position) / sqrt((double)hs) + d->bias[(size_t)i * T + j];
}

/* lse (T) of the real rows, 0 for padded ones. */
static void dense_lse(const dense *d, const real *q, const real *k, double *lse) {
    for (int i = 0; i < d->T; i++) {
        lse[i] = 0;
        if (i >= d->L) continue;
        double max = -INFINITY, sum = 0;
        for (int j = 0; j < d->L; j++) max = fmax(max, dense_score(d, q, k, i, j));
        for (int j = 0; j < d->L; j++) sum += exp(dense_score(d, q, k, i, j) - max);
        lse[i] = max + log(sum);
    }
}

/* Dense attention under dropout, no position terms: P̃ = softmax(S) ∘ keep, O = P̃ V,
 * and the textbook backward with dP = (dO Vᵀ) ∘ keep. Adds into dq, dk, dv. */
static void dense_dropout(const dense *d, const attention_call *call, int b, int h, const real *q, const real *k,
                          const real *v, const real *dout, const double *lse, real *out, real *dq, real *dk, real *dv) {
    const int L = d->L, hs = d->hs;
    const double scale = 1 / sqrt((double)hs);
    double *p = zalloc((size_t)L * L, sizeof(double)), *dp = zalloc((size_t)L * L, sizeof(double));
    for (int i = 0; i < L; i++) {
        double delta = 0;
        for (int j = 0; j < L; j++) {
            const double keep = attention_keep_scale(call, b, h, i, j);
            p[i * L + j] = exp(dense_score(d, q, k, i, j) - lse[i]);
            double g = 0;
            for (int c = 0; c < hs; c++) {
                out[i * hs + c] += (real)(p[i * L + j] * keep * v[j * hs + c]);
                g += (double)dout[i * hs + c] * v[j * hs + c];
                dv[j * hs + c] += (real)(p[i * L + j] * keep * dout[i * hs + c]);
            }
            dp[i * L + j] = g * keep;
            delta += p[i * L + j] * dp[i * L + j];
        }
        for (int j = 0; j < L; j++) {
            const double ds = scale * p[i * L + j] * (dp[i * L + j] - delta);
            for (int c = 0; c < hs; c++) {
                dq[i * hs + c] += (real)(ds * k[j * hs + c]);
                dk[j * hs + c] += (real)(ds * q[i * hs + c]);
            }
        }
    }
    free(p), free(dp);
}

/* ---- comparisons ---- */

typedef struct diffs {
    double out, lse, grad[3], params;
} diffs;

static double max_diff(const real *a, const real *b, size_t n) {
    double worst = 0;
    for (size_t i = 0; i < n; i++) worst = fmax(worst, fabs((double)a[i] - b[i]));
    return worst;
}

/* The reference of (b, h) into ref_out and ref_d (3, B, NH, T, hs); its lse is compared here. */
static void reference_head(const run *r, dense *d, int b, int h, real *ref_out, real *ref_d, double *ref_dp,
                           diffs *worst) {
    const attention_shape *s = &r->call.shape;
    const size_t bh = (size_t)b * s->NH + h, off = bh * s->T * s->hs;
    const real *q = r->inputs + off, *k = q + r->tensor, *v = k + r->tensor, *dout = r->weights + off;
    real *dq = ref_d + off, *dk = dq + r->tensor, *dv = dk + r->tensor;
    d->L = r->call.lengths[b];
    dense_terms(d, r, b, h);
    double *lse = zalloc(s->T, sizeof(double));
    dense_lse(d, q, k, lse);
    for (int i = 0; i < s->T; i++) worst->lse = fmax(worst->lse, fabs(r->lse[bh * s->T + i] - lse[i]));
    if (r->call.dropout > 0) {
        dense_dropout(d, &r->call, b, h, q, k, v, dout, lse, ref_out + off, dq, dk, dv);
    } else {
        uint8_t *allowed = zalloc((size_t)s->T * s->T, 1);
        reference_padding_mask(allowed, s->T, d->L);
        const bool rel = r->kind == POSITIONAL_RELATIVE;
        const reference_terms terms = {rel ? NULL : d->bias, rel ? d->u : NULL, rel ? d->v : NULL, rel ? d->rel : NULL};
        const reference_term_grads grads = {d->gbias, d->gu, d->gv, d->grel};
        reference_attention_forward_terms(ref_out + off, q, k, v, allowed, &terms, s->T, s->hs);
        reference_attention_backward_terms(dq, dk, dv, &grads, dout, q, k, v, allowed, &terms, s->T, s->hs);
        dense_param_grads(d, r, b, h, ref_dp);
        free(allowed);
    }
    free(lse);
}

/* One comparison, printed with its case and the largest difference. */
static void check_max(double worst, double tol, const char *what, const char *label) {
    char line[400];
    snprintf(line, sizeof line, "%s (%s): max diff %.3g", what, label, worst);
    test_check(worst < tol, line, "above %.0e", tol);
}

static void check_against_reference(const shape_case *c, int kind, full_tiles tiles) {
    if (c->dropout > 0 && kind != 0) return; /* the dense dropout reference has no position terms */
    run r;
    run_init(&r, c, kind, tiles);
    run_both(&r);
    real *ref_out = zalloc(r.tensor, sizeof(real)), *ref_d = zalloc(3 * r.tensor, sizeof(real));
    double *ref_dp = zalloc(r.n_pos, sizeof(double));
    dense d;
    dense_init(&d, c);
    diffs worst = {0};
    for (int b = 0; b < c->B; b++)
        for (int h = 0; h < c->NH; h++) reference_head(&r, &d, b, h, ref_out, ref_d, ref_dp, &worst);
    worst.out = max_diff(r.out, ref_out, r.tensor);
    for (int p = 0; p < 3; p++) worst.grad[p] = max_diff(r.dinputs + p * r.tensor, ref_d + p * r.tensor, r.tensor);
    for (size_t i = 0; i < r.n_pos; i++) worst.params = fmax(worst.params, fabs(r.dpparams[i] - ref_dp[i]));
    char label[200];
    snprintf(label, sizeof label, "%s, %s, tiles %d×%d", c->label, kind_name(kind), tiles.rows, tiles.keys);
    check_max(worst.out, TOLERANCE, "output equals the dense reference", label);
    check_max(worst.lse, TOLERANCE, "lse equals the dense reference", label);
    check_max(worst.grad[0], TOLERANCE, "dQ equals the dense reference", label);
    check_max(worst.grad[1], TOLERANCE, "dK equals the dense reference", label);
    check_max(worst.grad[2], TOLERANCE, "dV equals the dense reference", label);
    if (r.n_pos) check_max(worst.params, PARAM_TOLERANCE, "position-parameter gradient equals the dense reference", label);
    dense_free(&d);
    free(ref_out), free(ref_d), free(ref_dp);
    run_free(&r);
}

/* Padded rows and the empty sequence: exactly zero output, lse and gradient, nothing NaN. */
static void check_padding(const shape_case *c, int kind, full_tiles tiles) {
    run r;
    run_init(&r, c, kind, tiles);
    run_both(&r);
    const attention_shape *s = &r.call.shape;
    bool zero = true, finite = true;
    for (int b = 0; b < c->B; b++)
        for (int h = 0; h < c->NH; h++)
            for (int t = 0; t < s->T; t++) {
                const size_t bh = (size_t)b * s->NH + h, row = (bh * s->T + t) * s->hs;
                const bool padded = t >= c->lengths[b];
                finite = finite && isfinite(r.lse[bh * s->T + t]);
                if (padded && r.lse[bh * s->T + t] != 0) zero = false;
                for (int e = 0; e < s->hs; e++) {
                    for (int p = 0; p < 3; p++) {
                        const real g = r.dinputs[p * r.tensor + row + e];
                        finite = finite && isfinite(g);
                        if (padded && g != 0) zero = false;
                    }
                    finite = finite && isfinite(r.out[row + e]);
                    if (padded && r.out[row + e] != 0) zero = false;
                }
            }
    char line[400];
    snprintf(line, sizeof line, "outputs, lse and gradients are finite (%s, %s, tiles %d×%d)", c->label,
             kind_name(kind), tiles.rows, tiles.keys);
    test_check(finite, line, "a NaN or infinity");
    snprintf(line, sizeof line, "padded rows and the empty sequence give exactly zero output, lse and gradient "
             "(%s, %s, tiles %d×%d)", c->label, kind_name(kind), tiles.rows, tiles.keys);
    test_check(zero, line, "a nonzero value");
    run_free(&r);
}

#ifdef ATTNBENCH_DOUBLE
/* Central differences through ragged tiles, on every input and position parameter. */
static void check_finite_differences(const shape_case *c, int kind, full_tiles tiles) {
    run r;
    run_init(&r, c, kind, tiles);
    run_both(&r);
    char name[200];
    real *analytic = zalloc(3 * r.tensor, sizeof(real));
    memcpy(analytic, r.dinputs, sizeof(real) * 3 * r.tensor);
    snprintf(name, sizeof name, "inputs, %s, %s, tiles %d×%d", c->label, kind_name(kind), tiles.rows, tiles.keys);
    gradcheck_compare(name, r.inputs, analytic, 3 * r.tensor, loss_of, &r, 1e-6, 1e-6);
    if (r.n_pos) {
        real *analytic_pos = zalloc(r.n_pos, sizeof(real));
        memcpy(analytic_pos, r.dpparams, sizeof(real) * r.n_pos);
        snprintf(name, sizeof name, "position parameters, %s, %s, tiles %d×%d", c->label, kind_name(kind), tiles.rows,
                 tiles.keys);
        gradcheck_compare(name, r.pparams, analytic_pos, r.n_pos, loss_of, &r, 1e-6, 1e-6);
        free(analytic_pos);
    }
    free(analytic);
    run_free(&r);
}
#endif

/* One thread and two on ragged tiles, with dropout and relative attention: the same bits. */
static void check_threads(void) {
    static const shape_case big = {"threads", 4, 4, 130, 16, {130, 97, 0, 61}, false, 0.1};
    const full_tiles tiles = {5, 7};
    run runs[2];
    for (int t = 0; t < 2; t++) {
        parallel_set_threads(t + 1);
        run_init(&runs[t], &big, POSITIONAL_RELATIVE, tiles);
        run_both(&runs[t]);
    }
    parallel_set_threads(1);
    const bool same = memcmp(runs[0].out, runs[1].out, sizeof(real) * runs[0].tensor) == 0 &&
                      memcmp(runs[0].lse, runs[1].lse, sizeof(real) * big.B * big.NH * big.T) == 0 &&
                      memcmp(runs[0].dinputs, runs[1].dinputs, sizeof(real) * 3 * runs[0].tensor) == 0 &&
                      memcmp(runs[0].dpparams, runs[1].dpparams, sizeof(real) * runs[0].n_pos) == 0;
    test_check(same, "one thread and two give the same output, lse and gradients, bit for bit (B=4 NH=4 T=130 hs=16, "
               "tiles 5×7, relative, dropout 0.1)", "they differ");
    run_free(&runs[0]);
    run_free(&runs[1]);
}

/* The scratch of the mechanism is linear in T (no T×T buffer): per thread, three score
 * tiles, the dK and dV of a key tile, and one head's dQ (T·hs) and Δ (T). */
static void check_scratch(void) {
    const mechanism_ops *ops = mechanism_find("full");
    const attention_geometry geometry = {.heads = 4, .head_size = 64, .max_tokens = 1 << 20, .layers = 1};
    opt_set options;
    test_mechanism_options(ops, NULL, &options);
    void *state;
    int n_inputs;
    error_info err = {0};
    CHECK(ops->init(&state, &options, &geometry, &n_inputs, &err) == 0);
    const int lengths[] = {1024, 1 << 20};
    for (int i = 0; i < 2; i++) {
        const size_t T = (size_t)lengths[i];
        const size_t scratch = ops->sizes(state, (attention_shape){1, 4, (int)T, 64}).scratch;
        const size_t expected = (3 * 64 * 64 + 2 * 64 * 64 + T * (64 + 1)) * (size_t)parallel_threads();
        char line[300];
        snprintf(line, sizeof line, "scratch at T = %zu is %zu reals: per thread three score tiles, two key tiles "
                 "and T·(hs + 1) (%zu in all)", T, scratch, expected);
        test_check(scratch == expected, line, "it is not linear in T");
    }
    ops->free(state);
}

int main(void) {
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            printf("-- %s, %s (B=%d NH=%d T=%d hs=%d)\n", cases[c].label, kind_name(kinds[k]), cases[c].B,
                   cases[c].NH, cases[c].T, cases[c].hs);
            for (size_t t = 0; t < sizeof tile_sizes / sizeof tile_sizes[0]; t++) {
                check_against_reference(&cases[c], kinds[k], tile_sizes[t]);
                check_padding(&cases[c], kinds[k], tile_sizes[t]);
            }
        }
#ifdef ATTNBENCH_DOUBLE
    const full_tiles ragged[] = {{2, 3}, {3, 2}};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        for (size_t t = 0; t < 2; t++) {
            check_finite_differences(&cases[0], kinds[k], ragged[t]);
            check_finite_differences(&cases[3], kinds[k], ragged[t]);
        }
#endif
    check_threads();
    check_scratch();
    return test_finish(TEST_NAME);
}
