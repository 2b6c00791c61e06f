/* real.h — the floating-point type of the numerical core.
 *
 * Training runs in float. The same sources are compiled a second time with
 * ATTNBENCH_DOUBLE defined into a double-precision library that only the gradient
 * tests link, so that finite differences check the very code that trains, at a
 * precision where central differences are meaningful. */
#ifndef ATTNBENCH_REAL_H
#define ATTNBENCH_REAL_H

#ifdef ATTNBENCH_DOUBLE
typedef double real;
#define REAL_EXP exp
#define REAL_LOG log
#define REAL_SQRT sqrt
#define REAL_ERF erf
#define REAL_TANH tanh
#define REAL_FABS fabs
#define REAL_COS cos
#define REAL_SIN sin
#define REAL_POW pow
#else
typedef float real;
#define REAL_EXP expf
#define REAL_LOG logf
#define REAL_SQRT sqrtf
#define REAL_ERF erff
#define REAL_TANH tanhf
#define REAL_FABS fabsf
#define REAL_COS cosf
#define REAL_SIN sinf
#define REAL_POW powf
#endif

#endif
