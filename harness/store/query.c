/* query.c — one read-only SQL statement over the database, printed as an aligned
 * table, CSV or JSON (`attnbench query`).
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

/* A column value as text: integers exactly, reals in the shortest form that reads back
 * to the same double, blobs in hex; NULL leaves the buffer untouched. */
static void append_value(strbuf *b, sqlite3_stmt *stmt, int column) {
    switch (sqlite3_column_type(stmt, column)) {
    case SQLITE_INTEGER:
        strbuf_printf(b, "%lld", (long long)sqlite3_column_int64(stmt, column));
        break;
    case SQLITE_FLOAT: strbuf_append_real(b, sqlite3_column_double(stmt, column)); break;
    case SQLITE_BLOB: {
        const unsigned char *bytes = sqlite3_column_blob(stmt, column);
        int n = sqlite3_column_bytes(stmt, column);
        for (int i = 0; i < n; i++) strbuf_printf(b, "%02x", bytes[i]);
        break;
    }
    case SQLITE_TEXT: {
        const char *text = (const char *)sqlite3_column_text(stmt, column);
        strbuf_append_n(b, text, (size_t)sqlite3_column_bytes(stmt, column));
        break;
    }
    default: break;
    }
}

static void append_csv_field(strbuf *b, const char *text, bool is_null) {
    if (is_null) return;
    if (text[0] != '\0' && strpbrk(text, ",\"\r\n") == NULL) {
        strbuf_append(b, text);
        return;
    }
    /* RFC 4180: quoted, with quotes doubled; "" keeps the empty string apart from NULL. */
    strbuf_append(b, "\"");
    for (const char *p = text; *p; p++) {
        if (*p == '"')
            strbuf_append(b, "\"\"");
        else
            strbuf_append_n(b, p, 1);
    }
    strbuf_append(b, "\"");
}

/* Table cells stay on one line: line breaks and tabs are shown as \n, \r, \t. */
static void append_table_text(strbuf *b, const char *text) {
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            strbuf_append(b, "\\n");
        else if (*p == '\r')
            strbuf_append(b, "\\r");
        else if (*p == '\t')
            strbuf_append(b, "\\t");
        else
            strbuf_append_n(b, p, 1);
    }
}

/* Characters on screen: UTF-8 continuation bytes take no column. */
static size_t display_width(const char *text) {
    size_t width = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if ((*p & 0xC0) != 0x80) width++;
    return width;
}

static void pad(strbuf *b, size_t n) {
    for (size_t i = 0; i < n; i++) strbuf_append(b, " ");
}

/* Rows are kept whole to size the columns: cells[row * columns + column], NULL for SQL
 * NULL; a column whose every non-NULL cell is a number is right-aligned. */
typedef struct table {
    int columns;
    size_t rows, capacity;
    char **cells;
    bool *numeric; /* [columns] */
    bool *any;     /* [columns]: some cell is not NULL */
} table;

static void table_add_row(table *t, sqlite3_stmt *stmt) {
    if (t->rows == t->capacity) {
        t->capacity = t->capacity ? 2 * t->capacity : 64;
        t->cells = realloc(t->cells, t->capacity * (size_t)t->columns * sizeof *t->cells);
        CHECK(t->cells != NULL);
    }
    for (int c = 0; c < t->columns; c++) {
        char **cell = &t->cells[t->rows * (size_t)t->columns + (size_t)c];
        int type = sqlite3_column_type(stmt, c);
        *cell = NULL;
        if (type == SQLITE_NULL) continue;
        t->any[c] = true;
        if (type != SQLITE_INTEGER && type != SQLITE_FLOAT) t->numeric[c] = false;
        strbuf raw = {0}, shown = {0};
        append_value(&raw, stmt, c);
        strbuf_append(&shown, "");
        if (raw.data) append_table_text(&shown, raw.data);
        strbuf_free(&raw);
        *cell = shown.data;
    }
    t->rows++;
}

static void table_write(const table *t, sqlite3_stmt *stmt, FILE *out) {
    size_t *width = calloc((size_t)t->columns + 1, sizeof *width);
    CHECK(width != NULL);
    for (int c = 0; c < t->columns; c++) {
        width[c] = display_width(sqlite3_column_name(stmt, c));
        for (size_t r = 0; r < t->rows; r++) {
            const char *cell = t->cells[r * (size_t)t->columns + (size_t)c];
            if (cell && display_width(cell) > width[c]) width[c] = display_width(cell);
        }
    }
    strbuf line = {0};
    for (size_t r = 0; r < t->rows + 2; r++) {
        line.length = 0;
        strbuf_append(&line, "");
        for (int c = 0; c < t->columns; c++) {
            bool last = c == t->columns - 1, right = t->numeric[c] && t->any[c];
            if (c > 0) strbuf_append(&line, "  ");
            if (r == 1) {
                for (size_t i = 0; i < width[c]; i++) strbuf_append(&line, "-");
                continue;
            }
            const char *text = r == 0 ? sqlite3_column_name(stmt, c)
                                      : t->cells[(r - 2) * (size_t)t->columns + (size_t)c];
            if (!text) text = "";
            size_t gap = width[c] - display_width(text);
            if (right) pad(&line, gap);
            strbuf_append(&line, text);
            if (!right && !last) pad(&line, gap);
        }
        while (line.length > 0 && line.data[line.length - 1] == ' ')
            line.data[--line.length] = '\0';
        fprintf(out, "%s\n", line.data);
    }
    strbuf_free(&line);
    free(width);
}

static void table_free(table *t) {
    for (size_t i = 0; i < t->rows * (size_t)t->columns; i++) free(t->cells[i]);
    free(t->cells);
    free(t->numeric);
    free(t->any);
}

static void csv_write_row(sqlite3_stmt *stmt, int columns, bool header, FILE *out) {
    strbuf line = {0}, value = {0};
    strbuf_append(&line, "");
    for (int c = 0; c < columns; c++) {
        if (c > 0) strbuf_append(&line, ",");
        value.length = 0;
        strbuf_append(&value, "");
        bool is_null = !header && sqlite3_column_type(stmt, c) == SQLITE_NULL;
        if (header)
            strbuf_append(&value, sqlite3_column_name(stmt, c));
        else
            append_value(&value, stmt, c);
        append_csv_field(&line, value.data, is_null);
    }
    fprintf(out, "%s\n", line.data);
    strbuf_free(&line);
    strbuf_free(&value);
}

static void json_write_row(sqlite3_stmt *stmt, int columns, bool first, FILE *out) {
    strbuf line = {0};
    strbuf_append(&line, first ? "[\n  {" : ",\n  {");
    for (int c = 0; c < columns; c++) {
        if (c > 0) strbuf_append(&line, ",");
        strbuf_append_json_string(&line, sqlite3_column_name(stmt, c));
        strbuf_append(&line, ":");
        switch (sqlite3_column_type(stmt, c)) {
        case SQLITE_NULL: strbuf_append(&line, "null"); break;
        case SQLITE_INTEGER:
            strbuf_printf(&line, "%lld", (long long)sqlite3_column_int64(stmt, c));
            break;
        case SQLITE_FLOAT: strbuf_append_json_number(&line, sqlite3_column_double(stmt, c)); break;
        default: {
            strbuf text = {0};
            strbuf_append(&text, "");
            append_value(&text, stmt, c);
            strbuf_append_json_string(&line, text.data);
            strbuf_free(&text);
        }
        }
    }
    strbuf_append(&line, "}");
    fputs(line.data, out);
    strbuf_free(&line);
}

int store_query(store *s, const char *sql, enum query_format format, FILE *out, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    if (prepare_query(s, sql, &stmt, err)) return -1;
    int columns = sqlite3_column_count(stmt);
    table t = {.columns = columns,
               .numeric = calloc((size_t)columns + 1, sizeof(bool)),
               .any = calloc((size_t)columns + 1, sizeof(bool))};
    CHECK(t.numeric != NULL && t.any != NULL);
    for (int c = 0; c < columns; c++) t.numeric[c] = true;
    if (format == QUERY_CSV) csv_write_row(stmt, columns, true, out);
    size_t rows = 0;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (format == QUERY_TABLE)
            table_add_row(&t, stmt);
        else if (format == QUERY_CSV)
            csv_write_row(stmt, columns, false, out);
        else
            json_write_row(stmt, columns, rows == 0, out);
        rows++;
    }
    int result = 0;
    if (rc != SQLITE_DONE) {
        int code = sqlite3_errcode(s->db) & 0xff;
        result = code == SQLITE_BUSY || code == SQLITE_LOCKED
                     ? store_fail_sql(s, "query", err)
                     : error_set(err, EXIT_USAGE, "query: %s", sqlite3_errmsg(s->db));
    } else if (format == QUERY_TABLE) {
        table_write(&t, stmt, out);
    } else if (format == QUERY_JSON) {
        fputs(rows == 0 ? "[]\n" : "\n]\n", out);
    }
    table_free(&t);
    sqlite3_finalize(stmt);
    if (result == 0 && (fflush(out) != 0 || ferror(out)))
        result = error_set(err, EXIT_RUNTIME, "query: cannot write the output");
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
