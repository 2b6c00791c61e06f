/* modular_arithmetic.c — Modular Arithmetic, the simple one (regular): the value of
 * d op d op … op d mod 5.
 *
 * Input ids: digits 0–4, then + (5), − (6), * (7) and the blank _ (8), which is part of
 * the alphabet but never sampled. The expression has odd length: for an even requested
 * n the original code subtracts one, so sample writes n − 1 symbols (the paper says
 * n + 1; the code is followed). Even positions hold digits U{0..4}; odd positions hold
 * an operator drawn uniformly from the list {+, *, −} (a list, not the original's
 * one-shot generator, which comes back empty after the first length).
 *
 * Output: one class, the value mod 5 with * before + and −, where "a − b" is
 * "a + (−b)". As in the original, a blank at a digit position counts as 0 and one at an
 * operator position as +. */
#include "tasks/chomsky/chomsky.h"

enum { MODULUS = 5, PLUS = 5, MINUS = 6, TIMES = 7, BLANK = 8, SYMBOLS = 9 };

static const char *const symbol_names[SYMBOLS] = {"0", "1", "2", "3", "4", "+", "-", "*", "_"};
static const int32_t operators[] = {PLUS, TIMES, MINUS};

static int sample(rng *r, int n, int32_t *input) {
    const int symbols = n % 2 == 1 ? n : n - 1;
    for (int i = 0; i < symbols; i++)
        input[i] = i % 2 == 0 ? (int32_t)rng_range(r, 0, MODULUS - 1) : operators[rng_range(r, 0, 2)];
    return symbols;
}

static int digit_at(const int32_t *input, int i) { return input[i] == BLANK ? 0 : input[i]; }

/* One pass: `term` is the product being built, closed into `sum` at each + or −. */
static void solve(const int32_t *input, int n, int32_t *target) {
    int sum = 0, term = digit_at(input, 0);
    for (int i = 1; i + 1 < n; i += 2) {
        const int digit = digit_at(input, i + 1);
        if (input[i] == TIMES) {
            term = term * digit % MODULUS;
        } else {
            sum = (sum + term) % MODULUS;
            term = input[i] == MINUS ? (MODULUS - digit) % MODULUS : digit;
        }
    }
    target[0] = (sum + term) % MODULUS;
}

static const chomsky_spec spec = {
    .symbols = SYMBOLS,
    .symbol_names = symbol_names,
    .classes = MODULUS,
    .output_length = chomsky_one_output,
    .sample = sample,
    .solve = solve,
};

CHOMSKY_TASK(chomsky_modular_arithmetic, spec, "chomsky/modular_arithmetic", "R", 2,
             "Modular Arithmetic (R): digits 0-4 with + - * (no brackets) → value mod 5");
