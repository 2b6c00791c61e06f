/* sparse_attention.c — the gather / dense-block / scatter engine of sparse softmax
 * attention (see sparse_attention.h). */
#include "mechanisms/sparse_attention.h"

#include <math.h>
#include <string.h>

#include "core/blas.h"
#include "core/check.h"
#include "core/parallel.h"
#include "core/vecmath.h"
#include "mechanisms/attention_dropout.h"

/* One thread's scratch, carved from the caller's buffer. */
typedef struct workspace {
    int32_t *rows, *keys;
    uint8_t *allowed;          /* (R, NK) */
    real *q, *o, *dout, *dq;   /* (R, hs) gathered query rows */
    real *k, *v, *dk, *dv;     /* (NK, hs) gathered key rows */
    real *scores, *dscores;    /* (R, NK) */
    real *grads;               /* (n_inputs, T, hs) the head's gradients, added once at the end */
    real *position;            /* the position kernels' work */
} workspace;

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
    const size_t R = SPARSE_GROUP_ROWS, NK = (size_t)(p->max_keys > 0 ? p->max_keys : 1), hs = (size_t)s.hs;
    size_t used = 0;
    workspace ws;
    ws.rows = take(base, &used, R * sizeof(int32_t));
    ws.keys = take(base, &used, NK * sizeof(int32_t));
    ws.allowed = take(base, &used, R * NK);
    ws.q = take(base, &used, R * hs * sizeof(real));
    ws.o = take(base, &used, R * hs * sizeof(real));
    ws.dout = take(base, &used, R * hs * sizeof(real));
    ws.dq = take(base, &used, R * hs * sizeof(real));
    ws.k = take(base, &used, NK * hs * sizeof(real));
    ws.v = take(base, &used, NK * hs * sizeof(real));
    ws.dk = take(base, &used, NK * hs * sizeof(real));
    ws.dv = take(base, &used, NK * hs * sizeof(real));
    ws.scores = take(base, &used, R * NK * sizeof(real));
    ws.dscores = take(base, &used, R * NK * sizeof(real));
    ws.grads = take(base, &used, (size_t)n_inputs * s.T * hs * sizeof(real));
    ws.position = take(base, &used, position_scores_per_thread(p->position, s, (int)R, (int)NK) * sizeof(real));
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

static void gather(real *dst, const real *src, const int32_t *positions, int n, int hs) {
    for (int r = 0; r < n; r++) memcpy(dst + (size_t)r * hs, src + (size_t)positions[r] * hs, sizeof(real) * hs);
}

static void scatter_add(real *dst, const real *src, const int32_t *positions, int n, int hs) {
    for (int r = 0; r < n; r++) {
        real *d = dst + (size_t)positions[r] * hs;
        const real *x = src + (size_t)r * hs;
        for (int c = 0; c < hs; c++) d[c] += x[c];
    }
}

/* A group with its rows, keys and (for masked groups) per-row masks, Q, K and V gathered. */
static void load_group(const sparse_pattern *p, const sparse_context *ctx, const attention_call *call, int index,
                       const real *inputs, int b, workspace *w, sparse_group *g) {
    const attention_shape *s = &call->shape;
    g->rows = w->rows;
    g->keys = w->keys;
    g->projections = 0;
    g->masked = false;
    p->group_at(p->self, ctx, index, g);
    CHECK(g->n_rows >= 0 && g->n_rows <= SPARSE_GROUP_ROWS && g->n_keys >= 0 && g->n_keys <= p->max_keys);
    CHECK(g->projections == 0 || g->projections == 1);
    if (g->n_rows == 0 || g->n_keys == 0) return;
    if (g->masked)
        for (int r = 0; r < g->n_rows; r++)
            p->mask_row(p->self, ctx, g->rows[r], g->keys, g->n_keys, w->allowed + (size_t)r * g->n_keys);
    const int base = 3 * g->projections;
    gather(w->q, inputs + tensor_head(s, base, b, ctx->head), g->rows, g->n_rows, s->hs);
    gather(w->k, inputs + tensor_head(s, base + 1, b, ctx->head), g->keys, g->n_keys, s->hs);
    gather(w->v, inputs + tensor_head(s, base + 2, b, ctx->head), g->keys, g->n_keys, s->hs);
}

/* Scores of the group, τ Q Kᵀ, into w->scores (n_rows, n_keys). */
static void group_scores(const sparse_group *g, int hs, workspace *w) {
    blas_gemm(false, true, g->n_rows, g->n_keys, hs, 1 / REAL_SQRT((real)hs), w->q, hs, w->k, hs, 0, w->scores,
              g->n_keys);
}

/* Masked scores become −∞, which the softmax's exp turns into exactly 0. */
static void mask_scores(real *row, const uint8_t *allowed, int n) {
    for (int j = 0; j < n; j++) row[j] = allowed[j] ? row[j] : -INFINITY;
}

static void apply_dropout(const attention_call *call, int b, int h, const sparse_group *g, int r, real *row) {
    for (int j = 0; j < g->n_keys; j++) row[j] *= attention_keep_scale(call, b, h, g->rows[r], g->keys[j]);
}

/* Scores of the group with the position term, if any. */
static void group_scores_at(const position_scores *ps, int b, int h, const sparse_group *g, int hs, workspace *w) {
    group_scores(g, hs, w);
    if (ps) position_scores_add(ps, b, h, g->rows, g->n_rows, g->keys, g->n_keys, w->q, w->k, w->scores, w->position);
}

static void forward_group(const attention_call *call, const position_scores *ps, int b, int h,
                          const sparse_group *g, workspace *w, real *out, real *lse) {
    const int hs = call->shape.hs, NK = g->n_keys;
    group_scores_at(ps, b, h, g, hs, w);
    for (int r = 0; r < g->n_rows; r++) {
        real *row = w->scores + (size_t)r * NK;
        if (g->masked) mask_scores(row, w->allowed + (size_t)r * NK, NK);
        const real max = vec_max(row, NK);
        if (max == -INFINITY) { /* a row that sees no key outputs zero */
            memset(row, 0, sizeof(real) * NK);
            lse[g->rows[r]] = 0;
            continue;
        }
        const double sum = vec_exp_sum(row, max, NK);
        vec_scale(row, (real)(1 / sum), NK);
        lse[g->rows[r]] = max + (real)log(sum);
        if (attention_dropout_active(call)) apply_dropout(call, b, h, g, r, row);
    }
    blas_gemm(false, false, g->n_rows, hs, NK, 1, w->scores, NK, w->v, hs, 0, w->o, hs);
    for (int r = 0; r < g->n_rows; r++)
        memcpy(out + (size_t)g->rows[r] * hs, w->o + (size_t)r * hs, sizeof(real) * hs);
}

static void forward_head(const sparse_pattern *p, const attention_call *call, const position_scores *ps, int b, int h,
                         const real *inputs, real *out, real *saved, workspace *w) {
    const attention_shape *s = &call->shape;
    real *o = out + tensor_head(s, 0, b, h);
    real *lse = saved + ((size_t)b * s->NH + h) * s->T;
    memset(o, 0, sizeof(real) * s->T * s->hs);
    memset(lse, 0, sizeof(real) * s->T);
    const sparse_context ctx = {call->lengths[b], call->layer, h, call->seed};
    if (ctx.length == 0) return;
    const int n_groups = p->group_count(p->self, &ctx);
    for (int index = 0; index < n_groups; index++) {
        sparse_group g;
        load_group(p, &ctx, call, index, inputs, b, w, &g);
        if (g.n_rows > 0 && g.n_keys > 0) forward_group(call, ps, b, h, &g, w, o, lse);
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
        forward_head(p, call, ps, bh / s.NH, bh % s.NH, inputs, out, saved, &w);
    }
}

/* The backward of one group into the head's gradient buffers (3 per projection set). */
static void backward_group(const attention_call *call, const position_scores *ps, int b, int h,
                           const sparse_group *g, const real *o, const real *dout, const real *lse, workspace *w) {
    const int hs = call->shape.hs, NK = g->n_keys, R = g->n_rows, T = call->shape.T;
    const real scale = 1 / REAL_SQRT((real)hs);
    const bool dropout = attention_dropout_active(call);
    gather(w->o, o, g->rows, R, hs);
    gather(w->dout, dout, g->rows, R, hs);
    /* P = exp(τ Q Kᵀ + position term − lse) over the allowed keys, recomputed (a row
     * with no allowed key is all −∞ and gives zeros). */
    group_scores_at(ps, b, h, g, hs, w);
    for (int r = 0; r < R; r++) {
        real *row = w->scores + (size_t)r * NK;
        if (g->masked) mask_scores(row, w->allowed + (size_t)r * NK, NK);
        vec_exp_sum(row, lse[g->rows[r]], NK);
    }
    /* dV = P̃ᵀ dO with P̃ the dropped-out probabilities of the forward. */
    const real *dropped = w->scores;
    if (dropout) {
        memcpy(w->dscores, w->scores, sizeof(real) * R * NK);
        for (int r = 0; r < R; r++) apply_dropout(call, b, h, g, r, w->dscores + (size_t)r * NK);
        dropped = w->dscores;
    }
    blas_gemm(true, false, NK, hs, R, 1, dropped, NK, w->dout, hs, 0, w->dv, hs);
    /* dP̃ = dO Vᵀ; dP = dP̃ ∘ keep; dS = P ∘ (dP − Δ), Δ_r = dO_r · O_r. */
    blas_gemm(false, true, R, NK, hs, 1, w->dout, hs, w->v, hs, 0, w->dscores, NK);
    for (int r = 0; r < R; r++) {
        double delta = 0;
        for (int c = 0; c < hs; c++) delta += (double)w->dout[(size_t)r * hs + c] * w->o[(size_t)r * hs + c];
        real *p = w->scores + (size_t)r * NK, *dp = w->dscores + (size_t)r * NK;
        if (dropout) apply_dropout(call, b, h, g, r, dp);
        const real d = (real)delta;
        for (int j = 0; j < NK; j++) p[j] = p[j] * (dp[j] - d);
    }
    /* dQ = τ dS K; dK = τ dSᵀ Q; then scattered into the head's buffers. */
    blas_gemm(false, false, R, hs, NK, scale, w->scores, NK, w->k, hs, 0, w->dq, hs);
    blas_gemm(true, false, NK, hs, R, scale, w->scores, NK, w->q, hs, 0, w->dk, hs);
    if (ps) position_scores_backward(ps, b, h, g->rows, R, g->keys, NK, w->q, w->k, w->scores, w->dq, w->dk, w->position);
    real *grads = w->grads + (size_t)3 * g->projections * T * hs;
    scatter_add(grads, w->dq, g->rows, R, hs);
    scatter_add(grads + (size_t)T * hs, w->dk, g->keys, NK, hs);
    scatter_add(grads + (size_t)2 * T * hs, w->dv, g->keys, NK, hs);
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
    const int n_groups = p->group_count(p->self, &ctx);
    for (int index = 0; index < n_groups; index++) {
        sparse_group g;
        load_group(p, &ctx, call, index, inputs, b, w, &g);
        if (g.n_rows > 0 && g.n_keys > 0) backward_group(call, ps, b, h, &g, out + head, dout + head, lse, w);
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
