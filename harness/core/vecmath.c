/* vecmath.c — SIMD-friendly exp, max and scale over rows (see vecmath.h). */
#include "core/vecmath.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

real vec_max(const real *x, int n) {
    real max = x[0];
#pragma omp simd reduction(max : max)
    for (int i = 1; i < n; i++) max = x[i] > max ? x[i] : max;
    return max;
}

void vec_scale(real *x, real scale, int n) {
#pragma omp simd
    for (int i = 0; i < n; i++) x[i] *= scale;
}

#ifdef ATTNBENCH_DOUBLE

double vec_exp_sum(real *x, real shift, int n) {
    double sum = 0;
    for (int i = 0; i < n; i++) sum += x[i] = exp(x[i] - shift);
    return sum;
}

#else

/* Four floats at a time with GCC's vector extension (plain SSE2 on x86-64). */
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));

static inline v4f splat(float value) { return (v4f){value, value, value, value}; }

/* Lanes of a where mask is set, else lanes of b. */
static inline v4f select(v4i mask, v4f a, v4f b) { return (v4f)(((v4i)a & mask) | ((v4i)b & ~mask)); }

/* exp(x) lane by lane: clamp to [−87.3, 88.3], n = round(x / ln 2) by adding and
 * subtracting 1.5·2^23, r = x − n·ln 2 in two parts, a degree-6 polynomial in r, and
 * 2^n written into the exponent bits; lanes below −87.3 (masked scores at −∞ among
 * them) give exactly 0. */
static inline v4f exp_v4(v4f x) {
    const v4i underflow = x < splat(-87.3f);
    x = select(underflow, splat(-87.3f), x);
    x = select(x > splat(88.3f), splat(88.3f), x);
    const v4f round_magic = splat(12582912.0f);
    const v4f n = (x * splat(1.44269504088896341f) + round_magic) - round_magic;
    const v4f r = (x - n * splat(0.693359375f)) - n * splat(-2.12194440e-4f);
    v4f p = splat(1.9875691500e-4f);
    p = p * r + splat(1.3981999507e-3f);
    p = p * r + splat(8.3334519073e-3f);
    p = p * r + splat(4.1665795894e-2f);
    p = p * r + splat(1.6666665459e-1f);
    p = p * r + splat(5.0000001201e-1f);
    p = p * r * r + r + splat(1.0f);
    const v4i bits = (__builtin_convertvector(n, v4i) + 127) << 23;
    return select(underflow, splat(0), p * (v4f)bits);
}

/* One block of at most 256 values: exp in place, the sum in four float lanes. */
static double exp_sum_block(float *x, float shift, int n) {
    v4f sum = splat(0);
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        v4f v;
        memcpy(&v, x + i, sizeof v);
        v = exp_v4(v - splat(shift));
        memcpy(x + i, &v, sizeof v);
        sum += v;
    }
    if (i < n) { /* the ragged end, padded with lanes that are computed and dropped */
        v4f v = splat(shift);
        memcpy(&v, x + i, sizeof(float) * (size_t)(n - i));
        v = exp_v4(v - splat(shift));
        memcpy(x + i, &v, sizeof(float) * (size_t)(n - i));
        for (int lane = 0; lane < n - i; lane++) sum[lane] += v[lane];
    }
    return ((double)sum[0] + sum[1]) + ((double)sum[2] + sum[3]);
}

/* Blocks of 256 summed in float lanes, the blocks in double: fast, and as accurate as
 * a double sum for the rows of a softmax (every value at most 1). */
double vec_exp_sum(real *x, real shift, int n) {
    double total = 0;
    for (int start = 0; start < n; start += 256)
        total += exp_sum_block(x + start, shift, n - start < 256 ? n - start : 256);
    return total;
}

#endif
