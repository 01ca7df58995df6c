/*
 * ocf:myha:mysql-repl: shared declarations of the agent's files.
 */
#ifndef MYSQL_REPL__H
#define MYSQL_REPL__H

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

extern const struct myha_agent_meta mysql_repl_meta;

#endif // MYSQL_REPL__H
