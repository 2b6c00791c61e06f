/* test_data.c — `attnbench data` end to end: a header and one TSV row per example,
 * each row's length equal to its number of symbols, rows reproducible and addressable
 * alone (--start), splits different, and bad arguments exit 2 with one line naming the
 * value at fault. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    return test_finish("test_data");
}
