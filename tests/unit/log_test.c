/*
 * Unit tests for lib/log.c.  Each case logs in a forked child, since libqb
 * logging is process-wide state, and checks where the messages went.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <myha/log.h>

struct run {
    char dir[64];
    char logfile[128];
    char debuglog[128];
    char errfile[128];
};

static void
run_init(struct run *r)
{
    strcpy(r->dir, "/tmp/myha-log-test.XXXXXX");
    assert_non_null(mkdtemp(r->dir));
    snprintf(r->logfile, sizeof(r->logfile), "%s/ha.log", r->dir);
    snprintf(r->debuglog, sizeof(r->debuglog), "%s/debug.log", r->dir);
    snprintf(r->errfile, sizeof(r->errfile), "%s/stderr", r->dir);
}

static void
run_cleanup(struct run *r)
{
    unlink(r->logfile);
    unlink(r->debuglog);
    unlink(r->errfile);
    rmdir(r->dir);
}

/* In a child: apply "NAME=VALUE" settings (VALUE may be empty to unset),
 * send stderr to a file, log one info and one debug message.
 * Returns whether the child reported stderr logging.
 */
static bool
log_in_child(const struct run *r, const char *const *settings)
{
    pid_t pid = fork();
    int status = 0;

    assert_true(pid >= 0);
    if (pid == 0) {
        FILE *err = freopen(r->errfile, "w", stderr);

        if (err == NULL) {
            _exit(99);
        }
        unsetenv("HA_LOGFACILITY");
        unsetenv("HA_LOGFILE");
        unsetenv("HA_DEBUGLOG");
        unsetenv("HA_debug");
        unsetenv("OCF_TRACE_FILE");
        for (size_t i = 0; settings[i] != NULL; i += 2) {
            setenv(settings[i], settings[i + 1], 1);
        }
        myha_log_init("log-test");
        qb_log(LOG_INFO, "info-message " QB_XS " detail-after-xs");
        qb_log(LOG_DEBUG, "debug-message");
        myha_log_fini();
        _exit(myha_is_log_to_stderr() ? 1 : 0);
    }
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_not_equal(WEXITSTATUS(status), 99);
    return WEXITSTATUS(status) == 1;
}

// Whether a file exists and contains a fragment
static bool
file_has(const char *path, const char *fragment)
{
    FILE *f = fopen(path, "r");
    char line[512];
    bool found = false;

    if (f == NULL) {
        return false;
    }
    while (!found && (fgets(line, sizeof(line), f) != NULL)) {
        found = (strstr(line, fragment) != NULL);
    }
    fclose(f);
    return found;
}

static void
logfile_gets_info_not_debug(void **state)
{
    struct run r;
    const char *settings[] = { "HA_LOGFILE", r.logfile, NULL };

    run_init(&r);
    assert_false(log_in_child(&r, settings));
    assert_true(file_has(r.logfile, "info-message"));
    assert_true(file_has(r.logfile, "log-test"));
    assert_false(file_has(r.logfile, "debug-message"));
    assert_false(file_has(r.errfile, "info-message"));
    run_cleanup(&r);
}

static void
ha_debug_enables_debug(void **state)
{
    struct run r;
    const char *settings[] = { "HA_LOGFILE", r.logfile, "HA_debug", "1", NULL };

    run_init(&r);
    log_in_child(&r, settings);
    assert_true(file_has(r.logfile, "debug-message"));
    run_cleanup(&r);
}

static void
debuglog_gets_everything(void **state)
{
    struct run r;
    const char *settings[] = { "HA_LOGFILE", r.logfile, "HA_DEBUGLOG",
                               r.debuglog, NULL };

    run_init(&r);
    log_in_child(&r, settings);
    assert_true(file_has(r.debuglog, "debug-message"));
    assert_true(file_has(r.debuglog, "info-message"));
    assert_false(file_has(r.logfile, "debug-message"));
    run_cleanup(&r);
}

static void
stderr_when_nothing_else(void **state)
{
    struct run r;
    const char *settings[] = { "HA_LOGFACILITY", "none", NULL };

    run_init(&r);
    assert_true(log_in_child(&r, settings));
    assert_true(file_has(r.errfile, "info-message"));
    assert_false(file_has(r.errfile, "debug-message"));
    run_cleanup(&r);
}

static void
stderr_under_crm_resource(void **state)
{
    struct run r;
    const char *settings[] = { "HA_LOGFILE", r.logfile, "OCF_TRACE_FILE",
                               "/dev/stderr", NULL };

    run_init(&r);
    assert_true(log_in_child(&r, settings));
    assert_true(file_has(r.errfile, "info-message"));
    assert_true(file_has(r.logfile, "info-message"));
    run_cleanup(&r);
}

static void
unwritable_logfile_is_not_fatal(void **state)
{
    struct run r;
    const char *settings[] = { "HA_LOGFILE", "/nonexistent-dir/ha.log", NULL };

    run_init(&r);
    // No usable destination: falls back to stderr, and does not fail
    assert_true(log_in_child(&r, settings));
    assert_true(file_has(r.errfile, "info-message"));
    run_cleanup(&r);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(logfile_gets_info_not_debug),
        cmocka_unit_test(ha_debug_enables_debug),
        cmocka_unit_test(debuglog_gets_everything),
        cmocka_unit_test(stderr_when_nothing_else),
        cmocka_unit_test(stderr_under_crm_resource),
        cmocka_unit_test(unwritable_logfile_is_not_fatal),
    };

    return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
