/*
 * Unit tests for lib/fence*.c: options from stdin and argv, meta-data
 * against fence-agents' schema, passwords, the action runner with a fake
 * device, and exit statuses.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include <myha/fence.h>
#include <myha/rc.h>

//! A fake device with one plug, "5"
struct fake {
    enum myha_fence_power power;
    bool never_off;      // set_power(off) is accepted but nothing happens
    bool on_fails;       // set_power(on) fails
    int sets;            // set_power calls
    char *password_seen; // password passed to login
};

static int
fake_login(void *ctx, const struct myha_fence_opts *opts, const char *password,
           char **ret_reason)
{
    struct fake *f = ctx;

    free(f->password_seen);
    f->password_seen = (password != NULL) ? strdup(password) : NULL;
    return 0;
}

static int
fake_get(void *ctx, const char *plug, enum myha_fence_power *ret_power,
         char **ret_reason)
{
    struct fake *f = ctx;

    if ((plug != NULL) && (strcmp(plug, "5") != 0)) {
        *ret_reason = strdup("no such plug");
        return ENOENT;
    }
    *ret_power = f->power;
    return 0;
}

static int
fake_set(void *ctx, const char *plug, enum myha_fence_power power,
         char **ret_reason)
{
    struct fake *f = ctx;

    f->sets++;
    if ((power == myha_fence_power_on) && f->on_fails) {
        *ret_reason = strdup("device refused");
        return EIO;
    }
    if (!((power == myha_fence_power_off) && f->never_off)) {
        f->power = power;
    }
    return 0;
}

static int
fake_list(void *ctx, myha_fence_list_fn_t emit, void *data, char **ret_reason)
{
    struct fake *f = ctx;

    emit(data, "5", "alpha", f->power);
    emit(data, "6", "beta", myha_fence_power_unknown);
    return 0;
}

static void
fake_logout(void *ctx)
{
}

static const struct myha_fence_ops fake_ops = {
    .login = fake_login,
    .get_power = fake_get,
    .set_power = fake_set,
    .list = fake_list,
    .logout = fake_logout,
};

static const struct myha_fence_ops fake_ops_nolist = {
    .login = fake_login,
    .get_power = fake_get,
    .set_power = fake_set,
};

static const char *const methods[] = { "onoff", "cycle", NULL };

static const struct myha_fence_opt table[] = {
    MYHA_FENCE_OPT_ACTION,
    MYHA_FENCE_OPT_IP("Address of the <device> & \"more\""),
    MYHA_FENCE_OPT_IPPORT("623"),
    MYHA_FENCE_OPT_USERNAME("admin"),
    MYHA_FENCE_OPT_PASSWORD,
    MYHA_FENCE_OPT_PASSWORD_SCRIPT,
    MYHA_FENCE_OPT_PASSWORD_FILE,
    MYHA_FENCE_OPT_PLUG("Plug number"),
    MYHA_FENCE_OPT_NODENAME,
    MYHA_FENCE_OPT_SSL_INSECURE,
    { .name = "method",
      .short_opt = 'm',
      .long_opt = "method",
      .metavar = "[method]",
      .type = myha_fence_select,
      .default_value = "onoff",
      .options = methods,
      .shortdesc = "Method to fence" },
    MYHA_FENCE_OPT_VERBOSE,
    MYHA_FENCE_OPT_QUIET,
    MYHA_FENCE_OPT_DEBUG_FILE,
    MYHA_FENCE_OPT_VERSION,
    MYHA_FENCE_OPT_HELP,
    MYHA_FENCE_OPT_SEPARATOR,
    MYHA_FENCE_OPT_DELAY,
    MYHA_FENCE_OPT_LOGIN_TIMEOUT("5"),
    MYHA_FENCE_OPT_SHELL_TIMEOUT("3"),
    MYHA_FENCE_OPT_POWER_TIMEOUT,
    MYHA_FENCE_OPT_POWER_WAIT,
    MYHA_FENCE_OPT_STATUS_SLEEP,
    MYHA_FENCE_OPT_RETRY_ON,
};

static const struct myha_fence_agent agent = {
    .name = "fence_fake",
    .version = "1.0",
    .shortdesc = "Fake agent",
    .longdesc = "A fake agent for tests.",
    .vendor_url = "https://example.org/",
    .opts = table,
    .n_opts = sizeof(table) / sizeof(table[0]),
    .ops = &fake_ops,
};

static const struct myha_fence_agent agent_nolist = {
    .name = "fence_fake1",
    .version = "1.0",
    .shortdesc = "Fake single-port agent",
    .longdesc = "A fake agent for tests.",
    .vendor_url = "https://example.org/",
    .opts = table,
    .n_opts = sizeof(table) / sizeof(table[0]),
    .ops = &fake_ops_nolist,
};

// Parse stdin text; expect rc, return opts (or NULL) and reason
static struct myha_fence_opts *
parse_stdin(const struct myha_fence_agent *a, const char *text, int expected,
            char **ret_reason)
{
    FILE *in = fmemopen((void *) text, strlen(text), "r");
    char *argv[] = { (char *) "fence_fake", NULL };
    struct myha_fence_opts *opts = NULL;
    char *reason = NULL;

    assert_non_null(in);
    assert_int_equal(myha_fence_opts_parse(a, 1, argv, in, &opts, &reason),
                     expected);
    fclose(in);
    if (ret_reason != NULL) {
        *ret_reason = reason;
    } else {
        free(reason);
    }
    return opts;
}

static void
stdin_basic(void **state)
{
    struct myha_fence_opts *opts = parse_stdin(&agent,
                                               "# comment line\n"
                                               "\n"
                                               "action=OFF\n"
                                               "   ip=10.0.0.1  \n"
                                               "port=7\n"
                                               "plug=5\n"
                                               "login=root\n"
                                               "passwd=\"s3cr=t\"\n"
                                               "power-timeout=3\n"
                                               "power_wait=500ms\n"
                                               "frobnicate=1\n"
                                               "nonsense line\n"
                                               "ssl_insecure=yes\n",
                                               0, NULL);

    assert_non_null(opts);
    assert_string_equal(myha_fence_opts_action(opts), "off");
    assert_string_equal(myha_fence_opts_str(opts, "ip"), "10.0.0.1");
    assert_string_equal(myha_fence_opts_plug(opts), "5"); // last wins
    assert_string_equal(myha_fence_opts_str(opts, "username"), "root");
    assert_string_equal(myha_fence_opts_str(opts, "password"), "s3cr=t");
    assert_int_equal(myha_fence_opts_num(opts, "power_timeout"), 3000);
    assert_int_equal(myha_fence_opts_num(opts, "power_wait"), 500);
    assert_int_equal(myha_fence_opts_num(opts, "ssl_insecure"), 1);
    assert_int_equal(myha_fence_opts_num(opts, "ipport"), 623); // default
    assert_false(myha_is_fence_opt_set(opts, "ipport"));
    assert_int_equal(myha_fence_opts_n_ignored(opts), 2);
    assert_string_equal(myha_fence_opts_ignored(opts, 0), "frobnicate");
    assert_string_equal(myha_fence_opts_ignored(opts, 1), "nonsense line");
    assert_null(myha_fence_opts_ignored(opts, 2));
    myha_fence_opts_free(opts);
}

static void
stdin_defaults_and_nodename(void **state)
{
    struct myha_fence_opts *opts =
        parse_stdin(&agent, "nodename=node1\nip=h\n", 0, NULL);

    assert_string_equal(myha_fence_opts_action(opts), "reboot");
    assert_string_equal(myha_fence_opts_plug(opts), "node1");
    assert_int_equal(myha_fence_opts_num(opts, "power_timeout"), 20000);
    assert_int_equal(myha_fence_opts_num(opts, "verbose"), 0);
    myha_fence_opts_free(opts);

    // plug is preferred over nodename, as the API says
    opts = parse_stdin(&agent, "nodename=node1\nport=9\n", 0, NULL);
    assert_string_equal(myha_fence_opts_plug(opts), "9");
    myha_fence_opts_free(opts);

    opts = parse_stdin(&agent, "action=meta-data\nipport=abc\n", 0, NULL);
    assert_string_equal(myha_fence_opts_action(opts), "metadata");
    myha_fence_opts_free(opts);
}

static void
stdin_bad_values(void **state)
{
    char *reason = NULL;

    assert_null(parse_stdin(&agent, "action=off\nipport=abc\n", myha_rc_invalid,
                            &reason));
    assert_string_equal(reason, "ipport 'abc' is not an integer");
    free(reason);

    assert_null(parse_stdin(&agent, "action=off\nmethod=smash\n",
                            myha_rc_invalid, &reason));
    assert_non_null(strstr(reason, "method 'smash'"));
    free(reason);

    assert_null(
        parse_stdin(&agent, "action=explode\n", myha_rc_invalid, &reason));
    assert_string_equal(reason, "unknown action 'explode'");
    free(reason);

    assert_null(parse_stdin(&agent, "delay=soon\n", myha_rc_invalid, &reason));
    assert_non_null(strstr(reason, "delay 'soon'"));
    free(reason);

    // list needs a multi-port device
    assert_null(
        parse_stdin(&agent_nolist, "action=list\n", myha_rc_invalid, &reason));
    free(reason);
}

static void
argv_basic(void **state)
{
    char secret[] = "hunter2";
    char *argv[] = { (char *) "fence_fake",
                     (char *) "-o",
                     (char *) "Status",
                     (char *) "-a",
                     (char *) "bmc1",
                     (char *) "--plug=5",
                     (char *) "-l",
                     (char *) "admin",
                     (char *) "-p",
                     secret,
                     (char *) "--power-timeout",
                     (char *) "4",
                     (char *) "-v",
                     (char *) "--ssl-insecure",
                     NULL };
    struct myha_fence_opts *opts = NULL;
    char *reason = NULL;

    assert_int_equal(
        myha_fence_opts_parse(&agent, 14, argv, NULL, &opts, &reason), 0);
    assert_string_equal(myha_fence_opts_action(opts), "status");
    assert_string_equal(myha_fence_opts_str(opts, "ip"), "bmc1");
    assert_string_equal(myha_fence_opts_plug(opts), "5");
    assert_string_equal(myha_fence_opts_str(opts, "password"), "hunter2");
    assert_string_equal(secret, "xxxxxxx"); // gone from the process list
    assert_int_equal(myha_fence_opts_num(opts, "power_timeout"), 4000);
    assert_int_equal(myha_fence_opts_num(opts, "verbose"), 1);
    assert_int_equal(myha_fence_opts_num(opts, "ssl_insecure"), 1);
    assert_int_equal(myha_fence_opts_n_ignored(opts), 0);
    myha_fence_opts_free(opts);
}

static void
argv_errors(void **state)
{
    char *argv1[] = { (char *) "fence_fake", (char *) "--bogus", NULL };
    char *argv2[] = { (char *) "fence_fake", (char *) "-o", NULL };
    char *argv3[] = { (char *) "fence_fake", (char *) "-o", (char *) "off",
                      (char *) "extra", NULL };
    struct myha_fence_opts *opts = NULL;
    char *reason = NULL;

    assert_int_equal(
        myha_fence_opts_parse(&agent, 2, argv1, NULL, &opts, &reason),
        myha_rc_invalid);
    assert_string_equal(reason, "unknown option '--bogus' (see --help)");
    free(reason);
    reason = NULL;
    assert_int_equal(
        myha_fence_opts_parse(&agent, 2, argv2, NULL, &opts, &reason),
        myha_rc_invalid);
    assert_string_equal(reason, "option '-o' needs a value");
    free(reason);
    reason = NULL;
    assert_int_equal(
        myha_fence_opts_parse(&agent, 4, argv3, NULL, &opts, &reason),
        myha_rc_invalid);
    assert_string_equal(reason, "unexpected argument 'extra'");
    free(reason);
    assert_null(opts);
}

static void
validate_requirements(void **state)
{
    struct myha_fence_opts *opts = NULL;
    char *reason = NULL;

    opts = parse_stdin(&agent, "action=off\nplug=5\npassword=x\n", 0, NULL);
    assert_int_equal(myha_fence_opts_validate(opts, &reason), myha_rc_invalid);
    assert_string_equal(reason, "option ip is required");
    free(reason);
    myha_fence_opts_free(opts);

    opts = parse_stdin(&agent, "action=off\nip=h\npassword=x\n", 0, NULL);
    assert_int_equal(myha_fence_opts_validate(opts, &reason), myha_rc_invalid);
    assert_string_equal(reason, "action 'off' needs plug (or nodename)");
    free(reason);
    myha_fence_opts_free(opts);

    opts = parse_stdin(&agent, "action=list\nip=h\n", 0, NULL);
    assert_int_equal(myha_fence_opts_validate(opts, &reason), myha_rc_invalid);
    assert_non_null(strstr(reason, "no password"));
    free(reason);
    myha_fence_opts_free(opts);

    opts =
        parse_stdin(&agent, "action=list\nip=h\npassword_file=/x\n", 0, NULL);
    reason = NULL;
    assert_int_equal(myha_fence_opts_validate(opts, &reason), 0);
    assert_null(reason);
    myha_fence_opts_free(opts);
}

static void
metadata_valid(void **state)
{
    const char *rng = getenv("MYHA_TEST_FENCE_RNG");
    char *xml = NULL;
    xmlDocPtr doc = NULL;
    xmlRelaxNGParserCtxtPtr pctx = NULL;
    xmlRelaxNGPtr schema = NULL;
    xmlRelaxNGValidCtxtPtr vctx = NULL;

    if (rng == NULL) {
        rng = "/usr/share/cluster/relaxng/metadata.rng";
    }
    assert_int_equal(myha_fence_metadata_xml(&agent, &xml), 0);
    assert_non_null(strstr(xml, "<resource-agent name=\"fence_fake\""));
    assert_non_null(strstr(xml, "<parameter name=\"plug\" unique=\"0\" "
                                "required=\"1\" obsoletes=\"port\">"));
    assert_non_null(strstr(xml, "<parameter name=\"port\" unique=\"0\" "
                                "required=\"1\" deprecated=\"1\">"));
    assert_non_null(strstr(xml, "<getopt mixed=\"-n, --plug=[id]\" />"));
    assert_non_null(strstr(xml, "<getopt mixed=\"--ssl-insecure\" />"));
    assert_non_null(strstr(xml, "<content type=\"second\" default=\"20\" />"));
    assert_non_null(strstr(xml, "&lt;device&gt; &amp; &quot;more&quot;"));
    assert_non_null(strstr(xml, "<action name=\"on\" automatic=\"0\" />"));
    assert_non_null(strstr(xml, "<action name=\"list-status\" />"));

    doc = xmlReadMemory(xml, (int) strlen(xml), "metadata.xml", NULL, 0);
    assert_non_null(doc);
    pctx = xmlRelaxNGNewParserCtxt(rng);
    schema = xmlRelaxNGParse(pctx);
    assert_non_null(schema);
    vctx = xmlRelaxNGNewValidCtxt(schema);
    assert_int_equal(xmlRelaxNGValidateDoc(vctx, doc), 0);
    xmlRelaxNGFreeValidCtxt(vctx);
    xmlRelaxNGFree(schema);
    xmlRelaxNGFreeParserCtxt(pctx);
    xmlFreeDoc(doc);
    free(xml);

    // A single-port agent advertises no list
    assert_int_equal(myha_fence_metadata_xml(&agent_nolist, &xml), 0);
    assert_null(strstr(xml, "\"list\""));
    free(xml);
}

static void
exit_statuses(void **state)
{
    assert_int_equal(myha_fence_exit_status("status", 0, myha_fence_power_on),
                     0);
    assert_int_equal(myha_fence_exit_status("status", 0, myha_fence_power_off),
                     2);
    assert_int_equal(
        myha_fence_exit_status("status", 0, myha_fence_power_unknown), 1);
    assert_int_equal(myha_fence_exit_status("status", EIO, myha_fence_power_on),
                     1);
    assert_int_equal(
        myha_fence_exit_status("monitor", 0, myha_fence_power_unknown), 0);
    // monitor: the device answered; the machine being off is no failure
    assert_int_equal(myha_fence_exit_status("monitor", 0, myha_fence_power_off),
                     0);
    assert_int_equal(myha_fence_exit_status("off", 0, myha_fence_power_unknown),
                     0);
    assert_int_equal(
        myha_fence_exit_status("off", ETIMEDOUT, myha_fence_power_unknown), 1);
    assert_int_equal(myha_fence_exit_status("reboot", myha_rc_invalid,
                                            myha_fence_power_unknown),
                     1);
    assert_int_equal(
        myha_fence_exit_status("metadata", 0, myha_fence_power_unknown), 0);
}

// Run an action on the fake device; output in *ret_out (caller frees)
static int
run(const struct myha_fence_agent *a, struct fake *f, const char *input,
    enum myha_fence_power *ret_power, char **ret_out, char **ret_reason)
{
    struct myha_fence_opts *opts = parse_stdin(a, input, 0, NULL);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    int rc = 0;

    assert_non_null(out);
    *ret_reason = NULL;
    rc = myha_fence_run(a, opts, f, out, ret_power, ret_reason);
    fclose(out);
    *ret_out = text;
    myha_fence_opts_free(opts);
    return rc;
}

#define BASE "ip=h\npassword=pw\nplug=5\nstonith_status_sleep=20ms\n"

static void
run_off_verified(void **state)
{
    struct fake f = { .power = myha_fence_power_on };
    enum myha_fence_power power = myha_fence_power_unknown;
    char *out = NULL;
    char *reason = NULL;

    assert_int_equal(
        run(&agent, &f, BASE "action=off\n", &power, &out, &reason), 0);
    assert_string_equal(out, "Success: Powered OFF\n");
    assert_int_equal(f.power, myha_fence_power_off);
    assert_int_equal(f.sets, 1);
    free(out);

    assert_int_equal(
        run(&agent, &f, BASE "action=off\n", &power, &out, &reason), 0);
    assert_string_equal(out, "Success: Already OFF\n");
    assert_int_equal(f.sets, 1);
    free(out);

    assert_int_equal(
        run(&agent, &f, BASE "action=status\n", &power, &out, &reason), 0);
    assert_string_equal(out, "Status: OFF\n");
    assert_int_equal(myha_fence_exit_status("status", 0, power), 2);
    free(out);

    assert_int_equal(run(&agent, &f, BASE "action=on\n", &power, &out, &reason),
                     0);
    assert_string_equal(out, "Success: Powered ON\n");
    free(out);
    free(f.password_seen);
}

static void
run_off_times_out(void **state)
{
    struct fake f = { .power = myha_fence_power_on, .never_off = true };
    enum myha_fence_power power = myha_fence_power_unknown;
    struct timespec t0 = { 0 };
    struct timespec t1 = { 0 };
    char *out = NULL;
    char *reason = NULL;
    long long elapsed = 0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(run(&agent, &f, BASE "action=off\npower_timeout=300ms\n",
                         &power, &out, &reason),
                     ETIMEDOUT);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    elapsed =
        (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    // Not before power_timeout (less a millisecond of clock truncation);
    // how long after is for benchmarks, not test verdicts
    assert_true(elapsed >= 299);
    assert_non_null(strstr(reason, "'5' did not power off within"));
    assert_string_equal(out, "");
    free(reason);
    free(out);
    free(f.password_seen);
}

static void
run_reboot_on_fails(void **state)
{
    struct fake f = { .power = myha_fence_power_on, .on_fails = true };
    enum myha_fence_power power = myha_fence_power_unknown;
    char *out = NULL;
    char *reason = NULL;

    // Off worked, so the node is fenced: success with a warning
    assert_int_equal(
        run(&agent, &f, BASE "action=reboot\n", &power, &out, &reason), 0);
    assert_string_equal(out, "Success: Rebooted\n");
    assert_non_null(reason);
    assert_non_null(strstr(reason, "did not power on again"));
    assert_int_equal(f.power, myha_fence_power_off);
    free(reason);
    free(out);
    free(f.password_seen);
}

static void
run_list_and_errors(void **state)
{
    struct fake f = { .power = myha_fence_power_on };
    enum myha_fence_power power = myha_fence_power_unknown;
    char *out = NULL;
    char *reason = NULL;

    assert_int_equal(
        run(&agent, &f, BASE "action=list\n", &power, &out, &reason), 0);
    assert_string_equal(out, "5,alpha\n6,beta\n");
    free(out);
    assert_int_equal(run(&agent, &f, BASE "action=list-status\nseparator=;\n",
                         &power, &out, &reason),
                     0);
    assert_string_equal(out, "5;alpha;ON\n6;beta;UNKNOWN\n");
    free(out);
    assert_int_equal(
        run(&agent, &f, BASE "action=monitor\n", &power, &out, &reason), 0);
    assert_string_equal(out, "");
    free(out);

    // Single-port monitor reads the power state: off is an answer
    f.power = myha_fence_power_off;
    assert_int_equal(
        run(&agent_nolist, &f, BASE "action=monitor\n", &power, &out, &reason),
        0);
    assert_int_equal(power, myha_fence_power_off);
    assert_int_equal(myha_fence_exit_status("monitor", 0, power), 0);
    free(out);

    assert_int_equal(run(&agent, &f,
                         "ip=h\npassword=pw\nplug=77\naction=status\n", &power,
                         &out, &reason),
                     ENOENT);
    assert_string_equal(reason, "no such plug");
    free(reason);
    free(out);

    assert_int_equal(
        run(&agent, &f, "plug=5\naction=validate-all\n", &power, &out, &reason),
        myha_rc_invalid);
    free(reason);
    free(out);
    assert_int_equal(
        run(&agent, &f, BASE "action=validate-all\n", &power, &out, &reason),
        0);
    assert_string_equal(out, "");
    free(out);
    assert_int_equal(
        run(&agent, &f, "action=metadata\n", &power, &out, &reason), 0);
    assert_non_null(strstr(out, "<resource-agent name=\"fence_fake\""));
    free(out);
    free(f.password_seen);
}

static void
passwords(void **state)
{
    struct fake f = { .power = myha_fence_power_on };
    enum myha_fence_power power = myha_fence_power_unknown;
    char path[] = "/tmp/myha-fence-pw.XXXXXX";
    int fd = mkstemp(path);
    char *out = NULL;
    char *reason = NULL;
    char *input = NULL;
    struct myha_fence_opts *opts = NULL;
    char *password = NULL;

    assert_true(fd >= 0);
    assert_int_equal(write(fd, "from-file\nsecond line\n", 22), 22);
    close(fd);

    // The script wins over the password, as with fence-agents
    assert_int_equal(run(&agent, &f,
                         "ip=h\nplug=5\naction=status\npassword=plain\n"
                         "password_script=printf 'from-script\\n'\n",
                         &power, &out, &reason),
                     0);
    assert_string_equal(f.password_seen, "from-script");
    free(f.password_seen);
    free(out);

    input = calloc(1, 256);
    snprintf(input, 256, "ip=h\nplug=5\naction=status\npassword_file=%s\n",
             path);
    opts = parse_stdin(&agent, input, 0, NULL);
    assert_int_equal(myha_fence_password(opts, &password, &reason), 0);
    assert_string_equal(password, "from-file");
    myha_fence_password_free(password);
    myha_fence_opts_free(opts);
    free(input);
    unlink(path);

    opts = parse_stdin(&agent, "password_script=exit 3\n", 0, NULL);
    assert_int_equal(myha_fence_password(opts, &password, &reason),
                     myha_rc_child_failed);
    assert_string_equal(reason,
                        "password_script 'exit 3' failed (exit status 3)");
    free(reason);
    myha_fence_opts_free(opts);

    opts = parse_stdin(&agent, "password_file=/nonexistent/pw\n", 0, NULL);
    assert_int_equal(myha_fence_password(opts, &password, &reason), ENOENT);
    assert_non_null(strstr(reason, "cannot open password_file"));
    free(reason);
    myha_fence_opts_free(opts);

    opts = parse_stdin(&agent, "ip=h\n", 0, NULL);
    password = (char *) "unchanged";
    assert_int_equal(myha_fence_password(opts, &password, &reason), 0);
    assert_null(password);
    myha_fence_opts_free(opts);
}

static void
usage_lists_options(void **state)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);

    myha_fence_usage(&agent, out);
    fclose(out);
    assert_non_null(strstr(text, "-n, --plug=[id]"));
    assert_non_null(strstr(text, "--power-timeout=[seconds]"));
    free(text);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stdin_basic),
        cmocka_unit_test(stdin_defaults_and_nodename),
        cmocka_unit_test(stdin_bad_values),
        cmocka_unit_test(argv_basic),
        cmocka_unit_test(argv_errors),
        cmocka_unit_test(validate_requirements),
        cmocka_unit_test(metadata_valid),
        cmocka_unit_test(exit_statuses),
        cmocka_unit_test(run_off_verified),
        cmocka_unit_test(run_off_times_out),
        cmocka_unit_test(run_reboot_on_fails),
        cmocka_unit_test(run_list_and_errors),
        cmocka_unit_test(passwords),
        cmocka_unit_test(usage_lists_options),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
