/* chomsky.h — the shared frame of the 15 formal-language tasks of "Neural Networks and
 * the Chomsky Hierarchy" (Delétang et al., ICLR 2023).
 *
 * A task file supplies only what is its own (a chomsky_spec: alphabets, output length,
 * a sampler of inputs and the function that defines their targets); chomsky.c turns
 * it into a task_ops.
 *
 * Feeding (the paper's non-autoregressive setting): the model input is the n input
 * symbols followed by one placeholder ∅ per output position, so an example holds
 * n + output_length(n) tokens and the last output_length(n) positions are read out.
 * Classification tasks have one output. Token ids: the input symbols 0..symbols−1,
 * then ∅ = symbols, then the padding id = symbols + 1.
 *
 * Tasks with a termination token (stack_manipulation, binary_addition,
 * binary_multiplication) score outputs up to and including the first end token; every
 * other task scores all its outputs. The loss covers every output either way.
 *
 * The length protocol is part of the task's options: training batches have one length
 * from `train_lengths`, evaluation runs every length of `test_lengths` (with
 * `test_length_stride`) on `samples_per_length` examples. Example (seed, split, index)
 * at input length n draws from rng_key(seed, split, index, n); a request without a
 * length draws n uniformly from `train_lengths` first. */
#ifndef ATTNBENCH_CHOMSKY_H
#define ATTNBENCH_CHOMSKY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/rng.h"
#include "tasks/task.h"

typedef struct chomsky_spec {
    int symbols;         /* |Σin|: input ids 0..symbols−1 */
    const char *const *symbol_names; /* symbols readable names */
    int classes;         /* |Σout| per output */
    /* Output positions for an input of length n ≥ 1 (non-decreasing in n). */
    int (*output_length)(int n);
    /* Whether class 2 is a termination token that ends the scored outputs. */
    bool terminated;
    /* Draw an input for requested length n into input[0..n) and return how many symbols
     * it has: n, except where the original generator shortens it (Modular Arithmetic
     * uses n − 1 for even n). All randomness comes from r. */
    int (*sample)(rng *r, int n, int32_t *input);
    /* The task's definition: the target of an input of length n, written into
     * target[0..output_length(n)). Separate from sampling so that tests can apply it
     * to hand-written inputs. */
    void (*solve)(const int32_t *input, int n, int32_t *target);
} chomsky_spec;

/* The end token of terminated tasks. */
enum { CHOMSKY_END_TOKEN = 2 };

/* What the tasks over bit strings share: n independent uniform bits as the sampler,
 * and the names "0", "1". */
int chomsky_sample_bits(rng *r, int n, int32_t *input);
extern const char *const chomsky_bit_names[2];

/* Output lengths shared by several tasks. */
int chomsky_one_output(int n);
int chomsky_n_outputs(int n);

/* Defines `const task_ops <ops_name>` named `name` ("chomsky/parity_check") of the
 * suite "chomsky", at level ("R", "DCF" or "CS") and order (its row in the paper's
 * Table 2, 1 to 15), with a one-line summary for `attnbench tasks`, from spec: one line
 * per task file. */
#define CHOMSKY_TASK(ops_name, spec, task_name, task_level, task_order, task_summary)                  \
    static int ops_name##_init(void **state, const opt_set *options, task_info *info, error_info *err) { \
        return chomsky_init(&(spec), state, options, info, err);                                      \
    }                                                                                                  \
    const task_ops ops_name = {.name = task_name, .suite = "chomsky", .level = task_level,              \
                               .order = task_order, .summary = task_summary, .options = chomsky_options, \
                               .n_options = CHOMSKY_N_OPTIONS, .init = ops_name##_init,                \
                               .example = chomsky_example, .free = chomsky_free}

/* The options every Chomsky task takes: the length protocol. */
enum { CHOMSKY_N_OPTIONS = 4 };
extern const opt_spec chomsky_options[CHOMSKY_N_OPTIONS];

int chomsky_init(const chomsky_spec *spec, void **state, const opt_set *options, task_info *info,
                 error_info *err);
int chomsky_example(const void *state, const example_request *request, example *out, error_info *err);
void chomsky_free(void *state);

/* The spec behind a state made by chomsky_init (for tests). */
const chomsky_spec *chomsky_spec_of(const void *state);

/* The scored outputs of a target: 1 for every output of an unterminated task; up to and
 * including the first end token of a terminated one (all of them if there is none). */
void chomsky_target_mask(const chomsky_spec *spec, const int32_t *target, int n_outputs, uint8_t *mask);

#endif
