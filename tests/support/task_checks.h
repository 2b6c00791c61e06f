/* task_checks.h — the checks every task generator's test makes: the pinned SHA-256 of
 * its first examples, purity (an example depends on seed, split and index only) and
 * splits that share no example. One place, so that every task is pinned and hashed the
 * same way. */
#ifndef ATTNBENCH_TASK_CHECKS_H
#define ATTNBENCH_TASK_CHECKS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/options.h"
#include "core/sha256.h"
#include "tasks/task.h"

/* A task initialised from a set of options. */
typedef struct task_under_test {
    const task_ops *ops;
    void *state;
    task_info info;
} task_under_test;

/* The defaults of task `name` into set; a missing task fails a check and aborts. */
void task_defaults(opt_set *set, const char *name);
/* The option `name` of set, to change before init; a missing one fails a check and aborts. */
opt_value *task_option(opt_set *set, const char *name);
/* Init task `name` with set; returns the init's status (err says why). */
int task_under_test_init(task_under_test *t, const char *name, const opt_set *set, error_info *err);
void task_under_test_free(task_under_test *t);
/* Example (seed, split, index); an error is recorded as a failed check. */
int task_under_test_example(const task_under_test *t, uint64_t seed, enum task_split split, int64_t index,
                            example *ex);

/* Adds an example to h as int32 little-endian values: length, tokens, then for a pair
 * length2 and tokens2, then the target of every output. */
void task_hash_example(sha256 *h, const example *ex);
/* Same length(s), tokens and targets. */
bool task_same_example(const example *a, const example *b);

/* SHA-256 of the first 16 examples of train, eval and test at seed 0 against golden. */
void task_check_golden(const task_under_test *t, const char *const golden[3]);
/* Examples regenerated out of order, with other draws in between, are identical; the
 * same index in another split or under another seed gives another example. */
void task_check_purity(const task_under_test *t);
/* No example appears twice among the first per_split of train, eval and test. */
void task_check_disjoint(const task_under_test *t, int per_split);

#endif
