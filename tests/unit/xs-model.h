/*
 * A reference model of the XenStore database, written from the spec
 * alone for the randomized test: a flat table path -> (value, perms,
 * generations), the watch events each call must fire, and transactions
 * as docs/devel/xenstore-database.md defines them:
 *
 * - snapshot: a transaction copies the whole table when it starts and
 *   works on its copy (its view), so every request sees the store as it
 *   was then plus its own changes;
 * - dependencies: each request records CONTENT or ALL on the node of the
 *   view it depended on (only nodes seen through the snapshot);
 * - commit: EAGAIN if a dependency changed or a node it created exists
 *   now; then the quotas on a trial run against the store as it is now;
 *   then the changes are applied in path order, events once per node.
 *
 * Where the rules leave a choice, the model takes these:
 * - transaction-nodes counts the distinct paths it depends on (their
 *   snapshot nodes) or ever changed, created or removed, each once (a
 *   node read and written counts once); a request is checked against it
 *   after all
 *   its other checks, only if it adds to the count, and ENOSPC then
 *   replaces its answer with nothing recorded;
 * - the nodes quota of a request in a transaction counts the nodes the
 *   domain owns in the store now plus those the transaction created;
 * - a node it created and then removed must still be absent at commit,
 *   one it created below a node it then removed need not;
 * - DIRECTORY refused with EACCES records ALL, as it would on success;
 * - at commit ENOSPC comes before E2BIG; "the nodes the commit creates"
 *   include nodes created again after the transaction removed them;
 *   sizes are those the nodes would have after the commit;
 * - DIRECTORY's gencnt in a transaction is the node's gen at its start,
 *   also after the transaction changed it, and 0 for a node it made;
 * - events are as outside transactions: the node a call named fires,
 *   parents created on the way do not;
 * - a save/load round trip keeps no snapshot: a transaction whose commit
 *   would conflict then is doomed (every request and its commit answer
 *   EAGAIN), the others see the loaded store plus their own changes
 *   (which agrees with everything they depended on).
 *
 * Out of scope: the transaction memory budget of the "Memory" section
 * (ENOSPC of a request over it, dooming).  The randomized test keeps
 * every domain far below its budget (model_tx_bytes() is a generous
 * estimate it uses for that), so the store never gets there.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_UNIT_XS_MODEL_H
#define TESTS_UNIT_XS_MODEL_H

#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_impl.h"

#define MODEL_NDOMS 4           /* 0 privileged; 1-3 guests */
#define MODEL_MAX_DOMID 8       /* introduce/release use domains 1-7 */
#define MODEL_MAX_PERMS 8
#define MODEL_VALUE_MAX 65535   /* larger values: E2BIG */

typedef struct MPerms {
    unsigned int n;
    struct {
        uint8_t perm;           /* XS_PERM_* */
        unsigned int dom;
    } e[MODEL_MAX_PERMS];
} MPerms;

/* A node. */
typedef struct MNode {
    GByteArray *value;
    MPerms perms;
    uint64_t ver;               /* gen: changes on any change */
    uint64_t cver;              /* cgen: creation, value or perms set */
} MNode;

/*
 * An open transaction.  view is its own copy of the table: the store at
 * its start plus its changes; there a node keeps the generations it had
 * at the start, and a node the transaction made has ver 0.
 */
typedef struct MTx {
    xs_transaction_t id;        /* as the store gave it */
    unsigned int dom;
    GHashTable *view;           /* path -> MNode */
    GHashTable *deps;           /* path -> what it depends on there */
    GHashTable *changes;        /* path -> what the commit does there */
    GHashTable *changed;        /* paths ever changed (transaction-nodes) */
    GHashTable *removed;        /* paths it removed */
    GHashTable *created;        /* paths it created, absent at its start */
    unsigned int nr_created;    /* nodes created, for the nodes quota */
    bool doomed;                /* conflicting when saved: all EAGAIN */
    GHashTable *outside;        /* paths others changed since its start */
} MTx;

/*
 * What the run exercised of the transaction rules.  Sources: 0 domain 0
 * outside transactions, 1 a guest outside transactions, 2 a commit.
 */
typedef struct MStats {
    /* A change to a node another open transaction depends on, changed
     * (or removed), or created; counted per transaction. */
    unsigned int hit_dep[3];
    unsigned int hit_changed[3];
    unsigned int hit_created[3];
    unsigned int hit_owner;     /* new owner of a node it depends on */
    unsigned int hit_subtree;   /* removal of 2+ nodes, one it used */
    unsigned int stale;         /* answers the live store would not give */
    unsigned int eagain[3];     /* commit: CONTENT, ALL, created exists */
    unsigned int commit_quota;  /* commit: ENOSPC or E2BIG */
    unsigned int commit_ok;     /* commit: applied ... */
    unsigned int commit_ok_busy;    /* ... although others changed nodes */
} MStats;

/* A watch of one connection (conn: the caller's index for it). */
typedef struct MWatch {
    unsigned int dom;
    int conn;
    char *canon;                /* the path, canonical */
    char *token;
    int depth;
    size_t rel_off;             /* bytes a relative watch strips */
} MWatch;

typedef struct Model {
    GHashTable *nodes;          /* canonical path -> MNode */
    uint64_t ver;
    GPtrArray *txs;             /* MTx, open */
    GHashTable *ended;          /* ids of ended transactions (stale) */
    GPtrArray *watches;         /* MWatch, in registration order */
    bool introduced[MODEL_MAX_DOMID];
    unsigned int target[MODEL_NDOMS];   /* SET_TARGET, or DOMID_INVALID */
    unsigned int quota[MODEL_NDOMS][XS_QUOTA__MAX];
    MPerms special[2];          /* @introduceDomain, @releaseDomain */
    GPtrArray *events;          /* expected "conn|path|token" */
    int source;                 /* of the change being made (MStats) */
    MTx *committing;
    MStats stats;
    char *why;                  /* why the last commit failed, or NULL */
} Model;

/* What a successful read, directory or get_perms must give. */
typedef struct MResult {
    char *canon;                /* the path, canonical */
    const GByteArray *value;    /* read: valid until the model changes */
    GPtrArray *children;        /* directory: sorted child names */
    uint64_t ver;               /* directory: the node's version, in a
                                 * transaction as at its start; 0 for a
                                 * node the transaction made */
    MPerms perms;               /* get_perms */
} MResult;

/* The tree and quotas of a new store; no domain introduced. */
void model_init(Model *m);
void model_destroy(Model *m);
void model_result_clear(MResult *res);

/*
 * The calls, as domain dom: each returns the errno the store must give,
 * applies what the store must apply and adds the events it must fire to
 * m->events.  id is a transaction id or XBT_NULL.
 */
int model_read(Model *m, unsigned int dom, xs_transaction_t id,
               const char *path, MResult *res);
int model_directory(Model *m, unsigned int dom, xs_transaction_t id,
                    const char *path, MResult *res);
int model_get_perms(Model *m, unsigned int dom, xs_transaction_t id,
                    const char *path, MResult *res);
/* perms: strings such as "r1", as the call is given them. */
int model_set_perms(Model *m, unsigned int dom, xs_transaction_t id,
                    const char *path, GList *perms);
/* value is NULL for mkdir. */
int model_write(Model *m, unsigned int dom, xs_transaction_t id,
                const char *path, const GByteArray *value, bool mkdir);
int model_rm(Model *m, unsigned int dom, xs_transaction_t id,
             const char *path);

/* Starting one: the errno; if 0, the store's id goes to model_tx_opened. */
int model_tx_start(Model *m, unsigned int dom);
bool model_tx_is_open(Model *m, xs_transaction_t id);
void model_tx_opened(Model *m, unsigned int dom, xs_transaction_t id);
int model_tx_end(Model *m, unsigned int dom, xs_transaction_t id,
                 bool commit);

int model_watch(Model *m, unsigned int dom, int conn, const char *path,
                const char *token, int depth);
int model_unwatch(Model *m, unsigned int dom, int conn, const char *path,
                  const char *token);
void model_reset_watches(Model *m, unsigned int dom);
void model_unwatch_all(Model *m, unsigned int dom, int conn);
void model_introduce(Model *m, unsigned int dom);
int model_release(Model *m, unsigned int dom);
/* The store was saved and loaded as domain dom: only its watches stay. */
void model_loaded_as(Model *m, unsigned int dom);

/* The committed store, to compare whole. */
MNode *model_committed(Model *m, const char *path);
/* Sorted; the paths are the model's, valid until it changes. */
GPtrArray *model_committed_paths(Model *m);
/* Sorted names of the committed children of path. */
GPtrArray *model_committed_children(Model *m, const char *path);
unsigned int model_owned_by(Model *m, unsigned int dom);
/*
 * A generous estimate of the bytes the open transactions of dom hold in
 * the store (shadow nodes, dependencies, kept versions), to compare with
 * its budget, 2 x transaction-nodes x node-size.
 */
size_t model_tx_bytes(Model *m, unsigned int dom);
/* Entries as the store lists them: "r1". */
GPtrArray *model_perms_strings(const MPerms *p);

/* strcmp for g_ptr_array_sort() of strings. */
gint model_cmp_strp(gconstpointer a, gconstpointer b);

#endif
