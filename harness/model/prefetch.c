/* prefetch.c — one worker thread filling training batches ahead (see prefetch.h).
 *
 * State under one mutex: `filled` is the last step the worker finished (its status in
 * `status`), `taken` the last step the caller took. The worker may fill step s into
 * builder s mod 2 once the caller has taken s − 1, which means it is done with s − 2,
 * the builder's previous batch. */
#include "model/prefetch.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct prefetch {
    batch_builder *builders[2];
    prefetch_fill fill;
    void *arg;
    int64_t first, last;
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t changed;
    int64_t filled, taken; /* first − 1 before any */
    int status;            /* of the fill of `filled` */
    error_info err;
    bool stop;
};

static void *worker(void *arg) {
    prefetch *p = arg;
    for (int64_t step = p->first; step < p->last; step++) {
        pthread_mutex_lock(&p->mutex);
        while (!p->stop && step - 2 >= p->first && p->taken < step - 1) pthread_cond_wait(&p->changed, &p->mutex);
        const bool stop = p->stop;
        pthread_mutex_unlock(&p->mutex);
        if (stop) break;
        error_info err = {0};
        const int status = p->fill(p->arg, step, p->builders[(step - p->first) % 2], &err);
        pthread_mutex_lock(&p->mutex);
        if (status == 0) p->filled = step;
        p->status = status;
        p->err = err;
        pthread_cond_broadcast(&p->changed);
        pthread_mutex_unlock(&p->mutex);
        if (status != 0) break;
    }
    return NULL;
}

int prefetch_start(prefetch **out, batch_builder *a, batch_builder *b, prefetch_fill fill, void *arg, int64_t first,
                   int64_t last, error_info *err) {
    prefetch *p = calloc(1, sizeof *p);
    if (!p) return error_set(err, EXIT_RUNTIME, "out of memory");
    *p = (prefetch){.builders = {a, b}, .fill = fill, .arg = arg, .first = first, .last = last,
                    .filled = first - 1, .taken = first - 1};
    pthread_mutex_init(&p->mutex, NULL);
    pthread_cond_init(&p->changed, NULL);
    if (pthread_create(&p->thread, NULL, worker, p) != 0) {
        pthread_mutex_destroy(&p->mutex);
        pthread_cond_destroy(&p->changed);
        free(p);
        return error_set(err, EXIT_RUNTIME, "cannot start the batch prefetch thread");
    }
    *out = p;
    return 0;
}

int prefetch_take(prefetch *p, int64_t step, batch_builder **bb, error_info *err) {
    pthread_mutex_lock(&p->mutex);
    while (p->filled < step && p->status == 0) pthread_cond_wait(&p->changed, &p->mutex);
    const int status = p->filled >= step ? 0 : p->status;
    if (status != 0) *err = p->err;
    p->taken = step; /* done with step − 1's builder: the worker may fill step + 1 into it */
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->mutex);
    *bb = p->builders[(step - p->first) % 2];
    return status == 0 ? 0 : -1;
}

void prefetch_stop(prefetch *p) {
    if (!p) return;
    pthread_mutex_lock(&p->mutex);
    p->stop = true;
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->mutex);
    pthread_join(p->thread, NULL);
    pthread_mutex_destroy(&p->mutex);
    pthread_cond_destroy(&p->changed);
    free(p);
}
