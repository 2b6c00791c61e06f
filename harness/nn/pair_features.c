/* pair_features.c — the two-tower interaction of LRA Retrieval: for E document pairs
 * pooled separately by the shared encoder, the head reads [u, v, u·v, u−v]
 * (Tay et al. 2021, eq. 1; the code's classifier_head_dual with interaction 'NLI'). */
#include "nn/nn.h"

#include "core/check.h"

void pair_features_forward(real *restrict out, const real *restrict pooled, int E, int C) {
    CHECK(E >= 0 && C > 0);
    for (int e = 0; e < E; e++) {
        const real *restrict u = pooled + (size_t)e * C, *restrict v = pooled + ((size_t)E + e) * C;
        real *restrict o = out + (size_t)e * 4 * C;
        for (int c = 0; c < C; c++) {
            o[c] = u[c];
            o[C + c] = v[c];
            o[2 * C + c] = u[c] * v[c];
            o[3 * C + c] = u[c] - v[c];
        }
    }
}

void pair_features_backward(real *restrict dpooled, const real *restrict dout, const real *restrict pooled,
                            int E, int C) {
    CHECK(E >= 0 && C > 0);
    for (int e = 0; e < E; e++) {
        const real *restrict u = pooled + (size_t)e * C, *restrict v = pooled + ((size_t)E + e) * C;
        real *restrict du = dpooled + (size_t)e * C, *restrict dv = dpooled + ((size_t)E + e) * C;
        const real *restrict d = dout + (size_t)e * 4 * C;
        for (int c = 0; c < C; c++) {
            du[c] += d[c] + d[2 * C + c] * v[c] + d[3 * C + c];
            dv[c] += d[C + c] + d[2 * C + c] * u[c] - d[3 * C + c];
        }
    }
}
