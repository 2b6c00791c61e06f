/* performer.h — the Performer's random projections and its unstabilised features,
 * exposed so that tests can check the estimator itself (unbiasedness, redraws). */
#ifndef ATTNBENCH_PERFORMER_H
#define ATTNBENCH_PERFORMER_H

#include "mechanisms/mechanism.h"

/* Ω (m, hs) of head `head` for this call, exactly as forward and backward use it: a
 * pure function of (call->seed, call->layer, head, call->step / redraw). state comes
 * from mechanism_performer.init with deterministic false. */
void performer_draw_projection(const void *state, const attention_call *call, int head, real *omega);

/* The plain positive random features of exp(xᵀy), without stabiliser or ε:
 * phi (m) = m^(-1/2) exp(Ω x − ‖x‖²/2) for one x (hs), so E[φ(x)·φ(y)] = exp(xᵀy). */
void performer_raw_features(const real *omega, int m, int hs, const real *x, real *phi);

#endif
