/* heartbeat.h — a thread that keeps a running run's heartbeat fresh.
 *
 * While a run trains, evaluates or waits on a lock, its own connection writes
 * run.heartbeat_at every few seconds, so `attnbench reap` (and every sweep) can tell a
 * live run on another machine from one whose process died without a word. */
#ifndef ATTNBENCH_STORE_HEARTBEAT_H
#define ATTNBENCH_STORE_HEARTBEAT_H

#include "core/error.h"

#define HEARTBEAT_SECONDS 15     /* how often a running run beats */
#define HEARTBEAT_STALE_SECONDS 120 /* a running run silent this long is dead */

typedef struct heartbeat heartbeat;

/* Start beating for run_id in the database at path (opened again by the thread). */
int heartbeat_start(heartbeat **out, const char *path, const char *run_id, error_info *err);
/* Stop the thread and close its connection; NULL is fine. */
void heartbeat_stop(heartbeat *h);

#endif
