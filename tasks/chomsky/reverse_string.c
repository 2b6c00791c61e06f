/* reverse_string.c — Reverse String (deterministic context-free): the input backwards.
 *
 * Input: n independent uniform bits. Output: n classes, output k = x[n − 1 − k]. */
#include "tasks/chomsky/chomsky.h"

static void solve(const int32_t *input, int n, int32_t *target) {
    for (int k = 0; k < n; k++) target[k] = input[n - 1 - k];
}

static const chomsky_spec spec = {
    .symbols = 2,
    .symbol_names = chomsky_bit_names,
    .classes = 2,
    .output_length = chomsky_n_outputs,
    .sample = chomsky_sample_bits,
    .solve = solve,
};

CHOMSKY_TASK(chomsky_reverse_string, spec, "chomsky/reverse_string", "DCF", 6,
             "Reverse String (DCF): n bits → the same bits in reverse order");
