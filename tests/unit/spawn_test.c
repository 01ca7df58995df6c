/*
 * Unit tests for lib/spawn.c: real children (/bin/sh, cat, sleep), checked
 * by pid, session, descriptors and timing.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <myha/rc.h>
#include <myha/spawn.h>

#define ARGV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static long long
elapsed_ms(const struct timespec *since)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return ((now.tv_sec - since->tv_sec) * 1000LL)
           + ((now.tv_nsec - since->tv_nsec) / 1000000);
}

// Wait until pid is gone (reaped or a zombie of someone else's)
static bool
pid_gone_within(pid_t pid, int timeout_ms)
{
    struct timespec start;

    clock_gettime(CLOCK_MONOTONIC, &start);
    while (myha_is_pid_alive(pid)) {
        if (elapsed_ms(&start) > timeout_ms) {
            return false;
        }
        usleep(10000);
    }
    return true;
}

static char *
make_tmpdir(void)
{
    char *dir = strdup("/tmp/myha-spawn-test.XXXXXX");

    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static char *
read_file(const char *path, size_t *ret_len)
{
    FILE *f = fopen(path, "re");
    char *text = NULL;
    size_t len = 0;

    if (f == NULL) {
        return NULL;
    }
    text = calloc(1, 1);
    assert_non_null(text);
    for (;;) {
        char *bigger = realloc(text, len + 4096 + 1);
        size_t n = 0;

        assert_non_null(bigger);
        text = bigger;
        n = fread(text + len, 1, 4096, f);
        len += n;
        text[len] = '\0';
        if (n == 0) {
            break;
        }
    }
    fclose(f);
    if (ret_len != NULL) {
        *ret_len = len;
    }
    return text;
}

static void
exit_code_is_reported(void **state)
{
    struct myha_spawn_opts opts = { .argv = ARGV("/bin/sh", "-c", "exit 3") };
    struct myha_child_status st = { true, -1, -1 };

    assert_int_equal(myha_spawn_run(&opts, 5000, &st, NULL, NULL),
                     myha_rc_child_failed);
    assert_false(st.signaled);
    assert_int_equal(st.exit_code, 3);
    assert_int_equal(st.signal, 0);
    assert_int_equal(myha_child_status_rc(&st), myha_rc_child_failed);

    opts.argv = ARGV("/bin/true");
    assert_int_equal(myha_spawn_run(&opts, 5000, &st, NULL, NULL), 0);
    assert_false(st.signaled);
    assert_int_equal(st.exit_code, 0);
    assert_int_equal(myha_child_status_rc(&st), 0);
    assert_int_equal(myha_child_status_rc(NULL), myha_rc_child_failed);
}

static void
signal_is_reported(void **state)
{
    struct myha_spawn_opts opts = {
        .argv = ARGV("/bin/sh", "-c", "kill -KILL $$"),
    };
    struct myha_child_status st = { false, -1, -1 };

    assert_int_equal(myha_spawn_run(&opts, 5000, &st, NULL, NULL),
                     myha_rc_child_failed);
    assert_true(st.signaled);
    assert_int_equal(st.signal, SIGKILL);
    assert_int_equal(st.exit_code, 0);
    assert_int_equal(myha_child_status_rc(&st), myha_rc_child_failed);
}

// Ignored and blocked signals of the caller must not reach the program
static void
child_gets_default_signals(void **state)
{
    struct myha_spawn_opts opts = {
        .argv = ARGV("/bin/sh", "-c", "kill -TERM $$; kill -USR1 $$; exit 0"),
    };
    struct myha_child_status st = { false, -1, -1 };
    struct sigaction ignore = { .sa_handler = SIG_IGN };
    struct sigaction old_term;
    sigset_t usr1;
    sigset_t old_mask;

    sigaction(SIGTERM, &ignore, &old_term);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old_mask);

    assert_int_equal(myha_spawn_run(&opts, 5000, &st, NULL, NULL),
                     myha_rc_child_failed);
    assert_true(st.signaled);
    assert_int_equal(st.signal, SIGTERM);

    opts.argv = ARGV("/bin/sh", "-c", "kill -USR1 $$; exit 0");
    assert_int_equal(myha_spawn_run(&opts, 5000, &st, NULL, NULL),
                     myha_rc_child_failed);
    assert_true(st.signaled);
    assert_int_equal(st.signal, SIGUSR1);

    sigprocmask(SIG_SETMASK, &old_mask, NULL);
    sigaction(SIGTERM, &old_term, NULL);
}

static void
timeout_kills_whole_group(void **state)
{
    // The grandchild ignores SIGTERM, so only the group SIGKILL ends it
    struct myha_spawn_opts opts = {
        .argv = ARGV("/bin/sh", "-c",
                     "(trap '' TERM; exec sleep 60) & echo $!; exec sleep 60"),
        .new_session = true,
        .out = myha_spawn_out_capture,
    };
    struct myha_child *child = NULL;
    struct myha_child_status st = { false, -1, -1 };
    struct timespec start;
    char *out = NULL;
    char *end = NULL;
    pid_t pid = 0;
    long grandchild = 0;

    clock_gettime(CLOCK_MONOTONIC, &start);
    assert_int_equal(myha_spawn_start(&opts, &child), 0);
    pid = myha_child_pid(child);
    assert_true(pid > 1);
    assert_true(myha_is_pid_alive(pid));

    assert_int_equal(myha_child_wait(child, 500, &st), ETIMEDOUT);
    assert_true(elapsed_ms(&start)
                >= 499); // not before its time (1 ms: clock truncation)
    assert_int_equal(myha_child_output(child, STDOUT_FILENO, &out, NULL), 0);
    grandchild = strtol(out, &end, 10);
    assert_true(grandchild > 1);
    assert_int_equal(*end, '\n');

    assert_false(myha_is_pid_alive(pid));
    assert_int_equal(kill(pid, 0), -1); // reaped, not just a zombie
    assert_true(pid_gone_within((pid_t) grandchild, 5000));

    // A reaped child reports how it ended
    assert_int_equal(myha_child_wait(child, 0, &st), 0);
    assert_true(st.signaled);
    assert_int_equal(st.signal, SIGTERM);
    free(out);
    myha_child_free(child);

    // Without a session of its own, the child alone is ended
    opts = (struct myha_spawn_opts){ .argv = ARGV("/bin/sleep", "60") };
    assert_int_equal(myha_spawn_run(&opts, 200, &st, NULL, NULL), ETIMEDOUT);
}

static void
stdin_reaches_child_not_argv(void **state)
{
    static const char secret[] = "s3cr3t-Pa55word\n";
    struct myha_spawn_opts opts = {
        .argv = ARGV("/bin/cat"),
        .stdin_data = secret,
        .stdin_len = strlen(secret),
        .out = myha_spawn_out_capture,
    };
    char *out = NULL;
    char *err = NULL;

    assert_int_equal(myha_spawn_run(&opts, 5000, NULL, &out, &err), 0);
    assert_string_equal(out, secret);
    assert_null(err); // stderr was not captured
    free(out);

    // Empty data: end of file at once; no data: /dev/null
    opts.stdin_len = 0;
    assert_int_equal(myha_spawn_run(&opts, 5000, NULL, &out, NULL), 0);
    assert_string_equal(out, "");
    free(out);
    opts.stdin_data = NULL;
    assert_int_equal(myha_spawn_run(&opts, 5000, NULL, &out, NULL), 0);
    assert_string_equal(out, "");
    free(out);
}

/*
 * Megabytes through cat while capturing its output: stdin and stdout are
 * served together (no deadlock), and the secret at the start of the data is
 * in neither the command line nor the environment of the running child.
 */
static void
large_stdin_and_capture_together(void **state)
{
    static const char secret[] = "s3cr3t-Pa55word";
    const size_t len = 3 * 1024 * 1024;
    char *data = malloc(len);
    struct myha_spawn_opts opts = {
        .argv = ARGV("/bin/cat"),
        .stdin_len = len,
        .out = myha_spawn_out_capture,
        .capture_max = 4 * 1024 * 1024,
    };
    struct myha_child *child = NULL;
    struct myha_child_status st = { true, -1, -1 };
    char path[64];
    char *text = NULL;
    size_t text_len = 0;
    char *out = NULL;
    size_t out_len = 0;

    assert_non_null(data);
    for (size_t i = 0; i < len; i++) {
        data[i] = (char) ('a' + (i % 26));
    }
    memcpy(data, secret, strlen(secret));
    opts.stdin_data = data;

    assert_int_equal(myha_spawn_start(&opts, &child), 0);
    // cat is blocked on its full stdout pipe until we wait: still there
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof(path), "/proc/%lld/%s",
                 (long long) myha_child_pid(child),
                 (i == 0) ? "cmdline" : "environ");
        text = read_file(path, &text_len);
        assert_non_null(text);
        assert_true(text_len > 0);
        assert_null(memmem(text, text_len, secret, strlen(secret)));
        free(text);
    }
    assert_true(myha_is_pid_alive(myha_child_pid(child)));

    assert_int_equal(myha_child_wait(child, 20000, &st), 0);
    assert_int_equal(myha_child_status_rc(&st), 0);
    assert_int_equal(myha_child_output(child, STDOUT_FILENO, &out, &out_len),
                     0);
    assert_int_equal(out_len, len);
    assert_memory_equal(out, data, len);
    free(out);
    assert_int_equal(myha_child_output(child, STDERR_FILENO, &out, NULL),
                     EINVAL);
    myha_child_free(child);

    // A child that reads nothing: the caller gets no SIGPIPE
    opts.argv = ARGV("/bin/sh", "-c", "exec <&-; sleep 0.1; exit 0");
    opts.out = myha_spawn_out_null;
    assert_int_equal(myha_spawn_run(&opts, 5000, &st, NULL, NULL), 0);
    free(data);
}

static void
output_is_captured_and_capped(void **state)
{
    struct myha_spawn_opts opts = {
        .argv = ARGV("/bin/sh", "-c", "yes | head -c 300000; echo oops >&2"),
        .out = myha_spawn_out_capture,
        .err = myha_spawn_out_capture,
        .capture_max = 1000,
    };
    struct myha_child_status st = { true, -1, -1 };
    char *out = NULL;
    char *err = NULL;

    // Exit status 0: head was not blocked or killed by a full pipe
    assert_int_equal(myha_spawn_run(&opts, 5000, &st, &out, &err), 0);
    assert_int_equal(strlen(out), 1000);
    assert_int_equal(strspn(out, "y\n"), 1000);
    assert_string_equal(err, "oops\n");
    free(out);
    free(err);

    // Output of a failing child is still handed over, for its error report
    opts.argv = ARGV("/bin/sh", "-c", "echo 'no such attribute' >&2; exit 6");
    opts.capture_max = 0;
    assert_int_equal(myha_spawn_run(&opts, 5000, &st, &out, &err),
                     myha_rc_child_failed);
    assert_int_equal(st.exit_code, 6);
    assert_string_equal(out, "");
    assert_string_equal(err, "no such attribute\n");
    free(out);
    free(err);
}

static void
output_appends_to_log_file(void **state)
{
    char *dir = make_tmpdir();
    char *log = NULL;
    char *text = NULL;
    struct stat st;
    mode_t old_umask = umask(022);
    struct myha_spawn_opts opts = {
        .argv = ARGV("/bin/sh", "-c", "echo out; echo err >&2"),
        .out = myha_spawn_out_file,
        .err = myha_spawn_out_file,
    };
    FILE *f = NULL;

    assert_true(asprintf(&log, "%s/mysqld.log", dir) > 0);
    opts.out_path = log;
    opts.err_path = log;

    // Created with mode 0640
    assert_int_equal(myha_spawn_run(&opts, 5000, NULL, NULL, NULL), 0);
    assert_int_equal(stat(log, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    text = read_file(log, NULL);
    assert_string_equal(text, "out\nerr\n");
    free(text);

    // Appended, never truncated
    f = fopen(log, "we");
    assert_non_null(f);
    fputs("first\n", f);
    fclose(f);
    assert_int_equal(myha_spawn_run(&opts, 5000, NULL, NULL, NULL), 0);
    assert_int_equal(myha_spawn_run(&opts, 5000, NULL, NULL, NULL), 0);
    text = read_file(log, NULL);
    assert_string_equal(text, "first\nout\nerr\nout\nerr\n");
    free(text);

    // An unwritable log is an error before anything starts
    opts.out_path = "/nonexistent-dir/mysqld.log";
    assert_int_equal(myha_spawn_run(&opts, 5000, NULL, NULL, NULL), ENOENT);

    umask(old_umask);
    unlink(log);
    rmdir(dir);
    free(log);
    free(dir);
}

static void
new_session_leads_session_and_group(void **state)
{
    struct myha_spawn_opts opts = {
        .argv = ARGV("/bin/sleep", "30"),
        .new_session = true,
    };
    struct myha_child *child = NULL;
    struct myha_child_status st = { false, -1, -1 };
    pid_t pid = 0;

    assert_int_equal(myha_spawn_start(&opts, &child), 0);
    pid = myha_child_pid(child);
    assert_int_equal(getsid(pid), pid);
    assert_int_equal(getpgid(pid), pid);
    assert_int_equal(myha_spawn_kill_group(pid, SIGKILL), 0);
    assert_int_equal(myha_child_wait(child, 5000, &st), 0);
    assert_true(st.signaled);
    assert_int_equal(st.signal, SIGKILL);
    myha_child_free(child);

    // Without: the caller's session and process group
    opts.new_session = false;
    assert_int_equal(myha_spawn_start(&opts, &child), 0);
    pid = myha_child_pid(child);
    assert_int_equal(getsid(pid), getsid(0));
    assert_int_equal(getpgid(pid), getpgrp());
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(myha_child_wait(child, 5000, &st), 0);
    myha_child_free(child);
}

static void
caller_fds_are_not_inherited(void **state)
{
    // Deliberately without O_CLOEXEC
    int leaked = fcntl(STDIN_FILENO, F_DUPFD, 50);
    int leaked_pipe[2] = { -1, -1 };
    struct myha_spawn_opts opts = {
        .argv = ARGV("/bin/sh", "-c", "ls /proc/$$/fd; readlink /proc/$$/fd/0"),
        .out = myha_spawn_out_capture,
    };
    char *out = NULL;

    assert_true(leaked >= 50);
    assert_int_equal(pipe(leaked_pipe), 0);
    assert_int_equal(myha_spawn_run(&opts, 5000, NULL, &out, NULL), 0);
    assert_string_equal(out, "0\n1\n2\n/dev/null\n");
    free(out);
    close(leaked);
    close(leaked_pipe[0]);
    close(leaked_pipe[1]);
}

static int
huge_fd_limit_case(void)
{
    struct myha_spawn_opts opts = { .argv = ARGV("/bin/true") };
    struct rlimit rl;
    struct timespec start;
    char *high_path = NULL;
    FILE *f = fopen("/proc/sys/fs/nr_open", "re");
    unsigned long nr_open = 0;
    int high = -1;
    long long took = 0;

    if ((f != NULL) && (fscanf(f, "%lu", &nr_open) == 1)) {
        rl.rlim_cur = rl.rlim_max = nr_open;
        (void) setrlimit(RLIMIT_NOFILE, &rl); // needs CAP_SYS_RESOURCE
    }
    if (f != NULL) {
        fclose(f);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
        return 2;
    }
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
        return 2;
    }
    if (rl.rlim_cur < (1U << 20)) {
        fprintf(stderr,
                "# RLIMIT_NOFILE cannot go above %llu here (no "
                "CAP_SYS_RESOURCE?): the timing guard is weak\n",
                (unsigned long long) rl.rlim_cur);
    }

    // A descriptor at the very top: a big table, and one more not to leak
    high = fcntl(STDIN_FILENO, F_DUPFD, (int) (rl.rlim_cur - 1));
    if (high < 0) {
        return 3;
    }
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (myha_spawn_run(&opts, 10000, NULL, NULL, NULL) != 0) {
        return 4;
    }
    took = elapsed_ms(&start);
    // Informative only: speed is for benchmarks, not for test verdicts
    fprintf(stderr, "# spawn under RLIMIT_NOFILE=%llu took %lld ms\n",
            (unsigned long long) rl.rlim_cur, took);
    if (asprintf(&high_path, "test ! -e /proc/$$/fd/%d", high) < 0) {
        return 6;
    }
    opts.argv = ARGV("/bin/sh", "-c", high_path);
    if (myha_spawn_run(&opts, 10000, NULL, NULL, NULL) != 0) {
        return 7;
    }
    free(high_path);
    return 0;
}

// A per-descriptor loop up to the limit would take seconds here
static void
fast_under_huge_fd_limit(void **state)
{
    int wstatus = 0;
    pid_t pid = fork();

    assert_true(pid >= 0);
    if (pid == 0) {
        _exit(huge_fd_limit_case());
    }
    assert_int_equal(waitpid(pid, &wstatus, 0), pid);
    assert_true(WIFEXITED(wstatus));
    assert_int_equal(WEXITSTATUS(wstatus), 0);
}

static void
missing_program_is_enoent(void **state)
{
    struct myha_spawn_opts opts = { .argv = ARGV("/nonexistent/myha-prog") };
    struct myha_child *child = (struct myha_child *) &opts; // poison
    struct myha_child_status st = { true, 42, 42 };

    assert_int_equal(myha_spawn_start(&opts, &child), ENOENT);
    assert_ptr_equal(child, &opts); // untouched on failure
    assert_int_equal(myha_spawn_run(&opts, 1000, &st, NULL, NULL), ENOENT);
    assert_int_equal(st.exit_code, 42);
    opts.argv = ARGV("myha-no-such-program");
    assert_int_equal(myha_spawn_run(&opts, 1000, NULL, NULL, NULL), ENOENT);
    opts.argv = ARGV("/bin/true");
    opts.cwd = "/nonexistent-dir";
    assert_int_equal(myha_spawn_run(&opts, 1000, NULL, NULL, NULL), ENOENT);
    opts.cwd = NULL;
    opts.argv = ARGV("/etc/passwd");
    assert_int_equal(myha_spawn_run(&opts, 1000, NULL, NULL, NULL), EACCES);

    // Every failed child was reaped: none left
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

static void
bad_options_are_einval(void **state)
{
    struct myha_spawn_opts opts = { .argv = NULL };
    struct myha_child *child = NULL;

    assert_int_equal(myha_spawn_start(NULL, &child), EINVAL);
    assert_int_equal(myha_spawn_start(&opts, &child), EINVAL);
    opts.argv = (const char *const[]){ NULL };
    assert_int_equal(myha_spawn_start(&opts, &child), EINVAL);
    opts.argv = ARGV("");
    assert_int_equal(myha_spawn_start(&opts, &child), EINVAL);
    opts.argv = ARGV("/bin/true");
    opts.out = myha_spawn_out_file; // without a path
    assert_int_equal(myha_spawn_start(&opts, &child), EINVAL);
    opts.out = (enum myha_spawn_output) 42;
    assert_int_equal(myha_spawn_start(&opts, &child), EINVAL);
    opts.out = myha_spawn_out_null;
    opts.stdin_len = 3; // without data
    assert_int_equal(myha_spawn_start(&opts, &child), EINVAL);
    assert_null(child);
    assert_int_equal(myha_child_wait(NULL, 0, NULL), EINVAL);
    assert_int_equal(myha_child_pid(NULL), 0);
    myha_child_free(NULL);
}

static void
path_env_and_cwd_are_honoured(void **state)
{
    char *dir = make_tmpdir();
    char *expected = NULL;
    char *out = NULL;
    struct myha_spawn_opts opts = {
        .argv = ARGV("true"),
        .out = myha_spawn_out_capture,
    };

    assert_int_equal(myha_spawn_run(&opts, 5000, NULL, NULL, NULL), 0);

    opts.argv = ARGV("/bin/sh", "-c", "echo \"$MYHA_X:${HOME-unset}\"");
    opts.envp = ARGV("MYHA_X=42");
    assert_int_equal(myha_spawn_run(&opts, 5000, NULL, &out, NULL), 0);
    assert_string_equal(out, "42:unset\n");
    free(out);

    opts.envp = NULL;
    opts.argv = ARGV("/bin/pwd");
    opts.cwd = dir;
    assert_int_equal(myha_spawn_run(&opts, 5000, NULL, &out, NULL), 0);
    assert_true(asprintf(&expected, "%s\n", dir) > 0);
    assert_string_equal(out, expected);
    free(out);
    free(expected);
    rmdir(dir);
    free(dir);
}

/*
 * ocf-tester hangs if an agent's children keep its stdout open: a helper
 * process with stdout and stderr on a pipe starts a detached child and
 * exits; the pipe must reach end of file at once.
 */
static void
detached_child_releases_caller_stdout(void **state)
{
    int fds[2] = { -1, -1 };
    pid_t helper = 0;
    int wstatus = 0;
    char buf[64] = "";
    size_t len = 0;
    struct timespec start;
    long pid = 0;

    assert_int_equal(pipe(fds), 0);
    helper = fork();
    assert_true(helper >= 0);
    if (helper == 0) {
        struct myha_spawn_opts opts = {
            .argv = ARGV("/bin/sleep", "30"),
            .new_session = true,
        };
        struct myha_child *child = NULL;

        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        if (myha_spawn_start(&opts, &child) != 0) {
            _exit(1);
        }
        printf("%lld\n", (long long) myha_child_pid(child));
        fflush(stdout);
        myha_child_free(child);
        _exit(0);
    }
    close(fds[1]);

    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        struct pollfd pfd = { fds[0], POLLIN, 0 };
        ssize_t n = 0;

        assert_int_equal(poll(&pfd, 1, 5000), 1);
        n = read(fds[0], buf + len, sizeof(buf) - 1 - len);
        assert_true(n >= 0);
        if (n == 0) {
            break;
        }
        len += (size_t) n;
    }
    close(fds[0]);
    assert_int_equal(waitpid(helper, &wstatus, 0), helper);
    assert_true(WIFEXITED(wstatus) && (WEXITSTATUS(wstatus) == 0));

    // The detached child runs on, in its own group
    pid = strtol(buf, NULL, 10);
    assert_true(pid > 1);
    assert_true(myha_is_pid_alive((pid_t) pid));
    assert_int_equal(getpgid((pid_t) pid), (pid_t) pid);
    assert_int_equal(myha_spawn_kill_group((pid_t) pid, SIGKILL), 0);
    assert_true(pid_gone_within((pid_t) pid, 5000));
}

static void
pid_liveness_and_group_signals(void **state)
{
    struct myha_spawn_opts opts = { .argv = ARGV("/bin/true") };
    struct myha_child *child = NULL;
    struct myha_child_status st = { true, -1, -1 };
    pid_t pid = 0;

    assert_true(myha_is_pid_alive(getpid()));
    assert_true(myha_is_pid_alive(1));
    assert_false(myha_is_pid_alive(0));
    assert_false(myha_is_pid_alive(-1));
    assert_int_equal(myha_spawn_kill_group(0, SIGTERM), EINVAL);
    assert_int_equal(myha_spawn_kill_group(1, SIGTERM), EINVAL);
    assert_int_equal(myha_spawn_kill_group(-5, SIGTERM), EINVAL);

    // An exited, unreaped child is a zombie: not alive, though kill() finds it
    assert_int_equal(myha_spawn_start(&opts, &child), 0);
    pid = myha_child_pid(child);
    assert_true(pid_gone_within(pid, 5000));
    assert_int_equal(kill(pid, 0), 0);
    assert_int_equal(myha_child_wait(child, 5000, &st), 0);
    assert_int_equal(st.exit_code, 0);
    assert_int_equal(kill(pid, 0), -1);
    assert_false(myha_is_pid_alive(pid));
    myha_child_free(child);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exit_code_is_reported),
        cmocka_unit_test(signal_is_reported),
        cmocka_unit_test(child_gets_default_signals),
        cmocka_unit_test(timeout_kills_whole_group),
        cmocka_unit_test(stdin_reaches_child_not_argv),
        cmocka_unit_test(large_stdin_and_capture_together),
        cmocka_unit_test(output_is_captured_and_capped),
        cmocka_unit_test(output_appends_to_log_file),
        cmocka_unit_test(new_session_leads_session_and_group),
        cmocka_unit_test(caller_fds_are_not_inherited),
        cmocka_unit_test(fast_under_huge_fd_limit),
        cmocka_unit_test(missing_program_is_enoent),
        cmocka_unit_test(bad_options_are_einval),
        cmocka_unit_test(path_env_and_cwd_are_honoured),
        cmocka_unit_test(detached_child_releases_caller_stdout),
        cmocka_unit_test(pid_liveness_and_group_signals),
    };

    return cmocka_run_group_tests_name("spawn", tests, NULL, NULL);
}
