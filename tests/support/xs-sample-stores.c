/*
 * Small stores with representative content for save/load tests and
 * seeds: a booted guest, open transactions, quotas and settings.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-node-helpers.h"
#include "xs-sample-stores.h"

void xt_sample_ignore_event(void *opaque, const char *path,
                            const char *token)
{
}

static void put(XenstoreImplState *s, unsigned int dom, xs_transaction_t tx,
                const char *path, const char *value, size_t len)
{
    g_assert_cmpint(xt_write_bytes(s, dom, tx, path, value, len), ==, 0);
}

static void perms(XenstoreImplState *s, const char *path, const char *csv)
{
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, path, csv), ==, 0);
}

void xt_sample_booted_guest(XenstoreImplState *s, xs_impl_watch_fn *fn,
                            void *opaque)
{
    put(s, DOM0, XBT_NULL, "/local/domain/1/name", "guest", 5);
    perms(s, "/local/domain/1", "n0,r1");
    perms(s, "/local/domain/1/name", "n0,r1");
    put(s, DOM0, XBT_NULL, "/local/domain/1/data", "", 0);
    perms(s, "/local/domain/1/data", "n1");
    put(s, DOM0, XBT_NULL, "/local/domain/1/device", "", 0);
    perms(s, "/local/domain/1/device", "n1,r0");
    put(s, DOM0, XBT_NULL, "/local/domain/1/device/vif/0/state", "4", 1);
    put(s, GUEST, XBT_NULL, "data/blob", "\0\1\2\xff", 4);
    put(s, DOM0, XBT_NULL, "/local/domain/0/backend/vif/1/0/state", "4", 1);
    perms(s, "/local/domain/0/backend/vif/1/0", "n0,r1");
    g_assert_cmpint(xs_impl_watch(s, GUEST, "device", "tok0", fn, opaque),
                    ==, 0);
    g_assert_cmpint(xs_impl_watch_depth(s, GUEST, "/local/domain/1/data",
                                        "t1", 1, fn, opaque), ==, 0);
    g_assert_cmpint(xs_impl_watch(s, GUEST, "@releaseDomain", "rel", fn,
                                  opaque), ==, 0);
}

void xt_sample_open_transactions(XenstoreImplState *s, xs_transaction_t *t1,
                                 xs_transaction_t *t2)
{
    g_autofree char *blob = NULL;
    xs_transaction_t a, b;

    g_assert_cmpint(xs_impl_transaction_start(s, GUEST, &a), ==, 0);
    g_assert_cmpint(xt_read(s, GUEST, a, "data/blob", &blob), ==, 0);
    put(s, GUEST, a, "data/new/leaf", "x", 1);
    g_assert_cmpint(xs_impl_rm(s, GUEST, a, "device/vif/0"), ==, 0);
    g_assert_cmpint(xs_impl_transaction_start(s, GUEST, &b), ==, 0);
    g_assert_cmpint(xt_set_perms(s, GUEST, b, "data", "b1"), ==, 0);
    if (t1) {
        *t1 = a;
    }
    if (t2) {
        *t2 = b;
    }
}

void xt_sample_limits(XenstoreImplState *s)
{
    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_NODES, 50), ==, 0);
    g_assert_cmpint(xs_impl_set_quota(s, XS_QUOTA_DEFAULT_DOMID,
                                      XS_QUOTA_WATCHES, 64), ==, 0);
    xs_impl_set_features(s, GUEST, 0x5);
    g_assert_cmpint(xs_impl_introduce_domain(s, GUEST), ==, 0);
    g_assert_cmpint(xs_impl_set_target(s, OTHER, GUEST), ==, 0);
    perms(s, "@introduceDomain", "n0,r1");
}

void xt_sample_more_records(XenstoreImplState *s, xs_transaction_t *doomed)
{
    g_autofree char *value = NULL;
    xs_transaction_t t;

    put(s, DOM0, XBT_NULL, "/local/domain/1/data/shared", "many", 4);
    perms(s, "/local/domain/1/data/shared", "n1,r0,w2,b3");
    perms(s, "@releaseDomain", "n0,r2");
    g_assert_cmpint(xs_impl_set_quota(s, THIRD, XS_QUOTA_WATCHES, 7), ==, 0);
    g_assert_cmpint(xs_impl_set_quota(s, THIRD, XS_QUOTA_PATH_MAX, 200), ==,
                    0);
    /* It read a node that domain 0 then changed: its commit must fail. */
    g_assert_cmpint(xs_impl_transaction_start(s, GUEST, &t), ==, 0);
    g_assert_cmpint(xt_read(s, GUEST, t, "name", &value), ==, 0);
    put(s, GUEST, t, "data/late", "y", 1);
    put(s, DOM0, XBT_NULL, "/local/domain/1/name", "renamed", 7);
    if (doomed) {
        *doomed = t;
    }
}
