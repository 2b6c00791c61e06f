/* test_chomsky_dcf.c — the deterministic context-free (DCF) tasks of the Chomsky
 * benchmark: each on hand-written cases from its definition, on random examples against
 * an evaluator written here (another algorithm than the task's), its alphabets and
 * output lengths at every input length 1..500, and facts of its sampling distribution.
 * Purity, disjoint splits and the golden hashes: test_task_registry. */
#include <stdio.h>
#include <string.h>

#include "chomsky_checks.h"
#include "testing.h"

enum { MAX_LENGTH = 500, RANDOM_SAMPLES = 1000 };

/* An example of the test split at seed 0 and requested length n; false on error. */
static bool example_of(const chomsky_under_test *c, int64_t index, int n, example *ex) {
    example_request request = {.seed = 0, .split = SPLIT_TEST, .index = index, .length = n};
    error_info err = {0};
    if (c->task.ops->example(c->task.state, &request, ex, &err) == 0) return true;
    test_check(false, "example generated", "%s at length %d: %s", c->task.ops->name, n, err.message);
    return false;
}

/* chomsky_check_case with the input written in the task's own characters: alphabet[id]
 * is the character of id (e.g. "01234+-*()x"). */
static void readable_case(const chomsky_under_test *c, const char *alphabet, const char *text, const char *expected) {
    char ids[1024] = "";
    size_t used = 0;
    for (const char *p = text; *p && used + 8 < sizeof ids; p++) {
        const char *at = strchr(alphabet, *p);
        if (at == NULL) {
            test_check(false, "readable case", "'%c' of %s is not in %s", *p, text, alphabet);
            return;
        }
        used += (size_t)snprintf(ids + used, sizeof ids - used, "%d,", (int)(at - alphabet));
    }
    printf("     case %s → %s\n", text, expected);
    chomsky_check_case(c, ids, expected);
}

/* A share of `total` in [expected − tol, expected + tol], stated with its numbers. */
static void check_share(const char *what, long count, long total, double expected, double tol) {
    const double share = total > 0 ? (double)count / (double)total : -1;
    char text[300];
    snprintf(text, sizeof text, "%s: %.4f of %ld, expected %.4f ± %.3f", what, share, total, expected, tol);
    test_check(share >= expected - tol && share <= expected + tol, text, "out of range");
}

/* --- stack_manipulation ----------------------------------------------------------- */

enum { SM_POP = 2 };

static int n_plus_one(int n) { return n + 1; }

/* Reads the input backwards, counting POPs still to be matched: a pushed bit (a stack
 * bit or PUSH) that meets no pending POP is on the final stack, and the backward order
 * is top to bottom. A POP on an empty stack stays pending, but every bit pushed before
 * it has already been popped then, so it cancels nothing that survives. */
static int stack_manipulation_evaluate(const int32_t *input, int n, int32_t *target) {
    int pending = 0, size = 0;
    for (int i = n - 1; i >= 0; i--) {
        if (input[i] == SM_POP) pending++;
        else if (pending > 0) pending--;
        else target[size++] = input[i] <= 1 ? input[i] : input[i] - 3;
    }
    target[size++] = 2;
    while (size < n + 1) target[size++] = 0;
    return n + 1;
}

/* The stack part (the leading bits) has length 1..n−1 (1 for n = 1) and the rest are
 * actions; at n = 4 the stack length is uniform over {1, 2, 3}; bits and actions are
 * uniform. */
static void check_stack_manipulation_sampling(const chomsky_under_test *c) {
    example ex;
    example_alloc(&ex, &c->task.info);
    int bad = 0, first_bad = 0;
    long counts[5] = {0}, bits = 0, actions = 0;
    for (int i = 0; i < 1000 && example_of(c, 20000 + i, 1 + i % MAX_LENGTH, &ex); i++) {
        const int n = ex.length - ex.n_outputs;
        int stack = 0;
        while (stack < n && ex.tokens[stack] <= 1) stack++;
        if (!(n == 1 ? stack == 1 : stack >= 1 && stack <= n - 1) && bad++ == 0) first_bad = n;
        for (int t = 0; t < n; t++) counts[ex.tokens[t]]++;
        bits += stack;
        actions += n - stack;
    }
    test_check(bad == 0, "stack_manipulation: the stack part of every input has length 1..n−1 (n = 1: 1), then "
               "actions only", "%d inputs are not (first at length %d)", bad, first_bad);
    check_share("stack_manipulation: share of 0 among the stack bits", counts[0], bits, 0.5, 0.02);
    for (int s = 2; s <= 4; s++) {
        char what[100];
        snprintf(what, sizeof what, "stack_manipulation: share of action %d among the actions", s);
        check_share(what, counts[s], actions, 1.0 / 3, 0.02);
    }
    long by_stack[4] = {0};
    enum { AT_FOUR = 900 };
    for (int i = 0; i < AT_FOUR && example_of(c, 30000 + i, 4, &ex); i++) {
        int stack = 0;
        while (stack < 4 && ex.tokens[stack] <= 1) stack++;
        by_stack[stack < 4 ? stack : 0]++;
    }
    test_check(by_stack[0] == 0, "stack_manipulation: at n = 4 every stack has length 1..3", "%ld do not",
               by_stack[0]);
    for (int s = 1; s <= 3; s++) {
        char what[100];
        snprintf(what, sizeof what, "stack_manipulation: share of stack length %d at n = 4", s);
        check_share(what, by_stack[s], AT_FOUR, 1.0 / 3, 0.05);
    }
    example_free(&ex);
}

static void check_stack_manipulation(void) {
    chomsky_under_test c;
    chomsky_open(&c, "chomsky/stack_manipulation", MAX_LENGTH);
    chomsky_check_shapes(&c, "DCF", 5, 3, NULL, n_plus_one, true);
    /* ids: 0, 1 stack bits; 2 POP; 3 PUSH 0; 4 PUSH 1 */
    chomsky_check_case(&c, "0", "02");              /* n = 1: a stack of one bit, no actions */
    chomsky_check_case(&c, "1", "12");
    chomsky_check_case(&c, "03", "002");            /* 0, PUSH 0 */
    chomsky_check_case(&c, "02", "200");            /* 0, POP: empty */
    chomsky_check_case(&c, "0110422", "11020000");  /* the original docstring's examples */
    chomsky_check_case(&c, "110222", "2000000");
    chomsky_check_case(&c, "02223", "020000");      /* POPs on the empty stack are ignored */
    chomsky_check_case(&c, "1022434", "10120000");  /* pushes after the stack ran empty */
    chomsky_check_case(&c, "1444", "11112");        /* a full stack: no padding */
    chomsky_check_case(&c, "10", "012");            /* the stack is given bottom to top */
    chomsky_check_random(&c, stack_manipulation_evaluate, RANDOM_SAMPLES);
    check_stack_manipulation_sampling(&c);
    chomsky_close(&c);
}

/* --- reverse_string --------------------------------------------------------------- */

/* Pushes every bit on a stack, then pops them all. */
static int reverse_string_evaluate(const int32_t *input, int n, int32_t *target) {
    int32_t stack[MAX_LENGTH];
    int size = 0;
    for (int i = 0; i < n; i++) stack[size++] = input[i];
    for (int k = 0; size > 0; k++) target[k] = stack[--size];
    return n;
}

static void check_reverse_string(void) {
    chomsky_under_test c;
    chomsky_open(&c, "chomsky/reverse_string", MAX_LENGTH);
    chomsky_check_shapes(&c, "DCF", 2, 2, NULL, chomsky_n_outputs, false);
    chomsky_check_case(&c, "0", "0");
    chomsky_check_case(&c, "1", "1");
    chomsky_check_case(&c, "01", "10");
    chomsky_check_case(&c, "0011", "1100");
    chomsky_check_case(&c, "10110", "01101");
    chomsky_check_case(&c, "0110", "0110");
    chomsky_check_random(&c, reverse_string_evaluate, RANDOM_SAMPLES);
    chomsky_close(&c);
}

/* --- a recursive-descent parser for both bracket tasks ---------------------------- */

/* Token ids of one bracket task; `times` is −1 where there is no *. Digits are 0..4. */
typedef struct grammar {
    int plus, minus, times, open, close, unknown;
} grammar;

static const grammar brackets_grammar = {.plus = 5, .minus = 6, .times = 7, .open = 8, .close = 9, .unknown = 10};
static const grammar equation_grammar = {.plus = 5, .minus = 6, .times = -1, .open = 7, .close = 8, .unknown = 9};

typedef struct parser {
    const grammar *g;
    const int32_t *tokens;
    int n, at, x; /* x: the value the unknown stands for */
    bool failed;
} parser;

static int parse_sum(parser *p);

static int peek(const parser *p) { return p->at < p->n ? p->tokens[p->at] : -100; }

/* factor := digit | x | '-' factor | '(' sum ')' */
static int parse_factor(parser *p) {
    const int t = peek(p);
    p->at++;
    if (t >= 0 && t <= 4) return t;
    if (t == p->g->unknown) return p->x;
    if (t == p->g->minus) return (5 - parse_factor(p)) % 5;
    if (t == p->g->open) {
        const int value = parse_sum(p);
        if (peek(p) != p->g->close) p->failed = true;
        p->at++;
        return value;
    }
    p->failed = true;
    return 0;
}

/* product := factor ('*' factor)* */
static int parse_product(parser *p) {
    int value = parse_factor(p);
    while (p->g->times >= 0 && peek(p) == p->g->times) {
        p->at++;
        value = value * parse_factor(p) % 5;
    }
    return value;
}

/* sum := product (('+' | '-') product)* */
static int parse_sum(parser *p) {
    int value = parse_product(p);
    for (;;) {
        if (peek(p) == p->g->plus) {
            p->at++;
            value = (value + parse_product(p)) % 5;
        } else if (peek(p) == p->g->minus) {
            p->at++;
            value = (value + 5 - parse_product(p)) % 5;
        } else {
            return value;
        }
    }
}

/* The value of tokens[0..n) mod 5, or −1 where they are not one whole expression. */
static int parse_value(const grammar *g, const int32_t *tokens, int n, int x) {
    parser p = {.g = g, .tokens = tokens, .n = n, .x = x};
    const int value = parse_sum(&p);
    return p.failed || p.at != n ? -1 : value;
}

/* Whether tokens[lo..hi) is a word of the original generator gen(hi − lo): d, −d, (d),
 * (−d) or (E op E), where a "digit" may be the unknown. `ops` counts the binary
 * operators seen by id. */
static bool is_gen_word(const grammar *g, const int32_t *t, int lo, int hi, long *ops) {
    const int length = hi - lo;
#define IS_DIGIT(i) ((t[i] >= 0 && t[i] <= 4) || t[i] == g->unknown)
    if (length == 1) return IS_DIGIT(lo);
    if (length == 2) return t[lo] == g->minus && IS_DIGIT(lo + 1);
    if (length < 3 || t[lo] != g->open || t[hi - 1] != g->close) return false;
    if (length == 3) return IS_DIGIT(lo + 1);
    if (length == 4) return t[lo + 1] == g->minus && IS_DIGIT(lo + 2);
    /* The operator of (E op E): at depth 0 inside, after the first operand ends. */
    int depth = 0;
    for (int i = lo + 1; i < hi - 1; i++) {
        if (t[i] == g->open) depth++;
        else if (t[i] == g->close) depth--;
        else if (depth == 0 && i > lo + 1 && (IS_DIGIT(i - 1) || t[i - 1] == g->close) &&
                 (t[i] == g->plus || t[i] == g->minus || t[i] == g->times)) {
            ops[t[i]]++;
            return is_gen_word(g, t, lo + 1, i, ops) && is_gen_word(g, t, i + 1, hi - 1, ops);
        }
    }
    return false;
#undef IS_DIGIT
}

/* --- modular_arithmetic_brackets -------------------------------------------------- */

static const char mab_alphabet[] = "01234+-*()x";

static int modular_arithmetic_brackets_evaluate(const int32_t *input, int n, int32_t *target) {
    const int value = parse_value(&brackets_grammar, input, n, 0);
    if (value < 0) return 0; /* not an expression: mismatches the example */
    target[0] = value;
    return 1;
}

/* Every input is a word of gen(n) (balanced, unary minus only on digits, no x); the
 * three operators are uniform; at n = 7 the left length ℓ ~ U{1..3} shows in the
 * second symbol: a digit (ℓ = 1), − (ℓ = 2) or ( (ℓ = 3). */
static void check_modular_arithmetic_brackets_sampling(const chomsky_under_test *c) {
    example ex;
    example_alloc(&ex, &c->task.info);
    long ops[16] = {0};
    int bad = 0, first_bad = 0;
    for (int i = 0; i < 1000 && example_of(c, 20000 + i, 1 + i % MAX_LENGTH, &ex); i++) {
        const int n = ex.length - ex.n_outputs;
        bool ok = is_gen_word(&brackets_grammar, ex.tokens, 0, n, ops);
        for (int t = 0; t < n; t++) ok = ok && ex.tokens[t] != brackets_grammar.unknown;
        if (!ok && bad++ == 0) first_bad = n;
    }
    test_check(bad == 0, "modular_arithmetic_brackets: every input is a word of gen(n) without x",
               "%d are not (first at length %d)", bad, first_bad);
    const long total = ops[5] + ops[6] + ops[7];
    check_share("modular_arithmetic_brackets: share of + among binary operators", ops[5], total, 1.0 / 3, 0.02);
    check_share("modular_arithmetic_brackets: share of - among binary operators", ops[6], total, 1.0 / 3, 0.02);
    check_share("modular_arithmetic_brackets: share of * among binary operators", ops[7], total, 1.0 / 3, 0.02);
    enum { AT_SEVEN = 900 };
    long second[16] = {0};
    for (int i = 0; i < AT_SEVEN && example_of(c, 30000 + i, 7, &ex); i++) second[ex.tokens[1]]++;
    long digits = 0;
    for (int d = 0; d <= 4; d++) digits += second[d];
    check_share("modular_arithmetic_brackets: n = 7, left length 1 (second symbol a digit)", digits, AT_SEVEN,
                1.0 / 3, 0.05);
    check_share("modular_arithmetic_brackets: n = 7, left length 2 (second symbol -)", second[6], AT_SEVEN, 1.0 / 3,
                0.05);
    check_share("modular_arithmetic_brackets: n = 7, left length 3 (second symbol ( )", second[8], AT_SEVEN, 1.0 / 3,
                0.05);
    example_free(&ex);
}

static void check_modular_arithmetic_brackets(void) {
    chomsky_under_test c;
    chomsky_open(&c, "chomsky/modular_arithmetic_brackets", MAX_LENGTH);
    chomsky_check_shapes(&c, "DCF", 11, 5, NULL, chomsky_one_output, false);
    readable_case(&c, mab_alphabet, "3", "3");               /* gen(1)..gen(4) */
    readable_case(&c, mab_alphabet, "-3", "2");
    readable_case(&c, mab_alphabet, "(3)", "3");
    readable_case(&c, mab_alphabet, "(-3)", "2");
    readable_case(&c, mab_alphabet, "(2+3)", "0");
    readable_case(&c, mab_alphabet, "(2-3)", "4");
    readable_case(&c, mab_alphabet, "(4*4)", "1");
    readable_case(&c, mab_alphabet, "(2*(3+4))", "4");       /* 2·7 = 14 */
    readable_case(&c, mab_alphabet, "((1-2)*3)", "2");       /* −3 */
    readable_case(&c, mab_alphabet, "(3--2)", "0");          /* binary then unary minus */
    readable_case(&c, mab_alphabet, "(4*-2)", "2");          /* −8 */
    readable_case(&c, mab_alphabet, "(-1+(2*(3-4)))", "2");  /* −1 − 2 = −3 */
    readable_case(&c, mab_alphabet, "(((0)*(-1))-((4)+4))", "2"); /* 0 − 8 */
    readable_case(&c, mab_alphabet, "2+3*4", "4");           /* without brackets: * first */
    readable_case(&c, mab_alphabet, "1-2-3", "1");           /* left to right: −4 */
    chomsky_check_random(&c, modular_arithmetic_brackets_evaluate, RANDOM_SAMPLES);
    check_modular_arithmetic_brackets_sampling(&c);
    chomsky_close(&c);
}

/* --- solve_equation --------------------------------------------------------------- */

enum { SE_UNKNOWN = 9, SE_EQUALS = 10 };
static const char se_alphabet[] = "01234+-()x=";

/* Tries the five digits for x; the answer must be the only one that makes the left
 * side equal the digit after =. The dummy of n < 3 has class 0. */
static int solve_equation_evaluate(const int32_t *input, int n, int32_t *target) {
    target[0] = 0;
    if (n < 3) return 1;
    int solutions = 0;
    for (int x = 0; x < 5; x++)
        if (parse_value(&equation_grammar, input, n - 2, x) == input[n - 1]) {
            target[0] = x;
            solutions++;
        }
    return solutions == 1 && input[n - 2] == SE_EQUALS ? 1 : 0;
}

/* n < 3: all zeros. Otherwise exactly one x and one =, the = second to last, then a
 * digit, and the left side a word of gen(n − 2) with + and − only; at n = 7 (gen(5) =
 * "(d op d)") the x is on the first digit 3/5 of the time: the start U{0..4} steps
 * forward cyclically, so positions 0, 1 and 4 (wrapping to 0, then 1) land on it. */
static void check_solve_equation_sampling(const chomsky_under_test *c) {
    example ex;
    example_alloc(&ex, &c->task.info);
    long ops[16] = {0};
    int bad = 0, first_bad = 0;
    for (int i = 0; i < 1000 && example_of(c, 20000 + i, 1 + i % MAX_LENGTH, &ex); i++) {
        const int n = ex.length - ex.n_outputs;
        bool ok = true;
        if (n < 3) {
            for (int t = 0; t < n; t++) ok = ok && ex.tokens[t] == 0;
            ok = ok && ex.targets[0] == 0;
        } else {
            int xs = 0, equals = 0;
            for (int t = 0; t < n; t++) {
                xs += ex.tokens[t] == SE_UNKNOWN;
                equals += ex.tokens[t] == SE_EQUALS;
            }
            ok = xs == 1 && equals == 1 && ex.tokens[n - 2] == SE_EQUALS && ex.tokens[n - 1] <= 4 &&
                 is_gen_word(&equation_grammar, ex.tokens, 0, n - 2, ops);
        }
        if (!ok && bad++ == 0) first_bad = n;
    }
    test_check(bad == 0, "solve_equation: inputs are zeros (n < 3) or gen(n − 2) with one x, then = and a digit",
               "%d are not (first at length %d)", bad, first_bad);
    check_share("solve_equation: share of + among binary operators", ops[5], ops[5] + ops[6], 0.5, 0.03);
    enum { AT_SEVEN = 1000 };
    long first_digit = 0;
    for (int i = 0; i < AT_SEVEN && example_of(c, 30000 + i, 7, &ex); i++) first_digit += ex.tokens[1] == SE_UNKNOWN;
    check_share("solve_equation: n = 7, x on the first of the two digits", first_digit, AT_SEVEN, 0.6, 0.05);
    example_free(&ex);
}

static void check_solve_equation(void) {
    chomsky_under_test c;
    chomsky_open(&c, "chomsky/solve_equation", MAX_LENGTH);
    chomsky_check_shapes(&c, "DCF", 11, 5, NULL, chomsky_one_output, false);
    readable_case(&c, se_alphabet, "0", "0");                 /* the dummy of n < 3 */
    readable_case(&c, se_alphabet, "00", "0");
    readable_case(&c, se_alphabet, "x=3", "3");
    readable_case(&c, se_alphabet, "-x=3", "2");
    readable_case(&c, se_alphabet, "(x)=4", "4");
    readable_case(&c, se_alphabet, "(-x)=1", "4");
    readable_case(&c, se_alphabet, "(x+2)=1", "4");           /* x is the first digit */
    readable_case(&c, se_alphabet, "(3-x)=1", "2");           /* x is the last digit */
    readable_case(&c, se_alphabet, "(3--x)=1", "3");          /* 3 + x */
    readable_case(&c, se_alphabet, "((1-x)-(-2))=0", "3");    /* 3 − x */
    readable_case(&c, se_alphabet, "(2-(3-x))=3", "4");       /* −1 + x */
    readable_case(&c, se_alphabet, "(-1+(x-4))=0", "0");      /* x − 5 */
    readable_case(&c, se_alphabet, "(((4)+(-2))-(x+-3))=2", "3"); /* 2 − x + 3 */
    chomsky_check_random(&c, solve_equation_evaluate, RANDOM_SAMPLES);
    check_solve_equation_sampling(&c);
    chomsky_close(&c);
}

int main(void) {
    check_stack_manipulation();
    check_reverse_string();
    check_modular_arithmetic_brackets();
    check_solve_equation();
    return test_finish("test_chomsky_dcf");
}
