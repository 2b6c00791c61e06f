/* test_tiled_attention_float.c — test_tiled_attention.c in the float build that trains:
 * the same cases against the dense reference at float accuracy (the AVX2 tile products
 * and eight-lane exponentials where the CPU has them), padding, and one thread against
 * two bit for bit; finite differences stay in the double build. */
#define TEST_NAME "test_tiled_attention_float"
#include "test_tiled_attention.c"
