/* test_mechanism_threads.c — every registered mechanism and test-only one
 * (test_mechanisms.h; defaults, and option sets that make the sparse patterns bite at
 * this length) gives bit-identical outputs, input gradients and parameter gradients on
 * one thread and on two, in the float build that trains, with a shape
 * large enough that the (batch, head) loop really runs on several threads, mixed
 * lengths and attention dropout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/parallel.h"
#include "core/rng.h"
#include "mechanism_options.h"
#include "mechanisms/mechanism.h"
#include "test_mechanisms.h"
#include "testing.h"

enum { B = 4, NH = 4, T = 160, HS = 16 };

typedef struct variant {
    const char *mechanism, *options;
} variant;

static const variant extra[] = {
    {"local", "window=8"},
    {"local", "blocked=true;block=24"},
    {"longformer", "window=16;dilation=[1, 2, 1, 3];global_tokens=[5, 99]"},
    {"bigbird", "block=8;random_blocks=2"},
};

static void *zalloc(size_t n) {
    void *p = calloc(n ? n : 1, sizeof(real));
    if (!p) abort();
    return p;
}

/* Forward and backward on `threads` threads; returns out, then dinputs, then dparams. */
static real *run_on(const mechanism_ops *ops, const char *options, int threads, size_t *n_result) {
    parallel_set_threads(threads);
    opt_set set;
    test_mechanism_options(ops, options, &set);
    const attention_geometry geometry = {.heads = NH, .head_size = HS, .max_tokens = T, .layers = 2, .global_token = 0};
    void *state;
    int n_inputs;
    error_info err = {0};
    if (ops->init(&state, &set, &geometry, &n_inputs, &err) != 0) abort();
    static const int32_t lengths[B] = {160, 97, 131, 3};
    const attention_call call = {.shape = {B, NH, T, HS}, .lengths = lengths, .layer = 1, .training = true,
                                 .step = 11, .seed = 5, .dropout = 0.1f, .dropout_key = 77};
    const attention_sizes sizes = ops->sizes(state, call.shape);
    const size_t tensor = (size_t)B * NH * T * HS;
    real *params = zalloc(sizes.params), *dparams = zalloc(sizes.params), *saved = zalloc(sizes.saved);
    real *scratch = zalloc(sizes.scratch), *inputs = zalloc(n_inputs * tensor), *dout = zalloc(tensor);
    real *result = zalloc((1 + n_inputs) * tensor + sizes.params);
    rng r;
    rng_seed(&r, 3);
    if (ops->init_params) ops->init_params(state, params, &r);
    for (size_t i = 0; i < n_inputs * tensor; i++) inputs[i] = (real)(rng_uniform(&r) * 2 - 1);
    for (size_t i = 0; i < tensor; i++) dout[i] = (real)(rng_uniform(&r) * 2 - 1);
    ops->forward(state, &call, params, inputs, result, saved, scratch);
    ops->backward(state, &call, params, inputs, result, dout, saved, result + tensor, dparams, scratch);
    memcpy(result + (1 + n_inputs) * tensor, dparams, sizeof(real) * sizes.params);
    *n_result = (1 + n_inputs) * tensor + sizes.params;
    if (ops->free) ops->free(state);
    free(params), free(dparams), free(saved), free(scratch), free(inputs), free(dout);
    return result;
}

static void check(const mechanism_ops *ops, const char *options) {
    size_t n1, n2;
    real *one = run_on(ops, options, 1, &n1);
    real *two = run_on(ops, options, 2, &n2);
    test_check(n1 == n2 && memcmp(one, two, sizeof(real) * n1) == 0,
               "one thread and two give the same output and gradients, bit for bit", "%s {%s}: %zu and %zu reals",
               ops->name, options ? options : "defaults", n1, n2);
    free(one);
    free(two);
}

int main(void) {
    for (int m = 0; m < test_mechanism_count(); m++) check(test_mechanism_at(m), NULL);
    for (size_t v = 0; v < sizeof extra / sizeof extra[0]; v++) check(mechanism_find(extra[v].mechanism), extra[v].options);
    return test_finish("test_mechanism_threads");
}
