/*
 * The client side of the connection tests: a transport between a test
 * and one XsConn, moving bytes in whatever amounts a test asks for.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_conn.h"
#include "xs-conn-client.h"

static void count_kick(void *opaque)
{
    Client *c = opaque;

    c->kicks++;
}

Env *env_new(void)
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

void env_free(Env *e)
{
    xs_impl_destroy(e->s);
    g_free(e);
}

Client *client_new(Env *e, unsigned int dom, bool ring)
{
    Client *c = g_new0(Client, 1);

    c->conn = xs_conn_new(e->s, dom, ring, count_kick, c);
    c->to_send = g_byte_array_new();
    c->received = g_byte_array_new();
    return c;
}

void client_free(Client *c)
{
    xs_conn_free(c->conn);
    g_byte_array_unref(c->to_send);
    g_byte_array_unref(c->received);
    g_free(c);
}

void client_send(Client *c, uint32_t type, uint32_t req_id,
                 uint32_t tx, const void *payload, size_t len)
{
    struct xsd_sockmsg hdr = {
        .type = type, .req_id = req_id, .tx_id = tx, .len = len,
    };

    g_byte_array_append(c->to_send, (const guint8 *)&hdr, sizeof(hdr));
    g_byte_array_append(c->to_send, payload, len);
}

size_t feed_some(Client *c, size_t max)
{
    size_t n = xs_conn_feed(c->conn, c->to_send->data,
                            MIN(max, c->to_send->len));

    g_byte_array_remove_range(c->to_send, 0, n);
    return n;
}

size_t drain_some(Client *c, size_t max)
{
    const uint8_t *data;
    size_t n = xs_conn_peek(c->conn, &data);

    n = MIN(n, max);
    g_byte_array_append(c->received, data, n);
    xs_conn_consume(c->conn, n);
    return n;
}

void pump(Client *c, size_t chunk)
{
    while (feed_some(c, chunk) + drain_some(c, chunk)) {
        /* until nothing moves */
    }
}

bool next_msg(Client *c, Msg *m)
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

void expect_msg(Client *c, uint32_t type, uint32_t req_id,
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

void roundtrip(Client *c, uint32_t type, uint32_t tx,
               const void *payload, size_t len, Msg *m)
{
    g_assert_cmpuint(c->received->len, ==, 0);
    client_send(c, type, 77, tx, payload, len);
    pump(c, SIZE_MAX);
    g_assert(next_msg(c, m));
    g_assert_cmpuint(m->hdr.req_id, ==, 77);
}

uint32_t start_tx(Client *c)
{
    Msg m;

    ROUNDTRIP(c, XS_TRANSACTION_START, 0, "\0", &m);
    g_assert_cmpuint(m.hdr.type, ==, XS_TRANSACTION_START);
    return strtoul(m.payload, NULL, 10);
}
