/* compute_sqrt.c — Compute Sqrt (context-sensitive): the integer square root of a binary
 * number.
 *
 * Input: v uniform in 1..2^n − 1 written as n big-endian bits, leading zeros allowed
 * (chomsky_sample_nonzero_bits: n uniform bits, never all zero). Output: ⌈n/2⌉ bits,
 * ⌊√v⌋ big-endian, zero-padded at the front; no end token. (The paper says
 * little-endian; the original code is big-endian and wins.) n reaches 500 and more, so
 * v is a bit array and the root is found digit by digit. */
#include <stdlib.h>

#include "tasks/chomsky/bits.h"
#include "tasks/chomsky/chomsky.h"

#include "core/check.h"

static const char *const bit_names[] = {"0", "1"};

static int half_up(int n) { return (n + 1) / 2; }

static int sample(rng *r, int n, int32_t *input) {
    chomsky_sample_nonzero_bits(r, n, input);
    return n;
}

/* Bit k (little-endian) of 4q + 1, where q is the root found so far: root[0..s),
 * big-endian. */
static int32_t trial_bit(const int32_t *root, int s, int k) {
    if (k < 2) return k == 0;
    return k - 2 < s ? root[s - 1 - (k - 2)] : 0;
}

/* The binary digit-by-digit square root: v's bits in pairs from the top (an odd n gets
 * a leading 0); per pair, rem ← 4·rem + pair, and the next root bit is 1 exactly when
 * rem ≥ 4q + 1, in which case that is subtracted from rem. rem ≤ 2q stays below 2^(s+1)
 * before step s, so it fits outputs + 3 bits. */
static void solve(const int32_t *input, int n, int32_t *target) {
    const int outputs = half_up(n), cap = outputs + 3;
    const int skipped = 2 * outputs - n; /* the leading 0 of an odd n */
    int32_t *rem = calloc((size_t)cap, sizeof *rem); /* little-endian */
    CHECK(rem != NULL);
    for (int s = 0; s < outputs; s++) {
        CHECK(rem[cap - 1] == 0 && rem[cap - 2] == 0); /* nothing is shifted out */
        for (int k = cap - 1; k >= 2; k--) rem[k] = rem[k - 2];
        const int hi = 2 * s - skipped;
        rem[1] = hi >= 0 ? input[hi] : 0;
        rem[0] = input[hi + 1];
        int cmp = 0; /* rem vs 4q + 1, from the top bit */
        for (int k = cap - 1; k >= 0 && cmp == 0; k--) cmp = rem[k] - trial_bit(target, s, k);
        target[s] = cmp >= 0;
        if (target[s]) {
            int32_t borrow = 0;
            for (int k = 0; k < cap; k++) {
                const int32_t v = rem[k] - trial_bit(target, s, k) - borrow;
                rem[k] = v & 1;
                borrow = v < 0;
            }
            CHECK(borrow == 0);
        }
    }
    free(rem);
}

static const chomsky_spec spec = {
    .symbols = 2,
    .symbol_names = bit_names,
    .classes = 2,
    .output_length = half_up,
    .sample = sample,
    .solve = solve,
};

CHOMSKY_TASK(chomsky_compute_sqrt, spec, "chomsky/compute_sqrt", "CS", 14,
             "Compute Sqrt (CS): n big-endian bits v → ⌊√v⌋ in ⌈n/2⌉ big-endian bits");
