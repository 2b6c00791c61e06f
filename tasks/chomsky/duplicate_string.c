/* duplicate_string.c — Duplicate String (context-sensitive): write the input twice.
 *
 * Input: n independent uniform bits w. Output: 2n bits, ww. */
#include "tasks/chomsky/chomsky.h"

static const char *const bit_names[] = {"0", "1"};

static int twice(int n) { return 2 * n; }

static int sample(rng *r, int n, int32_t *input) {
    for (int i = 0; i < n; i++) input[i] = (int32_t)rng_range(r, 0, 1);
    return n;
}

static void solve(const int32_t *input, int n, int32_t *target) {
    for (int i = 0; i < n; i++) target[i] = target[n + i] = input[i];
}

static const chomsky_spec spec = {
    .level = "CS",
    .symbols = 2,
    .symbol_names = bit_names,
    .classes = 2,
    .output_length = twice,
    .sample = sample,
    .solve = solve,
};

CHOMSKY_TASK(chomsky_duplicate_string, spec, "chomsky/duplicate_string",
             "Duplicate String (CS): n bits w → 2n bits ww");
