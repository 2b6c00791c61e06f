/* leaderboard.c — `attnbench leaderboard` from options to text: resolve the options
 * into a plan, let the suite's builder fill the table model from the database, and
 * hand it to the chosen renderer. A suite without a layout of its own that no run
 * belongs to is most likely a typo, so it is refused naming the suites the database
 * has, rather than reported as having nothing to rank. */
#define _POSIX_C_SOURCE 200809L
#include <sqlite3.h>
#include <string.h>

#include "core/check.h"
#include "report/leaderboard_internal.h"

static const char *const doc_titles[] = {
    [SUITE_LRA] = "attnbench leaderboard: Long Range Arena",
    [SUITE_CHOMSKY] = "attnbench leaderboard: Chomsky hierarchy",
    [SUITE_SPEED] = "attnbench leaderboard: training step speed",
    [SUITE_OTHER] = "attnbench leaderboard: suite",
};

int leaderboard_suites(store *s, char *out, size_t size, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    const char *sql = "SELECT group_concat(suite, ', ') FROM (SELECT DISTINCT suite FROM run "
                      "WHERE suite <> '' AND status = 'completed' ORDER BY suite)";
    int rc = sqlite3_prepare_v2(store_db(s), sql, -1, &stmt, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
        error_set(err, EXIT_RUNTIME, "leaderboard: %s", sqlite3_errmsg(store_db(s)));
        sqlite3_finalize(stmt);
        return -1;
    }
    const unsigned char *suites = sqlite3_column_text(stmt, 0);
    snprintf(out, size, "%s", suites ? (const char *)suites : "");
    sqlite3_finalize(stmt);
    return 0;
}

/* EXIT_USAGE naming the suites of the database's runs when no run is of p's suite. */
static int check_suite_known(store *s, const leaderboard_plan *p, error_info *err) {
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(store_db(s), "SELECT count(*) FROM run WHERE suite = ?1", -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(stmt, 1, p->suite_name, -1, SQLITE_STATIC);
        rc = sqlite3_step(stmt);
    }
    const bool known = rc == SQLITE_ROW && sqlite3_column_int(stmt, 0) > 0;
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW) return error_set(err, EXIT_RUNTIME, "leaderboard: %s", sqlite3_errmsg(store_db(s)));
    if (known) return 0;
    char suites[512];
    if (leaderboard_suites(s, suites, sizeof suites, err)) return -1;
    return error_set(err, EXIT_USAGE,
                     "leaderboard: no run of suite \"%s\" in the database (its suites: %s; and speed for bench "
                     "measurements)",
                     p->suite_name, suites[0] ? suites : "none");
}

int leaderboard_write(store *s, const leaderboard_options *o, FILE *out, bool *empty, error_info *err) {
    leaderboard_plan p;
    if (leaderboard_plan_make(&p, o, err)) return -1;
    table_doc d = {0};
    int status;
    if (p.suite == SUITE_SPEED) status = speed_table_build(&d, s, &p, empty, err);
    else if (p.suite == SUITE_CHOMSKY && !p.custom_layout) status = chomsky_table_build(&d, s, &p, empty, err);
    else status = grid_table_build(&d, s, &p, empty, err);
    if (status == 0 && *empty && p.suite == SUITE_OTHER) status = check_suite_known(s, &p, err);
    if (status == 0 && !*empty) {
        char title[256];
        if (p.suite == SUITE_OTHER)
            snprintf(title, sizeof title, "%s %s (%s)", doc_titles[p.suite], p.suite_name, p.metric.name);
        else
            snprintf(title, sizeof title, "%s (%s)", doc_titles[p.suite], p.metric.name);
        d.title = strdup(title);
        CHECK(d.title != NULL);
        p.render(&d, out);
    }
    table_doc_free(&d);
    return status;
}
