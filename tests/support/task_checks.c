/* task_checks.c — setting up a task in its own test (task_checks.h). */
#include "task_checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testing.h"

void task_defaults(opt_set *set, const char *name) {
    const task_ops *ops = task_find(name);
    if (!test_check(ops != NULL, "task is registered", "no task %s", name)) abort();
    opt_set_defaults(set, ops->options, ops->n_options);
}

opt_value *task_option(opt_set *set, const char *name) {
    for (int i = 0; i < set->n; i++)
        if (strcmp(set->values[i].spec->name, name) == 0) return &set->values[i];
    test_check(false, "option exists", "no option %s", name);
    abort();
}

int task_under_test_init(task_under_test *t, const char *name, const opt_set *set, error_info *err) {
    t->ops = task_find(name);
    t->state = NULL;
    if (!test_check(t->ops != NULL, "task is registered", "no task %s", name)) abort();
    return t->ops->init(&t->state, set, &t->info, err);
}

void task_under_test_free(task_under_test *t) {
    if (t->state) t->ops->free(t->state);
    t->state = NULL;
}

int task_under_test_example(const task_under_test *t, uint64_t seed, enum task_split split, int64_t index,
                            example *ex) {
    example_request request = {.seed = seed, .split = split, .index = index, .length = 0};
    error_info err = {0};
    int rc = t->ops->example(t->state, &request, ex, &err);
    if (rc != 0) test_check(false, "example generated", "%s", err.message);
    return rc;
}
