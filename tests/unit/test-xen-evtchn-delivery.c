/*
 * Tests of the event channels' guest-delivery mode
 * (xen_evtchn_set_guest_delivery), the mode qemu-xenkvm uses because
 * KVM keeps the guest's pending and mask bits in shared_info: every
 * event for a guest port goes to raise(), EVTCHNOP_unmask to unmask(),
 * events for the backend still reach its eventfd, and raise = NULL
 * goes back to the table's own bits and the upcall hook.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/trace-control.h"
#include "hw/xen/interface/event_channel.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "evtchn-ops.h"
#include <poll.h>

#define GUEST_DOMID 1
#define MAX_CALLS   16

/* What each hook saw, in order, so a test can check counts and ports. */
typedef struct Calls {
    int n;
    evtchn_port_t port[MAX_CALLS];
    void *opaque[MAX_CALLS];
} Calls;

static Calls raised, unmasked, upcalls;

/* Every hook checks it gets the opaque pointer given at registration. */
static int hook_opaque;

static void record(Calls *c, void *opaque, evtchn_port_t port)
{
    g_assert_cmpint(c->n, <, MAX_CALLS);
    c->port[c->n] = port;
    c->opaque[c->n] = opaque;
    c->n++;
}

static void record_raise(void *opaque, evtchn_port_t port)
{
    record(&raised, opaque, port);
}

static void record_unmask(void *opaque, evtchn_port_t port)
{
    record(&unmasked, opaque, port);
}

static void record_upcall(void *opaque, evtchn_port_t port)
{
    record(&upcalls, opaque, port);
}

static void clear_calls(void)
{
    memset(&raised, 0, sizeof(raised));
    memset(&unmasked, 0, sizeof(unmasked));
    memset(&upcalls, 0, sizeof(upcalls));
}

/*
 * Created with the ordinary upcall hook first, as the machine may have
 * it before it switches: the switch must take the hook out of the way.
 */
static void setup_delivery(void)
{
    xen_evtchn_create(GUEST_DOMID, &error_abort);
    xen_evtchn_set_upcall(record_upcall, &hook_opaque);
    xen_evtchn_set_guest_delivery(record_raise, record_unmask, &hook_opaque);
    clear_calls();
}


static evtchn_port_t bind_ipi(void)
{
    struct evtchn_bind_ipi ipi = { .vcpu = 0 };

    g_assert_cmpint(xen_evtchn_bind_ipi_op(&ipi), ==, 0);
    return ipi.port;
}




static void assert_table_bits_clear(evtchn_port_t port)
{
    bool pending, masked;

    g_assert_cmpint(xen_evtchn_get_port_bits(port, &pending, &masked), ==,
                    0);
    g_assert_false(pending);
    g_assert_false(masked);
}

static bool fd_readable(int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    g_assert_cmpint(poll(&pfd, 1, 0), >=, 0);
    return pfd.revents & POLLIN;
}

/* The store's wiring: a guest port unbound for DOMID_QEMU, then bound. */
static int backend_setup(XenEvtchnBeHandle **h, evtchn_port_t *guest_port)
{
    int be_port;

    *guest_port = alloc_unbound(DOMID_QEMU);
    *h = xen_be_evtchn_open();
    g_assert_nonnull(*h);
    be_port = xen_be_evtchn_bind_interdomain(*h, GUEST_DOMID, *guest_port);
    g_assert_cmpint(be_port, >, 0);
    return be_port;
}

/*
 * KVM decides whether a raise is new, so the table must not swallow a
 * second event as "already pending": each send is one raise.
 */
static void test_send_twice_raises_twice(void)
{
    evtchn_port_t port;

    setup_delivery();
    port = bind_ipi();
    g_assert_cmpint(raised.n, ==, 0);

    g_assert_cmpint(send_port(port), ==, 0);
    g_assert_cmpint(send_port(port), ==, 0);
    g_assert_cmpint(raised.n, ==, 2);
    g_assert_cmpuint(raised.port[0], ==, port);
    g_assert_cmpuint(raised.port[1], ==, port);
    g_assert_true(raised.opaque[0] == &hook_opaque);
    g_assert_true(raised.opaque[1] == &hook_opaque);
    /* The old upcall hook is out of the way, and the table keeps no bit. */
    g_assert_cmpint(upcalls.n, ==, 0);
    assert_table_bits_clear(port);
    xen_evtchn_destroy();
}

/* Loopback: bind raises the new port (Xen leaves it pending); sends cross. */
static void test_loopback_raises_peer(void)
{
    struct evtchn_bind_interdomain bind = { .remote_dom = DOMID_SELF };
    evtchn_port_t a, b;

    setup_delivery();
    a = alloc_unbound(DOMID_SELF);
    bind.remote_port = a;
    g_assert_cmpint(xen_evtchn_bind_interdomain_op(&bind), ==, 0);
    b = bind.local_port;
    g_assert_cmpint(raised.n, ==, 1);
    g_assert_cmpuint(raised.port[0], ==, b);

    g_assert_cmpint(send_port(a), ==, 0);
    g_assert_cmpint(raised.n, ==, 2);
    g_assert_cmpuint(raised.port[1], ==, b);
    g_assert_cmpint(send_port(b), ==, 0);
    g_assert_cmpint(raised.n, ==, 3);
    g_assert_cmpuint(raised.port[2], ==, a);
    assert_table_bits_clear(a);
    assert_table_bits_clear(b);
    g_assert_cmpint(upcalls.n, ==, 0);
    xen_evtchn_destroy();
}

/* Unmask goes to the hook, which owns the mask bit; bad ports do not. */
static void test_unmask(void)
{
    evtchn_port_t port;

    setup_delivery();
    port = bind_ipi();
    g_assert_cmpint(unmask_port(port), ==, 0);
    g_assert_cmpint(unmasked.n, ==, 1);
    g_assert_cmpuint(unmasked.port[0], ==, port);
    g_assert_true(unmasked.opaque[0] == &hook_opaque);

    g_assert_cmpint(unmask_port(0), ==, -EINVAL);
    g_assert_cmpint(unmask_port(EVTCHN_2L_NR_CHANNELS), ==, -EINVAL);
    g_assert_cmpint(unmask_port(UINT32_MAX), ==, -EINVAL);
    g_assert_cmpint(unmasked.n, ==, 1);
    /* Unmasking is not an event: nothing is raised by the table itself. */
    g_assert_cmpint(raised.n, ==, 0);
    g_assert_cmpint(upcalls.n, ==, 0);
    xen_evtchn_destroy();
}

/* The store's path both ways: notify raises, guest sends reach the fd. */
static void test_backend_both_ways(void)
{
    XenEvtchnBeHandle *h;
    evtchn_port_t guest_port;
    int be_port;

    setup_delivery();
    be_port = backend_setup(&h, &guest_port);
    g_assert_cmpint(raised.n, ==, 0);

    g_assert_cmpint(xen_be_evtchn_notify(h, be_port), ==, 0);
    g_assert_cmpint(xen_be_evtchn_notify(h, be_port), ==, 0);
    g_assert_cmpint(raised.n, ==, 2);
    g_assert_cmpuint(raised.port[0], ==, guest_port);
    g_assert_cmpuint(raised.port[1], ==, guest_port);
    assert_table_bits_clear(guest_port);

    /* The guest's send is for the backend: its eventfd, not raise(). */
    g_assert_false(fd_readable(xen_be_evtchn_fd(h)));
    g_assert_cmpint(send_port(guest_port), ==, 0);
    g_assert_cmpint(raised.n, ==, 2);
    g_assert_true(fd_readable(xen_be_evtchn_fd(h)));
    g_assert_cmpint(xen_be_evtchn_pending(h), ==, be_port);
    g_assert_false(fd_readable(xen_be_evtchn_fd(h)));
    /* Held while the backend has it masked, signalled again on unmask. */
    g_assert_cmpint(send_port(guest_port), ==, 0);
    g_assert_false(fd_readable(xen_be_evtchn_fd(h)));
    g_assert_cmpint(xen_be_evtchn_unmask(h, be_port), ==, 0);
    g_assert_true(fd_readable(xen_be_evtchn_fd(h)));
    g_assert_cmpint(xen_be_evtchn_pending(h), ==, be_port);
    g_assert_cmpint(upcalls.n, ==, 0);

    xen_be_evtchn_close(h);
    xen_evtchn_destroy();
}

/* A port the guest closed (or a reset closed) gets no raise. */
static void test_closed_port_not_raised(void)
{
    struct evtchn_bind_interdomain bind = { .remote_dom = DOMID_SELF };
    XenEvtchnBeHandle *h;
    evtchn_port_t guest_port, ipi, a, b;
    int be_port;

    setup_delivery();

    /* The backend's peer closed: its notify has nowhere to go. */
    be_port = backend_setup(&h, &guest_port);
    g_assert_cmpint(close_port(guest_port), ==, 0);
    g_assert_cmpint(xen_be_evtchn_notify(h, be_port), ==, -ENOTCONN);

    ipi = bind_ipi();
    g_assert_cmpint(close_port(ipi), ==, 0);
    g_assert_cmpint(send_port(ipi), ==, -EINVAL);

    /* A loopback half whose peer closed is unbound: sends are dropped. */
    a = alloc_unbound(DOMID_SELF);
    bind.remote_port = a;
    g_assert_cmpint(xen_evtchn_bind_interdomain_op(&bind), ==, 0);
    b = bind.local_port;
    clear_calls();
    g_assert_cmpint(close_port(b), ==, 0);
    g_assert_cmpint(send_port(a), ==, 0);
    g_assert_cmpint(raised.n, ==, 0);

    /* After a machine reset nothing of the old guest is raised either. */
    ipi = bind_ipi();
    xen_evtchn_reset();
    g_assert_cmpint(send_port(ipi), ==, -EINVAL);
    g_assert_cmpint(raised.n, ==, 0);
    g_assert_cmpint(upcalls.n, ==, 0);

    xen_be_evtchn_close(h);
    xen_evtchn_destroy();
}

/* Switching off with raise = NULL: the table's bits and the upcall again. */
static void test_switch_back(void)
{
    evtchn_port_t port;
    bool pending, masked;

    setup_delivery();
    /* An unmask hook alone is not the mode: it must be dropped too. */
    xen_evtchn_set_guest_delivery(NULL, record_unmask, &hook_opaque);
    port = bind_ipi();

    /* No hook at all yet: the bit is kept, nobody is called. */
    g_assert_cmpint(send_port(port), ==, 0);
    g_assert_cmpint(xen_evtchn_get_port_bits(port, &pending, &masked), ==,
                    0);
    g_assert_true(pending);
    g_assert_cmpint(raised.n + upcalls.n, ==, 0);
    g_assert_cmpint(xen_evtchn_clear_port_pending(port), ==, 0);

    xen_evtchn_set_upcall(record_upcall, &hook_opaque);
    g_assert_cmpint(send_port(port), ==, 0);
    g_assert_cmpint(send_port(port), ==, 0);
    /* 2-level rules again: the second event finds the port pending. */
    g_assert_cmpint(upcalls.n, ==, 1);
    g_assert_cmpuint(upcalls.port[0], ==, port);

    /* Masked in the table, unmask redelivers through the upcall hook. */
    g_assert_cmpint(xen_evtchn_clear_port_pending(port), ==, 0);
    g_assert_cmpint(xen_evtchn_set_port_mask(port, true), ==, 0);
    g_assert_cmpint(send_port(port), ==, 0);
    g_assert_cmpint(upcalls.n, ==, 1);
    g_assert_cmpint(unmask_port(port), ==, 0);
    g_assert_cmpint(upcalls.n, ==, 2);
    g_assert_cmpint(xen_evtchn_get_port_bits(port, &pending, &masked), ==,
                    0);
    g_assert_false(masked);
    g_assert_cmpint(raised.n, ==, 0);
    g_assert_cmpint(unmasked.n, ==, 0);
    xen_evtchn_destroy();
}

/* Without event channel state the switch is a no-op, not a crash. */
static void test_no_state(void)
{
    xen_evtchn_set_guest_delivery(record_raise, record_unmask, &hook_opaque);
    xen_evtchn_set_guest_delivery(NULL, NULL, NULL);
    g_assert_cmpint(unmask_port(1), ==, -ENOSYS);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    trace_init_from_env();
    g_test_add_func("/xen-evtchn-delivery/send-twice-raises-twice",
                    test_send_twice_raises_twice);
    g_test_add_func("/xen-evtchn-delivery/loopback-raises-peer",
                    test_loopback_raises_peer);
    g_test_add_func("/xen-evtchn-delivery/unmask", test_unmask);
    g_test_add_func("/xen-evtchn-delivery/backend-both-ways",
                    test_backend_both_ways);
    g_test_add_func("/xen-evtchn-delivery/closed-port-not-raised",
                    test_closed_port_not_raised);
    g_test_add_func("/xen-evtchn-delivery/switch-back", test_switch_back);
    g_test_add_func("/xen-evtchn-delivery/no-state", test_no_state);
    return g_test_run();
}
