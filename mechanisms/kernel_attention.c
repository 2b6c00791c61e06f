/* kernel_attention.c — the forward and backward shared by every kernelized mechanism
 * (see kernel_attention.h for the formulas).
 *
 * One (b, h) pair per OpenMP thread, each with its own slice of the scratch, so results
 * are the same bits for any thread count. Inside a pair, keys and queries go through
 * the feature map KERNEL_CHUNK rows at a time; every product with φ and S is a tile_gemm
 * (core/tile_gemm.h: an AVX2 kernel without BLAS call overhead, which these products of
 * 128 rows by a head size of 16 need), and every one with z a vector loop: keeping z
 * apart from S keeps the products hs columns wide (an (m, hs+1) [S | z] would spend a
 * whole vector of 8 columns on z's one). Saved per layer: the heads' constants (e.g. Ω),
 * then per pair S (m, hs), z (m), the map's key statistics and the denominators R (T):
 * O(m·hs + T) per pair, never O(T·m). The backward adds each element of dQ, dK and dV
 * once, fully computed, so two backward calls give exactly twice one. */
#include "mechanisms/kernel_attention.h"

#include <math.h>
#include <string.h>

#include "core/tile_gemm.h"
#include "core/check.h"
#include "core/parallel.h"

/* One thread's scratch. */
typedef struct chunk_scratch {
    real *phi;        /* (KERNEL_CHUNK, m) φ of the rows in hand */
    real *aux;        /* (KERNEL_CHUNK·m + KERNEL_CHUNK) the map's own */
    real *dphi;       /* (KERNEL_CHUNK, m) */
    real *dnum, *dden; /* (KERNEL_CHUNK, hs) and (KERNEL_CHUNK): G/R and −G·O/R */
    real *dx;         /* (KERNEL_CHUNK, hs) */
    real *ds, *dz;    /* (m, hs) and (m): the gradients of S and z */
    real *stats_grad; /* (stats) */
} chunk_scratch;

/* The reals and pointers of one (b, h) pair. */
typedef struct pair_view {
    int L;                        /* real tokens */
    const real *q, *k, *v, *head; /* (T, hs) each; the head's constants */
    real *state, *z;              /* (m, hs) S and (m) z */
    real *stats;                  /* (stats) */
    real *den;                    /* (T) R */
    size_t off;                   /* offset of the pair in a (B, NH, T, hs) tensor */
} pair_view;

static int imin(int a, int b) { return a < b ? a : b; }

static size_t thread_reals(const kernel_map *map) {
    const size_t m = (size_t)map->features, hs = (size_t)map->head_size, chunk = KERNEL_CHUNK;
    return 3 * chunk * m + chunk + chunk * (hs + 1) + chunk * hs + m * (hs + 1) + (size_t)map->stats;
}

static chunk_scratch thread_scratch(const kernel_map *map, real *scratch) {
    const size_t m = (size_t)map->features, hs = (size_t)map->head_size, chunk = KERNEL_CHUNK;
    real *p = scratch + thread_reals(map) * (size_t)parallel_thread_id();
    chunk_scratch c;
    c.phi = p, p += chunk * m;
    c.aux = p, p += chunk * m + chunk;
    c.dphi = p, p += chunk * m;
    c.dnum = p, p += chunk * hs;
    c.dden = p, p += chunk;
    c.dx = p, p += chunk * hs;
    c.ds = p, p += m * hs;
    c.dz = p, p += m;
    c.stats_grad = p;
    return c;
}

/* Saved reals of one pair: S, z, statistics, R. */
static size_t pair_reals(const kernel_map *map, int T) {
    return (size_t)map->features * (map->head_size + 1) + (size_t)map->stats + (size_t)T;
}

static pair_view pair_at(const kernel_map *map, const attention_call *call, int b, int h, const real *inputs,
                         const real *saved) {
    const attention_shape s = call->shape;
    const size_t tensor = (size_t)s.B * s.NH * s.T * s.hs;
    pair_view p;
    p.L = call->lengths[b];
    p.off = ((size_t)b * s.NH + h) * s.T * s.hs;
    p.q = inputs + p.off, p.k = inputs + tensor + p.off, p.v = inputs + 2 * tensor + p.off;
    p.head = saved + (size_t)h * map->head_reals;
    /* saved is the caller's writable buffer in forward and read-only in backward */
    p.state = (real *)saved + (size_t)s.NH * map->head_reals + ((size_t)b * s.NH + h) * pair_reals(map, s.T);
    p.z = p.state + (size_t)map->features * s.hs;
    p.stats = p.z + map->features;
    p.den = p.stats + map->stats;
    return p;
}

attention_sizes kernel_attention_sizes(const kernel_map *map, attention_shape shape) {
    CHECK(shape.hs == map->head_size);
    attention_sizes sizes = {0};
    sizes.saved = (size_t)shape.NH * map->head_reals + (size_t)shape.B * shape.NH * pair_reals(map, shape.T);
    sizes.scratch = thread_reals(map) * (size_t)parallel_threads();
    return sizes;
}

/* z (m) += Σ_i w_i x_i over the n rows of x (n, m); w NULL: every w_i is 1. */
static void add_weighted_rows(real *z, const real *w, const real *x, int n, int m) {
    for (int i = 0; i < n; i++) {
        const real a = w ? w[i] : 1, *xi = x + (size_t)i * m;
#pragma omp simd
        for (int l = 0; l < m; l++) z[l] += a * xi[l];
    }
}

/* y_i (m) += a_i z for the n rows of y (n, m); a NULL: every a_i is 1. */
static void add_outer(real *y, const real *a, const real *z, int n, int m) {
    for (int i = 0; i < n; i++) {
        const real ai = a ? a[i] : 1;
        real *yi = y + (size_t)i * m;
#pragma omp simd
        for (int l = 0; l < m; l++) yi[l] += ai * z[l];
    }
}

static real dot(const real *x, const real *y, int n) {
    real sum = 0;
#pragma omp simd reduction(+ : sum)
    for (int l = 0; l < n; l++) sum += x[l] * y[l];
    return sum;
}

/* y (n, hs) += x (n, hs), each element once. */
static void add_rows(real *y, const real *x, int n, int hs) {
    const size_t count = (size_t)n * hs;
#pragma omp simd
    for (size_t i = 0; i < count; i++) y[i] += x[i];
}

static void forward_pair(const kernel_map *map, const attention_call *call, int b, int h, const real *inputs,
                         real *out, real *saved, real *scratch) {
    const int m = map->features, hs = call->shape.hs, T = call->shape.T;
    const pair_view p = pair_at(map, call, b, h, inputs, saved);
    real *o = out + p.off;
    memset(p.state, 0, sizeof(real) * pair_reals(map, T));
    memset(o + (size_t)p.L * hs, 0, sizeof(real) * (size_t)(T - p.L) * hs);
    if (p.L == 0) return;
    const chunk_scratch c = thread_scratch(map, scratch);
    if (map->key_stats) map->key_stats(map, p.head, p.k, p.L, c.phi, p.stats);
    /* S = Σ_j φ(k_j) v_jᵀ and z = Σ_j φ(k_j) over the real keys. */
    for (int j0 = 0; j0 < p.L; j0 += KERNEL_CHUNK) {
        const int n = imin(KERNEL_CHUNK, p.L - j0);
        map->phi(map, KERNEL_KEY, p.head, p.stats, p.k + (size_t)j0 * hs, n, c.phi, c.aux);
        tile_gemm(true, false, m, hs, n, 1, c.phi, m, p.v + (size_t)j0 * hs, hs, 1, p.state, hs);
        add_weighted_rows(p.z, NULL, c.phi, n, m);
    }
    /* num = φ(q) S into O's rows, R = φ(q)·z; O = num / R. */
    for (int i0 = 0; i0 < p.L; i0 += KERNEL_CHUNK) {
        const int n = imin(KERNEL_CHUNK, p.L - i0);
        real *oi = o + (size_t)i0 * hs;
        map->phi(map, KERNEL_QUERY, p.head, p.stats, p.q + (size_t)i0 * hs, n, c.phi, c.aux);
        tile_gemm(false, false, n, hs, m, 1, c.phi, m, p.state, hs, 0, oi, hs);
        for (int i = 0; i < n; i++, oi += hs) {
            real R = dot(c.phi + (size_t)i * m, p.z, m) + map->den_eps;
            if (map->den_guard && REAL_FABS(R) <= (real)1e-6) R += (real)2e-6;
            p.den[i0 + i] = R;
            for (int d = 0; d < hs; d++) oi[d] = oi[d] / R;
        }
    }
}

void kernel_attention_forward(const kernel_map *map, const attention_call *call, const real *inputs, real *out,
                              real *saved, real *scratch) {
    const attention_shape s = call->shape;
    CHECK(s.hs == map->head_size && s.T < (1 << 24));
    CHECK(call->positions == NULL); /* no scores to put positions on (position_scores is false) */
    for (int b = 0; b < s.B; b++) CHECK(call->lengths[b] >= 0 && call->lengths[b] <= s.T);
    if (map->head_setup) {
#pragma omp parallel for schedule(static) if ((size_t)s.NH * map->head_reals >= PARALLEL_MIN_WORK)
        for (int h = 0; h < s.NH; h++) map->head_setup(map, call, h, saved + (size_t)h * map->head_reals);
    }
#pragma omp parallel for schedule(dynamic) if ((size_t)s.B * s.NH * s.T * s.hs >= PARALLEL_MIN_WORK)
    for (int bh = 0; bh < s.B * s.NH; bh++) forward_pair(map, call, bh / s.NH, bh % s.NH, inputs, out, saved, scratch);
}

/* Queries: dnum and dR from G and O, then dφ_q = dnum Sᵀ + dR zᵀ, dS += φ_qᵀ dnum,
 * dz += φ_qᵀ dR and dq += φ's chain rule. */
static void backward_queries(const kernel_map *map, const pair_view *p, const chunk_scratch *c, const real *o,
                             const real *g, real *dq, int hs) {
    const int m = map->features;
    for (int i0 = 0; i0 < p->L; i0 += KERNEL_CHUNK) {
        const int n = imin(KERNEL_CHUNK, p->L - i0);
        map->phi(map, KERNEL_QUERY, p->head, p->stats, p->q + (size_t)i0 * hs, n, c->phi, c->aux);
        for (int i = 0; i < n; i++) {
            const real R = p->den[i0 + i];
            const real *gi = g + (size_t)(i0 + i) * hs, *oi = o + (size_t)(i0 + i) * hs;
            real *dnum = c->dnum + (size_t)i * hs;
            real go = 0;
            for (int d = 0; d < hs; d++) {
                go += gi[d] * oi[d];
                dnum[d] = gi[d] / R;
            }
            c->dden[i] = -go / R;
        }
        tile_gemm(false, true, n, m, hs, 1, c->dnum, hs, p->state, hs, 0, c->dphi, m);
        add_outer(c->dphi, c->dden, p->z, n, m);
        tile_gemm(true, false, m, hs, n, 1, c->phi, m, c->dnum, hs, 1, c->ds, hs);
        add_weighted_rows(c->dz, c->dden, c->phi, n, m);
        map->phi_backward(map, KERNEL_QUERY, p->head, p->stats, p->q + (size_t)i0 * hs, n, i0, c->phi,
                               c->aux, c->dphi, NULL, false, c->dx);
        add_rows(dq + (size_t)i0 * hs, c->dx, n, hs);
    }
}

/* Keys, the pivot's chunk last: dφ_k = V dSᵀ + 1 dzᵀ, dV = φ_k dS (added into dv by the
 * product itself), dk from φ's chain rule. */
static void backward_keys(const kernel_map *map, const pair_view *p, const chunk_scratch *c, real *dk, real *dv,
                          int hs) {
    const int m = map->features;
    const int chunks = (p->L + KERNEL_CHUNK - 1) / KERNEL_CHUNK;
    const int pivot = map->key_pivot ? map->key_pivot(map, p->stats) / KERNEL_CHUNK : chunks - 1;
    CHECK(pivot >= 0 && pivot < chunks);
    memset(c->stats_grad, 0, sizeof(real) * (size_t)map->stats);
    for (int t = 0; t < chunks; t++) {
        const int chunk = t < pivot ? t : t < chunks - 1 ? t + 1 : pivot;
        const int j0 = chunk * KERNEL_CHUNK, n = imin(KERNEL_CHUNK, p->L - j0);
        map->phi(map, KERNEL_KEY, p->head, p->stats, p->k + (size_t)j0 * hs, n, c->phi, c->aux);
        tile_gemm(false, true, n, m, hs, 1, p->v + (size_t)j0 * hs, hs, c->ds, hs, 0, c->dphi, m);
        add_outer(c->dphi, NULL, c->dz, n, m);
        tile_gemm(false, false, n, hs, m, 1, c->phi, m, c->ds, hs, 1, dv + (size_t)j0 * hs, hs);
        map->phi_backward(map, KERNEL_KEY, p->head, p->stats, p->k + (size_t)j0 * hs, n, j0, c->phi, c->aux,
                               c->dphi, c->stats_grad, t == chunks - 1, c->dx);
        add_rows(dk + (size_t)j0 * hs, c->dx, n, hs);
    }
}

static void backward_pair(const kernel_map *map, const attention_call *call, int b, int h, const real *inputs,
                          const real *out, const real *dout, const real *saved, real *dinputs, real *scratch) {
    const attention_shape s = call->shape;
    const size_t tensor = (size_t)s.B * s.NH * s.T * s.hs;
    const pair_view p = pair_at(map, call, b, h, inputs, saved);
    if (p.L == 0) return;
    const chunk_scratch c = thread_scratch(map, scratch);
    memset(c.ds, 0, sizeof(real) * (size_t)map->features * s.hs);
    memset(c.dz, 0, sizeof(real) * (size_t)map->features);
    backward_queries(map, &p, &c, out + p.off, dout + p.off, dinputs + p.off, s.hs);
    backward_keys(map, &p, &c, dinputs + tensor + p.off, dinputs + 2 * tensor + p.off, s.hs);
}

void kernel_attention_backward(const kernel_map *map, const attention_call *call, const real *inputs,
                               const real *out, const real *dout, const real *saved, real *dinputs,
                               real *scratch) {
    const attention_shape s = call->shape;
    CHECK(s.hs == map->head_size);
#pragma omp parallel for schedule(dynamic) if ((size_t)s.B * s.NH * s.T * s.hs >= PARALLEL_MIN_WORK)
    for (int bh = 0; bh < s.B * s.NH; bh++)
        backward_pair(map, call, bh / s.NH, bh % s.NH, inputs, out, dout, saved, dinputs, scratch);
}

double kernel_attention_flops(const kernel_map *map, attention_shape shape) {
    const double T = shape.T, m = map->features, hs = shape.hs, hv = hs + 1.0;
    /* Products by the projection: φ of keys and queries in forward and again in
     * backward, the key statistics pass, and the two chain rules back to dq, dk. */
    const double projections = map->projects ? 6.0 + (map->key_stats ? 1.0 : 0.0) : 0.0;
    /* Products with the state: S̃ and φ_q S̃ forward; dφ_q, dS̃, dφ_k and dV backward. */
    const double state = 2 * T * m * (5 * hv + hs);
    const double per_pair = projections * 2 * T * m * hs + state;
    /* Plus the projections themselves, drawn once per head in forward. */
    const double draws = map->projects ? 2.0 * m * hs * hs : 0.0;
    return (double)shape.B * shape.NH * per_pair + shape.NH * draws;
}
