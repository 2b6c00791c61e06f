/* test_retrieval.c — LRA Retrieval generator: documents written from hand-made sources
 * hold exactly their terms, generated pairs agree with their sources (label 1: one
 * source; label 0: at most `overlap` shared terms), each document alone is independent
 * of the label and the pair is symmetric, whole documents decide the label while short
 * windows are near chance, labels are balanced, and init errors; generation time is
 * printed. Purity, disjoint splits and the golden hash: test_task_registry. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/options.h"
#include "core/timer.h"
#include "tasks/lra/retrieval.h"
#include "tasks/task.h"
#include "task_checks.h"
#include "testing.h"

enum { OCCURRENCES_MAX = 2048 };

/* Init at default options with `overrides` ("name=value" strings, NULL-terminated)
 * applied; returns the init status, err filled. */
static int instance_init(task_under_test *in, const char *const *overrides, error_info *err) {
    opt_set set;
    task_defaults(&set, "lra/retrieval");
    for (int k = 0; overrides && overrides[k]; k++) {
        const char *eq = strchr(overrides[k], '=');
        int found = -1;
        for (int i = 0; i < set.n; i++)
            if (strncmp(set.values[i].spec->name, overrides[k], (size_t)(eq - overrides[k])) == 0 &&
                set.values[i].spec->name[eq - overrides[k]] == '\0')
                found = i;
        if (found < 0 || opt_parse_scalar(&set.values[found], set.values[found].spec, eq + 1, err) != 0) {
            test_check(false, "override parses", "%s", overrides[k]);
            return -1;
        }
    }
    return task_under_test_init(in, "lra/retrieval", &set, err);
}

/* The key terms of a document (or of its first `limit` bytes: words wholly inside),
 * and whether its text has the generator's form: printable ASCII words separated by
 * single spaces, pad after the end, every word a pool term or lowercase letters that
 * may be capitalised only at a sentence start, full stops only after filler words. */
typedef struct doc_scan {
    int n_terms;
    int32_t term[OCCURRENCES_MAX];
    int count[OCCURRENCES_MAX];
    int occurrences;
    char problem[160]; /* empty when well-formed */
} doc_scan;

static void scan_add(doc_scan *d, int32_t term) {
    d->occurrences++;
    for (int i = 0; i < d->n_terms; i++)
        if (d->term[i] == term) {
            d->count[i]++;
            return;
        }
    d->term[d->n_terms] = term;
    d->count[d->n_terms++] = 1;
}

static int scan_count(const doc_scan *d, int32_t term) {
    for (int i = 0; i < d->n_terms; i++)
        if (d->term[i] == term) return d->count[i];
    return 0;
}

static void scan_document(const task_under_test *in, const int32_t *tokens, int length, int limit, doc_scan *d) {
    memset(d, 0, sizeof *d);
    for (int t = length; t < in->info.max_length; t++)
        if (tokens[t] != RETRIEVAL_PAD && !d->problem[0]) snprintf(d->problem, sizeof d->problem, "no pad at %d", t);
    char text[OCCURRENCES_MAX * 8];
    int n = length < limit ? length : limit;
    if (n >= (int)sizeof text) n = (int)sizeof text - 1;
    for (int t = 0; t < n; t++) {
        const int32_t b = tokens[t] - RETRIEVAL_BYTE0;
        if ((b < ' ' || b > '~') && !d->problem[0]) snprintf(d->problem, sizeof d->problem, "byte %d at %d", b, t);
        text[t] = (char)b;
    }
    text[n] = '\0';
    int start = 0;
    bool sentence_start = true;
    while (start <= n) {
        int end = start;
        while (end < n && text[end] != ' ') end++;
        if (end == n && n < length) break; /* cut by the window */
        const bool full_stop = end > start && text[end - 1] == '.';
        const int word_length = end - start - full_stop;
        const int32_t term = retrieval_term_index(in->state, text + start, word_length);
        if (term >= 0) {
            scan_add(d, term);
            if (full_stop && !d->problem[0]) snprintf(d->problem, sizeof d->problem, "a term ends a sentence");
        } else {
            bool letters = word_length > 0;
            for (int i = 0; i < word_length; i++) {
                const char c = text[start + i];
                if (!(c >= 'a' && c <= 'z') && !(i == 0 && sentence_start && c >= 'A' && c <= 'Z')) letters = false;
            }
            if (!letters && !d->problem[0])
                snprintf(d->problem, sizeof d->problem, "bad word \"%.*s\" at byte %d", end - start > 40 ? 40 : end - start,
                         text + start, start);
            sentence_start = full_stop;
        }
        start = end + 1;
    }
}

static int shared_terms(const doc_scan *a, const doc_scan *b) {
    int shared = 0;
    for (int i = 0; i < a->n_terms; i++) shared += scan_count(b, a->term[i]) > 0;
    return shared;
}

static bool in_source(const int32_t *source, int n, int32_t term) {
    for (int i = 0; i < n; i++)
        if (source[i] == term) return true;
    return false;
}

static int sources_shared(const retrieval_pair *p) {
    int shared = 0;
    for (int i = 0; i < p->n_terms; i++) shared += in_source(p->source2, p->n_terms, p->source1[i]);
    return shared;
}

/* "" when the pair's sources fit its label, or what is wrong. */
static const char *pair_problem(const retrieval_pair *p, int overlap) {
    for (int i = 0; i < p->n_terms; i++)
        for (int j = 0; j < i; j++)
            if (p->source1[i] == p->source1[j] || p->source2[i] == p->source2[j]) return "a source repeats a term";
    const int shared = sources_shared(p);
    if (p->label == 1 && shared != p->n_terms) return "label 1 with different sources";
    if (p->label == 0 && shared > overlap) return "label 0 sharing more than overlap";
    if (p->label != 0 && p->label != 1) return "label not 0/1";
    return "";
}

/* "" when a document's terms fit its source: source terms 1..max_repeats times,
 * exactly `noise` other terms once each. */
static const char *document_problem(const doc_scan *d, const int32_t *source, int n_terms, int max_repeats,
                                    int noise) {
    if (d->problem[0]) return d->problem;
    int others = 0;
    for (int i = 0; i < d->n_terms; i++) {
        if (!in_source(source, n_terms, d->term[i])) {
            if (d->count[i] != 1) return "a noise term appears more than once";
            others++;
        } else if (d->count[i] > max_repeats) {
            return "a source term appears more than max_repeats times";
        }
    }
    return others == noise ? "" : "wrong number of noise terms";
}

static void check_info(const task_under_test *in) {
    const task_info *info = &in->info;
    char what[256];
    snprintf(what, sizeof what, "info: vocab %d, classes %d, max_length %d, outputs %d, pad %d, cls %d, pair output, version %s",
             info->vocab_size, info->n_classes, info->max_length, info->max_outputs, info->pad_token, info->cls_token,
             info->version);
    test_check(info->vocab_size == 258 && info->n_classes == 2 && info->max_length == 4000 && info->max_outputs == 1 &&
                   info->pad_token == 0 && info->cls_token == 1 && info->output == TASK_OUTPUT_PAIR &&
                   strcmp(info->version, "1") == 0,
               what, "unexpected info");
    int bad = 0, duplicates = 0;
    for (int v = 0; v < info->vocab_size; v++) {
        const char *name = info->token_names[v];
        if (!name[0] || strpbrk(name, " \t\n\r")) bad++;
        for (int w = 0; w < v; w++) duplicates += strcmp(name, info->token_names[w]) == 0;
    }
    snprintf(what, sizeof what, "258 token names, none empty or with whitespace (%d bad), all distinct (%d repeated)",
             bad, duplicates);
    test_check(bad == 0 && duplicates == 0, what, "bad names");
    const char *a = info->token_names[RETRIEVAL_BYTE0 + 'a'], *space = info->token_names[RETRIEVAL_BYTE0 + ' '],
               *tab = info->token_names[RETRIEVAL_BYTE0 + '\t'], *high = info->token_names[RETRIEVAL_BYTE0 + 0xe9];
    snprintf(what, sizeof what, "names: 'a' is \"%s\", space \"%s\", tab \"%s\", 0xe9 \"%s\"", a, space, tab, high);
    test_check(strcmp(a, "a") == 0 && strcmp(space, "\\s") == 0 && strcmp(tab, "\\x09") == 0 &&
                   strcmp(high, "\\xe9") == 0,
               what, "unexpected names");
}

/* Documents of a hand-made source {5, 17, 42} at presence 1: each holds exactly those
 * terms, 1-2 times each, plus `noise` others once each, in well-formed text of the
 * drawn length less at most one word. */
static void check_hand_source(int noise) {
    char noise_option[32];
    snprintf(noise_option, sizeof noise_option, "noise_terms=%d", noise);
    const char *const overrides[] = {"max_length=300", "pool_size=50", "terms=3", "overlap=1", "presence=1",
                                     "max_repeats=2", noise_option, NULL};
    task_under_test in;
    error_info err = {0};
    if (!test_check(instance_init(&in, overrides, &err) == 0, "init for hand-made sources", "%s", err.message)) return;
    const int32_t source[3] = {5, 17, 42};
    int32_t *tokens = malloc(300 * sizeof *tokens);
    int wrong = 0, missing = 0, short_length = 0, min_length = 1 << 30, max_length = 0;
    const char *problem = "";
    for (int i = 0; i < 200; i++) {
        rng r;
        rng_seed(&r, rng_key(99, 7, (uint64_t)i, 0));
        const int length = retrieval_write_document(in.state, &r, source, tokens);
        doc_scan d;
        scan_document(&in, tokens, length, length, &d);
        const char *p = document_problem(&d, source, 3, 2, noise);
        if (p[0]) wrong++, problem = p;
        for (int k = 0; k < 3; k++) missing += scan_count(&d, source[k]) == 0;
        if (length < 150 - 14 || length > 300) short_length++;
        if (length < min_length) min_length = length;
        if (length > max_length) max_length = length;
    }
    char what[300];
    snprintf(what, sizeof what,
             "noise %d: 200 documents of source {%s, %s, %s} hold those terms 1-2 times and %d others once, in "
             "well-formed text (%d not)",
             noise, retrieval_term(in.state, 5), retrieval_term(in.state, 17), retrieval_term(in.state, 42), noise, wrong);
    test_check(wrong == 0, what, "%s", problem);
    snprintf(what, sizeof what, "noise %d: every source term is present at presence 1 (%d missing)", noise, missing);
    test_check(missing == 0, what, "%d missing", missing);
    snprintf(what, sizeof what, "noise %d: lengths %d..%d within [150 - one word, 300] (%d outside)", noise, min_length,
             max_length, short_length);
    test_check(short_length == 0, what, "%d outside", short_length);
    free(tokens);
    task_under_test_free(&in);
}

/* Pool terms look like key terms and spell back to their index. */
static void check_pool(void) {
    const char *const overrides[] = {"pool_size=5000", NULL};
    task_under_test in;
    error_info err = {0};
    if (!test_check(instance_init(&in, overrides, &err) == 0, "init with pool_size 5000", "%s", err.message)) return;
    int bad = 0;
    for (int i = 0; i < 5000; i++) {
        const char *term = retrieval_term(in.state, i);
        const int length = (int)strlen(term);
        bool shaped = length >= 4 && length <= 7 && term[0] >= 'A' && term[0] <= 'Z';
        for (int k = 1; k < length; k++) shaped = shaped && term[k] >= 'a' && term[k] <= 'z';
        if (!shaped || retrieval_term_index(in.state, term, length) != i) bad++;
    }
    char what[200];
    snprintf(what, sizeof what, "5000 pool terms (%s, %s, ...) are distinct capitalised words of 4-7 letters (%d not)",
             retrieval_term(in.state, 0), retrieval_term(in.state, 1), bad);
    test_check(bad == 0, what, "%d bad", bad);
    const char *first = retrieval_term(in.state, 3);
    char copy[8];
    snprintf(copy, sizeof copy, "%s", first);
    task_under_test_free(&in);
    const char *const small[] = {"pool_size=20", "terms=2", "overlap=1", "noise_terms=1", NULL};
    if (instance_init(&in, small, &err) != 0) return;
    snprintf(what, sizeof what, "a smaller pool is a prefix of a larger one (term 3 \"%s\" and \"%s\")", copy,
             retrieval_term(in.state, 3));
    test_check(strcmp(copy, retrieval_term(in.state, 3)) == 0, what, "differs");
    snprintf(what, sizeof what, "filler words and unknown words are not terms");
    test_check(retrieval_term_index(in.state, "The", 3) < 0 && retrieval_term_index(in.state, "Zzzzzz", 6) < 0, what,
               "found");
    task_under_test_free(&in);
}

typedef struct moments {
    double n, sum, sum2;
} moments;

static void moments_add(moments *m, double x) {
    m->n++;
    m->sum += x;
    m->sum2 += x * x;
}

static double moments_mean(const moments *m) { return m->sum / m->n; }


/* |mean a − mean b| within 4.5 standard errors of the difference. */
static void check_same_mean(const moments *a, const moments *b, const char *what) {
    const double va = (a->sum2 - a->sum * a->sum / a->n) / (a->n - 1);
    const double vb = (b->sum2 - b->sum * b->sum / b->n) / (b->n - 1);
    const double z = (moments_mean(a) - moments_mean(b)) / sqrt(va / a->n + vb / b->n + 1e-12);
    char line[300];
    snprintf(line, sizeof line, "%s: %.3f vs %.3f (z = %.2f, |z| < 4.5)", what, moments_mean(a), moments_mean(b), z);
    test_check(fabs(z) < 4.5, line, "means differ");
}

/* Accuracy of the best rule "label 1 iff at least k terms are shared". */
static double best_threshold_accuracy(const int *shared, const int *labels, int n) {
    double best = 0;
    for (int k = 0; k <= 2 * OCCURRENCES_MAX; k++) {
        int right = 0, any_above = 0;
        for (int i = 0; i < n; i++) {
            right += (shared[i] >= k) == (labels[i] == 1);
            any_above += shared[i] >= k;
        }
        if ((double)right / n > best) best = (double)right / n;
        if (!any_above) break;
    }
    return best;
}

/* Generated pairs at default options against their sources, the label independence
 * of each document, the symmetry of the pair, and what whole documents and short
 * windows say about the label. */
static void check_generated(const task_under_test *in) {
    enum { N = 4000, WINDOW = 128, TERMS = 8, OVERLAP = 4, REPEATS = 3, NOISE = 4 };
    example ex;
    example_alloc(&ex, &in->info);
    static int full_shared[N], window_shared[N], labels[N];
    int label_mismatch = 0, bad_pairs = 0, bad_swapped = 0, bad_documents = 0, overlap_seen[TERMS + 1] = {0};
    const char *pair_issue = "", *document_issue = "";
    moments occurrences[2][2] = {{{0}}}, lengths[2][2] = {{{0}}}, distinct[2][2] = {{{0}}}; /* [label][document] */
    double present = 0, possible = 0;
    for (int i = 0; i < N; i++) {
        if (task_under_test_example(in, 5, SPLIT_TRAIN, i, &ex) != 0) break;
        retrieval_pair pair, swapped;
        const example_request request = {5, SPLIT_TRAIN, i, 0};
        retrieval_draw_pair(in->state, &request, &pair);
        label_mismatch += pair.label != ex.targets[0] || ex.target_mask[0] != 1 || ex.n_outputs != 1;
        const char *p = pair_problem(&pair, OVERLAP);
        if (p[0]) bad_pairs++, pair_issue = p;
        swapped = pair;
        memcpy(swapped.source1, pair.source2, sizeof pair.source2);
        memcpy(swapped.source2, pair.source1, sizeof pair.source1);
        bad_swapped += pair_problem(&swapped, OVERLAP)[0] != '\0';
        if (pair.label == 0) overlap_seen[sources_shared(&pair)]++;
        doc_scan d1, d2, w1, w2;
        scan_document(in, ex.tokens, ex.length, ex.length, &d1);
        scan_document(in, ex.tokens2, ex.length2, ex.length2, &d2);
        scan_document(in, ex.tokens, ex.length, WINDOW, &w1);
        scan_document(in, ex.tokens2, ex.length2, WINDOW, &w2);
        const char *q1 = document_problem(&d1, pair.source1, TERMS, REPEATS, NOISE);
        const char *q2 = document_problem(&d2, pair.source2, TERMS, REPEATS, NOISE);
        if (q1[0] || q2[0]) bad_documents++, document_issue = q1[0] ? q1 : q2;
        for (int k = 0; k < TERMS; k++) present += scan_count(&d1, pair.source1[k]) > 0;
        possible += TERMS;
        const doc_scan *docs[2] = {&d1, &d2};
        const int doc_lengths[2] = {ex.length, ex.length2};
        for (int doc = 0; doc < 2; doc++) {
            moments_add(&occurrences[pair.label][doc], docs[doc]->occurrences);
            moments_add(&distinct[pair.label][doc], docs[doc]->n_terms);
            moments_add(&lengths[pair.label][doc], doc_lengths[doc]);
        }
        full_shared[i] = shared_terms(&d1, &d2);
        window_shared[i] = shared_terms(&w1, &w2);
        labels[i] = pair.label;
    }
    char what[300];
    snprintf(what, sizeof what, "%d examples carry the label of their drawn pair (%d not)", N, label_mismatch);
    test_check(label_mismatch == 0, what, "%d differ", label_mismatch);
    snprintf(what, sizeof what, "%d pairs: label 1 one source, label 0 sharing <= %d terms (%d not)", N, OVERLAP, bad_pairs);
    test_check(bad_pairs == 0, what, "%s", pair_issue);
    snprintf(what, sizeof what, "%d pairs with the documents swapped fit the same label (%d not)", N, bad_swapped);
    test_check(bad_swapped == 0, what, "%d not", bad_swapped);
    snprintf(what, sizeof what,
             "%d documents hold their source's terms <= %d times and %d noise terms once, in well-formed text (%d not)",
             2 * N, REPEATS, NOISE, bad_documents);
    test_check(bad_documents == 0, what, "%s", document_issue);
    printf("label 0 pairs by shared source terms:");
    for (int k = 0; k <= OVERLAP; k++) printf(" %d: %d", k, overlap_seen[k]);
    printf("\n");
    int unseen = 0;
    for (int k = 0; k <= OVERLAP; k++) unseen += overlap_seen[k] < N / 2 / (OVERLAP + 1) / 2;
    snprintf(what, sizeof what, "label 0 pairs share each count 0..%d of terms about equally often (%d counts rare)",
             OVERLAP, unseen);
    test_check(unseen == 0, what, "%d rare", unseen);
    test_near(present / possible, 0.9, 0.015, "share of source terms present in document 1 (presence 0.9)");

    const char *doc_names[2] = {"document 1", "document 2"};
    for (int doc = 0; doc < 2; doc++) {
        char what_doc[120];
        snprintf(what_doc, sizeof what_doc, "%s key-term occurrences, label 0 vs label 1", doc_names[doc]);
        check_same_mean(&occurrences[0][doc], &occurrences[1][doc], what_doc);
        snprintf(what_doc, sizeof what_doc, "%s distinct key terms, label 0 vs label 1", doc_names[doc]);
        check_same_mean(&distinct[0][doc], &distinct[1][doc], what_doc);
        snprintf(what_doc, sizeof what_doc, "%s length, label 0 vs label 1", doc_names[doc]);
        check_same_mean(&lengths[0][doc], &lengths[1][doc], what_doc);
    }
    for (int label = 0; label < 2; label++) {
        char what_label[120];
        snprintf(what_label, sizeof what_label, "label %d: key-term occurrences, document 1 vs document 2", label);
        check_same_mean(&occurrences[label][0], &occurrences[label][1], what_label);
        snprintf(what_label, sizeof what_label, "label %d: length, document 1 vs document 2", label);
        check_same_mean(&lengths[label][0], &lengths[label][1], what_label);
    }
    const double full = best_threshold_accuracy(full_shared, labels, N);
    const double window = best_threshold_accuracy(window_shared, labels, N);
    snprintf(what, sizeof what, "shared key terms of whole documents give the label: best threshold accuracy %.3f > 0.95",
             full);
    test_check(full > 0.95, what, "too low");
    snprintf(what, sizeof what,
             "shared key terms of the first %d bytes are near chance: best threshold accuracy %.3f < 0.56", WINDOW,
             window);
    test_check(window < 0.56, what, "too high");
    example_free(&ex);
}

static void check_labels(const task_under_test *in) {
    enum { N = 10000 };
    example ex;
    example_alloc(&ex, &in->info);
    int ones[3] = {0};
    for (int split = 0; split < 3; split++)
        for (int i = 0; i < N / 5; i++) {
            if (task_under_test_example(in, 1, (enum task_split)split, i, &ex) != 0) break;
            ones[split] += ex.targets[0];
        }
    int total = 0;
    for (int i = 0; i < N; i++) {
        if (task_under_test_example(in, 2, SPLIT_TRAIN, i, &ex) != 0) break;
        total += ex.targets[0];
    }
    printf("labels: train %d of %d are 1; first %d of train/eval/test: %d / %d / %d are 1\n", total, N, N / 5,
           ones[0], ones[1], ones[2]);
    test_near((double)total / N, 0.5, 0.02, "share of label 1 in %d training examples", N);
    for (int split = 0; split < 3; split++)
        test_near((double)ones[split] / (N / 5), 0.5, 0.05, "share of label 1 in the first %d %s examples", N / 5,
                  task_split_name((enum task_split)split));
    example_free(&ex);
}

/* Printed, not checked: timings on a shared machine are not a test. */
static void print_speed(const task_under_test *in) {
    enum { N = 2000 };
    example ex;
    example_alloc(&ex, &in->info);
    double bytes = 0;
    const double start = timer_now();
    for (int i = 0; i < N; i++) {
        if (task_under_test_example(in, 0, SPLIT_TRAIN, i, &ex) != 0) break;
        bytes += ex.length + ex.length2;
    }
    const double per_example = (timer_now() - start) / N;
    printf("generation: %.1f us per example (two documents, %.0f bytes on average)\n", per_example * 1e6, bytes / N);
    example_free(&ex);
}

static void check_init_errors(void) {
    static const struct {
        const char *overrides[5];
        const char *message;
    } cases[] = {
        {{"terms=4", "overlap=4"}, "task.overlap: must be below task.terms (got 4 and 4)"},
        {{"terms=1", "overlap=1"}, "task.overlap: must be below task.terms (got 1 and 1)"},
        {{"pool_size=15", "overlap=0"}, "task.pool_size: must be at least task.terms + max(task.terms, "
                                        "task.noise_terms) = 16 (got 15)"},
        {{"pool_size=20", "terms=2", "overlap=1", "noise_terms=20"}, "task.pool_size: must be at least task.terms + "
                                                        "max(task.terms, task.noise_terms) = 22 (got 20)"},
        {{"max_length=400"}, "task.max_length: 400 is too short for task.terms 8 × task.max_repeats 3 + "
                             "task.noise_terms 4 key terms (up to 224 bytes in a document of 200)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        task_under_test in;
        error_info err = {0};
        const int rc = instance_init(&in, cases[i].overrides, &err);
        char options[200] = "", what[1400];
        for (int k = 0; cases[i].overrides[k]; k++)
            snprintf(options + strlen(options), sizeof options - strlen(options), " %s", cases[i].overrides[k]);
        snprintf(what, sizeof what, "init%s fails with status 2: \"%s\"", options, rc ? err.message : "(no error)");
        test_check(rc == -1 && err.status == EXIT_USAGE && strcmp(err.message, cases[i].message) == 0, what,
                   "expected \"%s\"", cases[i].message);
        if (rc == 0) task_under_test_free(&in);
    }
    const char *const tight[] = {"max_length=448", NULL};
    task_under_test in;
    error_info err = {0};
    const int rc = instance_init(&in, tight, &err);
    test_check(rc == 0 && in.info.max_length == 448, "init max_length 448 (room for 224 bytes of terms) succeeds",
               "%s", err.message);
    if (rc == 0) task_under_test_free(&in);
}

int main(void) {
    const task_ops *ops = task_find("lra/retrieval");
    test_check(ops != NULL, "registry finds lra/retrieval", "not registered");
    if (!ops) return test_finish("test_retrieval");
    task_under_test in;
    error_info err = {0};
    if (!test_check(instance_init(&in, NULL, &err) == 0, "init at defaults", "%s", err.message))
        return test_finish("test_retrieval");
    check_info(&in);
    check_pool();
    check_hand_source(0);
    check_hand_source(2);
    check_generated(&in);
    check_labels(&in);
    print_speed(&in);
    task_under_test_free(&in);
    check_init_errors();
    return test_finish("test_retrieval");
}
