/* snakes.h — the Pathfinder "snakes" renderer (Kim, Linsley et al. 2020, snakes2.py).
 *
 * An image holds two target contours of contour_length dashes, distractor contours of
 * distractor_length dashes and two round markers: one on the starting tip of a target,
 * the other on the far tip of the same target (label 1) or of the other one (label 0).
 * snakes.c gives the geometry and the drawing; this header is what lra/pathfinder and
 * the tests need. Besides the grey image, a render can report what it drew (a
 * snakes_scene), so tests can check labels and shapes against the pixels. */
#ifndef ATTNBENCH_SNAKES_H
#define ATTNBENCH_SNAKES_H

#include <stdint.h>

#include "core/error.h"
#include "core/rng.h"

enum {
    SNAKES_MARGINS_MAX = 4,
    SNAKES_CONTOUR_LENGTH_MAX = 64,
    SNAKES_DISTRACTORS_MAX = 200,
    SNAKES_CONTOURS_MAX = 2 + SNAKES_DISTRACTORS_MAX
};

typedef struct snakes_params {
    int size;                /* the image is size × size pixels */
    int contour_length;      /* dashes per target contour, ≤ SNAKES_CONTOUR_LENGTH_MAX */
    int distractor_length;   /* dashes per distractor contour */
    int distractors;         /* distractor contours tried, ≤ SNAKES_DISTRACTORS_MAX (one that finds no room is dropped) */
    int paddle_length;       /* dash length, pixels */
    double paddle_thickness; /* dash width, pixels */
    int margins[SNAKES_MARGINS_MAX]; /* one is drawn per image: the gap each object keeps */
    int n_margins;
    double marker_radius;
    int seed_distance;       /* distance between the starting tips of the two targets */
    double continuity;       /* turns of more than 90°/continuity between dashes never happen */
    double target_contrast;  /* intensity of target dashes; markers are 1 */
    double distractor_contrast;
    int antialias;           /* subsamples per pixel side */
    int padding;             /* width of the border ring that no dash enters */
} snakes_params;

/* What a render drew. The caller may point the mask pointers at size² buffers to have
 * them filled, or leave them NULL. */
typedef struct snakes_scene {
    int margin;                     /* the margin drawn for this image */
    int n_contours;                 /* contours drawn: 0 and 1 are the targets, then distractors */
    int dashes[SNAKES_CONTOURS_MAX]; /* dashes of each contour drawn */
    double marker_y[2], marker_x[2]; /* marker centres: [0] on a starting tip, [1] on a far tip */
    int marker_contour[2];          /* the target contour (0 or 1) each marker sits on */
    uint8_t *target_mask[2];        /* (size²) or NULL: 1 where target contour c covers a pixel */
    float *marker_cover[2];         /* (size²) or NULL: the fraction of each pixel marker k covers */
} snakes_scene;

/* Draw one image with the given label (1: markers on the same target) from the stream
 * r into grey (size² bytes, row-major); fill scene when it is not NULL. Fails with
 * EXIT_USAGE when the two targets found no room after a bounded number of attempts. */
int snakes_render(const snakes_params *p, int label, rng *r, uint8_t *grey, snakes_scene *scene,
                  error_info *err);

/* Least distance between the bodies of two objects (dash: core widened by half the
 * thickness; marker: disc) for a margin: 2·margin − 1, where snakes2's test of
 * anti-aliased masks finds an overlap, but more than 1 + 2·(largest subsample offset
 * from a pixel centre), so that the pixels two objects cover are never 4-neighbours. */
double snakes_separation(int margin, int antialias);

/* sin and cos of a by a fixed polynomial, identical on every machine (libm's may
 * differ in the last bit, which would move a pixel). */
void snakes_sincos(double a, double *s, double *c);

/* Distance between segments (ay,ax)-(by,bx) and (cy,cx)-(dy,dx). */
double snakes_segment_distance(double ay, double ax, double by, double bx, double cy, double cx,
                               double dy, double dx);

#endif
