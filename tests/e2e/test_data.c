/* test_data.c — `attnbench data` end to end: a header and one TSV row per example,
 * each row's length equal to its number of symbols, rows reproducible and addressable
 * alone (--start), splits different, and bad arguments exit 2 with one line naming the
 * value at fault. Then ListOps from files in the released layout: `data` prints them,
 * a run trains on them, and a config asking for more examples than a file holds exits
 * 2 naming the file before anything is recorded. Image tasks written with --png read
 * back as the printed grey levels. --requests prints exactly the (index, length) pairs it
 * is handed, the rows --start and --length print, and refuses a malformed line. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/png_io.h"
#include "testing.h"

static char output[1 << 16];

#define run(...) test_attnbench(output, sizeof output, __VA_ARGS__)

/* Line `n` (0 = the header) of the last output, copied into line. */
static bool nth_line(int n, char *line, size_t size) {
    const char *p = output;
    for (int i = 0; i < n && p; i++) p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
    if (!p || !*p) return false;
    const size_t length = strcspn(p, "\n");
    if (length >= size) return false;
    memcpy(line, p, length);
    line[length] = '\0';
    return true;
}

static int count_lines(void) {
    int n = 0;
    for (const char *p = output; *p; p++) n += *p == '\n';
    return n;
}

/* index, length, target and input columns, with length = number of symbols. */
static bool row_consistent(const char *line, long expected_index) {
    char copy[8192];
    snprintf(copy, sizeof copy, "%s", line);
    char *save = NULL;
    const char *index = strtok_r(copy, "\t", &save), *length = strtok_r(NULL, "\t", &save);
    const char *target = strtok_r(NULL, "\t", &save), *input = strtok_r(NULL, "\t", &save);
    if (!index || !length || !target || !input || atol(index) != expected_index) return false;
    long symbols = 1;
    for (const char *p = input; *p; p++) symbols += *p == ' ';
    return symbols == atol(length) && atoi(target) >= 0 && atoi(target) <= 9;
}

static void check_released_files(void) {
    char dir[600], db[700];
    snprintf(dir, sizeof dir, "%s/listops-1000", test_temp_dir());
    snprintf(db, sizeof db, "%s/runs.sqlite", test_temp_dir());
    mkdir(dir, 0700);
    const char *rows = "Source\tTarget\n( ( [MAX 2 ) 9 ) ]\t9\n( ( [MIN 4 ) 6 ) ]\t4\n( ( [SM 3 ) 8 ) ]\t1\n";
    test_write_file(dir, "basic_train.tsv", rows);
    test_write_file(dir, "basic_val.tsv", rows);
    test_write_file(dir, "basic_test.tsv", rows);
    test_check(run("data lra/listops data_dir=%s --count 2", dir) == 0 && strstr(output, "0\t4\t9\t[MAX 2 9 ]") &&
                   strstr(output, "1\t4\t4\t[MIN 4 6 ]"),
               "data prints the rows of the released file", "%s", output);
    const char *common = "task.name=lra/listops task.eval_examples=2 task.test_examples=3 model.layers=1 "
                         "model.dim=8 model.heads=2 model.mlp_dim=8 train.steps=2 train.batch_size=2 "
                         "train.threads=1";
    char config[700];
    snprintf(config, sizeof config, "%s/empty.yaml", test_temp_dir());
    test_write_file(test_temp_dir(), "empty.yaml", "name: released\n");
    test_check(run("run %s --db %s --quiet %s task.data_dir=%s task.train_examples=5", config, db, common, dir) == 2 &&
                   strstr(output, "basic_train.tsv has 3 examples") && access(db, F_OK) != 0,
               "asking for more examples than the file has: exit 2 naming it, nothing recorded", "%s", output);
    test_check(run("run %s --db %s --quiet %s task.data_dir=%s task.train_examples=3", config, db, common, dir) == 0,
               "a run trains on the released files", "%s", output);
}

/* --png writes each image as a grey PNG whose pixels are the printed grey levels,
 * named by split, index and target, creating the directory; other tasks and a
 * directory that cannot be made are refused. */
static void check_png(const char *task, const char *options, int side) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/png-%s", test_temp_dir(), strchr(task, '/') + 1);
    if (!test_check(run("data %s --count 3 --split eval %s --png %s", task, options, dir) == 0, "data --png runs",
                    "%s", output))
        return;
    int matched = 0;
    char detail[1600] = "";
    for (int i = 0; i < 3; i++) {
        char row[1 << 14], path[1200];
        long index, length;
        int target, used = 0;
        if (!nth_line(i + 1, row, sizeof row) || sscanf(row, "%ld\t%ld\t%d\t%n", &index, &length, &target, &used) != 3)
            break;
        snprintf(path, sizeof path, "%s/eval-%d-target%d.png", dir, i, target);
        uint8_t *pixels = NULL;
        int width = 0, height = 0;
        error_info err = {0};
        if (png_read_grey(path, &pixels, &width, &height, &err) != 0) {
            snprintf(detail, sizeof detail, "%s", err.message);
            break;
        }
        bool same = width == side && height == side && length == side * side;
        const char *p = row + used;
        for (int k = 0; same && k < side * side; k++) {
            char *end;
            same = strtol(p, &end, 10) == pixels[k] && end != p;
            p = end;
        }
        free(pixels);
        if (!same) {
            snprintf(detail, sizeof detail, "%s differs from row %d", path, i);
            break;
        }
        matched++;
    }
    test_check(matched == 3, "--png: 3 PNGs named <split>-<index>-target<k>.png hold the printed grey levels", "%s",
               detail);
}

static void check_png_errors(void) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/png-listops", test_temp_dir());
    test_check(run("data lra/listops --count 1 --png %s", dir) == 2 && strstr(output, "not an image task"),
               "--png of a task without images exits 2", "%s", output);
    snprintf(dir, sizeof dir, "%s/no/such/parent", test_temp_dir());
    test_check(run("data lra/image --count 1 --png %s", dir) == 1 && strstr(output, dir),
               "--png into a directory that cannot be made exits 1 naming it", "%s", output);
}

/* --requests names examples one per line: each row is the one --start/--length prints. */
static void check_requests(void) {
    char file[1024], expected[3][8192], row[8192];
    const int index[3] = {7, 0, 7}, length[3] = {12, 3, 25};
    for (int i = 0; i < 3; i++) {
        run("data chomsky/reverse_string --start %d --count 1 --length %d", index[i], length[i]);
        nth_line(1, expected[i], sizeof expected[i]);
    }
    snprintf(file, sizeof file, "%s/requests.txt", test_temp_dir());
    test_write_file(NULL, file, "7 12\n0 3\n7 25\n");
    bool same = run("data chomsky/reverse_string --requests %s", file) == 0 && count_lines() == 4;
    for (int i = 0; same && i < 3; i++) same = nth_line(i + 1, row, sizeof row) && strcmp(row, expected[i]) == 0;
    test_check(same, "--requests prints the rows of (7, 12), (0, 3), (7, 25) in that order, as --start/--length do",
               "%s", output);
    test_write_file(NULL, file, "7 12\n0 x\n");
    test_check(run("data chomsky/reverse_string --requests %s", file) == 2 && strstr(output, "line 2"),
               "a malformed --requests line exits 2 naming its line", "%s", output);
    test_write_file(NULL, file, "0 12\n");
    test_check(run("data lra/listops --requests %s", file) == 2 && strstr(output, "line 1"),
               "a length for a task without a length protocol exits 2", "%s", output);
}

int main(void) {
    test_check(run("data lra/listops --count 5 min_length=10 max_length=40") == 0 && count_lines() == 6,
               "five examples and a header", "%s", output);
    char header[256], row[8192], third[8192];
    test_check(nth_line(0, header, sizeof header) && strcmp(header, "index\tlength\ttarget\tinput") == 0,
               "the header names the columns", "%s", header);
    bool consistent = true;
    for (int i = 1; i <= 5; i++) consistent = consistent && nth_line(i, row, sizeof row) && row_consistent(row, i - 1);
    test_check(consistent, "every row has its index, and as many symbols as its length", "%s", output);
    nth_line(3, third, sizeof third);

    test_check(run("data lra/listops --start 2 --count 1 min_length=10 max_length=40") == 0 &&
                   nth_line(1, row, sizeof row) && strcmp(row, third) == 0,
               "example 2 printed alone is the same row", "%s | %s", row, third);
    test_check(run("data lra/listops --split test --start 2 --count 1 min_length=10 max_length=40") == 0 &&
                   nth_line(1, row, sizeof row) && strcmp(row, third) != 0,
               "the test split's example 2 is another expression", "%s", row);

    const char *bad[] = {"data nosuch", "data lra/listops nosuch=1", "data lra/listops max_length=x",
                         "data lra/listops --split dev", "data lra/listops --count -1", "data"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        test_check(run("%s", bad[i]) == 2 && strchr(output, '\n') == output + strlen(output) - 1,
                   "bad arguments exit 2 with one line", "%s: %s", bad[i], output);
    test_check(run("data --help") == 0 && strstr(output, "usage: attnbench data"), "--help prints the usage", "%s",
               output);
    check_released_files();
    check_png("lra/image", "side=16 contrast=255 texture=0 noise=0 clutter=0", 16);
    check_png("lra/pathfinder", "", 32);
    check_png_errors();
    check_requests();
    return test_finish("test_data");
}
