/* local.c — local attention: a sliding window, or LRA's non-overlapping blocks.
 *
 * Sliding window (default): query i attends to the real keys j with |i − j| ≤ window.
 * Rows are taken in groups of up to 64 consecutive positions whose keys are the band
 * around them, so work and memory are O(T · window), never T×T.
 *
 * Blocked (`blocked: true`): the sequence is cut into contiguous blocks of `block`
 * tokens and each query attends to the keys of its own block, the last block being
 * partial. This is the mechanism LRA's "local attention" intends. Its reference code
 * reshapes (T) into (block, T/block) and so groups *strided* tokens (equal i mod
 * T/block) while masking padding as contiguous blocks, and it appends a whole empty
 * block when block divides T; both are bugs, and neither is reproduced here.
 *
 * A window ≥ T − 1 or a block ≥ T is exactly full attention. */
#include <stdlib.h>

#include "mechanisms/mechanism.h"
#include "mechanisms/sparse_attention.h"

typedef struct local_state {
    int window;   /* radius of the sliding window */
    bool blocked;
    int block;    /* tokens per block when blocked */
    int rows;     /* query rows per group */
    position_layout position;
} local_state;

static const opt_spec local_options[] = {
    {"window", OPT_INT, "128", 0, 1 << 20, NULL, "radius: query i sees keys i-window .. i+window (sliding mode)"},
    {"blocked", OPT_BOOL, "false", 0, 0, NULL, "non-overlapping blocks instead of a sliding window (LRA's local)"},
    {"block", OPT_INT, "50", 1, 1 << 20, NULL, "tokens per block when blocked (LRA: 50 for text, 64 for images)"},
};

static int imin(int a, int b) { return a < b ? a : b; }
static int imax(int a, int b) { return a > b ? a : b; }

static int local_init(void **state, const opt_set *options, const attention_geometry *geometry, int *n_inputs,
                      error_info *err) {
    local_state *st = calloc(1, sizeof *st);
    if (!st) return error_set(err, EXIT_RUNTIME, "out of memory");
    st->window = (int)opt_int(options, "window");
    st->blocked = opt_bool(options, "blocked");
    st->block = (int)opt_int(options, "block");
    /* Groups about as tall as the band is wide keep the gathered keys mostly useful. */
    st->rows = st->blocked ? imin(SPARSE_GROUP_ROWS, st->block) : imax(8, imin(SPARSE_GROUP_ROWS, st->window));
    const int rc = position_layout_init(&st->position, geometry, err);
    if (rc != 0) {
        free(st);
        return rc;
    }
    *state = st;
    *n_inputs = 3;
    return 0;
}

static int sliding_groups(const void *self, const sparse_context *c) {
    const local_state *st = self;
    return (c->length + st->rows - 1) / st->rows;
}

static void sliding_group(const void *self, const sparse_context *c, int index, sparse_group *g) {
    const local_state *st = self;
    const int first = index * st->rows, end = imin(c->length, first + st->rows);
    g->n_rows = sparse_key_range(g->rows, first, end);
    const int lo = imax(0, first - st->window), hi = imin(c->length, end + st->window);
    g->n_keys = sparse_key_range(g->keys, lo, hi);
    /* Unmasked only when every row's band covers the whole list. */
    g->masked = !(lo >= end - 1 - st->window && hi - 1 <= first + st->window);
}

/* The keys are consecutive positions from keys[0], so a row's band is an index range. */
static void sliding_span(const void *self, const sparse_context *c, int row, const int32_t *keys, int n_keys,
                         int *lo, int *hi) {
    const local_state *st = self;
    *lo = imax(0, row - st->window - keys[0]);
    *hi = imin(n_keys, row + st->window + 1 - keys[0]);
}

/* Blocked: group index → (block, chunk of rows inside it). */
static int chunks_per_block(const local_state *st) { return (st->block + st->rows - 1) / st->rows; }

static int blocked_groups(const void *self, const sparse_context *c) {
    const local_state *st = self;
    const int full = c->length / st->block, rest = c->length % st->block;
    return full * chunks_per_block(st) + (rest + st->rows - 1) / st->rows;
}

static void blocked_group(const void *self, const sparse_context *c, int index, sparse_group *g) {
    const local_state *st = self;
    const int block = index / chunks_per_block(st), chunk = index % chunks_per_block(st);
    const int block_start = block * st->block, block_end = imin(c->length, block_start + st->block);
    const int first = block_start + chunk * st->rows;
    g->n_rows = sparse_key_range(g->rows, first, imin(block_end, first + st->rows));
    g->n_keys = sparse_key_range(g->keys, block_start, block_end);
}

static sparse_pattern local_pattern(const local_state *st, int T) {
    sparse_pattern p = {.self = st, .position = &st->position};
    if (st->blocked) {
        p.max_keys = imin(T, st->block);
        p.group_count = blocked_groups;
        p.group_at = blocked_group;
    } else {
        p.max_keys = imin(T, st->rows + 2 * st->window);
        p.group_count = sliding_groups;
        p.group_at = sliding_group;
        p.row_span = sliding_span;
    }
    return p;
}

static attention_sizes local_sizes(const void *state, attention_shape shape) {
    const sparse_pattern p = local_pattern(state, shape.T);
    attention_sizes sizes = {0};
    sizes.saved = sparse_saved(shape);
    sizes.scratch = sparse_scratch(&p, shape, 3);
    return sizes;
}

static void local_forward(const void *state, const attention_call *call, const real *params, const real *inputs,
                          real *out, real *saved, real *scratch) {
    const sparse_pattern p = local_pattern(state, call->shape.T);
    sparse_forward(&p, call, 3, inputs, out, saved, scratch);
}

static void local_backward(const void *state, const attention_call *call, const real *params, const real *inputs,
                           const real *out, const real *dout, const real *saved, real *dinputs, real *dparams,
                           real *scratch) {
    const sparse_pattern p = local_pattern(state, call->shape.T);
    sparse_backward(&p, call, 3, inputs, out, dout, saved, dinputs, scratch);
}

static double local_flops(const void *state, attention_shape shape) {
    const local_state *st = state;
    const int keys = st->blocked ? imin(shape.T, st->block) : imin(shape.T, 2 * st->window + 1);
    /* as full attention (7 products of 2·keys·hs per query row), over each row's keys */
    return 14.0 * shape.B * shape.NH * (double)shape.T * keys * shape.hs;
}

static void local_free(void *state) {
    local_state *st = state;
    position_layout_free(&st->position);
    free(st);
}

const mechanism_ops mechanism_local = {
    .name = "local",
    .summary = "sliding-window attention of radius `window`, or LRA's non-overlapping blocks (`blocked: true`)",
    .position_scores = true,
    .options = local_options,
    .n_options = (int)(sizeof local_options / sizeof local_options[0]),
    .init = local_init,
    .sizes = local_sizes,
    .forward = local_forward,
    .backward = local_backward,
    .flops = local_flops,
    .free = local_free,
};
