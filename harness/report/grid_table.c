/* grid_table.c — the leaderboard as rows × columns of one metric: the LRA table
 * (mechanisms × tasks by default), the same grid for any suite without a layout of its
 * own, and any --rows/--cols layout of any suite.
 *
 * Each cell aggregates the runs that share its row and column key. An LRA table keyed
 * by task gets an Avg column: the mean over the five tasks of the paper's average
 * (Path-X apart, as published), defined only for rows that have all five, so that
 * averages over different task sets never compete. Beside mechanisms × tasks of test
 * accuracy come the paper's rows for the mechanisms in the table, labelled with their
 * source and never ranked. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "report/leaderboard_internal.h"

#define LRA_SOURCE "Tay et al. 2021, Table 1"

static const char *agg_phrase(agg_kind agg) {
    return agg == AGG_MAX      ? "the max over the runs, then their mean ± standard deviation"
           : agg == AGG_MEDIAN ? "the median over the runs, then their mean ± standard deviation"
                               : "mean ± sample standard deviation over the runs";
}

/* LRA's average is the paper's definition: these five tasks (Path-X apart), whatever
 * other tasks the suite's runs cover. */
static const char *const lra_average_tasks[5] = {"lra/listops", "lra/text", "lra/retrieval", "lra/image",
                                                 "lra/pathfinder"};

/* The mean of the five tasks' values shown in row, or "—". */
static void set_average(table_row *row, const grid *g, int column) {
    double sum = 0;
    for (int i = 0; i < 5; i++) {
        const int c = grid_find_col(g, lra_average_tasks[i]);
        if (c < 0 || row->cells[1 + c].kind != CELL_STAT) {
            table_cell_text(&row->cells[column], CELL_EMPTY, "—");
            return;
        }
        sum += row->cells[1 + c].value;
    }
    free(row->cells[column].text);
    row->cells[column] = (table_cell){.kind = CELL_VALUE, .value = sum / 5};
}

static void set_published(table_cell *c, const char *text) {
    if (strcmp(text, "FAIL") == 0) table_cell_text(c, CELL_TEXT, text);
    else {
        free(c->text);
        *c = (table_cell){.kind = CELL_VALUE, .value = strtod(text, NULL)};
    }
}

/* The paper's rows of the mechanisms in the table; returns how many. */
static int add_reference_rows(table *t, const lra_reference *ref, const grid *g, int average) {
    int added = 0;
    for (int i = 0; i < ref->n_rows; i++) {
        const lra_reference_row *r = &ref->rows[i];
        if (!r->mechanism[0] || grid_find_row(g, r->mechanism) < 0) continue;
        table_row *row = table_add_row(t, ROW_REFERENCE, LRA_SOURCE);
        char label[256];
        snprintf(label, sizeof label, "%s (%s)", r->model, LRA_SOURCE);
        table_cell_text(&row->cells[0], CELL_TEXT, label);
        for (int c = 0; c < g->n_cols; c++)
            for (int k = 0; k < ref->n_tasks; k++)
                if (strcmp(ref->tasks[k], g->cols[c]) == 0) set_published(&row->cells[1 + c], r->values[k]);
        set_published(&row->cells[average], r->average);
        added++;
    }
    return added;
}

static void write_legend(table *t, const leaderboard_plan *p, bool average, int references) {
    char what[96], missing[512] = "";
    for (int i = 0; i < 2; i++) {
        const field_spec *f = i ? &p->cols : &p->rows;
        if (f->kind == FIELD_KEY)
            snprintf(missing + strlen(missing), sizeof missing - strlen(missing),
                     " ? = runs whose config has no %s.", f->label);
    }
    snprintf(what, sizeof what, "%s", p->metric.what);
    what[0] = (char)toupper((unsigned char)what[0]);
    table_set_legend(
        t,
        "%s of completed runs: %s, with their number n (a config and seed completed more than once counts once, "
        "its latest run); bold = best per column (%s is better).%s%s%s",
        what, agg_phrase(p->agg), p->metric.direction > 0 ? "higher" : "lower", missing,
        average ? " Avg = the mean of the five LRA tasks listops, text, retrieval, image and pathfinder (Path-X "
                  "apart, as published) over the values shown; — = the row lacks one of the five, so it has no "
                  "average."
                : "",
        references ? " Rows marked (" LRA_SOURCE ") are the paper's published test accuracy (its data and "
                     "protocol), not our runs, and are not ranked; FAIL = did not learn Path-X; their Avg is the "
                     "paper's."
                   : "");
}

int grid_table_build(table_doc *d, store *s, const leaderboard_plan *p, bool *empty, error_info *err) {
    grid g;
    if (grid_load(&g, s, p->suite_name, &p->rows, &p->cols, &p->metric, err)) return -1;
    *empty = g.n_rows == 0;
    const bool average = p->suite == SUITE_LRA && p->cols.kind == FIELD_TASK;
    const bool with_reference = !*empty && average && p->rows.kind == FIELD_MECHANISM && p->reference &&
                                strcmp(p->metric.name, "test.accuracy") == 0;
    lra_reference ref = {0};
    if (with_reference && lra_reference_load(&ref, p->reference, err)) {
        grid_free(&g);
        return -1;
    }
    if (!*empty) {
        table *t = table_doc_add(d, p->metric.name, NULL);
        t->agg = leaderboard_agg_name(p->agg);
        t->decimals = p->metric.decimals;
        t->unit = p->metric.unit;
        table_add_column(t, p->rows.label, true, false);
        for (int c = 0; c < g.n_cols; c++) table_add_column(t, g.cols[c], false, true);
        const int avg = average ? table_add_column(t, "Avg", false, true) : -1;
        for (int r = 0; r < g.n_rows; r++) {
            table_row *row = table_add_row(t, ROW_OURS, NULL);
            table_cell_text(&row->cells[0], CELL_TEXT, g.rows[r]);
            for (int c = 0; c < g.n_cols; c++) {
                const grid_cell *cell = &g.cells[r * g.n_cols + c];
                if (cell->n > 0) grid_cell_stat(cell, p->agg, &row->cells[1 + c]);
            }
            if (average) set_average(row, &g, avg);
        }
        for (int c = 1; c < t->n_columns; c++) table_mark_best(t, c, p->metric.direction);
        const int references = with_reference ? add_reference_rows(t, &ref, &g, avg) : 0;
        write_legend(t, p, average, references);
    }
    lra_reference_free(&ref);
    grid_free(&g);
    return 0;
}
