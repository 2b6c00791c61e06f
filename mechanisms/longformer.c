/* longformer.c — Longformer attention: a (dilated) sliding window plus global tokens.
 *
 * `window` is the total width as in HF and LRA: a non-global query i sees i + δt for
 * t in [−(window − ⌊window/2⌋ − 1), ⌊window/2⌋] (the left side counts i itself), with
 * δ the head's `dilation`. Global tokens — the CLS token unless `global_cls: false`,
 * plus the positions in `global_tokens` (counted with the CLS token at 0) — are seen
 * by every query, and a global query sees every key. A non-global row's keys are
 * (window \ globals) ∪ globals, each key once under one softmax.
 *
 * With `global_projections: true` (the paper's choice, the default) the block projects
 * a second Q, K, V for the global rows: they attend with Q_g against K_g, V_g of all
 * tokens and their outputs replace the windowed ones, while the windowed rows use the
 * first projections also for their scores on global keys. With false, one set serves
 * both. LRA's Longformer passes no global mask at all, so its global branch is dead;
 * here the CLS token is global by default, as the paper does for classification.
 *
 * Cost O(T·(window + G)·hs + G·T·hs) per head: linear in T. Window rows are handled
 * by the sparse engine in groups of 64 consecutive positions; global rows in groups
 * of up to 64 global positions against every key. */
#include <stdint.h>
#include <stdlib.h>

#include "mechanisms/mechanism.h"
#include "mechanisms/sparse_attention.h"

#define LONGFORMER_MAX_GLOBAL (OPT_LIST_MAX + 1)

typedef struct longformer_state {
    int left, right;                        /* window offsets before and after i */
    int heads;
    int dilation[OPT_LIST_MAX];             /* one for every head, or one per head */
    int n_dilation;
    int max_dilation;
    int n_global;
    int32_t global[LONGFORMER_MAX_GLOBAL];  /* ascending, distinct */
    bool global_projections;
    position_layout position;
} longformer_state;

static const opt_spec longformer_options[] = {
    {"window", OPT_INT, "512", 1, 1 << 20, NULL, "total window width (LRA: 512); i sees width/2 keys on each side"},
    {"dilation", OPT_INT_LIST, "[1]", 1, 4096, NULL, "gap between window keys: one value, or one per head"},
    {"global_cls", OPT_BOOL, "true", 0, 0, NULL, "the CLS token is global (when the model has one)"},
    {"global_tokens", OPT_INT_LIST, "[]", 0, 1 << 20, NULL, "more global positions (CLS counted as position 0)"},
    {"global_projections", OPT_BOOL, "true", 0, 0, NULL, "separate Q, K, V projections for global rows"},
};

static int imin(int a, int b) { return a < b ? a : b; }
static int imax(int a, int b) { return a > b ? a : b; }
/* Window reaches (offset × dilation) can pass INT_MAX; they are clamped to a length here. */
static int64_t clamp64(int64_t x, int64_t lo, int64_t hi) { return x < lo ? lo : x > hi ? hi : x; }
static int dilation_of(const longformer_state *st, int head) { return st->dilation[st->n_dilation == 1 ? 0 : head]; }

static int compare_int32(const void *a, const void *b) {
    const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int longformer_init(void **state, const opt_set *options, const attention_geometry *geometry,
                           int *n_inputs, error_info *err) {
    const opt_value *dilation = opt_get(options, "dilation");
    if (dilation->n_list != 1 && dilation->n_list != geometry->heads)
        return error_set(err, EXIT_USAGE, "model.attention.dilation: has %d values, expected 1 or one per head (%d)",
                         dilation->n_list, geometry->heads);
    longformer_state *st = calloc(1, sizeof *st);
    if (!st) return error_set(err, EXIT_RUNTIME, "out of memory");
    const int window = (int)opt_int(options, "window");
    st->left = window - window / 2 - 1;
    st->right = window / 2;
    st->heads = geometry->heads;
    st->n_dilation = dilation->n_list;
    for (int i = 0; i < dilation->n_list; i++) {
        st->dilation[i] = (int)dilation->list[i];
        st->max_dilation = imax(st->max_dilation, st->dilation[i]);
    }
    const opt_value *positions = opt_get(options, "global_tokens");
    int n = 0;
    if (opt_bool(options, "global_cls") && geometry->global_token >= 0) st->global[n++] = geometry->global_token;
    for (int i = 0; i < positions->n_list; i++) st->global[n++] = (int32_t)positions->list[i];
    qsort(st->global, (size_t)n, sizeof st->global[0], compare_int32);
    for (int i = 0; i < n; i++)
        if (st->n_global == 0 || st->global[i] != st->global[st->n_global - 1]) st->global[st->n_global++] = st->global[i];
    st->global_projections = opt_bool(options, "global_projections");
    const int rc = position_layout_init(&st->position, geometry, err);
    if (rc != 0) {
        free(st);
        return rc;
    }
    *state = st;
    *n_inputs = st->global_projections ? 6 : 3;
    return 0;
}

/* Global positions of a sequence: the prefix of the sorted list below its length. */
static int globals_in(const longformer_state *st, int length) {
    int n = 0;
    while (n < st->n_global && st->global[n] < length) n++;
    return n;
}

static int window_chunks(int length) { return (length + SPARSE_GROUP_ROWS - 1) / SPARSE_GROUP_ROWS; }

static int longformer_groups(const void *self, const sparse_context *c) {
    const int n_global = globals_in(self, c->length);
    return window_chunks(c->length) + (n_global + SPARSE_GROUP_ROWS - 1) / SPARSE_GROUP_ROWS;
}

static bool is_global(const longformer_state *st, int n_global, int position) {
    return bsearch(&(int32_t){position}, st->global, (size_t)n_global, sizeof st->global[0], compare_int32) != NULL;
}

static void longformer_group(const void *self, const sparse_context *c, int index, sparse_group *g) {
    const longformer_state *st = self;
    const int n_global = globals_in(st, c->length);
    if (index >= window_chunks(c->length)) { /* global rows against every key */
        const int first = (index - window_chunks(c->length)) * SPARSE_GROUP_ROWS;
        g->n_rows = imin(SPARSE_GROUP_ROWS, n_global - first);
        for (int r = 0; r < g->n_rows; r++) g->rows[r] = st->global[first + r];
        g->n_keys = sparse_key_range(g->keys, 0, c->length);
        g->projections = st->global_projections ? 1 : 0;
        return;
    }
    const int first = index * SPARSE_GROUP_ROWS, end = imin(c->length, first + SPARSE_GROUP_ROWS);
    g->n_rows = 0;
    for (int i = first; i < end; i++)
        if (!is_global(st, n_global, i)) g->rows[g->n_rows++] = i;
    const int d = dilation_of(st, c->head);
    const int lo = (int)clamp64(first - (int64_t)st->left * d, 0, c->length);
    const int hi = (int)clamp64(end + (int64_t)st->right * d, 0, c->length);
    /* The window range goes after room for the globals; both then merge into place. */
    int32_t *range = g->keys + n_global;
    const int n_range = sparse_key_range(range, lo, hi);
    g->n_keys = sparse_merge(g->keys, st->global, n_global, range, n_range);
    g->masked = true;
}

static void longformer_mask(const void *self, const sparse_context *c, int row, const int32_t *keys, int n_keys,
                            uint8_t *allowed) {
    const longformer_state *st = self;
    const int d = dilation_of(st, c->head);
    const int64_t lo = -(int64_t)st->left * d, hi = (int64_t)st->right * d;
    if (d == 1) {
        for (int j = 0; j < n_keys; j++) allowed[j] = keys[j] - row >= lo && keys[j] - row <= hi;
    } else {
        for (int j = 0; j < n_keys; j++) {
            const int offset = keys[j] - row;
            allowed[j] = offset % d == 0 && offset >= lo && offset <= hi;
        }
    }
    const int n_global = globals_in(st, c->length);
    for (int i = 0; i < n_global; i++) {
        const int32_t *at = bsearch(&st->global[i], keys, (size_t)n_keys, sizeof keys[0], compare_int32);
        if (at) allowed[at - keys] = 1;
    }
}

static sparse_pattern longformer_pattern(const longformer_state *st, int T) {
    const int64_t window_span = SPARSE_GROUP_ROWS + (int64_t)(st->left + st->right) * st->max_dilation;
    sparse_pattern p = {
        .self = st,
        .max_keys = st->n_global > 0 ? T : (int)clamp64(window_span, 0, T),
        .position = &st->position,
        .group_count = longformer_groups,
        .group_at = longformer_group,
        .mask_row = longformer_mask,
    };
    return p;
}

static int inputs_of(const longformer_state *st) { return st->global_projections ? 6 : 3; }

static attention_sizes longformer_sizes(const void *state, attention_shape shape) {
    const sparse_pattern p = longformer_pattern(state, shape.T);
    attention_sizes sizes = {0};
    sizes.saved = sparse_saved(shape);
    sizes.scratch = sparse_scratch(&p, shape, inputs_of(state));
    return sizes;
}

static void longformer_forward(const void *state, const attention_call *call, const real *params,
                               const real *inputs, real *out, real *saved, real *scratch) {
    const sparse_pattern p = longformer_pattern(state, call->shape.T);
    sparse_forward(&p, call, inputs_of(state), inputs, out, saved, scratch);
}

static void longformer_backward(const void *state, const attention_call *call, const real *params,
                                const real *inputs, const real *out, const real *dout, const real *saved,
                                real *dinputs, real *dparams, real *scratch) {
    const sparse_pattern p = longformer_pattern(state, call->shape.T);
    sparse_backward(&p, call, inputs_of(state), inputs, out, dout, saved, dinputs, scratch);
}

static double longformer_flops(const void *state, attention_shape shape) {
    const longformer_state *st = state;
    const int n_global = globals_in(st, shape.T);
    const double window_keys = imin(shape.T, st->left + st->right + 1 + n_global);
    const double rows_keys = (double)(shape.T - n_global) * window_keys + (double)n_global * shape.T;
    return 14.0 * shape.B * shape.NH * rows_keys * shape.hs;
}

static void longformer_free(void *state) {
    longformer_state *st = state;
    position_layout_free(&st->position);
    free(st);
}

const mechanism_ops mechanism_longformer = {
    .name = "longformer",
    .summary = "sliding window (optionally dilated) plus global tokens (CLS by default) with their own projections",
    .position_scores = true,
    .options = longformer_options,
    .n_options = (int)(sizeof longformer_options / sizeof longformer_options[0]),
    .init = longformer_init,
    .sizes = longformer_sizes,
    .forward = longformer_forward,
    .backward = longformer_backward,
    .flops = longformer_flops,
    .free = longformer_free,
};
