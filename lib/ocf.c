/*
 * The OCF resource agent API: environment accessors, exit reasons, action
 * dispatch, and the mapping from result codes to OCF exit codes.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qb/qblog.h>

#include <myha/ocf.h>
#include <myha/rc.h>
#include <myha/str.h>

#define OCF_EXIT_REASON_DEFAULT_PREFIX "ocf-exit-reason:"

static const char *const var_prefixes[] = {
    [myha_ocf_param] = "OCF_RESKEY_",
    [myha_ocf_meta] = "OCF_RESKEY_CRM_meta_",
    [myha_ocf_notify] = "OCF_RESKEY_CRM_meta_notify_",
};

/*!
 * \brief Read one OCF environment variable
 *
 * \param[in] var   Which family of variable (parameter, meta, notify)
 * \param[in] name  Name without prefix, e.g. "datadir" or "interval"
 *
 * \return The value, or NULL if the variable is unset or empty
 * \note The result points into the environment; do not free it.
 */
const char *
myha_ocf_var_get(enum myha_ocf_var var, const char *name)
{
    const char *prefix = var_prefixes[var];
    size_t plen = strlen(prefix);
    size_t nlen = strlen(name);
    char *full = malloc(plen + nlen + 1);
    const char *value = NULL;

    if (full == NULL) {
        return NULL;
    }
    memcpy(full, prefix, plen);
    memcpy(full + plen, name, nlen + 1);
    value = getenv(full);
    free(full);
    if ((value != NULL) && (*value == '\0')) {
        value = NULL;
    }
    return value;
}

/*!
 * \brief Tell Pacemaker why an action failed
 *
 * Writes one line "<prefix><reason>" to stderr, where the prefix is
 * $OCF_EXIT_REASON_PREFIX or "ocf-exit-reason:".  Pacemaker shows the reason
 * in crm_mon and pcs status.  Call it at most once per action, with text a
 * person can act on, and never with a secret.
 *
 * \param[in] format  printf-style format
 * \param[in] ...     Arguments for \p format
 */
void
myha_ocf_exit_reason(const char *format, ...)
{
    const char *prefix = getenv("OCF_EXIT_REASON_PREFIX");
    va_list ap;

    if ((prefix == NULL) || (*prefix == '\0')) {
        prefix = OCF_EXIT_REASON_DEFAULT_PREFIX;
    }
    fflush(stdout);
    fputs(prefix, stderr);
    va_start(ap, format);
    vfprintf(stderr, format, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

/*!
 * \brief Check whether an action is a probe (a monitor with interval 0)
 *
 * \param[in] action  Action name being run
 *
 * \return true if \p action is "monitor" and the operation has no interval
 */
bool
myha_is_ocf_probe(const char *action)
{
    const char *interval = myha_ocf_var_get(myha_ocf_meta, "interval");
    long long ms = 0;

    if ((action == NULL) || (strcmp(action, "monitor") != 0)) {
        return false;
    }
    if (interval == NULL) {
        return true;
    }
    return (myha_str_to_ll(interval, &ms) == 0) && (ms == 0);
}

/*!
 * \brief Run the handler of the named action
 *
 * \param[in]     actions    Action table
 * \param[in]     n_actions  Entries in \p actions
 * \param[in]     action     Action name (exact match, case-sensitive)
 * \param[in,out] ctx        Passed to the handler
 *
 * \return The handler's exit code, or PCMK_OCF_UNIMPLEMENT_FEATURE (with an
 *         exit reason) if no entry matches
 */
enum ocf_exitcode
myha_ocf_dispatch(const struct myha_ocf_action *actions, size_t n_actions,
                  const char *action, void *ctx)
{
    if (action != NULL) {
        for (size_t i = 0; i < n_actions; i++) {
            if (strcmp(actions[i].name, action) == 0) {
                return actions[i].run(ctx);
            }
        }
    }
    myha_ocf_exit_reason("unsupported action '%s'",
                         (action == NULL) ? "" : action);
    return PCMK_OCF_UNIMPLEMENT_FEATURE;
}

/*!
 * \brief Map a libmyha result code to an OCF exit code
 *
 * This is the one place where library results become exit codes.
 *
 * \param[in] rc  0, a positive errno value, or a value of enum myha_rc_e
 *
 * \return Exit code per the OCF resource agent API
 */
enum ocf_exitcode
myha_ocf_status_from_rc(int rc)
{
    switch (rc) {
        case myha_rc_ok:
            return PCMK_OCF_OK;
        case myha_rc_invalid:
        case myha_rc_parse:
            return PCMK_OCF_NOT_CONFIGURED;
        case myha_rc_local_config:
            return PCMK_OCF_INVALID_PARAM;
        case myha_rc_not_installed:
            return PCMK_OCF_NOT_INSTALLED;
        case myha_rc_not_running:
            return PCMK_OCF_NOT_RUNNING;
        case myha_rc_unimplemented:
            return PCMK_OCF_UNIMPLEMENT_FEATURE;
        case EACCES:
        case EPERM:
            return PCMK_OCF_INSUFFICIENT_PRIV;
        default:
            return PCMK_OCF_UNKNOWN_ERROR;
    }
}
