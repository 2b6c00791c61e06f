/* options_print.h — the option table printer shared by `attnbench tasks` and
 * `attnbench mechanisms`, so both list options the same way from the same opt_spec
 * tables the config loader validates against. */
#ifndef ATTNBENCH_OPTIONS_PRINT_H
#define ATTNBENCH_OPTIONS_PRINT_H

#include <stdio.h>

#include "core/options.h"

/* Print a header and one aligned row per option, `name  type  default  bounds  help`,
 * every line starting with indent; "(no options)" when the table is empty. Bounds are
 * "[min, max]" for numbers ("each in [min, max]" for lists), the choices "a|b|c" for
 * strings that have them, "any" for free strings and "true|false" for booleans. */
void options_print(FILE *out, const opt_spec *specs, int n_specs, const char *indent);

#endif
