/* opts.c — the one command-line parser and usage printer (see opts.h).
 *
 * Flags may come anywhere among the positional arguments; a flag's value is the next
 * argument, whatever it starts with, or follows "=" (--db=PATH). An argument starting
 * with '-' (other than "-" alone) is a flag. Positional arguments fill the CLI_ARG
 * entries in table order, then the CLI_ARGS list. */
#include "cli/opts.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"
#include "core/strbuf.h"

#define USAGE_WIDTH 88 /* the synopsis wraps here */
#define HELP_COLUMN 21 /* where the help of each flag starts */

static bool is_help(const char *arg) { return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0; }

static bool is_flag(const cli_opt *o) { return o->kind != CLI_ARG && o->kind != CLI_ARGS; }

/* Whether a command-line argument is a flag: it starts with '-' and is not "-" alone. */
static bool looks_like_flag(const char *arg) { return arg[0] == '-' && arg[1] != '\0'; }

/* The flag that arg names (arg may carry "=VALUE"); *value points after the "=". */
static const cli_opt *find_flag(const cli_spec *spec, const char *arg, const char **value) {
    const size_t length = strcspn(arg, "=");
    for (int i = 0; i < spec->n_opts; i++) {
        const cli_opt *o = &spec->opts[i];
        if (!is_flag(o)) continue;
        const char *names[2] = {o->name, o->alias};
        for (int k = 0; k < 2; k++)
            if (names[k] && strlen(names[k]) == length && strncmp(names[k], arg, length) == 0) {
                *value = arg[length] == '=' ? arg + length + 1 : NULL;
                return o;
            }
    }
    return NULL;
}

static int set_number(const cli_spec *spec, const cli_opt *o, const char *text, error_info *err) {
    char *end;
    errno = 0;
    const long long value = strtoll(text, &end, 10);
    if (errno || end == text || *end || value < o->min || value > o->max) {
        if (o->max == LLONG_MAX)
            return error_set(err, EXIT_USAGE, "%s: %s: expected an integer ≥ %lld, got \"%s\"", spec->command,
                             o->name, o->min, text);
        return error_set(err, EXIT_USAGE, "%s: %s: expected an integer in [%lld, %lld], got \"%s\"", spec->command,
                         o->name, o->min, o->max, text);
    }
    if (o->kind == CLI_INT) *(int *)o->target = (int)value;
    else *(long long *)o->target = value;
    return 0;
}

static int set_value(const cli_spec *spec, const cli_opt *o, const char *value, error_info *err) {
    if (o->kind == CLI_STRING) {
        *(const char **)o->target = value;
        return 0;
    }
    if (o->kind == CLI_CALL)
        return o->call(o->target, value, err) == 0 ? 0 : error_prefix(err, "%s: %s", spec->command, o->name);
    return set_number(spec, o, value, err);
}

/* The value check of the shared --format of query results (opts.h). */
int cli_parse_query_format(void *format, const char *value, error_info *err) {
    if (query_format_parse(value, format)) return 0;
    return error_set(err, EXIT_USAGE, "expected table, csv or json, got \"%s\"", value);
}

/* A positional argument into the first CLI_ARG not yet given (*filled counts them),
 * else the CLI_ARGS list. */
static int set_positional(const cli_spec *spec, const char *arg, int *filled, error_info *err) {
    int seen = 0;
    for (int i = 0; i < spec->n_opts; i++) {
        const cli_opt *o = &spec->opts[i];
        if (o->kind == CLI_ARG && seen++ == *filled) {
            *(const char **)o->target = arg;
            (*filled)++;
            return 0;
        }
    }
    for (int i = 0; i < spec->n_opts; i++) {
        const cli_opt *o = &spec->opts[i];
        if (o->kind != CLI_ARGS) continue;
        cli_list *list = o->target;
        if (list->n == list->capacity)
            return error_set(err, EXIT_USAGE, "%s: more than %d %s", spec->command, list->capacity, o->name);
        list->items[list->n++] = arg;
        return 0;
    }
    return error_set(err, EXIT_USAGE, "%s: unexpected argument \"%s\" (see attnbench %s --help)", spec->command, arg,
                     spec->command);
}

/* Every required entry was given: a positional or a flag's text, or a list's first item. */
static int check_required(const cli_spec *spec, error_info *err) {
    for (int i = 0; i < spec->n_opts; i++) {
        const cli_opt *o = &spec->opts[i];
        if (!o->required) continue;
        CHECK(o->kind == CLI_ARG || o->kind == CLI_STRING || o->kind == CLI_ARGS);
        const bool present = o->kind == CLI_ARGS ? ((const cli_list *)o->target)->n > 0
                                                 : *(const char **)o->target != NULL;
        if (!present)
            return error_set(err, EXIT_USAGE, "%s: missing %s%s%s (see attnbench %s --help)", spec->command, o->name,
                             o->value_name ? " " : "", o->value_name ? o->value_name : "", spec->command);
    }
    return 0;
}

/* One flag (arg, as given) and its value from argv[*i + 1] or after its "=". */
static int parse_flag(const cli_spec *spec, int argc, char **argv, int *i, error_info *err) {
    const char *arg = argv[*i], *value = NULL;
    const cli_opt *o = find_flag(spec, arg, &value);
    if (!o)
        return error_set(err, EXIT_USAGE, "%s: unknown option %s (see attnbench %s --help)", spec->command, arg,
                         spec->command);
    if (o->kind == CLI_SWITCH) {
        if (value) return error_set(err, EXIT_USAGE, "%s: %s takes no value", spec->command, o->name);
        *(bool *)o->target = true;
        return 0;
    }
    const bool next_is_value = *i + 1 < argc && !looks_like_flag(argv[*i + 1]);
    if (!value && o->value_optional && !next_is_value) return set_value(spec, o, NULL, err);
    if (!value && *i + 1 == argc) return error_set(err, EXIT_USAGE, "%s: missing value after %s", spec->command, arg);
    return set_value(spec, o, value ? value : argv[++*i], err);
}

int cli_parse(const cli_spec *spec, int argc, char **argv, error_info *err) {
    int filled = 0; /* CLI_ARG entries given so far */
    for (int i = 1; i < argc; i++) {
        const int rc = looks_like_flag(argv[i]) ? parse_flag(spec, argc, argv, &i, err)
                                                : set_positional(spec, argv[i], &filled, err);
        if (rc) return -1;
    }
    return check_required(spec, err);
}

int cli_parse_command(const cli_spec *spec, int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (is_help(argv[i])) {
            cli_print_usage(spec, stdout);
            return EXIT_OK;
        }
    error_info err = {0};
    if (cli_parse(spec, argc, argv, &err) == 0) return CLI_PARSED;
    fprintf(stderr, "attnbench: %s\n", err.message);
    return err.status;
}

/* " PATH", " [PATH]" for an optional value, or nothing. */
static void append_value_name(strbuf *b, const cli_opt *o) {
    if (o->value_name) strbuf_printf(b, o->value_optional ? " [%s]" : " %s", o->value_name);
}

/* How an entry reads in the synopsis: CONFIG, [SWEEP], IN..., [k=v ...], [--db PATH]. */
static void append_synopsis_item(strbuf *b, const cli_opt *o) {
    switch (o->kind) {
    case CLI_ARG: strbuf_printf(b, o->required ? "%s" : "[%s]", o->name); return;
    case CLI_ARGS: strbuf_printf(b, o->required ? "%s..." : "[%s ...]", o->name); return;
    default:
        strbuf_append(b, o->required ? "" : "[");
        strbuf_append(b, o->name);
        append_value_name(b, o);
        strbuf_append(b, o->required ? "" : "]");
    }
}

static void print_synopsis(const cli_spec *spec, FILE *out) {
    strbuf line = {0}, item = {0};
    strbuf_printf(&line, "usage: attnbench %s", spec->command);
    const size_t indent = line.length + 1;
    for (int i = 0; i < spec->n_opts; i++) {
        item.length = 0;
        append_synopsis_item(&item, &spec->opts[i]);
        if (line.length + 1 + item.length > USAGE_WIDTH && line.length > indent) {
            fprintf(out, "%s\n", line.data);
            line.length = 0;
            strbuf_printf(&line, "%*s", (int)indent - 1, "");
        }
        strbuf_printf(&line, " %s", item.data);
    }
    fprintf(out, "%s\n", line.data);
    if (spec->more_usage) fprintf(out, "       %s\n", spec->more_usage);
    strbuf_free(&line);
    strbuf_free(&item);
}

/* "  --db PATH          the database ...", help lines after the first indented. */
static void print_entry(FILE *out, const char *names, const char *help) {
    const int width = (int)strlen(names) + 2;
    fprintf(out, "  %s", names);
    if (width >= HELP_COLUMN - 1) fprintf(out, "\n%*s", HELP_COLUMN, "");
    else fprintf(out, "%*s", HELP_COLUMN - width, "");
    for (const char *p = help;;) {
        const size_t n = strcspn(p, "\n");
        fprintf(out, "%.*s\n", (int)n, p);
        p += n;
        if (*p == '\0' || *++p == '\0') return;
        fprintf(out, "%*s", HELP_COLUMN, "");
    }
}

void cli_print_usage(const cli_spec *spec, FILE *out) {
    print_synopsis(spec, out);
    fprintf(out, "\n%s\n", spec->about); /* about and notes end with a newline */
    strbuf names = {0};
    for (int i = 0; i < spec->n_opts; i++) {
        const cli_opt *o = &spec->opts[i];
        names.length = 0;
        strbuf_printf(&names, "%s%s%s", o->name, o->alias ? ", " : "", o->alias ? o->alias : "");
        append_value_name(&names, o);
        print_entry(out, names.data, o->help);
    }
    print_entry(out, "-h, --help", "print this help");
    strbuf_free(&names);
    if (spec->notes) fprintf(out, "\n%s", spec->notes);
}
