/*
 * ocf:myha:mysql-repl: the pitr action.  Point-in-time recovery of a
 * read-only MariaDB replica by relay-log replay (lib/pitr.c), run by hand
 * or by myhactl, with its plan and progress on stderr.  SIGINT, SIGTERM
 * and SIGHUP stop the replay cleanly; an unfinished recovery is marked.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <qb/qblog.h>

#include <myha/binlog.h>
#include <myha/cluster.h>
#include <myha/log.h>
#include <myha/ocf.h>
#include <myha/pitr.h>
#include <myha/rc.h>
#include <myha/spawn.h>
#include <myha/str.h>
#include <myha/validate.h>

#include "mysql_repl.h"

//! Seconds between two progress lines
#define PROGRESS_EVERY_S 2.0

//! Time kept back from the action's timeout to clean up and report
#define CLEANUP_MARGIN_MS (10 * 1000LL)

//! The parameters that each give one target
static const enum mysql_repl_param target_params[] = {
    P_PITR_UNTIL_GTID,
    P_PITR_UNTIL_TIME,
    P_PITR_SKIP_GTID,
};

#define N_TARGET_PARAMS (sizeof(target_params) / sizeof(target_params[0]))

//! The signal that interrupted pitr, 0 if none; only on_signal() sets it
static volatile sig_atomic_t interrupted;

//! One pitr run: what it changed, for the exit reason and the marker
struct pitr_run {
    struct agent *agent;
    char *previous;      //!< Text of the marker before this run, NULL if none
    bool is_marked;      //!< This run wrote the marker
    bool is_changed;     //!< This run changed the datadir or the GTID position
    bool is_restored;    //!< pitr_backup was restored
    char *reason;        //!< First exit reason of this run, NULL if none
    char *previous_done; //!< Text of the pitr-done marker before it
    char *done;          //!< Text of the pitr-done marker on success
};

static const char *
param_name(enum mysql_repl_param p)
{
    return mysql_repl_meta.params[p].name;
}

static bool
is_value_set(const struct agent *agent, enum mysql_repl_param p)
{
    const char *v = agent_param(agent, p);

    return (v != NULL) && (*v != '\0');
}

// Write the exit reason and log it once
static enum ocf_exitcode
fail(enum ocf_exitcode status, const char *text)
{
    qb_log(LOG_ERR, "%s " QB_XS " status=%d", text, (int) status);
    myha_ocf_exit_reason("%s", text);
    return status;
}

// fail(), and keep the first reason of the run for its marker
static enum ocf_exitcode
run_fail(struct pitr_run *run, enum ocf_exitcode status, const char *text)
{
    if (run->reason == NULL) {
        run->reason = strdup(text);
    }
    return fail(status, text);
}

static void
on_signal(int sig)
{
    if (interrupted == 0) {
        interrupted = sig;
    }
}

/* From here on SIGINT, SIGTERM and SIGHUP only ask the replay to stop.
 * SA_RESTART keeps reads and writes going (the sleep between two polls of
 * the replay ends early all the same).  SIGPIPE is ignored: stderr closed
 * under us (myhactl piped into a pager that quit) must not kill a replay
 * half way.  Children get default dispositions back (lib/spawn.c).
 */
static void
catch_signals(void)
{
    static const int signals[] = { SIGINT, SIGTERM, SIGHUP };
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < 3; i++) {
        sigaddset(&sa.sa_mask, signals[i]);
    }
    for (size_t i = 0; i < 3; i++) {
        sigaction(signals[i], &sa, NULL);
    }
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    sigaction(SIGPIPE, &sa, NULL);
}

static const char *
signal_name(int sig)
{
    switch (sig) {
        case SIGINT:
            return "SIGINT";
        case SIGTERM:
            return "SIGTERM";
        case SIGHUP:
            return "SIGHUP";
        default:
            return "a signal";
    }
}

/* The unfinished-pitr marker of this instance (agent_marker_path()): one
 * line that says why the server is not a finished recovery.  Written
 * before pitr first changes the server, rewritten with the reason when
 * pitr fails or is interrupted after a change, removed when pitr
 * succeeds: a pitr killed outright leaves it too.  monitor keeps the
 * instance unpromotable while it exists, and promote refuses.
 */
static char *
marker_read(struct agent *agent)
{
    return agent_marker_read(agent, MARKER_PITR_UNFINISHED, "unfinished pitr");
}

static void
marker_write(struct agent *agent, const char *text)
{
    agent_marker_write(agent, MARKER_PITR_UNFINISHED, text);
}

// This run is about to change the server: mark it unfinished until done
static void
run_mark(struct pitr_run *run)
{
    if (!run->is_marked) {
        /* No longer a finished recovery (if it was one) while this runs;
         * marked unfinished first, so that it is never neither
         */
        run->previous_done = agent_marker_read(run->agent, MARKER_PITR_DONE,
                                               "recovered by pitr");
        marker_write(run->agent, "unfinished pitr: pitr is running, or was "
                                 "killed: not a finished recovery");
        agent_marker_write(run->agent, MARKER_PITR_DONE, NULL);
        run->is_marked = true;
    }
}

/* Leave the markers as the run's outcome says: a finished recovery after
 * success (then the unfinished mark removed), the reason after a change,
 * as they were if this run changed nothing.  Returns the final status: a
 * success whose finished-recovery mark cannot be written is a failure.
 */
static enum ocf_exitcode
run_end(struct pitr_run *run, enum ocf_exitcode status)
{
    char *text = NULL;
    int rc = 0;

    if (status == PCMK_OCF_OK) {
        rc = agent_marker_write(run->agent, MARKER_PITR_DONE,
                                (run->done != NULL) ? run->done
                                                    : "recovered by pitr");
        if (rc == 0) {
            marker_write(run->agent, NULL);
            return status;
        }
        text = myha_str_printf("the replay finished, but its finished-"
                               "recovery mark could not be written (%s): "
                               "run the same pitr again",
                               strerror(rc));
        status = run_fail(run, PCMK_OCF_UNKNOWN_ERROR,
                          (text == NULL) ? "cannot mark the recovery finished"
                                         : text);
        free(text);
        text = NULL;
    }
    if (run->is_changed) {
        text = myha_str_printf("unfinished pitr: %s",
                               (run->reason == NULL)
                                   ? "pitr failed (see its log): not a "
                                     "finished recovery"
                                   : run->reason);
        marker_write(run->agent, (text == NULL)
                                     ? "unfinished pitr: not a finished "
                                       "recovery"
                                     : text);
    } else if (run->is_marked) {
        agent_marker_write(run->agent, MARKER_PITR_DONE, run->previous_done);
        marker_write(run->agent, run->previous);
    }
    free(text);
    return status;
}

/*!
 * \brief Check the pitr parameters and parse the target
 *
 * pitr_source must be set, absolute and a directory; at most one of
 * pitr_until_gtid, pitr_until_time and pitr_skip_gtid may be set.  The
 * checks live here rather than in the parameter table so that start,
 * promote and the others never fail on a parameter they do not use.
 *
 * \param[in]  agent       Agent state with parameters loaded
 * \param[out] ret_target  The target (only on success)
 *
 * \return OCF exit code; on failure the exit reason names the parameter
 */
enum ocf_exitcode
pitr_check_params(const struct agent *agent,
                  struct myha_pitr_target *ret_target)
{
    const char *source = agent_param(agent, P_PITR_SOURCE);
    const char *values[N_TARGET_PARAMS] = { NULL };
    enum mysql_repl_param given = P__COUNT;
    char *reason = NULL;
    char *text = NULL;
    enum ocf_exitcode status = PCMK_OCF_OK;
    int rc = 0;

    if ((source == NULL) || (*source == '\0')) {
        return fail(PCMK_OCF_NOT_CONFIGURED,
                    "parameter 'pitr_source' is required by the pitr action: "
                    "set it to a directory of binary logs");
    }
    rc = myha_validate_abs_path(source, &reason);
    if (rc == 0) {
        rc = myha_validate_dir(source, &reason);
    }
    if (rc != 0) {
        text = myha_str_printf("parameter '%s' %s", param_name(P_PITR_SOURCE),
                               (reason == NULL) ? myha_rc_str(rc) : reason);
        status = fail(myha_ocf_status_from_rc(rc),
                      (text == NULL) ? myha_rc_str(rc) : text);
        goto out_free;
    }

    for (size_t i = 0; i < N_TARGET_PARAMS; i++) {
        if (!is_value_set(agent, target_params[i])) {
            continue;
        }
        if (given != P__COUNT) {
            text = myha_str_printf("parameters '%s' and '%s' are both set: "
                                   "give at most one target",
                                   param_name(given),
                                   param_name(target_params[i]));
            status = fail(PCMK_OCF_NOT_CONFIGURED,
                          (text == NULL) ? "more than one target" : text);
            goto out_free;
        }
        given = target_params[i];
        values[i] = agent_param(agent, target_params[i]);
    }
    if (is_value_set(agent, P_PITR_BACKUP)) {
        const char *backup = agent_param(agent, P_PITR_BACKUP);

        rc = myha_validate_abs_path(backup, &reason);
        if (rc == 0) {
            rc = myha_validate_dir(backup, &reason);
        }
        if (rc != 0) {
            text =
                myha_str_printf("parameter '%s' %s", param_name(P_PITR_BACKUP),
                                (reason == NULL) ? myha_rc_str(rc) : reason);
            status = fail(myha_ocf_status_from_rc(rc),
                          (text == NULL) ? myha_rc_str(rc) : text);
            goto out_free;
        }
    }
    rc = myha_pitr_target_parse(values[0], values[1], values[2], ret_target,
                                &reason);
    if (rc != 0) {
        text =
            myha_str_printf("parameter '%s': %s",
                            (given == P__COUNT) ? "pitr_*" : param_name(given),
                            (reason == NULL) ? myha_rc_str(rc) : reason);
        status = fail(myha_ocf_status_from_rc(rc),
                      (text == NULL) ? myha_rc_str(rc) : text);
    }

out_free:
    free(text);
    free(reason);
    return status;
}

//! State of the progress callback
struct progress_state {
    double last_s; //!< Elapsed time of the last line, -1 before the first
};

static void
progress(const struct myha_pitr_progress *p, void *user_data)
{
    struct progress_state *ps = user_data;
    bool done = (p->trx_done >= p->trx_total);

    if ((ps->last_s < 0) && (p->phase == 1)) {
        qb_log(LOG_INFO,
               "pitr relay logs: %zu hard link(s) to pitr_source's files, "
               "%zu cop%s",
               p->files_linked, p->files_copied,
               (p->files_copied == 1) ? "y" : "ies");
    }
    if (!done && (ps->last_s >= 0)
        && (p->elapsed_s - ps->last_s < PROGRESS_EVERY_S)) {
        return;
    }
    ps->last_s = p->elapsed_s;
    if (p->eta_s >= 0) {
        qb_log(LOG_INFO,
               "pitr phase %d: %zu/%zu transactions, %llu/%llu bytes, "
               "%.1f MB/s, ETA %.0f s",
               p->phase, p->trx_done, p->trx_total,
               (unsigned long long) p->bytes_done,
               (unsigned long long) p->bytes_total, p->bytes_per_s / 1e6,
               p->eta_s);
    } else {
        qb_log(LOG_INFO,
               "pitr phase %d: %zu/%zu transactions, %llu/%llu bytes, "
               "ETA unknown",
               p->phase, p->trx_done, p->trx_total,
               (unsigned long long) p->bytes_done,
               (unsigned long long) p->bytes_total);
    }
}

// What a plan's target is, in words (allocated)
static char *
target_text(const struct myha_pitr_plan *plan)
{
    char g[MYHA_BINLOG_GTID_TEXT_MAX];

    switch (plan->target.kind) {
        case MYHA_PITR_UNTIL_GTID:
            myha_binlog_gtid_format(&plan->target.gtid, g, sizeof(g));
            return myha_str_printf("stop before GTID %s", g);
        case MYHA_PITR_SKIP_GTID:
            myha_binlog_gtid_format(&plan->target.gtid, g, sizeof(g));
            return myha_str_printf("everything except GTID %s", g);
        case MYHA_PITR_UNTIL_TIME:
            return myha_str_printf("transactions before %lld (seconds since "
                                   "the epoch, UTC)",
                                   (long long) plan->target.time);
        default:
            return strdup("everything in the source");
    }
}

// One line on what the plan does
static void
log_plan(const struct myha_pitr_plan *plan)
{
    const char *first = (plan->n_files > 0) ? plan->files[0].name : "-";
    const char *last =
        (plan->n_files > 0) ? plan->files[plan->n_files - 1].name : "-";
    char *target = target_text(plan);

    qb_log(LOG_INFO, "pitr target: %s", (target == NULL) ? "?" : target);
    free(target);
    qb_log(LOG_INFO,
           "pitr plan: from GTID position '%s', %zu file(s) %s..%s starting "
           "at offset %llu, %zu transaction(s) to apply, %llu bytes; "
           "expected final position '%s'",
           plan->base, plan->n_files, first, last,
           (unsigned long long) plan->start.pos, plan->n_apply,
           (unsigned long long) plan->bytes_total, plan->expected);
}

/* The pitr-done marker of a plan that succeeded: target, position, time
 * (allocated, NULL if out of memory)
 */
static char *
done_text(const struct myha_pitr_plan *plan)
{
    char *target = target_text(plan);
    char when[32] = "";
    time_t now = time(NULL);
    struct tm tm;
    char *text = NULL;

    if (gmtime_r(&now, &tm) != NULL) {
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    text =
        myha_str_printf("recovered by pitr (%s) to GTID position '%s' "
                        "at %s",
                        (target == NULL) ? "?" : target, plan->expected, when);
    free(target);
    return text;
}

// Send info messages to stderr too: pitr is run by a person who watches
static void
log_to_stderr(void)
{
    if (!myha_is_log_to_stderr()) {
        qb_log_filter_ctl(QB_LOG_STDERR, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE,
                          "*", LOG_INFO);
        qb_log_format_set(QB_LOG_STDERR, "%N: %p: %b");
        qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_TRUE);
    }
}

// Whether the server may be replayed on: MariaDB and read-only
static enum ocf_exitcode
check_replica(struct agent *agent)
{
    const struct myha_db_version *v = myha_db_version_get(agent->db);
    bool read_only = false;

    if ((v == NULL) || (v->flavour != myha_db_mariadb)) {
        return fail(PCMK_OCF_UNIMPLEMENT_FEATURE,
                    "pitr needs a MariaDB server: this one is MySQL");
    }
    if (myha_db_read_only_get(agent->db, &read_only) != 0) {
        char *text = myha_str_printf("cannot read read_only: %s",
                                     myha_db_error(agent->db));
        enum ocf_exitcode status =
            fail(PCMK_OCF_UNKNOWN_ERROR,
                 (text == NULL) ? "cannot read read_only" : text);

        free(text);
        return status;
    }
    /* Not a configuration error (6 would make Pacemaker stop the resource
     * everywhere), nor a bad parameter (2): the same request succeeds once
     * this instance is demoted, or on a replica.
     */
    if (!read_only) {
        qb_log(LOG_NOTICE, "demote this instance first, or run pitr on a "
                           "replica");
        return fail(PCMK_OCF_UNKNOWN_ERROR,
                    "pitr runs only on a replica: this instance is promoted");
    }
    return PCMK_OCF_OK;
}

// Time the replay may take: the action's timeout, or none when run by hand
static long long
replay_timeout_ms(const struct agent *agent)
{
    long long left = 0;

    if (myha_ocf_var_get(myha_ocf_meta, "timeout") == NULL) {
        return 0;
    }
    left = agent_remaining_ms(agent) - CLEANUP_MARGIN_MS;
    return (left > 1000) ? left : 1000;
}

//! Files in which mariadb-backup records the binlog position of a backup
static const char *const backup_binlog_info[] = {
    "mariadb_backup_binlog_info",
    "xtrabackup_binlog_info",
};

/* The GTID position of a prepared backup: the third field of its binlog
 * info file ("binlog.000002<TAB>1234<TAB>0-1-345"), possibly empty
 */
static int
backup_gtid_get(const char *backup, char **ret_gtid, char **ret_reason)
{
    char *line = NULL;
    size_t cap = 0;
    FILE *f = NULL;
    char *field = NULL;
    int rc = 0;

    for (size_t i = 0; (f == NULL) && (i < 2); i++) {
        char *path = myha_str_printf("%s/%s", backup, backup_binlog_info[i]);

        if (path == NULL) {
            return ENOMEM;
        }
        f = fopen(path, "re");
        free(path);
    }
    if (f == NULL) {
        *ret_reason = myha_str_printf("'%s' holds no "
                                      "mariadb_backup_binlog_info: not a "
                                      "mariadb-backup of a server with "
                                      "binary logs",
                                      backup);
        return myha_rc_invalid;
    }
    if (getline(&line, &cap, f) < 0) {
        line = (line == NULL) ? strdup("") : line;
        if (line == NULL) {
            fclose(f);
            return ENOMEM;
        }
        *line = '\0';
    }
    fclose(f);
    line[strcspn(line, "\r\n")] = '\0';
    field = strchr(line, '\t');
    field = (field == NULL) ? NULL : strchr(field + 1, '\t');
    field = (field == NULL) ? line + strlen(line) : field + 1;
    // Only digits, '-' and ',': it goes into SQL
    if (strspn(field, "0123456789-,") != strlen(field)) {
        *ret_reason = myha_str_printf("'%s' has an invalid GTID position '%s'",
                                      backup, field);
        rc = myha_rc_invalid;
    } else {
        *ret_gtid = strdup(field);
        rc = (*ret_gtid == NULL) ? ENOMEM : 0;
    }
    free(line);
    return rc;
}

/* Whether --prepare ran on the backup: its xtrabackup_checkpoints says
 * "backup_type = log-applied" (older versions: "full-prepared")
 */
static bool
is_backup_prepared(const char *backup)
{
    char *path = myha_str_printf("%s/xtrabackup_checkpoints", backup);
    FILE *f = (path == NULL) ? NULL : fopen(path, "re");
    char *line = NULL;
    size_t cap = 0;
    bool prepared = false;

    free(path);
    if (f == NULL) {
        return false;
    }
    while (!prepared && (getline(&line, &cap, f) >= 0)) {
        prepared = (strncmp(line, "backup_type = log-applied", 25) == 0)
                   || (strncmp(line, "backup_type = full-prepared", 27) == 0);
    }
    free(line);
    fclose(f);
    return prepared;
}

// Owner given to every restored file (nftw() takes no user data)
static uid_t chown_uid;
static gid_t chown_gid;

static int
chown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st;
    (void) flag;
    (void) ftw;
    return (lchown(path, chown_uid, chown_gid) == 0) ? 0 : errno;
}

// Copy a prepared backup into an absent datadir; its output goes to the log
static int
copy_back(struct agent *agent, const char *backup)
{
    const char *config = agent_param(agent, P_CONFIG);
    char *defaults = (config == NULL)
                         ? strdup("--no-defaults")
                         : myha_str_printf("--defaults-file=%s", config);
    char *target = myha_str_printf("--target-dir=%s", backup);
    char *dd = myha_str_printf("--datadir=%s", agent_param(agent, P_DATADIR));
    const char *argv[] = {
        "mariadb-backup", defaults, "--copy-back", target, dd, NULL,
    };
    struct myha_spawn_opts opts = {
        .argv = argv,
        .out = myha_spawn_out_file,
        .err = myha_spawn_out_file,
        .out_path = agent_param(agent, P_LOG),
        .err_path = agent_param(agent, P_LOG),
        // Not in the terminal's process group: Ctrl-C must not cut it short
        .new_session = true,
    };
    struct myha_child_status cs;
    int rc = ENOMEM;

    if ((defaults != NULL) && (target != NULL) && (dd != NULL)) {
        rc = myha_spawn_run(&opts, (int) agent_remaining_ms(agent), &cs, NULL,
                            NULL);
        if (rc == 0) {
            rc = myha_child_status_rc(&cs);
        }
    }
    free(defaults);
    free(target);
    free(dd);
    return rc;
}

/* Whether path is the root of a mount, a bind mount included: rename()
 * cannot move it (EBUSY).  Before Linux 5.8 statx() does not say, and only
 * a mount of another file system is seen.
 */
static bool
is_mount_point(const char *path)
{
    struct statx stx;
    struct stat st;
    char *parent = NULL;
    bool mount_point = false;

    if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &stx)
        != 0) {
        return false;
    }
    if ((stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) != 0) {
        return (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) != 0;
    }
    parent = myha_str_printf("%s/..", path);
    if ((parent != NULL) && S_ISDIR(stx.stx_mode) && (stat(parent, &st) == 0)) {
        mount_point =
            (makedev(stx.stx_dev_major, stx.stx_dev_minor) != st.st_dev);
    }
    free(parent);
    return mount_point;
}

// Exit reason for a datadir that is a mount point, and what to do instead
static enum ocf_exitcode
fail_mount_point(const char *datadir, const char *backup, const char *gtid,
                 const char *what)
{
    char *text = myha_str_printf(
        "cannot restore parameter 'pitr_backup': datadir '%s' is a mount "
        "point and cannot be moved aside: restore '%s' by hand (stop the "
        "server, move the datadir's contents elsewhere, mariadb-backup "
        "--copy-back, start it, SET GLOBAL gtid_slave_pos = '%s') and run "
        "pitr without pitr_backup, or make the datadir a directory below the "
        "mount point (%s)",
        datadir, backup, gtid, what);
    enum ocf_exitcode status =
        fail(PCMK_OCF_NOT_CONFIGURED,
             (text == NULL) ? "datadir is a mount point" : text);

    free(text);
    return status;
}

/*!
 * \brief Restore pitr_backup in place of the server's datadir
 *
 * Stops the server, moves its datadir aside to <datadir>.pitr-<UTC time>
 * (never deleted), copies the backup in with mariadb-backup --copy-back,
 * gives it to the server's user, starts the server read-only and sets
 * gtid_slave_pos to the backup's position, the base of the replay.  A
 * datadir that is a mount point (a bind mount in a container, say) cannot
 * be moved aside: refused before the server is stopped.  A signal does
 * not cut the restore short: the caller looks afterwards.
 *
 * \param[in,out] run  The run, its agent with parameters loaded
 *
 * \return OCF exit code; on failure an exit reason that says what to do
 */
static enum ocf_exitcode
pitr_restore(struct pitr_run *run)
{
    struct agent *agent = run->agent;
    const char *backup = agent_param(agent, P_PITR_BACKUP);
    const char *datadir = agent_param(agent, P_DATADIR);
    struct passwd *pw = getpwnam(agent_param(agent, P_USER));
    struct group *gr = getgrnam(agent_param(agent, P_GROUP));
    enum ocf_exitcode status = PCMK_OCF_UNKNOWN_ERROR;
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    char *gtid = NULL;
    char *reason = NULL;
    char *aside = NULL;
    char *sql = NULL;
    char *text = NULL;
    char *value = NULL;
    int rc = 0;

    if ((pw == NULL) || (gr == NULL)) {
        return fail(PCMK_OCF_INVALID_PARAM,
                    "the server's user or group does not exist");
    }
    rc = backup_gtid_get(backup, &gtid, &reason);
    if (rc != 0) {
        text = myha_str_printf("cannot restore parameter 'pitr_backup': %s "
                               "(nothing was changed)",
                               (reason == NULL) ? myha_rc_str(rc) : reason);
        status = fail(PCMK_OCF_NOT_CONFIGURED,
                      (text == NULL) ? myha_rc_str(rc) : text);
        goto out_free;
    }
    if (!is_backup_prepared(backup)) {
        text = myha_str_printf("cannot restore parameter 'pitr_backup': '%s' "
                               "is not prepared: run mariadb-backup "
                               "--prepare --target-dir=%s first (nothing "
                               "was changed)",
                               backup, backup);
        status = fail(PCMK_OCF_NOT_CONFIGURED,
                      (text == NULL) ? "backup not prepared" : text);
        goto out_free;
    }
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
    aside = myha_str_printf("%s.pitr-%s", datadir, stamp);
    if (aside == NULL) {
        status = fail(PCMK_OCF_UNKNOWN_ERROR, "out of memory");
        goto out_free;
    }
    if (is_mount_point(datadir)) {
        status = fail_mount_point(datadir, backup, gtid, "nothing was changed");
        goto out_free;
    }
    qb_log(LOG_NOTICE, "pitr: restoring backup '%s' (GTID position '%s')",
           backup, gtid);
    run_mark(run);
    run->is_changed = true;
    status = server_stop(agent);
    if (status != PCMK_OCF_OK) {
        goto out_free;
    }
    if (rename(datadir, aside) != 0) {
        int err = errno;
        // Leave things as they were: the server runs on its old datadir
        bool restarted = (server_start(agent) == PCMK_OCF_OK);
        const char *what = restarted
                               ? "the server was started again; nothing was "
                                 "changed"
                               : "the server is stopped and did not start "
                                 "again";

        run->is_changed = !restarted;
        if (err == EBUSY) {
            status = fail_mount_point(datadir, backup, gtid, what);
            goto out_free;
        }
        text = myha_str_printf("cannot move datadir '%s' aside to '%s': %s "
                               "(%s)",
                               datadir, aside, strerror(err), what);
        status = run_fail(run, PCMK_OCF_UNKNOWN_ERROR,
                          (text == NULL) ? "cannot move datadir aside" : text);
        goto out_free;
    }
    qb_log(LOG_NOTICE, "pitr: previous datadir moved aside to '%s' (kept)",
           aside);
    rc = copy_back(agent, backup);
    if (rc == 0) {
        chown_uid = pw->pw_uid;
        chown_gid = gr->gr_gid;
        rc = nftw(datadir, chown_one, 16, FTW_PHYS);
    }
    if (rc != 0) {
        text = myha_str_printf("cannot copy backup '%s' into '%s': %s (see "
                               "'%s'); the previous datadir is '%s': move it "
                               "back to '%s' to undo",
                               backup, datadir, myha_rc_str(rc),
                               agent_param(agent, P_LOG), aside, datadir);
        status = run_fail(run, PCMK_OCF_UNKNOWN_ERROR,
                          (text == NULL) ? "cannot copy the backup" : text);
        goto out_free;
    }
    status = server_start(agent);
    if (status != PCMK_OCF_OK) {
        goto out_free;
    }
    sql = myha_str_printf("SET GLOBAL gtid_slave_pos = '%s'", gtid);
    if ((sql == NULL) || (myha_db_exec(agent->db, sql) != 0)
        || (myha_db_query_value(agent->db, "SELECT @@GLOBAL.gtid_slave_pos",
                                &value)
            != 0)
        || (strcmp((value == NULL) ? "" : value, gtid) != 0)) {
        text = myha_str_printf("restored backup '%s' but cannot set "
                               "gtid_slave_pos to '%s': %s",
                               backup, gtid,
                               (sql == NULL) ? "out of memory"
                                             : myha_db_error(agent->db));
        status = run_fail(run, PCMK_OCF_UNKNOWN_ERROR,
                          (text == NULL) ? "cannot set gtid_slave_pos" : text);
        goto out_free;
    }
    run->is_restored = true;
    qb_log(LOG_NOTICE,
           "pitr: backup restored, server read-only at GTID position '%s'",
           gtid);

out_free:
    free(value);
    free(text);
    free(sql);
    free(aside);
    free(reason);
    free(gtid);
    return status;
}

/* Where the replay left the server: its GTID position now (*ret_pos,
 * caller frees; NULL if it cannot be read) and what of the plan that is.
 * Returns whether the replay moved the server off the plan's base (also
 * when that cannot be told).
 */
static bool
is_replayed(struct agent *agent, const struct myha_pitr_plan *plan,
            char **ret_pos, struct myha_pitr_reached *ret_at)
{
    char *pos = NULL;

    memset(ret_at, 0, sizeof(*ret_at));
    *ret_pos = NULL;
    if (myha_pitr_base_get(agent->db, &pos) != 0) {
        return true;
    }
    *ret_pos = pos;
    if (myha_pitr_plan_locate(plan, pos, ret_at) != 0) {
        return true;
    }
    return (ret_at->n_applied > 0) || ret_at->is_skip_past;
}

// What the server is now, as the exit reason of an interruption says it
static const char *
server_state(struct agent *agent)
{
    struct myha_db_replica_status *st = NULL;
    bool read_only = false;
    bool configured = true;

    if (myha_db_replica_status_get(agent->db, &st) == 0) {
        configured = st->configured;
        myha_db_replica_status_free(st);
    }
    // pitr never changes read_only: if it is off, someone else did that
    if ((myha_db_read_only_get(agent->db, &read_only) != 0) || !read_only) {
        return "NOT read-only (check who changed read_only)";
    }
    return configured ? "read-only, a replication channel still configured "
                        "(check SHOW SLAVE STATUS)"
                      : "read-only and not replicating";
}

/* Exit reason of a pitr stopped by a signal: where the server is, and
 * what to run to go on.  plan is NULL before there is one; in_replay says
 * whether myha_pitr_execute() ran (it stops replication first).
 */
static enum ocf_exitcode
fail_interrupted(struct pitr_run *run, const struct myha_pitr_plan *plan,
                 bool in_replay)
{
    struct agent *agent = run->agent;
    const char *sig = signal_name((int) interrupted);
    struct myha_pitr_reached at = { 0, false, false };
    char g[MYHA_BINLOG_GTID_TEXT_MAX] = "";
    char *pos = NULL;
    char *without = NULL;
    char *text = NULL;
    enum ocf_exitcode status = PCMK_OCF_UNKNOWN_ERROR;

    if (plan != NULL) {
        if (is_replayed(agent, plan, &pos, &at)) {
            run->is_changed = true;
        }
    } else if (myha_pitr_base_get(agent->db, &pos) != 0) {
        pos = NULL;
    }
    if (!run->is_changed && !in_replay) {
        text = myha_str_printf("pitr interrupted by %s before it changed "
                               "anything: the server is as it was, at GTID "
                               "position '%s'",
                               sig, (pos == NULL) ? "?" : pos);
        goto out_fail;
    }
    if (!run->is_changed) {
        text = myha_str_printf("pitr interrupted by %s before it applied a "
                               "transaction: the server is %s, at GTID "
                               "position '%s' as before: run the same pitr "
                               "again to replay",
                               sig, server_state(agent),
                               (pos == NULL) ? "?" : pos);
        goto out_fail;
    }
    if (at.is_skip_past) {
        myha_binlog_gtid_format(&plan->target.gtid, g, sizeof(g));
    }
    /* Run again as it was, pitr would restore the backup once more, or
     * refuse to skip a GTID that the position already covers
     */
    without = myha_str_printf(
        "%s%s%s%s%s%s",
        (run->is_restored || at.is_skip_past) ? " without " : "",
        run->is_restored ? "pitr_backup" : "",
        (run->is_restored && at.is_skip_past) ? " and " : "",
        at.is_skip_past ? "pitr_skip_gtid (GTID " : "",
        at.is_skip_past ? g : "",
        at.is_skip_past ? " is skipped already)" : "");
    text = myha_str_printf(
        "pitr interrupted by %s at GTID position '%s' after %zu of %zu "
        "transactions%s: the server is %s, NOT a finished recovery: run the "
        "same pitr again%s to continue from there",
        sig, (pos == NULL) ? "?" : pos, at.n_applied,
        (plan == NULL) ? 0 : plan->n_apply,
        run->is_restored ? ", backup restored" : "", server_state(agent),
        (without == NULL) ? "" : without);

out_fail:
    status = run_fail(run, PCMK_OCF_UNKNOWN_ERROR,
                      (text == NULL) ? "pitr interrupted" : text);
    free(text);
    free(without);
    free(pos);
    return status;
}

/*!
 * \brief Replay binary logs on this read-only replica up to the target
 *
 * Plans from the server's GTID position, logs the plan, replays with
 * progress on stderr, and checks that the server ends read-only and at the
 * planned position, its replication configuration removed.  SIGINT,
 * SIGTERM or SIGHUP stop the replay between two transactions, with the
 * same clean-up, and fail with the position reached and what to run.
 * Until a run succeeds, the instance is marked as an unfinished recovery
 * (agent_marker_path()).
 *
 * \param[in,out] agent   Agent state, connected to the running server
 * \param[in]     target  From pitr_check_params()
 *
 * \return OCF exit code; on failure an exit reason that says what to do
 */
enum ocf_exitcode
pitr_run(struct agent *agent, const struct myha_pitr_target *target)
{
    const char *source = agent_param(agent, P_PITR_SOURCE);
    struct pitr_run run = {
        agent, NULL, false, false, false, NULL, NULL, NULL
    };
    struct myha_pitr_plan *plan = NULL;
    struct myha_pitr_exec_opts xo;
    struct myha_pitr_reached at;
    struct progress_state ps = { -1 };
    enum ocf_exitcode status = PCMK_OCF_OK;
    bool read_only = false;
    char *base = NULL;
    char *dir = NULL;
    char *name = NULL;
    char *index = NULL;
    char *entry = NULL;
    char *err = NULL;
    char *pos = NULL;
    char *text = NULL;
    int rc = 0;

    catch_signals();
    log_to_stderr();
    run.previous = marker_read(agent);
    status = check_replica(agent);
    if (status != PCMK_OCF_OK) {
        goto out_free;
    }
    if (interrupted != 0) {
        status = fail_interrupted(&run, NULL, false);
        goto out_free;
    }
    if (is_value_set(agent, P_PITR_BACKUP)) {
        status = pitr_restore(&run);
        if (status != PCMK_OCF_OK) {
            goto out_free;
        }
    }
    rc = myha_pitr_base_get(agent->db, &base);
    if (rc == 0) {
        rc = myha_pitr_relay_get(agent->db, agent_param(agent, P_DATADIR), &dir,
                                 &name, &index, &entry);
    }
    if (rc == myha_rc_local_config) {
        /* MariaDB names its relay log only once replication is configured,
         * unless --relay-log is given
         */
        status = run_fail(&run, PCMK_OCF_INVALID_PARAM,
                          "pitr needs the server's relay log name: add "
                          "--relay-log=relay to its options (parameter "
                          "'additional_parameters' or 'config') and restart "
                          "it");
        goto out_free;
    }
    if (rc != 0) {
        text =
            myha_str_printf("cannot read the server's GTID position and "
                            "relay log settings: %s",
                            (rc == myha_rc_db_query) ? myha_db_error(agent->db)
                                                     : myha_rc_str(rc));
        status = run_fail(&run, PCMK_OCF_UNKNOWN_ERROR,
                          (text == NULL) ? myha_rc_str(rc) : text);
        goto out_free;
    }

    rc = myha_pitr_plan_new(source, base, target, name, &plan, &err);
    if (rc != 0) {
        text = myha_str_printf("cannot plan the replay from '%s': %s%s", source,
                               (err == NULL) ? myha_rc_str(rc) : err,
                               run.is_changed ? "" : " (nothing was changed)");
        status = run_fail(&run,
                          (rc == myha_rc_invalid) ? PCMK_OCF_NOT_CONFIGURED
                                                  : PCMK_OCF_UNKNOWN_ERROR,
                          (text == NULL) ? myha_rc_str(rc) : text);
        goto out_free;
    }
    log_plan(plan);
    if (interrupted != 0) { // reading a large source takes a while
        status = fail_interrupted(&run, plan, false);
        goto out_free;
    }

    memset(&xo, 0, sizeof(xo));
    xo.relay_dir = dir;
    xo.relay_index = index;
    xo.relay_entry_dir = entry;
    xo.parallel_workers =
        myha_is_param_set(agent->params, P_PITR_PARALLEL_WORKERS)
            ? (int) myha_params_num(agent->params, P_PITR_PARALLEL_WORKERS)
            : -1;
    xo.timeout_ms = replay_timeout_ms(agent);
    xo.relax_durability = true;
    xo.progress = progress;
    xo.user_data = &ps;
    xo.interrupt = &interrupted;
    run_mark(&run);
    rc = myha_pitr_execute(agent->db, plan, &xo, &err);
    if (rc == EINTR) {
        status = fail_interrupted(&run, plan, true);
        goto out_free;
    }
    if (is_replayed(agent, plan, &pos, &at)) {
        run.is_changed = true;
    }
    if (rc != 0) {
        text = myha_str_printf("pitr failed: %s",
                               (err == NULL) ? myha_rc_str(rc) : err);
        status = run_fail(&run, myha_ocf_status_from_rc(rc),
                          (text == NULL) ? myha_rc_str(rc) : text);
        goto out_free;
    }
    if (interrupted != 0) {
        qb_log(LOG_NOTICE,
               "pitr: %s came when the replay had reached its "
               "target: done all the same",
               signal_name((int) interrupted));
    }

    // The engine verified the position; make sure nobody can write yet
    if ((myha_db_read_only_get(agent->db, &read_only) != 0) || !read_only) {
        status = run_fail(&run, PCMK_OCF_UNKNOWN_ERROR,
                          "pitr applied the logs but the server is not "
                          "read-only any more: check who changed read_only "
                          "before promoting");
        goto out_free;
    }
    qb_log(LOG_NOTICE,
           "pitr done: %zu transaction(s) applied, now at GTID position "
           "'%s'; the server is read-only and not replicating, ready to be "
           "promoted",
           plan->n_apply, plan->expected);
    run.done = done_text(plan);

out_free:
    status = run_end(&run, status);
    myha_pitr_plan_free(plan);
    free(run.reason);
    free(run.previous);
    free(run.previous_done);
    free(run.done);
    free(text);
    free(pos);
    free(err);
    free(base);
    free(dir);
    free(name);
    free(index);
    free(entry);
    return status;
}
