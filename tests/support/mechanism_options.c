/* mechanism_options.c — option sets from text for mechanism tests (see the header). */
#include "mechanism_options.h"

#include <stdio.h>
#include <string.h>

#include "core/check.h"

static void set_one(const mechanism_ops *ops, opt_set *out, const char *assignment) {
    const char *eq = strchr(assignment, '=');
    CHECK(eq != NULL);
    const size_t key_length = (size_t)(eq - assignment);
    for (int i = 0; i < ops->n_options; i++) {
        const opt_spec *spec = &ops->options[i];
        if (strlen(spec->name) != key_length || strncmp(spec->name, assignment, key_length) != 0) continue;
        error_info err = {0};
        if (opt_parse_scalar(&out->values[i], spec, eq + 1, &err) != 0) {
            fprintf(stderr, "%s option %s: %s\n", ops->name, spec->name, err.message);
            CHECK(!"bad option value in a test");
        }
        return;
    }
    fprintf(stderr, "%s has no option \"%.*s\"\n", ops->name, (int)key_length, assignment);
    CHECK(!"unknown option in a test");
}

void test_mechanism_options(const mechanism_ops *ops, const char *text, opt_set *out) {
    opt_set_defaults(out, ops->options, ops->n_options);
    if (!text) return;
    char buffer[512];
    CHECK(strlen(text) < sizeof buffer);
    snprintf(buffer, sizeof buffer, "%s", text);
    for (char *save = NULL, *part = strtok_r(buffer, ";", &save); part; part = strtok_r(NULL, ";", &save))
        set_one(ops, out, part);
}
