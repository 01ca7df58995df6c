/*
 * Unit tests for lib/ocf.c.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <myha/ocf.h>
#include <myha/rc.h>

#include "test_capture.h"

static void
variables_use_their_prefixes(void **state)
{
    setenv("OCF_RESKEY_datadir", "/srv/db", 1);
    setenv("OCF_RESKEY_CRM_meta_interval", "10000", 1);
    setenv("OCF_RESKEY_CRM_meta_notify_type", "post", 1);
    setenv("OCF_RESKEY_empty", "", 1);

    assert_string_equal(myha_ocf_var_get(myha_ocf_param, "datadir"), "/srv/db");
    assert_string_equal(myha_ocf_var_get(myha_ocf_meta, "interval"), "10000");
    assert_string_equal(myha_ocf_var_get(myha_ocf_notify, "type"), "post");
    assert_null(myha_ocf_var_get(myha_ocf_param, "interval"));
    assert_null(myha_ocf_var_get(myha_ocf_param, "empty"));
    assert_null(myha_ocf_var_get(myha_ocf_param, "no_such_parameter"));
}

static void
exit_reason_has_default_prefix(void **state)
{
    FILE *tmp = NULL;
    int saved = 0;
    char *text = NULL;

    unsetenv("OCF_EXIT_REASON_PREFIX");
    saved = capture_stderr_begin(&tmp);
    myha_ocf_exit_reason("cannot reach primary '%s'", "node2");
    text = capture_stderr_end(tmp, saved);
    assert_string_equal(text, "ocf-exit-reason:cannot reach primary 'node2'\n");
    free(text);
}

static void
exit_reason_honours_prefix_variable(void **state)
{
    FILE *tmp = NULL;
    int saved = 0;
    char *text = NULL;

    setenv("OCF_EXIT_REASON_PREFIX", "REASON> ", 1);
    saved = capture_stderr_begin(&tmp);
    myha_ocf_exit_reason("x");
    text = capture_stderr_end(tmp, saved);
    unsetenv("OCF_EXIT_REASON_PREFIX");
    assert_string_equal(text, "REASON> x\n");
    free(text);
}

static int calls_start = 0;
static int calls_stop = 0;

static enum ocf_exitcode
run_start(void *ctx)
{
    calls_start++;
    return PCMK_OCF_OK;
}

static enum ocf_exitcode
run_stop(void *ctx)
{
    calls_stop++;
    return PCMK_OCF_NOT_RUNNING;
}

static const struct myha_ocf_action actions[] = {
    { "start", run_start },
    { "stop", run_stop },
};

static void
dispatch_matches_exactly(void **state)
{
    FILE *tmp = NULL;
    int saved = 0;
    char *text = NULL;

    calls_start = calls_stop = 0;
    assert_int_equal(myha_ocf_dispatch(actions, 2, "start", NULL), PCMK_OCF_OK);
    assert_int_equal(myha_ocf_dispatch(actions, 2, "stop", NULL),
                     PCMK_OCF_NOT_RUNNING);
    assert_int_equal(calls_start, 1);
    assert_int_equal(calls_stop, 1);

    saved = capture_stderr_begin(&tmp);
    assert_int_equal(myha_ocf_dispatch(actions, 2, "Start", NULL),
                     PCMK_OCF_UNIMPLEMENT_FEATURE);
    assert_int_equal(myha_ocf_dispatch(actions, 2, "star", NULL),
                     PCMK_OCF_UNIMPLEMENT_FEATURE);
    assert_int_equal(myha_ocf_dispatch(actions, 2, "start ", NULL),
                     PCMK_OCF_UNIMPLEMENT_FEATURE);
    assert_int_equal(myha_ocf_dispatch(actions, 2, NULL, NULL),
                     PCMK_OCF_UNIMPLEMENT_FEATURE);
    text = capture_stderr_end(tmp, saved);
    assert_int_equal(calls_start, 1);
    assert_non_null(strstr(text, "ocf-exit-reason:unsupported action 'Start'"));
    free(text);
}

static void
probe_is_monitor_without_interval(void **state)
{
    unsetenv("OCF_RESKEY_CRM_meta_interval");
    assert_true(myha_is_ocf_probe("monitor"));
    setenv("OCF_RESKEY_CRM_meta_interval", "0", 1);
    assert_true(myha_is_ocf_probe("monitor"));
    setenv("OCF_RESKEY_CRM_meta_interval", "20000", 1);
    assert_false(myha_is_ocf_probe("monitor"));
    setenv("OCF_RESKEY_CRM_meta_interval", "0", 1);
    assert_false(myha_is_ocf_probe("start"));
}

static void
result_codes_map_to_ocf(void **state)
{
    assert_int_equal(myha_ocf_status_from_rc(0), PCMK_OCF_OK);
    assert_int_equal(myha_ocf_status_from_rc(myha_rc_invalid),
                     PCMK_OCF_NOT_CONFIGURED);
    assert_int_equal(myha_ocf_status_from_rc(myha_rc_parse),
                     PCMK_OCF_NOT_CONFIGURED);
    assert_int_equal(myha_ocf_status_from_rc(myha_rc_local_config),
                     PCMK_OCF_INVALID_PARAM);
    assert_int_equal(myha_ocf_status_from_rc(myha_rc_not_installed),
                     PCMK_OCF_NOT_INSTALLED);
    assert_int_equal(myha_ocf_status_from_rc(myha_rc_not_running),
                     PCMK_OCF_NOT_RUNNING);
    assert_int_equal(myha_ocf_status_from_rc(myha_rc_unimplemented),
                     PCMK_OCF_UNIMPLEMENT_FEATURE);
    assert_int_equal(myha_ocf_status_from_rc(EACCES),
                     PCMK_OCF_INSUFFICIENT_PRIV);
    assert_int_equal(myha_ocf_status_from_rc(ETIMEDOUT),
                     PCMK_OCF_UNKNOWN_ERROR);
    assert_int_equal(myha_ocf_status_from_rc(myha_rc_db_connect),
                     PCMK_OCF_UNKNOWN_ERROR);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(variables_use_their_prefixes),
        cmocka_unit_test(exit_reason_has_default_prefix),
        cmocka_unit_test(exit_reason_honours_prefix_variable),
        cmocka_unit_test(dispatch_matches_exactly),
        cmocka_unit_test(probe_is_monitor_without_interval),
        cmocka_unit_test(result_codes_map_to_ocf),
    };

    return cmocka_run_group_tests_name("ocf", tests, NULL, NULL);
}
