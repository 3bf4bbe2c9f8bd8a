/*
 * Tests of the bounded watch-event queue on its own: order, merging of
 * identical pending events, the bound and which event it drops, owners,
 * and the wire size it keeps.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/xenstore_wire.h"
#include "hw/xen/xenstore_events.h"

/* What the drop function saw, as "path|token" strings. */
typedef struct Drops {
    GPtrArray *seen;
} Drops;

static void record_drop(void *opaque, const XsEvent *ev)
{
    Drops *d = opaque;

    g_ptr_array_add(d->seen, g_strdup_printf("%s|%s", ev->path, ev->token));
}

static void drops_init(Drops *d)
{
    d->seen = g_ptr_array_new_with_free_func(g_free);
}

static void drops_destroy(Drops *d)
{
    g_ptr_array_unref(d->seen);
}

/* Pop every event and check they are @want ("path|token"), in order. */
static void expect_queue(XsEventQueue *q, const char *const *want)
{
    size_t i;

    for (i = 0; want[i]; i++) {
        g_autoptr(XsEvent) ev = xs_event_queue_pop(q);
        g_autofree char *got = NULL;

        g_assert_nonnull(ev);
        got = g_strdup_printf("%s|%s", ev->path, ev->token);
        g_assert_cmpstr(got, ==, want[i]);
    }
    g_assert_null(xs_event_queue_pop(q));
    g_assert_cmpuint(xs_event_queue_length(q), ==, 0);
    g_assert_cmpuint(xs_event_queue_wire_bytes(q), ==, 0);
}

static void push_queued(XsEventQueue *q, void *owner, const char *path,
                        const char *token)
{
    g_assert_cmpint(xs_event_queue_push(q, owner, path, token), ==,
                    XS_EVENT_QUEUED);
}

static void push_merged(XsEventQueue *q, void *owner, const char *path,
                        const char *token)
{
    g_assert_cmpint(xs_event_queue_push(q, owner, path, token), ==,
                    XS_EVENT_MERGED);
}

static void test_order(void)
{
    g_autoptr(XsEventQueue) q = xs_event_queue_new(10, NULL, NULL);

    g_assert_null(xs_event_queue_pop(q));
    push_queued(q, NULL, "/a", "t");
    push_queued(q, NULL, "/b", "t");
    push_queued(q, NULL, "/a", "u");
    push_queued(q, NULL, "/c", NULL);
    g_assert_cmpuint(xs_event_queue_length(q), ==, 4);
    expect_queue(q, (const char *[]) { "/a|t", "/b|t", "/a|u", "/c|",
                                       NULL });
}

static void test_merge(void)
{
    g_autoptr(XsEventQueue) q = xs_event_queue_new(10, NULL, NULL);
    int a, b;

    push_queued(q, NULL, "/a", "t");
    push_queued(q, NULL, "/b", "t");
    /* Identical: merged into the pending one, which keeps its place. */
    push_merged(q, NULL, "/a", "t");
    /* A NULL token is the empty one. */
    push_queued(q, NULL, "/c", NULL);
    push_merged(q, NULL, "/c", "");
    /* The pieces may not run together: "/ab" + "" is not "/a" + "b". */
    push_queued(q, NULL, "/a", "b");
    push_queued(q, NULL, "/ab", "");
    /* Another owner's event is another event. */
    push_queued(q, &a, "/a", "t");
    push_queued(q, &b, "/a", "t");
    push_merged(q, &a, "/a", "t");
    g_assert_cmpuint(xs_event_queue_length(q), ==, 7);
    expect_queue(q, (const char *[]) { "/a|t", "/b|t", "/c|", "/a|b",
                                       "/ab|", "/a|t", "/a|t", NULL });

    /* Once taken off the queue, the same event queues again. */
    push_queued(q, NULL, "/a", "t");
    expect_queue(q, (const char *[]) { "/a|t", NULL });
}

static void test_special_not_merged(void)
{
    g_autoptr(XsEventQueue) q = xs_event_queue_new(10, NULL, NULL);

    push_queued(q, NULL, "@releaseDomain", "r");
    push_queued(q, NULL, "@introduceDomain", "i");
    push_queued(q, NULL, "@releaseDomain", "r");
    push_queued(q, NULL, "@releaseDomain", "r");
    expect_queue(q, (const char *[]) { "@releaseDomain|r",
                                       "@introduceDomain|i",
                                       "@releaseDomain|r",
                                       "@releaseDomain|r", NULL });
}

static void test_bound_drops_oldest(void)
{
    Drops d;
    XsEventQueue *q;

    drops_init(&d);
    q = xs_event_queue_new(3, record_drop, &d);
    for (int i = 0; i < 7; i++) {
        g_autofree char *path = g_strdup_printf("/n%d", i);

        push_queued(q, NULL, path, "t");
        g_assert_cmpuint(xs_event_queue_length(q), <=, 3);
    }
    /* The newest three stay; the oldest four went, oldest first. */
    g_assert_cmpuint(d.seen->len, ==, 4);
    for (guint i = 0; i < d.seen->len; i++) {
        g_autofree char *want = g_strdup_printf("/n%u|t", i);

        g_assert_cmpstr(g_ptr_array_index(d.seen, i), ==, want);
    }
    /* A dropped event is no longer pending: it queues again. */
    push_queued(q, NULL, "/n0", "t");
    g_assert_cmpuint(d.seen->len, ==, 5);
    g_assert_cmpstr(g_ptr_array_index(d.seen, 4), ==, "/n4|t");
    /* A merged event drops nothing. */
    push_merged(q, NULL, "/n6", "t");
    g_assert_cmpuint(d.seen->len, ==, 5);
    expect_queue(q, (const char *[]) { "/n5|t", "/n6|t", "/n0|t", NULL });

    /* @-events count against the bound like any other. */
    for (int i = 0; i < 5; i++) {
        push_queued(q, NULL, "@releaseDomain", "r");
    }
    g_assert_cmpuint(xs_event_queue_length(q), ==, 3);
    g_assert_cmpuint(d.seen->len, ==, 7);
    xs_event_queue_free(q);
    /* Freeing or clearing a queue drops without reporting. */
    g_assert_cmpuint(d.seen->len, ==, 7);
    drops_destroy(&d);
}

static void test_limit_changes(void)
{
    Drops d;
    XsEventQueue *q;

    drops_init(&d);
    /* A bound of 0 is 1. */
    q = xs_event_queue_new(0, record_drop, &d);
    push_queued(q, NULL, "/a", "t");
    push_queued(q, NULL, "/b", "t");
    g_assert_cmpuint(xs_event_queue_length(q), ==, 1);
    g_assert_cmpuint(d.seen->len, ==, 1);

    xs_event_queue_set_limit(q, 5);
    for (int i = 0; i < 4; i++) {
        g_autofree char *path = g_strdup_printf("/c%d", i);

        push_queued(q, NULL, path, "t");
    }
    g_assert_cmpuint(xs_event_queue_length(q), ==, 5);

    /* A lower bound leaves the queue be until the next event. */
    xs_event_queue_set_limit(q, 2);
    g_assert_cmpuint(xs_event_queue_length(q), ==, 5);
    g_assert_cmpuint(d.seen->len, ==, 1);
    /* A merged event does not trim either. */
    push_merged(q, NULL, "/c0", "t");
    g_assert_cmpuint(xs_event_queue_length(q), ==, 5);
    push_queued(q, NULL, "/d", "t");
    g_assert_cmpuint(d.seen->len, ==, 5);
    expect_queue(q, (const char *[]) { "/c3|t", "/d|t", NULL });
    xs_event_queue_free(q);
    drops_destroy(&d);
}

static void test_remove_owner(void)
{
    g_autoptr(XsEventQueue) q = xs_event_queue_new(10, NULL, NULL);
    int a, b;

    push_queued(q, &a, "/1", NULL);
    push_queued(q, &b, "/2", NULL);
    push_queued(q, &a, "/3", NULL);
    push_queued(q, &b, "/4", NULL);
    push_queued(q, &a, "/5", NULL);
    xs_event_queue_remove_owner(q, &a);
    g_assert_cmpuint(xs_event_queue_length(q), ==, 2);
    /* What it removed is no longer pending. */
    push_queued(q, &a, "/1", NULL);
    push_merged(q, &b, "/2", NULL);
    expect_queue(q, (const char *[]) { "/2|", "/4|", "/1|", NULL });

    push_queued(q, &a, "/1", NULL);
    push_queued(q, &a, "@x", NULL);
    xs_event_queue_clear(q);
    push_queued(q, &a, "/1", NULL);
    expect_queue(q, (const char *[]) { "/1|", NULL });
}

static void count_cb(void *opaque, const XsEvent *ev)
{
    GString *s = opaque;

    g_string_append_printf(s, "%s|%s;", ev->path, ev->token);
}

static void test_wire_bytes_and_foreach(void)
{
    g_autoptr(XsEventQueue) q = xs_event_queue_new(2, NULL, NULL);
    g_autoptr(GString) s = g_string_new(NULL);
    g_autoptr(XsEvent) ev = NULL;

    g_assert_cmpuint(xs_event_queue_wire_bytes(q), ==, 0);
    push_queued(q, NULL, "/ab", "tok");              /* "/ab\0tok\0" */
    g_assert_cmpuint(xs_event_queue_wire_bytes(q), ==,
                     XS_WIRE_HDR_SIZE + 8);
    push_queued(q, NULL, "/c", NULL);                /* "/c\0\0" */
    g_assert_cmpuint(xs_event_queue_wire_bytes(q), ==,
                     2 * XS_WIRE_HDR_SIZE + 8 + 4);
    /* The bound takes the dropped event's bytes away too. */
    push_queued(q, NULL, "/d", "x");                 /* "/d\0x\0" */
    g_assert_cmpuint(xs_event_queue_wire_bytes(q), ==,
                     2 * XS_WIRE_HDR_SIZE + 4 + 5);
    xs_event_queue_foreach(q, count_cb, s);
    g_assert_cmpstr(s->str, ==, "/c|;/d|x;");
    ev = xs_event_queue_pop(q);
    g_assert_cmpstr(ev->path, ==, "/c");
    g_assert_null(ev->owner);
    g_assert_cmpuint(xs_event_queue_wire_bytes(q), ==,
                     XS_WIRE_HDR_SIZE + 5);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-events/order", test_order);
    g_test_add_func("/xs-events/merge", test_merge);
    g_test_add_func("/xs-events/special-not-merged",
                    test_special_not_merged);
    g_test_add_func("/xs-events/bound-drops-oldest",
                    test_bound_drops_oldest);
    g_test_add_func("/xs-events/limit-changes", test_limit_changes);
    g_test_add_func("/xs-events/remove-owner", test_remove_owner);
    g_test_add_func("/xs-events/wire-bytes-and-foreach",
                    test_wire_bytes_and_foreach);
    return g_test_run();
}
