/* retrieval.h — LRA Retrieval (byte-level document matching): token ids and the hidden
 * structure behind a generated pair.
 *
 * The structure is exposed so that tests can check documents against the sources they
 * were written from, and build documents from hand-made sources. */
#ifndef ATTNBENCH_RETRIEVAL_H
#define ATTNBENCH_RETRIEVAL_H

#include <stdint.h>

#include "core/rng.h"
#include "tasks/task.h"

enum {
    RETRIEVAL_PAD = 0,
    RETRIEVAL_CLS = 1,
    RETRIEVAL_BYTE0 = 2, /* byte b is id b + 2 */
    RETRIEVAL_VOCAB = 258
};

/* Most key terms per source (the `terms` option). */
enum { RETRIEVAL_TERMS_MAX = 64 };

/* What an example is drawn from: its label and the sources (pool indices of key terms)
 * of its two documents. Label 1: source1 == source2; label 0: they share at most
 * `overlap` terms. */
typedef struct retrieval_pair {
    int label;
    int n_terms;
    int32_t source1[RETRIEVAL_TERMS_MAX];
    int32_t source2[RETRIEVAL_TERMS_MAX];
} retrieval_pair;

/* The label and sources of the generated example named by request (state from the
 * task's init, generating). */
void retrieval_draw_pair(const void *state, const example_request *request, retrieval_pair *out);

/* Write one document of `source` (n_terms pool indices, as the `terms` option says)
 * into tokens (max_length ids, padded), drawing from r; returns its length. */
int retrieval_write_document(const void *state, rng *r, const int32_t *source, int32_t *tokens);

/* The pool index of the key term spelled by word[0, length), or -1. */
int retrieval_term_index(const void *state, const char *word, int length);
/* Pool term `index` as text. */
const char *retrieval_term(const void *state, int index);

#endif
