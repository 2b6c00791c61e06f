/* task.c — helpers shared by every task: example buffers, split names and the symbols of
 * grey-level tokens. */
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "tasks/task.h"

void example_alloc(example *ex, const task_info *info) {
    CHECK(info->max_length > 0 && info->max_outputs > 0);
    memset(ex, 0, sizeof *ex);
    size_t tokens = (size_t)info->max_length, outputs = (size_t)info->max_outputs;
    ex->tokens = calloc(tokens, sizeof *ex->tokens);
    CHECK(ex->tokens != NULL);
    if (info->output == TASK_OUTPUT_PAIR) {
        ex->tokens2 = calloc(tokens, sizeof *ex->tokens2);
        CHECK(ex->tokens2 != NULL);
    }
    ex->targets = calloc(outputs, sizeof *ex->targets);
    ex->target_mask = calloc(outputs, sizeof *ex->target_mask);
    CHECK(ex->targets != NULL && ex->target_mask != NULL);
}

void example_free(example *ex) {
    free(ex->tokens);
    free(ex->tokens2);
    free(ex->targets);
    free(ex->target_mask);
    memset(ex, 0, sizeof *ex);
}

const char *task_split_name(enum task_split split) {
    switch (split) {
    case SPLIT_TRAIN: return "train";
    case SPLIT_EVAL: return "eval";
    case SPLIT_TEST: return "test";
    }
    CHECK(!"unknown split");
    return NULL;
}

#define DECADE(d) #d "0", #d "1", #d "2", #d "3", #d "4", #d "5", #d "6", #d "7", #d "8", #d "9"
const char *const task_grey_token_names[TASK_GREY_VOCAB] = {
    "<pad>", "<cls>", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
    DECADE(1), DECADE(2), DECADE(3), DECADE(4), DECADE(5), DECADE(6), DECADE(7), DECADE(8),
    DECADE(9), DECADE(10), DECADE(11), DECADE(12), DECADE(13), DECADE(14), DECADE(15),
    DECADE(16), DECADE(17), DECADE(18), DECADE(19), DECADE(20), DECADE(21), DECADE(22),
    DECADE(23), DECADE(24), "250", "251", "252", "253", "254", "255",
};
#undef DECADE
