/*
 * The Xen console ring, backend side: moving bytes between the shared
 * page and the host with every guest index checked.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "hw/char/xen_console_ring.h"
#include "trace.h"

/* Offsets Linux's hvc_xen and Xen's xenconsoled agree on. */
QEMU_BUILD_BUG_ON(offsetof(struct xencons_interface, in) != 0);
QEMU_BUILD_BUG_ON(offsetof(struct xencons_interface, out) != 1024);
QEMU_BUILD_BUG_ON(offsetof(struct xencons_interface, in_cons) != 3072);
QEMU_BUILD_BUG_ON(offsetof(struct xencons_interface, in_prod) != 3076);
QEMU_BUILD_BUG_ON(offsetof(struct xencons_interface, out_cons) != 3080);
QEMU_BUILD_BUG_ON(offsetof(struct xencons_interface, out_prod) != 3084);

void xencons_ring_attach(XenConsRing *r, void *intf)
{
    r->intf = intf;
    r->out_cons = qatomic_read(&r->intf->out_cons);
    r->in_prod = qatomic_read(&r->intf->in_prod);
    r->stopped = false;
}

void xencons_ring_detach(XenConsRing *r)
{
    r->intf = NULL;
    r->stopped = false;
}

bool xencons_ring_stopped(const XenConsRing *r)
{
    return r->stopped;
}

static void xencons_ring_stop(XenConsRing *r, const char *why,
                              uint32_t prod, uint32_t cons)
{
    trace_xencons_ring_hostile(why, prod, cons);
    r->stopped = true;
}

/* The guest's out_prod, read once, checked against our out_cons. */
static bool xencons_ring_out_avail(XenConsRing *r, uint32_t *avail)
{
    uint32_t prod;

    if (!r->intf || r->stopped) {
        return false;
    }
    prod = qatomic_read(&r->intf->out_prod);
    /* The data the index covers is read only after the index. */
    smp_rmb();
    if (prod - r->out_cons > XENCONS_OUT_SIZE) {
        xencons_ring_stop(r, "out_prod", prod, r->out_cons);
        return false;
    }
    *avail = prod - r->out_cons;
    return true;
}

size_t xencons_ring_out_pending(XenConsRing *r)
{
    uint32_t avail;

    return xencons_ring_out_avail(r, &avail) ? avail : 0;
}

size_t xencons_ring_drain_out(XenConsRing *r, XenConsSinkFn *sink,
                              void *opaque)
{
    /*
     * A private copy: the sink sees bytes that cannot change under it,
     * whatever the guest does to out[] meanwhile.
     */
    uint8_t buf[XENCONS_OUT_SIZE];
    uint32_t avail, off, first, taken;

    if (!xencons_ring_out_avail(r, &avail) || !avail) {
        return 0;
    }
    off = r->out_cons & (XENCONS_OUT_SIZE - 1);
    first = MIN(avail, XENCONS_OUT_SIZE - off);
    memcpy(buf, r->intf->out + off, first);
    memcpy(buf + first, r->intf->out, avail - first);

    taken = sink(opaque, buf, avail);
    if (taken > avail) {
        taken = avail;          /* a sink bug must not move us past prod */
    }
    if (!taken) {
        return 0;
    }
    r->out_cons += taken;
    /* Our reads of out[] are done before the guest may reuse the room. */
    smp_mb();
    qatomic_set(&r->intf->out_cons, r->out_cons);
    return taken;
}

size_t xencons_ring_in_room(XenConsRing *r)
{
    uint32_t cons;

    if (!r->intf || r->stopped) {
        return 0;
    }
    cons = qatomic_read(&r->intf->in_cons);
    /* The guest has read what it consumed before it moved in_cons. */
    smp_mb();
    if (r->in_prod - cons > XENCONS_IN_SIZE) {
        /* It claims to have read bytes we never wrote. */
        xencons_ring_stop(r, "in_cons", r->in_prod, cons);
        return 0;
    }
    return XENCONS_IN_SIZE - (r->in_prod - cons);
}

size_t xencons_ring_push_in(XenConsRing *r, const uint8_t *buf, size_t len)
{
    size_t room = xencons_ring_in_room(r);
    uint32_t off, first, n;

    n = MIN(len, room);
    if (!n) {
        return 0;
    }
    off = r->in_prod & (XENCONS_IN_SIZE - 1);
    first = MIN(n, XENCONS_IN_SIZE - off);
    memcpy(r->intf->in + off, buf, first);
    memcpy(r->intf->in, buf + first, n - first);
    r->in_prod += n;
    /* The bytes are in in[] before the index that shows them. */
    smp_wmb();
    qatomic_set(&r->intf->in_prod, r->in_prod);
    return n;
}
