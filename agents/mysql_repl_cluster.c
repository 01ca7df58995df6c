/*
 * ocf:myha:mysql-repl: what the agent tells the cluster and learns from it
 * (promotion score, published position and health, the recorded primary),
 * and how it reaches other nodes' servers.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <qb/qblog.h>

#include <myha/cluster.h>
#include <myha/ocf.h>
#include <myha/rc.h>
#include <myha/str.h>

#include "mysql_repl.h"

#define PASSWORD_MAX 4096

/*!
 * \brief The resource's name without a clone instance suffix
 *
 * \param[in,out] agent  Agent state
 *
 * \return "db" for OCF_RESOURCE_INSTANCE "db" or "db:1"; "mysql-repl" when
 *         run by hand without one
 */
const char *
agent_rsc(struct agent *agent)
{
    const char *instance = getenv("OCF_RESOURCE_INSTANCE");

    if (agent->rsc == NULL) {
        if ((instance == NULL) || (*instance == '\0')) {
            instance = "mysql-repl";
        }
        agent->rsc = strndup(instance, strcspn(instance, ":"));
    }
    return (agent->rsc == NULL) ? "mysql-repl" : agent->rsc;
}

/*!
 * \brief The cluster handle, created on first use
 *
 * \param[in,out] agent  Agent state
 *
 * \return The handle, or NULL if it cannot be created (out of memory)
 */
struct myha_cluster *
agent_cluster(struct agent *agent)
{
    if ((agent->cluster == NULL)
        && (myha_cluster_new(NULL, &agent->cluster) != 0)) {
        agent->cluster = NULL;
    }
    return agent->cluster;
}

/*!
 * \brief This node's name in the cluster
 *
 * \param[in,out] agent  Agent state
 *
 * \return The name (uname when no cluster tells otherwise), never NULL
 */
const char *
agent_local_node(struct agent *agent)
{
    struct myha_cluster *cluster = agent_cluster(agent);

    if ((agent->local_node == NULL) && (cluster != NULL)
        && (myha_cluster_local_node(cluster, &agent->local_node) != 0)) {
        agent->local_node = NULL;
    }
    return (agent->local_node == NULL) ? "localhost" : agent->local_node;
}

// Name of the node attribute NAME-<rsc>
static char *
attr_name(struct agent *agent, const char *what)
{
    return myha_str_printf("myha-%s-%s", what, agent_rsc(agent));
}

// Log a publish result; "by hand" (no cluster) is said once per action
static void
log_publish(struct agent *agent, const char *what, int rc,
            enum myha_cluster_publish outcome)
{
    if (rc == 0) {
        if (outcome == myha_publish_done) {
            qb_log(LOG_DEBUG, "published %s", what);
        }
    } else if (rc == ENOTCONN) {
        if (!agent->said_no_cluster) {
            qb_log(LOG_INFO,
                   "no cluster reachable on this node: %s not "
                   "published",
                   what);
            agent->said_no_cluster = true;
        }
    } else {
        const char *err = myha_cluster_tool_error(agent->cluster);

        qb_log(LOG_WARNING, "cannot publish %s: %s " QB_XS " %s", what,
               myha_rc_str(rc), (err == NULL) ? "" : err);
    }
}

/*!
 * \brief Publish this node's promotion score (only when it changed)
 *
 * \param[in,out] agent  Agent state
 * \param[in]     score  Score, or a negative value to remove it (not
 *                       promotable)
 */
void
agent_publish_score(struct agent *agent, int score)
{
    struct myha_cluster *cluster = agent_cluster(agent);
    enum myha_cluster_publish outcome = myha_publish_unchanged;
    int rc = ENOMEM;

    if (cluster != NULL) {
        rc = (score < 0)
                 ? myha_cluster_score_clear(cluster, agent_rsc(agent), &outcome)
                 : myha_cluster_score_set(cluster, agent_rsc(agent), score,
                                          &outcome);
    }
    log_publish(agent, "promotion score", rc, outcome);
}

/*!
 * \brief Publish a node attribute myha-WHAT-<rsc> (only when it changed)
 *
 * \param[in,out] agent  Agent state
 * \param[in]     what   "gtid" (executed position) or "health" (why this
 *                       node is or is not promotable)
 * \param[in]     value  Value, or NULL to clear it
 */
void
agent_publish_attr(struct agent *agent, const char *what, const char *value)
{
    struct myha_cluster *cluster = agent_cluster(agent);
    enum myha_cluster_publish outcome = myha_publish_unchanged;
    char *name = attr_name(agent, what);
    int rc = ENOMEM;

    if ((cluster != NULL) && (name != NULL)) {
        rc = (value == NULL)
                 ? myha_cluster_attr_clear(cluster, name, &outcome)
                 : myha_cluster_attr_set(cluster, name, value, &outcome);
    }
    log_publish(agent, (name == NULL) ? what : name, rc, outcome);
    free(name);
}

/*!
 * \brief Every node's published value of myha-WHAT-<rsc>
 *
 * \param[in,out] agent       Agent state
 * \param[in]     what        Attribute kind, e.g. "gtid"
 * \param[out]    ret_values  Values (free with myha_node_values_free())
 * \param[out]    ret_n       Number of values
 *
 * \return 0, ENOTCONN without a cluster, or another result code
 */
int
agent_query_attr(struct agent *agent, const char *what,
                 struct myha_node_value **ret_values, size_t *ret_n)
{
    struct myha_cluster *cluster = agent_cluster(agent);
    char *name = attr_name(agent, what);
    int rc = ENOMEM;

    if ((cluster != NULL) && (name != NULL)) {
        rc = myha_cluster_attr_query_all(cluster, name, ret_values, ret_n);
    }
    free(name);
    return rc;
}

/*!
 * \brief Read the replication password: replication_passwd_file's first
 *        line, else replication_passwd
 *
 * \param[in]  agent         Agent state with parameters loaded
 * \param[out] ret_password  The password, or NULL if none is configured;
 *                           free with agent_password_free()
 *
 * \return 0, or an errno value if the file cannot be read
 */
int
agent_password(const struct agent *agent, char **ret_password)
{
    const char *file = agent_param(agent, P_REPLICATION_PASSWD_FILE);
    const char *inline_pw = agent_param(agent, P_REPLICATION_PASSWD);
    char *buf = NULL;
    ssize_t n = 0;
    int fd = -1;

    *ret_password = NULL;
    if (file == NULL) {
        if (inline_pw != NULL) {
            *ret_password = strdup(inline_pw);
            return (*ret_password == NULL) ? ENOMEM : 0;
        }
        return 0;
    }
    fd = open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return errno;
    }
    buf = calloc(1, PASSWORD_MAX + 1);
    if (buf == NULL) {
        close(fd);
        return ENOMEM;
    }
    n = read(fd, buf, PASSWORD_MAX);
    close(fd);
    if (n < 0) {
        agent_password_free(buf);
        return EIO;
    }
    buf[strcspn(buf, "\r\n")] = '\0';
    *ret_password = buf;
    return 0;
}

/*!
 * \brief Wipe and free a password
 *
 * \param[in,out] password  Password from agent_password(), or NULL
 */
void
agent_password_free(char *password)
{
    if (password != NULL) {
        explicit_bzero(password, strlen(password));
        free(password);
    }
}

/*!
 * \brief How to reach another node's server over TCP as the replication
 *        user
 *
 * \param[in] agent     Agent state with parameters loaded
 * \param[in] node      Node name (resolved by the system resolver)
 * \param[in] password  Replication password, or NULL
 *
 * \return Connection options with short timeouts
 * \note The options point into \p node and \p password: keep them alive.
 */
struct myha_db_opts
agent_node_opts(const struct agent *agent, const char *node,
                const char *password)
{
    struct myha_db_opts opts = {
        .host = node,
        .port =
            (unsigned int) myha_params_num(agent->params, P_REPLICATION_PORT),
        .user = agent_param(agent, P_REPLICATION_USER),
        .password = password,
        .connect_timeout = 2,
        .read_timeout = 5,
        .write_timeout = 5,
    };

    return opts;
}

// The replication password, or a reason why it cannot be read
static int
node_password(const struct agent *agent, char **ret_password, char **ret_reason)
{
    int rc = agent_password(agent, ret_password);

    if (rc != 0) {
        *ret_reason = myha_str_printf("cannot read the replication "
                                      "password: %s",
                                      strerror(rc));
    }
    return rc;
}

/*!
 * \brief Read another node's executed GTID set over TCP, as the
 *        replication user
 *
 * \param[in]  agent       Agent state with parameters loaded
 * \param[in]  node        Node name (resolved by the system resolver)
 * \param[out] ret_gtid    The set, as text (caller frees)
 * \param[out] ret_reason  On failure, why (caller frees)
 *
 * \return 0 or a result code
 */
int
agent_node_gtid(const struct agent *agent, const char *node, char **ret_gtid,
                char **ret_reason)
{
    return agent_node_position(agent, node, ret_gtid, NULL, ret_reason);
}

/*!
 * \brief Read another replica's executed and received GTID sets over TCP,
 *        as the replication user
 *
 * \param[in]  agent         Agent state with parameters loaded
 * \param[in]  node          Node name (resolved by the system resolver)
 * \param[out] ret_executed  Its executed set, as text (caller frees)
 * \param[out] ret_received  If not NULL, what its IO thread received, as
 *                           text (caller frees); without it, only the
 *                           executed set is read
 * \param[out] ret_reason    On failure, why (caller frees)
 *
 * \return 0 or a result code
 */
int
agent_node_position(const struct agent *agent, const char *node,
                    char **ret_executed, char **ret_received, char **ret_reason)
{
    char *password = NULL;
    struct myha_db_opts opts;
    int rc = node_password(agent, &password, ret_reason);

    if (rc != 0) {
        return rc;
    }
    opts = agent_node_opts(agent, node, password);
    if (ret_received == NULL) {
        rc = myha_repl_source_gtid_get(&opts, ret_executed, ret_reason);
    } else {
        rc = myha_repl_peer_position_get(&opts, ret_executed, ret_received,
                                         ret_reason);
    }
    agent_password_free(password);
    return rc;
}

/*!
 * \brief Ask another node's server for one value over TCP, as the
 *        replication user
 *
 * \param[in]  agent       Agent state with parameters loaded
 * \param[in]  node        Node name
 * \param[in]  sql         Query returning one value
 * \param[out] ret_value   The value ("" for NULL; caller frees)
 * \param[out] ret_reason  On failure, why (caller frees)
 *
 * \return 0 or a result code
 */
int
agent_node_query(const struct agent *agent, const char *node, const char *sql,
                 char **ret_value, char **ret_reason)
{
    char *password = NULL;
    struct myha_db *db = NULL;
    struct myha_db_opts opts;
    int rc = node_password(agent, &password, ret_reason);

    if (rc != 0) {
        return rc;
    }
    opts = agent_node_opts(agent, node, password);
    rc = myha_db_connect(&opts, &db, ret_reason);
    agent_password_free(password);
    if (rc != 0) {
        return rc;
    }
    rc = myha_db_query_value(db, sql, ret_value);
    if (rc != 0) {
        *ret_reason = strdup(myha_db_error(db));
    } else if ((*ret_value == NULL) && ((*ret_value = strdup("")) == NULL)) {
        rc = ENOMEM;
    }
    myha_db_free(db);
    return rc;
}

/*!
 * \brief Replicate from a node's server with GTID auto-positioning
 *
 * \param[in,out] agent  Agent state with parameters loaded and connected
 * \param[in]     node   Node whose server to follow
 *
 * \return 0 or a result code (details in the log and myha_db_error())
 */
int
agent_follow(struct agent *agent, const char *node)
{
    char *password = NULL;
    struct myha_repl_source src = {
        .host = node,
        .port =
            (unsigned int) myha_params_num(agent->params, P_REPLICATION_PORT),
        .user = agent_param(agent, P_REPLICATION_USER),
    };
    int rc = agent_password(agent, &password);

    if (rc != 0) {
        qb_log(LOG_ERR, "cannot read the replication password: %s",
               strerror(rc));
        return rc;
    }
    src.password = (password == NULL) ? "" : password;
    rc = myha_repl_follow(agent->db, &src);
    agent_password_free(password);
    if (rc == 0) {
        qb_log(LOG_INFO, "replicating from '%s:%u'", node, src.port);
    } else {
        qb_log(LOG_ERR, "cannot replicate from '%s:%u': %s", node, src.port,
               myha_db_error(agent->db));
    }
    return rc;
}

/*!
 * \brief Path of one of this instance's marker files
 *
 * Markers say, in one line, why an instance is not an ordinary replica:
 * "diverged" (it refused to follow a primary whose history it forked
 * from), "pitr-unfinished" (a point-in-time recovery was interrupted or
 * failed half-way), "pitr-done" (a finished recovery, waiting to be
 * promoted: it follows nobody).  They live in $HA_RSCTMP (tmpfs: after a
 * reboot start checks again), else MYHA_CLUSTER_CACHE_DIR, as
 * "myha-<resource>.<kind>"; "pitr-done" lives in the datadir.
 *
 * \param[in] agent  Agent state
 * \param[in] kind   Marker kind
 *
 * \return Allocated path, NULL if out of memory
 */
char *
agent_marker_path(struct agent *agent, const char *kind)
{
    const char *dir = getenv("HA_RSCTMP");

    /* A finished recovery belongs to the data: it survives a reboot (the
     * run-time directory does not), and a datadir put in its place has none
     */
    if (strcmp(kind, MARKER_PITR_DONE) == 0) {
        dir = agent_param(agent, P_DATADIR);
    } else if ((dir == NULL) || (*dir == '\0')) {
        dir = MYHA_CLUSTER_CACHE_DIR;
    }
    return myha_str_printf("%s/myha-%s.%s", dir, agent_rsc(agent), kind);
}

/*!
 * \brief The text of a marker, NULL if there is none
 *
 * \param[in] agent  Agent state
 * \param[in] kind   Marker kind
 * \param[in] empty  Text of a marker that is empty or unreadable
 *
 * \return Allocated first line of the marker, or NULL
 */
char *
agent_marker_read(struct agent *agent, const char *kind, const char *empty)
{
    char *path = agent_marker_path(agent, kind);
    FILE *fp = (path == NULL) ? NULL : fopen(path, "re");
    char *line = NULL;
    size_t size = 0;

    free(path);
    if (fp == NULL) {
        return NULL;
    }
    if (getline(&line, &size, fp) < 0) {
        free(line);
        line = strdup(empty);
    } else {
        line[strcspn(line, "\n")] = '\0';
    }
    fclose(fp);
    return line;
}

/*!
 * \brief Write a marker (through a temporary name, so that no reader sees
 *        half of it, and synced), or remove it; a failure is logged
 *
 * \param[in] agent  Agent state
 * \param[in] kind   Marker kind
 * \param[in] text   One line, or NULL to remove the marker
 *
 * \return 0 on success (also removing a marker that is not there), else
 *         an errno
 */
int
agent_marker_write(struct agent *agent, const char *kind, const char *text)
{
    char *path = agent_marker_path(agent, kind);
    char *tmp = (path == NULL) ? NULL : myha_str_printf("%s.tmp", path);
    char *slash = NULL;
    FILE *fp = NULL;
    int fd = -1;
    int rc = 0;

    if (tmp == NULL) {
        qb_log(LOG_WARNING, "cannot record marker '%s': out of memory", kind);
        rc = ENOMEM;
        goto out_free;
    }
    if (text == NULL) {
        if ((unlink(path) != 0) && (errno != ENOENT)) {
            rc = errno;
            qb_log(LOG_WARNING, "cannot remove '%s': %s", path, strerror(rc));
        }
        goto out_free;
    }
    slash = strrchr(path, '/');
    if (slash != NULL) {
        *slash = '\0';
        (void) mkdir(path, 0755); // only the last level: HA_RSCTMP may be new
        *slash = '/';
    }
    // Synced: a marker in the datadir must survive a power cut
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    fp = (fd < 0) ? NULL : fdopen(fd, "w");
    if ((fp == NULL) || (fprintf(fp, "%s\n", text) < 0) || (fflush(fp) != 0)
        || (fsync(fd) != 0) || (fclose(fp) != 0) || (rename(tmp, path) != 0)) {
        rc = (errno != 0) ? errno : EIO;
        qb_log(LOG_WARNING, "cannot write '%s': %s", path, strerror(rc));
        if ((fp == NULL) && (fd >= 0)) {
            close(fd);
        }
        (void) unlink(tmp);
    }

out_free:
    free(tmp);
    free(path);
    return rc;
}
