/* test_schedule.c — every learning-rate schedule at hand-computed steps.
 *
 * Peak lr 1e-3, 110 steps, warmup 10 (so the decay phase is 100 steps long), unless a
 * case says otherwise. Step s is 0-based: the update about to be made. */
#include <math.h>
#include <string.h>

#include "config/config.h"
#include "model/schedule.h"
#include "testing.h"

static const double peak = 1e-3;
static const double tol = 1e-15;
static const char *const schedule_names[] = {"constant", "linear", "cosine", "rsqrt"};

static train_config make_train(enum lr_schedule schedule, int64_t steps, int64_t warmup) {
    train_config train;
    memset(&train, 0, sizeof train);
    train.steps = steps;
    train.warmup = warmup;
    train.lr = peak;
    train.schedule = schedule;
    return train;
}

static void expect(const train_config *train, int64_t step, double factor, const char *what) {
    test_near(schedule_lr(train, step), factor * peak, tol, "%s %s (steps %lld, warmup %lld) at s=%lld",
              schedule_names[train->schedule], what, (long long)train->steps,
              (long long)train->warmup, (long long)step);
}

/* Every schedule ramps (s+1)/w during warmup and peaks at its last step; `after` is
 * the factor at the first step after warmup. */
static void test_warmup(enum lr_schedule schedule, double after) {
    const train_config train = make_train(schedule, 110, 10);
    expect(&train, 0, 0.1, "warmup start");
    expect(&train, 4, 0.5, "warmup middle");
    expect(&train, 9, 1.0, "peak at the end of warmup");
    expect(&train, 10, after, "first step after warmup");
}

int main(void) {
    test_warmup(SCHEDULE_CONSTANT, 1.0);
    test_warmup(SCHEDULE_LINEAR, 1.0);
    test_warmup(SCHEDULE_COSINE, 1.0);
    test_warmup(SCHEDULE_RSQRT, sqrt(10.0 / 11.0));

    const train_config constant = make_train(SCHEDULE_CONSTANT, 110, 10);
    expect(&constant, 60, 1.0, "after warmup");
    expect(&constant, 109, 1.0, "last step");

    /* linear: (steps − s) / (steps − w) */
    const train_config linear = make_train(SCHEDULE_LINEAR, 110, 10);
    expect(&linear, 60, 0.5, "half-way");
    expect(&linear, 109, 0.01, "last step");
    expect(&linear, 110, 0.0, "reaches 0 at the end");
    expect(&linear, 150, 0.0, "stays at 0 past the end");

    /* cosine: ½ (1 + cos(π (s − w) / (steps − w))) */
    const train_config cosine = make_train(SCHEDULE_COSINE, 110, 10);
    expect(&cosine, 35, 0.85355339059327373, "a quarter of the way: (1 + cos(pi/4))/2");
    expect(&cosine, 60, 0.5, "half-way");
    expect(&cosine, 85, 0.14644660940672624, "three quarters: (1 - cos(pi/4))/2");
    expect(&cosine, 110, 0.0, "reaches 0 at the end");
    expect(&cosine, 150, 0.0, "stays at 0 past the end");

    /* rsqrt: √(w / (s+1)) after warmup */
    const train_config rsqrt = make_train(SCHEDULE_RSQRT, 1000, 10);
    expect(&rsqrt, 39, 0.5, "s+1 = 4w");
    expect(&rsqrt, 159, 0.25, "s+1 = 16w");

    /* warmup 0: the peak from the first step. */
    const train_config constant0 = make_train(SCHEDULE_CONSTANT, 100, 0);
    expect(&constant0, 0, 1.0, "no warmup, first step");
    const train_config linear0 = make_train(SCHEDULE_LINEAR, 100, 0);
    expect(&linear0, 0, 1.0, "no warmup, first step");
    expect(&linear0, 50, 0.5, "no warmup, half-way");
    const train_config cosine0 = make_train(SCHEDULE_COSINE, 100, 0);
    expect(&cosine0, 0, 1.0, "no warmup, first step");
    expect(&cosine0, 50, 0.5, "no warmup, half-way");
    const train_config rsqrt0 = make_train(SCHEDULE_RSQRT, 100, 0);
    expect(&rsqrt0, 0, 1.0, "no warmup, first step");
    expect(&rsqrt0, 3, 0.5, "no warmup, 1/sqrt(s+1)");
    /* warmup as long as training: never leaves the ramp. */
    const train_config all_warmup = make_train(SCHEDULE_COSINE, 10, 10);
    expect(&all_warmup, 9, 1.0, "warmup = steps, last step");
    return test_finish("test_schedule");
}
