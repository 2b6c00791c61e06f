/* test_attention.c — every registered mechanism (and the test-only ones of
 * tests/support/test_mechanisms.h) with its default options, and the option sets listed below, in double precision, on awkward shapes: finite-difference
 * gradients of all inputs and parameters (loss = Σ out ⊙ R), the padding contract
 * (padded queries output exactly zero and get zero gradient, an all-padding sequence
 * gives zeros and no NaN), backward twice = twice the gradient, determinism, padding
 * invariance (extra padded positions change nothing), and, for full attention,
 * agreement with the naive dense reference. The calls place a CLS token at position 0
 * (the model's default). Each sparse mechanism's agreement with its explicit mask is
 * in test_sparse_attention. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attention_reference.h"
#include "gradcheck.h"
#include "mechanism_options.h"
#include "mechanisms/mechanism.h"
#include "test_mechanisms.h"
#include "testing.h"

typedef struct shape_case {
    const char *label;
    int B, NH, T, hs;
    int32_t lengths[4];
    double dropout;
} shape_case;

static const shape_case cases[] = {
    {"odd T, mixed padding, an empty sequence", 3, 2, 7, 4, {7, 4, 0}, 0},
    {"one head, no padding", 1, 1, 5, 3, {5}, 0},
    {"many heads, a length-1 sequence", 2, 4, 9, 2, {9, 1}, 0},
    {"attention dropout 0.25", 2, 2, 6, 4, {6, 3}, 0.25},
};

/* Option sets beyond the defaults, chosen so that the small shapes above exercise
 * the patterns (the defaults cover these shapes whole). */
typedef struct variant {
    const char *mechanism;
    const char *options;
} variant;

static const variant variants[] = {
    {"local", "window=1"},
    {"local", "blocked=true;block=3"},
    {"longformer", "window=3;global_tokens=[4]"},
    {"longformer", "window=2;dilation=[2];global_cls=false;global_tokens=[1, 2]"},
    {"longformer", "window=4;global_projections=false"},
    {"bigbird", "block=1;random_blocks=1"},
    {"bigbird", "block=1;random_blocks=0"},
};

typedef struct harness {
    const mechanism_ops *ops;
    void *state;
    int n_inputs;
    attention_call call;
    size_t tensor; /* B·NH·T·hs */
    attention_sizes sizes;
    real *params, *inputs, *out, *saved, *scratch, *weights, *dinputs, *dparams;
} harness;

static void *zalloc(size_t n) {
    void *p = calloc(n ? n : 1, sizeof(real));
    if (!p) abort();
    return p;
}

static int harness_init(harness *h, const mechanism_ops *ops, const char *option_text, const shape_case *c,
                        int T) {
    memset(h, 0, sizeof *h);
    h->ops = ops;
    opt_set options;
    test_mechanism_options(ops, option_text, &options);
    attention_geometry geometry = {.heads = c->NH, .head_size = c->hs, .max_tokens = T, .layers = 1, .global_token = 0};
    error_info err = {0};
    if (ops->init(&h->state, &options, &geometry, &h->n_inputs, &err) != 0) {
        test_check(false, "mechanism init", "%s: %s", ops->name, err.message);
        return -1;
    }
    attention_shape shape = {c->B, c->NH, T, c->hs};
    h->call = (attention_call){
        .shape = shape, .lengths = c->lengths, .layer = 0, .training = c->dropout > 0, .step = 7, .seed = 1234,
        .dropout = (real)c->dropout, .dropout_key = 99
    };
    h->tensor = (size_t)c->B * c->NH * T * c->hs;
    h->sizes = ops->sizes(h->state, shape);
    h->params = zalloc(h->sizes.params);
    h->dparams = zalloc(h->sizes.params);
    h->saved = zalloc(h->sizes.saved);
    h->scratch = zalloc(h->sizes.scratch);
    h->inputs = zalloc(h->n_inputs * h->tensor);
    h->dinputs = zalloc(h->n_inputs * h->tensor);
    h->out = zalloc(h->tensor);
    h->weights = zalloc(h->tensor);
    rng r;
    rng_seed(&r, 5);
    if (ops->init_params) ops->init_params(h->state, h->params, &r);
    return 0;
}

static void harness_free(harness *h) {
    if (h->ops->free) h->ops->free(h->state);
    free(h->params), free(h->dparams), free(h->saved), free(h->scratch);
    free(h->inputs), free(h->dinputs), free(h->out), free(h->weights);
}

static double loss_of(void *ctx) {
    harness *h = ctx;
    h->ops->forward(h->state, &h->call, h->params, h->inputs, h->out, h->saved, h->scratch);
    return gradcheck_weighted_sum(h->out, h->weights, h->tensor);
}

static void backward(harness *h) {
    h->ops->forward(h->state, &h->call, h->params, h->inputs, h->out, h->saved, h->scratch);
    h->ops->backward(h->state, &h->call, h->params, h->inputs, h->out, h->weights, h->saved, h->dinputs,
                     h->dparams, h->scratch);
}

/* Element (b, h, t, c) of a (B, NH, T, hs) tensor. */
static size_t at(const attention_shape *s, int b, int h, int t, int c) {
    return (((size_t)b * s->NH + h) * s->T + t) * s->hs + c;
}

static void check_padding_contract(harness *h, const shape_case *c, const char *name) {
    const attention_shape *s = &h->call.shape;
    bool out_zero = true, grad_zero = true, finite = true;
    for (int b = 0; b < c->B; b++)
        for (int hd = 0; hd < c->NH; hd++)
            for (int t = 0; t < s->T; t++)
                for (int k = 0; k < c->hs; k++) {
                    const size_t i = at(s, b, hd, t, k);
                    if (!isfinite(h->out[i])) finite = false;
                    if (t >= c->lengths[b] && h->out[i] != 0) out_zero = false;
                    for (int p = 0; p < h->n_inputs; p++) {
                        const real g = h->dinputs[p * h->tensor + i];
                        if (!isfinite(g)) finite = false;
                        if (t >= c->lengths[b] && g != 0) grad_zero = false;
                    }
                }
    test_check(finite, "outputs and gradients are finite", "%s / %s", name, c->label);
    test_check(out_zero, "padded queries output exactly zero", "%s / %s", name, c->label);
    test_check(grad_zero, "padded positions get exactly zero gradient", "%s / %s", name, c->label);
}

static void check_against_reference(harness *h, const shape_case *c) {
    const attention_shape *s = &h->call.shape;
    const int T = s->T, hs = s->hs;
    uint8_t *allowed = malloc((size_t)T * T);
    real *ref_out = zalloc((size_t)T * hs);
    real *ref_d = zalloc(3 * (size_t)T * hs);
    double worst_out = 0, worst_grad = 0;
    for (int b = 0; b < c->B; b++) {
        reference_padding_mask(allowed, T, c->lengths[b]);
        for (int hd = 0; hd < c->NH; hd++) {
            const size_t off = at(s, b, hd, 0, 0);
            const real *q = h->inputs + off, *k = h->inputs + h->tensor + off, *v = h->inputs + 2 * h->tensor + off;
            memset(ref_d, 0, sizeof(real) * 3 * T * hs);
            reference_attention_forward(ref_out, q, k, v, allowed, T, hs);
            reference_attention_backward(ref_d, ref_d + T * hs, ref_d + 2 * T * hs, h->weights + off, q, k, v,
                                         allowed, T, hs);
            for (int i = 0; i < T * hs; i++) {
                worst_out = fmax(worst_out, fabs((double)h->out[off + i] - ref_out[i]));
                for (int p = 0; p < 3; p++)
                    worst_grad = fmax(worst_grad, fabs((double)h->dinputs[p * h->tensor + off + i] - ref_d[p * T * hs + i]));
            }
        }
    }
    test_check(worst_out < 1e-12, "output equals the naive dense reference", "%s: max diff %.3g", c->label, worst_out);
    test_check(worst_grad < 1e-12, "dQ, dK, dV equal the naive dense reference", "%s: max diff %.3g", c->label,
               worst_grad);
    free(allowed), free(ref_out), free(ref_d);
}

static void check_mechanism_case(const mechanism_ops *ops, const char *option_text, const shape_case *c) {
    harness h;
    if (harness_init(&h, ops, option_text, c, c->T) != 0) return;
    char label[160];
    snprintf(label, sizeof label, "%s {%s}", ops->name, option_text ? option_text : "defaults");
    printf("-- %s: %s (B=%d NH=%d T=%d hs=%d)\n", label, c->label, c->B, c->NH, c->T, c->hs);
    gradcheck_fill(h.inputs, h.n_inputs * h.tensor, 11, 1.5);
    gradcheck_fill(h.weights, h.tensor, 12, 1.0);
    backward(&h);
    check_padding_contract(&h, c, label);
    if (strcmp(ops->name, "full") == 0 && c->dropout == 0) check_against_reference(&h, c);

    /* Finite differences on every input and parameter. */
    real *analytic = zalloc(h.n_inputs * h.tensor);
    memcpy(analytic, h.dinputs, sizeof(real) * h.n_inputs * h.tensor);
    char name[400];
    snprintf(name, sizeof name, "%s inputs, %s", label, c->label);
    gradcheck_compare(name, h.inputs, analytic, h.n_inputs * h.tensor, loss_of, &h, 1e-6, 1e-6);
    real *analytic_params = zalloc(h.sizes.params);
    memcpy(analytic_params, h.dparams, sizeof(real) * h.sizes.params);
    if (h.sizes.params) {
        snprintf(name, sizeof name, "%s parameters, %s", label, c->label);
        gradcheck_compare(name, h.params, analytic_params, h.sizes.params, loss_of, &h, 1e-6, 1e-6);
    }

    /* A second backward into the same buffers doubles them exactly. */
    backward(&h);
    bool doubled = true;
    for (size_t i = 0; i < h.n_inputs * h.tensor; i++)
        if (h.dinputs[i] != 2 * analytic[i]) doubled = false;
    test_check(doubled, "backward twice gives exactly twice the input gradient", "%s / %s", label, c->label);
    if (h.sizes.params) {
        doubled = true;
        for (size_t i = 0; i < h.sizes.params; i++)
            if (h.dparams[i] != 2 * analytic_params[i]) doubled = false;
        test_check(doubled, "backward twice gives exactly twice the parameter gradient", "%s / %s: %zu parameters",
                   label, c->label, h.sizes.params);
    }
    free(analytic_params);

    /* Same inputs and seeds, same output bit for bit. */
    real *first = zalloc(h.tensor);
    loss_of(&h);
    memcpy(first, h.out, sizeof(real) * h.tensor);
    loss_of(&h);
    test_check(memcmp(first, h.out, sizeof(real) * h.tensor) == 0, "forward is deterministic", "%s / %s",
               label, c->label);

    /* Padding invariance: the same sequences inside a longer padded tensor. */
    harness wide;
    const int extra = 3;
    if (harness_init(&wide, ops, option_text, c, c->T + extra) == 0) {
        const attention_shape *s = &h.call.shape, *ws = &wide.call.shape;
        gradcheck_fill(wide.inputs, wide.n_inputs * wide.tensor, 77, 3.0); /* junk in the padding */
        for (int p = 0; p < h.n_inputs; p++)
            for (int b = 0; b < c->B; b++)
                for (int hd = 0; hd < c->NH; hd++)
                    for (int t = 0; t < c->lengths[b]; t++)
                        memcpy(wide.inputs + p * wide.tensor + at(ws, b, hd, t, 0),
                               h.inputs + p * h.tensor + at(s, b, hd, t, 0), sizeof(real) * c->hs);
        wide.ops->forward(wide.state, &wide.call, wide.params, wide.inputs, wide.out, wide.saved, wide.scratch);
        double worst = 0;
        for (int b = 0; b < c->B; b++)
            for (int hd = 0; hd < c->NH; hd++)
                for (int t = 0; t < c->lengths[b]; t++)
                    for (int k = 0; k < c->hs; k++)
                        worst = fmax(worst, fabs((double)wide.out[at(ws, b, hd, t, k)] - first[at(s, b, hd, t, k)]));
        test_check(worst < 1e-12, "appending padded positions changes no real output",
                   "%s / %s: max diff %.3g", label, c->label, worst);
        harness_free(&wide);
    }
    free(first);
    free(analytic);
    harness_free(&h);
}

int main(void) {
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int m = 0; m < test_mechanism_count(); m++) check_mechanism_case(test_mechanism_at(m), NULL, &cases[c]);
        for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
            const mechanism_ops *ops = mechanism_find(variants[v].mechanism);
            if (test_check(ops != NULL, "variant's mechanism is registered", "%s", variants[v].mechanism))
                check_mechanism_case(ops, variants[v].options, &cases[c]);
        }
    }
    return test_finish("test_attention");
}
