/*
 * fence_ipmi's BMC client: one out-of-band IPMI session (IPMI 2.0 RMCP+
 * or IPMI 1.5) opened with FreeIPMI's libfreeipmi, and the chassis
 * commands fencing needs, with each failure named for the person who
 * has to fix it.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <freeipmi/freeipmi.h>

#include <myha/rc.h>
#include <myha/str.h>

#include "ipmi.h"

//! An open session to a BMC
struct ipmi_bmc {
    ipmi_ctx_t ctx;
    char *where;          //!< "host:port", for messages
    char *username;       //!< For messages
    uint8_t privilege;    //!< Level the session runs at
    uint8_t cipher;       //!< Cipher suite id (IPMI 2.0)
    bool lanplus;         //!< IPMI 2.0
    bool in_session;      //!< Logged in
    long long timeout_ms; //!< Session timeout, for messages
};

static const char *
privilege_word(uint8_t privilege)
{
    switch (privilege) {
        case IPMI_PRIVILEGE_LEVEL_CALLBACK:
            return "callback";
        case IPMI_PRIVILEGE_LEVEL_USER:
            return "user";
        case IPMI_PRIVILEGE_LEVEL_OPERATOR:
            return "operator";
        default:
            return "administrator";
    }
}

/*
 * Turn the error left in the session context into a result code and a
 * reason that says what to change: wrong credentials, an unsupported
 * cipher suite and an unreachable BMC each have their own.
 */
static int
bmc_error(const struct ipmi_bmc *bmc, const char *doing, char **ret_reason)
{
    int errnum = ipmi_ctx_errnum(bmc->ctx);
    const char *detail = ipmi_ctx_errormsg(bmc->ctx);

    switch (errnum) {
        case IPMI_ERR_USERNAME_INVALID:
        case IPMI_ERR_PASSWORD_INVALID:
        case IPMI_ERR_K_G_INVALID:
        case IPMI_ERR_PASSWORD_VERIFICATION_TIMEOUT:
            *ret_reason = myha_str_printf("BMC '%s' refused the login of user "
                                          "'%s': wrong username, password "
                                          "or BMC key (%s)",
                                          bmc->where, bmc->username, detail);
            return EACCES;
        case IPMI_ERR_CIPHER_SUITE_ID_UNAVAILABLE:
            *ret_reason =
                myha_str_printf("BMC '%s' does not offer cipher "
                                "suite %u: set cipher to one it "
                                "supports (%s)",
                                bmc->where, (unsigned) bmc->cipher, detail);
            return ENOTSUP;
        case IPMI_ERR_IPMI_ERROR:
            if (!bmc->in_session && bmc->lanplus) {
                // RMCP+ open-session refusals, e.g. an unknown algorithm
                *ret_reason =
                    myha_str_printf("BMC '%s' refused an IPMI 2.0 "
                                    "session with cipher suite %u: "
                                    "set cipher to one it supports "
                                    "(%s)",
                                    bmc->where, (unsigned) bmc->cipher, detail);
                return ENOTSUP;
            }
            *ret_reason = myha_str_printf("cannot %s on BMC '%s': %s", doing,
                                          bmc->where, detail);
            return myha_rc_error;
        case IPMI_ERR_IPMI_2_0_UNAVAILABLE:
            *ret_reason = myha_str_printf("BMC '%s' does not speak IPMI 2.0: "
                                          "set lanplus=0 (%s)",
                                          bmc->where, detail);
            return ENOTSUP;
        case IPMI_ERR_AUTHENTICATION_TYPE_UNAVAILABLE:
            *ret_reason = myha_str_printf("BMC '%s' does not allow this "
                                          "authentication type: set auth to "
                                          "one it allows (%s)",
                                          bmc->where, detail);
            return ENOTSUP;
        case IPMI_ERR_PRIVILEGE_LEVEL_INSUFFICIENT:
        case IPMI_ERR_PRIVILEGE_LEVEL_CANNOT_BE_OBTAINED:
            *ret_reason =
                myha_str_printf("user '%s' may not %s on BMC '%s' "
                                "at privilege level '%s': raise "
                                "privlvl or the user's limit (%s)",
                                bmc->username, doing, bmc->where,
                                privilege_word(bmc->privilege), detail);
            return EPERM;
        case IPMI_ERR_CONNECTION_TIMEOUT:
        case IPMI_ERR_SESSION_TIMEOUT:
        case IPMI_ERR_MESSAGE_TIMEOUT:
            *ret_reason =
                myha_str_printf("cannot reach BMC '%s': no answer "
                                "within login_timeout (%llds) to "
                                "%s",
                                bmc->where, bmc->timeout_ms / 1000, doing);
            return ETIMEDOUT;
        case IPMI_ERR_HOSTNAME_INVALID:
            *ret_reason = myha_str_printf("cannot resolve BMC address '%s' "
                                          "(%s)",
                                          bmc->where, detail);
            return EHOSTUNREACH;
        case IPMI_ERR_OUT_OF_MEMORY:
            return ENOMEM;
        default:
            *ret_reason = myha_str_printf("cannot %s on BMC '%s': %s", doing,
                                          bmc->where, detail);
            return myha_rc_error;
    }
}

/*!
 * \brief Open a session to a BMC
 *
 * \param[in]  bopts       Where and how to log in
 * \param[out] ret_bmc     On success, the session (free with
 *                         ipmi_bmc_free())
 * \param[out] ret_reason  On failure, what failed (caller frees)
 *
 * \return 0, EACCES (credentials refused), ENOTSUP (cipher suite, IPMI
 *         version or authentication type not offered), EPERM (privilege
 *         level refused), ETIMEDOUT (no answer), EHOSTUNREACH (address
 *         does not resolve), myha_rc_invalid, ENOMEM or myha_rc_error
 */
int
ipmi_bmc_new(const struct ipmi_bmc_opts *bopts, struct ipmi_bmc **ret_bmc,
             char **ret_reason)
{
    struct ipmi_bmc *bmc = calloc(1, sizeof(*bmc));
    size_t max_password = bopts->lanplus ? IPMI_2_0_MAX_PASSWORD_LENGTH
                                         : IPMI_1_5_MAX_PASSWORD_LENGTH;
    int rc = ENOMEM;
    int ret = 0;
    bool v6 = false;

    if (bmc == NULL) {
        return ENOMEM;
    }
    // FreeIPMI takes the port after the host, an IPv6 address in brackets
    v6 = (strchr(bopts->host, ':') != NULL);
    bmc->where = myha_str_printf("%s%s%s:%lld", v6 ? "[" : "", bopts->host,
                                 v6 ? "]" : "", bopts->port);
    bmc->username = strdup(bopts->username);
    if ((bmc->where == NULL) || (bmc->username == NULL)) {
        goto out_free;
    }
    bmc->privilege = bopts->privilege;
    bmc->cipher = bopts->cipher;
    bmc->lanplus = bopts->lanplus;
    bmc->timeout_ms = bopts->session_timeout_ms;

    if (strlen(bopts->username) > IPMI_MAX_USER_NAME_LENGTH) {
        *ret_reason =
            myha_str_printf("username '%s' is longer than IPMI's "
                            "%d characters",
                            bopts->username, IPMI_MAX_USER_NAME_LENGTH);
        rc = myha_rc_invalid;
        goto out_free;
    }
    if ((bopts->password != NULL) && (strlen(bopts->password) > max_password)) {
        *ret_reason =
            myha_str_printf("the password is longer than the %zu "
                            "characters IPMI %s allows",
                            max_password, bopts->lanplus ? "2.0" : "1.5");
        rc = myha_rc_invalid;
        goto out_free;
    }

    bmc->ctx = ipmi_ctx_create();
    if (bmc->ctx == NULL) {
        goto out_free;
    }
    if (bopts->lanplus && !IPMI_CIPHER_SUITE_ID_SUPPORTED(bopts->cipher)) {
        *ret_reason = myha_str_printf("cipher suite %u is not one FreeIPMI "
                                      "supports (0-3, 6-8, 11-12, 15-17)",
                                      (unsigned) bopts->cipher);
        rc = myha_rc_invalid;
        goto out_free;
    }
    if (bopts->lanplus) {
        /*
         * Ask for the privilege level when opening the session, as ipmitool
         * does: some BMCs (OpenIPMI's among them) refuse FreeIPMI's default
         * "highest level" request.
         */
        ret = ipmi_ctx_open_outofband_2_0(
            bmc->ctx, bmc->where, bopts->username, bopts->password, bopts->k_g,
            (unsigned int) bopts->k_g_len, bopts->privilege, bopts->cipher,
            (unsigned int) bopts->session_timeout_ms,
            (unsigned int) bopts->retransmission_timeout_ms,
            IPMI_WORKAROUND_FLAGS_OUTOFBAND_2_0_OPEN_SESSION_PRIVILEGE, 0);
    } else {
        ret = ipmi_ctx_open_outofband(
            bmc->ctx, bmc->where, bopts->username, bopts->password,
            bopts->auth_type, bopts->privilege,
            (unsigned int) bopts->session_timeout_ms,
            (unsigned int) bopts->retransmission_timeout_ms, 0, 0);
    }
    if (ret < 0) {
        rc = bmc_error(bmc, "log in", ret_reason);
        goto out_free;
    }
    bmc->in_session = true;
    *ret_bmc = bmc;
    return 0;

out_free:
    ipmi_bmc_free(bmc);
    return rc;
}

/*!
 * \brief Close a BMC session and free it
 *
 * \param[in] bmc  Session (may be NULL)
 */
void
ipmi_bmc_free(struct ipmi_bmc *bmc)
{
    if (bmc == NULL) {
        return;
    }
    if (bmc->ctx != NULL) {
        ipmi_ctx_close(bmc->ctx);
        ipmi_ctx_destroy(bmc->ctx);
    }
    free(bmc->where);
    free(bmc->username);
    free(bmc);
}

/*!
 * \brief Read the chassis power state (Get Chassis Status)
 *
 * \param[in]  bmc         Session
 * \param[out] ret_power   On success, on or off
 * \param[out] ret_reason  On failure, what failed (caller frees)
 *
 * \return 0 or a result code as for ipmi_bmc_new()
 */
int
ipmi_bmc_power(struct ipmi_bmc *bmc, enum myha_fence_power *ret_power,
               char **ret_reason)
{
    fiid_obj_t rs = fiid_obj_create(tmpl_cmd_get_chassis_status_rs);
    uint64_t on = 0;
    int rc = 0;

    if (rs == NULL) {
        return ENOMEM;
    }
    if (ipmi_cmd_get_chassis_status(bmc->ctx, rs) < 0) {
        rc = bmc_error(bmc, "read the chassis status", ret_reason);
        goto out_destroy;
    }
    if (fiid_obj_get(rs, "current_power_state.power_is_on", &on) < 0) {
        *ret_reason = myha_str_printf("BMC '%s' sent a chassis status without "
                                      "power state: %s",
                                      bmc->where, fiid_obj_errormsg(rs));
        rc = myha_rc_parse;
        goto out_destroy;
    }
    *ret_power = (on != 0) ? myha_fence_power_on : myha_fence_power_off;

out_destroy:
    fiid_obj_destroy(rs);
    return rc;
}

/*!
 * \brief Power the chassis up or down (Chassis Control)
 *
 * Power down is immediate, as fencing needs, not a soft shutdown.
 *
 * \param[in]  bmc         Session
 * \param[in]  on          Power up rather than down
 * \param[out] ret_reason  On failure, what failed (caller frees)
 *
 * \return 0 or a result code as for ipmi_bmc_new()
 */
int
ipmi_bmc_set_power(struct ipmi_bmc *bmc, bool on, char **ret_reason)
{
    fiid_obj_t rs = fiid_obj_create(tmpl_cmd_chassis_control_rs);
    int rc = 0;

    if (rs == NULL) {
        return ENOMEM;
    }
    if (ipmi_cmd_chassis_control(bmc->ctx,
                                 on ? IPMI_CHASSIS_CONTROL_POWER_UP
                                    : IPMI_CHASSIS_CONTROL_POWER_DOWN,
                                 rs)
        < 0) {
        rc = bmc_error(bmc,
                       on ? "power the chassis up"
                          : "power the chassis "
                            "down",
                       ret_reason);
    }
    fiid_obj_destroy(rs);
    return rc;
}
