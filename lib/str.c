/*
 * Checked conversions of text to numbers and booleans, shared by parameter
 * validation and everything that reads numbers from the environment.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <crm/common/util.h> // crm_str_to_boolean(), crm_get_msec()

#include <myha/rc.h>
#include <myha/str.h>

/*!
 * \brief Parse a whole string as a decimal integer
 *
 * \param[in]  text       Text to parse; surrounding blanks are not accepted
 * \param[out] ret_value  Where to store the value (only on success)
 *
 * \return 0 on success, myha_rc_parse if \p text is not an integer, or
 *         ERANGE if it does not fit in a long long
 */
int
myha_str_to_ll(const char *text, long long *ret_value)
{
    char *end = NULL;
    long long value = 0;

    if ((text == NULL) || (*text == '\0') || isspace((unsigned char) *text)) {
        return myha_rc_parse;
    }
    errno = 0;
    value = strtoll(text, &end, 10);
    if (errno == ERANGE) {
        return ERANGE;
    }
    if ((end == text) || (*end != '\0')) {
        return myha_rc_parse;
    }
    *ret_value = value;
    return 0;
}

/*!
 * \brief Parse a boolean the way Pacemaker does
 *
 * Accepts true/false, yes/no, on/off, y/n and 1/0, case-insensitively.
 *
 * \param[in]  text       Text to parse
 * \param[out] ret_value  Where to store the value (only on success)
 *
 * \return 0 on success, or myha_rc_parse
 */
int
myha_str_to_bool(const char *text, bool *ret_value)
{
    int value = 0;

    if ((text == NULL) || (crm_str_to_boolean(text, &value) != 1)) {
        return myha_rc_parse;
    }
    *ret_value = (value != 0);
    return 0;
}

/*!
 * \brief Parse a duration the way Pacemaker does ("90", "30s", "2min", ...)
 *
 * A number without a unit is seconds.  Units: ms, msec, us, usec, s, sec,
 * m, min, h, hr.
 *
 * \param[in]  text      Text to parse
 * \param[out] ret_msec  Where to store the duration in milliseconds (only on
 *                       success)
 *
 * \return 0 on success, or myha_rc_parse
 */
int
myha_str_to_msec(const char *text, long long *ret_msec)
{
    long long msec = 0;

    /* crm_get_msec() skips leading blanks and ignores trailing garbage after
     * a unit it does not know only partly; insist on a digit first.
     */
    if ((text == NULL) || !isdigit((unsigned char) *text)) {
        return myha_rc_parse;
    }
    msec = crm_get_msec(text);
    if (msec < 0) {
        return myha_rc_parse;
    }
    *ret_msec = msec;
    return 0;
}

/*!
 * \brief Format into a newly allocated string
 *
 * \param[in] format  printf-style format
 * \param[in] ...     Arguments for \p format
 *
 * \return The string (caller frees), or NULL if memory ran out
 */
char *
myha_str_printf(const char *format, ...)
{
    char *result = NULL;
    va_list ap;
    int rc = 0;

    va_start(ap, format);
    rc = vasprintf(&result, format, ap);
    va_end(ap);
    return (rc < 0) ? NULL : result;
}
