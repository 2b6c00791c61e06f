/* pathfinder.c — LRA Pathfinder (lra/pathfinder, 32×32) and Path-X (lra/pathx, 128×128):
 * are the two marked tips on one contour?
 *
 * The images come from the snakes renderer (snakes.c). Its parameters are the
 * arguments of the LRA builders for pathfinder32/64/128/256 (long-range-arena
 * data/pathfinder.py on top of snakes2_wrapper.py's defaults): the preset of
 * `resolution`, each overridable by an option. `contour_length` picks the difficulty
 * level: 6, 9 and 14 are the released curv_baseline, curv_contour_length_9 and
 * curv_contour_length_14, and LRA uses 14; distractors are contour_length / 3 dashes
 * long and there are (dash budget of the resolution) / that many of them, integer
 * divisions as in the Python 2 wrapper. Target dashes of pathfinder32 are dimmer than
 * distractors (its builder sets snake contrast 2 and paddle contrast 0.75, and only the
 * targets take the paddle contrast). Other resolutions (a small version for quick
 * runs, say) have no preset: paddle_length, paddle_thickness, margin, marker_radius,
 * seed_distance, continuity and distractors must then be given, and the contrasts,
 * antialias and padding default to 1, 2 and 1.
 *
 * Example i of split s draws its label first, 50/50 (1: both markers on one target),
 * then the image, from the stream rng_key(seed, s, i, 0). The image is flattened
 * row-major and grey level g is token g + 2, so a black pixel is an ordinary token,
 * never padding. A requested length (length-generalisation protocol) is ignored.
 *
 * With `data_dir` set, the examples are instead the released PNGs
 * (pathfinder_data.c), which must be resolution × resolution; the generator options
 * are then unused. */
#include "tasks/lra/pathfinder.h"
#include "tasks/lra/pathfinder_data.h"

#include <stdlib.h>

#include "core/check.h"
#include "core/rng.h"

enum { PATHFINDER_VOCAB = TASK_GREY_VOCAB };

typedef struct preset {
    int resolution, paddle_length;
    double paddle_thickness;
    int margins[2], n_margins;
    double marker_radius;
    int seed_distance;
    double continuity;
    int distractor_dashes; /* num_distractor_snakes = this / distractor_length */
    double target_contrast, distractor_contrast;
    int antialias, padding;
} preset;

static const preset presets[] = {
    {32, 2, 0.5, {1, 0}, 1, 1.5, 7, 1.0, 20, 1.5, 2.0, 2, 1},
    {64, 5, 1.0, {1, 0}, 1, 2.5, 12, 1.8, 22, 0.8, 0.8, 2, 1},
    {128, 5, 1.5, {2, 3}, 2, 3.0, 20, 1.8, 35, 0.9, 0.9, 2, 1},
    {256, 5, 2.0, {3, 0}, 1, 5.0, 27, 1.8, 30, 1.0, 1.0, 2, 22},
};

#define SHARED_OPTIONS                                                                                          \
    {"contour_length", OPT_INT, "14", 3, 64, NULL,                                                              \
     "dashes per target contour; 6, 9 and 14 are the released levels (LRA: 14); distractors have a third"},     \
    {"distractors", OPT_INT, "-1", -1, SNAKES_DISTRACTORS_MAX, NULL,                                            \
     "distractor contours (-1: the resolution's 20, 22, 35 or 30 dashes / (contour_length / 3))"},              \
    {"paddle_length", OPT_INT, "0", 0, 64, NULL, "dash length in pixels (0: the resolution's 2, 5, 5 or 5)"},   \
    {"paddle_thickness", OPT_FLOAT, "0", 0, 16, NULL, "dash width in pixels (0: 0.5, 1, 1.5 or 2)"},           \
    {"margin", OPT_INT_LIST, "[]", 1, 16, NULL,                                                                 \
     "gap kept around dashes and markers, one value drawn per image ([]: [1], [1], [2, 3] or [3])"},            \
    {"marker_radius", OPT_FLOAT, "0", 0, 64, NULL, "marker disc radius in pixels (0: 1.5, 2.5, 3 or 5)"},     \
    {"seed_distance", OPT_INT, "0", 0, 1024, NULL,                                                              \
     "distance between the starting tips of the two targets (0: 7, 12, 20 or 27)"},                             \
    {"continuity", OPT_FLOAT, "0", 0, 100, NULL,                                                                \
     "turns between dashes stay under 90 degrees / continuity (0: 1, 1.8, 1.8 or 1.8)"},                        \
    {"target_contrast", OPT_FLOAT, "0", 0, 100, NULL,                                                           \
     "target dash intensity, markers being 1 (0: 1.5, 0.8, 0.9 or 1; 1 at other resolutions)"},                \
    {"distractor_contrast", OPT_FLOAT, "0", 0, 100, NULL,                                                       \
     "distractor dash intensity (0: 2, 0.8, 0.9 or 1; 1 at other resolutions)"},                                \
    {"antialias", OPT_INT, "0", 0, 8, NULL, "subsamples per pixel side (0: 2)"},                                \
    {"padding", OPT_INT, "-1", -1, 1024, NULL,                                                                  \
     "border ring no dash enters (-1: 1, 1, 1 or 22; 1 at other resolutions)"},                                 \
    {"data_dir", OPT_STRING, "", 0, 0, NULL,                                                                    \
     "read the released images (a curv_* directory with metadata/ and imgs/) instead of generating"}

static const opt_spec pathfinder_options[] = {
    {"resolution", OPT_INT, "32", 8, 1024, NULL,
     "image side, side² tokens; the other options default to the released values at 32, 64, 128 and 256, "
     "listed in that order, and must be set at other sides"},
    SHARED_OPTIONS,
};

static const opt_spec pathx_options[] = {
    {"resolution", OPT_INT, "128", 8, 1024, NULL,
     "image side, side² tokens; the other options default to the released values at 32, 64, 128 and 256, "
     "listed in that order, and must be set at other sides"},
    SHARED_OPTIONS,
};

typedef struct pathfinder_state {
    snakes_params params;
    pathfinder_data *data; /* the released images, or NULL to generate */
} pathfinder_state;

static int unset(const char *option, int resolution, error_info *err) {
    return error_set(err, EXIT_USAGE,
                     "task.%s: must be set when task.resolution is %d (the released parameters exist for "
                     "32, 64, 128 and 256)",
                     option, resolution);
}

int pathfinder_params(const opt_set *options, snakes_params *out, error_info *err) {
    const int size = (int)opt_int(options, "resolution");
    const preset *base = NULL;
    for (size_t i = 0; i < sizeof presets / sizeof presets[0]; i++)
        if (presets[i].resolution == size) base = &presets[i];
    snakes_params p = {.size = size, .contour_length = (int)opt_int(options, "contour_length")};
    p.distractor_length = p.contour_length / 3;

    p.paddle_length = (int)opt_int(options, "paddle_length");
    if (!p.paddle_length && !base) return unset("paddle_length", size, err);
    if (!p.paddle_length) p.paddle_length = base->paddle_length;
    p.paddle_thickness = opt_float(options, "paddle_thickness");
    if (!p.paddle_thickness && !base) return unset("paddle_thickness", size, err);
    if (!p.paddle_thickness) p.paddle_thickness = base->paddle_thickness;
    const opt_value *margin = opt_get(options, "margin");
    if (margin->n_list > SNAKES_MARGINS_MAX)
        return error_set(err, EXIT_USAGE, "task.margin: at most %d values (got %d)", SNAKES_MARGINS_MAX,
                         margin->n_list);
    if (!margin->n_list && !base) return unset("margin", size, err);
    p.n_margins = margin->n_list ? margin->n_list : base->n_margins;
    int widest = 0;
    for (int k = 0; k < p.n_margins; k++) {
        p.margins[k] = margin->n_list ? (int)margin->list[k] : base->margins[k];
        widest = p.margins[k] > widest ? p.margins[k] : widest;
    }
    p.marker_radius = opt_float(options, "marker_radius");
    if (!p.marker_radius && !base) return unset("marker_radius", size, err);
    if (!p.marker_radius) p.marker_radius = base->marker_radius;
    p.seed_distance = (int)opt_int(options, "seed_distance");
    if (!p.seed_distance && !base) return unset("seed_distance", size, err);
    if (!p.seed_distance) p.seed_distance = base->seed_distance;
    p.continuity = opt_float(options, "continuity");
    if (!p.continuity && !base) return unset("continuity", size, err);
    if (!p.continuity) p.continuity = base->continuity;
    p.distractors = (int)opt_int(options, "distractors");
    if (p.distractors < 0 && !base) return unset("distractors", size, err);
    if (p.distractors < 0) p.distractors = base->distractor_dashes / p.distractor_length;
    p.target_contrast = opt_float(options, "target_contrast");
    if (!p.target_contrast) p.target_contrast = base ? base->target_contrast : 1;
    p.distractor_contrast = opt_float(options, "distractor_contrast");
    if (!p.distractor_contrast) p.distractor_contrast = base ? base->distractor_contrast : 1;
    p.antialias = (int)opt_int(options, "antialias");
    if (!p.antialias) p.antialias = base ? base->antialias : 2;
    p.padding = (int)opt_int(options, "padding");
    if (p.padding < 0) p.padding = base ? base->padding : 1;

    if (4 * p.seed_distance > size - 1)
        return error_set(err, EXIT_USAGE,
                         "task.seed_distance: the first target starts at least 2 x %d pixels from every edge, "
                         "which leaves no room in a %d-pixel image",
                         p.seed_distance, size);
    const double touching = 2 * p.marker_radius + snakes_separation(widest, p.antialias);
    if (p.seed_distance < touching)
        return error_set(err, EXIT_USAGE,
                         "task.seed_distance: %d would let the two starting markers touch (it must be at least "
                         "%g with marker_radius %g and margin %d)",
                         p.seed_distance, touching, p.marker_radius, widest);
    if (2 * (p.padding + widest - 1 + p.paddle_thickness / 2) + p.paddle_length > size - 1)
        return error_set(err, EXIT_USAGE,
                         "task.padding: a border of %d pixels plus the margin leaves no room for a dash in a "
                         "%d-pixel image",
                         p.padding, size);
    *out = p;
    return 0;
}

int pathfinder_generate(const snakes_params *p, uint64_t seed, enum task_split split, int64_t index,
                        uint8_t *grey, int *label, snakes_scene *scene, error_info *err) {
    rng r;
    rng_seed(&r, rng_key(seed, (uint64_t)split, (uint64_t)index, 0));
    *label = (int)rng_range(&r, 0, 1);
    return snakes_render(p, *label, &r, grey, scene, err);
}

static int pathfinder_init(void **state, const opt_set *options, task_info *info, error_info *err) {
    pathfinder_state s = {0};
    const char *data_dir = opt_string(options, "data_dir");
    if (data_dir[0]) {
        s.params.size = (int)opt_int(options, "resolution");
        if (pathfinder_data_load(&s.data, data_dir, s.params.size, err) != 0) return -1;
    } else if (pathfinder_params(options, &s.params, err) != 0) {
        return -1;
    }
    pathfinder_state *copy = malloc(sizeof *copy);
    CHECK(copy != NULL);
    *copy = s;
    *state = copy;
    *info = (task_info){
        .vocab_size = PATHFINDER_VOCAB,
        .n_classes = 2,
        .max_length = s.params.size * s.params.size,
        .max_outputs = 1,
        .pad_token = 0,
        .cls_token = 1,
        .output = TASK_OUTPUT_CLASS,
        .token_names = task_grey_token_names,
        .version = s.data ? "released-png" : "1",
        .image_side = s.params.size,
    };
    return 0;
}

static int pathfinder_example(const void *state, const example_request *request, example *out,
                              error_info *err) {
    const pathfinder_state *s = state;
    CHECK(request->index >= 0);
    if (s->data) return pathfinder_data_example(s->data, request->split, request->index, out, err);
    const int pixels = s->params.size * s->params.size;
    uint8_t *grey = malloc((size_t)pixels);
    CHECK(grey != NULL);
    int label = 0;
    const int status =
        pathfinder_generate(&s->params, request->seed, request->split, request->index, grey, &label, NULL, err);
    if (status == 0)
        for (int t = 0; t < pixels; t++) out->tokens[t] = TASK_GREY_TOKEN0 + grey[t];
    free(grey);
    if (status != 0) return status;
    out->length = pixels;
    out->length2 = 0;
    out->targets[0] = label;
    out->target_mask[0] = 1;
    out->n_outputs = 1;
    return 0;
}

static void pathfinder_free(void *state) {
    pathfinder_data_free(((pathfinder_state *)state)->data);
    free(state);
}

const task_ops lra_pathfinder = {
    .name = "lra/pathfinder",
    .suite = "lra",
    .level = "",
    .order = 5,
    .summary = "LRA Pathfinder: are the two markers on one dashed contour? (32x32 grey pixels)",
    .options = pathfinder_options,
    .n_options = (int)(sizeof pathfinder_options / sizeof pathfinder_options[0]),
    .init = pathfinder_init,
    .example = pathfinder_example,
    .free = pathfinder_free,
};

const task_ops lra_pathx = {
    .name = "lra/pathx",
    .suite = "lra",
    .level = "",
    .order = 6,
    .summary = "LRA Path-X: Pathfinder at 128x128 grey pixels (16,384 tokens)",
    .options = pathx_options,
    .n_options = (int)(sizeof pathx_options / sizeof pathx_options[0]),
    .init = pathfinder_init,
    .example = pathfinder_example,
    .free = pathfinder_free,
};
