/*
 * Unit tests for lib/gtid.c: parsing, canonical formatting and the set
 * algebra of both GTID flavours.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <myha/gtid.h>
#include <myha/rc.h>

#define U1 "3e11fa47-71ca-11e1-9e33-c80aa9429562"
#define U1_UPPER "3E11FA47-71CA-11E1-9E33-C80AA9429562"
#define U2 "8a94f357-aab4-11df-86ab-c80aa9429562"
#define U3 "00000000-0000-0000-0000-000000000001"

#define MYSQL MYHA_GTID_MYSQL
#define MARIADB MYHA_GTID_MARIADB

static struct myha_gtid_set *
parse_ok(const char *text, enum myha_gtid_flavor flavor)
{
    struct myha_gtid_set *set = NULL;
    char *err = NULL;
    int rc = myha_gtid_set_parse(text, flavor, &set, &err);

    if (rc != 0) {
        fail_msg("parsing \"%s\" failed (%s): %s", text, myha_rc_str(rc),
                 (err == NULL) ? "no message" : err);
    }
    assert_null(err);
    assert_non_null(set);
    assert_int_equal(myha_gtid_set_flavor(set), flavor);
    return set;
}

// text parses, formats as expected, and that parses back to an equal set
static void
assert_canonical(const char *text, enum myha_gtid_flavor flavor,
                 const char *expected)
{
    struct myha_gtid_set *set = parse_ok(text, flavor);
    struct myha_gtid_set *again = NULL;
    char *formatted = myha_gtid_set_format(set);
    char *formatted_again = NULL;

    assert_non_null(formatted);
    assert_string_equal(formatted, expected);
    again = parse_ok(formatted, flavor);
    assert_true(myha_is_gtid_set_equal(set, again));
    assert_int_equal(myha_gtid_set_compare(set, again), MYHA_GTID_CMP_EQUAL);
    formatted_again = myha_gtid_set_format(again);
    assert_string_equal(formatted_again, expected);

    free(formatted_again);
    free(formatted);
    myha_gtid_set_free(again);
    myha_gtid_set_free(set);
}

// text is rejected with a message that quotes needle
static void
assert_parse_error(const char *text, enum myha_gtid_flavor flavor,
                   const char *needle)
{
    struct myha_gtid_set *sentinel = (struct myha_gtid_set *) &sentinel;
    struct myha_gtid_set *set = sentinel;
    char *err = NULL;
    int rc = myha_gtid_set_parse(text, flavor, &set, &err);

    if (rc != myha_rc_parse) {
        fail_msg("\"%s\" gave %s instead of a parse error", text,
                 myha_rc_str(rc));
    }
    assert_ptr_equal(set, sentinel);
    assert_non_null(err);
    assert_true(strncmp(err, "invalid GTID set \"", 18) == 0);
    if (strstr(err, needle) == NULL) {
        fail_msg("message for \"%s\" lacks '%s': %s", text, needle, err);
    }
    free(err);

    // Without a message wanted, the result is the same
    assert_int_equal(myha_gtid_set_parse(text, flavor, &set, NULL),
                     myha_rc_parse);
    assert_ptr_equal(set, sentinel);
}

static char *
format_of(const struct myha_gtid_set *set)
{
    char *text = myha_gtid_set_format(set);

    assert_non_null(text);
    return text;
}

static void
assert_union(const char *a, const char *b, enum myha_gtid_flavor flavor,
             const char *expected)
{
    struct myha_gtid_set *sa = parse_ok(a, flavor);
    struct myha_gtid_set *sb = parse_ok(b, flavor);
    struct myha_gtid_set *u = NULL;
    struct myha_gtid_set *u2 = NULL;
    char *text = NULL;

    assert_int_equal(myha_gtid_set_union(sa, sb, &u), 0);
    text = format_of(u);
    assert_string_equal(text, expected);
    assert_true(myha_gtid_set_contains(u, sa));
    assert_true(myha_gtid_set_contains(u, sb));
    // Union commutes
    assert_int_equal(myha_gtid_set_union(sb, sa, &u2), 0);
    assert_true(myha_is_gtid_set_equal(u, u2));

    free(text);
    myha_gtid_set_free(u2);
    myha_gtid_set_free(u);
    myha_gtid_set_free(sb);
    myha_gtid_set_free(sa);
}

static void
assert_subtract(const char *a, const char *b, enum myha_gtid_flavor flavor,
                const char *expected, uint64_t expected_count)
{
    struct myha_gtid_set *sa = parse_ok(a, flavor);
    struct myha_gtid_set *sb = parse_ok(b, flavor);
    struct myha_gtid_set *d = NULL;
    struct myha_gtid_set *again = NULL;
    char *text = NULL;

    assert_int_equal(myha_gtid_set_subtract(sa, sb, &d), 0);
    text = format_of(d);
    assert_string_equal(text, expected);
    assert_true(myha_gtid_set_count(d) == expected_count);
    assert_int_equal(myha_is_gtid_set_empty(d), expected_count == 0);
    // Nothing errant exactly when b already has all of a
    assert_int_equal(myha_is_gtid_set_empty(d), myha_gtid_set_contains(sb, sa));
    assert_true(myha_gtid_set_contains(sa, d));
    // The difference formats to text that reads back the same
    again = parse_ok(text, flavor);
    assert_true(myha_is_gtid_set_equal(d, again));

    myha_gtid_set_free(again);
    free(text);
    myha_gtid_set_free(d);
    myha_gtid_set_free(sb);
    myha_gtid_set_free(sa);
}

static void
assert_compare(const char *a, const char *b, enum myha_gtid_flavor flavor,
               enum myha_gtid_cmp expected)
{
    struct myha_gtid_set *sa = parse_ok(a, flavor);
    struct myha_gtid_set *sb = parse_ok(b, flavor);
    enum myha_gtid_cmp cmp = myha_gtid_set_compare(sa, sb);
    enum myha_gtid_cmp reverse = myha_gtid_set_compare(sb, sa);

    if (cmp != expected) {
        fail_msg("\"%s\" vs \"%s\": %s, expected %s", a, b,
                 myha_gtid_cmp_str(cmp), myha_gtid_cmp_str(expected));
    }
    switch (expected) {
        case MYHA_GTID_CMP_EQUAL:
            assert_int_equal(reverse, MYHA_GTID_CMP_EQUAL);
            assert_true(myha_is_gtid_set_equal(sa, sb));
            assert_true(myha_is_gtid_set_at_least(sa, sb));
            assert_true(myha_is_gtid_set_at_least(sb, sa));
            break;
        case MYHA_GTID_CMP_BEHIND:
            assert_int_equal(reverse, MYHA_GTID_CMP_AHEAD);
            assert_false(myha_is_gtid_set_at_least(sa, sb));
            assert_true(myha_is_gtid_set_at_least(sb, sa));
            break;
        case MYHA_GTID_CMP_AHEAD:
            assert_int_equal(reverse, MYHA_GTID_CMP_BEHIND);
            assert_true(myha_is_gtid_set_at_least(sa, sb));
            assert_false(myha_is_gtid_set_at_least(sb, sa));
            break;
        case MYHA_GTID_CMP_DIVERGED:
            assert_int_equal(reverse, MYHA_GTID_CMP_DIVERGED);
            assert_false(myha_is_gtid_set_at_least(sa, sb));
            assert_false(myha_is_gtid_set_at_least(sb, sa));
            break;
    }
    myha_gtid_set_free(sb);
    myha_gtid_set_free(sa);
}

static bool
contains(const char *a, const char *b, enum myha_gtid_flavor flavor)
{
    struct myha_gtid_set *sa = parse_ok(a, flavor);
    struct myha_gtid_set *sb = parse_ok(b, flavor);
    bool result = myha_gtid_set_contains(sa, sb);

    assert_int_equal(result, myha_is_gtid_set_at_least(sa, sb));
    myha_gtid_set_free(sb);
    myha_gtid_set_free(sa);
    return result;
}

static uint64_t
count_of(const char *text, enum myha_gtid_flavor flavor)
{
    struct myha_gtid_set *set = parse_ok(text, flavor);
    uint64_t count = myha_gtid_set_count(set);

    myha_gtid_set_free(set);
    return count;
}

/* MySQL parsing and formatting */

static void
mysql_empty_set(void **state)
{
    struct myha_gtid_set *set = parse_ok("", MYSQL);

    assert_true(myha_is_gtid_set_empty(set));
    assert_true(myha_gtid_set_count(set) == 0);
    myha_gtid_set_free(set);
    assert_canonical("", MYSQL, "");
    assert_canonical("  \n\t ", MYSQL, "");
}

static void
mysql_single_interval(void **state)
{
    struct myha_gtid_set *set = parse_ok(U1 ":1-5", MYSQL);

    assert_false(myha_is_gtid_set_empty(set));
    assert_true(myha_gtid_set_count(set) == 5);
    myha_gtid_set_free(set);

    assert_canonical(U1 ":1-5", MYSQL, U1 ":1-5");
    assert_canonical(U1 ":7", MYSQL, U1 ":7");
    assert_canonical(U1 ":7-7", MYSQL, U1 ":7");
    assert_canonical(U1 ":0001-05", MYSQL, U1 ":1-5");
}

static void
mysql_uuid_case_is_folded(void **state)
{
    assert_canonical(U1_UPPER ":1-5", MYSQL, U1 ":1-5");
    assert_canonical("3E11fa47-71Ca-11E1-9e33-c80AA9429562:3", MYSQL, U1 ":3");
    assert_canonical(U1_UPPER ":1-3," U1 ":4", MYSQL, U1 ":1-4");
}

static void
mysql_intervals_are_sorted_and_merged(void **state)
{
    assert_canonical(U1 ":1-5:6-9", MYSQL, U1 ":1-9");     // adjacent
    assert_canonical(U1 ":1-5:3-7", MYSQL, U1 ":1-7");     // overlapping
    assert_canonical(U1 ":7-9:1-3", MYSQL, U1 ":1-3:7-9"); // unsorted
    assert_canonical(U1 ":5:5", MYSQL, U1 ":5");
    assert_canonical(U1 ":1-10:2-3", MYSQL, U1 ":1-10"); // nested
    assert_canonical(U1 ":1:3:5:2:4", MYSQL, U1 ":1-5");
    assert_canonical(U1 ":10-20:1-3:5-8:4", MYSQL, U1 ":1-8:10-20");
    assert_canonical(U1 ":1-3:5-7:9-11", MYSQL, U1 ":1-3:5-7:9-11");
}

static void
mysql_several_uuids(void **state)
{
    assert_canonical(U2 ":1-3," U1 ":4", MYSQL, U1 ":4," U2 ":1-3");
    assert_canonical(U1 ":1-3," U2 ":5," U1 ":4-6", MYSQL, U1 ":1-6," U2 ":5");
    assert_canonical(U2 ":1," U3 ":2," U1 ":3", MYSQL,
                     U3 ":2," U1 ":3," U2 ":1");
}

static void
mysql_blanks_as_mysql_prints_them(void **state)
{
    // SELECT @@gtid_executed puts a newline after each comma
    assert_canonical(U1 ":1-5,\n" U2 ":1-3", MYSQL, U1 ":1-5," U2 ":1-3");
    assert_canonical(" " U1 ":1-5 ,\r\n\t" U2 ":3 \n", MYSQL,
                     U1 ":1-5," U2 ":3");
}

static void
mysql_tagged_gtids(void **state)
{
    assert_canonical(U1 ":tag:1-5", MYSQL, U1 ":tag:1-5");
    assert_canonical(U1 ":1-3:TagA:1-5:tagb:7," U1 ":taga:6", MYSQL,
                     U1 ":1-3:taga:1-6:tagb:7");
    assert_canonical(U1 ":zz:1:aa:2:3", MYSQL, U1 ":aa:2-3:zz:1");
    assert_canonical(U1 ":_x1:2," U2 ":4", MYSQL, U1 ":_x1:2," U2 ":4");
    assert_canonical(U1 ":abcdefghijklmnopqrstuvwxyz012345:1", MYSQL,
                     U1 ":abcdefghijklmnopqrstuvwxyz012345:1");
    assert_true(count_of(U1 ":1-3:a:1-3", MYSQL) == 6);
    // A tagged transaction is not the untagged one with the same number
    assert_false(contains(U1 ":1-5", U1 ":t:1", MYSQL));
    assert_false(contains(U1 ":t:1-5", U1 ":1", MYSQL));
    assert_true(contains(U1 ":1-5:t:1-5", U1 ":T:2-3", MYSQL));
}

static void
mysql_largest_transaction_number(void **state)
{
    assert_canonical(U1 ":9223372036854775806", MYSQL,
                     U1 ":9223372036854775806");
    assert_canonical(U1 ":1-9223372036854775806", MYSQL,
                     U1 ":1-9223372036854775806");
    assert_parse_error(U1 ":9223372036854775807", MYSQL,
                       "\"9223372036854775807\" at offset 37: number out of "
                       "range");
}

static void
mysql_malformed_uuids(void **state)
{
    assert_parse_error("3e11fa47-71ca-11e1-9e33-c80aa942956:1", MYSQL,
                       "bad UUID \"3e11fa47-71ca-11e1-9e33-c80aa942956\" at "
                       "offset 0");
    assert_parse_error("3e11fa4771ca11e19e33c80aa9429562:1", MYSQL,
                       "bad UUID \"3e11fa4771ca11e19e33c80aa9429562\"");
    assert_parse_error("3e11fa47-71ca-11e1-9e33-c80aa942956g:1", MYSQL,
                       "\"3e11fa47-71ca-11e1-9e33-c80aa942956g\"");
    assert_parse_error("3e11fa47_71ca-11e1-9e33-c80aa9429562:1", MYSQL,
                       "\"3e11fa47_71ca-11e1-9e33-c80aa9429562\"");
    assert_parse_error("3e11fa4-771ca-11e1-9e33-c80aa9429562:1", MYSQL,
                       "\"3e11fa4-771ca-11e1-9e33-c80aa9429562\"");
    assert_parse_error("{" U1 "}:1", MYSQL, "bad UUID \"{" U1 "}\"");
    assert_parse_error("0-1-5", MYSQL, "bad UUID \"0-1-5\" at offset 0");
    assert_parse_error(U1 ":1," U2 "x:2", MYSQL,
                       "bad UUID \"" U2 "x\" at offset 39");
    assert_parse_error(":1-5", MYSQL, "bad UUID at offset 0");
}

static void
mysql_malformed_intervals(void **state)
{
    assert_parse_error(U1, MYSQL, "UUID without transactions \"" U1 "\"");
    assert_parse_error(U1 " :1", MYSQL, "UUID without transactions");
    assert_parse_error(U1 ":", MYSQL, "missing interval at offset 37");
    assert_parse_error(U1 "::1", MYSQL, "missing interval at offset 37");
    assert_parse_error(U1 ":1:", MYSQL, "missing interval at offset 39");
    assert_parse_error(U1 ":0", MYSQL,
                       "bad interval \"0\" at offset 37: transaction numbers "
                       "start at 1");
    assert_parse_error(U1 ":0-5", MYSQL, "\"0-5\" at offset 37");
    assert_parse_error(U1 ":5-3", MYSQL,
                       "bad interval \"5-3\" at offset 37: end before start");
    assert_parse_error(U1 ":1-", MYSQL, "bad interval \"1-\"");
    assert_parse_error(U1 ":-1", MYSQL, "bad interval \"-1\"");
    assert_parse_error(U1 ":1-2-3", MYSQL, "bad interval \"1-2-3\"");
    assert_parse_error(U1 ":1x", MYSQL, "bad interval \"1x\"");
    assert_parse_error(U1 ":1-5x", MYSQL, "bad interval \"1-5x\"");
    assert_parse_error(U1 ":+5", MYSQL, "bad interval \"+5\"");
    assert_parse_error(U1 ":1.5", MYSQL, "bad interval \"1.5\"");
    assert_parse_error(U1 ":99999999999999999999999", MYSQL,
                       "\"99999999999999999999999\" at offset 37: number out "
                       "of range");
    assert_parse_error(U1 ":1-18446744073709551616", MYSQL,
                       "\"1-18446744073709551616\"");
    assert_parse_error(U1 ":1 - 5", MYSQL, "unexpected text \"-\"");
}

static void
mysql_malformed_tags(void **state)
{
    assert_parse_error(U1 ":tag", MYSQL,
                       "tag without transactions \"tag\" at offset 37");
    assert_parse_error(U1 ":1:tag", MYSQL, "tag without transactions \"tag\"");
    assert_parse_error(U1 ":a:b:1", MYSQL,
                       "tag without transactions \"a\" at offset 37");
    assert_parse_error(U1 ":1:abcdefghijklmnopqrstuvwxyz0123456:1", MYSQL,
                       "bad tag \"abcdefghijklmnopqrstuvwxyz0123456\" at "
                       "offset 39: longer than 32 characters");
    assert_parse_error(U1 ":ta-g:1", MYSQL, "bad tag \"ta-g\"");
    assert_parse_error(U1 ":t@g:1", MYSQL, "bad tag \"t@g\"");
    assert_parse_error(U1 ":1:9tag:1", MYSQL, "bad interval \"9tag\"");
    assert_parse_error(U1 ":1:@tag:1", MYSQL, "bad interval \"@tag\"");
}

static void
mysql_malformed_lists(void **state)
{
    assert_parse_error(U1 ":1,," U2 ":2", MYSQL, "empty element at offset 39");
    assert_parse_error(U1 ":1, ," U2 ":2", MYSQL, "empty element at offset 40");
    assert_parse_error(U1 ":1,", MYSQL, "empty element at offset 39");
    assert_parse_error(U1 ":1,\n", MYSQL, "empty element at offset 40");
    assert_parse_error("," U1 ":1", MYSQL, "empty element at offset 0");
    assert_parse_error(",", MYSQL, "empty element at offset 0");
    assert_parse_error(U1 ":1 " U2 ":2", MYSQL,
                       "unexpected text \"" U2 ":2\" at offset 39: expected "
                       "\",\"");
    assert_parse_error(U1 ":1;" U2 ":2", MYSQL, "bad interval \"1;" U2 "\"");
    assert_parse_error(U1 ":1\x01", MYSQL, "bad interval \"1\\x01\"");
}

/* MariaDB parsing and formatting */

static void
mariadb_empty_set(void **state)
{
    struct myha_gtid_set *set = parse_ok("", MARIADB);

    assert_true(myha_is_gtid_set_empty(set));
    assert_true(myha_gtid_set_count(set) == 0);
    myha_gtid_set_free(set);
    assert_canonical(" \n", MARIADB, "");
}

static void
mariadb_single_position(void **state)
{
    struct myha_gtid_set *set = parse_ok("0-1-5", MARIADB);

    assert_true(myha_gtid_set_count(set) == 5);
    myha_gtid_set_free(set);
    assert_canonical("0-1-5", MARIADB, "0-1-5");
    assert_canonical("00-01-05", MARIADB, "0-1-5");
    assert_canonical(" 0-1-5\n", MARIADB, "0-1-5");
    assert_canonical("4294967295-4294967295-18446744073709551615", MARIADB,
                     "4294967295-4294967295-18446744073709551615");
}

static void
mariadb_several_domains(void **state)
{
    assert_canonical("2-1-9,0-1-5,1-3-7", MARIADB, "0-1-5,1-3-7,2-1-9");
    assert_canonical("10-1-1, 2-1-2,\n1-1-3", MARIADB, "1-1-3,2-1-2,10-1-1");
    assert_true(count_of("2-1-9,0-1-5,1-3-7", MARIADB) == 21);
}

static void
mariadb_binlog_state(void **state)
{
    // gtid_binlog_state: one entry per domain and server; the highest wins
    assert_canonical("0-1-100,0-2-95,0-3-50,1-2-7", MARIADB, "0-1-100,1-2-7");
    assert_canonical("0-2-95,0-3-50,0-1-100", MARIADB, "0-1-100");
    assert_canonical("0-1-5,0-1-5", MARIADB, "0-1-5");
    assert_canonical("0-1-3,0-1-5", MARIADB, "0-1-5");
    assert_true(count_of("0-1-100,0-2-95,0-3-50,1-2-7", MARIADB) == 107);
    assert_compare("0-2-95,0-1-100", "0-1-100", MARIADB, MYHA_GTID_CMP_EQUAL);
}

static void
mariadb_conflicting_positions(void **state)
{
    assert_parse_error("0-1-5,0-2-5", MARIADB,
                       "conflicting GTIDs \"0-1-5\" and \"0-2-5\" at offsets "
                       "0 and 6");
    assert_parse_error("1-1-1,0-2-5,0-1-5", MARIADB, "\"0-2-5\" and \"0-1-5\"");
    // Lower entries from other servers are fine
    assert_canonical("0-1-5,0-2-4,0-3-4", MARIADB, "0-1-5");
}

static void
mariadb_sequence_zero_is_no_transaction(void **state)
{
    assert_canonical("0-1-0", MARIADB, "");
    assert_canonical("0-1-0,1-1-3", MARIADB, "1-1-3");
    assert_canonical("0-1-0,0-2-0", MARIADB, "");
    assert_canonical("0-1-0,0-2-4", MARIADB, "0-2-4");
}

static void
mariadb_ranges_round_trip(void **state)
{
    assert_canonical("0-1-8..10", MARIADB, "0-1-8..10");
    assert_canonical("0-1-10..10", MARIADB, "0-1-10..10");
    assert_canonical("0-1-1..10", MARIADB, "0-1-10");
    assert_canonical("0-1-5,0-1-6..9", MARIADB, "0-1-9");
    // The server id written is the one of the domain's last transaction
    assert_canonical("0-1-5,0-2-8..10", MARIADB, "0-2-5,0-2-8..10");
    assert_canonical("0-1-8..10,0-1-3..4,1-1-2", MARIADB,
                     "0-1-3..4,0-1-8..10,1-1-2");
    assert_true(count_of("0-1-8..10,0-1-3..4", MARIADB) == 5);
}

static void
mariadb_malformed(void **state)
{
    struct myha_gtid_set *set = NULL;
    char *err = NULL;

    // The documented message, exactly
    assert_int_equal(myha_gtid_set_parse("0-1-x", MARIADB, &set, &err),
                     myha_rc_parse);
    assert_null(set);
    assert_string_equal(err, "invalid GTID set \"0-1-x\": bad sequence number "
                             "\"x\" at offset 4");
    free(err);

    assert_parse_error("0-1", MARIADB,
                       "incomplete GTID \"0-1\" at offset 0: expected "
                       "domain-server-sequence");
    assert_parse_error("0", MARIADB, "incomplete GTID \"0\"");
    assert_parse_error("0-1-5,7", MARIADB, "incomplete GTID \"7\" at offset 6");
    assert_parse_error("x-1-2", MARIADB, "bad domain id \"x\" at offset 0");
    assert_parse_error("0-y-2", MARIADB, "bad server id \"y\" at offset 2");
    assert_parse_error("0-1-5-6", MARIADB,
                       "bad GTID \"0-1-5-6\" at offset 0: too many fields");
    assert_parse_error("0-1-", MARIADB, "bad sequence number at offset 4");
    assert_parse_error("-1-2", MARIADB, "bad domain id at offset 0");
    assert_parse_error("0--2", MARIADB, "bad server id at offset 2");
    assert_parse_error("0-1-5x", MARIADB, "bad sequence number \"5x\"");
    assert_parse_error("0-1-+5", MARIADB, "bad sequence number \"+5\"");
    assert_parse_error("0-+1-5", MARIADB, "bad server id \"+1\"");
    assert_parse_error("0-1- 5", MARIADB, "bad sequence number at offset 4");
    assert_parse_error("0 -1-5", MARIADB, "incomplete GTID \"0\"");
    assert_parse_error("0-1-5,,1-1-1", MARIADB, "empty element at offset 6");
    assert_parse_error("0-1-5,", MARIADB, "empty element at offset 6");
    assert_parse_error(",0-1-5", MARIADB, "empty element at offset 0");
    assert_parse_error("0-1-5 1-1-1", MARIADB,
                       "unexpected text \"1-1-1\" at offset 6");
    assert_parse_error("0-1-5;1-1-1", MARIADB,
                       "bad GTID \"0-1-5;1-1-1\" at offset 0");
    assert_parse_error("0:1-5", MARIADB, "bad domain id \"0:1\"");
    assert_parse_error(U1 ":1-5", MARIADB, "bad domain id \"3e11fa47\"");
    assert_parse_error("0-1-18446744073709551616", MARIADB,
                       "bad sequence number \"18446744073709551616\" at "
                       "offset 4: number out of range");
    assert_parse_error("4294967296-1-1", MARIADB,
                       "bad domain id \"4294967296\" at offset 0: number out "
                       "of range");
    assert_parse_error("0-4294967296-1", MARIADB,
                       "bad server id \"4294967296\"");
    assert_parse_error("0-1--1", MARIADB, "too many fields");
}

static void
mariadb_malformed_ranges(void **state)
{
    assert_parse_error("0-1-10..5", MARIADB,
                       "bad sequence range \"10..5\" at offset 4: end before "
                       "start");
    assert_parse_error("0-1-0..5", MARIADB,
                       "\"0..5\" at offset 4: sequence numbers start at 1");
    assert_parse_error("0-1-5..", MARIADB, "bad sequence range \"5..\"");
    assert_parse_error("0-1-..5", MARIADB, "bad sequence range \"..5\"");
    assert_parse_error("0-1-5...6", MARIADB, "bad sequence range \"5...6\"");
    assert_parse_error("0-1-5.6", MARIADB, "bad sequence number \"5.6\"");
    assert_parse_error("0-1-5.", MARIADB, "bad sequence number \"5.\"");
    assert_parse_error("0-1-1..18446744073709551616", MARIADB,
                       "number out of range");
}

/* Both flavours */

static void
error_messages_are_one_safe_line(void **state)
{
    struct myha_gtid_set *set = NULL;
    char *err = NULL;
    char *long_text = NULL;
    size_t len = 6000;

    assert_int_equal(myha_gtid_set_parse("0-1-\"\\\n", MARIADB, &set, &err),
                     myha_rc_parse);
    assert_string_equal(err, "invalid GTID set \"0-1-\\\"\\\\\\n\": bad "
                             "sequence number \"\\\"\\\\\" at offset 4");
    free(err);

    assert_int_equal(myha_gtid_set_parse("0-1-\x7f", MARIADB, &set, &err),
                     myha_rc_parse);
    assert_non_null(strstr(err, "\"\\x7f\""));
    free(err);

    // A huge set is quoted in part, the offending text in full
    long_text = malloc(len + 1);
    assert_non_null(long_text);
    for (size_t i = 0; i < len; i += 6) {
        memcpy(long_text + i, "0-1-1,", 6);
    }
    memcpy(long_text + len - 6, "0-1-x", 6);
    assert_int_equal(myha_gtid_set_parse(long_text, MARIADB, &set, &err),
                     myha_rc_parse);
    assert_null(set);
    assert_true(strlen(err) < 300);
    assert_non_null(strstr(err, "...\": bad sequence number \"x\" at offset "
                                "5998"));
    free(err);
    free(long_text);
}

static void
parse_checks_arguments(void **state)
{
    struct myha_gtid_set *set = NULL;
    char *err = NULL;

    assert_int_equal(myha_gtid_set_parse(NULL, MYSQL, &set, &err), EINVAL);
    assert_int_equal(myha_gtid_set_parse("", MYSQL, NULL, &err), EINVAL);
    assert_int_equal(
        myha_gtid_set_parse("", (enum myha_gtid_flavor) 0, &set, &err), EINVAL);
    assert_int_equal(
        myha_gtid_set_parse("", (enum myha_gtid_flavor) 7, &set, &err), EINVAL);
    assert_null(set);
    assert_null(err);

    // ret_err is optional
    assert_int_equal(myha_gtid_set_parse("0-1-5", MARIADB, &set, NULL), 0);
    assert_non_null(set);
    myha_gtid_set_free(set);
}

static void
flavor_is_detected(void **state)
{
    enum myha_gtid_flavor flavor = (enum myha_gtid_flavor) 0;

    assert_int_equal(myha_gtid_flavor_detect(U1 ":1-5", &flavor), 0);
    assert_int_equal(flavor, MYSQL);
    assert_int_equal(myha_gtid_flavor_detect(U1 ":1-5,\n" U2 ":3", &flavor), 0);
    assert_int_equal(flavor, MYSQL);
    assert_int_equal(myha_gtid_flavor_detect("0-1-5,1-2-3", &flavor), 0);
    assert_int_equal(flavor, MARIADB);
    assert_int_equal(myha_gtid_flavor_detect("0-1-5", &flavor), 0);
    assert_int_equal(flavor, MARIADB);

    flavor = (enum myha_gtid_flavor) 0;
    assert_int_equal(myha_gtid_flavor_detect("", &flavor), myha_rc_parse);
    assert_int_equal(myha_gtid_flavor_detect("  ", &flavor), myha_rc_parse);
    assert_int_equal(myha_gtid_flavor_detect("12345", &flavor), myha_rc_parse);
    assert_int_equal(flavor, 0);
    assert_int_equal(myha_gtid_flavor_detect(NULL, &flavor), EINVAL);
    assert_int_equal(myha_gtid_flavor_detect("0-1-5", NULL), EINVAL);
}

static void
null_sets_are_handled(void **state)
{
    struct myha_gtid_set *set = parse_ok("0-1-5", MARIADB);
    struct myha_gtid_set *out = NULL;

    myha_gtid_set_free(NULL);
    assert_null(myha_gtid_set_format(NULL));
    assert_true(myha_gtid_set_count(NULL) == 0);
    assert_true(myha_is_gtid_set_empty(NULL));
    assert_int_equal(myha_gtid_set_flavor(NULL), 0);
    assert_false(myha_is_gtid_set_equal(NULL, NULL));
    assert_false(myha_is_gtid_set_equal(set, NULL));
    assert_false(myha_gtid_set_contains(set, NULL));
    assert_false(myha_gtid_set_contains(NULL, set));
    assert_false(myha_is_gtid_set_at_least(NULL, set));
    assert_int_equal(myha_gtid_set_compare(set, NULL), MYHA_GTID_CMP_DIVERGED);
    assert_int_equal(myha_gtid_set_union(set, NULL, &out), EINVAL);
    assert_int_equal(myha_gtid_set_union(NULL, set, &out), EINVAL);
    assert_int_equal(myha_gtid_set_union(set, set, NULL), EINVAL);
    assert_int_equal(myha_gtid_set_subtract(set, NULL, &out), EINVAL);
    assert_int_equal(myha_gtid_set_subtract(NULL, set, &out), EINVAL);
    assert_int_equal(myha_gtid_set_subtract(set, set, NULL), EINVAL);
    assert_null(out);
    myha_gtid_set_free(set);
}

static void
flavours_do_not_mix(void **state)
{
    struct myha_gtid_set *my = parse_ok(U1 ":1-5", MYSQL);
    struct myha_gtid_set *maria = parse_ok("0-1-5", MARIADB);
    struct myha_gtid_set *my_empty = parse_ok("", MYSQL);
    struct myha_gtid_set *maria_empty = parse_ok("", MARIADB);
    struct myha_gtid_set *out = NULL;

    assert_false(myha_is_gtid_set_equal(my_empty, maria_empty));
    assert_false(myha_gtid_set_contains(my, maria_empty));
    assert_false(myha_gtid_set_contains(maria, my_empty));
    assert_false(myha_is_gtid_set_at_least(my, maria));
    assert_int_equal(myha_gtid_set_compare(my, maria), MYHA_GTID_CMP_DIVERGED);
    assert_int_equal(myha_gtid_set_compare(my_empty, maria_empty),
                     MYHA_GTID_CMP_DIVERGED);
    assert_int_equal(myha_gtid_set_union(my, maria, &out), EINVAL);
    assert_int_equal(myha_gtid_set_subtract(maria, my_empty, &out), EINVAL);
    assert_null(out);

    myha_gtid_set_free(maria_empty);
    myha_gtid_set_free(my_empty);
    myha_gtid_set_free(maria);
    myha_gtid_set_free(my);
}

static void
comparison_outcomes_have_names(void **state)
{
    assert_string_equal(myha_gtid_cmp_str(MYHA_GTID_CMP_EQUAL), "equal");
    assert_string_equal(myha_gtid_cmp_str(MYHA_GTID_CMP_BEHIND), "behind");
    assert_string_equal(myha_gtid_cmp_str(MYHA_GTID_CMP_AHEAD), "ahead");
    assert_string_equal(myha_gtid_cmp_str(MYHA_GTID_CMP_DIVERGED), "diverged");
    assert_string_equal(myha_gtid_cmp_str((enum myha_gtid_cmp) 42), "unknown");
}

/* MySQL operations */

static void
mysql_equality_ignores_spelling(void **state)
{
    assert_compare(U2 ":3-4:1-2," U1_UPPER ":1", U1 ":1," U2 ":1-4", MYSQL,
                   MYHA_GTID_CMP_EQUAL);
    assert_compare("", "\n", MYSQL, MYHA_GTID_CMP_EQUAL);
}

static void
mysql_contains(void **state)
{
    assert_true(contains(U1 ":1-10", U1 ":3-5", MYSQL));
    assert_true(contains(U1 ":1-10", U1 ":1-10", MYSQL));
    assert_true(contains(U1 ":1-10", "", MYSQL));
    assert_true(contains("", "", MYSQL));
    assert_true(contains(U1 ":1-10," U2 ":1-5", U2 ":2:4", MYSQL));
    assert_true(contains(U1 ":1-3:5-9", U1 ":1:6-9", MYSQL));
    assert_false(contains("", U1 ":1", MYSQL));
    assert_false(contains(U1 ":1-10", U1 ":1-11", MYSQL));
    assert_false(contains(U1 ":1-3:5-9", U1 ":3-5", MYSQL)); // spans the hole
    assert_false(contains(U1 ":1-3:5-9", U1 ":4", MYSQL));
    assert_false(contains(U1 ":1-10", U2 ":1", MYSQL));
    assert_false(contains(U1 ":1-10", U1 ":1-5," U2 ":1", MYSQL));
    assert_false(contains(U2 ":1-10", U1 ":1", MYSQL));
    assert_false(contains(U1 ":2-10", U1 ":1", MYSQL));
}

static void
mysql_union(void **state)
{
    assert_union(U1 ":1-5", U1 ":6-10", MYSQL, U1 ":1-10");
    assert_union(U1 ":1-5", U1 ":3-8", MYSQL, U1 ":1-8");
    assert_union(U1 ":1-5", U1 ":7-8", MYSQL, U1 ":1-5:7-8");
    assert_union(U1 ":1-5", U2 ":1", MYSQL, U1 ":1-5," U2 ":1");
    assert_union(U1 ":1-5", "", MYSQL, U1 ":1-5");
    assert_union("", "", MYSQL, "");
    assert_union(U1 ":1:3:5," U3 ":9", U1 ":2:4," U2 ":1:t:2", MYSQL,
                 U3 ":9," U1 ":1-5," U2 ":1:t:2");
}

static void
mysql_subtract_finds_errant_transactions(void **state)
{
    // A replica with transactions of its own that the primary lacks
    assert_subtract(U1 ":1-100," U2 ":1-3", U1 ":1-105", MYSQL, U2 ":1-3", 3);
    assert_subtract(U1 ":1-100," U2 ":1-3", U1 ":1-105," U2 ":1-3", MYSQL, "",
                    0);
    assert_subtract(U1 ":1-100", U1 ":1-90", MYSQL, U1 ":91-100", 10);
    assert_subtract(U1 ":1-10", U1 ":3-4:6:9-20", MYSQL, U1 ":1-2:5:7-8", 5);
    assert_subtract(U1 ":1-3:5-7:9-11", U1 ":2-10", MYSQL, U1 ":1:11", 2);
    assert_subtract(U1 ":1-3:5-7:9-11", U1 ":4:8", MYSQL, U1 ":1-3:5-7:9-11",
                    9);
    assert_subtract(U1 ":1-10", U1 ":1-10", MYSQL, "", 0);
    assert_subtract(U1 ":1-10", "", MYSQL, U1 ":1-10", 10);
    assert_subtract("", U1 ":1-10", MYSQL, "", 0);
    assert_subtract(U1 ":5-10", U1 ":1-3", MYSQL, U1 ":5-10", 6);
    assert_subtract(U1 ":1-10:t:1-10", U1 ":1-10", MYSQL, U1 ":t:1-10", 10);
    assert_subtract(U1 ":1-5," U2 ":1-5," U3 ":1-5", U2 ":1-5", MYSQL,
                    U3 ":1-5," U1 ":1-5", 10);
    assert_subtract(U1 ":1-9223372036854775806", U1 ":2-9223372036854775805",
                    MYSQL, U1 ":1:9223372036854775806", 2);
}

static void
mysql_compare_outcomes(void **state)
{
    assert_compare(U1 ":1-5", U1 ":1-5", MYSQL, MYHA_GTID_CMP_EQUAL);
    assert_compare(U1 ":1-5", U1 ":1-7", MYSQL, MYHA_GTID_CMP_BEHIND);
    assert_compare("", U1 ":1", MYSQL, MYHA_GTID_CMP_BEHIND);
    assert_compare(U1 ":1-7," U2 ":1", U1 ":1-7", MYSQL, MYHA_GTID_CMP_AHEAD);
    assert_compare(U1 ":1-7," U2 ":1", U1 ":1-5," U3 ":1", MYSQL,
                   MYHA_GTID_CMP_DIVERGED);
    assert_compare(U1 ":1-5:7", U1 ":1-6", MYSQL, MYHA_GTID_CMP_DIVERGED);
}

static void
mysql_count(void **state)
{
    assert_true(count_of("", MYSQL) == 0);
    assert_true(count_of(U1 ":1-5:7," U2 ":1-10", MYSQL) == 16);
    assert_true(count_of(U1 ":1-9223372036854775806", MYSQL)
                == UINT64_C(9223372036854775806));
    // Saturates instead of wrapping
    assert_true(count_of(U1 ":1-9223372036854775806," U2
                            ":1-9223372036854775806," U3
                            ":1-9223372036854775806",
                         MYSQL)
                == UINT64_MAX);
}

static void
replicas_rank_by_count_and_containment(void **state)
{
    struct myha_gtid_set *primary = parse_ok(U1 ":1-100", MYSQL);
    struct myha_gtid_set *r1 = parse_ok(U1 ":1-98", MYSQL);
    struct myha_gtid_set *r2 = parse_ok(U1 ":1-99", MYSQL);

    assert_true(myha_gtid_set_count(r2) > myha_gtid_set_count(r1));
    assert_true(myha_is_gtid_set_at_least(r2, r1));
    assert_false(myha_is_gtid_set_at_least(r1, r2));
    assert_true(myha_is_gtid_set_at_least(primary, r2));
    assert_int_equal(myha_gtid_set_compare(r1, primary), MYHA_GTID_CMP_BEHIND);

    myha_gtid_set_free(r2);
    myha_gtid_set_free(r1);
    myha_gtid_set_free(primary);
}

/* MariaDB operations */

static void
mariadb_equality(void **state)
{
    assert_compare("1-1-3,0-1-5", "0-1-5,1-1-3", MARIADB, MYHA_GTID_CMP_EQUAL);
    assert_compare("", "", MARIADB, MYHA_GTID_CMP_EQUAL);
    // Same sequence number, another server: another transaction
    assert_compare("0-1-5", "0-2-5", MARIADB, MYHA_GTID_CMP_DIVERGED);
}

static void
mariadb_contains(void **state)
{
    assert_true(contains("0-1-10", "0-1-5", MARIADB));
    assert_true(contains("0-1-10", "0-1-10", MARIADB));
    // Lower position from another server: earlier in the same history
    assert_true(contains("0-1-10", "0-2-5", MARIADB));
    assert_true(contains("0-1-10,1-1-5", "0-1-10", MARIADB));
    assert_true(contains("0-1-10", "", MARIADB));
    assert_true(contains("", "", MARIADB));
    assert_true(contains("0-1-10", "0-1-3..5", MARIADB));
    assert_false(contains("0-1-10", "0-2-10", MARIADB));
    assert_false(contains("0-1-10", "0-1-11", MARIADB));
    assert_false(contains("0-1-10", "1-1-1", MARIADB));
    assert_false(contains("0-1-10", "0-1-5,1-1-1", MARIADB));
    assert_false(contains("", "0-1-1", MARIADB));
    assert_false(contains("0-1-3..10", "0-1-2", MARIADB));
}

static void
mariadb_union(void **state)
{
    struct myha_gtid_set *a = parse_ok("0-1-10", MARIADB);
    struct myha_gtid_set *b = parse_ok("0-2-10,1-1-1", MARIADB);
    struct myha_gtid_set *sentinel = (struct myha_gtid_set *) &sentinel;
    struct myha_gtid_set *out = sentinel;

    assert_union("0-1-10", "0-2-12,1-1-3", MARIADB, "0-2-12,1-1-3");
    assert_union("0-1-10,2-1-1", "0-2-8,1-1-3", MARIADB, "0-1-10,1-1-3,2-1-1");
    assert_union("0-1-10", "0-1-10", MARIADB, "0-1-10");
    assert_union("0-1-10", "", MARIADB, "0-1-10");
    assert_union("0-1-3..5", "0-1-8..10", MARIADB, "0-1-3..5,0-1-8..10");
    assert_union("0-1-3..5", "0-2-2", MARIADB, "0-1-5");

    // Diverged positions have no union
    assert_int_equal(myha_gtid_set_union(a, b, &out), myha_rc_invalid);
    assert_ptr_equal(out, sentinel);

    myha_gtid_set_free(b);
    myha_gtid_set_free(a);
}

static void
mariadb_subtract_finds_errant_transactions(void **state)
{
    // Replica went further in a domain and has a domain the primary lacks
    assert_subtract("0-1-10,1-2-5", "0-1-7", MARIADB, "0-1-8..10,1-2-5", 8);
    assert_subtract("0-1-10,1-2-5", "0-1-10,1-2-5", MARIADB, "", 0);
    assert_subtract("0-1-10", "0-1-12", MARIADB, "", 0);
    assert_subtract("0-1-10", "0-2-12", MARIADB, "", 0);
    assert_subtract("0-1-10", "0-2-5", MARIADB, "0-1-6..10", 5);
    assert_subtract("0-1-10", "", MARIADB, "0-1-10", 10);
    assert_subtract("", "0-1-10", MARIADB, "", 0);
    assert_subtract("0-1-10,1-1-4,2-1-4", "1-1-4", MARIADB, "0-1-10,2-1-4", 14);
    // Same sequence number from another server: that transaction is errant
    assert_subtract("0-1-10", "0-2-10", MARIADB, "0-1-10..10", 1);
    assert_subtract("0-1-10,1-1-3", "0-2-10,1-1-3", MARIADB, "0-1-10..10", 1);
    // ... also when the rest of the difference touches it, or does not
    assert_subtract("0-1-10", "0-2-8,0-2-10..10", MARIADB, "0-1-9..10", 2);
    assert_subtract("0-1-5,0-1-8..10", "0-2-3,0-2-5..10", MARIADB,
                    "0-1-4..4,0-1-10..10", 2);
    assert_subtract("0-1-18446744073709551615", "0-1-18446744073709551614",
                    MARIADB, "0-1-18446744073709551615..18446744073709551615",
                    1);
}

static void
mariadb_compare_outcomes(void **state)
{
    assert_compare("0-1-5", "0-1-5", MARIADB, MYHA_GTID_CMP_EQUAL);
    assert_compare("0-1-5", "0-1-7", MARIADB, MYHA_GTID_CMP_BEHIND);
    assert_compare("0-1-5", "0-2-7", MARIADB, MYHA_GTID_CMP_BEHIND);
    assert_compare("", "0-1-1", MARIADB, MYHA_GTID_CMP_BEHIND);
    assert_compare("0-1-7,1-1-1", "0-1-7", MARIADB, MYHA_GTID_CMP_AHEAD);
    assert_compare("0-1-7,1-1-1", "0-1-6,1-1-1", MARIADB, MYHA_GTID_CMP_AHEAD);
    assert_compare("0-1-5", "0-2-5", MARIADB, MYHA_GTID_CMP_DIVERGED);
    assert_compare("0-1-7", "1-1-3", MARIADB, MYHA_GTID_CMP_DIVERGED);
    assert_compare("0-1-7,1-1-2", "0-1-8,1-1-1", MARIADB,
                   MYHA_GTID_CMP_DIVERGED);
}

static void
mariadb_count(void **state)
{
    assert_true(count_of("", MARIADB) == 0);
    assert_true(count_of("0-1-5,1-1-3", MARIADB) == 8);
    assert_true(count_of("0-1-18446744073709551615", MARIADB) == UINT64_MAX);
    assert_true(count_of("0-1-18446744073709551615,1-1-1", MARIADB)
                == UINT64_MAX);
    assert_true(
        count_of("0-1-18446744073709551615..18446744073709551615", MARIADB)
        == 1);
}

// A state that holds everything of another: nothing missing
static void
state_missing_none(void **state)
{
    char *missing = (char *) "x";

    (void) state;
    assert_int_equal(
        myha_gtid_state_missing("0-1-100,0-2-150", "0-1-100", &missing), 0);
    assert_null(missing);
    assert_int_equal(myha_gtid_state_missing("0-1-100", "", &missing), 0);
    assert_null(missing);
    assert_int_equal(
        myha_gtid_state_missing(" 0-3-5 , 1-2-7", "1-2-6,0-3-5", &missing), 0);
    assert_null(missing);
}

/* A former primary (server 1) that went on writing after the others had
 * its transactions up to 15548 and a new primary (server 2) took over:
 * its position 0-1-17327 looks below the new one's 0-2-92110, but its
 * state shows what the new primary lacks.
 */
static void
state_missing_forked_history(void **state)
{
    char *missing = NULL;

    (void) state;
    assert_int_equal(myha_gtid_state_missing("0-1-15548,0-3-8489,0-2-92110",
                                             "0-2-13579,0-3-8489,0-1-17327",
                                             &missing),
                     0);
    assert_string_equal(missing, "0-1-15549..17327");
    free(missing);
    /* A server that have's state does not name, at or below its position:
     * its binary log may have been started anew (a restored backup), so
     * only positions count
     */
    assert_int_equal(myha_gtid_state_missing(
                         "0-2-22298", "0-1-14896,0-3-5986,0-2-22298", &missing),
                     0);
    assert_null(missing);
    // ... but beyond it, what is missing is named
    assert_int_equal(
        myha_gtid_state_missing("0-2-22298", "0-3-22300,0-2-20000", &missing),
        0);
    assert_string_equal(missing, "0-3-1..22300");
    free(missing);
    // A server the other never saw: all of its transactions
    assert_int_equal(
        myha_gtid_state_missing("0-1-10", "0-1-10,0-7-12,1-7-3", &missing), 0);
    assert_string_equal(missing, "0-7-1..12,1-7-1..3");
    free(missing);
}

static void
state_missing_rejects_malformed(void **state)
{
    char *missing = NULL;

    (void) state;
    assert_int_equal(myha_gtid_state_missing("0-1", "", &missing),
                     myha_rc_parse);
    assert_int_equal(myha_gtid_state_missing("", "0-1--5", &missing),
                     myha_rc_parse);
    assert_int_equal(myha_gtid_state_missing("0-1-5x", "", &missing),
                     myha_rc_parse);
    assert_int_equal(myha_gtid_state_missing("0-4294967296-1", "", &missing),
                     myha_rc_parse);
    assert_null(missing);
    assert_int_equal(myha_gtid_state_missing(NULL, "", &missing), EINVAL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mysql_empty_set),
        cmocka_unit_test(mysql_single_interval),
        cmocka_unit_test(mysql_uuid_case_is_folded),
        cmocka_unit_test(mysql_intervals_are_sorted_and_merged),
        cmocka_unit_test(mysql_several_uuids),
        cmocka_unit_test(mysql_blanks_as_mysql_prints_them),
        cmocka_unit_test(mysql_tagged_gtids),
        cmocka_unit_test(mysql_largest_transaction_number),
        cmocka_unit_test(mysql_malformed_uuids),
        cmocka_unit_test(mysql_malformed_intervals),
        cmocka_unit_test(mysql_malformed_tags),
        cmocka_unit_test(mysql_malformed_lists),
        cmocka_unit_test(mariadb_empty_set),
        cmocka_unit_test(mariadb_single_position),
        cmocka_unit_test(mariadb_several_domains),
        cmocka_unit_test(mariadb_binlog_state),
        cmocka_unit_test(mariadb_conflicting_positions),
        cmocka_unit_test(mariadb_sequence_zero_is_no_transaction),
        cmocka_unit_test(mariadb_ranges_round_trip),
        cmocka_unit_test(mariadb_malformed),
        cmocka_unit_test(mariadb_malformed_ranges),
        cmocka_unit_test(error_messages_are_one_safe_line),
        cmocka_unit_test(parse_checks_arguments),
        cmocka_unit_test(flavor_is_detected),
        cmocka_unit_test(null_sets_are_handled),
        cmocka_unit_test(flavours_do_not_mix),
        cmocka_unit_test(comparison_outcomes_have_names),
        cmocka_unit_test(mysql_equality_ignores_spelling),
        cmocka_unit_test(mysql_contains),
        cmocka_unit_test(mysql_union),
        cmocka_unit_test(mysql_subtract_finds_errant_transactions),
        cmocka_unit_test(mysql_compare_outcomes),
        cmocka_unit_test(mysql_count),
        cmocka_unit_test(replicas_rank_by_count_and_containment),
        cmocka_unit_test(mariadb_equality),
        cmocka_unit_test(mariadb_contains),
        cmocka_unit_test(mariadb_union),
        cmocka_unit_test(mariadb_subtract_finds_errant_transactions),
        cmocka_unit_test(mariadb_compare_outcomes),
        cmocka_unit_test(mariadb_count),
        cmocka_unit_test(state_missing_none),
        cmocka_unit_test(state_missing_forked_history),
        cmocka_unit_test(state_missing_rejects_malformed),
    };

    return cmocka_run_group_tests_name("gtid", tests, NULL, NULL);
}
