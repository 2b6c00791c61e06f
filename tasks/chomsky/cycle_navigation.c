/* cycle_navigation.c — Cycle Navigation (regular): where does a walk on a 5-cycle end?
 *
 * Input: n independent uniform actions in {0, 1, 2}. Starting at position 0 of a cycle
 * of 5 positions, action 0 steps back (−1), 1 stays and 2 steps forward (+1), as in the
 * public code (the paper and its docstring say 0 = stay, 1 = +1, 2 = −1; the code is
 * followed). Output: one class, the final position Σ(a_i − 1) mod 5. */
#include "tasks/chomsky/chomsky.h"

enum { CYCLE_LENGTH = 5 };

static const char *const action_names[] = {"-1", "0", "+1"};

static int sample(rng *r, int n, int32_t *input) {
    for (int i = 0; i < n; i++) input[i] = (int32_t)rng_range(r, 0, 2);
    return n;
}

static void solve(const int32_t *input, int n, int32_t *target) {
    int position = 0;
    for (int i = 0; i < n; i++) position = (position + input[i] - 1 + CYCLE_LENGTH) % CYCLE_LENGTH;
    target[0] = position;
}

static const chomsky_spec spec = {
    .symbols = 3,
    .symbol_names = action_names,
    .classes = CYCLE_LENGTH,
    .output_length = chomsky_one_output,
    .sample = sample,
    .solve = solve,
};

CHOMSKY_TASK(chomsky_cycle_navigation, spec, "chomsky/cycle_navigation", "R", 4,
             "Cycle Navigation (R): n moves (-1, 0, +1) on a 5-cycle from 0 → final position");
