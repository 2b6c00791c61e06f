/* table.h — the one table model of attnbench and its renderers: leaderboards, `query`
 * results and `bench` measurements are all filled in here and printed by render_*.c.
 *
 * Builders decide what a table holds (report/: leaderboards; store/query.c: the rows of
 * a SQL statement; cli/cmd_bench.c: measurements); the renderers only decide how it
 * reads. A document is a list of tables. A table has key columns (what names a row:
 * mechanism, level, task) then value columns, and rows of three kinds: ours (aggregated
 * runs), reference (published numbers, labelled with their source, never ranked) and
 * summary (counts under the table). A cell keeps its numbers (value, mean, std, n) and
 * its flags, so that csv and json lose nothing the Markdown shows.
 *
 * Two shapes: a leaderboard document renders as md, csv (long form, one line per
 * number), latex, html or json (tables of cells); a table of records (one row per SQL
 * row or measurement) as aligned text, csv (a line per row) or json (an array of
 * objects), and as md like any table. */
#ifndef ATTNBENCH_TABLE_H
#define ATTNBENCH_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/strbuf.h"

typedef enum cell_kind {
    CELL_EMPTY, /* no number: text says why ("-" no runs, "—" not defined) */
    CELL_TEXT,  /* a name or a word ("FAIL", "1 of 3") */
    CELL_STAT,  /* an aggregate of n runs: value (mean, max or median), mean, std */
    CELL_VALUE, /* one number: a published one, an average, a measurement */
    CELL_NUMBER, /* one number as its builder wrote it: text is exactly what is shown
                    (a SQL integer or real, a measurement with its own precision) */
} cell_kind;

typedef struct table_cell {
    cell_kind kind;
    char *text;        /* CELL_TEXT, CELL_EMPTY, CELL_NUMBER */
    double value;      /* in display units (percent for accuracies) */
    double mean, std;  /* CELL_STAT */
    int n;             /* CELL_STAT: the runs behind it */
    bool bold;         /* the table's flag: best in its column, or solved */
    bool unverified;   /* a published number not checked against its source: † */
    bool has_ratio;    /* speed: value / full attention's value at the same length */
    double ratio;
} table_cell;

typedef enum row_kind { ROW_OURS, ROW_REFERENCE, ROW_SUMMARY } row_kind;

typedef struct table_row {
    row_kind kind;
    char *source;      /* ROW_REFERENCE: the publication ("Tay et al. 2021, Table 1") */
    table_cell *cells; /* [n_columns] */
} table_row;

typedef struct table_column {
    char *label;
    bool key;       /* names the row; left of the value columns */
    bool right;     /* right-aligned */
    char *source;   /* a column of published numbers: the publication; NULL for ours */
} table_column;

typedef struct table {
    char *id;         /* machine name of what it shows: "test.accuracy", "bench.tokens_per_second" */
    char *title;      /* a heading, or NULL */
    char *legend;     /* one paragraph, plain text */
    const char *agg;  /* "mean_std", "max", "median": how a CELL_STAT reads */
    const char *flag; /* what bold means, as csv and json name it: "best" or "solved" */
    const char *unit; /* "%", "s", "MiB", "" */
    int decimals;     /* of every number shown (best compares values as shown) */
    int n_columns, n_rows, row_capacity;
    table_column *columns;
    table_row *rows;
} table;

typedef struct table_doc {
    char *title; /* of the whole document (html's <title>, json's "title") */
    int n_tables;
    table *tables;
} table_doc;

/* Builders. Columns first, then rows (a row gets a cell per column, CELL_EMPTY "-"). */
table *table_doc_add(table_doc *d, const char *id, const char *title);
int table_add_column(table *t, const char *label, bool key, bool right);
table_row *table_add_row(table *t, row_kind kind, const char *source);
/* A column of published numbers (not ranked): its label and source. */
int table_add_reference_column(table *t, const char *label, const char *source);
void table_cell_text(table_cell *c, cell_kind kind, const char *text);
void table_set_legend(table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bold the best CELL_STAT or CELL_VALUE of our rows in column c: the highest value
 * (direction > 0) or the lowest (< 0), compared as shown, so ties are all bold. */
void table_mark_best(table *t, int c, int direction);
void table_doc_free(table_doc *d);

/* A cell as plain UTF-8 in two parts: main is what bold covers ("37.00 ± 1.00", "93.0"),
 * rest follows it (" (n=3)", " (72.0 ± 18.2, n=3)", "†", " (0.85×)"). */
void table_cell_parts(const table *t, const table_cell *c, char *main, size_t main_size, char *rest,
                      size_t rest_size);
/* A number with the table's decimals. */
void table_number(const table *t, double value, char *out, size_t size);
/* The cell as shown, in one piece: its text, or its two parts joined. */
void table_cell_append(const table *t, const table_cell *c, strbuf *out);

/* A leaderboard document. */
typedef void (*table_renderer)(const table_doc *d, FILE *out);
void render_md(const table_doc *d, FILE *out);
void render_csv(const table_doc *d, FILE *out);
void render_latex(const table_doc *d, FILE *out);
void render_html(const table_doc *d, FILE *out);
void render_json(const table_doc *d, FILE *out);
/* One Markdown table in pieces, for rows printed as they are measured: the header and
 * its rule, then each row. */
void render_md_head(const table *t, FILE *out);
void render_md_row(const table *t, const table_row *row, FILE *out);

/* A table of records. Text: columns aligned (right-aligned when the column says so),
 * a rule of dashes under the header, empty cells blank, line breaks and tabs shown as
 * \n, \r, \t, no trailing spaces. CSV: a header of the labels, then a line per row,
 * empty cells as absent fields. JSON: an array of objects keyed by label, one a line;
 * empty cells null, CELL_NUMBER cells numbers (null when not finite), others strings. */
typedef void (*table_records_renderer)(const table *t, FILE *out);
void render_text(const table *t, FILE *out);
void render_csv_records(const table *t, FILE *out);
void render_json_records(const table *t, FILE *out);

#endif
