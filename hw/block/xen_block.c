/*
 * The vbd device: a raw image file served to a guest's xen-blkfront
 * over one single-page blkif ring.
 *
 * Threading: the ring, the grant table and the event channel are only
 * touched from the main loop.  File I/O, which may take long, runs in a
 * per-device GThreadPool on host pointers the main loop mapped before;
 * a finished request is queued under the device's lock and a bottom
 * half (qemu_bh_schedule() is thread-safe, util/async.c) brings it back
 * to the main loop, which unmaps, responds and notifies.  The requests
 * in flight never exceed the ring's size, because a request holds its
 * response slot until it is answered.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include <sys/stat.h>
#include "qemu/main-loop.h"
#include "hw/xen/xen_bus.h"
#include "hw/xen/xen_gnttab_backend.h"
#include "hw/xen/xen_block.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "xen_blkif_ring.h"
#include "xen_blkif_io.h"
#include "trace.h"

/* At most this many requests of one device do file I/O at once. */
#define XEN_BLOCK_THREADS 4

/* VDISK_* of the backend's "info" node (Xen's io/blkif.h). */
#define VDISK_READONLY 0x4

struct XenBlock {
    char *path;
    bool readonly;
    int fd;
    uint64_t sectors;
    XenBusDevice *bus;

    /* While connected (main loop only). */
    bool connected;
    XenGrantMap *ring_map;
    XenEvtchnBeHandle *evtchn;
    evtchn_port_t be_port;
    XenBlkifRing ring;
    unsigned int in_flight;     /* handed to the pool, not yet finished */

    GThreadPool *pool;
    QEMUBH *done_bh;
    GMutex lock;
    GCond cond;                 /* signalled when done grows */
    GQueue done;                /* of XenBlkifIO: run, not yet answered */
};

static void *grant_map(void *opaque, const uint32_t *refs,
                       unsigned int count, bool writable, void **pages)
{
    Error *err = NULL;
    XenGrantMap *map;

    map = xen_gnttab_map(xen_gnttab_backend(), 0, refs, count, writable,
                         pages, &err);
    if (!map) {
        /* The guest's mistake: answered with an error, not reported. */
        error_free(err);
    }
    return map;
}

static void grant_unmap(void *opaque, void *handle)
{
    xen_gnttab_unmap(xen_gnttab_backend(), handle);
}

static const XenBlkifGrantOps xen_block_grant_ops = {
    .map = grant_map,
    .unmap = grant_unmap,
};

/* Worker thread: file I/O only, then hand the request back. */
static void xen_block_worker(gpointer data, gpointer opaque)
{
    XenBlkifIO *io = data;
    XenBlock *b = opaque;

    xen_blkif_io_run(io, b->fd);
    g_mutex_lock(&b->lock);
    g_queue_push_tail(&b->done, io);
    g_cond_broadcast(&b->cond);
    g_mutex_unlock(&b->lock);
    qemu_bh_schedule(b->done_bh);
}

static void xen_block_notify(XenBlock *b)
{
    if (xen_blkif_ring_push_responses(&b->ring)) {
        xen_be_evtchn_notify(b->evtchn, b->be_port);
    }
}

/*
 * The guest broke the ring: this device stops serving it (requests in
 * flight finish into the image but get no response) and says Closing so
 * the frontend gives up; nothing else is affected.
 */
static void xen_block_stop(XenBlock *b)
{
    /*
     * xen_bus.h has no call for a device to close itself, so the state
     * node is written here; the framework sees the frontend follow to
     * Closing/Closed and disconnects us as usual.
     */
    trace_xen_block_ring_stopped(xen_bus_device_fe_domid(b->bus),
                                 xen_bus_device_devid(b->bus));
    xen_bus_be_printf(b->bus, "state", "%u", XenbusStateClosing);
}

static void xen_block_process(XenBlock *b)
{
    XenBlkifRequest req;
    int rc;

    if (!b->connected || b->ring.stopped) {
        return;
    }
    for (;;) {
        while ((rc = xen_blkif_ring_get_request(&b->ring, &req)) == 1) {
            XenBlkifIO *io = g_new(XenBlkifIO, 1);

            if (!xen_blkif_io_start(io, &req, &xen_block_grant_ops, b)) {
                xen_blkif_ring_put_response(&b->ring, io->req.id,
                                            io->req.operation, io->status);
                g_free(io);
                continue;
            }
            b->in_flight++;
            g_thread_pool_push(b->pool, io, NULL);
        }
        if (rc < 0) {
            xen_block_stop(b);
            return;
        }
        /* Full: the next completion brings us back here. */
        if (xen_blkif_ring_in_use(&b->ring) >= b->ring.nr_ents ||
            !xen_blkif_ring_final_check(&b->ring)) {
            break;
        }
    }
    xen_block_notify(b);
}

/* Unmap and answer (when answer) what the workers finished. */
static void xen_block_reap(XenBlock *b, bool answer)
{
    GQueue done = G_QUEUE_INIT;
    XenBlkifIO *io;

    g_mutex_lock(&b->lock);
    while ((io = g_queue_pop_head(&b->done))) {
        g_queue_push_tail(&done, io);
    }
    g_mutex_unlock(&b->lock);

    while ((io = g_queue_pop_head(&done))) {
        xen_blkif_io_unmap(io, &xen_block_grant_ops, b);
        trace_xen_block_complete(io->req.id, io->status);
        if (answer) {
            xen_blkif_ring_put_response(&b->ring, io->req.id,
                                        io->req.operation, io->status);
        }
        g_assert(b->in_flight > 0);
        b->in_flight--;
        g_free(io);
    }
}

static void xen_block_done_bh(void *opaque)
{
    XenBlock *b = opaque;

    if (!b->connected) {
        return;                 /* disconnect reaped them already */
    }
    xen_block_reap(b, true);
    if (!b->ring.stopped) {
        xen_block_notify(b);
        /* Slots came free: requests may be waiting for them. */
        xen_block_process(b);
    }
}

static void xen_block_event(void *opaque)
{
    XenBlock *b = opaque;
    int port = xen_be_evtchn_pending(b->evtchn);

    if (port > 0) {
        xen_be_evtchn_unmask(b->evtchn, port);
    }
    xen_block_process(b);
}

static bool xen_block_create_nodes(XenBusDevice *d, void *opaque,
                                   Error **errp)
{
    XenBlock *b = opaque;
    bool ok = true;

    ok &= xen_bus_be_printf(d, "sectors", "%" PRIu64, b->sectors);
    ok &= xen_bus_be_printf(d, "sector-size", "%u", BLKIF_SECTOR_SIZE);
    ok &= xen_bus_be_printf(d, "info", "%u",
                            b->readonly ? VDISK_READONLY : 0);
    ok &= xen_bus_be_printf(d, "feature-flush-cache", "1");
    ok &= xen_bus_be_printf(d, "mode", "%s", b->readonly ? "r" : "w");
    ok &= xen_bus_be_printf(d, "type", "file");
    ok &= xen_bus_be_printf(d, "params", "%s", b->path);
    /*
     * No max-ring-page-order, feature-persistent,
     * feature-max-indirect-segments, feature-discard or feature-barrier:
     * the frontend uses one ring page ("ring-ref") with direct requests.
     */
    ok &= xen_bus_fe_printf(d, "virtual-device", "%u",
                            xen_bus_device_devid(d));
    ok &= xen_bus_fe_printf(d, "device-type", "disk");
    if (!ok) {
        error_setg(errp, "vbd %u: cannot write its nodes",
                   xen_bus_device_devid(d));
    }
    return ok;
}

static bool xen_block_read_ring_ref(XenBusDevice *d, unsigned int *ref,
                                    Error **errp)
{
    unsigned int order;

    if (xen_bus_fe_read_uint(d, "ring-ref", ref)) {
        return true;
    }
    /* A multi-page frontend may still say order 0 with ring-ref0. */
    if (xen_bus_fe_read_uint(d, "ring-page-order", &order) && order == 0 &&
        xen_bus_fe_read_uint(d, "ring-ref0", ref)) {
        return true;
    }
    error_setg(errp, "frontend has no usable ring-ref (one page only)");
    return false;
}

static void xen_block_disconnect(XenBusDevice *d, void *opaque);

static bool xen_block_connect(XenBusDevice *d, void *opaque, Error **errp)
{
    XenBlock *b = opaque;
    g_autofree char *protocol = NULL;
    unsigned int ref, port;
    grant_ref_t gref;
    void *page;
    int be_port;

    if (!xen_block_read_ring_ref(d, &ref, errp)) {
        return false;
    }
    if (!xen_bus_fe_read_uint(d, "event-channel", &port)) {
        error_setg(errp, "frontend has no event-channel");
        return false;
    }
    protocol = xen_bus_fe_read(d, "protocol");
    if (protocol && strcmp(protocol, "x86_64-abi") != 0) {
        error_setg(errp, "ring protocol '%s' not supported", protocol);
        return false;
    }
    if (!xen_gnttab_backend()) {
        error_setg(errp, "no grant table");
        return false;
    }
    trace_xen_block_connect(xen_bus_device_fe_domid(d),
                            xen_bus_device_devid(d), ref, port);

    gref = ref;
    b->ring_map = xen_gnttab_map(xen_gnttab_backend(), 0, &gref, 1, true,
                                 &page, errp);
    if (!b->ring_map) {
        return false;
    }
    b->evtchn = xen_be_evtchn_open();
    if (!b->evtchn) {
        error_setg_errno(errp, errno, "cannot open an event channel");
        goto fail;
    }
    be_port = xen_be_evtchn_bind_interdomain(b->evtchn,
                                             xen_bus_device_fe_domid(d),
                                             port);
    if (be_port < 0) {
        error_setg_errno(errp, -be_port, "cannot bind event channel %u",
                         port);
        goto fail;
    }
    b->be_port = be_port;
    xen_blkif_ring_init(&b->ring, page, BLKIF_RING_SIZE_1PAGE, b->sectors,
                        b->readonly);
    b->connected = true;
    qemu_set_fd_handler(xen_be_evtchn_fd(b->evtchn), xen_block_event, NULL,
                        b);
    /* Requests may be there already, put before the binding. */
    xen_block_process(b);
    return true;

fail:
    xen_block_disconnect(d, b);
    return false;
}

static void xen_block_disconnect(XenBusDevice *d, void *opaque)
{
    XenBlock *b = opaque;

    if (b->in_flight) {
        trace_xen_block_disconnect(xen_bus_device_fe_domid(d),
                                   xen_bus_device_devid(d), b->in_flight);
    }
    /*
     * Workers write into mapped guest pages: wait for them before
     * anything is unmapped.  A request is at most 11 pages of file I/O,
     * and at most a ring of them is in flight, so this wait is short.
     */
    g_mutex_lock(&b->lock);
    while (g_queue_get_length(&b->done) < b->in_flight) {
        g_cond_wait(&b->cond, &b->lock);
    }
    g_mutex_unlock(&b->lock);
    /* The frontend is going: unmap without answering. */
    xen_block_reap(b, false);
    g_assert(b->in_flight == 0);
    qemu_bh_cancel(b->done_bh);

    if (b->evtchn) {
        qemu_set_fd_handler(xen_be_evtchn_fd(b->evtchn), NULL, NULL, NULL);
        xen_be_evtchn_close(b->evtchn);
        b->evtchn = NULL;
    }
    if (b->ring_map) {
        xen_gnttab_unmap(xen_gnttab_backend(), b->ring_map);
        b->ring_map = NULL;
    }
    memset(&b->ring, 0, sizeof(b->ring));
    b->connected = false;
}

static const XenBusDeviceType xen_block_type = {
    .type = "vbd",
    .create_nodes = xen_block_create_nodes,
    .connect = xen_block_connect,
    .disconnect = xen_block_disconnect,
};

XenBlock *xen_block_new(const char *path, bool readonly, domid_t fe_domid,
                        unsigned int vdev, Error **errp)
{
    XenBlock *b;
    struct stat st;
    int fd;

    fd = open(path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot open %s", path);
        return NULL;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        error_setg(errp, "%s: not a regular file", path);
        close(fd);
        return NULL;
    }
    b = g_new0(XenBlock, 1);
    b->path = g_strdup(path);
    b->readonly = readonly;
    b->fd = fd;
    b->sectors = (uint64_t)st.st_size / BLKIF_SECTOR_SIZE;
    g_mutex_init(&b->lock);
    g_cond_init(&b->cond);
    g_queue_init(&b->done);
    b->done_bh = qemu_bh_new(xen_block_done_bh, b);
    b->pool = g_thread_pool_new(xen_block_worker, b, XEN_BLOCK_THREADS,
                                FALSE, NULL);
    b->bus = xen_bus_device_new(&xen_block_type, fe_domid, vdev, b, errp);
    if (!b->bus) {
        xen_block_free(b);
        return NULL;
    }
    return b;
}

void xen_block_free(XenBlock *b)
{
    if (!b) {
        return;
    }
    if (b->bus) {
        xen_bus_device_free(b->bus);   /* disconnects if connected */
    }
    g_thread_pool_free(b->pool, FALSE, TRUE);
    qemu_bh_delete(b->done_bh);
    g_mutex_clear(&b->lock);
    g_cond_clear(&b->cond);
    close(b->fd);
    g_free(b->path);
    g_free(b);
}

bool xen_block_reset(XenBlock *b, Error **errp)
{
    return xen_bus_device_reset(b->bus, errp);
}
