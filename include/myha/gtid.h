/*
 * GTID sets of MySQL ("uuid:1-5:7") and MariaDB ("domain-server-seq,...")
 * replication: parse, format, compare, union and subtract.  Pure, no I/O.
 */
#ifndef MYHA_GTID__H
#define MYHA_GTID__H

#include <stdbool.h>
#include <stdint.h>

//! Text format (and semantics) of a GTID set
enum myha_gtid_flavor {
    MYHA_GTID_MYSQL = 1,   //!< uuid[:tag]:first-last,... (MySQL 5.6 to 8.4)
    MYHA_GTID_MARIADB = 2, //!< domain-server-seq,... (MariaDB 10.0+)
};

//! Outcome of myha_gtid_set_compare(a, b)
enum myha_gtid_cmp {
    MYHA_GTID_CMP_EQUAL = 0,    //!< Same transactions
    MYHA_GTID_CMP_BEHIND = 1,   //!< a is a strict subset of b
    MYHA_GTID_CMP_AHEAD = 2,    //!< b is a strict subset of a
    MYHA_GTID_CMP_DIVERGED = 3, //!< Each has transactions the other lacks
};

//! A set of GTIDs of one flavour (opaque)
struct myha_gtid_set;

int myha_gtid_flavor_detect(const char *text,
                            enum myha_gtid_flavor *ret_flavor);
int myha_gtid_set_parse(const char *text, enum myha_gtid_flavor flavor,
                        struct myha_gtid_set **ret_set, char **ret_err);
void myha_gtid_set_free(struct myha_gtid_set *set);
enum myha_gtid_flavor myha_gtid_set_flavor(const struct myha_gtid_set *set);
char *myha_gtid_set_format(const struct myha_gtid_set *set);
bool myha_is_gtid_set_empty(const struct myha_gtid_set *set);
bool myha_is_gtid_set_equal(const struct myha_gtid_set *a,
                            const struct myha_gtid_set *b);
bool myha_gtid_set_contains(const struct myha_gtid_set *a,
                            const struct myha_gtid_set *b);
bool myha_is_gtid_set_at_least(const struct myha_gtid_set *a,
                               const struct myha_gtid_set *b);
enum myha_gtid_cmp myha_gtid_set_compare(const struct myha_gtid_set *a,
                                         const struct myha_gtid_set *b);
const char *myha_gtid_cmp_str(enum myha_gtid_cmp cmp);
uint64_t myha_gtid_set_count(const struct myha_gtid_set *set);
int myha_gtid_set_union(const struct myha_gtid_set *a,
                        const struct myha_gtid_set *b,
                        struct myha_gtid_set **ret_set);
int myha_gtid_state_missing(const char *have, const char *want,
                            char **ret_missing);
int myha_gtid_set_subtract(const struct myha_gtid_set *a,
                           const struct myha_gtid_set *b,
                           struct myha_gtid_set **ret_set);

#endif // MYHA_GTID__H
