/*
 * Unit tests of lib/repl.c that need no server: the promotability verdict
 * for both flavours, branch by branch, and the statement texts.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <myha/db.h>
#include <myha/gtid.h>
#include <myha/rc.h>
#include <myha/repl.h>

#define UUID_A "3e11fa47-71ca-11e1-9e33-c80aa9429562"
#define UUID_B "4a1b2c3d-0000-11e1-8000-000000000001"

//! A replica's state built by hand, and the primary's set
struct fixture {
    struct myha_db_replica_status replica;
    struct myha_repl_state state;
    struct myha_gtid_set *primary;
    struct myha_repl_health health;
};

static struct myha_gtid_set *
parse_set(enum myha_db_flavour flavour, const char *text)
{
    struct myha_gtid_set *set = NULL;

    assert_int_equal(myha_gtid_set_parse(text,
                                         (flavour == myha_db_mysql)
                                             ? MYHA_GTID_MYSQL
                                             : MYHA_GTID_MARIADB,
                                         &set, NULL),
                     0);
    return set;
}

/*
 * A healthy replica of 'node1:3306': both threads running, no error, no
 * lag, executed set equal to the primary's.
 */
static void
fixture_init(struct fixture *f, enum myha_db_flavour flavour,
             const char *executed, const char *primary)
{
    memset(f, 0, sizeof(*f));
    f->replica.configured = true;
    f->replica.source_host = (char *) "node1";
    f->replica.source_port = 3306;
    f->replica.io_running = myha_db_thread_running;
    f->replica.sql_running = myha_db_thread_running;
    f->replica.seconds_behind = 0;
    f->replica.last_io_errno = 0;
    f->replica.last_sql_errno = 0;
    f->state.flavour = flavour;
    f->state.read_only = true;
    f->state.executed_text = (char *) executed;
    f->state.executed = parse_set(flavour, executed);
    f->state.replica = &f->replica;
    f->primary = (primary == NULL) ? NULL : parse_set(flavour, primary);
}

static void
fixture_release(struct fixture *f)
{
    myha_gtid_set_free(f->state.executed);
    myha_gtid_set_free(f->primary);
    myha_repl_health_release(&f->health);
}

static void
eval(struct fixture *f, long long max_lag_s)
{
    assert_int_equal(
        myha_repl_health_eval(&f->state, max_lag_s, f->primary, &f->health), 0);
}

static void
expect(const struct fixture *f, bool promotable, enum myha_repl_problem problem,
       const char *reason)
{
    assert_int_equal(f->health.promotable, promotable);
    assert_int_equal(f->health.problem, problem);
    if (reason == NULL) {
        assert_null(f->health.reason);
    } else {
        assert_non_null(f->health.reason);
        assert_string_equal(f->health.reason, reason);
    }
}

// Each flavour's executed set, and one the primary has written past
static const struct {
    enum myha_db_flavour flavour;
    const char *executed;
    const char *primary_ahead;
} flavours[] = {
    { myha_db_mariadb, "0-1-100", "0-1-120" },
    { myha_db_mysql, UUID_A ":1-100", UUID_A ":1-120" },
};

#define N_FLAVOURS (sizeof(flavours) / sizeof(flavours[0]))

static void
healthy_replica_is_promotable(void **state)
{
    for (size_t i = 0; i < N_FLAVOURS; i++) {
        struct fixture f;

        fixture_init(&f, flavours[i].flavour, flavours[i].executed,
                     flavours[i].primary_ahead);
        eval(&f, 300);
        expect(&f, true, myha_repl_ok, NULL);
        assert_int_equal(f.health.n_errant, 0);
        fixture_release(&f);

        // Primary unknown: no errant check, same verdict
        fixture_init(&f, flavours[i].flavour, flavours[i].executed, NULL);
        eval(&f, 300);
        expect(&f, true, myha_repl_ok, NULL);
        fixture_release(&f);
    }
}

static void
not_configured_is_not_promotable(void **state)
{
    for (size_t i = 0; i < N_FLAVOURS; i++) {
        struct fixture f;

        fixture_init(&f, flavours[i].flavour, flavours[i].executed, NULL);
        f.replica.configured = false;
        eval(&f, 0);
        expect(&f, false, myha_repl_not_replica, "not configured as a replica");
        fixture_release(&f);

        fixture_init(&f, flavours[i].flavour, flavours[i].executed, NULL);
        f.state.replica = NULL;
        eval(&f, 0);
        expect(&f, false, myha_repl_not_replica, "not configured as a replica");
        fixture_release(&f);
    }
}

static void
sql_error_is_not_promotable(void **state)
{
    for (size_t i = 0; i < N_FLAVOURS; i++) {
        struct fixture f;

        fixture_init(&f, flavours[i].flavour, flavours[i].executed,
                     flavours[i].executed);
        f.replica.sql_running = myha_db_thread_stopped;
        f.replica.last_sql_errno = 1062;
        f.replica.last_sql_error =
            (char *) "Duplicate entry '5' for key 'PRIMARY'";
        f.replica.seconds_behind = -1;
        eval(&f, 300);
        expect(&f, false, myha_repl_sql_error,
               "replication SQL thread stopped: error 1062: Duplicate entry "
               "'5' for key 'PRIMARY'");
        fixture_release(&f);
    }
}

static void
sql_error_while_running_is_not_promotable(void **state)
{
    struct fixture f;

    fixture_init(&f, myha_db_mariadb, "0-1-5", NULL);
    f.replica.last_sql_errno = 1205;
    f.replica.last_sql_error = NULL;
    eval(&f, 0);
    expect(&f, false, myha_repl_sql_error,
           "replication SQL thread failed: error 1205: ");
    fixture_release(&f);
}

static void
sql_error_comes_before_errant_and_lag(void **state)
{
    struct fixture f;

    fixture_init(&f, myha_db_mariadb, "0-3-9", "0-1-6");
    f.replica.seconds_behind = 1000;
    f.replica.last_sql_errno = 1146;
    f.replica.last_sql_error = (char *) "Table 't.x' doesn't exist";
    eval(&f, 10);
    expect(&f, false, myha_repl_sql_error,
           "replication SQL thread failed: error 1146: Table 't.x' doesn't "
           "exist");
    fixture_release(&f);
}

static void
errant_mariadb_is_not_promotable(void **state)
{
    struct fixture f;

    // Written here as server 3 after the primary's sequence number 6
    fixture_init(&f, myha_db_mariadb, "0-3-9", "0-1-6");
    eval(&f, 300);
    expect(&f, false, myha_repl_errant,
           "errant transactions not on the primary: 0-3-7..9");
    assert_int_equal(f.health.n_errant, 3);
    fixture_release(&f);

    // A domain the primary never had
    fixture_init(&f, myha_db_mariadb, "0-1-6,7-3-2", "0-1-6");
    eval(&f, 300);
    expect(&f, false, myha_repl_errant,
           "errant transactions not on the primary: 7-3-2");
    assert_int_equal(f.health.n_errant, 2);
    fixture_release(&f);

    // Same sequence number, different server: a different transaction
    fixture_init(&f, myha_db_mariadb, "0-3-6", "0-1-6");
    eval(&f, 300);
    expect(&f, false, myha_repl_errant,
           "errant transactions not on the primary: 0-3-6..6");
    assert_int_equal(f.health.n_errant, 1);
    fixture_release(&f);
}

static void
errant_mysql_is_not_promotable(void **state)
{
    struct fixture f;

    fixture_init(&f, myha_db_mysql, UUID_A ":1-100," UUID_B ":1-3",
                 UUID_A ":1-120");
    eval(&f, 300);
    expect(&f, false, myha_repl_errant,
           "errant transactions not on the primary: " UUID_B ":1-3");
    assert_int_equal(f.health.n_errant, 3);
    fixture_release(&f);

    // A hole: transaction 50 was never on the primary
    fixture_init(&f, myha_db_mysql, UUID_A ":1-100", UUID_A ":1-49:51-120");
    eval(&f, 300);
    expect(&f, false, myha_repl_errant,
           "errant transactions not on the primary: " UUID_A ":50");
    assert_int_equal(f.health.n_errant, 1);
    fixture_release(&f);
}

static void
errant_comes_before_lag(void **state)
{
    struct fixture f;

    fixture_init(&f, myha_db_mysql, UUID_A ":1-100," UUID_B ":1",
                 UUID_A ":1-100");
    f.replica.seconds_behind = 5000;
    eval(&f, 300);
    expect(&f, false, myha_repl_errant,
           "errant transactions not on the primary: " UUID_B ":1");
    fixture_release(&f);
}

static void
behind_primary_is_not_errant(void **state)
{
    for (size_t i = 0; i < N_FLAVOURS; i++) {
        struct fixture f;

        fixture_init(&f, flavours[i].flavour, flavours[i].executed,
                     flavours[i].primary_ahead);
        eval(&f, 0);
        expect(&f, true, myha_repl_ok, NULL);
        fixture_release(&f);
    }
}

static void
primary_of_other_flavour_is_invalid(void **state)
{
    struct fixture f;
    struct myha_repl_health health = { 0 };

    fixture_init(&f, myha_db_mariadb, "0-1-5", NULL);
    f.primary = parse_set(myha_db_mysql, UUID_A ":1-5");
    assert_int_equal(myha_repl_health_eval(&f.state, 0, f.primary, &health),
                     myha_rc_invalid);
    assert_null(health.reason);
    fixture_release(&f);
}

static void
lag_above_max_is_not_promotable(void **state)
{
    for (size_t i = 0; i < N_FLAVOURS; i++) {
        struct fixture f;

        fixture_init(&f, flavours[i].flavour, flavours[i].executed,
                     flavours[i].primary_ahead);
        f.replica.seconds_behind = 412;
        eval(&f, 300);
        expect(&f, false, myha_repl_lagging,
               "replica is 412s behind its primary (max_lag 300s)");
        fixture_release(&f);
    }
}

static void
lag_at_max_is_promotable(void **state)
{
    struct fixture f;

    fixture_init(&f, myha_db_mariadb, "0-1-5", NULL);
    f.replica.seconds_behind = 300;
    eval(&f, 300);
    expect(&f, true, myha_repl_ok, NULL);
    fixture_release(&f);
}

static void
max_lag_zero_disables_lag_check(void **state)
{
    struct fixture f;

    fixture_init(&f, myha_db_mysql, UUID_A ":1-5", NULL);
    f.replica.seconds_behind = 86400;
    eval(&f, 0);
    expect(&f, true, myha_repl_ok, NULL);
    fixture_release(&f);
}

static void
unknown_lag_is_promotable(void **state)
{
    struct fixture f;

    // Seconds_Behind NULL while both threads run (e.g. just started)
    fixture_init(&f, myha_db_mariadb, "0-1-5", NULL);
    f.replica.seconds_behind = -1;
    eval(&f, 300);
    expect(&f, true, myha_repl_ok, NULL);
    fixture_release(&f);
}

static void
sql_stopped_without_error_is_a_warning(void **state)
{
    for (size_t i = 0; i < N_FLAVOURS; i++) {
        struct fixture f;

        /* Lag is NULL then; a stale value must not count either, nor an IO
         * thread problem come first
         */
        fixture_init(&f, flavours[i].flavour, flavours[i].executed, NULL);
        f.replica.sql_running = myha_db_thread_stopped;
        f.replica.io_running = myha_db_thread_stopped;
        f.replica.seconds_behind = 9999;
        eval(&f, 300);
        expect(&f, true, myha_repl_sql_stopped,
               "replication SQL thread stopped");
        fixture_release(&f);
    }
}

static void
io_error_of_dead_primary_is_a_warning(void **state)
{
    for (size_t i = 0; i < N_FLAVOURS; i++) {
        struct fixture f;

        // The primary died: every replica looks like this, and must remain
        // promotable
        fixture_init(&f, flavours[i].flavour, flavours[i].executed,
                     flavours[i].executed);
        f.replica.io_running = myha_db_thread_connecting;
        f.replica.last_io_errno = 2003;
        f.replica.last_io_error =
            (char *) "error reconnecting to master 'repl@node1:3306' - "
                     "retry-time: 60  maximum-retries: 86400  message: Can't "
                     "connect to server on 'node1' (111 \"Connection "
                     "refused\")";
        f.replica.seconds_behind = -1;
        eval(&f, 300);
        expect(&f, true, myha_repl_io_error,
               "replication IO thread not connected to 'node1:3306': error "
               "2003: error reconnecting to master 'repl@node1:3306' - "
               "retry-time: 60  maximum-retries: 86400  message: Can't "
               "connect to server on 'node1' (111 \"Connection refused\")");
        fixture_release(&f);
    }
}

static void
io_connecting_without_error_is_a_warning(void **state)
{
    struct fixture f;

    fixture_init(&f, myha_db_mariadb, "0-1-5", NULL);
    f.replica.io_running = myha_db_thread_connecting;
    eval(&f, 300);
    expect(&f, true, myha_repl_io_disconnected,
           "replication IO thread not connected to 'node1:3306'");
    fixture_release(&f);

    fixture_init(&f, myha_db_mysql, UUID_A ":1-5", NULL);
    f.replica.io_running = myha_db_thread_connecting;
    f.replica.source_host = (char *) "fd00::1";
    eval(&f, 300);
    expect(&f, true, myha_repl_io_disconnected,
           "replication IO thread not connected to '[fd00::1]:3306'");
    fixture_release(&f);
}

static void
io_stopped_without_error_is_a_warning(void **state)
{
    struct fixture f;

    // As left by a drain: IO stopped, SQL running
    fixture_init(&f, myha_db_mariadb, "0-1-5", "0-1-5");
    f.replica.io_running = myha_db_thread_stopped;
    f.replica.seconds_behind = -1;
    eval(&f, 300);
    expect(&f, true, myha_repl_io_disconnected,
           "replication IO thread stopped, source 'node1:3306'");
    fixture_release(&f);
}

static void
health_rejects_bad_arguments(void **state)
{
    struct fixture f;
    struct myha_repl_health health = { 0 };

    fixture_init(&f, myha_db_mariadb, "0-1-5", NULL);
    assert_int_equal(myha_repl_health_eval(NULL, 0, NULL, &health), EINVAL);
    assert_int_equal(myha_repl_health_eval(&f.state, 0, NULL, NULL), EINVAL);
    assert_int_equal(myha_repl_health_eval(&f.state, -1, NULL, &health),
                     EINVAL);
    fixture_release(&f);
    myha_repl_health_release(NULL);
    myha_repl_state_release(NULL);
}

static void
problem_names(void **state)
{
    assert_string_equal(myha_repl_problem_str(myha_repl_ok), "ok");
    assert_string_equal(myha_repl_problem_str(myha_repl_sql_error),
                        "SQL thread error");
    assert_string_equal(myha_repl_problem_str(myha_repl_errant),
                        "errant transactions");
    assert_string_equal(myha_repl_problem_str(myha_repl_io_disconnected),
                        "IO thread not connected");
    assert_string_equal(myha_repl_problem_str((enum myha_repl_problem) 99),
                        "unknown");
}

static void
dialect_mariadb_texts(void **state)
{
    const struct myha_repl_dialect *d = myha_repl_dialect_get(myha_db_mariadb);

    assert_non_null(d);
    assert_int_equal(d->flavour, myha_db_mariadb);
    assert_string_equal(d->state, "SELECT CONCAT(@@GLOBAL.read_only, ' ', "
                                  "@@GLOBAL.gtid_current_pos)");
    assert_string_equal(d->source_gtid, "SELECT @@GLOBAL.gtid_binlog_pos");
    assert_string_equal(d->applied_gtid, "SELECT @@GLOBAL.gtid_slave_pos");
    assert_string_equal(d->io_stop, "STOP SLAVE IO_THREAD");
    assert_string_equal(d->sql_start, "START SLAVE SQL_THREAD");
    assert_string_equal(
        d->own_writes_to_replica_pos,
        "SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_current_pos");
    assert_string_equal(d->lock_wait_reset,
                        "SET SESSION lock_wait_timeout = DEFAULT");
    assert_non_null(strstr(d->writers, "information_schema.INNODB_TRX"));
    assert_non_null(strstr(d->writers, "p.ID <> CONNECTION_ID()"));
    assert_non_null(strstr(d->writers, "'system user'"));
    assert_non_null(strstr(d->writers, "'Slave_SQL'"));
    assert_non_null(strstr(d->writers, "LIMIT 40"));
}

static void
dialect_mysql_texts(void **state)
{
    const struct myha_repl_dialect *d = myha_repl_dialect_get(myha_db_mysql);

    assert_non_null(d);
    assert_int_equal(d->flavour, myha_db_mysql);
    assert_string_equal(d->state, "SELECT CONCAT(@@GLOBAL.super_read_only, "
                                  "' ', @@GLOBAL.gtid_executed)");
    assert_string_equal(d->source_gtid, "SELECT @@GLOBAL.gtid_executed");
    assert_string_equal(d->applied_gtid, "SELECT @@GLOBAL.gtid_executed");
    assert_string_equal(d->io_stop, "STOP REPLICA IO_THREAD");
    assert_string_equal(d->sql_start, "START REPLICA SQL_THREAD");
    assert_null(d->own_writes_to_replica_pos);
    assert_string_equal(d->lock_wait_reset,
                        "SET SESSION lock_wait_timeout = DEFAULT");
    assert_non_null(strstr(d->writers, "'event_scheduler'"));
    assert_non_null(strstr(d->writers, "'Binlog Dump GTID'"));
    assert_null(myha_repl_dialect_get((enum myha_db_flavour) 7));
}

static void
wait_sql_texts(void **state)
{
    char *sql = NULL;

    assert_int_equal(
        myha_repl_wait_sql(myha_db_mariadb, "0-1-5,1-2-7", 2000, &sql), 0);
    assert_string_equal(sql, "SELECT MASTER_GTID_WAIT('0-1-5,1-2-7', 2.000)");
    free(sql);
    assert_int_equal(myha_repl_wait_sql(myha_db_mariadb, "0-1-5", 1500, &sql),
                     0);
    assert_string_equal(sql, "SELECT MASTER_GTID_WAIT('0-1-5', 1.500)");
    free(sql);
    assert_int_equal(myha_repl_wait_sql(myha_db_mariadb, "", 7, &sql), 0);
    assert_string_equal(sql, "SELECT MASTER_GTID_WAIT('', 0.007)");
    free(sql);

    // MySQL: whole seconds, rounded up; newlines of gtid_executed dropped
    assert_int_equal(myha_repl_wait_sql(myha_db_mysql,
                                        UUID_A ":1-5,\n" UUID_B ":tag:1", 1500,
                                        &sql),
                     0);
    assert_string_equal(sql, "SELECT WAIT_FOR_EXECUTED_GTID_SET('" UUID_A
                             ":1-5," UUID_B ":tag:1', 2)");
    free(sql);
    assert_int_equal(myha_repl_wait_sql(myha_db_mysql, UUID_A ":1", 2000, &sql),
                     0);
    assert_string_equal(sql,
                        "SELECT WAIT_FOR_EXECUTED_GTID_SET('" UUID_A ":1', 2)");
    free(sql);
}

static void
wait_sql_rejects_bad_input(void **state)
{
    char *sql = NULL;

    assert_int_equal(
        myha_repl_wait_sql(myha_db_mariadb, "0-1-5'); DROP", 1000, &sql),
        myha_rc_invalid);
    assert_int_equal(myha_repl_wait_sql(myha_db_mariadb, "0-1-5\\", 1000, &sql),
                     myha_rc_invalid);
    assert_int_equal(
        myha_repl_wait_sql((enum myha_db_flavour) 7, "0-1-5", 1000, &sql),
        myha_rc_invalid);
    assert_int_equal(myha_repl_wait_sql(myha_db_mariadb, NULL, 1000, &sql),
                     EINVAL);
    assert_int_equal(myha_repl_wait_sql(myha_db_mariadb, "0-1-5", 0, &sql),
                     EINVAL);
    assert_null(sql);
}

static void
lock_wait_and_kill_texts(void **state)
{
    char *sql = NULL;

    for (size_t i = 0; i < N_FLAVOURS; i++) {
        assert_int_equal(myha_repl_lock_wait_sql(flavours[i].flavour, 1, &sql),
                         0);
        assert_string_equal(sql, "SET SESSION lock_wait_timeout = 1");
        free(sql);
        assert_int_equal(myha_repl_kill_sql(flavours[i].flavour, 42, &sql), 0);
        assert_string_equal(sql, "KILL CONNECTION 42");
        free(sql);
    }
    sql = NULL;
    assert_int_equal(myha_repl_lock_wait_sql(myha_db_mariadb, 0, &sql), EINVAL);
    assert_int_equal(myha_repl_kill_sql(myha_db_mysql, 0, &sql), EINVAL);
    assert_int_equal(myha_repl_kill_sql((enum myha_db_flavour) 7, 5, &sql),
                     myha_rc_invalid);
    assert_int_equal(myha_repl_lock_wait_sql((enum myha_db_flavour) 7, 5, &sql),
                     myha_rc_invalid);
    assert_null(sql);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(healthy_replica_is_promotable),
        cmocka_unit_test(not_configured_is_not_promotable),
        cmocka_unit_test(sql_error_is_not_promotable),
        cmocka_unit_test(sql_error_while_running_is_not_promotable),
        cmocka_unit_test(sql_error_comes_before_errant_and_lag),
        cmocka_unit_test(errant_mariadb_is_not_promotable),
        cmocka_unit_test(errant_mysql_is_not_promotable),
        cmocka_unit_test(errant_comes_before_lag),
        cmocka_unit_test(behind_primary_is_not_errant),
        cmocka_unit_test(primary_of_other_flavour_is_invalid),
        cmocka_unit_test(lag_above_max_is_not_promotable),
        cmocka_unit_test(lag_at_max_is_promotable),
        cmocka_unit_test(max_lag_zero_disables_lag_check),
        cmocka_unit_test(unknown_lag_is_promotable),
        cmocka_unit_test(sql_stopped_without_error_is_a_warning),
        cmocka_unit_test(io_error_of_dead_primary_is_a_warning),
        cmocka_unit_test(io_connecting_without_error_is_a_warning),
        cmocka_unit_test(io_stopped_without_error_is_a_warning),
        cmocka_unit_test(health_rejects_bad_arguments),
        cmocka_unit_test(problem_names),
        cmocka_unit_test(dialect_mariadb_texts),
        cmocka_unit_test(dialect_mysql_texts),
        cmocka_unit_test(wait_sql_texts),
        cmocka_unit_test(wait_sql_rejects_bad_input),
        cmocka_unit_test(lock_wait_and_kill_texts),
    };

    return cmocka_run_group_tests_name("repl", tests, NULL, NULL);
}
