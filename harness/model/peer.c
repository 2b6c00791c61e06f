/* peer.c — run the PyTorch peer (or, with a config, the Chomsky twin) for one cell and
 * parse its line (see peer.h).
 *
 * Both print one line per cell:
 *   torch 1.13.1 mech=full L=1024 batch=8 steps/s=0.766 tokens/s=6279 peak_rss_mb=862
 * Anything else they print (warnings, a traceback) is kept only as the reason when no
 * such line comes. The twin is run as
 *   chomsky_twin.py CONFIG [KEY=VALUE ...] model.attention.kind=full --bench-length n
 *       --bench-batch B --bench-steps S --threads N --attnbench THIS_BINARY */
#define _POSIX_C_SOURCE 200809L
#include "model/peer.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/strbuf.h"

const char *peer_default_script(void) { return ATTNBENCH_SOURCE_DIR "/" PEER_SCRIPT; }
const char *peer_twin_script(void) { return ATTNBENCH_SOURCE_DIR "/" PEER_TWIN_SCRIPT; }

int peer_check_script(const char *script, error_info *err) {
    if (access(script, R_OK) == 0) return 0;
    if (strcmp(script, peer_default_script()) == 0 || strcmp(script, peer_twin_script()) == 0)
        return error_set(err, EXIT_USAGE,
                         "the project's PyTorch peer %s is missing (source tree moved since the build?); "
                         "give its path with --peer PATH",
                         script);
    return error_set(err, EXIT_USAGE, "cannot read the peer script %s: %s", script, strerror(errno));
}

/* 'text' with every ' written as '\'' — one shell word. */
static void append_quoted(strbuf *b, const char *text) {
    strbuf_append(b, "'");
    for (const char *p = text; *p; p++) {
        if (*p == '\'') strbuf_append(b, "'\\''");
        else strbuf_append_n(b, p, 1);
    }
    strbuf_append(b, "' ");
}

const char *peer_twin_refusal(const experiment_config *cfg, const char *mechanism) {
    if (strncmp(cfg->task.name, "chomsky/", 8) != 0) return "not run: the twin covers the chomsky/ tasks only";
    if (strcmp(mechanism, "full") != 0) return "not run: the twin covers full attention only";
    const enum positional_kind p = cfg->model.positional;
    if (p != POSITIONAL_NONE && p != POSITIONAL_SINUSOIDAL && p != POSITIONAL_ROPE)
        return "not run: the twin covers positions none, sinusoidal and rope only";
    return NULL;
}

/* The peer_torch.py command line of a cell. */
static void peer_command(strbuf *command, const peer_cell *cell) {
    strbuf_printf(command,
                  "--mechs %s --lengths %d --batch %d --d %d --heads %d --mlp %d --layers %d --window %d "
                  "--features %d --steps %d --threads %d",
                  cell->mechanism, cell->T, cell->B, cell->shape.dim, cell->shape.heads, cell->shape.mlp_dim,
                  cell->shape.layers, cell->window, cell->features, cell->steps, cell->threads);
}

/* The twin's: the config, its overrides and the mechanism, the batch, and this binary
 * for the examples. */
static void twin_command(strbuf *command, const peer_cell *cell) {
    append_quoted(command, cell->config_path);
    for (int i = 0; i < cell->n_overrides; i++) append_quoted(command, cell->overrides[i]);
    strbuf_printf(command, "model.attention.kind=%s --bench-length %d --bench-batch %d --bench-steps %d --threads %d ",
                  cell->mechanism, cell->length, cell->B, cell->steps, cell->threads);
    char self[4096];
    const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = '\0';
    strbuf_append(command, "--attnbench ");
    append_quoted(command, n > 0 ? self : "attnbench");
}

static bool parse_line(const char *line, const peer_cell *cell, peer_result *r) {
    char version[32];
    int length, batch;
    double steps, tokens, rss_mb;
    if (sscanf(line, "torch %31s mech=%*s L=%d batch=%d steps/s=%lf tokens/s=%lf peak_rss_mb=%lf", version, &length,
               &batch, &steps, &tokens, &rss_mb) != 6 ||
        length != cell->T || batch != cell->B)
        return false;
    snprintf(r->version, sizeof r->version, "PyTorch %s", version);
    r->steps_per_second = steps;
    r->tokens_per_second = tokens;
    r->peak_rss_bytes = rss_mb * 1024 * 1024; /* the peer divides ru_maxrss (KiB) by 1024 */
    r->measured = true;
    return true;
}

void peer_run(const peer_cell *cell, peer_result *result) {
    memset(result, 0, sizeof *result);
    strbuf command = {0};
    append_quoted(&command, cell->python);
    append_quoted(&command, cell->script);
    if (cell->config_path) twin_command(&command, cell);
    else peer_command(&command, cell);
    strbuf_append(&command, " 2>&1");
    fflush(stdout);
    fflush(stderr);
    FILE *pipe = popen(command.data, "r");
    strbuf_free(&command);
    if (!pipe) {
        snprintf(result->reason, sizeof result->reason, "cannot start %s", cell->python);
        return;
    }
    char line[1024], last[1024] = "";
    while (fgets(line, sizeof line, pipe)) {
        line[strcspn(line, "\n")] = '\0';
        if (!result->measured && parse_line(line, cell, result)) continue;
        if (line[0]) snprintf(last, sizeof last, "%s", line);
    }
    const int status = pclose(pipe);
    if (!result->measured)
        snprintf(result->reason, sizeof result->reason, "the peer printed no measurement (exit status %d)%s%.400s",
                 status, last[0] ? ": " : "", last);
}
