/*
 * The XenStore database's watches (xenstore_impl_watch.c): the registry
 * of watches and the delivery of events, filtered by the access layer's
 * permission decision.  It knows nothing of nodes or transactions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_XENSTORE_WATCH_H
#define QEMU_XENSTORE_WATCH_H

#include "xenstore_access.h"

/* The two special watch paths. */
typedef enum XsSpecialPath {
    XS_SPECIAL_INTRODUCE,       /* @introduceDomain */
    XS_SPECIAL_RELEASE,         /* @releaseDomain */
    XS_SPECIAL__MAX,
} XsSpecialPath;

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

typedef struct XsWatches {
    GHashTable *watches;        /* wpath -> GPtrArray of XsWatch */
    XsWatchIndex watch_index;
    unsigned int nr_watches;
    unsigned int firing;        /* nesting depth of watch delivery */
    bool have_dead_watches;
    XsAccess *access;           /* the store's, refreshed by a load */
} XsWatches;

void xs_watch_init(XsWatches *s, XsAccess *access);
int xs_watch_add(XsWatches *s, unsigned int dom_id, const char *path,
                 const char *token, int depth, xs_impl_watch_fn fn,
                 void *opaque);
int xs_watch_del(XsWatches *s, unsigned int dom_id, const char *path,
                 const char *token, xs_impl_watch_fn fn, void *opaque);
void xs_watch_del_conn(XsWatches *s, unsigned int dom_id,
                       xs_impl_watch_fn fn, void *opaque);
void xs_watch_fire(XsWatches *s, const char *path, const XsPerms *perms);
void xs_watch_fire_rm(XsWatches *s, const char *path,
                      const XsPerms *parent_perms);
void xs_watch_fire_special(XsWatches *s, XsSpecialPath which,
                           const XsPerms *perms);
void xs_watch_free_all(XsWatches *s);
void xs_watch_drop_domain(XsWatches *s, unsigned int dom_id);
void xs_watch_recount(XsWatches *s);
void xs_watch_fire_all(XsWatches *s);
void xs_watch_restore(XsWatches *s, XsWatch *w, xs_impl_watch_fn fn,
                      void *opaque);

#endif
