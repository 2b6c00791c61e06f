/* rope.c — rotary position embedding (Su et al.) on a per-head tensor (see position.h).
 *
 * Each (b, t) has one angle per pair, shared by all heads: it is formed in double
 * (positions reach thousands, randomized ones up to max_position) and its cosine and
 * sine are applied to every head. The backward is the same rotation by the opposite
 * angle: a rotation's transpose is its inverse. */
#include "nn/position.h"

#include <math.h>

#include "core/check.h"

static void rotate(real *x, const int32_t *positions, int B, int NH, int T, int hs, double base, double sign) {
    CHECK(B >= 0 && NH > 0 && T >= 0 && hs > 0 && base > 0);
    const size_t head = (size_t)T * hs;
    for (int i = 0; i < hs / 2; i++) {
        const double frequency = pow(base, -2.0 * i / hs);
        for (int b = 0; b < B; b++)
            for (int t = 0; t < T; t++) {
                const double angle = sign * positions[(size_t)b * T + t] * frequency;
                const real c = (real)cos(angle), s = (real)sin(angle);
                real *pair = x + (size_t)b * NH * head + (size_t)t * hs + 2 * i;
                for (int h = 0; h < NH; h++, pair += head) {
                    const real even = pair[0], odd = pair[1];
                    pair[0] = even * c - odd * s;
                    pair[1] = odd * c + even * s;
                }
            }
    }
}

void rope_forward(real *x, const int32_t *positions, int B, int NH, int T, int hs, double base) {
    rotate(x, positions, B, NH, T, hs, base, 1);
}

void rope_backward(real *dx, const int32_t *positions, int B, int NH, int T, int hs, double base) {
    rotate(dx, positions, B, NH, T, hs, base, -1);
}
