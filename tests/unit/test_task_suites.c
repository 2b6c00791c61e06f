/* test_task_suites.c — suites come from the tasks' registration and are read back from
 * the database alone.
 *
 * Checked: every registered task names a suite, a level (possibly "") and an order of
 * its own within its suite, and task_place_find gives them back (and the text before
 * '/' for a task this build lacks); runs recorded under a suite no registered task
 * has ("newsuite", through the store API as `attnbench run` records them) are ranked by
 * `leaderboard --suite newsuite` as mechanisms × tasks, tasks in their recorded order,
 * and plotted by suite with their per-length results, with no other edit; a suite no
 * run belongs to is a usage error naming the database's suites. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report/report.h"
#include "store/store.h"
#include "tasks/task.h"
#include "testing.h"

static void test_registry(void) {
    int bad = 0, clashes = 0;
    for (int i = 0; i < task_count(); i++) {
        const task_ops *t = task_at(i);
        if (!t->suite || !t->suite[0] || strchr(t->suite, '/') || !t->level || t->order < 1) {
            test_check(false, "a registered task is placed", "%s: suite %s, level %s, order %d", t->name,
                       t->suite ? t->suite : "NULL", t->level ? t->level : "NULL", t->order);
            bad++;
        }
        for (int j = 0; j < i; j++) {
            const task_ops *u = task_at(j);
            if (t->suite && u->suite && strcmp(t->suite, u->suite) == 0 && t->order == u->order) {
                test_check(false, "orders are unique within a suite", "%s and %s: %s #%d", u->name, t->name,
                           t->suite, t->order);
                clashes++;
            }
        }
        task_place place;
        task_place_find(&place, t->name);
        if (t->suite && strcmp(place.suite, t->suite) != 0) bad++;
    }
    test_check(bad == 0 && clashes == 0, "every registered task: a suite, a level, a unique order in its suite",
               "%d unplaced, %d clashes", bad, clashes);
    task_place place;
    task_place_find(&place, "chomsky/reverse_string");
    test_check(strcmp(place.suite, "chomsky") == 0 && strcmp(place.level, "DCF") == 0 && place.order == 6,
               "chomsky/reverse_string: chomsky, DCF, 6th (the paper's order)", "%s %s %d", place.suite, place.level,
               place.order);
    task_place_find(&place, "elsewhere/thing");
    test_check(strcmp(place.suite, "elsewhere") == 0 && place.level[0] == '\0' && place.order == 0,
               "a task this build lacks: the text before '/', no level, no order", "%s '%s' %d", place.suite,
               place.level, place.order);
}

typedef struct new_run {
    const char *task;
    int order;
    const char *mechanism;
    uint64_t seed;
    double test;
} new_run;

/* A suite no registered task has: beta comes first in its order. */
static const new_run new_runs[] = {
    {"newsuite/alpha", 2, "full", 0, 0.50}, {"newsuite/alpha", 2, "full", 1, 0.70},
    {"newsuite/beta", 1, "full", 0, 0.90},  {"newsuite/alpha", 2, "local", 0, 0.40},
    {"newsuite/beta", 1, "local", 0, 0.95},
};

static void record(const char *path) {
    store *s = NULL;
    error_info err = {0};
    if (!test_check(store_open(&s, path, false, &err) == 0, "create the database", "%s", err.message)) exit(1);
    for (size_t i = 0; i < sizeof new_runs / sizeof new_runs[0]; i++) {
        const new_run *r = &new_runs[i];
        char hash[128], json[256], run_id[33];
        snprintf(hash, sizeof hash, "%s@%s", r->task, r->mechanism);
        snprintf(json, sizeof json, "{\"task\":{\"name\":\"%s\"},\"model\":{\"attention\":{\"kind\":\"%s\"}}}",
                 r->task, r->mechanism);
        const run_identity id = {json, hash, r->seed, "new", r->task, "1", r->mechanism, "newsuite", "", r->order};
        provenance p;
        provenance_collect(&p, 1);
        const result_value results[] = {{"test", "accuracy", r->test}, {"eval", "accuracy", r->test}};
        const length_point lengths[] = {{"eval", 4, r->test, r->test, 8}, {"test", 8, r->test / 2, 0, 8}};
        if (store_run_begin(s, &id, &p, run_id, &err) || store_run_lengths(s, run_id, lengths, 2, &err) ||
            store_run_complete(s, run_id, results, 2, 10, 1.0, 1e6, &err))
            test_check(false, "record a run of newsuite", "%s", err.message);
    }
    store_close(s);
}

static char *leaderboard(const char *path, const char *suite, int *status, error_info *err) {
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    store *s = NULL;
    bool empty = false;
    const leaderboard_options options = {.suite = suite};
    *status = store_open(&s, path, true, err);
    if (*status == 0) *status = leaderboard_write(s, &options, out, &empty, err);
    store_close(s);
    fclose(out);
    return text;
}

static void test_new_suite(const char *path) {
    error_info err = {0};
    int status;
    char *text = leaderboard(path, "newsuite", &status, &err);
    test_check(status == 0, "leaderboard --suite newsuite", "%s", err.message);
    printf("%s", text);
    test_check(strstr(text, "| Mechanism | newsuite/beta | newsuite/alpha |") != NULL,
               "newsuite: a column per task, in the recorded order (beta, then alpha)", "%s", text);
    test_check(strstr(text, "| full | 90.00 (n=1) | **60.00 ± 14.14** (n=2) |") != NULL &&
                   strstr(text, "| local | **95.00** (n=1) | 40.00 (n=1) |") != NULL,
               "newsuite: a row per mechanism, mean ± std and n, best in bold", "%s", text);
    test_check(strstr(text, "Avg") == NULL, "newsuite: no LRA average", "%s", text);
    free(text);

    text = leaderboard(path, "lra", &status, &err);
    test_check(status == 0 && strlen(text) == 0, "lra: nothing of newsuite ranked there", "%s", text);
    free(text);
    text = leaderboard(path, "nosuch", &status, &err);
    test_check(status != 0 && err.status == EXIT_USAGE && strstr(err.message, "\"nosuch\"") &&
                   strstr(err.message, "newsuite"),
               "a suite no run has: usage error naming the database's suites", "%s", err.message);
    free(text);

    store *s = NULL;
    chomsky_report *r = NULL;
    char dir[600], svg[700];
    snprintf(dir, sizeof dir, "%s/plots", test_temp_dir());
    snprintf(svg, sizeof svg, "%s/newsuite_alpha.svg", dir);
    err = (error_info){0};
    if (store_open(&s, path, true, &err) == 0) chomsky_report_load(&r, s, "newsuite", true, &err);
    store_close(s);
    test_check(r && chomsky_report_tasks(r) == 2 && chomsky_report_points(r) > 0, "newsuite: loaded for plotting",
               "%s", err.message);
    if (r) {
        test_check(chomsky_plot_write(r, dir, NULL, stdout, &err) == 0 && access(svg, F_OK) == 0,
                   "plot --suite newsuite: DIR/newsuite_alpha.svg", "%s", err.message);
        chomsky_report_free(r);
    }
}

int main(void) {
    char path[512];
    snprintf(path, sizeof path, "%s/suites.sqlite", test_temp_dir());
    test_registry();
    record(path);
    test_new_suite(path);
    return test_finish("test_task_suites");
}
