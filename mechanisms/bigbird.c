/* bigbird.c — BigBird ITC attention: block window, global blocks, random blocks.
 *
 * The sequence is cut into blocks of `block` tokens (the last one partial). The first
 * and last blocks are global: their queries see every key and every query sees their
 * keys. A middle query block j sees key blocks {0, j−1, j, j+1, last} plus
 * `random_blocks` blocks drawn without replacement from the others (neither global
 * nor in its window), per layer and head, from the run's seed: the draw is the same at
 * every step, in forward and backward, and depends on the sequence's own length only,
 * so padding never changes it. Middle rows see (5 + r)·block keys (4 + r blocks next to
 * a global block), so the cost is linear in T. A sequence with at most
 * (5 + 2r)·block tokens is too short for the pattern and is computed with full
 * attention, as HF's implementation does; the run records the fraction of sequences
 * that fell back (mechanism_ops.falls_back). */
#include "mechanisms/bigbird.h"

#include <stdlib.h>

#include "core/rng.h"
#include "mechanisms/mechanism.h"
#include "mechanisms/sparse_attention.h"

#define BIGBIRD_MAX_BLOCKS (5 + 64)

typedef struct bigbird_state {
    int block, random_blocks;
    int rows; /* query rows per group */
    position_layout position;
} bigbird_state;

static const opt_spec bigbird_options[] = {
    {"block", OPT_INT, "64", 1, 4096, NULL, "tokens per block (LRA and the paper: 64)"},
    {"random_blocks", OPT_INT, "3", 0, 64, NULL, "random key blocks per query block, per layer and head"},
};

static int imin(int a, int b) { return a < b ? a : b; }

static int compare_int32(const void *a, const void *b) {
    const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

void bigbird_random_blocks(uint64_t seed, int layer, int head, int row_block, int n_blocks, int count,
                           int32_t *out) {
    rng r;
    rng_seed(&r, rng_key(seed ^ RNG_STREAM_BIGBIRD_BLOCKS, (uint64_t)layer << 32 | (uint32_t)head,
                         (uint64_t)row_block, (uint64_t)n_blocks));
    for (int n = 0; n < count;) {
        const int candidate = (int)rng_range(&r, 1, n_blocks - 2);
        bool taken = candidate >= row_block - 1 && candidate <= row_block + 1;
        for (int i = 0; i < n && !taken; i++) taken = out[i] == candidate;
        if (!taken) out[n++] = candidate;
    }
    qsort(out, (size_t)count, sizeof out[0], compare_int32);
}

bool bigbird_uses_full(int length, int block, int random_blocks) {
    return length <= (5 + 2 * random_blocks) * block;
}

static int bigbird_init(void **state, const opt_set *options, const attention_geometry *geometry, int *n_inputs,
                        error_info *err) {
    bigbird_state *st = calloc(1, sizeof *st);
    if (!st) return error_set(err, EXIT_RUNTIME, "out of memory");
    st->block = (int)opt_int(options, "block");
    st->random_blocks = (int)opt_int(options, "random_blocks");
    st->rows = imin(SPARSE_GROUP_ROWS, st->block);
    const int rc = position_layout_init(&st->position, geometry, err);
    if (rc != 0) {
        free(st);
        return rc;
    }
    *state = st;
    *n_inputs = 3;
    return 0;
}

static bool falls_back(const bigbird_state *st, int length) {
    return bigbird_uses_full(length, st->block, st->random_blocks);
}

static int chunks_per_block(const bigbird_state *st) { return (st->block + st->rows - 1) / st->rows; }
static int blocks_of(const bigbird_state *st, int length) { return (length + st->block - 1) / st->block; }

static int bigbird_groups(const void *self, const sparse_context *c) {
    const bigbird_state *st = self;
    if (falls_back(st, c->length)) return (c->length + SPARSE_GROUP_ROWS - 1) / SPARSE_GROUP_ROWS;
    return blocks_of(st, c->length) * chunks_per_block(st);
}

/* The key positions of middle query block j: its sorted key blocks, expanded. */
static int middle_keys(const bigbird_state *st, const sparse_context *c, int j, int32_t *keys) {
    const int n_blocks = blocks_of(st, c->length);
    int32_t blocks[BIGBIRD_MAX_BLOCKS];
    const int32_t fixed[] = {0, j - 1, j, j + 1, n_blocks - 1};
    int n = 0;
    for (int i = 0; i < 5; i++)
        if (n == 0 || fixed[i] != blocks[n - 1]) blocks[n++] = fixed[i];
    int32_t random[64];
    bigbird_random_blocks(c->seed, c->layer, c->head, j, n_blocks, st->random_blocks, random);
    int32_t merged[BIGBIRD_MAX_BLOCKS];
    const int n_merged = sparse_merge(merged, blocks, n, random, st->random_blocks);
    int n_keys = 0;
    for (int i = 0; i < n_merged; i++) {
        const int lo = merged[i] * st->block;
        n_keys += sparse_key_range(keys + n_keys, lo, imin(c->length, lo + st->block));
    }
    return n_keys;
}

static void bigbird_group(const void *self, const sparse_context *c, int index, sparse_group *g) {
    const bigbird_state *st = self;
    if (falls_back(st, c->length)) {
        const int first = index * SPARSE_GROUP_ROWS;
        g->n_rows = sparse_key_range(g->rows, first, imin(c->length, first + SPARSE_GROUP_ROWS));
        g->n_keys = sparse_key_range(g->keys, 0, c->length);
        return;
    }
    const int j = index / chunks_per_block(st), chunk = index % chunks_per_block(st);
    const int block_end = imin(c->length, (j + 1) * st->block), first = j * st->block + chunk * st->rows;
    g->n_rows = first < block_end ? sparse_key_range(g->rows, first, imin(block_end, first + st->rows)) : 0;
    if (g->n_rows == 0) return;
    if (j == 0 || j == blocks_of(st, c->length) - 1) g->n_keys = sparse_key_range(g->keys, 0, c->length);
    else g->n_keys = middle_keys(st, c, j, g->keys);
}

static sparse_pattern bigbird_pattern(const bigbird_state *st, int T) {
    sparse_pattern p = {.self = st,
                        .max_keys = T,
                        .position = &st->position,
                        .group_count = bigbird_groups,
                        .group_at = bigbird_group};
    return p;
}

static attention_sizes bigbird_sizes(const void *state, attention_shape shape) {
    const sparse_pattern p = bigbird_pattern(state, shape.T);
    attention_sizes sizes = {0};
    sizes.saved = sparse_saved(shape);
    sizes.scratch = sparse_scratch(&p, shape, 3);
    return sizes;
}

static void bigbird_forward(const void *state, const attention_call *call, const real *params, const real *inputs,
                            real *out, real *saved, real *scratch) {
    const sparse_pattern p = bigbird_pattern(state, call->shape.T);
    sparse_forward(&p, call, 3, inputs, out, saved, scratch);
}

static void bigbird_backward(const void *state, const attention_call *call, const real *params,
                             const real *inputs, const real *out, const real *dout, const real *saved,
                             real *dinputs, real *dparams, real *scratch) {
    const sparse_pattern p = bigbird_pattern(state, call->shape.T);
    sparse_backward(&p, call, 3, inputs, out, dout, saved, dinputs, scratch);
}

static double bigbird_flops(const void *state, attention_shape shape) {
    const bigbird_state *st = state;
    const double T = shape.T, b = st->block;
    const double rows_keys = falls_back(st, shape.T)
                                 ? T * T
                                 : (T - 2 * b) * (5 + st->random_blocks) * b + 2 * b * T;
    return 14.0 * shape.B * shape.NH * rows_keys * shape.hs;
}

static bool bigbird_falls_back(const void *state, int length) { return falls_back(state, length); }

static void bigbird_free(void *state) {
    bigbird_state *st = state;
    position_layout_free(&st->position);
    free(st);
}

const mechanism_ops mechanism_bigbird = {
    .name = "bigbird",
    .summary = "BigBird ITC: block window, first and last blocks global, random blocks per layer and head",
    .position_scores = true,
    .options = bigbird_options,
    .n_options = (int)(sizeof bigbird_options / sizeof bigbird_options[0]),
    .init = bigbird_init,
    .sizes = bigbird_sizes,
    .forward = bigbird_forward,
    .backward = bigbird_backward,
    .flops = bigbird_flops,
    .falls_back = bigbird_falls_back,
    .free = bigbird_free,
};
