/* gradcheck.h — finite-difference checks of analytic gradients.
 *
 * A gradient test writes its loss as a function of the current buffer contents,
 * computes the analytic gradient once, and hands both to gradcheck_compare, which
 * perturbs every element in turn. Linked in double precision by the tests under
 * tests/grad/, where central differences are accurate to about 1e-10. */
#ifndef ATTNBENCH_GRADCHECK_H
#define ATTNBENCH_GRADCHECK_H

#include <stddef.h>
#include <stdint.h>

#include "core/real.h"

/* Recompute the loss from the current values of the buffers ctx points to. */
typedef double (*gradcheck_loss_fn)(void *ctx);

/* Central differences on every element of x (n reals, perturbed in place and restored):
 * numeric_i = (loss(x+eps e_i) − loss(x−eps e_i)) / 2eps, compared with analytic (n).
 * error = max_i |a_i − n_i| / max(max_i |n_i|, 1e-12). Prints one line
 * "grad <name>: n=<n> max_abs_diff=<> rel_error=<> (tol <tol>)" and records it as a
 * test_check (testing.h). Returns the relative error (NaN fails the check). The loss
 * is evaluated once more at the end, so that whatever it computes into ctx (outputs,
 * saved statistics, probabilities) again holds the values at the unperturbed x. */
double gradcheck_compare(const char *name, real *x, const real *analytic, size_t n,
                         gradcheck_loss_fn loss, void *ctx, double eps, double tol);

/* Deterministic uniform values in [-scale, scale] from a seed (rng.h). */
void gradcheck_fill(real *x, size_t n, uint64_t seed, double scale);

/* Σ out_i · weights_i, in double: the test loss, so that no output is hidden by a sum
 * to 1. */
double gradcheck_weighted_sum(const real *out, const real *weights, size_t n);

#endif
