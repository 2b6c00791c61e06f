/* odds_first.c — Odds First (context-sensitive): the symbols at odd positions, then
 * those at even positions.
 *
 * Input: n independent uniform bits x. Output: n bits, x[1], x[3], … then x[0], x[2], …
 * (0-indexed; the original code's x[1::2] ++ x[0::2]. The paper and the code's
 * docstring put x[0::2] first instead: same difficulty, other target; the code wins). */
#include "tasks/chomsky/chomsky.h"

static void solve(const int32_t *input, int n, int32_t *target) {
    int k = 0;
    for (int i = 1; i < n; i += 2) target[k++] = input[i];
    for (int i = 0; i < n; i += 2) target[k++] = input[i];
}

static const chomsky_spec spec = {
    .symbols = 2,
    .symbol_names = chomsky_bit_names,
    .classes = 2,
    .output_length = chomsky_n_outputs,
    .sample = chomsky_sample_bits,
    .solve = solve,
};

CHOMSKY_TASK(chomsky_odds_first, spec, "chomsky/odds_first", "CS", 11,
             "Odds First (CS): n bits x → x[1], x[3], … then x[0], x[2], … (0-indexed)");
