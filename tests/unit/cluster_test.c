/*
 * Unit tests for lib/cluster.c (and the failure paths of lib/membership.c
 * and lib/stonith.c): fake crm_attribute, attrd_updater and crm_node
 * scripts that log each call, and fake Pacemaker daemons that listen on a
 * libqb-style abstract socket, so that forks can be counted.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <myha/cluster.h>
#include <myha/rc.h>

#define FAKE_TOOL                                                      \
    "#!/bin/sh\n"                                                      \
    "printf '%s' \"${0##*/}\" >> \"$FAKE_LOG\"\n"                      \
    "for a in \"$@\"; do printf ' %s' \"$a\" >> \"$FAKE_LOG\"; done\n" \
    "echo >> \"$FAKE_LOG\"\n"                                          \
    "if [ -n \"$FAKE_OUT\" ]; then cat \"$FAKE_OUT\"; fi\n"            \
    "if [ -n \"$FAKE_ERR\" ]; then echo \"$FAKE_ERR\" >&2; fi\n"       \
    "if [ -n \"$FAKE_KILL\" ]; then kill -9 $$; fi\n"                  \
    "if [ -n \"$FAKE_ENV\" ]; then env > \"$FAKE_ENV\"; fi\n"          \
    "exit ${FAKE_EXIT:-0}\n"

struct fixture {
    char *dir;       //!< Temporary directory
    char *tools;     //!< Fake tools
    char *cache;     //!< Cache directory
    char *log;       //!< One line per tool call
    char *out;       //!< What the fake tools print on stdout
    char attrd[64];  //!< IPC name of the fake attrd
    char cib[64];    //!< IPC name of the fake CIB manager
    char crmd[64];   //!< IPC name of the fake controller
    pid_t attrd_pid; //!< Fake attrd, or 0
    pid_t cib_pid;
    pid_t crmd_pid;
    struct myha_cluster *cluster;
};

static char *
path_in(const char *dir, const char *name)
{
    size_t len = strlen(dir) + strlen(name) + 2;
    char *path = malloc(len);

    assert_non_null(path);
    snprintf(path, len, "%s/%s", dir, name);
    return path;
}

static void
write_text(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t) strlen(text));
    assert_int_equal(close(fd), 0);
}

static char *
read_text(const char *path)
{
    FILE *f = fopen(path, "re");
    char *text = NULL;
    long len = 0;

    if (f == NULL) {
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    rewind(f);
    text = calloc(1, (size_t) len + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t) len, f), (size_t) len);
    fclose(f);
    return text;
}

// Lines in the fake tools' log: how many tools ran
static int
forks(const struct fixture *fx)
{
    char *text = read_text(fx->log);
    int n = 0;

    if (text == NULL) {
        return 0;
    }
    for (const char *p = text; *p != '\0'; p++) {
        n += (*p == '\n');
    }
    free(text);
    return n;
}

static char *
last_call(const struct fixture *fx)
{
    char *text = read_text(fx->log);
    char *line = NULL;
    size_t len = 0;

    assert_non_null(text);
    len = strlen(text);
    assert_true(len > 0);
    text[len - 1] = '\0';
    line = strrchr(text, '\n');
    line = strdup((line == NULL) ? text : line + 1);
    free(text);
    return line;
}

static void
assert_last_call(const struct fixture *fx, const char *expected)
{
    char *line = last_call(fx);

    assert_string_equal(line, expected);
    free(line);
}

// A process listening on a libqb-style abstract socket, as a daemon would
static pid_t
fake_daemon_start(const char *ipc_name)
{
    struct sockaddr_un addr;
    int ready[2];
    pid_t pid = 0;
    char c = 0;

    assert_int_equal(pipe(ready), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);

        memset(&addr, 0, sizeof(addr));
        addr.sun_family = AF_UNIX;
        memcpy(addr.sun_path + 1, ipc_name, strlen(ipc_name));
        if ((fd < 0) || (bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0)
            || (listen(fd, 64) < 0)) {
            _exit(1);
        }
        if (write(ready[1], "x", 1) != 1) {
            _exit(1);
        }
        for (;;) {
            int conn = accept(fd, NULL, NULL);

            if (conn >= 0) {
                close(conn);
            }
        }
    }
    close(ready[1]);
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    return pid;
}

static void
fake_daemon_stop(pid_t *pid)
{
    if (*pid > 0) {
        kill(*pid, SIGKILL);
        waitpid(*pid, NULL, 0);
        *pid = 0;
    }
}

static struct myha_cluster *
new_cluster(const struct fixture *fx, int max_age_s)
{
    struct myha_cluster_opts opts = {
        .tools_dir = fx->tools,
        .cache_dir = fx->cache,
        .attrd_ipc = fx->attrd,
        .cib_ipc = fx->cib,
        .controller_ipc = fx->crmd,
        .max_age_s = max_age_s,
        .timeout_ms = 10000,
    };
    struct myha_cluster *cluster = NULL;

    assert_int_equal(myha_cluster_new(&opts, &cluster), 0);
    return cluster;
}

static int
setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    const char *names[] = { "crm_attribute", "attrd_updater", "crm_node" };

    assert_non_null(fx);
    fx->dir = strdup("/tmp/myha-cluster-test.XXXXXX");
    assert_non_null(fx->dir);
    assert_non_null(mkdtemp(fx->dir));
    fx->tools = path_in(fx->dir, "tools");
    fx->cache = path_in(fx->dir, "cache");
    fx->log = path_in(fx->dir, "calls.log");
    fx->out = path_in(fx->dir, "stdout");
    assert_int_equal(mkdir(fx->tools, 0755), 0);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char *tool = path_in(fx->tools, names[i]);

        write_text(tool, FAKE_TOOL, 0755);
        free(tool);
    }
    // Unique names: tests may run in parallel, and a real cluster may run
    snprintf(fx->attrd, sizeof(fx->attrd), "myha-test-attrd-%lld",
             (long long) getpid());
    snprintf(fx->cib, sizeof(fx->cib), "myha-test-cib-%lld",
             (long long) getpid());
    snprintf(fx->crmd, sizeof(fx->crmd), "myha-test-crmd-%lld",
             (long long) getpid());
    setenv("FAKE_LOG", fx->log, 1);
    unsetenv("FAKE_OUT");
    unsetenv("FAKE_ERR");
    unsetenv("FAKE_EXIT");
    unsetenv("FAKE_KILL");
    unsetenv("OCF_RESKEY_CRM_meta_on_node");
    fx->cluster = new_cluster(fx, 0);
    *state = fx;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *fx = *state;
    char *cmd = NULL;
    size_t len = strlen(fx->dir) + 16;

    fake_daemon_stop(&fx->attrd_pid);
    fake_daemon_stop(&fx->cib_pid);
    fake_daemon_stop(&fx->crmd_pid);
    myha_cluster_free(fx->cluster);
    cmd = malloc(len);
    assert_non_null(cmd);
    snprintf(cmd, len, "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(fx->dir);
    free(fx->tools);
    free(fx->cache);
    free(fx->log);
    free(fx->out);
    free(fx);
    return 0;
}

static char *
score_cache_file(const struct fixture *fx, const char *rsc)
{
    char name[256];

    snprintf(name, sizeof(name), "myha-score-%s.cache", rsc);
    return path_in(fx->cache, name);
}

static void
unreachable_cluster_forks_nothing(void **state)
{
    struct fixture *fx = *state;
    enum myha_cluster_publish outcome = myha_publish_done;
    struct myha_node_value *values = NULL;
    size_t n = 7;
    char *identity = NULL;

    assert_false(myha_is_cluster_reachable(fx->cluster));
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     ENOTCONN);
    assert_int_equal(myha_cluster_score_clear(fx->cluster, "db", &outcome),
                     ENOTCONN);
    assert_int_equal(
        myha_cluster_attr_set(fx->cluster, "myha-gtid-db", "0-1-5", &outcome),
        ENOTCONN);
    assert_int_equal(
        myha_cluster_attr_clear(fx->cluster, "myha-gtid-db", &outcome),
        ENOTCONN);
    assert_int_equal(
        myha_cluster_attr_query_all(fx->cluster, "myha-gtid-db", &values, &n),
        ENOTCONN);
    assert_int_equal(myha_cluster_attrd_identity(fx->cluster, &identity),
                     ENOTCONN);
    assert_int_equal(myha_cluster_primary_set(fx->cluster, "db", "n1", 5),
                     ENOTCONN);
    assert_int_equal(
        myha_cluster_primary_get(fx->cluster, "db", &identity, NULL), ENOTCONN);
    // Finding out is cheap: no process
    assert_int_equal(forks(fx), 0);
    assert_int_equal(outcome, myha_publish_done);
    assert_null(values);
    assert_int_equal(n, 7);
    assert_null(identity);
    assert_null(myha_cluster_tool_error(fx->cluster));
}

static void
reachability_check_forks_nothing(void **state)
{
    struct fixture *fx = *state;
    pid_t pid = 0;

    for (int i = 0; i < 1000; i++) {
        assert_false(myha_is_cluster_reachable(fx->cluster));
    }

    fx->attrd_pid = fake_daemon_start(fx->attrd);
    for (int i = 0; i < 1000; i++) {
        assert_true(myha_is_cluster_reachable(fx->cluster));
    }
    // Once the fake daemon has drained its backlog, its pid shows
    for (int i = 0; (i < 100) && (pid == 0); i++) {
        assert_true(myha_is_ipc_listening(fx->attrd, &pid));
        if (pid == 0) {
            usleep(10000);
        }
    }
    assert_int_equal(pid, fx->attrd_pid);
    assert_false(myha_is_ipc_listening(NULL, &pid));
    assert_false(myha_is_ipc_listening("", &pid));
    assert_int_equal(forks(fx), 0);
}

static void
attrd_identity_follows_restarts(void **state)
{
    struct fixture *fx = *state;
    char *first = NULL;
    char *again = NULL;
    char *second = NULL;
    char pid_part[32];

    fx->attrd_pid = fake_daemon_start(fx->attrd);
    assert_int_equal(myha_cluster_attrd_identity(fx->cluster, &first), 0);
    assert_non_null(first);
    snprintf(pid_part, sizeof(pid_part), "/%lld/", (long long) fx->attrd_pid);
    assert_non_null(strstr(first, pid_part));
    assert_int_equal(myha_cluster_attrd_identity(fx->cluster, &again), 0);
    assert_string_equal(first, again);

    fake_daemon_stop(&fx->attrd_pid);
    fx->attrd_pid = fake_daemon_start(fx->attrd);
    assert_int_equal(myha_cluster_attrd_identity(fx->cluster, &second), 0);
    assert_non_null(second);
    assert_string_not_equal(first, second);
    free(first);
    free(again);
    free(second);
}

static void
score_published_only_when_changed(void **state)
{
    struct fixture *fx = *state;
    enum myha_cluster_publish outcome = myha_publish_unchanged;
    char *file = score_cache_file(fx, "db");
    struct stat st;

    fx->attrd_pid = fake_daemon_start(fx->attrd);
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     0);
    assert_int_equal(outcome, myha_publish_done);
    assert_int_equal(forks(fx), 1);
    assert_last_call(fx, "crm_attribute --promotion=db --update=10");
    assert_int_equal(stat(file, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);

    // Steady state: no process at all
    for (int i = 0; i < 5; i++) {
        assert_int_equal(
            myha_cluster_score_set(fx->cluster, "db", 10, &outcome), 0);
        assert_int_equal(outcome, myha_publish_unchanged);
    }
    assert_int_equal(forks(fx), 1);

    // A new handle (the next agent invocation) reads the same cache
    myha_cluster_free(fx->cluster);
    fx->cluster = new_cluster(fx, 0);
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     0);
    assert_int_equal(outcome, myha_publish_unchanged);
    assert_int_equal(forks(fx), 1);

    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", -5, &outcome),
                     0);
    assert_int_equal(outcome, myha_publish_done);
    assert_int_equal(forks(fx), 2);
    assert_last_call(fx, "crm_attribute --promotion=db --update=-5");

    assert_int_equal(myha_cluster_score_clear(fx->cluster, "db", &outcome), 0);
    assert_int_equal(outcome, myha_publish_done);
    assert_last_call(fx, "crm_attribute --promotion=db --delete");
    assert_int_equal(myha_cluster_score_clear(fx->cluster, "db", &outcome), 0);
    assert_int_equal(outcome, myha_publish_unchanged);
    assert_int_equal(forks(fx), 3);

    // Another resource has its own entry
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db2", -5, &outcome),
                     0);
    assert_int_equal(outcome, myha_publish_done);
    assert_int_equal(forks(fx), 4);
    free(file);
}

static void
attrd_restart_republishes(void **state)
{
    struct fixture *fx = *state;
    enum myha_cluster_publish outcome = myha_publish_unchanged;

    fx->attrd_pid = fake_daemon_start(fx->attrd);
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     0);
    assert_int_equal(
        myha_cluster_attr_set(fx->cluster, "myha-gtid-db", "0-1-5", &outcome),
        0);
    assert_int_equal(forks(fx), 2);

    // Pacemaker restarted here: attrd forgot every transient attribute
    fake_daemon_stop(&fx->attrd_pid);
    fx->attrd_pid = fake_daemon_start(fx->attrd);
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     0);
    assert_int_equal(outcome, myha_publish_done);
    assert_int_equal(
        myha_cluster_attr_set(fx->cluster, "myha-gtid-db", "0-1-5", &outcome),
        0);
    assert_int_equal(outcome, myha_publish_done);
    assert_int_equal(forks(fx), 4);
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     0);
    assert_int_equal(outcome, myha_publish_unchanged);
    assert_int_equal(forks(fx), 4);
}

// Rewrite the "time" line of a cache file
static void
age_cache_file(const char *file, long long when)
{
    char *text = read_text(file);
    char *time_line = NULL;
    char *rest = NULL;
    char *aged = NULL;
    size_t len = 0;

    assert_non_null(text);
    time_line = strstr(text, "\ntime ");
    assert_non_null(time_line);
    rest = strchr(time_line + 1, '\n');
    assert_non_null(rest);
    *time_line = '\0';
    len = strlen(text) + strlen(rest) + 64;
    aged = malloc(len);
    assert_non_null(aged);
    snprintf(aged, len, "%s\ntime %lld%s", text, when, rest);
    write_text(file, aged, 0600);
    free(aged);
    free(text);
}

static void
old_entry_republishes(void **state)
{
    struct fixture *fx = *state;
    enum myha_cluster_publish outcome = myha_publish_unchanged;
    char *file = score_cache_file(fx, "db");
    long long now = (long long) time(NULL);

    fx->attrd_pid = fake_daemon_start(fx->attrd);
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     0);
    assert_int_equal(forks(fx), 1);

    // Still young: unchanged
    age_cache_file(file, now - MYHA_CLUSTER_CACHE_MAX_AGE_S + 30);
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     0);
    assert_int_equal(outcome, myha_publish_unchanged);
    assert_int_equal(forks(fx), 1);

    // Older than the default 10 minutes: published again
    age_cache_file(file, now - MYHA_CLUSTER_CACHE_MAX_AGE_S - 1);
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     0);
    assert_int_equal(outcome, myha_publish_done);
    assert_int_equal(forks(fx), 2);

    // From the future (the clock went back): published again
    age_cache_file(file, now + 3600);
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     0);
    assert_int_equal(outcome, myha_publish_done);
    assert_int_equal(forks(fx), 3);

    // A handle with a shorter max age
    myha_cluster_free(fx->cluster);
    fx->cluster = new_cluster(fx, 60);
    age_cache_file(file, now - 61);
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     0);
    assert_int_equal(outcome, myha_publish_done);
    assert_int_equal(forks(fx), 4);
    free(file);
}

static void
corrupt_cache_republishes(void **state)
{
    struct fixture *fx = *state;
    enum myha_cluster_publish outcome = myha_publish_unchanged;
    char *file = score_cache_file(fx, "db");
    char *good = NULL;
    const char *bad[] = {
        "",
        "garbage",
        "myha-cache 1\n",
        "myha-cache 2\nattrd x\ntime 1\nvalue 2\n10\n",
        "myha-cache 1\nattrd \ntime 1\nvalue 2\n10\n",
        "myha-cache 1\nattrd x\ntime one\nvalue 2\n10\n",
        "myha-cache 1\nattrd x\ntime 1\nvalue 3\n10\n",
        "myha-cache 1\nattrd x\ntime 1\nvalue 2\n10",
        "myha-cache 1\nattrd x\ntime 1\nvalue -1\n10\n",
        "myha-cache 1\nattrd x\ntime 1\ndeleted\nextra\n",
    };
    int expected_forks = 1;

    fx->attrd_pid = fake_daemon_start(fx->attrd);
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     0);
    good = read_text(file);
    assert_non_null(good);
    assert_non_null(strstr(good, "myha-cache 1\nattrd "));
    assert_non_null(strstr(good, "\nvalue 2\n10\n"));

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        write_text(file, bad[i], 0600);
        assert_int_equal(
            myha_cluster_score_set(fx->cluster, "db", 10, &outcome), 0);
        assert_int_equal(outcome, myha_publish_done);
        assert_int_equal(forks(fx), ++expected_forks);
    }

    // Binary junk with a NUL inside
    {
        int fd = open(file, O_WRONLY | O_TRUNC | O_CLOEXEC);

        assert_true(fd >= 0);
        assert_int_equal(write(fd, "myha-cache 1\n\0\xff", 15), 15);
        close(fd);
    }
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     0);
    assert_int_equal(outcome, myha_publish_done);
    assert_int_equal(forks(fx), ++expected_forks);

    // A directory in the way
    assert_int_equal(unlink(file), 0);
    assert_int_equal(mkdir(file, 0700), 0);
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     0);
    assert_int_equal(outcome, myha_publish_done);
    assert_int_equal(forks(fx), ++expected_forks);
    assert_int_equal(rmdir(file), 0);

    // Each bad file was replaced by a good one
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     0);
    assert_int_equal(forks(fx), ++expected_forks);
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     0);
    assert_int_equal(outcome, myha_publish_unchanged);
    assert_int_equal(forks(fx), expected_forks);
    free(good);
    free(file);
}

static void
tool_failure_is_reported_and_retried(void **state)
{
    struct fixture *fx = *state;
    enum myha_cluster_publish outcome = myha_publish_unchanged;
    char *file = score_cache_file(fx, "db");

    fx->attrd_pid = fake_daemon_start(fx->attrd);
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     0);
    setenv("FAKE_EXIT", "1", 1);
    setenv("FAKE_ERR", "Error performing operation: Connection refused", 1);
    outcome = myha_publish_unchanged;
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 20, &outcome),
                     myha_rc_child_failed);
    assert_string_equal(myha_cluster_tool_error(fx->cluster),
                        "Error performing operation: Connection refused");
    assert_int_equal(outcome, myha_publish_unchanged);
    // attrd may have the new value or not: the cache forgets
    assert_int_equal(access(file, F_OK), -1);

    unsetenv("FAKE_EXIT");
    unsetenv("FAKE_ERR");
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 10, &outcome),
                     0);
    assert_int_equal(outcome, myha_publish_done);
    assert_null(myha_cluster_tool_error(fx->cluster));
    assert_int_equal(forks(fx), 3);

    // A tool killed by a signal
    setenv("FAKE_KILL", "1", 1);
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 30, &outcome),
                     myha_rc_child_failed);
    unsetenv("FAKE_KILL");
    free(file);
}

static void
missing_tools(void **state)
{
    struct fixture *fx = *state;
    struct myha_cluster_opts opts = {
        .tools_dir = fx->dir, // no tools here
        .cache_dir = fx->cache,
        .attrd_ipc = fx->attrd,
    };
    struct myha_cluster *cluster = NULL;
    enum myha_cluster_publish outcome = myha_publish_unchanged;

    fx->attrd_pid = fake_daemon_start(fx->attrd);
    assert_int_equal(myha_cluster_new(&opts, &cluster), 0);
    assert_int_equal(myha_cluster_score_set(cluster, "db", 10, &outcome),
                     myha_rc_not_installed);
    myha_cluster_free(cluster);
}

static void
attributes_published_only_when_changed(void **state)
{
    struct fixture *fx = *state;
    enum myha_cluster_publish outcome = myha_publish_unchanged;
    char *file = path_in(fx->cache, "myha-attr-myha-gtid-db%3A0.cache");

    fx->attrd_pid = fake_daemon_start(fx->attrd);
    assert_int_equal(myha_cluster_attr_set(fx->cluster, "myha-gtid-db:0",
                                           "0-1-5,1-2-7", &outcome),
                     0);
    assert_int_equal(outcome, myha_publish_done);
    assert_last_call(fx, "attrd_updater --name=myha-gtid-db:0 "
                         "--update=0-1-5,1-2-7");
    assert_int_equal(access(file, F_OK), 0);
    assert_int_equal(myha_cluster_attr_set(fx->cluster, "myha-gtid-db:0",
                                           "0-1-5,1-2-7", &outcome),
                     0);
    assert_int_equal(outcome, myha_publish_unchanged);
    assert_int_equal(forks(fx), 1);

    // Values with blanks, quotes and a leading dash are one argument
    assert_int_equal(myha_cluster_attr_set(fx->cluster, "myha-gtid-db:0",
                                           "-a \"b\" c", &outcome),
                     0);
    assert_last_call(fx, "attrd_updater --name=myha-gtid-db:0 "
                         "--update=-a \"b\" c");
    // The empty value differs from a deleted attribute
    assert_int_equal(
        myha_cluster_attr_set(fx->cluster, "myha-gtid-db:0", "", &outcome), 0);
    assert_int_equal(outcome, myha_publish_done);
    assert_int_equal(
        myha_cluster_attr_clear(fx->cluster, "myha-gtid-db:0", &outcome), 0);
    assert_int_equal(outcome, myha_publish_done);
    assert_last_call(fx, "attrd_updater --name=myha-gtid-db:0 --delete");
    assert_int_equal(
        myha_cluster_attr_clear(fx->cluster, "myha-gtid-db:0", &outcome), 0);
    assert_int_equal(outcome, myha_publish_unchanged);
    assert_int_equal(forks(fx), 4);

    // A score and an attribute with the same key do not share an entry
    assert_int_equal(myha_cluster_attr_set(fx->cluster, "db", "1", &outcome),
                     0);
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 1, &outcome), 0);
    assert_int_equal(outcome, myha_publish_done);
    assert_int_equal(forks(fx), 6);

    // Names that cannot be published
    assert_int_equal(myha_cluster_attr_set(fx->cluster, "", "1", &outcome),
                     EINVAL);
    assert_int_equal(myha_cluster_attr_set(fx->cluster, "a\nb", "1", &outcome),
                     EINVAL);
    assert_int_equal(myha_cluster_attr_set(fx->cluster, "a", NULL, &outcome),
                     EINVAL);
    assert_int_equal(myha_cluster_score_set(fx->cluster, NULL, 1, &outcome),
                     EINVAL);
    assert_int_equal(myha_cluster_score_set(fx->cluster, "db", 1, NULL),
                     EINVAL);
    // A key with '/' stays in the cache directory
    assert_int_equal(
        myha_cluster_attr_set(fx->cluster, "../../x/y", "1", &outcome), 0);
    free(file);
    file = path_in(fx->cache, "myha-attr-..%2F..%2Fx%2Fy.cache");
    assert_int_equal(access(file, F_OK), 0);
    free(file);
    assert_string_equal(myha_cluster_publish_str(myha_publish_done),
                        "published");
    assert_string_equal(myha_cluster_publish_str(myha_publish_unchanged),
                        "unchanged");
}

static void
cache_dir_from_environment(void **state)
{
    struct fixture *fx = *state;
    struct myha_cluster_opts opts = {
        .tools_dir = fx->tools,
        .attrd_ipc = fx->attrd,
    };
    struct myha_cluster *cluster = NULL;
    enum myha_cluster_publish outcome = myha_publish_unchanged;
    char *dir = path_in(fx->dir, "rsctmp");
    char *file = path_in(dir, "myha-score-db.cache");

    fx->attrd_pid = fake_daemon_start(fx->attrd);
    setenv("HA_RSCTMP", dir, 1);
    assert_int_equal(myha_cluster_new(&opts, &cluster), 0);
    unsetenv("HA_RSCTMP");
    assert_int_equal(myha_cluster_score_set(cluster, "db", 10, &outcome), 0);
    assert_int_equal(access(file, F_OK), 0);
    myha_cluster_free(cluster);
    free(file);
    free(dir);
}

static void
parse_attrd_updater_output(void **state)
{
    struct myha_node_value *v = NULL;
    size_t n = 0;

    assert_int_equal(
        myha_cluster_attr_parse("name=\"g\" host=\"node1\" value=\"0-1-5\"\n"
                                "name=\"g\" host=\"node2\" value=\"\"\n"
                                "name=\"g\" host=\"node3\" "
                                "value=\"a \"quoted\" value\"\n",
                                "g", &v, &n),
        0);
    assert_int_equal(n, 3);
    assert_string_equal(v[0].node, "node1");
    assert_string_equal(v[0].value, "0-1-5");
    assert_string_equal(v[1].node, "node2");
    assert_string_equal(v[1].value, "");
    assert_string_equal(v[2].node, "node3");
    assert_string_equal(v[2].value, "a \"quoted\" value");
    myha_node_values_free(v, n);

    // A value across lines; no final newline
    assert_int_equal(
        myha_cluster_attr_parse("name=\"g\" host=\"n1\" value=\"x\ny\"\n"
                                "name=\"g\" host=\"n2\" value=\" host=\"\"",
                                "g", &v, &n),
        0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].value, "x\ny");
    assert_string_equal(v[1].node, "n2");
    assert_string_equal(v[1].value, " host=\"");
    myha_node_values_free(v, n);

    assert_int_equal(myha_cluster_attr_parse("", "g", &v, &n), 0);
    assert_int_equal(n, 0);
    assert_null(v);

    v = (struct myha_node_value *) &n;
    n = 42;
    const char *bad[] = {
        "name=\"other\" host=\"n1\" value=\"1\"\n",
        "name=\"g\" host=\"n1\" value=\"1\n",
        "name=\"g\" host=\"n1\" value=1\n",
        "name=\"g\" host=\"\" value=\"1\"\n",
        "name=\"g\" host=\"n1\"\n",
        "Could not query value of g: attribute does not exist\n",
        "name=\"g\" host=\"n1\" value=\"1\"\ngarbage\n",
        "name=\"g\" host=\"n1\" value=\"\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(myha_cluster_attr_parse(bad[i], "g", &v, &n),
                         myha_rc_parse);
    }
    assert_int_equal(n, 42);
    assert_int_equal(myha_cluster_attr_parse(NULL, "g", &v, &n), EINVAL);
    assert_int_equal(myha_cluster_attr_parse("", NULL, &v, &n), EINVAL);
}

static void
query_all_runs_attrd_updater(void **state)
{
    struct fixture *fx = *state;
    struct myha_node_value *v = NULL;
    size_t n = 0;

    fx->attrd_pid = fake_daemon_start(fx->attrd);
    write_text(fx->out,
               "name=\"myha-gtid-db\" host=\"node1\" value=\"0-1-9\"\n"
               "name=\"myha-gtid-db\" host=\"node2\" value=\"0-1-7\"\n",
               0600);
    setenv("FAKE_OUT", fx->out, 1);
    assert_int_equal(
        myha_cluster_attr_query_all(fx->cluster, "myha-gtid-db", &v, &n), 0);
    assert_last_call(fx, "attrd_updater --query --all --name=myha-gtid-db");
    assert_int_equal(n, 2);
    assert_string_equal(v[1].node, "node2");
    assert_string_equal(v[1].value, "0-1-7");
    myha_node_values_free(v, n);

    /* Under Pacemaker the action's node is in the environment, and with it
     * attrd_updater answers --all for that node only: the query runs
     * without it (other variables stay)
     */
    {
        char *env_file = NULL;
        char *env_text = NULL;

        assert_true(asprintf(&env_file, "%s/env", fx->dir) > 0);
        setenv("FAKE_ENV", env_file, 1);
        setenv("OCF_RESKEY_CRM_meta_on_node", "node1", 1);
        setenv("OCF_RESKEY_CRM_meta_on_node_uuid", "1", 1);
        assert_int_equal(
            myha_cluster_attr_query_all(fx->cluster, "myha-gtid-db", &v, &n),
            0);
        myha_node_values_free(v, n);
        env_text = read_text(env_file);
        assert_non_null(env_text);
        assert_null(strstr(env_text, "OCF_RESKEY_CRM_meta_on_node"));
        assert_non_null(strstr(env_text, "FAKE_OUT="));
        unsetenv("OCF_RESKEY_CRM_meta_on_node");
        unsetenv("OCF_RESKEY_CRM_meta_on_node_uuid");
        unsetenv("FAKE_ENV");
        free(env_text);
        free(env_file);
    }

    /*
     * "attribute does not exist": no node has it.  attrd_updater 2.1.5 says
     * so with exit code 78 (CRM_EX_CONFIG, seen on a real cluster), maybe
     * 105 (CRM_EX_NOSUCH) elsewhere.
     */
    unsetenv("FAKE_OUT");
    setenv("FAKE_ERR",
           "attrd_updater: Could not query value of x: attribute does not "
           "exist",
           1);
    setenv("FAKE_EXIT", "78", 1);
    v = (struct myha_node_value *) &n;
    assert_int_equal(myha_cluster_attr_query_all(fx->cluster, "x", &v, &n), 0);
    assert_int_equal(n, 0);
    assert_null(v);
    assert_null(myha_cluster_tool_error(fx->cluster));
    setenv("FAKE_EXIT", "105", 1);
    v = (struct myha_node_value *) &n;
    assert_int_equal(myha_cluster_attr_query_all(fx->cluster, "x", &v, &n), 0);
    assert_null(v);

    // Exit code 78 for another reason is a failure
    setenv("FAKE_ERR", "attrd_updater: reply did not contain valid XML", 1);
    setenv("FAKE_EXIT", "78", 1);
    assert_int_equal(myha_cluster_attr_query_all(fx->cluster, "x", &v, &n),
                     myha_rc_child_failed);
    setenv("FAKE_ERR",
           "attrd_updater: Could not query value of x: attribute does not "
           "exist",
           1);
    setenv("FAKE_EXIT", "102", 1);
    assert_int_equal(myha_cluster_attr_query_all(fx->cluster, "x", &v, &n),
                     myha_rc_child_failed);
    assert_string_equal(myha_cluster_tool_error(fx->cluster),
                        "attrd_updater: Could not query value of x: attribute "
                        "does not exist");
    unsetenv("FAKE_EXIT");
    unsetenv("FAKE_ERR");
    assert_int_equal(forks(fx), 6);
}

static void
parse_crm_node_list(void **state)
{
    const char *text = "1 node1 member\n"
                       "2 node10 lost\n"
                       "3 node1x member\n"
                       "0 node4 member\n"
                       "junk\n"
                       "4294967295 last member";
    uint32_t id = 0;

    assert_int_equal(myha_cluster_node_list_parse(text, "node1", &id), 0);
    assert_int_equal(id, 1);
    assert_int_equal(myha_cluster_node_list_parse(text, "node10", &id), 0);
    assert_int_equal(id, 2);
    assert_int_equal(myha_cluster_node_list_parse(text, "last", &id), 0);
    assert_int_equal(id, 4294967295U);
    id = 99;
    assert_int_equal(myha_cluster_node_list_parse(text, "node", &id), ENOENT);
    assert_int_equal(myha_cluster_node_list_parse(text, "node4", &id), ENOENT);
    assert_int_equal(myha_cluster_node_list_parse(text, "junk", &id), ENOENT);
    assert_int_equal(myha_cluster_node_list_parse(text, "member", &id), ENOENT);
    assert_int_equal(myha_cluster_node_list_parse("", "node1", &id), ENOENT);
    assert_int_equal(id, 99);
    assert_int_equal(myha_cluster_node_list_parse(text, "", &id), EINVAL);
}

static void
parse_crm_node_names(void **state)
{
    char **names = NULL;
    size_t n = 99;

    (void) state;
    assert_int_equal(myha_cluster_node_names_parse("1 node1 member\n"
                                                   "2 node2 lost\n\n"
                                                   "3 node3",
                                                   &names, &n),
                     0);
    assert_int_equal(n, 3);
    assert_string_equal(names[0], "node1");
    assert_string_equal(names[1], "node2");
    assert_string_equal(names[2], "node3");
    myha_cluster_node_names_free(names, n);

    assert_int_equal(myha_cluster_node_names_parse("", &names, &n), 0);
    assert_int_equal(n, 0);
    myha_cluster_node_names_free(names, n);

    names = NULL;
    n = 99;
    assert_int_equal(
        myha_cluster_node_names_parse("1 node1 member\njunk\n", &names, &n),
        myha_rc_parse);
    assert_int_equal(myha_cluster_node_names_parse("1  member\n", &names, &n),
                     myha_rc_parse);
    assert_null(names);
    assert_int_equal(n, 99);
    assert_int_equal(myha_cluster_node_names_parse(NULL, &names, &n), EINVAL);
}

static void
node_id_runs_crm_node(void **state)
{
    struct fixture *fx = *state;
    uint32_t id = 0;

    assert_int_equal(myha_cluster_node_id(fx->cluster, "node2", &id), ENOTCONN);
    assert_int_equal(forks(fx), 0);
    fx->crmd_pid = fake_daemon_start(fx->crmd);
    write_text(fx->out, "1 node1 member\n2 node2 lost\n", 0600);
    setenv("FAKE_OUT", fx->out, 1);
    assert_int_equal(myha_cluster_node_id(fx->cluster, "node2", &id), 0);
    assert_int_equal(id, 2);
    assert_last_call(fx, "crm_node --list");
    assert_int_equal(myha_cluster_node_id(fx->cluster, "node3", &id), ENOENT);
    unsetenv("FAKE_OUT");
}

static void
local_node_name(void **state)
{
    struct fixture *fx = *state;
    struct utsname uts;
    char *node = NULL;

    // Not in a cluster: the kernel's name, no process
    assert_int_equal(uname(&uts), 0);
    assert_int_equal(myha_cluster_local_node(fx->cluster, &node), 0);
    assert_string_equal(node, uts.nodename);
    free(node);
    assert_int_equal(forks(fx), 0);

    // Run by Pacemaker: its meta-attribute
    myha_cluster_free(fx->cluster);
    fx->cluster = new_cluster(fx, 0);
    setenv("OCF_RESKEY_CRM_meta_on_node", "node9", 1);
    assert_int_equal(myha_cluster_local_node(fx->cluster, &node), 0);
    assert_string_equal(node, "node9");
    free(node);
    unsetenv("OCF_RESKEY_CRM_meta_on_node");
    assert_int_equal(forks(fx), 0);

    // By hand on a cluster node: crm_node --name, once per handle
    myha_cluster_free(fx->cluster);
    fx->cluster = new_cluster(fx, 0);
    fx->crmd_pid = fake_daemon_start(fx->crmd);
    write_text(fx->out, "node7\n", 0600);
    setenv("FAKE_OUT", fx->out, 1);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(myha_cluster_local_node(fx->cluster, &node), 0);
        assert_string_equal(node, "node7");
        free(node);
    }
    assert_int_equal(forks(fx), 1);
    assert_last_call(fx, "crm_node --name");
    unsetenv("FAKE_OUT");
}

static void
primary_property(void **state)
{
    struct fixture *fx = *state;
    char *node = NULL;
    time_t since = 0;

    fx->cib_pid = fake_daemon_start(fx->cib);
    assert_int_equal(
        myha_cluster_primary_set(fx->cluster, "db", "node1", 1795233600), 0);
    assert_last_call(fx, "crm_attribute --type=crm_config "
                         "--name=myha-db-primary --update=node1@1795233600");
    assert_int_equal(myha_cluster_primary_set(fx->cluster, "db", NULL, 0), 0);
    assert_last_call(fx, "crm_attribute --type=crm_config "
                         "--name=myha-db-primary --delete");

    write_text(fx->out, "node1@1795233600\n", 0600);
    setenv("FAKE_OUT", fx->out, 1);
    assert_int_equal(myha_cluster_primary_get(fx->cluster, "db", &node, &since),
                     0);
    assert_last_call(fx, "crm_attribute --type=crm_config "
                         "--name=myha-db-primary --query --quiet");
    assert_string_equal(node, "node1");
    assert_int_equal(since, 1795233600);
    free(node);

    // Set by hand, without a time
    write_text(fx->out, "node2\n", 0600);
    assert_int_equal(myha_cluster_primary_get(fx->cluster, "db", &node, &since),
                     0);
    assert_string_equal(node, "node2");
    assert_int_equal(since, 0);
    free(node);

    node = NULL;
    since = 5;
    write_text(fx->out, "node2@soon\n", 0600);
    assert_int_equal(myha_cluster_primary_get(fx->cluster, "db", &node, &since),
                     myha_rc_parse);
    write_text(fx->out, "@1795233600\n", 0600);
    assert_int_equal(myha_cluster_primary_get(fx->cluster, "db", &node, &since),
                     myha_rc_parse);
    write_text(fx->out, "\n", 0600);
    assert_int_equal(myha_cluster_primary_get(fx->cluster, "db", &node, &since),
                     ENOENT);
    unsetenv("FAKE_OUT");
    setenv("FAKE_EXIT", "105", 1);
    assert_int_equal(myha_cluster_primary_get(fx->cluster, "db", &node, &since),
                     ENOENT);
    setenv("FAKE_EXIT", "1", 1);
    assert_int_equal(myha_cluster_primary_get(fx->cluster, "db", &node, &since),
                     myha_rc_child_failed);
    unsetenv("FAKE_EXIT");
    assert_null(node);
    assert_int_equal(since, 5);
    assert_int_equal(
        myha_cluster_primary_set(fx->cluster, "db", "", 1795233600), EINVAL);
}

static void
permanent_node_attribute(void **state)
{
    struct fixture *fx = *state;
    char *value = NULL;

    assert_int_equal(
        myha_cluster_node_attr_set(fx->cluster, "node2", "myha-db-stale", "x"),
        ENOTCONN);
    assert_int_equal(forks(fx), 0);
    fx->cib_pid = fake_daemon_start(fx->cib);
    assert_int_equal(myha_cluster_node_attr_set(fx->cluster, "node2",
                                                "myha-db-stale",
                                                "node1@1795233600"),
                     0);
    assert_last_call(fx, "crm_attribute --type=nodes --node=node2 "
                         "--name=myha-db-stale --update=node1@1795233600");
    assert_int_equal(
        myha_cluster_node_attr_set(fx->cluster, "node2", "myha-db-stale", NULL),
        0);
    assert_last_call(fx, "crm_attribute --type=nodes --node=node2 "
                         "--name=myha-db-stale --delete");
    assert_int_equal(myha_cluster_node_attr_set(fx->cluster, "node2",
                                                "myha-db-stale", "a\nb"),
                     EINVAL);

    write_text(fx->out, "node1@1795233600\n", 0600);
    setenv("FAKE_OUT", fx->out, 1);
    assert_int_equal(myha_cluster_node_attr_get(fx->cluster, "node2",
                                                "myha-db-stale", &value),
                     0);
    assert_last_call(fx, "crm_attribute --type=nodes --node=node2 "
                         "--name=myha-db-stale --query --quiet");
    assert_string_equal(value, "node1@1795233600");
    free(value);
    value = NULL;
    unsetenv("FAKE_OUT");
    setenv("FAKE_EXIT", "105", 1);
    assert_int_equal(myha_cluster_node_attr_get(fx->cluster, "node2",
                                                "myha-db-stale", &value),
                     ENOENT);
    unsetenv("FAKE_EXIT");
    assert_null(value);
}

static void
node_names_run_crm_node(void **state)
{
    struct fixture *fx = *state;
    char **names = NULL;
    size_t n = 0;

    assert_int_equal(myha_cluster_node_names(fx->cluster, &names, &n),
                     ENOTCONN);
    fx->crmd_pid = fake_daemon_start(fx->crmd);
    write_text(fx->out, "1 node1 member\n2 node2 lost\n", 0600);
    setenv("FAKE_OUT", fx->out, 1);
    assert_int_equal(myha_cluster_node_names(fx->cluster, &names, &n), 0);
    assert_last_call(fx, "crm_node --list");
    assert_int_equal(n, 2);
    assert_string_equal(names[1], "node2");
    myha_cluster_node_names_free(names, n);
    unsetenv("FAKE_OUT");
}

static void
membership_and_fencing_fail_without_cluster(void **state)
{
    struct fixture *fx = *state;
    uint32_t *ids = NULL;
    size_t n = 0;
    bool member = true;
    time_t when = 7;

    if (myha_is_ipc_listening("cpg", NULL)
        || myha_is_ipc_listening(MYHA_CLUSTER_FENCER_IPC, NULL)) {
        skip(); // a cluster runs here
    }
    assert_int_equal(myha_membership_node_ids(&ids, &n), myha_rc_not_running);
    assert_int_equal(myha_membership_has_node(fx->cluster, "node1", &member),
                     myha_rc_not_running);
    assert_int_equal(myha_stonith_last_fenced("node1", &when), ENOTCONN);
    assert_int_equal(myha_stonith_fence("node1", 30, true), ENOTCONN);
    assert_null(ids);
    assert_true(member);
    assert_int_equal(when, 7);
    assert_int_equal(forks(fx), 0);
    assert_int_equal(myha_stonith_last_fenced(NULL, &when), EINVAL);
    assert_int_equal(myha_stonith_fence("node1", 0, true), EINVAL);
    assert_int_equal(myha_membership_node_ids(NULL, &n), EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(unreachable_cluster_forks_nothing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(reachability_check_forks_nothing, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(attrd_identity_follows_restarts, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(score_published_only_when_changed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(attrd_restart_republishes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(old_entry_republishes, setup, teardown),
        cmocka_unit_test_setup_teardown(corrupt_cache_republishes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(tool_failure_is_reported_and_retried,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(missing_tools, setup, teardown),
        cmocka_unit_test_setup_teardown(attributes_published_only_when_changed,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(cache_dir_from_environment, setup,
                                        teardown),
        cmocka_unit_test(parse_attrd_updater_output),
        cmocka_unit_test_setup_teardown(query_all_runs_attrd_updater, setup,
                                        teardown),
        cmocka_unit_test(parse_crm_node_list),
        cmocka_unit_test(parse_crm_node_names),
        cmocka_unit_test_setup_teardown(node_id_runs_crm_node, setup, teardown),
        cmocka_unit_test_setup_teardown(local_node_name, setup, teardown),
        cmocka_unit_test_setup_teardown(primary_property, setup, teardown),
        cmocka_unit_test_setup_teardown(permanent_node_attribute, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(node_names_run_crm_node, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            membership_and_fencing_fail_without_cluster, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
