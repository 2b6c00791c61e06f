/* render_html.c — the table model as one self-contained HTML page: inline CSS, no
 * scripts, fonts, images or links, so the file can be mailed or opened offline. Our
 * rows, reference rows (class "reference", greyed and italic) and summary rows (class
 * "summary") are told apart by class; bold is <strong>. */
#include "table/table.h"

static const char style[] =
    "body { font-family: sans-serif; margin: 2em; color: #222; }\n"
    "table { border-collapse: collapse; margin: 1em 0; }\n"
    "th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }\n"
    "th { background: #eee; }\n"
    ".num { text-align: right; white-space: nowrap; }\n"
    "tr.reference td, td.reference { color: #666; font-style: italic; background: #f7f7f7; }\n"
    "tr.summary td { border-top: 2px solid #888; }\n"
    "p.legend { max-width: 60em; font-size: 0.9em; }\n";

static void write_text(FILE *out, const char *text) {
    for (const char *p = text; *p; p++) {
        if (*p == '<') fputs("&lt;", out);
        else if (*p == '>') fputs("&gt;", out);
        else if (*p == '&') fputs("&amp;", out);
        else if (*p == '"') fputs("&quot;", out);
        else fputc(*p, out);
    }
}

static const char *const row_classes[] = {[ROW_OURS] = "ours", [ROW_REFERENCE] = "reference",
                                          [ROW_SUMMARY] = "summary"};

static void write_cell(FILE *out, const table *t, const table_column *column, const table_cell *c) {
    char main[256], rest[256];
    table_cell_parts(t, c, main, sizeof main, rest, sizeof rest);
    fprintf(out, "<td%s%s%s>", column->right || column->source ? " class=\"num" : "",
            column->source ? " reference" : "", column->right || column->source ? "\"" : "");
    if (c->bold) fputs("<strong>", out);
    write_text(out, main);
    if (c->bold) fputs("</strong>", out);
    write_text(out, rest);
    fputs("</td>", out);
}

static void write_table(FILE *out, const table *t) {
    if (t->title) {
        fputs("<h2>", out);
        write_text(out, t->title);
        fputs("</h2>\n", out);
    }
    fputs("<table>\n<thead><tr>", out);
    for (int c = 0; c < t->n_columns; c++) {
        fputs(t->columns[c].right ? "<th class=\"num\">" : "<th>", out);
        write_text(out, t->columns[c].label);
        fputs("</th>", out);
    }
    fputs("</tr></thead>\n<tbody>\n", out);
    for (int r = 0; r < t->n_rows; r++) {
        const table_row *row = &t->rows[r];
        fprintf(out, "<tr class=\"%s\">", row_classes[row->kind]);
        for (int c = 0; c < t->n_columns; c++) write_cell(out, t, &t->columns[c], &row->cells[c]);
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
    if (t->legend) {
        fputs("<p class=\"legend\">", out);
        write_text(out, t->legend);
        fputs("</p>\n", out);
    }
}

void render_html(const table_doc *d, FILE *out) {
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", out);
    write_text(out, d->title);
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", style);
    write_text(out, d->title);
    fputs("</h1>\n", out);
    for (int i = 0; i < d->n_tables; i++) write_table(out, &d->tables[i]);
    fputs("</body>\n</html>\n", out);
}
