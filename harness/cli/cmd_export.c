/* cmd_export.c — `attnbench export`: the results database as long-form CSV.
 *
 * The database is opened read-only. With -o the CSV goes to a temporary file beside
 * FILE that is renamed over it only when the whole export succeeded, so an interrupted
 * or failed export never leaves a truncated file that looks complete. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "store/export.h"

static const char about[] =
    "Write the results database as long-form CSV for pandas or R: a header row, one\n"
    "observation per row, RFC 4180 quoting, NULL as an empty field, integers exactly and\n"
    "reals in the shortest form that reads back to the same double. Rows are ordered by\n"
    "task, mechanism, seed and run.\n";

static const char notes[] =
    "What each --what writes:\n"
    "  results  (default) one row per run × split × final metric:\n"
    "           run_id, task, task_version, mechanism, positional, seed,\n"
    "           config_hash, status, split, metric, value\n"
    "  metrics  training curves, one row per run × split × metric × step:\n"
    "           run_id, task, mechanism, seed, step, split, name, value\n"
    "  lengths  accuracy by input length, one row per run × split × length:\n"
    "           run_id, task, task_version, mechanism, positional, seed,\n"
    "           config_hash, status, split, length, accuracy, sequence_accuracy,\n"
    "           examples\n"
    "  runs     one row per run, the columns of the `runs` view (attnbench query\n"
    "           --help): id, name, task, mechanism, seed, status, config_hash,\n"
    "           created_at, finished_at, steps_done, wall_seconds, test_accuracy,\n"
    "           eval_accuracy, task_version, started_at, heartbeat_at, host, pid,\n"
    "           error, peak_rss_bytes, sweep_id, suite, level, task_order\n"
    "\n"
    "Columns: seed is train.seed; config_hash names what the resolved config sets apart\n"
    "from the defaults, without name, seed and threads, so the runs of one hash differ\n"
    "only by seed; positional is the config's model.positional; split is train, eval or\n"
    "test; metric (results) and name (metrics) are accuracy, loss, lr, grad_norm,\n"
    "tokens_per_second ...; accuracies are fractions in [0, 1]; step counts optimiser\n"
    "steps; length counts input symbols; sequence_accuracy is the fraction of sequences\n"
    "with every output right; examples is the number of sequences of that length; times\n"
    "are ISO-8601 UTC.\n"
    "\n"
    "Exit status: 0 ok, 1 database or file error, 2 usage error.\n";

/* Export into a new file beside path and rename it over path once complete. */
static int export_to_file(store *s, enum export_table table, bool all_status, const char *path,
                          error_info *err) {
    size_t size = strlen(path) + 8;
    char *temp = malloc(size);
    if (!temp) return error_set(err, EXIT_RUNTIME, "export: out of memory");
    snprintf(temp, size, "%s.XXXXXX", path);
    int fd = mkstemp(temp);
    FILE *out = NULL;
    int result = 0;
    if (fd < 0) {
        result = error_set(err, EXIT_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
    } else {
        const mode_t mask = umask(0);
        umask(mask);
        if (fchmod(fd, 0666 & ~mask) != 0 || !(out = fdopen(fd, "w"))) {
            result = error_set(err, EXIT_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
            close(fd);
        }
    }
    if (out) {
        result = export_csv(s, table, all_status, out, err);
        if (fclose(out) != 0 && result == 0)
            result = error_set(err, EXIT_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
        if (result == 0 && rename(temp, path) != 0)
            result = error_set(err, EXIT_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
    }
    if (result && fd >= 0) unlink(temp);
    free(temp);
    return result;
}

int cmd_export(int argc, char **argv) {
    const char *db_flag = NULL, *output = NULL, *what = "results";
    bool all_status = false;
    const cli_opt opts[] = {
        CLI_OPT_DB(&db_flag),
        CLI_OPT_OUTPUT(&output, "FILE", false, "write FILE (replaced only once the export succeeded), not stdout"),
        CLI_TEXT("--what", "results|metrics|lengths|runs", &what, "what to write (default results; see below)"),
        CLI_FLAG("--all-status", &all_status,
                 "include planned, running, failed, diverged and dead runs (default:\ncompleted runs only)"),
    };
    const cli_spec spec = {"export", CLI_OPTS(opts), NULL, about, notes};
    const int status = cli_parse_command(&spec, argc, argv);
    if (status != CLI_PARSED) return status;
    enum export_table table;
    if (!export_table_from_name(what, &table))
        return cli_fail(EXIT_USAGE, "export: --what must be results, metrics, lengths or runs, not %s", what);

    error_info err = {0};
    store *s = NULL;
    int failed = store_open(&s, cli_database_path(db_flag), true, &err);
    if (!failed)
        failed = output ? export_to_file(s, table, all_status, output, &err)
                        : export_csv(s, table, all_status, stdout, &err);
    store_close(s);
    return failed ? cli_fail(err.status, "%s", err.message) : EXIT_OK;
}
