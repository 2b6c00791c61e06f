/* progress.h — what a run says while it trains.
 *
 * On a terminal: one line on stderr rewritten in place (step, loss, accuracy,
 * tokens/s, time left). Otherwise (a log file, CI): a plain line at most every few
 * seconds and at every evaluation, so logs stay readable. */
#ifndef ATTNBENCH_PROGRESS_H
#define ATTNBENCH_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct progress {
    bool terminal, quiet;
    double started, last_line;
    int64_t steps;
} progress;

void progress_start(progress *p, int64_t steps, bool quiet);
void progress_step(progress *p, int64_t step, double loss, double accuracy, double tokens_per_second);
/* A line that is always printed (evaluations, the end of the run). */
void progress_note(progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void progress_finish(progress *p);

#endif
