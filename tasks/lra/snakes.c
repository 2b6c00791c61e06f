/* snakes.c — the Pathfinder renderer (see snakes.h), after snakes2.py and snakes.py of
 * drewlinsley/pathfinder.
 *
 * A contour is a chain of dashes ("paddles") of length L and width t. Each dash hangs
 * off a pivot: it runs from pivot + m·d to pivot + (L + m)·d for a direction d, and the
 * next pivot is pivot + (L + 2m)·d, so consecutive dashes are separated by a gap of up
 * to 2m, the margin m drawn per image. To extend a contour, as in snakes.py's
 * extend_snake / get_coords_cmf, the candidate far ends are the points of the circle of
 * radius L + m around the pivot, one pixel of arc apart; a candidate's weight is
 * cos²(min(turn · continuity, 90°)) for its turn from the previous direction, or 0 when
 * the far end alone already breaks the spacing rule below; one is drawn from those
 * weights and kept if the whole dash keeps the rule, up to 3 draws
 * (max_paddle_retrial 2), otherwise the contour fails.
 *
 * The spacing rule is snakes2's overlap test made exact. Every object has a body (a
 * dash: its core segment widened by t/2; a marker: a disc of radius r) and keeps its
 * body snakes_separation(m) away from the bodies of other objects: 2m − 1, the distance
 * at which snakes2's comparison of anti-aliased masks (bodies widened by m, overlap when
 * both exceed 0.9) starts to fire, but never so little that the pixels two objects
 * cover could be 4-neighbours. Bodies stay m − ½ pixel clear of the border ring of
 * width `padding`, and markers lie wholly inside the image. A dash is exempt towards
 * its predecessor (they meet at the pivot), a marker towards the dashes of its own
 * contour; all four tips keep the marker spacing from each other, whether or not they
 * end up marked. snakes2 does not check markers at all; here a marker never touches
 * another contour, so the picture always agrees with the label.
 *
 * An image, from the stream r: the margin (uniform over `margins`); the two targets
 * (two_snakes / initialize_two_seeds): the first starts with a dash of direction a
 * whole number of degrees at a pixel at least 2·seed_distance from every edge, the
 * second at the pixel nearest to a point seed_distance away in a whole-degree
 * direction; then both grow one dash at a time in turn until they have contour_length
 * dashes. snakes2 draws the whole pair again whenever a dash fails, which at 64 and 128
 * pixels takes thousands of draws per image; here the contour that failed takes its
 * last dash back and grows again from the pivot before it, and only after
 * BACKTRACK_LIMIT such steps is the pair drawn again (at most TARGET_ATTEMPTS times,
 * then an error). Then the distractors (make_many_snakes): each starts with a dash at a
 * uniform pixel and direction that fits and grows to distractor_length dashes; a
 * distractor that fails 5 times (max_distractor_contour_retrial 4) is left out. Then
 * which target holds the starting-tip marker; the other marker sits on the far tip of
 * the same target (label 1) or of the other target (label 0). Marker centres are pixel
 * centres, as in snakes2, whose coordinates were whole pixels throughout.
 *
 * Drawing: each dash is a rectangle (PIL's wide line has flat ends) and each marker a
 * disc; a pixel takes the fraction of its antialias × antialias subsamples inside
 * (half-open across the dash, so that a dash half a pixel wide covers half of each
 * pixel it runs along, like PIL's one-pixel line at double size), times the contrast
 * (targets target_contrast, distractors distractor_contrast, markers 1); overlapping
 * objects combine by maximum. The image is then scaled so that its brightest pixel is
 * 255 and rounded, as scipy.misc.imsave's bytescale did. snakes2 downsampled with a
 * Lanczos filter and rounded pivots up at each step (a drift of half a pixel per dash);
 * here the geometry is exact and the filter is a box. */
#include "tasks/lra/snakes.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"

#define PI 3.14159265358979323846
#define TARGET_ATTEMPTS 1000      /* draws of the two targets before the options are declared unsatisfiable */
#define DASH_TRIES 3              /* snakes2's max_paddle_retrial + 1 */
#define DISTRACTOR_TRIES 5        /* snakes2's max_distractor_contour_retrial + 1 */
#define DISTRACTOR_START_PICKS 64 /* uniform picks of a distractor's first dash per try */
#define BACKTRACK_LIMIT 20        /* dashes the targets may take back before the pair is drawn again */
#define DEAD (-1)                 /* contour of a dash taken back */

typedef struct segment {
    double ay, ax; /* near end, towards the pivot */
    double by, bx; /* far end */
    int contour;
} segment;

typedef struct tip {
    double y, x;
    int contour;
} tip;

/* A contour while it grows: its next pivot, its direction and its newest dash. */
typedef struct growth {
    double py, px, angle;
    int contour, last;
} growth;

typedef struct layout {
    const snakes_params *p;
    double margin;
    double dash_gap;   /* least distance between dash cores: t + separation */
    double tip_gap;    /* least distance from a marker centre to another contour's core: r + t/2 + separation */
    double marker_gap; /* least distance between any two tips: 2r + separation */
    double lo, hi;     /* dash ends stay in [lo, hi] on both axes */
    int n_candidates;  /* far ends on the circle around a pivot */
    double *candidate_sin, *candidate_cos; /* (n_candidates) of the angles i / (L + m) */
    double *weights;                       /* (n_candidates) of the candidates looked at */
    int *candidates;                       /* (n_candidates) their indices */
    segment *dashes;
    int n_dashes, capacity;
    tip tips[4]; /* starting tips of targets 0 and 1, then their far tips */
    int n_tips;
} layout;

void snakes_sincos(double a, double *s, double *c) {
    /* Cody-Waite reduction by π/2 (fdlibm's two-part constant), then Taylor series to
     * the 17th / 16th power, below 1e-16 on [−π/4, π/4]. */
    const double pio2_hi = 1.57079632673412561417e+00, pio2_lo = 6.07710050650619224932e-11;
    const double k = floor(a * 0.63661977236758134308 + 0.5);
    const double x = (a - k * pio2_hi) - k * pio2_lo, x2 = x * x;
    const double sx =
        x + x * x2 *
                (-1.0 / 6 + x2 * (1.0 / 120 + x2 * (-1.0 / 5040 + x2 * (1.0 / 362880 +
                 x2 * (-1.0 / 39916800 + x2 * (1.0 / 6227020800.0 + x2 * (-1.0 / 1307674368000.0 +
                 x2 * (1.0 / 355687428096000.0))))))));
    const double cx =
        1 + x2 * (-0.5 + x2 * (1.0 / 24 + x2 * (-1.0 / 720 + x2 * (1.0 / 40320 +
            x2 * (-1.0 / 3628800 + x2 * (1.0 / 479001600 + x2 * (-1.0 / 87178291200.0 +
            x2 * (1.0 / 20922789888000.0))))))));
    switch ((int)(k - 4 * floor(k / 4))) {
    case 0: *s = sx, *c = cx; break;
    case 1: *s = cx, *c = -sx; break;
    case 2: *s = -sx, *c = -cx; break;
    default: *s = -cx, *c = sx; break;
    }
}

double snakes_separation(int margin, int antialias) {
    const double subsample_offset = (antialias - 1) * sqrt(2.0) / (2.0 * antialias);
    return fmax(2 * margin - 1, 1 + 2 * subsample_offset + 1.0 / 16);
}

static double point_segment_distance2(double py, double px, double ay, double ax, double by, double bx) {
    const double dy = by - ay, dx = bx - ax, length2 = dy * dy + dx * dx;
    double s = length2 > 0 ? ((py - ay) * dy + (px - ax) * dx) / length2 : 0;
    s = s < 0 ? 0 : s > 1 ? 1 : s;
    const double ey = ay + s * dy - py, ex = ax + s * dx - px;
    return ey * ey + ex * ex;
}

static double cross(double ay, double ax, double by, double bx, double cy, double cx) {
    return (by - ay) * (cx - ax) - (bx - ax) * (cy - ay);
}

double snakes_segment_distance(double ay, double ax, double by, double bx, double cy, double cx,
                               double dy, double dx) {
    const double c1 = cross(ay, ax, by, bx, cy, cx), c2 = cross(ay, ax, by, bx, dy, dx);
    const double c3 = cross(cy, cx, dy, dx, ay, ax), c4 = cross(cy, cx, dy, dx, by, bx);
    if (((c1 > 0 && c2 < 0) || (c1 < 0 && c2 > 0)) && ((c3 > 0 && c4 < 0) || (c3 < 0 && c4 > 0)))
        return 0; /* proper crossing */
    double d = point_segment_distance2(ay, ax, cy, cx, dy, dx);
    d = fmin(d, point_segment_distance2(by, bx, cy, cx, dy, dx));
    d = fmin(d, point_segment_distance2(cy, cx, ay, ax, by, bx));
    d = fmin(d, point_segment_distance2(dy, dx, ay, ax, by, bx));
    return sqrt(d);
}

static bool inside(double y, double x, double lo, double hi) {
    return y >= lo && y <= hi && x >= lo && x <= hi;
}

/* The dash keeps its distance from the border, from every dash but `skip` and from the
 * markers of other contours. */
static bool dash_fits(const layout *l, const segment *d, int skip) {
    if (!inside(d->ay, d->ax, l->lo, l->hi) || !inside(d->by, d->bx, l->lo, l->hi)) return false;
    const double reach = l->dash_gap + l->p->paddle_length; /* quick rejection by the far ends */
    for (int j = 0; j < l->n_dashes; j++) {
        const segment *e = &l->dashes[j];
        if (j == skip || e->contour == DEAD || fabs(e->by - d->by) > 2 * reach || fabs(e->bx - d->bx) > 2 * reach)
            continue;
        if (snakes_segment_distance(d->ay, d->ax, d->by, d->bx, e->ay, e->ax, e->by, e->bx) < l->dash_gap)
            return false;
    }
    for (int k = 0; k < l->n_tips; k++)
        if (l->tips[k].contour != d->contour &&
            point_segment_distance2(l->tips[k].y, l->tips[k].x, d->ay, d->ax, d->by, d->bx) <
                l->tip_gap * l->tip_gap)
            return false;
    return true;
}

/* A candidate far end of contour c passes the tests of dash_fits that a point can:
 * border, every dash but `skip`, the markers of other contours. */
static bool head_free(const layout *l, double y, double x, int c, int skip) {
    if (!inside(y, x, l->lo, l->hi)) return false;
    const double reach = l->dash_gap + l->p->paddle_length, gap2 = l->dash_gap * l->dash_gap;
    for (int j = 0; j < l->n_dashes; j++) {
        const segment *e = &l->dashes[j];
        if (j == skip || e->contour == DEAD || fabs(e->by - y) > reach || fabs(e->bx - x) > reach) continue;
        if (point_segment_distance2(y, x, e->ay, e->ax, e->by, e->bx) < gap2) return false;
    }
    for (int k = 0; k < l->n_tips; k++) {
        const double dy = l->tips[k].y - y, dx = l->tips[k].x - x;
        if (l->tips[k].contour != c && dy * dy + dx * dx < l->tip_gap * l->tip_gap) return false;
    }
    return true;
}

static int add_dash(layout *l, const segment *d) {
    CHECK(l->n_dashes < l->capacity);
    l->dashes[l->n_dashes] = *d;
    return l->n_dashes++;
}

/* A contour's first dash from (y, x) in direction `degrees`; its growth state. */
static segment first_dash(const layout *l, double y, double x, int degrees, int contour, growth *g) {
    double s, c;
    snakes_sincos(degrees * (PI / 180), &s, &c);
    const double length = l->p->paddle_length;
    *g = (growth){y + (length + l->margin) * s, x + (length + l->margin) * c, degrees * (PI / 180), contour, -1};
    return (segment){y, x, y + length * s, x + length * c, contour};
}

/* One more dash on g (extend_snake). Only candidates within 90°/continuity of the
 * current direction can have weight, so only those are looked at. */
static bool grow(layout *l, growth *g, rng *r) {
    const double length = l->p->paddle_length, m = l->margin, radius = length + m;
    const double window = PI / 2 / l->p->continuity;
    int first = 0, span = l->n_candidates;
    if (2 * window * radius + 1 < l->n_candidates) {
        first = (int)ceil((g->angle - window) * radius);
        span = (int)floor((g->angle + window) * radius) - first + 1;
    }
    double total = 0;
    for (int k = 0; k < span; k++) {
        const int i = ((first + k) % l->n_candidates + l->n_candidates) % l->n_candidates;
        double turn = i / radius - g->angle;
        turn = fabs(turn - 2 * PI * floor((turn + PI) / (2 * PI))) * l->p->continuity;
        double w = 0;
        if (turn < PI / 2 && head_free(l, g->py + radius * l->candidate_sin[i], g->px + radius * l->candidate_cos[i],
                                       g->contour, g->last)) {
            double s, c;
            snakes_sincos(turn, &s, &c);
            w = c * c;
        }
        l->candidates[k] = i;
        l->weights[k] = w;
        total += w;
    }
    if (total < 1e-4) return false;
    for (int trial = 0; trial < DASH_TRIES; trial++) {
        const double u = rng_uniform(r) * total;
        int k = 0;
        for (double sum = l->weights[0]; sum <= u && k < span - 1;) sum += l->weights[++k];
        const int i = l->candidates[k];
        const double s = l->candidate_sin[i], c = l->candidate_cos[i];
        const segment d = {g->py + m * s, g->px + m * c, g->py + radius * s, g->px + radius * c, g->contour};
        if (!dash_fits(l, &d, g->last)) continue;
        g->last = add_dash(l, &d);
        g->py += (length + 2 * m) * s;
        g->px += (length + 2 * m) * c;
        g->angle = i / radius;
        return true;
    }
    return false;
}

static bool tip_clear(const layout *l, const tip *t) {
    const double r = l->p->marker_radius;
    if (!inside(t->y, t->x, r - 0.5, l->p->size - 0.5 - r)) return false;
    for (int j = 0; j < l->n_dashes; j++) {
        const segment *e = &l->dashes[j];
        if (e->contour != t->contour && e->contour != DEAD &&
            point_segment_distance2(t->y, t->x, e->ay, e->ax, e->by, e->bx) < l->tip_gap * l->tip_gap)
            return false;
    }
    /* every pair of tips, even the two of one contour: otherwise markers closer than
     * marker_gap could only be the two ends of one contour, a give-away of label 1 */
    for (int k = 0; k < l->n_tips; k++) {
        const double dy = l->tips[k].y - t->y, dx = l->tips[k].x - t->x;
        if (dy * dy + dx * dx < l->marker_gap * l->marker_gap) return false;
    }
    return true;
}

/* The two targets (two_snakes); false when this draw found no room. */
static bool place_targets(layout *l, rng *r) {
    const snakes_params *p = l->p;
    l->n_dashes = l->n_tips = 0;
    growth g[2];
    const int inner_lo = 2 * p->seed_distance, inner_hi = p->size - 1 - 2 * p->seed_distance;
    bool placed = false;
    for (int trial = 0; trial < DASH_TRIES && !placed; trial++) {
        const int degrees = (int)rng_range(r, -180, 179);
        const double y = (double)rng_range(r, inner_lo, inner_hi), x = (double)rng_range(r, inner_lo, inner_hi);
        const segment d = first_dash(l, y, x, degrees, 0, &g[0]);
        placed = inside(d.by, d.bx, inner_lo, inner_hi) && dash_fits(l, &d, -1);
        if (placed) {
            g[0].last = add_dash(l, &d);
            l->tips[l->n_tips++] = (tip){y, x, 0};
        }
    }
    if (!placed) return false;
    placed = false;
    for (int trial = 0; trial < DASH_TRIES && !placed; trial++) {
        const int degrees = (int)rng_range(r, -180, 179), around = (int)rng_range(r, 0, 359);
        double s, c;
        snakes_sincos(around * (PI / 180), &s, &c);
        const tip start = {floor(l->tips[0].y + p->seed_distance * s + 0.5),
                           floor(l->tips[0].x + p->seed_distance * c + 0.5), 1};
        const segment d = first_dash(l, start.y, start.x, degrees, 1, &g[1]);
        placed = dash_fits(l, &d, -1) && tip_clear(l, &start);
        if (placed) {
            g[1].last = add_dash(l, &d);
            l->tips[l->n_tips++] = start;
        }
    }
    if (!placed) return false;
    /* history[c][k]: contour c's growth state when it had k + 1 dashes */
    growth history[2][SNAKES_CONTOUR_LENGTH_MAX];
    int count[2] = {1, 1}, failures = 0;
    history[0][0] = g[0], history[1][0] = g[1];
    while (count[0] < p->contour_length || count[1] < p->contour_length) {
        const int c = count[1] < count[0] ? 1 : 0;
        if (grow(l, &g[c], r)) {
            history[c][count[c]++] = g[c];
            continue;
        }
        if (++failures > BACKTRACK_LIMIT || count[c] == 1) return false;
        l->dashes[g[c].last].contour = DEAD;
        g[c] = history[c][--count[c] - 1];
    }
    for (int c = 0; c < 2; c++) {
        const segment *last = &l->dashes[g[c].last];
        const tip far = {floor(last->by + 0.5), floor(last->bx + 0.5), c}; /* centred on a pixel, like the start */
        if (!tip_clear(l, &far)) return false;
        l->tips[l->n_tips++] = far;
    }
    int kept = 0;
    for (int j = 0; j < l->n_dashes; j++)
        if (l->dashes[j].contour != DEAD) l->dashes[kept++] = l->dashes[j];
    l->n_dashes = kept;
    return true;
}

/* One distractor (make_snake inside make_many_snakes); false when it is left out. */
static bool place_distractor(layout *l, rng *r, int contour) {
    const snakes_params *p = l->p;
    for (int trial = 0; trial < DISTRACTOR_TRIES; trial++) {
        const int saved = l->n_dashes;
        growth g;
        bool started = false;
        for (int pick = 0; pick < DISTRACTOR_START_PICKS && !started; pick++) {
            const int degrees = (int)rng_range(r, -180, 179);
            const double y = (double)rng_range(r, 0, p->size - 1), x = (double)rng_range(r, 0, p->size - 1);
            const segment d = first_dash(l, y, x, degrees, contour, &g);
            if ((started = dash_fits(l, &d, -1))) g.last = add_dash(l, &d);
        }
        if (!started) continue;
        bool grown = true;
        for (int k = 1; k < p->distractor_length && grown; k++) grown = grow(l, &g, r);
        if (grown) return true;
        l->n_dashes = saved;
    }
    return false;
}

/* Adds the dash's coverage times contrast into canvas by maximum; marks mask where it covers. */
static void draw_dash(float *canvas, int size, const segment *d, double thickness, int aa, double contrast,
                      uint8_t *mask) {
    const double dy = d->by - d->ay, dx = d->bx - d->ax, length = sqrt(dy * dy + dx * dx);
    const double uy = dy / length, ux = dx / length, half = thickness / 2;
    const int y0 = (int)floor(fmin(d->ay, d->by) - half), y1 = (int)ceil(fmax(d->ay, d->by) + half);
    const int x0 = (int)floor(fmin(d->ax, d->bx) - half), x1 = (int)ceil(fmax(d->ax, d->bx) + half);
    for (int py = y0 > 0 ? y0 : 0; py <= y1 && py < size; py++)
        for (int px = x0 > 0 ? x0 : 0; px <= x1 && px < size; px++) {
            int count = 0;
            for (int i = 0; i < aa; i++)
                for (int j = 0; j < aa; j++) {
                    const double ry = py - 0.5 + (i + 0.5) / aa - d->ay, rx = px - 0.5 + (j + 0.5) / aa - d->ax;
                    const double along = ry * uy + rx * ux, across = ry * ux - rx * uy;
                    count += along >= 0 && along < length && across >= -half && across < half;
                }
            if (!count) continue;
            const float value = (float)(contrast * count / (aa * aa));
            float *pixel = &canvas[py * size + px];
            if (value > *pixel) *pixel = value;
            if (mask) mask[py * size + px] = 1;
        }
}

static void draw_marker(float *canvas, int size, double cy, double cx, double radius, int aa, float *cover) {
    const int y0 = (int)floor(cy - radius), y1 = (int)ceil(cy + radius);
    const int x0 = (int)floor(cx - radius), x1 = (int)ceil(cx + radius);
    for (int py = y0 > 0 ? y0 : 0; py <= y1 && py < size; py++)
        for (int px = x0 > 0 ? x0 : 0; px <= x1 && px < size; px++) {
            int count = 0;
            for (int i = 0; i < aa; i++)
                for (int j = 0; j < aa; j++) {
                    const double ry = py - 0.5 + (i + 0.5) / aa - cy, rx = px - 0.5 + (j + 0.5) / aa - cx;
                    count += ry * ry + rx * rx <= radius * radius;
                }
            const float value = (float)count / (float)(aa * aa);
            float *pixel = &canvas[py * size + px];
            if (value > *pixel) *pixel = value;
            if (cover) cover[py * size + px] = value;
        }
}

int snakes_render(const snakes_params *p, int label, rng *r, uint8_t *grey, snakes_scene *scene,
                  error_info *err) {
    CHECK(p->size > 0 && p->n_margins > 0 && p->antialias > 0);
    CHECK(p->contour_length <= SNAKES_CONTOUR_LENGTH_MAX && p->distractors <= SNAKES_DISTRACTORS_MAX);
    const int margin = p->margins[rng_range(r, 0, p->n_margins - 1)];
    const double t = p->paddle_thickness, radius = p->paddle_length + margin;
    const double separation = snakes_separation(margin, p->antialias);
    layout l = {
        .p = p,
        .margin = margin,
        .dash_gap = t + separation,
        .tip_gap = p->marker_radius + t / 2 + separation,
        .marker_gap = 2 * p->marker_radius + separation,
        .lo = p->padding + margin - 1 + t / 2,
        .hi = p->size - p->padding - margin - t / 2,
        .n_candidates = (int)ceil(2 * PI * radius),
        .capacity = 2 * p->contour_length + BACKTRACK_LIMIT + p->distractors * p->distractor_length,
    };
    const size_t pixels = (size_t)p->size * p->size;
    float *canvas = calloc(pixels, sizeof *canvas);
    double *tables = malloc(3 * (size_t)l.n_candidates * sizeof *tables);
    l.candidates = malloc((size_t)l.n_candidates * sizeof *l.candidates);
    l.dashes = malloc((size_t)l.capacity * sizeof *l.dashes);
    CHECK(canvas && tables && l.candidates && l.dashes);
    l.candidate_sin = tables;
    l.candidate_cos = tables + l.n_candidates;
    l.weights = tables + 2 * l.n_candidates;
    for (int i = 0; i < l.n_candidates; i++) snakes_sincos(i / radius, &l.candidate_sin[i], &l.candidate_cos[i]);

    int status = 0, attempt = 0;
    while (attempt < TARGET_ATTEMPTS && !place_targets(&l, r)) attempt++;
    if (attempt == TARGET_ATTEMPTS) {
        status = error_set(err, EXIT_USAGE,
                           "task.contour_length: two target contours of %d dashes found no room in a %d-pixel "
                           "image in %d attempts (lower task.contour_length or the dash size, or raise "
                           "task.resolution)",
                           p->contour_length, p->size, TARGET_ATTEMPTS);
        goto out;
    }
    int n_contours = 2;
    for (int k = 0; k < p->distractors; k++) n_contours += place_distractor(&l, r, n_contours);
    const int origin = (int)rng_range(r, 0, 1), far = label ? origin : 1 - origin;
    const tip *markers[2] = {&l.tips[origin], &l.tips[2 + far]};

    if (scene) {
        for (int c = 0; c < 2; c++) {
            if (scene->target_mask[c]) memset(scene->target_mask[c], 0, pixels);
            if (scene->marker_cover[c]) memset(scene->marker_cover[c], 0, pixels * sizeof(float));
        }
        scene->margin = margin;
        scene->n_contours = n_contours;
        memset(scene->dashes, 0, sizeof scene->dashes);
        for (int j = 0; j < l.n_dashes; j++) scene->dashes[l.dashes[j].contour]++;
        for (int k = 0; k < 2; k++) {
            scene->marker_y[k] = markers[k]->y;
            scene->marker_x[k] = markers[k]->x;
            scene->marker_contour[k] = markers[k]->contour;
        }
    }
    for (int j = 0; j < l.n_dashes; j++) {
        const segment *d = &l.dashes[j];
        const bool target = d->contour < 2;
        draw_dash(canvas, p->size, d, t, p->antialias, target ? p->target_contrast : p->distractor_contrast,
                  target && scene ? scene->target_mask[d->contour] : NULL);
    }
    for (int k = 0; k < 2; k++)
        draw_marker(canvas, p->size, markers[k]->y, markers[k]->x, p->marker_radius, p->antialias,
                    scene ? scene->marker_cover[k] : NULL);
    float brightest = 0;
    for (size_t i = 0; i < pixels; i++) brightest = canvas[i] > brightest ? canvas[i] : brightest;
    CHECK(brightest > 0);
    for (size_t i = 0; i < pixels; i++) grey[i] = (uint8_t)(canvas[i] / brightest * 255.0f + 0.5f);
out:
    free(canvas);
    free(tables);
    free(l.candidates);
    free(l.dashes);
    return status;
}
