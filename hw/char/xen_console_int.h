/*
 * The parts of a Xen console both kinds share (xen_console.c): the ring
 * between a page and a character backend, driven by a backend event
 * channel handle.  The kinds differ only in where the page and the
 * guest's port come from.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_CHAR_XEN_CONSOLE_INT_H
#define HW_CHAR_XEN_CONSOLE_INT_H

#include "hw/char/xen_console.h"
#include "hw/char/xen_console_ring.h"
#include "hw/i386/kvm/xen_evtchn.h"

typedef struct XenOverlayPage XenOverlayPage;
typedef struct XenBusDevice XenBusDevice;
typedef struct XenGrantMap XenGrantMap;

struct XenConsole {
    char *name;                 /* for traces */
    CharBackend *chr;
    XenConsRing ring;
    XenEvtchnBeHandle *eh;
    domid_t domid;
    evtchn_port_t guest_port;   /* 0: not bound */
    evtchn_port_t be_port;
    bool was_stopped;           /* stop already traced */

    /* the primary console */
    XenOverlayPage *page;

    /* a XenBus console */
    XenBusDevice *xbd;
    XenGrantMap *map;

    /* Frees what the kind added (NULL: nothing). */
    void (*free_kind)(XenConsole *c);
};

/* The common object: event channel handle and character handlers. */
XenConsole *xen_console_alloc(const char *name, domid_t domid,
                              CharBackend *chr, Error **errp);
/* Bind our handle to the guest's unbound port (remote DOMID_QEMU). */
bool xen_console_bind(XenConsole *c, evtchn_port_t guest_port,
                      Error **errp);
/* Start moving bytes on page; stop, unbinding the port. */
void xen_console_start(XenConsole *c, void *page);
void xen_console_halt(XenConsole *c);

#endif
