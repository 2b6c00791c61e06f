/* test_mechanisms.h — what the registry-wide tests loop over: every shipped mechanism
 * (mechanisms/registry.c), then the test-only ones of tests/support (learned_scale.c:
 * learned parameters), so that the paths no shipped mechanism takes yet are checked too.
 *
 * The test-only ones are registered with mechanism_register_extra the first time any of
 * these functions runs, so mechanism_find (and so model_create) finds them from then on; the
 * CLI never registers them, and `attnbench mechanisms` never lists them. */
#ifndef ATTNBENCH_TEST_MECHANISMS_H
#define ATTNBENCH_TEST_MECHANISMS_H

#include "mechanisms/mechanism.h"

/* Full attention with a learned temperature and output gain per head. */
extern const mechanism_ops mechanism_learned_scale;

int test_mechanism_count(void);
const mechanism_ops *test_mechanism_at(int index);
/* mechanism_find, once the test-only ones are registered. */
const mechanism_ops *test_mechanism_find(const char *name);

#endif
