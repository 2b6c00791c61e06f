/* merge_snapshot.c — recognise an input database and take a private copy of it.
 *
 * An input is someone's results: merging must not change it, not even by migrating
 * it in place or checkpointing its WAL on close. So it is opened only read-only:
 * store_open refuses what is not ours (not SQLite, another application_id, a newer
 * schema, a missing or empty file) with a line naming the file; an older schema, which
 * a read-only store_open also refuses, is accepted here. The SQLite backup API then
 * copies it, in one read transaction, to a temporary file that store_open migrates
 * when it is older. merge.c attaches that copy to the output's connection. */
#define _POSIX_C_SOURCE 200809L
#include "store/merge_snapshot.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/merge.h"
#include "store/store_internal.h"

/* Is path an attnbench database of an older schema? (Asked only after a read-only
 * store_open refused it, to tell that refusal from the others.) */
static bool is_older_schema(const char *path) {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    bool older = false;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db,
                           "SELECT (SELECT application_id FROM pragma_application_id), "
                           "(SELECT user_version FROM pragma_user_version)",
                           -1, &stmt, NULL) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
        int version = sqlite3_column_int(stmt, 1);
        older = sqlite3_column_int(stmt, 0) == STORE_APPLICATION_ID && version >= 1 &&
                version < STORE_SCHEMA_VERSION;
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return older;
}

/* 0 for a current schema, 1 for an older one that the copy must migrate. */
static int check_input(const char *path, bool *older, error_info *err) {
    store *s = NULL;
    *older = false;
    if (store_open(&s, path, true, err) == 0) {
        store_close(s);
        return 0;
    }
    if (!is_older_schema(path)) return -1;
    *older = true;
    return 0;
}

int merge_check_input(const char *path, error_info *err) {
    bool older;
    return check_input(path, &older, err);
}

static int backup(const char *input, const char *copy, error_info *err) {
    sqlite3 *src = NULL, *dst = NULL;
    int result = 0;
    if (sqlite3_open_v2(input, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        result = error_set(err, EXIT_RUNTIME, "%s: cannot open database: %s", input,
                           src ? sqlite3_errmsg(src) : "out of memory");
    } else if (sqlite3_open_v2(copy, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        result = error_set(err, EXIT_RUNTIME, "%s: cannot open a copy of %s: %s", copy, input,
                           dst ? sqlite3_errmsg(dst) : "out of memory");
    } else {
        sqlite3_busy_timeout(src, STORE_BUSY_TIMEOUT_MS);
        sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
        int rc = b ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
        if (b) sqlite3_backup_finish(b);
        if (rc != SQLITE_DONE)
            result = error_set(err, EXIT_RUNTIME, "%s: cannot copy the database: %s", input,
                               sqlite3_errmsg(b ? src : dst));
    }
    sqlite3_close(dst);
    sqlite3_close(src);
    return result;
}

int merge_snapshot_take(const char *input, char *copy, size_t copy_size, error_info *err) {
    bool older;
    if (check_input(input, &older, err)) return -1;
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    if ((size_t)snprintf(copy, copy_size, "%s/attnbench-merge-XXXXXX", dir) >= copy_size)
        return error_set(err, EXIT_RUNTIME, "%s: temporary directory path too long", dir);
    int fd = mkstemp(copy);
    if (fd < 0)
        return error_set(err, EXIT_RUNTIME, "%s: cannot create a temporary copy of %s: %s", dir,
                         input, strerror(errno));
    close(fd);
    if (backup(input, copy, err)) goto fail;
    if (older) {
        store *s = NULL;
        if (store_open(&s, copy, false, err)) {
            error_prefix(err, "%s: cannot migrate a copy to schema version %d", input,
                         STORE_SCHEMA_VERSION);
            goto fail;
        }
        store_close(s);
    }
    return 0;
fail:
    merge_snapshot_remove(copy);
    return -1;
}

void merge_snapshot_remove(const char *copy) {
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s%s", copy, suffixes[i]);
        unlink(path);
    }
}
