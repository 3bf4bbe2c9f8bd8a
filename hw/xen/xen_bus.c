/*
 * The XenBus backend framework (xen_bus.h): a PV device's two store
 * directories and the backend's half of the state handshake, driven by
 * watch events on the frontend's state node.
 *
 * Everything under the frontend directory belongs to the guest, which
 * may write anything there at any time or remove it: each event re-reads
 * the frontend's state and acts on it in a bounded number of store calls,
 * whatever came before.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "hw/xen/xen_backend_ops.h"
#include "hw/xen/xenstore_impl.h"
#include "hw/xen/xen_bus.h"
#include "trace.h"

/*
 * Building the directories is one transaction; it only fails with
 * EAGAIN when the guest wrote its directory meanwhile.  A guest that
 * keeps doing so must not hold the main loop: give up after this many.
 */
#define XEN_BUS_TX_ATTEMPTS 16

/*
 * A frontend that stays Closed this long is detached (its directory
 * removed), then attached afresh as long after, as a toolstack would:
 * Linux frontends never leave Closed by themselves (a driver unbound or
 * unloaded and loaded again keeps the closed device), while a new
 * xenbus device starts from Initialising.  The guest needs the time in
 * between to see the device go, or it would keep the closed one.  A
 * frontend that moves on from Closed by itself is left to do so.
 */
#define XEN_BUS_REATTACH_MS 2000

struct XenBusDevice {
    const XenBusDeviceType *type;
    void *opaque;
    domid_t fe_domid;
    unsigned int devid;
    char *be_path;
    char *fe_path;
    qemu_xs_handle *h;
    qemu_xs_watch *watch;
    /*
     * The transaction the directories are being built in: the type's
     * create_nodes() writes through xen_bus_*_printf, which must land in
     * it so that a failed build leaves nothing behind.
     */
    xs_transaction_t tx;
    XenbusState be_state;
    XenbusState fe_state;       /* as last read; Unknown if unreadable */
    bool connected;             /* connect() succeeded, no disconnect() */
    guint closed_timer;         /* frontend Closed: the timer to detach */
    guint reattach;             /* detached: the timer to attach again */
};

static const XenstoreBackendOps *const xs = &emu_xenstore_backend_ops;

static bool xb_write(XenBusDevice *d, xs_transaction_t t, const char *dir,
                     const char *key, const char *value)
{
    g_autofree char *path = g_strdup_printf("%s/%s", dir, key);

    return xs->write(d->h, t, path, value, strlen(value));
}

static bool xb_write_state(XenBusDevice *d, xs_transaction_t t,
                           const char *dir, XenbusState state)
{
    char v[4];

    snprintf(v, sizeof(v), "%d", state);
    return xb_write(d, t, dir, "state", v);
}

/* Outside a build: publish the backend's state for the frontend. */
static void xb_set_be_state(XenBusDevice *d, XenbusState state)
{
    if (d->be_state == state) {
        return;
    }
    trace_xen_bus_be_state(d->be_path, d->be_state, state);
    d->be_state = state;
    if (!xb_write_state(d, XBT_NULL, d->be_path, state)) {
        trace_xen_bus_store_error(d->be_path, "write state", errno);
    }
}

static void xb_disconnect(XenBusDevice *d)
{
    if (!d->connected) {
        return;
    }
    trace_xen_bus_disconnect(d->be_path);
    d->connected = false;
    if (d->type->disconnect) {
        d->type->disconnect(d, d->opaque);
    }
}

static void xb_connect(XenBusDevice *d)
{
    Error *err = NULL;

    trace_xen_bus_connect(d->be_path);
    if (d->type->connect && !d->type->connect(d, d->opaque, &err)) {
        trace_xen_bus_connect_failed(d->be_path,
                                     err ? error_get_pretty(err) : "");
        error_free(err);
        /* The frontend sees Closing and may close and start again. */
        xb_set_be_state(d, XenbusStateClosing);
        return;
    }
    d->connected = true;
    xb_set_be_state(d, XenbusStateConnected);
}

/*
 * Both directories as at creation, in transaction t: whatever was there
 * goes first, so a guest's leftovers never survive a (re)build.
 */
static bool xb_populate(XenBusDevice *d, xs_transaction_t t, Error **errp)
{
    g_autofree char *fe_id = g_strdup_printf("%u", d->fe_domid);
    bool ok;

    /* Absent is fine: this is also the first build. */
    xs->destroy(d->h, t, d->be_path);
    xs->destroy(d->h, t, d->fe_path);

    /* Backend: dom0's, the frontend may read it (spec section 12). */
    if (!xs->create(d->h, t, 0, d->fe_domid, XS_PERM_READ, d->be_path) ||
        !xb_write(d, t, d->be_path, "frontend", d->fe_path) ||
        !xb_write(d, t, d->be_path, "frontend-id", fe_id) ||
        !xb_write(d, t, d->be_path, "online", "1") ||
        !xb_write_state(d, t, d->be_path, XenbusStateInitialising)) {
        error_setg_errno(errp, errno, "xen-bus: cannot make %s", d->be_path);
        return false;
    }
    /*
     * Frontend: the guest's, so it can write its nodes; dom0 reads
     * everything anyway, the r0 entry only says the backend may.  The
     * nodes written here inherit that list (owner the guest).
     */
    if (!xs->create(d->h, t, d->fe_domid, 0, XS_PERM_READ, d->fe_path) ||
        !xb_write(d, t, d->fe_path, "backend", d->be_path) ||
        !xb_write(d, t, d->fe_path, "backend-id", "0") ||
        !xb_write_state(d, t, d->fe_path, XenbusStateInitialising)) {
        error_setg_errno(errp, errno, "xen-bus: cannot make %s", d->fe_path);
        return false;
    }
    if (d->type->create_nodes) {
        d->tx = t;
        ok = d->type->create_nodes(d, d->opaque, errp);
        d->tx = XBT_NULL;
        if (!ok) {
            return false;
        }
    }
    if (!xb_write_state(d, t, d->be_path, XenbusStateInitWait)) {
        error_setg_errno(errp, errno, "xen-bus: cannot write %s/state",
                         d->be_path);
        return false;
    }
    return true;
}

/* Build both directories in one transaction; on failure none is left. */
static bool xb_build(XenBusDevice *d, Error **errp)
{
    for (unsigned int i = 0; i < XEN_BUS_TX_ATTEMPTS; i++) {
        Error *err = NULL;
        xs_transaction_t t = xs->transaction_start(d->h);

        if (t == XBT_NULL) {
            error_setg_errno(errp, errno, "xen-bus: transaction_start");
            return false;
        }
        if (!xb_populate(d, t, &err)) {
            xs->transaction_end(d->h, t, true);
            error_propagate(errp, err);
            return false;
        }
        if (xs->transaction_end(d->h, t, false)) {
            trace_xen_bus_be_state(d->be_path, d->be_state,
                                   XenbusStateInitWait);
            d->be_state = XenbusStateInitWait;
            d->fe_state = XenbusStateInitialising;
            return true;
        }
        if (errno != EAGAIN) {
            error_setg_errno(errp, errno, "xen-bus: commit %s", d->be_path);
            return false;
        }
    }
    error_setg(errp, "xen-bus: %s: the store kept changing (EAGAIN)",
               d->be_path);
    return false;
}

/*
 * The frontend's state, strictly: a decimal 0..8 and nothing else (no
 * trailing bytes, no NUL inside).  A missing node or anything else is
 * Unknown.  *gone: the whole frontend directory is missing.
 */
static XenbusState xb_read_fe_state(XenBusDevice *d, bool *gone)
{
    g_autofree char *path = g_strdup_printf("%s/state", d->fe_path);
    g_autofree char *v = NULL;
    unsigned int len = 0, val;

    *gone = false;
    v = xs->read(d->h, XBT_NULL, path, &len);
    if (!v) {
        g_autofree char *dir = NULL;

        /* One more read tells a removed node from a removed directory. */
        dir = xs->read(d->h, XBT_NULL, d->fe_path, NULL);
        *gone = !dir && errno == ENOENT;
        return XenbusStateUnknown;
    }
    if (strlen(v) != len || qemu_strtoui(v, NULL, 10, &val) ||
        val > XenbusStateReconfigured) {
        return XenbusStateUnknown;
    }
    return val;
}

/* The guest removed its directory: start over, as after a reset. */
static void xb_fe_gone(XenBusDevice *d)
{
    Error *err = NULL;

    trace_xen_bus_fe_gone(d->fe_path);
    xb_disconnect(d);
    if (!xb_build(d, &err)) {
        /* The frontend cannot go on; say so where it might look. */
        trace_xen_bus_rebuild_failed(d->be_path, error_get_pretty(err));
        error_free(err);
        xb_set_be_state(d, XenbusStateClosed);
    }
}

static gboolean xb_reattach(gpointer opaque)
{
    XenBusDevice *d = opaque;
    Error *err = NULL;

    d->reattach = 0;
    trace_xen_bus_reattach(d->fe_path);
    if (!xb_build(d, &err)) {
        trace_xen_bus_rebuild_failed(d->be_path, error_get_pretty(err));
        error_free(err);
        xb_set_be_state(d, XenbusStateClosed);
    }
    return G_SOURCE_REMOVE;
}

/* The frontend stayed Closed: detach it, attach it again later. */
static gboolean xb_detach(gpointer opaque)
{
    XenBusDevice *d = opaque;

    d->closed_timer = 0;
    trace_xen_bus_detach(d->fe_path);
    xs->destroy(d->h, XBT_NULL, d->fe_path);
    d->reattach = g_timeout_add(XEN_BUS_REATTACH_MS, xb_reattach, d);
    return G_SOURCE_REMOVE;
}

static void xb_cancel_timers(XenBusDevice *d)
{
    if (d->closed_timer) {
        g_source_remove(d->closed_timer);
        d->closed_timer = 0;
    }
    if (d->reattach) {
        g_source_remove(d->reattach);
        d->reattach = 0;
    }
}

/*
 * The backend's reaction to the frontend's state, as Linux backends
 * behave; see docs/devel/xen-bus.md for the table.  Only the current
 * state matters, never the sequence: a flapping guest gets at most one
 * connect or disconnect per event.
 */
static void xb_fe_changed(void *opaque, const char *path)
{
    XenBusDevice *d = opaque;
    bool gone;
    XenbusState fe;

    /* Detached: the frontend's directory is gone on purpose. */
    if (d->reattach) {
        return;
    }
    fe = xb_read_fe_state(d, &gone);
    if (gone) {
        xb_fe_gone(d);
        return;
    }
    if (fe != d->fe_state) {
        trace_xen_bus_fe_state(d->fe_path, d->fe_state, fe);
        d->fe_state = fe;
    }
    if (fe != XenbusStateClosed && d->closed_timer) {
        g_source_remove(d->closed_timer);
        d->closed_timer = 0;
    }
    switch (fe) {
    case XenbusStateInitialising:
        /* A (re)loaded driver, maybe after a crash: offer a new start. */
        if (d->connected || d->be_state == XenbusStateClosing ||
            d->be_state == XenbusStateClosed) {
            xb_disconnect(d);
            xb_set_be_state(d, XenbusStateInitWait);
        }
        break;
    case XenbusStateInitialised:
    case XenbusStateConnected:
        if (d->be_state == XenbusStateInitWait) {
            xb_connect(d);
        }
        break;
    case XenbusStateClosing:
        xb_disconnect(d);
        if (d->be_state != XenbusStateClosed) {
            xb_set_be_state(d, XenbusStateClosing);
        }
        break;
    case XenbusStateClosed:
        xb_disconnect(d);
        xb_set_be_state(d, XenbusStateClosed);
        if (!d->closed_timer) {
            d->closed_timer = g_timeout_add(XEN_BUS_REATTACH_MS, xb_detach,
                                            d);
        }
        break;
    case XenbusStateUnknown:
        /*
         * Garbage or no state node: not a request to connect; if we were
         * connected the frontend is broken or gone, so stop using it.
         */
        if (d->connected) {
            xb_disconnect(d);
            xb_set_be_state(d, XenbusStateClosed);
        }
        break;
    default:
        /* InitWait, Reconfiguring, Reconfigured: nothing to do for us. */
        break;
    }
}

XenBusDevice *xen_bus_device_new(const XenBusDeviceType *type,
                                 domid_t fe_domid, unsigned int devid,
                                 void *opaque, Error **errp)
{
    XenBusDevice *d;
    g_autofree char *state = NULL;
    qemu_xs_handle *h = xs->open(errp);

    if (!h) {
        return NULL;
    }
    d = g_new0(XenBusDevice, 1);
    d->type = type;
    d->opaque = opaque;
    d->fe_domid = fe_domid;
    d->devid = devid;
    d->h = h;
    d->be_path = g_strdup_printf("/local/domain/0/backend/%s/%u/%u",
                                 type->type, fe_domid, devid);
    d->fe_path = g_strdup_printf("/local/domain/%u/device/%s/%u",
                                 fe_domid, type->type, devid);
    trace_xen_bus_device_new(type->type, fe_domid, devid);
    if (!xb_build(d, errp)) {
        goto fail;
    }
    /*
     * The state node only: a removal of the whole directory fires it too
     * (watches inside a removed subtree fire), and the guest's other
     * nodes do not cost us an event each.
     */
    state = g_strdup_printf("%s/state", d->fe_path);
    d->watch = xs->watch(d->h, state, xb_fe_changed, d);
    if (!d->watch) {
        error_setg_errno(errp, errno, "xen-bus: cannot watch %s", state);
        xs->destroy(d->h, XBT_NULL, d->fe_path);
        xs->destroy(d->h, XBT_NULL, d->be_path);
        goto fail;
    }
    return d;

fail:
    xs->close(d->h);
    g_free(d->be_path);
    g_free(d->fe_path);
    g_free(d);
    return NULL;
}

void xen_bus_device_free(XenBusDevice *d)
{
    if (!d) {
        return;
    }
    trace_xen_bus_device_free(d->be_path);
    xb_cancel_timers(d);
    xs->unwatch(d->h, d->watch);
    xb_disconnect(d);
    xs->destroy(d->h, XBT_NULL, d->fe_path);
    xs->destroy(d->h, XBT_NULL, d->be_path);
    xs->close(d->h);
    g_free(d->be_path);
    g_free(d->fe_path);
    g_free(d);
}

bool xen_bus_device_reset(XenBusDevice *d, Error **errp)
{
    trace_xen_bus_device_reset(d->be_path);
    xb_cancel_timers(d);
    xb_disconnect(d);
    /* The watch stays: it is on a path, and fires for the rebuild. */
    return xb_build(d, errp);
}

domid_t xen_bus_device_fe_domid(XenBusDevice *d)
{
    return d->fe_domid;
}

unsigned int xen_bus_device_devid(XenBusDevice *d)
{
    return d->devid;
}

XenbusState xen_bus_device_be_state(XenBusDevice *d)
{
    return d->be_state;
}

XenbusState xen_bus_device_fe_state(XenBusDevice *d)
{
    return d->fe_state;
}

const char *xen_bus_device_be_path(XenBusDevice *d)
{
    return d->be_path;
}

const char *xen_bus_device_fe_path(XenBusDevice *d)
{
    return d->fe_path;
}

char *xen_bus_fe_read(XenBusDevice *d, const char *key)
{
    g_autofree char *path = g_strdup_printf("%s/%s", d->fe_path, key);

    return xs->read(d->h, d->tx, path, NULL);
}

bool xen_bus_fe_read_uint(XenBusDevice *d, const char *key,
                          unsigned int *val)
{
    g_autofree char *path = g_strdup_printf("%s/%s", d->fe_path, key);
    unsigned int len = 0;
    g_autofree char *v = xs->read(d->h, d->tx, path, &len);

    /* A NUL inside would hide what follows it from the parser. */
    return v && strlen(v) == len && qemu_strtoui(v, NULL, 10, val) == 0;
}

static bool xb_vprintf(XenBusDevice *d, const char *dir, const char *key,
                       const char *fmt, va_list ap)
{
    g_autofree char *value = g_strdup_vprintf(fmt, ap);

    return xb_write(d, d->tx, dir, key, value);
}

bool xen_bus_be_printf(XenBusDevice *d, const char *key, const char *fmt,
                       ...)
{
    va_list ap;
    bool ok;

    va_start(ap, fmt);
    ok = xb_vprintf(d, d->be_path, key, fmt, ap);
    va_end(ap);
    return ok;
}

bool xen_bus_fe_printf(XenBusDevice *d, const char *key, const char *fmt,
                       ...)
{
    va_list ap;
    bool ok;

    va_start(ap, fmt);
    ok = xb_vprintf(d, d->fe_path, key, fmt, ap);
    va_end(ap);
    return ok;
}
