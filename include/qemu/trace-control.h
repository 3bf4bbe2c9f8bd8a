/*
 * Run-time control of the "log" trace backend: generated trace.c files
 * register their events here; patterns such as "xenstore_*" turn them on.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_TRACE_CONTROL_H
#define QEMU_TRACE_CONTROL_H

typedef struct TraceEvent {
    const char *name;
    bool *dstate;
} TraceEvent;

/* Called from each generated trace.c; the table ends with a NULL name. */
void trace_event_register_group(TraceEvent *events);

/*
 * Enable (or, with a leading '-', disable) every event whose name matches
 * one of the comma-separated glob patterns.  Returns the number of events
 * whose state matched; 0 means the pattern named nothing.
 */
int trace_enable_events(const char *patterns);

/* Apply $QEMU_TRACE if set (the same pattern syntax). */
void trace_init_from_env(void);

/* Call fn for every registered event, in registration order. */
void trace_foreach_event(void (*fn)(const char *name, bool enabled,
                                    void *opaque), void *opaque);

/* The log backend's output: one line on stderr, with a timestamp. */
void qemu_trace_log(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

#endif
