/* scores.c — per-sequence accuracy of output rows (see scores.h). */
#include "model/scores.h"

#include <stddef.h>

int scores_argmax(const real *row, int K) {
    int best = 0;
    for (int k = 1; k < K; k++)
        if (row[k] > row[best]) best = k;
    return best;
}

void scores_per_sequence(const real *logits, int K, const int32_t *targets, const uint8_t *scored,
                         const int32_t *n_outputs, int sequences, double *fraction, bool *all_right) {
    int r = 0;
    for (int s = 0; s < sequences; s++) {
        int counted = 0, right = 0;
        for (int k = 0; k < n_outputs[s]; k++, r++)
            if (scored[r]) {
                counted++;
                right += scores_argmax(logits + (size_t)r * K, K) == targets[r];
            }
        fraction[s] = counted ? (double)right / counted : 1;
        all_right[s] = right == counted;
    }
}
