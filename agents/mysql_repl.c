/*
 * ocf:myha:mysql-repl: entry point and action dispatch.
 */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <myha/log.h>
#include <myha/ocf.h>
#include <myha/params.h>
#include <myha/rc.h>

#include "mysql_repl.h"

struct agent {
    const char *action;
    struct myha_params *params;
};

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

/* Load and check every parameter.  On failure, log and write the exit
 * reason once, and return the OCF code for the kind of failure.
 */
static enum ocf_exitcode
load_params(struct agent *agent)
{
    char *reason = NULL;
    int rc = myha_params_load(mysql_repl_meta.params, mysql_repl_meta.n_params,
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

static enum ocf_exitcode
action_validate_all(void *ctx)
{
    return load_params(ctx);
}

static enum ocf_exitcode
action_not_yet(void *ctx)
{
    struct agent *agent = ctx;

    myha_ocf_exit_reason("action '%s' is not implemented in this build",
                         agent->action);
    return PCMK_OCF_UNIMPLEMENT_FEATURE;
}

static const struct myha_ocf_action actions[] = {
    { "meta-data", action_meta_data },  { "validate-all", action_validate_all },
    { "start", action_not_yet },        { "stop", action_not_yet },
    { "monitor", action_not_yet },      { "promote", action_not_yet },
    { "demote", action_not_yet },       { "notify", action_not_yet },
    { "reload-agent", action_not_yet },
};

static void
usage(FILE *out)
{
    fprintf(out, "usage: mysql-repl {");
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        fprintf(out, "%s%s", (i == 0) ? "" : "|", actions[i].name);
    }
    fprintf(out, "}\n\nOCF resource agent ocf:myha:mysql-repl. Parameters "
                 "come from OCF_RESKEY_* variables;\nsee 'mysql-repl "
                 "meta-data' or man 7 ocf_myha_mysql-repl.\n");
}

int
main(int argc, char **argv)
{
    struct agent agent = { NULL, NULL };
    enum ocf_exitcode status = PCMK_OCF_OK;

    if (argc != 2) {
        usage(stderr);
        return PCMK_OCF_INVALID_PARAM;
    }
    if ((strcmp(argv[1], "--help") == 0) || (strcmp(argv[1], "usage") == 0)) {
        usage(stdout);
        return PCMK_OCF_OK;
    }
    agent.action = argv[1];
    myha_log_init("mysql-repl");
    status = myha_ocf_dispatch(actions, sizeof(actions) / sizeof(actions[0]),
                               agent.action, &agent);
    myha_params_free(agent.params);
    myha_log_fini();
    return (int) status;
}
