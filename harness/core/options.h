/* options.h — typed options with defaults and bounds.
 *
 * Mechanisms and tasks declare their own options as a const table of opt_spec; the
 * config loader validates a YAML mapping against that table (unknown keys, wrong
 * types and out-of-range values are errors) and hands the plug-in a filled opt_set,
 * so no plug-in parses YAML and `attnbench mechanisms` / `tasks` can print every
 * option with its default and bounds from the same table. */
#ifndef ATTNBENCH_OPTIONS_H
#define ATTNBENCH_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum opt_type { OPT_INT, OPT_FLOAT, OPT_BOOL, OPT_STRING, OPT_INT_LIST };

#define OPT_LIST_MAX 64
#define OPT_STRING_MAX 512
#define OPT_SET_MAX 32

typedef struct opt_spec {
    const char *name;
    enum opt_type type;
    const char *default_value; /* text as it would appear in YAML: "128", "0.1", "true", "[]" */
    double min, max;           /* bounds for INT, FLOAT and each element of INT_LIST;
                                * for STRING, max > 0 is the longest length allowed */
    const char *choices;       /* OPT_STRING: "a|b|c", or NULL for any string. INT and
                                * FLOAT: NULL for closed bounds [min, max], or "(]", "[)"
                                * or "()" to exclude an end */
    const char *help;          /* one line for `attnbench mechanisms` / `tasks` */
} opt_spec;

typedef struct opt_value {
    const opt_spec *spec;
    int64_t i;                      /* OPT_INT */
    double f;                       /* OPT_FLOAT */
    bool b;                         /* OPT_BOOL */
    char s[OPT_STRING_MAX];         /* OPT_STRING */
    int n_list;                     /* OPT_INT_LIST */
    int64_t list[OPT_LIST_MAX];     /* OPT_INT_LIST */
} opt_value;

typedef struct opt_set {
    int n;
    opt_value values[OPT_SET_MAX]; /* in the order of the spec table */
} opt_set;

/* Fill set with every option of specs at its default value. */
void opt_set_defaults(opt_set *set, const opt_spec *specs, int n_specs);

/* Parse a YAML scalar's text as the option's type and check its bounds. On failure
 * err->message is "expected <what the spec wants>, got \"<text>\"" and the caller adds
 * the file:line:column and key path in front. */
int opt_parse_scalar(opt_value *value, const opt_spec *spec, const char *text, error_info *err);

/* "an integer in [1, 4096]", "a number in [0, 1]" (or "(0, 10]" for an excluded end),
 * "true or false", "one of cls|mean", "a list of integers in [0, 65535]". */
void opt_describe_expected(const opt_spec *spec, char *buf, int size);

/* The numeric bounds alone: "[1, 256]", "(0, 10]" (INT, FLOAT, INT_LIST). */
void opt_describe_range(const opt_spec *spec, char *buf, size_t size);

/* The value as canonical JSON (numbers shortest round-trip, strings quoted). */
struct strbuf;
void opt_value_to_json(const opt_value *value, struct strbuf *out);

/* Lookup by name; a name that is not in the set is a programming error (CHECK). */
const opt_value *opt_get(const opt_set *set, const char *name);
int64_t opt_int(const opt_set *set, const char *name);
double opt_float(const opt_set *set, const char *name);
bool opt_bool(const opt_set *set, const char *name);
const char *opt_string(const opt_set *set, const char *name);

#endif
