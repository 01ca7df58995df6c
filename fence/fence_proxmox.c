/*
 * fence_proxmox: fences Proxmox VE guests (QEMU VMs, LXC containers)
 * through the Proxmox VE REST API.  The plug is a VM id or a guest name,
 * so Pacemaker's node name works without pcmk_host_map.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include <myha/fence.h>
#include <myha/str.h>

#include "proxmox.h"

static const struct myha_fence_opt proxmox_opts[] = {
    MYHA_FENCE_OPT_ACTION,
    MYHA_FENCE_OPT_IP("IP address or host name of a node of the Proxmox VE "
                      "cluster"),
    MYHA_FENCE_OPT_IPPORT("8006"),
    MYHA_FENCE_OPT_USERNAME("root@pam"),
    MYHA_FENCE_OPT_PASSWORD,
    MYHA_FENCE_OPT_PASSWORD_SCRIPT,
    MYHA_FENCE_OPT_PASSWORD_FILE,
    MYHA_FENCE_OPT_PLUG("VM id or name of the guest to fence; a node name "
                        "works when the guest has that name"),
    MYHA_FENCE_OPT_NODENAME,
    { .name = "ssl",
      .short_opt = 'z',
      .long_opt = "ssl",
      .type = myha_fence_boolean,
      .default_value = "1",
      .shortdesc = "Use SSL connection with verifying certificate (always: "
                   "HTTPS is the only transport)" },
    MYHA_FENCE_OPT_SSL_INSECURE,
    { .name = "ssl_ca_file",
      .long_opt = "ssl-ca-file",
      .metavar = "[file]",
      .type = myha_fence_string,
      .shortdesc = "CA certificates (PEM) to verify the Proxmox VE "
                   "certificate with, e.g. /etc/pve/pve-root-ca.pem copied "
                   "from a node (default: the system's CA store)" },
    { .name = "skiplock",
      .long_opt = "skiplock",
      .metavar = "[0|1]",
      .type = myha_fence_boolean,
      .shortdesc = "Stop and start guests even if they are locked (default: "
                   "on for root@pam, the only user Proxmox VE allows it)" },
    MYHA_FENCE_OPT_VERBOSE,
    MYHA_FENCE_OPT_QUIET,
    MYHA_FENCE_OPT_DEBUG_FILE,
    MYHA_FENCE_OPT_VERSION,
    MYHA_FENCE_OPT_HELP,
    MYHA_FENCE_OPT_SEPARATOR,
    MYHA_FENCE_OPT_DELAY,
    MYHA_FENCE_OPT_LOGIN_TIMEOUT("5"),
    MYHA_FENCE_OPT_SHELL_TIMEOUT("10"),
    MYHA_FENCE_OPT_POWER_TIMEOUT,
    MYHA_FENCE_OPT_POWER_WAIT,
    MYHA_FENCE_OPT_STATUS_SLEEP,
    MYHA_FENCE_OPT_RETRY_ON,
};

//! State of one run
struct proxmox_ctx {
    const struct myha_fence_opts *opts;
    struct proxmox_conn *conn;
    struct proxmox_vm vm; //!< Guest resolved for vm_plug
    char *vm_plug;
};

static int
proxmox_login(void *data, const struct myha_fence_opts *opts,
              const char *password, char **ret_reason)
{
    struct proxmox_ctx *ctx = data;
    struct proxmox_conn_opts copts = {
        .host = myha_fence_opts_str(opts, "ip"),
        .port = myha_fence_opts_num(opts, "ipport"),
        .username = myha_fence_opts_str(opts, "username"),
        .password = password,
        .ca_file = myha_fence_opts_str(opts, "ssl_ca_file"),
        .insecure = (myha_fence_opts_num(opts, "ssl_insecure") != 0),
        .connect_timeout_ms = myha_fence_opts_num(opts, "login_timeout"),
        .timeout_ms = myha_fence_opts_num(opts, "shell_timeout"),
    };

    if (password == NULL) {
        *ret_reason = myha_str_printf("no password or API token secret for "
                                      "'%s'",
                                      copts.username);
        return EINVAL;
    }
    ctx->opts = opts;
    return proxmox_conn_new(&copts, &ctx->conn, ret_reason);
}

// Resolve plug to a guest once per run
static int
resolve(struct proxmox_ctx *ctx, const char *plug, char **ret_reason)
{
    int rc = 0;

    if ((ctx->vm_plug != NULL) && (strcmp(ctx->vm_plug, plug) == 0)) {
        return 0;
    }
    proxmox_vm_release(&ctx->vm);
    free(ctx->vm_plug);
    ctx->vm_plug = NULL;
    rc = proxmox_vm_find(ctx->conn, plug, &ctx->vm, ret_reason);
    if (rc == 0) {
        ctx->vm_plug = strdup(plug);
        if (ctx->vm_plug == NULL) {
            proxmox_vm_release(&ctx->vm);
            rc = ENOMEM;
        }
    }
    return rc;
}

static int
proxmox_get_power(void *data, const char *plug,
                  enum myha_fence_power *ret_power, char **ret_reason)
{
    struct proxmox_ctx *ctx = data;
    int rc = resolve(ctx, plug, ret_reason);

    return (rc != 0)
               ? rc
               : proxmox_vm_power(ctx->conn, &ctx->vm, ret_power, ret_reason);
}

static int
proxmox_set_power(void *data, const char *plug, enum myha_fence_power power,
                  char **ret_reason)
{
    struct proxmox_ctx *ctx = data;
    const char *user = myha_fence_opts_str(ctx->opts, "username");
    // Proxmox VE lets root@pam alone use skiplock (not even its tokens)
    bool skiplock = myha_is_fence_opt_set(ctx->opts, "skiplock")
                        ? (myha_fence_opts_num(ctx->opts, "skiplock") != 0)
                        : (strcmp(user, "root@pam") == 0);
    int rc = resolve(ctx, plug, ret_reason);

    if (rc != 0) {
        return rc;
    }
    return proxmox_vm_set_power(ctx->conn, &ctx->vm,
                                power == myha_fence_power_on, skiplock,
                                ret_reason);
}

static int
proxmox_list(void *data, myha_fence_list_fn_t emit, void *emit_data,
             char **ret_reason)
{
    struct proxmox_ctx *ctx = data;

    return proxmox_vm_list(ctx->conn, emit, emit_data, ret_reason);
}

static void
proxmox_logout(void *data)
{
    struct proxmox_ctx *ctx = data;

    proxmox_conn_free(ctx->conn);
    ctx->conn = NULL;
    proxmox_vm_release(&ctx->vm);
    free(ctx->vm_plug);
    ctx->vm_plug = NULL;
}

static const struct myha_fence_ops proxmox_ops = {
    .login = proxmox_login,
    .get_power = proxmox_get_power,
    .set_power = proxmox_set_power,
    .list = proxmox_list,
    .logout = proxmox_logout,
};

static const struct myha_fence_agent proxmox_agent = {
    .name = "fence_proxmox",
    .version = PACKAGE_VERSION,
    .shortdesc = "Fence agent for Proxmox VE virtual machines and containers",
    .longdesc =
        "fence_proxmox powers Proxmox VE guests (QEMU virtual machines and "
        "LXC containers) off and on through the Proxmox VE REST API over "
        "HTTPS. The plug is a VM id or a guest name: the guest is looked up "
        "across the whole Proxmox VE cluster, so when the guests are named "
        "after the cluster nodes no pcmk_host_map is needed. Off is a hard "
        "stop, verified by reading the guest's status until it is stopped "
        "within power_timeout. Authentication: an API token when username "
        "is USER@REALM!TOKENID (the password is then the token's secret; "
        "the token needs VM.Audit and VM.PowerMgmt), else a ticket from "
        "username and password. The server certificate is verified unless "
        "ssl_insecure is set; ssl_ca_file names the CA of a Proxmox VE "
        "self-signed certificate. Tested against a simulation of the "
        "documented API, not yet against a real Proxmox VE.",
    .vendor_url = "https://www.proxmox.com/",
    .opts = proxmox_opts,
    .n_opts = sizeof(proxmox_opts) / sizeof(proxmox_opts[0]),
    .ops = &proxmox_ops,
};

int
main(int argc, char **argv)
{
    struct proxmox_ctx ctx = { 0 };
    int status = 0;

    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return 1;
    }
    status = myha_fence_main(&proxmox_agent, &ctx, argc, argv);
    curl_global_cleanup();
    return status;
}
