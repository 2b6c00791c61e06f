/* task_contract.h — what every registered task must do, whatever it generates: the
 * checks tests/golden/test_task_registry.c runs on each entry of the registry, so that
 * registering a task is what gets it checked. A task's own test checks its definition.
 *
 * `length` is the input length requested of every example drawn (0: the task's own).
 * Example buffers are filled with garbage before each draw, so a task that leaves part
 * of an example unwritten fails the bounds and purity checks. */
#ifndef ATTNBENCH_TASK_CONTRACT_H
#define ATTNBENCH_TASK_CONTRACT_H

#include "task_checks.h"

/* The task_info is coherent: ids inside the vocabulary, at least two classes, one output
 * for CLASS and PAIR, a one-word version, and a length protocol that fits max_length.
 * Returns whether it is; the other checks assume so. */
bool task_check_info(const task_under_test *t);
/* The first per_split examples of every split: tokens in [0, vocab_size), pad after the
 * length up to max_length, 1 ≤ length ≤ max_length, targets in [0, n_classes) with a 0/1
 * mask scoring at least one output, the declared output kind (CLASS: one output; PAIR: a
 * second document under the same rules; SEQUENCE: 1..max_outputs outputs read from
 * trailing placeholders, one id not used by inputs), and more than one class seen. */
void task_check_examples(const task_under_test *t, int length, int per_split);
/* Examples regenerated out of order, with other draws in between and other garbage in
 * the buffers, are identical; the same index in another split or under another seed
 * gives another example. */
void task_check_purity(const task_under_test *t, int length);
/* No example appears twice among the first per_split of train, eval and test. */
void task_check_disjoint(const task_under_test *t, int length, int per_split);
/* A task with a length protocol: at every training length and a spread of test lengths,
 * every split, an example has a number of input symbols m(n) that depends on the
 * requested n alone, with 1 ≤ m(n) ≤ n and m non-decreasing; training examples (and
 * those drawn without a length) fit train_max_tokens. */
void task_check_lengths(const task_under_test *t);
/* SHA-256 of what the golden file pins: the first 16 examples of train, eval and test at
 * seed 0 and, for a length protocol, the first 4 of test at its shortest and longest
 * test lengths; each example as int32 little-endian length, tokens, (length2, tokens2),
 * then per output its target and mask. */
void task_golden_hash(const task_under_test *t, char hex[65]);

#endif
