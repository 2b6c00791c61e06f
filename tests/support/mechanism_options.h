/* mechanism_options.h — a mechanism's options from a short text, for tests that run
 * one mechanism under several option sets. */
#ifndef ATTNBENCH_MECHANISM_OPTIONS_H
#define ATTNBENCH_MECHANISM_OPTIONS_H

#include "mechanisms/mechanism.h"

/* The defaults of ops's options, then each "key=value" of `text` (separated by ';',
 * values written as in YAML: "window=3;dilation=[1, 2]"). NULL or "" keeps the
 * defaults. A bad key or value is a programming error of the test (CHECK). */
void test_mechanism_options(const mechanism_ops *ops, const char *text, opt_set *out);

#endif
