/*
 * The XenStore database's access layer (xenstore_access.c): domains,
 * quotas, permission lists and the permission decision, path rules.  It
 * knows nothing of nodes, watches or transactions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_XENSTORE_ACCESS_H
#define QEMU_XENSTORE_ACCESS_H

#include "hw/xen/xenstore_impl.h"
#include "hw/xen/interface/io/xs_wire.h"
#include "hw/xen/interface/xen.h"

/* Longest canonical path we ever build, plus its NUL. */
#define XS_PATH_BUF (XENSTORE_ABS_PATH_MAX + 1)
/* Largest value a node may hold (what a saved node record can carry). */
#define XS_VALUE_MAX 0xffff
/* Longest "/local/domain/<domid>" home, with room to spare. */
#define XS_HOME_MAX 32

/*
 * A permission list, shared by reference between nodes (a new node copies
 * its parent's list, which is nearly always the same) and copied on write.
 */
typedef struct XsPermEntry {
    uint32_t domid;
    uint8_t perm;               /* XS_PERM_* */
} XsPermEntry;

typedef struct XsPerms {
    unsigned int refcnt;
    unsigned int n;             /* >= 1; entry 0 is the owner and default */
    XsPermEntry e[];
} XsPerms;

/* Per-domain accounting and settings, created on first use. */
typedef struct XsDomain {
    unsigned int domid;
    unsigned int nr_nodes;      /* nodes whose perms[0].domid is this */
    unsigned int nr_watches;
    unsigned int nr_txs;
    size_t tx_bytes;            /* held by its open transactions */
    unsigned int target;        /* SET_TARGET, DOMID_INVALID when none */
    bool privileged;
    bool introduced;
    bool has_features;
    uint32_t features;
    uint32_t quota_set;         /* bit q: quota[q] overrides the default */
    unsigned int quota[XS_QUOTA__MAX];
} XsDomain;

/*
 * A watch.  A registered one is a single block holding its path and
 * token, is in its path's list (s->watches, in registration order) and,
 * until unwatched, in s->watch_index, which finds it by (dom_id, wpath,
 * token, fn, opaque) without scanning that list.
 */
/* The domains and the default quotas. */
typedef struct XsAccess {
    GHashTable *domains;        /* domid -> XsDomain */
    XsDomain *last_domain;      /* one-entry lookup cache */
    unsigned int default_quota[XS_QUOTA__MAX];
    unsigned int min_path_quota;    /* smallest path-max ever set */
} XsAccess;

/* A resolved path: canonical absolute form and how it was given. */
typedef struct XsPath {
    char buf[XS_PATH_BUF];
    size_t len;
    size_t rel_off;             /* home length + 1 if given relative */
    size_t rel_len;             /* what counts against path-max */
    bool special;               /* starts with '@' */
} XsPath;

void xs_access_init(XsAccess *a);
void xs_access_destroy(XsAccess *a);
XsDomain *xs_domain(XsAccess *a, unsigned int domid, bool create);
bool xs_is_privileged(XsAccess *a, unsigned int domid);
unsigned int xs_quota(XsAccess *a, unsigned int domid, XsQuota q);

XsPerms *xs_perms_new(unsigned int n);
XsPerms *xs_perms_ref(XsPerms *p);
void xs_perms_unref(XsPerms *p);
bool xs_perms_equal(const XsPerms *a, const XsPerms *b);
XsPerms *xs_perms_dom0_none(void);
bool xs_perm_parse(const char *str, XsPermEntry *e);
GList *xs_perms_to_list(const XsPerms *p);
XsPerms *xs_perms_from_list(GList *list);
unsigned int xs_perm_for(XsAccess *a, const XsPerms *p, unsigned int domid);
XsPerms *xs_perms_for_new_node(XsAccess *a, XsPerms *parent,
                               unsigned int domid);
uint32_t xs_node_size(const XsPerms *p, uint32_t value_len,
                      uint32_t children_bytes);
void xs_account_node(XsAccess *a, const XsPerms *p, int delta);

/* The path rules of every call; resolve also applies the path-max quota. */
int xs_path_check(XsAccess *a, unsigned int dom_id, const char *path,
                  bool allow_special, XsPath *out);
int xs_path_resolve(XsAccess *a, unsigned int dom_id, const char *path,
                    bool allow_special, XsPath *out);
int xs_missing_error_perms(XsAccess *a, unsigned int dom_id,
                           const XsPerms *anc_perms);
int xs_check_set_perms(XsAccess *a, unsigned int dom_id,
                       const XsPerms *cur, const XsPerms *new);
int xs_check_create(XsAccess *a, unsigned int dom_id,
                    const XsPerms *anc_perms, uint32_t anc_size_after,
                    unsigned int new_nodes, unsigned int pending_created,
                    uint32_t leaf_size);

/*
 * The first 8 bytes of a name, big endian, zero padded: comparing keys as
 * integers gives strcmp order on those bytes, so most sibling comparisons
 * are one integer comparison.
 */
static inline uint64_t xs_name_key(const char *name, size_t len)
{
    uint64_t key = 0;

    for (size_t i = 0; i < len && i < 8; i++) {
        key |= (uint64_t)(unsigned char)name[i] << (56 - 8 * i);
    }
    return key;
}

/* strcmp order between a path component (not NUL-terminated) and a name */
static inline int xs_name_cmp(const char *a, size_t alen, const char *b)
{
    size_t i;

    for (i = 0; i < alen; i++) {
        unsigned char ca = a[i], cb = b[i];

        if (ca != cb) {
            return cb ? (int)ca - (int)cb : 1;
        }
    }
    return b[i] ? -1 : 0;
}

/* Helpers for walking a canonical path one component at a time. */
static inline const char *xs_path_next(const char *p, size_t *len)
{
    size_t n = 0;

    while (p[n] && p[n] != '/') {
        n++;
    }
    *len = n;
    return p;
}

#endif
