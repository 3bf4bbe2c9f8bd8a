/*
 * The XenStore database's transactions (xenstore_impl_txn.c): snapshot
 * views, the shadow tree of changes, dependencies, commit, memory; and
 * the saved state they work on (XsDb).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_XENSTORE_TXN_H
#define QEMU_XENSTORE_TXN_H

#include "xenstore_snap.h"
#include "xenstore_watch.h"

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
    XsSnapHolder hold;          /* its snapshot, and the bytes it holds */
    xs_transaction_t id;
    unsigned int dom_id;
    bool doomed;                /* its snapshot outgrew the budget */
    unsigned int nr_touched;    /* changed paths + dependencies: quota */
    unsigned int nr_created;    /* nodes it created, for the nodes quota */
    XsTxNode *root;             /* the changes; NULL until the first */
    XsTxDeps deps;
};

/* Everything a save carries: a load replaces it as a whole. */
typedef struct XsDb {
    XsNode *root;
    unsigned int guest_domid;
    xs_transaction_t next_tx_id;
    XsAccess access;            /* domains, quotas */
    XsSnap snap;                /* generations, versions, tombstones */
    GHashTable *transactions;   /* id -> XsTransaction */
    XsPerms *special_perms[XS_SPECIAL__MAX];    /* by XsSpecialPath */
    XsWatches *watches;         /* the store's, for the events of commits */
} XsDb;

/* xenstore_impl_txn.c, xenstore_impl_commit.c */
XsTransaction *xs_tx_lookup(XsDb *db, unsigned int dom_id,
                            xs_transaction_t id);
XsTransaction *xs_tx_new(XsDb *db, unsigned int dom_id,
                         xs_transaction_t id);
void xs_tx_end(XsDb *db, XsTransaction *tx);
void xs_tx_doom(XsDb *db, XsTransaction *tx);
void xs_tx_settle_over(XsDb *db);

/* At the end of a call: doom transactions whose domain went over budget */
static inline void xs_tx_settle(XsDb *db)
{
    if (unlikely(db->snap.over->len)) {
        xs_tx_settle_over(db);
    }
}

bool xs_tx_valid(XsDb *db, XsTransaction *tx);
int xs_tx_dep_add(XsDb *db, XsTransaction *tx, XsNode *node,
                  unsigned int kind);
unsigned int xs_tx_dep_kind(XsTransaction *tx, XsNode *node);
XsTxNode *xs_txnode_new(const char *name, size_t len);
void xs_txnode_free(XsTxNode *t);
void xs_txnode_insert(XsTxNode *t, guint pos, XsTxNode *child);
int xs_tx_read(XsDb *db, XsTransaction *tx, unsigned int dom_id,
               XsPath *p, GByteArray *data);
int xs_tx_write(XsDb *db, XsTransaction *tx,
                unsigned int dom_id, XsPath *p, const uint8_t *value,
                uint32_t len, bool mkdir);
int xs_tx_directory(XsDb *db, XsTransaction *tx,
                    unsigned int dom_id, XsPath *p, uint64_t *gencnt,
                    xs_impl_dir_fn *fn, void *opaque);
int xs_tx_rm(XsDb *db, XsTransaction *tx, unsigned int dom_id,
             XsPath *p);
int xs_tx_get_perms(XsDb *db, XsTransaction *tx,
                    unsigned int dom_id, XsPath *p, XsPerms **perms);
int xs_tx_set_perms(XsDb *db, XsTransaction *tx,
                    unsigned int dom_id, XsPath *p, XsPerms *perms);
int xs_tx_commit(XsDb *db, XsTransaction *tx);

#endif
