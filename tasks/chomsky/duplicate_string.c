/* duplicate_string.c — Duplicate String (context-sensitive): write the input twice.
 *
 * Input: n independent uniform bits w. Output: 2n bits, ww. */
#include "tasks/chomsky/chomsky.h"

static int twice(int n) { return 2 * n; }

static void solve(const int32_t *input, int n, int32_t *target) {
    for (int i = 0; i < n; i++) target[i] = target[n + i] = input[i];
}

static const chomsky_spec spec = {
    .symbols = 2,
    .symbol_names = chomsky_bit_names,
    .classes = 2,
    .output_length = twice,
    .sample = chomsky_sample_bits,
    .solve = solve,
};

CHOMSKY_TASK(chomsky_duplicate_string, spec, "chomsky/duplicate_string", "CS", 9,
             "Duplicate String (CS): n bits w → 2n bits ww");
