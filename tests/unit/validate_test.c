/*
 * Unit tests for lib/validate.c.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <myha/rc.h>
#include <myha/validate.h>

// Run a validator, check its rc and that the reason contains a fragment
static void
check(myha_param_validator_fn_t fn, const char *value, int expected_rc,
      const char *fragment)
{
    char *reason = NULL;

    assert_int_equal(fn(value, &reason), expected_rc);
    if (expected_rc == 0) {
        assert_null(reason);
    } else {
        assert_non_null(reason);
        assert_non_null(strstr(reason, fragment));
        free(reason);
    }
}

static void
paths_must_be_absolute(void **state)
{
    check(myha_validate_abs_path, "/var/lib/mysql", 0, NULL);
    check(myha_validate_abs_path, "var/lib/mysql", myha_rc_invalid,
          "must be an absolute path, not 'var/lib/mysql'");
}

static void
files_and_dirs_are_checked_on_this_node(void **state)
{
    check(myha_validate_file, "/etc/passwd", 0, NULL);
    check(myha_validate_file, "/nonexistent/my.cnf", myha_rc_local_config,
          "names '/nonexistent/my.cnf', which cannot be used: No such file");
    check(myha_validate_file, "/etc", myha_rc_local_config,
          "which is not a regular file");
    check(myha_validate_file, "etc/passwd", myha_rc_invalid, "absolute");
    check(myha_validate_dir, "/etc", 0, NULL);
    check(myha_validate_dir, "/etc/passwd", myha_rc_local_config,
          "which is not a directory");
}

static void
users_and_groups_must_exist(void **state)
{
    check(myha_validate_user, "root", 0, NULL);
    check(myha_validate_user, "no-such-user-myha", myha_rc_local_config,
          "user 'no-such-user-myha', who does not exist");
    check(myha_validate_group, "root", 0, NULL);
    check(myha_validate_group, "no-such-group-myha", myha_rc_local_config,
          "group 'no-such-group-myha'");
}

static void
programs_are_found_or_not_installed(void **state)
{
    char *path = NULL;

    check(myha_validate_program, "sh", 0, NULL);
    check(myha_validate_program, "/bin/sh", 0, NULL);
    check(myha_validate_program, "no-such-program-myha", myha_rc_not_installed,
          "'no-such-program-myha', which is not an "
          "executable program");
    check(myha_validate_program, "/etc/passwd", myha_rc_not_installed,
          "not an executable");

    // Daemons in sbin are found even when PATH lacks it
    setenv("PATH", "/nonexistent", 1);
    assert_int_equal(myha_program_find("ldconfig", &path), 0);
    assert_non_null(strstr(path, "sbin/ldconfig"));
    free(path);
    path = NULL;
    assert_int_equal(myha_program_find("no-such-program-myha", &path), ENOENT);
    assert_null(path);
}

static void
quotes_are_refused(void **state)
{
    check(myha_validate_no_quotes, "--port=3307 --skip-name-resolve", 0, NULL);
    check(myha_validate_no_quotes, "--init-file='/x y'", myha_rc_invalid,
          "cannot contain '");
    check(myha_validate_no_quotes, "a\\ b", myha_rc_invalid,
          "cannot contain \\");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paths_must_be_absolute),
        cmocka_unit_test(files_and_dirs_are_checked_on_this_node),
        cmocka_unit_test(users_and_groups_must_exist),
        cmocka_unit_test(programs_are_found_or_not_installed),
        cmocka_unit_test(quotes_are_refused),
    };

    return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}
