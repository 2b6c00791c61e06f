/* test_table_render.c — the one table model through its renderers (table/table.h): a
 * table of records (what `query` and `bench` fill) as aligned text, CSV and JSON, and a
 * leaderboard whose numbers are not finite as JSON, where they must be null, never nan.
 * The Markdown of a table printed row by row (as `bench` does) equals the whole table's.
 * Each case prints what it compared. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table/table.h"
#include "testing.h"

typedef void (*records_renderer)(const table *t, FILE *out);

static char *render_records(records_renderer render, const table *t) {
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    render(t, out);
    fclose(out);
    return text;
}

static void check_text(const char *got, const char *expected, const char *what) {
    test_check(strcmp(got, expected) == 0, what, "expected:\n%s\ngot:\n%s", expected, got);
}

static void set(table_row *row, int c, cell_kind kind, const char *text, double value) {
    table_cell_text(&row->cells[c], kind, text);
    row->cells[c].value = value;
}

/* name | value (right-aligned) | note: a row of awkward text, one of a non-finite number. */
static void fill_records(table_doc *d) {
    table *t = table_doc_add(d, "records", NULL);
    table_add_column(t, "name", false, false);
    table_add_column(t, "value", false, true);
    table_add_column(t, "note", false, false);
    table_row *row = table_add_row(t, ROW_OURS, NULL);
    set(row, 0, CELL_TEXT, "a,\"b\"", 0);
    set(row, 1, CELL_NUMBER, "42", 42);
    set(row, 2, CELL_TEXT, "two\nlines", 0);
    row = table_add_row(t, ROW_OURS, NULL);
    set(row, 0, CELL_TEXT, "ü", 0);
    set(row, 1, CELL_NUMBER, "nan", NAN);
    set(row, 2, CELL_EMPTY, "", 0);
}

static void test_records(void) {
    table_doc d = {0};
    fill_records(&d);
    const table *t = &d.tables[0];
    char *text = render_records(render_text, t);
    check_text(text,
               "name   value  note\n"
               "-----  -----  ----------\n"
               "a,\"b\"     42  two\\nlines\n"
               "ü        nan\n",
               "records as aligned text: numbers right, line breaks shown, no trailing spaces");
    free(text);
    text = render_records(render_csv_records, t);
    check_text(text,
               "name,value,note\n"
               "\"a,\"\"b\"\"\",42,\"two\nlines\"\n"
               "ü,nan,\n",
               "records as CSV: quoted where needed, empty as an absent field");
    free(text);
    text = render_records(render_json_records, t);
    check_text(text,
               "[\n"
               "  {\"name\":\"a,\\\"b\\\"\",\"value\":42,\"note\":\"two\\nlines\"},\n"
               "  {\"name\":\"ü\",\"value\":null,\"note\":null}\n"
               "]\n",
               "records as JSON: nan is null, empty is null");
    free(text);
    table_doc_free(&d);
    table_doc empty = {0};
    table *none = table_doc_add(&empty, "none", NULL);
    table_add_column(none, "id", false, false);
    text = render_records(render_json_records, none);
    check_text(text, "[]\n", "no records as JSON: an empty array");
    free(text);
    table_doc_free(&empty);
}

/* A leaderboard whose every number is NaN or infinite: its JSON holds none of them. */
static void test_leaderboard_json(void) {
    table_doc d = {.title = strdup("non-finite")};
    table *t = table_doc_add(&d, "test.accuracy", "Scores");
    table_add_column(t, "mechanism", true, false);
    table_add_column(t, "listops", false, true);
    table_add_column(t, "speed", false, true);
    table_row *row = table_add_row(t, ROW_OURS, NULL);
    table_cell_text(&row->cells[0], CELL_TEXT, "full");
    free(row->cells[1].text);
    row->cells[1] = (table_cell){.kind = CELL_STAT, .value = NAN, .mean = INFINITY, .std = -INFINITY, .n = 2};
    free(row->cells[2].text);
    row->cells[2] = (table_cell){.kind = CELL_VALUE, .value = NAN, .has_ratio = true, .ratio = INFINITY};
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    render_json(&d, out);
    fclose(out);
    printf("%s", text);
    test_check(!strstr(text, "nan") && !strstr(text, "inf"), "leaderboard JSON has no nan or inf", "%s", text);
    test_check(strstr(text, "{\"value\": null, \"mean\": null, \"std\": null, \"n\": 2, \"best\": false}") != NULL,
               "a statistic of non-finite numbers is nulls", "%s", text);
    test_check(strstr(text, "{\"value\": null, \"ratio_to_full\": null, \"best\": false}") != NULL,
               "a non-finite value and ratio are nulls", "%s", text);
    free(text);
    table_doc_free(&d);
}

/* Markdown head and rows one at a time read the same as the whole table. */
static void test_md_rows(void) {
    table_doc d = {0};
    fill_records(&d);
    const table *t = &d.tables[0];
    char *whole = NULL, *piecewise = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&whole, &size);
    render_md(&d, out);
    fclose(out);
    out = open_memstream(&piecewise, &size);
    render_md_head(t, out);
    for (int r = 0; r < t->n_rows; r++) render_md_row(t, &t->rows[r], out);
    fclose(out);
    check_text(piecewise, whole, "Markdown row by row equals the whole table");
    free(whole);
    free(piecewise);
    table_doc_free(&d);
}

int main(void) {
    test_records();
    test_leaderboard_json();
    test_md_rows();
    return test_finish("test_table_render");
}
