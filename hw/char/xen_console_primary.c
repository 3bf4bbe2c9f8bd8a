/*
 * The primary Xen console (the guest's hvc0 on HVM): a VMM page at the
 * console special PFN, an event channel the VMM allocates, both told to
 * the guest through HVM parameters the machine publishes, and the
 * console/ nodes Xen's toolstack writes in the guest's home.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/special_pages.h"
#include "hw/xen/xen_backend_ops.h"
#include "hw/xen/xenstore_impl.h"
#include "hw/i386/kvm/xen_overlay.h"
#include "xen_console_int.h"
#include "trace.h"

static void xen_console_primary_free(XenConsole *c)
{
    xen_overlay_page_free(c->page);
    c->page = NULL;
}

XenConsole *xen_console_primary_new(KVMState *kvm, domid_t domid,
                                    CharBackend *chr, Error **errp)
{
    XenConsole *c = xen_console_alloc("xen-console-primary", domid, chr,
                                      errp);

    if (!c) {
        return NULL;
    }
    c->free_kind = xen_console_primary_free;
    c->page = xen_overlay_page_new(kvm, "xen-console", errp);
    if (!c->page) {
        xen_console_free(c);
        return NULL;
    }
    return c;
}

uint64_t xen_console_pfn(XenConsole *c)
{
    return XEN_CONSOLE_PFN;
}

evtchn_port_t xen_console_guest_port(XenConsole *c)
{
    return c->guest_port;
}

/* Is port the guest's end of our channel (not a reused number)? */
static bool xen_console_is_guest_end(XenConsole *c, evtchn_port_t port)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

    return !xen_evtchn_status_op(&st) &&
           st.status == EVTCHNSTAT_interdomain &&
           st.u.interdomain.dom == DOMID_QEMU &&
           st.u.interdomain.port == c->be_port;
}

/*
 * /local/domain/N/console/{ring-ref,port}, owned by the VMM and readable
 * by the guest, as the toolstack leaves them (xenconsoled reads them on
 * Xen; Linux's HVM hvc0 uses the HVM parameters instead).
 */
static bool xen_console_write_nodes(XenConsole *c, Error **errp)
{
    const XenstoreBackendOps *ops = &emu_xenstore_backend_ops;
    g_autofree char *home = NULL, *dir = NULL;
    qemu_xs_handle *h = ops->open(errp);
    struct { const char *key; char *val; } nodes[] = {
        { "ring-ref", g_strdup_printf("%" PRIu64, xen_console_pfn(c)) },
        { "port", g_strdup_printf("%u", c->guest_port) },
    };
    bool ok = false;

    if (!h) {
        goto out;
    }
    home = ops->get_domain_path(h, c->domid);
    dir = g_strdup_printf("%s/console", home);
    if (!ops->create(h, XBT_NULL, DOMID_QEMU, c->domid, XS_PERM_READ, dir)) {
        error_setg_errno(errp, errno, "xen-console: creating %s", dir);
        goto out;
    }
    for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
        g_autofree char *path = g_strdup_printf("%s/%s", dir, nodes[i].key);

        /* create() first: the node gets the directory's permissions. */
        if (!ops->create(h, XBT_NULL, DOMID_QEMU, c->domid, XS_PERM_READ,
                         path) ||
            !ops->write(h, XBT_NULL, path, nodes[i].val,
                        strlen(nodes[i].val))) {
            error_setg_errno(errp, errno, "xen-console: writing %s", path);
            goto out;
        }
    }
    ok = true;
out:
    for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
        g_free(nodes[i].val);
    }
    if (h) {
        ops->close(h);
    }
    return ok;
}

bool xen_console_primary_reset(XenConsole *c, Error **errp)
{
    struct evtchn_alloc_unbound alloc = {
        .dom = DOMID_SELF, .remote_dom = DOMID_QEMU,
    };
    int ret;

    /*
     * Close the old guest end if the event channels were not reset with
     * the machine (a soft reset): otherwise it would linger, unbound.
     */
    if (c->guest_port && xen_console_is_guest_end(c, c->guest_port)) {
        struct evtchn_close close = { .port = c->guest_port };

        xen_evtchn_close_op(&close);
    }
    xen_console_halt(c);

    /* A new boot starts on an empty ring at index 0. */
    memset(xen_overlay_page_ptr(c->page), 0, XEN_PAGE_SIZE);
    if (!xen_overlay_map_page(c->page, XEN_CONSOLE_PFN << XEN_PAGE_SHIFT,
                              errp)) {
        return false;
    }
    ret = xen_evtchn_alloc_unbound_op(&alloc);
    if (ret < 0) {
        error_setg(errp, "xen-console: allocating the console port: %s",
                   g_strerror(-ret));
        return false;
    }
    if (!xen_console_bind(c, alloc.port, errp)) {
        return false;
    }
    if (!xen_console_write_nodes(c, errp)) {
        return false;
    }
    trace_xen_console_primary_reset(c->domid, c->guest_port, c->be_port);
    xen_console_start(c, xen_overlay_page_ptr(c->page));
    return true;
}
