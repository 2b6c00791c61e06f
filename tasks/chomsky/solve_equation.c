/* solve_equation.c — Solve Equation (deterministic context-free): which digit does x
 * stand for in "expression = value" mod 5?
 *
 * Input ids: digits 0–4, + (5), − (6), ( (7), ) (8), x (9), = (10). For n < 3 the
 * original emits a dummy: n zeros with class 0. Otherwise the expression is gen(n − 2)
 * of Modular Arithmetic with brackets with mult = False (op uniform over {+, −}, no *);
 * a position U{0..n−3} is drawn and, stepping forward cyclically, the first digit from
 * there on is replaced by x; then = and the expression's value (one digit) follow, so
 * the input has exactly n symbols.
 *
 * Output: one class, the digit x stands for. Without * both sides are a·x + c mod 5
 * with a ∈ {−1, 0, 1} per x, so the answer is unique; solve reads each side as such a
 * linear form and solves for x (class 0 where there is no solution: the dummy). */
#include <stdlib.h>

#include "core/check.h"
#include "tasks/chomsky/chomsky.h"

enum { MODULUS = 5, PLUS = 5, MINUS = 6, OPEN = 7, CLOSE = 8, UNKNOWN = 9, EQUALS = 10, SYMBOLS = 11 };

static const char *const symbol_names[SYMBOLS] = {"0", "1", "2", "3", "4", "+", "-", "(", ")", "x", "="};

/* Writes an expression of exactly `length` symbols at out and returns its value mod 5. */
static int generate(rng *r, int length, int32_t *out) {
    if (length <= 4) { /* d, −d, (d), (−d) */
        const bool bracket = length >= 3, minus = length % 2 == 0;
        int at = 0;
        if (bracket) out[at++] = OPEN;
        if (minus) out[at++] = MINUS;
        const int digit = (int)rng_range(r, 0, MODULUS - 1);
        out[at++] = digit;
        if (bracket) out[at] = CLOSE;
        return minus ? (MODULUS - digit) % MODULUS : digit;
    }
    const int left = (int)rng_range(r, 1, length - 4), right = length - left - 3;
    out[0] = OPEN;
    const int left_value = generate(r, left, out + 1), right_value = generate(r, right, out + 2 + left);
    const bool plus = rng_range(r, 0, 1) == 0;
    out[1 + left] = plus ? PLUS : MINUS;
    out[length - 1] = CLOSE;
    return (left_value + (plus ? right_value : MODULUS - right_value)) % MODULUS;
}

static int sample(rng *r, int n, int32_t *input) {
    if (n < 3) {
        for (int i = 0; i < n; i++) input[i] = 0;
        return n;
    }
    const int length = n - 2;
    const int value = generate(r, length, input);
    int at = (int)rng_range(r, 0, length - 1);
    while (input[at] >= MODULUS) at = (at + 1) % length;
    input[at] = UNKNOWN;
    input[length] = EQUALS;
    input[length + 1] = value;
    return n;
}

/* A side of the equation as coefficient·x + constant, both mod 5. */
typedef struct linear {
    int coefficient, constant;
} linear;

/* Each digit or x counts with the sign of its own unary minuses and binary operator,
 * times the sign of every bracket around it; `signs` holds those bracket signs. */
static linear read_side(const int32_t *symbols, int n, int *signs) {
    linear side = {0, 0};
    int depth = 0, outer = 1, sign = 1;
    bool operand_before = false;
    for (int i = 0; i < n; i++) {
        const int s = symbols[i];
        const int term = outer * sign;
        if (s < MODULUS) side.constant += term * s;
        else if (s == UNKNOWN) side.coefficient += term;
        else if (s == PLUS) sign = 1;
        else if (s == MINUS) sign = operand_before ? -1 : -sign;
        else if (s == OPEN) {
            signs[depth++] = outer;
            outer = term;
            sign = 1;
        } else if (s == CLOSE && depth > 0) {
            outer = signs[--depth];
        }
        operand_before = s < MODULUS || s == UNKNOWN || s == CLOSE;
    }
    side.coefficient = ((side.coefficient % MODULUS) + MODULUS) % MODULUS;
    side.constant = ((side.constant % MODULUS) + MODULUS) % MODULUS;
    return side;
}

static void solve(const int32_t *input, int n, int32_t *target) {
    static const int inverse[MODULUS] = {0, 1, 3, 2, 4};
    int equals = 0;
    while (equals < n && input[equals] != EQUALS) equals++;
    target[0] = 0;
    if (n < 3 || equals == n) return;
    int *signs = calloc((size_t)n, sizeof *signs);
    CHECK(signs != NULL);
    const linear left = read_side(input, equals, signs), right = read_side(input + equals + 1, n - equals - 1, signs);
    free(signs);
    /* (a_l − a_r)·x = c_r − c_l */
    const int a = (left.coefficient - right.coefficient + MODULUS) % MODULUS;
    const int c = (right.constant - left.constant + MODULUS) % MODULUS;
    target[0] = a == 0 ? 0 : c * inverse[a] % MODULUS;
}

static const chomsky_spec spec = {
    .symbols = SYMBOLS,
    .symbol_names = symbol_names,
    .classes = MODULUS,
    .output_length = chomsky_one_output,
    .sample = sample,
    .solve = solve,
};

CHOMSKY_TASK(chomsky_solve_equation, spec, "chomsky/solve_equation", "DCF", 8,
             "Solve Equation (DCF): bracketed +/- expression with one x = value mod 5 → the digit x");
