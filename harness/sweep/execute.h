/* execute.h — running a sweep's planned runs, a few processes at a time.
 *
 * Each run is claimed in the database (planned → running, one conditional UPDATE),
 * then trained by a child process, `attnbench run CONFIG OVERRIDES --claimed ID`, so a
 * crash, a leak or a hung BLAS thread in one run never touches the others. Children die
 * with the sweep (PR_SET_PDEATHSIG → SIGTERM: they stop at the next step and mark
 * their run dead, which the next sweep runs again). A child that ends without writing
 * its outcome has its run marked failed with the first line it printed. */
#ifndef ATTNBENCH_SWEEP_EXECUTE_H
#define ATTNBENCH_SWEEP_EXECUTE_H

#include <stdbool.h>

#include "core/error.h"
#include "store/store.h"
#include "store/sweep.h"
#include "sweep/plan.h"

typedef struct sweep_options {
    const char *db_path;
    int jobs;    /* runs at once */
    int threads; /* per run, for entries whose config leaves train.threads at 0 */
    bool quiet;  /* no line per started run */
} sweep_options;

/* How the entries ended up, counted over the whole (shard's) plan. */
typedef struct sweep_tally {
    int completed, diverged, failed, dead, running_elsewhere, planned;
    int ran;         /* runs this invocation started */
    bool interrupted; /* stopped by SIGINT or SIGTERM */
} sweep_tally;

/* Run every entry whose status is planned (entries[i] of plan->entries[index[i]]),
 * in order, `jobs` at a time; update each entry's status; fill the tally. */
int sweep_execute(store *s, const sweep_plan *plan, sweep_entry *entries, const int *index, int n,
                  const sweep_options *opt, sweep_tally *tally, error_info *err);

#endif
