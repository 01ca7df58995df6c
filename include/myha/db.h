/*
 * Connections to a MariaDB or MySQL server (MariaDB Connector/C), the
 * server's flavour and version, and the SQL dialect of each flavour.
 */
#ifndef MYHA_DB__H
#define MYHA_DB__H

#include <stdbool.h>
#include <stddef.h>

//! Server flavour; each has its own SQL dialect
enum myha_db_flavour {
    myha_db_mariadb = 0, //!< MariaDB (10.3 or later)
    myha_db_mysql = 1,   //!< MySQL (8.0.23 or later)
};

//! Server flavour and version
struct myha_db_version {
    enum myha_db_flavour flavour; //!< MariaDB or MySQL
    unsigned int major;           //!< e.g. 10 in 10.11.6
    unsigned int minor;           //!< e.g. 11 in 10.11.6
    unsigned int patch;           //!< e.g. 6 in 10.11.6
};

/*!
 * \brief How to reach a server
 *
 * The password never comes from here: it comes from \c option_file, or else
 * from the environment variable MYSQL_PWD (read by Connector/C).
 */
struct myha_db_opts {
    const char *socket; //!< Unix socket; used when \c host is NULL
    const char *host;   //!< Host name or address for TCP, or NULL
    unsigned int port;  //!< TCP port; 0 for the option file's or 3306
    const char *user;   //!< User, or NULL for the option file's
    //! Password, or NULL for the option file's or MYSQL_PWD; never logged
    const char *password;
    const char *option_file;      //!< Option file to read, or NULL
    const char *option_group;     //!< Group read besides [client], or NULL
    unsigned int connect_timeout; //!< Seconds; 0 for the library default
    unsigned int read_timeout;    //!< Seconds; 0 for the library default
    unsigned int write_timeout;   //!< Seconds; 0 for the library default
};

//! Statement texts of one flavour (see myha_db_dialect_get())
struct myha_db_dialect {
    enum myha_db_flavour flavour;
    const char *name;           //!< "MariaDB" or "MySQL"
    const char *replica_status; //!< One row per channel; none: not a replica
    const char *replica_start;
    const char *replica_stop;
    const char *replica_reset;    //!< Forget the source and the relay logs
    const char *read_only_on[3];  //!< Statements in order, NULL-terminated
    const char *read_only_off[3]; //!< Statements in order, NULL-terminated
    const char *read_only_get;    //!< One value: 1 when fully read-only
    const char *gtid_executed;    //!< One value: the executed GTID set
    const char *server_id;        //!< One value: @@server_id

    //! Words of "point at a source": verb, then the option names
    struct {
        const char *verb;     //!< "CHANGE MASTER TO"
        const char *host;     //!< "MASTER_HOST"
        const char *port;     //!< "MASTER_PORT"
        const char *user;     //!< "MASTER_USER"
        const char *password; //!< "MASTER_PASSWORD"
        const char *gtid;     //!< GTID auto-positioning clause
    } change_source;
};

//! A source to replicate from
struct myha_db_source {
    const char *host;     //!< Host name or address (not empty)
    unsigned int port;    //!< TCP port (1-65535)
    const char *user;     //!< Replication user (not empty)
    const char *password; //!< Its password (may be empty, not NULL)
};

//! State of a replication thread
enum myha_db_thread {
    myha_db_thread_stopped = 0, //!< "No"
    myha_db_thread_running,     //!< "Yes"
    myha_db_thread_connecting,  //!< IO thread only: "Connecting", or
                                //!< MariaDB's "Preparing" (connected)
};

/*!
 * \brief Replica status, from either dialect's column names
 *
 * Text fields are NULL when the column is absent (other flavour) or NULL,
 * and "" when it is empty; numbers are -1 when absent, NULL or empty.
 */
struct myha_db_replica_status {
    bool configured;            //!< false: not configured as a replica (no row)
    char *source_host;          //!< Master_Host / Source_Host
    long long source_port;      //!< Master_Port / Source_Port
    char *source_user;          //!< Master_User / Source_User
    long long source_server_id; //!< Master_Server_Id / Source_Server_Id
    enum myha_db_thread io_running;  //!< Slave_IO_Running / Replica_IO_Running
    enum myha_db_thread sql_running; //!< Slave_SQL_Running / Replica_...
    char *io_state;                  //!< Slave_IO_State / Replica_IO_State
    char *sql_state;                 //!< Slave_SQL_Running_State / Replica_...
    long long seconds_behind; //!< Seconds_Behind_Master / _Source; -1: NULL
    long long last_io_errno;  //!< Last_IO_Errno
    char *last_io_error;      //!< Last_IO_Error
    long long last_sql_errno; //!< Last_SQL_Errno
    char *last_sql_error;     //!< Last_SQL_Error
    char *source_log_file;    //!< Master_Log_File / Source_Log_File
    long long read_source_log_pos; //!< Read_Master_Log_Pos / Read_Source_...
    char *relay_log_file;          //!< Relay_Log_File
    long long relay_log_pos;       //!< Relay_Log_Pos
    char *relay_source_log_file;   //!< Relay_Master_Log_File / Relay_Source_...
    long long exec_source_log_pos; //!< Exec_Master_Log_Pos / Exec_Source_...
    char *until_condition;         //!< Until_Condition
    char *until_log_file;          //!< Until_Log_File
    long long until_log_pos;       //!< Until_Log_Pos
    char *using_gtid;              //!< MariaDB Using_Gtid: No, Current_Pos, ...
    char *gtid_io_pos;             //!< MariaDB Gtid_IO_Pos
    long long auto_position;       //!< MySQL Auto_Position (0 or 1)
    char *retrieved_gtid_set;      //!< MySQL Retrieved_Gtid_Set
    char *executed_gtid_set;       //!< MySQL Executed_Gtid_Set
    char *channel_name;            //!< MySQL Channel_Name
};

struct myha_db;

int myha_db_version_parse(const char *version, const char *comment,
                          struct myha_db_version *ret_version);
bool myha_is_db_version_supported(const struct myha_db_version *version);
const struct myha_db_dialect *myha_db_dialect_get(enum myha_db_flavour flavour);
int myha_db_quote(const char *text, bool no_backslash_escapes,
                  char **ret_quoted);
int myha_db_change_source_sql(enum myha_db_flavour flavour,
                              const struct myha_db_source *source,
                              bool no_backslash_escapes, char **ret_sql);
int myha_db_replica_status_parse(const char *const *names,
                                 const char *const *values, size_t n_columns,
                                 struct myha_db_replica_status **ret_status);
void myha_db_replica_status_free(struct myha_db_replica_status *status);

int myha_db_connect(const struct myha_db_opts *opts, struct myha_db **ret_db,
                    char **ret_reason);
void myha_db_free(struct myha_db *db);
const struct myha_db_version *myha_db_version_get(const struct myha_db *db);
const char *myha_db_error(const struct myha_db *db);
unsigned int myha_db_errno(const struct myha_db *db);

int myha_db_exec(struct myha_db *db, const char *sql);
int myha_db_query_value(struct myha_db *db, const char *sql, char **ret_value);
int myha_db_replica_status_get(struct myha_db *db,
                               struct myha_db_replica_status **ret_status);
int myha_db_replica_set_source(struct myha_db *db,
                               const struct myha_db_source *source);
int myha_db_replica_start(struct myha_db *db);
int myha_db_replica_stop(struct myha_db *db);
int myha_db_replica_reset(struct myha_db *db);
int myha_db_read_only_set(struct myha_db *db, bool read_only);
int myha_db_read_only_get(struct myha_db *db, bool *ret_read_only);
int myha_db_gtid_executed_get(struct myha_db *db, char **ret_gtid);
int myha_db_server_id_get(struct myha_db *db, long long *ret_server_id);

#endif // MYHA_DB__H
