/*
 * Tests of one XenStore client connection: framing of split and
 * back-to-back requests, flow control, where watch events go in the
 * output, the bounded event queue, protocol errors, reset, save/load.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_conn.h"

#define GUEST 1

/* A client on one connection, and the transport between them. */
typedef struct Client {
    XsConn *conn;
    GByteArray *to_send;        /* bytes the client wrote, not yet taken */
    GByteArray *received;       /* bytes drained from the connection */
    unsigned int kicks;
} Client;

typedef struct Env {
    XenstoreImplState *s;
} Env;

static void count_kick(void *opaque)
{
    Client *c = opaque;

    c->kicks++;
}

static Env *env_new(void)
{
    Env *e = g_new0(Env, 1);
    g_autoptr(GByteArray) empty = g_byte_array_new();
    g_autofree char *owner = xs_perm_as_string(XS_PERM_NONE, GUEST);
    GList *perms = g_list_append(NULL, owner);

    e->s = xs_impl_create(GUEST);
    g_assert_cmpint(xs_impl_write(e->s, DOMID_QEMU, XBT_NULL,
                                  "/local/domain/1/data", empty), ==, 0);
    g_assert_cmpint(xs_impl_set_perms(e->s, DOMID_QEMU, XBT_NULL,
                                      "/local/domain/1", perms), ==, 0);
    g_assert_cmpint(xs_impl_set_perms(e->s, DOMID_QEMU, XBT_NULL,
                                      "/local/domain/1/data", perms), ==, 0);
    g_list_free(perms);
    return e;
}

static void env_free(Env *e)
{
    xs_impl_destroy(e->s);
    g_free(e);
}

static Client *client_new(Env *e, unsigned int dom, bool ring)
{
    Client *c = g_new0(Client, 1);

    c->conn = xs_conn_new(e->s, dom, ring, count_kick, c);
    c->to_send = g_byte_array_new();
    c->received = g_byte_array_new();
    return c;
}

static void client_free(Client *c)
{
    xs_conn_free(c->conn);
    g_byte_array_unref(c->to_send);
    g_byte_array_unref(c->received);
    g_free(c);
}

static void client_send(Client *c, uint32_t type, uint32_t req_id,
                        uint32_t tx, const void *payload, size_t len)
{
    struct xsd_sockmsg hdr = {
        .type = type, .req_id = req_id, .tx_id = tx, .len = len,
    };

    g_byte_array_append(c->to_send, (const guint8 *)&hdr, sizeof(hdr));
    g_byte_array_append(c->to_send, payload, len);
}

#define SEND(c, type, req_id, tx, lit) \
    client_send((c), (type), (req_id), (tx), (lit), sizeof(lit) - 1)

/* Feed at most @max bytes of what the client wrote; returns how many. */
static size_t feed_some(Client *c, size_t max)
{
    size_t n = xs_conn_feed(c->conn, c->to_send->data,
                            MIN(max, c->to_send->len));

    g_byte_array_remove_range(c->to_send, 0, n);
    return n;
}

/* Drain at most @max output bytes into c->received; returns how many. */
static size_t drain_some(Client *c, size_t max)
{
    const uint8_t *data;
    size_t n = xs_conn_peek(c->conn, &data);

    n = MIN(n, max);
    g_byte_array_append(c->received, data, n);
    xs_conn_consume(c->conn, n);
    return n;
}

/* Drain exactly @n output bytes, across message boundaries. */
static void drain_exactly(Client *c, size_t n)
{
    while (n) {
        size_t got = drain_some(c, n);

        g_assert_cmpuint(got, >, 0);
        n -= got;
    }
}

/* The transport loop, moving at most @chunk bytes per step each way. */
static void pump(Client *c, size_t chunk)
{
    while (feed_some(c, chunk) + drain_some(c, chunk)) {
        /* until nothing moves */
    }
}

typedef struct Msg {
    struct xsd_sockmsg hdr;
    char payload[XENSTORE_PAYLOAD_MAX + 1];
} Msg;

/* Take the next whole message off c->received. */
static bool next_msg(Client *c, Msg *m)
{
    if (c->received->len < sizeof(m->hdr)) {
        return false;
    }
    memcpy(&m->hdr, c->received->data, sizeof(m->hdr));
    g_assert_cmpuint(m->hdr.len, <=, XENSTORE_PAYLOAD_MAX);
    g_assert_cmpuint(c->received->len, >=, sizeof(m->hdr) + m->hdr.len);
    memcpy(m->payload, c->received->data + sizeof(m->hdr), m->hdr.len);
    m->payload[m->hdr.len] = '\0';
    g_byte_array_remove_range(c->received, 0, sizeof(m->hdr) + m->hdr.len);
    return true;
}

static void expect_msg(Client *c, uint32_t type, uint32_t req_id,
                       const void *payload, size_t len)
{
    Msg m;

    g_assert(next_msg(c, &m));
    if (m.hdr.type == XS_ERROR && type != XS_ERROR) {
        g_error("unexpected error %s for req %u", m.payload, m.hdr.req_id);
    }
    g_assert_cmpuint(m.hdr.type, ==, type);
    g_assert_cmpuint(m.hdr.req_id, ==, req_id);
    g_assert_cmpuint(m.hdr.len, ==, len);
    g_assert(!memcmp(m.payload, payload, len));
}

#define EXPECT(c, type, req_id, lit) \
    expect_msg((c), (type), (req_id), (lit), sizeof(lit) - 1)
#define EXPECT_EVENT(c, lit) EXPECT((c), XS_WATCH_EVENT, 0, lit)

/*
 * Send one request, run the transport, return the reply (the first
 * message: nothing else may be waiting).  Events may follow it.
 */
static void roundtrip(Client *c, uint32_t type, uint32_t tx,
                      const void *payload, size_t len, Msg *m)
{
    g_assert_cmpuint(c->received->len, ==, 0);
    client_send(c, type, 77, tx, payload, len);
    pump(c, SIZE_MAX);
    g_assert(next_msg(c, m));
    g_assert_cmpuint(m->hdr.req_id, ==, 77);
}

#define ROUNDTRIP(c, type, tx, lit, m) \
    roundtrip((c), (type), (tx), (lit), sizeof(lit) - 1, (m))

static uint32_t start_tx(Client *c)
{
    Msg m;

    ROUNDTRIP(c, XS_TRANSACTION_START, 0, "\0", &m);
    g_assert_cmpuint(m.hdr.type, ==, XS_TRANSACTION_START);
    return strtoul(m.payload, NULL, 10);
}

/* ---- framing ---- */

static void test_byte_by_byte(void)
{
    Env *e = env_new();
    Client *c = client_new(e, DOMID_QEMU, false);
    size_t first;
    const uint8_t *data;

    SEND(c, XS_WRITE, 1, 0, "/a\0hello");
    first = c->to_send->len;
    SEND(c, XS_READ, 2, 0, "/a\0");
    /* Nothing happens until the last byte of the first request. */
    for (size_t i = 0; i + 1 < first; i++) {
        g_assert_cmpuint(feed_some(c, 1), ==, 1);
        g_assert_cmpuint(xs_conn_peek(c->conn, &data), ==, 0);
    }
    g_assert_cmpuint(feed_some(c, 1), ==, 1);
    g_assert_cmpuint(xs_conn_peek(c->conn, &data), ==, 16 + 3);
    /* Drain and feed the rest one byte at a time. */
    while (c->to_send->len || xs_conn_peek(c->conn, &data)) {
        feed_some(c, 1);
        drain_some(c, 1);
    }
    EXPECT(c, XS_WRITE, 1, "OK\0");
    EXPECT(c, XS_READ, 2, "hello");
    g_assert_cmpuint(c->received->len, ==, 0);
    client_free(c);
    env_free(e);
}

static void test_back_to_back(void)
{
    Env *e = env_new();
    GRand *rnd = g_rand_new_with_seed(7);

    for (int round = 0; round < 4; round++) {
        Client *c = client_new(e, DOMID_QEMU, false);

        for (uint32_t i = 0; i < 200; i++) {
            char buf[64];
            int len = g_snprintf(buf, sizeof(buf), "/b/n%u%cv%u", i % 50, 0,
                                 i);

            client_send(c, XS_WRITE, 2 * i, 0, buf, len);
            len = g_snprintf(buf, sizeof(buf), "/b/n%u", i % 50);
            client_send(c, XS_READ, 2 * i + 1, 0, buf, len + 1);
        }
        /* All at once, or in random pieces each way. */
        if (round == 0) {
            pump(c, SIZE_MAX);
        } else {
            while (c->to_send->len ||
                   xs_conn_peek(c->conn, &(const uint8_t *){ NULL })) {
                feed_some(c, g_rand_int_range(rnd, 1, 100));
                drain_some(c, g_rand_int_range(rnd, 1, 100));
            }
        }
        for (uint32_t i = 0; i < 200; i++) {
            char v[16];
            int len = g_snprintf(v, sizeof(v), "v%u", i);

            EXPECT(c, XS_WRITE, 2 * i, "OK\0");
            expect_msg(c, XS_READ, 2 * i + 1, v, len);
        }
        g_assert_cmpuint(c->received->len, ==, 0);
        client_free(c);
    }
    g_rand_free(rnd);
    env_free(e);
}

static void test_flow_control(void)
{
    Env *e = env_new();
    Client *c = client_new(e, DOMID_QEMU, false);
    size_t one, taken;
    const uint8_t *data;

    for (uint32_t i = 0; i < 100; i++) {
        SEND(c, XS_WRITE, i, 0, "/f\0value");
    }
    one = c->to_send->len / 100;
    /* A client that does not read: one reply out, one request waiting. */
    taken = feed_some(c, SIZE_MAX);
    g_assert_cmpuint(taken, ==, 2 * one);
    g_assert_cmpuint(xs_conn_input_space(c->conn), ==, 0);
    g_assert_cmpuint(xs_conn_peek(c->conn, &data), ==, 16 + 3);
    g_assert_cmpuint(feed_some(c, SIZE_MAX), ==, 0);
    /* Half the reply drained: still nothing more. */
    drain_some(c, 5);
    g_assert_cmpuint(feed_some(c, SIZE_MAX), ==, 0);
    /* The whole reply drained: the waiting request runs, one more fits. */
    drain_some(c, SIZE_MAX);
    g_assert_cmpuint(xs_conn_peek(c->conn, &data), ==, 16 + 3);
    g_assert_cmpuint(feed_some(c, SIZE_MAX), ==, one);
    pump(c, SIZE_MAX);
    for (uint32_t i = 0; i < 100; i++) {
        EXPECT(c, XS_WRITE, i, "OK\0");
    }
    /* Input space follows the framing: header, then its payload. */
    g_assert_cmpuint(xs_conn_input_space(c->conn), ==, 16);
    SEND(c, XS_READ, 1, 0, "/f\0");
    feed_some(c, 16);
    g_assert_cmpuint(xs_conn_input_space(c->conn), ==, 3);
    client_free(c);
    env_free(e);
}

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

/* ---- errors, reset, ownership, free ---- */

static void test_protocol_error(void)
{
    Env *e = env_new();
    Client *c = client_new(e, GUEST, true);
    Client *b = client_new(e, DOMID_QEMU, false);
    struct xsd_sockmsg bad = { .type = XS_READ, .req_id = 3, .len = 4097 };
    const uint8_t *data;
    Msg m;

    SEND(c, XS_WATCH, 1, 0, "data\0t\0");
    feed_some(c, SIZE_MAX);
    g_byte_array_append(c->to_send, (const guint8 *)&bad, sizeof(bad));
    g_byte_array_append(c->to_send, (const guint8 *)"more bytes", 10);
    /* The header arrives split; only it is taken. */
    g_assert_cmpuint(feed_some(c, 7), ==, 7);
    g_assert(!xs_conn_protocol_error(c->conn));
    g_assert_cmpuint(feed_some(c, SIZE_MAX), ==, 9);
    g_assert(xs_conn_protocol_error(c->conn));
    g_assert_cmpuint(xs_conn_input_space(c->conn), ==, 0);
    g_assert_cmpuint(feed_some(c, SIZE_MAX), ==, 0);
    /* What was already produced can still be drained ... */
    g_assert_cmpuint(xs_conn_peek(c->conn, &data), ==, 16 + 3);
    drain_some(c, SIZE_MAX);
    EXPECT(c, XS_WATCH, 1, "OK\0");
    /* ... but nothing more is emitted or queued. */
    g_assert_cmpuint(xs_conn_peek(c->conn, &data), ==, 0);
    ROUNDTRIP(b, XS_WRITE, 0, "/local/domain/1/data/x\0", &m);
    g_assert_cmpuint(xs_conn_peek(c->conn, &data), ==, 0);
    g_assert_cmpuint(c->kicks, ==, 0);

    /* Reconnection clears it, and the domain's watch is gone. */
    xs_conn_reset(c->conn);
    g_byte_array_set_size(c->to_send, 0);
    g_assert(!xs_conn_protocol_error(c->conn));
    g_assert_cmpuint(xs_conn_queued_events(c->conn), ==, 0);
    ROUNDTRIP(c, XS_READ, 0, "data/x\0", &m);
    g_assert_cmpuint(m.hdr.type, ==, XS_READ);
    ROUNDTRIP(c, XS_UNWATCH, 0, "data\0t\0", &m);
    g_assert_cmpuint(m.hdr.type, ==, XS_ERROR);
    g_assert_cmpstr(m.payload, ==, "ENOENT");

    /* A header of exactly 4096 is fine. */
    bad.len = XENSTORE_PAYLOAD_MAX;
    g_assert_cmpuint(xs_conn_feed(c->conn, &bad, sizeof(bad)), ==, 16);
    g_assert(!xs_conn_protocol_error(c->conn));
    g_assert_cmpuint(xs_conn_input_space(c->conn), ==, XENSTORE_PAYLOAD_MAX);
    client_free(c);
    client_free(b);
    env_free(e);
}

static void test_reset(void)
{
    Env *e = env_new();
    Client *g = client_new(e, GUEST, true);
    Client *b = client_new(e, DOMID_QEMU, false);
    const uint8_t *data;
    uint32_t tx;
    Msg m;

    ROUNDTRIP(g, XS_WATCH, 0, "data\0t\0", &m);
    pump(g, SIZE_MAX);
    g_byte_array_set_size(g->received, 0);
    tx = start_tx(g);
    /* Pending output, a queued event and half a request. */
    SEND(g, XS_READ, 1, 0, "data\0");
    feed_some(g, SIZE_MAX);
    ROUNDTRIP(b, XS_WRITE, 0, "/local/domain/1/data/y\0", &m);
    SEND(g, XS_READ, 2, 0, "data\0");
    feed_some(g, 20);
    g_byte_array_set_size(g->to_send, 0);
    g_assert_cmpuint(xs_conn_queued_events(g->conn), ==, 1);

    xs_conn_reset(g->conn);
    g_assert_cmpuint(xs_conn_peek(g->conn, &data), ==, 0);
    g_assert_cmpuint(xs_conn_queued_events(g->conn), ==, 0);
    g_assert_cmpuint(xs_conn_input_space(g->conn), ==, 16);
    ROUNDTRIP(b, XS_WRITE, 0, "/local/domain/1/data/z\0", &m);
    g_assert_cmpuint(xs_conn_peek(g->conn, &data), ==, 0);
    ROUNDTRIP(g, XS_READ, tx, "data\0", &m);
    g_assert_cmpuint(m.hdr.type, ==, XS_ERROR);
    g_assert_cmpstr(m.payload, ==, "ENOENT");
    g_assert_cmpint(xs_impl_transaction_end(e->s, GUEST, tx, false), ==,
                    ENOENT);
    /* And it works as new. */
    ROUNDTRIP(g, XS_WRITE, 0, "data/after\0", &m);
    g_assert_cmpuint(m.hdr.type, ==, XS_WRITE);
    client_free(g);
    client_free(b);
    env_free(e);
}

static void test_socket_clients_own_state(void)
{
    Env *e = env_new();
    Client *x = client_new(e, DOMID_QEMU, false);
    Client *y = client_new(e, DOMID_QEMU, false);
    const uint8_t *data;
    uint32_t tx, ty;
    Msg m;

    tx = start_tx(x);
    ty = start_tx(y);
    ROUNDTRIP(y, XS_WRITE, tx, "/o\0", &m);
    g_assert_cmpuint(m.hdr.type, ==, XS_ERROR);
    g_assert_cmpstr(m.payload, ==, "ENOENT");
    ROUNDTRIP(x, XS_WRITE, tx, "/o\0", &m);
    g_assert_cmpuint(m.hdr.type, ==, XS_WRITE);

    ROUNDTRIP(x, XS_WATCH, 0, "/o\0same\0", &m);
    ROUNDTRIP(y, XS_WATCH, 0, "/o\0same\0", &m);
    pump(x, SIZE_MAX);
    pump(y, SIZE_MAX);
    g_byte_array_set_size(x->received, 0);
    g_byte_array_set_size(y->received, 0);
    /* RESET_WATCHES from x: x's watch and transaction only. */
    ROUNDTRIP(x, XS_RESET_WATCHES, 0, "\0", &m);
    g_assert_cmpuint(m.hdr.type, ==, XS_RESET_WATCHES);
    ROUNDTRIP(y, XS_WRITE, ty, "/o/in\0", &m);
    g_assert_cmpuint(m.hdr.type, ==, XS_WRITE);
    ROUNDTRIP(y, XS_WRITE, 0, "/o/k\0", &m);
    g_assert_cmpuint(xs_conn_peek(x->conn, &data), ==, 0);
    pump(y, SIZE_MAX);
    EXPECT_EVENT(y, "/o/k\0same\0");
    ROUNDTRIP(x, XS_READ, tx, "/o\0", &m);
    g_assert_cmpstr(m.payload, ==, "ENOENT");

    /* Freeing y drops its watch and ends its transaction. */
    client_free(y);
    g_assert_cmpint(xs_impl_transaction_end(e->s, DOMID_QEMU, ty, false), ==,
                    ENOENT);
    ROUNDTRIP(x, XS_WRITE, 0, "/o/k\0", &m);    /* no event to freed y */
    g_assert_cmpint(xs_impl_unwatch(e->s, DOMID_QEMU, "/o", "same",
                                    xs_conn_watch_event, y), ==, ENOENT);
    client_free(x);
    env_free(e);
}

/* ---- save and load ---- */

/* A connection's state, to compare before and after a refused load. */
static GByteArray *snapshot(XsConn *conn)
{
    return xs_conn_save(conn);
}

static void assert_same_state(GByteArray *a, XsConn *conn)
{
    g_autoptr(GByteArray) b = xs_conn_save(conn);

    g_assert_cmpuint(a->len, ==, b->len);
    g_assert(!memcmp(a->data, b->data, a->len));
}

/* data/v = 2000 bytes, written inside a transaction: a long request. */
static void long_write(GByteArray *req, uint32_t tx)
{
    struct xsd_sockmsg hdr = { .type = XS_WRITE, .req_id = 42, .tx_id = tx };

    hdr.len = 7 + 2000;
    g_byte_array_append(req, (const guint8 *)&hdr, sizeof(hdr));
    g_byte_array_append(req, (const guint8 *)"data/v\0", 7);
    for (int i = 0; i < 2000; i++) {
        guint8 b = 'a' + i % 26;

        g_byte_array_append(req, &b, 1);
    }
}

/*
 * Migrate a guest ring connection: save its store and its own state,
 * build a new store and connection from them (the store's watches of the
 * guest now deliver to the new connection), as the device does.
 */
static Client *migrate(Client *a, XenstoreImplState *from, Env **to)
{
    g_autoptr(GByteArray) store = xs_impl_serialize(from);
    g_autoptr(GByteArray) conn = xs_conn_save(a->conn);
    Env *e = g_new0(Env, 1);
    Client *b;

    e->s = xs_impl_create(GUEST);
    b = client_new(e, GUEST, true);
    g_assert_cmpint(xs_impl_deserialize(e->s, store, GUEST,
                                        xs_conn_watch_event, b->conn), ==, 0);
    g_assert(xs_conn_load(b->conn, conn->data, conn->len, &error_abort));
    xs_conn_process(b->conn);
    *to = e;
    return b;
}

/* The guest watches data (token t) and has drained everything. */
static void guest_watch_data(Client *g)
{
    Msg m;

    ROUNDTRIP(g, XS_WATCH, 0, "data\0t\0", &m);
    g_assert_cmpuint(m.hdr.type, ==, XS_WATCH);
    EXPECT_EVENT(g, "data\0t\0");
}

/*
 * Stop a request after every byte, migrate, finish on the new side: the
 * output is what an uninterrupted run gives, and the transaction and the
 * watch go along.
 */
static void test_save_load_request(void)
{
    g_autoptr(GByteArray) reference = g_byte_array_new();
    g_autoptr(GByteArray) req = g_byte_array_new();
    uint32_t tx0 = 0;
    size_t cuts = 0;

    for (size_t k = 0;; k++) {
        Env *e = env_new();
        Client *a = client_new(e, GUEST, true);
        Client *b;
        Env *e2;
        uint32_t tx;
        Msg m;

        guest_watch_data(a);
        tx = start_tx(a);
        if (!req->len) {
            tx0 = tx;
            long_write(req, tx);
            g_byte_array_append(a->to_send, req->data, req->len);
            pump(a, SIZE_MAX);
            g_byte_array_append(reference, a->received->data,
                                a->received->len);
            client_free(a);
            env_free(e);
            continue;
        }
        if (k > req->len + 1) {
            client_free(a);
            env_free(e);
            break;
        }
        g_assert_cmpuint(tx, ==, tx0);
        g_byte_array_append(a->to_send, req->data, req->len);
        g_assert_cmpuint(feed_some(a, k - 1), ==, k - 1);

        b = migrate(a, e->s, &e2);
        g_byte_array_append(b->to_send, a->to_send->data, a->to_send->len);
        client_free(a);
        env_free(e);
        pump(b, SIZE_MAX);
        g_assert_cmpuint(b->received->len, ==, reference->len);
        g_assert(!memcmp(b->received->data, reference->data,
                         reference->len));
        g_byte_array_set_size(b->received, 0);
        /* b owns the transaction; the commit fires b's watch. */
        ROUNDTRIP(b, XS_TRANSACTION_END, tx, "T\0", &m);
        g_assert_cmpuint(m.hdr.type, ==, XS_TRANSACTION_END);
        EXPECT_EVENT(b, "data/v\0t\0");
        ROUNDTRIP(b, XS_READ, 0, "data/v\0", &m);
        g_assert_cmpuint(m.hdr.len, ==, 2000);
        client_free(b);
        env_free(e2);
        cuts++;
    }
    /* Cut before every byte and after the last one. */
    g_assert_cmpuint(cuts, ==, req->len + 1);
}

/*
 * Stop a long reply after every byte, with an event queued behind it,
 * migrate: the new side sends the rest, then the event, and its watch
 * fires for later changes.
 */
static void test_save_load_response(void)
{
    g_autoptr(GByteArray) reference = g_byte_array_new();
    g_autofree char *big = g_strnfill(3000, 'r');
    size_t total = 0, cuts = 0;

    for (size_t k = 0; !total || k <= total + 1; k++) {
        Env *e = env_new();
        Client *a = client_new(e, GUEST, true);
        Client *w = client_new(e, DOMID_QEMU, false);
        Client *b;
        Env *e2;
        g_autoptr(GByteArray) wr = g_byte_array_new();
        Msg m;

        g_byte_array_append(wr, (const guint8 *)"/local/domain/1/data/r\0",
                            23);
        g_byte_array_append(wr, (const guint8 *)big, 3000);
        roundtrip(w, XS_WRITE, 0, wr->data, wr->len, &m);
        g_assert_cmpuint(m.hdr.type, ==, XS_WRITE);
        guest_watch_data(a);
        SEND(a, XS_READ, 8, 0, "data/r\0");
        feed_some(a, SIZE_MAX);
        ROUNDTRIP(w, XS_WRITE, 0, "/local/domain/1/data/ev\0", &m);
        g_assert_cmpuint(xs_conn_queued_events(a->conn), ==, 1);
        if (!total) {
            pump(a, SIZE_MAX);
            g_byte_array_append(reference, a->received->data,
                                a->received->len);
            total = reference->len;
            g_assert_cmpuint(total, ==, 16 + 3000 + 16 + 10);
            client_free(a);
            client_free(w);
            env_free(e);
            continue;
        }
        drain_exactly(a, k - 1);
        b = migrate(a, e->s, &e2);
        pump(b, SIZE_MAX);
        g_byte_array_prepend(b->received, a->received->data,
                             a->received->len);
        g_assert_cmpuint(b->received->len, ==, total);
        g_assert(!memcmp(b->received->data, reference->data, total));
        g_byte_array_set_size(b->received, 0);
        client_free(a);
        client_free(w);
        env_free(e);

        /* The old store is gone; the new one reaches b. */
        w = client_new(e2, DOMID_QEMU, false);
        ROUNDTRIP(w, XS_WRITE, 0, "/local/domain/1/data/after\0", &m);
        pump(b, SIZE_MAX);
        EXPECT_EVENT(b, "data/after\0t\0");
        client_free(w);
        client_free(b);
        env_free(e2);
        cuts++;
    }
    g_assert_cmpuint(cuts, ==, total + 1);
}

/* ---- refusing corrupt state ---- */

static void put_u32(GByteArray *b, uint32_t v)
{
    uint8_t le[4] = { v, v >> 8, v >> 16, v >> 24 };

    g_byte_array_append(b, le, 4);
}

typedef struct Blob {
    uint32_t version, flags;
    const void *in;
    uint32_t in_len;
    const void *out;
    uint32_t out_len;
    const char *const *events;  /* path, token, path, token, ..., NULL */
    const uint32_t *txs;
    uint32_t ntx;
} Blob;

static GByteArray *blob(const Blob *d)
{
    GByteArray *b = g_byte_array_new();
    uint32_t n = 0;

    g_byte_array_append(b, (const guint8 *)"XSCN", 4);
    put_u32(b, d->version);
    put_u32(b, d->flags);
    put_u32(b, d->in_len);
    g_byte_array_append(b, d->in, d->in_len);
    put_u32(b, d->out_len);
    g_byte_array_append(b, d->out, d->out_len);
    while (d->events && d->events[n]) {
        n++;
    }
    put_u32(b, n / 2);
    for (uint32_t i = 0; i < n; i++) {
        put_u32(b, strlen(d->events[i]));
        g_byte_array_append(b, (const guint8 *)d->events[i],
                            strlen(d->events[i]));
    }
    put_u32(b, d->ntx);
    for (uint32_t i = 0; i < d->ntx; i++) {
        put_u32(b, d->txs[i]);
    }
    return b;
}

static void expect_refused(XsConn *conn, GByteArray *bad)
{
    g_autoptr(GByteArray) before = snapshot(conn);
    Error *err = NULL;

    g_assert(!xs_conn_load(conn, bad->data, bad->len, &err));
    g_assert(err);
    error_free(err);
    assert_same_state(before, conn);
}

static void test_load_refuses_corrupt(void)
{
    Env *e = env_new();
    Client *c = client_new(e, GUEST, true);
    Client *b = client_new(e, DOMID_QEMU, false);
    struct xsd_sockmsg hdr = { .type = XS_READ, .len = 10 };
    struct xsd_sockmsg huge = { .type = XS_READ, .len = 5000 };
    uint8_t in_ok[32] = { 0 };
    static const char *const ev_ok[] = { "/p", "tok", NULL };
    static const char *const ev_empty[] = { "", "tok", NULL };
    static const char *const ev_dup[] = { "/p", "t", "/p", "t", NULL };
    static const char *const ev_at[] = { "@x", "t", "@x", "t", NULL };
    static const uint32_t tx_zero[] = { 0 };
    static const uint32_t tx_dup[] = { 3, 3 };
    g_autofree char *long_path = g_strnfill(4090, 'p');
    const char *ev_long[] = { long_path, "token", NULL };
    g_autofree uint8_t *big = g_malloc0(XS_WIRE_MSG_MAX + 1);
    const Blob good = { .version = 1, .in = in_ok, .in_len = 20,
                        .events = ev_ok };
    Msg m;

    memcpy(in_ok, &hdr, sizeof(hdr));

    /* Give the live connection some state to keep. */
    ROUNDTRIP(c, XS_WATCH, 0, "data\0t\0", &m);
    EXPECT_EVENT(c, "data\0t\0");
    SEND(c, XS_READ, 1, 0, "data\0");
    feed_some(c, SIZE_MAX);
    ROUNDTRIP(b, XS_WRITE, 0, "/local/domain/1/data/q\0", &m);
    SEND(c, XS_READ, 2, 0, "data\0");
    feed_some(c, 9);
    start_tx(b);

    {
        g_autoptr(GByteArray) ok = blob(&good);
        g_autoptr(GByteArray) saved = xs_conn_save(c->conn);
        Client *t = client_new(e, GUEST, true);

        /* The reference blob and the connection's own state both load. */
        g_assert(xs_conn_load(t->conn, ok->data, ok->len, &error_abort));
        g_assert_cmpuint(xs_conn_queued_events(t->conn), ==, 1);
        g_assert(xs_conn_load(t->conn, saved->data, saved->len,
                              &error_abort));
        assert_same_state(saved, t->conn);
        /* Every truncation is refused. */
        for (size_t n = 0; n < saved->len; n++) {
            g_autoptr(GByteArray) cut = g_byte_array_new();

            g_byte_array_append(cut, saved->data, n);
            expect_refused(c->conn, cut);
        }
        /* A trailing byte too. */
        g_byte_array_append(saved, (const guint8 *)"x", 1);
        expect_refused(c->conn, saved);
        client_free(t);
    }

    const Blob bad[] = {
        { .version = 2 },
        { .version = 0 },
        { .version = 1, .flags = 2 },
        { .version = 1, .in = big, .in_len = XS_WIRE_MSG_MAX + 1 },
        { .version = 1, .in = &huge, .in_len = 16 },
        { .version = 1, .in = in_ok, .in_len = 16 + 11 },
        { .version = 1, .flags = 1, .in = in_ok, .in_len = 16 },
        { .version = 1, .flags = 1, .in = in_ok, .in_len = 3 },
        { .version = 1, .out = big, .out_len = XS_WIRE_MSG_MAX + 1 },
        { .version = 1, .events = ev_empty },
        { .version = 1, .events = ev_dup },
        { .version = 1, .events = ev_long },
        { .version = 1, .txs = tx_zero, .ntx = 1 },
        { .version = 1, .txs = tx_dup, .ntx = 2 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_autoptr(GByteArray) bb = blob(&bad[i]);

        expect_refused(c->conn, bb);
    }
    {
        /* Bad magic; an absurd event count with no events behind it. */
        g_autoptr(GByteArray) bb = blob(&good);
        g_autoptr(GByteArray) cnt = g_byte_array_new();

        bb->data[0] = 'Y';
        expect_refused(c->conn, bb);
        /* A NUL inside a token. */
        g_byte_array_set_size(cnt, 0);
        g_byte_array_append(cnt, (const guint8 *)"XSCN", 4);
        put_u32(cnt, 1);
        put_u32(cnt, 0);
        put_u32(cnt, 0);
        put_u32(cnt, 0);
        put_u32(cnt, 1);
        put_u32(cnt, 2);
        g_byte_array_append(cnt, (const guint8 *)"/p", 2);
        put_u32(cnt, 3);
        g_byte_array_append(cnt, (const guint8 *)"t\0k", 3);
        put_u32(cnt, 0);
        expect_refused(c->conn, cnt);
        /* The same with a token without the NUL loads. */
        cnt->data[cnt->len - 6] = 'o';
        {
            Client *t = client_new(e, GUEST, true);

            g_assert(xs_conn_load(t->conn, cnt->data, cnt->len,
                                  &error_abort));
            xs_conn_process(t->conn);
            pump(t, SIZE_MAX);
            EXPECT_EVENT(t, "/p\0tok\0");
            client_free(t);
        }
        g_byte_array_set_size(cnt, 0);
        g_byte_array_append(cnt, (const guint8 *)"XSCN", 4);
        put_u32(cnt, 1);
        put_u32(cnt, 0);
        put_u32(cnt, 0);
        put_u32(cnt, 0);
        put_u32(cnt, 0xffffffff);
        expect_refused(c->conn, cnt);
    }
    {
        /* @-events are not merged, so repeats of one are fine; so is a
         * protocol-error state holding the offending header. */
        const Blob at = { .version = 1, .events = ev_at };
        const Blob perr = { .version = 1, .flags = 1, .in = &huge,
                            .in_len = 16 };
        g_autoptr(GByteArray) b1 = blob(&at);
        g_autoptr(GByteArray) b2 = blob(&perr);
        Client *t = client_new(e, GUEST, true);

        g_assert(xs_conn_load(t->conn, b1->data, b1->len, &error_abort));
        g_assert_cmpuint(xs_conn_queued_events(t->conn), ==, 2);
        xs_conn_process(t->conn);
        pump(t, SIZE_MAX);
        EXPECT_EVENT(t, "@x\0t\0");
        EXPECT_EVENT(t, "@x\0t\0");
        g_assert(xs_conn_load(t->conn, b2->data, b2->len, &error_abort));
        g_assert(xs_conn_protocol_error(t->conn));
        g_assert_cmpuint(xs_conn_input_space(t->conn), ==, 0);
        client_free(t);
    }

    /* Random damage: refused untouched, or loaded and still safe. */
    {
        g_autoptr(GByteArray) saved = xs_conn_save(c->conn);
        GRand *rnd = g_rand_new_with_seed(99);

        for (int i = 0; i < 2000; i++) {
            g_autoptr(GByteArray) bb = g_byte_array_new();
            Client *t = client_new(e, GUEST, true);
            g_autoptr(GByteArray) before = snapshot(t->conn);
            Error *err = NULL;

            g_byte_array_append(bb, saved->data, saved->len);
            for (int f = g_rand_int_range(rnd, 1, 4); f > 0; f--) {
                bb->data[g_rand_int_range(rnd, 0, bb->len)] ^=
                    1 << g_rand_int_range(rnd, 0, 8);
            }
            if (xs_conn_load(t->conn, bb->data, bb->len, &err)) {
                xs_conn_process(t->conn);
                SEND(t, XS_READ, 1, 0, "data\0");
                pump(t, SIZE_MAX);
            } else {
                error_free(err);
                assert_same_state(before, t->conn);
            }
            client_free(t);
        }
        g_rand_free(rnd);
    }
    client_free(c);
    client_free(b);
    env_free(e);
}

/* ---- hostile byte streams ---- */

/*
 * Random streams, mostly well-framed requests with random types, lengths
 * and payloads, sometimes raw noise, fed and drained in random pieces:
 * the output is always whole messages, one reply per whole request taken,
 * and the connection either takes everything or stops in the
 * protocol-error state.
 */
static void test_garbage_stream(void)
{
    Env *e = env_new();
    GRand *rnd = g_rand_new_with_seed(4242);
    unsigned int stopped = 0, total_replies = 0, ok_replies = 0;

    for (int round = 0; round < 200; round++) {
        Client *c = client_new(e, round & 1 ? GUEST : DOMID_QEMU,
                               round & 1);
        unsigned int sent = 0, replies = 0;
        size_t noise = 0;
        const uint8_t *data;
        Msg m;

        for (int i = 0; i < 30; i++) {
            uint8_t payload[256];
            uint32_t len = g_rand_int_range(rnd, 0, sizeof(payload));
            uint32_t type = g_rand_int_range(rnd, 0, XS_TYPE_COUNT + 3);

            for (uint32_t j = 0; j < len; j++) {
                payload[j] = "/ab@\0-1d"[g_rand_int_range(rnd, 0, 9)];
            }
            if (!g_rand_int_range(rnd, 0, 40)) {
                /* Noise: whatever header these bytes make. */
                g_byte_array_append(c->to_send, payload, len);
                noise = len;
                break;
            }
            client_send(c, type, i, g_rand_int_range(rnd, 0, 3), payload,
                        len);
            sent++;
        }
        while (feed_some(c, g_rand_int_range(rnd, 1, 600)) +
               drain_some(c, g_rand_int_range(rnd, 1, 600))) {
            /* until stuck or done */
        }
        g_assert(!c->to_send->len || xs_conn_protocol_error(c->conn));
        g_assert_cmpuint(xs_conn_peek(c->conn, &data), ==, 0);
        while (next_msg(c, &m)) {
            if (m.hdr.type != XS_WATCH_EVENT) {
                replies++;
                ok_replies += m.hdr.type != XS_ERROR;
            }
        }
        g_assert_cmpuint(c->received->len, ==, 0);
        /* One reply per request; noise may frame a few more or stop it. */
        total_replies += replies;
        stopped += xs_conn_protocol_error(c->conn);
        g_assert_cmpuint(replies, >=, sent);
        g_assert_cmpuint(replies, <=, sent + noise / XS_WIRE_HDR_SIZE);
        if (!noise) {
            g_assert_cmpuint(replies, ==, sent);
            g_assert(!xs_conn_protocol_error(c->conn));
            g_assert_cmpuint(xs_conn_input_space(c->conn), ==, 16);
        }
        client_free(c);
    }
    g_test_message("%u replies, %u not errors, %u protocol errors",
                   total_replies, ok_replies, stopped);
    g_assert_cmpuint(stopped, >, 0);
    g_assert_cmpuint(ok_replies, >, 0);
    g_rand_free(rnd);
    env_free(e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-conn/framing/byte-by-byte", test_byte_by_byte);
    g_test_add_func("/xs-conn/framing/back-to-back", test_back_to_back);
    g_test_add_func("/xs-conn/flow-control", test_flow_control);
    g_test_add_func("/xs-conn/events/watch-reply-first",
                    test_watch_reply_then_event);
    g_test_add_func("/xs-conn/events/between-messages",
                    test_events_between_messages);
    g_test_add_func("/xs-conn/events/bounded", test_event_queue_bounded);
    g_test_add_func("/xs-conn/events/coalescing", test_event_coalescing);
    g_test_add_func("/xs-conn/events/too-long", test_event_too_long_dropped);
    g_test_add_func("/xs-conn/protocol-error", test_protocol_error);
    g_test_add_func("/xs-conn/reset", test_reset);
    g_test_add_func("/xs-conn/socket-clients", test_socket_clients_own_state);
    g_test_add_func("/xs-conn/save-load/request", test_save_load_request);
    g_test_add_func("/xs-conn/save-load/response", test_save_load_response);
    g_test_add_func("/xs-conn/save-load/corrupt", test_load_refuses_corrupt);
    g_test_add_func("/xs-conn/garbage-stream", test_garbage_stream);
    return g_test_run();
}
