/* run_recorder.c — training's reports written to the store (see run_recorder.h). */
#include "cli/run_recorder.h"

#include <stdlib.h>

static int record_metrics(void *user, int64_t step, const train_metric *points, int n, error_info *err) {
    const run_recorder *r = user;
    metric_point *rows = calloc((size_t)n, sizeof *rows);
    if (!rows && n > 0) return error_set(err, EXIT_RUNTIME, "out of memory recording %d metrics", n);
    for (int i = 0; i < n; i++) rows[i] = (metric_point){points[i].split, points[i].name, points[i].value};
    const int status = store_run_metrics(r->store, r->run_id, step, rows, n, err);
    free(rows);
    return status;
}

static int record_heartbeat(void *user, int64_t step, error_info *err) {
    const run_recorder *r = user;
    return store_run_heartbeat(r->store, r->run_id, step, err);
}

static int record_lengths(void *user, const length_accuracy *points, int n, error_info *err) {
    const run_recorder *r = user;
    length_point *rows = calloc((size_t)n, sizeof *rows);
    if (!rows && n > 0) return error_set(err, EXIT_RUNTIME, "out of memory recording %d lengths", n);
    for (int i = 0; i < n; i++)
        rows[i] = (length_point){points[i].split, points[i].length, points[i].accuracy, points[i].sequence_accuracy,
                                 points[i].examples};
    const int status = store_run_lengths(r->store, r->run_id, rows, n, err);
    free(rows);
    return status;
}

void run_recorder_init(run_recorder *r, store *s, const char *run_id) {
    r->store = s;
    r->run_id = run_id;
    r->reporter = (train_reporter){
        .user = r, .on_metrics = record_metrics, .on_heartbeat = record_heartbeat, .on_lengths = record_lengths};
}
