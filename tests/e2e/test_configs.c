/* test_configs.c — every config shipped under configs/ is valid: `attnbench run CONFIG
 * --check` loads it (keys, types, bounds, the task's and the mechanism's options), makes
 * the task and the last example of each split, exits 0 and records nothing. Also: a
 * config whose check fails exits 2 naming the key, and --check creates no database. */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testing.h"

static char output[1 << 16];
static char db[600];
static int n_configs;

static bool is_yaml(const char *name) {
    const size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".yaml") == 0;
}

static void check_directory(const char *dir) {
    DIR *d = opendir(dir);
    if (!test_check(d != NULL, "configs directory readable", "%s", dir)) return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[1200];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (stat(path, &st) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            if (strcmp(e->d_name, "slurm") != 0) check_directory(path);
            continue;
        }
        if (!is_yaml(e->d_name)) continue;
        n_configs++;
        const int status = test_attnbench(output, sizeof output, "run %s --check --db %s", path, db);
        test_check(status == 0 && strstr(output, ": ok (task "), "config is valid", "%s: exit %d: %s", path,
                   status, output);
    }
    closedir(d);
}

int main(void) {
    snprintf(db, sizeof db, "%s/never.sqlite", test_temp_dir());
    char configs[900];
    snprintf(configs, sizeof configs, "%s/configs", test_source_dir());
    check_directory(configs);
    test_check(n_configs >= 13, "every shipped config was checked", "found %d (quickstart, lra/, lra-small/)",
               n_configs);

    char bad[700];
    snprintf(bad, sizeof bad, "%s/bad.yaml", test_temp_dir());
    test_write_file(NULL, bad, "task:\n  name: lra/listops\n  max_length: 1\n");
    const int status = test_attnbench(output, sizeof output, "run %s --check --db %s", bad, db);
    test_check(status == 2 && strstr(output, "max_length"), "an invalid config fails the check with exit 2",
               "exit %d: %s", status, output);
    test_check(access(db, F_OK) != 0, "--check creates no database", "%s exists", db);
    return test_finish("test_configs");
}
