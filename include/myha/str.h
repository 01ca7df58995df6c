/*
 * Checked conversions of text to numbers and booleans, and formatted
 * allocation.
 */
#ifndef MYHA_STR__H
#define MYHA_STR__H

#include <stdbool.h>
#include <stddef.h>

//! A string built piece by piece; zero-initialise.  After a failure
//! (out of memory) every further append does nothing.
struct myha_strbuf {
    char *s;     //!< The text so far (NULL until something is appended)
    size_t len;  //!< Its length
    size_t cap;  //!< Allocated bytes
    bool failed; //!< An append failed
};

int myha_str_to_ll(const char *text, long long *ret_value);
int myha_str_to_bool(const char *text, bool *ret_value);
int myha_str_to_msec(const char *text, long long *ret_msec);
char *myha_str_printf(const char *format, ...)
    __attribute__((format(printf, 1, 2)));
void myha_strbuf_printf(struct myha_strbuf *sb, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
char *myha_strbuf_finish(struct myha_strbuf *sb);

#endif // MYHA_STR__H
