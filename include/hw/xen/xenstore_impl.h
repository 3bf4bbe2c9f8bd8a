/*
 * The in-tree XenStore database: nodes, permissions, watches,
 * transactions, per-domain quotas and state save/load.  It knows nothing
 * of rings, sockets or the main loop.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_XENSTORE_IMPL_H
#define QEMU_XENSTORE_IMPL_H

#include "qemu/error.h"

typedef uint32_t xs_transaction_t;
#define XBT_NULL 0

/* Permission bits, as in an entry "<letter><domid>". */
#define XS_PERM_NONE  0x00
#define XS_PERM_READ  0x01
#define XS_PERM_WRITE 0x02
#define XS_PERM_BOTH  (XS_PERM_READ | XS_PERM_WRITE)

/* Special (@-prefixed) watch paths. */
#define XS_INTRODUCE_DOMAIN_PATH "@introduceDomain"
#define XS_RELEASE_DOMAIN_PATH "@releaseDomain"

/* Domain id that names the default quotas in the quota calls. */
#define XS_QUOTA_DEFAULT_DOMID (~0u)

/* Quotas; the names are the ones GET_QUOTA / SET_QUOTA use. */
typedef enum XsQuota {
    XS_QUOTA_NODES,          /* "nodes": nodes owned (ENOSPC) */
    XS_QUOTA_NODE_SIZE,      /* "node-size": bytes of one node (E2BIG) */
    XS_QUOTA_WATCHES,        /* "watches" (E2BIG) */
    XS_QUOTA_TRANSACTIONS,   /* "transactions": open at once (ENOSPC) */
    XS_QUOTA_PERMS,          /* "permissions": entries per node (ENOSPC) */
    XS_QUOTA_PATH_MAX,       /* "path-max": relative path bytes (E2BIG) */
    XS_QUOTA_TX_NODES,       /* "transaction-nodes": touched (ENOSPC) */
    XS_QUOTA_WATCH_EVENTS,   /* "outstanding": undelivered events */
    XS_QUOTA__MAX,
} XsQuota;

typedef struct XenstoreImplState XenstoreImplState;

/*
 * Watch callback.  path and token are valid only during the call; the
 * path is relative when the watch was registered with a relative path.
 * token is NULL for watches registered with a NULL token.
 */
typedef void (xs_impl_watch_fn)(void *opaque, const char *path,
                                const char *token);

/*
 * A new store holding "/", "/local" and "/local/domain" (owned by domain
 * 0, no access for others).  dom_id is the guest domain the store serves;
 * it is remembered for xs_impl_deserialize() and nothing is created for it.
 */
XenstoreImplState *xs_impl_create(unsigned int dom_id);
void xs_impl_destroy(XenstoreImplState *s);

/* "r1", "w0", "b3", "n0": a new string the caller frees. */
char *xs_perm_as_string(unsigned int perm, unsigned int domid);

/*
 * Node calls.  Each returns 0 or a positive errno from the XenStore error
 * table.  Paths are absolute, or relative to /local/domain/<dom_id>.
 */
int xs_impl_read(XenstoreImplState *s, unsigned int dom_id,
                 xs_transaction_t tx_id, const char *path, GByteArray *data);
int xs_impl_write(XenstoreImplState *s, unsigned int dom_id,
                  xs_transaction_t tx_id, const char *path,
                  GByteArray *data);
int xs_impl_mkdir(XenstoreImplState *s, unsigned int dom_id,
                  xs_transaction_t tx_id, const char *path);
int xs_impl_directory(XenstoreImplState *s, unsigned int dom_id,
                      xs_transaction_t tx_id, const char *path,
                      uint64_t *gencnt, GList **items);
/*
 * The same listing without allocating: fn gets each child name in order
 * (valid during the call) and returns false to stop early.
 */
typedef bool (xs_impl_dir_fn)(void *opaque, const char *name);
int xs_impl_directory_foreach(XenstoreImplState *s, unsigned int dom_id,
                              xs_transaction_t tx_id, const char *path,
                              uint64_t *gencnt, xs_impl_dir_fn *fn,
                              void *opaque);
int xs_impl_rm(XenstoreImplState *s, unsigned int dom_id,
               xs_transaction_t tx_id, const char *path);
int xs_impl_get_perms(XenstoreImplState *s, unsigned int dom_id,
                      xs_transaction_t tx_id, const char *path,
                      GList **perms);
int xs_impl_set_perms(XenstoreImplState *s, unsigned int dom_id,
                      xs_transaction_t tx_id, const char *path,
                      GList *perms);

/* Transactions. */
int xs_impl_transaction_start(XenstoreImplState *s, unsigned int dom_id,
                              xs_transaction_t *tx_id);
int xs_impl_transaction_end(XenstoreImplState *s, unsigned int dom_id,
                            xs_transaction_t tx_id, bool commit);

/*
 * Watches.  A watch is identified by (dom_id, path, token, fn, opaque):
 * one connection is one (fn, opaque).  Registering calls fn once before
 * returning 0.  xs_impl_watch has unlimited depth; xs_impl_watch_depth
 * limits events to paths at most depth components below path (depth < 0:
 * unlimited).
 */
int xs_impl_watch(XenstoreImplState *s, unsigned int dom_id,
                  const char *path, const char *token,
                  xs_impl_watch_fn fn, void *opaque);
int xs_impl_watch_depth(XenstoreImplState *s, unsigned int dom_id,
                        const char *path, const char *token, int depth,
                        xs_impl_watch_fn fn, void *opaque);
int xs_impl_unwatch(XenstoreImplState *s, unsigned int dom_id,
                    const char *path, const char *token,
                    xs_impl_watch_fn fn, void *opaque);
/*
 * Drops every watch of the domain, of all its connections, and ends its
 * open transactions.  Only for a domain with a single connection (a
 * guest ring) or none yet; a connection of a domain that has several
 * drops its own with xs_impl_unwatch_all() and ends its own transactions.
 */
int xs_impl_reset_watches(XenstoreImplState *s, unsigned int dom_id);
/* Drops the watches of one connection (fn, opaque) only. */
void xs_impl_unwatch_all(XenstoreImplState *s, unsigned int dom_id,
                         xs_impl_watch_fn fn, void *opaque);

/*
 * Domains.  Domain 0 is privileged unless configured otherwise.
 * introduce fires @introduceDomain; release fires @releaseDomain and drops
 * the domain's watches and transactions (its nodes stay); resume only
 * checks that the domain is introduced (ENOENT otherwise).
 *
 * introduce, release, resume, set_target (either domid), set_quota and
 * set_features answer EINVAL, changing nothing, when they name domain 0
 * (even if configured unprivileged), any privileged domain or a reserved
 * id: many connections act as such a domain (socket clients, backends),
 * and none of them may lose its watches or transactions to another.
 */
void xs_impl_set_privileged(XenstoreImplState *s, unsigned int dom_id,
                            bool privileged);
bool xs_impl_is_privileged(XenstoreImplState *s, unsigned int dom_id);
/* dom_id gets owner rights on target's nodes; DOMID_INVALID clears. */
int xs_impl_set_target(XenstoreImplState *s, unsigned int dom_id,
                       unsigned int target);
int xs_impl_introduce_domain(XenstoreImplState *s, unsigned int dom_id);
int xs_impl_release_domain(XenstoreImplState *s, unsigned int dom_id);
int xs_impl_resume_domain(XenstoreImplState *s, unsigned int dom_id);
bool xs_impl_is_domain_introduced(XenstoreImplState *s, unsigned int dom_id);

/*
 * Quotas, for one domain or (XS_QUOTA_DEFAULT_DOMID) the defaults that
 * domains without their own value use.  Privileged domains have none:
 * setting one of theirs is EINVAL (see above); reading is allowed.
 */
const char *xs_quota_name(XsQuota q);
int xs_quota_from_name(const char *name);   /* XsQuota, or -1 */
unsigned int xs_impl_get_quota(XenstoreImplState *s, unsigned int dom_id,
                               XsQuota q);
int xs_impl_set_quota(XenstoreImplState *s, unsigned int dom_id,
                      XsQuota q, unsigned int value);
/* Nodes the domain owns now (what the "nodes" quota is checked against). */
unsigned int xs_impl_domain_nodes(XenstoreImplState *s, unsigned int dom_id);

/*
 * Per-domain protocol feature bits (XENSTORE_SERVER_FEATURE_*), as
 * GET_FEATURE / SET_FEATURE see them.  A domain without its own value has
 * XS_IMPL_DEFAULT_FEATURES.  Saved and loaded with the store.
 */
#define XS_IMPL_DEFAULT_FEATURES 0x7   /* RECONNECTION | ERROR | WATCHDEPTH */
uint32_t xs_impl_get_features(XenstoreImplState *s, unsigned int dom_id);
int xs_impl_set_features(XenstoreImplState *s, unsigned int dom_id,
                         uint32_t features);

/*
 * Save and load, in the record layout of Xen's xenstore-migration format
 * plus a versioned record of ours.  deserialize borrows bytes; on error it
 * returns a positive errno and leaves s untouched.  Watches of dom_id in
 * the stream are restored with (watch_fn, watch_opaque); watches already
 * in s for other domains stay and fire once.
 */
GByteArray *xs_impl_serialize(XenstoreImplState *s);
/* The same load, saying in errp what is wrong with a refused stream. */
bool xs_impl_load(XenstoreImplState *s, const uint8_t *bytes, size_t len,
                  unsigned int dom_id, xs_impl_watch_fn watch_fn,
                  void *watch_opaque, Error **errp);
int xs_impl_deserialize(XenstoreImplState *s, GByteArray *bytes,
                        unsigned int dom_id, xs_impl_watch_fn watch_fn,
                        void *watch_opaque);

#endif
