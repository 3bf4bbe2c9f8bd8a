/*
 * Helpers of the tests of the database's transaction rules: a store
 * with the guest's directories, and checks shared by their programs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-node-helpers.h"
#include "xs-tx-rules.h"

XenstoreImplState *store_new(void)
{
    XenstoreImplState *s = xt_store_new();

    xt_make(s, HOME "data", "", "n1");
    xt_make(s, HOME "drivers", "", "n1");
    return s;
}

XtRecorder *watch_all(XenstoreImplState *s)
{
    XtRecorder *r = xt_rec_new();

    xt_watch_ok(s, DOM0, "/", "all", r);
    return r;
}

void commit_rejected(XenstoreImplState *s, unsigned int dom,
                     xs_transaction_t tx, int err, XtRecorder *r)
{
    unsigned int guest_nodes = xs_impl_domain_nodes(s, GUEST);
    unsigned int dom_nodes = xs_impl_domain_nodes(s, dom);

    xt_rec_take(r);
    g_assert_cmpint(xt_tx_commit(s, dom, tx), ==, err);
    g_assert_cmpstr(xt_rec_take(r), ==, "");
    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, guest_nodes);
    g_assert_cmpuint(xs_impl_domain_nodes(s, dom), ==, dom_nodes);
    g_assert_cmpint(xt_tx_abort(s, dom, tx), ==, ENOENT);
}

void assert_absent(XenstoreImplState *s, const char *path)
{
    g_assert_false(xt_exists(s, path));
}

void assert_read_fails(XenstoreImplState *s, unsigned int dom,
                       xs_transaction_t tx, const char *path, int err)
{
    g_autofree char *v = NULL;

    g_assert_cmpint(xt_read(s, dom, tx, path, &v), ==, err);
    g_assert_null(v);
}

char *padded(const char *tag, size_t n)
{
    char *v = g_malloc(n + 1);
    size_t len = MIN(strlen(tag), n);

    memset(v, '.', n);
    memcpy(v, tag, len);
    v[n] = '\0';
    return v;
}
