/* text.h — LRA byte-level Text: token ids and the generator's word lists.
 *
 * The word lists are exposed so that tests can recount the sentiment words of a
 * generated document independently of the generator and check that the lists are
 * disjoint and that no neutral word contains a sentiment word. */
#ifndef ATTNBENCH_TEXT_H
#define ATTNBENCH_TEXT_H

enum {
    TEXT_PAD = 0,
    TEXT_CLS = 1,
    TEXT_BYTE0 = 2, /* byte b is id b + 2 */
    TEXT_VOCAB = 258
};

/* A fixed list of lowercase ASCII words. */
typedef struct text_lexicon {
    const char *const *words;
    int n;
} text_lexicon;

extern const text_lexicon text_positive_words; /* label 1 evidence */
extern const text_lexicon text_negative_words; /* label 0 evidence */
extern const text_lexicon text_function_words; /* neutral: articles, pronouns, ... */
extern const text_lexicon text_content_words;  /* neutral: nouns, verbs, adjectives */

#endif
