/* testing.h — what every test uses to state its comparisons and fail loudly.
 *
 * A test prints each comparison it makes (what, expected, got) and counts failures;
 * test_finish() prints a summary and returns the exit status for main. */
#ifndef ATTNBENCH_TESTING_H
#define ATTNBENCH_TESTING_H

#include <stdbool.h>
#include <stddef.h>

/* Record one check: prints "ok   <what>" or "FAIL <what>: <detail>" and counts it. */
bool test_check(bool ok, const char *what, const char *detail_fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* |got − expected| ≤ tol (absolute), printed with both values. */
bool test_near(double got, double expected, double tol, const char *what_fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Largest |a[i] − b[i]| / max(1, |b[i]|) over n values of two double arrays. */
double test_max_rel_diff(const double *a, const double *b, size_t n);
/* Print the summary; return 0 when every check passed, 1 otherwise. */
int test_finish(const char *test_name);

/* Run a shell command, capture stdout+stderr into out (truncated to size), return its
 * exit status (or -1). For end-to-end tests of the attnbench binary. */
int test_run_command(const char *command, char *out, size_t size);
/* Run `attnbench <args>` with args formatted like printf, capture its output into
 * out, print the command line with its exit status, and return that status. */
int test_attnbench(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Path of the attnbench binary under test ($ATTNBENCH_BIN) and of the source tree. */
const char *test_binary(void);
const char *test_source_dir(void);
/* Write text to dir/name (dir NULL: name is the whole path); aborts on failure. */
void test_write_file(const char *dir, const char *name, const char *text);
/* The first value of a one-column `attnbench query` on db, or -1 when it fails; its
 * output is left in out. */
double test_query_number(char *out, size_t size, const char *db, const char *sql);

/* Whether /usr/bin/python3 imports every module of `modules` ("torch, yaml"); when it
 * does not, prints "SKIPPED: <what>: ..." with the last line Python said. */
bool test_python_imports(const char *modules, const char *what);
/* The whole file as a malloc'd string (caller frees), or NULL when it cannot be read. */
char *test_read_file(const char *path);
/* A fresh temporary directory (mkdtemp) whose path stays valid until exit. */
const char *test_temp_dir(void);

#endif
