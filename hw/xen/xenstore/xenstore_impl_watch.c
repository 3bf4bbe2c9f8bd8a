/*
 * XenStore watches: registration per connection (fn, opaque), and event
 * delivery for changed nodes, removed subtrees and the special
 * @introduceDomain / @releaseDomain paths, filtered by permissions.
 *
 * Each path's watches are a list in registration order, the order of
 * delivery.  Besides, every live watch is in s->watch_index, a hash table
 * keyed on (dom_id, wpath, token, fn, opaque): registering and unwatching
 * look a watch up there, whatever the number of watches on its path.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xenstore_watch.h"
#include "trace.h"

static const char *const xs_special_paths[XS_SPECIAL__MAX] = {
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

/* The index key's hash, kept in the watch: computed once per watch. */
static guint xs_watch_key_hash(const XsWatch *w)
{
    guint h = 5381;

    for (const char *c = w->wpath; *c; c++) {
        h = h * 33 + (unsigned char)*c;
    }
    for (const char *c = w->token; c && *c; c++) {
        h = h * 33 + (unsigned char)*c;
    }
    h ^= (guint)(((uintptr_t)w->fn ^ (uintptr_t)w->opaque) >> 3);
    h = (h ^ w->dom_id) * 0x9e3779b1u;
    return h ^ (h >> 16);
}

static bool xs_watch_same(const XsWatch *x, const XsWatch *y)
{
    if (x->dom_id != y->dom_id || x->fn != y->fn ||
        x->opaque != y->opaque || strcmp(x->wpath, y->wpath)) {
        return false;
    }
    return x->token && y->token ? !strcmp(x->token, y->token)
                                : x->token == y->token;
}

static XsWatch **xs_watch_bucket(XsWatches *s, guint hash)
{
    return &s->watch_index.buckets[hash & s->watch_index.mask];
}

/* Fill in what identifies a watch, for xs_watch_lookup(). */
static void xs_watch_key(XsWatch *key, unsigned int dom_id, char *wpath,
                         const char *token, xs_impl_watch_fn *fn,
                         void *opaque)
{
    key->dom_id = dom_id;
    key->wpath = wpath;
    key->token = (char *)token;
    key->fn = fn;
    key->opaque = opaque;
}

/*
 * The live watch with key's dom_id, wpath, token, fn and opaque (the other
 * fields of key do not matter), or NULL; sets key->hash.
 */
static XsWatch *xs_watch_lookup(XsWatches *s, XsWatch *key)
{
    key->hash = xs_watch_key_hash(key);
    if (!s->watch_index.buckets) {
        return NULL;
    }
    for (XsWatch *w = *xs_watch_bucket(s, key->hash); w; w = w->next_hashed) {
        if (w->hash == key->hash && xs_watch_same(w, key)) {
            return w;
        }
    }
    return NULL;
}

/* Add w to the index, first doubling it when it has a watch per bucket. */
static void xs_watch_index_add(XsWatches *s, XsWatch *w)
{
    XsWatchIndex *x = &s->watch_index;
    XsWatch **bucket;

    if (!x->buckets || x->count > x->mask) {
        XsWatch **old = x->buckets;
        guint old_size = old ? x->mask + 1 : 0;

        x->mask = old ? 2 * x->mask + 1 : 15;
        x->buckets = g_new0(XsWatch *, x->mask + 1);
        for (guint i = 0; i < old_size; i++) {
            while (old[i]) {
                XsWatch *m = old[i];

                old[i] = m->next_hashed;
                bucket = xs_watch_bucket(s, m->hash);
                m->next_hashed = *bucket;
                *bucket = m;
            }
        }
        g_free(old);
    }
    bucket = xs_watch_bucket(s, w->hash);
    w->next_hashed = *bucket;
    *bucket = w;
    x->count++;
}

static void xs_watch_index_remove(XsWatches *s, XsWatch *w)
{
    XsWatch **p = xs_watch_bucket(s, w->hash);

    while (*p != w) {
        p = &(*p)->next_hashed;
    }
    *p = w->next_hashed;
    s->watch_index.count--;
}

/* A registered watch like t (hash included): one block with its strings. */
static XsWatch *xs_watch_copy(const XsWatch *t)
{
    size_t plen = strlen(t->wpath) + 1;
    size_t tlen = t->token ? strlen(t->token) + 1 : 0;
    XsWatch *w = g_malloc(sizeof(*w) + plen + tlen);

    *w = *t;
    w->wpath = memcpy(w->strings, t->wpath, plen);
    w->token = t->token ? memcpy(w->strings + plen, t->token, tlen) : NULL;
    w->wpath_depth = xs_path_depth(w->wpath);
    w->dead = false;
    return w;
}

/* Add w at the end of its path's list, and to the index. */
static void xs_watch_insert(XsWatches *s, XsWatch *w)
{
    GPtrArray *list = g_hash_table_lookup(s->watches, w->wpath);

    if (!list) {
        list = g_ptr_array_new();
        g_hash_table_insert(s->watches, g_strdup(w->wpath), list);
    }
    g_ptr_array_add(list, w);
    w->list = list;
    xs_watch_index_add(s, w);
    xs_domain(s->access, w->dom_id, true)->nr_watches++;
    s->nr_watches++;
}

static void xs_watch_free(XsWatch *w)
{
    g_free(w);
}

static inline void xs_watch_deliver(XsWatch *w, const char *path)
{
    trace_xenstore_impl_watch_event(w->dom_id, path, w->token);
    w->fn(w->opaque, path + w->rel_off, w->token);
}

/* Drop watches that were unwatched while events were being delivered. */
static void xs_watch_purge_dead(XsWatches *s)
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

static void xs_watch_end_firing(XsWatches *s)
{
    if (--s->firing == 0 && s->have_dead_watches) {
        xs_watch_purge_dead(s);
    }
}

static bool xs_watch_may_see(XsWatches *s, XsWatch *w,
                             const XsPerms *perms)
{
    return !perms ||
           (xs_perm_for(s->access, perms, w->dom_id) & XS_PERM_READ);
}

/*
 * Deliver path to every live watch in list that its depth and perms (who
 * may read the node; NULL: everyone) allow.  This is the inner loop of
 * every write that fires watches, so the common cases come first: the
 * watcher owns the node, or may see it by the general rule.  The list may
 * grow while callbacks run, so its length is read again each time.
 */
static void xs_watch_fire_list(XsWatches *s, GPtrArray *list,
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
            !(xs_perm_for(s->access, perms, w->dom_id) & XS_PERM_READ)) {
            continue;
        }
        xs_watch_deliver(w, path);
    }
}

/*
 * A change to path: every watch on path or one of its ancestors sees it.
 * perms decides who may: those who can read it (NULL: everyone).
 */
static void xs_watch_fire_ancestors(XsWatches *s, const char *path,
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

void xs_watch_fire(XsWatches *s, const char *path,
                   const XsPerms *perms)
{
    if (s->nr_watches) {
        xs_watch_fire_ancestors(s, path, perms);
    }
}

void xs_watch_fire_rm(XsWatches *s, const char *path,
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

void xs_watch_fire_special(XsWatches *s, XsSpecialPath which,
                           const XsPerms *perms)
{
    GPtrArray *list;

    if (!s->nr_watches) {
        return;
    }
    list = g_hash_table_lookup(s->watches, xs_special_paths[which]);
    if (list) {
        s->firing++;
        xs_watch_fire_list(s, list, xs_special_paths[which], 0, perms);
        xs_watch_end_firing(s);
    }
}

static int xs_watch_resolve(XsWatches *s, unsigned int dom_id,
                            const char *path, XsPath *p)
{
    /* The node path rules; '@' names are allowed here. */
    return xs_path_resolve(s->access, dom_id, path, true, p);
}

int xs_watch_add(XsWatches *s, unsigned int dom_id, const char *path,
                 const char *token, int depth, xs_impl_watch_fn fn,
                 void *opaque)
{
    XsWatch key = { 0 }, *w;
    XsDomain *d;
    XsPath p;
    int err;

    err = xs_watch_resolve(s, dom_id, path, &p);
    if (err) {
        return err;
    }
    trace_xenstore_impl_watch(dom_id, p.buf, token, depth);
    xs_watch_key(&key, dom_id, p.buf, token, fn, opaque);
    if (xs_watch_lookup(s, &key)) {
        return EEXIST;
    }
    d = xs_domain(s->access, dom_id, true);
    if (!d->privileged &&
        d->nr_watches >= xs_quota(s->access, dom_id, XS_QUOTA_WATCHES)) {
        return E2BIG;
    }
    key.depth = depth < 0 ? -1 : depth;
    key.rel_off = p.rel_off;
    w = xs_watch_copy(&key);
    xs_watch_insert(s, w);

    /* A new watch fires once at once, with the path as it was given. */
    s->firing++;
    xs_watch_deliver(w, p.buf);
    xs_watch_end_firing(s);
    return 0;
}

/* Take w out of list (index i) and free it, or mark it while firing. */
static void xs_watch_remove(XsWatches *s, GPtrArray *list, guint i)
{
    XsWatch *w = g_ptr_array_index(list, i);
    XsDomain *d = xs_domain(s->access, w->dom_id, false);

    if (d) {
        d->nr_watches--;
    }
    s->nr_watches--;
    xs_watch_index_remove(s, w);
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

int xs_watch_del(XsWatches *s, unsigned int dom_id, const char *path,
                 const char *token, xs_impl_watch_fn fn, void *opaque)
{
    XsWatch key = { 0 }, *w;
    GPtrArray *list;
    XsPath p;
    guint i;
    int err;

    err = xs_watch_resolve(s, dom_id, path, &p);
    if (err) {
        return err;
    }
    trace_xenstore_impl_unwatch(dom_id, p.buf, token);
    xs_watch_key(&key, dom_id, p.buf, token, fn, opaque);
    w = xs_watch_lookup(s, &key);
    if (!w) {
        return ENOENT;
    }
    /* Indexed watches are in their list: no bound check needed. */
    list = w->list;
    i = 0;
    while (g_ptr_array_index(list, i) != w) {
        i++;
    }
    xs_watch_remove(s, list, i);
    return 0;
}

/* Remove every watch for which match() holds. */
static void xs_watch_remove_matching(XsWatches *s,
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

void xs_watch_del_conn(XsWatches *s, unsigned int dom_id,
                       xs_impl_watch_fn fn, void *opaque)
{
    XsWatchOwner o = { .dom_id = dom_id, .fn = fn, .opaque = opaque };

    xs_watch_remove_matching(s, xs_watch_owned_by, &o);
}

void xs_watch_drop_domain(XsWatches *s, unsigned int dom_id)
{
    XsWatchOwner o = { .dom_id = dom_id, .any_conn = true };

    xs_watch_remove_matching(s, xs_watch_owned_by, &o);
}

/* Rebuild the per-domain watch counts (after the domain table changed). */
void xs_watch_recount(XsWatches *s)
{
    GHashTableIter iter;
    gpointer value;

    s->nr_watches = 0;
    g_hash_table_iter_init(&iter, s->watches);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        GPtrArray *list = value;

        for (guint i = 0; i < list->len; i++) {
            XsWatch *w = g_ptr_array_index(list, i);

            xs_domain(s->access, w->dom_id, true)->nr_watches++;
            s->nr_watches++;
        }
    }
}

/* Every watch fires once with its own path. */
void xs_watch_fire_all(XsWatches *s)
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

/*
 * Add a watch read from a saved stream, without the first event.  w, with
 * its own wpath and token blocks, is freed: the store keeps a copy.
 */
void xs_watch_restore(XsWatches *s, XsWatch *w, xs_impl_watch_fn fn,
                      void *opaque)
{
    w->fn = fn;
    w->opaque = opaque;
    if (!xs_watch_lookup(s, w)) {
        xs_watch_insert(s, xs_watch_copy(w));
    }
    g_free(w->wpath);
    g_free(w->token);
    g_free(w);
}

static bool xs_watch_any(XsWatch *w, void *opaque)
{
    return true;
}

void xs_watch_init(XsWatches *s, XsAccess *access)
{
    memset(s, 0, sizeof(*s));
    s->watches = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       NULL);
    s->access = access;
}

void xs_watch_free_all(XsWatches *s)
{
    g_assert(!s->firing);
    xs_watch_remove_matching(s, xs_watch_any, NULL);
    g_free(s->watch_index.buckets);
    s->watch_index = (XsWatchIndex) { 0 };
}
