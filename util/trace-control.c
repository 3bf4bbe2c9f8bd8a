/*
 * Run-time switches of the log trace backend: a registry of the events of
 * every trace group and glob patterns that turn them on and off.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/trace-control.h"
#include "trace.h"

static GPtrArray *trace_groups;

void trace_event_register_group(TraceEvent *events)
{
    if (!trace_groups) {
        trace_groups = g_ptr_array_new();
    }
    g_ptr_array_add(trace_groups, events);
}

void trace_foreach_event(void (*fn)(const char *name, bool enabled,
                                    void *opaque), void *opaque)
{
    for (guint g = 0; trace_groups && g < trace_groups->len; g++) {
        TraceEvent *ev = g_ptr_array_index(trace_groups, g);

        for (; ev->name; ev++) {
            fn(ev->name, *ev->dstate, opaque);
        }
    }
}

int trace_enable_events(const char *patterns)
{
    g_auto(GStrv) list = g_strsplit(patterns, ",", -1);
    int matched = 0;

    for (char **p = list; *p; p++) {
        const char *pat = *p;
        bool enable = true;

        if (pat[0] == '-') {
            enable = false;
            pat++;
        }
        if (!pat[0]) {
            continue;
        }
        for (guint g = 0; trace_groups && g < trace_groups->len; g++) {
            TraceEvent *ev = g_ptr_array_index(trace_groups, g);

            for (; ev->name; ev++) {
                if (g_pattern_match_simple(pat, ev->name)) {
                    *ev->dstate = enable;
                    matched++;
                }
            }
        }
    }
    trace_trace_enable_events(patterns, matched);
    return matched;
}

void trace_init_from_env(void)
{
    const char *env = g_getenv("QEMU_TRACE");

    if (env && *env) {
        trace_enable_events(env);
    }
}

void qemu_trace_log(const char *fmt, ...)
{
    va_list ap;
    gint64 now = g_get_real_time();

    fprintf(stderr, "%d@%" PRId64 ".%06" PRId64 ":", (int)getpid(),
            now / G_USEC_PER_SEC, now % G_USEC_PER_SEC);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}
