/*
 * Snapshots: every change to a committed node keeps the node's previous
 * state as a version when an open snapshot may still look at it, removed
 * nodes that a snapshot still sees stay as tombstones, and both go as
 * soon as no open snapshot needs them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xenstore_snap.h"
#include "trace.h"

/*
 * A state that began at generation from is needed while an open
 * transaction started at or after from (and before the change that ends
 * the state, which is always true of transactions open at that change).
 * Transactions are kept in start order, so asking the newest suffices.
 */
static inline bool xs_snap_needed(XsSnap *sn, uint64_t from)
{
    return sn->newest && sn->newest->start >= from;
}

static size_t xs_version_bytes(const XsNodeVersion *v)
{
    return sizeof(*v) + v->value_len;
}

/* ---- holders and the memory they keep ---- */

/* What all of a domain's holders together may keep. */
size_t xs_snap_budget(XsAccess *a, unsigned int dom_id)
{
    return (size_t)2 * xs_quota(a, dom_id, XS_QUOTA_TX_NODES) *
           xs_quota(a, dom_id, XS_QUOTA_NODE_SIZE);
}

/* Count bytes against the holder and its domain. */
void xs_snap_charge(XsSnapHolder *h, ssize_t bytes)
{
    h->bytes += bytes;
    h->dom->tx_bytes += bytes;
}

static void xs_version_attach(XsSnap *sn, XsNodeVersion *v, XsSnapHolder *h)
{
    v->holder = h;
    v->tx_prev = NULL;
    v->tx_next = h->versions;
    if (h->versions) {
        h->versions->tx_prev = v;
    }
    h->versions = v;
    xs_snap_charge(h, xs_version_bytes(v));
    /*
     * Others' changes made its snapshot outgrow the budget: its owner
     * deals with it at the end of the current call, never in the middle
     * of a change.  (Its own requests are refused before they get here.)
     */
    if (!h->dom->privileged &&
        h->dom->tx_bytes > xs_snap_budget(sn->access, h->dom->domid)) {
        g_ptr_array_add(sn->over, h);
    }
}

static void xs_version_detach(XsNodeVersion *v)
{
    XsSnapHolder *h = v->holder;

    if (v->tx_prev) {
        v->tx_prev->tx_next = v->tx_next;
    } else {
        h->versions = v->tx_next;
    }
    if (v->tx_next) {
        v->tx_next->tx_prev = v->tx_prev;
    }
    v->holder = NULL;
    xs_snap_charge(h, -(ssize_t)xs_version_bytes(v));
}

/* Keep n's current state (begun at from) for the open snapshots. */
void xs_snap_keep(XsSnap *sn, XsNode *n, uint64_t from,
                  uint64_t to)
{
    uint32_t len = n->dead ? 0 : n->value_len;
    XsNodeVersion *v = g_malloc(sizeof(*v) + len);

    v->from = from;
    v->to = to;
    v->cgen = n->cgen;
    v->perms = n->dead ? NULL : xs_perms_ref(n->perms);
    v->children_bytes = n->children_bytes;
    v->value_len = len;
    if (len) {
        memcpy(v->value, n->value, len);
    }
    v->node = n;
    v->newer = NULL;
    v->older = n->old;
    if (n->old) {
        n->old->newer = v;
    }
    n->old = v;
    trace_xenstore_snap_keep(from, to, sn->newest->start);
    xs_version_attach(sn, v, sn->newest);
}

/* ---- tombstones ---- */

static XsNode *xs_dead_find(XsSnap *sn, XsNode *parent,
                            const char *name, size_t len)
{
    XsNode *root;

    if (!g_hash_table_size(sn->dead_parent)) {
        return NULL;
    }
    root = g_hash_table_lookup(sn->dead_kids, parent);
    return root ? xs_avl_find(root, name, len) : NULL;
}

static void xs_dead_insert(XsSnap *sn, XsNode *parent, XsNode *n)
{
    XsNode *root = g_hash_table_lookup(sn->dead_kids, parent);

    g_hash_table_insert(sn->dead_kids, parent, xs_avl_insert(root, n));
    g_hash_table_insert(sn->dead_parent, n, parent);
}

static void xs_dead_remove(XsSnap *sn, XsNode *parent, XsNode *n)
{
    XsNode *root = g_hash_table_lookup(sn->dead_kids, parent);

    root = xs_avl_remove(root, n);
    if (root) {
        g_hash_table_insert(sn->dead_kids, parent, root);
    } else {
        g_hash_table_remove(sn->dead_kids, parent);
    }
    g_hash_table_remove(sn->dead_parent, n);
}

static void xs_version_free(XsNodeVersion *v)
{
    XsNode *n = v->node;

    if (v->newer) {
        v->newer->older = v->older;
    } else {
        n->old = v->older;
    }
    if (v->older) {
        v->older->newer = v->newer;
    }
    if (v->perms) {
        xs_perms_unref(v->perms);
    }
    g_free(v);
}

static void xs_snap_free_cb(XsNode *n, void *opaque)
{
    xs_snap_free_tree(opaque, n);
}

/*
 * Free a detached subtree with its versions and dead children, giving
 * back each live node to its owner's count.
 */
void xs_snap_free_tree(XsSnap *sn, XsNode *n)
{
    XsNode *dead;

    xs_avl_foreach(n->children, xs_snap_free_cb, sn);
    if (g_hash_table_size(sn->dead_kids) &&
        (dead = g_hash_table_lookup(sn->dead_kids, n))) {
        g_hash_table_remove(sn->dead_kids, n);
        xs_avl_foreach(dead, xs_snap_free_cb, sn);
    }
    while (n->old) {
        if (n->old->holder) {
            xs_version_detach(n->old);
        }
        xs_version_free(n->old);
    }
    if (n->dead) {
        g_hash_table_remove(sn->dead_parent, n);
    } else {
        xs_account_node(sn->access, n->perms, -1);
    }
    xs_node_free(n);
}

/*
 * A tombstone no snapshot sees any more goes, with whatever is below it
 * (nothing below can be seen either); a dead parent left with nothing
 * goes too.
 */
static void xs_dead_reap(XsSnap *sn, XsNode *n)
{
    while (n && n->dead && !n->old) {
        XsNode *parent = g_hash_table_lookup(sn->dead_parent, n);

        xs_dead_remove(sn, parent, n);
        xs_snap_free_tree(sn, n);
        n = parent;
    }
}

/* A new snapshot, at the current generation, newest of the open ones. */
void xs_snap_hold(XsSnap *sn, XsSnapHolder *h, XsDomain *dom)
{
    memset(h, 0, sizeof(*h));
    h->start = sn->gen;
    h->dom = dom;
    h->open = true;
    h->older = sn->newest;
    if (sn->newest) {
        sn->newest->newer = h;
    } else {
        sn->oldest = h;
    }
    sn->newest = h;
}

/*
 * A snapshot is no longer kept: each version it holds passes to the next
 * older open one if that one needs it, else it is freed.
 */
void xs_snap_unhold(XsSnap *sn, XsSnapHolder *h)
{
    XsSnapHolder *pred = h->older;
    XsNodeVersion *v;

    if (!h->open) {
        return;
    }
    if (h->newer) {
        h->newer->older = h->older;
    } else {
        sn->newest = h->older;
    }
    if (h->older) {
        h->older->newer = h->newer;
    } else {
        sn->oldest = h->newer;
    }
    h->older = h->newer = NULL;
    h->open = false;
    while (g_ptr_array_remove_fast(sn->over, h)) {
        /* it may have been queued more than once */
    }
    while ((v = h->versions)) {
        XsNode *n = v->node;

        xs_version_detach(v);
        if (pred && pred->start >= v->from) {
            xs_version_attach(sn, v, pred);
            continue;
        }
        xs_version_free(v);
        if (n->dead && !n->old) {
            xs_dead_reap(sn, n);
        }
    }
}

void xs_snap_init(XsSnap *sn, XsAccess *access)
{
    memset(sn, 0, sizeof(*sn));
    sn->access = access;
    sn->over = g_ptr_array_new();
    sn->dead_kids = g_hash_table_new(NULL, NULL);
    sn->dead_parent = g_hash_table_new(NULL, NULL);
}

/* With every holder gone there are no versions nor tombstones left. */
void xs_snap_destroy(XsSnap *sn)
{
    g_assert(!sn->oldest);
    g_ptr_array_free(sn->over, true);
    g_hash_table_destroy(sn->dead_kids);
    g_hash_table_destroy(sn->dead_parent);
}

/* ---- the changes ---- */

static void xs_node_drop_cb(XsNode *n, void *opaque)
{
    xs_node_drop_tree(opaque, n);
}

/*
 * Free a detached live subtree no snapshot sees (none is open), giving
 * back each node to its owner's count.
 */
void xs_node_drop_tree(XsAccess *a, XsNode *n)
{
    xs_avl_foreach(n->children, xs_node_drop_cb, a);
    xs_account_node(a, n->perms, -1);
    xs_node_free(n);
}

/*
 * A removed node leaves the live tree at generation d: it and each node
 * below that an open snapshot can still see become tombstones, the rest
 * is freed.  Returns whether n was kept.
 */
static bool xs_node_kill(XsSnap *sn, XsNode *n, uint64_t d)
{
    uint64_t from = n->gen;
    XsNode *kids;

    if (!xs_snap_needed(sn, from) && !n->old) {
        xs_snap_free_tree(sn, n);
        return false;
    }
    n->gen = d;
    if (xs_snap_needed(sn, from)) {
        xs_snap_keep(sn, n, from, d);
    }
    xs_account_node(sn->access, n->perms, -1);
    n->dead = true;
    kids = n->children;
    n->children = NULL;
    n->children_bytes = 0;
    while (kids) {
        XsNode *k = kids;

        kids = xs_avl_remove(kids, k);
        if (xs_node_kill(sn, k, d)) {
            xs_dead_insert(sn, n, k);
        }
    }
    return true;
}

void xs_node_destroy(XsSnap *sn, XsNode *parent, XsNode *n)
{
    xs_node_begin_change(sn, parent);
    xs_node_unlink_child(parent, n);
    /* With no transaction open there are no versions nor tombstones. */
    if (likely(!sn->newest)) {
        xs_node_drop_tree(sn->access, n);
    } else if (xs_node_kill(sn, n, parent->gen)) {
        xs_dead_insert(sn, parent, n);
    }
}

/* Create parent/name (taking the perms reference), or revive its tombstone */
XsNode *xs_node_create(XsSnap *sn, XsNode *parent,
                       const char *name, size_t len, XsPerms *perms,
                       const uint8_t *value, uint32_t value_len)
{
    XsNode *n = sn->newest ? xs_dead_find(sn, parent, name, len) : NULL;

    xs_node_begin_change(sn, parent);
    if (n) {
        xs_dead_remove(sn, parent, n);
        xs_node_begin_change(sn, n);
        n->dead = false;
        xs_perms_unref(n->perms);
        n->perms = perms;
        n->cgen = n->gen;
        n->children_bytes = 0;
        xs_node_set_value(n, value, value_len);
    } else {
        n = xs_node_new(name, len, perms, value, value_len, ++sn->gen);
    }
    xs_node_link_child(parent, n);
    xs_account_node(sn->access, n->perms, 1);
    return n;
}

void xs_node_write(XsSnap *sn, XsNode *n, const uint8_t *value,
                   uint32_t len)
{
    xs_node_begin_change(sn, n);
    n->cgen = n->gen;
    xs_node_set_value(n, value, len);
}

/* New permissions (taking the reference): a change even when equal. */
void xs_node_chmod(XsSnap *sn, XsNode *n, XsPerms *perms)
{
    xs_node_begin_change(sn, n);
    n->cgen = n->gen;
    if (xs_perms_equal(perms, n->perms)) {
        xs_perms_unref(perms);
        return;
    }
    /* The node's count moves with its owner. */
    if (n->perms->e[0].domid != perms->e[0].domid) {
        xs_account_node(sn->access, n->perms, -1);
        xs_account_node(sn->access, perms, 1);
    }
    xs_node_set_perms(n, perms);
}

/* ---- what a snapshot taken at generation at sees ---- */

bool xs_node_state_at(const XsNode *n, uint64_t at, XsNodeState *st)
{
    const XsNodeVersion *v;

    if (likely(n->gen <= at)) {
        if (n->dead) {
            return false;
        }
        st->perms = n->perms;
        st->value = n->value;
        st->value_len = n->value_len;
        st->children_bytes = n->children_bytes;
        st->gen = n->gen;
        st->cgen = n->cgen;
        return true;
    }
    /* Newest first: the first version begun by then is the one. */
    for (v = n->old; v; v = v->older) {
        if (v->from <= at) {
            if (!v->perms || at >= v->to) {
                return false;
            }
            st->perms = v->perms;
            st->value = v->value;
            st->value_len = v->value_len;
            st->children_bytes = v->children_bytes;
            st->gen = v->from;
            st->cgen = v->cgen;
            return true;
        }
    }
    return false;
}

bool xs_node_visible_at(const XsNode *n, uint64_t at)
{
    XsNodeState st;

    return xs_node_state_at(n, at, &st);
}

/* xs_snap_child() past its fast path; live: the live child, if any. */
XsNode *xs_snap_child_slow(XsSnap *sn, XsNode *n, const char *name,
                           size_t len, uint64_t at, XsNode *live)
{
    XsNode *c = live ? live : xs_dead_find(sn, n, name, len);

    return c && xs_node_visible_at(c, at) ? c : NULL;
}

typedef struct XsSnapWalk {
    uint64_t at;
    GPtrArray *names;
} XsSnapWalk;

static void xs_snap_collect(XsNode *n, void *opaque)
{
    XsSnapWalk *w = opaque;

    if (xs_node_visible_at(n, w->at)) {
        g_ptr_array_add(w->names, n->name);
    }
}

/*
 * The children of n as the snapshot at generation at sees them, in
 * order: live and dead ones merged.  false when fn asked to stop.
 */
bool xs_snap_foreach_child(XsSnap *sn, XsNode *n, uint64_t at,
                           xs_impl_dir_fn *fn, void *opaque)
{
    g_autoptr(GPtrArray) live = g_ptr_array_new();
    g_autoptr(GPtrArray) dead = g_ptr_array_new();
    XsSnapWalk w = { .at = at, .names = live };
    guint i = 0, j = 0;

    xs_avl_foreach(n->children, xs_snap_collect, &w);
    if (g_hash_table_size(sn->dead_kids)) {
        w.names = dead;
        xs_avl_foreach(g_hash_table_lookup(sn->dead_kids, n),
                       xs_snap_collect, &w);
    }
    while (i < live->len || j < dead->len) {
        const char *a = i < live->len ? live->pdata[i] : NULL;
        const char *b = j < dead->len ? dead->pdata[j] : NULL;
        const char *next;

        if (!b || (a && strcmp(a, b) < 0)) {
            next = a;
            i++;
        } else {
            next = b;
            j++;
        }
        if (!fn(opaque, next)) {
            return false;
        }
    }
    return true;
}
