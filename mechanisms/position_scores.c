/* position_scores.c — ALiBi, T5 bias and Transformer-XL relative terms on blocks of
 * attention scores, forward and backward (see position_scores.h). */
#include "mechanisms/position_scores.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/blas.h"
#include "core/check.h"
#include "nn/position.h"

static int imax(int a, int b) { return a > b ? a : b; }

int position_layout_init(position_layout *l, const attention_geometry *geometry, error_info *err) {
    memset(l, 0, sizeof *l);
    if (!position_kind_scores(geometry->positional)) return 0;
    l->kind = geometry->positional;
    l->heads = geometry->heads;
    l->head_size = geometry->head_size;
    l->width = position_relative_width(geometry->heads, geometry->head_size);
    l->max_position = imax(geometry->max_position, geometry->max_tokens + 1);
    if (l->kind != POSITIONAL_RELATIVE) return 0;
    const int P = l->max_position;
    l->sinusoid = malloc(sizeof(real) * position_table_reals(l->kind, P, l->heads, l->head_size));
    if (!l->sinusoid) return error_set(err, EXIT_RUNTIME, "out of memory for the relative position table");
    for (int delta = -(P - 1); delta <= P - 1; delta++)
        position_relative_sinusoid(l->sinusoid + (size_t)(delta + P - 1) * l->width, delta, l->width);
    return 0;
}

void position_layout_free(position_layout *l) {
    free(l->sinusoid);
    l->sinusoid = NULL;
}

static size_t slot_size(const position_layout *l) {
    if (l->kind == POSITIONAL_T5) return POSITION_T5_BUCKETS;
    if (l->kind == POSITIONAL_RELATIVE) return 2 * (size_t)l->head_size + (size_t)l->width * l->head_size;
    return 0;
}

static size_t relative_keys_size(const position_layout *l) {
    if (l->kind != POSITIONAL_RELATIVE) return 0;
    return (size_t)(2 * l->max_position - 1) * l->heads * l->head_size;
}

size_t position_scores_shared(const position_layout *l, attention_shape shape) {
    return relative_keys_size(l) + (size_t)shape.B * shape.NH * slot_size(l);
}

size_t position_scores_per_thread(const position_layout *l, attention_shape shape, int rows, int keys) {
    if (l->kind != POSITIONAL_RELATIVE) return 0;
    return (size_t)rows * (l->width + shape.hs) + (size_t)keys + (size_t)shape.hs;
}

void position_scores_begin(position_scores *ps, const position_layout *l, const attention_call *call, real *shared,
                           bool backward) {
    const attention_shape s = call->shape;
    const attention_positions *positions = call->positions;
    CHECK(l->kind != 0 && positions->kind == l->kind && s.NH == l->heads && s.hs == l->head_size);
    *ps = (position_scores){
        .layout = l,
        .call = positions,
        .T = s.T,
        .NH = s.NH,
        .hs = s.hs,
        .scale = 1 / REAL_SQRT((real)s.hs),
        .keys = shared,
        .slots = shared + relative_keys_size(l),
        .slot = slot_size(l),
    };
    for (int b = 0; b < s.B; b++)
        for (int t = 0; t < call->lengths[b]; t++) {
            const int32_t p = positions->positions[(size_t)b * s.T + t];
            CHECK(p >= 0 && p < l->max_position);
            ps->reach = imax(ps->reach, p);
        }
    if (l->kind == POSITIONAL_RELATIVE) {
        /* r(δ) = R(δ)·W_r for |δ| ≤ reach, all heads at once. */
        const int D = s.NH * s.hs, first = l->max_position - 1 - ps->reach;
        blas_gemm(false, false, 2 * ps->reach + 1, D, l->width, 1, l->sinusoid + (size_t)first * l->width, l->width,
                  positions->params + 2 * (size_t)D, D, 0, ps->keys + (size_t)first * D, D);
    }
    if (backward) memset(ps->slots, 0, sizeof(real) * (size_t)s.B * s.NH * ps->slot);
}

/* Token indices of a block's rows or keys: a list, or first, first + 1, ... when list is NULL. */
typedef struct span {
    const int32_t *list;
    int first;
} span;

static int index_at(span s, int n) { return s.list ? s.list[n] : s.first + n; }

static void add_alibi(const position_scores *ps, int h, const int32_t *pos, span rows, int n_rows,
                      span keys, int n_keys, real *scores) {
    const double slope = position_alibi_slope(h, ps->NH);
    for (int r = 0; r < n_rows; r++) {
        const int32_t pi = pos[index_at(rows, r)];
        real *row = scores + (size_t)r * n_keys;
        for (int j = 0; j < n_keys; j++) {
            const int32_t d = pi - pos[index_at(keys, j)];
            row[j] += (real)(slope * ((d > 0 ? 0.5 : 0.0) - abs(d)));
        }
    }
}

static void add_t5(const position_scores *ps, int h, const int32_t *pos, span rows, int n_rows,
                   span keys, int n_keys, real *scores) {
    const real *table = ps->call->params + (size_t)h * POSITION_T5_BUCKETS;
    for (int r = 0; r < n_rows; r++) {
        const int32_t pi = pos[index_at(rows, r)];
        real *row = scores + (size_t)r * n_keys;
        for (int j = 0; j < n_keys; j++) row[j] += table[position_t5_bucket(pi - pos[index_at(keys, j)])];
    }
}

/* The relative key of head h at distance delta. */
static const real *relative_key(const position_scores *ps, int h, int delta) {
    return ps->keys + (size_t)(delta + ps->layout->max_position - 1) * ps->NH * ps->hs + (size_t)h * ps->hs;
}

static real dot(const real *a, const real *b, int n) {
    real sum = 0;
    for (int c = 0; c < n; c++) sum += a[c] * b[c];
    return sum;
}

/* S_ij += τ[u·k_j + (q_i + v)·r(p_i − p_j)]. */
static void add_relative(const position_scores *ps, int h, const int32_t *pos, span rows, int n_rows, span keys,
                         int n_keys, const real *q, const real *k, real *scores, real *work) {
    const int hs = ps->hs;
    const real *u = ps->call->params + (size_t)h * hs, *v = u + (size_t)ps->NH * hs;
    real *content = work, *qv = work + n_keys;
    for (int j = 0; j < n_keys; j++) content[j] = ps->scale * dot(u, k + (size_t)j * hs, hs);
    for (int r = 0; r < n_rows; r++) {
        const int32_t pi = pos[index_at(rows, r)];
        for (int c = 0; c < hs; c++) qv[c] = q[(size_t)r * hs + c] + v[c];
        real *row = scores + (size_t)r * n_keys;
        for (int j = 0; j < n_keys; j++)
            row[j] += content[j] + ps->scale * dot(qv, relative_key(ps, h, pi - pos[index_at(keys, j)]), hs);
    }
}

static void add_span(const position_scores *ps, int b, int h, span rows, int n_rows, span keys, int n_keys,
                     const real *q, const real *k, real *scores, real *work) {
    const int32_t *pos = ps->call->positions + (size_t)b * ps->T;
    switch (ps->layout->kind) {
    case POSITIONAL_ALIBI: add_alibi(ps, h, pos, rows, n_rows, keys, n_keys, scores); break;
    case POSITIONAL_T5: add_t5(ps, h, pos, rows, n_rows, keys, n_keys, scores); break;
    default: add_relative(ps, h, pos, rows, n_rows, keys, n_keys, q, k, scores, work); break;
    }
}

void position_scores_add(const position_scores *ps, int b, int h, const int32_t *rows, int n_rows,
                         const int32_t *keys, int n_keys, const real *q, const real *k, real *scores, real *work) {
    add_span(ps, b, h, (span){rows, 0}, n_rows, (span){keys, 0}, n_keys, q, k, scores, work);
}

void position_scores_add_tile(const position_scores *ps, int b, int h, int row0, int n_rows, int key0, int n_keys,
                              const real *q, const real *k, real *scores, real *work) {
    add_span(ps, b, h, (span){NULL, row0}, n_rows, (span){NULL, key0}, n_keys, q, k, scores, work);
}

static void backward_t5(const position_scores *ps, const int32_t *pos, span rows, int n_rows, span keys,
                        int n_keys, const real *dscores, real *slot) {
    for (int r = 0; r < n_rows; r++) {
        const int32_t pi = pos[index_at(rows, r)];
        const real *row = dscores + (size_t)r * n_keys;
        for (int j = 0; j < n_keys; j++) slot[position_t5_bucket(pi - pos[index_at(keys, j)])] += row[j];
    }
}

/* The rows' share of the relative term, with ds = τ dS: dq_i += Σ_j ds r(δ_ij); dv += the
 * same; dW_h += Gᵀ (Q + v) with G_i = Σ_j ds R(δ_ij). */
static void relative_rows(const position_scores *ps, int h, const int32_t *pos, span rows, int n_rows, span keys,
                          int n_keys, const real *q, const real *dscores, real *dq, real *slot, real *work) {
    const int hs = ps->hs, width = ps->layout->width, P = ps->layout->max_position;
    const real *v = ps->call->params + (size_t)ps->NH * hs + (size_t)h * hs;
    real *g = work, *qv = g + (size_t)n_rows * width, *e = qv + (size_t)n_rows * hs + n_keys;
    real *dv = slot + hs, *dw = slot + 2 * hs;
    memset(g, 0, sizeof(real) * (size_t)n_rows * width);
    for (int r = 0; r < n_rows; r++) {
        const int32_t pi = pos[index_at(rows, r)];
        real *gr = g + (size_t)r * width;
        for (int c = 0; c < hs; c++) {
            qv[(size_t)r * hs + c] = q[(size_t)r * hs + c] + v[c];
            e[c] = 0;
        }
        for (int j = 0; j < n_keys; j++) {
            const real ds = ps->scale * dscores[(size_t)r * n_keys + j];
            if (ds == 0) continue; /* masked or dropped keys */
            const int delta = pi - pos[index_at(keys, j)];
            const real *key = relative_key(ps, h, delta);
            const real *sinusoid = ps->layout->sinusoid + (size_t)(delta + P - 1) * width;
            for (int c = 0; c < hs; c++) e[c] += ds * key[c];
            for (int c = 0; c < width; c++) gr[c] += ds * sinusoid[c];
        }
        for (int c = 0; c < hs; c++) {
            dq[(size_t)r * hs + c] += e[c];
            dv[c] += e[c];
        }
    }
    blas_gemm(true, false, width, hs, n_rows, 1, g, width, qv, hs, 1, dw, hs);
}

/* The keys' share: dk_j += (Σ_i ds) u; du += Σ_j (Σ_i ds) k_j. */
static void relative_keys(const position_scores *ps, int h, int n_rows, int n_keys, const real *k,
                          const real *dscores, real *dk, real *slot, real *work) {
    const int hs = ps->hs;
    const real *u = ps->call->params + (size_t)h * hs;
    real *column = work + (size_t)n_rows * (ps->layout->width + hs), *du = slot;
    memset(column, 0, sizeof(real) * (size_t)n_keys);
    for (int r = 0; r < n_rows; r++)
        for (int j = 0; j < n_keys; j++) {
            const real ds = ps->scale * dscores[(size_t)r * n_keys + j];
            if (ds != 0) column[j] += ds;
        }
    for (int j = 0; j < n_keys; j++)
        for (int c = 0; c < hs; c++) {
            dk[(size_t)j * hs + c] += column[j] * u[c];
            du[c] += column[j] * k[(size_t)j * hs + c];
        }
}

static real *slot_of(const position_scores *ps, int b, int h) {
    return ps->slots + ((size_t)b * ps->NH + h) * ps->slot;
}

static void backward_rows(const position_scores *ps, int b, int h, span rows, int n_rows, span keys, int n_keys,
                          const real *q, const real *dscores, real *dq, real *work) {
    const int32_t *pos = ps->call->positions + (size_t)b * ps->T;
    if (ps->layout->kind == POSITIONAL_T5) backward_t5(ps, pos, rows, n_rows, keys, n_keys, dscores, slot_of(ps, b, h));
    if (ps->layout->kind == POSITIONAL_RELATIVE)
        relative_rows(ps, h, pos, rows, n_rows, keys, n_keys, q, dscores, dq, slot_of(ps, b, h), work);
}

static void backward_keys(const position_scores *ps, int b, int h, int n_rows, int n_keys, const real *k,
                          const real *dscores, real *dk, real *work) {
    if (ps->layout->kind == POSITIONAL_RELATIVE)
        relative_keys(ps, h, n_rows, n_keys, k, dscores, dk, slot_of(ps, b, h), work);
}

void position_scores_backward(const position_scores *ps, int b, int h, const int32_t *rows, int n_rows,
                              const int32_t *keys, int n_keys, const real *q, const real *k, const real *dscores,
                              real *dq, real *dk, real *work) {
    backward_rows(ps, b, h, (span){rows, 0}, n_rows, (span){keys, 0}, n_keys, q, dscores, dq, work);
    backward_keys(ps, b, h, n_rows, n_keys, k, dscores, dk, work);
}

void position_scores_backward_rows(const position_scores *ps, int b, int h, int row0, int n_rows, int key0,
                                   int n_keys, const real *q, const real *dscores, real *dq, real *work) {
    backward_rows(ps, b, h, (span){NULL, row0}, n_rows, (span){NULL, key0}, n_keys, q, dscores, dq, work);
}

void position_scores_backward_keys(const position_scores *ps, int b, int h, int n_rows, int n_keys, const real *k,
                                   const real *dscores, real *dk, real *work) {
    backward_keys(ps, b, h, n_rows, n_keys, k, dscores, dk, work);
}

void position_scores_end(const position_scores *ps, int B) {
    const int NH = ps->NH, hs = ps->hs, D = NH * hs, width = ps->layout->width;
    real *dparams = ps->call->dparams;
    /* Sum the slots of every b into those of b = 0, in order, then add once: a second
     * backward adds exactly the same values. */
    const size_t per_b = (size_t)NH * ps->slot;
    for (int b = 1; b < B; b++)
        for (size_t i = 0; i < per_b; i++) ps->slots[i] += ps->slots[(size_t)b * per_b + i];
    for (int h = 0; h < NH && B > 0; h++) {
        const real *slot = ps->slots + (size_t)h * ps->slot;
        if (ps->layout->kind == POSITIONAL_T5) {
            for (int i = 0; i < POSITION_T5_BUCKETS; i++) dparams[h * POSITION_T5_BUCKETS + i] += slot[i];
        } else if (ps->layout->kind == POSITIONAL_RELATIVE) {
            for (int c = 0; c < hs; c++) {
                dparams[h * hs + c] += slot[c];
                dparams[D + h * hs + c] += slot[hs + c];
            }
            for (int i = 0; i < width; i++)
                for (int c = 0; c < hs; c++)
                    dparams[2 * (size_t)D + (size_t)i * D + h * hs + c] += slot[2 * hs + (size_t)i * hs + c];
        }
    }
}
