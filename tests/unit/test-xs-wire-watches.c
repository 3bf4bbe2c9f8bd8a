/*
 * Tests of the XenStore wire codec: WATCH and UNWATCH, watch depth,
 * and RESET_WATCHES.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_wire.h"
#include "xs-wire-fixture.h"

/* ---- watches ---- */

static void test_watch(void)
{
    Fix *f = fix_new();
    Reply r;

    REQ(&f->guest, XS_WATCH, 0, "data\0tok\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    /* The initial event, with epath = wpath as given (relative). */
    g_assert_cmpuint(f->ev_guest->len, ==, 1);
    g_assert_cmpstr(f->ev_guest->pdata[0], ==, "data|tok");
    REQ(&f->guest, XS_WATCH, 0, "data\0tok\0", &r);
    assert_error(&r, "EEXIST");
    REQ(&f->dom0, XS_WRITE, 0, "/local/domain/1/data/x\0v", &r);
    g_assert_cmpuint(f->ev_guest->len, ==, 2);
    g_assert_cmpstr(f->ev_guest->pdata[1], ==, "data/x|tok");

    /* tx_id is ignored, even an unknown one. */
    REQ(&f->guest, XS_WATCH, 12345, "/local/domain/1\0abs\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    g_assert_cmpstr(f->ev_guest->pdata[2], ==, "/local/domain/1|abs");
    REQ(&f->guest, XS_UNWATCH, 999, "/local/domain/1\0abs\0", &r);
    ASSERT_OK(&r, XS_UNWATCH);
    REQ(&f->guest, XS_UNWATCH, 0, "/local/domain/1\0abs\0", &r);
    assert_error(&r, "ENOENT");

    /* Trailing bytes after the token are allowed. */
    REQ(&f->guest, XS_WATCH, 0, "data\0t2\0\0trailing", &r);
    ASSERT_OK(&r, XS_WATCH);
    REQ(&f->guest, XS_UNWATCH, 0, "data\0t2\0garbage", &r);
    ASSERT_OK(&r, XS_UNWATCH);
    /* Missing token, or token not terminated: EINVAL. */
    REQ(&f->guest, XS_WATCH, 0, "data\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_WATCH, 0, "data\0tok", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_UNWATCH, 0, "data\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_WATCH, 0, "", &r);
    assert_error(&r, "EINVAL");
    /* Bad watch path. */
    REQ(&f->guest, XS_WATCH, 0, "da ta\0tok\0", &r);
    assert_error(&r, "EINVAL");
    /* Special watches take any @name. */
    REQ(&f->dom0, XS_WATCH, 0, "@releaseDomain\0rel\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    g_assert_cmpstr(f->ev_dom0->pdata[0], ==, "@releaseDomain|rel");
    /* An empty token is a token. */
    REQ(&f->dom0, XS_WATCH, 0, "/x\0\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    g_assert_cmpstr(f->ev_dom0->pdata[1], ==, "/x|");
    fix_free(f);
}

static void test_watch_depth(void)
{
    Fix *f = fix_new();
    Reply r;

    /* WATCHDEPTH is on by default: depth 0 is the node itself only. */
    g_assert(xs_impl_get_features(f->s, GUEST) &
             XENSTORE_SERVER_FEATURE_WATCHDEPTH);
    REQ(&f->guest, XS_WATCH, 0, "data\0d0\0" "0\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    REQ(&f->guest, XS_WATCH, 0, "data\0d1\0" "1\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    /* An empty third string is the old reserved field: no limit. */
    REQ(&f->guest, XS_WATCH, 0, "data\0dx\0\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    g_ptr_array_set_size(f->ev_guest, 0);
    REQ(&f->guest, XS_WRITE, 0, "data/a/b\0", &r);
    ASSERT_OK(&r, XS_WRITE);
    /* data/a/b is two below data: only the unlimited watch sees it. */
    g_assert_cmpuint(f->ev_guest->len, ==, 1);
    g_assert_cmpstr(f->ev_guest->pdata[0], ==, "data/a/b|dx");
    g_ptr_array_set_size(f->ev_guest, 0);
    REQ(&f->guest, XS_WRITE, 0, "data/c\0", &r);
    g_assert_cmpuint(f->ev_guest->len, ==, 2);
    REQ(&f->guest, XS_WATCH, 0, "data\0bad\0x\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_WATCH, 0, "data\0bad\0-1\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_WATCH, 0, "data\0bad\0" "99999999999\0", &r);
    assert_error(&r, "EINVAL");

    /* Without the feature the third string is an ignored extra. */
    xs_impl_set_features(f->s, GUEST, XENSTORE_SERVER_FEATURE_RECONNECTION);
    REQ(&f->guest, XS_WATCH, 0, "data\0nd\0" "0\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    REQ(&f->guest, XS_WATCH, 0, "data\0nd2\0x\0", &r);
    ASSERT_OK(&r, XS_WATCH);
    g_ptr_array_set_size(f->ev_guest, 0);
    REQ(&f->guest, XS_WRITE, 0, "data/a/b\0", &r);
    g_assert_cmpuint(f->ev_guest->len, ==, 3);   /* dx, nd, nd2 */
    fix_free(f);
}

/* ---- RESET_WATCHES ---- */

static void test_reset_watches(void)
{
    Fix *f = fix_new();
    uint32_t gtx, tx, txb;
    Reply r;

    /* Guest ring: the domain's watches and transactions go. */
    REQ(&f->guest, XS_WATCH, 0, "data\0g\0", &r);
    gtx = start_tx(&f->guest);
    REQ(&f->guest, XS_RESET_WATCHES, 0, "", &r);
    assert_error(&r, "EINVAL");                 /* must end in a NUL */
    REQ(&f->guest, XS_RESET_WATCHES, 0, "\0", &r);
    ASSERT_OK(&r, XS_RESET_WATCHES);
    g_ptr_array_set_size(f->ev_guest, 0);
    REQ(&f->dom0, XS_WRITE, 0, "/local/domain/1/data/z\0", &r);
    g_assert_cmpuint(f->ev_guest->len, ==, 0);
    REQ(&f->guest, XS_READ, gtx, "data/z\0", &r);
    assert_error(&r, "ENOENT");
    REQ(&f->guest, XS_UNWATCH, 0, "data\0g\0", &r);
    assert_error(&r, "ENOENT");

    /* A socket client: only its own watches and transactions. */
    REQ(&f->dom0, XS_WATCH, 0, "/w\0a\0", &r);
    REQ(&f->dom0b, XS_WATCH, 0, "/w\0b\0", &r);
    tx = start_tx(&f->dom0);
    txb = start_tx(&f->dom0b);
    REQ(&f->dom0, XS_RESET_WATCHES, 0, "\0", &r);
    ASSERT_OK(&r, XS_RESET_WATCHES);
    g_ptr_array_set_size(f->ev_dom0, 0);
    g_ptr_array_set_size(f->ev_dom0b, 0);
    REQ(&f->dom0, XS_WRITE, 0, "/w\0", &r);
    g_assert_cmpuint(f->ev_dom0->len, ==, 0);
    g_assert_cmpuint(f->ev_dom0b->len, ==, 1);
    REQ(&f->dom0, XS_READ, tx, "/w\0", &r);
    assert_error(&r, "ENOENT");
    /* The store really ended it, not just forgot it. */
    g_assert_cmpint(xs_impl_transaction_end(f->s, DOMID_QEMU, tx, false),
                    ==, ENOENT);
    /* txb still works: it reads its snapshot, from before /w. */
    REQ(&f->dom0b, XS_READ, txb, "/w\0", &r);
    assert_error(&r, "ENOENT");
    REQ(&f->dom0b, XS_READ, txb, "/local\0", &r);
    ASSERT_REPLY(&r, XS_READ, "");
    fix_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-wire/watch", test_watch);
    g_test_add_func("/xs-wire/watch-depth", test_watch_depth);
    g_test_add_func("/xs-wire/reset-watches", test_reset_watches);
    return g_test_run();
}
