/* strbuf.c — growable strings (see strbuf.h); the encodings are in strbuf_encode.c. */
#include "core/strbuf.h"

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

void strbuf_free(strbuf *s) {
    free(s->data);
    s->data = NULL;
    s->length = s->capacity = 0;
}
