/* test_merge_cli.c — `attnbench merge` and `attnbench export` through the binary:
 * usage errors exit 2, a merge prints one summary line per input and merging again
 * adds nothing, a refused input exits 1 with nothing written, a conflict exits 1 with
 * its line, and export writes the documented header and one row per observation for
 * each --what, with RFC 4180 quoting, to stdout or a file. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "testing.h"

static char output[1 << 16];
static char dir_out[512], db_a[512], db_b[512], db_c[512], foreign[512];

#define run(...) test_attnbench(output, sizeof output, __VA_ARGS__)

static void ok_or_abort(int rc, const error_info *err) {
    if (rc) {
        printf("store call failed: %s\n", err->message);
        abort();
    }
}

/* One run into path: completed with the given results (two metric steps, one length),
 * or left running when n_results is negative. */
static void add_run(const char *path, const char *hash, double acc, const result_value *extra, int n_extra,
                    bool complete, char run_id[33]) {
    error_info err = {0};
    store *s = NULL;
    ok_or_abort(store_open(&s, path, false, &err), &err);
    run_identity id = {.config_json = "{\"model\":{\"positional\":\"alibi\"}}", .config_hash = hash, .seed = 0,
                       .name = "cli", .task = "chomsky/parity_check", .task_version = "1", .mechanism = "local",
                       .suite = "chomsky", .level = "R", .task_order = 3};
    provenance p;
    provenance_collect(&p, 1);
    ok_or_abort(store_run_begin(s, &id, &p, run_id, &err), &err);
    for (int step = 1; step <= 2; step++) {
        metric_point point = {"train", "loss", 1.0 / step};
        ok_or_abort(store_run_metrics(s, run_id, step, &point, 1, &err), &err);
    }
    if (complete) {
        length_point length = {"test", 40, acc, acc, 16};
        ok_or_abort(store_run_lengths(s, run_id, &length, 1, &err), &err);
        result_value results[4] = {{"test", "accuracy", acc}, {"eval", "accuracy", acc}};
        for (int i = 0; i < n_extra; i++) results[2 + i] = extra[i];
        ok_or_abort(store_run_complete(s, run_id, results, 2 + n_extra, 2, 1, 1, &err), &err);
    }
    store_close(s);
}

static int lines(const char *text) {
    int n = 0;
    for (const char *p = text; *p; p++) n += *p == '\n';
    return n;
}

static bool starts_with_line(const char *text, const char *line) {
    size_t n = strlen(line);
    return strncmp(text, line, n) == 0 && text[n] == '\n';
}

static void test_merge_usage(void) {
    test_check(run("merge") == 2, "merge without paths exits 2", "%s", output);
    test_check(run("merge %s", dir_out) == 2, "merge without an input exits 2", "%s", output);
    test_check(run("merge %s %s", dir_out, dir_out) == 2 && strstr(output, "OUT is also an input"),
               "OUT given as an input exits 2", "%s", output);
    test_check(run("merge --frob %s %s", dir_out, db_a) == 2, "an unknown option exits 2", "%s", output);
    test_check(run("merge --help") == 0 && strstr(output, "usage: attnbench merge"), "merge --help", "%s", output);
}

static void test_merge_runs(char conflicting_id[33]) {
    test_check(run("merge %s %s %s", dir_out, db_a, db_b) == 0, "merging two databases exits 0", "%s", output);
    char want[1024];
    snprintf(want, sizeof want, "%s: runs: 2 added, 0 upgraded, 0 already present", db_a);
    test_check(strstr(output, want) != NULL, "a summary line for the first input", "want '%s' in: %s", want, output);
    snprintf(want, sizeof want, "%s: runs: 1 added,", db_b);
    test_check(strstr(output, want) && strstr(output, "; 0 conflicts"), "a summary line for the second input",
               "want '%s' in: %s", want, output);
    test_check(run("merge %s %s %s", dir_out, db_a, db_b) == 0, "merging again exits 0", "%s", output);
    snprintf(want, sizeof want, "%s: runs: 0 added, 0 upgraded, 2 already present", db_a);
    test_check(strstr(output, want) && strstr(output, "rows added: config 0, sweep 0, sweep_run 0, bench 0"),
               "merging again finds everything present", "want '%s' in: %s", want, output);

    test_check(run("merge %s %s %s", dir_out, foreign, db_c) == 1 && strstr(output, foreign) &&
                   strstr(output, "nothing merged"),
               "a foreign input exits 1, naming it, before merging anything", "%s", output);
    test_check(run("query --db %s --format csv \"SELECT count(*) FROM run\"", dir_out) == 0 && strstr(output, "\n3\n"),
               "the output still has 3 runs", "%s", output);

    test_check(run("merge %s %s", dir_out, db_c) == 1, "a conflicting input exits 1", "%s", output);
    snprintf(want, sizeof want, "  conflict: run %s (chomsky/parity_check, local, seed 0)", conflicting_id);
    test_check(strstr(output, want) && strstr(output, "; 1 conflicts") && strstr(output, "kept its own rows"),
               "the conflict is listed on its own line", "want '%s' in: %s", want, output);
}

static void check_export(const char *args, const char *header, int rows, const char *what) {
    int status = run("export --db %s %s", dir_out, args);
    test_check(status == 0 && starts_with_line(output, header) && lines(output) == rows + 1, what,
               "exit %d, %d lines, expected header '%s' and %d rows: %s", status, lines(output), header, rows,
               output);
}

static void test_export(void) {
    static const char results_header[] =
        "run_id,task,task_version,mechanism,positional,seed,config_hash,status,split,metric,value";
    check_export("", results_header, 6, "export: results of the 2 completed runs (2 + 4 rows)");
    test_check(strstr(output, ",alibi,0,") && strstr(output, ",test,\"note \"\"x\"\", y\",0.25\n") &&
                   strstr(output, ",test,accuracy,0.5\n"),
               "results rows carry the positional encoding, RFC 4180 quoting and shortest numbers", "%s",
               output);
    check_export("--what results --all-status", results_header, 6, "export --all-status: a running run has no results");
    check_export("--what metrics", "run_id,task,mechanism,seed,step,split,name,value", 4,
                 "export metrics: 2 steps of the 2 completed runs");
    check_export("--what metrics --all-status", "run_id,task,mechanism,seed,step,split,name,value", 6,
                 "export metrics --all-status adds the running run's curve");
    check_export("--what lengths",
                 "run_id,task,task_version,mechanism,positional,seed,config_hash,status,split,length,accuracy,"
                 "sequence_accuracy,examples",
                 2, "export lengths: one length of each completed run");
    check_export("--what runs", "id,name,task,mechanism,seed,status,config_hash,created_at,finished_at,steps_done,"
                 "wall_seconds,test_accuracy,eval_accuracy,task_version,started_at,heartbeat_at,host,pid,error,"
                 "peak_rss_bytes,sweep_id,suite,level,task_order",
                 2, "export runs: the completed runs");
    test_check(run("export --db %s --what runs --all-status", dir_out) == 0 && lines(output) == 4,
               "export runs --all-status: every run", "%s", output);

    char file[600];
    snprintf(file, sizeof file, "%s/results.csv", test_temp_dir());
    static char expected[1 << 16];
    run("export --db %s", dir_out);
    snprintf(expected, sizeof expected, "%s", output);
    test_check(run("export --db %s -o %s", dir_out, file) == 0 && output[0] == '\0', "export -o FILE is quiet",
               "%s", output);
    char command[700];
    snprintf(command, sizeof command, "cat %s", file);
    test_check(test_run_command(command, output, sizeof output) == 0 && strcmp(output, expected) == 0,
               "the file holds what stdout would", "%s", output);
    test_check(run("export --db %s --what bogus", dir_out) == 2, "an unknown --what exits 2", "%s", output);
    test_check(run("export --db %s/missing.sqlite", test_temp_dir()) == 1 && strstr(output, "missing.sqlite"),
               "a missing database exits 1, naming it", "%s", output);
    test_check(run("export --help") == 0 && strstr(output, "sequence_accuracy"), "export --help lists the columns",
               "%s", output);
}

int main(void) {
    const char *dir = test_temp_dir();
    snprintf(dir_out, sizeof dir_out, "%s/out.sqlite", dir);
    snprintf(db_a, sizeof db_a, "%s/a.sqlite", dir);
    snprintf(db_b, sizeof db_b, "%s/b.sqlite", dir);
    snprintf(db_c, sizeof db_c, "%s/c.sqlite", dir);
    snprintf(foreign, sizeof foreign, "%s/foreign.sqlite", dir);
    test_write_file(NULL, foreign, "not a database\n");
    char id[33], conflicting[33];
    add_run(db_a, "h1", 0.5, NULL, 0, true, id);
    add_run(db_a, "h2", 0, NULL, 0, false, id);
    result_value extra[] = {{"test", "note \"x\", y", 0.25}, {"test", "loss", 1.5}};
    add_run(db_b, "h3", 0.75, extra, 2, true, id);
    add_run(db_c, "h1", 0.9, NULL, 0, true, conflicting);

    test_merge_usage();
    test_merge_runs(conflicting);
    test_export();
    return test_finish("test_merge_cli");
}
