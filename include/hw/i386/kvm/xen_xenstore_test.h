/*
 * What tests, fuzzing and benchmarks see of the xen-xenstore device
 * beyond its users' interface (xen_xenstore.h): the other end of its
 * event channel, its connection, its page, its own indexes, the pump.
 * Nothing of the VMM includes this.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_XENSTORE_TEST_H
#define HW_XEN_XENSTORE_TEST_H

#include "hw/i386/kvm/xen_xenstore.h"

/* The device's own (backend) end of the store event channel. */
evtchn_port_t xen_xenstore_be_port(XenXenstoreState *s);

/*
 * The guest's connection: its event queue and flow-control state
 * (hw/xen/xenstore_conn.h, which a user of Xen's own client headers
 * cannot include beside them).
 */
typedef struct XsConn XsConn;
XsConn *xen_xenstore_conn(XenXenstoreState *s);

/* The ring page as this process sees it (what the guest sees). */
void *xen_xenstore_ring(XenXenstoreState *s);

/*
 * The ring indexes the device itself keeps and whether a ring error has
 * stopped it.  The page may say otherwise: the guest can write any field
 * of it, and the device never reads back its own.
 */
typedef struct XenXenstoreRingState {
    uint32_t req_cons;
    uint32_t rsp_prod;
    bool stopped;
    /* Not served since reset: the next pass adopts the page's indexes. */
    bool adopt_indexes;
} XenXenstoreRingState;
void xen_xenstore_ring_state(XenXenstoreState *s, XenXenstoreRingState *st);

/*
 * Serve the ring now, as an event-channel notification does (the device
 * does that from the main loop by itself).
 */
void xen_xenstore_pump(XenXenstoreState *s);

#endif
