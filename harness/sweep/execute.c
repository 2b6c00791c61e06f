/* execute.c — the sweep's process pool (see execute.h): claim, fork, exec, wait, report.
 *
 * The parent is single-threaded and never trains, so forking it is safe. Each child's
 * stdout goes to /dev/null and its stderr to an unlinked temporary file, read after it
 * exits for the first error line. SIGINT/SIGTERM to the sweep stop the claiming,
 * are passed on to the running children, and the sweep waits for them to stop. */
#define _GNU_SOURCE
#include "sweep/execute.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/check.h"

static volatile sig_atomic_t stop_requested;

static void on_stop(int signo) { stop_requested = signo; }

static void catch_stop_signals(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_stop;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
}

typedef struct child {
    pid_t pid;
    int entry;     /* index into entries */
    int stderr_fd; /* the child's stderr, unlinked */
    int number;    /* 1-based order of starting, for the progress lines */
} child;

static int stderr_file(void) {
    char path[] = "/tmp/attnbench-run-XXXXXX";
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0) unlink(path);
    return fd;
}

/* In the child: never returns. */
static void exec_run(const plan_entry *e, const char *source, const char *run_id, const sweep_options *opt,
                     pid_t parent, int stderr_fd) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(EXIT_RUNTIME);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) dup2(devnull, STDOUT_FILENO);
    if (stderr_fd >= 0) dup2(stderr_fd, STDERR_FILENO);
    char threads[48];
    snprintf(threads, sizeof threads, "train.threads=%d", opt->threads);
    char **argv = calloc((size_t)e->n_overrides + 12, sizeof *argv);
    if (!argv) _exit(EXIT_RUNTIME);
    int n = 0;
    argv[n++] = "attnbench";
    argv[n++] = "run";
    argv[n++] = (char *)source;
    for (int i = 0; i < e->n_overrides; i++) argv[n++] = e->overrides[i];
    if (e->configured_threads == 0) argv[n++] = threads;
    argv[n++] = "--db";
    argv[n++] = (char *)opt->db_path;
    argv[n++] = "--quiet";
    argv[n++] = "--claimed";
    argv[n++] = (char *)run_id;
    argv[n] = NULL;
    execv("/proc/self/exe", argv);
    fprintf(stderr, "attnbench: cannot start a run: %s\n", strerror(errno));
    _exit(EXIT_RUNTIME);
}

/* The first line the child printed, without the "attnbench: " prefix. */
static void first_line(int fd, char *out, size_t size) {
    out[0] = '\0';
    if (fd < 0 || lseek(fd, 0, SEEK_SET) != 0) return;
    ssize_t got = read(fd, out, size - 1);
    out[got > 0 ? got : 0] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    static const char prefix[] = "attnbench: ";
    if (strncmp(out, prefix, sizeof prefix - 1) == 0) memmove(out, out + sizeof prefix - 1, strlen(out) - sizeof prefix + 2);
}

static void describe_exit(int wait_status, const char *printed, char *out, size_t size) {
    if (printed[0]) snprintf(out, size, "%s", printed);
    else if (WIFSIGNALED(wait_status)) snprintf(out, size, "killed by signal %d", WTERMSIG(wait_status));
    else snprintf(out, size, "exited with status %d without recording an outcome", WEXITSTATUS(wait_status));
}

static void print_outcome(const child *c, int total, const plan_entry *e, const char *run_id,
                          const run_summary *r) {
    printf("[%d/%d] %.8s %s %s", c->number, total, run_id, e->label[0] ? e->label : e->task, r->status);
    if (strcmp(r->status, "completed") == 0) {
        if (r->by_length)
            printf(": score %.2f%%, in-distribution %.2f%%", 100 * r->test_accuracy, 100 * r->eval_accuracy);
        else
            printf(": test %.2f%%, eval %.2f%%", 100 * r->test_accuracy, 100 * r->eval_accuracy);
        if (!isnan(r->wall_seconds)) printf(" (%.0f s)", r->wall_seconds);
    } else if (strcmp(r->status, "diverged") == 0) {
        printf(" at step %lld", (long long)r->steps_done);
    } else if (r->error[0]) {
        printf(": %s", r->error);
    }
    printf("\n");
    fflush(stdout);
}

/* A child has exited: make sure its run has an outcome, report it. */
static int finish_child(store *s, const child *c, int wait_status, const sweep_plan *plan, sweep_entry *entries,
                        const int *index, int total, error_info *err) {
    sweep_entry *entry = &entries[c->entry];
    run_summary r;
    int rc = store_run_summary(s, entry->run_id, &r, err);
    if (rc == 0 && strcmp(r.status, "running") == 0) {
        char printed[512], message[600];
        first_line(c->stderr_fd, printed, sizeof printed);
        describe_exit(wait_status, printed, message, sizeof message);
        rc = store_run_fail(s, entry->run_id, "failed", r.steps_done, message, err);
        if (rc == 0) rc = store_run_summary(s, entry->run_id, &r, err);
    }
    if (c->stderr_fd >= 0) close(c->stderr_fd);
    if (rc != 0) return -1;
    snprintf(entry->status, sizeof entry->status, "%s", r.status);
    print_outcome(c, total, &plan->entries[index[c->entry]], entry->run_id, &r);
    return 0;
}

static void forward_stop(const child *children, int n, int signo) {
    for (int i = 0; i < n; i++) kill(children[i].pid, signo);
}

/* Wait for one child; returns its slot, or -1 when interrupted (EINTR) with none. */
static int wait_child(child *children, int n, int *wait_status) {
    pid_t pid = waitpid(-1, wait_status, 0);
    if (pid < 0) return -1;
    for (int i = 0; i < n; i++)
        if (children[i].pid == pid) return i;
    return -1;
}

static void tally_entries(const sweep_entry *entries, int n, sweep_tally *t) {
    for (int i = 0; i < n; i++) {
        const char *st = entries[i].status;
        if (strcmp(st, "completed") == 0) t->completed++;
        else if (strcmp(st, "diverged") == 0) t->diverged++;
        else if (strcmp(st, "failed") == 0) t->failed++;
        else if (strcmp(st, "dead") == 0) t->dead++;
        else if (strcmp(st, "running") == 0) t->running_elsewhere++;
        else if (strcmp(st, "planned") == 0) t->planned++;
    }
}

int sweep_execute(store *s, const sweep_plan *plan, sweep_entry *entries, const int *index, int n,
                  const sweep_options *opt, sweep_tally *tally, error_info *err) {
    memset(tally, 0, sizeof *tally);
    int to_run = 0;
    for (int i = 0; i < n; i++) to_run += strcmp(entries[i].status, "planned") == 0;
    catch_stop_signals();
    child *children = calloc((size_t)opt->jobs, sizeof *children);
    CHECK(children != NULL);
    int active = 0, status = 0, next = 0, forwarded = 0;
    const pid_t self = getpid();
    while (status == 0) {
        if (stop_requested && forwarded != stop_requested) {
            forward_stop(children, active, stop_requested);
            forwarded = stop_requested;
        }
        while (next < n && strcmp(entries[next].status, "planned") != 0) next++;
        if (!stop_requested && next < n && active < opt->jobs) {
            bool claimed = false;
            if (store_run_claim(s, entries[next].run_id, &claimed, err) != 0) {
                status = -1;
                break;
            }
            if (!claimed) { /* another sweep took it: it is running elsewhere */
                snprintf(entries[next].status, sizeof entries[next].status, "running");
                next++;
                continue;
            }
            fflush(stdout);
            fflush(stderr);
            child *c = &children[active];
            *c = (child){.entry = next, .stderr_fd = stderr_file(), .number = ++tally->ran};
            const plan_entry *e = &plan->entries[index[next]];
            c->pid = fork();
            if (c->pid == 0) exec_run(e, plan->source, entries[next].run_id, opt, self, c->stderr_fd);
            CHECK(c->pid > 0);
            snprintf(entries[next].status, sizeof entries[next].status, "running");
            if (!opt->quiet) {
                printf("[%d/%d] %.8s %s started\n", c->number, to_run, entries[next].run_id,
                       e->label[0] ? e->label : e->task);
                fflush(stdout);
            }
            active++;
            next++;
            continue;
        }
        if (active == 0) break;
        int wait_status = 0;
        const int slot = wait_child(children, active, &wait_status);
        if (slot < 0) continue; /* interrupted: the loop forwards the signal */
        const child done = children[slot];
        children[slot] = children[--active];
        status = finish_child(s, &done, wait_status, plan, entries, index, to_run, err);
    }
    if (status != 0) { /* the database failed us: stop the children, leave their rows to them */
        forward_stop(children, active, SIGTERM);
        while (active > 0 && wait(NULL) > 0) active--;
    }
    free(children);
    tally->interrupted = stop_requested != 0;
    tally_entries(entries, n, tally);
    return status;
}
