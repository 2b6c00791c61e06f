/* task_checks.h — what a task's own test needs to set it up: its default options, one
 * option changed, an instance and its examples. The checks every registered task gets
 * (bounds, purity, disjoint splits, golden hashes) are in task_contract.h. */
#ifndef ATTNBENCH_TASK_CHECKS_H
#define ATTNBENCH_TASK_CHECKS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/options.h"
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

#endif
