/*
 * Unit tests for lib/str.c.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <myha/rc.h>
#include <myha/str.h>

static void
integers_parse_whole_strings_only(void **state)
{
    long long v = 42;

    assert_int_equal(myha_str_to_ll("0", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(myha_str_to_ll("-17", &v), 0);
    assert_int_equal(v, -17);
    assert_int_equal(myha_str_to_ll("9223372036854775807", &v), 0);
    assert_true(v == 9223372036854775807LL);

    v = 42;
    assert_int_equal(myha_str_to_ll("", &v), myha_rc_parse);
    assert_int_equal(myha_str_to_ll(NULL, &v), myha_rc_parse);
    assert_int_equal(myha_str_to_ll("12abc", &v), myha_rc_parse);
    assert_int_equal(myha_str_to_ll(" 12", &v), myha_rc_parse);
    assert_int_equal(myha_str_to_ll("12 ", &v), myha_rc_parse);
    assert_int_equal(myha_str_to_ll("abc", &v), myha_rc_parse);
    assert_int_equal(myha_str_to_ll("9223372036854775808", &v), ERANGE);
    assert_int_equal(v, 42); // untouched on failure
}

static void
booleans_follow_pacemaker(void **state)
{
    static const char *const yes[] = { "true", "TRUE", "yes", "on", "1", "y" };
    static const char *const no[] = { "false", "no", "off", "0", "n", "N" };
    bool b = false;

    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        b = false;
        assert_int_equal(myha_str_to_bool(yes[i], &b), 0);
        assert_true(b);
    }
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
        b = true;
        assert_int_equal(myha_str_to_bool(no[i], &b), 0);
        assert_false(b);
    }
    assert_int_equal(myha_str_to_bool("maybe", &b), myha_rc_parse);
    assert_int_equal(myha_str_to_bool("", &b), myha_rc_parse);
    assert_int_equal(myha_str_to_bool(NULL, &b), myha_rc_parse);
}

static void
durations_follow_pacemaker(void **state)
{
    long long ms = -1;

    assert_int_equal(myha_str_to_msec("30", &ms), 0);
    assert_int_equal(ms, 30000);
    assert_int_equal(myha_str_to_msec("30s", &ms), 0);
    assert_int_equal(ms, 30000);
    assert_int_equal(myha_str_to_msec("2min", &ms), 0);
    assert_int_equal(ms, 120000);
    assert_int_equal(myha_str_to_msec("500ms", &ms), 0);
    assert_int_equal(ms, 500);
    assert_int_equal(myha_str_to_msec("1h", &ms), 0);
    assert_int_equal(ms, 3600000);
    assert_int_equal(myha_str_to_msec("90SEC", &ms), 0);
    assert_int_equal(ms, 90000);
    assert_int_equal(myha_str_to_msec("2500us", &ms), 0);
    assert_int_equal(ms, 2);
    assert_int_equal(myha_str_to_msec("99999999999999999h", &ms), ERANGE);

    ms = 7;
    assert_int_equal(myha_str_to_msec("soon", &ms), myha_rc_parse);
    assert_int_equal(myha_str_to_msec("-5s", &ms), myha_rc_parse);
    assert_int_equal(myha_str_to_msec("", &ms), myha_rc_parse);
    assert_int_equal(myha_str_to_msec("10 parsecs", &ms), myha_rc_parse);
    assert_int_equal(myha_str_to_msec("10 s", &ms), myha_rc_parse);
    assert_int_equal(myha_str_to_msec("1.5s", &ms), myha_rc_parse);
    assert_int_equal(ms, 7);
}

static void
printf_allocates(void **state)
{
    char *s = myha_str_printf("%s-%d", "node", 3);

    assert_non_null(s);
    assert_string_equal(s, "node-3");
    free(s);
}

// The builder grows past its first allocation and hands the text over
static void
strbuf_builds_and_finishes(void **state)
{
    struct myha_strbuf sb = { 0 };
    char *text = NULL;

    (void) state;
    text = myha_strbuf_finish(&sb);
    assert_string_equal(text, "");
    free(text);
    for (int i = 0; i < 100; i++) {
        myha_strbuf_printf(&sb, "%s%d", (i == 0) ? "" : ",", i);
    }
    assert_false(sb.failed);
    text = myha_strbuf_finish(&sb);
    assert_int_equal(strlen(text), 289);
    assert_memory_equal(text, "0,1,2,", 6);
    assert_string_equal(text + 286, ",99");
    assert_null(sb.s);
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(integers_parse_whole_strings_only),
        cmocka_unit_test(booleans_follow_pacemaker),
        cmocka_unit_test(durations_follow_pacemaker),
        cmocka_unit_test(printf_allocates),
        cmocka_unit_test(strbuf_builds_and_finishes),
    };

    return cmocka_run_group_tests_name("str", tests, NULL, NULL);
}
