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
/*
 * The eventfd that wakes the device, as a send on the store port does:
 * a KVM ioeventfd on the guest's doorbell may signal it directly.
 */
int xen_xenstore_evtchn_fd(XenXenstoreState *s);

/*
 * The guest's store, for the backends (xen_xenstore_backend.c) and for
 * serving it elsewhere too (a socket server in the same process).  It is
 * the device's for its whole life; a load replaces its contents.
 */
XenstoreImplState *xen_xenstore_impl(XenXenstoreState *s);

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
