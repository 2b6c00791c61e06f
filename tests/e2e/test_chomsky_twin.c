/* test_chomsky_twin.c — the PyTorch twin (harness/model/chomsky_twin.py) trains exactly
 * as attnbench does: without dropout, from the same initial weights on the same
 * batches, the training loss of each of the first steps agrees to float rounding.
 *
 * reverse_string (n outputs read at the last n positions of each sequence) checks the
 * twin's readout, model and optimiser step against attnbench's. Needs /usr/bin/python3
 * with torch and yaml; without them the test reports SKIPPED and exits 77. */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testing.h"

#define SKIPPED 77
#define STEPS 5
#define TOLERANCE 1e-5 /* relative: float32 sums in another order, over a few steps */

static char output[1 << 16];

static const char overrides[] = "task.name=chomsky/reverse_string model.dropout=0 train.steps=5 train.log_every=1 "
                                "task.samples_per_length=2 task.test_length_stride=200";

/* The twin's train_loss rows of its --out CSV ("train_loss,STEP,VALUE"). */
static int twin_losses(const char *csv_path, double *losses) {
    char *csv = test_read_file(csv_path);
    int n = 0;
    for (const char *p = csv; p && (p = strstr(p, "\ntrain_loss,")) != NULL && n < STEPS; p++) {
        int step;
        double value;
        if (sscanf(p, "\ntrain_loss,%d,%lf", &step, &value) == 2 && step == n + 1) losses[n++] = value;
    }
    free(csv);
    return n;
}

int main(void) {
    if (!test_python_imports("torch, yaml", "the Chomsky twin")) {
        const int status = test_finish("test_chomsky_twin");
        return status != 0 ? status : SKIPPED;
    }
    char config[1024], db[600], csv[600], command[4096];
    snprintf(config, sizeof config, "%s/configs/chomsky/cpu.yaml", test_source_dir());
    snprintf(db, sizeof db, "%s/twin.sqlite", test_temp_dir());
    snprintf(csv, sizeof csv, "%s/twin.csv", test_temp_dir());
    test_check(test_attnbench(output, sizeof output, "run %s %s --db %s --quiet", config, overrides, db) == 0,
               "attnbench trains 5 steps of reverse_string without dropout", "%s", output);
    snprintf(command, sizeof command, "/usr/bin/python3 %s/harness/model/chomsky_twin.py %s %s --attnbench %s --out %s",
             test_source_dir(), config, overrides, test_binary(), csv);
    const int status = test_run_command(command, output, sizeof output);
    printf("$ %s  -> exit %d\n", command, status);
    test_check(status == 0, "the twin trains the same 5 steps", "%s", output);

    double ours[STEPS], twin[STEPS];
    for (int k = 0; k < STEPS; k++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT value FROM metric WHERE name = 'loss' AND split = 'train' AND step = %d", k + 1);
        ours[k] = test_query_number(output, sizeof output, db, sql);
    }
    test_check(twin_losses(csv, twin) == STEPS, "the twin logged a training loss at every step", "in %s", csv);
    for (int k = 0; k < STEPS; k++)
        test_near(twin[k] / ours[k], 1, TOLERANCE, "step %d: the twin's training loss %.7f over attnbench's %.7f",
                  k + 1, twin[k], ours[k]);
    return test_finish("test_chomsky_twin");
}
