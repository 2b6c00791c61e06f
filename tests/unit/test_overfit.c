/* test_overfit.c — the whole training path can fit: a small encoder trained on one
 * fixed batch of 8 ListOps examples (lengths 10–60) must drive its cross-entropy from
 * about ln 10 ≈ 2.3 to below 0.05 within 100 AdamW steps, and the same run on one
 * thread and on two gives the same losses bit for bit. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/options.h"
#include "core/parallel.h"
#include "model/batch.h"
#include "model/model.h"
#include "testing.h"

enum { STEPS = 100, BATCH = 8 };
#define LOSS_BOUND 0.05

static void set_int_option(opt_set *set, const char *name, int64_t value) {
    for (int i = 0; i < set->n; i++)
        if (strcmp(set->values[i].spec->name, name) == 0) set->values[i].i = value;
}

/* Train on the fixed batch; returns the final loss and writes the first one. */
static double overfit(const task_ops *task, const void *state, const task_info *info, int threads,
                      double *first_loss) {
    parallel_set_threads(threads);
    model_config config = {.layers = 2, .dim = 32, .heads = 4, .mlp_dim = 64, .head_mlp_dim = 64,
                           .pooling = POOLING_CLS, .positional = POSITIONAL_SINUSOIDAL, .attention_bias = true,
                           .embedding_std = 1};
    strcpy(config.attention.kind, "full");
    train_config train = {.steps = STEPS, .batch_size = BATCH, .lr = 2e-3, .beta1 = 0.9, .beta2 = 0.98,
                          .eps = 1e-9, .schedule = SCHEDULE_CONSTANT, .grad_clip = 1.0};
    model *m;
    error_info err = {0};
    if (model_create(&m, &config, info, BATCH, 1, &err) != 0) {
        test_check(false, "model_create", "%s", err.message);
        return NAN;
    }
    batch_builder bb;
    batch_builder_init(&bb, task, state, info, true, BATCH);
    for (int i = 0; i < BATCH; i++) bb.indices[i] = i;
    batch_fill(&bb, 0, SPLIT_TRAIN, bb.indices, BATCH, 0, &err);
    model_stats stats = {0};
    for (int step = 0; step < STEPS; step++) {
        model_zero_grad(m);
        model_forward(m, &bb.batch, true, step, 1, &stats);
        if (step == 0) *first_loss = stats.loss;
        model_backward(m, &bb.batch, step, 1);
        model_update(m, &train, step, train.lr);
        if (step % 50 == 0) printf("step %3d loss %.5f\n", step, stats.loss);
    }
    model_forward(m, &bb.batch, false, 0, 0, &stats);
    printf("final loss %.5f, accuracy %lld/%lld\n", stats.loss, (long long)stats.correct, (long long)stats.scored);
    batch_builder_free(&bb);
    model_free(m);
    return stats.loss;
}

int main(void) {
    const task_ops *task = task_find("lra/listops");
    if (!test_check(task != NULL, "lra/listops is registered", "not found")) return test_finish("test_overfit");
    opt_set options;
    opt_set_defaults(&options, task->options, task->n_options);
    set_int_option(&options, "min_length", 10);
    set_int_option(&options, "max_length", 60);
    void *state;
    task_info info;
    error_info err = {0};
    if (!test_check(task->init(&state, &options, &info, &err) == 0, "listops init", "%s", err.message))
        return test_finish("test_overfit");
    double first = 0, again_first = 0;
    const double final = overfit(task, state, &info, 1, &first);
    test_check(first > 1.5, "the loss starts near chance", "first loss %.4f", first);
    test_check(final < LOSS_BOUND, "one batch is overfit", "final loss %.5f, bound %.2f", final, LOSS_BOUND);
    const double again = overfit(task, state, &info, 2, &again_first);
    test_check(again == final && again_first == first, "one thread and two threads give the same losses bit for bit",
               "%.9g vs %.9g", again, final);
    task->free(state);
    return test_finish("test_overfit");
}
