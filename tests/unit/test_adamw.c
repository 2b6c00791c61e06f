/* test_adamw.c — the AdamW step and the global gradient norm, in float (the precision
 * training runs in): one step against hand-computed values, the size of the first
 * bias-corrected step, decoupled weight decay, convergence on a quadratic, and the
 * norm of known vectors. */
#include <math.h>
#include <stdlib.h>

#include "core/check.h"
#include "nn/nn.h"
#include "testing.h"

/* One step (step 3) from known moments; expected values worked out by hand:
 * m' = β1 m + (1−β1) g, v' = β2 v + (1−β2) g², p' = p − lr (m'/(1−β1³) / (√(v'/(1−β2³)) + eps)
 * + wd p) with β1 = 0.9, β2 = 0.999, eps = 1e-8, lr = 0.01, wd = 0.1. */
static void test_known_step(void) {
    real param[3] = {0.5f, -1.25f, 2.0f};
    const real grad[3] = {0.2f, -0.75f, 0.0f};
    real m[3] = {0.01f, -0.05f, 0.03f};
    real v[3] = {0.001f, 0.02f, 0.004f};
    adamw_update(param, grad, m, v, 3, 0.01, 0.9, 0.999, 1e-8, 0.1, 3);
    static const double expected_m[3] = {0.029, -0.12, 0.027};
    static const double expected_v[3] = {0.001039, 0.0205425, 0.003996};
    static const double expected_param[3] = {0.49768254205712925, -1.2470586684524483,
                                              1.9971371701254357};
    for (int i = 0; i < 3; i++) {
        /* float precision: a few parts in 1e8 of each moment */
        test_near(m[i], expected_m[i], 1e-6 * expected_m[i] * (expected_m[i] < 0 ? -1 : 1),
                  "adamw step 3 element %d: m", i);
        test_near(v[i], expected_v[i], 1e-6 * expected_v[i], "adamw step 3 element %d: v", i);
        test_near(param[i], expected_param[i], 1e-6, "adamw step 3 element %d: param", i);
    }
}

/* At step 1 from zero moments, m̂ = g and v̂ = g², so every parameter moves by lr against
 * the sign of its gradient, whatever the gradient's size. */
static void test_first_step(void) {
    enum { N = 6 };
    const real grad[N] = {3.0f, -0.001f, 1e4f, -7.0f, 1e-6f, -250.0f};
    real param[N], m[N] = {0}, v[N] = {0};
    for (int i = 0; i < N; i++) param[i] = 1.0f;
    const double lr = 0.01;
    adamw_update(param, grad, m, v, N, lr, 0.9, 0.999, 1e-12, 0, 1);
    for (int i = 0; i < N; i++)
        test_near(param[i], 1.0 - (grad[i] > 0 ? lr : -lr), 1e-6,
                  "adamw step 1, gradient %g: param moves by lr = %g", (double)grad[i], lr);
}

/* With zero gradient and zero moments only the decoupled decay acts:
 * param −= lr · wd · param. */
static void test_weight_decay(void) {
    real param[2] = {2.0f, -0.5f};
    const real grad[2] = {0, 0};
    real m[2] = {0}, v[2] = {0};
    adamw_update(param, grad, m, v, 2, 0.1, 0.9, 0.999, 1e-8, 0.5, 5);
    test_near(param[0], 2.0 - 0.1 * 0.5 * 2.0, 1e-7, "adamw weight decay on 2.0, lr 0.1, wd 0.5");
    test_near(param[1], -0.5 + 0.1 * 0.5 * 0.5, 1e-7, "adamw weight decay on -0.5, lr 0.1, wd 0.5");
}

/* Minimise Σ a_i (x_i − c_i)² from 0 with a learning rate decayed linearly to 0. */
static void test_quadratic(void) {
    enum { N = 4, STEPS = 2000 };
    const double a[N] = {1, 10, 0.1, 3}, c[N] = {1, -2, 0.5, 3};
    real x[N] = {0}, grad[N], m[N] = {0}, v[N] = {0};
    for (int step = 1; step <= STEPS; step++) {
        for (int i = 0; i < N; i++) grad[i] = (real)(2 * a[i] * (x[i] - c[i]));
        const double lr = 0.05 * (double)(STEPS - step + 1) / STEPS;
        adamw_update(x, grad, m, v, N, lr, 0.9, 0.999, 1e-8, 0, step);
    }
    for (int i = 0; i < N; i++)
        test_near(x[i], c[i], 1e-4, "adamw minimises a_%d (x - %g)^2 after %d steps", i, c[i], STEPS);
}

static void test_global_norm(void) {
    const real small[5] = {3, 0, -4, 0, 0};
    test_near(grad_global_norm(small, 5), 5, 0, "grad_global_norm (3, 0, -4, 0, 0)");
    test_near(grad_global_norm(small, 0), 0, 0, "grad_global_norm of no values");
    /* A million equal terms: a float accumulator would stall long before the end. */
    const size_t n = 1000000;
    real *many = malloc(n * sizeof *many);
    CHECK(many != NULL);
    for (size_t i = 0; i < n; i++) many[i] = 1e-3f;
    const double expected = 1000.0 * (double)1e-3f;
    test_near(grad_global_norm(many, n), expected, 1e-9 * expected,
              "grad_global_norm of 1e6 copies of 1e-3 (accumulated in double)");
    free(many);
}

int main(void) {
    test_known_step();
    test_first_step();
    test_weight_decay();
    test_quadratic();
    test_global_norm();
    return test_finish("test_adamw");
}
