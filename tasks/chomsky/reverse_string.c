/* reverse_string.c — Reverse String (deterministic context-free): the input backwards.
 *
 * Input: n independent uniform bits. Output: n classes, output k = x[n − 1 − k]. */
#include "tasks/chomsky/chomsky.h"

static const char *const bit_names[] = {"0", "1"};

static int sample(rng *r, int n, int32_t *input) {
    for (int i = 0; i < n; i++) input[i] = (int32_t)rng_range(r, 0, 1);
    return n;
}

static void solve(const int32_t *input, int n, int32_t *target) {
    for (int k = 0; k < n; k++) target[k] = input[n - 1 - k];
}

static const chomsky_spec spec = {
    .level = "DCF",
    .symbols = 2,
    .symbol_names = bit_names,
    .classes = 2,
    .output_length = chomsky_n_outputs,
    .sample = sample,
    .solve = solve,
};

CHOMSKY_TASK(chomsky_reverse_string, spec, "chomsky/reverse_string",
             "Reverse String (DCF): n bits → the same bits in reverse order");
