/* task_checks.c — golden hashes, purity and disjoint splits for task generator tests
 * (task_checks.h). */
#include "task_checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testing.h"

enum { GOLDEN_EXAMPLES = 16, PURITY_EXAMPLES = 8, PURITY_INDEX = 1000 };

void task_defaults(opt_set *set, const char *name) {
    const task_ops *ops = task_find(name);
    if (!test_check(ops != NULL, "task is registered", "no task %s", name)) abort();
    opt_set_defaults(set, ops->options, ops->n_options);
}

opt_value *task_option(opt_set *set, const char *name) {
    for (int i = 0; i < set->n; i++)
        if (strcmp(set->values[i].spec->name, name) == 0) return &set->values[i];
    test_check(false, "option exists", "no option %s", name);
    abort();
}

int task_under_test_init(task_under_test *t, const char *name, const opt_set *set, error_info *err) {
    t->ops = task_find(name);
    t->state = NULL;
    if (!test_check(t->ops != NULL, "task is registered", "no task %s", name)) abort();
    return t->ops->init(&t->state, set, &t->info, err);
}

void task_under_test_free(task_under_test *t) {
    if (t->state) t->ops->free(t->state);
    t->state = NULL;
}

int task_under_test_example(const task_under_test *t, uint64_t seed, enum task_split split, int64_t index,
                            example *ex) {
    example_request request = {.seed = seed, .split = split, .index = index, .length = 0};
    error_info err = {0};
    int rc = t->ops->example(t->state, &request, ex, &err);
    if (rc != 0) test_check(false, "example generated", "%s", err.message);
    return rc;
}

static void hash_int32(sha256 *h, int32_t value) {
    uint32_t u = (uint32_t)value;
    uint8_t bytes[4] = {(uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16), (uint8_t)(u >> 24)};
    sha256_update(h, bytes, 4);
}

void task_hash_example(sha256 *h, const example *ex) {
    hash_int32(h, ex->length);
    for (int t = 0; t < ex->length; t++) hash_int32(h, ex->tokens[t]);
    if (ex->tokens2) {
        hash_int32(h, ex->length2);
        for (int t = 0; t < ex->length2; t++) hash_int32(h, ex->tokens2[t]);
    }
    for (int k = 0; k < ex->n_outputs; k++) hash_int32(h, ex->targets[k]);
}

bool task_same_example(const example *a, const example *b) {
    if (a->length != b->length || a->n_outputs != b->n_outputs ||
        memcmp(a->targets, b->targets, (size_t)a->n_outputs * sizeof *a->targets) != 0 ||
        memcmp(a->tokens, b->tokens, (size_t)a->length * sizeof *a->tokens) != 0)
        return false;
    if (!a->tokens2) return true;
    return a->length2 == b->length2 && memcmp(a->tokens2, b->tokens2, (size_t)a->length2 * sizeof *a->tokens2) == 0;
}

void task_check_golden(const task_under_test *t, const char *const golden[3]) {
    example ex;
    example_alloc(&ex, &t->info);
    for (int split = 0; split < 3; split++) {
        sha256 h;
        sha256_init(&h);
        for (int i = 0; i < GOLDEN_EXAMPLES; i++) {
            if (task_under_test_example(t, 0, (enum task_split)split, i, &ex) != 0) break;
            task_hash_example(&h, &ex);
        }
        char hex[65], what[300];
        sha256_final_hex(&h, hex);
        snprintf(what, sizeof what, "golden %s %s: expected %s, got %s", t->ops->name,
                 task_split_name((enum task_split)split), golden[split], hex);
        test_check(strcmp(hex, golden[split]) == 0, what, "hash differs");
    }
    example_free(&ex);
}

void task_check_purity(const task_under_test *t) {
    enum { N = PURITY_EXAMPLES };
    example first[N], again, other;
    for (int i = 0; i < N; i++) example_alloc(&first[i], &t->info);
    example_alloc(&again, &t->info);
    example_alloc(&other, &t->info);
    for (int i = 0; i < N; i++) task_under_test_example(t, 3, SPLIT_EVAL, PURITY_INDEX + i, &first[i]);
    int differ = 0, same_split = 0, same_seed = 0;
    for (int i = N - 1; i >= 0; i--) { /* out of order, with other draws in between */
        task_under_test_example(t, 3, SPLIT_TEST, i, &other);
        task_under_test_example(t, 3, SPLIT_EVAL, PURITY_INDEX + i, &again);
        differ += !task_same_example(&first[i], &again);
        task_under_test_example(t, 3, SPLIT_TRAIN, PURITY_INDEX + i, &other);
        same_split += task_same_example(&first[i], &other);
        task_under_test_example(t, 4, SPLIT_EVAL, PURITY_INDEX + i, &other);
        same_seed += task_same_example(&first[i], &other);
    }
    char what[200];
    snprintf(what, sizeof what, "%s: %d examples regenerated out of order are identical (%d differ)", t->ops->name,
             N, differ);
    test_check(differ == 0, what, "%d differ", differ);
    snprintf(what, sizeof what, "%s: eval and train examples at the same index differ (%d of %d equal)",
             t->ops->name, same_split, N);
    test_check(same_split == 0, what, "%d equal", same_split);
    snprintf(what, sizeof what, "%s: seeds 3 and 4 give different examples (%d of %d equal)", t->ops->name,
             same_seed, N);
    test_check(same_seed == 0, what, "%d equal", same_seed);
    for (int i = 0; i < N; i++) example_free(&first[i]);
    example_free(&again);
    example_free(&other);
}

typedef struct keyed {
    char digest[65];
    int split;
} keyed;

static int compare_keyed(const void *a, const void *b) {
    return strcmp(((const keyed *)a)->digest, ((const keyed *)b)->digest);
}

void task_check_disjoint(const task_under_test *t, int per_split) {
    keyed *all = calloc((size_t)3 * per_split, sizeof *all);
    if (!all) abort();
    example ex;
    example_alloc(&ex, &t->info);
    for (int split = 0; split < 3; split++)
        for (int i = 0; i < per_split; i++) {
            task_under_test_example(t, 0, (enum task_split)split, i, &ex);
            sha256 h;
            sha256_init(&h);
            task_hash_example(&h, &ex);
            keyed *k = &all[split * per_split + i];
            sha256_final_hex(&h, k->digest);
            k->split = split;
        }
    qsort(all, (size_t)3 * per_split, sizeof all[0], compare_keyed);
    int across = 0, within = 0;
    for (int i = 1; i < 3 * per_split; i++)
        if (strcmp(all[i].digest, all[i - 1].digest) == 0) {
            if (all[i].split != all[i - 1].split) across++;
            else within++;
        }
    char what[200];
    snprintf(what, sizeof what, "%s: the first %d examples of train, eval and test: %d shared across splits, %d repeats",
             t->ops->name, per_split, across, within);
    test_check(across == 0 && within == 0, what, "duplicates");
    example_free(&ex);
    free(all);
}
