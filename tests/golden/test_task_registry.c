/* test_task_registry.c — every registered task against the task contract
 * (tests/support/task_contract.h) and against its line in tests/golden/task_hashes.txt,
 * so that registering a task is what gets it tested; no test counts the tasks. Each
 * task runs at its default options, which generate their data (data_dir is empty).
 *
 * Disjoint splits: no example (tokens, targets, mask, second document) appears twice
 * among the first 300 of train, eval and test together. A task with a length protocol
 * (the Chomsky tasks) is checked at its longest training length: at one or two symbols
 * the whole input space is a few strings, and one of them in two splits says nothing
 * about the splits; at 40 symbols the space holds 2^40 inputs or more, so a shared
 * example means two splits draw one stream. Its examples drawn without a length get
 * the same-index check of the purity test (train and eval at index i differ).
 *
 * The golden file holds one line per task: name, generator version (task_info.version)
 * and the SHA-256 of its first examples (task_golden_hash). A changed hash under an
 * unchanged version fails with "output changed: bump the task's version"; a task
 * missing from the file, or a line for a task no longer registered, fails too. After
 * an intended change, bump the version and run
 *   ATTNBENCH_UPDATE_GOLDEN=1 ctest --test-dir build -R test_task_registry
 * which rewrites the file in the source tree; review its diff before committing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timer.h"
#include "task_contract.h"
#include "testing.h"

enum { DISJOINT_EXAMPLES = 300, BOUNDS_EXAMPLES = 64 };

#define REWRITE_HINT "ATTNBENCH_UPDATE_GOLDEN=1 ctest --test-dir build -R test_task_registry"

typedef struct golden_line {
    char name[128], version[64], hash[65];
    bool matched;
} golden_line;

typedef struct golden_file {
    char path[1024];
    bool present; /* the file was there to read */
    golden_line *lines;
    int n;
} golden_file;

static golden_line *golden_find(const golden_file *g, const char *name) {
    for (int i = 0; i < g->n; i++)
        if (strcmp(g->lines[i].name, name) == 0) return &g->lines[i];
    return NULL;
}

/* Reads the golden file; a malformed or repeated line fails a check, and so does a
 * missing file when it is to be compared with. */
static void golden_read(golden_file *g, bool required) {
    snprintf(g->path, sizeof g->path, "%s/tests/golden/task_hashes.txt", test_source_dir());
    FILE *f = fopen(g->path, "r");
    if (!f) {
        if (required) test_check(false, g->path, "missing: " REWRITE_HINT " writes it");
        return;
    }
    g->present = true;
    char text[512];
    for (int number = 1; fgets(text, sizeof text, f); number++) {
        if (text[0] == '#' || text[strspn(text, " \t\r\n")] == '\0') continue;
        golden_line line = {0};
        char extra;
        if (sscanf(text, "%127s %63s %64s %c", line.name, line.version, line.hash, &extra) != 3 ||
            strlen(line.hash) != 64) {
            test_check(false, g->path, "line %d is not \"name version sha256\": %s", number, text);
            continue;
        }
        if (golden_find(g, line.name)) {
            test_check(false, g->path, "line %d repeats %s", number, line.name);
            continue;
        }
        g->lines = realloc(g->lines, (size_t)(g->n + 1) * sizeof *g->lines);
        if (!g->lines) abort();
        g->lines[g->n++] = line;
    }
    fclose(f);
}

static void golden_compare(const golden_file *g, const task_under_test *t, const char *hash) {
    const char *name = t->ops->name, *version = t->info.version;
    const golden_line *line = golden_find(g, name);
    char what[512];
    snprintf(what, sizeof what, "golden %s version %s: %s", name, version, hash);
    if (!line) {
        test_check(false, what, "not in %s; add it with " REWRITE_HINT " and commit the file", g->path);
        return;
    }
    if (strcmp(line->version, version) != 0)
        test_check(false, what, "the file has version %s: rewrite it with " REWRITE_HINT, line->version);
    else if (strcmp(line->hash, hash) != 0)
        test_check(false, what, "output changed: bump the task's version (task_info.version, %s in the file, hash %s), "
                   "then rewrite the file with " REWRITE_HINT, line->version, line->hash);
    else
        test_check(true, what, NULL);
}

/* Lines for tasks that are no longer registered. */
static void golden_check_stale(const golden_file *g) {
    for (int i = 0; i < g->n; i++)
        if (!g->lines[i].matched)
            test_check(false, g->lines[i].name, "in %s but not registered: remove its line (" REWRITE_HINT
                       " rewrites the file)", g->path);
}

/* Rewrites the file with the lines in registry order, printing what changed. */
static void golden_write(const golden_file *old, const golden_line *lines, int n) {
    FILE *f = fopen(old->path, "w");
    if (!test_check(f != NULL, old->path, "cannot write")) return;
    fprintf(f, "# SHA-256 of the first examples of every registered task (tests/golden/test_task_registry.c):\n"
               "# name, generator version, hash. Rewritten by " REWRITE_HINT ".\n");
    for (int i = 0; i < n; i++) {
        const golden_line *was = golden_find(old, lines[i].name);
        const bool same = was && strcmp(was->version, lines[i].version) == 0 && strcmp(was->hash, lines[i].hash) == 0;
        printf("     %s %s %s (%s)\n", lines[i].name, lines[i].version, lines[i].hash,
               !was ? "added" : same ? "unchanged" : "changed");
        fprintf(f, "%s %s %s\n", lines[i].name, lines[i].version, lines[i].hash);
    }
    for (int i = 0; i < old->n; i++)
        if (!old->lines[i].matched) printf("     %s (removed)\n", old->lines[i].name);
    test_check(fclose(f) == 0, old->path, "write failed");
}

/* The contract at default options, with lengths where the task has a protocol; false
 * when its info is too broken to go on. */
static bool check_task(const task_under_test *t) {
    const length_protocol *p = &t->info.lengths;
    const bool by_length = p->samples_per_length > 0;
    if (!task_check_info(t)) return false;
    task_check_examples(t, 0, BOUNDS_EXAMPLES);
    task_check_purity(t, 0);
    if (by_length) {
        task_check_purity(t, p->test_max);
        task_check_lengths(t);
    }
    task_check_disjoint(t, by_length ? p->train_max : 0, DISJOINT_EXAMPLES);
    return true;
}

int main(void) {
    const char *update = getenv("ATTNBENCH_UPDATE_GOLDEN");
    const bool rewrite = update && strcmp(update, "1") == 0;
    golden_file golden = {0};
    golden_read(&golden, !rewrite);
    golden_line *lines = calloc((size_t)task_count(), sizeof *lines);
    if (!lines) abort();
    int n = 0;
    const double start = timer_now();
    for (int k = 0; k < task_count(); k++) {
        const task_ops *ops = task_at(k);
        for (int j = 0; j < k; j++)
            if (strcmp(task_at(j)->name, ops->name) == 0)
                test_check(false, ops->name, "registered twice (entries %d and %d)", j, k);
        golden_line *was = golden_find(&golden, ops->name);
        if (was) was->matched = true;
        const double task_start = timer_now();
        opt_set set;
        task_defaults(&set, ops->name);
        task_under_test t;
        error_info err = {0};
        char what[300];
        snprintf(what, sizeof what, "%s: init at default options", ops->name);
        if (!test_check(task_under_test_init(&t, ops->name, &set, &err) == 0, what, "%s", err.message))
            continue;
        if (!check_task(&t)) {
            task_under_test_free(&t);
            continue;
        }
        golden_line *line = &lines[n++];
        snprintf(line->name, sizeof line->name, "%s", ops->name);
        snprintf(line->version, sizeof line->version, "%s", t.info.version);
        task_golden_hash(&t, line->hash);
        if (!rewrite && golden.present) golden_compare(&golden, &t, line->hash);
        task_under_test_free(&t);
        printf("     %s: %.2f s\n", ops->name, timer_now() - task_start);
    }
    if (rewrite) golden_write(&golden, lines, n);
    else golden_check_stale(&golden);
    printf("     %d registered tasks in %.2f s\n", task_count(), timer_now() - start);
    free(lines);
    free(golden.lines);
    return test_finish("test_task_registry");
}
