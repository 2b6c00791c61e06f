/* bucket_sort.c — Bucket Sort (context-sensitive): sort a string over five symbols.
 *
 * Input: n independent uniform symbols from {0..4}. Output: the n symbols in
 * ascending order. */
#include "tasks/chomsky/chomsky.h"

#include "core/check.h"

enum { SYMBOLS = 5 };

static const char *const symbol_names[SYMBOLS] = {"0", "1", "2", "3", "4"};

static int sample(rng *r, int n, int32_t *input) {
    for (int i = 0; i < n; i++) input[i] = (int32_t)rng_range(r, 0, SYMBOLS - 1);
    return n;
}

/* One bucket per symbol: count, then write each symbol as often as it occurs. */
static void solve(const int32_t *input, int n, int32_t *target) {
    int count[SYMBOLS] = {0};
    for (int i = 0; i < n; i++) {
        CHECK(input[i] >= 0 && input[i] < SYMBOLS);
        count[input[i]]++;
    }
    int k = 0;
    for (int32_t s = 0; s < SYMBOLS; s++)
        for (int c = 0; c < count[s]; c++) target[k++] = s;
}

static const chomsky_spec spec = {
    .symbols = SYMBOLS,
    .symbol_names = symbol_names,
    .classes = SYMBOLS,
    .output_length = chomsky_n_outputs,
    .sample = sample,
    .solve = solve,
};

CHOMSKY_TASK(chomsky_bucket_sort, spec, "chomsky/bucket_sort", "CS", 15,
             "Bucket Sort (CS): n symbols from {0..4} → the same symbols sorted ascending");
