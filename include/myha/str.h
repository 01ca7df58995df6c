/*
 * Checked conversions of text to numbers and booleans, and formatted
 * allocation.
 */
#ifndef MYHA_STR__H
#define MYHA_STR__H

#include <stdbool.h>

int myha_str_to_ll(const char *text, long long *ret_value);
int myha_str_to_bool(const char *text, bool *ret_value);
int myha_str_to_msec(const char *text, long long *ret_msec);
char *myha_str_printf(const char *format, ...)
    __attribute__((format(printf, 1, 2)));

#endif // MYHA_STR__H
