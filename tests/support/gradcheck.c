/* gradcheck.c — finite-difference gradient checks (see gradcheck.h).
 *
 * The step actually taken is measured as (x+eps) − (x−eps) after rounding to real, so
 * the quotient stays honest when x is large or when the float library is linked. */
#include "gradcheck.h"

#include <math.h>
#include <stdio.h>

#include "core/rng.h"
#include "testing.h"

double gradcheck_compare(const char *name, real *x, const real *analytic, size_t n,
                         gradcheck_loss_fn loss, void *ctx, double eps, double tol) {
    double max_abs_diff = 0, max_numeric = 0;
    for (size_t i = 0; i < n; i++) {
        const real saved = x[i];
        const real plus = (real)(saved + eps), minus = (real)(saved - eps);
        x[i] = plus;
        const double loss_plus = loss(ctx);
        x[i] = minus;
        const double loss_minus = loss(ctx);
        x[i] = saved;
        const double numeric = (loss_plus - loss_minus) / ((double)plus - (double)minus);
        const double diff = fabs((double)analytic[i] - numeric);
        if (!(diff <= max_abs_diff)) max_abs_diff = diff; /* NaN propagates */
        if (!(fabs(numeric) <= max_numeric)) max_numeric = fabs(numeric);
    }
    loss(ctx); /* leave the saved activations as computed at the unperturbed x */
    const double rel_error = max_abs_diff / (max_numeric > 1e-12 ? max_numeric : 1e-12);
    char what[512];
    snprintf(what, sizeof what, "grad %s: n=%zu max_abs_diff=%.3e rel_error=%.3e (tol %.1e)", name,
             n, max_abs_diff, rel_error, tol);
    test_check(rel_error <= tol, what, "relative error above tolerance");
    return rel_error;
}

void gradcheck_fill(real *x, size_t n, uint64_t seed, double scale) {
    rng r;
    rng_seed(&r, rng_key(seed, RNG_STREAM_GRADCHECK, 0, 0));
    for (size_t i = 0; i < n; i++) x[i] = (real)(scale * (2 * rng_uniform(&r) - 1));
}

double gradcheck_weighted_sum(const real *out, const real *weights, size_t n) {
    double sum = 0;
    for (size_t i = 0; i < n; i++) sum += (double)out[i] * weights[i];
    return sum;
}
