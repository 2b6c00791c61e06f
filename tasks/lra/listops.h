/* listops.h — LRA ListOps token ids and the reference evaluator.
 *
 * The evaluator is exposed so that tests can check every generated label against an
 * independent evaluation of the generated tokens. */
#ifndef ATTNBENCH_LISTOPS_H
#define ATTNBENCH_LISTOPS_H

#include <stdint.h>

enum {
    LISTOPS_PAD = 0,
    LISTOPS_CLS = 1,
    LISTOPS_DIGIT0 = 2, /* digits 0..9 are ids 2..11 */
    LISTOPS_MIN = 12,
    LISTOPS_MAX = 13,
    LISTOPS_MED = 14,
    LISTOPS_SM = 15,
    LISTOPS_CLOSE = 16,
    LISTOPS_VOCAB = 17
};

/* The value (0..9) of tokens[0, length), or -1 when they are not exactly one
 * well-formed expression `digit | [OP arg+ ]`. MED of an even count is the mean of the
 * two middle values truncated toward zero (Python's int(np.median)); SM is the sum
 * mod 10. */
int listops_evaluate(const int32_t *tokens, int length);

#endif
