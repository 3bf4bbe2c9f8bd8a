/*
 * Snapshots of the XenStore database's node tree (xenstore_impl_snap.c):
 * the changes every committed node goes through, which keep the states
 * and removed nodes that open snapshots still see, and what a snapshot
 * sees.  A snapshot's holder is a transaction, seen here only as the
 * holder it embeds.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_XENSTORE_SNAP_H
#define QEMU_XENSTORE_SNAP_H

#include "xenstore_node.h"

/*
 * A node's state from generation from (its gen then) until to, kept
 * while an open transaction started in [from, to) may look at it.
 * perms NULL: the node did not exist then.
 */
typedef struct XsNodeVersion XsNodeVersion;
struct XsNodeVersion {
    XsNodeVersion *older, *newer;       /* the node's chain, newest first */
    XsNodeVersion *tx_prev, *tx_next;   /* the holder's list */
    struct XsSnapHolder *holder;        /* the newest holder needing it */
    XsNode *node;
    uint64_t from, to, cgen;
    XsPerms *perms;
    uint32_t children_bytes;
    uint32_t value_len;
    uint8_t value[];
};

/* What a snapshot sees of a node: its current state or a kept version. */
typedef struct XsNodeState {
    const XsPerms *perms;
    const uint8_t *value;
    uint32_t value_len;
    uint32_t children_bytes;
    uint64_t gen, cgen;
} XsNodeState;

/*
 * One snapshot: taken at generation start, kept while open.  Its holder
 * counts in bytes what it keeps (versions attached to it, and whatever
 * else its owner charges) against its domain.
 */
typedef struct XsSnapHolder XsSnapHolder;
struct XsSnapHolder {
    uint64_t start;             /* the generation it sees */
    XsSnapHolder *older, *newer;    /* open holders, by start */
    bool open;
    XsNodeVersion *versions;    /* versions attached to it */
    size_t bytes;
    XsDomain *dom;
};

typedef struct XsSnap {
    uint64_t gen;               /* last generation handed out */
    XsSnapHolder *oldest, *newest;
    GPtrArray *over;            /* holders whose domain went over budget */
    GHashTable *dead_kids;      /* node -> AVL root of its dead children */
    GHashTable *dead_parent;    /* dead node -> its parent */
    XsAccess *access;
} XsSnap;

void xs_snap_init(XsSnap *sn, XsAccess *access);
void xs_snap_destroy(XsSnap *sn);

/* Holders: open at the current generation, close (versions pass on). */
void xs_snap_hold(XsSnap *sn, XsSnapHolder *h, XsDomain *dom);
void xs_snap_unhold(XsSnap *sn, XsSnapHolder *h);
size_t xs_snap_budget(XsAccess *a, unsigned int dom_id);
void xs_snap_charge(XsSnapHolder *h, ssize_t bytes);

void xs_snap_keep(XsSnap *sn, XsNode *n, uint64_t from, uint64_t to);

/*
 * Every change to a committed node starts here: a new generation, and
 * the old state kept if an open snapshot that started since that state
 * began may still look at it (the newest one tells).
 */
static inline void xs_node_begin_change(XsSnap *sn, XsNode *n)
{
    uint64_t from = n->gen;

    n->gen = ++sn->gen;
    if (unlikely(sn->newest) && sn->newest->start >= from) {
        xs_snap_keep(sn, n, from, n->gen);
    }
}

/* The changes, each through xs_node_begin_change(). */
XsNode *xs_node_create(XsSnap *sn, XsNode *parent, const char *name,
                       size_t len, XsPerms *perms, const uint8_t *value,
                       uint32_t value_len);
void xs_node_write(XsSnap *sn, XsNode *n, const uint8_t *value,
                   uint32_t len);
void xs_node_chmod(XsSnap *sn, XsNode *n, XsPerms *perms);
void xs_node_destroy(XsSnap *sn, XsNode *parent, XsNode *n);
void xs_snap_free_tree(XsSnap *sn, XsNode *n);
void xs_node_drop_tree(XsAccess *a, XsNode *n);

/* What the snapshot taken at generation at sees. */
bool xs_node_state_at(const XsNode *n, uint64_t at, XsNodeState *st);
bool xs_node_visible_at(const XsNode *n, uint64_t at);
XsNode *xs_snap_child_slow(XsSnap *sn, XsNode *n, const char *name,
                           size_t len, uint64_t at, XsNode *live);
bool xs_snap_foreach_child(XsSnap *sn, XsNode *n, uint64_t at,
                           xs_impl_dir_fn *fn, void *opaque);

/*
 * The child of n called name as the snapshot at generation at sees it.
 * A live child unchanged since then is the common case.
 */
static inline XsNode *xs_snap_child(XsSnap *sn, XsNode *n, const char *name,
                                    size_t len, uint64_t at)
{
    XsNode *c = xs_node_child(n, name, len);

    if (c && c->gen <= at) {
        return c;
    }
    return xs_snap_child_slow(sn, n, name, len, at, c);
}

#endif
