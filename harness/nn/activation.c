/* activation.c — elementwise nonlinearities: exact GELU (the MLP) and ReLU (the
 * classifier head). The backward recomputes from the saved input, so nothing else
 * is stored. */
#include "nn/nn.h"

#include <math.h>

#include "core/parallel.h"

static const real inv_sqrt2 = (real)0.70710678118654752440;    /* 1/√2 */
static const real inv_sqrt_2pi = (real)0.39894228040143267794; /* 1/√(2π) */

/* GELU(x) = x · Φ(x), Φ(x) = ½ (1 + erf(x/√2)). */
void gelu_forward(real *restrict out, const real *restrict inp, size_t n) {
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN_WORK)
    for (size_t i = 0; i < n; i++) {
        const real x = inp[i];
        out[i] = (real)0.5 * x * (1 + REAL_ERF(x * inv_sqrt2));
    }
}

/* GELU'(x) = Φ(x) + x · φ(x), φ(x) = exp(−x²/2) / √(2π). */
void gelu_backward(real *restrict dinp, const real *restrict inp, const real *restrict dout,
                   size_t n) {
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN_WORK)
    for (size_t i = 0; i < n; i++) {
        const real x = inp[i];
        const real cdf = (real)0.5 * (1 + REAL_ERF(x * inv_sqrt2));
        const real pdf = REAL_EXP((real)-0.5 * x * x) * inv_sqrt_2pi;
        dinp[i] += dout[i] * (cdf + x * pdf);
    }
}

void relu_forward(real *restrict out, const real *restrict inp, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = inp[i] > 0 ? inp[i] : 0;
}

/* The derivative at exactly 0 is taken as 0. */
void relu_backward(real *restrict dinp, const real *restrict inp, const real *restrict dout,
                   size_t n) {
    for (size_t i = 0; i < n; i++) dinp[i] += inp[i] > 0 ? dout[i] : 0;
}
