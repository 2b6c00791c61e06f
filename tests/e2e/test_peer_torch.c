/* test_peer_torch.c — `attnbench bench --peer` with the project's own PyTorch peer
 * (harness/model/peer_torch.py), end to end.
 *
 * Everywhere: `--peer` with no path runs the script of the source tree (seen through
 * an interpreter that only echoes its arguments), and a peer script that is not there
 * is one usage line naming it, before any cell runs. Where /usr/bin/python3 can import
 * torch: the real peer measures full, blocked local (with a partial last block) and
 * Performer on a tiny cell, its numbers appear in the comparison table, and its rows
 * are recorded. Without torch (CI) that part is reported as SKIPPED and ctest shows the
 * test as skipped (exit 77). */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testing.h"

#define SKIPPED 77

static char output[1 << 16];
static char db[512];

#define run(...) test_attnbench(output, sizeof output, __VA_ARGS__)

#define query_number(sql) test_query_number(output, sizeof output, db, sql)

static void test_default_script(void) {
    char want[1024];
    snprintf(want, sizeof want, "%s/harness/model/peer_torch.py --mechs full --lengths 16", test_source_dir());
    test_check(run("bench --mechanisms full --lengths 16 --steps 1 --threads 1 --peer --python /bin/echo "
                   "--no-record") == 0 &&
                   strstr(output, want) && strstr(output, "Against the PyTorch peer (harness/model/peer_torch.py)"),
               "--peer alone runs the source tree's peer_torch.py", "wanted \"%s\" in %s", want, output);
    test_check(run("bench --mechanisms full --lengths 16 --peer /nonexistent/peer.py --no-record") == 2 &&
                   strstr(output, "bench: --peer: cannot read the peer script /nonexistent/peer.py") &&
                   !strstr(output, "sgemm"),
               "a missing peer script is a usage error naming it, before anything runs", "%s", output);
}

static void test_real_peer(void) {
    snprintf(db, sizeof db, "%s/peer.sqlite", test_temp_dir());
    test_check(run("bench --mechanisms full,local,performer --lengths 40 --batch 2 --steps 2 --threads 1 "
                   "--option local.blocked=true --option local.block=16 --option performer.features=16 "
                   "--option performer.orthogonal=false --peer --db %s", db) == 0,
               "bench with the project's peer on T=40", "%s", output);
    const char *rows[] = {"| full | 40 | 2 |", "| local (blocked=true block=16) | 40 | 2 |",
                          "| performer (features=16 orthogonal=false) | 40 | 2 |"};
    for (int i = 0; i < 3; i++) {
        const char *table = strstr(output, "Against the PyTorch peer");
        const char *row = table ? strstr(table, rows[i]) : NULL;
        const char *end = row ? strchr(row, '\n') : NULL;
        const char *version = row ? strstr(row, "| PyTorch ") : NULL;
        test_check(version && end && version < end, "the comparison row has the peer's measurement",
                   "no \"%s ... | PyTorch x |\" row in %s", rows[i], output);
    }
    test_near(query_number("SELECT count(*) FROM bench WHERE implementation LIKE 'PyTorch %' AND length = 40 AND "
                           "batch = 2 AND tokens_per_second > 0 AND abs(tokens_per_second - steps_per_second * 80) "
                           "< 1e-3 * tokens_per_second + 1 AND peak_rss_bytes > 1e7"),
              3, 0, "the peer's three rows are recorded with consistent speeds and its memory");
}

int main(void) {
    test_default_script();
    if (!test_python_imports("torch", "the PyTorch peer itself")) {
        const int status = test_finish("test_peer_torch");
        return status != 0 ? status : SKIPPED;
    }
    test_real_peer();
    return test_finish("test_peer_torch");
}
