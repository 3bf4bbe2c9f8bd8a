/*
 * Small stores with representative content, built through the public
 * calls: the seeds of the saved-state fuzz target and the inputs of the
 * save/load unit test.  Each piece adds to what the store has.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_SUPPORT_XS_SAMPLE_STORES_H
#define TESTS_SUPPORT_XS_SAMPLE_STORES_H

#include "hw/xen/xenstore_impl.h"

/* A watch callback that ignores its events. */
void xt_sample_ignore_event(void *opaque, const char *path,
                            const char *token);

/*
 * What a booted guest 1 has: its home and name (domain 0's, readable by
 * it), its own data and device directories, a binary value, a backend
 * node of domain 0, and three watches of guest 1 (one with depth 1, one
 * on @releaseDomain) on the connection (fn, opaque).
 */
void xt_sample_booted_guest(XenstoreImplState *s, xs_impl_watch_fn *fn,
                            void *opaque);

/*
 * After the booted guest: two open transactions of guest 1.  The first
 * read a node, wrote a new subtree and removed another; the second set
 * permissions.  Their ids in *t1 and *t2 (either may be NULL).
 */
void xt_sample_open_transactions(XenstoreImplState *s, xs_transaction_t *t1,
                                 xs_transaction_t *t2);

/*
 * After the booted guest: a nodes quota for guest 1, a default watches
 * quota, features of guest 1, guest 1 introduced, domain 2 its target
 * controller, and permissions on @introduceDomain.
 */
void xt_sample_limits(XenstoreImplState *s);

/*
 * After all of the above: what the others leave out of a saved stream,
 * so that it has every kind of record: a node with four permission
 * entries, permissions on @releaseDomain, quotas of domain 3, and a
 * transaction of guest 1 that another change already doomed (its id in
 * *doomed, if not NULL).
 */
void xt_sample_more_records(XenstoreImplState *s, xs_transaction_t *doomed);

#endif
