/* eval_lengths.c — evaluation by input length, for tasks with a length protocol
 * (formal-language tasks: train on short inputs, test on every longer length).
 *
 * At each length n of a range, examples 0..samples−1 of the split are generated at
 * that length and scored per sequence: the fraction of its scored outputs that are
 * right (the paper's per-sequence accuracy), and whether all of them are. The accuracy
 * of a length is the mean over its sequences; the accuracy of the range gives every
 * length the same weight (the paper's score). Long lengths run in smaller batches
 * (model_batch_limit), so memory stays that of a training batch. */
#include <stdlib.h>

#include "core/check.h"
#include "model/train.h"

/* One length: accumulate its sequences into point and the loss sums. */
static int evaluate_length(model *m, batch_builder *bb, uint64_t data_seed, enum task_split split, int length,
                           int samples, int64_t step, length_accuracy *point, double *loss_sum, int64_t *rows,
                           double *fraction, bool *all_right, error_info *err) {
    int64_t *indices = bb->indices;
    indices[0] = 0;
    /* One example first: its padded size decides how many fit in a batch. */
    if (batch_fill(bb, data_seed, split, indices, 1, length, err) != 0) return -1;
    int limit = model_batch_limit(m, bb->batch.T);
    if (limit > bb->max_batch) limit = bb->max_batch;
    CHECK(limit >= 1);
    double accuracy_sum = 0;
    int64_t right_sequences = 0;
    for (int start = 0; start < samples; start += limit) {
        const int count = samples - start < limit ? samples - start : limit;
        for (int i = 0; i < count; i++) indices[i] = start + i;
        if (batch_fill(bb, data_seed, split, indices, count, length, err) != 0) return -1;
        model_stats stats;
        model_forward(m, &bb->batch, false, step, 0, &stats);
        *loss_sum += stats.loss * (double)stats.rows;
        *rows += stats.rows;
        model_example_scores(m, &bb->batch, fraction, all_right);
        for (int i = 0; i < count; i++) {
            accuracy_sum += fraction[i];
            right_sequences += all_right[i];
        }
    }
    *point = (length_accuracy){
        .split = task_split_name(split),
        .length = length,
        .accuracy = accuracy_sum / samples,
        .sequence_accuracy = (double)right_sequences / samples,
        .examples = samples,
    };
    return 0;
}

int evaluate_lengths(model *m, batch_builder *bb, uint64_t data_seed, enum task_split split, int shortest,
                     int longest, int stride, int samples, int64_t step, length_accuracy *points, int *n_points,
                     eval_result *out, error_info *err) {
    CHECK(shortest >= 1 && shortest <= longest && stride >= 1 && samples >= 1);
    double loss_sum = 0, accuracy_sum = 0, sequence_sum = 0;
    int64_t rows = 0;
    int n = 0;
    double *fraction = malloc(sizeof *fraction * (size_t)bb->max_batch);
    bool *all_right = malloc(sizeof *all_right * (size_t)bb->max_batch);
    CHECK(fraction && all_right);
    int status = 0;
    for (int length = shortest; length <= longest && status == 0; length += stride, n++) {
        status = evaluate_length(m, bb, data_seed, split, length, samples, step, &points[n], &loss_sum, &rows,
                                 fraction, all_right, err);
        accuracy_sum += points[n].accuracy;
        sequence_sum += points[n].sequence_accuracy;
    }
    free(fraction);
    free(all_right);
    if (status != 0) return -1;
    *n_points = n;
    *out = (eval_result){
        .loss = rows ? loss_sum / (double)rows : 0,
        .accuracy = accuracy_sum / n,
        .sequence_accuracy = sequence_sum / n,
        .examples = (int64_t)n * samples,
    };
    return 0;
}

int length_points_count(int shortest, int longest, int stride) { return (longest - shortest) / stride + 1; }
