/* linear.c — the fully connected layer, out = inp · weight + bias, through BLAS.
 *
 * The forward is one gemm: the bias is broadcast into out first and the product is
 * added with beta = 1, so there is no second pass. The backward is two gemms
 * (dinp += dout · weightᵀ, dweight += inpᵀ · dout) and a column sum of dout for
 * dbias. The column sum runs over N = B·T rows, thousands of them, so it is
 * accumulated in double, a block of columns at a time in a stack buffer, and added to
 * dbias once per column. */
#include "nn/nn.h"

#include <string.h>

#include "core/blas.h"
#include "core/check.h"

enum { COLUMN_BLOCK = 256 }; /* columns summed at once in the stack accumulator */

/* sum (C) += Σ_n x (N, C), in double. */
static void column_sum_add(real *restrict sum, const real *restrict x, int N, int C) {
    double acc[COLUMN_BLOCK];
    for (int c0 = 0; c0 < C; c0 += COLUMN_BLOCK) {
        const int w = C - c0 < COLUMN_BLOCK ? C - c0 : COLUMN_BLOCK;
        for (int j = 0; j < w; j++) acc[j] = 0;
        for (int n = 0; n < N; n++) {
            const real *restrict row = x + (size_t)n * C + c0;
            for (int j = 0; j < w; j++) acc[j] += row[j];
        }
        for (int j = 0; j < w; j++) sum[c0 + j] += (real)acc[j];
    }
}

void linear_forward(real *out, const real *inp, const real *weight, const real *bias, int N,
                    int IC, int OC) {
    CHECK(N >= 0 && IC > 0 && OC > 0);
    if (N == 0) return;
    real beta = 0;
    if (bias) {
        for (int n = 0; n < N; n++) memcpy(out + (size_t)n * OC, bias, (size_t)OC * sizeof *out);
        beta = 1;
    }
    /* out (N, OC) = inp (N, IC) · weight (IC, OC) + beta · out */
    blas_gemm(false, false, N, OC, IC, 1, inp, IC, weight, OC, beta, out, OC);
}

void linear_backward(real *dinp, real *dweight, real *dbias, const real *dout, const real *inp,
                     const real *weight, int N, int IC, int OC) {
    CHECK(N >= 0 && IC > 0 && OC > 0);
    if (N == 0) return;
    /* dinp (N, IC) += dout (N, OC) · weightᵀ (OC, IC) */
    if (dinp) blas_gemm(false, true, N, IC, OC, 1, dout, OC, weight, OC, 1, dinp, IC);
    /* dweight (IC, OC) += inpᵀ (IC, N) · dout (N, OC) */
    if (dweight) blas_gemm(true, false, IC, OC, N, 1, inp, IC, dout, OC, 1, dweight, OC);
    if (dbias) column_sum_add(dbias, dout, N, OC);
}
