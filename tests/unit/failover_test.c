/*
 * Unit tests for lib/failover.c: every branch of the promote decision,
 * with the exact reason it gives.
 */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <myha/cluster.h>

// 2026-11-21T04:00:00Z and one hour later
#define T_PROMOTED ((time_t) 1795233600)
#define T_LATER ((time_t) 1795237200)
#define T_EARLIER ((time_t) 1795230000)

#define REFUSE_TAIL \
    ": refusing to promote (set fence_unreachable_primary=true to fence it)"
#define FENCE_TAIL ": fencing it before promoting"

static void
expect_decision(const struct myha_failover_input *input,
                enum myha_failover_action action, const char *reason)
{
    enum myha_failover_action got = myha_failover_refuse;
    char *got_reason = NULL;

    assert_int_equal(myha_failover_decide(input, &got, &got_reason), 0);
    assert_int_equal(got, action);
    assert_string_equal(got_reason, reason);
    free(got_reason);
}

// The old primary 'node1', unreachable, out of the membership, fenced after
// it became primary: the one unreachable case that proceeds
static struct myha_failover_input
fenced_primary(void)
{
    struct myha_failover_input input = {
        .old_primary = "node1",
        .local_node = "node2",
        .reachable = false,
        .made_read_only = false,
        .in_membership = false,
        .fenced_at = T_LATER,
        .primary_since = T_PROMOTED,
        .fence_unreachable_primary = false,
    };

    return input;
}

static void
no_primary_proceeds(void **state)
{
    struct myha_failover_input input = { .old_primary = NULL };

    expect_decision(&input, myha_failover_proceed_no_primary,
                    "no primary is recorded: nothing to demote or fence");
    input.old_primary = "";
    input.in_membership = true;
    expect_decision(&input, myha_failover_proceed_no_primary,
                    "no primary is recorded: nothing to demote or fence");
}

static void
self_was_primary_proceeds(void **state)
{
    struct myha_failover_input input = fenced_primary();

    input.old_primary = "node2";
    input.fenced_at = 0;
    input.in_membership = true;
    expect_decision(&input, myha_failover_proceed_no_primary,
                    "this node 'node2' was the primary: nothing to demote or "
                    "fence");
}

static void
reachable_read_only_proceeds(void **state)
{
    struct myha_failover_input input = fenced_primary();

    input.reachable = true;
    input.made_read_only = true;
    input.in_membership = true;
    input.fenced_at = 0;
    expect_decision(&input, myha_failover_proceed_demoted,
                    "old primary 'node1' is read-only and its writers have "
                    "ended");
}

static void
reachable_not_read_only_refuses(void **state)
{
    struct myha_failover_input input = fenced_primary();

    input.reachable = true;
    input.made_read_only = false;
    input.in_membership = true;
    // Neither fencing history nor the parameter overrides a writable server
    input.fence_unreachable_primary = true;
    expect_decision(&input, myha_failover_refuse,
                    "old primary 'node1' is reachable but could not be made "
                    "read-only: refusing to promote");
}

static void
unreachable_in_membership(void **state)
{
    struct myha_failover_input input = fenced_primary();

    input.in_membership = true;
    expect_decision(&input, myha_failover_refuse,
                    "old primary 'node1' is unreachable but still in the "
                    "corosync membership" REFUSE_TAIL);
    input.fence_unreachable_primary = true;
    expect_decision(&input, myha_failover_fence,
                    "old primary 'node1' is unreachable but still in the "
                    "corosync membership" FENCE_TAIL);
}

static void
unreachable_never_fenced(void **state)
{
    struct myha_failover_input input = fenced_primary();

    input.fenced_at = 0;
    expect_decision(&input, myha_failover_refuse,
                    "old primary 'node1' is unreachable and out of the "
                    "corosync membership but was never fenced" REFUSE_TAIL);
    input.fence_unreachable_primary = true;
    expect_decision(&input, myha_failover_fence,
                    "old primary 'node1' is unreachable and out of the "
                    "corosync membership but was never fenced" FENCE_TAIL);
}

static void
unreachable_since_unknown(void **state)
{
    struct myha_failover_input input = fenced_primary();

    input.primary_since = 0;
    expect_decision(&input, myha_failover_refuse,
                    "old primary 'node1' is unreachable and out of the "
                    "corosync membership, and was fenced at "
                    "2026-11-21T05:00:00Z, but when it became primary is "
                    "unknown" REFUSE_TAIL);
    input.fence_unreachable_primary = true;
    expect_decision(&input, myha_failover_fence,
                    "old primary 'node1' is unreachable and out of the "
                    "corosync membership, and was fenced at "
                    "2026-11-21T05:00:00Z, but when it became primary is "
                    "unknown" FENCE_TAIL);
}

static void
unreachable_fenced_before_promotion(void **state)
{
    struct myha_failover_input input = fenced_primary();

    input.fenced_at = T_EARLIER;
    expect_decision(&input, myha_failover_refuse,
                    "old primary 'node1' is unreachable and out of the "
                    "corosync membership but was last fenced at "
                    "2026-11-21T03:00:00Z, before it became primary at "
                    "2026-11-21T04:00:00Z" REFUSE_TAIL);
    input.fence_unreachable_primary = true;
    expect_decision(&input, myha_failover_fence,
                    "old primary 'node1' is unreachable and out of the "
                    "corosync membership but was last fenced at "
                    "2026-11-21T03:00:00Z, before it became primary at "
                    "2026-11-21T04:00:00Z" FENCE_TAIL);
}

static void
unreachable_fenced_after_promotion_proceeds(void **state)
{
    struct myha_failover_input input = fenced_primary();
    const char *reason = "old primary 'node1' is unreachable, out of the "
                         "corosync membership, and was fenced at "
                         "2026-11-21T05:00:00Z, after it became primary at "
                         "2026-11-21T04:00:00Z";

    expect_decision(&input, myha_failover_proceed_fenced, reason);
    // The parameter does not matter once fencing is proven
    input.fence_unreachable_primary = true;
    expect_decision(&input, myha_failover_proceed_fenced, reason);
    // Nor does whether the dead server was made read-only
    input.made_read_only = true;
    expect_decision(&input, myha_failover_proceed_fenced, reason);
    // Fenced in the very second it became primary counts as after
    input.fenced_at = T_PROMOTED;
    expect_decision(&input, myha_failover_proceed_fenced,
                    "old primary 'node1' is unreachable, out of the corosync "
                    "membership, and was fenced at 2026-11-21T04:00:00Z, "
                    "after it became primary at 2026-11-21T04:00:00Z");
}

static void
local_node_unknown_is_not_self(void **state)
{
    struct myha_failover_input input = fenced_primary();

    input.local_node = NULL;
    input.in_membership = true;
    expect_decision(&input, myha_failover_refuse,
                    "old primary 'node1' is unreachable but still in the "
                    "corosync membership" REFUSE_TAIL);
}

static void
bad_arguments(void **state)
{
    struct myha_failover_input input = fenced_primary();
    enum myha_failover_action action = myha_failover_fence;
    char *reason = NULL;

    assert_int_equal(myha_failover_decide(NULL, &action, &reason), EINVAL);
    assert_int_equal(myha_failover_decide(&input, NULL, &reason), EINVAL);
    assert_int_equal(myha_failover_decide(&input, &action, NULL), EINVAL);
    assert_int_equal(action, myha_failover_fence);
    assert_null(reason);
}

static void
action_names_and_proceed(void **state)
{
    assert_true(myha_is_failover_proceed(myha_failover_proceed_no_primary));
    assert_true(myha_is_failover_proceed(myha_failover_proceed_demoted));
    assert_true(myha_is_failover_proceed(myha_failover_proceed_fenced));
    assert_false(myha_is_failover_proceed(myha_failover_fence));
    assert_false(myha_is_failover_proceed(myha_failover_refuse));
    assert_string_equal(myha_failover_action_str(myha_failover_refuse),
                        "refuse");
    assert_string_equal(myha_failover_action_str(myha_failover_fence),
                        "fence old primary");
    assert_string_equal(myha_failover_action_str(myha_failover_proceed_fenced),
                        "proceed (old primary fenced)");
    assert_string_equal(myha_failover_action_str(myha_failover_proceed_demoted),
                        "proceed (old primary demoted)");
    assert_string_equal(
        myha_failover_action_str(myha_failover_proceed_no_primary),
        "proceed (no primary)");
    assert_string_equal(
        myha_failover_action_str((enum myha_failover_action) 99), "unknown");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_primary_proceeds),
        cmocka_unit_test(self_was_primary_proceeds),
        cmocka_unit_test(reachable_read_only_proceeds),
        cmocka_unit_test(reachable_not_read_only_refuses),
        cmocka_unit_test(unreachable_in_membership),
        cmocka_unit_test(unreachable_never_fenced),
        cmocka_unit_test(unreachable_since_unknown),
        cmocka_unit_test(unreachable_fenced_before_promotion),
        cmocka_unit_test(unreachable_fenced_after_promotion_proceeds),
        cmocka_unit_test(local_node_unknown_is_not_self),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(action_names_and_proceed),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
