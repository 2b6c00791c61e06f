/* cmd_merge.c — `attnbench merge OUT IN...`: combine the databases of several machines.
 *
 * Every input is checked before OUT is opened, so a missing, foreign or too new input
 * stops the command with nothing written. Then each input is merged in its own
 * transaction (store/merge.c) and summarised on one line, followed by one line per
 * conflict. Conflicts do not stop the merge: the rest of each input is merged, and the
 * exit status says that something needs a look. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/opts.h"
#include "store/merge.h"

static const char about[] =
    "Combine results databases written on several machines (one per Slurm shard, say)\n"
    "into OUT, which is created when missing. Merging is idempotent: the same inputs\n"
    "merged again change nothing. Inputs are never written: each is read from a private\n"
    "copy in $TMPDIR (an older schema is migrated in that copy). Every input is checked\n"
    "before anything is written, and each is merged in one transaction, so an interrupted\n"
    "merge leaves OUT as it was before that input.\n"
    "\n"
    "Runs with the same id (final: completed, failed, diverged; not final: planned,\n"
    "running, dead):\n"
    "  identical                          already present\n"
    "  OUT's not final, IN's final        upgraded: OUT's row and its rows become IN's\n"
    "  both not final                     the one further along (steps, heartbeat) kept\n"
    "  OUT's final, IN's not final        already present: OUT keeps its row\n"
    "  both final and different           conflict: OUT keeps its row\n"
    "A run new to OUT, against OUT's runs of its config hash and seed that IN lacks:\n"
    "  IN's is planned, running, dead     superseded: left out\n"
    "    or failed; OUT's is completed\n"
    "  IN's is completed and none of      added; OUT's planned, running, dead and\n"
    "    OUT's is                         failed runs of it are replaced\n"
    "  both completed, with the same      duplicate: left out\n"
    "    test and eval results\n"
    "  both completed, different results  conflict: OUT keeps its own\n"
    "The sweep links of a run left out or replaced move to the completed run kept.\n"
    "Configs are matched by hash (a conflict when a setting both have differs, beyond\n"
    "name, seed and threads), sweeps by id (a missing name, source or planned count is\n"
    "filled in; differing ones are conflicts), bench rows by run_id, created_at,\n"
    "mechanism, length, batch, dim, heads, layers and host.\n"
    "\n"
    "Prints one summary line per input and one line per conflict.\n";

static const char notes[] =
    "Exit status: 0 merged without conflicts; 1 a conflict (everything else is merged),\n"
    "an input refused (nothing written) or a database error; 2 usage error.\n";

static bool same_file(const char *a, const char *b) {
    struct stat sa, sb;
    if (strcmp(a, b) == 0) return true;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static void print_report(const char *input, const merge_report *r, bool verbose) {
    printf("%s: runs: %d added, %d upgraded, %d already present, %d duplicates skipped, "
           "%d superseded, %d replaced in OUT; rows added: config %d, sweep %d, sweep_run %d, "
           "bench %d; %d conflicts\n",
           input, r->added, r->upgraded, r->present, r->duplicates, r->superseded, r->replaced,
           r->configs, r->sweeps, r->sweep_links, r->bench, r->conflicts);
    const strbuf *sections[] = {verbose ? &r->event_lines : NULL, &r->conflict_lines};
    for (int i = 0; i < 2; i++) {
        if (!sections[i] || !sections[i]->data) continue;
        for (const char *line = sections[i]->data; *line;) {
            size_t n = strcspn(line, "\n");
            printf("  %.*s\n", (int)n, line);
            line += n + (line[n] == '\n');
        }
    }
}

/* Check every input, then merge each into out_path; returns the exit status. */
static int merge_all(const char *out_path, const char *const *inputs, int n, bool verbose) {
    error_info err = {0};
    bool refused = false;
    for (int i = 0; i < n; i++)
        if (merge_check_input(inputs[i], &err)) {
            cli_fail(err.status, "%s", err.message);
            refused = true;
        }
    if (refused) return cli_fail(EXIT_RUNTIME, "merge: nothing merged into %s", out_path);

    store *out = NULL;
    if (store_open(&out, out_path, false, &err)) return cli_fail(err.status, "%s", err.message);
    int status = EXIT_OK, conflicts = 0;
    for (int i = 0; i < n; i++) {
        merge_report report = {.added = 0};
        if (merge_database(out, inputs[i], &report, &err)) {
            cli_fail(err.status, "%s", err.message);
            status = EXIT_RUNTIME;
            continue;
        }
        print_report(inputs[i], &report, verbose);
        conflicts += report.conflicts;
        merge_report_free(&report);
    }
    store_close(out);
    fflush(stdout);
    if (conflicts > 0) {
        cli_fail(EXIT_RUNTIME, "merge: %d conflicts (listed above); %s kept its own rows for them",
                 conflicts, out_path);
        status = EXIT_RUNTIME;
    }
    return status;
}

int cmd_merge(int argc, char **argv) {
    bool verbose = false;
    const char *out_path = NULL;
    cli_list in = {calloc((size_t)argc, sizeof(const char *)), 0, argc};
    if (!in.items) return cli_fail(EXIT_RUNTIME, "merge: out of memory");
    const cli_opt opts[] = {
        {.kind = CLI_SWITCH, .name = "-v", .alias = "--verbose", .target = &verbose,
         .help = "also a line per upgraded, duplicate, superseded or replaced run"},
        CLI_POSITIONAL("OUT", &out_path, true, "the database to merge into (created when missing)"),
        CLI_REST("IN", &in, true, "the databases to merge from"),
    };
    const cli_spec spec = {"merge", CLI_OPTS(opts), NULL, about, notes};
    int status = cli_parse_command(&spec, argc, argv);
    for (int i = 0; i < in.n && status == CLI_PARSED; i++)
        if (same_file(out_path, in.items[i]))
            status = cli_fail(EXIT_USAGE, "merge: OUT is also an input: %s", in.items[i]);
    if (status == CLI_PARSED) status = merge_all(out_path, in.items, in.n, verbose);
    free(in.items);
    return status;
}
