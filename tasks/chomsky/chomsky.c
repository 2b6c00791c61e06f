/* chomsky.c — the task_ops shared by the formal-language tasks (see chomsky.h). */
#include "tasks/chomsky/chomsky.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"

/* Longest input length a protocol may ask for: duplicate_string then needs 3× as many
 * tokens, which full attention can still hold for a batch of one. */
#define LENGTH_MAX 10000

const opt_spec chomsky_options[CHOMSKY_N_OPTIONS] = {
    {"train_lengths", OPT_INT_LIST, "[1, 40]", 1, LENGTH_MAX, NULL,
     "[shortest, longest] input length of training batches (one length per batch, uniform)"},
    {"test_lengths", OPT_INT_LIST, "[41, 500]", 1, LENGTH_MAX, NULL,
     "[shortest, longest] input length evaluated for the score"},
    {"test_length_stride", OPT_INT, "1", 1, LENGTH_MAX, NULL, "evaluate every k-th test length"},
    {"samples_per_length", OPT_INT, "512", 1, 1000000, NULL, "examples evaluated at each length"},
};

/* The readable names of the extra ids after the input symbols. */
#define PLACEHOLDER_NAME "∅"
#define PAD_NAME "<pad>"

typedef struct chomsky_state {
    const chomsky_spec *spec;
    length_protocol lengths;
    int max_length, max_outputs;
    const char **token_names; /* symbols + 2 */
} chomsky_state;

const char *const chomsky_bit_names[2] = {"0", "1"};

int chomsky_sample_bits(rng *r, int n, int32_t *input) {
    for (int i = 0; i < n; i++) input[i] = (int32_t)rng_range(r, 0, 1);
    return n;
}

int chomsky_one_output(int n) {
    (void)n;
    return 1;
}

int chomsky_n_outputs(int n) { return n; }

static int read_range(const opt_set *options, const char *name, int *lo, int *hi, error_info *err) {
    const opt_value *v = opt_get(options, name);
    if (v->n_list != 2 || v->list[0] > v->list[1])
        return error_set(err, EXIT_USAGE, "task.%s: expected [shortest, longest] with shortest ≤ longest", name);
    *lo = (int)v->list[0];
    *hi = (int)v->list[1];
    return 0;
}

int chomsky_init(const chomsky_spec *spec, void **state, const opt_set *options, task_info *info,
                 error_info *err) {
    length_protocol p = {0};
    if (read_range(options, "train_lengths", &p.train_min, &p.train_max, err) != 0) return -1;
    if (read_range(options, "test_lengths", &p.test_min, &p.test_max, err) != 0) return -1;
    p.test_stride = (int)opt_int(options, "test_length_stride");
    p.samples_per_length = (int)opt_int(options, "samples_per_length");
    p.train_max_tokens = p.train_max + spec->output_length(p.train_max);
    const int longest = p.train_max > p.test_max ? p.train_max : p.test_max;

    chomsky_state *s = calloc(1, sizeof *s);
    CHECK(s != NULL);
    s->spec = spec;
    s->lengths = p;
    s->max_outputs = spec->output_length(longest);
    s->max_length = longest + s->max_outputs;
    s->token_names = calloc((size_t)spec->symbols + 2, sizeof *s->token_names);
    CHECK(s->token_names != NULL);
    for (int i = 0; i < spec->symbols; i++) s->token_names[i] = spec->symbol_names[i];
    s->token_names[spec->symbols] = PLACEHOLDER_NAME;
    s->token_names[spec->symbols + 1] = PAD_NAME;

    *info = (task_info){
        .vocab_size = spec->symbols + 2,
        .n_classes = spec->classes,
        .max_length = s->max_length,
        .max_outputs = s->max_outputs,
        .pad_token = spec->symbols + 1,
        .cls_token = spec->symbols + 1, /* sequence outputs never pool */
        .output = TASK_OUTPUT_SEQUENCE,
        .token_names = s->token_names,
        .version = "1",
        .lengths = p,
    };
    *state = s;
    return 0;
}

void chomsky_target_mask(const chomsky_spec *spec, const int32_t *target, int n_outputs, uint8_t *mask) {
    bool ended = false;
    for (int k = 0; k < n_outputs; k++) {
        mask[k] = !ended;
        if (spec->terminated && target[k] == CHOMSKY_END_TOKEN) ended = true;
    }
}

int chomsky_example(const void *state, const example_request *request, example *out, error_info *err) {
    const chomsky_state *s = state;
    const chomsky_spec *spec = s->spec;
    int n = request->length;
    if (n == 0) {
        rng pick;
        rng_seed(&pick, rng_key(request->seed, (uint64_t)request->split, (uint64_t)request->index, 0));
        n = (int)rng_range(&pick, s->lengths.train_min, s->lengths.train_max);
    }
    int n_outputs = spec->output_length(n);
    if (n < 1 || n + n_outputs > s->max_length)
        return error_set(err, EXIT_USAGE, "task: input length %d is outside 1..%d (the longest of train_lengths "
                         "and test_lengths)", n, s->max_length - s->max_outputs);
    rng r;
    rng_seed(&r, rng_key(request->seed, (uint64_t)request->split, (uint64_t)request->index, (uint64_t)n));
    const int symbols = spec->sample(&r, n, out->tokens);
    CHECK(symbols >= 1 && symbols <= n && spec->output_length(symbols) <= n_outputs);
    n = symbols;
    n_outputs = spec->output_length(n);
    spec->solve(out->tokens, n, out->targets);
    for (int k = 0; k < n_outputs; k++) {
        CHECK(out->targets[k] >= 0 && out->targets[k] < spec->classes);
        out->tokens[n + k] = spec->symbols;
    }
    for (int t = n + n_outputs; t < s->max_length; t++) out->tokens[t] = spec->symbols + 1;
    chomsky_target_mask(spec, out->targets, n_outputs, out->target_mask);
    out->length = n + n_outputs;
    out->n_outputs = n_outputs;
    return 0;
}

const chomsky_spec *chomsky_spec_of(const void *state) { return ((const chomsky_state *)state)->spec; }

void chomsky_free(void *state) {
    chomsky_state *s = state;
    if (!s) return;
    free(s->token_names);
    free(s);
}
