/*
 * Event channels, inside: the port table that xen_evtchn.c runs and
 * xen_evtchn_save.c saves and loads.  Private to those two files.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_EVTCHN_INT_H
#define HW_XEN_EVTCHN_INT_H

#include "hw/i386/kvm/xen_evtchn.h"

#define NR_PORTS EVTCHN_2L_NR_CHANNELS

typedef enum XenEvtchnPortState {
    PORT_FREE = 0,              /* also port 0, which is never used */
    PORT_UNBOUND = 1,           /* waiting for remote_dom to bind */
    PORT_INTERDOMAIN = 2,       /* connected to remote_dom:remote_port */
    PORT_IPI = 3,               /* the guest's own IPI to vcpu */
    PORT_VIRQ = 4,              /* virtual IRQ virq of vcpu */
} XenEvtchnPortState;

/* A guest port: its state and its two shared_info bits. */
typedef struct XenEvtchnPort {
    uint8_t state;
    bool pending;
    bool masked;
    domid_t remote_dom;         /* the guest's domid when it is loopback */
    evtchn_port_t remote_port;  /* interdomain only */
    uint32_t vcpu;              /* the vCPU notified (bind_vcpu) */
    uint8_t virq;               /* PORT_VIRQ only */
} XenEvtchnPort;

/* A port of the VMM's own (backend) port space. */
typedef struct XenEvtchnBePort {
    bool in_use;
    evtchn_port_t guest_port;   /* 0: the guest's end is closed */
    XenEvtchnBeHandle *owner;   /* NULL: loaded, not yet taken back */
    bool pending;               /* the guest sent since last returned */
    bool masked;                /* returned by pending, not unmasked */
} XenEvtchnBePort;

struct XenEvtchnBeHandle {
    int fd;
    evtchn_port_t be_port;      /* 0: none */
};

typedef struct XenEvtchnState {
    domid_t domid;
    uint32_t nr_vcpus;
    XenEvtchnPort ports[NR_PORTS];
    XenEvtchnBePort be_ports[NR_PORTS];
    GPtrArray *handles;         /* every open handle */
    XenEvtchnUpcallFn *upcall;
    void *upcall_opaque;
    /* Guest bits in shared_info (xen_evtchn_set_guest_delivery). */
    XenEvtchnUpcallFn *guest_raise;
    XenEvtchnUpcallFn *guest_unmask;
} XenEvtchnState;

/* The one state of the process, or NULL before xen_evtchn_create(). */
XenEvtchnState *xen_evtchn_state(void);

static inline bool valid_port(evtchn_port_t port)
{
    return port > 0 && port < NR_PORTS;
}

/* VIRQs notified on one vCPU of the guest's choice, 0 at first. */
static inline bool virq_is_global(uint32_t virq)
{
    return virq != VIRQ_TIMER && virq != VIRQ_DEBUG &&
           virq != VIRQ_XENOPROF && virq != VIRQ_XENPMU;
}

#endif
