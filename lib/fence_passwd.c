/*
 * A fence agent's password: from its password script, its password file or
 * the password option, never logged.  The script's output is captured
 * through lib/spawn and wiped once read.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <myha/fence.h>
#include <myha/rc.h>
#include <myha/spawn.h>
#include <myha/str.h>

//! How long a password script may run
#define PASSWORD_SCRIPT_TIMEOUT_MS 20000

//! Longest password file read (the first line is used)
#define PASSWORD_FILE_MAX (64 * 1024)

// Cut text at its first line end and strip trailing blanks, in place
static void
first_line(char *text)
{
    size_t len = strcspn(text, "\r\n");

    while ((len > 0) && ((text[len - 1] == ' ') || (text[len - 1] == '\t'))) {
        len--;
    }
    text[len] = '\0';
}

static int
run_script(const char *script, char **ret_password, char **ret_reason)
{
    const char *argv[] = { "/bin/sh", "-c", script, NULL };
    struct myha_spawn_opts sopts = {
        .argv = argv,
        .out = myha_spawn_out_capture,
        .err = myha_spawn_out_null,
    };
    struct myha_child_status status = { 0 };
    char *out = NULL;
    int rc =
        myha_spawn_run(&sopts, PASSWORD_SCRIPT_TIMEOUT_MS, &status, &out, NULL);

    if (rc == myha_rc_child_failed) {
        *ret_reason =
            myha_str_printf("password_script '%s' failed (%s %d)", script,
                            status.signaled ? "signal" : "exit status",
                            status.signaled ? status.signal : status.exit_code);
        goto out_wipe;
    }
    if (rc != 0) {
        *ret_reason = myha_str_printf("cannot run password_script '%s': %s",
                                      script, myha_rc_str(rc));
        goto out_wipe;
    }
    if (out == NULL) {
        out = strdup("");
        if (out == NULL) {
            return ENOMEM;
        }
    }
    first_line(out);
    if (out[0] == '\0') {
        *ret_reason = myha_str_printf("password_script '%s' printed no "
                                      "password",
                                      script);
        rc = myha_rc_invalid;
        goto out_wipe;
    }
    *ret_password = out;
    return 0;

out_wipe:
    myha_fence_password_free(out);
    return rc;
}

static int
read_file(const char *path, char **ret_password, char **ret_reason)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    char *buf = NULL;
    size_t len = 0;
    int rc = 0;

    if (fd < 0) {
        rc = errno;
        *ret_reason = myha_str_printf("cannot open password_file '%s': %s",
                                      path, strerror(rc));
        return rc;
    }
    buf = calloc(1, PASSWORD_FILE_MAX + 1);
    if (buf == NULL) {
        rc = ENOMEM;
        goto out_close;
    }
    while (len < PASSWORD_FILE_MAX) {
        ssize_t n = read(fd, buf + len, PASSWORD_FILE_MAX - len);

        if ((n < 0) && (errno == EINTR)) {
            continue;
        }
        if (n < 0) {
            rc = errno;
            *ret_reason = myha_str_printf("cannot read password_file '%s': "
                                          "%s",
                                          path, strerror(rc));
            goto out_wipe;
        }
        if (n == 0) {
            break;
        }
        len += (size_t) n;
    }
    first_line(buf);
    if (buf[0] == '\0') {
        *ret_reason = myha_str_printf("password_file '%s' is empty", path);
        rc = myha_rc_invalid;
        goto out_wipe;
    }
    *ret_password = buf;
    goto out_close;

out_wipe:
    explicit_bzero(buf, PASSWORD_FILE_MAX);
    free(buf);
out_close:
    close(fd);
    return rc;
}

/*!
 * \brief Get the password from the first source set: password_script (run
 *        by /bin/sh, first line of its output), password_file (first
 *        line), password
 *
 * \param[in]  opts          Parsed options
 * \param[out] ret_password  On success, the password, or NULL if no source
 *                           is set (free with myha_fence_password_free())
 * \param[out] ret_reason    On failure, why (caller frees); never contains
 *                           the password
 *
 * \return 0, myha_rc_invalid, ENOMEM, or an errno from the file or script
 */
int
myha_fence_password(const struct myha_fence_opts *opts, char **ret_password,
                    char **ret_reason)
{
    const char *password = NULL;

    if (myha_is_fence_opt_set(opts, "password_script")) {
        return run_script(myha_fence_opts_str(opts, "password_script"),
                          ret_password, ret_reason);
    }
    if (myha_is_fence_opt_set(opts, "password_file")) {
        return read_file(myha_fence_opts_str(opts, "password_file"),
                         ret_password, ret_reason);
    }
    password = myha_fence_opts_str(opts, "password");
    *ret_password = NULL;
    if (password != NULL) {
        *ret_password = strdup(password);
        if (*ret_password == NULL) {
            return ENOMEM;
        }
    }
    return 0;
}

/*!
 * \brief Wipe and free a password
 *
 * \param[in] password  Password from myha_fence_password() (may be NULL)
 */
void
myha_fence_password_free(char *password)
{
    if (password != NULL) {
        explicit_bzero(password, strlen(password));
        free(password);
    }
}
