/*
 * XenStore transactions: a shadow tree per transaction holds what it
 * changed and the generation of every node it read; commit checks those
 * generations (EAGAIN on any difference) and applies the changes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xenstore_impl_int.h"
#include "trace.h"

/*
 * A transaction's view of the store is the committed tree overlaid with
 * its shadow tree.  A shadow node is SAME (only holds the path to deeper
 * shadow nodes, and maybe a read record), PRESENT (the transaction wrote
 * it: own value and perms; children are the committed ones unless hidden,
 * plus its own) or DELETED.  hide_committed is set on a node the
 * transaction removed: the committed children below it no longer show,
 * even if the node is created again.
 *
 * Read records always hold the generation of the committed node at that
 * path (0 when absent) at the first read-type access, whatever the view
 * showed, so that commit only compares generations: its cost is the size
 * of the shadow tree, never of the store or of a directory.
 */

XsTransaction *xs_tx_lookup(XenstoreImplState *s, unsigned int dom_id,
                            xs_transaction_t id)
{
    XsTransaction *tx = g_hash_table_lookup(s->transactions,
                                            GUINT_TO_POINTER(id));

    return tx && tx->dom_id == dom_id ? tx : NULL;
}

static void xs_txnode_free(XsTxNode *t)
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

void xs_tx_free(XsTransaction *tx)
{
    if (tx->root) {
        xs_txnode_free(tx->root);
    }
    g_free(tx);
}

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
    *pos = lo;
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

/*
 * The view of one path in a transaction.  Walking creates the shadow
 * nodes along the path, within the transaction's node quota.
 */
typedef struct XsTxView {
    XsTxNode *shadow;           /* at the path */
    XsNode *node;               /* committed node visible at the path */
    XsNode *real;               /* committed node at the path, hidden or not */
    bool exists;
    bool parent_exists;
    const XsPerms *perms;       /* when exists */
    const XsPerms *anc_perms;   /* nearest existing ancestor's perms */
    XsTxNode *anc_shadow;       /* its shadow node */
    XsNode *anc_node;           /* its visible committed node, if any */
    const char *missing;        /* first missing component of the path */
} XsTxView;

/* The fields of a node in the view: the transaction's own, else live. */
static const XsPerms *xs_tx_node_perms(XsTxNode *t, XsNode *n)
{
    return t->state == XS_TX_PRESENT && (t->perms_set || !n) ?
           t->perms : n->perms;
}

static const uint8_t *xs_tx_node_value(XsTxNode *t, XsNode *n,
                                       uint32_t *len)
{
    if (t->state == XS_TX_PRESENT && (t->value_set || !n)) {
        *len = t->value_len;
        return t->value;
    }
    *len = n->value_len;
    return n->value;
}

/* Bytes of child names of a node as the transaction sees its children. */
static uint32_t xs_tx_children_bytes(XsTxNode *t, XsNode *n)
{
    uint32_t bytes;

    if (t->hide_committed) {
        n = NULL;
    }
    bytes = n ? n->children_bytes : 0;
    for (uint32_t i = 0; i < t->nr_kids; i++) {
        XsTxNode *k = t->kids[i];
        XsNode *c = n ? xs_node_child(n, k->name, k->name_len) : NULL;
        bool in_view = k->state == XS_TX_PRESENT ||
                       (k->state == XS_TX_SAME && c);

        if (in_view && !c) {
            bytes += k->name_len + 1;
        } else if (!in_view && c) {
            bytes -= k->name_len + 1;
        }
    }
    return bytes;
}

/*
 * Shadow nodes that only lead to touched ones are not counted by the
 * transaction-nodes quota, but they cost memory: cap them too.
 */
static unsigned int xs_tx_shadow_cap(unsigned int quota)
{
    return quota > (UINT_MAX - 64) / 8 ? UINT_MAX : quota * 8 + 64;
}

static int xs_tx_walk(XenstoreImplState *s, XsTransaction *tx,
                      unsigned int dom_id, const XsPath *p, XsTxView *v)
{
    unsigned int limit = xs_is_privileged(s, dom_id) ? UINT_MAX :
                         xs_tx_shadow_cap(xs_quota(s, dom_id,
                                                   XS_QUOTA_TX_NODES));
    XsTxNode *t;
    XsNode *n = s->root, *real = s->root;
    const char *c = p->buf + 1;
    bool exists = true;
    size_t len;

    if (!tx->root) {
        tx->root = xs_txnode_new("", 0);
        tx->nr_nodes++;
    }
    t = tx->root;
    memset(v, 0, sizeof(*v));
    v->anc_perms = xs_tx_node_perms(t, n);
    v->anc_shadow = t;
    v->anc_node = n;
    v->parent_exists = true;

    while (*c) {
        XsTxNode *child;
        guint pos;

        xs_path_next(c, &len);
        child = xs_txnode_find(t, c, len, &pos);
        if (!child) {
            if (tx->nr_nodes >= limit) {
                return ENOSPC;
            }
            child = xs_txnode_new(c, len);
            xs_txnode_insert(t, pos, child);
            tx->nr_nodes++;
        }
        real = real ? xs_node_child(real, c, len) : NULL;
        n = (n && !t->hide_committed) ? xs_node_child(n, c, len) : NULL;
        v->parent_exists = exists;
        exists = exists && (child->state == XS_TX_PRESENT ||
                            (child->state == XS_TX_SAME && n));
        if (exists) {
            v->anc_perms = xs_tx_node_perms(child, n);
            v->anc_shadow = child;
            v->anc_node = n;
        } else if (!v->missing) {
            v->missing = c;
        }
        t = child;
        c += len + (c[len] == '/');
    }
    v->shadow = t;
    v->node = n;
    v->real = real;
    v->exists = exists;
    v->perms = exists ? v->anc_perms : NULL;
    return 0;
}

/* Count t against the transaction-nodes quota the first time. */
static int xs_tx_touch(XenstoreImplState *s, XsTransaction *tx,
                       XsTxNode *t)
{
    if (t->touched) {
        return 0;
    }
    if (!xs_is_privileged(s, tx->dom_id) &&
        tx->nr_touched >= xs_quota(s, tx->dom_id, XS_QUOTA_TX_NODES)) {
        return ENOSPC;
    }
    t->touched = true;
    tx->nr_touched++;
    return 0;
}

/* The first read-type access records the committed generation. */
static int xs_tx_record_read(XenstoreImplState *s, XsTransaction *tx,
                             XsTxView *v)
{
    int err;

    if (v->shadow->read) {
        return 0;
    }
    err = xs_tx_touch(s, tx, v->shadow);
    if (err) {
        return err;
    }
    v->shadow->read = true;
    v->shadow->read_gen = v->real ? v->real->gen : 0;
    return 0;
}

static int xs_tx_lookup_for_read(XenstoreImplState *s, XsTransaction *tx,
                                 unsigned int dom_id, XsPath *p, XsTxView *v)
{
    int err = xs_tx_walk(s, tx, dom_id, p, v);

    if (!err) {
        err = xs_tx_record_read(s, tx, v);
    }
    if (err) {
        return err;
    }
    if (!v->exists) {
        return xs_missing_error_perms(s, dom_id, v->anc_perms);
    }
    if (!(xs_perm_for(s, v->perms, dom_id) & XS_PERM_READ)) {
        return EACCES;
    }
    return 0;
}

int xs_tx_read(XenstoreImplState *s, XsTransaction *tx, unsigned int dom_id,
               XsPath *p, GByteArray *data)
{
    const uint8_t *value;
    uint32_t len;
    XsTxView v;
    int err = xs_tx_lookup_for_read(s, tx, dom_id, p, &v);

    if (err) {
        return err;
    }
    value = xs_tx_node_value(v.shadow, v.node, &len);
    g_byte_array_append(data, value, len);
    return 0;
}

int xs_tx_get_perms(XenstoreImplState *s, XsTransaction *tx,
                    unsigned int dom_id, XsPath *p, XsPerms **perms)
{
    XsTxView v;
    int err = xs_tx_walk(s, tx, dom_id, p, &v);

    if (!err) {
        err = xs_tx_record_read(s, tx, &v);
    }
    if (err) {
        return err;
    }
    if (!v.exists) {
        return xs_missing_error_perms(s, dom_id, v.anc_perms);
    }
    *perms = (XsPerms *)v.perms;
    return 0;
}

static void xs_collect_names(XsNode *n, GPtrArray *names)
{
    while (n) {
        xs_collect_names(n->left, names);
        g_ptr_array_add(names, n->name);
        n = n->right;
    }
}

int xs_tx_directory(XenstoreImplState *s, XsTransaction *tx,
                    unsigned int dom_id, XsPath *p, uint64_t *gencnt,
                    xs_impl_dir_fn *fn, void *opaque)
{
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    XsTxView v;
    XsTxNode *t;
    guint ci = 0, si = 0, nshadow;
    int err = xs_tx_lookup_for_read(s, tx, dom_id, p, &v);

    if (err) {
        return err;
    }
    t = v.shadow;
    if (v.node && !t->hide_committed) {
        xs_collect_names(v.node->children, names);
    }
    nshadow = t->nr_kids;
    if (gencnt) {
        *gencnt = v.node ? v.node->gen : 0;
    }

    /* Merge the committed names with the transaction's own children. */
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

/*
 * Make an existing node of the view PRESENT, keeping what it holds now as
 * the content to create it with should it be gone at commit; the fields
 * the transaction sets itself are marked by value_set / perms_set.
 */
static void xs_tx_make_present(XsTxView *v)
{
    XsTxNode *t = v->shadow;
    const uint8_t *value;
    uint32_t len;

    if (t->state == XS_TX_PRESENT) {
        return;
    }
    value = xs_tx_node_value(t, v->node, &len);
    t->value = len ? g_memdup2(value, len) : NULL;
    t->value_len = len;
    t->perms = xs_perms_ref(v->node->perms);
    t->state = XS_TX_PRESENT;
    t->value_set = t->perms_set = false;
}

static void xs_txnode_set_value(XsTxNode *t, const uint8_t *value,
                                uint32_t len)
{
    uint8_t *copy = len ? g_memdup2(value, len) : NULL;

    g_free(t->value);
    t->value = copy;
    t->value_len = len;
    t->value_set = true;
}

static void xs_txnode_set_perms(XsTxNode *t, XsPerms *perms)
{
    xs_perms_ref(perms);
    if (t->perms) {
        xs_perms_unref(t->perms);
    }
    t->perms = perms;
    t->perms_set = true;
}

static int xs_tx_check_node_size(XenstoreImplState *s, unsigned int dom_id,
                                 const XsPerms *perms, uint32_t value_len,
                                 uint32_t children_bytes)
{
    if (!xs_is_privileged(s, dom_id) &&
        xs_node_size(perms, value_len, children_bytes) >
        xs_quota(s, dom_id, XS_QUOTA_NODE_SIZE)) {
        return E2BIG;
    }
    return 0;
}

/* Create the missing tail of v's path in the transaction. */
static int xs_tx_create(XenstoreImplState *s, XsTransaction *tx,
                        unsigned int dom_id, XsTxView *v,
                        const uint8_t *value, uint32_t len, bool mkdir)
{
    uint32_t anc_len;
    unsigned int count = 0, untouched = 0;
    size_t clen, first_len = 0;
    XsPerms *perms;
    XsTxNode *t;
    const char *c;
    int err;

    if (!(xs_perm_for(s, v->anc_perms, dom_id) & XS_PERM_WRITE)) {
        return EACCES;
    }
    t = v->anc_shadow;
    for (c = v->missing; *c; c += clen + (c[clen] == '/')) {
        guint pos;

        xs_path_next(c, &clen);
        if (!count) {
            first_len = clen;
        }
        count++;
        t = xs_txnode_find(t, c, clen, &pos);
        untouched += !t->touched;
    }
    if (!xs_is_privileged(s, dom_id) &&
        tx->nr_touched + untouched >
        xs_quota(s, dom_id, XS_QUOTA_TX_NODES)) {
        return ENOSPC;
    }
    xs_tx_node_value(v->anc_shadow, v->anc_node, &anc_len);
    err = xs_check_create(s, dom_id, v->anc_perms,
                          xs_node_size(v->anc_perms, anc_len,
                                       xs_tx_children_bytes(v->anc_shadow,
                                                            v->anc_node) +
                                       first_len + 1),
                          count, tx->nr_created,
                          xs_node_size(v->anc_perms, len, 0));
    if (err) {
        return err;
    }
    perms = xs_perms_for_new_node(s, (XsPerms *)v->anc_perms, dom_id);
    t = v->anc_shadow;
    for (c = v->missing; *c; c += clen + (c[clen] == '/')) {
        guint pos;
        bool last;

        xs_path_next(c, &clen);
        last = !c[clen];
        t = xs_txnode_find(t, c, clen, &pos);
        t->state = XS_TX_PRESENT;
        xs_txnode_set_value(t, last ? value : NULL, last ? len : 0);
        xs_txnode_set_perms(t, perms);
        /*
         * Should someone else create the node before the commit, only a
         * WRITE's value is ours to put there: like a write to an existing
         * node, it leaves the perms; mkdir and parents leave it alone.
         */
        t->value_set = last && !mkdir;
        t->perms_set = false;
        xs_tx_touch(s, tx, t);
        tx->nr_created++;
    }
    xs_perms_unref(perms);
    t->changed = true;
    t->removed = false;
    return 0;
}

int xs_tx_write(XenstoreImplState *s, XsTransaction *tx,
                unsigned int dom_id, XsPath *p, const uint8_t *value,
                uint32_t len, bool mkdir)
{
    XsTxView v;
    int err = xs_tx_walk(s, tx, dom_id, p, &v);

    if (err) {
        return err;
    }
    if (!v.exists) {
        return xs_tx_create(s, tx, dom_id, &v, value, len, mkdir);
    }
    if (!(xs_perm_for(s, v.perms, dom_id) & XS_PERM_WRITE)) {
        return EACCES;
    }
    if (mkdir) {
        return 0;
    }
    err = xs_tx_check_node_size(s, dom_id, v.perms, len,
                                xs_tx_children_bytes(v.shadow, v.node));
    err = err ? err : xs_tx_touch(s, tx, v.shadow);
    if (err) {
        return err;
    }
    xs_tx_make_present(&v);
    xs_txnode_set_value(v.shadow, value, len);
    v.shadow->changed = true;
    v.shadow->removed = false;
    return 0;
}

/* Everything below a removed node is gone; keep only the read records. */
static void xs_txnode_mark_deleted(XsTxNode *t)
{
    t->state = XS_TX_DELETED;
    t->hide_committed = true;
    t->changed = false;
    t->value_set = t->perms_set = false;
    g_free(t->value);
    t->value = NULL;
    t->value_len = 0;
    if (t->perms) {
        xs_perms_unref(t->perms);
        t->perms = NULL;
    }
    for (uint32_t i = 0; i < t->nr_kids; i++) {
        xs_txnode_mark_deleted(t->kids[i]);
    }
}

int xs_tx_rm(XenstoreImplState *s, XsTransaction *tx, unsigned int dom_id,
             XsPath *p)
{
    XsTxView v;
    int err = xs_tx_walk(s, tx, dom_id, p, &v);

    if (err) {
        return err;
    }
    if (!v.exists) {
        err = xs_missing_error_perms(s, dom_id, v.anc_perms);
        return err == ENOENT && v.parent_exists ? 0 : err;
    }
    if (!(xs_perm_for(s, v.perms, dom_id) & XS_PERM_WRITE)) {
        return EACCES;
    }
    err = xs_tx_touch(s, tx, v.shadow);
    if (err) {
        return err;
    }
    xs_txnode_mark_deleted(v.shadow);
    v.shadow->changed = true;
    v.shadow->removed = true;
    return 0;
}

int xs_tx_set_perms(XenstoreImplState *s, XsTransaction *tx,
                    unsigned int dom_id, XsPath *p, XsPerms *perms)
{
    uint32_t len;
    XsTxView v;
    int err = xs_tx_walk(s, tx, dom_id, p, &v);

    if (err) {
        return err;
    }
    if (!v.exists) {
        return xs_missing_error_perms(s, dom_id, v.anc_perms);
    }
    err = xs_check_set_perms(s, dom_id, v.perms, perms);
    if (err) {
        return err;
    }
    xs_tx_node_value(v.shadow, v.node, &len);
    err = xs_tx_check_node_size(s, dom_id, perms, len,
                                xs_tx_children_bytes(v.shadow, v.node));
    err = err ? err : xs_tx_touch(s, tx, v.shadow);
    if (err) {
        return err;
    }
    xs_tx_make_present(&v);
    xs_txnode_set_perms(v.shadow, perms);
    v.shadow->changed = true;
    v.shadow->removed = false;
    return 0;
}

/* ---- commit ---- */

static bool xs_tx_validate(XsNode *n, XsTxNode *t)
{
    if (t->read && t->read_gen != (n ? n->gen : 0)) {
        return false;
    }
    for (uint32_t i = 0; i < t->nr_kids; i++) {
        XsTxNode *tc = t->kids[i];
        XsNode *nc = n ? xs_node_child(n, tc->name, tc->name_len) : NULL;

        if (!xs_tx_validate(nc, tc)) {
            return false;
        }
    }
    return true;
}

static bool xs_txnode_has_present(XsTxNode *t)
{
    if (t->state == XS_TX_PRESENT) {
        return true;
    }
    for (uint32_t i = 0; i < t->nr_kids; i++) {
        if (xs_txnode_has_present(t->kids[i])) {
            return true;
        }
    }
    return false;
}

typedef struct XsTxEvent {
    char *path;
    XsPerms *perms;             /* the node's, or the parent's if removed */
    bool removed;
} XsTxEvent;

typedef struct XsTxApply {
    XenstoreImplState *s;
    XsTransaction *tx;
    GArray *events;
    char path[XS_PATH_BUF];
    size_t len;
} XsTxApply;

static void xs_tx_add_event(XsTxApply *a, XsPerms *perms, bool removed)
{
    XsTxEvent ev = {
        .path = g_strdup(a->len ? a->path : "/"),
        .perms = xs_perms_ref(perms),
        .removed = removed,
    };

    g_array_append_val(a->events, ev);
}

static void xs_tx_apply(XsTxApply *a, XsNode *parent, XsNode *n,
                        XsTxNode *t)
{
    XenstoreImplState *s = a->s;
    size_t saved = a->len;

    if (parent) {
        a->path[a->len++] = '/';
        memcpy(a->path + a->len, t->name, t->name_len + 1);
        a->len += t->name_len;
    }
    if (t->hide_committed && n) {
        xs_node_remove_child(s, parent, n);
        xs_node_free_tree(s, n);
        n = NULL;
    }
    if (t->state == XS_TX_DELETED) {
        if (t->changed) {
            xs_tx_add_event(a, parent->perms, true);
        }
        goto out;
    }
    if (t->state == XS_TX_PRESENT) {
        bool applied = true;

        if (!n) {
            n = xs_node_new(t->name, t->name_len, xs_perms_ref(t->perms),
                            t->value, t->value_len, xs_next_gen(s));
            xs_node_add_child(s, parent, n);
            xs_account_node(s, n->perms, 1);
        } else if (t->value_set || t->perms_set) {
            /* Only what the transaction set: others' changes stay. */
            if (t->value_set) {
                xs_node_set_value(n, t->value, t->value_len);
            }
            if (t->perms_set && n->perms != t->perms) {
                xs_node_set_perms(s, n, xs_perms_ref(t->perms));
            }
            n->gen = xs_next_gen(s);
        } else {
            applied = false;
        }
        if (t->changed && applied) {
            xs_tx_add_event(a, n->perms, false);
        }
    } else if (!n) {
        if (!parent || !xs_txnode_has_present(t)) {
            goto out;
        }
        /* Removed by someone else meanwhile: re-create the way down. */
        n = xs_node_new(t->name, t->name_len,
                        xs_perms_for_new_node(s, parent->perms,
                                              a->tx->dom_id),
                        NULL, 0, xs_next_gen(s));
        xs_node_add_child(s, parent, n);
        xs_account_node(s, n->perms, 1);
    }
    for (uint32_t i = 0; i < t->nr_kids; i++) {
        XsTxNode *tc = t->kids[i];

        xs_tx_apply(a, n, xs_node_child(n, tc->name, tc->name_len), tc);
    }
out:
    a->len = saved;
    a->path[saved] = '\0';
}

int xs_tx_commit(XenstoreImplState *s, XsTransaction *tx)
{
    XsTxApply apply, *a = &apply;

    if (!tx->root) {
        return 0;
    }
    if (!xs_tx_validate(s->root, tx->root)) {
        return EAGAIN;
    }
    a->s = s;
    a->tx = tx;
    a->events = g_array_new(false, false, sizeof(XsTxEvent));
    a->len = 0;
    a->path[0] = '\0';
    xs_tx_apply(a, NULL, s->root, tx->root);

    /* Events go out once everything is in place, in path order. */
    for (guint i = 0; i < a->events->len; i++) {
        XsTxEvent *ev = &g_array_index(a->events, XsTxEvent, i);

        if (ev->removed) {
            xs_watch_fire_rm(s, ev->path, ev->perms);
        } else {
            xs_watch_fire(s, ev->path, ev->perms);
        }
        g_free(ev->path);
        xs_perms_unref(ev->perms);
    }
    g_array_free(a->events, true);
    return 0;
}
