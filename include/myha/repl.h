/*
 * Replication operations on a connection, for the promotable agent: read
 * the replication state, judge whether a replica may be promoted, follow a
 * source, drain the relay log, detach, and make a server read-only.
 */
#ifndef MYHA_REPL__H
#define MYHA_REPL__H

#include <stdbool.h>
#include <stdint.h>

#include <myha/db.h>
#include <myha/gtid.h>

//! Seconds between two progress reports of myha_repl_drain()
#define MYHA_REPL_DRAIN_STEP_S 2

//! Timeouts (seconds) of myha_repl_source_gtid_get() when the options give 0
#define MYHA_REPL_SOURCE_TIMEOUT_S 5

//! Seconds one attempt of myha_repl_make_read_only() waits for locks
#define MYHA_REPL_LOCK_WAIT_S 1

//! Statement texts of one flavour (see myha_repl_dialect_get())
struct myha_repl_dialect {
    enum myha_db_flavour flavour;

    //! One value: "<read-only>\t<executed GTID set>"
    const char *state;

    //! On a source: one value, the GTID set it can send to replicas
    const char *source_gtid;

    //! One value: the GTID set the SQL thread has applied
    const char *applied_gtid;

    const char *io_stop;   //!< Stop the IO (receiver) thread only
    const char *sql_start; //!< Start the SQL (applier) thread only

    //! Before pointing at a source, or NULL: make the replica position
    //! include the transactions this server wrote itself as a primary
    const char *own_writes_to_replica_pos;

    //! One value: ids of client sessions that hold uncommitted writes or
    //! row locks, comma-separated, or NULL if there are none
    const char *writers;

    //! Restore the session's lock wait timeout after make_read_only
    const char *lock_wait_reset;
};

/*!
 * \brief Replication state of a server (see myha_repl_state_get())
 *
 * Release with myha_repl_state_release().
 */
struct myha_repl_state {
    enum myha_db_flavour flavour; //!< Of the server
    bool read_only;               //!< read_only (MySQL: super_read_only) on
    char *executed_text; //!< Executed GTID set as the server wrote it ("")
    struct myha_gtid_set *executed; //!< The same, parsed

    //! Replica status; never NULL after myha_repl_state_get(), with
    //! configured false when the server is not a replica
    struct myha_db_replica_status *replica;

    //! Received GTID position: MariaDB Gtid_IO_Pos, MySQL
    //! Retrieved_Gtid_Set; points into \c replica, NULL if unknown
    const char *received_text;
};

//! What myha_repl_health_eval() found first, most serious first
enum myha_repl_problem {
    myha_repl_ok = 0,          //!< Nothing to say
    myha_repl_not_replica,     //!< Not configured as a replica (blocks)
    myha_repl_sql_error,       //!< SQL thread error (blocks)
    myha_repl_errant,          //!< Transactions the primary lacks (blocks)
    myha_repl_lagging,         //!< Lag above max_lag (blocks)
    myha_repl_sql_stopped,     //!< SQL thread stopped, no error (warning)
    myha_repl_io_error,        //!< IO thread not connected, error (warning)
    myha_repl_io_disconnected, //!< IO thread not connected (warning)
};

//! Verdict of myha_repl_health_eval(); release with
//! myha_repl_health_release()
struct myha_repl_health {
    bool promotable;                //!< May this replica be promoted
    enum myha_repl_problem problem; //!< First problem, myha_repl_ok if none
    char *reason;      //!< One line on the first problem, NULL if none
    uint64_t n_errant; //!< Errant transactions (0 if unknown or none)
};

//! A source to follow
struct myha_repl_source {
    const char *host;     //!< Host name or address (not empty)
    unsigned int port;    //!< TCP port (1-65535)
    const char *user;     //!< Replication user (not empty)
    const char *password; //!< Its password (may be empty, not NULL)
};

//! Progress of myha_repl_drain(), reported every MYHA_REPL_DRAIN_STEP_S
struct myha_repl_progress {
    const char *applied;  //!< GTID set applied so far
    const char *received; //!< GTID set to reach
    uint64_t remaining;   //!< Transactions received but not yet applied
    long long elapsed_ms; //!< Since the drain began
};

//! Called by myha_repl_drain() with its progress
typedef void (*myha_repl_progress_fn)(const struct myha_repl_progress *progress,
                                      void *cb_data);

const struct myha_repl_dialect *
myha_repl_dialect_get(enum myha_db_flavour flavour);
int myha_repl_wait_sql(enum myha_db_flavour flavour, const char *gtid,
                       long long timeout_ms, char **ret_sql);
int myha_repl_lock_wait_sql(enum myha_db_flavour flavour, long long seconds,
                            char **ret_sql);
int myha_repl_kill_sql(enum myha_db_flavour flavour, long long session_id,
                       char **ret_sql);

int myha_repl_state_get(struct myha_db *db, struct myha_repl_state *ret_state);
void myha_repl_state_release(struct myha_repl_state *state);

int myha_repl_health_eval(const struct myha_repl_state *st, long long max_lag_s,
                          const struct myha_gtid_set *primary_executed,
                          struct myha_repl_health *ret_health);
void myha_repl_health_release(struct myha_repl_health *health);
const char *myha_repl_problem_str(enum myha_repl_problem problem);

int myha_repl_source_gtid_get(const struct myha_db_opts *tcp_opts,
                              char **ret_gtid, char **ret_reason);
int myha_repl_peer_position_get(const struct myha_db_opts *tcp_opts,
                                char **ret_executed, char **ret_received,
                                char **ret_reason);
int myha_repl_follow(struct myha_db *db, const struct myha_repl_source *src);
int myha_repl_drain(struct myha_db *db, long long timeout_ms,
                    myha_repl_progress_fn cb, void *cb_data, char **ret_reason);
int myha_repl_detach(struct myha_db *db);
int myha_repl_make_read_only(struct myha_db *db, long long timeout_ms,
                             unsigned int *ret_killed, char **ret_reason);

#endif // MYHA_REPL__H
