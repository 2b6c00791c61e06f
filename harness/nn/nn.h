/* nn.h — the layers of the encoder, as plain forward/backward function pairs.
 *
 * Each layer is an `<op>_forward` / `<op>_backward` pair over caller-owned buffers;
 * nothing allocates. Backward functions *add* into their gradient outputs (dinp,
 * dweight, dbias), so a tensor used twice (the residual stream) collects both
 * contributions and calling backward twice gives exactly twice the gradient; a NULL
 * gradient pointer means "not needed". Matrices are row-major; shapes use N rows
 * (= B·T), C channels, OC output channels. */
#ifndef ATTNBENCH_NN_H
#define ATTNBENCH_NN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/real.h"

/* out (N, OC) = inp (N, IC) · weight (IC, OC) + bias (OC); bias may be NULL. */
void linear_forward(real *out, const real *inp, const real *weight, const real *bias, int N,
                    int IC, int OC);
void linear_backward(real *dinp, real *dweight, real *dbias, const real *dout, const real *inp,
                     const real *weight, int N, int IC, int OC);

/* out = (inp − mean) · rstd · weight + bias per row of C; mean and rstd (N) are saved
 * for the backward. eps = 1e-5, PyTorch's default. */
void layernorm_forward(real *out, real *mean, real *rstd, const real *inp, const real *weight,
                       const real *bias, int N, int C);
void layernorm_backward(real *dinp, real *dweight, real *dbias, const real *dout, const real *inp,
                        const real *weight, const real *mean, const real *rstd, int N, int C);

/* Exact GELU, x·Φ(x) with the error function (PyTorch's nn.GELU default). */
void gelu_forward(real *out, const real *inp, size_t n);
void gelu_backward(real *dinp, const real *inp, const real *dout, size_t n);

void relu_forward(real *out, const real *inp, size_t n);
void relu_backward(real *dinp, const real *inp, const real *dout, size_t n);

/* out (N, C) = table[tokens[i]] (table: vocab × C). */
void embedding_forward(real *out, const int32_t *tokens, const real *table, int N, int C);
void embedding_backward(real *dtable, const real *dout, const int32_t *tokens, int N, int C);

/* Fill table (T, C) with the sinusoidal encoding of Vaswani et al.:
 * table[t][2i] = sin(t / 10000^(2i/C)), table[t][2i+1] = cos(t / 10000^(2i/C)). */
void positional_sinusoidal_fill(real *table, int T, int C);
/* Inverted dropout: out = inp · keep · scale, keep = dropout_kept(key, i, p),
 * scale = dropout_scale(p) (the inverse of the keep probability). The mask is
 * regenerated from (key, i) in the backward, never stored. out may alias inp. p = 0
 * copies. */
bool dropout_kept(uint64_t key, size_t i, real p);
real dropout_scale(real p);
void dropout_forward(real *out, const real *inp, size_t n, real p, uint64_t key);
void dropout_backward(real *dinp, const real *dout, size_t n, real p, uint64_t key);
/* dropout(ReLU(x)) in one pass, the same bits as relu_forward then dropout_forward
 * (out may alias inp); its backward adds into dinp what relu_backward would add after
 * dropout_backward into zeros. p = 0 is plain ReLU. */
void relu_dropout_forward(real *out, const real *inp, size_t n, real p, uint64_t key);
void relu_dropout_backward(real *dinp, const real *inp, const real *dout, size_t n, real p, uint64_t key);

/* Softmax cross-entropy over rows of C logits. probs (N, C) is written for the
 * backward; losses (N) gets −log p[target]. Rows with weight 0 are skipped (their
 * loss and gradient are 0). */
void crossentropy_forward(real *losses, real *probs, const real *logits, const int32_t *targets,
                          int N, int C);
/* dlogits (N, C) += scale[i] · (probs − onehot(target)); scale (N) holds each row's
 * weight in the mean loss (1/N for a plain mean, 0 for unscored rows). */
void crossentropy_backward(real *dlogits, const real *probs, const int32_t *targets,
                           const real *scale, int N, int C);

/* Masked mean pooling: out (B, C) = mean over t < lengths[b] of inp (B, T, C); a
 * sequence of length 0 gives zeros. */
void meanpool_forward(real *out, const real *inp, const int32_t *lengths, int B, int T, int C);
void meanpool_backward(real *dinp, const real *dout, const int32_t *lengths, int B, int T, int C);

/* Two-tower interaction: pooled (2E, C) holds the first documents of E pairs and then
 * their second documents; out (E, 4C) = [u, v, u·v, u−v] per pair. The backward adds
 * into dpooled (2E, C). */
void pair_features_forward(real *out, const real *pooled, int E, int C);
void pair_features_backward(real *dpooled, const real *dout, const real *pooled, int E, int C);

/* AdamW step on n parameters (bias-corrected moments; decoupled weight decay:
 * param −= lr · (m̂ / (√v̂ + eps) + weight_decay · param)). step counts from 1. */
void adamw_update(real *param, const real *grad, real *m, real *v, size_t n, double lr,
                  double beta1, double beta2, double eps, double weight_decay, int64_t step);

/* √(Σ grad²), accumulated in double. */
double grad_global_norm(const real *grad, size_t n);

#endif
