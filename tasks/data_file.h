/* data_file.h — what the loaders of released data files share: arrays that grow while
 * a file is read, and reading a text file line by line with errors that name it. */
#ifndef ATTNBENCH_DATA_FILE_H
#define ATTNBENCH_DATA_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* p (room for *capacity elements of `element` bytes) reallocated to hold at least
 * `needed`, doubling from 1024; aborts when memory runs out. */
void *data_grow(void *p, size_t *capacity, size_t needed, size_t element);

/* Called for each non-empty line, its end (\n or \r\n) removed and NUL-terminated at
 * line[length]; line_number counts from 1, empty lines included. Nonzero stops. */
typedef int (*data_line_fn)(void *context, char *line, size_t length, int64_t line_number, error_info *err);

/* Read path line by line through `row`. Returns 0, the status `row` stopped with, or
 * -1 with an error naming the file when it cannot be opened or read. */
int data_read_lines(const char *path, data_line_fn row, void *context, error_info *err);

#endif
