/* test_cli.c — the attnbench binary end to end, into a temporary database: a tiny run
 * completes and `query` and `leaderboard` read it back; bad configs and overrides exit
 * 2 without recording anything; a foreign database exits 1 and is left untouched; a
 * run killed with SIGKILL leaves no results behind, one stopped with SIGINT is recorded
 * as failed with its reason; every command answers --help, and an unknown flag with
 * one line naming it. */
#define _DEFAULT_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testing.h"

static char output[1 << 16];
static char db[512], cfg_path[512];

#define run(...) test_attnbench(output, sizeof output, __VA_ARGS__)

static const char tiny_config[] =
    "name: tiny\n"
    "task:\n"
    "  name: lra/listops\n"
    "  min_length: 10\n"
    "  max_length: 40\n"
    "  train_examples: 64\n"
    "  eval_examples: 16\n"
    "  test_examples: 16\n"
    "model:\n"
    "  layers: 1\n"
    "  dim: 16\n"
    "  heads: 2\n"
    "  mlp_dim: 32\n"
    "train:\n"
    "  steps: 6\n"
    "  batch_size: 4\n"
    "  log_every: 2\n"
    "  eval_every: 3\n"
    "  threads: 1\n";

static int count_rows(const char *sql) {
    if (run("query --db %s --format csv \"%s\"", db, sql) != 0) return -1;
    const char *newline = strchr(output, '\n');
    return newline ? atoi(newline + 1) : -1;
}

static void test_run_and_read_back(void) {
    test_check(run("run %s --db %s --quiet", cfg_path, db) == 0, "a tiny run completes", "%s", output);
    test_check(strstr(output, "completed") != NULL, "run reports completion", "%s", output);
    test_check(run("query --db %s \"SELECT name, task, mechanism, status FROM runs\"", db) == 0 &&
                   strstr(output, "tiny") && strstr(output, "lra/listops") && strstr(output, "full") &&
                   strstr(output, "completed"),
               "query reads the run back", "%s", output);
    test_check(count_rows("SELECT count(*) AS n FROM result WHERE split='test' AND name='accuracy'") == 1,
               "one test accuracy recorded", "%s", output);
    test_check(count_rows("SELECT count(*) AS n FROM metric WHERE split='train' AND name='loss'") == 3,
               "train loss logged every 2 of 6 steps", "%s", output);
    test_check(count_rows("SELECT count(*) AS n FROM metric WHERE split='eval' AND name='accuracy'") == 2,
               "eval accuracy at step 3 and at the end", "%s", output);
    test_check(run("query --db %s --format json \"SELECT git_commit, blas, threads FROM provenance\"", db) == 0 &&
                   strstr(output, "\"threads\":1"),
               "provenance recorded", "%s", output);
    test_check(run("leaderboard --db %s", db) == 0 && strstr(output, "full") && strstr(output, "listops"),
               "leaderboard shows the run", "%s", output);
    test_check(run("query --db %s \"DELETE FROM run\"", db) == 2, "query refuses writes", "%s", output);
}

static void test_bad_input(void) {
    char bad[600];
    snprintf(bad, sizeof bad, "%s/bad.yaml", test_temp_dir());
    test_write_file(NULL, bad, "task:\n  name: lra/listops\nmodel:\n  hedas: 4\n");
    const int before = count_rows("SELECT count(*) FROM run");
    test_check(run("run %s --db %s", bad, db) == 2, "unknown key exits 2", "%s", output);
    test_check(strstr(output, "bad.yaml:4:3: model.hedas: unknown key") != NULL, "the error names file:line:col and key",
               "%s", output);
    test_check(run("run %s --db %s train.steps=abc", cfg_path, db) == 2, "bad override exits 2", "%s", output);
    test_check(strstr(output, "train.steps=abc") != NULL, "the error names the override", "%s", output);
    test_check(run("run %s/missing.yaml --db %s", test_temp_dir(), db) == 2, "missing config exits 2", "%s", output);
    test_check(run("run %s --db %s train.batch_size=65536 model.dim=8192 model.mlp_dim=65536", cfg_path, db) == 2 &&
                   strstr(output, "model: needs") && strstr(output, "more than this machine"),
               "a model larger than memory exits 2 before allocating", "%s", output);
    test_check(count_rows("SELECT count(*) FROM run") == before, "bad configs record no run", "before %d", before);
    test_check(run("frobnicate") == 2, "unknown command exits 2", "%s", output);
    test_check(run("run") == 2, "run without a config exits 2", "%s", output);
}

static void test_foreign_database(void) {
    char foreign[600];
    snprintf(foreign, sizeof foreign, "%s/foreign.sqlite", test_temp_dir());
    test_write_file(NULL, foreign, "these are somebody else's notes\n");
    test_check(run("run %s --db %s --quiet", cfg_path, foreign) == 1, "a foreign database exits 1", "%s", output);
    test_check(strstr(output, foreign) != NULL, "the error names the file", "%s", output);
    FILE *f = fopen(foreign, "r");
    char text[100] = "";
    if (f) {
        if (!fgets(text, sizeof text, f)) text[0] = '\0';
        fclose(f);
    }
    test_check(strcmp(text, "these are somebody else's notes\n") == 0, "the foreign file is untouched", "%s", text);
}

/* Start a long run and wait until one more row than before says 'running'. */
static pid_t start_long_run(void) {
    const int before = count_rows("SELECT count(*) FROM run WHERE status='running'");
    pid_t pid = fork();
    if (pid == 0) {
        char steps[] = "train.steps=100000";
        execl(test_binary(), "attnbench", "run", cfg_path, "--db", db, "--quiet", steps, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 300 && count_rows("SELECT count(*) FROM run WHERE status='running'") <= before; i++)
        usleep(100000);
    usleep(300000);
    return pid;
}

static void test_killed_run(void) {
    pid_t pid = start_long_run();
    const int running = count_rows("SELECT count(*) FROM run WHERE status='running'");
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    test_check(running == 1, "the long run started", "running rows %d", running);
    test_check(count_rows("SELECT count(*) FROM result JOIN run ON run.id = result.run_id WHERE run.status != "
                          "'completed'") == 0,
               "a run killed with SIGKILL leaves no results", "%s", output);
    test_check(count_rows("SELECT count(*) FROM run WHERE status='completed'") == 1,
               "the earlier completed run is intact", "%s", output);
}

static void test_interrupted_run(void) {
    pid_t pid = start_long_run();
    kill(pid, SIGINT);
    int status = 0;
    waitpid(pid, &status, 0);
    test_check(WIFEXITED(status) && WEXITSTATUS(status) == 1, "an interrupted run exits 1", "status %d", status);
    test_check(count_rows("SELECT count(*) FROM run WHERE status='dead' AND error LIKE 'interrupted by signal 2%'") ==
                   1,
               "an interrupted run is recorded as dead (a sweep runs it again) with its reason", "%s", output);
}

/* Every command that `attnbench --help` lists (its "  name  summary" lines) answers
 * --help with its usage, and a flag it does not know with one line naming the flag and
 * exit status 2. */
static void test_help(void) {
    test_check(run("--help") == 0, "attnbench --help", "%s", output);
    char listing[sizeof output];
    snprintf(listing, sizeof listing, "%s", strstr(output, "commands:\n") ? strstr(output, "commands:\n") : "");
    int commands = 0;
    for (char *line = strtok(listing, "\n"); line; line = strtok(NULL, "\n")) {
        char name[32];
        if (strncmp(line, "  ", 2) != 0 || sscanf(line, "%31s", name) != 1) continue;
        commands++;
        char usage[64];
        snprintf(usage, sizeof usage, "usage: attnbench %s", name);
        test_check(run("%s --help", name) == 0 && strstr(output, usage) && strstr(output, "-h, --help"),
                   "command answers --help with its usage", "%s: %s", name, output);
        test_check(run("%s --no-such-flag --db %s", name, db) == 2 && strstr(output, "--no-such-flag") &&
                       strchr(output, '\n') == output + strlen(output) - 1,
                   "a flag the command does not know: one line naming it, exit 2", "%s: %s", name, output);
    }
    test_check(commands >= 15, "attnbench --help lists the commands", "%d listed", commands);
    test_check(run("tasks") == 0 && strstr(output, "lra/listops") && strstr(output, "min_length"),
               "tasks lists ListOps and its options", "%s", output);
    test_check(run("mechanisms") == 0 && strstr(output, "full"), "mechanisms lists full", "%s", output);
}

int main(void) {
    snprintf(db, sizeof db, "%s/results.sqlite", test_temp_dir());
    snprintf(cfg_path, sizeof cfg_path, "%s/tiny.yaml", test_temp_dir());
    test_write_file(NULL, cfg_path, tiny_config);
    test_run_and_read_back();
    test_bad_input();
    test_foreign_database();
    test_killed_run();
    test_interrupted_run();
    test_help();
    return test_finish("test_cli");
}
