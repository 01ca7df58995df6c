/*
 * Unit tests for lib/rc.c.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <myha/rc.h>

static void
errno_values_use_strerror(void **state)
{
    assert_string_equal(myha_rc_str(ENOENT), strerror(ENOENT));
    assert_string_equal(myha_rc_str(ETIMEDOUT), strerror(ETIMEDOUT));
}

static void
own_codes_have_distinct_descriptions(void **state)
{
    static const int codes[] = {
        myha_rc_error,         myha_rc_invalid,       myha_rc_local_config,
        myha_rc_not_installed, myha_rc_parse,         myha_rc_db_connect,
        myha_rc_db_auth,       myha_rc_db_query,      myha_rc_db_unsupported,
        myha_rc_not_running,   myha_rc_unimplemented, myha_rc_child_failed,
    };
    size_t n = sizeof(codes) / sizeof(codes[0]);

    for (size_t i = 0; i < n; i++) {
        assert_string_not_equal(myha_rc_str(codes[i]), "Unknown result code");
        for (size_t j = i + 1; j < n; j++) {
            assert_string_not_equal(myha_rc_str(codes[i]),
                                    myha_rc_str(codes[j]));
        }
    }
    assert_string_equal(myha_rc_str(myha_rc_ok), "OK");
}

static void
unknown_code_is_described(void **state)
{
    assert_string_equal(myha_rc_str(-1), "Unknown result code");
    assert_string_equal(myha_rc_str(-99999), "Unknown result code");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(errno_values_use_strerror),
        cmocka_unit_test(own_codes_have_distinct_descriptions),
        cmocka_unit_test(unknown_code_is_described),
    };

    return cmocka_run_group_tests_name("rc", tests, NULL, NULL);
}
