/* report.h — tables built from the results database, never from a run in memory.
 *
 * The leaderboard is mechanisms × tasks: each cell is the test accuracy of the
 * completed runs of that mechanism on that task, as mean ± sample standard deviation
 * in percent over seeds, with the number of seeds. When the same config and seed was
 * completed more than once, only its latest run counts. */
#ifndef ATTNBENCH_REPORT_H
#define ATTNBENCH_REPORT_H

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

#endif
