/* learned_scale.c — a test-only mechanism with learned parameters, so that the dparams
 * path of every registry-wide test runs before a shipped mechanism needs it.
 *
 * Full softmax attention, computed naively, with two learned scalars per head: a
 * temperature τ_h on the scores and a gain g_h on the output,
 *   s_ij = τ_h · q_i·k_j / √hs over real keys j,  p_i = softmax(s_i),
 *   o_i = g_h · Σ_j p_ij · keep_ij · v_j          (keep: attention dropout's scale),
 * params (2, NH): τ then g, both initialised near 1. It keeps the padding contract of
 * mechanism.h, saves the probabilities (B, NH, T, T), and runs (b, h) pairs on threads:
 * each pair writes its parameter gradient into its own slot of the scratch and the
 * slots are added into dparams in order of (b, h), so the result does not depend on the
 * thread count. It is not in the shipped registry: tests/support/test_mechanisms.c
 * registers it with mechanism_register_extra. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/parallel.h"
#include "mechanisms/attention_dropout.h"
#include "mechanisms/mechanism.h"
#include "test_mechanisms.h"

typedef struct learned_scale_state {
    int heads;
} learned_scale_state;

static int learned_scale_init(void **state, const opt_set *options, const attention_geometry *geometry,
                              int *n_inputs, error_info *err) {
    learned_scale_state *st = calloc(1, sizeof *st);
    if (!st) return error_set(err, EXIT_RUNTIME, "out of memory");
    st->heads = geometry->heads;
    *state = st;
    *n_inputs = 3;
    return 0;
}

/* Per thread: a row of dP (T), a row of Σ_j p_ij keep_ij v_j and of dQ (hs each), and
 * the head's dK and dV (T, hs each); then the (B, NH, 2) slots of dτ and dg. Every
 * gradient is collected there and added to the caller's once, so a second backward adds
 * exactly the same values. */
static size_t thread_reals(attention_shape shape) {
    return (size_t)shape.T + 2 * (size_t)shape.hs + 2 * (size_t)shape.T * shape.hs;
}

static attention_sizes learned_scale_sizes(const void *state, attention_shape shape) {
    const learned_scale_state *st = state;
    return (attention_sizes){
        .params = 2 * (size_t)st->heads,
        .saved = (size_t)shape.B * shape.NH * shape.T * shape.T,
        .scratch = thread_reals(shape) * (size_t)parallel_threads() + (size_t)shape.B * shape.NH * 2,
    };
}

static void learned_scale_init_params(const void *state, real *params, rng *r) {
    const learned_scale_state *st = state;
    for (int i = 0; i < 2 * st->heads; i++) params[i] = (real)(1 + 0.2 * (rng_uniform(r) - 0.5));
}

static real dot(const real *a, const real *b, int n) {
    real sum = 0;
    for (int i = 0; i < n; i++) sum += a[i] * b[i];
    return sum;
}

/* One (b, h): the head's rows of Q, K, V (T, hs) and its probabilities (T, T). */
typedef struct head {
    int b, h, L, T, hs;
    real tau, gain, scale; /* scale = 1/√hs */
    const real *q, *k, *v;
    real *p;
} head;

static head head_at(const attention_call *call, const real *params, const real *inputs, const real *saved, int bh) {
    const attention_shape s = call->shape;
    const size_t tensor = (size_t)s.B * s.NH * s.T * s.hs, off = (size_t)bh * s.T * s.hs;
    head hd = {.b = bh / s.NH, .h = bh % s.NH, .T = s.T, .hs = s.hs, .scale = 1 / REAL_SQRT((real)s.hs),
               .q = inputs + off, .k = inputs + tensor + off, .v = inputs + 2 * tensor + off,
               .p = (real *)saved + (size_t)bh * s.T * s.T};
    hd.L = call->lengths[hd.b];
    hd.tau = params[hd.h];
    hd.gain = params[s.NH + hd.h];
    return hd;
}

static real keep_of(const attention_call *call, const head *hd, int i, int j) {
    return attention_dropout_active(call) ? attention_keep_scale(call, hd->b, hd->h, i, j) : 1;
}

/* u (hs) = Σ_j p_ij keep_ij v_j over the real keys of row i. */
static void mix_values(const attention_call *call, const head *hd, int i, real *u) {
    memset(u, 0, sizeof(real) * hd->hs);
    for (int j = 0; j < hd->L; j++) {
        const real w = hd->p[(size_t)i * hd->T + j] * keep_of(call, hd, i, j);
        for (int c = 0; c < hd->hs; c++) u[c] += w * hd->v[(size_t)j * hd->hs + c];
    }
}

static void learned_scale_forward(const void *state, const attention_call *call, const real *params,
                                  const real *inputs, real *out, real *saved, real *scratch) {
    const attention_shape s = call->shape;
#pragma omp parallel for schedule(static)
    for (int bh = 0; bh < s.B * s.NH; bh++) {
        head hd = head_at(call, params, inputs, saved, bh);
        real *o = out + (size_t)bh * s.T * s.hs;
        memset(o, 0, sizeof(real) * (size_t)s.T * s.hs);
        for (int i = 0; i < hd.L; i++) {
            real *p = hd.p + (size_t)i * s.T, max = -INFINITY, sum = 0;
            for (int j = 0; j < hd.L; j++) {
                p[j] = hd.tau * hd.scale * dot(hd.q + (size_t)i * s.hs, hd.k + (size_t)j * s.hs, s.hs);
                if (p[j] > max) max = p[j];
            }
            for (int j = 0; j < hd.L; j++) sum += p[j] = REAL_EXP(p[j] - max);
            for (int j = 0; j < hd.L; j++) p[j] /= sum;
            mix_values(call, &hd, i, o + (size_t)i * s.hs);
            for (int c = 0; c < s.hs; c++) o[(size_t)i * s.hs + c] *= hd.gain;
        }
    }
}

static void learned_scale_backward(const void *state, const attention_call *call, const real *params,
                                   const real *inputs, const real *out, const real *dout, const real *saved,
                                   real *dinputs, real *dparams, real *scratch) {
    const attention_shape s = call->shape;
    const size_t tensor = (size_t)s.B * s.NH * s.T * s.hs, head_reals = (size_t)s.T * s.hs;
    real *slots = scratch + thread_reals(s) * (size_t)parallel_threads(); /* (B, NH, 2) */
#pragma omp parallel for schedule(static)
    for (int bh = 0; bh < s.B * s.NH; bh++) {
        const head hd = head_at(call, params, inputs, saved, bh);
        real *dp = scratch + thread_reals(s) * (size_t)parallel_thread_id();
        real *u = dp + s.T, *dq_i = u + s.hs, *dk = dq_i + s.hs, *dv = dk + head_reals;
        memset(dk, 0, sizeof(real) * 2 * head_reals);
        const size_t off = (size_t)bh * head_reals;
        real dtau = 0, dgain = 0;
        for (int i = 0; i < hd.L; i++) {
            const real *p = hd.p + (size_t)i * s.T, *dout_i = dout + off + (size_t)i * s.hs;
            const real *q_i = hd.q + (size_t)i * s.hs;
            mix_values(call, &hd, i, u);
            dgain += dot(dout_i, u, s.hs);
            real delta = 0;
            for (int j = 0; j < hd.L; j++) { /* du_i = g·dO_i; dP_ij = keep_ij du_i·v_j */
                const real keep = keep_of(call, &hd, i, j);
                dp[j] = keep * hd.gain * dot(dout_i, hd.v + (size_t)j * s.hs, s.hs);
                delta += p[j] * dp[j];
                for (int c = 0; c < s.hs; c++) dv[(size_t)j * s.hs + c] += p[j] * keep * hd.gain * dout_i[c];
            }
            memset(dq_i, 0, sizeof(real) * s.hs);
            for (int j = 0; j < hd.L; j++) { /* dS_ij = p_ij (dP_ij − Σ_k p_ik dP_ik) */
                const real ds = p[j] * (dp[j] - delta), *k_j = hd.k + (size_t)j * s.hs;
                dtau += ds * hd.scale * dot(q_i, k_j, s.hs);
                for (int c = 0; c < s.hs; c++) {
                    dq_i[c] += hd.tau * hd.scale * ds * k_j[c];
                    dk[(size_t)j * s.hs + c] += hd.tau * hd.scale * ds * q_i[c];
                }
            }
            for (int c = 0; c < s.hs; c++) dinputs[off + (size_t)i * s.hs + c] += dq_i[c];
        }
        for (size_t i = 0; i < (size_t)hd.L * s.hs; i++) {
            dinputs[tensor + off + i] += dk[i];
            dinputs[2 * tensor + off + i] += dv[i];
        }
        slots[2 * (size_t)bh] = dtau;
        slots[2 * (size_t)bh + 1] = dgain;
    }
    for (int h = 0; h < s.NH; h++) { /* sum over b in order, then add once */
        real dtau = 0, dgain = 0;
        for (int b = 0; b < s.B; b++) {
            dtau += slots[2 * ((size_t)b * s.NH + h)];
            dgain += slots[2 * ((size_t)b * s.NH + h) + 1];
        }
        dparams[h] += dtau;
        dparams[s.NH + h] += dgain;
    }
}

static double learned_scale_flops(const void *state, attention_shape shape) {
    /* 2·T²·hs for each product: forward QKᵀ and PV; backward dP, dV, dQ, dK and the scores again for dτ. */
    return 14.0 * shape.B * shape.NH * (double)shape.T * shape.T * shape.hs;
}

const mechanism_ops mechanism_learned_scale = {
    .name = "learned_scale",
    .summary = "test only: full attention with a learned temperature and output gain per head",
    .init = learned_scale_init,
    .sizes = learned_scale_sizes,
    .init_params = learned_scale_init_params,
    .forward = learned_scale_forward,
    .backward = learned_scale_backward,
    .flops = learned_scale_flops,
    .free = free,
};
