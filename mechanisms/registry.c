/* registry.c — the table of attention mechanisms. Registering a mechanism here is
 * what makes `attnbench mechanisms` list it, configs accept it and every
 * mechanism-wide test check it. */
#include <string.h>

#include "core/check.h"
#include "mechanisms/mechanism.h"

extern const mechanism_ops mechanism_full;
extern const mechanism_ops mechanism_performer;
extern const mechanism_ops mechanism_linear;
extern const mechanism_ops mechanism_local;
extern const mechanism_ops mechanism_longformer;
extern const mechanism_ops mechanism_bigbird;

static const mechanism_ops *const registry[] = {
    &mechanism_full,
    &mechanism_local,
    &mechanism_longformer,
    &mechanism_bigbird,
    &mechanism_performer,
    &mechanism_linear,
};

/* Test-only mechanisms (see mechanism.h): the one table that is not const, written
 * only by tests before they build anything; the CLI leaves it empty. */
enum { EXTRA_MAX = 8 };
static const mechanism_ops *extra[EXTRA_MAX];
static int n_extra;

int mechanism_count(void) { return (int)(sizeof registry / sizeof registry[0]); }

const mechanism_ops *mechanism_at(int index) {
    return index >= 0 && index < mechanism_count() ? registry[index] : NULL;
}

const mechanism_ops *mechanism_find(const char *name) {
    for (int i = 0; i < mechanism_count(); i++)
        if (strcmp(registry[i]->name, name) == 0) return registry[i];
    for (int i = 0; i < n_extra; i++)
        if (strcmp(extra[i]->name, name) == 0) return extra[i];
    return NULL;
}

void mechanism_register_extra(const mechanism_ops *ops) {
    CHECK(n_extra < EXTRA_MAX && mechanism_find(ops->name) == NULL);
    extra[n_extra++] = ops;
}
