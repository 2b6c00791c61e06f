/* test_sparse_attention.c — local, Longformer and BigBird against the naive dense
 * reference run with the explicit mask that each mechanism's definition gives (built
 * here from the definition, not from the mechanism's code), in double precision:
 * outputs and dQ, dK, dV of every projection set to 1e-12, on odd lengths, blocks
 * that do not divide the length, one and several heads, mixed lengths in a batch.
 * Then the limits: a window or block covering the sequence is full attention,
 * Longformer with every token global is full attention on the global projections,
 * BigBird on a short sequence is full attention; BigBird's random draw is distinct,
 * outside the window and global blocks, fixed by its seed; finite-difference
 * gradients on longer shapes where BigBird's pattern is sparse; and the memory the
 * mechanisms ask for grows linearly with T. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attention_reference.h"
#include "core/check.h"
#include "gradcheck.h"
#include "mechanism_options.h"
#include "mechanisms/bigbird.h"
#include "mechanisms/mechanism.h"
#include "testing.h"

enum { MAX_B = 4 };

typedef struct setup {
    const char *label;
    const char *mechanism, *options;
    int B, NH, T, hs;
    int32_t lengths[MAX_B];
} setup;

/* One mechanism instance with inputs, output weights and gradients. */
typedef struct instance {
    const mechanism_ops *ops;
    void *state;
    int n_inputs;
    attention_call call;
    size_t tensor;
    attention_sizes sizes;
    real *inputs, *out, *saved, *scratch, *weights, *dinputs;
} instance;

static void *zalloc(size_t n) {
    void *p = calloc(n ? n : 1, sizeof(real));
    if (!p) abort();
    return p;
}

static void instance_init(instance *in, const char *mechanism, const char *options, int B, int NH, int T, int hs,
                          const int32_t *lengths) {
    memset(in, 0, sizeof *in);
    in->ops = mechanism_find(mechanism);
    CHECK(in->ops != NULL);
    opt_set set;
    test_mechanism_options(in->ops, options, &set);
    const attention_geometry geometry = {.heads = NH, .head_size = hs, .max_tokens = T, .layers = 2, .global_token = 0};
    error_info err = {0};
    if (in->ops->init(&in->state, &set, &geometry, &in->n_inputs, &err) != 0) {
        fprintf(stderr, "init %s {%s}: %s\n", mechanism, options, err.message);
        abort();
    }
    const attention_shape shape = {B, NH, T, hs};
    in->call = (attention_call){
        .shape = shape, .lengths = lengths, .layer = 1, .training = false, .step = 3, .seed = 4321, .dropout = 0,
        .dropout_key = 0
    };
    in->tensor = (size_t)B * NH * T * hs;
    in->sizes = in->ops->sizes(in->state, shape);
    in->saved = zalloc(in->sizes.saved);
    in->scratch = zalloc(in->sizes.scratch);
    in->inputs = zalloc(in->n_inputs * in->tensor);
    in->dinputs = zalloc(in->n_inputs * in->tensor);
    in->out = zalloc(in->tensor);
    in->weights = zalloc(in->tensor);
    gradcheck_fill(in->inputs, in->n_inputs * in->tensor, 21, 1.5);
    gradcheck_fill(in->weights, in->tensor, 22, 1.0);
}

static void instance_free(instance *in) {
    in->ops->free(in->state);
    free(in->inputs), free(in->dinputs), free(in->out), free(in->saved), free(in->scratch), free(in->weights);
}

static void instance_run(instance *in) {
    memset(in->dinputs, 0, sizeof(real) * in->n_inputs * in->tensor);
    in->ops->forward(in->state, &in->call, NULL, in->inputs, in->out, in->saved, in->scratch);
    in->ops->backward(in->state, &in->call, NULL, in->inputs, in->out, in->weights, in->saved, in->dinputs, NULL,
                      in->scratch);
}

static size_t head_at(const attention_shape *s, int b, int h) { return (((size_t)b * s->NH + h) * s->T) * s->hs; }

/* ---- explicit masks from the definitions ---- */

typedef struct mask_spec {
    enum { SLIDING, BLOCKED, LONGFORMER, BIGBIRD } kind;
    int window, block, random_blocks;
    int dilation[4];
    int n_global;
    int global[8];
} mask_spec;

static bool is_global(const mask_spec *m, int i) {
    for (int g = 0; g < m->n_global; g++)
        if (m->global[g] == i) return true;
    return false;
}

/* Longformer's window of a non-global row i: i + δt, t in [−(w − ⌊w/2⌋ − 1), ⌊w/2⌋]. */
static bool in_dilated_window(const mask_spec *m, int h, int i, int j) {
    const int d = m->dilation[h], left = m->window - m->window / 2 - 1, right = m->window / 2;
    const int offset = j - i;
    return offset % d == 0 && offset >= -left * d && offset <= right * d;
}

static bool bigbird_allowed(const mask_spec *m, int layer, int h, int L, int i, int j) {
    if (bigbird_uses_full(L, m->block, m->random_blocks)) return true;
    const int n_blocks = (L + m->block - 1) / m->block, bi = i / m->block, bj = j / m->block;
    if (bi == 0 || bi == n_blocks - 1 || bj == 0 || bj == n_blocks - 1) return true;
    if (bj >= bi - 1 && bj <= bi + 1) return true;
    int32_t random[64];
    bigbird_random_blocks(4321, layer, h, bi, n_blocks, m->random_blocks, random);
    for (int r = 0; r < m->random_blocks; r++)
        if (random[r] == bj) return true;
    return false;
}

/* allowed (T, T) for head h of a sequence of length L; `rows` selects which query rows
 * are filled: 0 every row, 1 only Longformer's non-global rows, 2 only its global rows. */
static void build_mask(uint8_t *allowed, const mask_spec *m, int layer, int h, int T, int L, int rows) {
    for (int i = 0; i < T; i++)
        for (int j = 0; j < T; j++) {
            bool ok = i < L && j < L;
            if (ok) switch (m->kind) {
                case SLIDING: ok = abs(i - j) <= m->window; break;
                case BLOCKED: ok = i / m->block == j / m->block; break;
                case LONGFORMER:
                    if (is_global(m, i)) ok = rows != 1;
                    else ok = rows != 2 && (is_global(m, j) || in_dilated_window(m, h, i, j));
                    break;
                case BIGBIRD: ok = bigbird_allowed(m, layer, h, L, i, j); break;
                }
            allowed[(size_t)i * T + j] = ok;
        }
}

/* Runs the reference for one (b, h) with projection set p and the given mask, adding
 * its output and gradients into ref_out and ref_d (the n_inputs tensors). */
static void reference_head(const instance *in, int b, int h, int p, const uint8_t *allowed, real *ref_out,
                           real *ref_d) {
    const attention_shape *s = &in->call.shape;
    const size_t off = head_at(s, b, h), T = (size_t)s->T, hs = (size_t)s->hs;
    const real *q = in->inputs + (3 * p) * in->tensor + off, *k = in->inputs + (3 * p + 1) * in->tensor + off,
               *v = in->inputs + (3 * p + 2) * in->tensor + off;
    real *out = zalloc(T * hs);
    reference_attention_forward(out, q, k, v, allowed, s->T, s->hs);
    for (size_t i = 0; i < T * hs; i++) ref_out[off + i] += out[i];
    reference_attention_backward(ref_d + (3 * p) * in->tensor + off, ref_d + (3 * p + 1) * in->tensor + off,
                                 ref_d + (3 * p + 2) * in->tensor + off, in->weights + off, q, k, v, allowed, s->T,
                                 s->hs);
    free(out);
}

static double max_diff(const real *a, const real *b, size_t n) {
    double worst = 0;
    for (size_t i = 0; i < n; i++) worst = fmax(worst, fabs((double)a[i] - b[i]));
    return worst;
}

static void check_against_mask(const setup *c, const mask_spec *m) {
    instance in;
    instance_init(&in, c->mechanism, c->options, c->B, c->NH, c->T, c->hs, c->lengths);
    instance_run(&in);
    real *ref_out = zalloc(in.tensor), *ref_d = zalloc(in.n_inputs * in.tensor);
    uint8_t *allowed = malloc((size_t)c->T * c->T);
    for (int b = 0; b < c->B; b++)
        for (int h = 0; h < c->NH; h++) {
            if (m->kind == LONGFORMER) {
                build_mask(allowed, m, 1, h, c->T, c->lengths[b], 1);
                reference_head(&in, b, h, 0, allowed, ref_out, ref_d);
                build_mask(allowed, m, 1, h, c->T, c->lengths[b], 2);
                reference_head(&in, b, h, in.n_inputs == 6 ? 1 : 0, allowed, ref_out, ref_d);
            } else {
                build_mask(allowed, m, 1, h, c->T, c->lengths[b], 0);
                reference_head(&in, b, h, 0, allowed, ref_out, ref_d);
            }
        }
    const double d_out = max_diff(in.out, ref_out, in.tensor);
    const double d_grad = max_diff(in.dinputs, ref_d, in.n_inputs * in.tensor);
    test_check(d_out < 1e-12, "output equals the dense reference under the explicit mask", "%s {%s}, %s: %.3g",
               c->mechanism, c->options, c->label, d_out);
    test_check(d_grad < 1e-12, "every input gradient equals the dense reference's", "%s {%s}, %s: %.3g",
               c->mechanism, c->options, c->label, d_grad);
    free(ref_out), free(ref_d), free(allowed);
    instance_free(&in);
}

/* The mechanism's output equals full attention's on inputs p·3 .. p·3+2. */
static void check_equals_full(const char *what, const char *mechanism, const char *options, int p) {
    const int32_t lengths[MAX_B] = {19, 11, 1};
    instance in, full;
    instance_init(&in, mechanism, options, 3, 2, 19, 4, lengths);
    instance_init(&full, "full", NULL, 3, 2, 19, 4, lengths);
    memcpy(full.inputs, in.inputs + 3 * p * in.tensor, sizeof(real) * 3 * in.tensor);
    instance_run(&in);
    instance_run(&full);
    const double d_out = max_diff(in.out, full.out, in.tensor);
    const double d_grad = max_diff(in.dinputs + 3 * p * in.tensor, full.dinputs, 3 * in.tensor);
    test_check(d_out < 1e-12 && d_grad < 1e-12, what, "%s {%s}: output %.3g, gradients %.3g", mechanism, options,
               d_out, d_grad);
    instance_free(&in);
    instance_free(&full);
}

static void check_mask_cases(void) {
    const setup sliding = {"odd T, mixed lengths", "local", "window=3", 3, 2, 23, 4, {23, 10, 0}};
    check_against_mask(&sliding, &(mask_spec){.kind = SLIDING, .window = 3});
    const setup sliding_one = {"one head, window 1", "local", "window=1", 2, 1, 17, 3, {17, 2}};
    check_against_mask(&sliding_one, &(mask_spec){.kind = SLIDING, .window = 1});
    const setup wide = {"window wider than a group of rows", "local", "window=70", 1, 2, 150, 2, {150}};
    check_against_mask(&wide, &(mask_spec){.kind = SLIDING, .window = 70});
    const setup blocked = {"block not dividing T", "local", "blocked=true;block=5", 3, 3, 23, 4, {23, 21, 5}};
    check_against_mask(&blocked, &(mask_spec){.kind = BLOCKED, .block = 5});
    const setup big_block = {"blocks of 70 rows", "local", "blocked=true;block=70", 1, 1, 150, 2, {149}};
    check_against_mask(&big_block, &(mask_spec){.kind = BLOCKED, .block = 70});

    const setup longformer = {"dilation per head, CLS + 2 globals", "longformer",
                              "window=5;dilation=[1, 2];global_tokens=[17, 3]", 3, 2, 23, 4, {23, 15, 2}};
    check_against_mask(&longformer, &(mask_spec){.kind = LONGFORMER, .window = 5, .dilation = {1, 2},
                                                  .n_global = 3, .global = {0, 3, 17}});
    const setup shared = {"shared projections, even window", "longformer",
                          "window=4;global_projections=false;global_tokens=[6]", 2, 4, 13, 2, {13, 7}};
    check_against_mask(&shared, &(mask_spec){.kind = LONGFORMER, .window = 4, .dilation = {1, 1, 1, 1},
                                              .n_global = 2, .global = {0, 6}});
    const setup no_global = {"no global token, 70 rows", "longformer", "window=9;global_cls=false", 1, 1, 140, 2,
                             {140}};
    check_against_mask(&no_global, &(mask_spec){.kind = LONGFORMER, .window = 9, .dilation = {1}});

    /* Head size 256 takes keys in chunks of 64: windows and a global row over several chunks. */
    const setup chunked = {"keys in chunks of 64 (hs 256)", "local", "window=70", 1, 1, 150, 256, {150}};
    check_against_mask(&chunked, &(mask_spec){.kind = SLIDING, .window = 70});
    const setup chunked_global = {"the CLS row over chunks of 64 keys (hs 256)", "longformer", "window=9", 1, 1, 150,
                                  256, {147}};
    check_against_mask(&chunked_global, &(mask_spec){.kind = LONGFORMER, .window = 9, .dilation = {1},
                                                      .n_global = 1, .global = {0}});

    const setup bigbird = {"sparse and fallback lengths in one batch", "bigbird", "block=3;random_blocks=2", 4, 2,
                           40, 3, {40, 31, 20, 0}};
    check_against_mask(&bigbird, &(mask_spec){.kind = BIGBIRD, .block = 3, .random_blocks = 2});
    const setup bigbird_rows = {"blocks taller than a group of rows", "bigbird", "block=70;random_blocks=1", 1, 1,
                                600, 2, {590}};
    check_against_mask(&bigbird_rows, &(mask_spec){.kind = BIGBIRD, .block = 70, .random_blocks = 1});
}

static void check_limits(void) {
    check_equals_full("a window covering the sequence is full attention", "local", "window=18", 0);
    check_equals_full("one block covering the sequence is full attention", "local", "blocked=true;block=19", 0);
    check_equals_full("Longformer with a window ≥ 2L and no globals is full attention (first projections)",
                      "longformer", "window=40;global_cls=false", 0);
    check_equals_full("Longformer with every token global is full attention (global projections)", "longformer",
                      "window=1;global_tokens=[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]", 1);
    check_equals_full("BigBird on sequences ≤ (5 + 2r)·block is full attention", "bigbird",
                      "block=4;random_blocks=1", 0);
}

static void check_random_blocks(void) {
    bool valid = true, same = true, heads_differ = false, layers_differ = false;
    const int n_blocks = 12, count = 3;
    for (int j = 1; j <= n_blocks - 2; j++) {
        int32_t a[8], again[8], other_head[8], other_layer[8];
        bigbird_random_blocks(7, 0, 0, j, n_blocks, count, a);
        bigbird_random_blocks(7, 0, 0, j, n_blocks, count, again);
        bigbird_random_blocks(7, 0, 1, j, n_blocks, count, other_head);
        bigbird_random_blocks(7, 1, 0, j, n_blocks, count, other_layer);
        for (int r = 0; r < count; r++) {
            if (a[r] < 1 || a[r] > n_blocks - 2 || abs(a[r] - j) <= 1 || (r > 0 && a[r] <= a[r - 1])) valid = false;
            if (a[r] != again[r]) same = false;
            if (a[r] != other_head[r]) heads_differ = true;
            if (a[r] != other_layer[r]) layers_differ = true;
        }
    }
    test_check(valid, "random blocks are distinct, ascending, outside the window and the global blocks",
               "12 blocks, 3 each");
    test_check(same, "the same seed, layer and head draw the same blocks", "12 blocks");
    test_check(heads_differ && layers_differ, "other heads and layers draw other blocks", "12 blocks");

    /* Every middle row sees exactly (5 + r)·b keys (4 + r blocks next to a global one). */
    const mask_spec m = {.kind = BIGBIRD, .block = 4, .random_blocks = 2};
    const int T = 64;
    uint8_t *allowed = malloc((size_t)T * T);
    build_mask(allowed, &m, 0, 0, T, T, 0);
    bool counts = true;
    for (int i = 4; i < T - 4; i++) {
        int keys = 0;
        for (int j = 0; j < T; j++) keys += allowed[i * T + j];
        const int block = i / 4, expected = (block == 1 || block == T / 4 - 2 ? 4 : 5) * 4 + 2 * 4;
        if (keys != expected) counts = false;
    }
    test_check(counts, "middle rows see (5 + r)·b keys, (4 + r)·b next to a global block", "T 64, b 4, r 2");
    free(allowed);
}

typedef struct grad_context {
    instance *in;
} grad_context;

static double loss_of(void *ctx) {
    instance *in = ((grad_context *)ctx)->in;
    in->ops->forward(in->state, &in->call, NULL, in->inputs, in->out, in->saved, in->scratch);
    return gradcheck_weighted_sum(in->out, in->weights, in->tensor);
}

static void check_gradients(const char *mechanism, const char *options, int B, int NH, int T, int hs,
                            const int32_t *lengths) {
    instance in;
    instance_init(&in, mechanism, options, B, NH, T, hs, lengths);
    instance_run(&in);
    real *analytic = zalloc(in.n_inputs * in.tensor);
    memcpy(analytic, in.dinputs, sizeof(real) * in.n_inputs * in.tensor);
    char name[200];
    snprintf(name, sizeof name, "%s {%s} inputs, T %d", mechanism, options, T);
    grad_context ctx = {&in};
    gradcheck_compare(name, in.inputs, analytic, in.n_inputs * in.tensor, loss_of, &ctx, 1e-6, 1e-6);
    free(analytic);
    instance_free(&in);
}

/* Memory per token at 16K within 1.5× of its value at 1K, for each sparse mechanism
 * with its defaults (what the model allocates comes from these sizes). */
static void check_linear_memory(void) {
    const char *names[] = {"local", "longformer", "bigbird"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const mechanism_ops *ops = mechanism_find(names[i]);
        opt_set set;
        test_mechanism_options(ops, NULL, &set);
        double per_token[2];
        const int lengths[2] = {1024, 16384};
        for (int l = 0; l < 2; l++) {
            void *state;
            int n_inputs;
            error_info err = {0};
            const attention_geometry geometry = {
                .heads = 4, .head_size = 16, .max_tokens = lengths[l], .layers = 2, .global_token = 0};
            CHECK(ops->init(&state, &set, &geometry, &n_inputs, &err) == 0);
            const attention_sizes s = ops->sizes(state, (attention_shape){8, 4, lengths[l], 16});
            per_token[l] = (double)(s.saved + s.scratch) / lengths[l];
            ops->free(state);
        }
        test_check(per_token[1] <= 1.5 * per_token[0], "attention memory per token at 16K ≤ 1.5× that at 1K",
                   "%s: %.0f vs %.0f reals per token", names[i], per_token[1], per_token[0]);
    }
}

int main(void) {
    check_mask_cases();
    check_limits();
    check_random_blocks();
    const int32_t bigbird_lengths[] = {37, 22};
    check_gradients("bigbird", "block=3;random_blocks=2", 2, 2, 37, 3, bigbird_lengths);
    const int32_t longformer_lengths[] = {21, 12};
    check_gradients("longformer", "window=4;dilation=[1, 3];global_tokens=[9]", 2, 2, 21, 3, longformer_lengths);
    const int32_t local_lengths[] = {21, 20, 3};
    check_gradients("local", "blocked=true;block=4", 3, 1, 21, 3, local_lengths);
    check_linear_memory();
    return test_finish("test_sparse_attention");
}
