/*
 * XenStore transactions: each sees the store as it was when it started
 * (a snapshot: xenstore_impl_snap.c) plus its own changes, kept in a
 * shadow tree; it records which snapshot nodes its answers depended on,
 * and its commit applies the changes only if none of those changed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xenstore_txn.h"
#include "trace.h"

/*
 * A transaction's view of a path: the shadow node where it has one,
 * else the snapshot.  A shadow node is SAME (a path holder), PRESENT
 * (own value and/or permissions over a snapshot node, or all its own
 * content when it created the node: own) or DELETED.  hide_committed
 * marks a node the transaction removed: the snapshot's subtree below it
 * is gone from the view, even if the transaction creates the node again.
 *
 * Dependencies: see docs/devel/xenstore-database.md.  Nodes seen through
 * the snapshot stay allocated while the transaction is open (their state
 * at its start is kept), so the dependency set holds plain pointers.
 */

XsTransaction *xs_tx_lookup(XsDb *db, unsigned int dom_id,
                            xs_transaction_t id)
{
    XsTransaction *tx = g_hash_table_lookup(db->transactions,
                                            GUINT_TO_POINTER(id));

    return tx && tx->dom_id == dom_id ? tx : NULL;
}

/* ---- the dependency set ---- */

static inline XsTxDep *xs_dep_slot(XsTxDeps *d, const XsNode *n)
{
    uint32_t mask = d->cap - 1;
    /* The high half of the product: node addresses share their low bits */
    uint32_t i = (uint32_t)(((uint64_t)(uintptr_t)n *
                             0x9e3779b97f4a7c15ull) >> 32) & mask;

    while (d->slots[i].node && d->slots[i].node != n) {
        i = (i + 1) & mask;
    }
    return &d->slots[i];
}

/* The entry of node, or NULL. */
static inline XsTxDep *xs_dep_find(XsTxDeps *d, const XsNode *n)
{
    XsTxDep *slot;

    if (!d->cap) {
        for (uint32_t i = 0; i < d->n; i++) {
            if (d->few[i].node == n) {
                return &d->few[i];
            }
        }
        return NULL;
    }
    slot = xs_dep_slot(d, n);
    return slot->node ? slot : NULL;
}

unsigned int xs_tx_dep_kind(XsTransaction *tx, XsNode *node)
{
    XsTxDep *dep = xs_dep_find(&tx->deps, node);

    return dep ? dep->kind : 0;
}

/* Bytes the set grows by to take one more entry. */
static size_t xs_deps_growth(const XsTxDeps *d)
{
    if (!d->cap) {
        return d->n < XS_TX_FEW_DEPS ? 0 : 16 * sizeof(XsTxDep);
    }
    return (d->n + 1) * 2 <= d->cap ? 0 : d->cap * sizeof(XsTxDep);
}

static void xs_deps_grow(XsTxDeps *d)
{
    uint32_t count;
    XsTxDep *old = xs_tx_deps_entries(d, &count);

    d->cap = d->cap ? d->cap * 2 : 16;
    d->slots = g_new0(XsTxDep, d->cap);
    for (uint32_t i = 0; i < count; i++) {
        if (old[i].node) {
            *xs_dep_slot(d, old[i].node) = old[i];
        }
    }
    if (old != d->few) {
        g_free(old);
    }
}

/* ---- what a request may still take ---- */

typedef struct XsTxCost {
    unsigned int touched;
    size_t bytes;
} XsTxCost;

static size_t xs_txnode_bytes(size_t name_len)
{
    /* The node, its name, and its slot in the parent's array. */
    return sizeof(XsTxNode) + name_len + 1 + 2 * sizeof(XsTxNode *);
}

/* Shadow nodes a path needs beyond the first have components. */
static void xs_tx_cost_path(XsTransaction *tx, const XsPath *p,
                            unsigned int have, XsTxCost *c)
{
    const char *comp = p->buf + 1;
    unsigned int depth = 0;
    size_t len;

    if (!tx->root) {
        c->bytes += xs_txnode_bytes(0);
    }
    while (*comp) {
        xs_path_next(comp, &len);
        if (++depth > have) {
            c->bytes += xs_txnode_bytes(len);
        }
        comp += len + (comp[len] == '/');
    }
}

/*
 * Within transaction-nodes and the domain's transaction memory?  Only
 * what a request adds is checked (a quota lowered meanwhile does not
 * refuse a request that takes nothing more).
 */
static int xs_tx_afford(XsDb *db, XsTransaction *tx,
                        const XsTxCost *c)
{
    XsAccess *acc = &db->access;
    if (tx->hold.dom->privileged) {
        return 0;
    }
    if (c->touched && tx->nr_touched + c->touched >
                      xs_quota(acc, tx->dom_id, XS_QUOTA_TX_NODES)) {
        return ENOSPC;
    }
    if (c->bytes && tx->hold.dom->tx_bytes + c->bytes >
                    xs_snap_budget(acc, tx->dom_id)) {
        return ENOSPC;
    }
    return 0;
}

/* Insert a node the set does not hold. */
static void xs_dep_insert(XsDb *db, XsTransaction *tx,
                          XsNode *node, unsigned int kind)
{
    XsTxDeps *d = &tx->deps;
    size_t growth = xs_deps_growth(d);
    XsTxDep *dep;

    if (growth) {
        xs_deps_grow(d);
        xs_snap_charge(&tx->hold, growth);
    }
    dep = d->cap ? xs_dep_slot(d, node) : &d->few[d->n];
    dep->node = node;
    dep->kind = kind;
    d->n++;
}

/* Add a dependency (the caller checked the transaction can hold it). */
int xs_tx_dep_add(XsDb *db, XsTransaction *tx, XsNode *node,
                  unsigned int kind)
{
    XsTxDep *dep;

    if (!node) {
        return 0;
    }
    dep = xs_dep_find(&tx->deps, node);
    if (dep) {
        dep->kind |= kind;
    } else {
        xs_dep_insert(db, tx, node, kind);
    }
    return 0;
}

/* A path as the transaction sees it. */
typedef struct XsTxView {
    XsTxNode *shadow;           /* deepest shadow node along the path */
    unsigned int shadow_depth;  /* its depth in components */
    unsigned int depth;         /* components that exist in the view */
    bool exists;                /* the path's node, in the view */
    bool parent_exists;
    /* The node when it exists, else its nearest existing ancestor: */
    XsTxNode *anc_shadow;       /* its shadow node, if any */
    XsNode *anc_node;           /* its snapshot node; NULL: all the tx's */
    XsNode *anc_raw;            /* the snapshot node at its path, if any,
                                   even where the tx removed it */
    XsNodeState anc_st;         /* anc_node's state at the start */
    const XsPerms *anc_perms;   /* its permissions in the view */
    const char *missing;        /* the first missing component */
} XsTxView;

/*
 * transaction-nodes counts paths, each once: a path counts from the first
 * dependency on its snapshot node or the first change there, and its
 * shadow node, if any, is then marked touched.
 */

/*
 * Record the dependency of an answer on the view's node, or its nearest
 * existing ancestor, if the transaction can hold it.
 */
static int xs_tx_depend(XsDb *db, XsTransaction *tx,
                        const XsTxView *v, unsigned int kind)
{
    XsNode *node = v->anc_node;
    XsTxNode *t = v->anc_shadow;
    XsTxDep *dep;
    bool count;

    if (!node) {
        return 0;
    }
    dep = xs_dep_find(&tx->deps, node);
    if (dep) {
        dep->kind |= kind;
        return 0;
    }
    count = !(t && t->touched);
    if (!tx->hold.dom->privileged) {
        XsTxCost c = { .touched = count, .bytes = xs_deps_growth(&tx->deps) };
        int err = xs_tx_afford(db, tx, &c);

        if (err) {
            return err;
        }
    }
    xs_dep_insert(db, tx, node, kind);
    tx->nr_touched += count;
    if (t) {
        t->touched = true;
    }
    return 0;
}

/* ---- the shadow tree ---- */

/* Binary search of a shadow node's children; *pos: where name belongs. */
static XsTxNode *xs_txnode_find(XsTxNode *t, const char *name, size_t len,
                                guint *pos)
{
    guint lo = 0, hi = t->nr_kids;

    while (lo < hi) {
        guint mid = (lo + hi) / 2;
        XsTxNode *c = t->kids[mid];
        int cmp = xs_name_cmp(name, len, c->name);

        if (cmp == 0) {
            return c;
        }
        if (cmp < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    if (pos) {
        *pos = lo;
    }
    return NULL;
}

XsTxNode *xs_txnode_new(const char *name, size_t len)
{
    XsTxNode *t = g_malloc0(sizeof(XsTxNode) + len + 1);

    memcpy(t->name, name, len);
    t->name_len = len;
    t->state = XS_TX_SAME;
    return t;
}

/* Insert a child at pos of the sorted array. */
void xs_txnode_insert(XsTxNode *t, guint pos, XsTxNode *child)
{
    if (t->nr_kids == t->kids_cap) {
        t->kids_cap = t->kids_cap ? t->kids_cap * 2 : 2;
        t->kids = g_renew(XsTxNode *, t->kids, t->kids_cap);
    }
    memmove(&t->kids[pos + 1], &t->kids[pos],
            (t->nr_kids - pos) * sizeof(XsTxNode *));
    t->kids[pos] = child;
    t->nr_kids++;
}

void xs_txnode_free(XsTxNode *t)
{
    for (uint32_t i = 0; i < t->nr_kids; i++) {
        xs_txnode_free(t->kids[i]);
    }
    g_free(t->kids);
    if (t->perms) {
        xs_perms_unref(t->perms);
    }
    g_free(t->value);
    g_free(t);
}

/* The shadow node of the first upto components of p, made as needed. */
static XsTxNode *xs_tx_shadow(XsDb *db, XsTransaction *tx,
                              const XsPath *p, unsigned int upto)
{
    const char *comp = p->buf + 1;
    XsTxNode *t;
    size_t len;

    if (!tx->root) {
        tx->root = xs_txnode_new("", 0);
        xs_snap_charge(&tx->hold, xs_txnode_bytes(0));
    }
    t = tx->root;
    for (unsigned int i = 0; i < upto; i++) {
        XsTxNode *child;
        guint pos;

        xs_path_next(comp, &len);
        child = xs_txnode_find(t, comp, len, &pos);
        if (!child) {
            child = xs_txnode_new(comp, len);
            xs_txnode_insert(t, pos, child);
            xs_snap_charge(&tx->hold, xs_txnode_bytes(len));
        }
        t = child;
        comp += len + (comp[len] == '/');
    }
    return t;
}

static void xs_txnode_set_value(XsDb *db, XsTransaction *tx,
                                XsTxNode *t, const uint8_t *value,
                                uint32_t len)
{
    uint8_t *copy = len ? g_memdup2(value, len) : NULL;

    xs_snap_charge(&tx->hold, (ssize_t)len - (ssize_t)t->value_len);
    g_free(t->value);
    t->value = copy;
    t->value_len = len;
}

static void xs_txnode_set_perms(XsTxNode *t, XsPerms *perms)
{
    xs_perms_ref(perms);
    if (t->perms) {
        xs_perms_unref(t->perms);
    }
    t->perms = perms;
}

/* An existing snapshot node becomes PRESENT, its content still shared. */
static void xs_txnode_make_present(XsTxNode *t)
{
    if (t->state != XS_TX_PRESENT) {
        t->state = XS_TX_PRESENT;
        t->own = t->value_set = t->perms_set = false;
    }
}

/* ---- views ---- */


/* Walk p in the transaction's view; creates nothing. */
static void xs_tx_view(XsDb *db, XsTransaction *tx,
                       const XsPath *p, XsTxView *v)
{
    XsSnap *sn = &db->snap;
    XsTxNode *t = tx->root;
    XsNode *n = db->root, *raw = n;
    const char *comp = p->buf + 1;
    size_t len;

    v->shadow = t;
    v->shadow_depth = 0;
    v->depth = 0;
    v->exists = v->parent_exists = true;
    v->missing = NULL;
    v->anc_shadow = t;
    v->anc_node = v->anc_raw = n;
    /* No change yet: the snapshot alone (every read-only transaction). */
    while (!t && *comp) {
        XsNode *nc;

        xs_path_next(comp, &len);
        nc = xs_snap_child(sn, n, comp, len, tx->hold.start);
        if (!nc) {
            v->exists = false;
            v->parent_exists = !comp[len];
            v->missing = comp;
            break;
        }
        v->depth++;
        n = nc;
        comp += len + (comp[len] == '/');
    }
    if (!t) {
        v->anc_node = v->anc_raw = n;
        comp = "";
    }
    while (*comp) {
        XsNode *base = t && t->hide_committed ? NULL : n;
        XsTxNode *tc = NULL;
        XsNode *nc, *rawc;
        bool here;

        xs_path_next(comp, &len);
        if (t) {
            tc = xs_txnode_find(t, comp, len, NULL);
            if (tc) {
                v->shadow = tc;
                v->shadow_depth = v->depth + 1;
            }
        }
        nc = base ? xs_snap_child(sn, base, comp, len, tx->hold.start) : NULL;
        rawc = raw == base ? nc :
               raw ? xs_snap_child(sn, raw, comp, len, tx->hold.start) : NULL;
        here = tc ? tc->state == XS_TX_PRESENT ||
                    (tc->state == XS_TX_SAME && nc) : nc != NULL;
        if (!here) {
            v->exists = false;
            v->parent_exists = !comp[len];
            v->missing = comp;
            break;
        }
        v->depth++;
        v->anc_shadow = tc;
        v->anc_node = tc && tc->own ? NULL : nc;
        v->anc_raw = rawc;
        t = tc;
        n = nc;
        raw = rawc;
        comp += len + (comp[len] == '/');
    }
    /* The state of the node, or of its nearest existing ancestor. */
    t = v->anc_shadow;
    if (v->anc_node) {
        xs_node_state_at(v->anc_node, tx->hold.start, &v->anc_st);
    }
    if (t && t->state == XS_TX_PRESENT && (t->own || t->perms_set)) {
        v->anc_perms = t->perms;
    } else {
        v->anc_perms = v->anc_st.perms;
    }
}

static const uint8_t *xs_tx_view_value(const XsTxView *v, uint32_t *len)
{
    XsTxNode *t = v->anc_shadow;

    if (t && t->state == XS_TX_PRESENT && (t->own || t->value_set)) {
        *len = t->value_len;
        return t->value;
    }
    *len = v->anc_st.value_len;
    return v->anc_st.value;
}

/* The snapshot node below which the view shows snapshot children. */
static XsNode *xs_tx_view_base(const XsTxView *v)
{
    return v->anc_shadow && v->anc_shadow->hide_committed ?
           NULL : v->anc_node;
}

/* Bytes of child names of the view's node, as the view lists them. */
static uint32_t xs_tx_view_children_bytes(XsDb *db,
                                          XsTransaction *tx,
                                          const XsTxView *v)
{
    XsSnap *sn = &db->snap;
    XsNode *base = xs_tx_view_base(v);
    XsTxNode *t = v->anc_shadow;
    uint32_t bytes = base ? v->anc_st.children_bytes : 0;

    for (uint32_t i = 0; t && i < t->nr_kids; i++) {
        XsTxNode *k = t->kids[i];
        bool in_snap = base && xs_snap_child(sn, base, k->name, k->name_len,
                                             tx->hold.start);
        bool in_view = k->state == XS_TX_PRESENT ||
                       (k->state == XS_TX_SAME && in_snap);

        if (in_view && !in_snap) {
            bytes += k->name_len + 1;
        } else if (!in_view && in_snap) {
            bytes -= k->name_len + 1;
        }
    }
    return bytes;
}

static int xs_tx_check_node_size(XsDb *db, unsigned int dom_id,
                                 const XsPerms *perms, uint32_t value_len,
                                 uint32_t children_bytes)
{
    XsAccess *acc = &db->access;
    if (!xs_is_privileged(acc, dom_id) &&
        xs_node_size(perms, value_len, children_bytes) >
        xs_quota(acc, dom_id, XS_QUOTA_NODE_SIZE)) {
        return E2BIG;
    }
    return 0;
}

/*
 * The answer for a missing node (rm: OK when the parent exists), which
 * depends on the nearest existing ancestor and its child list.
 */
static int xs_tx_missing(XsDb *db, XsTransaction *tx,
                         unsigned int dom_id, const XsTxView *v, bool rm)
{
    XsAccess *acc = &db->access;
    int err = xs_missing_error_perms(acc, dom_id, v->anc_perms);
    int derr = xs_tx_depend(db, tx, v, XS_DEP_ALL);

    if (rm && err == ENOENT && v->parent_exists) {
        err = 0;
    }
    return derr ? derr : err;
}

/* ---- the calls ---- */

/*
 * What READ and DIRECTORY begin with: the view of p, its dependency
 * (kind), and the read permission.
 */
static int xs_tx_view_read(XsDb *db, XsTransaction *tx, unsigned int dom_id,
                           const XsPath *p, unsigned int kind, XsTxView *v)
{
    int err;

    xs_tx_view(db, tx, p, v);
    if (!v->exists) {
        return xs_tx_missing(db, tx, dom_id, v, false);
    }
    err = xs_tx_depend(db, tx, v, kind);
    if (err) {
        return err;
    }
    if (!(xs_perm_for(&db->access, v->anc_perms, dom_id) & XS_PERM_READ)) {
        return EACCES;
    }
    return 0;
}

int xs_tx_read(XsDb *db, XsTransaction *tx, unsigned int dom_id,
               XsPath *p, GByteArray *data)
{
    const uint8_t *value;
    uint32_t len;
    XsTxView v;
    int err = xs_tx_view_read(db, tx, dom_id, p, XS_DEP_CONTENT, &v);

    if (err) {
        return err;
    }
    value = xs_tx_view_value(&v, &len);
    g_byte_array_append(data, value, len);
    return 0;
}

int xs_tx_get_perms(XsDb *db, XsTransaction *tx,
                    unsigned int dom_id, XsPath *p, XsPerms **perms)
{
    XsTxView v;
    int err;

    xs_tx_view(db, tx, p, &v);
    if (!v.exists) {
        return xs_tx_missing(db, tx, dom_id, &v, false);
    }
    err = xs_tx_depend(db, tx, &v, XS_DEP_CONTENT);
    if (err) {
        return err;
    }
    *perms = (XsPerms *)v.anc_perms;
    return 0;
}

static bool xs_collect_name(void *opaque, const char *name)
{
    g_ptr_array_add(opaque, (gpointer)name);
    return true;
}

int xs_tx_directory(XsDb *db, XsTransaction *tx,
                    unsigned int dom_id, XsPath *p, uint64_t *gencnt,
                    xs_impl_dir_fn *fn, void *opaque)
{
    XsSnap *sn = &db->snap;
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    XsTxView v;
    XsTxNode *t;
    XsNode *base;
    guint ci = 0, si = 0, nshadow;
    int err;

    err = xs_tx_view_read(db, tx, dom_id, p, XS_DEP_ALL, &v);
    if (err) {
        return err;
    }
    if (gencnt) {
        *gencnt = v.anc_node ? v.anc_st.gen : 0;
    }
    base = xs_tx_view_base(&v);
    if (base) {
        xs_snap_foreach_child(sn, base, tx->hold.start, xs_collect_name,
                              names);
    }
    t = v.anc_shadow;
    nshadow = t ? t->nr_kids : 0;

    /* Merge the snapshot's names with the transaction's own children. */
    while (ci < names->len || si < nshadow) {
        const char *cname = ci < names->len ?
                            g_ptr_array_index(names, ci) : NULL;
        XsTxNode *sc = si < nshadow ? t->kids[si] : NULL;
        int cmp = !sc ? -1 : !cname ? 1 : strcmp(cname, sc->name);

        if (cmp < 0) {
            ci++;
            if (!fn(opaque, cname)) {
                break;
            }
            continue;
        }
        if (cmp == 0) {
            ci++;
        }
        si++;
        if ((sc->state == XS_TX_PRESENT ||
             (sc->state == XS_TX_SAME && cmp == 0)) &&
            !fn(opaque, sc->name)) {
            break;
        }
    }
    return 0;
}

/* Create the missing tail of v's path in the transaction. */
static int xs_tx_create(XsDb *db, XsTransaction *tx,
                        unsigned int dom_id, const XsPath *p,
                        const XsTxView *v, const uint8_t *value,
                        uint32_t len)
{
    XsSnap *sn = &db->snap;
    XsAccess *acc = &db->access;
    XsTxCost cost = { 0 };
    uint32_t anc_len;
    unsigned int count = 0;
    size_t clen, first_len = 0;
    XsTxNode *t, *walk;
    XsNode *raw = v->anc_raw;
    bool new_dep;
    XsPerms *perms;
    const char *comp;
    int err;

    if (!(xs_perm_for(acc, v->anc_perms, dom_id) & XS_PERM_WRITE)) {
        err = xs_tx_depend(db, tx, v, XS_DEP_CONTENT);
        return err ? err : EACCES;
    }
    /* The new nodes, and the paths among them not yet counted. */
    walk = v->shadow_depth > v->depth ? v->shadow : NULL;
    for (comp = v->missing; *comp; comp += clen + (comp[clen] == '/')) {
        xs_path_next(comp, &clen);
        if (!count) {
            first_len = clen;
        } else if (walk) {
            walk = xs_txnode_find(walk, comp, clen, NULL);
        }
        raw = raw ? xs_snap_child(sn, raw, comp, clen, tx->hold.start) : NULL;
        count++;
        cost.touched += !(walk && walk->touched) &&
                        !(raw && xs_dep_find(&tx->deps, raw));
    }
    xs_tx_view_value(v, &anc_len);
    err = xs_check_create(acc, dom_id, v->anc_perms,
                          xs_node_size(v->anc_perms, anc_len,
                                       xs_tx_view_children_bytes(db, tx, v) +
                                       first_len + 1),
                          count, tx->nr_created,
                          xs_node_size(v->anc_perms, len, 0));
    if (err) {
        return err;
    }
    new_dep = v->anc_node && !xs_dep_find(&tx->deps, v->anc_node);
    if (new_dep) {
        cost.touched += !(v->anc_shadow && v->anc_shadow->touched);
        cost.bytes += xs_deps_growth(&tx->deps);
    }
    xs_tx_cost_path(tx, p, v->shadow_depth, &cost);
    cost.bytes += len;
    err = xs_tx_afford(db, tx, &cost);
    if (err) {
        return err;
    }
    xs_tx_dep_add(db, tx, v->anc_node, XS_DEP_CONTENT);
    if (new_dep && v->anc_shadow) {
        v->anc_shadow->touched = true;
    }
    tx->nr_touched += cost.touched;

    perms = xs_perms_for_new_node(acc, (XsPerms *)v->anc_perms, dom_id);
    t = xs_tx_shadow(db, tx, p, v->depth);
    comp = v->missing;
    for (unsigned int i = 0; i < count; i++) {
        bool last = i + 1 == count;
        guint pos;
        XsTxNode *c;

        xs_path_next(comp, &clen);
        c = xs_txnode_find(t, comp, clen, &pos);
        if (!c) {
            c = xs_txnode_new(comp, clen);
            xs_txnode_insert(t, pos, c);
            xs_snap_charge(&tx->hold, xs_txnode_bytes(clen));
            /* Where the snapshot had nothing, it must still have nothing. */
            c->check_absent = i == 0 && v->anc_node &&
                              !(v->anc_shadow &&
                                v->anc_shadow->hide_committed);
        }
        c->state = XS_TX_PRESENT;
        c->own = true;
        c->value_set = c->perms_set = false;
        xs_txnode_set_value(db, tx, c, last ? value : NULL, last ? len : 0);
        xs_txnode_set_perms(c, perms);
        c->touched = true;
        tx->nr_created++;
        if (last) {
            c->changed = true;
            c->removed = false;
        }
        t = c;
        comp += clen + (comp[clen] == '/');
    }
    xs_perms_unref(perms);
    return 0;
}

/*
 * What WRITE, RM and SET_PERMS of an existing node share: the dependency
 * and the shadow node at the path, made if the transaction can hold them
 * (extra: bytes it will also take).
 */
static int xs_tx_change(XsDb *db, XsTransaction *tx,
                        const XsPath *p, const XsTxView *v,
                        unsigned int kind, size_t extra, XsTxNode **t)
{
    XsTxCost cost = { .bytes = extra };
    bool counted = v->anc_shadow && v->anc_shadow->touched;
    bool new_dep = v->anc_node && !xs_dep_find(&tx->deps, v->anc_node);
    int err;

    if (new_dep) {
        cost.bytes += xs_deps_growth(&tx->deps);
    }
    /* The path counts unless its dependency or a change counted it. */
    if (!counted && (new_dep || !v->anc_node)) {
        cost.touched++;
    }
    if (v->shadow_depth < v->depth) {
        xs_tx_cost_path(tx, p, v->shadow_depth, &cost);
    }
    err = xs_tx_afford(db, tx, &cost);
    if (err) {
        return err;
    }
    xs_tx_dep_add(db, tx, v->anc_node, kind);
    *t = xs_tx_shadow(db, tx, p, v->depth);
    (*t)->touched = true;
    tx->nr_touched += cost.touched;
    return 0;
}

int xs_tx_write(XsDb *db, XsTransaction *tx,
                unsigned int dom_id, XsPath *p, const uint8_t *value,
                uint32_t len, bool mkdir)
{
    XsAccess *acc = &db->access;
    XsTxNode *t;
    XsTxView v;
    int err;

    xs_tx_view(db, tx, p, &v);
    if (!v.exists) {
        return xs_tx_create(db, tx, dom_id, p, &v, value, len);
    }
    if (!(xs_perm_for(acc, v.anc_perms, dom_id) & XS_PERM_WRITE)) {
        err = xs_tx_depend(db, tx, &v, XS_DEP_CONTENT);
        return err ? err : EACCES;
    }
    if (mkdir) {
        return xs_tx_depend(db, tx, &v, XS_DEP_CONTENT);
    }
    err = xs_tx_check_node_size(db, dom_id, v.anc_perms, len,
                                xs_tx_view_children_bytes(db, tx, &v));
    err = err ? err : xs_tx_change(db, tx, p, &v, XS_DEP_CONTENT, len, &t);
    if (err) {
        return err;
    }
    xs_txnode_make_present(t);
    xs_txnode_set_value(db, tx, t, value, len);
    t->value_set = true;
    t->changed = true;
    t->removed = false;
    return 0;
}

/*
 * Everything below a removed node is gone from the view; nodes it had
 * created below need no longer be absent at commit (the removal takes
 * whatever is there), the removed node itself still does.
 */
static void xs_txnode_mark_deleted(XsDb *db, XsTransaction *tx,
                                   XsTxNode *t, bool below)
{
    t->state = XS_TX_DELETED;
    t->hide_committed = true;
    t->own = t->value_set = t->perms_set = false;
    t->changed = false;
    xs_txnode_set_value(db, tx, t, NULL, 0);
    if (t->perms) {
        xs_perms_unref(t->perms);
        t->perms = NULL;
    }
    if (below) {
        t->check_absent = false;
    }
    for (uint32_t i = 0; i < t->nr_kids; i++) {
        xs_txnode_mark_deleted(db, tx, t->kids[i], true);
    }
}

int xs_tx_rm(XsDb *db, XsTransaction *tx, unsigned int dom_id,
             XsPath *p)
{
    XsAccess *acc = &db->access;
    XsTxNode *t;
    XsTxView v;
    int err;

    xs_tx_view(db, tx, p, &v);
    if (!v.exists) {
        return xs_tx_missing(db, tx, dom_id, &v, true);
    }
    if (!(xs_perm_for(acc, v.anc_perms, dom_id) & XS_PERM_WRITE)) {
        err = xs_tx_depend(db, tx, &v, XS_DEP_ALL);
        return err ? err : EACCES;
    }
    err = xs_tx_change(db, tx, p, &v, XS_DEP_ALL, 0, &t);
    if (err) {
        return err;
    }
    xs_txnode_mark_deleted(db, tx, t, false);
    t->changed = true;
    t->removed = true;
    return 0;
}

int xs_tx_set_perms(XsDb *db, XsTransaction *tx,
                    unsigned int dom_id, XsPath *p, XsPerms *perms)
{
    XsAccess *acc = &db->access;
    XsTxNode *t;
    uint32_t len;
    XsTxView v;
    int err;

    xs_tx_view(db, tx, p, &v);
    if (!v.exists) {
        return xs_tx_missing(db, tx, dom_id, &v, false);
    }
    err = xs_check_set_perms(acc, dom_id, v.anc_perms, perms);
    if (err == EACCES || err == EPERM) {
        int derr = xs_tx_depend(db, tx, &v, XS_DEP_CONTENT);

        return derr ? derr : err;
    }
    if (err) {
        return err;
    }
    xs_tx_view_value(&v, &len);
    err = xs_tx_check_node_size(db, dom_id, perms, len,
                                xs_tx_view_children_bytes(db, tx, &v));
    err = err ? err : xs_tx_change(db, tx, p, &v, XS_DEP_CONTENT, 0, &t);
    if (err) {
        return err;
    }
    xs_txnode_make_present(t);
    xs_txnode_set_perms(t, perms);
    t->perms_set = true;
    t->changed = true;
    t->removed = false;
    return 0;
}
