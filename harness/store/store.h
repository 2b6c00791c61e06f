/* store.h — the results database (SQLite).
 *
 * One file holds every run: its config, provenance, metric curves, final results and
 * per-length accuracy. The file is marked as ours with PRAGMA application_id and
 * carries its schema version in user_version; older versions are migrated in order,
 * while a file that is not ours, or comes from a newer attnbench, is refused with a
 * one-line error and left untouched. WAL, a busy timeout and BEGIN IMMEDIATE let
 * several processes share one file. A run's results and its `completed` status are
 * written in one transaction, so a killed process never leaves half a result.
 * Run ids are random 128-bit hex so databases from several machines merge cleanly. */
#ifndef ATTNBENCH_STORE_H
#define ATTNBENCH_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/error.h"

#define STORE_SCHEMA_VERSION 4
#define STORE_APPLICATION_ID 0x41544E42 /* "ATNB" */
#define STORE_DEFAULT_PATH "results/attnbench.sqlite"

typedef struct store store;

/* Where the software and machine came from; recorded with every run. */
typedef struct provenance {
    char version[32];     /* attnbench version */
    char commit[64];      /* git commit of the build, "+dirty" when the tree had changes */
    char compiler[128];   /* e.g. "GCC 12.2.0" */
    char flags[256];      /* C flags of the build */
    char blas[256];       /* blas_describe() */
    int blas_threads;
    int threads;          /* train.threads */
    char cpu[128];        /* model name from /proc/cpuinfo */
    int cpu_count;
    char host[128];
    char os[128];         /* uname sysname release machine */
} provenance;

typedef struct run_identity {
    const char *config_json; /* canonical JSON */
    const char *config_hash; /* config_hash() */
    uint64_t seed;           /* train.seed */
    const char *name;        /* experiment name */
    const char *task;        /* task registry name */
    const char *task_version;
    const char *mechanism;   /* mechanism registry name */
    const char *suite;       /* where reports show the task (task_place_find): "lra", "chomsky", ... */
    const char *level;       /* its level in the suite ("R", "DCF", "CS") or "" */
    int task_order;          /* its place in the suite's order; 0 unknown (stored as NULL) */
} run_identity;

typedef struct metric_point {
    const char *split; /* "train", "eval" */
    const char *name;  /* "loss", "accuracy", "lr", "grad_norm", "tokens_per_second" */
    double value;
} metric_point;

typedef struct result_value {
    const char *split; /* "train", "eval", "test" */
    const char *name;  /* "accuracy", "loss", ... */
    double value;
} result_value;

/* Accuracy at one input length (length-generalisation protocol). */
typedef struct length_point {
    const char *split;        /* "eval" (training lengths) or "test" */
    int length;               /* input symbols, without output placeholders */
    double accuracy;          /* mean over sequences of the fraction of scored outputs right */
    double sequence_accuracy; /* fraction of sequences with every scored output right */
    int64_t examples;
} length_point;

/* Fill a provenance record for this build and machine. */
void provenance_collect(provenance *p, int threads);

/* Open (creating it if absent, unless read_only) and migrate; refuses foreign files,
 * newer schemas and unreadable files with EXIT_RUNTIME and the path in the message. */
int store_open(store **out, const char *path, bool read_only, error_info *err);
void store_close(store *s);
/* How long a write waits for another process's lock before failing with "database is
 * locked by another process" (10 s after store_open). */
void store_set_busy_timeout(store *s, int milliseconds);

/* Insert the config (if new), a run row with status 'running', and its provenance,
 * in one transaction. run_id receives 32 hex digits. */
int store_run_begin(store *s, const run_identity *id, const provenance *p, char run_id[33],
                    error_info *err);
/* Record progress: steps done and the heartbeat time. */
int store_run_heartbeat(store *s, const char *run_id, int64_t step, error_info *err);
/* Metric rows for one step, in one transaction. */
int store_run_metrics(store *s, const char *run_id, int64_t step, const metric_point *points,
                      int n, error_info *err);
/* Per-length accuracies of a running run, in one transaction (replacing any earlier
 * row of the same split and length). */
int store_run_lengths(store *s, const char *run_id, const length_point *points, int n, error_info *err);
/* Final results, peak memory, wall time and status 'completed', in one transaction. */
int store_run_complete(store *s, const char *run_id, const result_value *results, int n,
                       int64_t steps_done, double wall_seconds, double peak_rss_bytes,
                       error_info *err);
/* Mark a run 'failed', 'diverged' (at step) or 'dead' (stopped by a signal, so a sweep
 * runs it again) with the first line of its error. */
int store_run_fail(store *s, const char *run_id, const char *status, int64_t step,
                   const char *message, error_info *err);

enum query_format { QUERY_TABLE, QUERY_CSV, QUERY_JSON };
/* "table", "csv" or "json"; false for anything else. */
bool query_format_parse(const char *name, enum query_format *out);
/* Run one read-only SQL statement and print its rows. A statement that would write
 * is refused with EXIT_USAGE. */
int store_query(store *s, const char *sql, enum query_format format, FILE *out, error_info *err);

/* One measured cell of `attnbench bench`: time and memory of a training step. */
typedef struct bench_row {
    const char *run_id;         /* one random id per bench invocation */
    const char *implementation; /* "attnbench 0.1.0", or the peer's "PyTorch 1.13.1" */
    const char *mechanism;
    const char *options; /* the mechanism options set on the command line, "key=value …"; "" none */
    int length, batch;   /* T (CLS included) and B */
    int dim, heads, layers, mlp_dim;
    double steps_per_second, tokens_per_second;
    double peak_rss_bytes;    /* of the process that ran the cell */
    double attention_gflops;  /* mechanism forward + backward, all layers, per step; 0 unknown */
    double attention_seconds; /* the same work timed alone; 0 not measured */
    double sgemm_gflops;      /* OpenBLAS sgemm on this machine in the same bench run */
    int threads;
    const char *host;
} bench_row;

/* A fresh id: 128 random bits as 32 lowercase hex digits, the form of every id in the
 * database (so that databases from several machines merge without collisions). */
int store_random_id(char id[33], error_info *err);

/* Insert one bench row, stamped with the current time, in its own transaction. */
int store_bench_insert(store *s, const bench_row *row, error_info *err);

/* The underlying connection, for reports that run their own SELECTs. */
struct sqlite3 *store_db(store *s);

#endif
