/*
 * The XenBus backend framework: the VMM's PV backends (vbd, console)
 * run the XenBus handshake with a guest's frontends through the store's
 * backend operations (xen_backend_ops.h).  A device type names its
 * directory and provides the steps; the framework makes the backend and
 * frontend directories with their initial nodes and permissions
 * (xenstore-spec section 12), watches the frontend's state and drives
 * the backend's: InitWait until the frontend is Initialised or
 * Connected, then the type's connect() and Connected; Closing and
 * Closed when the frontend closes or goes away, then InitWait again
 * (a driver reload reconnects).  All of it runs in the main loop.
 *
 * Paths: the backend is domain 0 (the VMM), so
 *   backend  /local/domain/0/backend/TYPE/FE_DOMID/DEVID
 *   frontend /local/domain/FE_DOMID/device/TYPE/DEVID
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_XEN_BUS_H
#define HW_XEN_BUS_H

#include "qemu/error.h"
#include "hw/xen/interface/xen.h"

/* xenbus_state, as in Xen's io/xenbus.h. */
typedef enum XenbusState {
    XenbusStateUnknown = 0,
    XenbusStateInitialising = 1,
    XenbusStateInitWait = 2,
    XenbusStateInitialised = 3,
    XenbusStateConnected = 4,
    XenbusStateClosing = 5,
    XenbusStateClosed = 6,
    XenbusStateReconfiguring = 7,
    XenbusStateReconfigured = 8,
} XenbusState;

typedef struct XenBusDevice XenBusDevice;

typedef struct XenBusDeviceType {
    const char *type;           /* "vbd", "console": the directory name */
    /*
     * Add the type's nodes (xen_bus_be_printf / xen_bus_fe_printf):
     * e.g. a vbd's sectors, sector-size, info, feature-flush-cache.
     * Called at creation and after each reset, before InitWait; also
     * when the frontend's directory was removed and is made again.  It
     * runs inside the build's transaction, maybe more than once per
     * build (EAGAIN retries): write nodes, keep no count.
     */
    bool (*create_nodes)(XenBusDevice *d, void *opaque, Error **errp);
    /*
     * The frontend is Initialised or Connected: read its nodes
     * (ring-ref, event-channel, protocol), map, bind.  false with errp:
     * the backend goes to Closing (the frontend may retry).
     */
    bool (*connect)(XenBusDevice *d, void *opaque, Error **errp);
    /*
     * Undo connect(): unmap, unbind, drop requests in flight.  Called
     * once per successful connect().  None of the three steps may free
     * the device.
     */
    void (*disconnect)(XenBusDevice *d, void *opaque);
} XenBusDeviceType;

/*
 * Make the directories and nodes (frontend's writable by the frontend,
 * backend's readable by it), backend state InitWait, frontend state
 * Initialising, and start watching.  NULL with errp on failure (nothing
 * is left in the store).
 */
XenBusDevice *xen_bus_device_new(const XenBusDeviceType *type,
                                 domid_t fe_domid, unsigned int devid,
                                 void *opaque, Error **errp);
/* Disconnect if connected, remove both directories, stop watching. */
void xen_bus_device_free(XenBusDevice *d);
/*
 * The guest rebooted: disconnect without waiting for the frontend, and
 * make both directories afresh as at creation.
 */
bool xen_bus_device_reset(XenBusDevice *d, Error **errp);

domid_t xen_bus_device_fe_domid(XenBusDevice *d);
unsigned int xen_bus_device_devid(XenBusDevice *d);
XenbusState xen_bus_device_be_state(XenBusDevice *d);
XenbusState xen_bus_device_fe_state(XenBusDevice *d);
const char *xen_bus_device_be_path(XenBusDevice *d);
const char *xen_bus_device_fe_path(XenBusDevice *d);

/* A node of the frontend's directory: g_free() it; NULL if absent. */
char *xen_bus_fe_read(XenBusDevice *d, const char *key);
/* ... as an unsigned number (decimal), false if absent or not one. */
bool xen_bus_fe_read_uint(XenBusDevice *d, const char *key,
                          unsigned int *val);
/* Write a node of the backend's (or the frontend's) directory. */
bool xen_bus_be_printf(XenBusDevice *d, const char *key, const char *fmt,
                       ...) G_GNUC_PRINTF(3, 4);
bool xen_bus_fe_printf(XenBusDevice *d, const char *key, const char *fmt,
                       ...) G_GNUC_PRINTF(3, 4);

#endif
