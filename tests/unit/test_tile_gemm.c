/* test_tile_gemm.c — tile_gemm (the float attention-tile product) against a naive
 * product in double, for every combination of transposes, on shapes that do and do
 * not fill its 6-row × 16-column blocks (m 1…13 and 64, n 1…17, 31, 33 and 64, k 0, 1,
 * 3, 16 and 64), alpha 1 and 0.25, beta 0 (C holding NaN, which must not be read) and 1,
 * with leading dimensions wider than the operands: every element of C within 1e-6 of
 * the double product relative to Σ|a||b|, and the padding around C left untouched. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"
#include "core/tile_gemm.h"
#include "testing.h"

enum { PAD = 3 }; /* extra columns in every leading dimension */

static void fill(real *x, size_t n, rng *r) {
    for (size_t i = 0; i < n; i++) x[i] = (real)(2 * rng_uniform(r) - 1);
}

typedef struct product {
    bool trans_a, trans_b;
    int m, n, k;
    real alpha, beta;
} product;

/* Largest |C − exact| / (Σ|a||b| + |beta·C0|) over C, and whether the padding kept its sentinel. */
static double check_product(const product *p, rng *r, bool *padding_intact) {
    const int a_rows = p->trans_a ? p->k : p->m, a_cols = p->trans_a ? p->m : p->k;
    const int b_rows = p->trans_b ? p->n : p->k, b_cols = p->trans_b ? p->k : p->n;
    const int lda = a_cols + PAD, ldb = b_cols + PAD, ldc = p->n + PAD;
    real *a = malloc(sizeof(real) * ((size_t)a_rows * lda + 1)), *b = malloc(sizeof(real) * ((size_t)b_rows * ldb + 1));
    real *c = malloc(sizeof(real) * (size_t)p->m * ldc), *c0 = malloc(sizeof(real) * (size_t)p->m * ldc);
    fill(a, (size_t)a_rows * lda + 1, r);
    fill(b, (size_t)b_rows * ldb + 1, r);
    const real sentinel = 12345;
    for (int i = 0; i < p->m; i++)
        for (int j = 0; j < ldc; j++)
            c[(size_t)i * ldc + j] = j >= p->n ? sentinel : p->beta == 0 ? NAN : (real)(2 * rng_uniform(r) - 1);
    memcpy(c0, c, sizeof(real) * (size_t)p->m * ldc);
    tile_gemm(p->trans_a, p->trans_b, p->m, p->n, p->k, p->alpha, a, lda, b, ldb, p->beta, c, ldc);
    double worst = 0;
    *padding_intact = true;
    for (int i = 0; i < p->m; i++)
        for (int j = 0; j < ldc; j++) {
            const real got = c[(size_t)i * ldc + j];
            if (j >= p->n) {
                *padding_intact &= got == sentinel;
                continue;
            }
            double exact = 0, magnitude = 0;
            for (int q = 0; q < p->k; q++) {
                const double x = p->trans_a ? a[(size_t)q * lda + i] : a[(size_t)i * lda + q];
                const double y = p->trans_b ? b[(size_t)j * ldb + q] : b[(size_t)q * ldb + j];
                exact += x * y;
                magnitude += fabs(x * y);
            }
            exact *= p->alpha;
            magnitude *= fabs(p->alpha);
            if (p->beta != 0) {
                exact += (double)p->beta * c0[(size_t)i * ldc + j];
                magnitude += fabs((double)p->beta * c0[(size_t)i * ldc + j]);
            }
            const double error = isfinite(got) ? fabs(got - exact) / (magnitude + 1e-30) : INFINITY;
            worst = fmax(worst, p->k == 0 && p->beta == 0 ? fabs(got) : error);
        }
    free(a), free(b), free(c), free(c0);
    return worst;
}

int main(void) {
    printf("tile_gemm uses %s on this machine\n", tile_gemm_native() ? "its AVX2 kernel" : "BLAS");
    static const int ms[] = {1, 2, 3, 4, 5, 6, 7, 11, 13, 64};
    static const int ns[] = {1, 2, 5, 7, 8, 9, 15, 16, 17, 31, 33, 64};
    static const int ks[] = {0, 1, 3, 16, 64};
    rng r;
    rng_seed(&r, 7);
    int products = 0, failures = 0;
    double worst = 0;
    for (int t = 0; t < 4; t++)
        for (size_t mi = 0; mi < sizeof ms / sizeof *ms; mi++)
            for (size_t ni = 0; ni < sizeof ns / sizeof *ns; ni++)
                for (size_t ki = 0; ki < sizeof ks / sizeof *ks; ki++)
                    for (int variant = 0; variant < 2; variant++) {
                        const product p = {.trans_a = t & 1, .trans_b = t & 2, .m = ms[mi], .n = ns[ni],
                                           .k = ks[ki], .alpha = variant ? 0.25f : 1, .beta = (real)variant};
                        bool intact;
                        const double error = check_product(&p, &r, &intact);
                        products++;
                        worst = fmax(worst, error);
                        if (error <= 1e-6 && intact) continue;
                        if (failures++ < 10)
                            test_check(false, "one product", "trans_a %d trans_b %d m %d n %d k %d alpha %g beta %g: "
                                       "relative error %.3g, padding %s", p.trans_a, p.trans_b, p.m, p.n, p.k,
                                       (double)p.alpha, (double)p.beta, error, intact ? "intact" : "overwritten");
                    }
    test_check(failures == 0, "every product within 1e-6 of the double product, padding untouched",
               "%d of %d products failed", failures, products);
    printf("%d products, largest relative error %.3g\n", products, worst);
    return test_finish("test_tile_gemm");
}
