/* test_leaderboard_golden.c — every leaderboard format of every suite, regenerated from
 * a fixture database with fixed numbers (tests/support/leaderboard_fixture.c) and
 * compared byte for byte with the files under tests/golden/leaderboard/: one per
 * format per suite, plus layouts with other rows, columns, metrics and aggregates.
 * A mismatch prints the first differing line and a unified diff.
 *
 * To refresh the goldens after an intended change of the output, run
 *   ATTNBENCH_UPDATE_GOLDEN=1 ctest --test-dir build -R test_leaderboard_golden
 * and review the diff of tests/golden/leaderboard/ before committing it. The goldens
 * hold no times, hosts or paths: the reference tables are the shipped ones under
 * results/reference/, named by the test, and no leaderboard prints where they are. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "leaderboard_fixture.h"
#include "testing.h"

typedef struct golden_case {
    const char *file;      /* under tests/golden/leaderboard/ */
    const char *reference; /* under results/reference/, or NULL: --reference none */
    const char *args[12];
} golden_case;

#define LRA_REF "lra_table1.csv"
#define CHOMSKY_REF "chomsky_table2.csv"

static const golden_case cases[] = {
    {"lra.md", LRA_REF, {"--format", "md"}},
    {"lra.csv", LRA_REF, {"--format", "csv"}},
    {"lra.tex", LRA_REF, {"--format", "latex"}},
    {"lra.html", LRA_REF, {"--format", "html"}},
    {"lra.json", LRA_REF, {"--format", "json"}},
    {"chomsky.md", CHOMSKY_REF, {"--suite", "chomsky"}},
    {"chomsky.csv", CHOMSKY_REF, {"--suite", "chomsky", "--format", "csv"}},
    {"chomsky.tex", CHOMSKY_REF, {"--suite", "chomsky", "--format", "latex"}},
    {"chomsky.html", CHOMSKY_REF, {"--suite", "chomsky", "--format", "html"}},
    {"chomsky.json", CHOMSKY_REF, {"--suite", "chomsky", "--format", "json"}},
    {"speed.md", NULL, {"--suite", "speed"}},
    {"speed.csv", NULL, {"--suite", "speed", "--format", "csv"}},
    {"speed.tex", NULL, {"--suite", "speed", "--format", "latex"}},
    {"speed.html", NULL, {"--suite", "speed", "--format", "html"}},
    {"speed.json", NULL, {"--suite", "speed", "--format", "json"}},
    {"lra-positional-by-mechanism-train-loss-median.md", NULL,
     {"--rows", "positional", "--cols", "mechanism", "--metric", "train.loss", "--agg", "median"}},
    {"lra-window-by-task-wall-seconds-max.md", NULL,
     {"--rows", "model.attention.window", "--metric", "wall_seconds", "--agg", "max"}},
    {"lra-max.md", LRA_REF, {"--agg", "max"}},
    {"chomsky-mechanism-by-task-sequence-accuracy.csv", NULL,
     {"--suite", "chomsky", "--rows", "mechanism", "--cols", "task", "--metric", "test.sequence_accuracy",
      "--format", "csv"}},
    {"chomsky-mean-std.md", CHOMSKY_REF, {"--suite", "chomsky", "--agg", "mean_std"}},
    {"speed-memory.md", NULL, {"--suite", "speed", "--metric", "peak_rss_bytes"}},
};

/* Line number and both lines where two texts first differ. */
static void first_difference(const char *a, const char *b, char *out, size_t size) {
    int line = 1;
    const char *la = a, *lb = b;
    while (*a && *a == *b) {
        if (*a == '\n') {
            line++;
            la = a + 1;
            lb = b + 1;
        }
        a++;
        b++;
    }
    snprintf(out, size, "first difference at line %d:\n  golden: %.*s\n  actual: %.*s", line, (int)strcspn(la, "\n"),
             la, (int)strcspn(lb, "\n"), lb);
}

static void check_case(const golden_case *c, const char *db) {
    char output[1024], golden[1024], reference[1024], command[4096];
    snprintf(output, sizeof output, "%s/%s", test_temp_dir(), c->file);
    snprintf(golden, sizeof golden, "%s/tests/golden/leaderboard/%s", test_source_dir(), c->file);
    if (c->reference) snprintf(reference, sizeof reference, "%s/results/reference/%s", test_source_dir(), c->reference);
    else snprintf(reference, sizeof reference, "none");
    char *argv[32] = {"leaderboard", "--db", (char *)db, "-o", output, "--reference", reference};
    int argc = 7;
    for (int i = 0; c->args[i]; i++) argv[argc++] = (char *)c->args[i];
    const int status = cmd_leaderboard(argc, argv);
    char *actual = test_read_file(output);
    if (!test_check(status == 0 && actual, c->file, "leaderboard exited %d, output %s", status,
                    actual ? "written" : "missing"))
        return;
    const char *update = getenv("ATTNBENCH_UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        test_write_file(NULL, golden, actual);
        test_check(true, golden, "updated");
        free(actual);
        return;
    }
    char *expected = test_read_file(golden);
    char detail[2048] = "the golden file is missing (ATTNBENCH_UPDATE_GOLDEN=1 writes it)";
    if (expected) first_difference(expected, actual, detail, sizeof detail);
    if (!test_check(expected && strcmp(expected, actual) == 0, c->file, "%s", detail)) {
        static char diff[1 << 14];
        snprintf(command, sizeof command, "diff -u '%s' '%s' | head -60", golden, output);
        test_run_command(command, diff, sizeof diff);
        printf("%s", diff);
    }
    free(expected);
    free(actual);
}

int main(void) {
    char db[512];
    snprintf(db, sizeof db, "%s/fixture.sqlite", test_temp_dir());
    leaderboard_fixture_create(db);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) check_case(&cases[i], db);
    return test_finish("test_leaderboard_golden");
}
