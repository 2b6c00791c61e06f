/* tile_gemm.h — matrix products of attention-tile size, without BLAS call overhead.
 *
 * Attention's inner loops multiply tiles of 64 rows by head sizes of 16 to 64: a few
 * hundred thousand flops per product, where OpenBLAS spends as long packing, scaling
 * C and locking as multiplying. tile_gemm takes blas_gemm's arguments and, in the float
 * build on a CPU with AVX2 and FMA, runs a register-blocked kernel (6 rows × 16 columns
 * of C in registers, A broadcast element by element, B read row by row; a transposed B
 * is first copied into a per-thread buffer). Elsewhere (the double build, older CPUs,
 * products too large for the buffer) it is blas_gemm. Results are deterministic on one
 * machine; the AVX2 kernel rounds differently from BLAS (its own summation order). */
#ifndef ATTNBENCH_TILE_GEMM_H
#define ATTNBENCH_TILE_GEMM_H

#include <stdbool.h>

#include "core/real.h"

/* C (m×n) = alpha · op(A) · op(B) + beta · C, row-major; op(A) is m×k, op(B) is k×n.
 * The same contract as blas_gemm. */
void tile_gemm(bool trans_a, bool trans_b, int m, int n, int k, real alpha, const real *a, int lda, const real *b,
               int ldb, real beta, real *c, int ldc);

/* Whether tile_gemm uses its own kernel on this machine (false: every call is BLAS). */
bool tile_gemm_native(void);

#endif
