/* test_model_shapes.c — every model shape a config can ask for is built, never aborted.
 *
 * The grid: layers 1–24 × every positional encoding the config accepts × projection
 * biases on and off × pre- and post-LN, each with a mechanism taken in turn from the
 * registered and test-only ones (test_mechanisms.h) that support the encoding, pooling
 * and head alternating. Each model must be created, list exactly the tensors its config
 * implies (counted here from the config, not from the model's layout), with unique
 * names, contiguous offsets and sizes that add up to the parameter count, agree with
 * model_measure, and give a finite loss on a tiny padded batch. Then the limits: the
 * deepest model the schema allows, 256 heads of size 1 with Longformer, windows whose
 * reach passes INT_MAX, and models that must be refused with the key at fault (a
 * relative-position table or a batch larger than may be allocated). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_schema.h"
#include "mechanism_options.h"
#include "model/model.h"
#include "nn/position.h"
#include "test_mechanisms.h"
#include "testing.h"

enum { GRID_LAYERS = 24, B = 2, MAX_LEN = 10, K = 3, VOCAB = 7, PAD = 0, CLS = 1 };

static const task_info task = {.vocab_size = VOCAB, .n_classes = K, .max_length = MAX_LEN, .max_outputs = 1,
                               .pad_token = PAD, .cls_token = CLS, .output = TASK_OUTPUT_CLASS, .version = "test"};

/* The schema's defaults, a small width, then the shape under test. */
static model_config small_config(int layers, int positional, bool bias, int norm, const mechanism_ops *ops,
                                 const char *options) {
    model_config c;
    memset(&c, 0, sizeof c);
    config_section_defaults(&config_model_section, &c);
    c.layers = layers;
    c.dim = 8;
    c.heads = 2;
    c.qkv_dim = 8;
    c.mlp_dim = 8;
    c.head_mlp_dim = 6;
    c.positional = positional;
    c.attention_bias = bias;
    c.norm = norm;
    c.pooling = layers % 2 ? POOLING_CLS : POOLING_MEAN;
    c.head = layers % 3 ? HEAD_MLP : HEAD_LINEAR;
    snprintf(c.attention.kind, sizeof c.attention.kind, "%s", ops->name);
    test_mechanism_options(ops, options, &c.attention.options);
    return c;
}

typedef struct expected {
    int tensors;
    size_t params;
} expected;

/* What the config implies (the data flow in model.c's header); the mechanism is asked
 * only for its inputs per head and its parameters per layer. */
static expected expected_of(const mechanism_ops *ops, const model_config *c) {
    const int hs = c->qkv_dim / c->heads, tokens = MAX_LEN + (c->pooling == POOLING_CLS);
    const attention_geometry geometry = {.heads = c->heads, .head_size = hs, .max_tokens = tokens,
                                         .layers = c->layers, .global_token = 0, .positional = c->positional,
                                         .max_position = tokens + 1};
    void *state = NULL;
    int n_inputs = 0;
    error_info err = {0};
    if (ops->init(&state, &c->attention.options, &geometry, &n_inputs, &err) != 0) return (expected){0};
    const size_t attn = ops->sizes(state, (attention_shape){B, c->heads, tokens, hs}).params;
    if (ops->free) ops->free(state);

    const size_t C = (size_t)c->dim, Q = (size_t)c->qkv_dim, M = (size_t)c->mlp_dim, H = (size_t)c->head_mlp_dim;
    const size_t P = (size_t)n_inputs, bias = c->attention_bias;
    const size_t rows = c->randomized_positions ? (size_t)c->max_position : (size_t)tokens + 1;
    const size_t position = position_bias_params(c->positional, c->heads, hs);
    expected e = {.tensors = 1, .params = VOCAB * C}; /* token embedding */
    if (c->positional == POSITIONAL_LEARNED) e.tensors++, e.params += rows * C;
    /* ln1 (2), qkv (1 + bias), attention, position bias, proj (1 + bias), ln2 (2), fc1 (2), fc2 (2) */
    e.tensors += c->layers * (10 + 2 * (int)bias + (attn > 0) + (position > 0));
    e.params += c->layers * (2 * C + C * P * Q + bias * P * Q + attn + position + Q * C + bias * C + 2 * C + C * M +
                             M + M * C + C);
    if (c->norm == NORM_PRE) e.tensors += 2, e.params += 2 * C;
    if (c->head == HEAD_MLP) e.tensors += 4, e.params += C * H + H + H * K + K;
    else e.tensors += 2, e.params += C * K + K;
    return e;
}

static void set_why(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_why(char *why, size_t size, const char *fmt, ...) {
    if (why[0]) return; /* the first failure is the one reported */
    va_list args;
    va_start(args, fmt);
    vsnprintf(why, size, fmt, args);
    va_end(args);
}

/* The tensor table against what the config implies. */
static void check_table(const model *m, expected e, char *why, size_t size) {
    const int n = model_tensor_count(m);
    size_t offset = 0;
    for (int i = 0; i < n; i++) {
        const model_tensor t = model_tensor_at(m, i);
        if (t.offset != offset) set_why(why, size, "%s starts at %zu, not %zu", t.name, t.offset, offset);
        if (t.size == 0 || t.name[0] == '\0') set_why(why, size, "tensor %d (\"%s\") is empty", i, t.name);
        offset += t.size;
        for (int j = 0; j < i; j++)
            if (strcmp(model_tensor_at(m, j).name, t.name) == 0) set_why(why, size, "%s is listed twice", t.name);
    }
    if (n != e.tensors) set_why(why, size, "%d tensors, expected %d", n, e.tensors);
    if (offset != model_param_count(m))
        set_why(why, size, "sizes add up to %zu, the model has %zu parameters", offset, model_param_count(m));
    if (offset != e.params) set_why(why, size, "%zu parameters, expected %zu", offset, e.params);
}

/* A training forward over B padded sequences; returns the loss. */
static double forward_once(model *m) {
    const int T = model_max_tokens(m);
    int32_t tokens[B * (MAX_LEN + 1)], lengths[B] = {T, T - 4}, targets[B] = {1, 2}, n_outputs[B] = {1, 1};
    uint8_t mask[B] = {1, 1};
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
            tokens[b * T + t] = t >= lengths[b]                  ? PAD
                                : model_uses_cls(m) && t == 0 ? CLS
                                                              : 2 + (b + 3 * t) % (VOCAB - 2);
    const model_batch batch = {B, T, tokens, lengths, targets, mask, n_outputs};
    model_stats stats;
    model_forward(m, &batch, true, 1, 5, &stats);
    return stats.loss;
}

/* Build, measure and run one config; why stays "" when everything holds. */
static void build_and_check(const mechanism_ops *ops, const model_config *c, bool check_counts, char *why,
                            size_t size) {
    model *m = NULL;
    error_info err = {0};
    if (model_create(&m, c, &task, B, 1, &err) != 0) {
        set_why(why, size, "model_create: %s", err.message);
        return;
    }
    if (check_counts) check_table(m, expected_of(ops, c), why, size);
    model_footprint f;
    if (model_measure(&f, c, &task, B, 0, &err) != 0) set_why(why, size, "model_measure: %s", err.message);
    else if (f.tensors != model_tensor_count(m) || f.params != model_param_count(m) || f.bytes < model_bytes(m))
        set_why(why, size, "model_measure says %d tensors, %zu parameters, %zu bytes; the model has %d, %zu, %zu",
                f.tensors, f.params, f.bytes, model_tensor_count(m), model_param_count(m), model_bytes(m));
    const double loss = forward_once(m);
    if (!isfinite(loss)) set_why(why, size, "loss %g", loss);
    model_free(m);
}

/* The n-th mechanism after `start` (in test_mechanism_at order) that takes this encoding. */
static const mechanism_ops *mechanism_for(int start, int positional) {
    for (int i = 0; i < test_mechanism_count(); i++) {
        const mechanism_ops *ops = test_mechanism_at((start + i) % test_mechanism_count());
        if (ops->position_scores || !position_kind_scores(positional)) return ops;
    }
    return NULL;
}

static int count_choices(const char *choices) {
    int n = 1;
    for (const char *p = choices; *p; p++) n += *p == '|';
    return n;
}

static void check_grid(void) {
    const int kinds = count_choices(config_field_find(&config_model_section, "positional")->spec.choices);
    int built = 0, turn = 0;
    int *uses = calloc((size_t)test_mechanism_count(), sizeof *uses);
    for (int layers = 1; layers <= GRID_LAYERS; layers++)
        for (int positional = 0; positional < kinds; positional++)
            for (int bias = 0; bias <= 1; bias++)
                for (int norm = NORM_PRE; norm <= NORM_POST; norm++) {
                    const mechanism_ops *ops = mechanism_for(turn++, positional);
                    for (int i = 0; i < test_mechanism_count(); i++) uses[i] += test_mechanism_at(i) == ops;
                    const model_config c = small_config(layers, positional, bias, norm, ops, NULL);
                    char why[512] = "", what[160];
                    build_and_check(ops, &c, true, why, sizeof why);
                    snprintf(what, sizeof what, "layers %2d, %-10s, bias %-3s, %s-LN, %-13s: built as the config implies",
                             layers, config_positional_name(positional), bias ? "on" : "off",
                             norm == NORM_PRE ? "pre" : "post", ops->name);
                    built += test_check(why[0] == '\0', what, "%s", why);
                }
    char what[128];
    snprintf(what, sizeof what, "%d of %d models of the grid built", built, GRID_LAYERS * kinds * 4);
    test_check(built == GRID_LAYERS * kinds * 4, what, "some failed (above)");
    for (int i = 0; i < test_mechanism_count(); i++) {
        snprintf(what, sizeof what, "%s is in the grid (%d models)", test_mechanism_at(i)->name, uses[i]);
        test_check(uses[i] > 0, what, "no model of the grid uses it");
    }
    free(uses);
}

/* The edges of the schema's bounds still build (and run) or are refused cleanly. */
static void check_limits(void) {
    const config_field *layers = config_field_find(&config_model_section, "layers");
    const mechanism_ops *full = mechanism_find("full"), *longformer = mechanism_find("longformer");
    char why[512] = "";
    model_config c = small_config((int)layers->spec.max, POSITIONAL_T5, true, NORM_PRE, full, NULL);
    build_and_check(full, &c, true, why, sizeof why);
    test_check(why[0] == '\0', "the deepest model the schema allows builds and runs", "layers %d: %s", c.layers, why);

    why[0] = '\0';
    c = small_config(2, POSITIONAL_RELATIVE, true, NORM_POST, longformer, "dilation=[3];global_tokens=[2, 5]");
    c.dim = c.qkv_dim = c.heads = 256; /* more heads than an option list holds, of size 1 */
    build_and_check(longformer, &c, false, why, sizeof why);
    test_check(why[0] == '\0', "256 heads of size 1 with Longformer and relative attention", "%s", why);

    why[0] = '\0';
    c = small_config(1, POSITIONAL_ALIBI, false, NORM_PRE, longformer, "window=1048576;dilation=[4096]");
    build_and_check(longformer, &c, false, why, sizeof why);
    test_check(why[0] == '\0', "a Longformer window whose reach passes INT_MAX", "%s", why);

    model_footprint f;
    error_info err = {0};
    c = small_config(1, POSITIONAL_RELATIVE, true, NORM_PRE, full, NULL);
    c.randomized_positions = true;
    c.max_position = 1 << 20;
    c.dim = c.qkv_dim = 512;
    int status = model_measure(&f, &c, &task, B, 64 << 20, &err);
    test_check(status != 0 && err.status == EXIT_USAGE && strncmp(err.message, "model.max_position:", 19) == 0,
               "a relative table over 2^20 positions is refused within 64 MB, naming model.max_position",
               "status %d: %s", status, err.message);

    err = (error_info){0};
    task_info longest = task;
    longest.max_length = 1000000;
    c = small_config(1, POSITIONAL_NONE, true, NORM_PRE, full, NULL);
    status = model_measure(&f, &c, &longest, 65536, 0, &err);
    test_check(status != 0 && err.status == EXIT_USAGE && strncmp(err.message, "train.batch_size:", 17) == 0,
               "65536 examples of a million tokens are refused, naming train.batch_size", "status %d: %s", status,
               err.message);
}

int main(void) {
    check_grid();
    check_limits();
    return test_finish("test_model_shapes");
}
