/* render_csv.c — the table model as CSV, every field quoted by the one CSV quoter
 * (strbuf_append_csv_field, RFC 4180).
 *
 * A leaderboard is written in long form, one line per number, so that a spreadsheet or
 * a script needs no parsing of "mean ± std" text. Columns: table (what it shows, e.g.
 * test.accuracy), the table's key columns (e.g. mechanism), column (the value column's
 * label), source (empty for our runs, the publication for reference numbers), value,
 * mean, std (empty for one run), n, the bold flag (best, or solved) and, for speed
 * tables, ratio_to_full. Empty cells and summary rows are left out. Tables with the
 * same key columns share one header; another header starts a new block after a blank
 * line. An empty name is an absent field here.
 *
 * A table of records is a header of its labels and a line per row. */
#include <stdbool.h>
#include <string.h>

#include "table/table.h"

/* A field and its separator; an empty text is written as an absent field. */
static void write_field(strbuf *b, const char *text, bool last) {
    strbuf_append_csv_field(b, text && text[0] ? text : NULL);
    strbuf_append(b, last ? "\n" : ",");
}

static void write_number(strbuf *b, double value, bool present) {
    if (present) strbuf_printf(b, "%.10g", value);
    strbuf_append(b, ",");
}

static bool has_ratio(const table_doc *d) {
    for (int i = 0; i < d->n_tables; i++)
        for (int r = 0; r < d->tables[i].n_rows; r++)
            for (int c = 0; c < d->tables[i].n_columns; c++)
                if (d->tables[i].rows[r].cells[c].has_ratio) return true;
    return false;
}

/* Whether two tables have the same key columns and flag, hence the same header. */
static bool same_header(const table *a, const table *b) {
    if (a->n_columns < 1 || b->n_columns < 1 || strcmp(a->flag, b->flag) != 0) return false;
    int c = 0;
    for (; c < a->n_columns && c < b->n_columns && a->columns[c].key && b->columns[c].key; c++)
        if (strcmp(a->columns[c].label, b->columns[c].label) != 0) return false;
    return (c == a->n_columns || !a->columns[c].key) && (c == b->n_columns || !b->columns[c].key);
}

static void write_header(strbuf *b, const table *t, bool ratio) {
    write_field(b, "table", false);
    for (int c = 0; c < t->n_columns; c++)
        if (t->columns[c].key) write_field(b, t->columns[c].label, false);
    strbuf_append(b, "column,source,value,mean,std,n,");
    write_field(b, t->flag, !ratio);
    if (ratio) write_field(b, "ratio_to_full", true);
}

/* The publication of a reference number; empty for ours. */
static const char *source_of(const table *t, const table_row *row, int c) {
    return t->columns[c].source ? t->columns[c].source : row->source ? row->source : "";
}

static void write_cell(strbuf *b, const table *t, const table_row *row, int c, bool ratio) {
    const table_cell *x = &row->cells[c];
    write_field(b, t->id, false);
    for (int k = 0; k < t->n_columns; k++)
        if (t->columns[k].key) write_field(b, row->cells[k].text, false);
    write_field(b, t->columns[c].label, false);
    char source[512];
    snprintf(source, sizeof source, "%s%s", source_of(t, row, c), x->unverified ? " (unverified)" : "");
    write_field(b, source, false);
    if (x->kind == CELL_TEXT) write_field(b, x->text, false);
    else write_number(b, x->value, true);
    write_number(b, x->mean, x->kind == CELL_STAT);
    write_number(b, x->std, x->kind == CELL_STAT && x->n > 1);
    if (x->kind == CELL_STAT) strbuf_printf(b, "%d", x->n);
    strbuf_append(b, x->bold ? ",true" : ",false");
    if (ratio) {
        strbuf_append(b, ",");
        if (x->has_ratio) strbuf_printf(b, "%.10g", x->ratio);
    }
    strbuf_append(b, "\n");
}

void render_csv(const table_doc *d, FILE *out) {
    const bool ratio = has_ratio(d);
    strbuf b = {0};
    strbuf_append(&b, "");
    for (int i = 0; i < d->n_tables; i++) {
        const table *t = &d->tables[i];
        if (i == 0 || !same_header(t, &d->tables[i - 1])) {
            if (i > 0) strbuf_append(&b, "\n");
            write_header(&b, t, ratio);
        }
        for (int r = 0; r < t->n_rows; r++) {
            const table_row *row = &t->rows[r];
            if (row->kind == ROW_SUMMARY) continue;
            for (int c = 0; c < t->n_columns; c++)
                if (!t->columns[c].key && row->cells[c].kind != CELL_EMPTY) write_cell(&b, t, row, c, ratio);
        }
    }
    fputs(b.data, out);
    strbuf_free(&b);
}

void render_csv_records(const table *t, FILE *out) {
    strbuf line = {0}, shown = {0};
    strbuf_append(&line, "");
    for (int c = 0; c < t->n_columns; c++) {
        if (c > 0) strbuf_append(&line, ",");
        strbuf_append_csv_field(&line, t->columns[c].label);
    }
    fprintf(out, "%s\n", line.data);
    for (int r = 0; r < t->n_rows; r++) {
        line.length = 0;
        strbuf_append(&line, "");
        for (int c = 0; c < t->n_columns; c++) {
            const table_cell *x = &t->rows[r].cells[c];
            if (c > 0) strbuf_append(&line, ",");
            if (x->kind == CELL_EMPTY) continue;
            shown.length = 0;
            strbuf_append(&shown, "");
            table_cell_append(t, x, &shown);
            strbuf_append_csv_field(&line, shown.data);
        }
        fprintf(out, "%s\n", line.data);
    }
    strbuf_free(&line);
    strbuf_free(&shown);
}
