/* text.c — LRA byte-level Text classification: review-like documents whose label is
 * the balance of sentiment words scattered over the whole document.
 *
 * LRA classifies IMDb reviews from their UTF-8 bytes (max_length 1000 in the repo's
 * config, 4K in the paper). Here a document is English-like prose: sentences of 4–18
 * neutral words (articles, pronouns, film nouns, verbs, adjectives) with a capital
 * at the start, an occasional comma and a full stop, `!` or `?` at the end. Into it go
 * `sentiment_words` words from fixed positive and negative lists (the first
 * `lexicon_size` of each), at a uniformly random k-subset of the word positions,
 * with #positive − #negative = +margin for label 1 and −margin for label 0. Every
 * window of the document holds a few sentiment words whose local majority barely
 * predicts the label (margin is small against sentiment_words), while their count over
 * the whole document decides it exactly: a model has to aggregate evidence from
 * everywhere. At the defaults (1000 bytes, 24
 * words, margin 2) the majority of the sentiment words that a 64-byte window touches
 * is right about 55 % of the time, against 100 % for the whole document
 * (tests/golden/test_text.c measures both). The length and the neutral words carry
 * no information about the label.
 *
 * Example i of split s draws from the stream rng_key(seed, s, i, 0), in this order:
 * the label (uniform in {0, 1}); the document's length budget L, uniform in
 * [ceil(max_length / 2), max_length] bytes; the order of the signs of the sentiment
 * words (Fisher–Yates) and each one's word; then the neutral words with their
 * punctuation until the next one would overrun L minus the bytes of the sentiment
 * words; finally the merge, which puts a sentiment word at position i of the n words
 * with probability (sentiment words left) / (n − i) (selection sampling: a uniform
 * k-subset). Words are separated by one space and the last one ends a sentence (a full
 * stop unless it has `!` or `?`), so the length is at most L and short of it by less
 * than one word. Bytes b are token ids b + 2; a requested length (length-generalisation
 * protocol) is ignored.
 *
 * With `data_dir` set, the examples are instead the released reviews (text_data.c),
 * cut at max_length bytes; the generator options are unused. */
#include "tasks/lra/text.h"
#include "tasks/lra/text_data.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/rng.h"
#include "tasks/task.h"

/* The longest document bounds the neutral-word plan kept on the stack. */
enum { TEXT_LENGTH_MAX = 16384, SENTIMENT_WORDS_MAX = 1024 };
enum { LEXICON_SIZE_MAX = 12 }; /* words in each sentiment list */
enum { SENTENCE_WORDS_MIN = 4, SENTENCE_WORDS_MAX = 18 };
#define FUNCTION_WORD_SHARE 0.45
#define COMMA_PROBABILITY 0.07

static const opt_spec text_options[] = {
    {"max_length", OPT_INT, "1000", 16, TEXT_LENGTH_MAX, NULL,
     "longest document in bytes (LRA repo 1000, paper 4096); documents fill [max_length/2, max_length]"},
    {"sentiment_words", OPT_INT, "24", 1, SENTIMENT_WORDS_MAX, NULL,
     "positive and negative words per document, at random word positions"},
    {"margin", OPT_INT, "2", 1, SENTIMENT_WORDS_MAX, NULL,
     "#positive - #negative is +margin for label 1, -margin for label 0"},
    {"lexicon_size", OPT_INT, "12", 1, LEXICON_SIZE_MAX, NULL,
     "distinct sentiment words of each polarity (the first of each list); fewer are learnt faster"},
    {"data_dir", OPT_STRING, "", 0, 0, NULL,
     "read IMDb reviews (train/{pos,neg}/*.txt, test/...) or train.tsv, test.tsv [, eval.tsv] "
     "from this directory instead of generating; without eval.tsv the eval split is the test set, as in LRA"},
};

static const char *const positive_words[] = {
    "good", "great", "superb", "wonderful", "brilliant", "excellent",
    "charming", "delightful", "lovely", "gripping", "clever", "beautiful",
};
static const char *const negative_words[] = {
    "bad", "awful", "boring", "dull", "terrible", "weak",
    "poor", "tedious", "bland", "clumsy", "silly", "horrible",
};
static const char *const function_words[] = {
    "the", "a", "an", "and", "of", "to", "in", "is", "it", "that", "this", "was", "as",
    "with", "for", "his", "her", "but", "on", "at", "by", "from", "they", "he", "she",
    "we", "you", "one", "all", "there", "which", "so", "or", "be", "has", "have", "had",
    "were", "are", "not", "its", "their", "who", "about", "into", "than", "then", "just",
    "very", "also", "more", "most", "some", "what", "when", "out", "up", "after", "before",
};
static const char *const content_words[] = {
    "film", "movie", "story", "plot", "actor", "actress", "scene", "director", "camera",
    "music", "script", "character", "ending", "time", "people", "life", "man", "woman",
    "world", "house", "night", "city", "family", "friend", "war", "book", "year", "day",
    "role", "cast", "show", "part", "series", "audience", "minute", "hour", "moment",
    "picture", "screen", "version", "drama", "comedy", "western", "sequel", "budget",
    "studio", "dialogue", "villain", "hero", "town", "street", "car", "dog", "girl", "boy",
    "father", "mother", "brother", "sister", "wife", "husband", "police", "school", "money",
    "watched", "saw", "made", "played", "tells", "takes", "goes", "comes", "seems", "looks",
    "feels", "thought", "knew", "found", "became", "left", "began", "turned", "showed",
    "wrote", "said", "gets", "gives", "tries", "wants", "knows", "lives", "works", "ends",
    "starts", "old", "young", "long", "short", "first", "last", "other", "new", "small",
    "large", "early", "late", "whole", "real", "main", "own", "same", "different", "local",
    "second", "third", "next", "final", "original", "entire", "usual", "american",
    "british", "french", "modern", "simple", "quiet",
};

_Static_assert(sizeof positive_words == sizeof negative_words &&
                   sizeof positive_words / sizeof positive_words[0] == LEXICON_SIZE_MAX,
               "lexicon_size picks the first words of two lists of LEXICON_SIZE_MAX");
_Static_assert(sizeof function_words / sizeof function_words[0] + sizeof content_words / sizeof content_words[0] <= 256,
               "a planned word's index is one byte");

#define LEXICON(list) {(list), (int)(sizeof(list) / sizeof(list)[0])}
const text_lexicon text_positive_words = LEXICON(positive_words);
const text_lexicon text_negative_words = LEXICON(negative_words);
const text_lexicon text_function_words = LEXICON(function_words);
const text_lexicon text_content_words = LEXICON(content_words);

/* Pad, CLS, then every byte: the printable ASCII character itself, `\s` for space and
 * `\xNN` for the rest (backslash included), so no name holds a space, tab or newline. */
static const char *const text_token_names[TEXT_VOCAB] = {
    "<pad>", "<cls>", "\\x00", "\\x01", "\\x02", "\\x03", "\\x04", "\\x05", "\\x06", "\\x07",
    "\\x08", "\\x09", "\\x0A", "\\x0B", "\\x0C", "\\x0D", "\\x0E", "\\x0F", "\\x10", "\\x11",
    "\\x12", "\\x13", "\\x14", "\\x15", "\\x16", "\\x17", "\\x18", "\\x19", "\\x1A", "\\x1B",
    "\\x1C", "\\x1D", "\\x1E", "\\x1F", "\\s", "!", "\"", "#", "$", "%", "&", "'", "(", ")", "*",
    "+", ",", "-", ".", "/", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ":", ";", "<", "=",
    ">", "?", "@", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P",
    "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "[", "\\x5C", "]", "^", "_", "`", "a", "b",
    "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r", "s", "t", "u",
    "v", "w", "x", "y", "z", "{", "|", "}", "~", "\\x7F", "\\x80", "\\x81", "\\x82", "\\x83",
    "\\x84", "\\x85", "\\x86", "\\x87", "\\x88", "\\x89", "\\x8A", "\\x8B", "\\x8C", "\\x8D",
    "\\x8E", "\\x8F", "\\x90", "\\x91", "\\x92", "\\x93", "\\x94", "\\x95", "\\x96", "\\x97",
    "\\x98", "\\x99", "\\x9A", "\\x9B", "\\x9C", "\\x9D", "\\x9E", "\\x9F", "\\xA0", "\\xA1",
    "\\xA2", "\\xA3", "\\xA4", "\\xA5", "\\xA6", "\\xA7", "\\xA8", "\\xA9", "\\xAA", "\\xAB",
    "\\xAC", "\\xAD", "\\xAE", "\\xAF", "\\xB0", "\\xB1", "\\xB2", "\\xB3", "\\xB4", "\\xB5",
    "\\xB6", "\\xB7", "\\xB8", "\\xB9", "\\xBA", "\\xBB", "\\xBC", "\\xBD", "\\xBE", "\\xBF",
    "\\xC0", "\\xC1", "\\xC2", "\\xC3", "\\xC4", "\\xC5", "\\xC6", "\\xC7", "\\xC8", "\\xC9",
    "\\xCA", "\\xCB", "\\xCC", "\\xCD", "\\xCE", "\\xCF", "\\xD0", "\\xD1", "\\xD2", "\\xD3",
    "\\xD4", "\\xD5", "\\xD6", "\\xD7", "\\xD8", "\\xD9", "\\xDA", "\\xDB", "\\xDC", "\\xDD",
    "\\xDE", "\\xDF", "\\xE0", "\\xE1", "\\xE2", "\\xE3", "\\xE4", "\\xE5", "\\xE6", "\\xE7",
    "\\xE8", "\\xE9", "\\xEA", "\\xEB", "\\xEC", "\\xED", "\\xEE", "\\xEF", "\\xF0", "\\xF1",
    "\\xF2", "\\xF3", "\\xF4", "\\xF5", "\\xF6", "\\xF7", "\\xF8", "\\xF9", "\\xFA", "\\xFB",
    "\\xFC", "\\xFD", "\\xFE", "\\xFF",
};

typedef struct text_state {
    int max_length, sentiment_words, margin, lexicon_size;
    text_data *data; /* the released reviews, or NULL to generate */
} text_state;

/* One neutral word of the plan and the punctuation mark after it (0: none); the word
 * is an index into the function words followed by the content words. Two bytes, so a
 * plan for the longest document takes 16 KB of stack. */
typedef struct planned_word {
    uint8_t word;
    char mark;
} planned_word;

/* Writes the document into tokens as ids, word by word. */
typedef struct text_writer {
    int32_t *tokens;
    int length;
    bool sentence_start;
} text_writer;

static void write_byte(text_writer *w, char c) { w->tokens[w->length++] = TEXT_BYTE0 + (uint8_t)c; }

/* A word, capitalised at the start of a sentence, with its mark and the space after it
 * unless it is the last; the last word always ends a sentence. */
static void write_word(text_writer *w, const char *word, char mark, bool last) {
    for (const char *c = word; *c; c++)
        write_byte(w, c == word && w->sentence_start ? (char)(*c - 'a' + 'A') : *c);
    if (last && mark != '!' && mark != '?') mark = '.';
    if (mark) write_byte(w, mark);
    w->sentence_start = mark == '.' || mark == '!' || mark == '?';
    if (!last) write_byte(w, ' ');
}

static int draw_neutral_word(rng *r) {
    if (rng_uniform(r) < FUNCTION_WORD_SHARE) return (int)rng_range(r, 0, text_function_words.n - 1);
    return text_function_words.n + (int)rng_range(r, 0, text_content_words.n - 1);
}

static const char *neutral_word(int index) {
    return index < text_function_words.n ? function_words[index] : content_words[index - text_function_words.n];
}

static char sentence_end_mark(rng *r) {
    const double u = rng_uniform(r);
    return u < 0.05 ? '!' : u < 0.10 ? '?' : '.';
}

/* The longest of the first n words of both sentiment lists, in bytes. */
static int longest_sentiment_word(int n) {
    int longest = 0;
    for (int i = 0; i < n; i++) {
        const int a = (int)strlen(positive_words[i]), b = (int)strlen(negative_words[i]);
        if (a > longest) longest = a;
        if (b > longest) longest = b;
    }
    return longest;
}

static void generate_document(const text_state *s, rng *r, example *out) {
    const int label = (int)rng_range(r, 0, 1);
    const int budget = (int)rng_range(r, (s->max_length + 1) / 2, s->max_length);
    const int k = s->sentiment_words;
    const int positives = label ? (k + s->margin) / 2 : (k - s->margin) / 2;

    const char *sentiment[SENTIMENT_WORDS_MAX];
    bool positive[SENTIMENT_WORDS_MAX];
    for (int i = 0; i < k; i++) positive[i] = i < positives;
    for (int i = k - 1; i > 0; i--) {
        const int j = (int)rng_range(r, 0, i);
        const bool t = positive[i];
        positive[i] = positive[j];
        positive[j] = t;
    }
    int sentiment_bytes = 0;
    for (int i = 0; i < k; i++) {
        const text_lexicon *lexicon = positive[i] ? &text_positive_words : &text_negative_words;
        sentiment[i] = lexicon->words[rng_range(r, 0, s->lexicon_size - 1)];
        sentiment_bytes += (int)strlen(sentiment[i]) + 1;
    }

    /* Each word costs its bytes, its mark and one separator (the last word's full stop
     * stands in for its separator), so the plan's cost bounds the final length. */
    planned_word plan[TEXT_LENGTH_MAX / 2];
    const int neutral_budget = budget - sentiment_bytes;
    int n_neutral = 0, used = 0, sentence_left = (int)rng_range(r, SENTENCE_WORDS_MIN, SENTENCE_WORDS_MAX);
    for (;;) {
        planned_word p = {(uint8_t)draw_neutral_word(r), 0};
        if (--sentence_left == 0) {
            p.mark = sentence_end_mark(r);
            sentence_left = (int)rng_range(r, SENTENCE_WORDS_MIN, SENTENCE_WORDS_MAX);
        } else if (rng_uniform(r) < COMMA_PROBABILITY) {
            p.mark = ',';
        }
        const int cost = (int)strlen(neutral_word(p.word)) + 1 + (p.mark != 0);
        if (used + cost > neutral_budget) break;
        CHECK(n_neutral < TEXT_LENGTH_MAX / 2);
        plan[n_neutral++] = p;
        used += cost;
    }

    text_writer w = {out->tokens, 0, true};
    const int n = n_neutral + k;
    int sentiment_left = k, next_sentiment = 0, next_neutral = 0;
    for (int i = 0; i < n; i++) {
        const bool last = i == n - 1;
        if (sentiment_left > 0 && rng_range(r, 0, n - i - 1) < sentiment_left) {
            write_word(&w, sentiment[next_sentiment++], 0, last);
            sentiment_left--;
        } else {
            const planned_word *p = &plan[next_neutral++];
            write_word(&w, neutral_word(p->word), p->mark, last);
        }
    }
    CHECK(w.length <= budget);
    for (int t = w.length; t < s->max_length; t++) out->tokens[t] = TEXT_PAD;
    out->length = w.length;
    out->length2 = 0;
    out->targets[0] = label;
    out->target_mask[0] = 1;
    out->n_outputs = 1;
}

static int text_init(void **state, const opt_set *options, task_info *info, error_info *err) {
    text_state s = {
        .max_length = (int)opt_int(options, "max_length"),
        .sentiment_words = (int)opt_int(options, "sentiment_words"),
        .margin = (int)opt_int(options, "margin"),
        .lexicon_size = (int)opt_int(options, "lexicon_size"),
    };
    const char *data_dir = opt_string(options, "data_dir");
    if (data_dir[0]) {
        if (text_data_load(&s.data, data_dir, s.max_length, err) != 0) return -1;
    } else {
        if (s.margin > s.sentiment_words)
            return error_set(err, EXIT_USAGE, "task.margin: must be at most task.sentiment_words (got %d and %d)",
                             s.margin, s.sentiment_words);
        if ((s.sentiment_words - s.margin) % 2 != 0)
            return error_set(err, EXIT_USAGE,
                             "task.margin: must have the parity of task.sentiment_words, since #positive - "
                             "#negative = +-margin (got %d and %d)",
                             s.margin, s.sentiment_words);
        const int longest = longest_sentiment_word(s.lexicon_size);
        const int shortest_document = (s.max_length + 1) / 2;
        if (s.sentiment_words * (longest + 1) > shortest_document)
            return error_set(err, EXIT_USAGE,
                             "task.sentiment_words: %d words of up to %d bytes and a space do not fit in the "
                             "shortest document (%d bytes at task.max_length %d)",
                             s.sentiment_words, longest, shortest_document, s.max_length);
    }
    text_state *copy = malloc(sizeof *copy);
    CHECK(copy != NULL);
    *copy = s;
    *state = copy;
    *info = (task_info){
        .vocab_size = TEXT_VOCAB,
        .n_classes = 2,
        .max_length = s.max_length,
        .max_outputs = 1,
        .pad_token = TEXT_PAD,
        .cls_token = TEXT_CLS,
        .output = TASK_OUTPUT_CLASS,
        .token_names = text_token_names,
        .version = s.data ? text_data_version(s.data) : "1",
    };
    return 0;
}

static int text_example(const void *state, const example_request *request, example *out, error_info *err) {
    const text_state *s = state;
    CHECK(request->index >= 0);
    if (s->data) return text_data_example(s->data, request->split, request->index, out, err);
    rng r;
    rng_seed(&r, rng_key(request->seed, (uint64_t)request->split, (uint64_t)request->index, 0));
    generate_document(s, &r, out);
    return 0;
}

static void text_free(void *state) {
    text_data_free(((text_state *)state)->data);
    free(state);
}

const task_ops lra_text = {
    .name = "lra/text",
    .suite = "lra",
    .level = "",
    .order = 2,
    .summary = "LRA Text: byte-level review, label = sign of #positive - #negative sentiment words",
    .options = text_options,
    .n_options = (int)(sizeof text_options / sizeof text_options[0]),
    .init = text_init,
    .example = text_example,
    .free = text_free,
};
