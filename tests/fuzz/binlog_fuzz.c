/*
 * libFuzzer target for lib/binlog.c.  The input is a binary log; every
 * reader call runs on it with and without CRC32 verification, and the
 * results must agree with each other (safe end, transactions, searches).
 */
#include <config.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <myha/binlog.h>
#include <myha/gtid.h>
#include <myha/rc.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)    \
    do {               \
        if (!(cond)) { \
            abort();   \
        }              \
    } while (0)

#define MAX_TRX 64

struct trx_seen {
    struct myha_binlog_trx trx[MAX_TRX];
    size_t n;
    uint64_t total;
};

static int
on_trx(const struct myha_binlog_trx *trx, void *user_data)
{
    struct trx_seen *seen = user_data;

    CHECK(trx->start >= 4);
    CHECK(trx->end > trx->start);
    CHECK(trx->n_events >= 1);
    if (seen->total > 0) {
        size_t prev = (seen->n > 0) ? seen->n - 1 : 0;

        CHECK((seen->n == 0) || (trx->start >= seen->trx[prev].end));
    }
    if (seen->n < MAX_TRX) {
        seen->trx[seen->n++] = *trx;
    }
    seen->total++;
    return 0;
}

static int
on_event(const struct myha_binlog_event *ev, void *user_data)
{
    uint64_t *next = user_data;

    CHECK(ev->offset == *next);
    CHECK(ev->size >= 19);
    *next = ev->offset + ev->size;
    return 0;
}

// An error is one of ours, with a one-line message that names the file
static void
check_error(int rc, char *err)
{
    CHECK((rc == myha_rc_parse) || (rc == myha_rc_unimplemented));
    CHECK(err != NULL);
    CHECK(strncmp(err, "binlog 'fuzz': ", 15) == 0);
    CHECK(strchr(err, '\n') == NULL);
    free(err);
}

static void
check_set(const struct myha_gtid_set *set)
{
    char *text = NULL;

    if (set == NULL) {
        return;
    }
    text = myha_gtid_set_format(set);
    CHECK(text != NULL);
    free(text);
}

static void
exercise(const uint8_t *data, size_t size, unsigned int flags)
{
    struct myha_binlog *log = NULL;
    struct myha_binlog *prefix = NULL;
    struct myha_binlog_summary sum;
    struct myha_binlog_summary again;
    struct myha_binlog_time_pos pos;
    struct myha_binlog_trx found;
    struct trx_seen seen = { 0 };
    uint64_t next = 4;
    char *err = NULL;
    int rc = myha_binlog_new("fuzz", data, size, flags, &log, &err);

    if (rc != 0) {
        check_error(rc, err);
        return;
    }
    CHECK(err == NULL);
    CHECK(myha_binlog_get_info(log)->binlog_version == 4);

    rc = myha_binlog_foreach_event(log, on_event, &next, &err);
    if (rc != 0) {
        check_error(rc, err);
        err = NULL;
    } else {
        CHECK(next <= size);
    }

    rc = myha_binlog_scan(log, &sum, &err);
    if (rc != 0) {
        check_error(rc, err);
        goto out;
    }
    CHECK(sum.size == size);
    CHECK(sum.safe_end >= 4);
    CHECK(sum.safe_end <= size);
    CHECK(sum.truncated == (sum.safe_end != size));
    CHECK(sum.has_trx == (sum.n_trx > 0));
    check_set(sum.before);
    check_set(sum.gtids);

    CHECK(myha_binlog_foreach_trx(log, on_trx, &seen, NULL) == 0);
    CHECK(seen.total == sum.n_trx);
    for (size_t i = 0; i < seen.n; i++) {
        CHECK(seen.trx[i].end <= sum.safe_end);
    }

    if (sum.has_trx) {
        CHECK(memcmp(&sum.first, &seen.trx[0], sizeof(sum.first)) == 0);

        // The first transaction at or after its own time is itself
        CHECK(myha_binlog_find_time(log, sum.first.timestamp, &pos, NULL) == 0);
        CHECK(pos.found && !pos.has_before);
        CHECK(pos.at.start == sum.first.start);

        CHECK(myha_binlog_find_time(log, INT64_MAX, &pos, NULL) == 0);
        CHECK(!pos.found && pos.has_before);
        CHECK(pos.before.start == sum.last.start);

        if (sum.last.has_gtid) {
            CHECK(myha_binlog_find_gtid(log, &sum.last.gtid, &found, NULL)
                  == 0);
            CHECK(found.start <= sum.last.start);
            CHECK(myha_is_binlog_gtid_equal(&found.gtid, &sum.last.gtid));
        }
    }

    // The complete part alone reads the same, and is not truncated
    if (sum.safe_end >= 4) {
        rc = myha_binlog_new("fuzz", data, sum.safe_end, flags, &prefix, NULL);
        if (rc == 0) {
            CHECK(myha_binlog_scan(prefix, &again, NULL) == 0);
            CHECK(!again.truncated);
            CHECK(again.n_trx == sum.n_trx);
            myha_binlog_summary_release(&again);
            myha_binlog_free(prefix);
        } else {
            // Only when the format description itself was incomplete
            CHECK(sum.safe_end == 4);
        }
    }
    myha_binlog_summary_release(&sum);

out:
    myha_binlog_free(log);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    exercise(data, size, 0);
    exercise(data, size, MYHA_BINLOG_VERIFY_CRC);
    return 0;
}
