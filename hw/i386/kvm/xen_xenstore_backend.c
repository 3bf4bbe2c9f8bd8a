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
#include "hw/i386/kvm/xen_xenstore.h"
#include "trace.h"

/* Undelivered events per handle; identical ones coalesce before that. */
#define XS_BE_MAX_PENDING 4096

struct qemu_xs_watch {
    qemu_xs_handle *h;
    char *path;
    xs_watch_fn fn;
    void *opaque;
};

typedef struct XsBeEvent {
    qemu_xs_watch *w;
    char *path;
} XsBeEvent;

struct qemu_xs_handle {
    /*
     * The device, not its store: the store is reached through the device
     * on every call, so that whatever store the device holds (after a
     * load, say) is the one the handle works on.
     */
    XenXenstoreState *dev;
    GList *watches;             /* qemu_xs_watch * */
    GArray *txs;                /* xs_transaction_t it opened */
    GQueue events;              /* XsBeEvent *, in order */
    GHashTable *pending;        /* "watch:path" keys of queued events */
    QEMUBH *bh;
    /* While delivering: set by be_close() from inside a callback. */
    bool *closed;
};

static XenstoreImplState *be_store(qemu_xs_handle *h)
{
    return xen_xenstore_impl(h->dev);
}

static char *event_key(qemu_xs_watch *w, const char *path)
{
    return g_strdup_printf("%p:%s", (void *)w, path);
}

/* Called by the store, maybe inside an operation: only queue. */
static void be_watch_cb(void *opaque, const char *path, const char *token)
{
    qemu_xs_watch *w = opaque;
    qemu_xs_handle *h = w->h;
    char *key = event_key(w, path);
    XsBeEvent *ev;

    if (g_hash_table_contains(h->pending, key) ||
        g_queue_get_length(&h->events) >= XS_BE_MAX_PENDING) {
        trace_xen_xenstore_be_event_dropped(path);
        g_free(key);
        return;
    }
    g_hash_table_add(h->pending, key);
    ev = g_new(XsBeEvent, 1);
    ev->w = w;
    ev->path = g_strdup(path);
    g_queue_push_tail(&h->events, ev);
    qemu_bh_schedule(h->bh);
}

static void be_event_free(XsBeEvent *ev)
{
    g_free(ev->path);
    g_free(ev);
}

static void be_deliver(void *opaque)
{
    qemu_xs_handle *h = opaque;
    bool closed = false;
    XsBeEvent *ev;

    /*
     * A callback may add events, unwatch, or close the handle: take one
     * event at a time, and touch nothing of h once it is closed.
     */
    h->closed = &closed;
    while ((ev = g_queue_pop_head(&h->events))) {
        g_autofree char *key = event_key(ev->w, ev->path);

        g_hash_table_remove(h->pending, key);
        trace_xen_xenstore_be_event(ev->path);
        ev->w->fn(ev->w->opaque, ev->path);
        be_event_free(ev);
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
    g_queue_init(&h->events);
    h->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       NULL);
    h->bh = qemu_bh_new(be_deliver, h);
    return h;
}

static void be_watch_free(qemu_xs_watch *w)
{
    g_free(w->path);
    g_free(w);
}

static void be_drop_events_of(qemu_xs_handle *h, qemu_xs_watch *w)
{
    for (GList *l = h->events.head; l;) {
        GList *next = l->next;
        XsBeEvent *ev = l->data;

        if (!w || ev->w == w) {
            g_autofree char *key = event_key(ev->w, ev->path);

            g_hash_table_remove(h->pending, key);
            g_queue_delete_link(&h->events, l);
            be_event_free(ev);
        }
        l = next;
    }
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
    be_drop_events_of(h, NULL);
    if (h->closed) {
        *h->closed = true;
    }
    g_list_free_full(h->watches, (GDestroyNotify)be_watch_free);
    g_array_free(h->txs, true);
    g_hash_table_destroy(h->pending);
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
    be_drop_events_of(h, w);
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
