/*
 * Event channel hypercall numbers and argument structs (Xen public ABI,
 * EVTCHNOP_*), and the bounds of the 2-level event channel ABI.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_INTERFACE_EVENT_CHANNEL_H
#define HW_XEN_INTERFACE_EVENT_CHANNEL_H

#include "hw/xen/interface/xen.h"

typedef uint32_t evtchn_port_t;

#define EVTCHNOP_bind_interdomain   0
#define EVTCHNOP_bind_virq          1
#define EVTCHNOP_bind_pirq          2
#define EVTCHNOP_close              3
#define EVTCHNOP_send               4
#define EVTCHNOP_status             5
#define EVTCHNOP_alloc_unbound      6
#define EVTCHNOP_bind_ipi           7
#define EVTCHNOP_bind_vcpu          8
#define EVTCHNOP_unmask             9
#define EVTCHNOP_reset              10
#define EVTCHNOP_init_control       11
#define EVTCHNOP_expand_array       12
#define EVTCHNOP_set_priority       13

/* Virtual IRQs (VIRQ_*): per vCPU, or global (bound on vCPU 0). */
#define VIRQ_TIMER          0   /* per vCPU */
#define VIRQ_DEBUG          1   /* per vCPU */
#define VIRQ_CONSOLE        2
#define VIRQ_DOM_EXC        3
#define VIRQ_TBUF           4
#define VIRQ_DEBUGGER       6
#define VIRQ_XENOPROF       7   /* per vCPU */
#define VIRQ_CON_RING       8
#define VIRQ_PCPU_STATE     9
#define VIRQ_MEM_EVENT      10
#define VIRQ_ARGO           11
#define VIRQ_ENOMEM         12
#define VIRQ_XENPMU         13  /* per vCPU */
#define NR_VIRQS            24

/* IN dom, remote_dom; OUT port (a new port of dom, unbound). */
struct evtchn_alloc_unbound {
    domid_t dom;
    domid_t remote_dom;
    evtchn_port_t port;
};

/* IN remote_dom, remote_port; OUT local_port. */
struct evtchn_bind_interdomain {
    domid_t remote_dom;
    evtchn_port_t remote_port;
    evtchn_port_t local_port;
};

/* IN virq, vcpu; OUT port. */
struct evtchn_bind_virq {
    uint32_t virq;
    uint32_t vcpu;
    evtchn_port_t port;
};

/* IN vcpu; OUT port. */
struct evtchn_bind_ipi {
    uint32_t vcpu;
    evtchn_port_t port;
};

/* Notify vcpu of events on port from now on. */
struct evtchn_bind_vcpu {
    evtchn_port_t port;
    uint32_t vcpu;
};

struct evtchn_close {
    evtchn_port_t port;
};

struct evtchn_send {
    evtchn_port_t port;
};

#define EVTCHNSTAT_closed       0
#define EVTCHNSTAT_unbound      1
#define EVTCHNSTAT_interdomain  2
#define EVTCHNSTAT_pirq         3
#define EVTCHNSTAT_virq         4
#define EVTCHNSTAT_ipi          5

/* IN dom, port; OUT the rest. */
struct evtchn_status {
    domid_t dom;
    evtchn_port_t port;
    uint32_t status;
    uint32_t vcpu;
    union {
        struct {
            domid_t dom;
        } unbound;
        struct {
            domid_t dom;
            evtchn_port_t port;
        } interdomain;
        uint32_t pirq;
        uint32_t virq;
    } u;
};

struct evtchn_unmask {
    evtchn_port_t port;
};

/*
 * 2-level ABI: one pending and one mask bit per port in shared_info,
 * found through a per-vCPU selector word; for a 64-bit guest that is
 * 64 * 64 ports.  Port 0 is never a valid channel.
 */
#define EVTCHN_2L_NR_CHANNELS   (64 * 64)

#endif
