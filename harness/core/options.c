/* options.c — typed options with defaults and bounds (see options.h).
 *
 * One parser for every option in the program: the config sections, the task options
 * and the mechanism options all go through opt_parse_scalar, so an integer, a number
 * or a choice is written the same way everywhere and every error says what was
 * expected in the same words (opt_describe_expected).
 *
 * Integers are decimal ("96000", "-3") or, when the value is a whole number, decimal
 * or exponent notation ("1e6", "2.0"); "1.5", "0x10", "1e30" and "1e-400" are errors.
 * Numbers are decimals with an optional exponent, rounded to the nearest double (so
 * "1e-400" is 0); "inf", "nan" and overflowing ones ("1e999") are errors. Booleans are
 * exactly "true" or "false". A list is a flow sequence of integers, "[1, 2, 3]". */
#include "core/options.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/strbuf.h"

/* The longest excerpt of a bad value quoted back in an error. */
enum { QUOTE_MAX = 80 };

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* [+-]?[0-9]+ */
static bool is_decimal_integer(const char *text) {
    const char *p = text;
    if (*p == '+' || *p == '-') p++;
    if (!is_digit(*p)) return false;
    while (is_digit(*p)) p++;
    return *p == '\0';
}

/* [+-]? ([0-9]+ (. [0-9]*)? | . [0-9]+) ([eE] [+-]? [0-9]+)? */
static bool is_decimal_number(const char *text) {
    const char *p = text;
    if (*p == '+' || *p == '-') p++;
    int digits = 0;
    while (is_digit(*p)) p++, digits++;
    if (*p == '.') {
        p++;
        while (is_digit(*p)) p++, digits++;
    }
    if (digits == 0) return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!is_digit(*p)) return false;
        while (is_digit(*p)) p++;
    }
    return *p == '\0';
}

static int parse_int(const char *text, int64_t *out) {
    if (is_decimal_integer(text)) {
        errno = 0;
        long long value = strtoll(text, NULL, 10);
        if (errno == ERANGE) return -1;
        *out = (int64_t)value;
        return 0;
    }
    if (!is_decimal_number(text)) return -1;
    errno = 0;
    double value = strtod(text, NULL);
    if (errno == ERANGE) return -1; /* "1e-400" is not 0 */
    /* -2^63 ≤ value < 2^63 and whole: exactly representable as int64_t. */
    if (!(value >= -9223372036854775808.0 && value < 9223372036854775808.0)) return -1;
    if (floor(value) != value) return -1;
    *out = (int64_t)value;
    return 0;
}

static int parse_float(const char *text, double *out) {
    if (!is_decimal_number(text)) return -1;
    double value = strtod(text, NULL);
    if (!isfinite(value)) return -1;
    *out = value;
    return 0;
}

static bool min_open(const opt_spec *spec) {
    return spec->type != OPT_STRING && spec->choices && spec->choices[0] == '(';
}

static bool max_open(const opt_spec *spec) {
    return spec->type != OPT_STRING && spec->choices && spec->choices[0] != '\0' && spec->choices[1] == ')';
}

static bool in_bounds(const opt_spec *spec, double value) {
    bool above = min_open(spec) ? value > spec->min : value >= spec->min;
    bool below = max_open(spec) ? value < spec->max : value <= spec->max;
    return above && below;
}

/* Whole bounds as integers (2^63 and beyond as INT64_MAX), others in shortest %g. */
static void format_bound(double bound, char *buf, size_t size) {
    if (bound >= 9223372036854775807.0)
        snprintf(buf, size, "%" PRId64, INT64_MAX);
    else if (bound <= -9223372036854775807.0)
        snprintf(buf, size, "%" PRId64, INT64_MIN);
    else if (floor(bound) == bound && fabs(bound) < 1e15)
        snprintf(buf, size, "%.0f", bound);
    else {
        for (int precision = 1; precision <= 17; precision++) {
            snprintf(buf, size, "%.*g", precision, bound);
            if (strtod(buf, NULL) == bound) break;
        }
    }
}

void opt_describe_range(const opt_spec *spec, char *buf, size_t size) {
    char lo[32], hi[32];
    format_bound(spec->min, lo, sizeof lo);
    format_bound(spec->max, hi, sizeof hi);
    snprintf(buf, size, "%c%s, %s%c", min_open(spec) ? '(' : '[', lo, hi, max_open(spec) ? ')' : ']');
}

/* The longest text an OPT_STRING takes: its max when set, else what opt_value holds. */
static int string_limit(const opt_spec *spec) {
    return spec->max > 0 && spec->max < OPT_STRING_MAX ? (int)spec->max : OPT_STRING_MAX - 1;
}

void opt_describe_expected(const opt_spec *spec, char *buf, int size) {
    CHECK(size > 0);
    char range[80];
    opt_describe_range(spec, range, sizeof range);
    switch (spec->type) {
    case OPT_INT: snprintf(buf, (size_t)size, "an integer in %s", range); return;
    case OPT_FLOAT: snprintf(buf, (size_t)size, "a number in %s", range); return;
    case OPT_BOOL: snprintf(buf, (size_t)size, "true or false"); return;
    case OPT_STRING:
        if (spec->choices)
            snprintf(buf, (size_t)size, "one of %s", spec->choices);
        else
            snprintf(buf, (size_t)size, "a string of at most %d characters", string_limit(spec));
        return;
    case OPT_INT_LIST: snprintf(buf, (size_t)size, "a list of integers in %s", range); return;
    }
    CHECK(!"unknown option type");
}

static int fail_expected(const opt_spec *spec, const char *text, error_info *err) {
    char expected[160];
    opt_describe_expected(spec, expected, sizeof expected);
    size_t length = strlen(text);
    if (length > QUOTE_MAX)
        return error_set(err, EXIT_USAGE, "expected %s, got \"%.*s...\"", expected, QUOTE_MAX, text);
    return error_set(err, EXIT_USAGE, "expected %s, got \"%s\"", expected, text);
}

/* Is text one of the '|'-separated choices? */
static bool is_choice(const char *choices, const char *text) {
    size_t length = strlen(text);
    for (const char *p = choices;;) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == length && strncmp(p, text, n) == 0) return true;
        if (!bar) return false;
        p = bar + 1;
    }
}

/* "[1, 2, 3]" or "[]": integers in bounds, at most OPT_LIST_MAX. */
static int parse_list(opt_value *value, const char *text) {
    size_t length = strlen(text);
    if (length < 2 || text[0] != '[' || text[length - 1] != ']') return -1;
    const char *p = text + 1, *end = text + length - 1;
    while (p < end && *p == ' ') p++;
    if (p == end) return 0;
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        while (p < stop && *p == ' ') p++;
        const char *last = stop;
        while (last > p && last[-1] == ' ') last--;
        char item[32];
        int64_t element;
        if ((size_t)(last - p) >= sizeof item || value->n_list == OPT_LIST_MAX) return -1;
        memcpy(item, p, (size_t)(last - p));
        item[last - p] = '\0';
        if (parse_int(item, &element) != 0 || !in_bounds(value->spec, (double)element)) return -1;
        value->list[value->n_list++] = element;
        if (!comma) return 0;
        p = comma + 1;
    }
}

int opt_parse_scalar(opt_value *value, const opt_spec *spec, const char *text, error_info *err) {
    memset(value, 0, sizeof *value);
    value->spec = spec;
    switch (spec->type) {
    case OPT_INT:
        if (parse_int(text, &value->i) != 0 || !in_bounds(spec, (double)value->i))
            return fail_expected(spec, text, err);
        return 0;
    case OPT_FLOAT:
        if (parse_float(text, &value->f) != 0 || !in_bounds(spec, value->f))
            return fail_expected(spec, text, err);
        return 0;
    case OPT_BOOL:
        if (strcmp(text, "true") == 0)
            value->b = true;
        else if (strcmp(text, "false") == 0)
            value->b = false;
        else
            return fail_expected(spec, text, err);
        return 0;
    case OPT_STRING:
        if ((int)strlen(text) > string_limit(spec) || (spec->choices && !is_choice(spec->choices, text)))
            return fail_expected(spec, text, err);
        snprintf(value->s, sizeof value->s, "%s", text);
        return 0;
    case OPT_INT_LIST:
        if (parse_list(value, text) != 0) return fail_expected(spec, text, err);
        return 0;
    }
    CHECK(!"unknown option type");
    return -1;
}

void opt_set_defaults(opt_set *set, const opt_spec *specs, int n_specs) {
    CHECK(n_specs >= 0 && n_specs <= OPT_SET_MAX);
    memset(set, 0, sizeof *set);
    set->n = n_specs;
    for (int i = 0; i < n_specs; i++) {
        error_info err = {0};
        CHECK(specs[i].default_value != NULL);
        if (opt_parse_scalar(&set->values[i], &specs[i], specs[i].default_value, &err) != 0) {
            fprintf(stderr, "attnbench: option %s: bad default: %s\n", specs[i].name, err.message);
            CHECK(!"option default out of its own bounds");
        }
    }
}

void opt_value_to_json(const opt_value *value, strbuf *out) {
    switch (value->spec->type) {
    case OPT_INT: strbuf_printf(out, "%" PRId64, value->i); return;
    case OPT_FLOAT: strbuf_append_json_number(out, value->f); return;
    case OPT_BOOL: strbuf_append(out, value->b ? "true" : "false"); return;
    case OPT_STRING: strbuf_append_json_string(out, value->s); return;
    case OPT_INT_LIST:
        strbuf_append(out, "[");
        for (int i = 0; i < value->n_list; i++)
            strbuf_printf(out, "%s%" PRId64, i ? "," : "", value->list[i]);
        strbuf_append(out, "]");
        return;
    }
    CHECK(!"unknown option type");
}

const opt_value *opt_get(const opt_set *set, const char *name) {
    for (int i = 0; i < set->n; i++)
        if (strcmp(set->values[i].spec->name, name) == 0) return &set->values[i];
    fprintf(stderr, "attnbench: no option named %s\n", name);
    CHECK(!"opt_get of an option that is not in the set");
    return NULL;
}

static const opt_value *get_typed(const opt_set *set, const char *name, enum opt_type type) {
    const opt_value *value = opt_get(set, name);
    CHECK(value->spec->type == type);
    return value;
}

int64_t opt_int(const opt_set *set, const char *name) { return get_typed(set, name, OPT_INT)->i; }
double opt_float(const opt_set *set, const char *name) { return get_typed(set, name, OPT_FLOAT)->f; }
bool opt_bool(const opt_set *set, const char *name) { return get_typed(set, name, OPT_BOOL)->b; }
const char *opt_string(const opt_set *set, const char *name) { return get_typed(set, name, OPT_STRING)->s; }
