/* test_committed_results.c — a committed table regenerates from the committed database
 * it came from: results/speed-leaderboard.md from results/speed.sqlite, byte for byte.
 * The database is copied first, so the test never writes into the source tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testing.h"

static char output[1 << 16];

int main(void) {
    char source[4096], copy[4096], table[4096], regenerated[4096];
    snprintf(source, sizeof source, "%s/results/speed.sqlite", test_source_dir());
    snprintf(table, sizeof table, "%s/results/speed-leaderboard.md", test_source_dir());
    snprintf(copy, sizeof copy, "%s/speed.sqlite", test_temp_dir());
    snprintf(regenerated, sizeof regenerated, "%s/speed-leaderboard.md", test_temp_dir());
    FILE *in = fopen(source, "rb"), *out = fopen(copy, "wb");
    char buffer[1 << 16];
    size_t got, copied = 0;
    while (in && out && (got = fread(buffer, 1, sizeof buffer, in)) > 0) copied += fwrite(buffer, 1, got, out);
    if (in) fclose(in);
    if (out) fclose(out);
    test_check(copied > 0, "results/speed.sqlite is committed and copied", "%zu bytes copied from %s", copied,
               source);
    test_check(test_attnbench(output, sizeof output, "leaderboard --suite speed --db %s -o %s", copy, regenerated) == 0,
               "attnbench leaderboard --suite speed runs on it", "%s", output);
    char *expected = test_read_file(table), *got_text = test_read_file(regenerated);
    test_check(expected && got_text && strcmp(expected, got_text) == 0,
               "results/speed-leaderboard.md regenerates byte for byte", "%s differs from %s", regenerated, table);
    free(expected);
    free(got_text);
    return test_finish("test_committed_results");
}
