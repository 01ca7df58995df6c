/*
 * Fence agent actions, shared by every agent: the agent supplies device
 * operations, this runs an action through them and verifies every power
 * change by reading the state back until power_timeout ("a timeout is a
 * failure, not success", fence-agents' API).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <qb/qblog.h>

#include <myha/fence.h>
#include <myha/rc.h>
#include <myha/str.h>

/*!
 * \brief Check whether an action runs without the device (meta-data)
 *
 * \param[in] action  Action name
 *
 * \return true for metadata and manpage
 */
bool
myha_is_fence_action_local(const char *action)
{
    return (action != NULL)
           && ((strcmp(action, "metadata") == 0)
               || (strcmp(action, "meta-data") == 0)
               || (strcmp(action, "manpage") == 0));
}

static long long
now_ms(void)
{
    struct timespec ts = { 0 };

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ((long long) ts.tv_sec * 1000) + (ts.tv_nsec / 1000000);
}

static void
sleep_ms(long long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000,
                           .tv_nsec = (ms % 1000) * 1000000 };

    while ((ms > 0) && (nanosleep(&ts, &ts) != 0) && (errno == EINTR)) {
    }
}

static const char *
power_word(enum myha_fence_power power)
{
    switch (power) {
        case myha_fence_power_on:
            return "ON";
        case myha_fence_power_off:
            return "OFF";
        default:
            return "UNKNOWN";
    }
}

//! What the list callback prints with
struct list_out {
    FILE *out;
    const char *separator;
    bool with_status;
    bool quiet; // monitor: contact the device, print nothing
};

static void
print_plug(void *data, const char *id, const char *alias,
           enum myha_fence_power power)
{
    struct list_out *lo = data;

    if (lo->quiet) {
        return;
    }
    fprintf(lo->out, "%s%s%s", id, lo->separator, (alias != NULL) ? alias : "");
    if (lo->with_status) {
        fprintf(lo->out, "%s%s", lo->separator, power_word(power));
    }
    fputc('\n', lo->out);
}

static int
get_known_power(const struct myha_fence_agent *agent, void *ctx,
                const char *plug, enum myha_fence_power *ret_power,
                char **ret_reason)
{
    enum myha_fence_power power = myha_fence_power_unknown;
    int rc = agent->ops->get_power(ctx, plug, &power, ret_reason);

    if ((rc == 0) && (power == myha_fence_power_unknown)) {
        *ret_reason = myha_str_printf("cannot tell whether '%s' is on or off",
                                      (plug != NULL) ? plug : agent->name);
        rc = myha_rc_error;
    }
    if (rc == 0) {
        *ret_power = power;
    }
    return rc;
}

/*
 * Ask for a power state and read it back until it is reached or
 * power_timeout has passed, attempts times.  Errors while polling are
 * retried until the deadline: a device may be busy right after a change.
 */
static int
set_power_verified(const struct myha_fence_agent *agent,
                   const struct myha_fence_opts *opts, void *ctx,
                   const char *plug, enum myha_fence_power target,
                   long long attempts, char **ret_reason)
{
    long long timeout = myha_fence_opts_num(opts, "power_timeout");
    long long wait = myha_fence_opts_num(opts, "power_wait");
    long long interval = myha_fence_opts_num(opts, "stonith_status_sleep");
    const char *word = (target == myha_fence_power_on) ? "on" : "off";
    char *last_error = NULL;
    int rc = 0;

    if (interval <= 0) {
        interval = 1000;
    }
    if (attempts < 1) {
        attempts = 1;
    }
    for (long long attempt = 1; attempt <= attempts; attempt++) {
        long long deadline = 0;
        enum myha_fence_power power = myha_fence_power_unknown;

        qb_log(LOG_DEBUG, "powering %s '%s' (attempt %lld of %lld)", word, plug,
               attempt, attempts);
        rc = agent->ops->set_power(ctx, plug, target, ret_reason);
        if (rc != 0) {
            goto out_free;
        }
        sleep_ms(wait);
        deadline = now_ms() + timeout;
        for (;;) {
            char *reason = NULL;

            rc = get_known_power(agent, ctx, plug, &power, &reason);
            if ((rc == 0) && (power == target)) {
                goto out_free;
            }
            if (rc != 0) {
                free(last_error);
                last_error = reason;
                qb_log(LOG_DEBUG, "reading power state of '%s': %s", plug,
                       (reason != NULL) ? reason : myha_rc_str(rc));
            }
            if (now_ms() >= deadline) {
                break;
            }
            sleep_ms(((deadline - now_ms()) < interval) ? (deadline - now_ms())
                                                        : interval);
        }
    }
    *ret_reason = myha_str_printf(
        "'%s' did not power %s within power_timeout (%llds)%s%s",
        (plug != NULL) ? plug : agent->name, word, timeout / 1000,
        (last_error != NULL) ? ": " : "",
        (last_error != NULL) ? last_error : "");
    rc = ETIMEDOUT;

out_free:
    free(last_error);
    return rc;
}

static int
run_power(const struct myha_fence_agent *agent,
          const struct myha_fence_opts *opts, void *ctx, FILE *out,
          const char *action, enum myha_fence_power *ret_power,
          char **ret_reason)
{
    const char *plug = myha_fence_opts_plug(opts);
    enum myha_fence_power power = myha_fence_power_unknown;
    long long retry_on = myha_fence_opts_num(opts, "retry_on");
    int rc = get_known_power(agent, ctx, plug, &power, ret_reason);

    if (rc != 0) {
        return rc;
    }
    if (strcmp(action, "status") == 0) {
        fprintf(out, "Status: %s\n", power_word(power));
        *ret_power = power;
        return 0;
    }
    if (strcmp(action, "on") == 0) {
        if (power == myha_fence_power_on) {
            fputs("Success: Already ON\n", out);
            return 0;
        }
        rc = set_power_verified(agent, opts, ctx, plug, myha_fence_power_on,
                                retry_on, ret_reason);
        if (rc == 0) {
            fputs("Success: Powered ON\n", out);
        }
        return rc;
    }
    if ((strcmp(action, "off") == 0) && (power == myha_fence_power_off)) {
        fputs("Success: Already OFF\n", out);
        return 0;
    }
    if (power != myha_fence_power_off) {
        rc = set_power_verified(agent, opts, ctx, plug, myha_fence_power_off, 1,
                                ret_reason);
        if (rc != 0) {
            return rc;
        }
    }
    if (strcmp(action, "off") == 0) {
        fputs("Success: Powered OFF\n", out);
        return 0;
    }

    // reboot: the node is fenced once off; a failed power-on is a warning
    if (set_power_verified(agent, opts, ctx, plug, myha_fence_power_on,
                           retry_on, ret_reason)
        != 0) {
        char *reason = *ret_reason;

        *ret_reason = myha_str_printf("'%s' is off but did not power on "
                                      "again: %s",
                                      plug, (reason != NULL) ? reason : "");
        free(reason);
    }
    fputs("Success: Rebooted\n", out);
    return 0;
}

/*!
 * \brief Run the action given in the options
 *
 * metadata and manpage print the meta-data; validate-all checks the
 * options; list, list-status and monitor (multi-port) list the plugs;
 * status prints "Status: ON|OFF"; on, off and reboot change the power
 * state and read it back until it is reached within power_timeout (off
 * and reboot wait delay first).  What the action prints goes to \p out.
 *
 * \param[in]  agent       The agent
 * \param[in]  opts        Parsed options
 * \param[in]  ctx         The agent's context, passed to its operations
 * \param[in]  out         Where the action's output goes (stdout)
 * \param[out] ret_power   For status and monitor of one plug, its state
 * \param[out] ret_reason  On failure, what failed (caller frees); on
 *                         success, possibly a warning (reboot whose power-on
 *                         failed)
 *
 * \return 0 or a result code (see myha_fence_exit_status())
 */
int
myha_fence_run(const struct myha_fence_agent *agent,
               const struct myha_fence_opts *opts, void *ctx, FILE *out,
               enum myha_fence_power *ret_power, char **ret_reason)
{
    const char *action = myha_fence_opts_action(opts);
    char *password = NULL;
    int rc = 0;

    *ret_power = myha_fence_power_unknown;
    if (myha_is_fence_action_local(action)) {
        char *xml = NULL;

        rc = myha_fence_metadata_xml(agent, &xml);
        if (rc == 0) {
            fputs(xml, out);
            free(xml);
        }
        return rc;
    }
    rc = myha_fence_opts_validate(opts, ret_reason);
    if ((rc != 0) || (strcmp(action, "validate-all") == 0)) {
        return rc;
    }
    rc = myha_fence_password(opts, &password, ret_reason);
    if (rc != 0) {
        return rc;
    }
    if ((strcmp(action, "off") == 0) || (strcmp(action, "reboot") == 0)) {
        long long delay = myha_fence_opts_num(opts, "delay");

        if (delay > 0) {
            qb_log(LOG_INFO, "Delay %llds before fencing", delay / 1000);
            sleep_ms(delay);
        }
    }
    rc = agent->ops->login(ctx, opts, password, ret_reason);
    myha_fence_password_free(password);
    if (rc != 0) {
        goto out_logout;
    }

    if ((strcmp(action, "list") == 0) || (strcmp(action, "list-status") == 0)
        || ((strcmp(action, "monitor") == 0) && (agent->ops->list != NULL))) {
        struct list_out lo = {
            .out = out,
            .separator = myha_fence_opts_str(opts, "separator"),
            .with_status = (strcmp(action, "list-status") == 0),
            .quiet = (strcmp(action, "monitor") == 0),
        };

        if (lo.separator == NULL) {
            lo.separator = ",";
        }
        rc = agent->ops->list(ctx, print_plug, &lo, ret_reason);
    } else if (strcmp(action, "monitor") == 0) {
        rc = get_known_power(agent, ctx, NULL, ret_power, ret_reason);
    } else {
        rc = run_power(agent, opts, ctx, out, action, ret_power, ret_reason);
    }

out_logout:
    if (agent->ops->logout != NULL) {
        agent->ops->logout(ctx);
    }
    return rc;
}

/*!
 * \brief Map an action's result to the fence-agents exit status
 *
 * \param[in] action  Action name
 * \param[in] rc      Result of myha_fence_run()
 * \param[in] power   State myha_fence_run() reported
 *
 * \return 0 (success; status: on; monitor: the device answered), 2
 *         (status: off), or 1 (failure, or status unknown)
 */
int
myha_fence_exit_status(const char *action, int rc, enum myha_fence_power power)
{
    bool is_status = (action != NULL) && (strcmp(action, "status") == 0);

    if (rc != 0) {
        return 1;
    }
    /* monitor asks whether the device works: a machine it reports off is
     * an answer (fence-agents' monitor exits 0 then; Pacemaker takes 2 for
     * a failed device and stops using it)
     */
    if (is_status && (power == myha_fence_power_off)) {
        return 2;
    }
    if (is_status && (power != myha_fence_power_on)) {
        return 1;
    }
    return 0;
}
