/*
 * Internals of the reference model shared by its files: dependencies,
 * changes, and the functions the node table, the transactions and the
 * watches call in each other.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_UNIT_XS_MODEL_INT_H
#define TESTS_UNIT_XS_MODEL_INT_H

#include "xs-model.h"
#include "xs-model-rules.h"

/* What a dependency covers: cgen only, or gen (also the child list). */
typedef enum { DEP_CONTENT = 1, DEP_ALL = 2 } MDepKind;

typedef struct MDep {
    MDepKind kind;
    uint64_t ver;               /* the node's gen at the start */
    uint64_t cver;              /* and its cgen */
} MDep;

/* Who makes the change being made, for MStats. */
enum { SRC_DOM0, SRC_GUEST, SRC_COMMIT };

/* ---- the node table (xs-model.c) ---- */

/* A node with copies of perms and value; its value replaced. */
MNode *mnode_new(const MPerms *p, const uint8_t *value, size_t len);
void mnode_set_value(MNode *n, const uint8_t *value, size_t len);

/* A deep copy, generations included. */
GHashTable *table_copy(GHashTable *t);

/* What the node at path in t counts against node-size. */
uint32_t table_node_size(GHashTable *t, const char *path);

/* The components of a canonical path as prefixes: "/", "/a", "/a/b". */
GPtrArray *prefixes(const char *canon);

/* Is a strict ancestor of path (or path too, if self) in the set? */
bool prefix_in(GHashTable *set, const char *path, bool self);

/* Create path in t (the store, or a commit's trial copy of it). */
void store_create(Model *m, GHashTable *t, const char *path,
                  const MPerms *p, const uint8_t *value, size_t len);

/* Set a node's value (value != NULL) and/or perms (perms != NULL). */
void store_update(Model *m, GHashTable *t, const char *path,
                  const GByteArray *value, const MPerms *perms);

/* Remove path and everything below it from t. */
void store_remove_tree(Model *m, GHashTable *t, const char *path);

/* ---- watches (xs-model-watch.c) ---- */

/* A change to path, seen by those who may read perms. */
void model_fire(Model *m, const char *path, const MPerms *perms);

/* Removal of path: perms are its parent's. */
void model_fire_rm(Model *m, const char *path, const MPerms *perms);

/* @introduceDomain (0) or @releaseDomain (1) fired. */
void model_fire_special(Model *m, int which);

/* The watch table's free function; dropping a connection's watches. */
void mwatch_free(gpointer p);
void model_drop_watches(Model *m, unsigned int dom, int conn);

/* ---- transactions (xs-model-tx.c) ---- */

/* The transactions table's free function; the open one (dom, id). */
void mtx_free(gpointer p);
MTx *model_tx(Model *m, unsigned int dom, xs_transaction_t id);

/*
 * The bookkeeping of a request in tx that answered err: if the answer
 * depends on the store, a dependency of kind on dep_path (when the view
 * has that node from its snapshot), and if err is 0 the paths in
 * changing.  New dependencies and newly changed paths count against
 * transaction-nodes: ENOSPC, with nothing recorded, if they take the
 * transaction over it; else err.
 */
int tx_record(Model *m, MTx *tx, int err, const char *dep_path,
              MDepKind kind, GPtrArray *changing);

/* The transaction sets the value (value != NULL) or perms of a node. */
void tx_update(MTx *tx, const char *path, const GByteArray *value,
               const MPerms *perms);

/*
 * The transaction creates path (absent from its view).  Unless it is
 * there because the transaction removed it or an ancestor, it was absent
 * from the snapshot and must still be absent at commit.
 */
void tx_create(MTx *tx, const char *path, const MPerms *perms,
               const uint8_t *value, size_t len, bool event);

/* The transaction removes path and its subtree from its view. */
void tx_remove(MTx *tx, const char *path);

/* End every open transaction of dom. */
void model_drop_txs(Model *m, unsigned int dom);

#endif
