/*
 * Fencing through pacemaker-fenced: when a node was last fenced, and
 * fencing it.  libstonithd is loaded with dlopen() when fencing is asked
 * about (as Pacemaker's own stonith_api_*_helper() do): linked, it and
 * libcrmcommon would cost every agent invocation milliseconds of start-up.
 */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>

#include <crm/stonith-ng.h> // STONITH_LIBRARY, st_api_kick_fn, st_api_time_fn
#include <qb/qblog.h>

#include <myha/cluster.h>
#include <myha/rc.h>

//! The libstonithd functions used here, resolved at run time
static struct {
    void *handle;
    st_api_kick_fn kick;
    st_api_time_fn time;
} st;

// Load libstonithd once; myha_rc_not_installed if it or a symbol is missing
static int
stonith_load(void)
{
    if (st.handle != NULL) {
        return 0;
    }
    st.handle = dlopen(STONITH_LIBRARY, RTLD_LAZY | RTLD_LOCAL);
    if (st.handle == NULL) {
        qb_log(LOG_DEBUG, "dlopen(%s): %s", STONITH_LIBRARY, dlerror());
        return myha_rc_not_installed;
    }
    st.kick = (st_api_kick_fn) dlsym(st.handle, "stonith_api_kick");
    st.time = (st_api_time_fn) dlsym(st.handle, "stonith_api_time");
    if ((st.kick == NULL) || (st.time == NULL)) {
        qb_log(LOG_DEBUG, "%s lacks stonith_api_kick or stonith_api_time",
               STONITH_LIBRARY);
        dlclose(st.handle);
        st.handle = NULL;
        return myha_rc_not_installed;
    }
    return 0;
}

/*!
 * \brief When a node was last fenced successfully
 *
 * Asks this node's fencer for the node's fencing history
 * (stonith_api_time(), by name: no node id is needed).
 *
 * \param[in]  node      Node name
 * \param[out] ret_when  Where to store the completion time of its last
 *                       successful fencing, 0 if the history has none (only
 *                       on success)
 *
 * \return 0 on success; ENOTCONN if pacemaker-fenced does not run here
 *         (found without waiting); myha_rc_not_installed if libstonithd
 *         cannot be loaded; EINVAL
 * \note stonith_api_time() itself reports failure as "never fenced" (0):
 *       if the fencer goes away between the check and the query, the
 *       answer is 0, which never allows anything that a real time would not.
 */
int
myha_stonith_last_fenced(const char *node, time_t *ret_when)
{
    int rc = 0;

    if ((node == NULL) || (*node == '\0') || (ret_when == NULL)) {
        return EINVAL;
    }
    if (!myha_is_ipc_listening(MYHA_CLUSTER_FENCER_IPC, NULL)) {
        return ENOTCONN;
    }
    rc = stonith_load();
    if (rc != 0) {
        return rc;
    }
    *ret_when = st.time(0, node, false);
    qb_log(LOG_DEBUG, "Node '%s' last fenced at %lld", node,
           (long long) *ret_when);
    return 0;
}

/*!
 * \brief Fence a node and wait for the result
 *
 * Asks the cluster's fencer to reboot or power off the node
 * (stonith_api_kick(), by name) and waits until it is done.
 *
 * \param[in] node       Node name
 * \param[in] timeout_s  Seconds the fencer may take
 * \param[in] off        Power the node off instead of rebooting it
 *
 * \return 0 when the node was fenced; ENOTCONN if pacemaker-fenced does not
 *         run here; myha_rc_not_installed if libstonithd cannot be loaded;
 *         a positive errno from the fencer (e.g. ETIME, EHOSTUNREACH when
 *         no device can fence it), or myha_rc_error for Pacemaker's own
 *         errors; EINVAL
 */
int
myha_stonith_fence(const char *node, int timeout_s, bool off)
{
    int rc = 0;

    if ((node == NULL) || (*node == '\0') || (timeout_s <= 0)) {
        return EINVAL;
    }
    if (!myha_is_ipc_listening(MYHA_CLUSTER_FENCER_IPC, NULL)) {
        return ENOTCONN;
    }
    rc = stonith_load();
    if (rc != 0) {
        return rc;
    }
    // A legacy Pacemaker return code: 0 or a negative errno
    rc = st.kick(0, node, timeout_s, off);
    qb_log(LOG_DEBUG, "Fencing (%s) node '%s': %d", off ? "off" : "reboot",
           node, rc);
    if (rc == 0) {
        return 0;
    }
    // Pacemaker's own legacy codes (pcmk_err_*) start at 200
    return ((rc < 0) && (-rc < 200)) ? -rc : myha_rc_error;
}
