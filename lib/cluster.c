/*
 * Node attributes, promotion score and cluster properties through
 * Pacemaker's command-line tools, which are forked only when a value
 * changes: a cache file per attribute remembers what the running attrd has.
 *
 * Pacemaker 2.1's attrd client API is internal, so values are written by
 * crm_attribute and attrd_updater.  Whether attrd runs, and which instance
 * it is, is learnt without libcrmcommon (whose start-up costs every agent
 * invocation milliseconds): a connect() to its libqb socket and the
 * listener's credentials.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <qb/qbipcc.h>
#include <qb/qblog.h>

#include <myha/cluster.h>
#include <myha/ocf.h>
#include <myha/rc.h>
#include <myha/spawn.h>
#include <myha/str.h>

/*!
 * libqb uses file-system sockets instead of abstract ones when this file
 * exists (libqb's FORCESOCKETSFILE)
 */
#define QB_FORCE_FS_SOCKETS "/etc/libqb/force-filesystem-sockets"

//! Buffer size libqb negotiates when we must use qb_ipcc_connect()
#define QB_IPC_BUFFER (128 * 1024)

//! Identifies this boot, so attrd's pid and start time cannot repeat
#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"

//! Largest /proc or cache file read (a GTID set of many servers fits)
#define SMALL_FILE_MAX (1024 * 1024)

//! First line of a cache file; a change of format changes it
#define CACHE_MAGIC "myha-cache 1"

//! Exit code of the Pacemaker tools when the attribute does not exist
//! (CRM_EX_NOSUCH, from crm/common/results.h, without linking libcrmcommon)
#define TOOL_EXIT_NOSUCH 105

//! Exit code of attrd_updater 2.1.5 --query for a missing attribute
//! (CRM_EX_CONFIG)
#define TOOL_EXIT_CONFIG 78

struct myha_cluster {
    char *tools_dir;
    char *cache_dir;
    char *attrd_ipc;
    char *cib_ipc;
    char *controller_ipc;
    int max_age_s;
    int timeout_ms;
    char *tool_err;   //!< stderr of the last tool that failed, or NULL
    char *local_node; //!< Cached result of myha_cluster_local_node()
};

//! What a cache file says was last published
struct cache_entry {
    char *identity; //!< attrd instance that received it
    long long when; //!< Epoch seconds of the publication
    char *value;    //!< Value, or NULL if the attribute was deleted
};

static void
close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

static char *
strdup_or_default(const char *value, const char *fallback)
{
    return strdup(((value != NULL) && (*value != '\0')) ? value : fallback);
}

/*!
 * \brief Create a handle on the local cluster stack
 *
 * Nothing is connected or started here.
 *
 * \param[in]  opts         Paths and limits, or NULL for the defaults
 * \param[out] ret_cluster  Where to store the new handle (only on success)
 *
 * \return 0 on success, ENOMEM
 * \note The caller frees \p *ret_cluster with myha_cluster_free().
 */
int
myha_cluster_new(const struct myha_cluster_opts *opts,
                 struct myha_cluster **ret_cluster)
{
    static const struct myha_cluster_opts defaults = { 0 };
    struct myha_cluster *cluster = NULL;
    const char *cache_dir = NULL;

    if (opts == NULL) {
        opts = &defaults;
    }
    cache_dir = opts->cache_dir;
    if ((cache_dir == NULL) || (*cache_dir == '\0')) {
        cache_dir = getenv("HA_RSCTMP");
    }
    cluster = calloc(1, sizeof(*cluster));
    if (cluster == NULL) {
        return ENOMEM;
    }
    cluster->tools_dir =
        strdup_or_default(opts->tools_dir, MYHA_CLUSTER_TOOLS_DIR);
    cluster->cache_dir = strdup_or_default(cache_dir, MYHA_CLUSTER_CACHE_DIR);
    cluster->attrd_ipc =
        strdup_or_default(opts->attrd_ipc, MYHA_CLUSTER_ATTRD_IPC);
    cluster->cib_ipc = strdup_or_default(opts->cib_ipc, MYHA_CLUSTER_CIB_IPC);
    cluster->controller_ipc =
        strdup_or_default(opts->controller_ipc, MYHA_CLUSTER_CONTROLLER_IPC);
    cluster->max_age_s =
        (opts->max_age_s > 0) ? opts->max_age_s : MYHA_CLUSTER_CACHE_MAX_AGE_S;
    cluster->timeout_ms = (opts->timeout_ms > 0) ? opts->timeout_ms
                                                 : MYHA_CLUSTER_TOOL_TIMEOUT_MS;
    if ((cluster->tools_dir == NULL) || (cluster->cache_dir == NULL)
        || (cluster->attrd_ipc == NULL) || (cluster->cib_ipc == NULL)
        || (cluster->controller_ipc == NULL)) {
        myha_cluster_free(cluster);
        return ENOMEM;
    }
    *ret_cluster = cluster;
    return 0;
}

/*!
 * \brief Free a cluster handle
 *
 * \param[in,out] cluster  Handle to free (may be NULL)
 */
void
myha_cluster_free(struct myha_cluster *cluster)
{
    if (cluster == NULL) {
        return;
    }
    free(cluster->tools_dir);
    free(cluster->cache_dir);
    free(cluster->attrd_ipc);
    free(cluster->cib_ipc);
    free(cluster->controller_ipc);
    free(cluster->tool_err);
    free(cluster->local_node);
    free(cluster);
}

/*!
 * \brief What the last Pacemaker tool that failed wrote to stderr
 *
 * \param[in] cluster  Cluster handle
 *
 * \return Its stderr without trailing blanks (owned by \p cluster, valid
 *         until the next call on it), or NULL if no tool failed or it was
 *         silent
 */
const char *
myha_cluster_tool_error(const struct myha_cluster *cluster)
{
    return (cluster == NULL) ? NULL : cluster->tool_err;
}

// Read a small file whole, NUL-terminated
static int
read_small_file(const char *path, char **ret_text, size_t *ret_len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
    size_t size = 512;
    size_t len = 0;
    char *text = NULL;
    int rc = 0;

    if (fd < 0) {
        return errno;
    }
    text = malloc(size);
    if (text == NULL) {
        rc = ENOMEM;
        goto out_close;
    }
    for (;;) {
        ssize_t n = 0;

        if (len + 1 >= size) {
            char *bigger = NULL;

            if (size >= SMALL_FILE_MAX) {
                rc = EFBIG;
                goto out_free;
            }
            bigger = realloc(text, size * 2);
            if (bigger == NULL) {
                rc = ENOMEM;
                goto out_free;
            }
            text = bigger;
            size *= 2;
        }
        n = read(fd, text + len, size - len - 1);
        if ((n < 0) && (errno == EINTR)) {
            continue;
        }
        if (n < 0) {
            rc = errno;
            goto out_free;
        }
        if (n == 0) {
            break;
        }
        len += (size_t) n;
    }
    text[len] = '\0';
    *ret_text = text;
    if (ret_len != NULL) {
        *ret_len = len;
    }
    text = NULL;

out_free:
    free(text);
out_close:
    close(fd);
    return rc;
}

// Connect to a libqb server's abstract socket, as qb_ipcc_connect() would,
// without the handshake: the server sees a client that hangs up at once,
// which libqb logs at debug level only
static int
ipc_socket_connect(const char *ipc_name, int *ret_fd)
{
    struct sockaddr_un addr;
    size_t len = strlen(ipc_name);
    int fd = -1;

    memset(&addr, 0, sizeof(addr));
    addr.sun_family = AF_UNIX;
    if ((len == 0) || (len > sizeof(addr.sun_path) - 2)) {
        return EINVAL;
    }
    memcpy(addr.sun_path + 1, ipc_name, len);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return errno;
    }
    // libqb binds the whole sockaddr_un, NUL padding included
    if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
        int rc = errno;

        close(fd);
        return rc;
    }
    *ret_fd = fd;
    return 0;
}

static pid_t
socket_peer_pid(int fd)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);

    memset(&cred, 0, sizeof(cred));
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        return 0;
    }
    return cred.pid;
}

/*!
 * \brief Check whether a libqb IPC server (a Pacemaker daemon) listens
 *
 * Costs one connect(): nothing is forked and nothing waits when no server
 * listens.
 *
 * \param[in]  ipc_name  libqb IPC name ("attrd", "stonith-ng", "cib_rw")
 * \param[out] ret_pid   If not NULL, the server's pid, or 0 if it is not
 *                       visible (another PID namespace) (only if true)
 *
 * \return true if a server accepts connections under that name
 */
bool
myha_is_ipc_listening(const char *ipc_name, pid_t *ret_pid)
{
    int fd = -1;
    pid_t pid = 0;
    int rc = 0;

    if (ipc_name == NULL) {
        return false;
    }
    if (access(QB_FORCE_FS_SOCKETS, F_OK) == 0) {
        // Socket paths are libqb's business then: let it connect
        qb_ipcc_connection_t *conn = qb_ipcc_connect(ipc_name, QB_IPC_BUFFER);

        if (conn == NULL) {
            qb_log(LOG_DEBUG, "IPC '%s' not reachable through libqb: %s",
                   ipc_name, strerror(errno));
            return false;
        }
        if (qb_ipcc_fd_get(conn, &fd) == 0) {
            pid = socket_peer_pid(fd);
        }
        qb_ipcc_disconnect(conn);
        goto out_found;
    }
    rc = ipc_socket_connect(ipc_name, &fd);
    if (rc == EAGAIN) {
        // Listening, but its backlog is full: alive, identity unknown
        goto out_found;
    }
    if (rc != 0) {
        qb_log(LOG_DEBUG, "IPC '%s' not reachable: %s", ipc_name, strerror(rc));
        return false;
    }
    pid = socket_peer_pid(fd);
    close_fd(&fd);

out_found:
    if (ret_pid != NULL) {
        *ret_pid = pid;
    }
    return true;
}

/*!
 * \brief Check whether this node's pacemaker-attrd can be reached
 *
 * \param[in] cluster  Cluster handle
 *
 * \return true if attrd listens (see myha_is_ipc_listening())
 */
bool
myha_is_cluster_reachable(const struct myha_cluster *cluster)
{
    return (cluster != NULL) && myha_is_ipc_listening(cluster->attrd_ipc, NULL);
}

// Field 22 of /proc/PID/stat: start time in clock ticks after boot
static int
process_start_time(pid_t pid, unsigned long long *ret_start)
{
    char *path = myha_str_printf("/proc/%lld/stat", (long long) pid);
    char *text = NULL;
    char *field = NULL;
    char *end = NULL;
    int rc = 0;

    if (path == NULL) {
        return ENOMEM;
    }
    rc = read_small_file(path, &text, NULL);
    if (rc != 0) {
        goto out_free_path;
    }
    // The command name (field 2) may hold anything but ends at the last ')'
    field = strrchr(text, ')');
    if (field == NULL) {
        rc = myha_rc_parse;
        goto out_free_text;
    }
    for (int i = 2; i < 22; i++) {
        field = strchr(field + 1, ' ');
        if (field == NULL) {
            rc = myha_rc_parse;
            goto out_free_text;
        }
    }
    errno = 0;
    *ret_start = strtoull(field + 1, &end, 10);
    if ((errno != 0) || (end == field + 1) || (*end != ' ')) {
        rc = myha_rc_parse;
    }

out_free_text:
    free(text);
out_free_path:
    free(path);
    return rc;
}

static int
boot_id(char **ret_id)
{
    char *text = NULL;
    size_t len = 0;
    int rc = read_small_file(BOOT_ID_PATH, &text, &len);

    if (rc != 0) {
        return rc;
    }
    while ((len > 0) && (text[len - 1] == '\n')) {
        text[--len] = '\0';
    }
    if ((len == 0) || (strpbrk(text, " \n") != NULL)) {
        free(text);
        return myha_rc_parse;
    }
    *ret_id = text;
    return 0;
}

/*!
 * \brief Identify the running pacemaker-attrd instance
 *
 * Transient attributes live in attrd: when it restarts (Pacemaker restarted
 * on this node), they are gone and must be published again.  The identity
 * is this boot's id, attrd's pid and its start time.
 *
 * \param[in]  cluster       Cluster handle
 * \param[out] ret_identity  Where to store the identity, or NULL if attrd
 *                           runs but cannot be identified (its pid is not
 *                           visible from here) (only on success)
 *
 * \return 0 on success, ENOTCONN if attrd does not listen, ENOMEM
 * \note The caller frees \p *ret_identity.
 */
int
myha_cluster_attrd_identity(const struct myha_cluster *cluster,
                            char **ret_identity)
{
    pid_t pid = 0;
    unsigned long long start = 0;
    char *boot = NULL;
    char *identity = NULL;
    int rc = 0;

    if ((cluster == NULL) || (ret_identity == NULL)) {
        return EINVAL;
    }
    if (!myha_is_ipc_listening(cluster->attrd_ipc, &pid)) {
        return ENOTCONN;
    }
    if ((pid <= 0) || (process_start_time(pid, &start) != 0)
        || (boot_id(&boot) != 0)) {
        qb_log(LOG_DEBUG, "attrd (pid %lld) cannot be identified",
               (long long) pid);
        *ret_identity = NULL;
        return 0;
    }
    identity = myha_str_printf("%s/%lld/%llu", boot, (long long) pid, start);
    if (identity == NULL) {
        rc = ENOMEM;
        goto out_free_boot;
    }
    *ret_identity = identity;

out_free_boot:
    free(boot);
    return rc;
}

/* Run a Pacemaker tool from tools_dir with environment envp (NULL: ours);
 * keep its stderr if it fails
 */
static int
run_tool_env(struct myha_cluster *cluster, const char *const *argv,
             const char *const *envp, char **ret_stdout, int *failed_exit_code)
{
    char *path = myha_str_printf("%s/%s", cluster->tools_dir, argv[0]);
    size_t argc = 0;
    const char **full = NULL;
    struct myha_spawn_opts opts;
    struct myha_child_status status = { false, 0, 0 };
    char *out_text = NULL;
    char *err_text = NULL;
    int rc = 0;

    free(cluster->tool_err);
    cluster->tool_err = NULL;
    if (path == NULL) {
        return ENOMEM;
    }
    while (argv[argc] != NULL) {
        argc++;
    }
    full = calloc(argc + 1, sizeof(*full));
    if (full == NULL) {
        rc = ENOMEM;
        goto out_free_path;
    }
    full[0] = path;
    for (size_t i = 1; i < argc; i++) {
        full[i] = argv[i];
    }
    memset(&opts, 0, sizeof(opts));
    opts.argv = full;
    opts.envp = envp;
    opts.new_session = true;
    opts.out =
        (ret_stdout != NULL) ? myha_spawn_out_capture : myha_spawn_out_null;
    opts.err = myha_spawn_out_capture;
    rc = myha_spawn_run(&opts, cluster->timeout_ms, &status, &out_text,
                        &err_text);
    qb_log(LOG_DEBUG, "%s %s: %s (exit %d, signal %d)", path,
           (argc > 1) ? argv[1] : "", myha_rc_str(rc), status.exit_code,
           status.signal);
    if (rc == ENOENT) {
        rc = myha_rc_not_installed;
    }
    if (rc == myha_rc_child_failed) {
        if (err_text != NULL) {
            size_t len = strlen(err_text);

            while ((len > 0)
                   && ((err_text[len - 1] == '\n')
                       || (err_text[len - 1] == ' '))) {
                err_text[--len] = '\0';
            }
            if (len > 0) {
                cluster->tool_err = err_text;
                err_text = NULL;
            }
        }
        if (failed_exit_code != NULL) {
            *failed_exit_code = status.signaled ? -1 : status.exit_code;
        }
    }
    if ((rc == 0) && (ret_stdout != NULL)) {
        *ret_stdout = out_text;
        out_text = NULL;
    }
    free(out_text);
    free(err_text);
    free(full);
out_free_path:
    free(path);
    return rc;
}

// Run a Pacemaker tool from tools_dir; keep its stderr if it fails
static int
run_tool(struct myha_cluster *cluster, const char *const *argv,
         char **ret_stdout, int *failed_exit_code)
{
    return run_tool_env(cluster, argv, NULL, ret_stdout, failed_exit_code);
}

/* Our environment without the node Pacemaker runs the action on: with
 * OCF_RESKEY_CRM_meta_on_node set, attrd_updater answers "--query --all"
 * for that node only (seen with 2.1.5).  Pointers into environ; the caller
 * frees the array only.
 */
static const char **
env_without_on_node(void)
{
    size_t n = 0;
    const char **env = NULL;
    size_t kept = 0;

    while (environ[n] != NULL) {
        n++;
    }
    env = calloc(n + 1, sizeof(*env));
    if (env == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if ((strncmp(environ[i], "OCF_RESKEY_CRM_meta_on_node=",
                     strlen("OCF_RESKEY_CRM_meta_on_node="))
             != 0)
            && (strncmp(environ[i], "OCF_RESKEY_CRM_meta_on_node_uuid=",
                        strlen("OCF_RESKEY_CRM_meta_on_node_uuid="))
                != 0)) {
            env[kept++] = environ[i];
        }
    }
    return env;
}

// Cache file of one attribute: cache_dir/myha-KIND-KEY.cache, with every
// byte of KEY outside [A-Za-z0-9_.-] written as %XX
static char *
cache_path(const struct myha_cluster *cluster, const char *kind,
           const char *key)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t len = strlen(key);
    char *encoded = malloc((len * 3) + 1);
    char *path = NULL;
    size_t o = 0;

    if (encoded == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char) key[i];

        if (((c >= 'a') && (c <= 'z')) || ((c >= 'A') && (c <= 'Z'))
            || ((c >= '0') && (c <= '9')) || (c == '_') || (c == '.')
            || (c == '-')) {
            encoded[o++] = (char) c;
        } else {
            encoded[o++] = '%';
            encoded[o++] = hex[c >> 4];
            encoded[o++] = hex[c & 0xf];
        }
    }
    encoded[o] = '\0';
    path = myha_str_printf("%s/myha-%s-%s.cache", cluster->cache_dir, kind,
                           encoded);
    free(encoded);
    return path;
}

static void
cache_entry_release(struct cache_entry *entry)
{
    free(entry->identity);
    free(entry->value);
    memset(entry, 0, sizeof(*entry));
}

// Take "PREFIX REST\n" from *pos; return REST (NUL-terminated in place)
static char *
take_line(char **pos, const char *prefix)
{
    size_t plen = strlen(prefix);
    char *line = *pos;
    char *nl = strchr(line, '\n');

    if ((nl == NULL) || (strncmp(line, prefix, plen) != 0)) {
        return NULL;
    }
    *nl = '\0';
    *pos = nl + 1;
    return line + plen;
}

/*
 * Format:
 *   myha-cache 1
 *   attrd IDENTITY
 *   time EPOCH
 *   value LEN        (then LEN bytes and "\n")   or   deleted
 * Anything else is not a cache entry (myha_rc_parse): the value is then
 * published again, which rewrites the file.
 */
static int
cache_parse(char *text, size_t len, struct cache_entry *ret_entry)
{
    struct cache_entry entry = { NULL, 0, NULL };
    char *pos = text;
    char *field = NULL;
    long long value_len = 0;

    if (strlen(text) != len) {
        // Binary junk
        return myha_rc_parse;
    }
    field = take_line(&pos, CACHE_MAGIC);
    if ((field == NULL) || (*field != '\0')) {
        return myha_rc_parse;
    }
    field = take_line(&pos, "attrd ");
    if ((field == NULL) || (*field == '\0')) {
        return myha_rc_parse;
    }
    entry.identity = field;
    field = take_line(&pos, "time ");
    if ((field == NULL) || (myha_str_to_ll(field, &entry.when) != 0)) {
        return myha_rc_parse;
    }
    if (strcmp(pos, "deleted\n") == 0) {
        entry.value = NULL;
    } else {
        field = take_line(&pos, "value ");
        if ((field == NULL) || (myha_str_to_ll(field, &value_len) != 0)
            || (value_len < 0)
            || ((size_t) value_len != len - (size_t) (pos - text) - 1)
            || (pos[value_len] != '\n')) {
            return myha_rc_parse;
        }
        pos[value_len] = '\0';
        entry.value = pos;
    }
    ret_entry->identity = strdup(entry.identity);
    ret_entry->when = entry.when;
    ret_entry->value = (entry.value == NULL) ? NULL : strdup(entry.value);
    if ((ret_entry->identity == NULL)
        || ((entry.value != NULL) && (ret_entry->value == NULL))) {
        cache_entry_release(ret_entry);
        return ENOMEM;
    }
    return 0;
}

static int
cache_read(const char *path, struct cache_entry *ret_entry)
{
    char *text = NULL;
    size_t len = 0;
    int rc = read_small_file(path, &text, &len);

    if (rc != 0) {
        return rc;
    }
    rc = cache_parse(text, len, ret_entry);
    free(text);
    return rc;
}

static int
write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);

        if ((n < 0) && (errno == EINTR)) {
            continue;
        }
        if (n < 0) {
            return errno;
        }
        data += n;
        len -= (size_t) n;
    }
    return 0;
}

// Replace the cache file atomically (a reader sees the old or the new one)
static int
cache_write(const struct myha_cluster *cluster, const char *path,
            const char *identity, long long when, const char *value)
{
    char *text = NULL;
    char *tmp = NULL;
    int fd = -1;
    int rc = 0;

    if (value == NULL) {
        text = myha_str_printf(CACHE_MAGIC "\nattrd %s\ntime %lld\ndeleted\n",
                               identity, when);
    } else {
        text = myha_str_printf(CACHE_MAGIC "\nattrd %s\ntime %lld\nvalue %zu\n"
                                           "%s\n",
                               identity, when, strlen(value), value);
    }
    tmp = myha_str_printf("%s.%lld.tmp", path, (long long) getpid());
    if ((text == NULL) || (tmp == NULL)) {
        rc = ENOMEM;
        goto out_free;
    }
    if ((mkdir(cluster->cache_dir, 0755) < 0) && (errno != EEXIST)) {
        rc = errno;
        goto out_free;
    }
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        rc = errno;
        goto out_free;
    }
    rc = write_all(fd, text, strlen(text));
    if ((close(fd) < 0) && (rc == 0)) {
        rc = errno;
    }
    if ((rc == 0) && (rename(tmp, path) < 0)) {
        rc = errno;
    }
    if (rc != 0) {
        unlink(tmp);
    }

out_free:
    free(tmp);
    free(text);
    return rc;
}

static bool
values_equal(const char *a, const char *b)
{
    if ((a == NULL) || (b == NULL)) {
        return a == b;
    }
    return strcmp(a, b) == 0;
}

/*
 * Publish value (NULL: delete) with the tool in argv, unless the cache file
 * for kind/key says the same attrd instance received the same value less
 * than max_age_s ago.
 */
static int
publish(struct myha_cluster *cluster, const char *kind, const char *key,
        const char *value, const char *const *argv,
        enum myha_cluster_publish *ret_outcome)
{
    struct cache_entry cached = { NULL, 0, NULL };
    char *identity = NULL;
    char *path = NULL;
    long long now = (long long) time(NULL);
    int rc = 0;

    free(cluster->tool_err);
    cluster->tool_err = NULL;
    rc = myha_cluster_attrd_identity(cluster, &identity);
    if (rc != 0) {
        return rc;
    }
    path = cache_path(cluster, kind, key);
    if (path == NULL) {
        rc = ENOMEM;
        goto out_free_identity;
    }
    if ((identity != NULL) && (cache_read(path, &cached) == 0)
        && (strcmp(cached.identity, identity) == 0)
        && values_equal(cached.value, value) && (now >= cached.when)
        && (now - cached.when < cluster->max_age_s)) {
        *ret_outcome = myha_publish_unchanged;
        goto out_release_cached;
    }
    rc = run_tool(cluster, argv, NULL, NULL);
    if ((rc != 0) || (identity == NULL)) {
        // attrd may hold anything now: make the next call publish again
        unlink(path);
    } else {
        int cache_rc = cache_write(cluster, path, identity, now, value);

        if (cache_rc != 0) {
            qb_log(LOG_DEBUG, "Cannot write %s: %s", path,
                   myha_rc_str(cache_rc));
        }
    }
    if (rc == 0) {
        *ret_outcome = myha_publish_done;
    }

out_release_cached:
    cache_entry_release(&cached);
    free(path);
out_free_identity:
    free(identity);
    return rc;
}

static bool
is_valid_name(const char *name)
{
    return (name != NULL) && (*name != '\0') && (strchr(name, '\n') == NULL);
}

/*!
 * \brief Publish this node's promotion score for a resource, if it changed
 *
 * Runs "crm_attribute --promotion=RSC --update=SCORE" only if the cache
 * does not show that the running attrd already has this score (published
 * less than max_age_s ago).
 *
 * \param[in,out] cluster      Cluster handle
 * \param[in]     rsc          Resource ($OCF_RESOURCE_INSTANCE)
 * \param[in]     score        Promotion score
 * \param[out]    ret_outcome  Whether a tool ran (only on success)
 *
 * \return 0 on success; ENOTCONN if attrd does not run here (nothing is
 *         started); myha_rc_child_failed if the tool failed (see
 *         myha_cluster_tool_error()); myha_rc_not_installed; ETIMEDOUT;
 *         EINVAL; ENOMEM
 */
int
myha_cluster_score_set(struct myha_cluster *cluster, const char *rsc, int score,
                       enum myha_cluster_publish *ret_outcome)
{
    char *promotion = NULL;
    char *update = NULL;
    int rc = 0;

    if ((cluster == NULL) || !is_valid_name(rsc) || (ret_outcome == NULL)) {
        return EINVAL;
    }
    promotion = myha_str_printf("--promotion=%s", rsc);
    update = myha_str_printf("--update=%d", score);
    if ((promotion == NULL) || (update == NULL)) {
        rc = ENOMEM;
        goto out_free;
    }
    rc = publish(
        cluster, "score", rsc, update + strlen("--update="),
        (const char *const[]){ "crm_attribute", promotion, update, NULL },
        ret_outcome);

out_free:
    free(update);
    free(promotion);
    return rc;
}

/*!
 * \brief Remove this node's promotion score for a resource, if it has one
 *
 * Without a score this node is not promotable.  Runs "crm_attribute
 * --promotion=RSC --delete" unless the cache shows it already ran against
 * the running attrd less than max_age_s ago.
 *
 * \param[in,out] cluster      Cluster handle
 * \param[in]     rsc          Resource ($OCF_RESOURCE_INSTANCE)
 * \param[out]    ret_outcome  Whether a tool ran (only on success)
 *
 * \return As myha_cluster_score_set()
 */
int
myha_cluster_score_clear(struct myha_cluster *cluster, const char *rsc,
                         enum myha_cluster_publish *ret_outcome)
{
    char *promotion = NULL;
    int rc = 0;

    if ((cluster == NULL) || !is_valid_name(rsc) || (ret_outcome == NULL)) {
        return EINVAL;
    }
    promotion = myha_str_printf("--promotion=%s", rsc);
    if (promotion == NULL) {
        return ENOMEM;
    }
    rc = publish(
        cluster, "score", rsc, NULL,
        (const char *const[]){ "crm_attribute", promotion, "--delete", NULL },
        ret_outcome);
    free(promotion);
    return rc;
}

/*!
 * \brief Publish a transient attribute of this node, if it changed
 *
 * Runs "attrd_updater --name=NAME --update=VALUE" only if the cache does
 * not show that the running attrd already has this value.
 *
 * \param[in,out] cluster      Cluster handle
 * \param[in]     name         Attribute name
 * \param[in]     value        Attribute value
 * \param[out]    ret_outcome  Whether a tool ran (only on success)
 *
 * \return As myha_cluster_score_set()
 */
int
myha_cluster_attr_set(struct myha_cluster *cluster, const char *name,
                      const char *value, enum myha_cluster_publish *ret_outcome)
{
    char *name_arg = NULL;
    char *update = NULL;
    int rc = 0;

    if ((cluster == NULL) || !is_valid_name(name) || (value == NULL)
        || (ret_outcome == NULL)) {
        return EINVAL;
    }
    name_arg = myha_str_printf("--name=%s", name);
    update = myha_str_printf("--update=%s", value);
    if ((name_arg == NULL) || (update == NULL)) {
        rc = ENOMEM;
        goto out_free;
    }
    rc = publish(
        cluster, "attr", name, value,
        (const char *const[]){ "attrd_updater", name_arg, update, NULL },
        ret_outcome);

out_free:
    free(update);
    free(name_arg);
    return rc;
}

/*!
 * \brief Clear a transient attribute of this node, if it is set
 *
 * Runs "attrd_updater --name=NAME --delete" (which leaves the attribute with
 * an empty value) unless the cache shows it already ran.
 *
 * \param[in,out] cluster      Cluster handle
 * \param[in]     name         Attribute name
 * \param[out]    ret_outcome  Whether a tool ran (only on success)
 *
 * \return As myha_cluster_score_set()
 */
int
myha_cluster_attr_clear(struct myha_cluster *cluster, const char *name,
                        enum myha_cluster_publish *ret_outcome)
{
    char *name_arg = NULL;
    int rc = 0;

    if ((cluster == NULL) || !is_valid_name(name) || (ret_outcome == NULL)) {
        return EINVAL;
    }
    name_arg = myha_str_printf("--name=%s", name);
    if (name_arg == NULL) {
        return ENOMEM;
    }
    rc = publish(
        cluster, "attr", name, NULL,
        (const char *const[]){ "attrd_updater", name_arg, "--delete", NULL },
        ret_outcome);
    free(name_arg);
    return rc;
}

/*!
 * \brief Describe a publish outcome
 *
 * \param[in] outcome  Outcome
 *
 * \return Static string
 */
const char *
myha_cluster_publish_str(enum myha_cluster_publish outcome)
{
    switch (outcome) {
        case myha_publish_unchanged:
            return "unchanged";
        case myha_publish_done:
            return "published";
    }
    return "unknown";
}

/*!
 * \brief Free an array of node values
 *
 * \param[in,out] values  Array from myha_cluster_attr_query_all() (may be
 *                        NULL)
 * \param[in]     n       Number of entries
 */
void
myha_node_values_free(struct myha_node_value *values, size_t n)
{
    if (values == NULL) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        free(values[i].node);
        free(values[i].value);
    }
    free(values);
}

static char *
dup_range(const char *start, const char *end)
{
    return strndup(start, (size_t) (end - start));
}

/*!
 * \brief Parse the output of "attrd_updater --query --all --name=NAME"
 *
 * Pacemaker 2.1 prints one record per node:
 * \verbatim name="NAME" host="NODE" value="VALUE" \endverbatim
 * with VALUE unescaped: it may hold quotes, blanks and even newlines.  A
 * record therefore ends where the next one starts or at the end of the
 * text, and VALUE ends at the last quote before that.
 *
 * \param[in]  text        Output of attrd_updater
 * \param[in]  name        Attribute name that was queried
 * \param[out] ret_values  Where to store the array (only on success; NULL
 *                         if it is empty)
 * \param[out] ret_n       Where to store the number of entries
 *
 * \return 0 on success, myha_rc_parse if a record is malformed, EINVAL,
 *         ENOMEM
 * \note The caller frees \p *ret_values with myha_node_values_free().
 */
int
myha_cluster_attr_parse(const char *text, const char *name,
                        struct myha_node_value **ret_values, size_t *ret_n)
{
    struct myha_node_value *values = NULL;
    size_t n = 0;
    char *head = NULL;
    size_t head_len = 0;
    const char *pos = text;
    int rc = 0;

    if ((text == NULL) || !is_valid_name(name) || (ret_values == NULL)
        || (ret_n == NULL)) {
        return EINVAL;
    }
    head = myha_str_printf("name=\"%s\" host=\"", name);
    if (head == NULL) {
        return ENOMEM;
    }
    head_len = strlen(head);
    while (*pos != '\0') {
        const char *host = NULL;
        const char *host_end = NULL;
        const char *value = NULL;
        const char *end = NULL;
        const char *next = NULL;
        struct myha_node_value *bigger = NULL;

        if (strncmp(pos, head, head_len) != 0) {
            rc = myha_rc_parse;
            goto out_free;
        }
        host = pos + head_len;
        host_end = strstr(host, "\" value=\"");
        if ((host_end == NULL) || (host_end == host)
            || (memchr(host, '\n', (size_t) (host_end - host)) != NULL)) {
            rc = myha_rc_parse;
            goto out_free;
        }
        value = host_end + strlen("\" value=\"");
        // The record ends at the newline before the next record, if any
        next = value;
        for (;;) {
            next = strchr(next, '\n');
            if ((next == NULL) || (strncmp(next + 1, head, head_len) == 0)) {
                break;
            }
            next++;
        }
        if (next != NULL) {
            end = next;
        } else {
            end = value + strlen(value);
            if ((end > value) && (end[-1] == '\n')) {
                end--;
            }
        }
        if ((end <= value) || (end[-1] != '"')) {
            rc = myha_rc_parse;
            goto out_free;
        }
        end--;
        bigger = realloc(values, (n + 1) * sizeof(*values));
        if (bigger == NULL) {
            rc = ENOMEM;
            goto out_free;
        }
        values = bigger;
        values[n].node = dup_range(host, host_end);
        values[n].value = dup_range(value, end);
        n++;
        if ((values[n - 1].node == NULL) || (values[n - 1].value == NULL)) {
            rc = ENOMEM;
            goto out_free;
        }
        pos = (next != NULL) ? next + 1 : value + strlen(value);
    }
    *ret_values = values;
    *ret_n = n;
    values = NULL;
    n = 0;

out_free:
    myha_node_values_free(values, n);
    free(head);
    return rc;
}

/*!
 * \brief Read every node's value of a transient node attribute
 *
 * Runs "attrd_updater --query --all --name=NAME" (for promote and notify:
 * it forks).
 *
 * \param[in,out] cluster     Cluster handle
 * \param[in]     name        Attribute name
 * \param[out]    ret_values  Where to store the array (only on success;
 *                            NULL if no node has the attribute)
 * \param[out]    ret_n       Where to store the number of entries
 *
 * \return 0 on success (also when no node has the attribute); ENOTCONN if
 *         attrd does not run here; myha_rc_child_failed (see
 *         myha_cluster_tool_error()); myha_rc_parse; myha_rc_not_installed;
 *         ETIMEDOUT; EINVAL; ENOMEM
 * \note The caller frees \p *ret_values with myha_node_values_free().
 */
int
myha_cluster_attr_query_all(struct myha_cluster *cluster, const char *name,
                            struct myha_node_value **ret_values, size_t *ret_n)
{
    const char **env = NULL;
    char *name_arg = NULL;
    char *out_text = NULL;
    int exit_code = 0;
    int rc = 0;

    if ((cluster == NULL) || !is_valid_name(name) || (ret_values == NULL)
        || (ret_n == NULL)) {
        return EINVAL;
    }
    if (!myha_is_cluster_reachable(cluster)) {
        return ENOTCONN;
    }
    name_arg = myha_str_printf("--name=%s", name);
    if (name_arg == NULL) {
        return ENOMEM;
    }
    env = env_without_on_node();
    if (env == NULL) {
        free(name_arg);
        return ENOMEM;
    }
    rc = run_tool_env(cluster,
                      (const char *const[]){ "attrd_updater", "--query",
                                             "--all", name_arg, NULL },
                      env, &out_text, &exit_code);
    free(env);
    if ((rc == myha_rc_child_failed)
        && ((exit_code == TOOL_EXIT_NOSUCH) || (exit_code == TOOL_EXIT_CONFIG))
        && (cluster->tool_err != NULL)
        && (strstr(cluster->tool_err, "attribute does not exist") != NULL)) {
        // No node has it (attrd_updater 2.1.5 exits with CRM_EX_CONFIG)
        free(cluster->tool_err);
        cluster->tool_err = NULL;
        *ret_values = NULL;
        *ret_n = 0;
        rc = 0;
        goto out_free;
    }
    if (rc == 0) {
        rc = myha_cluster_attr_parse(out_text, name, ret_values, ret_n);
    }

out_free:
    free(out_text);
    free(name_arg);
    return rc;
}

static void
trim_end(char *text)
{
    size_t len = strlen(text);

    while ((len > 0) && ((text[len - 1] == '\n') || (text[len - 1] == ' '))) {
        text[--len] = '\0';
    }
}

/*!
 * \brief Name of this node as Pacemaker knows it
 *
 * $OCF_RESKEY_CRM_meta_on_node when Pacemaker runs the agent, else
 * "crm_node --name" when the cluster runs, else the kernel's node name.
 *
 * \param[in,out] cluster   Cluster handle (remembers the answer)
 * \param[out]    ret_node  Where to store the name (only on success)
 *
 * \return 0 on success, EINVAL, ENOMEM
 * \note The caller frees \p *ret_node.
 */
int
myha_cluster_local_node(struct myha_cluster *cluster, char **ret_node)
{
    const char *env_node = NULL;
    char *out_text = NULL;
    struct utsname uts;

    if ((cluster == NULL) || (ret_node == NULL)) {
        return EINVAL;
    }
    if (cluster->local_node != NULL) {
        goto out_copy;
    }
    env_node = myha_ocf_var_get(myha_ocf_meta, "on_node");
    if (env_node != NULL) {
        cluster->local_node = strdup(env_node);
    } else if (myha_is_ipc_listening(cluster->controller_ipc, NULL)
               && (run_tool(cluster,
                            (const char *const[]){ "crm_node", "--name", NULL },
                            &out_text, NULL)
                   == 0)) {
        trim_end(out_text);
        if ((*out_text != '\0') && (strchr(out_text, '\n') == NULL)) {
            cluster->local_node = out_text;
            out_text = NULL;
        }
        free(out_text);
    }
    if ((cluster->local_node == NULL) && (uname(&uts) == 0)) {
        cluster->local_node = strdup(uts.nodename);
    }
    if (cluster->local_node == NULL) {
        return ENOMEM;
    }

out_copy:
    *ret_node = strdup(cluster->local_node);
    return (*ret_node == NULL) ? ENOMEM : 0;
}

//! One line of "crm_node --list" (next_node_line())
struct node_line {
    const char *id; //!< Before the first space
    size_t id_len;
    const char *name; //!< Up to the next space; NULL if not "ID NAME..."
    size_t name_len;
    bool is_empty;
};

/* Split the line at *POS of "crm_node --list" ("ID NAME STATE", one per
 * node Pacemaker knows, members or not; STATE may be missing) and move *POS
 * to the next line.  False at the end of the text.
 */
static bool
next_node_line(const char **pos, struct node_line *ret)
{
    const char *line = *pos;
    const char *nl = strchr(line, '\n');
    const char *end = (nl != NULL) ? nl : line + strlen(line);
    const char *space = memchr(line, ' ', (size_t) (end - line));
    const char *name_end = NULL;

    if (*line == '\0') {
        return false;
    }
    *pos = (nl != NULL) ? nl + 1 : end;
    memset(ret, 0, sizeof(*ret));
    ret->is_empty = (end == line);
    if ((space == NULL) || (space == line)) {
        return true;
    }
    name_end = memchr(space + 1, ' ', (size_t) (end - (space + 1)));
    if (name_end == NULL) {
        name_end = end;
    }
    if (name_end > space + 1) {
        ret->id = line;
        ret->id_len = (size_t) (space - line);
        ret->name = space + 1;
        ret->name_len = (size_t) (name_end - (space + 1));
    }
    return true;
}

// Run "crm_node --list": its output (allocated)
static int
crm_node_list(struct myha_cluster *cluster, char **ret_text)
{
    if (!myha_is_ipc_listening(cluster->controller_ipc, NULL)) {
        return ENOTCONN;
    }
    return run_tool(cluster,
                    (const char *const[]){ "crm_node", "--list", NULL },
                    ret_text, NULL);
}

/*!
 * \brief Find a node's id in the output of "crm_node --list"
 *
 * Pacemaker 2.1 prints one line per node: "ID NAME STATE".
 *
 * \param[in]  text    Output of crm_node --list
 * \param[in]  node    Node name
 * \param[out] ret_id  Where to store its id (only on success)
 *
 * \return 0 on success, ENOENT if the node is not listed (or has no id
 *         yet), EINVAL
 */
int
myha_cluster_node_list_parse(const char *text, const char *node,
                             uint32_t *ret_id)
{
    struct node_line l;

    if ((text == NULL) || !is_valid_name(node) || (ret_id == NULL)) {
        return EINVAL;
    }
    while (next_node_line(&text, &l)) {
        char *id_text = NULL;
        long long id = 0;
        int rc = 0;

        if ((l.name == NULL) || (l.name_len != strlen(node))
            || (strncmp(l.name, node, l.name_len) != 0)) {
            continue;
        }
        id_text = strndup(l.id, l.id_len);
        if (id_text == NULL) {
            return ENOMEM;
        }
        rc = myha_str_to_ll(id_text, &id);
        free(id_text);
        if ((rc == 0) && (id > 0) && (id <= UINT32_MAX)) {
            *ret_id = (uint32_t) id;
            return 0;
        }
    }
    return ENOENT;
}

/*!
 * \brief Corosync node id of a node, as Pacemaker's controller knows it
 *
 * Runs "crm_node --list" (for promote: it forks).
 *
 * \param[in,out] cluster  Cluster handle
 * \param[in]     node     Node name
 * \param[out]    ret_id   Where to store the id (only on success)
 *
 * \return 0 on success; ENOENT if the node is unknown; ENOTCONN if the
 *         controller does not run here; myha_rc_child_failed (see
 *         myha_cluster_tool_error()); EINVAL; ENOMEM
 */
int
myha_cluster_node_id(struct myha_cluster *cluster, const char *node,
                     uint32_t *ret_id)
{
    char *out_text = NULL;
    int rc = 0;

    if ((cluster == NULL) || !is_valid_name(node) || (ret_id == NULL)) {
        return EINVAL;
    }
    rc = crm_node_list(cluster, &out_text);
    if (rc == 0) {
        rc = myha_cluster_node_list_parse(out_text, node, ret_id);
    }
    free(out_text);
    return rc;
}

/*!
 * \brief Names of the nodes in the output of "crm_node --list"
 *
 * Pacemaker 2.1 prints one line per node it knows, members or not:
 * "ID NAME STATE".
 *
 * \param[in]  text       Output of crm_node --list
 * \param[out] ret_names  Where to store the names (free with
 *                        myha_cluster_node_names_free())
 * \param[out] ret_n      Where to store their number
 *
 * \return 0 on success (also with no node), myha_rc_parse if a line is not
 *         "ID NAME STATE", EINVAL, ENOMEM
 */
int
myha_cluster_node_names_parse(const char *text, char ***ret_names,
                              size_t *ret_n)
{
    struct node_line l;
    char **names = NULL;
    size_t n = 0;
    int rc = 0;

    if ((text == NULL) || (ret_names == NULL) || (ret_n == NULL)) {
        return EINVAL;
    }
    while ((rc == 0) && next_node_line(&text, &l)) {
        char **grown = NULL;

        if (l.is_empty) {
            continue;
        }
        if (l.name == NULL) {
            rc = myha_rc_parse;
        } else if ((grown = realloc(names, (n + 1) * sizeof(*names))) == NULL) {
            rc = ENOMEM;
        } else {
            names = grown;
            names[n] = strndup(l.name, l.name_len);
            rc = (names[n] == NULL) ? ENOMEM : 0;
            n += (names[n] == NULL) ? 0 : 1;
        }
    }
    if (rc != 0) {
        myha_cluster_node_names_free(names, n);
        return rc;
    }
    *ret_names = names;
    *ret_n = n;
    return 0;
}

//! Free what myha_cluster_node_names() returned
void
myha_cluster_node_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(names[i]);
    }
    free(names);
}

/*!
 * \brief The names of the nodes the cluster knows, members or not
 *
 * Runs "crm_node --list" (it forks: not for monitor).
 *
 * \param[in,out] cluster    Cluster handle
 * \param[out]    ret_names  Where to store the names (free with
 *                           myha_cluster_node_names_free())
 * \param[out]    ret_n      Where to store their number
 *
 * \return 0 on success; ENOTCONN if the controller does not run here;
 *         myha_rc_child_failed; myha_rc_parse; EINVAL; ENOMEM
 */
int
myha_cluster_node_names(struct myha_cluster *cluster, char ***ret_names,
                        size_t *ret_n)
{
    char *out_text = NULL;
    int rc = 0;

    if ((cluster == NULL) || (ret_names == NULL) || (ret_n == NULL)) {
        return EINVAL;
    }
    rc = crm_node_list(cluster, &out_text);
    if (rc == 0) {
        rc = myha_cluster_node_names_parse(out_text, ret_names, ret_n);
    }
    free(out_text);
    return rc;
}

/* crm_attribute on an attribute in the CIB: of TYPE "nodes" (of NODE) or
 * "crm_config" (NODE NULL).  Sets NAME to VALUE, or deletes it (VALUE
 * NULL).  ENOTCONN if the CIB manager does not run here.
 */
static int
cib_attr_write(struct myha_cluster *cluster, const char *type, const char *node,
               const char *name, const char *value)
{
    char *type_arg = myha_str_printf("--type=%s", type);
    char *node_arg = (node == NULL) ? NULL : myha_str_printf("--node=%s", node);
    char *name_arg = myha_str_printf("--name=%s", name);
    char *update = (value != NULL) ? myha_str_printf("--update=%s", value)
                                   : strdup("--delete");
    int rc = 0;

    if (!myha_is_ipc_listening(cluster->cib_ipc, NULL)) {
        rc = ENOTCONN;
    } else if ((type_arg == NULL) || ((node != NULL) && (node_arg == NULL))
               || (name_arg == NULL) || (update == NULL)) {
        rc = ENOMEM;
    } else if (node_arg == NULL) {
        rc = run_tool(cluster,
                      (const char *const[]){ "crm_attribute", type_arg,
                                             name_arg, update, NULL },
                      NULL, NULL);
    } else {
        rc = run_tool(cluster,
                      (const char *const[]){ "crm_attribute", type_arg,
                                             node_arg, name_arg, update, NULL },
                      NULL, NULL);
    }
    free(update);
    free(name_arg);
    free(node_arg);
    free(type_arg);
    return rc;
}

/* The value of the attribute cib_attr_write() names, without trailing
 * white space (allocated); ENOENT if there is none, or it is empty
 */
static int
cib_attr_read(struct myha_cluster *cluster, const char *type, const char *node,
              const char *name, char **ret_value)
{
    char *type_arg = myha_str_printf("--type=%s", type);
    char *node_arg = (node == NULL) ? NULL : myha_str_printf("--node=%s", node);
    char *name_arg = myha_str_printf("--name=%s", name);
    char *out_text = NULL;
    int exit_code = 0;
    int rc = 0;

    if (!myha_is_ipc_listening(cluster->cib_ipc, NULL)) {
        rc = ENOTCONN;
    } else if ((type_arg == NULL) || ((node != NULL) && (node_arg == NULL))
               || (name_arg == NULL)) {
        rc = ENOMEM;
    } else if (node_arg == NULL) {
        rc =
            run_tool(cluster,
                     (const char *const[]){ "crm_attribute", type_arg, name_arg,
                                            "--query", "--quiet", NULL },
                     &out_text, &exit_code);
    } else {
        rc = run_tool(cluster,
                      (const char *const[]){ "crm_attribute", type_arg,
                                             node_arg, name_arg, "--query",
                                             "--quiet", NULL },
                      &out_text, &exit_code);
    }
    if ((rc == myha_rc_child_failed) && (exit_code == TOOL_EXIT_NOSUCH)) {
        rc = ENOENT;
    }
    if (rc == 0) {
        trim_end(out_text);
        if (*out_text == '\0') {
            rc = ENOENT;
        } else {
            *ret_value = out_text;
            out_text = NULL;
        }
    }
    free(out_text);
    free(name_arg);
    free(node_arg);
    free(type_arg);
    return rc;
}

/*!
 * \brief Set or delete a permanent node attribute (in the CIB)
 *
 * Unlike the transient attributes of myha_cluster_attr_set(), it survives
 * reboots and Pacemaker restarts, and the node need not be online.
 *
 * \param[in,out] cluster  Cluster handle
 * \param[in]     node     Node name
 * \param[in]     name     Attribute name
 * \param[in]     value    Value, or NULL to delete the attribute
 *
 * \return 0 on success; ENOTCONN if the CIB manager does not run here;
 *         myha_rc_child_failed (see myha_cluster_tool_error()); EINVAL;
 *         ENOMEM
 */
int
myha_cluster_node_attr_set(struct myha_cluster *cluster, const char *node,
                           const char *name, const char *value)
{
    if ((cluster == NULL) || !is_valid_name(node) || !is_valid_name(name)
        || ((value != NULL) && (strchr(value, '\n') != NULL))) {
        return EINVAL;
    }
    return cib_attr_write(cluster, "nodes", node, name, value);
}

/*!
 * \brief Read a permanent node attribute (in the CIB)
 *
 * \param[in,out] cluster    Cluster handle
 * \param[in]     node       Node name
 * \param[in]     name       Attribute name
 * \param[out]    ret_value  Where to store the value (only on success)
 *
 * \return 0 on success; ENOENT if the node has no such attribute;
 *         ENOTCONN if the CIB manager does not run here;
 *         myha_rc_child_failed; EINVAL; ENOMEM
 */
int
myha_cluster_node_attr_get(struct myha_cluster *cluster, const char *node,
                           const char *name, char **ret_value)
{
    if ((cluster == NULL) || !is_valid_name(node) || !is_valid_name(name)
        || (ret_value == NULL)) {
        return EINVAL;
    }
    return cib_attr_read(cluster, "nodes", node, name, ret_value);
}

/*!
 * \brief Record the current primary of a resource in the cluster options
 *
 * Sets the cluster property "myha-RSC-primary" to "NODE@SINCE", in one
 * write so that a reader never sees a node with another node's time.  It
 * lives in the CIB and survives attrd and Pacemaker restarts.
 *
 * \param[in,out] cluster  Cluster handle
 * \param[in]     rsc      Resource name
 * \param[in]     node     Primary node, or NULL to delete the property
 * \param[in]     since    When it became primary (epoch seconds)
 *
 * \return 0 on success; ENOTCONN if the CIB manager does not run here;
 *         myha_rc_child_failed (see myha_cluster_tool_error());
 *         myha_rc_not_installed; ETIMEDOUT; EINVAL; ENOMEM
 */
int
myha_cluster_primary_set(struct myha_cluster *cluster, const char *rsc,
                         const char *node, time_t since)
{
    char *name = NULL;
    char *value = NULL;
    int rc = 0;

    if ((cluster == NULL) || !is_valid_name(rsc)
        || ((node != NULL) && !is_valid_name(node))) {
        return EINVAL;
    }
    name = myha_str_printf("myha-%s-primary", rsc);
    if (node != NULL) {
        value = myha_str_printf("%s@%lld", node, (long long) since);
    }
    rc = ((name == NULL) || ((node != NULL) && (value == NULL)))
             ? ENOMEM
             : cib_attr_write(cluster, "crm_config", NULL, name, value);
    free(value);
    free(name);
    return rc;
}

/*!
 * \brief Read the current primary of a resource from the cluster options
 *
 * \param[in,out] cluster    Cluster handle
 * \param[in]     rsc        Resource name
 * \param[out]    ret_node   Where to store the primary node (only on
 *                           success)
 * \param[out]    ret_since  Where to store when it became primary, 0 if the
 *                           property holds no time (only on success; may
 *                           be NULL)
 *
 * \return 0 on success; ENOENT if no primary is recorded; ENOTCONN if the
 *         CIB manager does not run here; myha_rc_parse if the property is
 *         malformed; myha_rc_child_failed (see myha_cluster_tool_error());
 *         EINVAL; ENOMEM
 * \note The caller frees \p *ret_node.
 */
int
myha_cluster_primary_get(struct myha_cluster *cluster, const char *rsc,
                         char **ret_node, time_t *ret_since)
{
    char *name = NULL;
    char *out_text = NULL;
    char *at = NULL;
    long long since = 0;
    int rc = 0;

    if ((cluster == NULL) || !is_valid_name(rsc) || (ret_node == NULL)) {
        return EINVAL;
    }
    name = myha_str_printf("myha-%s-primary", rsc);
    rc = (name == NULL)
             ? ENOMEM
             : cib_attr_read(cluster, "crm_config", NULL, name, &out_text);
    if (rc != 0) {
        goto out_free;
    }
    at = strrchr(out_text, '@');
    if (at != NULL) {
        *at = '\0';
        if ((myha_str_to_ll(at + 1, &since) != 0) || (since < 0)) {
            rc = myha_rc_parse;
            goto out_free;
        }
    }
    if ((*out_text == '\0') || (strchr(out_text, '\n') != NULL)) {
        rc = myha_rc_parse;
        goto out_free;
    }
    *ret_node = out_text;
    out_text = NULL;
    if (ret_since != NULL) {
        *ret_since = (time_t) since;
    }

out_free:
    free(out_text);
    free(name);
    return rc;
}
