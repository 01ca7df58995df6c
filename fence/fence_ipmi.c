/*
 * fence_ipmi: fences a machine through its BMC over IPMI LAN (IPMI 2.0
 * RMCP+ by default) with FreeIPMI's C library: chassis power down, up and
 * status.  Options follow fence-agents' fence_ipmilan.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <freeipmi/freeipmi.h>

#include <myha/fence.h>
#include <myha/rc.h>
#include <myha/str.h>

#include "ipmi.h"

static const char *const auth_words[] = { "md5", "password", "none", NULL };
static const char *const method_words[] = { "onoff", NULL };
static const char *const privlvl_words[] = { "callback", "user", "operator",
                                             "administrator", NULL };

static const struct myha_fence_opt ipmi_opts[] = {
    MYHA_FENCE_OPT_ACTION,
    { .name = "auth",
      .short_opt = 'A',
      .long_opt = "auth",
      .metavar = "[auth]",
      .type = myha_fence_select,
      .default_value = "md5",
      .options = auth_words,
      .shortdesc = "IPMI Lan Auth type (IPMI 1.5, lanplus=0 only)" },
    { .name = "cipher",
      .short_opt = 'C',
      .long_opt = "cipher",
      .metavar = "[cipher]",
      .type = myha_fence_integer,
      .default_value = "3",
      .shortdesc = "Ciphersuite to use (same as ipmitool -C parameter)" },
    { .name = "hexadecimal_kg",
      .long_opt = "hexadecimal-kg",
      .metavar = "[key]",
      .type = myha_fence_string,
      .flags = myha_fence_secret,
      .shortdesc = "Hexadecimal-encoded Kg key for IPMIv2 authentication" },
    MYHA_FENCE_OPT_IP("IP address or hostname of fencing device"),
    MYHA_FENCE_OPT_IPPORT("623"),
    { .name = "lanplus",
      .short_opt = 'P',
      .long_opt = "lanplus",
      .type = myha_fence_boolean,
      .default_value = "1",
      .shortdesc = "Use Lanplus (IPMI 2.0, RMCP+) to improve security of "
                   "connection (default; lanplus=0 for IPMI 1.5)" },
    MYHA_FENCE_OPT_USERNAME(NULL),
    { .name = "method",
      .short_opt = 'm',
      .long_opt = "method",
      .metavar = "[method]",
      .type = myha_fence_select,
      .default_value = "onoff",
      .options = method_words,
      .shortdesc = "Method to fence (reboot is power off, verified, then "
                   "power on)" },
    MYHA_FENCE_OPT_PASSWORD,
    MYHA_FENCE_OPT_PASSWORD_SCRIPT,
    MYHA_FENCE_OPT_PASSWORD_FILE,
    { .name = "plug",
      .obsolete = "port",
      .short_opt = 'n',
      .long_opt = "plug",
      .metavar = "[id]",
      .type = myha_fence_string,
      .shortdesc = "Name of the node the BMC belongs to (only used in "
                   "messages: the BMC is ip)" },
    { .name = "privlvl",
      .short_opt = 'L',
      .long_opt = "privlvl",
      .metavar = "[level]",
      .type = myha_fence_select,
      .default_value = "administrator",
      .options = privlvl_words,
      .shortdesc = "Privilege level on IPMI device" },
    MYHA_FENCE_OPT_VERBOSE,
    MYHA_FENCE_OPT_QUIET,
    MYHA_FENCE_OPT_DEBUG_FILE,
    MYHA_FENCE_OPT_VERSION,
    MYHA_FENCE_OPT_HELP,
    MYHA_FENCE_OPT_DELAY,
    MYHA_FENCE_OPT_LOGIN_TIMEOUT("5"),
    MYHA_FENCE_OPT_SHELL_TIMEOUT("1"),
    MYHA_FENCE_OPT_POWER_TIMEOUT,
    MYHA_FENCE_OPT_POWER_WAIT,
    MYHA_FENCE_OPT_STATUS_SLEEP,
    MYHA_FENCE_OPT_RETRY_ON,
};

//! State of one run
struct ipmi_run {
    struct ipmi_bmc *bmc;
};

// Select words to FreeIPMI's constants, in the order of the word lists
static const uint8_t auth_types[] = {
    IPMI_AUTHENTICATION_TYPE_MD5,
    IPMI_AUTHENTICATION_TYPE_STRAIGHT_PASSWORD_KEY,
    IPMI_AUTHENTICATION_TYPE_NONE,
};
static const uint8_t privlvls[] = {
    IPMI_PRIVILEGE_LEVEL_CALLBACK,
    IPMI_PRIVILEGE_LEVEL_USER,
    IPMI_PRIVILEGE_LEVEL_OPERATOR,
    IPMI_PRIVILEGE_LEVEL_ADMIN,
};

static uint8_t
select_value(const char *const *words, const uint8_t *values, const char *word)
{
    size_t i = 0;

    while ((words[i + 1] != NULL) && (strcmp(words[i], word) != 0)) {
        i++;
    }
    return values[i];
}

static int
hex_digit(int c)
{
    return isdigit(c) ? (c - '0') : (tolower(c) - 'a' + 10);
}

// Decode hexadecimal_kg ("0x" prefix allowed) into key (IPMI_MAX_K_G_LENGTH)
static int
decode_kg(const char *hex, unsigned char *key, size_t *ret_len,
          char **ret_reason)
{
    size_t len = 0;

    if ((strncmp(hex, "0x", 2) == 0) || (strncmp(hex, "0X", 2) == 0)) {
        hex += 2;
    }
    len = strlen(hex);
    if (((len % 2) != 0) || ((len / 2) > IPMI_MAX_K_G_LENGTH)) {
        *ret_reason = myha_str_printf("hexadecimal_kg must be an even number "
                                      "of hexadecimal digits, at most %d",
                                      2 * IPMI_MAX_K_G_LENGTH);
        return myha_rc_invalid;
    }
    for (size_t i = 0; i < len; i++) {
        if (!isxdigit((unsigned char) hex[i])) {
            *ret_reason = myha_str_printf("hexadecimal_kg must be hexadecimal "
                                          "digits");
            return myha_rc_invalid;
        }
    }
    for (size_t i = 0; i < (len / 2); i++) {
        key[i] =
            (unsigned char) ((hex_digit((unsigned char) hex[2 * i]) << 4)
                             | hex_digit((unsigned char) hex[(2 * i) + 1]));
    }
    *ret_len = len / 2;
    return 0;
}

static int
ipmi_login(void *data, const struct myha_fence_opts *opts, const char *password,
           char **ret_reason)
{
    struct ipmi_run *run = data;
    unsigned char k_g[IPMI_MAX_K_G_LENGTH] = { 0 };
    long long cipher = myha_fence_opts_num(opts, "cipher");
    struct ipmi_bmc_opts bopts = {
        .host = myha_fence_opts_str(opts, "ip"),
        .port = myha_fence_opts_num(opts, "ipport"),
        .username = myha_fence_opts_str(opts, "username"),
        .password = password,
        .lanplus = (myha_fence_opts_num(opts, "lanplus") != 0),
        .privilege = select_value(privlvl_words, privlvls,
                                  myha_fence_opts_str(opts, "privlvl")),
        .auth_type = select_value(auth_words, auth_types,
                                  myha_fence_opts_str(opts, "auth")),
        .session_timeout_ms = myha_fence_opts_num(opts, "login_timeout"),
        .retransmission_timeout_ms = myha_fence_opts_num(opts, "shell_timeout"),
    };
    int rc = 0;

    if ((cipher < 0) || (cipher > 255)) {
        *ret_reason = myha_str_printf("cipher %lld is not a cipher suite id "
                                      "(0-255)",
                                      cipher);
        return myha_rc_invalid;
    }
    bopts.cipher = (uint8_t) cipher;
    if ((bopts.port < 1) || (bopts.port > 65535)) {
        *ret_reason =
            myha_str_printf("ipport %lld is not a UDP port", bopts.port);
        return myha_rc_invalid;
    }
    // FreeIPMI requires the retransmission timeout below the session's
    if (bopts.retransmission_timeout_ms >= bopts.session_timeout_ms) {
        bopts.retransmission_timeout_ms = bopts.session_timeout_ms / 2;
    }
    if (bopts.retransmission_timeout_ms <= 0) {
        *ret_reason = myha_str_printf("login_timeout must be at least 2ms");
        return myha_rc_invalid;
    }
    if (myha_is_fence_opt_set(opts, "hexadecimal_kg")) {
        rc = decode_kg(myha_fence_opts_str(opts, "hexadecimal_kg"), k_g,
                       &bopts.k_g_len, ret_reason);
        if (rc != 0) {
            return rc;
        }
        bopts.k_g = k_g;
    }
    rc = ipmi_bmc_new(&bopts, &run->bmc, ret_reason);
    explicit_bzero(k_g, sizeof(k_g));
    return rc;
}

static int
ipmi_get_power(void *data, const char *plug, enum myha_fence_power *ret_power,
               char **ret_reason)
{
    struct ipmi_run *run = data;

    (void) plug; // one machine per BMC
    return ipmi_bmc_power(run->bmc, ret_power, ret_reason);
}

static int
ipmi_set_power(void *data, const char *plug, enum myha_fence_power power,
               char **ret_reason)
{
    struct ipmi_run *run = data;

    (void) plug;
    return ipmi_bmc_set_power(run->bmc, power == myha_fence_power_on,
                              ret_reason);
}

static void
ipmi_logout(void *data)
{
    struct ipmi_run *run = data;

    ipmi_bmc_free(run->bmc);
    run->bmc = NULL;
}

static const struct myha_fence_ops ipmi_ops = {
    .login = ipmi_login,
    .get_power = ipmi_get_power,
    .set_power = ipmi_set_power,
    .list = NULL, // one machine per BMC
    .logout = ipmi_logout,
};

static const struct myha_fence_agent ipmi_agent = {
    .name = "fence_ipmi",
    .version = PACKAGE_VERSION,
    .shortdesc = "Fence agent for IPMI",
    .longdesc =
        "fence_ipmi powers a machine off and on through its BMC (baseboard "
        "management controller) over IPMI LAN, with FreeIPMI's C library "
        "rather than by running ipmitool. IPMI 2.0 (RMCP+, lanplus) is the "
        "default, with a selectable cipher suite (cipher, default 3) and "
        "privilege level (privlvl); lanplus=0 uses IPMI 1.5. Off is an "
        "immediate chassis power down, verified by reading the chassis "
        "status until it reports off within power_timeout. A refused login, "
        "a cipher suite the BMC does not offer, a BMC that does not answer "
        "and a machine that does not power off are each reported as such. "
        "Options follow fence_ipmilan's.",
    .vendor_url = "https://www.intel.com/content/www/us/en/products/docs/"
                  "servers/ipmi/ipmi-home.html",
    .opts = ipmi_opts,
    .n_opts = sizeof(ipmi_opts) / sizeof(ipmi_opts[0]),
    .ops = &ipmi_ops,
};

int
main(int argc, char **argv)
{
    struct ipmi_run run = { 0 };

    return myha_fence_main(&ipmi_agent, &run, argc, argv);
}
