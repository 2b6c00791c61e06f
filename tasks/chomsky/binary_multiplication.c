/* binary_multiplication.c — Binary Multiplication (context-sensitive): the product of two
 * binary numbers.
 *
 * Input: as binary_addition (chomsky_sample_operands), with 2 read as `*`. Output, n
 * outputs (not n + 1) over {0, 1, 2}: the product little-endian without trailing zeros,
 * the end token 2, then 0-padding; scored up to and including the end token.
 *
 * The product always fits: operands of n_len and m_len bits have a product of at most
 * n_len + m_len = n − 1 bits, so with the end token it takes at most n outputs (exactly
 * n when the product has all n − 1 bits, e.g. 3 × 3 = 9 at n = 5: "11*11" → 1001 then 2).
 * For n ≤ 2 there is no separator and the original sets the target to n − 1 zeros then
 * the end token ([2] and [0, 2]) whatever the input; this task does the same, and also for
 * any input without a separator (which the sampler never makes at n ≥ 3). */
#include <stdlib.h>

#include "tasks/chomsky/bits.h"
#include "tasks/chomsky/chomsky.h"

#include "core/check.h"

static const char *const symbol_names[] = {"0", "1", "*"};

static int sample(rng *r, int n, int32_t *input) {
    chomsky_sample_operands(r, n, input);
    return n;
}

/* acc[0..*acc_len) ← acc × bits[0..len), little-endian (schoolbook: column sums in
 * columns, then one carry pass). The product has at most *acc_len + len bits. */
static void multiply_into(int32_t *acc, int *acc_len, const int32_t *bits, int len, int32_t *columns) {
    const int out_len = *acc_len + len;
    for (int k = 0; k < out_len; k++) columns[k] = 0;
    for (int i = 0; i < *acc_len; i++)
        if (acc[i])
            for (int j = 0; j < len; j++) columns[i + j] += bits[j];
    int32_t carry = 0;
    for (int k = 0; k < out_len; k++) {
        const int32_t v = columns[k] + carry;
        acc[k] = v & 1;
        carry = v >> 1;
    }
    CHECK(carry == 0);
    *acc_len = out_len;
}

/* The numbers are the runs between separators (two for every sampled input of length
 * ≥ 3). k runs hold n − (k − 1) ≤ n − 1 bits in all, which bounds the product's bits. */
static void solve(const int32_t *input, int n, int32_t *target) {
    for (int k = 0; k < n; k++) target[k] = 0;
    int separators = 0;
    for (int i = 0; i < n; i++) separators += input[i] == CHOMSKY_OPERATOR;
    if (n <= 2 || separators == 0) {
        target[n - 1] = CHOMSKY_END_TOKEN;
        return;
    }
    int32_t *acc = malloc(sizeof *acc * (size_t)n), *columns = malloc(sizeof *columns * (size_t)n);
    CHECK(acc != NULL && columns != NULL);
    int acc_len = 0;
    for (int start = 0; start <= n;) {
        int end = start;
        while (end < n && input[end] != CHOMSKY_OPERATOR) end++;
        if (start == 0) {
            for (int i = 0; i < end; i++) acc[i] = input[i];
            acc_len = end;
        } else {
            multiply_into(acc, &acc_len, input + start, end - start, columns);
        }
        start = end + 1;
    }
    CHECK(acc_len <= n - 1);
    for (int k = 0; k < acc_len; k++) target[k] = acc[k];
    const int len = chomsky_bits_length(target, n);
    CHECK(len < n);
    target[len] = CHOMSKY_END_TOKEN;
    free(acc);
    free(columns);
}

static const chomsky_spec spec = {
    .symbols = 3,
    .symbol_names = symbol_names,
    .classes = 3,
    .output_length = chomsky_n_outputs,
    .terminated = true,
    .sample = sample,
    .solve = solve,
};

CHOMSKY_TASK(chomsky_binary_multiplication, spec, "chomsky/binary_multiplication", "CS", 13,
             "Binary Multiplication (CS): n * m in little-endian binary → the product, end token 2, 0-padding");
