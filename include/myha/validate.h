/*
 * Reusable parameter validators (see myha_param_validator_fn_t) and the
 * program lookup they rely on.
 */
#ifndef MYHA_VALIDATE__H
#define MYHA_VALIDATE__H

#include <myha/params.h> // myha_param_validator_fn_t

int myha_validate_abs_path(const char *value, char **ret_reason);
int myha_validate_file(const char *value, char **ret_reason);
int myha_validate_dir(const char *value, char **ret_reason);
int myha_validate_user(const char *value, char **ret_reason);
int myha_validate_group(const char *value, char **ret_reason);
int myha_validate_program(const char *value, char **ret_reason);
int myha_validate_no_quotes(const char *value, char **ret_reason);

int myha_program_find(const char *name, char **ret_path);

#endif // MYHA_VALIDATE__H
