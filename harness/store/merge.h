/* merge.h — combining the results databases of several machines (`attnbench merge`).
 *
 * Each input is read from a private snapshot copy (the input file itself is never
 * written, not even to migrate an older schema) and merged into the output in one
 * BEGIN IMMEDIATE transaction: a process killed mid-merge leaves the output as it was
 * before that input. Merging is idempotent, and for inputs that do not conflict the
 * order of the inputs does not matter.
 *
 * Runs are matched first by id (ids are random 128-bit, so the same id is the same
 * run): an identical copy is skipped, a final row (completed, failed, diverged)
 * replaces a non-final one (planned, running, dead) with all its child rows, a
 * non-final row never replaces a final one, and two final rows that differ are a
 * conflict (the output keeps its own). A run new to the output is then matched by
 * (config_hash, seed) against the output's runs that the input does not itself hold:
 * a completed run makes a planned, running, dead or failed one redundant (on either
 * side), and two completed runs are duplicates when their test and eval results are
 * identical, otherwise a conflict. The sweep links of a run left out or removed move to
 * the completed run that stands for it. */
#ifndef ATTNBENCH_MERGE_H
#define ATTNBENCH_MERGE_H

#include "core/error.h"
#include "core/strbuf.h"
#include "store/store.h"

/* What merging one input did. */
typedef struct merge_report {
    int added;      /* runs copied */
    int upgraded;   /* runs whose row in the output was replaced by the input's further one */
    int present;    /* runs the output already had, identical or further along */
    int duplicates; /* completed runs with the same config, seed and results as one kept */
    int superseded; /* not-completed runs left out: the output has that config and seed completed */
    int replaced;   /* the output's not-completed runs removed for a completed one from the input */
    int conflicts;  /* lines in conflict_lines */
    int configs, sweeps, sweep_links, bench; /* other rows added */
    strbuf conflict_lines; /* "conflict: ..." lines, each ending in a newline */
    strbuf event_lines;    /* one line per upgraded, duplicate, superseded or replaced run */
} merge_report;

/* Check, without writing anything, that path is a database merge_database accepts: an
 * attnbench database of this or an older schema. The error names the file. */
int merge_check_input(const char *path, error_info *err);

/* Merge the database at in_path into out, in one transaction; report receives the
 * counts and lines (it must start zeroed; merge_report_free releases it). Conflicts
 * are not errors: they are counted and described, and everything else is merged. */
int merge_database(store *out, const char *in_path, merge_report *report, error_info *err);

void merge_report_free(merge_report *report);

#endif
