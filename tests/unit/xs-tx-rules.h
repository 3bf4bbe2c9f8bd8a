/*
 * Helpers of the tests of the database's transaction rules: the store
 * they start from, a watch on everything, checks of refused commits.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_UNIT_XS_TX_RULES_H
#define TESTS_UNIT_XS_TX_RULES_H

#include "xs-node-helpers.h"

#define HOME "/local/domain/1/"

#define KiB 1024u

/*
 * The helpers' store, plus the guest's own "data" and "drivers" made by
 * domain 0 and owned by the guest ("n1").
 */
XenstoreImplState *store_new(void);

/* A recorder of every event domain 0 may see, from now on. */
XtRecorder *watch_all(XenstoreImplState *s);

/*
 * Commit tx of dom expecting err, and check that nothing was applied:
 * no watch event on r, no node changed owner count, the id is gone.
 */
void commit_rejected(XenstoreImplState *s, unsigned int dom,
                     xs_transaction_t tx, int err, XtRecorder *r);

/* Domain 0 reads ENOENT at path. */
void assert_absent(XenstoreImplState *s, const char *path);

/* A read answering err (never a value). */
void assert_read_fails(XenstoreImplState *s, unsigned int dom,
                       xs_transaction_t tx, const char *path, int err);

/* n bytes: tag, then '.' up to n. */
char *padded(const char *tag, size_t n);

#endif
