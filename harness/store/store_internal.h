/* store_internal.h — what the store's own files share and nothing else sees.
 *
 * The connection and path behind a `store`, the ordered list of schema migrations
 * (schema.c), and the helpers that turn SQLite failures into one-line errors that start
 * with the database path and wrap writes in BEGIN IMMEDIATE transactions. */
#ifndef ATTNBENCH_STORE_INTERNAL_H
#define ATTNBENCH_STORE_INTERNAL_H

#include <sqlite3.h>

#include "core/error.h"
#include "store/store.h"

#define STORE_BUSY_TIMEOUT_MS 10000

struct store {
    sqlite3 *db;
    char *path;
    int busy_timeout_ms; /* how long a write waits for another process's lock */
};

/* Migration i brings the schema from version i to version i + 1 (user_version). */
typedef struct store_migration {
    int version;     /* the user_version after this migration */
    const char *sql; /* one or more statements, run inside the migration transaction */
    int (*step)(store *s, error_info *err); /* then this, in the same transaction; or NULL */
} store_migration;

extern const store_migration store_migrations[];
extern const int store_migration_count;

/* The C step of schema 4 (schema_v4.c): fill run.suite, level and task_order from the
 * task registry; re-key every config by config_hash() of its stored JSON, with its
 * runs; rename each sweep whose whole plan the database holds to the id of its re-keyed
 * plan. */
int store_migrate_v4(store *s, error_info *err);

/* "PATH: <what>: <sqlite message>" for the connection's last error, or the "locked by
 * another process" line when that error was SQLITE_BUSY. Returns -1. */
int store_fail_sql(store *s, const char *what, error_info *err);
/* BEGIN IMMEDIATE, waiting up to the busy timeout for other writers. */
int store_begin(store *s, error_info *err);
int store_commit(store *s, error_info *err);
/* Undo the open transaction, if any; used on error paths, so it never fails loudly. */
void store_rollback(store *s);

/* Prepare one statement, or fail with the connection's error. */
int store_prepare(store *s, const char *sql, sqlite3_stmt **stmt, error_info *err);
/* Step a statement that returns no rows, then reset it and clear its bindings for reuse
 * (it is not finalized); what names the action in the error. */
int store_step_done(store *s, sqlite3_stmt *stmt, const char *what, error_info *err);
/* Bind text (copied); NaN reals as NULL, since SQL has no NaN. */
void store_bind_text(sqlite3_stmt *stmt, int index, const char *text);
void store_bind_real(sqlite3_stmt *stmt, int index, double value);
/* Bind a run's identity as ?2 config_hash, ?3 seed, ?4 name, ?5 task, ?6 task_version,
 * ?7 mechanism, ?8 suite, ?9 level, ?10 task_order (NULL for 0): the columns every
 * statement that creates a run row shares. */
void store_bind_identity(sqlite3_stmt *stmt, const run_identity *id);
/* The config row of a run, if new (inside the caller's transaction). */
int store_record_config(store *s, const run_identity *id, error_info *err);
/* The provenance row of a run (inside the caller's transaction). */
int store_record_provenance(store *s, const char *run_id, const provenance *p, error_info *err);
/* A column as text, "" for NULL. */
const char *store_column_text(sqlite3_stmt *stmt, int column);

#endif
