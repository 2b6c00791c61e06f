/* test_prefetch.c — the batch prefetcher hands out exactly the batches a direct fill
 * gives, in order, while it fills ahead on its own thread: 30 ListOps steps compared
 * token by token with a direct fill (the caller's builder is not touched by the worker
 * while the caller holds it: its contents are checked after the next fill has had time
 * to run); a fill that fails at step 5 makes take(5) fail with its message after steps
 * 0–4 succeeded; stopping in the middle of a long run returns. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/options.h"
#include "core/timer.h"
#include "model/batch.h"
#include "model/prefetch.h"
#include "testing.h"

enum { BATCH = 4, STEPS = 30 };

typedef struct job {
    int fail_at; /* −1: never */
} job;

static int fill(void *arg, int64_t step, batch_builder *bb, error_info *err) {
    const job *j = arg;
    if (step == j->fail_at) return error_set(err, EXIT_RUNTIME, "no batch at step %lld", (long long)step);
    for (int i = 0; i < BATCH; i++) bb->indices[i] = step * BATCH + i;
    return batch_fill(bb, 5, SPLIT_TRAIN, bb->indices, BATCH, 0, err);
}

static bool same_batch(const model_batch *a, const model_batch *b) {
    return a->B == b->B && a->T == b->T &&
           memcmp(a->tokens, b->tokens, sizeof(int32_t) * (size_t)a->B * a->T) == 0 &&
           memcmp(a->lengths, b->lengths, sizeof(int32_t) * (size_t)a->B) == 0 &&
           memcmp(a->targets, b->targets, sizeof(int32_t) * (size_t)a->B) == 0;
}

int main(void) {
    const task_ops *task = task_find("lra/listops");
    opt_set options;
    opt_set_defaults(&options, task->options, task->n_options);
    void *state;
    task_info info;
    error_info err = {0};
    if (!test_check(task->init(&state, &options, &info, &err) == 0, "listops init", "%s", err.message))
        return test_finish("test_prefetch");
    batch_builder a, b, direct;
    batch_builder_init(&a, task, state, &info, true, BATCH);
    batch_builder_init(&b, task, state, &info, true, BATCH);
    batch_builder_init(&direct, task, state, &info, true, BATCH);

    job ok = {.fail_at = -1};
    prefetch *p = NULL;
    test_check(prefetch_start(&p, &a, &b, fill, &ok, 0, STEPS, &err) == 0, "prefetch starts", "%s", err.message);
    int same = 0;
    for (int64_t step = 0; step < STEPS; step++) {
        batch_builder *bb;
        if (prefetch_take(p, step, &bb, &err) != 0) break;
        usleep(2000); /* the worker fills step + 1 meanwhile, into the other builder */
        fill(&ok, step, &direct, &err);
        same += same_batch(&bb->batch, &direct.batch) && bb == (step % 2 ? &b : &a);
    }
    prefetch_stop(p);
    test_check(same == STEPS, "every prefetched batch equals the direct fill of its step, builders alternating",
               "%d of %d", same, STEPS);

    job failing = {.fail_at = 5};
    test_check(prefetch_start(&p, &a, &b, fill, &failing, 0, STEPS, &err) == 0, "prefetch starts again", "%s",
               err.message);
    int taken = 0;
    batch_builder *bb;
    while (taken < STEPS && prefetch_take(p, taken, &bb, &err) == 0) taken++;
    prefetch_stop(p);
    test_check(taken == 5 && strstr(err.message, "no batch at step 5"),
               "a failed fill fails its take with the fill's message, after the steps before it", "%d taken: %s", taken,
               err.message);

    test_check(prefetch_start(&p, &a, &b, fill, &ok, 0, 1000000, &err) == 0 && prefetch_take(p, 0, &bb, &err) == 0,
               "a long prefetch starts", "%s", err.message);
    const double before = timer_now();
    prefetch_stop(p);
    const double seconds = timer_now() - before;
    test_check(seconds < 5, "stopping it in the middle returns at once", "%.3g s", seconds);

    batch_builder_free(&a);
    batch_builder_free(&b);
    batch_builder_free(&direct);
    task->free(state);
    return test_finish("test_prefetch");
}
