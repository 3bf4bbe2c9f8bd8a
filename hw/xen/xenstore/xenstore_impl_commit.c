/*
 * XenStore transactions, their life and their commit: start, end and
 * doom; the commit's checks (dependencies, nodes created elsewhere,
 * quotas against the store as it is) and how it applies the changes.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xenstore_txn.h"
#include "trace.h"

/* ---- start, end, doom ---- */

XsTransaction *xs_tx_new(XsDb *db, unsigned int dom_id,
                         xs_transaction_t id)
{
    XsSnap *sn = &db->snap;
    XsAccess *acc = &db->access;
    XsTransaction *tx = g_new0(XsTransaction, 1);

    tx->id = id;
    tx->dom_id = dom_id;
    xs_snap_hold(sn, &tx->hold, xs_domain(acc, dom_id, true));
    return tx;
}

/* Close it and give back everything it holds. */
static void xs_tx_drop(XsDb *db, XsTransaction *tx)
{
    XsSnap *sn = &db->snap;
    xs_snap_unhold(sn, &tx->hold);
    if (tx->root) {
        xs_txnode_free(tx->root);
        tx->root = NULL;
    }
    g_free(tx->deps.slots);
    memset(&tx->deps, 0, sizeof(tx->deps));
    /* What is left is its own: shadow nodes and dependencies. */
    xs_snap_charge(&tx->hold, -(ssize_t)tx->hold.bytes);
}

void xs_tx_end(XsDb *db, XsTransaction *tx)
{
    xs_tx_drop(db, tx);
    g_free(tx);
}

/* Its snapshot would outgrow the budget: from now on it answers EAGAIN. */
void xs_tx_doom(XsDb *db, XsTransaction *tx)
{
    trace_xenstore_tx_doom(tx->dom_id, tx->id, tx->hold.dom->tx_bytes);
    xs_tx_drop(db, tx);
    tx->doomed = true;
}

/* Doom the transactions whose domain went over budget in this call. */
void xs_tx_settle_over(XsDb *db)
{
    XsAccess *acc = &db->access;
    while (db->snap.over->len) {
        XsSnapHolder *h = g_ptr_array_steal_index_fast(db->snap.over, 0);
        XsTransaction *tx = container_of(h, XsTransaction, hold);

        if (h->open &&
            h->dom->tx_bytes > xs_snap_budget(acc, tx->dom_id)) {
            xs_tx_doom(db, tx);
        }
    }
}

/* ---- commit ---- */

/* Every node the transaction created where its snapshot had none. */
static bool xs_tx_still_absent(XsTxNode *t, XsNode *n)
{
    if (t->check_absent && n) {
        return false;
    }
    for (uint32_t i = 0; i < t->nr_kids; i++) {
        XsTxNode *k = t->kids[i];

        if (!xs_tx_still_absent(k, n ? xs_node_child(n, k->name,
                                                     k->name_len) : NULL)) {
            return false;
        }
    }
    return true;
}

/* Would every answer it gave still be the same now? */
bool xs_tx_valid(XsDb *db, XsTransaction *tx)
{
    uint32_t count;
    XsTxDep *deps = xs_tx_deps_entries(&tx->deps, &count);

    if (tx->doomed) {
        return false;
    }
    for (uint32_t i = 0; i < count; i++) {
        XsTxDep *d = &deps[i];

        if (!d->node) {
            continue;
        }
        /* Unchanged since the start: its generation is not newer. */
        if (d->node->dead ||
            ((d->kind & XS_DEP_ALL) ? d->node->gen : d->node->cgen) >
            tx->hold.start) {
            return false;
        }
    }
    return !tx->root || xs_tx_still_absent(tx->root, db->root);
}

typedef struct XsTxQuota {
    unsigned int dom_id;
    unsigned int created;
    unsigned int size_limit;
    bool too_big;
} XsTxQuota;

/* The node at t as the commit would leave it (n: it now, or NULL). */
static void xs_tx_quota_walk(XsTxQuota *q, XsTxNode *t, XsNode *n)
{
    XsNode *base = t->hide_committed || t->own ? NULL : n;
    uint32_t bytes = base ? base->children_bytes : 0;
    bool grows = false;

    if (t->state == XS_TX_DELETED) {
        return;
    }
    for (uint32_t i = 0; i < t->nr_kids; i++) {
        XsTxNode *k = t->kids[i];
        XsNode *now = base ? xs_node_child(base, k->name, k->name_len) : NULL;
        bool after = k->state == XS_TX_PRESENT ||
                     (k->state == XS_TX_SAME && now);

        if (after && !now) {
            bytes += k->name_len + 1;
            grows = true;
        } else if (!after && now) {
            bytes -= k->name_len + 1;
        }
        xs_tx_quota_walk(q, k, now);
    }
    if (t->state == XS_TX_PRESENT || grows) {
        const XsPerms *perms = t->own || t->perms_set ? t->perms :
                               n ? n->perms : NULL;
        uint32_t vlen = t->own || t->value_set ? t->value_len :
                        n ? n->value_len : 0;

        if (perms && xs_node_size(perms, vlen, bytes) > q->size_limit) {
            q->too_big = true;
        }
    }
    q->created += t->own;
}

/* The quotas against the store as it is now (unprivileged domains). */
static int xs_tx_quota_check(XsDb *db, XsTransaction *tx)
{
    XsAccess *acc = &db->access;
    XsTxQuota q = {
        .dom_id = tx->dom_id,
        .size_limit = xs_quota(acc, tx->dom_id, XS_QUOTA_NODE_SIZE),
    };
    XsDomain *d = xs_domain(acc, tx->dom_id, true);

    if (d->privileged || !tx->root) {
        return 0;
    }
    xs_tx_quota_walk(&q, tx->root, db->root);
    /* Like a call outside transactions: only creating checks it. */
    if (q.created &&
        d->nr_nodes + q.created >
        xs_quota(acc, tx->dom_id, XS_QUOTA_NODES)) {
        return ENOSPC;
    }
    return q.too_big ? E2BIG : 0;
}

typedef struct XsTxEvent {
    char *path;
    XsPerms *perms;             /* the node's, or the parent's if removed */
    bool removed;
} XsTxEvent;

typedef struct XsTxApply {
    XsDb *db;
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

/* Apply t at n (the live node there, or NULL) below parent. */
static void xs_tx_apply(XsTxApply *a, XsNode *parent, XsNode *n,
                        XsTxNode *t)
{
    XsSnap *sn = &a->db->snap;
    size_t saved = a->len;

    if (parent) {
        a->path[a->len++] = '/';
        memcpy(a->path + a->len, t->name, t->name_len + 1);
        a->len += t->name_len;
    }
    if (t->hide_committed && n) {
        xs_node_destroy(sn, parent, n);
        n = NULL;
    }
    if (t->state == XS_TX_DELETED) {
        if (t->changed) {
            xs_tx_add_event(a, parent->perms, true);
        }
        goto out;
    }
    if (t->state == XS_TX_PRESENT) {
        if (!n) {
            n = xs_node_create(sn, parent, t->name, t->name_len,
                               xs_perms_ref(t->perms), t->value,
                               t->value_len);
        } else {
            if (t->value_set) {
                xs_node_write(sn, n, t->value, t->value_len);
            }
            if (t->perms_set) {
                xs_node_chmod(sn, n, xs_perms_ref(t->perms));
            }
        }
        if (t->changed) {
            xs_tx_add_event(a, n->perms, false);
        }
    } else if (!n) {
        goto out;       /* cannot happen once the commit checks passed */
    }
    for (uint32_t i = 0; i < t->nr_kids; i++) {
        XsTxNode *k = t->kids[i];

        xs_tx_apply(a, n, xs_node_child(n, k->name, k->name_len), k);
    }
out:
    a->len = saved;
    a->path[saved] = '\0';
}

int xs_tx_commit(XsDb *db, XsTransaction *tx)
{
    XsSnap *sn = &db->snap;
    XsTxApply apply, *a = &apply;
    int err;

    if (!xs_tx_valid(db, tx)) {
        err = EAGAIN;
    } else {
        err = xs_tx_quota_check(db, tx);
    }
    /* Its own changes keep nothing for its snapshot. */
    xs_snap_unhold(sn, &tx->hold);
    if (err || !tx->root) {
        if (err) {
            trace_xenstore_tx_conflict(tx->id, err);
        }
        return err;
    }
    a->db = db;
    a->events = g_array_new(false, false, sizeof(XsTxEvent));
    a->len = 0;
    a->path[0] = '\0';
    xs_tx_apply(a, NULL, db->root, tx->root);

    /* Events go out once everything is in place, in path order. */
    for (guint i = 0; i < a->events->len; i++) {
        XsTxEvent *ev = &g_array_index(a->events, XsTxEvent, i);

        if (ev->removed) {
            xs_watch_fire_rm(db->watches, ev->path, ev->perms);
        } else {
            xs_watch_fire(db->watches, ev->path, ev->perms);
        }
        g_free(ev->path);
        xs_perms_unref(ev->perms);
    }
    g_array_free(a->events, true);
    return 0;
}
