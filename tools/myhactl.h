/*
 * myhactl, the operator's command line: shared declarations of its files
 * (option table, commands, helpers that run cluster tools).
 */
#ifndef MYHACTL__H
#define MYHACTL__H

#include <stdbool.h>
#include <stddef.h>

//! Exit codes of myhactl
enum myhactl_exit {
    MYHACTL_OK = 0,         //!< Done
    MYHACTL_FAILED = 1,     //!< The operation failed
    MYHACTL_USAGE = 2,      //!< Bad command line
    MYHACTL_REFUSED = 3,    //!< Refused (wrong node, bad state)
    MYHACTL_INTERRUPT = 130 //!< Interrupted by a signal
};

//! Keys of the command-line options
enum myhactl_opt_key {
    O_HELP = 'h',
    O_VERSION = 'V',
    O_RESOURCE = 'r',
    O_NODE = 'N',
    O_SOURCE = 's',
    O_BACKUP = 'b',
    O_UNTIL_GTID = 256,
    O_UNTIL_TIME,
    O_SKIP_GTID,
    O_PARALLEL,
    O_MAN,
};

//! One command-line option; the table gives getopt, --help and the man page
struct myhactl_opt {
    const char *name;    //!< Long name
    int key;             //!< enum myhactl_opt_key (a letter: short name)
    const char *arg;     //!< Argument's name, or NULL for a flag
    const char *command; //!< Command it belongs to, or NULL for global
    const char *help;    //!< One sentence
};

//! Options of one invocation
struct myhactl_args {
    const char *resource;
    const char *node;
    const char *source;
    const char *backup;
    const char *until_gtid;
    const char *until_time;
    const char *skip_gtid;
    const char *parallel;
};

//! A parameter of the resource, from the CIB
struct myhactl_nvpair {
    char *name;
    char *value;
};

//! What myhactl needs to know of a resource
struct myhactl_rsc {
    char *id;       //!< Primitive id
    char *clone_id; //!< Id of its clone, or NULL
    char *provider; //!< OCF provider
    char *type;     //!< Agent type
    struct myhactl_nvpair *params;
    size_t n_params;
};

// myhactl_cib.c: running cluster tools, the CIB and the local node
int myhactl_run(const char *const *argv, char **ret_stdout, char **ret_stderr);

int myhactl_rsc_get(const char *id, struct myhactl_rsc **ret_rsc,
                    char **ret_err);
void myhactl_rsc_free(struct myhactl_rsc *rsc);
int myhactl_local_node(char **ret_node, char **ret_err);
int myhactl_meta_get(const char *rsc, const char *name, char **ret_value);
int myhactl_meta_set(const char *rsc, const char *name, const char *value,
                     char **ret_err);

// myhactl_pitr.c: the pitr command
int myhactl_pitr(const struct myhactl_args *args);

#endif // MYHACTL__H
