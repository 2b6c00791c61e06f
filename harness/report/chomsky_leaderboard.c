/* chomsky_leaderboard.c — the Markdown tables of the Chomsky-hierarchy benchmark:
 * tasks (the paper's order, with their level) × configurations.
 *
 * The paper reports the max over seeds and learning rates and calls a task solved at
 * ≥ 90 %, so a cell leads with the max, bold when solved, and keeps the mean ± std and
 * the number of runs beside it to show how often it is reached. "Solved" compares the
 * max as printed (one decimal), so a cell that reads 90.0 is bold. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#include "report/report_internal.h"

#define PAPER_COLUMN "Transformer (paper)"

static const char score_legend[] =
    "Score: accuracy (%) at each test length averaged over the test lengths; the max over the "
    "completed runs of each configuration (seeds, learning rates and other settings pooled), then "
    "the mean ± standard deviation over those runs and their number n; **bold** = solved (max ≥ 90.0). "
    "Chance = 100 / classes per output. The solved row counts the tasks solved of those a column has.";
static const char paper_legend[] =
    " " PAPER_COLUMN ": Delétang et al. 2023, Table 2 (best of five positional encodings); "
    "† = not verified against the paper.";
static const char eval_legend[] =
    "In-distribution: accuracy (%) at each training length averaged over the training lengths; "
    "max over the completed runs of each configuration, then mean ± standard deviation and n; "
    "**bold** = max ≥ 90.0.";

static bool solved(double percent) { return llround(percent * 10.0) >= 900; }

/* Markdown table text: a '|' inside a name would end the cell. */
static void write_name(FILE *out, const char *name) {
    for (const char *p = name; *p; p++) {
        if (*p == '|') fputc('\\', out);
        fputc(*p, out);
    }
}

static void write_stat(FILE *out, const chomsky_stat *s) {
    if (s->n == 0) {
        fputs(" - |", out);
        return;
    }
    const char *bold = solved(s->max) ? "**" : "";
    fprintf(out, " %s%.1f%s (", bold, s->max, bold);
    if (s->n > 1) fprintf(out, "%.1f ± %.1f, ", s->mean, chomsky_stat_std(s));
    fprintf(out, "n=%d) |", s->n);
}

static void write_header(const chomsky_report *r, bool paper, FILE *out) {
    fputs("| Level | Task | Chance |", out);
    for (int c = 0; c < r->n_configs; c++) {
        fputc(' ', out);
        write_name(out, r->configs[c].label);
        fputs(" |", out);
    }
    if (paper) fputs(" " PAPER_COLUMN " |", out);
    fputs("\n|:---|:---|---:|", out);
    for (int c = 0; c < r->n_configs + paper; c++) fputs("---:|", out);
    fputc('\n', out);
}

static void write_task_start(const chomsky_task *t, FILE *out) {
    fprintf(out, "| %s | ", t->level);
    write_name(out, t->short_name);
    if (t->classes > 0) fprintf(out, " | %.1f |", 100.0 / t->classes);
    else fputs(" | ? |", out);
}

/* The score table (with the solved row and the paper's column when ref is given) or
 * the in-distribution table. */
static void write_table(const chomsky_report *r, bool in_distribution, const chomsky_reference *ref, FILE *out) {
    write_header(r, ref != NULL, out);
    int paper_solved = 0, paper_cells = 0;
    for (int t = 0; t < r->n_tasks; t++) {
        const chomsky_task *task = &r->tasks[t];
        write_task_start(task, out);
        for (int c = 0; c < r->n_configs; c++)
            write_stat(out, in_distribution ? &task->in_distribution[c] : &task->score[c]);
        if (ref) {
            const chomsky_reference_cell *cell = chomsky_reference_find(ref, task->name);
            if (cell) {
                const char *bold = solved(cell->score) ? "**" : "";
                fprintf(out, " %s%.1f%s%s |", bold, cell->score, bold, cell->verified ? "" : "†");
                paper_cells++;
                paper_solved += solved(cell->score);
            } else fputs(" - |", out);
        }
        fputc('\n', out);
    }
    if (in_distribution) return;
    fputs("| | solved (≥ 90) | |", out);
    for (int c = 0; c < r->n_configs; c++) {
        int tasks = 0, count = 0;
        for (int t = 0; t < r->n_tasks; t++) {
            const chomsky_stat *s = &r->tasks[t].score[c];
            tasks += s->n > 0;
            count += s->n > 0 && solved(s->max);
        }
        fprintf(out, " %d of %d |", count, tasks);
    }
    if (ref) fprintf(out, " %d of %d |", paper_solved, paper_cells);
    fputc('\n', out);
}

int chomsky_leaderboard_write_markdown(const chomsky_report *r, const char *reference_path, FILE *out,
                                       error_info *err) {
    chomsky_reference ref;
    if (reference_path && chomsky_reference_load(&ref, reference_path, "transformer", err)) return -1;
    const chomsky_reference *paper = reference_path ? &ref : NULL;
    fputs("### Chomsky hierarchy: score on the test lengths (length generalisation)\n\n", out);
    write_table(r, false, paper, out);
    fprintf(out, "\n%s%s\n\n", score_legend, paper ? paper_legend : "");
    fputs("### Chomsky hierarchy: in-distribution accuracy (training lengths)\n\n", out);
    write_table(r, true, NULL, out);
    fprintf(out, "\n%s\n", eval_legend);
    if (paper) chomsky_reference_free(&ref);
    return 0;
}
