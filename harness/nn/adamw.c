/* adamw.c — the AdamW optimiser step and the global gradient norm used for clipping.
 *
 * Moments are stored as real; each element's update is computed in double, which
 * costs nothing next to the forward and backward passes (one pass over the
 * parameters per step) and keeps the bias-corrected ratio m̂/√v̂ exact to real
 * precision. Weight decay is decoupled (Loshchilov & Hutter): the caller passes 0 for
 * parameters that are not decayed (biases, layernorm gains). */
#include "nn/nn.h"

#include <math.h>

#include "core/check.h"

void adamw_update(real *restrict param, const real *restrict grad, real *restrict m,
                  real *restrict v, size_t n, double lr, double beta1, double beta2, double eps,
                  double weight_decay, int64_t step) {
    CHECK(step >= 1);
    CHECK(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1);
    const double correction1 = 1.0 / (1.0 - pow(beta1, (double)step));
    const double correction2 = 1.0 / (1.0 - pow(beta2, (double)step));
    for (size_t i = 0; i < n; i++) {
        const double g = grad[i];
        const double mi = beta1 * m[i] + (1 - beta1) * g;
        const double vi = beta2 * v[i] + (1 - beta2) * g * g;
        m[i] = (real)mi;
        v[i] = (real)vi;
        const double m_hat = mi * correction1, v_hat = vi * correction2;
        const double p = param[i];
        param[i] = (real)(p - lr * (m_hat / (sqrt(v_hat) + eps) + weight_decay * p));
    }
}

double grad_global_norm(const real *grad, size_t n) {
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += (double)grad[i] * grad[i];
    return sqrt(sum);
}
