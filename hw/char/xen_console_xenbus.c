/*
 * Extra Xen consoles through XenBus (device/console/N, the guest's hvcN
 * for N >= 1).  Linux's hvc_xen frontend allocates a page and an event
 * channel, grants the page to the backend domain, writes "ring-ref" (the
 * grant reference) and "port" into its directory in one transaction and
 * goes Initialised; on our Connected it goes Connected.  It reads none
 * of the backend's nodes beyond the framework's (state), so the type
 * adds none: Xen's toolstack would add frontend name/type/limit for its
 * own daemons, which nothing here needs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/xen_bus.h"
#include "hw/xen/xen_gnttab_backend.h"
#include "xen_console_int.h"
#include "trace.h"

static void xen_console_xenbus_disconnect(XenBusDevice *d, void *opaque);

static bool xen_console_xenbus_connect(XenBusDevice *d, void *opaque,
                                       Error **errp)
{
    XenConsole *c = opaque;
    unsigned int ref, port;
    grant_ref_t gref;
    void *page;

    if (c->map) {
        /* Connected twice without a disconnect: start from scratch. */
        xen_console_xenbus_disconnect(d, opaque);
    }
    if (!xen_bus_fe_read_uint(d, "ring-ref", &ref) ||
        !xen_bus_fe_read_uint(d, "port", &port)) {
        error_setg(errp, "%s: frontend has no valid ring-ref and port",
                   c->name);
        return false;
    }
    trace_xen_console_xenbus_connect(c->name, ref, port);
    gref = ref;
    c->map = xen_gnttab_map(xen_gnttab_backend(), DOMID_QEMU, &gref, 1,
                            true, &page, errp);
    if (!c->map) {
        return false;
    }
    if (!xen_console_bind(c, port, errp)) {
        xen_gnttab_unmap(xen_gnttab_backend(), c->map);
        c->map = NULL;
        return false;
    }
    xen_console_start(c, page);
    return true;
}

static void xen_console_xenbus_disconnect(XenBusDevice *d, void *opaque)
{
    XenConsole *c = opaque;

    trace_xen_console_xenbus_disconnect(c->name);
    /* Stop touching the page before it is unmapped. */
    xen_console_halt(c);
    if (c->map) {
        xen_gnttab_unmap(xen_gnttab_backend(), c->map);
        c->map = NULL;
    }
}

/* hvc_xen reads no backend node of ours (see above): nothing to add. */
static bool xen_console_xenbus_create_nodes(XenBusDevice *d, void *opaque,
                                            Error **errp)
{
    return true;
}

static const XenBusDeviceType xen_console_xenbus_type = {
    .type = "console",
    .create_nodes = xen_console_xenbus_create_nodes,
    .connect = xen_console_xenbus_connect,
    .disconnect = xen_console_xenbus_disconnect,
};

static void xen_console_xenbus_free(XenConsole *c)
{
    /* Disconnects (unmap, unbind) if connected. */
    xen_bus_device_free(c->xbd);
    c->xbd = NULL;
}

XenConsole *xen_console_xenbus_new(domid_t fe_domid, unsigned devid,
                                   CharBackend *chr, Error **errp)
{
    g_autofree char *name = g_strdup_printf("xen-console-%u", devid);
    XenConsole *c;

    if (devid == 0) {
        /* hvc_xen refuses device/console/0: that is the primary. */
        error_setg(errp, "xen-console: XenBus console ids start at 1");
        return NULL;
    }
    c = xen_console_alloc(name, fe_domid, chr, errp);
    if (!c) {
        return NULL;
    }
    c->xbd = xen_bus_device_new(&xen_console_xenbus_type, fe_domid, devid,
                                c, errp);
    if (!c->xbd) {
        xen_console_free(c);
        return NULL;
    }
    c->free_kind = xen_console_xenbus_free;
    return c;
}

bool xen_console_xenbus_reset(XenConsole *c, Error **errp)
{
    return xen_bus_device_reset(c->xbd, errp);
}
