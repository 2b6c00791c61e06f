/* config_schema.c — the config's field tables and the enum names (see config_schema.h).
 *
 * The order of each table is the order of the canonical JSON and of the identity, so
 * reordering a table changes config hashes: append new fields at the end of their
 * section, with a default that reproduces the behaviour before them (a field at its
 * default is not in the identity, so no existing hash changes). The choices of an enum
 * field list its names in the enum's order. */
#include "config/config_schema.h"

#include <inttypes.h>
#include <string.h>

#include "core/check.h"
#include "core/strbuf.h"

#define SEED_MAX 9223372036854775807.0 /* 2^63 − 1 (rounds to 2^63 as a double) */

/* One field of section struct S: FIELD(S, member, store, type, default, min, max, choices, help). */
#define FIELD(S, member, store, type, def, lo, hi, choices, help)                                 \
    {{#member, type, def, lo, hi, choices, help}, store, offsetof(S, member),                   \
     sizeof(((S *)0)->member), false, false, NULL}
/* A field whose default is the value of another field of its section. */
#define DERIVED(S, member, store, type, from, lo, hi, help)                                       \
    {{#member, type, NULL, lo, hi, NULL, help}, store, offsetof(S, member),                     \
     sizeof(((S *)0)->member), false, false, from}
#define REGISTRY(S, member, def, help)                                                            \
    {{#member, OPT_STRING, def, 0, sizeof(((S *)0)->member) - 1, NULL, help}, STORE_TEXT, offsetof(S, member), \
     sizeof(((S *)0)->member), true, false, NULL}
#define UNHASHED(S, member, store, type, def, lo, hi, help)                                       \
    {{#member, type, def, lo, hi, NULL, help}, store, offsetof(S, member),                      \
     sizeof(((S *)0)->member), false, true, NULL}
#define SECTION(name, help) {{name, OPT_STRING, NULL, 0, 0, NULL, help}, STORE_NONE, 0, 0, false, false, NULL}

static const config_field top_fields[] = {
    UNHASHED(experiment_config, name, STORE_TEXT, OPT_STRING, NULL, 0, 63,
             "the experiment's name; default: the config file's stem"),
    SECTION("task", "the task and its data"),
    SECTION("model", "the encoder"),
    SECTION("train", "the optimiser and the training loop"),
    SECTION("sweep", "grid of key paths to lists of values"),
};

static const config_field task_fields[] = {
    REGISTRY(task_config, name, NULL, "registered task (`attnbench tasks`); required"),
    FIELD(task_config, train_examples, STORE_INT64, OPT_INT, "96000", 1, 1e9, NULL,
          "size of the training split"),
    FIELD(task_config, eval_examples, STORE_INT64, OPT_INT, "2000", 1, 1e8, NULL,
          "size of the validation split"),
    FIELD(task_config, test_examples, STORE_INT64, OPT_INT, "2000", 1, 1e8, NULL,
          "size of the test split"),
    FIELD(task_config, seed, STORE_UINT64, OPT_INT, "0", 0, SEED_MAX, NULL,
          "data seed: the examples of every split"),
};

static const config_field model_fields[] = {
    FIELD(model_config, layers, STORE_INT, OPT_INT, "2", 1, 64, NULL, "encoder blocks"),
    FIELD(model_config, dim, STORE_INT, OPT_INT, "64", 1, 8192, NULL, "model width C"),
    FIELD(model_config, heads, STORE_INT, OPT_INT, "4", 1, 256, NULL,
          "attention heads NH; must divide qkv_dim"),
    FIELD(model_config, mlp_dim, STORE_INT, OPT_INT, "128", 1, 65536, NULL,
          "hidden width of each block's MLP"),
    DERIVED(model_config, head_mlp_dim, STORE_INT, OPT_INT, "mlp_dim", 1, 65536,
            "hidden width of the classifier head; default: mlp_dim"),
    DERIVED(model_config, qkv_dim, STORE_INT, OPT_INT, "dim", 1, 8192,
            "width of queries, keys and values over all heads; must be a multiple of heads; default: dim"),
    FIELD(model_config, dropout, STORE_DOUBLE, OPT_FLOAT, "0.1", 0, 0.9, NULL,
          "dropout on embeddings, attention output, MLP hidden and output"),
    FIELD(model_config, attention_dropout, STORE_DOUBLE, OPT_FLOAT, "0", 0, 0.9, NULL,
          "dropout on attention probabilities"),
    FIELD(model_config, pooling, STORE_CHOICE, OPT_STRING, "cls", 0, 0, "cls|mean",
          "sequence summary: the CLS token, or the mean over real tokens"),
    FIELD(model_config, positional, STORE_CHOICE, OPT_STRING, "sinusoidal", 0, 0,
          "none|sinusoidal|learned|rope|alibi|t5|relative",
          "positional encoding: added to the embeddings (sinusoidal, learned), rotating queries and keys "
          "(rope), or biasing attention scores (alibi, t5, relative: Transformer-XL)"),
    FIELD(model_config, randomized_positions, STORE_BOOL, OPT_BOOL, "false", 0, 0, NULL,
          "positions are sorted distinct draws from [0, max_position) instead of 0..T-1 (Ruoss et al. 2023)"),
    FIELD(model_config, max_position, STORE_INT, OPT_INT, "2048", 1, 1 << 20, NULL,
          "range of randomized positions (and the learned table's size when they are randomized)"),
    FIELD(model_config, reverse_positions, STORE_BOOL, OPT_BOOL, "false", 0, 0, NULL,
          "positions count down from the sequence's length to 1 (the Chomsky benchmark's sin/cos)"),
    FIELD(model_config, norm, STORE_CHOICE, OPT_STRING, "pre", 0, 0, "pre|post",
          "LayerNorm before each sublayer (pre, with a final LayerNorm) or after each residual (post)"),
    FIELD(model_config, attention_bias, STORE_BOOL, OPT_BOOL, "true", 0, 0, NULL,
          "bias on the query, key, value and output projections"),
    FIELD(model_config, embedding_scale, STORE_BOOL, OPT_BOOL, "false", 0, 0, NULL,
          "multiply the token embeddings by sqrt(dim)"),
    FIELD(model_config, embedding_std, STORE_DOUBLE, OPT_FLOAT, "1", 0, 100, "(]",
          "standard deviation of the initial token embeddings"),
    FIELD(model_config, activation, STORE_CHOICE, OPT_STRING, "gelu", 0, 0, "gelu|relu",
          "nonlinearity of each block's MLP"),
    FIELD(model_config, head, STORE_CHOICE, OPT_STRING, "mlp", 0, 0, "mlp|linear",
          "output head: dense-ReLU-dense (head_mlp_dim wide) or one linear layer"),
    SECTION("attention", "the attention mechanism: kind and its options"),
};

static const config_field attention_fields[] = {
    REGISTRY(attention_config, kind, "full", "registered mechanism (`attnbench mechanisms`)"),
};

static const config_field train_fields[] = {
    FIELD(train_config, steps, STORE_INT64, OPT_INT, "1000", 1, 1e9, NULL, "optimiser steps"),
    FIELD(train_config, batch_size, STORE_INT, OPT_INT, "32", 1, 65536, NULL,
          "examples per step"),
    FIELD(train_config, lr, STORE_DOUBLE, OPT_FLOAT, "1e-3", 0, 1e12, "(]",
          "peak learning rate, reached at the end of warmup"),
    FIELD(train_config, beta1, STORE_DOUBLE, OPT_FLOAT, "0.9", 0, 1, "[)", "AdamW beta1"),
    FIELD(train_config, beta2, STORE_DOUBLE, OPT_FLOAT, "0.98", 0, 1, "[)", "AdamW beta2"),
    FIELD(train_config, eps, STORE_DOUBLE, OPT_FLOAT, "1e-9", 0, 1, "(]", "AdamW epsilon"),
    FIELD(train_config, warmup, STORE_INT64, OPT_INT, "0", 0, 1e9, NULL,
          "steps of linear warmup"),
    FIELD(train_config, schedule, STORE_CHOICE, OPT_STRING, "cosine", 0, 0,
          "constant|linear|cosine|rsqrt", "learning-rate decay after warmup"),
    FIELD(train_config, weight_decay, STORE_DOUBLE, OPT_FLOAT, "0", 0, 10, NULL,
          "decoupled weight decay on weight matrices and embeddings"),
    FIELD(train_config, grad_clip, STORE_DOUBLE, OPT_FLOAT, "1", 0, 1e6, NULL,
          "global gradient-norm clip; 0 = off"),
    FIELD(train_config, eval_every, STORE_INT64, OPT_INT, "0", 0, 1e9, NULL,
          "steps between validation evaluations; 0 = only at the end"),
    FIELD(train_config, log_every, STORE_INT64, OPT_INT, "10", 1, 1e9, NULL,
          "steps between metric rows"),
    UNHASHED(train_config, seed, STORE_UINT64, OPT_INT, "0", 0, SEED_MAX,
             "initial weights, data order and dropout"),
    UNHASHED(train_config, threads, STORE_INT, OPT_INT, "0", 0, 256,
             "threads; 0 = every online core"),
};

#define SECTION_OF(path, table) {path, table, (int)(sizeof table / sizeof table[0])}
const config_section config_top_section = SECTION_OF("", top_fields);
const config_section config_task_section = SECTION_OF("task", task_fields);
const config_section config_model_section = SECTION_OF("model", model_fields);
const config_section config_attention_section = SECTION_OF("model.attention", attention_fields);
const config_section config_train_section = SECTION_OF("train", train_fields);

const config_field *config_field_find(const config_section *section, const char *name) {
    for (int i = 0; i < section->n_fields; i++)
        if (strcmp(section->fields[i].spec.name, name) == 0) return &section->fields[i];
    return NULL;
}

/* Index of name among the '|'-separated choices, or -1. */
static int choice_index(const char *choices, const char *name) {
    size_t length = strlen(name);
    int index = 0;
    for (const char *p = choices;; index++) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == length && strncmp(p, name, n) == 0) return index;
        if (!bar) return -1;
        p = bar + 1;
    }
}

static void append_choice(strbuf *out, const char *choices, int index) {
    const char *p = choices;
    for (int i = 0; i < index; i++) {
        p = strchr(p, '|');
        CHECK(p != NULL);
        p++;
    }
    const char *bar = strchr(p, '|');
    size_t n = bar ? (size_t)(bar - p) : strlen(p);
    strbuf_append(out, "\"");
    strbuf_append_n(out, p, n);
    strbuf_append(out, "\"");
}

void config_field_store(const config_field *field, void *base, const opt_value *value) {
    char *at = (char *)base + field->offset;
    switch (field->store) {
    case STORE_INT: {
        int v = (int)value->i;
        CHECK(field->size == sizeof v);
        memcpy(at, &v, sizeof v);
        return;
    }
    case STORE_INT64:
        CHECK(field->size == sizeof value->i);
        memcpy(at, &value->i, sizeof value->i);
        return;
    case STORE_UINT64: {
        uint64_t v = (uint64_t)value->i;
        CHECK(field->size == sizeof v && value->i >= 0);
        memcpy(at, &v, sizeof v);
        return;
    }
    case STORE_DOUBLE:
        CHECK(field->size == sizeof value->f);
        memcpy(at, &value->f, sizeof value->f);
        return;
    case STORE_CHOICE: {
        int v = choice_index(field->spec.choices, value->s);
        CHECK(field->size == sizeof v && v >= 0);
        memcpy(at, &v, sizeof v);
        return;
    }
    case STORE_BOOL:
        CHECK(field->size == sizeof value->b);
        memcpy(at, &value->b, sizeof value->b);
        return;
    case STORE_TEXT: {
        size_t length = strlen(value->s);
        CHECK(length < field->size);
        memcpy(at, value->s, length + 1);
        return;
    }
    case STORE_NONE: break;
    }
    CHECK(!"storing into a section");
}

void config_field_to_json(const config_field *field, const void *base, strbuf *out) {
    const char *at = (const char *)base + field->offset;
    switch (field->store) {
    case STORE_INT: {
        int v;
        memcpy(&v, at, sizeof v);
        strbuf_printf(out, "%d", v);
        return;
    }
    case STORE_INT64: {
        int64_t v;
        memcpy(&v, at, sizeof v);
        strbuf_printf(out, "%" PRId64, v);
        return;
    }
    case STORE_UINT64: {
        uint64_t v;
        memcpy(&v, at, sizeof v);
        strbuf_printf(out, "%" PRIu64, v);
        return;
    }
    case STORE_DOUBLE: {
        double v;
        memcpy(&v, at, sizeof v);
        strbuf_append_json_number(out, v);
        return;
    }
    case STORE_CHOICE: {
        int v;
        memcpy(&v, at, sizeof v);
        append_choice(out, field->spec.choices, v);
        return;
    }
    case STORE_BOOL: {
        bool v;
        memcpy(&v, at, sizeof v);
        strbuf_printf(out, "%s", v ? "true" : "false");
        return;
    }
    case STORE_TEXT: strbuf_append_json_string(out, at); return;
    case STORE_NONE: break;
    }
    CHECK(!"a section has no single value");
}

static const char *const pooling_names[] = {"cls", "mean"};
static const char *const positional_names[] = {"none", "sinusoidal", "learned", "rope", "alibi", "t5", "relative"};
static const char *const schedule_names[] = {"constant", "linear", "cosine", "rsqrt"};

const char *config_pooling_name(enum pooling pooling) {
    CHECK((unsigned)pooling < sizeof pooling_names / sizeof pooling_names[0]);
    return pooling_names[pooling];
}

const char *config_positional_name(enum positional_kind positional) {
    CHECK((unsigned)positional < sizeof positional_names / sizeof positional_names[0]);
    return positional_names[positional];
}

const char *config_schedule_name(enum lr_schedule schedule) {
    CHECK((unsigned)schedule < sizeof schedule_names / sizeof schedule_names[0]);
    return schedule_names[schedule];
}

void config_field_derive(const config_section *section, const config_field *field, void *base) {
    const config_field *from = config_field_find(section, field->default_from);
    CHECK(from != NULL && from->store == field->store && from->size == field->size);
    memmove((char *)base + field->offset, (const char *)base + from->offset, field->size);
}

void config_section_defaults(const config_section *section, void *base) {
    for (int i = 0; i < section->n_fields; i++) {
        const config_field *field = &section->fields[i];
        if (field->store == STORE_NONE || field->registry || !field->spec.default_value) continue;
        opt_value value;
        error_info err = {0};
        CHECK(opt_parse_scalar(&value, &field->spec, field->spec.default_value, &err) == 0);
        config_field_store(field, base, &value);
    }
}
