/*
 * Tests of one XenStore client connection: framing of split and
 * back-to-back requests, flow control, protocol errors, reset, the
 * state of socket clients, and hostile byte streams.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_conn.h"
#include "xs-conn-client.h"

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
    g_test_add_func("/xs-conn/protocol-error", test_protocol_error);
    g_test_add_func("/xs-conn/reset", test_reset);
    g_test_add_func("/xs-conn/socket-clients", test_socket_clients_own_state);
    g_test_add_func("/xs-conn/garbage-stream", test_garbage_stream);
    return g_test_run();
}
