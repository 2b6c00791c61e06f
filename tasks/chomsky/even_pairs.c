/* even_pairs.c — Even Pairs (regular): is the number of unequal adjacent pairs odd?
 *
 * Input: n independent uniform bits. Output: one class, the number of positions i with
 * x[i] ≠ x[i+1], mod 2. Every change of value flips between the first and the last
 * bit, so the class is 1 exactly when the first and last bits differ (0 when n = 1). */
#include "tasks/chomsky/chomsky.h"

static void solve(const int32_t *input, int n, int32_t *target) { target[0] = input[0] != input[n - 1]; }

static const chomsky_spec spec = {
    .symbols = 2,
    .symbol_names = chomsky_bit_names,
    .classes = 2,
    .output_length = chomsky_one_output,
    .sample = chomsky_sample_bits,
    .solve = solve,
};

CHOMSKY_TASK(chomsky_even_pairs, spec, "chomsky/even_pairs", "R", 1,
             "Even Pairs (R): n bits → number of unequal adjacent pairs mod 2");
