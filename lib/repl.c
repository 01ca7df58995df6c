/*
 * Replication operations on a connection, built on lib/db.c: the state a
 * monitor reads, the promotability verdict (a pure function), and the steps
 * of promote and demote: follow, drain, detach, make read-only.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <mysqld_error.h>

#include <qb/qblog.h>

#include <myha/db.h>
#include <myha/gtid.h>
#include <myha/rc.h>
#include <myha/repl.h>
#include <myha/str.h>

// Sessions killed per round of make_read_only; keeps GROUP_CONCAT short
#define WRITERS_PER_ROUND "40"

// Pause between rounds of killing, so that killed sessions can leave
#define KILL_ROUND_PAUSE_MS 100

/* Client sessions holding uncommitted InnoDB writes or row locks.  Not our
 * own, not replication, event scheduler or binlog dump threads, and not
 * sessions already killed (they are rolling back).  A statement that is
 * writing shows up here as soon as it has locked a row.
 */
#define WRITERS_FROM                                                       \
    " FROM information_schema.INNODB_TRX t"                                \
    " JOIN information_schema.PROCESSLIST p"                               \
    " ON p.ID = t.trx_mysql_thread_id"                                     \
    " WHERE p.ID <> CONNECTION_ID()"                                       \
    " AND p.USER NOT IN ('system user', 'event_scheduler')"                \
    " AND p.COMMAND NOT IN ('Binlog Dump', 'Binlog Dump GTID', 'Connect'," \
    " 'Daemon', 'Killed', 'Slave_IO', 'Slave_SQL', 'Slave_worker')"        \
    " AND (t.trx_rows_modified > 0 OR t.trx_lock_structs > 0)"

#define WRITERS_SQL                                                            \
    "SELECT GROUP_CONCAT(ID ORDER BY ID) FROM (SELECT p.ID AS ID" WRITERS_FROM \
    " ORDER BY p.ID LIMIT " WRITERS_PER_ROUND ") w"

static const struct myha_repl_dialect dialects[] = {
    [myha_db_mariadb] = {
        .flavour = myha_db_mariadb,
        .state = "SELECT CONCAT(@@GLOBAL.read_only, ' ', "
                 "@@GLOBAL.gtid_current_pos)",
        /* What the source has binlogged, i.e. what it can send: a
         * transaction in its gtid_slave_pos but not in its binlog can
         * never reach a replica from it.
         */
        .source_gtid = "SELECT @@GLOBAL.gtid_binlog_pos",
        .applied_gtid = "SELECT @@GLOBAL.gtid_slave_pos",
        .io_stop = "STOP SLAVE IO_THREAD",
        .sql_start = "START SLAVE SQL_THREAD",
        .own_writes_to_replica_pos =
            "SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_current_pos",
        .writers = WRITERS_SQL,
        .lock_wait_reset = "SET SESSION lock_wait_timeout = DEFAULT",
    },
    [myha_db_mysql] = {
        .flavour = myha_db_mysql,
        .state = "SELECT CONCAT(@@GLOBAL.super_read_only, ' ', "
                 "@@GLOBAL.gtid_executed)",
        .source_gtid = "SELECT @@GLOBAL.gtid_executed",
        .applied_gtid = "SELECT @@GLOBAL.gtid_executed",
        .io_stop = "STOP REPLICA IO_THREAD",
        .sql_start = "START REPLICA SQL_THREAD",
        .own_writes_to_replica_pos = NULL, // auto-positioning uses them
        .writers = WRITERS_SQL,
        .lock_wait_reset = "SET SESSION lock_wait_timeout = DEFAULT",
    },
};

#define N_DIALECTS (sizeof(dialects) / sizeof(dialects[0]))

/* Values of read_only / super_read_only as CONCAT() shows them: a number
 * or a word, and in newer MariaDB an enumeration whose every value but OFF
 * blocks writes.
 */
static const struct {
    const char *text;
    bool read_only;
} read_only_values[] = {
    { "0", false }, { "OFF", false },    { "1", true },
    { "ON", true }, { "NO_LOCK", true }, { "NO_LOCK_NO_ADMIN", true },
};

static const char *const problem_names[] = {
    [myha_repl_ok] = "ok",
    [myha_repl_not_replica] = "not a replica",
    [myha_repl_sql_error] = "SQL thread error",
    [myha_repl_errant] = "errant transactions",
    [myha_repl_lagging] = "lagging",
    [myha_repl_sql_stopped] = "SQL thread stopped",
    [myha_repl_io_error] = "IO thread error",
    [myha_repl_io_disconnected] = "IO thread not connected",
};

static enum myha_gtid_flavor
gtid_flavor(enum myha_db_flavour flavour)
{
    return (flavour == myha_db_mysql) ? MYHA_GTID_MYSQL : MYHA_GTID_MARIADB;
}

static long long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ((long long) ts.tv_sec * 1000) + (ts.tv_nsec / 1000000);
}

static void
sleep_ms(long long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

    // Sleep out the rest after a signal
    while ((nanosleep(&ts, &ts) != 0) && (errno == EINTR)) {
    }
}

// Set *ret_reason (if wanted and not yet set) to a formatted message
static void __attribute__((format(printf, 2, 3)))
set_reason(char **ret_reason, const char *format, ...)
{
    va_list ap;
    char *reason = NULL;

    if ((ret_reason == NULL) || (*ret_reason != NULL)) {
        return;
    }
    va_start(ap, format);
    if (vasprintf(&reason, format, ap) < 0) {
        reason = NULL;
    }
    va_end(ap);
    *ret_reason = reason;
}

// Remove the newlines MySQL puts after the commas of a GTID set, in place
static void
strip_newlines(char *text)
{
    char *out = text;

    for (const char *in = text; *in != '\0'; in++) {
        if ((*in != '\n') && (*in != '\r')) {
            *out++ = *in;
        }
    }
    *out = '\0';
}

/*
 * Whether text can go between quotes as is: the characters of GTID sets of
 * either flavour (digits, hex, MySQL tags, separators) and nothing else.
 */
static bool
is_gtid_text_safe(const char *text)
{
    for (const char *p = text; *p != '\0'; p++) {
        if ((strchr("0123456789abcdefABCDEF:,-._ \n\r", *p) == NULL)
            && !(((*p >= 'g') && (*p <= 'z'))
                 || ((*p >= 'G') && (*p <= 'Z')))) {
            return false;
        }
    }
    return true;
}

/*!
 * \brief Get the replication statement texts of a flavour
 *
 * \param[in] flavour  Server flavour
 *
 * \return The flavour's dialect (static), or NULL if \p flavour is invalid
 */
const struct myha_repl_dialect *
myha_repl_dialect_get(enum myha_db_flavour flavour)
{
    if ((size_t) flavour >= N_DIALECTS) {
        return NULL;
    }
    return &dialects[flavour];
}

/*!
 * \brief Build the query that waits until a GTID set is applied
 *
 * MariaDB: SELECT MASTER_GTID_WAIT('pos', seconds), with a fractional
 * timeout; it returns 0 when reached, -1 on timeout.  MySQL: SELECT
 * WAIT_FOR_EXECUTED_GTID_SET('set', seconds), timeout rounded up to whole
 * seconds; it returns 0 when reached, 1 on timeout.
 *
 * \param[in]  flavour     Server flavour
 * \param[in]  gtid        GTID position (MariaDB) or set (MySQL) to reach
 * \param[in]  timeout_ms  Most time the query waits (at least 1 ms)
 * \param[out] ret_sql     Where to store the query (on success)
 *
 * \return 0 on success, myha_rc_invalid if \p gtid holds characters no
 *         GTID set has or \p flavour is unknown, EINVAL, or ENOMEM
 * \note The caller frees \p *ret_sql.
 */
int
myha_repl_wait_sql(enum myha_db_flavour flavour, const char *gtid,
                   long long timeout_ms, char **ret_sql)
{
    char *sql = NULL;

    if ((gtid == NULL) || (ret_sql == NULL) || (timeout_ms <= 0)) {
        return EINVAL;
    }
    if ((myha_repl_dialect_get(flavour) == NULL) || !is_gtid_text_safe(gtid)) {
        return myha_rc_invalid;
    }
    if (flavour == myha_db_mariadb) {
        sql = myha_str_printf("SELECT MASTER_GTID_WAIT('%s', %lld.%03lld)",
                              gtid, timeout_ms / 1000, timeout_ms % 1000);
    } else {
        sql = myha_str_printf("SELECT WAIT_FOR_EXECUTED_GTID_SET('%s', %lld)",
                              gtid, (timeout_ms + 999) / 1000);
    }
    if (sql == NULL) {
        return ENOMEM;
    }
    strip_newlines(sql);
    *ret_sql = sql;
    return 0;
}

/*!
 * \brief Build the statement that bounds the session's lock waits
 *
 * \param[in]  flavour  Server flavour
 * \param[in]  seconds  Lock wait timeout (1 or more)
 * \param[out] ret_sql  Where to store the statement (on success)
 *
 * \return 0 on success, myha_rc_invalid for an unknown flavour, EINVAL, or
 *         ENOMEM
 * \note The caller frees \p *ret_sql.
 */
int
myha_repl_lock_wait_sql(enum myha_db_flavour flavour, long long seconds,
                        char **ret_sql)
{
    char *sql = NULL;

    if ((ret_sql == NULL) || (seconds < 1)) {
        return EINVAL;
    }
    if (myha_repl_dialect_get(flavour) == NULL) {
        return myha_rc_invalid;
    }
    sql = myha_str_printf("SET SESSION lock_wait_timeout = %lld", seconds);
    if (sql == NULL) {
        return ENOMEM;
    }
    *ret_sql = sql;
    return 0;
}

/*!
 * \brief Build the statement that ends a client session
 *
 * \param[in]  flavour     Server flavour
 * \param[in]  session_id  Connection id (PROCESSLIST ID), 1 or more
 * \param[out] ret_sql     Where to store the statement (on success)
 *
 * \return 0 on success, myha_rc_invalid for an unknown flavour, EINVAL, or
 *         ENOMEM
 * \note The caller frees \p *ret_sql.
 */
int
myha_repl_kill_sql(enum myha_db_flavour flavour, long long session_id,
                   char **ret_sql)
{
    char *sql = NULL;

    if ((ret_sql == NULL) || (session_id < 1)) {
        return EINVAL;
    }
    if (myha_repl_dialect_get(flavour) == NULL) {
        return myha_rc_invalid;
    }
    sql = myha_str_printf("KILL CONNECTION %lld", session_id);
    if (sql == NULL) {
        return ENOMEM;
    }
    *ret_sql = sql;
    return 0;
}

// Parse "<read-only> <executed set>" as the state query returns it
static int
state_value_parse(enum myha_db_flavour flavour, char *value,
                  struct myha_repl_state *state)
{
    char *gtid = NULL;
    char *err = NULL;
    bool found = false;
    int rc = 0;

    if (value == NULL) {
        return myha_rc_parse;
    }
    gtid = strchr(value, ' ');
    if (gtid == NULL) {
        return myha_rc_parse;
    }
    *gtid++ = '\0';
    for (size_t i = 0;
         i < sizeof(read_only_values) / sizeof(read_only_values[0]); i++) {
        if (strcasecmp(value, read_only_values[i].text) == 0) {
            state->read_only = read_only_values[i].read_only;
            found = true;
            break;
        }
    }
    if (!found) {
        qb_log(LOG_DEBUG, "unexpected read-only value '%s'", value);
        return myha_rc_parse;
    }
    strip_newlines(gtid);
    state->executed_text = strdup(gtid);
    if (state->executed_text == NULL) {
        return ENOMEM;
    }
    rc =
        myha_gtid_set_parse(gtid, gtid_flavor(flavour), &state->executed, &err);
    if (rc != 0) {
        qb_log(LOG_DEBUG, "executed GTID set not understood: %s",
               (err == NULL) ? gtid : err);
        free(err);
        return (rc == ENOMEM) ? ENOMEM : myha_rc_parse;
    }
    return 0;
}

/*!
 * \brief Read the replication state of a server
 *
 * Two statements: read-only flag and executed GTID set in one value
 * (MariaDB: read_only, gtid_current_pos; MySQL: super_read_only,
 * gtid_executed), then SHOW SLAVE STATUS / SHOW REPLICA STATUS.
 *
 * \param[in,out] db         Connection
 * \param[out]    ret_state  Where to store the state (on success)
 *
 * \return 0 on success, myha_rc_db_query, myha_rc_db_connect,
 *         myha_rc_parse if the server's answer is not understood, EINVAL,
 *         or ENOMEM; myha_db_error(db) tells about statement failures
 * \note The caller releases \p *ret_state with myha_repl_state_release().
 */
int
myha_repl_state_get(struct myha_db *db, struct myha_repl_state *ret_state)
{
    struct myha_repl_state state = { 0 };
    const struct myha_repl_dialect *dialect = NULL;
    char *value = NULL;
    int rc = 0;

    if ((db == NULL) || (ret_state == NULL)) {
        return EINVAL;
    }
    state.flavour = myha_db_version_get(db)->flavour;
    dialect = myha_repl_dialect_get(state.flavour);
    rc = myha_db_query_value(db, dialect->state, &value);
    if (rc != 0) {
        return rc;
    }
    rc = state_value_parse(state.flavour, value, &state);
    free(value);
    if (rc != 0) {
        goto out_release_state;
    }
    rc = myha_db_replica_status_get(db, &state.replica);
    if (rc != 0) {
        goto out_release_state;
    }
    state.received_text = (state.flavour == myha_db_mysql)
                              ? state.replica->retrieved_gtid_set
                              : state.replica->gtid_io_pos;
    *ret_state = state;
    return 0;

out_release_state:
    myha_repl_state_release(&state);
    return rc;
}

/*!
 * \brief Release what a replication state holds
 *
 * \param[in,out] state  State (may be NULL); zeroed afterwards
 */
void
myha_repl_state_release(struct myha_repl_state *state)
{
    if (state == NULL) {
        return;
    }
    free(state->executed_text);
    myha_gtid_set_free(state->executed);
    myha_db_replica_status_free(state->replica);
    memset(state, 0, sizeof(*state));
}

// "host:port" of a replica's source, "[v6]:port" for an IPv6 address
static char *
source_name(const struct myha_db_replica_status *replica)
{
    const char *host =
        (replica->source_host == NULL) ? "" : replica->source_host;

    if (strchr(host, ':') != NULL) {
        return myha_str_printf("[%s]:%lld", host, replica->source_port);
    }
    return myha_str_printf("%s:%lld", host, replica->source_port);
}

// The transactions of st not in primary, as a count and formatted
static int
errant_find(const struct myha_repl_state *st,
            const struct myha_gtid_set *primary, uint64_t *ret_count,
            char **ret_text)
{
    struct myha_gtid_set *errant = NULL;
    int rc = 0;

    if ((st->executed == NULL)
        || (myha_gtid_set_flavor(st->executed)
            != myha_gtid_set_flavor(primary))) {
        return myha_rc_invalid;
    }
    rc = myha_gtid_set_subtract(st->executed, primary, &errant);
    if (rc != 0) {
        return rc;
    }
    *ret_count = myha_gtid_set_count(errant);
    *ret_text = NULL;
    if (*ret_count > 0) {
        *ret_text = myha_gtid_set_format(errant);
        if (*ret_text == NULL) {
            rc = ENOMEM;
        }
    }
    myha_gtid_set_free(errant);
    return rc;
}

/* The first warning about a replica that may still be promoted: a stopped
 * SQL thread, then an IO thread that is not connected.
 */
static int
health_warning(const struct myha_db_replica_status *replica,
               struct myha_repl_health *health)
{
    char *source = NULL;

    if (replica->sql_running != myha_db_thread_running) {
        health->problem = myha_repl_sql_stopped;
        health->reason = strdup("replication SQL thread stopped");
        return (health->reason == NULL) ? ENOMEM : 0;
    }
    if (replica->io_running == myha_db_thread_running) {
        return 0;
    }
    source = source_name(replica);
    if (source == NULL) {
        return ENOMEM;
    }
    if (replica->last_io_errno > 0) {
        health->problem = myha_repl_io_error;
        health->reason = myha_str_printf(
            "replication IO thread not connected to '%s': error %lld: %s",
            source, replica->last_io_errno,
            (replica->last_io_error == NULL) ? "" : replica->last_io_error);
    } else {
        health->problem = myha_repl_io_disconnected;
        health->reason =
            myha_str_printf("replication IO thread %s '%s'",
                            (replica->io_running == myha_db_thread_stopped)
                                ? "stopped, source"
                                : "not connected to",
                            source);
    }
    free(source);
    return (health->reason == NULL) ? ENOMEM : 0;
}

/*!
 * \brief Judge whether a replica may be promoted (pure: no I/O)
 *
 * Checks, in order, stopping at the first that blocks promotion:
 * not configured as a replica; an SQL thread error; errant transactions
 * (executed here but not on the primary; only when \p primary_executed is
 * known); lag above \p max_lag_s (only while the SQL thread runs and the
 * server knows its lag).  A replica that passes is promotable; its first
 * warning, if any, is still reported: SQL thread stopped without error,
 * then IO thread not connected (with or without an error).
 *
 * The IO thread does not count: when a primary fails, the IO thread of
 * every replica loses its connection ("Connecting", often with error 2003
 * or 2013), and those replicas are exactly the ones that must remain
 * promotable.  What was received is still applied by the drain before
 * promotion, and which replica is most complete is decided by comparing
 * executed GTID sets, not here.  Likewise a stopped SQL thread without an
 * error only means someone stopped it; the drain restarts it.  Lag is
 * unknown (NULL) while the SQL thread is stopped or the IO thread is
 * disconnected, and then does not block.
 *
 * \param[in]  st                Replica's state (myha_repl_state_get())
 * \param[in]  max_lag_s         Most seconds of lag allowed; 0: no check
 * \param[in]  primary_executed  Primary's GTID set
 *                               (myha_repl_source_gtid_get()), or NULL if
 *                               unknown; read it after \p st, so that a
 *                               healthy replica can never be ahead of it
 * \param[out] ret_health        Where to store the verdict (on success)
 *
 * \return 0 on success, EINVAL, myha_rc_invalid if \p primary_executed is
 *         of the other flavour, or ENOMEM
 * \note The caller releases \p *ret_health with myha_repl_health_release().
 *       With MariaDB a GTID set keeps only the last sequence number of
 *       each domain: an errant transaction is seen until the primary
 *       writes past its sequence number, after which the replica's SQL
 *       thread fails on it (gtid_strict_mode) and it shows as an SQL error.
 */
int
myha_repl_health_eval(const struct myha_repl_state *st, long long max_lag_s,
                      const struct myha_gtid_set *primary_executed,
                      struct myha_repl_health *ret_health)
{
    struct myha_repl_health health = { true, myha_repl_ok, NULL, 0 };
    const struct myha_db_replica_status *replica = NULL;
    int rc = 0;

    if ((st == NULL) || (ret_health == NULL) || (max_lag_s < 0)) {
        return EINVAL;
    }
    replica = st->replica;
    if ((replica == NULL) || !replica->configured) {
        health.promotable = false;
        health.problem = myha_repl_not_replica;
        health.reason = strdup("not configured as a replica");
        rc = (health.reason == NULL) ? ENOMEM : 0;
        goto done;
    }
    if (replica->last_sql_errno > 0) {
        health.promotable = false;
        health.problem = myha_repl_sql_error;
        health.reason = myha_str_printf(
            "replication SQL thread %s: error %lld: %s",
            (replica->sql_running == myha_db_thread_stopped) ? "stopped"
                                                             : "failed",
            replica->last_sql_errno,
            (replica->last_sql_error == NULL) ? "" : replica->last_sql_error);
        rc = (health.reason == NULL) ? ENOMEM : 0;
        goto done;
    }
    if (primary_executed != NULL) {
        char *errant = NULL;

        rc = errant_find(st, primary_executed, &health.n_errant, &errant);
        if (rc != 0) {
            goto done;
        }
        if (health.n_errant > 0) {
            health.promotable = false;
            health.problem = myha_repl_errant;
            health.reason = myha_str_printf(
                "errant transactions not on the primary: %s", errant);
            free(errant);
            rc = (health.reason == NULL) ? ENOMEM : 0;
            goto done;
        }
    }
    if ((max_lag_s > 0) && (replica->sql_running == myha_db_thread_running)
        && (replica->seconds_behind > max_lag_s)) {
        health.promotable = false;
        health.problem = myha_repl_lagging;
        health.reason = myha_str_printf(
            "replica is %llds behind its primary (max_lag %llds)",
            replica->seconds_behind, max_lag_s);
        rc = (health.reason == NULL) ? ENOMEM : 0;
        goto done;
    }
    rc = health_warning(replica, &health);

done:
    if (rc != 0) {
        myha_repl_health_release(&health);
        return rc;
    }
    *ret_health = health;
    return 0;
}

/*!
 * \brief Release what a health verdict holds
 *
 * \param[in,out] health  Verdict (may be NULL); zeroed afterwards
 */
void
myha_repl_health_release(struct myha_repl_health *health)
{
    if (health == NULL) {
        return;
    }
    free(health->reason);
    memset(health, 0, sizeof(*health));
}

/*!
 * \brief Name a problem found by myha_repl_health_eval()
 *
 * \param[in] problem  Problem
 *
 * \return A static string, e.g. "SQL thread error", or "unknown"
 */
const char *
myha_repl_problem_str(enum myha_repl_problem problem)
{
    if (((size_t) problem >= sizeof(problem_names) / sizeof(problem_names[0]))
        || (problem_names[problem] == NULL)) {
        return "unknown";
    }
    return problem_names[problem];
}

/*!
 * \brief Read, over TCP, the GTID set a source (primary) can send
 *
 * Connects with short timeouts (MYHA_REPL_SOURCE_TIMEOUT_S for each one
 * \p tcp_opts leaves at 0); the replication account is enough.  MariaDB:
 * @@GLOBAL.gtid_binlog_pos, what the source has written to its binary
 * log.  Not gtid_current_pos: that also takes gtid_slave_pos, which can
 * hold transactions applied without being logged (log_slave_updates off)
 * or a position set by hand after a restore; no replica can receive those
 * from this source, so they must not hide errant transactions.  MySQL:
 * @@GLOBAL.gtid_executed, without its newlines.
 *
 * \param[in]  tcp_opts    How to reach the source; host must be set
 * \param[out] ret_gtid    Where to store the GTID set (on success)
 * \param[out] ret_reason  If not NULL, on failure only: an allocated
 *                         message naming the source and the server's or
 *                         library's text, unless memory ran out
 *
 * \return 0 on success, myha_rc_db_connect, myha_rc_db_auth,
 *         myha_rc_db_unsupported, myha_rc_db_query, EINVAL, or ENOMEM
 * \note The caller frees \p *ret_gtid and \p *ret_reason with free().
 */
// Connect to another node's server with the short timeouts of a source
static int
source_connect(const struct myha_db_opts *tcp_opts, struct myha_db **ret_db,
               char **ret_reason)
{
    struct myha_db_opts opts = *tcp_opts;

    if (opts.connect_timeout == 0) {
        opts.connect_timeout = MYHA_REPL_SOURCE_TIMEOUT_S;
    }
    if (opts.read_timeout == 0) {
        opts.read_timeout = MYHA_REPL_SOURCE_TIMEOUT_S;
    }
    if (opts.write_timeout == 0) {
        opts.write_timeout = MYHA_REPL_SOURCE_TIMEOUT_S;
    }
    return myha_db_connect(&opts, ret_db, ret_reason);
}

int
myha_repl_source_gtid_get(const struct myha_db_opts *tcp_opts, char **ret_gtid,
                          char **ret_reason)
{
    struct myha_db *db = NULL;
    const struct myha_repl_dialect *dialect = NULL;
    char *value = NULL;
    int rc = 0;

    if ((tcp_opts == NULL) || (tcp_opts->host == NULL) || (ret_gtid == NULL)) {
        return EINVAL;
    }
    rc = source_connect(tcp_opts, &db, ret_reason);
    if (rc != 0) {
        return rc;
    }
    dialect = myha_repl_dialect_get(myha_db_version_get(db)->flavour);
    rc = myha_db_query_value(db, dialect->source_gtid, &value);
    if (rc != 0) {
        set_reason(ret_reason, "%s", myha_db_error(db));
        goto out_free_db;
    }
    if (value == NULL) {
        value = strdup("");
        if (value == NULL) {
            rc = ENOMEM;
            goto out_free_db;
        }
    }
    strip_newlines(value);
    *ret_gtid = value;

out_free_db:
    myha_db_free(db);
    return rc;
}

/*!
 * \brief Read, over TCP, what a peer replica could pass on
 *
 * Like myha_repl_source_gtid_get() (the same connection and the same
 * executed set), plus what the peer's IO thread has received and its SQL
 * thread will still apply (MariaDB Gtid_IO_Pos, MySQL
 * Retrieved_Gtid_Set; "" when it is not a replica).  The replication
 * account needs SLAVE MONITOR (MariaDB) or REPLICATION CLIENT (MySQL).
 *
 * \param[in]  tcp_opts      How to reach the peer; host must be set
 * \param[out] ret_executed  Where to store its executed set (on success)
 * \param[out] ret_received  Where to store its received set (on success)
 * \param[out] ret_reason    If not NULL, on failure only: an allocated
 *                           message
 *
 * \return 0 on success, or as myha_repl_source_gtid_get()
 * \note The caller frees the three strings with free().
 */
int
myha_repl_peer_position_get(const struct myha_db_opts *tcp_opts,
                            char **ret_executed, char **ret_received,
                            char **ret_reason)
{
    struct myha_db *db = NULL;
    struct myha_db_replica_status *replica = NULL;
    enum myha_db_flavour flavour = myha_db_mariadb;
    char *executed = NULL;
    const char *received = NULL;
    int rc = 0;

    if ((tcp_opts == NULL) || (tcp_opts->host == NULL) || (ret_executed == NULL)
        || (ret_received == NULL)) {
        return EINVAL;
    }
    rc = source_connect(tcp_opts, &db, ret_reason);
    if (rc != 0) {
        return rc;
    }
    flavour = myha_db_version_get(db)->flavour;
    rc = myha_db_query_value(db, myha_repl_dialect_get(flavour)->source_gtid,
                             &executed);
    if (rc == 0) {
        rc = myha_db_replica_status_get(db, &replica);
    }
    if (rc != 0) {
        set_reason(ret_reason, "%s", myha_db_error(db));
        goto out_free;
    }
    received = (flavour == myha_db_mysql) ? replica->retrieved_gtid_set
                                          : replica->gtid_io_pos;
    *ret_received = strdup((received == NULL) ? "" : received);
    *ret_executed = (executed == NULL) ? strdup("") : executed;
    executed = NULL;
    if ((*ret_received == NULL) || (*ret_executed == NULL)) {
        free(*ret_received);
        free(*ret_executed);
        rc = ENOMEM;
        goto out_free;
    }
    strip_newlines(*ret_received);
    strip_newlines(*ret_executed);

out_free:
    free(executed);
    myha_db_replica_status_free(replica);
    myha_db_free(db);
    return rc;
}

// Whether the replica already follows src, with both threads running
static bool
is_following(enum myha_db_flavour flavour,
             const struct myha_db_replica_status *replica,
             const struct myha_repl_source *src)
{
    bool gtid = false;

    if (!replica->configured || (replica->source_host == NULL)
        || (replica->source_user == NULL)
        || (strcasecmp(replica->source_host, src->host) != 0)
        || (replica->source_port != (long long) src->port)
        || (strcmp(replica->source_user, src->user) != 0)
        || (replica->io_running != myha_db_thread_running)
        || (replica->sql_running != myha_db_thread_running)) {
        return false;
    }
    if (flavour == myha_db_mysql) {
        gtid = (replica->auto_position == 1);
    } else {
        gtid = (replica->using_gtid != NULL)
               && (strcasecmp(replica->using_gtid, "No") != 0);
    }
    return gtid;
}

/*!
 * \brief Follow a source with GTID auto-positioning
 *
 * Stops replication, points at \p src (MariaDB: MASTER_USE_GTID=slave_pos,
 * after copying into gtid_slave_pos the transactions this server wrote as
 * a primary, so that a former primary does not ask for them again; MySQL:
 * SOURCE_AUTO_POSITION=1) and starts replication.  Does nothing if the
 * server already follows the same host, port and user with both threads
 * running.  It does not wait for the threads to connect.
 *
 * \param[in,out] db   Connection to the replica
 * \param[in]     src  Source; the password is only sent, never logged
 *
 * \return 0 on success, myha_rc_invalid if \p src is incomplete,
 *         myha_rc_db_query, myha_rc_db_connect, myha_rc_parse, EINVAL, or
 *         ENOMEM; myha_db_error(db) tells what failed
 */
int
myha_repl_follow(struct myha_db *db, const struct myha_repl_source *src)
{
    struct myha_db_source source = { 0 };
    struct myha_db_replica_status *replica = NULL;
    const struct myha_repl_dialect *dialect = NULL;
    enum myha_db_flavour flavour = myha_db_mariadb;
    int rc = 0;

    if ((db == NULL) || (src == NULL)) {
        return EINVAL;
    }
    if ((src->host == NULL) || (*src->host == '\0') || (src->user == NULL)
        || (*src->user == '\0') || (src->password == NULL) || (src->port == 0)
        || (src->port > 65535)) {
        return myha_rc_invalid;
    }
    flavour = myha_db_version_get(db)->flavour;
    dialect = myha_repl_dialect_get(flavour);
    rc = myha_db_replica_status_get(db, &replica);
    if (rc != 0) {
        return rc;
    }
    if (is_following(flavour, replica, src)) {
        qb_log(LOG_DEBUG, "already following %s:%u", src->host, src->port);
        goto out_free_replica;
    }
    rc = myha_db_replica_stop(db);
    if (rc != 0) {
        goto out_free_replica;
    }
    if (dialect->own_writes_to_replica_pos != NULL) {
        rc = myha_db_exec(db, dialect->own_writes_to_replica_pos);
        if (rc != 0) {
            goto out_free_replica;
        }
    }
    source.host = src->host;
    source.port = src->port;
    source.user = src->user;
    source.password = src->password;
    rc = myha_db_replica_set_source(db, &source);
    if (rc != 0) {
        goto out_free_replica;
    }
    rc = myha_db_replica_start(db);

out_free_replica:
    myha_db_replica_status_free(replica);
    return rc;
}

// Fail a drain whose SQL thread stopped with an error
static int
drain_sql_error(const struct myha_db_replica_status *replica, char **ret_reason)
{
    set_reason(ret_reason, "replication SQL thread stopped: error %lld: %s",
               replica->last_sql_errno,
               (replica->last_sql_error == NULL) ? ""
                                                 : replica->last_sql_error);
    return ENOTRECOVERABLE;
}

/*
 * Whether applied covers received; if not, how many transactions are
 * missing.  Sets that cannot be parsed count as not covered.
 */
static int
drain_compare(enum myha_db_flavour flavour, const char *applied,
              const char *received, bool *ret_done, uint64_t *ret_remaining)
{
    struct myha_gtid_set *a = NULL;
    struct myha_gtid_set *r = NULL;
    struct myha_gtid_set *missing = NULL;
    int rc = 0;

    rc = myha_gtid_set_parse(applied, gtid_flavor(flavour), &a, NULL);
    if (rc != 0) {
        goto out;
    }
    rc = myha_gtid_set_parse(received, gtid_flavor(flavour), &r, NULL);
    if (rc != 0) {
        goto out_free_applied;
    }
    rc = myha_gtid_set_subtract(r, a, &missing);
    if (rc != 0) {
        goto out_free_received;
    }
    *ret_done = myha_gtid_set_contains(a, r);
    *ret_remaining = myha_gtid_set_count(missing);
    myha_gtid_set_free(missing);

out_free_received:
    myha_gtid_set_free(r);
out_free_applied:
    myha_gtid_set_free(a);
out:
    return (rc == ENOMEM) ? ENOMEM : ((rc == 0) ? 0 : myha_rc_parse);
}

// One wait of at most timeout_ms for received to be applied
static int
drain_wait(struct myha_db *db, enum myha_db_flavour flavour,
           const char *received, long long timeout_ms)
{
    char *sql = NULL;
    char *value = NULL;
    int rc = 0;

    rc = myha_repl_wait_sql(flavour, received, timeout_ms, &sql);
    if (rc != 0) {
        return rc;
    }
    rc = myha_db_query_value(db, sql, &value);
    free(sql);
    free(value); // reached or timed out: the caller looks at the sets
    return rc;
}

/*!
 * \brief Apply everything already received, before promotion
 *
 * Starts the SQL thread if it was stopped without an error, stops the IO
 * thread so that nothing new arrives, then waits until the SQL thread has
 * applied all that was received: MariaDB gtid_slave_pos reaching
 * Gtid_IO_Pos (MASTER_GTID_WAIT), MySQL gtid_executed containing
 * Retrieved_Gtid_Set (WAIT_FOR_EXECUTED_GTID_SET).  It waits in steps of
 * MYHA_REPL_DRAIN_STEP_S seconds and calls \p cb after each step that
 * leaves work.  Returns at once if nothing is left to apply.  The IO
 * thread stays stopped and the SQL thread running.  If both threads were
 * already stopped, MariaDB (GTID mode) discards the relay log as the SQL
 * thread starts: what it held is not applied, and is fetched again from
 * the source when the replica next follows one.  The SQL thread is
 * started before the IO thread is stopped so that this never happens
 * here.
 *
 * \param[in,out] db          Connection to the replica; its read timeout
 *                            must exceed MYHA_REPL_DRAIN_STEP_S
 * \param[in]     timeout_ms  Most time to spend
 * \param[in]     cb          Progress callback, or NULL
 * \param[in]     cb_data     Passed to \p cb
 * \param[out]    ret_reason  If not NULL, on failure only: an allocated
 *                            message, unless memory ran out
 *
 * \return 0 when all received transactions are applied; ETIMEDOUT if not
 *         within \p timeout_ms; ENOTRECOVERABLE if the SQL thread stopped
 *         with an error (the reason carries the server's text);
 *         myha_rc_invalid if the server is not a replica; myha_rc_parse,
 *         myha_rc_db_query, myha_rc_db_connect, EINVAL, or ENOMEM
 * \note The caller frees \p *ret_reason with free().
 */
int
myha_repl_drain(struct myha_db *db, long long timeout_ms,
                myha_repl_progress_fn cb, void *cb_data, char **ret_reason)
{
    const struct myha_repl_dialect *dialect = NULL;
    struct myha_db_replica_status *replica = NULL;
    enum myha_db_flavour flavour = myha_db_mariadb;
    long long start = now_ms();
    char *received = NULL;
    int rc = 0;

    if ((db == NULL) || (timeout_ms < 0)) {
        return EINVAL;
    }
    flavour = myha_db_version_get(db)->flavour;
    dialect = myha_repl_dialect_get(flavour);
    rc = myha_db_replica_status_get(db, &replica);
    if (rc != 0) {
        goto out_reason;
    }
    if (!replica->configured) {
        set_reason(ret_reason, "not configured as a replica");
        rc = myha_rc_invalid;
        goto out_free_replica;
    }
    if (replica->sql_running == myha_db_thread_stopped) {
        if (replica->last_sql_errno > 0) {
            rc = drain_sql_error(replica, ret_reason);
            goto out_free_replica;
        }
        /* Before stopping the IO thread: MariaDB in GTID mode discards the
         * relay log when the SQL thread starts with both threads stopped
         */
        rc = myha_db_exec(db, dialect->sql_start);
        if (rc != 0) {
            goto out_free_replica;
        }
    }
    rc = myha_db_exec(db, dialect->io_stop);
    if (rc != 0) {
        goto out_free_replica;
    }
    // Gtid_IO_Pos / Retrieved_Gtid_Set cannot grow any more
    myha_db_replica_status_free(replica);
    replica = NULL;
    rc = myha_db_replica_status_get(db, &replica);
    if (rc != 0) {
        goto out_reason;
    }
    received = strdup(
        (flavour == myha_db_mysql)
            ? ((replica->retrieved_gtid_set == NULL)
                   ? ""
                   : replica->retrieved_gtid_set)
            : ((replica->gtid_io_pos == NULL) ? "" : replica->gtid_io_pos));
    if (received == NULL) {
        rc = ENOMEM;
        goto out_free_replica;
    }
    strip_newlines(received);

    for (;;) {
        struct myha_repl_progress progress = { NULL, received, 0, 0 };
        char *applied = NULL;
        bool done = false;
        long long left = 0;

        rc = myha_db_query_value(db, dialect->applied_gtid, &applied);
        if (rc != 0) {
            break;
        }
        if (applied == NULL) {
            applied = strdup("");
            if (applied == NULL) {
                rc = ENOMEM;
                break;
            }
        }
        strip_newlines(applied);
        rc = drain_compare(flavour, applied, received, &done,
                           &progress.remaining);
        if ((rc != 0) || done) {
            if (rc == myha_rc_parse) {
                set_reason(ret_reason,
                           "GTID sets not understood: applied '%s', "
                           "received '%s'",
                           applied, received);
            }
            free(applied);
            break;
        }
        progress.applied = applied;
        progress.elapsed_ms = now_ms() - start;
        qb_log(LOG_DEBUG, "drain: %llu transactions left (applied %s of %s)",
               (unsigned long long) progress.remaining, applied, received);
        if (cb != NULL) {
            cb(&progress, cb_data);
        }
        free(applied);

        // The SQL thread may have failed: waiting longer is pointless
        myha_db_replica_status_free(replica);
        replica = NULL;
        rc = myha_db_replica_status_get(db, &replica);
        if (rc != 0) {
            break;
        }
        if ((replica->sql_running == myha_db_thread_stopped)
            && (replica->last_sql_errno > 0)) {
            rc = drain_sql_error(replica, ret_reason);
            break;
        }
        left = start + timeout_ms - now_ms();
        if (left <= 0) {
            set_reason(ret_reason,
                       "relay log not applied within %lld ms: "
                       "%llu transactions left",
                       timeout_ms, (unsigned long long) progress.remaining);
            rc = ETIMEDOUT;
            break;
        }
        if (left > MYHA_REPL_DRAIN_STEP_S * 1000LL) {
            left = MYHA_REPL_DRAIN_STEP_S * 1000LL;
        }
        rc = drain_wait(db, flavour, received, left);
        if (rc != 0) {
            break;
        }
    }
    free(received);

out_free_replica:
    myha_db_replica_status_free(replica);
out_reason:
    if ((rc != 0) && (rc != ENOMEM)) {
        set_reason(ret_reason, "%s", myha_db_error(db));
    }
    return rc;
}

/*!
 * \brief Stop replicating for good (before leaving read-only)
 *
 * STOP SLAVE and RESET SLAVE ALL (MySQL: ... REPLICA ...): forgets the
 * source and removes the relay logs.  The executed GTID set (MariaDB
 * gtid_slave_pos too) stays.  Harmless on a server that is not a replica.
 *
 * \param[in,out] db  Connection
 *
 * \return 0 on success, myha_rc_db_query, myha_rc_db_connect, or EINVAL;
 *         myha_db_error(db) tells what failed
 */
int
myha_repl_detach(struct myha_db *db)
{
    int rc = 0;

    if (db == NULL) {
        return EINVAL;
    }
    rc = myha_db_replica_stop(db);
    if (rc == 0) {
        rc = myha_db_replica_reset(db);
    }
    return rc;
}

/*
 * End the client sessions that hold writes, at most WRITERS_PER_ROUND.
 * Adds those ended to *killed; *ret_found tells whether there were any.
 */
static int
writers_kill(struct myha_db *db, enum myha_db_flavour flavour,
             unsigned int *killed, bool *ret_found)
{
    char *ids = NULL;
    char *save = NULL;
    int rc = 0;

    rc = myha_db_query_value(db, myha_repl_dialect_get(flavour)->writers, &ids);
    if (rc != 0) {
        return rc;
    }
    *ret_found = (ids != NULL) && (*ids != '\0');
    for (char *tok = (ids == NULL) ? NULL : strtok_r(ids, ",", &save);
         tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        long long id = 0;
        char *sql = NULL;

        if (myha_str_to_ll(tok, &id) != 0) {
            rc = myha_rc_parse;
            break;
        }
        rc = myha_repl_kill_sql(flavour, id, &sql);
        if (rc != 0) {
            break;
        }
        rc = myha_db_exec(db, sql);
        free(sql);
        if ((rc == myha_rc_db_query)
            && (myha_db_errno(db) == ER_NO_SUCH_THREAD)) {
            rc = 0; // it ended by itself
            continue;
        }
        if (rc != 0) {
            break;
        }
        (*killed)++;
    }
    free(ids);
    return rc;
}

/*!
 * \brief Make a server read-only and end the sessions that still write
 *
 * Sets read_only (MySQL: super_read_only).  That waits for the write
 * statements in progress and for LOCK TABLES; each attempt waits at most
 * MYHA_REPL_LOCK_WAIT_S (the session's lock_wait_timeout), and after each
 * that times out the sessions writing are ended (KILL CONNECTION) before
 * the next.  Once read-only, sessions that still hold uncommitted writes
 * or row locks (INNODB_TRX) are ended, until none are left or the time is
 * up.  Never ends our own session, replication, event scheduler or binlog
 * dump threads.  The session's lock_wait_timeout is restored to its
 * default.
 *
 * read_only does not stop accounts with READ_ONLY ADMIN (MariaDB 10.11:
 * part of ALL PRIVILEGES) or SUPER (MySQL without super_read_only): they
 * can still write.  Those of their sessions that hold writes when this
 * runs are ended like any other; sessions they open later are not.
 *
 * \param[in,out] db          Connection (an account that may set globals
 *                            and kill other users' sessions)
 * \param[in]     timeout_ms  Most time to spend; one lock wait may
 *                            overstay it by up to a second
 * \param[out]    ret_killed  If not NULL, where to store how many
 *                            sessions were ended (on success)
 * \param[out]    ret_reason  If not NULL, on failure only: an allocated
 *                            message, unless memory ran out
 *
 * \return 0 once read-only; ETIMEDOUT if the server could not be made
 *         read-only in time; myha_rc_db_query, myha_rc_db_connect,
 *         myha_rc_parse, EINVAL, or ENOMEM
 * \note The caller frees \p *ret_reason with free().
 */
int
myha_repl_make_read_only(struct myha_db *db, long long timeout_ms,
                         unsigned int *ret_killed, char **ret_reason)
{
    const struct myha_repl_dialect *dialect = NULL;
    enum myha_db_flavour flavour = myha_db_mariadb;
    long long deadline = now_ms() + timeout_ms;
    unsigned int killed = 0;
    bool found = false;
    char *sql = NULL;
    int rc = 0;
    int reset_rc = 0;

    if ((db == NULL) || (timeout_ms < 0)) {
        return EINVAL;
    }
    flavour = myha_db_version_get(db)->flavour;
    dialect = myha_repl_dialect_get(flavour);
    rc = myha_repl_lock_wait_sql(flavour, MYHA_REPL_LOCK_WAIT_S, &sql);
    if (rc != 0) {
        return rc;
    }
    rc = myha_db_exec(db, sql);
    free(sql);
    if (rc != 0) {
        goto out_reason;
    }
    for (;;) {
        rc = myha_db_read_only_set(db, true);
        if (rc == 0) {
            break;
        }
        if ((rc != myha_rc_db_query)
            || (myha_db_errno(db) != ER_LOCK_WAIT_TIMEOUT)) {
            goto out_reset_lock_wait;
        }
        if (now_ms() >= deadline) {
            set_reason(ret_reason,
                       "cannot make the server read-only within "
                       "%lld ms: %s",
                       timeout_ms, myha_db_error(db));
            rc = ETIMEDOUT;
            goto out_reset_lock_wait;
        }
        rc = writers_kill(db, flavour, &killed, &found);
        if (rc != 0) {
            goto out_reset_lock_wait;
        }
    }

    // Read-only now: end those that still hold writes, within the time
    do {
        rc = writers_kill(db, flavour, &killed, &found);
        if (rc != 0) {
            goto out_reset_lock_wait;
        }
        if (found) {
            sleep_ms(KILL_ROUND_PAUSE_MS);
        }
    } while (found && (now_ms() < deadline));
    qb_log(LOG_DEBUG, "read-only; %u sessions ended", killed);

out_reset_lock_wait:
    if ((rc != 0) && (rc != ENOMEM)) {
        set_reason(ret_reason, "%s", myha_db_error(db));
    }
    reset_rc = myha_db_exec(db, dialect->lock_wait_reset);
    if (rc == 0) {
        rc = reset_rc;
    }
out_reason:
    if ((rc != 0) && (rc != ENOMEM)) {
        set_reason(ret_reason, "%s", myha_db_error(db));
    }
    if ((rc == 0) && (ret_killed != NULL)) {
        *ret_killed = killed;
    }
    return rc;
}
