/* query.c — one read-only SQL statement over the database, its rows filled into the
 * table model (table/table.h) and printed by its renderers as an aligned table, CSV or
 * JSON (`attnbench query`, and `ls`, `status`, `show`, `export` through it).
 *
 * Three guards keep a query from changing anything: the statement must be the only one
 * in the text, SQLite must report it read-only (sqlite3_stmt_readonly), and an
 * authorizer refuses what that check lets through: ATTACH/DETACH, transactions,
 * REINDEX/ANALYZE and any PRAGMA outside a list of ones that only read. The command
 * also opens its connection read-only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/strbuf.h"
#include "store/store_internal.h"
#include "table/table.h"

/* Pragmas that read, callable with or without an argument (a table or index name). */
static const char *const info_pragmas[] = {
    "table_info",  "table_xinfo",      "table_list",        "index_list",      "index_info",
    "index_xinfo", "foreign_key_list", "foreign_key_check", "integrity_check", "quick_check",
};
/* Pragmas that read a setting when called without an argument (and write with one). */
static const char *const setting_pragmas[] = {
    "application_id", "user_version",   "schema_version", "page_count",   "page_size",
    "freelist_count", "journal_mode",   "encoding",       "foreign_keys", "compile_options",
    "database_list",  "collation_list", "function_list",  "module_list",  "pragma_list",
};

static bool in_list(const char *name, const char *const *list, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (sqlite3_stricmp(name, list[i]) == 0) return true; /* names are case-blind */
    return false;
}

static bool pragma_reads_only(const char *name, const char *argument) {
    if (in_list(name, info_pragmas, sizeof info_pragmas / sizeof info_pragmas[0])) return true;
    return argument == NULL &&
           in_list(name, setting_pragmas, sizeof setting_pragmas / sizeof setting_pragmas[0]);
}

static int authorize(void *ctx, int action, const char *arg1, const char *arg2,
                     const char *database, const char *trigger) {
    bool *denied = ctx;
    switch (action) {
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
    case SQLITE_TRANSACTION:
    case SQLITE_SAVEPOINT:
    case SQLITE_REINDEX:
    case SQLITE_ANALYZE: *denied = true; return SQLITE_DENY;
    case SQLITE_PRAGMA:
        if (pragma_reads_only(arg1, arg2)) return SQLITE_OK;
        *denied = true;
        return SQLITE_DENY;
    default: return SQLITE_OK;
    }
}

static int refuse_write(error_info *err) {
    return error_set(err, EXIT_USAGE, "query: only read-only statements are allowed");
}

/* Prepare sql as exactly one read-only statement. */
static int prepare_query(store *s, const char *sql, sqlite3_stmt **out, error_info *err) {
    bool denied = false;
    const char *tail = NULL;
    sqlite3_stmt *stmt = NULL, *extra = NULL;
    sqlite3_set_authorizer(s->db, authorize, &denied);
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &stmt, &tail);
    int result = 0;
    if (rc != SQLITE_OK)
        result = denied ? refuse_write(err)
                        : error_set(err, EXIT_USAGE, "query: %s", sqlite3_errmsg(s->db));
    else if (!stmt)
        result = error_set(err, EXIT_USAGE, "query: no SQL statement given");
    else if (!sqlite3_stmt_readonly(stmt))
        result = refuse_write(err);
    else if (sqlite3_prepare_v2(s->db, tail, -1, &extra, NULL) != SQLITE_OK || extra)
        result = error_set(err, EXIT_USAGE, "query: only one statement is allowed");
    sqlite3_set_authorizer(s->db, NULL, NULL);
    sqlite3_finalize(extra);
    if (result)
        sqlite3_finalize(stmt);
    else
        *out = stmt;
    return result;
}

/* A column value into its cell: integers exactly, reals in the shortest form that reads
 * back to the same double (numbers), text as it is, blobs in hex, NULL empty. */
static void fill_cell(table_cell *cell, sqlite3_stmt *stmt, int column) {
    strbuf text = {0};
    strbuf_append(&text, "");
    const int type = sqlite3_column_type(stmt, column);
    switch (type) {
    case SQLITE_INTEGER: strbuf_printf(&text, "%lld", (long long)sqlite3_column_int64(stmt, column)); break;
    case SQLITE_FLOAT: strbuf_append_real(&text, sqlite3_column_double(stmt, column)); break;
    case SQLITE_BLOB: {
        const unsigned char *bytes = sqlite3_column_blob(stmt, column);
        const int n = sqlite3_column_bytes(stmt, column);
        for (int i = 0; i < n; i++) strbuf_printf(&text, "%02x", bytes[i]);
        break;
    }
    case SQLITE_TEXT: strbuf_append(&text, (const char *)sqlite3_column_text(stmt, column)); break;
    default: break;
    }
    const bool number = type == SQLITE_INTEGER || type == SQLITE_FLOAT;
    table_cell_text(cell, type == SQLITE_NULL ? CELL_EMPTY : number ? CELL_NUMBER : CELL_TEXT, text.data);
    if (number) cell->value = sqlite3_column_double(stmt, column);
    strbuf_free(&text);
}

/* Every row of stmt into t; a column whose every non-NULL cell is a number (and that
 * has one) is right-aligned. */
static int read_rows(store *s, sqlite3_stmt *stmt, table *t, error_info *err) {
    const int columns = sqlite3_column_count(stmt);
    for (int c = 0; c < columns; c++) table_add_column(t, sqlite3_column_name(stmt, c), false, true);
    bool *any = calloc((size_t)columns + 1, sizeof *any);
    CHECK(any != NULL);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        table_row *row = table_add_row(t, ROW_OURS, NULL);
        for (int c = 0; c < columns; c++) {
            fill_cell(&row->cells[c], stmt, c);
            any[c] |= row->cells[c].kind != CELL_EMPTY;
            t->columns[c].right &= row->cells[c].kind != CELL_TEXT;
        }
    }
    for (int c = 0; c < columns; c++) t->columns[c].right &= any[c];
    free(any);
    if (rc == SQLITE_DONE) return 0;
    const int code = sqlite3_errcode(s->db) & 0xff;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) return store_fail_sql(s, "query", err);
    return error_set(err, EXIT_USAGE, "query: %s", sqlite3_errmsg(s->db));
}

int store_query(store *s, const char *sql, enum query_format format, FILE *out, error_info *err) {
    static const table_records_renderer renderers[] = {
        [QUERY_TABLE] = render_text, [QUERY_CSV] = render_csv_records, [QUERY_JSON] = render_json_records};
    sqlite3_stmt *stmt = NULL;
    if (prepare_query(s, sql, &stmt, err)) return -1;
    table_doc doc = {0};
    table *t = table_doc_add(&doc, "query", NULL);
    int result = read_rows(s, stmt, t, err);
    sqlite3_finalize(stmt);
    if (result == 0) {
        renderers[format](t, out);
        if (fflush(out) != 0 || ferror(out)) result = error_set(err, EXIT_RUNTIME, "query: cannot write the output");
    }
    table_doc_free(&doc);
    return result;
}

bool query_format_parse(const char *name, enum query_format *out) {
    static const struct {
        const char *name;
        enum query_format format;
    } formats[] = {{"table", QUERY_TABLE}, {"csv", QUERY_CSV}, {"json", QUERY_JSON}};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(name, formats[i].name) == 0) {
            *out = formats[i].format;
            return true;
        }
    return false;
}
