/* task.c — helpers shared by every task: example buffers and split names. */
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
