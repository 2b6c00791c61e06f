/* bench.c — one cell of `attnbench bench` in a child process (see bench.h).
 *
 * The parent forks, the child builds the model, checks its size against the memory
 * limit, runs one warm-up step and the timed steps, and writes its report into a
 * pipe. The child sends a first, provisional report as soon as the model exists, so
 * that a cell that crashes during its steps is still listed with its model size. The
 * parent takes the child's peak resident memory from wait4 and turns a crash, a
 * non-zero exit or a missing report into a failed outcome with its reason. The
 * parent never runs the model itself: no OpenMP thread pool exists when it forks.
 * With a config the child's model, batch and step are the config's
 * (model/bench_config.h); the parent has already built that batch once to learn its T,
 * and the child checks that its own has the same. */
#define _DEFAULT_SOURCE
#include "model/bench.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config_schema.h"
#include "core/blas.h"
#include "core/check.h"
#include "core/rng.h"
#include "core/timer.h"
#include "mechanisms/mechanism.h"
#include "model/bench_attention.h"
#include "model/bench_config.h"
#include "model/model.h"

#define BENCH_VOCAB 32
#define BENCH_CLASSES 10
#define BENCH_SEED 0

enum { TOKEN_PAD, TOKEN_CLS, TOKEN_FIRST_REAL };

/* What the child writes into the pipe; final = 0 for the provisional report. */
typedef struct bench_message {
    int final;
    bench_result result;
} bench_message;

_Static_assert(sizeof(bench_message) <= PIPE_BUF, "a report must be one atomic pipe write");

void bench_model_config(model_config *config, const char *mechanism, const opt_set *options, bench_shape shape) {
    const mechanism_ops *ops = mechanism_find(mechanism);
    CHECK(ops != NULL);
    memset(config, 0, sizeof *config);
    config_section_defaults(&config_model_section, config);
    config->layers = shape.layers;
    config->dim = shape.dim;
    config->heads = shape.heads;
    config->mlp_dim = shape.mlp_dim;
    config->head_mlp_dim = shape.mlp_dim;
    config->qkv_dim = shape.dim;
    config->dropout = 0;
    config->attention_dropout = 0;
    config->pooling = POOLING_CLS;
    config->positional = POSITIONAL_SINUSOIDAL;
    snprintf(config->attention.kind, sizeof config->attention.kind, "%s", mechanism);
    if (options) config->attention.options = *options;
    else opt_set_defaults(&config->attention.options, ops->options, ops->n_options);
}

/* The train section's defaults, as a config without a train section would have them. */
static void train_defaults(train_config *train) {
    memset(train, 0, sizeof *train);
    config_section_defaults(&config_train_section, train);
}

/* A task with nothing behind it: the shape of a batch of T tokens, CLS included. */
static task_info bench_task(int T) {
    task_info info = {
        .vocab_size = BENCH_VOCAB,
        .n_classes = BENCH_CLASSES,
        .max_length = T - 1,
        .max_outputs = 1,
        .pad_token = TOKEN_PAD,
        .cls_token = TOKEN_CLS,
        .output = TASK_OUTPUT_CLASS,
        .token_names = NULL,
        .version = "bench",
    };
    return info;
}

/* Attention GFLOP of one training step: the mechanism's forward + backward estimate
 * for the batch shape, over every layer. */
static double attention_gflops(const model_config *config, int B, int T) {
    const mechanism_ops *ops = mechanism_find(config->attention.kind);
    const int hs = (config->qkv_dim ? config->qkv_dim : config->dim) / config->heads;
    const attention_geometry geometry = {
        .heads = config->heads, .head_size = hs, .max_tokens = T, .layers = config->layers, .global_token = 0};
    void *state = NULL;
    int n_inputs = 0;
    error_info err = {0};
    CHECK(ops->init(&state, &config->attention.options, &geometry, &n_inputs, &err) == 0); /* the model took it */
    const double flops = ops->flops(state, (attention_shape){B, config->heads, T, hs});
    if (ops->free) ops->free(state);
    return flops * config->layers / 1e9;
}

static void *checked_calloc(size_t count, size_t size) {
    void *p = calloc(count, size);
    CHECK(p != NULL);
    return p;
}

/* B sequences of T tokens: CLS, then uniform random tokens; one random class each. */
static void batch_alloc(model_batch *batch, int B, int T) {
    batch->B = B;
    batch->T = T;
    batch->tokens = checked_calloc((size_t)B * T, sizeof(int32_t));
    batch->lengths = checked_calloc((size_t)B, sizeof(int32_t));
    batch->targets = checked_calloc((size_t)B, sizeof(int32_t));
    batch->target_mask = checked_calloc((size_t)B, sizeof(uint8_t));
    batch->n_outputs = checked_calloc((size_t)B, sizeof(int32_t));
    rng r;
    rng_seed(&r, rng_key(BENCH_SEED, (uint64_t)B, (uint64_t)T, 0));
    for (int b = 0; b < B; b++) {
        int32_t *tokens = batch->tokens + (size_t)b * T;
        tokens[0] = TOKEN_CLS;
        for (int t = 1; t < T; t++) tokens[t] = (int32_t)rng_range(&r, TOKEN_FIRST_REAL, BENCH_VOCAB - 1);
        batch->lengths[b] = T;
        batch->targets[b] = (int32_t)rng_range(&r, 0, BENCH_CLASSES - 1);
        batch->target_mask[b] = 1;
        batch->n_outputs[b] = 1;
    }
}

static void batch_free(model_batch *batch) {
    free(batch->tokens);
    free(batch->lengths);
    free(batch->targets);
    free(batch->target_mask);
    free(batch->n_outputs);
}

/* Write the whole message; a failure is left for the parent to notice as a missing
 * report. */
static void send_message(int fd, const bench_message *message) {
    const char *p = (const char *)message;
    size_t left = sizeof *message;
    while (left > 0) {
        const ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        p += n;
        left -= (size_t)n;
    }
}

/* Read one whole message; false at end of file or on error. */
static bool receive_message(int fd, bench_message *message) {
    char *p = (char *)message;
    size_t left = sizeof *message;
    while (left > 0) {
        const ssize_t n = read(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        p += n;
        left -= (size_t)n;
    }
    return true;
}

/* What a cell's child times: a model config and its task, a batch and a step; the
 * default model's on random tokens, or a config's (model/bench_config.h). */
typedef struct cell_work {
    const bench_cell *cell;
    model_config config;
    task_info info;
    train_config train;
    uint64_t seed;          /* initial weights and dropout */
    model_batch random;     /* the default model's batch */
    bench_config_cell real; /* with a config */
} cell_work;

static int work_open(cell_work *w, const bench_cell *cell, error_info *err) {
    memset(w, 0, sizeof *w);
    w->cell = cell;
    if (cell->config) {
        if (bench_config_open(&w->real, cell->config, cell->mechanism, cell->options, cell->T, err) != 0) return -1;
        w->config = w->real.model;
        w->info = w->real.info;
        w->seed = cell->config->train.seed;
        return 0;
    }
    bench_model_config(&w->config, cell->mechanism, cell->options, cell->shape);
    train_defaults(&w->train);
    w->info = bench_task(cell->T);
    w->seed = BENCH_SEED;
    return 0;
}

/* The batch, for the model built: the config's must have the T the parent planned. */
static void work_batch(cell_work *w, const model *m) {
    const bench_cell *cell = w->cell;
    if (!cell->config) {
        batch_alloc(&w->random, cell->B, cell->T);
        return;
    }
    error_info err = {0};
    CHECK(bench_config_batch(&w->real, model_uses_cls(m), cell->length, cell->B, &err) == 0); /* made in the parent */
    CHECK(w->real.batches.batch.T == cell->T);
}

/* One training step: zero_grad, forward, backward, AdamW (model/train.c's with a config). */
static void work_step(const cell_work *w, model *m, int64_t step) {
    if (w->cell->config) {
        bench_config_step(&w->real, m, step);
        return;
    }
    model_zero_grad(m);
    model_forward(m, &w->random, true, step, w->seed, NULL);
    model_backward(m, &w->random, step, w->seed);
    model_update(m, &w->train, step, w->train.lr);
}

static void work_close(cell_work *w) {
    if (w->random.tokens) batch_free(&w->random);
    bench_config_close(&w->real);
}

static void refuse(bench_message *message, const char *reason) {
    message->final = 1;
    message->result.outcome = BENCH_REFUSED;
    snprintf(message->result.reason, sizeof message->result.reason, "%s", reason);
}

/* The child's work: everything it learns goes into the pipe. */
static void child_measure(const void *arg, int fd) {
    const bench_cell *cell = arg;
    bench_message message = {0};
    bench_result *r = &message.result;
    cell_work w;
    model *m = NULL;
    error_info err = {0};
    if (work_open(&w, cell, &err) != 0 || model_create(&m, &w.config, &w.info, cell->B, w.seed, &err) != 0) {
        refuse(&message, err.message);
        send_message(fd, &message);
        work_close(&w);
        return;
    }
    r->model_bytes = (double)model_bytes(m);
    r->attention_gflops = attention_gflops(&w.config, cell->B, cell->T);
    if (r->model_bytes > cell->memory_limit_bytes) {
        char reason[256];
        snprintf(reason, sizeof reason, "needs %.3g GB, over the %.3g GB limit (--memory-limit)",
                 r->model_bytes / 1e9, cell->memory_limit_bytes / 1e9);
        refuse(&message, reason);
        send_message(fd, &message);
        model_free(m);
        work_close(&w);
        return;
    }
    r->outcome = BENCH_FAILED;
    snprintf(r->reason, sizeof r->reason, "stopped during its training steps");
    send_message(fd, &message);

    work_batch(&w, m);
    double *seconds = checked_calloc((size_t)cell->steps, sizeof(double));
    for (int step = 0; step <= cell->steps; step++) { /* step 0 is the warm-up */
        const double start = timer_now();
        work_step(&w, m, step);
        if (step > 0) seconds[step - 1] = timer_now() - start;
    }
    r->step_seconds = timer_median(seconds, cell->steps);
    free(seconds);
    work_close(&w);
    model_free(m); /* before the attention's own buffers, which are smaller: the peak stays the step's */
    r->attention_seconds = bench_attention_seconds(&w.config, cell->B, cell->T, cell->steps);
    r->outcome = BENCH_MEASURED;
    r->reason[0] = '\0';
    message.final = 1;
    send_message(fd, &message);
}

static void fail_with(bench_result *result, const char *what) {
    result->outcome = BENCH_FAILED;
    snprintf(result->reason, sizeof result->reason, "%s: %s", what, strerror(errno));
}

/* Run work(arg, fd) in a child process and collect its last report and peak memory. */
static void run_in_child(void (*work)(const void *arg, int fd), const void *arg, bench_result *result) {
    memset(result, 0, sizeof *result);
    int fds[2];
    if (pipe(fds) != 0) {
        fail_with(result, "pipe");
        return;
    }
    fflush(stdout); /* nothing buffered is written twice */
    fflush(stderr);
    const pid_t pid = fork();
    if (pid < 0) {
        fail_with(result, "fork");
        close(fds[0]);
        close(fds[1]);
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        work(arg, fds[1]);
        close(fds[1]);
        _exit(0); /* the parent's atexit handlers and stdio buffers are not the child's */
    }
    close(fds[1]);
    bench_message message, last = {0};
    bool reported = false;
    while (receive_message(fds[0], &message)) {
        last = message;
        reported = true;
    }
    close(fds[0]);
    int status = 0;
    struct rusage usage;
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            fail_with(result, "wait4");
            return;
        }
    }
    if (reported) *result = last.result;
    result->peak_rss_bytes = (double)usage.ru_maxrss * 1024.0; /* Linux reports kilobytes */
    if (WIFSIGNALED(status)) {
        result->outcome = BENCH_FAILED;
        snprintf(result->reason, sizeof result->reason, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    } else if (WEXITSTATUS(status) != 0) {
        result->outcome = BENCH_FAILED;
        snprintf(result->reason, sizeof result->reason, "exited with status %d", WEXITSTATUS(status));
    } else if (!reported || !last.final) {
        result->outcome = BENCH_FAILED;
        snprintf(result->reason, sizeof result->reason, "ended without reporting its measurements");
    }
}

void bench_run_cell(const bench_cell *cell, bench_result *result) {
    CHECK(cell->T >= 2 && cell->B >= 1 && cell->steps >= 1);
    run_in_child(child_measure, cell, result);
}

typedef struct sgemm_job {
    int n, threads;
} sgemm_job;

/* The child of bench_sgemm_gflops: step_seconds is the fastest of three n×n products. */
static void child_sgemm(const void *arg, int fd) {
    const sgemm_job *job = arg;
    bench_message message = {.final = 1};
    blas_set_threads(job->threads);
    message.result.step_seconds = blas_time_sgemm(job->n);
    if (message.result.step_seconds > 0) message.result.outcome = BENCH_MEASURED;
    send_message(fd, &message);
}

double bench_sgemm_gflops(int n, int threads) {
    const sgemm_job job = {n, threads};
    bench_result result;
    run_in_child(child_sgemm, &job, &result);
    if (result.outcome != BENCH_MEASURED || !(result.step_seconds > 0)) return 0;
    return 2.0 * n * n * (double)n / result.step_seconds / 1e9;
}
