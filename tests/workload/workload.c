/*
 * A write workload with invariants, for failover tests: money transfers
 * between accounts (the sum of balances never changes) and an append-only
 * journal, each acknowledged commit recorded with its journal id and GTID,
 * and a checker that tells what a server has of them.
 *
 *   myha-workload run   --host H --port P --defaults-file F --log FILE
 *                       [--accounts N] [--seconds S] [--init]
 *   myha-workload check --host H --port P --defaults-file F --log FILE
 *                       [--accounts N]
 *   myha-workload probe --host H --port P --defaults-file F --log FILE
 *                       [--interval-ms MS] [--seconds S]
 *
 * run writes until S seconds pass (S = 0: until SIGTERM or SIGINT),
 * reconnecting after errors (a failover), and appends one line per
 * transaction to FILE, each ending with the wall-clock time it ended (for
 * an acknowledged one, when COMMIT returned):
 * "ack ID GTID T" for a commit the server acknowledged, "unknown ID T"
 * when the connection broke during COMMIT, "fail ID T" when it broke
 * before.  check prints what the server has: acknowledged commits present
 * and missing, whether the balances still sum up, and exits 0 only if
 * nothing acknowledged is missing and the sum holds.  probe asks, every
 * MS milliseconds on a fresh connection, whether the server behind H
 * accepts a write (an autocommit UPDATE of bank.probe) and logs "ok T"
 * or "err T MESSAGE": the moment a writer address starts taking writes
 * again after a failover.
 *
 *   myha-workload watch --node LABEL=[NETNS]:HOST[:PORT] [--node ...]
 *                       --defaults-file F --log FILE [--interval-ms MS]
 *
 * watch samples @@read_only of every node every MS milliseconds (100),
 * each from a thread of its own inside that node's network namespace
 * (/run/netns/NETNS; none if empty), so that a partitioned node is still
 * seen, until
 * SIGTERM.  Every MS it logs "T LABEL=R ..." with R 0 (writable), 1
 * (read-only) or - (no answer within the last two intervals), and at the
 * end how many samples saw more than one writable server; it exits 1 if
 * any did.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <myha/db.h>
#include <myha/rc.h>
#include <myha/str.h>

#define INITIAL_BALANCE 1000
#define RECONNECT_PAUSE_MS 200
#define MAX_WATCHED 16

static volatile sig_atomic_t stop_requested = 0;

struct options {
    const char *host;
    long long port;
    const char *defaults_file;
    const char *log;
    long long accounts;
    long long seconds;
    long long interval_ms;
    bool init;
    const char *watched[MAX_WATCHED];
    int n_watched;
};

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ((double) ts.tv_nsec / 1e9);
}

// Wall-clock time, for lining the log up with the other logs of a run
static double
wall_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double) ts.tv_sec + ((double) ts.tv_nsec / 1e9);
}

static void
on_stop_signal(int sig)
{
    (void) sig;
    stop_requested = 1;
}

static void
catch_stop_signals(void)
{
    struct sigaction sa = { .sa_handler = on_stop_signal };

    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

// True while a run of S seconds (0: unbounded) started at START goes on
static bool
keep_going(double start, long long seconds)
{
    if (stop_requested) {
        return false;
    }
    return (seconds <= 0) || (now_s() < start + (double) seconds);
}

static void
pause_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

/* Sleep until the next tick of a period of ms milliseconds that started
 * at *next (CLOCK_MONOTONIC, advanced here): sampling keeps its rate
 * however long each sample took; a tick already missed is skipped.
 */
static void
pause_until_tick(struct timespec *next, long ms)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((next->tv_sec == 0) && (next->tv_nsec == 0)) {
        *next = now;
    }
    do {
        next->tv_nsec += (ms % 1000) * 1000000L;
        next->tv_sec += ms / 1000 + next->tv_nsec / 1000000000L;
        next->tv_nsec %= 1000000000L;
    } while (
        (next->tv_sec < now.tv_sec)
        || ((next->tv_sec == now.tv_sec) && (next->tv_nsec <= now.tv_nsec)));
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL);
}

static int
connect_db(const struct options *o, struct myha_db **ret_db, char **reason)
{
    /* Short timeouts, as an application behind a writer IP would set
     * them: a connection to a primary that lost power answers nothing
     */
    struct myha_db_opts opts = {
        .host = o->host,
        .port = (unsigned int) o->port,
        .option_file = o->defaults_file,
        .connect_timeout = 2,
        .read_timeout = 2,
        .write_timeout = 2,
    };

    return myha_db_connect(&opts, ret_db, reason);
}

static int exec_printf(struct myha_db *db, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

// Run a formatted statement
static int
exec_printf(struct myha_db *db, const char *fmt, ...)
{
    char *sql = NULL;
    va_list ap;
    int rc = 0;

    va_start(ap, fmt);
    rc = vasprintf(&sql, fmt, ap);
    va_end(ap);
    if (rc < 0) {
        return ENOMEM;
    }
    rc = myha_db_exec(db, sql);
    free(sql);
    return rc;
}

static int
init_schema(struct myha_db *db, long long accounts)
{
    static const char *const ddl[] = {
        "CREATE DATABASE IF NOT EXISTS bank",
        "CREATE TABLE IF NOT EXISTS bank.accounts (id INT PRIMARY KEY, "
        "balance BIGINT NOT NULL) ENGINE=InnoDB",
        "CREATE TABLE IF NOT EXISTS bank.journal (id BIGINT PRIMARY KEY, "
        "from_id INT NOT NULL, to_id INT NOT NULL, amount INT NOT NULL) "
        "ENGINE=InnoDB",
        "CREATE TABLE IF NOT EXISTS bank.probe (id INT PRIMARY KEY, "
        "n BIGINT NOT NULL) ENGINE=InnoDB",
        "INSERT IGNORE INTO bank.probe VALUES (1, 0)",
    };
    int rc = 0;

    for (size_t i = 0; (rc == 0) && (i < sizeof(ddl) / sizeof(ddl[0])); i++) {
        rc = myha_db_exec(db, ddl[i]);
    }
    for (long long id = 1; (rc == 0) && (id <= accounts); id++) {
        rc = exec_printf(db,
                         "INSERT IGNORE INTO bank.accounts VALUES "
                         "(%lld, %d)",
                         id, INITIAL_BALANCE);
    }
    return rc;
}

// Next journal id: one past the largest the server or the log has seen
static long long
next_journal_id(struct myha_db *db)
{
    char *value = NULL;
    long long id = 0;

    if ((myha_db_query_value(db,
                             "SELECT COALESCE(MAX(id), 0) FROM "
                             "bank.journal",
                             &value)
         == 0)
        && (value != NULL)) {
        myha_str_to_ll(value, &id);
    }
    free(value);
    return id + 1;
}

/* One transfer.  Returns 0 and the GTID when acknowledged; EIO when the
 * outcome is unknown (broken during COMMIT); another rc when it failed
 * before COMMIT.
 */
static int
transfer(struct myha_db *db, long long id, long long accounts, char **gtid,
         double *committed)
{
    long long from = 1 + (rand() % accounts);
    long long to = 1 + (rand() % accounts);
    long long amount = 1 + (rand() % 50);
    int rc = myha_db_exec(db, "BEGIN");

    if (rc == 0) {
        rc = exec_printf(db,
                         "UPDATE bank.accounts SET balance = balance - "
                         "%lld WHERE id = %lld",
                         amount, from);
    }
    if (rc == 0) {
        rc = exec_printf(db,
                         "UPDATE bank.accounts SET balance = balance + "
                         "%lld WHERE id = %lld",
                         amount, to);
    }
    if (rc == 0) {
        rc = exec_printf(db,
                         "INSERT INTO bank.journal VALUES (%lld, %lld, "
                         "%lld, %lld)",
                         id, from, to, amount);
    }
    if (rc != 0) {
        return rc;
    }
    if (myha_db_exec(db, "COMMIT") != 0) {
        return EIO;
    }
    // The acknowledgement's time, not that of the GTID query after it
    *committed = wall_s();
    if (myha_db_query_value(db, "SELECT @@last_gtid", gtid) != 0) {
        *gtid = strdup("?");
    }
    return 0;
}

static int
cmd_run(const struct options *o)
{
    FILE *log = fopen(o->log, "ae");
    struct myha_db *db = NULL;
    double start = now_s();
    long long id = 0;
    long long acked = 0;
    long long unknown = 0;
    long long failed = 0;
    long long reconnects = 0;
    bool first = true;

    if (log == NULL) {
        fprintf(stderr, "myha-workload: cannot open '%s': %s\n", o->log,
                strerror(errno));
        return 2;
    }
    srand((unsigned int) getpid());
    catch_stop_signals();
    while (keep_going(start, o->seconds)) {
        char *gtid = NULL;
        double committed = 0;
        int rc = 0;

        if (db == NULL) {
            char *reason = NULL;

            if (connect_db(o, &db, &reason) != 0) {
                free(reason);
                pause_ms(RECONNECT_PAUSE_MS);
                continue;
            }
            reconnects += first ? 0 : 1;
            if (first && o->init && (init_schema(db, o->accounts) != 0)) {
                fprintf(stderr, "myha-workload: cannot create the schema: %s\n",
                        myha_db_error(db));
                myha_db_free(db);
                fclose(log);
                return 2;
            }
            first = false;
            // Ids stay unique across reconnects and failovers
            if (next_journal_id(db) > id) {
                id = next_journal_id(db);
            }
        }
        rc = transfer(db, id, o->accounts, &gtid, &committed);
        if (rc == 0) {
            fprintf(log, "ack %lld %s %.3f\n", id, gtid, committed);
            acked++;
        } else if (rc == EIO) {
            fprintf(log, "unknown %lld %.3f\n", id, wall_s());
            unknown++;
        } else {
            fprintf(log, "fail %lld %.3f\n", id, wall_s());
            failed++;
        }
        fflush(log);
        free(gtid);
        id++;
        if (rc != 0) {
            myha_db_free(db); // reconnect: maybe to a new primary
            db = NULL;
            pause_ms(RECONNECT_PAUSE_MS);
        }
    }
    myha_db_free(db);
    fclose(log);
    printf("acknowledged %lld, unknown %lld, failed %lld, reconnects %lld\n",
           acked, unknown, failed, reconnects);
    return 0;
}

#define CHECK_CHUNK 500

// One acknowledged commit of the log
struct ack {
    long long id;
    char *rest; // "GTID T"
};

// Count of ids[0..n) present in bank.journal, or -1 on error
static long long
count_present(struct myha_db *db, const struct ack *acks, size_t n)
{
    size_t len = 64 + (n * 21);
    char *sql = malloc(len);
    char *value = NULL;
    long long count = -1;
    size_t at = 0;

    if (sql == NULL) {
        return -1;
    }
    at = (size_t) snprintf(sql, len,
                           "SELECT COUNT(*) FROM bank.journal WHERE id IN (");
    for (size_t i = 0; i < n; i++) {
        at += (size_t) snprintf(sql + at, len - at, "%s%lld",
                                (i == 0) ? "" : ",", acks[i].id);
    }
    snprintf(sql + at, len - at, ")");
    if ((myha_db_query_value(db, sql, &value) == 0) && (value != NULL)) {
        myha_str_to_ll(value, &count);
    }
    free(value);
    free(sql);
    return count;
}

/* Report the acknowledged commits of acks[0..n) missing on the server:
 * one query per chunk, and halves of a chunk that lacks some until single
 * commits are found.
 */
static long long
report_missing(struct myha_db *db, const struct ack *acks, size_t n)
{
    long long missing = 0;

    if (n == 0) {
        return 0;
    }
    if (n > CHECK_CHUNK) {
        for (size_t at = 0; at < n; at += CHECK_CHUNK) {
            missing += report_missing(db, acks + at,
                                      ((n - at) < CHECK_CHUNK) ? (n - at)
                                                               : CHECK_CHUNK);
        }
        return missing;
    }
    if (count_present(db, acks, n) == (long long) n) {
        return 0;
    }
    if (n == 1) {
        printf("missing acknowledged commit: journal id %lld (%s)\n",
               acks[0].id, acks[0].rest);
        return 1;
    }
    return report_missing(db, acks, n / 2)
           + report_missing(db, acks + (n / 2), n - (n / 2));
}

static int
cmd_check(const struct options *o)
{
    FILE *log = fopen(o->log, "re");
    struct myha_db *db = NULL;
    struct ack *acks = NULL;
    size_t n_acks = 0;
    size_t cap = 0;
    char *reason = NULL;
    char *value = NULL;
    char line[256];
    long long missing = 0;
    long long sum = -1;
    long long expected = o->accounts * INITIAL_BALANCE;
    int rc = 0;

    if (log == NULL) {
        fprintf(stderr, "myha-workload: cannot open '%s': %s\n", o->log,
                strerror(errno));
        return 2;
    }
    while (fgets(line, sizeof(line), log) != NULL) {
        long long id = 0;
        int skip = 0;

        if (sscanf(line, "ack %lld %n", &id, &skip) != 1) {
            continue;
        }
        if (n_acks == cap) {
            struct ack *grown = NULL;

            cap = (cap == 0) ? 1024 : cap * 2;
            grown = realloc(acks, cap * sizeof(*acks));
            if (grown == NULL) {
                fprintf(stderr, "myha-workload: out of memory\n");
                fclose(log);
                return 2;
            }
            acks = grown;
        }
        line[strcspn(line, "\n")] = '\0';
        acks[n_acks].id = id;
        acks[n_acks].rest = strdup(line + skip);
        n_acks++;
    }
    fclose(log);
    rc = connect_db(o, &db, &reason);
    if (rc != 0) {
        fprintf(stderr, "myha-workload: %s\n", reason);
        free(reason);
        rc = 2;
        goto out_free;
    }
    missing = report_missing(db, acks, n_acks);
    if ((myha_db_query_value(db, "SELECT SUM(balance) FROM bank.accounts",
                             &value)
         != 0)
        || (value == NULL) || (myha_str_to_ll(value, &sum) != 0)) {
        sum = -1;
    }
    free(value);
    myha_db_free(db);
    printf("acknowledged %zu, present %lld, missing %lld; balance sum %lld "
           "(expected %lld)\n",
           n_acks, (long long) n_acks - missing, missing, sum, expected);
    rc = ((missing == 0) && (sum == expected)) ? 0 : 1;

out_free:
    for (size_t i = 0; i < n_acks; i++) {
        free(acks[i].rest);
    }
    free(acks);
    return rc;
}

static int
cmd_probe(const struct options *o)
{
    FILE *log = fopen(o->log, "ae");
    double start = now_s();
    long long oks = 0;
    long long errs = 0;

    if (log == NULL) {
        fprintf(stderr, "myha-workload: cannot open '%s': %s\n", o->log,
                strerror(errno));
        return 2;
    }
    catch_stop_signals();
    while (keep_going(start, o->seconds)) {
        struct myha_db *db = NULL;
        char *reason = NULL;
        int rc = connect_db(o, &db, &reason);

        if (rc == 0) {
            rc = myha_db_exec(db, "UPDATE bank.probe SET n = n + 1 "
                                  "WHERE id = 1");
            if (rc != 0) {
                reason = strdup(myha_db_error(db));
            }
        }
        if (rc == 0) {
            fprintf(log, "ok %.3f\n", wall_s());
            oks++;
        } else {
            fprintf(log, "err %.3f %s\n", wall_s(),
                    (reason != NULL) ? reason : "?");
            errs++;
        }
        fflush(log);
        free(reason);
        myha_db_free(db);
        pause_ms((long) o->interval_ms);
    }
    fclose(log);
    printf("probes: %lld accepted, %lld refused\n", oks, errs);
    return 0;
}

// One watched node: its thread's latest answer
struct watched {
    char label[64];
    char netns[128];
    char host[64];
    long long port; // 0: the --port option
    const struct options *o;
    pthread_t thread;
    pthread_mutex_t lock;
    int value;   // 0 writable, 1 read-only
    double when; // monotonic time of that answer, 0 = never
};

// LABEL=[NETNS]:HOST[:PORT] into w
static bool
parse_watched(const char *text, struct watched *w)
{
    const char *eq = strchr(text, '=');
    const char *colon = (eq == NULL) ? NULL : strchr(eq + 1, ':');
    const char *port = (colon == NULL) ? NULL : strchr(colon + 1, ':');
    size_t host_len = 0;

    if ((eq == NULL) || (colon == NULL) || (eq == text)
        || ((size_t) (eq - text) >= sizeof(w->label))
        || ((size_t) (colon - eq - 1) >= sizeof(w->netns))) {
        return false;
    }
    host_len = (port == NULL) ? strlen(colon + 1) : (size_t) (port - colon - 1);
    if ((host_len == 0) || (host_len >= sizeof(w->host))) {
        return false;
    }
    memcpy(w->label, text, (size_t) (eq - text));
    memcpy(w->netns, eq + 1, (size_t) (colon - eq - 1));
    memcpy(w->host, colon + 1, host_len);
    return (port == NULL)
           || ((myha_str_to_ll(port + 1, &w->port) == 0) && (w->port > 0));
}

static void *
watch_thread(void *arg)
{
    struct watched *w = arg;
    struct options o = *w->o;
    struct timespec tick = { 0, 0 };
    struct myha_db *db = NULL;

    if (w->netns[0] != '\0') {
        char *path = myha_str_printf("/run/netns/%s", w->netns);
        int fd = (path != NULL) ? open(path, O_RDONLY | O_CLOEXEC) : -1;

        free(path);
        if ((fd < 0) || (setns(fd, CLONE_NEWNET) != 0)) {
            fprintf(stderr,
                    "myha-workload: cannot enter network namespace %s: %s\n",
                    w->netns, strerror(errno));
            if (fd >= 0) {
                close(fd);
            }
            return NULL;
        }
        close(fd);
    }
    o.host = w->host;
    o.port = (w->port > 0) ? w->port : o.port;
    while (!stop_requested) {
        char *value = NULL;
        char *reason = NULL;

        if ((db == NULL) && (connect_db(&o, &db, &reason) != 0)) {
            free(reason);
            db = NULL;
        }
        if ((db != NULL)
            && (myha_db_query_value(db, "SELECT @@read_only", &value) == 0)
            && (value != NULL)) {
            pthread_mutex_lock(&w->lock);
            w->value = (strcmp(value, "0") == 0) ? 0 : 1;
            w->when = now_s();
            pthread_mutex_unlock(&w->lock);
        } else if (db != NULL) {
            myha_db_free(db);
            db = NULL;
        }
        free(value);
        pause_until_tick(&tick, (long) o.interval_ms);
    }
    myha_db_free(db);
    return NULL;
}

static int
cmd_watch(const struct options *o)
{
    struct watched w[MAX_WATCHED];
    FILE *log = fopen(o->log, "ae");
    double window = 2.0 * (double) o->interval_ms / 1000.0;
    struct timespec tick = { 0, 0 };
    long long samples = 0;
    long long bad = 0;
    int max_writable = 0;

    if (log == NULL) {
        fprintf(stderr, "myha-workload: cannot open '%s': %s\n", o->log,
                strerror(errno));
        return 2;
    }
    memset(w, 0, sizeof(w));
    for (int i = 0; i < o->n_watched; i++) {
        if (!parse_watched(o->watched[i], &w[i])) {
            fprintf(stderr,
                    "myha-workload: --node '%s': expected "
                    "LABEL=[NETNS]:HOST[:PORT]\n",
                    o->watched[i]);
            fclose(log);
            return 2;
        }
        w[i].o = o;
        pthread_mutex_init(&w[i].lock, NULL);
    }
    catch_stop_signals();
    for (int i = 0; i < o->n_watched; i++) {
        pthread_create(&w[i].thread, NULL, watch_thread, &w[i]);
    }
    while (!stop_requested) {
        double t = now_s();
        int writable = 0;

        fprintf(log, "%.3f", wall_s());
        for (int i = 0; i < o->n_watched; i++) {
            int value = -1;

            pthread_mutex_lock(&w[i].lock);
            if ((w[i].when > 0) && (t - w[i].when <= window)) {
                value = w[i].value;
            }
            pthread_mutex_unlock(&w[i].lock);
            if (value == 0) {
                writable++;
            }
            if (value < 0) {
                fprintf(log, " %s=-", w[i].label);
            } else {
                fprintf(log, " %s=%d", w[i].label, value);
            }
        }
        fprintf(log, "\n");
        fflush(log);
        samples++;
        bad += (writable > 1) ? 1 : 0;
        max_writable = (writable > max_writable) ? writable : max_writable;
        pause_until_tick(&tick, (long) o->interval_ms);
    }
    for (int i = 0; i < o->n_watched; i++) {
        pthread_join(w[i].thread, NULL);
        pthread_mutex_destroy(&w[i].lock);
    }
    fclose(log);
    printf("samples %lld, most writable at once %d, samples with more than "
           "one writable %lld\n",
           samples, max_writable, bad);
    return (bad == 0) ? 0 : 1;
}

static void
usage(FILE *out)
{
    fprintf(out,
            "usage: myha-workload {run|check|probe} --host H --port P "
            "--defaults-file F --log FILE\n"
            "                     [--accounts N] [--seconds S] "
            "[--init] [--interval-ms MS]\n"
            "       myha-workload watch --node LABEL=[NETNS]:HOST[:PORT]... "
            "[--port P] --defaults-file F\n"
            "                     --log FILE [--interval-ms MS]\n");
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "host", required_argument, NULL, 'h' },
        { "port", required_argument, NULL, 'P' },
        { "defaults-file", required_argument, NULL, 'f' },
        { "log", required_argument, NULL, 'l' },
        { "accounts", required_argument, NULL, 'a' },
        { "seconds", required_argument, NULL, 's' },
        { "init", no_argument, NULL, 'i' },
        { "interval-ms", required_argument, NULL, 'I' },
        { "node", required_argument, NULL, 'n' },
        { "help", no_argument, NULL, '?' },
        { NULL, 0, NULL, 0 },
    };
    struct options o = {
        .port = 3306,
        .accounts = 100,
        .seconds = 10,
        .interval_ms = 0,
    };
    const char *cmd = (argc > 1) ? argv[1] : "";
    bool watch = (strcmp(cmd, "watch") == 0);
    int c = 0;

    optind = 2;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
            case 'h':
                o.host = optarg;
                break;
            case 'P':
                if (myha_str_to_ll(optarg, &o.port) != 0) {
                    usage(stderr);
                    return 2;
                }
                break;
            case 'f':
                o.defaults_file = optarg;
                break;
            case 'l':
                o.log = optarg;
                break;
            case 'a':
                if ((myha_str_to_ll(optarg, &o.accounts) != 0)
                    || (o.accounts < 2)) {
                    usage(stderr);
                    return 2;
                }
                break;
            case 's':
                if (myha_str_to_ll(optarg, &o.seconds) != 0) {
                    usage(stderr);
                    return 2;
                }
                break;
            case 'i':
                o.init = true;
                break;
            case 'n':
                if (o.n_watched == MAX_WATCHED) {
                    usage(stderr);
                    return 2;
                }
                o.watched[o.n_watched++] = optarg;
                break;
            case 'I':
                if ((myha_str_to_ll(optarg, &o.interval_ms) != 0)
                    || (o.interval_ms < 1)) {
                    usage(stderr);
                    return 2;
                }
                break;
            default:
                usage(stderr);
                return 2;
        }
    }
    if (((o.host == NULL) && !watch) || (o.log == NULL)
        || (watch && (o.n_watched == 0))) {
        usage(stderr);
        return 2;
    }
    if (watch) {
        o.interval_ms = (o.interval_ms > 0) ? o.interval_ms : 100;
        return cmd_watch(&o);
    }
    if (strcmp(cmd, "run") == 0) {
        return cmd_run(&o);
    }
    if (strcmp(cmd, "check") == 0) {
        return cmd_check(&o);
    }
    if (strcmp(cmd, "probe") == 0) {
        o.interval_ms = (o.interval_ms > 0) ? o.interval_ms : 50;
        return cmd_probe(&o);
    }
    usage(stderr);
    return 2;
}
