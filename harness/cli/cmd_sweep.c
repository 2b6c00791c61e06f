/* cmd_sweep.c — `attnbench sweep CONFIG [key=a,b ...]`: plan a grid, then run what is
 * not yet done.
 *
 * The order of events makes a sweep safe to kill and to start twice: reap dead runs;
 * expand the plan (every entry validated before anything is written); record the plan
 * in one transaction, linking rows that already exist for a (config hash, seed); then
 * claim and run the planned rows. The same command after a kill -9 finds the completed
 * rows, resets the dead ones and runs the rest. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "core/check.h"
#include "store/heartbeat.h"
#include "store/store.h"
#include "store/sweep.h"
#include "sweep/execute.h"
#include "sweep/plan.h"

#define MAX_ARGS 64

static const char about[] =
    "Expand the config's `sweep:` grid (every combination of its axes' values; a train.seed\n"
    "axis is the outermost, so every configuration gets its first seed first), record the\n"
    "plan in the database, then run every planned run. key.path=a,b on the command line\n"
    "adds an axis (or replaces the config's); key.path=value is a plain override.\n"
    "\n"
    "A run already completed with the same config hash and seed is not run again, nor is\n"
    "one that diverged or failed (unless --rerun-failed). Runs left `running` by a process\n"
    "that is gone are marked dead first (as by `attnbench reap`) and run again. Two sweeps\n"
    "may share one database: each run is claimed by exactly one of them.\n";

static const char notes[] =
    "A line is printed when each run ends, with its result or its first error line.\n"
    "Exit status: 0 when every run of the plan is completed or diverged (or still running\n"
    "in another process), 1 when any failed or died or the sweep was interrupted, 2 usage\n"
    "or config error.\n";

typedef struct sweep_args {
    const char *config_path, *db_flag;
    const char *overrides[MAX_ARGS];
    int n_overrides, jobs, shard_index, shard_count;
    bool rerun_failed, dry_run, quiet;
} sweep_args;

static int parse_shard(void *target, const char *value, error_info *err) {
    sweep_args *a = target;
    if (sweep_parse_shard(value, &a->shard_index, &a->shard_count)) return 0;
    return error_set(err, EXIT_USAGE, "expected I/N with 1 <= I <= N, got \"%s\"", value);
}

static int parse_args(int argc, char **argv, sweep_args *a) {
    memset(a, 0, sizeof *a);
    a->jobs = 1;
    a->shard_index = a->shard_count = 1;
    cli_list overrides = {a->overrides, 0, MAX_ARGS};
    const cli_opt opts[] = {
        CLI_POSITIONAL("CONFIG", &a->config_path, true, "the experiment's YAML file, with its sweep: grid"),
        CLI_REST("key.path=VALUES", &overrides, false, "an override (one value) or a grid axis (a,b,...)"),
        CLI_OPT_DB(&a->db_flag),
        CLI_NUMBER("-j", "N", &a->jobs, 1, 256,
                   "N runs at once, each in its own process (default 1); a config that\n"
                   "leaves train.threads at 0 gets the cores divided among them"),
        CLI_CALLBACK("--shard", "I/N", a, parse_shard,
                     "only the entries k (0-based, plan order) with k mod N = I - 1: the N\n"
                     "shards partition the plan, for job arrays on a cluster (see\n"
                     "configs/slurm/); every shard records the same sweep id"),
        CLI_FLAG("--rerun-failed", &a->rerun_failed, "run failed runs again (dead runs are always run again)"),
        CLI_FLAG("--dry-run", &a->dry_run, "print the plan and what each entry would do; write nothing"),
        CLI_OPT_QUIET(&a->quiet, "no line when a run starts"),
    };
    const cli_spec spec = {"sweep", CLI_OPTS(opts), NULL, about, notes};
    const int status = cli_parse_command(&spec, argc, argv);
    a->n_overrides = overrides.n;
    return status;
}

/* The entries of this shard, as indices into the plan. */
static int select_shard(const sweep_plan *plan, const sweep_args *a, int *index) {
    int n = 0;
    for (int k = 0; k < plan->n; k++)
        if (k % a->shard_count == a->shard_index - 1) index[n++] = k;
    return n;
}

static int dry_run(const sweep_plan *plan, const int *index, int n, const char *db_path) {
    store *s = NULL;
    error_info err = {0};
    if (access(db_path, F_OK) == 0 && store_open(&s, db_path, true, &err) != 0)
        return cli_fail(err.status, "%s", err.message);
    printf("sweep %s (%s): %d runs in the plan", plan->id, plan->name, plan->n);
    if (n != plan->n) printf(", %d in this shard", n);
    printf("\n");
    for (int i = 0; i < n; i++) {
        const plan_entry *e = &plan->entries[index[i]];
        char id[33] = "", status[16] = "";
        if (s && store_run_lookup(s, e->config_hash, e->seed, id, status, &err) != 0) {
            store_close(s);
            return cli_fail(err.status, "%s", err.message);
        }
        const char *action = !status[0] || strcmp(status, "planned") == 0 || strcmp(status, "dead") == 0
                                 ? "would run"
                                 : status;
        printf("%5d  %.12s  seed %-4llu %-10s %s\n", index[i], e->config_hash, (unsigned long long)e->seed, action,
               e->label[0] ? e->label : e->task);
    }
    store_close(s);
    return EXIT_OK;
}

static int threads_per_run(int jobs) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int threads = (int)(cores > 0 ? cores : 1) / jobs;
    return threads > 0 ? threads : 1;
}

static void print_plan_line(const sweep_plan *plan, const sweep_entry *entries, int n) {
    int done = 0, running = 0, failed = 0, diverged = 0, planned = 0;
    for (int i = 0; i < n; i++) {
        const char *st = entries[i].status;
        done += strcmp(st, "completed") == 0;
        diverged += strcmp(st, "diverged") == 0;
        running += strcmp(st, "running") == 0;
        failed += strcmp(st, "failed") == 0;
        planned += strcmp(st, "planned") == 0;
    }
    printf("sweep %.12s (%s): %d runs", plan->id, plan->name, n);
    if (n != plan->n) printf(" in this shard (of %d)", plan->n);
    printf(": %d to run, %d already completed", planned, done);
    if (diverged) printf(", %d diverged", diverged);
    if (running) printf(", %d running elsewhere", running);
    if (failed) printf(", %d failed (--rerun-failed runs them again)", failed);
    if (plan->duplicates) printf("; %d combinations repeat an earlier config and seed", plan->duplicates);
    printf("\n");
    fflush(stdout);
}

static int plan_and_run(const sweep_plan *plan, const sweep_args *a, const int *index, int n, const char *db_path) {
    error_info err = {0};
    store *s = NULL;
    if (store_open(&s, db_path, false, &err) != 0) return cli_fail(err.status, "%s", err.message);
    int reaped = 0;
    sweep_entry *entries = calloc((size_t)(n > 0 ? n : 1), sizeof *entries);
    CHECK(entries != NULL);
    for (int i = 0; i < n; i++) {
        const plan_entry *e = &plan->entries[index[i]];
        entries[i] = (sweep_entry){
            .identity = {e->config_json, e->config_hash, e->seed, e->name, e->task, e->task_version, e->mechanism,
                         e->place.suite, e->place.level, e->place.order},
            .overrides_json = e->overrides_json,
            .position = index[i],
        };
    }
    const sweep_record record = {plan->id, plan->name, plan->source, plan->config_json, plan->n};
    sweep_tally tally = {0};
    int status = EXIT_OK;
    if (store_reap(s, HEARTBEAT_STALE_SECONDS, stdout, &reaped, &err) != 0 ||
        store_sweep_plan(s, &record, entries, n, a->rerun_failed, &err) != 0) {
        status = cli_fail(err.status, "%s", err.message);
        goto out;
    }
    print_plan_line(plan, entries, n);
    const sweep_options options = {db_path, a->jobs, threads_per_run(a->jobs), a->quiet};
    if (sweep_execute(s, plan, entries, index, n, &options, &tally, &err) != 0) {
        status = cli_fail(err.status, "%s", err.message);
        goto out;
    }
    printf("sweep %.12s: %d completed, %d diverged, %d failed, %d dead, %d running elsewhere, %d not started "
           "(%d run now); recorded in %s\n",
           plan->id, tally.completed, tally.diverged, tally.failed, tally.dead, tally.running_elsewhere,
           tally.planned, tally.ran, db_path);
    if (tally.interrupted) status = cli_fail(EXIT_RUNTIME, "sweep interrupted; the same command resumes it");
    else if (tally.failed || tally.dead) status = EXIT_RUNTIME;
out:
    free(entries);
    store_close(s);
    return status;
}

int cmd_sweep(int argc, char **argv) {
    sweep_args a;
    int status = parse_args(argc, argv, &a);
    if (status != CLI_PARSED) return status;
    error_info err = {0};
    sweep_plan plan;
    if (sweep_plan_build(&plan, a.config_path, a.overrides, a.n_overrides, &err) != 0)
        return cli_fail(err.status, "%s", err.message);
    int *index = calloc((size_t)plan.n + 1, sizeof *index);
    CHECK(index != NULL);
    const int n = select_shard(&plan, &a, index);
    const char *db_path = cli_database_path(a.db_flag);
    status = a.dry_run ? dry_run(&plan, index, n, db_path) : plan_and_run(&plan, &a, index, n, db_path);
    free(index);
    sweep_plan_free(&plan);
    return status;
}
