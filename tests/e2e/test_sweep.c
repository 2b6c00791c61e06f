/* test_sweep.c — `attnbench sweep`, `reap`, `status`, `ls` and `show` through the binary.
 *
 * What is compared, each against counts read back from the database:
 *   - the plan: --dry-run writes nothing; a second sweep runs nothing; a command-line
 *     axis adds only the new runs; a plain override pins an axis; --shard I/N partitions
 *     the plan exactly;
 *   - outcomes: a learning rate of 1e8 is recorded as diverged (with its step) and the
 *     sweep goes on; a run that fails prints its first error line, the sweep goes on and
 *     exits 1; --rerun-failed runs it again in the same row;
 *   - crash safety: kill -9 of the whole sweep (process group) at several moments, and
 *     of the sweep process alone, then the same command again: every run completed once,
 *     no result ever on a run that is not completed;
 *   - two sweeps of one grid started together on one database: each run recorded once;
 *   - reap: a running row of a vanished local process and one with a stale heartbeat
 *     from another host become dead; a fresh one from another host stays running. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testing.h"

/* Steps of the runs that a kill should land in the middle of (about 1.5 s each); the
 * sanitizers make training about ten times slower, so their build trains less. */
#if defined(__SANITIZE_ADDRESS__)
enum { LONG_STEPS = 150, MEDIUM_STEPS = 60 };
#else
enum { LONG_STEPS = 1500, MEDIUM_STEPS = 600 };
#endif

static char out[1 << 16];
static const char *dir;

static const char tiny_config[] =
    "name: tiny\n"
    "task:\n"
    "  name: lra/listops\n"
    "  min_length: 10\n"
    "  max_length: 30\n"
    "  train_examples: 256\n"
    "  eval_examples: 32\n"
    "  test_examples: 32\n"
    "model:\n"
    "  layers: 1\n"
    "  dim: 16\n"
    "  heads: 2\n"
    "  mlp_dim: 32\n"
    "  attention:\n"
    "    kind: full\n"
    "train:\n"
    "  steps: 20\n"
    "  batch_size: 8\n"
    "  eval_every: 0\n"
    "  log_every: 5\n"
    "  threads: 1\n"
    "sweep:\n"
    "  model.attention.kind: [full, local]\n"
    "  train.seed: [0, 1]\n";

static const char *path_in(const char *name) {
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 512, "%s/%s", dir, name);
    return p;
}

static long long db_int(const char *db_path, const char *sql) {
    sqlite3 *db = NULL;
    long long value = -1;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_stmt *stmt = NULL;
        if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
            value = sqlite3_column_int64(stmt, 0);
        else
            fprintf(stderr, "query failed: %s: %s\n", sql, sqlite3_errmsg(db));
        sqlite3_finalize(stmt);
    }
    sqlite3_close(db);
    return value;
}

static void db_exec(const char *db_path, const char *sql) {
    sqlite3 *db = NULL;
    char *message = NULL;
    sqlite3_open(db_path, &db);
    if (sqlite3_exec(db, sql, NULL, NULL, &message) != SQLITE_OK) {
        fprintf(stderr, "exec failed: %s: %s\n", sql, message);
        abort();
    }
    sqlite3_close(db);
}

static void expect_count(const char *db_path, const char *sql, long long expected, const char *what) {
    long long got = db_int(db_path, sql);
    test_check(got == expected, what, "expected %lld, got %lld (%s)", expected, got, sql);
}

/* The invariants that must hold at every instant, whatever was killed when. */
static void check_invariants(const char *db, const char *when) {
    char what[256];
    snprintf(what, sizeof what, "%s: every completed run has its test and eval results", when);
    expect_count(db,
                 "SELECT count(*) FROM run r WHERE status = 'completed' AND (SELECT count(*) FROM result x WHERE "
                 "x.run_id = r.id AND x.split IN ('test', 'eval') AND x.name = 'accuracy') <> 2",
                 0, what);
    snprintf(what, sizeof what, "%s: no result on a run that is not completed", when);
    expect_count(db, "SELECT count(*) FROM result x JOIN run r ON r.id = x.run_id WHERE r.status <> 'completed'", 0,
                 what);
    snprintf(what, sizeof what, "%s: at most one row per (config hash, seed)", when);
    expect_count(db, "SELECT count(*) FROM (SELECT 1 FROM run GROUP BY config_hash, seed HAVING count(*) > 1)", 0,
                 what);
}

static void test_plan(const char *config) {
    const char *db = path_in("plan.sqlite");
    int rc = test_attnbench(out, sizeof out, "sweep %s --db %s --dry-run", config, db);
    test_check(rc == 0 && strstr(out, "4 runs in the plan") && strstr(out, "would run"), "dry run lists 4 runs",
               "rc %d: %s", rc, out);
    test_check(access(db, F_OK) != 0, "dry run created no database", NULL);

    rc = test_attnbench(out, sizeof out, "sweep %s --db %s -j 2", config, db);
    test_check(rc == 0 && strstr(out, "4 completed"), "sweep -j 2 completes 4 runs", "rc %d: %s", rc, out);
    expect_count(db, "SELECT count(*) FROM run WHERE status = 'completed'", 4, "4 completed rows");
    expect_count(db, "SELECT count(*) FROM sweep_run", 4, "4 runs linked to the sweep");
    expect_count(db, "SELECT count(DISTINCT threads) FROM provenance WHERE threads = 1", 1,
                 "runs record their thread count");

    rc = test_attnbench(out, sizeof out, "sweep %s --db %s", config, db);
    test_check(rc == 0 && strstr(out, "0 to run, 4 already completed") && strstr(out, "(0 run now)"),
               "the same sweep again runs nothing", "rc %d: %s", rc, out);
    expect_count(db, "SELECT count(*) FROM run", 4, "still 4 rows");

    rc = test_attnbench(out, sizeof out, "sweep %s --db %s train.seed=0,1,2 --quiet", config, db);
    test_check(rc == 0 && strstr(out, "2 to run, 4 already completed"), "a seed axis from the command line adds 2",
               "rc %d: %s", rc, out);
    expect_count(db, "SELECT count(*) FROM run WHERE status = 'completed'", 6, "6 completed rows");
    expect_count(db, "SELECT count(*) FROM sweep", 2, "two distinct plans, two sweeps");

    rc = test_attnbench(out, sizeof out, "sweep %s --db %s train.seed=0,1,2 model.attention.kind=full --dry-run",
                        config, db);
    test_check(rc == 0 && strstr(out, "3 runs in the plan") && !strstr(out, "local"),
               "a plain override pins its axis", "rc %d: %s", rc, out);

    rc = test_attnbench(out, sizeof out, "status --db %s", db);
    test_check(rc == 0 && strstr(out, "tiny") && strstr(out, "## all runs"), "status lists the sweeps", "%s", out);
    rc = test_attnbench(out, sizeof out, "status tiny --db %s", db);
    test_check(rc == 0 && strstr(out, "6 runs here of 6 in the whole plan: 6 completed"),
               "status of the latest sweep by name", "rc %d: %s", rc, out);
    rc = test_attnbench(out, sizeof out, "ls --db %s --status completed --mechanism local --format csv", db);
    int lines = 0;
    for (const char *p = out; (p = strchr(p, '\n')); p++) lines++;
    test_check(rc == 0 && lines == 1 + 3, "ls filters: 3 completed local runs (a header and 3 rows)",
               "rc %d, %d lines: %s", rc, lines, out);
    char id[8] = "";
    const char *row = strchr(strchr(out, '\n') + 1, '\n');
    if (row) snprintf(id, sizeof id, "%.6s", row + 1);
    rc = test_attnbench(out, sizeof out, "show %s --db %s", id, db);
    test_check(rc == 0 && strstr(out, "## provenance") && strstr(out, "\"kind\":\"local\"") &&
                   strstr(out, "model.attention.kind=local"),
               "show prints the run, its config, sweep overrides and provenance", "rc %d: %.300s", rc, out);
    rc = test_attnbench(out, sizeof out, "show ffffffffff --db %s", db);
    test_check(rc == 2 && strstr(out, "no run \"ffffffffff\""), "show of an unknown run: exit 2, named", "%s", out);
    rc = test_attnbench(out, sizeof out, "ls --db %s --status finished", db);
    test_check(rc == 2 && strstr(out, "\"finished\""), "ls of an unknown status: exit 2, named", "%s", out);
}

static void test_shards(const char *config) {
    int seen[12] = {0};
    bool ok = true;
    for (int shard = 1; shard <= 3; shard++) {
        int rc = test_attnbench(out, sizeof out, "sweep %s --db %s train.seed=0,1,2,3,4,5 --shard %d/3 --dry-run",
                                config, path_in("shard.sqlite"), shard);
        ok &= rc == 0 && strstr(out, "12 runs in the plan, 4 in this shard") != NULL;
        for (const char *p = out; (p = strstr(p, "\n ")); p++) {
            int position = -1;
            if (sscanf(p + 1, "%d", &position) == 1 && position >= 0 && position < 12) seen[position]++;
        }
    }
    for (int k = 0; k < 12; k++) ok &= seen[k] == 1;
    test_check(ok, "shards 1/3, 2/3, 3/3 partition the 12 entries exactly", "rc or counts wrong: %s", out);
    const char *db = path_in("shard2.sqlite");
    int rc = test_attnbench(out, sizeof out, "sweep %s --db %s train.seed=0,1,2,3,4,5 --shard 2/3 --quiet", config, db);
    test_check(rc == 0, "shard 2/3 runs", "%s", out);
    expect_count(db, "SELECT count(*) FROM run WHERE status = 'completed'", 4, "shard 2/3 recorded its 4 runs");
    expect_count(db, "SELECT planned FROM sweep", 12, "the shard records the size of the whole plan");
    static const char *const bad[] = {"0/3", "4/3", "1/0", "x", "1/3/2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rc = test_attnbench(out, sizeof out, "sweep %s --shard %s --dry-run", config, bad[i]);
        char what[64];
        snprintf(what, sizeof what, "--shard %s is a usage error", bad[i]);
        test_check(rc == 2 && strstr(out, bad[i]), what, "rc %d: %s", rc, out);
    }
}

static void test_outcomes(const char *config) {
    const char *db = path_in("outcomes.sqlite");
    int rc = test_attnbench(out, sizeof out,
                            "sweep %s --db %s train.lr=1e8,1e-3 train.warmup=0 train.steps=300 "
                            "model.attention.kind=full train.seed=0",
                            config, db);
    test_check(rc == 0 && strstr(out, "diverged at step") && strstr(out, "1 completed, 1 diverged"),
               "lr 1e8 diverges, the sweep goes on and exits 0", "rc %d: %s", rc, out);
    expect_count(db, "SELECT count(*) FROM run WHERE status = 'diverged' AND steps_done > 0 AND error LIKE 'non-finite%'",
                 1, "the diverged run records its step and why");

    /* Released data files with 3 examples: asking for 50 fails when the run loads its
     * data, which planning cannot see coming. */
    const char *data = path_in("listops-data");
    char command[1024];
    snprintf(command, sizeof command, "mkdir -p %s", data);
    test_run_command(command, out, sizeof out);
    static const char rows[] = "Source\tTarget\n( [MAX 2 9 ] )\t9\n( [MIN 4 6 ] )\t4\n( [MAX 1 3 ] )\t3\n";
    test_write_file(data, "basic_train.tsv", rows);
    test_write_file(data, "basic_val.tsv", rows);
    test_write_file(data, "basic_test.tsv", rows);
    const char *failing = path_in("failing.sqlite");
    rc = test_attnbench(out, sizeof out,
                        "sweep %s --db %s task.data_dir=%s task.train_examples=50,3 task.eval_examples=3 "
                        "task.test_examples=3 model.attention.kind=full train.seed=0",
                        config, failing, data);
    test_check(rc == 1 && strstr(out, "failed: ") && strstr(out, "1 completed, 0 diverged, 1 failed"),
               "a failing run prints its error, the next one still runs, exit 1", "rc %d: %s", rc, out);
    expect_count(failing, "SELECT count(*) FROM run WHERE status = 'failed' AND error LIKE '%has 3 examples%'", 1,
                 "the failed run records its first error line");
    rc = test_attnbench(out, sizeof out,
                        "sweep %s --db %s task.data_dir=%s task.train_examples=50,3 task.eval_examples=3 "
                        "task.test_examples=3 model.attention.kind=full train.seed=0 --rerun-failed",
                        config, failing, data);
    test_check(rc == 1 && strstr(out, "1 to run, 1 already completed") && strstr(out, "(1 run now)"),
               "--rerun-failed runs the failed run again", "rc %d: %s", rc, out);
    expect_count(failing, "SELECT count(*) FROM run", 2, "the rerun reuses the failed run's row");
}

/* Start `attnbench <args>` in a new process group, output to a file; returns its pid. */
static pid_t spawn(const char *args, const char *log) {
    char command[2048];
    snprintf(command, sizeof command, "exec %s %s > %s 2>&1", test_binary(), args, log);
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        execl("/bin/sh", "sh", "-c", command, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void sleep_seconds(double seconds) {
    struct timespec t = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    nanosleep(&t, NULL);
}

static void describe_statuses(const char *db, const char *when) {
    printf("     %s: completed %lld, running %lld, planned %lld, dead %lld\n", when,
           db_int(db, "SELECT count(*) FROM run WHERE status = 'completed'"),
           db_int(db, "SELECT count(*) FROM run WHERE status = 'running'"),
           db_int(db, "SELECT count(*) FROM run WHERE status = 'planned'"),
           db_int(db, "SELECT count(*) FROM run WHERE status = 'dead'"));
}

static void kill_and_resume(const char *config, double delay, bool group, const char *name) {
    const char *db = path_in(name);
    char args[1024], when[128];
    snprintf(args, sizeof args, "sweep %s --db %s -j 2 train.steps=%d train.seed=0,1,2,3", config, db, LONG_STEPS);
    pid_t pid = spawn(args, path_in("killed.log"));
    sleep_seconds(delay);
    kill(group ? -pid : pid, SIGKILL);
    waitpid(pid, NULL, 0);
    sleep_seconds(group ? 0.1 : 1.5); /* alone, the children stop on SIGTERM from the kernel */
    snprintf(when, sizeof when, "kill -9 of the %s after %.1f s", group ? "process group" : "sweep process", delay);
    describe_statuses(db, when);
    if (access(db, F_OK) == 0) check_invariants(db, when);
    int rc = test_attnbench(out, sizeof out, "%s --quiet", args);
    char what[256];
    snprintf(what, sizeof what, "%s: the same command finishes the rest", when);
    test_check(rc == 0 && strstr(out, "8 completed, 0 diverged, 0 failed, 0 dead"), what, "rc %d: %s", rc, out);
    snprintf(what, sizeof what, "%s: 8 rows, all completed", when);
    expect_count(db, "SELECT count(*) FROM run WHERE status = 'completed'", 8, what);
    expect_count(db, "SELECT count(*) FROM run", 8, what);
    check_invariants(db, "after resuming");
}

static void test_concurrent(const char *config) {
    const char *db = path_in("concurrent.sqlite");
    char args[1024];
    snprintf(args, sizeof args, "sweep %s --db %s train.steps=%d train.seed=0,1,2", config, db, MEDIUM_STEPS);
    pid_t a = spawn(args, path_in("a.log")), b = spawn(args, path_in("b.log"));
    int status_a = -1, status_b = -1;
    waitpid(a, &status_a, 0);
    waitpid(b, &status_b, 0);
    test_check(WIFEXITED(status_a) && WEXITSTATUS(status_a) == 0 && WIFEXITED(status_b) && WEXITSTATUS(status_b) == 0,
               "two sweeps of one grid on one database both exit 0", "status %d and %d", status_a, status_b);
    expect_count(db, "SELECT count(*) FROM run WHERE status = 'completed'", 6, "6 completed");
    expect_count(db, "SELECT count(*) FROM run", 6, "6 rows: no run recorded twice");
    expect_count(db, "SELECT count(*) FROM sweep", 1, "one sweep");
    check_invariants(db, "two sweeps at once");
    int ran_a = 0, ran_b = 0;
    char command[600];
    snprintf(command, sizeof command, "grep -o '([0-9]* run now)' %s", path_in("a.log"));
    test_run_command(command, out, sizeof out);
    sscanf(out, "(%d", &ran_a);
    snprintf(command, sizeof command, "grep -o '([0-9]* run now)' %s", path_in("b.log"));
    test_run_command(command, out, sizeof out);
    sscanf(out, "(%d", &ran_b);
    test_check(ran_a + ran_b == 6, "the two sweeps ran 6 runs between them", "%d + %d", ran_a, ran_b);
}

static void test_reap(void) {
    const char *db = path_in("reap.sqlite");
    int rc = test_attnbench(out, sizeof out, "reap --db %s", db);
    test_check(rc == 0 && strstr(out, "0 runs marked dead"), "reap of a new database", "rc %d: %s", rc, out);
    pid_t gone = fork();
    if (gone == 0) _exit(0);
    waitpid(gone, NULL, 0);
    char host[128] = "";
    gethostname(host, sizeof host - 1);
    char sql[2048];
    snprintf(sql, sizeof sql,
             "INSERT INTO config VALUES ('h', '{}');"
             "INSERT INTO run (id, config_hash, seed, name, task, task_version, mechanism, status, created_at, "
             "heartbeat_at, host, pid) VALUES "
             "('aaaa0000', 'h', 0, 'x', 't', '1', 'full', 'running', '2020-01-01T00:00:00.000Z', "
             " strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now'), '%s', %d),"
             "('bbbb0000', 'h', 1, 'x', 't', '1', 'full', 'running', '2020-01-01T00:00:00.000Z', "
             " '2020-01-01T00:00:00.000Z', 'elsewhere', 1),"
             "('cccc0000', 'h', 2, 'x', 't', '1', 'full', 'running', '2020-01-01T00:00:00.000Z', "
             " strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now'), 'elsewhere', 1);",
             host, (int)gone);
    db_exec(db, sql);
    rc = test_attnbench(out, sizeof out, "reap --db %s", db);
    test_check(rc == 0 && strstr(out, "2 runs marked dead") && strstr(out, "is gone") && strstr(out, "no heartbeat"),
               "reap marks the vanished and the silent run dead, saying why", "rc %d: %s", rc, out);
    expect_count(db, "SELECT count(*) FROM run WHERE status = 'dead' AND id IN ('aaaa0000', 'bbbb0000')", 2,
                 "both are dead");
    expect_count(db, "SELECT count(*) FROM run WHERE status = 'running' AND id = 'cccc0000'", 1,
                 "the run with a fresh heartbeat is left running");
}

int main(void) {
    dir = test_temp_dir();
    static char config[512];
    snprintf(config, sizeof config, "%s", path_in("tiny.yaml"));
    test_write_file(NULL, config, tiny_config);
    test_plan(config);
    test_shards(config);
    test_outcomes(config);
    kill_and_resume(config, 0.3, true, "kill1.sqlite");
    kill_and_resume(config, 2.0, true, "kill2.sqlite");
    kill_and_resume(config, 4.5, true, "kill3.sqlite");
    kill_and_resume(config, 2.5, false, "kill4.sqlite");
    test_concurrent(config);
    test_reap();
    return test_finish("test_sweep");
}
