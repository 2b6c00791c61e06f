/* fuzz_config.c — the config loader under arbitrary bytes (libFuzzer entry point).
 *
 * The input is loaded as a config file, alone and with overrides that splice into
 * it; it is also used as an override's value and as an override's key on a valid
 * config. Whatever happens must be a clean success (then the JSON and the hash are
 * rendered too) or a one-line error with an exit status, never a crash, a leak or
 * undefined behaviour. replay.c runs the same function over the stored corpus. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { OVERRIDE_MAX = 512 };

static const char valid_config[] = "task:\n  name: lra/listops\nmodel:\n  dim: 32\n";

static void load_and_render(const char *text, size_t size, const char *const *overrides, int n_overrides) {
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
    } else if (err.status != EXIT_USAGE || err.message[0] == '\0' || strchr(err.message, '\n')) {
        abort();
    }
    free(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const splices[] = {"model.heads=2", "train.lr=5e-4", "sweep.train.seed=0,1",
                                          "task.name=lra/listops"};
    load_and_render((const char *)data, size, NULL, 0);
    load_and_render((const char *)data, size, splices, 4);

    if (size + 32 > OVERRIDE_MAX) return 0;
    char value[OVERRIDE_MAX], key[OVERRIDE_MAX];
    memcpy(value, "model.attention=", 16);
    memcpy(value + 16, data, size);
    value[16 + size] = '\0';
    memcpy(key, data, size);
    memcpy(key + size, "=1", 3);
    const char *overrides[] = {value, key};
    load_and_render(valid_config, sizeof valid_config - 1, overrides, 1);
    load_and_render(valid_config, sizeof valid_config - 1, overrides + 1, 1);
    return 0;
}
