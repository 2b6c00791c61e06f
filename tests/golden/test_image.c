/* test_image.c — LRA Image, generated: hand-drawn shapes against their definitions,
 * painting against the point test, well-formed examples at several sides, balanced
 * labels, two-level images with equal shape areas when the nuisances are off, local
 * statistics that do not predict the class (and a global shape statistic that does),
 * and option errors. Purity, disjoint splits and the golden hash: test_task_registry. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/options.h"
#include "core/rng.h"
#include "tasks/lra/image.h"
#include "tasks/task.h"
#include "task_checks.h"
#include "testing.h"

#define PI 3.14159265358979323846

static const char *const class_names[IMAGE_CLASSES] = {
    "disk", "ring", "square", "square outline", "triangle", "plus", "cross", "horizontal bar", "vertical bar", "two dots",
};

/* The task at default options with side replaced (0: keep the default) and
 * data_dir set when not NULL. */
static int instance_init(task_under_test *in, int side, const char *data_dir, error_info *err) {
    opt_set set;
    task_defaults(&set, "lra/image");
    if (side) task_option(&set, "side")->i = side;
    if (data_dir) snprintf(task_option(&set, "data_dir")->s, OPT_STRING_MAX, "%s", data_dir);
    return task_under_test_init(in, "lra/image", &set, err);
}

/* One hand-placed shape on a 16×16 image: pixels (row, col) that must be painted, pixels
 * that must not, and how many are painted in all (-1: not counted). */
typedef struct shape_case {
    const char *what;
    image_shape shape;
    int inside[4][2];
    int outside[4][2];
    int painted;
} shape_case;

static void check_hand_drawn(void) {
    /* pixel (row, col) is sampled at (col + 0.5, row + 0.5); the image spans [0, 16] */
    static const shape_case cases[] = {
        {"disk r 3 at (8, 8): the 6×6 centres around it but the 4 corners", {IMAGE_DISK, 8, 8, 0, 3, 0}, {{8, 8}, {8, 10}, {5, 8}, {7, 5}},
         {{8, 11}, {4, 8}, {5, 5}, {0, 0}}, 32},
        {"ring 2..4 at (8, 8): the hole is empty", {IMAGE_RING, 8, 8, 0, 4, 2}, {{8, 10}, {8, 11}, {5, 8}, {4, 7}},
         {{8, 8}, {7, 7}, {8, 12}, {11, 11}}, -1},
        {"square half side 2 at (8, 8): rows and columns 6..9", {IMAGE_SQUARE, 8, 8, 0, 2, 0},
         {{6, 6}, {9, 9}, {6, 9}, {9, 6}}, {{5, 6}, {10, 9}, {6, 10}, {8, 5}}, 16},
        {"square half side 3 turned 45°: a diamond |dx| + |dy| <= 4.24", {IMAGE_SQUARE, 8, 8, PI / 4, 3, 0},
         {{8, 11}, {8, 4}, {5, 7}, {9, 9}}, {{10, 10}, {5, 5}, {8, 12}, {12, 8}}, -1},
        {"square outline 2..4 at (8, 8): 8×8 minus the 4×4 hole", {IMAGE_SQUARE_OUTLINE, 8, 8, 0, 4, 2},
         {{4, 4}, {11, 11}, {5, 8}, {8, 10}}, {{8, 8}, {6, 6}, {3, 8}, {8, 12}}, 48},
        {"triangle R 6 pointing up: apex (8, 2), base y = 11", {IMAGE_TRIANGLE, 8, 8, PI / 2, 6, 0},
         {{10, 8}, {3, 7}, {10, 4}, {10, 12}}, {{2, 7}, {2, 8}, {11, 8}, {3, 6}}, -1},
        {"plus arms 10×2 at (8, 8): 20 + 20 − 4", {IMAGE_PLUS, 8, 8, 0, 5, 1}, {{7, 3}, {8, 12}, {3, 8}, {12, 7}},
         {{6, 3}, {3, 6}, {4, 4}, {8, 13}}, 36},
        {"cross: the plus turned 45°", {IMAGE_CROSS, 8, 8, PI / 4, 5, 1}, {{5, 10}, {10, 10}, {10, 5}, {5, 5}},
         {{8, 11}, {8, 12}, {4, 8}, {12, 8}}, -1},
        {"horizontal bar 12.4×3.2 at (8, 8): rows 6..9, columns 2..13", {IMAGE_HBAR, 8, 8, 0, 6.2, 1.6},
         {{6, 2}, {9, 13}, {8, 8}, {7, 3}}, {{5, 8}, {10, 8}, {8, 1}, {8, 14}}, 48},
        {"vertical bar: the same turned 90°", {IMAGE_VBAR, 8, 8, PI / 2, 6.2, 1.6}, {{2, 6}, {13, 9}, {8, 8}, {3, 7}},
         {{8, 5}, {8, 10}, {1, 8}, {14, 8}}, 48},
        {"two dots r 2 at (4, 8) and (12, 8)", {IMAGE_TWO_DOTS, 8, 8, 0, 2, 4}, {{7, 11}, {8, 12}, {7, 3}, {8, 4}},
         {{8, 8}, {7, 7}, {4, 4}, {8, 15}}, 24},
        {"two dots turned 90°: at (8, 4) and (8, 12)", {IMAGE_TWO_DOTS, 8, 8, PI / 2, 2, 4}, {{3, 7}, {4, 8}, {11, 7}, {12, 8}},
         {{8, 8}, {7, 3}, {7, 11}, {0, 8}}, 24},
    };
    enum { SIDE = 16, BACKGROUND = 50, FOREGROUND = 200 };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const shape_case *c = &cases[i];
        uint8_t pixels[SIDE * SIDE];
        memset(pixels, BACKGROUND, sizeof pixels);
        image_paint_shape(&c->shape, SIDE, FOREGROUND, pixels);
        int wrong = 0, painted = 0;
        for (int k = 0; k < 4; k++) {
            wrong += pixels[c->inside[k][0] * SIDE + c->inside[k][1]] != FOREGROUND;
            wrong += pixels[c->outside[k][0] * SIDE + c->outside[k][1]] != BACKGROUND;
        }
        for (int p = 0; p < SIDE * SIDE; p++) painted += pixels[p] == FOREGROUND;
        char what[256];
        snprintf(what, sizeof what, "%s: 4 pixels in, 4 out (%d wrong)", c->what, wrong);
        test_check(wrong == 0, what, "%d wrong", wrong);
        if (c->painted >= 0) {
            snprintf(what, sizeof what, "%s: %d pixels painted (got %d)", c->what, c->painted, painted);
            test_check(painted == c->painted, what, "got %d", painted);
        }
    }
    const image_shape disk = {IMAGE_DISK, 8, 8, 0, 3, 0};
    test_check(image_shape_contains(&disk, 11, 8) && !image_shape_contains(&disk, 11.01, 8),
               "the disk's edge belongs to it: (11, 8) in, (11.01, 8) out", NULL);
}

/* Painting only looks at the bounding box of each shape: it must agree with the point
 * test on every pixel, for shapes anywhere, partly outside the image included. */
static void check_paint_matches_contains(void) {
    enum { SIDE = 24, SHAPES = 400 };
    rng r;
    rng_seed(&r, 12345);
    int disagree = 0;
    for (int i = 0; i < SHAPES; i++) {
        image_shape shape = {
            .kind = (enum image_class)(i % IMAGE_CLASSES),
            .cx = -4 + 32 * rng_uniform(&r),
            .cy = -4 + 32 * rng_uniform(&r),
            .angle = 2 * PI * rng_uniform(&r),
            .size = 1 + 8 * rng_uniform(&r),
        };
        shape.inner = shape.size * (0.2 + 0.6 * rng_uniform(&r));
        if (shape.kind == IMAGE_TWO_DOTS) shape.inner = shape.size * (1 + 2 * rng_uniform(&r));
        uint8_t pixels[SIDE * SIDE] = {0};
        image_paint_shape(&shape, SIDE, 1, pixels);
        for (int row = 0; row < SIDE; row++)
            for (int col = 0; col < SIDE; col++)
                disagree += pixels[row * SIDE + col] != image_shape_contains(&shape, col + 0.5, row + 0.5);
    }
    char what[160];
    snprintf(what, sizeof what, "%d random shapes: painted pixels equal the point test (%d differ)", SHAPES, disagree);
    test_check(disagree == 0, what, "%d differ", disagree);
}

static void check_info(const task_info *info) {
    char what[256];
    snprintf(what, sizeof what,
             "info: vocab %d, classes %d, max_length %d, image side %d, outputs %d, pad %d, cls %d, class output, "
             "version %s",
             info->vocab_size, info->n_classes, info->max_length, info->image_side, info->max_outputs,
             info->pad_token, info->cls_token, info->version);
    test_check(info->vocab_size == 258 && info->n_classes == 10 && info->max_length == 1024 && info->image_side == 32 &&
                   info->max_outputs == 1 && info->pad_token == 0 && info->cls_token == 1 &&
                   info->output == TASK_OUTPUT_CLASS &&
                   strcmp(info->version, "1") == 0,
               what, "unexpected info");
    int bad = 0;
    for (int g = 0; g < 256; g++) {
        char expected[8];
        snprintf(expected, sizeof expected, "%d", g);
        bad += strcmp(info->token_names[IMAGE_GREY0 + g], expected) != 0;
    }
    snprintf(what, sizeof what, "token names: <pad>, <cls>, then \"0\"..\"255\" for ids 2..257 (%d wrong)", bad);
    test_check(bad == 0 && strcmp(info->token_names[0], "<pad>") == 0 && strcmp(info->token_names[1], "<cls>") == 0,
               what, "%d wrong", bad);
}

/* Every example is side² tokens, all grey levels, one scored target in 0..9. */
static void check_well_formed(int side) {
    task_under_test in;
    error_info err = {0};
    if (instance_init(&in, side, NULL, &err) != 0) {
        test_check(false, "init", "%s", err.message);
        return;
    }
    example ex;
    example_alloc(&ex, &in.info);
    int bad = 0, n = 200, lo = 255, hi = 0;
    for (int i = 0; i < n; i++) {
        if (task_under_test_example(&in, 5, (enum task_split)(i % 3), i, &ex) != 0) break;
        bad += ex.length != side * side || ex.n_outputs != 1 || ex.target_mask[0] != 1 || ex.targets[0] < 0 ||
               ex.targets[0] > 9;
        for (int t = 0; t < ex.length; t++) {
            const int grey = ex.tokens[t] - IMAGE_GREY0;
            if (grey < 0 || grey > 255) bad++;
            if (grey < lo) lo = grey;
            if (grey > hi) hi = grey;
        }
    }
    char what[200];
    snprintf(what, sizeof what,
             "side %d: %d examples of %d tokens, ids 2..257 (grey %d..%d seen), one target 0..9 (%d faults)", side, n,
             side * side, lo, hi, bad);
    test_check(bad == 0 && in.info.max_length == side * side && in.info.image_side == side && lo == 0 && hi == 255,
               what, "%d faults", bad);
    example_free(&ex);
    task_under_test_free(&in);
}

/* Without texture, noise and clutter an image has exactly two grey levels at least
 * `contrast` apart (at 255, black and white), and the shape (the rarer level) covers
 * 8–12 % of it whatever the class, give or take the pixels its edge crosses. */
static void check_plain_images(int contrast) {
    enum { N = 1000, SIDE = 32 };
    const image_options options = {.side = SIDE, .contrast = contrast, .texture = 0, .noise = 0, .clutter = 0};
    uint8_t pixels[SIDE * SIDE];
    double share_sum[IMAGE_CLASSES] = {0}, lo = 1, hi = 0;
    int counts[IMAGE_CLASSES] = {0}, bad_levels = 0;
    for (int i = 0; i < N; i++) {
        const int label = image_render(&options, 9, SPLIT_TRAIN, i, pixels);
        int histogram[256] = {0}, levels[3], n_levels = 0;
        for (int p = 0; p < SIDE * SIDE; p++) histogram[pixels[p]]++;
        for (int g = 0; g < 256; g++)
            if (histogram[g] && n_levels < 3) levels[n_levels++] = g;
        if (n_levels != 2 || levels[1] - levels[0] < contrast) {
            bad_levels++;
            continue;
        }
        const int rarer = histogram[levels[0]] < histogram[levels[1]] ? histogram[levels[0]] : histogram[levels[1]];
        const double share = (double)rarer / (SIDE * SIDE);
        share_sum[label] += share;
        counts[label]++;
        lo = share < lo ? share : lo;
        hi = share > hi ? share : hi;
    }
    char what[200];
    snprintf(what, sizeof what, "texture, noise, clutter 0: %d images with 2 grey levels >= %d apart (%d not)", N,
             contrast, bad_levels);
    test_check(bad_levels == 0, what, "%d not", bad_levels);
    printf("shape area by class:");
    for (int c = 0; c < IMAGE_CLASSES; c++) printf(" %s %.3f", class_names[c], share_sum[c] / (counts[c] ? counts[c] : 1));
    printf("\n");
    snprintf(what, sizeof what, "shape area between 0.07 and 0.13 of the image in every image (%.3f..%.3f)", lo, hi);
    test_check(lo >= 0.07 && hi <= 0.13, what, "%.3f..%.3f", lo, hi);
}

/* 10,000 training labels: every class within 1.5 points of 10 %. */
static void check_labels(const task_under_test *in) {
    enum { N = 10000 };
    example ex;
    example_alloc(&ex, &in->info);
    int counts[IMAGE_CLASSES] = {0};
    for (int i = 0; i < N; i++) {
        if (task_under_test_example(in, 11, SPLIT_TRAIN, i, &ex) != 0) break;
        counts[ex.targets[0]]++;
    }
    printf("labels over %d examples:", N);
    for (int c = 0; c < IMAGE_CLASSES; c++) printf(" %d (%s): %.1f%%", c, class_names[c], 100.0 * counts[c] / N);
    printf("\n");
    for (int c = 0; c < IMAGE_CLASSES; c++) {
        const double share = (double)counts[c] / N;
        char what[160];
        snprintf(what, sizeof what, "class %d (%s) share %.3f in [0.085, 0.115]", c, class_names[c], share);
        test_check(share >= 0.085 && share <= 0.115, what, "share %.3f", share);
    }
    example_free(&ex);
}

/* Features of one image (side², grey levels) into f; returns how many. */
typedef int (*feature_fn)(const uint8_t *pixels, int side, double *f);

enum { FEATURES_MAX = 16 };

static int mean_grey(const uint8_t *pixels, int side, double *f) {
    double sum = 0;
    for (int p = 0; p < side * side; p++) sum += pixels[p];
    f[0] = sum / (side * side);
    return 1;
}

static int corner_histogram(const uint8_t *pixels, int side, double *f) {
    for (int b = 0; b < 8; b++) f[b] = 0;
    for (int row = 0; row < 4; row++)
        for (int col = 0; col < 4; col++) f[pixels[row * side + col] / 32] += 1.0 / 16;
    return 8;
}

static int image_histogram(const uint8_t *pixels, int side, double *f) {
    for (int b = 0; b < 16; b++) f[b] = 0;
    for (int p = 0; p < side * side; p++) f[pixels[p] / 16] += 1.0 / (side * side);
    return 16;
}

/* Pixels further than 45 levels from the image's median grey: the shape, mostly. */
static int far_from_median(const uint8_t *pixels, int side, bool *far) {
    int histogram[256] = {0}, median = 0, below = 0, count = 0;
    for (int p = 0; p < side * side; p++) histogram[pixels[p]]++;
    while (below + histogram[median] <= side * side / 2) below += histogram[median++];
    for (int p = 0; p < side * side; p++) count += far[p] = abs(pixels[p] - median) > 45;
    return count;
}

static int foreground_share(const uint8_t *pixels, int side, double *f) {
    bool far[IMAGE_SIDE_MAX * IMAGE_SIDE_MAX];
    f[0] = (double)far_from_median(pixels, side, far) / (side * side);
    return 1;
}

/* Second moments of the far-from-median pixels about their centroid, over the squared
 * count: elongation and orientation, a global shape statistic. */
static int shape_moments(const uint8_t *pixels, int side, double *f) {
    bool far[IMAGE_SIDE_MAX * IMAGE_SIDE_MAX];
    const double n = far_from_median(pixels, side, far) + 1e-9;
    double mx = 0, my = 0, xx = 0, yy = 0, xy = 0;
    for (int p = 0; p < side * side; p++)
        if (far[p]) mx += p % side, my += p / side;
    mx /= n, my /= n;
    for (int p = 0; p < side * side; p++)
        if (far[p]) {
            const double dx = p % side - mx, dy = p / side - my;
            xx += dx * dx, yy += dy * dy, xy += dx * dy;
        }
    f[0] = xx / (n * n), f[1] = yy / (n * n), f[2] = xy / (n * n);
    return 3;
}

/* Nearest class mean (features scaled by their pooled within-class deviation), fitted
 * on the first N training images and scored on the first N eval images. */
static double nearest_class_mean(const uint8_t *train, const int *train_labels, const uint8_t *eval,
                                 const int *eval_labels, int n, int side, feature_fn features) {
    double means[IMAGE_CLASSES][FEATURES_MAX] = {{0}}, spread[FEATURES_MAX] = {0}, f[FEATURES_MAX];
    int counts[IMAGE_CLASSES] = {0}, nf = 0;
    for (int i = 0; i < n; i++) {
        nf = features(train + (size_t)i * side * side, side, f);
        counts[train_labels[i]]++;
        for (int j = 0; j < nf; j++) means[train_labels[i]][j] += f[j];
    }
    for (int c = 0; c < IMAGE_CLASSES; c++)
        for (int j = 0; j < nf; j++) means[c][j] /= counts[c] ? counts[c] : 1;
    for (int i = 0; i < n; i++) {
        features(train + (size_t)i * side * side, side, f);
        for (int j = 0; j < nf; j++) spread[j] += (f[j] - means[train_labels[i]][j]) * (f[j] - means[train_labels[i]][j]);
    }
    for (int j = 0; j < nf; j++) spread[j] = sqrt(spread[j] / n) + 1e-12;
    int correct = 0;
    for (int i = 0; i < n; i++) {
        features(eval + (size_t)i * side * side, side, f);
        int best = 0;
        double best_distance = INFINITY;
        for (int c = 0; c < IMAGE_CLASSES; c++) {
            double distance = 0;
            for (int j = 0; j < nf; j++) distance += pow((f[j] - means[c][j]) / spread[j], 2);
            if (distance < best_distance) best_distance = distance, best = c;
        }
        correct += best == eval_labels[i];
    }
    return (double)correct / n;
}

/* Simple statistics that ignore the arrangement of the pixels do no better than chance
 * (10 %); a global shape statistic does, so the classifier can tell when they would. */
static void check_local_statistics(void) {
    enum { N = 2000, SIDE = 32 };
    const image_options options = {.side = SIDE, .contrast = 80, .texture = 24, .noise = 12, .clutter = 3};
    uint8_t *train = malloc((size_t)N * SIDE * SIDE), *eval = malloc((size_t)N * SIDE * SIDE);
    int *train_labels = malloc(N * sizeof *train_labels), *eval_labels = malloc(N * sizeof *eval_labels);
    for (int i = 0; i < N; i++) {
        train_labels[i] = image_render(&options, 0, SPLIT_TRAIN, i, train + (size_t)i * SIDE * SIDE);
        eval_labels[i] = image_render(&options, 0, SPLIT_EVAL, i, eval + (size_t)i * SIDE * SIDE);
    }
    static const struct {
        const char *what;
        feature_fn features;
    } chance[] = {
        {"mean grey level", mean_grey},
        {"8-bin histogram of the top-left 4x4 patch", corner_histogram},
        {"16-bin histogram of the whole image", image_histogram},
        {"share of pixels > 45 levels from the median (shape area)", foreground_share},
    };
    for (size_t k = 0; k < sizeof chance / sizeof chance[0]; k++) {
        const double accuracy = nearest_class_mean(train, train_labels, eval, eval_labels, N, SIDE, chance[k].features);
        char what[200];
        snprintf(what, sizeof what, "nearest class mean on the %s: accuracy %.3f <= 0.15", chance[k].what, accuracy);
        test_check(accuracy <= 0.15, what, "accuracy %.3f", accuracy);
    }
    const double accuracy = nearest_class_mean(train, train_labels, eval, eval_labels, N, SIDE, shape_moments);
    char what[200];
    snprintf(what, sizeof what, "nearest class mean on second moments of the shape: accuracy %.3f >= 0.25", accuracy);
    test_check(accuracy >= 0.25, what, "accuracy %.3f", accuracy);
    free(train), free(eval), free(train_labels), free(eval_labels);
}

/* The option table's bounds, checked by the config loader, and the errors of init. */
static void check_option_errors(void) {
    const task_ops *ops = task_find("lra/image");
    static const struct {
        const char *name, *text;
        bool ok;
    } cases[] = {
        {"side", "16", true},   {"side", "64", true},     {"side", "15", false}, {"side", "65", false},
        {"noise", "0", true},   {"noise", "-1", false},   {"clutter", "16", true}, {"clutter", "17", false},
        {"contrast", "255", true}, {"contrast", "0", false}, {"contrast", "256", false}, {"texture", "0", true},
        {"texture", "65", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const opt_spec *spec = NULL;
        for (int k = 0; k < ops->n_options; k++)
            if (strcmp(ops->options[k].name, cases[i].name) == 0) spec = &ops->options[k];
        opt_value value = {0};
        error_info err = {0};
        const bool ok = spec && opt_parse_scalar(&value, spec, cases[i].text, &err) == 0;
        char what[1200];
        snprintf(what, sizeof what, "task.%s: \"%s\" is %s (%s)", cases[i].name, cases[i].text,
                 cases[i].ok ? "accepted" : "rejected", ok ? "accepted" : err.message);
        test_check(ok == cases[i].ok, what, "%s", ok ? "accepted" : err.message);
    }
    task_under_test in;
    error_info err = {0};
    int rc = instance_init(&in, 16, "/nonexistent", &err);
    char what[1200];
    snprintf(what, sizeof what, "side 16 with data_dir fails with status 2: \"%s\"", rc ? err.message : "(no error)");
    test_check(rc == -1 && err.status == EXIT_USAGE && strstr(err.message, "task.side") && strstr(err.message, "16"),
               what, "expected an error naming task.side");
    if (rc == 0) task_under_test_free(&in);
}

int main(void) {
    const task_ops *ops = task_find("lra/image");
    test_check(ops != NULL, "registry finds lra/image", "not registered");
    if (!ops) return test_finish("test_image");
    task_under_test in;
    error_info err = {0};
    if (instance_init(&in, 0, NULL, &err) != 0) {
        test_check(false, "init at defaults", "%s", err.message);
        return test_finish("test_image");
    }
    check_info(&in.info);
    check_hand_drawn();
    check_paint_matches_contains();
    check_well_formed(16);
    check_well_formed(32);
    check_well_formed(64);
    check_labels(&in);
    task_under_test_free(&in);
    check_plain_images(128);
    check_plain_images(200);
    check_plain_images(255);
    check_local_statistics();
    check_option_errors();
    return test_finish("test_image");
}
