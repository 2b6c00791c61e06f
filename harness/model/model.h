/* model.h — the encoder classifier: embeddings, pre-LN blocks with a pluggable
 * attention mechanism, final LayerNorm, pooling and a dense→ReLU→dense head.
 *
 * All memory (parameters, gradients, optimiser moments, activations, scratch) is
 * allocated once, in model_create, for the largest batch and sequence; a step never
 * allocates. The parameters, gradients and moments are each one contiguous buffer
 * carved into named tensors (model_tensor), so clipping, the optimiser and the
 * gradient tests treat them uniformly. */
#ifndef ATTNBENCH_MODEL_H
#define ATTNBENCH_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "core/error.h"
#include "core/real.h"
#include "tasks/task.h"

typedef struct model model;

/* A batch as the model consumes it; tokens already carry the CLS token at position 0
 * when pooling is cls (see batch.h). For pair tasks the B sequences are the first
 * documents of B/2 examples followed by their second documents, and the targets,
 * masks and output counts are per example (B/2 of them). */
typedef struct model_batch {
    int B, T;              /* sequences, padded tokens (≤ the model's maximum) */
    int32_t *tokens;       /* (B, T) */
    int32_t *lengths;      /* (B) real tokens, CLS included */
    int32_t *targets;      /* (examples, max_outputs) */
    uint8_t *target_mask;  /* (examples, max_outputs) 1 = scored for accuracy */
    int32_t *n_outputs;    /* (examples) outputs per example (1 for CLASS) */
} model_batch;

/* Loss and accuracy counts of one forward pass. */
typedef struct model_stats {
    double loss;      /* mean cross-entropy over output rows */
    int64_t rows;     /* output rows in the loss */
    int64_t correct;  /* scored outputs whose argmax is the target */
    int64_t scored;   /* outputs with target_mask = 1 */
} model_stats;

typedef struct model_tensor {
    const char *name; /* "layer2.qkv.weight" */
    size_t offset;    /* into the parameter (and gradient) buffer */
    size_t size;
    bool decay;       /* weight decay applies (matrices and embeddings) */
} model_tensor;

/* Build the model for a task, allocating for batches of up to max_batch examples
 * (2·max_batch sequences for pair tasks).
 * Parameters are initialised from seed. Errors (bad mechanism options, output kind
 * not supported) are EXIT_USAGE and name the key at fault. */
int model_create(model **out, const model_config *config, const task_info *task, int max_batch,
                 uint64_t seed, error_info *err);
void model_free(model *m);

/* What model_create would build, measured without allocating it. */
typedef struct model_footprint {
    int tensors;   /* parameter tensors (model_tensor_count) */
    size_t params; /* reals of parameters (model_param_count) */
    size_t bytes;  /* model_bytes, plus the mechanism's position table */
} model_footprint;
/* The same checks and errors as model_create, and a model that needs more than max_bytes
 * (0: this machine's memory) is refused the same way: for `run --check`, and for tests
 * that must stay within a budget. */
int model_measure(model_footprint *out, const model_config *config, const task_info *task, int max_batch,
                  size_t max_bytes, error_info *err);

/* The longest padded sequence a batch may have (task max_length, +1 with CLS). */
int model_max_tokens(const model *m);
bool model_uses_cls(const model *m);
/* Whether a model of this config on this task prepends CLS (what model_uses_cls will say). */
bool model_config_uses_cls(const model_config *config, const task_info *task);
/* How many examples of `tokens` padded tokens one batch may hold: the batch size the
 * model was made for, or fewer for sequences longer than the training ones (tasks
 * with a length protocol evaluate long lengths in smaller batches). */
int model_batch_limit(const model *m, int tokens);

size_t model_param_count(const model *m);
real *model_params(model *m);
real *model_grads(model *m);
int model_tensor_count(const model *m);
model_tensor model_tensor_at(const model *m, int index);
/* Bytes allocated for parameters, gradients, moments, activations and scratch. */
size_t model_bytes(const model *m);

/* Whether the mechanism may compute a sequence with full attention when it is too
 * short for its pattern (BigBird), and whether it does for this many tokens. */
bool model_attention_can_fall_back(const model *m);
bool model_attention_falls_back(const model *m, int length);
/* Forward pass: logits and loss. training enables dropout, whose masks are keyed by
 * (dropout_seed, step). The mechanism's own randomness (random blocks, features) comes
 * from the model's seed and, for features redrawn during training, the step:
 * evaluation passes the last training step so that it sees what training ended with. */
void model_forward(model *m, const model_batch *batch, bool training, int64_t step,
                   uint64_t dropout_seed, model_stats *stats);
/* The rows the head read in the last forward, (rows, width): pooled sequences, or
 * [u, v, u·v, u−v] per example for pair tasks. For tests. */
const real *model_head_inputs(const model *m, int *rows, int *width);
/* Sequence-output tasks: per example of the last forward's batch, the fraction of its scored outputs whose
 * argmax is the target (1 when none is scored), and whether all of them are. */
void model_example_scores(const model *m, const model_batch *batch, double *fraction, bool *all_right);
/* The logits of the last forward, (rows, n_classes), rows in batch order. */
const real *model_logits(const model *m, int *rows);
/* Backward of the mean cross-entropy of the last forward; adds into the gradients. */
void model_backward(model *m, const model_batch *batch, int64_t step, uint64_t dropout_seed);
/* Backward from an arbitrary gradient of the logits (rows, n_classes), for tests. */
void model_backward_from_logits(model *m, const model_batch *batch, int64_t step,
                                uint64_t dropout_seed, const real *dlogits);
void model_zero_grad(model *m);
/* Clip by global norm (train->grad_clip; 0 = off) and take one AdamW step at the
 * scheduled learning rate. Returns the gradient norm before clipping. */
double model_update(model *m, const train_config *train, int64_t step, double lr);

#endif
