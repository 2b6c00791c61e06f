/* reap.c — finding runs that say `running` but whose process is gone.
 *
 * A run's process writes a heartbeat every few seconds (store/heartbeat.c). A running
 * row is dead when its host is this machine and its pid no longer exists, or, from
 * any machine, when its heartbeat is older than the stale limit. Each row is marked in
 * its own conditional UPDATE that also requires the heartbeat it was judged by, so a
 * run that beats in the meantime is left alone. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/timer.h"
#include "store/store_internal.h"
#include "store/sweep.h"

/* Seconds from an ISO-8601 UTC time ("2024-05-01T12:00:00.000Z") to now; -1 if unreadable. */
static double age_seconds(const char *iso) {
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int millis = 0;
    if (sscanf(iso, "%d-%d-%dT%d:%d:%d.%dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
               &tm.tm_sec, &millis) < 6)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const time_t then = timegm(&tm);
    return difftime(time(NULL), then) - millis / 1000.0;
}

/* No such process, or only its zombie (an orphan whose parent, PID 1 in some
 * containers, never collects it). */
static bool process_gone(long long pid) {
    if (pid <= 0) return false;
    if (kill((pid_t)pid, 0) != 0) return errno == ESRCH;
    char path[64], stat[256] = "";
    snprintf(path, sizeof path, "/proc/%lld/stat", pid);
    FILE *file = fopen(path, "r");
    if (!file) return false;
    const bool read = fgets(stat, sizeof stat, file) != NULL;
    fclose(file);
    const char *end = strrchr(stat, ')'); /* "pid (comm) S ...": comm may hold spaces */
    return read && end && (end[2] == 'Z' || end[2] == 'X');
}

static int mark_dead(store *s, const char *id, const char *heartbeat, const char *reason, bool *marked,
                     error_info *err) {
    char now[32];
    timer_utc_iso(now, sizeof now);
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(s,
                      "UPDATE run SET status = 'dead', error = ?3, finished_at = ?4 "
                      "WHERE id = ?1 AND status = 'running' AND heartbeat_at IS ?2",
                      &stmt, err))
        return -1;
    store_bind_text(stmt, 1, id);
    if (heartbeat[0]) store_bind_text(stmt, 2, heartbeat);
    store_bind_text(stmt, 3, reason);
    store_bind_text(stmt, 4, now);
    int rc = store_step_done(s, stmt, "cannot mark a run dead", err);
    sqlite3_finalize(stmt);
    *marked = rc == 0 && sqlite3_changes(s->db) == 1;
    return rc;
}

typedef struct running_row {
    char id[33], host[128], heartbeat[32];
    long long pid;
} running_row;

static int read_running(store *s, running_row **rows, int *n, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (store_prepare(s, "SELECT id, host, pid, heartbeat_at FROM run WHERE status = 'running'", &stmt, err))
        return -1;
    int cap = 0, rc;
    *rows = NULL;
    *n = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            running_row *grown = realloc(*rows, (size_t)cap * sizeof **rows);
            if (!grown) break;
            *rows = grown;
        }
        running_row *r = &(*rows)[(*n)++];
        snprintf(r->id, sizeof r->id, "%s", store_column_text(stmt, 0));
        snprintf(r->host, sizeof r->host, "%s", store_column_text(stmt, 1));
        r->pid = sqlite3_column_int64(stmt, 2);
        snprintf(r->heartbeat, sizeof r->heartbeat, "%s", store_column_text(stmt, 3));
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        free(*rows);
        *rows = NULL;
        return store_fail_sql(s, "cannot read running runs", err);
    }
    return 0;
}

int store_reap(store *s, double stale_seconds, FILE *log, int *reaped, error_info *err) {
    char host[128] = "";
    gethostname(host, sizeof host - 1);
    running_row *rows;
    int n;
    *reaped = 0;
    if (read_running(s, &rows, &n, err)) return -1;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const running_row *r = &rows[i];
        const double age = r->heartbeat[0] ? age_seconds(r->heartbeat) : -1;
        char reason[256];
        if (strcmp(r->host, host) == 0 && process_gone(r->pid))
            snprintf(reason, sizeof reason, "process %lld on %s is gone (last heartbeat %s)", r->pid, r->host,
                     r->heartbeat[0] ? r->heartbeat : "never");
        else if (age > stale_seconds || !r->heartbeat[0])
            snprintf(reason, sizeof reason, "no heartbeat for %.0f s (process %lld on %s, last heartbeat %s)", age,
                     r->pid, r->host, r->heartbeat[0] ? r->heartbeat : "never");
        else
            continue;
        bool marked = false;
        rc = mark_dead(s, r->id, r->heartbeat, reason, &marked, err);
        if (marked) {
            (*reaped)++;
            if (log) fprintf(log, "dead: run %s: %s\n", r->id, reason);
        }
    }
    free(rows);
    return rc;
}
