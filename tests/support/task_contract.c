/* task_contract.c — the checks every registered task gets (see task_contract.h). */
#include "task_contract.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"
#include "testing.h"

enum {
    GARBAGE_A = 0xa5,
    GARBAGE_B = 0x5a,
    GOLDEN_EXAMPLES = 16,
    GOLDEN_LENGTH_EXAMPLES = 4,
    PURITY_EXAMPLES = 8,
    PURITY_INDEX = 1000,
    LENGTH_EXAMPLES = 4,
    TEST_LENGTHS = 12,
    UNREQUESTED_EXAMPLES = 64,
};

static bool fail(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(char *why, size_t size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, size, fmt, ap);
    va_end(ap);
    return false;
}

/* Example (seed, split, index) at a requested length, into buffers first filled with
 * the garbage byte; an error is recorded as a failed check. */
static int draw(const task_under_test *t, uint64_t seed, enum task_split split, int64_t index, int length,
                int garbage, example *ex) {
    const size_t tokens = (size_t)t->info.max_length, outputs = (size_t)t->info.max_outputs;
    memset(ex->tokens, garbage, tokens * sizeof *ex->tokens);
    if (ex->tokens2) memset(ex->tokens2, garbage, tokens * sizeof *ex->tokens2);
    memset(ex->targets, garbage, outputs * sizeof *ex->targets);
    memset(ex->target_mask, garbage, outputs);
    ex->length = ex->length2 = ex->n_outputs = -garbage;
    example_request request = {.seed = seed, .split = split, .index = index, .length = length};
    error_info err = {0};
    const int status = t->ops->example(t->state, &request, ex, &err);
    if (status != 0)
        test_check(false, "example generated", "%s %s %lld at length %d: %s", t->ops->name, task_split_name(split),
                   (long long)index, length, err.message);
    return status;
}

static bool valid_document(const task_info *info, const int32_t *tokens, int length, const char *which, char *why,
                           size_t size) {
    if (length < 1 || length > info->max_length)
        return fail(why, size, "%s length %d outside 1..%d", which, length, info->max_length);
    for (int k = 0; k < length; k++)
        if (tokens[k] < 0 || tokens[k] >= info->vocab_size)
            return fail(why, size, "%s token %d at position %d outside [0, %d)", which, tokens[k], k,
                        info->vocab_size);
    for (int k = length; k < info->max_length; k++)
        if (tokens[k] != info->pad_token)
            return fail(why, size, "%s position %d after the length holds %d, not the pad %d", which, k, tokens[k],
                        info->pad_token);
    return true;
}

/* SEQUENCE: the last n_outputs tokens are one placeholder id, the same in every example
 * (*placeholder, −1 until the first), never the pad and never among the inputs. */
static bool valid_placeholders(const task_info *info, const example *ex, int *placeholder, char *why, size_t size) {
    const int inputs = ex->length - ex->n_outputs;
    if (inputs < 1) return fail(why, size, "%d outputs leave no input in %d tokens", ex->n_outputs, ex->length);
    const int id = ex->tokens[inputs];
    if (*placeholder < 0) *placeholder = id;
    if (id != *placeholder || id == info->pad_token)
        return fail(why, size, "placeholder %d (pad %d; earlier examples used %d)", id, info->pad_token, *placeholder);
    for (int k = 0; k < ex->length; k++)
        if ((ex->tokens[k] == id) != (k >= inputs))
            return fail(why, size, "position %d holds %d: placeholders must fill exactly the last %d positions", k,
                        ex->tokens[k], ex->n_outputs);
    return true;
}

static bool valid_example(const task_info *info, const example *ex, int *placeholder, char *why, size_t size) {
    if (!valid_document(info, ex->tokens, ex->length, "input", why, size)) return false;
    if (info->output == TASK_OUTPUT_PAIR &&
        !valid_document(info, ex->tokens2, ex->length2, "second document", why, size))
        return false;
    if (info->output == TASK_OUTPUT_SEQUENCE) {
        if (ex->n_outputs < 1 || ex->n_outputs > info->max_outputs)
            return fail(why, size, "%d outputs, not in 1..%d", ex->n_outputs, info->max_outputs);
        if (!valid_placeholders(info, ex, placeholder, why, size)) return false;
    } else if (ex->n_outputs != 1) {
        return fail(why, size, "%d outputs, not 1", ex->n_outputs);
    }
    int scored = 0;
    for (int k = 0; k < ex->n_outputs; k++) {
        if (ex->targets[k] < 0 || ex->targets[k] >= info->n_classes)
            return fail(why, size, "target %d of output %d outside [0, %d)", ex->targets[k], k, info->n_classes);
        if (ex->target_mask[k] > 1) return fail(why, size, "mask %d of output %d", ex->target_mask[k], k);
        scored += ex->target_mask[k];
    }
    return scored > 0 || fail(why, size, "no output is scored");
}

bool task_check_info(const task_under_test *t) {
    static const char *const kinds[] = {"class", "sequence", "pair"};
    const task_info *i = &t->info;
    const length_protocol *p = &i->lengths;
    char why[200] = "";
    bool ok = i->vocab_size >= 2 || fail(why, sizeof why, "vocab_size %d", i->vocab_size);
    ok = ok && ((i->pad_token >= 0 && i->pad_token < i->vocab_size && i->cls_token >= 0 &&
                 i->cls_token < i->vocab_size) ||
                fail(why, sizeof why, "pad %d or cls %d outside the vocabulary", i->pad_token, i->cls_token));
    ok = ok && (i->n_classes >= 2 || fail(why, sizeof why, "n_classes %d", i->n_classes));
    ok = ok && (i->max_length >= 1 || fail(why, sizeof why, "max_length %d", i->max_length));
    ok = ok && (((int)i->output >= 0 && (int)i->output <= TASK_OUTPUT_PAIR) ||
                fail(why, sizeof why, "output kind %d", (int)i->output));
    ok = ok && ((i->output == TASK_OUTPUT_SEQUENCE ? i->max_outputs >= 1 : i->max_outputs == 1) ||
                fail(why, sizeof why, "max_outputs %d for a %s output", i->max_outputs, kinds[i->output]));
    for (int k = 0; ok && k < i->vocab_size; k++)
        ok = (i->token_names && i->token_names[k]) || fail(why, sizeof why, "token %d has no name", k);
    ok = ok && ((i->version && i->version[0]) || fail(why, sizeof why, "no version"));
    ok = ok && (strcspn(i->version, " \t\n") == strlen(i->version) ||
                fail(why, sizeof why, "version \"%s\" is not one word", i->version));
    if (ok && p->samples_per_length > 0)
        ok = (p->train_min >= 1 && p->train_min <= p->train_max && p->test_min >= 1 && p->test_min <= p->test_max &&
              p->test_stride >= 1 && p->train_max_tokens >= p->train_max && p->train_max_tokens <= i->max_length) ||
             fail(why, sizeof why, "length protocol train %d..%d (%d tokens), test %d..%d stride %d, max_length %d",
                  p->train_min, p->train_max, p->train_max_tokens, p->test_min, p->test_max, p->test_stride,
                  i->max_length);
    char what[300];
    snprintf(what, sizeof what, "%s: vocab %d, classes %d, max_length %d, max_outputs %d, %s output, version %s",
             t->ops->name, i->vocab_size, i->n_classes, i->max_length, i->max_outputs,
             ok ? kinds[i->output] : "?", ok ? i->version : "?");
    return test_check(ok, what, "%s", why);
}

void task_check_examples(const task_under_test *t, int length, int per_split) {
    example ex;
    example_alloc(&ex, &t->info);
    bool *seen = calloc((size_t)t->info.n_classes, sizeof *seen);
    if (!seen) abort();
    int bad = 0, classes = 0, placeholder = -1;
    char first[300] = "", why[200];
    for (int split = 0; split < 3; split++)
        for (int i = 0; i < per_split; i++) {
            if (draw(t, 0, (enum task_split)split, i, length, GARBAGE_A, &ex) != 0) goto out;
            if (!valid_example(&t->info, &ex, &placeholder, why, sizeof why)) {
                if (bad++ == 0)
                    snprintf(first, sizeof first, "%s %d: %s", task_split_name((enum task_split)split), i, why);
                continue;
            }
            for (int k = 0; k < ex.n_outputs; k++) {
                classes += !seen[ex.targets[k]];
                seen[ex.targets[k]] = true;
            }
        }
    char what[300];
    snprintf(what, sizeof what, "%s: the first %d examples of each split (length %d) are in bounds and of their kind",
             t->ops->name, per_split, length);
    if (test_check(bad == 0, what, "%d bad, first %s", bad, first)) {
        snprintf(what, sizeof what, "%s: targets take %d of %d classes", t->ops->name, classes, t->info.n_classes);
        test_check(classes >= 2, what, "a task whose targets never vary");
    }
out:
    free(seen);
    example_free(&ex);
}

static bool same_example(const task_info *info, const example *a, const example *b) {
    if (a->length != b->length || a->n_outputs != b->n_outputs) return false;
    const size_t tokens = (size_t)info->max_length * sizeof(int32_t);
    if (memcmp(a->tokens, b->tokens, tokens) != 0) return false;
    if (a->tokens2 && (a->length2 != b->length2 || memcmp(a->tokens2, b->tokens2, tokens) != 0)) return false;
    const int n = a->n_outputs < 0 ? 0 : a->n_outputs < info->max_outputs ? a->n_outputs : info->max_outputs;
    const size_t outputs = (size_t)n;
    return memcmp(a->targets, b->targets, outputs * sizeof *a->targets) == 0 &&
           memcmp(a->target_mask, b->target_mask, outputs) == 0;
}

void task_check_purity(const task_under_test *t, int length) {
    enum { N = PURITY_EXAMPLES };
    example first[N], again, other;
    for (int i = 0; i < N; i++) example_alloc(&first[i], &t->info);
    example_alloc(&again, &t->info);
    example_alloc(&other, &t->info);
    int differ = 0, same_split = 0, same_seed = 0;
    for (int i = 0; i < N; i++) draw(t, 3, SPLIT_EVAL, PURITY_INDEX + i, length, GARBAGE_A, &first[i]);
    for (int i = N - 1; i >= 0; i--) { /* out of order, with other draws in between */
        draw(t, 3, SPLIT_TEST, i, length, GARBAGE_A, &other);
        draw(t, 3, SPLIT_EVAL, PURITY_INDEX + i, length, GARBAGE_B, &again);
        differ += !same_example(&t->info, &first[i], &again);
        draw(t, 3, SPLIT_TRAIN, PURITY_INDEX + i, length, GARBAGE_A, &other);
        same_split += same_example(&t->info, &first[i], &other);
        draw(t, 4, SPLIT_EVAL, PURITY_INDEX + i, length, GARBAGE_A, &other);
        same_seed += same_example(&t->info, &first[i], &other);
    }
    char what[200];
    snprintf(what, sizeof what, "%s: %d examples (length %d) regenerated out of order are identical (%d differ)",
             t->ops->name, N, length, differ);
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

static void hash_int32(sha256 *h, int32_t value) {
    const uint32_t u = (uint32_t)value;
    const uint8_t bytes[4] = {(uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16), (uint8_t)(u >> 24)};
    sha256_update(h, bytes, 4);
}

static void hash_example(sha256 *h, const example *ex) {
    hash_int32(h, ex->length);
    for (int k = 0; k < ex->length; k++) hash_int32(h, ex->tokens[k]);
    if (ex->tokens2) {
        hash_int32(h, ex->length2);
        for (int k = 0; k < ex->length2; k++) hash_int32(h, ex->tokens2[k]);
    }
    for (int k = 0; k < ex->n_outputs; k++) {
        hash_int32(h, ex->targets[k]);
        hash_int32(h, ex->target_mask[k]);
    }
}

typedef struct keyed {
    char digest[65];
    int split;
} keyed;

static int compare_keyed(const void *a, const void *b) {
    return strcmp(((const keyed *)a)->digest, ((const keyed *)b)->digest);
}

void task_check_disjoint(const task_under_test *t, int length, int per_split) {
    keyed *all = calloc((size_t)3 * per_split, sizeof *all);
    if (!all) abort();
    example ex;
    example_alloc(&ex, &t->info);
    for (int split = 0; split < 3; split++)
        for (int i = 0; i < per_split; i++) {
            keyed *k = &all[split * per_split + i];
            k->split = split;
            if (draw(t, 0, (enum task_split)split, i, length, GARBAGE_A, &ex) != 0) continue;
            sha256 h;
            sha256_init(&h);
            hash_example(&h, &ex);
            sha256_final_hex(&h, k->digest);
        }
    qsort(all, (size_t)3 * per_split, sizeof all[0], compare_keyed);
    int across = 0, within = 0;
    for (int i = 1; i < 3 * per_split; i++)
        if (strcmp(all[i].digest, all[i - 1].digest) == 0) {
            if (all[i].split != all[i - 1].split) across++;
            else within++;
        }
    char what[200];
    snprintf(what, sizeof what,
             "%s: the first %d examples (length %d) of train, eval and test: %d shared across splits, %d repeats",
             t->ops->name, per_split, length, across, within);
    test_check(across == 0 && within == 0, what, "duplicates");
    example_free(&ex);
    free(all);
}

/* Examples of every split at requested length n: valid, the same number *m of input
 * symbols for all, within [low, n], and training ones within train_max_tokens. */
static bool check_length(const task_under_test *t, int n, int low, bool training, example *ex, int *placeholder,
                         int *m, char *why, size_t size) {
    const length_protocol *p = &t->info.lengths;
    *m = -1;
    for (int split = 0; split < 3; split++)
        for (int i = 0; i < LENGTH_EXAMPLES; i++) {
            if (draw(t, 0, (enum task_split)split, i, n, GARBAGE_A, ex) != 0)
                return fail(why, size, "no example at length %d", n);
            if (!valid_example(&t->info, ex, placeholder, why, size)) return false;
            const int symbols = ex->length - (t->info.output == TASK_OUTPUT_SEQUENCE ? ex->n_outputs : 0);
            if (*m < 0) *m = symbols;
            if (symbols != *m || symbols < low || symbols > n)
                return fail(why, size, "length %d: %d input symbols (%s %d), expected %d..%d and the same for all",
                            n, symbols, task_split_name((enum task_split)split), i, low, n);
            if (training && ex->length > p->train_max_tokens)
                return fail(why, size, "training length %d: %d tokens, more than train_max_tokens %d", n, ex->length,
                            p->train_max_tokens);
        }
    return true;
}

void task_check_lengths(const task_under_test *t) {
    const length_protocol *p = &t->info.lengths;
    example ex;
    example_alloc(&ex, &t->info);
    char why[300] = "";
    int placeholder = -1, exact = 0, tried = 0, m = 1;
    bool ok = true;
    for (int n = p->train_min; n <= p->train_max && ok; n++, tried++) {
        ok = check_length(t, n, m, true, &ex, &placeholder, &m, why, sizeof why);
        exact += m == n;
    }
    /* count test lengths spread evenly from test_min to the last one of the stride */
    const int steps = (p->test_max - p->test_min) / p->test_stride;
    const int count = steps + 1 < TEST_LENGTHS ? steps + 1 : TEST_LENGTHS;
    m = 1;
    for (int j = 0; j < count && ok; j++, tried++) {
        const int n = p->test_min + (count > 1 ? (int)((int64_t)j * steps / (count - 1)) : 0) * p->test_stride;
        ok = check_length(t, n, m, false, &ex, &placeholder, &m, why, sizeof why);
        exact += m == n;
    }
    for (int i = 0; i < UNREQUESTED_EXAMPLES && ok; i++) {
        ok = draw(t, 0, SPLIT_TRAIN, i, 0, GARBAGE_A, &ex) == 0;
        if (ok && ex.length > p->train_max_tokens)
            ok = fail(why, sizeof why, "train %d drawn without a length: %d tokens, more than train_max_tokens %d", i,
                      ex.length, p->train_max_tokens);
    }
    char what[300];
    snprintf(what, sizeof what,
             "%s: lengths %d..%d and %d of %d..%d: input symbols fixed by the requested length, never more, never "
             "fewer than at a shorter one (%d of %d lengths exact)",
             t->ops->name, p->train_min, p->train_max, count, p->test_min, p->test_max, exact, tried);
    test_check(ok, what, "%s", why);
    example_free(&ex);
}

void task_golden_hash(const task_under_test *t, char hex[65]) {
    example ex;
    example_alloc(&ex, &t->info);
    sha256 h;
    sha256_init(&h);
    for (int split = 0; split < 3; split++)
        for (int i = 0; i < GOLDEN_EXAMPLES; i++)
            if (draw(t, 0, (enum task_split)split, i, 0, GARBAGE_A, &ex) == 0) hash_example(&h, &ex);
    const length_protocol *p = &t->info.lengths;
    const int lengths[2] = {p->test_min, p->test_max};
    for (int k = 0; p->samples_per_length > 0 && k < 2; k++)
        for (int i = 0; i < GOLDEN_LENGTH_EXAMPLES; i++)
            if (draw(t, 0, SPLIT_TEST, i, lengths[k], GARBAGE_A, &ex) == 0) hash_example(&h, &ex);
    sha256_final_hex(&h, hex);
    example_free(&ex);
}
