/* meanpool.c — masked mean over the real tokens of each sequence (pooling: mean).
 *
 * Only positions t < lengths[b] count; padding contributes nothing and receives no
 * gradient, and a sequence of length 0 pools to zeros. The sum over up to T tokens is
 * accumulated in double, a block of channels at a time in a stack buffer. */
#include "nn/nn.h"

#include "core/check.h"

enum { COLUMN_BLOCK = 256 }; /* channels summed at once in the stack accumulator */

void meanpool_forward(real *restrict out, const real *restrict inp, const int32_t *restrict lengths,
                      int B, int T, int C) {
    CHECK(B >= 0 && T >= 0 && C > 0);
    double acc[COLUMN_BLOCK];
    for (int b = 0; b < B; b++) {
        const int len = lengths[b];
        CHECK(len >= 0 && len <= T);
        real *restrict o = out + (size_t)b * C;
        if (len == 0) {
            for (int c = 0; c < C; c++) o[c] = 0;
            continue;
        }
        for (int c0 = 0; c0 < C; c0 += COLUMN_BLOCK) {
            const int w = C - c0 < COLUMN_BLOCK ? C - c0 : COLUMN_BLOCK;
            for (int j = 0; j < w; j++) acc[j] = 0;
            for (int t = 0; t < len; t++) {
                const real *restrict x = inp + ((size_t)b * T + t) * C + c0;
                for (int j = 0; j < w; j++) acc[j] += x[j];
            }
            for (int j = 0; j < w; j++) o[c0 + j] = (real)(acc[j] / len);
        }
    }
}

void meanpool_backward(real *restrict dinp, const real *restrict dout,
                       const int32_t *restrict lengths, int B, int T, int C) {
    CHECK(B >= 0 && T >= 0 && C > 0);
    for (int b = 0; b < B; b++) {
        const int len = lengths[b];
        CHECK(len >= 0 && len <= T);
        if (len == 0) continue;
        const real inv_len = (real)(1.0 / len);
        const real *restrict d = dout + (size_t)b * C;
        for (int t = 0; t < len; t++) {
            real *restrict dx = dinp + ((size_t)b * T + t) * C;
            for (int c = 0; c < C; c++) dx[c] += d[c] * inv_len;
        }
    }
}
