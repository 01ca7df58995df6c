/*
 * ocf:myha:mysql-repl: roles.  monitor tells primary from replica and says
 * how promotable a replica is; promote, demote and notify move the roles
 * without ever leaving two writable servers.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <qb/qblog.h>

#include <myha/cluster.h>
#include <myha/gtid.h>
#include <myha/ocf.h>
#include <myha/rc.h>
#include <myha/repl.h>
#include <myha/str.h>

#include "mysql_repl.h"

#define BINLOG_STATE_SQL "SELECT @@GLOBAL.gtid_binlog_state"

/* Last_IO_Errno when the source cannot send from the replica's position:
 * ER_MASTER_FATAL_ERROR_READING_BINLOG (MariaDB), ER_SOURCE_... (MySQL)
 */
#define ER_SOURCE_FATAL_READING_BINLOG 1236

//! Score of a server that replicates from nobody while no other node is
//! recorded as primary (a new cluster): promotable, below healthy replicas
#define SCORE_UNATTACHED 100

//! Permanent node attribute (myha-RSC-stale) of the nodes that hold the
//! history a pitr replaced: "NODE@SINCE", the recovered primary and when
#define STALE_ATTR_FMT "myha-%s-stale"

//! How long promote waits for fencing of an unreachable old primary
#define FENCE_TIMEOUT_S 60

static enum myha_gtid_flavor
gtid_flavor(enum myha_db_flavour flavour)
{
    return (flavour == myha_db_mysql) ? MYHA_GTID_MYSQL : MYHA_GTID_MARIADB;
}

// Read the state or write an exit reason
static enum ocf_exitcode
read_state(struct agent *agent, struct myha_repl_state *st)
{
    if (myha_repl_state_get(agent->db, st) != 0) {
        myha_ocf_exit_reason("cannot read the replication state: %s",
                             myha_db_error(agent->db));
        return PCMK_OCF_UNKNOWN_ERROR;
    }
    return PCMK_OCF_OK;
}

/* Another node's executed set, parsed; NULL (with a debug log) when its
 * server cannot be asked
 */
static struct myha_gtid_set *
node_gtid_set(struct agent *agent, const char *node,
              enum myha_db_flavour flavour, char **ret_reason)
{
    char *text = NULL;
    char *reason = NULL;
    struct myha_gtid_set *set = NULL;

    if (agent_node_gtid(agent, node, &text, &reason) != 0) {
        qb_log(LOG_DEBUG, "cannot read the position of '%s': %s", node,
               (reason == NULL) ? "" : reason);
        if (ret_reason != NULL) {
            *ret_reason = reason;
            reason = NULL;
        }
    } else if (myha_gtid_set_parse(text, gtid_flavor(flavour), &set, &reason)
               != 0) {
        qb_log(LOG_WARNING, "position of '%s' not understood: %s", node,
               (reason == NULL) ? "" : reason);
        set = NULL;
    }
    free(reason);
    free(text);
    return set;
}

// The node recorded as primary, or NULL; since may be NULL
static char *
recorded_primary(struct agent *agent, time_t *since)
{
    struct myha_cluster *cluster = agent_cluster(agent);
    char *node = NULL;
    time_t when = 0;

    if ((cluster == NULL)
        || (myha_cluster_primary_get(cluster, agent_rsc(agent), &node, &when)
            != 0)) {
        return NULL;
    }
    if (since != NULL) {
        *since = when;
    }
    return node;
}

/* This instance's divergence marker: written when a replica refuses to
 * follow a primary whose history it diverged from, so that monitor keeps
 * it unpromotable even when that primary is gone (then its source can no
 * longer be asked).
 */
static void
mark_diverged(struct agent *agent, const char *why)
{
    agent_marker_write(agent, MARKER_DIVERGED, why);
}

static void
clear_diverged(struct agent *agent)
{
    agent_marker_write(agent, MARKER_DIVERGED, NULL);
}

// The divergence reason if this instance is marked diverged, else NULL
static char *
diverged_reason(struct agent *agent)
{
    return agent_marker_read(agent, MARKER_DIVERGED,
                             "diverged from the primary");
}

/* Whether everything this replica executed came from its source (it is
 * contained in what the IO thread received, which the source had): then
 * there can be no errant transaction, and monitor need not ask the source
 * over the network.  The usual case; the check is cheap.
 */
static bool
is_all_received(const struct myha_repl_state *st)
{
    struct myha_gtid_set *received = NULL;
    bool all = false;

    if ((st->received_text != NULL) && (*st->received_text != '\0')
        && (myha_gtid_set_parse(st->received_text, gtid_flavor(st->flavour),
                                &received, NULL)
            == 0)) {
        all = myha_gtid_set_contains(received, st->executed);
    }
    myha_gtid_set_free(received);
    return all;
}

/*!
 * \brief Monitor the role of a running, connected server
 *
 * A writable server is the primary (8).  A read-only one is a replica (0)
 * whose promotion score and published position and health say how
 * promotable it is.  Publishing forks only when a value changes.
 *
 * \param[in,out] agent  Agent state, connected
 *
 * \return OCF exit code
 */
enum ocf_exitcode
role_monitor(struct agent *agent)
{
    struct myha_repl_state st;
    struct myha_repl_health health = { 0 };
    struct myha_gtid_set *primary = NULL;
    char *diverged = NULL;
    char *recovered = NULL;
    enum ocf_exitcode status = read_state(agent, &st);
    int score = SCORE_PROMOTABLE;
    bool idle = false;

    if (status != PCMK_OCF_OK) {
        return status;
    }
    if (!st.read_only) {
        agent_publish_score(agent, SCORE_PROMOTABLE);
        agent_publish_attr(agent, "gtid", NULL);
        agent_publish_attr(agent, "health", "primary");
        myha_repl_state_release(&st);
        return PCMK_OCF_RUNNING_PROMOTED;
    }

    /* An interrupted or failed pitr: neither a finished recovery nor a
     * replica (its source may be the replay's dummy one: not asked)
     */
    diverged =
        agent_marker_read(agent, MARKER_PITR_UNFINISHED, "unfinished pitr");
    if (diverged == NULL) {
        diverged = diverged_reason(agent);
    }
    if (diverged != NULL) {
        qb_log(LOG_WARNING, "not promotable: %s", diverged);
        agent_publish_attr(agent, "health", diverged);
        agent_publish_score(agent, SCORE_NONE);
        agent_publish_attr(agent, "gtid", NULL);
        goto out_release;
    }
    recovered = agent_marker_read(agent, MARKER_PITR_DONE, "recovered by pitr");
    if (recovered != NULL) {
        char *why = myha_str_printf("%s; waiting to be promoted", recovered);

        /* No score: Pacemaker never promotes it by itself (it would drop
         * the writes made since); a constraint does (pcs resource move
         * --promoted)
         */
        agent_publish_attr(agent, "health", (why == NULL) ? recovered : why);
        agent_publish_score(agent, SCORE_NONE);
        agent_publish_attr(agent, "gtid", NULL);
        free(why);
        goto out_release;
    }
    if (st.replica->configured && (st.replica->source_host != NULL)
        && !is_all_received(&st)) {
        primary =
            node_gtid_set(agent, st.replica->source_host, st.flavour, NULL);
    }
    if (myha_repl_health_eval(&st, myha_params_num(agent->params, P_MAX_LAG),
                              primary, &health)
        != 0) {
        myha_ocf_exit_reason("cannot evaluate replication health");
        status = PCMK_OCF_UNKNOWN_ERROR;
        goto out_release;
    }

    /* Configured as a replica, but both threads stopped without an error:
     * neither receiving nor applying, as good as not a replica (its
     * position is frozen and its lag unknown).
     */
    idle = (health.problem == myha_repl_sql_stopped)
           && (st.replica->io_running == myha_db_thread_stopped);
    if (st.replica->configured
        && (st.replica->last_io_errno == ER_SOURCE_FATAL_READING_BINLOG)) {
        /* The source cannot send what follows this replica's position: it
         * purged it, or this replica's history forked from the source's
         * (MariaDB: "not in the master's binlog").  It falls further
         * behind with every transaction: never promotable.
         */
        char *why = myha_str_printf("replication cannot continue: error "
                                    "%lld: %s",
                                    st.replica->last_io_errno,
                                    (st.replica->last_io_error == NULL)
                                        ? ""
                                        : st.replica->last_io_error);

        score = SCORE_NONE;
        qb_log(LOG_WARNING, "not promotable: %s", (why == NULL) ? "" : why);
        agent_publish_attr(agent, "health", why);
        free(why);
    } else if ((health.problem == myha_repl_not_replica) || idle) {
        char *node = recorded_primary(agent, NULL);

        /* Replicating from nobody is fine only while nobody else is the
         * primary: a new cluster, or this node was the primary itself.
         */
        if ((node == NULL) || (strcmp(node, agent_local_node(agent)) == 0)) {
            score = SCORE_UNATTACHED;
            agent_publish_attr(agent, "health",
                               "not replicating; no other "
                               "primary");
        } else {
            char *why =
                myha_str_printf("not replicating from primary '%s'", node);

            score = SCORE_NONE;
            qb_log(LOG_WARNING, "not promotable: %s", why);
            agent_publish_attr(agent, "health", why);
            free(why);
        }
        free(node);
    } else if (!health.promotable) {
        score = SCORE_NONE;
        qb_log(LOG_WARNING, "not promotable: %s", health.reason);
        agent_publish_attr(agent, "health", health.reason);
    } else {
        if (health.problem != myha_repl_ok) {
            qb_log(LOG_INFO, "promotable, but: %s", health.reason);
        }
        agent_publish_attr(agent, "health", "ok");
    }
    agent_publish_score(agent, score);
    /* A diverged position is no measure of completeness: published, its
     * errant transactions would make every peer's promote refuse.
     */
    agent_publish_attr(agent, "gtid",
                       (health.problem == myha_repl_errant) ? NULL
                                                            : st.executed_text);

out_release:
    free(diverged);
    free(recovered);
    myha_repl_health_release(&health);
    myha_gtid_set_free(primary);
    myha_repl_state_release(&st);
    return status;
}

/* What this replica has: executed plus received-but-not-applied (which
 * promote applies before it leaves read-only)
 */
static struct myha_gtid_set *
own_position(const struct myha_repl_state *st)
{
    struct myha_gtid_set *received = NULL;
    struct myha_gtid_set *all = NULL;

    if ((st->received_text != NULL) && (*st->received_text != '\0')
        && (myha_gtid_set_parse(st->received_text, gtid_flavor(st->flavour),
                                &received, NULL)
            == 0)
        && (myha_gtid_set_union(st->executed, received, &all) == 0)) {
        myha_gtid_set_free(received);
        return all;
    }
    myha_gtid_set_free(received);
    return NULL;
}

static void
drain_progress(const struct myha_repl_progress *p, void *data)
{
    qb_log(LOG_INFO,
           "applying the relay log: %llu transactions left after "
           "%lld ms (applied %s of %s)",
           (unsigned long long) p->remaining, p->elapsed_ms,
           (p->applied == NULL) ? "" : p->applied,
           (p->received == NULL) ? "" : p->received);
}

/* A peer replica's position as its server tells it now: executed plus
 * received (its SQL thread applies the rest, and its binary log passes it
 * on); NULL if it cannot be asked
 */
static struct myha_gtid_set *
peer_position(struct agent *agent, const char *node,
              enum myha_db_flavour flavour)
{
    char *executed = NULL;
    char *received = NULL;
    char *reason = NULL;
    struct myha_gtid_set *ex = NULL;
    struct myha_gtid_set *rx = NULL;
    struct myha_gtid_set *all = NULL;

    if (agent_node_position(agent, node, &executed, &received, &reason) != 0) {
        qb_log(LOG_INFO, "cannot ask replica '%s' for its position: %s", node,
               (reason == NULL) ? "" : reason);
    } else if ((myha_gtid_set_parse(executed, gtid_flavor(flavour), &ex, NULL)
                == 0)
               && (myha_gtid_set_parse(received, gtid_flavor(flavour), &rx,
                                       NULL)
                   == 0)) {
        if (myha_gtid_set_union(ex, rx, &all) != 0) {
            all = NULL;
        }
    } else {
        qb_log(LOG_WARNING, "position of replica '%s' not understood", node);
    }
    myha_gtid_set_free(ex);
    myha_gtid_set_free(rx);
    free(executed);
    free(received);
    free(reason);
    return all;
}

/* The peer replica with the most transactions this node lacks, and what
 * it has (*ret_node, *ret_theirs: caller frees; both NULL when no peer has
 * anything this node lacks).  Peers are the nodes that published a
 * position: healthy replicas (a diverged one publishes none, so its
 * history is never taken on).  Each is asked directly, because a published
 * position is up to a monitor interval old; one that cannot be asked
 * counts with its published position, and then lacking anything of it is
 * a refusal: nothing could bring it here.
 */
static enum ocf_exitcode
most_advanced_peer(struct agent *agent, const struct myha_gtid_set *ours,
                   enum myha_db_flavour flavour, char **ret_node,
                   struct myha_gtid_set **ret_theirs, uint64_t *ret_count)
{
    struct myha_node_value *values = NULL;
    enum ocf_exitcode status = PCMK_OCF_OK;
    uint64_t most = 0;
    size_t n = 0;
    int rc = agent_query_attr(agent, "gtid", &values, &n);

    *ret_node = NULL;
    *ret_theirs = NULL;
    *ret_count = 0;
    if (rc == ENOTCONN) {
        qb_log(LOG_INFO, "no cluster reachable: positions of peers not "
                         "compared");
        return PCMK_OCF_OK;
    }
    if (rc != 0) {
        myha_ocf_exit_reason("cannot read the positions of the other "
                             "replicas: %s",
                             myha_rc_str(rc));
        return PCMK_OCF_UNKNOWN_ERROR;
    }
    qb_log(LOG_INFO, "comparing with the positions %zu node%s published", n,
           (n == 1) ? "" : "s");
    for (size_t i = 0; (i < n) && (status == PCMK_OCF_OK); i++) {
        struct myha_gtid_set *theirs = NULL;
        struct myha_gtid_set *missing = NULL;
        bool asked = false;

        if ((strcmp(values[i].node, agent_local_node(agent)) == 0)
            || (values[i].value[0] == '\0')) {
            continue;
        }
        theirs = peer_position(agent, values[i].node, flavour);
        asked = (theirs != NULL);
        if (!asked
            && (myha_gtid_set_parse(values[i].value, gtid_flavor(flavour),
                                    &theirs, NULL)
                != 0)) {
            qb_log(LOG_WARNING, "ignoring unreadable position of '%s'",
                   values[i].node);
            continue;
        }
        {
            char *text = myha_gtid_set_format(theirs);

            qb_log(LOG_INFO, "replica '%s' has %s (%s)", values[i].node,
                   (text == NULL) ? "?" : text,
                   asked ? "asked now" : "as published");
            free(text);
        }
        if (!myha_gtid_set_contains(ours, theirs)
            && (myha_gtid_set_subtract(theirs, ours, &missing) == 0)) {
            uint64_t count = myha_gtid_set_count(missing);

            if (!asked) {
                char *text = myha_gtid_set_format(missing);

                myha_ocf_exit_reason("not promoting: replica '%s' has "
                                     "transactions this node lacks (%s) and "
                                     "cannot be asked for them",
                                     values[i].node,
                                     (text == NULL) ? "?" : text);
                free(text);
                status = PCMK_OCF_UNKNOWN_ERROR;
            } else if (count > most) {
                most = count;
                free(*ret_node);
                myha_gtid_set_free(*ret_theirs);
                *ret_node = strdup(values[i].node);
                *ret_theirs = theirs;
                *ret_count = count;
                theirs = NULL;
            }
        }
        myha_gtid_set_free(missing);
        myha_gtid_set_free(theirs);
    }
    myha_node_values_free(values, n);
    if (status != PCMK_OCF_OK) {
        free(*ret_node);
        myha_gtid_set_free(*ret_theirs);
        *ret_node = NULL;
        *ret_theirs = NULL;
    }
    return status;
}

/* Whether this server's executed set contains want (false if unknown) */
static bool
has_executed(struct agent *agent, const struct myha_gtid_set *want)
{
    struct myha_repl_state st;
    bool has = false;

    if (myha_repl_state_get(agent->db, &st) == 0) {
        has = myha_gtid_set_contains(st.executed, want);
        myha_repl_state_release(&st);
    }
    return has;
}

/* Take on what the peer replicas have and this node lacks: after the old
 * primary is gone, the replicas hold different amounts of what it wrote,
 * and the new primary must hold all of it, or acknowledged commits that
 * a replica received would be lost.  This node applies its own relay log,
 * then replicates from the peer that has the most it lacks until it has
 * it (within drain_timeout), and looks again, at most once per peer.
 */
static enum ocf_exitcode
catch_up_peers(struct agent *agent, enum myha_db_flavour flavour)
{
    long long budget = myha_params_num(agent->params, P_DRAIN_TIMEOUT);
    enum ocf_exitcode status = PCMK_OCF_OK;

    for (int round = 0; (round < 8) && (status == PCMK_OCF_OK); round++) {
        struct myha_repl_state st;
        struct myha_gtid_set *mine = NULL;
        struct myha_gtid_set *theirs = NULL;
        char *node = NULL;
        char *reason = NULL;
        long long waited = 0;
        uint64_t count = 0;

        status = read_state(agent, &st);
        if (status != PCMK_OCF_OK) {
            break;
        }
        mine = own_position(&st);
        status = most_advanced_peer(agent, (mine == NULL) ? st.executed : mine,
                                    flavour, &node, &theirs, &count);
        myha_gtid_set_free(mine);
        if ((status != PCMK_OCF_OK) || (node == NULL)) {
            myha_repl_state_release(&st);
            break;
        }
        qb_log(LOG_NOTICE,
               "replica '%s' has %llu transactions this node lacks: "
               "taking them from it first",
               node, (unsigned long long) count);
        // Switching sources drops the relay log: apply it first
        if (st.replica->configured
            && (myha_repl_drain(agent->db, budget, drain_progress, NULL,
                                &reason)
                != 0)) {
            myha_ocf_exit_reason("not promoting: the relay log could not be "
                                 "applied: %s",
                                 (reason == NULL) ? "?" : reason);
            status = PCMK_OCF_UNKNOWN_ERROR;
        } else if (agent_follow(agent, node) != 0) {
            myha_ocf_exit_reason("not promoting: cannot replicate from "
                                 "replica '%s', which has transactions this "
                                 "node lacks: %s",
                                 node, myha_db_error(agent->db));
            status = PCMK_OCF_UNKNOWN_ERROR;
        }
        while ((status == PCMK_OCF_OK) && !has_executed(agent, theirs)) {
            if (waited >= budget) {
                myha_ocf_exit_reason("not promoting: the transactions of "
                                     "replica '%s' were not applied within "
                                     "drain_timeout",
                                     node);
                status = PCMK_OCF_UNKNOWN_ERROR;
                break;
            }
            nanosleep(&(struct timespec){ 0, 100 * 1000000L }, NULL);
            waited += 100;
        }
        if (status == PCMK_OCF_OK) {
            qb_log(LOG_NOTICE, "took on what replica '%s' had", node);
        }
        free(reason);
        free(node);
        myha_gtid_set_free(theirs);
        myha_repl_state_release(&st);
    }
    return status;
}

/* Whether another node's server answers, and whether it is read-only
 * (asked as the replication user, who may read @@read_only)
 */
static void
probe_node(struct agent *agent, const char *node, bool *reachable,
           bool *read_only)
{
    char *password = NULL;
    struct myha_db *db = NULL;
    struct myha_db_opts opts;
    int rc = agent_password(agent, &password);

    *reachable = false;
    *read_only = false;
    if (rc != 0) {
        return;
    }
    opts = agent_node_opts(agent, node, password);
    rc = myha_db_connect(&opts, &db, NULL);
    agent_password_free(password);
    /* A server that refuses our credentials still runs and may write:
     * reachable, not known read-only
     */
    *reachable = (rc == 0) || (rc == myha_rc_db_auth);
    if ((rc == 0) && (myha_db_read_only_get(db, read_only) != 0)) {
        *read_only = false;
    }
    myha_db_free(db);
}

// Gather the facts about the old primary that the decision needs
static void
old_primary_facts(struct agent *agent, struct myha_failover_input *in)
{
    bool read_only = false;
    bool member = true;
    time_t fenced = 0;

    if (myha_membership_has_node(agent_cluster(agent), in->old_primary, &member)
        != 0) {
        member = true; // unknown counts as present: never unsafe
    }
    in->in_membership = member;
    if (myha_stonith_last_fenced(in->old_primary, &fenced) != 0) {
        fenced = 0;
    }
    in->fenced_at = fenced;
    /* Out of the membership and fenced since it became primary: its server
     * cannot run (a node that comes back joins the membership before
     * Pacemaker starts anything there), and asking it would only wait for
     * the connect timeout, which a powered-off machine never answers.
     */
    if (!member && (fenced > 0) && (fenced >= in->primary_since)) {
        qb_log(LOG_INFO, "old primary '%s' was fenced and is gone: not asked",
               in->old_primary);
        in->reachable = false;
        in->made_read_only = false;
        return;
    }
    probe_node(agent, in->old_primary, &in->reachable, &read_only);
    in->made_read_only = in->reachable && read_only;
}

/* Make sure the old primary cannot write before this node leaves
 * read-only: the pure decision of lib/failover on facts gathered here.
 * When it is reachable and read-only, its name goes to *ret_demoted
 * (caller frees).
 */
static enum ocf_exitcode
secure_old_primary(struct agent *agent, char **ret_demoted)
{
    struct myha_failover_input in = {
        .local_node = agent_local_node(agent),
        .fence_unreachable_primary =
            (myha_params_num(agent->params, P_FENCE_UNREACHABLE_PRIMARY) != 0),
    };
    enum myha_failover_action action = myha_failover_refuse;
    char *old = recorded_primary(agent, &in.primary_since);
    char *reason = NULL;
    enum ocf_exitcode status = PCMK_OCF_UNKNOWN_ERROR;

    in.old_primary = old;
    for (int attempt = 0; attempt < 2; attempt++) {
        if ((old != NULL) && (strcmp(old, in.local_node) != 0)) {
            old_primary_facts(agent, &in);
        }
        free(reason);
        reason = NULL;
        if (myha_failover_decide(&in, &action, &reason) != 0) {
            myha_ocf_exit_reason("cannot decide about the old primary");
            goto out_free;
        }
        if (action != myha_failover_fence) {
            break;
        }
        qb_log(LOG_WARNING, "%s", reason);
        if (myha_stonith_fence(old, FENCE_TIMEOUT_S, true) != 0) {
            myha_ocf_exit_reason("fencing of old primary '%s' failed: not "
                                 "promoting",
                                 old);
            goto out_free;
        }
    }
    if (myha_is_failover_proceed(action)) {
        qb_log(LOG_NOTICE, "%s", reason);
        status = PCMK_OCF_OK;
        if (action == myha_failover_proceed_demoted) {
            *ret_demoted = old;
            old = NULL;
        }
    } else {
        myha_ocf_exit_reason("%s", reason);
    }

out_free:
    free(reason);
    free(old);
    return status;
}

/* A demoted old primary that still answers may have committed
 * transactions this node has not received yet: wait (within
 * drain_timeout) until what this node has, executed plus received,
 * covers the old primary's final position.  Otherwise they would be lost,
 * and the old primary could never follow this node.
 */
static enum ocf_exitcode
catch_up(struct agent *agent, const char *old, enum myha_db_flavour flavour,
         bool replicating)
{
    // A server that does not replicate receives nothing: look only once
    long long budget =
        replicating ? myha_params_num(agent->params, P_DRAIN_TIMEOUT) : 0;
    struct timespec started;
    char *reason = NULL;
    struct myha_gtid_set *theirs = node_gtid_set(agent, old, flavour, &reason);
    enum ocf_exitcode status = PCMK_OCF_UNKNOWN_ERROR;

    if (theirs == NULL) {
        myha_ocf_exit_reason("not promoting: cannot read the position of "
                             "old primary '%s': %s",
                             old, (reason == NULL) ? "?" : reason);
        free(reason);
        return status;
    }
    clock_gettime(CLOCK_MONOTONIC, &started);
    while (true) {
        struct myha_repl_state st;
        struct myha_gtid_set *mine = NULL;
        struct timespec now;
        long long used = 0;
        bool done = false;

        if (read_state(agent, &st) != PCMK_OCF_OK) {
            goto out_free;
        }
        mine = own_position(&st);
        done =
            myha_gtid_set_contains((mine == NULL) ? st.executed : mine, theirs);
        myha_gtid_set_free(mine);
        myha_repl_state_release(&st);
        if (done) {
            status = PCMK_OCF_OK;
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        used = (now.tv_sec - started.tv_sec) * 1000LL
               + (now.tv_nsec - started.tv_nsec) / 1000000L;
        if (used >= budget) {
            char *text = myha_gtid_set_format(theirs);

            myha_ocf_exit_reason("not promoting: transactions of old "
                                 "primary '%s' (up to %s) not received%s",
                                 old, (text == NULL) ? "?" : text,
                                 replicating ? " within drain_timeout"
                                             : ": not replicating");
            free(text);
            goto out_free;
        }
        nanosleep(&(struct timespec){ 0, 100 * 1000000L }, NULL);
    }
    qb_log(LOG_INFO, "received everything old primary '%s' wrote", old);

out_free:
    myha_gtid_set_free(theirs);
    return status;
}

// Name of the permanent node attribute of stale nodes, allocated
static char *
stale_attr(struct agent *agent)
{
    return myha_str_printf(STALE_ATTR_FMT, agent_rsc(agent));
}

/* What a stale mark STALE ("NODE@SINCE") means and what to do (allocated):
 * "holds the history that the recovery promoted on NODE at <UTC time>
 * replaced; re-provision it ..."
 */
static char *
stale_reason(struct agent *agent, const char *stale)
{
    const char *at = strrchr(stale, '@');
    char *name = stale_attr(agent);
    long long since = 0;
    char when[32] = "";
    time_t t = 0;
    struct tm tm;
    char *why = NULL;

    if ((at != NULL) && (myha_str_to_ll(at + 1, &since) == 0)) {
        t = (time_t) since;
        if (gmtime_r(&t, &tm) != NULL) {
            strftime(when, sizeof(when), " at %Y-%m-%dT%H:%M:%SZ", &tm);
        }
    }
    why = myha_str_printf(
        "holds the history that the recovery promoted on "
        "%.*s%s replaced; re-provision it from the "
        "primary, then run crm_attribute --node %s --name "
        "%s --delete",
        (int) ((when[0] != '\0') ? (size_t) (at - stale) : strlen(stale)),
        stale, when, agent_local_node(agent), (name == NULL) ? "?" : name);
    free(name);
    return why;
}

/* Keep this instance out of replication: stop it, no promotion score,
 * WHY as its health; with MARK, also the divergence marker (monitor goes
 * on saying WHY without asking anybody)
 */
static void
keep_out(struct agent *agent, const char *why, bool mark)
{
    myha_db_replica_stop(agent->db);
    agent_publish_score(agent, SCORE_NONE);
    agent_publish_attr(agent, "gtid", NULL);
    agent_publish_attr(agent, "health", why);
    if (mark) {
        mark_diverged(agent, why);
    }
}

/* For each node but this one: set the stale mark to VALUE (MARK), or
 * delete it where it is VALUE (!MARK: undo what a promote that failed
 * marked).  ENOTCONN if there is no cluster here; else 0, or the first
 * error of marking (its exit reason set).
 */
static int
for_other_nodes(struct agent *agent, const char *value, bool mark)
{
    struct myha_cluster *cluster = agent_cluster(agent);
    const char *local = agent_local_node(agent);
    char *name = stale_attr(agent);
    char **names = NULL;
    size_t n = 0;
    int rc = 0;

    if (name == NULL) {
        myha_ocf_exit_reason("not promoting the recovered node: out of memory");
        return ENOMEM;
    }
    rc = ((cluster == NULL) || (local == NULL))
             ? ENOTCONN
             : myha_cluster_node_names(cluster, &names, &n);
    if ((rc != 0) && (rc != ENOTCONN) && mark) {
        myha_ocf_exit_reason("not promoting the recovered node: cannot list "
                             "the cluster's nodes to mark the others: %s",
                             (rc == myha_rc_child_failed)
                                 ? myha_cluster_tool_error(cluster)
                                 : myha_rc_str(rc));
    }
    for (size_t i = 0; (rc == 0) && (i < n); i++) {
        char *was = NULL;

        if (strcmp(names[i], local) == 0) {
            continue;
        }
        if (!mark) {
            if ((myha_cluster_node_attr_get(cluster, names[i], name, &was) == 0)
                && (strcmp(was, value) == 0)
                && (myha_cluster_node_attr_set(cluster, names[i], name, NULL)
                    == 0)) {
                qb_log(LOG_NOTICE,
                       "node '%s' no longer marked stale: the "
                       "recovery was not promoted",
                       names[i]);
            }
            free(was);
            continue;
        }
        rc = myha_cluster_node_attr_set(cluster, names[i], name, value);
        if (rc != 0) {
            myha_ocf_exit_reason("not promoting the recovered node: cannot "
                                 "mark node '%s' as holding the history it "
                                 "replaced: %s",
                                 names[i],
                                 (rc == myha_rc_child_failed)
                                     ? myha_cluster_tool_error(cluster)
                                     : myha_rc_str(rc));
            break;
        }
        qb_log(LOG_NOTICE,
               "node '%s' marked stale (node attribute %s=%s): it holds the "
               "history this recovery replaced and replicates from nobody "
               "until it is re-provisioned from this node and the attribute "
               "deleted",
               names[i], name, value);
    }
    myha_cluster_node_names_free(names, n);
    free(name);
    return rc;
}

/* Promote of a finished pitr: every other node holds the history that the
 * recovery replaced (what followed its target, or the excised transaction,
 * which no GTID position tells apart from a replayed one).  Mark them in
 * the CIB before this node accepts writes: attach and promote refuse on a
 * marked node until an operator re-provisions it and deletes the mark.
 * Sets *RET_VALUE to the mark written (to undo it if promote fails), NULL
 * if nothing was marked.
 */
static enum ocf_exitcode
mark_others_stale(struct agent *agent, char **ret_value)
{
    const char *local = agent_local_node(agent);
    char *value = myha_str_printf("%s@%lld", (local == NULL) ? "?" : local,
                                  (long long) time(NULL));
    int rc = 0;

    *ret_value = NULL;
    if (value == NULL) {
        myha_ocf_exit_reason("not promoting the recovered node: out of memory");
        return PCMK_OCF_UNKNOWN_ERROR;
    }
    rc = for_other_nodes(agent, value, true);
    if (rc == ENOTCONN) {
        qb_log(LOG_WARNING, "no cluster here: no other node marked as "
                            "holding the history this recovery replaced");
        free(value);
        return PCMK_OCF_OK;
    }
    *ret_value = value; // also after a failure: the nodes marked so far
    return (rc == 0) ? PCMK_OCF_OK : PCMK_OCF_UNKNOWN_ERROR;
}

/* This node's own stale mark (allocated), NULL if none; *RET_RC: 0, or
 * the error that kept it from being read (ENOENT and ENOTCONN are "none")
 */
static char *
own_stale_mark(struct agent *agent, int *ret_rc)
{
    struct myha_cluster *cluster = agent_cluster(agent);
    char *name = stale_attr(agent);
    char *stale = NULL;
    int rc = (name == NULL) ? ENOMEM : 0;

    if ((rc == 0) && (cluster != NULL)) {
        rc = myha_cluster_node_attr_get(cluster, agent_local_node(agent), name,
                                        &stale);
    }
    if ((rc == ENOENT) || (rc == ENOTCONN) || (rc == EINVAL)) {
        rc = 0; // EINVAL: no node name, so no cluster either
    }
    free(name);
    *ret_rc = rc;
    return stale;
}

/*!
 * \brief Make this replica the primary, safely
 *
 * Refuses unless this node has every transaction its peers published and
 * the old primary can no longer write (demoted, or fenced); waits until it
 * has received everything a demoted old primary wrote; then applies the
 * relay log it has (both bounded by drain_timeout), stops and resets
 * replication, and leaves read-only.  Idempotent.
 *
 * \param[in,out] agent  Agent state, connected
 *
 * \return OCF exit code
 */
enum ocf_exitcode
role_promote(struct agent *agent)
{
    struct myha_repl_state st;
    enum ocf_exitcode status = read_state(agent, &st);
    char *reason = NULL;
    char *demoted = NULL;
    char *unfinished = NULL;
    char *recovered = NULL;
    char *stale = NULL;
    char *marked = NULL;
    int rc = 0;

    if (status != PCMK_OCF_OK) {
        return status;
    }
    if (!st.read_only) {
        qb_log(LOG_INFO, "already primary");
        goto out_record;
    }
    unfinished =
        agent_marker_read(agent, MARKER_PITR_UNFINISHED, "unfinished pitr");
    if (unfinished != NULL) {
        char *path = agent_marker_path(agent, MARKER_PITR_UNFINISHED);

        myha_ocf_exit_reason("not promoting: %s (finish it by running the "
                             "same pitr again, or remove '%s' to promote "
                             "this state on purpose)",
                             unfinished, (path == NULL) ? "?" : path);
        free(path);
        free(unfinished);
        status = PCMK_OCF_UNKNOWN_ERROR;
        agent_publish_score(agent, SCORE_NONE);
        goto out_release;
    }
    recovered = agent_marker_read(agent, MARKER_PITR_DONE, "recovered by pitr");
    if (recovered == NULL) {
        stale = own_stale_mark(agent, &rc);
    }
    if ((stale != NULL) || (rc != 0)) {
        char *why = (stale == NULL) ? NULL : stale_reason(agent, stale);

        if (stale != NULL) {
            myha_ocf_exit_reason("not promoting: this node is marked stale: "
                                 "it %s",
                                 (why == NULL) ? stale : why);
        } else {
            myha_ocf_exit_reason("not promoting: cannot read whether this "
                                 "node is marked stale: %s",
                                 myha_rc_str(rc));
        }
        free(why);
        status = PCMK_OCF_UNKNOWN_ERROR;
        agent_publish_score(agent, SCORE_NONE);
        goto out_release;
    }
    status = secure_old_primary(agent, &demoted);
    if (recovered != NULL) {
        /* A finished pitr is the history the operator chose: take nothing
         * from the old primary or the peers, mark them instead
         */
        if (status == PCMK_OCF_OK) {
            status = mark_others_stale(agent, &marked);
        }
    } else {
        if ((status == PCMK_OCF_OK) && (demoted != NULL)) {
            status =
                catch_up(agent, demoted, st.flavour, st.replica->configured);
        }
        if (status == PCMK_OCF_OK) {
            status = catch_up_peers(agent, st.flavour);
        }
    }
    if (status != PCMK_OCF_OK) {
        agent_publish_score(agent, SCORE_NONE);
        goto out_release;
    }

    // Taking on a peer's transactions may have made this node a replica
    myha_repl_state_release(&st);
    status = read_state(agent, &st);
    if (status != PCMK_OCF_OK) {
        goto out_release;
    }
    if (st.replica->configured) {
        rc = myha_repl_drain(agent->db,
                             myha_params_num(agent->params, P_DRAIN_TIMEOUT),
                             drain_progress, NULL, &reason);
        if (rc != 0) {
            myha_ocf_exit_reason("not promoting: the relay log could not be "
                                 "applied: %s",
                                 (reason == NULL) ? myha_rc_str(rc) : reason);
            status = PCMK_OCF_UNKNOWN_ERROR;
            goto out_release;
        }
        if (myha_repl_detach(agent->db) != 0) {
            myha_ocf_exit_reason("cannot stop replication: %s",
                                 myha_db_error(agent->db));
            status = PCMK_OCF_UNKNOWN_ERROR;
            goto out_release;
        }
    }
    if (myha_db_read_only_set(agent->db, false) != 0) {
        myha_ocf_exit_reason("cannot leave read-only: %s",
                             myha_db_error(agent->db));
        status = PCMK_OCF_UNKNOWN_ERROR;
        goto out_release;
    }
    qb_log(LOG_NOTICE, "promoted: writable, not replicating, at %s",
           (st.executed_text == NULL) ? "" : st.executed_text);
    if (recovered != NULL) {
        char *name = stale_attr(agent);

        // A mark of its own, from an earlier recovery elsewhere, is void
        if ((name != NULL) && (agent_cluster(agent) != NULL)
            && (agent_local_node(agent) != NULL)) {
            rc = myha_cluster_node_attr_set(
                agent->cluster, agent_local_node(agent), name, NULL);
            if (rc != 0) {
                qb_log(LOG_WARNING,
                       "cannot delete this node's own stale mark %s: %s: "
                       "delete it by hand",
                       name, myha_rc_str(rc));
            }
        }
        free(name);
        qb_log(LOG_NOTICE, "promoted the recovery: %s", recovered);
    }

out_record:
    if ((agent_cluster(agent) != NULL)
        && (myha_cluster_primary_set(agent->cluster, agent_rsc(agent),
                                     agent_local_node(agent), time(NULL))
            != 0)) {
        qb_log(LOG_INFO, "primary not recorded in the cluster (none "
                         "reachable)");
    }
    clear_diverged(agent);
    agent_marker_write(agent, MARKER_PITR_DONE, NULL); // promoted: over
    agent_publish_score(agent, SCORE_PROMOTABLE);
    agent_publish_attr(agent, "gtid", NULL);
    agent_publish_attr(agent, "health", "primary");

out_release:
    if ((status != PCMK_OCF_OK) && (marked != NULL)) {
        (void) for_other_nodes(agent, marked, false);
    }
    free(marked);
    free(stale);
    free(recovered);
    free(demoted);
    free(reason);
    myha_repl_state_release(&st);
    return status;
}

/*!
 * \brief Make the server read-only and end the sessions still writing
 *
 * Fails if the server cannot be made read-only within demote_timeout, so
 * that Pacemaker escalates (stop, then fencing).
 *
 * \param[in,out] agent  Agent state, connected
 *
 * \return OCF exit code
 */
enum ocf_exitcode
role_demote(struct agent *agent)
{
    unsigned int killed = 0;
    char *reason = NULL;
    bool read_only = true;
    int rc = 0;

    /* Writable, a recovered node's history became the primary's, even if
     * its promote was cut short before removing its marker (not in
     * monitor: it would cost every monitor of the primary a syscall)
     */
    if ((myha_db_read_only_get(agent->db, &read_only) == 0) && !read_only) {
        agent_marker_write(agent, MARKER_PITR_DONE, NULL);
    }
    rc = myha_repl_make_read_only(
        agent->db, myha_params_num(agent->params, P_DEMOTE_TIMEOUT), &killed,
        &reason);

    if (rc != 0) {
        myha_ocf_exit_reason("cannot make the server read-only: %s",
                             (reason == NULL) ? myha_rc_str(rc) : reason);
        free(reason);
        return PCMK_OCF_UNKNOWN_ERROR;
    }
    qb_log(LOG_NOTICE, "demoted: read-only, %u writing session%s ended", killed,
           (killed == 1) ? "" : "s");
    agent_publish_attr(agent, "health", "demoted");
    return PCMK_OCF_OK;
}

/* MariaDB: what this server's binary log has that node's lacks, by their
 * gtid_binlog_state (positions hide a forked history: see
 * myha_gtid_state_missing()); NULL if nothing, or if either cannot be
 * read (then the position check stands alone).  Allocated.
 */
static char *
forked_from(struct agent *agent, const char *node)
{
    char *mine = NULL;
    char *theirs = NULL;
    char *reason = NULL;
    char *missing = NULL;

    if ((myha_db_query_value(agent->db, BINLOG_STATE_SQL, &mine) != 0)
        || (agent_node_query(agent, node, BINLOG_STATE_SQL, &theirs, &reason)
            != 0)
        || (myha_gtid_state_missing(theirs, (mine == NULL) ? "" : mine,
                                    &missing)
            != 0)) {
        qb_log(LOG_INFO, "binlog states of this node and '%s' not compared%s%s",
               node, (reason == NULL) ? "" : ": ",
               (reason == NULL) ? "" : reason);
        missing = NULL;
    }
    free(mine);
    free(theirs);
    free(reason);
    return missing;
}

/* Whether this instance must not replicate from NODE at all: it is an
 * unfinished pitr (its data is neither its old history nor the target),
 * a finished pitr waiting to be promoted, or it holds the history that a
 * recovery promoted elsewhere replaced (its node is marked stale; if that
 * cannot be read, not this time either)
 */
static bool
is_attach_refused(struct agent *agent, const char *node)
{
    char *marker =
        agent_marker_read(agent, MARKER_PITR_UNFINISHED, "unfinished pitr");
    bool done = false;
    char *stale = NULL;
    char *why = NULL;
    int rc = 0;

    if (marker == NULL) {
        marker =
            agent_marker_read(agent, MARKER_PITR_DONE, "recovered by pitr");
        done = true;
    }
    if (marker != NULL) {
        char *path = agent_marker_path(agent, done ? MARKER_PITR_DONE
                                                   : MARKER_PITR_UNFINISHED);

        qb_log(LOG_WARNING, "not replicating from '%s': %s (%s '%s': %s)", node,
               marker,
               done ? "waiting to be promoted; to "
                      "discard the recovery, remove"
                    : "finish it, or discard it by "
                      "removing",
               (path == NULL) ? "?" : path, "and re-provision this node");
        free(path);
        free(marker);
        return true;
    }
    stale = own_stale_mark(agent, &rc);
    if ((stale == NULL) && (rc == 0)) {
        return false;
    }
    if (stale != NULL) {
        char *reason = stale_reason(agent, stale);

        why = myha_str_printf("stale: %s", (reason == NULL) ? stale : reason);
        free(reason);
    } else {
        why = myha_str_printf("not replicating: cannot read whether this "
                              "node is marked stale (%s); the next start or "
                              "notify tries again",
                              myha_rc_str(rc));
    }
    qb_log(LOG_ERR, "not replicating from '%s': %s", node,
           (why == NULL) ? "stale" : why);
    keep_out(agent, (why == NULL) ? "stale" : why, stale != NULL);
    free(why);
    free(stale);
    return true;
}

/* Replicate from node, unless this server has transactions node lacks:
 * a diverged history is never re-attached silently.
 */
static void
attach_to(struct agent *agent, const char *node)
{
    struct myha_repl_state st;
    struct myha_gtid_set *theirs = NULL;
    struct myha_gtid_set *errant = NULL;
    char *forked = NULL;
    char *reason = NULL;

    if (is_attach_refused(agent, node)) {
        return;
    }
    if (myha_repl_state_get(agent->db, &st) != 0) {
        qb_log(LOG_ERR, "cannot read the replication state: %s",
               myha_db_error(agent->db));
        return;
    }
    theirs = node_gtid_set(agent, node, st.flavour, &reason);
    if (theirs == NULL) {
        qb_log(LOG_WARNING,
               "primary '%s' not reachable (%s): replicating "
               "anyway, the errant-transaction check runs when it answers",
               node, (reason == NULL) ? "" : reason);
    } else if ((!myha_gtid_set_contains(theirs, st.executed)
                && (myha_gtid_set_subtract(st.executed, theirs, &errant) == 0))
               || ((st.flavour == myha_db_mariadb)
                   && ((forked = forked_from(agent, node)) != NULL))) {
        char *text = (forked != NULL) ? forked : myha_gtid_set_format(errant);
        char *why = myha_str_printf("diverged from primary '%s': errant "
                                    "transactions %s; not replicating",
                                    node, (text == NULL) ? "?" : text);

        qb_log(LOG_ERR, "%s", (why == NULL) ? "diverged" : why);
        keep_out(agent, (why == NULL) ? "diverged" : why, true);
        free(why);
        free(text);
        goto out_free;
    }
    if (agent_follow(agent, node) == 0) {
        clear_diverged(agent);
    }

out_free:
    free(reason);
    myha_gtid_set_free(errant);
    myha_gtid_set_free(theirs);
    myha_repl_state_release(&st);
}

/*!
 * \brief After start: replicate from the recorded primary, if any
 *
 * \param[in,out] agent  Agent state, connected
 */
void
role_follow_primary(struct agent *agent)
{
    char *node = recorded_primary(agent, NULL);

    if ((node != NULL) && (strcmp(node, agent_local_node(agent)) != 0)) {
        attach_to(agent, node);
    } else {
        qb_log(LOG_INFO, "no other primary recorded: not replicating");
    }
    free(node);
}

// First word of a notify variable's value (a node list), allocated
static char *
first_node(const char *list)
{
    size_t skip = (list == NULL) ? 0 : strspn(list, " ");

    if ((list == NULL) || (list[skip] == '\0')) {
        return NULL;
    }
    return strndup(list + skip, strcspn(list + skip, " "));
}

// Whether the space-separated node list contains node
static bool
list_has(const char *list, const char *node)
{
    size_t len = strlen(node);

    for (const char *p = list; (p != NULL) && (*p != '\0');) {
        p += strspn(p, " ");
        if ((strncmp(p, node, len) == 0)
            && ((p[len] == ' ') || (p[len] == '\0')) && (len > 0)) {
            return true;
        }
        p += strcspn(p, " ");
    }
    return false;
}

/* The promoted instance that stays promoted through this transition (in
 * the notification's promoted list, not being demoted or stopped), or
 * NULL; allocated
 */
static char *
staying_promoted(void)
{
    const char *promoted = myha_ocf_var_get(myha_ocf_notify, "promoted_uname");
    const char *demote = myha_ocf_var_get(myha_ocf_notify, "demote_uname");
    const char *stop = myha_ocf_var_get(myha_ocf_notify, "stop_uname");

    if (promoted == NULL) { // Pacemaker before 2.1
        promoted = myha_ocf_var_get(myha_ocf_notify, "master_uname");
    }
    for (const char *p = promoted; (p != NULL) && (*p != '\0');) {
        char *node = NULL;

        p += strspn(p, " ");
        node = strndup(p, strcspn(p, " "));
        p += strcspn(p, " ");
        if ((node != NULL) && (*node != '\0') && !list_has(demote, node)
            && !list_has(stop, node)) {
            return node;
        }
        free(node);
    }
    return NULL;
}

// Whether this server replicates from node, both threads up
static bool
is_following(struct agent *agent, const char *node)
{
    struct myha_repl_state st;
    bool following = false;

    if (myha_repl_state_get(agent->db, &st) != 0) {
        return false;
    }
    following = st.replica->configured && (st.replica->source_host != NULL)
                && (strcmp(st.replica->source_host, node) == 0)
                && (st.replica->sql_running == myha_db_thread_running)
                && (st.replica->io_running != myha_db_thread_stopped);
    myha_repl_state_release(&st);
    return following;
}

/*!
 * \brief Handle clone notifications
 *
 * After a promotion elsewhere, a replica re-points to the new primary
 * unless its history diverged from it.  After this instance started, it
 * replicates from the instance that is and stays promoted, if it does not
 * already: start follows the primary recorded in the CIB, and this covers
 * a record that is missing (e.g. lost to a `pcs cluster cib-push` of an
 * older copy).  Notifications never fail: a problem is logged and shows
 * in the node's health attribute and score.
 *
 * \param[in,out] agent  Agent state with parameters loaded
 *
 * \return PCMK_OCF_OK
 */
enum ocf_exitcode
role_notify(struct agent *agent)
{
    const char *type = myha_ocf_var_get(myha_ocf_notify, "type");
    const char *op = myha_ocf_var_get(myha_ocf_notify, "operation");
    const char *local = agent_local_node(agent);
    char *promoted = NULL;
    bool read_only = false;
    pid_t pid = 0;

    if ((type == NULL) || (op == NULL) || (strcmp(type, "post") != 0)) {
        return PCMK_OCF_OK;
    }
    if (strcmp(op, "promote") == 0) {
        promoted =
            first_node(myha_ocf_var_get(myha_ocf_notify, "promote_uname"));
    } else if ((strcmp(op, "start") == 0)
               && list_has(myha_ocf_var_get(myha_ocf_notify, "start_uname"),
                           local)) {
        promoted = staying_promoted();
    }
    if ((promoted == NULL) || (strcmp(promoted, local) == 0)
        || (server_running(agent, &pid) != 0)
        || (server_connect(agent, NULL) != 0)
        || (myha_db_read_only_get(agent->db, &read_only) != 0) || !read_only
        || ((strcmp(op, "start") == 0) && is_following(agent, promoted))) {
        free(promoted);
        return PCMK_OCF_OK;
    }
    qb_log(LOG_INFO, "'%s' %s: replicating from it", promoted,
           (strcmp(op, "promote") == 0) ? "was promoted" : "is the primary");
    attach_to(agent, promoted);
    free(promoted);
    return PCMK_OCF_OK;
}
