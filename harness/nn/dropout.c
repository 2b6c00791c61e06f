/* dropout.c — inverted dropout whose mask is a pure function of (key, index).
 *
 * One 64-bit hash of (key, i/4) gives four 16-bit uniforms, lane i mod 4 for element
 * i; the element is kept iff its lane is at least t = round(p·65536), and then scaled by
 * 65536/(65536 − t), the exact inverse of the keep probability, so the expected output
 * equals the input. Hashing once per four elements keeps the mask cheap next to the
 * GEMMs around it. The backward regenerates the same mask from the key instead of
 * storing it: no mask memory, and a differentiable function of the input for a fixed
 * key. */
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

/* out may be the same buffer as inp (in-place dropout on the residual stream). */
void dropout_forward(real *out, const real *inp, size_t n, real p, uint64_t key) {
    CHECK(p >= 0 && p < 1);
    if (p == 0) {
        if (out != inp) memcpy(out, inp, n * sizeof *out);
        return;
    }
    const uint32_t threshold = threshold_of(p);
    const real scale = scale_of(threshold);
    const size_t blocks = (n + LANES - 1) / LANES;
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN_WORK)
    for (size_t block = 0; block < blocks; block++) {
        const uint64_t hash = block_hash(key, block);
        const size_t end = block * LANES + LANES < n ? block * LANES + LANES : n;
        for (size_t i = block * LANES; i < end; i++) out[i] = lane_kept(hash, i, threshold) ? inp[i] * scale : 0;
    }
}

void dropout_backward(real *restrict dinp, const real *restrict dout, size_t n, real p, uint64_t key) {
    CHECK(p >= 0 && p < 1);
    if (p == 0) {
        for (size_t i = 0; i < n; i++) dinp[i] += dout[i];
        return;
    }
    const uint32_t threshold = threshold_of(p);
    const real scale = scale_of(threshold);
    const size_t blocks = (n + LANES - 1) / LANES;
#pragma omp parallel for schedule(static) if (n >= PARALLEL_MIN_WORK)
    for (size_t block = 0; block < blocks; block++) {
        const uint64_t hash = block_hash(key, block);
        const size_t end = block * LANES + LANES < n ? block * LANES + LANES : n;
        for (size_t i = block * LANES; i < end; i++) dinp[i] += lane_kept(hash, i, threshold) ? dout[i] * scale : 0;
    }
}
