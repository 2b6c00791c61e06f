/* linear.c — the fully connected layer, out = inp · weight + bias, through BLAS.
 *
 * The forward is one gemm: the bias is broadcast into out first and the product is
 * added with beta = 1, so there is no second pass. The backward is two gemms
 * (dinp += dout · weightᵀ, dweight += inpᵀ · dout) and a column sum of dout for
 * dbias. The column sum runs over N = B·T rows, thousands of them, so it is
 * accumulated in double, a block of columns at a time in a stack buffer, and added to
 * dbias once per column.
 *
 * The rows of out and dinp, and the columns of dweight and dbias, are cut into pieces
 * of fixed size, one BLAS call each, spread over the OpenMP threads; the pieces do not
 * depend on the thread count, so neither do the results. */
#include "nn/nn.h"

#include <stdbool.h>
#include <string.h>

#include "core/blas.h"
#include "core/check.h"
#include "core/parallel.h"

enum { COLUMN_BLOCK = 256 }; /* columns summed at once in the stack accumulator */

/* sum (width) += Σ_n x (N, width) for a slice of the columns of x (row stride C). */
static void column_sum_add(real *restrict sum, const real *restrict x, int N, int C, int width) {
    double acc[COLUMN_BLOCK];
    for (int c0 = 0; c0 < width; c0 += COLUMN_BLOCK) {
        const int w = width - c0 < COLUMN_BLOCK ? width - c0 : COLUMN_BLOCK;
        for (int j = 0; j < w; j++) acc[j] = 0;
        for (int n = 0; n < N; n++) {
            const real *restrict row = x + (size_t)n * C + c0;
            for (int j = 0; j < w; j++) acc[j] += row[j];
        }
        for (int j = 0; j < w; j++) sum[c0 + j] += (real)acc[j];
    }
}

/* Pieces of fixed size, whatever the thread count: BLAS may round a row differently
 * in a call with another number of rows, so the split must not depend on threads. */
enum { ROW_PIECE = 512, COLUMN_PIECE = 128 };

static int pieces(int n, int piece) { return (n + piece - 1) / piece; }

void linear_forward(real *out, const real *inp, const real *weight, const real *bias, int N,
                    int IC, int OC) {
    CHECK(N >= 0 && IC > 0 && OC > 0);
    const bool parallel = (size_t)N * OC * IC >= PARALLEL_MIN_WORK;
#pragma omp parallel for schedule(static) if (parallel)
    for (int piece = 0; piece < pieces(N, ROW_PIECE); piece++) {
        const int n0 = piece * ROW_PIECE, rows = N - n0 < ROW_PIECE ? N - n0 : ROW_PIECE;
        real beta = 0;
        if (bias) {
            for (int n = n0; n < n0 + rows; n++) memcpy(out + (size_t)n * OC, bias, (size_t)OC * sizeof *out);
            beta = 1;
        }
        /* out (rows, OC) = inp (rows, IC) · weight (IC, OC) + beta · out */
        blas_gemm(false, false, rows, OC, IC, 1, inp + (size_t)n0 * IC, IC, weight, OC, beta,
                  out + (size_t)n0 * OC, OC);
    }
}

void linear_backward(real *dinp, real *dweight, real *dbias, const real *dout, const real *inp,
                     const real *weight, int N, int IC, int OC) {
    CHECK(N >= 0 && IC > 0 && OC > 0);
    if (N == 0) return;
    const bool parallel = (size_t)N * OC * IC >= PARALLEL_MIN_WORK;
    if (dinp) {
#pragma omp parallel for schedule(static) if (parallel)
        for (int piece = 0; piece < pieces(N, ROW_PIECE); piece++) {
            const int n0 = piece * ROW_PIECE, rows = N - n0 < ROW_PIECE ? N - n0 : ROW_PIECE;
            /* dinp (rows, IC) += dout (rows, OC) · weightᵀ (OC, IC) */
            blas_gemm(false, true, rows, IC, OC, 1, dout + (size_t)n0 * OC, OC, weight, OC, 1,
                      dinp + (size_t)n0 * IC, IC);
        }
    }
#pragma omp parallel for schedule(static) if (parallel)
    for (int piece = 0; piece < pieces(OC, COLUMN_PIECE); piece++) {
        const int c0 = piece * COLUMN_PIECE, cols = OC - c0 < COLUMN_PIECE ? OC - c0 : COLUMN_PIECE;
        /* dweight (IC, cols) += inpᵀ (IC, N) · dout (N, cols) */
        if (dweight) blas_gemm(true, false, IC, cols, N, 1, inp, IC, dout + c0, OC, 1, dweight + c0, OC);
        if (dbias) column_sum_add(dbias + c0, dout + c0, N, OC, cols);
    }
}
