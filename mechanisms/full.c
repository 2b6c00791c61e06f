/* full.c — exact softmax attention, O = softmax(τ Q Kᵀ + mask) V with τ = 1/√hs, in O(T)
 * memory: FlashAttention's tiling (Dao et al. 2022) on the CPU.
 *
 * Per (batch, head), only the L real tokens of the sequence take part: padded keys never
 * enter a row and padded queries stay zero. The scores are formed a tile of query rows ×
 * a tile of keys at a time (one small GEMM), never as an L×L matrix. The forward walks
 * the key tiles of each query tile with an online softmax (running row max m and sum ℓ,
 * the output accumulated in place and rescaled whenever m grows) and keeps only the
 * log-sum-exp of each row. The backward (FlashAttention-2's order) walks key tiles outer
 * and query tiles inner, recomputing P = exp(S − lse) once per tile pair, with
 * Δ_i = dO_i · O_i (which holds with inverted dropout too) and dS = P ∘ (dP − Δ): dK and
 * dV of the key tile gather in tile buffers, dQ of the whole head in a T × hs buffer of
 * the thread. Each gradient element is thus summed in scratch in a fixed order and added
 * into dinputs once, so a second backward adds exactly the same values. Scratch per
 * thread is a few tiles and one head's dQ: linear in T, never T².
 *
 * The tile products go through tile_gemm (core/tile_gemm.h: an AVX2 kernel without BLAS
 * call overhead) and the exponentials through vec_exp_sum (eight lanes at a time).
 * Attention dropout masks come from a counter hash of (key, b, h, i, j) and are
 * regenerated per tile. Position-dependent scores (ALiBi, T5, relative; position_scores.h)
 * are added to each score tile. (batch, head) pairs run on OpenMP threads, each on its
 * own slice of the scratch; a pair's work never depends on the thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/parallel.h"
#include "core/tile_gemm.h"
#include "core/vecmath.h"
#include "mechanisms/attention_dropout.h"
#include "mechanisms/full_tiled.h"
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

/* One thread's slice of the scratch, for tiles of Br rows and Bc keys. */
typedef struct tile_work {
    real *s;        /* (Br, Bc) scores, then probabilities */
    real *dp;       /* (Br, Bc) dropped-out probabilities, then dS */
    real *keep;     /* (Br, Bc) dropout scales */
    real *dk, *dv;  /* (Bc, hs) dK, dV of one key tile */
    real *dq;       /* (T, hs) dQ of the whole head, gathered over the key tiles */
    real *delta;    /* (T) Δ_i = dO_i · O_i */
    real *position; /* the position kernels' work */
} tile_work;

static size_t thread_scratch(const full_state *st, attention_shape shape, full_tiles t) {
    return 3 * (size_t)t.rows * t.keys + 2 * (size_t)t.keys * shape.hs + (size_t)shape.T * (shape.hs + 1) +
           position_scores_per_thread(&st->position, shape, t.rows, t.keys);
}

static tile_work tile_work_at(real *base, attention_shape shape, full_tiles t) {
    const size_t tile = (size_t)t.rows * t.keys, key_tile = (size_t)t.keys * shape.hs;
    tile_work w = {.s = base, .dp = base + tile, .keep = base + 2 * tile};
    w.dk = w.keep + tile;
    w.dv = w.dk + key_tile;
    w.dq = w.dv + key_tile;
    w.delta = w.dq + (size_t)shape.T * shape.hs;
    w.position = w.delta + shape.T;
    return w;
}

/* The threads' slices, then the position kernels' shared part. */
size_t full_tiled_scratch(const void *state, attention_shape shape, full_tiles tiles) {
    const full_state *st = state;
    return thread_scratch(st, shape, tiles) * (size_t)parallel_threads() + position_scores_shared(&st->position, shape);
}

static attention_sizes full_sizes(const void *state, attention_shape shape) {
    attention_sizes sizes = {0};
    sizes.saved = (size_t)shape.B * shape.NH * shape.T; /* lse (B, NH, T) */
    sizes.scratch = full_tiled_scratch(state, shape, FULL_TILES);
    return sizes;
}

/* One (b, h): its rows of every tensor and what the tile loops share. */
typedef struct head {
    const attention_call *call;
    const position_scores *ps; /* NULL: the scores do not depend on position */
    full_tiles tiles;
    int b, h, L, hs;
    real scale;
    bool dropout;
    const real *q, *k, *v, *o, *dout, *lse; /* (T, hs), lse (T) */
    tile_work w;
} head;

static head head_at(const attention_call *call, const position_scores *ps, full_tiles tiles, int bh,
                    const real *inputs, const real *out, const real *dout, const real *saved, tile_work w) {
    const attention_shape s = call->shape;
    const size_t tensor = (size_t)s.B * s.NH * s.T * s.hs, off = (size_t)bh * s.T * s.hs;
    head hd = {.call = call, .ps = ps, .tiles = tiles, .b = bh / s.NH, .h = bh % s.NH, .hs = s.hs,
               .scale = 1 / REAL_SQRT((real)s.hs), .dropout = attention_dropout_active(call),
               .q = inputs + off, .k = inputs + tensor + off, .v = inputs + 2 * tensor + off, .w = w};
    hd.L = call->lengths[hd.b];
    if (out) hd.o = out + off;
    if (dout) hd.dout = dout + off;
    if (saved) hd.lse = saved + (size_t)bh * s.T;
    return hd;
}

static int tile_length(int start, int size, int L) { return L - start < size ? L - start : size; }

/* S (nr, nc) = τ Q_i K_jᵀ + the position term, for rows i0 … and keys j0 …, into w.s;
 * under dropout also the keep scales of the tile into w.keep. */
static void scores_tile(const head *hd, int i0, int nr, int j0, int nc) {
    const real *q = hd->q + (size_t)i0 * hd->hs, *k = hd->k + (size_t)j0 * hd->hs;
    tile_gemm(false, true, nr, nc, hd->hs, hd->scale, q, hd->hs, k, hd->hs, 0, hd->w.s, nc);
    if (hd->ps) position_scores_add_tile(hd->ps, hd->b, hd->h, i0, nr, j0, nc, q, k, hd->w.s, hd->w.position);
    if (hd->dropout)
        for (int r = 0; r < nr; r++)
            for (int j = 0; j < nc; j++)
                hd->w.keep[(size_t)r * nc + j] = attention_keep_scale(hd->call, hd->b, hd->h, i0 + r, j0 + j);
}

/* Online softmax of one score row against its running max m and sum l; rescales the
 * row's accumulated output acc (hs) and leaves exp(S − m) (dropped out) in the row. No
 * key is masked inside a tile, so m is finite from the first tile on. */
static void online_softmax_row(const head *hd, real *row, const real *keep, int nc, double *m, double *l,
                               real *acc) {
    const double m_new = fmax(*m, vec_max(row, nc));
    const double c = exp(*m - m_new); /* 0 on the first tile, where *m = −∞ */
    *l = c * *l + vec_exp_sum(row, (real)m_new, nc);
    *m = m_new;
    if (c != 1) vec_scale(acc, (real)c, hd->hs);
    if (keep)
        for (int j = 0; j < nc; j++) row[j] *= keep[j];
}

/* Rows i0 … i0 + nr − 1 of O (zeroed) and their lse. */
static void forward_rows(const head *hd, int i0, int nr, real *o, real *lse) {
    double m[FULL_TILE_MAX], l[FULL_TILE_MAX];
    for (int r = 0; r < nr; r++) m[r] = -INFINITY, l[r] = 0;
    real *acc = o + (size_t)i0 * hd->hs;
    for (int j0 = 0; j0 < hd->L; j0 += hd->tiles.keys) {
        const int nc = tile_length(j0, hd->tiles.keys, hd->L);
        scores_tile(hd, i0, nr, j0, nc);
        for (int r = 0; r < nr; r++)
            online_softmax_row(hd, hd->w.s + (size_t)r * nc, hd->dropout ? hd->w.keep + (size_t)r * nc : NULL, nc,
                               &m[r], &l[r], acc + (size_t)r * hd->hs);
        tile_gemm(false, false, nr, hd->hs, nc, 1, hd->w.s, nc, hd->v + (size_t)j0 * hd->hs, hd->hs, 1, acc, hd->hs);
    }
    for (int r = 0; r < nr; r++) {
        vec_scale(acc + (size_t)r * hd->hs, (real)(1 / l[r]), hd->hs);
        lse[i0 + r] = (real)(m[r] + log(l[r]));
    }
}

static void forward_head(const head *hd, real *o, real *lse) {
    const int T = hd->call->shape.T;
    memset(o, 0, sizeof(real) * (size_t)T * hd->hs);
    for (int i = 0; i < T; i++) lse[i] = 0;
    for (int i0 = 0; i0 < hd->L; i0 += hd->tiles.rows)
        forward_rows(hd, i0, tile_length(i0, hd->tiles.rows, hd->L), o, lse);
}

static void check_call(const attention_call *call, full_tiles tiles) {
    const attention_shape s = call->shape;
    CHECK(s.T < (1 << 24));
    CHECK(tiles.rows >= 1 && tiles.rows <= FULL_TILE_MAX && tiles.keys >= 1 && tiles.keys <= FULL_TILE_MAX);
    for (int b = 0; b < s.B; b++) CHECK(call->lengths[b] >= 0 && call->lengths[b] <= s.T);
}

/* One OpenMP thread per (b, h) pair, each with its own slice of the scratch. */
void full_tiled_forward(const void *state, const attention_call *call, full_tiles tiles, const real *inputs,
                        real *out, real *saved, real *scratch) {
    const full_state *st = state;
    const attention_shape s = call->shape;
    check_call(call, tiles);
    const size_t per_thread = thread_scratch(st, s, tiles);
    position_scores ps;
    if (call->positions)
        position_scores_begin(&ps, &st->position, call, scratch + per_thread * (size_t)parallel_threads(), false);
#pragma omp parallel for schedule(dynamic) if ((size_t)s.B * s.NH * s.T * s.hs >= PARALLEL_MIN_WORK)
    for (int bh = 0; bh < s.B * s.NH; bh++) {
        const tile_work w = tile_work_at(scratch + per_thread * (size_t)parallel_thread_id(), s, tiles);
        const head hd = head_at(call, call->positions ? &ps : NULL, tiles, bh, inputs, NULL, NULL, NULL, w);
        const size_t off = (size_t)bh * s.T;
        forward_head(&hd, out + off * s.hs, saved + off);
    }
}

static void full_forward(const void *state, const attention_call *call, const real *params, const real *inputs,
                         real *out, real *saved, real *scratch) {
    full_tiled_forward(state, call, FULL_TILES, inputs, out, saved, scratch);
}

/* Δ_i = dO_i · O_i of every real row, summed in double, into w.delta. */
static void row_deltas(const head *hd) {
    for (int i = 0; i < hd->L; i++) {
        const real *dO = hd->dout + (size_t)i * hd->hs, *o = hd->o + (size_t)i * hd->hs;
        double sum = 0;
        for (int c = 0; c < hd->hs; c++) sum += (double)dO[c] * o[c];
        hd->w.delta[i] = (real)sum;
    }
}

/* P = exp(S − lse) of tile (i0, j0) into w.s (and the keep scales into w.keep). */
static void probs_tile(const head *hd, int i0, int nr, int j0, int nc) {
    scores_tile(hd, i0, nr, j0, nc);
    for (int r = 0; r < nr; r++) vec_exp_sum(hd->w.s + (size_t)r * nc, hd->lse[i0 + r], nc);
}

/* dS = P ∘ (dP − Δ) into w.dp, with dP = (dO_i V_jᵀ) ∘ keep; P in w.s. */
static void dscores_tile(const head *hd, int i0, int nr, int j0, int nc) {
    const int hs = hd->hs;
    real *dp = hd->w.dp;
    tile_gemm(false, true, nr, nc, hs, 1, hd->dout + (size_t)i0 * hs, hs, hd->v + (size_t)j0 * hs, hs, 0, dp, nc);
    for (int r = 0; r < nr; r++) {
        const real *p = hd->w.s + (size_t)r * nc, *keep = hd->w.keep + (size_t)r * nc;
        real *row = dp + (size_t)r * nc;
        const real d = hd->w.delta[i0 + r];
        if (hd->dropout)
            for (int j = 0; j < nc; j++) row[j] *= keep[j];
#pragma omp simd
        for (int j = 0; j < nc; j++) row[j] = p[j] * (row[j] - d);
    }
}

static void add_rows(real *dst, const real *src, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] += src[i];
}

/* One tile pair (i0, j0): dV_j += P̃ᵀ dO_i (P̃: the dropped-out probabilities of the
 * forward), dK_j += τ dSᵀ Q_i and dQ_i += τ dS K_j, each with the position term's share. */
static void backward_tile(const head *hd, int i0, int nr, int j0, int nc) {
    const int hs = hd->hs;
    const real *q = hd->q + (size_t)i0 * hs;
    real *dq = hd->w.dq + (size_t)i0 * hs;
    probs_tile(hd, i0, nr, j0, nc);
    const real *pt = hd->w.s;
    if (hd->dropout) {
        for (size_t e = 0; e < (size_t)nr * nc; e++) hd->w.dp[e] = hd->w.s[e] * hd->w.keep[e];
        pt = hd->w.dp;
    }
    tile_gemm(true, false, nc, hs, nr, 1, pt, nc, hd->dout + (size_t)i0 * hs, hs, 1, hd->w.dv, hs);
    dscores_tile(hd, i0, nr, j0, nc);
    tile_gemm(true, false, nc, hs, nr, hd->scale, hd->w.dp, nc, q, hs, 1, hd->w.dk, hs);
    tile_gemm(false, false, nr, hs, nc, hd->scale, hd->w.dp, nc, hd->k + (size_t)j0 * hs, hs, 1, dq, hs);
    if (hd->ps) {
        position_scores_backward_rows(hd->ps, hd->b, hd->h, i0, nr, j0, nc, q, hd->w.dp, dq, hd->w.position);
        position_scores_backward_keys(hd->ps, hd->b, hd->h, nr, nc, hd->k + (size_t)j0 * hs, hd->w.dp, hd->w.dk,
                                      hd->w.position);
    }
}

/* Key tiles outer, gathering dK_j and dV_j in tile buffers; dQ gathers over all key tiles
 * in w.dq. Every gradient element is summed in scratch in a fixed order and added into
 * dinputs once. */
static void backward_head(const head *hd, real *dq, real *dk, real *dv) {
    const int hs = hd->hs;
    row_deltas(hd);
    memset(hd->w.dq, 0, sizeof(real) * (size_t)hd->L * hs);
    for (int j0 = 0; j0 < hd->L; j0 += hd->tiles.keys) {
        const int nc = tile_length(j0, hd->tiles.keys, hd->L);
        const size_t n = (size_t)nc * hs;
        memset(hd->w.dk, 0, sizeof(real) * n);
        memset(hd->w.dv, 0, sizeof(real) * n);
        for (int i0 = 0; i0 < hd->L; i0 += hd->tiles.rows)
            backward_tile(hd, i0, tile_length(i0, hd->tiles.rows, hd->L), j0, nc);
        add_rows(dk + (size_t)j0 * hs, hd->w.dk, n);
        add_rows(dv + (size_t)j0 * hs, hd->w.dv, n);
    }
    add_rows(dq, hd->w.dq, (size_t)hd->L * hs);
}

void full_tiled_backward(const void *state, const attention_call *call, full_tiles tiles, const real *inputs,
                         const real *out, const real *dout, const real *saved, real *dinputs, real *scratch) {
    const full_state *st = state;
    const attention_shape s = call->shape;
    check_call(call, tiles);
    const size_t per_thread = thread_scratch(st, s, tiles), tensor = (size_t)s.B * s.NH * s.T * s.hs;
    position_scores ps;
    if (call->positions)
        position_scores_begin(&ps, &st->position, call, scratch + per_thread * (size_t)parallel_threads(), true);
#pragma omp parallel for schedule(dynamic) if ((size_t)s.B * s.NH * s.T * s.hs >= PARALLEL_MIN_WORK)
    for (int bh = 0; bh < s.B * s.NH; bh++) {
        const tile_work w = tile_work_at(scratch + per_thread * (size_t)parallel_thread_id(), s, tiles);
        const head hd = head_at(call, call->positions ? &ps : NULL, tiles, bh, inputs, out, dout, saved, w);
        real *dq = dinputs + (size_t)bh * s.T * s.hs;
        backward_head(&hd, dq, dq + tensor, dq + 2 * tensor);
    }
    if (call->positions) position_scores_end(&ps, s.B);
}

static void full_backward(const void *state, const attention_call *call, const real *params, const real *inputs,
                          const real *out, const real *dout, const real *saved, real *dinputs, real *dparams,
                          real *scratch) {
    full_tiled_backward(state, call, FULL_TILES, inputs, out, dout, saved, dinputs, scratch);
}

static double full_flops(const void *state, attention_shape shape) {
    /* 2·T²·hs for each product: forward QKᵀ and PV; backward QKᵀ, dP, dV, dK and dQ. */
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
    .forward = full_forward,
    .backward = full_backward,
    .flops = full_flops,
    .free = full_free,
};
