/* bench_attention.c — a mechanism's forward + backward timed alone (see
 * bench_attention.h). */
#include "model/bench_attention.h"

#include <stdlib.h>

#include "core/rng.h"
#include "core/timer.h"
#include "mechanisms/mechanism.h"

/* Every buffer of one call; NULL members when an allocation failed. */
typedef struct buffers {
    real *params, *dparams, *inputs, *dinputs, *out, *dout, *saved, *scratch;
    int32_t *lengths;
} buffers;

static real *random_reals(size_t n, rng *r) {
    real *x = malloc(sizeof(real) * (n ? n : 1));
    if (x)
        for (size_t i = 0; i < n; i++) x[i] = (real)rng_normal(r);
    return x;
}

static bool buffers_alloc(buffers *b, const mechanism_ops *ops, const void *state, attention_shape shape,
                          int n_inputs) {
    const attention_sizes sizes = ops->sizes(state, shape);
    const size_t tensor = (size_t)shape.B * shape.NH * shape.T * shape.hs;
    rng r;
    rng_seed(&r, rng_key(0, (uint64_t)shape.B, (uint64_t)shape.T, (uint64_t)shape.hs));
    b->params = random_reals(sizes.params, &r);
    if (b->params && ops->init_params) ops->init_params(state, b->params, &r);
    b->dparams = calloc(sizes.params ? sizes.params : 1, sizeof(real));
    b->inputs = random_reals(tensor * (size_t)n_inputs, &r);
    b->dinputs = calloc(tensor * (size_t)n_inputs, sizeof(real));
    b->out = calloc(tensor, sizeof(real));
    b->dout = random_reals(tensor, &r);
    b->saved = calloc(sizes.saved ? sizes.saved : 1, sizeof(real));
    b->scratch = calloc(sizes.scratch ? sizes.scratch : 1, sizeof(real));
    b->lengths = malloc(sizeof(int32_t) * (size_t)shape.B);
    if (b->lengths)
        for (int i = 0; i < shape.B; i++) b->lengths[i] = shape.T;
    return b->params && b->dparams && b->inputs && b->dinputs && b->out && b->dout && b->saved && b->scratch &&
           b->lengths;
}

static void buffers_free(buffers *b) {
    free(b->params), free(b->dparams), free(b->inputs), free(b->dinputs), free(b->out), free(b->dout);
    free(b->saved), free(b->scratch), free(b->lengths);
}

double bench_attention_seconds(const model_config *config, int B, int T, int repeats) {
    const mechanism_ops *ops = mechanism_find(config->attention.kind);
    const int qkv = config->qkv_dim ? config->qkv_dim : config->dim, hs = qkv / config->heads;
    const attention_geometry geometry = {.heads = config->heads, .head_size = hs, .max_tokens = T,
                                         .layers = config->layers, .global_token = 0,
                                         .positional = config->positional, .max_position = T + 1};
    void *state = NULL;
    int n_inputs = 0;
    error_info err = {0};
    if (!ops || ops->init(&state, &config->attention.options, &geometry, &n_inputs, &err) != 0) return 0;
    const attention_shape shape = {B, config->heads, T, hs};
    buffers b = {0};
    double seconds = 0;
    double *times = malloc(sizeof(double) * (size_t)(repeats > 0 ? repeats : 1));
    if (times && repeats > 0 && buffers_alloc(&b, ops, state, shape, n_inputs)) {
        const attention_call call = {.shape = shape, .lengths = b.lengths, .training = true, .seed = 1};
        for (int i = 0; i <= repeats; i++) { /* i = 0 is the warm-up */
            const double start = timer_now();
            ops->forward(state, &call, b.params, b.inputs, b.out, b.saved, b.scratch);
            ops->backward(state, &call, b.params, b.inputs, b.out, b.dout, b.saved, b.dinputs, b.dparams, b.scratch);
            if (i > 0) times[i - 1] = timer_now() - start;
        }
        seconds = timer_median(times, repeats) * config->layers;
    }
    free(times);
    buffers_free(&b);
    if (ops->free) ops->free(state);
    return seconds;
}
