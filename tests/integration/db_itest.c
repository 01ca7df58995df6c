/*
 * Integration tests of lib/db.c against real MariaDB servers, started by
 * db.test: server 1 is a primary, server 2 replicates from it.  Tests run
 * in order and leave that topology in place.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <myha/db.h>
#include <myha/rc.h>
#include <myha/str.h>

#include "itest_common.h"

//! What db.test tells about the servers
static struct {
    const char *socket[3]; //!< [1], [2]
    unsigned int port[3];  //!< [1], [2]
    const char *cnf;       //!< Option file: admin user and password
    char *repl_password;   //!< From the replication option file
    char *tmpdir;          //!< Scratch directory
} env;

static struct myha_db *
connect_to(int server, bool tcp)
{
    struct myha_db_opts opts = {
        .option_file = env.cnf,
        .connect_timeout = 5,
        .read_timeout = 30,
        .write_timeout = 30,
    };
    struct myha_db *db = NULL;
    char *reason = NULL;
    int rc = 0;

    if (tcp) {
        opts.host = "127.0.0.1";
        opts.port = env.port[server];
    } else {
        opts.socket = env.socket[server];
    }
    rc = myha_db_connect(&opts, &db, &reason);
    if (rc != 0) {
        fail_msg("connect to server %d: %s: %s", server, myha_rc_str(rc),
                 (reason == NULL) ? "(no reason)" : reason);
    }
    assert_null(reason);
    return db;
}

static void
assert_ok(struct myha_db *db, int rc)
{
    if (rc != 0) {
        fail_msg("%s: %s", myha_rc_str(rc), myha_db_error(db));
    }
}

static struct myha_db_replica_status *
status_of(struct myha_db *db)
{
    struct myha_db_replica_status *status = NULL;

    assert_ok(db, myha_db_replica_status_get(db, &status));
    assert_non_null(status);
    return status;
}

// Wait until both replication threads run (IO may be "Connecting" first)
static void
wait_replica_running(struct myha_db *db)
{
    double deadline = itest_now() + 30;

    for (;;) {
        struct myha_db_replica_status *s = status_of(db);
        bool running = s->configured
                       && (s->io_running == myha_db_thread_running)
                       && (s->sql_running == myha_db_thread_running);

        if (running) {
            myha_db_replica_status_free(s);
            return;
        }
        if (itest_now() > deadline) {
            fail_msg("replica not running: IO %d SQL %d, IO error %lld '%s', "
                     "SQL error %lld '%s'",
                     s->io_running, s->sql_running, s->last_io_errno,
                     (s->last_io_error == NULL) ? "" : s->last_io_error,
                     s->last_sql_errno,
                     (s->last_sql_error == NULL) ? "" : s->last_sql_error);
        }
        myha_db_replica_status_free(s);
        usleep(100 * 1000);
    }
}

// Connect with an option file holding these lines; returns the rc
static int
connect_with_cnf(const char *content, char **ret_reason)
{
    char *path = myha_str_printf("%s/bad.cnf", env.tmpdir);
    struct myha_db_opts opts = { .socket = env.socket[1] };
    struct myha_db *db = NULL;
    FILE *fp = NULL;
    int rc = 0;

    assert_non_null(path);
    fp = fopen(path, "we");
    assert_non_null(fp);
    fputs(content, fp);
    fclose(fp);
    opts.option_file = path;
    rc = myha_db_connect(&opts, &db, ret_reason);
    myha_db_free(db);
    unlink(path);
    free(path);
    return rc;
}

static void
detects_flavour_and_version(void **state)
{
    struct myha_db *db = connect_to(1, false);
    const struct myha_db_version *v = myha_db_version_get(db);
    char *version = NULL;
    struct myha_db_version parsed;

    assert_int_equal(v->flavour, myha_db_mariadb);
    assert_true(myha_is_db_version_supported(v));
    // Agrees with what the server says in SQL
    assert_ok(db, myha_db_query_value(db, "SELECT @@version", &version));
    assert_int_equal(myha_db_version_parse(version, NULL, &parsed), 0);
    assert_int_equal(parsed.flavour, myha_db_mariadb);
    assert_int_equal(parsed.major, v->major);
    assert_int_equal(parsed.minor, v->minor);
    assert_int_equal(parsed.patch, v->patch);
    print_message("# server %s\n", version);
    free(version);
    myha_db_free(db);
}

static void
server_id_over_socket_and_tcp(void **state)
{
    for (int server = 1; server <= 2; server++) {
        for (int tcp = 0; tcp <= 1; tcp++) {
            struct myha_db *db = connect_to(server, tcp);
            long long id = 0;

            assert_ok(db, myha_db_server_id_get(db, &id));
            assert_int_equal(id, server);
            myha_db_free(db);
        }
    }
}

static void
wrong_socket_is_connect_error(void **state)
{
    struct myha_db_opts opts = {
        .socket = "/nonexistent/x.sock",
        .option_file = env.cnf,
    };
    struct myha_db *db = NULL;
    char *reason = NULL;

    assert_int_equal(myha_db_connect(&opts, &db, &reason), myha_rc_db_connect);
    assert_null(db);
    assert_non_null(reason);
    assert_string_equal(reason, "cannot connect to '/nonexistent/x.sock': "
                                "Can't connect to local server through socket "
                                "'/nonexistent/x.sock' (2)");
    free(reason);
}

static void
refused_tcp_is_connect_error(void **state)
{
    struct myha_db_opts opts = {
        .host = "127.0.0.1",
        .port = 1,
        .option_file = env.cnf,
        .connect_timeout = 2,
    };
    struct myha_db *db = NULL;
    char *reason = NULL;

    assert_int_equal(myha_db_connect(&opts, &db, &reason), myha_rc_db_connect);
    assert_non_null(reason);
    print_message("# %s\n", reason);
    assert_true(strncmp(reason, "cannot connect to '127.0.0.1:1': ", 33) == 0);
    assert_non_null(strstr(reason, "127.0.0.1"));
    free(reason);
}

static void
bad_password_is_auth_error(void **state)
{
    char *reason = NULL;

    assert_int_equal(
        connect_with_cnf("[client]\nuser=myha\npassword=wrong\n", &reason),
        myha_rc_db_auth);
    assert_non_null(reason);
    print_message("# %s\n", reason);
    assert_non_null(strstr(reason, "Access denied for user 'myha'@'localhost' "
                                   "(using password: YES)"));
    assert_null(strstr(reason, "wrong"));
    free(reason);

    assert_int_equal(connect_with_cnf("[client]\nuser=nobody\n", &reason),
                     myha_rc_db_auth);
    free(reason);
}

static void
missing_option_file(void **state)
{
    struct myha_db_opts opts = {
        .socket = env.socket[1],
        .option_file = "/nonexistent/my.cnf",
    };
    struct myha_db *db = NULL;
    char *reason = NULL;

    assert_int_equal(myha_db_connect(&opts, &db, &reason), ENOENT);
    assert_string_equal(reason, "cannot read option file '/nonexistent/my.cnf':"
                                " No such file or directory");
    free(reason);
}

// Connector/C reads MYSQL_PWD when there is no password elsewhere
static void
password_from_environment(void **state)
{
    struct myha_db_opts opts = { .socket = env.socket[1], .user = "myha" };
    struct myha_db *db = NULL;
    char *reason = NULL;
    char *password = itest_cnf_password(env.cnf);

    assert_non_null(password);

    assert_int_equal(setenv("MYSQL_PWD", "wrong", 1), 0);
    assert_int_equal(myha_db_connect(&opts, &db, &reason), myha_rc_db_auth);
    free(reason);
    reason = NULL;

    assert_int_equal(setenv("MYSQL_PWD", password, 1), 0);
    assert_int_equal(myha_db_connect(&opts, &db, &reason), 0);
    assert_null(reason);
    myha_db_free(db);
    unsetenv("MYSQL_PWD");
    free(password);
}

static void
read_only_on_off(void **state)
{
    for (int server = 1; server <= 2; server++) {
        struct myha_db *db = connect_to(server, false);
        bool ro = false;

        assert_ok(db, myha_db_read_only_set(db, true));
        assert_ok(db, myha_db_read_only_get(db, &ro));
        assert_true(ro);
        assert_ok(db, myha_db_read_only_set(db, false));
        assert_ok(db, myha_db_read_only_get(db, &ro));
        assert_false(ro);
        // Leave the replica read-only, the primary writable
        assert_ok(db, myha_db_read_only_set(db, server == 2));
        assert_ok(db, myha_db_read_only_get(db, &ro));
        assert_true(ro == (server == 2));
        myha_db_free(db);
    }
}

static void
primary_is_not_a_replica(void **state)
{
    struct myha_db *db = connect_to(1, false);
    struct myha_db_replica_status *s = status_of(db);

    assert_false(s->configured);
    myha_db_replica_status_free(s);

    // Starting replication where none is configured fails with the reason
    assert_int_equal(myha_db_replica_start(db), myha_rc_db_query);
    print_message("# %s\n", myha_db_error(db));
    assert_non_null(strstr(myha_db_error(db), "cannot start replica on '"));
    assert_int_not_equal(myha_db_errno(db), 0);
    myha_db_free(db);
}

static void
replica_status_shows_source(void **state)
{
    struct myha_db *db = connect_to(2, false);
    struct myha_db_replica_status *s = NULL;

    wait_replica_running(db);
    s = status_of(db);
    assert_true(s->configured);
    assert_string_equal(s->source_host, "127.0.0.1");
    assert_int_equal(s->source_port, env.port[1]);
    assert_string_equal(s->source_user, "repl");
    assert_int_equal(s->source_server_id, 1);
    assert_string_equal(s->using_gtid, "Slave_Pos");
    assert_int_equal(s->last_io_errno, 0);
    assert_int_equal(s->last_sql_errno, 0);
    assert_true(s->seconds_behind >= 0);
    assert_non_null(s->gtid_io_pos);
    assert_null(s->executed_gtid_set); // MySQL only
    myha_db_replica_status_free(s);
    myha_db_free(db);
}

static void
replica_stop_start(void **state)
{
    struct myha_db *db = connect_to(2, false);
    struct myha_db_replica_status *s = NULL;

    assert_ok(db, myha_db_replica_stop(db));
    s = status_of(db);
    assert_true(s->configured);
    assert_int_equal(s->io_running, myha_db_thread_stopped);
    assert_int_equal(s->sql_running, myha_db_thread_stopped);
    myha_db_replica_status_free(s);

    assert_ok(db, myha_db_replica_start(db));
    wait_replica_running(db);
    myha_db_free(db);
}

static void
replica_reset_and_point_at_source(void **state)
{
    struct myha_db *db = connect_to(2, false);
    struct myha_db_replica_status *s = NULL;
    struct myha_db_source source = {
        .host = "127.0.0.1",
        .port = env.port[1],
        .user = "repl",
        .password = env.repl_password,
    };

    assert_ok(db, myha_db_replica_stop(db));
    assert_ok(db, myha_db_replica_reset(db));
    s = status_of(db);
    assert_false(s->configured);
    myha_db_replica_status_free(s);

    assert_ok(db, myha_db_replica_set_source(db, &source));
    s = status_of(db);
    assert_true(s->configured);
    assert_int_equal(s->io_running, myha_db_thread_stopped);
    assert_string_equal(s->source_host, "127.0.0.1");
    assert_int_equal(s->source_port, env.port[1]);
    assert_string_equal(s->using_gtid, "Slave_Pos");
    myha_db_replica_status_free(s);

    assert_ok(db, myha_db_replica_start(db));
    wait_replica_running(db);
    myha_db_free(db);
}

static void
point_at_source_rejects_incomplete(void **state)
{
    struct myha_db *db = connect_to(2, false);
    struct myha_db_source source = {
        .host = "",
        .port = 1,
        .user = "repl",
        .password = "",
    };

    assert_int_equal(myha_db_replica_set_source(db, &source), myha_rc_invalid);
    assert_non_null(strstr(myha_db_error(db), "incomplete source"));
    myha_db_free(db);
}

// A password full of quotes and backslashes reaches the server intact
static void
point_at_source_escapes_password(void **state)
{
    static const char *password = "it's \\ a \"test\"\\";
    struct myha_db *primary = connect_to(1, false);
    struct myha_db *replica = connect_to(2, false);
    struct myha_db_source source = {
        .host = "127.0.0.1",
        .port = env.port[1],
        .user = "repl2",
        .password = password,
    };
    char *quoted = NULL;
    char *sql = NULL;

    assert_int_equal(myha_db_quote(password, false, &quoted), 0);
    sql = myha_str_printf("CREATE OR REPLACE USER 'repl2'@'127.0.0.1' "
                          "IDENTIFIED BY %s",
                          quoted);
    assert_non_null(sql);
    assert_ok(primary, myha_db_exec(primary, "SET SESSION sql_log_bin = 0"));
    assert_ok(primary, myha_db_exec(primary, sql));
    assert_ok(primary, myha_db_exec(primary, "GRANT REPLICATION SLAVE ON *.* "
                                             "TO 'repl2'@'127.0.0.1'"));

    assert_ok(replica, myha_db_replica_stop(replica));
    assert_ok(replica, myha_db_replica_set_source(replica, &source));
    assert_ok(replica, myha_db_replica_start(replica));
    wait_replica_running(replica);

    // Back to the harness's account
    source.user = "repl";
    source.password = env.repl_password;
    assert_ok(replica, myha_db_replica_stop(replica));
    assert_ok(replica, myha_db_replica_set_source(replica, &source));
    assert_ok(replica, myha_db_replica_start(replica));
    wait_replica_running(replica);
    free(sql);
    free(quoted);
    myha_db_free(replica);
    myha_db_free(primary);
}

static void
gtid_executed_advances(void **state)
{
    struct myha_db *primary = connect_to(1, false);
    struct myha_db *replica = connect_to(2, true);
    char *before = NULL;
    char *after = NULL;
    double deadline = itest_now() + 30;

    assert_ok(primary, myha_db_gtid_executed_get(primary, &before));
    assert_ok(primary,
              myha_db_exec(primary, "CREATE DATABASE IF NOT EXISTS itest"));
    assert_ok(primary,
              myha_db_exec(primary, "CREATE TABLE IF NOT EXISTS itest.t "
                                    "(id INT PRIMARY KEY AUTO_INCREMENT)"));
    assert_ok(primary, myha_db_exec(primary, "INSERT INTO itest.t VALUES ()"));
    assert_ok(primary, myha_db_gtid_executed_get(primary, &after));
    print_message("# primary GTID '%s' -> '%s'\n", before, after);
    assert_string_not_equal(before, after);
    assert_true(strncmp(after, "0-1-", 4) == 0);

    for (;;) {
        char *replica_gtid = NULL;
        bool same = false;

        assert_ok(replica, myha_db_gtid_executed_get(replica, &replica_gtid));
        same = (strcmp(replica_gtid, after) == 0);
        free(replica_gtid);
        if (same) {
            break;
        }
        if (itest_now() > deadline) {
            fail_msg("replica did not reach '%s'", after);
        }
        usleep(50 * 1000);
    }
    free(before);
    free(after);
    myha_db_free(replica);
    myha_db_free(primary);
}

static void
query_errors_carry_server_text(void **state)
{
    struct myha_db *db = connect_to(1, false);
    char *value = (char *) "untouched";

    assert_int_equal(myha_db_exec(db, "SELEC 1"), myha_rc_db_query);
    assert_int_equal(myha_db_errno(db), 1064);
    assert_non_null(strstr(myha_db_error(db), "You have an error in your SQL "
                                              "syntax"));
    assert_int_equal(
        myha_db_query_value(db, "SELECT 1 FROM DUAL WHERE 0", &value),
        myha_rc_db_query);
    assert_non_null(strstr(myha_db_error(db), "no row returned"));
    assert_string_equal(value, "untouched");

    assert_ok(db, myha_db_query_value(db, "SELECT NULL", &value));
    assert_null(value);
    // A statement that returns rows is fine for exec
    assert_ok(db, myha_db_exec(db, "SELECT 1"));
    myha_db_free(db);
}

static void
read_timeout_bounds_a_query(void **state)
{
    struct myha_db_opts opts = {
        .socket = env.socket[1],
        .option_file = env.cnf,
        .read_timeout = 1,
    };
    struct myha_db *db = NULL;
    char *reason = NULL;
    double start = 0;
    int rc = 0;

    assert_int_equal(myha_db_connect(&opts, &db, &reason), 0);
    start = itest_now();
    rc = myha_db_exec(db, "SELECT SLEEP(10)");
    print_message("# after %.1fs: %s\n", itest_now() - start,
                  myha_db_error(db));
    assert_int_equal(rc, myha_rc_db_connect);
    assert_true(itest_now() - start < 9);
    myha_db_free(db);
}

static int
setup_env(void **state)
{
    static const char *vars[] = {
        "MYHA_ITEST_SOCKET1", "MYHA_ITEST_PORT1", "MYHA_ITEST_SOCKET2",
        "MYHA_ITEST_PORT2",   "MYHA_ITEST_CNF",   "MYHA_ITEST_REPL_CNF",
        "MYHA_ITEST_TMPDIR",
    };
    long long port = 0;

    for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
        if (getenv(vars[i]) == NULL) {
            fprintf(stderr, "%s is not set: run db.test\n", vars[i]);
            return -1;
        }
    }
    env.socket[1] = getenv("MYHA_ITEST_SOCKET1");
    env.socket[2] = getenv("MYHA_ITEST_SOCKET2");
    if ((myha_str_to_ll(getenv("MYHA_ITEST_PORT1"), &port) != 0) || (port <= 0)
        || (port > 65535)) {
        return -1;
    }
    env.port[1] = (unsigned int) port;
    if ((myha_str_to_ll(getenv("MYHA_ITEST_PORT2"), &port) != 0) || (port <= 0)
        || (port > 65535)) {
        return -1;
    }
    env.port[2] = (unsigned int) port;
    env.cnf = getenv("MYHA_ITEST_CNF");
    env.repl_password = itest_cnf_password(getenv("MYHA_ITEST_REPL_CNF"));
    env.tmpdir = strdup(getenv("MYHA_ITEST_TMPDIR"));
    if ((env.repl_password == NULL) || (env.tmpdir == NULL)) {
        return -1;
    }
    return 0;
}

static int
teardown_env(void **state)
{
    free(env.repl_password);
    free(env.tmpdir);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(detects_flavour_and_version),
        cmocka_unit_test(server_id_over_socket_and_tcp),
        cmocka_unit_test(wrong_socket_is_connect_error),
        cmocka_unit_test(refused_tcp_is_connect_error),
        cmocka_unit_test(bad_password_is_auth_error),
        cmocka_unit_test(missing_option_file),
        cmocka_unit_test(password_from_environment),
        cmocka_unit_test(read_only_on_off),
        cmocka_unit_test(primary_is_not_a_replica),
        cmocka_unit_test(replica_status_shows_source),
        cmocka_unit_test(replica_stop_start),
        cmocka_unit_test(replica_reset_and_point_at_source),
        cmocka_unit_test(point_at_source_rejects_incomplete),
        cmocka_unit_test(point_at_source_escapes_password),
        cmocka_unit_test(gtid_executed_advances),
        cmocka_unit_test(query_errors_carry_server_text),
        cmocka_unit_test(read_timeout_bounds_a_query),
    };

    return cmocka_run_group_tests_name("db_itest", tests, setup_env,
                                       teardown_env);
}
