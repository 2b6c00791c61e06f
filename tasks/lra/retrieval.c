/* retrieval.c — LRA Retrieval: do two byte-level documents share a latent source?
 *
 * The original pairs papers of the ACL Anthology Network and asks whether one cites
 * the other; a two-tower model encodes each document separately, so it must find
 * what identifies a paper's subject in each document and compare the two summaries.
 * The generator keeps that structure with synthetic text:
 *
 * - A pool of `pool_size` key terms: capitalised pseudo-words of 2-3 consonant-vowel
 *   syllables and an optional final consonant ("Kovaren", "Tisu"), distinct, never a
 *   capitalised filler word. The pool is fixed (the same for every seed), and a
 *   smaller pool is a prefix of a larger one.
 * - A source is `terms` distinct pool terms drawn uniformly.
 * - A document of a source has a length L uniform in [ceil(max_length/2), max_length]
 *   bytes. Each source term appears with probability `presence`, then 1..max_repeats
 *   times (uniform); `noise_terms` further distinct terms outside the source appear once
 *   each (terms of unrelated sources). The occurrences, shuffled, are scattered at
 *   uniform offsets through English-like filler: words from a fixed list of common
 *   words of NLP papers (word i of n drawn as floor(n·u²), a rough Zipf law), in
 *   sentences of 5-20 filler words that start capitalised and end with a full stop.
 *   The text stops when the next filler word would overflow L, so a document has L
 *   bytes less at most one word; every term occurrence is whole.
 * - Example i of split s: from the stream rng_key(seed, s, i, 0), the label (uniform
 *   0/1), source A, and for label 0 a source B that keeps r ~ U{0..overlap} terms of A
 *   and draws the rest outside A (a hard negative); then document 1 from A and document
 *   2 from A (label 1) or B (label 0).
 *
 * Since the pool is exchangeable, B is a uniform source on its own, so each document
 * alone has the same distribution under both labels, and the pair's distribution is
 * symmetric in its two documents: only the comparison carries the label. The terms are
 * spread through the whole document, so a model that sees a short window of each sees
 * few of them and is near chance.
 *
 * With `data_dir` set, the examples are instead the rows of the released files
 * (retrieval_data.c); the generator options are then unused. */
#include "tasks/lra/retrieval.h"
#include "tasks/lra/retrieval_data.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/rng.h"
#include "tasks/task.h"

enum {
    TERM_BYTES_MAX = 7, /* 3 syllables and a final consonant */
    REPEATS_MAX = 16,
    NOISE_MAX = 64,
    OCCURRENCES_MAX = RETRIEVAL_TERMS_MAX * REPEATS_MAX + NOISE_MAX,
    POOL_MAX = 100000,
};

/* Every pool is a prefix of the one sequence drawn from this key. */
#define POOL_KEY 0x706f6f6c7465726dULL

static const opt_spec retrieval_options[] = {
    {"max_length", OPT_INT, "4000", 16, 1000000, NULL,
     "bytes per document at most (LRA: 4000); generated lengths are uniform in [max_length/2, max_length]"},
    {"pool_size", OPT_INT, "2000", 2, POOL_MAX, NULL, "key terms in the pool that sources draw from"},
    {"terms", OPT_INT, "8", 1, RETRIEVAL_TERMS_MAX, NULL, "key terms per source"},
    {"overlap", OPT_INT, "4", 0, RETRIEVAL_TERMS_MAX - 1, NULL,
     "a negative pair's sources share a uniform 0..overlap of their terms"},
    {"presence", OPT_FLOAT, "0.9", 0, 1, "(]", "probability that a source term appears in a document"},
    {"max_repeats", OPT_INT, "3", 1, REPEATS_MAX, NULL, "a present term appears 1..max_repeats times"},
    {"noise_terms", OPT_INT, "4", 0, NOISE_MAX, NULL, "terms outside the source that appear once in each document"},
    {"data_dir", OPT_STRING, "", 0, 0, NULL,
     "read the released new_aan_pairs.{train,eval,test}.tsv from this directory instead of generating"},
};

/* Common words of NLP papers, lowercase; the filler between key terms. */
static const char *const filler_words[] = {
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "we", "this", "with", "on", "are", "by",
    "as", "be", "model", "which", "from", "results", "an", "data", "method", "it", "our", "can", "not",
    "language", "each", "task", "these", "two", "show", "using", "system", "based", "set", "training",
    "performance", "at", "or", "more", "has", "approach", "used", "such", "also", "than", "between",
    "word", "table", "paper", "work", "one", "all", "only", "its", "have", "both", "other", "where",
    "first", "when", "text", "features", "given", "number", "different", "into", "were", "been",
    "information", "sentence", "new", "use", "example", "analysis", "most", "section", "however",
    "translation", "corpus", "words", "systems", "methods", "models", "semantic", "parsing",
    "evaluation", "human", "test", "high", "large", "small", "three", "while", "well", "better", "best",
    "baseline", "score", "accuracy", "error", "source", "target", "learning", "rules", "structure",
    "tree", "input", "output", "shown", "figure", "same", "then", "there", "will", "would", "could",
    "may", "some", "many", "time", "because", "since", "they", "their", "them", "previous", "proposed",
    "present", "describe", "corpora", "annotated", "lexical", "syntactic", "grammar", "dependency",
    "feature", "probability", "distribution", "algorithm", "experiments", "improvement", "precision",
    "recall", "measure", "candidate", "context", "document", "documents", "query", "retrieval",
    "english", "speech", "dialogue", "knowledge", "domain", "label", "labels", "phrase", "phrases",
    "statistical", "automatic", "entity", "relation", "relations", "alignment", "decoder", "class",
};
enum { FILLER_COUNT = (int)(sizeof filler_words / sizeof filler_words[0]) };

typedef struct retrieval_state {
    int max_length, pool_size, terms, overlap, max_repeats, noise_terms;
    double presence;
    char (*pool)[TERM_BYTES_MAX + 1]; /* (pool_size) NUL-terminated terms */
    int32_t *slots;                   /* open-addressing table of pool indices, -1 empty */
    uint64_t slot_mask;
    uint8_t filler_lengths[FILLER_COUNT];
    char byte_names[256][5];
    const char *token_names[RETRIEVAL_VOCAB];
    retrieval_data *data; /* the released files, or NULL to generate */
} retrieval_state;

/* ---- the pool of key terms ---- */

static uint64_t word_hash(const char *word, int length) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (int i = 0; i < length; i++) h = (h ^ (uint8_t)word[i]) * 0x100000001b3ULL;
    return rng_mix64(h);
}

int retrieval_term_index(const void *state, const char *word, int length) {
    const retrieval_state *s = state;
    if (length <= 0 || length > TERM_BYTES_MAX) return -1;
    for (uint64_t slot = word_hash(word, length) & s->slot_mask;; slot = (slot + 1) & s->slot_mask) {
        const int32_t index = s->slots[slot];
        if (index < 0) return -1;
        if (strncmp(s->pool[index], word, (size_t)length) == 0 && s->pool[index][length] == '\0') return index;
    }
}

const char *retrieval_term(const void *state, int index) {
    const retrieval_state *s = state;
    CHECK(index >= 0 && index < s->pool_size);
    return s->pool[index];
}

/* A candidate term: 2-3 syllables of consonant and vowel, capitalised, and a final
 * consonant half the time. */
static void draw_term(rng *r, char term[TERM_BYTES_MAX + 1]) {
    static const char onsets[] = "bcdfghjklmnprstvwz", vowels[] = "aeiou", codas[] = "nrslmktx";
    int n = 0;
    const int syllables = (int)rng_range(r, 2, 3);
    for (int i = 0; i < syllables; i++) {
        term[n++] = onsets[rng_range(r, 0, (int)sizeof onsets - 2)];
        term[n++] = vowels[rng_range(r, 0, (int)sizeof vowels - 2)];
    }
    if (rng_range(r, 0, 1)) term[n++] = codas[rng_range(r, 0, (int)sizeof codas - 2)];
    term[n] = '\0';
    term[0] = (char)(term[0] - 'a' + 'A');
}

static bool is_capitalised_filler(const char *term) {
    for (int i = 0; i < FILLER_COUNT; i++)
        if (term[0] == filler_words[i][0] - 'a' + 'A' && strcmp(term + 1, filler_words[i] + 1) == 0) return true;
    return false;
}

static void build_pool(retrieval_state *s) {
    uint64_t slots = 1;
    while (slots < 2 * (uint64_t)s->pool_size) slots *= 2;
    s->slot_mask = slots - 1;
    s->slots = malloc(slots * sizeof *s->slots);
    s->pool = malloc((size_t)s->pool_size * sizeof *s->pool);
    CHECK(s->slots != NULL && s->pool != NULL);
    memset(s->slots, 0xff, slots * sizeof *s->slots);
    rng r;
    rng_seed(&r, POOL_KEY);
    for (int n = 0; n < s->pool_size;) {
        char *term = s->pool[n];
        draw_term(&r, term);
        const int length = (int)strlen(term);
        if (retrieval_term_index(s, term, length) >= 0 || is_capitalised_filler(term)) continue;
        uint64_t slot = word_hash(term, length) & s->slot_mask;
        while (s->slots[slot] >= 0) slot = (slot + 1) & s->slot_mask;
        s->slots[slot] = n++;
    }
}

/* ---- sources ---- */

/* A uniform index of [0, pool_size) outside excluded (ascending, n entries), which it
 * joins, kept ascending. */
static int32_t draw_outside(rng *r, int pool_size, int32_t *excluded, int *n) {
    int32_t t = (int32_t)rng_range(r, 0, pool_size - 1 - *n);
    int at = 0;
    for (; at < *n && excluded[at] <= t; at++) t++;
    memmove(excluded + at + 1, excluded + at, (size_t)(*n - at) * sizeof *excluded);
    excluded[at] = t;
    (*n)++;
    return t;
}

static void draw_pair(const retrieval_state *s, rng *r, retrieval_pair *out) {
    int32_t excluded[2 * RETRIEVAL_TERMS_MAX];
    int n_excluded = 0;
    out->label = (int)rng_range(r, 0, 1);
    out->n_terms = s->terms;
    for (int i = 0; i < s->terms; i++) out->source1[i] = draw_outside(r, s->pool_size, excluded, &n_excluded);
    memcpy(out->source2, out->source1, (size_t)s->terms * sizeof *out->source2);
    if (out->label == 1) return;
    const int shared = (int)rng_range(r, 0, s->overlap);
    for (int i = 0; i < shared; i++) { /* the kept terms: a uniform subset of A, moved to the front */
        const int j = (int)rng_range(r, i, s->terms - 1);
        const int32_t t = out->source2[i];
        out->source2[i] = out->source2[j];
        out->source2[j] = t;
    }
    for (int i = shared; i < s->terms; i++) out->source2[i] = draw_outside(r, s->pool_size, excluded, &n_excluded);
}

void retrieval_draw_pair(const void *state, const example_request *request, retrieval_pair *out) {
    rng r;
    rng_seed(&r, rng_key(request->seed, (uint64_t)request->split, (uint64_t)request->index, 0));
    draw_pair(state, &r, out);
}

/* ---- documents ---- */

static int compare_int32(const void *a, const void *b) {
    const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Writes word (capitalised if asked) after a space unless it starts the document. */
static void put_word(int32_t *tokens, int *position, const char *word, bool capitalise) {
    if (*position > 0) tokens[(*position)++] = RETRIEVAL_BYTE0 + ' ';
    for (int i = 0; word[i]; i++) {
        const char c = i == 0 && capitalise ? (char)(word[i] - 'a' + 'A') : word[i];
        tokens[(*position)++] = RETRIEVAL_BYTE0 + (uint8_t)c;
    }
}

int retrieval_write_document(const void *state, rng *r, const int32_t *source, int32_t *tokens) {
    const retrieval_state *s = state;
    const int target = (int)rng_range(r, (s->max_length + 1) / 2, s->max_length);
    int32_t occurrences[OCCURRENCES_MAX], offsets[OCCURRENCES_MAX];
    int n = 0;
    for (int i = 0; i < s->terms; i++) {
        if (rng_uniform(r) >= s->presence) continue;
        for (int k = (int)rng_range(r, 1, s->max_repeats); k > 0; k--) occurrences[n++] = source[i];
    }
    int32_t excluded[RETRIEVAL_TERMS_MAX + NOISE_MAX];
    int n_excluded = 0;
    for (int i = 0; i < s->terms; i++) excluded[n_excluded++] = source[i];
    qsort(excluded, (size_t)n_excluded, sizeof *excluded, compare_int32);
    for (int i = 0; i < s->noise_terms; i++) occurrences[n++] = draw_outside(r, s->pool_size, excluded, &n_excluded);
    int term_bytes = 0;
    for (int i = n - 1; i >= 0; i--) {
        const int j = (int)rng_range(r, 0, i);
        const int32_t t = occurrences[i];
        occurrences[i] = occurrences[j];
        occurrences[j] = t;
        term_bytes += (int)strlen(s->pool[occurrences[i]]) + 1;
    }
    /* Filler gets the bytes the terms leave; term k goes where the filler reaches offsets[k]. */
    const int filler_budget = target - term_bytes;
    CHECK(filler_budget >= 0);
    for (int i = 0; i < n; i++) offsets[i] = (int32_t)rng_range(r, 0, filler_budget);
    qsort(offsets, (size_t)n, sizeof *offsets, compare_int32);
    int position = 0, filler = 0, k = 0, words_left = (int)rng_range(r, 5, 20);
    bool sentence_start = true;
    for (;;) {
        if (k < n && offsets[k] <= filler) {
            put_word(tokens, &position, s->pool[occurrences[k++]], false);
            continue;
        }
        const double u = rng_uniform(r);
        const int w = (int)(FILLER_COUNT * u * u);
        const bool sentence_end = words_left == 1;
        const int cost = (position > 0) + s->filler_lengths[w] + sentence_end;
        if (filler + cost > filler_budget) break;
        put_word(tokens, &position, filler_words[w], sentence_start);
        if (sentence_end) tokens[position++] = RETRIEVAL_BYTE0 + '.';
        filler += cost;
        sentence_start = sentence_end;
        words_left = sentence_end ? (int)rng_range(r, 5, 20) : words_left - 1;
    }
    while (k < n) put_word(tokens, &position, s->pool[occurrences[k++]], false);
    CHECK(position <= target);
    for (int t = position; t < s->max_length; t++) tokens[t] = RETRIEVAL_PAD;
    return position;
}

/* ---- the task ---- */

static void name_tokens(retrieval_state *s) {
    s->token_names[RETRIEVAL_PAD] = "<pad>";
    s->token_names[RETRIEVAL_CLS] = "<cls>";
    for (int b = 0; b < 256; b++) {
        char *name = s->byte_names[b];
        if (b == ' ') snprintf(name, sizeof s->byte_names[b], "\\s");
        else if (b == '\\') snprintf(name, sizeof s->byte_names[b], "\\\\");
        else if (b > ' ' && b < 0x7f) snprintf(name, sizeof s->byte_names[b], "%c", b);
        else snprintf(name, sizeof s->byte_names[b], "\\x%02x", b);
        s->token_names[RETRIEVAL_BYTE0 + b] = name;
    }
}

/* Checks the generator options against each other. */
static int check_options(const retrieval_state *s, error_info *err) {
    if (s->overlap >= s->terms)
        return error_set(err, EXIT_USAGE, "task.overlap: must be below task.terms (got %d and %d)", s->overlap,
                         s->terms);
    const int pool_needed = s->terms + (s->terms > s->noise_terms ? s->terms : s->noise_terms);
    if (s->pool_size < pool_needed)
        return error_set(err, EXIT_USAGE,
                         "task.pool_size: must be at least task.terms + max(task.terms, task.noise_terms) = %d "
                         "(got %d)",
                         pool_needed, s->pool_size);
    const int term_bytes = (s->terms * s->max_repeats + s->noise_terms) * (TERM_BYTES_MAX + 1);
    if (term_bytes > (s->max_length + 1) / 2)
        return error_set(err, EXIT_USAGE,
                         "task.max_length: %d is too short for task.terms %d × task.max_repeats %d + "
                         "task.noise_terms %d key terms (up to %d bytes in a document of %d)",
                         s->max_length, s->terms, s->max_repeats, s->noise_terms, term_bytes,
                         (s->max_length + 1) / 2);
    return 0;
}

static int retrieval_init(void **state, const opt_set *options, task_info *info, error_info *err) {
    retrieval_state *s = calloc(1, sizeof *s);
    CHECK(s != NULL);
    s->max_length = (int)opt_int(options, "max_length");
    s->pool_size = (int)opt_int(options, "pool_size");
    s->terms = (int)opt_int(options, "terms");
    s->overlap = (int)opt_int(options, "overlap");
    s->presence = opt_float(options, "presence");
    s->max_repeats = (int)opt_int(options, "max_repeats");
    s->noise_terms = (int)opt_int(options, "noise_terms");
    const char *data_dir = opt_string(options, "data_dir");
    int status = data_dir[0] ? retrieval_data_load(&s->data, data_dir, s->max_length, err) : check_options(s, err);
    if (status != 0) {
        free(s);
        return -1;
    }
    if (!s->data) build_pool(s);
    for (int i = 0; i < FILLER_COUNT; i++) s->filler_lengths[i] = (uint8_t)strlen(filler_words[i]);
    name_tokens(s);
    *state = s;
    *info = (task_info){
        .vocab_size = RETRIEVAL_VOCAB,
        .n_classes = 2,
        .max_length = s->max_length,
        .max_outputs = 1,
        .pad_token = RETRIEVAL_PAD,
        .cls_token = RETRIEVAL_CLS,
        .output = TASK_OUTPUT_PAIR,
        .token_names = s->token_names,
        .version = s->data ? "released-tsv" : "1",
    };
    return 0;
}

static int retrieval_example(const void *state, const example_request *request, example *out, error_info *err) {
    const retrieval_state *s = state;
    CHECK(request->index >= 0);
    if (s->data) return retrieval_data_example(s->data, request->split, request->index, out, err);
    rng r;
    rng_seed(&r, rng_key(request->seed, (uint64_t)request->split, (uint64_t)request->index, 0));
    retrieval_pair pair;
    draw_pair(s, &r, &pair);
    out->length = retrieval_write_document(s, &r, pair.source1, out->tokens);
    out->length2 = retrieval_write_document(s, &r, pair.source2, out->tokens2);
    out->targets[0] = pair.label;
    out->target_mask[0] = 1;
    out->n_outputs = 1;
    return 0;
}

static void retrieval_free(void *state) {
    retrieval_state *s = state;
    retrieval_data_free(s->data);
    free(s->pool);
    free(s->slots);
    free(s);
}

const task_ops lra_retrieval = {
    .name = "lra/retrieval",
    .suite = "lra",
    .level = "",
    .order = 3,
    .summary = "LRA Retrieval: do two byte-level documents share a source (citation link)?",
    .options = retrieval_options,
    .n_options = (int)(sizeof retrieval_options / sizeof retrieval_options[0]),
    .init = retrieval_init,
    .example = retrieval_example,
    .free = retrieval_free,
};
