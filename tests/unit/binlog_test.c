/*
 * Unit tests for lib/binlog.c: on binary and relay logs written by a real
 * MariaDB 10.11 (binlog-data/, see make-fixtures.sh; checked against what
 * mariadb-binlog printed), on synthetic MySQL 8.0 logs built here, and on
 * every truncation and corruption the reader handles.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <myha/binlog.h>
#include <myha/gtid.h>
#include <myha/rc.h>

#define VERIFY MYHA_BINLOG_VERIFY_CRC

#define U1 "3e11fa47-71ca-11e1-9e33-c80aa9429562"
#define U2 "8a94f357-aab4-11df-86ab-c80aa9429562"

static const unsigned int both_modes[] = { 0, VERIFY };

/* ---- Fixtures ----------------------------------------------------------- */

// Grow an array; a test cannot go on without memory
static void *
grow(void *array, size_t size)
{
    void *p = realloc(array, size);

    assert_non_null(p);
    return p;
}

static char *
data_path(const char *name)
{
    const char *srcdir = getenv("MYHA_TEST_SRCDIR");
    char *path = NULL;

    assert_true(asprintf(&path, "%s/tests/unit/binlog-data/%s",
                         (srcdir == NULL) ? "../.." : srcdir, name)
                > 0);
    return path;
}

// A fixture file in memory; its size in *ret_len
static uint8_t *
load(const char *name, size_t *ret_len)
{
    char *path = data_path(name);
    struct myha_binlog_map map = { 0 };
    uint8_t *copy = NULL;

    if (myha_binlog_map_file(path, &map) != 0) {
        fail_msg("cannot map %s", path);
    }
    copy = malloc(map.size + 1);
    assert_non_null(copy);
    memcpy(copy, map.data, map.size);
    *ret_len = map.size;
    myha_binlog_map_release(&map);
    free(path);
    return copy;
}

static struct myha_binlog *
open_ok(const char *name, const uint8_t *data, size_t len, unsigned int flags)
{
    struct myha_binlog *log = NULL;
    char *err = NULL;
    int rc = myha_binlog_new(name, data, len, flags, &log, &err);

    if (rc != 0) {
        fail_msg("opening %s failed (%s): %s", name, myha_rc_str(rc),
                 (err == NULL) ? "no message" : err);
    }
    assert_null(err);
    return log;
}

// The reader's error on (data, len): rc, and a message holding needle
static void
assert_new_fails(const uint8_t *data, size_t len, unsigned int flags, int rc,
                 const char *needle)
{
    struct myha_binlog *log = (struct myha_binlog *) &log;
    char *err = NULL;
    int got = myha_binlog_new("bad.000001", data, len, flags, &log, &err);

    assert_int_equal(got, rc);
    assert_non_null(err);
    if (strstr(err, needle) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", err, needle);
    }
    assert_true(strncmp(err, "binlog 'bad.000001': ", 21) == 0);
    assert_ptr_equal(log, (struct myha_binlog *) &log);
    free(err);
}

struct summary_result {
    int rc;
    char *err;
    struct myha_binlog_summary sum;
};

static struct summary_result
scan(const char *name, const uint8_t *data, size_t len, unsigned int flags)
{
    struct summary_result r = { 0 };
    struct myha_binlog *log = open_ok(name, data, len, flags);

    r.rc = myha_binlog_scan(log, &r.sum, &r.err);
    myha_binlog_free(log);
    return r;
}

// scan() must fail with rc and a message that holds needle
static void
assert_scan_fails(const uint8_t *data, size_t len, unsigned int flags, int rc,
                  const char *needle)
{
    struct summary_result r = scan("bad.000001", data, len, flags);

    assert_int_equal(r.rc, rc);
    assert_non_null(r.err);
    if (strstr(r.err, needle) == NULL) {
        fail_msg("message \"%s\" lacks \"%s\"", r.err, needle);
    }
    assert_true(strncmp(r.err, "binlog 'bad.000001': ", 21) == 0);
    free(r.err);
}

static char *
set_text(const struct myha_gtid_set *set)
{
    char *text = NULL;

    assert_non_null(set);
    text = myha_gtid_set_format(set);
    assert_non_null(text);
    return text;
}

static void
assert_set(const struct myha_gtid_set *set, const char *expected)
{
    char *text = set_text(set);

    assert_string_equal(text, expected);
    free(text);
}

// Transactions as expected.txt lists them
struct expected_trx {
    char file[32];
    char gtid[MYHA_BINLOG_GTID_TEXT_MAX];
    uint64_t start;
    uint32_t timestamp;
    int64_t end; // -1: not known (relay logs)
};

static struct expected_trx *
load_expected(size_t *ret_n)
{
    char *path = data_path("expected.txt");
    FILE *f = fopen(path, "re");
    struct expected_trx *list = NULL;
    size_t n = 0;
    char line[256];

    assert_non_null(f);
    while (fgets(line, sizeof(line), f) != NULL) {
        struct expected_trx *e = NULL;
        char end[32];
        unsigned long long start = 0;
        unsigned long ts = 0;

        list = grow(list, (n + 1) * sizeof(*list));
        e = &list[n++];
        assert_int_equal(sscanf(line, "%31s %63s %llu %lu %31s", e->file,
                                e->gtid, &start, &ts, end),
                         5);
        e->start = start;
        e->timestamp = (uint32_t) ts;
        e->end = (strcmp(end, "-") == 0) ? -1 : strtoll(end, NULL, 10);
    }
    fclose(f);
    free(path);
    *ret_n = n;
    return list;
}

struct trx_list {
    struct myha_binlog_trx *trx;
    size_t n;
    int stop_at; // Return 42 at this index (-1: never)
};

static int
collect_trx(const struct myha_binlog_trx *trx, void *user_data)
{
    struct trx_list *l = user_data;

    if ((l->stop_at >= 0) && ((size_t) l->stop_at == l->n)) {
        return 42;
    }
    l->trx = grow(l->trx, (l->n + 1) * sizeof(*l->trx));
    l->trx[l->n++] = *trx;
    return 0;
}

static struct trx_list
list_trx(const struct myha_binlog *log)
{
    struct trx_list l = { .stop_at = -1 };
    char *err = NULL;
    int rc = myha_binlog_foreach_trx(log, collect_trx, &l, &err);

    if (rc != 0) {
        fail_msg("walk failed (%s): %s", myha_rc_str(rc),
                 (err == NULL) ? "no message" : err);
    }
    return l;
}

struct event_list {
    struct myha_binlog_event *ev;
    size_t n;
};

static int
collect_event(const struct myha_binlog_event *ev, void *user_data)
{
    struct event_list *l = user_data;

    l->ev = grow(l->ev, (l->n + 1) * sizeof(*l->ev));
    l->ev[l->n++] = *ev;
    return 0;
}

static struct event_list
list_events(const struct myha_binlog *log)
{
    struct event_list l = { 0 };
    char *err = NULL;

    assert_int_equal(myha_binlog_foreach_event(log, collect_event, &l, &err),
                     0);
    assert_null(err);
    return l;
}

static const char *const fixtures[] = {
    "binlog.000001", "binlog.000002", "binlog.000003", "binlog.000004",
    "inuse.000004",  "relay.000001",  "relay.000002",  "relay.000003",
    "relay.000004",  "relay.000005",  "relay.000006",  "relay.000007",
    "relay.000008",  "relay.000009",
};

#define N_FIXTURES (sizeof(fixtures) / sizeof(fixtures[0]))

/* ---- Synthetic logs ----------------------------------------------------- */

// Bitwise CRC-32, independent of the library's sliced one
static uint32_t
ref_crc32(const uint8_t *p, size_t len)
{
    uint32_t crc = 0xffffffffU;

    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            crc = (crc & 1) ? (crc >> 1) ^ 0xedb88320U : (crc >> 1);
        }
    }
    return ~crc;
}

struct builder {
    uint8_t *buf;
    size_t len;
    bool crc;     // Events after the format description carry a CRC
    bool relay;   // Next positions are 0, as a relay log's source's
    uint32_t ts;  // Timestamp of the next event
    uint32_t sid; // Server id of the next event
};

static void
put(struct builder *b, const void *p, size_t n)
{
    b->buf = grow(b->buf, b->len + n);
    memcpy(b->buf + b->len, p, n);
    b->len += n;
}

static void
put_le(struct builder *b, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t byte = (uint8_t) (v >> (8 * i));

        put(b, &byte, 1);
    }
}

static void
put_le_at(uint8_t *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        p[i] = (uint8_t) (v >> (8 * i));
    }
}

// Append an event; its offset is returned
static size_t
event(struct builder *b, uint8_t type, const void *body, size_t body_len)
{
    size_t start = b->len;
    size_t size = 19 + body_len + (b->crc ? 4 : 0);

    put_le(b, b->ts, 4);
    put(b, &type, 1);
    put_le(b, b->sid, 4);
    put_le(b, size, 4);
    put_le(b, b->relay ? 0 : start + size, 4);
    put_le(b, 0, 2);
    put(b, body, body_len);
    if (b->crc) {
        put_le(b, ref_crc32(b->buf + start, b->len - start), 4);
    }
    return start;
}

// Magic and a format description of version; alg -1: no algorithm byte
static void
format_description(struct builder *b, const char *version, int alg)
{
    uint8_t body[2 + 50 + 4 + 1 + 171 + 1 + 4] = { 0 };
    size_t len = 2 + 50 + 4 + 1;
    size_t n_types = (strstr(version, "MariaDB") != NULL) ? 171 : 41;
    size_t start = 0;

    if (b->len == 0) {
        put(b,
            "\xfe"
            "bin",
            4);
    }
    start = b->len;
    put_le_at(body, 4, 2);
    memcpy(body + 2, version, strlen(version));
    put_le_at(body + 52, 1700000000, 4);
    body[56] = 19;
    for (size_t i = 0; i < n_types; i++) {
        body[len + i] = 10; // Not read but for Query
    }
    body[len + 1] = 13; // Query
    body[len + 3] = 8;  // Rotate
    len += n_types;
    b->crc = false;
    if (alg >= 0) {
        body[len++] = (uint8_t) alg;
        len += 4; // CRC slot, filled below
    }
    event(b, 15, body, len);
    if (alg >= 0) {
        // The FD's CRC covers it whatever the algorithm
        put_le_at(b->buf + b->len - 4,
                  ref_crc32(b->buf + start, b->len - start - 4), 4);
    }
    b->crc = (alg == 1);
}

static void
parse_uuid(const char *text, uint8_t *uuid)
{
    struct myha_binlog_gtid g;
    char *s = NULL;

    assert_true(asprintf(&s, "%s:1", text) > 0);
    assert_int_equal(myha_binlog_gtid_parse(s, &g), 0);
    memcpy(uuid, g.uuid, 16);
    free(s);
}

static size_t
mysql_gtid(struct builder *b, const char *uuid, uint64_t gno)
{
    uint8_t body[42] = { 0 };

    body[0] = 1;
    parse_uuid(uuid, body + 1);
    put_le_at(body + 17, gno, 8);
    return event(b, 33, body, sizeof(body));
}

static size_t
query(struct builder *b, const char *db, const char *text)
{
    uint8_t body[512] = { 0 };
    size_t len = 13;

    body[8] = (uint8_t) strlen(db);
    put_le_at(body + 11, 3, 2); // Three bytes of status variables
    len += 3;
    memcpy(body + len, db, strlen(db) + 1);
    len += strlen(db) + 1;
    memcpy(body + len, text, strlen(text));
    len += strlen(text);
    return event(b, 2, body, len);
}

static size_t
xid(struct builder *b)
{
    uint8_t body[8] = { 7 };

    return event(b, 16, body, sizeof(body));
}

static size_t
opaque(struct builder *b, uint8_t type, size_t len)
{
    uint8_t body[256];

    assert_true(len <= sizeof(body));
    memset(body, 0xa5, len);
    return event(b, type, body, len);
}

static size_t
rotate(struct builder *b, const char *next)
{
    uint8_t body[128] = { 0 };

    put_le_at(body, 4, 8);
    memcpy(body + 8, next, strlen(next));
    return event(b, 4, body, 8 + strlen(next));
}

static size_t
maria_gtid(struct builder *b, uint32_t domain, uint64_t seq, uint8_t flags)
{
    uint8_t body[19] = { 0 };

    put_le_at(body, seq, 8);
    put_le_at(body + 8, domain, 4);
    body[12] = flags;
    return event(b, 162, body, sizeof(body));
}

// Previous_GTIDs: U1:1-10, U2:1-3:5-7 ([start, end) on disk)
static size_t
previous_gtids(struct builder *b)
{
    struct builder body = { 0 };
    uint8_t uuid[16];
    size_t off = 0;

    put_le(&body, 2, 8);
    parse_uuid(U1, uuid);
    put(&body, uuid, 16);
    put_le(&body, 1, 8);
    put_le(&body, 1, 8);
    put_le(&body, 11, 8);
    parse_uuid(U2, uuid);
    put(&body, uuid, 16);
    put_le(&body, 2, 8);
    put_le(&body, 1, 8);
    put_le(&body, 4, 8);
    put_le(&body, 5, 8);
    put_le(&body, 8, 8);
    off = event(b, 35, body.buf, body.len);
    free(body.buf);
    return off;
}

// What a MySQL 8.0 binlog built by mysql_log() holds
struct mysql_log {
    struct builder b;
    size_t trx_start[6];
    size_t trx_end[6];
};

static void
mysql_log(struct mysql_log *m, int alg)
{
    struct builder *b = &m->b;

    memset(m, 0, sizeof(*m));
    b->ts = 1700000000;
    b->sid = 8;
    format_description(b, "8.0.36", alg);
    previous_gtids(b);

    // A row-based transaction
    b->ts = 1700000100;
    m->trx_start[0] = mysql_gtid(b, U1, 11);
    query(b, "db", "BEGIN");
    opaque(b, 19, 40); // Table map
    opaque(b, 30, 60); // Write rows v2
    xid(b);
    m->trx_end[0] = b->len;

    // A DDL
    b->ts = 1700000200;
    m->trx_start[1] = mysql_gtid(b, U1, 12);
    query(b, "db", "CREATE TABLE t2 (a INT)");
    m->trx_end[1] = b->len;

    // Anonymous (gtid_mode=OFF)
    b->ts = 1700000300;
    m->trx_start[2] = opaque(b, 34, 42);
    query(b, "db", "BEGIN");
    opaque(b, 19, 40);
    opaque(b, 31, 80); // Update rows v2
    xid(b);
    m->trx_end[2] = b->len;

    // Statements on a non-transactional table
    b->ts = 1700000400;
    m->trx_start[3] = mysql_gtid(b, U2, 8);
    query(b, "db", "BEGIN");
    opaque(b, 5, 9); // Intvar
    query(b, "db", "INSERT INTO m VALUES (NULL)");
    query(b, "db", "COMMIT");
    m->trx_end[3] = b->len;

    // A compressed transaction payload
    b->ts = 1700000500;
    m->trx_start[4] = mysql_gtid(b, U1, 13);
    opaque(b, 40, 100);
    m->trx_end[4] = b->len;

    // An XA transaction, prepared
    b->ts = 1700000600;
    m->trx_start[5] = mysql_gtid(b, U1, 14);
    query(b, "db", "XA START X'31',X'',1");
    opaque(b, 19, 40);
    opaque(b, 30, 60);
    query(b, "db", "XA END X'31',X'',1");
    opaque(b, 38, 20); // XA prepare
    m->trx_end[5] = b->len;

    b->ts = 1700000700;
    rotate(b, "binlog.000002");
}

/* ---- Mapping and format description ------------------------------------- */

static void
map_file_errors(void **state)
{
    struct myha_binlog_map map = { (const uint8_t *) &map, 1 };
    char dir[] = "/tmp/binlog_test.XXXXXX";
    char *empty = NULL;
    int fd = -1;

    assert_int_equal(myha_binlog_map_file("/nonexistent/binlog.000001", &map),
                     ENOENT);
    assert_int_equal(myha_binlog_map_file(NULL, &map), EINVAL);
    assert_non_null(mkdtemp(dir));
    assert_int_equal(myha_binlog_map_file(dir, &map), EINVAL);

    assert_true(asprintf(&empty, "%s/empty", dir) > 0);
    fd = open(empty, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(myha_binlog_map_file(empty, &map), 0);
    assert_null(map.data);
    assert_int_equal(map.size, 0);
    assert_new_fails(map.data, map.size, 0, myha_rc_parse,
                     "not a binary log (no magic number at offset 0)");
    myha_binlog_map_release(&map);
    myha_binlog_map_release(NULL);

    unlink(empty);
    rmdir(dir);
    free(empty);
}

static void
info_of_fixtures(void **state)
{
    static const struct {
        const char *name;
        enum myha_binlog_checksum checksum;
        bool in_use;
        uint32_t server_id;
    } cases[] = {
        { "binlog.000001", MYHA_BINLOG_CHECKSUM_CRC32, false, 1 },
        { "binlog.000002", MYHA_BINLOG_CHECKSUM_CRC32, false, 1 },
        { "binlog.000003", MYHA_BINLOG_CHECKSUM_NONE, false, 1 },
        { "binlog.000004", MYHA_BINLOG_CHECKSUM_NONE, false, 1 },
        { "inuse.000004", MYHA_BINLOG_CHECKSUM_NONE, true, 1 },
        // A relay log's own format description is the replica's
        { "relay.000006", MYHA_BINLOG_CHECKSUM_CRC32, false, 2 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = 0;
        uint8_t *data = load(cases[i].name, &len);

        for (size_t m = 0; m < 2; m++) {
            struct myha_binlog *log =
                open_ok(cases[i].name, data, len, both_modes[m]);
            const struct myha_binlog_info *info = myha_binlog_get_info(log);

            assert_int_equal(info->flavor, MYHA_GTID_MARIADB);
            assert_int_equal(info->binlog_version, 4);
            assert_true(strncmp(info->server_version, "10.11.", 6) == 0);
            assert_non_null(strstr(info->server_version, "MariaDB"));
            assert_int_equal(info->checksum, cases[i].checksum);
            assert_int_equal(info->in_use, cases[i].in_use);
            assert_int_equal(info->server_id, cases[i].server_id);
            // Only the first file after a start says when
            assert_true((info->created == 0) || (info->created > 1700000000));
            myha_binlog_free(log);
        }
        free(data);
    }
    myha_binlog_free(NULL);
}

/* ---- Walking real logs -------------------------------------------------- */

// Every fixture's transactions are those mariadb-binlog saw, both modes
static void
transactions_match_mariadb_binlog(void **state)
{
    size_t n_expected = 0;
    struct expected_trx *expected = load_expected(&n_expected);
    size_t matched = 0;

    assert_true(n_expected > 100);
    for (size_t f = 0; f < N_FIXTURES; f++) {
        size_t len = 0;
        uint8_t *data = load(fixtures[f], &len);

        for (size_t m = 0; m < 2; m++) {
            struct myha_binlog *log =
                open_ok(fixtures[f], data, len, both_modes[m]);
            struct trx_list l = list_trx(log);
            size_t k = 0;

            for (size_t e = 0; e < n_expected; e++) {
                const struct expected_trx *x = &expected[e];
                char gtid[MYHA_BINLOG_GTID_TEXT_MAX];

                if (strcmp(x->file, fixtures[f]) != 0) {
                    continue;
                }
                assert_true(k < l.n);
                assert_true(l.trx[k].has_gtid);
                myha_binlog_gtid_format(&l.trx[k].gtid, gtid, sizeof(gtid));
                assert_string_equal(gtid, x->gtid);
                assert_int_equal(l.trx[k].start, x->start);
                assert_int_equal(l.trx[k].timestamp, x->timestamp);
                assert_int_equal(l.trx[k].server_id, 1);
                if (x->end >= 0) {
                    assert_int_equal(l.trx[k].end, x->end);
                }
                assert_true(l.trx[k].end > l.trx[k].start);
                assert_true(l.trx[k].end <= len);
                assert_true(l.trx[k].n_events >= 2);
                if (k > 0) {
                    assert_true(l.trx[k].start >= l.trx[k - 1].end);
                }
                k++;
                if (m == 0) {
                    matched++;
                }
            }
            assert_int_equal(k, l.n);
            free(l.trx);
            myha_binlog_free(log);
        }
        free(data);
    }
    assert_int_equal(matched, n_expected);
    free(expected);
}

static void
event_walk(void **state)
{
    size_t len = 0;
    uint8_t *data = load("binlog.000001", &len);
    struct myha_binlog *log = open_ok("binlog.000001", data, len, VERIFY);
    struct event_list l = list_events(log);
    uint64_t pos = 4;

    assert_true(l.n > 100);
    assert_int_equal(l.ev[0].offset, 4);
    assert_int_equal(l.ev[0].type, 15);
    assert_int_equal(l.ev[0].size, 252);
    assert_int_equal(l.ev[1].type, 163); // GTID list
    assert_int_equal(l.ev[2].type, 161); // Binlog checkpoint
    assert_int_equal(l.ev[3].type, 162); // GTID
    assert_int_equal(l.ev[3].timestamp, 1700000010);
    assert_int_equal(l.ev[l.n - 1].type, 4); // Rotate
    for (size_t i = 0; i < l.n; i++) {
        assert_int_equal(l.ev[i].offset, pos);
        assert_int_equal(l.ev[i].server_id, 1);
        assert_int_equal(l.ev[i].next_pos, pos + l.ev[i].size);
        pos += l.ev[i].size;
    }
    assert_int_equal(pos, len);
    free(l.ev);
    myha_binlog_free(log);
    free(data);
}

static int
stop_at_third_event(const struct myha_binlog_event *ev, void *user_data)
{
    int *n = user_data;

    return (++*n == 3) ? -7 : 0;
}

static void
callbacks_stop_the_walk(void **state)
{
    size_t len = 0;
    uint8_t *data = load("binlog.000001", &len);
    struct myha_binlog *log = open_ok("binlog.000001", data, len, 0);
    struct trx_list l = { .stop_at = 2 };
    int n = 0;

    assert_int_equal(myha_binlog_foreach_trx(log, collect_trx, &l, NULL), 42);
    assert_int_equal(l.n, 2);
    assert_int_equal(
        myha_binlog_foreach_event(log, stop_at_third_event, &n, NULL), -7);
    assert_int_equal(n, 3);

    assert_int_equal(myha_binlog_foreach_trx(log, NULL, NULL, NULL), EINVAL);
    assert_int_equal(myha_binlog_foreach_event(NULL, collect_event, NULL, NULL),
                     EINVAL);
    assert_int_equal(myha_binlog_scan(log, NULL, NULL), EINVAL);
    assert_int_equal(myha_binlog_find_time(log, 0, NULL, NULL), EINVAL);
    assert_int_equal(myha_binlog_find_gtid(log, NULL, NULL, NULL), EINVAL);
    assert_int_equal(myha_binlog_new("x", NULL, 4, 0, &log, NULL), EINVAL);
    assert_int_equal(myha_binlog_new("x", data, len, 0, NULL, NULL), EINVAL);
    free(l.trx);
    myha_binlog_free(log);
    free(data);
}

static void
scan_summaries(void **state)
{
    static const struct {
        const char *name;
        const char *before; // NULL: no GTID list
        const char *gtids;
        const char *rotate_to;
        bool stopped;
        uint64_t n_trx;
        const char *first;
        const char *last;
    } cases[] = {
        { "binlog.000001", "", "0-1-29,1-1-1", "binlog.000002", false, 30,
          "0-1-1", "0-1-29" },
        { "binlog.000002", "0-1-29,1-1-1", "0-1-42", "binlog.000003", false, 13,
          "0-1-30", "0-1-42" },
        { "binlog.000003", "0-1-42,1-1-1", "0-1-52,1-1-2", "binlog.000004",
          false, 11, "0-1-43", "0-1-52" },
        { "binlog.000004", "0-1-52,1-1-2", "0-1-55", NULL, true, 3, "0-1-53",
          "0-1-55" },
        { "inuse.000004", "0-1-52,1-1-2", "0-1-55", NULL, false, 3, "0-1-53",
          "0-1-55" },
        { "relay.000001", NULL, "", "relay.000002", false, 0, NULL, NULL },
        { "relay.000004", "0-1-29,1-1-1", "0-1-42", "relay.000005", false, 13,
          "0-1-30", "0-1-42" },
        { "relay.000006", "0-1-42,1-1-1", "0-1-52,1-1-2", "relay.000007", false,
          11, "0-1-43", "0-1-52" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = 0;
        uint8_t *data = load(cases[i].name, &len);

        for (size_t m = 0; m < 2; m++) {
            struct summary_result r =
                scan(cases[i].name, data, len, both_modes[m]);
            char gtid[MYHA_BINLOG_GTID_TEXT_MAX];

            assert_int_equal(r.rc, 0);
            assert_null(r.err);
            assert_int_equal(r.sum.size, len);
            assert_int_equal(r.sum.safe_end, len);
            assert_false(r.sum.truncated);
            assert_int_equal(r.sum.n_abandoned, 0);
            assert_int_equal(r.sum.n_trx, cases[i].n_trx);
            assert_true(r.sum.n_events > r.sum.n_trx);
            if (cases[i].before == NULL) {
                assert_null(r.sum.before);
            } else {
                assert_set(r.sum.before, cases[i].before);
            }
            assert_set(r.sum.gtids, cases[i].gtids);
            assert_int_equal(myha_gtid_set_flavor(r.sum.gtids),
                             MYHA_GTID_MARIADB);
            if (cases[i].rotate_to == NULL) {
                assert_null(r.sum.rotate_to);
            } else {
                assert_string_equal(r.sum.rotate_to, cases[i].rotate_to);
            }
            assert_int_equal(r.sum.stopped, cases[i].stopped);
            assert_int_equal(r.sum.has_trx, cases[i].first != NULL);
            if (cases[i].first != NULL) {
                myha_binlog_gtid_format(&r.sum.first.gtid, gtid, sizeof(gtid));
                assert_string_equal(gtid, cases[i].first);
                myha_binlog_gtid_format(&r.sum.last.gtid, gtid, sizeof(gtid));
                assert_string_equal(gtid, cases[i].last);
            }
            myha_binlog_summary_release(&r.sum);
        }
        free(data);
    }
    myha_binlog_summary_release(NULL);
}

// The GTIDs before each file are those before the previous one plus its own
static void
gtid_lists_chain(void **state)
{
    struct myha_gtid_set *running = NULL;

    for (int n = 1; n <= 4; n++) {
        char name[32];
        size_t len = 0;
        uint8_t *data = NULL;
        struct summary_result r;
        struct myha_gtid_set *next = NULL;

        snprintf(name, sizeof(name), "binlog.%06d", n);
        data = load(name, &len);
        r = scan(name, data, len, VERIFY);
        assert_int_equal(r.rc, 0);
        if (running != NULL) {
            assert_true(myha_is_gtid_set_equal(running, r.sum.before));
        }
        assert_int_equal(myha_gtid_set_union(r.sum.before, r.sum.gtids, &next),
                         0);
        myha_gtid_set_free(running);
        running = next;
        myha_binlog_summary_release(&r.sum);
        free(data);
    }
    assert_set(running, "0-1-55,1-1-2");
    myha_gtid_set_free(running);
}

static void
find_gtid(void **state)
{
    static const struct {
        const char *file;
        const char *gtid;
        uint64_t start; // 0: not there
        uint64_t end;
    } cases[] = {
        { "binlog.000001", "0-1-1", 325, 450 },      // The first, a DDL
        { "binlog.000001", "0-1-27", 6158, 6409 },   // Statements and COMMIT
        { "binlog.000001", "1-1-1", 6409, 6639 },    // Another domain
        { "binlog.000001", "0-1-29", 6805, 7045 },   // The last
        { "binlog.000001", "0-2-27", 0, 0 },         // Another server
        { "binlog.000001", "0-1-30", 0, 0 },         // In the next file
        { "binlog.000001", U1 ":27", 0, 0 },         // The other flavour
        { "binlog.000003", "1-1-2", 2191, 2421 },    // Domain 1 again
        { "binlog.000003", "1-1-1", 0, 0 },          // In its GTID list only
        { "binlog.000002", "0-1-40", 11523, 11843 }, // XA PREPARE
        { "binlog.000002", "0-1-41", 11843, 11973 }, // XA COMMIT
        { "binlog.000002", "0-1-42", 11973, 12287 }, // ... ROLLBACK
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = 0;
        uint8_t *data = load(cases[i].file, &len);
        struct myha_binlog_gtid gtid;

        assert_int_equal(myha_binlog_gtid_parse(cases[i].gtid, &gtid), 0);
        for (size_t m = 0; m < 2; m++) {
            struct myha_binlog *log =
                open_ok(cases[i].file, data, len, both_modes[m]);
            struct myha_binlog_trx trx = { .start = 1 };
            char *err = NULL;
            int rc = myha_binlog_find_gtid(log, &gtid, &trx, &err);

            assert_null(err);
            if (cases[i].start == 0) {
                assert_int_equal(rc, ENOENT);
                assert_int_equal(trx.start, 1);
            } else {
                assert_int_equal(rc, 0);
                assert_int_equal(trx.start, cases[i].start);
                assert_int_equal(trx.end, cases[i].end);
                assert_true(myha_is_binlog_gtid_equal(&trx.gtid, &gtid));
            }
            myha_binlog_free(log);
        }
        free(data);
    }
}

static void
find_gtid_in_relay_log(void **state)
{
    size_t len = 0;
    uint8_t *data = load("relay.000004", &len);
    struct myha_binlog *log = open_ok("relay.000004", data, len, VERIFY);
    struct myha_binlog_gtid gtid;
    struct myha_binlog_trx trx;

    assert_int_equal(myha_binlog_gtid_parse("0-1-35", &gtid), 0);
    assert_int_equal(myha_binlog_find_gtid(log, &gtid, &trx, NULL), 0);
    assert_int_equal(trx.start, 1931);
    assert_int_equal(trx.timestamp, 1700000360);
    myha_binlog_free(log);
    free(data);
}

static void
find_time(void **state)
{
    static const struct {
        const char *file;
        int64_t when;
        bool found;
        uint64_t at;         // Start of the first at or after
        const char *at_gtid; // Its GTID
        const char *before;  // GTID of the last before it (NULL: none)
    } cases[] = {
        // Exactly a transaction's time
        { "binlog.000001", 1700000050, true, 1036, "0-1-5", "0-1-4" },
        // Between two transactions
        { "binlog.000001", 1700000055, true, 1258, "0-1-6", "0-1-5" },
        // Two transactions in the same second: the first of them
        { "binlog.000001", 1700000240, true, 5287, "0-1-24", "0-1-23" },
        // Before everything
        { "binlog.000001", 0, true, 325, "0-1-1", NULL },
        { "binlog.000001", 1700000010, true, 325, "0-1-1", NULL },
        // After everything: not here, the last one is before
        { "binlog.000001", 1700000291, false, 0, NULL, "0-1-29" },
        { "binlog.000001", INT64_MAX, false, 0, NULL, "0-1-29" },
        { "binlog.000003", 1700000595, true, 2421, "0-1-51", "1-1-2" },
        { "relay.000006", 1700000595, true, 2717, "0-1-51", "1-1-2" },
        // No transactions at all
        { "relay.000001", 0, false, 0, NULL, NULL },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = 0;
        uint8_t *data = load(cases[i].file, &len);

        for (size_t m = 0; m < 2; m++) {
            struct myha_binlog *log =
                open_ok(cases[i].file, data, len, both_modes[m]);
            struct myha_binlog_time_pos pos;
            char gtid[MYHA_BINLOG_GTID_TEXT_MAX];
            char *err = NULL;

            assert_int_equal(
                myha_binlog_find_time(log, cases[i].when, &pos, &err), 0);
            assert_null(err);
            assert_int_equal(pos.found, cases[i].found);
            if (cases[i].found) {
                assert_int_equal(pos.at.start, cases[i].at);
                myha_binlog_gtid_format(&pos.at.gtid, gtid, sizeof(gtid));
                assert_string_equal(gtid, cases[i].at_gtid);
                assert_true(pos.at.timestamp >= cases[i].when);
            }
            assert_int_equal(pos.has_before, cases[i].before != NULL);
            if (cases[i].before != NULL) {
                myha_binlog_gtid_format(&pos.before.gtid, gtid, sizeof(gtid));
                assert_string_equal(gtid, cases[i].before);
                assert_true(pos.before.timestamp < cases[i].when);
                if (cases[i].found) {
                    assert_int_equal(pos.before.end, pos.at.start);
                }
            }
            myha_binlog_free(log);
        }
        free(data);
    }
}

/* ---- Truncation --------------------------------------------------------- */

/* Cut the file at every length: the reader must find the end of the last
 * complete transaction (or of an event outside transactions) before the
 * cut, and report the same transactions as the whole file up to there.
 */
static void
check_every_truncation(const char *name)
{
    size_t len = 0;
    uint8_t *data = load(name, &len);
    struct myha_binlog *whole = open_ok(name, data, len, VERIFY);
    struct event_list ev = list_events(whole);
    struct trx_list all = list_trx(whole);
    uint64_t *safe = calloc(ev.n + 1, sizeof(*safe));
    size_t n_safe = 0;
    size_t fd_end = ev.ev[0].offset + ev.ev[0].size;

    assert_non_null(safe);
    // Where the walk is between transactions: ends of events not inside one
    for (size_t i = 0; i < ev.n; i++) {
        uint64_t end = ev.ev[i].offset + ev.ev[i].size;
        bool inside = false;

        for (size_t k = 0; k < all.n; k++) {
            if ((end > all.trx[k].start) && (end < all.trx[k].end)) {
                inside = true;
                break;
            }
        }
        if (!inside) {
            safe[n_safe++] = end;
        }
    }

    for (size_t cut = 0; cut <= len; cut++) {
        uint8_t *copy = malloc(cut + 1);
        struct myha_binlog *log = NULL;
        struct myha_binlog_summary sum;
        struct trx_list l;
        uint64_t expected_end = 4;
        size_t n_complete = 0;
        char *err = NULL;
        int rc = 0;

        assert_non_null(copy);
        memcpy(copy, data, cut);
        rc = myha_binlog_new(name, copy, cut, VERIFY, &log, &err);
        if (cut < fd_end) {
            assert_int_equal(rc, myha_rc_parse);
            assert_non_null(err);
            assert_non_null(strstr(err, (cut < 4) ? "not a binary log"
                                                  : "before its format "
                                                    "description is complete"));
            free(err);
            free(copy);
            continue;
        }
        assert_int_equal(rc, 0);
        for (size_t i = 0; i < n_safe; i++) {
            if (safe[i] <= cut) {
                expected_end = safe[i];
            }
        }
        for (size_t k = 0; k < all.n; k++) {
            n_complete += (all.trx[k].end <= cut);
        }
        assert_int_equal(myha_binlog_scan(log, &sum, &err), 0);
        assert_null(err);
        assert_int_equal(sum.safe_end, expected_end);
        assert_int_equal(sum.truncated, expected_end != cut);
        assert_int_equal(sum.n_trx, n_complete);
        if (sum.truncated) {
            assert_null(sum.rotate_to);
            assert_false(sum.stopped);
        }
        myha_binlog_summary_release(&sum);

        l = list_trx(log);
        assert_int_equal(l.n, n_complete);
        if (l.n > 0) {
            assert_memory_equal(l.trx, all.trx, l.n * sizeof(*l.trx));
        }
        free(l.trx);
        myha_binlog_free(log);
        free(copy);
    }
    free(safe);
    free(all.trx);
    free(ev.ev);
    myha_binlog_free(whole);
    free(data);
}

static void
truncated_anywhere_crc32(void **state)
{
    check_every_truncation("binlog.000002");
}

static void
truncated_anywhere_none(void **state)
{
    check_every_truncation("binlog.000003");
}

static void
truncated_anywhere_relay(void **state)
{
    check_every_truncation("relay.000006");
}

// Zeros where a crashed server had not written yet end the file too
static void
zero_filled_tail(void **state)
{
    size_t len = 0;
    uint8_t *data = load("inuse.000004", &len);
    // At the end, between transactions, in a header, in a body
    size_t cuts[] = { len, 751, 700, 720, 569 };
    size_t expected[] = { len, 751, 567, 567, 567 };

    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        uint8_t *copy = calloc(1, cuts[i] + 8192);
        struct summary_result r;

        assert_non_null(copy);
        memcpy(copy, data, cuts[i]);
        r = scan("inuse.000004", copy, cuts[i] + 8192, VERIFY);
        assert_int_equal(r.rc, 0);
        assert_true(r.sum.truncated);
        assert_int_equal(r.sum.safe_end, expected[i]);
        myha_binlog_summary_release(&r.sum);
        free(copy);
    }
    free(data);
}

/* ---- Corruption --------------------------------------------------------- */

// Offset of the event of a file that holds byte at
static uint64_t
event_at(const struct event_list *ev, uint64_t at)
{
    for (size_t i = 0; i < ev->n; i++) {
        if ((at >= ev->ev[i].offset)
            && (at < ev->ev[i].offset + ev->ev[i].size)) {
            return ev->ev[i].offset;
        }
    }
    fail_msg("no event holds offset %" PRIu64, at);
    return 0;
}

/* With CRC32 verification, any changed bit after the magic number is an
 * error (but the in-use flag of the format description, which the server
 * itself flips); a changed bit in an event body names its offset.
 */
static void
every_flipped_bit_is_caught(void **state)
{
    static const uint8_t masks[] = { 0x01, 0x80 };
    size_t len = 0;
    uint8_t *data = load("binlog.000001", &len);
    struct myha_binlog *whole = open_ok("binlog.000001", data, len, 0);
    struct event_list ev = list_events(whole);
    uint8_t *copy = malloc(len);
    size_t undetected_without_crc = 0;

    assert_non_null(copy);
    for (size_t i = 4; i < len; i++) {
        for (size_t m = 0; m < sizeof(masks); m++) {
            struct myha_binlog *log = NULL;
            struct myha_binlog_summary sum;
            char *err = NULL;
            int rc = 0;

            if ((i == 4 + 17) && (masks[m] == 0x01)) {
                continue;
            }
            memcpy(copy, data, len);
            copy[i] ^= masks[m];
            rc =
                myha_binlog_new("binlog.000001", copy, len, VERIFY, &log, &err);
            if (rc == 0) {
                rc = myha_binlog_scan(log, &sum, &err);
                myha_binlog_free(log);
            }
            if (rc == 0) {
                fail_msg("flipping 0x%02x at offset %zu went unnoticed",
                         masks[m], i);
            }
            assert_int_equal(rc, myha_rc_parse);
            assert_non_null(err);
            if ((i % 7 == 0) && (i >= 256) && (i - event_at(&ev, i) >= 19)) {
                char needle[64];

                snprintf(needle, sizeof(needle),
                         "CRC32 mismatch in event at offset %" PRIu64 " ",
                         event_at(&ev, i));
                if (strstr(err, needle) == NULL) {
                    fail_msg("\"%s\" lacks \"%s\"", err, needle);
                }
            }
            free(err);

            // Without verification some go unnoticed, but nothing breaks
            rc = myha_binlog_new("binlog.000001", copy, len, 0, &log, NULL);
            if (rc == 0) {
                rc = myha_binlog_scan(log, &sum, NULL);
                if (rc == 0) {
                    undetected_without_crc++;
                    myha_binlog_summary_release(&sum);
                }
                myha_binlog_free(log);
            }
        }
    }
    assert_true(undetected_without_crc > 0);
    free(copy);
    free(ev.ev);
    myha_binlog_free(whole);
    free(data);
}

static void
set_u32(uint8_t *p, uint32_t v)
{
    put_le_at(p, v, 4);
}

static void
corrupt_headers(void **state)
{
    size_t len = 0;
    uint8_t *data = load("binlog.000003", &len);
    uint8_t *copy = malloc(len + 64);
    char needle[160];

    assert_non_null(copy);

    // A size far beyond the end of the file
    memcpy(copy, data, len);
    set_u32(copy + 1061 + 9, UINT32_MAX);
    snprintf(needle, sizeof(needle),
             "binlog 'bad.000001': event at offset 1061 claims size "
             "4294967295 beyond end of file (%zu)",
             len);
    assert_scan_fails(copy, len, 0, myha_rc_parse, needle);

    // A plausible size beyond the end, but the next position disagrees
    memcpy(copy, data, len);
    set_u32(copy + 1061 + 9, 100000);
    assert_scan_fails(copy, len, 0, myha_rc_parse,
                      "event at offset 1061 claims size 100000 beyond end");

    // A size less than the header
    memcpy(copy, data, len);
    set_u32(copy + 1061 + 9, 5);
    assert_scan_fails(copy, len, 0, myha_rc_parse,
                      "event at offset 1061 claims size 5, less than its "
                      "header (19)");

    // A next position that does not follow the size
    memcpy(copy, data, len);
    set_u32(copy + 1061 + 13, 4000);
    assert_scan_fails(copy, len, 0, myha_rc_parse,
                      "event at offset 1061 (size 38) claims next position "
                      "4000, not 1099");

    // A GTID event where a transaction is open (binlog: corruption)
    memcpy(copy, data, len);
    copy[1287 - 27 + 4] = 162; // The Xid of 0-1-44 becomes a GTID
    assert_scan_fails(copy, len, 0, myha_rc_parse,
                      "event at offset 1260 (type 162) starts a transaction "
                      "inside the transaction that starts at offset 1061");

    // An Xid outside transactions
    memcpy(copy, data, len);
    copy[311 + 4] = 16; // Binlog checkpoint
    assert_scan_fails(copy, len, 0, myha_rc_parse,
                      "event at offset 311 (type 16) ends a transaction "
                      "outside a transaction");

    // A table map outside transactions
    memcpy(copy, data, len);
    copy[311 + 4] = 19;
    assert_scan_fails(copy, len, 0, myha_rc_parse,
                      "event at offset 311 (type 19) appears outside a "
                      "transaction");

    // A format description inside a transaction
    memcpy(copy, data, len);
    copy[1287 - 27 + 4] = 4; // Rotate
    assert_scan_fails(copy, len, 0, myha_rc_parse,
                      "event at offset 1260 (type 4) appears inside the "
                      "transaction that starts at offset 1061");

    // A query event whose lengths run past its end
    memcpy(copy, data, len);
    copy[2421 + 38 + 19 + 8] = 200; // Database name length of a DDL
    assert_scan_fails(copy, len, 0, myha_rc_parse,
                      "query event at offset 2459: status and database");

    // A GTID event too short to hold a GTID
    memcpy(copy, data, len);
    set_u32(copy + 1061 + 9, 19 + 4);
    set_u32(copy + 1061 + 13, 1061 + 23);
    assert_scan_fails(copy, len, 0, myha_rc_parse,
                      "GTID event at offset 1061 is too short (23 bytes)");

    // Garbage after the end (not zeros, not a plausible event)
    memcpy(copy, data, len);
    memset(copy + len, 0x11, 64);
    assert_scan_fails(copy, len + 64, 0, myha_rc_parse,
                      "claims size 286331153 beyond end of file");

    free(copy);
    free(data);
}

static void
not_a_binlog(void **state)
{
    size_t len = 0;
    uint8_t *data = load("binlog.000003", &len);
    uint8_t *copy = malloc(len);

    assert_non_null(copy);
    assert_new_fails((const uint8_t *) "", 0, 0, myha_rc_parse,
                     "not a binary log");
    assert_new_fails((const uint8_t *) "\xfe"
                                       "bi",
                     3, 0, myha_rc_parse, "not a binary log");
    assert_new_fails((const uint8_t *) "GIF89a", 6, 0, myha_rc_parse,
                     "not a binary log");
    assert_new_fails(data, 4, 0, myha_rc_parse,
                     "file ends (at 4) before its format description");
    assert_new_fails(data, 200, 0, myha_rc_parse,
                     "file ends (at 200) before its format description");

    // First event not a format description
    memcpy(copy, data, len);
    copy[4 + 4] = 163;
    assert_new_fails(copy, len, 0, myha_rc_parse,
                     "first event (at offset 4, type 163) is not a format "
                     "description");
    copy[4 + 4] = 1;
    assert_new_fails(copy, len, 0, myha_rc_unimplemented,
                     "binlog format before v4 (MySQL 5.0) not supported");

    // Binlog version 3 in a format description
    memcpy(copy, data, len);
    copy[4 + 19] = 3;
    assert_new_fails(copy, len, 0, myha_rc_unimplemented,
                     "binlog format version 3 not supported");

    // Header length less than 19
    memcpy(copy, data, len);
    copy[4 + 19 + 56] = 18;
    assert_new_fails(copy, len, 0, myha_rc_parse,
                     "gives header length 18, less than 19");

    // Unknown checksum algorithm
    memcpy(copy, data, len);
    copy[256 - 5] = 2;
    assert_new_fails(copy, len, 0, myha_rc_parse,
                     "format description at offset 4 gives unknown checksum "
                     "algorithm 2");

    // A format description's own CRC32
    memcpy(copy, data, len);
    copy[100] ^= 1;
    assert_new_fails(copy, len, VERIFY, myha_rc_parse,
                     "CRC32 mismatch in event at offset 4 (format "
                     "description, size 252)");

    // Too short to be a format description
    memcpy(copy, data, len);
    set_u32(copy + 4 + 9, 19 + 50);
    assert_new_fails(copy, len, 0, myha_rc_parse,
                     "format description at offset 4 is too short (69 "
                     "bytes)");

    free(copy);
    free(data);
}

static void
encrypted_binlog(void **state)
{
    struct builder b = { 0 };
    struct myha_binlog *log = NULL;
    struct event_list l = { 0 };
    char *err = NULL;
    uint8_t body[17] = { 1 };

    format_description(&b, "10.11.6-MariaDB-log", 1);
    event(&b, 164, body, sizeof(body));
    opaque(&b, 0x5a, 60); // Encrypted: whatever
    log = open_ok("bad.000001", b.buf, b.len, VERIFY);
    assert_int_equal(myha_binlog_foreach_event(log, collect_event, &l, &err),
                     myha_rc_unimplemented);
    assert_int_equal(l.n, 1);
    free(l.ev);
    assert_string_equal(err, "binlog 'bad.000001': encrypted binlog not "
                             "supported (event at offset 256)");
    free(err);
    myha_binlog_free(log);
    assert_scan_fails(b.buf, b.len, 0, myha_rc_unimplemented,
                      "encrypted binlog not supported");
    free(b.buf);
}

/* ---- MySQL flavour (synthetic) ------------------------------------------ */

static void
mysql_transactions(void **state)
{
    static const char *const gtids[] = {
        U1 ":11", U1 ":12", NULL, U2 ":8", U1 ":13", U1 ":14",
    };
    static const int algs[] = { 1, 0 };

    for (size_t a = 0; a < sizeof(algs) / sizeof(algs[0]); a++) {
        struct mysql_log m;

        mysql_log(&m, algs[a]);
        for (size_t mode = 0; mode < 2; mode++) {
            struct myha_binlog *log =
                open_ok("binlog.000001", m.b.buf, m.b.len, both_modes[mode]);
            const struct myha_binlog_info *info = myha_binlog_get_info(log);
            struct trx_list l = list_trx(log);

            assert_int_equal(info->flavor, MYHA_GTID_MYSQL);
            assert_string_equal(info->server_version, "8.0.36");
            assert_int_equal(info->server_id, 8);
            assert_int_equal(info->checksum, (algs[a] == 1)
                                                 ? MYHA_BINLOG_CHECKSUM_CRC32
                                                 : MYHA_BINLOG_CHECKSUM_NONE);
            assert_int_equal(l.n, 6);
            for (size_t i = 0; i < l.n; i++) {
                char text[MYHA_BINLOG_GTID_TEXT_MAX];

                assert_int_equal(l.trx[i].start, m.trx_start[i]);
                assert_int_equal(l.trx[i].end, m.trx_end[i]);
                assert_int_equal(l.trx[i].timestamp, 1700000100 + 100 * i);
                assert_int_equal(l.trx[i].server_id, 8);
                assert_int_equal(l.trx[i].has_gtid, gtids[i] != NULL);
                if (gtids[i] != NULL) {
                    myha_binlog_gtid_format(&l.trx[i].gtid, text, sizeof(text));
                    assert_string_equal(text, gtids[i]);
                }
            }
            assert_int_equal(l.trx[0].n_events, 5);
            assert_int_equal(l.trx[1].n_events, 2);
            free(l.trx);
            myha_binlog_free(log);
        }
        free(m.b.buf);
    }
}

// MySQL before 5.6.1: no checksum algorithm in the format description
static void
mysql_55_format(void **state)
{
    struct builder b = { 0 };
    struct myha_binlog *log = NULL;
    struct trx_list l;

    format_description(&b, "5.5.62-log", -1);
    query(&b, "db", "BEGIN");
    query(&b, "db", "INSERT INTO t VALUES (1)");
    xid(&b);
    query(&b, "db", "CREATE TABLE u (a INT)");
    log = open_ok("binlog.000001", b.buf, b.len, VERIFY);
    assert_int_equal(myha_binlog_get_info(log)->checksum,
                     MYHA_BINLOG_CHECKSUM_NONE);
    l = list_trx(log);
    assert_int_equal(l.n, 2);
    assert_false(l.trx[0].has_gtid);
    assert_int_equal(l.trx[0].n_events, 3);
    assert_int_equal(l.trx[1].n_events, 1);
    assert_int_equal(l.trx[1].end, b.len);
    free(l.trx);
    myha_binlog_free(log);
    free(b.buf);
}

static void
mysql_scan_and_find(void **state)
{
    struct mysql_log m;
    struct summary_result r;
    struct myha_binlog *log = NULL;
    struct myha_binlog_gtid gtid;
    struct myha_binlog_trx trx;
    struct myha_binlog_time_pos pos;

    mysql_log(&m, 1);
    r = scan("binlog.000001", m.b.buf, m.b.len, VERIFY);
    assert_int_equal(r.rc, 0);
    assert_set(r.sum.before, U1 ":1-10," U2 ":1-3:5-7");
    assert_set(r.sum.gtids, U1 ":11-14," U2 ":8");
    assert_int_equal(myha_gtid_set_flavor(r.sum.gtids), MYHA_GTID_MYSQL);
    assert_int_equal(r.sum.n_trx, 6);
    assert_string_equal(r.sum.rotate_to, "binlog.000002");
    assert_int_equal(r.sum.safe_end, m.b.len);
    myha_binlog_summary_release(&r.sum);

    log = open_ok("binlog.000001", m.b.buf, m.b.len, VERIFY);
    assert_int_equal(myha_binlog_gtid_parse(U2 ":8", &gtid), 0);
    assert_int_equal(myha_binlog_find_gtid(log, &gtid, &trx, NULL), 0);
    assert_int_equal(trx.start, m.trx_start[3]);
    assert_int_equal(myha_binlog_gtid_parse(U2 ":7", &gtid), 0);
    assert_int_equal(myha_binlog_find_gtid(log, &gtid, &trx, NULL), ENOENT);

    assert_int_equal(myha_binlog_find_time(log, 1700000250, &pos, NULL), 0);
    assert_true(pos.found);
    assert_int_equal(pos.at.start, m.trx_start[2]);
    assert_false(pos.at.has_gtid);
    assert_true(pos.has_before);
    assert_int_equal(pos.before.start, m.trx_start[1]);
    myha_binlog_free(log);

    // Cut inside the last transaction: the one before is the safe end
    r = scan("binlog.000001", m.b.buf, m.trx_end[5] - 3, VERIFY);
    assert_int_equal(r.rc, 0);
    assert_true(r.sum.truncated);
    assert_int_equal(r.sum.safe_end, m.trx_end[4]);
    assert_set(r.sum.gtids, U1 ":11-13," U2 ":8");
    myha_binlog_summary_release(&r.sum);
    free(m.b.buf);
}

static void
mysql_malformed(void **state)
{
    struct builder b = { 0 };
    uint8_t body[42] = { 0 };

    // Tagged GTIDs (8.4) are not read
    format_description(&b, "8.4.0", 1);
    event(&b, 42, body, sizeof(body));
    assert_scan_fails(b.buf, b.len, VERIFY, myha_rc_unimplemented,
                      "event at offset 126: tagged GTIDs (MySQL 8.4) not "
                      "supported");
    free(b.buf);

    // A MariaDB GTID in a MySQL binlog
    memset(&b, 0, sizeof(b));
    format_description(&b, "8.0.36", 1);
    maria_gtid(&b, 0, 1, 0);
    assert_scan_fails(b.buf, b.len, VERIFY, myha_rc_parse,
                      "event at offset 126: MariaDB GTID in a MySQL binlog");
    free(b.buf);

    // GNO 0
    memset(&b, 0, sizeof(b));
    format_description(&b, "8.0.36", 1);
    mysql_gtid(&b, U1, 0);
    assert_scan_fails(b.buf, b.len, VERIFY, myha_rc_parse,
                      "GTID event at offset 126 has invalid transaction "
                      "number 0");
    free(b.buf);

    // Previous_GTIDs claiming more than it holds
    memset(&b, 0, sizeof(b));
    format_description(&b, "8.0.36", 0);
    put_le_at(body, UINT64_C(0x00ffffffffffffff), 8);
    event(&b, 35, body, 8);
    assert_scan_fails(b.buf, b.len, 0, myha_rc_parse,
                      "Previous_GTIDs event at offset 126 is malformed");
    free(b.buf);

    // ... with an empty interval
    memset(&b, 0, sizeof(b));
    memset(body, 0, sizeof(body));
    format_description(&b, "8.0.36", 0);
    put_le_at(body, 1, 8);
    parse_uuid(U1, body + 8);
    put_le_at(body + 24, 1, 8);
    {
        uint8_t full[48];

        memcpy(full, body, 32);
        put_le_at(full + 32, 5, 8);
        put_le_at(full + 40, 5, 8);
        event(&b, 35, full, sizeof(full));
    }
    assert_scan_fails(b.buf, b.len, 0, myha_rc_parse,
                      "Previous_GTIDs at offset 126 has invalid interval "
                      "[5, 5)");
    free(b.buf);

    // ... in the tagged format
    memset(&b, 0, sizeof(b));
    format_description(&b, "8.4.0", 0);
    put_le_at(body, UINT64_C(1) << 56, 8);
    event(&b, 35, body, 8);
    assert_scan_fails(b.buf, b.len, 0, myha_rc_unimplemented,
                      "tagged GTIDs (MySQL 8.4) not supported");
    free(b.buf);

    // A query event shorter than its post-header
    memset(&b, 0, sizeof(b));
    format_description(&b, "8.0.36", 0);
    mysql_gtid(&b, U1, 1);
    event(&b, 2, body, 10);
    assert_scan_fails(b.buf, b.len, 0, myha_rc_parse,
                      "query event at offset 187 is too short (29 bytes)");
    free(b.buf);
}

/* ---- Relay logs (synthetic) --------------------------------------------- */

/* A relay log where the connection to the source broke inside a
 * transaction: the source's rotate and format description come again, then
 * the whole transaction.
 */
static void
relay_log_restart(void **state)
{
    struct builder b = { 0 };
    struct summary_result r;
    size_t second = 0;
    uint8_t list[4 + 16] = { 1 };

    b.sid = 2;
    format_description(&b, "10.11.6-MariaDB-log", 1);
    b.relay = true;
    b.sid = 1;
    rotate(&b, "binlog.000007");
    format_description(&b, "10.11.6-MariaDB-log", 1);
    b.relay = true;
    put_le_at(list + 4 + 8, 5, 8); // 0-0-5
    event(&b, 163, list, sizeof(list));
    b.ts = 1700000001;
    maria_gtid(&b, 0, 6, 0);
    opaque(&b, 160, 30);
    opaque(&b, 19, 30);
    rotate(&b, "binlog.000007");
    format_description(&b, "10.11.6-MariaDB-log", 0);
    b.relay = true;
    second = maria_gtid(&b, 0, 6, 0);
    opaque(&b, 160, 30);
    opaque(&b, 19, 30);
    opaque(&b, 30, 50);
    xid(&b);
    b.ts = 1700000002;
    maria_gtid(&b, 0, 7, 1); // Standalone
    query(&b, "db", "CREATE TABLE u (a INT)");

    for (size_t m = 0; m < 2; m++) {
        r = scan("relay.000002", b.buf, b.len, both_modes[m]);
        assert_int_equal(r.rc, 0);
        assert_int_equal(r.sum.n_abandoned, 1);
        assert_int_equal(r.sum.n_trx, 2);
        assert_int_equal(r.sum.first.start, second);
        assert_set(r.sum.before, "0-0-5");
        assert_set(r.sum.gtids, "0-1-7");
        assert_false(r.sum.truncated);
        myha_binlog_summary_release(&r.sum);
    }
    free(b.buf);
}

/* A MySQL relay log: its own format description and Previous_GTIDs, then
 * the source's rotate and format description with the source's positions.
 * In a binary log, the same positions are corruption.
 */
static void
relay_log_mysql(void **state)
{
    for (int relay = 1; relay >= 0; relay--) {
        struct builder b = { 0 };
        struct summary_result r;
        size_t rot = 0;

        b.sid = 2;
        format_description(&b, "8.0.36", 1);
        previous_gtids(&b);
        b.sid = 1;
        b.relay = (relay == 1);
        rot = rotate(&b, "binlog.000003");
        format_description(&b, "8.0.36", 1);
        b.relay = (relay == 1);
        mysql_gtid(&b, U1, 11);
        query(&b, "db", "BEGIN");
        xid(&b);
        if (relay == 1) {
            r = scan("relay.000002", b.buf, b.len, VERIFY);
            assert_int_equal(r.rc, 0);
            assert_int_equal(r.sum.n_trx, 1);
            assert_set(r.sum.before, U1 ":1-10," U2 ":1-3:5-7");
            assert_set(r.sum.gtids, U1 ":11");
            myha_binlog_summary_release(&r.sum);

            // Truncated in the source's rotate: no position to check
            r = scan("relay.000002", b.buf, rot + 25, VERIFY);
            assert_int_equal(r.rc, 0);
            assert_true(r.sum.truncated);
            assert_int_equal(r.sum.safe_end, rot);
            myha_binlog_summary_release(&r.sum);
        } else {
            // A transaction, then positions that do not follow
            struct builder c = { 0 };
            char needle[96];

            c.sid = 1;
            format_description(&c, "8.0.36", 0);
            mysql_gtid(&c, U1, 11);
            query(&c, "db", "CREATE TABLE t (a INT)");
            c.relay = true;
            rot = rotate(&c, "binlog.000003");
            snprintf(needle, sizeof(needle),
                     "event at offset %zu (size 40) claims next position 0",
                     rot);
            assert_scan_fails(c.buf, c.len, 0, myha_rc_parse, needle);
            free(c.buf);
        }
        free(b.buf);
    }
}

/* ---- Single GTIDs ------------------------------------------------------- */

static void
gtid_parse_and_format(void **state)
{
    static const char *const good[] = {
        "0-1-27",
        "4294967295-4294967295-18446744073709551615",
        U1 ":1",
        U2 ":9223372036854775806",
    };
    static const char *const bad[] = {
        "",
        "0-1",
        "0-1-",
        "-1-2",
        "a-1-2",
        "0-1-2-3",
        "4294967296-1-1",
        "0-4294967296-1",
        "0-1-18446744073709551616",
        " 0-1-2",
        U1 ":0",
        U1 ":",
        U1 ":9223372036854775807",
        U1 ":1-2",
        "3e11fa47-71ca-11e1-9e33-c80aa942956:1",
        "3e11fa47-71ca-11e1-9e33-c80aa94295622:1",
        "3e11fa47x71ca-11e1-9e33-c80aa9429562:1",
        "3e11fa47-71ca-11e1-9e33-c80aa942956g:1",
    };
    struct myha_binlog_gtid a;
    struct myha_binlog_gtid b;
    char text[MYHA_BINLOG_GTID_TEXT_MAX];

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(myha_binlog_gtid_parse(good[i], &a), 0);
        myha_binlog_gtid_format(&a, text, sizeof(text));
        assert_string_equal(text, good[i]);
        assert_int_equal(myha_binlog_gtid_parse(text, &b), 0);
        assert_true(myha_is_binlog_gtid_equal(&a, &b));
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (myha_binlog_gtid_parse(bad[i], &a) != myha_rc_parse) {
            fail_msg("\"%s\" was accepted", bad[i]);
        }
    }
    assert_int_equal(myha_binlog_gtid_parse(NULL, &a), EINVAL);

    // Upper case UUIDs are the same GTID, written in lower case
    assert_int_equal(
        myha_binlog_gtid_parse("3E11FA47-71CA-11E1-9E33-C80AA9429562:5", &a),
        0);
    assert_int_equal(myha_binlog_gtid_parse(U1 ":5", &b), 0);
    assert_true(myha_is_binlog_gtid_equal(&a, &b));
    assert_int_equal(a.flavor, MYHA_GTID_MYSQL);

    // Differences
    assert_int_equal(myha_binlog_gtid_parse(U1 ":6", &b), 0);
    assert_false(myha_is_binlog_gtid_equal(&a, &b));
    assert_int_equal(myha_binlog_gtid_parse(U2 ":5", &b), 0);
    assert_false(myha_is_binlog_gtid_equal(&a, &b));
    assert_int_equal(myha_binlog_gtid_parse("0-1-5", &b), 0);
    assert_false(myha_is_binlog_gtid_equal(&a, &b));
    assert_int_equal(myha_binlog_gtid_parse("0-1-5", &a), 0);
    assert_true(myha_is_binlog_gtid_equal(&a, &b));
    assert_int_equal(myha_binlog_gtid_parse("1-1-5", &b), 0);
    assert_false(myha_is_binlog_gtid_equal(&a, &b));
    assert_int_equal(myha_binlog_gtid_parse("0-2-5", &b), 0);
    assert_false(myha_is_binlog_gtid_equal(&a, &b));

    // Truncated to the buffer
    myha_binlog_gtid_format(&a, text, 4);
    assert_string_equal(text, "0-1");
    myha_binlog_gtid_format(&a, NULL, 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(map_file_errors),
        cmocka_unit_test(info_of_fixtures),
        cmocka_unit_test(transactions_match_mariadb_binlog),
        cmocka_unit_test(event_walk),
        cmocka_unit_test(callbacks_stop_the_walk),
        cmocka_unit_test(scan_summaries),
        cmocka_unit_test(gtid_lists_chain),
        cmocka_unit_test(find_gtid),
        cmocka_unit_test(find_gtid_in_relay_log),
        cmocka_unit_test(find_time),
        cmocka_unit_test(truncated_anywhere_crc32),
        cmocka_unit_test(truncated_anywhere_none),
        cmocka_unit_test(truncated_anywhere_relay),
        cmocka_unit_test(zero_filled_tail),
        cmocka_unit_test(every_flipped_bit_is_caught),
        cmocka_unit_test(corrupt_headers),
        cmocka_unit_test(not_a_binlog),
        cmocka_unit_test(encrypted_binlog),
        cmocka_unit_test(mysql_transactions),
        cmocka_unit_test(mysql_55_format),
        cmocka_unit_test(mysql_scan_and_find),
        cmocka_unit_test(mysql_malformed),
        cmocka_unit_test(relay_log_restart),
        cmocka_unit_test(relay_log_mysql),
        cmocka_unit_test(gtid_parse_and_format),
    };

    return cmocka_run_group_tests_name("binlog", tests, NULL, NULL);
}
