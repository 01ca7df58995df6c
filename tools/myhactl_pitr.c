/*
 * myhactl pitr: run the agent's pitr action on this node with the
 * resource's parameters from the CIB, Pacemaker kept from acting on the
 * resource meanwhile, then say how to promote the result.
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <myha/rc.h>
#include <myha/spawn.h>
#include <myha/str.h>

#include "myhactl.h"

extern char **environ;

//! Signal that interrupted us, 0 if none
static volatile sig_atomic_t interrupted;

//! The running agent, 0 when none
static volatile pid_t agent_pid;

static void
on_signal(int sig)
{
    interrupted = sig;
    if (agent_pid > 0) {
        kill(agent_pid, sig); // it cleans up and reports; we then restore
    }
}

/* A signal is forwarded to the agent, which stops the replay cleanly;
 * we wait for it and restore is-managed: a second signal does the same
 * again.  SIGPIPE is ignored: with stderr piped into a pager or tee that
 * went, we must still restore is-managed.
 */
static void
catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal; // no SA_RESTART: waits return early
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    sigaddset(&sa.sa_mask, SIGHUP);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

// Whether an environment entry is one that we set for the agent
static bool
is_ocf_entry(const char *entry)
{
    return (strncmp(entry, "OCF_RESKEY_", 11) == 0)
           || (strncmp(entry, "OCF_RESOURCE_", 13) == 0)
           || (strncmp(entry, "OCF_ROOT=", 9) == 0);
}

static const char *
ocf_root(void)
{
    const char *root = getenv("OCF_ROOT");

    return ((root != NULL) && (*root != '\0')) ? root : MYHA_OCF_ROOT;
}

//! pitr_* parameters taken from the command line
struct pitr_param {
    const char *name;
    const char *value;
};

/* The agent's environment: ours without OCF variables, then the OCF
 * environment of the resource and the pitr parameters.  Secrets from the
 * CIB (replication_passwd) are passed here, never in argv.
 */
static char **
agent_env(const struct myhactl_rsc *rsc, const struct pitr_param *pitr,
          size_t n_pitr)
{
    size_t n_env = 0;
    size_t i = 0;
    char **env = NULL;
    bool ok = true;

    while (environ[n_env] != NULL) {
        n_env++;
    }
    env = calloc(n_env + rsc->n_params + n_pitr + 5, sizeof(*env));
    if (env == NULL) {
        return NULL;
    }
    for (size_t j = 0; ok && (j < n_env); j++) {
        if (!is_ocf_entry(environ[j])) {
            ok = ((env[i++] = strdup(environ[j])) != NULL);
        }
    }
    env[i++] = myha_str_printf("OCF_ROOT=%s", ocf_root());
    env[i++] = myha_str_printf("OCF_RESOURCE_INSTANCE=%s", rsc->id);
    env[i++] = myha_str_printf("OCF_RESOURCE_TYPE=%s", rsc->type);
    env[i++] = myha_str_printf("OCF_RESOURCE_PROVIDER=%s", rsc->provider);
    for (size_t j = 0; j < rsc->n_params; j++) {
        if (strncmp(rsc->params[j].name, "pitr_", 5) != 0) {
            env[i++] = myha_str_printf("OCF_RESKEY_%s=%s", rsc->params[j].name,
                                       rsc->params[j].value);
        }
    }
    for (size_t j = 0; j < n_pitr; j++) {
        if (pitr[j].value != NULL) {
            env[i++] = myha_str_printf("OCF_RESKEY_%s=%s", pitr[j].name,
                                       pitr[j].value);
        }
    }
    for (size_t j = 0; j < i; j++) {
        ok = ok && (env[j] != NULL);
    }
    if (!ok) {
        for (size_t j = 0; j < i; j++) {
            free(env[j]);
        }
        free(env);
        return NULL;
    }
    return env;
}

static void
free_env(char **env)
{
    for (size_t i = 0; (env != NULL) && (env[i] != NULL); i++) {
        free(env[i]);
    }
    free(env);
}

/* Run the agent's pitr action, its stdout and stderr on our stderr (where
 * its progress shows); returns its exit status, or -1 if it did not run
 */
static int
run_agent(const struct myhactl_rsc *rsc, char **env)
{
    char *path = myha_str_printf("%s/resource.d/%s/%s", ocf_root(),
                                 rsc->provider, rsc->type);
    const char *argv[] = { path, "pitr", NULL };
    struct myha_spawn_opts opts = {
        .argv = argv,
        .envp = (const char *const *) env,
        .out = myha_spawn_out_file,
        .err = myha_spawn_out_file,
        .out_path = "/dev/stderr",
        .err_path = "/dev/stderr",
        /* Out of the terminal's process group: Ctrl-C reaches the agent
         * once, forwarded by us, and never its children (mariadb-backup)
         */
        .new_session = true,
    };
    struct myha_child *child = NULL;
    struct myha_child_status cs;
    int status = -1;
    int rc = 0;

    if (path == NULL) {
        fprintf(stderr, "myhactl: out of memory\n");
        return -1;
    }
    rc = myha_spawn_start(&opts, &child);
    if (rc != 0) {
        // stderr is not reopenable (a socket): collect, then show
        opts.out = myha_spawn_out_capture;
        opts.err = myha_spawn_out_capture;
        rc = myha_spawn_start(&opts, &child);
    }
    if (rc != 0) {
        fprintf(stderr, "myhactl: cannot run agent '%s': %s\n", path,
                myha_rc_str(rc));
        free(path);
        return -1;
    }
    agent_pid = myha_child_pid(child);
    if (interrupted != 0) { // came before agent_pid was set
        kill(agent_pid, (int) interrupted);
    }
    do {
        rc = myha_child_wait(child, -1, &cs);
    } while (rc == EINTR);
    agent_pid = 0;
    if (opts.err == myha_spawn_out_capture) {
        for (int stream = 1; stream <= 2; stream++) {
            char *text = NULL;
            size_t len = 0;

            if (myha_child_output(child, stream, &text, &len) == 0) {
                fwrite(text, 1, len, stderr);
                free(text);
            }
        }
    }
    if (rc == 0) {
        status = cs.signaled ? 128 + cs.signal : cs.exit_code;
    } else {
        fprintf(stderr, "myhactl: waiting for agent '%s': %s\n", path,
                myha_rc_str(rc));
    }
    myha_child_free(child);
    free(path);
    return status;
}

static void
print_promote_hint(const struct myhactl_rsc *rsc, const char *node)
{
    const char *r = (rsc->clone_id != NULL) ? rsc->clone_id : rsc->id;

    printf("pitr done on node %s: resource '%s' there is read-only, not "
           "replicating, ready to be promoted.\n"
           "To promote it (pcs 0.11 removes its move constraint itself):\n"
           "    pcs resource move %s %s --promoted\n"
           "or, with Pacemaker's tools (then clear the constraint):\n"
           "    crm_resource --resource %s --move --promoted --node %s\n"
           "    crm_resource --resource %s --clear\n"
           "Promoted, it takes nothing from the other nodes: they hold the "
           "history this\n"
           "recovery replaced, are marked stale (node attribute "
           "myha-%s-stale) and\n"
           "replicate from nobody until re-provisioned from it. To discard "
           "the recovery\n"
           "instead, remove myha-%s.pitr-done from the datadir of node %s "
           "and re-provision it.\n",
           node, rsc->id, r, node, r, node, r, rsc->id, rsc->id, node);
}

// Check the command line of pitr
static bool
is_pitr_args_valid(const struct myhactl_args *args)
{
    const char *missing = (args->resource == NULL) ? "--resource"
                          : (args->node == NULL)   ? "--node"
                          : (args->source == NULL) ? "--source"
                                                   : NULL;
    int targets = (args->until_gtid != NULL) + (args->until_time != NULL)
                  + (args->skip_gtid != NULL);
    long long n = 0;

    if (missing != NULL) {
        fprintf(stderr, "myhactl pitr: %s is required (see myhactl --help)\n",
                missing);
        return false;
    }
    if (targets > 1) {
        fprintf(stderr, "myhactl pitr: give at most one of --until-gtid, "
                        "--until-time and --skip-gtid\n");
        return false;
    }
    if ((args->parallel != NULL)
        && ((myha_str_to_ll(args->parallel, &n) != 0) || (n < 0))) {
        fprintf(stderr,
                "myhactl pitr: --parallel '%s' is not a number of "
                "threads\n",
                args->parallel);
        return false;
    }
    return true;
}

/*!
 * \brief myhactl pitr: point-in-time recovery of a resource on this node
 *
 * \param[in] args  Command line
 *
 * \return enum myhactl_exit, or the agent's exit status when it failed
 */
int
myhactl_pitr(const struct myhactl_args *args)
{
    const struct pitr_param pitr[] = {
        { "pitr_source", args->source },
        { "pitr_backup", args->backup },
        { "pitr_until_gtid", args->until_gtid },
        { "pitr_until_time", args->until_time },
        { "pitr_skip_gtid", args->skip_gtid },
        { "pitr_parallel_workers", args->parallel },
    };
    struct myhactl_rsc *rsc = NULL;
    char *local = NULL;
    char *err = NULL;
    char *managed = NULL;
    char **env = NULL;
    int status = MYHACTL_FAILED;
    int agent_status = -1; // the agent's exit status, -1 if it did not run
    int rc = 0;

    if (!is_pitr_args_valid(args)) {
        return MYHACTL_USAGE;
    }
    rc = myhactl_local_node(&local, &err);
    if (rc != 0) {
        fprintf(stderr, "myhactl: %s\n", err);
        goto out_free;
    }
    if (strcmp(local, args->node) != 0) {
        fprintf(stderr,
                "myhactl: this is node '%s': run myhactl on node %s (pitr "
                "replays on the node it runs on)\n",
                local, args->node);
        status = MYHACTL_REFUSED;
        goto out_free;
    }
    rc = myhactl_rsc_get(args->resource, &rsc, &err);
    if (rc != 0) {
        fprintf(stderr, "myhactl: %s\n", (err == NULL) ? myha_rc_str(rc) : err);
        goto out_free;
    }
    env = agent_env(rsc, pitr, sizeof(pitr) / sizeof(pitr[0]));
    if (env == NULL) {
        fprintf(stderr, "myhactl: out of memory\n");
        goto out_free;
    }

    catch_signals();
    rc = myhactl_meta_get(rsc->id, "is-managed", &managed);
    if (rc != 0) {
        fprintf(stderr,
                "myhactl: cannot read meta-attribute 'is-managed' "
                "of '%s': %s\n",
                rsc->id, myha_rc_str(rc));
        goto out_free;
    }
    rc = myhactl_meta_set(rsc->id, "is-managed", "false", &err);
    if (rc != 0) {
        fprintf(stderr, "myhactl: %s\n", err);
        goto out_restore_managed;
    }
    fprintf(stderr,
            "myhactl: resource '%s' unmanaged while pitr runs on %s "
            "(is-managed was %s)\n",
            rsc->id, local, (managed == NULL) ? "not set" : managed);
    if (interrupted == 0) {
        agent_status = run_agent(rsc, env);
        status = (agent_status == 0)  ? MYHACTL_OK
                 : (agent_status < 0) ? MYHACTL_FAILED
                                      : agent_status;
    }
    if (interrupted != 0) {
        if (agent_status == 0) {
            fprintf(stderr,
                    "myhactl: interrupted by signal %d (%s) when the agent "
                    "had finished the replay\n",
                    (int) interrupted, strsignal((int) interrupted));
        } else if (agent_status > 0) {
            fprintf(stderr,
                    "myhactl: interrupted by signal %d (%s): the agent "
                    "stopped with status %d, its reason above says where "
                    "the server is; to go on, run this myhactl pitr again "
                    "(leave out --backup or --skip-gtid where it says to "
                    "run pitr without pitr_backup or pitr_skip_gtid)\n",
                    (int) interrupted, strsignal((int) interrupted),
                    agent_status);
        } else {
            fprintf(stderr, "myhactl: interrupted by signal %d (%s)\n",
                    (int) interrupted, strsignal((int) interrupted));
        }
        status = MYHACTL_INTERRUPT;
    }

out_restore_managed:
    free(err);
    err = NULL;
    if (myhactl_meta_set(rsc->id, "is-managed", managed, &err) != 0) {
        fprintf(stderr,
                "myhactl: %s: restore it by hand (crm_resource --resource "
                "%s --meta %s is-managed%s%s)\n",
                err, rsc->id,
                (managed == NULL) ? "--delete-parameter" : "--set-parameter",
                (managed == NULL) ? "" : " --parameter-value ",
                (managed == NULL) ? "" : managed);
        status = MYHACTL_FAILED;
    } else {
        fprintf(stderr, "myhactl: is-managed of '%s' restored (%s)\n", rsc->id,
                (managed == NULL) ? "not set" : managed);
    }
    if (status == MYHACTL_OK) {
        print_promote_hint(rsc, local);
    }

out_free:
    free_env(env);
    free(managed);
    free(err);
    free(local);
    myhactl_rsc_free(rsc);
    return status;
}
