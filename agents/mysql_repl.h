/*
 * ocf:myha:mysql-repl: shared declarations of the agent's files.
 */
#ifndef MYSQL_REPL__H
#define MYSQL_REPL__H

#include <stdbool.h>
#include <sys/types.h>

#include <crm/common/results.h> // enum ocf_exitcode

#include <myha/db.h>
#include <myha/params.h>

//! Index of each parameter in mysql_repl_params[]
enum mysql_repl_param {
    P_BINARY,
    P_CONFIG,
    P_DATADIR,
    P_SOCKET,
    P_PID,
    P_USER,
    P_GROUP,
    P_LOG,
    P_ADDITIONAL_PARAMETERS,
    P_CLIENT_CONFIG,
    P_REPLICATION_USER,
    P_REPLICATION_PASSWD,
    P_REPLICATION_PASSWD_FILE,
    P_REPLICATION_PORT,
    P_MAX_LAG,
    P_DRAIN_TIMEOUT,
    P_DEMOTE_TIMEOUT,
    P_FENCE_UNREACHABLE_PRIMARY,
    P__COUNT
};

//! State of one agent invocation
struct agent {
    const char *action;           //!< Action being run
    struct myha_params *params;   //!< Loaded parameters (NULL until loaded)
    char *binary;                 //!< Resolved server binary path
    enum myha_db_flavour flavour; //!< Flavour of the binary
    long long timeout_ms;         //!< The action's timeout
    struct myha_db *db;           //!< Admin connection, opened on demand
};

extern const struct myha_agent_meta mysql_repl_meta;

// mysql_repl_server.c: the server process
int server_running(struct agent *agent, pid_t *ret_pid);
enum ocf_exitcode server_start(struct agent *agent);
enum ocf_exitcode server_stop(struct agent *agent);
int server_connect(struct agent *agent, char **ret_reason);
const char *agent_param(const struct agent *agent, enum mysql_repl_param p);
long long agent_remaining_ms(const struct agent *agent);

#endif // MYSQL_REPL__H
