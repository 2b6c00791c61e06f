/* test_positions.c — the position encodings of nn/position.h outside the mechanisms, in
 * double precision: token positions (counting up, down, randomized: sorted, distinct,
 * in range, reproducible by key, different across sequences, the whole range when
 * max_position = length); the gathered table forward and backward (finite
 * differences); RoPE (hand-computed rotations, finite differences, norms preserved,
 * q·k depending only on the position difference, full attention unchanged when every
 * position shifts); ALiBi slopes for 4, 6, 8 and 12 heads and bias values at
 * hand-computed points (the +½·slope when the key lies before the query); T5 buckets
 * at hand-computed points and against the float formula; the parameter counts. The
 * mechanisms' position scores are checked in test_position_scores. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attention_reference.h"
#include "config/config.h"
#include "core/check.h"
#include "gradcheck.h"
#include "mechanisms/mechanism.h"
#include "mechanisms/position_scores.h"
#include "nn/position.h"
#include "testing.h"

static void *zalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) abort();
    return p;
}

/* ---- positions ---- */

static void check_counting(void) {
    const int B = 4, T = 7;
    const int32_t lengths[] = {5, 3, 0, 7};
    int32_t up[28], down[28];
    positions_fill(up, lengths, B, T, false, false, 0, 1);
    positions_fill(down, lengths, B, T, true, false, 0, 1);
    bool up_ok = true, down_ok = true;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            const int L = lengths[b];
            if (up[b * T + t] != (t < L ? t : 0)) up_ok = false;
            if (down[b * T + t] != (t < L ? L - t : 0)) down_ok = false;
        }
    test_check(up_ok, "positions count 0..L-1, padding 0", "lengths 5, 3, 0, 7 in T 7");
    test_check(down_ok, "reversed positions count L..1, padding 0", "lengths 5, 3, 0, 7 in T 7");
}

static void check_randomized(void) {
    enum { B = 4, T = 9, MAX = 20 };
    const int32_t lengths[B] = {9, 9, 4, 0};
    int32_t p[B * T], again[B * T], other[B * T], reversed[B * T];
    positions_fill(p, lengths, B, T, false, true, MAX, 42);
    positions_fill(again, lengths, B, T, false, true, MAX, 42);
    positions_fill(other, lengths, B, T, false, true, MAX, 43);
    positions_fill(reversed, lengths, B, T, true, true, MAX, 42);
    bool sorted = true, in_range = true, padding = true, mirrored = true;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++) {
            const int32_t x = p[b * T + t];
            if (t >= lengths[b]) {
                if (x != 0 || reversed[b * T + t] != 0) padding = false;
                continue;
            }
            if (x < 0 || x >= MAX) in_range = false;
            if (t > 0 && x <= p[b * T + t - 1]) sorted = false;
            if (reversed[b * T + t] != p[b * T + lengths[b] - 1 - t]) mirrored = false;
        }
    test_check(sorted, "randomized positions are strictly increasing (sorted, distinct)", "max_position %d", MAX);
    test_check(in_range, "randomized positions lie in [0, max_position)", "max_position %d", MAX);
    test_check(padding, "padding positions are 0", "randomized");
    test_check(mirrored, "reversed randomized positions are the same draws in decreasing order", "key 42");
    test_check(memcmp(p, again, sizeof p) == 0, "the same key draws the same positions", "key 42 twice");
    test_check(memcmp(p, other, sizeof p) != 0, "another key draws other positions", "keys 42, 43");
    test_check(memcmp(p, p + T, sizeof(int32_t) * T) != 0, "sequences of one batch draw different positions",
               "b 0 and 1, both of length 9");

    /* max_position = L leaves no choice: 0..L-1. Over many keys every value is drawn. */
    int32_t whole[T];
    const int32_t nine[] = {9};
    positions_fill(whole, nine, 1, T, false, true, 9, 5);
    bool identity = true;
    for (int t = 0; t < T; t++) identity = identity && whole[t] == t;
    test_check(identity, "max_position = length gives 0..L-1", "L 9");
    int seen[MAX] = {0};
    const int32_t five[] = {5};
    for (uint64_t key = 0; key < 200; key++) {
        int32_t q[5];
        positions_fill(q, five, 1, 5, false, true, MAX, key);
        for (int t = 0; t < 5; t++) seen[q[t]]++;
    }
    int unseen = 0, most = 0;
    for (int i = 0; i < MAX; i++) {
        unseen += seen[i] == 0;
        most = seen[i] > most ? seen[i] : most;
    }
    /* 1000 draws over 20 values: 50 expected each; 100 is ~7 standard deviations. */
    test_check(unseen == 0 && most < 100, "200 keys draw every value of [0, 20), none far too often",
               "%d unseen, largest count %d", unseen, most);
}

/* ---- the gathered table ---- */

typedef struct gather_case {
    real *x, *base, *table, *weights;
    const int32_t *positions, *lengths;
    int B, T, C;
} gather_case;

static double gather_loss(void *ctx) {
    gather_case *g = ctx;
    memcpy(g->x, g->base, sizeof(real) * g->B * g->T * g->C);
    positional_gather_forward(g->x, g->table, g->positions, g->lengths, g->B, g->T, g->C);
    return gradcheck_weighted_sum(g->x, g->weights, (size_t)g->B * g->T * g->C);
}

static void check_gather(void) {
    enum { B = 3, T = 5, C = 3, ROWS = 12 };
    const int32_t lengths[B] = {5, 0, 3};
    int32_t positions[B * T];
    positions_fill(positions, lengths, B, T, false, true, ROWS, 8);
    positions[2 * T] = positions[0]; /* two tokens at one position: their gradients add */
    real x[B * T * C], base[B * T * C], table[ROWS * C], weights[B * T * C], dtable[ROWS * C] = {0};
    double expected[ROWS * C] = {0};
    gradcheck_fill(base, B * T * C, 1, 1.0);
    gradcheck_fill(table, ROWS * C, 2, 1.0);
    gradcheck_fill(weights, B * T * C, 3, 1.0);
    gather_case g = {x, base, table, weights, positions, lengths, B, T, C};
    gather_loss(&g);
    double worst = 0;
    for (int b = 0; b < B; b++)
        for (int t = 0; t < T; t++)
            for (int c = 0; c < C; c++) {
                const int i = (b * T + t) * C + c;
                const double want = base[i] + (t < lengths[b] ? table[positions[b * T + t] * C + c] : 0);
                worst = fmax(worst, fabs(x[i] - want));
                if (t < lengths[b]) expected[positions[b * T + t] * C + c] += weights[i];
            }
    test_check(worst == 0, "gather adds table[position] to real tokens only", "max diff %.3g", worst);
    positional_gather_backward(dtable, weights, positions, lengths, B, T, C);
    worst = 0;
    for (int i = 0; i < ROWS * C; i++) worst = fmax(worst, fabs(dtable[i] - expected[i]));
    test_check(worst < 1e-15, "gather backward sums dx into the rows used", "max diff %.3g", worst);
    gradcheck_compare("positional gather table", table, dtable, ROWS * C, gather_loss, &g, 1e-6, 1e-8);
}

/* ---- RoPE ---- */

typedef struct rope_case {
    real *x, *base, *weights;
    const int32_t *positions;
    int B, NH, T, hs;
} rope_case;

static double rope_loss(void *ctx) {
    rope_case *r = ctx;
    const size_t n = (size_t)r->B * r->NH * r->T * r->hs;
    memcpy(r->x, r->base, sizeof(real) * n);
    rope_forward(r->x, r->positions, r->B, r->NH, r->T, r->hs, 1e4);
    return gradcheck_weighted_sum(r->x, r->weights, n);
}

static void check_rope_values(void) {
    /* Position 1, hs 4: pair 0 turns by 1 rad, pair 1 by 1e4^(-1/2) = 0.01 rad. */
    real x[2 * 4] = {1, 0, 1, 0, 2, 3, 4, 5};
    const int32_t positions[2] = {1, 0};
    rope_forward(x, positions, 1, 1, 2, 4, 1e4);
    const double want[4] = {cos(1.0), sin(1.0), cos(0.01), sin(0.01)};
    double worst = 0;
    for (int c = 0; c < 4; c++) worst = fmax(worst, fabs(x[c] - want[c]));
    test_check(worst < 1e-15, "RoPE of (1,0,1,0) at position 1 is (cos 1, sin 1, cos .01, sin .01)",
               "max diff %.3g", worst);
    test_check(x[4] == 2 && x[5] == 3 && x[6] == 4 && x[7] == 5, "RoPE at position 0 changes nothing", "hs 4");
    real odd[3] = {0.5, -1, 7};
    const int32_t at[1] = {3};
    rope_forward(odd, at, 1, 1, 1, 3, 1e4);
    test_check(odd[2] == 7 && fabs(odd[0] - (0.5 * cos(3.0) + sin(3.0))) < 1e-15,
               "odd head size: the pair turns and the last channel stays", "hs 3, position 3");
}

static void check_rope_gradients_and_norms(void) {
    enum { B = 2, NH = 3, T = 5, HS = 6, N = B * NH * T * HS };
    const int32_t lengths[B] = {5, 3};
    int32_t positions[B * T];
    positions_fill(positions, lengths, B, T, true, true, 2048, 9);
    real *x = zalloc(N, sizeof(real)), *base = zalloc(N, sizeof(real)), *weights = zalloc(N, sizeof(real));
    real *grad = zalloc(N, sizeof(real));
    gradcheck_fill(base, N, 4, 1.5);
    gradcheck_fill(weights, N, 5, 1.0);
    rope_case r = {x, base, weights, positions, B, NH, T, HS};
    rope_loss(&r);
    double worst_norm = 0;
    for (int row = 0; row < N / HS; row++) {
        double before = 0, after = 0;
        for (int c = 0; c < HS; c++) {
            before += base[row * HS + c] * base[row * HS + c];
            after += x[row * HS + c] * x[row * HS + c];
        }
        worst_norm = fmax(worst_norm, fabs(sqrt(after) - sqrt(before)));
    }
    test_check(worst_norm < 1e-14, "RoPE preserves the norm of every head vector", "max change %.3g", worst_norm);
    memcpy(grad, weights, sizeof(real) * N);
    rope_backward(grad, positions, B, NH, T, HS, 1e4);
    gradcheck_compare("RoPE input (reversed randomized positions up to 2048)", base, grad, N, rope_loss, &r, 1e-6,
                      1e-8);
    /* Backward undoes forward: a rotation's transpose is its inverse. */
    memcpy(grad, x, sizeof(real) * N);
    rope_backward(grad, positions, B, NH, T, HS, 1e4);
    double worst = 0;
    for (int i = 0; i < N; i++) worst = fmax(worst, fabs(grad[i] - base[i]));
    test_check(worst < 1e-14, "rope_backward inverts rope_forward", "max diff %.3g", worst);
    free(x), free(base), free(weights), free(grad);
}

static double dot(const real *a, const real *b, int n) {
    double s = 0;
    for (int c = 0; c < n; c++) s += (double)a[c] * b[c];
    return s;
}

static void check_rope_relative(void) {
    enum { HS = 8 };
    real q[HS], k[HS];
    gradcheck_fill(q, HS, 6, 1.0);
    gradcheck_fill(k, HS, 7, 1.0);
    const int pairs[][3] = {{0, 5, 11}, {7, 2, 100}, {3, 3, 1999}, {40, 0, 517}};
    double worst = 0, spread = 0;
    for (size_t n = 0; n < sizeof pairs / sizeof pairs[0]; n++) {
        const int p = pairs[n][0], s = pairs[n][1], shift = pairs[n][2];
        real a[HS], b[HS], c[HS], d[HS];
        memcpy(a, q, sizeof q), memcpy(b, k, sizeof k), memcpy(c, q, sizeof q), memcpy(d, k, sizeof k);
        rope_forward(a, &(int32_t){p}, 1, 1, 1, HS, 1e4);
        rope_forward(b, &(int32_t){s}, 1, 1, 1, HS, 1e4);
        rope_forward(c, &(int32_t){p + shift}, 1, 1, 1, HS, 1e4);
        rope_forward(d, &(int32_t){s + shift}, 1, 1, 1, HS, 1e4);
        worst = fmax(worst, fabs(dot(a, b, HS) - dot(c, d, HS)));
        spread = fmax(spread, fabs(dot(a, b, HS) - dot(q, k, HS)));
    }
    test_check(worst < 1e-12, "q·k after RoPE depends only on the position difference",
               "4 pairs shifted by up to 1999: max diff %.3g", worst);
    test_check(spread > 1e-3, "and does depend on it", "max change from unrotated %.3g", spread);

    /* Full attention on RoPE'd Q and K: shifting every position changes no output. */
    enum { T = 6, N = T * HS };
    real base[3 * N], shifted[3 * N], out_a[N], out_b[N];
    gradcheck_fill(base, 3 * N, 8, 1.5);
    memcpy(shifted, base, sizeof base);
    int32_t p[T], p_shift[T];
    for (int t = 0; t < T; t++) p[t] = 3 * t, p_shift[t] = 3 * t + 250;
    for (int m = 0; m < 2; m++) {
        rope_forward(base + m * N, p, 1, 1, T, HS, 1e4);
        rope_forward(shifted + m * N, p_shift, 1, 1, T, HS, 1e4);
    }
    uint8_t allowed[T * T];
    reference_padding_mask(allowed, T, T);
    reference_attention_forward(out_a, base, base + N, base + 2 * N, allowed, T, HS);
    reference_attention_forward(out_b, shifted, shifted + N, shifted + 2 * N, allowed, T, HS);
    worst = 0;
    for (int i = 0; i < N; i++) worst = fmax(worst, fabs(out_a[i] - out_b[i]));
    test_check(worst < 1e-12, "attention with RoPE is unchanged when every position shifts by 250",
               "max diff %.3g", worst);
}

/* ---- ALiBi and T5 definitions ---- */

static void check_alibi_slopes(void) {
    const struct {
        int heads;
        double exponents[12]; /* slope = 2^exponent */
    } tables[] = {
        {4, {-2, -4, -6, -8}},
        {6, {-2, -4, -6, -8, -1, -3}},
        {8, {-1, -2, -3, -4, -5, -6, -7, -8}},
        {12, {-1, -2, -3, -4, -5, -6, -7, -8, -0.5, -1.5, -2.5, -3.5}},
    };
    for (size_t n = 0; n < sizeof tables / sizeof tables[0]; n++) {
        double worst = 0;
        for (int h = 0; h < tables[n].heads; h++)
            worst = fmax(worst, fabs(position_alibi_slope(h, tables[n].heads) - pow(2, tables[n].exponents[h])));
        char what[80];
        snprintf(what, sizeof what, "ALiBi slopes of %d heads match the reference table", tables[n].heads);
        test_check(worst < 1e-15, what, "max diff %.3g", worst);
    }
}

static void check_t5_buckets(void) {
    const int64_t at[][2] = {{0, 0},     {1, 1},      {7, 7},     {-1, 17},   {-7, 23},    {8, 8},
                             {-8, 24},   {11, 8},     {12, 9},    {16, 10},   {63, 13},    {64, 14},
                             {90, 14},   {91, 15},    {127, 15},  {-127, 31}, {128, 15},   {-128, 31},
                             {1000, 15}, {-1000, 31}, {-45, 28}, {-46, 29},  {1 << 30, 15}};
    bool ok = true;
    for (size_t n = 0; n < sizeof at / sizeof at[0]; n++)
        if (position_t5_bucket(at[n][0]) != at[n][1]) {
            ok = false;
            printf("  bucket(%lld) = %d, expected %lld\n", (long long)at[n][0], position_t5_bucket(at[n][0]),
                   (long long)at[n][1]);
        }
    test_check(ok, "T5 buckets at hand-computed distances (query − key; key after query: +16)", "%zu points",
               sizeof at / sizeof at[0]);
    /* HF's formula in double, wherever it is not within rounding of a bucket edge. */
    int disagree = 0, compared = 0;
    for (int d = -3000; d <= 3000; d++) {
        const int n = abs(d);
        if (n >= 8) {
            const double x = log(n / 8.0) / log(16.0) * 8;
            if (fabs(x - round(x)) < 1e-9) continue;
        }
        const int large = n < 8 ? n : (int)fmin(15, 8 + floor(log(n / 8.0) / log(16.0) * 8));
        const int want = (d < 0 ? 16 : 0) + large;
        compared++;
        disagree += position_t5_bucket(d) != want;
    }
    test_check(disagree == 0, "T5 buckets equal 8 + ⌊8·ln(n/8)/ln 16⌋ (capped) for |d| ≤ 3000",
               "%d of %d disagree", disagree, compared);
}

/* The position term of every pair, read back from position_scores_add on zero scores. */
static void bias_matrix(int kind, int heads, const int32_t *positions, int T, const real *params, real *scores) {
    const attention_geometry geometry = {.heads = heads, .head_size = 2, .max_tokens = T, .layers = 1,
                                         .global_token = -1, .positional = kind, .max_position = 1000};
    position_layout layout;
    error_info err = {0};
    CHECK(position_layout_init(&layout, &geometry, &err) == 0);
    const attention_positions pos = {.kind = kind, .positions = positions, .params = params};
    const attention_call call = {.shape = {1, heads, T, 2}, .lengths = &(int32_t){T}, .positions = &pos};
    position_scores ps;
    real shared[1];
    position_scores_begin(&ps, &layout, &call, shared, false);
    memset(scores, 0, sizeof(real) * heads * T * T);
    for (int h = 0; h < heads; h++)
        position_scores_add(&ps, 0, h, NULL, T, NULL, T, NULL, NULL, scores + (size_t)h * T * T, NULL);
    position_layout_free(&layout);
}

static void check_hand_biases(void) {
    enum { H = 8, T = 5 };
    const int32_t positions[T] = {0, 1, 2, 3, 4};
    real s[H * T * T];
    bias_matrix(POSITIONAL_ALIBI, H, positions, T, NULL, s);
    /* Head 0, slope ½: key 1 before query 3: ½(−2 + ½); key 3 after query 1: ½(−2). */
    test_near(s[3 * T + 1], -0.75, 1e-15, "ALiBi head 0 (slope 1/2), query 3, key 1 (before): -0.75");
    test_near(s[1 * T + 3], -1.0, 1e-15, "ALiBi head 0, query 1, key 3 (after): -1");
    test_near(s[2 * T + 2], 0.0, 0, "ALiBi head 0, query = key: 0");
    test_near(s[7 * T * T + 4 * T + 0], -3.5 / 256, 1e-18, "ALiBi head 7 (slope 1/256), query 4, key 0: -3.5/256");
    test_near(s[7 * T * T + 0 * T + 4], -4.0 / 256, 1e-18, "ALiBi head 7, query 0, key 4: -4/256");
    /* With positions counting down, "before" is by position: key 3 (position 1) lies
     * before query 1 (position 3). */
    const int32_t down[T] = {5, 4, 3, 2, 1};
    bias_matrix(POSITIONAL_ALIBI, H, down, T, NULL, s);
    test_near(s[1 * T + 3], -0.75, 1e-15, "ALiBi with reversed positions compares positions, not indices");

    real table[H * POSITION_T5_BUCKETS];
    for (int i = 0; i < H * POSITION_T5_BUCKETS; i++) table[i] = (real)i;
    const int32_t far[T] = {0, 9, 20, 100, 300};
    bias_matrix(POSITIONAL_T5, H, far, T, table, s);
    test_near(s[4 * T + 0], 15, 0, "T5 head 0, query 300, key 0: bucket 15");
    test_near(s[0 * T + 4], 31, 0, "T5 head 0, query 0, key 300: bucket 31");
    test_near(s[2 * T * T + 2 * T + 1], 2 * 32 + 8, 0, "T5 head 2, query 20, key 9: bucket 8 of head 2");
    test_near(s[2 * T * T + 1 * T + 2], 2 * 32 + 24, 0, "T5 head 2, query 9, key 20: bucket 24 of head 2");
}

static void check_parameter_counts(void) {
    test_check(position_bias_params(POSITIONAL_ALIBI, 8, 8) == 0, "ALiBi has no parameters", "8 heads");
    test_check(position_bias_params(POSITIONAL_T5, 8, 8) == 8 * 32, "T5: heads × 32 parameters", "8 heads");
    test_check(position_bias_params(POSITIONAL_RELATIVE, 8, 8) == 2 * 64 + 64 * 64,
               "relative: u, v (heads × hs each) and W_r (64 × 64)", "8 heads of 8");
    test_check(position_bias_params(POSITIONAL_RELATIVE, 1, 3) == 2 * 3 + 4 * 3,
               "relative with an odd heads·hs: R is one wider", "1 head of 3");
    test_check(position_bias_params(POSITIONAL_ROPE, 8, 8) == 0 && !position_kind_scores(POSITIONAL_ROPE) &&
                   position_kind_scores(POSITIONAL_T5),
               "RoPE has no score parameters and does not act on scores", "kinds");
}

int main(void) {
    check_counting();
    check_randomized();
    check_gather();
    check_rope_values();
    check_rope_gradients_and_norms();
    check_rope_relative();
    check_alibi_slopes();
    check_t5_buckets();
    check_hand_biases();
    check_parameter_counts();
    return test_finish("test_positions");
}
