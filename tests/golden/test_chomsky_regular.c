/* test_chomsky_regular.c — the regular (R) tasks of the Chomsky benchmark: each on
 * hand-written cases from its definition, on random examples against an evaluator
 * written here, its alphabets and output lengths at every input length 1..500, facts
 * of its sampling distribution. Purity, disjoint splits and the golden hashes:
 * test_task_registry. */
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

/* How often each input symbol occurs in `samples` examples at lengths cycling through
 * 1..MAX_LENGTH; returns the total. */
static long count_symbols(const chomsky_under_test *c, int samples, long *counts) {
    example ex;
    example_alloc(&ex, &c->task.info);
    long total = 0;
    for (int i = 0; i < c->spec->symbols; i++) counts[i] = 0;
    for (int i = 0; i < samples && example_of(c, 10000 + i, 1 + i % MAX_LENGTH, &ex); i++)
        for (int t = 0; t < ex.length - ex.n_outputs; t++, total++) counts[ex.tokens[t]]++;
    example_free(&ex);
    return total;
}

/* Symbols first..last each make up a share in [lo, hi] of the sampled input symbols. */
static void check_uniform_symbols(const chomsky_under_test *c, int first, int last, double lo, double hi) {
    long counts[16];
    const long total = count_symbols(c, 200, counts);
    for (int s = first; s <= last; s++) {
        const double share = (double)counts[s] / (double)total;
        char what[200];
        snprintf(what, sizeof what, "%s: symbol %s is %.4f of %ld sampled symbols, expected within [%.2f, %.2f]",
                 c->task.ops->name, c->spec->symbol_names[s], share, total, lo, hi);
        test_check(share >= lo && share <= hi, what, "out of range");
    }
}

/* chomsky_check_case with the input written in the task's own characters: alphabet[id]
 * is the character of id (e.g. "01234+-*_"). */
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

/* --- parity_check ----------------------------------------------------------------- */

static int parity_evaluate(const int32_t *input, int n, int32_t *target) {
    int parity = 0;
    for (int i = 0; i < n; i++) parity ^= input[i];
    target[0] = parity;
    return 1;
}

static void check_parity_check(void) {
    chomsky_under_test c;
    chomsky_open(&c, "chomsky/parity_check", MAX_LENGTH);
    chomsky_check_shapes(&c, "R", 2, 2, NULL, chomsky_one_output, false);
    chomsky_check_case(&c, "0", "0");
    chomsky_check_case(&c, "1", "1");
    chomsky_check_case(&c, "1011", "1");
    chomsky_check_case(&c, "110110", "0");
    chomsky_check_random(&c, parity_evaluate, RANDOM_SAMPLES);
    chomsky_close(&c);
}

/* --- even_pairs ------------------------------------------------------------------- */

/* Counts the unequal adjacent pairs (the task compares the first and last bits). */
static int even_pairs_evaluate(const int32_t *input, int n, int32_t *target) {
    int unequal = 0;
    for (int i = 0; i + 1 < n; i++) unequal += input[i] != input[i + 1];
    target[0] = unequal % 2;
    return 1;
}

static void check_even_pairs(void) {
    chomsky_under_test c;
    chomsky_open(&c, "chomsky/even_pairs", MAX_LENGTH);
    chomsky_check_shapes(&c, "R", 2, 2, NULL, chomsky_one_output, false);
    chomsky_check_case(&c, "0", "0");
    chomsky_check_case(&c, "1", "0");
    chomsky_check_case(&c, "01", "1");
    chomsky_check_case(&c, "11", "0");
    chomsky_check_case(&c, "011", "1");    /* pairs 01, 11: one unequal */
    chomsky_check_case(&c, "0110", "0");   /* 01, 11, 10: two */
    chomsky_check_case(&c, "10101", "0");  /* four */
    chomsky_check_case(&c, "100100", "1"); /* 10, 00, 01, 10, 00: three */
    chomsky_check_random(&c, even_pairs_evaluate, RANDOM_SAMPLES);
    check_uniform_symbols(&c, 0, 1, 0.47, 0.53);
    chomsky_close(&c);
}

/* --- modular_arithmetic ----------------------------------------------------------- */

enum { MA_MODULUS = 5, MA_PLUS = 5, MA_MINUS = 6, MA_TIMES = 7, MA_BLANK = 8 };
static const char ma_alphabet[] = "01234+-*_";

/* The input has odd length: an even request is shortened by one. */
static int odd_inputs(int n) { return n % 2 == 1 ? n : n - 1; }

/* The original code's steps: blanks become 0 (digit) or + (operator); each − becomes +
 * and negates the digit after it; the digits between +s are multiplied and the
 * products summed. */
static int modular_arithmetic_evaluate(const int32_t *input, int n, int32_t *target) {
    int digits[MAX_LENGTH] = {0}, ops[MAX_LENGTH] = {0};
    for (int i = 0; i < n; i++) {
        const int s = input[i];
        if (i % 2 == 0) digits[i / 2] = s == MA_BLANK ? 0 : s;
        else ops[i / 2] = s == MA_BLANK ? MA_PLUS : s;
    }
    const int n_digits = (n + 1) / 2;
    for (int k = 0; k + 1 < n_digits; k++)
        if (ops[k] == MA_MINUS) {
            ops[k] = MA_PLUS;
            digits[k + 1] = -digits[k + 1];
        }
    long sum = 0, product = digits[0];
    for (int k = 0; k + 1 < n_digits; k++) {
        if (ops[k] == MA_PLUS) {
            sum += product;
            product = digits[k + 1];
        } else {
            product = product * digits[k + 1] % MA_MODULUS;
        }
    }
    sum += product;
    target[0] = (int32_t)(((sum % MA_MODULUS) + MA_MODULUS) % MA_MODULUS);
    return 1;
}

/* Digits at even positions, operators at odd ones, never a blank; the digits and the
 * three operators each uniform. */
static void check_modular_arithmetic_sampling(const chomsky_under_test *c) {
    example ex;
    example_alloc(&ex, &c->task.info);
    int misplaced = 0;
    long counts[9] = {0}, digits = 0, ops = 0;
    for (int i = 0; i < 400 && example_of(c, 20000 + i, 1 + i % MAX_LENGTH, &ex); i++)
        for (int t = 0; t < ex.length - ex.n_outputs; t++) {
            const int s = ex.tokens[t];
            misplaced += t % 2 == 0 ? s >= MA_MODULUS : s < MA_PLUS || s > MA_TIMES;
            counts[s]++;
            if (t % 2 == 0) digits++;
            else ops++;
        }
    test_check(misplaced == 0 && counts[MA_BLANK] == 0, "modular_arithmetic: digits at even positions, operators at "
               "odd ones, no blank", "%d misplaced, %ld blanks", misplaced, counts[MA_BLANK]);
    for (int s = 0; s < MA_BLANK; s++) {
        const double share = (double)counts[s] / (double)(s < MA_MODULUS ? digits : ops);
        const double expected = s < MA_MODULUS ? 0.2 : 1.0 / 3;
        char what[200];
        snprintf(what, sizeof what, "modular_arithmetic: '%c' is %.4f of the %s positions, expected %.4f ± 0.02",
                 ma_alphabet[s], share, s < MA_MODULUS ? "digit" : "operator", expected);
        test_check(share > expected - 0.02 && share < expected + 0.02, what, "out of range");
    }
    example_free(&ex);
}

static void check_modular_arithmetic(void) {
    chomsky_under_test c;
    chomsky_open(&c, "chomsky/modular_arithmetic", MAX_LENGTH);
    chomsky_check_shapes(&c, "R", 9, 5, odd_inputs, chomsky_one_output, false);
    readable_case(&c, ma_alphabet, "3", "3");
    readable_case(&c, ma_alphabet, "2+3*4", "4");     /* 2 + 12 = 14 */
    readable_case(&c, ma_alphabet, "2*3+4", "0");     /* 6 + 4 = 10 */
    readable_case(&c, ma_alphabet, "1-2*3", "0");     /* 1 − 6 = −5 */
    readable_case(&c, ma_alphabet, "1+2*3", "2");     /* the original docstring's examples */
    readable_case(&c, ma_alphabet, "1-1-1", "4");
    readable_case(&c, ma_alphabet, "0*1+4*3-2", "0");
    readable_case(&c, ma_alphabet, "2*3-4*3", "4");   /* 6 − 12 = −6 */
    readable_case(&c, ma_alphabet, "4*4*4", "4");     /* 64 */
    readable_case(&c, ma_alphabet, "3-4", "4");
    readable_case(&c, ma_alphabet, "_", "0");         /* a blank digit is 0 */
    readable_case(&c, ma_alphabet, "3_4", "2");       /* a blank operator is + */
    readable_case(&c, ma_alphabet, "2*_+1", "1");
    chomsky_check_random(&c, modular_arithmetic_evaluate, RANDOM_SAMPLES);
    check_modular_arithmetic_sampling(&c);
    chomsky_close(&c);
}

/* --- cycle_navigation ------------------------------------------------------------- */

/* Walks the cycle one step at a time, wrapping explicitly: 0 back, 1 stay, 2 forward. */
static int cycle_navigation_evaluate(const int32_t *input, int n, int32_t *target) {
    int position = 0;
    for (int i = 0; i < n; i++) {
        if (input[i] == 0) position = position == 0 ? 4 : position - 1;
        else if (input[i] == 2) position = position == 4 ? 0 : position + 1;
    }
    target[0] = position;
    return 1;
}

static void check_cycle_navigation(void) {
    chomsky_under_test c;
    chomsky_open(&c, "chomsky/cycle_navigation", MAX_LENGTH);
    chomsky_check_shapes(&c, "R", 3, 5, NULL, chomsky_one_output, false);
    chomsky_check_case(&c, "1", "0");       /* stay */
    chomsky_check_case(&c, "2", "1");       /* forward */
    chomsky_check_case(&c, "0", "4");       /* back from 0 wraps to 4 */
    chomsky_check_case(&c, "00", "3");
    chomsky_check_case(&c, "012", "0");
    chomsky_check_case(&c, "22222", "0");   /* once round */
    chomsky_check_case(&c, "222222", "1");
    chomsky_check_case(&c, "000000", "4");  /* −6 */
    chomsky_check_case(&c, "0000002", "0"); /* −5 */
    chomsky_check_case(&c, "2221110", "2");
    chomsky_check_random(&c, cycle_navigation_evaluate, RANDOM_SAMPLES);
    check_uniform_symbols(&c, 0, 2, 0.31, 0.36);
    chomsky_close(&c);
}

int main(void) {
    check_parity_check();
    check_even_pairs();
    check_modular_arithmetic();
    check_cycle_navigation();
    return test_finish("test_chomsky_regular");
}
