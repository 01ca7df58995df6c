/*
 * GTID set algebra for MySQL and MariaDB, used to rank replicas and to find
 * errant transactions.  Pure: no I/O, no logging.
 *
 * A set is a sorted array of streams (a MySQL UUID plus optional 8.4 tag, or
 * a MariaDB replication domain), each holding sorted, disjoint, non-adjacent
 * intervals of transaction numbers.  A MariaDB position "d-s-n" stands for
 * transactions 1..n of domain d (gtid_strict_mode), the last of them from
 * server s; the stream remembers that server id so that two positions at the
 * same sequence number but from different servers count as different
 * transactions.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <myha/gtid.h>
#include <myha/rc.h>
#include <myha/str.h>

#define UUID_BYTES 16
#define UUID_TEXT_LEN 36
#define TAG_MAX_LEN 32

// MySQL transaction numbers are 1 .. INT64_MAX - 1 (GNO_END is exclusive)
#define MYSQL_GNO_MAX ((uint64_t) INT64_MAX - 1)

// How much of the input an error message quotes
#define ERR_TEXT_MAX 128
#define ERR_TOKEN_MAX 64

struct gtid_interval {
    uint64_t first; // Inclusive, >= 1
    uint64_t last;  // Inclusive, >= first
};

// What identifies a stream; unused members stay zero so one order fits both
struct gtid_key {
    uint32_t domain;           // MariaDB domain id
    uint8_t uuid[UUID_BYTES];  // MySQL source UUID
    char tag[TAG_MAX_LEN + 1]; // MySQL 8.4 tag (validated length), "" if none
};

struct gtid_stream {
    struct gtid_key key;
    uint32_t server_id; // MariaDB: server of the transaction at the top
    struct gtid_interval *ivs;
    size_t n_ivs;
};

struct myha_gtid_set {
    enum myha_gtid_flavor flavor;
    struct gtid_stream *streams;
    size_t n_streams;
};

// One interval of one stream, as read or copied, before sorting and merging
struct gtid_atom {
    struct gtid_key key;
    uint32_t server_id;
    struct gtid_interval iv;
    size_t offset; // Where the text it came from starts (parse only)
    size_t len;    // Length of that text
};

struct atom_list {
    struct gtid_atom *atoms;
    size_t n;
    size_t cap;
};

struct gtid_parser {
    const char *text;
    struct atom_list list;
    bool want_err;
    char *err;
};

static bool
is_valid_flavor(enum myha_gtid_flavor flavor)
{
    return (flavor == MYHA_GTID_MYSQL) || (flavor == MYHA_GTID_MARIADB);
}

/* Only the blanks MySQL puts after commas; not isspace(), which depends on
 * the locale and accepts \v and \f.
 */
static bool
is_blank(char c)
{
    return (c == ' ') || (c == '\t') || (c == '\n') || (c == '\r');
}

static bool
is_digit(char c)
{
    return (c >= '0') && (c <= '9');
}

static bool
is_alpha(char c)
{
    return ((c >= 'a') && (c <= 'z')) || ((c >= 'A') && (c <= 'Z'));
}

static int
hex_value(char c)
{
    if (is_digit(c)) {
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

static char
to_lower(char c)
{
    return ((c >= 'A') && (c <= 'Z')) ? (char) (c - 'A' + 'a') : c;
}

static size_t
skip_blanks(const char *text, size_t pos)
{
    while (is_blank(text[pos])) {
        pos++;
    }
    return pos;
}

// Length of the token at pos, up to a blank, the end, or one of delims
static size_t
token_len(const char *text, size_t pos, const char *delims)
{
    size_t len = 0;

    while ((text[pos + len] != '\0') && !is_blank(text[pos + len])
           && (strchr(delims, text[pos + len]) == NULL)) {
        len++;
    }
    return len;
}

/* Checked conversion of exactly len decimal digits (no sign, no blanks).
 * Returns 0, EINVAL if not all digits or empty, or ERANGE above max.
 */
static int
parse_number(const char *s, size_t len, uint64_t max, uint64_t *ret_value)
{
    uint64_t value = 0;

    if (len == 0) {
        return EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        if (!is_digit(s[i])) {
            return EINVAL;
        }
    }
    for (size_t i = 0; i < len; i++) {
        uint64_t digit = (uint64_t) (s[i] - '0');

        if ((value > max / 10) || (value * 10 > max - digit)) {
            return ERANGE;
        }
        value = value * 10 + digit;
    }
    *ret_value = value;
    return 0;
}

// Canonical 8-4-4-4-12 form only, either case
static bool
parse_uuid(const char *s, size_t len, uint8_t *ret_uuid)
{
    uint8_t uuid[UUID_BYTES];
    size_t n = 0;
    size_t i = 0;

    if (len != UUID_TEXT_LEN) {
        return false;
    }
    // Every group has an even length, so a pair never straddles a dash
    while (i < len) {
        int hi = 0;
        int lo = 0;

        if ((i == 8) || (i == 13) || (i == 18) || (i == 23)) {
            if (s[i] != '-') {
                return false;
            }
            i++;
            continue;
        }
        hi = hex_value(s[i]);
        lo = hex_value(s[i + 1]);
        if ((hi < 0) || (lo < 0)) {
            return false;
        }
        uuid[n++] = (uint8_t) ((hi << 4) | lo);
        i += 2;
    }
    memcpy(ret_uuid, uuid, UUID_BYTES);
    return true;
}

// MySQL 8.4 tag: [A-Za-z_][A-Za-z0-9_]{0,31}, case-insensitive
static bool
is_tag_start(char c)
{
    return is_alpha(c) || (c == '_');
}

static bool
parse_tag(const char *s, size_t len, char *ret_tag)
{
    if ((len == 0) || (len > TAG_MAX_LEN) || !is_tag_start(s[0])) {
        return false;
    }
    for (size_t i = 1; i < len; i++) {
        if (!is_tag_start(s[i]) && !is_digit(s[i])) {
            return false;
        }
    }
    for (size_t i = 0; i < len; i++) {
        ret_tag[i] = to_lower(s[i]);
    }
    ret_tag[len] = '\0';
    return true;
}

static int
key_cmp(const struct gtid_key *a, const struct gtid_key *b)
{
    int rc = 0;

    if (a->domain != b->domain) {
        return (a->domain < b->domain) ? -1 : 1;
    }
    rc = memcmp(a->uuid, b->uuid, UUID_BYTES);
    if (rc != 0) {
        return rc;
    }
    return strcmp(a->tag, b->tag);
}

static int
atom_cmp(const void *pa, const void *pb)
{
    const struct gtid_atom *a = pa;
    const struct gtid_atom *b = pb;
    int rc = key_cmp(&a->key, &b->key);

    if (rc != 0) {
        return rc;
    }
    if (a->iv.first != b->iv.first) {
        return (a->iv.first < b->iv.first) ? -1 : 1;
    }
    if (a->iv.last != b->iv.last) {
        return (a->iv.last < b->iv.last) ? -1 : 1;
    }
    if (a->server_id != b->server_id) {
        return (a->server_id < b->server_id) ? -1 : 1;
    }
    return 0;
}

static int
atom_list_add(struct atom_list *list, const struct gtid_atom *atom)
{
    if (list->n == list->cap) {
        size_t cap = (list->cap == 0) ? 16 : list->cap * 2;
        struct gtid_atom *atoms = NULL;

        if (cap < list->cap) {
            return ENOMEM;
        }
        atoms = reallocarray(list->atoms, cap, sizeof(*atoms));
        if (atoms == NULL) {
            return ENOMEM;
        }
        list->atoms = atoms;
        list->cap = cap;
    }
    list->atoms[list->n++] = *atom;
    return 0;
}

static uint64_t
stream_top(const struct gtid_stream *stream)
{
    return stream->ivs[stream->n_ivs - 1].last;
}

/* MariaDB: both streams end at the same sequence number, but that
 * transaction came from different servers, so they are different ones.
 */
static bool
is_top_conflict(enum myha_gtid_flavor flavor, const struct gtid_stream *a,
                const struct gtid_stream *b)
{
    return (flavor == MYHA_GTID_MARIADB) && (stream_top(a) == stream_top(b))
           && (a->server_id != b->server_id);
}

static struct myha_gtid_set *
set_new(enum myha_gtid_flavor flavor, size_t max_streams)
{
    struct myha_gtid_set *set = calloc(1, sizeof(*set));

    if (set == NULL) {
        return NULL;
    }
    set->flavor = flavor;
    if (max_streams > 0) {
        set->streams = calloc(max_streams, sizeof(*set->streams));
        if (set->streams == NULL) {
            free(set);
            return NULL;
        }
    }
    return set;
}

/* Merge one stream's atoms [begin, end), already sorted, into stream.
 * Returns 0, ENOMEM, or myha_rc_invalid with the indexes of two atoms that
 * end the stream at the same point from different servers.
 */
static int
stream_from_atoms(const struct gtid_atom *atoms, size_t begin, size_t end,
                  struct gtid_stream *stream, size_t *ret_conflict)
{
    struct gtid_interval cur = atoms[begin].iv;
    size_t top = begin;

    for (size_t k = begin + 1; k < end; k++) {
        if (atoms[k].iv.last > atoms[top].iv.last) {
            top = k;
        }
    }
    for (size_t k = begin; k < end; k++) {
        if ((atoms[k].iv.last == atoms[top].iv.last)
            && (atoms[k].server_id != atoms[top].server_id)) {
            ret_conflict[0] = top;
            ret_conflict[1] = k;
            return myha_rc_invalid;
        }
    }

    stream->ivs = calloc(end - begin, sizeof(*stream->ivs));
    if (stream->ivs == NULL) {
        return ENOMEM;
    }
    stream->key = atoms[begin].key;
    stream->server_id = atoms[top].server_id;
    for (size_t k = begin + 1; k < end; k++) {
        const struct gtid_interval *iv = &atoms[k].iv;

        if ((cur.last == UINT64_MAX) || (iv->first <= cur.last + 1)) {
            if (iv->last > cur.last) {
                cur.last = iv->last;
            }
        } else {
            stream->ivs[stream->n_ivs++] = cur;
            cur = *iv;
        }
    }
    stream->ivs[stream->n_ivs++] = cur;
    return 0;
}

/* Build a normalized set from atoms (sorted in place).  Returns 0, ENOMEM,
 * or myha_rc_invalid with two conflicting atom indexes in ret_conflict.
 */
static int
set_from_atoms(enum myha_gtid_flavor flavor, struct atom_list *list,
               struct myha_gtid_set **ret_set, size_t *ret_conflict)
{
    struct myha_gtid_set *set = NULL;
    size_t n_keys = 0;
    size_t begin = 0;
    int rc = 0;

    if (list->n > 0) {
        qsort(list->atoms, list->n, sizeof(*list->atoms), atom_cmp);
    }
    for (size_t i = 0; i < list->n; i++) {
        if ((i == 0)
            || (key_cmp(&list->atoms[i].key, &list->atoms[i - 1].key) != 0)) {
            n_keys++;
        }
    }
    set = set_new(flavor, n_keys);
    if (set == NULL) {
        return ENOMEM;
    }
    while (begin < list->n) {
        size_t end = begin + 1;

        while (
            (end < list->n)
            && (key_cmp(&list->atoms[end].key, &list->atoms[begin].key) == 0)) {
            end++;
        }
        rc = stream_from_atoms(list->atoms, begin, end,
                               &set->streams[set->n_streams], ret_conflict);
        if (rc != 0) {
            goto out_free_set;
        }
        set->n_streams++;
        begin = end;
    }
    *ret_set = set;
    return 0;

out_free_set:
    myha_gtid_set_free(set);
    return rc;
}

static int
set_to_atoms(const struct myha_gtid_set *set, struct atom_list *list)
{
    for (size_t i = 0; i < set->n_streams; i++) {
        const struct gtid_stream *stream = &set->streams[i];

        for (size_t k = 0; k < stream->n_ivs; k++) {
            struct gtid_atom atom = {
                .key = stream->key,
                .server_id = stream->server_id,
                .iv = stream->ivs[k],
            };
            int rc = atom_list_add(list, &atom);

            if (rc != 0) {
                return rc;
            }
        }
    }
    return 0;
}

/* Copy at most max bytes of s, escaping quotes, backslashes and control
 * characters so that the result is safe in a one-line exit reason.
 */
static char *
escape_dup(const char *s, size_t len, size_t max)
{
    bool truncated = (len > max);
    char *out = NULL;
    size_t n = 0;

    if (truncated) {
        len = max;
    }
    out = malloc(len * 4 + 4);
    if (out == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) s[i];

        if ((c == '"') || (c == '\\')) {
            out[n++] = '\\';
            out[n++] = (char) c;
        } else if (c == '\n') {
            out[n++] = '\\';
            out[n++] = 'n';
        } else if ((c < 0x20) || (c == 0x7f)) {
            static const char hex[] = "0123456789abcdef";

            out[n++] = '\\';
            out[n++] = 'x';
            out[n++] = hex[c >> 4];
            out[n++] = hex[c & 0xf];
        } else {
            out[n++] = (char) c;
        }
    }
    if (truncated) {
        memcpy(out + n, "...", 3);
        n += 3;
    }
    out[n] = '\0';
    return out;
}

/* Record a parse error about the len bytes of input at offset.  Returns
 * myha_rc_parse, or ENOMEM if the message could not be built.
 */
static int
parse_fail(struct gtid_parser *p, size_t offset, size_t len, const char *what,
           const char *detail)
{
    char *text = NULL;
    char *token = NULL;
    int rc = ENOMEM;
    int n = 0;

    if (!p->want_err) {
        return myha_rc_parse;
    }
    text = escape_dup(p->text, strlen(p->text), ERR_TEXT_MAX);
    if (text == NULL) {
        goto out;
    }
    if (len == 0) {
        n = asprintf(&p->err, "invalid GTID set \"%s\": %s at offset %zu%s%s",
                     text, what, offset, (detail == NULL) ? "" : ": ",
                     (detail == NULL) ? "" : detail);
    } else {
        token = escape_dup(p->text + offset, len, ERR_TOKEN_MAX);
        if (token == NULL) {
            goto out_free_text;
        }
        n = asprintf(&p->err,
                     "invalid GTID set \"%s\": %s \"%s\" at offset %zu%s%s",
                     text, what, token, offset, (detail == NULL) ? "" : ": ",
                     (detail == NULL) ? "" : detail);
        free(token);
    }
    if (n < 0) {
        p->err = NULL;
        goto out_free_text;
    }
    rc = myha_rc_parse;

out_free_text:
    free(text);
out:
    return rc;
}

static const char *
range_detail(int rc)
{
    return (rc == ERANGE) ? "number out of range" : NULL;
}

/* One interval "first[-last]" of a MySQL element, token of len bytes at
 * offset.
 */
static int
parse_mysql_interval(struct gtid_parser *p, size_t offset, size_t len,
                     struct gtid_interval *ret_iv)
{
    const char *s = p->text + offset;
    const char *dash = memchr(s, '-', len);
    size_t first_len = (dash == NULL) ? len : (size_t) (dash - s);
    struct gtid_interval iv = { 0, 0 };
    int rc = 0;

    rc = parse_number(s, first_len, MYSQL_GNO_MAX, &iv.first);
    if (rc != 0) {
        return parse_fail(p, offset, len, "bad interval", range_detail(rc));
    }
    iv.last = iv.first;
    if (dash != NULL) {
        rc = parse_number(dash + 1, len - first_len - 1, MYSQL_GNO_MAX,
                          &iv.last);
        if (rc != 0) {
            return parse_fail(p, offset, len, "bad interval", range_detail(rc));
        }
    }
    if (iv.first == 0) {
        return parse_fail(p, offset, len, "bad interval",
                          "transaction numbers start at 1");
    }
    if (iv.last < iv.first) {
        return parse_fail(p, offset, len, "bad interval", "end before start");
    }
    *ret_iv = iv;
    return 0;
}

// One "uuid[:tag]:interval[:interval|:tag]..." element at *pos
static int
parse_mysql_element(struct gtid_parser *p, size_t *pos)
{
    const char *text = p->text;
    size_t len = token_len(text, *pos, ":,");
    struct gtid_atom atom;
    const char *pending = "UUID without transactions";
    size_t pending_offset = *pos;
    size_t pending_len = len;
    bool pending_is_tag = false;
    size_t at = *pos + len;
    int rc = 0;

    memset(&atom, 0, sizeof(atom));
    if (!parse_uuid(text + *pos, len, atom.key.uuid)) {
        return parse_fail(p, *pos, len, "bad UUID", NULL);
    }
    while (text[at] == ':') {
        size_t offset = ++at;

        len = token_len(text, offset, ":,");
        at = offset + len;
        if (len == 0) {
            return parse_fail(p, offset, 0, "missing interval", NULL);
        }
        if (is_digit(text[offset])) {
            rc = parse_mysql_interval(p, offset, len, &atom.iv);
            if (rc != 0) {
                return rc;
            }
            atom.offset = offset;
            atom.len = len;
            rc = atom_list_add(&p->list, &atom);
            if (rc != 0) {
                return rc;
            }
            pending = NULL;
            pending_is_tag = false;
        } else if (is_tag_start(text[offset])) {
            if (pending_is_tag) {
                return parse_fail(p, pending_offset, pending_len, pending,
                                  NULL);
            }
            if (!parse_tag(text + offset, len, atom.key.tag)) {
                return parse_fail(
                    p, offset, len, "bad tag",
                    (len > TAG_MAX_LEN) ? "longer than 32 characters" : NULL);
            }
            pending = "tag without transactions";
            pending_is_tag = true;
            pending_offset = offset;
            pending_len = len;
        } else {
            return parse_fail(p, offset, len, "bad interval", NULL);
        }
    }
    if (pending != NULL) {
        return parse_fail(p, pending_offset, pending_len, pending, NULL);
    }
    *pos = at;
    return 0;
}

static int
parse_mariadb_id(struct gtid_parser *p, size_t *at, const char *what,
                 size_t entry, size_t entry_len, uint32_t *ret_id)
{
    size_t len = token_len(p->text, *at, "-,");
    uint64_t value = 0;
    int rc = parse_number(p->text + *at, len, UINT32_MAX, &value);

    if (rc != 0) {
        return parse_fail(p, *at, len, what, range_detail(rc));
    }
    *at += len;
    if (p->text[*at] != '-') {
        return parse_fail(p, entry, entry_len, "incomplete GTID",
                          "expected domain-server-sequence");
    }
    (*at)++;
    *ret_id = (uint32_t) value;
    return 0;
}

/* One "domain-server-seq" element at *pos, or our own "domain-server-a..b"
 * (transactions a to b only), which myha_gtid_set_format() writes for sets
 * that are not plain positions.
 */
static int
parse_mariadb_element(struct gtid_parser *p, size_t *pos)
{
    const char *text = p->text;
    size_t entry = *pos;
    size_t entry_len = token_len(text, entry, ",");
    size_t at = entry;
    size_t len = 0;
    const char *s = NULL;
    const char *dots = NULL;
    struct gtid_atom atom;
    int rc = 0;

    memset(&atom, 0, sizeof(atom));
    rc = parse_mariadb_id(p, &at, "bad domain id", entry, entry_len,
                          &atom.key.domain);
    if (rc != 0) {
        return rc;
    }
    rc = parse_mariadb_id(p, &at, "bad server id", entry, entry_len,
                          &atom.server_id);
    if (rc != 0) {
        return rc;
    }

    s = text + at;
    len = token_len(text, at, ",");
    if (memchr(s, '-', len) != NULL) {
        return parse_fail(p, entry, entry_len, "bad GTID", "too many fields");
    }
    dots = memchr(s, '.', len);
    if ((dots != NULL) && ((size_t) (dots - s) + 1 < len) && (dots[1] == '.')) {
        size_t first_len = (size_t) (dots - s);

        rc = parse_number(s, first_len, UINT64_MAX, &atom.iv.first);
        if (rc == 0) {
            rc = parse_number(dots + 2, len - first_len - 2, UINT64_MAX,
                              &atom.iv.last);
        }
        if (rc != 0) {
            return parse_fail(p, at, len, "bad sequence range",
                              range_detail(rc));
        }
        if (atom.iv.first == 0) {
            return parse_fail(p, at, len, "bad sequence range",
                              "sequence numbers start at 1");
        }
        if (atom.iv.last < atom.iv.first) {
            return parse_fail(p, at, len, "bad sequence range",
                              "end before start");
        }
    } else {
        rc = parse_number(s, len, UINT64_MAX, &atom.iv.last);
        if (rc != 0) {
            return parse_fail(p, at, len, "bad sequence number",
                              range_detail(rc));
        }
        atom.iv.first = 1;
    }
    *pos = at + len;

    // Sequence number 0: the domain is known but holds no transaction yet
    if (atom.iv.last == 0) {
        return 0;
    }
    atom.offset = entry;
    atom.len = entry_len;
    return atom_list_add(&p->list, &atom);
}

static int
parse_conflict(struct gtid_parser *p, const size_t *conflict)
{
    const struct gtid_atom *a = &p->list.atoms[conflict[0]];
    const struct gtid_atom *b = &p->list.atoms[conflict[1]];
    char *text = NULL;
    char *first = NULL;
    char *second = NULL;
    int rc = ENOMEM;

    if (!p->want_err) {
        return myha_rc_parse;
    }
    if (a->offset > b->offset) {
        const struct gtid_atom *tmp = a;

        a = b;
        b = tmp;
    }
    text = escape_dup(p->text, strlen(p->text), ERR_TEXT_MAX);
    first = escape_dup(p->text + a->offset, a->len, ERR_TOKEN_MAX);
    second = escape_dup(p->text + b->offset, b->len, ERR_TOKEN_MAX);
    if ((text == NULL) || (first == NULL) || (second == NULL)) {
        goto out;
    }
    if (asprintf(&p->err,
                 "invalid GTID set \"%s\": conflicting GTIDs \"%s\" and "
                 "\"%s\" at offsets %zu and %zu: same sequence number from "
                 "different servers",
                 text, first, second, a->offset, b->offset)
        < 0) {
        p->err = NULL;
        goto out;
    }
    rc = myha_rc_parse;

out:
    free(second);
    free(first);
    free(text);
    return rc;
}

/*!
 * \brief Guess the flavour of a GTID set from its text
 *
 * MySQL sets contain a colon, MariaDB lists contain none but have dashes.
 * Only the shape is looked at; myha_gtid_set_parse() still validates.
 *
 * \param[in]  text        GTID set text
 * \param[out] ret_flavor  Where to store the flavour (only on success)
 *
 * \return 0 on success, EINVAL if an argument is NULL, or myha_rc_parse if
 *         the text looks like neither (an empty set has no flavour)
 */
int
myha_gtid_flavor_detect(const char *text, enum myha_gtid_flavor *ret_flavor)
{
    if ((text == NULL) || (ret_flavor == NULL)) {
        return EINVAL;
    }
    if (strchr(text, ':') != NULL) {
        *ret_flavor = MYHA_GTID_MYSQL;
        return 0;
    }
    if (strchr(text, '-') != NULL) {
        *ret_flavor = MYHA_GTID_MARIADB;
        return 0;
    }
    return myha_rc_parse;
}

/*!
 * \brief Parse a GTID set
 *
 * MySQL: "uuid:1-5:7,uuid2:3", as in gtid_executed; UUIDs in 8-4-4-4-12
 * form in either case; MySQL 8.4 tags ("uuid:1-3:tag:1-5") are accepted.
 * MariaDB: "domain-server-seq,...", as in gtid_slave_pos, gtid_binlog_pos or
 * gtid_binlog_state (where a domain may appear once per server; the highest
 * sequence number is the domain's position).  A sequence number of 0 adds
 * nothing.  "domain-server-a..b" (transactions a to b only) is accepted too:
 * myha_gtid_set_format() writes it for sets that are not plain positions.
 *
 * Elements may repeat and come in any order; intervals may overlap.  Blanks
 * are allowed at both ends and around commas.  An empty or blank text is the
 * empty set.  Anything else is rejected: empty elements, a UUID or tag
 * without intervals, reversed intervals, numbers out of range, and, for
 * MariaDB, two entries ending a domain at the same sequence number from
 * different servers.
 *
 * \param[in]  text     GTID set text
 * \param[in]  flavor   Which format \p text is in
 * \param[out] ret_set  Where to store the new set (only on success)
 * \param[out] ret_err  If not NULL, where to store an allocated message
 *                      naming the offending text when myha_rc_parse is
 *                      returned (only then)
 *
 * \return 0 on success, myha_rc_parse if \p text is malformed, EINVAL for a
 *         NULL argument or unknown flavour, or ENOMEM
 * \note The caller frees *ret_set with myha_gtid_set_free() and *ret_err
 *       with free().
 */
int
myha_gtid_set_parse(const char *text, enum myha_gtid_flavor flavor,
                    struct myha_gtid_set **ret_set, char **ret_err)
{
    struct gtid_parser p = {
        .text = text,
        .want_err = (ret_err != NULL),
    };
    struct myha_gtid_set *set = NULL;
    size_t conflict[2] = { 0, 0 };
    size_t pos = 0;
    int rc = 0;

    if ((text == NULL) || (ret_set == NULL) || !is_valid_flavor(flavor)) {
        return EINVAL;
    }
    pos = skip_blanks(text, 0);
    while (text[pos] != '\0') {
        if (text[pos] == ',') {
            rc = parse_fail(&p, pos, 0, "empty element", NULL);
            goto out_free_atoms;
        }
        if (flavor == MYHA_GTID_MYSQL) {
            rc = parse_mysql_element(&p, &pos);
        } else {
            rc = parse_mariadb_element(&p, &pos);
        }
        if (rc != 0) {
            goto out_free_atoms;
        }
        pos = skip_blanks(text, pos);
        if (text[pos] == ',') {
            pos = skip_blanks(text, pos + 1);
            if (text[pos] == '\0') {
                rc = parse_fail(&p, pos, 0, "empty element", NULL);
                goto out_free_atoms;
            }
        } else if (text[pos] != '\0') {
            rc = parse_fail(&p, pos, token_len(text, pos, ","),
                            "unexpected text", "expected \",\"");
            goto out_free_atoms;
        }
    }

    rc = set_from_atoms(flavor, &p.list, &set, conflict);
    if (rc == myha_rc_invalid) {
        rc = parse_conflict(&p, conflict);
    }
    if (rc != 0) {
        goto out_free_atoms;
    }
    *ret_set = set;

out_free_atoms:
    free(p.list.atoms);
    if ((rc == myha_rc_parse) && (ret_err != NULL)) {
        *ret_err = p.err;
    } else {
        free(p.err);
    }
    return rc;
}

/*!
 * \brief Free a GTID set
 *
 * \param[in,out] set  Set to free (may be NULL)
 */
void
myha_gtid_set_free(struct myha_gtid_set *set)
{
    if (set == NULL) {
        return;
    }
    for (size_t i = 0; i < set->n_streams; i++) {
        free(set->streams[i].ivs);
    }
    free(set->streams);
    free(set);
}

/*!
 * \brief Tell the flavour of a GTID set
 *
 * \param[in] set  GTID set
 *
 * \return Flavour of \p set, or 0 if \p set is NULL
 */
enum myha_gtid_flavor
myha_gtid_set_flavor(const struct myha_gtid_set *set)
{
    return (set == NULL) ? (enum myha_gtid_flavor) 0 : set->flavor;
}

static void
format_mysql(const struct myha_gtid_set *set, struct myha_strbuf *sb)
{
    for (size_t i = 0; i < set->n_streams; i++) {
        const struct gtid_stream *stream = &set->streams[i];
        const uint8_t *u = stream->key.uuid;

        if ((i == 0)
            || (memcmp(u, set->streams[i - 1].key.uuid, UUID_BYTES) != 0)) {
            myha_strbuf_printf(sb,
                               "%s%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                               "%02x%02x%02x%02x%02x%02x",
                               (i == 0) ? "" : ",", u[0], u[1], u[2], u[3],
                               u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11],
                               u[12], u[13], u[14], u[15]);
        }
        if (stream->key.tag[0] != '\0') {
            myha_strbuf_printf(sb, ":%s", stream->key.tag);
        }
        for (size_t k = 0; k < stream->n_ivs; k++) {
            const struct gtid_interval *iv = &stream->ivs[k];

            if (iv->first == iv->last) {
                myha_strbuf_printf(sb, ":%" PRIu64, iv->first);
            } else {
                myha_strbuf_printf(sb, ":%" PRIu64 "-%" PRIu64, iv->first,
                                   iv->last);
            }
        }
    }
}

static void
format_mariadb(const struct myha_gtid_set *set, struct myha_strbuf *sb)
{
    const char *sep = "";

    for (size_t i = 0; i < set->n_streams; i++) {
        const struct gtid_stream *stream = &set->streams[i];

        for (size_t k = 0; k < stream->n_ivs; k++) {
            const struct gtid_interval *iv = &stream->ivs[k];

            if (iv->first == 1) {
                myha_strbuf_printf(sb, "%s%" PRIu32 "-%" PRIu32 "-%" PRIu64,
                                   sep, stream->key.domain, stream->server_id,
                                   iv->last);
            } else {
                myha_strbuf_printf(
                    sb, "%s%" PRIu32 "-%" PRIu32 "-%" PRIu64 "..%" PRIu64, sep,
                    stream->key.domain, stream->server_id, iv->first, iv->last);
            }
            sep = ",";
        }
    }
}

/*!
 * \brief Format a GTID set canonically
 *
 * MySQL: UUIDs in lowercase and ascending order, separated by "," (no
 * newline); under each, untagged intervals, then each tag in ascending order
 * followed by its intervals, all ascending and merged.  MariaDB: positions
 * "domain-server-seq" by ascending domain; a domain that is not all of
 * 1..seq is written as "domain-server-a..b" per interval (the server id is
 * the one of the domain's last transaction).  The result parses back to an
 * equal set.
 *
 * \param[in] set  GTID set
 *
 * \return The text ("" for the empty set), or NULL if \p set is NULL or
 *         memory ran out
 * \note The caller frees the result with free().
 */
char *
myha_gtid_set_format(const struct myha_gtid_set *set)
{
    struct myha_strbuf sb = { 0 };

    if (set == NULL) {
        return NULL;
    }
    if (set->flavor == MYHA_GTID_MYSQL) {
        format_mysql(set, &sb);
    } else {
        format_mariadb(set, &sb);
    }
    return myha_strbuf_finish(&sb);
}

/*!
 * \brief Tell whether a GTID set holds no transaction
 *
 * \param[in] set  GTID set (NULL counts as empty)
 *
 * \return true if \p set is empty
 */
bool
myha_is_gtid_set_empty(const struct myha_gtid_set *set)
{
    return (set == NULL) || (set->n_streams == 0);
}

/*!
 * \brief Tell whether two GTID sets are the same
 *
 * \param[in] a  GTID set
 * \param[in] b  GTID set
 *
 * \return true if \p a and \p b have the same flavour and transactions (and,
 *         for MariaDB, the same server id at the top of each domain); false
 *         if not, or if either is NULL
 */
bool
myha_is_gtid_set_equal(const struct myha_gtid_set *a,
                       const struct myha_gtid_set *b)
{
    if ((a == NULL) || (b == NULL) || (a->flavor != b->flavor)
        || (a->n_streams != b->n_streams)) {
        return false;
    }
    for (size_t i = 0; i < a->n_streams; i++) {
        const struct gtid_stream *sa = &a->streams[i];
        const struct gtid_stream *sb = &b->streams[i];

        if ((key_cmp(&sa->key, &sb->key) != 0)
            || (sa->server_id != sb->server_id) || (sa->n_ivs != sb->n_ivs)) {
            return false;
        }
        for (size_t k = 0; k < sa->n_ivs; k++) {
            if ((sa->ivs[k].first != sb->ivs[k].first)
                || (sa->ivs[k].last != sb->ivs[k].last)) {
                return false;
            }
        }
    }
    return true;
}

// Whether every interval of b lies inside one interval of a
static bool
intervals_contain(const struct gtid_stream *a, const struct gtid_stream *b)
{
    size_t i = 0;

    for (size_t j = 0; j < b->n_ivs; j++) {
        const struct gtid_interval *iv = &b->ivs[j];

        while ((i < a->n_ivs) && (a->ivs[i].last < iv->first)) {
            i++;
        }
        if ((i == a->n_ivs) || (a->ivs[i].first > iv->first)
            || (a->ivs[i].last < iv->last)) {
            return false;
        }
    }
    return true;
}

/*!
 * \brief Tell whether a GTID set contains another (b is a subset of a)
 *
 * For MariaDB, a domain whose top sequence number is the same in both sets
 * but comes from different servers is not contained.
 *
 * \param[in] a  GTID set
 * \param[in] b  GTID set
 *
 * \return true if every transaction of \p b is in \p a; false if not, if the
 *         flavours differ, or if either is NULL
 */
bool
myha_gtid_set_contains(const struct myha_gtid_set *a,
                       const struct myha_gtid_set *b)
{
    size_t i = 0;

    if ((a == NULL) || (b == NULL) || (a->flavor != b->flavor)) {
        return false;
    }
    for (size_t j = 0; j < b->n_streams; j++) {
        const struct gtid_stream *sb = &b->streams[j];

        while ((i < a->n_streams)
               && (key_cmp(&a->streams[i].key, &sb->key) < 0)) {
            i++;
        }
        if ((i == a->n_streams) || (key_cmp(&a->streams[i].key, &sb->key) != 0)
            || !intervals_contain(&a->streams[i], sb)
            || is_top_conflict(a->flavor, &a->streams[i], sb)) {
            return false;
        }
    }
    return true;
}

/*!
 * \brief Tell whether a replica at a is at least as advanced as one at b
 *
 * Same as myha_gtid_set_contains(a, b): every transaction of \p b is in \p a.
 *
 * \param[in] a  GTID set
 * \param[in] b  GTID set
 *
 * \return true if \p b is a subset of \p a; false if not, if the flavours
 *         differ, or if either is NULL
 */
bool
myha_is_gtid_set_at_least(const struct myha_gtid_set *a,
                          const struct myha_gtid_set *b)
{
    return myha_gtid_set_contains(a, b);
}

/*!
 * \brief Compare two GTID sets
 *
 * \param[in] a  GTID set
 * \param[in] b  GTID set
 *
 * \return MYHA_GTID_CMP_EQUAL, MYHA_GTID_CMP_BEHIND (\p a is a strict subset
 *         of \p b), MYHA_GTID_CMP_AHEAD (\p b is a strict subset of \p a), or
 *         MYHA_GTID_CMP_DIVERGED (each has transactions the other lacks, or
 *         the flavours differ, or either is NULL)
 */
enum myha_gtid_cmp
myha_gtid_set_compare(const struct myha_gtid_set *a,
                      const struct myha_gtid_set *b)
{
    if ((a == NULL) || (b == NULL) || (a->flavor != b->flavor)) {
        return MYHA_GTID_CMP_DIVERGED;
    }
    if (myha_is_gtid_set_equal(a, b)) {
        return MYHA_GTID_CMP_EQUAL;
    }
    if (myha_gtid_set_contains(b, a)) {
        return MYHA_GTID_CMP_BEHIND;
    }
    if (myha_gtid_set_contains(a, b)) {
        return MYHA_GTID_CMP_AHEAD;
    }
    return MYHA_GTID_CMP_DIVERGED;
}

/*!
 * \brief Describe a comparison outcome
 *
 * \param[in] cmp  Value returned by myha_gtid_set_compare()
 *
 * \return Static string: "equal", "behind", "ahead", "diverged" or "unknown"
 */
const char *
myha_gtid_cmp_str(enum myha_gtid_cmp cmp)
{
    switch (cmp) {
        case MYHA_GTID_CMP_EQUAL:
            return "equal";
        case MYHA_GTID_CMP_BEHIND:
            return "behind";
        case MYHA_GTID_CMP_AHEAD:
            return "ahead";
        case MYHA_GTID_CMP_DIVERGED:
            return "diverged";
    }
    return "unknown";
}

/*!
 * \brief Count the transactions in a GTID set
 *
 * \param[in] set  GTID set (NULL counts as empty)
 *
 * \return Number of transactions, UINT64_MAX if there are more
 */
uint64_t
myha_gtid_set_count(const struct myha_gtid_set *set)
{
    uint64_t count = 0;

    if (set == NULL) {
        return 0;
    }
    for (size_t i = 0; i < set->n_streams; i++) {
        const struct gtid_stream *stream = &set->streams[i];

        for (size_t k = 0; k < stream->n_ivs; k++) {
            // first >= 1, so the length fits in a uint64_t
            uint64_t len = stream->ivs[k].last - stream->ivs[k].first + 1;

            if (len > UINT64_MAX - count) {
                return UINT64_MAX;
            }
            count += len;
        }
    }
    return count;
}

/*!
 * \brief Compute the union of two GTID sets
 *
 * For MariaDB, each domain's top server id is the one of the set reaching
 * further in that domain.
 *
 * \param[in]  a        GTID set
 * \param[in]  b        GTID set
 * \param[out] ret_set  Where to store the union (only on success)
 *
 * \return 0 on success, EINVAL if an argument is NULL or the flavours
 *         differ, myha_rc_invalid if (MariaDB) a domain ends at the same
 *         sequence number from different servers in \p a and \p b (diverged
 *         positions have no union), or ENOMEM
 * \note The caller frees *ret_set with myha_gtid_set_free().
 */
int
myha_gtid_set_union(const struct myha_gtid_set *a,
                    const struct myha_gtid_set *b,
                    struct myha_gtid_set **ret_set)
{
    struct atom_list list = { NULL, 0, 0 };
    struct myha_gtid_set *set = NULL;
    size_t conflict[2] = { 0, 0 };
    int rc = 0;

    if ((a == NULL) || (b == NULL) || (ret_set == NULL)
        || (a->flavor != b->flavor)) {
        return EINVAL;
    }
    rc = set_to_atoms(a, &list);
    if (rc == 0) {
        rc = set_to_atoms(b, &list);
    }
    if (rc == 0) {
        rc = set_from_atoms(a->flavor, &list, &set, conflict);
    }
    if (rc == 0) {
        *ret_set = set;
    }
    free(list.atoms);
    return rc;
}

/* Intervals of a not in b (b may be NULL) into out, which has room for
 * a->n_ivs + b->n_ivs; each interval of b splits at most one of a.
 */
static size_t
intervals_subtract(const struct gtid_stream *a, const struct gtid_stream *b,
                   struct gtid_interval *out)
{
    size_t nb = (b == NULL) ? 0 : b->n_ivs;
    size_t n = 0;
    size_t j = 0;

    for (size_t i = 0; i < a->n_ivs; i++) {
        const struct gtid_interval *iv = &a->ivs[i];
        uint64_t cur = iv->first;
        bool done = false;

        while ((j < nb) && (b->ivs[j].last < cur)) {
            j++;
        }
        while ((j < nb) && (b->ivs[j].first <= iv->last)) {
            if (b->ivs[j].first > cur) {
                out[n].first = cur;
                out[n].last = b->ivs[j].first - 1;
                n++;
            }
            if (b->ivs[j].last >= iv->last) {
                // b->ivs[j] may reach into the next interval of a: keep it
                done = true;
                break;
            }
            cur = b->ivs[j].last + 1;
            j++;
        }
        if (!done) {
            out[n].first = cur;
            out[n].last = iv->last;
            n++;
        }
    }
    return n;
}

/*!
 * \brief Compute the transactions of a that b lacks (errant transactions)
 *
 * For MariaDB, a domain that \p b lacks is kept whole, and a domain where
 * \p b is behind keeps the sequence numbers above \p b's.  If both end a
 * domain at the same sequence number from different servers, \p a's top
 * transaction is kept (it is a different transaction).  Domains keep \p a's
 * server id.
 *
 * \param[in]  a        GTID set (e.g. a replica's executed set)
 * \param[in]  b        GTID set (e.g. the primary's executed set)
 * \param[out] ret_set  Where to store a minus b (only on success)
 *
 * \return 0 on success, EINVAL if an argument is NULL or the flavours
 *         differ, or ENOMEM
 * \note The caller frees *ret_set with myha_gtid_set_free().
 */
int
myha_gtid_set_subtract(const struct myha_gtid_set *a,
                       const struct myha_gtid_set *b,
                       struct myha_gtid_set **ret_set)
{
    struct myha_gtid_set *set = NULL;
    size_t j = 0;
    int rc = 0;

    if ((a == NULL) || (b == NULL) || (ret_set == NULL)
        || (a->flavor != b->flavor)) {
        return EINVAL;
    }
    set = set_new(a->flavor, a->n_streams);
    if (set == NULL) {
        return ENOMEM;
    }
    for (size_t i = 0; i < a->n_streams; i++) {
        const struct gtid_stream *sa = &a->streams[i];
        const struct gtid_stream *sb = NULL;
        struct gtid_interval *ivs = NULL;
        size_t n = 0;

        while ((j < b->n_streams)
               && (key_cmp(&b->streams[j].key, &sa->key) < 0)) {
            j++;
        }
        if ((j < b->n_streams)
            && (key_cmp(&b->streams[j].key, &sa->key) == 0)) {
            sb = &b->streams[j];
        }

        ivs = calloc(sa->n_ivs + ((sb == NULL) ? 0 : sb->n_ivs) + 1,
                     sizeof(*ivs));
        if (ivs == NULL) {
            rc = ENOMEM;
            goto out_free_set;
        }
        n = intervals_subtract(sa, sb, ivs);
        if ((sb != NULL) && is_top_conflict(a->flavor, sa, sb)) {
            // Everything kept lies below the top, which sb covered
            uint64_t top = stream_top(sa);

            if ((n > 0) && (ivs[n - 1].last == top - 1)) {
                ivs[n - 1].last = top;
            } else {
                ivs[n].first = top;
                ivs[n].last = top;
                n++;
            }
        }
        if (n == 0) {
            free(ivs);
            continue;
        }
        set->streams[set->n_streams].key = sa->key;
        set->streams[set->n_streams].server_id = sa->server_id;
        set->streams[set->n_streams].ivs = ivs;
        set->streams[set->n_streams].n_ivs = n;
        set->n_streams++;
    }
    *ret_set = set;
    return 0;

out_free_set:
    myha_gtid_set_free(set);
    return rc;
}

// One entry of a MariaDB gtid_binlog_state: a server's last GTID in a domain
struct state_entry {
    uint32_t domain;
    uint32_t server;
    uint64_t seq;
};

// Parse "d-s-n,..." into entries; myha_rc_parse if malformed
static int
state_parse(const char *text, struct state_entry **ret, size_t *ret_n)
{
    struct state_entry *entries = NULL;
    size_t n = 0;
    size_t cap = 0;
    const char *p = text;

    *ret = NULL;
    *ret_n = 0;
    if (text == NULL) {
        return EINVAL;
    }
    while (*p != '\0') {
        unsigned long long d = 0;
        unsigned long long s = 0;
        unsigned long long q = 0;
        int used = 0;

        p += strspn(p, " \t\n,");
        if (*p == '\0') {
            break;
        }
        if ((sscanf(p, "%llu-%llu-%llu%n", &d, &s, &q, &used) != 3)
            || (d > UINT32_MAX) || (s > UINT32_MAX)
            || !isdigit((unsigned char) *p)
            || ((p[used] != '\0') && (strchr(" \t\n,", p[used]) == NULL))) {
            free(entries);
            return myha_rc_parse;
        }
        for (int k = 0; k < used; k++) {
            // Digits and single dashes only (sscanf would take signs)
            if (!isdigit((unsigned char) p[k])
                && ((p[k] != '-') || !isdigit((unsigned char) p[k + 1]))) {
                free(entries);
                return myha_rc_parse;
            }
        }
        p += used;
        if (n == cap) {
            struct state_entry *grown = NULL;

            cap = (cap == 0) ? 8 : cap * 2;
            grown = realloc(entries, cap * sizeof(*entries));
            if (grown == NULL) {
                free(entries);
                return ENOMEM;
            }
            entries = grown;
        }
        entries[n++] = (struct state_entry){ (uint32_t) d, (uint32_t) s, q };
    }
    *ret = entries;
    *ret_n = n;
    return 0;
}

/*!
 * \brief What a MariaDB binlog state lacks of another
 *
 * MariaDB positions (gtid_binlog_pos, gtid_slave_pos) keep only the last
 * GTID of each domain, so a server whose history forked from another's
 * (a former primary with transactions that never left it) can have a
 * position that looks contained in the other's.  gtid_binlog_state keeps
 * the last sequence number of every server in every domain; in
 * gtid_strict_mode, \p have holds everything of \p want when, for each
 * server and domain of \p want, \p have has that server's transactions up
 * to at least the same sequence number.  A server that \p have's state
 * does not name at all may be in its data even so (a datadir restored
 * from a backup starts a new binary log, and its state forgets the
 * servers before): for it, only the domain's position is compared, and a
 * forked history shows when replication starts (the source cannot send
 * from the replica's position, error 1236).
 *
 * \param[in]  have         A gtid_binlog_state ("d-s-n,...")
 * \param[in]  want         Another one
 * \param[out] ret_missing  NULL if \p have holds everything of \p want;
 *                          else what it lacks per server, as
 *                          "d-s-first..last" ranges (first is one past
 *                          \p have's last of that server, 1 if none)
 *
 * \return 0, myha_rc_parse if either text is malformed, EINVAL, or ENOMEM
 * \note The caller frees \p *ret_missing with free().
 */
int
myha_gtid_state_missing(const char *have, const char *want, char **ret_missing)
{
    struct state_entry *h = NULL;
    struct state_entry *w = NULL;
    size_t nh = 0;
    size_t nw = 0;
    struct myha_strbuf sb = { 0 };
    int rc = 0;

    if (ret_missing == NULL) {
        return EINVAL;
    }
    *ret_missing = NULL;
    rc = state_parse(have, &h, &nh);
    if (rc == 0) {
        rc = state_parse(want, &w, &nw);
    }
    if (rc != 0) {
        goto out_free;
    }
    for (size_t i = 0; i < nw; i++) {
        uint64_t top = 0;
        uint64_t domain_top = 0;
        bool known = false;

        for (size_t j = 0; j < nh; j++) {
            if (h[j].domain != w[i].domain) {
                continue;
            }
            domain_top = (h[j].seq > domain_top) ? h[j].seq : domain_top;
            if ((h[j].server == w[i].server) && (h[j].seq >= top)) {
                top = h[j].seq;
                known = true;
            }
        }
        /* A server have's binary log never names may still be in its data
         * (a datadir restored from a backup starts a new binary log): then
         * only the position can be compared.
         */
        if ((known && (top >= w[i].seq))
            || (!known && (domain_top >= w[i].seq))) {
            continue;
        }
        myha_strbuf_printf(&sb,
                           "%s%" PRIu32 "-%" PRIu32 "-%" PRIu64 "..%" PRIu64,
                           (sb.len > 0) ? "," : "", w[i].domain, w[i].server,
                           top + 1, w[i].seq);
    }
    if (sb.failed) {
        free(sb.s);
        rc = ENOMEM;
    } else {
        *ret_missing = sb.s; // NULL when nothing is missing
    }

out_free:
    free(h);
    free(w);
    return rc;
}
