/*
 * The xen-xenstore device: serves an emulated Xen guest's XenStore
 * through the ring page at the special PFN and an event channel, on top
 * of the in-tree database.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_XENSTORE_H
#define HW_XEN_XENSTORE_H

#include "qemu/error.h"
#include "sysemu/kvm.h"
#include "hw/xen/interface/event_channel.h"
#include "hw/xen/xenstore_impl.h"

typedef struct XenXenstoreState XenXenstoreState;

typedef struct XenXenstoreConfig {
    unsigned int domid;         /* the guest's domain id (1 if 0) */
    const char *name;           /* /local/domain/<domid>/name */
    uint64_t memory_kib;        /* /local/domain/<domid>/memory/target */
    KVMState *kvm;              /* VM to map the ring page into, or NULL */
} XenXenstoreConfig;

/*
 * Create the device: the ring page, the backend event-channel handle,
 * the database with the guest's default nodes.  The event channel state
 * (xen_evtchn_create) must exist.  There is one device per process; the
 * backend operations (xen_backend_ops.h) reach it.  Nothing is visible
 * to the guest until xen_xenstore_reset().
 */
XenXenstoreState *xen_xenstore_realize(const XenXenstoreConfig *cfg,
                                       Error **errp);
void xen_xenstore_unrealize(XenXenstoreState *s);

/* The device, or NULL when none was realized. */
XenXenstoreState *xen_xenstore_get(void);

/*
 * Boot, reboot or soft reset: forget the guest's connection (watches,
 * transactions, partial request, pending output, queued events, ring
 * error), map the page at the XenStore PFN with fresh indexes, give the
 * guest a new store port bound to the device, publish store/port and
 * store/ring-ref, and fire @introduceDomain.  On a reboot (the domain
 * was introduced) @releaseDomain fires first: the old domain is gone.
 */
bool xen_xenstore_reset(XenXenstoreState *s, Error **errp);

/* What the guest learns through HVM_PARAM_STORE_PFN / _EVTCHN. */
uint64_t xen_xenstore_pfn(XenXenstoreState *s);
evtchn_port_t xen_xenstore_guest_port(XenXenstoreState *s);
/* The device's own (backend) end of the store event channel. */
evtchn_port_t xen_xenstore_be_port(XenXenstoreState *s);
/*
 * The eventfd that wakes the device, as a send on the store port does:
 * a KVM ioeventfd on the guest's doorbell may signal it directly.
 */
int xen_xenstore_evtchn_fd(XenXenstoreState *s);

XenstoreImplState *xen_xenstore_impl(XenXenstoreState *s);
/* The guest's domain id. */
unsigned int xen_xenstore_domid(XenXenstoreState *s);
/* The guest's connection: its event queue and flow-control state. */
typedef struct XsConn XsConn;
XsConn *xen_xenstore_conn(XenXenstoreState *s);
/* The ring page as this process sees it (for tests and tools). */
void *xen_xenstore_ring(XenXenstoreState *s);

/*
 * The ring indexes the device itself keeps and whether a ring error has
 * stopped it.  The page may say otherwise: the guest can write any field
 * of it, and the device never reads back its own.  For tests and fuzzing.
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
 * Serve the ring now (what an event-channel notification does).  The
 * main loop calls it; tests may call it directly.
 */
void xen_xenstore_pump(XenXenstoreState *s);

/*
 * The whole device state (page, connection, database, ports, error
 * state) as a versioned record.  Load into a device realized with the
 * same domid, after loading the event channel state; on malformed input
 * it fails and the device is untouched.
 */
GByteArray *xen_xenstore_save(XenXenstoreState *s);
bool xen_xenstore_load(XenXenstoreState *s, const uint8_t *data, size_t len,
                       Error **errp);

#endif
