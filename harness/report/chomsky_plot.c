/* chomsky_plot.c — one SVG per task of a suite (the Chomsky hierarchy's, or any with
 * per-length results): accuracy against input length, so that a person sees where each
 * configuration stops generalising beyond the training lengths.
 *
 * A curve per configuration is the mean, at each length, over the configuration's
 * completed runs that measured that length (training and test lengths alike): the
 * typical run, where the leaderboard's score is the best one. The training lengths are
 * shaded and chance (1 / classes per output, from the task registry) is dashed. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/check.h"
#include "report/report_internal.h"

/* mkdir -p: every missing directory of path, or an error naming path. */
static int make_directory(const char *dir, error_info *err) {
    char path[4096];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        return error_set(err, EXIT_RUNTIME, "%s: path too long", dir);
    for (char *p = path + 1;; p++) {
        const bool end = *p == '\0';
        if (*p != '/' && !end) continue;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            return error_set(err, EXIT_RUNTIME, "%s: cannot create the directory: %s", path, strerror(errno));
        if (end) break;
        *p = '/';
    }
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return error_set(err, EXIT_RUNTIME, "%s: not a directory", dir);
    return 0;
}

static int write_task(const chomsky_report *r, const chomsky_task *t, const char *path, error_info *err) {
    svg_series *series = calloc((size_t)r->n_configs + 1, sizeof *series);
    char (*labels)[256] = calloc((size_t)r->n_configs + 1, sizeof *labels);
    size_t total = 0;
    for (int c = 0; c < r->n_configs; c++) total += (size_t)t->curves[c].n_points;
    double *xy = malloc((2 * total + 1) * sizeof *xy); /* per series: its x, then its y */
    CHECK(series && labels && xy);

    int n = 0;
    double x_max = t->train_max > 0 ? t->train_max : 1, *next = xy;
    for (int c = 0; c < r->n_configs; c++) {
        const chomsky_curve *curve = &t->curves[c];
        if (t->score[c].n == 0 && t->in_distribution[c].n == 0 && curve->n_points == 0) continue;
        if (curve->runs == 0) snprintf(labels[n], sizeof labels[n], "%s (no per-length results)", r->configs[c].label);
        else if (curve->runs == 1) snprintf(labels[n], sizeof labels[n], "%s (1 run)", r->configs[c].label);
        else snprintf(labels[n], sizeof labels[n], "%s (mean of %d runs)", r->configs[c].label, curve->runs);
        series[n] = (svg_series){
            .label = labels[n], .x = next, .y = next + curve->n_points, .n = curve->n_points, .style = c};
        for (int i = 0; i < curve->n_points; i++) {
            next[i] = curve->points[i].length;
            next[curve->n_points + i] = curve->points[i].accuracy;
            if (next[i] > x_max) x_max = next[i];
        }
        next += 2 * curve->n_points;
        n++;
    }

    char title[256], subtitle[256], band[64], chance[64];
    if (t->level[0]) snprintf(title, sizeof title, "%s (%s): accuracy by input length", t->short_name, t->level);
    else snprintf(title, sizeof title, "%s: accuracy by input length", t->short_name);
    snprintf(subtitle, sizeof subtitle,
             "curve: mean over a configuration's completed runs at each length; shaded: training lengths%s",
             t->classes > 0 ? "" : "; chance unknown (task not in this build)");
    snprintf(band, sizeof band, "training lengths %d–%d", t->train_min, t->train_max);
    snprintf(chance, sizeof chance, "chance %.1f %%", t->classes > 0 ? 100.0 / t->classes : 0.0);
    const svg_chart chart = {
        .title = title,
        .subtitle = subtitle,
        .x_label = "input length",
        .y_label = "accuracy (%)",
        .x_min = 0,
        .x_max = x_max,
        .y_min = 0,
        .y_max = 100,
        .y_tick = 20,
        .band_from = t->train_min,
        .band_to = t->train_max,
        .band_label = band,
        .has_hline = t->classes > 0,
        .hline = t->classes > 0 ? 100.0 / t->classes : 0,
        .hline_label = chance,
        .series = series,
        .n_series = n,
    };

    int status = 0;
    FILE *out = fopen(path, "w");
    if (!out) status = error_set(err, EXIT_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
    else {
        svg_chart_write(&chart, out);
        const bool failed = ferror(out) != 0;
        if (fclose(out) != 0 || failed)
            status = error_set(err, EXIT_RUNTIME, "%s: cannot write: %s", path, strerror(errno));
    }
    free(series);
    free(labels);
    free(xy);
    return status;
}

static bool task_matches(const chomsky_task *t, const char *task) {
    return !task || strcmp(task, t->name) == 0 || strcmp(task, t->short_name) == 0;
}

int chomsky_plot_write(const chomsky_report *r, const char *dir, const char *task, FILE *log, error_info *err) {
    int matches = 0;
    for (int t = 0; t < r->n_tasks; t++) matches += task_matches(&r->tasks[t], task);
    const size_t prefix = strlen(r->suite);
    const bool named_in_suite = task && strncmp(task, r->suite, prefix) == 0 && task[prefix] == '/';
    if (matches == 0 && task)
        return error_set(err, EXIT_RUNTIME, "no completed runs of %s%s%s in the database",
                         named_in_suite ? "" : r->suite, named_in_suite ? "" : "/", task);
    if (matches == 0) return error_set(err, EXIT_RUNTIME, "no completed runs of suite %s in the database", r->suite);
    if (make_directory(dir, err)) return -1;
    for (int t = 0; t < r->n_tasks; t++) {
        const chomsky_task *k = &r->tasks[t];
        if (!task_matches(k, task)) continue;
        char path[4096 + 128];
        snprintf(path, sizeof path, "%s/%s_%s.svg", dir, r->suite, k->short_name);
        for (char *p = path + strlen(dir) + 1; *p; p++)
            if (*p == '/') *p = '_';
        if (write_task(r, k, path, err)) return -1;
        fprintf(log, "%s\n", path);
    }
    return 0;
}
