/*
 * Helpers shared by the database tests: a store with homes for three
 * guest domains, string wrappers around the xs_impl_* node calls, a dump
 * of the tree, and a watch recorder of (path, token) pairs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_SUPPORT_XS_NODE_HELPERS_H
#define TESTS_SUPPORT_XS_NODE_HELPERS_H

#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_impl.h"

/* The privileged domain and three unprivileged ones. */
#define DOM0   0
#define GUEST  1    /* the guest the store serves */
#define OTHER  2    /* e.g. a driver domain acting as backend */
#define THIRD  3    /* a bystander */

G_DEFINE_AUTOPTR_CLEANUP_FUNC(XenstoreImplState, xs_impl_destroy)

/*
 * A new store serving GUEST, with /local/domain/<d> made by domain 0 and
 * owned by d ("n<d>") for d = GUEST, OTHER, THIRD.
 */
XenstoreImplState *xt_store_new(void);

/* Node calls with C strings; each returns the store's errno. */
int xt_write(XenstoreImplState *s, unsigned int dom, xs_transaction_t tx,
             const char *path, const char *value);
int xt_write_bytes(XenstoreImplState *s, unsigned int dom,
                   xs_transaction_t tx, const char *path,
                   const void *bytes, size_t len);
/* *value gets a NUL-terminated copy (caller frees), or NULL on error. */
int xt_read(XenstoreImplState *s, unsigned int dom, xs_transaction_t tx,
            const char *path, char **value);
/* *names gets the child names joined with ',' ("" when none). */
int xt_dir(XenstoreImplState *s, unsigned int dom, xs_transaction_t tx,
           const char *path, char **names, uint64_t *gencnt);
/* *perms gets the entries joined with ',' e.g. "n0,r1". */
int xt_get_perms(XenstoreImplState *s, unsigned int dom, xs_transaction_t tx,
                 const char *path, char **perms);
/* perms is a ','-separated list; "" passes an empty list. */
int xt_set_perms(XenstoreImplState *s, unsigned int dom, xs_transaction_t tx,
                 const char *path, const char *perms_csv);

/*
 * A new transaction of dom (asserted to start, with an id not 0); commit
 * and abort return the store's errno.
 */
xs_transaction_t xt_tx_start(XenstoreImplState *s, unsigned int dom);
int xt_tx_commit(XenstoreImplState *s, unsigned int dom,
                 xs_transaction_t tx);
int xt_tx_abort(XenstoreImplState *s, unsigned int dom, xs_transaction_t tx);

/* Domain 0 creates path with value and sets its perms (asserted). */
void xt_make(XenstoreImplState *s, const char *path, const char *value,
             const char *perms_csv);
/* Whether domain 0 can read path outside any transaction. */
bool xt_exists(XenstoreImplState *s, const char *path);
/* The generation of path (domain 0, outside any transaction). */
uint64_t xt_gencnt(XenstoreImplState *s, const char *path);

/*
 * Domain 0's reading of the tree under path, appended to out: a line
 * "path gencnt perms value" per node (value bytes other than printable
 * ASCII, and backslashes, as \xNN), parents first, children in listing
 * order.  Each node visited takes one from *left; none is visited once
 * it is 0 (left NULL: no bound).
 * Asserts that every node reads, lists and has permissions.
 */
void xt_dump_tree(XenstoreImplState *s, const char *path, GString *out,
                  unsigned int *left);
/* The whole tree, from "/", as a new string. */
char *xt_dump_store(XenstoreImplState *s);

/*
 * prefix followed by exactly len more bytes of path, made of components
 * of at most 60 letters so that no single child name is long.  len must
 * not end on a '/': the filler is adjusted to end in a letter.
 */
char *xt_long_path(const char *prefix, size_t len);

/* Assert a read succeeds with the given value (line of the caller). */
#define assert_value(s, dom, tx, path, expected)                        \
    do {                                                                \
        g_autofree char *v_ = NULL;                                     \
        g_assert_cmpint(xt_read(s, dom, tx, path, &v_), ==, 0);         \
        g_assert_cmpstr(v_, ==, expected);                              \
    } while (0)

#define assert_dir(s, dom, tx, path, expected)                          \
    do {                                                                \
        g_autofree char *n_ = NULL;                                     \
        g_assert_cmpint(xt_dir(s, dom, tx, path, &n_, NULL), ==, 0);    \
        g_assert_cmpstr(n_, ==, expected);                              \
    } while (0)

#define assert_perms(s, dom, tx, path, expected)                        \
    do {                                                                \
        g_autofree char *p_ = NULL;                                     \
        g_assert_cmpint(xt_get_perms(s, dom, tx, path, &p_), ==, 0);    \
        g_assert_cmpstr(p_, ==, expected);                              \
    } while (0)

/*
 * Watch recorder: one recorder is one connection (fn, opaque).  Events
 * are logged as "path|token" separated by single spaces; a NULL token is
 * logged as "(null)".
 */
typedef struct XtRecorder {
    GString *log;
    unsigned int count;
    char *taken;        /* what the last xt_rec_take returned */
} XtRecorder;

XtRecorder *xt_rec_new(void);
void xt_rec_free(XtRecorder *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(XtRecorder, xt_rec_free)

void xt_rec_fn(void *opaque, const char *path, const char *token);
/* The events logged since the last take, then forgets them. */
const char *xt_rec_take(XtRecorder *r);
/* The same, sorted with strcmp: for events of several watches at once. */
const char *xt_rec_take_sorted(XtRecorder *r);

int xt_watch(XenstoreImplState *s, unsigned int dom, const char *path,
             const char *token, XtRecorder *r);
int xt_unwatch(XenstoreImplState *s, unsigned int dom, const char *path,
               const char *token, XtRecorder *r);
/* Watch, assert it fired exactly once with (path, token), forget that. */
void xt_watch_ok(XenstoreImplState *s, unsigned int dom, const char *path,
                 const char *token, XtRecorder *r);

#endif
