/* crossentropy.c — softmax cross-entropy over rows of C logits.
 *
 * The forward subtracts the row maximum, sums the exponentials in double and writes
 * the probabilities (for the backward) as real; the loss is log Σ exp − (x_target −
 * max), also in double. A negative target marks a row that is not scored (a padded
 * output position): its probabilities are still written, its loss is 0. The backward
 * scales each row by its weight in the mean loss and skips rows of weight 0. */
#include "nn/nn.h"

#include <math.h>

#include "core/check.h"

void crossentropy_forward(real *restrict losses, real *restrict probs, const real *restrict logits,
                          const int32_t *restrict targets, int N, int C) {
    CHECK(N >= 0 && C > 0);
    for (int n = 0; n < N; n++) {
        const real *restrict x = logits + (size_t)n * C;
        real *restrict p = probs + (size_t)n * C;
        real max = x[0];
        for (int c = 1; c < C; c++) max = x[c] > max ? x[c] : max;
        double sum = 0;
        for (int c = 0; c < C; c++) {
            const double e = exp((double)x[c] - max);
            p[c] = (real)e;
            sum += e;
        }
        const double inv_sum = 1.0 / sum;
        for (int c = 0; c < C; c++) p[c] = (real)(p[c] * inv_sum);
        const int32_t target = targets[n];
        CHECK(target < C);
        losses[n] = target < 0 ? 0 : (real)(log(sum) - ((double)x[target] - max));
    }
}

void crossentropy_backward(real *restrict dlogits, const real *restrict probs,
                           const int32_t *restrict targets, const real *restrict scale, int N,
                           int C) {
    CHECK(N >= 0 && C > 0);
    for (int n = 0; n < N; n++) {
        const real s = scale[n];
        if (s == 0) continue;
        const int32_t target = targets[n];
        CHECK(target >= 0 && target < C);
        const real *restrict p = probs + (size_t)n * C;
        real *restrict d = dlogits + (size_t)n * C;
        for (int c = 0; c < C; c++) d[c] += s * (p[c] - (real)(c == target));
    }
}
