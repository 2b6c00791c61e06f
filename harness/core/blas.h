/* blas.h — the only door to OpenBLAS.
 *
 * Row-major matrix products on `real` (sgemm in the float build, dgemm in the double
 * build), and the BLAS thread count, which is recorded with every result. */
#ifndef ATTNBENCH_BLAS_H
#define ATTNBENCH_BLAS_H

#include <stdbool.h>

#include "core/real.h"

/* C (m×n) = alpha · op(A) · op(B) + beta · C, row-major; op(A) is m×k, op(B) is k×n. */
void blas_gemm(bool trans_a, bool trans_b, int m, int n, int k, real alpha, const real *a,
               int lda, const real *b, int ldb, real beta, real *c, int ldc);

/* Seconds of the fastest of three single-precision n×n products (after a second of
 * warm-up products) with the current BLAS threads: the machine's yardstick for GFLOP/s.
 * 0 when the matrices cannot be allocated. */
double blas_time_sgemm(int n);

void blas_set_threads(int threads);
int blas_threads(void);
/* "OpenBLAS 0.3.21 ... Haswell" style description of the library and its kernel. */
const char *blas_describe(void);

#endif
