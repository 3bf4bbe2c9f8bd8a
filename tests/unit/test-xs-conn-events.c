/*
 * Tests of one XenStore client connection: where watch events go in
 * the output, the bounded event queue, coalescing, events too long.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_conn.h"
#include "xs-conn-client.h"

/* ---- watch events ---- */

static void test_watch_reply_then_event(void)
{
    Env *e = env_new();
    Client *c = client_new(e, DOMID_QEMU, false);

    SEND(c, XS_WATCH, 1, 0, "/w\0tok\0");
    SEND(c, XS_WRITE, 2, 0, "/w/x\0");
    SEND(c, XS_READ, 3, 0, "/w/x\0");
    pump(c, 7);
    /* The OK before the initial event; the write's event between the
     * write's reply and the next reply; replies in request order. */
    EXPECT(c, XS_WATCH, 1, "OK\0");
    EXPECT_EVENT(c, "/w\0tok\0");
    EXPECT(c, XS_WRITE, 2, "OK\0");
    EXPECT_EVENT(c, "/w/x\0tok\0");
    EXPECT(c, XS_READ, 3, "");
    g_assert_cmpuint(c->received->len, ==, 0);
    /* All of it came out of calls the transport made: no kick. */
    g_assert_cmpuint(c->kicks, ==, 0);
    client_free(c);
    env_free(e);
}

static void test_events_between_messages(void)
{
    Env *e = env_new();
    Client *a = client_new(e, DOMID_QEMU, false);
    Client *b = client_new(e, DOMID_QEMU, false);
    g_autofree char *big = g_strnfill(3000, 'v');
    g_autoptr(GByteArray) wr = g_byte_array_new();
    const uint8_t *data;
    Msg m;

    g_byte_array_append(wr, (const guint8 *)"/w\0", 3);
    g_byte_array_append(wr, (const guint8 *)big, 3000);
    roundtrip(b, XS_WRITE, 0, wr->data, wr->len, &m);
    ROUNDTRIP(a, XS_WATCH, 0, "/w\0tok\0", &m);
    pump(a, SIZE_MAX);
    g_assert(next_msg(a, &m));               /* the initial event */
    g_assert_cmpuint(a->kicks, ==, 0);

    /* Half a long reply out, then another connection fires the watch. */
    SEND(a, XS_READ, 5, 0, "/w\0");
    feed_some(a, SIZE_MAX);
    drain_some(a, 1000);
    ROUNDTRIP(b, XS_WRITE, 0, "/w/child\0", &m);
    g_assert_cmpuint(xs_conn_queued_events(a->conn), ==, 1);
    /* Only the rest of the reply is ready; no kick, output was pending. */
    g_assert_cmpuint(xs_conn_peek(a->conn, &data), ==, 16 + 3000 - 1000);
    g_assert_cmpuint(a->kicks, ==, 0);
    drain_some(a, SIZE_MAX);
    g_assert_cmpuint(xs_conn_queued_events(a->conn), ==, 0);
    pump(a, SIZE_MAX);
    expect_msg(a, XS_READ, 5, big, 3000);
    EXPECT_EVENT(a, "/w/child\0tok\0");

    /* Idle: the event is emitted at once and the transport is kicked. */
    ROUNDTRIP(b, XS_WRITE, 0, "/w/other\0", &m);
    g_assert_cmpuint(a->kicks, ==, 1);
    g_assert_cmpuint(xs_conn_peek(a->conn, &data), ==, 16 + 13);
    pump(a, SIZE_MAX);
    EXPECT_EVENT(a, "/w/other\0tok\0");
    client_free(a);
    client_free(b);
    env_free(e);
}

static void test_event_queue_bounded(void)
{
    Env *e = env_new();
    Client *g = client_new(e, GUEST, true);
    Client *b = client_new(e, DOMID_QEMU, false);
    Msg m;

    g_assert_cmpint(xs_impl_set_quota(e->s, GUEST, XS_QUOTA_WATCH_EVENTS, 5),
                    ==, 0);
    /* The guest never reads: its WATCH reply stays in the output. */
    SEND(g, XS_WATCH, 1, 0, "data\0t\0");
    feed_some(g, SIZE_MAX);
    g_assert_cmpuint(xs_conn_queued_events(g->conn), ==, 1);
    for (int i = 0; i < 20; i++) {
        char buf[64];
        int len = g_snprintf(buf, sizeof(buf), "/local/domain/1/data/n%02d",
                             i);

        roundtrip(b, XS_WRITE, 0, buf, len + 1, &m);
        g_assert_cmpuint(m.hdr.type, ==, XS_WRITE);
        g_assert_cmpuint(xs_conn_queued_events(g->conn), <=, 5);
    }
    /* 21 events, 5 kept: the newest.  The oldest went first. */
    g_assert_cmpuint(xs_conn_queued_events(g->conn), ==, 5);
    g_assert_cmpuint(xs_conn_dropped_events(g->conn), ==, 16);
    g_assert_cmpuint(g->kicks, ==, 0);
    /* What it has yet to take: the OK reply and 5 events "data/nNN|t|". */
    g_assert_cmpuint(xs_conn_pending_bytes(g->conn), ==,
                     (16 + 3) + 5 * (16 + 11));
    {
        /* A loaded copy owes the same. */
        Client *copy = client_new(e, GUEST, true);
        g_autoptr(GByteArray) saved = xs_conn_save(g->conn);

        g_assert(xs_conn_load(copy->conn, saved->data, saved->len,
                              &error_abort));
        g_assert_cmpuint(xs_conn_pending_bytes(copy->conn), ==,
                         (16 + 3) + 5 * (16 + 11));
        client_free(copy);
    }
    pump(g, SIZE_MAX);
    g_assert_cmpuint(xs_conn_pending_bytes(g->conn), ==, 0);
    EXPECT(g, XS_WATCH, 1, "OK\0");
    EXPECT_EVENT(g, "data/n15\0t\0");
    EXPECT_EVENT(g, "data/n16\0t\0");
    EXPECT_EVENT(g, "data/n17\0t\0");
    EXPECT_EVENT(g, "data/n18\0t\0");
    EXPECT_EVENT(g, "data/n19\0t\0");
    g_assert_cmpuint(g->received->len, ==, 0);

    /* With the default quota, a client that never reads holds 1024. */
    g_assert_cmpint(xs_impl_set_quota(e->s, GUEST, XS_QUOTA_WATCH_EVENTS,
                                      1024), ==, 0);
    SEND(g, XS_READ, 2, 0, "data\0");
    feed_some(g, SIZE_MAX);
    for (int i = 0; i < 3000; i++) {
        char buf[64];
        int len = g_snprintf(buf, sizeof(buf), "/local/domain/1/data/m%d", i);

        roundtrip(b, XS_WRITE, 0, buf, len + 1, &m);
    }
    g_assert_cmpuint(xs_conn_queued_events(g->conn), ==, 1024);
    g_assert_cmpuint(xs_conn_dropped_events(g->conn), ==, 16 + 3000 - 1024);
    client_free(g);
    client_free(b);
    env_free(e);
}

static void test_event_coalescing(void)
{
    Env *e = env_new();
    Client *a = client_new(e, DOMID_QEMU, false);
    Client *b = client_new(e, DOMID_QEMU, false);
    Msg m;

    ROUNDTRIP(b, XS_WRITE, 0, "/c\0", &m);
    ROUNDTRIP(a, XS_WATCH, 0, "/c\0t1\0", &m);
    EXPECT_EVENT(a, "/c\0t1\0");
    ROUNDTRIP(a, XS_WATCH, 0, "/c\0t2\0", &m);
    EXPECT_EVENT(a, "/c\0t2\0");
    ROUNDTRIP(a, XS_WATCH, 0, "@introduceDomain\0i\0", &m);
    EXPECT_EVENT(a, "@introduceDomain\0i\0");
    /* Keep a's output busy so events queue. */
    SEND(a, XS_READ, 9, 0, "/c\0");
    feed_some(a, SIZE_MAX);
    for (int i = 0; i < 10; i++) {
        ROUNDTRIP(b, XS_WRITE, 0, "/c/same\0x", &m);
        ROUNDTRIP(b, XS_INTRODUCE, 0, "5\0" "1\0" "1\0", &m);
        g_assert_cmpuint(m.hdr.type, ==, XS_INTRODUCE);
    }
    ROUNDTRIP(b, XS_WRITE, 0, "/c/other\0x", &m);
    ROUNDTRIP(b, XS_WRITE, 0, "/c/same\0y", &m);
    /* same|t1, same|t2 once each; 10 @-events; other|t1, other|t2. */
    g_assert_cmpuint(xs_conn_queued_events(a->conn), ==, 14);
    g_assert_cmpuint(xs_conn_dropped_events(a->conn), ==, 0);
    pump(a, SIZE_MAX);
    EXPECT(a, XS_READ, 9, "");
    EXPECT_EVENT(a, "/c/same\0t1\0");
    EXPECT_EVENT(a, "/c/same\0t2\0");
    for (int i = 0; i < 10; i++) {
        EXPECT_EVENT(a, "@introduceDomain\0i\0");
    }
    EXPECT_EVENT(a, "/c/other\0t1\0");
    EXPECT_EVENT(a, "/c/other\0t2\0");
    g_assert_cmpuint(a->received->len, ==, 0);
    /* Once emitted, the same pair queues again. */
    ROUNDTRIP(b, XS_WRITE, 0, "/c/same\0z", &m);
    pump(a, SIZE_MAX);
    EXPECT_EVENT(a, "/c/same\0t1\0");
    EXPECT_EVENT(a, "/c/same\0t2\0");
    client_free(a);
    client_free(b);
    env_free(e);
}

static void test_event_too_long_dropped(void)
{
    Env *e = env_new();
    Client *a = client_new(e, DOMID_QEMU, false);
    Client *b = client_new(e, DOMID_QEMU, false);
    g_autoptr(GByteArray) req = g_byte_array_new();
    g_autofree char *token = g_strnfill(4000, 't');
    g_autofree char *child = g_strdup_printf("/w/%s", token);
    const uint8_t *data;
    Msg m;

    g_byte_array_append(req, (const guint8 *)"/w\0", 3);
    g_byte_array_append(req, (const guint8 *)token, 4001);
    roundtrip(a, XS_WATCH, 0, req->data, req->len, &m);
    g_assert_cmpuint(m.hdr.type, ==, XS_WATCH);
    g_assert(next_msg(a, &m));                   /* "/w" + token fits */
    g_assert_cmpuint(m.hdr.type, ==, XS_WATCH_EVENT);
    /* "/w/ttt...": path and token together exceed 4096: dropped. */
    child[100] = '\0';
    roundtrip(b, XS_WRITE, 0, child, 101, &m);
    g_assert_cmpuint(m.hdr.type, ==, XS_WRITE);
    g_assert_cmpuint(xs_conn_peek(a->conn, &data), ==, 0);
    g_assert_cmpuint(xs_conn_queued_events(a->conn), ==, 0);
    g_assert_cmpuint(xs_conn_dropped_events(a->conn), ==, 1);
    client_free(a);
    client_free(b);
    env_free(e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-conn/events/watch-reply-first",
                    test_watch_reply_then_event);
    g_test_add_func("/xs-conn/events/between-messages",
                    test_events_between_messages);
    g_test_add_func("/xs-conn/events/bounded", test_event_queue_bounded);
    g_test_add_func("/xs-conn/events/coalescing", test_event_coalescing);
    g_test_add_func("/xs-conn/events/too-long", test_event_too_long_dropped);
    return g_test_run();
}
