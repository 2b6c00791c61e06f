/* schedule.h — the learning rate at each step: linear warmup, then a decay shape.
 *
 * `lr` in the config is the peak, reached at the end of warmup. With w = warmup and
 * s the 0-based step (the update about to be made), warmup factor f = min(1, (s+1)/w)
 * (1 when w = 0), and after warmup:
 *   constant  lr
 *   linear    lr · (steps − s) / (steps − w)            → 0 at the last step
 *   cosine    lr · ½ (1 + cos(π (s − w) / (steps − w)))
 *   rsqrt     lr · √(max(w,1) / max(s+1, w))            (LRA's rsqrt_decay, normalised
 *             so that its peak is lr: LRA's base 0.05 with warmup 1000 is lr 1.58e-3) */
#ifndef ATTNBENCH_SCHEDULE_H
#define ATTNBENCH_SCHEDULE_H

#include <stdint.h>

#include "config/config.h"

double schedule_lr(const train_config *train, int64_t step);

#endif
