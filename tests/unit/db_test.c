/*
 * Unit tests of lib/db.c that need no server: statement texts of both
 * dialects, quoting, version parsing, and replica status parsing.
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
#include <mysql.h>

#include <myha/db.h>
#include <myha/rc.h>

#define N_ELEMENTS(a) (sizeof(a) / sizeof((a)[0]))

static const struct myha_db_source test_source = {
    .host = "10.0.0.2",
    .port = 3306,
    .user = "repl",
    .password = "s3cret",
};

static void
dialect_mariadb_texts(void **state)
{
    const struct myha_db_dialect *d = myha_db_dialect_get(myha_db_mariadb);

    assert_non_null(d);
    assert_int_equal(d->flavour, myha_db_mariadb);
    assert_string_equal(d->name, "MariaDB");
    assert_string_equal(d->replica_status, "SHOW SLAVE STATUS");
    assert_string_equal(d->replica_start, "START SLAVE");
    assert_string_equal(d->replica_stop, "STOP SLAVE");
    assert_string_equal(d->replica_reset, "RESET SLAVE ALL");
    assert_string_equal(d->read_only_on[0], "SET GLOBAL read_only = ON");
    assert_null(d->read_only_on[1]);
    assert_string_equal(d->read_only_off[0], "SET GLOBAL read_only = OFF");
    assert_null(d->read_only_off[1]);
    assert_string_equal(d->read_only_get, "SELECT @@GLOBAL.read_only");
    assert_string_equal(d->gtid_executed, "SELECT @@GLOBAL.gtid_current_pos");
    assert_string_equal(d->server_id, "SELECT @@GLOBAL.server_id");
}

static void
dialect_mysql_texts(void **state)
{
    const struct myha_db_dialect *d = myha_db_dialect_get(myha_db_mysql);

    assert_non_null(d);
    assert_int_equal(d->flavour, myha_db_mysql);
    assert_string_equal(d->name, "MySQL");
    assert_string_equal(d->replica_status, "SHOW REPLICA STATUS");
    assert_string_equal(d->replica_start, "START REPLICA");
    assert_string_equal(d->replica_stop, "STOP REPLICA");
    assert_string_equal(d->replica_reset, "RESET REPLICA ALL");
    assert_string_equal(d->read_only_on[0], "SET GLOBAL super_read_only = ON");
    assert_null(d->read_only_on[1]);
    // super_read_only first: read_only=OFF would fail while it is ON
    assert_string_equal(d->read_only_off[0],
                        "SET GLOBAL super_read_only = OFF");
    assert_string_equal(d->read_only_off[1], "SET GLOBAL read_only = OFF");
    assert_null(d->read_only_off[2]);
    assert_string_equal(d->read_only_get, "SELECT @@GLOBAL.super_read_only");
    assert_string_equal(d->gtid_executed, "SELECT @@GLOBAL.gtid_executed");
    assert_string_equal(d->server_id, "SELECT @@GLOBAL.server_id");
}

static void
dialect_invalid(void **state)
{
    assert_null(myha_db_dialect_get((enum myha_db_flavour) 2));
    assert_null(myha_db_dialect_get((enum myha_db_flavour) - 1));
}

static void
change_source_mariadb(void **state)
{
    char *sql = NULL;

    assert_int_equal(
        myha_db_change_source_sql(myha_db_mariadb, &test_source, false, &sql),
        0);
    assert_string_equal(sql, "CHANGE MASTER TO MASTER_HOST='10.0.0.2', "
                             "MASTER_PORT=3306, MASTER_USER='repl', "
                             "MASTER_PASSWORD='s3cret', "
                             "MASTER_USE_GTID=slave_pos");
    free(sql);
}

static void
change_source_mysql(void **state)
{
    char *sql = NULL;

    assert_int_equal(
        myha_db_change_source_sql(myha_db_mysql, &test_source, false, &sql), 0);
    assert_string_equal(sql, "CHANGE REPLICATION SOURCE TO "
                             "SOURCE_HOST='10.0.0.2', SOURCE_PORT=3306, "
                             "SOURCE_USER='repl', SOURCE_PASSWORD='s3cret', "
                             "SOURCE_AUTO_POSITION=1");
    free(sql);
}

static void
change_source_escapes_values(void **state)
{
    const struct myha_db_source source = {
        .host = "node'1",
        .port = 65535,
        .user = "re\\pl",
        .password = "it's \"x\"\n\\';DROP",
    };
    char *sql = NULL;

    assert_int_equal(
        myha_db_change_source_sql(myha_db_mariadb, &source, false, &sql), 0);
    assert_string_equal(sql, "CHANGE MASTER TO MASTER_HOST='node\\'1', "
                             "MASTER_PORT=65535, MASTER_USER='re\\\\pl', "
                             "MASTER_PASSWORD='it\\'s \\\"x\\\"\\n\\\\\\';"
                             "DROP', MASTER_USE_GTID=slave_pos");
    free(sql);

    assert_int_equal(
        myha_db_change_source_sql(myha_db_mysql, &source, true, &sql), 0);
    assert_string_equal(sql, "CHANGE REPLICATION SOURCE TO "
                             "SOURCE_HOST='node''1', SOURCE_PORT=65535, "
                             "SOURCE_USER='re\\pl', "
                             "SOURCE_PASSWORD='it''s \"x\"\n\\'';DROP', "
                             "SOURCE_AUTO_POSITION=1");
    free(sql);
}

static void
change_source_empty_password(void **state)
{
    struct myha_db_source source = test_source;
    char *sql = NULL;

    source.password = "";
    assert_int_equal(
        myha_db_change_source_sql(myha_db_mariadb, &source, false, &sql), 0);
    assert_non_null(strstr(sql, "MASTER_PASSWORD='', "));
    free(sql);
}

static void
change_source_invalid(void **state)
{
    char *sql = (char *) "untouched";
    struct myha_db_source source;

    source = test_source;
    source.host = NULL;
    assert_int_equal(
        myha_db_change_source_sql(myha_db_mariadb, &source, false, &sql),
        myha_rc_invalid);
    source.host = "";
    assert_int_equal(
        myha_db_change_source_sql(myha_db_mariadb, &source, false, &sql),
        myha_rc_invalid);
    source = test_source;
    source.port = 0;
    assert_int_equal(
        myha_db_change_source_sql(myha_db_mysql, &source, false, &sql),
        myha_rc_invalid);
    source.port = 65536;
    assert_int_equal(
        myha_db_change_source_sql(myha_db_mysql, &source, false, &sql),
        myha_rc_invalid);
    source = test_source;
    source.user = "";
    assert_int_equal(
        myha_db_change_source_sql(myha_db_mysql, &source, false, &sql),
        myha_rc_invalid);
    source = test_source;
    source.password = NULL;
    assert_int_equal(
        myha_db_change_source_sql(myha_db_mysql, &source, false, &sql),
        myha_rc_invalid);
    assert_int_equal(myha_db_change_source_sql((enum myha_db_flavour) 7,
                                               &test_source, false, &sql),
                     myha_rc_invalid);
    assert_int_equal(
        myha_db_change_source_sql(myha_db_mysql, NULL, false, &sql),
        myha_rc_invalid);
    assert_string_equal(sql, "untouched");
}

static void
quote_table(void **state)
{
    static const struct {
        const char *in;
        const char *backslash;
        const char *no_backslash;
    } cases[] = {
        { "", "''", "''" },
        { "plain", "'plain'", "'plain'" },
        { "it's", "'it\\'s'", "'it''s'" },
        { "''", "'\\'\\''", "''''''" },
        { "a\\b", "'a\\\\b'", "'a\\b'" },
        { "trailing\\", "'trailing\\\\'", "'trailing\\'" },
        { "\\'", "'\\\\\\''", "'\\'''" },
        { "say \"hi\"", "'say \\\"hi\\\"'", "'say \"hi\"'" },
        { "l1\nl2\r", "'l1\\nl2\\r'", "'l1\nl2\r'" },
        { "ctrl\032z", "'ctrl\\Zz'", "'ctrl\032z'" },
        { "h\xc3\xa9llo \xe2\x82\xac", "'h\xc3\xa9llo \xe2\x82\xac'",
          "'h\xc3\xa9llo \xe2\x82\xac'" },
        { "%s%n", "'%s%n'", "'%s%n'" },
    };

    for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
        char *quoted = NULL;

        assert_int_equal(myha_db_quote(cases[i].in, false, &quoted), 0);
        assert_string_equal(quoted, cases[i].backslash);
        free(quoted);
        assert_int_equal(myha_db_quote(cases[i].in, true, &quoted), 0);
        assert_string_equal(quoted, cases[i].no_backslash);
        free(quoted);
    }
}

// Every byte is escaped exactly as Connector/C's own escaping does it
static void
quote_matches_connector(void **state)
{
    char in[4] = { 'a', 0, 'b', '\0' };
    char expected[16];

    for (int c = 1; c < 256; c++) {
        char *quoted = NULL;
        unsigned long len = 0;

        in[1] = (char) c;
        expected[0] = '\'';
        len = mysql_escape_string(expected + 1, in, 3);
        expected[1 + len] = '\'';
        expected[2 + len] = '\0';
        assert_int_equal(myha_db_quote(in, false, &quoted), 0);
        assert_string_equal(quoted, expected);
        free(quoted);
    }
}

static void
quote_invalid(void **state)
{
    char *quoted = (char *) "untouched";

    assert_int_equal(myha_db_quote(NULL, false, &quoted), EINVAL);
    assert_int_equal(myha_db_quote("x", false, NULL), EINVAL);
    assert_string_equal(quoted, "untouched");
}

static void
version_parse_table(void **state)
{
    static const struct {
        const char *version;
        const char *comment;
        enum myha_db_flavour flavour;
        unsigned int major, minor, patch;
        bool supported;
    } cases[] = {
        { "10.11.6-MariaDB-0+deb12u1-log", NULL, myha_db_mariadb, 10, 11, 6,
          true },
        { "10.11.6-MariaDB-0+deb12u1-log", "Debian 12", myha_db_mariadb, 10, 11,
          6, true },
        { "5.5.5-10.11.6-MariaDB", NULL, myha_db_mariadb, 10, 11, 6, true },
        { "5.5.5-10.2.44-MariaDB-log", NULL, myha_db_mariadb, 10, 2, 44,
          false },
        { "10.3.39-MariaDB", NULL, myha_db_mariadb, 10, 3, 39, true },
        { "11.4.2-MariaDB-ubu2404", NULL, myha_db_mariadb, 11, 4, 2, true },
        { "10.6.16", "mariadb.org binary distribution", myha_db_mariadb, 10, 6,
          16, true },
        { "8.0.36", "MySQL Community Server - GPL", myha_db_mysql, 8, 0, 36,
          true },
        { "8.0.36", NULL, myha_db_mysql, 8, 0, 36, true },
        { "8.4.0", NULL, myha_db_mysql, 8, 4, 0, true },
        { "8.4.0-log", NULL, myha_db_mysql, 8, 4, 0, true },
        { "9.1.0", NULL, myha_db_mysql, 9, 1, 0, true },
        { "8.0.36-28", "Percona Server (GPL), Release 28", myha_db_mysql, 8, 0,
          36, true },
        { "8.0.23", NULL, myha_db_mysql, 8, 0, 23, true },
        // 8.0.22 has SHOW REPLICA STATUS but not CHANGE REPLICATION SOURCE
        { "8.0.22", NULL, myha_db_mysql, 8, 0, 22, false },
        { "8.0.21", NULL, myha_db_mysql, 8, 0, 21, false },
        { "5.7.44-log", NULL, myha_db_mysql, 5, 7, 44, false },
        { "7.1", NULL, myha_db_mysql, 7, 1, 0, false },
        { "5.5.5-8.0.36", NULL, myha_db_mysql, 5, 5, 5, false },
    };

    for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
        struct myha_db_version v = { myha_db_mysql, 0, 0, 0 };

        assert_int_equal(
            myha_db_version_parse(cases[i].version, cases[i].comment, &v), 0);
        assert_int_equal(v.flavour, cases[i].flavour);
        assert_int_equal(v.major, cases[i].major);
        assert_int_equal(v.minor, cases[i].minor);
        assert_int_equal(v.patch, cases[i].patch);
        assert_int_equal(myha_is_db_version_supported(&v), cases[i].supported);
    }
}

static void
version_parse_invalid(void **state)
{
    static const char *const bad[] = {
        "",
        "MariaDB",
        "10",
        "10.",
        "10.x",
        "x.1.2",
        "-8.0.36",
        " 8.0.36",
        "+8.0.36",
        "8..1",
        "8.0.",
        "99999999999.0.1",
        "5.5.5-MariaDB",
    };
    struct myha_db_version v = { myha_db_mariadb, 1, 2, 3 };

    for (size_t i = 0; i < N_ELEMENTS(bad); i++) {
        assert_int_equal(myha_db_version_parse(bad[i], NULL, &v),
                         myha_rc_parse);
    }
    assert_int_equal(myha_db_version_parse(NULL, NULL, &v), myha_rc_parse);
    assert_int_equal(v.flavour, myha_db_mariadb);
    assert_int_equal(v.major, 1);
    assert_int_equal(v.minor, 2);
    assert_int_equal(v.patch, 3);
    assert_false(myha_is_db_version_supported(NULL));
}

// SHOW SLAVE STATUS of MariaDB 10.11, every column, as a replica shows it
static const char *const mariadb_names[] = {
    "Slave_IO_State",
    "Master_Host",
    "Master_User",
    "Master_Port",
    "Connect_Retry",
    "Master_Log_File",
    "Read_Master_Log_Pos",
    "Relay_Log_File",
    "Relay_Log_Pos",
    "Relay_Master_Log_File",
    "Slave_IO_Running",
    "Slave_SQL_Running",
    "Replicate_Do_DB",
    "Replicate_Ignore_DB",
    "Replicate_Do_Table",
    "Replicate_Ignore_Table",
    "Replicate_Wild_Do_Table",
    "Replicate_Wild_Ignore_Table",
    "Last_Errno",
    "Last_Error",
    "Skip_Counter",
    "Exec_Master_Log_Pos",
    "Relay_Log_Space",
    "Until_Condition",
    "Until_Log_File",
    "Until_Log_Pos",
    "Master_SSL_Allowed",
    "Master_SSL_CA_File",
    "Master_SSL_CA_Path",
    "Master_SSL_Cert",
    "Master_SSL_Cipher",
    "Master_SSL_Key",
    "Seconds_Behind_Master",
    "Master_SSL_Verify_Server_Cert",
    "Last_IO_Errno",
    "Last_IO_Error",
    "Last_SQL_Errno",
    "Last_SQL_Error",
    "Replicate_Ignore_Server_Ids",
    "Master_Server_Id",
    "Master_SSL_Crl",
    "Master_SSL_Crlpath",
    "Using_Gtid",
    "Gtid_IO_Pos",
    "Replicate_Do_Domain_Ids",
    "Replicate_Ignore_Domain_Ids",
    "Parallel_Mode",
    "SQL_Delay",
    "SQL_Remaining_Delay",
    "Slave_SQL_Running_State",
    "Slave_DDL_Groups",
    "Slave_Non_Transactional_Groups",
    "Slave_Transactional_Groups",
    "Replicate_Rewrite_DB",
};

static const char *const mariadb_values[] = {
    "Waiting for master to send event",
    "127.0.0.1",
    "repl",
    "27474",
    "60",
    "binlog.000001",
    "1234",
    "relay.000002",
    "621",
    "binlog.000001",
    "Yes",
    "Yes",
    "",
    "",
    "",
    "",
    "",
    "",
    "0",
    "",
    "0",
    "1200",
    "920",
    "None",
    "",
    "0",
    "No",
    "",
    "",
    "",
    "",
    "",
    "3",
    "No",
    "0",
    "",
    "0",
    "",
    "",
    "1",
    "",
    "",
    "Slave_Pos",
    "0-1-3",
    "",
    "",
    "optimistic",
    "0",
    NULL,
    "Slave has read all relay log; waiting for more updates",
    "0",
    "0",
    "3",
    "",
};

// SHOW REPLICA STATUS of MySQL 8.0.22+/8.4, every column
static const char *const mysql_names[] = {
    "Replica_IO_State",
    "Source_Host",
    "Source_User",
    "Source_Port",
    "Connect_Retry",
    "Source_Log_File",
    "Read_Source_Log_Pos",
    "Relay_Log_File",
    "Relay_Log_Pos",
    "Relay_Source_Log_File",
    "Replica_IO_Running",
    "Replica_SQL_Running",
    "Replicate_Do_DB",
    "Replicate_Ignore_DB",
    "Replicate_Do_Table",
    "Replicate_Ignore_Table",
    "Replicate_Wild_Do_Table",
    "Replicate_Wild_Ignore_Table",
    "Last_Errno",
    "Last_Error",
    "Skip_Counter",
    "Exec_Source_Log_Pos",
    "Relay_Log_Space",
    "Until_Condition",
    "Until_Log_File",
    "Until_Log_Pos",
    "Source_SSL_Allowed",
    "Source_SSL_CA_File",
    "Source_SSL_CA_Path",
    "Source_SSL_Cert",
    "Source_SSL_Cipher",
    "Source_SSL_Key",
    "Seconds_Behind_Source",
    "Source_SSL_Verify_Server_Cert",
    "Last_IO_Errno",
    "Last_IO_Error",
    "Last_SQL_Errno",
    "Last_SQL_Error",
    "Replicate_Ignore_Server_Ids",
    "Source_Server_Id",
    "Source_UUID",
    "Source_Info_File",
    "SQL_Delay",
    "SQL_Remaining_Delay",
    "Replica_SQL_Running_State",
    "Source_Retry_Count",
    "Source_Bind",
    "Last_IO_Error_Timestamp",
    "Last_SQL_Error_Timestamp",
    "Source_SSL_Crl",
    "Source_SSL_Crlpath",
    "Retrieved_Gtid_Set",
    "Executed_Gtid_Set",
    "Auto_Position",
    "Replicate_Rewrite_DB",
    "Channel_Name",
    "Source_TLS_Version",
    "Source_public_key_path",
    "Get_Source_public_key",
    "Network_Namespace",
};

static const char *const mysql_values[] = {
    "Connecting to source",
    "10.0.0.1",
    "repl",
    "3306",
    "60",
    "binlog.000007",
    "4",
    "relay-bin.000003",
    "411",
    "binlog.000006",
    "Connecting",
    "No",
    "",
    "",
    "",
    "",
    "",
    "",
    "1062",
    "Error 'Duplicate entry' on query",
    "0",
    "157",
    "1024",
    "SQL_BEFORE_GTIDS",
    "",
    "0",
    "No",
    "",
    "",
    "",
    "",
    "",
    NULL,
    "No",
    "2003",
    "error connecting to source 'repl@10.0.0.1:3306'",
    "1062",
    "Error 'Duplicate entry' on query",
    "",
    "101",
    "3e11fa47-71ca-11e1-9e33-c80aa9429562",
    "mysql.slave_master_info",
    "0",
    NULL,
    "",
    "86400",
    "",
    "240101 10:00:00",
    "240101 10:00:01",
    "",
    "",
    "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5",
    "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-4,\n"
    "b9b4712a-df64-11e3-b391-60672090eb04:1-7",
    "1",
    "",
    "",
    "",
    "",
    "0",
    "",
};

static void
status_parse_mariadb(void **state)
{
    struct myha_db_replica_status *s = NULL;

    assert_int_equal(N_ELEMENTS(mariadb_names), N_ELEMENTS(mariadb_values));
    assert_int_equal(myha_db_replica_status_parse(mariadb_names, mariadb_values,
                                                  N_ELEMENTS(mariadb_names),
                                                  &s),
                     0);
    assert_true(s->configured);
    assert_string_equal(s->source_host, "127.0.0.1");
    assert_int_equal(s->source_port, 27474);
    assert_string_equal(s->source_user, "repl");
    assert_int_equal(s->source_server_id, 1);
    assert_int_equal(s->io_running, myha_db_thread_running);
    assert_int_equal(s->sql_running, myha_db_thread_running);
    assert_string_equal(s->io_state, "Waiting for master to send event");
    assert_string_equal(s->sql_state,
                        "Slave has read all relay log; waiting for more "
                        "updates");
    assert_int_equal(s->seconds_behind, 3);
    assert_int_equal(s->last_io_errno, 0);
    assert_string_equal(s->last_io_error, "");
    assert_int_equal(s->last_sql_errno, 0);
    assert_string_equal(s->last_sql_error, "");
    assert_string_equal(s->source_log_file, "binlog.000001");
    assert_int_equal(s->read_source_log_pos, 1234);
    assert_string_equal(s->relay_log_file, "relay.000002");
    assert_int_equal(s->relay_log_pos, 621);
    assert_string_equal(s->relay_source_log_file, "binlog.000001");
    assert_int_equal(s->exec_source_log_pos, 1200);
    assert_string_equal(s->until_condition, "None");
    assert_string_equal(s->until_log_file, "");
    assert_int_equal(s->until_log_pos, 0);
    assert_string_equal(s->using_gtid, "Slave_Pos");
    assert_string_equal(s->gtid_io_pos, "0-1-3");
    // MySQL-only columns are absent
    assert_int_equal(s->auto_position, -1);
    assert_null(s->retrieved_gtid_set);
    assert_null(s->executed_gtid_set);
    assert_null(s->channel_name);
    myha_db_replica_status_free(s);
}

static void
status_parse_mysql(void **state)
{
    struct myha_db_replica_status *s = NULL;

    assert_int_equal(N_ELEMENTS(mysql_names), N_ELEMENTS(mysql_values));
    assert_int_equal(myha_db_replica_status_parse(mysql_names, mysql_values,
                                                  N_ELEMENTS(mysql_names), &s),
                     0);
    assert_true(s->configured);
    assert_string_equal(s->source_host, "10.0.0.1");
    assert_int_equal(s->source_port, 3306);
    assert_string_equal(s->source_user, "repl");
    assert_int_equal(s->source_server_id, 101);
    assert_int_equal(s->io_running, myha_db_thread_connecting);
    assert_int_equal(s->sql_running, myha_db_thread_stopped);
    assert_string_equal(s->io_state, "Connecting to source");
    assert_string_equal(s->sql_state, "");
    assert_int_equal(s->seconds_behind, -1); // NULL
    assert_int_equal(s->last_io_errno, 2003);
    assert_string_equal(s->last_io_error,
                        "error connecting to source 'repl@10.0.0.1:3306'");
    assert_int_equal(s->last_sql_errno, 1062);
    assert_string_equal(s->last_sql_error, "Error 'Duplicate entry' on query");
    assert_string_equal(s->source_log_file, "binlog.000007");
    assert_int_equal(s->read_source_log_pos, 4);
    assert_string_equal(s->relay_log_file, "relay-bin.000003");
    assert_int_equal(s->relay_log_pos, 411);
    assert_string_equal(s->relay_source_log_file, "binlog.000006");
    assert_int_equal(s->exec_source_log_pos, 157);
    assert_string_equal(s->until_condition, "SQL_BEFORE_GTIDS");
    assert_int_equal(s->auto_position, 1);
    assert_string_equal(s->retrieved_gtid_set,
                        "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5");
    assert_string_equal(s->executed_gtid_set,
                        "3e11fa47-71ca-11e1-9e33-c80aa9429562:1-4,\n"
                        "b9b4712a-df64-11e3-b391-60672090eb04:1-7");
    assert_string_equal(s->channel_name, "");
    // MariaDB-only columns are absent
    assert_null(s->using_gtid);
    assert_null(s->gtid_io_pos);
    myha_db_replica_status_free(s);
}

// MySQL before 8.0.22 and MariaDB share the Slave_/Master_ names
static void
status_parse_null_seconds_behind(void **state)
{
    const char *names[] = { "Slave_IO_Running", "Slave_SQL_Running",
                            "Seconds_Behind_Master", "Last_SQL_Error",
                            "Master_Port" };
    const char *values[] = { "No", "No", NULL, NULL, "" };
    struct myha_db_replica_status *s = NULL;

    assert_int_equal(
        myha_db_replica_status_parse(names, values, N_ELEMENTS(names), &s), 0);
    assert_true(s->configured);
    assert_int_equal(s->io_running, myha_db_thread_stopped);
    assert_int_equal(s->sql_running, myha_db_thread_stopped);
    assert_int_equal(s->seconds_behind, -1);
    assert_null(s->last_sql_error);
    assert_int_equal(s->source_port, -1);
    assert_null(s->source_host);
    myha_db_replica_status_free(s);
}

static void
status_parse_not_replica(void **state)
{
    struct myha_db_replica_status *s = NULL;

    assert_int_equal(myha_db_replica_status_parse(
                         mariadb_names, NULL, N_ELEMENTS(mariadb_names), &s),
                     0);
    assert_false(s->configured);
    assert_null(s->source_host);
    assert_int_equal(s->seconds_behind, -1);
    assert_int_equal(s->io_running, myha_db_thread_stopped);
    myha_db_replica_status_free(s);

    assert_int_equal(myha_db_replica_status_parse(NULL, NULL, 0, &s), 0);
    assert_false(s->configured);
    myha_db_replica_status_free(s);
}

static void
status_parse_invalid(void **state)
{
    const char *names[] = { "Slave_IO_Running", "Slave_SQL_Running",
                            "Seconds_Behind_Master" };
    const char *bad_thread[] = { "Maybe", "Yes", "0" };
    const char *null_thread[] = { NULL, "Yes", "0" };
    const char *bad_number[] = { "Yes", "Yes", "12x" };
    const char *blank_number[] = { "Yes", "Yes", " 12" };
    const char *overflow[] = { "Yes", "Yes", "99999999999999999999" };
    struct myha_db_replica_status *s = NULL;

    assert_int_equal(myha_db_replica_status_parse(names, bad_thread, 3, &s),
                     myha_rc_parse);
    assert_int_equal(myha_db_replica_status_parse(names, null_thread, 3, &s),
                     myha_rc_parse);
    assert_int_equal(myha_db_replica_status_parse(names, bad_number, 3, &s),
                     myha_rc_parse);
    assert_int_equal(myha_db_replica_status_parse(names, blank_number, 3, &s),
                     myha_rc_parse);
    assert_int_equal(myha_db_replica_status_parse(names, overflow, 3, &s),
                     myha_rc_parse);
    // Without both thread columns it is not replica status at all
    assert_int_equal(myha_db_replica_status_parse(names, bad_number + 1, 2, &s),
                     myha_rc_parse);
    assert_int_equal(
        myha_db_replica_status_parse(names + 1, bad_number + 1, 2, &s),
        myha_rc_parse);
    assert_null(s);
    assert_int_equal(myha_db_replica_status_parse(NULL, bad_number, 3, &s),
                     EINVAL);
    assert_int_equal(myha_db_replica_status_parse(names, bad_number, 3, NULL),
                     EINVAL);
    myha_db_replica_status_free(NULL);
}

// Repeated columns keep the last value and leak nothing
static void
status_parse_repeated_column(void **state)
{
    const char *names[] = { "Slave_IO_Running", "Slave_SQL_Running",
                            "Master_Host", "Source_Host" };
    const char *values[] = { "Yes", "Yes", "a", "b" };
    struct myha_db_replica_status *s = NULL;

    assert_int_equal(
        myha_db_replica_status_parse(names, values, N_ELEMENTS(names), &s), 0);
    assert_string_equal(s->source_host, "b");
    myha_db_replica_status_free(s);
}

// MariaDB's IO thread says "Preparing" between connecting and running
static void
status_parse_thread_states(void **state)
{
    static const struct {
        const char *text;
        enum myha_db_thread thread;
    } cases[] = {
        { "Yes", myha_db_thread_running },
        { "No", myha_db_thread_stopped },
        { "Connecting", myha_db_thread_connecting },
        { "Preparing", myha_db_thread_connecting },
    };

    const char *names[] = { "Replica_IO_Running", "Replica_SQL_Running" };

    for (size_t i = 0; i < N_ELEMENTS(cases); i++) {
        const char *values[] = { cases[i].text, "Yes" };
        struct myha_db_replica_status *s = NULL;

        assert_int_equal(myha_db_replica_status_parse(names, values, 2, &s), 0);
        assert_int_equal(s->io_running, cases[i].thread);
        assert_int_equal(s->sql_running, myha_db_thread_running);
        myha_db_replica_status_free(s);
    }
}

// Connector/C's escaping needs its default character set
static int
setup_connector(void **state)
{
    return mysql_library_init(0, NULL, NULL);
}

static int
teardown_connector(void **state)
{
    mysql_library_end();
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dialect_mariadb_texts),
        cmocka_unit_test(dialect_mysql_texts),
        cmocka_unit_test(dialect_invalid),
        cmocka_unit_test(change_source_mariadb),
        cmocka_unit_test(change_source_mysql),
        cmocka_unit_test(change_source_escapes_values),
        cmocka_unit_test(change_source_empty_password),
        cmocka_unit_test(change_source_invalid),
        cmocka_unit_test(quote_table),
        cmocka_unit_test(quote_matches_connector),
        cmocka_unit_test(quote_invalid),
        cmocka_unit_test(version_parse_table),
        cmocka_unit_test(version_parse_invalid),
        cmocka_unit_test(status_parse_mariadb),
        cmocka_unit_test(status_parse_mysql),
        cmocka_unit_test(status_parse_null_seconds_behind),
        cmocka_unit_test(status_parse_not_replica),
        cmocka_unit_test(status_parse_invalid),
        cmocka_unit_test(status_parse_repeated_column),
        cmocka_unit_test(status_parse_thread_states),
    };

    return cmocka_run_group_tests_name("db", tests, setup_connector,
                                       teardown_connector);
}
