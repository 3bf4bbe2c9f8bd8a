/*
 * XenStore watches: registration per connection (fn, opaque), and event
 * delivery for changed nodes, removed subtrees and the special
 * @introduceDomain / @releaseDomain paths, filtered by permissions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xenstore_impl_int.h"
#include "trace.h"

static const char *const xs_special_paths[2] = {
    XS_INTRODUCE_DOMAIN_PATH, XS_RELEASE_DOMAIN_PATH,
};

static unsigned int xs_path_depth(const char *path)
{
    unsigned int n = 0;

    if (path[0] != '/' || !path[1]) {
        return 0;
    }
    for (; *path; path++) {
        n += (*path == '/');
    }
    return n;
}

static void xs_watch_free(XsWatch *w)
{
    g_free(w->wpath);
    g_free(w->token);
    g_free(w);
}

static inline void xs_watch_deliver(XsWatch *w, const char *path)
{
    trace_xenstore_impl_watch_event(w->dom_id, path, w->token);
    w->fn(w->opaque, path + w->rel_off, w->token);
}

/* Drop watches that were unwatched while events were being delivered. */
static void xs_watch_purge_dead(XenstoreImplState *s)
{
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init(&iter, s->watches);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        GPtrArray *list = value;

        for (guint i = 0; i < list->len;) {
            XsWatch *w = g_ptr_array_index(list, i);

            if (w->dead) {
                g_ptr_array_remove_index(list, i);
                xs_watch_free(w);
            } else {
                i++;
            }
        }
        if (!list->len) {
            g_hash_table_iter_remove(&iter);
            g_ptr_array_free(list, true);
        }
    }
    s->have_dead_watches = false;
}

static void xs_watch_end_firing(XenstoreImplState *s)
{
    if (--s->firing == 0 && s->have_dead_watches) {
        xs_watch_purge_dead(s);
    }
}

static bool xs_watch_may_see(XenstoreImplState *s, XsWatch *w,
                             const XsPerms *perms)
{
    return !perms || (xs_perm_for(s, perms, w->dom_id) & XS_PERM_READ);
}

/*
 * Deliver path to every live watch in list that its depth and perms (who
 * may read the node; NULL: everyone) allow.  This is the inner loop of
 * every write that fires watches, so the common cases come first: the
 * watcher owns the node, or may see it by the general rule.  The list may
 * grow while callbacks run, so its length is read again each time.
 */
static void xs_watch_fire_list(XenstoreImplState *s, GPtrArray *list,
                               const char *path, unsigned int path_depth,
                               const XsPerms *perms)
{
    for (guint i = 0; i < list->len; i++) {
        XsWatch *w = g_ptr_array_index(list, i);

        if (unlikely(w->dead) ||
            (w->depth >= 0 &&
             path_depth - w->wpath_depth > (unsigned int)w->depth)) {
            continue;
        }
        if (perms && w->dom_id != perms->e[0].domid &&
            !(xs_perm_for(s, perms, w->dom_id) & XS_PERM_READ)) {
            continue;
        }
        xs_watch_deliver(w, path);
    }
}

/*
 * A change to path: every watch on path or one of its ancestors sees it.
 * perms decides who may: those who can read it (NULL: everyone).
 */
static void xs_watch_fire_ancestors(XenstoreImplState *s, const char *path,
                                    const XsPerms *perms)
{
    char buf[XS_PATH_BUF];
    size_t len = strlen(path);
    unsigned int depth = xs_path_depth(path);
    GPtrArray *list;

    memcpy(buf, path, len + 1);
    s->firing++;
    list = g_hash_table_lookup(s->watches, "/");
    if (list) {
        xs_watch_fire_list(s, list, path, depth, perms);
    }
    /* Then each longer prefix ("/" itself has none). */
    for (size_t i = 1; len > 1 && i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0') {
            continue;
        }
        buf[i] = '\0';
        list = g_hash_table_lookup(s->watches, buf);
        buf[i] = path[i];
        if (list) {
            xs_watch_fire_list(s, list, path, depth, perms);
        }
    }
    xs_watch_end_firing(s);
}

void xs_watch_fire(XenstoreImplState *s, const char *path,
                   const XsPerms *perms)
{
    if (s->nr_watches) {
        xs_watch_fire_ancestors(s, path, perms);
    }
}

void xs_watch_fire_rm(XenstoreImplState *s, const char *path,
                      const XsPerms *parent_perms)
{
    GHashTableIter iter;
    gpointer key, value;
    size_t len = strlen(path);
    GPtrArray *inside = NULL;

    if (!s->nr_watches) {
        return;
    }
    xs_watch_fire_ancestors(s, path, parent_perms);

    /* Watches set inside the removed subtree see their own path. */
    s->firing++;
    g_hash_table_iter_init(&iter, s->watches);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        const char *wpath = key;

        if (!strncmp(wpath, path, len) && wpath[len] == '/') {
            if (!inside) {
                inside = g_ptr_array_new();
            }
            g_ptr_array_add(inside, value);
        }
    }
    /* Collected first: delivery may not change the table under iter. */
    for (guint i = 0; inside && i < inside->len; i++) {
        GPtrArray *list = g_ptr_array_index(inside, i);

        for (guint j = 0; j < list->len; j++) {
            XsWatch *w = g_ptr_array_index(list, j);

            if (!w->dead && xs_watch_may_see(s, w, parent_perms)) {
                xs_watch_deliver(w, w->wpath);
            }
        }
    }
    if (inside) {
        g_ptr_array_free(inside, true);
    }
    xs_watch_end_firing(s);
}

void xs_watch_fire_special(XenstoreImplState *s, int which)
{
    GPtrArray *list;

    if (!s->nr_watches) {
        return;
    }
    list = g_hash_table_lookup(s->watches, xs_special_paths[which]);
    if (list) {
        s->firing++;
        xs_watch_fire_list(s, list, xs_special_paths[which], 0,
                           s->special_perms[which]);
        xs_watch_end_firing(s);
    }
}

static XsWatch *xs_watch_find(GPtrArray *list, unsigned int dom_id,
                              const char *token, xs_impl_watch_fn fn,
                              void *opaque, guint *index)
{
    for (guint i = 0; list && i < list->len; i++) {
        XsWatch *w = g_ptr_array_index(list, i);

        if (!w->dead && w->dom_id == dom_id && w->fn == fn &&
            w->opaque == opaque && !g_strcmp0(w->token, token)) {
            if (index) {
                *index = i;
            }
            return w;
        }
    }
    return NULL;
}

static int xs_watch_resolve(XenstoreImplState *s, unsigned int dom_id,
                            const char *path, XsPath *p)
{
    /* The node path rules; '@' names are allowed here. */
    return xs_path_resolve(s, dom_id, path, true, p);
}

int xs_impl_watch_depth(XenstoreImplState *s, unsigned int dom_id,
                        const char *path, const char *token, int depth,
                        xs_impl_watch_fn fn, void *opaque)
{
    XsDomain *d;
    XsWatch *w;
    GPtrArray *list;
    XsPath p;
    int err;

    err = xs_watch_resolve(s, dom_id, path, &p);
    if (err) {
        return err;
    }
    trace_xenstore_impl_watch(dom_id, p.buf, token, depth);
    list = g_hash_table_lookup(s->watches, p.buf);
    if (xs_watch_find(list, dom_id, token, fn, opaque, NULL)) {
        return EEXIST;
    }
    d = xs_domain(s, dom_id, true);
    if (!d->privileged &&
        d->nr_watches >= xs_quota(s, dom_id, XS_QUOTA_WATCHES)) {
        return E2BIG;
    }
    w = g_new0(XsWatch, 1);
    w->wpath = g_strdup(p.buf);
    w->token = g_strdup(token);
    w->dom_id = dom_id;
    w->depth = depth < 0 ? -1 : depth;
    w->wpath_depth = xs_path_depth(p.buf);
    w->rel_off = p.rel_off;
    w->fn = fn;
    w->opaque = opaque;
    if (!list) {
        list = g_ptr_array_new();
        g_hash_table_insert(s->watches, g_strdup(w->wpath), list);
    }
    g_ptr_array_add(list, w);
    d->nr_watches++;
    s->nr_watches++;

    /* A new watch fires once at once, with the path as it was given. */
    s->firing++;
    xs_watch_deliver(w, p.buf);
    xs_watch_end_firing(s);
    return 0;
}

int xs_impl_watch(XenstoreImplState *s, unsigned int dom_id,
                  const char *path, const char *token,
                  xs_impl_watch_fn fn, void *opaque)
{
    return xs_impl_watch_depth(s, dom_id, path, token, -1, fn, opaque);
}

/* Take w out of list (index i) and free it, or mark it while firing. */
static void xs_watch_remove(XenstoreImplState *s, GPtrArray *list, guint i)
{
    XsWatch *w = g_ptr_array_index(list, i);
    XsDomain *d = xs_domain(s, w->dom_id, false);

    if (d) {
        d->nr_watches--;
    }
    s->nr_watches--;
    if (s->firing) {
        w->dead = true;
        s->have_dead_watches = true;
        return;
    }
    g_ptr_array_remove_index(list, i);
    if (!list->len) {
        g_hash_table_remove(s->watches, w->wpath);
        g_ptr_array_free(list, true);
    }
    xs_watch_free(w);
}

int xs_impl_unwatch(XenstoreImplState *s, unsigned int dom_id,
                    const char *path, const char *token,
                    xs_impl_watch_fn fn, void *opaque)
{
    GPtrArray *list;
    XsPath p;
    guint i;
    int err;

    err = xs_watch_resolve(s, dom_id, path, &p);
    if (err) {
        return err;
    }
    trace_xenstore_impl_unwatch(dom_id, p.buf, token);
    list = g_hash_table_lookup(s->watches, p.buf);
    if (!xs_watch_find(list, dom_id, token, fn, opaque, &i)) {
        return ENOENT;
    }
    xs_watch_remove(s, list, i);
    return 0;
}

/* Remove every watch for which match() holds. */
static void xs_watch_remove_matching(XenstoreImplState *s,
                                     bool (*match)(XsWatch *w, void *opaque),
                                     void *opaque)
{
    g_autoptr(GPtrArray) lists = g_ptr_array_new();
    GHashTableIter iter;
    gpointer key, value;

    g_hash_table_iter_init(&iter, s->watches);
    while (g_hash_table_iter_next(&iter, &key, &value)) {
        g_ptr_array_add(lists, value);
    }
    for (guint l = 0; l < lists->len; l++) {
        GPtrArray *list = g_ptr_array_index(lists, l);

        for (guint i = list->len; i-- > 0;) {
            XsWatch *w = g_ptr_array_index(list, i);

            if (!w->dead && match(w, opaque)) {
                /* May free list when i is its last element. */
                bool last = list->len == 1;

                xs_watch_remove(s, list, i);
                if (last && !s->firing) {
                    break;
                }
            }
        }
    }
}

typedef struct XsWatchOwner {
    unsigned int dom_id;
    xs_impl_watch_fn *fn;
    void *opaque;
    bool any_conn;
} XsWatchOwner;

static bool xs_watch_owned_by(XsWatch *w, void *opaque)
{
    XsWatchOwner *o = opaque;

    return w->dom_id == o->dom_id &&
           (o->any_conn || (w->fn == o->fn && w->opaque == o->opaque));
}

int xs_impl_reset_watches(XenstoreImplState *s, unsigned int dom_id)
{
    XsWatchOwner o = { .dom_id = dom_id, .any_conn = true };

    trace_xenstore_impl_reset_watches(dom_id);
    xs_watch_remove_matching(s, xs_watch_owned_by, &o);
    xs_free_transactions_of(s, dom_id);
    return 0;
}

void xs_impl_unwatch_all(XenstoreImplState *s, unsigned int dom_id,
                         xs_impl_watch_fn fn, void *opaque)
{
    XsWatchOwner o = { .dom_id = dom_id, .fn = fn, .opaque = opaque };

    xs_watch_remove_matching(s, xs_watch_owned_by, &o);
}

void xs_watch_drop_domain(XenstoreImplState *s, unsigned int dom_id)
{
    XsWatchOwner o = { .dom_id = dom_id, .any_conn = true };

    xs_watch_remove_matching(s, xs_watch_owned_by, &o);
}

/* Rebuild the per-domain watch counts (after the domain table changed). */
void xs_watch_recount(XenstoreImplState *s)
{
    GHashTableIter iter;
    gpointer value;

    s->nr_watches = 0;
    g_hash_table_iter_init(&iter, s->watches);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        GPtrArray *list = value;

        for (guint i = 0; i < list->len; i++) {
            XsWatch *w = g_ptr_array_index(list, i);

            xs_domain(s, w->dom_id, true)->nr_watches++;
            s->nr_watches++;
        }
    }
}

/* Every watch fires once with its own path. */
void xs_watch_fire_all(XenstoreImplState *s)
{
    GHashTableIter iter;
    gpointer value;
    g_autoptr(GPtrArray) lists = g_ptr_array_new();

    g_hash_table_iter_init(&iter, s->watches);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        g_ptr_array_add(lists, value);
    }
    s->firing++;
    for (guint l = 0; l < lists->len; l++) {
        GPtrArray *list = g_ptr_array_index(lists, l);

        for (guint i = 0; i < list->len; i++) {
            XsWatch *w = g_ptr_array_index(list, i);

            if (!w->dead) {
                xs_watch_deliver(w, w->wpath);
            }
        }
    }
    xs_watch_end_firing(s);
}

/* Add a watch read from a saved stream, without the first event. */
void xs_watch_restore(XenstoreImplState *s, XsWatch *w, xs_impl_watch_fn fn,
                      void *opaque)
{
    GPtrArray *list = g_hash_table_lookup(s->watches, w->wpath);

    if (xs_watch_find(list, w->dom_id, w->token, fn, opaque, NULL)) {
        xs_watch_free(w);
        return;
    }
    w->fn = fn;
    w->opaque = opaque;
    w->wpath_depth = xs_path_depth(w->wpath);
    if (!list) {
        list = g_ptr_array_new();
        g_hash_table_insert(s->watches, g_strdup(w->wpath), list);
    }
    g_ptr_array_add(list, w);
    xs_domain(s, w->dom_id, true)->nr_watches++;
    s->nr_watches++;
}

static bool xs_watch_any(XsWatch *w, void *opaque)
{
    return true;
}

void xs_watch_free_all(XenstoreImplState *s)
{
    g_assert(!s->firing);
    xs_watch_remove_matching(s, xs_watch_any, NULL);
}
