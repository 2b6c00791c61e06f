/* strbuf_encode.c — values appended to a strbuf as JSON, CSV or readable reals (see
 * strbuf.h): the only JSON and CSV encoder in attnbench, so that every writer escapes,
 * quotes and spells non-finite numbers the same way. */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"

void strbuf_append_json_string(strbuf *s, const char *text) {
    strbuf_append(s, "\"");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        switch (*p) {
        case '"': strbuf_append(s, "\\\""); break;
        case '\\': strbuf_append(s, "\\\\"); break;
        case '\n': strbuf_append(s, "\\n"); break;
        case '\r': strbuf_append(s, "\\r"); break;
        case '\t': strbuf_append(s, "\\t"); break;
        default:
            if (*p < 0x20) strbuf_printf(s, "\\u%04x", *p);
            else strbuf_append_n(s, (const char *)p, 1);
        }
    }
    strbuf_append(s, "\"");
}

/* The shortest "%.*g" digits that read back to value; with plain_range, no exponent
 * for magnitudes in [1e-4, 1e15) (50, not 5e+01). */
static void append_shortest(strbuf *s, double value, bool plain_range) {
    const bool plain = plain_range && fabs(value) >= 1e-4 && fabs(value) < 1e15;
    char text[40];
    for (int precision = 1; precision <= 17; precision++) {
        snprintf(text, sizeof text, "%.*g", precision, value);
        if (strtod(text, NULL) == value && !(plain && strchr(text, 'e'))) break;
    }
    strbuf_append(s, text);
}

void strbuf_append_json_number(strbuf *s, double value) {
    if (!isfinite(value)) {
        strbuf_append(s, "null");
        return;
    }
    append_shortest(s, value, false);
}

static const char *skip_digits(const char *p) {
    while (isdigit((unsigned char)*p)) p++;
    return p;
}

/* Whether text is a whole JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool is_json_number(const char *text) {
    const char *p = text + (*text == '-');
    if (*p == '0') p++;
    else if (isdigit((unsigned char)*p)) p = skip_digits(p);
    else return false;
    if (*p == '.') {
        if (!isdigit((unsigned char)p[1])) return false;
        p = skip_digits(p + 1);
    }
    if (*p == 'e' || *p == 'E') {
        p += p[1] == '+' || p[1] == '-' ? 2 : 1;
        if (!isdigit((unsigned char)*p)) return false;
        p = skip_digits(p);
    }
    return *p == '\0';
}

void strbuf_append_json_number_text(strbuf *s, const char *text) {
    strbuf_append(s, is_json_number(text) ? text : "null");
}

void strbuf_append_csv_field(strbuf *s, const char *text) {
    if (!text) return;
    if (text[0] != '\0' && !strpbrk(text, ",\"\r\n")) {
        strbuf_append(s, text);
        return;
    }
    strbuf_append(s, "\"");
    for (const char *p = text; *p; p++) {
        if (*p == '"') strbuf_append(s, "\""); /* doubled */
        strbuf_append_n(s, p, 1);
    }
    strbuf_append(s, "\"");
}

void strbuf_append_real(strbuf *s, double value) {
    if (isnan(value)) strbuf_append(s, "nan");
    else if (isinf(value)) strbuf_append(s, value > 0 ? "inf" : "-inf");
    else append_shortest(s, value, true);
}
