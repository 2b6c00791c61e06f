/* test_chomsky_cs.c — the context-sensitive (CS) tasks of the Chomsky benchmark: each on
 * hand-written cases from its definition, on random examples against an evaluator
 * written here (the arithmetic ones in base-2^16 limbs, not bit arrays), on facts of its
 * input distribution, and its alphabets and output lengths at every input length
 * 1..500. Purity, disjoint splits and the golden hashes: test_task_registry. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chomsky_checks.h"
#include "testing.h"

enum { MAX_LENGTH = 500, RANDOM_SAMPLES = 1000, SEPARATOR = 2, END = 2 };

/* ---- numbers in base 2^16 limbs, little-endian: the test's own arithmetic ---- */

enum { LIMBS = 48 }; /* 768 bits: above the 2·MAX_LENGTH + 2 any evaluator needs */

typedef struct big {
    uint32_t limb[LIMBS];
} big;

static big big_zero(void) {
    big a;
    memset(&a, 0, sizeof a);
    return a;
}

/* The number whose bit i is bits[i·stride] (stride −1 reads big-endian from the end). */
static big big_from_bits(const int32_t *bits, int len, int stride) {
    big a = big_zero();
    for (int i = 0; i < len; i++)
        if (bits[i * stride]) a.limb[i / 16] |= 1u << (i % 16);
    return a;
}

static int big_bit(const big *a, int i) { return (int)((a->limb[i / 16] >> (i % 16)) & 1u); }

static int big_bits(const big *a) {
    for (int i = LIMBS * 16 - 1; i >= 0; i--)
        if (big_bit(a, i)) return i + 1;
    return 0;
}

static big big_add(const big *a, const big *b) {
    big s = big_zero();
    uint32_t carry = 0;
    for (int i = 0; i < LIMBS; i++) {
        const uint32_t v = a->limb[i] + b->limb[i] + carry;
        s.limb[i] = v & 0xffffu;
        carry = v >> 16;
    }
    return s;
}

static big big_mul(const big *a, const big *b) {
    uint64_t columns[2 * LIMBS] = {0};
    for (int i = 0; i < LIMBS; i++)
        for (int j = 0; j < LIMBS; j++) columns[i + j] += (uint64_t)a->limb[i] * b->limb[j];
    big p = big_zero();
    uint64_t carry = 0;
    for (int k = 0; k < 2 * LIMBS; k++) {
        const uint64_t v = columns[k] + carry;
        if (k < LIMBS) p.limb[k] = (uint32_t)(v & 0xffffu);
        carry = v >> 16;
    }
    return p;
}

static int big_cmp(const big *a, const big *b) {
    for (int i = LIMBS - 1; i >= 0; i--)
        if (a->limb[i] != b->limb[i]) return a->limb[i] < b->limb[i] ? -1 : 1;
    return 0;
}

/* target[0..outputs): x little-endian without trailing zeros (0 as "0"), END, 0s. */
static void write_terminated(const big *x, int outputs, int32_t *target) {
    const int bits = big_bits(x) > 0 ? big_bits(x) : 1;
    for (int k = 0; k < outputs; k++) target[k] = k < bits ? big_bit(x, k) : k == bits ? END : 0;
}

/* The position of the separator, or −1. */
static int separator_at(const int32_t *input, int n) {
    for (int i = 0; i < n; i++)
        if (input[i] == SEPARATOR) return i;
    return -1;
}

/* ---- example access for the distribution facts ---- */

static void example_of(const chomsky_under_test *c, int64_t index, int n, example *ex) {
    example_request request = {.seed = 0, .split = SPLIT_TEST, .index = index, .length = n};
    error_info err = {0};
    if (c->task.ops->example(c->task.state, &request, ex, &err) != 0) {
        test_check(false, "example", "%s at length %d: %s", c->task.ops->name, n, err.message);
        exit(1);
    }
}

/* ---- output lengths as the spec states them ---- */

static int twice(int n) { return 2 * n; }
static int one_more(int n) { return n + 1; }
static int same(int n) { return n; }
static int half_up(int n) { return n / 2 + n % 2; }

/* ---- Duplicate String ---- */

static int duplicate_evaluate(const int32_t *input, int n, int32_t *target) {
    for (int k = 0; k < 2 * n; k++) target[k] = input[k % n];
    return 2 * n;
}

static void check_duplicate_string(void) {
    chomsky_under_test c;
    chomsky_open(&c, "chomsky/duplicate_string", MAX_LENGTH);
    chomsky_check_shapes(&c, "CS", 2, 2, NULL, twice, false);
    chomsky_check_case(&c, "0", "00");
    chomsky_check_case(&c, "1", "11");
    chomsky_check_case(&c, "101", "101101");
    chomsky_check_case(&c, "0011", "00110011");
    chomsky_check_random(&c, duplicate_evaluate, RANDOM_SAMPLES);
    chomsky_close(&c);
}

/* ---- Missing Duplicate ---- */

/* w rebuilt from whichever copy shows each bit; the class is w's bit at the hidden
 * position. n = 1: 1. */
static int missing_duplicate_evaluate(const int32_t *input, int n, int32_t *target) {
    target[0] = 1;
    const int half = n / 2;
    for (int i = 0; i < half; i++) {
        const int32_t first = input[i], second = input[half + i];
        if (first == 2) target[0] = second;
        if (second == 2) target[0] = first;
    }
    return 1;
}

static void check_missing_duplicate_facts(const chomsky_under_test *c) {
    example ex;
    example_alloc(&ex, &c->task.info);
    enum { N_POSITIONS = 7, PER_LENGTH = 400 };
    int bad = 0, first_bad_n = 0;
    bool hidden_seen[N_POSITIONS - 1] = {false};
    for (int n = 1; n <= MAX_LENGTH; n++) {
        const int count = n <= 12 ? PER_LENGTH : 2;
        for (int i = 0; i < count; i++) {
            example_of(c, i, n, &ex);
            const int half = n / 2;
            bool ok = true;
            int hidden = -1, hidden_count = 0;
            if (n == 1) ok = ex.tokens[0] == 1 && ex.targets[0] == 1;
            for (int p = 0; ok && p < 2 * half; p++) {
                if (ex.tokens[p] == 2) {
                    hidden = p;
                    hidden_count++;
                } else {
                    const int32_t other = ex.tokens[p < half ? p + half : p - half];
                    ok = ex.tokens[p] <= 1 && (other == 2 || other == ex.tokens[p]);
                }
            }
            if (n > 1) ok = ok && hidden_count == 1;
            if (n > 1 && n % 2 == 1) ok = ok && ex.tokens[n - 1] == 3;
            if (!ok && bad++ == 0) first_bad_n = n;
            if (n == N_POSITIONS && hidden >= 0) hidden_seen[hidden] = true;
        }
    }
    test_check(bad == 0, "missing_duplicate: inputs are ww with exactly one position hidden, pad 3 last iff n odd",
               "%d bad examples (first at length %d)", bad, first_bad_n);
    int seen = 0;
    for (int p = 0; p < N_POSITIONS - 1; p++) seen += hidden_seen[p];
    test_check(seen == N_POSITIONS - 1, "missing_duplicate: every position 0..5 is hidden at length 7",
               "%d of 6 seen in %d examples", seen, PER_LENGTH);
    example_free(&ex);
}

static void check_missing_duplicate_string(void) {
    chomsky_under_test c;
    chomsky_open(&c, "chomsky/missing_duplicate_string", MAX_LENGTH);
    chomsky_check_shapes(&c, "CS", 4, 2, NULL, chomsky_one_output, false);
    chomsky_check_case(&c, "1", "1");       /* n = 1: fixed class 1 */
    chomsky_check_case(&c, "20", "0");      /* ?0: the second copy shows 0 */
    chomsky_check_case(&c, "12", "1");
    chomsky_check_case(&c, "123", "1");     /* w = 1, odd n padded */
    chomsky_check_case(&c, "2101", "0");    /* ?1 01 */
    chomsky_check_case(&c, "01100210", "1"); /* the original docstring: 0110 0?10 */
    chomsky_check_case(&c, "1011213", "0");  /* the original docstring: 101 1?1 pad */
    chomsky_check_case(&c, "0000", "1");    /* nothing hidden (never sampled): 1 */
    chomsky_check_random(&c, missing_duplicate_evaluate, RANDOM_SAMPLES);
    check_missing_duplicate_facts(&c);
    chomsky_close(&c);
}

/* ---- Odds First ---- */

/* 1-indexed: t₂ t₄ … (⌊n/2⌋ of them) then t₁ t₃ …. */
static int odds_first_evaluate(const int32_t *input, int n, int32_t *target) {
    const int evens = n / 2;
    for (int k = 0; k < n; k++) target[k] = k < evens ? input[2 * (k + 1) - 1] : input[2 * (k - evens + 1) - 2];
    return n;
}

static void check_odds_first(void) {
    chomsky_under_test c;
    chomsky_open(&c, "chomsky/odds_first", MAX_LENGTH);
    chomsky_check_shapes(&c, "CS", 2, 2, NULL, same, false);
    chomsky_check_case(&c, "1", "1");
    chomsky_check_case(&c, "01", "10");
    chomsky_check_case(&c, "100", "010");
    /* The original docstring's example gives 0100 0111 (paper order); the code gives: */
    chomsky_check_case(&c, "00110101", "01110100");
    /* The order itself, with distinct labels in place of bits (solve only permutes). */
    chomsky_check_case(&c, "1234567", "2461357");
    chomsky_check_case(&c, "123456", "246135");
    chomsky_check_random(&c, odds_first_evaluate, RANDOM_SAMPLES);
    chomsky_close(&c);
}

/* ---- Binary Addition and Multiplication ---- */

/* The operands of a sampled input: a (before the separator) and b (after it; 0 when
 * there is none, at n ≤ 2). */
static void operands(const int32_t *input, int n, big *a, big *b) {
    const int sep = separator_at(input, n);
    *a = big_from_bits(input, sep >= 0 ? sep : n, 1);
    *b = sep >= 0 ? big_from_bits(input + sep + 1, n - sep - 1, 1) : big_zero();
}

static int addition_evaluate(const int32_t *input, int n, int32_t *target) {
    big a, b;
    operands(input, n, &a, &b);
    const big sum = big_add(&a, &b);
    write_terminated(&sum, n + 1, target);
    return n + 1;
}

static int multiplication_evaluate(const int32_t *input, int n, int32_t *target) {
    if (n <= 2) {
        for (int k = 0; k < n; k++) target[k] = k == n - 1 ? END : 0;
        return n;
    }
    big a, b;
    operands(input, n, &a, &b);
    const big product = big_mul(&a, &b);
    write_terminated(&product, n, target);
    return n;
}

/* Inputs of both tasks (one sampler): n ≤ 2 a number below 2^n − 1 without separator;
 * n ≥ 3 one separator with a nonzero operand of at least one bit on each side. At n = 3
 * that leaves only "121"; at n = 6 every split 1..4 and zero-padded operands occur. */
static void check_operand_facts(const chomsky_under_test *c) {
    example ex;
    example_alloc(&ex, &c->task.info);
    enum { PER_LENGTH = 400, SMALL = 12 };
    const char *name = c->task.ops->name;
    int bad = 0, first_bad_n = 0;
    bool split_seen[6] = {false}, n2_seen[4] = {false};
    int padded = 0, full = 0;
    for (int n = 1; n <= MAX_LENGTH; n++) {
        const int count = n <= SMALL ? PER_LENGTH : 2;
        for (int i = 0; i < count; i++) {
            example_of(c, i, n, &ex);
            bool ok = ex.length - ex.n_outputs == n;
            if (n <= 2) {
                ok = ok && separator_at(ex.tokens, n) < 0;
                const int value = ex.tokens[0] + (n == 2 ? 2 * ex.tokens[1] : 0);
                ok = ok && value <= (1 << n) - 2;
                if (n == 2 && ok) n2_seen[value] = true;
            } else {
                const int sep = separator_at(ex.tokens, n);
                int separators = 0, ones_a = 0, ones_b = 0;
                for (int t = 0; t < n; t++) {
                    separators += ex.tokens[t] == SEPARATOR;
                    if (ex.tokens[t] == 1 && t < sep) ones_a++;
                    if (ex.tokens[t] == 1 && t > sep) ones_b++;
                }
                ok = ok && separators == 1 && sep >= 1 && sep <= n - 2 && ones_a > 0 && ones_b > 0;
                if (n == 3) ok = ok && ex.tokens[0] == 1 && ex.tokens[2] == 1;
                if (n == 6 && ok) {
                    split_seen[sep] = true;
                    padded += ex.tokens[sep - 1] == 0;
                    full += ex.tokens[sep - 1] == 1;
                }
            }
            if (!ok && bad++ == 0) first_bad_n = n;
        }
    }
    test_check(bad == 0, "operands: n ≤ 2 one number < 2^n − 1 without separator; else a,2,b with a, b nonzero",
               "%s: %d bad examples (first at length %d)", name, bad, first_bad_n);
    test_check(n2_seen[0] && n2_seen[1] && n2_seen[2] && !n2_seen[3], "operands at n = 2: 00, 10, 01 occur, 11 never",
               "%s: seen 0:%d 1:%d 2:%d 3:%d", name, n2_seen[0], n2_seen[1], n2_seen[2], n2_seen[3]);
    test_check(split_seen[1] && split_seen[2] && split_seen[3] && split_seen[4],
               "operands at n = 6: the separator falls at every position 1..4", "%s: seen %d%d%d%d", name,
               split_seen[1], split_seen[2], split_seen[3], split_seen[4]);
    test_check(padded > 0 && full > 0, "operands at n = 6: the first operand is sometimes zero-padded, sometimes not",
               "%s: padded %d, full %d", name, padded, full);
    example_free(&ex);
}

/* "1…1" (ones ones), "2", then tail: an input of long operands. */
static void long_input(char *text, int ones, const char *tail) {
    memset(text, '1', (size_t)ones);
    text[ones] = '2';
    strcpy(text + ones + 1, tail);
}

static void check_binary_addition(void) {
    chomsky_under_test c;
    chomsky_open(&c, "chomsky/binary_addition", MAX_LENGTH);
    chomsky_check_shapes(&c, "CS", 3, 3, NULL, one_more, true);
    chomsky_check_case(&c, "0", "02");     /* n ≤ 2: the number itself */
    chomsky_check_case(&c, "00", "020");
    chomsky_check_case(&c, "10", "120");
    chomsky_check_case(&c, "01", "012");
    chomsky_check_case(&c, "121", "0120"); /* 1 + 1 = 2 */
    chomsky_check_case(&c, "101211", "0001200"); /* 5 + 3 = 8 */
    chomsky_check_case(&c, "11211", "011200");   /* 3 + 3 = 6 */
    chomsky_check_case(&c, "1112111", "01112000"); /* 7 + 7 = 14: the sum takes n − 2 bits */
    chomsky_check_case(&c, "001201101", "0101120000"); /* the original docstring: 4 + 22 = 26 */
    chomsky_check_case(&c, "10012000001", "100101200000"); /* 9 + 32 = 41 (the docstring drops a 0) */
    /* (2^249 − 1) + 1 = 2^249: a carry through 249 bits. */
    static char input[300], expected[300];
    long_input(input, 249, "1");
    memset(expected, '0', 252);
    expected[249] = '1';
    expected[250] = '2';
    expected[252] = '\0';
    chomsky_check_case(&c, input, expected);
    chomsky_check_random(&c, addition_evaluate, RANDOM_SAMPLES);
    check_operand_facts(&c);
    chomsky_close(&c);
}

static void check_binary_multiplication(void) {
    chomsky_under_test c;
    chomsky_open(&c, "chomsky/binary_multiplication", MAX_LENGTH);
    chomsky_check_shapes(&c, "CS", 3, 3, NULL, same, true);
    chomsky_check_case(&c, "0", "2"); /* n ≤ 2: fixed targets whatever the input */
    chomsky_check_case(&c, "00", "02");
    chomsky_check_case(&c, "10", "02");
    chomsky_check_case(&c, "01", "02");
    chomsky_check_case(&c, "121", "120");       /* 1 × 1 = 1 */
    chomsky_check_case(&c, "11211", "10012");   /* 3 × 3 = 9: n − 1 bits, the end token last */
    chomsky_check_case(&c, "101211", "111120"); /* 5 × 3 = 15 */
    chomsky_check_case(&c, "01201", "00120");   /* 2 × 2 = 4 */
    chomsky_check_case(&c, "001201101", "000110120");     /* the original docstring: 4 × 22 = 88 */
    chomsky_check_case(&c, "10012000001", "00000100120"); /* the original docstring: 9 × 32 = 288 */
    /* (2^200 − 1)² = 2^400 − 2^201 + 1 = LE 1, 200 zeros, 199 ones: exactly n outputs. */
    static char input[500], expected[500];
    long_input(input, 200, "");
    memset(input + 201, '1', 200);
    input[401] = '\0';
    expected[0] = '1';
    memset(expected + 1, '0', 200);
    memset(expected + 201, '1', 199);
    expected[400] = '2';
    expected[401] = '\0';
    chomsky_check_case(&c, input, expected);
    chomsky_check_random(&c, multiplication_evaluate, RANDOM_SAMPLES);
    check_operand_facts(&c);
    chomsky_close(&c);
}

/* ---- Compute Sqrt ---- */

/* v from n big-endian bits; r = ⌊√v⌋ bit by bit from the top (keep a bit when
 * (r + bit)² ≤ v), written in ⌈n/2⌉ big-endian bits. */
static int sqrt_evaluate(const int32_t *input, int n, int32_t *target) {
    const big v = big_from_bits(input + n - 1, n, -1);
    const int outputs = half_up(n);
    big r = big_zero();
    for (int k = outputs - 1; k >= 0; k--) {
        big candidate = r;
        candidate.limb[k / 16] |= 1u << (k % 16);
        const big square = big_mul(&candidate, &candidate);
        if (big_cmp(&square, &v) <= 0) r = candidate;
    }
    for (int j = 0; j < outputs; j++) target[j] = big_bit(&r, outputs - 1 - j);
    return outputs;
}

/* Every example: input not all zero (v ≥ 1), and its target r satisfies r² ≤ v < (r+1)².
 * n = 1 is always "1"; at n = 2 all of 01, 10, 11 occur; at n = 8 leading zeros occur. */
static void check_sqrt_facts(const chomsky_under_test *c) {
    example ex;
    example_alloc(&ex, &c->task.info);
    enum { PER_LENGTH = 200, SMALL = 8 };
    int bad_zero = 0, bad_root = 0, first_bad_n = 0, examples = 0, leading_zero = 0, leading_one = 0;
    bool n2_seen[4] = {false};
    const big one = big_from_bits((const int32_t[]){1}, 1, 1);
    for (int n = 1; n <= MAX_LENGTH; n++) {
        const int count = n <= SMALL ? PER_LENGTH : 2;
        for (int i = 0; i < count; i++, examples++) {
            example_of(c, i, n, &ex);
            const big v = big_from_bits(ex.tokens + n - 1, n, -1);
            const big r = big_from_bits(ex.targets + ex.n_outputs - 1, ex.n_outputs, -1);
            const big r1 = big_add(&r, &one);
            const big square = big_mul(&r, &r), next = big_mul(&r1, &r1);
            const bool zero = big_bits(&v) == 0;
            const bool root = big_cmp(&square, &v) <= 0 && big_cmp(&v, &next) < 0;
            bad_zero += zero;
            bad_root += !root;
            if ((zero || !root) && first_bad_n == 0) first_bad_n = n;
            if (n == 1 && ex.tokens[0] != 1) bad_zero++;
            if (n == 2) n2_seen[2 * ex.tokens[0] + ex.tokens[1]] = true;
            if (n == SMALL) {
                leading_zero += ex.tokens[0] == 0;
                leading_one += ex.tokens[0] == 1;
            }
        }
    }
    test_check(bad_zero == 0, "compute_sqrt: the input is never all zeros (v ≥ 1)",
               "%d of %d examples are (first at length %d)", bad_zero, examples, first_bad_n);
    test_check(bad_root == 0, "compute_sqrt: every target r has r² ≤ v < (r+1)²",
               "%d of %d examples fail (first at length %d)", bad_root, examples, first_bad_n);
    test_check(!n2_seen[0] && n2_seen[1] && n2_seen[2] && n2_seen[3],
               "compute_sqrt at n = 2: 01, 10, 11 occur, 00 never",
               "seen 00:%d 01:%d 10:%d 11:%d", n2_seen[0], n2_seen[1], n2_seen[2], n2_seen[3]);
    test_check(leading_zero > 0 && leading_one > 0, "compute_sqrt at n = 8: inputs with and without leading zeros",
               "leading 0: %d, leading 1: %d", leading_zero, leading_one);
    example_free(&ex);
}

static void check_compute_sqrt(void) {
    chomsky_under_test c;
    chomsky_open(&c, "chomsky/compute_sqrt", MAX_LENGTH);
    chomsky_check_shapes(&c, "CS", 2, 2, NULL, half_up, false);
    chomsky_check_case(&c, "1", "1");
    chomsky_check_case(&c, "01", "1");
    chomsky_check_case(&c, "11", "1");
    chomsky_check_case(&c, "100", "10");       /* √4 = 2 */
    chomsky_check_case(&c, "111", "10");       /* ⌊√7⌋ = 2 (the original docstring) */
    chomsky_check_case(&c, "10000", "100");    /* √16 = 4 */
    chomsky_check_case(&c, "01111", "011");    /* ⌊√15⌋ = 3 */
    chomsky_check_case(&c, "100101", "110");   /* ⌊√37⌋ = 6 (the docstring's "101" is wrong) */
    chomsky_check_case(&c, "0000001", "0001"); /* leading zeros in and out */
    chomsky_check_case(&c, "11111111", "1111"); /* ⌊√255⌋ = 15 */
    chomsky_check_case(&c, "100000000", "10000"); /* √256 = 16 */
    chomsky_check_case(&c, "0000", "00");      /* v = 0 (never sampled) */
    static char input[600], expected[600];
    /* √(2^498) = 2^249: 499 bits in, 250 out. */
    input[0] = '1';
    memset(input + 1, '0', 498);
    input[499] = '\0';
    expected[0] = '1';
    memset(expected + 1, '0', 249);
    expected[250] = '\0';
    chomsky_check_case(&c, input, expected);
    /* ⌊√(2^500 − 1)⌋ = 2^250 − 1. */
    memset(input, '1', 500);
    input[500] = '\0';
    memset(expected, '1', 250);
    expected[250] = '\0';
    chomsky_check_case(&c, input, expected);
    chomsky_check_random(&c, sqrt_evaluate, RANDOM_SAMPLES);
    check_sqrt_facts(&c);
    chomsky_close(&c);
}

/* ---- Bucket Sort ---- */

static int ascending(const void *a, const void *b) {
    const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static int bucket_sort_evaluate(const int32_t *input, int n, int32_t *target) {
    memcpy(target, input, sizeof *target * (size_t)n);
    qsort(target, (size_t)n, sizeof *target, ascending);
    return n;
}

static void check_bucket_sort(void) {
    chomsky_under_test c;
    chomsky_open(&c, "chomsky/bucket_sort", MAX_LENGTH);
    chomsky_check_shapes(&c, "CS", 5, 5, NULL, same, false);
    chomsky_check_case(&c, "4", "4");
    chomsky_check_case(&c, "43210", "01234");
    chomsky_check_case(&c, "3333", "3333");
    chomsky_check_case(&c, "10204112", "00111224"); /* the original docstring */
    chomsky_check_case(&c, "4040404", "0004444");
    chomsky_check_random(&c, bucket_sort_evaluate, RANDOM_SAMPLES);
    chomsky_close(&c);
}

int main(void) {
    check_duplicate_string();
    check_missing_duplicate_string();
    check_odds_first();
    check_binary_addition();
    check_binary_multiplication();
    check_compute_sqrt();
    check_bucket_sort();
    return test_finish("test_chomsky_cs");
}
