/* bench_args.h — the command line of `attnbench bench`, parsed and checked.
 *
 * Split from cmd_bench.c so that the driver reads as what it measures. Every bad flag
 * is a one-line usage error (exit 2) naming the flag and the value at fault. */
#ifndef ATTNBENCH_BENCH_ARGS_H
#define ATTNBENCH_BENCH_ARGS_H

#include <stdbool.h>

#include "core/options.h"
#include "mechanisms/mechanism.h"
#include "model/bench.h"

#define BENCH_MAX_MECHANISMS 64
#define BENCH_MAX_LENGTHS 64

typedef struct bench_args {
    const mechanism_ops *mechanisms[BENCH_MAX_MECHANISMS];
    opt_set options[BENCH_MAX_MECHANISMS];     /* each mechanism's, --option applied */
    char settings[BENCH_MAX_MECHANISMS][256];  /* the --option values of each, "key=value …" */
    int n_mechanisms;
    int lengths[BENCH_MAX_LENGTHS];
    int n_lengths;
    bench_shape shape;
    int batch;              /* 0: by length */
    int steps, threads;     /* threads 0: every online core */
    int repeat;             /* rounds over the whole grid; each cell reports its median round */
    double memory_limit_gb; /* 0: half of physical memory */
    const char *db_flag;
    const char *peer_script, *python; /* peer_script NULL: no peer */
    bool no_record;
    bool options_set; /* an --option was given: --mechanisms may no longer change the set */
} bench_args;

/* Returns CLI_PARSED, or the exit status after --help or the error it printed. */
int bench_args_parse(int argc, char **argv, bench_args *a);

#endif
