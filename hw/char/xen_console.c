/*
 * A Xen console's engine, shared by both kinds: the ring on the page
 * against the character backend, run from the main loop by the guest's
 * events and by the backend's room for output and input.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "xen_console_int.h"
#include "trace.h"

bool xen_console_stopped(XenConsole *c)
{
    return xencons_ring_stopped(&c->ring);
}

void *xen_console_ring_page(XenConsole *c)
{
    return c->ring.intf;
}

static void xen_console_notify(XenConsole *c)
{
    int err;

    if (!c->guest_port) {
        return;
    }
    err = xen_be_evtchn_notify(c->eh, c->be_port);
    if (err) {
        trace_xen_console_notify_failed(c->name, c->be_port, err);
    }
}

static size_t xen_console_sink(void *opaque, const uint8_t *buf, size_t len)
{
    XenConsole *c = opaque;

    return qemu_chr_write(c->chr, buf, len);
}

/*
 * Move what can move.  Output: as much as the backend takes now; the
 * rest stays in the guest's ring (which then fills and holds the guest
 * up) until the backend's writable callback runs this again.  Input:
 * the guest may have made room, so let the backend read its fd again.
 */
static void xen_console_pump(XenConsole *c)
{
    size_t n = xencons_ring_drain_out(&c->ring, xen_console_sink, c);

    if (n) {
        xen_console_notify(c);
    }
    if (xencons_ring_in_room(&c->ring)) {
        qemu_chr_accept_input(c->chr);
    }
    if (xencons_ring_stopped(&c->ring) && !c->was_stopped) {
        c->was_stopped = true;
        trace_xen_console_stopped(c->name);
    }
}

static void xen_console_event(void *opaque)
{
    XenConsole *c = opaque;
    int port = xen_be_evtchn_pending(c->eh);

    if (port > 0) {
        xen_be_evtchn_unmask(c->eh, port);
    }
    xen_console_pump(c);
}

static size_t xen_console_can_read(void *opaque)
{
    XenConsole *c = opaque;

    return xencons_ring_in_room(&c->ring);
}

static void xen_console_read(void *opaque, const uint8_t *buf, size_t len)
{
    XenConsole *c = opaque;
    size_t n = xencons_ring_push_in(&c->ring, buf, len);

    if (n < len) {
        /* Only a ring stopped since can_read(): its input goes nowhere. */
        trace_xen_console_input_dropped(c->name, len - n);
    }
    if (n) {
        xen_console_notify(c);
    }
}

static void xen_console_writable(void *opaque)
{
    xen_console_pump(opaque);
}

XenConsole *xen_console_alloc(const char *name, domid_t domid,
                              CharBackend *chr, Error **errp)
{
    XenConsole *c;

    if (!chr) {
        error_setg(errp, "%s: no character backend", name);
        return NULL;
    }
    c = g_new0(XenConsole, 1);
    c->name = g_strdup(name);
    c->chr = chr;
    c->domid = domid;
    c->eh = xen_be_evtchn_open();
    if (!c->eh) {
        error_setg_errno(errp, errno, "%s: event channel handle", name);
        g_free(c->name);
        g_free(c);
        return NULL;
    }
    qemu_set_fd_handler(xen_be_evtchn_fd(c->eh), xen_console_event, NULL, c);
    qemu_chr_set_handlers(chr, xen_console_can_read, xen_console_read,
                          xen_console_writable, c);
    return c;
}

bool xen_console_bind(XenConsole *c, evtchn_port_t guest_port, Error **errp)
{
    int ret = xen_be_evtchn_bind_interdomain(c->eh, c->domid, guest_port);

    if (ret < 0) {
        error_setg(errp, "%s: binding guest port %u: %s", c->name,
                   guest_port, g_strerror(-ret));
        return false;
    }
    c->guest_port = guest_port;
    c->be_port = ret;
    return true;
}

void xen_console_start(XenConsole *c, void *page)
{
    xencons_ring_attach(&c->ring, page);
    c->was_stopped = false;
    trace_xen_console_start(c->name, c->guest_port, c->be_port);
    /* Output the guest wrote before we looked. */
    xen_console_pump(c);
}

void xen_console_halt(XenConsole *c)
{
    xencons_ring_detach(&c->ring);
    if (c->guest_port) {
        xen_be_evtchn_unbind(c->eh, c->be_port);
        c->guest_port = 0;
    }
}

void xen_console_free(XenConsole *c)
{
    if (!c) {
        return;
    }
    if (c->free_kind) {
        c->free_kind(c);
    }
    xen_console_halt(c);
    qemu_chr_set_handlers(c->chr, NULL, NULL, NULL, NULL);
    qemu_set_fd_handler(xen_be_evtchn_fd(c->eh), NULL, NULL, NULL);
    xen_be_evtchn_close(c->eh);
    g_free(c->name);
    g_free(c);
}
