/*
 * Fence agents (fence-agents API): one option table per agent drives stdin
 * and command-line parsing, the meta-data and the man page; a shared runner
 * performs the actions and verifies every power change.
 */
#ifndef MYHA_FENCE__H
#define MYHA_FENCE__H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

//! Type of an option's value, as fence-agents' meta-data names it
enum myha_fence_type {
    myha_fence_string,  //!< Any text
    myha_fence_integer, //!< Decimal integer
    myha_fence_second,  //!< Seconds, or a Pacemaker duration ("500ms")
    myha_fence_boolean, //!< A switch on the command line; 1/0 etc. on stdin
    myha_fence_select,  //!< One of a fixed list of words
};

//! Flags of an option (bitwise OR)
enum myha_fence_opt_flags {
    myha_fence_required = (UINT32_C(1) << 0), //!< Must be set
    myha_fence_secret = (UINT32_C(1) << 1),   //!< Never shown; wiped in argv
};

//! One option of a fence agent
struct myha_fence_opt {
    const char *name;           //!< stdin name (meta-data parameter name)
    const char *obsolete;       //!< Older stdin name still accepted, or NULL
    int short_opt;              //!< getopt letter, or 0
    const char *long_opt;       //!< getopt long name without "--"
    const char *metavar;        //!< Argument shown in usage ("[id]"); NULL
                                //!< for a boolean makes it a switch
    enum myha_fence_type type;  //!< Value type
    const char *default_value;  //!< Default, or NULL
    uint32_t flags;             //!< Group of enum myha_fence_opt_flags
    const char *const *options; //!< Select: NULL-terminated word list
    const char *shortdesc;      //!< One line
};

/*
 * Options every agent shares, with fence-agents' names.  An agent's table
 * lists the ones it uses, in meta-data order, followed by its own.
 */
#define MYHA_FENCE_OPT_ACTION                                     \
    {                                                             \
        .name = "action", .short_opt = 'o', .long_opt = "action", \
        .metavar = "[action]", .type = myha_fence_string,         \
        .default_value = "reboot", .flags = myha_fence_required,  \
        .shortdesc = "Fencing action"                             \
    }
#define MYHA_FENCE_OPT_IP(desc)                                         \
    {                                                                   \
        .name = "ip", .obsolete = "ipaddr", .short_opt = 'a',           \
        .long_opt = "ip", .metavar = "[ip]", .type = myha_fence_string, \
        .flags = myha_fence_required, .shortdesc = (desc)               \
    }
#define MYHA_FENCE_OPT_IPPORT(dflt)                                   \
    {                                                                 \
        .name = "ipport", .short_opt = 'u', .long_opt = "ipport",     \
        .metavar = "[port]", .type = myha_fence_integer,              \
        .default_value = (dflt),                                      \
        .shortdesc = "TCP/UDP port to use for connection with device" \
    }
#define MYHA_FENCE_OPT_USERNAME(dflt)                              \
    {                                                              \
        .name = "username", .obsolete = "login", .short_opt = 'l', \
        .long_opt = "username", .metavar = "[name]",               \
        .type = myha_fence_string, .default_value = (dflt),        \
        .flags = myha_fence_required, .shortdesc = "Login name"    \
    }
#define MYHA_FENCE_OPT_PASSWORD                                              \
    {                                                                        \
        .name = "password", .obsolete = "passwd", .short_opt = 'p',          \
        .long_opt = "password", .metavar = "[password]",                     \
        .type = myha_fence_string, .flags = myha_fence_secret,               \
        .shortdesc = "Login password or passphrase. On the command line it " \
                     "shows in the process list: prefer stdin, "             \
                     "password_script or password_file"                      \
    }
#define MYHA_FENCE_OPT_PASSWORD_SCRIPT                                      \
    {                                                                       \
        .name = "password_script", .obsolete = "passwd_script",             \
        .short_opt = 'S', .long_opt = "password-script",                    \
        .metavar = "[script]", .type = myha_fence_string,                   \
        .shortdesc = "Script to run to retrieve password (run by /bin/sh; " \
                     "its first output line is the password)"               \
    }
#define MYHA_FENCE_OPT_PASSWORD_FILE                          \
    {                                                         \
        .name = "password_file", .long_opt = "password-file", \
        .metavar = "[file]", .type = myha_fence_string,       \
        .shortdesc = "File whose first line is the password"  \
    }
#define MYHA_FENCE_OPT_PLUG(desc)                                         \
    {                                                                     \
        .name = "plug", .obsolete = "port", .short_opt = 'n',             \
        .long_opt = "plug", .metavar = "[id]", .type = myha_fence_string, \
        .flags = myha_fence_required, .shortdesc = (desc)                 \
    }
#define MYHA_FENCE_OPT_NODENAME                                             \
    {                                                                       \
        .name = "nodename", .long_opt = "nodename", .metavar = "[name]",    \
        .type = myha_fence_string,                                          \
        .shortdesc = "Name of the node to fence, used when plug is not set" \
    }
#define MYHA_FENCE_OPT_SSL_INSECURE                                     \
    {                                                                   \
        .name = "ssl_insecure", .long_opt = "ssl-insecure",             \
        .type = myha_fence_boolean,                                     \
        .shortdesc = "Use SSL connection without verifying certificate" \
    }
#define MYHA_FENCE_OPT_VERBOSE                                      \
    {                                                               \
        .name = "verbose", .short_opt = 'v', .long_opt = "verbose", \
        .type = myha_fence_boolean, .shortdesc = "Verbose mode"     \
    }
#define MYHA_FENCE_OPT_QUIET                                           \
    {                                                                  \
        .name = "quiet", .short_opt = 'q', .long_opt = "quiet",        \
        .type = myha_fence_boolean,                                    \
        .shortdesc =                                                   \
            "Disable logging to stderr. Does not affect --verbose or " \
            "--debug-file or logging to syslog"                        \
    }
#define MYHA_FENCE_OPT_DEBUG_FILE                                    \
    {                                                                \
        .name = "debug_file", .obsolete = "debug", .short_opt = 'D', \
        .long_opt = "debug-file", .metavar = "[debugfile]",          \
        .type = myha_fence_string,                                   \
        .shortdesc = "Write debug information to given file"         \
    }
#define MYHA_FENCE_OPT_VERSION                                      \
    {                                                               \
        .name = "version", .short_opt = 'V', .long_opt = "version", \
        .type = myha_fence_boolean,                                 \
        .shortdesc = "Display version information and exit"         \
    }
#define MYHA_FENCE_OPT_HELP                                              \
    {                                                                    \
        .name = "help", .short_opt = 'h', .long_opt = "help",            \
        .type = myha_fence_boolean, .shortdesc = "Display help and exit" \
    }
#define MYHA_FENCE_OPT_SEPARATOR                                              \
    {                                                                         \
        .name = "separator", .short_opt = 'C', .long_opt = "separator",       \
        .metavar = "[char]", .type = myha_fence_string, .default_value = ",", \
        .shortdesc = "Separator for CSV created by 'list' operation"          \
    }
#define MYHA_FENCE_OPT_DELAY                                          \
    {                                                                 \
        .name = "delay", .long_opt = "delay", .metavar = "[seconds]", \
        .type = myha_fence_second, .default_value = "0",              \
        .shortdesc = "Wait X seconds before fencing is started"       \
    }
#define MYHA_FENCE_OPT_LOGIN_TIMEOUT(dflt)                             \
    {                                                                  \
        .name = "login_timeout", .long_opt = "login-timeout",          \
        .metavar = "[seconds]", .type = myha_fence_second,             \
        .default_value = (dflt),                                       \
        .shortdesc = "Wait X seconds for the connection to the device" \
    }
#define MYHA_FENCE_OPT_SHELL_TIMEOUT(dflt)                           \
    {                                                                \
        .name = "shell_timeout", .long_opt = "shell-timeout",        \
        .metavar = "[seconds]", .type = myha_fence_second,           \
        .default_value = (dflt),                                     \
        .shortdesc = "Wait X seconds for the answer to each request" \
    }
#define MYHA_FENCE_OPT_POWER_TIMEOUT                                 \
    {                                                                \
        .name = "power_timeout", .long_opt = "power-timeout",        \
        .metavar = "[seconds]", .type = myha_fence_second,           \
        .default_value = "20",                                       \
        .shortdesc = "Test X seconds for status change after ON/OFF" \
    }
#define MYHA_FENCE_OPT_POWER_WAIT                          \
    {                                                      \
        .name = "power_wait", .long_opt = "power-wait",    \
        .metavar = "[seconds]", .type = myha_fence_second, \
        .default_value = "0",                              \
        .shortdesc = "Wait X seconds after issuing ON/OFF" \
    }
#define MYHA_FENCE_OPT_STATUS_SLEEP                                           \
    {                                                                         \
        .name = "stonith_status_sleep", .long_opt = "stonith-status-sleep",   \
        .metavar = "[seconds]", .type = myha_fence_second,                    \
        .default_value = "1",                                                 \
        .shortdesc = "Sleep X seconds between status calls during a STONITH " \
                     "action"                                                 \
    }
#define MYHA_FENCE_OPT_RETRY_ON                                              \
    {                                                                        \
        .name = "retry_on", .long_opt = "retry-on", .metavar = "[attempts]", \
        .type = myha_fence_integer, .default_value = "1",                    \
        .shortdesc = "Count of attempts to retry power on"                   \
    }

//! Power state of a plug
enum myha_fence_power {
    myha_fence_power_unknown = 0,
    myha_fence_power_on,
    myha_fence_power_off,
};

/*!
 * \brief Receive one plug of a device's list
 *
 * \param[in] data   Caller's data
 * \param[in] id     Plug identifier (e.g. a VM id)
 * \param[in] alias  Plug name, or NULL
 * \param[in] power  Its power state, if the list knows it
 */
typedef void (*myha_fence_list_fn_t)(void *data, const char *id,
                                     const char *alias,
                                     enum myha_fence_power power);

struct myha_fence_opts;

/*!
 * \brief What an agent does on its device
 *
 * Each function returns 0 or a result code, and on failure may set
 * *ret_reason to an allocated text that names what failed (caller frees).
 */
struct myha_fence_ops {
    //! Connect and authenticate; password may be NULL if none was given
    int (*login)(void *ctx, const struct myha_fence_opts *opts,
                 const char *password, char **ret_reason);
    //! Read the power state of a plug
    int (*get_power)(void *ctx, const char *plug,
                     enum myha_fence_power *ret_power, char **ret_reason);
    //! Ask for a power state (the runner verifies it)
    int (*set_power)(void *ctx, const char *plug, enum myha_fence_power power,
                     char **ret_reason);
    //! List plugs (multi-port devices), or NULL for a single-port device
    int (*list)(void *ctx, myha_fence_list_fn_t emit, void *emit_data,
                char **ret_reason);
    //! Disconnect and free what login allocated (may be NULL)
    void (*logout)(void *ctx);
};

//! A fence agent: its description, option table and operations
struct myha_fence_agent {
    const char *name;                  //!< Program name, e.g. "fence_proxmox"
    const char *version;               //!< Shown by -V
    const char *shortdesc;             //!< One line
    const char *longdesc;              //!< Full description
    const char *vendor_url;            //!< Device vendor's web site
    const struct myha_fence_opt *opts; //!< Option table
    size_t n_opts;                     //!< Entries in opts
    const struct myha_fence_ops *ops;  //!< Device operations
};

// lib/fence_opts.c
int myha_fence_opts_parse(const struct myha_fence_agent *agent, int argc,
                          char **argv, FILE *in,
                          struct myha_fence_opts **ret_opts, char **ret_reason);
void myha_fence_opts_free(struct myha_fence_opts *opts);
const char *myha_fence_opts_str(const struct myha_fence_opts *opts,
                                const char *name);
long long myha_fence_opts_num(const struct myha_fence_opts *opts,
                              const char *name);
bool myha_is_fence_opt_set(const struct myha_fence_opts *opts,
                           const char *name);
const char *myha_fence_opts_action(const struct myha_fence_opts *opts);
const char *myha_fence_opts_plug(const struct myha_fence_opts *opts);
size_t myha_fence_opts_n_ignored(const struct myha_fence_opts *opts);
const char *myha_fence_opts_ignored(const struct myha_fence_opts *opts,
                                    size_t idx);
int myha_fence_opts_validate(const struct myha_fence_opts *opts,
                             char **ret_reason);
char *myha_fence_opt_getopt(const struct myha_fence_opt *opt);
void myha_fence_usage(const struct myha_fence_agent *agent, FILE *out);

// lib/fence_passwd.c
int myha_fence_password(const struct myha_fence_opts *opts, char **ret_password,
                        char **ret_reason);
void myha_fence_password_free(char *password);

// lib/fence_meta.c
int myha_fence_metadata_xml(const struct myha_fence_agent *agent,
                            char **ret_xml);

// lib/fence.c
bool myha_is_fence_action_local(const char *action);
int myha_fence_log_init(const struct myha_fence_agent *agent,
                        const struct myha_fence_opts *opts);
int myha_fence_run(const struct myha_fence_agent *agent,
                   const struct myha_fence_opts *opts, void *ctx, FILE *out,
                   enum myha_fence_power *ret_power, char **ret_reason);
int myha_fence_exit_status(const char *action, int rc,
                           enum myha_fence_power power);
int myha_fence_main(const struct myha_fence_agent *agent, void *ctx, int argc,
                    char **argv);

#endif // MYHA_FENCE__H
