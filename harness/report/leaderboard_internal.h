/* leaderboard_internal.h — what the leaderboard files share: the resolved options (a
 * plan), the metric and field tables, the grid of runs read from the database, and the
 * table builders of each suite. */
#ifndef ATTNBENCH_LEADERBOARD_INTERNAL_H
#define ATTNBENCH_LEADERBOARD_INTERNAL_H

#include <stdbool.h>

#include "report/report.h"
#include "table/table.h"

/* The suites with a layout of their own; any other suite runs recorded (SUITE_OTHER) gets
 * the generic grid, mechanisms × tasks by default. */
typedef enum suite_kind { SUITE_LRA, SUITE_CHOMSKY, SUITE_SPEED, SUITE_OTHER } suite_kind;
typedef enum agg_kind { AGG_MEAN_STD, AGG_MAX, AGG_MEDIAN } agg_kind;

/* What a table ranks: a final result (split.name), a run column or a bench column. */
typedef struct metric_spec {
    char name[64];          /* as given: "test.accuracy", "wall_seconds" */
    char split[16];         /* result split; "" for a column */
    char result[32];        /* result name; "" for a column */
    const char *column;     /* run or bench column; NULL for a result */
    int direction;          /* +1 higher is better, -1 lower */
    double scale;           /* display value = stored value × scale */
    int decimals;
    const char *unit;       /* "%", "s", "MiB", "" */
    char what[96];          /* for legends: "test accuracy (%)" */
    bool percent;           /* an accuracy */
} metric_spec;

/* What rows or columns are keyed by. */
typedef enum field_kind { FIELD_MECHANISM, FIELD_TASK, FIELD_POSITIONAL, FIELD_CONFIG, FIELD_KEY } field_kind;
typedef struct field_spec {
    field_kind kind;
    char path[160]; /* FIELD_KEY: the JSON path ("$.model.attention.window") */
    char label[128]; /* header of a key column: "Mechanism", "model.attention.window" */
} field_spec;

typedef struct leaderboard_plan {
    suite_kind suite;
    char suite_name[64];       /* run.suite of the runs ranked: "lra", "chomsky", or another */
    metric_spec metric;
    agg_kind agg;
    table_renderer render;
    bool custom_layout;        /* --rows or --cols given (chomsky: the generic grid) */
    field_spec rows, cols;
    const char *reference;     /* CSV of published numbers, or NULL */
} leaderboard_plan;

int leaderboard_plan_make(leaderboard_plan *p, const leaderboard_options *o, error_info *err);
const char *leaderboard_agg_name(agg_kind agg);
/* A metric by name for a suite (result metrics for lra and chomsky, bench columns for
 * speed); EXIT_USAGE listing the valid names. */
int metric_spec_parse(metric_spec *m, const char *name, suite_kind suite, error_info *err);

/* Runs grouped by (row key, column key): the values of each cell, in display units,
 * sorted. Only completed runs of the suite (run.suite) count, the latest of each (config
 * hash, seed). Keys are sorted: tasks in the order their runs recorded (run.task_order),
 * numbers as numbers, anything else by name. */
typedef struct grid_cell {
    int n, capacity;
    double *values;
} grid_cell;

typedef struct grid {
    int n_rows, n_cols;
    char **rows, **cols;
    grid_cell *cells; /* [n_rows × n_cols] */
} grid;

int grid_load(grid *g, store *s, const char *suite, const field_spec *rows, const field_spec *cols,
              const metric_spec *m, error_info *err);
/* Fill a CELL_STAT from a grid cell with n > 0 (value by agg, mean, sample std, n). */
void grid_cell_stat(const grid_cell *g, agg_kind agg, table_cell *c);
int grid_find_row(const grid *g, const char *key);
int grid_find_col(const grid *g, const char *key);
void grid_free(grid *g);

/* Builders: each adds its tables to d; *empty when the database has nothing to rank. */
int grid_table_build(table_doc *d, store *s, const leaderboard_plan *p, bool *empty, error_info *err);
int chomsky_table_build(table_doc *d, store *s, const leaderboard_plan *p, bool *empty, error_info *err);
/* The Chomsky score table's companion: each configuration against its randomized form
 * (no table when no configuration was run both ways). */
int chomsky_randomized_build(table_doc *d, store *s, const leaderboard_plan *p, error_info *err);
int speed_table_build(table_doc *d, store *s, const leaderboard_plan *p, bool *empty, error_info *err);

/* The published LRA numbers (results/reference/lra_table1.csv): a row per model, the
 * attnbench mechanism that implements it (may be empty), the text of each task column
 * ("36.37", "FAIL") and the five-task average. Errors name path:line. */
typedef struct lra_reference_row {
    char *model, *mechanism;
    char **values;   /* [n_tasks] */
    char *average;   /* average_5 */
} lra_reference_row;

typedef struct lra_reference {
    int n_tasks, n_rows;
    char **tasks; /* column names: "lra/listops", ... */
    lra_reference_row *rows;
} lra_reference;

int lra_reference_load(lra_reference *ref, const char *path, error_info *err);
void lra_reference_free(lra_reference *ref);

#endif
