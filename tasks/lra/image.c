/* image.c — LRA Image: grey-level images flattened row-major into pixel tokens.
 *
 * LRA classifies grey-scale CIFAR-10 from its 1,024 pixels fed as tokens (vocab 256,
 * no 2-D information). That data cannot be generated, so by default the ten classes
 * are procedural shapes whose class is a property of the global arrangement of the
 * pixels only: disk, ring, square, square outline, triangle, plus, diagonal cross,
 * horizontal bar, vertical bar, two dots (image.h).
 *
 * Example i of split s is drawn from the stream rng_key(seed, s, i, 0), in this order:
 *   1. the class, uniform over the ten;
 *   2. the background grey level, uniform over the levels that have one at least
 *      `contrast` away (all of 0..255 up to contrast 128), and the foreground level,
 *      uniform over the levels at least `contrast` away from it;
 *   3. a texture for the background, then one for the shape: flat, stripes (period
 *      2.5–6 px, any direction and phase), checker (cells of 1 or 2 px) or a linear
 *      gradient (any direction), with an amplitude uniform between a third of
 *      `texture` and `texture` grey levels;
 *   4. the shape: its area, a fraction 0.08–0.12 of the image whatever the class; the
 *      class's free proportions (inner ratio of ring and outline, thickness of bars and
 *      arms, distance between the dots); the rotation the class allows; the centre,
 *      uniform over the positions that keep the shape's bounding circle at least half
 *      a pixel inside the image (the middle of the image when none does);
 *   5. 0..clutter blobs, each a disk of radius 3–6 % of the side at a uniform position
 *      with a uniform grey level, painted over the shape;
 *   6. Gaussian noise of standard deviation `noise` on every pixel, then rounding to
 *      nearest and clamping to 0..255.
 * Grey levels, textures, area, position and clutter do not depend on the class, so the
 * mean grey level, the histogram of a patch and the histogram of the whole image say
 * (almost) nothing about it: a model has to find the shape and see all of it. Pixels
 * are sampled at their centres with hard edges, so before the noise every pixel is
 * background, shape or clutter; there is no anti-aliased rim whose size would follow
 * the class's perimeter.
 *
 * A requested length (length-generalisation protocol) is ignored: an image always has
 * side² tokens. With `data_dir` set, the examples are instead CIFAR-10's binary
 * release converted to grey (image_data.c); side must then be 32 and the other
 * options are unused. */
#include "tasks/lra/image.h"
#include "tasks/lra/image_data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/rng.h"

#define PI 3.14159265358979323846
#define AREA_MIN 0.08        /* shape area as a fraction of the image */
#define AREA_MAX 0.12
#define MARGIN 0.5           /* least distance in pixels from the bounding circle to the border */
#define TILT_SQUARE (PI / 9) /* squares turn by at most 20° */
#define TILT_BAR (PI / 12)   /* bars, plus and cross by at most 15° */

enum { TEXTURE_FLAT, TEXTURE_STRIPES, TEXTURE_CHECKER, TEXTURE_GRADIENT, TEXTURE_KINDS };
/* Region of each pixel before the noise: background, shape, then clutter blob k at REGION_CLUTTER + k. */
enum { REGION_BACKGROUND, REGION_SHAPE, REGION_CLUTTER, CLUTTER_MAX = 16 };

static const opt_spec image_options_table[] = {
    {"side", OPT_INT, "32", IMAGE_SIDE_MIN, IMAGE_SIDE_MAX, NULL,
     "images are side x side pixels, side*side tokens (LRA: 32)"},
    {"contrast", OPT_INT, "80", 1, 255, NULL,
     "least difference between the shape's and the background's grey levels (255: one black, the other white)"},
    {"texture", OPT_FLOAT, "24", 0, 64, NULL, "largest amplitude of the region textures, in grey levels (0: flat regions)"},
    {"noise", OPT_FLOAT, "12", 0, 64, NULL, "standard deviation of the pixel noise, in grey levels"},
    {"clutter", OPT_INT, "3", 0, CLUTTER_MAX, NULL, "at most this many small distractor blobs per image"},
    {"data_dir", OPT_STRING, "", 0, 0, NULL,
     "read CIFAR-10's binary release (data_batch_{1..5}.bin, test_batch.bin) from this directory "
     "instead of generating (side must be 32)"},
};

typedef struct texture {
    int kind;
    double amplitude;
    double dx, dy; /* unit direction (stripes, gradient) */
    double period; /* stripes, in pixels */
    double phase;  /* stripes */
    int cell;      /* checker, in pixels */
} texture;

typedef struct image_state {
    image_options options;
    image_data *data; /* the released files, or NULL to generate */
} image_state;

/* Radius of the circle around the centre that holds the whole shape. */
static double shape_extent(const image_shape *shape) {
    switch (shape->kind) {
    case IMAGE_DISK:
    case IMAGE_RING:
    case IMAGE_TRIANGLE: return shape->size;
    case IMAGE_SQUARE:
    case IMAGE_SQUARE_OUTLINE: return shape->size * sqrt(2);
    case IMAGE_PLUS:
    case IMAGE_CROSS:
    case IMAGE_HBAR:
    case IMAGE_VBAR: return hypot(shape->size, shape->inner);
    case IMAGE_TWO_DOTS: return shape->inner + shape->size;
    }
    CHECK(!"unknown shape");
    return 0;
}

/* image_shape_contains with c = cos(angle) and s = sin(angle) computed once per shape. */
static bool contains(const image_shape *shape, double c, double s, double x, double y) {
    const double dx = x - shape->cx, dy = y - shape->cy;
    /* u runs along the shape's axis (c, −s) on screen, v across it */
    const double u = fabs(dx * c - dy * s), v = fabs(dx * s + dy * c);
    const double r2 = dx * dx + dy * dy, size = shape->size, inner = shape->inner;
    switch (shape->kind) {
    case IMAGE_DISK: return r2 <= size * size;
    case IMAGE_RING: return r2 <= size * size && r2 >= inner * inner;
    case IMAGE_SQUARE: return u <= size && v <= size;
    case IMAGE_SQUARE_OUTLINE: {
        const double m = u > v ? u : v;
        return m <= size && m >= inner;
    }
    case IMAGE_TRIANGLE: {
        /* vertices at angle + 2πk/3; the edge facing vertex k lies size/2 behind the centre */
        const double half = 0.5, root = sqrt(3) / 2;
        const double along[3] = {dx * c - dy * s, dx * (-half * c - root * s) - dy * (-half * s + root * c),
                                 dx * (-half * c + root * s) - dy * (-half * s - root * c)};
        return along[0] >= -size / 2 && along[1] >= -size / 2 && along[2] >= -size / 2;
    }
    case IMAGE_PLUS:
    case IMAGE_CROSS: return (u <= size && v <= inner) || (v <= size && u <= inner);
    case IMAGE_HBAR:
    case IMAGE_VBAR: return u <= size && v <= inner;
    case IMAGE_TWO_DOTS: {
        const double ox = inner * c, oy = -inner * s; /* offset of one dot's centre */
        const double a2 = (dx - ox) * (dx - ox) + (dy - oy) * (dy - oy);
        const double b2 = (dx + ox) * (dx + ox) + (dy + oy) * (dy + oy);
        return a2 <= size * size || b2 <= size * size;
    }
    }
    CHECK(!"unknown shape");
    return false;
}

bool image_shape_contains(const image_shape *shape, double x, double y) {
    return contains(shape, cos(shape->angle), sin(shape->angle), x, y);
}

void image_paint_shape(const image_shape *shape, int side, uint8_t grey, uint8_t *pixels) {
    const double c = cos(shape->angle), s = sin(shape->angle), extent = shape_extent(shape);
    /* only the pixels whose centres fall in the bounding square of the extent */
    const int row_lo = (int)fmax(0, floor(shape->cy - extent - 0.5)), row_hi = (int)fmin(side - 1, ceil(shape->cy + extent));
    const int col_lo = (int)fmax(0, floor(shape->cx - extent - 0.5)), col_hi = (int)fmin(side - 1, ceil(shape->cx + extent));
    for (int row = row_lo; row <= row_hi; row++)
        for (int col = col_lo; col <= col_hi; col++)
            if (contains(shape, c, s, col + 0.5, row + 0.5)) pixels[row * side + col] = grey;
}

static double uniform(rng *r, double lo, double hi) { return lo + (hi - lo) * rng_uniform(r); }

static texture draw_texture(rng *r, double largest) {
    texture t = {.kind = (int)rng_range(r, 0, TEXTURE_KINDS - 1)};
    if (t.kind == TEXTURE_FLAT) return t;
    t.amplitude = uniform(r, largest / 3, largest);
    const double direction = uniform(r, 0, 2 * PI);
    t.dx = cos(direction);
    t.dy = sin(direction);
    t.period = uniform(r, 2.5, 6);
    t.phase = uniform(r, 0, 2 * PI);
    t.cell = (int)rng_range(r, 1, 2);
    return t;
}

static double texture_at(const texture *t, int side, int row, int col) {
    const double x = col + 0.5, y = row + 0.5;
    switch (t->kind) {
    case TEXTURE_FLAT: return 0;
    case TEXTURE_STRIPES: return t->amplitude * sin(2 * PI * (x * t->dx + y * t->dy) / t->period + t->phase);
    case TEXTURE_CHECKER: return ((row / t->cell + col / t->cell) & 1) ? t->amplitude : -t->amplitude;
    case TEXTURE_GRADIENT: return t->amplitude * ((x - side / 2.0) * t->dx + (y - side / 2.0) * t->dy) / (side / 2.0);
    }
    CHECK(!"unknown texture");
    return 0;
}

/* The class's shape with the given area (pixels²), centred later. */
static void draw_shape(rng *r, enum image_class kind, double area, image_shape *shape) {
    *shape = (image_shape){.kind = kind};
    switch (kind) {
    case IMAGE_DISK:
        shape->size = sqrt(area / PI);
        return;
    case IMAGE_RING: {
        const double ratio = uniform(r, 0.4, 0.55);
        shape->size = sqrt(area / (PI * (1 - ratio * ratio)));
        shape->inner = ratio * shape->size;
        return;
    }
    case IMAGE_SQUARE:
        shape->size = sqrt(area) / 2;
        shape->angle = uniform(r, -TILT_SQUARE, TILT_SQUARE);
        return;
    case IMAGE_SQUARE_OUTLINE: {
        const double ratio = uniform(r, 0.45, 0.6);
        shape->size = sqrt(area / (1 - ratio * ratio)) / 2;
        shape->inner = ratio * shape->size;
        shape->angle = uniform(r, -TILT_SQUARE, TILT_SQUARE);
        return;
    }
    case IMAGE_TRIANGLE:
        shape->size = sqrt(4 * area / (3 * sqrt(3)));
        shape->angle = uniform(r, 0, 2 * PI);
        return;
    case IMAGE_PLUS:
    case IMAGE_CROSS: {
        /* two bars of length L and thickness tL overlap in a (tL)² square */
        const double thickness = uniform(r, 0.22, 0.32), length = sqrt(area / (2 * thickness - thickness * thickness));
        shape->size = length / 2;
        shape->inner = thickness * length / 2;
        shape->angle = (kind == IMAGE_CROSS ? PI / 4 : 0) + uniform(r, -TILT_BAR, TILT_BAR);
        return;
    }
    case IMAGE_HBAR:
    case IMAGE_VBAR: {
        const double thickness = uniform(r, 0.2, 0.3), length = sqrt(area / thickness);
        shape->size = length / 2;
        shape->inner = thickness * length / 2;
        shape->angle = (kind == IMAGE_VBAR ? PI / 2 : 0) + uniform(r, -TILT_BAR, TILT_BAR);
        return;
    }
    case IMAGE_TWO_DOTS:
        shape->size = sqrt(area / (2 * PI));
        shape->inner = uniform(r, 1.6, 2.4) * shape->size; /* the gap is 1.2–2.8 radii */
        shape->angle = uniform(r, 0, PI);
        return;
    }
    CHECK(!"unknown class");
}

static double draw_centre(rng *r, int side, double extent) {
    const double lo = extent + MARGIN, hi = side - extent - MARGIN;
    return lo < hi ? uniform(r, lo, hi) : side / 2.0;
}

int image_render(const image_options *options, uint64_t seed, enum task_split split, int64_t index,
                 uint8_t *pixels) {
    const int side = options->side, n = side * side;
    CHECK(side >= IMAGE_SIDE_MIN && side <= IMAGE_SIDE_MAX && options->clutter <= CLUTTER_MAX);
    CHECK(options->contrast >= 1 && options->contrast <= 255);
    rng r;
    rng_seed(&r, rng_key(seed, (uint64_t)split, (uint64_t)index, 0));
    const int label = (int)rng_range(&r, 0, IMAGE_CLASSES - 1);

    /* The background is uniform over the levels that leave room for a foreground C away:
     * all 256 when C <= 128, else [0, 255 − C] and [C, 255] (at C = 255, black or white). */
    const int contrast = options->contrast;
    const int room = 256 - contrast;
    const int level = (int)rng_range(&r, 0, contrast <= 128 ? 255 : 2 * room - 1);
    const int background = contrast <= 128 || level < room ? level : contrast + (level - room);
    /* the levels allowed for the foreground are [0, background − C] and [background + C, 255],
     * not both empty by the choice of the background */
    const int below = background - contrast + 1 > 0 ? background - contrast + 1 : 0;
    const int above = 255 - (background + contrast) + 1 > 0 ? 255 - (background + contrast) + 1 : 0;
    const int pick = (int)rng_range(&r, 0, below + above - 1);
    const int foreground = pick < below ? pick : background + contrast + (pick - below);
    const texture textures[2] = {draw_texture(&r, options->texture), draw_texture(&r, options->texture)};

    image_shape shape;
    draw_shape(&r, (enum image_class)label, uniform(&r, AREA_MIN, AREA_MAX) * n, &shape);
    const double extent = shape_extent(&shape);
    shape.cx = draw_centre(&r, side, extent);
    shape.cy = draw_centre(&r, side, extent);

    uint8_t region[IMAGE_SIDE_MAX * IMAGE_SIDE_MAX];
    memset(region, REGION_BACKGROUND, (size_t)n);
    image_paint_shape(&shape, side, REGION_SHAPE, region);
    const int clutter = (int)rng_range(&r, 0, options->clutter);
    int clutter_grey[CLUTTER_MAX];
    for (int k = 0; k < clutter; k++) {
        const image_shape blob = {
            .kind = IMAGE_DISK,
            .size = uniform(&r, 0.03, 0.06) * side,
            .cx = uniform(&r, 0, side),
            .cy = uniform(&r, 0, side),
        };
        clutter_grey[k] = (int)rng_range(&r, 0, 255);
        image_paint_shape(&blob, side, (uint8_t)(REGION_CLUTTER + k), region);
    }

    for (int row = 0; row < side; row++)
        for (int col = 0; col < side; col++) {
            const int at = row * side + col, which = region[at];
            double value;
            if (which >= REGION_CLUTTER) value = clutter_grey[which - REGION_CLUTTER];
            else value = (which == REGION_SHAPE ? foreground : background) + texture_at(&textures[which], side, row, col);
            if (options->noise > 0) value += options->noise * rng_normal(&r);
            value = floor(value + 0.5);
            pixels[at] = (uint8_t)(value < 0 ? 0 : value > 255 ? 255 : value);
        }
    return label;
}

static int image_init(void **state, const opt_set *options, task_info *info, error_info *err) {
    image_state s = {
        .options = {
            .side = (int)opt_int(options, "side"),
            .contrast = (int)opt_int(options, "contrast"),
            .texture = opt_float(options, "texture"),
            .noise = opt_float(options, "noise"),
            .clutter = (int)opt_int(options, "clutter"),
        },
    };
    const char *data_dir = opt_string(options, "data_dir");
    if (data_dir[0] && s.options.side != 32)
        return error_set(err, EXIT_USAGE, "task.side: must be 32 with task.data_dir (CIFAR-10 images are 32x32), got %d",
                         s.options.side);
    if (data_dir[0] && image_data_load(&s.data, data_dir, err) != 0) return -1;
    image_state *copy = malloc(sizeof *copy);
    CHECK(copy != NULL);
    *copy = s;
    *state = copy;
    *info = (task_info){
        .vocab_size = IMAGE_VOCAB,
        .n_classes = IMAGE_CLASSES,
        .max_length = s.options.side * s.options.side,
        .max_outputs = 1,
        .pad_token = IMAGE_PAD,
        .cls_token = IMAGE_CLS,
        .output = TASK_OUTPUT_CLASS,
        .token_names = task_grey_token_names,
        .version = s.data ? "released-cifar10" : "1",
        .image_side = s.options.side,
    };
    return 0;
}

static int image_example(const void *state, const example_request *request, example *out, error_info *err) {
    const image_state *s = state;
    CHECK(request->index >= 0);
    if (s->data) return image_data_example(s->data, request->split, request->index, out, err);
    uint8_t pixels[IMAGE_SIDE_MAX * IMAGE_SIDE_MAX];
    const int n = s->options.side * s->options.side;
    out->targets[0] = image_render(&s->options, request->seed, request->split, request->index, pixels);
    for (int t = 0; t < n; t++) out->tokens[t] = IMAGE_GREY0 + pixels[t];
    out->length = n;
    out->length2 = 0;
    out->target_mask[0] = 1;
    out->n_outputs = 1;
    return 0;
}

static void image_free(void *state) {
    image_data_free(((image_state *)state)->data);
    free(state);
}

const task_ops lra_image = {
    .name = "lra/image",
    .suite = "lra",
    .level = "",
    .order = 4,
    .summary = "LRA Image: class (0-9) of a generated shape image, or grey CIFAR-10, as pixel tokens",
    .options = image_options_table,
    .n_options = (int)(sizeof image_options_table / sizeof image_options_table[0]),
    .init = image_init,
    .example = image_example,
    .free = image_free,
};
