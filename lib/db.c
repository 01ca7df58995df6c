/*
 * Connections to a MariaDB or MySQL server through MariaDB Connector/C, and
 * the two SQL dialects as tables: the statements every program runs on a
 * server, built as text by pure functions so that both are unit tested.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <qb/qblog.h>

#include <myha/db.h>
#include <myha/rc.h>
#include <myha/str.h>

//! A connection to a server
struct myha_db {
    MYSQL *conn;                           //!< Connector/C handle
    char *where;                           //!< Socket or host:port
    struct myha_db_version version;        //!< Detected at connect time
    const struct myha_db_dialect *dialect; //!< Of version.flavour
    char *error;                           //!< Last error, or NULL
    unsigned int error_no;                 //!< Last server/client errno
};

static const struct myha_db_dialect dialects[] = {
    [myha_db_mariadb] = {
        .flavour = myha_db_mariadb,
        .name = "MariaDB",
        .replica_status = "SHOW SLAVE STATUS",
        .replica_start = "START SLAVE",
        .replica_stop = "STOP SLAVE",
        .replica_reset = "RESET SLAVE ALL",
        .read_only_on = { "SET GLOBAL read_only = ON", NULL },
        .read_only_off = { "SET GLOBAL read_only = OFF", NULL },
        .read_only_get = "SELECT @@GLOBAL.read_only",
        .gtid_executed = "SELECT @@GLOBAL.gtid_current_pos",
        .server_id = "SELECT @@GLOBAL.server_id",
        .change_source = {
            .verb = "CHANGE MASTER TO",
            .host = "MASTER_HOST",
            .port = "MASTER_PORT",
            .user = "MASTER_USER",
            .password = "MASTER_PASSWORD",
            .gtid = "MASTER_USE_GTID=slave_pos",
        },
    },
    [myha_db_mysql] = {
        .flavour = myha_db_mysql,
        .name = "MySQL",
        .replica_status = "SHOW REPLICA STATUS",
        .replica_start = "START REPLICA",
        .replica_stop = "STOP REPLICA",
        .replica_reset = "RESET REPLICA ALL",
        // super_read_only=ON implies read_only=ON, but not the reverse
        .read_only_on = { "SET GLOBAL super_read_only = ON", NULL },
        .read_only_off = { "SET GLOBAL super_read_only = OFF",
                           "SET GLOBAL read_only = OFF", NULL },
        .read_only_get = "SELECT @@GLOBAL.super_read_only",
        .gtid_executed = "SELECT @@GLOBAL.gtid_executed",
        .server_id = "SELECT @@GLOBAL.server_id",
        .change_source = {
            .verb = "CHANGE REPLICATION SOURCE TO",
            .host = "SOURCE_HOST",
            .port = "SOURCE_PORT",
            .user = "SOURCE_USER",
            .password = "SOURCE_PASSWORD",
            .gtid = "SOURCE_AUTO_POSITION=1",
        },
    },
};

#define N_DIALECTS (sizeof(dialects) / sizeof(dialects[0]))

/* Oldest supported version of each flavour.  MySQL 8.0.22 renamed the
 * replica statements and status columns, but CHANGE REPLICATION SOURCE TO
 * only arrived in 8.0.23.
 */
static const struct myha_db_version minimum_versions[] = {
    [myha_db_mariadb] = { myha_db_mariadb, 10, 3, 0 },
    [myha_db_mysql] = { myha_db_mysql, 8, 0, 23 },
};

//! How to read the value of a replica status column
enum status_kind {
    status_text,   //!< char *
    status_number, //!< long long, -1 for NULL or empty
    status_thread, //!< enum myha_db_thread
};

//! One column of SHOW SLAVE STATUS / SHOW REPLICA STATUS
struct status_column {
    const char *mariadb; //!< MariaDB's name (also MySQL's before 8.0.22)
    const char *mysql;   //!< MySQL 8.0.22+'s name, or NULL if the same
    enum status_kind kind;
    size_t offset; //!< In struct myha_db_replica_status
};

#define STATUS_COL(mariadb, mysql, kind, field)            \
    {                                                      \
        (mariadb), (mysql), (kind),                        \
            offsetof(struct myha_db_replica_status, field) \
    }

static const struct status_column status_columns[] = {
    STATUS_COL("Master_Host", "Source_Host", status_text, source_host),
    STATUS_COL("Master_Port", "Source_Port", status_number, source_port),
    STATUS_COL("Master_User", "Source_User", status_text, source_user),
    STATUS_COL("Master_Server_Id", "Source_Server_Id", status_number,
               source_server_id),
    STATUS_COL("Slave_IO_Running", "Replica_IO_Running", status_thread,
               io_running),
    STATUS_COL("Slave_SQL_Running", "Replica_SQL_Running", status_thread,
               sql_running),
    STATUS_COL("Slave_IO_State", "Replica_IO_State", status_text, io_state),
    STATUS_COL("Slave_SQL_Running_State", "Replica_SQL_Running_State",
               status_text, sql_state),
    STATUS_COL("Seconds_Behind_Master", "Seconds_Behind_Source", status_number,
               seconds_behind),
    STATUS_COL("Last_IO_Errno", NULL, status_number, last_io_errno),
    STATUS_COL("Last_IO_Error", NULL, status_text, last_io_error),
    STATUS_COL("Last_SQL_Errno", NULL, status_number, last_sql_errno),
    STATUS_COL("Last_SQL_Error", NULL, status_text, last_sql_error),
    STATUS_COL("Master_Log_File", "Source_Log_File", status_text,
               source_log_file),
    STATUS_COL("Read_Master_Log_Pos", "Read_Source_Log_Pos", status_number,
               read_source_log_pos),
    STATUS_COL("Relay_Log_File", NULL, status_text, relay_log_file),
    STATUS_COL("Relay_Log_Pos", NULL, status_number, relay_log_pos),
    STATUS_COL("Relay_Master_Log_File", "Relay_Source_Log_File", status_text,
               relay_source_log_file),
    STATUS_COL("Exec_Master_Log_Pos", "Exec_Source_Log_Pos", status_number,
               exec_source_log_pos),
    STATUS_COL("Until_Condition", NULL, status_text, until_condition),
    STATUS_COL("Until_Log_File", NULL, status_text, until_log_file),
    STATUS_COL("Until_Log_Pos", NULL, status_number, until_log_pos),
    STATUS_COL("Using_Gtid", NULL, status_text, using_gtid),
    STATUS_COL("Gtid_IO_Pos", NULL, status_text, gtid_io_pos),
    STATUS_COL("Auto_Position", NULL, status_number, auto_position),
    STATUS_COL("Retrieved_Gtid_Set", NULL, status_text, retrieved_gtid_set),
    STATUS_COL("Executed_Gtid_Set", NULL, status_text, executed_gtid_set),
    STATUS_COL("Channel_Name", NULL, status_text, channel_name),
};

#define N_STATUS_COLUMNS (sizeof(status_columns) / sizeof(status_columns[0]))

static const struct {
    const char *text;
    enum myha_db_thread state;
} thread_states[] = {
    { "Yes", myha_db_thread_running },
    { "No", myha_db_thread_stopped },
    { "Connecting", myha_db_thread_connecting },
    { "Preparing", myha_db_thread_connecting }, // MariaDB: connected, not yet
};

/* Values of read_only: a boolean, or in newer MariaDB an enumeration whose
 * every value but OFF blocks writes.
 */
static const struct {
    const char *text;
    bool read_only;
} read_only_values[] = {
    { "0", false }, { "OFF", false },    { "1", true },
    { "ON", true }, { "NO_LOCK", true }, { "NO_LOCK_NO_ADMIN", true },
};

/*
 * Parse a run of decimal digits at the start of text.  Returns the first
 * character after it, or NULL if there is none or it does not fit.
 */
static const char *
parse_uint(const char *text, unsigned int *ret_value)
{
    char *end = NULL;
    unsigned long value = 0;

    if (!isdigit((unsigned char) *text)) {
        return NULL;
    }
    errno = 0;
    value = strtoul(text, &end, 10);
    if ((errno != 0) || (value > UINT_MAX)) {
        return NULL;
    }
    *ret_value = (unsigned int) value;
    return end;
}

/*!
 * \brief Parse a server version string
 *
 * Accepts what mysql_get_server_info() or @@version return, e.g.
 * "10.11.6-MariaDB-0+deb12u1-log", "5.5.5-10.11.6-MariaDB" (the prefix
 * MariaDB sends for old clients), "8.0.36" or "8.4.0-log".  A server is
 * MariaDB if its version or its @@version_comment says so, else MySQL.
 *
 * \param[in]  version      Version string
 * \param[in]  comment      @@version_comment, or NULL if not known
 * \param[out] ret_version  Where to store flavour and version (on success)
 *
 * \return 0 on success, or myha_rc_parse
 * \note This does not tell whether the version is supported; see
 *       myha_is_db_version_supported().
 */
int
myha_db_version_parse(const char *version, const char *comment,
                      struct myha_db_version *ret_version)
{
    struct myha_db_version parsed = { myha_db_mysql, 0, 0, 0 };
    const char *p = version;

    if ((version == NULL) || (ret_version == NULL)) {
        return myha_rc_parse;
    }
    if ((strstr(version, "MariaDB") != NULL)
        || ((comment != NULL) && (strcasestr(comment, "mariadb") != NULL))) {
        parsed.flavour = myha_db_mariadb;
        if (strncmp(p, "5.5.5-", 6) == 0) {
            p += 6;
        }
    }
    p = parse_uint(p, &parsed.major);
    if ((p == NULL) || (*p != '.')) {
        return myha_rc_parse;
    }
    p = parse_uint(p + 1, &parsed.minor);
    if (p == NULL) {
        return myha_rc_parse;
    }
    if (*p == '.') {
        p = parse_uint(p + 1, &parsed.patch);
        if (p == NULL) {
            return myha_rc_parse;
        }
    }
    *ret_version = parsed;
    return 0;
}

/*!
 * \brief Tell whether myha supports a server version
 *
 * \param[in] version  Flavour and version
 *
 * \return true for MariaDB 10.3 or later and MySQL 8.0.23 or later
 */
bool
myha_is_db_version_supported(const struct myha_db_version *version)
{
    const struct myha_db_version *min = NULL;

    if ((version == NULL) || ((size_t) version->flavour >= N_DIALECTS)) {
        return false;
    }
    min = &minimum_versions[version->flavour];
    if (version->major != min->major) {
        return version->major > min->major;
    }
    if (version->minor != min->minor) {
        return version->minor > min->minor;
    }
    return version->patch >= min->patch;
}

/*!
 * \brief Get the statement texts of a flavour
 *
 * \param[in] flavour  Server flavour
 *
 * \return The flavour's dialect (static), or NULL if \p flavour is invalid
 */
const struct myha_db_dialect *
myha_db_dialect_get(enum myha_db_flavour flavour)
{
    if ((size_t) flavour >= N_DIALECTS) {
        return NULL;
    }
    return &dialects[flavour];
}

/*!
 * \brief Quote text as an SQL string literal
 *
 * Escapes like mysql_real_escape_string() on a UTF-8 connection: with
 * backslash escapes, \\, ', ", newline, carriage return and Ctrl-Z get a
 * backslash; in the NO_BACKSLASH_ESCAPES SQL mode, a quote is doubled and
 * nothing else changes.
 *
 * \param[in]  text                 Text to quote (UTF-8)
 * \param[in]  no_backslash_escapes Whether the server's session has the
 *                                  NO_BACKSLASH_ESCAPES SQL mode
 * \param[out] ret_quoted           Where to store the literal with its
 *                                  surrounding quotes (on success)
 *
 * \return 0 on success, EINVAL if \p text is NULL, or ENOMEM
 * \note The caller frees \p *ret_quoted.
 */
int
myha_db_quote(const char *text, bool no_backslash_escapes, char **ret_quoted)
{
    size_t len = 0;
    char *quoted = NULL;
    char *q = NULL;

    if ((text == NULL) || (ret_quoted == NULL)) {
        return EINVAL;
    }
    len = strlen(text);
    if (len > (SIZE_MAX - 3) / 2) {
        return ENOMEM;
    }
    quoted = malloc((2 * len) + 3);
    if (quoted == NULL) {
        return ENOMEM;
    }
    q = quoted;
    *q++ = '\'';
    for (const char *p = text; *p != '\0'; p++) {
        char escaped = '\0';

        if (no_backslash_escapes) {
            if (*p == '\'') {
                *q++ = '\'';
            }
            *q++ = *p;
            continue;
        }
        switch (*p) {
            case '\\':
            case '\'':
            case '"':
                escaped = *p;
                break;
            case '\n':
                escaped = 'n';
                break;
            case '\r':
                escaped = 'r';
                break;
            case '\032':
                escaped = 'Z';
                break;
            default:
                break;
        }
        if (escaped != '\0') {
            *q++ = '\\';
            *q++ = escaped;
        } else {
            *q++ = *p;
        }
    }
    *q++ = '\'';
    *q = '\0';
    *ret_quoted = quoted;
    return 0;
}

// Wipe and free a string that may hold a password
static void
free_secret(char *secret)
{
    if (secret != NULL) {
        explicit_bzero(secret, strlen(secret));
        free(secret);
    }
}

/*!
 * \brief Build the statement that points a replica at a source
 *
 * The replica then follows the source with GTID auto-positioning
 * (MariaDB: MASTER_USE_GTID=slave_pos; MySQL: SOURCE_AUTO_POSITION=1).
 *
 * \param[in]  flavour               Flavour of the replica
 * \param[in]  source                Source to replicate from
 * \param[in]  no_backslash_escapes  See myha_db_quote()
 * \param[out] ret_sql               Where to store the statement (on
 *                                   success)
 *
 * \return 0 on success, myha_rc_invalid if \p source is incomplete or
 *         \p flavour unknown, or ENOMEM
 * \note The statement carries the password: the caller wipes and frees
 *       it, and never logs it.
 */
int
myha_db_change_source_sql(enum myha_db_flavour flavour,
                          const struct myha_db_source *source,
                          bool no_backslash_escapes, char **ret_sql)
{
    const struct myha_db_dialect *dialect = myha_db_dialect_get(flavour);
    char *host = NULL;
    char *user = NULL;
    char *password = NULL;
    char *sql = NULL;
    int rc = 0;

    if ((dialect == NULL) || (source == NULL) || (ret_sql == NULL)
        || (source->host == NULL) || (*source->host == '\0')
        || (source->user == NULL) || (*source->user == '\0')
        || (source->password == NULL) || (source->port == 0)
        || (source->port > 65535)) {
        return myha_rc_invalid;
    }
    rc = myha_db_quote(source->host, no_backslash_escapes, &host);
    if (rc != 0) {
        goto out;
    }
    rc = myha_db_quote(source->user, no_backslash_escapes, &user);
    if (rc != 0) {
        goto out_free_host;
    }
    rc = myha_db_quote(source->password, no_backslash_escapes, &password);
    if (rc != 0) {
        goto out_free_user;
    }
    sql = myha_str_printf(
        "%s %s=%s, %s=%u, %s=%s, %s=%s, %s", dialect->change_source.verb,
        dialect->change_source.host, host, dialect->change_source.port,
        source->port, dialect->change_source.user, user,
        dialect->change_source.password, password, dialect->change_source.gtid);
    if (sql == NULL) {
        rc = ENOMEM;
        goto out_free_password;
    }
    *ret_sql = sql;

out_free_password:
    free_secret(password);
out_free_user:
    free(user);
out_free_host:
    free(host);
out:
    return rc;
}

/*!
 * \brief Free a replica status
 *
 * \param[in,out] status  Status to free (may be NULL)
 */
void
myha_db_replica_status_free(struct myha_db_replica_status *status)
{
    if (status == NULL) {
        return;
    }
    for (size_t i = 0; i < N_STATUS_COLUMNS; i++) {
        if (status_columns[i].kind == status_text) {
            char **field =
                (char **) ((char *) status + status_columns[i].offset);

            free(*field);
        }
    }
    free(status);
}

static const struct status_column *
status_column_find(const char *name)
{
    for (size_t i = 0; i < N_STATUS_COLUMNS; i++) {
        const struct status_column *col = &status_columns[i];

        if ((strcmp(name, col->mariadb) == 0)
            || ((col->mysql != NULL) && (strcmp(name, col->mysql) == 0))) {
            return col;
        }
    }
    return NULL;
}

// Store one column's value into status; myha_rc_parse if it is malformed
static int
status_set(struct myha_db_replica_status *status,
           const struct status_column *col, const char *value)
{
    void *field = (char *) status + col->offset;

    switch (col->kind) {
        case status_text:
            {
                char *copy = NULL;

                if (value != NULL) {
                    copy = strdup(value);
                    if (copy == NULL) {
                        return ENOMEM;
                    }
                }
                free(*(char **) field);
                *(char **) field = copy;
                return 0;
            }

        case status_number:
            {
                long long number = -1;

                if ((value != NULL) && (*value != '\0')
                    && (myha_str_to_ll(value, &number) != 0)) {
                    return myha_rc_parse;
                }
                *(long long *) field = number;
                return 0;
            }

        case status_thread:
            if (value == NULL) {
                return myha_rc_parse;
            }
            for (size_t i = 0;
                 i < sizeof(thread_states) / sizeof(thread_states[0]); i++) {
                if (strcmp(value, thread_states[i].text) == 0) {
                    *(enum myha_db_thread *) field = thread_states[i].state;
                    return 0;
                }
            }
            return myha_rc_parse;
    }
    return myha_rc_parse;
}

/*!
 * \brief Parse one row of SHOW SLAVE STATUS or SHOW REPLICA STATUS
 *
 * Columns are found by name, in either dialect; unknown ones are ignored.
 *
 * \param[in]  names       Column names
 * \param[in]  values      The row's values (NULL entries for SQL NULL), or
 *                         NULL if the statement returned no row, which
 *                         means the server is not configured as a replica
 * \param[in]  n_columns   Number of entries in \p names and \p values
 * \param[out] ret_status  Where to store the parsed status (on success)
 *
 * \return 0 on success, myha_rc_parse if a value is malformed or a
 *         thread-state column is missing, EINVAL, or ENOMEM
 * \note The caller frees \p *ret_status with myha_db_replica_status_free().
 */
int
myha_db_replica_status_parse(const char *const *names,
                             const char *const *values, size_t n_columns,
                             struct myha_db_replica_status **ret_status)
{
    struct myha_db_replica_status *status = NULL;
    bool have_io = false;
    bool have_sql = false;
    int rc = 0;

    if ((ret_status == NULL) || ((values != NULL) && (names == NULL))) {
        return EINVAL;
    }
    status = calloc(1, sizeof(*status));
    if (status == NULL) {
        return ENOMEM;
    }
    for (size_t i = 0; i < N_STATUS_COLUMNS; i++) {
        if (status_columns[i].kind == status_number) {
            *(long long *) ((char *) status + status_columns[i].offset) = -1;
        }
    }
    if (values == NULL) {
        goto done; // not a replica
    }
    status->configured = true;
    for (size_t i = 0; i < n_columns; i++) {
        const struct status_column *col = NULL;

        if (names[i] == NULL) {
            continue;
        }
        col = status_column_find(names[i]);
        if (col == NULL) {
            continue;
        }
        rc = status_set(status, col, values[i]);
        if (rc != 0) {
            qb_log(LOG_DEBUG,
                   "replica status column %s: unexpected value "
                   "'%s'",
                   names[i], (values[i] == NULL) ? "NULL" : values[i]);
            goto out_free_status;
        }
        have_io |= (col->offset
                    == offsetof(struct myha_db_replica_status, io_running));
        have_sql |= (col->offset
                     == offsetof(struct myha_db_replica_status, sql_running));
    }
    if (!have_io || !have_sql) {
        rc = myha_rc_parse;
        goto out_free_status;
    }

done:
    *ret_status = status;
    return 0;

out_free_status:
    myha_db_replica_status_free(status);
    return rc;
}

// Remember the last error of db; the message never carries a secret
static void __attribute__((format(printf, 3, 4)))
db_set_error(struct myha_db *db, unsigned int error_no, const char *format, ...)
{
    va_list ap;
    char *message = NULL;

    va_start(ap, format);
    if (vasprintf(&message, format, ap) < 0) {
        message = NULL;
    }
    va_end(ap);
    free(db->error);
    db->error = message;
    db->error_no = error_no;
    qb_log(LOG_DEBUG, "%s", (message == NULL) ? "out of memory" : message);
}

// Result code for a client or server error number seen while connecting
static int
connect_rc(unsigned int error_no)
{
    switch (error_no) {
        case ER_ACCESS_DENIED_ERROR:
        case ER_DBACCESS_DENIED_ERROR:
        case ER_ACCESS_DENIED_NO_PASSWORD_ERROR:
            return myha_rc_db_auth;
        default:
            return myha_rc_db_connect;
    }
}

// Result code for a client or server error number seen in a statement
static int
query_rc(unsigned int error_no)
{
    switch (error_no) {
        case CR_SERVER_GONE_ERROR:
        case CR_SERVER_LOST:
        case CR_SERVER_LOST_EXTENDED:
        case CR_CONNECTION_ERROR:
        case CR_CONN_HOST_ERROR:
        case ER_SERVER_SHUTDOWN:
            return myha_rc_db_connect;
        default:
            return myha_rc_db_query;
    }
}

// Record the connection's current error as the failure to do "what"
static int
db_fail(struct myha_db *db, const char *what)
{
    unsigned int error_no = mysql_errno(db->conn);

    db_set_error(db, error_no, "cannot %s on '%s': %s", what, db->where,
                 mysql_error(db->conn));
    return query_rc(error_no);
}

/*
 * Run one statement and discard any result.  A secret statement (one that
 * carries a password) is not logged.
 */
static int
db_run(struct myha_db *db, const char *what, const char *sql, bool secret)
{
    MYSQL_RES *result = NULL;

    if (!secret) {
        qb_log(LOG_DEBUG, "%s: %s", db->where, sql);
    }
    if (mysql_real_query(db->conn, sql, strlen(sql)) != 0) {
        return db_fail(db, what);
    }
    result = mysql_store_result(db->conn);
    if (result != NULL) {
        mysql_free_result(result);
    } else if (mysql_field_count(db->conn) != 0) {
        return db_fail(db, what);
    }
    return 0;
}

// Run a query and return its result set; NULL (error recorded) on failure
static int
db_query(struct myha_db *db, const char *what, const char *sql,
         MYSQL_RES **ret_result)
{
    MYSQL_RES *result = NULL;

    qb_log(LOG_DEBUG, "%s: %s", db->where, sql);
    if (mysql_real_query(db->conn, sql, strlen(sql)) != 0) {
        return db_fail(db, what);
    }
    result = mysql_store_result(db->conn);
    if (result == NULL) {
        if (mysql_field_count(db->conn) != 0) {
            return db_fail(db, what);
        }
        db_set_error(db, 0, "cannot %s on '%s': statement returned no result",
                     what, db->where);
        return myha_rc_db_query;
    }
    *ret_result = result;
    return 0;
}

// Run a query that returns one value; *ret_value is NULL for SQL NULL
static int
db_value(struct myha_db *db, const char *what, const char *sql,
         char **ret_value)
{
    MYSQL_RES *result = NULL;
    MYSQL_ROW row = NULL;
    char *value = NULL;
    int rc = 0;

    rc = db_query(db, what, sql, &result);
    if (rc != 0) {
        return rc;
    }
    row = mysql_fetch_row(result);
    if (row == NULL) {
        if (mysql_errno(db->conn) != 0) {
            rc = db_fail(db, what);
        } else {
            db_set_error(db, 0, "cannot %s on '%s': no row returned", what,
                         db->where);
            rc = myha_rc_db_query;
        }
        goto out_free_result;
    }
    if (row[0] != NULL) {
        value = strdup(row[0]);
        if (value == NULL) {
            rc = ENOMEM;
            goto out_free_result;
        }
    }
    *ret_value = value;

out_free_result:
    mysql_free_result(result);
    return rc;
}

// Describe where opts lead: the socket, or host:port
static char *
where_new(const struct myha_db_opts *opts)
{
    if (opts->host != NULL) {
        if (opts->port == 0) {
            return strdup(opts->host);
        }
        if (strchr(opts->host, ':') != NULL) { // IPv6 address
            return myha_str_printf("[%s]:%u", opts->host, opts->port);
        }
        return myha_str_printf("%s:%u", opts->host, opts->port);
    }
    return strdup((opts->socket != NULL) ? opts->socket : "localhost");
}

// Apply opts to a fresh Connector/C handle
static int
set_options(MYSQL *conn, const struct myha_db_opts *opts)
{
    unsigned int protocol =
        (opts->host != NULL) ? MYSQL_PROTOCOL_TCP : MYSQL_PROTOCOL_SOCKET;
    unsigned int no_local_infile = 0;
    int rc = 0;

    rc |= mysql_options(conn, MYSQL_OPT_PROTOCOL, &protocol);
    rc |= mysql_options(conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    rc |= mysql_options(conn, MYSQL_OPT_LOCAL_INFILE, &no_local_infile);
    if (opts->connect_timeout > 0) {
        rc |= mysql_options(conn, MYSQL_OPT_CONNECT_TIMEOUT,
                            &opts->connect_timeout);
    }
    if (opts->read_timeout > 0) {
        rc |= mysql_options(conn, MYSQL_OPT_READ_TIMEOUT, &opts->read_timeout);
    }
    if (opts->write_timeout > 0) {
        rc |=
            mysql_options(conn, MYSQL_OPT_WRITE_TIMEOUT, &opts->write_timeout);
    }
    /* Without a file, no group is set either: a group alone would make
     * Connector/C read the system-wide option files.
     */
    if (opts->option_file != NULL) {
        rc |= mysql_options(conn, MYSQL_READ_DEFAULT_FILE, opts->option_file);
        rc |= mysql_options(conn, MYSQL_READ_DEFAULT_GROUP,
                            (opts->option_group != NULL) ? opts->option_group
                                                         : "client");
    }
    return (rc == 0) ? 0 : myha_rc_error;
}

// Find out flavour and version; the comment is asked only of non-MariaDB
static int
detect_version(struct myha_db *db)
{
    const char *info = mysql_get_server_info(db->conn);
    char *comment = NULL;
    int rc = 0;

    if (info == NULL) {
        info = "";
    }
    if (strstr(info, "MariaDB") == NULL) {
        rc = db_value(db, "read the server's version comment",
                      "SELECT @@version_comment", &comment);
        if (rc != 0) {
            return rc;
        }
    }
    rc = myha_db_version_parse(info, comment, &db->version);
    free(comment);
    if (rc != 0) {
        db_set_error(db, 0, "'%s' reports an unrecognised version '%s'",
                     db->where, info);
        return myha_rc_db_unsupported;
    }
    if (!myha_is_db_version_supported(&db->version)) {
        db_set_error(db, 0,
                     "'%s' runs %s %u.%u.%u, but myha needs MariaDB %u.%u or "
                     "MySQL %u.%u.%u or later",
                     db->where, dialects[db->version.flavour].name,
                     db->version.major, db->version.minor, db->version.patch,
                     minimum_versions[myha_db_mariadb].major,
                     minimum_versions[myha_db_mariadb].minor,
                     minimum_versions[myha_db_mysql].major,
                     minimum_versions[myha_db_mysql].minor,
                     minimum_versions[myha_db_mysql].patch);
        return myha_rc_db_unsupported;
    }
    db->dialect = &dialects[db->version.flavour];
    qb_log(LOG_DEBUG, "%s: %s %u.%u.%u", db->where, db->dialect->name,
           db->version.major, db->version.minor, db->version.patch);
    return 0;
}

/*!
 * \brief Connect to a server and find out its flavour and version
 *
 * Over TCP when \p opts->host is set, else over the Unix socket.  The
 * user and password come from the option file's [client] group (and
 * \p opts->option_group), the password otherwise from MYSQL_PWD.
 *
 * \param[in]  opts        How to reach the server
 * \param[out] ret_db      Where to store the connection (on success)
 * \param[out] ret_reason  If not NULL, on failure (only): an allocated
 *                         message naming the server and carrying the
 *                         server's or library's text, unless memory ran out
 *
 * \return 0 on success; myha_rc_db_connect if the server cannot be
 *         reached, myha_rc_db_auth if it refuses the credentials,
 *         myha_rc_db_unsupported for an unsupported server, an errno
 *         value such as ENOENT if the option file cannot be read, EINVAL,
 *         or ENOMEM
 * \note The caller frees \p *ret_db with myha_db_free() and
 *       \p *ret_reason with free().
 */
int
myha_db_connect(const struct myha_db_opts *opts, struct myha_db **ret_db,
                char **ret_reason)
{
    struct myha_db *db = NULL;
    const char *host = NULL;
    int rc = 0;

    if ((opts == NULL) || (ret_db == NULL)) {
        return EINVAL;
    }
    db = calloc(1, sizeof(*db));
    if (db == NULL) {
        return ENOMEM;
    }
    db->where = where_new(opts);
    if (db->where == NULL) {
        rc = ENOMEM;
        goto out_free_db;
    }
    if ((opts->option_file != NULL) && (access(opts->option_file, R_OK) != 0)) {
        rc = errno;
        db_set_error(db, 0, "cannot read option file '%s': %s",
                     opts->option_file, strerror(rc));
        goto out_free_db;
    }
    db->conn = mysql_init(NULL);
    if (db->conn == NULL) {
        rc = ENOMEM;
        goto out_free_db;
    }
    rc = set_options(db->conn, opts);
    if (rc != 0) {
        db_set_error(db, 0, "cannot set connection options for '%s'",
                     db->where);
        goto out_free_db;
    }
    host = (opts->host != NULL) ? opts->host : "localhost";
    qb_log(LOG_DEBUG, "connecting to %s", db->where);
    if (mysql_real_connect(db->conn, host, opts->user, opts->password, NULL,
                           opts->port,
                           (opts->host != NULL) ? NULL : opts->socket, 0)
        == NULL) {
        unsigned int error_no = mysql_errno(db->conn);

        db_set_error(db, error_no, "cannot connect to '%s': %s", db->where,
                     mysql_error(db->conn));
        rc = connect_rc(error_no);
        goto out_free_db;
    }
    rc = detect_version(db);
    if (rc != 0) {
        goto out_free_db;
    }
    free(db->error);
    db->error = NULL;
    db->error_no = 0;
    *ret_db = db;
    return 0;

out_free_db:
    if ((ret_reason != NULL) && (db->error != NULL)) {
        *ret_reason = db->error;
        db->error = NULL;
    }
    myha_db_free(db);
    return rc;
}

/*!
 * \brief Close a connection and free it
 *
 * \param[in,out] db  Connection (may be NULL)
 */
void
myha_db_free(struct myha_db *db)
{
    if (db == NULL) {
        return;
    }
    if (db->conn != NULL) {
        mysql_close(db->conn);
    }
    free(db->where);
    free(db->error);
    free(db);
}

/*!
 * \brief Get the flavour and version of a connection's server
 *
 * \param[in] db  Connection
 *
 * \return The version (owned by \p db)
 */
const struct myha_db_version *
myha_db_version_get(const struct myha_db *db)
{
    return &db->version;
}

/*!
 * \brief Describe the last failure on a connection
 *
 * \param[in] db  Connection
 *
 * \return A message naming what failed, the server, and the server's or
 *         library's text, e.g. "cannot stop replica on '/run/mysqld/
 *         mysqld.sock': ..." (owned by \p db, valid until its next call)
 */
const char *
myha_db_error(const struct myha_db *db)
{
    if ((db == NULL) || (db->error == NULL)) {
        return "unknown error";
    }
    return db->error;
}

/*!
 * \brief Get the server's or library's number for the last failure
 *
 * \param[in] db  Connection
 *
 * \return The error number (e.g. 1045, 2013), or 0 if there was none
 */
unsigned int
myha_db_errno(const struct myha_db *db)
{
    return (db == NULL) ? 0 : db->error_no;
}

/*!
 * \brief Run one statement and discard any result
 *
 * \param[in,out] db   Connection
 * \param[in]     sql  One statement; it is logged at debug level, so it
 *                     must not carry a secret
 *
 * \return 0 on success, myha_rc_db_query if the server rejects it,
 *         myha_rc_db_connect if the connection is lost, or ENOMEM
 */
int
myha_db_exec(struct myha_db *db, const char *sql)
{
    if ((db == NULL) || (sql == NULL)) {
        return EINVAL;
    }
    return db_run(db, "run statement", sql, false);
}

/*!
 * \brief Run a query that returns one value (first column of first row)
 *
 * \param[in,out] db         Connection
 * \param[in]     sql        Query; logged at debug level
 * \param[out]    ret_value  Where to store the value (on success): an
 *                           allocated string, or NULL for SQL NULL
 *
 * \return 0 on success, myha_rc_db_query if it fails or returns no row,
 *         myha_rc_db_connect if the connection is lost, or ENOMEM
 * \note The caller frees \p *ret_value.
 */
int
myha_db_query_value(struct myha_db *db, const char *sql, char **ret_value)
{
    if ((db == NULL) || (sql == NULL) || (ret_value == NULL)) {
        return EINVAL;
    }
    return db_value(db, "run query", sql, ret_value);
}

// The row to use: MySQL's default channel, else the first; NULL if none
static MYSQL_ROW
status_pick_row(MYSQL_RES *result, unsigned int n_fields,
                const MYSQL_FIELD *fields)
{
    MYSQL_ROW row = NULL;
    MYSQL_ROW first = NULL;
    unsigned int channel = n_fields;

    for (unsigned int i = 0; i < n_fields; i++) {
        if (strcmp(fields[i].name, "Channel_Name") == 0) {
            channel = i;
        }
    }
    while ((row = mysql_fetch_row(result)) != NULL) {
        if (first == NULL) {
            first = row;
        }
        if ((channel < n_fields) && (row[channel] != NULL)
            && (*row[channel] == '\0')) {
            first = row;
            break;
        }
    }
    return first;
}

/*!
 * \brief Read the replica status of a server
 *
 * \param[in,out] db          Connection
 * \param[out]    ret_status  Where to store the status (on success);
 *                            configured is false if the server is not a
 *                            replica
 *
 * \return 0 on success, myha_rc_db_query, myha_rc_db_connect,
 *         myha_rc_parse if the output is not understood, or ENOMEM
 * \note The caller frees \p *ret_status with myha_db_replica_status_free().
 */
int
myha_db_replica_status_get(struct myha_db *db,
                           struct myha_db_replica_status **ret_status)
{
    static const char *what = "read replica status";
    MYSQL_RES *result = NULL;
    MYSQL_FIELD *fields = NULL;
    MYSQL_ROW row = NULL;
    const char **names = NULL;
    unsigned int n_fields = 0;
    int rc = 0;

    if ((db == NULL) || (ret_status == NULL)) {
        return EINVAL;
    }
    rc = db_query(db, what, db->dialect->replica_status, &result);
    if (rc != 0) {
        return rc;
    }
    n_fields = mysql_num_fields(result);
    fields = mysql_fetch_fields(result);
    names = calloc((n_fields > 0) ? n_fields : 1, sizeof(*names));
    if (names == NULL) {
        rc = ENOMEM;
        goto out_free_result;
    }
    for (unsigned int i = 0; i < n_fields; i++) {
        names[i] = fields[i].name;
    }
    row = status_pick_row(result, n_fields, fields);
    rc = myha_db_replica_status_parse(names, (const char *const *) row,
                                      n_fields, ret_status);
    if (rc == myha_rc_parse) {
        db_set_error(db, 0, "cannot %s on '%s': output not understood", what,
                     db->where);
    }
    free(names);

out_free_result:
    mysql_free_result(result);
    return rc;
}

/*!
 * \brief Point a replica at a source, with GTID auto-positioning
 *
 * The replica must be stopped (myha_db_replica_stop()).  The statement
 * carries the password and is never logged.
 *
 * \param[in,out] db      Connection to the replica
 * \param[in]     source  Source to replicate from
 *
 * \return 0 on success, myha_rc_invalid if \p source is incomplete,
 *         myha_rc_db_query, myha_rc_db_connect, or ENOMEM
 */
int
myha_db_replica_set_source(struct myha_db *db,
                           const struct myha_db_source *source)
{
    bool no_backslash_escapes = false;
    char *sql = NULL;
    int rc = 0;

    if ((db == NULL) || (source == NULL)) {
        return EINVAL;
    }
    no_backslash_escapes =
        ((db->conn->server_status & SERVER_STATUS_NO_BACKSLASH_ESCAPES) != 0);
    rc = myha_db_change_source_sql(db->version.flavour, source,
                                   no_backslash_escapes, &sql);
    if (rc != 0) {
        if (rc == myha_rc_invalid) {
            db_set_error(db, 0,
                         "cannot point replica '%s' at an incomplete "
                         "source (host, port and user are required)",
                         db->where);
        }
        return rc;
    }
    qb_log(LOG_DEBUG, "%s: pointing replica at %s:%u as '%s'", db->where,
           source->host, source->port, source->user);
    rc = db_run(db, "point replica at source", sql, true);
    free_secret(sql);
    return rc;
}

/*!
 * \brief Start both replication threads
 *
 * \param[in,out] db  Connection to the replica
 *
 * \return 0 on success, myha_rc_db_query, or myha_rc_db_connect
 */
int
myha_db_replica_start(struct myha_db *db)
{
    if (db == NULL) {
        return EINVAL;
    }
    return db_run(db, "start replica", db->dialect->replica_start, false);
}

/*!
 * \brief Stop both replication threads
 *
 * \param[in,out] db  Connection to the replica
 *
 * \return 0 on success, myha_rc_db_query, or myha_rc_db_connect
 */
int
myha_db_replica_stop(struct myha_db *db)
{
    if (db == NULL) {
        return EINVAL;
    }
    return db_run(db, "stop replica", db->dialect->replica_stop, false);
}

/*!
 * \brief Forget the source and the relay logs (RESET ... ALL)
 *
 * The replica must be stopped.  The executed GTID set stays.
 *
 * \param[in,out] db  Connection to the replica
 *
 * \return 0 on success, myha_rc_db_query, or myha_rc_db_connect
 */
int
myha_db_replica_reset(struct myha_db *db)
{
    if (db == NULL) {
        return EINVAL;
    }
    return db_run(db, "reset replica", db->dialect->replica_reset, false);
}

/*!
 * \brief Make the server read-only, or writable
 *
 * On MySQL, read-only means super_read_only (which implies read_only);
 * writable means both off.  On MariaDB it is read_only.
 *
 * \param[in,out] db         Connection
 * \param[in]     read_only  true for read-only, false for writable
 *
 * \return 0 on success, myha_rc_db_query, or myha_rc_db_connect
 */
int
myha_db_read_only_set(struct myha_db *db, bool read_only)
{
    const char *const *statements = NULL;
    const char *what =
        read_only ? "make the server read-only" : "make the server writable";

    if (db == NULL) {
        return EINVAL;
    }
    statements =
        read_only ? db->dialect->read_only_on : db->dialect->read_only_off;
    for (size_t i = 0; statements[i] != NULL; i++) {
        int rc = db_run(db, what, statements[i], false);

        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

/*!
 * \brief Tell whether the server is read-only
 *
 * \param[in,out] db             Connection
 * \param[out]    ret_read_only  Where to store the state (on success):
 *                               on MySQL, true only with super_read_only
 *
 * \return 0 on success, myha_rc_db_query, myha_rc_db_connect,
 *         myha_rc_parse for an unknown value, or ENOMEM
 */
int
myha_db_read_only_get(struct myha_db *db, bool *ret_read_only)
{
    static const char *what = "read the read-only state";
    char *value = NULL;
    int rc = 0;

    if ((db == NULL) || (ret_read_only == NULL)) {
        return EINVAL;
    }
    rc = db_value(db, what, db->dialect->read_only_get, &value);
    if (rc != 0) {
        return rc;
    }
    rc = myha_rc_parse;
    for (size_t i = 0;
         i < sizeof(read_only_values) / sizeof(read_only_values[0]); i++) {
        if ((value != NULL)
            && (strcasecmp(value, read_only_values[i].text) == 0)) {
            *ret_read_only = read_only_values[i].read_only;
            rc = 0;
            break;
        }
    }
    if (rc != 0) {
        db_set_error(db, 0, "cannot %s on '%s': unexpected value '%s'", what,
                     db->where, (value == NULL) ? "NULL" : value);
    }
    free(value);
    return rc;
}

/*!
 * \brief Read the server's executed GTID set
 *
 * MariaDB: @@GLOBAL.gtid_current_pos; MySQL: @@GLOBAL.gtid_executed
 * (without the newlines MySQL puts after its commas).
 *
 * \param[in,out] db        Connection
 * \param[out]    ret_gtid  Where to store the set (on success); "" if
 *                          empty
 *
 * \return 0 on success, myha_rc_db_query, myha_rc_db_connect, or ENOMEM
 * \note The caller frees \p *ret_gtid.
 */
int
myha_db_gtid_executed_get(struct myha_db *db, char **ret_gtid)
{
    char *value = NULL;
    char *out = NULL;
    int rc = 0;

    if ((db == NULL) || (ret_gtid == NULL)) {
        return EINVAL;
    }
    rc = db_value(db, "read the executed GTID set", db->dialect->gtid_executed,
                  &value);
    if (rc != 0) {
        return rc;
    }
    if (value == NULL) {
        value = strdup("");
        if (value == NULL) {
            return ENOMEM;
        }
    }
    out = value;
    for (const char *in = value; *in != '\0'; in++) {
        if ((*in != '\n') && (*in != '\r')) {
            *out++ = *in;
        }
    }
    *out = '\0';
    *ret_gtid = value;
    return 0;
}

/*!
 * \brief Read the server's server_id
 *
 * \param[in,out] db             Connection
 * \param[out]    ret_server_id  Where to store it (on success)
 *
 * \return 0 on success, myha_rc_db_query, myha_rc_db_connect,
 *         myha_rc_parse, or ENOMEM
 */
int
myha_db_server_id_get(struct myha_db *db, long long *ret_server_id)
{
    static const char *what = "read server_id";
    char *value = NULL;
    long long server_id = 0;
    int rc = 0;

    if ((db == NULL) || (ret_server_id == NULL)) {
        return EINVAL;
    }
    rc = db_value(db, what, db->dialect->server_id, &value);
    if (rc != 0) {
        return rc;
    }
    rc = myha_str_to_ll(value, &server_id);
    if (rc != 0) {
        db_set_error(db, 0, "cannot %s on '%s': unexpected value '%s'", what,
                     db->where, (value == NULL) ? "NULL" : value);
        rc = myha_rc_parse;
    } else {
        *ret_server_id = server_id;
    }
    free(value);
    return rc;
}
