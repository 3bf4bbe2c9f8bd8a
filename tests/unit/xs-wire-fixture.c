/*
 * The fixture of the wire codec tests: sessions on one store, and one
 * request at a time with its reply checked for framing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_wire.h"
#include "xs-wire-fixture.h"

static uint32_t next_req_id = 100;

void record_event(void *opaque, const char *path, const char *token)
{
    g_ptr_array_add(opaque, g_strdup_printf("%s|%s", path, token));
}

Fix *fix_new(void)
{
    Fix *f = g_new0(Fix, 1);
    GList *perms = NULL;
    g_autofree char *p0 = xs_perm_as_string(XS_PERM_NONE, GUEST);

    f->s = xs_impl_create(GUEST);
    f->ev_guest = g_ptr_array_new_with_free_func(g_free);
    f->ev_dom0 = g_ptr_array_new_with_free_func(g_free);
    f->ev_dom0b = g_ptr_array_new_with_free_func(g_free);
    xs_wire_session_init(&f->guest, f->s, GUEST, true, record_event,
                         f->ev_guest);
    xs_wire_session_init(&f->dom0, f->s, DOMID_QEMU, false, record_event,
                         f->ev_dom0);
    xs_wire_session_init(&f->dom0b, f->s, DOMID_QEMU, false, record_event,
                         f->ev_dom0b);
    /* The guest's home, owned by the guest. */
    g_assert_cmpint(xs_impl_mkdir(f->s, DOMID_QEMU, XBT_NULL,
                                  "/local/domain/1"), ==, 0);
    perms = g_list_append(perms, p0);
    g_assert_cmpint(xs_impl_set_perms(f->s, DOMID_QEMU, XBT_NULL,
                                      "/local/domain/1", perms), ==, 0);
    g_list_free(perms);
    return f;
}

void fix_free(Fix *f)
{
    xs_wire_session_destroy(&f->guest);
    xs_wire_session_destroy(&f->dom0);
    xs_wire_session_destroy(&f->dom0b);
    xs_impl_destroy(f->s);
    g_ptr_array_unref(f->ev_guest);
    g_ptr_array_unref(f->ev_dom0);
    g_ptr_array_unref(f->ev_dom0b);
    g_free(f);
}

void request(XsWireSession *sess, uint32_t type, uint32_t tx,
             const void *payload, size_t len, Reply *rep)
{
    g_autoptr(GByteArray) out = g_byte_array_new();
    struct xsd_sockmsg req = {
        .type = type, .req_id = next_req_id++, .tx_id = tx, .len = len,
    };

    g_byte_array_append(out, (const guint8 *)"junk", 4);
    xs_wire_handle_request(sess, &req, payload, out);
    g_assert_cmpuint(out->len, >=, 4 + sizeof(rep->hdr));
    g_assert(!memcmp(out->data, "junk", 4));
    memcpy(&rep->hdr, out->data + 4, sizeof(rep->hdr));
    g_assert_cmpuint(rep->hdr.len, <=, XENSTORE_PAYLOAD_MAX);
    g_assert_cmpuint(out->len, ==, 4 + sizeof(rep->hdr) + rep->hdr.len);
    g_assert_cmpuint(rep->hdr.req_id, ==, req.req_id);
    g_assert_cmpuint(rep->hdr.tx_id, ==, tx);
    g_assert(rep->hdr.type == type || rep->hdr.type == XS_ERROR);
    memcpy(rep->payload, out->data + 4 + sizeof(rep->hdr), rep->hdr.len);
    rep->payload[rep->hdr.len] = '\0';
    if (rep->hdr.type == XS_ERROR) {
        /* "ENAME\0" with a name from the table. */
        g_assert_cmpuint(rep->hdr.len, ==, strlen((char *)rep->payload) + 1);
        g_assert_cmpint(xs_error_from_name((char *)rep->payload), !=, 0);
    }
}

void assert_error(const Reply *rep, const char *name)
{
    g_assert_cmpuint(rep->hdr.type, ==, XS_ERROR);
    g_assert_cmpstr((const char *)rep->payload, ==, name);
}

void assert_reply(const Reply *rep, uint32_t type, const void *data,
                  size_t len)
{
    if (rep->hdr.type == XS_ERROR) {
        g_error("unexpected error reply %s", rep->payload);
    }
    g_assert_cmpuint(rep->hdr.type, ==, type);
    g_assert_cmpuint(rep->hdr.len, ==, len);
    g_assert(!memcmp(rep->payload, data, len));
}

size_t build(char *buf, size_t size, const char *const *parts,
             int n)
{
    size_t len = 0;

    for (int i = 0; i < n; i++) {
        size_t l = strlen(parts[i]) + 1;

        g_assert(len + l <= size);
        memcpy(buf + len, parts[i], l);
        len += l;
    }
    return len;
}

uint32_t start_tx(XsWireSession *sess)
{
    unsigned int id;
    Reply r;

    REQ(sess, XS_TRANSACTION_START, 0, "\0", &r);
    g_assert_cmpuint(r.hdr.type, ==, XS_TRANSACTION_START);
    g_assert_cmpuint(r.hdr.len, ==, strlen((char *)r.payload) + 1);
    g_assert(g_ascii_isdigit(r.payload[0]));
    id = strtoul((char *)r.payload, NULL, 10);
    g_assert_cmpuint(id, !=, 0);
    return id;
}
