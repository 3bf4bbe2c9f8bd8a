/*
 * Tests of run-time trace control: patterns turn generated trace points
 * on and off, and an enabled point writes its line to stderr.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/trace-control.h"

static void count_enabled(const char *name, bool enabled, void *opaque)
{
    if (enabled && g_str_equal(name, "trace_enable_events")) {
        (*(int *)opaque)++;
    }
}

static int enabled_count(void)
{
    int n = 0;

    trace_foreach_event(count_enabled, &n);
    return n;
}

static void test_pattern_enables_and_disables(void)
{
    g_assert_cmpint(enabled_count(), ==, 0);
    g_assert_cmpint(trace_enable_events("trace_*"), >=, 1);
    g_assert_cmpint(enabled_count(), ==, 1);
    g_assert_cmpint(trace_enable_events("-trace_enable_*"), >=, 1);
    g_assert_cmpint(enabled_count(), ==, 0);
    g_assert_cmpint(trace_enable_events("no_such_event_*"), ==, 0);
}

static void test_enabled_event_logs(void)
{
    if (g_test_subprocess()) {
        trace_enable_events("trace_enable_events");
        trace_enable_events("xyz_nothing");
        return;
    }
    g_test_trap_subprocess(NULL, 0, 0);
    g_test_trap_assert_passed();
    g_test_trap_assert_stderr("*trace_enable_events patterns xyz_nothing "
                              "matched 0 events*");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/trace/pattern-enables-and-disables",
                    test_pattern_enables_and_disables);
    g_test_add_func("/trace/enabled-event-logs", test_enabled_event_logs);
    return g_test_run();
}
