/* options_print.c — aligned listing of an opt_spec table (see options_print.h). */
#include "cli/options_print.h"

#include <string.h>

enum { COLUMNS = 5, CELL_MAX = 160 };

static const char *type_name(enum opt_type type) {
    switch (type) {
    case OPT_INT: return "int";
    case OPT_FLOAT: return "float";
    case OPT_BOOL: return "bool";
    case OPT_STRING: return "string";
    case OPT_INT_LIST: return "int-list";
    }
    return "?";
}

static void bounds_text(const opt_spec *spec, char *buf, size_t size) {
    char range[80];
    switch (spec->type) {
    case OPT_INT:
    case OPT_FLOAT: opt_describe_range(spec, buf, size); return;
    case OPT_BOOL: snprintf(buf, size, "true|false"); return;
    case OPT_STRING: snprintf(buf, size, "%s", spec->choices ? spec->choices : "any"); return;
    case OPT_INT_LIST:
        opt_describe_range(spec, range, sizeof range);
        snprintf(buf, size, "each in %s", range);
        return;
    }
    snprintf(buf, size, "?");
}

/* The five cells of one row; row -1 is the header. */
static void row_cells(const opt_spec *specs, int row, char cells[COLUMNS][CELL_MAX]) {
    if (row < 0) {
        static const char *const header[COLUMNS] = {"name", "type", "default", "bounds", "help"};
        for (int c = 0; c < COLUMNS; c++) snprintf(cells[c], CELL_MAX, "%s", header[c]);
        return;
    }
    const opt_spec *spec = &specs[row];
    const char *value = spec->default_value ? spec->default_value : "";
    snprintf(cells[0], CELL_MAX, "%s", spec->name);
    snprintf(cells[1], CELL_MAX, "%s", type_name(spec->type));
    if (spec->type == OPT_STRING && value[0] == '\0') snprintf(cells[2], CELL_MAX, "\"\"");
    else snprintf(cells[2], CELL_MAX, "%s", value);
    bounds_text(spec, cells[3], CELL_MAX);
    snprintf(cells[4], CELL_MAX, "%s", spec->help ? spec->help : "");
}

void options_print(FILE *out, const opt_spec *specs, int n_specs, const char *indent) {
    if (n_specs == 0) {
        fprintf(out, "%s(no options)\n", indent);
        return;
    }
    char cells[COLUMNS][CELL_MAX];
    int width[COLUMNS] = {0};
    for (int row = -1; row < n_specs; row++) {
        row_cells(specs, row, cells);
        for (int c = 0; c < COLUMNS; c++) {
            int w = (int)strlen(cells[c]);
            if (w > width[c]) width[c] = w;
        }
    }
    for (int row = -1; row < n_specs; row++) {
        row_cells(specs, row, cells);
        fprintf(out, "%s", indent);
        for (int c = 0; c < COLUMNS - 1; c++) fprintf(out, "%-*s  ", width[c], cells[c]);
        fprintf(out, "%s\n", cells[COLUMNS - 1]);
    }
}
