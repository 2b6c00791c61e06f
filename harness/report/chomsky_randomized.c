/* chomsky_randomized.c — the Chomsky leaderboard's answer to "do randomized positions
 * help?" (Ruoss et al. 2023 report +12.0 points of test accuracy on average for
 * Transformers): for every configuration that was run both with a positional encoding
 * and with its randomized form ("full · rope" and "full · rope (rand.)"), the two compared
 * on the tasks both have, from the same grid of runs as the score table.
 *
 * Per task, each side's runs give a mean and a max (the paper's score); a row reports the
 * mean over tasks of each side's mean, the difference randomized − base of the means and
 * of the maxes with their standard deviation over tasks, how many tasks moved up and
 * down, and the spread over seeds (each side's sample std over its runs, averaged over
 * the tasks with two runs or more). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/leaderboard_internal.h"

#define RANDOMIZED_SUFFIX " (rand.)"

/* Mean, max and sample std (0 for one run) of a cell's runs; values are sorted. */
typedef struct runs_summary {
    double mean, max, std;
    int n;
} runs_summary;

static runs_summary summarize(const grid_cell *c) {
    runs_summary s = {.n = c->n, .max = c->values[c->n - 1]};
    for (int i = 0; i < c->n; i++) s.mean += c->values[i];
    s.mean /= c->n;
    double squares = 0;
    for (int i = 0; i < c->n; i++) squares += (c->values[i] - s.mean) * (c->values[i] - s.mean);
    s.std = c->n > 1 ? sqrt(squares / (c->n - 1)) : 0;
    return s;
}

/* Running mean and sample std of one quantity over tasks. */
typedef struct moments {
    int n;
    double sum, squares;
} moments;

static void moments_add(moments *m, double x) {
    m->n++;
    m->sum += x;
    m->squares += x * x;
}

static double moments_mean(const moments *m) { return m->n ? m->sum / m->n : NAN; }

static double moments_std(const moments *m) {
    if (m->n < 2) return 0;
    const double mean = m->sum / m->n, variance = (m->squares - m->n * mean * mean) / (m->n - 1);
    return variance > 0 ? sqrt(variance) : 0;
}

/* The column of the base encoding of randomized column c, or -1. */
static int base_column(const grid *g, int c) {
    const char *label = g->cols[c];
    const size_t length = strlen(label), suffix = strlen(RANDOMIZED_SUFFIX);
    if (length <= suffix || strcmp(label + length - suffix, RANDOMIZED_SUFFIX) != 0) return -1;
    char base[256];
    snprintf(base, sizeof base, "%.*s", (int)(length - suffix), label);
    return grid_find_col(g, base);
}

static void set_number(table_cell *cell, const char *fmt, double value) {
    char text[64];
    snprintf(text, sizeof text, fmt, value);
    table_cell_text(cell, CELL_NUMBER, text);
}

static void set_mean_std(table_cell *cell, const moments *m) {
    char text[64];
    snprintf(text, sizeof text, "%+.1f ± %.1f", moments_mean(m), moments_std(m));
    table_cell_text(cell, CELL_TEXT, text);
}

/* One row: configuration `base` against its randomized column `rand`; false when no task
 * has runs of both. */
static bool add_pair_row(table *t, const grid *g, int base, int rand) {
    moments base_mean = {0}, rand_mean = {0}, delta_mean = {0}, delta_max = {0}, base_seeds = {0}, rand_seeds = {0};
    int up = 0, down = 0;
    for (int r = 0; r < g->n_rows; r++) {
        const grid_cell *b = &g->cells[r * g->n_cols + base], *x = &g->cells[r * g->n_cols + rand];
        if (b->n == 0 || x->n == 0) continue;
        const runs_summary sb = summarize(b), sx = summarize(x);
        moments_add(&base_mean, sb.mean);
        moments_add(&rand_mean, sx.mean);
        moments_add(&delta_mean, sx.mean - sb.mean);
        moments_add(&delta_max, sx.max - sb.max);
        if (sb.n > 1) moments_add(&base_seeds, sb.std);
        if (sx.n > 1) moments_add(&rand_seeds, sx.std);
        up += sx.mean > sb.mean;
        down += sx.mean < sb.mean;
    }
    if (delta_mean.n == 0) return false;
    table_row *row = table_add_row(t, ROW_OURS, NULL);
    table_cell_text(&row->cells[0], CELL_TEXT, g->cols[base]);
    set_number(&row->cells[1], "%.0f", delta_mean.n);
    set_number(&row->cells[2], "%.1f", moments_mean(&base_mean));
    set_number(&row->cells[3], "%.1f", moments_mean(&rand_mean));
    set_mean_std(&row->cells[4], &delta_mean);
    set_mean_std(&row->cells[5], &delta_max);
    char moved[64];
    snprintf(moved, sizeof moved, "%d / %d", up, down);
    table_cell_text(&row->cells[6], CELL_TEXT, moved);
    if (base_seeds.n) set_number(&row->cells[7], "%.1f", moments_mean(&base_seeds));
    if (rand_seeds.n) set_number(&row->cells[8], "%.1f", moments_mean(&rand_seeds));
    return true;
}

int chomsky_randomized_build(table_doc *d, store *s, const leaderboard_plan *p, error_info *err) {
    grid g;
    if (grid_load(&g, s, "chomsky", &p->rows, &p->cols, &p->metric, err)) return -1;
    table *t = NULL;
    for (int c = 0; c < g.n_cols; c++) {
        const int base = base_column(&g, c);
        if (base < 0) continue;
        if (!t) {
            static const char *const labels[] = {"Configuration", "Tasks", "Base: mean", "Randomized: mean",
                                                 "Δ mean", "Δ max", "Tasks up / down", "Seed std base",
                                                 "Seed std randomized"};
            t = table_doc_add(d, "randomized", "Chomsky hierarchy: randomized positions against their base encoding");
            t->agg = "mean_std";
            t->flag = "best";
            t->unit = p->metric.unit;
            t->decimals = 1;
            for (int k = 0; k < 9; k++) table_add_column(t, labels[k], k == 0, k > 0);
        }
        add_pair_row(t, &g, base, c);
    }
    if (t)
        table_set_legend(t,
                         "The score on the test lengths (%%) of each configuration with its positional encoding "
                         "(base) and with the randomized form of it (Ruoss et al. 2023), over the tasks that have "
                         "completed runs of both. Base and randomized: the mean over tasks of each task's mean over "
                         "its runs. Δ mean and Δ max: randomized − base of each task's mean and of its max over runs "
                         "(the paper's score), averaged over the tasks ± their standard deviation over the tasks. "
                         "Tasks up / down: tasks whose mean rose / fell. Seed std: each task's sample standard "
                         "deviation over its runs, averaged over the tasks with two runs or more. Ruoss et al. "
                         "report +12.0 points on average for Transformers.");
    grid_free(&g);
    return 0;
}
