/* image.h — LRA Image: token ids, the ten generated shape classes and the renderer.
 *
 * The renderer is exposed so that tests can check the drawing against the geometric
 * definitions and a PNG writer can show what the model sees: one function draws a
 * whole example, two lower-level ones define and paint a single shape. */
#ifndef ATTNBENCH_IMAGE_H
#define ATTNBENCH_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "tasks/task.h"

enum {
    IMAGE_PAD = 0,
    IMAGE_CLS = 1,
    IMAGE_GREY0 = TASK_GREY_TOKEN0, /* grey level g (0..255) is id g + 2 */
    IMAGE_VOCAB = TASK_GREY_VOCAB,
    IMAGE_CLASSES = 10,
    IMAGE_SIDE_MIN = 16,
    IMAGE_SIDE_MAX = 64
};

/* The generated classes, in label order. */
enum image_class {
    IMAGE_DISK,           /* a filled disk */
    IMAGE_RING,           /* an annulus */
    IMAGE_SQUARE,         /* a filled square, tilted by at most 20° */
    IMAGE_SQUARE_OUTLINE, /* a square frame, tilted by at most 20° */
    IMAGE_TRIANGLE,       /* a filled equilateral triangle at any rotation */
    IMAGE_PLUS,           /* two equal crossing bars, within 15° of axis-aligned */
    IMAGE_CROSS,          /* the same within 15° of diagonal */
    IMAGE_HBAR,           /* one bar within 15° of horizontal */
    IMAGE_VBAR,           /* one bar within 15° of vertical */
    IMAGE_TWO_DOTS        /* two separate equal disks at any rotation */
};

/* One shape in pixel coordinates: the image spans [0, side] on both axes, y down, and
 * pixel (row, col) is sampled at its centre (col + 0.5, row + 0.5). */
typedef struct image_shape {
    enum image_class kind;
    double cx, cy; /* centre */
    double angle;  /* radians, counter-clockwise on screen; unused by disk and ring */
    double size;   /* radius (disk, ring, each dot), half side (squares), circumradius
                    * (triangle), half length (bars, plus, cross) */
    double inner;  /* inner radius (ring), inner half side (outline), half thickness
                    * (bars, plus, cross), half distance between the dots' centres */
} image_shape;

/* Generator options (see image.c for their meaning). */
typedef struct image_options {
    int side;
    int contrast;
    double texture;
    double noise;
    int clutter;
} image_options;

/* Whether the point (x, y) is inside the shape. */
bool image_shape_contains(const image_shape *shape, double x, double y);

/* Overwrite the pixels (side², row-major) whose centres the shape contains with grey. */
void image_paint_shape(const image_shape *shape, int side, uint8_t grey, uint8_t *pixels);

/* Draw example `index` of `split` into pixels (side², row-major); returns its class. */
int image_render(const image_options *options, uint64_t seed, enum task_split split,
                 int64_t index, uint8_t *pixels);

#endif
