/*
 * The OCF resource agent API: the environment Pacemaker passes to an agent,
 * exit reasons, action dispatch, and the one mapping from libmyha result
 * codes to OCF exit codes.
 */
#ifndef MYHA_OCF__H
#define MYHA_OCF__H

#include <stdbool.h>
#include <stddef.h>

#include <crm/common/results.h> // enum ocf_exitcode, PCMK_OCF_*

//! Which family of OCF environment variable to read
enum myha_ocf_var {
    myha_ocf_param,  //!< OCF_RESKEY_<name>: resource parameter
    myha_ocf_meta,   //!< OCF_RESKEY_CRM_meta_<name>: meta-attribute
    myha_ocf_notify, //!< OCF_RESKEY_CRM_meta_notify_<name>: notify data
};

//! One entry of a program's action table
struct myha_ocf_action {
    const char *name;                    //!< Action name, matched exactly
    enum ocf_exitcode (*run)(void *ctx); //!< Handler; returns the exit code
};

const char *myha_ocf_var_get(enum myha_ocf_var var, const char *name);

void myha_ocf_exit_reason(const char *format, ...)
    __attribute__((format(printf, 1, 2)));

bool myha_is_ocf_probe(const char *action);

enum ocf_exitcode myha_ocf_dispatch(const struct myha_ocf_action *actions,
                                    size_t n_actions, const char *action,
                                    void *ctx);

enum ocf_exitcode myha_ocf_status_from_rc(int rc);

#endif // MYHA_OCF__H
