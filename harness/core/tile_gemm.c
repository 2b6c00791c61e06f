/* tile_gemm.c — attention-tile matrix products (see tile_gemm.h).
 *
 * The kernel keeps a block of up to 6 rows × 16 columns of C in twelve AVX registers
 * and walks k: two loads of a row of B, six broadcasts of A's column, twelve FMAs.
 * Column blocks of 8, and a masked block for the last n mod 8 columns, handle the
 * remaining widths; row counts 1 to 6 are separate instances, so every accumulator
 * stays in a register. A is read through two strides, which covers op(A) = A and Aᵀ
 * without a copy. The summation order over k is fixed, so the result does not depend
 * on where the product sits in memory or on the thread that runs it. */
#include "core/tile_gemm.h"

#include <stddef.h>

#include "core/blas.h"

#if !defined(ATTNBENCH_DOUBLE) && defined(__x86_64__)
#define TILE_GEMM_AVX2 1
#include <immintrin.h>
#endif

#ifdef TILE_GEMM_AVX2

#define TARGET __attribute__((target("avx2,fma")))
#define INLINE __attribute__((always_inline)) inline
#define MAX_ROWS 6
#define PACK_MAX (256 * 64) /* floats of a transposed B the per-thread buffer holds */

bool tile_gemm_native(void) {
    static int native = -1; /* decided once; every thread computes the same answer */
    if (native < 0) native = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return native;
}

/* How a block reads its operands and writes its result. */
typedef struct operands {
    const float *a;
    ptrdiff_t a_rs, a_ks; /* A(r, p) = a[r·a_rs + p·a_ks] */
    const float *b;
    ptrdiff_t ldb; /* B(p, j) = b[p·ldb + j] */
    float *c;
    ptrdiff_t ldc;
    int k;
    float alpha, beta;
} operands;

/* C block = alpha · acc + beta · C, for one vector of 8 columns (masked or not). */
TARGET static INLINE void store_vector(float *c, __m256 acc, float alpha, float beta, bool masked, __m256i mask) {
    __m256 out = _mm256_mul_ps(acc, _mm256_set1_ps(alpha));
    if (beta != 0) {
        const __m256 old = masked ? _mm256_maskload_ps(c, mask) : _mm256_loadu_ps(c);
        out = _mm256_add_ps(out, _mm256_mul_ps(old, _mm256_set1_ps(beta)));
    }
    if (masked) _mm256_maskstore_ps(c, mask, out);
    else _mm256_storeu_ps(c, out);
}

/* rows × (8 · vectors) block of C at column offset col; the last vector masked when
 * `masked`. rows, vectors and masked are constants in every instance. */
TARGET static INLINE void block(const operands *o, int row, int col, const int rows, const int vectors,
                                const bool masked, __m256i mask) {
    __m256 acc[MAX_ROWS][2];
#pragma GCC unroll 6
    for (int r = 0; r < rows; r++)
#pragma GCC unroll 6
        for (int v = 0; v < vectors; v++) acc[r][v] = _mm256_setzero_ps();
    const float *a = o->a + row * o->a_rs, *b = o->b + col;
    const ptrdiff_t a_rs = o->a_rs, a_ks = o->a_ks, ldb = o->ldb;
    const int k = o->k;
    for (int p = 0; p < k; p++, a += a_ks, b += ldb) {
        __m256 bv[2];
#pragma GCC unroll 6
        for (int v = 0; v < vectors; v++)
            bv[v] = masked && v == vectors - 1 ? _mm256_maskload_ps(b + 8 * v, mask) : _mm256_loadu_ps(b + 8 * v);
#pragma GCC unroll 6
        for (int r = 0; r < rows; r++) {
            const __m256 x = _mm256_broadcast_ss(a + r * a_rs);
#pragma GCC unroll 6
            for (int v = 0; v < vectors; v++) acc[r][v] = _mm256_fmadd_ps(x, bv[v], acc[r][v]);
        }
    }
#pragma GCC unroll 6
    for (int r = 0; r < rows; r++) {
        float *c = o->c + (row + r) * o->ldc + col;
#pragma GCC unroll 6
        for (int v = 0; v < vectors; v++)
            store_vector(c + 8 * v, acc[r][v], o->alpha, o->beta, masked && v == vectors - 1, mask);
    }
}

/* One column block across rows [row, row + rows), rows ≤ MAX_ROWS. */
#define BLOCK_ROWS(vectors, masked)                                                                  \
    switch (rows) {                                                                                  \
    case 6: block(o, row, col, 6, vectors, masked, mask); break;                                     \
    case 5: block(o, row, col, 5, vectors, masked, mask); break;                                     \
    case 4: block(o, row, col, 4, vectors, masked, mask); break;                                     \
    case 3: block(o, row, col, 3, vectors, masked, mask); break;                                     \
    case 2: block(o, row, col, 2, vectors, masked, mask); break;                                     \
    default: block(o, row, col, 1, vectors, masked, mask); break;                                    \
    }

TARGET static void column_block16(const operands *o, int row, int rows, int col) {
    const __m256i mask = _mm256_set1_epi32(-1);
    BLOCK_ROWS(2, false)
}

TARGET static void column_block8(const operands *o, int row, int rows, int col) {
    const __m256i mask = _mm256_set1_epi32(-1);
    BLOCK_ROWS(1, false)
}

TARGET static void column_block_tail(const operands *o, int row, int rows, int col, int width) {
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(width), lanes);
    BLOCK_ROWS(1, true)
}

TARGET static void native_gemm(const operands *o, int m, int n) {
    for (int row = 0; row < m; row += MAX_ROWS) {
        const int rows = m - row < MAX_ROWS ? m - row : MAX_ROWS;
        int col = 0;
        for (; col + 16 <= n; col += 16) column_block16(o, row, rows, col);
        if (col + 8 <= n) {
            column_block8(o, row, rows, col);
            col += 8;
        }
        if (col < n) column_block_tail(o, row, rows, col, n - col);
    }
}

void tile_gemm(bool trans_a, bool trans_b, int m, int n, int k, real alpha, const real *a, int lda, const real *b,
               int ldb, real beta, real *c, int ldc) {
    static _Thread_local float packed[PACK_MAX];
    if (!tile_gemm_native() || (trans_b && (size_t)k * n > PACK_MAX)) {
        blas_gemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    if (m <= 0 || n <= 0) return;
    if (trans_b) { /* B is stored n×k: copy it k×n */
        for (int j = 0; j < n; j++)
            for (int p = 0; p < k; p++) packed[(size_t)p * n + j] = b[(size_t)j * ldb + p];
        b = packed;
        ldb = n;
    }
    const operands o = {.a = a,
                        .a_rs = trans_a ? 1 : lda,
                        .a_ks = trans_a ? lda : 1,
                        .b = b,
                        .ldb = ldb,
                        .c = c,
                        .ldc = ldc,
                        .k = k,
                        .alpha = alpha,
                        .beta = beta};
    native_gemm(&o, m, n);
}

#else

bool tile_gemm_native(void) { return false; }

void tile_gemm(bool trans_a, bool trans_b, int m, int n, int k, real alpha, const real *a, int lda, const real *b,
               int ldb, real beta, real *c, int ldc) {
    blas_gemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

#endif
