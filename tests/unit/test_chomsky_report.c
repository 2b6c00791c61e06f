/* test_chomsky_report.c — the Chomsky-hierarchy reports of a hand-made database.
 *
 * The fixture holds four tasks (one of each level and one the paper lacks, recorded
 * out of order) × two configurations, several seeds and learning rates, per-length
 * accuracy, plus runs that must not count (failed, still running, an older repeat of a
 * config and seed). Checked: the default Markdown of `leaderboard --suite chomsky`
 * against the expected text character for character (max, mean ± std, n, bold at
 * ≥ 90, the paper's order and levels, the paper's column with † and its solved row),
 * the shipped reference CSV, the curves
 * (means per length), the SVG (well-formed, a curve per configuration, the training
 * band and chance line, every point inside the plot area, the same bytes twice), and
 * both commands through the binary: exit statuses, missing and foreign databases,
 * unwritable output, a database without Chomsky runs. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/report.h"
#include "report/report_internal.h"
#include "store/store.h"
#include "tasks/task.h"
#include "testing.h"

typedef struct fake_run {
    const char *task, *mechanism, *positional;
    bool randomized;
    double lr;
    uint64_t seed;
    const char *status; /* completed, failed or running */
    double test, eval;  /* accuracy, fractions */
} fake_run;

/* Per-length accuracy of a run: eval lengths 1–4 at `eval`, test lengths 5–8 falling
 * from `test` + 0.06 by 0.04 a length, so that their mean is `test`. */
enum { TRAIN_MAX = 4, TEST_MAX = 8 };

static const fake_run fake_runs[] = {
    {"chomsky/duplicate_string", "local", "alibi", true, 1e-4, 0, "completed", 0.90, 1.00},
    {"chomsky/duplicate_string", "local", "alibi", true, 1e-4, 1, "completed", 0.52, 0.98},
    {"chomsky/parity_check", "full", "rope", false, 1e-4, 0, "completed", 0.93, 1.00},
    {"chomsky/parity_check", "full", "rope", false, 1e-4, 1, "completed", 0.99, 0.99}, /* repeated below */
    {"chomsky/parity_check", "full", "rope", false, 1e-4, 1, "completed", 0.60, 0.90},
    {"chomsky/parity_check", "full", "rope", false, 3e-4, 0, "completed", 0.63, 0.80},
    {"chomsky/parity_check", "full", "rope", false, 3e-4, 1, "failed", 0.99, 0.99},
    {"chomsky/parity_check", "full", "rope", false, 3e-4, 2, "running", 0.99, 0.99},
    {"chomsky/parity_check", "local", "alibi", true, 1e-4, 0, "completed", 0.50, 0.70},
    {"chomsky/zz_extra", "full", "rope", false, 1e-4, 0, "completed", 0.30, 0.40},
    {"chomsky/reverse_string", "full", "rope", false, 1e-4, 0, "completed", 0.55, 0.95},
    {"chomsky/reverse_string", "full", "rope", false, 1e-4, 1, "completed", 0.65, 0.85},
    {"lra/listops", "full", "sinusoidal", false, 1e-4, 0, "completed", 0.99, 0.99},
};

/* The reference CSV of the fixture: extra columns, another model, a † cell. */
static const char fixture_reference[] =
    "task,level,model,score,verified,note\n"
    "chomsky/parity_check,R,transformer,96.4,no,the text says solved\n"
    "chomsky/parity_check,R,lstm,100.0,yes,\n"
    "chomsky/reverse_string,DCF,transformer,62.3,yes,\n"
    "chomsky/duplicate_string,CS,transformer,52.8,yes,\n";

/* %s: the chance of duplicate_string and reverse_string, which depend on whether this
 * build registers them yet (both have 2 classes). */
static const char expected_format[] =
    "### Chomsky hierarchy: score on the test lengths (length generalisation)\n"
    "\n"
    "| Level | Task | Chance | full · rope | local · alibi (rand.) | Transformer (paper) |\n"
    "|:---|:---|---:|---:|---:|---:|\n"
    "| R | parity_check | 50.0 | **93.0** (72.0 ± 18.2, n=3) | 50.0 (n=1) | **96.4**† |\n"
    "| DCF | reverse_string | %s | 65.0 (60.0 ± 7.1, n=2) | - | 62.3 |\n"
    "| CS | duplicate_string | %s | - | **90.0** (71.0 ± 26.9, n=2) | 52.8 |\n"
    "| ? | zz_extra | ? | 30.0 (n=1) | - | - |\n"
    "| | solved (≥ 90) | | 1 of 3 | 1 of 2 | 1 of 3 |\n"
    "\n"
    "Score: accuracy (%%) at each test length averaged over the test lengths; the max over the completed "
    "runs of each configuration (seeds, learning rates and other settings pooled), then the mean ± "
    "standard deviation over those runs and their number n; bold = solved (max ≥ 90.0). Chance = "
    "100 / classes per output. The solved row counts the tasks solved of those a column has. "
    "Transformer (paper): Delétang et al. 2023, Table 2 (best of five positional encodings), published "
    "numbers, not our runs; † = not verified against the paper.\n"
    "\n"
    "### Chomsky hierarchy: in-distribution accuracy (training lengths)\n"
    "\n"
    "| Level | Task | Chance | full · rope | local · alibi (rand.) |\n"
    "|:---|:---|---:|---:|---:|\n"
    "| R | parity_check | 50.0 | **100.0** (90.0 ± 10.0, n=3) | 70.0 (n=1) |\n"
    "| DCF | reverse_string | %s | **95.0** (90.0 ± 7.1, n=2) | - |\n"
    "| CS | duplicate_string | %s | - | **100.0** (99.0 ± 1.4, n=2) |\n"
    "| ? | zz_extra | ? | 40.0 (n=1) | - |\n"
    "\n"
    "In-distribution: accuracy (%%) at each training length averaged over the training lengths; the max "
    "over the completed runs of each configuration (seeds, learning rates and other settings pooled), then "
    "the mean ± standard deviation over those runs and their number n; bold = solved (max ≥ 90.0). Chance = "
    "100 / classes per output.\n";

static char expected[8192];
static char db_path[512], reference_path[512];

static const char *chance_of(const char *task) { return task_find(task) ? "50.0" : "?"; }

static void expected_text(void) {
    const char *rev = chance_of("chomsky/reverse_string"), *dup = chance_of("chomsky/duplicate_string");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    snprintf(expected, sizeof expected, expected_format, rev, dup, rev, dup);
#pragma GCC diagnostic pop
}

/* The config as config_to_json writes it, trimmed: task options sit in the task object. */
static int add_run(store *s, const fake_run *f, error_info *err) {
    char hash[256], json[1024];
    snprintf(hash, sizeof hash, "%s@%s@%s@%d@%g", f->task, f->mechanism, f->positional, f->randomized, f->lr);
    snprintf(json, sizeof json,
             "{\"name\":\"chomsky\",\"task\":{\"name\":\"%s\",\"train_lengths\":[1,%d],"
             "\"test_lengths\":[%d,%d],\"test_length_stride\":1},\"model\":{\"positional\":\"%s\","
             "\"randomized_positions\":%s,\"attention\":{\"kind\":\"%s\"}},\"train\":{\"lr\":%g}}",
             f->task, TRAIN_MAX, TRAIN_MAX + 1, TEST_MAX, f->positional, f->randomized ? "true" : "false",
             f->mechanism, f->lr);
    task_place place;
    task_place_find(&place, f->task);
    run_identity id = {json, hash, f->seed, "chomsky", f->task, "1", f->mechanism, place.suite, place.level, place.order};
    provenance p;
    provenance_collect(&p, 1);
    char run_id[33];
    if (store_run_begin(s, &id, &p, run_id, err)) return -1;
    length_point points[TEST_MAX];
    for (int n = 1; n <= TEST_MAX; n++)
        points[n - 1] = (length_point){
            .split = n <= TRAIN_MAX ? "eval" : "test",
            .length = n,
            .accuracy = n <= TRAIN_MAX ? f->eval : f->test + 0.06 - 0.04 * (n - TRAIN_MAX - 1),
            .examples = 16,
        };
    if (store_run_lengths(s, run_id, points, TEST_MAX, err)) return -1;
    if (strcmp(f->status, "running") == 0) return 0;
    if (strcmp(f->status, "failed") == 0) return store_run_fail(s, run_id, "failed", 3, "boom", err);
    result_value results[] = {{"test", "accuracy", f->test}, {"eval", "accuracy", f->eval}};
    return store_run_complete(s, run_id, results, 2, 10, 1.0, 1e6, err);
}

static chomsky_report *load(const char *path) {
    error_info err = {0};
    store *s = NULL;
    chomsky_report *r = NULL;
    if (store_open(&s, path, true, &err) == 0) chomsky_report_load(&r, s, "chomsky", true, &err);
    store_close(s);
    test_check(r != NULL, "load the Chomsky report", "%s", err.message);
    return r;
}

static void make_fixture(void) {
    error_info err = {0};
    store *s = NULL;
    if (!test_check(store_open(&s, db_path, false, &err) == 0, "create the database", "%s", err.message)) exit(1);
    for (size_t i = 0; i < sizeof fake_runs / sizeof fake_runs[0]; i++)
        if (add_run(s, &fake_runs[i], &err)) test_check(false, "record a hand-made run", "%s", err.message);
    store_close(s);
    test_write_file(NULL, reference_path, fixture_reference);
}

/* The tables through leaderboard_write, with reference as the paper's CSV. */
static int write_tables(const char *reference, char **text, error_info *err) {
    size_t size = 0;
    FILE *out = open_memstream(text, &size);
    store *s = NULL;
    bool empty = false;
    const leaderboard_options options = {.suite = "chomsky", .reference = reference};
    int status = store_open(&s, db_path, true, err);
    if (status == 0) status = leaderboard_write(s, &options, out, &empty, err);
    store_close(s);
    fclose(out);
    return status;
}

static void test_markdown(void) {
    char *text = NULL;
    error_info err = {0};
    test_check(write_tables(reference_path, &text, &err) == 0, "write the tables", "%s", err.message);
    test_check(strcmp(text, expected) == 0, "markdown matches exactly", "got:\n%s\nexpected:\n%s", text, expected);
    free(text);

    char bad[512];
    snprintf(bad, sizeof bad, "%s/bad.csv", test_temp_dir());
    test_write_file(NULL, bad, "task,model,score,verified\nchomsky/parity_check,transformer,52.0\n");
    const int status = write_tables(bad, &text, &err);
    free(text);
    test_check(status != 0 && strstr(err.message, "bad.csv:2:") != NULL, "a malformed reference row names path:line",
               "%s", err.message);
}

/* The shipped CSV: every paper task has its Transformer cell, as in the spec's Table 2. */
static void test_shipped_reference(void) {
    char path[1024];
    snprintf(path, sizeof path, "%s/results/reference/chomsky_table2.csv", test_source_dir());
    chomsky_reference ref;
    error_info err = {0};
    if (!test_check(chomsky_reference_load(&ref, path, "transformer", &err) == 0, "load the shipped reference",
                    "%s", err.message))
        return;
    test_check(ref.n == 15, "15 Transformer cells", "got %d", ref.n);
    const chomsky_reference_cell *even = chomsky_reference_find(&ref, "chomsky/even_pairs");
    const chomsky_reference_cell *parity = chomsky_reference_find(&ref, "chomsky/parity_check");
    const chomsky_reference_cell *sort = chomsky_reference_find(&ref, "chomsky/bucket_sort");
    test_check(even && even->score == 96.4 && !even->verified, "even_pairs 96.4†", "-");
    test_check(parity && parity->score == 52.0 && parity->verified, "parity_check 52.0, verified", "-");
    test_check(sort && sort->score == 91.9 && !sort->verified, "bucket_sort 91.9†", "-");
    chomsky_reference_free(&ref);
    test_check(chomsky_reference_load(&ref, path, "lstm", &err) == 0 && ref.n == 15, "15 LSTM cells", "%s",
               err.message);
    chomsky_reference_free(&ref);
}

/* Registered tasks: the registry's level agrees with the paper's grouping. */
static void test_levels(const chomsky_report *r) {
    for (int t = 0; t < r->n_tasks; t++) {
        const chomsky_task *task = &r->tasks[t];
        if (!task_find(task->name)) continue;
        test_check(task->classes == 2, "classes of a registered fixture task", "%s: %d", task->name, task->classes);
    }
    const chomsky_curve *c = &r->tasks[0].curves[0]; /* parity_check, full · rope */
    test_check(c->n_points == TEST_MAX && c->runs == 3, "parity_check full · rope: 8 lengths from 3 runs",
               "%d points, %d runs", c->n_points, c->runs);
    test_near(c->points[0].accuracy, 90.0, 1e-9, "length 1: mean of the eval accuracies 100, 90, 80");
    test_near(c->points[4].accuracy, 78.0, 1e-9, "length 5: mean of 99, 66, 69");
}

/* Balanced tags and quotes: every element closes in order (an XML prolog, self-closing
 * tags and text are allowed). Returns false with the offending offset. */
static bool well_formed(const char *svg, long *at) {
    const char *stack[64];
    size_t lengths[64];
    int depth = 0;
    for (const char *p = strchr(svg, '<'); p; p = strchr(p, '<')) {
        *at = p - svg;
        const char *end = strchr(p, '>');
        if (!end) return false;
        int quotes = 0;
        for (const char *q = p; q < end; q++) quotes += *q == '"';
        if (quotes % 2) return false;
        if (p[1] == '?') {
            if (p != svg || end[-1] != '?') return false;
        } else if (p[1] == '/') {
            const size_t n = strcspn(p + 2, " >");
            if (depth == 0 || lengths[depth - 1] != n || strncmp(stack[depth - 1], p + 2, n) != 0) return false;
            depth--;
        } else if (end[-1] != '/') {
            if (depth == 64) return false;
            stack[depth] = p + 1;
            lengths[depth++] = strcspn(p + 1, " >");
        }
        p = end;
    }
    return depth == 0;
}

static int count(const char *text, const char *needle) {
    int n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

/* Every point of every polyline inside the plot area. */
static bool points_inside(const char *svg, int *points) {
    *points = 0;
    for (const char *p = strstr(svg, "<polyline"); p; p = strstr(p + 1, "<polyline")) {
        const char *q = strstr(p, "points=\"") + 8;
        double x, y;
        int used;
        while (sscanf(q, "%lf,%lf%n", &x, &y, &used) == 2) {
            if (x < SVG_PLOT_LEFT || x > SVG_PLOT_RIGHT || y < SVG_PLOT_TOP || y > SVG_PLOT_BOTTOM) return false;
            (*points)++;
            q += used;
        }
        if (*q != '"') return false;
    }
    return true;
}

static void test_svg(const chomsky_report *r) {
    char dir[512], again[512], file[1024];
    snprintf(dir, sizeof dir, "%s/plots/nested", test_temp_dir());
    snprintf(again, sizeof again, "%s/again", test_temp_dir());
    error_info err = {0};
    FILE *log = fopen("/dev/null", "w");
    test_check(chomsky_plot_write(r, dir, NULL, log, &err) == 0 && chomsky_plot_write(r, again, NULL, log, &err) == 0,
               "write the plots (creating nested directories)", "%s", err.message);
    fclose(log);
    const struct {
        const char *name;
        int curves;
        bool chance;
    } files[] = {{"parity_check", 2, true}, {"reverse_string", 1, task_find("chomsky/reverse_string") != NULL},
                 {"duplicate_string", 1, task_find("chomsky/duplicate_string") != NULL}, {"zz_extra", 1, false}};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(file, sizeof file, "%s/chomsky_%s.svg", dir, files[i].name);
        char *svg = test_read_file(file);
        if (!test_check(svg != NULL, "the plot exists", "%s", file)) continue;
        long at = 0;
        test_check(well_formed(svg, &at), "well-formed SVG", "%s near byte %ld", files[i].name, at);
        test_check(count(svg, "<polyline class=\"curve\"") == files[i].curves, "one curve per configuration",
                   "%s: %d", files[i].name, count(svg, "<polyline class=\"curve\""));
        test_check(count(svg, "class=\"train-band\"") == 1 && strstr(svg, "training lengths 1–4"),
                   "the training band", "%s", files[i].name);
        test_check((count(svg, "class=\"chance\"") == 1) == files[i].chance, "the chance line where classes are known",
                   "%s", files[i].name);
        int points = 0;
        test_check(points_inside(svg, &points) && points == TEST_MAX * files[i].curves,
                   "every point inside the plot area", "%s: %d points", files[i].name, points);
        snprintf(file, sizeof file, "%s/chomsky_%s.svg", again, files[i].name);
        char *copy = test_read_file(file);
        test_check(copy && strcmp(copy, svg) == 0, "the same database gives the same bytes", "%s", files[i].name);
        if (i == 0) {
            /* 50 % of the 340-unit-high area above its bottom at 410. */
            test_check(strstr(svg, "y1=\"240.00\" x2=\"560\" y2=\"240.00\" stroke=\"#444444\"") != NULL,
                       "chance at 50 %", "-");
            test_check(strstr(svg, "full · rope (mean of 3 runs)") && strstr(svg, "local · alibi (rand.) (1 run)"),
                       "the legend names configurations and runs", "-");
        }
        free(copy);
        free(svg);
    }
}

static void test_commands(void) {
    static char out[1 << 16];
    char empty[512], foreign[512], blocker[512], dir[512], missing[512];
    snprintf(empty, sizeof empty, "%s/empty.sqlite", test_temp_dir());
    snprintf(foreign, sizeof foreign, "%s/foreign.sqlite", test_temp_dir());
    snprintf(blocker, sizeof blocker, "%s/a_file", test_temp_dir());
    snprintf(dir, sizeof dir, "%s/cli_plots", test_temp_dir());
    snprintf(missing, sizeof missing, "%s/missing.sqlite", test_temp_dir());
    error_info err = {0};
    store *s = NULL;
    test_check(store_open(&s, empty, false, &err) == 0, "an empty database", "%s", err.message);
    store_close(s);
    test_write_file(NULL, foreign, "not a database\n");
    test_write_file(NULL, blocker, "x\n");

    test_check(test_attnbench(out, sizeof out, "leaderboard --suite chomsky --db %s --reference %s", db_path,
                              reference_path) == 0 && strcmp(out, expected) == 0,
               "leaderboard --suite chomsky prints the tables", "%s", out);
    test_check(test_attnbench(out, sizeof out, "leaderboard --suite chomsky --db %s --reference %s/none.csv", db_path,
                              test_temp_dir()) == 1 && strstr(out, "none.csv"),
               "a missing reference file is a runtime error", "%s", out);
    test_check(test_attnbench(out, sizeof out, "leaderboard --suite nope --db %s", db_path) == 2,
               "unknown suite: usage error", "%s", out);
    test_check(test_attnbench(out, sizeof out, "leaderboard --suite speed --reference x --db %s", db_path) == 2,
               "--reference with the speed suite: usage error", "%s", out);
    test_check(test_attnbench(out, sizeof out, "leaderboard --suite chomsky --db %s", empty) == 0 &&
                   strstr(out, "no completed Chomsky-hierarchy runs"),
               "no Chomsky runs: said, exit 0", "%s", out);
    test_check(test_attnbench(out, sizeof out, "leaderboard --help") == 0 && strstr(out, "--suite"),
               "leaderboard --help names --suite", "%s", out);

    test_check(test_attnbench(out, sizeof out, "plot --db %s", db_path) == 2 && strstr(out, "-o"),
               "plot without -o: usage error", "%s", out);
    char lra_dir[600];
    snprintf(lra_dir, sizeof lra_dir, "%s/lra_plots", test_temp_dir());
    test_check(test_attnbench(out, sizeof out, "plot --suite lra --db %s -o %s", db_path, lra_dir) == 0 &&
                   count(out, ".svg") == 1 && strstr(out, "lra_listops.svg"),
               "plot --suite lra: its task with per-length results, as <suite>_<task>.svg", "%s", out);
    test_check(test_attnbench(out, sizeof out, "plot --suite nope --db %s -o %s", db_path, dir) == 0 &&
                   strstr(out, "no completed runs of suite nope") && access(dir, F_OK) != 0,
               "plot of a suite without runs: said, exit 0, nothing written", "%s", out);
    test_check(test_attnbench(out, sizeof out, "plot --db %s -o %s", missing, dir) == 1 &&
                   access(missing, F_OK) != 0,
               "plot of a missing database: runtime error, nothing created", "%s", out);
    test_check(test_attnbench(out, sizeof out, "plot --db %s -o %s", foreign, dir) == 1 &&
                   strstr(out, "not an attnbench database"),
               "plot of a foreign file: runtime error", "%s", out);
    test_check(test_attnbench(out, sizeof out, "plot --db %s -o %s/sub", db_path, blocker) == 1 &&
                   strstr(out, "a_file"),
               "an output directory that cannot be made: runtime error naming it", "%s", out);
    test_check(test_attnbench(out, sizeof out, "plot --db %s -o %s", empty, dir) == 0 &&
                   strstr(out, "no completed Chomsky-hierarchy runs") && access(dir, F_OK) != 0,
               "plot without Chomsky runs: said, exit 0, nothing written", "%s", out);
    test_check(test_attnbench(out, sizeof out, "plot --db %s --task nope -o %s", db_path, dir) == 1 &&
                   strstr(out, "chomsky/nope"),
               "plot of a task without runs: runtime error naming it", "%s", out);
    test_check(test_attnbench(out, sizeof out, "plot --db %s --task parity_check -o %s", db_path, dir) == 0 &&
                   count(out, ".svg") == 1 && strstr(out, "chomsky_parity_check.svg"),
               "plot --task writes that task only", "%s", out);
    test_check(test_attnbench(out, sizeof out, "plot --db %s -o %s", db_path, dir) == 0 && count(out, ".svg") == 4,
               "plot writes a file per task", "%s", out);
    test_check(test_attnbench(out, sizeof out, "plot --help") == 0 && strstr(out, "usage: attnbench plot"),
               "plot --help", "%s", out);
}

int main(void) {
    snprintf(db_path, sizeof db_path, "%s/chomsky.sqlite", test_temp_dir());
    snprintf(reference_path, sizeof reference_path, "%s/reference.csv", test_temp_dir());
    expected_text();
    make_fixture();
    chomsky_report *r = load(db_path);
    if (r) {
        test_check(chomsky_report_tasks(r) == 4 && r->n_configs == 2, "4 Chomsky tasks, 2 configurations",
                   "%d tasks, %d configurations", chomsky_report_tasks(r), r->n_configs);
        test_markdown();
        test_levels(r);
        test_svg(r);
    }
    chomsky_report_free(r);
    test_shipped_reference();
    test_commands();
    return test_finish("test_chomsky_report");
}
