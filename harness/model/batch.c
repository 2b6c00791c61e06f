/* batch.c — example generation into padded batches (see batch.h). */
#include "model/batch.h"

#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/rng.h"

void batch_builder_init(batch_builder *bb, const task_ops *task, const void *task_state,
                        const task_info *info, bool cls, int max_batch) {
    memset(bb, 0, sizeof *bb);
    bb->task = task;
    bb->task_state = task_state;
    bb->info = *info;
    bb->cls = cls;
    bb->max_batch = max_batch;
    example_alloc(&bb->staging, info);
    const size_t max_tokens = (size_t)info->max_length + (cls ? 1 : 0);
    const size_t max_sequences = (size_t)max_batch * (info->output == TASK_OUTPUT_PAIR ? 2 : 1);
    bb->staged = calloc(max_sequences * info->max_length, sizeof(int32_t));
    bb->indices = calloc((size_t)max_batch, sizeof(int64_t));
    bb->batch.tokens = calloc(max_sequences * max_tokens, sizeof(int32_t));
    bb->batch.lengths = calloc(max_sequences, sizeof(int32_t));
    bb->batch.targets = calloc((size_t)max_batch * info->max_outputs, sizeof(int32_t));
    bb->batch.target_mask = calloc((size_t)max_batch * info->max_outputs, 1);
    bb->batch.n_outputs = calloc((size_t)max_batch, sizeof(int32_t));
    CHECK(bb->staged && bb->indices && bb->batch.tokens && bb->batch.lengths && bb->batch.targets &&
          bb->batch.target_mask && bb->batch.n_outputs);
}

void batch_builder_free(batch_builder *bb) {
    example_free(&bb->staging);
    free(bb->staged);
    free(bb->indices);
    free(bb->batch.tokens);
    free(bb->batch.lengths);
    free(bb->batch.targets);
    free(bb->batch.target_mask);
    free(bb->batch.n_outputs);
}

int batch_fill(batch_builder *bb, uint64_t data_seed, enum task_split split, const int64_t *indices,
               int count, int length, error_info *err) {
    CHECK(count >= 1 && count <= bb->max_batch);
    const int max_len = bb->info.max_length, max_out = bb->info.max_outputs;
    const bool pair = bb->info.output == TASK_OUTPUT_PAIR;
    const int sequences = pair ? 2 * count : count;
    const int shift = bb->cls ? 1 : 0;
    example *ex = &bb->staging;
    model_batch *batch = &bb->batch;
    for (int b = 0; b < count; b++) {
        example_request request = {data_seed, split, indices[b], length};
        if (bb->task->example(bb->task_state, &request, ex, err) != 0) return -1;
        CHECK(ex->length >= 0 && ex->length <= max_len && ex->n_outputs >= 1 && ex->n_outputs <= max_out);
        memcpy(bb->staged + (size_t)b * max_len, ex->tokens, sizeof(int32_t) * ex->length);
        batch->lengths[b] = ex->length + shift;
        if (pair) { /* the second document goes to sequence count + b */
            CHECK(ex->length2 >= 0 && ex->length2 <= max_len);
            memcpy(bb->staged + (size_t)(count + b) * max_len, ex->tokens2, sizeof(int32_t) * ex->length2);
            batch->lengths[count + b] = ex->length2 + shift;
        }
        batch->n_outputs[b] = ex->n_outputs;
        memcpy(batch->targets + (size_t)b * max_out, ex->targets, sizeof(int32_t) * ex->n_outputs);
        memcpy(batch->target_mask + (size_t)b * max_out, ex->target_mask, ex->n_outputs);
    }
    int longest = 0;
    for (int b = 0; b < sequences; b++)
        if (batch->lengths[b] > longest) longest = batch->lengths[b];
    const int T = longest > 0 ? longest : 1;
    for (int b = 0; b < sequences; b++) {
        int32_t *row = batch->tokens + (size_t)b * T;
        if (bb->cls) row[0] = bb->info.cls_token;
        const int real_tokens = batch->lengths[b] - shift;
        memcpy(row + shift, bb->staged + (size_t)b * max_len, sizeof(int32_t) * real_tokens);
        for (int t = batch->lengths[b]; t < T; t++) row[t] = bb->info.pad_token;
    }
    batch->B = sequences;
    batch->T = T;
    return 0;
}

int64_t batch_train_index(uint64_t train_seed, int64_t step, int batch_size, int slot, int64_t n_train) {
    const uint64_t position = (uint64_t)step * (uint64_t)batch_size + (uint64_t)slot;
    const uint64_t epoch = position / (uint64_t)n_train;
    return (int64_t)rng_permute(rng_key(train_seed, RNG_STREAM_SHUFFLE, epoch, 0), (uint64_t)n_train,
                                position % (uint64_t)n_train);
}
