/* fuzz_config.c — the config loader and model construction under arbitrary bytes
 * (libFuzzer entry point).
 *
 * The input is loaded as a config file, alone and with overrides that splice into
 * it; it is also used as an override's value and as an override's key on a valid
 * config. Whatever happens must be a clean success (then the JSON and the hash are
 * rendered too) or a one-line error with an exit status, never a crash, a leak or
 * undefined behaviour. A config the input alone makes is then built: its task is
 * initialised (unless it reads data files), model_measure checks the model within
 * MODEL_BUDGET (refusing a bigger one the way model_create refuses one bigger than the
 * machine), and one that fits is created and runs one forward pass on a short batch.
 * replay.c runs the same function over the stored corpus and prints what became of
 * each input (fuzz_config_outcome). */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "model/model.h"
#include "tasks/task.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *fuzz_config_outcome(void);

enum { OVERRIDE_MAX = 512, MODEL_BUDGET = 64 << 20, SHORT_BATCH_TOKENS = 33 };

/* What became of the last input's config, for replay.c to print. */
static char outcome[sizeof(((error_info *)0)->message) + 64];

const char *fuzz_config_outcome(void) { return outcome; }

static void clean_error_or_abort(const error_info *err) {
    if (err->status == 0 || err->message[0] == '\0' || strchr(err->message, '\n')) abort();
}

static bool reads_data_files(const opt_set *options) {
    for (int i = 0; i < options->n; i++)
        if (strcmp(options->values[i].spec->name, "data_dir") == 0 && options->values[i].s[0]) return true;
    return false;
}

/* One training forward over one example (two sequences for pairs) of at most
 * SHORT_BATCH_TOKENS tokens: the mechanism, positions and head at the model's geometry. */
static double forward_short(model *m, const task_info *info) {
    const int T = model_max_tokens(m) < SHORT_BATCH_TOKENS ? model_max_tokens(m) : SHORT_BATCH_TOKENS;
    const int B = info->output == TASK_OUTPUT_PAIR ? 2 : 1;
    int32_t tokens[2 * SHORT_BATCH_TOKENS], lengths[2] = {T, T}, n_outputs[1] = {1};
    int32_t *targets = calloc((size_t)info->max_outputs, sizeof *targets);
    uint8_t *mask = calloc((size_t)info->max_outputs, 1);
    if (!targets || !mask) abort();
    mask[0] = 1;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
            tokens[b * T + t] = model_uses_cls(m) && t == 0 ? info->cls_token : (int32_t)((3 + 7 * t) % info->vocab_size);
    const model_batch batch = {B, T, tokens, lengths, targets, mask, n_outputs};
    model_stats stats;
    model_forward(m, &batch, true, 0, 1, &stats);
    free(targets);
    free(mask);
    return stats.loss;
}

static void build_model(const experiment_config *cfg) {
    if (reads_data_files(&cfg->task.options)) {
        snprintf(outcome, sizeof outcome, "not built: reads task.data_dir");
        return;
    }
    const task_ops *task = task_find(cfg->task.name);
    void *state = NULL;
    task_info info;
    error_info err = {0};
    if (task->init(&state, &cfg->task.options, &info, &err) != 0) {
        clean_error_or_abort(&err);
        snprintf(outcome, sizeof outcome, "task refused: %s", err.message);
        return;
    }
    model_footprint footprint;
    model *m = NULL;
    if (model_measure(&footprint, &cfg->model, &info, cfg->train.batch_size, MODEL_BUDGET, &err) != 0) {
        clean_error_or_abort(&err);
        snprintf(outcome, sizeof outcome, "model refused: %s", err.message);
    } else if (model_create(&m, &cfg->model, &info, cfg->train.batch_size, cfg->train.seed, &err) != 0) {
        abort(); /* measured as fitting, so only a bug refuses it */
    } else {
        const double loss = forward_short(m, &info);
        snprintf(outcome, sizeof outcome, "built: %d tensors, %zu parameters, %.1f MB; short forward loss %.4f",
                 footprint.tensors, footprint.params, (double)footprint.bytes / 1e6, loss);
        model_free(m);
    }
    task->free(state);
}

static const char valid_config[] = "task:\n  name: lra/listops\nmodel:\n  dim: 32\n";

static void load_and_render(const char *text, size_t size, const char *const *overrides, int n_overrides,
                            bool build) {
    experiment_config *cfg = malloc(sizeof *cfg);
    if (!cfg) abort();
    error_info err = {0};
    if (config_load_string(cfg, text, size, "fuzz.yaml", overrides, n_overrides, &err) == 0) {
        char *json = config_to_json(cfg);
        if (!json || json[0] != '{') abort();
        free(json);
        char hex[65];
        config_hash(cfg, hex);
        if (strlen(hex) != 64) abort();
        if (build) build_model(cfg);
    } else if (err.status != EXIT_USAGE || err.message[0] == '\0' || strchr(err.message, '\n')) {
        abort();
    } else if (build) {
        snprintf(outcome, sizeof outcome, "config refused: %s", err.message);
    }
    free(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const splices[] = {"model.heads=2", "train.lr=5e-4", "sweep.train.seed=0,1",
                                          "task.name=lra/listops"};
    load_and_render((const char *)data, size, NULL, 0, true);
    load_and_render((const char *)data, size, splices, 4, false);

    if (size + 32 > OVERRIDE_MAX) return 0;
    char value[OVERRIDE_MAX], key[OVERRIDE_MAX];
    memcpy(value, "model.attention=", 16);
    memcpy(value + 16, data, size);
    value[16 + size] = '\0';
    memcpy(key, data, size);
    memcpy(key + size, "=1", 3);
    const char *overrides[] = {value, key};
    load_and_render(valid_config, sizeof valid_config - 1, overrides, 1, false);
    load_and_render(valid_config, sizeof valid_config - 1, overrides + 1, 1, false);
    return 0;
}
