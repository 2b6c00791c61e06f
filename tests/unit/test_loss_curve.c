/* test_loss_curve.c — the attention kernels' speed work does not change what training
 * computes: 40 AdamW steps of a small encoder on ListOps (lengths 100–300, so tiles are
 * ragged and rows padded; dropout and attention dropout 0.1) with each mechanism give
 * the losses in tests/golden/loss_curve.txt within 1e-5 at every step. The golden file
 * was written by the kernels before they were tiled for the cache and vectorised
 * (ATTNBENCH_UPDATE_GOLDEN=1 rewrites it from the kernels being tested). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/options.h"
#include "mechanisms/mechanism.h"
#include "model/batch.h"
#include "model/model.h"
#include "testing.h"

enum { STEPS = 40, BATCH = 8 };
#define TOLERANCE 1e-5

typedef struct setting {
    const char *mechanism;
    const char *option; /* an int option set to value, or NULL */
    int value;
} setting;

static const setting settings[] = {
    {"full", NULL, 0},        {"local", "window", 24}, {"longformer", "window", 48},
    {"bigbird", "block", 16}, {"performer", NULL, 0},  {"linear", NULL, 0},
};
enum { N_SETTINGS = sizeof settings / sizeof settings[0] };

static void set_int_option(opt_set *set, const char *name, int64_t value) {
    for (int i = 0; i < set->n; i++)
        if (strcmp(set->values[i].spec->name, name) == 0) set->values[i].i = value;
}

/* The losses of STEPS training steps, each on its own batch. */
static bool train(const task_ops *task, const void *state, const task_info *info, const setting *s,
                  double losses[STEPS]) {
    model_config config = {.layers = 2, .dim = 32, .heads = 4, .mlp_dim = 64, .head_mlp_dim = 64,
                           .pooling = POOLING_CLS, .positional = POSITIONAL_SINUSOIDAL, .attention_bias = true,
                           .embedding_std = 1, .dropout = 0.1, .attention_dropout = 0.1};
    snprintf(config.attention.kind, sizeof config.attention.kind, "%s", s->mechanism);
    const mechanism_ops *ops = mechanism_find(s->mechanism);
    opt_set_defaults(&config.attention.options, ops->options, ops->n_options);
    if (s->option) set_int_option(&config.attention.options, s->option, s->value);
    train_config train_cfg = {.steps = STEPS, .batch_size = BATCH, .lr = 1e-3, .beta1 = 0.9, .beta2 = 0.98,
                              .eps = 1e-9, .schedule = SCHEDULE_CONSTANT, .grad_clip = 1.0};
    model *m;
    error_info err = {0};
    if (model_create(&m, &config, info, BATCH, 3, &err) != 0)
        return test_check(false, "model_create", "%s: %s", s->mechanism, err.message);
    batch_builder bb;
    batch_builder_init(&bb, task, state, info, true, BATCH);
    model_stats stats = {0};
    for (int step = 0; step < STEPS; step++) {
        for (int i = 0; i < BATCH; i++) bb.indices[i] = step * BATCH + i;
        batch_fill(&bb, 0, SPLIT_TRAIN, bb.indices, BATCH, 0, &err);
        model_zero_grad(m);
        model_forward(m, &bb.batch, true, step, 3, &stats);
        losses[step] = stats.loss;
        model_backward(m, &bb.batch, step, 3);
        model_update(m, &train_cfg, step, train_cfg.lr);
    }
    batch_builder_free(&bb);
    model_free(m);
    return true;
}

static char golden_path[4096];

static void write_golden(double losses[N_SETTINGS][STEPS]) {
    FILE *f = fopen(golden_path, "w");
    if (!f) {
        test_check(false, "write the golden file", "%s", golden_path);
        return;
    }
    for (int s = 0; s < N_SETTINGS; s++)
        for (int step = 0; step < STEPS; step++) fprintf(f, "%s %d %.9g\n", settings[s].mechanism, step, losses[s][step]);
    fclose(f);
    printf("wrote %s\n", golden_path);
}

static void compare_golden(double losses[N_SETTINGS][STEPS]) {
    FILE *f = fopen(golden_path, "r");
    if (!test_check(f != NULL, "the golden loss curves exist", "cannot open %s", golden_path)) return;
    double golden[N_SETTINGS][STEPS];
    int read = 0;
    char name[64];
    int step;
    double loss;
    while (fscanf(f, "%63s %d %lf", name, &step, &loss) == 3)
        for (int s = 0; s < N_SETTINGS; s++)
            if (strcmp(name, settings[s].mechanism) == 0 && step >= 0 && step < STEPS) {
                golden[s][step] = loss;
                read++;
            }
    fclose(f);
    if (!test_check(read == N_SETTINGS * STEPS, "the golden file has every step of every mechanism", "%d of %d lines",
                    read, N_SETTINGS * STEPS))
        return;
    for (int s = 0; s < N_SETTINGS; s++) {
        double worst = 0;
        int at = 0;
        for (int i = 0; i < STEPS; i++)
            if (!(fabs(losses[s][i] - golden[s][i]) <= worst)) worst = fabs(losses[s][i] - golden[s][i]), at = i;
        test_check(worst <= TOLERANCE, "the loss curve matches the golden one within 1e-5",
                   "%s: largest difference %.3g at step %d (%.9g against %.9g)", settings[s].mechanism, worst, at,
                   losses[s][at], golden[s][at]);
        printf("%-10s first loss %.6f, last %.6f, largest difference from the golden curve %.3g\n",
               settings[s].mechanism, losses[s][0], losses[s][STEPS - 1], worst);
    }
}

int main(void) {
    snprintf(golden_path, sizeof golden_path, "%s/tests/golden/loss_curve.txt", test_source_dir());
    const task_ops *task = task_find("lra/listops");
    opt_set options;
    opt_set_defaults(&options, task->options, task->n_options);
    set_int_option(&options, "min_length", 100);
    set_int_option(&options, "max_length", 300);
    void *state;
    task_info info;
    error_info err = {0};
    if (!test_check(task->init(&state, &options, &info, &err) == 0, "listops init", "%s", err.message))
        return test_finish("test_loss_curve");
    static double losses[N_SETTINGS][STEPS];
    bool trained = true;
    for (int s = 0; s < N_SETTINGS; s++) trained &= train(task, state, &info, &settings[s], losses[s]);
    const char *update = getenv("ATTNBENCH_UPDATE_GOLDEN");
    if (trained && update && *update) write_golden(losses);
    else if (trained) compare_golden(losses);
    task->free(state);
    return test_finish("test_loss_curve");
}
