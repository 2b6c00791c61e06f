/* leaderboard.c — `attnbench leaderboard` from options to text: resolve the options
 * into a plan, let the suite's builder fill the table model from the database, and
 * hand it to the chosen renderer. */
#define _POSIX_C_SOURCE 200809L
#include <string.h>

#include "core/check.h"
#include "report/leaderboard_internal.h"

static const char *const doc_titles[] = {
    [SUITE_LRA] = "attnbench leaderboard: Long Range Arena",
    [SUITE_CHOMSKY] = "attnbench leaderboard: Chomsky hierarchy",
    [SUITE_SPEED] = "attnbench leaderboard: training step speed",
};

int leaderboard_write(store *s, const leaderboard_options *o, FILE *out, bool *empty, error_info *err) {
    leaderboard_plan p;
    if (leaderboard_plan_make(&p, o, err)) return -1;
    table_doc d = {0};
    int status;
    if (p.suite == SUITE_SPEED) status = speed_table_build(&d, s, &p, empty, err);
    else if (p.suite == SUITE_CHOMSKY && !p.custom_layout) status = chomsky_table_build(&d, s, &p, empty, err);
    else status = grid_table_build(&d, s, &p, empty, err);
    if (status == 0 && !*empty) {
        char title[256];
        snprintf(title, sizeof title, "%s (%s)", doc_titles[p.suite], p.metric.name);
        d.title = strdup(title);
        CHECK(d.title != NULL);
        p.render(&d, out);
    }
    table_doc_free(&d);
    return status;
}
