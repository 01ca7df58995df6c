/*
 * ocf:myha:mysql-repl: the server process.  Start it read-only with
 * replication stopped, find it, connect to it, stop it for sure.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <qb/qblog.h>

#include <myha/db.h>
#include <myha/ocf.h>
#include <myha/rc.h>
#include <myha/spawn.h>
#include <myha/str.h>

#include "mysql_repl.h"

#define POLL_MS 100
#define STOP_KILL_WAIT_MS 5000 // After SIGKILL, how long to wait for exit
#define STOP_MARGIN_MS 10000   // Of the stop timeout, kept for SIGKILL

static void
sleep_ms(long long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    while ((nanosleep(&ts, &ts) != 0) && (errno == EINTR)) {
    }
}

// Read a whole small file into an allocated string (trailing newline kept)
static int
read_small_file(const char *path, char **ret_text)
{
    char buf[256];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t n = 0;

    if (fd < 0) {
        return errno;
    }
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n < 0) {
        return errno;
    }
    buf[n] = '\0';
    *ret_text = strdup(buf);
    return (*ret_text == NULL) ? ENOMEM : 0;
}

// Whether the process's command line contains a given argument
static bool
cmdline_has(pid_t pid, const char *arg)
{
    char *path = myha_str_printf("/proc/%lld/cmdline", (long long) pid);
    char buf[8192];
    ssize_t n = 0;
    int fd = -1;
    bool found = false;

    if (path == NULL) {
        return false;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (fd < 0) {
        return false;
    }
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    for (ssize_t i = 0; i < n; i += (ssize_t) strlen(buf + i) + 1) {
        buf[n] = '\0';
        if (strcmp(buf + i, arg) == 0) {
            found = true;
            break;
        }
    }
    return found;
}

/*!
 * \brief Find the server process of this instance
 *
 * The PID file names it; the process must be alive and be our server (its
 * command line names our datadir), so a stale PID file whose number was
 * reused by another process does not count.
 *
 * \param[in,out] agent    Agent state
 * \param[out]    ret_pid  Server PID (on success)
 *
 * \return 0 if running, myha_rc_not_running if not
 */
int
server_running(struct agent *agent, pid_t *ret_pid)
{
    char *text = NULL;
    char *datadir_arg = NULL;
    long long pid = 0;
    int rc = myha_rc_not_running;

    if (read_small_file(agent_param(agent, P_PID), &text) != 0) {
        return myha_rc_not_running;
    }
    text[strcspn(text, "\n")] = '\0';
    if ((myha_str_to_ll(text, &pid) != 0) || (pid <= 1)
        || !myha_is_pid_alive((pid_t) pid)) {
        goto out_free;
    }
    datadir_arg =
        myha_str_printf("--datadir=%s", agent_param(agent, P_DATADIR));
    if ((datadir_arg != NULL) && cmdline_has((pid_t) pid, datadir_arg)) {
        *ret_pid = (pid_t) pid;
        rc = 0;
    } else {
        qb_log(LOG_DEBUG, "PID %lld from '%s' is not our server", pid,
               agent_param(agent, P_PID));
    }

out_free:
    free(datadir_arg);
    free(text);
    return rc;
}

/*!
 * \brief Open the agent's admin connection (once per invocation)
 *
 * \param[in,out] agent       Agent state
 * \param[out]    ret_reason  On failure, allocated reason (caller frees)
 *
 * \return 0 or a db connect result code
 */
int
server_connect(struct agent *agent, char **ret_reason)
{
    struct myha_db_opts opts = {
        .socket = agent_param(agent, P_SOCKET),
        .option_file = agent_param(agent, P_CLIENT_CONFIG),
        .connect_timeout = 5,
        .read_timeout = 30,
        .write_timeout = 30,
    };

    if (agent->db != NULL) {
        return 0;
    }
    if (opts.option_file == NULL) {
        opts.user = "root";
    }
    return myha_db_connect(&opts, &agent->db, ret_reason);
}

// mkdir -p; only directories created here get mode 0755
static int
mkdir_p(char *dir)
{
    char *slash = NULL;

    if ((mkdir(dir, 0755) == 0) || (errno == EEXIST)) {
        return 0;
    }
    if (errno != ENOENT) {
        return errno;
    }
    slash = strrchr(dir, '/');
    if ((slash == NULL) || (slash == dir)) {
        return ENOENT;
    }
    *slash = '\0';
    {
        int rc = mkdir_p(dir);

        *slash = '/';
        if (rc != 0) {
            return rc;
        }
    }
    return ((mkdir(dir, 0755) == 0) || (errno == EEXIST)) ? 0 : errno;
}

/* Create the directory holding path (and its parents) if missing; give it
 * to the server's user when it is new, so the server can write there.
 */
static int
prepare_parent_dir(const char *path, uid_t uid, gid_t gid)
{
    char *copy = strdup(path);
    char *dir = NULL;
    struct stat st;
    int rc = 0;

    if (copy == NULL) {
        return ENOMEM;
    }
    dir = dirname(copy);
    if (stat(dir, &st) != 0) {
        rc = mkdir_p(dir);
        if ((rc == 0) && (chown(dir, uid, gid) != 0)) {
            rc = errno;
        }
    }
    free(copy);
    return rc;
}

/* Create the error log if missing and give it to the server's user: the
 * agent appends the server's output to it as root, and a file created
 * that way would be root's, which the server (after dropping to its user)
 * then cannot open for --log-error.
 */
static int
prepare_log_file(const char *path, uid_t uid, gid_t gid)
{
    int fd =
        open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
    int rc = 0;

    if (fd < 0) {
        return (errno == EEXIST) ? 0 : errno;
    }
    if (fchown(fd, uid, gid) != 0) {
        rc = errno;
    }
    close(fd);
    return rc;
}

// The server's last error-log lines that say [ERROR], for an exit reason
static char *
last_error_line(const char *log)
{
    FILE *f = fopen(log, "re");
    char *line = NULL;
    size_t len = 0;
    char *last = NULL;

    if (f == NULL) {
        return NULL;
    }
    while (getline(&line, &len, f) >= 0) {
        if (strstr(line, "[ERROR]") != NULL) {
            free(last);
            last = strdup(line);
        }
    }
    free(line);
    fclose(f);
    if (last != NULL) {
        last[strcspn(last, "\n")] = '\0';
    }
    return last;
}

/* Build the server's argv.  Ours come last so that neither
 * additional_parameters nor the option file can start it writable or
 * replicating: command-line options override the option file, and a later
 * option overrides an earlier one.
 */
static char **
server_argv(struct agent *agent, char **words)
{
    const char *config = agent_param(agent, P_CONFIG);
    const char *add = agent_param(agent, P_ADDITIONAL_PARAMETERS);
    size_t n_add = 0;
    char **argv = NULL;
    size_t i = 0;
    char *save = NULL;

    if (add != NULL) {
        *words = strdup(add);
        if (*words == NULL) {
            return NULL;
        }
        for (const char *p = add; *p != '\0'; p++) {
            n_add += (*p == ' ') || (*p == '\t');
        }
        n_add++;
    }
    argv = calloc(n_add + 12, sizeof(*argv));
    if (argv == NULL) {
        return NULL;
    }
    argv[i++] = agent->binary;
    argv[i++] = (config == NULL)
                    ? strdup("--no-defaults")
                    : myha_str_printf("--defaults-file=%s", config);
    if (config == NULL) {
        /* A fixed relay log name (the default one contains the host name)
         * that pitr can place relay logs under; additional_parameters may
         * override it, an option file is left alone
         */
        argv[i++] = strdup("--relay-log=relay");
    }
    for (char *w = (*words == NULL) ? NULL : strtok_r(*words, " \t", &save);
         w != NULL; w = strtok_r(NULL, " \t", &save)) {
        argv[i++] = strdup(w);
    }
    argv[i++] = myha_str_printf("--datadir=%s", agent_param(agent, P_DATADIR));
    argv[i++] = myha_str_printf("--socket=%s", agent_param(agent, P_SOCKET));
    argv[i++] = myha_str_printf("--pid-file=%s", agent_param(agent, P_PID));
    argv[i++] = myha_str_printf("--user=%s", agent_param(agent, P_USER));
    argv[i++] = myha_str_printf("--log-error=%s", agent_param(agent, P_LOG));
    argv[i++] =
        strdup((agent->flavour == myha_db_mysql) ? "--super-read-only=ON"
                                                 : "--read-only=ON");
    argv[i++] = strdup("--skip-slave-start");
    argv[i] = NULL;
    for (size_t j = 1; j < i; j++) {
        if (argv[j] == NULL) {
            argv[0] = NULL; // signal allocation failure to the caller
        }
    }
    return argv;
}

static void
free_argv(char **argv)
{
    if (argv != NULL) {
        for (size_t i = 1; argv[i] != NULL; i++) {
            free(argv[i]);
        }
        free(argv);
    }
}

// Whether a directory has entries other than "." , ".." and "lost+found"
static int
dir_is_empty(const char *path, bool *ret_empty)
{
    DIR *dir = opendir(path);
    struct dirent *de = NULL;
    bool empty = true;

    if (dir == NULL) {
        return errno;
    }
    while (empty && ((de = readdir(dir)) != NULL)) {
        empty = (strcmp(de->d_name, ".") == 0)
                || (strcmp(de->d_name, "..") == 0)
                || (strcmp(de->d_name, "lost+found") == 0);
    }
    closedir(dir);
    *ret_empty = empty;
    return 0;
}

// Run the flavour's datadir initialisation
static int
run_install_db(struct agent *agent)
{
    const char *config = agent_param(agent, P_CONFIG);
    char *defaults = (config == NULL)
                         ? strdup("--no-defaults")
                         : myha_str_printf("--defaults-file=%s", config);
    char *dd = myha_str_printf("--datadir=%s", agent_param(agent, P_DATADIR));
    char *user = myha_str_printf("--user=%s", agent_param(agent, P_USER));
    const char *mariadb[] = { "mariadb-install-db", defaults, dd, user,
                              "--skip-test-db",     NULL };
    const char *mysql[] = { agent->binary,           defaults, dd, user,
                            "--initialize-insecure", NULL };
    struct myha_spawn_opts opts = {
        .argv = (agent->flavour == myha_db_mysql) ? mysql : mariadb,
        .out = myha_spawn_out_file,
        .err = myha_spawn_out_file,
        .out_path = agent_param(agent, P_LOG),
        .err_path = agent_param(agent, P_LOG),
    };
    struct myha_child_status cs;
    int rc = ENOMEM;

    if ((defaults != NULL) && (dd != NULL) && (user != NULL)) {
        rc = myha_spawn_run(&opts, (int) agent_remaining_ms(agent), &cs, NULL,
                            NULL);
    }
    free(defaults);
    free(dd);
    free(user);
    return rc;
}

/* Initialise a missing or empty datadir.  One that holds anything but no
 * database is refused, never written over.
 */
static enum ocf_exitcode
init_datadir(struct agent *agent, uid_t uid, gid_t gid)
{
    const char *datadir = agent_param(agent, P_DATADIR);
    char *marker = myha_str_printf("%s/mysql", datadir);
    struct stat st;
    bool empty = true;
    int rc = 0;
    enum ocf_exitcode status = PCMK_OCF_OK;

    if (marker == NULL) {
        return PCMK_OCF_UNKNOWN_ERROR;
    }
    if (stat(marker, &st) == 0) {
        goto out_free; // already initialised
    }
    rc = prepare_parent_dir(datadir, uid, gid);
    if ((rc != 0) || ((mkdir(datadir, 0750) != 0) && (errno != EEXIST))) {
        myha_ocf_exit_reason("cannot create datadir '%s': %s", datadir,
                             strerror(errno));
        status = PCMK_OCF_INVALID_PARAM;
        goto out_free;
    }
    rc = dir_is_empty(datadir, &empty);
    if ((rc != 0) || !empty) {
        myha_ocf_exit_reason("datadir '%s' holds files but no database: "
                             "not initialising over it%s%s",
                             datadir, (rc != 0) ? ": " : "",
                             (rc != 0) ? strerror(rc) : "");
        status = PCMK_OCF_INVALID_PARAM;
        goto out_free;
    }
    if (chown(datadir, uid, gid) != 0) {
        myha_ocf_exit_reason("cannot give datadir '%s' to its user: %s",
                             datadir, strerror(errno));
        status = PCMK_OCF_INVALID_PARAM;
        goto out_free;
    }
    qb_log(LOG_INFO, "initialising empty datadir '%s'", datadir);
    rc = run_install_db(agent);
    if (rc != 0) {
        myha_ocf_exit_reason("cannot initialise datadir '%s': %s (see '%s')",
                             datadir, myha_rc_str(rc),
                             agent_param(agent, P_LOG));
        status = PCMK_OCF_UNKNOWN_ERROR;
    }

out_free:
    free(marker);
    return status;
}

/*!
 * \brief Start the server read-only with replication stopped
 *
 * Idempotent: a running server is left as it is.  The server never has a
 * writable moment: --read-only (--super-read-only on MySQL) and
 * --skip-slave-start are on its command line, after anything the user
 * configured.  Waits until it answers on its socket and checks that it is
 * read-only.
 *
 * \param[in,out] agent  Agent state with parameters loaded
 *
 * \return OCF exit code (an exit reason is written on failure)
 */
enum ocf_exitcode
server_start(struct agent *agent)
{
    struct passwd *pw = getpwnam(agent_param(agent, P_USER));
    struct group *gr = getgrnam(agent_param(agent, P_GROUP));
    char *words = NULL;
    char **argv = NULL;
    struct myha_child *child = NULL;
    struct myha_spawn_opts opts = { 0 };
    enum ocf_exitcode status = PCMK_OCF_UNKNOWN_ERROR;
    char *reason = NULL;
    pid_t pid = 0;
    bool read_only = false;
    int rc = 0;

    if (server_running(agent, &pid) == 0) {
        qb_log(LOG_INFO, "server already running (PID %lld)", (long long) pid);
        return PCMK_OCF_OK;
    }
    if ((pw == NULL) || (gr == NULL)) {
        myha_ocf_exit_reason("user '%s' or group '%s' does not exist",
                             agent_param(agent, P_USER),
                             agent_param(agent, P_GROUP));
        return PCMK_OCF_INVALID_PARAM;
    }
    if ((prepare_parent_dir(agent_param(agent, P_SOCKET), pw->pw_uid,
                            gr->gr_gid)
         != 0)
        || (prepare_parent_dir(agent_param(agent, P_PID), pw->pw_uid,
                               gr->gr_gid)
            != 0)
        || (prepare_parent_dir(agent_param(agent, P_LOG), pw->pw_uid,
                               gr->gr_gid)
            != 0)
        || (prepare_log_file(agent_param(agent, P_LOG), pw->pw_uid, gr->gr_gid)
            != 0)) {
        myha_ocf_exit_reason("cannot create the directories of socket "
                             "'%s', PID file '%s' or log '%s': %s",
                             agent_param(agent, P_SOCKET),
                             agent_param(agent, P_PID),
                             agent_param(agent, P_LOG), strerror(errno));
        return PCMK_OCF_INVALID_PARAM;
    }
    status = init_datadir(agent, pw->pw_uid, gr->gr_gid);
    if (status != PCMK_OCF_OK) {
        return status;
    }
    status = PCMK_OCF_UNKNOWN_ERROR;

    argv = server_argv(agent, &words);
    if ((argv == NULL) || (argv[0] == NULL)) {
        myha_ocf_exit_reason("cannot start server: out of memory");
        goto out_free;
    }
    opts.argv = (const char *const *) argv;
    opts.new_session = true; // Detached: survives the agent, keeps no fd
    opts.out = myha_spawn_out_file;
    opts.err = myha_spawn_out_file;
    opts.out_path = agent_param(agent, P_LOG);
    opts.err_path = agent_param(agent, P_LOG);
    rc = myha_spawn_start(&opts, &child);
    if (rc != 0) {
        myha_ocf_exit_reason("cannot run '%s': %s", agent->binary,
                             myha_rc_str(rc));
        goto out_free;
    }
    pid = myha_child_pid(child);
    qb_log(LOG_INFO, "started %s read-only (PID %lld), waiting for socket '%s'",
           agent->binary, (long long) pid, agent_param(agent, P_SOCKET));

    // Wait until it answers, or exits, or the action runs out of time
    while (true) {
        struct myha_child_status cs;

        free(reason);
        reason = NULL;
        if (server_connect(agent, &reason) == 0) {
            break;
        }
        // myha_child_wait() with a timeout would kill it: only look
        if (!myha_is_pid_alive(pid) && (myha_child_wait(child, -1, &cs) == 0)) {
            char *err = last_error_line(agent_param(agent, P_LOG));

            myha_ocf_exit_reason("server exited during start (%s %d): %s",
                                 cs.signaled ? "signal" : "status",
                                 cs.signaled ? cs.signal : cs.exit_code,
                                 (err == NULL) ? "see its error log" : err);
            free(err);
            goto out_free;
        }
        if (agent_remaining_ms(agent) < 2 * POLL_MS) {
            myha_ocf_exit_reason("server (PID %lld) did not answer on '%s' "
                                 "before the start timeout: %s",
                                 (long long) pid, agent_param(agent, P_SOCKET),
                                 (reason == NULL) ? "" : reason);
            goto out_free;
        }
        sleep_ms(POLL_MS);
    }

    rc = myha_db_read_only_get(agent->db, &read_only);
    if ((rc != 0) || !read_only) {
        myha_ocf_exit_reason("server started but is not read-only: %s",
                             (rc != 0) ? myha_db_error(agent->db)
                                       : "read_only is OFF");
        goto out_free;
    }
    qb_log(LOG_INFO, "server (PID %lld) is up, read-only, not replicating",
           (long long) pid);
    status = PCMK_OCF_OK;

out_free:
    free(reason);
    myha_child_free(child); // neither kills nor waits: the server stays
    free_argv(argv);
    free(words);
    return status;
}

// Wait for a process to end; true if it did within ms
static bool
wait_gone(pid_t pid, long long ms)
{
    for (long long waited = 0; myha_is_pid_alive(pid); waited += POLL_MS) {
        if (waited >= ms) {
            return false;
        }
        sleep_ms(POLL_MS);
    }
    return true;
}

/* A stopped instance is no candidate: no score, and no position for the
 * peers' promote to compare with (it is not reachable)
 */
static void
withdraw(struct agent *agent)
{
    agent_publish_score(agent, SCORE_NONE);
    agent_publish_attr(agent, "gtid", NULL);
    agent_publish_attr(agent, "health", "stopped");
}

/*!
 * \brief Stop the server for sure
 *
 * SIGTERM (clean shutdown), then SIGKILL when the stop timeout is nearly
 * used up.  Fails only if the process survives SIGKILL, so that Pacemaker
 * fences the node rather than believe the server is gone.  A stopped
 * instance withdraws its promotion score and published position.
 * Idempotent.
 *
 * \param[in,out] agent  Agent state with parameters loaded
 *
 * \return OCF exit code (an exit reason is written on failure)
 */
enum ocf_exitcode
server_stop(struct agent *agent)
{
    pid_t pid = 0;
    long long grace = 0;

    if (server_running(agent, &pid) != 0) {
        qb_log(LOG_INFO, "server is not running");
        withdraw(agent);
        return PCMK_OCF_OK;
    }
    myha_db_free(agent->db);
    agent->db = NULL;

    grace = agent_remaining_ms(agent) - STOP_MARGIN_MS;
    if (grace < POLL_MS) {
        grace = POLL_MS;
    }
    qb_log(LOG_INFO, "stopping server (PID %lld), SIGKILL in %llds",
           (long long) pid, grace / 1000);
    if ((kill(pid, SIGTERM) == 0) && wait_gone(pid, grace)) {
        qb_log(LOG_INFO, "server (PID %lld) shut down cleanly",
               (long long) pid);
        withdraw(agent);
        return PCMK_OCF_OK;
    }
    qb_log(LOG_WARNING,
           "server (PID %lld) did not shut down in %llds: "
           "sending SIGKILL",
           (long long) pid, grace / 1000);
    kill(pid, SIGKILL);
    if (wait_gone(pid, STOP_KILL_WAIT_MS)) {
        qb_log(LOG_WARNING, "server (PID %lld) killed", (long long) pid);
        withdraw(agent);
        return PCMK_OCF_OK;
    }
    myha_ocf_exit_reason("server (PID %lld) survived SIGKILL", (long long) pid);
    return PCMK_OCF_UNKNOWN_ERROR;
}
