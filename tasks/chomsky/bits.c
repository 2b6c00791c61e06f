/* bits.c — binary numbers as arrays of bit tokens (see bits.h). */
#include "tasks/chomsky/bits.h"

#include <stdbool.h>

#include "core/check.h"

void chomsky_sample_nonzero_bits(rng *r, int len, int32_t *bits) {
    CHECK(len >= 1);
    bool nonzero;
    do {
        nonzero = false;
        for (int i = 0; i < len; i++) {
            bits[i] = (int32_t)rng_range(r, 0, 1);
            nonzero |= bits[i] != 0;
        }
    } while (!nonzero);
}

void chomsky_sample_operands(rng *r, int n, int32_t *input) {
    if (n <= 2) {
        int64_t value = rng_range(r, 0, ((int64_t)1 << n) - 2);
        for (int i = 0; i < n; i++, value >>= 1) input[i] = (int32_t)(value & 1);
        return;
    }
    const int n_len = (int)rng_range(r, 1, n - 2);
    chomsky_sample_nonzero_bits(r, n_len, input);
    input[n_len] = CHOMSKY_OPERATOR;
    chomsky_sample_nonzero_bits(r, n - 1 - n_len, input + n_len + 1);
}

int chomsky_bits_length(const int32_t *x, int len) {
    while (len > 1 && x[len - 1] == 0) len--;
    return len > 1 ? len : 1;
}
