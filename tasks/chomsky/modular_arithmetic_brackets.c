/* modular_arithmetic_brackets.c — Modular Arithmetic with brackets (deterministic
 * context-free): the value mod 5 of a bracketed expression over digits 0–4 with +, −
 * and *.
 *
 * Input ids: digits 0–4, + (5), − (6), * (7), ( (8), ) (9) and x (10). The original's
 * input size is 11 (x = 10 is defined there, and = would be 11); x is kept as an input
 * symbol so that the one-hot width matches, though it is never sampled. Sampling is the
 * original recursion gen(L) with mult = True and digits d ~ U{0..4}: L = 1 → d,
 * L = 2 → −d, L = 3 → (d), L = 4 → (−d); L ≥ 5 → (left op right) with the left length
 * ℓ ~ U{1..L−4}, the right length L − ℓ − 3 and op uniform over {+, −, *}.
 *
 * Output: one class, the value mod 5. solve evaluates with the usual precedence (unary
 * minus, then *, then + and −, left to right), so it also accepts expressions without
 * the full bracketing that gen produces. */
#include <stdlib.h>

#include "core/check.h"
#include "tasks/chomsky/chomsky.h"

enum { MODULUS = 5, PLUS = 5, MINUS = 6, TIMES = 7, OPEN = 8, CLOSE = 9, UNKNOWN = 10, SYMBOLS = 11 };

static const char *const symbol_names[SYMBOLS] = {"0", "1", "2", "3", "4", "+", "-", "*", "(", ")", "x"};
static const int32_t operators[] = {PLUS, MINUS, TIMES};

/* Writes an expression of exactly `length` symbols at out. */
static void generate(rng *r, int length, int32_t *out) {
    if (length <= 4) { /* d, −d, (d), (−d) */
        const bool bracket = length >= 3, minus = length % 2 == 0;
        int at = 0;
        if (bracket) out[at++] = OPEN;
        if (minus) out[at++] = MINUS;
        out[at++] = (int32_t)rng_range(r, 0, MODULUS - 1);
        if (bracket) out[at] = CLOSE;
        return;
    }
    const int left = (int)rng_range(r, 1, length - 4), right = length - left - 3;
    out[0] = OPEN;
    generate(r, left, out + 1);
    generate(r, right, out + 2 + left);
    out[1 + left] = operators[rng_range(r, 0, 2)];
    out[length - 1] = CLOSE;
}

static int sample(rng *r, int n, int32_t *input) {
    generate(r, n, input);
    return n;
}

/* Operator-precedence evaluation (shunting yard) with a value stack and an operator
 * stack; NEG is unary minus. */
enum { NEG = -1 };

typedef struct evaluator {
    int *values, *ops;
    int n_values, n_ops;
} evaluator;

static int precedence(int op) { return op == NEG ? 3 : op == TIMES ? 2 : 1; }

static int pop_value(evaluator *e) { return e->n_values > 0 ? e->values[--e->n_values] : 0; }

static void reduce(evaluator *e) {
    const int op = e->ops[--e->n_ops];
    const int right = pop_value(e);
    int value;
    if (op == NEG) {
        value = (MODULUS - right) % MODULUS;
    } else {
        const int left = pop_value(e);
        value = op == PLUS ? (left + right) % MODULUS
                : op == MINUS ? (left + MODULUS - right) % MODULUS
                              : left * right % MODULUS;
    }
    e->values[e->n_values++] = value;
}

static void solve(const int32_t *input, int n, int32_t *target) {
    evaluator e = {calloc((size_t)n, sizeof(int)), calloc((size_t)n, sizeof(int)), 0, 0};
    CHECK(e.values != NULL && e.ops != NULL);
    bool operand_before = false; /* whether the previous symbol ends an operand */
    for (int i = 0; i < n; i++) {
        const int s = input[i];
        if (s < MODULUS) {
            e.values[e.n_values++] = s;
        } else if (s == OPEN) {
            e.ops[e.n_ops++] = OPEN;
        } else if (s == CLOSE) {
            while (e.n_ops > 0 && e.ops[e.n_ops - 1] != OPEN) reduce(&e);
            if (e.n_ops > 0) e.n_ops--;
        } else if (s == MINUS && !operand_before) {
            e.ops[e.n_ops++] = NEG;
        } else if (s == PLUS || s == MINUS || s == TIMES) {
            while (e.n_ops > 0 && e.ops[e.n_ops - 1] != OPEN && precedence(e.ops[e.n_ops - 1]) >= precedence(s))
                reduce(&e);
            e.ops[e.n_ops++] = s;
        }
        operand_before = s < MODULUS || s == CLOSE;
    }
    while (e.n_ops > 0) {
        if (e.ops[e.n_ops - 1] == OPEN) e.n_ops--;
        else reduce(&e);
    }
    target[0] = pop_value(&e);
    free(e.values);
    free(e.ops);
}

static const chomsky_spec spec = {
    .symbols = SYMBOLS,
    .symbol_names = symbol_names,
    .classes = MODULUS,
    .output_length = chomsky_one_output,
    .sample = sample,
    .solve = solve,
};

CHOMSKY_TASK(chomsky_modular_arithmetic_brackets, spec, "chomsky/modular_arithmetic_brackets", "DCF", 7,
             "Modular Arithmetic with brackets (DCF): bracketed expression over 0-4 with + - * → value mod 5");
