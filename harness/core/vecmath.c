/* vecmath.c — SIMD exp, erf-based GELU, max and scale over rows (see vecmath.h). */
#include "core/vecmath.h"

#include <math.h>
#include <stdbool.h>
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

double vec_exp_sum_baseline(real *x, real shift, int n) { return vec_exp_sum(x, shift, n); }

static const double inv_sqrt2 = 0.70710678118654752440, inv_sqrt_2pi = 0.39894228040143267794;

void vec_gelu(real *out, const real *x, int n) {
    for (int i = 0; i < n; i++) out[i] = 0.5 * x[i] * (1 + erf(x[i] * inv_sqrt2));
}

void vec_gelu_backward(real *dx, const real *x, const real *dout, int n) {
    for (int i = 0; i < n; i++) {
        const double cdf = 0.5 * (1 + erf(x[i] * inv_sqrt2)), pdf = exp(-0.5 * x[i] * x[i]) * inv_sqrt_2pi;
        dx[i] += dout[i] * (cdf + x[i] * pdf);
    }
}

#else

/* Eight floats at a time with GCC's vector extension. The same source is compiled
 * twice: for plain x86-64 (each operation becomes two SSE2 instructions) and for AVX2
 * (one instruction), chosen at run time. Both do the same IEEE operations on every
 * lane, without FMA, so they give the same bits. */
typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

#define ALWAYS_INLINE __attribute__((always_inline)) inline

/* The helpers below pass 32-byte vectors by value, which GCC warns changes the ABI
 * without AVX; they are always inlined, so no call with that ABI exists. */
#pragma GCC diagnostic ignored "-Wpsabi"

static ALWAYS_INLINE v8f splat(float value) { return (v8f){value, value, value, value, value, value, value, value}; }

/* Lanes of a where mask is set, else lanes of b. */
static ALWAYS_INLINE v8f select(v8i mask, v8f a, v8f b) { return (v8f)(((v8i)a & mask) | ((v8i)b & ~mask)); }

/* exp(x) lane by lane: clamp to [−87.3, 88.3], n = round(x / ln 2) by adding and
 * subtracting 1.5·2^23, r = x − n·ln 2 in two parts, a degree-6 polynomial in r, and
 * 2^n written into the exponent bits; lanes below −87.3 (masked scores at −∞ among
 * them) give exactly 0. */
static ALWAYS_INLINE v8f exp_v8(v8f x) {
    const v8i underflow = x < splat(-87.3f);
    x = select(underflow, splat(-87.3f), x);
    x = select(x > splat(88.3f), splat(88.3f), x);
    const v8f round_magic = splat(12582912.0f);
    const v8f n = (x * splat(1.44269504088896341f) + round_magic) - round_magic;
    const v8f r = (x - n * splat(0.693359375f)) - n * splat(-2.12194440e-4f);
    v8f p = splat(1.9875691500e-4f);
    p = p * r + splat(1.3981999507e-3f);
    p = p * r + splat(8.3334519073e-3f);
    p = p * r + splat(4.1665795894e-2f);
    p = p * r + splat(1.6666665459e-1f);
    p = p * r + splat(5.0000001201e-1f);
    p = p * r * r + r + splat(1.0f);
    const v8i bits = (__builtin_convertvector(n, v8i) + 127) << 23;
    return select(underflow, splat(0), p * (v8f)bits);
}

/* One block of at most 256 values: exp in place, the sum in eight float lanes, the
 * lanes added in double in a fixed order. */
static ALWAYS_INLINE double exp_sum_block(float *x, float shift, int n) {
    v8f sum = splat(0);
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        v8f v;
        memcpy(&v, x + i, sizeof v);
        v = exp_v8(v - splat(shift));
        memcpy(x + i, &v, sizeof v);
        sum += v;
    }
    if (i < n) { /* the ragged end, padded with lanes that are computed and dropped */
        v8f v = splat(shift);
        memcpy(&v, x + i, sizeof(float) * (size_t)(n - i));
        v = exp_v8(v - splat(shift));
        memcpy(x + i, &v, sizeof(float) * (size_t)(n - i));
        for (int lane = 0; lane < n - i; lane++) sum[lane] += v[lane];
    }
    double total = 0;
    for (int lane = 0; lane < 8; lane++) total += sum[lane];
    return total;
}

/* erf(x) lane by lane: x clamped to [−4, 4] (erf is ±1 in float beyond), then the odd
 * rational approximation x·P(x²)/Q(x²) of degrees 13 and 8 (Eigen's and XLA's float erf;
 * absolute error below 1e-6 over the whole line). */
static ALWAYS_INLINE v8f erf_v8(v8f x) {
    x = select(x < splat(-4.0f), splat(-4.0f), x);
    x = select(x > splat(4.0f), splat(4.0f), x);
    const v8f x2 = x * x;
    v8f p = splat(-2.72614225801306e-10f);
    p = p * x2 + splat(2.77068142495902e-08f);
    p = p * x2 + splat(-2.10102402082508e-06f);
    p = p * x2 + splat(-5.69250639462346e-05f);
    p = p * x2 + splat(-7.34990630326855e-04f);
    p = p * x2 + splat(-2.95459980854025e-03f);
    p = p * x2 + splat(-1.60960333262415e-02f);
    v8f q = splat(-1.45660718464996e-05f);
    q = q * x2 + splat(-2.13374055278905e-04f);
    q = q * x2 + splat(-1.68282697438203e-03f);
    q = q * x2 + splat(-7.37332916720468e-03f);
    q = q * x2 + splat(-1.42647390514189e-02f);
    return x * p / q;
}

/* Lanes [0, n) of x loaded into a vector (the rest 0), and stored back. */
static ALWAYS_INLINE v8f load_lanes(const float *x, int n) {
    v8f v = splat(0);
    memcpy(&v, x, sizeof(float) * (size_t)n);
    return v;
}

static ALWAYS_INLINE void store_lanes(float *x, v8f v, int n) { memcpy(x, &v, sizeof(float) * (size_t)n); }

/* GELU(x) = x · Φ(x), Φ(x) = ½ (1 + erf(x/√2)). */
static ALWAYS_INLINE void gelu_block(float *out, const float *x, int n) {
    for (int i = 0; i < n; i += 8) {
        const int lanes = n - i < 8 ? n - i : 8;
        const v8f v = load_lanes(x + i, lanes);
        store_lanes(out + i, splat(0.5f) * v * (splat(1) + erf_v8(v * splat(0.70710678118654752f))), lanes);
    }
}

/* dx += dout · (Φ(x) + x φ(x)), φ(x) = exp(−x²/2) / √(2π). */
static ALWAYS_INLINE void gelu_backward_block(float *dx, const float *x, const float *dout, int n) {
    for (int i = 0; i < n; i += 8) {
        const int lanes = n - i < 8 ? n - i : 8;
        const v8f v = load_lanes(x + i, lanes);
        const v8f cdf = splat(0.5f) * (splat(1) + erf_v8(v * splat(0.70710678118654752f)));
        const v8f pdf = exp_v8(splat(-0.5f) * v * v) * splat(0.39894228040143267794f);
        store_lanes(dx + i, load_lanes(dx + i, lanes) + load_lanes(dout + i, lanes) * (cdf + v * pdf), lanes);
    }
}

/* Blocks of 256 summed in float lanes, the blocks in double: fast, and as accurate as
 * a double sum for the rows of a softmax (every value at most 1). */
#define EXP_SUM(name, attributes)                                                          \
    attributes static double name(real *x, real shift, int n) {                            \
        double total = 0;                                                                  \
        for (int start = 0; start < n; start += 256)                                       \
            total += exp_sum_block(x + start, shift, n - start < 256 ? n - start : 256);   \
        return total;                                                                      \
    }

EXP_SUM(exp_sum_baseline, )

double vec_exp_sum_baseline(real *x, real shift, int n) { return exp_sum_baseline(x, shift, n); }

static void gelu_baseline(real *out, const real *x, int n) { gelu_block(out, x, n); }

static void gelu_backward_baseline(real *dx, const real *x, const real *dout, int n) {
    gelu_backward_block(dx, x, dout, n);
}

#ifdef __x86_64__
#define AVX2 __attribute__((target("avx2")))
EXP_SUM(exp_sum_avx2, AVX2)
AVX2 static void gelu_avx2(real *out, const real *x, int n) { gelu_block(out, x, n); }
AVX2 static void gelu_backward_avx2(real *dx, const real *x, const real *dout, int n) {
    gelu_backward_block(dx, x, dout, n);
}
#endif

static bool has_avx2(void) {
#ifdef __x86_64__
    return __builtin_cpu_supports("avx2");
#else
    return false;
#endif
}

double vec_exp_sum(real *x, real shift, int n) {
#ifdef __x86_64__
    if (has_avx2()) return exp_sum_avx2(x, shift, n);
#endif
    return exp_sum_baseline(x, shift, n);
}

void vec_gelu(real *out, const real *x, int n) {
#ifdef __x86_64__
    if (has_avx2()) {
        gelu_avx2(out, x, n);
        return;
    }
#endif
    gelu_baseline(out, x, n);
}

void vec_gelu_backward(real *dx, const real *x, const real *dout, int n) {
#ifdef __x86_64__
    if (has_avx2()) {
        gelu_backward_avx2(dx, x, dout, n);
        return;
    }
#endif
    gelu_backward_baseline(dx, x, dout, n);
}

#endif
