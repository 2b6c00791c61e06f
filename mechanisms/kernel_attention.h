/* kernel_attention.h — kernelized (linear-time) attention, shared by the linear
 * transformer (elu+1) and the Performer (FAVOR+).
 *
 * With a positive feature map φ: R^hs → R^m, per (b, h) over the L real tokens:
 *   S = Σ_j φ(k_j) v_jᵀ (m, hs),  z = Σ_j φ(k_j) (m),
 *   O_i = φ(q_i)ᵀ S / R_i,  R_i = φ(q_i)·z + den_eps (+ 2e-6 where |R_i| ≤ 1e-6 with den_guard).
 * Padded keys (j ≥ L) never enter S or z, padded queries output exactly 0. Nothing is
 * O(T²): time and memory are linear in T. Products with S are GEMMs, those with z
 * vector loops beside them.
 *
 * The backward (every map): G = dO, dnum_i = G_i/R_i, dR_i = −G_i·O_i/R_i;
 * dφ_q = dnum Sᵀ + dR zᵀ; dS = φ_qᵀ dnum, dz = φ_qᵀ dR; dφ_k = V dSᵀ + 1 dzᵀ;
 * dV = φ_k dS; then each map takes dφ back to dq or dk.
 *
 * A feature map is a kernel_map: its sizes and function pointers. A mechanism embeds
 * it as the FIRST member of its state, so the map's functions may cast the map
 * pointer back to the state. */
#ifndef ATTNBENCH_KERNEL_ATTENTION_H
#define ATTNBENCH_KERNEL_ATTENTION_H

#include <stdbool.h>
#include <stddef.h>

#include "mechanisms/mechanism.h"

/* Rows of queries or keys mapped at a time: the scratch is O(KERNEL_CHUNK · m) per
 * thread whatever T is. */
enum { KERNEL_CHUNK = 128 };

typedef enum kernel_role { KERNEL_QUERY, KERNEL_KEY } kernel_role;

typedef struct kernel_map kernel_map;

struct kernel_map {
    int head_size;      /* hs the map was made for */
    int features;       /* m */
    size_t head_reals;  /* per-head constants kept in saved (e.g. the projection Ω, (m, hs)); 0: none */
    int stats;          /* reals of per-(b, h) key statistics kept from forward to backward */
    bool projects;      /* φ starts with a product by an (m, hs) matrix (counted in flops) */
    real den_eps;       /* added to every denominator */
    bool den_guard;     /* R ← R + 2e-6 where |R| ≤ 1e-6 */
    /* The constants of head h for this call into head (head_reals); NULL when head_reals is 0. */
    void (*head_setup)(const kernel_map *map, const attention_call *call, int h, real *head);
    /* Statistics of the L ≥ 1 real keys k (L, hs) into stats, with work (KERNEL_CHUNK, m)
     * as scratch; NULL when stats is 0. */
    void (*key_stats)(const kernel_map *map, const real *head, const real *k, int L, real *work, real *stats);
    /* The key row whose gradient needs every other key's (the argmax of a stabiliser
     * shared by all keys): the backward handles its chunk last. NULL: no such row. */
    int (*key_pivot)(const kernel_map *map, const real *stats);
    /* φ of n ≤ KERNEL_CHUNK rows x (n, hs) into phi (n, m); aux (n·m + n) keeps what
     * phi_backward needs for the same rows. */
    void (*phi)(const kernel_map *map, kernel_role role, const real *head, const real *stats, const real *x,
                int n, real *phi, real *aux);
    /* dx (n, hs), overwritten, from dphi (n, m), which it may overwrite, for the rows that
     * phi just mapped (phi and aux as it left them; aux may be overwritten), the first
     * of which is row row0 of the sequence. For keys, stats_grad (stats reals, zero
     * before the first chunk) accumulates over the chunks, and last is true for the
     * final one, which holds the pivot row; for queries both are unused. */
    void (*phi_backward)(const kernel_map *map, kernel_role role, const real *head, const real *stats,
                         const real *x, int n, int row0, const real *phi, real *aux, real *dphi,
                         real *stats_grad, bool last, real *dx);
};

/* Saved reals per layer and scratch reals for all threads (parallel_threads()). */
attention_sizes kernel_attention_sizes(const kernel_map *map, attention_shape shape);
/* inputs (3, B, NH, T, hs) → out (B, NH, T, hs); saved as sized above. */
void kernel_attention_forward(const kernel_map *map, const attention_call *call, const real *inputs, real *out,
                              real *saved, real *scratch);
/* Adds dQ, dK, dV into dinputs (3, B, NH, T, hs); each element gets its whole
 * contribution in one addition. */
void kernel_attention_backward(const kernel_map *map, const attention_call *call, const real *inputs,
                               const real *out, const real *dout, const real *saved, real *dinputs,
                               real *scratch);
/* Forward + backward floating-point operations, counting every token as real. */
double kernel_attention_flops(const kernel_map *map, attention_shape shape);

#endif
