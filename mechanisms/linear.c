/* linear.c — the linear transformer (Katharopoulos et al.): attention with the
 * feature map φ(x) = elu(x) + 1 and no temperature,
 *   O_i = φ(q_i)ᵀ S / (φ(q_i)·z + 1e-6),  S = Σ_j φ(k_j) v_jᵀ,  z = Σ_j φ(k_j),
 * the sums over real keys only, in time and memory linear in T (kernel_attention.c).
 * There is no probability matrix, so attention dropout does not apply. */
#include <math.h>
#include <stdlib.h>

#include "core/vecmath.h"
#include "mechanisms/kernel_attention.h"

/* φ = relu(x) + exp(min(x, 0)), which is x + 1 above 0 and exp(x) at or below, with
 * relu(x) = (x + |x|)/2 and min(x, 0) = (x − |x|)/2 (the same bits, and loops GCC
 * vectorises without selects); exp through vec_exp_sum. aux keeps exp(min(x, 0)),
 * which is φ's derivative. */
static void elu_phi(const kernel_map *map, kernel_role role, const real *head, const real *stats, const real *x,
                    int n, real *phi, real *aux) {
    const int count = n * map->head_size;
#pragma omp simd
    for (int i = 0; i < count; i++) aux[i] = (x[i] - REAL_FABS(x[i])) * (real)0.5;
    vec_exp_sum(aux, 0, count);
#pragma omp simd
    for (int i = 0; i < count; i++) phi[i] = (x[i] + REAL_FABS(x[i])) * (real)0.5 + aux[i];
}

static void elu_phi_backward(const kernel_map *map, kernel_role role, const real *head, const real *stats,
                             const real *x, int n, int row0, const real *phi, real *aux, real *dphi,
                             real *stats_grad, bool last, real *dx) {
    const int count = n * map->head_size;
#pragma omp simd
    for (int i = 0; i < count; i++) dx[i] = dphi[i] * aux[i];
}

static int linear_init(void **state, const opt_set *options, const attention_geometry *geometry, int *n_inputs,
                       error_info *err) {
    kernel_map *map = calloc(1, sizeof *map);
    if (!map) return error_set(err, EXIT_RUNTIME, "out of memory");
    map->head_size = geometry->head_size;
    map->features = geometry->head_size;
    map->den_eps = (real)1e-6;
    map->phi = elu_phi;
    map->phi_backward = elu_phi_backward;
    *state = map;
    *n_inputs = 3;
    return 0;
}

static attention_sizes linear_sizes(const void *state, attention_shape shape) {
    return kernel_attention_sizes(state, shape);
}

static void linear_forward(const void *state, const attention_call *call, const real *params, const real *inputs,
                           real *out, real *saved, real *scratch) {
    kernel_attention_forward(state, call, inputs, out, saved, scratch);
}

static void linear_backward(const void *state, const attention_call *call, const real *params, const real *inputs,
                            const real *out, const real *dout, const real *saved, real *dinputs, real *dparams,
                            real *scratch) {
    kernel_attention_backward(state, call, inputs, out, dout, saved, dinputs, scratch);
}

static double linear_flops(const void *state, attention_shape shape) { return kernel_attention_flops(state, shape); }

const mechanism_ops mechanism_linear = {
    .name = "linear",
    .summary = "linear transformer: elu+1 features, O(T hs^2), sums over real keys (no attention dropout)",
    .options = NULL,
    .n_options = 0,
    .init = linear_init,
    .sizes = linear_sizes,
    .forward = linear_forward,
    .backward = linear_backward,
    .flops = linear_flops,
    .free = free,
};
