/* eval.c — loss and accuracy of the current weights over a split (see train.h). */
#include "core/check.h"
#include "model/train.h"

int64_t batch_full_attention_count(const model *m, const model_batch *batch) {
    int64_t count = 0;
    for (int b = 0; b < batch->B; b++) count += model_attention_falls_back(m, batch->lengths[b]);
    return count;
}

int evaluate_split(model *m, batch_builder *bb, uint64_t data_seed, enum task_split split,
                   int64_t n_examples, int batch_size, int64_t step, eval_result *out, error_info *err) {
    CHECK(batch_size <= bb->max_batch);
    int64_t *indices = bb->indices;
    double loss_sum = 0;
    int64_t rows = 0, correct = 0, scored = 0, full_attention = 0;
    for (int64_t start = 0; start < n_examples; start += batch_size) {
        const int count = (int)(n_examples - start < batch_size ? n_examples - start : batch_size);
        for (int i = 0; i < count; i++) indices[i] = start + i;
        if (batch_fill(bb, data_seed, split, indices, count, 0, err) != 0) return -1;
        model_stats stats;
        model_forward(m, &bb->batch, false, step, 0, &stats);
        full_attention += batch_full_attention_count(m, &bb->batch);
        loss_sum += stats.loss * (double)stats.rows;
        rows += stats.rows;
        correct += stats.correct;
        scored += stats.scored;
    }
    out->loss = rows ? loss_sum / (double)rows : 0;
    out->accuracy = scored ? (double)correct / (double)scored : 0;
    out->examples = n_examples;
    out->full_attention_fraction = n_examples ? (double)full_attention / (double)n_examples : 0;
    return 0;
}
