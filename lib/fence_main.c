/*
 * The program boundary every fence agent shares: logging as fence-agents
 * do it (stderr, syslog, debug_file), parse, run, log the failure once and
 * exit with the fence-agents exit status.
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <qb/qblog.h>

#include <myha/fence.h>
#include <myha/rc.h>

static void
enable_target(int32_t target, uint8_t priority, const char *format)
{
    qb_log_filter_ctl(target, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*",
                      priority);
    qb_log_format_set(target, format);
    qb_log_ctl(target, QB_LOG_CONF_ENABLED, QB_TRUE);
}

/*!
 * \brief Set up logging for a fence agent
 *
 * Messages go to syslog and, unless quiet is set, to stderr (which
 * Pacemaker's fencer logs); verbose adds debug messages; debug_file
 * receives everything.  For metadata and manpage no file is opened, so
 * they work without write access anywhere.  Unknown stdin keys are noted
 * at debug level.
 *
 * \param[in] agent  The agent (its name tags the messages)
 * \param[in] opts   Parsed options, or NULL if parsing failed
 *
 * \return 0, or an errno if debug_file cannot be opened
 */
int
myha_fence_log_init(const struct myha_fence_agent *agent,
                    const struct myha_fence_opts *opts)
{
    bool verbose =
        (opts != NULL) && (myha_fence_opts_num(opts, "verbose") != 0);
    bool quiet = (opts != NULL) && (myha_fence_opts_num(opts, "quiet") != 0);
    uint8_t level = verbose ? LOG_DEBUG : LOG_INFO;
    const char *action = (opts != NULL) ? myha_fence_opts_action(opts) : NULL;

    qb_log_init(agent->name, LOG_DAEMON, LOG_INFO);
    qb_log_ctl(QB_LOG_BLACKBOX, QB_LOG_CONF_ENABLED, QB_FALSE);
    qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_FALSE);
    qb_log_filter_ctl(QB_LOG_SYSLOG, QB_LOG_FILTER_CLEAR_ALL,
                      QB_LOG_FILTER_FILE, "*", LOG_TRACE);
    if (myha_is_fence_action_local(action)) {
        return 0; // meta-data: nothing to log, nowhere to write
    }
    enable_target(QB_LOG_SYSLOG, level, "%p: %b");
    if (!quiet) {
        enable_target(QB_LOG_STDERR, level, "%p: %b");
    }
    if ((opts != NULL) && myha_is_fence_opt_set(opts, "debug_file")) {
        int32_t t = qb_log_file_open(myha_fence_opts_str(opts, "debug_file"));

        if (t < 0) {
            return -t;
        }
        enable_target(t, LOG_DEBUG, "%t %N[%P]: %p: %b");
    }
    for (size_t i = 0; (opts != NULL) && (i < myha_fence_opts_n_ignored(opts));
         i++) {
        qb_log(LOG_DEBUG, "Ignoring unknown option '%s'",
               myha_fence_opts_ignored(opts, i));
    }
    return 0;
}

/*!
 * \brief Run a fence agent: everything its main() does
 *
 * \param[in]     agent  The agent
 * \param[in]     ctx    The agent's context for its operations
 * \param[in]     argc   main()'s argc
 * \param[in,out] argv   main()'s argv (secrets are overwritten)
 *
 * \return The exit status (see myha_fence_exit_status())
 */
int
myha_fence_main(const struct myha_fence_agent *agent, void *ctx, int argc,
                char **argv)
{
    struct myha_fence_opts *opts = NULL;
    enum myha_fence_power power = myha_fence_power_unknown;
    char *reason = NULL;
    int status = 1;
    int rc = myha_fence_opts_parse(agent, argc, argv, (argc > 1) ? NULL : stdin,
                                   &opts, &reason);

    signal(SIGPIPE, SIG_IGN);
    if (rc != 0) {
        myha_fence_log_init(agent, NULL);
        qb_log(LOG_ERR, "Failed: %s",
               (reason != NULL) ? reason : myha_rc_str(rc));
        goto out_free;
    }
    if (myha_fence_opts_num(opts, "help") != 0) {
        myha_fence_usage(agent, stdout);
        status = 0;
        goto out_free;
    }
    if (myha_fence_opts_num(opts, "version") != 0) {
        printf("%s\n", agent->version);
        status = 0;
        goto out_free;
    }
    rc = myha_fence_log_init(agent, opts);
    if (rc != 0) {
        qb_log(LOG_ERR, "Failed: cannot open debug_file '%s': %s",
               myha_fence_opts_str(opts, "debug_file"), strerror(rc));
        goto out_free;
    }

    rc = myha_fence_run(agent, opts, ctx, stdout, &power, &reason);
    if (rc != 0) {
        qb_log(LOG_ERR, "Failed: %s",
               (reason != NULL) ? reason : myha_rc_str(rc));
    } else if (reason != NULL) {
        qb_log(LOG_WARNING, "%s", reason);
    }
    status = myha_fence_exit_status(myha_fence_opts_action(opts), rc, power);
    if ((fflush(stdout) != 0) || ferror(stdout)) {
        qb_log(LOG_ERR, "Failed: cannot write to standard output");
        status = 1;
    }

out_free:
    free(reason);
    myha_fence_opts_free(opts);
    qb_log_fini();
    return status;
}
