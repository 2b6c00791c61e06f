/* performer.c — Performer attention (FAVOR+): softmax attention approximated by
 * positive random features, in time and memory linear in T (kernel_attention.c).
 *
 * kernel softmax: x' = hs^(-1/4) x, u = Ω x' (Ω: m rows ω_l), and
 *   φ(x) = m^(-1/2) (exp(u − ‖x'‖²/2 − c) + 1e-4),
 * whose products estimate exp(q·k/√hs). The stabiliser c is, for a query, the max of
 * its own u, and for keys one max over every real key and feature of the (b, h) pair
 * (padded keys never enter it, nor S and z: their φ rows are left out, unlike
 * performer-pytorch, where pad keys still reach the denominator). Because the 1e-4 is
 * added after the exp, c does not cancel exactly between numerator and denominator, so
 * the backward does not treat it as a constant: its exact (almost everywhere)
 * gradient flows to the argmax element, which is what makes finite differences agree.
 * kernel relu: φ(x) = relu(Ω x) + 1e-3, no scaling; with `deterministic` Ω is the
 * identity (m = hs), which is what LRA's "Performer" is. Denominators get
 * R ← R + 2e-6 where |R| ≤ 1e-6.
 *
 * Ω: orthogonal blocks (modified Gram–Schmidt of hs×hs Gaussians, ⌈m/hs⌉ blocks, the
 * last one truncated, each row scaled by the norm of an independent N(0, I_hs)
 * vector) or i.i.d. N(0, I_hs) rows, drawn per layer and head from (seed, layer,
 * head, step / redraw); evaluation, called with the last training step, keeps the
 * features training ended with. Ω is drawn in forward and kept in saved (NH·m·hs
 * reals per layer). There is no probability matrix, so attention dropout does not
 * apply. */
#include "mechanisms/performer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/tile_gemm.h"
#include "core/check.h"
#include "core/vecmath.h"
#include "mechanisms/kernel_attention.h"


typedef struct performer_state {
    kernel_map map; /* first: the map's functions cast it back to the state */
    bool orthogonal;
    int64_t redraw;  /* steps per draw; 0: one draw for the whole run */
    real data_scale; /* hs^(-1/4) */
    real ratio;      /* m^(-1/2) */
} performer_state;

static const opt_spec performer_options[] = {
    {"features", OPT_INT, "256", 1, 8192, NULL, "number of random features m (unused when deterministic)"},
    {"kernel", OPT_STRING, "softmax", 0, 0, "softmax|relu",
     "softmax: positive random features of exp(q.k/sqrt(hs)); relu: relu(Omega x) + 1e-3"},
    {"orthogonal", OPT_BOOL, "true", 0, 0, NULL, "orthogonal blocks of features instead of i.i.d. Gaussian rows"},
    {"deterministic", OPT_BOOL, "false", 0, 0, NULL,
     "relu kernel without projection (Omega = identity, m = head size): LRA's Performer"},
    {"redraw", OPT_INT, "1000", 0, 1000000000, NULL, "draw new features every this many training steps (0: never)"},
};

static int imin(int a, int b) { return a < b ? a : b; }

void performer_draw_projection(const void *state, const attention_call *call, int head, real *omega) {
    const performer_state *st = state;
    const int m = st->map.features, hs = st->map.head_size;
    const int64_t epoch = st->redraw > 0 ? call->step / st->redraw : 0;
    rng r;
    rng_seed(&r, rng_key(call->seed, RNG_STREAM_PERFORMER_FEATURES,
                         (uint64_t)(uint32_t)call->layer << 32 | (uint32_t)head, (uint64_t)epoch));
    if (!st->orthogonal) {
        for (size_t i = 0; i < (size_t)m * hs; i++) omega[i] = (real)rng_normal(&r);
        return;
    }
    for (int first = 0; first < m; first += hs) {
        const int rows = imin(hs, m - first);
        for (int l = first; l < first + rows; l++) {
            real *w = omega + (size_t)l * hs;
            for (int d = 0; d < hs; d++) w[d] = (real)rng_normal(&r);
            for (int p = first; p < l; p++) {
                const real *u = omega + (size_t)p * hs;
                double dot = 0;
                for (int d = 0; d < hs; d++) dot += (double)w[d] * u[d];
                for (int d = 0; d < hs; d++) w[d] -= (real)dot * u[d];
            }
            double norm = 0;
            for (int d = 0; d < hs; d++) norm += (double)w[d] * w[d];
            CHECK(norm > 0);
            for (int d = 0; d < hs; d++) w[d] = (real)(w[d] / sqrt(norm));
        }
        for (int l = first; l < first + rows; l++) {
            double chi2 = 0;
            for (int d = 0; d < hs; d++) {
                const double g = rng_normal(&r);
                chi2 += g * g;
            }
            vec_scale(omega + (size_t)l * hs, (real)sqrt(chi2), hs);
        }
    }
}

void performer_raw_features(const real *omega, int m, int hs, const real *x, real *phi) {
    double sq = 0;
    for (int d = 0; d < hs; d++) sq += (double)x[d] * x[d];
    for (int l = 0; l < m; l++) {
        double u = 0;
        for (int d = 0; d < hs; d++) u += (double)omega[(size_t)l * hs + d] * x[d];
        phi[l] = (real)(exp(u - sq / 2) / sqrt((double)m));
    }
}

static void performer_head_setup(const kernel_map *map, const attention_call *call, int h, real *head) {
    performer_draw_projection(map, call, h, head);
}

/* Softmax kernel. Key statistics: c, the largest u over all real keys and features,
 * and where it is (row, feature), kept as reals (both are exact integers < 2^24). */
static void softmax_key_stats(const kernel_map *map, const real *head, const real *k, int L, real *work,
                              real *stats) {
    const performer_state *st = (const performer_state *)map;
    const int m = map->features, hs = map->head_size;
    real best = 0;
    int best_row = -1, best_feature = 0;
    for (int j0 = 0; j0 < L; j0 += KERNEL_CHUNK) {
        const int n = imin(KERNEL_CHUNK, L - j0);
        tile_gemm(false, true, n, m, hs, st->data_scale, k + (size_t)j0 * hs, hs, head, hs, 0, work, m);
        const real max = vec_max(work, n * m);
        if (best_row < 0 || max > best) {
            int at = 0;
            while (at < n * m - 1 && work[at] != max) at++;
            best = max, best_row = j0 + at / m, best_feature = at % m;
        }
    }
    stats[0] = best, stats[1] = (real)best_row, stats[2] = (real)best_feature;
}

static int softmax_key_pivot(const kernel_map *map, const real *stats) { return (int)stats[1]; }

/* aux: e = m^(-1/2) exp(u − ‖x'‖²/2 − c) (n, m), then per row the query's argmax. The
 * key rows use the same GEMM on the same chunks as softmax_key_stats, so the key max
 * is reproduced bit for bit. */
static void softmax_phi(const kernel_map *map, kernel_role role, const real *head, const real *stats, const real *x,
                        int n, real *phi, real *aux) {
    const performer_state *st = (const performer_state *)map;
    const int m = map->features, hs = map->head_size;
    const real s = st->data_scale, ratio = st->ratio, floor = st->ratio * (real)1e-4;
    tile_gemm(false, true, n, m, hs, s, x, hs, head, hs, 0, aux, m);
    for (int i = 0; i < n; i++) {
        real *e = aux + (size_t)i * m, *p = phi + (size_t)i * m;
        const real *xi = x + (size_t)i * hs;
        real sq = 0;
        for (int d = 0; d < hs; d++) sq += xi[d] * xi[d];
        real c;
        if (role == KERNEL_KEY) {
            c = stats[0];
        } else {
            c = vec_max(e, m);
            int at = 0;
            while (at < m - 1 && e[at] != c) at++;
            aux[(size_t)n * m + i] = (real)at;
        }
        vec_exp_sum(e, s * s * sq / 2 + c, m);
#pragma omp simd
        for (int l = 0; l < m; l++) {
            e[l] *= ratio;
            p[l] = e[l] + floor;
        }
    }
}

/* With g = dφ and p = g ∘ e: du = p, plus −Σp at the argmax of the stabiliser (the
 * query's own, or the keys' shared one once every chunk has been summed), and
 * dx' = Ωᵀ du − (Σ_l p_l) x'; dx = hs^(-1/4) dx'. */
static void softmax_phi_backward(const kernel_map *map, kernel_role role, const real *head, const real *stats,
                                 const real *x, int n, int row0, const real *phi, real *aux, real *dphi,
                                 real *stats_grad, bool last, real *dx) {
    const performer_state *st = (const performer_state *)map;
    const int m = map->features, hs = map->head_size;
    const real s = st->data_scale;
    real *ddiag = aux + (size_t)n * m; /* a query's argmax on entry, then −Σ_l p_l */
    for (int i = 0; i < n; i++) {
        real *g = dphi + (size_t)i * m;
        const real *e = aux + (size_t)i * m;
        real sum = 0;
#pragma omp simd reduction(+ : sum)
        for (int l = 0; l < m; l++) {
            g[l] *= e[l];
            sum += g[l];
        }
        if (role == KERNEL_QUERY)
            g[(int)ddiag[i]] -= sum;
        else
            stats_grad[0] -= sum;
        ddiag[i] = -sum;
    }
    if (role == KERNEL_KEY && last) {
        const int row = (int)stats[1] - row0;
        CHECK(row >= 0 && row < n);
        dphi[(size_t)row * m + (int)stats[2]] += stats_grad[0];
    }
    tile_gemm(false, false, n, hs, m, s, dphi, m, head, hs, 0, dx, hs);
    for (int i = 0; i < n; i++) {
        const real f = s * s * ddiag[i];
        for (int d = 0; d < hs; d++) dx[(size_t)i * hs + d] += f * x[(size_t)i * hs + d];
    }
}

/* ReLU kernel with a projection; aux: u = Ω x (n, m). relu(u) is written (u + |u|)/2
 * (the same bits) and the step as a select between loaded values with the quiet
 * isgreater: with GCC's default -ftrapping-math, plain comparisons feeding arithmetic
 * keep these loops from vectorising. */
static void relu_phi(const kernel_map *map, kernel_role role, const real *head, const real *stats, const real *x,
                     int n, real *phi, real *aux) {
    const int m = map->features, hs = map->head_size;
    tile_gemm(false, true, n, m, hs, 1, x, hs, head, hs, 0, aux, m);
    const size_t count = (size_t)n * m;
#pragma omp simd
    for (size_t i = 0; i < count; i++) phi[i] = (aux[i] + REAL_FABS(aux[i])) * (real)0.5 + (real)1e-3;
}

static void relu_phi_backward(const kernel_map *map, kernel_role role, const real *head, const real *stats,
                              const real *x, int n, int row0, const real *phi, real *aux, real *dphi,
                              real *stats_grad, bool last, real *dx) {
    const int m = map->features, hs = map->head_size;
    const size_t count = (size_t)n * m;
#pragma omp simd
    for (size_t i = 0; i < count; i++) {
        const real u = aux[i], g = dphi[i];
        dphi[i] = isgreater(u, 0) ? g : 0;
    }
    tile_gemm(false, false, n, hs, m, 1, dphi, m, head, hs, 0, dx, hs);
}

/* ReLU kernel without projection: φ(x) = relu(x) + 1e-3 element-wise (m = hs). */
static void identity_phi(const kernel_map *map, kernel_role role, const real *head, const real *stats,
                         const real *x, int n, real *phi, real *aux) {
    const size_t count = (size_t)n * map->head_size;
#pragma omp simd
    for (size_t i = 0; i < count; i++) phi[i] = (x[i] + REAL_FABS(x[i])) * (real)0.5 + (real)1e-3;
}

static void identity_phi_backward(const kernel_map *map, kernel_role role, const real *head, const real *stats,
                                  const real *x, int n, int row0, const real *phi, real *aux, real *dphi,
                                  real *stats_grad, bool last, real *dx) {
    const size_t count = (size_t)n * map->head_size;
#pragma omp simd
    for (size_t i = 0; i < count; i++) {
        const real u = x[i], g = dphi[i];
        dx[i] = isgreater(u, 0) ? g : 0;
    }
}

static int performer_init(void **state, const opt_set *options, const attention_geometry *geometry, int *n_inputs,
                          error_info *err) {
    const bool softmax = strcmp(opt_string(options, "kernel"), "softmax") == 0;
    const bool deterministic = opt_bool(options, "deterministic");
    if (deterministic && softmax)
        return error_set(err, EXIT_USAGE, "model.attention.deterministic: needs kernel: relu");
    performer_state *st = calloc(1, sizeof *st);
    if (!st) return error_set(err, EXIT_RUNTIME, "out of memory");
    const int hs = geometry->head_size;
    kernel_map *map = &st->map;
    map->head_size = hs;
    map->den_guard = true;
    if (deterministic) {
        map->features = hs;
        map->phi = identity_phi;
        map->phi_backward = identity_phi_backward;
    } else {
        map->features = (int)opt_int(options, "features");
        map->head_reals = (size_t)map->features * hs;
        map->projects = true;
        map->head_setup = performer_head_setup;
        if (softmax) {
            map->stats = 3;
            map->key_stats = softmax_key_stats;
            map->key_pivot = softmax_key_pivot;
            map->phi = softmax_phi;
            map->phi_backward = softmax_phi_backward;
        } else {
            map->phi = relu_phi;
            map->phi_backward = relu_phi_backward;
        }
    }
    st->orthogonal = opt_bool(options, "orthogonal");
    st->redraw = opt_int(options, "redraw");
    st->data_scale = (real)pow(hs, -0.25);
    st->ratio = (real)(1 / sqrt(map->features));
    *state = st;
    *n_inputs = 3;
    return 0;
}

static attention_sizes performer_sizes(const void *state, attention_shape shape) {
    return kernel_attention_sizes(state, shape);
}

static void performer_forward(const void *state, const attention_call *call, const real *params, const real *inputs,
                              real *out, real *saved, real *scratch) {
    kernel_attention_forward(state, call, inputs, out, saved, scratch);
}

static void performer_backward(const void *state, const attention_call *call, const real *params,
                               const real *inputs, const real *out, const real *dout, const real *saved,
                               real *dinputs, real *dparams, real *scratch) {
    kernel_attention_backward(state, call, inputs, out, dout, saved, dinputs, scratch);
}

static double performer_flops(const void *state, attention_shape shape) {
    return kernel_attention_flops(state, shape);
}

const mechanism_ops mechanism_performer = {
    .name = "performer",
    .summary = "Performer FAVOR+: softmax or ReLU random features, linear in T (no attention dropout)",
    .options = performer_options,
    .n_options = (int)(sizeof performer_options / sizeof performer_options[0]),
    .init = performer_init,
    .sizes = performer_sizes,
    .forward = performer_forward,
    .backward = performer_backward,
    .flops = performer_flops,
    .free = free,
};
