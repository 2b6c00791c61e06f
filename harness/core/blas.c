/* blas.c — OpenBLAS wrappers (see blas.h). */
#include "core/blas.h"

#include <cblas.h>
#include <stdio.h>

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

void blas_set_threads(int threads) { openblas_set_num_threads(threads); }

int blas_threads(void) { return openblas_get_num_threads(); }

const char *blas_describe(void) {
    static char text[256];
    snprintf(text, sizeof text, "%s; core %s", openblas_get_config(), openblas_get_corename());
    return text;
}
