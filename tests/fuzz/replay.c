/* replay.c — run the fuzz target over every file of a corpus directory.
 *
 * This makes the fuzz corpus an ordinary test: ctest replays it in every build, and
 * the sanitizer build turns any memory error, leak or undefined behaviour an input
 * triggers into a failure. Each input's line says what became of its config: refused
 * (with the error), or built into a model (of what size). Files run in name order; an
 * empty or missing directory fails, so a mistyped path cannot pass by replaying
 * nothing. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *fuzz_config_outcome(void);

enum { NAMES_MAX = 4096 };

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read a whole file; NULL on failure. */
static uint8_t *read_all(const char *path, size_t *size) {
    FILE *file = fopen(path, "rb");
    if (!file) return NULL;
    uint8_t *data = NULL;
    size_t used = 0, capacity = 0, got;
    do {
        if (used == capacity) {
            capacity = capacity ? 2 * capacity : 4096;
            uint8_t *grown = realloc(data, capacity);
            if (!grown) abort();
            data = grown;
        }
        got = fread(data + used, 1, capacity - used, file);
        used += got;
    } while (got > 0);
    int failed = ferror(file);
    fclose(file);
    if (failed) {
        free(data);
        return NULL;
    }
    *size = used;
    return data;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIRECTORY\n", argv[0]);
        return 2;
    }
    DIR *dir = opendir(argv[1]);
    if (!test_check(dir != NULL, "the corpus directory opens", "cannot open %s", argv[1]))
        return test_finish("fuzz_config_replay");
    char **names = malloc(NAMES_MAX * sizeof *names);
    if (!names) abort();
    int n_names = 0;
    for (struct dirent *entry; (entry = readdir(dir)) != NULL && n_names < NAMES_MAX;) {
        char path[4096];
        struct stat info;
        snprintf(path, sizeof path, "%s/%s", argv[1], entry->d_name);
        if (stat(path, &info) != 0 || !S_ISREG(info.st_mode)) continue;
        names[n_names] = malloc(strlen(path) + 1);
        if (!names[n_names]) abort();
        strcpy(names[n_names++], path);
    }
    closedir(dir);
    qsort(names, (size_t)n_names, sizeof *names, compare_names);
    int replayed = 0;
    for (int i = 0; i < n_names; i++) {
        size_t size = 0;
        uint8_t *data = read_all(names[i], &size);
        if (test_check(data != NULL, names[i], "cannot read")) {
            LLVMFuzzerTestOneInput(data, size);
            printf("     replayed %zu bytes: %s\n", size, fuzz_config_outcome());
            replayed++;
        }
        free(data);
        free(names[i]);
    }
    free(names);
    char what[128];
    snprintf(what, sizeof what, "the corpus has inputs (%d replayed)", replayed);
    test_check(replayed > 0, what, "no files in %s", argv[1]);
    return test_finish("fuzz_config_replay");
}
