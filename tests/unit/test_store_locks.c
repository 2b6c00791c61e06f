/* test_store_locks.c — opening a second connection to a database, as every run does for
 * its heartbeat, keeps the locks the first connection holds.
 *
 * A process's POSIX locks on a file go with the first close() of any descriptor of that
 * file. When store_open looked at the header with open() and close(), a run's heartbeat
 * connection released the shared lock of the run's own connection, and another process
 * closing its last connection could then checkpoint and reset the WAL under it: sweeps
 * sharing a database ended with "database disk image is malformed". Here the first
 * connection holds a read transaction, a second store_open follows, and a child process
 * asks the kernel (F_GETLK) whether the parent still holds a read lock on SQLite's
 * shared-lock bytes of the database file; then a writer in another process and the first
 * connection's reads must leave the database intact. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_internal.h"
#include "testing.h"

/* SQLite's lock bytes (os_unix.c): readers lock one byte of the SHARED range, which
 * starts two bytes after the PENDING byte at 1 GiB. */
#define PENDING_BYTE 0x40000000
#define SHARED_FIRST (PENDING_BYTE + 2)
#define SHARED_SIZE 510

/* In a child: 0 when some other process holds a read lock on the shared range of path. */
static int child_sees_read_lock(const char *path) {
    const int fd = open(path, O_RDONLY);
    if (fd < 0) return 2;
    struct flock probe = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = SHARED_FIRST, .l_len = SHARED_SIZE};
    if (fcntl(fd, F_GETLK, &probe) != 0) return 3;
    return probe.l_type == F_RDLCK ? 0 : 1;
}

static int run_in_child(int (*work)(const char *), const char *path) {
    fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) _exit(work(path));
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 4;
}

/* In a child: a writer of its own that commits and closes (its close checkpoints when it
 * believes it is the last connection). */
static int child_writes(const char *path) {
    store *s = NULL;
    error_info err = {0};
    if (store_open(&s, path, false, &err) != 0) return 2;
    const int rc = sqlite3_exec(s->db, "CREATE TABLE IF NOT EXISTS scratch (x); INSERT INTO scratch VALUES (1)",
                                NULL, NULL, NULL);
    store_close(s);
    return rc == SQLITE_OK ? 0 : 1;
}

int main(void) {
    char path[600];
    snprintf(path, sizeof path, "%s/locks.sqlite", test_temp_dir());
    store *first = NULL, *second = NULL;
    error_info err = {0};
    test_check(store_open(&first, path, false, &err) == 0, "open the database", "%s", err.message);
    test_check(sqlite3_exec(first->db, "BEGIN; SELECT count(*) FROM run;", NULL, NULL, NULL) == SQLITE_OK,
               "a read transaction on the first connection", "%s", sqlite3_errmsg(first->db));
    test_check(run_in_child(child_sees_read_lock, path) == 0,
               "another process sees the first connection's read lock on the database file",
               "no read lock on the shared bytes");
    test_check(store_open(&second, path, false, &err) == 0, "open a second connection in the same process", "%s",
               err.message);
    test_check(run_in_child(child_sees_read_lock, path) == 0,
               "the first connection's read lock survives the second store_open (no raw open/close of the file)",
               "the read lock is gone: another process could reset the WAL under the first connection");
    sqlite3_exec(first->db, "COMMIT", NULL, NULL, NULL);
    store_close(second);
    test_check(run_in_child(child_writes, path) == 0, "a writer in another process commits and closes",
               "it failed");
    char *message = NULL;
    char **rows = NULL;
    int n_rows = 0, n_columns = 0;
    const int rc = sqlite3_get_table(first->db, "PRAGMA integrity_check", &rows, &n_rows, &n_columns, &message);
    test_check(rc == SQLITE_OK && n_rows == 1 && strcmp(rows[1], "ok") == 0,
               "the first connection then finds the database intact (PRAGMA integrity_check)", "%s",
               rc == SQLITE_OK && n_rows >= 1 ? rows[1] : message ? message : "failed");
    sqlite3_free_table(rows);
    sqlite3_free(message);
    store_close(first);
    return test_finish("test_store_locks");
}
