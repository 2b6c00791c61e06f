/* registry.c — the list of tasks that configs can name.
 *
 * Adding a task is one declaration and one line in the table below; `attnbench tasks`
 * and every test that loops over the registry pick it up from here. */
#include <stddef.h>
#include <string.h>

#include "core/check.h"
#include "tasks/task.h"

extern const task_ops lra_listops;
extern const task_ops lra_retrieval;
extern const task_ops lra_image;
extern const task_ops lra_text;
extern const task_ops lra_pathfinder;
extern const task_ops lra_pathx;

static const task_ops *const registry[] = {
    &lra_listops,
    &lra_retrieval,
    &lra_image,
    &lra_text,
    &lra_pathfinder,
    &lra_pathx,
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
