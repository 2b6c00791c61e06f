/* dropout.c — inverted dropout whose mask is a pure function of (key, index), alone or
 * fused with the ReLU before it.
 *
 * One 64-bit hash of (key, i/4) gives four 16-bit uniforms, lane i mod 4 for element
 * i; the element is kept iff its lane is at least t = round(p·65536), and then scaled by
 * 65536/(65536 − t), the exact inverse of the keep probability, so the expected output
 * equals the input. Hashing once per four elements keeps the mask cheap next to the
 * GEMMs around it. The backward regenerates the same mask from the key instead of
 * storing it: no mask memory, and a differentiable function of the input for a fixed
 * key. The MLP's hidden layer is dropout(ReLU(x)): its fused forward and backward make
 * one pass over the widest activation instead of two, with the same results bit for bit
 * as the two layers one after the other. */
#include "nn/nn.h"

#include <math.h>
#include <string.h>

#include "core/check.h"
#include "core/parallel.h"
#include "core/rng.h"

enum { LANES = 4, LANE_BITS = 16 };
#define LANE_RANGE 65536.0

static uint32_t threshold_of(real p) { return (uint32_t)lround((double)p * LANE_RANGE); }

static real scale_of(uint32_t threshold) { return (real)(LANE_RANGE / (LANE_RANGE - threshold)); }

/* The four lanes of hash block `block`. */
static uint64_t block_hash(uint64_t key, size_t block) {
    return rng_mix64(key ^ rng_mix64((uint64_t)block + 0x9e3779b97f4a7c15ULL));
}

static bool lane_kept(uint64_t hash, size_t i, uint32_t threshold) {
    return ((hash >> (LANE_BITS * (i % LANES))) & 0xffff) >= threshold;
}

bool dropout_kept(uint64_t key, size_t i, real p) {
    return lane_kept(block_hash(key, i / LANES), i, threshold_of(p));
}

real dropout_scale(real p) { return scale_of(threshold_of(p)); }

/* What each pass does with element i: its mask bit, the input and the gradient.
 * FORWARD: out = keep ? x · scale : 0 (out may be x). BACKWARD: out += keep ? g · scale :
 * 0. RELU_FORWARD: out = keep and x > 0 ? x · scale : 0. RELU_BACKWARD: out += keep and
 * x > 0 ? g · scale : 0. */
enum dropout_pass { FORWARD, BACKWARD, RELU_FORWARD, RELU_BACKWARD };

enum { CHUNK = 64 }; /* elements whose masks are hashed before they are applied; a multiple of LANES */

/* The bits of a real, as wide as it. */
#ifdef ATTNBENCH_DOUBLE
typedef uint64_t real_bits;
#else
typedef uint32_t real_bits;
#endif

/* A real with its bits ANDed with mask: itself for all ones, +0 for zero. */
static inline real masked(real value, real_bits mask) {
    real_bits bits;
    memcpy(&bits, &value, sizeof bits);
    bits &= mask;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* Elements [i0, i0 + count) of a pass. The masks of the chunk are hashed first; then
 * one loop without branches (the mask and the sign are coin flips a branch predictor
 * would miss) applies them: the product is computed for every element and its bits
 * ANDed with the mask, which gives the same values as the conditional form, dropped
 * elements +0. */
static inline __attribute__((always_inline)) void chunk_pass(enum dropout_pass pass, real *out,
                                                             const real *x, const real *g,
                                                             size_t i0, size_t count, uint64_t key,
                                                             uint32_t threshold, real scale) {
    real_bits mask[CHUNK];
    for (size_t k = 0; k < count; k += LANES) {
        const uint64_t hash = threshold ? block_hash(key, (i0 + k) / LANES) : UINT64_MAX;
        for (int lane = 0; lane < LANES; lane++)
            mask[k + lane] = -(real_bits)(((hash >> (LANE_BITS * lane)) & 0xffff) >= threshold);
    }
    const bool relu = pass == RELU_FORWARD || pass == RELU_BACKWARD;
    const bool forward = pass == FORWARD || pass == RELU_FORWARD;
    const real *src = forward ? x + i0 : g + i0;
    real *dst = out + i0;
    for (size_t k = 0; k < count; k++) {
        const real_bits keep = relu ? mask[k] & -(real_bits)(x[i0 + k] > 0) : mask[k];
        const real value = masked(src[k] * scale, keep);
        if (forward) dst[k] = value;
        else dst[k] += value;
    }
}

/* One pass over n elements, its loop compiled once per kind of pass. */
#define DROPOUT_LOOP(pass)                                                                          \
    _Pragma("omp parallel for schedule(static) if (n >= PARALLEL_MIN_WORK)")                        \
    for (size_t chunk = 0; chunk < chunks; chunk++) {                                               \
        const size_t i0 = chunk * CHUNK;                                                            \
        chunk_pass(pass, out, x, g, i0, n - i0 < CHUNK ? n - i0 : CHUNK, key, threshold, scale);    \
    }

static void dropout_pass(enum dropout_pass pass, real *out, const real *x, const real *g, size_t n, real p,
                         uint64_t key) {
    CHECK(p >= 0 && p < 1);
    const uint32_t threshold = threshold_of(p);
    const real scale = scale_of(threshold);
    const size_t chunks = (n + CHUNK - 1) / CHUNK;
    switch (pass) {
    case FORWARD: DROPOUT_LOOP(FORWARD) break;
    case BACKWARD: DROPOUT_LOOP(BACKWARD) break;
    case RELU_FORWARD: DROPOUT_LOOP(RELU_FORWARD) break;
    case RELU_BACKWARD: DROPOUT_LOOP(RELU_BACKWARD) break;
    }
}

/* out may be the same buffer as inp (in-place dropout on the residual stream). */
void dropout_forward(real *out, const real *inp, size_t n, real p, uint64_t key) {
    CHECK(p >= 0 && p < 1);
    if (p == 0) {
        if (out != inp) memmove(out, inp, n * sizeof *out);
        return;
    }
    dropout_pass(FORWARD, out, inp, NULL, n, p, key);
}

void dropout_backward(real *restrict dinp, const real *restrict dout, size_t n, real p, uint64_t key) {
    CHECK(p >= 0 && p < 1);
    if (p == 0) {
        for (size_t i = 0; i < n; i++) dinp[i] += dout[i];
        return;
    }
    dropout_pass(BACKWARD, dinp, NULL, dout, n, p, key);
}

void relu_dropout_forward(real *out, const real *inp, size_t n, real p, uint64_t key) {
    dropout_pass(RELU_FORWARD, out, inp, NULL, n, p, key);
}

void relu_dropout_backward(real *dinp, const real *inp, const real *dout, size_t n, real p, uint64_t key) {
    dropout_pass(RELU_BACKWARD, dinp, inp, dout, n, p, key);
}
