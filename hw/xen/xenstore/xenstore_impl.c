/*
 * The XenStore database's public calls: domains, node calls outside
 * transactions, transaction start and end, create and destroy.  The
 * layers below are in xenstore_access.c, _node.c, _snap.c, _watch.c and
 * _txn.c; save/load in _save.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xenstore_impl_int.h"
#include "trace.h"

/* ---- generations, domains, quotas ---- */




/*
 * The domain calls that change a domain (introduce, release, resume,
 * set_target, set_quota, set_features) refuse reserved ids, domain 0 and
 * every other privileged domain.  A privileged domain is not one guest
 * behind one ring: the host socket clients and the backends act as it,
 * each with its own watches and transactions, and releasing it would end
 * all of theirs.
 */
static bool xs_domid_refused(XenstoreImplState *s, unsigned int domid)
{
    return domid >= DOMID_FIRST_RESERVED || domid == DOMID_QEMU ||
           xs_is_privileged(&s->db->access, domid);
}



unsigned int xs_impl_get_quota(XenstoreImplState *s, unsigned int dom_id,
                               XsQuota q)
{
    g_assert(q < XS_QUOTA__MAX);
    if (dom_id == XS_QUOTA_DEFAULT_DOMID) {
        return s->db->access.default_quota[q];
    }
    return xs_quota(&s->db->access, dom_id, q);
}

int xs_impl_set_quota(XenstoreImplState *s, unsigned int dom_id,
                      XsQuota q, unsigned int value)
{
    XsDomain *d;

    if (q >= XS_QUOTA__MAX ||
        (dom_id != XS_QUOTA_DEFAULT_DOMID && xs_domid_refused(s, dom_id))) {
        return EINVAL;
    }
    trace_xenstore_set_quota(dom_id, xs_quota_name(q), value);
    if (q == XS_QUOTA_PATH_MAX) {
        s->db->access.min_path_quota = MIN(s->db->access.min_path_quota,
                                           value);
    }
    if (dom_id == XS_QUOTA_DEFAULT_DOMID) {
        s->db->access.default_quota[q] = value;
        return 0;
    }
    d = xs_domain(&s->db->access, dom_id, true);
    d->quota[q] = value;
    d->quota_set |= 1u << q;
    return 0;
}

unsigned int xs_impl_domain_nodes(XenstoreImplState *s, unsigned int dom_id)
{
    XsDomain *d = xs_domain(&s->db->access, dom_id, false);

    return d ? d->nr_nodes : 0;
}

uint32_t xs_impl_get_features(XenstoreImplState *s, unsigned int dom_id)
{
    XsDomain *d = xs_domain(&s->db->access, dom_id, false);

    return d && d->has_features ? d->features : XS_IMPL_DEFAULT_FEATURES;
}

int xs_impl_set_features(XenstoreImplState *s, unsigned int dom_id,
                         uint32_t features)
{
    XsDomain *d;

    if (xs_domid_refused(s, dom_id)) {
        return EINVAL;
    }
    d = xs_domain(&s->db->access, dom_id, true);
    d->has_features = true;
    d->features = features;
    return 0;
}

void xs_impl_set_privileged(XenstoreImplState *s, unsigned int dom_id,
                            bool privileged)
{
    xs_domain(&s->db->access, dom_id, true)->privileged = privileged;
}

bool xs_impl_is_privileged(XenstoreImplState *s, unsigned int dom_id)
{
    return xs_is_privileged(&s->db->access, dom_id);
}

int xs_impl_set_target(XenstoreImplState *s, unsigned int dom_id,
                       unsigned int target)
{
    if (xs_domid_refused(s, dom_id) || target == dom_id ||
        (target != DOMID_INVALID && xs_domid_refused(s, target))) {
        return EINVAL;
    }
    trace_xenstore_set_target(dom_id, target);
    xs_domain(&s->db->access, dom_id, true)->target = target;
    return 0;
}

int xs_impl_introduce_domain(XenstoreImplState *s, unsigned int dom_id)
{
    if (xs_domid_refused(s, dom_id)) {
        return EINVAL;
    }
    trace_xenstore_introduce_domain(dom_id);
    xs_domain(&s->db->access, dom_id, true)->introduced = true;
    xs_watch_fire_special(&s->watches, XS_SPECIAL_INTRODUCE,
                          s->db->special_perms[XS_SPECIAL_INTRODUCE]);
    return 0;
}

int xs_impl_release_domain(XenstoreImplState *s, unsigned int dom_id)
{
    XsDomain *d;

    if (xs_domid_refused(s, dom_id)) {
        return EINVAL;
    }
    d = xs_domain(&s->db->access, dom_id, false);
    if (!d || !d->introduced) {
        return ENOENT;
    }
    trace_xenstore_release_domain(dom_id);
    d->introduced = false;
    /* Only the domain's own: a refused domid never gets here. */
    xs_impl_reset_watches(s, dom_id);
    xs_watch_fire_special(&s->watches, XS_SPECIAL_RELEASE,
                          s->db->special_perms[XS_SPECIAL_RELEASE]);
    return 0;
}

int xs_impl_resume_domain(XenstoreImplState *s, unsigned int dom_id)
{
    if (xs_domid_refused(s, dom_id)) {
        return EINVAL;
    }
    return xs_impl_is_domain_introduced(s, dom_id) ? 0 : ENOENT;
}

bool xs_impl_is_domain_introduced(XenstoreImplState *s, unsigned int dom_id)
{
    XsDomain *d = xs_domain(&s->db->access, dom_id, false);

    return d && d->introduced;
}


















/*
 * Walk the committed tree along a canonical path.  Returns the node, or
 * NULL with *anc the nearest existing ancestor and *depth how many
 * components matched.
 */
static XsNode *xs_lookup(XenstoreImplState *s, const XsPath *p, XsNode **anc,
                         XsNode **parent, const char **rest)
{
    XsNode *n = s->db->root, *prev = NULL;
    const char *c = p->buf + 1;
    size_t len;

    while (*c) {
        XsNode *child;

        xs_path_next(c, &len);
        child = xs_node_child(n, c, len);
        if (!child) {
            if (anc) {
                *anc = n;
            }
            if (rest) {
                *rest = c;
            }
            if (parent) {
                *parent = c[len] ? NULL : n;
            }
            return NULL;
        }
        prev = n;
        n = child;
        c += len + (c[len] == '/');
    }
    if (parent) {
        *parent = prev;
    }
    if (anc) {
        *anc = prev;
    }
    return n;
}

/* The error for a missing node: do not tell a caller who cannot look. */
static int xs_missing_error(XenstoreImplState *s, unsigned int dom_id,
                            XsNode *anc)
{
    return xs_missing_error_perms(&s->db->access, dom_id, anc->perms);
}


/* ---- public node calls ---- */

/* What every node call starts with: the path, then the transaction. */
static int xs_begin(XenstoreImplState *s, unsigned int dom_id,
                    xs_transaction_t tx_id, const char *path,
                    bool allow_special, XsPath *p, XsTransaction **tx)
{
    int err = xs_path_resolve(&s->db->access, dom_id, path, allow_special, p);

    *tx = NULL;
    if (err || tx_id == XBT_NULL) {
        return err;
    }
    *tx = xs_tx_lookup(s->db, dom_id, tx_id);
    if (!*tx) {
        return ENOENT;
    }
    /* Its snapshot is gone: no answer could be trusted. */
    return (*tx)->doomed ? EAGAIN : 0;
}

int xs_impl_read(XenstoreImplState *s, unsigned int dom_id,
                 xs_transaction_t tx_id, const char *path, GByteArray *data)
{
    XsPath p;
    XsTransaction *tx;
    XsNode *n, *anc;
    int err;

    err = xs_begin(s, dom_id, tx_id, path, false, &p, &tx);
    if (err) {
        return err;
    }
    trace_xenstore_impl_read(dom_id, tx_id, p.buf);
    if (tx) {
        return xs_tx_read(s->db, tx, dom_id, &p, data);
    }
    n = xs_lookup(s, &p, &anc, NULL, NULL);
    if (!n) {
        return xs_missing_error(s, dom_id, anc);
    }
    if (!(xs_perm_for(&s->db->access, n->perms, dom_id) & XS_PERM_READ)) {
        return EACCES;
    }
    g_byte_array_append(data, n->value, n->value_len);
    return 0;
}

/* Create the missing tail of p below anc; returns the new leaf. */
static XsNode *xs_create_path(XenstoreImplState *s, unsigned int dom_id,
                              XsNode *anc, const char *rest,
                              const uint8_t *value, uint32_t len)
{
    XsPerms *perms = xs_perms_for_new_node(&s->db->access, anc->perms, dom_id);
    XsNode *n = anc;
    size_t clen;

    while (*rest) {
        bool last;

        xs_path_next(rest, &clen);
        last = !rest[clen];
        n = xs_node_create(&s->db->snap, n, rest, clen, xs_perms_ref(perms),
                           last ? value : NULL, last ? len : 0);
        rest += clen + !last;
    }
    xs_perms_unref(perms);
    return n;
}

static unsigned int xs_count_components(const char *rest, size_t *first_len)
{
    unsigned int n = 1;

    xs_path_next(rest, first_len);
    for (; *rest; rest++) {
        n += (*rest == '/');
    }
    return n;
}

static int xs_write_common(XenstoreImplState *s, unsigned int dom_id,
                           xs_transaction_t tx_id, const char *path,
                           const uint8_t *value, uint32_t len, bool mkdir)
{
    XsPath p;
    XsTransaction *tx;
    XsNode *n, *anc;
    const char *rest;
    int err;

    err = xs_begin(s, dom_id, tx_id, path, false, &p, &tx);
    if (err) {
        return err;
    }
    if (len > XS_VALUE_MAX) {
        return E2BIG;
    }
    if (mkdir) {
        trace_xenstore_impl_mkdir(dom_id, tx_id, p.buf);
    } else {
        trace_xenstore_impl_write(dom_id, tx_id, p.buf, len);
    }
    if (tx) {
        return xs_tx_write(s->db, tx, dom_id, &p, value, len, mkdir);
    }
    n = xs_lookup(s, &p, &anc, NULL, &rest);
    if (n) {
        if (mkdir) {
            return (xs_perm_for(&s->db->access, n->perms, dom_id) &
                    XS_PERM_WRITE) ?
                   0 : EACCES;
        }
        if (!(xs_perm_for(&s->db->access, n->perms, dom_id) & XS_PERM_WRITE)) {
            return EACCES;
        }
        if (!xs_is_privileged(&s->db->access, dom_id) &&
            xs_node_size(n->perms, len, n->children_bytes) >
            xs_quota(&s->db->access, dom_id, XS_QUOTA_NODE_SIZE)) {
            return E2BIG;
        }
        xs_node_write(&s->db->snap, n, value, len);
    } else {
        size_t first_len;
        unsigned int count = xs_count_components(rest, &first_len);

        if (!(xs_perm_for(&s->db->access, anc->perms, dom_id) &
              XS_PERM_WRITE)) {
            return EACCES;
        }
        err = xs_check_create(&s->db->access, dom_id, anc->perms,
                              xs_node_size(anc->perms, anc->value_len,
                                           anc->children_bytes +
                                           first_len + 1),
                              count, 0,
                              xs_node_size(anc->perms, len, 0));
        if (err) {
            return err;
        }
        n = xs_create_path(s, dom_id, anc, rest, value, len);
    }
    xs_watch_fire(&s->watches, p.buf, n->perms);
    xs_tx_settle(s->db);
    return 0;
}

int xs_impl_write(XenstoreImplState *s, unsigned int dom_id,
                  xs_transaction_t tx_id, const char *path,
                  GByteArray *data)
{
    return xs_write_common(s, dom_id, tx_id, path, data->data, data->len,
                           false);
}

int xs_impl_mkdir(XenstoreImplState *s, unsigned int dom_id,
                  xs_transaction_t tx_id, const char *path)
{
    return xs_write_common(s, dom_id, tx_id, path, NULL, 0, true);
}

static void xs_list_prepend_names(XsNode *n, GList **items)
{
    /* Right to left, so that prepending leaves the list in order. */
    while (n) {
        xs_list_prepend_names(n->right, items);
        *items = g_list_prepend(*items, g_strdup(n->name));
        n = n->left;
    }
}

static bool xs_prepend_name(void *opaque, const char *name)
{
    GList **items = opaque;

    *items = g_list_prepend(*items, g_strdup(name));
    return true;
}

/* In order; false when fn asked to stop. */
static bool xs_foreach_name(XsNode *n, xs_impl_dir_fn *fn, void *opaque)
{
    while (n) {
        if (!xs_foreach_name(n->left, fn, opaque) ||
            !fn(opaque, n->name)) {
            return false;
        }
        n = n->right;
    }
    return true;
}

/*
 * What both listing calls start with: the path and transaction, then,
 * outside a transaction, the node to list (checked) and its generation.
 */
static int xs_dir_begin(XenstoreImplState *s, unsigned int dom_id,
                        xs_transaction_t tx_id, const char *path,
                        uint64_t *gencnt, XsPath *p, XsTransaction **tx,
                        XsNode **n)
{
    XsNode *anc;
    int err = xs_begin(s, dom_id, tx_id, path, false, p, tx);

    if (err) {
        return err;
    }
    trace_xenstore_impl_directory(dom_id, tx_id, p->buf);
    if (*tx) {
        return 0;
    }
    *n = xs_lookup(s, p, &anc, NULL, NULL);
    if (!*n) {
        return xs_missing_error(s, dom_id, anc);
    }
    if (!(xs_perm_for(&s->db->access, (*n)->perms, dom_id) & XS_PERM_READ)) {
        return EACCES;
    }
    if (gencnt) {
        *gencnt = (*n)->gen;
    }
    return 0;
}

int xs_impl_directory(XenstoreImplState *s, unsigned int dom_id,
                      xs_transaction_t tx_id, const char *path,
                      uint64_t *gencnt, GList **items)
{
    XsPath p;
    XsTransaction *tx;
    XsNode *n = NULL;
    int err = xs_dir_begin(s, dom_id, tx_id, path, gencnt, &p, &tx, &n);

    *items = NULL;
    if (err) {
        return err;
    }
    if (tx) {
        err = xs_tx_directory(s->db, tx, dom_id, &p, gencnt, xs_prepend_name,
                              items);
        *items = g_list_reverse(*items);
        return err;
    }
    xs_list_prepend_names(n->children, items);
    return 0;
}

int xs_impl_directory_foreach(XenstoreImplState *s, unsigned int dom_id,
                              xs_transaction_t tx_id, const char *path,
                              uint64_t *gencnt, xs_impl_dir_fn *fn,
                              void *opaque)
{
    XsPath p;
    XsTransaction *tx;
    XsNode *n = NULL;
    int err = xs_dir_begin(s, dom_id, tx_id, path, gencnt, &p, &tx, &n);

    if (err) {
        return err;
    }
    if (tx) {
        return xs_tx_directory(s->db, tx, dom_id, &p, gencnt, fn, opaque);
    }
    xs_foreach_name(n->children, fn, opaque);
    return 0;
}

int xs_impl_rm(XenstoreImplState *s, unsigned int dom_id,
               xs_transaction_t tx_id, const char *path)
{
    XsPath p;
    XsTransaction *tx;
    XsNode *n, *anc, *parent;
    int err;

    err = xs_begin(s, dom_id, tx_id, path, false, &p, &tx);
    if (err) {
        return err;
    }
    if (p.len == 1) {
        return EINVAL;
    }
    trace_xenstore_impl_rm(dom_id, tx_id, p.buf);
    if (tx) {
        return xs_tx_rm(s->db, tx, dom_id, &p);
    }
    n = xs_lookup(s, &p, &anc, &parent, NULL);
    if (!n) {
        err = xs_missing_error(s, dom_id, anc);
        /* A missing node whose parent exists is already removed. */
        return err == ENOENT && parent ? 0 : err;
    }
    if (!(xs_perm_for(&s->db->access, n->perms, dom_id) & XS_PERM_WRITE)) {
        return EACCES;
    }
    xs_node_destroy(&s->db->snap, parent, n);
    xs_watch_fire_rm(&s->watches, p.buf, parent->perms);
    xs_tx_settle(s->db);
    return 0;
}

static XsPerms **xs_special_perms(XenstoreImplState *s, const XsPath *p)
{
    if (g_str_equal(p->buf, XS_INTRODUCE_DOMAIN_PATH)) {
        return &s->db->special_perms[XS_SPECIAL_INTRODUCE];
    }
    if (g_str_equal(p->buf, XS_RELEASE_DOMAIN_PATH)) {
        return &s->db->special_perms[XS_SPECIAL_RELEASE];
    }
    return NULL;
}

int xs_impl_get_perms(XenstoreImplState *s, unsigned int dom_id,
                      xs_transaction_t tx_id, const char *path,
                      GList **perms)
{
    XsPath p;
    XsTransaction *tx;
    XsPerms **special, *found;
    XsNode *n, *anc;
    int err;

    err = xs_begin(s, dom_id, tx_id, path, true, &p, &tx);
    if (err) {
        return err;
    }
    trace_xenstore_impl_get_perms(dom_id, tx_id, p.buf);
    if (p.special) {
        special = xs_special_perms(s, &p);
        if (!special) {
            return ENOENT;
        }
        found = *special;
    } else if (tx) {
        err = xs_tx_get_perms(s->db, tx, dom_id, &p, &found);
        if (err) {
            return err;
        }
    } else {
        n = xs_lookup(s, &p, &anc, NULL, NULL);
        if (!n) {
            return xs_missing_error(s, dom_id, anc);
        }
        found = n->perms;
    }
    if (!(xs_perm_for(&s->db->access, found, dom_id) & XS_PERM_READ)) {
        return EACCES;
    }
    *perms = xs_perms_to_list(found);
    return 0;
}


int xs_impl_set_perms(XenstoreImplState *s, unsigned int dom_id,
                      xs_transaction_t tx_id, const char *path,
                      GList *perms)
{
    XsPath p;
    XsTransaction *tx;
    XsPerms **special, *new;
    XsNode *n, *anc;
    int err;

    err = xs_begin(s, dom_id, tx_id, path, true, &p, &tx);
    if (err) {
        return err;
    }
    trace_xenstore_impl_set_perms(dom_id, tx_id, p.buf);
    new = xs_perms_from_list(perms);
    if (!new) {
        return EINVAL;
    }
    if (p.special) {
        special = xs_special_perms(s, &p);
        err = special ? xs_check_set_perms(&s->db->access, dom_id, *special,
                                           new) : ENOENT;
        if (err) {
            g_free(new);
            return err;
        }
        xs_perms_unref(*special);
        *special = new;
        return 0;
    }
    if (tx) {
        err = xs_tx_set_perms(s->db, tx, dom_id, &p, new);
        xs_perms_unref(new);
        return err;
    }
    n = xs_lookup(s, &p, &anc, NULL, NULL);
    if (!n) {
        err = xs_missing_error(s, dom_id, anc);
    } else {
        err = xs_check_set_perms(&s->db->access, dom_id, n->perms, new);
    }
    if (!err && !xs_is_privileged(&s->db->access, dom_id) &&
        xs_node_size(new, n->value_len, n->children_bytes) >
        xs_quota(&s->db->access, dom_id, XS_QUOTA_NODE_SIZE)) {
        err = E2BIG;
    }
    if (err) {
        g_free(new);
        return err;
    }
    xs_node_chmod(&s->db->snap, n, new);
    xs_watch_fire(&s->watches, p.buf, n->perms);
    xs_tx_settle(s->db);
    return 0;
}

/* ---- transactions: start and end; the rest is in xenstore_impl_txn.c */

int xs_impl_transaction_start(XenstoreImplState *s, unsigned int dom_id,
                              xs_transaction_t *tx_id)
{
    XsDomain *d = xs_domain(&s->db->access, dom_id, true);
    XsTransaction *tx;
    xs_transaction_t id;

    if (!d->privileged &&
        d->nr_txs >= xs_quota(&s->db->access, dom_id, XS_QUOTA_TRANSACTIONS)) {
        return ENOSPC;
    }
    do {
        id = ++s->db->next_tx_id;
    } while (id == XBT_NULL ||
             g_hash_table_contains(s->db->transactions, GUINT_TO_POINTER(id)));
    tx = xs_tx_new(s->db, dom_id, id);
    g_hash_table_insert(s->db->transactions, GUINT_TO_POINTER(tx->id), tx);
    d->nr_txs++;
    *tx_id = tx->id;
    trace_xenstore_impl_transaction_start(dom_id, tx->id);
    return 0;
}

int xs_impl_transaction_end(XenstoreImplState *s, unsigned int dom_id,
                            xs_transaction_t tx_id, bool commit)
{
    XsTransaction *tx = xs_tx_lookup(s->db, dom_id, tx_id);
    int err = 0;

    if (!tx) {
        return ENOENT;
    }
    g_hash_table_steal(s->db->transactions, GUINT_TO_POINTER(tx_id));
    xs_domain(&s->db->access, dom_id, true)->nr_txs--;
    if (commit) {
        err = xs_tx_commit(s->db, tx);   /* doomed: EAGAIN */
    }
    trace_xenstore_impl_transaction_end(dom_id, tx_id, commit, err);
    xs_tx_end(s->db, tx);
    xs_tx_settle(s->db);
    return err;
}

/* End every transaction of dom_id, or all of them with dom_id ~0u. */
static void xs_end_transactions(XenstoreImplState *s, unsigned int dom_id)
{
    g_autoptr(GPtrArray) ended = g_ptr_array_new();
    GHashTableIter iter;
    gpointer value;

    g_hash_table_iter_init(&iter, s->db->transactions);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        XsTransaction *tx = value;

        if (dom_id == ~0u || tx->dom_id == dom_id) {
            g_ptr_array_add(ended, tx);
            g_hash_table_iter_remove(&iter);
        }
    }
    for (guint i = 0; i < ended->len; i++) {
        XsTransaction *tx = g_ptr_array_index(ended, i);
        XsDomain *d = xs_domain(&s->db->access, tx->dom_id, false);

        if (d) {
            d->nr_txs--;
        }
        xs_tx_end(s->db, tx);
    }
    xs_tx_settle(s->db);
}

/* A domain's watches (every connection of it) and its transactions go. */
int xs_impl_reset_watches(XenstoreImplState *s, unsigned int dom_id)
{
    trace_xenstore_impl_reset_watches(dom_id);
    xs_watch_drop_domain(&s->watches, dom_id);
    xs_end_transactions(s, dom_id);
    return 0;
}


/* The saved part of a new store: "/", "/local", "/local/domain". */
static XsDb *xs_db_new(unsigned int dom_id)
{
    XsDb *db = g_new0(XsDb, 1);
    XsNode *local;

    db->guest_domid = dom_id;
    xs_access_init(&db->access);
    xs_snap_init(&db->snap, &db->access);
    db->transactions = g_hash_table_new(NULL, NULL);
    for (int i = 0; i < XS_SPECIAL__MAX; i++) {
        db->special_perms[i] = xs_perms_dom0_none();
    }
    db->root = xs_node_new("", 0, xs_perms_dom0_none(), NULL, 0,
                           ++db->snap.gen);
    xs_account_node(&db->access, db->root->perms, 1);
    local = xs_node_create(&db->snap, db->root, "local", 5,
                           xs_perms_ref(db->root->perms), NULL, 0);
    xs_node_create(&db->snap, local, "domain", 6,
                   xs_perms_ref(db->root->perms), NULL, 0);
    return db;
}

XenstoreImplState *xs_impl_create(unsigned int dom_id)
{
    XenstoreImplState *s = g_new0(XenstoreImplState, 1);

    s->db = xs_db_new(dom_id);
    xs_watch_init(&s->watches, &s->db->access);
    s->db->watches = &s->watches;
    return s;
}

/* Ending every transaction first frees every version and tombstone. */
static void xs_db_free(XenstoreImplState *s)
{
    XsDb *db = s->db;

    xs_end_transactions(s, ~0u);
    g_hash_table_destroy(db->transactions);
    xs_snap_destroy(&db->snap);
    xs_node_free_tree(db->root);
    xs_access_destroy(&db->access);
    for (int i = 0; i < XS_SPECIAL__MAX; i++) {
        xs_perms_unref(db->special_perms[i]);
    }
    g_free(db);
    s->db = NULL;
}

void xs_impl_destroy(XenstoreImplState *s)
{
    if (!s) {
        return;
    }
    xs_watch_free_all(&s->watches);
    g_hash_table_destroy(s->watches.watches);
    xs_db_free(s);
    g_free(s);
}

/*
 * Put the saved part of from into s (and s's into from, which the
 * caller destroys): the whole structure, so that nothing is left out.
 */
void xs_impl_swap_db(XenstoreImplState *s, XenstoreImplState *from)
{
    XsDb *db = s->db;

    /* Path-max below which no quota can apply: the smallest ever set. */
    from->db->access.min_path_quota = MIN(from->db->access.min_path_quota,
                                          db->access.min_path_quota);
    s->db = from->db;
    from->db = db;
    s->watches.access = &s->db->access;
    s->db->watches = &s->watches;
    from->watches.access = &from->db->access;
    from->db->watches = &from->watches;
}

/* ---- watches: the registry is the watch layer's ---- */

int xs_impl_watch_depth(XenstoreImplState *s, unsigned int dom_id,
                        const char *path, const char *token, int depth,
                        xs_impl_watch_fn fn, void *opaque)
{
    return xs_watch_add(&s->watches, dom_id, path, token, depth, fn,
                        opaque);
}

int xs_impl_watch(XenstoreImplState *s, unsigned int dom_id,
                  const char *path, const char *token,
                  xs_impl_watch_fn fn, void *opaque)
{
    return xs_watch_add(&s->watches, dom_id, path, token, -1, fn, opaque);
}

int xs_impl_unwatch(XenstoreImplState *s, unsigned int dom_id,
                    const char *path, const char *token,
                    xs_impl_watch_fn fn, void *opaque)
{
    return xs_watch_del(&s->watches, dom_id, path, token, fn, opaque);
}

void xs_impl_unwatch_all(XenstoreImplState *s, unsigned int dom_id,
                         xs_impl_watch_fn fn, void *opaque)
{
    xs_watch_del_conn(&s->watches, dom_id, fn, opaque);
}
