/*
 * Where a point in time falls in a series of binary logs, found with
 * myha_binlog_find_time() of lib/binlog.c: for tests/bench/pitr, which
 * times it against mariadb-binlog --stop-datetime.
 *
 *   binlog_search TIME FILE...
 *
 * TIME is in seconds since the epoch; FILEs are in binlog order.  Reads
 * event headers only (no CRC32) and stops in the first file that holds a
 * transaction at or after TIME.  Prints two lines:
 *
 *   at FILE OFFSET TIMESTAMP GTID       first transaction at or after TIME
 *   before FILE OFFSET TIMESTAMP GTID   the transaction before it
 *
 * with "-" for each field of one that does not exist.  Exit 0 (found or
 * not), 1 if a file cannot be read, 2 on bad usage.
 */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <myha/binlog.h>
#include <myha/rc.h>
#include <myha/str.h>

//! A transaction found, and the file it is in
struct found {
    bool set;
    const char *file;
    struct myha_binlog_trx trx;
};

static void
print_found(const char *label, const struct found *f)
{
    char g[MYHA_BINLOG_GTID_TEXT_MAX] = "-";

    if (!f->set) {
        printf("%s - - - -\n", label);
        return;
    }
    if (f->trx.has_gtid) {
        myha_binlog_gtid_format(&f->trx.gtid, g, sizeof(g));
    }
    printf("%s %s %" PRIu64 " %" PRIu32 " %s\n", label, f->file, f->trx.start,
           f->trx.timestamp, g);
}

// Search one file; *ret_done is set when the transaction was found in it
static int
search_file(const char *path, int64_t when, struct found *at,
            struct found *before, bool *ret_done)
{
    struct myha_binlog_map map = { NULL, 0 };
    struct myha_binlog *log = NULL;
    struct myha_binlog_time_pos pos;
    char *err = NULL;
    int rc = myha_binlog_map_file(path, &map);

    if (rc != 0) {
        fprintf(stderr, "binlog_search: cannot read '%s': %s\n", path,
                myha_rc_str(rc));
        return rc;
    }
    rc = myha_binlog_new(path, map.data, map.size, 0, &log, &err);
    if (rc == 0) {
        rc = myha_binlog_find_time(log, when, &pos, &err);
    }
    if (rc != 0) {
        fprintf(stderr, "binlog_search: '%s': %s\n", path,
                (err == NULL) ? myha_rc_str(rc) : err);
        goto out_free;
    }
    if (pos.has_before) {
        before->set = true;
        before->file = path;
        before->trx = pos.before;
    }
    if (pos.found) {
        at->set = true;
        at->file = path;
        at->trx = pos.at;
        *ret_done = true;
    }

out_free:
    free(err);
    myha_binlog_free(log);
    myha_binlog_map_release(&map);
    return rc;
}

int
main(int argc, char **argv)
{
    struct found at = { false, NULL, { 0 } };
    struct found before = { false, NULL, { 0 } };
    bool done = false;
    long long when = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: %s TIME FILE...\n", argv[0]);
        return 2;
    }
    if ((myha_str_to_ll(argv[1], &when) != 0) || (when < 0)) {
        fprintf(stderr, "binlog_search: invalid time '%s'\n", argv[1]);
        return 2;
    }
    for (int i = 2; (i < argc) && !done; i++) {
        if (search_file(argv[i], (int64_t) when, &at, &before, &done) != 0) {
            return 1;
        }
    }
    print_found("at", &at);
    print_found("before", &before);
    return 0;
}
