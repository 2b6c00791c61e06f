/* schedule.c — the learning rate at each step (see schedule.h for the formulas).
 *
 * During warmup every schedule ramps linearly to the peak; after it, linear and
 * cosine decay over the remaining steps, clamped so that a step past the end gives 0
 * rather than a negative or rising rate, and rsqrt decays as 1/√step. */
#include "model/schedule.h"

#include <math.h>

#include "core/check.h"

static const double pi = 3.14159265358979323846;

/* Fraction of the decay phase done before update `step`, in [0, 1]. */
static double decay_progress(const train_config *train, int64_t step) {
    if (train->steps <= train->warmup) return 1;
    const double progress =
        (double)(step - train->warmup) / (double)(train->steps - train->warmup);
    return progress < 1 ? progress : 1;
}

double schedule_lr(const train_config *train, int64_t step) {
    CHECK(step >= 0 && train->warmup >= 0);
    const double lr = train->lr;
    if (step < train->warmup) return lr * (double)(step + 1) / (double)train->warmup;
    switch (train->schedule) {
    case SCHEDULE_CONSTANT:
        return lr;
    case SCHEDULE_LINEAR:
        return lr * (1 - decay_progress(train, step));
    case SCHEDULE_COSINE:
        return lr * 0.5 * (1 + cos(pi * decay_progress(train, step)));
    case SCHEDULE_RSQRT: {
        const double w = (double)train->warmup, s = (double)step + 1;
        return lr * sqrt((w > 1 ? w : 1) / (s > w ? s : w));
    }
    }
    CHECK(!"unknown learning-rate schedule");
    return 0;
}
