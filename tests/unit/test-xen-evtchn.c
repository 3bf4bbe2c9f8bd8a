/*
 * Tests of the emulated event channels: guest operations and their
 * error results, loopback and backend connections, the Windows
 * close/re-bind of the store port, reset, and save/load.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/trace-control.h"
#include "hw/xen/interface/event_channel.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "evtchn-ops.h"
#include <poll.h>

#define GUEST_DOMID 1

typedef struct Upcalls {
    int count;
    evtchn_port_t last;
} Upcalls;

static Upcalls upcalls;

static void record_upcall(void *opaque, evtchn_port_t port)
{
    Upcalls *u = opaque;

    u->count++;
    u->last = port;
}

static void setup(void)
{
    xen_evtchn_create(GUEST_DOMID, &error_abort);
    memset(&upcalls, 0, sizeof(upcalls));
    xen_evtchn_set_upcall(record_upcall, &upcalls);
}


static int bind_interdomain(domid_t remote_dom, evtchn_port_t remote_port,
                            evtchn_port_t *local)
{
    struct evtchn_bind_interdomain bind = {
        .remote_dom = remote_dom, .remote_port = remote_port,
    };
    int err = xen_evtchn_bind_interdomain_op(&bind);

    *local = err ? 0 : bind.local_port;
    return err;
}




static struct evtchn_status port_status(evtchn_port_t port)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

    g_assert_cmpint(xen_evtchn_status_op(&st), ==, 0);
    return st;
}

static bool is_pending(evtchn_port_t port)
{
    bool pending, masked;

    g_assert_cmpint(xen_evtchn_get_port_bits(port, &pending, &masked), ==,
                    0);
    return pending;
}

static bool fd_readable(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    g_assert_cmpint(poll(&pfd, 1, 0), >=, 0);
    return pfd.revents & POLLIN;
}

/* The store port as the VMM sets it up: guest port + backend port. */
static evtchn_port_t store_setup(XenEvtchnBeHandle **h,
                                 evtchn_port_t *guest_port)
{
    int be_port;

    *guest_port = alloc_unbound(DOMID_QEMU);
    *h = xen_be_evtchn_open();
    g_assert_nonnull(*h);
    be_port = xen_be_evtchn_bind_interdomain(*h, GUEST_DOMID, *guest_port);
    g_assert_cmpint(be_port, >, 0);
    return be_port;
}

static void test_create_and_no_state(void)
{
    Error *err = NULL;
    struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF };
    struct evtchn_send send = { .port = 1 };

    g_assert_cmpint(xen_evtchn_alloc_unbound_op(&alloc), ==, -ENOSYS);
    g_assert_cmpint(xen_evtchn_send_op(&send), ==, -ENOSYS);
    errno = 0;
    g_assert_null(xen_be_evtchn_open());
    g_assert_cmpint(errno, ==, ENODEV);
    g_assert_false(xen_evtchn_load((const uint8_t *)"x", 1, &err));
    error_free_or_abort(&err);

    g_assert_false(xen_evtchn_create(DOMID_QEMU, &err));
    error_free_or_abort(&err);
    g_assert_false(xen_evtchn_create(DOMID_SELF, &err));
    error_free_or_abort(&err);
    g_assert_true(xen_evtchn_create(GUEST_DOMID, &err));
    g_assert_false(xen_evtchn_create(GUEST_DOMID, &err));
    error_free_or_abort(&err);
    xen_evtchn_destroy();
    xen_evtchn_destroy();
}

static void test_alloc_unbound(void)
{
    struct evtchn_alloc_unbound alloc = { .dom = DOMID_SELF };
    struct evtchn_status st;
    evtchn_port_t p1, p2;

    setup();
    p1 = alloc_unbound(DOMID_QEMU);
    p2 = alloc_unbound(DOMID_SELF);
    g_assert_cmpuint(p1, ==, 1);
    g_assert_cmpuint(p2, ==, 2);
    st = port_status(p1);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_unbound);
    g_assert_cmpuint(st.u.unbound.dom, ==, DOMID_QEMU);
    g_assert_cmpuint(st.vcpu, ==, 0);
    st = port_status(p2);
    g_assert_cmpuint(st.u.unbound.dom, ==, GUEST_DOMID);

    /* Naming itself by domid works; other domains do not. */
    alloc.dom = GUEST_DOMID;
    alloc.remote_dom = DOMID_QEMU;
    g_assert_cmpint(xen_evtchn_alloc_unbound_op(&alloc), ==, 0);
    g_assert_cmpuint(alloc.port, ==, 3);
    alloc.dom = DOMID_QEMU;
    g_assert_cmpint(xen_evtchn_alloc_unbound_op(&alloc), ==, -EPERM);
    alloc.dom = 7;
    g_assert_cmpint(xen_evtchn_alloc_unbound_op(&alloc), ==, -ESRCH);
    alloc.dom = DOMID_SELF;
    alloc.remote_dom = DOMID_ANY;
    g_assert_cmpint(xen_evtchn_alloc_unbound_op(&alloc), ==, -ESRCH);
    alloc.remote_dom = 0xffff;
    g_assert_cmpint(xen_evtchn_alloc_unbound_op(&alloc), ==, -ESRCH);

    /* The lowest free port is reused. */
    g_assert_cmpint(close_port(p1), ==, 0);
    g_assert_cmpuint(alloc_unbound(DOMID_QEMU), ==, p1);
    xen_evtchn_destroy();
}

static void test_port_exhaustion(void)
{
    struct evtchn_alloc_unbound alloc = {
        .dom = DOMID_SELF, .remote_dom = DOMID_QEMU,
    };
    evtchn_port_t p = 0;

    setup();
    for (unsigned i = 1; i < EVTCHN_2L_NR_CHANNELS; i++) {
        p = alloc_unbound(DOMID_QEMU);
    }
    g_assert_cmpuint(p, ==, EVTCHN_2L_NR_CHANNELS - 1);
    g_assert_cmpint(xen_evtchn_alloc_unbound_op(&alloc), ==, -ENOSPC);
    g_assert_cmpint(close_port(100), ==, 0);
    g_assert_cmpuint(alloc_unbound(DOMID_QEMU), ==, 100);
    xen_evtchn_destroy();
}

static void test_bad_ports(void)
{
    const evtchn_port_t bad[] = { 0, 5, EVTCHN_2L_NR_CHANNELS, 0x80000000,
                                  UINT32_MAX };
    struct evtchn_status st = { .dom = DOMID_SELF };
    evtchn_port_t local;
    bool pending, masked;

    setup();
    alloc_unbound(DOMID_QEMU);
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        /* Port 5 is in range but free: no operation applies to it. */
        g_assert_cmpint(send_port(bad[i]), ==, -EINVAL);
        g_assert_cmpint(close_port(bad[i]), ==, -EINVAL);
        g_assert_cmpint(bind_interdomain(DOMID_SELF, bad[i], &local), ==,
                        -EINVAL);
        g_assert_cmpint(bind_interdomain(DOMID_QEMU, bad[i], &local), ==,
                        -EINVAL);
        if (bad[i] != 5) {
            g_assert_cmpint(unmask_port(bad[i]), ==, -EINVAL);
            g_assert_cmpint(xen_evtchn_get_port_bits(bad[i], &pending,
                                                     &masked), ==, -EINVAL);
            g_assert_cmpint(xen_evtchn_set_port_mask(bad[i], true), ==,
                            -EINVAL);
            g_assert_cmpint(xen_evtchn_clear_port_pending(bad[i]), ==,
                            -EINVAL);
        }
    }
    /* Status: port 0 and free ports are closed; beyond the table EINVAL. */
    st.port = 0;
    g_assert_cmpint(xen_evtchn_status_op(&st), ==, 0);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_closed);
    st.port = 5;
    g_assert_cmpint(xen_evtchn_status_op(&st), ==, 0);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_closed);
    st.port = EVTCHN_2L_NR_CHANNELS;
    g_assert_cmpint(xen_evtchn_status_op(&st), ==, -EINVAL);
    st.port = 1;
    st.dom = DOMID_QEMU;
    g_assert_cmpint(xen_evtchn_status_op(&st), ==, -EPERM);
    st.dom = 9;
    g_assert_cmpint(xen_evtchn_status_op(&st), ==, -ESRCH);

    /* Binding to a domain that does not exist here. */
    g_assert_cmpint(bind_interdomain(9, 1, &local), ==, -ESRCH);
    /* Port 1 waits for DOMID_QEMU, not for the guest itself. */
    g_assert_cmpint(bind_interdomain(DOMID_SELF, 1, &local), ==, -EINVAL);
    /* Closed twice. */
    g_assert_cmpint(close_port(1), ==, 0);
    g_assert_cmpint(close_port(1), ==, -EINVAL);
    xen_evtchn_destroy();
}

static void test_loopback(void)
{
    evtchn_port_t a, b, c;
    struct evtchn_status st;
    bool pending, masked;

    setup();
    a = alloc_unbound(DOMID_SELF);
    /* Sending on an unbound port is dropped, as in Xen. */
    g_assert_cmpint(send_port(a), ==, 0);
    g_assert_false(is_pending(a));
    g_assert_cmpint(upcalls.count, ==, 0);

    g_assert_cmpint(bind_interdomain(GUEST_DOMID, a, &b), ==, 0);
    g_assert_cmpuint(b, !=, a);
    /* The new local port starts pending (events may have been lost). */
    g_assert_true(is_pending(b));
    g_assert_cmpint(upcalls.count, ==, 1);
    g_assert_cmpuint(upcalls.last, ==, b);
    st = port_status(a);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_interdomain);
    g_assert_cmpuint(st.u.interdomain.dom, ==, GUEST_DOMID);
    g_assert_cmpuint(st.u.interdomain.port, ==, b);
    st = port_status(b);
    g_assert_cmpuint(st.u.interdomain.port, ==, a);
    /* a is bound now: nobody else can bind to it. */
    g_assert_cmpint(bind_interdomain(DOMID_SELF, a, &c), ==, -EINVAL);

    g_assert_cmpint(xen_evtchn_clear_port_pending(b), ==, 0);
    g_assert_cmpint(send_port(a), ==, 0);
    g_assert_true(is_pending(b));
    g_assert_false(is_pending(a));
    g_assert_cmpint(upcalls.count, ==, 2);
    /* Already pending: no second upcall. */
    g_assert_cmpint(send_port(a), ==, 0);
    g_assert_cmpint(upcalls.count, ==, 2);

    /* Masked: pending is latched without an upcall until unmask. */
    g_assert_cmpint(xen_evtchn_set_port_mask(a, true), ==, 0);
    g_assert_cmpint(send_port(b), ==, 0);
    g_assert_cmpint(xen_evtchn_get_port_bits(a, &pending, &masked), ==, 0);
    g_assert_true(pending);
    g_assert_true(masked);
    g_assert_cmpint(upcalls.count, ==, 2);
    g_assert_cmpint(unmask_port(a), ==, 0);
    g_assert_cmpint(upcalls.count, ==, 3);
    g_assert_cmpuint(upcalls.last, ==, a);
    g_assert_cmpint(xen_evtchn_get_port_bits(a, &pending, &masked), ==, 0);
    g_assert_false(masked);
    /* Unmasking a port with nothing pending does not upcall. */
    g_assert_cmpint(xen_evtchn_clear_port_pending(a), ==, 0);
    g_assert_cmpint(unmask_port(a), ==, 0);
    g_assert_cmpint(upcalls.count, ==, 3);

    /* Closing one end leaves the other unbound, waiting for the guest. */
    g_assert_cmpint(close_port(b), ==, 0);
    st = port_status(a);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_unbound);
    g_assert_cmpuint(st.u.unbound.dom, ==, GUEST_DOMID);
    g_assert_cmpuint(port_status(b).status, ==, EVTCHNSTAT_closed);
    g_assert_false(is_pending(b));
    g_assert_cmpint(bind_interdomain(DOMID_SELF, a, &c), ==, 0);
    xen_evtchn_destroy();
}

static void test_backend_notify_and_send(void)
{
    XenEvtchnBeHandle *h, *other;
    evtchn_port_t gp, bp, loop;
    struct evtchn_status st;
    int fd;

    setup();
    bp = store_setup(&h, &gp);
    fd = xen_be_evtchn_fd(h);
    g_assert_cmpint(fd, >=, 0);
    st = port_status(gp);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_interdomain);
    g_assert_cmpuint(st.u.interdomain.dom, ==, DOMID_QEMU);
    g_assert_cmpuint(st.u.interdomain.port, ==, bp);

    /* VMM -> guest. */
    g_assert_false(is_pending(gp));
    g_assert_cmpint(xen_be_evtchn_notify(h, bp), ==, 0);
    g_assert_true(is_pending(gp));
    g_assert_cmpint(upcalls.count, ==, 1);
    g_assert_cmpuint(upcalls.last, ==, gp);
    g_assert_cmpint(xen_be_evtchn_notify(h, bp + 1), ==, -EINVAL);
    g_assert_cmpint(xen_be_evtchn_notify(h, 0), ==, -EINVAL);

    /* Guest -> VMM: the eventfd fires, pending returns the port once. */
    g_assert_false(fd_readable(fd));
    g_assert_cmpint(xen_be_evtchn_pending(h), ==, 0);
    g_assert_cmpint(send_port(gp), ==, 0);
    g_assert_true(fd_readable(fd));
    g_assert_cmpint(xen_be_evtchn_pending(h), ==, bp);
    g_assert_false(fd_readable(fd));
    g_assert_cmpint(xen_be_evtchn_pending(h), ==, 0);

    /* Returned ports are masked: a send is held until unmask. */
    g_assert_cmpint(send_port(gp), ==, 0);
    g_assert_false(fd_readable(fd));
    g_assert_cmpint(xen_be_evtchn_pending(h), ==, 0);
    g_assert_cmpint(xen_be_evtchn_unmask(h, bp + 1), ==, -EINVAL);
    g_assert_cmpint(xen_be_evtchn_unmask(h, bp), ==, 0);
    g_assert_true(fd_readable(fd));
    g_assert_cmpint(xen_be_evtchn_pending(h), ==, bp);
    g_assert_cmpint(xen_be_evtchn_unmask(h, bp), ==, 0);
    g_assert_false(fd_readable(fd));

    /* Binding errors. */
    other = xen_be_evtchn_open();
    g_assert_cmpint(xen_be_evtchn_bind_interdomain(other, GUEST_DOMID, gp),
                    ==, -EINVAL);
    g_assert_cmpint(xen_be_evtchn_bind_interdomain(other, 2, gp), ==,
                    -ESRCH);
    g_assert_cmpint(xen_be_evtchn_bind_interdomain(other, GUEST_DOMID, 0),
                    ==, -EINVAL);
    g_assert_cmpint(xen_be_evtchn_bind_interdomain(other, GUEST_DOMID,
                                                   EVTCHN_2L_NR_CHANNELS),
                    ==, -EINVAL);
    loop = alloc_unbound(DOMID_SELF);
    g_assert_cmpint(xen_be_evtchn_bind_interdomain(other, GUEST_DOMID, loop),
                    ==, -EINVAL);
    /* A handle bound to a live guest port cannot take a second one. */
    g_assert_cmpint(xen_be_evtchn_bind_interdomain(h, GUEST_DOMID,
                                                   alloc_unbound(DOMID_QEMU)),
                    ==, -EBUSY);
    /* The guest cannot bind to a backend port that is connected. */
    g_assert_cmpint(bind_interdomain(DOMID_QEMU, bp, &loop), ==, -EINVAL);
    g_assert_cmpint(bind_interdomain(DOMID_QEMU, bp + 1, &loop), ==,
                    -EINVAL);
    xen_be_evtchn_close(other);
    xen_be_evtchn_close(h);
    /* Closing the handle leaves the guest port unbound, remote QEMU. */
    st = port_status(gp);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_unbound);
    g_assert_cmpuint(st.u.unbound.dom, ==, DOMID_QEMU);
    g_assert_cmpint(xen_be_evtchn_close(NULL), ==, 0);
    xen_evtchn_destroy();
}

typedef struct BackendCounter {
    XenEvtchnBeHandle *h;
    int events;
} BackendCounter;

static void backend_event(void *opaque)
{
    BackendCounter *b = opaque;
    int port = xen_be_evtchn_pending(b->h);

    if (port > 0) {
        b->events++;
        g_assert_cmpint(xen_be_evtchn_unmask(b->h, port), ==, 0);
    }
}

static void test_backend_in_main_loop(void)
{
    BackendCounter b = { 0 };
    evtchn_port_t gp;

    setup();
    store_setup(&b.h, &gp);
    qemu_set_fd_handler(xen_be_evtchn_fd(b.h), backend_event, NULL, &b);
    while (main_loop_wait(true)) {
    }
    g_assert_cmpint(b.events, ==, 0);
    g_assert_cmpint(send_port(gp), ==, 0);
    g_assert_true(main_loop_wait(false));
    g_assert_cmpint(b.events, ==, 1);
    g_assert_cmpint(send_port(gp), ==, 0);
    g_assert_cmpint(send_port(gp), ==, 0);
    g_assert_true(main_loop_wait(false));
    g_assert_cmpint(b.events, ==, 2);
    while (main_loop_wait(true)) {
    }
    g_assert_cmpint(b.events, ==, 2);
    qemu_set_fd_handler(xen_be_evtchn_fd(b.h), NULL, NULL, NULL);
    xen_be_evtchn_close(b.h);
    xen_evtchn_destroy();
}

static void test_windows_rebind(void)
{
    XenEvtchnBeHandle *h;
    evtchn_port_t gp, gp2, gp3, bp, remote;
    struct evtchn_status st;

    setup();
    alloc_unbound(DOMID_SELF);          /* some other port of the guest */
    bp = store_setup(&h, &gp);

    /* The guest finds the remote end, closes its port, binds again. */
    st = port_status(gp);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_interdomain);
    g_assert_cmpuint(st.u.interdomain.dom, ==, DOMID_QEMU);
    remote = st.u.interdomain.port;
    g_assert_cmpint(close_port(gp), ==, 0);
    g_assert_cmpint(xen_be_evtchn_notify(h, bp), ==, -ENOTCONN);
    alloc_unbound(DOMID_SELF);          /* takes gp's old number */
    g_assert_cmpint(bind_interdomain(DOMID_QEMU, remote, &gp2), ==, 0);
    g_assert_cmpuint(gp2, !=, gp);
    /* Anything the device sent meanwhile is covered: gp2 is pending. */
    g_assert_true(is_pending(gp2));
    st = port_status(gp2);
    g_assert_cmpuint(st.u.interdomain.dom, ==, DOMID_QEMU);
    g_assert_cmpuint(st.u.interdomain.port, ==, bp);
    g_assert_cmpint(xen_evtchn_clear_port_pending(gp2), ==, 0);
    g_assert_cmpint(xen_be_evtchn_notify(h, bp), ==, 0);
    g_assert_true(is_pending(gp2));
    g_assert_cmpint(send_port(gp2), ==, 0);
    g_assert_cmpint(xen_be_evtchn_pending(h), ==, bp);
    g_assert_cmpint(xen_be_evtchn_unmask(h, bp), ==, 0);

    /* Close, then a fresh unbound port that the device binds again. */
    g_assert_cmpint(close_port(gp2), ==, 0);
    gp3 = alloc_unbound(DOMID_QEMU);
    g_assert_cmpint(xen_be_evtchn_bind_interdomain(h, GUEST_DOMID, gp3), ==,
                    bp);
    g_assert_cmpint(xen_be_evtchn_notify(h, bp), ==, 0);
    g_assert_true(is_pending(gp3));

    /* Unbind gives the number up; the guest end waits for QEMU again. */
    g_assert_cmpint(xen_be_evtchn_unbind(h, bp + 1), ==, -EINVAL);
    g_assert_cmpint(xen_be_evtchn_unbind(h, bp), ==, 0);
    g_assert_cmpint(xen_be_evtchn_unbind(h, bp), ==, -EINVAL);
    st = port_status(gp3);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_unbound);
    g_assert_cmpuint(st.u.unbound.dom, ==, DOMID_QEMU);
    g_assert_cmpint(bind_interdomain(DOMID_QEMU, bp, &gp2), ==, -EINVAL);
    g_assert_cmpint(xen_be_evtchn_bind_interdomain(h, GUEST_DOMID, gp3), >,
                    0);
    xen_be_evtchn_close(h);
    xen_evtchn_destroy();
}

static void test_reset(void)
{
    XenEvtchnBeHandle *h;
    evtchn_port_t gp, gp2, bp, a, b;
    bool pending, masked;

    setup();
    bp = store_setup(&h, &gp);
    a = alloc_unbound(DOMID_SELF);
    g_assert_cmpint(bind_interdomain(DOMID_SELF, a, &b), ==, 0);
    g_assert_cmpint(xen_evtchn_set_port_mask(a, true), ==, 0);

    xen_evtchn_reset();
    g_assert_cmpuint(port_status(gp).status, ==, EVTCHNSTAT_closed);
    g_assert_cmpuint(port_status(a).status, ==, EVTCHNSTAT_closed);
    g_assert_cmpuint(port_status(b).status, ==, EVTCHNSTAT_closed);
    g_assert_cmpint(xen_evtchn_get_port_bits(a, &pending, &masked), ==, 0);
    g_assert_false(pending);
    g_assert_false(masked);
    g_assert_cmpint(xen_be_evtchn_notify(h, bp), ==, -ENOTCONN);

    /* The device sets the store port up again: same backend port. */
    gp2 = alloc_unbound(DOMID_QEMU);
    g_assert_cmpint(xen_be_evtchn_bind_interdomain(h, GUEST_DOMID, gp2), ==,
                    bp);
    xen_be_evtchn_close(h);
    xen_evtchn_destroy();
}

static void test_destroy_with_open_handle(void)
{
    XenEvtchnBeHandle *h;
    evtchn_port_t gp, bp;

    setup();
    bp = store_setup(&h, &gp);
    xen_evtchn_destroy();
    g_assert_cmpint(xen_be_evtchn_notify(h, bp), ==, -ENODEV);
    g_assert_cmpint(xen_be_evtchn_pending(h), ==, -ENODEV);
    g_assert_cmpint(xen_be_evtchn_unmask(h, bp), ==, -ENODEV);
    g_assert_cmpint(xen_be_evtchn_unbind(h, bp), ==, -ENODEV);
    g_assert_cmpint(xen_be_evtchn_reclaim(h, bp), ==, -ENODEV);
    g_assert_cmpint(xen_be_evtchn_bind_interdomain(h, GUEST_DOMID, gp), ==,
                    -ENODEV);
    g_assert_cmpint(xen_be_evtchn_close(h), ==, 0);
}

/* A state with every kind of port, for save/load. */
typedef struct SavedWorld {
    evtchn_port_t gp, bp, loop_a, loop_b, unbound, masked_free;
    evtchn_port_t detached_bp;
    GByteArray *stream;
} SavedWorld;

static void build_world(SavedWorld *w)
{
    XenEvtchnBeHandle *h, *h2;
    evtchn_port_t gp2;

    setup();
    w->bp = store_setup(&h, &w->gp);
    w->loop_a = alloc_unbound(DOMID_SELF);
    g_assert_cmpint(bind_interdomain(DOMID_SELF, w->loop_a, &w->loop_b), ==,
                    0);
    w->unbound = alloc_unbound(DOMID_QEMU);
    w->masked_free = 200;
    g_assert_cmpint(xen_evtchn_set_port_mask(w->masked_free, true), ==, 0);
    g_assert_cmpint(xen_evtchn_set_port_mask(w->loop_a, true), ==, 0);
    /* A backend port whose guest end the guest has closed. */
    w->detached_bp = store_setup(&h2, &gp2);
    g_assert_cmpint(close_port(gp2), ==, 0);
    /* The guest sent on the store port; the backend has not looked. */
    g_assert_cmpint(send_port(w->gp), ==, 0);
    w->stream = xen_evtchn_save();
    xen_be_evtchn_close(h);
    xen_be_evtchn_close(h2);
    xen_evtchn_destroy();
}

static void test_save_load(void)
{
    SavedWorld w;
    XenEvtchnBeHandle *h, *h2;
    evtchn_port_t rebound;
    struct evtchn_status st;
    bool pending, masked;
    g_autoptr(GByteArray) again = NULL;

    build_world(&w);
    setup();
    /* A handle opened before the load is unbound by it. */
    h = xen_be_evtchn_open();
    g_assert_true(xen_evtchn_load(w.stream->data, w.stream->len,
                                  &error_abort));
    again = xen_evtchn_save();
    g_assert_cmpmem(again->data, again->len, w.stream->data, w.stream->len);

    st = port_status(w.gp);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_interdomain);
    g_assert_cmpuint(st.u.interdomain.port, ==, w.bp);
    st = port_status(w.loop_a);
    g_assert_cmpuint(st.u.interdomain.port, ==, w.loop_b);
    st = port_status(w.unbound);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_unbound);
    g_assert_cmpuint(st.u.unbound.dom, ==, DOMID_QEMU);
    g_assert_cmpint(xen_evtchn_get_port_bits(w.masked_free, &pending,
                                             &masked), ==, 0);
    g_assert_true(masked);
    g_assert_cmpint(xen_evtchn_get_port_bits(w.loop_a, &pending, &masked),
                    ==, 0);
    g_assert_true(masked);

    /*
     * The device takes its port back by binding its guest port: the
     * same number, and the guest's unseen send shows on the eventfd.
     */
    g_assert_cmpint(xen_be_evtchn_notify(h, w.bp), ==, -EINVAL);
    g_assert_cmpint(xen_be_evtchn_bind_interdomain(h, GUEST_DOMID, w.gp),
                    ==, w.bp);
    g_assert_true(fd_readable(xen_be_evtchn_fd(h)));
    g_assert_cmpint(xen_be_evtchn_pending(h), ==, w.bp);
    g_assert_cmpint(xen_be_evtchn_unmask(h, w.bp), ==, 0);
    g_assert_cmpint(xen_be_evtchn_notify(h, w.bp), ==, 0);
    g_assert_true(is_pending(w.gp));

    /* The detached port: the guest re-binds, the device reclaims. */
    h2 = xen_be_evtchn_open();
    g_assert_cmpint(xen_be_evtchn_reclaim(h2, w.bp), ==, -EINVAL);
    g_assert_cmpint(xen_be_evtchn_reclaim(h2, 0), ==, -EINVAL);
    g_assert_cmpint(xen_be_evtchn_reclaim(h2, 999), ==, -EINVAL);
    g_assert_cmpint(xen_be_evtchn_reclaim(h, w.detached_bp), ==, -EBUSY);
    g_assert_cmpint(bind_interdomain(DOMID_QEMU, w.detached_bp, &rebound),
                    ==, 0);
    g_assert_cmpint(xen_be_evtchn_reclaim(h2, w.detached_bp), ==, 0);
    g_assert_cmpint(xen_evtchn_clear_port_pending(rebound), ==, 0);
    g_assert_cmpint(xen_be_evtchn_notify(h2, w.detached_bp), ==, 0);
    g_assert_true(is_pending(rebound));
    xen_be_evtchn_close(h);
    xen_be_evtchn_close(h2);
    xen_evtchn_destroy();
    g_byte_array_unref(w.stream);
}

static void test_reset_after_load(void)
{
    SavedWorld w;
    XenEvtchnBeHandle *h;

    build_world(&w);
    setup();
    h = xen_be_evtchn_open();
    g_assert_true(xen_evtchn_load(w.stream->data, w.stream->len,
                                  &error_abort));
    /* Ports no device took back before the reset are gone with it. */
    xen_evtchn_reset();
    g_assert_cmpint(xen_be_evtchn_reclaim(h, w.detached_bp), ==, -EINVAL);
    g_assert_cmpint(xen_be_evtchn_reclaim(h, w.bp), ==, -EINVAL);
    g_assert_cmpuint(port_status(w.gp).status, ==, EVTCHNSTAT_closed);
    xen_be_evtchn_close(h);
    xen_evtchn_destroy();
    g_byte_array_unref(w.stream);
}

static void test_no_upcall_hook(void)
{
    evtchn_port_t a, b;

    setup();
    xen_evtchn_set_upcall(NULL, NULL);
    a = alloc_unbound(DOMID_SELF);
    g_assert_cmpint(bind_interdomain(DOMID_SELF, a, &b), ==, 0);
    g_assert_cmpint(send_port(b), ==, 0);
    g_assert_true(is_pending(a));
    g_assert_cmpint(unmask_port(a), ==, 0);
    g_assert_cmpint(upcalls.count, ==, 0);
    xen_evtchn_destroy();
}

/*
 * Load @len bytes: NULL if loaded, else the error message, which must
 * say that it is about the event channel state.
 */
static char *load_error(const uint8_t *data, size_t len)
{
    Error *err = NULL;
    char *msg;

    if (xen_evtchn_load(data, len, &err)) {
        g_assert_null(err);
        return NULL;
    }
    g_assert_nonnull(err);
    msg = g_strdup(error_get_pretty(err));
    error_free(err);
    g_assert_true(g_str_has_prefix(msg, "event channel state: "));
    return msg;
}

/* Refused with a message that contains @what. */
static void assert_refused(const uint8_t *data, size_t len, const char *what)
{
    g_autofree char *msg = load_error(data, len);

    g_assert_nonnull(msg);
    if (!strstr(msg, what)) {
        g_error("refused with \"%s\", not for \"%s\"", msg, what);
    }
}

static void test_load_other_domain(void)
{
    SavedWorld w;

    build_world(&w);
    xen_evtchn_create(GUEST_DOMID + 1, &error_abort);
    assert_refused(w.stream->data, w.stream->len, "not of domain 2");
    xen_evtchn_destroy();
    g_byte_array_unref(w.stream);
}

/* Patch a little-endian u32 at off in a copy of the stream: refused. */
static void refuse_patched32(GByteArray *s, size_t off, uint32_t v,
                             const char *what)
{
    g_autofree uint8_t *copy = g_memdup2(s->data, s->len);

    copy[off] = v;
    copy[off + 1] = v >> 8;
    copy[off + 2] = v >> 16;
    copy[off + 3] = v >> 24;
    assert_refused(copy, s->len, what);
}

/* Offset of the record of guest port p (first records are guest ports). */
static size_t record_of(GByteArray *s, evtchn_port_t p, bool backend)
{
    uint32_t nr_ports = s->data[12] | s->data[13] << 8;
    uint32_t nr_be = s->data[16] | s->data[17] << 8;
    size_t first = backend ? nr_ports : 0;
    size_t n = backend ? nr_be : nr_ports;

    for (size_t i = first; i < first + n; i++) {
        const uint8_t *rec = s->data + 20 + 12 * i;

        if ((rec[0] | rec[1] << 8) == p) {
            return 20 + 12 * i;
        }
    }
    g_assert_not_reached();
}

static void test_load_refuses_corrupt(void)
{
    SavedWorld w;
    GByteArray *s;
    g_autoptr(GByteArray) before = NULL;
    g_autoptr(GByteArray) after = NULL;
    size_t gp_rec, loop_rec, be_rec;

    build_world(&w);
    s = w.stream;
    setup();
    alloc_unbound(DOMID_SELF);
    before = xen_evtchn_save();

    gp_rec = record_of(s, w.gp, false);
    loop_rec = record_of(s, w.loop_a, false);
    be_rec = record_of(s, w.bp, true);
    refuse_patched32(s, 0, 0x43564559, "bad magic");
    refuse_patched32(s, 4, 2, "unknown version 2");
    refuse_patched32(s, 8, 0x10000 | GUEST_DOMID, "reserved");
    refuse_patched32(s, 12, 1000, "bytes of records");
    refuse_patched32(s, 16, 0xffffffff, "bytes of records");
    /* Guest port records: number 0, out of the table, state, peers. */
    refuse_patched32(s, gp_rec, 0, "port 0 out of range");
    refuse_patched32(s, gp_rec, EVTCHN_2L_NR_CHANNELS, "out of range");
    refuse_patched32(s, gp_rec + 4, 7, "unknown state 7");
    refuse_patched32(s, gp_rec + 4, 0x400 | 2, "unknown flags 0x4");
    refuse_patched32(s, gp_rec + 8, w.bp + 1, "not bound back");
    refuse_patched32(s, loop_rec + 8, w.loop_a, "no matching peer");
    refuse_patched32(s, loop_rec + 8, w.unbound, "no matching peer");
    refuse_patched32(s, loop_rec + 4, 2 | (5 << 16), "bad peer 5:");
    /* Backend records: bound to the wrong guest port, or out of range. */
    refuse_patched32(s, be_rec + 4, w.unbound, "not bound back");
    refuse_patched32(s, be_rec + 4, EVTCHN_2L_NR_CHANNELS, "out of range");
    refuse_patched32(s, be_rec + 4, 0, "not bound back");
    refuse_patched32(s, be_rec + 8, 4, "unknown flags");

    /* Every truncation, and a byte too many. */
    for (size_t len = 0; len < s->len; len++) {
        g_autofree char *msg = load_error(s->data, len);

        g_assert_nonnull(msg);
    }
    {
        g_autofree uint8_t *longer = g_malloc0(s->len + 1);

        memcpy(longer, s->data, s->len);
        assert_refused(longer, s->len + 1, "bytes of records");
    }
    /*
     * Every bit of every byte flipped: refused with the state untouched,
     * or accepted as a state that saves back exactly as loaded.
     */
    for (size_t off = 0; off < s->len; off++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            g_autofree uint8_t *copy = g_memdup2(s->data, s->len);
            g_autofree char *msg = NULL;
            g_autoptr(GByteArray) now = NULL;

            copy[off] ^= 1u << bit;
            msg = load_error(copy, s->len);
            now = xen_evtchn_save();
            if (msg) {
                g_assert_cmpmem(now->data, now->len, before->data,
                                before->len);
            } else {
                g_assert_cmpmem(now->data, now->len, copy, s->len);
                g_assert_true(xen_evtchn_load(before->data, before->len,
                                              &error_abort));
            }
        }
    }
    /* Nothing refused changed the state. */
    after = xen_evtchn_save();
    g_assert_cmpmem(after->data, after->len, before->data, before->len);
    xen_evtchn_destroy();
    g_byte_array_unref(w.stream);
}

/* bind_ipi, bind_virq and bind_vcpu, with every error they return. */
static void test_ipi_virq_vcpu(void)
{
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };
    struct evtchn_bind_virq virq = { .virq = VIRQ_DEBUG, .vcpu = 0 };
    struct evtchn_bind_vcpu bv;
    struct evtchn_status st;
    evtchn_port_t ipi_port, dbg_port, con_port, ub;

    g_assert_cmpint(xen_evtchn_bind_ipi_op(&ipi), ==, -ENOSYS);
    setup();
    g_assert_false(xen_evtchn_set_nr_vcpus(0));
    g_assert_false(xen_evtchn_set_nr_vcpus(XEN_EVTCHN_MAX_VCPUS + 1));

    /* One vCPU after create. */
    ipi.vcpu = 1;
    g_assert_cmpint(xen_evtchn_bind_ipi_op(&ipi), ==, -ENOENT);
    g_assert_true(xen_evtchn_set_nr_vcpus(2));
    g_assert_cmpint(xen_evtchn_bind_ipi_op(&ipi), ==, 0);
    ipi_port = ipi.port;
    g_assert_cmpuint(ipi_port, ==, 1);
    st = port_status(ipi_port);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_ipi);
    g_assert_cmpuint(st.vcpu, ==, 1);
    ipi.vcpu = 2;
    g_assert_cmpint(xen_evtchn_bind_ipi_op(&ipi), ==, -ENOENT);

    /* An IPI is sent to oneself: pending, upcall. */
    g_assert_cmpint(send_port(ipi_port), ==, 0);
    g_assert_true(is_pending(ipi_port));
    g_assert_cmpint(upcalls.count, ==, 1);
    g_assert_cmpuint(upcalls.last, ==, ipi_port);

    /* VIRQs: range, per-vCPU versus global, one port each. */
    g_assert_cmpint(xen_evtchn_bind_virq_op(&virq), ==, 0);
    dbg_port = virq.port;
    st = port_status(dbg_port);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_virq);
    g_assert_cmpuint(st.u.virq, ==, VIRQ_DEBUG);
    g_assert_cmpuint(st.vcpu, ==, 0);
    g_assert_cmpint(xen_evtchn_bind_virq_op(&virq), ==, -EEXIST);
    virq.vcpu = 1;
    g_assert_cmpint(xen_evtchn_bind_virq_op(&virq), ==, 0);
    virq.vcpu = 2;
    g_assert_cmpint(xen_evtchn_bind_virq_op(&virq), ==, -ENOENT);
    virq.virq = NR_VIRQS;
    virq.vcpu = 0;
    g_assert_cmpint(xen_evtchn_bind_virq_op(&virq), ==, -EINVAL);
    virq.virq = VIRQ_CON_RING;
    virq.vcpu = 1;
    g_assert_cmpint(xen_evtchn_bind_virq_op(&virq), ==, -EINVAL);
    virq.vcpu = 0;
    g_assert_cmpint(xen_evtchn_bind_virq_op(&virq), ==, 0);
    con_port = virq.port;
    g_assert_cmpint(xen_evtchn_bind_virq_op(&virq), ==, -EEXIST);
    /* The guest does not send on a VIRQ port. */
    g_assert_cmpint(send_port(dbg_port), ==, -EINVAL);

    /* bind_vcpu: which kinds of port may move, and where to. */
    ub = alloc_unbound(DOMID_QEMU);
    bv = (struct evtchn_bind_vcpu) { .port = ub, .vcpu = 1 };
    g_assert_cmpint(xen_evtchn_bind_vcpu_op(&bv), ==, 0);
    g_assert_cmpuint(port_status(ub).vcpu, ==, 1);
    bv.vcpu = 2;
    g_assert_cmpint(xen_evtchn_bind_vcpu_op(&bv), ==, -ENOENT);
    bv = (struct evtchn_bind_vcpu) { .port = con_port, .vcpu = 1 };
    g_assert_cmpint(xen_evtchn_bind_vcpu_op(&bv), ==, 0);
    g_assert_cmpuint(port_status(con_port).vcpu, ==, 1);
    bv.port = dbg_port;
    g_assert_cmpint(xen_evtchn_bind_vcpu_op(&bv), ==, -EINVAL);
    bv.port = ipi_port;
    g_assert_cmpint(xen_evtchn_bind_vcpu_op(&bv), ==, -EINVAL);
    bv.port = 0;
    g_assert_cmpint(xen_evtchn_bind_vcpu_op(&bv), ==, -EINVAL);
    bv.port = EVTCHN_2L_NR_CHANNELS;
    g_assert_cmpint(xen_evtchn_bind_vcpu_op(&bv), ==, -EINVAL);
    bv.port = 3000;
    g_assert_cmpint(xen_evtchn_bind_vcpu_op(&bv), ==, -EINVAL);

    /* Closing frees the VIRQ for a new binding, on vCPU 0 again. */
    g_assert_cmpint(close_port(con_port), ==, 0);
    g_assert_cmpuint(port_status(con_port).status, ==, EVTCHNSTAT_closed);
    g_assert_cmpint(xen_evtchn_bind_virq_op(&virq), ==, 0);
    g_assert_cmpuint(virq.port, ==, con_port);
    g_assert_cmpuint(port_status(con_port).vcpu, ==, 0);
    g_assert_cmpint(close_port(ipi_port), ==, 0);
    g_assert_cmpint(send_port(ipi_port), ==, -EINVAL);
    xen_evtchn_destroy();
}

/* IPI and VIRQ ports survive save/load; duplicates are refused. */
static void test_save_load_ipi_virq(void)
{
    struct evtchn_bind_ipi ipi = { .vcpu = 1 };
    struct evtchn_bind_virq virq = { .virq = VIRQ_TIMER, .vcpu = 1 };
    g_autoptr(GByteArray) s = NULL;
    g_autoptr(GByteArray) again = NULL;
    g_autofree char *msg = NULL;
    struct evtchn_status st;
    size_t off;

    setup();
    g_assert_true(xen_evtchn_set_nr_vcpus(2));
    g_assert_cmpint(xen_evtchn_bind_ipi_op(&ipi), ==, 0);
    g_assert_cmpint(xen_evtchn_bind_virq_op(&virq), ==, 0);
    virq.vcpu = 0;
    g_assert_cmpint(xen_evtchn_bind_virq_op(&virq), ==, 0);
    s = xen_evtchn_save();
    xen_evtchn_destroy();

    setup();
    /* vCPU 1 does not exist in a one-vCPU guest. */
    msg = load_error(s->data, s->len);
    g_assert_nonnull(strstr(msg, "vCPU 1"));
    g_assert_true(xen_evtchn_set_nr_vcpus(2));
    g_assert_true(xen_evtchn_load(s->data, s->len, &error_abort));
    again = xen_evtchn_save();
    g_assert_cmpmem(again->data, again->len, s->data, s->len);
    st = port_status(ipi.port);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_ipi);
    g_assert_cmpuint(st.vcpu, ==, 1);
    st = port_status(2);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_virq);
    g_assert_cmpuint(st.u.virq, ==, VIRQ_TIMER);
    g_assert_cmpuint(st.vcpu, ==, 1);
    virq.vcpu = 1;
    g_assert_cmpint(xen_evtchn_bind_virq_op(&virq), ==, -EEXIST);

    /* The third record (port 3, VIRQ_TIMER on vCPU 0) moved to vCPU 1. */
    off = s->len - 4;
    s->data[off] = 1;
    g_free(msg);
    msg = load_error(s->data, s->len);
    g_assert_nonnull(strstr(msg, "bound twice"));
    /* An IPI with a VIRQ number. */
    s->data[off] = 0;
    off = 20 + 6;
    s->data[off] = 5;
    g_free(msg);
    msg = load_error(s->data, s->len);
    g_assert_nonnull(strstr(msg, "bad VIRQ"));
    xen_evtchn_destroy();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    trace_init_from_env();
    g_test_add_func("/xen-evtchn/create-and-no-state",
                    test_create_and_no_state);
    g_test_add_func("/xen-evtchn/alloc-unbound", test_alloc_unbound);
    g_test_add_func("/xen-evtchn/port-exhaustion", test_port_exhaustion);
    g_test_add_func("/xen-evtchn/bad-ports", test_bad_ports);
    g_test_add_func("/xen-evtchn/loopback", test_loopback);
    g_test_add_func("/xen-evtchn/backend/notify-and-send",
                    test_backend_notify_and_send);
    g_test_add_func("/xen-evtchn/backend/main-loop",
                    test_backend_in_main_loop);
    g_test_add_func("/xen-evtchn/backend/windows-rebind",
                    test_windows_rebind);
    g_test_add_func("/xen-evtchn/reset", test_reset);
    g_test_add_func("/xen-evtchn/destroy-with-open-handle",
                    test_destroy_with_open_handle);
    g_test_add_func("/xen-evtchn/ipi-virq-vcpu", test_ipi_virq_vcpu);
    g_test_add_func("/xen-evtchn/save-load-ipi-virq",
                    test_save_load_ipi_virq);
    g_test_add_func("/xen-evtchn/save-load", test_save_load);
    g_test_add_func("/xen-evtchn/reset-after-load", test_reset_after_load);
    g_test_add_func("/xen-evtchn/no-upcall-hook", test_no_upcall_hook);
    g_test_add_func("/xen-evtchn/load-other-domain",
                    test_load_other_domain);
    g_test_add_func("/xen-evtchn/load-refuses-corrupt",
                    test_load_refuses_corrupt);
    return g_test_run();
}
