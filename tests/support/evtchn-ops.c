/*
 * Event-channel operations as a guest issues them (evtchn-ops.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "evtchn-ops.h"

evtchn_port_t alloc_unbound(domid_t remote)
{
    struct evtchn_alloc_unbound alloc = {
        .dom = DOMID_SELF, .remote_dom = remote,
    };

    g_assert_cmpint(xen_evtchn_alloc_unbound_op(&alloc), ==, 0);
    g_assert_cmpuint(alloc.port, >, 0);
    return alloc.port;
}

int send_port(evtchn_port_t port)
{
    struct evtchn_send send = { .port = port };

    return xen_evtchn_send_op(&send);
}

int close_port(evtchn_port_t port)
{
    struct evtchn_close close = { .port = port };

    return xen_evtchn_close_op(&close);
}

int unmask_port(evtchn_port_t port)
{
    struct evtchn_unmask unmask = { .port = port };

    return xen_evtchn_unmask_op(&unmask);
}
