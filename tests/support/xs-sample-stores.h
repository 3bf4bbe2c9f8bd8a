/*
 * Small stores with representative content, built through the public
 * calls: the seeds of the saved-state fuzz target and the inputs of the
 * save/load unit test.
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
 * on @releaseDomain), registered with xt_sample_ignore_event.
 */
void xt_sample_booted_guest(XenstoreImplState *s);

/*
 * The booted guest with two open transactions of guest 1: the first read
 * a node, wrote a new subtree and removed another; the second set
 * permissions.  Their ids in *t1 and *t2 (either may be NULL).
 */
void xt_sample_open_transactions(XenstoreImplState *s, xs_transaction_t *t1,
                                 xs_transaction_t *t2);

/*
 * The booted guest with settings: a nodes quota for guest 1, a default
 * watches quota, features of guest 1, guest 1 introduced, domain 2 its
 * target controller, and permissions on @introduceDomain.
 */
void xt_sample_limits(XenstoreImplState *s);

#endif
