/* test_pathfinder.c — LRA Pathfinder and Path-X: the renderer's geometry helpers on
 * hand-worked cases, every label against a flood fill of the pixels drawn, dash counts,
 * marker size, pixel values, the label balance and init errors. Purity, disjoint
 * splits and the golden hashes of both tasks: test_task_registry.
 *
 * The flood fill: the pixels a target contour covers and the pixels a marker disc
 * covers are the nodes; two nodes are joined when they are 4-neighbours (the renderer
 * keeps the pixels of different objects from ever being 4-neighbours), or when both
 * belong to the same target contour and are within 2·margin + 3 pixels of each other
 * (Chebyshev): a contour is a chain of dashes with gaps of up to 2·margin between them,
 * which is what makes it a "snake" and not a line. The label must be 1 exactly when
 * the fill from the first marker's disc reaches the second marker's disc. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/options.h"
#include "tasks/lra/pathfinder.h"
#include "tasks/lra/snakes.h"
#include "tasks/task.h"
#include "task_checks.h"
#include "testing.h"

#define PI 3.14159265358979323846

/* ---- hand-worked cases ---- */

static void check_geometry(void) {
    static const struct {
        double angle, s, c;
    } angles[] = {
        {0, 0, 1},
        {PI / 6, 0.5, 0.86602540378443865},
        {PI / 4, 0.70710678118654752, 0.70710678118654752},
        {PI / 2, 1, 0},
        {2.5, 0.59847214410395645, -0.80114361554693370},
        {-3.0, -0.14112000805986722, -0.98999249660044546},
        {7.0, 0.65698659871878906, 0.75390225434330471},
    };
    for (size_t i = 0; i < sizeof angles / sizeof angles[0]; i++) {
        double s, c;
        snakes_sincos(angles[i].angle, &s, &c);
        test_near(s, angles[i].s, 1e-15, "sin(%g)", angles[i].angle);
        test_near(c, angles[i].c, 1e-15, "cos(%g)", angles[i].angle);
    }
    static const struct {
        double a[4], b[4], distance;
        const char *what;
    } segments[] = {
        {{0, 0, 0, 4}, {2, 0, 2, 4}, 2, "parallel segments 2 apart"},
        {{0, 0, 4, 4}, {0, 4, 4, 0}, 0, "crossing diagonals"},
        {{0, 0, 0, 2}, {0, 5, 0, 9}, 3, "collinear, end to end"},
        {{0, 0, 0, 2}, {3, 6, 7, 6}, 5, "end point to end point (3-4-5)"},
        {{0, 0, 0, 10}, {1, 5, 4, 5}, 1, "end point onto the middle of the other"},
        {{1, 1, 1, 1}, {1, 4, 5, 4}, 3, "a point and a segment"},
    };
    for (size_t i = 0; i < sizeof segments / sizeof segments[0]; i++) {
        const double *a = segments[i].a, *b = segments[i].b;
        test_near(snakes_segment_distance(a[0], a[1], a[2], a[3], b[0], b[1], b[2], b[3]), segments[i].distance,
                  1e-12, "segment distance: %s", segments[i].what);
    }
    test_near(snakes_separation(1, 2), 1 + sqrt(2.0) / 2 + 1.0 / 16, 1e-12,
              "separation at margin 1, antialias 2: the 4-neighbour floor");
    test_near(snakes_separation(3, 2), 5, 1e-12, "separation at margin 3: 2 x margin - 1");
}

/* ---- the flood fill ---- */

typedef struct fill_input {
    int size, jump;                /* jump: same-contour reach, pixels (Chebyshev) */
    const uint8_t *contour_mask[2]; /* (size²) */
    const float *disc[2];          /* (size²) */
} fill_input;

/* 1 when the second disc is reached from the first, 0 otherwise. */
static int flood_fill(const fill_input *in) {
    const int n = in->size * in->size;
    uint8_t *seen = calloc((size_t)n, 1);
    int *queue = malloc((size_t)n * sizeof *queue);
    int head = 0, tail = 0, reached = 0;
    for (int p = 0; p < n; p++)
        if (in->disc[0][p] > 0) seen[p] = 1, queue[tail++] = p;
    while (head < tail && !reached) {
        const int p = queue[head++], y = p / in->size, x = p % in->size;
        if (in->disc[1][p] > 0) reached = 1;
        static const int step[4][2] = {{-1, 0}, {1, 0}, {0, -1}, {0, 1}};
        for (int k = 0; k < 4; k++) {
            const int qy = y + step[k][0], qx = x + step[k][1];
            if (qy < 0 || qx < 0 || qy >= in->size || qx >= in->size) continue;
            const int q = qy * in->size + qx;
            const int node = in->contour_mask[0][q] || in->contour_mask[1][q] || in->disc[0][q] > 0 ||
                             in->disc[1][q] > 0;
            if (node && !seen[q]) seen[q] = 1, queue[tail++] = q;
        }
        for (int c = 0; c < 2; c++) {
            if (!in->contour_mask[c][p]) continue;
            for (int qy = y - in->jump; qy <= y + in->jump; qy++)
                for (int qx = x - in->jump; qx <= x + in->jump; qx++) {
                    if (qy < 0 || qx < 0 || qy >= in->size || qx >= in->size) continue;
                    const int q = qy * in->size + qx;
                    if (in->contour_mask[c][q] && !seen[q]) seen[q] = 1, queue[tail++] = q;
                }
        }
    }
    free(seen);
    free(queue);
    return reached;
}

/* The fill itself on drawn 8×8 cases, so that it is known to say "no" as well. */
static void check_flood_fill(void) {
    static const struct {
        const char *rows[8];
        int joined;
        const char *what;
    } cases[] = {
        /* a, b: pixels of contours 0 and 1; 1, 2: the two discs */
        {{"1a......", ".a......", ".a..aa..", "....a...", "....a2..", "........", "bbbb....", "........"}, 1,
         "a contour with a 3-pixel gap joins the discs"},
        {{"1a......", ".a......", ".a......", ".b......", ".b2.....", "........", "........", "........"}, 1,
         "pixels of two contours that are 4-neighbours join (so the renderer keeps them apart)"},
        {{"1a......", ".a......", "..b.....", "..b2....", "........", "........", "........", "........"}, 0,
         "pixels of two contours that touch only diagonally stay apart"},
        {{"1aa.....", "........", "........", "........", "........", "........", "aa2.....", "........"}, 1,
         "a gap of 6 rows along one contour is within reach 6"},
        {{"1aa.....", "........", "........", "........", "........", "........", "........", "aa2....."}, 0,
         "a gap of 7 rows is beyond reach 6"},
        {{"1a...b2.", "........", "........", "........", "........", "........", "........", "........"}, 0,
         "a gap is never jumped from one contour to another"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        uint8_t mask[2][64] = {{0}};
        float disc[2][64] = {{0}};
        for (int p = 0; p < 64; p++) {
            const char ch = cases[k].rows[p / 8][p % 8];
            if (ch == 'a') mask[0][p] = 1;
            if (ch == 'b') mask[1][p] = 1;
            if (ch == '1') disc[0][p] = 1;
            if (ch == '2') disc[1][p] = 1;
        }
        const fill_input in = {8, 6, {mask[0], mask[1]}, {disc[0], disc[1]}};
        const int got = flood_fill(&in);
        test_check(got == cases[k].joined, cases[k].what, "fill says %d, expected %d", got, cases[k].joined);
    }
}

/* ---- generated scenes ---- */

typedef struct scene_stats {
    int images, labels[2], disagree, wrong_dashes, wrong_markers, uncovered, not_full_range, too_many;
    double worst_radius_error, worst_reach;
    double closest[2]; /* least marker distance minus 2r + separation, per label */
} scene_stats;

static void check_resolution(int resolution, int count) {
    opt_set set;
    task_defaults(&set, "lra/pathfinder");
    task_option(&set, "resolution")->i = resolution;
    snakes_params p;
    error_info err = {0};
    if (!test_check(pathfinder_params(&set, &p, &err) == 0, "parameters of the preset", "%s", err.message)) return;
    const int n = p.size * p.size;
    uint8_t *grey = malloc((size_t)n), *masks = malloc(2 * (size_t)n);
    float *covers = malloc(2 * (size_t)n * sizeof *covers);
    snakes_scene scene = {.target_mask = {masks, masks + n}, .marker_cover = {covers, covers + n}};
    scene_stats st = {.closest = {1e9, 1e9}};
    const clock_t start = clock();
    for (int i = 0; i < count; i++) {
        int label = -1;
        if (pathfinder_generate(&p, 5, SPLIT_TRAIN, i, grey, &label, &scene, &err) != 0) {
            test_check(false, "image generated", "%s", err.message);
            break;
        }
        st.images++;
        st.labels[label]++;
        const fill_input in = {p.size, 2 * scene.margin + 3, {masks, masks + n}, {covers, covers + n}};
        if (flood_fill(&in) != label) st.disagree++;
        if (scene.dashes[0] != p.contour_length || scene.dashes[1] != p.contour_length) st.wrong_dashes++;
        for (int c = 2; c < scene.n_contours; c++)
            if (scene.dashes[c] != p.contour_length / 3) st.wrong_dashes++;
        if (scene.n_contours - 2 > p.distractors) st.too_many++;
        if ((scene.marker_contour[0] == scene.marker_contour[1]) != (label == 1)) st.wrong_markers++;
        const double my = scene.marker_y[0] - scene.marker_y[1], mx = scene.marker_x[0] - scene.marker_x[1];
        const double room = sqrt(my * my + mx * mx) - 2 * p.marker_radius - snakes_separation(scene.margin, p.antialias);
        st.closest[label] = room < st.closest[label] ? room : st.closest[label];
        int brightest = 0;
        for (int q = 0; q < n; q++) {
            brightest = grey[q] > brightest ? grey[q] : brightest;
            if ((masks[q] || masks[n + q] || covers[q] > 0 || covers[n + q] > 0) && grey[q] == 0) st.uncovered++;
        }
        if (brightest != 255) st.not_full_range++;
        for (int k = 0; k < 2; k++) { /* the disc as drawn: its area and its reach */
            double area = 0;
            for (int q = 0; q < n; q++) {
                const float c = covers[k * n + q];
                if (c <= 0) continue;
                area += c;
                const double dy = q / p.size - scene.marker_y[k], dx = q % p.size - scene.marker_x[k];
                const double reach = sqrt(dy * dy + dx * dx) - p.marker_radius;
                st.worst_reach = reach > st.worst_reach ? reach : st.worst_reach;
            }
            const double error = fabs(sqrt(area / PI) - p.marker_radius);
            st.worst_radius_error = error > st.worst_radius_error ? error : st.worst_radius_error;
        }
    }
    printf("resolution %d: %d images, labels %d / %d, %.3f ms per image with the scene\n", resolution, st.images,
           st.labels[0], st.labels[1], 1000.0 * (double)(clock() - start) / CLOCKS_PER_SEC / (st.images ? st.images : 1));
    char what[300];
    snprintf(what, sizeof what,
             "resolution %d: the label agrees with the flood fill (4-neighbours, same-contour gaps) in %d images "
             "(%d disagree)",
             resolution, st.images, st.disagree);
    test_check(st.images == count && st.disagree == 0, what, "%d disagree", st.disagree);
    snprintf(what, sizeof what, "resolution %d: targets have %d dashes, distractors %d (%d contours differ)",
             resolution, p.contour_length, p.contour_length / 3, st.wrong_dashes);
    test_check(st.wrong_dashes == 0, what, "%d differ", st.wrong_dashes);
    snprintf(what, sizeof what, "resolution %d: at most %d distractors (%d images over)", resolution, p.distractors,
             st.too_many);
    test_check(st.too_many == 0, what, "%d over", st.too_many);
    snprintf(what, sizeof what, "resolution %d: markers on one target exactly when the label is 1 (%d not)",
             resolution, st.wrong_markers);
    test_check(st.wrong_markers == 0, what, "%d not", st.wrong_markers);
    snprintf(what, sizeof what,
             "resolution %d: markers keep 2 x radius + separation apart under either label (closest: %.2f and %.2f "
             "beyond)",
             resolution, st.closest[0], st.closest[1]);
    test_check(st.closest[0] >= 0 && st.closest[1] >= 0, what, "%.2f, %.2f", st.closest[0], st.closest[1]);
    snprintf(what, sizeof what,
             "resolution %d: measured marker radius sqrt(area / pi) within 0.12 of %g (worst error %.3f)", resolution,
             p.marker_radius, st.worst_radius_error);
    test_check(st.worst_radius_error <= 0.12, what, "worst %.3f", st.worst_radius_error);
    snprintf(what, sizeof what,
             "resolution %d: no marker pixel lies farther than radius + 0.354 from its centre (worst %.3f past "
             "the radius)",
             resolution, st.worst_reach);
    test_check(st.worst_reach <= 0.3536, what, "worst %.3f", st.worst_reach);
    snprintf(what, sizeof what,
             "resolution %d: every pixel a target or marker covers is drawn (grey > 0) (%d are not), brightest "
             "pixel 255 (%d images not)",
             resolution, st.uncovered, st.not_full_range);
    test_check(st.uncovered == 0 && st.not_full_range == 0, what, "%d, %d", st.uncovered, st.not_full_range);
    free(grey);
    free(masks);
    free(covers);
}

/* ---- the task interface ---- */

static void check_info(const task_under_test *in, int side) {
    const task_info *info = &in->info;
    char what[300];
    snprintf(what, sizeof what,
             "%s info: vocab %d, classes %d, max_length %d, image side %d, pad %d, cls %d, class output, version %s",
             in->ops->name, info->vocab_size, info->n_classes, info->max_length, info->image_side, info->pad_token,
             info->cls_token, info->version);
    test_check(info->vocab_size == 258 && info->n_classes == 2 && info->max_length == side * side &&
                   info->image_side == side && info->max_outputs == 1 && info->pad_token == 0 &&
                   info->cls_token == 1 && info->output == TASK_OUTPUT_CLASS && strcmp(info->version, "1") == 0,
               what, "unexpected info");
    int bad = 0;
    for (int g = 0; g < 256; g++) {
        char name[8];
        snprintf(name, sizeof name, "%d", g);
        if (strcmp(info->token_names[TASK_GREY_TOKEN0 + g], name) != 0) bad++;
    }
    snprintf(what, sizeof what, "%s token names: id g + 2 is \"g\" for every grey level (%d wrong)", in->ops->name,
             bad);
    test_check(bad == 0, what, "%d wrong", bad);
}

/* The task's example is the rendered image, grey g as token g + 2, and the label. */
static void check_example_is_render(const task_under_test *in) {
    opt_set set;
    task_defaults(&set, in->ops->name);
    snakes_params p;
    error_info err = {0};
    pathfinder_params(&set, &p, &err);
    example ex;
    example_alloc(&ex, &in->info);
    uint8_t *grey = malloc((size_t)p.size * p.size);
    int differ = 0, out_of_range = 0;
    for (int i = 0; i < 20; i++) {
        int label = -1;
        task_under_test_example(in, 9, SPLIT_TEST, i, &ex);
        pathfinder_generate(&p, 9, SPLIT_TEST, i, grey, &label, NULL, &err);
        for (int t = 0; t < ex.length; t++) {
            if (ex.tokens[t] != TASK_GREY_TOKEN0 + grey[t]) differ++;
            if (ex.tokens[t] < TASK_GREY_TOKEN0 || ex.tokens[t] > 257) out_of_range++;
        }
        if (ex.length != p.size * p.size || ex.targets[0] != label || ex.n_outputs != 1 || ex.target_mask[0] != 1)
            differ++;
    }
    char what[200];
    snprintf(what, sizeof what,
             "%s: 20 examples are the rendered images as tokens 2..257 with their labels (%d differ, %d out of range)",
             in->ops->name, differ, out_of_range);
    test_check(differ == 0 && out_of_range == 0, what, "%d, %d", differ, out_of_range);
    free(grey);
    example_free(&ex);
}

/* Labels balanced over 2,000 training examples. */
static void check_labels(const task_under_test *in) {
    enum { LABELLED = 2000 };
    example ex;
    example_alloc(&ex, &in->info);
    char what[200];
    int ones = 0;
    for (int i = 0; i < LABELLED; i++) {
        task_under_test_example(in, 1, SPLIT_TRAIN, i, &ex);
        ones += ex.targets[0] == 1;
    }
    printf("labels of %d training examples: %d x 0, %d x 1\n", LABELLED, LABELLED - ones, ones);
    snprintf(what, sizeof what, "label 1 share %.3f in [0.46, 0.54] over %d examples", (double)ones / LABELLED,
             LABELLED);
    test_check(ones >= 0.46 * LABELLED && ones <= 0.54 * LABELLED, what, "%d ones", ones);
    example_free(&ex);
}

/* ---- errors ---- */

static void expect_init_error(const char *what, const char *needle, void (*set_up)(opt_set *)) {
    opt_set set;
    task_defaults(&set, "lra/pathfinder");
    set_up(&set);
    const task_ops *ops = task_find("lra/pathfinder");
    void *state = NULL;
    task_info info;
    error_info err = {0};
    const int rc = ops->init(&state, &set, &info, &err);
    char line[1400];
    snprintf(line, sizeof line, "%s: status 2, \"%s\"", what, rc ? err.message : "(no error)");
    test_check(rc == -1 && err.status == EXIT_USAGE && strstr(err.message, needle), line, "expected \"%s\"", needle);
    if (rc == 0) ops->free(state);
}

static void custom_side(opt_set *set) { task_option(set, "resolution")->i = 48; }
static void far_seeds(opt_set *set) { task_option(set, "seed_distance")->i = 8; }
static void close_seeds(opt_set *set) { task_option(set, "seed_distance")->i = 4; }
static void wide_padding(opt_set *set) { task_option(set, "padding")->i = 15; }
static void many_margins(opt_set *set) {
    opt_value *m = task_option(set, "margin");
    m->n_list = 5;
    for (int k = 0; k < 5; k++) m->list[k] = 1;
}

static void check_errors(void) {
    expect_init_error("resolution 48 without the dash options", "task.paddle_length: must be set when task.resolution is 48",
                      custom_side);
    expect_init_error("seed_distance 8 at 32 pixels", "task.seed_distance: the first target starts at least 2 x 8",
                      far_seeds);
    expect_init_error("seed_distance 4 at 32 pixels", "task.seed_distance: 4 would let the two starting markers touch",
                      close_seeds);
    expect_init_error("padding 15 at 32 pixels", "task.padding: a border of 15 pixels", wide_padding);
    expect_init_error("five margins", "task.margin: at most 4 values", many_margins);

    /* contours of 64 dashes never fit 32 pixels: a bounded search, then an error */
    opt_set set;
    task_defaults(&set, "lra/pathfinder");
    task_option(&set, "contour_length")->i = 64;
    task_under_test in;
    error_info err = {0};
    if (!test_check(task_under_test_init(&in, "lra/pathfinder", &set, &err) == 0, "init contour_length 64 succeeds", "%s",
                    err.message))
        return;
    example ex;
    example_alloc(&ex, &in.info);
    example_request request = {.seed = 0, .split = SPLIT_TRAIN, .index = 0};
    const int rc = in.ops->example(in.state, &request, &ex, &err);
    char what[1400];
    snprintf(what, sizeof what, "contour_length 64 at 32 pixels fails with status 2: \"%s\"",
             rc ? err.message : "(no error)");
    test_check(rc == -1 && err.status == EXIT_USAGE && strstr(err.message, "task.contour_length"), what,
               "expected an error naming task.contour_length");
    example_free(&ex);
    task_under_test_free(&in);
}

int main(void) {
    check_geometry();
    check_flood_fill();
    static const struct {
        int resolution, count;
    } sizes[] = {{32, 500}, {64, 500}, {128, 500}, {256, 500}};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) check_resolution(sizes[k].resolution, sizes[k].count);
    static const struct {
        const char *task;
        int side;
    } tasks[] = {{"lra/pathfinder", 32}, {"lra/pathx", 128}};
    for (size_t k = 0; k < 2; k++) {
        task_under_test in;
        error_info err = {0};
        opt_set set;
        task_defaults(&set, tasks[k].task);
        if (!test_check(task_find(tasks[k].task) != NULL, "registry finds the task", "%s missing", tasks[k].task) ||
            !test_check(task_under_test_init(&in, tasks[k].task, &set, &err) == 0, "init at defaults", "%s", err.message))
            continue;
        check_info(&in, tasks[k].side);
        check_example_is_render(&in);
        if (tasks[k].side == 32) check_labels(&in);
        task_under_test_free(&in);
    }
    check_errors();
    return test_finish("test_pathfinder");
}
