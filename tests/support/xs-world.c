/*
 * The world of the xen-xenstore device tests: the device on its event
 * channels with a booted simulated guest (xs-guest.c), and the steps and
 * checks both device test programs share (migration, ring faults).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "hw/xen/interface/xen.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "hw/i386/kvm/xen_xenstore_test.h"
#include "xs-world.h"

const XenXenstoreConfig world_cfg = {
    .domid = GUEST_DOMID,
    .name = GUEST_NAME,
    .memory_kib = GUEST_MEMORY_KIB,
};

XenXenstoreState *world_device(void)
{
    XenXenstoreState *s;

    g_assert_true(xen_evtchn_create(GUEST_DOMID, &error_abort));
    s = xen_xenstore_realize(&world_cfg, &error_abort);
    g_assert_nonnull(s);
    return s;
}

/* A booted guest: device realized and reset, frontend attached. */
void world_up(World *w)
{
    w->s = world_device();
    g_assert_true(xen_xenstore_reset(w->s, &error_abort));
    xs_guest_init(&w->g, xen_xenstore_ring(w->s),
                  xen_xenstore_guest_port(w->s));
    xs_guest_run();
}

void world_down(World *w)
{
    xs_guest_destroy(&w->g);
    xen_xenstore_unrealize(w->s);
    xen_evtchn_destroy();
    xs_guest_run();
    g_assert_null(xen_xenstore_get());
}

/*
 * Live migration: save the event channels and the device, throw both
 * away, build fresh ones and load.  The guest (its port number, its
 * half-read replies) carries on against the new page.
 */
void world_migrate(World *w)
{
    g_autoptr(GByteArray) ev = xen_evtchn_save();
    g_autoptr(GByteArray) dev = xen_xenstore_save(w->s);

    xen_xenstore_unrealize(w->s);
    xen_evtchn_destroy();
    w->s = world_device();
    g_assert_true(xen_evtchn_load(ev->data, ev->len, &error_abort));
    g_assert_true(xen_xenstore_load(w->s, dev->data, dev->len,
                                    &error_abort));
    xs_guest_retarget(&w->g, xen_xenstore_ring(w->s), w->g.port);
}

XenstoreImplState *world_store(World *w)
{
    return xen_xenstore_impl(w->s);
}

/* Domain 0 writes a node, as a backend or the toolstack would. */
void dom0_write(World *w, const char *path, const char *value)
{
    g_autoptr(GByteArray) data = g_byte_array_new();

    g_byte_array_append(data, (const uint8_t *)value, strlen(value));
    g_assert_cmpint(xs_impl_write(world_store(w), DOMID_QEMU, XBT_NULL, path,
                                  data), ==, 0);
}

char *dom0_read(World *w, const char *path)
{
    g_autoptr(GByteArray) data = g_byte_array_new();
    int err = xs_impl_read(world_store(w), DOMID_QEMU, XBT_NULL, path, data);

    if (err) {
        return NULL;
    }
    return g_strndup((const char *)data->data, data->len);
}

struct xenstore_domain_interface *world_ring(World *w)
{
    return xen_xenstore_ring(w->s);
}

struct evtchn_status port_status(evtchn_port_t port)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

    g_assert_cmpint(xen_evtchn_status_op(&st), ==, 0);
    return st;
}

unsigned int guest_ports_in_use(void)
{
    unsigned int n = 0;

    for (evtchn_port_t p = 1; p < EVTCHN_2L_NR_CHANNELS; p++) {
        n += port_status(p).status != EVTCHNSTAT_closed;
    }
    return n;
}

/* ---- ring errors ---- */

/* The guest asks for a reconnection and waits for it. */
void guest_reconnect(World *w)
{
    struct xenstore_domain_interface *r = world_ring(w);
    unsigned int upcalls = w->g.upcalls;

    qatomic_set(&r->connection, XENSTORE_RECONNECT);
    smp_mb();
    xs_guest_send(&w->g);
    xs_guest_run();
    g_assert_cmpuint(qatomic_read(&r->connection), ==, XENSTORE_CONNECTED);
    g_assert_cmpuint(w->g.upcalls, >, upcalls);
    g_byte_array_set_size(w->g.rx, 0);
    g_queue_clear_full(&w->g.replies, (GDestroyNotify)xs_guest_msg_free);
    g_queue_clear_full(&w->g.events, (GDestroyNotify)xs_guest_msg_free);
}

/* Whatever the guest does now, nothing is served. */
void assert_stopped(World *w, uint32_t error)
{
    struct xenstore_domain_interface *r = world_ring(w);
    XENSTORE_RING_IDX req_cons = r->req_cons, rsp_prod = r->rsp_prod;
    g_autoptr(GByteArray) m = xs_guest_encode(XS_READ, 9, 0, "domid\0", 6);

    g_assert_cmpuint(r->error, ==, error);
    if (r->req_prod - r->req_cons <= XENSTORE_RING_SIZE - m->len) {
        xs_guest_put(&w->g, m->data, m->len);
    }
    xs_guest_send(&w->g);
    dom0_write(w, "/local/domain/1/data/while-stopped", "x");
    xs_guest_run();
    g_assert_cmpuint(r->req_cons, ==, req_cons);
    g_assert_cmpuint(r->rsp_prod, ==, rsp_prod);
    g_assert_cmpuint(r->error, ==, error);
}

/* A session with a watch and an open transaction, to be lost. */
uint32_t busy_session(World *w)
{
    uint32_t tx;

    xs_guest_watch(&w->g, "data/w", "old");
    xs_guest_assert_event(&w->g, "data/w", "old");
    tx = xs_guest_tx_start(&w->g);
    xs_guest_write_str(&w->g, tx, "data/tx-node", "x");
    return tx;
}

uint32_t inject_fault(World *w, RingFault f)
{
    struct xenstore_domain_interface *r = world_ring(w);
    struct xsd_sockmsg hdr = {
        .type = XS_WRITE, .req_id = 3, .len = XENSTORE_PAYLOAD_MAX + 1,
    };
    g_autoptr(GByteArray) m = xs_guest_encode(XS_READ, 9, 0, "domid\0", 6);

    switch (f) {
    case FAULT_REQ_IDX:
        qatomic_set(&r->req_prod, r->req_cons + XENSTORE_RING_SIZE + 1);
        xs_guest_send(&w->g);
        xs_guest_run();
        return XENSTORE_ERROR_RINGIDX;
    case FAULT_RSP_IDX:
        qatomic_set(&r->rsp_cons, r->rsp_prod + 10);
        xs_guest_put(&w->g, m->data, m->len);
        xs_guest_send(&w->g);
        xs_guest_run();
        return XENSTORE_ERROR_RINGIDX;
    case FAULT_PROTO:
        xs_guest_put(&w->g, &hdr, sizeof(hdr));
        xs_guest_send(&w->g);
        xs_guest_run();
        /* The header was taken, nothing answered. */
        g_assert_cmpuint(r->req_cons, ==, r->req_prod);
        return XENSTORE_ERROR_PROTO;
    }
    g_assert_not_reached();
}

/* Counts the calls of a backend watch, e.g. @releaseDomain events. */
void count_cb(void *opaque, const char *path)
{
    unsigned int *n = opaque;

    (*n)++;
}
