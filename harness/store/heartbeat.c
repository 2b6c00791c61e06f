/* heartbeat.c — the heartbeat thread: one connection of its own, one conditional UPDATE
 * every HEARTBEAT_SECONDS while the run is `running`, and a prompt stop. A failed beat
 * (say, the database locked for longer than the busy timeout) is skipped, not fatal:
 * the next one will do, and staleness is judged in minutes. */
#define _POSIX_C_SOURCE 200809L
#include "store/heartbeat.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/check.h"
#include "core/timer.h"
#include "store/store_internal.h"

struct heartbeat {
    store *db;
    char run_id[33];
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
};

static void beat(heartbeat *h) {
    char now[32];
    timer_utc_iso(now, sizeof now);
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(h->db->db, "UPDATE run SET heartbeat_at = ?2 WHERE id = ?1 AND status = 'running'", -1,
                           &stmt, NULL) != SQLITE_OK)
        return;
    store_bind_text(stmt, 1, h->run_id);
    store_bind_text(stmt, 2, now);
    sqlite3_step(stmt);
    sqlite3_finalize(stmt);
}

static void *beat_loop(void *arg) {
    heartbeat *h = arg;
    pthread_mutex_lock(&h->lock);
    while (!h->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += HEARTBEAT_SECONDS;
        while (!h->stopping && pthread_cond_timedwait(&h->wake, &h->lock, &until) == 0) {
        }
        if (h->stopping) break;
        pthread_mutex_unlock(&h->lock);
        beat(h);
        pthread_mutex_lock(&h->lock);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

int heartbeat_start(heartbeat **out, const char *path, const char *run_id, error_info *err) {
    *out = NULL;
    heartbeat *h = calloc(1, sizeof *h);
    CHECK(h != NULL);
    if (store_open(&h->db, path, false, err) != 0) {
        free(h);
        return -1;
    }
    snprintf(h->run_id, sizeof h->run_id, "%s", run_id);
    pthread_mutex_init(&h->lock, NULL);
    pthread_cond_init(&h->wake, NULL);
    if (pthread_create(&h->thread, NULL, beat_loop, h) != 0) {
        store_close(h->db);
        free(h);
        return error_set(err, EXIT_RUNTIME, "cannot start the heartbeat thread");
    }
    *out = h;
    return 0;
}

void heartbeat_stop(heartbeat *h) {
    if (!h) return;
    pthread_mutex_lock(&h->lock);
    h->stopping = true;
    pthread_cond_signal(&h->wake);
    pthread_mutex_unlock(&h->lock);
    pthread_join(h->thread, NULL);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->wake);
    store_close(h->db);
    free(h);
}
