/*
 * Fence agent options: read from stdin (key=value lines, as the fencer
 * passes them) or from the command line (fence-agents' getopt names), both
 * driven by the agent's one option table.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <myha/fence.h>
#include <myha/rc.h>
#include <myha/str.h>

//! Actions every agent knows; "list" and "list-status" need ops->list
static const char *const known_actions[] = {
    "on",          "off",      "reboot",  "status",       "monitor", "list",
    "list-status", "metadata", "manpage", "validate-all", NULL,
};

struct myha_fence_opts {
    const struct myha_fence_agent *agent;
    char **values;  //!< One per option; NULL if not given
    char *action;   //!< Lower-case action, defaults applied
    char **ignored; //!< Unknown stdin keys (for a debug note)
    size_t n_ignored;
};

static void
free_secret(char *value)
{
    if (value != NULL) {
        explicit_bzero(value, strlen(value));
        free(value);
    }
}

/*!
 * \brief Free parsed options
 *
 * \param[in] opts  Options to free (may be NULL); secrets are wiped
 */
void
myha_fence_opts_free(struct myha_fence_opts *opts)
{
    if (opts == NULL) {
        return;
    }
    for (size_t i = 0; i < opts->agent->n_opts; i++) {
        free_secret(opts->values[i]);
    }
    for (size_t i = 0; i < opts->n_ignored; i++) {
        free(opts->ignored[i]);
    }
    free(opts->ignored);
    free(opts->values);
    free(opts->action);
    free(opts);
}

static ssize_t
find_opt(const struct myha_fence_agent *agent, const char *name)
{
    for (size_t i = 0; i < agent->n_opts; i++) {
        if (strcmp(agent->opts[i].name, name) == 0) {
            return (ssize_t) i;
        }
    }
    return -1;
}

// Compare a stdin key with a name, '-' and '_' being the same
static bool
is_same_key(const char *key, size_t key_len, const char *name)
{
    size_t i = 0;

    if ((name == NULL) || (strlen(name) != key_len)) {
        return false;
    }
    for (i = 0; i < key_len; i++) {
        char a = (key[i] == '-') ? '_' : key[i];
        char b = (name[i] == '-') ? '_' : name[i];

        if (a != b) {
            return false;
        }
    }
    return true;
}

// Index of the option a stdin key names (name, obsolete name or long name)
static ssize_t
find_key(const struct myha_fence_agent *agent, const char *key, size_t len)
{
    for (size_t i = 0; i < agent->n_opts; i++) {
        const struct myha_fence_opt *opt = &agent->opts[i];

        if (is_same_key(key, len, opt->name)
            || is_same_key(key, len, opt->obsolete)
            || is_same_key(key, len, opt->long_opt)) {
            return (ssize_t) i;
        }
    }
    return -1;
}

// Store a value (last one wins); 0 or ENOMEM
static int
set_value(struct myha_fence_opts *opts, size_t idx, const char *value,
          size_t len)
{
    char *copy = strndup(value, len);

    if (copy == NULL) {
        return ENOMEM;
    }
    free_secret(opts->values[idx]);
    opts->values[idx] = copy;
    return 0;
}

static int
add_ignored(struct myha_fence_opts *opts, const char *key, size_t len)
{
    char **more = NULL;
    char *copy = strndup(key, len);

    if (copy == NULL) {
        return ENOMEM;
    }
    more = reallocarray(opts->ignored, opts->n_ignored + 1, sizeof(char *));
    if (more == NULL) {
        free(copy);
        return ENOMEM;
    }
    opts->ignored = more;
    opts->ignored[opts->n_ignored++] = copy;
    return 0;
}

// Parse one stdin line (without its newline)
static int
parse_line(struct myha_fence_opts *opts, char *line)
{
    char *eq = NULL;
    char *end = NULL;
    ssize_t idx = -1;

    while (isspace((unsigned char) *line)) {
        line++;
    }
    end = line + strlen(line);
    while ((end > line) && isspace((unsigned char) end[-1])) {
        *--end = '\0';
    }
    if ((*line == '\0') || (*line == '#')) {
        return 0;
    }
    eq = strchr(line, '=');
    if (eq == NULL) {
        return add_ignored(opts, line, strlen(line));
    }
    idx = find_key(opts->agent, line, (size_t) (eq - line));
    if (idx < 0) {
        return add_ignored(opts, line, (size_t) (eq - line));
    }
    eq++;
    // fence-agents strips one pair of double quotes around a value
    if ((end - eq >= 2) && (*eq == '"') && (end[-1] == '"')) {
        eq++;
        end--;
    }
    return set_value(opts, (size_t) idx, eq, (size_t) (end - eq));
}

static int
parse_stdin(struct myha_fence_opts *opts, FILE *in)
{
    char *line = NULL;
    size_t size = 0;
    int rc = 0;

    if (in == NULL) {
        return 0;
    }
    while ((rc == 0) && (getline(&line, &size, in) >= 0)) {
        line[strcspn(line, "\n")] = '\0';
        rc = parse_line(opts, line);
    }
    if (line != NULL) {
        explicit_bzero(line, size);
        free(line);
    }
    return rc;
}

// Overwrite a secret in argv so that it leaves the process list
static void
wipe_arg(char *arg)
{
    memset(arg, 'x', strlen(arg));
}

static int
parse_argv(struct myha_fence_opts *opts, int argc, char **argv,
           char **ret_reason)
{
    const struct myha_fence_agent *agent = opts->agent;
    struct option *longopts = calloc(agent->n_opts + 1, sizeof(*longopts));
    char *shortopts = calloc(agent->n_opts * 2 + 2, 1);
    size_t n_short = 0;
    int rc = 0;
    int c = 0;
    int longidx = -1;

    if ((longopts == NULL) || (shortopts == NULL)) {
        rc = ENOMEM;
        goto out_free;
    }
    shortopts[n_short++] = ':'; // tell a missing argument from an unknown one
    for (size_t i = 0; i < agent->n_opts; i++) {
        const struct myha_fence_opt *opt = &agent->opts[i];
        bool has_arg =
            (opt->type != myha_fence_boolean) || (opt->metavar != NULL);

        longopts[i].name = opt->long_opt;
        longopts[i].has_arg = has_arg ? required_argument : no_argument;
        longopts[i].val = 0;
        if (opt->short_opt != 0) {
            shortopts[n_short++] = (char) opt->short_opt;
            if (has_arg) {
                shortopts[n_short++] = ':';
            }
        }
    }

    optind = 1;
    opterr = 0;
    while ((rc == 0)
           && ((c = getopt_long(argc, argv, shortopts, longopts, &longidx))
               != -1)) {
        ssize_t idx = -1;

        if ((c == '?') || (c == ':')) {
            char short_name[3] = { '-', (char) optopt, '\0' };
            const char *arg = ((optopt != 0) && (argv[optind - 1][1] != '-'))
                                  ? short_name
                                  : argv[optind - 1];

            *ret_reason =
                (c == ':') ? myha_str_printf("option '%s' needs a value", arg)
                           : myha_str_printf("unknown option '%s' (see "
                                             "--help)",
                                             arg);
            rc = myha_rc_invalid;
            break;
        }
        if (c == 0) {
            idx = longidx;
        } else {
            for (size_t i = 0; i < agent->n_opts; i++) {
                if (agent->opts[i].short_opt == c) {
                    idx = (ssize_t) i;
                    break;
                }
            }
        }
        if (idx < 0) {
            continue;
        }
        if ((agent->opts[idx].type == myha_fence_boolean)
            && (agent->opts[idx].metavar == NULL)) {
            rc = set_value(opts, (size_t) idx, "1", 1);
        } else {
            rc = set_value(opts, (size_t) idx, optarg, strlen(optarg));
            if ((agent->opts[idx].flags & myha_fence_secret) != 0) {
                wipe_arg(optarg);
            }
        }
    }
    if ((rc == 0) && (optind < argc)) {
        *ret_reason = myha_str_printf("unexpected argument '%s'", argv[optind]);
        rc = myha_rc_invalid;
    }

out_free:
    free(shortopts);
    free(longopts);
    return rc;
}

// Check the value of option idx against its type
static int
check_value(const struct myha_fence_opt *opt, const char *value,
            char **ret_reason)
{
    long long num = 0;
    bool flag = false;

    switch (opt->type) {
        case myha_fence_integer:
            if (myha_str_to_ll(value, &num) != 0) {
                *ret_reason = myha_str_printf("%s '%s' is not an integer",
                                              opt->name, value);
                return myha_rc_invalid;
            }
            break;
        case myha_fence_second:
            if (myha_str_to_msec(value, &num) != 0) {
                *ret_reason = myha_str_printf(
                    "%s '%s' is not a number of seconds", opt->name, value);
                return myha_rc_invalid;
            }
            break;
        case myha_fence_boolean:
            if (myha_str_to_bool(value, &flag) != 0) {
                *ret_reason = myha_str_printf("%s '%s' is not a boolean",
                                              opt->name, value);
                return myha_rc_invalid;
            }
            break;
        case myha_fence_select:
            for (size_t i = 0; opt->options[i] != NULL; i++) {
                if (strcmp(opt->options[i], value) == 0) {
                    return 0;
                }
            }
            *ret_reason = myha_str_printf("%s '%s' is not one of the allowed "
                                          "values",
                                          opt->name, value);
            return myha_rc_invalid;
        case myha_fence_string:
            break;
    }
    return 0;
}

static bool
is_known_action(const struct myha_fence_agent *agent, const char *action)
{
    if (((strcmp(action, "list") == 0) || (strcmp(action, "list-status") == 0))
        && ((agent->ops == NULL) || (agent->ops->list == NULL))) {
        return false;
    }
    for (size_t i = 0; known_actions[i] != NULL; i++) {
        if (strcmp(known_actions[i], action) == 0) {
            return true;
        }
    }
    return false;
}

// Set opts->action: the given one in lower case, or the table's default
static int
set_action(struct myha_fence_opts *opts, char **ret_reason)
{
    ssize_t idx = find_opt(opts->agent, "action");
    const char *action = "reboot";

    if (idx >= 0) {
        action = (opts->values[idx] != NULL)
                     ? opts->values[idx]
                     : opts->agent->opts[idx].default_value;
    }
    if (strcasecmp(action, "meta-data") == 0) { // OCF spelling
        action = "metadata";
    }
    opts->action = strdup(action);
    if (opts->action == NULL) {
        return ENOMEM;
    }
    for (char *p = opts->action; *p != '\0'; p++) {
        *p = (char) tolower((unsigned char) *p);
    }
    if (!is_known_action(opts->agent, opts->action)) {
        *ret_reason = myha_str_printf("unknown action '%s'", opts->action);
        return myha_rc_invalid;
    }
    return 0;
}

/*!
 * \brief Read an agent's options
 *
 * With command-line arguments (argc > 1) they are parsed with getopt and
 * stdin is not read, as fence-agents do; otherwise stdin is read as
 * "key=value" lines: blank lines and lines starting with '#' are skipped,
 * the last value of a key wins, a key may be an option's name, its
 * obsolete name or its long option name ('-' and '_' alike), one pair of
 * double quotes around a value is removed, and unknown keys are kept for a
 * debug note (myha_fence_opts_ignored()).  A secret given on the command
 * line is overwritten in argv once read.
 *
 * Values are checked against their types here; whether required options
 * are present is checked by myha_fence_opts_validate().
 *
 * \param[in]     agent       The agent (its option table)
 * \param[in]     argc        Argument count
 * \param[in,out] argv        Arguments (secrets are overwritten)
 * \param[in]     in          stdin, or NULL to read nothing
 * \param[out]    ret_opts    On success, the options (free with
 *                            myha_fence_opts_free())
 * \param[out]    ret_reason  On myha_rc_invalid, why (caller frees)
 *
 * \return 0, myha_rc_invalid, or ENOMEM
 */
int
myha_fence_opts_parse(const struct myha_fence_agent *agent, int argc,
                      char **argv, FILE *in, struct myha_fence_opts **ret_opts,
                      char **ret_reason)
{
    struct myha_fence_opts *opts = calloc(1, sizeof(*opts));
    int rc = ENOMEM;

    if (opts == NULL) {
        return ENOMEM;
    }
    opts->agent = agent;
    opts->values = calloc(agent->n_opts, sizeof(char *));
    if (opts->values == NULL) {
        goto out_free;
    }
    rc = (argc > 1) ? parse_argv(opts, argc, argv, ret_reason)
                    : parse_stdin(opts, in);
    if (rc != 0) {
        goto out_free;
    }
    rc = set_action(opts, ret_reason);
    if (rc != 0) {
        goto out_free;
    }
    // meta-data must always work, whatever else was passed
    if (!myha_is_fence_action_local(opts->action)) {
        for (size_t i = 0; i < agent->n_opts; i++) {
            if (opts->values[i] != NULL) {
                rc = check_value(&agent->opts[i], opts->values[i], ret_reason);
                if (rc != 0) {
                    goto out_free;
                }
            }
        }
    }
    *ret_opts = opts;
    return 0;

out_free:
    myha_fence_opts_free(opts);
    return rc;
}

/*!
 * \brief Check that the options an action needs are present
 *
 * Options flagged required must be set or have a default; "plug" (or
 * "nodename") only for actions on one plug; a password source only if the
 * table has a "password" option and the username is set.
 *
 * \param[in]  opts        Parsed options
 * \param[out] ret_reason  On failure, why (caller frees)
 *
 * \return 0 or myha_rc_invalid
 */
int
myha_fence_opts_validate(const struct myha_fence_opts *opts, char **ret_reason)
{
    const struct myha_fence_agent *agent = opts->agent;
    const char *action = opts->action;
    bool one_plug = (strcmp(action, "on") == 0) || (strcmp(action, "off") == 0)
                    || (strcmp(action, "reboot") == 0)
                    || (strcmp(action, "status") == 0);

    for (size_t i = 0; i < agent->n_opts; i++) {
        const struct myha_fence_opt *opt = &agent->opts[i];

        if (((opt->flags & myha_fence_required) == 0)
            || (opts->values[i] != NULL) || (opt->default_value != NULL)) {
            continue;
        }
        if (strcmp(opt->name, "plug") == 0) {
            if (one_plug && (myha_fence_opts_plug(opts) == NULL)) {
                *ret_reason = myha_str_printf("action '%s' needs plug (or "
                                              "nodename)",
                                              action);
                return myha_rc_invalid;
            }
            continue;
        }
        *ret_reason = myha_str_printf("option %s is required", opt->name);
        return myha_rc_invalid;
    }
    if ((find_opt(agent, "password") >= 0)
        && !myha_is_fence_opt_set(opts, "password")
        && !myha_is_fence_opt_set(opts, "password_script")
        && !myha_is_fence_opt_set(opts, "password_file")) {
        *ret_reason = myha_str_printf("no password: set password_script, "
                                      "password_file or password");
        return myha_rc_invalid;
    }
    return 0;
}

/*!
 * \brief Get an option's value
 *
 * \param[in] opts  Parsed options
 * \param[in] name  Option name (as in the table)
 *
 * \return The value given, else the default, else NULL
 */
const char *
myha_fence_opts_str(const struct myha_fence_opts *opts, const char *name)
{
    ssize_t idx = find_opt(opts->agent, name);

    if (idx < 0) {
        return NULL;
    }
    return (opts->values[idx] != NULL) ? opts->values[idx]
                                       : opts->agent->opts[idx].default_value;
}

/*!
 * \brief Get a numeric option's value
 *
 * \param[in] opts  Parsed options (types already checked)
 * \param[in] name  Option name
 *
 * \return Integers as they are, seconds in milliseconds, booleans as 1 or
 *         0; 0 if unset without default
 */
long long
myha_fence_opts_num(const struct myha_fence_opts *opts, const char *name)
{
    ssize_t idx = find_opt(opts->agent, name);
    const char *value = myha_fence_opts_str(opts, name);
    long long num = 0;
    bool flag = false;

    if ((idx < 0) || (value == NULL)) {
        return 0;
    }
    switch (opts->agent->opts[idx].type) {
        case myha_fence_second:
            return (myha_str_to_msec(value, &num) == 0) ? num : 0;
        case myha_fence_boolean:
            return ((myha_str_to_bool(value, &flag) == 0) && flag) ? 1 : 0;
        default:
            return (myha_str_to_ll(value, &num) == 0) ? num : 0;
    }
}

/*!
 * \brief Check whether an option was given (defaults do not count)
 *
 * \param[in] opts  Parsed options
 * \param[in] name  Option name
 *
 * \return true if it was given with a non-empty value
 */
bool
myha_is_fence_opt_set(const struct myha_fence_opts *opts, const char *name)
{
    ssize_t idx = find_opt(opts->agent, name);

    return (idx >= 0) && (opts->values[idx] != NULL)
           && (opts->values[idx][0] != '\0');
}

/*!
 * \brief Get the action: lower case, "meta-data" spelled "metadata"
 *
 * \param[in] opts  Parsed options
 *
 * \return The action (owned by opts)
 */
const char *
myha_fence_opts_action(const struct myha_fence_opts *opts)
{
    return opts->action;
}

/*!
 * \brief Get the plug to act on: "plug" (or "port"), else "nodename"
 *
 * \param[in] opts  Parsed options
 *
 * \return The plug (owned by opts), or NULL if neither is set
 */
const char *
myha_fence_opts_plug(const struct myha_fence_opts *opts)
{
    if (myha_is_fence_opt_set(opts, "plug")) {
        return myha_fence_opts_str(opts, "plug");
    }
    if (myha_is_fence_opt_set(opts, "nodename")) {
        return myha_fence_opts_str(opts, "nodename");
    }
    return NULL;
}

/*!
 * \brief Count the stdin keys that were ignored as unknown
 *
 * \param[in] opts  Parsed options
 *
 * \return Their number
 */
size_t
myha_fence_opts_n_ignored(const struct myha_fence_opts *opts)
{
    return opts->n_ignored;
}

/*!
 * \brief Get an ignored stdin key (the key only, never its value)
 *
 * \param[in] opts  Parsed options
 * \param[in] idx   Index below myha_fence_opts_n_ignored()
 *
 * \return The key (owned by opts)
 */
const char *
myha_fence_opts_ignored(const struct myha_fence_opts *opts, size_t idx)
{
    return (idx < opts->n_ignored) ? opts->ignored[idx] : NULL;
}

/*!
 * \brief Describe an option's command-line form, as fence-agents' getopt
 *        "mixed" attribute does ("-n, --plug=[id]", "--ssl-insecure")
 *
 * \param[in] opt  The option
 *
 * \return The text (caller frees), or NULL on allocation failure
 */
char *
myha_fence_opt_getopt(const struct myha_fence_opt *opt)
{
    const char *eq = (opt->metavar != NULL) ? "=" : "";
    const char *metavar = (opt->metavar != NULL) ? opt->metavar : "";

    if (opt->short_opt != 0) {
        return myha_str_printf("-%c, --%s%s%s", opt->short_opt, opt->long_opt,
                               eq, metavar);
    }
    return myha_str_printf("--%s%s%s", opt->long_opt, eq, metavar);
}

/*!
 * \brief Print the agent's usage, generated from its option table
 *
 * \param[in] agent  The agent
 * \param[in] out    Where to print
 */
void
myha_fence_usage(const struct myha_fence_agent *agent, FILE *out)
{
    fprintf(out, "Usage:\n\t%s [options]\nOptions:\n", agent->name);
    for (size_t i = 0; i < agent->n_opts; i++) {
        char *spec = myha_fence_opt_getopt(&agent->opts[i]);

        if (spec == NULL) {
            return;
        }
        fprintf(out, "   %-32s %s\n", spec, agent->opts[i].shortdesc);
        free(spec);
    }
    fprintf(out, "\nWith no options, %s reads name=value lines from stdin.\n",
            agent->name);
}
