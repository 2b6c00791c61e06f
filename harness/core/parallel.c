/* parallel.c — OpenMP and OpenBLAS thread counts (see parallel.h). */
#include "core/parallel.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/blas.h"

void parallel_set_threads(int threads) {
#ifdef _OPENMP
    omp_set_num_threads(threads);
#endif
    blas_set_threads(threads);
}

int parallel_threads(void) {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

int parallel_thread_id(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

int parallel_region_begin(void) {
    const int threads = blas_threads();
    if (threads != 1) blas_set_threads(1);
    return threads;
}

void parallel_region_end(int blas_threads_before) {
    if (blas_threads_before != 1) blas_set_threads(blas_threads_before);
}
