/* test_text.c — LRA byte-level Text generator: the word lists, the count rule on a
 * hand-written document, the byte encoding and the look of generated text, labels
 * against an independent recount of the sentiment words, the length bounds, the label
 * distribution, that a 64-byte window predicts the label about as well as chance while
 * the whole document decides it, and init errors; generation time is printed. Purity,
 * disjoint splits and the golden hash: test_task_registry. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/options.h"
#include "core/rng.h"
#include "tasks/lra/text.h"
#include "tasks/task.h"
#include "task_checks.h"
#include "testing.h"

enum { DEFAULT_LENGTH = 1000, DEFAULT_WORDS = 24, DEFAULT_MARGIN = 2, DEFAULT_LEXICON = 12 };

/* A task instance; negative option values keep the default. */
typedef struct instance {
    task_under_test t;
    int sentiment_words, margin, lexicon_size;
} instance;

static int instance_init(instance *in, int max_length, int sentiment_words, int margin, int lexicon_size,
                         error_info *err) {
    opt_set set;
    task_defaults(&set, "lra/text");
    if (max_length >= 0) task_option(&set, "max_length")->i = max_length;
    if (sentiment_words >= 0) task_option(&set, "sentiment_words")->i = sentiment_words;
    if (margin >= 0) task_option(&set, "margin")->i = margin;
    if (lexicon_size >= 0) task_option(&set, "lexicon_size")->i = lexicon_size;
    in->sentiment_words = (int)opt_int(&set, "sentiment_words");
    in->margin = (int)opt_int(&set, "margin");
    in->lexicon_size = (int)opt_int(&set, "lexicon_size");
    return task_under_test_init(&in->t, "lra/text", &set, err);
}

/* ---- an independent recount of the sentiment words ---- */

static bool is_letter(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* Position of word in the lexicon, or -1. */
static int lexicon_index(const text_lexicon *lexicon, const char *word) {
    for (int i = 0; i < lexicon->n; i++)
        if (strcmp(lexicon->words[i], word) == 0) return i;
    return -1;
}

/* Sentiment of text[begin, end) as a run of letters, case-folded: +1, -1 or 0;
 * *index receives the word's position in its list. */
static int word_sentiment(const uint8_t *text, int begin, int end, int *index) {
    char word[64];
    if (end - begin >= (int)sizeof word) return 0;
    for (int i = begin; i < end; i++) word[i - begin] = (char)(text[i] | 0x20);
    word[end - begin] = '\0';
    if ((*index = lexicon_index(&text_positive_words, word)) >= 0) return 1;
    if ((*index = lexicon_index(&text_negative_words, word)) >= 0) return -1;
    return 0;
}

typedef struct tally {
    int positive, negative;
    int last_index; /* highest list position among the sentiment words seen */
} tally;

/* Sentiment words among the runs of letters that overlap [from, to) of text. */
static tally count_sentiment(const uint8_t *text, int length, int from, int to) {
    tally t = {0, 0, -1};
    for (int i = 0; i < length;) {
        if (!is_letter(text[i])) {
            i++;
            continue;
        }
        int end = i;
        while (end < length && is_letter(text[end])) end++;
        if (end > from && i < to) {
            int index = -1;
            const int s = word_sentiment(text, i, end, &index);
            t.positive += s > 0;
            t.negative += s < 0;
            if (s != 0 && index > t.last_index) t.last_index = index;
        }
        i = end;
    }
    return t;
}

/* The example's bytes (tokens - 2); false when a token is not a byte. */
static bool example_bytes(const example *ex, uint8_t *bytes) {
    for (int t = 0; t < ex->length; t++) {
        if (ex->tokens[t] < TEXT_BYTE0 || ex->tokens[t] >= TEXT_VOCAB) return false;
        bytes[t] = (uint8_t)(ex->tokens[t] - TEXT_BYTE0);
    }
    return true;
}

/* ---- checks ---- */

static void check_info(const task_info *info) {
    char what[256];
    snprintf(what, sizeof what,
             "info: vocab %d, classes %d, max_length %d, outputs %d, pad %d, cls %d, class output, version %s",
             info->vocab_size, info->n_classes, info->max_length, info->max_outputs, info->pad_token,
             info->cls_token, info->version);
    test_check(info->vocab_size == 258 && info->n_classes == 2 && info->max_length == DEFAULT_LENGTH &&
                   info->max_outputs == 1 && info->pad_token == 0 && info->cls_token == 1 &&
                   info->output == TASK_OUTPUT_CLASS &&
                   strcmp(info->version, "1") == 0,
               what, "unexpected info");
    int bad = 0;
    for (int v = 0; v < info->vocab_size; v++)
        if (!info->token_names[v][0] || strpbrk(info->token_names[v], " \t\n\r")) bad++;
    snprintf(what, sizeof what, "%d token names are non-empty without space, tab or newline (%d not)",
             info->vocab_size, bad);
    test_check(bad == 0, what, "%d bad", bad);
    static const struct {
        int byte;
        const char *name;
    } names[] = {{'a', "a"}, {'Z', "Z"}, {'.', "."}, {' ', "\\s"}, {'\t', "\\x09"}, {'\n', "\\x0A"},
                 {'\\', "\\x5C"}, {0, "\\x00"}, {0xE9, "\\xE9"}, {0xFF, "\\xFF"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *got = info->token_names[names[i].byte + TEXT_BYTE0];
        snprintf(what, sizeof what, "byte 0x%02X is id %d named \"%s\" (got \"%s\")", names[i].byte,
                 names[i].byte + TEXT_BYTE0, names[i].name, got);
        test_check(strcmp(got, names[i].name) == 0, what, "wrong name");
    }
    test_check(strcmp(info->token_names[0], "<pad>") == 0 && strcmp(info->token_names[1], "<cls>") == 0,
               "ids 0 and 1 are <pad> and <cls>", NULL);
}

static void check_lexicons(void) {
    const text_lexicon *lists[4] = {&text_positive_words, &text_negative_words, &text_function_words,
                                    &text_content_words};
    int not_lowercase = 0, shared = 0, contained = 0;
    for (int a = 0; a < 4; a++)
        for (int i = 0; i < lists[a]->n; i++) {
            const char *w = lists[a]->words[i];
            for (const char *c = w; *c; c++) not_lowercase += *c < 'a' || *c > 'z';
            for (int b = 0; b < 4; b++)
                for (int j = 0; j < lists[b]->n; j++) {
                    if (a == b && i == j) continue;
                    const char *v = lists[b]->words[j];
                    if (strcmp(w, v) == 0) shared++;
                    else if (b < 2 && strstr(w, v)) contained++; /* a sentiment word inside another word */
                }
        }
    char what[200];
    snprintf(what, sizeof what, "word lists: %d positive, %d negative, %d function, %d content words",
             text_positive_words.n, text_negative_words.n, text_function_words.n, text_content_words.n);
    test_check(text_positive_words.n == text_negative_words.n && text_positive_words.n >= 8, what,
               "expected as many positive as negative words, at least 8");
    snprintf(what, sizeof what, "every word is lowercase a-z (%d other characters)", not_lowercase);
    test_check(not_lowercase == 0, what, "%d", not_lowercase);
    snprintf(what, sizeof what, "no word is in two places (%d repeats)", shared);
    test_check(shared == 0, what, "%d", shared);
    snprintf(what, sizeof what, "no word contains a sentiment word (%d do)", contained);
    test_check(contained == 0, what, "%d", contained);
}

/* The recount on documents written by hand. */
static void check_count_rule(void) {
    static const struct {
        const char *text;
        int positive, negative;
    } cases[] = {
        {"Great film, but the plot was dull. A good cast! Boring? Bad.", 2, 3},
        {"The story is superb and the music is lovely.", 2, 0},
        {"Goodness, a badge.", 0, 0},
        {"AWFUL awful Awful wonderful.", 1, 3},
        {"", 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *text = cases[i].text;
        tally t = count_sentiment((const uint8_t *)text, (int)strlen(text), 0, (int)strlen(text));
        char what[200];
        snprintf(what, sizeof what, "\"%s\" has %d positive and %d negative words (got %d, %d)", text,
                 cases[i].positive, cases[i].negative, t.positive, t.negative);
        test_check(t.positive == cases[i].positive && t.negative == cases[i].negative, what, "wrong count");
    }
    const char *text = "The cast was good. It is a dull film.";
    tally t = count_sentiment((const uint8_t *)text, (int)strlen(text), 20, 30);
    test_check(t.positive == 0 && t.negative == 1,
               "a window [20, 30) of \"The cast was good. It is a dull film.\" sees only dull", "got %d, %d",
               t.positive, t.negative);
    t = count_sentiment((const uint8_t *)text, (int)strlen(text), 15, 16);
    test_check(t.positive == 1 && t.negative == 0, "a window cutting a word sees the whole word", "got %d, %d",
               t.positive, t.negative);
}

/* Only letters, single spaces and , . ! ?; a capital exactly at sentence starts; the
 * last byte ends a sentence; padding after. */
static bool looks_like_text(const uint8_t *b, int length, const example *ex, const task_info *info) {
    if (length == 0 || !(b[0] >= 'A' && b[0] <= 'Z')) return false;
    if (b[length - 1] != '.' && b[length - 1] != '!' && b[length - 1] != '?') return false;
    bool sentence_start = true;
    for (int t = 0; t < length; t++) {
        const uint8_t c = b[t];
        const bool word_start = is_letter(c) && (t == 0 || b[t - 1] == ' ');
        if (word_start && (c >= 'A' && c <= 'Z') != sentence_start) return false;
        if (word_start) sentence_start = false;
        if (is_letter(c) && t > 0 && !word_start && !(c >= 'a' && c <= 'z')) return false;
        if (c == ' ' && (t == 0 || t == length - 1 || b[t - 1] == ' ')) return false;
        if (c == '.' || c == '!' || c == '?') sentence_start = true;
        if (c == ',' || c == '.' || c == '!' || c == '?') {
            if (t == 0 || !is_letter(b[t - 1]) || (t + 1 < length && b[t + 1] != ' ')) return false;
        } else if (!is_letter(c) && c != ' ') {
            return false;
        }
    }
    for (int t = length; t < info->max_length; t++)
        if (ex->tokens[t] != info->pad_token) return false;
    return true;
}

/* Labels against the recount, the look of the text and the lengths over n examples. */
static void check_generated(const instance *in, int n) {
    example ex;
    example_alloc(&ex, &in->t.info);
    uint8_t *bytes = malloc((size_t)in->t.info.max_length);
    int wrong_label = 0, wrong_count = 0, malformed = 0, outside_lexicon = 0, labels[2] = {0, 0};
    int shortest = in->t.info.max_length, longest = 0;
    for (int i = 0; i < n; i++) {
        if (task_under_test_example(&in->t, 5, (enum task_split)(i % 3), i, &ex) != 0) break;
        if (!example_bytes(&ex, bytes) || !looks_like_text(bytes, ex.length, &ex, &in->t.info) ||
            ex.n_outputs != 1 || ex.target_mask[0] != 1)
            malformed++;
        tally t = count_sentiment(bytes, ex.length, 0, ex.length);
        if (t.positive + t.negative != in->sentiment_words || abs(t.positive - t.negative) != in->margin)
            wrong_count++;
        if ((t.positive > t.negative) != (ex.targets[0] == 1)) wrong_label++;
        if (t.last_index >= in->lexicon_size) outside_lexicon++;
        labels[ex.targets[0] == 1]++;
        if (ex.length < shortest) shortest = ex.length;
        if (ex.length > longest) longest = ex.length;
    }
    const int max_length = in->t.info.max_length, k = in->sentiment_words, m = in->margin;
    char what[300];
    snprintf(what, sizeof what,
             "max_length %d, %d/%d: %d examples look like text, bytes as ids 2-257, pad after (%d not)",
             max_length, k, m, n, malformed);
    test_check(malformed == 0, what, "%d malformed", malformed);
    snprintf(what, sizeof what, "max_length %d, %d/%d: every example has %d sentiment words, |pos - neg| = %d (%d not)",
             max_length, k, m, k, m, wrong_count);
    test_check(wrong_count == 0, what, "%d wrong", wrong_count);
    snprintf(what, sizeof what, "max_length %d, %d/%d: the whole-document majority is the label in %d of %d",
             max_length, k, m, n - wrong_label, n);
    test_check(wrong_label == 0, what, "%d wrong", wrong_label);
    snprintf(what, sizeof what, "max_length %d, %d/%d: only the first %d words of each list appear (%d examples not)",
             max_length, k, m, in->lexicon_size, outside_lexicon);
    test_check(outside_lexicon == 0, what, "%d outside", outside_lexicon);
    /* the budget is uniform in [ceil(max_length/2), max_length]; the text stops less
     * than one word (at most 11 bytes with its mark and space) short of it */
    const int low = (max_length + 1) / 2 - 11;
    snprintf(what, sizeof what, "max_length %d: lengths in [%d, %d] (min %d, max %d)", max_length, low,
             max_length, shortest, longest);
    test_check(shortest >= low && longest <= max_length && longest > max_length - 20 &&
                   shortest < (max_length + 1) / 2 + max_length / 20,
               what, "out of bounds or not spread");
    const double share = (double)labels[1] / n;
    snprintf(what, sizeof what, "max_length %d: label 1 share %.3f (%d of %d) in [0.46, 0.54]", max_length, share,
             labels[1], n);
    test_check(share >= 0.46 && share <= 0.54, what, "unbalanced");
    free(bytes);
    example_free(&ex);
}

/* Accuracy of the local majority of sentiment words in a window, in half points per
 * example (right 2, tie 1, wrong 0) so that 100 % is exact. */
typedef struct window_score {
    int random_window, first_window, whole;
} window_score;

static window_score score_windows(const instance *in, int n, int window) {
    example ex;
    example_alloc(&ex, &in->t.info);
    uint8_t *bytes = malloc((size_t)in->t.info.max_length);
    window_score s = {0, 0, 0};
    for (int i = 0; i < n; i++) {
        if (task_under_test_example(&in->t, 21, SPLIT_TRAIN, i, &ex) != 0) break;
        example_bytes(&ex, bytes);
        const int sign = ex.targets[0] == 1 ? 1 : -1;
        rng r;
        rng_seed(&r, rng_key(99, (uint64_t)window, (uint64_t)i, 0));
        const int start = ex.length > window ? (int)rng_range(&r, 0, ex.length - window) : 0;
        const tally windows[3] = {count_sentiment(bytes, ex.length, start, start + window),
                                  count_sentiment(bytes, ex.length, 0, window),
                                  count_sentiment(bytes, ex.length, 0, ex.length)};
        int credit[3];
        for (int w = 0; w < 3; w++) {
            const int balance = (windows[w].positive - windows[w].negative) * sign;
            credit[w] = balance > 0 ? 2 : balance == 0 ? 1 : 0;
        }
        s.random_window += credit[0];
        s.first_window += credit[1];
        s.whole += credit[2];
    }
    free(bytes);
    example_free(&ex);
    return s;
}

/* A short window (with the words it cuts) is near chance; the whole document decides.
 * Windows of 32 bytes up to half the longest document are printed. */
static void check_windows(const instance *in, int short_window, double bound) {
    enum { N = 2000 };
    const int max_length = in->t.info.max_length, k = in->sentiment_words, m = in->margin;
    for (int window = 32; window <= max_length / 2; window *= 2) {
        window_score s = score_windows(in, N, window);
        printf("max_length %d, %d sentiment words, margin %d, %d-byte window majority over %d examples: "
               "random window %.3f, first window %.3f\n",
               max_length, k, m, window, N, s.random_window / (2.0 * N), s.first_window / (2.0 * N));
    }
    window_score s = score_windows(in, N, short_window);
    const double random_window = s.random_window / (2.0 * N), first_window = s.first_window / (2.0 * N);
    char what[300];
    snprintf(what, sizeof what, "max_length %d, %d/%d: majority in a random %d-byte window is right %.3f <= %.2f",
             max_length, k, m, short_window, random_window, bound);
    test_check(random_window <= bound, what, "too informative");
    snprintf(what, sizeof what, "max_length %d, %d/%d: majority in the first %d bytes is right %.3f <= %.2f",
             max_length, k, m, short_window, first_window, bound);
    test_check(first_window <= bound, what, "too informative");
    snprintf(what, sizeof what, "max_length %d, %d/%d: majority over the whole document is right in %d of %d",
             max_length, k, m, s.whole / 2, N);
    test_check(s.whole == 2 * N, what, "not always");
}

/* Printed, not checked: timings on a shared machine are not a test. */
static void print_speed(const instance *in) {
    enum { N = 2000 };
    example ex;
    example_alloc(&ex, &in->t.info);
    const clock_t begin = clock();
    for (int i = 0; i < N; i++) task_under_test_example(&in->t, 1, SPLIT_TRAIN, i, &ex);
    const double microseconds = 1e6 * (double)(clock() - begin) / CLOCKS_PER_SEC / N;
    printf("generation at max_length %d: %.1f us per example\n", in->t.info.max_length, microseconds);
    example_free(&ex);
}

static void check_init_errors(void) {
    static const struct {
        int max_length, sentiment_words, margin, lexicon_size;
        const char *message;
    } cases[] = {
        {1000, 4, 6, 12, "task.margin: must be at most task.sentiment_words (got 6 and 4)"},
        {1000, 5, 2, 12,
         "task.margin: must have the parity of task.sentiment_words, since #positive - #negative = +-margin (got 2 "
         "and 5)"},
        {100, 6, 2, 12,
         "task.sentiment_words: 6 words of up to 10 bytes and a space do not fit in the shortest document (50 bytes "
         "at task.max_length 100)"},
        {60, 5, 1, 3,
         "task.sentiment_words: 5 words of up to 6 bytes and a space do not fit in the shortest document (30 bytes "
         "at task.max_length 60)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        instance in;
        error_info err = {0};
        int rc = instance_init(&in, cases[i].max_length, cases[i].sentiment_words, cases[i].margin,
                               cases[i].lexicon_size, &err);
        char what[1400];
        snprintf(what, sizeof what,
                 "init max_length %d sentiment_words %d margin %d lexicon_size %d fails with status 2: \"%s\"",
                 cases[i].max_length, cases[i].sentiment_words, cases[i].margin, cases[i].lexicon_size,
                 rc ? err.message : "(no error)");
        test_check(rc == -1 && err.status == EXIT_USAGE && strcmp(err.message, cases[i].message) == 0, what,
                   "expected \"%s\"", cases[i].message);
        if (rc == 0) task_under_test_free(&in.t);
    }
    instance in;
    error_info err = {0};
    int rc = instance_init(&in, 100, 4, 2, -1, &err);
    test_check(rc == 0 && in.t.info.max_length == 100, "init max_length 100 sentiment_words 4 margin 2 succeeds",
               "%s", rc ? err.message : "wrong max_length");
    if (rc == 0) task_under_test_free(&in.t);
    rc = instance_init(&in, 60, 5, 1, 2, &err);
    test_check(rc == 0, "init max_length 60 sentiment_words 5 margin 1 lexicon_size 2 (words of up to 5 bytes) succeeds",
               "%s", err.message);
    if (rc == 0) task_under_test_free(&in.t);
}

/* Generate at (max_length, k, m, lexicon_size), run the text, length and label checks
 * and, when short_window > 0, the window checks against bound; free. */
static void check_configuration(int max_length, int sentiment_words, int margin, int lexicon_size, int n,
                                int short_window, double bound) {
    instance in;
    error_info err = {0};
    if (instance_init(&in, max_length, sentiment_words, margin, lexicon_size, &err) != 0) {
        test_check(false, "init", "%s", err.message);
        return;
    }
    check_generated(&in, n);
    if (short_window > 0) check_windows(&in, short_window, bound);
    task_under_test_free(&in.t);
}

int main(void) {
    const task_ops *ops = task_find("lra/text");
    test_check(ops != NULL, "registry finds lra/text", "not registered");
    if (!ops) return test_finish("test_text");
    instance in;
    error_info err = {0};
    if (instance_init(&in, -1, -1, -1, -1, &err) != 0) {
        test_check(false, "init at defaults", "%s", err.message);
        return test_finish("test_text");
    }
    test_check(in.sentiment_words == DEFAULT_WORDS && in.margin == DEFAULT_MARGIN &&
                   in.lexicon_size == DEFAULT_LEXICON,
               "defaults: 24 sentiment words, margin 2, lexicon_size 12", "got %d, %d and %d", in.sentiment_words,
               in.margin, in.lexicon_size);
    check_info(&in.t.info);
    check_lexicons();
    check_count_rule();
    check_generated(&in, 2000);
    check_windows(&in, 64, 0.58);
    print_speed(&in);
    task_under_test_free(&in.t);

    check_configuration(4096, DEFAULT_WORDS, DEFAULT_MARGIN, DEFAULT_LEXICON, 500, 0, 0);
    check_configuration(64, 2, 2, 1, 500, 0, 0);
    check_configuration(100, 3, 1, 5, 500, 0, 0);
    /* the small configuration for short training runs, 3 positive against 1 negative
     * word or the reverse: 64 bytes of 1000 become 16 of 256, and a window that short
     * stays weak */
    check_configuration(256, 4, 2, 4, 2000, 16, 0.62);
    instance large;
    if (instance_init(&large, 4096, -1, -1, -1, &err) == 0) {
        print_speed(&large);
        task_under_test_free(&large.t);
    }
    check_init_errors();
    return test_finish("test_text");
}
