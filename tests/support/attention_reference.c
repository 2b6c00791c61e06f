/* attention_reference.c — naive dense attention with an explicit mask (see the header). */
#include "attention_reference.h"

#include <math.h>
#include <stdlib.h>

#include "core/check.h"

/* P (T, T) = softmax over allowed keys of q·k/√hs; rows with no allowed key are zero. */
static double *probabilities(const real *q, const real *k, const uint8_t *allowed, int T, int hs) {
    double *p = calloc((size_t)T * T, sizeof *p);
    CHECK(p != NULL);
    const double scale = 1 / sqrt((double)hs);
    for (int i = 0; i < T; i++) {
        double max = -INFINITY;
        for (int j = 0; j < T; j++) {
            if (!allowed[i * T + j]) continue;
            double s = 0;
            for (int c = 0; c < hs; c++) s += (double)q[i * hs + c] * k[j * hs + c];
            p[i * T + j] = s * scale;
            if (p[i * T + j] > max) max = p[i * T + j];
        }
        if (max == -INFINITY) continue;
        double sum = 0;
        for (int j = 0; j < T; j++)
            if (allowed[i * T + j]) sum += p[i * T + j] = exp(p[i * T + j] - max);
        for (int j = 0; j < T; j++) p[i * T + j] = allowed[i * T + j] ? p[i * T + j] / sum : 0;
    }
    return p;
}

void reference_attention_forward(real *out, const real *q, const real *k, const real *v,
                                 const uint8_t *allowed, int T, int hs) {
    double *p = probabilities(q, k, allowed, T, hs);
    for (int i = 0; i < T; i++)
        for (int c = 0; c < hs; c++) {
            double acc = 0;
            for (int j = 0; j < T; j++) acc += p[i * T + j] * v[j * hs + c];
            out[i * hs + c] = (real)acc;
        }
    free(p);
}

void reference_attention_backward(real *dq, real *dk, real *dv, const real *dout, const real *q,
                                  const real *k, const real *v, const uint8_t *allowed, int T, int hs) {
    double *p = probabilities(q, k, allowed, T, hs);
    const double scale = 1 / sqrt((double)hs);
    double *dp = calloc((size_t)T, sizeof *dp);
    CHECK(dp != NULL);
    for (int i = 0; i < T; i++) {
        /* dP_ij = dO_i · v_j; dS_ij = P_ij (dP_ij − Σ_l P_il dP_il) */
        double dot = 0;
        for (int j = 0; j < T; j++) {
            dp[j] = 0;
            for (int c = 0; c < hs; c++) dp[j] += (double)dout[i * hs + c] * v[j * hs + c];
            dot += p[i * T + j] * dp[j];
        }
        for (int j = 0; j < T; j++) {
            const double pij = p[i * T + j];
            if (pij == 0) continue;
            const double ds = pij * (dp[j] - dot) * scale;
            for (int c = 0; c < hs; c++) {
                dq[i * hs + c] += (real)(ds * k[j * hs + c]);
                dk[j * hs + c] += (real)(ds * q[i * hs + c]);
                dv[j * hs + c] += (real)(pij * dout[i * hs + c]);
            }
        }
    }
    free(dp);
    free(p);
}

void reference_padding_mask(uint8_t *allowed, int T, int length) {
    for (int i = 0; i < T; i++)
        for (int j = 0; j < T; j++) allowed[i * T + j] = i < length && j < length;
}
