/* activation.c — elementwise nonlinearities: exact GELU (the MLP; eight lanes at a time,
 * core/vecmath.h) and ReLU (the classifier head). The backward recomputes from the saved
 * input, so nothing else is stored. */
#include "nn/nn.h"

#include "core/parallel.h"
#include "core/vecmath.h"

/* Elements per OpenMP work item: eight-lane kernels run on long contiguous pieces. */
#define GELU_CHUNK 4096

static int chunk_length(size_t start, size_t n) { return (int)(n - start < GELU_CHUNK ? n - start : GELU_CHUNK); }

/* GELU(x) = x · Φ(x), Φ(x) = ½ (1 + erf(x/√2)). */
void gelu_forward(real *restrict out, const real *restrict inp, size_t n) {
    const size_t chunks = (n + GELU_CHUNK - 1) / GELU_CHUNK;
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN_WORK)
    for (size_t c = 0; c < chunks; c++) {
        const size_t start = c * GELU_CHUNK;
        vec_gelu(out + start, inp + start, chunk_length(start, n));
    }
}

/* GELU'(x) = Φ(x) + x · φ(x), φ(x) = exp(−x²/2) / √(2π). */
void gelu_backward(real *restrict dinp, const real *restrict inp, const real *restrict dout,
                   size_t n) {
    const size_t chunks = (n + GELU_CHUNK - 1) / GELU_CHUNK;
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN_WORK)
    for (size_t c = 0; c < chunks; c++) {
        const size_t start = c * GELU_CHUNK;
        vec_gelu_backward(dinp + start, inp + start, dout + start, chunk_length(start, n));
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
