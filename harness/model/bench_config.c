/* bench_config.c — a config's model, batch and training step for a bench cell (see
 * bench_config.h). */
#include "model/bench_config.h"

#include <stdio.h>
#include <string.h>

#include "core/check.h"
#include "model/schedule.h"

static int task_open(bench_config_cell *c, const experiment_config *cfg, error_info *err) {
    memset(c, 0, sizeof *c);
    c->config = cfg;
    c->task = task_find(cfg->task.name);
    CHECK(c->task != NULL); /* the config loader checked the name */
    return c->task->init(&c->task_state, &cfg->task.options, &c->info, err);
}

int bench_config_default_length(const experiment_config *cfg, int *length, error_info *err) {
    bench_config_cell c;
    const int status = task_open(&c, cfg, err);
    if (status == 0) *length = c.info.lengths.samples_per_length > 0 ? c.info.lengths.train_max : c.info.max_length;
    bench_config_close(&c);
    return status;
}

int bench_config_tokens(const experiment_config *cfg, int length, int B, int *T, error_info *err) {
    bench_config_cell c;
    int status = task_open(&c, cfg, err);
    if (status == 0) status = bench_config_batch(&c, model_config_uses_cls(&cfg->model, &c.info), length, B, err);
    if (status == 0) *T = c.batches.batch.T;
    bench_config_close(&c);
    return status;
}

int bench_config_open(bench_config_cell *c, const experiment_config *cfg, const char *mechanism,
                      const opt_set *options, int T, error_info *err) {
    if (task_open(c, cfg, err) != 0) return -1;
    if (c->info.lengths.samples_per_length > 0 && c->info.lengths.train_max_tokens < T)
        c->info.lengths.train_max_tokens = T; /* a full batch of this length, as training would hold */
    c->model = cfg->model;
    snprintf(c->model.attention.kind, sizeof c->model.attention.kind, "%s", mechanism);
    c->model.attention.options = *options;
    return 0;
}

int bench_config_batch(bench_config_cell *c, bool cls, int length, int B, error_info *err) {
    batch_builder_init(&c->batches, c->task, c->task_state, &c->info, cls, B);
    c->have_batches = true;
    for (int b = 0; b < B; b++) c->batches.indices[b] = b;
    return batch_fill(&c->batches, c->config->task.seed, SPLIT_TRAIN, c->batches.indices, B, length, err);
}

void bench_config_step(const bench_config_cell *c, model *m, int64_t step) {
    const train_config *tc = &c->config->train;
    model_zero_grad(m);
    model_forward(m, &c->batches.batch, true, step, tc->seed, NULL);
    model_backward(m, &c->batches.batch, step, tc->seed);
    model_update(m, tc, step, schedule_lr(tc, step));
}

void bench_config_close(bench_config_cell *c) {
    if (c->have_batches) batch_builder_free(&c->batches);
    if (c->task && c->task_state) c->task->free(c->task_state);
    c->have_batches = false;
    c->task_state = NULL;
}
