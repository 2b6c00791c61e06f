/* test_chomsky_runs.c — every task of the chomsky suite trains and evaluates end to
 * end under its length protocol through the binary: a tiny run per task completes,
 * records one per-length row for each training length (eval) and each test length
 * (test), and its recorded score is the mean of its test rows. A protocol that
 * contradicts itself exits 2 naming the key; `data --length` on a task without a
 * protocol too. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tasks/task.h"
#include "testing.h"

static char output[1 << 16];
static char db[512], cfg_path[512];

static int attnbench(const char *args) { return test_attnbench(output, sizeof output, "%s", args); }

/* The Chomsky benchmark's transformer, tiny: training lengths 1..6, test lengths 7, 11, 15. */
static const char tiny_config[] =
    "task:\n"
    "  name: chomsky/parity_check\n"
    "  train_lengths: [1, 6]\n"
    "  test_lengths: [7, 15]\n"
    "  test_length_stride: 4\n"
    "  samples_per_length: 8\n"
    "  eval_examples: 8\n"
    "  test_examples: 8\n"
    "model:\n"
    "  layers: 1\n"
    "  dim: 16\n"
    "  heads: 2\n"
    "  mlp_dim: 32\n"
    "  norm: post\n"
    "  attention_bias: false\n"
    "  embedding_scale: true\n"
    "  embedding_std: 0.02\n"
    "  activation: relu\n"
    "  head: linear\n"
    "  reverse_positions: true\n"
    "train:\n"
    "  steps: 3\n"
    "  batch_size: 4\n"
    "  threads: 1\n";

/* The first value of a one-column query, or NAN. */
static double query_number(const char *sql) {
    char args[2048];
    snprintf(args, sizeof args, "query --db %s --format csv \"%s\"", db, sql);
    if (attnbench(args) != 0) return NAN;
    const char *newline = strchr(output, '\n');
    return newline && newline[1] ? atof(newline + 1) : NAN;
}

static void check_task(const char *task) {
    char args[2048], sql[1024];
    snprintf(args, sizeof args, "run %s --db %s --quiet task.name=%s", cfg_path, db, task);
    if (!test_check(attnbench(args) == 0, task, "run failed: %s", output)) return;
    const char *latest = "(SELECT id FROM run ORDER BY created_at DESC, rowid DESC LIMIT 1)";
    snprintf(sql, sizeof sql, "SELECT count(*) FROM length_result WHERE run_id = %s AND split = 'eval'", latest);
    const double eval_rows = query_number(sql);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM length_result WHERE run_id = %s AND split = 'test'", latest);
    const double test_rows = query_number(sql);
    test_check(eval_rows == 6 && test_rows == 3, "per-length rows", "%s: %g eval rows (6 expected), %g test rows (3)",
               task, eval_rows, test_rows);
    snprintf(sql, sizeof sql,
             "SELECT (SELECT value FROM result WHERE run_id = %s AND split = 'test' AND name = 'accuracy') - "
             "(SELECT avg(accuracy) FROM length_result WHERE run_id = %s AND split = 'test')",
             latest, latest);
    const double gap = query_number(sql);
    test_check(fabs(gap) < 1e-12, "the score is the mean over test lengths", "%s: differs by %g", task, gap);
}

static void check_protocol_errors(void) {
    char args[2048];
    snprintf(args, sizeof args, "run %s --db %s --quiet task.train_lengths=[6,2]", cfg_path, db);
    int status = attnbench(args);
    test_check(status == 2 && strstr(output, "task.train_lengths") != NULL, "reversed train_lengths is refused",
               "exit %d: %s", status, output);
    snprintf(args, sizeof args, "run %s --db %s --quiet task.test_lengths=[7,8,9]", cfg_path, db);
    status = attnbench(args);
    test_check(status == 2 && strstr(output, "task.test_lengths") != NULL, "three test_lengths are refused",
               "exit %d: %s", status, output);
    status = attnbench("data lra/listops --length 5");
    test_check(status == 2 && strstr(output, "--length") != NULL, "data --length on a task without a protocol",
               "exit %d: %s", status, output);
    status = attnbench("data chomsky/duplicate_string --length 3 --count 1");
    test_check(status == 0 && strstr(output, "\t9\t") != NULL, "data --length 3 gives 3 + 6 tokens of duplicate_string",
               "exit %d: %s", status, output);
}

int main(void) {
    snprintf(db, sizeof db, "%s/chomsky.sqlite", test_temp_dir());
    snprintf(cfg_path, sizeof cfg_path, "%s/tiny.yaml", test_temp_dir());
    test_write_file(NULL, cfg_path, tiny_config);
    int tasks = 0;
    for (int i = 0; i < task_count(); i++)
        if (strcmp(task_at(i)->suite, "chomsky") == 0) {
            check_task(task_at(i)->name);
            tasks++;
        }
    test_check(tasks > 0, "the registry has tasks of the chomsky suite, and each ran", "found %d", tasks);
    check_protocol_errors();
    return test_finish("test_chomsky_runs");
}
