/* render_md.c — the table model as Markdown (GitHub pipe tables): an optional
 * "### title", the table, then its legend; bold is **x**. Tables are separated by a
 * blank line. */
#include <string.h>

#include "table/table.h"

/* Table text: a '|' inside a name would end the cell. */
static void write_text(FILE *out, const char *text) {
    for (const char *p = text; *p; p++) {
        if (*p == '|') fputc('\\', out);
        fputc(*p, out);
    }
}

static void write_cell(FILE *out, const table *t, const table_cell *c) {
    char main[256], rest[256];
    table_cell_parts(t, c, main, sizeof main, rest, sizeof rest);
    if (!main[0] && !rest[0]) {
        fputs(" |", out);
        return;
    }
    fputs(c->bold ? " **" : " ", out);
    write_text(out, main);
    if (c->bold) fputs("**", out);
    write_text(out, rest);
    fputs(" |", out);
}

void render_md_head(const table *t, FILE *out) {
    fputc('|', out);
    for (int c = 0; c < t->n_columns; c++) {
        fputc(' ', out);
        write_text(out, t->columns[c].label);
        fputs(" |", out);
    }
    fputs("\n|", out);
    for (int c = 0; c < t->n_columns; c++) fputs(t->columns[c].right ? "---:|" : ":---|", out);
    fputc('\n', out);
}

void render_md_row(const table *t, const table_row *row, FILE *out) {
    fputc('|', out);
    for (int c = 0; c < t->n_columns; c++) write_cell(out, t, &row->cells[c]);
    fputc('\n', out);
}

static void write_table(FILE *out, const table *t) {
    if (t->title) fprintf(out, "### %s\n\n", t->title);
    render_md_head(t, out);
    for (int r = 0; r < t->n_rows; r++) render_md_row(t, &t->rows[r], out);
    if (t->legend) fprintf(out, "\n%s\n", t->legend);
}

void render_md(const table_doc *d, FILE *out) {
    for (int i = 0; i < d->n_tables; i++) {
        if (i > 0) fputc('\n', out);
        write_table(out, &d->tables[i]);
    }
}
