/* train.c — the training loop of one run (see train.h). */
#define _POSIX_C_SOURCE 200809L
#include "model/train.h"

#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/rng.h"
#include "core/timer.h"
#include "model/prefetch.h"
#include "model/progress.h"
#include "model/schedule.h"

/* Set by the signal handler; the loop checks it between steps. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int signo) { stop_signal = signo; }

int train_stop_signal(void) { return stop_signal; }

void train_catch_signals(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
}

typedef struct interval { /* statistics since the last metric row */
    double loss_sum, tokens, started;
    int64_t rows, correct, scored, steps;
} interval;

static int report_eval(const train_context *ctx, int64_t step, const eval_result *r, error_info *err) {
    const train_reporter *rep = ctx->reporter;
    if (!rep) return 0;
    const train_metric points[] = {{"eval", "loss", r->loss}, {"eval", "accuracy", r->accuracy}};
    return rep->on_metrics(rep->user, step, points, 2, err);
}

static int report_interval(const train_context *ctx, int64_t step, const interval *iv, double lr,
                           double grad_norm, double tokens_per_second, error_info *err) {
    const train_reporter *rep = ctx->reporter;
    if (!rep) return 0;
    const train_metric points[] = {
        {"train", "loss", iv->loss_sum / (double)iv->rows},
        {"train", "accuracy", iv->scored ? (double)iv->correct / (double)iv->scored : 0},
        {"train", "lr", lr},
        {"train", "grad_norm", grad_norm},
        {"train", "tokens_per_second", tokens_per_second},
    };
    if (rep->on_metrics(rep->user, step, points, 5, err) != 0) return -1;
    return rep->on_heartbeat(rep->user, step, err);
}

/* The input length of training step `step` under a length protocol: uniform over the
 * training range, a pure function of the training seed and the step. */
static int train_length(uint64_t train_seed, int64_t step, const length_protocol *p) {
    rng r;
    rng_seed(&r, rng_key(train_seed, RNG_STREAM_TRAIN_LENGTH, (uint64_t)step, 0));
    return (int)rng_range(&r, p->train_min, p->train_max);
}

/* The final evaluation by length: every training length on the validation split,
 * every test length on the test split, each reported per length. */
static int evaluate_by_length(const train_context *ctx, int64_t step, train_outcome *out, error_info *err) {
    const experiment_config *cfg = ctx->config;
    batch_builder *bb = ctx->batches;
    const length_protocol *p = &bb->info.lengths;
    const int most = length_points_count(p->train_min, p->train_max, 1) +
                     length_points_count(p->test_min, p->test_max, p->test_stride);
    length_accuracy *points = calloc((size_t)most, sizeof *points);
    CHECK(points != NULL);
    int n_eval = 0, n_test = 0;
    int status = evaluate_lengths(ctx->model, bb, cfg->task.seed, SPLIT_EVAL, p->train_min, p->train_max, 1,
                                  p->samples_per_length, step, points, &n_eval, &out->eval, err);
    if (status == 0)
        status = evaluate_lengths(ctx->model, bb, cfg->task.seed, SPLIT_TEST, p->test_min, p->test_max,
                                  p->test_stride, p->samples_per_length, step, points + n_eval, &n_test, &out->test,
                                  err);
    const train_reporter *rep = ctx->reporter;
    if (status == 0 && rep) status = rep->on_lengths(rep->user, points, n_eval + n_test, err);
    free(points);
    out->by_length = true;
    return status;
}

/* The training batch of `step` (prefetch's fill, on its worker thread). */
static int fill_train_batch(void *arg, int64_t step, batch_builder *bb, error_info *err) {
    const train_context *ctx = arg;
    const experiment_config *cfg = ctx->config;
    const train_config *tc = &cfg->train;
    for (int slot = 0; slot < tc->batch_size; slot++)
        bb->indices[slot] = batch_train_index(tc->seed, step, tc->batch_size, slot, cfg->task.train_examples);
    const bool by_length = bb->info.lengths.samples_per_length > 0;
    const int length = by_length ? train_length(tc->seed, step, &bb->info.lengths) : 0;
    return batch_fill(bb, cfg->task.seed, SPLIT_TRAIN, bb->indices, tc->batch_size, length, err);
}

/* Every training step, with the periodic logs and evaluations; 0 also when the run
 * diverged (out->diverged). */
static int train_steps(const train_context *ctx, prefetch *batches, train_outcome *out, error_info *err) {
    const experiment_config *cfg = ctx->config;
    const train_config *tc = &cfg->train;
    model *m = ctx->model;
    progress prog;
    progress_start(&prog, tc->steps, ctx->quiet);
    const double started = timer_now();
    double train_seconds = 0, train_tokens = 0;
    int64_t train_sequences = 0, train_full_attention = 0;
    interval iv = {.started = timer_now()};

    for (int64_t step = 0; step < tc->steps; step++) {
        if (stop_signal) {
            progress_finish(&prog);
            return error_set(err, EXIT_RUNTIME, "interrupted by signal %d at step %lld", (int)stop_signal,
                             (long long)step);
        }
        const double step_started = timer_now();
        batch_builder *bb;
        if (prefetch_take(batches, step, &bb, err) != 0) return -1;
        model_stats stats;
        model_zero_grad(m);
        model_forward(m, &bb->batch, true, step, tc->seed, &stats);
        train_sequences += bb->batch.B;
        train_full_attention += batch_full_attention_count(m, &bb->batch);
        double lr = schedule_lr(tc, step), grad_norm = NAN;
        if (isfinite(stats.loss)) {
            model_backward(m, &bb->batch, step, tc->seed);
            grad_norm = model_update(m, tc, step, lr);
        }
        out->steps_done = step + 1;
        if (!isfinite(stats.loss) || !isfinite(grad_norm)) {
            progress_finish(&prog);
            progress_note(&prog, "diverged at step %lld: loss %g, gradient norm %g", (long long)step + 1,
                          stats.loss, grad_norm);
            out->diverged = true;
            out->wall_seconds = timer_now() - started;
            return 0;
        }
        const double tokens = (double)bb->batch.B * bb->batch.T;
        train_seconds += timer_now() - step_started;
        train_tokens += tokens;
        iv.loss_sum += stats.loss * (double)stats.rows;
        iv.rows += stats.rows;
        iv.correct += stats.correct;
        iv.scored += stats.scored;
        iv.tokens += tokens;
        iv.steps++;

        const int64_t done = step + 1;
        const bool last = done == tc->steps;
        if (done % tc->log_every == 0 || last) {
            const double tokens_per_second = iv.tokens / (timer_now() - iv.started);
            out->train_loss = iv.loss_sum / (double)iv.rows;
            out->train_accuracy = iv.scored ? (double)iv.correct / (double)iv.scored : 0;
            if (report_interval(ctx, done, &iv, lr, grad_norm, tokens_per_second, err) != 0) return -1;
            progress_step(&prog, done, out->train_loss, out->train_accuracy, tokens_per_second);
            iv = (interval){.started = timer_now()};
        }
        if (tc->eval_every > 0 && done % tc->eval_every == 0 && !last) {
            eval_result r;
            if (evaluate_split(m, bb, cfg->task.seed, SPLIT_EVAL, cfg->task.eval_examples, tc->batch_size, step,
                               &r, err) != 0)
                return -1;
            if (report_eval(ctx, done, &r, err) != 0) return -1;
            progress_note(&prog, "step %lld: eval loss %.4f, accuracy %.2f%%", (long long)done, r.loss,
                          100 * r.accuracy);
            iv.started = timer_now(); /* evaluation time is not training throughput */
        }
    }
    progress_finish(&prog);
    out->tokens_per_second = train_seconds > 0 ? train_tokens / train_seconds : 0;
    out->train_full_attention_fraction = train_sequences ? (double)train_full_attention / (double)train_sequences : 0;
    out->wall_seconds = timer_now() - started;
    return 0;
}

int train_run(const train_context *ctx, train_outcome *out, error_info *err) {
    const experiment_config *cfg = ctx->config;
    const train_config *tc = &cfg->train;
    model *m = ctx->model;
    batch_builder *bb = ctx->batches, second;
    const double started = timer_now();
    memset(out, 0, sizeof *out);
    batch_builder_init(&second, bb->task, bb->task_state, &bb->info, bb->cls, bb->max_batch);
    prefetch *batches = NULL;
    int status = prefetch_start(&batches, bb, &second, fill_train_batch, (void *)ctx, 0, tc->steps, err);
    if (status == 0) status = train_steps(ctx, batches, out, err);
    prefetch_stop(batches);
    batch_builder_free(&second);
    if (status != 0 || out->diverged) return status;
    const int64_t last_step = tc->steps - 1;
    if (bb->info.lengths.samples_per_length > 0) {
        if (evaluate_by_length(ctx, last_step, out, err) != 0) return -1;
        if (report_eval(ctx, tc->steps, &out->eval, err) != 0) return -1;
        out->wall_seconds = timer_now() - started;
        return 0;
    }
    if (evaluate_split(m, bb, cfg->task.seed, SPLIT_EVAL, cfg->task.eval_examples, tc->batch_size, last_step,
                       &out->eval, err) != 0)
        return -1;
    if (report_eval(ctx, tc->steps, &out->eval, err) != 0) return -1;
    if (evaluate_split(m, bb, cfg->task.seed, SPLIT_TEST, cfg->task.test_examples, tc->batch_size, last_step,
                       &out->test, err) != 0)
        return -1;
    out->wall_seconds = timer_now() - started;
    return 0;
}
