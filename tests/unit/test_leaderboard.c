/* test_leaderboard.c — the default LRA Markdown leaderboard of a hand-made set of runs,
 * compared with the expected table character for character: mean ± std over seeds, n,
 * bold best per column (ties included), the Avg column (only for a row with all five
 * averaged tasks, "—" otherwise), and which runs do not count (failed, still running,
 * a config and seed repeated). Also `attnbench leaderboard` writing to a file, its
 * answer for a database without completed runs, and its usage errors (exit 2, naming
 * the bad value and the valid ones). Every format of every suite is pinned by
 * tests/golden/test_leaderboard_golden.c. */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "report/report.h"
#include "store/store.h"
#include "tasks/task.h"
#include "testing.h"

typedef struct fake_run {
    const char *mechanism, *task;
    uint64_t seed;
    const char *status; /* completed, failed or running */
    double test_accuracy;
} fake_run;

static const fake_run fake_runs[] = {
    {"full", "lra/listops", 0, "completed", 0.36},
    {"full", "lra/listops", 1, "completed", 0.37},
    {"full", "lra/listops", 2, "completed", 0.38},
    {"full", "lra/text", 0, "completed", 0.62},
    {"full", "lra/retrieval", 0, "completed", 0.60},
    {"full", "lra/image", 0, "completed", 0.40},
    {"full", "lra/pathfinder", 0, "completed", 0.70},
    {"local", "lra/pathfinder", 0, "completed", 0.75},
    {"local", "lra/listops", 0, "completed", 0.30},
    {"local", "lra/listops", 1, "completed", 0.40},
    {"local", "lra/text", 0, "completed", 0.10}, /* superseded by the repeat below */
    {"local", "lra/text", 0, "completed", 0.65},
    {"local", "lra/text", 1, "completed", 0.66},
    {"performer", "lra/listops", 0, "completed", 0.37},
    {"performer", "lra/text", 0, "failed", 0.99},
    {"performer", "lra/text", 1, "running", 0.99},
};

static const char expected_table[] =
    "| Mechanism | lra/listops | lra/text | lra/retrieval | lra/image | lra/pathfinder | Avg |\n"
    "|:---|---:|---:|---:|---:|---:|---:|\n"
    "| full | **37.00 ± 1.00** (n=3) | 62.00 (n=1) | **60.00** (n=1) | **40.00** (n=1) | 70.00 (n=1) | **53.80** |\n"
    "| local | 35.00 ± 7.07 (n=2) | **65.50 ± 0.71** (n=2) | - | - | **75.00** (n=1) | — |\n"
    "| performer | **37.00** (n=1) | - | - | - | - | — |\n"
    "\n"
    "Test accuracy (%) of completed runs: mean ± sample standard deviation over the runs, with their number n (a "
    "config and seed completed more than once counts once, its latest run); bold = best per column (higher is "
    "better). Avg = the mean of the five LRA tasks listops, text, retrieval, image and pathfinder (Path-X apart, as "
    "published) over the values shown; — = the row lacks one of the five, so it has no average.\n";

static int add_run(store *s, const fake_run *f, error_info *err) {
    char hash[128], json[256];
    snprintf(hash, sizeof hash, "%s@%s", f->mechanism, f->task);
    snprintf(json, sizeof json, "{\"mechanism\":\"%s\",\"task\":\"%s\"}", f->mechanism, f->task);
    task_place place;
    task_place_find(&place, f->task);
    run_identity id = {json, hash, f->seed, "lb", f->task, "1", f->mechanism, place.suite, place.level, place.order};
    provenance p;
    provenance_collect(&p, 1);
    char run_id[33];
    if (store_run_begin(s, &id, &p, run_id, err)) return -1;
    if (strcmp(f->status, "running") == 0) return 0;
    if (strcmp(f->status, "failed") == 0)
        return store_run_fail(s, run_id, "failed", 3, "boom", err);
    result_value results[] = {{"test", "accuracy", f->test_accuracy}, {"eval", "accuracy", 0.5}};
    return store_run_complete(s, run_id, results, 2, 10, 1.0, 1e6, err);
}

static char *read_text(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    static char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static void test_markdown(const char *path) {
    error_info err = {0};
    store *s = NULL;
    if (!test_check(store_open(&s, path, false, &err) == 0, "create the database", "%s",
                    err.message))
        return;
    for (size_t i = 0; i < sizeof fake_runs / sizeof fake_runs[0]; i++)
        if (add_run(s, &fake_runs[i], &err))
            test_check(false, "record a hand-made run", "%s", err.message);
    store_close(s);

    test_check(store_open(&s, path, true, &err) == 0, "reopen read-only", "%s", err.message);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    bool empty = true;
    const leaderboard_options options = {.suite = "lra"};
    test_check(leaderboard_write(s, &options, out, &empty, &err) == 0 && !empty, "write the leaderboard", "%s",
               err.message);
    fclose(out);
    test_check(strcmp(text, expected_table) == 0, "markdown table matches exactly",
               "got:\n%s\nexpected:\n%s", text, expected_table);
    free(text);
    store_close(s);
}

/* A usage error: exit 2, and a message naming the value and listing the valid ones. */
static void test_usage(const char *what, const char *flag, const char *value, const char *valid) {
    char *argv[] = {"leaderboard", (char *)flag, (char *)value, NULL};
    error_info err = {0};
    leaderboard_options o = {0};
    const char **slot = strcmp(flag, "--metric") == 0   ? &o.metric
                        : strcmp(flag, "--format") == 0 ? &o.format
                        : strcmp(flag, "--agg") == 0    ? &o.agg
                        : strcmp(flag, "--rows") == 0   ? &o.rows
                        : strcmp(flag, "--cols") == 0   ? &o.cols
                                                        : &o.suite;
    *slot = value;
    const int status = leaderboard_check(&o, &err);
    test_check(status != 0 && err.status == EXIT_USAGE && strstr(err.message, value) && strstr(err.message, valid),
               what, "status %d: %s", err.status, err.message);
    test_check(cmd_leaderboard(3, argv) == EXIT_USAGE, what, "the command does not exit 2");
}

static void test_command(const char *path) {
    char output[512];
    snprintf(output, sizeof output, "%s/leaderboard.md", test_temp_dir());
    char *argv[] = {"leaderboard", "--db", (char *)path, "-o", output, "--reference", "none", NULL};
    int status = cmd_leaderboard(7, argv);
    const char *written = read_text(output);
    test_check(status == 0 && written && strcmp(written, expected_table) == 0,
               "`leaderboard -o FILE` writes the table", "status %d, file:\n%s", status,
               written ? written : "(missing)");

    char empty_db[512], empty_out[512];
    snprintf(empty_db, sizeof empty_db, "%s/empty.sqlite", test_temp_dir());
    snprintf(empty_out, sizeof empty_out, "%s/empty.md", test_temp_dir());
    error_info err = {0};
    store *s = NULL;
    test_check(store_open(&s, empty_db, false, &err) == 0, "create an empty database", "%s",
               err.message);
    store_close(s);
    char *empty_argv[] = {"leaderboard", "--db", empty_db, "-o", empty_out, NULL};
    status = cmd_leaderboard(5, empty_argv);
    test_check(status == 0 && access(empty_out, F_OK) != 0,
               "no completed runs: exit 0 and no output file", "status %d", status);

    test_usage("unknown format", "--format", "pdf", "md, csv, latex, html, json");
    test_usage("unknown metric", "--metric", "test.f1", "accuracy, sequence_accuracy, loss or tokens_per_second");
    test_usage("unknown aggregate", "--agg", "mean", "mean_std, max, median");
    test_usage("unknown rows field", "--rows", "colour", "mechanism, task, positional, config");
    test_usage("a key path outside the config", "--cols", "host.name", "model.attention.window");
    test_usage("a malformed suite", "--suite", "glue/x", "lra, chomsky, speed");
    char missing[512];
    snprintf(missing, sizeof missing, "%s/missing.sqlite", test_temp_dir());
    char *missing_db[] = {"leaderboard", "--db", missing, NULL};
    status = cmd_leaderboard(3, missing_db);
    test_check(status == EXIT_RUNTIME && access(missing, F_OK) != 0,
               "missing database is a runtime error and is not created", "status %d", status);
}

int main(void) {
    char path[512];
    snprintf(path, sizeof path, "%s/leaderboard.sqlite", test_temp_dir());
    test_markdown(path);
    test_command(path);
    return test_finish("test_leaderboard");
}
