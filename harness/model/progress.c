/* progress.c — live progress line or plain log lines (see progress.h). */
#define _POSIX_C_SOURCE 200809L
#include "model/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "core/timer.h"

static void format_duration(char *buf, size_t size, double seconds) {
    if (seconds < 0) seconds = 0;
    long s = (long)(seconds + 0.5);
    if (s >= 3600) snprintf(buf, size, "%ldh%02ldm", s / 3600, s / 60 % 60);
    else if (s >= 60) snprintf(buf, size, "%ldm%02lds", s / 60, s % 60);
    else snprintf(buf, size, "%lds", s);
}

void progress_start(progress *p, int64_t steps, bool quiet) {
    p->terminal = isatty(STDERR_FILENO);
    p->quiet = quiet;
    p->started = p->last_line = timer_now();
    p->steps = steps;
}

void progress_step(progress *p, int64_t step, double loss, double accuracy, double tokens_per_second) {
    if (p->quiet) return;
    const double now = timer_now();
    const bool last = step == p->steps;
    if (!p->terminal && !last && now - p->last_line < 10) return;
    p->last_line = now;
    char left[32];
    format_duration(left, sizeof left, (now - p->started) / (double)step * (double)(p->steps - step));
    fprintf(stderr, "%sstep %lld/%lld  loss %.4f  acc %5.1f%%  %.0f tok/s  left %s%s",
            p->terminal ? "\r\033[K" : "", (long long)step, (long long)p->steps, loss, 100 * accuracy,
            tokens_per_second, left, p->terminal ? "" : "\n");
    fflush(stderr);
}

void progress_note(progress *p, const char *fmt, ...) {
    if (p->quiet) return;
    if (p->terminal) fprintf(stderr, "\r\033[K");
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
}

void progress_finish(progress *p) {
    if (!p->quiet && p->terminal) fprintf(stderr, "\n");
}
