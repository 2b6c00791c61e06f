/* render_text.c — a table of records as aligned plain text, for a terminal (`query`,
 * `ls`, `status`, `show`): the labels, a rule of dashes, then a line per row.
 *
 * A cell stays on one line (line breaks and tabs shown as \n, \r, \t) and columns are
 * as wide as their widest cell in characters on screen (UTF-8 continuation bytes take
 * no column); a right-aligned column is padded on the left. Lines end without trailing
 * spaces. Titles and legends are not shown: tables of records have none. */
#include <stdlib.h>

#include "core/check.h"
#include "table/table.h"

/* The cell as one line of text. */
static void append_shown(strbuf *b, const table *t, const table_cell *c) {
    strbuf raw = {0};
    strbuf_append(b, "");
    strbuf_append(&raw, "");
    table_cell_append(t, c, &raw);
    for (const char *p = raw.data; *p; p++) {
        if (*p == '\n') strbuf_append(b, "\\n");
        else if (*p == '\r') strbuf_append(b, "\\r");
        else if (*p == '\t') strbuf_append(b, "\\t");
        else strbuf_append_n(b, p, 1);
    }
    strbuf_free(&raw);
}

static size_t display_width(const char *text) {
    size_t width = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if ((*p & 0xC0) != 0x80) width++;
    return width;
}

static void pad(strbuf *b, size_t n) {
    for (size_t i = 0; i < n; i++) strbuf_append(b, " ");
}

void render_text(const table *t, FILE *out) {
    const size_t columns = (size_t)t->n_columns, lines = (size_t)t->n_rows + 1;
    strbuf *shown = calloc(lines * columns + 1, sizeof *shown); /* [line][column]; line 0: labels */
    size_t *width = calloc(columns + 1, sizeof *width);
    CHECK(shown != NULL && width != NULL);
    for (size_t c = 0; c < columns; c++) {
        strbuf_append(&shown[c], t->columns[c].label);
        for (size_t r = 0; r < (size_t)t->n_rows; r++)
            append_shown(&shown[(r + 1) * columns + c], t, &t->rows[r].cells[c]);
        for (size_t l = 0; l < lines; l++) {
            const size_t w = display_width(shown[l * columns + c].data);
            if (w > width[c]) width[c] = w;
        }
    }
    strbuf line = {0};
    for (size_t l = 0; l <= lines; l++) { /* the rule is line 1; rows follow */
        line.length = 0;
        strbuf_append(&line, "");
        for (size_t c = 0; c < columns; c++) {
            if (c > 0) strbuf_append(&line, "  ");
            if (l == 1) {
                for (size_t i = 0; i < width[c]; i++) strbuf_append(&line, "-");
                continue;
            }
            const char *text = shown[(l ? l - 1 : 0) * columns + c].data;
            const size_t gap = width[c] - display_width(text);
            if (t->columns[c].right) pad(&line, gap);
            strbuf_append(&line, text);
            if (!t->columns[c].right) pad(&line, gap);
        }
        while (line.length > 0 && line.data[line.length - 1] == ' ') line.data[--line.length] = '\0';
        fprintf(out, "%s\n", line.data);
    }
    for (size_t i = 0; i < lines * columns; i++) strbuf_free(&shown[i]);
    strbuf_free(&line);
    free(shown);
    free(width);
}
