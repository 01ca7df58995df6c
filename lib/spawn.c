/*
 * Child processes without a shell.  fork() and execve() with every
 * descriptor but stdio closed by close_range(), stdin fed from memory (so
 * secrets never reach argv), output captured or redirected, and timeouts
 * that end the child's whole process group.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <qb/qblog.h>

#include <myha/rc.h>
#include <myha/spawn.h>

//! PATH used when the caller has none (as glibc's execvp())
#define DEFAULT_PATH "/bin:/usr/bin"

//! Poll interval when pidfd_open() is unavailable (kernel < 5.3, seccomp)
#define NO_PIDFD_POLL_MS 20

/*!
 * Most bytes read from a capture pipe once the child has exited: what the
 * child itself wrote fits in the pipe (at most pipe-max-size, 1 MiB by
 * default); anything beyond comes from a grandchild that still writes
 */
#define DRAIN_MAX (1024 * 1024)

//! Largest stdin pipe we ask for, so that a secret is delivered at once
#define STDIN_PIPE_MAX (1024 * 1024)

//! One captured output stream
struct capture {
    int fd;      //!< Read end of the pipe, or -1 once closed
    char *buf;   //!< What was kept, NUL-terminated, or NULL
    size_t len;  //!< Bytes kept
    size_t size; //!< Bytes allocated for buf
    size_t max;  //!< Most bytes kept; 0 if this stream is not captured
    int rc;      //!< 0, or ENOMEM if some output could not be kept
};

struct myha_child {
    pid_t pid;
    int pidfd;             //!< Becomes readable when the child exits, or -1
    bool own_group;        //!< Child leads its process group (new session)
    int in_fd;             //!< Write end of the stdin pipe, or -1 once closed
    char *in_data;         //!< Our copy of the stdin bytes, wiped when done
    size_t in_len;         //!< Length of in_data
    size_t in_off;         //!< Bytes of in_data already written
    struct capture cap[2]; //!< stdout and stderr
    bool exited;           //!< Child has exited (maybe not reaped)
    bool reaped;           //!< Child reaped; status is valid
    struct myha_child_status status;
};

//! Everything the forked child needs, prepared before fork()
struct exec_plan {
    char **paths;      //!< Candidate program paths, NULL-terminated
    char *const *argv; //!< Arguments
    char *const *envp; //!< Environment
    const char *cwd;   //!< Working directory, or NULL
    bool new_session;  //!< Call setsid()
    int stdio[3];      //!< Descriptors that become 0, 1 and 2 (all > 2)
};

//! What a child that could not exec reports through its error pipe
struct exec_failure {
    int stage; //!< enum exec_stage
    int err;   //!< errno
};

enum exec_stage {
    stage_setsid,
    stage_stdio,
    stage_close,
    stage_chdir,
    stage_exec,
};

static const char *const stage_names[] = {
    [stage_setsid] = "setsid",
    [stage_stdio] = "redirecting stdio",
    [stage_close] = "closing descriptors",
    [stage_chdir] = "chdir",
    [stage_exec] = "exec",
};

static int64_t
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ((int64_t) ts.tv_sec * 1000) + (ts.tv_nsec / 1000000);
}

static void
close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

// Keep our descriptors clear of 0-2, which the child's dup2() calls overwrite
static int
fd_above_stdio(int fd)
{
    int moved = -1;
    int saved_errno = 0;

    if ((fd < 0) || (fd > STDERR_FILENO)) {
        return fd;
    }
    moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    saved_errno = errno;
    close(fd);
    errno = saved_errno;
    return moved;
}

static int
open_fd(const char *path, int flags, int *ret_fd)
{
    int fd = fd_above_stdio(open(path, flags | O_CLOEXEC | O_NOCTTY, 0640));

    if (fd < 0) {
        return errno;
    }
    *ret_fd = fd;
    return 0;
}

// Both ends O_CLOEXEC and above stdio; end nonblock_end (if not -1) also
// O_NONBLOCK
static int
open_pipe(int ret_fds[2], int nonblock_end)
{
    int fds[2] = { -1, -1 };

    if (pipe2(fds, O_CLOEXEC) < 0) {
        return errno;
    }
    fds[0] = fd_above_stdio(fds[0]);
    fds[1] = fd_above_stdio(fds[1]);
    if ((fds[0] < 0) || (fds[1] < 0)
        || ((nonblock_end >= 0)
            && (fcntl(fds[nonblock_end], F_SETFL, O_NONBLOCK) < 0))) {
        int rc = errno;

        close_fd(&fds[0]);
        close_fd(&fds[1]);
        return rc;
    }
    ret_fds[0] = fds[0];
    ret_fds[1] = fds[1];
    return 0;
}

static void
free_paths(char **paths)
{
    if (paths != NULL) {
        for (char **p = paths; *p != NULL; p++) {
            free(*p);
        }
        free(paths);
    }
}

/*
 * The paths execvp() would try, built before fork() because the child may
 * not allocate.  The caller's PATH is searched, as posix_spawnp() does.
 */
static int
exec_paths(const char *name, char ***ret_paths)
{
    const char *search = getenv("PATH");
    size_t name_len = strlen(name);
    size_t n_dirs = 1;
    size_t i = 0;
    char **paths = NULL;

    if (strchr(name, '/') != NULL) {
        search = NULL;
    } else if ((search == NULL) || (*search == '\0')) {
        search = DEFAULT_PATH;
    }
    for (const char *s = search; (s != NULL) && (*s != '\0'); s++) {
        n_dirs += (*s == ':');
    }
    paths = calloc(n_dirs + 1, sizeof(char *));
    if (paths == NULL) {
        return ENOMEM;
    }
    if (search == NULL) {
        paths[0] = strdup(name);
        if (paths[0] == NULL) {
            goto out_nomem;
        }
        *ret_paths = paths;
        return 0;
    }
    for (const char *dir = search; i < n_dirs; i++) {
        const char *end = strchrnul(dir, ':');
        size_t dir_len = (size_t) (end - dir);

        if (dir_len == 0) { // empty entry means the current directory
            dir = ".";
            dir_len = 1;
        }
        paths[i] = malloc(dir_len + 1 + name_len + 1);
        if (paths[i] == NULL) {
            goto out_nomem;
        }
        memcpy(paths[i], dir, dir_len);
        paths[i][dir_len] = '/';
        memcpy(paths[i] + dir_len + 1, name, name_len + 1);
        dir = (*end == ':') ? (end + 1) : end;
    }
    *ret_paths = paths;
    return 0;

out_nomem:
    free_paths(paths);
    return ENOMEM;
}

/*
 * Without close_range() (kernel before 5.9, or an old seccomp filter): close
 * what /proc/self/fd lists, never every number up to the descriptor limit.
 * Runs in the forked child, so system calls only.
 */
static int
close_listed_fds(int keep)
{
    char buf[4096]; // one batch of directory entries
    int dir_fd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ssize_t n = 0;

    if (dir_fd < 0) {
        return -1;
    }
    while ((n = getdents64(dir_fd, buf, sizeof(buf))) > 0) {
        for (ssize_t off = 0; off < n;) {
            struct dirent64 *entry = (struct dirent64 *) (void *) (buf + off);
            int fd = 0;
            bool number = (entry->d_name[0] != '\0');

            off += entry->d_reclen;
            for (const char *c = entry->d_name; *c != '\0'; c++) {
                number = number && (*c >= '0') && (*c <= '9');
                fd = (fd * 10) + (*c - '0');
            }
            if (number && (fd > STDERR_FILENO) && (fd != keep)
                && (fd != dir_fd)) {
                close(fd);
            }
        }
    }
    close(dir_fd);
    return (n < 0) ? -1 : 0;
}

// Close every descriptor above stdio but keep (the error pipe, close-on-exec)
static int
close_other_fds(int keep)
{
    if (((keep == STDERR_FILENO + 1)
         || (close_range(STDERR_FILENO + 1, keep - 1, 0) == 0))
        && (close_range(keep + 1, ~0U, 0) == 0)) {
        return 0;
    }
    return close_listed_fds(keep);
}

/*
 * The forked child: between fork() and execve() only async-signal-safe
 * calls.  All signals are blocked on entry (by the parent, around fork()),
 * so no handler of the caller's runs here.
 */
static void __attribute__((noreturn))
child_exec(const struct exec_plan *plan, int err_fd)
{
    struct exec_failure failure = { stage_setsid, 0 };
    struct sigaction dfl;
    sigset_t none;
    bool denied = false;
    ssize_t unused = 0;

    // Ignored signals survive exec: give the program default dispositions
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if ((sig != SIGKILL) && (sig != SIGSTOP)) {
            (void) sigaction(sig, &dfl, NULL);
        }
    }
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);

    if (plan->new_session && (setsid() < 0)) {
        goto out_report;
    }
    failure.stage = stage_stdio;
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
        if (dup2(plan->stdio[fd], fd) < 0) {
            goto out_report;
        }
    }
    failure.stage = stage_close;
    if (close_other_fds(err_fd) < 0) {
        goto out_report;
    }
    failure.stage = stage_chdir;
    if ((plan->cwd != NULL) && (chdir(plan->cwd) < 0)) {
        goto out_report;
    }

    // Same search semantics as execvp(), without its fallback to /bin/sh
    failure.stage = stage_exec;
    for (char **path = plan->paths; *path != NULL; path++) {
        execve(*path, plan->argv, plan->envp);
        if (errno == EACCES) {
            denied = true;
        } else if ((errno != ENOENT) && (errno != ENOTDIR) && (errno != ESTALE)
                   && (errno != ENODEV) && (errno != ETIMEDOUT)) {
            goto out_report;
        }
    }
    errno = denied ? EACCES : ENOENT;

out_report:
    failure.err = errno;
    unused = write(err_fd, &failure, sizeof(failure));
    (void) unused;
    _exit(127);
}

// write() that cannot raise SIGPIPE in the caller when the child went away
static ssize_t
write_nosigpipe(int fd, const void *data, size_t len)
{
    sigset_t pipe_set;
    sigset_t old_set;
    sigset_t pending;
    bool was_pending = false;
    ssize_t n = 0;
    int saved_errno = 0;

    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigpending(&pending);
    was_pending = (sigismember(&pending, SIGPIPE) == 1);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);

    n = write(fd, data, len);
    saved_errno = errno;
    if ((n < 0) && (errno == EPIPE) && !was_pending) {
        // Consume the SIGPIPE this write raised before unblocking it
        const struct timespec zero = { 0, 0 };

        while ((sigtimedwait(&pipe_set, NULL, &zero) < 0) && (errno == EINTR)) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old_set, NULL);
    errno = saved_errno;
    return n;
}

static void
stdin_done(struct myha_child *child)
{
    close_fd(&child->in_fd);
    if (child->in_data != NULL) {
        explicit_bzero(child->in_data, child->in_len);
        free(child->in_data);
        child->in_data = NULL;
    }
}

// Write what the pipe takes now; close it when done or the child is gone
static void
feed_stdin(struct myha_child *child)
{
    while (child->in_off < child->in_len) {
        ssize_t n =
            write_nosigpipe(child->in_fd, child->in_data + child->in_off,
                            child->in_len - child->in_off);

        if (n >= 0) {
            child->in_off += (size_t) n;
        } else if (errno == EAGAIN) {
            return;
        } else if (errno != EINTR) {
            qb_log(LOG_DEBUG, "Stopped feeding stdin of pid %lld: %s",
                   (long long) child->pid, strerror(errno));
            break; // EPIPE: the child closed its stdin
        }
    }
    stdin_done(child);
}

static bool
capture_grow(struct capture *cap)
{
    size_t size = (cap->size == 0) ? 1024 : (cap->size * 2);
    char *buf = NULL;

    if (size > (cap->max + 1)) {
        size = cap->max + 1;
    }
    buf = realloc(cap->buf, size);
    if (buf == NULL) {
        return false;
    }
    cap->buf = buf;
    cap->buf[cap->len] = '\0';
    cap->size = size;
    return true;
}

/*
 * One read from a capture pipe.  Returns the number of bytes read, or 0 if
 * nothing is available now or the pipe is closed.  Bytes beyond the cap are
 * read and dropped, so that the child never blocks on a full pipe.
 */
static size_t
capture_read(struct capture *cap)
{
    char scratch[4096]; // where bytes beyond the cap go
    char *dst = scratch;
    size_t room = sizeof(scratch);
    ssize_t n = 0;

    if (cap->fd < 0) {
        return 0;
    }
    if ((cap->len < cap->max) && (cap->rc == 0)) {
        if ((cap->size - cap->len) < 2) {
            if (!capture_grow(cap)) {
                cap->rc = ENOMEM;
            }
        }
        if (cap->rc == 0) {
            dst = cap->buf + cap->len;
            room = cap->size - 1 - cap->len;
        }
    }
    n = read(cap->fd, dst, room);
    if (n > 0) {
        if (dst != scratch) {
            cap->len += (size_t) n;
            cap->buf[cap->len] = '\0';
        }
        return (size_t) n;
    }
    if ((n == 0) || ((errno != EAGAIN) && (errno != EINTR))) {
        close_fd(&cap->fd); // end of file, or nothing more to be had
    }
    return 0;
}

// After the child exited: take what it left in the pipes, without waiting
static void
capture_drain(struct capture *cap)
{
    size_t total = 0;
    size_t n = 0;

    while ((total < DRAIN_MAX) && ((n = capture_read(cap)) > 0)) {
        total += n;
    }
    close_fd(&cap->fd);
}

// Note whether the child has exited, without reaping it
static int
child_check_exit(struct myha_child *child)
{
    siginfo_t info;

    memset(&info, 0, sizeof(info));
    if (waitid(P_PID, (id_t) child->pid, &info, WEXITED | WNOHANG | WNOWAIT)
        < 0) {
        return (errno == EINTR) ? 0 : errno;
    }
    if (info.si_pid != 0) {
        child->exited = true;
    }
    return 0;
}

/*
 * Feed stdin and collect output until the child exits (it is not reaped, so
 * its pid and process group ID cannot be reused yet) or the deadline (a
 * now_ms() value, or negative for none) passes: then ETIMEDOUT.
 */
static int
child_serve(struct myha_child *child, int64_t deadline)
{
    for (;;) {
        struct pollfd fds[4];
        nfds_t n_fds = 0;
        int timeout = -1;
        int rc = child_check_exit(child);

        if (rc != 0) {
            return rc;
        }
        if (child->exited) {
            stdin_done(child);
            capture_drain(&child->cap[0]);
            capture_drain(&child->cap[1]);
            return 0;
        }
        if (deadline >= 0) {
            int64_t left = deadline - now_ms();

            if (left <= 0) {
                return ETIMEDOUT;
            }
            timeout = (left > INT32_MAX) ? INT32_MAX : (int) left;
        }
        if (child->pidfd >= 0) {
            fds[n_fds++] = (struct pollfd){ child->pidfd, POLLIN, 0 };
        } else if ((timeout < 0) || (timeout > NO_PIDFD_POLL_MS)) {
            timeout = NO_PIDFD_POLL_MS;
        }
        if (child->in_fd >= 0) {
            fds[n_fds++] = (struct pollfd){ child->in_fd, POLLOUT, 0 };
        }
        for (int i = 0; i < 2; i++) {
            if (child->cap[i].fd >= 0) {
                fds[n_fds++] = (struct pollfd){ child->cap[i].fd, POLLIN, 0 };
            }
        }

        if (poll(fds, n_fds, timeout) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return errno;
        }
        for (nfds_t i = 0; i < n_fds; i++) {
            if (fds[i].revents == 0) {
                continue;
            }
            if (fds[i].fd == child->in_fd) {
                feed_stdin(child);
            } else if (fds[i].fd == child->cap[0].fd) {
                capture_read(&child->cap[0]);
            } else if (fds[i].fd == child->cap[1].fd) {
                capture_read(&child->cap[1]);
            }
        }
    }
}

static int
child_reap(struct myha_child *child)
{
    int wstatus = 0;

    while (waitpid(child->pid, &wstatus, 0) < 0) {
        if (errno != EINTR) {
            return errno;
        }
    }
    child->reaped = true;
    child->exited = true;
    if (WIFSIGNALED(wstatus)) {
        child->status.signaled = true;
        child->status.signal = WTERMSIG(wstatus);
        qb_log(LOG_DEBUG, "Child %lld was killed by signal %d",
               (long long) child->pid, child->status.signal);
    } else {
        child->status.exit_code = WEXITSTATUS(wstatus);
        qb_log(LOG_DEBUG, "Child %lld exited with status %d",
               (long long) child->pid, child->status.exit_code);
    }
    close_fd(&child->pidfd);
    stdin_done(child);
    capture_drain(&child->cap[0]);
    capture_drain(&child->cap[1]);
    return 0;
}

/*
 * SIGTERM to the child's process group (or to the child alone if it shares
 * the caller's), SIGKILL after a grace period.  The group gets SIGKILL even
 * if the child itself went, so that no straggler survives; the child is
 * reaped only afterwards, so its process group ID cannot have been reused.
 */
static void
child_terminate(struct myha_child *child)
{
    pid_t target = child->own_group ? -child->pid : child->pid;

    qb_log(LOG_DEBUG, "Terminating %s %lld",
           child->own_group ? "process group" : "pid", (long long) child->pid);
    (void) kill(target, SIGTERM);
    if ((child_serve(child, now_ms() + MYHA_SPAWN_KILL_GRACE_MS) != 0)
        || child->own_group) {
        (void) kill(target, SIGKILL);
    }
}

static int
setup_output(enum myha_spawn_output mode, const char *path, size_t max,
             int null_fd, int *child_fd, struct capture *cap)
{
    int fds[2] = { -1, -1 };
    int rc = 0;

    switch (mode) {
        case myha_spawn_out_null:
            *child_fd = null_fd;
            return 0;

        case myha_spawn_out_file:
            return open_fd(path, O_WRONLY | O_APPEND | O_CREAT, child_fd);

        case myha_spawn_out_capture:
            rc = open_pipe(fds, 0);
            if (rc == 0) {
                cap->fd = fds[0];
                cap->max = (max == 0) ? MYHA_SPAWN_CAPTURE_DEFAULT : max;
                *child_fd = fds[1];
            }
            return rc;
    }
    return EINVAL;
}

static bool
output_valid(enum myha_spawn_output mode, const char *path)
{
    switch (mode) {
        case myha_spawn_out_null:
        case myha_spawn_out_capture:
            return true;
        case myha_spawn_out_file:
            return (path != NULL) && (*path != '\0');
    }
    return false;
}

static bool
needs_null(const struct myha_spawn_opts *opts)
{
    return (opts->stdin_data == NULL) || (opts->out == myha_spawn_out_null)
           || (opts->err == myha_spawn_out_null);
}

/*!
 * \brief Start a child process
 *
 * Runs \p opts->argv without a shell.  The child gets default signal
 * dispositions and an empty signal mask, stdin, stdout and stderr as \p opts
 * asks, and no other descriptor of the caller's.  Any \p opts->stdin_data
 * that fits in the pipe is written at once; the rest while waiting.
 *
 * \param[in]  opts       How to start it
 * \param[out] ret_child  Where to store the new child (only on success)
 *
 * \return 0 on success; EINVAL if \p opts is incomplete; ENOENT if the
 *         program (or \p opts->cwd) does not exist; EACCES; another errno
 *         from opening an output file, fork() or execve()
 * \note The caller frees \p *ret_child with myha_child_free(), which does not
 *       end the child: a child started and freed runs on, detached, holding
 *       none of the caller's descriptors.  Captured output is collected only
 *       by myha_child_wait().
 */
int
myha_spawn_start(const struct myha_spawn_opts *opts,
                 struct myha_child **ret_child)
{
    struct myha_child *child = NULL;
    struct exec_plan plan = { .stdio = { -1, -1, -1 } };
    struct exec_failure failure = { 0, 0 };
    int null_fd = -1;
    int err_pipe[2] = { -1, -1 };
    int in_pipe[2] = { -1, -1 };
    sigset_t all_signals;
    sigset_t old_mask;
    ssize_t n = 0;
    long pidfd = -1;
    int rc = 0;

    if ((opts == NULL) || (ret_child == NULL) || (opts->argv == NULL)
        || (opts->argv[0] == NULL) || (opts->argv[0][0] == '\0')
        || ((opts->stdin_data == NULL) && (opts->stdin_len > 0))
        || !output_valid(opts->out, opts->out_path)
        || !output_valid(opts->err, opts->err_path)) {
        return EINVAL;
    }

    child = calloc(1, sizeof(*child));
    if (child == NULL) {
        return ENOMEM;
    }
    child->pidfd = -1;
    child->in_fd = -1;
    child->cap[0].fd = -1;
    child->cap[1].fd = -1;
    child->own_group = opts->new_session;

    plan.argv = (char *const *) opts->argv;
    plan.envp = (opts->envp != NULL) ? (char *const *) opts->envp : environ;
    plan.cwd = opts->cwd;
    plan.new_session = opts->new_session;
    rc = exec_paths(opts->argv[0], &plan.paths);
    if (rc != 0) {
        goto out_free_child;
    }

    if (needs_null(opts)) {
        rc = open_fd("/dev/null", O_RDWR, &null_fd);
        if (rc != 0) {
            goto out_close_fds;
        }
    }
    if (opts->stdin_data != NULL) {
        // Our own copy: the caller's buffer may be gone by the time we write
        child->in_len = opts->stdin_len;
        child->in_data = malloc((opts->stdin_len > 0) ? opts->stdin_len : 1);
        if (child->in_data == NULL) {
            rc = ENOMEM;
            goto out_close_fds;
        }
        if (opts->stdin_len > 0) {
            memcpy(child->in_data, opts->stdin_data, opts->stdin_len);
        }
        rc = open_pipe(in_pipe, 1);
        if (rc != 0) {
            goto out_close_fds;
        }
        if (opts->stdin_len > 65536) { // best effort; the rest while waiting
            (void) fcntl(in_pipe[1], F_SETPIPE_SZ,
                         (opts->stdin_len < STDIN_PIPE_MAX)
                             ? (int) opts->stdin_len
                             : STDIN_PIPE_MAX);
        }
        child->in_fd = in_pipe[1];
        plan.stdio[STDIN_FILENO] = in_pipe[0];
    } else {
        plan.stdio[STDIN_FILENO] = null_fd;
    }
    rc = setup_output(opts->out, opts->out_path, opts->capture_max, null_fd,
                      &plan.stdio[STDOUT_FILENO], &child->cap[0]);
    if (rc != 0) {
        goto out_close_fds;
    }
    rc = setup_output(opts->err, opts->err_path, opts->capture_max, null_fd,
                      &plan.stdio[STDERR_FILENO], &child->cap[1]);
    if (rc != 0) {
        goto out_close_fds;
    }
    rc = open_pipe(err_pipe, -1); // the parent blocks on it until exec
    if (rc != 0) {
        goto out_close_fds;
    }

    sigfillset(&all_signals);
    pthread_sigmask(SIG_SETMASK, &all_signals, &old_mask);
    child->pid = fork();
    if (child->pid == 0) {
        child_exec(&plan, err_pipe[1]);
    }
    rc = (child->pid < 0) ? errno : 0;
    pthread_sigmask(SIG_SETMASK, &old_mask, NULL);
    if (rc != 0) {
        goto out_close_fds;
    }

    // The error pipe reaches end of file when execve() closes it
    close_fd(&err_pipe[1]);
    do {
        n = read(err_pipe[0], &failure, sizeof(failure));
    } while ((n < 0) && (errno == EINTR));
    if (n == (ssize_t) sizeof(failure)) {
        rc = (failure.err != 0) ? failure.err : myha_rc_error;
        qb_log(LOG_DEBUG, "Could not start %s (%s: %s)", opts->argv[0],
               stage_names[failure.stage], strerror(rc));
        while ((waitpid(child->pid, NULL, 0) < 0) && (errno == EINTR)) {
        }
        goto out_close_fds;
    }

    pidfd = syscall(SYS_pidfd_open, child->pid, 0);
    if (pidfd < 0) {
        qb_log(LOG_DEBUG, "pidfd_open() unavailable, polling pid: %s",
               strerror(errno));
    } else {
        child->pidfd = fd_above_stdio((int) pidfd);
    }
    qb_log(LOG_DEBUG, "Started %s as pid %lld%s", opts->argv[0],
           (long long) child->pid,
           opts->new_session ? " in a new session" : "");
    if (child->in_fd >= 0) {
        feed_stdin(child);
    }

out_close_fds:
    close_fd(&err_pipe[0]);
    close_fd(&err_pipe[1]);
    for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; fd++) {
        if (plan.stdio[fd] != null_fd) {
            close_fd(&plan.stdio[fd]);
        }
    }
    close_fd(&null_fd);
    free_paths(plan.paths);
    if (rc == 0) {
        *ret_child = child;
        return 0;
    }
out_free_child:
    myha_child_free(child);
    return rc;
}

/*!
 * \brief Wait for a child to exit, feeding its stdin and capturing output
 *
 * \param[in,out] child       Child from myha_spawn_start()
 * \param[in]     timeout_ms  Most milliseconds to wait, or -1 for no limit
 * \param[out]    ret_status  How the child ended (only on success; may be
 *                            NULL)
 *
 * \return 0 once the child has exited (whatever its status; see
 *         myha_child_status_rc()), ETIMEDOUT if it did not exit in time, or
 *         another errno
 * \note On timeout, the child's process group (if it has its own, see
 *       myha_spawn_opts.new_session; otherwise the child alone) gets
 *       SIGTERM, then SIGKILL after MYHA_SPAWN_KILL_GRACE_MS, and the child
 *       is reaped.  Output captured so far stays available.  Waiting again
 *       for a reaped child returns its status at once.
 */
int
myha_child_wait(struct myha_child *child, int timeout_ms,
                struct myha_child_status *ret_status)
{
    if (child == NULL) {
        return EINVAL;
    }
    if (!child->reaped) {
        int64_t deadline = (timeout_ms < 0) ? -1 : (now_ms() + timeout_ms);
        int rc = child_serve(child, deadline);

        if (rc == ETIMEDOUT) {
            child_terminate(child);
            (void) child_reap(child);
            return ETIMEDOUT;
        }
        if (rc == 0) {
            rc = child_reap(child);
        }
        if (rc != 0) {
            return rc;
        }
    }
    if (ret_status != NULL) {
        *ret_status = child->status;
    }
    return 0;
}

/*!
 * \brief Take the output captured from a child
 *
 * \param[in,out] child     Child started with \p stream captured
 * \param[in]     stream    STDOUT_FILENO or STDERR_FILENO
 * \param[out]    ret_text  Where to store the output, NUL-terminated (only
 *                          on success)
 * \param[out]    ret_len   Where to store its length (only on success; may
 *                          be NULL)
 *
 * \return 0 on success, EINVAL if \p stream was not captured, ENOMEM
 * \note The caller frees \p *ret_text.  Call after myha_child_wait(); output
 *       beyond myha_spawn_opts.capture_max was dropped.  The output is
 *       handed over: taking it again gives what arrived since.
 */
int
myha_child_output(struct myha_child *child, int stream, char **ret_text,
                  size_t *ret_len)
{
    struct capture *cap = NULL;
    char *text = NULL;

    if ((child == NULL) || (ret_text == NULL)
        || ((stream != STDOUT_FILENO) && (stream != STDERR_FILENO))) {
        return EINVAL;
    }
    cap = &child->cap[stream - STDOUT_FILENO];
    if (cap->max == 0) {
        return EINVAL;
    }
    if (cap->rc != 0) {
        return cap->rc;
    }
    text = (cap->buf != NULL) ? cap->buf : strdup("");
    if (text == NULL) {
        return ENOMEM;
    }
    if (ret_len != NULL) {
        *ret_len = cap->len;
    }
    *ret_text = text;
    cap->buf = NULL;
    cap->len = 0;
    cap->size = 0;
    return 0;
}

/*!
 * \brief Process ID of a child
 *
 * \param[in] child  Child from myha_spawn_start()
 *
 * \return Its pid, which is also its process group ID if it was started in
 *         a new session; 0 if \p child is NULL
 */
pid_t
myha_child_pid(const struct myha_child *child)
{
    return (child == NULL) ? 0 : child->pid;
}

/*!
 * \brief Free a child object, leaving the process alone
 *
 * Closes our ends of its pipes (a child still reading stdin sees end of
 * file, one still writing captured output gets SIGPIPE) and wipes any stdin
 * data not yet written.  The process is neither killed nor reaped.
 *
 * \param[in,out] child  Child to free (may be NULL)
 */
void
myha_child_free(struct myha_child *child)
{
    if (child == NULL) {
        return;
    }
    stdin_done(child);
    for (int i = 0; i < 2; i++) {
        close_fd(&child->cap[i].fd);
        free(child->cap[i].buf);
    }
    close_fd(&child->pidfd);
    free(child);
}

/*!
 * \brief Result code for how a child ended
 *
 * \param[in] status  Status from myha_child_wait() or myha_spawn_run()
 *
 * \return 0 if the child exited with status 0, else myha_rc_child_failed
 */
int
myha_child_status_rc(const struct myha_child_status *status)
{
    if ((status == NULL) || status->signaled || (status->exit_code != 0)) {
        return myha_rc_child_failed;
    }
    return 0;
}

/*!
 * \brief Run a child to completion: start, wait, collect output
 *
 * \param[in]  opts        How to start it (see myha_spawn_start())
 * \param[in]  timeout_ms  Most milliseconds to wait, or -1 for no limit
 * \param[out] ret_status  How it ended (may be NULL)
 * \param[out] ret_stdout  Captured stdout, or NULL if \p opts->out is not
 *                         myha_spawn_out_capture (may be NULL)
 * \param[out] ret_stderr  Captured stderr, likewise (may be NULL)
 *
 * \return 0 if the child exited with status 0, myha_rc_child_failed if it
 *         exited otherwise or was killed, ETIMEDOUT if it overstayed (it is
 *         then killed with its process group, see myha_child_wait()), or an
 *         error from myha_spawn_start()
 * \note The outputs are written when the child ran to its end, that is on
 *       0 and on myha_rc_child_failed, so that a caller can report why it
 *       failed.  The caller frees \p *ret_stdout and \p *ret_stderr.
 */
int
myha_spawn_run(const struct myha_spawn_opts *opts, int timeout_ms,
               struct myha_child_status *ret_status, char **ret_stdout,
               char **ret_stderr)
{
    struct myha_child *child = NULL;
    struct myha_child_status status = { false, 0, 0 };
    char *out_text = NULL;
    char *err_text = NULL;
    int rc = myha_spawn_start(opts, &child);

    if (rc != 0) {
        return rc;
    }
    rc = myha_child_wait(child, timeout_ms, &status);
    if ((rc != 0) && (rc != ETIMEDOUT)) {
        // Waiting failed: do not leave the child running unwatched
        child_terminate(child);
        (void) child_reap(child);
    }
    if (rc != 0) {
        goto out_free_child;
    }
    if ((ret_stdout != NULL) && (opts->out == myha_spawn_out_capture)) {
        rc = myha_child_output(child, STDOUT_FILENO, &out_text, NULL);
        if (rc != 0) {
            goto out_free_child;
        }
    }
    if ((ret_stderr != NULL) && (opts->err == myha_spawn_out_capture)) {
        rc = myha_child_output(child, STDERR_FILENO, &err_text, NULL);
        if (rc != 0) {
            goto out_free_text;
        }
    }
    if (ret_status != NULL) {
        *ret_status = status;
    }
    if (ret_stdout != NULL) {
        *ret_stdout = out_text;
    }
    if (ret_stderr != NULL) {
        *ret_stderr = err_text;
    }
    rc = myha_child_status_rc(&status);
    goto out_free_child;

out_free_text:
    free(out_text);
out_free_child:
    myha_child_free(child);
    return rc;
}

/*!
 * \brief Send a signal to a process group
 *
 * \param[in] pgid  Process group ID (the pid of a child started in a new
 *                  session)
 * \param[in] sig   Signal to send (0 checks that the group exists)
 *
 * \return 0 on success, EINVAL if \p pgid is not above 1 (which would
 *         signal our own group or every process), ESRCH, EPERM
 */
int
myha_spawn_kill_group(pid_t pgid, int sig)
{
    if (pgid <= 1) {
        return EINVAL;
    }
    if (kill(-pgid, sig) < 0) {
        return errno;
    }
    return 0;
}

// Whether /proc says the process has exited but is not reaped yet
static bool
is_zombie(pid_t pid)
{
    char path[64];
    char *line = NULL;
    size_t size = 0;
    const char *state = NULL;
    bool zombie = false;
    FILE *stat_file = NULL;

    snprintf(path, sizeof(path), "/proc/%lld/stat", (long long) pid);
    stat_file = fopen(path, "re");
    if (stat_file == NULL) {
        return false; // cannot tell; kill() said it exists
    }
    if (getline(&line, &size, stat_file) > 0) {
        // "pid (comm) S ...": comm may hold anything, so the last ')'
        state = strrchr(line, ')');
        zombie = (state != NULL) && (state[1] == ' ')
                 && ((state[2] == 'Z') || (state[2] == 'X'));
    }
    free(line);
    fclose(stat_file);
    return zombie;
}

/*!
 * \brief Check whether a process is running
 *
 * \param[in] pid  Process ID
 *
 * \return true if \p pid exists (even if owned by another user) and is not a
 *         zombie, false otherwise
 */
bool
myha_is_pid_alive(pid_t pid)
{
    if (pid <= 0) {
        return false;
    }
    if ((kill(pid, 0) < 0) && (errno != EPERM)) {
        return false;
    }
    return !is_zombie(pid);
}
