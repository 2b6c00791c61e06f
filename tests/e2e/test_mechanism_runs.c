/* test_mechanism_runs.c — every registered mechanism trains end to end: a tiny ListOps
 * run with model.attention.kind=<each> completes and records its test accuracy.
 * BigBird records the fraction of sequences that were too short for its pattern (all
 * of them at its defaults on short inputs, some with small blocks), and the others
 * record no such fraction. Mechanism options that contradict the model exit 2 with a
 * one-line error naming the option. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mechanisms/mechanism.h"
#include "testing.h"

static char output[1 << 16];
static char db[512], cfg_path[512];

static int attnbench(const char *args) { return test_attnbench(output, sizeof output, "%s", args); }

static const char tiny_config[] =
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
    "  attention_dropout: 0.1\n"
    "train:\n"
    "  steps: 4\n"
    "  batch_size: 4\n"
    "  eval_every: 2\n"
    "  threads: 1\n";

/* The value of one result of the most recent run, or -1. */
static double latest_result(const char *split, const char *name) {
    char args[2048];
    snprintf(args, sizeof args,
             "query --db %s --format csv \"SELECT value FROM result WHERE split = '%s' AND name = '%s' AND "
             "run_id = (SELECT id FROM run ORDER BY created_at DESC, rowid DESC LIMIT 1)\"",
             db, split, name);
    if (attnbench(args) != 0) return -1;
    const char *newline = strchr(output, '\n');
    return newline && newline[1] ? atof(newline + 1) : -1;
}

int main(void) {
    snprintf(db, sizeof db, "%s/runs.sqlite", test_temp_dir());
    snprintf(cfg_path, sizeof cfg_path, "%s/tiny.yaml", test_temp_dir());
    FILE *f = fopen(cfg_path, "w");
    if (!f) abort();
    fputs(tiny_config, f);
    fclose(f);

    char args[2048];
    for (int i = 0; i < mechanism_count(); i++) {
        const char *name = mechanism_at(i)->name;
        snprintf(args, sizeof args, "run %s --db %s --quiet model.attention.kind=%s", cfg_path, db, name);
        test_check(attnbench(args) == 0 && strstr(output, "completed"), "a tiny run completes", "%s: %s", name,
                   output);
        const double accuracy = latest_result("test", "accuracy");
        test_check(accuracy >= 0 && accuracy <= 1, "its test accuracy is recorded", "%s: %g", name, accuracy);
        const double fraction = latest_result("test", "full_attention_fraction");
        if (strcmp(name, "bigbird") == 0)
            test_check(fraction == 1, "BigBird records that every short test sequence used full attention",
                       "fraction %g", fraction);
        else
            test_check(fraction == -1, "no full-attention fraction for a mechanism without a fallback", "%s: %g",
                       name, fraction);
    }

    snprintf(args, sizeof args,
             "run %s --db %s --quiet model.attention.kind=bigbird model.attention.block=2 "
             "model.attention.random_blocks=1",
             cfg_path, db);
    test_check(attnbench(args) == 0, "BigBird with 2-token blocks completes", "%s", output);
    const double train = latest_result("train", "full_attention_fraction");
    test_check(train > 0 && train < 1, "some training sequences (≤ 14 tokens) fell back, the others did not",
               "fraction %g", train);

    snprintf(args, sizeof args, "run %s --db %s --quiet model.attention.kind=longformer "
             "model.attention.dilation=[1,2,3]", cfg_path, db);
    test_check(attnbench(args) == 2 && strstr(output, "model.attention.dilation") &&
                   strchr(output, '\n') == output + strlen(output) - 1,
               "three dilations for two heads: exit 2, one line naming the option", "%s", output);
    snprintf(args, sizeof args, "run %s --db %s --quiet model.attention.kind=local model.attention.window=-1",
             cfg_path, db);
    test_check(attnbench(args) == 2 && strstr(output, "window"), "a negative window: exit 2 naming it", "%s",
               output);
    return test_finish("test_mechanism_runs");
}
