/* binary_addition.c — Binary Addition (context-sensitive): the sum of two binary numbers.
 *
 * Input (chomsky_sample_operands): for n ≥ 3, n_len = U{1..n−2} and m_len = n − 1 − n_len;
 * n and m uniform in 1..2^len − 1, written little-endian and zero-padded to their
 * lengths, as n, `+` (2), m. For n ≤ 2 the original writes one number U{0..2^n − 2} in n
 * bits with no separator. Output, n + 1 outputs over {0, 1, 2}: the sum little-endian
 * without trailing zeros (0 is "0"), the end token 2, then 0-padding; scored up to and
 * including the end token. Without a separator the "sum" is that one number, as in the
 * original. */
#include "tasks/chomsky/bits.h"
#include "tasks/chomsky/chomsky.h"

#include "core/check.h"

static const char *const symbol_names[] = {"0", "1", "+"};

static int one_more(int n) { return n + 1; }

static int sample(rng *r, int n, int32_t *input) {
    chomsky_sample_operands(r, n, input);
    return n;
}

/* sum[0..cap) += bits[0..len), little-endian. */
static void add_into(int32_t *sum, int cap, const int32_t *bits, int len) {
    int32_t carry = 0;
    for (int i = 0; i < len || carry; i++) {
        CHECK(i < cap);
        const int32_t v = sum[i] + (i < len ? bits[i] : 0) + carry;
        sum[i] = v & 1;
        carry = v >> 1;
    }
}

/* The numbers are the runs between separators (two for every sampled input of length
 * ≥ 3, one below). Their sum has at most n bits, so the end token always fits. */
static void solve(const int32_t *input, int n, int32_t *target) {
    const int outputs = one_more(n);
    for (int k = 0; k < outputs; k++) target[k] = 0;
    for (int start = 0; start <= n;) {
        int end = start;
        while (end < n && input[end] != CHOMSKY_OPERATOR) end++;
        add_into(target, outputs, input + start, end - start);
        start = end + 1;
    }
    const int len = chomsky_bits_length(target, outputs);
    CHECK(len < outputs);
    target[len] = CHOMSKY_END_TOKEN;
}

static const chomsky_spec spec = {
    .symbols = 3,
    .symbol_names = symbol_names,
    .classes = 3,
    .output_length = one_more,
    .terminated = true,
    .sample = sample,
    .solve = solve,
};

CHOMSKY_TASK(chomsky_binary_addition, spec, "chomsky/binary_addition", "CS", 12,
             "Binary Addition (CS): n + m in little-endian binary → the sum, end token 2, 0-padding");
