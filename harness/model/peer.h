/* peer.h — the PyTorch peer of `attnbench bench`: the same model in PyTorch
 * (harness/model/peer_torch.py, beside this file), run for one cell and read back.
 *
 * The peer implements full attention, LRA's blocked local attention (each block of
 * `window` tokens attends within itself) and Performer's FAVOR+ with i.i.d. Gaussian
 * features. With `bench --config` the peer is the Chomsky twin instead
 * (harness/model/chomsky_twin.py: the config's model and training step, full attention
 * only), timed on the same training batch, which it fetches through `attnbench data`
 * of this very binary. It runs once per cell, in its own interpreter, so its peak memory is that
 * cell's (Python and PyTorch included, as a user would see them). The binary knows
 * where the script is from the source tree it was built from (ATTNBENCH_SOURCE_DIR,
 * set by CMake), so it is found from a clone and from a build directory alike. */
#ifndef ATTNBENCH_PEER_H
#define ATTNBENCH_PEER_H

#include <stdbool.h>

#include "core/error.h"
#include "model/bench.h"

typedef struct peer_cell {
    const char *python, *script;
    const char *mechanism; /* the peer's name: full, local or performer */
    bench_shape shape;
    int T, B, steps, threads;
    int window, features; /* local's block and Performer's feature count */
    /* The twin's cell (config_path not NULL): the config, its overrides and the input
     * length; mechanism, shape, window and features are then unused. */
    const char *config_path;
    const char *const *overrides;
    int n_overrides;
    int length;
} peer_cell;

typedef struct peer_result {
    bool measured;
    double steps_per_second, tokens_per_second, peak_rss_bytes;
    char version[64];  /* "PyTorch 1.13.1" */
    char reason[512];  /* not measured: why, one line */
} peer_result;

/* The project's peer script, relative to the source tree (and as printed). */
#define PEER_SCRIPT "harness/model/peer_torch.py"

/* The Chomsky twin, the peer of `bench --config`, relative to the source tree. */
#define PEER_TWIN_SCRIPT "harness/model/chomsky_twin.py"

/* PEER_SCRIPT and PEER_TWIN_SCRIPT in the source tree this binary was built from. */
const char *peer_default_script(void);
const char *peer_twin_script(void);
/* 0 when the script can be read; otherwise EXIT_USAGE with one line naming it (and,
 * for the project's own, saying that --peer PATH gives another). */
int peer_check_script(const char *script, error_info *err);

/* Why the twin cannot run a config with a mechanism ("the twin covers ..."), or NULL
 * when it can: a Chomsky task, full attention, none, sinusoidal or RoPE positions. */
const char *peer_twin_refusal(const experiment_config *cfg, const char *mechanism);

void peer_run(const peer_cell *cell, peer_result *result);

#endif
