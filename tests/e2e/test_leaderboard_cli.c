/* test_leaderboard_cli.c — `attnbench leaderboard` through the binary, on the fixture
 * database of tests/support/leaderboard_fixture.c in a temporary directory.
 *
 * Checked: --format html is one self-contained page (a single document, no http
 * reference, no script, link or external source) for every suite; bad options exit 2
 * with one line naming the value (and the valid ones); a suite without runs says so
 * and exits 0; --help lists every option; --all writes every table a manifest lists,
 * each equal to the same command run alone, reports a missing database naming it
 * (exit 1) after writing the others, and names manifest:line for a bad line (exit 2);
 * the committed results/leaderboards.tsv, copied where its databases are absent, has
 * only valid lines. */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leaderboard_fixture.h"
#include "store/store.h"
#include "testing.h"

static char db[512], lra_reference[1024], out[1 << 17];

static int count(const char *text, const char *needle) {
    int n = 0;
    for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle)) n++;
    return n;
}

static bool contains_nocase(const char *text, const char *needle) {
    for (const char *p = text; *p; p++) {
        size_t i = 0;
        while (needle[i] && tolower((unsigned char)p[i]) == needle[i]) i++;
        if (!needle[i]) return true;
    }
    return false;
}

static void test_html(void) {
    const char *suites[] = {"lra", "chomsky", "speed"};
    for (int i = 0; i < 3; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.html", test_temp_dir(), suites[i]);
        const int status = test_attnbench(out, sizeof out, "leaderboard --db %s --suite %s --format html -o %s%s%s",
                                          db, suites[i], path, i == 0 ? " --reference " : "",
                                          i == 0 ? lra_reference : "");
        char *page = test_read_file(path);
        test_check(status == 0 && page, "html written", "%s: exit %d %s", suites[i], status, out);
        if (!page) continue;
        const size_t n = strlen(page);
        test_check(strncmp(page, "<!DOCTYPE html>\n", 16) == 0 && count(page, "<html") == 1 &&
                       count(page, "</html>") == 1 && n > 8 && strcmp(page + n - 8, "</html>\n") == 0,
                   "one html document", "%s", suites[i]);
        test_check(!contains_nocase(page, "http") && !contains_nocase(page, "<script") &&
                       !contains_nocase(page, "<link") && !contains_nocase(page, "src=") &&
                       !contains_nocase(page, "url("),
                   "self-contained: no http, script, link or external source", "%s", suites[i]);
        test_check(count(page, "<style>") == 1 && count(page, "<table>") >= 1, "inline style and a table", "%s",
                   suites[i]);
        if (i == 0)
            test_check(count(page, "<tr class=\"reference\">") == 3 && strstr(page, "(Tay et al. 2021, Table 1)"),
                       "the paper's rows are marked as reference rows", "-");
        free(page);
    }
}

static void expect_usage(const char *args, const char *names) {
    const int status = test_attnbench(out, sizeof out, "leaderboard --db %s %s", db, args);
    test_check(status == 2 && strstr(out, names) && strncmp(out, "attnbench: ", 11) == 0,
               "a usage error naming the bad value", "%s: exit %d: %s", args, status, out);
}

static void test_errors(void) {
    expect_usage("--metric test.f1", "\"test.f1\"");
    expect_usage("--metric test.f1", "sequence_accuracy");
    expect_usage("--format pdf", "\"pdf\" (valid: md, csv, latex, html, json)");
    expect_usage("--agg avg", "\"avg\" (valid: mean_std, max, median)");
    expect_usage("--rows colour", "\"colour\"");
    expect_usage("--cols 'model..x'", "\"model..x\"");
    expect_usage("--suite glue", "\"glue\" in the database (its suites: chomsky, lra;");
    expect_usage("--suite glue/x", "\"glue/x\" (valid: lra, chomsky, speed");
    expect_usage("--suite speed --metric test.accuracy", "\"test.accuracy\"");
    expect_usage("--suite speed --rows task", "--suite speed");
    expect_usage("--rows task --cols task", "both \"Task\"");
    expect_usage("--bogus", "--bogus");
    expect_usage("--metric", "missing value after --metric");
    char empty[512];
    snprintf(empty, sizeof empty, "%s/empty.sqlite", test_temp_dir());
    store *s = NULL;
    error_info err = {0};
    test_check(store_open(&s, empty, false, &err) == 0, "an empty database", "%s", err.message);
    store_close(s);
    test_check(test_attnbench(out, sizeof out, "leaderboard --db %s --suite speed", empty) == 0 &&
                   strstr(out, "nothing to rank"),
               "a suite without runs: said, exit 0", "%s", out);
    test_check(test_attnbench(out, sizeof out, "leaderboard --help") == 0 && strstr(out, "--metric") &&
                   strstr(out, "--agg") && strstr(out, "--rows") && strstr(out, "--cols") &&
                   strstr(out, "--reference") && strstr(out, "--all") && strstr(out, "--format"),
               "--help lists every option", "%s", out);
}

static void write_manifest(const char *dir, const char *text) {
    test_write_file(dir, "leaderboards.tsv", text);
}

static void test_all(void) {
    char dir[512], sub[600], manifest[4096];
    snprintf(dir, sizeof dir, "%s/all", test_temp_dir());
    snprintf(sub, sizeof sub, "%s/tables", dir);
    mkdir(dir, 0777);
    mkdir(sub, 0777);
    char fixture[700];
    snprintf(fixture, sizeof fixture, "%s/fixture.sqlite", dir);
    leaderboard_fixture_create(fixture);
    snprintf(manifest, sizeof manifest,
             "# output\tdatabase\toptions\n"
             "tables/lra.md\tfixture.sqlite\t--reference %s\n"
             "\n"
             "missing.md\tmissing.sqlite\t--suite chomsky\n"
             "chomsky.json\tfixture.sqlite\t--suite chomsky --format json --reference none\n"
             "speed.csv fixture.sqlite --suite speed --format csv\n",
             lra_reference);
    write_manifest(dir, manifest);
    const int status = test_attnbench(out, sizeof out, "leaderboard --all -o %s", dir);
    test_check(status == 1 && count(out, "missing.sqlite") == 1 && strstr(out, "leaderboards.tsv:4:"),
               "--all: a missing database is one error naming it, exit 1", "exit %d: %s", status, out);
    const char *written[][2] = {
        {"tables/lra.md", ""},
        {"chomsky.json", "--suite chomsky --format json --reference none"},
        {"speed.csv", "--suite speed --format csv"},
    };
    for (int i = 0; i < 3; i++) {
        char path[1024], alone[1024];
        snprintf(path, sizeof path, "%s/%s", dir, written[i][0]);
        snprintf(alone, sizeof alone, "%s/alone-%d", test_temp_dir(), i);
        test_attnbench(out, sizeof out, "leaderboard --db %s -o %s %s%s%s", fixture, alone, written[i][1],
                       i == 0 ? "--reference " : "", i == 0 ? lra_reference : "");
        char *a = test_read_file(path), *b = test_read_file(alone);
        test_check(a && b && strcmp(a, b) == 0, "--all writes what the command alone writes", "%s", written[i][0]);
        free(a);
        free(b);
    }
    snprintf(sub, sizeof sub, "%s/missing.md", dir);
    test_check(access(sub, F_OK) != 0, "no file for the missing database", "-");

    write_manifest(dir, "lra.md fixture.sqlite --metric nope\nspeed.md fixture.sqlite --suite speed\n");
    test_check(test_attnbench(out, sizeof out, "leaderboard --all -o %s", dir) == 2 &&
                   strstr(out, "leaderboards.tsv:1:") && strstr(out, "\"nope\"") && strstr(out, "speed.md"),
               "--all: a bad line names manifest:line, exit 2, the others written", "%s", out);
    write_manifest(dir, "lra.md fixture.sqlite -o x.md\n");
    test_check(test_attnbench(out, sizeof out, "leaderboard --all -o %s", dir) == 2 && strstr(out, ":1:"),
               "--all: -o inside the manifest is refused", "%s", out);
    test_check(test_attnbench(out, sizeof out, "leaderboard --all") == 2, "--all without -o: usage error", "%s", out);
    test_check(test_attnbench(out, sizeof out, "leaderboard --all -o %s --suite chomsky", dir) == 2,
               "--all with other options: usage error", "%s", out);
    test_check(test_attnbench(out, sizeof out, "leaderboard --all -o %s/none", dir) == 1 &&
                   strstr(out, "leaderboards.tsv"),
               "--all without a manifest: runtime error naming it", "%s", out);
}

/* The committed manifest, run where its databases are absent: every line is valid (a
 * missing database is exit 1, a bad option would be 2) and each database is named. */
static void test_committed_manifest(void) {
    char dir[512], source[1024];
    snprintf(dir, sizeof dir, "%s/committed", test_temp_dir());
    snprintf(source, sizeof source, "%s/results/leaderboards.tsv", test_source_dir());
    mkdir(dir, 0777);
    char *manifest = test_read_file(source);
    if (!test_check(manifest != NULL, "results/leaderboards.tsv exists", "%s", source)) return;
    write_manifest(dir, manifest);
    free(manifest);
    const int status = test_attnbench(out, sizeof out, "leaderboard --all -o %s", dir);
    test_check(status == 1 && strstr(out, "quickstart.sqlite") && strstr(out, "lra-small.sqlite") &&
                   strstr(out, "speed.sqlite") && !strstr(out, "unknown"),
               "the committed manifest: every line valid, every database named", "exit %d: %s", status, out);
}

int main(void) {
    snprintf(db, sizeof db, "%s/fixture.sqlite", test_temp_dir());
    snprintf(lra_reference, sizeof lra_reference, "%s/results/reference/lra_table1.csv", test_source_dir());
    leaderboard_fixture_create(db);
    test_html();
    test_errors();
    test_all();
    test_committed_manifest();
    return test_finish("test_leaderboard_cli");
}
