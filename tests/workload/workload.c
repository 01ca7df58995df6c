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
 *
 * run writes until S seconds pass, reconnecting after errors (a failover),
 * and appends one line per transaction to FILE: "ack ID GTID" for a
 * commit the server acknowledged, "unknown ID" when the connection broke
 * during COMMIT, "fail" when it broke before.  check prints what the
 * server has: acknowledged commits present and missing, whether the
 * balances still sum up, and exits 0 only if nothing acknowledged is
 * missing and the sum holds.
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
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

struct options {
    const char *host;
    long long port;
    const char *defaults_file;
    const char *log;
    long long accounts;
    long long seconds;
    bool init;
};

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + ((double) ts.tv_nsec / 1e9);
}

static void
pause_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

static int
connect_db(const struct options *o, struct myha_db **ret_db, char **reason)
{
    struct myha_db_opts opts = {
        .host = o->host,
        .port = (unsigned int) o->port,
        .option_file = o->defaults_file,
        .connect_timeout = 2,
        .read_timeout = 10,
        .write_timeout = 10,
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
transfer(struct myha_db *db, long long id, long long accounts, char **gtid)
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
    double end = now_s() + (double) o->seconds;
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
    while (now_s() < end) {
        char *gtid = NULL;
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
        rc = transfer(db, id, o->accounts, &gtid);
        if (rc == 0) {
            fprintf(log, "ack %lld %s\n", id, gtid);
            acked++;
        } else if (rc == EIO) {
            fprintf(log, "unknown %lld\n", id);
            unknown++;
        } else {
            fprintf(log, "fail %lld\n", id);
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

static int
cmd_check(const struct options *o)
{
    FILE *log = fopen(o->log, "re");
    struct myha_db *db = NULL;
    char *reason = NULL;
    char *value = NULL;
    char line[256];
    long long acked = 0;
    long long missing = 0;
    long long sum = -1;
    long long expected = o->accounts * INITIAL_BALANCE;
    int rc = 0;

    if (log == NULL) {
        fprintf(stderr, "myha-workload: cannot open '%s': %s\n", o->log,
                strerror(errno));
        return 2;
    }
    rc = connect_db(o, &db, &reason);
    if (rc != 0) {
        fprintf(stderr, "myha-workload: %s\n", reason);
        free(reason);
        fclose(log);
        return 2;
    }
    while (fgets(line, sizeof(line), log) != NULL) {
        long long id = 0;
        char *sql = NULL;

        if (sscanf(line, "ack %lld", &id) != 1) {
            continue;
        }
        acked++;
        sql = myha_str_printf("SELECT COUNT(*) FROM bank.journal WHERE id = "
                              "%lld",
                              id);
        if ((sql != NULL) && (myha_db_query_value(db, sql, &value) == 0)
            && (value != NULL) && (strcmp(value, "1") != 0)) {
            missing++;
            printf("missing acknowledged commit: journal id %lld (%s)\n", id,
                   strchr(line + 4, ' ') + 1);
        }
        free(value);
        value = NULL;
        free(sql);
    }
    fclose(log);
    if ((myha_db_query_value(db, "SELECT SUM(balance) FROM bank.accounts",
                             &value)
         != 0)
        || (value == NULL) || (myha_str_to_ll(value, &sum) != 0)) {
        sum = -1;
    }
    free(value);
    myha_db_free(db);
    printf("acknowledged %lld, present %lld, missing %lld; balance sum %lld "
           "(expected %lld)\n",
           acked, acked - missing, missing, sum, expected);
    return ((missing == 0) && (sum == expected)) ? 0 : 1;
}

static void
usage(FILE *out)
{
    fprintf(out, "usage: myha-workload {run|check} --host H --port P "
                 "--defaults-file F --log FILE\n"
                 "                     [--accounts N] [--seconds S] "
                 "[--init]\n");
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
        { "help", no_argument, NULL, '?' },
        { NULL, 0, NULL, 0 },
    };
    struct options o = { .port = 3306, .accounts = 100, .seconds = 10 };
    const char *cmd = (argc > 1) ? argv[1] : "";
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
            default:
                usage(stderr);
                return 2;
        }
    }
    if ((o.host == NULL) || (o.log == NULL)) {
        usage(stderr);
        return 2;
    }
    if (strcmp(cmd, "run") == 0) {
        return cmd_run(&o);
    }
    if (strcmp(cmd, "check") == 0) {
        return cmd_check(&o);
    }
    usage(stderr);
    return 2;
}
