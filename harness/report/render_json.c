/* render_json.c — the table model as JSON for scripts: per table its columns, our rows,
 * the reference rows (published numbers, with their source) and the summary rows kept
 * apart, and every cell as numbers rather than text.
 *
 * A cell is null (empty), {"text": ...} (a name or a word), or {"value", "mean", "std",
 * "n", <flag>} for an aggregate of n runs (std null for one run), {"value", <flag>} for one number; <flag> is
 * the table's bold flag ("best" or "solved"); published cells not checked against
 * their source carry "verified": false, speed cells "ratio_to_full". One row a line,
 * so that diffs stay readable. */
#include <stdbool.h>

#include "report/table.h"

static void write_string(FILE *out, const char *text) {
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
        else if (*p == '\n') fputs("\\n", out);
        else if (*p < 0x20) fprintf(out, "\\u%04x", *p);
        else fputc(*p, out);
    }
    fputc('"', out);
}

static void write_cell(FILE *out, const table *t, const table_cell *c) {
    switch (c->kind) {
    case CELL_EMPTY:
        fputs("null", out);
        return;
    case CELL_TEXT:
        fputs("{\"text\": ", out);
        write_string(out, c->text);
        fputc('}', out);
        return;
    case CELL_STAT:
        fprintf(out, "{\"value\": %.10g, \"mean\": %.10g, \"std\": ", c->value, c->mean);
        if (c->n > 1) fprintf(out, "%.10g", c->std);
        else fputs("null", out);
        fprintf(out, ", \"n\": %d, ", c->n);
        break;
    case CELL_VALUE:
        fprintf(out, "{\"value\": %.10g, ", c->value);
        if (c->unverified) fputs("\"verified\": false, ", out);
        if (c->has_ratio) fprintf(out, "\"ratio_to_full\": %.10g, ", c->ratio);
        break;
    }
    write_string(out, t->flag);
    fprintf(out, ": %s}", c->bold ? "true" : "false");
}

static void write_rows(FILE *out, const table *t, row_kind kind, const char *name) {
    fprintf(out, "      \"%s\": [", name);
    bool first = true;
    for (int r = 0; r < t->n_rows; r++) {
        const table_row *row = &t->rows[r];
        if (row->kind != kind) continue;
        fputs(first ? "\n        {" : ",\n        {", out);
        first = false;
        if (row->source) {
            fputs("\"source\": ", out);
            write_string(out, row->source);
            fputs(", ", out);
        }
        fputs("\"cells\": [", out);
        for (int c = 0; c < t->n_columns; c++) {
            if (c > 0) fputs(", ", out);
            write_cell(out, t, &row->cells[c]);
        }
        fputs("]}", out);
    }
    fputs(first ? "]" : "\n      ]", out);
}

static void write_table(FILE *out, const table *t) {
    fputs("    {\n      \"id\": ", out);
    write_string(out, t->id);
    fputs(",\n      \"title\": ", out);
    if (t->title) write_string(out, t->title);
    else fputs("null", out);
    fputs(",\n      \"unit\": ", out);
    write_string(out, t->unit);
    fputs(",\n      \"agg\": ", out);
    write_string(out, t->agg);
    fprintf(out, ",\n      \"decimals\": %d,\n      \"flag\": ", t->decimals);
    write_string(out, t->flag);
    fputs(",\n      \"columns\": [", out);
    for (int c = 0; c < t->n_columns; c++) {
        fputs(c ? ",\n        {\"label\": " : "\n        {\"label\": ", out);
        write_string(out, t->columns[c].label);
        fprintf(out, ", \"key\": %s", t->columns[c].key ? "true" : "false");
        if (t->columns[c].source) {
            fputs(", \"source\": ", out);
            write_string(out, t->columns[c].source);
        }
        fputc('}', out);
    }
    fputs("\n      ],\n", out);
    write_rows(out, t, ROW_OURS, "rows");
    fputs(",\n", out);
    write_rows(out, t, ROW_REFERENCE, "reference_rows");
    fputs(",\n", out);
    write_rows(out, t, ROW_SUMMARY, "summary_rows");
    fputs(",\n      \"legend\": ", out);
    write_string(out, t->legend ? t->legend : "");
    fputs("\n    }", out);
}

void render_json(const table_doc *d, FILE *out) {
    fputs("{\n  \"title\": ", out);
    write_string(out, d->title);
    fputs(",\n  \"tables\": [\n", out);
    for (int i = 0; i < d->n_tables; i++) {
        if (i > 0) fputs(",\n", out);
        write_table(out, &d->tables[i]);
    }
    fputs("\n  ]\n}\n", out);
}
