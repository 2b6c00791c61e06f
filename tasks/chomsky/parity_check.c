/* parity_check.c — Parity Check (regular): is the number of ones odd?
 *
 * Input: n independent uniform bits. Output: one class, (number of 1s) mod 2. */
#include "tasks/chomsky/chomsky.h"

static void solve(const int32_t *input, int n, int32_t *target) {
    int ones = 0;
    for (int i = 0; i < n; i++) ones += input[i];
    target[0] = ones % 2;
}

static const chomsky_spec spec = {
    .symbols = 2,
    .symbol_names = chomsky_bit_names,
    .classes = 2,
    .output_length = chomsky_one_output,
    .sample = chomsky_sample_bits,
    .solve = solve,
};

CHOMSKY_TASK(chomsky_parity_check, spec, "chomsky/parity_check", "R", 3,
             "Parity Check (R): n bits → number of ones mod 2");
