/* batch.h — turning task examples into padded model batches.
 *
 * A batch is padded only to its own longest example, not to the task's maximum, so
 * short batches cost less. The CLS token is prepended here when the model pools by
 * CLS. Training draws example indices from a shuffled epoch (a keyed permutation of
 * the training split, a fresh one per epoch), so every example is seen once per epoch
 * and the order is a pure function of the training seed. */
#ifndef ATTNBENCH_BATCH_H
#define ATTNBENCH_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "model/model.h"
#include "tasks/task.h"

typedef struct batch_builder {
    const task_ops *task;
    const void *task_state;
    task_info info;
    bool cls;
    int max_batch;
    example staging;     /* buffers for one example */
    int32_t *staged;     /* (max_batch, max_length) tokens before compaction */
    int64_t *indices;    /* (max_batch) example indices, for the caller to fill */
    model_batch batch;   /* buffers for max_batch × (max_length + cls) */
} batch_builder;

void batch_builder_init(batch_builder *bb, const task_ops *task, const void *task_state,
                        const task_info *info, bool cls, int max_batch);
void batch_builder_free(batch_builder *bb);

/* Fill bb->batch with examples `indices[0..count)` of a split. length is passed to the
 * task as the requested input length (0 = the task's own distribution). */
int batch_fill(batch_builder *bb, uint64_t data_seed, enum task_split split, const int64_t *indices,
               int count, int length, error_info *err);

/* The training example used at slot `slot` of step `step`: position step·batch + slot
 * of the sequence of shuffled epochs over [0, n_train). */
int64_t batch_train_index(uint64_t train_seed, int64_t step, int batch_size, int slot, int64_t n_train);

#endif
