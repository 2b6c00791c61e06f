/* stack_manipulation.c — Stack Manipulation (deterministic context-free): run stack
 * actions on a given stack and read the result off top to bottom.
 *
 * Input ids: 0 and 1 are stack bits, 2 = POP, 3 = PUSH 0, 4 = PUSH 1. For n = 1 the
 * input is one uniform bit (a stack of one and no actions). Otherwise the stack length s
 * is U{1..n−1}, the stack is s uniform bits given bottom to top, and n − s actions
 * U{2..4} follow.
 *
 * Output: n + 1 classes over {0, 1, 2}: the final stack top to bottom, the end token 2,
 * then 0s. A POP on an empty stack is ignored. solve reads a bit as a push of that bit
 * (which is what a stack given bottom to top amounts to). Terminated: outputs after the
 * first 2 are not scored. */
#include "tasks/chomsky/chomsky.h"

enum { POP = 2, PUSH_0 = 3, PUSH_1 = 4, SYMBOLS = 5 };

static const char *const symbol_names[SYMBOLS] = {"0", "1", "POP", "PUSH0", "PUSH1"};

static int output_length(int n) { return n + 1; }

static int sample(rng *r, int n, int32_t *input) {
    if (n == 1) {
        input[0] = (int32_t)rng_range(r, 0, 1);
        return 1;
    }
    const int stack_length = (int)rng_range(r, 1, n - 1);
    for (int i = 0; i < n; i++) input[i] = (int32_t)(i < stack_length ? rng_range(r, 0, 1) : rng_range(r, POP, PUSH_1));
    return n;
}

/* Simulates in target itself (the stack never holds more than n bits), bottom to top,
 * then reverses it. */
static void solve(const int32_t *input, int n, int32_t *target) {
    int size = 0;
    for (int i = 0; i < n; i++) {
        if (input[i] == POP) {
            if (size > 0) size--;
        } else {
            target[size++] = input[i] >= PUSH_0 ? input[i] - PUSH_0 : input[i];
        }
    }
    for (int lo = 0, hi = size - 1; lo < hi; lo++, hi--) {
        const int32_t bit = target[lo];
        target[lo] = target[hi];
        target[hi] = bit;
    }
    target[size] = CHOMSKY_END_TOKEN;
    for (int k = size + 1; k < n + 1; k++) target[k] = 0;
}

static const chomsky_spec spec = {
    .symbols = SYMBOLS,
    .symbol_names = symbol_names,
    .classes = 3,
    .output_length = output_length,
    .terminated = true,
    .sample = sample,
    .solve = solve,
};

CHOMSKY_TASK(chomsky_stack_manipulation, spec, "chomsky/stack_manipulation", "DCF", 5,
             "Stack Manipulation (DCF): stack bits + POP/PUSH actions → final stack top to bottom, end token");
