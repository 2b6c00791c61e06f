/* dropout.c — inverted dropout whose mask is a pure function of (key, index).
 *
 * Element i is kept iff rng_uniform_at(key, i) ≥ p and then scaled by 1/(1 − p), so
 * the expected output equals the input. The backward regenerates the same mask from
 * the key instead of storing it: no mask memory, and a differentiable function of
 * the input for a fixed key. */
#include "nn/nn.h"

#include <string.h>

#include "core/check.h"
#include "core/parallel.h"
#include "core/rng.h"

/* out may be the same buffer as inp (in-place dropout on the residual stream). */
void dropout_forward(real *out, const real *inp, size_t n, real p, uint64_t key) {
    CHECK(p >= 0 && p < 1);
    if (p == 0) {
        if (out != inp) memcpy(out, inp, n * sizeof *out);
        return;
    }
    const double threshold = p;
    const real scale = (real)(1.0 / (1.0 - threshold));
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN_WORK)
    for (size_t i = 0; i < n; i++) out[i] = rng_uniform_at(key, i) >= threshold ? inp[i] * scale : 0;
}

void dropout_backward(real *restrict dinp, const real *restrict dout, size_t n, real p,
                      uint64_t key) {
    CHECK(p >= 0 && p < 1);
    if (p == 0) {
        for (size_t i = 0; i < n; i++) dinp[i] += dout[i];
        return;
    }
    const double threshold = p;
    const real scale = (real)(1.0 / (1.0 - threshold));
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN_WORK)
    for (size_t i = 0; i < n; i++) dinp[i] += rng_uniform_at(key, i) >= threshold ? dout[i] * scale : 0;
}
