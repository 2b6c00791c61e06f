/* test_step_allocations.c — a training step allocates nothing: the model of every
 * mechanism, the test-only ones included (test_mechanisms.h),
 * (with dropout, attention dropout and padded batches) runs forward, backward and AdamW
 * for three steps after two warm-up steps, and an evaluation forward, while
 * malloc, calloc and realloc calls from attnbench's own code are counted (the linker
 * wraps them: --wrap=malloc etc.; OpenBLAS and libgomp are not counted; that the wrap
 * counts is checked on the batch builder's buffers). The count must be 0: the model, mechanism and layers allocate once, when the model is created. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/options.h"
#include "mechanisms/mechanism.h"
#include "model/batch.h"
#include "model/model.h"
#include "test_mechanisms.h"
#include "testing.h"

enum { BATCH = 4, WARM_UP = 2, COUNTED = 3 };

static int counting, allocations;

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *p, size_t size);

void *__wrap_malloc(size_t size) {
    if (counting) __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED);
    return __real_malloc(size);
}

void *__wrap_calloc(size_t count, size_t size) {
    if (counting) __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED);
    return __real_calloc(count, size);
}

void *__wrap_realloc(void *p, size_t size) {
    if (counting) __atomic_add_fetch(&allocations, 1, __ATOMIC_RELAXED);
    return __real_realloc(p, size);
}

static void set_int_option(opt_set *set, const char *name, int64_t value) {
    for (int i = 0; i < set->n; i++)
        if (strcmp(set->values[i].spec->name, name) == 0) set->values[i].i = value;
}

/* Allocations during the counted steps of one mechanism's model. */
static int count_step_allocations(const mechanism_ops *ops, const task_ops *task, const void *state,
                                  const task_info *info) {
    model_config config = {.layers = 2, .dim = 32, .heads = 4, .mlp_dim = 64, .head_mlp_dim = 64,
                           .pooling = POOLING_CLS, .positional = POSITIONAL_SINUSOIDAL, .attention_bias = true,
                           .embedding_std = 1, .dropout = 0.1, .attention_dropout = 0.1};
    snprintf(config.attention.kind, sizeof config.attention.kind, "%s", ops->name);
    opt_set_defaults(&config.attention.options, ops->options, ops->n_options);
    if (strcmp(ops->name, "local") == 0 || strcmp(ops->name, "longformer") == 0)
        set_int_option(&config.attention.options, "window", 16);
    if (strcmp(ops->name, "bigbird") == 0) set_int_option(&config.attention.options, "block", 8);
    train_config train = {.steps = 10, .batch_size = BATCH, .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.98, .eps = 1e-9,
                          .schedule = SCHEDULE_CONSTANT, .grad_clip = 1.0};
    model *m;
    error_info err = {0};
    if (model_create(&m, &config, info, BATCH, 1, &err) != 0) {
        test_check(false, "model_create", "%s: %s", ops->name, err.message);
        return -1;
    }
    batch_builder bb;
    counting = 1; /* the wrapping works: the builder's buffers are counted */
    batch_builder_init(&bb, task, state, info, true, BATCH);
    counting = 0;
    test_check(allocations > 0, "the wrapped allocator counts", "%s: the batch builder made %d allocations", ops->name,
               allocations);
    allocations = 0;
    model_stats stats;
    for (int step = 0; step < WARM_UP + COUNTED; step++) {
        for (int i = 0; i < BATCH; i++) bb.indices[i] = step * BATCH + i;
        batch_fill(&bb, 0, SPLIT_TRAIN, bb.indices, BATCH, 0, &err);
        counting = step >= WARM_UP;
        model_zero_grad(m);
        model_forward(m, &bb.batch, true, step, 1, &stats);
        model_backward(m, &bb.batch, step, 1);
        model_update(m, &train, step, train.lr);
        model_forward(m, &bb.batch, false, step, 1, &stats);
        counting = 0;
    }
    batch_builder_free(&bb);
    model_free(m);
    return allocations;
}

int main(void) {
    const task_ops *task = task_find("lra/listops");
    opt_set options;
    opt_set_defaults(&options, task->options, task->n_options);
    set_int_option(&options, "min_length", 40);
    set_int_option(&options, "max_length", 120);
    void *state;
    task_info info;
    error_info err = {0};
    if (!test_check(task->init(&state, &options, &info, &err) == 0, "listops init", "%s", err.message))
        return test_finish("test_step_allocations");
    for (int i = 0; i < test_mechanism_count(); i++) {
        const mechanism_ops *ops = test_mechanism_at(i);
        allocations = 0;
        const int n = count_step_allocations(ops, task, state, &info);
        test_check(n == 0, "no allocation in a training step", "%s: %d allocations in %d steps", ops->name, n,
                   COUNTED);
        printf("%-10s %d allocations in %d training steps and evaluations\n", ops->name, n, COUNTED);
    }
    task->free(state);
    return test_finish("test_step_allocations");
}
