/* blas.c — OpenBLAS wrappers (see blas.h). */
#include "core/blas.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/timer.h"

void blas_gemm(bool trans_a, bool trans_b, int m, int n, int k, real alpha, const real *a,
               int lda, const real *b, int ldb, real beta, real *c, int ldc) {
#ifdef ATTNBENCH_DOUBLE
    cblas_dgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
#else
    cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans,
                m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
#endif
}

double blas_time_sgemm(int n) {
    const size_t count = (size_t)n * n;
    float *a = malloc(sizeof(float) * count), *b = malloc(sizeof(float) * count), *c = malloc(sizeof(float) * count);
    double best = 0;
    if (a && b && c) {
        for (size_t i = 0; i < count; i++) a[i] = (float)(i % 7) / 7, b[i] = (float)(i % 11) / 11;
        /* Products for a second first: an idle CPU (or virtual machine) takes that long
         * to reach its working clock, and the yardstick must not be measured below it. */
        const double warm_until = timer_now() + 1;
        do cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
        while (timer_now() < warm_until);
        for (int i = 0; i < 3; i++) {
            const double start = timer_now();
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
            const double seconds = timer_now() - start;
            if (best == 0 || seconds < best) best = seconds;
        }
    }
    free(a), free(b), free(c);
    return best;
}

void blas_set_threads(int threads) { openblas_set_num_threads(threads); }

int blas_threads(void) { return openblas_get_num_threads(); }

const char *blas_describe(void) {
    static char text[256];
    snprintf(text, sizeof text, "%s; core %s", openblas_get_config(), openblas_get_corename());
    return text;
}
