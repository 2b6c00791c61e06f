/* test_lengths.c — the length-generalisation protocol's pieces: per-sequence masked
 * accuracy on hand-made logits, evaluation by length (points, their mean, long
 * lengths in smaller batches giving the same numbers as full batches), and the
 * per-length rows of the database read back exactly. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config_schema.h"
#include "model/scores.h"
#include "model/train.h"
#include "store/store.h"
#include "testing.h"

/* Three sequences of K = 3 classes: a terminated one (target 1 0 2 0 0, scored up to
 * and including the end token 2), a fully scored one, and one whose logits tie. */
static void check_masked_accuracy(void) {
    enum { K = 3, ROWS = 8 };
    const real logits[ROWS * K] = {
        0, 5, 1, /* seq 0: right (1) */
        2, 1, 0, /* right (0) */
        1, 3, 0, /* wrong: 1 for 2 */
        0, 9, 0, /* unscored, wrong */
        0, 0, 9, /* unscored, wrong */
        1, 0, 0, /* seq 1: right (0) */
        0, 0, 1, /* wrong: 2 for 1 */
        4, 4, 0, /* seq 2: a tie goes to the first class, 0: right */
    };
    const int32_t targets[ROWS] = {1, 0, 2, 0, 0, 0, 1, 0};
    const uint8_t scored[ROWS] = {1, 1, 1, 0, 0, 1, 1, 1};
    const int32_t n_outputs[3] = {5, 2, 1};
    double fraction[3];
    bool all_right[3];
    scores_per_sequence(logits, K, targets, scored, n_outputs, 3, fraction, all_right);
    test_near(fraction[0], 2.0 / 3.0, 1e-15, "terminated sequence: 2 of the 3 scored outputs right");
    test_check(!all_right[0], "terminated sequence is not entirely right", "got all right");
    test_near(fraction[1], 0.5, 1e-15, "second sequence: 1 of 2 right");
    test_near(fraction[2], 1.0, 1e-15, "a tie resolves to the first class");
    test_check(all_right[2], "third sequence entirely right", "got not all right");
}

typedef struct protocol_fixture {
    const task_ops *task;
    void *state;
    task_info info;
} protocol_fixture;

/* chomsky/parity_check trained on lengths 1..4 and tested on 1..30. */
static int open_task(protocol_fixture *f) {
    f->task = task_find("chomsky/parity_check");
    if (!test_check(f->task != NULL, "chomsky/parity_check is registered", "not found")) return -1;
    opt_set options;
    opt_set_defaults(&options, f->task->options, f->task->n_options);
    for (int i = 0; i < options.n; i++) {
        opt_value *v = &options.values[i];
        if (strcmp(v->spec->name, "train_lengths") == 0) v->list[0] = 1, v->list[1] = 4;
        if (strcmp(v->spec->name, "test_lengths") == 0) v->list[0] = 1, v->list[1] = 30;
    }
    error_info err = {0};
    return test_check(f->task->init(&f->state, &options, &f->info, &err) == 0, "init", "%s", err.message) ? 0 : -1;
}

/* Evaluate lengths 3, 8, 13, …, 28 with a model made for batches of max_batch. */
static int evaluate_with(const protocol_fixture *f, int max_batch, length_accuracy *points, int *n,
                         eval_result *r) {
    model_config config = {0};
    config_section_defaults(&config_model_section, &config);
    config.layers = 1, config.dim = 8, config.heads = 2, config.mlp_dim = 16, config.head_mlp_dim = 16;
    strcpy(config.attention.kind, "full");
    model *m = NULL;
    error_info err = {0};
    if (!test_check(model_create(&m, &config, &f->info, max_batch, 7, &err) == 0, "model_create", "%s", err.message))
        return -1;
    batch_builder bb;
    batch_builder_init(&bb, f->task, f->state, &f->info, false, max_batch);
    const int status = evaluate_lengths(m, &bb, 0, SPLIT_TEST, 3, 30, 5, 9, 0, points, n, r, &err);
    test_check(status == 0, "evaluate_lengths", "%s", err.message);
    printf("batch limit at 31 tokens with max_batch %d: %d\n", max_batch, model_batch_limit(m, 31));
    batch_builder_free(&bb);
    model_free(m);
    return status;
}

static void check_evaluate_lengths(void) {
    protocol_fixture f;
    if (open_task(&f) != 0) return;
    length_accuracy a[8], b[8];
    eval_result ra, rb;
    int na = 0, nb = 0;
    if (evaluate_with(&f, 16, a, &na, &ra) != 0 || evaluate_with(&f, 1, b, &nb, &rb) != 0) return;
    test_check(na == 6 && length_points_count(3, 30, 5) == 6, "lengths 3..30 by 5 are six points", "got %d", na);
    double mean = 0;
    bool lengths_ok = true;
    for (int i = 0; i < na; i++) {
        lengths_ok &= a[i].length == 3 + 5 * i && a[i].examples == 9 && strcmp(a[i].split, "test") == 0;
        mean += a[i].accuracy / na;
    }
    test_check(lengths_ok, "each point has its length, 9 examples and the split", "a point differs");
    test_near(ra.accuracy, mean, 1e-12, "the range's accuracy is the mean over lengths");
    double largest_gap = 0;
    for (int i = 0; i < na && i < nb; i++) largest_gap = fmax(largest_gap, fabs(a[i].accuracy - b[i].accuracy));
    test_check(nb == na && largest_gap == 0, "batches of 16 and batches of 1 give the same per-length accuracy",
               "largest difference %g", largest_gap);
    f.task->free(f.state);
}

static void check_store_round_trip(void) {
    char path[512];
    snprintf(path, sizeof path, "%s/lengths.sqlite", test_temp_dir());
    store *s = NULL;
    error_info err = {0};
    if (!test_check(store_open(&s, path, false, &err) == 0, "create the database", "%s", err.message)) return;
    provenance p;
    provenance_collect(&p, 1);
    run_identity id = {"{}", "hash", 0, "lengths", "chomsky/parity_check", "1", "full", "chomsky", "R", 3};
    char run_id[33];
    const length_point points[3] = {
        {"eval", 1, 1.0, 1.0, 512}, {"test", 41, 0.515625, 0.25, 512}, {"test", 42, 1.0 / 3.0, 0.125, 64}};
    test_check(store_run_begin(s, &id, &p, run_id, &err) == 0 && store_run_lengths(s, run_id, points, 3, &err) == 0,
               "record three per-length points", "%s", err.message);
    sqlite3_stmt *stmt = NULL;
    sqlite3_prepare_v2(store_db(s),
                       "SELECT split, length, accuracy, sequence_accuracy, examples FROM length_result "
                       "WHERE run_id = ? ORDER BY split, length", -1, &stmt, NULL);
    sqlite3_bind_text(stmt, 1, run_id, -1, SQLITE_STATIC);
    int rows = 0, same = 0;
    while (sqlite3_step(stmt) == SQLITE_ROW && rows < 3) {
        const length_point *want = &points[rows++];
        same += strcmp((const char *)sqlite3_column_text(stmt, 0), want->split) == 0 &&
                sqlite3_column_int(stmt, 1) == want->length && sqlite3_column_double(stmt, 2) == want->accuracy &&
                sqlite3_column_double(stmt, 3) == want->sequence_accuracy &&
                sqlite3_column_int64(stmt, 4) == want->examples;
    }
    sqlite3_finalize(stmt);
    test_check(rows == 3 && same == 3, "per-length rows read back bit for bit", "%d rows, %d equal", rows, same);
    store_close(s);
}

int main(void) {
    check_masked_accuracy();
    check_evaluate_lengths();
    check_store_round_trip();
    return test_finish("test_lengths");
}
