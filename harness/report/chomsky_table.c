/* chomsky_table.c — the Chomsky-hierarchy leaderboard in the paper's layout: a row per
 * task (the order and level its runs recorded, which the tasks' registration takes from
 * the paper, and its chance) and a column per configuration (mechanism · positional
 * encoding), first on the test lengths, then in distribution.
 *
 * The paper reports the max over seeds and learning rates and calls a task solved at
 * ≥ 90 %, so by default a cell leads with the max, bold when solved, and keeps the
 * mean ± std and the number of runs beside it to show how often it is reached. "Solved"
 * compares the value as printed (one decimal), so a cell that reads 90.0 is bold. The
 * score table ends with the paper's Transformer column (published numbers, † where not
 * verified) and a row counting the tasks solved. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/leaderboard_internal.h"
#include "report/report_internal.h"

#define PAPER_COLUMN "Transformer (paper)"
#define PAPER_SOURCE "Delétang et al. 2023, Table 2"

static bool solved(const table_cell *c) {
    return (c->kind == CELL_STAT || c->kind == CELL_VALUE) && llround(c->value * 10.0) >= 900;
}

static const char *agg_clause(agg_kind agg) {
    return agg == AGG_MAX ? "the max over the completed runs of each configuration (seeds, learning rates and "
                            "other settings pooled), then the mean ± standard deviation over those runs and their "
                            "number n"
           : agg == AGG_MEDIAN ? "the median over the completed runs of each configuration (seeds, learning rates "
                                 "and other settings pooled), then the mean ± standard deviation over those runs and "
                                 "their number n"
                               : "the mean ± standard deviation over the completed runs of each configuration "
                                 "(seeds, learning rates and other settings pooled) and their number n";
}

static void describe(const metric_spec *m, char *title, size_t title_size, char *what, size_t what_size) {
    const bool test = strcmp(m->split, "test") == 0, eval = strcmp(m->split, "eval") == 0;
    if (strcmp(m->name, "test.accuracy") == 0) {
        snprintf(title, title_size, "Chomsky hierarchy: score on the test lengths (length generalisation)");
        snprintf(what, what_size, "Score: accuracy (%%) at each test length averaged over the test lengths");
    } else if (strcmp(m->name, "eval.accuracy") == 0) {
        snprintf(title, title_size, "Chomsky hierarchy: in-distribution accuracy (training lengths)");
        snprintf(what, what_size,
                 "In-distribution: accuracy (%%) at each training length averaged over the training lengths");
    } else {
        snprintf(title, title_size, "Chomsky hierarchy: %s%s", m->what,
                 test ? " on the test lengths (length generalisation)" : eval ? " on the training lengths" : "");
        snprintf(what, what_size, "%s%s", m->what,
                 test ? " averaged over the test lengths" : eval ? " averaged over the training lengths" : "");
        what[0] = (char)toupper((unsigned char)what[0]);
    }
}

static void add_columns(table *t, const grid *g, bool paper) {
    table_add_column(t, "Level", true, false);
    table_add_column(t, "Task", true, false);
    table_add_column(t, "Chance", true, true);
    for (int c = 0; c < g->n_cols; c++) table_add_column(t, g->cols[c], false, true);
    if (paper) table_add_reference_column(t, PAPER_COLUMN, PAPER_SOURCE);
}

static void add_task_row(table *t, const grid *g, int r, const task_places *places, agg_kind agg, bool percent,
                         const chomsky_reference *ref) {
    table_row *row = table_add_row(t, ROW_OURS, NULL);
    char chance[32];
    const char *name = g->rows[r];
    const int classes = chomsky_task_classes(name);
    if (classes > 0) snprintf(chance, sizeof chance, "%.1f", 100.0 / classes);
    else snprintf(chance, sizeof chance, "?");
    const char *level = task_places_level(places, name);
    table_cell_text(&row->cells[0], CELL_TEXT, level[0] ? level : "?");
    table_cell_text(&row->cells[1], CELL_TEXT, strncmp(name, "chomsky/", 8) == 0 ? name + 8 : name);
    table_cell_text(&row->cells[2], CELL_TEXT, chance);
    for (int c = 0; c < g->n_cols; c++) {
        table_cell *cell = &row->cells[3 + c];
        if (g->cells[r * g->n_cols + c].n > 0) grid_cell_stat(&g->cells[r * g->n_cols + c], agg, cell);
        cell->bold = percent && solved(cell);
    }
    const chomsky_reference_cell *published = ref ? chomsky_reference_find(ref, name) : NULL;
    if (published) {
        table_cell *cell = &row->cells[3 + g->n_cols];
        free(cell->text);
        *cell = (table_cell){.kind = CELL_VALUE, .value = published->score, .unverified = !published->verified};
        cell->bold = solved(cell);
    }
}

/* "k of n": the tasks solved of those each column has. */
static void add_solved_row(table *t) {
    const int rows = t->n_rows;
    table_row *row = table_add_row(t, ROW_SUMMARY, NULL);
    table_cell_text(&row->cells[0], CELL_TEXT, "");
    table_cell_text(&row->cells[1], CELL_TEXT, "solved (≥ 90)");
    table_cell_text(&row->cells[2], CELL_TEXT, "");
    for (int c = 3; c < t->n_columns; c++) {
        int count = 0, tasks = 0;
        for (int r = 0; r < rows; r++) {
            tasks += t->rows[r].cells[c].kind != CELL_EMPTY;
            count += solved(&t->rows[r].cells[c]);
        }
        char text[64];
        snprintf(text, sizeof text, "%d of %d", count, tasks);
        table_cell_text(&row->cells[c], CELL_TEXT, text);
    }
}

/* One table of metric m; the score table (test split) gets the solved row and, for
 * test accuracy, the paper's column. */
static int add_table(table_doc *d, store *s, const leaderboard_plan *p, const metric_spec *m, bool *empty,
                     error_info *err) {
    grid g;
    task_places places;
    if (task_places_load(&places, s, err)) return -1;
    if (grid_load(&g, s, "chomsky", &p->rows, &p->cols, m, err)) {
        task_places_free(&places);
        return -1;
    }
    *empty = g.n_rows == 0;
    const bool score = strcmp(m->split, "test") == 0;
    const bool paper = !*empty && score && p->reference && strcmp(m->name, "test.accuracy") == 0;
    chomsky_reference ref = {0};
    if (paper && chomsky_reference_load(&ref, p->reference, "transformer", err)) {
        grid_free(&g);
        task_places_free(&places);
        return -1;
    }
    if (!*empty) {
        char title[256], what[256];
        describe(m, title, sizeof title, what, sizeof what);
        table *t = table_doc_add(d, m->name, title);
        t->agg = leaderboard_agg_name(p->agg);
        t->decimals = m->decimals;
        t->unit = m->unit;
        t->flag = m->percent ? "solved" : "best";
        add_columns(t, &g, paper);
        for (int r = 0; r < g.n_rows; r++) add_task_row(t, &g, r, &places, p->agg, m->percent, paper ? &ref : NULL);
        if (score && m->percent) add_solved_row(t);
        const char *agg = leaderboard_agg_name(p->agg);
        table_set_legend(t, "%s; %s; %s%s%s%s", what, agg_clause(p->agg), m->percent ? "bold = solved (" : "no bold",
                         m->percent ? (strcmp(agg, "mean_std") == 0 ? "mean" : agg) : "",
                         m->percent ? " ≥ 90.0). Chance = 100 / classes per output." : " (solved is for accuracies).",
                         score && m->percent ? " The solved row counts the tasks solved of those a column has." : "");
        if (paper)
            table_set_legend(t, "%s " PAPER_COLUMN ": " PAPER_SOURCE " (best of five positional encodings), "
                                "published numbers, not our runs; † = not verified against the paper.",
                             t->legend);
    }
    if (paper) chomsky_reference_free(&ref);
    grid_free(&g);
    task_places_free(&places);
    return 0;
}

int chomsky_table_build(table_doc *d, store *s, const leaderboard_plan *p, bool *empty, error_info *err) {
    if (add_table(d, s, p, &p->metric, empty, err)) return -1;
    if (*empty || strcmp(p->metric.split, "test") != 0) return 0;
    char name[64];
    snprintf(name, sizeof name, "eval.%s", p->metric.result);
    metric_spec in_distribution;
    bool none;
    return metric_spec_parse(&in_distribution, name, SUITE_CHOMSKY, err) ||
                   add_table(d, s, p, &in_distribution, &none, err) || chomsky_randomized_build(d, s, p, err)
               ? -1
               : 0;
}
