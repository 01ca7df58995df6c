/*
 * Child processes without a shell: start a program from an argv array, feed
 * secrets through stdin (never argv), capture or redirect its output, wait
 * with a timeout and kill its whole process group when it overstays.
 */
#ifndef MYHA_SPAWN__H
#define MYHA_SPAWN__H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

//! Capture limit used when myha_spawn_opts.capture_max is 0
#define MYHA_SPAWN_CAPTURE_DEFAULT (64 * 1024)

//! Time between SIGTERM and SIGKILL when a child overstays its timeout
#define MYHA_SPAWN_KILL_GRACE_MS 2000

//! Where a child's stdout or stderr goes (never to the caller's own)
enum myha_spawn_output {
    myha_spawn_out_null = 0, //!< /dev/null
    myha_spawn_out_file,     //!< Appended to a file (created mode 0640)
    myha_spawn_out_capture,  //!< Collected in memory, up to capture_max
};

//! How to start a child; zero-initialise and fill in what you need
struct myha_spawn_opts {
    //! Program and arguments, NULL-terminated; argv[0] is an absolute or
    //! relative path if it contains '/', else looked up in the caller's PATH
    const char *const *argv;

    //! Environment, NULL-terminated "NAME=value" list, or NULL to inherit
    const char *const *envp;

    //! Working directory, or NULL to keep the caller's
    const char *cwd;

    //! Start a new session (setsid()): the child leads its own session and
    //! process group, so a timeout kills the group and the caller's process
    //! group (and Pacemaker's kill of it) does not reach the child
    bool new_session;

    //! Bytes written to the child's stdin, which is then closed (EOF); if
    //! NULL, stdin is /dev/null.  This is how secrets reach a child.
    const char *stdin_data;
    size_t stdin_len; //!< Length of stdin_data

    enum myha_spawn_output out; //!< Where stdout goes
    enum myha_spawn_output err; //!< Where stderr goes
    const char *out_path;       //!< File for myha_spawn_out_file stdout
    const char *err_path;       //!< File for myha_spawn_out_file stderr

    //! Most bytes kept per captured stream (0: MYHA_SPAWN_CAPTURE_DEFAULT);
    //! the rest is read and discarded so that the child never blocks
    size_t capture_max;
};

//! How a child ended
struct myha_child_status {
    bool signaled; //!< true if a signal ended it, false if it exited
    int exit_code; //!< Exit code if it exited, else 0
    int signal;    //!< Signal that ended it, else 0
};

//! A started child (opaque)
struct myha_child;

int myha_spawn_start(const struct myha_spawn_opts *opts,
                     struct myha_child **ret_child);

int myha_child_wait(struct myha_child *child, int timeout_ms,
                    struct myha_child_status *ret_status);

int myha_child_output(struct myha_child *child, int stream, char **ret_text,
                      size_t *ret_len);

pid_t myha_child_pid(const struct myha_child *child);

void myha_child_free(struct myha_child *child);

int myha_child_status_rc(const struct myha_child_status *status);

int myha_spawn_run(const struct myha_spawn_opts *opts, int timeout_ms,
                   struct myha_child_status *ret_status, char **ret_stdout,
                   char **ret_stderr);

int myha_spawn_kill_group(pid_t pgid, int sig);

bool myha_is_pid_alive(pid_t pid);

#endif // MYHA_SPAWN__H
