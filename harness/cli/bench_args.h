/* bench_args.h — the command line of `attnbench bench`, parsed and checked.
 *
 * Split from cmd_bench.c so that the driver reads as what it measures. Every bad flag
 * is a one-line usage error (exit 2) naming the flag and the value at fault. With
 * --config the config is loaded here (its --set overrides applied as `attnbench run`
 * applies key=value), its mechanism becomes the default set, and each length's T is
 * resolved from a real batch of the task, so that a bad config, override or length
 * stops the bench before anything runs. */
#ifndef ATTNBENCH_BENCH_ARGS_H
#define ATTNBENCH_BENCH_ARGS_H

#include <stdbool.h>

#include "core/options.h"
#include "mechanisms/mechanism.h"
#include "model/bench.h"

#define BENCH_MAX_MECHANISMS 64
#define BENCH_MAX_LENGTHS 64
#define BENCH_MAX_SETS 64
#define BENCH_MAX_OPTIONS 64

typedef struct bench_args {
    const mechanism_ops *mechanisms[BENCH_MAX_MECHANISMS];
    opt_set options[BENCH_MAX_MECHANISMS];     /* each mechanism's, --option applied */
    char settings[BENCH_MAX_MECHANISMS][256];  /* the --option values of each, "key=value …" */
    int n_mechanisms;
    int lengths[BENCH_MAX_LENGTHS]; /* T; with --config the task's input lengths n */
    int tokens[BENCH_MAX_LENGTHS];  /* T of each length: the length itself, or the config's batch's */
    int n_lengths;
    bench_shape shape;      /* with --config, the config's */
    int batch;              /* 0: by length (with --config, the config's train.batch_size) */
    int steps, threads;     /* threads 0: every online core */
    int repeat;             /* rounds over the whole grid; each cell reports its median round */
    double memory_limit_gb; /* 0: half of physical memory */
    const char *db_flag;
    const char *peer_script, *python; /* peer_script NULL: no peer */
    bool peer_default; /* --peer without PATH: the project's peer, or with --config its twin */
    bool no_record;
    bool mechanisms_given, lengths_given;
    bool options_set; /* an --option was given: --mechanisms may no longer change the set */
    const char *option_texts[BENCH_MAX_OPTIONS]; /* the --option values, applied once the set is known */
    int n_options;
    const char *config_path;               /* --config; NULL: the default model */
    const char *sets[BENCH_MAX_SETS];       /* its --set KEY=VALUE overrides */
    int n_sets;
    experiment_config config;               /* loaded, the overrides applied */
    char config_label[1024];                /* "config PATH KEY=VALUE …" */
    char row_options[BENCH_MAX_MECHANISMS][1300]; /* each mechanism's recorded options text: its
                                                   * --option values, after the config label */
} bench_args;

/* Returns CLI_PARSED, or the exit status after --help or the error it printed. */
int bench_args_parse(int argc, char **argv, bench_args *a);

#endif
