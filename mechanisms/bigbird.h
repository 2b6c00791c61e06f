/* bigbird.h — BigBird's random-block draw, shared with the tests that rebuild the
 * pattern as an explicit mask. */
#ifndef ATTNBENCH_BIGBIRD_H
#define ATTNBENCH_BIGBIRD_H

#include <stdbool.h>
#include <stdint.h>

/* The `count` random key blocks of middle query block `row_block` (1 ≤ row_block ≤
 * n_blocks − 2) for (seed, layer, head): distinct, ascending, drawn uniformly from the
 * blocks that are neither global (0, n_blocks − 1) nor in its window (row_block ± 1).
 * Needs at least `count` such blocks. A pure function of its arguments. */
void bigbird_random_blocks(uint64_t seed, int layer, int head, int row_block, int n_blocks, int count,
                           int32_t *out);

/* Whether a sequence of this many real tokens is too short for the pattern and is
 * computed with full attention: length ≤ (5 + 2·random_blocks)·block, as in HF. */
bool bigbird_uses_full(int length, int block, int random_blocks);

#endif
