/*
 * ocf:myha:mysql-repl: entry point, parameters, and the action table.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <myha/db.h>
#include <myha/log.h>
#include <myha/ocf.h>
#include <myha/params.h>
#include <myha/rc.h>
#include <myha/spawn.h>
#include <myha/str.h>
#include <myha/validate.h>

#include "mysql_repl.h"

#define DEFAULT_TIMEOUT_MS (120 * 1000LL) // When run by hand

static struct timespec action_started;

/*!
 * \brief Get a parameter's value (or default)
 *
 * \param[in] agent  Agent state with parameters loaded
 * \param[in] p      Which parameter
 *
 * \return The value, or NULL if unset without default
 */
const char *
agent_param(const struct agent *agent, enum mysql_repl_param p)
{
    return myha_params_str(agent->params, p);
}

/*!
 * \brief Time left before the action's timeout
 *
 * \param[in] agent  Agent state
 *
 * \return Milliseconds left (never negative)
 */
long long
agent_remaining_ms(const struct agent *agent)
{
    struct timespec now;
    long long used = 0;

    clock_gettime(CLOCK_MONOTONIC, &now);
    used = (now.tv_sec - action_started.tv_sec) * 1000LL
           + (now.tv_nsec - action_started.tv_nsec) / 1000000L;
    return (used >= agent->timeout_ms) ? 0 : agent->timeout_ms - used;
}

/* Load every parameter.  Frequent, cheap actions skip the validators (no
 * file, user or program look-ups); the others run them all.  On failure,
 * log and write the exit reason once.
 */
static enum ocf_exitcode
load_params(struct agent *agent, bool validate)
{
    char *reason = NULL;
    int rc = myha_params_load(mysql_repl_meta.params, mysql_repl_meta.n_params,
                              validate ? 0 : myha_params_skip_validators,
                              &agent->params, &reason);

    if (rc != 0) {
        const char *text = (reason == NULL) ? myha_rc_str(rc) : reason;

        qb_log(LOG_ERR, "%s " QB_XS " rc=%d", text, rc);
        myha_ocf_exit_reason("%s", text);
        free(reason);
        return myha_ocf_status_from_rc(rc);
    }
    return PCMK_OCF_OK;
}

/* Resolve the server binary (mariadbd, else mysqld for the default) and
 * tell its flavour from its --version output.
 */
static enum ocf_exitcode
resolve_binary(struct agent *agent)
{
    const char *binary = agent_param(agent, P_BINARY);
    const char *argv[] = { NULL, "--version", NULL };
    struct myha_spawn_opts opts = { .argv = argv,
                                    .out = myha_spawn_out_capture };
    struct myha_child_status cs;
    char *out = NULL;
    int rc = myha_program_find(binary, &agent->binary);

    if ((rc != 0) && !myha_is_param_set(agent->params, P_BINARY)) {
        rc = myha_program_find("mysqld", &agent->binary);
    }
    if (rc != 0) {
        myha_ocf_exit_reason("server binary '%s' is not installed", binary);
        return PCMK_OCF_NOT_INSTALLED;
    }
    argv[0] = agent->binary;
    rc = myha_spawn_run(&opts, 10000, &cs, &out, NULL);
    if (rc != 0) {
        myha_ocf_exit_reason("cannot run '%s --version': %s", agent->binary,
                             myha_rc_str(rc));
        free(out);
        return PCMK_OCF_NOT_INSTALLED;
    }
    agent->flavour = ((out != NULL) && (strstr(out, "MariaDB") != NULL))
                         ? myha_db_mariadb
                         : myha_db_mysql;
    free(out);
    return PCMK_OCF_OK;
}

static enum ocf_exitcode
action_meta_data(void *ctx)
{
    char *xml = NULL;
    int rc = myha_metadata_xml(&mysql_repl_meta, &xml);

    if (rc != 0) {
        myha_ocf_exit_reason("cannot generate meta-data: %s", myha_rc_str(rc));
        return PCMK_OCF_UNKNOWN_ERROR;
    }
    fputs(xml, stdout);
    free(xml);
    return PCMK_OCF_OK;
}

static enum ocf_exitcode
action_validate_all(void *ctx)
{
    struct agent *agent = ctx;
    return load_params(agent, true);
}

static enum ocf_exitcode
action_start(void *ctx)
{
    struct agent *agent = ctx;
    enum ocf_exitcode status = load_params(agent, true);

    if (status == PCMK_OCF_OK) {
        status = resolve_binary(agent);
    }
    if (status == PCMK_OCF_OK) {
        status = server_start(agent);
    }
    if ((status == PCMK_OCF_OK) && (server_connect(agent, NULL) == 0)) {
        role_follow_primary(agent);
    }
    return status;
}

static enum ocf_exitcode
action_stop(void *ctx)
{
    struct agent *agent = ctx;
    // Stop must work even where the configuration no longer validates
    enum ocf_exitcode status = load_params(agent, false);

    return (status == PCMK_OCF_OK) ? server_stop(agent) : status;
}

// Connect, or write an exit reason and return the failure
static enum ocf_exitcode
connect_or_fail(struct agent *agent)
{
    char *reason = NULL;
    int rc = server_connect(agent, &reason);

    if (rc == 0) {
        return PCMK_OCF_OK;
    }
    qb_log(LOG_ERR, "%s " QB_XS " rc=%d", reason, rc);
    myha_ocf_exit_reason("%s", (reason == NULL) ? myha_rc_str(rc) : reason);
    free(reason);
    return PCMK_OCF_UNKNOWN_ERROR;
}

static enum ocf_exitcode
action_monitor(void *ctx)
{
    struct agent *agent = ctx;
    enum ocf_exitcode status = load_params(agent, false);
    pid_t pid = 0;

    if (status != PCMK_OCF_OK) {
        return status;
    }
    if (server_running(agent, &pid) != 0) {
        return PCMK_OCF_NOT_RUNNING;
    }
    status = connect_or_fail(agent);
    return (status == PCMK_OCF_OK) ? role_monitor(agent) : status;
}

// Server running and connected; else the exit code
static enum ocf_exitcode
require_running(struct agent *agent)
{
    pid_t pid = 0;

    if (server_running(agent, &pid) != 0) {
        myha_ocf_exit_reason("cannot %s: the server is not running",
                             agent->action);
        return PCMK_OCF_NOT_RUNNING;
    }
    return connect_or_fail(agent);
}

// Parameters loaded, server running, connected; else the exit code
static enum ocf_exitcode
prepare_running(struct agent *agent, bool validate)
{
    enum ocf_exitcode status = load_params(agent, validate);

    return (status == PCMK_OCF_OK) ? require_running(agent) : status;
}

static enum ocf_exitcode
action_promote(void *ctx)
{
    struct agent *agent = ctx;
    enum ocf_exitcode status = prepare_running(agent, true);

    return (status == PCMK_OCF_OK) ? role_promote(agent) : status;
}

static enum ocf_exitcode
action_demote(void *ctx)
{
    struct agent *agent = ctx;
    enum ocf_exitcode status = prepare_running(agent, false);

    return (status == PCMK_OCF_OK) ? role_demote(agent) : status;
}

static enum ocf_exitcode
action_notify(void *ctx)
{
    struct agent *agent = ctx;
    enum ocf_exitcode status = load_params(agent, false);

    return (status == PCMK_OCF_OK) ? role_notify(agent) : status;
}

static enum ocf_exitcode
action_reload_agent(void *ctx)
{
    struct agent *agent = ctx;
    // Reloadable parameters are read afresh by every action
    return load_params(agent, true);
}

static enum ocf_exitcode
action_pitr(void *ctx)
{
    struct agent *agent = ctx;
    struct myha_pitr_target target;
    enum ocf_exitcode status = load_params(agent, true);

    // A bad target is reported even while the server is down
    if (status == PCMK_OCF_OK) {
        status = pitr_check_params(agent, &target);
    }
    if (status == PCMK_OCF_OK) {
        status = resolve_binary(agent); // pitr_backup restarts the server
    }
    if (status == PCMK_OCF_OK) {
        status = require_running(agent);
    }
    return (status == PCMK_OCF_OK) ? pitr_run(agent, &target) : status;
}

//! The agent's actions; each handler gets the struct agent
static const struct myha_ocf_action actions[] = {
    { "meta-data", action_meta_data },
    { "validate-all", action_validate_all },
    { "start", action_start },
    { "stop", action_stop },
    { "monitor", action_monitor },
    { "promote", action_promote },
    { "demote", action_demote },
    { "notify", action_notify },
    { "reload-agent", action_reload_agent },
    { "pitr", action_pitr },
};

#define N_ACTIONS (sizeof(actions) / sizeof(actions[0]))

static void
usage(FILE *out)
{
    fprintf(out, "usage: mysql-repl {");
    for (size_t i = 0; i < N_ACTIONS; i++) {
        fprintf(out, "%s%s", (i == 0) ? "" : "|", actions[i].name);
    }
    fprintf(out, "}\n\nOCF resource agent ocf:myha:mysql-repl. Parameters "
                 "come from OCF_RESKEY_* variables;\nsee 'mysql-repl "
                 "meta-data' or man 7 ocf_myha_mysql-repl.\n");
}

int
main(int argc, char **argv)
{
    struct agent agent = { .action = NULL };
    const char *timeout = myha_ocf_var_get(myha_ocf_meta, "timeout");
    enum ocf_exitcode status = PCMK_OCF_OK;

    if (argc != 2) {
        usage(stderr);
        return PCMK_OCF_INVALID_PARAM;
    }
    if ((strcmp(argv[1], "--help") == 0) || (strcmp(argv[1], "usage") == 0)) {
        usage(stdout);
        return PCMK_OCF_OK;
    }
    clock_gettime(CLOCK_MONOTONIC, &action_started);
    agent.action = argv[1];
    if ((timeout == NULL) || (myha_str_to_ll(timeout, &agent.timeout_ms) != 0)
        || (agent.timeout_ms <= 0)) {
        agent.timeout_ms = DEFAULT_TIMEOUT_MS;
    }
    myha_log_init("mysql-repl");
    status = myha_ocf_dispatch(actions, N_ACTIONS, agent.action, &agent);
    myha_db_free(agent.db);
    myha_cluster_free(agent.cluster);
    free(agent.local_node);
    free(agent.rsc);
    free(agent.binary);
    myha_params_free(agent.params);
    myha_log_fini();
    return (int) status;
}
