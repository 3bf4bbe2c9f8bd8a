/*
 * Backend operations on the emulated store: what the VMM's PV device
 * backends call, acting as the privileged domain.  Watch events are
 * queued and delivered from a bottom half, never inside a store call.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xen_backend_ops.h"
#include "hw/xen/xenstore_events.h"
#include "hw/i386/kvm/xen_xenstore.h"
#include "trace.h"

/*
 * Undelivered events per handle; identical ones merge before that, and
 * past it the oldest go (see xenstore_events.h).
 */
#define XS_BE_MAX_PENDING 4096

struct qemu_xs_watch {
    qemu_xs_handle *h;
    char *path;
    xs_watch_fn fn;
    void *opaque;
};

struct qemu_xs_handle {
    /*
     * The device, not its store: the store is reached through the device
     * on every call, so that whatever store the device holds (after a
     * load, say) is the one the handle works on.
     */
    XenXenstoreState *dev;
    GList *watches;             /* qemu_xs_watch * */
    GArray *txs;                /* xs_transaction_t it opened */
    XsEventQueue *events;       /* owner: the qemu_xs_watch */
    QEMUBH *bh;
    /* While delivering: set by be_close() from inside a callback. */
    bool *closed;
};

static XenstoreImplState *be_store(qemu_xs_handle *h)
{
    return xen_xenstore_impl(h->dev);
}

/* Called by the store, maybe inside an operation: only queue. */
static void be_watch_cb(void *opaque, const char *path, const char *token)
{
    qemu_xs_watch *w = opaque;

    if (xs_event_queue_push(w->h->events, w, path, NULL) ==
        XS_EVENT_MERGED) {
        trace_xen_xenstore_be_event_merged(path);
        return;
    }
    qemu_bh_schedule(w->h->bh);
}

static void be_event_dropped(void *opaque, const XsEvent *ev)
{
    trace_xen_xenstore_be_event_dropped(ev->path);
}

static void be_deliver(void *opaque)
{
    qemu_xs_handle *h = opaque;
    bool closed = false;
    XsEvent *ev;

    /*
     * A callback may add events, unwatch, or close the handle: take one
     * event at a time, and touch nothing of h once it is closed.
     */
    h->closed = &closed;
    while ((ev = xs_event_queue_pop(h->events))) {
        qemu_xs_watch *w = ev->owner;

        trace_xen_xenstore_be_event(ev->path);
        w->fn(w->opaque, ev->path);
        xs_event_free(ev);
        if (closed) {
            return;
        }
    }
    h->closed = NULL;
}

static qemu_xs_handle *be_open(Error **errp)
{
    XenXenstoreState *s = xen_xenstore_get();
    qemu_xs_handle *h;

    if (!s) {
        error_setg(errp, "no xen-xenstore device");
        errno = ENODEV;
        return NULL;
    }
    h = g_new0(qemu_xs_handle, 1);
    h->dev = s;
    h->txs = g_array_new(false, false, sizeof(xs_transaction_t));
    h->events = xs_event_queue_new(XS_BE_MAX_PENDING, be_event_dropped,
                                   NULL);
    h->bh = qemu_bh_new(be_deliver, h);
    return h;
}

static void be_watch_free(qemu_xs_watch *w)
{
    g_free(w->path);
    g_free(w);
}

static void be_close(qemu_xs_handle *h)
{
    if (!h) {
        return;
    }
    for (GList *l = h->watches; l; l = l->next) {
        qemu_xs_watch *w = l->data;

        xs_impl_unwatch(be_store(h), DOMID_QEMU, w->path, NULL,
                        be_watch_cb, w);
    }
    for (guint i = 0; i < h->txs->len; i++) {
        xs_impl_transaction_end(be_store(h), DOMID_QEMU,
                                g_array_index(h->txs, xs_transaction_t, i),
                                false);
    }
    if (h->closed) {
        *h->closed = true;
    }
    g_list_free_full(h->watches, (GDestroyNotify)be_watch_free);
    g_array_free(h->txs, true);
    xs_event_queue_free(h->events);
    qemu_bh_delete(h->bh);
    g_free(h);
}

static bool be_ok(int err)
{
    if (err) {
        errno = err;
        return false;
    }
    return true;
}

static char *be_get_domain_path(qemu_xs_handle *h, unsigned int domid)
{
    return g_strdup_printf("/local/domain/%u", domid);
}

/* A GList of strings as a NULL-terminated array (taking the strings). */
static char **be_list_to_strv(GList *items, unsigned int *num)
{
    unsigned int n = g_list_length(items), i = 0;
    char **v = g_new(char *, n + 1);

    for (GList *l = items; l; l = l->next) {
        v[i++] = l->data;
    }
    v[n] = NULL;
    g_list_free(items);
    if (num) {
        *num = n;
    }
    return v;
}

static char **be_directory(qemu_xs_handle *h, xs_transaction_t t,
                           const char *path, unsigned int *num)
{
    GList *items = NULL;
    int err = xs_impl_directory(be_store(h), DOMID_QEMU, t, path, NULL,
                                &items);

    if (!be_ok(err)) {
        return NULL;
    }
    return be_list_to_strv(items, num);
}

static void *be_read(qemu_xs_handle *h, xs_transaction_t t, const char *path,
                     unsigned int *len)
{
    GByteArray *data = g_byte_array_new();
    int err = xs_impl_read(be_store(h), DOMID_QEMU, t, path, data);

    if (!be_ok(err)) {
        g_byte_array_unref(data);
        return NULL;
    }
    if (len) {
        *len = data->len;
    }
    g_byte_array_append(data, (const uint8_t *)"", 1);
    return g_byte_array_free(data, false);
}

static bool be_write(qemu_xs_handle *h, xs_transaction_t t, const char *path,
                     const void *data, unsigned int len)
{
    g_autoptr(GByteArray) value = g_byte_array_new();

    g_byte_array_append(value, data, len);
    return be_ok(xs_impl_write(be_store(h), DOMID_QEMU, t, path, value));
}

static bool be_set_perm_list(qemu_xs_handle *h, xs_transaction_t t,
                             const char *path, GList *perms)
{
    return be_ok(xs_impl_set_perms(be_store(h), DOMID_QEMU, t, path, perms));
}

static bool be_create(qemu_xs_handle *h, xs_transaction_t t,
                      unsigned int owner, unsigned int domid,
                      unsigned int perms, const char *path)
{
    g_autofree char *p0 = xs_perm_as_string(XS_PERM_NONE, owner);
    g_autofree char *p1 = xs_perm_as_string(perms, domid);
    GList *list = g_list_append(NULL, p0);
    bool ok;

    if (domid != owner) {
        list = g_list_append(list, p1);
    }
    ok = be_ok(xs_impl_mkdir(be_store(h), DOMID_QEMU, t, path)) &&
         be_set_perm_list(h, t, path, list);
    g_list_free(list);
    return ok;
}

static bool be_destroy(qemu_xs_handle *h, xs_transaction_t t,
                       const char *path)
{
    return be_ok(xs_impl_rm(be_store(h), DOMID_QEMU, t, path));
}

static char **be_get_perms(qemu_xs_handle *h, xs_transaction_t t,
                           const char *path, unsigned int *num)
{
    GList *perms = NULL;
    int err = xs_impl_get_perms(be_store(h), DOMID_QEMU, t, path, &perms);

    if (!be_ok(err)) {
        return NULL;
    }
    return be_list_to_strv(perms, num);
}

static bool be_set_perms(qemu_xs_handle *h, xs_transaction_t t,
                         const char *path, char **perms, unsigned int num)
{
    GList *list = NULL;
    bool ok;

    for (unsigned int i = num; i-- > 0;) {
        list = g_list_prepend(list, perms[i]);
    }
    ok = be_set_perm_list(h, t, path, list);
    g_list_free(list);
    return ok;
}

static qemu_xs_watch *be_watch(qemu_xs_handle *h, const char *path,
                               xs_watch_fn fn, void *opaque)
{
    qemu_xs_watch *w = g_new0(qemu_xs_watch, 1);
    int err;

    w->h = h;
    w->path = g_strdup(path);
    w->fn = fn;
    w->opaque = opaque;
    err = xs_impl_watch(be_store(h), DOMID_QEMU, path, NULL, be_watch_cb, w);
    if (err) {
        be_watch_free(w);
        errno = err;
        return NULL;
    }
    h->watches = g_list_prepend(h->watches, w);
    return w;
}

static void be_unwatch(qemu_xs_handle *h, qemu_xs_watch *w)
{
    if (!g_list_find(h->watches, w)) {
        return;
    }
    xs_impl_unwatch(be_store(h), DOMID_QEMU, w->path, NULL, be_watch_cb, w);
    xs_event_queue_remove_owner(h->events, w);
    h->watches = g_list_remove(h->watches, w);
    be_watch_free(w);
}

static xs_transaction_t be_transaction_start(qemu_xs_handle *h)
{
    xs_transaction_t t;
    int err = xs_impl_transaction_start(be_store(h), DOMID_QEMU, &t);

    if (!be_ok(err)) {
        return XBT_NULL;
    }
    g_array_append_val(h->txs, t);
    return t;
}

static bool be_transaction_end(qemu_xs_handle *h, xs_transaction_t t,
                               bool abort)
{
    for (guint i = 0; i < h->txs->len; i++) {
        if (g_array_index(h->txs, xs_transaction_t, i) == t) {
            g_array_remove_index_fast(h->txs, i);
            return be_ok(xs_impl_transaction_end(be_store(h), DOMID_QEMU, t,
                                                 !abort));
        }
    }
    errno = ENOENT;
    return false;
}

const XenstoreBackendOps emu_xenstore_backend_ops = {
    .open = be_open,
    .close = be_close,
    .get_domain_path = be_get_domain_path,
    .directory = be_directory,
    .read = be_read,
    .write = be_write,
    .create = be_create,
    .destroy = be_destroy,
    .get_perms = be_get_perms,
    .set_perms = be_set_perms,
    .watch = be_watch,
    .unwatch = be_unwatch,
    .transaction_start = be_transaction_start,
    .transaction_end = be_transaction_end,
};
