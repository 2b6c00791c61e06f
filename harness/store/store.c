/* store.c — opening the results database: recognise, refuse or create, then migrate.
 *
 * A database file is precious and may not be ours, so nothing is written before the
 * file has been recognised. The first look is at the raw 100-byte header: not SQLite,
 * another application's id, or tables under application_id 0 are refused there without
 * SQLite ever opening the file. The header on disk can lag behind a WAL file, so the
 * second look is through a read-only connection (which never checkpoints on close).
 * Only then is a writing connection opened, switched to WAL and migrated, inside one
 * BEGIN IMMEDIATE that looks at the header a third time, so two processes creating the
 * same new file at once end with one schema. A missing file is created empty first (so
 * the error for a missing directory is the system's own), and an empty file counts as
 * new. */
#define _POSIX_C_SOURCE 200809L
#include "store/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/check.h"
#include "core/timer.h"

enum file_kind { FILE_EMPTY, FILE_SQLITE, FILE_OTHER };

#define HEADER_SIZE 100 /* the SQLite file header */

/* What the header of an SQLite file says about it. */
typedef struct db_state {
    int application_id;
    int user_version;
    int tables; /* entries in sqlite_master */
} db_state;

int store_fail_sql(store *s, const char *what, error_info *err) {
    int code = sqlite3_errcode(s->db) & 0xff;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
        return error_set(err, EXIT_RUNTIME,
                         "%s: database is locked by another process (waited %g s)", s->path,
                         s->busy_timeout_ms / 1000.0);
    if (code == SQLITE_NOTADB)
        return error_set(err, EXIT_RUNTIME,
                         "%s: not an attnbench database (file is not a database)", s->path);
    return error_set(err, EXIT_RUNTIME, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static int exec_sql(store *s, const char *sql, const char *what, error_info *err) {
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return store_fail_sql(s, what, err);
    return 0;
}

int store_begin(store *s, error_info *err) {
    return exec_sql(s, "BEGIN IMMEDIATE", "cannot start a write transaction", err);
}

int store_commit(store *s, error_info *err) {
    if (exec_sql(s, "COMMIT", "cannot commit", err)) {
        store_rollback(s);
        return -1;
    }
    return 0;
}

void store_rollback(store *s) {
    if (!sqlite3_get_autocommit(s->db)) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* The header fields and the table count, read by one statement so that they come from one
 * snapshot: separate statements are separate read transactions, and a writer committing
 * in between would show tables under application_id 0. */
static int read_state(store *s, db_state *state, error_info *err) {
    static const char sql[] = "SELECT (SELECT application_id FROM pragma_application_id), "
                              "(SELECT user_version FROM pragma_user_version), "
                              "(SELECT count(*) FROM sqlite_master)";
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        state->application_id = sqlite3_column_int(stmt, 0);
        state->user_version = sqlite3_column_int(stmt, 1);
        state->tables = sqlite3_column_int(stmt, 2);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW) return store_fail_sql(s, "cannot read database", err);
    return 0;
}

/* Refuse a file that belongs to another program or to a newer attnbench. An
 * application_id of 0 with no tables is a blank SQLite file, which we may claim. */
static int check_owner(const char *path, const db_state *state, error_info *err) {
    bool ours = state->application_id == STORE_APPLICATION_ID;
    if (!ours && (state->application_id != 0 || state->tables > 0))
        return error_set(
            err, EXIT_RUNTIME,
            "%s: not an attnbench database (application_id 0x%08x); refusing to touch it", path,
            (unsigned)state->application_id);
    if (ours && state->user_version > STORE_SCHEMA_VERSION)
        return error_set(err, EXIT_RUNTIME,
                         "%s: database schema version %d is newer than this attnbench supports "
                         "(%d); upgrade attnbench",
                         path, state->user_version, STORE_SCHEMA_VERSION);
    return 0;
}

static int32_t header_int(const unsigned char *header, int offset) {
    const unsigned char *p = header + offset; /* big-endian */
    return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]);
}

/* The first HEADER_SIZE bytes of the file (fewer when it is shorter: *got says how
 * many), read through SQLite's own file layer. Never with open() and close(): closing
 * any descriptor of a file drops every POSIX lock this process holds on it, so a raw
 * look while another connection of this process has the database open (the run's
 * heartbeat opens a second one) would release that connection's locks, and another
 * process could then checkpoint and reset the WAL under it: a corrupt database.
 * SQLite's unix layer keeps such a descriptor open until the locks are gone. */
static int read_raw_header(const char *path, unsigned char *header, size_t *got, error_info *err) {
    sqlite3_vfs *vfs = sqlite3_vfs_find(NULL);
    char *full = calloc(1, (size_t)vfs->mxPathname + 1);
    sqlite3_file *file = calloc(1, (size_t)vfs->szOsFile);
    int rc = full && file ? vfs->xFullPathname(vfs, path, vfs->mxPathname + 1, full) : SQLITE_NOMEM;
    int saved = 0;
    if (rc == SQLITE_OK) {
        int flags = 0;
        rc = vfs->xOpen(vfs, full, file, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB, &flags);
        saved = errno;
    }
    sqlite3_int64 size = 0;
    if (rc == SQLITE_OK) rc = file->pMethods->xFileSize(file, &size);
    *got = size < HEADER_SIZE ? (size_t)(size > 0 ? size : 0) : HEADER_SIZE;
    if (rc == SQLITE_OK && *got > 0) rc = file->pMethods->xRead(file, header, (int)*got, 0);
    if (file && file->pMethods) file->pMethods->xClose(file);
    free(file);
    free(full);
    if (rc == SQLITE_OK) return 0;
    return error_set(err, EXIT_RUNTIME, "%s: cannot %s database: %s", path, saved ? "open" : "read",
                     saved ? strerror(saved) : sqlite3_errstr(rc));
}

/* Is the file empty, SQLite, or something else? For SQLite, what its header on disk
 * says: application_id, user_version, and tables if the schema cookie ever moved. */
static int read_header(const char *path, enum file_kind *kind, db_state *state, error_info *err) {
    unsigned char header[HEADER_SIZE];
    size_t got = 0;
    if (read_raw_header(path, header, &got, err)) return -1;
    *state = (db_state){0, 0, 0};
    if (got == 0) {
        *kind = FILE_EMPTY;
    } else if (got == sizeof header && memcmp(header, "SQLite format 3", 16) == 0) {
        *kind = FILE_SQLITE;
        state->application_id = header_int(header, 68);
        state->user_version = header_int(header, 60);
        state->tables = header_int(header, 40) != 0;
    } else {
        *kind = FILE_OTHER;
    }
    return 0;
}

static int open_connection(store *s, int flags, error_info *err) {
    if (sqlite3_open_v2(s->path, &s->db, flags, NULL) != SQLITE_OK)
        return error_set(err, EXIT_RUNTIME, "%s: cannot open database: %s", s->path,
                         s->db ? sqlite3_errmsg(s->db) : "out of memory");
    sqlite3_busy_timeout(s->db, s->busy_timeout_ms);
    return 0;
}

static void close_connection(store *s) {
    if (!s->db) return;
    /* Every statement is finalized where it was prepared; a busy close is a leak. */
    CHECK(sqlite3_close(s->db) == SQLITE_OK);
    s->db = NULL;
}

/* "PATH: <what>: <the step's message without its PATH: prefix>". */
static void name_migration(const store *s, const char *what, error_info *err) {
    char message[sizeof err->message];
    const size_t n = strlen(s->path);
    const bool prefixed = strncmp(err->message, s->path, n) == 0 && strncmp(err->message + n, ": ", 2) == 0;
    snprintf(message, sizeof message, "%s", err->message + (prefixed ? n + 2 : 0));
    error_set(err, err->status, "%s: %s: %s", s->path, what, message);
}

/* Claim a blank file and bring the schema up to date, in one transaction that looks at
 * the header again in case another process got there first. */
static int migrate(store *s, error_info *err) {
    if (store_begin(s, err)) return -1;
    db_state state = {0};
    if (read_state(s, &state, err) || check_owner(s->path, &state, err)) goto fail;
    char pragma[64];
    if (state.application_id == 0) {
        snprintf(pragma, sizeof pragma, "PRAGMA application_id = %d", STORE_APPLICATION_ID);
        if (exec_sql(s, pragma, "cannot mark the database as attnbench's", err)) goto fail;
    }
    for (int i = state.user_version; i < store_migration_count; i++) {
        CHECK(store_migrations[i].version == i + 1);
        char what[64];
        snprintf(what, sizeof what, "migration to schema version %d failed", i + 1);
        if (exec_sql(s, store_migrations[i].sql, what, err)) goto fail;
        if (store_migrations[i].step && store_migrations[i].step(s, err)) {
            name_migration(s, what, err);
            goto fail;
        }
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", i + 1);
        if (exec_sql(s, pragma, what, err)) goto fail;
    }
    return store_commit(s, err);
fail:
    store_rollback(s);
    return -1;
}

/* Switch to WAL. Changing the journal mode does not wait on the busy handler, so when
 * two processes create the same file at once the loser retries here, within the same
 * busy timeout as any other write. */
static int switch_to_wal(store *s, error_info *err) {
    double deadline = timer_now() + s->busy_timeout_ms / 1000.0;
    for (;;) {
        sqlite3_stmt *stmt = NULL;
        int rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &stmt, NULL);
        if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
        if (rc == SQLITE_ROW) {
            bool wal = strcmp((const char *)sqlite3_column_text(stmt, 0), "wal") == 0;
            sqlite3_finalize(stmt);
            if (!wal)
                return error_set(err, EXIT_RUNTIME, "%s: cannot switch to WAL journal mode",
                                 s->path);
            return 0;
        }
        /* Another process switching at the same moment may have deleted the rollback
         * journal this one was about to delete: SQLite reports that as an I/O error. */
        const int code = sqlite3_extended_errcode(s->db);
        bool retry = (code & 0xff) == SQLITE_BUSY || code == SQLITE_IOERR_DELETE_NOENT;
        if (!retry || timer_now() >= deadline) {
            store_fail_sql(s, "cannot switch to WAL journal mode", err);
            sqlite3_finalize(stmt);
            return -1;
        }
        sqlite3_finalize(stmt);
        sqlite3_sleep(2);
    }
}

/* WAL lets readers run beside the one writer; NORMAL sync is still atomic across a
 * killed process (only a power cut can lose the last commits). */
static int configure_writer(store *s, error_info *err) {
    if (sqlite3_db_readonly(s->db, "main") == 1)
        return error_set(err, EXIT_RUNTIME, "%s: cannot open database for writing: read-only file",
                         s->path);
    if (switch_to_wal(s, err)) return -1;
    return exec_sql(s, "PRAGMA synchronous = NORMAL", "cannot set synchronous mode", err);
}

/* Create a missing file empty, so that a missing directory is reported as such. */
static int ensure_file(const char *path, bool read_only, error_info *err) {
    struct stat st;
    if (stat(path, &st) == 0) return 0;
    if (errno != ENOENT)
        return error_set(err, EXIT_RUNTIME, "%s: cannot open database: %s", path, strerror(errno));
    if (read_only) return error_set(err, EXIT_RUNTIME, "%s: no such database", path);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
        return error_set(err, EXIT_RUNTIME, "%s: cannot create database: %s", path,
                         strerror(errno));
    close(fd);
    return 0;
}

int store_open(store **out, const char *path, bool read_only, error_info *err) {
    *out = NULL;
    enum file_kind kind = FILE_EMPTY;
    db_state state = {0};
    if (ensure_file(path, read_only, err) || read_header(path, &kind, &state, err)) return -1;
    if (kind == FILE_OTHER)
        return error_set(err, EXIT_RUNTIME,
                         "%s: not an attnbench database (file is not a database)", path);
    if (check_owner(path, &state, err)) return -1;
    store *s = calloc(1, sizeof *s);
    CHECK(s != NULL);
    s->path = strdup(path);
    CHECK(s->path != NULL);
    s->busy_timeout_ms = STORE_BUSY_TIMEOUT_MS;

    if (open_connection(s, SQLITE_OPEN_READONLY, err)) goto fail;
    if (kind == FILE_SQLITE && (read_state(s, &state, err) || check_owner(path, &state, err)))
        goto fail;
    if (read_only) {
        if (state.application_id != STORE_APPLICATION_ID) {
            error_set(err, EXIT_RUNTIME, "%s: empty database (nothing recorded yet)", path);
            goto fail;
        }
        if (state.user_version < STORE_SCHEMA_VERSION) {
            error_set(err, EXIT_RUNTIME,
                      "%s: database schema version %d is older than this attnbench expects (%d); "
                      "record a run with it to migrate it",
                      path, state.user_version, STORE_SCHEMA_VERSION);
            goto fail;
        }
    } else {
        close_connection(s);
        if (open_connection(s, SQLITE_OPEN_READWRITE, err) || configure_writer(s, err)) goto fail;
        if (state.application_id != STORE_APPLICATION_ID ||
            state.user_version < STORE_SCHEMA_VERSION) {
            if (migrate(s, err)) goto fail;
        }
    }
    if (exec_sql(s, "PRAGMA foreign_keys = ON", "cannot enable foreign keys", err)) goto fail;
    *out = s;
    return 0;
fail:
    store_close(s);
    return -1;
}

void store_close(store *s) {
    if (!s) return;
    close_connection(s);
    free(s->path);
    free(s);
}

void store_set_busy_timeout(store *s, int milliseconds) {
    CHECK(milliseconds >= 0);
    s->busy_timeout_ms = milliseconds;
    sqlite3_busy_timeout(s->db, milliseconds);
}

struct sqlite3 *store_db(store *s) { return s->db; }
