/* report.h — tables and plots built from the results database, never from a run in
 * memory: the leaderboards of the LRA, Chomsky-hierarchy and speed suites, and of any
 * other suite that runs recorded, in five formats, and the SVG plots of accuracy by
 * input length.
 *
 * A run belongs to the suite its task's registration names (run.suite), and tasks are
 * ordered and labelled by what the runs recorded (run.task_order, run.level). Only
 * completed runs count, and when the same config and seed was completed more than
 * once, only its latest run. */
#ifndef ATTNBENCH_REPORT_H
#define ATTNBENCH_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"
#include "store/store.h"

/* `attnbench leaderboard` options as given; NULL means the suite's default. */
typedef struct leaderboard_options {
    const char *suite;     /* lra (default), chomsky, speed, or any suite that runs recorded */
    const char *metric;    /* test.accuracy, wall_seconds, ...; speed: tokens_per_second, ... */
    const char *agg;       /* mean_std (lra), max (chomsky), median */
    const char *format;    /* md (default), csv, latex, html, json */
    const char *rows;      /* mechanism, task, positional, config or a config key path */
    const char *cols;
    const char *reference; /* CSV of published numbers; NULL: none */
} leaderboard_options;

/* Check the options without reading anything: EXIT_USAGE naming the bad value and
 * listing the valid ones. */
int leaderboard_check(const leaderboard_options *o, error_info *err);
/* The published numbers a suite is shown beside by default (NULL: none). */
const char *leaderboard_default_reference(const char *suite);
/* Build the suite's tables from the database and write them to out. *empty is set,
 * and nothing written, when the database has nothing of the suite to rank. A suite
 * other than lra, chomsky and speed that no run of the database belongs to is an
 * EXIT_USAGE error listing the suites it has. */
int leaderboard_write(store *s, const leaderboard_options *o, FILE *out, bool *empty, error_info *err);
/* The suites of the database's completed runs, comma-separated ("" when none). */
int leaderboard_suites(store *s, char *out, size_t size, error_info *err);

/* A suite's results as the plots read them, laid out as the Chomsky-hierarchy benchmark
 * (Delétang et al., ICLR 2023) reports them: the completed runs of the suite's tasks per
 * task and configuration, where a configuration is (mechanism, model.positional,
 * model.randomized_positions) and everything else (seeds, learning rates, options) is
 * pooled as the paper pools it. A config and seed completed twice counts once (its
 * latest run). */
typedef struct chomsky_report chomsky_report;

/* suite: "chomsky", or any suite; curves: also read the per-length accuracy (for the
 * plots; the tables do without). */
int chomsky_report_load(chomsky_report **out, store *s, const char *suite, bool curves, error_info *err);
/* Number of tasks with completed runs (rows); 0 when the database has none. */
int chomsky_report_tasks(const chomsky_report *r);
/* Number of per-length points over every curve; 0 when the runs have no length_result rows. */
int chomsky_report_points(const chomsky_report *r);
void chomsky_report_free(chomsky_report *r);

/* One SVG per task, DIR/<suite>_<name>.svg, <name> without its "<suite>/" (DIR is
 * created if missing): accuracy against input length, a curve per configuration (the
 * mean over its runs at each length), the training lengths shaded and chance
 * (1/classes) dashed. task NULL: every task with runs; else only that one
 * ("parity_check" or "chomsky/parity_check"), an error when it has no runs. Each
 * written path is printed as a line on log. */
int chomsky_plot_write(const chomsky_report *r, const char *dir, const char *task, FILE *log,
                       error_info *err);

#endif
