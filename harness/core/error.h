/* error.h — one-line errors carried back to the command line.
 *
 * Library functions that can fail for reasons outside the program (input files, the
 * database, the user's options) return 0 on success and -1 on failure, and fill an
 * error_info with a single line that names the file, line, key or value at fault and
 * the exit status the command should end with. Nothing deep in the library exits. */
#ifndef ATTNBENCH_ERROR_H
#define ATTNBENCH_ERROR_H

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

typedef struct error_info {
    int status;         /* EXIT_RUNTIME or EXIT_USAGE once set, EXIT_OK before */
    char message[1024]; /* one line, no trailing newline */
} error_info;

/* Fill err (if not NULL) with a formatted one-line message and status; returns -1 so
 * that callers can write `return error_set(err, EXIT_USAGE, "...")`. Newlines in the
 * formatted text are replaced by spaces to keep the message on one line. */
int error_set(error_info *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefix an existing message with more context: "context: old message". Returns -1. */
int error_prefix(error_info *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
