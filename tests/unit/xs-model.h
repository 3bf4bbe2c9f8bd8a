/*
 * A reference model of the XenStore database, written from the spec
 * alone for the randomized test: a flat table path -> (value, perms),
 * per-transaction overlays, and the watch events each call must fire.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_UNIT_XS_MODEL_H
#define TESTS_UNIT_XS_MODEL_H

#include "hw/xen/interface/xen.h"
#include "xenstore_impl.h"

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

/* A committed node. */
typedef struct MNode {
    GByteArray *value;
    MPerms perms;
    uint64_t ver;               /* model generation: changes on any change */
} MNode;

/* An open transaction; its overlay is the model's own business. */
typedef struct MTx {
    xs_transaction_t id;        /* as the store gave it */
    unsigned int dom;
    GHashTable *shadow;         /* path -> what it holds for that path */
    unsigned int nr_created;
    unsigned int nr_touched;    /* read or changed nodes */
    bool removed_some;          /* has hidden a committed subtree */
} MTx;

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
} Model;

/* What a successful read, directory or get_perms must give. */
typedef struct MResult {
    char *canon;                /* the path, canonical */
    const GByteArray *value;    /* read: valid until the model changes */
    GPtrArray *children;        /* directory: sorted child names */
    uint64_t ver;               /* directory: the committed node's version,
                                 * 0 when only the transaction has it */
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
/* Entries as the store lists them: "r1". */
GPtrArray *model_perms_strings(const MPerms *p);

/* strcmp for g_ptr_array_sort() of strings. */
gint model_cmp_strp(gconstpointer a, gconstpointer b);

#endif
