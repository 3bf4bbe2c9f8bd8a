/*
 * The xen-xenstore device: the guest's XenStore ring page at the special
 * PFN, its event channel, the pump that moves bytes between the ring and
 * the guest's connection, reset, reconnection and save/load.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/main-loop.h"
#include "qemu/bytestream.h"
#include "hw/xen/interface/io/xs_wire.h"
#include "hw/xen/special_pages.h"
#include "hw/i386/kvm/xen_xenstore.h"
#include "hw/i386/kvm/xen_xenstore_test.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "hw/i386/kvm/xen_overlay.h"
#include "hw/xen/xenstore_conn.h"
#include "hw/xen/xenstore_home.h"
#include "trace.h"

#define XEN_XENSTORE_SAVE_MAGIC "XSDV"
#define XEN_XENSTORE_SAVE_VERSION 1
/* Flags of the saved state. */
#define XSDV_READY          1   /* reset has set the ring up */
#define XSDV_STOPPED        2   /* a ring error stopped serving */
#define XSDV_ADOPT_INDEXES  4   /* not served since reset */
#define XSDV_FLAGS_ALL      7

struct XenXenstoreState {
    unsigned int domid;
    char *name;
    uint64_t memory_kib;
    XenstoreImplState *impl;
    XsConn *conn;
    XenOverlayPage *page;
    struct xenstore_domain_interface *xs;
    XenEvtchnBeHandle *eh;
    evtchn_port_t guest_port;
    evtchn_port_t be_port;
    QEMUBH *bh;
    bool ready;                 /* reset has set the ring up */
    bool stopped;               /* a ring error was set: serve nothing */
    /*
     * Reset: start from the indexes found in the page when first served
     * (firmware may have used the ring before the OS, spec 10).
     */
    bool adopt_indexes;
    /* The indexes we own: the guest cannot change what we believe. */
    XENSTORE_RING_IDX req_cons;
    XENSTORE_RING_IDX rsp_prod;
};

static XenXenstoreState *xen_xenstore_singleton;

XenXenstoreState *xen_xenstore_get(void)
{
    return xen_xenstore_singleton;
}

uint64_t xen_xenstore_pfn(XenXenstoreState *s)
{
    return XEN_XENSTORE_PFN;
}

evtchn_port_t xen_xenstore_guest_port(XenXenstoreState *s)
{
    return s->guest_port;
}

evtchn_port_t xen_xenstore_be_port(XenXenstoreState *s)
{
    return s->be_port;
}

int xen_xenstore_evtchn_fd(XenXenstoreState *s)
{
    return xen_be_evtchn_fd(s->eh);
}

XenstoreImplState *xen_xenstore_impl(XenXenstoreState *s)
{
    return s->impl;
}

XsConn *xen_xenstore_conn(XenXenstoreState *s)
{
    return s->conn;
}

void *xen_xenstore_ring(XenXenstoreState *s)
{
    return s->xs;
}

void xen_xenstore_ring_state(XenXenstoreState *s, XenXenstoreRingState *st)
{
    st->req_cons = s->req_cons;
    st->rsp_prod = s->rsp_prod;
    st->stopped = s->stopped;
    st->adopt_indexes = s->adopt_indexes;
}

/* ---- the ring ---- */

static void xen_xenstore_notify(XenXenstoreState *s)
{
    int err = xen_be_evtchn_notify(s->eh, s->be_port);

    if (err) {
        trace_xen_xenstore_notify_failed(s->be_port, err);
    }
}

/* A fatal ring error: say so in the page and serve nothing more. */
static void xen_xenstore_ring_error(XenXenstoreState *s, uint32_t error)
{
    trace_xen_xenstore_ring_error(error);
    s->stopped = true;
    qatomic_set(&s->xs->error, error);
    smp_wmb();
}

/* Move one stretch of replies into the ring; false if nothing moved. */
static bool xen_xenstore_put_responses(XenXenstoreState *s)
{
    struct xenstore_domain_interface *xs = s->xs;
    XENSTORE_RING_IDX cons, prod = s->rsp_prod;
    const uint8_t *data;
    size_t n, space, off, first;

    n = xs_conn_peek(s->conn, &data);
    if (!n) {
        return false;
    }
    cons = qatomic_read(&xs->rsp_cons);
    smp_mb();       /* the guest's reads of the slots happened before */
    if (prod - cons > XENSTORE_RING_SIZE) {
        xen_xenstore_ring_error(s, XENSTORE_ERROR_RINGIDX);
        return false;
    }
    space = XENSTORE_RING_SIZE - (prod - cons);
    n = MIN(n, space);
    if (!n) {
        return false;
    }
    off = MASK_XENSTORE_IDX(prod);
    first = MIN(n, XENSTORE_RING_SIZE - off);
    memcpy(xs->rsp + off, data, first);
    memcpy(xs->rsp, data + first, n - first);
    smp_wmb();      /* data before the index that publishes it */
    s->rsp_prod = prod + n;
    qatomic_set(&xs->rsp_prod, s->rsp_prod);
    xs_conn_consume(s->conn, n);
    return true;
}

/* Move what the connection takes from the ring; false if nothing moved. */
static bool xen_xenstore_get_requests(XenXenstoreState *s)
{
    struct xenstore_domain_interface *xs = s->xs;
    XENSTORE_RING_IDX prod, cons = s->req_cons;
    size_t n, off, first, taken;

    if (!xs_conn_input_space(s->conn)) {
        return false;
    }
    prod = qatomic_read(&xs->req_prod);
    smp_rmb();      /* the index before the data it covers */
    if (prod - cons > XENSTORE_RING_SIZE) {
        xen_xenstore_ring_error(s, XENSTORE_ERROR_RINGIDX);
        return false;
    }
    /*
     * Offer everything there is: the connection takes whole requests as
     * long as it can handle them, and stops at the first that must wait.
     */
    n = prod - cons;
    if (!n) {
        return false;
    }
    off = MASK_XENSTORE_IDX(cons);
    first = MIN(n, XENSTORE_RING_SIZE - off);
    taken = xs_conn_feed(s->conn, xs->req + off, first);
    if (taken == first && n > first) {
        taken += xs_conn_feed(s->conn, xs->req, n - first);
    }
    smp_mb();       /* done reading the slots before giving them back */
    s->req_cons = cons + taken;
    qatomic_set(&xs->req_cons, s->req_cons);
    if (xs_conn_protocol_error(s->conn)) {
        xen_xenstore_ring_error(s, XENSTORE_ERROR_PROTO);
    }
    return taken > 0;
}

/*
 * The first time a reset ring is served: believe the page's req_cons
 * and rsp_prod once, as if we had left them there.  They are read once;
 * the checks of every pass then catch indexes that make no sense.
 */
static void xen_xenstore_adopt_indexes(XenXenstoreState *s)
{
    s->req_cons = qatomic_read(&s->xs->req_cons);
    s->rsp_prod = qatomic_read(&s->xs->rsp_prod);
    smp_rmb();
    s->adopt_indexes = false;
    trace_xen_xenstore_adopt_indexes(s->req_cons, s->rsp_prod);
}

/*
 * Reconnection (the guest wrote connection = RECONNECT): drop everything
 * of the old connection, start the indexes again, say CONNECTED.
 */
static void xen_xenstore_reconnect(XenXenstoreState *s)
{
    struct xenstore_domain_interface *xs = s->xs;

    trace_xen_xenstore_reconnect(s->domid);
    xs_conn_reset(s->conn);
    s->req_cons = s->rsp_prod = 0;
    s->stopped = false;
    s->adopt_indexes = false;
    qatomic_set(&xs->req_cons, 0);
    qatomic_set(&xs->req_prod, 0);
    qatomic_set(&xs->rsp_cons, 0);
    qatomic_set(&xs->rsp_prod, 0);
    qatomic_set(&xs->error, XENSTORE_ERROR_NONE);
    smp_wmb();
    qatomic_set(&xs->connection, XENSTORE_CONNECTED);
    xs_impl_introduce_domain(s->impl, s->domid);
}

void xen_xenstore_pump(XenXenstoreState *s)
{
    bool notify = false;

    if (!s->ready) {
        return;
    }
    if (qatomic_read(&s->xs->connection) == XENSTORE_RECONNECT) {
        smp_rmb();
        xen_xenstore_reconnect(s);
        notify = true;
    }
    if (s->adopt_indexes) {
        xen_xenstore_adopt_indexes(s);
    }
    /*
     * Requests first: a request taken here is usually answered at once,
     * so its reply goes out in the same round, and a READ costs one round
     * plus one that finds nothing to do.  Nothing moves after a ring error.
     */
    while (!s->stopped) {
        bool moved = xen_xenstore_get_requests(s);

        if (!s->stopped) {
            moved |= xen_xenstore_put_responses(s);
        }
        if (!moved) {
            break;
        }
        notify = true;
    }
    trace_xen_xenstore_pump(s->req_cons, s->rsp_prod, notify);
    if (notify || s->stopped) {
        xen_xenstore_notify(s);
    }
}

static void xen_xenstore_bh(void *opaque)
{
    xen_xenstore_pump(opaque);
}

/* Output appeared outside a pump (a watch fired elsewhere). */
static void xen_xenstore_kick(void *opaque)
{
    XenXenstoreState *s = opaque;

    qemu_bh_schedule(s->bh);
}

static void xen_xenstore_evtchn_event(void *opaque)
{
    XenXenstoreState *s = opaque;
    int port = xen_be_evtchn_pending(s->eh);

    if (port > 0) {
        xen_be_evtchn_unmask(s->eh, port);
    }
    xen_xenstore_pump(s);
}

/* ---- life cycle ---- */

XenXenstoreState *xen_xenstore_realize(const XenXenstoreConfig *cfg,
                                       Error **errp)
{
    XenXenstoreState *s;
    int err;

    if (xen_xenstore_singleton) {
        error_setg(errp, "xen-xenstore: only one device per machine");
        return NULL;
    }
    s = g_new0(XenXenstoreState, 1);
    s->domid = cfg->domid ? cfg->domid : 1;
    if (s->domid >= DOMID_FIRST_RESERVED) {
        error_setg(errp, "xen-xenstore: domid %u is reserved", s->domid);
        g_free(s);
        return NULL;
    }
    s->name = g_strdup(cfg->name ? cfg->name : "guest");
    s->memory_kib = cfg->memory_kib;
    s->page = xen_overlay_page_new(cfg->kvm, "xenstore", errp);
    if (!s->page) {
        goto fail;
    }
    s->xs = xen_overlay_page_ptr(s->page);
    s->eh = xen_be_evtchn_open();
    if (!s->eh) {
        error_setg_errno(errp, errno, "xen-xenstore: event channel handle");
        goto fail;
    }
    s->impl = xs_impl_create(s->domid);
    s->conn = xs_conn_new(s->impl, s->domid, true, xen_xenstore_kick, s);
    s->bh = qemu_bh_new(xen_xenstore_bh, s);
    err = xs_home_create(s->impl, s->domid, s->name, s->memory_kib);
    if (err) {
        error_setg(errp, "xen-xenstore: creating the default nodes: %s",
                   g_strerror(err));
        goto fail;
    }
    qemu_set_fd_handler(xen_be_evtchn_fd(s->eh), xen_xenstore_evtchn_event,
                        NULL, s);
    trace_xen_xenstore_realize(s->domid);
    xen_xenstore_singleton = s;
    return s;

fail:
    xen_xenstore_unrealize(s);
    return NULL;
}

void xen_xenstore_unrealize(XenXenstoreState *s)
{
    if (!s) {
        return;
    }
    if (xen_xenstore_singleton == s) {
        xen_xenstore_singleton = NULL;
    }
    if (s->eh) {
        qemu_set_fd_handler(xen_be_evtchn_fd(s->eh), NULL, NULL, NULL);
        xen_be_evtchn_close(s->eh);
    }
    if (s->bh) {
        qemu_bh_delete(s->bh);
    }
    xs_conn_free(s->conn);
    xs_impl_destroy(s->impl);
    xen_overlay_page_free(s->page);
    g_free(s->name);
    g_free(s);
}

static bool xen_xenstore_is_guest_end(XenXenstoreState *s,
                                      evtchn_port_t port)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

    return !xen_evtchn_status_op(&st) &&
           st.status == EVTCHNSTAT_interdomain &&
           st.u.interdomain.dom == DOMID_QEMU &&
           st.u.interdomain.port == s->be_port;
}

/*
 * Close the guest's end of the store channel, wherever it is now.  A
 * Windows guest may have closed the port it was given and bound another
 * one to our backend port, and the old number may belong to something
 * else by then: close only a port bound to us.  Nothing is left to
 * close if the event channels were reset with the machine.
 */
static void xen_xenstore_close_guest_end(XenXenstoreState *s)
{
    evtchn_port_t port = 0;

    if (!s->be_port) {
        return;
    }
    if (s->guest_port && xen_xenstore_is_guest_end(s, s->guest_port)) {
        port = s->guest_port;
    }
    for (evtchn_port_t p = 1; !port && p < EVTCHN_2L_NR_CHANNELS; p++) {
        if (xen_xenstore_is_guest_end(s, p)) {
            port = p;
        }
    }
    if (port) {
        struct evtchn_close close = { .port = port };

        xen_evtchn_close_op(&close);
    }
}

bool xen_xenstore_reset(XenXenstoreState *s, Error **errp)
{
    struct evtchn_alloc_unbound alloc = {
        .dom = DOMID_SELF, .remote_dom = DOMID_QEMU,
    };
    int ret;

    if (!xen_overlay_map_page(s->page, XEN_XENSTORE_PFN << XEN_PAGE_SHIFT,
                              errp)) {
        return false;
    }
    /*
     * A reboot: the domain that was there goes away (@releaseDomain, as
     * on Xen; its watches and transactions go with it).  At first boot
     * nothing was introduced and nothing fires.
     */
    if (xs_impl_is_domain_introduced(s->impl, s->domid)) {
        xs_impl_release_domain(s->impl, s->domid);
    }
    /* Whatever the guest had: watches, transactions, bytes in flight. */
    xs_conn_reset(s->conn);
    s->stopped = false;
    s->req_cons = s->rsp_prod = 0;
    s->adopt_indexes = true;
    memset(s->xs, 0, XEN_PAGE_SIZE);

    xen_xenstore_close_guest_end(s);
    s->guest_port = 0;
    ret = xen_evtchn_alloc_unbound_op(&alloc);
    if (ret < 0) {
        error_setg(errp, "xen-xenstore: allocating the store port: %s",
                   g_strerror(-ret));
        return false;
    }
    ret = xen_be_evtchn_bind_interdomain(s->eh, s->domid, alloc.port);
    if (ret < 0) {
        error_setg(errp, "xen-xenstore: binding the store port: %s",
                   g_strerror(-ret));
        return false;
    }
    s->guest_port = alloc.port;
    s->be_port = ret;

    s->xs->server_features = XENSTORE_SERVER_FEATURE_RECONNECTION |
                             XENSTORE_SERVER_FEATURE_ERROR |
                             XENSTORE_SERVER_FEATURE_WATCHDEPTH;
    s->xs->evtchn_port = s->guest_port;
    smp_wmb();

    if (xs_home_publish_store(s->impl, s->domid, s->guest_port,
                              XEN_XENSTORE_PFN)) {
        error_setg(errp, "xen-xenstore: publishing store/port");
        return false;
    }
    s->ready = true;
    trace_xen_xenstore_reset(s->domid, s->guest_port, s->be_port);
    xs_impl_introduce_domain(s->impl, s->domid);
    return true;
}

/* ---- save / load ---- */

GByteArray *xen_xenstore_save(XenXenstoreState *s)
{
    g_autoptr(GByteArray) conn = xs_conn_save(s->conn);
    g_autoptr(GByteArray) store = xs_impl_serialize(s->impl);
    GByteArray *b = g_byte_array_new();

    bs_put_bytes(b, XEN_XENSTORE_SAVE_MAGIC, 4);
    bs_put_le32(b, XEN_XENSTORE_SAVE_VERSION);
    bs_put_le32(b, s->domid);
    bs_put_le32(b, s->guest_port);
    bs_put_le32(b, s->be_port);
    bs_put_le32(b, (s->ready ? XSDV_READY : 0) |
                   (s->stopped ? XSDV_STOPPED : 0) |
                   (s->adopt_indexes ? XSDV_ADOPT_INDEXES : 0));
    bs_put_le32(b, s->req_cons);
    bs_put_le32(b, s->rsp_prod);
    bs_put_bytes(b, s->xs, XEN_PAGE_SIZE);
    bs_put_blob(b, conn->data, conn->len);
    bs_put_blob(b, store->data, store->len);
    return b;
}

/* A saved device state, split up: the byte fields point into the input. */
typedef struct XenXenstoreImage {
    uint32_t domid;
    uint32_t guest_port;
    uint32_t be_port;
    uint32_t flags;
    uint32_t req_cons;
    uint32_t rsp_prod;
    const uint8_t *page;
    const uint8_t *conn;
    uint32_t conn_len;
    const uint8_t *store;
    uint32_t store_len;
} XenXenstoreImage;

/* The record's framing and own fields; its parts are not looked into. */
static bool xen_xenstore_parse(XenXenstoreState *s, const uint8_t *data,
                               size_t len, XenXenstoreImage *img,
                               Error **errp)
{
    uint32_t version;
    ByteReader r;

    br_init(&r, data, len, false);
    if (!br_expect(&r, XEN_XENSTORE_SAVE_MAGIC, 4)) {
        error_setg(errp, "xen-xenstore: not a device state");
        return false;
    }
    if (!br_u32(&r, &version)) {
        error_setg(errp, "xen-xenstore: device state truncated in its "
                   "header");
        return false;
    }
    if (version != XEN_XENSTORE_SAVE_VERSION) {
        error_setg(errp, "xen-xenstore: unknown device state version %u",
                   version);
        return false;
    }
    if (!br_u32(&r, &img->domid) || !br_u32(&r, &img->guest_port) ||
        !br_u32(&r, &img->be_port) || !br_u32(&r, &img->flags) ||
        !br_u32(&r, &img->req_cons) || !br_u32(&r, &img->rsp_prod) ||
        !br_bytes(&r, XEN_PAGE_SIZE, &img->page)) {
        error_setg(errp, "xen-xenstore: device state truncated in its "
                   "header or ring page");
        return false;
    }
    if (!br_blob(&r, br_remaining(&r), &img->conn, &img->conn_len)) {
        error_setg(errp, "xen-xenstore: device state truncated in the "
                   "connection state");
        return false;
    }
    if (!br_blob(&r, br_remaining(&r), &img->store, &img->store_len)) {
        error_setg(errp, "xen-xenstore: device state truncated in the "
                   "store stream");
        return false;
    }
    if (br_remaining(&r)) {
        error_setg(errp, "xen-xenstore: %zu bytes after the device state",
                   br_remaining(&r));
        return false;
    }
    if (img->domid != s->domid) {
        error_setg(errp, "xen-xenstore: device state of domain %u, not of "
                   "domain %u", img->domid, s->domid);
        return false;
    }
    if (img->flags & ~XSDV_FLAGS_ALL) {
        error_setg(errp, "xen-xenstore: unknown device state flags 0x%x",
                   img->flags);
        return false;
    }
    if ((img->flags & XSDV_READY) && (!img->guest_port || !img->be_port)) {
        error_setg(errp, "xen-xenstore: a ready device state without its "
                   "ports");
        return false;
    }
    return true;
}

/*
 * Can the device have the saved backend port?  *reclaim says whether it
 * must still take it (after an event channel load) or has it already.
 */
static bool xen_xenstore_check_be_port(XenXenstoreState *s,
                                       evtchn_port_t be_port, bool *reclaim,
                                       Error **errp)
{
    int ret = xen_be_evtchn_check_reclaim(s->eh, be_port);

    *reclaim = !ret;
    if (ret == -EBUSY && be_port != s->be_port) {
        error_setg(errp, "xen-xenstore: backend port %u is not ours",
                   be_port);
        return false;
    }
    if (ret < 0 && ret != -EBUSY) {
        error_setg(errp, "xen-xenstore: backend port %u: %s", be_port,
                   g_strerror(-ret));
        return false;
    }
    return true;
}

bool xen_xenstore_load(XenXenstoreState *s, const uint8_t *data, size_t len,
                       Error **errp)
{
    g_autoptr(XsConnImage) conn = NULL;
    XenXenstoreImage img;
    bool ready, reclaim = false, was_mapped;
    int ret;

    /* Everything that can be checked without changing anything. */
    if (!xen_xenstore_parse(s, data, len, &img, errp)) {
        return false;
    }
    conn = xs_conn_image_parse(img.conn, img.conn_len, errp);
    if (!conn) {
        error_prepend(errp, "xen-xenstore: ");
        return false;
    }
    ready = img.flags & XSDV_READY;
    if (ready && !xen_xenstore_check_be_port(s, img.be_port, &reclaim,
                                             errp)) {
        return false;
    }
    /* A ready ring is at its PFN; a failed map leaves the page as it was. */
    was_mapped = xen_overlay_page_gpa(s->page) != XEN_OVERLAY_UNMAPPED;
    if (ready && !xen_overlay_map_page(s->page,
                                       XEN_XENSTORE_PFN << XEN_PAGE_SHIFT,
                                       errp)) {
        return false;
    }

    /*
     * The store: its loader checks the whole stream before it changes
     * anything, so this is the one step that may still fail, and then
     * only the mapping is to be undone.
     */
    if (!xs_impl_load(s->impl, img.store, img.store_len, s->domid,
                      xs_conn_watch_event, s->conn, errp)) {
        if (ready && !was_mapped) {
            xen_overlay_unmap_page(s->page);
        }
        error_prepend(errp, "xen-xenstore: bad store stream: ");
        return false;
    }

    /* Commit: nothing below fails. */
    if (reclaim) {
        ret = xen_be_evtchn_reclaim(s->eh, img.be_port);
        g_assert(!ret);
    }
    xs_conn_image_apply(s->conn, g_steal_pointer(&conn));
    memcpy(s->xs, img.page, XEN_PAGE_SIZE);
    s->guest_port = img.guest_port;
    s->be_port = img.be_port;
    s->ready = ready;
    s->stopped = img.flags & XSDV_STOPPED;
    s->adopt_indexes = img.flags & XSDV_ADOPT_INDEXES;
    s->req_cons = img.req_cons;
    s->rsp_prod = img.rsp_prod;
    trace_xen_xenstore_load(s->domid, s->guest_port, s->be_port);
    xs_conn_process(s->conn);
    qemu_bh_schedule(s->bh);
    return true;
}
