/* rng.h — counter-based random numbers.
 *
 * Every random draw in attnbench is a pure function of a key built from stored seeds
 * and counters (data seed, split, example index; training seed, step, layer, site),
 * so examples, dropout masks and initial weights are the same bytes on every machine
 * and in any thread order. The mixer is splitmix64's finaliser; a stream `rng` is
 * splitmix64 started from a key. */
#ifndef ATTNBENCH_RNG_H
#define ATTNBENCH_RNG_H

#include <stdint.h>

/* splitmix64 finaliser: a bijective 64-bit mixer. Inline: dropout hashes every few
 * elements of every activation with it. */
static inline uint64_t rng_mix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* A key from a seed and up to three counters; different argument tuples give
 * unrelated keys. */
uint64_t rng_key(uint64_t seed, uint64_t a, uint64_t b, uint64_t c);

/* Stream tags: the first counter of rng_key (or, for BigBird, mixed into the seed) that
 * keeps one use of a seed apart from every other. Named once here so that no two uses
 * share a tag by accident. The values are part of every recorded run (weights, batch
 * order, features): changing one changes every curve. Macros, not an enum: C11 enum
 * constants are ints and two tags are wider. */
#define RNG_STREAM_INIT_WEIGHTS UINT64_C(0x1417)                /* model parameters at creation */
#define RNG_STREAM_TRAIN_LENGTH UINT64_C(0x1e9)                 /* input length of each training step */
#define RNG_STREAM_SHUFFLE UINT64_C(0xda7a)                     /* training-example order, per epoch */
#define RNG_STREAM_PERFORMER_FEATURES UINT64_C(0x4641564f522b)  /* "FAVOR+": random projections */
#define RNG_STREAM_BIGBIRD_BLOCKS UINT64_C(0x4249474249524400)  /* "BIGBIRD\0": random key blocks (xor seed) */
#define RNG_STREAM_GRADCHECK UINT64_C(0x67726164)               /* "grad": test inputs of gradient checks */

/* A sequential stream (splitmix64). */
typedef struct rng {
    uint64_t state;
} rng;

void rng_seed(rng *r, uint64_t key);
uint64_t rng_next(rng *r);
/* Uniform double in [0, 1) with 53 random bits. */
double rng_uniform(rng *r);
/* Uniform integer in [lo, hi], both inclusive, without modulo bias. */
int64_t rng_range(rng *r, int64_t lo, int64_t hi);
/* Standard normal (Box-Muller, no cached second value, so each call is self-contained). */
double rng_normal(rng *r);

/* Uniform in [0, 1) at position `counter` of the stream named by `key`, without state:
 * used for dropout masks that the backward pass regenerates instead of storing. */
static inline double rng_uniform_at(uint64_t key, uint64_t counter) {
    return (double)(rng_mix64(key ^ rng_mix64(counter + 0x9e3779b97f4a7c15ULL)) >> 11) *
           (1.0 / 9007199254740992.0);
}

/* A pseudorandom permutation of [0, n): index i of the permutation named by key.
 * Cycle-walking over a 4-round Feistel network on the next power of four; O(1) memory,
 * so training can walk a shuffled epoch over millions of examples without a table. */
uint64_t rng_permute(uint64_t key, uint64_t n, uint64_t i);

#endif
