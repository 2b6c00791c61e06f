/* eval.c — loss and accuracy of the current weights over a split (see train.h). */
#include "core/check.h"
#include "model/train.h"

int evaluate_split(model *m, batch_builder *bb, uint64_t data_seed, enum task_split split,
                   int64_t n_examples, int batch_size, eval_result *out, error_info *err) {
    CHECK(batch_size <= bb->max_batch);
    int64_t *indices = bb->indices;
    double loss_sum = 0;
    int64_t rows = 0, correct = 0, scored = 0;
    for (int64_t start = 0; start < n_examples; start += batch_size) {
        const int count = (int)(n_examples - start < batch_size ? n_examples - start : batch_size);
        for (int i = 0; i < count; i++) indices[i] = start + i;
        if (batch_fill(bb, data_seed, split, indices, count, 0, err) != 0) return -1;
        model_stats stats;
        model_forward(m, &bb->batch, false, 0, 0, &stats);
        loss_sum += stats.loss * (double)stats.rows;
        rows += stats.rows;
        correct += stats.correct;
        scored += stats.scored;
    }
    out->loss = rows ? loss_sum / (double)rows : 0;
    out->accuracy = scored ? (double)correct / (double)scored : 0;
    out->examples = n_examples;
    return 0;
}
