/* positional.c — additive absolute position encodings: the fixed sinusoidal table
 * and the broadcast add used by both the sinusoidal and the learned table.
 *
 * The sinusoid is computed in double (angles reach thousands of radians on long
 * sequences) and rounded once. The backward sums dx over the batch for each position,
 * in double, a block of channels at a time, and adds the sum to dtable once. */
#include "nn/nn.h"

#include <math.h>

#include "core/check.h"

enum { COLUMN_BLOCK = 256 }; /* channels summed at once in the stack accumulator */

void positional_sinusoidal_fill(real *table, int T, int C) {
    CHECK(T >= 0 && C > 0);
    for (int c = 0; c < C; c++) {
        const int i = c / 2;
        const double frequency = pow(10000.0, -(2.0 * i) / C);
        for (int t = 0; t < T; t++) {
            const double angle = t * frequency;
            table[(size_t)t * C + c] = (real)(c % 2 == 0 ? sin(angle) : cos(angle));
        }
    }
}

void positional_add_forward(real *restrict x, const real *restrict table, int B, int T, int C) {
    CHECK(B >= 0 && T >= 0 && C > 0);
    const size_t plane = (size_t)T * C;
    for (int b = 0; b < B; b++) {
        real *restrict xb = x + (size_t)b * plane;
        for (size_t i = 0; i < plane; i++) xb[i] += table[i];
    }
}

void positional_add_backward(real *restrict dtable, const real *restrict dx, int B, int T, int C) {
    CHECK(B >= 0 && T >= 0 && C > 0);
    const size_t plane = (size_t)T * C;
    double acc[COLUMN_BLOCK];
    for (int t = 0; t < T; t++) {
        for (int c0 = 0; c0 < C; c0 += COLUMN_BLOCK) {
            const int w = C - c0 < COLUMN_BLOCK ? C - c0 : COLUMN_BLOCK;
            const size_t offset = (size_t)t * C + c0;
            for (int j = 0; j < w; j++) acc[j] = 0;
            for (int b = 0; b < B; b++) {
                const real *restrict d = dx + (size_t)b * plane + offset;
                for (int j = 0; j < w; j++) acc[j] += d[j];
            }
            for (int j = 0; j < w; j++) dtable[offset + j] += (real)acc[j];
        }
    }
}
