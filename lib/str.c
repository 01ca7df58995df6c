/*
 * Checked conversions of text to numbers and booleans, shared by parameter
 * validation and everything that reads numbers from the environment.
 *
 * Booleans and durations follow Pacemaker's syntax (crm_str_to_boolean(),
 * crm_get_msec()) but are parsed here: linking libcrmcommon costs every
 * agent invocation about 3.4 ms of library start-up, more than our whole
 * monitor action.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

static const char *const true_words[] = { "true", "on", "yes", "y", "1" };
static const char *const false_words[] = { "false", "off", "no", "n", "0" };

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
    if (text == NULL) {
        return myha_rc_parse;
    }
    for (size_t i = 0; i < sizeof(true_words) / sizeof(true_words[0]); i++) {
        if (strcasecmp(text, true_words[i]) == 0) {
            *ret_value = true;
            return 0;
        }
        if (strcasecmp(text, false_words[i]) == 0) {
            *ret_value = false;
            return 0;
        }
    }
    return myha_rc_parse;
}

//! Duration units Pacemaker accepts, as multiplier/divisor to milliseconds
static const struct {
    const char *unit;
    long long mul;
    long long div;
} duration_units[] = {
    { "", 1000, 1 },     { "s", 1000, 1 },     { "sec", 1000, 1 },
    { "ms", 1, 1 },      { "msec", 1, 1 },     { "us", 1, 1000 },
    { "usec", 1, 1000 }, { "m", 60000, 1 },    { "min", 60000, 1 },
    { "h", 3600000, 1 }, { "hr", 3600000, 1 },
};

/*!
 * \brief Parse a duration the way Pacemaker does ("90", "30s", "2min", ...)
 *
 * A number without a unit is seconds.  Units: ms, msec, us, usec, s, sec,
 * m, min, h, hr (case-insensitive).  Negative values are refused.
 *
 * \param[in]  text      Text to parse
 * \param[out] ret_msec  Where to store the duration in milliseconds (only on
 *                       success)
 *
 * \return 0 on success, myha_rc_parse, or ERANGE
 */
int
myha_str_to_msec(const char *text, long long *ret_msec)
{
    char *end = NULL;
    long long value = 0;

    if ((text == NULL) || !isdigit((unsigned char) *text)) {
        return myha_rc_parse;
    }
    errno = 0;
    value = strtoll(text, &end, 10);
    if (errno == ERANGE) {
        return ERANGE;
    }
    for (size_t i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]);
         i++) {
        if (strcasecmp(end, duration_units[i].unit) == 0) {
            if (value > LLONG_MAX / duration_units[i].mul) {
                return ERANGE;
            }
            *ret_msec = value * duration_units[i].mul / duration_units[i].div;
            return 0;
        }
    }
    return myha_rc_parse;
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

/*!
 * \brief Append formatted text to a string being built
 *
 * \param[in,out] sb      String being built (zero-initialised at first)
 * \param[in]     format  printf() format
 * \param[in]     ...     Its arguments
 *
 * \note Out of memory, \p sb is marked failed and stays so.
 */
void
myha_strbuf_printf(struct myha_strbuf *sb, const char *format, ...)
{
    va_list ap;
    int n = 0;

    if (sb->failed) {
        return;
    }
    for (;;) {
        size_t avail = sb->cap - sb->len;
        size_t cap = (sb->cap == 0) ? 256 : sb->cap;
        char *s = NULL;

        va_start(ap, format);
        n = vsnprintf((sb->s == NULL) ? NULL : sb->s + sb->len, avail, format,
                      ap);
        va_end(ap);
        if (n < 0) {
            sb->failed = true;
            return;
        }
        if ((size_t) n < avail) {
            sb->len += (size_t) n;
            return;
        }
        while (cap - sb->len <= (size_t) n) {
            if (cap > SIZE_MAX / 2) {
                sb->failed = true;
                return;
            }
            cap *= 2;
        }
        s = realloc(sb->s, cap);
        if (s == NULL) {
            sb->failed = true;
            return;
        }
        sb->s = s;
        sb->cap = cap;
    }
}

/*!
 * \brief The text built, handed over to the caller
 *
 * \param[in,out] sb  String being built; empty again afterwards
 *
 * \return The text ("" if nothing was appended), or NULL if an append or
 *         this allocation failed (then everything is freed)
 * \note The caller frees the result with free().
 */
char *
myha_strbuf_finish(struct myha_strbuf *sb)
{
    char *text = sb->s;

    if (sb->failed) {
        free(text);
        text = NULL;
    } else if (text == NULL) {
        text = strdup("");
    }
    memset(sb, 0, sizeof(*sb));
    return text;
}
