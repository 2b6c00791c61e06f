/* parallel.c — OpenMP and OpenBLAS thread counts (see parallel.h). */
#include "core/parallel.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#include "core/blas.h"

void parallel_set_threads(int threads) {
#ifdef _OPENMP
    omp_set_num_threads(threads);
#else
    (void)threads;
#endif
    blas_set_threads(1);
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

void parallel_range(int n, int parts, int part, int *begin, int *end) {
    *begin = (int)((long long)n * part / parts);
    *end = (int)((long long)n * (part + 1) / parts);
}
