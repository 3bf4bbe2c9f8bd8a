/*
 * Tests of one XenStore client connection across save and load: a
 * request or a response half way through, and corrupt state refused.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_conn.h"
#include "xs-conn-client.h"

/* Drain exactly @n output bytes, across message boundaries. */
static void drain_exactly(Client *c, size_t n)
{
    while (n) {
        size_t got = drain_some(c, n);

        g_assert_cmpuint(got, >, 0);
        n -= got;
    }
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

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-conn/save-load/request", test_save_load_request);
    g_test_add_func("/xs-conn/save-load/response", test_save_load_response);
    g_test_add_func("/xs-conn/save-load/corrupt", test_load_refuses_corrupt);
    return g_test_run();
}
