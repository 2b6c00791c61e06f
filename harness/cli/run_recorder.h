/* run_recorder.h — the reporter that `attnbench run` gives training: every metric row,
 * heartbeat and per-length accuracy goes into the run's rows of the database.
 *
 * This is where the arrow from the training loop to SQLite is drawn, in the command
 * layer: model/ reports through model/train_reporter.h and knows no store, the store
 * knows no model, and this file converts training's values into the store's rows. */
#ifndef ATTNBENCH_RUN_RECORDER_H
#define ATTNBENCH_RUN_RECORDER_H

#include "model/train_reporter.h"
#include "store/store.h"

typedef struct run_recorder {
    store *store;
    const char *run_id;
    train_reporter reporter; /* for train_context; its user points here, so never copy a recorder */
} run_recorder;

/* Record into run run_id of s; s and run_id must outlive the recorder. */
void run_recorder_init(run_recorder *r, store *s, const char *run_id);

#endif
