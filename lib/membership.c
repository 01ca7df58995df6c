/*
 * Corosync membership through libcpg, without joining a process group:
 * the nodes that run at least one member of any CPG group (Pacemaker's
 * daemons each join one) are the nodes this node can talk to.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>

#include <corosync/cpg.h>
#include <qb/qblog.h>

#include <myha/cluster.h>
#include <myha/rc.h>

// corosync's cs_strerror() lives in a library we do not otherwise need
static int
cs_error_rc(cs_error_t err)
{
    switch (err) {
        case CS_OK:
            return 0;
        case CS_ERR_LIBRARY:
            // No corosync to connect to
            return myha_rc_not_running;
        case CS_ERR_NO_MEMORY:
            return ENOMEM;
        case CS_ERR_ACCESS:
            return EACCES;
        case CS_ERR_TRY_AGAIN:
            return EAGAIN;
        case CS_ERR_TIMEOUT:
            return ETIMEDOUT;
        default:
            return myha_rc_error;
    }
}

static bool
has_id(const uint32_t *ids, size_t n, uint32_t id)
{
    for (size_t i = 0; i < n; i++) {
        if (ids[i] == id) {
            return true;
        }
    }
    return false;
}

/*!
 * \brief List the corosync node ids that run members of any CPG group
 *
 * Asks corosync over its IPC (CPG_ITERATION_ALL); fails at once when
 * corosync does not run.
 *
 * \param[out] ret_ids  Where to store the node ids, each once (only on
 *                      success; NULL if there are none)
 * \param[out] ret_n    Where to store how many there are
 *
 * \return 0 on success, myha_rc_not_running if corosync does not run here,
 *         EACCES, EAGAIN, ENOMEM, or myha_rc_error
 * \note The caller frees \p *ret_ids.
 */
int
myha_membership_node_ids(uint32_t **ret_ids, size_t *ret_n)
{
    cpg_handle_t handle = 0;
    cpg_callbacks_t callbacks = { NULL, NULL };
    cpg_iteration_handle_t iter = 0;
    uint32_t *ids = NULL;
    size_t n = 0;
    cs_error_t err = CS_OK;
    int rc = 0;

    if ((ret_ids == NULL) || (ret_n == NULL)) {
        return EINVAL;
    }
    err = cpg_initialize(&handle, &callbacks);
    if (err != CS_OK) {
        qb_log(LOG_DEBUG, "cpg_initialize: corosync error %d", (int) err);
        return cs_error_rc(err);
    }
    err = cpg_iteration_initialize(handle, CPG_ITERATION_ALL, NULL, &iter);
    if (err != CS_OK) {
        qb_log(LOG_DEBUG, "cpg_iteration_initialize: corosync error %d",
               (int) err);
        rc = cs_error_rc(err);
        goto out_finalize;
    }
    for (;;) {
        struct cpg_iteration_description_t desc;
        uint32_t *bigger = NULL;

        err = cpg_iteration_next(iter, &desc);
        if (err == CS_ERR_NO_SECTIONS) {
            break;
        }
        if (err != CS_OK) {
            qb_log(LOG_DEBUG, "cpg_iteration_next: corosync error %d",
                   (int) err);
            rc = cs_error_rc(err);
            goto out_iteration_finalize;
        }
        if (has_id(ids, n, desc.nodeid)) {
            continue;
        }
        bigger = realloc(ids, (n + 1) * sizeof(*ids));
        if (bigger == NULL) {
            rc = ENOMEM;
            goto out_iteration_finalize;
        }
        ids = bigger;
        ids[n++] = desc.nodeid;
    }
    *ret_ids = ids;
    *ret_n = n;
    ids = NULL;

out_iteration_finalize:
    cpg_iteration_finalize(iter);
out_finalize:
    cpg_finalize(handle);
    free(ids);
    return rc;
}

/*!
 * \brief Check whether a node is in this node's corosync membership
 *
 * The node's id comes from Pacemaker's controller ("crm_node --list": this
 * forks, for promote), its membership from corosync.
 *
 * \param[in,out] cluster     Cluster handle
 * \param[in]     node        Node name
 * \param[out]    ret_member  Where to store the answer (only on success)
 *
 * \return 0 on success; myha_rc_not_running if corosync does not run here;
 *         ENOENT if Pacemaker does not know the node; otherwise as
 *         myha_cluster_node_id() and myha_membership_node_ids()
 */
int
myha_membership_has_node(struct myha_cluster *cluster, const char *node,
                         bool *ret_member)
{
    uint32_t *ids = NULL;
    size_t n = 0;
    uint32_t id = 0;
    int rc = 0;

    if ((cluster == NULL) || (node == NULL) || (ret_member == NULL)) {
        return EINVAL;
    }
    // Corosync first: when it is down, fail fast without forking
    rc = myha_membership_node_ids(&ids, &n);
    if (rc != 0) {
        return rc;
    }
    rc = myha_cluster_node_id(cluster, node, &id);
    if (rc == 0) {
        *ret_member = has_id(ids, n, id);
    }
    free(ids);
    return rc;
}
