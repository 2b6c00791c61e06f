/* render_json.c — the table model as JSON for scripts, every string and number written
 * by the one JSON writer (strbuf_append_json_*), so a non-finite number is null.
 *
 * A leaderboard: per table its columns, our rows, the reference rows (published
 * numbers, with their source) and the summary rows kept apart, and every cell as
 * numbers rather than text. A cell is null (empty), {"text": ...} (a name or a word),
 * or {"value", "mean", "std", "n", <flag>} for an aggregate of n runs (std null for one
 * run), {"value", <flag>} for one number; <flag> is the table's bold flag ("best" or
 * "solved"); published cells not checked against their source carry "verified": false,
 * speed cells "ratio_to_full". One row a line, so that diffs stay readable.
 *
 * A table of records: an array of objects keyed by column label, one object a line. */
#include <stdbool.h>
#include <stdio.h>

#include "table/table.h"

/* Ten significant digits: enough for any table, short enough to read. */
static void write_number(strbuf *b, double value) {
    char text[32];
    snprintf(text, sizeof text, "%.10g", value);
    strbuf_append_json_number_text(b, text);
}

static void write_cell(strbuf *b, const table *t, const table_cell *c) {
    switch (c->kind) {
    case CELL_EMPTY:
        strbuf_append(b, "null");
        return;
    case CELL_TEXT:
        strbuf_append(b, "{\"text\": ");
        strbuf_append_json_string(b, c->text);
        strbuf_append(b, "}");
        return;
    case CELL_STAT:
        strbuf_append(b, "{\"value\": ");
        write_number(b, c->value);
        strbuf_append(b, ", \"mean\": ");
        write_number(b, c->mean);
        strbuf_append(b, ", \"std\": ");
        if (c->n > 1) write_number(b, c->std);
        else strbuf_append(b, "null");
        strbuf_printf(b, ", \"n\": %d, ", c->n);
        break;
    case CELL_VALUE:
        strbuf_append(b, "{\"value\": ");
        write_number(b, c->value);
        strbuf_append(b, ", ");
        if (c->unverified) strbuf_append(b, "\"verified\": false, ");
        if (c->has_ratio) {
            strbuf_append(b, "\"ratio_to_full\": ");
            write_number(b, c->ratio);
            strbuf_append(b, ", ");
        }
        break;
    case CELL_NUMBER:
        strbuf_append(b, "{\"value\": ");
        strbuf_append_json_number_text(b, c->text);
        strbuf_append(b, ", ");
        break;
    }
    strbuf_append_json_string(b, t->flag);
    strbuf_append(b, c->bold ? ": true}" : ": false}");
}

static void write_rows(strbuf *b, const table *t, row_kind kind, const char *name) {
    strbuf_printf(b, "      \"%s\": [", name);
    bool first = true;
    for (int r = 0; r < t->n_rows; r++) {
        const table_row *row = &t->rows[r];
        if (row->kind != kind) continue;
        strbuf_append(b, first ? "\n        {" : ",\n        {");
        first = false;
        if (row->source) {
            strbuf_append(b, "\"source\": ");
            strbuf_append_json_string(b, row->source);
            strbuf_append(b, ", ");
        }
        strbuf_append(b, "\"cells\": [");
        for (int c = 0; c < t->n_columns; c++) {
            if (c > 0) strbuf_append(b, ", ");
            write_cell(b, t, &row->cells[c]);
        }
        strbuf_append(b, "]}");
    }
    strbuf_append(b, first ? "]" : "\n      ]");
}

/* ,\n      "key": "text" (text NULL: null) */
static void write_member(strbuf *b, const char *key, const char *text) {
    strbuf_printf(b, ",\n      \"%s\": ", key);
    if (text) strbuf_append_json_string(b, text);
    else strbuf_append(b, "null");
}

static void write_table(strbuf *b, const table *t) {
    strbuf_append(b, "    {\n      \"id\": ");
    strbuf_append_json_string(b, t->id);
    write_member(b, "title", t->title);
    write_member(b, "unit", t->unit);
    write_member(b, "agg", t->agg);
    strbuf_printf(b, ",\n      \"decimals\": %d", t->decimals);
    write_member(b, "flag", t->flag);
    strbuf_append(b, ",\n      \"columns\": [");
    for (int c = 0; c < t->n_columns; c++) {
        strbuf_append(b, c ? ",\n        {\"label\": " : "\n        {\"label\": ");
        strbuf_append_json_string(b, t->columns[c].label);
        strbuf_printf(b, ", \"key\": %s", t->columns[c].key ? "true" : "false");
        if (t->columns[c].source) {
            strbuf_append(b, ", \"source\": ");
            strbuf_append_json_string(b, t->columns[c].source);
        }
        strbuf_append(b, "}");
    }
    strbuf_append(b, "\n      ],\n");
    write_rows(b, t, ROW_OURS, "rows");
    strbuf_append(b, ",\n");
    write_rows(b, t, ROW_REFERENCE, "reference_rows");
    strbuf_append(b, ",\n");
    write_rows(b, t, ROW_SUMMARY, "summary_rows");
    write_member(b, "legend", t->legend ? t->legend : "");
    strbuf_append(b, "\n    }");
}

void render_json(const table_doc *d, FILE *out) {
    strbuf b = {0};
    strbuf_append(&b, "{\n  \"title\": ");
    strbuf_append_json_string(&b, d->title);
    strbuf_append(&b, ",\n  \"tables\": [\n");
    for (int i = 0; i < d->n_tables; i++) {
        if (i > 0) strbuf_append(&b, ",\n");
        write_table(&b, &d->tables[i]);
    }
    strbuf_append(&b, "\n  ]\n}\n");
    fputs(b.data, out);
    strbuf_free(&b);
}

void render_json_records(const table *t, FILE *out) {
    strbuf line = {0}, shown = {0};
    for (int r = 0; r < t->n_rows; r++) {
        line.length = 0;
        strbuf_append(&line, r == 0 ? "[\n  {" : ",\n  {");
        for (int c = 0; c < t->n_columns; c++) {
            const table_cell *x = &t->rows[r].cells[c];
            if (c > 0) strbuf_append(&line, ",");
            strbuf_append_json_string(&line, t->columns[c].label);
            strbuf_append(&line, ":");
            if (x->kind == CELL_EMPTY) {
                strbuf_append(&line, "null");
                continue;
            }
            if (x->kind == CELL_NUMBER) {
                strbuf_append_json_number_text(&line, x->text);
                continue;
            }
            shown.length = 0;
            strbuf_append(&shown, "");
            table_cell_append(t, x, &shown);
            strbuf_append_json_string(&line, shown.data);
        }
        strbuf_append(&line, "}");
        fputs(line.data, out);
    }
    fputs(t->n_rows == 0 ? "[]\n" : "\n]\n", out);
    strbuf_free(&line);
    strbuf_free(&shown);
}
