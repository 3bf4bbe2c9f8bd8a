/*
 * Xen consoles for a guest's hvc_xen: the primary console (hvc0, a page
 * at the console special PFN with an event channel given by HVM
 * parameters) and extra consoles through XenBus (device/console/N, the
 * guest's hvcN).  Each connects a console ring to a character backend
 * with flow control both ways; a guest that breaks its ring stops that
 * console only.  Everything runs in the main loop.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_CHAR_XEN_CONSOLE_H
#define HW_CHAR_XEN_CONSOLE_H

#include "qemu/error.h"
#include "sysemu/kvm.h"
#include "hw/xen/interface/event_channel.h"
#include "chardev/char.h"

typedef struct XenConsole XenConsole;

/*
 * The primary console of guest domid.  Needs the event channels
 * (xen_evtchn_create) and, for its store nodes, the xen-xenstore device;
 * kvm may be NULL (the page is then not placed in a VM: tests).  The
 * guest sees nothing until xen_console_primary_reset().  chr stays the
 * caller's; it must outlive the console.
 */
XenConsole *xen_console_primary_new(KVMState *kvm, domid_t domid,
                                    CharBackend *chr, Error **errp);
/*
 * Boot or reboot (after xen_evtchn_reset() and xen_xenstore_reset()):
 * a zeroed page mapped at XEN_CONSOLE_PFN, a fresh unbound guest port
 * bound to our handle, and /local/domain/N/console/{ring-ref,port}.
 * The machine then publishes HVM_PARAM_CONSOLE_PFN = xen_console_pfn()
 * and HVM_PARAM_CONSOLE_EVTCHN = xen_console_guest_port().
 */
bool xen_console_primary_reset(XenConsole *c, Error **errp);
uint64_t xen_console_pfn(XenConsole *c);
evtchn_port_t xen_console_guest_port(XenConsole *c);

/*
 * An extra console, device/console/devid (devid >= 1: hvc_xen leaves 0
 * to the primary console) of guest fe_domid, on the XenBus backend
 * framework and the backend grant table (xen_gnttab_backend()).
 */
XenConsole *xen_console_xenbus_new(domid_t fe_domid, unsigned devid,
                                   CharBackend *chr, Error **errp);
/* The guest rebooted: disconnect and offer the device afresh. */
bool xen_console_xenbus_reset(XenConsole *c, Error **errp);

/* Either kind.  NULL is fine. */
void xen_console_free(XenConsole *c);

/* The ring page as this process sees it, NULL if none (tests). */
void *xen_console_ring_page(XenConsole *c);

/* The guest broke the ring: nothing moves until the next reset/connect. */
bool xen_console_stopped(XenConsole *c);

#endif
