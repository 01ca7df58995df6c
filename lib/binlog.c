/*
 * Reader for binary logs and relay logs (format v4) of MySQL and MariaDB:
 * walks the event headers of a buffer, reading only the bodies it needs
 * (format description, GTID, Query, Rotate, GTID lists), groups events into
 * transactions and answers where a GTID or a point in time is.
 *
 * Untrusted input: every length is checked against the buffer before use,
 * every loop advances by at least one header, and each error names the file
 * and the offset of the event at fault.  A file that ends inside an event or
 * a transaction (still being written) is not an error: the walk stops at
 * the end of the last complete transaction and says so.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <myha/binlog.h>
#include <myha/gtid.h>
#include <myha/rc.h>
#include <myha/str.h>

#define MAGIC \
    "\xfe"    \
    "bin"
#define MAGIC_LEN 4
#define HEADER_MIN 19 // v4 common header; also the header of every FD
#define FLAGS_OFFSET 17
#define CRC_LEN 4

// Larger than any event a server writes (max_allowed_packet is 1 GiB)
#define EVENT_SIZE_MAX ((UINT32_C(1) << 30) + UINT32_C(65536))

// Format description body: version, server version, created, header length
#define FD_VERSION_LEN 50
#define FD_FIXED_LEN (2 + FD_VERSION_LEN + 4 + 1)
#define FD_ALG_LEN 1

#define F_BINLOG_IN_USE 0x1

// Query event post-header: thread id, exec time, db length, error, status
#define QUERY_POST_MIN 13

// MariaDB GTID event flags2
#define MARIA_FL_STANDALONE 0x01

// MariaDB GTID_LIST count: 28 bits, the rest are flags
#define GTID_LIST_COUNT_MASK UINT32_C(0x0fffffff)

#define UUID_LEN 16
#define MYSQL_GNO_MAX ((uint64_t) INT64_MAX - 1)

// How much of an event name or file name an error message quotes
#define ERR_NAME_MAX 64

enum event_type {
    EV_START_V3 = 1,
    EV_QUERY = 2,
    EV_STOP = 3,
    EV_ROTATE = 4,
    EV_INTVAR = 5,
    EV_RAND = 13,
    EV_USER_VAR = 14,
    EV_FORMAT = 15,
    EV_XID = 16,
    EV_TABLE_MAP = 19,
    EV_INCIDENT = 26,
    EV_HEARTBEAT = 27,
    EV_MYSQL_GTID = 33,
    EV_ANONYMOUS_GTID = 34,
    EV_PREVIOUS_GTIDS = 35,
    EV_XA_PREPARE = 38,
    EV_TRANSACTION_PAYLOAD = 40,
    EV_HEARTBEAT_V2 = 41,
    EV_GTID_TAGGED = 42,
    EV_MYSQL_LAST = 42,
    EV_ANNOTATE_ROWS = 160,
    EV_BINLOG_CHECKPOINT = 161,
    EV_MARIA_GTID = 162,
    EV_GTID_LIST = 163,
    EV_START_ENCRYPTION = 164,
    EV_QUERY_COMPRESSED = 165,
    EV_MARIA_LAST = 172,
};

// What an event means to the grouping of events into transactions
enum event_class {
    CLASS_OTHER,  // Unknown: skipped wherever it is
    CLASS_META,   // Belongs to no transaction (rotate, GTID list ...)
    CLASS_FORMAT, // Format description
    CLASS_GTID,   // Starts a transaction
    CLASS_QUERY,  // BEGIN, COMMIT, ROLLBACK, DDL or a statement
    CLASS_END,    // Ends a transaction (Xid, XA prepare, MySQL payload)
    CLASS_BODY,   // Only inside a transaction (rows, table map ...)
};

enum read_status {
    READ_EVENT,     // A complete event
    READ_END,       // The buffer ends exactly here
    READ_TRUNCATED, // The buffer ends inside this event
};

enum trx_state {
    TRX_NONE,       // Between transactions
    TRX_AWAIT,      // After a MySQL GTID: BEGIN or a DDL follows
    TRX_STANDALONE, // After a MariaDB standalone GTID: one statement
    TRX_OPEN,       // Until COMMIT, ROLLBACK, Xid
};

enum query_kind {
    QUERY_STATEMENT, // Anything else, including DDL
    QUERY_BEGIN,
    QUERY_END, // COMMIT, ROLLBACK, XA PREPARE/COMMIT/ROLLBACK
};

struct myha_binlog {
    char *name;
    const uint8_t *data;
    size_t size;
    unsigned int flags;
    size_t zero_from; // Where the zeros that end the buffer start
    struct myha_binlog_info info;
    uint32_t *crc_table; // 8 x 256 (slicing by 8), only to verify
};

// An event within the buffer
struct raw_event {
    struct myha_binlog_event hdr;
    const uint8_t *buf;  // The whole event
    const uint8_t *body; // After the common header
    size_t body_len;     // Up to the checksum
};

// The format that the last format description set for the events after it
struct format {
    uint8_t header_len;
    bool has_crc;
    enum myha_gtid_flavor flavor;
    const uint8_t *post_lens; // Post-header length of type i + 1 at [i]
    size_t n_post_lens;
};

struct walker;

typedef int (*meta_fn)(struct walker *w, const struct raw_event *ev);

struct walker {
    const struct myha_binlog *log;
    char **ret_err;
    uint64_t pos;
    struct format fmt;
    uint64_t n_events;
    bool relay;     // Next positions are the source's, not offsets in this file
    bool seen_data; // An event of a transaction, or unknown

    // Grouping into transactions (group == true)
    bool group;
    enum trx_state state;
    struct myha_binlog_trx cur;
    uint64_t safe_end;
    bool truncated;
    uint64_t n_trx;
    uint64_t n_abandoned;

    // Last complete event, for the summary
    uint8_t last_type;
    const uint8_t *last_body;
    size_t last_body_len;

    myha_binlog_event_fn on_event;
    myha_binlog_trx_fn on_trx;
    meta_fn on_meta; // GTID_LIST and Previous_GTIDs
    void *user_data;
};

static uint16_t
le16(const uint8_t *p)
{
    return (uint16_t) (p[0] | (p[1] << 8));
}

static uint32_t
le32(const uint8_t *p)
{
    return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16)
           | ((uint32_t) p[3] << 24);
}

static uint64_t
le64(const uint8_t *p)
{
    return (uint64_t) le32(p) | ((uint64_t) le32(p + 4) << 32);
}

/* CRC-32 (ISO-HDLC, zlib's), sliced by 8.  The table lives in the reader
 * that verifies, so the module needs no global state.
 */
static uint32_t *
crc_table_new(void)
{
    uint32_t *t = calloc(8 * 256, sizeof(*t));

    if (t == NULL) {
        return NULL;
    }
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;

        for (int k = 0; k < 8; k++) {
            c = (c & 1) ? (c >> 1) ^ UINT32_C(0xedb88320) : (c >> 1);
        }
        t[i] = c;
    }
    for (size_t i = 0; i < 256; i++) {
        for (size_t k = 1; k < 8; k++) {
            uint32_t prev = t[(k - 1) * 256 + i];

            t[k * 256 + i] = (prev >> 8) ^ t[prev & 0xff];
        }
    }
    return t;
}

static uint32_t
crc_update(const uint32_t *t, uint32_t crc, const uint8_t *p, size_t len)
{
    crc = ~crc;
    while (len >= 8) {
        uint32_t one = crc ^ le32(p);
        uint32_t two = le32(p + 4);

        crc = t[7 * 256 + (one & 0xff)] ^ t[6 * 256 + ((one >> 8) & 0xff)]
              ^ t[5 * 256 + ((one >> 16) & 0xff)] ^ t[4 * 256 + (one >> 24)]
              ^ t[3 * 256 + (two & 0xff)] ^ t[2 * 256 + ((two >> 8) & 0xff)]
              ^ t[1 * 256 + ((two >> 16) & 0xff)] ^ t[0 * 256 + (two >> 24)];
        p += 8;
        len -= 8;
    }
    while (len > 0) {
        crc = t[(crc ^ *p) & 0xff] ^ (crc >> 8);
        p++;
        len--;
    }
    return ~crc;
}

static const char *
log_name(const struct myha_binlog *log)
{
    return log->name;
}

/* Set *ret_err (if wanted) to "binlog 'NAME': " and the message; return rc.
 * Without memory for the message the caller still gets rc.
 */
static int fail(char **ret_err, const struct myha_binlog *log, int rc,
                const char *format, ...) __attribute__((format(printf, 4, 5)));

static int
fail(char **ret_err, const struct myha_binlog *log, int rc, const char *format,
     ...)
{
    va_list ap;
    char *detail = NULL;
    int n = 0;

    if (ret_err == NULL) {
        return rc;
    }
    va_start(ap, format);
    n = vasprintf(&detail, format, ap);
    va_end(ap);
    if (n < 0) {
        return rc;
    }
    if (asprintf(ret_err, "binlog '%s': %s", log_name(log), detail) < 0) {
        *ret_err = NULL;
    }
    free(detail);
    return rc;
}

static enum event_class
event_class(uint8_t type)
{
    switch (type) {
        case EV_STOP:
        case EV_ROTATE:
        case EV_INCIDENT:
        case EV_HEARTBEAT:
        case EV_PREVIOUS_GTIDS:
        case EV_HEARTBEAT_V2:
        case EV_BINLOG_CHECKPOINT:
        case EV_GTID_LIST:
        case EV_START_ENCRYPTION:
            return CLASS_META;
        case EV_FORMAT:
            return CLASS_FORMAT;
        case EV_MYSQL_GTID:
        case EV_ANONYMOUS_GTID:
        case EV_GTID_TAGGED:
        case EV_MARIA_GTID:
            return CLASS_GTID;
        case EV_QUERY:
        case EV_QUERY_COMPRESSED:
            return CLASS_QUERY;
        case EV_XID:
        case EV_XA_PREPARE:
        case EV_TRANSACTION_PAYLOAD:
            return CLASS_END;
        case EV_INTVAR:
        case EV_RAND:
        case EV_USER_VAR:
        case EV_TABLE_MAP:
        case EV_ANNOTATE_ROWS:
            return CLASS_BODY;
        default:
            // Rows events of every version, LOAD DATA events, ...
            if (((type >= 20) && (type <= 25)) || ((type >= 29) && (type <= 32))
                || (type == 39) || ((type >= 166) && (type <= 171))) {
                return CLASS_BODY;
            }
            return CLASS_OTHER;
    }
}

static bool
is_known_type(uint8_t type)
{
    return ((type >= EV_START_V3) && (type <= EV_MYSQL_LAST))
           || ((type >= EV_ANNOTATE_ROWS) && (type <= EV_MARIA_LAST));
}

/* A crash can leave zeros where the server had not written yet (the file
 * size was updated, its data was not).  An event that fails a check because
 * the zeros that end the buffer start at or before offset at is where the
 * file ends, not corruption.
 */
static bool
is_zeroed_from(const struct myha_binlog *log, uint64_t at)
{
    return (log->zero_from < log->size) && (log->zero_from <= at);
}

// Major, minor, patch of "X.Y.Z..." as MySQL reads them; 0s if unreadable
static void
version_split(const char *version, unsigned int split[3])
{
    const char *p = version;

    split[0] = split[1] = split[2] = 0;
    for (int i = 0; i < 3; i++) {
        unsigned int v = 0;
        bool digits = false;

        while ((*p >= '0') && (*p <= '9')) {
            if (v > 1000) {
                goto bad;
            }
            v = v * 10 + (unsigned int) (*p - '0');
            digits = true;
            p++;
        }
        if (!digits) {
            goto bad;
        }
        split[i] = v;
        if (i < 2) {
            if (*p != '.') {
                goto bad;
            }
            p++;
        }
    }
    return;

bad:
    split[0] = split[1] = split[2] = 0;
}

/* Whether a format description from this server version ends with a
 * checksum algorithm byte and a CRC32: MySQL 5.6.1 and MariaDB 5.3.0 on.
 */
static bool
version_has_checksum(const char *version, bool mariadb)
{
    static const unsigned int mysql_split[3] = { 5, 6, 1 };
    static const unsigned int mariadb_split[3] = { 5, 3, 0 };
    const unsigned int *min = mariadb ? mariadb_split : mysql_split;
    unsigned int v[3];

    version_split(version, v);
    for (int i = 0; i < 3; i++) {
        if (v[i] != min[i]) {
            return v[i] > min[i];
        }
    }
    return true;
}

/* In a binary log every event's next position is where the next event
 * starts.  A relay log keeps its source's positions: after its own format
 * description (and MySQL's Previous_GTIDs) comes its source's Rotate or
 * format description, the first event whose next position differs, before
 * any transaction.
 */
static bool
may_start_relay(const struct walker *w, const struct myha_binlog_event *h)
{
    return !w->seen_data && ((h->type == EV_ROTATE) || (h->type == EV_FORMAT));
}

/* Read the event at w->pos.  A complete event whose CRC (when verified)
 * matches gives READ_EVENT; READ_END and READ_TRUNCATED say where the
 * buffer stops.  Sizes that cannot be a tail being written are errors.
 */
static int
read_event(struct walker *w, struct raw_event *ev, enum read_status *status)
{
    const struct myha_binlog *log = w->log;
    uint64_t pos = w->pos;
    uint64_t rem = log->size - pos;
    const uint8_t *p = log->data + pos;
    struct myha_binlog_event *h = &ev->hdr;
    bool is_fd = false;
    bool crc = false;
    uint32_t min_size = 0;

    if (rem == 0) {
        *status = READ_END;
        return 0;
    }
    if (rem < HEADER_MIN) {
        *status = READ_TRUNCATED;
        return 0;
    }
    h->offset = pos;
    h->timestamp = le32(p);
    h->type = p[4];
    h->server_id = le32(p + 5);
    h->size = le32(p + 9);
    h->next_pos = le32(p + 13);
    h->flags = le16(p + FLAGS_OFFSET);

    is_fd = (h->type == EV_FORMAT);
    crc = !is_fd && w->fmt.has_crc;
    min_size = (is_fd ? HEADER_MIN : w->fmt.header_len) + (crc ? CRC_LEN : 0);
    if (h->size < min_size) {
        // Zeros from the size field on
        if (is_zeroed_from(log, pos + 12)) {
            *status = READ_TRUNCATED;
            return 0;
        }
        return fail(w->ret_err, log, myha_rc_parse,
                    "event at offset %" PRIu64 " claims size %" PRIu32
                    ", less than its header (%" PRIu32 ")",
                    pos, h->size, min_size);
    }
    if (h->size > rem) {
        /* The tail of a file being written, unless the size is absurd, the
         * type unknown, or the next position contradicts the size.
         */
        bool pos_ok = w->relay || (w->n_events == 0)
                      || (h->next_pos == (uint32_t) (pos + h->size))
                      || may_start_relay(w, h);

        if (((h->size <= EVENT_SIZE_MAX) && is_known_type(h->type) && pos_ok)
            || is_zeroed_from(log, pos + 16)) {
            *status = READ_TRUNCATED;
            return 0;
        }
        return fail(w->ret_err, log, myha_rc_parse,
                    "event at offset %" PRIu64 " claims size %" PRIu32
                    " beyond end of file (%zu)",
                    pos, h->size, log->size);
    }
    if (!w->relay && (w->n_events > 0)
        && (h->next_pos != (uint32_t) (pos + h->size))) {
        if (!may_start_relay(w, h)) {
            // Zeros from the next position on
            if (is_zeroed_from(log, pos + 16)) {
                *status = READ_TRUNCATED;
                return 0;
            }
            return fail(w->ret_err, log, myha_rc_parse,
                        "event at offset %" PRIu64 " (size %" PRIu32
                        ") claims next position %" PRIu32 ", not %" PRIu64,
                        pos, h->size, h->next_pos, pos + h->size);
        }
        w->relay = true;
    }

    ev->buf = p;
    ev->body = p + (is_fd ? HEADER_MIN : w->fmt.header_len);
    ev->body_len = h->size - min_size;
    if (crc && (log->crc_table != NULL)) {
        uint32_t stored = le32(p + h->size - CRC_LEN);
        uint32_t computed = crc_update(log->crc_table, 0, p, h->size - CRC_LEN);

        if (stored != computed) {
            // A checksum of zeros, in the zeros
            if ((stored == 0) && is_zeroed_from(log, pos + h->size - CRC_LEN)) {
                *status = READ_TRUNCATED;
                return 0;
            }
            return fail(w->ret_err, log, myha_rc_parse,
                        "CRC32 mismatch in event at offset %" PRIu64
                        " (type %u, size %" PRIu32 "): stored 0x%08" PRIx32
                        ", computed 0x%08" PRIx32,
                        pos, h->type, h->size, stored, computed);
        }
    }
    *status = READ_EVENT;
    return 0;
}

// Copy at most len bytes of s, stopping at NUL, with unprintables as '?'
static void
copy_printable(char *dst, size_t dst_len, const uint8_t *s, size_t len)
{
    size_t i = 0;

    for (; (i < len) && (i + 1 < dst_len) && (s[i] != '\0'); i++) {
        dst[i] = ((s[i] >= 0x20) && (s[i] < 0x7f)) ? (char) s[i] : '?';
    }
    dst[i] = '\0';
}

/* Take the format that a format description event sets; fill *ret_info
 * (may be NULL) with what it says.
 */
static int
parse_format(struct walker *w, const struct raw_event *ev,
             struct myha_binlog_info *ret_info)
{
    const struct myha_binlog *log = w->log;
    const uint8_t *b = ev->body;
    size_t len = ev->body_len;
    struct myha_binlog_info info = { 0 };
    struct format fmt = { 0 };
    bool mariadb = false;
    const uint8_t *rest = NULL;
    size_t rest_len = 0;

    if (len < FD_FIXED_LEN) {
        return fail(w->ret_err, log, myha_rc_parse,
                    "format description at offset %" PRIu64
                    " is too short (%" PRIu32 " bytes)",
                    ev->hdr.offset, ev->hdr.size);
    }
    copy_printable(info.server_version, sizeof(info.server_version), b + 2,
                   FD_VERSION_LEN);
    mariadb = (strstr(info.server_version, "MariaDB") != NULL);
    rest = b + FD_FIXED_LEN;
    rest_len = len - FD_FIXED_LEN;
    info.checksum = MYHA_BINLOG_CHECKSUM_NONE;
    if (version_has_checksum(info.server_version, mariadb)) {
        uint8_t alg = 0;

        // Algorithm byte, then a CRC32 (present even with NONE)
        if (rest_len < FD_ALG_LEN + CRC_LEN) {
            return fail(w->ret_err, log, myha_rc_parse,
                        "format description at offset %" PRIu64
                        " has no room for its checksum",
                        ev->hdr.offset);
        }
        if (log->crc_table != NULL) {
            /* Computed with the in-use flag clear: the server clears it in
             * place when it closes the file.
             */
            const uint8_t *p = ev->buf;
            uint8_t flags0 = (uint8_t) (p[FLAGS_OFFSET] & ~F_BINLOG_IN_USE);
            uint32_t size = ev->hdr.size;
            uint32_t stored = le32(p + size - CRC_LEN);
            uint32_t crc = crc_update(log->crc_table, 0, p, FLAGS_OFFSET);

            crc = crc_update(log->crc_table, crc, &flags0, 1);
            crc = crc_update(log->crc_table, crc, p + FLAGS_OFFSET + 1,
                             size - CRC_LEN - FLAGS_OFFSET - 1);
            if (crc != stored) {
                return fail(w->ret_err, log, myha_rc_parse,
                            "CRC32 mismatch in event at offset %" PRIu64
                            " (format description, size %" PRIu32
                            "): stored 0x%08" PRIx32 ", computed 0x%08" PRIx32,
                            ev->hdr.offset, size, stored, crc);
            }
        }
        alg = rest[rest_len - CRC_LEN - FD_ALG_LEN];
        if (alg > MYHA_BINLOG_CHECKSUM_CRC32) {
            return fail(w->ret_err, log, myha_rc_parse,
                        "format description at offset %" PRIu64
                        " gives unknown checksum algorithm %u",
                        ev->hdr.offset, alg);
        }
        info.checksum = (enum myha_binlog_checksum) alg;
        rest_len -= FD_ALG_LEN + CRC_LEN;
    }

    info.binlog_version = le16(b);
    if (info.binlog_version != 4) {
        return fail(w->ret_err, log, myha_rc_unimplemented,
                    "format description at offset %" PRIu64
                    ": binlog format version %u not supported (only 4)",
                    ev->hdr.offset, info.binlog_version);
    }
    info.created = le32(b + 2 + FD_VERSION_LEN);
    fmt.header_len = b[2 + FD_VERSION_LEN + 4];
    info.server_id = ev->hdr.server_id;
    info.in_use = (ev->hdr.flags & F_BINLOG_IN_USE) != 0;
    if (fmt.header_len < HEADER_MIN) {
        return fail(w->ret_err, log, myha_rc_parse,
                    "format description at offset %" PRIu64
                    " gives header length %u, less than %d",
                    ev->hdr.offset, fmt.header_len, HEADER_MIN);
    }
    info.flavor = fmt.flavor = mariadb ? MYHA_GTID_MARIADB : MYHA_GTID_MYSQL;
    fmt.has_crc = (info.checksum == MYHA_BINLOG_CHECKSUM_CRC32);
    fmt.post_lens = rest;
    fmt.n_post_lens = rest_len;
    w->fmt = fmt;
    if (ret_info != NULL) {
        *ret_info = info;
    }
    return 0;
}

static size_t
post_len(const struct walker *w, uint8_t type, size_t fallback)
{
    if ((type >= 1) && ((size_t) type <= w->fmt.n_post_lens)) {
        return w->fmt.post_lens[type - 1];
    }
    return fallback;
}

static bool
text_is(const uint8_t *text, size_t len, const char *word)
{
    size_t n = strlen(word);

    if (len != n) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t c = text[i];

        if ((c >= 'a') && (c <= 'z')) {
            c = (uint8_t) (c - 'a' + 'A');
        }
        if (c != (uint8_t) word[i]) {
            return false;
        }
    }
    return true;
}

static bool
text_starts(const uint8_t *text, size_t len, const char *word)
{
    size_t n = strlen(word);

    return (len > n) && text_is(text, n, word)
           && ((text[n] == ' ') || (text[n] == '\t'));
}

static int
classify_query(struct walker *w, const struct raw_event *ev,
               enum query_kind *ret_kind)
{
    size_t post = 0;
    size_t off = 0;
    const uint8_t *text = NULL;
    size_t len = 0;

    if (ev->hdr.type == EV_QUERY_COMPRESSED) {
        // Only long statements are compressed: never BEGIN or COMMIT
        *ret_kind = QUERY_STATEMENT;
        return 0;
    }
    post = post_len(w, EV_QUERY, QUERY_POST_MIN);
    if ((post < QUERY_POST_MIN) || (ev->body_len < post)) {
        return fail(w->ret_err, w->log, myha_rc_parse,
                    "query event at offset %" PRIu64 " is too short (%" PRIu32
                    " bytes)",
                    ev->hdr.offset, ev->hdr.size);
    }
    // Status variables, database name and its NUL, then the statement
    off = post + (size_t) le16(ev->body + 11) + (size_t) ev->body[8] + 1;
    if (off > ev->body_len) {
        return fail(w->ret_err, w->log, myha_rc_parse,
                    "query event at offset %" PRIu64
                    ": status and database (%zu bytes) beyond its end (%zu)",
                    ev->hdr.offset, off, ev->body_len);
    }
    text = ev->body + off;
    len = ev->body_len - off;
    while ((len > 0) && ((text[len - 1] == ' ') || (text[len - 1] == ';'))) {
        len--;
    }
    if (text_is(text, len, "BEGIN") || text_starts(text, len, "XA START")
        || text_starts(text, len, "XA BEGIN")) {
        *ret_kind = QUERY_BEGIN;
    } else if (text_is(text, len, "COMMIT") || text_is(text, len, "ROLLBACK")
               || text_starts(text, len, "XA PREPARE")
               || text_starts(text, len, "XA COMMIT")
               || text_starts(text, len, "XA ROLLBACK")) {
        *ret_kind = QUERY_END;
    } else {
        *ret_kind = QUERY_STATEMENT;
    }
    return 0;
}

static const char *
flavor_name(enum myha_gtid_flavor flavor)
{
    return (flavor == MYHA_GTID_MARIADB) ? "MariaDB" : "MySQL";
}

static int
parse_gtid_event(struct walker *w, const struct raw_event *ev,
                 struct myha_binlog_trx *trx, bool *ret_standalone)
{
    const uint8_t *b = ev->body;
    enum myha_gtid_flavor flavor =
        (ev->hdr.type == EV_MARIA_GTID) ? MYHA_GTID_MARIADB : MYHA_GTID_MYSQL;
    struct myha_binlog_gtid *g = &trx->gtid;

    *ret_standalone = false;
    if (ev->hdr.type == EV_GTID_TAGGED) {
        return fail(w->ret_err, w->log, myha_rc_unimplemented,
                    "event at offset %" PRIu64
                    ": tagged GTIDs (MySQL 8.4) not supported",
                    ev->hdr.offset);
    }
    if (flavor != w->fmt.flavor) {
        return fail(w->ret_err, w->log, myha_rc_parse,
                    "event at offset %" PRIu64 ": %s GTID in a %s binlog",
                    ev->hdr.offset, flavor_name(flavor),
                    flavor_name(w->fmt.flavor));
    }
    memset(g, 0, sizeof(*g));
    g->flavor = flavor;
    if (flavor == MYHA_GTID_MARIADB) {
        // seq_no, domain_id, flags2 [, commit_id] [, XID]
        if (ev->body_len < 8 + 4 + 1) {
            goto too_short;
        }
        g->seq_no = le64(b);
        g->domain_id = le32(b + 8);
        g->server_id = ev->hdr.server_id;
        *ret_standalone = (b[12] & MARIA_FL_STANDALONE) != 0;
        trx->has_gtid = true;
        return 0;
    }
    // flags, source UUID, GNO, then logical clocks we do not need
    if (ev->body_len < 1 + UUID_LEN + 8) {
        goto too_short;
    }
    if (ev->hdr.type == EV_ANONYMOUS_GTID) {
        trx->has_gtid = false;
        return 0;
    }
    memcpy(g->uuid, b + 1, UUID_LEN);
    g->seq_no = le64(b + 1 + UUID_LEN);
    if ((g->seq_no == 0) || (g->seq_no > MYSQL_GNO_MAX)) {
        return fail(w->ret_err, w->log, myha_rc_parse,
                    "GTID event at offset %" PRIu64
                    " has invalid transaction number %" PRIu64,
                    ev->hdr.offset, g->seq_no);
    }
    trx->has_gtid = true;
    return 0;

too_short:
    return fail(w->ret_err, w->log, myha_rc_parse,
                "GTID event at offset %" PRIu64 " is too short (%" PRIu32
                " bytes)",
                ev->hdr.offset, ev->hdr.size);
}

static void
trx_begin(struct walker *w, const struct raw_event *ev, enum trx_state state)
{
    w->state = state;
    w->cur.start = ev->hdr.offset;
    w->cur.end = ev->hdr.offset + ev->hdr.size;
    w->cur.timestamp = ev->hdr.timestamp;
    w->cur.server_id = ev->hdr.server_id;
    w->cur.n_events = 0; // Counted by walk_group()
}

static int
trx_end(struct walker *w, const struct raw_event *ev)
{
    w->state = TRX_NONE;
    w->cur.end = ev->hdr.offset + ev->hdr.size;
    w->n_trx++;
    if (w->on_trx != NULL) {
        return w->on_trx(&w->cur, w->user_data);
    }
    return 0;
}

/* An event that cannot be where it is.  In a relay log, a transaction cut
 * short by a reconnection to the source is followed by a new start, and the
 * partial one is dropped; in a binary log this is corruption.
 */
static int
out_of_place(struct walker *w, const struct raw_event *ev, const char *what)
{
    if (w->relay) {
        if (w->state != TRX_NONE) {
            w->n_abandoned++;
            w->state = TRX_NONE;
        }
        return 0;
    }
    if (w->state != TRX_NONE) {
        return fail(w->ret_err, w->log, myha_rc_parse,
                    "event at offset %" PRIu64 " (type %u) %s inside the "
                    "transaction that starts at offset %" PRIu64,
                    ev->hdr.offset, ev->hdr.type, what, w->cur.start);
    }
    return fail(w->ret_err, w->log, myha_rc_parse,
                "event at offset %" PRIu64 " (type %u) %s outside a "
                "transaction",
                ev->hdr.offset, ev->hdr.type, what);
}

// The transaction state machine, one event at a time
static int
walk_group(struct walker *w, const struct raw_event *ev)
{
    int rc = 0;
    bool standalone = false;
    enum query_kind kind = QUERY_STATEMENT;

    if (w->state != TRX_NONE) {
        w->cur.n_events++;
    }
    switch (event_class(ev->hdr.type)) {
        case CLASS_FORMAT:
        case CLASS_META:
            if (w->state != TRX_NONE) {
                rc = out_of_place(w, ev, "appears");
                if (rc != 0) {
                    return rc;
                }
            }
            if (((ev->hdr.type == EV_GTID_LIST)
                 || (ev->hdr.type == EV_PREVIOUS_GTIDS))
                && (w->on_meta != NULL)) {
                return w->on_meta(w, ev);
            }
            return 0;

        case CLASS_GTID:
            if (w->state != TRX_NONE) {
                rc = out_of_place(w, ev, "starts a transaction");
                if (rc != 0) {
                    return rc;
                }
            }
            rc = parse_gtid_event(w, ev, &w->cur, &standalone);
            if (rc != 0) {
                return rc;
            }
            if (ev->hdr.type == EV_MARIA_GTID) {
                trx_begin(w, ev, standalone ? TRX_STANDALONE : TRX_OPEN);
            } else {
                trx_begin(w, ev, TRX_AWAIT);
            }
            w->cur.n_events = 1;
            return 0;

        case CLASS_QUERY:
            rc = classify_query(w, ev, &kind);
            if (rc != 0) {
                return rc;
            }
            switch (w->state) {
                case TRX_NONE:
                    // No GTID event (old servers): BEGIN ... or one statement
                    memset(&w->cur.gtid, 0, sizeof(w->cur.gtid));
                    w->cur.has_gtid = false;
                    if (kind == QUERY_END) {
                        return out_of_place(w, ev, "ends a transaction");
                    }
                    trx_begin(w, ev, TRX_OPEN);
                    w->cur.n_events = 1;
                    return (kind == QUERY_BEGIN) ? 0 : trx_end(w, ev);
                case TRX_AWAIT:
                    if (kind == QUERY_BEGIN) {
                        w->state = TRX_OPEN;
                        return 0;
                    }
                    return trx_end(w, ev);
                case TRX_STANDALONE:
                    return trx_end(w, ev);
                case TRX_OPEN:
                    return (kind == QUERY_END) ? trx_end(w, ev) : 0;
            }
            return 0;

        case CLASS_END:
            if (w->state == TRX_NONE) {
                return out_of_place(w, ev, "ends a transaction");
            }
            return trx_end(w, ev);

        case CLASS_BODY:
            if (w->state == TRX_NONE) {
                return out_of_place(w, ev, "appears");
            }
            if (w->state == TRX_AWAIT) {
                w->state = TRX_OPEN;
            }
            return 0;

        case CLASS_OTHER:
            return 0;
    }
    return 0;
}

static void
walker_init(struct walker *w, const struct myha_binlog *log, char **ret_err)
{
    memset(w, 0, sizeof(*w));
    w->log = log;
    w->ret_err = ret_err;
    w->pos = MAGIC_LEN;
    w->fmt.header_len = HEADER_MIN;
    w->state = TRX_NONE;
    w->safe_end = MAGIC_LEN;
}

/* Walk every event from the start.  Returns 0 at the end of the buffer
 * (w->truncated says how it ended), an error, or the first non-zero value
 * a callback returned.
 */
static int
walk(struct walker *w)
{
    const struct myha_binlog *log = w->log;

    for (;;) {
        struct raw_event ev;
        enum read_status status = READ_END;
        int rc = read_event(w, &ev, &status);

        if (rc != 0) {
            return rc;
        }
        if (status != READ_EVENT) {
            w->truncated = (status == READ_TRUNCATED)
                           || (w->group && (w->state != TRX_NONE));
            return 0;
        }
        if (ev.hdr.type == EV_FORMAT) {
            rc = parse_format(w, &ev, NULL);
        } else if (w->n_events == 0) {
            rc = fail(w->ret_err, log, myha_rc_parse,
                      "first event (at offset %" PRIu64 ", type %u) is not "
                      "a format description",
                      ev.hdr.offset, ev.hdr.type);
        } else if (ev.hdr.type == EV_START_ENCRYPTION) {
            rc = fail(w->ret_err, log, myha_rc_unimplemented,
                      "encrypted binlog not supported (event at offset "
                      "%" PRIu64 ")",
                      ev.hdr.offset);
        }
        if (rc != 0) {
            return rc;
        }
        w->n_events++;
        if ((event_class(ev.hdr.type) != CLASS_META)
            && (event_class(ev.hdr.type) != CLASS_FORMAT)) {
            w->seen_data = true;
        }
        if (w->on_event != NULL) {
            rc = w->on_event(&ev.hdr, w->user_data);
            if (rc != 0) {
                return rc;
            }
        }
        if (w->group) {
            rc = walk_group(w, &ev);
            if (rc != 0) {
                return rc;
            }
            if (w->state == TRX_NONE) {
                w->safe_end = ev.hdr.offset + ev.hdr.size;
            }
        }
        w->last_type = ev.hdr.type;
        w->last_body = ev.body;
        w->last_body_len = ev.body_len;
        // Never 0: read_event() checked that size >= HEADER_MIN
        w->pos += ev.hdr.size;
    }
}

/*!
 * \brief Map a file read-only, for myha_binlog_new()
 *
 * \param[in]  path     File to map
 * \param[out] ret_map  Where to store the mapping (data is NULL for an
 *                      empty file)
 *
 * \return 0 or a positive errno
 * \note Release with myha_binlog_map_release().  The mapping covers the size
 *       the file had when mapped; a file truncated while mapped makes reads
 *       beyond its new end fail with SIGBUS (binary logs only grow).
 */
int
myha_binlog_map_file(const char *path, struct myha_binlog_map *ret_map)
{
    struct stat st;
    void *data = NULL;
    int fd = -1;
    int rc = 0;

    if ((path == NULL) || (ret_map == NULL)) {
        return EINVAL;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        return errno;
    }
    if (fstat(fd, &st) != 0) {
        rc = errno;
        goto out_close_fd;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = EINVAL;
        goto out_close_fd;
    }
    if ((uint64_t) st.st_size > SIZE_MAX) {
        rc = EFBIG;
        goto out_close_fd;
    }
    if (st.st_size > 0) {
        data = mmap(NULL, (size_t) st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (data == MAP_FAILED) {
            rc = errno;
            goto out_close_fd;
        }
        (void) madvise(data, (size_t) st.st_size, MADV_SEQUENTIAL);
    }
    ret_map->data = data;
    ret_map->size = (size_t) st.st_size;

out_close_fd:
    close(fd);
    return rc;
}

/*!
 * \brief Unmap what myha_binlog_map_file() mapped
 *
 * \param[in,out] map  Mapping to release (NULL or empty is fine)
 */
void
myha_binlog_map_release(struct myha_binlog_map *map)
{
    if ((map == NULL) || (map->data == NULL)) {
        return;
    }
    munmap((void *) map->data, map->size);
    map->data = NULL;
    map->size = 0;
}

/*!
 * \brief Start reading a binary or relay log held in memory
 *
 * Checks the magic number and reads the first format description.
 *
 * \param[in]  name     Name of the file, for messages (NULL: "(buffer)")
 * \param[in]  data     The file's bytes; must stay valid and unchanged until
 *                      myha_binlog_free()
 * \param[in]  size     Bytes at data
 * \param[in]  flags    Bitwise or of enum myha_binlog_flags
 * \param[out] ret_log  Where to store the new reader
 * \param[out] ret_err  If not NULL, on myha_rc_parse or
 *                      myha_rc_unimplemented, where to store a message that
 *                      names the file and the offset at fault
 *
 * \return 0, EINVAL, ENOMEM, myha_rc_parse (not a binary log, or its format
 *         description is malformed or truncated) or myha_rc_unimplemented
 *         (binlog format before v4)
 * \note The caller frees *ret_log with myha_binlog_free() and *ret_err with
 *       free().
 */
int
myha_binlog_new(const char *name, const void *data, size_t size,
                unsigned int flags, struct myha_binlog **ret_log,
                char **ret_err)
{
    struct myha_binlog *log = NULL;
    struct walker w;
    struct raw_event ev;
    enum read_status status = READ_END;
    int rc = 0;

    if ((ret_log == NULL) || ((data == NULL) && (size > 0))) {
        return EINVAL;
    }
    log = calloc(1, sizeof(*log));
    if (log == NULL) {
        return ENOMEM;
    }
    log->name = strndup((name == NULL) ? "(buffer)" : name, PATH_MAX);
    if (log->name == NULL) {
        rc = ENOMEM;
        goto out_free_log;
    }
    log->data = data;
    log->size = size;
    log->flags = flags;
    log->zero_from = size;
    while ((log->zero_from > 0) && (log->data[log->zero_from - 1] == 0)) {
        log->zero_from--;
    }
    if ((flags & MYHA_BINLOG_VERIFY_CRC) != 0) {
        log->crc_table = crc_table_new();
        if (log->crc_table == NULL) {
            rc = ENOMEM;
            goto out_free_log;
        }
    }

    if ((size < MAGIC_LEN) || (memcmp(data, MAGIC, MAGIC_LEN) != 0)) {
        rc = fail(ret_err, log, myha_rc_parse,
                  "not a binary log (no magic number at offset 0)");
        goto out_free_log;
    }
    walker_init(&w, log, ret_err);
    rc = read_event(&w, &ev, &status);
    if (rc != 0) {
        goto out_free_log;
    }
    if (status != READ_EVENT) {
        rc = fail(ret_err, log, myha_rc_parse,
                  "file ends (at %zu) before its format description is "
                  "complete",
                  size);
        goto out_free_log;
    }
    if (ev.hdr.type == EV_START_V3) {
        rc = fail(ret_err, log, myha_rc_unimplemented,
                  "binlog format before v4 (MySQL 5.0) not supported");
        goto out_free_log;
    }
    if (ev.hdr.type != EV_FORMAT) {
        rc = fail(ret_err, log, myha_rc_parse,
                  "first event (at offset %d, type %u) is not a format "
                  "description",
                  MAGIC_LEN, ev.hdr.type);
        goto out_free_log;
    }
    rc = parse_format(&w, &ev, &log->info);
    if (rc != 0) {
        goto out_free_log;
    }
    *ret_log = log;
    return 0;

out_free_log:
    myha_binlog_free(log);
    return rc;
}

/*!
 * \brief Free a reader (not the buffer it reads)
 *
 * \param[in,out] log  Reader to free (NULL is fine)
 */
void
myha_binlog_free(struct myha_binlog *log)
{
    if (log == NULL) {
        return;
    }
    free(log->crc_table);
    free(log->name);
    free(log);
}

/*!
 * \brief What the file's first format description says
 *
 * \param[in] log  Reader
 *
 * \return Information owned by log
 */
const struct myha_binlog_info *
myha_binlog_get_info(const struct myha_binlog *log)
{
    return &log->info;
}

/*!
 * \brief Call a function for every complete event, in file order
 *
 * \param[in]  log        Reader
 * \param[in]  fn         Function to call
 * \param[in]  user_data  Passed to fn
 * \param[out] ret_err    If not NULL, on myha_rc_parse or
 *                        myha_rc_unimplemented, where to store a message
 *
 * \return 0 when the file ends (an event cut short by the end of the file
 *         is not reported), the first non-zero value fn returned,
 *         myha_rc_parse or myha_rc_unimplemented
 * \note The caller frees *ret_err.
 */
int
myha_binlog_foreach_event(const struct myha_binlog *log,
                          myha_binlog_event_fn fn, void *user_data,
                          char **ret_err)
{
    struct walker w;

    if ((log == NULL) || (fn == NULL)) {
        return EINVAL;
    }
    walker_init(&w, log, ret_err);
    w.on_event = fn;
    w.user_data = user_data;
    return walk(&w);
}

/*!
 * \brief Call a function for every complete transaction, in file order
 *
 * A transaction is a GTID event and the events up to its end: an Xid, a
 * COMMIT or ROLLBACK, an XA PREPARE, or, for a DDL, its one statement.
 *
 * \param[in]  log        Reader
 * \param[in]  fn         Function to call
 * \param[in]  user_data  Passed to fn
 * \param[out] ret_err    If not NULL, on myha_rc_parse or
 *                        myha_rc_unimplemented, where to store a message
 *
 * \return 0 when the file ends (a transaction cut short by the end of the
 *         file is not reported), the first non-zero value fn returned,
 *         myha_rc_parse or myha_rc_unimplemented
 * \note The caller frees *ret_err.
 */
int
myha_binlog_foreach_trx(const struct myha_binlog *log, myha_binlog_trx_fn fn,
                        void *user_data, char **ret_err)
{
    struct walker w;

    if ((log == NULL) || (fn == NULL)) {
        return EINVAL;
    }
    walker_init(&w, log, ret_err);
    w.group = true;
    w.on_trx = fn;
    w.user_data = user_data;
    return walk(&w);
}

static void
sb_uuid(struct myha_strbuf *sb, const uint8_t *uuid)
{
    for (int i = 0; i < UUID_LEN; i++) {
        myha_strbuf_printf(sb, "%02x%s", uuid[i],
                           ((i == 3) || (i == 5) || (i == 7) || (i == 9)) ? "-"
                                                                          : "");
    }
}

// The GTIDs of a file, as they are collected
struct mysql_stream {
    uint8_t uuid[UUID_LEN];
    uint64_t (*ivs)[2]; // Inclusive intervals, in file order
    size_t n_ivs;
    size_t cap;
};

struct maria_pos {
    uint32_t domain_id;
    uint32_t server_id;
    uint64_t seq_no;
};

struct collector {
    enum myha_gtid_flavor flavor;
    struct mysql_stream *streams;
    size_t n_streams;
    size_t cap_streams;
    struct maria_pos *pos;
    size_t n_pos;
    size_t cap_pos;
};

static int
grow(void **array, size_t *cap, size_t n, size_t elem)
{
    size_t new_cap = 0;
    void *p = NULL;

    if (n < *cap) {
        return 0;
    }
    new_cap = (*cap == 0) ? 4 : *cap;
    if (new_cap > SIZE_MAX / 2 / elem) {
        return ENOMEM;
    }
    new_cap *= 2;
    p = realloc(*array, new_cap * elem);
    if (p == NULL) {
        return ENOMEM;
    }
    *array = p;
    *cap = new_cap;
    return 0;
}

static void
collector_release(struct collector *c)
{
    for (size_t i = 0; i < c->n_streams; i++) {
        free(c->streams[i].ivs);
    }
    free(c->streams);
    free(c->pos);
    memset(c, 0, sizeof(*c));
}

// MySQL: record first..last of uuid, merging with the interval before
static int
collect_mysql(struct collector *c, const uint8_t *uuid, uint64_t first,
              uint64_t last)
{
    struct mysql_stream *s = NULL;
    int rc = 0;

    // Most files have one source: look at the last stream used first
    for (size_t i = c->n_streams; i > 0; i--) {
        if (memcmp(c->streams[i - 1].uuid, uuid, UUID_LEN) == 0) {
            s = &c->streams[i - 1];
            break;
        }
    }
    if (s == NULL) {
        rc = grow((void **) &c->streams, &c->cap_streams, c->n_streams,
                  sizeof(*c->streams));
        if (rc != 0) {
            return rc;
        }
        s = &c->streams[c->n_streams++];
        memset(s, 0, sizeof(*s));
        memcpy(s->uuid, uuid, UUID_LEN);
    }
    if ((s->n_ivs > 0) && (s->ivs[s->n_ivs - 1][1] + 1 == first)) {
        s->ivs[s->n_ivs - 1][1] = last;
        return 0;
    }
    rc = grow((void **) &s->ivs, &s->cap, s->n_ivs, sizeof(*s->ivs));
    if (rc != 0) {
        return rc;
    }
    s->ivs[s->n_ivs][0] = first;
    s->ivs[s->n_ivs][1] = last;
    s->n_ivs++;
    return 0;
}

/* MariaDB: the position of a domain is its last GTID (or, for the GTID list
 * of a file, the one with the highest sequence number)
 */
static int
collect_mariadb(struct collector *c, uint32_t domain_id, uint32_t server_id,
                uint64_t seq_no, bool keep_highest)
{
    int rc = 0;

    for (size_t i = 0; i < c->n_pos; i++) {
        struct maria_pos *p = &c->pos[i];

        if (p->domain_id == domain_id) {
            if (!keep_highest || (seq_no >= p->seq_no)) {
                p->server_id = server_id;
                p->seq_no = seq_no;
            }
            return 0;
        }
    }
    rc = grow((void **) &c->pos, &c->cap_pos, c->n_pos, sizeof(*c->pos));
    if (rc != 0) {
        return rc;
    }
    c->pos[c->n_pos].domain_id = domain_id;
    c->pos[c->n_pos].server_id = server_id;
    c->pos[c->n_pos].seq_no = seq_no;
    c->n_pos++;
    return 0;
}

static int
collector_to_set(const struct collector *c, const struct myha_binlog *log,
                 const char *what, struct myha_gtid_set **ret_set,
                 char **ret_err)
{
    struct myha_strbuf sb = { 0 };
    char *err = NULL;
    int rc = 0;

    myha_strbuf_printf(&sb, "%s", "");
    if (c->flavor == MYHA_GTID_MARIADB) {
        for (size_t i = 0; i < c->n_pos; i++) {
            myha_strbuf_printf(&sb, "%s%" PRIu32 "-%" PRIu32 "-%" PRIu64,
                               (i > 0) ? "," : "", c->pos[i].domain_id,
                               c->pos[i].server_id, c->pos[i].seq_no);
        }
    } else {
        for (size_t i = 0; i < c->n_streams; i++) {
            const struct mysql_stream *s = &c->streams[i];

            if (i > 0) {
                myha_strbuf_printf(&sb, ",");
            }
            sb_uuid(&sb, s->uuid);
            for (size_t k = 0; k < s->n_ivs; k++) {
                if (s->ivs[k][0] == s->ivs[k][1]) {
                    myha_strbuf_printf(&sb, ":%" PRIu64, s->ivs[k][0]);
                } else {
                    myha_strbuf_printf(&sb, ":%" PRIu64 "-%" PRIu64,
                                       s->ivs[k][0], s->ivs[k][1]);
                }
            }
        }
    }
    if (sb.failed) {
        free(sb.s);
        return ENOMEM;
    }
    rc = myha_gtid_set_parse(sb.s, c->flavor, ret_set, &err);
    if (rc == myha_rc_parse) {
        rc = fail(ret_err, log, myha_rc_parse, "%s: %s", what,
                  (err == NULL) ? "invalid GTID set" : err);
    }
    free(err);
    free(sb.s);
    return rc;
}

struct scan_ctx {
    struct myha_binlog_summary *sum;
    struct collector before;
    bool has_before;
    struct collector gtids;
    int rc;
};

static int
scan_trx(const struct myha_binlog_trx *trx, void *user_data)
{
    struct scan_ctx *ctx = user_data;
    struct myha_binlog_summary *sum = ctx->sum;

    if (!sum->has_trx) {
        sum->first = *trx;
        sum->has_trx = true;
    }
    sum->last = *trx;
    if (!trx->has_gtid) {
        return 0;
    }
    if (trx->gtid.flavor == MYHA_GTID_MARIADB) {
        return collect_mariadb(&ctx->gtids, trx->gtid.domain_id,
                               trx->gtid.server_id, trx->gtid.seq_no, false);
    }
    return collect_mysql(&ctx->gtids, trx->gtid.uuid, trx->gtid.seq_no,
                         trx->gtid.seq_no);
}

static int
scan_gtid_list(struct walker *w, const struct raw_event *ev)
{
    struct scan_ctx *ctx = w->user_data;
    struct collector *c = &ctx->before;
    const uint8_t *b = ev->body;
    size_t len = ev->body_len;
    uint32_t count = 0;
    int rc = 0;

    // Only the list at the start of the file says what came before it
    if (ctx->has_before || (w->n_trx > 0)) {
        return 0;
    }
    ctx->has_before = true;
    if (ev->hdr.type == EV_GTID_LIST) {
        if (len < 4) {
            goto malformed;
        }
        count = le32(b) & GTID_LIST_COUNT_MASK;
        if ((len - 4) / 16 < count) {
            goto malformed;
        }
        c->flavor = MYHA_GTID_MARIADB;
        for (uint32_t i = 0; i < count; i++) {
            const uint8_t *e = b + 4 + (size_t) i * 16;

            rc = collect_mariadb(c, le32(e), le32(e + 4), le64(e + 8), true);
            if (rc != 0) {
                return rc;
            }
        }
        return 0;
    }

    // Previous_GTIDs: n_sids, then per sid: uuid, n_intervals, [start, end)
    {
        uint64_t n_sids = 0;
        size_t off = 8;

        if (len < 8) {
            goto malformed;
        }
        n_sids = le64(b);
        if ((n_sids >> 56) != 0) {
            return fail(w->ret_err, w->log, myha_rc_unimplemented,
                        "Previous_GTIDs at offset %" PRIu64
                        ": tagged GTIDs (MySQL 8.4) not supported",
                        ev->hdr.offset);
        }
        c->flavor = MYHA_GTID_MYSQL;
        for (uint64_t i = 0; i < n_sids; i++) {
            const uint8_t *uuid = NULL;
            uint64_t n_ivs = 0;

            if (len - off < UUID_LEN + 8) {
                goto malformed;
            }
            uuid = b + off;
            n_ivs = le64(b + off + UUID_LEN);
            off += UUID_LEN + 8;
            if ((len - off) / 16 < n_ivs) {
                goto malformed;
            }
            for (uint64_t k = 0; k < n_ivs; k++) {
                uint64_t start = le64(b + off);
                uint64_t end = le64(b + off + 8);

                off += 16;
                if ((start == 0) || (end <= start)
                    || (end - 1 > MYSQL_GNO_MAX)) {
                    return fail(w->ret_err, w->log, myha_rc_parse,
                                "Previous_GTIDs at offset %" PRIu64
                                " has invalid interval [%" PRIu64 ", %" PRIu64
                                ")",
                                ev->hdr.offset, start, end);
                }
                rc = collect_mysql(c, uuid, start, end - 1);
                if (rc != 0) {
                    return rc;
                }
            }
        }
        return 0;
    }

malformed:
    return fail(w->ret_err, w->log, myha_rc_parse,
                "%s event at offset %" PRIu64 " is malformed (size %" PRIu32
                ")",
                (ev->hdr.type == EV_GTID_LIST) ? "GTID list" : "Previous_GTIDs",
                ev->hdr.offset, ev->hdr.size);
}

/*!
 * \brief Read a whole file: its transactions, GTIDs and how it ends
 *
 * \param[in]  log      Reader
 * \param[out] ret_sum  Where to store the summary
 * \param[out] ret_err  If not NULL, on myha_rc_parse or
 *                      myha_rc_unimplemented, where to store a message
 *
 * \return 0, ENOMEM, myha_rc_parse (corrupt: a message names the offset) or
 *         myha_rc_unimplemented.  A file cut short (being written) is not an
 *         error: ret_sum->truncated and ret_sum->safe_end say so.
 * \note Release *ret_sum with myha_binlog_summary_release() and free
 *       *ret_err.
 */
int
myha_binlog_scan(const struct myha_binlog *log,
                 struct myha_binlog_summary *ret_sum, char **ret_err)
{
    struct myha_binlog_summary sum = { 0 };
    struct scan_ctx ctx = { 0 };
    struct walker w;
    int rc = 0;

    if ((log == NULL) || (ret_sum == NULL)) {
        return EINVAL;
    }
    ctx.sum = &sum;
    ctx.gtids.flavor = log->info.flavor;
    walker_init(&w, log, ret_err);
    w.group = true;
    w.on_trx = scan_trx;
    w.on_meta = scan_gtid_list;
    w.user_data = &ctx;
    rc = walk(&w);
    if (rc != 0) {
        goto out;
    }
    sum.size = log->size;
    sum.safe_end = w.safe_end;
    sum.truncated = w.truncated;
    sum.n_events = w.n_events;
    sum.n_trx = w.n_trx;
    sum.n_abandoned = w.n_abandoned;
    if (!w.truncated && (w.n_events > 0)) {
        sum.stopped = (w.last_type == EV_STOP);
        if ((w.last_type == EV_ROTATE) && (w.last_body_len > 8)) {
            size_t len = w.last_body_len - 8;

            sum.rotate_to = strndup((const char *) w.last_body + 8, len);
            if (sum.rotate_to == NULL) {
                rc = ENOMEM;
                goto out;
            }
        }
    }
    if (ctx.has_before) {
        rc = collector_to_set(&ctx.before, log, "GTIDs before the file",
                              &sum.before, ret_err);
        if (rc != 0) {
            goto out;
        }
    }
    rc = collector_to_set(&ctx.gtids, log, "GTIDs of the file", &sum.gtids,
                          ret_err);

out:
    collector_release(&ctx.gtids);
    collector_release(&ctx.before);
    if (rc != 0) {
        myha_binlog_summary_release(&sum);
        return rc;
    }
    *ret_sum = sum;
    return 0;
}

/*!
 * \brief Free what a summary holds
 *
 * \param[in,out] sum  Summary from myha_binlog_scan() (NULL is fine)
 */
void
myha_binlog_summary_release(struct myha_binlog_summary *sum)
{
    if (sum == NULL) {
        return;
    }
    myha_gtid_set_free(sum->before);
    myha_gtid_set_free(sum->gtids);
    free(sum->rotate_to);
    memset(sum, 0, sizeof(*sum));
}

// A callback's value that no other result code can be
#define STOP_FOUND INT_MIN

struct find_gtid_ctx {
    const struct myha_binlog_gtid *gtid;
    struct myha_binlog_trx trx;
};

static int
find_gtid_trx(const struct myha_binlog_trx *trx, void *user_data)
{
    struct find_gtid_ctx *ctx = user_data;

    if (trx->has_gtid && myha_is_binlog_gtid_equal(&trx->gtid, ctx->gtid)) {
        ctx->trx = *trx;
        return STOP_FOUND;
    }
    return 0;
}

/*!
 * \brief Find the transaction of a GTID
 *
 * To stop before GTID X, replay up to the start of its transaction.
 *
 * \param[in]  log      Reader
 * \param[in]  gtid     GTID to find (MariaDB: domain, server and sequence
 *                      number must all match)
 * \param[out] ret_trx  Where to store its transaction
 * \param[out] ret_err  If not NULL, on myha_rc_parse or
 *                      myha_rc_unimplemented, where to store a message
 *
 * \return 0, ENOENT if no complete transaction of the file has it,
 *         myha_rc_parse or myha_rc_unimplemented
 * \note The caller frees *ret_err.
 */
int
myha_binlog_find_gtid(const struct myha_binlog *log,
                      const struct myha_binlog_gtid *gtid,
                      struct myha_binlog_trx *ret_trx, char **ret_err)
{
    struct find_gtid_ctx ctx = { .gtid = gtid };
    int rc = 0;

    if ((log == NULL) || (gtid == NULL) || (ret_trx == NULL)) {
        return EINVAL;
    }
    rc = myha_binlog_foreach_trx(log, find_gtid_trx, &ctx, ret_err);
    if (rc == STOP_FOUND) {
        *ret_trx = ctx.trx;
        return 0;
    }
    return (rc == 0) ? ENOENT : rc;
}

struct find_time_ctx {
    int64_t when;
    struct myha_binlog_time_pos pos;
};

static int
find_time_trx(const struct myha_binlog_trx *trx, void *user_data)
{
    struct find_time_ctx *ctx = user_data;

    if ((int64_t) trx->timestamp >= ctx->when) {
        ctx->pos.found = true;
        ctx->pos.at = *trx;
        return STOP_FOUND;
    }
    ctx->pos.has_before = true;
    ctx->pos.before = *trx;
    return 0;
}

/*!
 * \brief Find the first transaction at or after a point in time
 *
 * A transaction's time is its GTID event's, which is not before any other
 * event of it.  To replay what happened before the time, replay up to the
 * start of ret_pos->at (or the whole file, if not found).
 *
 * \param[in]  log      Reader
 * \param[in]  when     Seconds since the epoch
 * \param[out] ret_pos  Where to store the first transaction at or after
 *                      when (in file order), and the one before it
 * \param[out] ret_err  If not NULL, on myha_rc_parse or
 *                      myha_rc_unimplemented, where to store a message
 *
 * \return 0 (found or not), myha_rc_parse or myha_rc_unimplemented
 * \note The caller frees *ret_err.
 */
int
myha_binlog_find_time(const struct myha_binlog *log, int64_t when,
                      struct myha_binlog_time_pos *ret_pos, char **ret_err)
{
    struct find_time_ctx ctx = { .when = when };
    int rc = 0;

    if ((log == NULL) || (ret_pos == NULL)) {
        return EINVAL;
    }
    rc = myha_binlog_foreach_trx(log, find_time_trx, &ctx, ret_err);
    if ((rc != 0) && (rc != STOP_FOUND)) {
        return rc;
    }
    *ret_pos = ctx.pos;
    return 0;
}

static bool
parse_u64(const char *s, size_t len, uint64_t max, uint64_t *ret_value)
{
    uint64_t v = 0;

    if ((len == 0) || (len > 20)) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        uint64_t digit = 0;

        if ((s[i] < '0') || (s[i] > '9')) {
            return false;
        }
        digit = (uint64_t) (s[i] - '0');
        if ((v > max / 10) || (v * 10 > max - digit)) {
            return false;
        }
        v = v * 10 + digit;
    }
    *ret_value = v;
    return true;
}

static int
hex_digit(char c)
{
    if ((c >= '0') && (c <= '9')) {
        return c - '0';
    }
    if ((c >= 'a') && (c <= 'f')) {
        return c - 'a' + 10;
    }
    if ((c >= 'A') && (c <= 'F')) {
        return c - 'A' + 10;
    }
    return -1;
}

/*!
 * \brief Parse one GTID: MariaDB "domain-server-seq" or MySQL "uuid:n"
 *
 * \param[in]  text      GTID (no blanks)
 * \param[out] ret_gtid  Where to store it
 *
 * \return 0, EINVAL or myha_rc_parse
 */
int
myha_binlog_gtid_parse(const char *text, struct myha_binlog_gtid *ret_gtid)
{
    struct myha_binlog_gtid g = { 0 };
    const char *colon = NULL;

    if ((text == NULL) || (ret_gtid == NULL)) {
        return EINVAL;
    }
    colon = strchr(text, ':');
    if (colon == NULL) {
        const char *d1 = strchr(text, '-');
        const char *d2 = (d1 == NULL) ? NULL : strchr(d1 + 1, '-');
        uint64_t domain = 0;
        uint64_t server = 0;

        if ((d2 == NULL)
            || !parse_u64(text, (size_t) (d1 - text), UINT32_MAX, &domain)
            || !parse_u64(d1 + 1, (size_t) (d2 - d1 - 1), UINT32_MAX, &server)
            || !parse_u64(d2 + 1, strlen(d2 + 1), UINT64_MAX, &g.seq_no)) {
            return myha_rc_parse;
        }
        g.flavor = MYHA_GTID_MARIADB;
        g.domain_id = (uint32_t) domain;
        g.server_id = (uint32_t) server;
        *ret_gtid = g;
        return 0;
    }

    // 8-4-4-4-12 hex digits, then ":n"
    if (colon - text != 36) {
        return myha_rc_parse;
    }
    for (size_t i = 0, n = 0; i < 36; i++) {
        int hi = 0;
        int lo = 0;

        if ((i == 8) || (i == 13) || (i == 18) || (i == 23)) {
            if (text[i] != '-') {
                return myha_rc_parse;
            }
            continue;
        }
        hi = hex_digit(text[i]);
        lo = hex_digit(text[i + 1]);
        if ((hi < 0) || (lo < 0)) {
            return myha_rc_parse;
        }
        g.uuid[n++] = (uint8_t) ((hi << 4) | lo);
        i++;
    }
    if (!parse_u64(colon + 1, strlen(colon + 1), MYSQL_GNO_MAX, &g.seq_no)
        || (g.seq_no == 0)) {
        return myha_rc_parse;
    }
    g.flavor = MYHA_GTID_MYSQL;
    *ret_gtid = g;
    return 0;
}

/*!
 * \brief Format one GTID as the server writes it
 *
 * \param[in]  gtid  GTID
 * \param[out] buf   Where to write it, NUL-terminated (truncated to fit)
 * \param[in]  len   Size of buf; MYHA_BINLOG_GTID_TEXT_MAX always fits
 */
void
myha_binlog_gtid_format(const struct myha_binlog_gtid *gtid, char *buf,
                        size_t len)
{
    const uint8_t *u = gtid->uuid;

    if ((buf == NULL) || (len == 0)) {
        return;
    }
    if (gtid->flavor == MYHA_GTID_MARIADB) {
        snprintf(buf, len, "%" PRIu32 "-%" PRIu32 "-%" PRIu64, gtid->domain_id,
                 gtid->server_id, gtid->seq_no);
        return;
    }
    snprintf(buf, len,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
             "%02x%02x%02x%02x%02x%02x:%" PRIu64,
             u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10],
             u[11], u[12], u[13], u[14], u[15], gtid->seq_no);
}

/*!
 * \brief Whether two GTIDs are the same
 *
 * \param[in] a  GTID
 * \param[in] b  GTID
 *
 * \return true if same flavour and same domain, server and sequence number
 *         (MariaDB) or same UUID and number (MySQL)
 */
bool
myha_is_binlog_gtid_equal(const struct myha_binlog_gtid *a,
                          const struct myha_binlog_gtid *b)
{
    if ((a->flavor != b->flavor) || (a->seq_no != b->seq_no)) {
        return false;
    }
    if (a->flavor == MYHA_GTID_MARIADB) {
        return (a->domain_id == b->domain_id) && (a->server_id == b->server_id);
    }
    return memcmp(a->uuid, b->uuid, UUID_LEN) == 0;
}
