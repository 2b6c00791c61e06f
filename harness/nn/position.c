/* position.c — token positions, the gathered position table, and the definitions and
 * parameters of the score-position kinds (see position.h). RoPE is in rope.c. */
#include "nn/position.h"

#include <math.h>
#include <string.h>

#include "core/check.h"

/* Inserts value into the ascending a[0..n) unless present; returns whether it did. */
static bool insert_sorted(int32_t *a, int n, int32_t value) {
    int lo = 0, hi = n;
    while (lo < hi) {
        const int mid = (lo + hi) / 2;
        if (a[mid] < value) lo = mid + 1;
        else hi = mid;
    }
    if (lo < n && a[lo] == value) return false;
    memmove(a + lo + 1, a + lo, sizeof(int32_t) * (size_t)(n - lo));
    a[lo] = value;
    return true;
}

/* L distinct draws from [0, n), ascending (Floyd's sampling: exactly L draws). */
static void sample_sorted(int32_t *out, int L, int n, uint64_t key) {
    rng r;
    rng_seed(&r, key);
    int count = 0;
    for (int j = n - L; j < n; j++) {
        const int32_t t = (int32_t)rng_range(&r, 0, j);
        if (!insert_sorted(out, count, t)) insert_sorted(out, count, j);
        count++;
    }
}

void positions_fill(int32_t *positions, const int32_t *lengths, int B, int T, bool reverse, bool randomized,
                    int max_position, uint64_t key) {
    CHECK(B >= 0 && T >= 0);
    for (int b = 0; b < B; b++) {
        const int L = lengths[b];
        CHECK(L >= 0 && L <= T);
        int32_t *p = positions + (size_t)b * T;
        if (randomized) {
            CHECK(L <= max_position);
            sample_sorted(p, L, max_position, rng_key(key, (uint64_t)b, 0, 0));
            for (int t = 0; reverse && t < L / 2; t++) {
                const int32_t swap = p[t];
                p[t] = p[L - 1 - t];
                p[L - 1 - t] = swap;
            }
        } else {
            for (int t = 0; t < L; t++) p[t] = reverse ? L - t : t;
        }
        for (int t = L; t < T; t++) p[t] = 0;
    }
}

void positional_gather_forward(real *x, const real *table, const int32_t *positions, const int32_t *lengths, int B,
                               int T, int C) {
    for (int b = 0; b < B; b++)
        for (int t = 0; t < lengths[b]; t++) {
            const int32_t p = positions[(size_t)b * T + t];
            CHECK(p >= 0);
            real *row = x + ((size_t)b * T + t) * C;
            const real *add = table + (size_t)p * C;
            for (int c = 0; c < C; c++) row[c] += add[c];
        }
}

void positional_gather_backward(real *dtable, const real *dx, const int32_t *positions, const int32_t *lengths,
                                int B, int T, int C) {
    for (int b = 0; b < B; b++)
        for (int t = 0; t < lengths[b]; t++) {
            const int32_t p = positions[(size_t)b * T + t];
            CHECK(p >= 0);
            const real *row = dx + ((size_t)b * T + t) * C;
            real *d = dtable + (size_t)p * C;
            for (int c = 0; c < C; c++) d[c] += row[c];
        }
}

bool position_kind_scores(int kind) {
    return kind == POSITIONAL_ALIBI || kind == POSITIONAL_T5 || kind == POSITIONAL_RELATIVE;
}

int position_relative_width(int heads, int head_size) { return (heads * head_size + 1) / 2 * 2; }

size_t position_table_reals(int kind, int max_position, int heads, int head_size) {
    if (kind != POSITIONAL_RELATIVE) return 0;
    return (2 * (size_t)max_position - 1) * (size_t)position_relative_width(heads, head_size);
}

size_t position_bias_params(int kind, int heads, int head_size) {
    const size_t D = (size_t)heads * head_size;
    if (kind == POSITIONAL_T5) return (size_t)heads * POSITION_T5_BUCKETS;
    if (kind == POSITIONAL_RELATIVE) return 2 * D + (size_t)position_relative_width(heads, head_size) * D;
    return 0;
}

void position_bias_init(int kind, real *params, int heads, int head_size, rng *r) {
    const size_t D = (size_t)heads * head_size;
    if (kind == POSITIONAL_T5) {
        const double std = 1 / sqrt((double)D);
        for (size_t i = 0; i < (size_t)heads * POSITION_T5_BUCKETS; i++) params[i] = (real)(std * rng_normal(r));
    } else if (kind == POSITIONAL_RELATIVE) {
        const int width = position_relative_width(heads, head_size);
        for (size_t i = 0; i < 2 * D; i++) params[i] = (real)(0.02 * rng_normal(r));
        const double std = 1 / sqrt((double)width);
        for (size_t i = 0; i < (size_t)width * D; i++) params[2 * D + i] = (real)(std * rng_normal(r));
    }
}

const char *position_bias_name(int kind) {
    if (kind == POSITIONAL_T5) return "t5_relative_bias";
    if (kind == POSITIONAL_RELATIVE) return "relative_attention";
    return NULL;
}

double position_alibi_slope(int head, int heads) {
    CHECK(heads > 0 && head >= 0 && head < heads);
    int c = 1;
    while (2 * c <= heads) c *= 2;
    if (head < c) return pow(2.0, -8.0 * (head + 1) / c);
    return pow(2.0, -(8.0 * (head - c) + 4) / c); /* every other slope of the 2c list */
}

int position_t5_bucket(int64_t relative) {
    const int half = POSITION_T5_BUCKETS / 2, exact = half / 2;
    const int base = relative < 0 ? half : 0;
    const uint64_t n = (uint64_t)(relative < 0 ? -relative : relative);
    if (n < (uint64_t)exact) return base + (int)n;
    /* 8·ln(n/8)/ln(128/8) = log2(n²/64): the largest k with 64·2^k ≤ n², capped. */
    int k = 0;
    while (k < half - exact - 1 && (uint64_t)(exact * exact) << (k + 1) <= n * n) k++;
    return base + exact + k;
}

void position_relative_sinusoid(real *out, int64_t delta, int width) {
    const int half = width / 2;
    for (int k = 0; k < half; k++) {
        const double angle = (double)delta * pow(10000.0, -2.0 * k / width);
        out[k] = (real)sin(angle);
        out[half + k] = (real)cos(angle);
    }
}
