/* report_internal.h — what the report files share and the commands need not see: the
 * tasks' levels and order as the database records them (task_places.c), the
 * per-length results of a suite as the Chomsky tables and the plots load them
 * (chomsky_runs.c), the published reference numbers (chomsky_reference.c) and a line
 * chart written as SVG (plot_svg.c). */
#ifndef ATTNBENCH_REPORT_INTERNAL_H
#define ATTNBENCH_REPORT_INTERNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "report/report.h"

/* A configuration: what the Chomsky tables have a column for. Runs that differ in other
 * settings (learning rate, seed, mechanism options) fall into the same configuration. */
typedef struct chomsky_config {
    char *mechanism;  /* run.mechanism */
    char *positional; /* model.positional of the config JSON, "?" when absent */
    bool randomized;  /* model.randomized_positions */
    char *label;      /* "full · rope", "local · alibi (rand.)" */
} chomsky_config;

/* Runs of one configuration on one task with a result: n = 0 when it has none. */
typedef struct chomsky_stat {
    int n;
} chomsky_stat;

/* Per-length accuracy of one configuration, in percent: at each length, the mean over
 * the runs that have that length (training lengths and test lengths alike). */
typedef struct chomsky_point {
    int length;
    double accuracy;
    int runs;
} chomsky_point;

typedef struct chomsky_curve {
    chomsky_point *points; /* by increasing length */
    int n_points, capacity;
    int runs; /* most runs behind one point */
} chomsky_curve;

typedef struct chomsky_task {
    char *name;         /* "chomsky/parity_check" */
    const char *short_name; /* name without "<suite>/" */
    char *level;        /* "R", "DCF", "CS" as the runs recorded it; "" none */
    int classes;        /* per output, from the task registry (chance); 0 when this build lacks the task */
    int train_min, train_max; /* training lengths over its runs (task.train_lengths of the config JSON); 0 unknown */
    chomsky_stat *score;           /* [n_configs] runs with a result ('test', 'accuracy') */
    chomsky_stat *in_distribution; /* [n_configs] runs with a result ('eval', 'accuracy') */
    chomsky_curve *curves;         /* [n_configs] length_result */
} chomsky_task;

struct chomsky_report {
    char suite[64];          /* the suite whose runs these are */
    int n_tasks, n_configs;
    chomsky_task *tasks;     /* by the order the runs recorded (the paper's for Chomsky), then name */
    chomsky_config *configs; /* by mechanism, positional, randomized */
};

/* Classes per output of a task from the task registry, 0 when this build lacks it: the
 * one thing reports take from outside the database, for the chance level. */
int chomsky_task_classes(const char *task);

/* Per task name, the level and order its runs recorded (run.level, run.task_order). */
typedef struct task_place_row {
    char *task, *level;
    int order; /* 0: unknown */
} task_place_row;

typedef struct task_places {
    int n;
    task_place_row *places;
} task_places;

int task_places_load(task_places *p, store *s, error_info *err);
/* The level of task, "" when none or unknown. */
const char *task_places_level(const task_places *p, const char *task);
/* Tasks by order (unknown order last), then by name. */
int task_places_compare(const task_places *p, const char *a, const char *b);
void task_places_free(task_places *p);
/* Split a CSV line without quoting (changed in place) at commas into at most
 * REFERENCE_MAX_FIELDS fields; returns their number, REFERENCE_MAX_FIELDS + 1 when more. */
enum { REFERENCE_MAX_FIELDS = 32 };
int reference_csv_split(char *line, char **fields);

/* One published number: a task's score for one model of the paper. */
typedef struct chomsky_reference_cell {
    char *task; /* "chomsky/parity_check" */
    double score;
    bool verified;
} chomsky_reference_cell;

/* The rows of a reference CSV (results/reference/chomsky_table2.csv) for one model
 * column ("transformer"); the file's columns are found by name: task, model, score,
 * verified ("yes"/"no"). Plain CSV without quoting. Errors name path:line. */
typedef struct chomsky_reference {
    chomsky_reference_cell *cells;
    int n;
} chomsky_reference;

int chomsky_reference_load(chomsky_reference *out, const char *path, const char *model, error_info *err);
/* The cell of task, or NULL. */
const chomsky_reference_cell *chomsky_reference_find(const chomsky_reference *ref, const char *task);
void chomsky_reference_free(chomsky_reference *ref);

/* A line chart: x against y in data units, drawn into a fixed frame. */
typedef struct svg_series {
    const char *label;
    const double *x, *y;
    int n;
    int style; /* colour and dash: the same style draws the same way in every chart */
} svg_series;

typedef struct svg_chart {
    const char *title, *subtitle, *x_label, *y_label;
    double x_min, x_max, y_min, y_max; /* the axes' ranges */
    double y_tick;                     /* step of the y ticks; x ticks are chosen */
    double band_from, band_to;         /* shaded x range when band_to > band_from */
    const char *band_label;
    bool has_hline;                    /* a dashed horizontal line at hline */
    double hline;
    const char *hline_label;
    const svg_series *series;
    int n_series;
} svg_chart;

/* The plot area, in SVG user units, that every point of a series falls inside. */
enum { SVG_PLOT_LEFT = 70, SVG_PLOT_RIGHT = 560, SVG_PLOT_TOP = 70, SVG_PLOT_BOTTOM = 410 };

/* Write a self-contained SVG document (no fonts, scripts or links): title, axes with
 * ticks and labels, the band, the line, one polyline per series and a legend. The
 * same chart gives the same bytes. */
void svg_chart_write(const svg_chart *chart, FILE *out);

#endif
