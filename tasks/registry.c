/* registry.c — the list of tasks that configs can name.
 *
 * Adding a task is one declaration and one line in the table below; `attnbench tasks`
 * and every test that loops over the registry pick it up from here. The table's order
 * is `attnbench tasks`'s; the order in reports is each task's own (task_ops.order). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/check.h"
#include "tasks/task.h"

extern const task_ops lra_listops;
extern const task_ops lra_retrieval;
extern const task_ops lra_image;
extern const task_ops lra_text;
extern const task_ops lra_pathfinder;
extern const task_ops lra_pathx;
/* Chomsky hierarchy: regular (R) and deterministic context-free (DCF). */
extern const task_ops chomsky_parity_check;
extern const task_ops chomsky_even_pairs;
extern const task_ops chomsky_modular_arithmetic;
extern const task_ops chomsky_cycle_navigation;
extern const task_ops chomsky_stack_manipulation;
extern const task_ops chomsky_reverse_string;
extern const task_ops chomsky_modular_arithmetic_brackets;
extern const task_ops chomsky_solve_equation;
/* Chomsky hierarchy: context-sensitive (CS). */
extern const task_ops chomsky_duplicate_string;
extern const task_ops chomsky_missing_duplicate_string;
extern const task_ops chomsky_odds_first;
extern const task_ops chomsky_binary_addition;
extern const task_ops chomsky_binary_multiplication;
extern const task_ops chomsky_compute_sqrt;
extern const task_ops chomsky_bucket_sort;

static const task_ops *const registry[] = {
    &lra_listops,
    &lra_retrieval,
    &lra_image,
    &lra_text,
    &lra_pathfinder,
    &lra_pathx,
    /* Chomsky hierarchy, R and DCF */
    &chomsky_parity_check,
    &chomsky_even_pairs,
    &chomsky_modular_arithmetic,
    &chomsky_cycle_navigation,
    &chomsky_stack_manipulation,
    &chomsky_reverse_string,
    &chomsky_modular_arithmetic_brackets,
    &chomsky_solve_equation,
    /* Chomsky hierarchy, CS */
    &chomsky_duplicate_string,
    &chomsky_missing_duplicate_string,
    &chomsky_odds_first,
    &chomsky_binary_addition,
    &chomsky_binary_multiplication,
    &chomsky_compute_sqrt,
    &chomsky_bucket_sort,
};

enum { REGISTRY_SIZE = (int)(sizeof registry / sizeof registry[0]) };

const task_ops *task_find(const char *name) {
    for (int i = 0; i < REGISTRY_SIZE; i++)
        if (strcmp(registry[i]->name, name) == 0) return registry[i];
    return NULL;
}

int task_count(void) { return REGISTRY_SIZE; }

const task_ops *task_at(int index) {
    CHECK(index >= 0 && index < REGISTRY_SIZE);
    return registry[index];
}

void task_place_find(task_place *out, const char *name) {
    const task_ops *ops = task_find(name);
    if (ops) {
        snprintf(out->suite, sizeof out->suite, "%s", ops->suite);
        snprintf(out->level, sizeof out->level, "%s", ops->level);
        out->order = ops->order;
        return;
    }
    snprintf(out->suite, sizeof out->suite, "%.*s", (int)strcspn(name, "/"), name);
    out->level[0] = '\0';
    out->order = 0;
}
