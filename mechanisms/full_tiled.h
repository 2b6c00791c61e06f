/* full_tiled.h — the tiled kernel behind the `full` mechanism, with the tile sizes as a
 * parameter, so that tests can run it on tiles that do and do not divide T.
 *
 * `state` is what mechanism_full's init made; saved holds the log-sum-exp of every row
 * (B, NH, T) and scratch full_tiled_scratch() reals. The mechanism itself calls these
 * with FULL_TILES. */
#ifndef ATTNBENCH_FULL_TILED_H
#define ATTNBENCH_FULL_TILED_H

#include <stddef.h>

#include "mechanisms/mechanism.h"

/* Query rows and keys per tile, each in [1, FULL_TILE_MAX]. */
typedef struct full_tiles {
    int rows, keys;
} full_tiles;

#define FULL_TILE_MAX 256

/* 64 × 64: the three score-sized tiles of the backward (S, dP, dropout scales; 16 KiB
 * each in float) and the Q, K, V, dO rows of a tile pair (4 KiB each at hs 16, 16 KiB at
 * hs 64) stay in L2 together. Measured at T 2048, hs 16: tiles of 64 to 256 rows or keys
 * are within 5% of each other (the exponentials and dropout hashes, not the GEMMs,
 * dominate at this head size), 32-row tiles are 40% slower (GEMM call overhead). */
#define FULL_TILES ((full_tiles){64, 64})

size_t full_tiled_scratch(const void *state, attention_shape shape, full_tiles tiles);
void full_tiled_forward(const void *state, const attention_call *call, full_tiles tiles, const real *inputs,
                        real *out, real *saved, real *scratch);
void full_tiled_backward(const void *state, const attention_call *call, full_tiles tiles, const real *inputs,
                         const real *out, const real *dout, const real *saved, real *dinputs, real *scratch);

#endif
