/* timer.h — monotonic wall time and peak memory, for progress lines, benchmarks and the
 * store. */
#ifndef ATTNBENCH_TIMER_H
#define ATTNBENCH_TIMER_H

/* Seconds from an arbitrary fixed point, monotonic. */
double timer_now(void);
/* Peak resident set size of this process so far, in bytes. */
double timer_peak_rss_bytes(void);
/* Median of n ≥ 1 durations (sorts them in place). */
double timer_median(double *seconds, int n);
/* Current UTC time as "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (at least 32 bytes). */
void timer_utc_iso(char *buf, int size);

#endif
