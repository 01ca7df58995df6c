/*
 * Unit tests of the pure part of lib/pitr.c: target parsing and planning on
 * the binary logs of tests/unit/binlog-data (copied into a temporary
 * directory, sometimes with files missing or damaged).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <myha/pitr.h>
#include <myha/rc.h>

//! A temporary source directory
struct srcdir {
    char path[64];
};

// Copy fixture NAME into DIR, keeping LEN bytes (0: all)
static void
copy_fixture(const char *dir, const char *name, off_t len)
{
    const char *top = getenv("MYHA_TEST_SRCDIR");
    char *from = NULL;
    char *to = NULL;
    char buf[8192];
    int in = -1;
    int out = -1;
    off_t done = 0;
    ssize_t got = 0;

    assert_true(asprintf(&from, "%s/tests/unit/binlog-data/%s",
                         (top != NULL) ? top : "../..", name)
                > 0);
    assert_true(asprintf(&to, "%s/%s", dir, name) > 0);
    in = open(from, O_RDONLY | O_CLOEXEC);
    assert_true(in >= 0);
    out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    assert_true(out >= 0);
    while ((got = read(in, buf, sizeof(buf))) > 0) {
        if ((len > 0) && (done + got > len)) {
            got = (ssize_t) (len - done);
        }
        assert_int_equal(write(out, buf, (size_t) got), got);
        done += got;
        if ((len > 0) && (done >= len)) {
            break;
        }
    }
    close(in);
    close(out);
    free(from);
    free(to);
}

// A directory with binlog.00000N for each N in the 0-terminated list
static void
make_src(struct srcdir *d, const int *numbers)
{
    strcpy(d->path, "/tmp/pitr_test.XXXXXX");
    assert_non_null(mkdtemp(d->path));
    for (; *numbers != 0; numbers++) {
        char name[32];

        snprintf(name, sizeof(name), "binlog.%06d", *numbers);
        copy_fixture(d->path, name, 0);
    }
}

static void
remove_src(struct srcdir *d)
{
    char *cmd = NULL;

    assert_true(asprintf(&cmd, "rm -rf '%s'", d->path) > 0);
    assert_int_equal(system(cmd), 0);
    free(cmd);
}

static struct myha_pitr_plan *
plan_ok(const char *dir, const char *base, const struct myha_pitr_target *t)
{
    struct myha_pitr_plan *plan = NULL;
    char *err = NULL;
    int rc = myha_pitr_plan_new(dir, base, t, "relay", &plan, &err);

    if (rc != 0) {
        print_error("plan failed: %s\n", err);
    }
    assert_int_equal(rc, 0);
    assert_null(err);
    return plan;
}

static char *
plan_fails(const char *dir, const char *base, const struct myha_pitr_target *t,
           int want_rc)
{
    struct myha_pitr_plan *plan = NULL;
    char *err = NULL;

    int rc = myha_pitr_plan_new(dir, base, t, "relay", &plan, &err);

    if (rc != want_rc) {
        print_error("plan: %d (%s)\n", rc, (err != NULL) ? err : "");
    }
    assert_int_equal(rc, want_rc);
    assert_null(plan);
    assert_non_null(err);
    return err;
}

static const struct myha_pitr_target all = { .kind = MYHA_PITR_ALL };

static void
target_parse(void **state)
{
    struct myha_pitr_target t;
    char *err = NULL;

    (void) state;
    assert_int_equal(myha_pitr_target_parse(NULL, "", NULL, &t, &err), 0);
    assert_int_equal(t.kind, MYHA_PITR_ALL);
    assert_int_equal(myha_pitr_target_parse("0-1-5", NULL, NULL, &t, &err), 0);
    assert_int_equal(t.kind, MYHA_PITR_UNTIL_GTID);
    assert_int_equal(t.gtid.seq_no, 5);
    assert_int_equal(myha_pitr_target_parse(NULL, NULL, "1-2-3", &t, &err), 0);
    assert_int_equal(t.kind, MYHA_PITR_SKIP_GTID);
    assert_int_equal(t.gtid.domain_id, 1);
    assert_int_equal(t.gtid.server_id, 2);
    assert_int_equal(
        myha_pitr_target_parse(NULL, "2023-11-14T22:13:20Z", NULL, &t, &err),
        0);
    assert_int_equal(t.kind, MYHA_PITR_UNTIL_TIME);
    assert_int_equal(t.time, 1700000000);
    // Without an offset: UTC
    assert_int_equal(
        myha_pitr_target_parse(NULL, "2023-11-14 22:13:20", NULL, &t, &err), 0);
    assert_int_equal(t.time, 1700000000);
    assert_int_equal(myha_pitr_target_parse(NULL, "2023-11-15T00:13:20.5+02:00",
                                            NULL, &t, &err),
                     0);
    assert_int_equal(t.time, 1700000000);
    assert_null(err);

    assert_int_equal(myha_pitr_target_parse(NULL, "yesterday", NULL, &t, &err),
                     myha_rc_invalid);
    assert_non_null(strstr(err, "yesterday"));
    free(err);
    err = NULL;
    assert_int_equal(myha_pitr_target_parse("0-1-x", NULL, NULL, &t, &err),
                     myha_rc_invalid);
    free(err);
    err = NULL;
    assert_int_equal(myha_pitr_target_parse("0-1-2", NULL, "0-1-3", &t, &err),
                     myha_rc_invalid);
    assert_non_null(strstr(err, "at most one"));
    free(err);
}

// Everything from an empty base: every file, from the first transaction
static void
plan_everything(void **state)
{
    static const int numbers[] = { 1, 2, 3, 4, 0 };
    struct srcdir d;
    struct myha_pitr_plan *plan = NULL;

    (void) state;
    make_src(&d, numbers);
    plan = plan_ok(d.path, "", &all);
    assert_int_equal(plan->n_files, 4);
    assert_string_equal(plan->files[0].name, "binlog.000001");
    assert_string_equal(plan->files[3].relay_name, "relay.000004");
    assert_int_equal(plan->n_trx, 57);
    assert_int_equal(plan->n_apply, 57);
    assert_int_equal(plan->start.file, 0);
    assert_int_equal(plan->start.pos, 325);
    assert_int_equal(plan->until.file, 3);
    assert_int_equal(plan->until.pos, 935);
    assert_false(plan->has_skip);
    assert_string_equal(plan->expected, "0-1-55,1-1-2");
    assert_int_equal(plan->origin_server_id, 1);
    myha_pitr_plan_free(plan);

    // A base in the middle of a file: the file, from the next transaction
    plan = plan_ok(d.path, "0-1-33,1-1-1", &all);
    assert_int_equal(plan->n_files, 3);
    assert_string_equal(plan->files[0].name, "binlog.000002");
    assert_int_equal(plan->start.pos, 1387);
    assert_int_equal(plan->n_apply, 23);
    myha_pitr_plan_free(plan);

    // Already at the end: nothing to do
    plan = plan_ok(d.path, "0-1-55,1-1-2", &all);
    assert_int_equal(plan->n_apply, 0);
    assert_string_equal(plan->expected, "0-1-55,1-1-2");
    myha_pitr_plan_free(plan);
    remove_src(&d);
}

// The base at the end of a file: the files before it are not needed
static void
plan_targets(void **state)
{
    static const int numbers[] = { 1, 2, 3, 4, 0 };
    struct srcdir d;
    struct myha_pitr_plan *plan = NULL;
    struct myha_pitr_target t = { .kind = MYHA_PITR_UNTIL_GTID };
    const char *base = "0-1-29,1-1-1";
    char *err = NULL;

    (void) state;
    make_src(&d, numbers);
    assert_int_equal(myha_binlog_gtid_parse("0-1-43", &t.gtid), 0);
    plan = plan_ok(d.path, base, &t);
    assert_int_equal(plan->n_files, 3);
    assert_string_equal(plan->files[0].name, "binlog.000002");
    assert_int_equal(plan->start.pos, 355);
    assert_int_equal(plan->until.file, 1);
    assert_int_equal(plan->until.pos, 383);
    assert_int_equal(plan->n_apply, 13);
    assert_string_equal(plan->expected, "0-1-42,1-1-1");
    myha_pitr_plan_free(plan);

    // Excise 0-1-31: until its start, resume after its end, to the end
    t.kind = MYHA_PITR_SKIP_GTID;
    assert_int_equal(myha_binlog_gtid_parse("0-1-31", &t.gtid), 0);
    plan = plan_ok(d.path, base, &t);
    assert_true(plan->has_skip);
    assert_int_equal(plan->until.file, 0);
    assert_int_equal(plan->until.pos, 643);
    assert_int_equal(plan->resume.file, 0);
    assert_int_equal(plan->resume.pos, 891);
    assert_int_equal(plan->end.file, 2);
    assert_int_equal(plan->end.pos, 935);
    assert_int_equal(plan->n_apply, 26);
    assert_string_equal(plan->expected, "0-1-55,1-1-2");
    myha_pitr_plan_free(plan);

    // Until a time: before the first transaction at or after it
    t.kind = MYHA_PITR_UNTIL_TIME;
    t.time = 1700000390; // between 0-1-37 (380) and 0-1-38 (400)
    plan = plan_ok(d.path, base, &t);
    assert_int_equal(plan->until.pos, 2379);
    assert_int_equal(plan->n_apply, 8);
    assert_string_equal(plan->expected, "0-1-37,1-1-1");
    myha_pitr_plan_free(plan);

    t.time = 1700000300; // before the first transaction after the base
    err = plan_fails(d.path, base, &t, myha_rc_invalid);
    assert_non_null(strstr(err, "before the first transaction"));
    free(err);
    t.time = 1700009999; // after the last one
    err = plan_fails(d.path, base, &t, myha_rc_invalid);
    assert_non_null(strstr(err, "after the last transaction"));
    free(err);

    // GTIDs not there, or already applied
    t.kind = MYHA_PITR_UNTIL_GTID;
    assert_int_equal(myha_binlog_gtid_parse("0-1-99", &t.gtid), 0);
    err = plan_fails(d.path, base, &t, myha_rc_invalid);
    assert_non_null(strstr(err, "not in the source"));
    free(err);
    assert_int_equal(myha_binlog_gtid_parse("0-1-5", &t.gtid), 0);
    err = plan_fails(d.path, base, &t, myha_rc_invalid);
    assert_non_null(strstr(err, "already applied"));
    free(err);
    remove_src(&d);
}

static void
plan_missing_files(void **state)
{
    static const int late[] = { 3, 4, 0 };
    static const int gap[] = { 1, 2, 4, 0 };
    struct srcdir d;
    char *err = NULL;

    (void) state;
    make_src(&d, late);
    err = plan_fails(d.path, "0-1-10", &all, ENOENT);
    assert_non_null(strstr(err, "binlog files are missing"));
    assert_non_null(strstr(err, "binlog.000003"));
    free(err);
    remove_src(&d);

    make_src(&d, gap);
    err = plan_fails(d.path, "", &all, ENOENT);
    assert_non_null(strstr(err, "missing between 'binlog.000002' and "
                                "'binlog.000004'"));
    free(err);
    remove_src(&d);

    err = plan_fails("/nonexistent/pitr", "", &all, ENOENT);
    free(err);
    err = plan_fails("/tmp", "not a position", &all, myha_rc_invalid);
    free(err);
}

static void
plan_damaged_files(void **state)
{
    static const int first[] = { 1, 0 };
    struct srcdir d;
    char *err = NULL;
    char *path = NULL;
    int fd = -1;

    (void) state;
    // binlog.000002 cut in the middle, followed by binlog.000003
    make_src(&d, first);
    copy_fixture(d.path, "binlog.000002", 5000);
    copy_fixture(d.path, "binlog.000003", 0);
    err = plan_fails(d.path, "", &all, myha_rc_invalid);
    assert_non_null(strstr(err, "binlog.000002"));
    assert_non_null(strstr(err, "truncated"));
    free(err);

    // A flipped byte in a CRC32 file
    copy_fixture(d.path, "binlog.000002", 0);
    assert_true(asprintf(&path, "%s/binlog.000002", d.path) > 0);
    fd = open(path, O_WRONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "Z", 1, 700), 1);
    close(fd);
    err = plan_fails(d.path, "", &all, myha_rc_invalid);
    assert_non_null(strstr(err, "binlog.000002"));
    assert_non_null(strstr(err, "corrupt"));
    free(err);
    free(path);

    // Only the newest file may end early (still being written)
    copy_fixture(d.path, "binlog.000002", 0);
    copy_fixture(d.path, "binlog.000003", 1000);
    {
        struct myha_pitr_plan *plan = plan_ok(d.path, "", &all);

        assert_int_equal(plan->files[2].size, 835);
        assert_string_equal(plan->expected, "0-1-44,1-1-1");
        myha_pitr_plan_free(plan);
    }
    remove_src(&d);
}

static struct myha_pitr_reached
locate_ok(const struct myha_pitr_plan *plan, const char *pos)
{
    struct myha_pitr_reached r = { 99, true, true };

    assert_int_equal(myha_pitr_plan_locate(plan, pos, &r), 0);
    return r;
}

// Where an interrupted replay stopped, in the plan it was following
static void
plan_locate(void **state)
{
    static const int numbers[] = { 1, 2, 3, 4, 0 };
    struct srcdir d;
    struct myha_pitr_plan *plan = NULL;
    struct myha_pitr_target t = { .kind = MYHA_PITR_UNTIL_GTID };
    struct myha_pitr_reached r;
    const char *base = "0-1-29,1-1-1";
    char *err = NULL;

    (void) state;
    make_src(&d, numbers);
    plan = plan_ok(d.path, "", &all);
    r = locate_ok(plan, "");
    assert_int_equal(r.n_applied, 0);
    assert_false(r.is_complete);
    assert_false(r.is_skip_past);
    r = locate_ok(plan, "0-1-33,1-1-1"); // 0-1-1..0-1-33 and 1-1-1
    assert_int_equal(r.n_applied, 34);
    assert_false(r.is_complete);
    r = locate_ok(plan, "1-1-2,0-1-55"); // any order, server ids ignored
    assert_int_equal(r.n_applied, 57);
    assert_true(r.is_complete);
    assert_int_equal(myha_pitr_plan_locate(plan, "0-1", &r), myha_rc_invalid);
    assert_int_equal(myha_pitr_plan_locate(plan, "", NULL), EINVAL);
    assert_int_equal(myha_pitr_plan_locate(NULL, "", &r), EINVAL);
    myha_pitr_plan_free(plan);

    // Until 0-1-43: what lies after the target does not count
    assert_int_equal(myha_binlog_gtid_parse("0-1-43", &t.gtid), 0);
    plan = plan_ok(d.path, base, &t);
    r = locate_ok(plan, base);
    assert_int_equal(r.n_applied, 0);
    r = locate_ok(plan, "0-1-35,1-1-1");
    assert_int_equal(r.n_applied, 6);
    assert_false(r.is_complete);
    r = locate_ok(plan, "0-1-42,1-1-1");
    assert_int_equal(r.n_applied, 13);
    assert_true(r.is_complete);
    r = locate_ok(plan, "0-1-50,1-1-2");
    assert_int_equal(r.n_applied, 13);
    assert_false(r.is_complete);
    myha_pitr_plan_free(plan);

    // Excising 0-1-31: stopped before it, then after it
    t.kind = MYHA_PITR_SKIP_GTID;
    assert_int_equal(myha_binlog_gtid_parse("0-1-31", &t.gtid), 0);
    plan = plan_ok(d.path, base, &t);
    r = locate_ok(plan, "0-1-30,1-1-1");
    assert_int_equal(r.n_applied, 1);
    assert_false(r.is_skip_past);
    r = locate_ok(plan, "0-1-35,1-1-1"); // 30, 32..35
    assert_int_equal(r.n_applied, 5);
    assert_true(r.is_skip_past);
    assert_false(r.is_complete);
    r = locate_ok(plan, plan->expected);
    assert_int_equal(r.n_applied, 26);
    assert_true(r.is_complete);
    myha_pitr_plan_free(plan);

    /* Planned again from there, the excision cannot be told from an
     * application: the error says both, and what to do
     */
    err = plan_fails(d.path, "0-1-35,1-1-1", &t, myha_rc_invalid);
    assert_non_null(strstr(err, "already applied or skipped"));
    assert_non_null(strstr(err, "without a skip target"));
    free(err);
    // The rest, from there: everything after it
    plan = plan_ok(d.path, "0-1-35,1-1-1", &all);
    assert_int_equal(plan->n_apply, 21);
    assert_string_equal(plan->expected, "0-1-55,1-1-2");
    myha_pitr_plan_free(plan);
    remove_src(&d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(target_parse),
        cmocka_unit_test(plan_everything),
        cmocka_unit_test(plan_targets),
        cmocka_unit_test(plan_missing_files),
        cmocka_unit_test(plan_damaged_files),
        cmocka_unit_test(plan_locate),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
