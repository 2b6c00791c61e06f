/* task.h — the task plug-in interface.
 *
 * A task is one file and one registry line. Example i of split s is a pure function
 * of (data seed, split, i) through counter-based randomness (core/rng.h): no data
 * files, no overlap between splits, the same bytes on every machine and in any thread
 * order. A task may instead read the released files of the original benchmark from a
 * `data_dir` option in its init. The harness, not the task, computes loss and
 * accuracy.
 *
 * Three output kinds cover the benchmarks:
 *   TASK_OUTPUT_CLASS     one class per sequence (LRA ListOps, Text, Image, Pathfinder);
 *   TASK_OUTPUT_SEQUENCE  a class per output position: the input is followed by one
 *                         placeholder token per output and the last n_outputs positions
 *                         are read out, scored where target_mask is 1 (Chomsky tasks);
 *   TASK_OUTPUT_PAIR      two sequences, encoded separately by a shared encoder and
 *                         combined as [u, v, u·v, u−v] (LRA Retrieval). */
#ifndef ATTNBENCH_TASK_H
#define ATTNBENCH_TASK_H

#include <stdint.h>

#include "core/options.h"
#include "core/error.h"

enum task_output { TASK_OUTPUT_CLASS, TASK_OUTPUT_SEQUENCE, TASK_OUTPUT_PAIR };

/* Image tasks flatten a side×side grey image row-major and encode grey level g
 * (0–255) as token g + TASK_GREY_TOKEN0; 0 and 1 stay padding and CLS. */
enum { TASK_GREY_TOKEN0 = 2, TASK_GREY_VOCAB = TASK_GREY_TOKEN0 + 256 };
/* Their readable symbols: "<pad>", "<cls>", then "0" to "255". */
extern const char *const task_grey_token_names[TASK_GREY_VOCAB];
enum task_split { SPLIT_TRAIN = 0, SPLIT_EVAL = 1, SPLIT_TEST = 2 };

/* The length-generalisation protocol of the formal-language tasks: train on short
 * inputs, test on every length of a longer range. samples_per_length 0 = none (the
 * task's splits are evaluated as a whole). Lengths count input symbols, without the
 * output placeholders. */
typedef struct length_protocol {
    int train_min, train_max;         /* each training batch has one length in this range */
    int test_min, test_max, test_stride; /* evaluated lengths: test_min, +stride, … ≤ test_max */
    int samples_per_length;           /* examples evaluated at each length */
    int train_max_tokens;             /* tokens of the longest training example */
} length_protocol;

typedef struct task_info {
    int vocab_size;  /* token ids are in [0, vocab_size) */
    int n_classes;   /* classes per output */
    int max_length;  /* longest input the task emits (per document for PAIR), CLS not counted */
    int max_outputs; /* SEQUENCE: most output positions; 1 otherwise */
    int pad_token;   /* id written after the real tokens */
    int cls_token;   /* id the harness prepends when pooling is cls */
    enum task_output output;
    const char *const *token_names; /* vocab_size readable symbols, for `attnbench data` */
    const char *version;            /* generator version; bumped whenever its output changes */
    int image_side;                 /* > 0: inputs are side×side grey images (TASK_GREY_TOKEN0) */
    length_protocol lengths;
} task_info;

typedef struct example {
    int32_t *tokens;      /* (max_length) input; pad_token after `length` */
    int length;           /* real tokens */
    int32_t *tokens2;     /* PAIR only: (max_length) second document */
    int length2;
    int32_t *targets;     /* (max_outputs) class per output; CLASS and PAIR use targets[0] */
    uint8_t *target_mask; /* (max_outputs) 1 where the output is scored for accuracy */
    int n_outputs;        /* 1 for CLASS and PAIR */
} example;

typedef struct example_request {
    uint64_t seed;
    enum task_split split;
    int64_t index;
    int length; /* requested input length (length-generalisation protocol); 0 = the task's own */
} example_request;

/* A task's registration says where its runs are reported, and each run row records it,
 * so reports read the suite, level and order from the database alone: a task of a new
 * suite shows up in `attnbench leaderboard --suite <suite>` by itself. */
typedef struct task_ops {
    const char *name;    /* "lra/listops" */
    const char *suite;   /* the benchmark it belongs to: "lra", "chomsky", or a new one */
    const char *level;   /* its level where the suite has levels (Chomsky: "R", "DCF", "CS"); "" */
    int order;           /* its row or column in the suite's tables: 1, 2, ... unique in the suite */
    const char *summary; /* one line for `attnbench tasks` */
    const opt_spec *options;
    int n_options;
    /* Validate options, build the vocabulary, load data files if asked; fill info. */
    int (*init)(void **state, const opt_set *options, task_info *info, error_info *err);
    /* Write one example into out, whose buffers hold info->max_length tokens and
     * info->max_outputs targets. Pure: no state is changed. */
    int (*example)(const void *state, const example_request *request, example *out, error_info *err);
    void (*free)(void *state);
} task_ops;

/* The registry (tasks/registry.c). */
const task_ops *task_find(const char *name);
int task_count(void);
const task_ops *task_at(int index);

/* Where the runs of a task name are reported: a registered task's suite, level and
 * order; for a name this build lacks, the text before its first '/' (the whole name
 * without one), level "" and order 0 (unknown). */
typedef struct task_place {
    char suite[64];
    char level[8];
    int order;
} task_place;
void task_place_find(task_place *out, const char *name);

/* Allocate an example's buffers for a task's info; free them. */
void example_alloc(example *ex, const task_info *info);
void example_free(example *ex);

const char *task_split_name(enum task_split split);

#endif
