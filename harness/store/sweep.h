/* sweep.h — sweeps in the database: the plan, claiming its runs, and finding the dead.
 *
 * A sweep's plan is written before any run starts: a `sweep` row and, for each
 * (config, seed) of the plan, a link (`sweep_run`) to the one run row that stands for
 * it. Planning is idempotent and runs in one transaction, so the same sweep started
 * again, or twice at once, never makes a second row for a (config hash, seed): a
 * completed or diverged run is linked and kept; a planned or running one is linked; a
 * dead one (and a failed one, when asked) is reset to planned, its partial curves
 * deleted. Claiming turns one planned row into running with a single conditional
 * UPDATE, so concurrent sweeps never run the same row twice. */
#ifndef ATTNBENCH_STORE_SWEEP_H
#define ATTNBENCH_STORE_SWEEP_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "core/sha256.h"
#include "store/store.h"

/* A sweep's id is the first 32 hex digits of the SHA-256 of its plan: one line
 * "<config hash>:<seed>\n" per entry, in plan order. Planning and the migration that
 * re-keys configs (schema 4) both build it here. Start with sha256_init. */
void store_sweep_id_add(sha256 *h, const char *config_hash, uint64_t seed);
void store_sweep_id_final(sha256 *h, char id[33]);

/* One entry of a plan: the run it stands for and how to make it from the sweep's
 * config file. */
typedef struct sweep_entry {
    run_identity identity;
    const char *overrides_json; /* JSON array of "key.path=value" applied to the source */
    int position;               /* index in the whole (unsharded) plan */
    char run_id[33];            /* out: the run row standing for this entry */
    char status[16];            /* out: that row's status after planning */
} sweep_entry;

typedef struct sweep_record {
    const char *id;     /* sweep_plan_id(): the same plan always has the same id */
    const char *name;   /* the config's name */
    const char *source; /* the config file */
    const char *config_json;
    int planned;        /* entries in the whole plan (all shards) */
} sweep_record;

/* Record the sweep and link (creating where needed) a run row for every entry, in one
 * transaction; fills each entry's run_id and status. rerun_failed resets failed rows
 * to planned as well as dead ones. */
int store_sweep_plan(store *s, const sweep_record *sweep, sweep_entry *entries, int n, bool rerun_failed,
                     error_info *err);

/* The row that stands for (config hash, seed), chosen as planning chooses it: id and
 * status are "" when there is none. */
int store_run_lookup(store *s, const char *config_hash, uint64_t seed, char id[33], char status[16],
                     error_info *err);

/* Claim a planned run for this process (status running, host, pid, heartbeat now).
 * *claimed is false when another process claimed it first or it is no longer planned. */
int store_run_claim(store *s, const char *run_id, bool *claimed, error_info *err);

/* For `attnbench run --claimed ID`: take over a run claimed by a sweep. The row must be
 * running and have the config hash and seed of id (else the config file changed since
 * planning, an EXIT_USAGE error); records the config, provenance, task version, this
 * process's pid and host. */
int store_run_take(store *s, const char *run_id, const run_identity *id, const provenance *p, error_info *err);

/* The status, error and main results of one run, for a sweep's report of it. */
typedef struct run_summary {
    char status[16];
    char error[512];
    double test_accuracy, eval_accuracy, wall_seconds; /* NaN when absent */
    int64_t steps_done;
    bool by_length; /* results carry a sequence_accuracy (length protocol) */
} run_summary;

int store_run_summary(store *s, const char *run_id, run_summary *out, error_info *err);

/* Mark 'dead' every running run whose process is gone (same host, no such pid) or
 * whose heartbeat is older than stale_seconds; *reaped receives the count. Each dead
 * row is printed on log (if not NULL) with the reason. */
int store_reap(store *s, double stale_seconds, FILE *log, int *reaped, error_info *err);

/* A sweep by id prefix or name ("" or NULL: the most recent). id receives the full id;
 * an unknown or ambiguous reference is EXIT_USAGE naming it. */
int store_sweep_find(store *s, const char *reference, char id[33], error_info *err);

/* A run by id prefix (at least 4 hex digits); unknown or ambiguous is EXIT_USAGE. */
int store_run_find(store *s, const char *reference, char id[33], error_info *err);

#endif
