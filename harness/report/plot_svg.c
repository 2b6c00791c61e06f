/* plot_svg.c — a line chart as a self-contained SVG document, for the reports' plots.
 *
 * Plain SVG 1.1 that any browser or `rsvg-convert` renders: a generic font family, no
 * scripts, fonts, images or links. Coordinates are printed with two decimals from a
 * fixed frame, so the same chart gives the same bytes. Every element that a test or a
 * person may look for has a class: train-band, chance, grid, axes, curve, legend. */
#include <math.h>

#include "core/check.h"
#include "report/report_internal.h"

enum { WIDTH = 800, MIN_HEIGHT = 470, LEGEND_X = 580, LEGEND_ROW = 20 };

static const char *const colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                      "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
enum { N_COLOURS = (int)(sizeof colours / sizeof colours[0]) };
/* A white outline behind a label, so that it stays readable across the curves. */
#define HALO " stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\""
static const char *const dashes[] = {"", " stroke-dasharray=\"8 3\"", " stroke-dasharray=\"2 2\""};

static void write_text(FILE *out, const char *text) {
    for (const char *p = text; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*p, out);
        }
    }
}

/* 1, 2 or 5 times a power of ten, at least raw. */
static double nice_step(double raw) {
    static const double factors[] = {1, 2, 5};
    const double magnitude = pow(10.0, floor(log10(raw)));
    for (int i = 0; i < 3; i++)
        if (factors[i] * magnitude >= raw) return factors[i] * magnitude;
    return 10.0 * magnitude;
}

typedef struct frame {
    double x_min, x_max, y_min, y_max;
} frame;

static double px(const frame *f, double x) {
    const double t = (x - f->x_min) / (f->x_max - f->x_min);
    return SVG_PLOT_LEFT + fmin(1.0, fmax(0.0, t)) * (SVG_PLOT_RIGHT - SVG_PLOT_LEFT);
}

static double py(const frame *f, double y) {
    const double t = (y - f->y_min) / (f->y_max - f->y_min);
    return SVG_PLOT_BOTTOM - fmin(1.0, fmax(0.0, t)) * (SVG_PLOT_BOTTOM - SVG_PLOT_TOP);
}

static void write_axes(const svg_chart *c, const frame *f, double x_step, FILE *out) {
    fputs("<g class=\"grid\" stroke=\"#e5e5e5\" stroke-width=\"1\">\n", out);
    const int y_ticks = (int)llround((f->y_max - f->y_min) / c->y_tick);
    const int x_ticks = (int)llround((f->x_max - f->x_min) / x_step);
    for (int k = 0; k <= y_ticks; k++)
        fprintf(out, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\"/>\n", SVG_PLOT_LEFT,
                py(f, f->y_min + k * c->y_tick), SVG_PLOT_RIGHT, py(f, f->y_min + k * c->y_tick));
    for (int k = 0; k <= x_ticks; k++)
        fprintf(out, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>\n", px(f, f->x_min + k * x_step),
                SVG_PLOT_TOP, px(f, f->x_min + k * x_step), SVG_PLOT_BOTTOM);
    fputs("</g>\n<g class=\"axes\" stroke=\"#000000\" stroke-width=\"1\">\n", out);
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", SVG_PLOT_LEFT, SVG_PLOT_BOTTOM, SVG_PLOT_RIGHT,
            SVG_PLOT_BOTTOM);
    fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", SVG_PLOT_LEFT, SVG_PLOT_TOP, SVG_PLOT_LEFT,
            SVG_PLOT_BOTTOM);
    for (int k = 0; k <= y_ticks; k++) {
        const double y = py(f, f->y_min + k * c->y_tick);
        fprintf(out, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\"/>\n", SVG_PLOT_LEFT - 5, y, SVG_PLOT_LEFT, y);
        fprintf(out, "<text x=\"%d\" y=\"%.2f\" stroke=\"none\" text-anchor=\"end\">%g</text>\n", SVG_PLOT_LEFT - 8,
                y + 4, f->y_min + k * c->y_tick);
    }
    for (int k = 0; k <= x_ticks; k++) {
        const double x = px(f, f->x_min + k * x_step);
        fprintf(out, "<line x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\"/>\n", x, SVG_PLOT_BOTTOM, x,
                SVG_PLOT_BOTTOM + 5);
        fprintf(out, "<text x=\"%.2f\" y=\"%d\" stroke=\"none\" text-anchor=\"middle\">%g</text>\n", x,
                SVG_PLOT_BOTTOM + 19, f->x_min + k * x_step);
    }
    fputs("</g>\n", out);
    fprintf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (SVG_PLOT_LEFT + SVG_PLOT_RIGHT) / 2,
            SVG_PLOT_BOTTOM + 40);
    write_text(out, c->x_label);
    fprintf(out, "</text>\n<text x=\"20\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 20 %d)\">",
            (SVG_PLOT_TOP + SVG_PLOT_BOTTOM) / 2, (SVG_PLOT_TOP + SVG_PLOT_BOTTOM) / 2);
    write_text(out, c->y_label);
    fputs("</text>\n", out);
}

static bool has_band(const svg_chart *c) { return c->band_to > c->band_from; }

/* Under the grid and the curves: the band and the dashed line. */
static void write_marks(const svg_chart *c, const frame *f, FILE *out) {
    if (has_band(c))
        fprintf(out, "<rect class=\"train-band\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"#dce8f5\"/>\n",
                px(f, c->band_from), SVG_PLOT_TOP, px(f, c->band_to) - px(f, c->band_from),
                SVG_PLOT_BOTTOM - SVG_PLOT_TOP);
    if (c->has_hline)
        fprintf(out, "<line class=\"chance\" x1=\"%d\" y1=\"%.2f\" x2=\"%d\" y2=\"%.2f\" stroke=\"#444444\" "
                     "stroke-width=\"1\" stroke-dasharray=\"6 4\"/>\n",
                SVG_PLOT_LEFT, py(f, c->hline), SVG_PLOT_RIGHT, py(f, c->hline));
}

/* Over the curves: the labels of the band and the line. */
static void write_mark_labels(const svg_chart *c, const frame *f, FILE *out) {
    if (has_band(c)) {
        fprintf(out, "<text x=\"%.2f\" y=\"%d\" font-size=\"11\" fill=\"#355a80\"" HALO ">",
                px(f, c->band_from) + 3, SVG_PLOT_BOTTOM - 6);
        write_text(out, c->band_label);
        fputs("</text>\n", out);
    }
    if (c->has_hline) {
        fprintf(out, "<text x=\"%d\" y=\"%.2f\" font-size=\"11\" text-anchor=\"end\" fill=\"#444444\"" HALO ">",
                SVG_PLOT_RIGHT - 3, py(f, c->hline) - 4);
        write_text(out, c->hline_label);
        fputs("</text>\n", out);
    }
}

static void write_series(const svg_chart *c, const frame *f, FILE *out) {
    for (int s = 0; s < c->n_series; s++) {
        const svg_series *series = &c->series[s];
        if (series->n == 0) continue;
        fprintf(out, "<polyline class=\"curve\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"%s points=\"",
                colours[series->style % N_COLOURS], dashes[(series->style / N_COLOURS) % 3]);
        for (int i = 0; i < series->n; i++)
            fprintf(out, "%s%.2f,%.2f", i ? " " : "", px(f, series->x[i]), py(f, series->y[i]));
        fputs("\"/>\n", out);
    }
    fputs("<g class=\"legend\">\n", out);
    for (int s = 0; s < c->n_series; s++) {
        const svg_series *series = &c->series[s];
        const int y = SVG_PLOT_TOP + 6 + s * LEGEND_ROW;
        fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>\n", LEGEND_X,
                y, LEGEND_X + 24, y, colours[series->style % N_COLOURS], dashes[(series->style / N_COLOURS) % 3]);
        fprintf(out, "<text x=\"%d\" y=\"%d\">", LEGEND_X + 30, y + 4);
        write_text(out, series->label);
        fputs("</text>\n", out);
    }
    fputs("</g>\n", out);
}

void svg_chart_write(const svg_chart *c, FILE *out) {
    CHECK(c->x_max > c->x_min && c->y_max > c->y_min && c->y_tick > 0);
    const double x_step = nice_step((c->x_max - c->x_min) / 8.0);
    const frame f = {c->x_min, c->x_min + ceil((c->x_max - c->x_min) / x_step - 1e-9) * x_step, c->y_min, c->y_max};
    const int legend_bottom = SVG_PLOT_TOP + c->n_series * LEGEND_ROW + 20;
    const int height = legend_bottom > MIN_HEIGHT ? legend_bottom : MIN_HEIGHT;
    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n<title>",
            WIDTH, height, WIDTH, height);
    write_text(out, c->title);
    fprintf(out, "</title>\n<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", WIDTH, height);
    fprintf(out, "<text x=\"%d\" y=\"28\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">", WIDTH / 2);
    write_text(out, c->title);
    fprintf(out, "</text>\n<text x=\"%d\" y=\"50\" text-anchor=\"middle\" fill=\"#555555\">", WIDTH / 2);
    write_text(out, c->subtitle);
    fputs("</text>\n", out);
    write_marks(c, &f, out);
    write_axes(c, &f, x_step, out);
    write_series(c, &f, out);
    write_mark_labels(c, &f, out);
    fputs("</svg>\n", out);
}
