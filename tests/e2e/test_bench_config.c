/* test_bench_config.c — `attnbench bench --config` end to end: the model of an
 * experiment config (configs/chomsky/cpu.yaml) timed on a real training batch of its
 * task, and its PyTorch twin beside it.
 *
 * Everywhere: the row's T is what the task makes of input length n (n + 1 for
 * even_pairs' one output, 3n for duplicate_string's 2n outputs), the batch is --batch
 * or the config's train.batch_size (after --set), the default length is the upper end
 * of train_lengths, and the recorded row carries the config's shape and names the
 * config; --dim with --config, a missing config, a bad --set and a length the task
 * cannot make are one-line usage errors (exit 2) naming what is wrong; --peer runs the
 * twin's command line (seen through a stand-in script), and a mechanism the twin lacks
 * is a comparison row saying so. Where /usr/bin/python3 can import torch and yaml: the
 * real twin's measurement appears in the comparison table; without them that part is
 * reported as SKIPPED and the test exits 77. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testing.h"

#define SKIPPED 77

static char output[1 << 16];
static char config[1024], db[600];

#define run(...) test_attnbench(output, sizeof output, __VA_ARGS__)

#define query_number(sql) test_query_number(output, sizeof output, db, sql)

static bool one_line(const char *text) {
    const char *newline = strchr(text, '\n');
    return newline && newline[1] == '\0';
}

/* The step table's row "| full | T | B |" is in the output. */
static bool has_row(const char *label, int T, int B) {
    char row[128];
    snprintf(row, sizeof row, "| %s | %d | %d | ", label, T, B);
    return strstr(output, row) != NULL;
}

static void test_tokens_and_batch(void) {
    test_check(run("bench --config %s --lengths 7 --batch 3 --steps 1 --threads 1 --no-record", config) == 0 &&
                   has_row("full", 8, 3),
               "even_pairs at n = 7, batch 3: the row has T = 8 (7 inputs + 1 output) and batch 3", "%s", output);
    test_check(strstr(output, "task chomsky/even_pairs, 5 layers, width 64, 8 heads, MLP 256") != NULL,
               "the model line names the config's task and shape", "%s", output);
    test_check(run("bench --config %s --set task.name=chomsky/duplicate_string --lengths 5 --batch 2 --steps 1 "
                   "--threads 1 --no-record",
                   config) == 0 &&
                   has_row("full", 15, 2),
               "duplicate_string at n = 5: T = 15 (5 inputs + 10 outputs)", "%s", output);
    test_check(run("bench --config %s --set train.batch_size=5 --steps 1 --threads 1 --no-record", config) == 0 &&
                   has_row("full", 41, 5),
               "by default n is the upper end of train_lengths (40: T = 41) and the batch the config's "
               "train.batch_size (5 after --set)",
               "%s", output);
}

static void test_recorded_row(void) {
    snprintf(db, sizeof db, "%s/bench.sqlite", test_temp_dir());
    test_check(run("bench --config %s --set model.dropout=0 --lengths 3 --batch 2 --steps 1 --threads 1 --db %s",
                   config, db) == 0,
               "a config's cell is recorded", "%s", output);
    char sql[2048];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM bench WHERE mechanism = 'full' AND length = 4 AND batch = 2 AND dim = 64 "
             "AND heads = 8 AND layers = 5 AND mlp_dim = 256 AND options = 'config %s model.dropout=0' "
             "AND tokens_per_second > 0",
             config);
    test_near(query_number(sql), 1, 0, "the row has T 4, the config's shape and options naming the config and --set");
}

static void test_usage_errors(void) {
    static const struct {
        const char *args, *named;
    } cases[] = {
        {"--dim 32", "--dim cannot be given with --config"},
        {"--layers 2", "--layers cannot be given with --config"},
        {"--set model.nosuch=1", "model.nosuch"},
        {"--set model.layers", "model.layers"},
        {"--lengths 600", "length 600"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const int status = run("bench --config %s %s --no-record", config, cases[i].args);
        char what[256];
        snprintf(what, sizeof what, "bench --config %s exits 2 with one line naming %s", cases[i].args,
                 cases[i].named);
        test_check(status == 2 && one_line(output) && strstr(output, cases[i].named), what, "exit %d: %s", status,
                   output);
    }
    test_check(run("bench --config /nonexistent/chomsky.yaml --no-record") == 2 && one_line(output) &&
                   strstr(output, "/nonexistent/chomsky.yaml"),
               "a missing config exits 2 with one line naming it", "%s", output);
}

/* A stand-in for the twin, run as `/bin/sh SCRIPT CONFIG [KEY=VALUE ...] --bench-length n
 * --bench-batch B ...`: it keeps its arguments and answers for even_pairs (T = n + 1). */
static void test_twin_command_line(void) {
    char script[700], args_file[700], body[2048];
    snprintf(script, sizeof script, "%s/twin.sh", test_temp_dir());
    snprintf(args_file, sizeof args_file, "%s/twin-args", test_temp_dir());
    snprintf(body, sizeof body,
             "echo \"$@\" > %s\n"
             "while [ $# -gt 0 ]; do case $1 in --bench-length) n=$2;; --bench-batch) b=$2;; esac; shift; done\n"
             "echo \"torch 9.9 mech=full L=$((n + 1)) batch=$b steps/s=2.0 tokens/s=1234 peak_rss_mb=500\"\n",
             args_file);
    test_write_file(NULL, script, body);
    test_check(run("bench --config %s --set model.dropout=0 --mechanisms full,local --lengths 7 --batch 3 --steps 1 "
                   "--threads 1 --peer %s --python /bin/sh --no-record",
                   config, script) == 0,
               "bench --config with a stand-in twin", "%s", output);
    char *args = test_read_file(args_file);
    char want[1400];
    snprintf(want, sizeof want,
             "%s model.dropout=0 model.attention.kind=full --bench-length 7 --bench-batch 3 --bench-steps 1 "
             "--threads 1 --attnbench /",
             config);
    test_check(args && strstr(args, want), "the twin gets the config, the --set values, n, B, steps, threads and "
               "this binary", "wanted \"%s\" in \"%s\"", want, args ? args : "(no file)");
    free(args);
    const char *table = strstr(output, "Against the PyTorch twin");
    test_check(table && strstr(table, "| full | 8 | 3 | ") && strstr(table, "| 1234 | ") &&
                   strstr(table, "| PyTorch 9.9 |"),
               "the comparison table has the twin's row at T = 8", "%s", output);
    test_check(table && strstr(table, "| local | 8 | 3 | ") &&
                   strstr(table, "not run: the twin covers full attention only"),
               "local's comparison row says why the twin did not run it", "%s", output);
    char default_script[1200];
    snprintf(default_script, sizeof default_script, "%s/harness/model/chomsky_twin.py %s model.attention.kind=full",
             test_source_dir(), config);
    test_check(run("bench --config %s --lengths 3 --batch 2 --steps 1 --threads 1 --peer --python /bin/echo "
                   "--no-record",
                   config) == 0 &&
                   strstr(output, default_script),
               "--peer alone with --config runs the source tree's chomsky_twin.py", "wanted \"%s\" in %s",
               default_script, output);
}

static void test_real_twin(void) {
    test_check(run("bench --config %s --lengths 10 --batch 4 --steps 1 --threads 1 --peer --no-record", config) == 0,
               "bench --config with the real twin", "%s", output);
    const char *table = strstr(output, "Against the PyTorch twin");
    const char *row = table ? strstr(table, "| full | 11 | 4 | ") : NULL;
    const char *end = row ? strchr(row, '\n') : NULL;
    const char *version = row ? strstr(row, "| PyTorch ") : NULL;
    test_check(version && end && version < end,
               "the twin measured the same batch (its T = 11 and batch 4 match ours) and its row has its version",
               "%s", output);
}

int main(void) {
    snprintf(config, sizeof config, "%s/configs/chomsky/cpu.yaml", test_source_dir());
    test_tokens_and_batch();
    test_recorded_row();
    test_usage_errors();
    test_twin_command_line();
    if (!test_python_imports("torch, yaml", "the real twin")) {
        const int status = test_finish("test_bench_config");
        return status != 0 ? status : SKIPPED;
    }
    test_real_twin();
    return test_finish("test_bench_config");
}
