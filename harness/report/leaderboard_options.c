/* leaderboard_options.c — the leaderboard's options turned into a plan: the suite, the
 * metric with its direction and display units, the aggregate, the renderer, and the
 * fields that key rows and columns. Every bad value is a usage error that names it and
 * lists the valid ones. A suite is any name a task's registration may give (lra,
 * chomsky and speed have layouts of their own; any other gets the generic grid),
 * checked against the database only when the leaderboard is built.
 *
 * Accuracies show in percent (2 decimals for LRA, 1 for Chomsky as the paper prints);
 * losses 4 decimals; throughputs whole; wall time in seconds and memory in MiB. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "report/leaderboard_internal.h"

typedef struct metric_row {
    const char *name;
    int direction;
    double scale;
    int decimals;
    const char *unit, *what;
    bool percent;
} metric_row;

#define MIB (1.0 / 1048576.0)
static const metric_row result_metrics[] = {
    {"accuracy", +1, 100.0, 2, "%", "accuracy (%)", true},
    {"sequence_accuracy", +1, 100.0, 2, "%", "sequence accuracy (%)", true},
    {"loss", -1, 1.0, 4, "", "loss", false},
    {"tokens_per_second", +1, 1.0, 0, "tokens/s", "tokens per second", false},
};
static const metric_row run_metrics[] = {
    {"wall_seconds", -1, 1.0, 1, "s", "wall time (s)", false},
    {"peak_rss_bytes", -1, MIB, 1, "MiB", "peak memory (MiB)", false},
};
static const metric_row bench_metrics[] = {
    {"tokens_per_second", +1, 1.0, 0, "tokens/s", "tokens per second", false},
    {"steps_per_second", +1, 1.0, 2, "steps/s", "training steps per second", false},
    {"peak_rss_bytes", -1, MIB, 1, "MiB", "peak memory (MiB)", false},
    {"attention_gflops", -1, 1.0, 2, "GFLOP", "attention GFLOP per step", false},
    {"attention_gflops_per_second", +1, 1.0, 1, "GFLOP/s", "attention GFLOP/s (timed alone)", false},
};
static const char *const splits[] = {"train", "eval", "test"};
static const char *const suites[] = {"lra", "chomsky", "speed"};
static const char *const aggs[] = {"mean_std", "max", "median"};
static const struct {
    const char *name;
    table_renderer render;
} formats[] = {{"md", render_md}, {"csv", render_csv}, {"latex", render_latex}, {"html", render_html},
               {"json", render_json}};
static const struct {
    const char *name, *label;
    field_kind kind;
} fields[] = {{"mechanism", "Mechanism", FIELD_MECHANISM},
              {"task", "Task", FIELD_TASK},
              {"positional", "Positional", FIELD_POSITIONAL},
              {"config", "Configuration", FIELD_CONFIG}};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

static int find_name(const char *const *names, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0) return i;
    return -1;
}

static void fill(metric_spec *m, const metric_row *row, const char *name, const char *split) {
    snprintf(m->name, sizeof m->name, "%s", name);
    m->direction = row->direction;
    m->scale = row->scale;
    m->decimals = row->decimals;
    m->unit = row->unit;
    m->percent = row->percent;
    snprintf(m->what, sizeof m->what, "%s%s%s", split ? split : "", split ? " " : "", row->what);
}

int metric_spec_parse(metric_spec *m, const char *name, suite_kind suite, error_info *err) {
    *m = (metric_spec){0};
    if (suite == SUITE_SPEED) {
        for (int i = 0; i < COUNT(bench_metrics); i++)
            if (strcmp(name, bench_metrics[i].name) == 0) {
                fill(m, &bench_metrics[i], name, NULL);
                m->column = strcmp(name, "attention_gflops_per_second") == 0 ? "attention_gflops / attention_seconds"
                                                                               : bench_metrics[i].name;
                return 0;
            }
        return error_set(err, EXIT_USAGE,
                         "leaderboard: unknown --metric \"%s\" for --suite speed (valid: tokens_per_second, "
                         "steps_per_second, peak_rss_bytes, attention_gflops, attention_gflops_per_second)", name);
    }
    for (int i = 0; i < COUNT(run_metrics); i++)
        if (strcmp(name, run_metrics[i].name) == 0) {
            fill(m, &run_metrics[i], name, NULL);
            m->column = run_metrics[i].name;
            return 0;
        }
    const char *dot = strchr(name, '.');
    for (int i = 0; dot && i < COUNT(result_metrics); i++) {
        const int split = (int)(dot - name);
        if (strcmp(dot + 1, result_metrics[i].name) != 0 || split >= (int)sizeof m->split) continue;
        snprintf(m->split, sizeof m->split, "%.*s", split, name);
        if (find_name(splits, COUNT(splits), m->split) < 0) break;
        snprintf(m->result, sizeof m->result, "%s", dot + 1);
        fill(m, &result_metrics[i], name, m->split);
        if (m->percent && suite == SUITE_CHOMSKY) m->decimals = 1;
        return 0;
    }
    return error_set(err, EXIT_USAGE,
                     "leaderboard: unknown --metric \"%s\" (valid: SPLIT.NAME with SPLIT train, eval or test and "
                     "NAME accuracy, sequence_accuracy, loss or tokens_per_second; or wall_seconds, peak_rss_bytes)",
                     name);
}

/* A config key path: task., model. or train. then names of [A-Za-z0-9_], dot-separated. */
static bool key_path(const char *text) {
    if (strncmp(text, "task.", 5) != 0 && strncmp(text, "model.", 6) != 0 && strncmp(text, "train.", 6) != 0)
        return false;
    bool after_dot = false;
    for (const char *p = text; *p; p++) {
        if (*p == '.') {
            if (after_dot) return false;
            after_dot = true;
        } else if (isalnum((unsigned char)*p) || *p == '_') after_dot = false;
        else return false;
    }
    return !after_dot && strlen(text) < 120;
}

static int field_parse(field_spec *f, const char *flag, const char *text, error_info *err) {
    *f = (field_spec){0};
    for (int i = 0; i < COUNT(fields); i++)
        if (strcmp(text, fields[i].name) == 0) {
            f->kind = fields[i].kind;
            snprintf(f->label, sizeof f->label, "%s", fields[i].label);
            return 0;
        }
    if (!key_path(text))
        return error_set(err, EXIT_USAGE,
                         "leaderboard: unknown %s \"%s\" (valid: mechanism, task, positional, config, or a config "
                         "key path under task., model. or train., e.g. model.attention.window)", flag, text);
    f->kind = FIELD_KEY;
    snprintf(f->path, sizeof f->path, "$.%s", text);
    snprintf(f->label, sizeof f->label, "%s", text);
    return 0;
}

static int choose(const char *const *names, int n, const char *flag, const char *text, const char *valid,
                  int *out, error_info *err) {
    *out = find_name(names, n, text);
    if (*out < 0) return error_set(err, EXIT_USAGE, "leaderboard: unknown %s \"%s\" (valid: %s)", flag, text, valid);
    return 0;
}

const char *leaderboard_agg_name(agg_kind agg) { return aggs[agg]; }

/* A suite name: 1 to 63 letters, digits, '_', '-' or '.'. */
static bool suite_name(const char *text) {
    const size_t n = strlen(text);
    return n > 0 && n < 64 && strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == n;
}

static int plan_layout(leaderboard_plan *p, const leaderboard_options *o, error_info *err) {
    const bool lra = p->suite != SUITE_CHOMSKY; /* mechanisms × tasks */
    p->custom_layout = o->rows || o->cols;
    if (p->suite == SUITE_SPEED && (p->custom_layout || o->agg))
        return error_set(err, EXIT_USAGE, "leaderboard: --rows, --cols and --agg are not for --suite speed "
                                          "(its rows are mechanisms, its columns lengths)");
    if (field_parse(&p->rows, "--rows", o->rows ? o->rows : lra ? "mechanism" : "task", err) ||
        field_parse(&p->cols, "--cols", o->cols ? o->cols : lra ? "task" : "config", err))
        return -1;
    if (p->rows.kind == p->cols.kind && strcmp(p->rows.path, p->cols.path) == 0)
        return error_set(err, EXIT_USAGE, "leaderboard: --rows and --cols are both \"%s\"", p->rows.label);
    return 0;
}

int leaderboard_plan_make(leaderboard_plan *p, const leaderboard_options *o, error_info *err) {
    *p = (leaderboard_plan){.reference = o->reference};
    int suite = 0, agg = 0, format = 0;
    const char *format_names[COUNT(formats)];
    for (int i = 0; i < COUNT(formats); i++) format_names[i] = formats[i].name;
    const char *name = o->suite ? o->suite : "lra";
    if (!suite_name(name))
        return error_set(err, EXIT_USAGE,
                         "leaderboard: bad --suite \"%s\" (valid: lra, chomsky, speed, or another suite of the "
                         "database's runs: letters, digits, _, - and .)",
                         name);
    if (choose(format_names, COUNT(formats), "--format", o->format ? o->format : "md", "md, csv, latex, html, json",
               &format, err))
        return -1;
    suite = find_name(suites, COUNT(suites), name);
    p->suite = suite < 0 ? SUITE_OTHER : (suite_kind)suite;
    snprintf(p->suite_name, sizeof p->suite_name, "%s", name);
    p->render = formats[format].render;
    const char *default_agg = p->suite == SUITE_CHOMSKY ? "max" : "mean_std";
    if (choose(aggs, COUNT(aggs), "--agg", o->agg ? o->agg : default_agg, "mean_std, max, median", &agg, err))
        return -1;
    p->agg = (agg_kind)agg;
    const char *default_metric = p->suite == SUITE_SPEED ? "tokens_per_second" : "test.accuracy";
    if (metric_spec_parse(&p->metric, o->metric ? o->metric : default_metric, p->suite, err)) return -1;
    if (p->suite == SUITE_SPEED && o->reference)
        return error_set(err, EXIT_USAGE, "leaderboard: --reference is not for --suite speed");
    return plan_layout(p, o, err);
}

int leaderboard_check(const leaderboard_options *o, error_info *err) {
    leaderboard_plan p;
    return leaderboard_plan_make(&p, o, err);
}

const char *leaderboard_default_reference(const char *suite) {
    if (!suite || strcmp(suite, "lra") == 0) return "results/reference/lra_table1.csv";
    if (strcmp(suite, "chomsky") == 0) return "results/reference/chomsky_table2.csv";
    return NULL;
}
