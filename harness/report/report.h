/* report.h — tables and plots built from the results database, never from a run in
 * memory: the LRA leaderboard, and the Chomsky-hierarchy tables and SVG plots.
 *
 * The leaderboard is mechanisms × tasks: each cell is the test accuracy of the
 * completed runs of that mechanism on that task, as mean ± sample standard deviation
 * in percent over seeds, with the number of seeds. When the same config and seed was
 * completed more than once, only its latest run counts. */
#ifndef ATTNBENCH_REPORT_H
#define ATTNBENCH_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"
#include "store/store.h"

typedef struct leaderboard leaderboard;

/* Read every completed run's test accuracy from the store. */
int leaderboard_load(leaderboard **out, store *s, error_info *err);
/* Number of mechanisms (rows); 0 when no completed run has a test accuracy. */
int leaderboard_rows(const leaderboard *lb);
/* The table in Markdown: a column per task (sorted by name) and an "Avg" column, a row
 * per mechanism (sorted by name), the best cell of each column in bold, and a one-line
 * legend under the table. */
void leaderboard_write_markdown(const leaderboard *lb, FILE *out);
void leaderboard_free(leaderboard *lb);

/* The Chomsky-hierarchy benchmark (Delétang et al., ICLR 2023): the completed runs of
 * the tasks "chomsky/<name>", aggregated per task and configuration, where a
 * configuration is (mechanism, model.positional, model.randomized_positions) and
 * everything else (seeds, learning rates, options) is pooled as the paper pools it:
 * the score is the max over the runs, reported with their mean ± std and number. A
 * config and seed completed twice counts once (its latest run). */
typedef struct chomsky_report chomsky_report;

/* curves: also read the per-length accuracy (for the plots; the tables do without). */
int chomsky_report_load(chomsky_report **out, store *s, bool curves, error_info *err);
/* Number of tasks with completed runs (rows); 0 when the database has none. */
int chomsky_report_tasks(const chomsky_report *r);
void chomsky_report_free(chomsky_report *r);

/* Two Markdown tables with a row per task (the paper's order, grouped by level) and a
 * column per configuration: the score on the test lengths, then the in-distribution
 * accuracy (training lengths). Cells are "max (mean ± std, n=k)" in percent, bold when
 * the max is ≥ 90 (the paper's "solved"); a legend line follows each table. With a
 * reference CSV (results/reference/chomsky_table2.csv), the score table also has the
 * paper's Transformer column; reference_path NULL leaves it out. Fails only on the
 * reference file. */
int chomsky_leaderboard_write_markdown(const chomsky_report *r, const char *reference_path, FILE *out,
                                       error_info *err);

/* One SVG per task, DIR/chomsky_<name>.svg (DIR is created if missing): accuracy against
 * input length, a curve per configuration (the mean over its runs at each length), the
 * training lengths shaded and chance (1/classes) dashed. task NULL: every task with
 * runs; else only that one ("parity_check" or "chomsky/parity_check"), an error when it
 * has no runs. Each written path is printed as a line on log. */
int chomsky_plot_write(const chomsky_report *r, const char *dir, const char *task, FILE *log,
                       error_info *err);

#endif
