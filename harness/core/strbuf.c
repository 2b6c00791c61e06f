/* strbuf.c — growable strings and JSON escaping (see strbuf.h). */
#include "core/strbuf.h"

#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/check.h"

static void reserve(strbuf *s, size_t extra) {
    if (s->length + extra + 1 <= s->capacity) return;
    size_t capacity = s->capacity ? s->capacity : 64;
    while (capacity < s->length + extra + 1) capacity *= 2;
    char *grown = realloc(s->data, capacity);
    CHECK(grown != NULL);
    s->data = grown;
    s->capacity = capacity;
}

void strbuf_append_n(strbuf *s, const char *text, size_t n) {
    reserve(s, n);
    memcpy(s->data + s->length, text, n);
    s->length += n;
    s->data[s->length] = '\0';
}

void strbuf_append(strbuf *s, const char *text) { strbuf_append_n(s, text, strlen(text)); }

void strbuf_printf(strbuf *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int needed = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    CHECK(needed >= 0);
    reserve(s, (size_t)needed);
    va_start(ap, fmt);
    vsnprintf(s->data + s->length, (size_t)needed + 1, fmt, ap);
    va_end(ap);
    s->length += (size_t)needed;
}

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

void strbuf_append_real(strbuf *s, double value) {
    if (isnan(value)) strbuf_append(s, "nan");
    else if (isinf(value)) strbuf_append(s, value > 0 ? "inf" : "-inf");
    else append_shortest(s, value, true);
}

void strbuf_free(strbuf *s) {
    free(s->data);
    s->data = NULL;
    s->length = s->capacity = 0;
}
