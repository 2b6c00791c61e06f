/* test_vecmath.c — the float softmax kernels against libm in double: vec_exp_sum's
 * relative error over the whole range that does not underflow, its sum, its ragged
 * ends, what it gives below the range, the same bits from its plain x86-64 instance as
 * from the one this CPU runs, and vec_max / vec_scale on odd lengths. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/vecmath.h"
#include "testing.h"

enum { N = 200003 }; /* odd, so the ragged end is exercised */

int main(void) {
    real *x = malloc(sizeof(real) * N);
    double worst = 0;
    for (int i = 0; i < N; i++) x[i] = (real)(-87.25 + 175.5 * i / (N - 1)); /* [−87.25, 88.25] */
    real *y = malloc(sizeof(real) * N);
    for (int i = 0; i < N; i++) y[i] = x[i];
    vec_exp_sum(y, 0, N);
    for (int i = 0; i < N; i++) worst = fmax(worst, fabs(y[i] - exp((double)x[i])) / exp((double)x[i]));
    printf("max relative error of exp over [-87.25, 88.25]: %.3g\n", worst);
    test_check(worst < 2e-7, "vec_exp_sum within 2e-7 relative of exp", "max relative error %.3g", worst);

    /* A softmax row: x − max ≤ 0, the shift subtracted in float as the kernel does. */
    const real shift = 2.5f;
    double exact_sum = 0;
    for (int i = 0; i < N; i++) {
        x[i] = (real)(-80.0 + 82.5 * i / (N - 1));
        y[i] = x[i];
        exact_sum += exp((double)(real)(x[i] - shift));
    }
    const double sum = vec_exp_sum(y, shift, N);
    test_check(fabs(sum - exact_sum) / exact_sum < 1e-6, "vec_exp_sum returns the sum of a softmax row",
               "%.9g vs %.9g", sum, exact_sum);

    for (int n = 1; n <= 9; n++) { /* every ragged length, and nothing written past n */
        real row[12] = {0};
        for (int i = 0; i < 12; i++) row[i] = (real)(i - 3);
        vec_exp_sum(row, 0, n);
        bool ok = true;
        for (int i = 0; i < 12; i++) {
            const double expected = i < n ? exp(i - 3.0) : i - 3.0;
            if (fabs(row[i] - expected) > 4e-7 * fabs(expected)) ok = false;
        }
        test_check(ok, "ragged lengths 1..9 are exact and leave the rest alone", "n = %d", n);
    }

    for (int i = 0; i < N; i++) x[i] = y[i] = (real)(-90.0 + 180.0 * i / (N - 1));
    const double sum_dispatched = vec_exp_sum(x, shift, N), sum_baseline = vec_exp_sum_baseline(y, shift, N);
    test_check(memcmp(x, y, sizeof(real) * N) == 0 && sum_dispatched == sum_baseline,
               "vec_exp_sum and its plain x86-64 instance give the same bits", "sums %.17g and %.17g",
               sum_dispatched, sum_baseline);

    /* GELU and its derivative against libm in double, over [−8, 8] (both tails included). */
    double gelu_worst = 0, grad_worst = 0;
    for (int i = 0; i < N; i++) x[i] = (real)(-8.0 + 16.0 * i / (N - 1));
    real *g = malloc(sizeof(real) * N), *dg = calloc(N, sizeof(real)), *ones = malloc(sizeof(real) * N);
    for (int i = 0; i < N; i++) ones[i] = 1;
    vec_gelu(g, x, N);
    vec_gelu_backward(dg, x, ones, N);
    for (int i = 0; i < N; i++) {
        const double v = x[i], cdf = 0.5 * (1 + erf(v / sqrt(2.0)));
        gelu_worst = fmax(gelu_worst, fabs(g[i] - v * cdf));
        grad_worst = fmax(grad_worst, fabs(dg[i] - (cdf + v * exp(-0.5 * v * v) / sqrt(2 * 3.14159265358979323846))));
    }
    printf("GELU over [-8, 8]: max abs error %.3g, of its derivative %.3g\n", gelu_worst, grad_worst);
    test_check(gelu_worst < 5e-6 && grad_worst < 5e-6, "vec_gelu and vec_gelu_backward within 5e-6 of libm's",
               "%.3g and %.3g", gelu_worst, grad_worst);
    free(g), free(dg), free(ones);

    real tiny[5] = {-200, -1000, -88, -INFINITY, 1};
    const double tiny_sum = vec_exp_sum(tiny, 0, 5);
    test_check(tiny[0] == 0 && tiny[1] == 0 && tiny[2] == 0 && tiny[3] == 0 && tiny_sum == (double)tiny[4],
               "below e^-87.3, and -inf, give exactly 0", "%g %g %g %g, sum %g", tiny[0], tiny[1], tiny[2],
               tiny[3], tiny_sum);

    real row[7] = {3, -1, 8, 2, 8.5f, -4, 0};
    test_check(vec_max(row, 7) == 8.5f, "vec_max over 7 values", "%g", vec_max(row, 7));
    vec_scale(row, 2, 7);
    test_check(row[4] == 17 && row[6] == 0 && row[0] == 6, "vec_scale doubles", "%g %g", row[4], row[0]);
    free(x);
    free(y);
    return test_finish("test_vecmath");
}
