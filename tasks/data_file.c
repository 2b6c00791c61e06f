/* data_file.c — growing arrays and line-by-line reading for the data loaders
 * (data_file.h). */
#define _POSIX_C_SOURCE 200809L
#include "tasks/data_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "core/check.h"

void *data_grow(void *p, size_t *capacity, size_t needed, size_t element) {
    if (needed <= *capacity) return p;
    size_t next = *capacity ? *capacity : 1024;
    while (next < needed) next *= 2;
    void *q = realloc(p, next * element);
    CHECK(q != NULL);
    *capacity = next;
    return q;
}

int data_read_lines(const char *path, data_line_fn row, void *context, error_info *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return error_set(err, EXIT_RUNTIME, "%s: cannot open: %s", path, strerror(errno));
    char *line = NULL;
    size_t capacity = 0;
    int64_t line_number = 0;
    int status = 0;
    ssize_t got;
    while (status == 0 && (got = getline(&line, &capacity, f)) >= 0) {
        line_number++;
        if (got > 0 && line[got - 1] == '\n') line[--got] = '\0';
        if (got > 0 && line[got - 1] == '\r') line[--got] = '\0';
        if (got > 0) status = row(context, line, (size_t)got, line_number, err);
    }
    if (status == 0 && ferror(f)) status = error_set(err, EXIT_RUNTIME, "%s: read error", path);
    free(line);
    fclose(f);
    return status;
}
