/* plan.h — expanding a config's sweep into the list of runs it stands for.
 *
 * The grid is the config's `sweep:` axes plus any given on the command line
 * (`key=a,b` adds or replaces an axis; `key=value` is a plain override, and pins
 * that key when it is an axis), every
 * combination of their values, with the train.seed axis outermost so that every
 * configuration gets its first seed before any gets its second. Each entry carries the
 * overrides that turn the config file into it, its resolved config (canonical JSON and
 * hash) and its identity. Combinations that give the same config hash and seed as an
 * earlier one (say, an axis over train.threads) are planned once. The plan's id is a
 * hash of its (config hash, seed) list, so the same plan always has the same id. */
#ifndef ATTNBENCH_SWEEP_PLAN_H
#define ATTNBENCH_SWEEP_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "tasks/task.h"

typedef struct plan_entry {
    char **overrides; /* base overrides, then one "key=value" per axis */
    int n_overrides;
    char *overrides_json; /* the same as a JSON array */
    char *label;          /* the axis values only, e.g. "model.attention.kind=full train.seed=1" */
    char *config_json;
    char config_hash[65];
    uint64_t seed;
    int configured_threads; /* train.threads as resolved (0: all cores) */
    char name[128], task[128], task_version[64], mechanism[64];
    task_place place; /* the task's suite, level and order */
} plan_entry;

typedef struct sweep_plan {
    char id[33];
    char name[128];
    char source[512];
    char *config_json; /* the base config, its sweep included */
    plan_entry *entries;
    int n;
    int duplicates; /* combinations dropped as repeats of an earlier entry */
} sweep_plan;

#define SWEEP_PLAN_MAX 100000

/* Expand CONFIG with its command-line arguments ("key=value" or "key=a,b"); every
 * problem (unreadable file, bad key or value, unknown task) is EXIT_USAGE naming it. */
int sweep_plan_build(sweep_plan *plan, const char *config_path, const char *const *args, int n_args,
                     error_info *err);
void sweep_plan_free(sweep_plan *plan);

/* Parse "I/N" (1 ≤ I ≤ N); entry k (0-based, plan order) belongs to shard I when
 * k mod N = I − 1, so the N shards partition the plan exactly. */
bool sweep_parse_shard(const char *text, int *index, int *count);

#endif
