/*
 * libFuzzer target for lib/gtid.c.  The input is one GTID set, or two
 * separated by '|'; each is parsed in both flavours.  Parsed sets must format
 * to text that parses back equal, and the set algebra must keep its laws.
 */
#include <config.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <myha/gtid.h>
#include <myha/rc.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)    \
    do {               \
        if (!(cond)) { \
            abort();   \
        }              \
    } while (0)

// The set formats canonically: its text parses back equal and formats alike
static void
check_round_trip(const struct myha_gtid_set *set)
{
    struct myha_gtid_set *again = NULL;
    char *text = myha_gtid_set_format(set);
    char *text_again = NULL;
    char *err = NULL;

    CHECK(text != NULL);
    CHECK(myha_gtid_set_parse(text, myha_gtid_set_flavor(set), &again, &err)
          == 0);
    CHECK(myha_is_gtid_set_equal(set, again));
    CHECK(myha_gtid_set_compare(set, again) == MYHA_GTID_CMP_EQUAL);
    CHECK(myha_gtid_set_count(set) == myha_gtid_set_count(again));
    text_again = myha_gtid_set_format(again);
    CHECK(text_again != NULL);
    CHECK(strcmp(text, text_again) == 0);
    CHECK(myha_is_gtid_set_empty(set) == (text[0] == '\0'));

    free(text_again);
    free(text);
    myha_gtid_set_free(again);
}

static struct myha_gtid_set *
parse(const char *text, enum myha_gtid_flavor flavor)
{
    struct myha_gtid_set *set = NULL;
    char *err = NULL;
    int rc = myha_gtid_set_parse(text, flavor, &set, &err);

    if (rc != 0) {
        CHECK(rc == myha_rc_parse);
        CHECK(set == NULL);
        CHECK(err != NULL);
        CHECK(strncmp(err, "invalid GTID set \"", 18) == 0);
        CHECK(strchr(err, '\n') == NULL);
        free(err);
        return NULL;
    }
    CHECK(err == NULL);
    CHECK(myha_gtid_set_contains(set, set));
    check_round_trip(set);
    return set;
}

static void
check_compare(const struct myha_gtid_set *a, const struct myha_gtid_set *b)
{
    bool a_has_b = myha_gtid_set_contains(a, b);
    bool b_has_a = myha_gtid_set_contains(b, a);

    CHECK(myha_is_gtid_set_at_least(a, b) == a_has_b);
    switch (myha_gtid_set_compare(a, b)) {
        case MYHA_GTID_CMP_EQUAL:
            CHECK(myha_is_gtid_set_equal(a, b) && a_has_b && b_has_a);
            break;
        case MYHA_GTID_CMP_BEHIND:
            CHECK(b_has_a && !a_has_b);
            break;
        case MYHA_GTID_CMP_AHEAD:
            CHECK(a_has_b && !b_has_a);
            break;
        case MYHA_GTID_CMP_DIVERGED:
            CHECK(!a_has_b && !b_has_a);
            break;
        default:
            CHECK(false);
    }
}

static void
exercise(const struct myha_gtid_set *a, const struct myha_gtid_set *b)
{
    bool mysql = (myha_gtid_set_flavor(a) == MYHA_GTID_MYSQL);
    struct myha_gtid_set *u = NULL;
    struct myha_gtid_set *d = NULL;
    struct myha_gtid_set *dd = NULL;
    struct myha_gtid_set *du = NULL;
    int rc = 0;

    check_compare(a, b);
    check_compare(b, a);

    // a - b: in a, disjoint from b, empty exactly when b has all of a
    CHECK(myha_gtid_set_subtract(a, b, &d) == 0);
    check_round_trip(d);
    CHECK(myha_gtid_set_contains(a, d));
    CHECK(myha_is_gtid_set_empty(d) == myha_gtid_set_contains(b, a));
    CHECK(myha_gtid_set_count(d) <= myha_gtid_set_count(a));
    CHECK(myha_gtid_set_subtract(d, b, &dd) == 0);
    CHECK(myha_is_gtid_set_equal(d, dd));

    rc = myha_gtid_set_union(a, b, &u);
    if (rc == myha_rc_invalid) {
        // Only diverged MariaDB positions have no union
        CHECK(!mysql);
        CHECK(myha_gtid_set_compare(a, b) == MYHA_GTID_CMP_DIVERGED);
        goto out;
    }
    CHECK(rc == 0);
    check_round_trip(u);
    CHECK(myha_gtid_set_contains(u, a));
    CHECK(myha_gtid_set_contains(u, b));
    CHECK(myha_gtid_set_count(u) >= myha_gtid_set_count(a));
    CHECK(myha_gtid_set_count(u) >= myha_gtid_set_count(b));
    check_compare(u, a);
    if (myha_gtid_set_contains(a, b)) {
        CHECK(myha_is_gtid_set_equal(u, a));
    }

    if (mysql) {
        // b and a - b partition a | b
        uint64_t cb = myha_gtid_set_count(b);
        uint64_t cd = myha_gtid_set_count(d);

        CHECK(myha_gtid_set_union(d, b, &du) == 0);
        CHECK(myha_is_gtid_set_equal(du, u));
        if ((cb < UINT64_MAX / 2) && (cd < UINT64_MAX / 2)) {
            CHECK(myha_gtid_set_count(u) == cb + cd);
        }
    }

out:
    myha_gtid_set_free(du);
    myha_gtid_set_free(u);
    myha_gtid_set_free(dd);
    myha_gtid_set_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const enum myha_gtid_flavor flavors[] = {
        MYHA_GTID_MYSQL,
        MYHA_GTID_MARIADB,
    };
    enum myha_gtid_flavor detected = MYHA_GTID_MYSQL;
    char *text = malloc(size + 1);
    const char *second = "";
    char *sep = NULL;

    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    sep = strchr(text, '|');
    if (sep != NULL) {
        *sep = '\0';
        second = sep + 1;
    }
    (void) myha_gtid_flavor_detect(text, &detected);

    for (size_t i = 0; i < sizeof(flavors) / sizeof(flavors[0]); i++) {
        struct myha_gtid_set *a = parse(text, flavors[i]);
        struct myha_gtid_set *b = parse(second, flavors[i]);

        if ((a != NULL) && (b != NULL)) {
            exercise(a, b);
            exercise(b, a);
            exercise(a, a);
        }
        myha_gtid_set_free(b);
        myha_gtid_set_free(a);
    }
    free(text);
    return 0;
}
