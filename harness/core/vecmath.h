/* vecmath.h — vectorisable row kernels for attention's softmax.
 *
 * The exponentials of a T×T score matrix dominate attention at small head sizes, and
 * libm's expf is called one value at a time. In the float build vec_exp_sum uses a
 * branch-free Cephes-style exponential (range reduction by ln 2, a degree-6
 * polynomial, the exponent written into the bits; relative error below 2e-7 over the
 * whole range, results below e^-87.3 flushed to 0, so a score of −∞ is a key that
 * gets exactly no weight) that the compiler turns
 * into SIMD code. It is plain IEEE arithmetic without contraction, so it gives the same
 * bits on every x86-64 machine, with or without AVX2. The double build, used by the gradient tests, calls
 * libm's exp. */
#ifndef ATTNBENCH_VECMATH_H
#define ATTNBENCH_VECMATH_H

#include "core/real.h"

/* Largest of x[0..n), n ≥ 1. */
real vec_max(const real *x, int n);
/* x[i] = exp(x[i] − shift) in place; returns the sum of the results (in double). */
double vec_exp_sum(real *x, real shift, int n);
/* vec_exp_sum as compiled for plain x86-64 (SSE2); vec_exp_sum runs an AVX2 instance of
 * the same source where the CPU has AVX2, which must give the same bits (tests). */
double vec_exp_sum_baseline(real *x, real shift, int n);
/* out[i] = GELU(x[i]) = x Φ(x), the exact GELU (erf, not tanh); in the float build
 * through an eight-lane rational erf (absolute error below 1e-6). */
void vec_gelu(real *out, const real *x, int n);
/* dx[i] += dout[i] · GELU'(x[i]). */
void vec_gelu_backward(real *dx, const real *x, const real *dout, int n);
/* x[i] *= scale. */
void vec_scale(real *x, real scale, int n);

#endif
