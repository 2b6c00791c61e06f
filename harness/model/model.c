/* model.c — the encoder classifier's memory layout, forward and backward.
 *
 * Data flow for a batch (B examples of T padded tokens, N = B·T rows of C channels):
 *   x0 = dropout(embed(tokens)·(√C if embedding_scale) + position)
 *   attn(h) = dropout(proj(attention(split_heads(qkv(h)))))
 *   mlp(h)  = dropout(fc2(dropout(act(fc1(h)))))          act = GELU or ReLU
 *   pre-LN block:   xmid = x + attn(LN1(x));  x' = xmid + mlp(LN2(xmid))
 *   post-LN block:  h = LN1(x + attn(x));     x' = LN2(h + mlp(h))
 *   rows = pool(LNf(x_L)) (pre-LN) or pool(x_L) (post-LN): the CLS row, the masked
 *          mean, or the last n_outputs positions
 *   logits = head2(relu(head1(rows))), or head2(rows) with a linear head
 * The q, k, v and output projections have biases unless attention_bias is off.
 * Pair tasks (two-tower retrieval) encode the two documents of each example as two
 * sequences of the same batch with the same weights, pool each, and the head reads
 * [u, v, u·v, u−v] per example.
 * Padded positions flow through the per-token layers but are never attended to and
 * never pooled, so they receive zero gradient and change no real output.
 * Every buffer is carved from four allocations made here: parameters, gradients,
 * AdamW moments (2×), and activations + scratch. Nothing is sized by a formula: one
 * walk over the layout counts the tensors, their names and every real (model_plan, which
 * also checks what a config can get wrong), and a second records them into tables of
 * exactly that size. */
#define _POSIX_C_SOURCE 200809L
#include "model/model.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/check.h"
#include "core/parallel.h"
#include "core/rng.h"
#include "mechanisms/mechanism.h"
#include "model/scores.h"
#include "nn/nn.h"
#include "nn/position.h"

/* Dropout sites, part of each mask's counter key. */
enum { SITE_EMBEDDING, SITE_ATTENTION, SITE_PROJECTION, SITE_HIDDEN, SITE_MLP_OUT, SITE_POSITIONS };

/* RoPE's base, as the Chomsky and randomized-position code. */
#define ROPE_BASE 10000.0

typedef struct layer_offsets { /* into the parameter / gradient buffers */
    size_t ln1_w, ln1_b, qkv_w, qkv_b, attn, position, proj_w, proj_b, ln2_w, ln2_b, fc1_w, fc1_b, fc2_w, fc2_b;
} layer_offsets;

typedef struct layer_acts { /* saved from forward to backward */
    real *x;          /* (B, T, C) block input */
    real *xmid;       /* (B, T, C) after the attention residual */
    real *ln1, *ln1_mean, *ln1_rstd; /* (B, T, C), (B, T), (B, T); post-LN: h */
    real *heads;      /* (P, B, NH, T, hs) projected inputs of the mechanism */
    real *attn_saved; /* mechanism's saved activations */
    real *attn_out;   /* (B, NH, T, hs) */
    real *merged;     /* (B, T, Q) attn_out with heads merged */
    real *ln2, *ln2_mean, *ln2_rstd; /* post-LN: ln2 holds h + mlp(h), before LN2 */
    real *fc1;        /* (B, T, M) before GELU */
    real *hidden;     /* (B, T, M) after GELU and dropout */
} layer_acts;

struct model {
    model_config config;
    task_info task;
    int L, C, NH, hs, M, H, K, P; /* layers, dim, heads, head size, mlp, head mlp, classes, inputs */
    int Q;                        /* width of queries, keys and values over all heads (NH·hs) */
    int max_batch, max_tokens, max_rows; /* sequences (2 per example for pairs), tokens, head rows */
    int head_in;                          /* width of a head row: C, or 4C for pairs */
    int logits_in;                        /* width into the last head layer: H, or head_in (linear head) */
    bool cls, pair;

    const mechanism_ops *mechanism;
    void *mechanism_state;
    uint64_t seed; /* the model's seed: parameters and the mechanism's fixed randomness */
    attention_sizes attn_sizes; /* at (max_batch, max_tokens) */

    size_t n_params;
    model_tensor *tensors;        /* (tensor_capacity), NULL during the counting pass */
    char *tensor_names;           /* (names_capacity) every name, NUL-terminated, one after another */
    int n_tensors, tensor_capacity;
    size_t names_used, names_capacity;
    size_t position_table;        /* reals of the mechanism's position table (position_table_reals) */
    real *params, *grads, *adam_m, *adam_v;
    real *activations;
    size_t activation_reals;

    size_t tok_emb, pos_emb, lnf_w, lnf_b, head1_w, head1_b, head2_w, head2_b;
    int max_tokens_per_batch; /* B·T a batch may have (see model_batch_limit) */
    layer_offsets *layer; /* (L) */
    layer_acts *acts;     /* (L + 1): acts[L].x is the final residual */

    int position_rows;            /* positions are below this: rows of the position tables */
    int32_t *positions;           /* (B, T) of the current batch */
    attention_positions position_call; /* what a score-position kind hands the mechanism */
    real *sinusoid;               /* (position_rows, C) */
    real *lnf, *lnf_mean, *lnf_rstd;
    real *pooled, *dpooled;       /* (max_batch, C) one pooled row per sequence, for pairs */
    real *rows, *h1, *h1r, *logits, *probs, *losses; /* (R, head_in) (R, H) (R, H) (R, K) (R, K) (R) */
    int32_t *row_targets, *row_position; /* (R) target and b·T + t of each row */
    uint8_t *row_scored;
    real *row_scale;
    int n_rows;
    /* gradient temporaries */
    real *dx, *dtmp, *dln, *dres, *dqkv, *dheads, *dattn, *dmerged, *dm1, *dm2;
    real *drows, *dh1, *dh1r, *dlogits;
    real *qkv;     /* (B, T, P·C) */
    real *scratch; /* mechanism scratch */
};

/* One parameter tensor of `size` reals, named by the format; returns its offset. The
 * layout runs twice: first with no table, counting tensors, name bytes and reals, then
 * recording them into tables of exactly that size. A tensor of no reals is not listed. */
static size_t add_tensor(model *m, size_t size, bool decay, const char *format, ...)
    __attribute__((format(printf, 4, 5)));
static size_t add_tensor(model *m, size_t size, bool decay, const char *format, ...) {
    const size_t offset = m->n_params;
    if (size == 0) return offset;
    va_list args;
    va_start(args, format);
    const int length = vsnprintf(NULL, 0, format, args);
    va_end(args);
    CHECK(length >= 0);
    if (m->tensors) {
        CHECK(m->n_tensors < m->tensor_capacity && m->names_used + (size_t)length < m->names_capacity);
        char *name = m->tensor_names + m->names_used;
        va_start(args, format);
        vsnprintf(name, (size_t)length + 1, format, args);
        va_end(args);
        m->tensors[m->n_tensors] = (model_tensor){name, offset, size, decay};
    }
    m->n_tensors++;
    m->names_used += (size_t)length + 1;
    m->n_params += size;
    return offset;
}

static void layout_params(model *m) {
    const size_t C = (size_t)m->C, M = (size_t)m->M, P = (size_t)m->P, Q = (size_t)m->Q;
    m->n_tensors = 0;
    m->names_used = 0;
    m->n_params = 0;
    m->tok_emb = add_tensor(m, (size_t)m->task.vocab_size * C, true, "token_embedding");
    if (m->config.positional == POSITIONAL_LEARNED)
        m->pos_emb = add_tensor(m, (size_t)m->position_rows * C, true, "position_embedding");
    for (int l = 0; l < m->L; l++) {
        layer_offsets *o = &m->layer[l];
#define LAYER_TENSOR(field, suffix, size, decay) o->field = add_tensor(m, size, decay, "layer%d.%s", l, suffix)
        LAYER_TENSOR(ln1_w, "ln1.weight", C, false);
        LAYER_TENSOR(ln1_b, "ln1.bias", C, false);
        LAYER_TENSOR(qkv_w, "qkv.weight", C * P * Q, true);
        if (m->config.attention_bias) LAYER_TENSOR(qkv_b, "qkv.bias", P * Q, false);
        LAYER_TENSOR(attn, "attention", m->attn_sizes.params, true);
        if (position_bias_name(m->config.positional))
            LAYER_TENSOR(position, position_bias_name(m->config.positional),
                         position_bias_params(m->config.positional, m->NH, m->hs), false);
        LAYER_TENSOR(proj_w, "proj.weight", Q * C, true);
        if (m->config.attention_bias) LAYER_TENSOR(proj_b, "proj.bias", C, false);
        LAYER_TENSOR(ln2_w, "ln2.weight", C, false);
        LAYER_TENSOR(ln2_b, "ln2.bias", C, false);
        LAYER_TENSOR(fc1_w, "fc1.weight", C * M, true);
        LAYER_TENSOR(fc1_b, "fc1.bias", M, false);
        LAYER_TENSOR(fc2_w, "fc2.weight", M * C, true);
        LAYER_TENSOR(fc2_b, "fc2.bias", C, false);
#undef LAYER_TENSOR
    }
    if (m->config.norm == NORM_PRE) {
        m->lnf_w = add_tensor(m, C, false, "final_ln.weight");
        m->lnf_b = add_tensor(m, C, false, "final_ln.bias");
    }
    if (m->config.head == HEAD_MLP) {
        m->head1_w = add_tensor(m, (size_t)m->head_in * m->H, true, "head.fc1.weight");
        m->head1_b = add_tensor(m, (size_t)m->H, false, "head.fc1.bias");
    }
    m->head2_w = add_tensor(m, (size_t)m->logits_in * m->K, true, "head.fc2.weight");
    m->head2_b = add_tensor(m, (size_t)m->K, false, "head.fc2.bias");
}

/* Carve the activation buffer; with base NULL only counts the reals needed. */
static size_t layout_activations(model *m, real *base) {
    size_t used = 0;
    const size_t N = (size_t)m->max_tokens_per_batch, C = (size_t)m->C, M = (size_t)m->M, Q = (size_t)m->Q;
    const size_t R = (size_t)m->max_rows;
#define CARVE(ptr, count)                              \
    do {                                               \
        size_t n_ = (count);                           \
        if (base) (ptr) = base + used;                 \
        used += (n_ + 15) & ~(size_t)15; /* 64-byte alignment for floats */ \
    } while (0)
    for (int l = 0; l <= m->L; l++) {
        layer_acts *a = &m->acts[l];
        CARVE(a->x, N * C);
        if (l == m->L) break;
        CARVE(a->xmid, N * C);
        CARVE(a->ln1, N * C);
        CARVE(a->ln1_mean, N);
        CARVE(a->ln1_rstd, N);
        CARVE(a->heads, (size_t)m->P * N * Q);
        CARVE(a->attn_saved, m->attn_sizes.saved);
        CARVE(a->attn_out, N * Q);
        CARVE(a->merged, N * Q);
        CARVE(a->ln2, N * C);
        CARVE(a->ln2_mean, N);
        CARVE(a->ln2_rstd, N);
        CARVE(a->fc1, N * M);
        CARVE(a->hidden, N * M);
    }
    CARVE(m->sinusoid, m->config.positional == POSITIONAL_SINUSOIDAL ? (size_t)m->position_rows * C : 0);
    CARVE(m->lnf, N * C);
    CARVE(m->lnf_mean, N);
    CARVE(m->lnf_rstd, N);
    CARVE(m->pooled, m->pair ? (size_t)m->max_batch * C : 0);
    CARVE(m->dpooled, m->pair ? (size_t)m->max_batch * C : 0);
    CARVE(m->rows, R * m->head_in);
    CARVE(m->h1, m->config.head == HEAD_MLP ? R * m->H : 0);
    CARVE(m->h1r, m->config.head == HEAD_MLP ? R * m->H : 0);
    CARVE(m->logits, R * m->K);
    CARVE(m->probs, R * m->K);
    CARVE(m->losses, R);
    CARVE(m->row_scale, R);
    CARVE(m->dx, N * C);
    CARVE(m->dtmp, N * C);
    CARVE(m->dln, N * C);
    CARVE(m->dres, m->config.norm == NORM_POST ? N * C : 0);
    CARVE(m->dqkv, (size_t)m->P * N * Q);
    CARVE(m->dheads, (size_t)m->P * N * Q);
    CARVE(m->dattn, N * Q);
    CARVE(m->dmerged, N * Q);
    CARVE(m->dm1, N * M);
    CARVE(m->dm2, N * M);
    CARVE(m->drows, R * m->head_in);
    CARVE(m->dh1, m->config.head == HEAD_MLP ? R * m->H : 0);
    CARVE(m->dh1r, m->config.head == HEAD_MLP ? R * m->H : 0);
    CARVE(m->dlogits, R * m->K);
    CARVE(m->qkv, (size_t)m->P * N * Q);
    CARVE(m->scratch, m->attn_sizes.scratch);
#undef CARVE
    return used;
}

static void fill_uniform(real *x, size_t n, double limit, rng *r) {
    for (size_t i = 0; i < n; i++) x[i] = (real)((2 * rng_uniform(r) - 1) * limit);
}

static void fill_normal(real *x, size_t n, double std, rng *r) {
    for (size_t i = 0; i < n; i++) x[i] = (real)(std * rng_normal(r));
}

static void fill_value(real *x, size_t n, real value) {
    for (size_t i = 0; i < n; i++) x[i] = value;
}

/* Xavier-uniform weights, zero biases, unit LayerNorm gains, N(0, embedding_std²) token embeddings
 * with a zero CLS row (LRA's zero-initialised CLS), N(0, 0.02²) learned positions. */
static void init_params(model *m, uint64_t seed) {
    rng r;
    rng_seed(&r, rng_key(seed, RNG_STREAM_INIT_WEIGHTS, 0, 0));
    real *p = m->params;
    memset(p, 0, sizeof(real) * m->n_params);
    const size_t C = (size_t)m->C, M = (size_t)m->M, Q = (size_t)m->Q;
    fill_normal(p + m->tok_emb, (size_t)m->task.vocab_size * C, m->config.embedding_std, &r);
    if (m->cls) fill_value(p + m->tok_emb + (size_t)m->task.cls_token * C, C, 0);
    if (m->config.positional == POSITIONAL_LEARNED)
        fill_normal(p + m->pos_emb, (size_t)m->position_rows * C, 0.02, &r);
    for (int l = 0; l < m->L; l++) {
        const layer_offsets *o = &m->layer[l];
        fill_value(p + o->ln1_w, C, 1);
        fill_value(p + o->ln2_w, C, 1);
        fill_uniform(p + o->qkv_w, C * m->P * Q, sqrt(6.0 / (double)(C + Q)), &r);
        if (m->mechanism->init_params) m->mechanism->init_params(m->mechanism_state, p + o->attn, &r);
        if (position_bias_name(m->config.positional))
            position_bias_init(m->config.positional, p + o->position, m->NH, m->hs, &r);
        fill_uniform(p + o->proj_w, Q * C, sqrt(6.0 / (double)(Q + C)), &r);
        fill_uniform(p + o->fc1_w, C * M, sqrt(6.0 / (double)(C + M)), &r);
        fill_uniform(p + o->fc2_w, M * C, sqrt(6.0 / (double)(C + M)), &r);
    }
    if (m->config.norm == NORM_PRE) fill_value(p + m->lnf_w, C, 1);
    if (m->config.head == HEAD_MLP)
        fill_uniform(p + m->head1_w, (size_t)m->head_in * m->H, sqrt(6.0 / (double)(m->head_in + m->H)), &r);
    fill_uniform(p + m->head2_w, (size_t)m->logits_in * m->K, sqrt(6.0 / (double)(m->logits_in + m->K)), &r);
}

static attention_sizes largest_sizes(attention_sizes a, attention_sizes b) {
    return (attention_sizes){
        .params = a.params > b.params ? a.params : b.params,
        .saved = a.saved > b.saved ? a.saved : b.saved,
        .scratch = a.scratch > b.scratch ? a.scratch : b.scratch,
    };
}

static void *checked_calloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size);
    CHECK(p != NULL);
    return p;
}

/* The second layout pass, into tables of exactly what the first one counted. */
static void record_tensors(model *m) {
    const size_t counted = m->n_params;
    m->tensor_capacity = m->n_tensors;
    m->names_capacity = m->names_used;
    m->tensors = checked_calloc((size_t)m->tensor_capacity, sizeof *m->tensors);
    m->tensor_names = checked_calloc(m->names_capacity, 1);
    layout_params(m);
    CHECK(m->n_tensors == m->tensor_capacity && m->names_used == m->names_capacity && m->n_params == counted);
}

/* Refuse memory the model cannot have (max_bytes, or this machine's when 0) before
 * allocating any of it, naming what drives it, instead of failing inside calloc:
 * relative attention's table of distances below table_positions, or (0) the model. */
static int check_bytes(const model *m, double needed, size_t max_bytes, int table_positions, error_info *err) {
    const double physical = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    const double limit = max_bytes ? (double)max_bytes : physical;
    if (limit <= 0 || needed <= limit) return 0;
    const char *whose = max_bytes ? "the limit of" : "this machine's";
    if (table_positions) /* max_position when positions are randomized, else the longest sequence */
        return error_set(err, EXIT_USAGE,
                         "%s: relative attention's table of distances below %d needs %.1f GB (model.qkv_dim %d), more "
                         "than %s %.3g GB",
                         m->config.randomized_positions ? "model.max_position" : "model.positional", table_positions,
                         needed / 1e9, m->Q, whose, limit / 1e9);
    return error_set(err, EXIT_USAGE,
                     "model: needs %.1f GB for train.batch_size %d × %d tokens (model.dim %d, model.mlp_dim %d, "
                     "model.layers %d), more than %s %.3g GB",
                     needed / 1e9, m->pair ? m->max_batch / 2 : m->max_batch, m->max_tokens, m->C, m->M, m->L, whose,
                     limit / 1e9);
}

/* Bytes of everything model_create allocates, the mechanism's position table included. */
static size_t footprint_bytes(const model *m) { return model_bytes(m) + sizeof(real) * m->position_table; }

/* A positional encoding the model cannot give this mechanism or these lengths. */
static int check_positions(const model *m, const mechanism_ops *mechanism, error_info *err) {
    const model_config *c = &m->config;
    if (position_kind_scores(c->positional) && !mechanism->position_scores)
        return error_set(err, EXIT_USAGE,
                         "model.positional: %s changes attention scores, which %s does not form (use none, "
                         "sinusoidal, learned or rope)",
                         config_positional_name(c->positional), mechanism->name);
    if (c->randomized_positions && c->max_position < m->max_tokens)
        return error_set(err, EXIT_USAGE,
                         "model.max_position: %d is shorter than the longest sequence (%d tokens): randomized "
                         "positions need at least as many",
                         c->max_position, m->max_tokens);
    return 0;
}

/* Everything model_create decides before it allocates the model's buffers: the shapes,
 * the checks a config can fail (EXIT_USAGE, naming the key), the mechanism, and the
 * first layout pass, which counts tensors, parameters and activations. m starts zeroed;
 * on error the caller frees it with model_free. */
static int model_plan(model *m, const model_config *config, const task_info *task, int max_batch,
                      size_t max_bytes, error_info *err) {
    const mechanism_ops *mechanism = mechanism_find(config->attention.kind);
    if (!mechanism)
        return error_set(err, EXIT_USAGE, "model.attention.kind: unknown mechanism \"%s\"",
                         config->attention.kind);
    CHECK(config->layers >= 1 && max_batch >= 1);
    m->config = *config;
    m->task = *task;
    m->L = config->layers;
    m->C = config->dim;
    m->NH = config->heads;
    m->Q = config->qkv_dim > 0 ? config->qkv_dim : config->dim;
    m->hs = m->Q / config->heads;
    m->M = config->mlp_dim;
    m->H = config->head_mlp_dim;
    m->K = task->n_classes;
    m->cls = model_config_uses_cls(config, task);
    m->pair = task->output == TASK_OUTPUT_PAIR;
    m->head_in = m->pair ? 4 * m->C : m->C;
    m->logits_in = config->head == HEAD_MLP ? m->H : m->head_in;
    m->max_batch = max_batch * (m->pair ? 2 : 1);
    m->max_tokens = task->max_length + (m->cls ? 1 : 0);
    /* With a length protocol, full batches have training lengths only; the longer test
     * lengths are evaluated in smaller batches of at most as many tokens. */
    const bool by_length = task->lengths.samples_per_length > 0;
    const int batch_tokens = by_length ? task->lengths.train_max_tokens : m->max_tokens;
    const int64_t tokens_per_batch = (int64_t)m->max_batch * batch_tokens;
    if (tokens_per_batch > INT32_MAX)
        return error_set(err, EXIT_USAGE,
                         "train.batch_size: %d sequences of %d tokens are more than the %d tokens a batch may hold",
                         m->max_batch, batch_tokens, INT32_MAX);
    m->max_tokens_per_batch = (int)tokens_per_batch;
    if (m->max_tokens_per_batch < m->max_tokens) m->max_tokens_per_batch = m->max_tokens;
    const int64_t rows = (int64_t)max_batch * (task->output == TASK_OUTPUT_SEQUENCE ? task->max_outputs : 1);
    m->max_rows = rows < m->max_tokens_per_batch ? (int)rows : m->max_tokens_per_batch;
    m->mechanism = mechanism;
    /* Counting down reaches the length itself; randomized positions span max_position. */
    m->position_rows = config->randomized_positions ? config->max_position : m->max_tokens + 1;
    if (check_positions(m, mechanism, err) != 0) return -1;
    const int table_positions = m->position_rows > m->max_tokens + 1 ? m->position_rows : m->max_tokens + 1;
    m->position_table = position_table_reals(config->positional, table_positions, m->NH, m->hs);
    if (check_bytes(m, (double)sizeof(real) * (double)m->position_table, max_bytes, table_positions, err) != 0)
        return -1;
    attention_geometry geometry = {.heads = m->NH, .head_size = m->hs, .max_tokens = m->max_tokens, .layers = m->L,
                                   .global_token = m->cls ? 0 : -1, .positional = config->positional,
                                   .max_position = table_positions};
    if (mechanism->init(&m->mechanism_state, &config->attention.options, &geometry, &m->P, err) != 0) return -1;
    const attention_shape full_batch = {m->max_batch, m->NH, batch_tokens, m->hs};
    const attention_shape longest = {m->max_tokens_per_batch / m->max_tokens, m->NH, m->max_tokens, m->hs};
    m->attn_sizes = largest_sizes(mechanism->sizes(m->mechanism_state, full_batch),
                                  mechanism->sizes(m->mechanism_state, longest));
    CHECK(mechanism->init_params || m->attn_sizes.params == 0);

    m->layer = checked_calloc((size_t)m->L, sizeof *m->layer);
    m->acts = checked_calloc((size_t)m->L + 1, sizeof *m->acts);
    layout_params(m);
    m->activation_reals = layout_activations(m, NULL);
    return check_bytes(m, (double)footprint_bytes(m), max_bytes, 0, err);
}

int model_create(model **out, const model_config *config, const task_info *task, int max_batch,
                 uint64_t seed, error_info *err) {
    *out = NULL;
    model *m = checked_calloc(1, sizeof *m);
    if (model_plan(m, config, task, max_batch, 0, err) != 0) {
        model_free(m);
        return -1;
    }
    m->seed = seed;
    record_tensors(m);
    m->params = checked_calloc(m->n_params, sizeof(real));
    m->grads = checked_calloc(m->n_params, sizeof(real));
    m->adam_m = checked_calloc(m->n_params, sizeof(real));
    m->adam_v = checked_calloc(m->n_params, sizeof(real));
    m->activations = checked_calloc(m->activation_reals, sizeof(real));
    layout_activations(m, m->activations);
    m->row_targets = checked_calloc((size_t)m->max_rows, sizeof(int32_t));
    m->row_position = checked_calloc((size_t)m->max_rows, sizeof(int32_t));
    m->row_scored = checked_calloc((size_t)m->max_rows, 1);
    m->positions = checked_calloc((size_t)m->max_tokens_per_batch, sizeof(int32_t));
    if (m->config.positional == POSITIONAL_SINUSOIDAL) positional_sinusoidal_fill(m->sinusoid, m->position_rows, m->C);
    init_params(m, seed);
    *out = m;
    return 0;
}

int model_measure(model_footprint *out, const model_config *config, const task_info *task, int max_batch,
                  size_t max_bytes, error_info *err) {
    model *m = checked_calloc(1, sizeof *m);
    const int status = model_plan(m, config, task, max_batch, max_bytes, err);
    if (status == 0)
        *out = (model_footprint){.tensors = m->n_tensors, .params = m->n_params, .bytes = footprint_bytes(m)};
    model_free(m);
    return status;
}

bool model_attention_can_fall_back(const model *m) { return m->mechanism->falls_back != NULL; }

bool model_attention_falls_back(const model *m, int length) {
    return m->mechanism->falls_back && m->mechanism->falls_back(m->mechanism_state, length);
}

void model_free(model *m) {
    if (!m) return;
    if (m->mechanism_state && m->mechanism->free) m->mechanism->free(m->mechanism_state);
    free(m->layer);
    free(m->acts);
    free(m->tensors);
    free(m->tensor_names);
    free(m->params);
    free(m->grads);
    free(m->adam_m);
    free(m->adam_v);
    free(m->activations);
    free(m->row_targets);
    free(m->row_position);
    free(m->row_scored);
    free(m->positions);
    free(m);
}

int model_max_tokens(const model *m) { return m->max_tokens; }
int model_batch_limit(const model *m, int tokens) {
    const int per_example = tokens * (m->pair ? 2 : 1), examples = m->max_batch / (m->pair ? 2 : 1);
    const int fit = m->max_tokens_per_batch / per_example;
    return fit < examples ? fit : examples;
}
bool model_uses_cls(const model *m) { return m->cls; }

bool model_config_uses_cls(const model_config *config, const task_info *task) {
    return config->pooling == POOLING_CLS && task->output != TASK_OUTPUT_SEQUENCE;
}
size_t model_param_count(const model *m) { return m->n_params; }
real *model_params(model *m) { return m->params; }
real *model_grads(model *m) { return m->grads; }
int model_tensor_count(const model *m) { return m->n_tensors; }
model_tensor model_tensor_at(const model *m, int index) {
    CHECK(index >= 0 && index < m->n_tensors);
    return m->tensors[index];
}
size_t model_bytes(const model *m) {
    return sizeof(real) * (4 * m->n_params + m->activation_reals);
}

static uint64_t dropout_key(uint64_t seed, int64_t step, int layer, int site) {
    return rng_key(seed, (uint64_t)step, (uint64_t)layer, (uint64_t)site);
}

/* One head's hs reals. The common head sizes copy with a constant size, which the
 * compiler inlines: a call per head row would cost more than the copy at small hs. */
static inline void copy_head(real *restrict dst, const real *restrict src, int hs) {
    switch (hs) {
    case 8: memcpy(dst, src, 8 * sizeof(real)); return;
    case 16: memcpy(dst, src, 16 * sizeof(real)); return;
    case 32: memcpy(dst, src, 32 * sizeof(real)); return;
    case 64: memcpy(dst, src, 64 * sizeof(real)); return;
    default: memcpy(dst, src, (size_t)hs * sizeof(real));
    }
}

/* qkv (B, T, P, NH, hs) → heads (P, B, NH, T, hs). */
static void split_heads(real *heads, const real *qkv, int B, int T, int P, int NH, int hs) {
#pragma omp parallel for schedule(static) if ((size_t)B * T * P * NH * hs >= PARALLEL_MIN_WORK)
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
            for (int p = 0; p < P; p++)
                for (int h = 0; h < NH; h++)
                    copy_head(heads + ((((size_t)p * B + b) * NH + h) * T + t) * hs,
                              qkv + (((size_t)b * T + t) * P + p) * NH * hs + (size_t)h * hs, hs);
}

/* heads (P, B, NH, T, hs) → qkv (B, T, P, NH, hs); with P = 1 this merges heads. */
static void merge_heads(real *qkv, const real *heads, int B, int T, int P, int NH, int hs) {
#pragma omp parallel for schedule(static) if ((size_t)B * T * P * NH * hs >= PARALLEL_MIN_WORK)
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
            for (int p = 0; p < P; p++)
                for (int h = 0; h < NH; h++)
                    copy_head(qkv + (((size_t)b * T + t) * P + p) * NH * hs + (size_t)h * hs,
                              heads + ((((size_t)p * B + b) * NH + h) * T + t) * hs, hs);
}

/* The call of layer `layer`; a score-position kind points it at this batch's positions
 * and the layer's position parameters and gradients. */
static attention_call make_call(model *m, const model_batch *batch, int layer, bool training, int64_t step,
                                uint64_t dropout_seed) {
    const bool scores = position_kind_scores(m->config.positional);
    if (scores)
        m->position_call = (attention_positions){
            .kind = m->config.positional,
            .positions = m->positions,
            .params = m->params + m->layer[layer].position,
            .dparams = m->grads + m->layer[layer].position,
        };
    attention_call call = {
        .positions = scores ? &m->position_call : NULL,
        .shape = {batch->B, m->NH, batch->T, m->hs},
        .lengths = batch->lengths,
        .layer = layer,
        .training = training,
        .step = step,
        .seed = m->seed,
        .dropout = (real)m->config.attention_dropout,
        .dropout_key = dropout_key(dropout_seed, step, layer, SITE_ATTENTION),
    };
    return call;
}

/* Dropout over (B, T, width) with one mask stream per example, keyed by (key, b) and
 * indexed by t·width + c: an example's masks do not depend on how far the batch is
 * padded. */
/* Examples are spread over the threads when each is too short to be split itself. */
#define BATCH_DROPOUT_PARALLEL(n, B) ((n) < PARALLEL_MIN_WORK && (n) * (B) >= PARALLEL_MIN_WORK)

static void batch_dropout_forward(real *x, int B, int T, int width, real p, uint64_t key) {
    const size_t n = (size_t)T * width;
#pragma omp parallel for schedule(static) if (BATCH_DROPOUT_PARALLEL(n, (size_t)B))
    for (int b = 0; b < B; b++) dropout_forward(x + b * n, x + b * n, n, p, rng_key(key, (uint64_t)b, 0, 0));
}

static void batch_dropout_backward(real *dinp, const real *dout, int B, int T, int width, real p, uint64_t key) {
    const size_t n = (size_t)T * width;
#pragma omp parallel for schedule(static) if (BATCH_DROPOUT_PARALLEL(n, (size_t)B))
    for (int b = 0; b < B; b++) dropout_backward(dinp + b * n, dout + b * n, n, p, rng_key(key, (uint64_t)b, 0, 0));
}

/* The gradient of a dropout site's input from that of its output: dout itself when
 * p = 0 (no copy), else dout with the site's mask applied, in m->dtmp. */
static const real *dropout_gradient(model *m, const real *dout, int B, int T, int width, real p, uint64_t key) {
    if (p == 0) return dout;
    memset(m->dtmp, 0, sizeof(real) * (size_t)B * T * width);
    batch_dropout_backward(m->dtmp, dout, B, T, width, p, key);
    return m->dtmp;
}

/* dropout(ReLU(x)) over (B, T, width), the masks of batch_dropout_forward. */
static void batch_relu_dropout_forward(real *out, const real *inp, int B, int T, int width, real p, uint64_t key) {
    const size_t n = (size_t)T * width;
#pragma omp parallel for schedule(static) if (BATCH_DROPOUT_PARALLEL(n, (size_t)B))
    for (int b = 0; b < B; b++) relu_dropout_forward(out + b * n, inp + b * n, n, p, rng_key(key, (uint64_t)b, 0, 0));
}

static void batch_relu_dropout_backward(real *dinp, const real *inp, const real *dout, int B, int T, int width,
                                        real p, uint64_t key) {
    const size_t n = (size_t)T * width;
#pragma omp parallel for schedule(static) if (BATCH_DROPOUT_PARALLEL(n, (size_t)B))
    for (int b = 0; b < B; b++)
        relu_dropout_backward(dinp + b * n, inp + b * n, dout + b * n, n, p, rng_key(key, (uint64_t)b, 0, 0));
}

static void add_into(real *out, const real *a, const real *b, size_t n) {
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN_WORK)
    for (size_t i = 0; i < n; i++) out[i] = a[i] + b[i];
}

/* The encoder's output rows: after the final LayerNorm (pre-LN) or the last block (post-LN). */
static const real *encoder_output(const model *m) { return m->config.norm == NORM_PRE ? m->lnf : m->acts[m->L].x; }

static void scale_in_place(real *x, size_t n, real factor) {
    for (size_t i = 0; i < n; i++) x[i] *= factor;
}

/* Whether output row r's largest logit (the first, on ties) is its target. */
static bool row_correct(const model *m, int r) {
    return scores_argmax(m->logits + (size_t)r * m->K, m->K) == m->row_targets[r];
}

/* The rows read out for the loss: one per example (CLS or masked mean) or the last
 * n_outputs real positions of each example. */
static void gather_rows(model *m, const model_batch *batch) {
    const int B = batch->B, T = batch->T, C = m->C;
    const int max_out = m->task.max_outputs;
    const real *encoded = encoder_output(m);
    int r = 0;
    if (m->task.output == TASK_OUTPUT_SEQUENCE) {
        for (int b = 0; b < B; b++) {
            const int n = batch->n_outputs[b];
            CHECK(n >= 1 && n <= max_out && n <= batch->lengths[b]);
            for (int k = 0; k < n; k++, r++) {
                const int t = batch->lengths[b] - n + k;
                m->row_position[r] = b * T + t;
                m->row_targets[r] = batch->targets[b * max_out + k];
                m->row_scored[r] = batch->target_mask[b * max_out + k];
                memcpy(m->rows + (size_t)r * C, encoded + ((size_t)b * T + t) * C, sizeof(real) * C);
            }
        }
    } else {
        real *pooled = m->pair ? m->pooled : m->rows;
        if (m->cls)
            for (int b = 0; b < B; b++)
                memcpy(pooled + (size_t)b * C, encoded + (size_t)b * T * C, sizeof(real) * C);
        else
            meanpool_forward(pooled, encoded, batch->lengths, B, T, C);
        const int examples = m->pair ? B / 2 : B;
        if (m->pair) pair_features_forward(m->rows, m->pooled, examples, C);
        for (int b = 0; b < examples; b++, r++) {
            m->row_position[r] = b * T;
            m->row_targets[r] = batch->targets[b * max_out];
            m->row_scored[r] = batch->target_mask[b * max_out];
        }
    }
    m->n_rows = r;
}

/* A projection's bias, or NULL when the config has none. */
static const real *bias_of(const model *m, size_t offset) {
    return m->config.attention_bias ? m->params + offset : NULL;
}
static real *dbias_of(model *m, size_t offset) { return m->config.attention_bias ? m->grads + offset : NULL; }

/* The attention sublayer: merged heads projected back to C channels, into out. */
static void attention_forward(model *m, const model_batch *batch, int l, const real *inp, real *out, bool training,
                              int64_t step, uint64_t dropout_seed) {
    const int B = batch->B, T = batch->T, C = m->C;
    const size_t N = (size_t)B * T;
    const layer_offsets *o = &m->layer[l];
    layer_acts *a = &m->acts[l];
    const real *w = m->params;
    linear_forward(m->qkv, inp, w + o->qkv_w, bias_of(m, o->qkv_b), (int)N, C, m->P * m->Q);
    split_heads(a->heads, m->qkv, B, T, m->P, m->NH, m->hs);
    if (m->config.positional == POSITIONAL_ROPE)
        for (int input = 0; input < 2; input++) /* queries and keys */
            rope_forward(a->heads + (size_t)input * N * m->Q, m->positions, B, m->NH, T, m->hs, ROPE_BASE);
    attention_call call = make_call(m, batch, l, training, step, dropout_seed);
    m->mechanism->forward(m->mechanism_state, &call, w + o->attn, a->heads, a->attn_out, a->attn_saved, m->scratch);
    merge_heads(a->merged, a->attn_out, B, T, 1, m->NH, m->hs);
    linear_forward(out, a->merged, w + o->proj_w, bias_of(m, o->proj_b), (int)N, m->Q, C);
    batch_dropout_forward(out, B, T, C, training ? (real)m->config.dropout : 0,
                          dropout_key(dropout_seed, step, l, SITE_PROJECTION));
}

/* The MLP sublayer: fc2(dropout(act(fc1(inp)))) with dropout, into out. */
static void mlp_forward(model *m, const model_batch *batch, int l, const real *inp, real *out, bool training,
                        int64_t step, uint64_t dropout_seed) {
    const int B = batch->B, T = batch->T, C = m->C, M = m->M;
    const size_t N = (size_t)B * T;
    const layer_offsets *o = &m->layer[l];
    layer_acts *a = &m->acts[l];
    const real *w = m->params;
    const real p = training ? (real)m->config.dropout : 0;
    const uint64_t hidden_key = dropout_key(dropout_seed, step, l, SITE_HIDDEN);
    linear_forward(a->fc1, inp, w + o->fc1_w, w + o->fc1_b, (int)N, C, M);
    if (m->config.activation == ACTIVATION_RELU) {
        batch_relu_dropout_forward(a->hidden, a->fc1, B, T, M, p, hidden_key);
    } else {
        gelu_forward(a->hidden, a->fc1, N * M);
        batch_dropout_forward(a->hidden, B, T, M, p, hidden_key);
    }
    linear_forward(out, a->hidden, w + o->fc2_w, w + o->fc2_b, (int)N, M, C);
    batch_dropout_forward(out, B, T, C, p, dropout_key(dropout_seed, step, l, SITE_MLP_OUT));
}

/* One block. Pre-LN: xmid = x + attn(LN1(x)); x' = xmid + mlp(LN2(xmid)).
 * Post-LN: xmid = x + attn(x); h = LN1(xmid) (kept in ln1); s = h + mlp(h) (kept in
 * ln2); x' = LN2(s). */
static void block_forward(model *m, const model_batch *batch, int l, bool training, int64_t step,
                          uint64_t dropout_seed) {
    const size_t N = (size_t)batch->B * batch->T;
    const int C = m->C;
    const layer_offsets *o = &m->layer[l];
    layer_acts *a = &m->acts[l];
    real *next = m->acts[l + 1].x;
    const real *w = m->params;
    if (m->config.norm == NORM_PRE) {
        layernorm_forward(a->ln1, a->ln1_mean, a->ln1_rstd, a->x, w + o->ln1_w, w + o->ln1_b, (int)N, C);
        attention_forward(m, batch, l, a->ln1, m->dtmp, training, step, dropout_seed);
        add_into(a->xmid, a->x, m->dtmp, N * C);
        layernorm_forward(a->ln2, a->ln2_mean, a->ln2_rstd, a->xmid, w + o->ln2_w, w + o->ln2_b, (int)N, C);
        mlp_forward(m, batch, l, a->ln2, m->dtmp, training, step, dropout_seed);
        add_into(next, a->xmid, m->dtmp, N * C);
        return;
    }
    attention_forward(m, batch, l, a->x, m->dtmp, training, step, dropout_seed);
    add_into(a->xmid, a->x, m->dtmp, N * C);
    layernorm_forward(a->ln1, a->ln1_mean, a->ln1_rstd, a->xmid, w + o->ln1_w, w + o->ln1_b, (int)N, C);
    mlp_forward(m, batch, l, a->ln1, m->dtmp, training, step, dropout_seed);
    add_into(a->ln2, a->ln1, m->dtmp, N * C);
    layernorm_forward(next, a->ln2_mean, a->ln2_rstd, a->ln2, w + o->ln2_w, w + o->ln2_b, (int)N, C);
}

void model_forward(model *m, const model_batch *batch, bool training, int64_t step,
                   uint64_t dropout_seed, model_stats *stats) {
    const int B = batch->B, T = batch->T, C = m->C;
    CHECK(B >= 1 && B <= m->max_batch && T >= 1 && T <= m->max_tokens && (int64_t)B * T <= m->max_tokens_per_batch);
    CHECK(!m->pair || B % 2 == 0);
    const size_t N = (size_t)B * T;
    const real p = training ? (real)m->config.dropout : 0;
    const real *w = m->params;

    if (m->config.positional != POSITIONAL_NONE)
        positions_fill(m->positions, batch->lengths, B, T, m->config.reverse_positions, m->config.randomized_positions,
                       m->config.max_position, dropout_key(dropout_seed, step, -1, SITE_POSITIONS));
    real *x0 = m->acts[0].x;
    embedding_forward(x0, batch->tokens, w + m->tok_emb, (int)N, C);
    if (m->config.embedding_scale) scale_in_place(x0, N * C, REAL_SQRT((real)C));
    if (m->config.positional == POSITIONAL_SINUSOIDAL)
        positional_gather_forward(x0, m->sinusoid, m->positions, batch->lengths, B, T, C);
    if (m->config.positional == POSITIONAL_LEARNED)
        positional_gather_forward(x0, w + m->pos_emb, m->positions, batch->lengths, B, T, C);
    batch_dropout_forward(x0, B, T, C, p, dropout_key(dropout_seed, step, -1, SITE_EMBEDDING));

    for (int l = 0; l < m->L; l++) block_forward(m, batch, l, training, step, dropout_seed);

    if (m->config.norm == NORM_PRE)
        layernorm_forward(m->lnf, m->lnf_mean, m->lnf_rstd, m->acts[m->L].x, w + m->lnf_w, w + m->lnf_b, (int)N, C);
    gather_rows(m, batch);
    const int R = m->n_rows;
    const real *logits_in = m->rows;
    if (m->config.head == HEAD_MLP) {
        linear_forward(m->h1, m->rows, w + m->head1_w, w + m->head1_b, R, m->head_in, m->H);
        relu_forward(m->h1r, m->h1, (size_t)R * m->H);
        logits_in = m->h1r;
    }
    linear_forward(m->logits, logits_in, w + m->head2_w, w + m->head2_b, R, m->logits_in, m->K);
    crossentropy_forward(m->losses, m->probs, m->logits, m->row_targets, R, m->K);

    model_stats s = {0};
    double total = 0;
    for (int r = 0; r < R; r++) {
        total += m->losses[r];
        if (m->row_scored[r]) {
            s.scored++;
            s.correct += row_correct(m, r);
        }
    }
    s.rows = R;
    s.loss = R ? total / R : 0;
    if (stats) *stats = s;
}

const real *model_head_inputs(const model *m, int *rows, int *width) {
    *rows = m->n_rows;
    *width = m->head_in;
    return m->rows;
}

void model_example_scores(const model *m, const model_batch *batch, double *fraction, bool *all_right) {
    CHECK(m->task.output == TASK_OUTPUT_SEQUENCE);
    scores_per_sequence(m->logits, m->K, m->row_targets, m->row_scored, batch->n_outputs, batch->B, fraction,
                        all_right);
}

const real *model_logits(const model *m, int *rows) {
    if (rows) *rows = m->n_rows;
    return m->logits;
}

void model_zero_grad(model *m) { memset(m->grads, 0, sizeof(real) * m->n_params); }

void model_backward(model *m, const model_batch *batch, int64_t step, uint64_t dropout_seed) {
    const int R = m->n_rows;
    for (int r = 0; r < R; r++) m->row_scale[r] = (real)(1.0 / R);
    memset(m->dlogits, 0, sizeof(real) * (size_t)R * m->K);
    crossentropy_backward(m->dlogits, m->probs, m->row_targets, m->row_scale, R, m->K);
    model_backward_from_logits(m, batch, step, dropout_seed, m->dlogits);
}

/* Route the gradient of the head's rows back onto the final LayerNorm's output. */
static void scatter_rows(model *m, const model_batch *batch) {
    const int B = batch->B, T = batch->T, C = m->C;
    memset(m->dln, 0, sizeof(real) * (size_t)B * T * C);
    if (m->task.output != TASK_OUTPUT_SEQUENCE) {
        const real *dpooled = m->drows;
        if (m->pair) {
            memset(m->dpooled, 0, sizeof(real) * (size_t)B * C);
            pair_features_backward(m->dpooled, m->drows, m->pooled, B / 2, C);
            dpooled = m->dpooled;
        }
        if (!m->cls) {
            meanpool_backward(m->dln, dpooled, batch->lengths, B, T, C);
            return;
        }
        for (int b = 0; b < B; b++)
            for (int c = 0; c < C; c++) m->dln[(size_t)b * T * C + c] += dpooled[(size_t)b * C + c];
        return;
    }
    for (int r = 0; r < m->n_rows; r++) {
        real *dst = m->dln + (size_t)m->row_position[r] * C;
        const real *src = m->drows + (size_t)r * C;
        for (int c = 0; c < C; c++) dst[c] += src[c];
    }
}

/* Backward of the attention sublayer: dout (N, C) is the gradient of its output
 * (before dropout); the gradient of its input is added into dinp. */
static void attention_backward(model *m, const model_batch *batch, int l, const real *inp, const real *dout,
                               real *dinp, int64_t step, uint64_t dropout_seed) {
    const int B = batch->B, T = batch->T, C = m->C;
    const size_t N = (size_t)B * T;
    const layer_offsets *o = &m->layer[l];
    const layer_acts *a = &m->acts[l];
    const real *w = m->params;
    real *g = m->grads;
    const real *dproj = dropout_gradient(m, dout, B, T, C, (real)m->config.dropout,
                                         dropout_key(dropout_seed, step, l, SITE_PROJECTION));
    memset(m->dmerged, 0, sizeof(real) * N * m->Q);
    linear_backward(m->dmerged, g + o->proj_w, dbias_of(m, o->proj_b), dproj, a->merged, w + o->proj_w, (int)N,
                    m->Q, C);
    split_heads(m->dattn, m->dmerged, B, T, 1, m->NH, m->hs);
    memset(m->dheads, 0, sizeof(real) * (size_t)m->P * N * m->Q);
    attention_call call = make_call(m, batch, l, true, step, dropout_seed);
    m->mechanism->backward(m->mechanism_state, &call, w + o->attn, a->heads, a->attn_out, m->dattn, a->attn_saved,
                           m->dheads, g + o->attn, m->scratch);
    if (m->config.positional == POSITIONAL_ROPE)
        for (int input = 0; input < 2; input++)
            rope_backward(m->dheads + (size_t)input * N * m->Q, m->positions, B, m->NH, T, m->hs, ROPE_BASE);
    merge_heads(m->dqkv, m->dheads, B, T, m->P, m->NH, m->hs);
    linear_backward(dinp, g + o->qkv_w, dbias_of(m, o->qkv_b), m->dqkv, inp, w + o->qkv_w, (int)N, C, m->P * m->Q);
}

/* Backward of the MLP sublayer: dout (N, C) is the gradient of its output; the
 * gradient of its input is added into dinp. */
static void mlp_backward(model *m, const model_batch *batch, int l, const real *inp, const real *dout, real *dinp,
                         int64_t step, uint64_t dropout_seed) {
    const int B = batch->B, T = batch->T, C = m->C, M = m->M;
    const size_t N = (size_t)B * T;
    const layer_offsets *o = &m->layer[l];
    const layer_acts *a = &m->acts[l];
    const real *w = m->params;
    real *g = m->grads;
    const real p = (real)m->config.dropout;
    const real *dfc2 = dropout_gradient(m, dout, B, T, C, p, dropout_key(dropout_seed, step, l, SITE_MLP_OUT));
    memset(m->dm1, 0, sizeof(real) * N * M);
    linear_backward(m->dm1, g + o->fc2_w, g + o->fc2_b, dfc2, a->hidden, w + o->fc2_w, (int)N, M, C);
    const uint64_t hidden_key = dropout_key(dropout_seed, step, l, SITE_HIDDEN);
    memset(m->dm2, 0, sizeof(real) * N * M);
    real *dfc1 = m->dm2; /* the gradient of fc1's output */
    if (m->config.activation == ACTIVATION_RELU) {
        batch_relu_dropout_backward(dfc1, a->fc1, m->dm1, B, T, M, p, hidden_key);
    } else {
        batch_dropout_backward(m->dm2, m->dm1, B, T, M, p, hidden_key);
        dfc1 = m->dm1;
        memset(dfc1, 0, sizeof(real) * N * M);
        gelu_backward(dfc1, a->fc1, m->dm2, N * M);
    }
    linear_backward(dinp, g + o->fc1_w, g + o->fc1_b, dfc1, inp, w + o->fc1_w, (int)N, C, M);
}

/* Backward of block l: on entry m->dx holds the gradient of its output, on return
 * that of its input. */
static void block_backward(model *m, const model_batch *batch, int l, int64_t step, uint64_t dropout_seed) {
    const size_t N = (size_t)batch->B * batch->T;
    const int C = m->C;
    const layer_offsets *o = &m->layer[l];
    const layer_acts *a = &m->acts[l];
    const real *w = m->params;
    real *g = m->grads;
    if (m->config.norm == NORM_PRE) {
        /* x' = xmid + mlp(LN2(xmid)): dx is dL/dx' and becomes dL/dxmid. */
        memset(m->dln, 0, sizeof(real) * N * C);
        mlp_backward(m, batch, l, a->ln2, m->dx, m->dln, step, dropout_seed);
        layernorm_backward(m->dx, g + o->ln2_w, g + o->ln2_b, m->dln, a->xmid, w + o->ln2_w, a->ln2_mean,
                           a->ln2_rstd, (int)N, C);
        /* xmid = x + attn(LN1(x)): dx becomes dL/dx. */
        memset(m->dln, 0, sizeof(real) * N * C);
        attention_backward(m, batch, l, a->ln1, m->dx, m->dln, step, dropout_seed);
        layernorm_backward(m->dx, g + o->ln1_w, g + o->ln1_b, m->dln, a->x, w + o->ln1_w, a->ln1_mean,
                           a->ln1_rstd, (int)N, C);
        return;
    }
    /* x' = LN2(s), s = h + mlp(h): dres = dL/ds, then dL/dh = dres + the MLP's path. */
    memset(m->dres, 0, sizeof(real) * N * C);
    layernorm_backward(m->dres, g + o->ln2_w, g + o->ln2_b, m->dx, a->ln2, w + o->ln2_w, a->ln2_mean, a->ln2_rstd,
                       (int)N, C);
    memcpy(m->dln, m->dres, sizeof(real) * N * C);
    mlp_backward(m, batch, l, a->ln1, m->dres, m->dln, step, dropout_seed);
    /* h = LN1(xmid), xmid = x + attn(x): dx = dL/dxmid, which is also the residual's dL/dx. */
    memset(m->dx, 0, sizeof(real) * N * C);
    layernorm_backward(m->dx, g + o->ln1_w, g + o->ln1_b, m->dln, a->xmid, w + o->ln1_w, a->ln1_mean, a->ln1_rstd,
                       (int)N, C);
    memcpy(m->dres, m->dx, sizeof(real) * N * C);
    attention_backward(m, batch, l, a->x, m->dres, m->dx, step, dropout_seed);
}

void model_backward_from_logits(model *m, const model_batch *batch, int64_t step,
                                uint64_t dropout_seed, const real *dlogits) {
    const int B = batch->B, T = batch->T, C = m->C, R = m->n_rows;
    const size_t N = (size_t)B * T;
    const real p = (real)m->config.dropout; /* backward only follows a training forward */
    const real *w = m->params;
    real *g = m->grads;

    memset(m->drows, 0, sizeof(real) * (size_t)R * m->head_in);
    if (m->config.head == HEAD_MLP) {
        memset(m->dh1r, 0, sizeof(real) * (size_t)R * m->H);
        linear_backward(m->dh1r, g + m->head2_w, g + m->head2_b, dlogits, m->h1r, w + m->head2_w, R, m->H, m->K);
        memset(m->dh1, 0, sizeof(real) * (size_t)R * m->H);
        relu_backward(m->dh1, m->h1, m->dh1r, (size_t)R * m->H);
        linear_backward(m->drows, g + m->head1_w, g + m->head1_b, m->dh1, m->rows, w + m->head1_w, R, m->head_in,
                        m->H);
    } else {
        linear_backward(m->drows, g + m->head2_w, g + m->head2_b, dlogits, m->rows, w + m->head2_w, R, m->head_in,
                        m->K);
    }
    scatter_rows(m, batch);
    if (m->config.norm == NORM_PRE) {
        memset(m->dx, 0, sizeof(real) * N * C);
        layernorm_backward(m->dx, g + m->lnf_w, g + m->lnf_b, m->dln, m->acts[m->L].x, w + m->lnf_w, m->lnf_mean,
                           m->lnf_rstd, (int)N, C);
    } else {
        memcpy(m->dx, m->dln, sizeof(real) * N * C);
    }

    for (int l = m->L - 1; l >= 0; l--) block_backward(m, batch, l, step, dropout_seed);

    /* The embeddings' gradient: dx through the embedding dropout, in place when p = 0
     * (dx is not needed after this). */
    real *demb = m->dx;
    if (p > 0) {
        memset(m->dtmp, 0, sizeof(real) * N * C);
        batch_dropout_backward(m->dtmp, m->dx, B, T, C, p, dropout_key(dropout_seed, step, -1, SITE_EMBEDDING));
        demb = m->dtmp;
    }
    if (m->config.positional == POSITIONAL_LEARNED)
        positional_gather_backward(g + m->pos_emb, demb, m->positions, batch->lengths, B, T, C);
    if (m->config.embedding_scale) scale_in_place(demb, N * C, REAL_SQRT((real)C));
    embedding_backward(g + m->tok_emb, demb, batch->tokens, (int)N, C);
}

double model_update(model *m, const train_config *train, int64_t step, double lr) {
    const double norm = grad_global_norm(m->grads, m->n_params);
    if (train->grad_clip > 0 && norm > train->grad_clip) {
        const real scale = (real)(train->grad_clip / norm);
        for (size_t i = 0; i < m->n_params; i++) m->grads[i] *= scale;
    }
    for (int i = 0; i < m->n_tensors; i++) {
        const model_tensor *t = &m->tensors[i];
        adamw_update(m->params + t->offset, m->grads + t->offset, m->adam_m + t->offset, m->adam_v + t->offset,
                     t->size, lr, train->beta1, train->beta2, train->eps, t->decay ? train->weight_decay : 0,
                     step + 1);
    }
    return norm;
}
