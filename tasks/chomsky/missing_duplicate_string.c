/* missing_duplicate_string.c — Missing Duplicate (context-sensitive): a string written
 * twice with one symbol hidden; which bit is hidden?
 *
 * Input of length n ≥ 2: w = ⌊n/2⌋ independent uniform bits, written twice (ww); one
 * position, uniform over the 2⌊n/2⌋, is replaced by the hidden token 2, and an odd n
 * gets the pad token 3 at the end. Output: one class, the hidden bit, which the other
 * copy of w still shows. n = 1 (no string to duplicate): the original sets input and
 * class to 1. */
#include "tasks/chomsky/chomsky.h"

enum { HIDDEN = 2, PAD = 3 };

static const char *const symbol_names[] = {"0", "1", "?", "_"};

static int sample(rng *r, int n, int32_t *input) {
    if (n == 1) {
        input[0] = 1;
        return n;
    }
    const int half = n / 2;
    for (int i = 0; i < half; i++) input[i] = input[half + i] = (int32_t)rng_range(r, 0, 1);
    input[rng_range(r, 0, 2 * half - 1)] = HIDDEN;
    if (n % 2 == 1) input[n - 1] = PAD;
    return n;
}

/* The bit at the hidden position's counterpart in the other copy. Without a hidden
 * token among the 2⌊n/2⌋ positions (n = 1, or inputs the sampler never makes) the class
 * is 1, the original's value at n = 1; so is a counterpart that is not 0. */
static void solve(const int32_t *input, int n, int32_t *target) {
    const int half = n / 2;
    target[0] = 1;
    for (int p = 0; p < 2 * half; p++)
        if (input[p] == HIDDEN) {
            target[0] = input[p < half ? p + half : p - half] == 0 ? 0 : 1;
            return;
        }
}

static const chomsky_spec spec = {
    .symbols = 4,
    .symbol_names = symbol_names,
    .classes = 2,
    .output_length = chomsky_one_output,
    .sample = sample,
    .solve = solve,
};

CHOMSKY_TASK(chomsky_missing_duplicate_string, spec, "chomsky/missing_duplicate_string", "CS", 10,
             "Missing Duplicate (CS): ww with one bit hidden (2), odd n padded (3) → the hidden bit");
