/* layernorm.c — layer normalisation over the C channels of each row.
 *
 * The forward takes the row mean and variance in double (two passes over a row that
 * sits in cache: the two-pass variance does not cancel the way Σx² − (Σx)² does) and
 * saves mean and rstd (N) for the backward. The backward needs two row sums for dinp,
 * again in double, and column sums over all N rows for dweight and dbias; those are
 * accumulated in double, a block of columns at a time in a stack buffer, and added to
 * the gradients once, so that a second backward call adds exactly the same amount. */
#include "nn/nn.h"

#include <math.h>

#include "core/check.h"
#include "core/parallel.h"

enum { COLUMN_BLOCK = 256 }; /* columns accumulated at once in the stack buffers */

static const double layernorm_eps = 1e-5;

void layernorm_forward(real *restrict out, real *restrict mean, real *restrict rstd,
                       const real *restrict inp, const real *restrict weight,
                       const real *restrict bias, int N, int C) {
    CHECK(N >= 0 && C > 0);
#pragma omp parallel for schedule(static) if ((size_t)N * C >= PARALLEL_MIN_WORK)
    for (int n = 0; n < N; n++) {
        const real *restrict x = inp + (size_t)n * C;
        real *restrict y = out + (size_t)n * C;
        double sum = 0;
        for (int c = 0; c < C; c++) sum += x[c];
        const double m = sum / C;
        double squares = 0;
        for (int c = 0; c < C; c++) {
            const double d = x[c] - m;
            squares += d * d;
        }
        const real mr = (real)m;
        const real sr = (real)(1.0 / sqrt(squares / C + layernorm_eps));
        for (int c = 0; c < C; c++) y[c] = (x[c] - mr) * sr * weight[c] + bias[c];
        mean[n] = mr;
        rstd[n] = sr;
    }
}

/* dx (C) += rstd · (g − mean(g) − x̂ · mean(g · x̂)) with g = weight · dy, x̂ the
 * normalised input. */
static void layernorm_row_dinp(real *restrict dx, const real *restrict dy,
                               const real *restrict x, const real *restrict weight, real m,
                               real s, int C) {
    double g_sum = 0, gx_sum = 0;
    for (int c = 0; c < C; c++) {
        const double g = (double)weight[c] * dy[c];
        g_sum += g;
        gx_sum += g * ((x[c] - m) * s);
    }
    const real g_mean = (real)(g_sum / C), gx_mean = (real)(gx_sum / C);
    for (int c = 0; c < C; c++) {
        const real xhat = (x[c] - m) * s;
        dx[c] += (weight[c] * dy[c] - g_mean - xhat * gx_mean) * s;
    }
}

/* dweight, dbias (columns c0..c1) += Σ_n x̂ · dy, Σ_n dy, in double. */
static void layernorm_column_sums(real *dweight, real *dbias, const real *dout, const real *inp,
                                  const real *mean, const real *rstd, int N, int C, int c0, int c1) {
    double acc_weight[COLUMN_BLOCK], acc_bias[COLUMN_BLOCK];
    for (int b0 = c0; b0 < c1; b0 += COLUMN_BLOCK) {
        const int w = c1 - b0 < COLUMN_BLOCK ? c1 - b0 : COLUMN_BLOCK;
        for (int j = 0; j < w; j++) acc_weight[j] = acc_bias[j] = 0;
        for (int n = 0; n < N; n++) {
            const real *restrict x = inp + (size_t)n * C + b0;
            const real *restrict dy = dout + (size_t)n * C + b0;
            const real m = mean[n], s = rstd[n];
            for (int j = 0; j < w; j++) {
                acc_weight[j] += (double)((x[j] - m) * s) * dy[j];
                acc_bias[j] += dy[j];
            }
        }
        if (dweight)
            for (int j = 0; j < w; j++) dweight[b0 + j] += (real)acc_weight[j];
        if (dbias)
            for (int j = 0; j < w; j++) dbias[b0 + j] += (real)acc_bias[j];
    }
}

/* Rows for dinp and column slices for dweight and dbias are split over threads; each
 * value is summed in the same order on any number of threads. */
void layernorm_backward(real *dinp, real *dweight, real *dbias, const real *dout, const real *inp,
                        const real *weight, const real *mean, const real *rstd, int N, int C) {
    CHECK(N >= 0 && C > 0);
    const int parts = (size_t)N * C < PARALLEL_MIN_WORK ? 1 : parallel_threads();
#pragma omp parallel for schedule(static) if (parts > 1)
    for (int part = 0; part < parts; part++) {
        int n0, n1, c0, c1;
        parallel_range(N, parts, part, &n0, &n1);
        parallel_range(C, parts, part, &c0, &c1);
        if (dinp)
            for (int n = n0; n < n1; n++)
                layernorm_row_dinp(dinp + (size_t)n * C, dout + (size_t)n * C, inp + (size_t)n * C, weight,
                                   mean[n], rstd[n], C);
        if ((dweight || dbias) && c1 > c0)
            layernorm_column_sums(dweight, dbias, dout, inp, mean, rstd, N, C, c0, c1);
    }
}
