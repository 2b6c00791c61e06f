/* embedding.c — token embedding lookup: a row copy per token; the backward scatters
 * each row of dout into the table row of its token. A token repeated in the batch
 * receives its contributions one after another, in row order. */
#include "nn/nn.h"

#include <string.h>

#include "core/check.h"

void embedding_forward(real *restrict out, const int32_t *restrict tokens,
                       const real *restrict table, int N, int C) {
    CHECK(N >= 0 && C > 0);
    for (int n = 0; n < N; n++) {
        CHECK(tokens[n] >= 0);
        memcpy(out + (size_t)n * C, table + (size_t)tokens[n] * C, (size_t)C * sizeof *out);
    }
}

void embedding_backward(real *restrict dtable, const real *restrict dout,
                        const int32_t *restrict tokens, int N, int C) {
    CHECK(N >= 0 && C > 0);
    for (int n = 0; n < N; n++) {
        CHECK(tokens[n] >= 0);
        real *restrict row = dtable + (size_t)tokens[n] * C;
        const real *restrict d = dout + (size_t)n * C;
        for (int c = 0; c < C; c++) row[c] += d[c];
    }
}
