/* test_layers.c — every layer of harness/nn against finite differences, a direct
 * formula, and the rule that backward adds (two calls give exactly twice one call).
 *
 * Linked in double precision. Each layer's test loss is Σ out ⊙ R for a fixed random
 * R (crossentropy: its own loss, weighted per row), so that every output matters and
 * none is hidden by a sum to 1. Shapes are deliberately awkward (N = 7, C = 5, odd
 * sizes, IC ≠ OC) and some have C = 300, wider than the 256-column blocks in which
 * the layers accumulate column sums, so that the block loop is exercised too.
 *
 * Finite differences use eps = 1e-6 and tolerance 1e-6 on the relative error
 * max|a − n| / max|n|: every layer here is smooth at the points tested (central
 * differences are then accurate to about 1e-9), except ReLU, whose inputs are kept at
 * least 0.1 away from its kink so that x ± eps never crosses it. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/rng.h"
#include "gradcheck.h"
#include "nn/nn.h"
#include "testing.h"

static const double grad_eps = 1e-6;
static const double grad_tol = 1e-6;

/* The buffers of one test case, freed together. */
typedef struct pool {
    void *blocks[32];
    int n;
} pool;

static real *pool_reals(pool *p, size_t n) {
    CHECK(p->n < 32);
    real *x = calloc(n ? n : 1, sizeof *x);
    CHECK(x != NULL);
    p->blocks[p->n++] = x;
    return x;
}

static void pool_free(pool *p) {
    for (int i = 0; i < p->n; i++) free(p->blocks[i]);
    p->n = 0;
}

/* Two backward calls into the same buffers must give twice one call: bitwise when
 * tol is 0, else within tol · max|one| (see the uses for why). */
static void check_twice(const char *name, const real *once, const real *twice, size_t n,
                        double tol) {
    size_t bad = 0;
    double scale = 0;
    for (size_t i = 0; i < n; i++) scale = fmax(scale, fabs(once[i]));
    for (size_t i = 0; i < n; i++)
        bad += tol == 0 ? !(twice[i] == 2 * once[i])
                        : !(fabs(twice[i] - 2 * once[i]) <= tol * scale);
    char what[256];
    if (tol == 0)
        snprintf(what, sizeof what, "twice %s: two backward calls give 2x one call, bitwise (n=%zu)",
                 name, n);
    else
        snprintf(what, sizeof what,
                 "twice %s: two backward calls give 2x one call, within %.0e relative (n=%zu)",
                 name, tol, n);
    test_check(bad == 0, what, "%zu of %zu elements differ", bad, n);
}

/* max |got − expected| over n values, reported against a tolerance. */
static void check_close(const char *name, const real *got, const double *expected, size_t n,
                        double tol) {
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        const double d = fabs((double)got[i] - expected[i]);
        if (!(d <= worst)) worst = d;
    }
    char what[256];
    snprintf(what, sizeof what, "%s: max |got - direct| = %.3e over n=%zu (tol %.0e)", name, worst,
             n, tol);
    test_check(worst <= tol, what, "differs from the direct formula");
}

static bool all_zero(const real *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (x[i] != 0) return false;
    return true;
}

/* ---- linear ---------------------------------------------------------------------- */

typedef struct linear_case {
    int N, IC, OC;
    bool has_bias;
    real *inp, *weight, *bias, *out, *R;
} linear_case;

static double linear_loss(void *ctx) {
    linear_case *k = ctx;
    linear_forward(k->out, k->inp, k->weight, k->has_bias ? k->bias : NULL, k->N, k->IC, k->OC);
    return gradcheck_weighted_sum(k->out, k->R, (size_t)k->N * k->OC);
}

static void test_linear(int N, int IC, int OC, bool has_bias) {
    pool p = {0};
    const size_t n_inp = (size_t)N * IC, n_w = (size_t)IC * OC, n_out = (size_t)N * OC;
    linear_case k = {N, IC, OC, has_bias, pool_reals(&p, n_inp), pool_reals(&p, n_w),
                     pool_reals(&p, OC), pool_reals(&p, n_out), pool_reals(&p, n_out)};
    gradcheck_fill(k.inp, n_inp, 11, 1.0);
    gradcheck_fill(k.weight, n_w, 12, 1.0);
    gradcheck_fill(k.bias, OC, 13, 1.0);
    gradcheck_fill(k.R, n_out, 14, 1.0);
    char name[128];
    snprintf(name, sizeof name, "linear N=%d IC=%d OC=%d %s", N, IC, OC,
             has_bias ? "bias" : "no-bias");

    double *direct = calloc(n_out, sizeof *direct);
    CHECK(direct != NULL);
    for (int n = 0; n < N; n++)
        for (int o = 0; o < OC; o++) {
            double s = has_bias ? k.bias[o] : 0;
            for (int i = 0; i < IC; i++) s += (double)k.inp[n * IC + i] * k.weight[i * OC + o];
            direct[n * OC + o] = s;
        }
    linear_loss(&k);
    char what[160];
    snprintf(what, sizeof what, "%s forward vs triple loop", name);
    check_close(what, k.out, direct, n_out, 1e-12);
    free(direct);

    real *dinp = pool_reals(&p, n_inp), *dw = pool_reals(&p, n_w), *db = pool_reals(&p, OC);
    linear_backward(dinp, dw, has_bias ? db : NULL, k.R, k.inp, k.weight, N, IC, OC);
    snprintf(what, sizeof what, "%s dinp", name);
    gradcheck_compare(what, k.inp, dinp, n_inp, linear_loss, &k, grad_eps, grad_tol);
    snprintf(what, sizeof what, "%s dweight", name);
    gradcheck_compare(what, k.weight, dw, n_w, linear_loss, &k, grad_eps, grad_tol);
    if (has_bias) {
        snprintf(what, sizeof what, "%s dbias", name);
        gradcheck_compare(what, k.bias, db, OC, linear_loss, &k, grad_eps, grad_tol);
    }

    /* OpenBLAS adds a product whose inner dimension exceeds its block size (a few
     * hundred) to C one block at a time, so two calls then round differently from
     * twice one call: such shapes are compared to 1e-14 instead of bitwise. */
    const double dinp_tol = OC > 64 ? 1e-14 : 0, dweight_tol = N > 64 ? 1e-14 : 0;
    real *dinp2 = pool_reals(&p, n_inp), *dw2 = pool_reals(&p, n_w), *db2 = pool_reals(&p, OC);
    for (int call = 0; call < 2; call++)
        linear_backward(dinp2, dw2, has_bias ? db2 : NULL, k.R, k.inp, k.weight, N, IC, OC);
    snprintf(what, sizeof what, "%s dinp", name);
    check_twice(what, dinp, dinp2, n_inp, dinp_tol);
    snprintf(what, sizeof what, "%s dweight", name);
    check_twice(what, dw, dw2, n_w, dweight_tol);
    if (has_bias) {
        snprintf(what, sizeof what, "%s dbias", name);
        check_twice(what, db, db2, OC, 0);
    }
    pool_free(&p);
}

/* ---- layernorm ------------------------------------------------------------------- */

typedef struct layernorm_case {
    int N, C;
    real *inp, *weight, *bias, *out, *mean, *rstd, *R;
} layernorm_case;

static double layernorm_loss(void *ctx) {
    layernorm_case *k = ctx;
    layernorm_forward(k->out, k->mean, k->rstd, k->inp, k->weight, k->bias, k->N, k->C);
    return gradcheck_weighted_sum(k->out, k->R, (size_t)k->N * k->C);
}

static void test_layernorm(int N, int C) {
    pool p = {0};
    const size_t n = (size_t)N * C;
    layernorm_case k = {N, C, pool_reals(&p, n), pool_reals(&p, C), pool_reals(&p, C),
                        pool_reals(&p, n), pool_reals(&p, N), pool_reals(&p, N), pool_reals(&p, n)};
    gradcheck_fill(k.inp, n, 21, 2.0);
    for (size_t i = 0; i < n; i++) k.inp[i] += (real)(0.3 * (double)(i / C)); /* row offsets */
    gradcheck_fill(k.weight, C, 22, 0.5);
    for (int c = 0; c < C; c++) k.weight[c] += 1;
    gradcheck_fill(k.bias, C, 23, 0.5);
    gradcheck_fill(k.R, n, 24, 1.0);
    char name[64], what[160];
    snprintf(name, sizeof name, "layernorm N=%d C=%d", N, C);

    /* Before the affine (weight 1, bias 0) each row has mean 0 and variance
     * var / (var + 1e-5), within 1e-4 of 1 for these inputs. */
    real *ones = pool_reals(&p, C), *zeros = pool_reals(&p, C), *plain = pool_reals(&p, n);
    for (int c = 0; c < C; c++) ones[c] = 1;
    layernorm_forward(plain, k.mean, k.rstd, k.inp, ones, zeros, N, C);
    double worst_mean = 0, worst_var = 0, worst_stats = 0;
    double *direct = calloc(n, sizeof *direct);
    CHECK(direct != NULL);
    for (int r = 0; r < N; r++) {
        const real *x = k.inp + (size_t)r * C, *y = plain + (size_t)r * C;
        double m = 0, v = 0, ym = 0, yv = 0;
        for (int c = 0; c < C; c++) m += x[c];
        m /= C;
        for (int c = 0; c < C; c++) v += (x[c] - m) * (x[c] - m);
        v /= C;
        const double s = 1 / sqrt(v + 1e-5);
        for (int c = 0; c < C; c++) ym += y[c];
        ym /= C;
        for (int c = 0; c < C; c++) yv += (y[c] - ym) * (y[c] - ym);
        yv /= C;
        worst_mean = fmax(worst_mean, fabs(ym));
        worst_var = fmax(worst_var, fabs(yv - 1));
        worst_stats = fmax(worst_stats, fmax(fabs(k.mean[r] - m), fabs(k.rstd[r] - s) / s));
        for (int c = 0; c < C; c++) direct[(size_t)r * C + c] = (x[c] - m) * s * k.weight[c] + k.bias[c];
    }
    snprintf(what, sizeof what, "%s normalised rows: max |mean| = %.2e (tol 1e-12)", name, worst_mean);
    test_check(worst_mean <= 1e-12, what, "rows are not centred");
    snprintf(what, sizeof what, "%s normalised rows: max |var - 1| = %.2e (tol 1e-4)", name, worst_var);
    test_check(worst_var <= 1e-4, what, "rows are not scaled to unit variance");
    snprintf(what, sizeof what, "%s saved mean and rstd vs direct: %.2e (tol 1e-12)", name, worst_stats);
    test_check(worst_stats <= 1e-12, what, "saved statistics differ");
    layernorm_loss(&k);
    snprintf(what, sizeof what, "%s forward with affine vs direct", name);
    check_close(what, k.out, direct, n, 1e-12);
    free(direct);

    real *dinp = pool_reals(&p, n), *dw = pool_reals(&p, C), *db = pool_reals(&p, C);
    layernorm_backward(dinp, dw, db, k.R, k.inp, k.weight, k.mean, k.rstd, N, C);
    snprintf(what, sizeof what, "%s dinp", name);
    gradcheck_compare(what, k.inp, dinp, n, layernorm_loss, &k, grad_eps, grad_tol);
    snprintf(what, sizeof what, "%s dweight", name);
    gradcheck_compare(what, k.weight, dw, C, layernorm_loss, &k, grad_eps, grad_tol);
    snprintf(what, sizeof what, "%s dbias", name);
    gradcheck_compare(what, k.bias, db, C, layernorm_loss, &k, grad_eps, grad_tol);

    real *dinp2 = pool_reals(&p, n), *dw2 = pool_reals(&p, C), *db2 = pool_reals(&p, C);
    for (int call = 0; call < 2; call++)
        layernorm_backward(dinp2, dw2, db2, k.R, k.inp, k.weight, k.mean, k.rstd, N, C);
    snprintf(what, sizeof what, "%s dinp", name);
    check_twice(what, dinp, dinp2, n, 0);
    snprintf(what, sizeof what, "%s dweight", name);
    check_twice(what, dw, dw2, C, 0);
    snprintf(what, sizeof what, "%s dbias", name);
    check_twice(what, db, db2, C, 0);

    /* Asking for only some gradients gives the same values as asking for all. */
    real *dinp3 = pool_reals(&p, n), *dw3 = pool_reals(&p, C), *db3 = pool_reals(&p, C);
    layernorm_backward(dinp3, NULL, NULL, k.R, k.inp, k.weight, k.mean, k.rstd, N, C);
    layernorm_backward(NULL, dw3, db3, k.R, k.inp, k.weight, k.mean, k.rstd, N, C);
    snprintf(what, sizeof what, "%s NULL gradients: the others are unchanged", name);
    test_check(memcmp(dinp3, dinp, n * sizeof *dinp) == 0 &&
                   memcmp(dw3, dw, C * sizeof *dw) == 0 && memcmp(db3, db, C * sizeof *db) == 0,
               what, "gradients differ when some are NULL");
    pool_free(&p);
}

/* ---- gelu and relu --------------------------------------------------------------- */

typedef struct activation_case {
    size_t n;
    bool is_gelu;
    real *inp, *out, *R;
} activation_case;

static double activation_loss(void *ctx) {
    activation_case *k = ctx;
    if (k->is_gelu)
        gelu_forward(k->out, k->inp, k->n);
    else
        relu_forward(k->out, k->inp, k->n);
    return gradcheck_weighted_sum(k->out, k->R, k->n);
}

static void test_activation(bool is_gelu) {
    pool p = {0};
    const size_t n = 7 * 5;
    activation_case k = {n, is_gelu, pool_reals(&p, n), pool_reals(&p, n), pool_reals(&p, n)};
    const char *name = is_gelu ? "gelu" : "relu";
    char what[160];
    gradcheck_fill(k.inp, n, is_gelu ? 31 : 32, 3.0);
    gradcheck_fill(k.R, n, 33, 1.0);
    if (!is_gelu) /* keep every input at least 0.1 away from the kink at 0 */
        for (size_t i = 0; i < n; i++) k.inp[i] += k.inp[i] < 0 ? -0.1 : 0.1;

    double *direct = calloc(n, sizeof *direct);
    CHECK(direct != NULL);
    for (size_t i = 0; i < n; i++) {
        const double x = k.inp[i];
        direct[i] = is_gelu ? 0.5 * x * erfc(-x / sqrt(2.0)) : (x > 0 ? x : 0);
    }
    activation_loss(&k);
    snprintf(what, sizeof what, "%s forward vs direct", name);
    check_close(what, k.out, direct, n, is_gelu ? 1e-15 : 0);
    free(direct);
    if (is_gelu) {
        real x[3] = {1, -1, 0}, y[3];
        gelu_forward(y, x, 3);
        test_near(y[0], 0.8413447460685429, 1e-15, "gelu(1)");
        test_near(y[1], -0.15865525393145707, 1e-15, "gelu(-1)");
        test_near(y[2], 0, 0, "gelu(0)");
    }

    real *dinp = pool_reals(&p, n), *dinp2 = pool_reals(&p, n);
    if (is_gelu)
        gelu_backward(dinp, k.inp, k.R, n);
    else
        relu_backward(dinp, k.inp, k.R, n);
    snprintf(what, sizeof what, "%s n=%zu dinp", name, n);
    gradcheck_compare(what, k.inp, dinp, n, activation_loss, &k, grad_eps, grad_tol);
    for (int call = 0; call < 2; call++) {
        if (is_gelu)
            gelu_backward(dinp2, k.inp, k.R, n);
        else
            relu_backward(dinp2, k.inp, k.R, n);
    }
    check_twice(what, dinp, dinp2, n, 0);
    pool_free(&p);
}

/* ---- embedding ------------------------------------------------------------------- */

typedef struct embedding_case {
    int N, C;
    const int32_t *tokens;
    real *table, *out, *R;
} embedding_case;

static double embedding_loss(void *ctx) {
    embedding_case *k = ctx;
    embedding_forward(k->out, k->tokens, k->table, k->N, k->C);
    return gradcheck_weighted_sum(k->out, k->R, (size_t)k->N * k->C);
}

static void test_embedding(void) {
    pool p = {0};
    enum { N = 7, C = 5, V = 5 };
    static const int32_t tokens[N] = {2, 0, 2, 3, 2, 0, 4}; /* 2 thrice, 0 twice, 1 never */
    embedding_case k = {N, C, tokens, pool_reals(&p, V * C), pool_reals(&p, N * C),
                        pool_reals(&p, N * C)};
    gradcheck_fill(k.table, V * C, 41, 1.0);
    gradcheck_fill(k.R, N * C, 42, 1.0);
    embedding_loss(&k);
    bool rows_ok = true;
    for (int n = 0; n < N; n++)
        rows_ok &= memcmp(k.out + n * C, k.table + tokens[n] * C, C * sizeof *k.out) == 0;
    test_check(rows_ok, "embedding forward: row n is the table row of token n", "rows differ");

    real *dtable = pool_reals(&p, V * C), *dtable2 = pool_reals(&p, V * C);
    embedding_backward(dtable, k.R, tokens, N, C);
    gradcheck_compare("embedding N=7 C=5 V=5 repeated ids dtable", k.table, dtable, V * C,
                      embedding_loss, &k, grad_eps, grad_tol);
    test_check(all_zero(dtable + 1 * C, C), "embedding: an unused token's row gets no gradient",
               "row 1 is not zero");
    /* A repeated token's row receives one addition per occurrence, so two calls may
     * round differently from twice one call: compared to 1e-14 instead of bitwise. */
    for (int call = 0; call < 2; call++) embedding_backward(dtable2, k.R, tokens, N, C);
    check_twice("embedding N=7 C=5 V=5 repeated ids dtable", dtable, dtable2, V * C, 1e-14);
    pool_free(&p);
}

/* ---- positional ------------------------------------------------------------------ */

static void test_positional_sinusoidal(void) {
    /* Hand-computed: table[t][2i] = sin(t / 10000^(2i/C)); with C = 4 the frequencies
     * are 1 and 1/100. */
    real table[1001 * 4];
    positional_sinusoidal_fill(table, 1001, 4);
    static const struct {
        int t, c;
        double value;
    } expected[] = {
        {0, 0, 0.0},
        {0, 1, 1.0},
        {0, 2, 0.0},
        {0, 3, 1.0},
        {1, 0, 0.8414709848078965},
        {1, 1, 0.5403023058681398},
        {1, 2, 0.009999833334166665},
        {1, 3, 0.9999500004166653},
        {3, 0, 0.1411200080598672},
        {3, 1, -0.9899924966004454},
        {3, 2, 0.029995500202495664},
        {3, 3, 0.9995500337489875},
        {1000, 2, -0.5440211108893698},
        {1000, 3, -0.8390715290764524},
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        test_near(table[expected[i].t * 4 + expected[i].c], expected[i].value, 1e-15,
                  "sinusoidal C=4 table[%d][%d]", expected[i].t, expected[i].c);
    /* Odd C: the last column is a sine at frequency 10000^(-4/5). */
    real odd[2 * 5];
    positional_sinusoidal_fill(odd, 2, 5);
    test_near(odd[5 + 4], sin(pow(10000.0, -0.8)), 1e-15, "sinusoidal C=5 table[1][4]");
}

/* ---- dropout --------------------------------------------------------------------- */

typedef struct dropout_case {
    size_t n;
    real prob;
    uint64_t key;
    real *inp, *out, *R;
} dropout_case;

static double dropout_loss(void *ctx) {
    dropout_case *k = ctx;
    dropout_forward(k->out, k->inp, k->n, k->prob, k->key);
    return gradcheck_weighted_sum(k->out, k->R, k->n);
}

static void test_dropout(void) {
    pool p = {0};
    const real prob = (real)0.3;
    const uint64_t key = rng_key(7, 1, 2, 3);

    /* Statistics over many elements: about 1 − p kept (σ ≈ 0.0015), each scaled by
     * 65536 / (65536 − round(0.3 · 65536)), the rest 0, and the mask is the one
     * dropout_kept names. */
    const size_t big = 100000;
    real *ones = pool_reals(&p, big), *dropped = pool_reals(&p, big);
    for (size_t i = 0; i < big; i++) ones[i] = 1;
    dropout_forward(dropped, ones, big, prob, key);
    const real scale = (real)(65536.0 / (65536.0 - 19661.0));
    test_check(dropout_scale(prob) == scale, "dropout p=0.3 scale is 65536 / (65536 - 19661)", "got %.17g",
               (double)dropout_scale(prob));
    size_t kept = 0, wrong = 0;
    for (size_t i = 0; i < big; i++) {
        const bool keep = dropout_kept(key, i, prob);
        kept += keep;
        wrong += dropped[i] != (keep ? scale : 0);
    }
    const double fraction = (double)kept / big;
    test_near(fraction, 0.7, 0.01, "dropout p=0.3 kept fraction over %zu elements", big);
    char what[160];
    snprintf(what, sizeof what, "dropout p=0.3: kept elements are x · scale = %.17g, dropped are 0",
             (double)scale);
    test_check(wrong == 0, what, "%zu elements differ", wrong);
    real *in_place = pool_reals(&p, big);
    memcpy(in_place, ones, big * sizeof *ones);
    dropout_forward(in_place, in_place, big, prob, key);
    test_check(memcmp(in_place, dropped, big * sizeof *dropped) == 0,
               "dropout in place (out == inp) gives the same output", "outputs differ");
    real *other = pool_reals(&p, big);
    dropout_forward(other, ones, big, prob, key + 1);
    test_check(memcmp(other, dropped, big * sizeof *dropped) != 0,
               "dropout: another key gives another mask", "masks are equal");
    dropout_forward(other, ones, big, 0, key);
    test_check(memcmp(other, ones, big * sizeof *ones) == 0, "dropout p=0 copies",
               "output differs from input");

    /* The mask is a fixed function of the key, so the layer is linear in its input. */
    const size_t n = 7 * 5;
    dropout_case k = {n, prob, key, pool_reals(&p, n), pool_reals(&p, n), pool_reals(&p, n)};
    gradcheck_fill(k.inp, n, 61, 1.0);
    gradcheck_fill(k.R, n, 62, 1.0);
    real *dinp = pool_reals(&p, n), *dinp2 = pool_reals(&p, n);
    dropout_backward(dinp, k.R, n, prob, key);
    gradcheck_compare("dropout p=0.3 n=35 dinp", k.inp, dinp, n, dropout_loss, &k, grad_eps,
                      grad_tol);
    for (int call = 0; call < 2; call++) dropout_backward(dinp2, k.R, n, prob, key);
    check_twice("dropout p=0.3 n=35 dinp", dinp, dinp2, n, 0);
    pool_free(&p);
}

/* The fused dropout(ReLU(x)) of the MLP's hidden layer: the same bits as the two layers
 * one after the other, forward and backward, on an odd length with negative, zero and
 * positive inputs; and its gradient by finite differences. */
static double relu_dropout_loss(void *ctx) {
    dropout_case *k = ctx;
    relu_dropout_forward(k->out, k->inp, k->n, k->prob, k->key);
    return gradcheck_weighted_sum(k->out, k->R, k->n);
}

static void test_relu_dropout(void) {
    pool p = {0};
    const real prob = (real)0.3;
    const uint64_t key = rng_key(7, 4, 5, 6);
    const size_t n = 1001; /* not a multiple of the hash block or the chunk */
    dropout_case k = {n, prob, key, pool_reals(&p, n), pool_reals(&p, n), pool_reals(&p, n)};
    gradcheck_fill(k.inp, n, 63, 1.0);
    gradcheck_fill(k.R, n, 64, 1.0);
    k.inp[0] = 0, k.inp[1] = -0.0f; /* ReLU's kink: gradient 0 on both sides of the test */
    real *fused = pool_reals(&p, n), *twice = pool_reals(&p, n);
    relu_dropout_forward(fused, k.inp, n, prob, key);
    relu_forward(twice, k.inp, n);
    dropout_forward(twice, twice, n, prob, key);
    test_check(memcmp(fused, twice, n * sizeof *fused) == 0,
               "relu_dropout_forward n=1001 p=0.3 equals relu_forward then dropout_forward bit for bit",
               "outputs differ");
    real *dfused = pool_reals(&p, n), *dmid = pool_reals(&p, n), *dsteps = pool_reals(&p, n);
    relu_dropout_backward(dfused, k.inp, k.R, n, prob, key);
    dropout_backward(dmid, k.R, n, prob, key);
    relu_backward(dsteps, k.inp, dmid, n);
    test_check(memcmp(dfused, dsteps, n * sizeof *dfused) == 0,
               "relu_dropout_backward n=1001 p=0.3 equals dropout_backward then relu_backward bit for bit",
               "gradients differ");
    relu_dropout_forward(fused, k.inp, n, 0, key);
    relu_forward(twice, k.inp, n);
    test_check(memcmp(fused, twice, n * sizeof *fused) == 0, "relu_dropout_forward p=0 is ReLU", "outputs differ");
    const size_t small = 37;
    dropout_case g = {small, prob, key, k.inp + 2, pool_reals(&p, small), k.R};
    relu_dropout_backward(memset(dfused, 0, small * sizeof *dfused), g.inp, g.R, small, prob, key);
    gradcheck_compare("relu_dropout p=0.3 n=37 dinp", g.inp, dfused, small, relu_dropout_loss, &g, grad_eps,
                      grad_tol);
    pool_free(&p);
}

/* ---- crossentropy ---------------------------------------------------------------- */

typedef struct crossentropy_case {
    int N, C;
    const int32_t *targets;
    const real *scale;
    real *logits, *losses, *probs;
} crossentropy_case;

/* The weighted loss Σ scale_i · loss_i, whose gradient crossentropy_backward gives. */
static double crossentropy_loss(void *ctx) {
    crossentropy_case *k = ctx;
    crossentropy_forward(k->losses, k->probs, k->logits, k->targets, k->N, k->C);
    return gradcheck_weighted_sum(k->losses, k->scale, (size_t)k->N);
}

static void test_crossentropy(void) {
    pool p = {0};
    enum { N = 7, C = 5 };
    static const int32_t targets[N] = {0, 4, 2, 2, 1, 3, 0};
    static const real scale[N] = {0.3, 0.1, 0, 0.25, 0.05, 0.2, 0.1}; /* row 2 unscored */
    crossentropy_case k = {N, C, targets, scale, pool_reals(&p, N * C), pool_reals(&p, N),
                           pool_reals(&p, N * C)};
    gradcheck_fill(k.logits, N * C, 71, 3.0);
    crossentropy_loss(&k);

    double direct_losses[N], direct_probs[N * C], worst_sum = 0;
    for (int n = 0; n < N; n++) {
        double z = 0;
        for (int c = 0; c < C; c++) z += exp(k.logits[n * C + c]);
        for (int c = 0; c < C; c++) direct_probs[n * C + c] = exp(k.logits[n * C + c]) / z;
        direct_losses[n] = log(z) - k.logits[n * C + targets[n]];
        double s = 0;
        for (int c = 0; c < C; c++) s += k.probs[n * C + c];
        worst_sum = fmax(worst_sum, fabs(s - 1));
    }
    check_close("crossentropy losses vs log(sum exp) - x[target]", k.losses, direct_losses, N, 1e-12);
    check_close("crossentropy probs vs exp(x)/sum exp", k.probs, direct_probs, N * C, 1e-15);
    test_near(worst_sum, 0, 1e-15, "crossentropy: max |sum of probs - 1| over rows");

    /* Large logits: the row maximum is subtracted, so nothing overflows. */
    const real big[3] = {1000, 1001, 999};
    const int32_t big_target[1] = {1};
    real big_loss[1], big_probs[3];
    crossentropy_forward(big_loss, big_probs, big, big_target, 1, 3);
    test_near(big_loss[0], log(1 + exp(-1.0) + exp(-2.0)), 1e-15,
              "crossentropy logits (1000, 1001, 999) target 1");
    const int32_t unscored[1] = {-1};
    crossentropy_forward(big_loss, big_probs, big, unscored, 1, 3);
    test_near(big_loss[0], 0, 0, "crossentropy: a negative target (unscored row) has loss 0");

    real *dlogits = pool_reals(&p, N * C), *dlogits2 = pool_reals(&p, N * C);
    crossentropy_backward(dlogits, k.probs, targets, scale, N, C);
    gradcheck_compare("crossentropy N=7 C=5 weighted dlogits", k.logits, dlogits, N * C,
                      crossentropy_loss, &k, grad_eps, grad_tol);
    test_check(all_zero(dlogits + 2 * C, C), "crossentropy: the weight-0 row gets no gradient",
               "row 2 is not zero");
    for (int call = 0; call < 2; call++) crossentropy_backward(dlogits2, k.probs, targets, scale, N, C);
    check_twice("crossentropy N=7 C=5 dlogits", dlogits, dlogits2, N * C, 0);
    pool_free(&p);
}

/* ---- meanpool -------------------------------------------------------------------- */

typedef struct meanpool_case {
    int B, T, C;
    const int32_t *lengths;
    real *inp, *out, *R;
} meanpool_case;

static double meanpool_loss(void *ctx) {
    meanpool_case *k = ctx;
    meanpool_forward(k->out, k->inp, k->lengths, k->B, k->T, k->C);
    return gradcheck_weighted_sum(k->out, k->R, (size_t)k->B * k->C);
}

static void test_meanpool(int B, int T, int C, const int32_t *lengths) {
    pool p = {0};
    const size_t n = (size_t)B * T * C, n_out = (size_t)B * C;
    meanpool_case k = {B, T, C, lengths, pool_reals(&p, n), pool_reals(&p, n_out),
                       pool_reals(&p, n_out)};
    gradcheck_fill(k.inp, n, 81, 1.0);
    gradcheck_fill(k.R, n_out, 82, 1.0);
    char name[64], what[160];
    snprintf(name, sizeof name, "meanpool B=%d T=%d C=%d", B, T, C);
    meanpool_loss(&k);
    double *direct = calloc(n_out, sizeof *direct);
    CHECK(direct != NULL);
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++) {
            double s = 0;
            for (int t = 0; t < lengths[b]; t++) s += k.inp[((size_t)b * T + t) * C + c];
            direct[(size_t)b * C + c] = lengths[b] ? s / lengths[b] : 0;
        }
    snprintf(what, sizeof what, "%s forward vs direct masked mean", name);
    check_close(what, k.out, direct, n_out, 1e-15);
    free(direct);

    real *dinp = pool_reals(&p, n), *dinp2 = pool_reals(&p, n);
    meanpool_backward(dinp, k.R, lengths, B, T, C);
    snprintf(what, sizeof what, "%s dinp", name);
    gradcheck_compare(what, k.inp, dinp, n, meanpool_loss, &k, grad_eps, grad_tol);
    bool padding_zero = true;
    for (int b = 0; b < B; b++)
        padding_zero &= all_zero(dinp + ((size_t)b * T + lengths[b]) * C,
                                 (size_t)(T - lengths[b]) * C);
    snprintf(what, sizeof what, "%s: padding and length-0 rows get no gradient", name);
    test_check(padding_zero, what, "a position t >= length has a gradient");
    for (int call = 0; call < 2; call++) meanpool_backward(dinp2, k.R, lengths, B, T, C);
    snprintf(what, sizeof what, "%s dinp", name);
    check_twice(what, dinp, dinp2, n, 0);
    pool_free(&p);
}

/* ---- pair features ---------------------------------------------------------------- */

typedef struct pair_case {
    int E, C;
    real *pooled, *out, *R;
} pair_case;

static double pair_loss(void *ctx) {
    pair_case *k = ctx;
    pair_features_forward(k->out, k->pooled, k->E, k->C);
    return gradcheck_weighted_sum(k->out, k->R, (size_t)k->E * 4 * k->C);
}

/* Forward against [u, v, u·v, u−v] written out, gradients by finite differences, and
 * the swap property: exchanging the two documents of every pair permutes u and v,
 * keeps u·v and negates u−v, nothing else. */
static void test_pair_features(int E, int C) {
    pool p = {0};
    const size_t n = (size_t)2 * E * C, n_out = (size_t)E * 4 * C;
    pair_case k = {E, C, pool_reals(&p, n), pool_reals(&p, n_out), pool_reals(&p, n_out)};
    gradcheck_fill(k.pooled, n, 91, 1.0);
    gradcheck_fill(k.R, n_out, 92, 1.0);
    char name[64], what[160];
    snprintf(name, sizeof name, "pair features E=%d C=%d", E, C);
    pair_loss(&k);
    double *direct = calloc(n_out, sizeof *direct);
    CHECK(direct != NULL);
    for (int e = 0; e < E; e++)
        for (int c = 0; c < C; c++) {
            const double u = k.pooled[(size_t)e * C + c], v = k.pooled[((size_t)E + e) * C + c];
            double *row = direct + (size_t)e * 4 * C;
            row[c] = u, row[C + c] = v, row[2 * C + c] = u * v, row[3 * C + c] = u - v;
        }
    snprintf(what, sizeof what, "%s forward vs [u, v, u*v, u-v]", name);
    check_close(what, k.out, direct, n_out, 0);
    free(direct);

    real *swapped = pool_reals(&p, n), *out_swapped = pool_reals(&p, n_out);
    memcpy(swapped, k.pooled + (size_t)E * C, sizeof(real) * E * C);
    memcpy(swapped + (size_t)E * C, k.pooled, sizeof(real) * E * C);
    pair_features_forward(out_swapped, swapped, E, C);
    bool only_difference_negated = true;
    for (int e = 0; e < E; e++)
        for (int c = 0; c < C; c++) {
            const real *a = k.out + (size_t)e * 4 * C, *b = out_swapped + (size_t)e * 4 * C;
            only_difference_negated &= a[c] == b[C + c] && a[C + c] == b[c] && a[2 * C + c] == b[2 * C + c] &&
                                       a[3 * C + c] == -b[3 * C + c];
        }
    snprintf(what, sizeof what, "%s: swapping the documents swaps u and v, keeps u*v, negates u-v", name);
    test_check(only_difference_negated, what, "a feature changed otherwise");

    real *dpooled = pool_reals(&p, n), *dpooled2 = pool_reals(&p, n);
    pair_features_backward(dpooled, k.R, k.pooled, E, C);
    snprintf(what, sizeof what, "%s dpooled", name);
    gradcheck_compare(what, k.pooled, dpooled, n, pair_loss, &k, grad_eps, grad_tol);
    for (int call = 0; call < 2; call++) pair_features_backward(dpooled2, k.R, k.pooled, E, C);
    check_twice(what, dpooled, dpooled2, n, 0);
    pool_free(&p);
}

int main(void) {
    test_linear(7, 5, 3, true);
    test_linear(7, 5, 3, false);
    test_linear(5, 3, 7, false);
    test_linear(2, 3, 300, true);
    test_layernorm(7, 5);
    test_layernorm(3, 300);
    test_activation(true);
    test_activation(false);
    test_embedding();
    test_positional_sinusoidal();
    test_dropout();
    test_relu_dropout();
    test_crossentropy();
    static const int32_t lengths[4] = {3, 0, 5, 1}; /* a length 0 and a full row */
    test_meanpool(4, 5, 3, lengths);
    static const int32_t wide_lengths[2] = {2, 3};
    test_meanpool(2, 3, 300, wide_lengths);
    test_pair_features(3, 5);
    test_pair_features(1, 1);
    return test_finish("test_layers");
}
