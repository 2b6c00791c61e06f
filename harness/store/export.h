/* export.h — long-form CSV of the results database, for pandas or R (`attnbench export`).
 *
 * Each table is one SELECT over the documented views and tables, printed by
 * store_query's CSV writer: a header row, RFC 4180 quoting, NULL as an empty field,
 * integers exactly and reals in the shortest form that reads back to the same double. */
#ifndef ATTNBENCH_EXPORT_H
#define ATTNBENCH_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "core/error.h"
#include "store/store.h"

enum export_table {
    EXPORT_RESULTS, /* one row per run × split × final metric */
    EXPORT_METRICS, /* training curves: one row per run × step × split × metric */
    EXPORT_LENGTHS, /* per-length accuracy: one row per run × split × length */
    EXPORT_RUNS,    /* one row per run: the `runs` view */
};

/* The table's name ("results", ...) to its enum; false for an unknown name. */
bool export_table_from_name(const char *name, enum export_table *table);

/* Write the table as CSV, ordered by task, mechanism, seed and run; only completed runs
 * unless all_status. */
int export_csv(store *s, enum export_table table, bool all_status, FILE *out, error_info *err);

#endif
