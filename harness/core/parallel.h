/* parallel.h — the one thread budget of a run.
 *
 * OpenBLAS always runs single-threaded, and parallelism comes from OpenMP loops over
 * independent pieces (batch × heads in attention), each calling BLAS on its own piece.
 * The two are never nested, and no BLAS thread pool spins against the OpenMP threads:
 * with both active, small per-layer products made two cores slower than one. */
#ifndef ATTNBENCH_PARALLEL_H
#define ATTNBENCH_PARALLEL_H

/* Use `threads` OpenMP threads and single-threaded BLAS. Call it once, before any
 * model is created: per-thread scratch is sized from parallel_threads(). */
void parallel_set_threads(int threads);
/* Threads an OpenMP loop may use (1 without OpenMP). */
int parallel_threads(void);
/* This thread's index inside an OpenMP loop, 0 outside. */
int parallel_thread_id(void);
/* Part `part` of `parts` near-equal contiguous pieces of [0, n): [*begin, *end). */
void parallel_range(int n, int parts, int part, int *begin, int *end);

/* Loops over fewer elements than this stay on one thread: waking the others costs more. */
#define PARALLEL_MIN_WORK 32768

#endif
