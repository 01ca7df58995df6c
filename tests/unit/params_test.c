/*
 * Unit tests for lib/params.c: loading a parameter table from OCF_RESKEY_*.
 */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <myha/params.h>
#include <myha/rc.h>
#include <myha/str.h>

enum {
    T_NAME,
    T_COUNT,
    T_FLAG,
    T_WAIT,
    T_MODE,
    T_SECRET,
    T_LOCAL,
    T__N
};

static const char *const modes[] = { "fast", "safe", NULL };

static int
refuse_here(const char *value, char **ret_reason)
{
    if (strcmp(value, "elsewhere") != 0) {
        *ret_reason = myha_str_printf("names '%s', not usable here", value);
        return myha_rc_local_config;
    }
    return 0;
}

static const struct myha_param table[T__N] = {
    [T_NAME] = { .name = "t_name",
                 .type = myha_param_string,
                 .flags = myha_param_required },
    [T_COUNT] = { .name = "t_count",
                  .type = myha_param_integer,
                  .default_value = "5",
                  .min = 1,
                  .max = 10 },
    [T_FLAG] = { .name = "t_flag",
                 .type = myha_param_boolean,
                 .default_value = "false" },
    [T_WAIT] = { .name = "t_wait",
                 .type = myha_param_duration,
                 .default_value = "30s",
                 .min = 1000,
                 .max = 60000 },
    [T_MODE] = { .name = "t_mode",
                 .type = myha_param_select,
                 .default_value = "safe",
                 .options = modes },
    [T_SECRET] = { .name = "t_secret",
                   .type = myha_param_integer,
                   .flags = myha_param_secret },
    [T_LOCAL] = { .name = "t_local",
                  .type = myha_param_string,
                  .validate = refuse_here },
};

static int
clear_env(void **state)
{
    for (size_t i = 0; i < T__N; i++) {
        char *var = myha_str_printf("OCF_RESKEY_%s", table[i].name);

        unsetenv(var);
        free(var);
    }
    setenv("OCF_RESKEY_t_name", "db", 1);
    return 0;
}

// Load the table expecting failure; return the reason (caller frees)
static char *
load_fails(int expected_rc)
{
    struct myha_params *params = NULL;
    char *reason = NULL;

    assert_int_equal(myha_params_load(table, T__N, 0, &params, &reason),
                     expected_rc);
    assert_null(params);
    assert_non_null(reason);
    return reason;
}

static void
defaults_apply(void **state)
{
    struct myha_params *params = NULL;
    char *reason = NULL;

    assert_int_equal(myha_params_load(table, T__N, 0, &params, &reason), 0);
    assert_null(reason);
    assert_string_equal(myha_params_str(params, T_NAME), "db");
    assert_true(myha_is_param_set(params, T_NAME));
    assert_int_equal(myha_params_num(params, T_COUNT), 5);
    assert_false(myha_is_param_set(params, T_COUNT));
    assert_int_equal(myha_params_num(params, T_FLAG), 0);
    assert_int_equal(myha_params_num(params, T_WAIT), 30000);
    assert_int_equal(myha_params_num(params, T_MODE), 1);
    assert_null(myha_params_str(params, T_SECRET));
    assert_null(myha_params_str(params, T_LOCAL));
    myha_params_free(params);
}

static void
values_parse(void **state)
{
    struct myha_params *params = NULL;
    char *reason = NULL;

    setenv("OCF_RESKEY_t_count", "10", 1);
    setenv("OCF_RESKEY_t_flag", "yes", 1);
    setenv("OCF_RESKEY_t_wait", "1min", 1);
    setenv("OCF_RESKEY_t_mode", "fast", 1);
    setenv("OCF_RESKEY_t_local", "elsewhere", 1);
    assert_int_equal(myha_params_load(table, T__N, 0, &params, &reason), 0);
    assert_int_equal(myha_params_num(params, T_COUNT), 10);
    assert_int_equal(myha_params_num(params, T_FLAG), 1);
    assert_int_equal(myha_params_num(params, T_WAIT), 60000);
    assert_int_equal(myha_params_num(params, T_MODE), 0);
    assert_string_equal(myha_params_str(params, T_LOCAL), "elsewhere");
    myha_params_free(params);
}

static void
required_missing_is_configuration_error(void **state)
{
    char *reason = NULL;

    unsetenv("OCF_RESKEY_t_name");
    reason = load_fails(myha_rc_invalid);
    assert_string_equal(reason, "parameter 't_name' is required but not set");
    free(reason);

    setenv("OCF_RESKEY_t_name", "", 1); // empty counts as unset
    reason = load_fails(myha_rc_invalid);
    free(reason);
}

static void
each_malformed_value_has_its_reason(void **state)
{
    static const struct {
        const char *var;
        const char *value;
        const char *reason;
    } cases[] = {
        { "OCF_RESKEY_t_count", "five",
          "parameter 't_count' must be a whole number, not 'five'" },
        { "OCF_RESKEY_t_count", "11",
          "parameter 't_count' must be between 1 and 10, not '11'" },
        { "OCF_RESKEY_t_count", "0",
          "parameter 't_count' must be between 1 and 10, not '0'" },
        { "OCF_RESKEY_t_flag", "perhaps",
          "parameter 't_flag' must be a boolean (true or false), not "
          "'perhaps'" },
        { "OCF_RESKEY_t_wait", "later",
          "parameter 't_wait' must be a duration such as '30s' or '2min', "
          "not 'later'" },
        { "OCF_RESKEY_t_wait", "2min",
          "parameter 't_wait' must be between 1s and 60s, not '2min'" },
        { "OCF_RESKEY_t_mode", "reckless",
          "parameter 't_mode' must be one of 'fast', 'safe', not "
          "'reckless'" },
        { "OCF_RESKEY_t_secret", "hunter2",
          "parameter 't_secret' must be a whole number, not '(hidden)'" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *reason = NULL;

        clear_env(NULL);
        setenv(cases[i].var, cases[i].value, 1);
        reason = load_fails(myha_rc_invalid);
        assert_string_equal(reason, cases[i].reason);
        free(reason);
    }
}

static void
validator_decides_the_kind_of_failure(void **state)
{
    char *reason = NULL;

    setenv("OCF_RESKEY_t_local", "here", 1);
    reason = load_fails(myha_rc_local_config);
    assert_string_equal(reason, "parameter 't_local' names 'here', not usable "
                                "here");
    free(reason);
}

static void
validators_can_be_skipped(void **state)
{
    struct myha_params *params = NULL;
    char *reason = NULL;

    setenv("OCF_RESKEY_t_local", "here", 1);
    assert_int_equal(myha_params_load(table, T__N, myha_params_skip_validators,
                                      &params, &reason),
                     0);
    assert_string_equal(myha_params_str(params, T_LOCAL), "here");
    myha_params_free(params);

    // Types are still checked
    setenv("OCF_RESKEY_t_count", "many", 1);
    assert_int_equal(myha_params_load(table, T__N, myha_params_skip_validators,
                                      &params, &reason),
                     myha_rc_invalid);
    free(reason);
}

static void
out_of_range_index_is_safe(void **state)
{
    struct myha_params *params = NULL;
    char *reason = NULL;

    assert_int_equal(myha_params_load(table, T__N, 0, &params, &reason), 0);
    assert_null(myha_params_str(params, T__N));
    assert_int_equal(myha_params_num(params, T__N + 3), 0);
    assert_false(myha_is_param_set(params, T__N));
    myha_params_free(params);
    myha_params_free(NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(defaults_apply, clear_env),
        cmocka_unit_test_setup(values_parse, clear_env),
        cmocka_unit_test_setup(required_missing_is_configuration_error,
                               clear_env),
        cmocka_unit_test_setup(each_malformed_value_has_its_reason, clear_env),
        cmocka_unit_test_setup(validator_decides_the_kind_of_failure,
                               clear_env),
        cmocka_unit_test_setup(validators_can_be_skipped, clear_env),
        cmocka_unit_test_setup(out_of_range_index_is_safe, clear_env),
    };

    return cmocka_run_group_tests_name("params", tests, NULL, NULL);
}
