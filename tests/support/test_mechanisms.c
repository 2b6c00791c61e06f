/* test_mechanisms.c — the shipped mechanisms followed by the test-only ones (see the
 * header). */
#include "test_mechanisms.h"

#include <stdbool.h>

static const mechanism_ops *const test_only[] = {
    &mechanism_learned_scale,
};

enum { N_TEST_ONLY = (int)(sizeof test_only / sizeof test_only[0]) };

static void register_once(void) {
    static bool registered;
    if (registered) return;
    for (int i = 0; i < N_TEST_ONLY; i++) mechanism_register_extra(test_only[i]);
    registered = true;
}

int test_mechanism_count(void) {
    register_once();
    return mechanism_count() + N_TEST_ONLY;
}

const mechanism_ops *test_mechanism_at(int index) {
    if (index < 0 || index >= test_mechanism_count()) return NULL;
    return index < mechanism_count() ? mechanism_at(index) : test_only[index - mechanism_count()];
}

const mechanism_ops *test_mechanism_find(const char *name) {
    register_once();
    return mechanism_find(name);
}
