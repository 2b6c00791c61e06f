/* table.c — building, reading and freeing the table model of table.h.
 *
 * "Best" compares values as they are shown (rounded to the table's decimals), so two
 * cells that read the same are bold together and a reader never sees a bold cell equal
 * to a plain one. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "table/table.h"

static char *copy(const char *text) {
    char *c = strdup(text);
    CHECK(c != NULL);
    return c;
}

table *table_doc_add(table_doc *d, const char *id, const char *title) {
    d->tables = realloc(d->tables, ((size_t)d->n_tables + 1) * sizeof *d->tables);
    CHECK(d->tables != NULL);
    table *t = &d->tables[d->n_tables++];
    *t = (table){.id = copy(id), .title = title ? copy(title) : NULL, .agg = "mean_std", .flag = "best", .unit = ""};
    return t;
}

int table_add_column(table *t, const char *label, bool key, bool right) {
    CHECK(t->n_rows == 0);
    t->columns = realloc(t->columns, ((size_t)t->n_columns + 1) * sizeof *t->columns);
    CHECK(t->columns != NULL);
    t->columns[t->n_columns] = (table_column){.label = copy(label), .key = key, .right = right};
    return t->n_columns++;
}

void table_cell_text(table_cell *c, cell_kind kind, const char *text) {
    free(c->text);
    *c = (table_cell){.kind = kind, .text = copy(text)};
}

int table_add_reference_column(table *t, const char *label, const char *source) {
    const int c = table_add_column(t, label, false, true);
    t->columns[c].source = copy(source);
    return c;
}

table_row *table_add_row(table *t, row_kind kind, const char *source) {
    if (t->n_rows == t->row_capacity) {
        t->row_capacity = t->row_capacity ? 2 * t->row_capacity : 16;
        t->rows = realloc(t->rows, (size_t)t->row_capacity * sizeof *t->rows);
        CHECK(t->rows != NULL);
    }
    table_row *r = &t->rows[t->n_rows++];
    *r = (table_row){.kind = kind, .source = source ? copy(source) : NULL,
                     .cells = calloc((size_t)t->n_columns + 1, sizeof *r->cells)};
    CHECK(r->cells != NULL);
    for (int c = 0; c < t->n_columns; c++) table_cell_text(&r->cells[c], CELL_EMPTY, "-");
    return r;
}

void table_set_legend(table *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    const int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    CHECK(n >= 0);
    char *legend = malloc((size_t)n + 1);
    CHECK(legend != NULL);
    va_start(ap, fmt);
    vsnprintf(legend, (size_t)n + 1, fmt, ap);
    va_end(ap);
    free(t->legend); /* after formatting: the arguments may include it */
    t->legend = legend;
}

static long long shown(const table *t, double value) { return llround(value * pow(10.0, t->decimals)); }

void table_mark_best(table *t, int c, int direction) {
    long long best = 0;
    bool any = false;
    for (int pass = 0; pass < 2; pass++)
        for (int r = 0; r < t->n_rows; r++) {
            table_cell *x = &t->rows[r].cells[c];
            if (t->rows[r].kind != ROW_OURS || (x->kind != CELL_STAT && x->kind != CELL_VALUE)) continue;
            const long long v = shown(t, x->value) * (direction < 0 ? -1 : 1);
            if (pass == 0 && (!any || v > best)) best = v;
            any = true;
            if (pass == 1) x->bold = v == best;
        }
}

void table_doc_free(table_doc *d) {
    for (int i = 0; i < d->n_tables; i++) {
        table *t = &d->tables[i];
        for (int r = 0; r < t->n_rows; r++) {
            for (int c = 0; c < t->n_columns; c++) free(t->rows[r].cells[c].text);
            free(t->rows[r].cells);
            free(t->rows[r].source);
        }
        for (int c = 0; c < t->n_columns; c++) {
            free(t->columns[c].label);
            free(t->columns[c].source);
        }
        free(t->rows);
        free(t->columns);
        free(t->id);
        free(t->title);
        free(t->legend);
    }
    free(d->tables);
    free(d->title);
    *d = (table_doc){0};
}

void table_number(const table *t, double value, char *out, size_t size) {
    snprintf(out, size, "%.*f", t->decimals, value);
}

void table_cell_parts(const table *t, const table_cell *c, char *main, size_t main_size, char *rest,
                      size_t rest_size) {
    char value[64], mean[64], std[64];
    table_number(t, c->value, value, sizeof value);
    table_number(t, c->mean, mean, sizeof mean);
    table_number(t, c->std, std, sizeof std);
    rest[0] = '\0';
    switch (c->kind) {
    case CELL_EMPTY:
    case CELL_TEXT:
    case CELL_NUMBER:
        snprintf(main, main_size, "%s", c->text);
        return;
    case CELL_VALUE:
        snprintf(main, main_size, "%s", value);
        if (c->has_ratio) snprintf(rest, rest_size, " (%.2f×)", c->ratio);
        else if (c->unverified) snprintf(rest, rest_size, "†");
        return;
    case CELL_STAT:
        if (strcmp(t->agg, "mean_std") == 0) {
            if (c->n > 1) snprintf(main, main_size, "%s ± %s", mean, std);
            else snprintf(main, main_size, "%s", mean);
            snprintf(rest, rest_size, " (n=%d)", c->n);
        } else {
            snprintf(main, main_size, "%s", value);
            if (c->n > 1) snprintf(rest, rest_size, " (%s ± %s, n=%d)", mean, std, c->n);
            else snprintf(rest, rest_size, " (n=%d)", c->n);
        }
        return;
    }
}

void table_cell_append(const table *t, const table_cell *c, strbuf *out) {
    if (c->text) { /* whole, however long: table_cell_parts would cut it */
        strbuf_append(out, c->text);
        return;
    }
    char main[256], rest[256];
    table_cell_parts(t, c, main, sizeof main, rest, sizeof rest);
    strbuf_printf(out, "%s%s", main, rest);
}
