/* registry.c — the table of attention mechanisms. Registering a mechanism here is
 * what makes `attnbench mechanisms` list it, configs accept it and every
 * mechanism-wide test check it. */
#include <string.h>

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

int mechanism_count(void) { return (int)(sizeof registry / sizeof registry[0]); }

const mechanism_ops *mechanism_at(int index) {
    return index >= 0 && index < mechanism_count() ? registry[index] : NULL;
}

const mechanism_ops *mechanism_find(const char *name) {
    for (int i = 0; i < mechanism_count(); i++)
        if (strcmp(registry[i]->name, name) == 0) return registry[i];
    return NULL;
}
