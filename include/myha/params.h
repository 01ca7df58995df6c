/*
 * Parameter tables: one static table per program describes every parameter
 * once; it generates the OCF meta-data, validates the environment and
 * supplies defaults.
 */
#ifndef MYHA_PARAMS__H
#define MYHA_PARAMS__H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

//! Type of a parameter's value
enum myha_param_type {
    myha_param_string,   //!< Any text (validator may restrict it)
    myha_param_integer,  //!< Decimal integer, bounded by min and max
    myha_param_boolean,  //!< true/false, yes/no, on/off, 1/0
    myha_param_duration, //!< Pacemaker duration ("30s", "2min"); value in ms
    myha_param_select,   //!< One of a fixed list of words
};

//! Flags of a parameter (bitwise OR)
enum myha_param_flags {
    myha_param_required = (UINT32_C(1) << 0),    //!< Must be set
    myha_param_reloadable = (UINT32_C(1) << 1),  //!< Changed by reload-agent
    myha_param_secret = (UINT32_C(1) << 2),      //!< Value never shown
    myha_param_action_only = (UINT32_C(1) << 3), //!< Used by one action only
};

/*!
 * \brief Extra check of a parameter value, after its type check
 *
 * \param[in]  value       The value (never NULL)
 * \param[out] ret_reason  On failure, an allocated reason naming the
 *                         problem (the caller prefixes the parameter name)
 *
 * \return 0, myha_rc_invalid (inherently wrong), myha_rc_local_config (wrong
 *         on this node), or myha_rc_not_installed
 */
typedef int (*myha_param_validator_fn_t)(const char *value, char **ret_reason);

//! One parameter of a program
struct myha_param {
    const char *name;           //!< As in OCF_RESKEY_<name>
    enum myha_param_type type;  //!< Value type
    const char *default_value;  //!< Default, or NULL for none
    uint32_t flags;             //!< Group of enum myha_param_flags
    const char *unique_group;   //!< OCF 1.1 unique-group, or NULL
    long long min;              //!< Integer/duration (ms) lower bound
    long long max;              //!< Upper bound; bounds apply if min < max
    const char *const *options; //!< Select: NULL-terminated word list
    const char *shortdesc;      //!< One line, no trailing period
    const char *longdesc;       //!< Full description
    myha_param_validator_fn_t validate; //!< Extra check, or NULL
};

//! One action advertised in meta-data
struct myha_action_meta {
    const char *name;     //!< Action name
    const char *timeout;  //!< Default timeout with unit, e.g. "120s"
    const char *interval; //!< Recurring interval with unit, or NULL
    const char *role;     //!< "Promoted" or "Unpromoted" for monitor, or NULL
    const char *depth;    //!< OCF_CHECK_LEVEL for monitor, or NULL
};

//! What an agent's meta-data says about it
struct myha_agent_meta {
    const char *name;      //!< Agent type, e.g. "mysql-repl"
    const char *version;   //!< Agent version
    const char *shortdesc; //!< One line
    const char *longdesc;  //!< Full description
    const struct myha_param *params;
    size_t n_params;
    const struct myha_action_meta *actions;
    size_t n_actions;
};

//! Flags of myha_params_load() (bitwise OR)
enum myha_params_load_flags {
    //! Check types and bounds only: no validators, so no file, user or
    //! program look-ups (for probes and other cheap, frequent actions)
    myha_params_skip_validators = (UINT32_C(1) << 0),
};

struct myha_params;

int myha_params_load(const struct myha_param *table, size_t n_params,
                     uint32_t flags, struct myha_params **ret_params,
                     char **ret_reason);
void myha_params_free(struct myha_params *params);
const char *myha_params_str(const struct myha_params *params, size_t idx);
long long myha_params_num(const struct myha_params *params, size_t idx);
bool myha_is_param_set(const struct myha_params *params, size_t idx);

int myha_metadata_xml(const struct myha_agent_meta *meta, char **ret_xml);

#endif // MYHA_PARAMS__H
