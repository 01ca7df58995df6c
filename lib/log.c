/*
 * Logging setup for myha programs.  Messages go where the resource-agents
 * shell functions would send them, so operators find agent logs in the
 * usual places, and to stderr when a person is watching.
 */
#include <config.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <qb/qblog.h>

#include <myha/log.h>
#include <myha/str.h>

static bool log_to_stderr = false;

// Environment value, or NULL if unset or empty
static const char *
env_value(const char *name)
{
    const char *value = getenv(name);

    return ((value == NULL) || (*value == '\0')) ? NULL : value;
}

static void
enable_target(int32_t target, uint8_t priority, const char *format)
{
    qb_log_filter_ctl(target, QB_LOG_FILTER_ADD, QB_LOG_FILTER_FILE, "*",
                      priority);
    qb_log_format_set(target, format);
    qb_log_ctl(target, QB_LOG_CONF_ENABLED, QB_TRUE);
}

/*!
 * \brief Set up logging for a program
 *
 * - HA_LOGFACILITY: syslog facility name; "none" or unset disables syslog.
 * - HA_LOGFILE: file that receives info and above (debug with HA_debug).
 * - HA_DEBUGLOG: file that receives everything, debug included.
 * - HA_debug=1 (crm_resource -V sets it): debug messages everywhere.
 * - stderr: when stderr is a terminal, when crm_resource runs the agent
 *   (it sets OCF_TRACE_FILE), or when no other destination is configured,
 *   as the resource-agents shell functions do.
 *
 * A log file that cannot be opened (metadata run as an unprivileged user)
 * is skipped silently: logging never makes an action fail.
 *
 * \param[in] name  Program name used as the log tag
 */
void
myha_log_init(const char *name)
{
    const char *facility = env_value("HA_LOGFACILITY");
    const char *logfile = env_value("HA_LOGFILE");
    const char *debuglog = env_value("HA_DEBUGLOG");
    bool debug = false;
    uint8_t level = LOG_INFO;
    int32_t fac = LOG_DAEMON;
    bool have_target = false;

    if ((myha_str_to_bool(env_value("HA_debug"), &debug) == 0) && debug) {
        level = LOG_DEBUG;
    }
    if ((facility != NULL) && (strcmp(facility, "none") == 0)) {
        facility = NULL;
    }
    if (facility != NULL) {
        int32_t f = qb_log_facility2int(facility);

        if (f >= 0) {
            fac = f;
        }
    }

    qb_log_init(name, fac, LOG_INFO);
    qb_log_ctl(QB_LOG_BLACKBOX, QB_LOG_CONF_ENABLED, QB_FALSE);
    qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_FALSE);
    qb_log_filter_ctl(QB_LOG_SYSLOG, QB_LOG_FILTER_CLEAR_ALL,
                      QB_LOG_FILTER_FILE, "*", LOG_TRACE);

    if (facility != NULL) {
        enable_target(QB_LOG_SYSLOG, level, "%p: %b");
        have_target = true;
    }
    if (logfile != NULL) {
        int32_t t = qb_log_file_open(logfile);

        if (t >= 0) {
            enable_target(t, level, "%t %N[%P]: %p: %b");
            have_target = true;
        }
    }
    if (debuglog != NULL) {
        int32_t t = qb_log_file_open(debuglog);

        if (t >= 0) {
            enable_target(t, LOG_DEBUG, "%t %N[%P]: %p: %b");
        }
    }

    log_to_stderr = isatty(STDERR_FILENO)
                    || (env_value("OCF_TRACE_FILE") != NULL) || !have_target;
    if (log_to_stderr) {
        enable_target(QB_LOG_STDERR, level, "%N: %p: %b");
    }
}

/*!
 * \brief Flush and close every log destination
 */
void
myha_log_fini(void)
{
    qb_log_fini();
}

/*!
 * \brief Check whether log messages also reach stderr
 *
 * \return true if myha_log_init() enabled the stderr destination
 */
bool
myha_is_log_to_stderr(void)
{
    return log_to_stderr;
}
