/* render_csv.c — the table model as CSV in long form, one line per number, so that a
 * spreadsheet or a script needs no parsing of "mean ± std" text.
 *
 * Columns: table (what it shows, e.g. test.accuracy), the table's key columns (e.g.
 * mechanism), column (the value column's label), source (empty for our runs, the
 * publication for reference numbers), value, mean, std (empty for one run), n, the bold flag (best, or
 * solved) and, for speed tables, ratio_to_full. Empty cells and summary rows are left
 * out. Tables with the same key columns share one header; another header starts a new
 * block after a blank line. Fields are quoted (RFC 4180) when they hold a comma, a quote or a newline. */
#include <stdbool.h>
#include <string.h>

#include "report/table.h"

static void write_field(FILE *out, const char *text, bool last) {
    if (strpbrk(text, ",\"\n")) {
        fputc('"', out);
        for (const char *p = text; *p; p++) {
            if (*p == '"') fputc('"', out);
            fputc(*p, out);
        }
        fputc('"', out);
    } else fputs(text, out);
    fputc(last ? '\n' : ',', out);
}

static void write_number(FILE *out, double value, bool present) {
    if (present) fprintf(out, "%.10g", value);
    fputc(',', out);
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

static void write_header(FILE *out, const table *t, bool ratio) {
    write_field(out, "table", false);
    for (int c = 0; c < t->n_columns; c++)
        if (t->columns[c].key) write_field(out, t->columns[c].label, false);
    fputs("column,source,value,mean,std,n,", out);
    write_field(out, t->flag, !ratio);
    if (ratio) write_field(out, "ratio_to_full", true);
}

/* The publication of a reference number; empty for ours. */
static const char *source_of(const table *t, const table_row *row, int c) {
    return t->columns[c].source ? t->columns[c].source : row->source ? row->source : "";
}

static void write_cell(FILE *out, const table *t, const table_row *row, int c, bool ratio) {
    const table_cell *x = &row->cells[c];
    write_field(out, t->id, false);
    for (int k = 0; k < t->n_columns; k++)
        if (t->columns[k].key) write_field(out, row->cells[k].text ? row->cells[k].text : "", false);
    write_field(out, t->columns[c].label, false);
    char source[512];
    snprintf(source, sizeof source, "%s%s", source_of(t, row, c), x->unverified ? " (unverified)" : "");
    write_field(out, source, false);
    if (x->kind == CELL_TEXT) write_field(out, x->text, false);
    else write_number(out, x->value, true);
    write_number(out, x->mean, x->kind == CELL_STAT);
    write_number(out, x->std, x->kind == CELL_STAT && x->n > 1);
    if (x->kind == CELL_STAT) fprintf(out, "%d", x->n);
    fputc(',', out);
    fputs(x->bold ? "true" : "false", out);
    if (ratio) {
        fputc(',', out);
        if (x->has_ratio) fprintf(out, "%.10g", x->ratio);
    }
    fputc('\n', out);
}

void render_csv(const table_doc *d, FILE *out) {
    const bool ratio = has_ratio(d);
    for (int i = 0; i < d->n_tables; i++) {
        const table *t = &d->tables[i];
        if (i == 0 || !same_header(t, &d->tables[i - 1])) {
            if (i > 0) fputc('\n', out);
            write_header(out, t, ratio);
        }
        for (int r = 0; r < t->n_rows; r++) {
            const table_row *row = &t->rows[r];
            if (row->kind == ROW_SUMMARY) continue;
            for (int c = 0; c < t->n_columns; c++)
                if (!t->columns[c].key && row->cells[c].kind != CELL_EMPTY) write_cell(out, t, row, c, ratio);
        }
    }
}
