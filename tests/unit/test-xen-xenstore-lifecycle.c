/*
 * Tests of the xen-xenstore device's life cycle with a simulated guest
 * (xs-guest.c) on the ring: the store port closed and re-bound, reset
 * and reboot, migration cut at every byte, and corrupt saved state.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xen_backend_ops.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "hw/i386/kvm/xen_xenstore_test.h"
#include "hw/xen/xenstore_conn.h"
#include "xs-world.h"

/* ---- the store event channel: Windows close and re-bind ---- */

/* What Windows PV drivers do: find the remote end, close, bind again. */
static evtchn_port_t windows_rebind(World *w, bool take_old_number)
{
    struct evtchn_status st = port_status(w->g.port);
    struct evtchn_close close = { .port = w->g.port };
    struct evtchn_alloc_unbound other = {
        .dom = DOMID_SELF, .remote_dom = DOMID_SELF,
    };
    struct evtchn_bind_interdomain bind;

    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_interdomain);
    g_assert_cmpuint(st.u.interdomain.dom, ==, DOMID_QEMU);
    g_assert_cmpuint(st.u.interdomain.port, ==, xen_xenstore_be_port(w->s));
    g_assert_cmpint(xen_evtchn_close_op(&close), ==, 0);
    if (take_old_number) {
        /* Something else takes the old number meanwhile. */
        g_assert_cmpint(xen_evtchn_alloc_unbound_op(&other), ==, 0);
        g_assert_cmpuint(other.port, ==, w->g.port);
    }
    bind = (struct evtchn_bind_interdomain) {
        .remote_dom = DOMID_QEMU, .remote_port = st.u.interdomain.port,
    };
    g_assert_cmpint(xen_evtchn_bind_interdomain_op(&bind), ==, 0);
    w->g.port = bind.local_port;
    return take_old_number ? other.port : 0;
}

static void test_windows_rebind(void)
{
    World w;
    evtchn_port_t be, old, other;
    g_autofree char *v = NULL;
    g_autoptr(XsGuestMsg) m = NULL;

    world_up(&w);
    be = xen_xenstore_be_port(w.s);
    old = w.g.port;
    xs_guest_watch(&w.g, "data/win", "t");
    xs_guest_assert_event(&w.g, "data/win", "t");

    /* While the port is closed the device cannot notify: no harm. */
    {
        struct evtchn_close close = { .port = w.g.port };

        g_assert_cmpint(xen_evtchn_close_op(&close), ==, 0);
        dom0_write(&w, "/local/domain/1/data/win", "1");
        xs_guest_run();
        g_assert_cmpuint(world_ring(&w)->rsp_prod -
                         world_ring(&w)->rsp_cons, >, 0);
        xs_guest_read_all(&w.g);
        xs_guest_assert_event(&w.g, "data/win", "t");
    }
    {
        struct evtchn_bind_interdomain bind = {
            .remote_dom = DOMID_QEMU, .remote_port = be,
        };

        g_assert_cmpint(xen_evtchn_bind_interdomain_op(&bind), ==, 0);
        w.g.port = bind.local_port;
    }
    v = xs_guest_read_str(&w.g, 0, "domid");
    g_assert_cmpstr(v, ==, "1");
    g_assert_cmpuint(xen_xenstore_be_port(w.s), ==, be);

    /* Again, with the old number taken by something else. */
    other = windows_rebind(&w, true);
    g_assert_cmpuint(w.g.port, !=, old);
    g_clear_pointer(&v, g_free);
    v = xs_guest_read_str(&w.g, 0, "name");
    g_assert_cmpstr(v, ==, GUEST_NAME);
    dom0_write(&w, "/local/domain/1/data/win", "2");
    xs_guest_assert_event(&w.g, "data/win", "t");
    g_assert_cmpuint(xen_xenstore_be_port(w.s), ==, be);

    /* Through a migration the backend port and the ring survive. */
    world_migrate(&w);
    g_assert_cmpuint(xen_xenstore_be_port(w.s), ==, be);
    m = XS_GUEST_CALL(&w.g, XS_READ, 0, "domid\0");
    XS_GUEST_ASSERT(m, XS_READ, "1");
    g_assert_cmpuint(port_status(other).status, ==, EVTCHNSTAT_unbound);
    world_down(&w);
}

/*
 * A reboot after a Windows re-bind: the port the guest re-bound is the
 * store's, the old number now belongs to someone else.
 */
static void test_reset_after_rebind(void)
{
    World w;
    evtchn_port_t be, rebound, other;
    struct evtchn_status st;
    g_autofree char *v = NULL;

    world_up(&w);
    be = xen_xenstore_be_port(w.s);
    other = windows_rebind(&w, true);
    rebound = w.g.port;
    g_assert_cmpuint(guest_ports_in_use(), ==, 2);

    g_assert_true(xen_xenstore_reset(w.s, &error_abort));
    /* The unrelated port is untouched, the re-bound one released. */
    st = port_status(other);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_unbound);
    g_assert_cmpuint(st.u.unbound.dom, ==, GUEST_DOMID);
    g_assert_cmpuint(guest_ports_in_use(), ==, 2);
    g_assert_cmpuint(xen_xenstore_be_port(w.s), ==, be);
    st = port_status(xen_xenstore_guest_port(w.s));
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_interdomain);
    g_assert_cmpuint(st.u.interdomain.port, ==, be);
    if (rebound != xen_xenstore_guest_port(w.s)) {
        g_assert_cmpuint(port_status(rebound).status, ==, EVTCHNSTAT_closed);
    }
    xs_guest_retarget(&w.g, xen_xenstore_ring(w.s),
                      xen_xenstore_guest_port(w.s));
    v = xs_guest_read_str(&w.g, 0, "domid");
    g_assert_cmpstr(v, ==, "1");
    world_down(&w);
}

/* ---- reset ---- */

static void test_reset_twice(void)
{
    const XenstoreBackendOps *ops = &emu_xenstore_backend_ops;
    World w;
    qemu_xs_handle *h;
    unsigned int introduced = 0, released = 0;

    /* Watch from before the first boot. */
    w.s = world_device();
    h = ops->open(&error_abort);
    g_assert_nonnull(ops->watch(h, "@introduceDomain", count_cb,
                                &introduced));
    g_assert_nonnull(ops->watch(h, "@releaseDomain", count_cb, &released));
    xs_guest_run();
    g_assert_cmpuint(introduced, ==, 1);
    g_assert_cmpuint(released, ==, 1);
    g_assert_false(xs_impl_is_domain_introduced(world_store(&w),
                                                GUEST_DOMID));
    /* Boot: the domain comes; nothing went away. */
    g_assert_true(xen_xenstore_reset(w.s, &error_abort));
    xs_guest_init(&w.g, xen_xenstore_ring(w.s),
                  xen_xenstore_guest_port(w.s));
    xs_guest_run();
    g_assert_cmpuint(introduced, ==, 2);
    g_assert_cmpuint(released, ==, 1);
    g_assert_true(xs_impl_is_domain_introduced(world_store(&w),
                                               GUEST_DOMID));

    /* Reboots: the old domain goes, the new one comes. */
    for (int round = 1; round <= 2; round++) {
        evtchn_port_t old = w.g.port;
        uint32_t tx = busy_session(&w);
        g_autofree char *port = NULL;
        g_autofree char *tx_node = NULL;

        g_assert_true(xen_xenstore_reset(w.s, &error_abort));
        xs_guest_run();
        g_assert_cmpuint(introduced, ==, 2 + round);
        g_assert_cmpuint(released, ==, 1 + round);
        g_assert_true(xs_impl_is_domain_introduced(world_store(&w),
                                                   GUEST_DOMID));
        /* The old port was released, one store port remains. */
        g_assert_cmpuint(guest_ports_in_use(), ==, 1);
        if (old != xen_xenstore_guest_port(w.s)) {
            g_assert_cmpuint(port_status(old).status, ==,
                             EVTCHNSTAT_closed);
        }
        xs_guest_retarget(&w.g, xen_xenstore_ring(w.s),
                          xen_xenstore_guest_port(w.s));
        g_byte_array_set_size(w.g.rx, 0);
        g_assert_cmpuint(world_ring(&w)->evtchn_port, ==, w.g.port);
        port = xs_guest_read_str(&w.g, 0, "store/port");
        g_assert_cmpuint(atoi(port), ==, w.g.port);
        g_assert_cmpint(xs_guest_tx_end(&w.g, tx, true), ==, ENOENT);
        tx_node = dom0_read(&w, "/local/domain/1/data/tx-node");
        g_assert_null(tx_node);
        dom0_write(&w, "/local/domain/1/data/w", "x");
        xs_guest_assert_no_event(&w.g);
    }
    ops->close(h);
    world_down(&w);
}

/* ---- migration ---- */

/* Interrupted after @cut bytes of a request. */
static void migrate_mid_request(size_t cut, GByteArray *req)
{
    World w;
    g_autoptr(XsGuestMsg) m = NULL;
    g_autofree char *v = NULL;
    XENSTORE_RING_IDX base;

    world_up(&w);
    xs_guest_watch(&w.g, "data/mig", "m");
    xs_guest_assert_event(&w.g, "data/mig", "m");
    base = world_ring(&w)->req_cons;
    xs_guest_put(&w.g, req->data, cut);
    xs_guest_send(&w.g);
    xs_guest_run();
    g_assert_cmpuint(world_ring(&w)->req_cons, ==, base + cut);
    world_migrate(&w);
    xs_guest_put(&w.g, req->data + cut, req->len - cut);
    xs_guest_send(&w.g);
    m = xs_guest_wait_reply(&w.g);
    g_assert_cmpuint(m->hdr.req_id, ==, 42);
    XS_GUEST_ASSERT(m, XS_WRITE, "OK\0");
    xs_guest_assert_event(&w.g, "data/mig", "m");
    v = dom0_read(&w, "/local/domain/1/data/mig");
    g_assert_cmpstr(v, ==, "migrating-value-0123456789");
    world_down(&w);
}

static void test_migrate_every_request_byte(void)
{
    g_autoptr(GByteArray) req =
        xs_guest_encode(XS_WRITE, 42, 0,
                        "data/mig\0migrating-value-0123456789", 35);

    for (size_t cut = 0; cut <= req->len; cut++) {
        migrate_mid_request(cut, req);
    }
}

/* Interrupted after the guest read @cut bytes of a reply. */
static void migrate_mid_reply(size_t cut, size_t value_len)
{
    World w;
    g_autoptr(GByteArray) val = g_byte_array_new();
    g_autoptr(GByteArray) req = xs_guest_encode(XS_READ, 43, 0,
                                                "data/val\0", 9);
    g_autoptr(XsGuestMsg) m = NULL;

    world_up(&w);
    for (size_t i = 0; i < value_len; i++) {
        g_byte_array_append(val, (const uint8_t *)"ABCDEFG" + i % 7, 1);
    }
    g_assert_cmpint(xs_impl_write(world_store(&w), DOMID_QEMU, XBT_NULL,
                                  "/local/domain/1/data/val", val), ==, 0);
    xs_guest_put(&w.g, req->data, req->len);
    xs_guest_send(&w.g);
    xs_guest_run();
    for (size_t got = 0; got < cut;) {
        size_t n = xs_guest_read(&w.g, cut - got);

        got += n;
        if (!n) {
            g_assert_true(xs_guest_run());
        }
    }
    g_assert_cmpuint(g_queue_get_length(&w.g.replies), ==,
                     cut == 16 + value_len);
    world_migrate(&w);
    m = xs_guest_wait_reply(&w.g);
    g_assert_nonnull(m);
    g_assert_cmpuint(m->hdr.req_id, ==, 43);
    g_assert_cmpuint(m->hdr.type, ==, XS_READ);
    g_assert_cmpmem(m->body, m->hdr.len, val->data, val->len);
    g_clear_pointer(&m, xs_guest_msg_free);
    /* And the ring goes on. */
    m = XS_GUEST_CALL(&w.g, XS_READ, 0, "domid\0");
    XS_GUEST_ASSERT(m, XS_READ, "1");
    world_down(&w);
}

static void test_migrate_every_reply_byte(void)
{
    for (size_t cut = 0; cut <= 16 + 100; cut++) {
        migrate_mid_reply(cut, 100);
    }
}

static void test_migrate_large_reply(void)
{
    static const size_t cuts[] = {
        0, 1, 15, 16, 17, 1000, 1023, 1024, 1025, 2047, 2048, 2049, 3000,
        3015, 3016,
    };

    for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
        migrate_mid_reply(cuts[i], 3000);
    }
}

static void test_migrate_events_and_transactions(void)
{
    World w;
    struct xenstore_domain_interface *r;
    g_autoptr(GByteArray) big = g_byte_array_new();
    g_autoptr(GByteArray) req = xs_guest_encode(XS_READ, 60, 0,
                                                "data/big\0", 9);
    g_autoptr(XsGuestMsg) m = NULL;
    g_autofree char *seen = NULL;
    g_autofree char *v = NULL;
    uint32_t tx_ok, tx_conflict;

    world_up(&w);
    r = world_ring(&w);
    for (int i = 0; i < 3000; i++) {
        g_byte_array_append(big, (const uint8_t *)"m", 1);
    }
    g_assert_cmpint(xs_impl_write(world_store(&w), DOMID_QEMU, XBT_NULL,
                                  "/local/domain/1/data/big", big), ==, 0);
    dom0_write(&w, "/local/domain/1/data/shared", "0");
    /* There before tx_ok starts: dom0's children below do not fail it. */
    dom0_write(&w, "/local/domain/1/data/ev", "");
    xs_guest_watch(&w.g, "data/ev", "e");
    xs_guest_assert_event(&w.g, "data/ev", "e");

    /* One transaction that will commit, one that will conflict. */
    tx_ok = xs_guest_tx_start(&w.g);
    xs_guest_write_str(&w.g, tx_ok, "data/ev/from-tx", "t");
    tx_conflict = xs_guest_tx_start(&w.g);
    seen = xs_guest_read_str(&w.g, tx_conflict, "data/shared");
    g_assert_cmpstr(seen, ==, "0");
    xs_guest_write_str(&w.g, tx_conflict, "data/shared", "guest");

    /* A big reply in flight and events queued behind it. */
    xs_guest_put(&w.g, req->data, req->len);
    xs_guest_send(&w.g);
    xs_guest_run();
    g_assert_cmpuint(r->rsp_prod - r->rsp_cons, ==, XENSTORE_RING_SIZE);
    for (int i = 0; i < 10; i++) {
        g_autofree char *p = g_strdup_printf("/local/domain/1/data/ev/%d", i);

        dom0_write(&w, p, "x");
    }
    dom0_write(&w, "/local/domain/1/data/shared", "dom0");
    g_assert_cmpuint(xs_conn_queued_events(xen_xenstore_conn(w.s)), ==, 10);

    world_migrate(&w);
    g_assert_cmpuint(xs_conn_queued_events(xen_xenstore_conn(w.s)), ==, 10);
    m = xs_guest_wait_reply(&w.g);
    g_assert_cmpuint(m->hdr.req_id, ==, 60);
    g_assert_cmpmem(m->body, m->hdr.len, big->data, big->len);
    for (int i = 0; i < 10; i++) {
        g_autofree char *p = g_strdup_printf("data/ev/%d", i);

        xs_guest_assert_event(&w.g, p, "e");
    }
    xs_guest_assert_no_event(&w.g);

    g_assert_cmpint(xs_guest_tx_end(&w.g, tx_conflict, true), ==, EAGAIN);
    g_assert_cmpint(xs_guest_tx_end(&w.g, tx_ok, true), ==, 0);
    xs_guest_assert_event(&w.g, "data/ev/from-tx", "e");
    v = dom0_read(&w, "/local/domain/1/data/ev/from-tx");
    g_assert_cmpstr(v, ==, "t");
    g_free(v);
    v = dom0_read(&w, "/local/domain/1/data/shared");
    g_assert_cmpstr(v, ==, "dom0");
    world_down(&w);
}

/* Work the device had not looked at yet when the state was saved. */
static void test_migrate_pending_work(void)
{
    World w;
    struct xenstore_domain_interface *r;
    g_autoptr(GByteArray) req = xs_guest_encode(XS_READ, 80, 0, "domid\0", 6);
    g_autoptr(XsGuestMsg) m = NULL;
    evtchn_port_t be;

    /* A request and its notification, not yet served. */
    world_up(&w);
    xs_guest_put(&w.g, req->data, req->len);
    xs_guest_send(&w.g);
    world_migrate(&w);
    m = xs_guest_wait_reply(&w.g);
    g_assert_nonnull(m);
    g_assert_cmpuint(m->hdr.req_id, ==, 80);
    XS_GUEST_ASSERT(m, XS_READ, "1");
    g_clear_pointer(&m, xs_guest_msg_free);

    /* A reconnection asked for, not yet done. */
    xs_guest_watch(&w.g, "data/p", "p");
    xs_guest_assert_event(&w.g, "data/p", "p");
    r = world_ring(&w);
    qatomic_set(&r->connection, XENSTORE_RECONNECT);
    xs_guest_send(&w.g);
    world_migrate(&w);
    xs_guest_run();
    r = world_ring(&w);
    g_assert_cmpuint(r->connection, ==, XENSTORE_CONNECTED);
    g_assert_cmpuint(r->req_prod | r->rsp_prod, ==, 0);
    g_queue_clear_full(&w.g.replies, (GDestroyNotify)xs_guest_msg_free);
    g_byte_array_set_size(w.g.rx, 0);
    dom0_write(&w, "/local/domain/1/data/p", "gone");
    xs_guest_assert_no_event(&w.g);

    /* The guest's end closed (half-way through a Windows re-bind). */
    be = xen_xenstore_be_port(w.s);
    {
        struct evtchn_close close = { .port = w.g.port };
        struct evtchn_bind_interdomain bind = {
            .remote_dom = DOMID_QEMU, .remote_port = be,
        };

        g_assert_cmpint(xen_evtchn_close_op(&close), ==, 0);
        world_migrate(&w);
        g_assert_cmpuint(xen_xenstore_be_port(w.s), ==, be);
        g_assert_cmpint(xen_evtchn_bind_interdomain_op(&bind), ==, 0);
        w.g.port = bind.local_port;
    }
    m = XS_GUEST_CALL(&w.g, XS_READ, 0, "name\0");
    XS_GUEST_ASSERT(m, XS_READ, GUEST_NAME);
    world_down(&w);
}

/* A guest stopped by a ring error stays stopped through migration. */
static void test_migrate_ring_error(void)
{
    World w;

    world_up(&w);
    inject_fault(&w, FAULT_PROTO);
    world_migrate(&w);
    assert_stopped(&w, XENSTORE_ERROR_PROTO);
    guest_reconnect(&w);
    {
        g_autofree char *v = xs_guest_read_str(&w.g, 0, "domid");

        g_assert_cmpstr(v, ==, "1");
    }
    world_down(&w);
}

/* ---- corrupt device state ---- */

static bool same_bytes(GByteArray *a, GByteArray *b)
{
    return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

/* A device in a known state, and what saving it gives now. */
typedef struct Corruptee {
    World *w;
    GByteArray *good;           /* the state to go back to */
    GByteArray *now;            /* xen_xenstore_save() of the device */
} Corruptee;

/*
 * Load bad: refused with an error saying it is about the device, and
 * the device exactly as before; or accepted as a state that saves back
 * to bytes that load again to the same bytes, and that the device can
 * serve.  Either way the good state is loaded back for the next try.
 */
static bool load_refused_untouched(Corruptee *c, const uint8_t *bad,
                                   size_t len)
{
    g_autoptr(GByteArray) after = NULL;
    Error *err = NULL;

    if (xen_xenstore_load(c->w->s, bad, len, &err)) {
        g_autoptr(GByteArray) again = NULL;
        g_autoptr(GByteArray) twice = NULL;

        g_assert_null(err);
        again = xen_xenstore_save(c->w->s);
        g_assert_true(xen_xenstore_load(c->w->s, again->data, again->len,
                                        &error_abort));
        twice = xen_xenstore_save(c->w->s);
        g_assert_true(same_bytes(again, twice));
        xen_xenstore_pump(c->w->s);
        g_assert_true(xen_xenstore_load(c->w->s, c->good->data,
                                        c->good->len, &error_abort));
        g_byte_array_unref(c->now);
        c->now = xen_xenstore_save(c->w->s);
        return false;
    }
    g_assert_nonnull(err);
    g_assert_true(g_str_has_prefix(error_get_pretty(err), "xen-xenstore: "));
    error_free(err);
    after = xen_xenstore_save(c->w->s);
    g_assert_true(same_bytes(c->now, after));
    return true;
}

/* A copy of @good with one field (a little-endian u32) set to @v. */
static void refuse_field(Corruptee *c, size_t off, uint32_t v)
{
    g_autoptr(GByteArray) bad = g_byte_array_new();
    uint8_t le[4] = { v, v >> 8, v >> 16, v >> 24 };

    g_byte_array_append(bad, c->good->data, c->good->len);
    memcpy(bad->data + off, le, 4);
    g_assert_true(load_refused_untouched(c, bad->data, bad->len));
}

static void test_load_corrupt(void)
{
    World w;
    g_autoptr(GByteArray) good = NULL;
    g_autoptr(GByteArray) bad = NULL;
    g_autoptr(GByteArray) req = xs_guest_encode(XS_WRITE, 70, 0,
                                                "data/c\0value", 12);
    unsigned int refused = 0, accepted = 0;
    Corruptee c = { .w = &w };
    const size_t header = 4 * 8, page_end = header + 4096;
    size_t store_len_at;
    uint32_t conn_len;

    world_up(&w);
    xs_guest_watch(&w.g, "data", "c");
    xs_guest_tx_start(&w.g);
    xs_guest_put(&w.g, req->data, 10);
    xs_guest_send(&w.g);
    xs_guest_run();
    good = xen_xenstore_save(w.s);
    g_assert_cmpmem(good->data, 4, "XSDV", 4);
    c.good = good;
    c.now = xen_xenstore_save(w.s);
    memcpy(&conn_len, good->data + page_end, 4);
    store_len_at = page_end + 4 + GUINT32_FROM_LE(conn_len);

    /* Every truncation is refused, and so is anything after the end. */
    for (size_t len = 0; len < good->len; len++) {
        g_assert_true(load_refused_untouched(&c, good->data, len));
    }
    bad = g_byte_array_new();
    g_byte_array_append(bad, good->data, good->len);
    g_byte_array_append(bad, (const uint8_t *)"", 1);
    g_assert_true(load_refused_untouched(&c, bad->data, bad->len));

    /*
     * One bit flipped in every byte (a different bit from byte to byte):
     * refused untouched, or loaded as a consistent state.  The page is
     * guest memory, where any bytes are a valid page: flips there must
     * load.
     */
    for (size_t off = 0; off < good->len; off++) {
        g_byte_array_set_size(bad, 0);
        g_byte_array_append(bad, good->data, good->len);
        bad->data[off] ^= 1u << (off % 8);
        if (load_refused_untouched(&c, bad->data, bad->len)) {
            refused++;
            if (off >= header && off < page_end) {
                g_error("flip at %zu in the page refused", off);
            }
            continue;
        }
        accepted++;
        if (off < 12 || (off >= 16 && off < 24) ||
            (off >= page_end && off < page_end + 4) ||
            (off >= store_len_at && off < store_len_at + 4)) {
            /* magic, version, domid, backend port, flags, lengths */
            g_error("flip at %zu accepted", off);
        }
    }
    g_test_message("%u flips refused, %u accepted", refused, accepted);
    g_assert_cmpuint(refused, >, 0);

    /* Another guest's state, or with a backend port nobody has. */
    refuse_field(&c, 8, 2);
    refuse_field(&c, 16, 200);
    /* Unknown flags; ready without ports; another version. */
    refuse_field(&c, 20, 8 | 1);
    refuse_field(&c, 12, 0);
    refuse_field(&c, 4, 2);

    g_byte_array_unref(c.now);
    /* After all that the guest finishes its request normally. */
    xs_guest_put(&w.g, req->data + 10, req->len - 10);
    xs_guest_send(&w.g);
    {
        g_autoptr(XsGuestMsg) m = xs_guest_wait_reply(&w.g);

        g_assert_cmpuint(m->hdr.req_id, ==, 70);
        XS_GUEST_ASSERT(m, XS_WRITE, "OK\0");
    }
    world_down(&w);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xen-xenstore/evtchn/windows-rebind",
                    test_windows_rebind);
    g_test_add_func("/xen-xenstore/evtchn/reset-after-rebind",
                    test_reset_after_rebind);
    g_test_add_func("/xen-xenstore/reset/twice", test_reset_twice);
    g_test_add_func("/xen-xenstore/migrate/every-request-byte",
                    test_migrate_every_request_byte);
    g_test_add_func("/xen-xenstore/migrate/every-reply-byte",
                    test_migrate_every_reply_byte);
    g_test_add_func("/xen-xenstore/migrate/large-reply",
                    test_migrate_large_reply);
    g_test_add_func("/xen-xenstore/migrate/events-and-transactions",
                    test_migrate_events_and_transactions);
    g_test_add_func("/xen-xenstore/migrate/pending-work",
                    test_migrate_pending_work);
    g_test_add_func("/xen-xenstore/migrate/ring-error",
                    test_migrate_ring_error);
    g_test_add_func("/xen-xenstore/migrate/corrupt", test_load_corrupt);
    return g_test_run();
}
