/* bits.h — binary numbers as arrays of bit tokens, shared by the arithmetic tasks
 * (binary_addition, binary_multiplication, compute_sqrt). Their numbers have up to
 * hundreds of bits, so they live in int32_t arrays of 0/1, never in an integer type. */
#ifndef ATTNBENCH_CHOMSKY_BITS_H
#define ATTNBENCH_CHOMSKY_BITS_H

#include <stdint.h>

#include "core/rng.h"

/* The separator of binary_addition (`+`) and binary_multiplication (`*`). */
enum { CHOMSKY_OPERATOR = 2 };

/* len ≥ 1 uniform bits that are not all zero: a uniform draw from 1..2^len − 1
 * (Python's random.randint(1, 2**len - 1)) in len bits, leading zeros included.
 * Rejection sampling: all-zero draws are drawn again. */
void chomsky_sample_nonzero_bits(rng *r, int len, int32_t *bits);

/* The input of binary_addition and binary_multiplication at length n (the original
 * _sample_expressions_and_results). n ≤ 2: a number U{0..2^n − 2} (numpy's exclusive
 * upper bound 2^n − 1, so n = 1 always gives 0) in n little-endian bits, with no
 * separator. n ≥ 3: n_len = U{1..n−2}, m_len = n − 1 − n_len; then n and m drawn
 * from U{1..2^len − 1} and written little-endian, zero-padded to their lengths, as
 * n, CHOMSKY_OPERATOR, m. */
void chomsky_sample_operands(rng *r, int n, int32_t *input);

/* Bits of the little-endian number x[0..len) without its trailing (most significant)
 * zeros; at least 1, so 0 is written "0". */
int chomsky_bits_length(const int32_t *x, int len);

#endif
