/* parallel.h — the one thread budget of a run, shared by OpenMP and OpenBLAS.
 *
 * Matrix products over whole batches use OpenBLAS's threads; loops over independent
 * pieces (batch × heads in attention) use OpenMP threads that each call BLAS
 * single-threaded. The two are never nested: parallel_region_begin() drops BLAS to one
 * thread for the duration of an OpenMP loop and parallel_region_end() restores it. */
#ifndef ATTNBENCH_PARALLEL_H
#define ATTNBENCH_PARALLEL_H

/* Use `threads` threads for both OpenMP loops and BLAS. */
void parallel_set_threads(int threads);
/* Threads an OpenMP loop may use (1 without OpenMP). */
int parallel_threads(void);
/* This thread's index inside an OpenMP loop, 0 outside. */
int parallel_thread_id(void);
/* Returns the BLAS thread count to hand back to parallel_region_end. */
int parallel_region_begin(void);
void parallel_region_end(int blas_threads);

#endif
