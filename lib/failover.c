/*
 * Whether promote may leave read-only: the old primary must be unable to
 * write first.  Pure: the facts are gathered by the caller, the decision
 * and its reason are made here, so that every branch is unit-tested.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <myha/cluster.h>
#include <myha/str.h>

//! "2026-11-21T04:52:46Z" and its NUL
#define TIME_TEXT_SIZE sizeof("YYYY-MM-DDTHH:MM:SSZ")

static const char *const fence_tail = "fencing it before promoting";
static const char *const refuse_tail =
    "refusing to promote (set fence_unreachable_primary=true to fence it)";

static void
time_text(time_t when, char buf[TIME_TEXT_SIZE])
{
    struct tm tm;

    if ((gmtime_r(&when, &tm) == NULL)
        || (strftime(buf, TIME_TEXT_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)) {
        strcpy(buf, "?");
    }
}

/*
 * The old primary is unreachable and not proven fenced: fence it if the
 * parameter allows, else refuse.  why says what is missing.
 */
static int
not_proven(const struct myha_failover_input *input, const char *why,
           enum myha_failover_action *ret_action, char **ret_reason)
{
    bool fence = input->fence_unreachable_primary;
    char *reason = myha_str_printf("old primary '%s' is unreachable %s: %s",
                                   input->old_primary, why,
                                   fence ? fence_tail : refuse_tail);

    if (reason == NULL) {
        return ENOMEM;
    }
    *ret_action = fence ? myha_failover_fence : myha_failover_refuse;
    *ret_reason = reason;
    return 0;
}

static int
decide_unreachable(const struct myha_failover_input *input,
                   enum myha_failover_action *ret_action, char **ret_reason)
{
    char fenced[TIME_TEXT_SIZE];
    char since[TIME_TEXT_SIZE];
    char *why = NULL;
    char *reason = NULL;
    int rc = 0;

    if (input->in_membership) {
        return not_proven(input, "but still in the corosync membership",
                          ret_action, ret_reason);
    }
    if (input->fenced_at <= 0) {
        return not_proven(input,
                          "and out of the corosync membership but was "
                          "never fenced",
                          ret_action, ret_reason);
    }
    time_text(input->fenced_at, fenced);
    if (input->primary_since <= 0) {
        why = myha_str_printf("and out of the corosync membership, and was "
                              "fenced at %s, but when it became primary is "
                              "unknown",
                              fenced);
        goto out_not_proven;
    }
    time_text(input->primary_since, since);
    if (input->fenced_at < input->primary_since) {
        why = myha_str_printf("and out of the corosync membership but was "
                              "last fenced at %s, before it became primary "
                              "at %s",
                              fenced, since);
        goto out_not_proven;
    }
    reason = myha_str_printf("old primary '%s' is unreachable, out of the "
                             "corosync membership, and was fenced at %s, "
                             "after it became primary at %s",
                             input->old_primary, fenced, since);
    if (reason == NULL) {
        return ENOMEM;
    }
    *ret_action = myha_failover_proceed_fenced;
    *ret_reason = reason;
    return 0;

out_not_proven:
    if (why == NULL) {
        return ENOMEM;
    }
    rc = not_proven(input, why, ret_action, ret_reason);
    free(why);
    return rc;
}

/*!
 * \brief Decide whether promote may proceed, given the old primary's state
 *
 * - No old primary (first promotion), or it is this node: proceed.
 * - Its mysqld is reachable: proceed if it was made read-only and its
 *   writers ended, else refuse.
 * - It is unreachable: proceed only if its node is out of the corosync
 *   membership and was fenced at or after the time it became primary.
 *   Otherwise ask for fencing (then gather the facts and decide again) if
 *   fence_unreachable_primary is set, else refuse.
 *
 * \param[in]  input       Facts about the old primary
 * \param[out] ret_action  Where to store the decision (only on success)
 * \param[out] ret_reason  Where to store a sentence saying why, fit for an
 *                         exit reason or a log (only on success)
 *
 * \return 0 on success, EINVAL, ENOMEM
 * \note The caller frees \p *ret_reason.
 */
int
myha_failover_decide(const struct myha_failover_input *input,
                     enum myha_failover_action *ret_action, char **ret_reason)
{
    enum myha_failover_action action = myha_failover_refuse;
    char *reason = NULL;

    if ((input == NULL) || (ret_action == NULL) || (ret_reason == NULL)) {
        return EINVAL;
    }
    if ((input->old_primary == NULL) || (*input->old_primary == '\0')) {
        action = myha_failover_proceed_no_primary;
        reason = strdup("no primary is recorded: nothing to demote or fence");
    } else if ((input->local_node != NULL)
               && (strcmp(input->old_primary, input->local_node) == 0)) {
        action = myha_failover_proceed_no_primary;
        reason = myha_str_printf("this node '%s' was the primary: nothing "
                                 "to demote or fence",
                                 input->old_primary);
    } else if (input->reachable && input->made_read_only) {
        action = myha_failover_proceed_demoted;
        reason = myha_str_printf("old primary '%s' is read-only and its "
                                 "writers have ended",
                                 input->old_primary);
    } else if (input->reachable) {
        action = myha_failover_refuse;
        reason = myha_str_printf("old primary '%s' is reachable but could "
                                 "not be made read-only: refusing to promote",
                                 input->old_primary);
    } else {
        return decide_unreachable(input, ret_action, ret_reason);
    }
    if (reason == NULL) {
        return ENOMEM;
    }
    *ret_action = action;
    *ret_reason = reason;
    return 0;
}

/*!
 * \brief Check whether a failover decision lets promote go on
 *
 * \param[in] action  Decision from myha_failover_decide()
 *
 * \return true for the proceed decisions
 */
bool
myha_is_failover_proceed(enum myha_failover_action action)
{
    return (action == myha_failover_proceed_no_primary)
           || (action == myha_failover_proceed_demoted)
           || (action == myha_failover_proceed_fenced);
}

/*!
 * \brief Name a failover decision
 *
 * \param[in] action  Decision
 *
 * \return Static string
 */
const char *
myha_failover_action_str(enum myha_failover_action action)
{
    switch (action) {
        case myha_failover_proceed_no_primary:
            return "proceed (no primary)";
        case myha_failover_proceed_demoted:
            return "proceed (old primary demoted)";
        case myha_failover_proceed_fenced:
            return "proceed (old primary fenced)";
        case myha_failover_fence:
            return "fence old primary";
        case myha_failover_refuse:
            return "refuse";
    }
    return "unknown";
}
