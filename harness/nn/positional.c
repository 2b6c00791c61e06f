/* positional.c — the fixed sinusoidal table, gathered at token positions by
 * nn/position.h like the learned one.
 *
 * The sinusoid is computed in double (angles reach thousands of radians on long
 * sequences) and rounded once. */
#include "nn/nn.h"

#include <math.h>

#include "core/check.h"

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
