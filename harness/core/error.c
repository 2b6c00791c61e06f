/* error.c — formatting of one-line errors (see error.h). */
#define _POSIX_C_SOURCE 200809L
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void flatten_newlines(char *text) {
    for (char *p = text; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
}

int error_set(error_info *err, int status, const char *fmt, ...) {
    if (!err) return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    flatten_newlines(err->message);
    err->status = status;
    return -1;
}

int error_prefix(error_info *err, const char *fmt, ...) {
    if (!err) return -1;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char old[sizeof err->message];
    memcpy(old, err->message, sizeof old);
    size_t used = strlen(prefix) < sizeof err->message - 3 ? strlen(prefix) : sizeof err->message - 3;
    memcpy(err->message, prefix, used);
    memcpy(err->message + used, ": ", 2);
    used += 2;
    size_t rest = strnlen(old, sizeof old);
    if (rest > sizeof err->message - 1 - used) rest = sizeof err->message - 1 - used;
    memcpy(err->message + used, old, rest);
    err->message[used + rest] = '\0';
    flatten_newlines(err->message);
    return -1;
}
