/* rng.c — splitmix64 streams, keyed hashing and a Feistel permutation (see rng.h). */
#include "core/rng.h"

#include <math.h>

#include "core/check.h"

uint64_t rng_key(uint64_t seed, uint64_t a, uint64_t b, uint64_t c) {
    uint64_t h = rng_mix64(seed ^ 0x6a09e667f3bcc909ULL);
    h = rng_mix64(h ^ a);
    h = rng_mix64(h ^ (b + 0x3c6ef372fe94f82bULL));
    h = rng_mix64(h ^ (c + 0xa54ff53a5f1d36f1ULL));
    return h;
}

void rng_seed(rng *r, uint64_t key) { r->state = key; }

uint64_t rng_next(rng *r) {
    r->state += 0x9e3779b97f4a7c15ULL;
    uint64_t z = r->state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

double rng_uniform(rng *r) { return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0); }

int64_t rng_range(rng *r, int64_t lo, int64_t hi) {
    CHECK(lo <= hi);
    uint64_t span = (uint64_t)(hi - lo) + 1;
    if (span == 0) return (int64_t)rng_next(r); /* the whole 64-bit range */
    uint64_t limit = UINT64_MAX - UINT64_MAX % span;
    uint64_t x;
    do x = rng_next(r);
    while (x >= limit);
    return lo + (int64_t)(x % span);
}

double rng_normal(rng *r) {
    double u1 = 1.0 - rng_uniform(r); /* (0, 1] so the log is finite */
    double u2 = rng_uniform(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static uint64_t feistel(uint64_t key, int half_bits, uint64_t x) {
    uint64_t mask = (1ULL << half_bits) - 1;
    uint64_t left = x >> half_bits, right = x & mask;
    for (uint64_t round = 0; round < 4; round++) {
        uint64_t f = rng_mix64(key ^ rng_mix64(right + (round << 56))) & mask;
        uint64_t next_right = left ^ f;
        left = right;
        right = next_right;
    }
    return (left << half_bits) | right;
}

uint64_t rng_permute(uint64_t key, uint64_t n, uint64_t i) {
    CHECK(i < n);
    int half_bits = 1;
    while (half_bits < 32 && (1ULL << (2 * half_bits)) < n) half_bits++;
    uint64_t x = i;
    do x = feistel(key, half_bits, x);
    while (x >= n);
    return x;
}
