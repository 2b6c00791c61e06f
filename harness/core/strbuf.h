/* strbuf.h — a growable string, and the one place that encodes values as JSON and CSV.
 *
 * Every JSON string and number and every CSV field attnbench writes (canonical configs,
 * `query`, `export`, leaderboards) goes through the strbuf_append_json_* and
 * strbuf_append_csv_field functions below (strbuf_encode.c), so escaping, quoting and
 * the rule that a non-finite number is JSON null, never nan, live in one place. */
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
void strbuf_free(strbuf *s);

/* Appends text as a JSON string literal, quotes included: quote and backslash escaped,
 * control characters as \n, \r, \t or \u00XX; other bytes (UTF-8) as they are. */
void strbuf_append_json_string(strbuf *s, const char *text);
/* Appends a double as JSON: shortest "%.17g" form that reads back to the same value;
 * non-finite values become null. */
void strbuf_append_json_number(strbuf *s, double value);
/* Appends a number already written as text ("42", "0.25", "1e+20"): as it is when it
 * is a JSON number, else (inf, nan, anything else) null. */
void strbuf_append_json_number_text(strbuf *s, const char *text);
/* Appends one CSV field (RFC 4180): NULL (an absent value) as nothing; text that is
 * empty or holds a comma, a quote or a line break in quotes, quotes doubled (so an empty
 * string stays apart from an absent value); any other text as it is. */
void strbuf_append_csv_field(strbuf *s, const char *text);
/* Appends a double for people to read: the shortest form that reads back to the same
 * value, in plain notation between 1e-4 and 1e15; inf, -inf, nan. */
void strbuf_append_real(strbuf *s, double value);

#endif
