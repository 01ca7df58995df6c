/*
 * Reusable parameter validators.  Each returns myha_rc_invalid for a value
 * that is wrong anywhere, myha_rc_local_config for one that is wrong on this
 * node, and myha_rc_not_installed for a missing program, so the agent maps
 * them to OCF_ERR_CONFIGURED, OCF_ERR_ARGS and OCF_ERR_INSTALLED.
 */
#include <config.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <myha/rc.h>
#include <myha/str.h>
#include <myha/validate.h>

// Searched after $PATH: daemons live in sbin, which a user's PATH may lack
static const char *const extra_program_dirs = "/usr/sbin:/sbin:/usr/libexec";

/*!
 * \brief Require an absolute path
 *
 * \param[in]  value       Value to check
 * \param[out] ret_reason  On failure, allocated reason (caller frees)
 *
 * \return 0 or myha_rc_invalid
 */
int
myha_validate_abs_path(const char *value, char **ret_reason)
{
    if (value[0] != '/') {
        *ret_reason =
            myha_str_printf("must be an absolute path, not '%s'", value);
        return myha_rc_invalid;
    }
    return 0;
}

static int
validate_stat(const char *value, mode_t type, const char *what,
              char **ret_reason)
{
    struct stat st;
    int rc = myha_validate_abs_path(value, ret_reason);

    if (rc != 0) {
        return rc;
    }
    if (stat(value, &st) != 0) {
        *ret_reason = myha_str_printf("names '%s', which cannot be used: %s",
                                      value, strerror(errno));
        return myha_rc_local_config;
    }
    if ((st.st_mode & S_IFMT) != type) {
        *ret_reason =
            myha_str_printf("names '%s', which is not a %s", value, what);
        return myha_rc_local_config;
    }
    if (access(value, R_OK) != 0) {
        *ret_reason = myha_str_printf("names '%s', which cannot be read: %s",
                                      value, strerror(errno));
        return myha_rc_local_config;
    }
    return 0;
}

/*!
 * \brief Require an absolute path to an existing, readable regular file
 *
 * \param[in]  value       Value to check
 * \param[out] ret_reason  On failure, allocated reason (caller frees)
 *
 * \return 0, myha_rc_invalid (not absolute) or myha_rc_local_config
 */
int
myha_validate_file(const char *value, char **ret_reason)
{
    return validate_stat(value, S_IFREG, "regular file", ret_reason);
}

/*!
 * \brief Require an absolute path to an existing directory
 *
 * \param[in]  value       Value to check
 * \param[out] ret_reason  On failure, allocated reason (caller frees)
 *
 * \return 0, myha_rc_invalid (not absolute) or myha_rc_local_config
 */
int
myha_validate_dir(const char *value, char **ret_reason)
{
    return validate_stat(value, S_IFDIR, "directory", ret_reason);
}

/*!
 * \brief Require the name of a user that exists on this node
 *
 * \param[in]  value       Value to check
 * \param[out] ret_reason  On failure, allocated reason (caller frees)
 *
 * \return 0 or myha_rc_local_config
 */
int
myha_validate_user(const char *value, char **ret_reason)
{
    if (getpwnam(value) == NULL) {
        *ret_reason = myha_str_printf("names user '%s', who does not exist "
                                      "on this node",
                                      value);
        return myha_rc_local_config;
    }
    return 0;
}

/*!
 * \brief Require the name of a group that exists on this node
 *
 * \param[in]  value       Value to check
 * \param[out] ret_reason  On failure, allocated reason (caller frees)
 *
 * \return 0 or myha_rc_local_config
 */
int
myha_validate_group(const char *value, char **ret_reason)
{
    if (getgrnam(value) == NULL) {
        *ret_reason = myha_str_printf("names group '%s', which does not "
                                      "exist on this node",
                                      value);
        return myha_rc_local_config;
    }
    return 0;
}

// Check dir/name for an executable regular file; allocate the path if so
static char *
executable_in(const char *dir, size_t dir_len, const char *name)
{
    char *path = myha_str_printf("%.*s/%s", (int) dir_len, dir, name);
    struct stat st;

    if ((path != NULL) && (stat(path, &st) == 0) && S_ISREG(st.st_mode)
        && (access(path, X_OK) == 0)) {
        return path;
    }
    free(path);
    return NULL;
}

static char *
find_in_dirs(const char *dirs, const char *name)
{
    const char *p = dirs;

    while ((p != NULL) && (*p != '\0')) {
        const char *colon = strchr(p, ':');
        size_t len = (colon == NULL) ? strlen(p) : (size_t) (colon - p);
        char *path = (len == 0) ? NULL : executable_in(p, len, name);

        if (path != NULL) {
            return path;
        }
        p = (colon == NULL) ? NULL : colon + 1;
    }
    return NULL;
}

/*!
 * \brief Find an executable program
 *
 * A name with a slash is taken as a path.  A bare name is looked up in
 * $PATH, then in /usr/sbin, /sbin and /usr/libexec.
 *
 * \param[in]  name      Program name or path
 * \param[out] ret_path  On success, the program's path (caller frees)
 *
 * \return 0, ENOENT if not found or not executable, or ENOMEM
 */
int
myha_program_find(const char *name, char **ret_path)
{
    char *path = NULL;
    const char *env_path = getenv("PATH");

    if (strchr(name, '/') != NULL) {
        if ((access(name, X_OK) != 0)) {
            return ENOENT;
        }
        path = strdup(name);
        if (path == NULL) {
            return ENOMEM;
        }
        *ret_path = path;
        return 0;
    }
    path = find_in_dirs((env_path == NULL) ? "/usr/bin:/bin" : env_path, name);
    if (path == NULL) {
        path = find_in_dirs(extra_program_dirs, name);
    }
    if (path == NULL) {
        return ENOENT;
    }
    *ret_path = path;
    return 0;
}

/*!
 * \brief Require an executable program (a path or a name found in PATH)
 *
 * \param[in]  value       Value to check
 * \param[out] ret_reason  On failure, allocated reason (caller frees)
 *
 * \return 0 or myha_rc_not_installed
 */
int
myha_validate_program(const char *value, char **ret_reason)
{
    char *path = NULL;

    if (myha_program_find(value, &path) != 0) {
        *ret_reason = myha_str_printf("names '%s', which is not an "
                                      "executable program on this node",
                                      value);
        return myha_rc_not_installed;
    }
    free(path);
    return 0;
}

/*!
 * \brief Refuse values with quotes or backslashes
 *
 * For option lists that the agent splits on blanks without a shell: quoting
 * would not do what the user meant.
 *
 * \param[in]  value       Value to check
 * \param[out] ret_reason  On failure, allocated reason (caller frees)
 *
 * \return 0 or myha_rc_invalid
 */
int
myha_validate_no_quotes(const char *value, char **ret_reason)
{
    const char *bad = strpbrk(value, "'\"\\`");

    if (bad != NULL) {
        *ret_reason = myha_str_printf("cannot contain %c: it is split on "
                                      "blanks without a shell",
                                      *bad);
        return myha_rc_invalid;
    }
    return 0;
}
