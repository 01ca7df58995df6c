/*
 * Point-in-time recovery by relay-log replay: the binlog files of a source
 * directory are placed (hard-linked or copied) as relay logs of a read-only
 * MariaDB server, whose SQL thread applies them UNTIL relay-log positions
 * found with lib/binlog.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <myha/binlog.h>
#include <myha/db.h>
#include <myha/gtid.h>
#include <myha/pitr.h>
#include <myha/rc.h>
#include <myha/str.h>

#define PITR_HOST "dummy-pitr"

//! One domain of a MariaDB GTID position
struct pos_entry {
    uint32_t domain;
    uint32_t server;
    uint64_t seq;
};

//! A MariaDB GTID position: the last GTID of each domain
struct gtid_pos {
    struct pos_entry *e;
    size_t n;
};

//! A file of the source directory
struct src_file {
    char *name;
    unsigned long long number;
    size_t prefix_len;
};

static char *__attribute__((format(printf, 1, 2)))
err_printf(const char *format, ...)
{
    va_list ap;
    char *text = NULL;

    va_start(ap, format);
    if (vasprintf(&text, format, ap) < 0) {
        text = NULL;
    }
    va_end(ap);
    return text;
}

static void
set_err(char **ret_err, char *text)
{
    if (ret_err != NULL) {
        free(*ret_err);
        *ret_err = text;
    } else {
        free(text);
    }
}

static void
pos_release(struct gtid_pos *p)
{
    free(p->e);
    p->e = NULL;
    p->n = 0;
}

static struct pos_entry *
pos_find(const struct gtid_pos *p, uint32_t domain)
{
    for (size_t i = 0; i < p->n; i++) {
        if (p->e[i].domain == domain) {
            return &p->e[i];
        }
    }
    return NULL;
}

// Record that GTID domain-server-seq is done (a position only moves on)
static int
pos_update(struct gtid_pos *p, uint32_t domain, uint32_t server, uint64_t seq)
{
    struct pos_entry *e = pos_find(p, domain);
    struct pos_entry *grown = NULL;

    if (e != NULL) {
        if (seq >= e->seq) {
            e->server = server;
            e->seq = seq;
        }
        return 0;
    }
    grown = realloc(p->e, (p->n + 1) * sizeof(*grown));
    if (grown == NULL) {
        return ENOMEM;
    }
    p->e = grown;
    p->e[p->n].domain = domain;
    p->e[p->n].server = server;
    p->e[p->n].seq = seq;
    p->n++;
    return 0;
}

// Parse "d-s-n,d-s-n" (possibly empty)
static int
pos_parse(const char *text, struct gtid_pos *ret_pos)
{
    struct gtid_pos p = { NULL, 0 };
    const char *s = (text == NULL) ? "" : text;

    while (*s != '\0') {
        unsigned long long d = 0;
        unsigned long long sv = 0;
        unsigned long long n = 0;
        char *end = NULL;
        int rc = 0;

        while ((*s == ' ') || (*s == ',') || (*s == '\n')) {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        errno = 0;
        d = strtoull(s, &end, 10);
        if ((errno != 0) || (end == s) || (*end != '-') || (d > UINT32_MAX)) {
            goto out_invalid;
        }
        s = end + 1;
        sv = strtoull(s, &end, 10);
        if ((errno != 0) || (end == s) || (*end != '-') || (sv > UINT32_MAX)) {
            goto out_invalid;
        }
        s = end + 1;
        n = strtoull(s, &end, 10);
        if ((errno != 0) || (end == s)) {
            goto out_invalid;
        }
        s = end;
        if ((*s != '\0') && (*s != ',') && (*s != ' ') && (*s != '\n')) {
            goto out_invalid;
        }
        rc = pos_update(&p, (uint32_t) d, (uint32_t) sv, n);
        if (rc != 0) {
            pos_release(&p);
            return rc;
        }
    }
    *ret_pos = p;
    return 0;

out_invalid:
    pos_release(&p);
    return myha_rc_invalid;
}

static int
pos_entry_cmp(const void *a, const void *b)
{
    const struct pos_entry *x = a;
    const struct pos_entry *y = b;

    return (x->domain > y->domain) - (x->domain < y->domain);
}

static char *
pos_format(struct gtid_pos *p)
{
    size_t len = 1;
    char *text = NULL;
    char *w = NULL;

    if (p->n > 1) { // an empty position has no array to sort
        qsort(p->e, p->n, sizeof(*p->e), pos_entry_cmp);
    }
    len += p->n * 64;
    text = calloc(1, len);
    if (text == NULL) {
        return NULL;
    }
    w = text;
    for (size_t i = 0; i < p->n; i++) {
        w += snprintf(w, len - (size_t) (w - text), "%s%u-%u-%llu",
                      (i == 0) ? "" : ",", p->e[i].domain, p->e[i].server,
                      (unsigned long long) p->e[i].seq);
    }
    return text;
}

// True if position a has every domain of b at least as far
static bool
pos_covers(const struct gtid_pos *a, const struct gtid_pos *b)
{
    for (size_t i = 0; i < b->n; i++) {
        const struct pos_entry *e = pos_find(a, b->e[i].domain);

        if ((e == NULL) || (e->seq < b->e[i].seq)) {
            return false;
        }
    }
    return true;
}

static bool
pos_has_gtid(const struct gtid_pos *p, const struct myha_binlog_gtid *g)
{
    const struct pos_entry *e = pos_find(p, g->domain_id);

    return (e != NULL) && (e->seq >= g->seq_no);
}

/*!
 * \brief Parse the target of a replay (at most one of the three is set)
 *
 * \param[in]  until_gtid  Stop before this GTID, or NULL/""
 * \param[in]  until_time  RFC 3339 time ("2026-01-02T03:04:05Z"; without
 *                         an offset it is UTC), or NULL/""
 * \param[in]  skip_gtid   Excise this GTID, or NULL/""
 * \param[out] ret_target  Where to store the target (only on success)
 * \param[out] ret_err     On failure, why (caller frees), may be NULL
 *
 * \return 0 on success, myha_rc_invalid if malformed or more than one given
 */
int
myha_pitr_target_parse(const char *until_gtid, const char *until_time,
                       const char *skip_gtid,
                       struct myha_pitr_target *ret_target, char **ret_err)
{
    struct myha_pitr_target t;
    int given = 0;

    memset(&t, 0, sizeof(t));
    t.kind = MYHA_PITR_ALL;
    if ((until_gtid != NULL) && (*until_gtid != '\0')) {
        given++;
        t.kind = MYHA_PITR_UNTIL_GTID;
        if (myha_binlog_gtid_parse(until_gtid, &t.gtid) != 0) {
            set_err(ret_err, err_printf("invalid GTID '%s'", until_gtid));
            return myha_rc_invalid;
        }
    }
    if ((skip_gtid != NULL) && (*skip_gtid != '\0')) {
        given++;
        t.kind = MYHA_PITR_SKIP_GTID;
        if (myha_binlog_gtid_parse(skip_gtid, &t.gtid) != 0) {
            set_err(ret_err, err_printf("invalid GTID '%s'", skip_gtid));
            return myha_rc_invalid;
        }
    }
    if ((until_time != NULL) && (*until_time != '\0')) {
        struct tm tm;
        const char *rest = NULL;
        long off = 0;

        given++;
        t.kind = MYHA_PITR_UNTIL_TIME;
        memset(&tm, 0, sizeof(tm));
        rest = strptime(until_time, "%Y-%m-%dT%H:%M:%S", &tm);
        if (rest == NULL) {
            rest = strptime(until_time, "%Y-%m-%d %H:%M:%S", &tm);
        }
        if (rest == NULL) {
            goto out_bad_time;
        }
        if (*rest == '.') { // fractions: the binlog has whole seconds
            rest++;
            while ((*rest >= '0') && (*rest <= '9')) {
                rest++;
            }
        }
        if ((*rest == 'Z') || (*rest == 'z')) {
            rest++;
        } else if ((*rest == '+') || (*rest == '-')) {
            int hh = 0;
            int mm = 0;

            if (sscanf(rest + 1, "%2d:%2d", &hh, &mm) != 2) {
                goto out_bad_time;
            }
            off = ((*rest == '+') ? 1 : -1) * (hh * 3600L + mm * 60L);
            rest += 6;
        }
        if (*rest != '\0') {
            goto out_bad_time;
        }
        t.time = (int64_t) timegm(&tm) - off;
    }
    if (given > 1) {
        set_err(ret_err, strdup("give at most one of until GTID, until time "
                                "and skip GTID"));
        return myha_rc_invalid;
    }
    *ret_target = t;
    return 0;

out_bad_time:
    set_err(ret_err, err_printf("invalid time '%s' (expected RFC 3339, "
                                "like 2026-01-02T03:04:05Z)",
                                until_time));
    return myha_rc_invalid;
}

static int
src_file_cmp(const void *a, const void *b)
{
    const struct src_file *x = a;
    const struct src_file *y = b;

    return (x->number > y->number) - (x->number < y->number);
}

// Files named PREFIX.DIGITS (6 or more digits), sorted by number
static int
list_source(const char *dir, struct src_file **ret_files, size_t *ret_n,
            char **ret_err)
{
    DIR *d = opendir(dir);
    struct dirent *de = NULL;
    struct src_file *files = NULL;
    size_t n = 0;
    int rc = 0;

    if (d == NULL) {
        rc = errno;
        set_err(ret_err, err_printf("cannot open source directory '%s': %s",
                                    dir, strerror(rc)));
        return rc;
    }
    while ((de = readdir(d)) != NULL) {
        const char *dot = strrchr(de->d_name, '.');
        size_t digits = 0;
        struct src_file *grown = NULL;

        if ((dot == NULL) || (dot == de->d_name)) {
            continue;
        }
        digits = strspn(dot + 1, "0123456789");
        if ((digits < 6) || (dot[1 + digits] != '\0')) {
            continue;
        }
        grown = realloc(files, (n + 1) * sizeof(*grown));
        if (grown == NULL) {
            rc = ENOMEM;
            goto out_free;
        }
        files = grown;
        files[n].name = strdup(de->d_name);
        if (files[n].name == NULL) {
            rc = ENOMEM;
            goto out_free;
        }
        files[n].number = strtoull(dot + 1, NULL, 10);
        files[n].prefix_len = (size_t) (dot - de->d_name);
        n++;
    }
    closedir(d);
    d = NULL;
    if (n == 0) {
        set_err(ret_err, err_printf("no binlog files (NAME.NNNNNN) in source "
                                    "directory '%s'",
                                    dir));
        rc = ENOENT;
        goto out_free;
    }
    qsort(files, n, sizeof(*files), src_file_cmp);
    for (size_t i = 1; i < n; i++) {
        if ((files[i].prefix_len != files[0].prefix_len)
            || (strncmp(files[i].name, files[0].name, files[0].prefix_len)
                != 0)) {
            set_err(ret_err,
                    err_printf("source directory '%s' holds binlogs of "
                               "several names ('%s', '%s'): keep one series",
                               dir, files[0].name, files[i].name));
            rc = myha_rc_invalid;
            goto out_free;
        }
    }
    *ret_files = files;
    *ret_n = n;
    return 0;

out_free:
    if (d != NULL) {
        closedir(d);
    }
    for (size_t i = 0; i < n; i++) {
        free(files[i].name);
    }
    free(files);
    return rc;
}

//! One opened source file during planning
struct scanned {
    struct myha_binlog_map map;
    struct myha_binlog *log;
    struct myha_binlog_summary sum;
    bool have_sum;
};

static void
scanned_release(struct scanned *s)
{
    if (s->have_sum) {
        myha_binlog_summary_release(&s->sum);
    }
    myha_binlog_free(s->log);
    myha_binlog_map_release(&s->map);
    memset(s, 0, sizeof(*s));
}

static int
scan_file(const char *path, const char *name, struct scanned *s, char **ret_err)
{
    char *err = NULL;
    int rc = myha_binlog_map_file(path, &s->map);

    if (rc != 0) {
        set_err(ret_err, err_printf("cannot read binlog '%s': %s", path,
                                    myha_rc_str(rc)));
        return rc;
    }
    rc = myha_binlog_new(name, s->map.data, s->map.size, MYHA_BINLOG_VERIFY_CRC,
                         &s->log, &err);
    if (rc == 0) {
        rc = myha_binlog_scan(s->log, &s->sum, &err);
        s->have_sum = (rc == 0);
    }
    /* The checksums are verified: the walk that collects the transactions
     * reads the same bytes (a file being written only grows) and need not
     * compute them again
     */
    if (rc == 0) {
        myha_binlog_free(s->log);
        s->log = NULL;
        rc = myha_binlog_new(name, s->map.data, s->map.size, 0, &s->log, &err);
    }
    if (rc != 0) {
        set_err(ret_err, err_printf("binlog '%s' is corrupt: %s", path,
                                    (err != NULL) ? err : myha_rc_str(rc)));
        if (rc != ENOMEM) {
            rc = myha_rc_invalid;
        }
    }
    free(err);
    return rc;
}

//! Collects the transactions of one file (myha_binlog_foreach_trx())
struct collect {
    struct myha_pitr_plan *plan;
    const struct gtid_pos *base;
    size_t file;
    size_t cap;
    int64_t applied_ts; //!< Latest of those the base holds, -1 if none
};

static int
collect_trx(const struct myha_binlog_trx *trx, void *user_data)
{
    struct collect *c = user_data;
    struct myha_pitr_plan *plan = c->plan;
    struct myha_pitr_trx *t = NULL;

    if (!trx->has_gtid) {
        return 0;
    }
    if (pos_has_gtid(c->base, &trx->gtid)) {
        // Timestamps are when statements started: not in commit order
        if ((int64_t) trx->timestamp > c->applied_ts) {
            c->applied_ts = (int64_t) trx->timestamp;
        }
        return 0;
    }
    if (plan->n_trx == c->cap) {
        size_t cap = (c->cap == 0) ? 1024 : c->cap * 2;
        struct myha_pitr_trx *grown = realloc(plan->trx, cap * sizeof(*t));

        if (grown == NULL) {
            return ENOMEM;
        }
        plan->trx = grown;
        c->cap = cap;
    }
    t = &plan->trx[plan->n_trx++];
    t->file = c->file;
    t->start = trx->start;
    t->end = trx->end;
    t->timestamp = trx->timestamp;
    t->gtid = trx->gtid;
    return 0;
}

static ssize_t
find_trx(const struct myha_pitr_plan *plan, const struct myha_binlog_gtid *g)
{
    for (size_t i = 0; i < plan->n_trx; i++) {
        if (myha_is_binlog_gtid_equal(&plan->trx[i].gtid, g)) {
            return (ssize_t) i;
        }
    }
    return -1;
}

static uint64_t
bytes_between(const struct myha_pitr_plan *plan, struct myha_pitr_pos a,
              struct myha_pitr_pos b)
{
    uint64_t total = 0;

    if (a.file == b.file) {
        return (b.pos > a.pos) ? b.pos - a.pos : 0;
    }
    total = plan->files[a.file].size - a.pos;
    for (size_t i = a.file + 1; i < b.file; i++) {
        total += plan->files[i].size;
    }
    return total + b.pos;
}

/* Set the target positions and expected GTID position of a plan.
 * APPLIED_TS: the latest timestamp of the transactions of the files that
 * the server holds already, -1 if none.
 */
static int
plan_target(struct myha_pitr_plan *plan, const struct gtid_pos *base_pos,
            int64_t applied_ts, char **ret_err)
{
    char gtext[MYHA_BINLOG_GTID_TEXT_MAX];
    struct gtid_pos expected = { NULL, 0 };
    size_t n_until = plan->n_trx; // transactions before the until point
    ssize_t k = -1;
    int rc = 0;

    gtext[0] = '\0';
    if ((plan->target.kind == MYHA_PITR_UNTIL_GTID)
        || (plan->target.kind == MYHA_PITR_SKIP_GTID)) {
        myha_binlog_gtid_format(&plan->target.gtid, gtext, sizeof(gtext));
        k = find_trx(plan, &plan->target.gtid);
        if (k < 0) {
            if (pos_has_gtid(base_pos, &plan->target.gtid)
                && (plan->target.kind == MYHA_PITR_SKIP_GTID)) {
                /* The position cannot tell an applied transaction from
                 * an excised one: only the person who ran pitr knows
                 */
                set_err(ret_err,
                        err_printf("GTID %s is already applied or skipped: "
                                   "the server is at '%s'; if an "
                                   "interrupted pitr skipped it, replay the "
                                   "rest without a skip target, else "
                                   "restore an older base",
                                   gtext, plan->base));
            } else if (pos_has_gtid(base_pos, &plan->target.gtid)) {
                set_err(ret_err,
                        err_printf("GTID %s is already applied: the server is "
                                   "at '%s'; restore an older base",
                                   gtext, plan->base));
            } else {
                set_err(ret_err,
                        err_printf("GTID %s is not in the source binlogs "
                                   "after the server's position '%s'",
                                   gtext, plan->base));
            }
            return myha_rc_invalid;
        }
        n_until = (size_t) k;
    } else if (plan->target.kind == MYHA_PITR_UNTIL_TIME) {
        size_t i = 0;

        while ((i < plan->n_trx)
               && ((int64_t) plan->trx[i].timestamp < plan->target.time)) {
            i++;
        }
        if (i == plan->n_trx) {
            set_err(ret_err,
                    err_printf(
                        "time %lld is after the last transaction of "
                        "the source binlogs (%lld): apply everything "
                        "instead, or add the missing binlogs",
                        (long long) plan->target.time,
                        (plan->n_trx > 0)
                            ? (long long) plan->trx[plan->n_trx - 1].timestamp
                            : 0LL));
            return myha_rc_invalid;
        }
        if ((i == 0) && (applied_ts >= 0) && (applied_ts < plan->target.time)) {
            /* Reached already (a pitr to this time ran): the server holds
             * what came before it, and nothing after
             */
        } else if (i == 0) {
            char when[64] = "";

            if (applied_ts >= 0) {
                snprintf(when, sizeof(when),
                         ", which holds one committed at "
                         "%lld",
                         (long long) applied_ts);
            }
            set_err(ret_err,
                    err_printf("time %lld is before the first transaction "
                               "after the server's position '%s' (%u)%s: "
                               "restore an older base",
                               (long long) plan->target.time, plan->base,
                               plan->trx[0].timestamp, when));
            return myha_rc_invalid;
        }
        n_until = i;
    }

    if (plan->n_trx == 0) {
        plan->until = plan->start;
    } else if (n_until < plan->n_trx) {
        plan->until.file = plan->trx[n_until].file;
        plan->until.pos = plan->trx[n_until].start;
    } else {
        plan->until.file = plan->trx[plan->n_trx - 1].file;
        plan->until.pos = plan->trx[plan->n_trx - 1].end;
    }
    plan->bytes_total = bytes_between(plan, plan->start, plan->until);
    plan->n_apply = n_until;

    if (plan->target.kind == MYHA_PITR_SKIP_GTID) {
        plan->has_skip = true;
        plan->resume.file = plan->trx[k].file;
        plan->resume.pos = plan->trx[k].end;
        plan->end.file = plan->trx[plan->n_trx - 1].file;
        plan->end.pos = plan->trx[plan->n_trx - 1].end;
        plan->bytes_total += bytes_between(plan, plan->resume, plan->end);
        plan->n_apply = plan->n_trx - 1;
    }

    for (size_t i = 0; i < base_pos->n; i++) {
        rc = pos_update(&expected, base_pos->e[i].domain, base_pos->e[i].server,
                        base_pos->e[i].seq);
        if (rc != 0) {
            goto out_release;
        }
    }
    for (size_t i = 0; i < plan->n_trx; i++) {
        const struct myha_binlog_gtid *g = &plan->trx[i].gtid;

        if ((i >= n_until) && !plan->has_skip) {
            break;
        }
        if (plan->has_skip && (i == (size_t) k)) {
            continue;
        }
        rc = pos_update(&expected, g->domain_id, g->server_id, g->seq_no);
        if (rc != 0) {
            goto out_release;
        }
    }
    plan->expected = pos_format(&expected);
    if (plan->expected == NULL) {
        rc = ENOMEM;
    }

out_release:
    pos_release(&expected);
    return rc;
}

/*!
 * \brief Plan a replay: which files, from where, until where
 *
 * Reads the source directory newest first back to the file whose GTID list
 * the base position covers, verifying CRC32 checksums.  Nothing is changed.
 *
 * \param[in]  source_dir      Directory of binlog files (NAME.NNNNNN)
 * \param[in]  base            MariaDB GTID position of the server ("" if
 *                             none)
 * \param[in]  target          What to replay
 * \param[in]  relay_basename  The server's relay log name ("relay")
 * \param[out] ret_plan        Where to store the plan (only on success)
 * \param[out] ret_err         On failure, what is wrong and what to do
 *                             (caller frees), may be NULL
 *
 * \return 0 on success; ENOENT if files are missing, myha_rc_invalid if the
 *         target is not in them or a file is corrupt or truncated, another
 *         errno on I/O failure
 * \note The caller frees *ret_plan with myha_pitr_plan_free().
 */
int
myha_pitr_plan_new(const char *source_dir, const char *base,
                   const struct myha_pitr_target *target,
                   const char *relay_basename, struct myha_pitr_plan **ret_plan,
                   char **ret_err)
{
    struct src_file *src = NULL;
    size_t n_src = 0;
    struct scanned *sc = NULL;
    struct gtid_pos base_pos = { NULL, 0 };
    struct myha_pitr_plan *plan = NULL;
    size_t first = 0;
    bool found = false;
    int64_t applied_ts = -1; // see plan_target()
    int rc = 0;

    if ((source_dir == NULL) || (target == NULL) || (relay_basename == NULL)
        || (ret_plan == NULL)) {
        return EINVAL;
    }
    if (pos_parse(base, &base_pos) != 0) {
        set_err(ret_err, err_printf("invalid GTID position '%s'", base));
        return myha_rc_invalid;
    }
    rc = list_source(source_dir, &src, &n_src, ret_err);
    if (rc != 0) {
        goto out_base;
    }
    sc = calloc(n_src, sizeof(*sc));
    plan = calloc(1, sizeof(*plan));
    if ((sc == NULL) || (plan == NULL)) {
        rc = ENOMEM;
        goto out_free;
    }
    plan->target = *target;
    plan->base = pos_format(&base_pos);
    if (plan->base == NULL) {
        rc = ENOMEM;
        goto out_free;
    }

    // Newest first, back to the first file the server needs
    for (size_t i = n_src; i-- > 0;) {
        char *path = err_printf("%s/%s", source_dir, src[i].name);
        struct gtid_pos before = { NULL, 0 };
        char *text = NULL;

        if (path == NULL) {
            rc = ENOMEM;
            goto out_free;
        }
        rc = scan_file(path, src[i].name, &sc[i], ret_err);
        free(path);
        if (rc != 0) {
            goto out_free;
        }
        if (sc[i].sum.truncated && (i != n_src - 1)) {
            set_err(ret_err,
                    err_printf("binlog '%s/%s' is truncated (ends inside an "
                               "event or transaction at %llu of %llu bytes) "
                               "but is not the newest file: restore it from "
                               "the archive",
                               source_dir, src[i].name,
                               (unsigned long long) sc[i].sum.safe_end,
                               (unsigned long long) sc[i].sum.size));
            rc = myha_rc_invalid;
            goto out_free;
        }
        if (i + 1 < n_src && src[i + 1].number != src[i].number + 1) {
            set_err(ret_err,
                    err_printf("binlog files are missing between '%s' and "
                               "'%s' in '%s'",
                               src[i].name, src[i + 1].name, source_dir));
            rc = ENOENT;
            goto out_free;
        }
        if (sc[i].sum.before != NULL) {
            text = myha_gtid_set_format(sc[i].sum.before);
            if (text == NULL) {
                rc = ENOMEM;
                goto out_free;
            }
        }
        rc = pos_parse(text, &before);
        if (rc != 0) {
            set_err(ret_err, err_printf("binlog '%s' has an unreadable GTID "
                                        "list '%s'",
                                        src[i].name, text));
            free(text);
            goto out_free;
        }
        if (pos_covers(&base_pos, &before)) {
            first = i;
            found = true;
            pos_release(&before);
            free(text);
            break;
        }
        pos_release(&before);
        if (i == 0) {
            set_err(ret_err,
                    err_printf("binlog files are missing: the oldest file of "
                               "'%s', '%s', starts after GTID position '%s' "
                               "but the server is at '%s'; add the files "
                               "before it or restore a newer base",
                               source_dir, src[0].name,
                               (text != NULL) ? text : "", plan->base));
            free(text);
            rc = ENOENT;
            goto out_free;
        }
        free(text);
    }
    if (!found) {
        rc = ENOENT;
        goto out_free;
    }

    plan->origin_server_id = myha_binlog_get_info(sc[first].log)->server_id;
    // Transactions after the base, and the files that hold them
    {
        struct collect c = { plan, &base_pos, 0, 0, -1 };
        size_t skip = 0;

        for (size_t i = first; i < n_src; i++) {
            char *err = NULL;

            c.file = i - first;
            rc = myha_binlog_foreach_trx(sc[i].log, collect_trx, &c, &err);
            if (rc != 0) {
                set_err(ret_err,
                        err_printf("cannot read binlog '%s': %s", src[i].name,
                                   (err != NULL) ? err : myha_rc_str(rc)));
                free(err);
                goto out_free;
            }
            free(err);
        }
        // Files before the one of the first transaction are not needed
        if (plan->n_trx > 0) {
            skip = plan->trx[0].file;
            for (size_t j = 0; j < plan->n_trx; j++) {
                plan->trx[j].file -= skip;
            }
        } else {
            skip = n_src - 1 - first;
        }
        first += skip;
        applied_ts = c.applied_ts;
    }
    plan->n_files = n_src - first;
    plan->files = calloc(plan->n_files, sizeof(*plan->files));
    if (plan->files == NULL) {
        rc = ENOMEM;
        goto out_free;
    }
    for (size_t i = 0; i < plan->n_files; i++) {
        struct myha_pitr_file *f = &plan->files[i];
        const struct src_file *s = &src[first + i];

        f->name = strdup(s->name);
        f->path = err_printf("%s/%s", source_dir, s->name);
        f->relay_name =
            err_printf("%s%s", relay_basename, s->name + s->prefix_len);
        if ((f->name == NULL) || (f->path == NULL) || (f->relay_name == NULL)) {
            rc = ENOMEM;
            goto out_free;
        }
        f->size = sc[first + i].sum.safe_end;
    }
    if (plan->n_trx > 0) {
        plan->start.file = 0;
        plan->start.pos = plan->trx[0].start;
    } else {
        plan->start.file = plan->n_files - 1;
        plan->start.pos = plan->files[plan->n_files - 1].size;
    }
    rc = plan_target(plan, &base_pos, applied_ts, ret_err);
    if (rc != 0) {
        goto out_free;
    }
    *ret_plan = plan;
    plan = NULL;

out_free:
    if (sc != NULL) {
        for (size_t i = 0; i < n_src; i++) {
            scanned_release(&sc[i]);
        }
        free(sc);
    }
    for (size_t i = 0; i < n_src; i++) {
        free(src[i].name);
    }
    free(src);
    myha_pitr_plan_free(plan);
out_base:
    pos_release(&base_pos);
    return rc;
}

/*!
 * \brief Free a plan
 *
 * \param[in] plan  Plan from myha_pitr_plan_new(), or NULL
 */
void
myha_pitr_plan_free(struct myha_pitr_plan *plan)
{
    if (plan == NULL) {
        return;
    }
    for (size_t i = 0; (plan->files != NULL) && (i < plan->n_files); i++) {
        free(plan->files[i].name);
        free(plan->files[i].path);
        free(plan->files[i].relay_name);
    }
    free(plan->files);
    free(plan->trx);
    free(plan->base);
    free(plan->expected);
    free(plan);
}

/*!
 * \brief Say where a GTID position lies in a plan
 *
 * For a replay that stopped early: how many of the plan's transactions the
 * position has, whether it is past an excised transaction (then what is
 * left is a replay without that target), and whether it is the plan's
 * expected final position.
 *
 * \param[in]  plan         From myha_pitr_plan_new()
 * \param[in]  pos          MariaDB GTID position ("0-1-5,1-1-2", or "")
 * \param[out] ret_reached  Where it lies (only on success)
 *
 * \return 0 on success, EINVAL if an argument is NULL, myha_rc_invalid if
 *         pos is malformed, ENOMEM
 */
int
myha_pitr_plan_locate(const struct myha_pitr_plan *plan, const char *pos,
                      struct myha_pitr_reached *ret_reached)
{
    struct gtid_pos at = { NULL, 0 };
    struct gtid_pos expected = { NULL, 0 };
    struct myha_pitr_reached r = { 0, false, false };
    int rc = 0;

    if ((plan == NULL) || (ret_reached == NULL)) {
        return EINVAL;
    }
    rc = pos_parse(pos, &at);
    if (rc == 0) {
        rc = pos_parse(plan->expected, &expected);
    }
    if (rc != 0) {
        goto out_release;
    }
    for (size_t i = 0; i < plan->n_trx; i++) {
        const struct myha_binlog_gtid *g = &plan->trx[i].gtid;

        // Without an excision, the plan applies the first n_apply only
        if (!plan->has_skip && (i >= plan->n_apply)) {
            break;
        }
        if (!pos_has_gtid(&at, g)) {
            continue;
        }
        if (plan->has_skip
            && myha_is_binlog_gtid_equal(g, &plan->target.gtid)) {
            r.is_skip_past = true;
        } else {
            r.n_applied++;
        }
    }
    r.is_complete = pos_covers(&at, &expected) && pos_covers(&expected, &at);
    *ret_reached = r;

out_release:
    pos_release(&expected);
    pos_release(&at);
    return rc;
}

/*!
 * \brief The GTID position a replay starts from (@@gtid_slave_pos)
 *
 * \param[in]  db        Connected server
 * \param[out] ret_base  Where to store the position (caller frees), only on
 *                       success
 *
 * \return 0 on success, else a code of myha_db_query_value()
 */
int
myha_pitr_base_get(struct myha_db *db, char **ret_base)
{
    char *value = NULL;
    int rc = myha_db_query_value(db, "SELECT @@GLOBAL.gtid_slave_pos", &value);

    if (rc != 0) {
        return rc;
    }
    if (value == NULL) {
        value = strdup("");
        if (value == NULL) {
            return ENOMEM;
        }
    }
    *ret_base = value;
    return 0;
}

/*!
 * \brief Where the server keeps its relay logs
 *
 * \param[in]  db            Connected server
 * \param[in]  datadir       Its data directory (for relative names)
 * \param[out] ret_dir       Directory of the relay logs
 * \param[out] ret_basename  Their name without number ("relay")
 * \param[out] ret_index     Path of the relay log index
 * \param[out] ret_entry_dir How the index names their directory: "." if
 *                           the server's relay_log is relative
 *
 * \return 0 on success, a myha_db code, or ENOMEM
 * \note The caller frees the four strings (written only on success).
 */
int
myha_pitr_relay_get(struct myha_db *db, const char *datadir, char **ret_dir,
                    char **ret_basename, char **ret_index, char **ret_entry_dir)
{
    char *opt = NULL;
    char *entry = NULL;
    char *base = NULL;
    char *index = NULL;
    char *full = NULL;
    char *dir = NULL;
    char *name = NULL;
    char *slash = NULL;
    int rc =
        myha_db_query_value(db, "SELECT @@GLOBAL.relay_log_basename", &base);

    if (rc != 0) {
        return rc;
    }
    rc = myha_db_query_value(db, "SELECT @@GLOBAL.relay_log_index", &index);
    if (rc == 0) {
        rc = myha_db_query_value(db, "SELECT @@GLOBAL.relay_log", &opt);
    }
    if (rc != 0) {
        goto out_free;
    }
    if ((base == NULL) || (*base == '\0')) {
        rc = myha_rc_local_config;
        goto out_free;
    }
    full = (base[0] == '/') ? strdup(base) : err_printf("%s/%s", datadir, base);
    if (full == NULL) {
        rc = ENOMEM;
        goto out_free;
    }
    slash = strrchr(full, '/');
    name = strdup(slash + 1);
    *slash = '\0';
    dir = strdup(full);
    *slash = '/';
    if ((name == NULL) || (dir == NULL)) {
        rc = ENOMEM;
        goto out_free;
    }
    if ((index == NULL) || (*index == '\0')) {
        free(index);
        index = err_printf("%s.index", full);
    } else if (index[0] != '/') {
        char *abs = (strchr(index, '/') != NULL)
                        ? err_printf("%s/%s", datadir, index)
                        : err_printf("%s/%s", dir, index);

        free(index);
        index = abs;
    }
    if ((opt != NULL) && (strchr(opt, '/') != NULL)) {
        entry = strdup(dir);
    } else {
        entry = strdup(".");
    }
    if ((index == NULL) || (entry == NULL)) {
        rc = ENOMEM;
        goto out_free;
    }
    *ret_dir = dir;
    *ret_basename = name;
    *ret_index = index;
    *ret_entry_dir = entry;
    dir = name = index = entry = NULL;

out_free:
    free(opt);
    free(entry);
    free(full);
    free(dir);
    free(name);
    free(index);
    free(base);
    return rc;
}

// --- Execution ---

//! State of one execution
struct exec {
    struct myha_db *db;
    const struct myha_pitr_plan *plan;
    const struct myha_pitr_exec_opts *opts;
    char **ret_err;
    double t0;
    uint64_t bytes_before; //!< Bytes of the phases already done
    size_t n_linked;       //!< Relay logs placed as hard links
};

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ((double) ts.tv_nsec / 1e9);
}

static int __attribute__((format(printf, 3, 4)))
run_sql(struct exec *x, const char *what, const char *format, ...)
{
    va_list ap;
    char *sql = NULL;
    int rc = 0;

    va_start(ap, format);
    if (vasprintf(&sql, format, ap) < 0) {
        sql = NULL;
    }
    va_end(ap);
    if (sql == NULL) {
        return ENOMEM;
    }
    rc = myha_db_exec(x->db, sql);
    if (rc != 0) {
        set_err(x->ret_err,
                err_printf("%s failed: %s", what, myha_db_error(x->db)));
    }
    free(sql);
    return rc;
}

static int
query_ll(struct exec *x, const char *sql, long long *ret_value)
{
    char *value = NULL;
    int rc = myha_db_query_value(x->db, sql, &value);

    if (rc == 0) {
        rc = (value == NULL) ? myha_rc_parse : myha_str_to_ll(value, ret_value);
    }
    if (rc != 0) {
        set_err(x->ret_err,
                err_printf("'%s' failed: %s", sql, myha_db_error(x->db)));
    }
    free(value);
    return rc;
}

static bool
is_interrupted(const struct myha_pitr_exec_opts *opts)
{
    return (opts->interrupt != NULL) && (*opts->interrupt != 0);
}

/* Copy the first SIZE bytes of IN to OUT (TMP names it in messages):
 * copy_file_range() keeps the bytes in the kernel; read() and write() where
 * it cannot be used.  EINTR if interrupted.
 */
static int
copy_bytes(int in, int out, const char *src, const char *tmp, uint64_t size,
           const struct myha_pitr_exec_opts *opts, char **ret_err)
{
    const size_t chunk = 16 << 20; // a binlog can be a gigabyte: look between
    bool in_kernel = true;
    char *buf = NULL;
    uint64_t left = size;
    int rc = 0;

    while (left > 0) {
        size_t want = (left < chunk) ? (size_t) left : chunk;
        ssize_t got = -1;

        if (is_interrupted(opts)) {
            rc = EINTR;
            set_err(ret_err, err_printf("interrupted while copying '%s'", src));
            break;
        }
        if (in_kernel) {
            got = copy_file_range(in, NULL, out, NULL, want, 0);
            if ((got < 0)
                && ((errno == EXDEV) || (errno == ENOSYS) || (errno == EINVAL)
                    || (errno == EOPNOTSUPP))
                && (left == size)) {
                in_kernel = false; // not between these two: nothing copied
                continue;
            }
            if (got < 0) {
                rc = errno;
                set_err(ret_err, err_printf("cannot copy '%s' to '%s': %s", src,
                                            tmp, strerror(rc)));
                break;
            }
        } else {
            if ((buf == NULL) && ((buf = malloc(chunk)) == NULL)) {
                rc = ENOMEM;
                break;
            }
            got = read(in, buf, want);
            if (got < 0) {
                rc = errno;
                set_err(ret_err,
                        err_printf("cannot read '%s': %s", src, strerror(rc)));
                break;
            }
            for (size_t done = 0; done < (size_t) got;) {
                ssize_t w = write(out, buf + done, (size_t) got - done);

                if (w < 0) {
                    rc = errno;
                    set_err(ret_err, err_printf("cannot write '%s': %s", tmp,
                                                strerror(rc)));
                    break;
                }
                done += (size_t) w;
            }
            if (rc != 0) {
                break;
            }
        }
        if (got == 0) {
            rc = EIO;
            set_err(ret_err, err_printf("cannot read '%s': file shrank", src));
            break;
        }
        left -= (uint64_t) got;
    }
    free(buf);
    return rc;
}

// stat() of the directory that PATH is in
static int
parent_stat(const char *path, struct stat *ret_st)
{
    char *parent = strdup(path);
    char *slash = NULL;
    int rc = 0;

    if (parent == NULL) {
        return ENOMEM;
    }
    slash = strrchr(parent, '/');
    if (slash == NULL) {
        strcpy(parent, ".");
    } else {
        slash[(slash == parent) ? 1 : 0] = '\0';
    }
    if (stat(parent, ret_st) != 0) {
        rc = errno;
    }
    free(parent);
    return rc;
}

/* Whether the file PATH names (symbolic links followed) is in directory
 * DIR; not known (DIR NULL, no memory): true
 */
static bool
in_dir(const char *path, const struct stat *dir)
{
    char *real = (dir == NULL) ? NULL : realpath(path, NULL);
    struct stat st;
    bool in = true;

    if ((real != NULL) && (parent_stat(real, &st) == 0)) {
        in = (st.st_dev == dir->st_dev) && (st.st_ino == dir->st_ino);
    }
    free(real);
    return in;
}

/* Hard-link the file open as IN (what was checked, not what its name may
 * name by now, nor a symbolic link) as TMP
 */
static bool
link_open_file(int in, const char *tmp)
{
    char self[64];

    snprintf(self, sizeof(self), "/proc/self/fd/%d", in);
    return linkat(AT_FDCWD, self, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0;
}

/* Place the first SIZE bytes of SRC as the relay log DST, through a
 * temporary name; EINTR if interrupted (DST then does not exist).
 *
 * A hard link where one can be: same file system, SRC used whole, owned by
 * OWNER (the relay log directory's owner, who must read it) and not in
 * OWN_DIR (where the server writes its binary logs; NULL: not known, never
 * link).  The server
 * only reads relay logs it did not write, and purging one (relay_log_purge,
 * RESET SLAVE ALL) only removes the link: SRC is never changed.  Else a copy,
 * owned by OWNER.  Neither is synced: relay logs are scratch, and a replay
 * cut short by a crash is marked unfinished and placed again when run again.
 */
static int
place_file(const char *src, const char *dst, uint64_t size,
           const struct stat *owner, const struct stat *own_dir,
           const struct myha_pitr_exec_opts *opts, bool *ret_linked,
           char **ret_err)
{
    char *tmp = err_printf("%s.pitr-tmp", dst);
    struct stat st;
    int in = -1;
    int out = -1;
    int rc = 0;

    if (tmp == NULL) {
        return ENOMEM;
    }
    (void) unlink(tmp); // left by a run that was killed
    in = open(src, O_RDONLY | O_CLOEXEC);
    if ((in < 0) || (fstat(in, &st) != 0)) {
        rc = errno;
        set_err(ret_err, err_printf("cannot open '%s': %s", src, strerror(rc)));
        goto out;
    }
    if ((st.st_dev == owner->st_dev) && ((uint64_t) st.st_size == size)
        && (st.st_uid == owner->st_uid) && ((st.st_mode & S_IRUSR) != 0)
        && !in_dir(src, own_dir) && link_open_file(in, tmp)) {
        *ret_linked = true;
        goto out_rename;
    }
    out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (out < 0) {
        rc = errno;
        set_err(ret_err,
                err_printf("cannot create '%s': %s", tmp, strerror(rc)));
        goto out;
    }
    rc = copy_bytes(in, out, src, tmp, size, opts, ret_err);
    if (rc != 0) {
        goto out;
    }
    if ((fchown(out, owner->st_uid, owner->st_gid) != 0) && (errno != EPERM)) {
        rc = errno;
        set_err(ret_err,
                err_printf("cannot chown '%s': %s", tmp, strerror(rc)));
        goto out;
    }
    rc = close(out);
    out = -1;
    if (rc != 0) {
        rc = errno;
        set_err(ret_err,
                err_printf("cannot write '%s': %s", tmp, strerror(rc)));
        goto out;
    }

out_rename:
    if (rename(tmp, dst) != 0) {
        rc = errno;
        set_err(ret_err, err_printf("cannot rename '%s' to '%s': %s", tmp, dst,
                                    strerror(rc)));
    }

out:
    if (out >= 0) {
        close(out);
    }
    if (rc != 0) {
        (void) unlink(tmp);
    }
    if (in >= 0) {
        close(in);
    }
    free(tmp);
    return rc;
}

// Remove the first N relay logs that place_relay_logs() placed
static void
remove_relay_logs(struct exec *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *dst = err_printf("%s/%s", x->opts->relay_dir,
                               x->plan->files[i].relay_name);

        if (dst != NULL) {
            (void) unlink(dst);
        }
        free(dst);
    }
}

/* Place the planned files as relay logs and write the relay log index.  If
 * placing fails or is interrupted (EINTR), the files placed so far are
 * removed: no index names them yet, so RESET SLAVE ALL would not.
 */
static int
place_relay_logs(struct exec *x)
{
    const struct myha_pitr_plan *plan = x->plan;
    const struct myha_pitr_exec_opts *opts = x->opts;
    struct stat owner;
    struct stat own_dir;
    const struct stat *own = NULL;
    char *own_base = NULL;
    FILE *fp = NULL;
    int fd = -1;
    int rc = 0;

    if (stat(opts->relay_dir, &owner) != 0) {
        rc = errno;
        set_err(x->ret_err, err_printf("relay log directory '%s': %s",
                                       opts->relay_dir, strerror(rc)));
        return rc;
    }
    /* Never link the server's own binary logs: it appends to the newest.
     * Not known where they are: never link.
     */
    if ((myha_db_query_value(x->db, "SELECT @@GLOBAL.log_bin_basename",
                             &own_base)
         == 0)
        && (own_base != NULL) && (own_base[0] == '/')
        && (parent_stat(own_base, &own_dir) == 0)) {
        own = &own_dir;
    }
    free(own_base);
    x->n_linked = 0;
    for (size_t i = 0; i < plan->n_files; i++) {
        char *dst =
            err_printf("%s/%s", opts->relay_dir, plan->files[i].relay_name);
        bool linked = false;

        if (dst == NULL) {
            remove_relay_logs(x, i);
            return ENOMEM;
        }
        rc = place_file(plan->files[i].path, dst, plan->files[i].size, &owner,
                        own, opts, &linked, x->ret_err);
        x->n_linked += linked ? 1 : 0;
        free(dst);
        if (rc != 0) {
            remove_relay_logs(x, i);
            return rc;
        }
    }
    /* In place, not by rename: the server may hold the index open, and
     * reads it again when CHANGE MASTER opens the relay log */
    fd =
        open(opts->relay_index, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if ((fd < 0) || ((fp = fdopen(fd, "w")) == NULL)) {
        rc = errno;
        if (fd >= 0) {
            close(fd);
        }
        set_err(x->ret_err, err_printf("cannot write relay log index '%s': %s",
                                       opts->relay_index, strerror(rc)));
        return rc;
    }
    if ((fchown(fd, owner.st_uid, owner.st_gid) != 0) && (errno != EPERM)) {
        rc = errno;
    }
    for (size_t i = 0; i < plan->n_files; i++) {
        // As the server writes them, or it does not find them (ERROR 1380)
        fprintf(fp, "%s/%s\n",
                (opts->relay_entry_dir != NULL) ? opts->relay_entry_dir
                                                : opts->relay_dir,
                plan->files[i].relay_name);
    }
    if ((fflush(fp) != 0) || (fsync(fd) != 0)) {
        rc = errno;
    }
    if ((fclose(fp) != 0) && (rc == 0)) {
        rc = errno;
    }
    if (rc != 0) {
        set_err(x->ret_err, err_printf("cannot write relay log index '%s': %s",
                                       opts->relay_index, strerror(rc)));
    }
    return rc;
}

// Index of a relay log file name in the plan; n_files if it is a later one
static size_t
relay_file_index(const struct myha_pitr_plan *plan, const char *name)
{
    const char *base = NULL;

    if (name == NULL) {
        return 0;
    }
    base = strrchr(name, '/');
    base = (base != NULL) ? base + 1 : name;
    for (size_t i = 0; i < plan->n_files; i++) {
        if (strcmp(plan->files[i].relay_name, base) == 0) {
            return i;
        }
    }
    return plan->n_files;
}

static int
pos_cmp(struct myha_pitr_pos a, struct myha_pitr_pos b)
{
    if (a.file != b.file) {
        return (a.file > b.file) - (a.file < b.file);
    }
    return (a.pos > b.pos) - (a.pos < b.pos);
}

// Transactions that start before AT
static size_t
trx_before(const struct myha_pitr_plan *plan, struct myha_pitr_pos at)
{
    size_t lo = 0;
    size_t hi = plan->n_trx;

    while (lo < hi) {
        size_t mid = lo + ((hi - lo) / 2);
        struct myha_pitr_pos p = { plan->trx[mid].file, plan->trx[mid].start };

        if (pos_cmp(p, at) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

static void
report(struct exec *x, int phase, struct myha_pitr_pos from,
       struct myha_pitr_pos at)
{
    struct myha_pitr_progress p;
    const struct myha_pitr_plan *plan = x->plan;
    size_t done = trx_before(plan, at) - trx_before(plan, plan->start);

    if (x->opts->progress == NULL) {
        return;
    }
    memset(&p, 0, sizeof(p));
    p.phase = phase;
    if ((phase == 2) && (done > 0)) {
        done--; // the skipped one
    }
    p.trx_done = (done > plan->n_apply) ? plan->n_apply : done;
    p.trx_total = plan->n_apply;
    p.bytes_done = x->bytes_before + bytes_between(plan, from, at);
    if (p.bytes_done > plan->bytes_total) {
        p.bytes_done = plan->bytes_total;
    }
    p.bytes_total = plan->bytes_total;
    p.elapsed_s = now_s() - x->t0;
    p.bytes_per_s = (p.elapsed_s > 0) ? (double) p.bytes_done / p.elapsed_s : 0;
    p.eta_s = (p.bytes_per_s > 0)
                  ? (double) (p.bytes_total - p.bytes_done) / p.bytes_per_s
                  : -1;
    p.files_linked = x->n_linked;
    p.files_copied = plan->n_files - x->n_linked;
    x->opts->progress(&p, x->opts->user_data);
}

/* Sleep MS milliseconds, less if a signal arrives: its handler may have
 * asked to stop (nanosleep() is never restarted, whatever SA_RESTART says)
 */
static void
sleep_ms(long long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    (void) nanosleep(&ts, NULL);
}

/* Run the SQL thread from FROM until UNTIL and wait for it to get there.
 * If interrupted, stop it (STOP SLAVE SQL_THREAD ends at a transaction
 * boundary) and return EINTR.
 */
static int
run_phase(struct exec *x, int phase, struct myha_pitr_pos from,
          struct myha_pitr_pos until)
{
    const struct myha_pitr_plan *plan = x->plan;
    const struct myha_pitr_file *ff = &plan->files[from.file];
    const struct myha_pitr_file *uf = &plan->files[until.file];
    long long poll_ms = (x->opts->poll_ms > 0) ? x->opts->poll_ms : 200;
    int rc = 0;

    rc = run_sql(x, "pointing the replica at the relay logs",
                 "CHANGE MASTER TO MASTER_HOST='" PITR_HOST "', "
                 "MASTER_USE_GTID=no, MASTER_LOG_FILE='%s', "
                 "MASTER_LOG_POS=%llu, RELAY_LOG_FILE='%s', "
                 "RELAY_LOG_POS=%llu",
                 ff->name, (unsigned long long) from.pos, ff->relay_name,
                 (unsigned long long) from.pos);
    if (rc != 0) {
        return rc;
    }
    rc = run_sql(x, "starting the SQL thread",
                 "START SLAVE SQL_THREAD UNTIL RELAY_LOG_FILE='%s', "
                 "RELAY_LOG_POS=%llu",
                 uf->relay_name, (unsigned long long) until.pos);
    if (rc != 0) {
        return rc;
    }
    for (;;) {
        struct myha_db_replica_status *st = NULL;
        struct myha_pitr_pos at = { 0, 0 };
        bool idle = false;

        rc = myha_db_replica_status_get(x->db, &st);
        if (rc != 0) {
            set_err(x->ret_err, err_printf("SHOW SLAVE STATUS failed: %s",
                                           myha_db_error(x->db)));
            return rc;
        }
        if (!st->configured) {
            myha_db_replica_status_free(st);
            set_err(x->ret_err, strdup("the replication channel disappeared "
                                       "during the replay"));
            return myha_rc_error;
        }
        at.file = relay_file_index(plan, st->relay_log_file);
        at.pos = (at.file < plan->n_files) && (st->relay_log_pos > 0)
                     ? (uint64_t) st->relay_log_pos
                     : 0;
        if (at.file == plan->n_files) {
            at = until; // the server's own relay log after ours
        }
        report(x, phase, from, (pos_cmp(at, until) > 0) ? until : at);
        if (st->last_sql_errno > 0) {
            set_err(x->ret_err,
                    err_printf("the SQL thread failed in relay log '%s' at "
                               "%lld (binlog '%s' at %lld): error %lld: %s",
                               st->relay_log_file, st->relay_log_pos,
                               st->relay_source_log_file,
                               st->exec_source_log_pos, st->last_sql_errno,
                               st->last_sql_error));
            myha_db_replica_status_free(st);
            return myha_rc_error;
        }
        idle = (st->sql_running == myha_db_thread_running)
               && (st->sql_state != NULL)
               && (strstr(st->sql_state, "has read all relay log") != NULL);
        if ((st->sql_running == myha_db_thread_stopped) || idle) {
            bool reached = (pos_cmp(at, until) >= 0);

            myha_db_replica_status_free(st);
            if (idle) {
                rc = run_sql(x, "stopping the SQL thread",
                             "STOP SLAVE SQL_THREAD");
                if (rc != 0) {
                    return rc;
                }
            }
            if (!reached) {
                set_err(x->ret_err,
                        err_printf("the SQL thread stopped in relay log "
                                   "'%s' at %llu, before '%s' at %llu",
                                   (at.file < plan->n_files)
                                       ? plan->files[at.file].relay_name
                                       : "?",
                                   (unsigned long long) at.pos, uf->relay_name,
                                   (unsigned long long) until.pos));
                return myha_rc_error;
            }
            return 0;
        }
        myha_db_replica_status_free(st);
        if ((x->opts->timeout_ms > 0)
            && ((now_s() - x->t0) * 1000.0 > (double) x->opts->timeout_ms)) {
            set_err(x->ret_err,
                    err_printf("the replay did not finish in %lld ms",
                               x->opts->timeout_ms));
            return ETIMEDOUT;
        }
        if (is_interrupted(x->opts)) {
            rc = run_sql(x, "stopping the SQL thread", "STOP SLAVE SQL_THREAD");
            if (rc == 0) {
                set_err(x->ret_err, strdup("interrupted: the SQL thread was "
                                           "stopped between two "
                                           "transactions"));
                rc = EINTR;
            }
            return rc;
        }
        sleep_ms(poll_ms);
    }
}

// Preconditions, checked before anything changes
static int
check_server(struct exec *x)
{
    const struct myha_pitr_plan *plan = x->plan;
    long long read_only = 0;
    long long server_id = 0;
    char *base = NULL;
    struct myha_gtid_set *a = NULL;
    struct myha_gtid_set *b = NULL;
    int rc = 0;

    rc = query_ll(x, "SELECT @@GLOBAL.read_only", &read_only);
    if (rc != 0) {
        return rc;
    }
    if (read_only == 0) {
        set_err(x->ret_err, strdup("the server is writable (read_only=OFF): "
                                   "point-in-time recovery runs only on a "
                                   "read-only server that is not the "
                                   "primary; demote it first"));
        return myha_rc_local_config;
    }
    rc = query_ll(x, "SELECT @@GLOBAL.server_id", &server_id);
    if (rc != 0) {
        return rc;
    }
    // MariaDB does not show replicate_same_server_id: the caller says
    if (!x->opts->same_server_id) {
        for (size_t i = 0; i < plan->n_trx; i++) {
            if (plan->trx[i].gtid.server_id == (uint64_t) server_id) {
                char g[MYHA_BINLOG_GTID_TEXT_MAX];

                myha_binlog_gtid_format(&plan->trx[i].gtid, g, sizeof(g));
                set_err(x->ret_err,
                        err_printf("transaction %s of the source was written "
                                   "by server_id %lld, this server's own id: "
                                   "the SQL thread would silently skip it; "
                                   "restart the server with another "
                                   "server_id, or with "
                                   "replicate_same_server_id=ON and say so",
                                   g, server_id));
                return myha_rc_local_config;
            }
        }
    }
    rc = myha_pitr_base_get(x->db, &base);
    if (rc != 0) {
        set_err(x->ret_err, err_printf("cannot read gtid_slave_pos: %s",
                                       myha_db_error(x->db)));
        return rc;
    }
    if ((*base != '\0') || (*plan->base != '\0')) {
        bool same =
            (myha_gtid_set_parse(base, MYHA_GTID_MARIADB, &a, NULL) == 0)
            && (myha_gtid_set_parse(plan->base, MYHA_GTID_MARIADB, &b, NULL)
                == 0)
            && myha_is_gtid_set_equal(a, b);

        if (!same) {
            set_err(x->ret_err,
                    err_printf("the server is at GTID position '%s', not at "
                               "'%s' as planned: plan again",
                               base, plan->base));
            rc = myha_rc_local_config;
        }
    }
    myha_gtid_set_free(a);
    myha_gtid_set_free(b);
    free(base);
    return rc;
}

// Compare the server's position with the planned one
static int
verify_position(struct exec *x)
{
    char *pos = NULL;
    struct myha_gtid_set *a = NULL;
    struct myha_gtid_set *b = NULL;
    int rc = myha_pitr_base_get(x->db, &pos);

    if (rc != 0) {
        set_err(x->ret_err, err_printf("cannot read gtid_slave_pos: %s",
                                       myha_db_error(x->db)));
        return rc;
    }
    if ((myha_gtid_set_parse(pos, MYHA_GTID_MARIADB, &a, NULL) != 0)
        || (myha_gtid_set_parse(x->plan->expected, MYHA_GTID_MARIADB, &b, NULL)
            != 0)
        || !myha_is_gtid_set_equal(a, b)) {
        set_err(x->ret_err,
                err_printf("after the replay the server is at GTID position "
                           "'%s', not at '%s' as planned",
                           pos, x->plan->expected));
        rc = myha_rc_error;
    }
    myha_gtid_set_free(a);
    myha_gtid_set_free(b);
    free(pos);
    return rc;
}

/*!
 * \brief Replay a plan on a read-only MariaDB server through its SQL thread
 *
 * Checks the server (read-only, at the planned base, no transaction of its
 * own server_id unless replicate_same_server_id), then: STOP SLAVE; RESET
 * SLAVE ALL; places the files as relay logs and writes the index; CHANGE
 * MASTER TO a dummy source at the start; START SLAVE SQL_THREAD UNTIL the
 * target (twice around an excised transaction); verifies gtid_slave_pos;
 * and finally STOP SLAVE; RESET SLAVE ALL and slave_parallel_threads (and,
 * with relax_durability, innodb_flush_log_at_trx_commit and sync_binlog)
 * set back, also on failure, so that the server is read-only, not
 * replicating, and a new plan can be tried.
 *
 * When opts->interrupt becomes nonzero, the replay stops at the next poll
 * (STOP SLAVE SQL_THREAD, between two transactions), or copying stops at
 * the next 16 MB (the files placed are removed), and the same clean-up runs:
 * the server keeps what it applied, and a plan made from its position
 * continues from there.
 *
 * \param[in]  db       Connected server (read-only, not the primary)
 * \param[in]  plan     From myha_pitr_plan_new() with the server's base
 * \param[in]  opts     Where relay logs go, parallelism, progress
 * \param[out] ret_err  On failure, what failed (caller frees), may be NULL
 *
 * \return 0 on success (also when interrupted once the target was
 *         reached), myha_rc_local_config if the server is not fit,
 *         myha_rc_db_query or myha_rc_error if the replay failed,
 *         ETIMEDOUT, EINTR if interrupted, or an errno from copying
 */
int
myha_pitr_execute(struct myha_db *db, const struct myha_pitr_plan *plan,
                  const struct myha_pitr_exec_opts *opts, char **ret_err)
{
    struct exec x = { db, plan, opts, ret_err, 0, 0, 0 };
    long long old_workers = -1;
    long long old_flush = -1;
    long long old_sync = -1;
    int rc = 0;

    if ((db == NULL) || (plan == NULL) || (opts == NULL)
        || (opts->relay_dir == NULL) || (opts->relay_index == NULL)) {
        return EINVAL;
    }
    rc = check_server(&x);
    if (rc != 0) {
        return rc;
    }
    if (plan->n_apply == 0 && !plan->has_skip) {
        return 0; // nothing after the base up to the target
    }
    if (is_interrupted(opts)) {
        set_err(ret_err, strdup("interrupted before the replay started"));
        return EINTR;
    }
    rc = run_sql(&x, "stopping replication", "STOP SLAVE");
    if (rc == 0) {
        rc = run_sql(&x, "removing the replication configuration",
                     "RESET SLAVE ALL");
    }
    if (rc != 0) {
        return rc;
    }
    if (opts->parallel_workers >= 0) {
        rc = query_ll(&x, "SELECT @@GLOBAL.slave_parallel_threads",
                      &old_workers);
        if (rc == 0) {
            rc = run_sql(&x, "setting slave_parallel_threads",
                         "SET GLOBAL slave_parallel_threads=%d",
                         opts->parallel_workers);
        }
        if (rc != 0) {
            old_workers = -1;
            goto out_reset;
        }
    }
    if (opts->relax_durability) {
        rc = query_ll(&x, "SELECT @@GLOBAL.innodb_flush_log_at_trx_commit",
                      &old_flush);
        if (rc == 0) {
            rc = query_ll(&x, "SELECT @@GLOBAL.sync_binlog", &old_sync);
        }
        if (rc == 0) {
            rc = run_sql(&x, "relaxing durability for the replay",
                         "SET GLOBAL innodb_flush_log_at_trx_commit=2, "
                         "sync_binlog=0");
        }
        if (rc != 0) {
            old_flush = -1;
            old_sync = -1;
            goto out_reset;
        }
    }
    // The index must be complete before CHANGE MASTER opens the relay log
    rc = place_relay_logs(&x);
    if (rc != 0) {
        goto out_reset;
    }
    x.t0 = now_s();
    /* An UNTIL already reached is only checked after the next event: a
     * phase with nothing to apply must not start at all */
    if (pos_cmp(plan->start, plan->until) < 0) {
        rc = run_phase(&x, 1, plan->start, plan->until);
    }
    if ((rc == 0) && plan->has_skip && (pos_cmp(plan->resume, plan->end) < 0)) {
        if (is_interrupted(opts)) {
            set_err(ret_err, strdup("interrupted before the transactions "
                                    "after the skipped one"));
            rc = EINTR;
        } else {
            x.bytes_before = bytes_between(plan, plan->start, plan->until);
            rc = run_phase(&x, 2, plan->resume, plan->end);
        }
    }
    if (rc == 0) {
        rc = verify_position(&x);
    } else if (rc == EINTR) {
        // The SQL thread may have reached the target before it was stopped
        char *err = NULL;
        struct exec y = { db, plan, opts, &err, 0, 0, 0 };

        if (verify_position(&y) == 0) {
            set_err(ret_err, NULL);
            rc = 0;
        }
        free(err);
    }

out_reset:
    {
        char *err = NULL;
        struct exec y = { db, plan, opts, &err, 0, 0, 0 };
        int rc2 = run_sql(&y, "stopping replication", "STOP SLAVE");

        if (rc2 == 0) {
            rc2 = run_sql(&y, "removing the replay configuration",
                          "RESET SLAVE ALL");
        }
        if ((rc2 == 0) && (old_workers >= 0)) {
            rc2 =
                run_sql(&y, "restoring slave_parallel_threads",
                        "SET GLOBAL slave_parallel_threads=%lld", old_workers);
        }
        if ((rc2 == 0) && (old_flush >= 0) && (old_sync >= 0)) {
            rc2 = run_sql(&y, "restoring durability",
                          "SET GLOBAL innodb_flush_log_at_trx_commit=%lld, "
                          "sync_binlog=%lld",
                          old_flush, old_sync);
        }
        if ((rc2 != 0) && (rc == 0)) {
            set_err(ret_err, err);
            err = NULL;
            rc = rc2;
        } else if (rc2 != 0) {
            char *both = err_printf(
                "%s; then %s: run STOP SLAVE; RESET "
                "SLAVE ALL by hand before retrying",
                ((ret_err != NULL) && (*ret_err != NULL)) ? *ret_err : "failed",
                err);

            if (both != NULL) {
                set_err(ret_err, both);
            }
        } else if (rc != 0 && ret_err != NULL && *ret_err != NULL) {
            char *hint =
                err_printf("%s (the replay configuration was removed; "
                           "the server stays read-only at what it "
                           "applied: %s)",
                           *ret_err,
                           (rc == EINTR) ? "a plan from there continues"
                                         : "fix the cause, plan again and "
                                           "retry");

            if (hint != NULL) {
                set_err(ret_err, hint);
            }
        }
        free(err);
    }
    return rc;
}
