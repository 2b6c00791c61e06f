/* strbuf.h — a growable string, for canonical JSON, SQL and report tables. */
#ifndef ATTNBENCH_STRBUF_H
#define ATTNBENCH_STRBUF_H

#include <stddef.h>

typedef struct strbuf {
    char *data; /* always NUL-terminated once anything was appended */
    size_t length;
    size_t capacity;
} strbuf;

void strbuf_append(strbuf *s, const char *text);
void strbuf_append_n(strbuf *s, const char *text, size_t n);
void strbuf_printf(strbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends text as a JSON string literal, quotes included. */
void strbuf_append_json_string(strbuf *s, const char *text);
/* Appends a double as JSON: shortest "%.17g" form that reads back to the same value;
 * non-finite values become null. */
void strbuf_append_json_number(strbuf *s, double value);
/* Appends a double for people to read: the shortest form that reads back to the same
 * value, in plain notation between 1e-4 and 1e15; inf, -inf, nan. */
void strbuf_append_real(strbuf *s, double value);
void strbuf_free(strbuf *s);

#endif
