/* attention_reference.c — naive dense attention with an explicit mask (see the header). */
#include "attention_reference.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "core/check.h"

/* The score of (i, j) in double: τ q_i·k_j plus the position terms, if any. */
static double score(const real *q, const real *k, const reference_terms *terms, int T, int hs, int i, int j) {
    const double scale = 1 / sqrt((double)hs);
    double s = 0;
    for (int c = 0; c < hs; c++) s += (double)q[i * hs + c] * k[j * hs + c];
    s *= scale;
    if (!terms) return s;
    if (terms->bias) s += terms->bias[(size_t)i * T + j];
    if (terms->rel) {
        const double *rel = terms->rel + ((size_t)i * T + j) * hs;
        double content = 0, position = 0;
        for (int c = 0; c < hs; c++) {
            content += terms->u[c] * k[j * hs + c];
            position += ((double)q[i * hs + c] + terms->v[c]) * rel[c];
        }
        s += scale * (content + position);
    }
    return s;
}

/* P (T, T) = softmax over allowed keys of the scores; rows with no allowed key are zero. */
static double *probabilities(const real *q, const real *k, const uint8_t *allowed, const reference_terms *terms,
                             int T, int hs) {
    double *p = calloc((size_t)T * T, sizeof *p);
    CHECK(p != NULL);
    for (int i = 0; i < T; i++) {
        double max = -INFINITY;
        for (int j = 0; j < T; j++) {
            if (!allowed[i * T + j]) continue;
            p[i * T + j] = score(q, k, terms, T, hs, i, j);
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

void reference_attention_forward_terms(real *out, const real *q, const real *k, const real *v,
                                       const uint8_t *allowed, const reference_terms *terms, int T, int hs) {
    double *p = probabilities(q, k, allowed, terms, T, hs);
    for (int i = 0; i < T; i++)
        for (int c = 0; c < hs; c++) {
            double acc = 0;
            for (int j = 0; j < T; j++) acc += p[i * T + j] * v[j * hs + c];
            out[i * hs + c] = (real)acc;
        }
    free(p);
}

/* The position terms' share of the gradient of pair (i, j), given dS_ij. */
static void term_grads(real *dq, real *dk, const reference_term_grads *grads, const real *q, const real *k,
                       const reference_terms *terms, int T, int hs, int i, int j, double ds) {
    const double scale = 1 / sqrt((double)hs);
    if (grads && grads->bias) grads->bias[(size_t)i * T + j] += ds;
    if (!terms->rel) return;
    const double *rel = terms->rel + ((size_t)i * T + j) * hs;
    for (int c = 0; c < hs; c++) {
        dq[i * hs + c] += (real)(scale * ds * rel[c]);
        dk[j * hs + c] += (real)(scale * ds * terms->u[c]);
        if (grads && grads->u) grads->u[c] += scale * ds * k[j * hs + c];
        if (grads && grads->v) grads->v[c] += scale * ds * rel[c];
        if (grads && grads->rel) grads->rel[((size_t)i * T + j) * hs + c] += scale * ds * ((double)q[i * hs + c] + terms->v[c]);
    }
}

void reference_attention_backward_terms(real *dq, real *dk, real *dv, const reference_term_grads *grads,
                                        const real *dout, const real *q, const real *k, const real *v,
                                        const uint8_t *allowed, const reference_terms *terms, int T, int hs) {
    double *p = probabilities(q, k, allowed, terms, T, hs);
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
            if (terms) term_grads(dq, dk, grads, q, k, terms, T, hs, i, j, pij * (dp[j] - dot));
        }
    }
    free(dp);
    free(p);
}

void reference_attention_forward(real *out, const real *q, const real *k, const real *v,
                                 const uint8_t *allowed, int T, int hs) {
    reference_attention_forward_terms(out, q, k, v, allowed, NULL, T, hs);
}

void reference_attention_backward(real *dq, real *dk, real *dv, const real *dout, const real *q,
                                  const real *k, const real *v, const uint8_t *allowed, int T, int hs) {
    reference_attention_backward_terms(dq, dk, dv, NULL, dout, q, k, v, allowed, NULL, T, hs);
}

void reference_padding_mask(uint8_t *allowed, int T, int length) {
    for (int i = 0; i < T; i++)
        for (int j = 0; j < T; j++) allowed[i * T + j] = i < length && j < length;
}
