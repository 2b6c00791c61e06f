/* testing.c — check reporting and process helpers for the tests (see testing.h). */
#define _DEFAULT_SOURCE
#include "testing.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static int checks_run, checks_failed;

bool test_check(bool ok, const char *what, const char *detail_fmt, ...) {
    checks_run++;
    if (ok) {
        printf("ok   %s\n", what);
        return true;
    }
    checks_failed++;
    char detail[1024] = "";
    if (detail_fmt) {
        va_list ap;
        va_start(ap, detail_fmt);
        vsnprintf(detail, sizeof detail, detail_fmt, ap);
        va_end(ap);
    }
    printf("FAIL %s: %s\n", what, detail);
    fflush(stdout);
    return false;
}

bool test_near(double got, double expected, double tol, const char *what_fmt, ...) {
    char what[512];
    va_list ap;
    va_start(ap, what_fmt);
    vsnprintf(what, sizeof what, what_fmt, ap);
    va_end(ap);
    bool ok = fabs(got - expected) <= tol;
    checks_run++;
    if (!ok) checks_failed++;
    printf("%s %s: got %.9g, expected %.9g, tolerance %.3g\n", ok ? "ok  " : "FAIL", what, got,
           expected, tol);
    return ok;
}

double test_max_rel_diff(const double *a, const double *b, size_t n) {
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double scale = fabs(b[i]) > 1 ? fabs(b[i]) : 1;
        double d = fabs(a[i] - b[i]) / scale;
        if (!(d <= worst)) worst = d; /* NaN propagates as the worst */
    }
    return worst;
}

int test_finish(const char *test_name) {
    printf("%s: %d checks, %d failed\n", test_name, checks_run, checks_failed);
    if (checks_run == 0) {
        printf("FAIL %s ran no checks\n", test_name);
        return 1;
    }
    return checks_failed ? 1 : 0;
}

int test_run_command(const char *command, char *out, size_t size) {
    char wrapped[8192];
    snprintf(wrapped, sizeof wrapped, "%s 2>&1", command);
    FILE *pipe = popen(wrapped, "r");
    if (!pipe) return -1;
    size_t used = 0;
    if (size > 0) out[0] = '\0';
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, pipe)) > 0) {
        if (size > 0 && used < size - 1) {
            size_t take = got < size - 1 - used ? got : size - 1 - used;
            memcpy(out + used, chunk, take);
            used += take;
            out[used] = '\0';
        }
    }
    int status = pclose(pipe);
    if (status == -1) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void test_write_file(const char *dir, const char *name, const char *text) {
    char path[4096];
    if (dir) snprintf(path, sizeof path, "%s/%s", dir, name);
    else snprintf(path, sizeof path, "%s", name);
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0) abort();
}

double test_query_number(char *out, size_t size, const char *db, const char *sql) {
    if (test_attnbench(out, size, "query --db %s --format csv \"%s\"", db, sql) != 0) return -1;
    const char *newline = strchr(out, '\n');
    return newline ? atof(newline + 1) : -1;
}

char *test_read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t size = 0, capacity = 1 << 16;
    char *text = malloc(capacity);
    size_t got;
    while (text && (got = fread(text + size, 1, capacity - size - 1, f)) > 0) {
        size += got;
        if (capacity - size < 2) {
            char *grown = realloc(text, capacity *= 2);
            if (!grown) free(text);
            text = grown;
        }
    }
    fclose(f);
    if (text) text[size] = '\0';
    return text;
}

int test_attnbench(char *out, size_t size, const char *fmt, ...) {
    char args[4096], command[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    snprintf(command, sizeof command, "%s %s", test_binary(), args);
    const int status = test_run_command(command, out, size);
    printf("$ attnbench %s  -> exit %d\n", args, status);
    return status;
}

const char *test_binary(void) {
    const char *bin = getenv("ATTNBENCH_BIN");
    return bin ? bin : "attnbench";
}

const char *test_source_dir(void) {
    const char *dir = getenv("ATTNBENCH_SOURCE");
    return dir ? dir : ".";
}

const char *test_temp_dir(void) {
    static char path[256];
    if (!path[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(path, sizeof path, "%s/attnbench-test-XXXXXX", base ? base : "/tmp");
        if (!mkdtemp(path)) {
            perror("mkdtemp");
            abort();
        }
    }
    return path;
}

bool test_python_imports(const char *modules, const char *what) {
    char command[512], probe[4096];
    snprintf(command, sizeof command,
             "out=$(/usr/bin/python3 -c 'import %s' 2>&1) || { echo \"$out\" | tail -n 1; exit 1; }", modules);
    const int status = test_run_command(command, probe, sizeof probe);
    if (status != 0) printf("SKIPPED: %s: /usr/bin/python3 cannot import %s: %s", what, modules, probe);
    return status == 0;
}
