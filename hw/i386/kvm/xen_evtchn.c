/*
 * Emulated Xen event channels: the guest domain's port table, the
 * EVTCHNOP_* operations on it and the VMM's backend handles (save/load
 * are in xen_evtchn_save.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <sys/eventfd.h>
#include "hw/i386/kvm/xen_evtchn.h"
#include "xen_evtchn_int.h"
#include "trace.h"

static XenEvtchnState *evtchn;

XenEvtchnState *xen_evtchn_state(void)
{
    return evtchn;
}

/* DOMID_SELF and the guest's own domid both mean the guest. */
static domid_t resolve_dom(domid_t dom)
{
    return dom == DOMID_SELF ? evtchn->domid : dom;
}

/* The guest may only act for itself. */
static int check_own_dom(domid_t dom)
{
    dom = resolve_dom(dom);
    if (dom == evtchn->domid) {
        return 0;
    }
    return dom == DOMID_QEMU ? -EPERM : -ESRCH;
}

static evtchn_port_t find_free_port(void)
{
    for (evtchn_port_t p = 1; p < NR_PORTS; p++) {
        if (evtchn->ports[p].state == PORT_FREE) {
            return p;
        }
    }
    return 0;
}

static evtchn_port_t find_free_be_port(void)
{
    for (evtchn_port_t p = 1; p < NR_PORTS; p++) {
        if (!evtchn->be_ports[p].in_use) {
            return p;
        }
    }
    return 0;
}

static void signal_handle(XenEvtchnBeHandle *h)
{
    uint64_t one = 1;

    /* Only fails if the counter would overflow: it is signalled then. */
    if (write(h->fd, &one, sizeof(one)) < 0) {
        trace_xen_be_evtchn_signal_failed(h->fd, errno);
    }
}

/* 2-level delivery: an upcall only on a new, unmasked event. */
static void set_port_pending(evtchn_port_t port)
{
    XenEvtchnPort *p = &evtchn->ports[port];
    bool upcall;

    if (evtchn->guest_raise) {
        trace_xen_evtchn_set_pending(port, true);
        evtchn->guest_raise(evtchn->upcall_opaque, port);
        return;
    }
    if (p->pending) {
        return;
    }
    p->pending = true;
    upcall = !p->masked && evtchn->upcall;
    trace_xen_evtchn_set_pending(port, upcall);
    if (upcall) {
        evtchn->upcall(evtchn->upcall_opaque, port);
    }
}

/* The guest sent on a port bound to be_port. */
static void deliver_to_backend(evtchn_port_t be_port)
{
    XenEvtchnBePort *be = &evtchn->be_ports[be_port];

    if (be->pending) {
        return;
    }
    be->pending = true;
    if (!be->masked && be->owner) {
        signal_handle(be->owner);
    }
}

static void free_port(evtchn_port_t port)
{
    XenEvtchnPort *p = &evtchn->ports[port];

    /* The mask bit belongs to the guest and outlives the channel. */
    p->state = PORT_FREE;
    p->pending = false;
    p->remote_dom = 0;
    p->remote_port = 0;
    p->vcpu = 0;
    p->virq = 0;
}

/* Close a guest port in use; its peer, if any, becomes unbound. */
static void close_port(evtchn_port_t port)
{
    XenEvtchnPort *p = &evtchn->ports[port];

    if (p->state == PORT_INTERDOMAIN) {
        if (p->remote_dom == DOMID_QEMU) {
            evtchn->be_ports[p->remote_port].guest_port = 0;
        } else {
            XenEvtchnPort *peer = &evtchn->ports[p->remote_port];

            peer->state = PORT_UNBOUND;
            peer->remote_dom = evtchn->domid;
            peer->remote_port = 0;
        }
    }
    free_port(port);
}

bool xen_evtchn_create(domid_t guest_domid, Error **errp)
{
    if (evtchn) {
        error_setg(errp, "event channels already created");
        return false;
    }
    if (guest_domid == DOMID_QEMU || guest_domid >= DOMID_FIRST_RESERVED) {
        error_setg(errp, "invalid guest domain id %u", guest_domid);
        return false;
    }
    evtchn = g_new0(XenEvtchnState, 1);
    evtchn->domid = guest_domid;
    evtchn->nr_vcpus = 1;
    evtchn->handles = g_ptr_array_new();
    trace_xen_evtchn_create(guest_domid);
    return true;
}

void xen_evtchn_destroy(void)
{
    if (!evtchn) {
        return;
    }
    trace_xen_evtchn_destroy();
    for (guint i = 0; i < evtchn->handles->len; i++) {
        XenEvtchnBeHandle *h = g_ptr_array_index(evtchn->handles, i);

        h->be_port = 0;
    }
    g_ptr_array_free(evtchn->handles, true);
    g_free(evtchn);
    evtchn = NULL;
}

void xen_evtchn_reset(void)
{
    if (!evtchn) {
        return;
    }
    trace_xen_evtchn_reset();
    for (evtchn_port_t p = 1; p < NR_PORTS; p++) {
        if (evtchn->ports[p].state != PORT_FREE) {
            close_port(p);
        }
        evtchn->ports[p].masked = false;
    }
    /* Loaded backend ports nobody took back can never be used now. */
    for (evtchn_port_t p = 1; p < NR_PORTS; p++) {
        if (evtchn->be_ports[p].in_use && !evtchn->be_ports[p].owner) {
            memset(&evtchn->be_ports[p], 0, sizeof(XenEvtchnBePort));
        }
    }
}

bool xen_evtchn_set_nr_vcpus(uint32_t nr_vcpus)
{
    if (!evtchn || !nr_vcpus || nr_vcpus > XEN_EVTCHN_MAX_VCPUS) {
        return false;
    }
    evtchn->nr_vcpus = nr_vcpus;
    return true;
}

void xen_evtchn_set_upcall(XenEvtchnUpcallFn *fn, void *opaque)
{
    if (evtchn) {
        evtchn->upcall = fn;
        evtchn->upcall_opaque = opaque;
    }
}

void xen_evtchn_set_guest_delivery(XenEvtchnUpcallFn *raise,
                                   XenEvtchnUpcallFn *unmask, void *opaque)
{
    if (evtchn) {
        evtchn->guest_raise = raise;
        evtchn->guest_unmask = raise ? unmask : NULL;
        evtchn->upcall = NULL;
        evtchn->upcall_opaque = opaque;
    }
}

int xen_evtchn_alloc_unbound_op(struct evtchn_alloc_unbound *alloc)
{
    domid_t remote;
    evtchn_port_t port;
    int err;

    if (!evtchn) {
        return -ENOSYS;
    }
    err = check_own_dom(alloc->dom);
    if (err) {
        trace_xen_evtchn_op_failed("alloc_unbound", alloc->dom, err);
        return err;
    }
    remote = resolve_dom(alloc->remote_dom);
    if (remote >= DOMID_FIRST_RESERVED) {
        trace_xen_evtchn_op_failed("alloc_unbound", alloc->remote_dom,
                                   -ESRCH);
        return -ESRCH;
    }
    port = find_free_port();
    if (!port) {
        trace_xen_evtchn_op_failed("alloc_unbound", 0, -ENOSPC);
        return -ENOSPC;
    }
    evtchn->ports[port].state = PORT_UNBOUND;
    evtchn->ports[port].pending = false;
    evtchn->ports[port].remote_dom = remote;
    evtchn->ports[port].remote_port = 0;
    alloc->port = port;
    trace_xen_evtchn_alloc_unbound(port, remote);
    return 0;
}

int xen_evtchn_bind_interdomain_op(struct evtchn_bind_interdomain *bind)
{
    domid_t remote;
    evtchn_port_t rport = bind->remote_port;
    evtchn_port_t lport;
    XenEvtchnPort *lp;

    if (!evtchn) {
        return -ENOSYS;
    }
    remote = resolve_dom(bind->remote_dom);
    if (remote != evtchn->domid && remote != DOMID_QEMU) {
        trace_xen_evtchn_op_failed("bind_interdomain", remote, -ESRCH);
        return -ESRCH;
    }
    /* The remote end must be unbound and waiting for this guest. */
    if (!valid_port(rport)) {
        goto invalid;
    }
    if (remote == DOMID_QEMU) {
        XenEvtchnBePort *be = &evtchn->be_ports[rport];

        if (!be->in_use || be->guest_port) {
            goto invalid;
        }
    } else {
        XenEvtchnPort *rp = &evtchn->ports[rport];

        if (rp->state != PORT_UNBOUND || rp->remote_dom != evtchn->domid) {
            goto invalid;
        }
    }
    lport = find_free_port();
    if (!lport) {
        trace_xen_evtchn_op_failed("bind_interdomain", 0, -ENOSPC);
        return -ENOSPC;
    }
    lp = &evtchn->ports[lport];
    lp->state = PORT_INTERDOMAIN;
    lp->pending = false;
    lp->remote_dom = remote;
    lp->remote_port = rport;
    if (remote == DOMID_QEMU) {
        evtchn->be_ports[rport].guest_port = lport;
    } else {
        XenEvtchnPort *rp = &evtchn->ports[rport];

        rp->state = PORT_INTERDOMAIN;
        rp->remote_port = lport;
    }
    bind->local_port = lport;
    trace_xen_evtchn_bind_interdomain(remote, rport, lport);
    set_port_pending(lport);
    return 0;

invalid:
    trace_xen_evtchn_op_failed("bind_interdomain", rport, -EINVAL);
    return -EINVAL;
}

int xen_evtchn_send_op(struct evtchn_send *send)
{
    evtchn_port_t port = send->port;
    XenEvtchnPort *p;

    if (!evtchn) {
        return -ENOSYS;
    }
    if (!valid_port(port) || evtchn->ports[port].state == PORT_FREE) {
        trace_xen_evtchn_op_failed("send", port, -EINVAL);
        return -EINVAL;
    }
    p = &evtchn->ports[port];
    trace_xen_evtchn_send(port, p->state);
    if (p->state == PORT_IPI) {
        set_port_pending(port);
    } else if (p->state == PORT_VIRQ) {
        trace_xen_evtchn_op_failed("send", port, -EINVAL);
        return -EINVAL;
    } else if (p->state == PORT_INTERDOMAIN) {
        if (p->remote_dom == DOMID_QEMU) {
            deliver_to_backend(p->remote_port);
        } else {
            set_port_pending(p->remote_port);
        }
    }
    /* On an unbound port the event is dropped, as in Xen. */
    return 0;
}

int xen_evtchn_close_op(struct evtchn_close *close)
{
    evtchn_port_t port = close->port;

    if (!evtchn) {
        return -ENOSYS;
    }
    if (!valid_port(port) || evtchn->ports[port].state == PORT_FREE) {
        trace_xen_evtchn_op_failed("close", port, -EINVAL);
        return -EINVAL;
    }
    trace_xen_evtchn_close(port);
    close_port(port);
    return 0;
}

int xen_evtchn_status_op(struct evtchn_status *status)
{
    XenEvtchnPort *p;
    int err;

    if (!evtchn) {
        return -ENOSYS;
    }
    err = check_own_dom(status->dom);
    if (err) {
        trace_xen_evtchn_op_failed("status", status->dom, err);
        return err;
    }
    if (status->port >= NR_PORTS) {
        trace_xen_evtchn_op_failed("status", status->port, -EINVAL);
        return -EINVAL;
    }
    p = &evtchn->ports[status->port];
    memset(&status->u, 0, sizeof(status->u));
    status->vcpu = p->vcpu;
    switch (p->state) {
    case PORT_UNBOUND:
        status->status = EVTCHNSTAT_unbound;
        status->u.unbound.dom = p->remote_dom;
        break;
    case PORT_INTERDOMAIN:
        status->status = EVTCHNSTAT_interdomain;
        status->u.interdomain.dom = p->remote_dom;
        status->u.interdomain.port = p->remote_port;
        break;
    case PORT_IPI:
        status->status = EVTCHNSTAT_ipi;
        break;
    case PORT_VIRQ:
        status->status = EVTCHNSTAT_virq;
        status->u.virq = p->virq;
        break;
    default:
        status->status = EVTCHNSTAT_closed;
        break;
    }
    trace_xen_evtchn_status(status->port, status->status);
    return 0;
}

int xen_evtchn_unmask_op(struct evtchn_unmask *unmask)
{
    XenEvtchnPort *p;

    if (!evtchn) {
        return -ENOSYS;
    }
    if (!valid_port(unmask->port)) {
        trace_xen_evtchn_op_failed("unmask", unmask->port, -EINVAL);
        return -EINVAL;
    }
    p = &evtchn->ports[unmask->port];
    trace_xen_evtchn_unmask(unmask->port, p->pending);
    if (evtchn->guest_unmask) {
        evtchn->guest_unmask(evtchn->upcall_opaque, unmask->port);
        return 0;
    }
    p->masked = false;
    /* An event that came while masked is delivered now. */
    if (p->pending && evtchn->upcall) {
        evtchn->upcall(evtchn->upcall_opaque, unmask->port);
    }
    return 0;
}

/* A new port of @state on @vcpu, or -ENOSPC. */
static int new_local_port(uint8_t state, uint32_t vcpu, uint8_t virq)
{
    evtchn_port_t port = find_free_port();
    XenEvtchnPort *p;

    if (!port) {
        return -ENOSPC;
    }
    p = &evtchn->ports[port];
    p->state = state;
    p->pending = false;
    p->remote_dom = 0;
    p->remote_port = 0;
    p->vcpu = vcpu;
    p->virq = virq;
    return port;
}

int xen_evtchn_bind_ipi_op(struct evtchn_bind_ipi *ipi)
{
    int port;

    if (!evtchn) {
        return -ENOSYS;
    }
    if (ipi->vcpu >= evtchn->nr_vcpus) {
        trace_xen_evtchn_op_failed("bind_ipi", ipi->vcpu, -ENOENT);
        return -ENOENT;
    }
    port = new_local_port(PORT_IPI, ipi->vcpu, 0);
    if (port < 0) {
        trace_xen_evtchn_op_failed("bind_ipi", 0, port);
        return port;
    }
    ipi->port = port;
    trace_xen_evtchn_bind_ipi(ipi->vcpu, port);
    return 0;
}

int xen_evtchn_bind_virq_op(struct evtchn_bind_virq *virq)
{
    int port;

    if (!evtchn) {
        return -ENOSYS;
    }
    if (virq->virq >= NR_VIRQS ||
        (virq_is_global(virq->virq) && virq->vcpu)) {
        trace_xen_evtchn_op_failed("bind_virq", virq->virq, -EINVAL);
        return -EINVAL;
    }
    if (virq->vcpu >= evtchn->nr_vcpus) {
        trace_xen_evtchn_op_failed("bind_virq", virq->vcpu, -ENOENT);
        return -ENOENT;
    }
    /* One port per VIRQ and vCPU (a global VIRQ: one port at all). */
    for (evtchn_port_t p = 1; p < NR_PORTS; p++) {
        XenEvtchnPort *q = &evtchn->ports[p];

        if (q->state == PORT_VIRQ && q->virq == virq->virq &&
            (virq_is_global(q->virq) || q->vcpu == virq->vcpu)) {
            trace_xen_evtchn_op_failed("bind_virq", virq->virq, -EEXIST);
            return -EEXIST;
        }
    }
    port = new_local_port(PORT_VIRQ, virq->vcpu, virq->virq);
    if (port < 0) {
        trace_xen_evtchn_op_failed("bind_virq", 0, port);
        return port;
    }
    virq->port = port;
    trace_xen_evtchn_bind_virq(virq->virq, virq->vcpu, port);
    return 0;
}

int xen_evtchn_bind_vcpu_op(struct evtchn_bind_vcpu *vcpu)
{
    XenEvtchnPort *p;

    if (!evtchn) {
        return -ENOSYS;
    }
    if (!valid_port(vcpu->port)) {
        trace_xen_evtchn_op_failed("bind_vcpu", vcpu->port, -EINVAL);
        return -EINVAL;
    }
    if (vcpu->vcpu >= evtchn->nr_vcpus) {
        trace_xen_evtchn_op_failed("bind_vcpu", vcpu->vcpu, -ENOENT);
        return -ENOENT;
    }
    p = &evtchn->ports[vcpu->port];
    switch (p->state) {
    case PORT_VIRQ:
        if (!virq_is_global(p->virq)) {
            break;
        }
        /* fall through */
    case PORT_UNBOUND:
    case PORT_INTERDOMAIN:
        p->vcpu = vcpu->vcpu;
        trace_xen_evtchn_bind_vcpu(vcpu->port, vcpu->vcpu);
        return 0;
    default:
        break;
    }
    trace_xen_evtchn_op_failed("bind_vcpu", vcpu->port, -EINVAL);
    return -EINVAL;
}

int xen_evtchn_get_port_bits(evtchn_port_t port, bool *pending,
                             bool *masked)
{
    if (!evtchn || !valid_port(port)) {
        return -EINVAL;
    }
    *pending = evtchn->ports[port].pending;
    *masked = evtchn->ports[port].masked;
    return 0;
}

int xen_evtchn_clear_port_pending(evtchn_port_t port)
{
    if (!evtchn || !valid_port(port)) {
        return -EINVAL;
    }
    evtchn->ports[port].pending = false;
    return 0;
}

int xen_evtchn_set_port_mask(evtchn_port_t port, bool masked)
{
    if (!evtchn || !valid_port(port)) {
        return -EINVAL;
    }
    evtchn->ports[port].masked = masked;
    return 0;
}

/* Backend handles */

XenEvtchnBeHandle *xen_be_evtchn_open(void)
{
    XenEvtchnBeHandle *h;
    int fd;

    if (!evtchn) {
        errno = ENODEV;
        return NULL;
    }
    fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) {
        return NULL;
    }
    h = g_new0(XenEvtchnBeHandle, 1);
    h->fd = fd;
    g_ptr_array_add(evtchn->handles, h);
    trace_xen_be_evtchn_open(fd);
    return h;
}

/* h takes be_port; an event that came while nobody owned it shows. */
static void take_be_port(XenEvtchnBeHandle *h, evtchn_port_t be_port)
{
    XenEvtchnBePort *be = &evtchn->be_ports[be_port];

    be->owner = h;
    h->be_port = be_port;
    if (be->pending && !be->masked) {
        signal_handle(h);
    }
}

int xen_be_evtchn_bind_interdomain(XenEvtchnBeHandle *h, uint32_t domid,
                                   evtchn_port_t guest_port)
{
    XenEvtchnPort *gp;
    evtchn_port_t be_port;
    int err = -EINVAL;

    if (!evtchn) {
        return -ENODEV;
    }
    if (domid != evtchn->domid) {
        err = -ESRCH;
        goto out;
    }
    if (!valid_port(guest_port)) {
        goto out;
    }
    gp = &evtchn->ports[guest_port];

    /* A loaded binding that no handle has taken back yet. */
    if (gp->state == PORT_INTERDOMAIN && gp->remote_dom == DOMID_QEMU &&
        !evtchn->be_ports[gp->remote_port].owner) {
        if (h->be_port && h->be_port != gp->remote_port) {
            err = -EBUSY;
            goto out;
        }
        take_be_port(h, gp->remote_port);
        err = gp->remote_port;
        goto out;
    }

    if (gp->state != PORT_UNBOUND || gp->remote_dom != DOMID_QEMU) {
        goto out;
    }
    be_port = h->be_port;
    if (be_port && evtchn->be_ports[be_port].guest_port) {
        err = -EBUSY;
        goto out;
    }
    if (!be_port) {
        be_port = find_free_be_port();
        if (!be_port) {
            err = -ENOSPC;
            goto out;
        }
        evtchn->be_ports[be_port] = (XenEvtchnBePort) { .in_use = true };
        take_be_port(h, be_port);
    }
    evtchn->be_ports[be_port].guest_port = guest_port;
    gp->state = PORT_INTERDOMAIN;
    gp->remote_port = be_port;
    err = be_port;
out:
    trace_xen_be_evtchn_bind_interdomain(domid, guest_port, err);
    return err;
}

int xen_be_evtchn_check_reclaim(XenEvtchnBeHandle *h,
                                evtchn_port_t be_port)
{
    if (!evtchn) {
        return -ENODEV;
    }
    if (h->be_port) {
        return -EBUSY;
    }
    if (!valid_port(be_port) || !evtchn->be_ports[be_port].in_use ||
        evtchn->be_ports[be_port].owner) {
        return -EINVAL;
    }
    return 0;
}

int xen_be_evtchn_reclaim(XenEvtchnBeHandle *h, evtchn_port_t be_port)
{
    int err = xen_be_evtchn_check_reclaim(h, be_port);

    if (err == -ENODEV) {
        return err;
    }
    if (!err) {
        take_be_port(h, be_port);
    }
    trace_xen_be_evtchn_reclaim(be_port, err);
    return err;
}

int xen_be_evtchn_unbind(XenEvtchnBeHandle *h, evtchn_port_t be_port)
{
    XenEvtchnBePort *be;

    if (!evtchn) {
        return -ENODEV;
    }
    if (!be_port || be_port != h->be_port) {
        trace_xen_be_evtchn_unbind(be_port, -EINVAL);
        return -EINVAL;
    }
    be = &evtchn->be_ports[be_port];
    if (be->guest_port) {
        XenEvtchnPort *gp = &evtchn->ports[be->guest_port];

        gp->state = PORT_UNBOUND;
        gp->remote_dom = DOMID_QEMU;
        gp->remote_port = 0;
    }
    memset(be, 0, sizeof(*be));
    h->be_port = 0;
    trace_xen_be_evtchn_unbind(be_port, 0);
    return 0;
}

int xen_be_evtchn_close(XenEvtchnBeHandle *h)
{
    if (!h) {
        return 0;
    }
    trace_xen_be_evtchn_close(h->fd, h->be_port);
    if (evtchn) {
        if (h->be_port) {
            xen_be_evtchn_unbind(h, h->be_port);
        }
        g_ptr_array_remove(evtchn->handles, h);
    }
    close(h->fd);
    g_free(h);
    return 0;
}

int xen_be_evtchn_fd(XenEvtchnBeHandle *h)
{
    return h->fd;
}

int xen_be_evtchn_notify(XenEvtchnBeHandle *h, evtchn_port_t be_port)
{
    evtchn_port_t guest_port;
    int err = 0;

    if (!evtchn) {
        return -ENODEV;
    }
    if (!be_port || be_port != h->be_port) {
        err = -EINVAL;
    } else {
        guest_port = evtchn->be_ports[be_port].guest_port;
        if (!guest_port) {
            err = -ENOTCONN;
        } else {
            set_port_pending(guest_port);
        }
    }
    trace_xen_be_evtchn_notify(be_port, err);
    return err;
}

int xen_be_evtchn_pending(XenEvtchnBeHandle *h)
{
    XenEvtchnBePort *be;
    uint64_t count;
    int ret = 0;

    if (!evtchn) {
        return -ENODEV;
    }
    /* Reset the eventfd first, so a later event signals it afresh. */
    if (read(h->fd, &count, sizeof(count)) < 0 && errno != EAGAIN) {
        return -errno;
    }
    if (h->be_port) {
        be = &evtchn->be_ports[h->be_port];
        if (be->pending && !be->masked) {
            be->pending = false;
            be->masked = true;
            ret = h->be_port;
        }
    }
    trace_xen_be_evtchn_pending(h->fd, ret);
    return ret;
}

int xen_be_evtchn_unmask(XenEvtchnBeHandle *h, evtchn_port_t be_port)
{
    XenEvtchnBePort *be;

    if (!evtchn) {
        return -ENODEV;
    }
    if (!be_port || be_port != h->be_port) {
        trace_xen_be_evtchn_unmask(be_port, -EINVAL);
        return -EINVAL;
    }
    be = &evtchn->be_ports[be_port];
    be->masked = false;
    if (be->pending) {
        signal_handle(h);
    }
    trace_xen_be_evtchn_unmask(be_port, 0);
    return 0;
}
