/* test_position_scores.c — ALiBi, T5's bucketed bias and Transformer-XL relative
 * attention inside the mechanisms, in double precision. For every mechanism that sets
 * position_scores (full, local sliding and blocked, Longformer with and without global
 * projections, BigBird with a sparse pattern) and every kind, on awkward shapes (odd
 * lengths, padding, an empty sequence, one head with an odd head size, eight heads,
 * reversed, randomized and reversed randomized positions, attention dropout):
 * output, dQ, dK, dV and the position-parameter gradient equal the naive dense
 * reference under the mechanism's explicit mask with the position terms built from
 * their definitions (to 1e-12; not under dropout), padded positions get exactly zero
 * gradient, and finite differences agree on every input and position parameter. Then:
 * zero T5 or relative parameters reproduce the no-position output bit for bit,
 * shifting every position changes nothing, a second backward doubles the parameter
 * gradient exactly, one thread and two give the same bits, and the flag says which
 * registered mechanisms take positions. */
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
#include "mechanisms/bigbird.h"
#include "mechanisms/mechanism.h"
#include "nn/position.h"
#include "test_mechanisms.h"
#include "testing.h"

enum { MAX_B = 4, SEED = 4321, LAYER = 1, POSITION_KEY = 17 };

typedef struct shape_case {
    const char *label;
    int B, NH, T, hs;
    int32_t lengths[MAX_B];
    bool reverse, randomized;
    int max_position; /* randomized: draws from [0, max_position) */
    double dropout;
} shape_case;

static const shape_case shapes[] = {
    {"odd T, mixed padding, an empty sequence", 3, 2, 7, 4, {7, 4, 0}, false, false, 0, 0},
    {"one head, odd head size, reversed positions", 1, 1, 5, 3, {5}, true, false, 0, 0},
    {"eight heads, randomized positions, a length-1 sequence", 2, 8, 6, 2, {6, 1}, false, true, 64, 0},
    {"reversed randomized positions, T 11", 2, 2, 11, 2, {11, 9}, true, true, 40, 0},
    {"attention dropout 0.25, randomized positions", 2, 2, 6, 4, {6, 3}, false, true, 30, 0.25},
};

static const int kinds[] = {POSITIONAL_ALIBI, POSITIONAL_T5, POSITIONAL_RELATIVE};

static const char *kind_name(int kind) {
    return kind == POSITIONAL_ALIBI ? "ALiBi" : kind == POSITIONAL_T5 ? "T5" : "relative";
}

/* ---- explicit masks from the definitions (as in test_sparse_attention) ---- */

typedef struct mask_spec {
    enum { FULL, SLIDING, BLOCKED, LONGFORMER, BIGBIRD } kind;
    int window, block, random_blocks, dilation;
    int n_global;
    int global[4];
} mask_spec;

typedef struct variant {
    const char *mechanism, *options;
    mask_spec mask;
} variant;

static const variant variants[] = {
    {"full", NULL, {.kind = FULL}},
    {"local", "window=2", {.kind = SLIDING, .window = 2}},
    {"local", "blocked=true;block=3", {.kind = BLOCKED, .block = 3}},
    {"longformer", "window=3;global_tokens=[4]", {.kind = LONGFORMER, .window = 3, .dilation = 1, .n_global = 2,
                                                  .global = {0, 4}}},
    {"longformer", "window=4;dilation=[2];global_projections=false",
     {.kind = LONGFORMER, .window = 4, .dilation = 2, .n_global = 1, .global = {0}}},
    {"bigbird", "block=1;random_blocks=1", {.kind = BIGBIRD, .block = 1, .random_blocks = 1}},
};

static bool is_global(const mask_spec *m, int i) {
    for (int g = 0; g < m->n_global; g++)
        if (m->global[g] == i) return true;
    return false;
}

static bool in_window(const mask_spec *m, int i, int j) {
    const int d = m->dilation, left = m->window - m->window / 2 - 1, right = m->window / 2, offset = j - i;
    return offset % d == 0 && offset >= -left * d && offset <= right * d;
}

static bool bigbird_allowed(const mask_spec *m, int h, int L, int i, int j) {
    if (bigbird_uses_full(L, m->block, m->random_blocks)) return true;
    const int n_blocks = (L + m->block - 1) / m->block, bi = i / m->block, bj = j / m->block;
    if (bi == 0 || bi == n_blocks - 1 || bj == 0 || bj == n_blocks - 1 || abs(bj - bi) <= 1) return true;
    int32_t random[8];
    bigbird_random_blocks(SEED, LAYER, h, bi, n_blocks, m->random_blocks, random);
    for (int r = 0; r < m->random_blocks; r++)
        if (random[r] == bj) return true;
    return false;
}

/* rows: 0 every row, 1 Longformer's windowed rows, 2 its global rows. */
static void build_mask(uint8_t *allowed, const mask_spec *m, int h, int T, int L, int rows) {
    for (int i = 0; i < T; i++)
        for (int j = 0; j < T; j++) {
            bool ok = i < L && j < L;
            if (ok) switch (m->kind) {
                case FULL: break;
                case SLIDING: ok = abs(i - j) <= m->window; break;
                case BLOCKED: ok = i / m->block == j / m->block; break;
                case LONGFORMER:
                    if (is_global(m, i)) ok = rows != 1;
                    else ok = rows != 2 && (is_global(m, j) || in_window(m, i, j));
                    break;
                case BIGBIRD: ok = bigbird_allowed(m, h, L, i, j); break;
                }
            allowed[(size_t)i * T + j] = ok;
        }
}

/* ---- one mechanism with positions ---- */

typedef struct instance {
    const mechanism_ops *ops;
    void *state;
    int n_inputs, kind;
    attention_call call;
    attention_positions pos;
    int32_t *positions;
    size_t tensor, n_pos;
    attention_sizes sizes;
    real *params, *dparams, *pparams, *dpparams, *inputs, *dinputs, *out, *saved, *scratch, *weights;
} instance;

static void *zalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) abort();
    return p;
}

/* kind 0: no positions in the call (the mechanism is still told `geometry_kind`). */
static bool instance_init(instance *in, const char *mechanism, const char *options, const shape_case *c,
                          int geometry_kind, int kind) {
    memset(in, 0, sizeof *in);
    in->ops = mechanism_find(mechanism);
    CHECK(in->ops != NULL);
    in->kind = kind;
    opt_set set;
    test_mechanism_options(in->ops, options, &set);
    const attention_geometry geometry = {.heads = c->NH, .head_size = c->hs, .max_tokens = c->T, .layers = 2,
                                         .global_token = 0, .positional = geometry_kind,
                                         .max_position = c->randomized ? c->max_position : c->T + 8};
    error_info err = {0};
    if (in->ops->init(&in->state, &set, &geometry, &in->n_inputs, &err) != 0) {
        test_check(false, "mechanism init", "%s {%s}: %s", mechanism, options, err.message);
        return false;
    }
    const attention_shape shape = {c->B, c->NH, c->T, c->hs};
    in->tensor = (size_t)c->B * c->NH * c->T * c->hs;
    in->sizes = in->ops->sizes(in->state, shape);
    in->n_pos = position_bias_params(geometry_kind, c->NH, c->hs);
    in->params = zalloc(in->sizes.params, sizeof(real));
    in->dparams = zalloc(in->sizes.params, sizeof(real));
    in->pparams = zalloc(in->n_pos, sizeof(real));
    in->dpparams = zalloc(in->n_pos, sizeof(real));
    in->saved = zalloc(in->sizes.saved, sizeof(real));
    in->scratch = zalloc(in->sizes.scratch, sizeof(real));
    in->inputs = zalloc(in->n_inputs * in->tensor, sizeof(real));
    in->dinputs = zalloc(in->n_inputs * in->tensor, sizeof(real));
    in->out = zalloc(in->tensor, sizeof(real));
    in->weights = zalloc(in->tensor, sizeof(real));
    in->positions = zalloc((size_t)c->B * c->T, sizeof(int32_t));
    rng r;
    rng_seed(&r, 34);
    if (in->ops->init_params) in->ops->init_params(in->state, in->params, &r);
    positions_fill(in->positions, c->lengths, c->B, c->T, c->reverse, c->randomized, c->max_position, POSITION_KEY);
    gradcheck_fill(in->inputs, in->n_inputs * in->tensor, 31, 1.5);
    gradcheck_fill(in->weights, in->tensor, 32, 1.0);
    gradcheck_fill(in->pparams, in->n_pos, 33, 0.8);
    in->pos = (attention_positions){kind, in->positions, in->pparams, in->dpparams};
    in->call = (attention_call){.shape = shape,
                                .lengths = c->lengths,
                                .layer = LAYER,
                                .training = c->dropout > 0,
                                .step = 3,
                                .seed = SEED,
                                .dropout = (real)c->dropout,
                                .dropout_key = 99,
                                .positions = kind ? &in->pos : NULL};
    return true;
}

static void instance_free(instance *in) {
    if (in->ops->free) in->ops->free(in->state);
    free(in->params), free(in->dparams), free(in->pparams), free(in->dpparams), free(in->saved);
    free(in->scratch), free(in->inputs), free(in->dinputs), free(in->out), free(in->weights), free(in->positions);
}

static double loss_of(void *ctx) {
    instance *in = ctx;
    in->ops->forward(in->state, &in->call, in->params, in->inputs, in->out, in->saved, in->scratch);
    return gradcheck_weighted_sum(in->out, in->weights, in->tensor);
}

static void instance_run(instance *in) {
    memset(in->dinputs, 0, sizeof(real) * in->n_inputs * in->tensor);
    memset(in->dpparams, 0, sizeof(real) * in->n_pos);
    loss_of(in);
    in->ops->backward(in->state, &in->call, in->params, in->inputs, in->out, in->weights, in->saved, in->dinputs,
                      in->dparams, in->scratch);
}

static size_t head_at(const attention_shape *s, int b, int h) { return (((size_t)b * s->NH + h) * s->T) * s->hs; }

/* ---- the reference's position terms, from the definitions ---- */

/* R(δ)[k], the relative sinusoid, computed here on its own. */
static double sinusoid(int delta, int k, int width) {
    const int half = width / 2;
    const double angle = delta * pow(10000.0, -2.0 * (k % half) / width);
    return k < half ? sin(angle) : cos(angle);
}

typedef struct head_terms {
    double *bias, *u, *v, *rel;   /* reference_terms' arrays */
    double *gbias, *gu, *gv, *grel; /* their gradients */
} head_terms;

static void build_terms(const instance *in, int b, int h, head_terms *t) {
    const attention_shape *s = &in->call.shape;
    const int T = s->T, hs = s->hs, D = s->NH * hs, width = position_relative_width(s->NH, hs);
    const int32_t *p = in->positions + (size_t)b * T;
    const real *params = in->pparams;
    for (int i = 0; i < T; i++)
        for (int j = 0; j < T; j++) {
            const int d = p[i] - p[j];
            if (in->kind == POSITIONAL_ALIBI)
                t->bias[i * T + j] = position_alibi_slope(h, s->NH) * ((d > 0 ? 0.5 : 0.0) - abs(d));
            if (in->kind == POSITIONAL_T5)
                t->bias[i * T + j] = params[h * POSITION_T5_BUCKETS + position_t5_bucket(d)];
            if (in->kind == POSITIONAL_RELATIVE)
                for (int c = 0; c < hs; c++) {
                    double r = 0;
                    for (int k = 0; k < width; k++) r += sinusoid(d, k, width) * params[2 * D + k * D + h * hs + c];
                    t->rel[((size_t)i * T + j) * hs + c] = r;
                }
        }
    for (int c = 0; in->kind == POSITIONAL_RELATIVE && c < hs; c++) {
        t->u[c] = params[h * hs + c];
        t->v[c] = params[D + h * hs + c];
    }
}

/* Adds the term gradients of (b, h) into the parameter gradient. */
static void map_term_grads(const instance *in, int b, int h, const head_terms *t, double *dp) {
    const attention_shape *s = &in->call.shape;
    const int T = s->T, hs = s->hs, D = s->NH * hs, width = position_relative_width(s->NH, hs);
    const int32_t *p = in->positions + (size_t)b * T;
    if (in->kind == POSITIONAL_T5)
        for (int i = 0; i < T; i++)
            for (int j = 0; j < T; j++)
                dp[h * POSITION_T5_BUCKETS + position_t5_bucket(p[i] - p[j])] += t->gbias[i * T + j];
    if (in->kind != POSITIONAL_RELATIVE) return;
    for (int c = 0; c < hs; c++) {
        dp[h * hs + c] += t->gu[c];
        dp[D + h * hs + c] += t->gv[c];
    }
    for (int i = 0; i < T; i++)
        for (int j = 0; j < T; j++)
            for (int k = 0; k < width; k++)
                for (int c = 0; c < hs; c++)
                    dp[2 * D + k * D + h * hs + c] +=
                        t->grel[((size_t)i * T + j) * hs + c] * sinusoid(p[i] - p[j], k, width);
}

/* The reference for one (b, h) with projection set ps under `allowed`, added into
 * ref_out and ref_d; the term gradients go into t. */
static void reference_head(const instance *in, int b, int h, int ps, const uint8_t *allowed, head_terms *t,
                           real *ref_out, real *ref_d) {
    const attention_shape *s = &in->call.shape;
    const size_t off = head_at(s, b, h), n = (size_t)s->T * s->hs;
    const real *q = in->inputs + (3 * ps) * in->tensor + off, *k = in->inputs + (3 * ps + 1) * in->tensor + off,
               *v = in->inputs + (3 * ps + 2) * in->tensor + off;
    const bool relative = in->kind == POSITIONAL_RELATIVE;
    const reference_terms terms = {relative ? NULL : t->bias, relative ? t->u : NULL, relative ? t->v : NULL,
                                   relative ? t->rel : NULL};
    const reference_term_grads grads = {t->gbias, t->gu, t->gv, t->grel};
    real *out = zalloc(n, sizeof(real));
    reference_attention_forward_terms(out, q, k, v, allowed, &terms, s->T, s->hs);
    for (size_t i = 0; i < n; i++) ref_out[off + i] += out[i];
    reference_attention_backward_terms(ref_d + (3 * ps) * in->tensor + off, ref_d + (3 * ps + 1) * in->tensor + off,
                                       ref_d + (3 * ps + 2) * in->tensor + off, &grads, in->weights + off, q, k, v,
                                       allowed, &terms, s->T, s->hs);
    free(out);
}

static double max_diff(const real *a, const real *b, size_t n) {
    double worst = 0;
    for (size_t i = 0; i < n; i++) worst = fmax(worst, fabs((double)a[i] - b[i]));
    return worst;
}

static void check_reference(instance *in, const variant *var, const shape_case *c, const char *label) {
    const int T = c->T, hs = c->hs;
    real *ref_out = zalloc(in->tensor, sizeof(real)), *ref_d = zalloc(in->n_inputs * in->tensor, sizeof(real));
    double *ref_dp = zalloc(in->n_pos, sizeof(double));
    uint8_t *allowed = zalloc((size_t)T * T, 1);
    head_terms t = {zalloc((size_t)T * T, sizeof(double)), zalloc(hs, sizeof(double)), zalloc(hs, sizeof(double)),
                    zalloc((size_t)T * T * hs, sizeof(double)), zalloc((size_t)T * T, sizeof(double)),
                    zalloc(hs, sizeof(double)), zalloc(hs, sizeof(double)), zalloc((size_t)T * T * hs, sizeof(double))};
    for (int b = 0; b < c->B; b++)
        for (int h = 0; h < c->NH; h++) {
            build_terms(in, b, h, &t);
            memset(t.gbias, 0, sizeof(double) * T * T);
            memset(t.gu, 0, sizeof(double) * hs);
            memset(t.gv, 0, sizeof(double) * hs);
            memset(t.grel, 0, sizeof(double) * T * T * hs);
            if (var->mask.kind == LONGFORMER) {
                build_mask(allowed, &var->mask, h, T, c->lengths[b], 1);
                reference_head(in, b, h, 0, allowed, &t, ref_out, ref_d);
                build_mask(allowed, &var->mask, h, T, c->lengths[b], 2);
                reference_head(in, b, h, in->n_inputs == 6 ? 1 : 0, allowed, &t, ref_out, ref_d);
            } else {
                build_mask(allowed, &var->mask, h, T, c->lengths[b], 0);
                reference_head(in, b, h, 0, allowed, &t, ref_out, ref_d);
            }
            map_term_grads(in, b, h, &t, ref_dp);
        }
    const double d_out = max_diff(in->out, ref_out, in->tensor);
    const double d_in = max_diff(in->dinputs, ref_d, in->n_inputs * in->tensor);
    double d_par = 0;
    for (size_t i = 0; i < in->n_pos; i++) d_par = fmax(d_par, fabs(in->dpparams[i] - ref_dp[i]));
    test_check(d_out < 1e-12, "output equals the dense reference with the position term", "%s: %.3g", label, d_out);
    test_check(d_in < 1e-12, "input gradients equal the dense reference's", "%s: %.3g", label, d_in);
    if (in->n_pos)
        test_check(d_par < 1e-11, "position-parameter gradient equals the dense reference's", "%s: %.3g", label,
                   d_par);
    free(ref_out), free(ref_d), free(ref_dp), free(allowed);
    free(t.bias), free(t.u), free(t.v), free(t.rel), free(t.gbias), free(t.gu), free(t.gv), free(t.grel);
}

static void check_padding_gradients(const instance *in, const shape_case *c, const char *label) {
    const attention_shape *s = &in->call.shape;
    bool zero = true;
    for (int p = 0; p < in->n_inputs; p++)
        for (int b = 0; b < c->B; b++)
            for (int h = 0; h < c->NH; h++)
                for (size_t i = (size_t)c->lengths[b] * c->hs; i < (size_t)c->T * c->hs; i++)
                    if (in->dinputs[p * in->tensor + head_at(s, b, h) + i] != 0) zero = false;
    test_check(zero, "padded positions get exactly zero gradient", "%s", label);
}

static void check_case(const variant *var, const shape_case *c, int kind) {
    instance in;
    if (!instance_init(&in, var->mechanism, var->options, c, kind, kind)) return;
    char label[300];
    snprintf(label, sizeof label, "%s {%s} %s, %s", var->mechanism, var->options ? var->options : "", kind_name(kind),
             c->label);
    printf("-- %s (B=%d NH=%d T=%d hs=%d)\n", label, c->B, c->NH, c->T, c->hs);
    instance_run(&in);
    if (c->dropout == 0) check_reference(&in, var, c, label);
    check_padding_gradients(&in, c, label);
    real *analytic = zalloc(in.n_inputs * in.tensor, sizeof(real));
    memcpy(analytic, in.dinputs, sizeof(real) * in.n_inputs * in.tensor);
    char name[400];
    snprintf(name, sizeof name, "inputs of %s", label);
    gradcheck_compare(name, in.inputs, analytic, in.n_inputs * in.tensor, loss_of, &in, 1e-6, 1e-6);
    if (in.n_pos) {
        real *analytic_pos = zalloc(in.n_pos, sizeof(real));
        memcpy(analytic_pos, in.dpparams, sizeof(real) * in.n_pos);
        snprintf(name, sizeof name, "position parameters of %s", label);
        gradcheck_compare(name, in.pparams, analytic_pos, in.n_pos, loss_of, &in, 1e-6, 1e-6);
        /* A second backward adds exactly the same again. */
        in.ops->backward(in.state, &in.call, in.params, in.inputs, in.out, in.weights, in.saved, in.dinputs,
                         in.dparams, in.scratch);
        bool doubled = true;
        for (size_t i = 0; i < in.n_pos; i++) doubled = doubled && in.dpparams[i] == 2 * analytic_pos[i];
        test_check(doubled, "backward twice gives exactly twice the position-parameter gradient", "%s", label);
        free(analytic_pos);
    }
    free(analytic);
    instance_free(&in);
}

/* Zero T5 or relative parameters add exactly zero: the same bits as no positions. */
static void check_zero_parameters(const variant *var, int kind) {
    const shape_case *c = &shapes[0];
    instance with, without;
    if (!instance_init(&with, var->mechanism, var->options, c, kind, kind)) return;
    if (!instance_init(&without, var->mechanism, var->options, c, 0, 0)) return;
    memset(with.pparams, 0, sizeof(real) * with.n_pos);
    instance_run(&with);
    instance_run(&without);
    const bool same = memcmp(with.out, without.out, sizeof(real) * with.tensor) == 0 &&
                      memcmp(with.dinputs, without.dinputs, sizeof(real) * with.n_inputs * with.tensor) == 0;
    test_check(same, "zero position parameters give the no-position output and gradients bit for bit",
               "%s {%s} %s", var->mechanism, var->options ? var->options : "", kind_name(kind));
    instance_free(&with);
    instance_free(&without);
}

/* Every position + 7: ALiBi, T5 and relative see only differences. */
static void check_shift(const variant *var, int kind) {
    const shape_case *c = &shapes[0];
    instance a, b;
    if (!instance_init(&a, var->mechanism, var->options, c, kind, kind)) return;
    if (!instance_init(&b, var->mechanism, var->options, c, kind, kind)) return;
    for (int bb = 0; bb < c->B; bb++)
        for (int t = 0; t < c->lengths[bb]; t++) b.positions[bb * c->T + t] += 7;
    instance_run(&a);
    instance_run(&b);
    double worst = max_diff(a.out, b.out, a.tensor);
    worst = fmax(worst, max_diff(a.dinputs, b.dinputs, a.n_inputs * a.tensor));
    for (size_t i = 0; i < a.n_pos; i++) worst = fmax(worst, fabs(a.dpparams[i] - b.dpparams[i]));
    test_check(worst < 1e-12, "shifting every position by 7 changes no output or gradient", "%s {%s} %s: %.3g",
               var->mechanism, var->options ? var->options : "", kind_name(kind), worst);
    instance_free(&a);
    instance_free(&b);
}

/* One thread and two, on a shape large enough for the (batch, head) loop to split:
 * output, input gradients and position-parameter gradient bit for bit. */
static void check_threads(const variant *var, int kind) {
    static const shape_case big = {"threads", 4, 4, 128, 16, {128, 97, 113, 3}, true, true, 300, 0.1};
    instance runs[2];
    for (int r = 0; r < 2; r++) {
        parallel_set_threads(r + 1);
        if (!instance_init(&runs[r], var->mechanism, var->options, &big, kind, kind)) return;
        instance_run(&runs[r]);
    }
    parallel_set_threads(1);
    const bool same = memcmp(runs[0].out, runs[1].out, sizeof(real) * runs[0].tensor) == 0 &&
                      memcmp(runs[0].dinputs, runs[1].dinputs, sizeof(real) * runs[0].n_inputs * runs[0].tensor) == 0 &&
                      memcmp(runs[0].dpparams, runs[1].dpparams, sizeof(real) * runs[0].n_pos) == 0;
    test_check(same, "one thread and two give the same output and gradients, bit for bit", "%s {%s} %s",
               var->mechanism, var->options ? var->options : "", kind_name(kind));
    instance_free(&runs[0]);
    instance_free(&runs[1]);
}

/* The flag: the mechanisms that form explicit scores take positions, the kernelized
 * ones do not; every one that claims support runs every kind with its defaults. */
static void check_flags(void) {
    const char *with[] = {"full", "local", "longformer", "bigbird"};
    const char *without[] = {"performer", "linear"};
    for (size_t i = 0; i < sizeof with / sizeof with[0]; i++) {
        const mechanism_ops *ops = mechanism_find(with[i]);
        test_check(ops && ops->position_scores, "mechanism supports position scores", "%s", with[i]);
    }
    for (size_t i = 0; i < sizeof without / sizeof without[0]; i++) {
        const mechanism_ops *ops = mechanism_find(without[i]);
        test_check(ops && !ops->position_scores, "kernelized mechanism reports no position scores", "%s",
                   without[i]);
    }
    for (int m = 0; m < test_mechanism_count(); m++) {
        const mechanism_ops *ops = test_mechanism_at(m);
        printf("-- %s: position_scores = %s\n", ops->name, ops->position_scores ? "true" : "false");
        if (!ops->position_scores) continue;
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            instance in;
            if (!instance_init(&in, ops->name, NULL, &shapes[0], kinds[k], kinds[k])) continue;
            instance_run(&in);
            real *analytic = zalloc(in.n_pos, sizeof(real));
            memcpy(analytic, in.dpparams, sizeof(real) * in.n_pos);
            char name[200];
            snprintf(name, sizeof name, "position parameters of %s (defaults), %s", ops->name, kind_name(kinds[k]));
            if (in.n_pos) gradcheck_compare(name, in.pparams, analytic, in.n_pos, loss_of, &in, 1e-6, 1e-6);
            else test_check(isfinite(loss_of(&in)), "ALiBi runs", "%s (defaults)", ops->name);
            free(analytic);
            instance_free(&in);
        }
    }
}

int main(void) {
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++)
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) check_case(&variants[v], &shapes[s], kinds[k]);
            if (kinds[k] != POSITIONAL_ALIBI) check_zero_parameters(&variants[v], kinds[k]);
            check_shift(&variants[v], kinds[k]);
            check_threads(&variants[v], kinds[k]);
        }
    check_flags();
    return test_finish("test_position_scores");
}
