/* test_model.c — the whole encoder classifier in double precision: finite-difference
 * gradients of every parameter tensor, for the loss Σ logits ⊙ R (so no softmax row
 * hides an error) and for the mean cross-entropy, with CLS and masked-mean pooling,
 * sinusoidal and learned positions, dropout on, a per-position (sequence) head, the
 * two-tower pair head, the Chomsky benchmark's post-LN variant (no projection biases,
 * scaled embeddings, ReLU, linear head), every positional encoding (RoPE, ALiBi, T5,
 * Transformer-XL relative; randomized and reversed positions; RoPE with a kernel
 * mechanism, ALiBi with a sparse one), a mechanism with learned parameters (the
 * test-only learned_scale), and padded batches; backward twice = twice the gradient; extra
 * padding changes no logit; swapping a pair's documents changes only the u−v part of
 * what the head reads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gradcheck.h"
#include "mechanisms/mechanism.h"
#include "model/model.h"
#include "test_mechanisms.h"
#include "testing.h"

typedef struct model_case {
    const char *label;
    enum pooling pooling;
    enum positional_kind positional;
    enum task_output output;
    int layers, dim, heads, mlp;
    double dropout, attention_dropout;
    int qkv_dim; /* 0 = dim */
    /* The Chomsky benchmark's transformer: post-LN, no projection biases, embeddings
     * scaled by √dim, ReLU MLP, linear head. */
    bool chomsky_style;
    const char *mechanism; /* NULL: full */
    int window;            /* local's window radius, 0 = its default */
    bool randomized, reverse;
} model_case;

static const model_case cases[] = {
    {.label = "cls pooling, sinusoidal, dropout", .pooling = POOLING_CLS, .positional = POSITIONAL_SINUSOIDAL,
     .output = TASK_OUTPUT_CLASS, .layers = 2, .dim = 8, .heads = 2, .mlp = 12, .dropout = 0.2,
     .attention_dropout = 0.1},
    {.label = "mean pooling, learned positions, one head", .pooling = POOLING_MEAN,
     .positional = POSITIONAL_LEARNED, .output = TASK_OUTPUT_CLASS, .layers = 1, .dim = 6, .heads = 1, .mlp = 10},
    {.label = "sequence outputs, three heads, no positions", .pooling = POOLING_CLS, .positional = POSITIONAL_NONE,
     .output = TASK_OUTPUT_SEQUENCE, .layers = 2, .dim = 6, .heads = 3, .mlp = 8, .dropout = 0.1},
    {.label = "pairs, two towers, cls pooling, dropout", .pooling = POOLING_CLS,
     .positional = POSITIONAL_SINUSOIDAL, .output = TASK_OUTPUT_PAIR, .layers = 2, .dim = 6, .heads = 2, .mlp = 8,
     .dropout = 0.1, .attention_dropout = 0.1},
    {.label = "pairs, two towers, mean pooling", .pooling = POOLING_MEAN, .positional = POSITIONAL_LEARNED,
     .output = TASK_OUTPUT_PAIR, .layers = 1, .dim = 4, .heads = 1, .mlp = 6},
    {.label = "qkv_dim 6 != dim 4, two heads", .pooling = POOLING_CLS, .positional = POSITIONAL_SINUSOIDAL,
     .output = TASK_OUTPUT_CLASS, .layers = 2, .dim = 4, .heads = 2, .mlp = 6, .dropout = 0.1, .qkv_dim = 6},
    {.label = "post-LN, no projection bias, scaled embeddings, ReLU, linear head, sequence outputs",
     .pooling = POOLING_CLS, .positional = POSITIONAL_SINUSOIDAL, .output = TASK_OUTPUT_SEQUENCE, .layers = 2,
     .dim = 6, .heads = 2, .mlp = 8, .dropout = 0.1, .chomsky_style = true},
    {.label = "post-LN, linear head, one head, class output", .pooling = POOLING_MEAN,
     .positional = POSITIONAL_LEARNED, .output = TASK_OUTPUT_CLASS, .layers = 1, .dim = 4, .heads = 1, .mlp = 6,
     .chomsky_style = true},
    {.label = "RoPE, randomized positions, sequence outputs", .positional = POSITIONAL_ROPE,
     .output = TASK_OUTPUT_SEQUENCE, .layers = 2, .dim = 8, .heads = 2, .mlp = 8, .dropout = 0.1,
     .chomsky_style = true, .randomized = true},
    {.label = "RoPE with performer, reversed positions", .positional = POSITIONAL_ROPE, .output = TASK_OUTPUT_CLASS,
     .layers = 1, .dim = 8, .heads = 2, .mlp = 8, .mechanism = "performer", .reverse = true},
    {.label = "ALiBi with local attention (window 2), sequence outputs", .positional = POSITIONAL_ALIBI,
     .output = TASK_OUTPUT_SEQUENCE, .layers = 2, .dim = 6, .heads = 3, .mlp = 8, .chomsky_style = true,
     .mechanism = "local", .window = 2},
    {.label = "T5 bias, randomized positions", .positional = POSITIONAL_T5, .output = TASK_OUTPUT_SEQUENCE,
     .layers = 2, .dim = 6, .heads = 2, .mlp = 8, .dropout = 0.1, .randomized = true},
    {.label = "Transformer-XL relative, post-LN, reversed", .positional = POSITIONAL_RELATIVE,
     .output = TASK_OUTPUT_SEQUENCE, .layers = 2, .dim = 8, .heads = 2, .mlp = 8, .chomsky_style = true,
     .reverse = true},
    {.label = "randomized sinusoidal, reversed", .pooling = POOLING_MEAN, .positional = POSITIONAL_SINUSOIDAL,
     .output = TASK_OUTPUT_CLASS, .layers = 1, .dim = 6, .heads = 2, .mlp = 8, .randomized = true, .reverse = true},
    {.label = "randomized learned positions", .positional = POSITIONAL_LEARNED, .output = TASK_OUTPUT_SEQUENCE,
     .layers = 1, .dim = 6, .heads = 1, .mlp = 8, .randomized = true},
    {.label = "a mechanism with learned parameters (test-only learned_scale), dropout",
     .pooling = POOLING_CLS, .positional = POSITIONAL_SINUSOIDAL, .output = TASK_OUTPUT_CLASS, .layers = 2, .dim = 6,
     .heads = 2, .mlp = 8, .dropout = 0.1, .attention_dropout = 0.1, .mechanism = "learned_scale"},
};

enum { B = 3, MAX_LEN = 6, MAX_OUT = 3, K = 3, VOCAB = 7, PAD = 0, CLS = 1 };

typedef struct fixture {
    model *m;
    model_batch batch;
    int32_t tokens[2 * B * (MAX_LEN + 3)], lengths[2 * B], targets[B * MAX_OUT], n_outputs[B];
    uint8_t mask[B * MAX_OUT];
    real *weights; /* (rows, K) */
    bool cross_entropy;
} fixture;

/* Real tokens per sequence (CLS included when pooling is cls) and a batch padded to T;
 * pairs have 2B sequences, the second documents after the first, swapped when asked. */
static void build_batch(fixture *f, const model_case *c, int T, bool swap_pairs) {
    static const int real_tokens[2 * B] = {6, 3, 1, 2, 5, 4};
    const bool cls = model_uses_cls(f->m), pair = c->output == TASK_OUTPUT_PAIR;
    const int sequences = pair ? 2 * B : B;
    for (int s = 0; s < sequences; s++) {
        const int src = swap_pairs ? (s + B) % (2 * B) : s; /* which document sits at sequence s */
        f->lengths[s] = real_tokens[src] + (cls ? 1 : 0);
        for (int t = 0; t < T; t++) {
            int32_t token = (int32_t)(2 + (src * 7 + t * 3) % (VOCAB - 2));
            if (cls && t == 0) token = CLS;
            f->tokens[s * T + t] = t < f->lengths[s] ? token : PAD;
        }
    }
    for (int b = 0; b < B; b++) {
        f->n_outputs[b] = c->output == TASK_OUTPUT_SEQUENCE ? (real_tokens[b] < MAX_OUT ? real_tokens[b] : MAX_OUT) : 1;
        for (int k = 0; k < MAX_OUT; k++) {
            f->targets[b * MAX_OUT + k] = (b + 2 * k) % K;
            f->mask[b * MAX_OUT + k] = (uint8_t)((b + k) % 2 == 0);
        }
    }
    f->batch = (model_batch){sequences, T, f->tokens, f->lengths, f->targets, f->mask, f->n_outputs};
}

static double loss_of(void *ctx) {
    fixture *f = ctx;
    model_stats stats;
    model_forward(f->m, &f->batch, true, 3, 17, &stats);
    if (f->cross_entropy) return stats.loss;
    int rows;
    const real *logits = model_logits(f->m, &rows);
    return gradcheck_weighted_sum(logits, f->weights, (size_t)rows * K);
}

static void backward(fixture *f) {
    loss_of(f);
    if (f->cross_entropy) model_backward(f->m, &f->batch, 3, 17);
    else model_backward_from_logits(f->m, &f->batch, 3, 17, f->weights);
}

static void check_all_tensors(fixture *f, const char *label) {
    model_zero_grad(f->m);
    backward(f);
    const size_t n = model_param_count(f->m);
    real *analytic = malloc(sizeof(real) * n);
    memcpy(analytic, model_grads(f->m), sizeof(real) * n);
    for (int i = 0; i < model_tensor_count(f->m); i++) {
        model_tensor t = model_tensor_at(f->m, i);
        if (t.size == 0) continue;
        char name[200];
        snprintf(name, sizeof name, "%s [%s, %s]", t.name, label, f->cross_entropy ? "cross-entropy" : "Σ logits⊙R");
        gradcheck_compare(name, model_params(f->m) + t.offset, analytic + t.offset, t.size, loss_of, f, 1e-6, 1e-6);
    }
    /* A second backward without zeroing doubles every gradient. Not bit for bit: a
     * gradient summed from several contributions (an embedding row used twice, a GEMM
     * accumulating into its output block by block) adds them one at a time onto what
     * is there, so equality holds to rounding (1e-12 relative in double). */
    backward(f);
    double worst = 0;
    for (size_t i = 0; i < n; i++)
        worst = fmax(worst, fabs(model_grads(f->m)[i] - 2 * analytic[i]) / fmax(1e-300, fabs(2 * analytic[i])));
    test_check(worst < 1e-12, "backward twice gives twice the gradient", "%s: max relative diff %.3g", label, worst);
    free(analytic);
}

static void check_padding_invariance(fixture *f, const model_case *c) {
    for (int training = 0; training <= 1; training++) {
        build_batch(f, c, model_uses_cls(f->m) ? MAX_LEN + 1 : MAX_LEN, false);
        model_forward(f->m, &f->batch, training, 3, 17, NULL);
        int rows;
        const real *logits = model_logits(f->m, &rows);
        real before[B * MAX_OUT * K];
        memcpy(before, logits, sizeof(real) * rows * K);
        build_batch(f, c, model_max_tokens(f->m), false); /* longest allowed padding */
        model_forward(f->m, &f->batch, training, 3, 17, NULL);
        logits = model_logits(f->m, &rows);
        double worst = 0;
        for (int i = 0; i < rows * K; i++) worst = fmax(worst, fabs((double)logits[i] - before[i]));
        test_check(worst < 1e-12, "more padding changes no logit", "%s, %s: max diff %.3g", c->label,
                   training ? "training" : "evaluation", worst);
    }
}

/* The two towers share their weights and see each document alone, so swapping the
 * documents of every pair swaps u and v, keeps u·v and negates u−v, exactly. */
static void check_pair_swap(fixture *f, const model_case *c) {
    const int T = model_uses_cls(f->m) ? MAX_LEN + 1 : MAX_LEN;
    int rows, width;
    build_batch(f, c, T, false);
    model_forward(f->m, &f->batch, false, 3, 17, NULL);
    const real *features = model_head_inputs(f->m, &rows, &width);
    real *before = malloc(sizeof(real) * rows * width);
    memcpy(before, features, sizeof(real) * rows * width);
    build_batch(f, c, T, true);
    model_forward(f->m, &f->batch, false, 3, 17, NULL);
    features = model_head_inputs(f->m, &rows, &width);
    const int C = width / 4;
    bool only_difference_negated = rows == B;
    for (int r = 0; r < rows; r++)
        for (int k = 0; k < C; k++) {
            const real *a = before + (size_t)r * width, *b = features + (size_t)r * width;
            only_difference_negated &= a[k] == b[C + k] && a[C + k] == b[k] && a[2 * C + k] == b[2 * C + k] &&
                                       a[3 * C + k] == -b[3 * C + k];
        }
    test_check(only_difference_negated, "swapping the documents of each pair changes only the sign of u-v",
               "%s: another feature changed", c->label);
    free(before);
}

/* A score-position kind with a mechanism that forms no scores is a config error naming
 * model.positional; so are randomized positions over a range shorter than a sequence. */
static void check_refused_positions(void) {
    model_config config = {.layers = 1, .dim = 4, .heads = 1, .mlp_dim = 4, .head_mlp_dim = 4, .embedding_std = 1,
                           .positional = POSITIONAL_ALIBI, .max_position = 4};
    const mechanism_ops *performer = mechanism_find("performer");
    strcpy(config.attention.kind, "performer");
    opt_set_defaults(&config.attention.options, performer->options, performer->n_options);
    task_info info = {.vocab_size = VOCAB, .n_classes = K, .max_length = MAX_LEN, .max_outputs = 1, .pad_token = PAD,
                      .cls_token = CLS, .output = TASK_OUTPUT_CLASS, .version = "test"};
    model *m = NULL;
    error_info err = {0};
    int status = model_create(&m, &config, &info, B, 1, &err);
    test_check(status != 0 && err.status == EXIT_USAGE && strstr(err.message, "model.positional") != NULL,
               "ALiBi with performer is refused", "status %d: %s", status, err.message);
    model_free(m);
    strcpy(config.attention.kind, "full");
    config.attention.options.n = 0;
    config.positional = POSITIONAL_ROPE;
    config.randomized_positions = true;
    err = (error_info){0};
    status = model_create(&m, &config, &info, B, 1, &err);
    test_check(status != 0 && strstr(err.message, "model.max_position") != NULL,
               "randomized positions need max_position ≥ the longest sequence", "status %d: %s", status, err.message);
    model_free(m);
}

int main(void) {
    for (size_t ci = 0; ci < sizeof cases / sizeof cases[0]; ci++) {
        const model_case *c = &cases[ci];
        printf("-- %s\n", c->label);
        model_config config = {
            .layers = c->layers, .dim = c->dim, .heads = c->heads, .mlp_dim = c->mlp, .head_mlp_dim = 5,
            .qkv_dim = c->qkv_dim,
            .dropout = c->dropout, .attention_dropout = c->attention_dropout,
            .pooling = c->pooling, .positional = c->positional,
            .attention_bias = !c->chomsky_style, .embedding_std = 1, .embedding_scale = c->chomsky_style,
            .norm = c->chomsky_style ? NORM_POST : NORM_PRE,
            .activation = c->chomsky_style ? ACTIVATION_RELU : ACTIVATION_GELU,
            .head = c->chomsky_style ? HEAD_LINEAR : HEAD_MLP,
        };
        config.randomized_positions = c->randomized;
        config.reverse_positions = c->reverse;
        config.max_position = 24;
        const mechanism_ops *mechanism = test_mechanism_find(c->mechanism ? c->mechanism : "full");
        strcpy(config.attention.kind, mechanism->name);
        opt_set_defaults(&config.attention.options, mechanism->options, mechanism->n_options);
        for (int i = 0; i < config.attention.options.n; i++)
            if (c->window && strcmp(config.attention.options.values[i].spec->name, "window") == 0)
                config.attention.options.values[i].i = c->window;
        /* One position of slack beyond the longest example, to test padding. */
        task_info info = {.vocab_size = VOCAB, .n_classes = K, .max_length = MAX_LEN + 1,
                          .max_outputs = c->output == TASK_OUTPUT_SEQUENCE ? MAX_OUT : 1, .pad_token = PAD,
                          .cls_token = CLS, .output = c->output, .version = "test"};
        fixture f = {0};
        error_info err = {0};
        if (model_create(&f.m, &config, &info, B, 42, &err) != 0) {
            test_check(false, "model_create", "%s", err.message);
            continue;
        }
        build_batch(&f, c, model_uses_cls(f.m) ? MAX_LEN + 1 : MAX_LEN, false);
        f.weights = malloc(sizeof(real) * B * MAX_OUT * K);
        gradcheck_fill(f.weights, B * MAX_OUT * K, 3, 1.0);
        f.cross_entropy = false;
        check_all_tensors(&f, c->label);
        f.cross_entropy = true;
        check_all_tensors(&f, c->label);
        check_padding_invariance(&f, c);
        if (c->output == TASK_OUTPUT_PAIR) check_pair_swap(&f, c);
        free(f.weights);
        model_free(f.m);
    }
    check_refused_positions();
    return test_finish("test_model");
}
