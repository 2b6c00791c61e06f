/* listops.c — LRA ListOps: nested MIN / MAX / MED / SM expressions over digits.
 *
 * The generator follows lra_benchmarks/data/listops.py: generate_tree(depth=1,
 * max_depth, max_args) draws r ~ U(0,1) below max_depth and makes a leaf digit when
 * r > 0.25, otherwise an operator with randint(2, max_args) children sampled
 * recursively, the operator itself drawn after its children; at max_depth it always
 * makes a leaf. The length counts 1 per digit and 2 per operator (its opening token
 * and `]`), which is the number of tokens, and a tree is kept only when
 * min_length < length < max_length. Example i of split s draws trees from the stream
 * rng_key(seed, s, i, 0) until one is kept, so it is a pure function of (seed, s, i).
 *
 * A tree is abandoned as soon as its running length reaches max_length: it would be
 * rejected anyway, every attempt uses fresh randomness, so the distribution of kept
 * trees is unchanged, and a depth-10 tree could otherwise grow very large.
 *
 * The original put samples into a Python set to drop duplicates; here examples are
 * independent draws, and above 500 tokens a duplicate is vanishingly unlikely.
 * A requested length (length-generalisation protocol) is ignored: the lengths come
 * from the filter. The label is computed while the tree is built, from a histogram of
 * each operator's argument values, independently of listops_evaluate, so tests can
 * check one against the other.
 *
 * With `data_dir` set, the examples are instead the rows of the released files
 * (listops_data.c), cut at max_length − 1 tokens; the generator options are unused. */
#include "tasks/lra/listops.h"
#include "tasks/lra/listops_data.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/rng.h"
#include "tasks/task.h"

enum { LEAF_DIGITS = 10, N_OPERATORS = 4, DEPTH_MAX = 64 };

/* Draws of trees per example before the options are declared unsatisfiable. */
#define ATTEMPTS_MAX 1000000

static const opt_spec listops_options[] = {
    {"min_length", OPT_INT, "500", 0, 1000000, NULL, "keep expressions longer than this"},
    {"max_length", OPT_INT, "2000", 2, 1000000, NULL, "keep expressions shorter than this"},
    {"max_depth", OPT_INT, "10", 1, DEPTH_MAX, NULL, "deepest nesting of the expression tree"},
    {"max_args", OPT_INT, "10", 2, 64, NULL, "most arguments of one operator"},
    {"data_dir", OPT_STRING, "", 0, 0, NULL,
     "read the released listops-1000/basic_{train,val,test}.tsv from this directory instead of generating"},
};

static const char *const listops_token_names[LISTOPS_VOCAB] = {
    "<pad>", "<cls>", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9",
    "[MIN", "[MAX", "[MED", "[SM", "]",
};

typedef struct listops_state {
    int min_length, max_length, max_depth, max_args;
    listops_data *data; /* the released files, or NULL to generate */
} listops_state;

/* One open operator while a tree is built: where its opening token goes and how many
 * of each digit its finished arguments evaluated to. */
typedef struct open_node {
    int position;
    int args_left;
    int counts[LEAF_DIGITS];
} open_node;

/* The longest tree the depth and arity allow, saturated above any max_length. */
static int64_t longest_tree(int max_depth, int max_args) {
    int64_t length = 1;
    for (int depth = max_depth - 1; depth >= 1; depth--) {
        length = 2 + max_args * length;
        if (length > 10000000) return 10000000;
    }
    return length;
}

static int value_of(int op, const int counts[LEAF_DIGITS]) {
    int n = 0, sum = 0, lo = -1, hi = -1;
    for (int v = 0; v < LEAF_DIGITS; v++) {
        if (!counts[v]) continue;
        if (lo < 0) lo = v;
        hi = v;
        n += counts[v];
        sum += v * counts[v];
    }
    switch (op) {
    case LISTOPS_MIN: return lo;
    case LISTOPS_MAX: return hi;
    case LISTOPS_SM: return sum % 10;
    case LISTOPS_MED: {
        /* values at ranks (n-1)/2 and n/2 of the sorted arguments */
        int below = 0, a = -1, b = -1;
        for (int v = 0; v < LEAF_DIGITS; v++) {
            if (a < 0 && below + counts[v] > (n - 1) / 2) a = v;
            if (b < 0 && below + counts[v] > n / 2) b = v;
            below += counts[v];
        }
        return (a + b) / 2;
    }
    }
    CHECK(!"unknown operator");
    return -1;
}

/* Draw one tree into tokens (room for max_length - 1); return its length, or 0 when
 * it reached max_length and was abandoned. *value receives the label. */
static int sample_tree(const listops_state *s, rng *r, int32_t *tokens, int *value) {
    open_node stack[DEPTH_MAX];
    int top = 0;     /* open operators; the next node is at depth top + 1 */
    int written = 0; /* tokens written so far */
    int length = 0;  /* running length, closing brackets of open operators included */
    for (;;) {
        bool leaf = top + 1 >= s->max_depth || rng_uniform(r) > 0.25;
        if (!leaf) {
            length += 2;
            if (length >= s->max_length) return 0;
            CHECK(top < DEPTH_MAX);
            open_node *node = &stack[top++];
            node->position = written++;
            node->args_left = (int)rng_range(r, 2, s->max_args);
            memset(node->counts, 0, sizeof node->counts);
            continue;
        }
        if (++length >= s->max_length) return 0;
        int v = (int)rng_range(r, 0, LEAF_DIGITS - 1);
        tokens[written++] = LISTOPS_DIGIT0 + v;
        /* close every operator whose last argument this node was */
        while (top > 0) {
            open_node *parent = &stack[top - 1];
            parent->counts[v]++;
            if (--parent->args_left > 0) break;
            int op = LISTOPS_MIN + (int)rng_range(r, 0, N_OPERATORS - 1);
            tokens[parent->position] = op;
            tokens[written++] = LISTOPS_CLOSE;
            v = value_of(op, parent->counts);
            top--;
        }
        if (top == 0) {
            CHECK(written == length);
            *value = v;
            return length;
        }
    }
}

static int listops_init(void **state, const opt_set *options, task_info *info,
                        error_info *err) {
    listops_state s = {
        .min_length = (int)opt_int(options, "min_length"),
        .max_length = (int)opt_int(options, "max_length"),
        .max_depth = (int)opt_int(options, "max_depth"),
        .max_args = (int)opt_int(options, "max_args"),
    };
    const char *data_dir = opt_string(options, "data_dir");
    if (data_dir[0] && listops_data_load(&s.data, data_dir, s.max_length - 1, err) != 0) return -1;
    if (!s.data && s.max_length <= s.min_length + 1)
        return error_set(err, EXIT_USAGE,
                         "task.max_length: must exceed task.min_length + 1 (got %d and %d)",
                         s.max_length, s.min_length);
    int64_t longest = longest_tree(s.max_depth, s.max_args);
    if (!s.data && longest <= s.min_length)
        return error_set(err, EXIT_USAGE,
                         "task.min_length: expressions with task.max_depth %d and "
                         "task.max_args %d have at most %lld tokens (got min_length %d)",
                         s.max_depth, s.max_args, (long long)longest, s.min_length);
    listops_state *copy = malloc(sizeof *copy);
    CHECK(copy != NULL);
    *copy = s;
    *state = copy;
    *info = (task_info){
        .vocab_size = LISTOPS_VOCAB,
        .n_classes = 10,
        .max_length = s.max_length - 1,
        .max_outputs = 1,
        .pad_token = LISTOPS_PAD,
        .cls_token = LISTOPS_CLS,
        .output = TASK_OUTPUT_CLASS,
        .token_names = listops_token_names,
        .version = s.data ? "released-tsv" : "1",
    };
    return 0;
}

static int listops_example(const void *state, const example_request *request, example *out,
                           error_info *err) {
    const listops_state *s = state;
    CHECK(request->index >= 0);
    if (s->data) return listops_data_example(s->data, request->split, request->index, out, err);
    rng r;
    rng_seed(&r, rng_key(request->seed, (uint64_t)request->split, (uint64_t)request->index, 0));
    for (int attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
        int value = 0;
        int length = sample_tree(s, &r, out->tokens, &value);
        if (length <= s->min_length) continue; /* also 0: abandoned at max_length */
        for (int t = length; t < s->max_length - 1; t++) out->tokens[t] = LISTOPS_PAD;
        out->length = length;
        out->length2 = 0;
        out->targets[0] = value;
        out->target_mask[0] = 1;
        out->n_outputs = 1;
        return 0;
    }
    return error_set(err, EXIT_USAGE,
                     "task.min_length: no expression of length in (%d, %d) after %d draws "
                     "with task.max_depth %d and task.max_args %d",
                     s->min_length, s->max_length, ATTEMPTS_MAX, s->max_depth, s->max_args);
}

static void listops_free(void *state) {
    listops_data_free(((listops_state *)state)->data);
    free(state);
}

int listops_evaluate(const int32_t *tokens, int length) {
    if (length <= 0) return -1;
    /* Digits and opening tokens are pushed; `]` reduces the values above the nearest
     * operator into one value that replaces it. */
    int32_t *stack = malloc((size_t)length * sizeof *stack);
    CHECK(stack != NULL);
    int top = 0, result = -1;
    for (int t = 0; t < length; t++) {
        int32_t tok = tokens[t];
        bool is_digit = tok >= LISTOPS_DIGIT0 && tok < LISTOPS_DIGIT0 + LEAF_DIGITS;
        bool is_op = tok >= LISTOPS_MIN && tok <= LISTOPS_SM;
        /* a complete expression must end the sequence */
        if (top == 1 && stack[0] >= LISTOPS_DIGIT0 && stack[0] < LISTOPS_DIGIT0 + LEAF_DIGITS)
            goto out;
        if (is_digit || is_op) {
            stack[top++] = tok;
            continue;
        }
        if (tok != LISTOPS_CLOSE) goto out;
        int start = top;
        while (start > 0 && stack[start - 1] < LISTOPS_MIN) start--;
        if (start == 0 || start == top) goto out; /* no open operator, or no argument */
        int op = stack[start - 1], n = top - start;
        int32_t *args = stack + start;
        for (int i = 1; i < n; i++) { /* insertion sort of the argument tokens */
            int32_t a = args[i];
            int j = i;
            for (; j > 0 && args[j - 1] > a; j--) args[j] = args[j - 1];
            args[j] = a;
        }
        int value = 0;
        if (op == LISTOPS_MIN) value = args[0] - LISTOPS_DIGIT0;
        else if (op == LISTOPS_MAX) value = args[n - 1] - LISTOPS_DIGIT0;
        else if (op == LISTOPS_MED)
            value = (args[(n - 1) / 2] + args[n / 2] - 2 * LISTOPS_DIGIT0) / 2;
        else {
            for (int i = 0; i < n; i++) value += args[i] - LISTOPS_DIGIT0;
            value %= 10;
        }
        top = start - 1;
        stack[top++] = LISTOPS_DIGIT0 + value;
    }
    if (top == 1 && stack[0] >= LISTOPS_DIGIT0 && stack[0] < LISTOPS_DIGIT0 + LEAF_DIGITS)
        result = stack[0] - LISTOPS_DIGIT0;
out:
    free(stack);
    return result;
}

const task_ops lra_listops = {
    .name = "lra/listops",
    .suite = "lra",
    .level = "",
    .order = 1,
    .summary = "LRA ListOps: value (0-9) of a nested MIN/MAX/MED/SM expression",
    .options = listops_options,
    .n_options = (int)(sizeof listops_options / sizeof listops_options[0]),
    .init = listops_init,
    .example = listops_example,
    .free = listops_free,
};
