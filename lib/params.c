/*
 * Parameter tables: reading OCF_RESKEY_* through a program's table, type
 * checks, bounds, defaults and per-parameter validators.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qb/qblog.h>

#include <myha/ocf.h>
#include <myha/params.h>
#include <myha/rc.h>
#include <myha/str.h>

struct param_value {
    const char *text; // Points into the environment or the table
    long long num;    // Parsed value of numeric, boolean and select types
    bool set;         // Given by the user (not the default)
};

struct myha_params {
    const struct myha_param *table;
    size_t n_params;
    struct param_value *values;
};

// Allocate "parameter '<name>' <reason>", consuming reason
static char *
param_reason(const struct myha_param *param, char *reason)
{
    char *full = myha_str_printf("parameter '%s' %s", param->name,
                                 (reason == NULL) ? "is invalid" : reason);

    free(reason);
    return full;
}

// Describe a value for a message, hiding secrets
static const char *
shown(const struct myha_param *param, const char *text)
{
    return ((param->flags & myha_param_secret) != 0) ? "(hidden)" : text;
}

static bool
is_out_of_bounds(const struct myha_param *param, long long num)
{
    return (param->min < param->max)
           && ((num < param->min) || (num > param->max));
}

// "must be one of 'a', 'b', not 'x'"
static char *
select_reason(const struct myha_param *param, const char *text)
{
    char *reason = myha_str_printf("must be one of");

    for (size_t i = 0; (reason != NULL) && (param->options[i] != NULL); i++) {
        char *longer = myha_str_printf("%s%s '%s'", reason, (i == 0) ? "" : ",",
                                       param->options[i]);

        free(reason);
        reason = longer;
    }
    if (reason != NULL) {
        char *longer =
            myha_str_printf("%s, not '%s'", reason, shown(param, text));

        free(reason);
        reason = longer;
    }
    return reason;
}

/* Parse and type-check one value.  On failure, return myha_rc_invalid and
 * set *reason to an allocated description (without the parameter name).
 */
static int
parse_value(const struct myha_param *param, const char *text, long long *num,
            char **reason)
{
    bool b = false;

    switch (param->type) {
        case myha_param_string:
            return 0;

        case myha_param_boolean:
            if (myha_str_to_bool(text, &b) != 0) {
                *reason = myha_str_printf("must be a boolean (true or false), "
                                          "not '%s'",
                                          shown(param, text));
                return myha_rc_invalid;
            }
            *num = b;
            return 0;

        case myha_param_integer:
            if (myha_str_to_ll(text, num) != 0) {
                *reason = myha_str_printf("must be a whole number, not '%s'",
                                          shown(param, text));
                return myha_rc_invalid;
            }
            if (is_out_of_bounds(param, *num)) {
                *reason =
                    myha_str_printf("must be between %lld and %lld, "
                                    "not '%s'",
                                    param->min, param->max, shown(param, text));
                return myha_rc_invalid;
            }
            return 0;

        case myha_param_duration:
            if (myha_str_to_msec(text, num) != 0) {
                *reason = myha_str_printf("must be a duration such as '30s' "
                                          "or '2min', not '%s'",
                                          shown(param, text));
                return myha_rc_invalid;
            }
            if (is_out_of_bounds(param, *num)) {
                *reason = myha_str_printf("must be between %llds and %llds, "
                                          "not '%s'",
                                          param->min / 1000, param->max / 1000,
                                          shown(param, text));
                return myha_rc_invalid;
            }
            return 0;

        case myha_param_select:
            for (long long i = 0; param->options[i] != NULL; i++) {
                if (strcmp(param->options[i], text) == 0) {
                    *num = i;
                    return 0;
                }
            }
            *reason = select_reason(param, text);
            return myha_rc_invalid;
    }
    return myha_rc_invalid;
}

/*!
 * \brief Read, check and default every parameter of a program
 *
 * For each table entry, reads OCF_RESKEY_<name>; an empty value counts as
 * unset.  Unset parameters take their default.  Checks, in table order:
 * required parameters are set, values (defaults included) have their type
 * and bounds and pass the entry's validator.  Stops at the first failure.
 *
 * \param[in]  table       Parameter table
 * \param[in]  n_params    Entries in \p table
 * \param[in]  flags       Group of enum myha_params_load_flags
 * \param[out] ret_params  On success, the values (free with
 *                         myha_params_free()); the table must outlive them
 * \param[out] ret_reason  On failure, an allocated reason naming the
 *                         parameter (caller frees); secrets are not shown
 *
 * \return 0, ENOMEM, or the failing check's rc: myha_rc_invalid,
 *         myha_rc_local_config or myha_rc_not_installed
 */
int
myha_params_load(const struct myha_param *table, size_t n_params,
                 uint32_t flags, struct myha_params **ret_params,
                 char **ret_reason)
{
    struct myha_params *params = calloc(1, sizeof(*params));
    char *reason = NULL;
    int rc = 0;

    if (params == NULL) {
        return ENOMEM;
    }
    params->table = table;
    params->n_params = n_params;
    params->values = calloc(n_params, sizeof(*params->values));
    if (params->values == NULL) {
        rc = ENOMEM;
        goto out_free_params;
    }

    for (size_t i = 0; i < n_params; i++) {
        const struct myha_param *param = &table[i];
        struct param_value *v = &params->values[i];

        v->text = myha_ocf_var_get(myha_ocf_param, param->name);
        v->set = (v->text != NULL);
        if (!v->set) {
            v->text = param->default_value;
        }
        if (v->text == NULL) {
            if ((param->flags & myha_param_required) != 0) {
                rc = myha_rc_invalid;
                reason = param_reason(param, strdup("is required but not set"));
                goto out_free_params;
            }
            continue;
        }
        rc = parse_value(param, v->text, &v->num, &reason);
        if ((rc == 0) && (param->validate != NULL)
            && ((flags & myha_params_skip_validators) == 0)) {
            rc = param->validate(v->text, &reason);
        }
        if (rc != 0) {
            qb_log(LOG_DEBUG, "parameter %s rejected: %s", param->name,
                   myha_rc_str(rc));
            reason = param_reason(param, reason);
            goto out_free_params;
        }
    }
    *ret_params = params;
    return 0;

out_free_params:
    myha_params_free(params);
    if ((ret_reason != NULL) && (reason != NULL)) {
        *ret_reason = reason;
    } else {
        free(reason);
    }
    return rc;
}

/*!
 * \brief Free parameter values
 *
 * \param[in,out] params  Values from myha_params_load(), or NULL
 */
void
myha_params_free(struct myha_params *params)
{
    if (params != NULL) {
        free(params->values);
        free(params);
    }
}

/*!
 * \brief Get a parameter's text
 *
 * \param[in] params  Values from myha_params_load()
 * \param[in] idx     Index of the parameter in its table
 *
 * \return The value or default, or NULL if neither exists
 * \note The result must not be freed; it lives as long as the environment.
 */
const char *
myha_params_str(const struct myha_params *params, size_t idx)
{
    return (idx < params->n_params) ? params->values[idx].text : NULL;
}

/*!
 * \brief Get a parameter's parsed number
 *
 * \param[in] params  Values from myha_params_load()
 * \param[in] idx     Index of the parameter in its table
 *
 * \return For an integer its value, for a duration milliseconds, for a
 *         boolean 1 or 0, for a select the index of the chosen word; 0 if
 *         unset or a string
 */
long long
myha_params_num(const struct myha_params *params, size_t idx)
{
    return (idx < params->n_params) ? params->values[idx].num : 0;
}

/*!
 * \brief Check whether the user set a parameter (rather than its default)
 *
 * \param[in] params  Values from myha_params_load()
 * \param[in] idx     Index of the parameter in its table
 *
 * \return true if OCF_RESKEY_<name> was set and non-empty
 */
bool
myha_is_param_set(const struct myha_params *params, size_t idx)
{
    return (idx < params->n_params) && params->values[idx].set;
}
