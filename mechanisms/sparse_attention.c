/* sparse_attention.c — the gather / dense-block / scatter engine of sparse softmax
 * attention (see sparse_attention.h).
 *
 * A group's keys are taken in chunks of at most key_tile(hs) keys, so a block of scores
 * stays in L2 and fits tile_gemm (core/tile_gemm.h: an AVX2 kernel without BLAS call
 * overhead, which a head size of 16 makes worth it) however many keys the group has:
 * BigBird's and Longformer's global rows see every key, a 4 MiB score block at 16K
 * tokens. The forward walks the chunks with an online softmax (running max and sum per
 * row, the row's output rescaled when its max grows); the backward recomputes
 * P = exp(S − lse) chunk by chunk. Rows and chunks of keys that are consecutive
 * positions (local attention's, the keys of a global row) are read in place and their
 * gradients accumulated in place instead of gathered and scattered, and a band
 * (row_span) is softmaxed over the band only. Each head's K (and in the backward V) is
 * transposed once, so that the products with Kᵀ and Vᵀ of consecutive keys read it in
 * place: tile_gemm would otherwise copy a transposed chunk for every group, several
 * times over for overlapping windows. */
#include "mechanisms/sparse_attention.h"

#include <math.h>
#include <string.h>

#include "core/check.h"
#include "core/parallel.h"
#include "core/tile_gemm.h"
#include "core/vecmath.h"
#include "mechanisms/attention_dropout.h"

/* One thread's scratch, carved from the caller's buffer. */
typedef struct workspace {
    int32_t *rows, *keys;
    uint8_t *allowed;          /* (KT) one row's mask_row over a chunk */
    real *q, *o, *dout, *dq;   /* (R, hs) gathered query rows, or the rows' accumulators */
    real *k, *v, *dk, *dv;     /* (KT, hs) gathered key rows of a chunk, their gradients */
    real *scores, *dscores;    /* (R, KT) */
    real *grads;               /* (n_inputs, T, hs) the head's gradients, added once at the end */
    real *transposed;          /* (n_inputs / 3, 2, hs, ld) Kᵀ and Vᵀ of each projection set */
    real *position;            /* the position kernels' work */
} workspace;

static int imin(int a, int b) { return a < b ? a : b; }
static int imax(int a, int b) { return a > b ? a : b; }

/* Keys per chunk at head size hs: tile_gemm copies a transposed K (hs × keys) into a
 * buffer of 16384 reals, and 64 rows × 512 keys of scores and of their gradient
 * (256 KiB in float) stay in L2 together. */
static int key_tile(int hs) { return imax(64, imin(512, 16384 / hs)); }

/* Row stride of a transposed (hs, T) K or V: T padded by 16, so that its rows, which a
 * transposition writes side by side, do not all fall into the same cache sets. */
static size_t transposed_ld(int T) { return (size_t)T + 16; }

/* Keys a chunk holds with the pattern's largest group. */
static int chunk_keys(const sparse_pattern *p, int hs) { return imax(1, imin(p->max_keys, key_tile(hs))); }

/* Regions are rounded up to 16 reals so that every block starts 64-byte apart. */
static size_t reals_for_bytes(size_t bytes) {
    const size_t reals = (bytes + sizeof(real) - 1) / sizeof(real);
    return (reals + 15) / 16 * 16;
}

/* The next region of `bytes` from base (NULL: only count the size). */
static void *take(real *base, size_t *used, size_t bytes) {
    void *p = base ? (void *)(base + *used) : NULL;
    *used += reals_for_bytes(bytes);
    return p;
}

static size_t workspace_carve(workspace *w, real *base, const sparse_pattern *p, attention_shape s, int n_inputs) {
    const size_t R = SPARSE_GROUP_ROWS, NK = (size_t)imax(1, p->max_keys), KT = (size_t)chunk_keys(p, s.hs);
    const size_t hs = (size_t)s.hs;
    size_t used = 0;
    workspace ws;
    ws.rows = take(base, &used, R * sizeof(int32_t));
    ws.keys = take(base, &used, NK * sizeof(int32_t));
    ws.allowed = take(base, &used, KT);
    ws.q = take(base, &used, R * hs * sizeof(real));
    ws.o = take(base, &used, R * hs * sizeof(real));
    ws.dout = take(base, &used, R * hs * sizeof(real));
    ws.dq = take(base, &used, R * hs * sizeof(real));
    ws.k = take(base, &used, KT * hs * sizeof(real));
    ws.v = take(base, &used, KT * hs * sizeof(real));
    ws.dk = take(base, &used, KT * hs * sizeof(real));
    ws.dv = take(base, &used, KT * hs * sizeof(real));
    ws.scores = take(base, &used, R * KT * sizeof(real));
    ws.dscores = take(base, &used, R * KT * sizeof(real));
    ws.grads = take(base, &used, (size_t)n_inputs * s.T * hs * sizeof(real));
    ws.transposed = take(base, &used, (size_t)n_inputs / 3 * 2 * hs * transposed_ld(s.T) * sizeof(real));
    ws.position = take(base, &used, position_scores_per_thread(p->position, s, (int)R, (int)KT) * sizeof(real));
    if (w) *w = ws;
    return used;
}

static size_t scratch_per_thread(const sparse_pattern *p, attention_shape shape, int n_inputs) {
    return workspace_carve(NULL, NULL, p, shape, n_inputs);
}

/* The position kernels' shared part follows every thread's workspace. */
size_t sparse_scratch(const sparse_pattern *p, attention_shape shape, int n_inputs) {
    return scratch_per_thread(p, shape, n_inputs) * (size_t)parallel_threads() +
           position_scores_shared(p->position, shape);
}

/* Begins the position kernels of a call, or returns NULL when it has none. */
static const position_scores *begin_positions(position_scores *ps, const sparse_pattern *p,
                                              const attention_call *call, int n_inputs, real *scratch,
                                              bool backward) {
    if (!call->positions) return NULL;
    real *shared = scratch + scratch_per_thread(p, call->shape, n_inputs) * (size_t)parallel_threads();
    position_scores_begin(ps, p->position, call, shared, backward);
    return ps;
}

size_t sparse_saved(attention_shape shape) { return (size_t)shape.B * shape.NH * shape.T; }

int sparse_key_range(int32_t *keys, int lo, int hi) {
    int n = 0;
    for (int j = lo; j < hi; j++) keys[n++] = j;
    return n;
}

int sparse_merge(int32_t *out, const int32_t *a, int n_a, const int32_t *b, int n_b) {
    int i = 0, j = 0, n = 0;
    while (i < n_a || j < n_b) {
        int32_t next;
        if (j == n_b || (i < n_a && a[i] < b[j])) next = a[i++];
        else if (i == n_a || b[j] < a[i]) next = b[j++];
        else next = a[i++], j++;
        out[n++] = next;
    }
    return n;
}

/* Where head (b, h) of tensor `index` starts inside the (n_inputs, B, NH, T, hs) inputs. */
static size_t tensor_head(const attention_shape *s, int index, int b, int h) {
    return (size_t)index * s->B * s->NH * s->T * s->hs + (((size_t)b * s->NH + h) * s->T) * s->hs;
}

/* Whether an ascending, duplicate-free list is a run of consecutive positions. */
static bool consecutive(const int32_t *positions, int n) { return n > 0 && positions[n - 1] - positions[0] == n - 1; }

/* Rows `positions` of src (T, hs): read in place when consecutive, else gathered into buf. */
static const real *rows_of(const real *src, const int32_t *positions, int n, int hs, real *buf) {
    if (consecutive(positions, n)) return src + (size_t)positions[0] * hs;
    for (int r = 0; r < n; r++) memcpy(buf + (size_t)r * hs, src + (size_t)positions[r] * hs, sizeof(real) * hs);
    return buf;
}

static void scatter_add(real *dst, const real *src, const int32_t *positions, int n, int hs) {
    for (int r = 0; r < n; r++) {
        real *d = dst + (size_t)positions[r] * hs;
        const real *x = src + (size_t)r * hs;
        for (int c = 0; c < hs; c++) d[c] += x[c];
    }
}

/* One group of one (b, h) in hand: the pattern's description and where its rows are. */
typedef struct group_view {
    const sparse_pattern *p;
    const sparse_context *ctx;
    const attention_call *call;
    const position_scores *ps; /* NULL: the scores do not depend on position */
    int b, h, hs;
    sparse_group g;
    const real *k_in, *v_in; /* (T, hs) the head's keys and values of the group's projections */
    const real *kt, *vt;     /* (hs, ld) the same transposed (vt only in the backward) */
    const real *q;           /* (n_rows, hs) the group's query rows, in place or gathered */
    workspace *w;
} group_view;

/* The group at index with its query rows; false when it has no rows or no keys. */
static bool load_group(group_view *v, const sparse_pattern *p, const sparse_context *ctx, const attention_call *call,
                       int index, const real *inputs, int b, workspace *w) {
    const attention_shape *s = &call->shape;
    sparse_group *g = &v->g;
    *g = (sparse_group){.rows = w->rows, .keys = w->keys};
    p->group_at(p->self, ctx, index, g);
    CHECK(g->n_rows >= 0 && g->n_rows <= SPARSE_GROUP_ROWS && g->n_keys >= 0 && g->n_keys <= p->max_keys);
    CHECK(g->projections == 0 || g->projections == 1);
    CHECK(!g->masked || p->mask_row || p->row_span);
    if (g->n_rows == 0 || g->n_keys == 0) return false;
    const int base = 3 * g->projections;
    v->p = p, v->ctx = ctx, v->call = call, v->b = b, v->h = ctx->head, v->hs = s->hs, v->w = w;
    v->q = rows_of(inputs + tensor_head(s, base, b, ctx->head), g->rows, g->n_rows, s->hs, w->q);
    v->k_in = inputs + tensor_head(s, base + 1, b, ctx->head);
    v->v_in = inputs + tensor_head(s, base + 2, b, ctx->head);
    v->kt = w->transposed + (size_t)2 * g->projections * s->hs * transposed_ld(s->T);
    v->vt = v->kt + (size_t)s->hs * transposed_ld(s->T);
    return true;
}

/* out (R, nc) = alpha · A Xᵀ for A (R, hs) and X the rows (nc, hs) of `keys`: read from
 * the head's transposed copy xt (hs, ld) when the keys are consecutive. */
static void times_transposed(int R, int nc, int hs, real alpha, const real *a, const real *x, const real *xt,
                             const int32_t *keys, real *out, size_t ld) {
    if (consecutive(keys, nc)) tile_gemm(false, false, R, nc, hs, alpha, a, hs, xt + keys[0], (int)ld, 0, out, nc);
    else tile_gemm(false, true, R, nc, hs, alpha, a, hs, x, hs, 0, out, nc);
}

/* dst (hs, ld) = the first L rows of src (T, hs) transposed, 64 rows at a time so that
 * the rows read stay in L1 while the writes run along dst's rows. */
static void transpose_head(real *dst, const real *src, int L, int hs, size_t ld) {
    for (int j0 = 0; j0 < L; j0 += 64) {
        const int end = imin(L, j0 + 64);
        for (int p = 0; p < hs; p++)
            for (int j = j0; j < end; j++) dst[(size_t)p * ld + j] = src[(size_t)j * hs + p];
    }
}

/* Kᵀ (and with values, Vᵀ) of head (b, h) of every projection set into w->transposed. */
static void transpose_keys(const attention_shape *s, int n_inputs, const real *inputs, int b, int h, int L,
                           bool values, workspace *w) {
    const size_t ld = transposed_ld(s->T);
    for (int set = 0; set < n_inputs / 3; set++) {
        real *kt = w->transposed + (size_t)2 * set * s->hs * ld;
        transpose_head(kt, inputs + tensor_head(s, 3 * set + 1, b, h), L, s->hs, ld);
        if (values) transpose_head(kt + (size_t)s->hs * ld, inputs + tensor_head(s, 3 * set + 2, b, h), L, s->hs, ld);
    }
}

/* Keys per chunk of a group: the fewest chunks of at most key_tile, balanced in size. */
static int chunk_size(int n_keys, int hs) {
    const int tile = key_tile(hs), chunks = (n_keys + tile - 1) / tile;
    return (n_keys + chunks - 1) / chunks;
}

/* Scores of the chunk keys[j0 … j0 + nc − 1], τ Q Kᵀ plus the position term, into w->scores (n_rows, nc). */
static void chunk_scores(const group_view *v, const real *k, int j0, int nc) {
    workspace *w = v->w;
    times_transposed(v->g.n_rows, nc, v->hs, 1 / REAL_SQRT((real)v->hs), v->q, k, v->kt, v->g.keys + j0, w->scores,
                     transposed_ld(v->call->shape.T));
    if (v->ps)
        position_scores_add(v->ps, v->b, v->h, v->g.rows, v->g.n_rows, v->g.keys + j0, nc, v->q, k, w->scores,
                            w->position);
}

/* The keys [*lo, *hi) of chunk (j0, nc) that row r may see, as indices into the chunk;
 * for a mask_row pattern, the masked keys inside them become −∞, which the softmax's
 * exp turns into exactly 0. */
static void row_window(const group_view *v, int r, int j0, int nc, real *row, int *lo, int *hi) {
    *lo = 0, *hi = nc;
    if (!v->g.masked) return;
    const sparse_pattern *p = v->p;
    if (p->row_span) {
        int first, end;
        p->row_span(p->self, v->ctx, v->g.rows[r], v->g.keys, v->g.n_keys, &first, &end);
        *lo = imin(nc, imax(0, first - j0));
        *hi = imax(*lo, imin(nc, end - j0));
        return;
    }
    const uint8_t *allowed = v->w->allowed;
    p->mask_row(p->self, v->ctx, v->g.rows[r], v->g.keys + j0, nc, v->w->allowed);
    for (int j = 0; j < nc; j++) row[j] = allowed[j] ? row[j] : -INFINITY;
}

/* Zeroes a row of n outside [lo, hi). */
static void zero_outside(real *row, int lo, int hi, int n) {
    memset(row, 0, sizeof(real) * (size_t)lo);
    memset(row + hi, 0, sizeof(real) * (size_t)(n - hi));
}

static void apply_dropout(const group_view *v, int r, int j0, int nc, real *row) {
    for (int j = 0; j < nc; j++) row[j] *= attention_keep_scale(v->call, v->b, v->h, v->g.rows[r], v->g.keys[j0 + j]);
}

/* Row r of a chunk's scores through the online softmax: exp(S − m) (dropped out) is left
 * in the row, the running max m and sum l move on, and the row's output acc (hs) is
 * rescaled to the new max. A row that has seen no key yet stays all zero. */
static void online_row(const group_view *v, int r, int j0, int nc, double *m, double *l, real *acc) {
    real *row = v->w->scores + (size_t)r * nc;
    int lo, hi;
    row_window(v, r, j0, nc, row, &lo, &hi);
    const double m_new = fmax(*m, hi > lo ? vec_max(row + lo, hi - lo) : -INFINITY);
    if (m_new == -INFINITY) {
        memset(row, 0, sizeof(real) * (size_t)nc);
        return;
    }
    const bool first = *m == -INFINITY; /* acc is still all zero */
    const double c = first ? 0 : exp(*m - m_new);
    *l = c * *l + vec_exp_sum(row + lo, (real)m_new, hi - lo);
    *m = m_new;
    zero_outside(row, lo, hi, nc);
    if (!first && c != 1) vec_scale(acc, (real)c, v->hs);
    if (attention_dropout_active(v->call)) apply_dropout(v, r, j0, nc, row);
}

/* The group's output rows and their log-sum-exp (0, with a zero row, for a row that sees
 * no key). The rows accumulate in place in out when they are consecutive. */
static void forward_group(const group_view *v, real *out, real *lse) {
    const int R = v->g.n_rows, NK = v->g.n_keys, hs = v->hs, size = chunk_size(NK, hs);
    const bool in_place = consecutive(v->g.rows, R);
    real *acc = in_place ? out + (size_t)v->g.rows[0] * hs : v->w->o;
    memset(acc, 0, sizeof(real) * (size_t)R * hs);
    double m[SPARSE_GROUP_ROWS], l[SPARSE_GROUP_ROWS];
    for (int r = 0; r < R; r++) m[r] = -INFINITY, l[r] = 0;
    for (int j0 = 0; j0 < NK; j0 += size) {
        const int nc = imin(size, NK - j0);
        const real *k = rows_of(v->k_in, v->g.keys + j0, nc, hs, v->w->k);
        const real *val = rows_of(v->v_in, v->g.keys + j0, nc, hs, v->w->v);
        chunk_scores(v, k, j0, nc);
        for (int r = 0; r < R; r++) online_row(v, r, j0, nc, &m[r], &l[r], acc + (size_t)r * hs);
        tile_gemm(false, false, R, hs, nc, 1, v->w->scores, nc, val, hs, 1, acc, hs);
    }
    for (int r = 0; r < R; r++) {
        if (l[r] > 0) vec_scale(acc + (size_t)r * hs, (real)(1 / l[r]), hs);
        lse[v->g.rows[r]] = l[r] > 0 ? (real)(m[r] + log(l[r])) : 0;
    }
    if (!in_place)
        for (int r = 0; r < R; r++) memcpy(out + (size_t)v->g.rows[r] * hs, acc + (size_t)r * hs, sizeof(real) * hs);
}

static void forward_head(const sparse_pattern *p, const attention_call *call, const position_scores *ps,
                         int n_inputs, int b, int h, const real *inputs, real *out, real *saved, workspace *w) {
    const attention_shape *s = &call->shape;
    real *o = out + tensor_head(s, 0, b, h);
    real *lse = saved + ((size_t)b * s->NH + h) * s->T;
    memset(o, 0, sizeof(real) * s->T * s->hs);
    memset(lse, 0, sizeof(real) * s->T);
    const sparse_context ctx = {call->lengths[b], call->layer, h, call->seed};
    if (ctx.length == 0) return;
    transpose_keys(s, n_inputs, inputs, b, h, ctx.length, false, w);
    const int n_groups = p->group_count(p->self, &ctx);
    for (int index = 0; index < n_groups; index++) {
        group_view v = {.ps = ps};
        if (load_group(&v, p, &ctx, call, index, inputs, b, w)) forward_group(&v, o, lse);
    }
}

void sparse_forward(const sparse_pattern *p, const attention_call *call, int n_inputs, const real *inputs,
                    real *out, real *saved, real *scratch) {
    const attention_shape s = call->shape;
    CHECK(s.T < (1 << 24));
    for (int b = 0; b < s.B; b++) CHECK(call->lengths[b] >= 0 && call->lengths[b] <= s.T);
    const size_t per_thread = scratch_per_thread(p, s, n_inputs);
    position_scores positions;
    const position_scores *ps = begin_positions(&positions, p, call, n_inputs, scratch, false);
#pragma omp parallel for schedule(dynamic) if ((size_t)s.B * s.NH * s.T * s.hs >= PARALLEL_MIN_WORK)
    for (int bh = 0; bh < s.B * s.NH; bh++) {
        workspace w;
        workspace_carve(&w, scratch + per_thread * (size_t)parallel_thread_id(), p, s, n_inputs);
        forward_head(p, call, ps, n_inputs, bh / s.NH, bh % s.NH, inputs, out, saved, &w);
    }
}

/* What the backward of a group's chunks shares: dO and Δ of its rows, their lse and the
 * accumulators of dQ; grads are the group's projections' (3, T, hs) buffers. */
typedef struct group_grads {
    const real *dout; /* (n_rows, hs) */
    const real *lse;  /* (T) of the head */
    real delta[SPARSE_GROUP_ROWS];
    real *dq;    /* (n_rows, hs) */
    real *grads; /* dQ, dK, dV of the head, (T, hs) each */
} group_grads;

/* P = exp(S − lse) of a chunk into w->scores, over the keys each row may see (a row
 * that sees none has lse 0 and gets zeros). */
static void chunk_probs(const group_view *v, const group_grads *gg, const real *k, int j0, int nc) {
    chunk_scores(v, k, j0, nc);
    for (int r = 0; r < v->g.n_rows; r++) {
        real *row = v->w->scores + (size_t)r * nc;
        int lo, hi;
        row_window(v, r, j0, nc, row, &lo, &hi);
        vec_exp_sum(row + lo, gg->lse[v->g.rows[r]], hi - lo);
        zero_outside(row, lo, hi, nc);
    }
}

/* The backward of keys[j0 … j0 + nc − 1]: dV and dK of the chunk (in place in grads when
 * the keys are consecutive, else through w->dk, w->dv and a scatter) and its share of dQ. */
static void backward_chunk(const group_view *v, group_grads *gg, int j0, int nc) {
    const int R = v->g.n_rows, hs = v->hs;
    const size_t T = (size_t)v->call->shape.T;
    const real scale = 1 / REAL_SQRT((real)hs);
    const int32_t *keys = v->g.keys + j0;
    workspace *w = v->w;
    const bool in_place = consecutive(keys, nc), dropout = attention_dropout_active(v->call);
    const real *k = rows_of(v->k_in, keys, nc, hs, w->k), *val = rows_of(v->v_in, keys, nc, hs, w->v);
    const real beta = in_place ? 1 : 0; /* in place: accumulate into grads */
    real *dk = in_place ? gg->grads + (T + (size_t)keys[0]) * hs : w->dk;
    real *dv = in_place ? gg->grads + (2 * T + (size_t)keys[0]) * hs : w->dv;
    chunk_probs(v, gg, k, j0, nc);
    /* dV = P̃ᵀ dO with P̃ the dropped-out probabilities of the forward. */
    const real *dropped = w->scores;
    if (dropout) {
        memcpy(w->dscores, w->scores, sizeof(real) * (size_t)R * nc);
        for (int r = 0; r < R; r++) apply_dropout(v, r, j0, nc, w->dscores + (size_t)r * nc);
        dropped = w->dscores;
    }
    tile_gemm(true, false, nc, hs, R, 1, dropped, nc, gg->dout, hs, beta, dv, hs);
    /* dP̃ = dO Vᵀ; dP = dP̃ ∘ keep; dS = P ∘ (dP − Δ), into w->scores. */
    times_transposed(R, nc, hs, 1, gg->dout, val, v->vt, keys, w->dscores, transposed_ld(T));
    for (int r = 0; r < R; r++) {
        real *p = w->scores + (size_t)r * nc, *dp = w->dscores + (size_t)r * nc;
        if (dropout) apply_dropout(v, r, j0, nc, dp);
        const real d = gg->delta[r];
#pragma omp simd
        for (int j = 0; j < nc; j++) p[j] = p[j] * (dp[j] - d);
    }
    /* dQ += τ dS K; dK = τ dSᵀ Q. */
    tile_gemm(false, false, R, hs, nc, scale, w->scores, nc, k, hs, 1, gg->dq, hs);
    tile_gemm(true, false, nc, hs, R, scale, w->scores, nc, v->q, hs, beta, dk, hs);
    if (v->ps)
        position_scores_backward(v->ps, v->b, v->h, v->g.rows, R, keys, nc, v->q, k, w->scores, gg->dq, dk,
                                 w->position);
    if (!in_place) {
        scatter_add(gg->grads + T * hs, dk, keys, nc, hs);
        scatter_add(gg->grads + 2 * T * hs, dv, keys, nc, hs);
    }
}

/* The backward of one group into the head's gradient buffers (3 per projection set). */
static void backward_group(const group_view *v, const real *o_head, const real *dout_head, const real *lse,
                           real *grads) {
    const int R = v->g.n_rows, NK = v->g.n_keys, hs = v->hs, size = chunk_size(NK, hs);
    workspace *w = v->w;
    const bool in_place = consecutive(v->g.rows, R);
    group_grads gg = {.dout = rows_of(dout_head, v->g.rows, R, hs, w->dout), .lse = lse, .grads = grads};
    const real *o = rows_of(o_head, v->g.rows, R, hs, w->o);
    for (int r = 0; r < R; r++) { /* Δ_r = dO_r · O_r */
        double delta = 0;
        for (int c = 0; c < hs; c++) delta += (double)gg.dout[(size_t)r * hs + c] * o[(size_t)r * hs + c];
        gg.delta[r] = (real)delta;
    }
    gg.dq = in_place ? grads + (size_t)v->g.rows[0] * hs : w->dq;
    if (!in_place) memset(w->dq, 0, sizeof(real) * (size_t)R * hs);
    for (int j0 = 0; j0 < NK; j0 += size) backward_chunk(v, &gg, j0, imin(size, NK - j0));
    if (!in_place) scatter_add(grads, w->dq, v->g.rows, R, hs);
}

static void backward_head(const sparse_pattern *p, const attention_call *call, const position_scores *ps,
                          int n_inputs, int b, int h, const real *inputs, const real *out, const real *dout,
                          const real *saved, real *dinputs, workspace *w) {
    const attention_shape *s = &call->shape;
    const sparse_context ctx = {call->lengths[b], call->layer, h, call->seed};
    if (ctx.length == 0) return;
    const size_t head = tensor_head(s, 0, b, h), span = (size_t)ctx.length * s->hs;
    const real *lse = saved + ((size_t)b * s->NH + h) * s->T;
    for (int t = 0; t < n_inputs; t++) memset(w->grads + (size_t)t * s->T * s->hs, 0, sizeof(real) * span);
    transpose_keys(s, n_inputs, inputs, b, h, ctx.length, true, w);
    const int n_groups = p->group_count(p->self, &ctx);
    for (int index = 0; index < n_groups; index++) {
        group_view v = {.ps = ps};
        if (!load_group(&v, p, &ctx, call, index, inputs, b, w)) continue;
        real *grads = w->grads + (size_t)3 * v.g.projections * s->T * s->hs;
        backward_group(&v, out + head, dout + head, lse, grads);
    }
    for (int t = 0; t < n_inputs; t++) {
        real *d = dinputs + tensor_head(s, t, b, h);
        const real *local = w->grads + (size_t)t * s->T * s->hs;
        for (size_t i = 0; i < span; i++) d[i] += local[i];
    }
}

void sparse_backward(const sparse_pattern *p, const attention_call *call, int n_inputs, const real *inputs,
                     const real *out, const real *dout, const real *saved, real *dinputs, real *scratch) {
    const attention_shape s = call->shape;
    const size_t per_thread = scratch_per_thread(p, s, n_inputs);
    position_scores positions;
    const position_scores *ps = begin_positions(&positions, p, call, n_inputs, scratch, true);
#pragma omp parallel for schedule(dynamic) if ((size_t)s.B * s.NH * s.T * s.hs >= PARALLEL_MIN_WORK)
    for (int bh = 0; bh < s.B * s.NH; bh++) {
        workspace w;
        workspace_carve(&w, scratch + per_thread * (size_t)parallel_thread_id(), p, s, n_inputs);
        backward_head(p, call, ps, n_inputs, bh / s.NH, bh % s.NH, inputs, out, dout, saved, dinputs, &w);
    }
    if (ps) position_scores_end(ps, s.B);
}
