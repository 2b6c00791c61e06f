/* config.h — the experiment config: YAML → typed, validated structs.
 *
 * One file describes one experiment (task, model, training, optional sweep grid).
 * Loading parses YAML with libyaml, applies `key.path=value` overrides, and binds
 * every key to a typed field with bounds; any problem is a one-line error naming
 * file:line:column (or the override), the key path and what was expected. The
 * resolved config has a canonical JSON form (every key, defaults filled in, fixed
 * order) and an identity: the same JSON restricted to the values that differ from
 * their defaults, without the fields that do not change what is computed (`name`,
 * `train.seed`, `train.threads`) and the sweep; its SHA-256 is the config hash. */
#ifndef ATTNBENCH_CONFIG_H
#define ATTNBENCH_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/options.h"
#include "core/error.h"
#include "nn/position.h"

enum pooling { POOLING_CLS, POOLING_MEAN };
enum norm_placement { NORM_PRE, NORM_POST };
enum activation_kind { ACTIVATION_GELU, ACTIVATION_RELU };
enum head_kind { HEAD_MLP, HEAD_LINEAR };
enum lr_schedule { SCHEDULE_CONSTANT, SCHEDULE_LINEAR, SCHEDULE_COSINE, SCHEDULE_RSQRT };

typedef struct task_config {
    char name[64];          /* registry name, e.g. "lra/listops" */
    int64_t train_examples; /* size of the training split (indices 0..n-1) */
    int64_t eval_examples;  /* validation split, used for evaluation during training */
    int64_t test_examples;  /* test split, evaluated once at the end */
    uint64_t seed;          /* data seed: example i of split s = f(seed, s, i) */
    opt_set options;        /* the task's own options (its opt_spec table) */
} task_config;

typedef struct attention_config {
    char kind[32];   /* mechanism registry name, e.g. "full" */
    opt_set options; /* the mechanism's own options */
} attention_config;

typedef struct model_config {
    int layers, dim, heads, mlp_dim;
    int qkv_dim;              /* width of queries, keys and values over all heads (LRA's qkv_dim); 0 = dim */
    int head_mlp_dim;         /* hidden width of the classifier head (dense→ReLU→dense) */
    double dropout;           /* embeddings, attention output, MLP hidden and output */
    double attention_dropout; /* on attention probabilities */
    enum pooling pooling;
    enum positional_kind positional;
    bool randomized_positions; /* sorted distinct draws from [0, max_position) */
    int max_position;
    bool reverse_positions;    /* count down from the length to 1 */
    enum norm_placement norm;
    bool attention_bias;       /* on the q, k, v and output projections */
    bool embedding_scale;      /* token embeddings × √dim */
    double embedding_std;      /* initial token embeddings */
    enum activation_kind activation;
    enum head_kind head;
    attention_config attention;
} model_config;

typedef struct train_config {
    int64_t steps;
    int batch_size;
    double lr; /* peak learning rate, reached at the end of warmup */
    double beta1, beta2, eps;
    int64_t warmup;
    enum lr_schedule schedule;
    double weight_decay; /* decoupled (AdamW), on weight matrices and embeddings only */
    double grad_clip;    /* global-norm clip; 0 disables */
    int64_t eval_every;  /* steps between validation evaluations; 0 = only at the end */
    int64_t log_every;   /* steps between metric rows in the database */
    uint64_t seed;       /* initial weights, data order, dropout */
    int threads;
} train_config;

#define SWEEP_AXES_MAX 16
#define SWEEP_VALUES_MAX 32

typedef struct sweep_axis {
    char key[128];                  /* key path, e.g. "model.attention.kind" */
    int n_values;
    char values[SWEEP_VALUES_MAX][64]; /* scalar texts, applied as overrides */
} sweep_axis;

typedef struct experiment_config {
    char name[128];   /* `name:` or the file's stem */
    char source[512]; /* the file it came from */
    task_config task;
    model_config model;
    train_config train;
    int n_sweep_axes;
    sweep_axis sweep[SWEEP_AXES_MAX];
} experiment_config;

/* Load and validate a config file, then apply overrides ("key.path=value", in order;
 * a later one wins). Every problem, an unreadable file included, is EXIT_USAGE. */
int config_load_file(experiment_config *cfg, const char *path, const char *const *overrides,
                     int n_overrides, error_info *err);
/* The same from text in memory; source_name is used in messages and for the default name. */
int config_load_string(experiment_config *cfg, const char *text, size_t size, const char *source_name,
                       const char *const *overrides, int n_overrides, error_info *err);

/* Canonical JSON of the resolved config (malloc'd, caller frees). */
char *config_to_json(const experiment_config *cfg);
/* The config's identity (malloc'd, caller frees): the canonical JSON restricted to the
 * fields and plug-in options whose value differs from their declared default (compared
 * as canonical JSON text; for model.qkv_dim and model.head_mlp_dim, the field they
 * default to), empty sections left out, without name, train.seed, train.threads and
 * the sweep. task.name, which has no default, always counts. */
char *config_identity(const experiment_config *cfg);
/* SHA-256 hex of config_identity(): equal for two configs that compute the same thing
 * up to the seed, and unchanged when an option with a default is added. */
void config_hash(const experiment_config *cfg, char hex[65]);

const char *config_pooling_name(enum pooling pooling);
const char *config_positional_name(enum positional_kind positional);
const char *config_schedule_name(enum lr_schedule schedule);

#endif
