/*
 * Internal structures of the XenStore database, shared by its files:
 * the node tree, permissions, domains, watches and transactions.  Only
 * xenstore_impl*.c include this.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_XENSTORE_IMPL_INT_H
#define QEMU_XENSTORE_IMPL_INT_H

#include "hw/xen/xenstore_impl.h"
#include "xenstore_access.h"
#include "hw/xen/interface/io/xs_wire.h"
#include "hw/xen/interface/xen.h"

/*
 * A committed node.  Siblings form an AVL tree ordered like strcmp on
 * their names (left/right/height), so lookups are O(log n), listings are
 * an in-order walk, and there is no per-child allocation besides the node.
 *
 * While transactions are open a node may also carry older states for
 * their snapshots (old), and a removed node that a snapshot still sees
 * stays as a tombstone (dead) in its parent's tree of dead children
 * rather than in children: see xenstore_impl_snap.c.
 */
typedef struct XsNode XsNode;
typedef struct XsNodeVersion XsNodeVersion;
struct XsNode {
    XsNode *left, *right;       /* siblings, AVL */
    XsNode *children;           /* root of the live children's AVL tree */
    XsPerms *perms;
    uint8_t *value;             /* inline after the name, or its own block */
    XsNodeVersion *old;         /* older states kept for snapshots */
    uint64_t gen;               /* changes on every change to this node */
    uint64_t cgen;              /* changes with value, perms, creation */
    uint64_t key;               /* xs_name_key(name): orders most siblings */
    uint32_t children_bytes;    /* sum of strlen(live child name) + 1 */
    uint16_t value_len;
    uint16_t inline_cap;        /* value bytes that fit after the name */
    uint16_t name_len;
    /* One byte, so that a small node stays in a 128-byte heap chunk. */
    uint8_t height : 7;         /* AVL */
    uint8_t dead : 1;           /* a tombstone, kept for a snapshot */
    char name[];                /* "" for the root; then inline value */
};

/*
 * A node's state from generation from (its gen then) until to, kept
 * while an open transaction started in [from, to) may look at it.
 * perms NULL: the node did not exist then.
 */
struct XsNodeVersion {
    XsNodeVersion *older, *newer;       /* the node's chain, newest first */
    XsNodeVersion *tx_prev, *tx_next;   /* the holder's list */
    struct XsTransaction *holder;       /* the newest transaction needing it */
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

typedef struct XsWatch XsWatch;
struct XsWatch {
    char *wpath;                /* canonical */
    char *token;                /* NULL for backend watches */
    unsigned int dom_id;
    int depth;                  /* < 0: unlimited */
    unsigned int wpath_depth;   /* components in wpath */
    guint hash;                 /* of the s->watch_index key */
    size_t rel_off;             /* bytes to strip for relative reports */
    xs_impl_watch_fn *fn;
    void *opaque;
    GPtrArray *list;            /* registered: its path's list */
    XsWatch *next_hashed;       /* in its s->watch_index bucket */
    bool dead;                  /* unwatched while events were firing */
    char strings[];             /* registered: wpath, then token */
};

/* The live watches, chained in buckets by the hash of their key. */
typedef struct XsWatchIndex {
    XsWatch **buckets;          /* NULL until the first watch */
    guint mask;                 /* buckets - 1 (a power of two) */
    guint count;
} XsWatchIndex;

/* A node's state in a transaction's shadow tree: see xenstore_impl_txn.c */
typedef enum XsTxState {
    XS_TX_SAME,                 /* as in the snapshot; only a path holder */
    XS_TX_PRESENT,              /* exists in the transaction, own content */
    XS_TX_DELETED,              /* removed in the transaction */
} XsTxState;

typedef struct XsTxNode XsTxNode;
struct XsTxNode {
    XsTxNode **kids;            /* sorted by name */
    uint32_t nr_kids, kids_cap;
    XsTxState state;
    bool hide_committed;        /* removed here: snapshot subtree gone */
    bool own;                   /* PRESENT: created here, all content own */
    bool check_absent;          /* created where the snapshot had nothing */
    bool touched;               /* counts against transaction-nodes */
    bool value_set;             /* PRESENT: the value is the tx's own */
    bool perms_set;             /* PRESENT: the perms are the tx's own */
    bool changed;               /* fire a watch event at commit */
    bool removed;               /* the change was a removal */
    XsPerms *perms;             /* when perms_set or own */
    uint8_t *value;             /* when value_set or own */
    uint32_t value_len;
    uint16_t name_len;
    char name[];
};

/* Dependency kinds: what of a snapshot node an answer relied on. */
#define XS_DEP_CONTENT 1        /* cgen: value, perms, existence */
#define XS_DEP_ALL     2        /* gen: also the child list */

typedef struct XsTxDep {
    XsNode *node;
    uintptr_t kind;
} XsTxDep;

/*
 * The set of dependencies, keyed by node: the first few in a plain array
 * (most transactions depend on a handful of nodes), then open addressing.
 */
#define XS_TX_FEW_DEPS 4
typedef struct XsTxDeps {
    XsTxDep *slots;             /* cap > 0: cap slots, at most half full */
    uint32_t cap, n;
    XsTxDep few[XS_TX_FEW_DEPS];    /* cap == 0: n entries */
} XsTxDeps;

/* The entries, some of them empty (node NULL). */
static inline XsTxDep *xs_tx_deps_entries(XsTxDeps *d, uint32_t *count)
{
    *count = d->cap ? d->cap : d->n;
    return d->cap ? d->slots : d->few;
}

typedef struct XsTransaction XsTransaction;
struct XsTransaction {
    xs_transaction_t id;
    unsigned int dom_id;
    XsDomain *dom;              /* its accounting */
    uint64_t start;             /* the store's generation when started */
    XsTransaction *older, *newer;   /* open transactions, by start */
    bool open;                  /* in that list: its snapshot is kept */
    bool doomed;                /* its snapshot outgrew the budget */
    unsigned int nr_touched;    /* changed paths + dependencies: quota */
    unsigned int nr_created;    /* nodes it created, for the nodes quota */
    size_t bytes;               /* shadow, dependencies, versions held */
    XsTxNode *root;             /* the changes; NULL until the first */
    XsTxDeps deps;
    XsNodeVersion *versions;    /* versions it holds */
};

struct XenstoreImplState {
    XsNode *root;
    unsigned int guest_domid;
    uint64_t gen;               /* last generation handed out */
    xs_transaction_t next_tx_id;
    XsAccess access;            /* domains, quotas */
    GHashTable *transactions;   /* id -> XsTransaction */
    XsTransaction *tx_oldest, *tx_newest;   /* open ones, by start */
    GPtrArray *tx_over;         /* transactions to doom: over budget */
    GHashTable *dead_kids;      /* node -> AVL root of its dead children */
    GHashTable *dead_parent;    /* dead node -> its parent */
    GHashTable *watches;        /* wpath -> GPtrArray of XsWatch */
    XsWatchIndex watch_index;
    unsigned int nr_watches;
    unsigned int firing;        /* nesting depth of watch delivery */
    bool have_dead_watches;
    XsPerms *special_perms[2];  /* @introduceDomain, @releaseDomain */
};

/* strcmp order between a component with its key and a node's name. */
static inline int xs_node_cmp(const char *a, size_t alen, uint64_t akey,
                              const XsNode *n)
{
    if (akey != n->key) {
        return akey < n->key ? -1 : 1;
    }
    /* Equal keys: equal names when shorter than 8 (names hold no NUL). */
    if (alen < 8) {
        return 0;
    }
    return xs_name_cmp(a + 8, alen - 8, n->name + 8);
}

/* xenstore_impl.c */
uint64_t xs_next_gen(XenstoreImplState *s);
void xs_free_transactions_of(XenstoreImplState *s, unsigned int dom_id);

/* xenstore_impl_node.c */
XsNode *xs_node_child(XsNode *parent, const char *name, size_t len);
XsNode *xs_node_new(const char *name, size_t len, XsPerms *perms,
                    const uint8_t *value, uint32_t value_len, uint64_t gen);
void xs_node_link_child(XsNode *parent, XsNode *child);
void xs_node_unlink_child(XsNode *parent, XsNode *child);
XsNode *xs_avl_find(XsNode *root, const char *name, size_t len);
XsNode *xs_avl_insert(XsNode *root, XsNode *n);
XsNode *xs_avl_remove(XsNode *root, XsNode *target);
void xs_node_set_value(XsNode *n, const uint8_t *value, uint32_t len);
void xs_node_set_perms(XsAccess *a, XsNode *n, XsPerms *perms);
void xs_node_free(XsNode *n);
void xs_node_free_tree(XsAccess *a, XsNode *n);
void xs_node_foreach_child(XsNode *n, void (*fn)(XsNode *child, void *opaque),
                           void *opaque);
void xs_avl_foreach(XsNode *root, void (*fn)(XsNode *n, void *opaque),
                    void *opaque);

/* xenstore_impl_watch.c */
void xs_watch_fire(XenstoreImplState *s, const char *path,
                   const XsPerms *perms);
void xs_watch_fire_rm(XenstoreImplState *s, const char *path,
                      const XsPerms *parent_perms);
void xs_watch_fire_special(XenstoreImplState *s, int which);
void xs_watch_free_all(XenstoreImplState *s);
void xs_watch_drop_domain(XenstoreImplState *s, unsigned int dom_id);
void xs_watch_recount(XenstoreImplState *s);
void xs_watch_fire_all(XenstoreImplState *s);
void xs_watch_restore(XenstoreImplState *s, XsWatch *w, xs_impl_watch_fn fn,
                      void *opaque);

/* xenstore_impl_snap.c: changes that keep what open snapshots need */
void xs_snap_keep(XenstoreImplState *s, XsNode *n, uint64_t from,
                  uint64_t to);

/*
 * Every change to a committed node starts here: a new generation, and
 * the old state kept if an open transaction that started since that
 * state began may still look at it (the newest one tells).
 */
static inline void xs_node_begin_change(XenstoreImplState *s, XsNode *n)
{
    uint64_t from = n->gen;

    n->gen = ++s->gen;
    if (unlikely(s->tx_newest) && s->tx_newest->start >= from) {
        xs_snap_keep(s, n, from, n->gen);
    }
}
XsNode *xs_node_create(XenstoreImplState *s, XsNode *parent,
                       const char *name, size_t len, XsPerms *perms,
                       const uint8_t *value, uint32_t value_len);
void xs_node_write(XenstoreImplState *s, XsNode *n, const uint8_t *value,
                   uint32_t len);
void xs_node_chmod(XenstoreImplState *s, XsNode *n, XsPerms *perms);
void xs_node_destroy(XenstoreImplState *s, XsNode *parent, XsNode *n);
bool xs_node_state_at(const XsNode *n, uint64_t at, XsNodeState *st);
XsNode *xs_snap_child_slow(XenstoreImplState *s, XsNode *n, const char *name,
                           size_t len, uint64_t at, XsNode *live);
bool xs_node_visible_at(const XsNode *n, uint64_t at);
bool xs_snap_foreach_child(XenstoreImplState *s, XsNode *n, uint64_t at,
                           xs_impl_dir_fn *fn, void *opaque);
void xs_snap_release(XenstoreImplState *s, XsTransaction *tx,
                     XsTransaction *pred);
void xs_snap_free_tree(XenstoreImplState *s, XsNode *n);
/*
 * The child of n called name as the snapshot at generation at sees it.
 * A live child unchanged since then is the common case.
 */
static inline XsNode *xs_snap_child(XenstoreImplState *s, XsNode *n,
                                    const char *name, size_t len,
                                    uint64_t at)
{
    XsNode *c = xs_node_child(n, name, len);

    if (c && c->gen <= at) {
        return c;
    }
    return xs_snap_child_slow(s, n, name, len, at, c);
}

size_t xs_tx_budget(XenstoreImplState *s, unsigned int dom_id);
void xs_tx_charge(XenstoreImplState *s, XsTransaction *tx, ssize_t bytes);

/* xenstore_impl_txn.c */
XsTransaction *xs_tx_lookup(XenstoreImplState *s, unsigned int dom_id,
                            xs_transaction_t id);
XsTransaction *xs_tx_new(XenstoreImplState *s, unsigned int dom_id,
                         xs_transaction_t id);
void xs_tx_end(XenstoreImplState *s, XsTransaction *tx);
void xs_tx_doom(XenstoreImplState *s, XsTransaction *tx);
void xs_tx_settle_over(XenstoreImplState *s);

/* At the end of a call: doom transactions whose domain went over budget */
static inline void xs_tx_settle(XenstoreImplState *s)
{
    if (unlikely(s->tx_over->len)) {
        xs_tx_settle_over(s);
    }
}
bool xs_tx_valid(XenstoreImplState *s, XsTransaction *tx);
int xs_tx_dep_add(XenstoreImplState *s, XsTransaction *tx, XsNode *node,
                  unsigned int kind);
unsigned int xs_tx_dep_kind(XsTransaction *tx, XsNode *node);
XsTxNode *xs_txnode_new(const char *name, size_t len);
void xs_txnode_insert(XsTxNode *t, guint pos, XsTxNode *child);
int xs_tx_read(XenstoreImplState *s, XsTransaction *tx, unsigned int dom_id,
               XsPath *p, GByteArray *data);
int xs_tx_write(XenstoreImplState *s, XsTransaction *tx,
                unsigned int dom_id, XsPath *p, const uint8_t *value,
                uint32_t len, bool mkdir);
int xs_tx_directory(XenstoreImplState *s, XsTransaction *tx,
                    unsigned int dom_id, XsPath *p, uint64_t *gencnt,
                    xs_impl_dir_fn *fn, void *opaque);
int xs_tx_rm(XenstoreImplState *s, XsTransaction *tx, unsigned int dom_id,
             XsPath *p);
int xs_tx_get_perms(XenstoreImplState *s, XsTransaction *tx,
                    unsigned int dom_id, XsPath *p, XsPerms **perms);
int xs_tx_set_perms(XenstoreImplState *s, XsTransaction *tx,
                    unsigned int dom_id, XsPath *p, XsPerms *perms);
int xs_tx_commit(XenstoreImplState *s, XsTransaction *tx);

#endif
