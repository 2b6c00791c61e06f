/* chomsky_checks.h — the checks every formal-language task's test makes: the example
 * shape at every input length (alphabets, placeholders, output length, mask), the
 * task's definition on hand-written inputs, and random examples against an evaluator
 * written independently in the test. */
#ifndef ATTNBENCH_CHOMSKY_CHECKS_H
#define ATTNBENCH_CHOMSKY_CHECKS_H

#include <stdint.h>

#include "task_checks.h"
#include "tasks/chomsky/chomsky.h"

/* A Chomsky task initialised with test_lengths [1, max_length]. */
typedef struct chomsky_under_test {
    task_under_test task;
    const chomsky_spec *spec;
    int max_length;
} chomsky_under_test;

void chomsky_open(chomsky_under_test *c, const char *name, int max_length);
void chomsky_close(chomsky_under_test *c);

/* For every requested length 1..max_length, examples of every split: level, symbols and
 * classes as stated, vocab = symbols + 2, expected_inputs(n) input symbols (NULL: n)
 * then one placeholder per output, expected_outputs(inputs) outputs, targets in range,
 * and the mask (all ones, or up to and including the first end token when
 * terminated). */
void chomsky_check_shapes(const chomsky_under_test *c, const char *level, int symbols, int classes,
                          int (*expected_inputs)(int n), int (*expected_outputs)(int n), bool terminated);

/* The task's solve on a hand-written input (a string of symbol ids as digits, e.g.
 * "0110", or with ',' between multi-digit ids) gives the expected target (same form). */
void chomsky_check_case(const chomsky_under_test *c, const char *input, const char *expected);

/* An evaluator written in the test: the target of input[0..n), returning its number of
 * outputs. */
typedef int (*chomsky_evaluator)(const int32_t *input, int n, int32_t *target);

/* `samples` examples of the test split at requested lengths cycling through
 * 1..max_length, each compared with the evaluator (given the example's input symbols). */
void chomsky_check_random(const chomsky_under_test *c, chomsky_evaluator evaluate, int samples);

#endif
