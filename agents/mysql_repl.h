/*
 * ocf:myha:mysql-repl: shared declarations of the agent's files.
 */
#ifndef MYSQL_REPL__H
#define MYSQL_REPL__H

#include <stdbool.h>
#include <sys/types.h>

#include <crm/common/results.h> // enum ocf_exitcode

#include <myha/cluster.h>
#include <myha/db.h>
#include <myha/params.h>
#include <myha/pitr.h>
#include <myha/repl.h>

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
    P_PITR_SOURCE,
    P_PITR_UNTIL_GTID,
    P_PITR_UNTIL_TIME,
    P_PITR_SKIP_GTID,
    P_PITR_PARALLEL_WORKERS,
    P_PITR_BACKUP,
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
    char *rsc;                    //!< Resource name without ":N"
    struct myha_cluster *cluster; //!< Cluster handle, created on demand
    char *local_node;             //!< This node's name, found on demand
    bool said_no_cluster;         //!< "No cluster" was logged already
};

//! Promotion score of a healthy replica and of the primary
#define SCORE_PROMOTABLE 1000

//! No promotion score: not promotable
#define SCORE_NONE (-1)

extern const struct myha_agent_meta mysql_repl_meta;

// mysql_repl_server.c: the server process
int server_running(struct agent *agent, pid_t *ret_pid);
enum ocf_exitcode server_start(struct agent *agent);
enum ocf_exitcode server_stop(struct agent *agent);
int server_connect(struct agent *agent, char **ret_reason);
const char *agent_param(const struct agent *agent, enum mysql_repl_param p);
long long agent_remaining_ms(const struct agent *agent);

// mysql_repl_cluster.c: the cluster and other nodes
const char *agent_rsc(struct agent *agent);
struct myha_cluster *agent_cluster(struct agent *agent);
const char *agent_local_node(struct agent *agent);
void agent_publish_score(struct agent *agent, int score);
void agent_publish_attr(struct agent *agent, const char *what,
                        const char *value);
int agent_query_attr(struct agent *agent, const char *what,
                     struct myha_node_value **ret_values, size_t *ret_n);
int agent_password(const struct agent *agent, char **ret_password);
void agent_password_free(char *password);
struct myha_db_opts agent_node_opts(const struct agent *agent, const char *node,
                                    const char *password);
int agent_node_gtid(const struct agent *agent, const char *node,
                    char **ret_gtid, char **ret_reason);
int agent_node_position(const struct agent *agent, const char *node,
                        char **ret_executed, char **ret_received,
                        char **ret_reason);
int agent_node_query(const struct agent *agent, const char *node,
                     const char *sql, char **ret_value, char **ret_reason);
int agent_follow(struct agent *agent, const char *node);
char *agent_marker_path(struct agent *agent, const char *kind);
char *agent_marker_read(struct agent *agent, const char *kind,
                        const char *empty);
int agent_marker_write(struct agent *agent, const char *kind, const char *text);

//! Marker kinds (agent_marker_*())
#define MARKER_DIVERGED "diverged"
#define MARKER_PITR_UNFINISHED "pitr-unfinished"
//! A finished pitr that is not promoted yet: replicates from nobody
#define MARKER_PITR_DONE "pitr-done"

// mysql_repl_role.c: roles
enum ocf_exitcode role_monitor(struct agent *agent);
enum ocf_exitcode role_promote(struct agent *agent);
enum ocf_exitcode role_demote(struct agent *agent);
enum ocf_exitcode role_notify(struct agent *agent);
void role_follow_primary(struct agent *agent);

// mysql_repl_pitr.c: point-in-time recovery
enum ocf_exitcode pitr_check_params(const struct agent *agent,
                                    struct myha_pitr_target *ret_target);
enum ocf_exitcode pitr_run(struct agent *agent,
                           const struct myha_pitr_target *target);

#endif // MYSQL_REPL__H
