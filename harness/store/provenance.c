/* provenance.c — where a result came from: the build (version, commit, compiler,
 * flags, BLAS) and the machine (CPU, cores, host, OS), recorded with every run so that
 * numbers from different machines and builds can be told apart. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/blas.h"
#include "store/store.h"

#ifndef ATTNBENCH_VERSION
#define ATTNBENCH_VERSION "unknown"
#endif
#ifndef ATTNBENCH_COMMIT
#define ATTNBENCH_COMMIT "unknown"
#endif
#ifndef ATTNBENCH_FLAGS
#define ATTNBENCH_FLAGS "unknown"
#endif

#if defined(__clang__)
#define COMPILER_NAME __VERSION__ /* e.g. "Debian Clang 14.0.6" */
#elif defined(__GNUC__)
#define COMPILER_NAME "GCC " __VERSION__
#else
#define COMPILER_NAME "unknown C compiler"
#endif

/* Copy text into a fixed field, truncating and always terminating. */
static void copy_field(char *field, size_t size, const char *text) {
    size_t n = strlen(text);
    if (n >= size) n = size - 1;
    memcpy(field, text, n);
    field[n] = '\0';
}

/* The "model name" line of /proc/cpuinfo (x86), else "unknown". */
static void read_cpu_model(char *field, size_t size) {
    copy_field(field, size, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) != 0) continue;
        const char *value = strchr(line, ':');
        if (!value) continue;
        value++;
        while (*value == ' ' || *value == '\t') value++;
        line[strcspn(line, "\n")] = '\0';
        copy_field(field, size, value);
        break;
    }
    fclose(f);
}

void provenance_collect(provenance *p, int threads) {
    memset(p, 0, sizeof *p);
    copy_field(p->version, sizeof p->version, ATTNBENCH_VERSION);
    copy_field(p->commit, sizeof p->commit, ATTNBENCH_COMMIT);
    copy_field(p->compiler, sizeof p->compiler, COMPILER_NAME);
    copy_field(p->flags, sizeof p->flags, ATTNBENCH_FLAGS);
    copy_field(p->blas, sizeof p->blas, blas_describe());
    p->blas_threads = blas_threads();
    p->threads = threads;
    read_cpu_model(p->cpu, sizeof p->cpu);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    p->cpu_count = cpus > 0 ? (int)cpus : 0;
    if (gethostname(p->host, sizeof p->host - 1) != 0)
        copy_field(p->host, sizeof p->host, "unknown");
    struct utsname u;
    if (uname(&u) == 0) {
        char os[sizeof u.sysname + sizeof u.release + sizeof u.machine + 3];
        snprintf(os, sizeof os, "%s %s %s", u.sysname, u.release, u.machine);
        copy_field(p->os, sizeof p->os, os);
    } else {
        copy_field(p->os, sizeof p->os, "unknown");
    }
}
