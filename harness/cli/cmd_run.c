/* cmd_run.c — `attnbench run CONFIG [key.path=value ...]`: one run into the database.
 *
 * The config, task and model are all validated before anything is written, so a bad
 * config never leaves a run row behind. The run row is then created as 'running'
 * and ends 'completed' (results and status in one transaction), 'diverged' or
 * 'failed' with its first error line. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "cli/run_recorder.h"
#include "config/config.h"
#include "core/parallel.h"
#include "core/timer.h"
#include "model/batch.h"
#include "model/model.h"
#include "model/train.h"
#include "store/heartbeat.h"
#include "store/store.h"
#include "store/sweep.h"

#define MAX_OVERRIDES 64

static const char about[] =
    "Train and evaluate the experiment described by CONFIG (YAML), recording the run,\n"
    "its metric curves and its final results in the database. key.path=value overrides\n"
    "any config key, e.g. model.attention.kind=full train.steps=100.\n";

static const char notes[] =
    "While it trains, the run's heartbeat is written every few seconds. Stopped by\n"
    "SIGINT or SIGTERM, it ends at the next step as 'dead', which a sweep runs again.\n"
    "Exit status: 0 completed, 1 the run failed, diverged or was stopped, 2 usage or\n"
    "config error.\n";

typedef struct run_args {
    const char *config_path, *db_flag, *claimed;
    const char *overrides[MAX_OVERRIDES];
    int n_overrides;
    bool quiet, check;
} run_args;

static int parse_args(int argc, char **argv, run_args *a) {
    memset(a, 0, sizeof *a);
    cli_list overrides = {a->overrides, 0, MAX_OVERRIDES};
    const cli_opt opts[] = {
        CLI_POSITIONAL("CONFIG", &a->config_path, true, "the experiment's YAML file"),
        CLI_REST("key.path=value", &overrides, false, "overrides of config keys"),
        CLI_OPT_DB(&a->db_flag),
        CLI_OPT_QUIET(&a->quiet, "no progress output"),
        CLI_FLAG("--check", &a->check,
                 "validate the config, the task's data (every split can be made) and the\n"
                 "model (its shape and memory, measured without allocating it), then stop:\n"
                 "nothing is recorded"),
        CLI_TEXT("--claimed", "RUN_ID", &a->claimed,
                 "train the planned run RUN_ID that `attnbench sweep` claimed for this\n"
                 "process, instead of recording a new run (the config and overrides must\n"
                 "give the config hash and seed it was planned with)"),
    };
    const cli_spec spec = {"run", CLI_OPTS(opts), NULL, about, notes};
    const int status = cli_parse_command(&spec, argc, argv);
    a->n_overrides = overrides.n;
    return status;
}

static int resolve_threads(int configured) {
    if (configured > 0) return configured;
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? (int)online : 1;
}

/* Final results (with a length protocol, eval and test accuracies are means over
 * lengths, and the fraction of sequences entirely right is recorded too); for a
 * mechanism that may fall back to full attention on short
 * sequences (BigBird), also the fraction of each split's sequences that did. */
static int record_completion(store *st, const char *run_id, const train_outcome *o, const model *m,
                             error_info *err) {
    result_value results[13] = {
        {"train", "loss", o->train_loss},
        {"train", "accuracy", o->train_accuracy},
        {"train", "tokens_per_second", o->tokens_per_second},
        {"train", "parameters", (double)model_param_count(m)},
        {"eval", "loss", o->eval.loss},
        {"eval", "accuracy", o->eval.accuracy},
        {"test", "loss", o->test.loss},
        {"test", "accuracy", o->test.accuracy},
    };
    int n = 8;
    if (o->by_length) {
        results[n++] = (result_value){"eval", "sequence_accuracy", o->eval.sequence_accuracy};
        results[n++] = (result_value){"test", "sequence_accuracy", o->test.sequence_accuracy};
    }
    if (model_attention_can_fall_back(m)) {
        results[n++] = (result_value){"train", "full_attention_fraction", o->train_full_attention_fraction};
        results[n++] = (result_value){"eval", "full_attention_fraction", o->eval.full_attention_fraction};
        results[n++] = (result_value){"test", "full_attention_fraction", o->test.full_attention_fraction};
    }
    return store_run_complete(st, run_id, results, n, o->steps_done, o->wall_seconds, timer_peak_rss_bytes(), err);
}

/* The last example of every split can be made (a task reading data files may hold
 * fewer examples than the config asks for): checked before anything is recorded. */
static int check_split_sizes(const task_ops *task, const void *state, const task_info *info,
                             const experiment_config *cfg, error_info *err) {
    const int64_t sizes[3] = {cfg->task.train_examples, cfg->task.eval_examples, cfg->task.test_examples};
    example ex;
    example_alloc(&ex, info);
    int status = 0;
    for (int split = SPLIT_TRAIN; split <= SPLIT_TEST && status == 0; split++) {
        if (sizes[split] == 0) continue;
        const example_request request = {cfg->task.seed, (enum task_split)split, sizes[split] - 1, 0};
        status = task->example(state, &request, &ex, err);
    }
    example_free(&ex);
    return status;
}

/* Train with the store open and the run row created; returns the exit status. */
static int train_and_record(const experiment_config *cfg, model *m, batch_builder *bb, store *st,
                            const char *run_id, const char *db_path, bool quiet) {
    error_info err = {0};
    train_outcome outcome;
    run_recorder recorder;
    run_recorder_init(&recorder, st, run_id);
    train_context ctx = {.config = cfg, .model = m, .batches = bb, .reporter = &recorder.reporter, .quiet = quiet};
    if (train_run(&ctx, &outcome, &err) != 0) {
        error_info ignored = {0};
        const bool stopped = train_stop_signal() != 0;
        store_run_fail(st, run_id, stopped ? "dead" : "failed", outcome.steps_done, err.message, &ignored);
        return cli_fail(err.status, "run %s %s: %s", run_id, stopped ? "stopped" : "failed", err.message);
    }
    if (outcome.diverged) {
        char message[128];
        snprintf(message, sizeof message, "non-finite loss or gradient at step %lld", (long long)outcome.steps_done);
        if (store_run_fail(st, run_id, "diverged", outcome.steps_done, message, &err) != 0)
            return cli_fail(err.status, "%s", err.message);
        return cli_fail(EXIT_RUNTIME, "run %s diverged: %s", run_id, message);
    }
    if (record_completion(st, run_id, &outcome, m, &err) != 0)
        return cli_fail(err.status, "%s", err.message);
    if (outcome.by_length)
        printf("run %s completed: score %.2f%% (mean accuracy over the test lengths), in-distribution accuracy "
               "%.2f%%, train loss %.4f, %lld steps in %.1f s, %.0f tokens/s\n",
               run_id, 100 * outcome.test.accuracy, 100 * outcome.eval.accuracy, outcome.train_loss,
               (long long)outcome.steps_done, outcome.wall_seconds, outcome.tokens_per_second);
    else
        printf("run %s completed: test accuracy %.2f%%, eval accuracy %.2f%%, train loss %.4f, "
               "%lld steps in %.1f s, %.0f tokens/s\n",
               run_id, 100 * outcome.test.accuracy, 100 * outcome.eval.accuracy, outcome.train_loss,
               (long long)outcome.steps_done, outcome.wall_seconds, outcome.tokens_per_second);
    if (outcome.test.full_attention_fraction > 0 || outcome.train_full_attention_fraction > 0)
        printf("note: %.0f%% of training and %.0f%% of test sequences were too short for %s's pattern and used "
               "full attention\n",
               100 * outcome.train_full_attention_fraction, 100 * outcome.test.full_attention_fraction,
               cfg->model.attention.kind);
    printf("recorded in %s\n", db_path);
    return EXIT_OK;
}

int cmd_run(int argc, char **argv) {
    run_args args;
    int status = parse_args(argc, argv, &args);
    if (status != CLI_PARSED) return status;
    status = EXIT_OK;

    train_catch_signals(); /* from here on Ctrl-C stops the run cleanly, at the next step */
    error_info err = {0};
    experiment_config cfg;
    if (config_load_file(&cfg, args.config_path, args.overrides, args.n_overrides, &err) != 0)
        return cli_fail(err.status, "%s", err.message);
    const int threads = resolve_threads(cfg.train.threads);
    parallel_set_threads(threads);

    const task_ops *task = task_find(cfg.task.name);
    void *task_state = NULL;
    task_info info;
    if (task->init(&task_state, &cfg.task.options, &info, &err) != 0)
        return cli_fail(err.status, "%s: %s", args.config_path, err.message);
    model *m = NULL;
    store *st = NULL;
    heartbeat *beating = NULL;
    batch_builder bb;
    bool have_batches = false;
    if (check_split_sizes(task, task_state, &info, &cfg, &err) != 0) {
        status = cli_fail(err.status, "%s: %s", args.config_path, err.message);
        goto out;
    }
    if (args.check) { /* the model too, measured without allocating it */
        model_footprint footprint;
        if (model_measure(&footprint, &cfg.model, &info, cfg.train.batch_size, 0, &err) != 0) {
            status = cli_fail(err.status, "%s: %s", args.config_path, err.message);
            goto out;
        }
        printf("%s: ok (task %s version %s, attention %s, %zu parameters, %.1f MB of model memory)\n",
               args.config_path, cfg.task.name, info.version, cfg.model.attention.kind, footprint.params,
               (double)footprint.bytes / 1e6);
        goto out;
    }
    if (model_create(&m, &cfg.model, &info, cfg.train.batch_size, cfg.train.seed, &err) != 0) {
        status = cli_fail(err.status, "%s: %s", args.config_path, err.message);
        goto out;
    }
    batch_builder_init(&bb, task, task_state, &info, model_uses_cls(m), cfg.train.batch_size);
    have_batches = true;

    const char *db_path = cli_database_path(args.db_flag);
    if (store_open(&st, db_path, false, &err) != 0) {
        status = cli_fail(err.status, "%s", err.message);
        goto out;
    }
    char *json = config_to_json(&cfg);
    char hash[65], run_id[33];
    config_hash(&cfg, hash);
    provenance prov;
    provenance_collect(&prov, threads);
    run_identity id = {json, hash, cfg.train.seed, cfg.name, cfg.task.name, info.version, cfg.model.attention.kind,
                       task->suite, task->level, task->order};
    int begun;
    if (args.claimed) {
        snprintf(run_id, sizeof run_id, "%s", args.claimed);
        begun = store_run_take(st, run_id, &id, &prov, &err);
    } else {
        begun = store_run_begin(st, &id, &prov, run_id, &err);
    }
    free(json);
    if (begun != 0 || heartbeat_start(&beating, db_path, run_id, &err) != 0) {
        status = cli_fail(err.status, "%s", err.message);
        goto out;
    }
    if (!args.quiet)
        fprintf(stderr, "run %s: %s — task %s, attention %s, %zu parameters, %.1f MB of model memory, %d threads\n",
                run_id, cfg.name, cfg.task.name, cfg.model.attention.kind, model_param_count(m),
                (double)model_bytes(m) / 1e6, threads);
    status = train_and_record(&cfg, m, &bb, st, run_id, db_path, args.quiet);
out:
    heartbeat_stop(beating);
    store_close(st);
    if (have_batches) batch_builder_free(&bb);
    model_free(m);
    task->free(task_state);
    return status;
}
