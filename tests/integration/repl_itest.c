/*
 * Integration tests of lib/repl.c against real MariaDB servers, started by
 * repl.test: server 1 is the primary, server 2 replicates from it, and
 * server 3 is pointed at it here.  Tests run in order, each leaving the
 * topology the next expects; the last ones promote server 2.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <myha/db.h>
#include <myha/gtid.h>
#include <myha/rc.h>
#include <myha/repl.h>
#include <myha/spawn.h>
#include <myha/str.h>

#include "itest_common.h"

#define N_SERVERS 3
#define CLIENT "/usr/bin/mariadb"

//! What repl.test tells about the servers
static struct {
    const char *socket[N_SERVERS + 1]; //!< [1] .. [3]
    unsigned int port[N_SERVERS + 1];  //!< [1] .. [3]
    const char *cnf;                   //!< Admin user and password
    char *repl_password;               //!< From the replication option file
    char *app_cnf;                     //!< Application account, server 1
    char *tmpdir;                      //!< Scratch directory
} env;

static struct myha_db *
connect_cnf(int server, const char *cnf)
{
    struct myha_db_opts opts = {
        .socket = env.socket[server],
        .option_file = cnf,
        .connect_timeout = 5,
        .read_timeout = 60,
        .write_timeout = 60,
    };
    struct myha_db *db = NULL;
    char *reason = NULL;
    int rc = 0;

    rc = myha_db_connect(&opts, &db, &reason);
    if (rc != 0) {
        fail_msg("connect to server %d: %s: %s", server, myha_rc_str(rc),
                 (reason == NULL) ? "(no reason)" : reason);
    }
    return db;
}

static struct myha_db *
connect_to(int server)
{
    return connect_cnf(server, env.cnf);
}

static void
assert_ok(struct myha_db *db, int rc)
{
    if (rc != 0) {
        fail_msg("%s: %s", myha_rc_str(rc), myha_db_error(db));
    }
}

static void
exec_ok(struct myha_db *db, const char *sql)
{
    assert_ok(db, myha_db_exec(db, sql));
}

// One value of a query; "" for SQL NULL
static char *
value_of(struct myha_db *db, const char *sql)
{
    char *value = NULL;

    assert_ok(db, myha_db_query_value(db, sql, &value));
    if (value == NULL) {
        value = strdup("");
        assert_non_null(value);
    }
    return value;
}

static void
state_of(struct myha_db *db, struct myha_repl_state *state)
{
    assert_ok(db, myha_repl_state_get(db, state));
    assert_non_null(state->replica);
    assert_non_null(state->executed);
    assert_non_null(state->executed_text);
}

static struct myha_repl_source
source_of(int server)
{
    struct myha_repl_source src = {
        .host = "127.0.0.1",
        .port = env.port[server],
        .user = "repl",
        .password = env.repl_password,
    };

    return src;
}

static char *
binlog_pos(int server)
{
    struct myha_db *db = connect_to(server);
    char *pos = value_of(db, "SELECT @@GLOBAL.gtid_binlog_pos");

    myha_db_free(db);
    return pos;
}

// Wait until replica has applied everything server source has written
static void
sync_with(int replica, int source)
{
    char *pos = binlog_pos(source);
    struct myha_db *db = connect_to(replica);
    char *sql = myha_str_printf("SELECT MASTER_GTID_WAIT('%s', 30)", pos);
    char *rc = NULL;

    assert_non_null(sql);
    rc = value_of(db, sql);
    if (strcmp(rc, "0") != 0) {
        fail_msg("server %d did not reach %d's position '%s'", replica, source,
                 pos);
    }
    free(rc);
    free(sql);
    free(pos);
    myha_db_free(db);
}

// Wait until the IO thread of replica has received all of source
static void
wait_received(int replica, int source)
{
    char *pos = binlog_pos(source);
    struct myha_db *db = connect_to(replica);
    double deadline = itest_now() + 30;

    for (;;) {
        struct myha_repl_state st;
        bool done = false;

        state_of(db, &st);
        done =
            (st.received_text != NULL) && (strcmp(st.received_text, pos) == 0);
        myha_repl_state_release(&st);
        if (done) {
            break;
        }
        if (itest_now() > deadline) {
            fail_msg("server %d did not receive %d's position '%s'", replica,
                     source, pos);
        }
        usleep(50 * 1000);
    }
    free(pos);
    myha_db_free(db);
}

//! What a replica state must show for wait_state() to return
enum wanted {
    want_running,     //!< Both threads running
    want_sql_error,   //!< SQL thread stopped with an error
    want_io_error,    //!< IO thread not running, with an error
    want_lag_above_2, //!< Seconds_Behind above 2
};

static bool
is_wanted(const struct myha_db_replica_status *r, enum wanted wanted)
{
    switch (wanted) {
        case want_running:
            return r->configured && (r->io_running == myha_db_thread_running)
                   && (r->sql_running == myha_db_thread_running);
        case want_sql_error:
            return (r->sql_running == myha_db_thread_stopped)
                   && (r->last_sql_errno > 0);
        case want_io_error:
            return (r->io_running != myha_db_thread_running)
                   && (r->last_io_errno > 0);
        case want_lag_above_2:
            return r->seconds_behind > 2;
    }
    return false;
}

// Poll the state of server until it shows what is wanted; caller releases
static void
wait_state(struct myha_db *db, enum wanted wanted, double timeout_s,
           struct myha_repl_state *state)
{
    double deadline = itest_now() + timeout_s;

    for (;;) {
        state_of(db, state);
        if (is_wanted(state->replica, wanted)) {
            return;
        }
        if (itest_now() > deadline) {
            const struct myha_db_replica_status *r = state->replica;

            fail_msg("state %d not reached: configured %d IO %d SQL %d lag "
                     "%lld, IO error %lld '%s', SQL error %lld '%s'",
                     wanted, r->configured, r->io_running, r->sql_running,
                     r->seconds_behind, r->last_io_errno,
                     (r->last_io_error == NULL) ? "" : r->last_io_error,
                     r->last_sql_errno,
                     (r->last_sql_error == NULL) ? "" : r->last_sql_error);
        }
        myha_repl_state_release(state);
        usleep(100 * 1000);
    }
}

static void
wait_running(int server)
{
    struct myha_db *db = connect_to(server);
    struct myha_repl_state st;

    wait_state(db, want_running, 30, &st);
    myha_repl_state_release(&st);
    myha_db_free(db);
}

static void
health_of(const struct myha_repl_state *st, long long max_lag_s,
          const char *primary, struct myha_repl_health *health)
{
    struct myha_gtid_set *set = NULL;

    if (primary != NULL) {
        assert_int_equal(
            myha_gtid_set_parse(primary, MYHA_GTID_MARIADB, &set, NULL), 0);
    }
    assert_int_equal(myha_repl_health_eval(st, max_lag_s, set, health), 0);
    print_message("# promotable %d, %s: %s\n", health->promotable,
                  myha_repl_problem_str(health->problem),
                  (health->reason == NULL) ? "-" : health->reason);
    myha_gtid_set_free(set);
}

// The primary's set as the agent reads it: over TCP as the replication user
static char *
primary_set(int server)
{
    struct myha_db_opts opts = {
        .host = "127.0.0.1",
        .port = env.port[server],
        .user = "repl",
        .option_file = getenv("MYHA_ITEST_REPL_CNF"),
    };
    char *gtid = NULL;
    char *reason = NULL;
    int rc = myha_repl_source_gtid_get(&opts, &gtid, &reason);

    if (rc != 0) {
        fail_msg("source GTID of %d: %s: %s", server, myha_rc_str(rc),
                 (reason == NULL) ? "-" : reason);
    }
    return gtid;
}

static void
state_of_primary(void **state)
{
    struct myha_db *db = connect_to(1);
    struct myha_repl_state st;
    struct myha_repl_health health;
    char *pos = NULL;

    state_of(db, &st);
    assert_int_equal(st.flavour, myha_db_mariadb);
    assert_false(st.read_only);
    assert_false(st.replica->configured);
    assert_null(st.received_text);
    pos = value_of(db, "SELECT @@GLOBAL.gtid_current_pos");
    assert_string_equal(st.executed_text, pos);
    assert_false(myha_is_gtid_set_empty(st.executed));
    health_of(&st, 0, NULL, &health);
    assert_false(health.promotable);
    assert_int_equal(health.problem, myha_repl_not_replica);
    myha_repl_health_release(&health);
    myha_repl_state_release(&st);
    free(pos);
    myha_db_free(db);
}

static void
state_of_replica(void **state)
{
    struct myha_db *db = connect_to(2);
    struct myha_repl_state st;
    struct myha_repl_health health;
    char *primary = NULL;

    sync_with(2, 1);
    exec_ok(db, "SET GLOBAL read_only = ON");
    state_of(db, &st);
    assert_true(st.read_only);
    assert_true(st.replica->configured);
    assert_int_equal(st.replica->io_running, myha_db_thread_running);
    assert_int_equal(st.replica->sql_running, myha_db_thread_running);
    assert_string_equal(st.replica->source_host, "127.0.0.1");
    assert_int_equal(st.replica->source_port, env.port[1]);
    assert_int_equal(st.replica->seconds_behind, 0);
    assert_non_null(st.received_text);
    primary = binlog_pos(1);
    assert_string_equal(st.received_text, primary);
    assert_string_equal(st.executed_text, primary);
    health_of(&st, 300, primary, &health);
    assert_true(health.promotable);
    assert_int_equal(health.problem, myha_repl_ok);
    myha_repl_health_release(&health);
    myha_repl_state_release(&st);
    free(primary);
    myha_db_free(db);
}

static void
follow_points_replica_at_source(void **state)
{
    struct myha_db *db = connect_to(3);
    struct myha_db *db1 = connect_to(1);
    struct myha_repl_source src = source_of(1);
    struct myha_repl_state st;

    state_of(db, &st);
    assert_false(st.replica->configured);
    myha_repl_state_release(&st);
    assert_ok(db, myha_repl_follow(db, &src));
    wait_running(3);
    exec_ok(db1, "INSERT INTO t.a VALUES (100, 100)");
    sync_with(3, 1);
    free(value_of(db, "SELECT v FROM t.a WHERE id = 100"));
    state_of(db, &st);
    assert_string_equal(st.replica->using_gtid, "Slave_Pos");
    myha_repl_state_release(&st);
    myha_db_free(db1);
    myha_db_free(db);
}

static void
follow_is_idempotent(void **state)
{
    static const char *io_thread =
        "SELECT ID FROM information_schema.PROCESSLIST "
        "WHERE COMMAND = 'Slave_IO'";
    struct myha_db *db = connect_to(3);
    struct myha_repl_source src = source_of(1);
    char *before = value_of(db, io_thread);
    char *after = NULL;
    double start = itest_now();

    assert_ok(db, myha_repl_follow(db, &src));
    print_message("# second follow took %.1f ms\n",
                  (itest_now() - start) * 1000);
    after = value_of(db, io_thread);
    assert_string_not_equal(before, "");
    assert_string_equal(before, after); // the IO thread was not restarted
    free(before);
    free(after);

    // Incomplete source
    src.user = "";
    assert_int_equal(myha_repl_follow(db, &src), myha_rc_invalid);
    myha_db_free(db);
}

static void
source_gtid_over_tcp(void **state)
{
    struct myha_db_opts opts = {
        .host = "127.0.0.1",
        .port = 1,
        .user = "repl",
        .option_file = getenv("MYHA_ITEST_REPL_CNF"),
    };
    char *gtid = primary_set(1);
    char *pos = binlog_pos(1);
    char *reason = NULL;
    double start = itest_now();

    assert_string_equal(gtid, pos);
    free(gtid);
    gtid = NULL;
    free(pos);

    assert_int_equal(myha_repl_source_gtid_get(&opts, &gtid, &reason),
                     myha_rc_db_connect);
    assert_null(gtid);
    assert_non_null(reason);
    print_message("# %s (%.1f ms)\n", reason, (itest_now() - start) * 1000);
    assert_non_null(strstr(reason, "127.0.0.1:1"));
    free(reason);
}

static void
sql_error_is_not_promotable(void **state)
{
    struct myha_db *db1 = connect_to(1);
    struct myha_db *db2 = connect_to(2);
    struct myha_repl_state st;
    struct myha_repl_health health;
    char *reason = NULL;
    char *primary = NULL;

    // A row the replica has and the primary has not: the insert clashes
    exec_ok(db2, "SET SESSION sql_log_bin = 0");
    exec_ok(db2, "SET GLOBAL read_only = OFF");
    exec_ok(db2, "INSERT INTO t.a VALUES (5, 0)");
    exec_ok(db2, "SET GLOBAL read_only = ON");
    exec_ok(db1, "INSERT INTO t.a VALUES (5, 5)");
    wait_state(db2, want_sql_error, 30, &st);
    primary = primary_set(1);
    health_of(&st, 300, primary, &health);
    assert_false(health.promotable);
    assert_int_equal(health.problem, myha_repl_sql_error);
    assert_non_null(strstr(health.reason, "replication SQL thread stopped: "
                                          "error 1062: "));
    assert_non_null(strstr(health.reason, "Duplicate entry '5'"));
    myha_repl_health_release(&health);
    myha_repl_state_release(&st);

    // Drain cannot apply it either
    assert_int_equal(myha_repl_drain(db2, 5000, NULL, NULL, &reason),
                     ENOTRECOVERABLE);
    assert_non_null(reason);
    print_message("# drain: %s\n", reason);
    assert_non_null(strstr(reason, "error 1062"));
    free(reason);

    // Repair: drop the clashing row, follow again
    exec_ok(db2, "DELETE FROM t.a WHERE id = 5");
    {
        struct myha_repl_source src = source_of(1);

        assert_ok(db2, myha_repl_follow(db2, &src));
    }
    wait_running(2);
    sync_with(2, 1);
    free(primary);
    myha_db_free(db2);
    myha_db_free(db1);
}

static void
lag_is_not_promotable(void **state)
{
    struct myha_db *db1 = connect_to(1);
    struct myha_db *db2 = connect_to(2);
    struct myha_db *blocker = connect_to(2);
    struct myha_repl_state st;
    struct myha_repl_health health;

    // The SQL thread waits for a row lock held on the replica
    exec_ok(blocker, "BEGIN");
    free(value_of(blocker, "SELECT v FROM t.a WHERE id = 1 FOR UPDATE"));
    exec_ok(db1, "UPDATE t.a SET v = v + 1 WHERE id = 1");
    wait_state(db2, want_lag_above_2, 30, &st);
    health_of(&st, 2, NULL, &health);
    assert_false(health.promotable);
    assert_int_equal(health.problem, myha_repl_lagging);
    assert_non_null(strstr(health.reason, "s behind its primary (max_lag 2s)"));
    myha_repl_health_release(&health);

    // No lag check with max_lag 0
    health_of(&st, 0, NULL, &health);
    assert_true(health.promotable);
    myha_repl_health_release(&health);
    myha_repl_state_release(&st);

    exec_ok(blocker, "ROLLBACK");
    sync_with(2, 1);
    myha_db_free(blocker);
    myha_db_free(db2);
    myha_db_free(db1);
}

//! What the drain's progress callback saw
struct progress_log {
    unsigned int calls;
    uint64_t first_remaining;
    uint64_t last_remaining;
};

static void
log_progress(const struct myha_repl_progress *p, void *cb_data)
{
    struct progress_log *log = cb_data;

    if (log->calls == 0) {
        log->first_remaining = p->remaining;
    }
    log->calls++;
    log->last_remaining = p->remaining;
    print_message("# drain: %llu left after %lld ms (applied %s of %s)\n",
                  (unsigned long long) p->remaining, p->elapsed_ms, p->applied,
                  p->received);
}

// n autocommit inserts into t.b on server 1
static void
write_rows(struct myha_db *db1, int first, int n)
{
    for (int i = first; i < first + n; i++) {
        char *sql = myha_str_printf("INSERT INTO t.b VALUES (%d)", i);

        assert_non_null(sql);
        exec_ok(db1, sql);
        free(sql);
    }
}

static void
assert_same_rows(int a, int b)
{
    struct myha_db *da = connect_to(a);
    struct myha_db *dbb = connect_to(b);
    char *ca = value_of(da, "SELECT CONCAT(COUNT(*), ':', SUM(id)) FROM t.b");
    char *cb = value_of(dbb, "SELECT CONCAT(COUNT(*), ':', SUM(id)) FROM t.b");

    assert_string_equal(ca, cb);
    free(ca);
    free(cb);
    myha_db_free(dbb);
    myha_db_free(da);
}

static void
drain_times_out_then_applies(void **state)
{
    struct myha_db *db1 = connect_to(1);
    struct myha_db *db2 = connect_to(2);
    struct myha_db *blocker = connect_to(2);
    struct progress_log log = { 0 };
    struct myha_repl_state st;
    struct myha_repl_source src = source_of(1);
    char *reason = NULL;
    char *pos = NULL;
    char *applied = NULL;
    double start = 0;
    int rc = 0;

    /* The SQL thread blocks on the first of 201 transactions (no parallel
     * apply), all of which the IO thread has received
     */
    exec_ok(blocker, "BEGIN");
    free(value_of(blocker, "SELECT v FROM t.a WHERE id = 1 FOR UPDATE"));
    exec_ok(db1, "UPDATE t.a SET v = v + 1 WHERE id = 1");
    write_rows(db1, 1, 200);
    wait_received(2, 1);

    start = itest_now();
    rc = myha_repl_drain(db2, 2500, log_progress, &log, &reason);
    print_message("# drain returned %s after %.2fs: %s\n", myha_rc_str(rc),
                  itest_now() - start, (reason == NULL) ? "-" : reason);
    assert_int_equal(rc, ETIMEDOUT);
    assert_true(itest_now() - start >= 2.4);
    assert_true(itest_now() - start < 5);
    assert_true(log.calls >= 2);
    assert_int_equal(log.first_remaining, 201);
    assert_int_equal(log.last_remaining, 201);
    assert_non_null(reason);
    free(reason);
    reason = NULL;

    // The IO thread is stopped: nothing new arrives
    state_of(db2, &st);
    assert_int_equal(st.replica->io_running, myha_db_thread_stopped);
    myha_repl_state_release(&st);

    exec_ok(blocker, "ROLLBACK");
    memset(&log, 0, sizeof(log));
    start = itest_now();
    assert_int_equal(myha_repl_drain(db2, 30000, log_progress, &log, &reason),
                     0);
    print_message("# drain done after %.2fs, %u reports\n", itest_now() - start,
                  log.calls);
    assert_null(reason);
    pos = binlog_pos(1);
    applied = value_of(db2, "SELECT @@GLOBAL.gtid_slave_pos");
    assert_string_equal(applied, pos);
    assert_same_rows(1, 2);
    free(applied);
    free(pos);

    assert_ok(db2, myha_repl_follow(db2, &src));
    wait_running(2);
    myha_db_free(blocker);
    myha_db_free(db2);
    myha_db_free(db1);
}

static void
drain_restarts_stopped_sql_thread(void **state)
{
    struct myha_db *db1 = connect_to(1);
    struct myha_db *db2 = connect_to(2);
    struct myha_repl_source src = source_of(1);
    struct progress_log log = { 0 };
    struct myha_repl_state st;
    char *reason = NULL;
    double start = 0;

    exec_ok(db2, "STOP SLAVE SQL_THREAD");
    write_rows(db1, 1001, 2000);
    wait_received(2, 1);
    start = itest_now();
    assert_int_equal(myha_repl_drain(db2, 60000, log_progress, &log, &reason),
                     0);
    print_message("# 2000 transactions drained in %.2fs, %u reports\n",
                  itest_now() - start, log.calls);
    assert_same_rows(1, 2);
    state_of(db2, &st);
    assert_int_equal(st.replica->sql_running, myha_db_thread_running);
    myha_repl_state_release(&st);

    // Nothing left: returns at once, without a report
    memset(&log, 0, sizeof(log));
    start = itest_now();
    assert_int_equal(myha_repl_drain(db2, 60000, log_progress, &log, &reason),
                     0);
    print_message("# empty drain took %.1f ms\n", (itest_now() - start) * 1000);
    assert_int_equal(log.calls, 0);

    assert_ok(db2, myha_repl_follow(db2, &src));
    wait_running(2);
    myha_db_free(db2);
    myha_db_free(db1);
}

static void
make_read_only_ends_writers(void **state)
{
    static const char *running_update =
        "SELECT COUNT(*) FROM information_schema.PROCESSLIST "
        "WHERE INFO LIKE 'UPDATE t.a SET v = SLEEP%'";
    struct myha_db *db1 = connect_to(1);
    struct myha_db *idle = connect_cnf(1, env.app_cnf);
    struct myha_db *app = NULL;
    char *cnf_arg = myha_str_printf("--defaults-file=%s", env.app_cnf);
    const char *argv[] = {
        CLIENT, cnf_arg, "--protocol=socket", "--batch", NULL,
    };
    static const char update[] = "UPDATE t.a SET v = SLEEP(60) WHERE id = 2;\n";
    struct myha_spawn_opts opts = {
        .argv = argv,
        .new_session = true,
        .stdin_data = update,
        .stdin_len = sizeof(update) - 1,
    };
    struct myha_child *child = NULL;
    struct myha_child_status status;
    unsigned int killed = 0;
    char *reason = NULL;
    char *value = NULL;
    double start = 0;
    double deadline = 0;
    int rc = 0;

    assert_non_null(cnf_arg);
    // An open transaction that has written, idle
    exec_ok(idle, "BEGIN");
    exec_ok(idle, "UPDATE t.a SET v = v + 1 WHERE id = 1");
    // A write statement in progress, which read_only has to wait for
    assert_int_equal(myha_spawn_start(&opts, &child), 0);
    deadline = itest_now() + 10;
    for (;;) {
        value = value_of(db1, running_update);
        if (strcmp(value, "1") == 0) {
            break;
        }
        free(value);
        assert_true(itest_now() < deadline);
        usleep(50 * 1000);
    }
    free(value);

    start = itest_now();
    rc = myha_repl_make_read_only(db1, 10000, &killed, &reason);
    print_message("# make_read_only: %s after %.2fs, %u sessions ended\n",
                  myha_rc_str(rc), itest_now() - start, killed);
    if (rc != 0) {
        fail_msg("%s", (reason == NULL) ? "-" : reason);
    }
    assert_true(itest_now() - start < 5);
    assert_int_equal(killed, 2);

    // The writing client lost its connection and exited
    rc = myha_child_wait(child, 10000, &status);
    if (rc != 0) {
        myha_spawn_kill_group(myha_child_pid(child), SIGKILL);
        myha_child_wait(child, 5000, &status);
        fail_msg("the writing client is still running");
    }
    assert_false(status.signaled);
    assert_int_not_equal(status.exit_code, 0);
    myha_child_free(child);

    // The idle transaction's session is gone too
    assert_int_equal(myha_db_exec(idle, "SELECT 1"), myha_rc_db_connect);
    myha_db_free(idle);

    value = value_of(db1, "SELECT @@GLOBAL.read_only");
    assert_string_equal(value, "1");
    free(value);

    // An application account can no longer write
    app = connect_cnf(1, env.app_cnf);
    assert_int_equal(myha_db_exec(app, "INSERT INTO t.a VALUES (200, 0)"),
                     myha_rc_db_query);
    assert_int_equal(myha_db_errno(app), 1290);
    myha_db_free(app);

    // Again: nothing to do
    killed = 99;
    assert_ok(db1, myha_repl_make_read_only(db1, 10000, &killed, NULL));
    assert_int_equal(killed, 0);

    assert_ok(db1, myha_db_read_only_set(db1, false));
    free(cnf_arg);
    myha_db_free(db1);
}

static void
make_read_only_times_out(void **state)
{
    struct myha_db *db1 = connect_to(1);
    struct myha_db *locker = connect_cnf(1, env.app_cnf);
    unsigned int killed = 99;
    char *reason = NULL;
    char *value = NULL;
    double start = 0;
    int rc = 0;

    // LOCK TABLES holds no InnoDB transaction: nothing to end, and
    // read_only waits for it
    exec_ok(locker, "LOCK TABLES t.a WRITE");
    start = itest_now();
    rc = myha_repl_make_read_only(db1, 2000, &killed, &reason);
    print_message("# %s after %.2fs: %s\n", myha_rc_str(rc),
                  itest_now() - start, (reason == NULL) ? "-" : reason);
    assert_int_equal(rc, ETIMEDOUT);
    assert_int_equal(killed, 99); // not written on failure
    assert_true(itest_now() - start >= 1.9);
    assert_true(itest_now() - start < 4);
    assert_non_null(reason);
    assert_non_null(strstr(reason, "Lock wait timeout"));
    free(reason);
    value = value_of(db1, "SELECT @@GLOBAL.read_only");
    assert_string_equal(value, "0");
    free(value);
    // The session's lock wait timeout is back to the default
    value = value_of(db1, "SELECT @@SESSION.lock_wait_timeout = "
                          "@@GLOBAL.lock_wait_timeout");
    assert_string_equal(value, "1");
    free(value);
    exec_ok(locker, "UNLOCK TABLES");
    myha_db_free(locker);
    myha_db_free(db1);
}

static void
detach_keeps_position(void **state)
{
    struct myha_db *db2 = connect_to(2);
    struct myha_repl_state st;
    char *before = NULL;
    char *after = NULL;

    sync_with(2, 1);
    assert_ok(db2, myha_repl_drain(db2, 30000, NULL, NULL, NULL));
    before = value_of(db2, "SELECT @@GLOBAL.gtid_slave_pos");
    assert_ok(db2, myha_repl_detach(db2));
    state_of(db2, &st);
    assert_false(st.replica->configured);
    myha_repl_state_release(&st);
    after = value_of(db2, "SELECT @@GLOBAL.gtid_slave_pos");
    assert_string_not_equal(before, "");
    assert_string_equal(before, after);
    // Again, on a server that is no replica any more
    assert_ok(db2, myha_repl_detach(db2));
    assert_ok(db2, myha_db_read_only_set(db2, false));
    free(before);
    free(after);
    myha_db_free(db2);
}

static void
former_primary_follows_new_primary(void **state)
{
    struct myha_db *db1 = connect_to(1);
    struct myha_db *db2 = connect_to(2);
    struct myha_db *db3 = connect_to(3);
    struct myha_repl_source src = source_of(2);
    struct myha_repl_state st;
    struct myha_repl_health health;
    char *primary = NULL;

    // Server 1 wrote as primary: it must not ask server 2 for that again
    exec_ok(db1, "SET GLOBAL read_only = ON");
    exec_ok(db2, "INSERT INTO t.b VALUES (5000)");
    assert_ok(db1, myha_repl_follow(db1, &src));
    assert_ok(db3, myha_repl_follow(db3, &src));
    wait_running(1);
    wait_running(3);
    exec_ok(db2, "INSERT INTO t.b VALUES (5001)");
    sync_with(1, 2);
    sync_with(3, 2);
    assert_same_rows(1, 2);
    assert_same_rows(3, 2);
    primary = primary_set(2);
    for (int server = 1; server <= 3; server += 2) {
        struct myha_db *db = (server == 1) ? db1 : db3;

        state_of(db, &st);
        health_of(&st, 300, primary, &health);
        assert_true(health.promotable);
        assert_int_equal(health.problem, myha_repl_ok);
        myha_repl_health_release(&health);
        myha_repl_state_release(&st);
    }
    free(primary);
    myha_db_free(db3);
    myha_db_free(db2);
    myha_db_free(db1);
}

static void
errant_transaction_is_not_promotable(void **state)
{
    struct myha_db *db3 = connect_to(3);
    struct myha_repl_state st;
    struct myha_repl_health health;
    char *primary = NULL;

    // Written on the replica, binary log on, read_only off briefly
    exec_ok(db3, "SET GLOBAL read_only = OFF");
    exec_ok(db3, "CREATE TABLE t.local (id INT PRIMARY KEY)");
    exec_ok(db3, "INSERT INTO t.local VALUES (1)");
    exec_ok(db3, "SET GLOBAL read_only = ON");
    state_of(db3, &st);
    primary = primary_set(2);
    print_message("# replica %s, primary %s\n", st.executed_text, primary);
    health_of(&st, 300, primary, &health);
    assert_false(health.promotable);
    assert_int_equal(health.problem, myha_repl_errant);
    assert_int_equal(health.n_errant, 2);
    assert_non_null(
        strstr(health.reason, "errant transactions not on the primary: 0-3-"));
    myha_repl_health_release(&health);

    // Not known without the primary's set
    health_of(&st, 300, NULL, &health);
    assert_true(health.promotable);
    myha_repl_health_release(&health);
    myha_repl_state_release(&st);
    free(primary);
    myha_db_free(db3);
}

static void
dead_primary_leaves_replica_promotable(void **state)
{
    struct myha_db *db1 = connect_to(1);
    struct myha_repl_source src = source_of(2);
    struct myha_repl_state st;
    struct myha_repl_health health;

    // Nothing listens on port 1: as if the primary had died
    src.port = 1;
    assert_ok(db1, myha_repl_follow(db1, &src));
    wait_state(db1, want_io_error, 30, &st);
    assert_int_equal(st.replica->sql_running, myha_db_thread_running);
    assert_int_equal(st.replica->seconds_behind, -1);
    health_of(&st, 300, NULL, &health);
    assert_true(health.promotable);
    assert_int_equal(health.problem, myha_repl_io_error);
    assert_non_null(strstr(health.reason, "replication IO thread not "
                                          "connected to '127.0.0.1:1': error "
                                          "2003"));
    myha_repl_health_release(&health);
    myha_repl_state_release(&st);
    assert_ok(db1, myha_repl_detach(db1));
    myha_db_free(db1);
}

// Tables on the primary, and an application account without privileges
// beyond them (READ_ONLY ADMIN would let it write through read_only)
static int
setup_data(void)
{
    char *password = NULL;
    char *sql = NULL;
    struct myha_db *db = NULL;
    FILE *fp = NULL;
    mode_t old_mask = 0;
    int rc = 0;

    env.app_cnf = myha_str_printf("%s/app.cnf", env.tmpdir);
    if (env.app_cnf == NULL) {
        return -1;
    }
    password = myha_str_printf("app%ld%d", (long) getpid(), rand());
    old_mask = umask(077);
    fp = fopen(env.app_cnf, "we");
    umask(old_mask);
    if ((fp == NULL) || (password == NULL)) {
        return -1;
    }
    fprintf(fp, "[client]\nuser=app\npassword=%s\nsocket=%s\n", password,
            env.socket[1]);
    fclose(fp);
    if (myha_db_connect(&(struct myha_db_opts){ .socket = env.socket[1],
                                                .option_file = env.cnf },
                        &db, NULL)
        != 0) {
        return -1;
    }
    rc |= myha_db_exec(db, "SET SESSION sql_log_bin = 0");
    sql = myha_str_printf("CREATE USER 'app'@'localhost' IDENTIFIED BY '%s'",
                          password);
    rc |= (sql == NULL) ? -1 : myha_db_exec(db, sql);
    free(sql);
    rc |= myha_db_exec(db, "GRANT SELECT, INSERT, UPDATE, DELETE, LOCK TABLES "
                           "ON t.* TO 'app'@'localhost'");
    rc |= myha_db_exec(db, "SET SESSION sql_log_bin = 1");
    rc |= myha_db_exec(db, "CREATE DATABASE t");
    rc |= myha_db_exec(db, "CREATE TABLE t.a (id INT PRIMARY KEY, v INT) "
                           "ENGINE=InnoDB");
    rc |= myha_db_exec(db, "CREATE TABLE t.b (id INT PRIMARY KEY) "
                           "ENGINE=InnoDB");
    rc |= myha_db_exec(db, "INSERT INTO t.a VALUES (1, 1), (2, 2)");
    if (rc != 0) {
        fprintf(stderr, "setup: %s\n", myha_db_error(db));
    }
    free(password);
    myha_db_free(db);
    return (rc == 0) ? 0 : -1;
}

static int
setup_env(void **state)
{
    static const char *vars[] = {
        "MYHA_ITEST_SOCKET1", "MYHA_ITEST_PORT1",    "MYHA_ITEST_SOCKET2",
        "MYHA_ITEST_PORT2",   "MYHA_ITEST_SOCKET3",  "MYHA_ITEST_PORT3",
        "MYHA_ITEST_CNF",     "MYHA_ITEST_REPL_CNF", "MYHA_ITEST_TMPDIR",
    };

    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        if (getenv(vars[i]) == NULL) {
            fprintf(stderr, "%s is not set: run repl.test\n", vars[i]);
            return -1;
        }
    }
    for (int server = 1; server <= N_SERVERS; server++) {
        char name[32];
        long long port = 0;

        snprintf(name, sizeof(name), "MYHA_ITEST_SOCKET%d", server);
        env.socket[server] = getenv(name);
        snprintf(name, sizeof(name), "MYHA_ITEST_PORT%d", server);
        if ((myha_str_to_ll(getenv(name), &port) != 0) || (port <= 0)
            || (port > 65535)) {
            return -1;
        }
        env.port[server] = (unsigned int) port;
    }
    env.cnf = getenv("MYHA_ITEST_CNF");
    env.repl_password = itest_cnf_password(getenv("MYHA_ITEST_REPL_CNF"));
    env.tmpdir = strdup(getenv("MYHA_ITEST_TMPDIR"));
    if ((env.repl_password == NULL) || (env.tmpdir == NULL)) {
        return -1;
    }
    return setup_data();
}

static int
teardown_env(void **state)
{
    if (env.repl_password != NULL) {
        explicit_bzero(env.repl_password, strlen(env.repl_password));
    }
    free(env.repl_password);
    free(env.app_cnf);
    free(env.tmpdir);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(state_of_primary),
        cmocka_unit_test(state_of_replica),
        cmocka_unit_test(follow_points_replica_at_source),
        cmocka_unit_test(follow_is_idempotent),
        cmocka_unit_test(source_gtid_over_tcp),
        cmocka_unit_test(sql_error_is_not_promotable),
        cmocka_unit_test(lag_is_not_promotable),
        cmocka_unit_test(drain_times_out_then_applies),
        cmocka_unit_test(drain_restarts_stopped_sql_thread),
        cmocka_unit_test(make_read_only_ends_writers),
        cmocka_unit_test(make_read_only_times_out),
        cmocka_unit_test(detach_keeps_position),
        cmocka_unit_test(former_primary_follows_new_primary),
        cmocka_unit_test(errant_transaction_is_not_promotable),
        cmocka_unit_test(dead_primary_leaves_replica_promotable),
    };

    return cmocka_run_group_tests_name("repl_itest", tests, setup_env,
                                       teardown_env);
}
