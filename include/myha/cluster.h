/*
 * The Pacemaker and corosync side of the agents: promotion score and node
 * attributes (published only when they change), peers' attributes, the
 * current primary as a cluster property, corosync membership, fencing, and
 * the pure decision whether promote may leave read-only.
 */
#ifndef MYHA_CLUSTER__H
#define MYHA_CLUSTER__H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

//! Where Pacemaker's command-line tools live (crm_attribute, attrd_updater)
#define MYHA_CLUSTER_TOOLS_DIR "/usr/sbin"

//! Cache directory when $HA_RSCTMP is not set (resource-agents' default)
#define MYHA_CLUSTER_CACHE_DIR "/run/resource-agents"

//! libqb IPC name of pacemaker-attrd (T_ATTRD)
#define MYHA_CLUSTER_ATTRD_IPC "attrd"

//! libqb IPC names of the CIB manager and the controller
#define MYHA_CLUSTER_CIB_IPC "cib_rw"
#define MYHA_CLUSTER_CONTROLLER_IPC "crmd"

//! libqb IPC name of pacemaker-fenced
#define MYHA_CLUSTER_FENCER_IPC "stonith-ng"

//! A published value is published again after this long, so a lost update
//! heals by itself
#define MYHA_CLUSTER_CACHE_MAX_AGE_S 600

//! Time a Pacemaker tool may take before it is killed
#define MYHA_CLUSTER_TOOL_TIMEOUT_MS 15000

//! How to reach the cluster; zero-initialise, NULL/0 fields take defaults
struct myha_cluster_opts {
    //! Directory of crm_attribute, attrd_updater and crm_node
    //! (default MYHA_CLUSTER_TOOLS_DIR)
    const char *tools_dir;

    //! Directory of the publish cache (default $HA_RSCTMP, else
    //! MYHA_CLUSTER_CACHE_DIR)
    const char *cache_dir;

    //! IPC names of pacemaker-attrd, the CIB manager and the controller,
    //! checked before a tool is run (defaults MYHA_CLUSTER_*_IPC)
    const char *attrd_ipc;
    const char *cib_ipc;        //!< (default MYHA_CLUSTER_CIB_IPC)
    const char *controller_ipc; //!< (default MYHA_CLUSTER_CONTROLLER_IPC)

    //! Seconds after which an unchanged value is published again
    //! (default MYHA_CLUSTER_CACHE_MAX_AGE_S)
    int max_age_s;

    //! Milliseconds a tool may run (default MYHA_CLUSTER_TOOL_TIMEOUT_MS)
    int timeout_ms;
};

//! A handle on the local cluster stack (opaque)
struct myha_cluster;

//! What a publish call did when it succeeded
enum myha_cluster_publish {
    myha_publish_unchanged = 0, //!< Cache says attrd has it: nothing started
    myha_publish_done,          //!< A Pacemaker tool ran and succeeded
};

//! One node's value of a node attribute
struct myha_node_value {
    char *node;  //!< Node name
    char *value; //!< Value ("" when the attribute was cleared on that node)
};

int myha_cluster_new(const struct myha_cluster_opts *opts,
                     struct myha_cluster **ret_cluster);
void myha_cluster_free(struct myha_cluster *cluster);
const char *myha_cluster_tool_error(const struct myha_cluster *cluster);

bool myha_is_cluster_reachable(const struct myha_cluster *cluster);
int myha_cluster_attrd_identity(const struct myha_cluster *cluster,
                                char **ret_identity);

int myha_cluster_score_set(struct myha_cluster *cluster, const char *rsc,
                           int score, enum myha_cluster_publish *ret_outcome);
int myha_cluster_score_clear(struct myha_cluster *cluster, const char *rsc,
                             enum myha_cluster_publish *ret_outcome);
int myha_cluster_attr_set(struct myha_cluster *cluster, const char *name,
                          const char *value,
                          enum myha_cluster_publish *ret_outcome);
int myha_cluster_attr_clear(struct myha_cluster *cluster, const char *name,
                            enum myha_cluster_publish *ret_outcome);
const char *myha_cluster_publish_str(enum myha_cluster_publish outcome);

int myha_cluster_attr_query_all(struct myha_cluster *cluster, const char *name,
                                struct myha_node_value **ret_values,
                                size_t *ret_n);
int myha_cluster_attr_parse(const char *text, const char *name,
                            struct myha_node_value **ret_values, size_t *ret_n);
void myha_node_values_free(struct myha_node_value *values, size_t n);

int myha_cluster_local_node(struct myha_cluster *cluster, char **ret_node);
int myha_cluster_node_id(struct myha_cluster *cluster, const char *node,
                         uint32_t *ret_id);
int myha_cluster_node_list_parse(const char *text, const char *node,
                                 uint32_t *ret_id);
int myha_cluster_node_names(struct myha_cluster *cluster, char ***ret_names,
                            size_t *ret_n);
int myha_cluster_node_names_parse(const char *text, char ***ret_names,
                                  size_t *ret_n);
void myha_cluster_node_names_free(char **names, size_t n);
int myha_cluster_node_attr_set(struct myha_cluster *cluster, const char *node,
                               const char *name, const char *value);
int myha_cluster_node_attr_get(struct myha_cluster *cluster, const char *node,
                               const char *name, char **ret_value);

int myha_cluster_primary_set(struct myha_cluster *cluster, const char *rsc,
                             const char *node, time_t since);
int myha_cluster_primary_get(struct myha_cluster *cluster, const char *rsc,
                             char **ret_node, time_t *ret_since);

bool myha_is_ipc_listening(const char *ipc_name, pid_t *ret_pid);

// lib/membership.c

int myha_membership_node_ids(uint32_t **ret_ids, size_t *ret_n);
int myha_membership_has_node(struct myha_cluster *cluster, const char *node,
                             bool *ret_member);

// lib/stonith.c

int myha_stonith_last_fenced(const char *node, time_t *ret_when);
int myha_stonith_fence(const char *node, int timeout_s, bool off);

// lib/failover.c

//! Facts about the old primary that decide whether promote may proceed
struct myha_failover_input {
    //! Node recorded as primary, or NULL/"" if none (first promotion)
    const char *old_primary;

    //! This node's name; an old primary equal to it needs no fencing
    const char *local_node;

    bool reachable;       //!< The old primary's mysqld answered
    bool made_read_only;  //!< It was made read-only and its writers ended
    bool in_membership;   //!< Its node is in the corosync membership
    time_t fenced_at;     //!< When it was last fenced, 0 if never
    time_t primary_since; //!< When it became primary, 0 if unknown

    //! Value of the fence_unreachable_primary parameter
    bool fence_unreachable_primary;
};

//! What promote does about the old primary
enum myha_failover_action {
    myha_failover_proceed_no_primary = 0, //!< Nothing to demote or fence
    myha_failover_proceed_demoted,        //!< Old primary is read-only
    myha_failover_proceed_fenced,         //!< Old primary was fenced
    myha_failover_fence,                  //!< Fence it, wait, decide again
    myha_failover_refuse,                 //!< Do not promote
};

int myha_failover_decide(const struct myha_failover_input *input,
                         enum myha_failover_action *ret_action,
                         char **ret_reason);
bool myha_is_failover_proceed(enum myha_failover_action action);
const char *myha_failover_action_str(enum myha_failover_action action);

#endif // MYHA_CLUSTER__H
