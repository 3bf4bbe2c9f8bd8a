/*
 * Tests of the XenStore database's transactions (spec section 5): what a
 * transaction sees, exactly when a commit fails with EAGAIN, events at
 * commit, ids, and the per-domain limits.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-node-helpers.h"

/* Every call with tx answers ENOENT: the transaction is gone. */
static void assert_tx_gone(XenstoreImplState *s, unsigned int dom,
                           xs_transaction_t tx)
{
    g_autofree char *v = NULL, *names = NULL, *perms = NULL;

    g_assert_cmpint(xt_read(s, dom, tx, "/local", &v), ==, ENOENT);
    g_assert_cmpint(xt_write(s, dom, tx, "/local/domain/1/gone", "x"),
                    ==, ENOENT);
    g_assert_cmpint(xs_impl_mkdir(s, dom, tx, "/local/domain/1/gone"),
                    ==, ENOENT);
    g_assert_cmpint(xs_impl_rm(s, dom, tx, "/local/domain/1/gone"),
                    ==, ENOENT);
    g_assert_cmpint(xt_dir(s, dom, tx, "/local", &names, NULL), ==, ENOENT);
    g_assert_cmpint(xt_get_perms(s, dom, tx, "/local", &perms), ==, ENOENT);
    g_assert_cmpint(xt_set_perms(s, dom, tx, "/local/domain/1", "n1"),
                    ==, ENOENT);
    g_assert_cmpint(xs_impl_transaction_end(s, dom, tx, true), ==, ENOENT);
    g_assert_cmpint(xs_impl_transaction_end(s, dom, tx, false), ==, ENOENT);
    g_assert_false(xt_exists(s, "/local/domain/1/gone"));
}

/* ---- ids and visibility ------------------------------------------------- */

static void test_tx_ids_nonzero_unique(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t ids[20];

    for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
        /* Spread over three domains: unique among all open ones. */
        ids[i] = xt_tx_start(s, i < 8 ? DOM0 : i < 14 ? GUEST : OTHER);
        for (size_t j = 0; j < i; j++) {
            g_assert_cmpuint(ids[i], !=, ids[j]);
        }
    }
}

static void test_tx_own_changes_visible_inside(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;
    g_autofree char *v = NULL;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/t/a", "old"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/t/c", "gone soon"), ==, 0);
    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/t/a", "new"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/t/b/deep", "b"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, tx, "/t/c"), ==, 0);
    g_assert_cmpint(xs_impl_mkdir(s, DOM0, tx, "/t/m"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, tx, "/t/a", "n0,r1"), ==, 0);

    assert_value(s, DOM0, tx, "/t/a", "new");
    assert_value(s, DOM0, tx, "/t/b", "");
    assert_value(s, DOM0, tx, "/t/b/deep", "b");
    assert_value(s, DOM0, tx, "/t/m", "");
    g_assert_cmpint(xt_read(s, DOM0, tx, "/t/c", &v), ==, ENOENT);
    assert_dir(s, DOM0, tx, "/t", "a,b,m");
    assert_perms(s, DOM0, tx, "/t/a", "n0,r1");
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, 0);
}

static void test_tx_invisible_outside_until_commit(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx, other;
    g_autofree char *v = NULL, *v2 = NULL;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/t/a", "old"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/t/c", "c"), ==, 0);
    tx = xt_tx_start(s, DOM0);
    other = xt_tx_start(s, DOM0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/t/a", "new"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/t/b", "b"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, tx, "/t/c"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, tx, "/t/a", "n0,r1"), ==, 0);

    /* Neither outside nor in another transaction. */
    assert_value(s, DOM0, XBT_NULL, "/t/a", "old");
    assert_value(s, DOM0, other, "/t/a", "old");
    g_assert_cmpint(xt_read(s, DOM0, XBT_NULL, "/t/b", &v), ==, ENOENT);
    g_assert_cmpint(xt_read(s, DOM0, other, "/t/b", &v2), ==, ENOENT);
    assert_value(s, DOM0, XBT_NULL, "/t/c", "c");
    assert_dir(s, DOM0, XBT_NULL, "/t", "a,c");
    assert_perms(s, DOM0, XBT_NULL, "/t/a", "n0");
    g_assert_cmpint(xs_impl_transaction_end(s, DOM0, other, false), ==, 0);

    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/t/a", "new");
    assert_value(s, DOM0, XBT_NULL, "/t/b", "b");
    assert_dir(s, DOM0, XBT_NULL, "/t", "a,b");
    assert_perms(s, DOM0, XBT_NULL, "/t/a", "n0,r1");
}

/* Listings in a transaction merge its changes in strcmp order. */
static void test_tx_directory_merged_sorted(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/a", ""), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/c", ""), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/e", ""), ==, 0);
    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/d/f", ""), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/d/b", ""), ==, 0);
    g_assert_cmpint(xs_impl_mkdir(s, DOM0, tx, "/d/D"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, tx, "/d/c"), ==, 0);
    assert_dir(s, DOM0, tx, "/d", "D,a,b,e,f");
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, 0);
    assert_dir(s, DOM0, XBT_NULL, "/d", "D,a,b,e,f");
}

/* Removed and made again inside: the old children stay gone. */
static void test_tx_rm_then_recreate_inside(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;
    g_autofree char *v = NULL;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/r/a/old", "1"), ==, 0);
    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, tx, "/r/a"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/r/a/new", "2"), ==, 0);
    assert_dir(s, DOM0, tx, "/r/a", "new");
    assert_value(s, DOM0, tx, "/r/a", "");
    g_assert_cmpint(xt_read(s, DOM0, tx, "/r/a/old", &v), ==, ENOENT);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, 0);
    assert_dir(s, DOM0, XBT_NULL, "/r/a", "new");
    g_assert_false(xt_exists(s, "/r/a/old"));
}

static void test_tx_abort_discards(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/t/a", "old"), ==, 0);
    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/t/a", "new"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/t/b", "b"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, tx, "/t"), ==, 0);
    g_assert_cmpint(xs_impl_transaction_end(s, DOM0, tx, false), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/t/a", "old");
    assert_dir(s, DOM0, XBT_NULL, "/t", "a");
}

/* After END the id is gone, whatever the outcome. */
static void test_tx_id_gone_after_end(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t committed, aborted, failed;
    g_autofree char *v = NULL;

    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "c", "1"), ==, 0);
    committed = xt_tx_start(s, GUEST);
    g_assert_cmpint(xt_tx_commit(s, GUEST, committed), ==, 0);
    assert_tx_gone(s, GUEST, committed);

    aborted = xt_tx_start(s, GUEST);
    g_assert_cmpint(xs_impl_transaction_end(s, GUEST, aborted, false), ==, 0);
    assert_tx_gone(s, GUEST, aborted);

    failed = xt_tx_start(s, GUEST);
    g_assert_cmpint(xt_read(s, GUEST, failed, "c", &v), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/local/domain/1/c", "2"),
                    ==, 0);
    g_assert_cmpint(xt_tx_commit(s, GUEST, failed), ==, EAGAIN);
    assert_tx_gone(s, GUEST, failed);
}

static void test_tx_unknown_id_enoent(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    assert_tx_gone(s, DOM0, 12345);
    assert_tx_gone(s, GUEST, 0xffffffffu);
}

/* A transaction of another domain is ENOENT; its owner keeps it. */
static void test_tx_other_domain_id_enoent(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx = xt_tx_start(s, GUEST);
    g_autofree char *v = NULL;

    g_assert_cmpint(xt_write(s, GUEST, tx, "mine", "1"), ==, 0);
    g_assert_cmpint(xt_read(s, OTHER, tx, "/local/domain/2", &v), ==, ENOENT);
    g_assert_cmpint(xt_write(s, OTHER, tx, "x", "1"), ==, ENOENT);
    g_assert_cmpint(xs_impl_transaction_end(s, OTHER, tx, false), ==, ENOENT);
    g_assert_cmpint(xs_impl_transaction_end(s, OTHER, tx, true), ==, ENOENT);
    /* Not even the privileged domain may use it. */
    g_assert_cmpint(xt_read(s, DOM0, tx, "/local", &v), ==, ENOENT);
    g_assert_false(xt_exists(s, "/local/domain/2/x"));

    assert_value(s, GUEST, tx, "mine", "1");
    g_assert_cmpint(xt_tx_commit(s, GUEST, tx), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/local/domain/1/mine", "1");
}

/* ---- when commit fails ------------------------------------------------- */

/* Ten transactions on disjoint nodes plus unrelated writes: no EAGAIN. */
static void test_tx_disjoint_no_eagain(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx[10];
    char path[32];

    for (unsigned int i = 0; i < ARRAY_SIZE(tx); i++) {
        snprintf(path, sizeof(path), "n%u", i);
        g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, path, "0"), ==, 0);
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(tx); i++) {
        g_autofree char *v = NULL;

        tx[i] = xt_tx_start(s, GUEST);
        snprintf(path, sizeof(path), "n%u", i);
        g_assert_cmpint(xt_read(s, GUEST, tx[i], path, &v), ==, 0);
        g_assert_cmpint(xt_write(s, GUEST, tx[i], path, "1"), ==, 0);
    }
    /* Elsewhere, and a new sibling in the same directory. */
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/local/domain/2/x", "1"),
                    ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "unrelated", "1"), ==, 0);
    for (unsigned int i = 0; i < ARRAY_SIZE(tx); i++) {
        g_assert_cmpint(xt_tx_commit(s, GUEST, tx[i]), ==, 0);
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(tx); i++) {
        snprintf(path, sizeof(path), "n%u", i);
        assert_value(s, GUEST, XBT_NULL, path, "1");
    }
}

/* Read, then write: a change by someone else in between is EAGAIN. */
static void test_tx_no_lost_update(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;
    g_autofree char *v = NULL, *v2 = NULL;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/c", "1"), ==, 0);

    /* Outside change after the read, before the transaction's write. */
    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xt_read(s, DOM0, tx, "/c", &v), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/c", "outside"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/c", "2"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, EAGAIN);
    assert_value(s, DOM0, XBT_NULL, "/c", "outside");

    /* Outside change after the transaction's write. */
    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xt_read(s, DOM0, tx, "/c", &v2), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/c", "3"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/c", "outside2"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, EAGAIN);
    assert_value(s, DOM0, XBT_NULL, "/c", "outside2");
}

/* Two transactions read-modify-write one node: the second one fails. */
static void test_tx_two_tx_same_node(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t a, b;
    g_autofree char *va = NULL, *vb = NULL;

    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "c", "0"), ==, 0);
    a = xt_tx_start(s, GUEST);
    b = xt_tx_start(s, GUEST);
    g_assert_cmpint(xt_read(s, GUEST, a, "c", &va), ==, 0);
    g_assert_cmpint(xt_read(s, GUEST, b, "c", &vb), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, a, "c", "a"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, b, "c", "b"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, GUEST, a), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, GUEST, b), ==, EAGAIN);
    assert_value(s, GUEST, XBT_NULL, "c", "a");
}

/*
 * Nodes a transaction only wrote (never read) are checked too: a change
 * by someone else is EAGAIN, and nothing of the transaction goes in.
 */
static void test_tx_write_only_conflict(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/c", "0"), ==, 0);
    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/c", "tx"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/n/x", "tx"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, tx, "/c", "n0,r1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/c", "outside"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/c", "n0,r2"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/n/x", "outside"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, EAGAIN);
    assert_value(s, DOM0, XBT_NULL, "/c", "outside");
    assert_value(s, DOM0, XBT_NULL, "/n/x", "outside");
    assert_perms(s, DOM0, XBT_NULL, "/c", "n0,r2");
}

/*
 * WRITE depends on the node's perms: domain 0 taking write access away
 * meanwhile is EAGAIN, the node stays as domain 0 left it.
 */
static void test_tx_write_then_perms_changed(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;

    xt_make(s, "/c", "orig", "n0,b1");
    tx = xt_tx_start(s, GUEST);
    g_assert_cmpint(xt_write(s, GUEST, tx, "/c", "tx"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/c", "n0,r1"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, GUEST, tx), ==, EAGAIN);
    assert_value(s, DOM0, XBT_NULL, "/c", "orig");
    assert_perms(s, DOM0, XBT_NULL, "/c", "n0,r1");
}

/* Likewise SET_PERMS: a value written meanwhile is EAGAIN. */
static void test_tx_set_perms_then_value_changed(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;

    xt_make(s, "/c", "orig", "n0");
    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xt_set_perms(s, DOM0, tx, "/c", "n0,r1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/c", "outside"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, EAGAIN);
    assert_value(s, DOM0, XBT_NULL, "/c", "outside");
    assert_perms(s, DOM0, XBT_NULL, "/c", "n0");
}

/*
 * A node the transaction created that someone else created before the
 * commit: EAGAIN (no merge); the other creator's nodes stay as they made
 * them, values and perms.
 */
static void test_tx_created_node_created_meanwhile(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;

    xt_make(s, "/m", "", "n0,b1");
    tx = xt_tx_start(s, GUEST);
    g_assert_cmpint(xt_write(s, GUEST, tx, "/m/p/leaf", "tx"), ==, 0);
    xt_make(s, "/m/p", "theirs", "n0,r1");
    xt_make(s, "/m/p/leaf", "theirs", "n0,r1");
    g_assert_cmpint(xt_tx_commit(s, GUEST, tx), ==, EAGAIN);
    assert_value(s, DOM0, XBT_NULL, "/m/p/leaf", "theirs");
    assert_perms(s, DOM0, XBT_NULL, "/m/p/leaf", "n0,r1");
    assert_value(s, DOM0, XBT_NULL, "/m/p", "theirs");
    assert_perms(s, DOM0, XBT_NULL, "/m/p", "n0,r1");
}

/* Likewise MKDIR: EAGAIN, the other creator's node is left alone. */
static void test_tx_mkdir_created_meanwhile(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;

    xt_make(s, "/m", "", "n0,b1");
    tx = xt_tx_start(s, GUEST);
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, tx, "/m/d"), ==, 0);
    xt_make(s, "/m/d", "theirs", "n0,r1");
    g_assert_cmpint(xt_tx_commit(s, GUEST, tx), ==, EAGAIN);
    assert_value(s, DOM0, XBT_NULL, "/m/d", "theirs");
    assert_perms(s, DOM0, XBT_NULL, "/m/d", "n0,r1");
}

/* Nodes a transaction only removed are checked too: EAGAIN. */
static void test_tx_rm_only_conflict(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/c/kid", "0"), ==, 0);
    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, tx, "/c"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/c", "outside"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/c/kid2", "outside"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, EAGAIN);
    assert_value(s, DOM0, XBT_NULL, "/c", "outside");
    assert_dir(s, DOM0, XBT_NULL, "/c", "kid,kid2");
}

/* Adding children to a directory that others also add to: no conflict. */
static void test_tx_sibling_creation_no_conflict(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t a, b, c;

    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "dir/old", "0"), ==, 0);
    a = xt_tx_start(s, GUEST);
    b = xt_tx_start(s, GUEST);
    c = xt_tx_start(s, GUEST);
    g_assert_cmpint(xt_write(s, GUEST, a, "dir/c1", "a"), ==, 0);
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, b, "dir/c2"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, GUEST, c, "dir/old"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "dir/c3", "out"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, GUEST, a), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, GUEST, b), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, GUEST, c), ==, 0);
    assert_dir(s, GUEST, XBT_NULL, "dir", "c1,c2,c3");
}

/* Finding a node absent is a read: its later creation is EAGAIN. */
static void test_tx_read_absent_then_created(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;
    g_autofree char *v = NULL, *names = NULL, *perms = NULL;

    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xt_read(s, DOM0, tx, "/x", &v), ==, ENOENT);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/x", "tx"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/x", "outside"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, EAGAIN);
    assert_value(s, DOM0, XBT_NULL, "/x", "outside");

    /* The same through DIRECTORY and GET_PERMS. */
    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xt_dir(s, DOM0, tx, "/y", &names, NULL), ==, ENOENT);
    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/y"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, EAGAIN);
    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xt_get_perms(s, DOM0, tx, "/z", &perms), ==, ENOENT);
    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/z"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, EAGAIN);
}

/*
 * Finding a node absent depends on the child list of its nearest existing
 * ancestor (here "/"): a node created and removed there meanwhile is
 * EAGAIN, even though the node is absent again at commit.
 */
static void test_tx_read_absent_parent_changed(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;
    g_autofree char *v = NULL;

    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xt_read(s, DOM0, tx, "/x", &v), ==, ENOENT);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/x", "briefly"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/x"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/y", "tx"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, EAGAIN);
    g_assert_false(xt_exists(s, "/y"));
}

static void test_tx_read_then_removed(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;
    g_autofree char *v = NULL;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/c", "1"), ==, 0);
    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xt_read(s, DOM0, tx, "/c", &v), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/c"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/other", "tx"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, EAGAIN);
    g_assert_false(xt_exists(s, "/other"));
}

/* Generations are never reused: removed and made again is a change. */
static void test_tx_read_then_recreated(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/c", "same"), ==, 0);
    tx = xt_tx_start(s, DOM0);
    assert_value(s, DOM0, tx, "/c", "same");
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/c"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/c", "same"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, EAGAIN);
}

/* Listing children reads the child list. */
static void test_tx_directory_then_children_change(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/a", "1"), ==, 0);
    tx = xt_tx_start(s, DOM0);
    assert_dir(s, DOM0, tx, "/d", "a");
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/b", "1"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, EAGAIN);

    tx = xt_tx_start(s, DOM0);
    assert_dir(s, DOM0, tx, "/d", "a,b");
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/d/a"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, EAGAIN);
}

static void test_tx_get_perms_then_perms_change(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/c", "1"), ==, 0);
    tx = xt_tx_start(s, DOM0);
    assert_perms(s, DOM0, tx, "/c", "n0");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/c", "n0,r1"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, EAGAIN);
}

/*
 * The snapshot is taken at the start, not at the first read: a change
 * made before the transaction first looks is not seen, and is EAGAIN.
 */
static void test_tx_snapshot_from_start(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/c", "1"), ==, 0);
    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/c", "2"), ==, 0);
    assert_value(s, DOM0, tx, "/c", "1");
    g_assert_cmpint(xt_write(s, DOM0, tx, "/c", "3"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, EAGAIN);
    assert_value(s, DOM0, XBT_NULL, "/c", "2");
}

/* A child's value is not part of its parent: no conflict on the parent. */
static void test_tx_child_value_change_no_conflict(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/p/c", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/p", "parent"), ==, 0);
    tx = xt_tx_start(s, DOM0);
    assert_value(s, DOM0, tx, "/p", "parent");
    assert_dir(s, DOM0, tx, "/p", "c");
    assert_perms(s, DOM0, tx, "/p", "n0");
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/p/c", "2"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p/c", "n0,r1"), ==, 0);
    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/p"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/p", "tx"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/p", "tx");
}

/* EAGAIN applies nothing of what the transaction did. */
static void test_tx_eagain_applies_nothing(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();
    xs_transaction_t tx;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/e/c", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/e/old", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/e/q", "1"), ==, 0);
    tx = xt_tx_start(s, DOM0);
    assert_value(s, DOM0, tx, "/e/c", "1");
    g_assert_cmpint(xt_write(s, DOM0, tx, "/e/c", "tx"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/e/new/deep", "tx"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, tx, "/e/old"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, tx, "/e/q", "n0,r1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/e/c", "outside"), ==, 0);
    xt_watch_ok(s, DOM0, "/e", "t", r);

    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, EAGAIN);
    assert_value(s, DOM0, XBT_NULL, "/e/c", "outside");
    assert_dir(s, DOM0, XBT_NULL, "/e", "c,old,q");
    assert_perms(s, DOM0, XBT_NULL, "/e/q", "n0");
    g_assert_cmpstr(xt_rec_take(r), ==, "");
}

/* Permissions hold inside a transaction as outside. */
static void test_tx_perms_apply_inside(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;
    g_autofree char *v = NULL, *v2 = NULL;

    xt_make(s, "/secret", "", "n0");
    xt_make(s, "/pub", "", "r0,b3");
    tx = xt_tx_start(s, THIRD);
    g_assert_cmpint(xt_read(s, THIRD, tx, "/secret", &v), ==, EACCES);
    g_assert_cmpint(xt_read(s, THIRD, tx, "/secret/none", &v), ==, EACCES);
    g_assert_cmpint(xt_read(s, THIRD, tx, "/pub/none", &v2), ==, ENOENT);
    g_assert_cmpint(xt_write(s, THIRD, tx, "/secret/x", "v"), ==, EACCES);
    g_assert_cmpint(xs_impl_rm(s, THIRD, tx, "/secret"), ==, EACCES);
    g_assert_cmpint(xt_write(s, THIRD, tx, "/pub/x/y", "v"), ==, 0);
    assert_perms(s, THIRD, tx, "/pub/x/y", "r3,b3");
    g_assert_cmpint(xt_set_perms(s, THIRD, tx, "/pub/x", "r2"), ==, EPERM);
    g_assert_cmpint(xt_set_perms(s, THIRD, tx, "/pub", "r3"), ==, EACCES);
    g_assert_cmpint(xt_tx_commit(s, THIRD, tx), ==, 0);
    assert_perms(s, DOM0, XBT_NULL, "/pub/x", "r3,b3");
    assert_perms(s, DOM0, XBT_NULL, "/pub", "r0,b3");
}

/* ---- events ------------------------------------------------------------ */

static void test_tx_events_at_commit_only(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();
    xs_transaction_t tx;

    /* /e exists first: had the transaction created it, /e/o would. */
    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/e"), ==, 0);
    xt_watch_ok(s, DOM0, "/e", "t", r);
    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/e/a", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/e/b", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "");
    /* Changes outside the transaction still fire at once. */
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/e/o", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/e/o|t");
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/e/a|t /e/b|t");
}

/* One event per changed node, in path order, explicit changes only. */
static void test_tx_events_once_per_node_in_order(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();
    xs_transaction_t tx;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/e/b", "0"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/e/d", "0"), ==, 0);
    xt_watch_ok(s, DOM0, "/e", "t", r);
    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/e/c", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/e/a", "1"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, tx, "/e/b", "n0,r1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/e/a", "2"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/e/c", "2"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, tx, "/e/c", "n0,r1"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, tx, "/e/d"), ==, 0);
    g_assert_cmpint(xs_impl_mkdir(s, DOM0, tx, "/e/f"), ==, 0);
    /* Only the written node, not the parents made on the way. */
    g_assert_cmpint(xt_write(s, DOM0, tx, "/e/g/h/i", "1"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==,
                    "/e/a|t /e/b|t /e/c|t /e/d|t /e/f|t /e/g/h/i|t");
}

static void test_tx_no_events_on_abort_or_eagain(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();
    xs_transaction_t tx;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/e/c", "0"), ==, 0);
    xt_watch_ok(s, DOM0, "/e", "t", r);
    tx = xt_tx_start(s, DOM0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/e/a", "1"), ==, 0);
    g_assert_cmpint(xs_impl_transaction_end(s, DOM0, tx, false), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "");

    tx = xt_tx_start(s, DOM0);
    assert_value(s, DOM0, tx, "/e/c", "0");
    g_assert_cmpint(xt_write(s, DOM0, tx, "/e/a", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/e/c", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/e/c|t");
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, EAGAIN);
    g_assert_cmpstr(xt_rec_take(r), ==, "");
}

/* A removal at commit fires like one outside, watches inside included. */
static void test_tx_rm_events_at_commit(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) top = xt_rec_new();
    g_autoptr(XtRecorder) inside = xt_rec_new();
    xs_transaction_t tx;

    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "e/a/b", "0"), ==, 0);
    xt_watch_ok(s, GUEST, "e", "top", top);
    xt_watch_ok(s, GUEST, "e/a/b", "inside", inside);
    tx = xt_tx_start(s, GUEST);
    g_assert_cmpint(xs_impl_rm(s, GUEST, tx, "e/a"), ==, 0);
    g_assert_cmpstr(xt_rec_take(top), ==, "");
    g_assert_cmpstr(xt_rec_take(inside), ==, "");
    g_assert_cmpint(xt_tx_commit(s, GUEST, tx), ==, 0);
    g_assert_cmpstr(xt_rec_take(top), ==, "e/a|top");
    g_assert_cmpstr(xt_rec_take(inside), ==, "e/a/b|inside");
}

/* ---- limits and ending ------------------------------------------------- */

static void test_tx_open_limit_enospc(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx[10], extra = XBT_NULL;

    for (size_t i = 0; i < ARRAY_SIZE(tx); i++) {
        tx[i] = xt_tx_start(s, GUEST);
    }
    g_assert_cmpint(xs_impl_transaction_start(s, GUEST, &extra), ==, ENOSPC);
    /* Per domain: others are not affected. */
    for (size_t i = 0; i < ARRAY_SIZE(tx); i++) {
        xt_tx_start(s, OTHER);
    }
    for (size_t i = 0; i < 15; i++) {
        xt_tx_start(s, DOM0);
    }
    /* Ending one (either way) frees a place. */
    g_assert_cmpint(xt_tx_commit(s, GUEST, tx[3]), ==, 0);
    tx[3] = xt_tx_start(s, GUEST);
    g_assert_cmpint(xs_impl_transaction_start(s, GUEST, &extra), ==, ENOSPC);
    g_assert_cmpint(xs_impl_transaction_end(s, GUEST, tx[5], false), ==, 0);
    tx[5] = xt_tx_start(s, GUEST);
}

static void test_tx_open_limit_runtime_change(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t extra;

    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_TRANSACTIONS, 3),
                    ==, 0);
    for (size_t i = 0; i < 3; i++) {
        xt_tx_start(s, GUEST);
    }
    g_assert_cmpint(xs_impl_transaction_start(s, GUEST, &extra), ==, ENOSPC);
    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_TRANSACTIONS, 4),
                    ==, 0);
    xt_tx_start(s, GUEST);
    g_assert_cmpint(xs_impl_transaction_start(s, GUEST, &extra), ==, ENOSPC);
}

/* At most 1024 distinct nodes touched in one unprivileged transaction. */
static void test_tx_touched_nodes_enospc(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;
    char path[32];

    xt_make(s, "/tn", "", "n0,b1");
    for (unsigned int i = 0; i < 1100; i++) {
        snprintf(path, sizeof(path), "/tn/n%u", i);
        g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, path, "0"), ==, 0);
    }

    tx = xt_tx_start(s, GUEST);
    for (unsigned int i = 0; i < 1024; i++) {
        snprintf(path, sizeof(path), "/tn/n%u", i);
        g_assert_cmpint(xt_write(s, GUEST, tx, path, "1"), ==, 0);
    }
    /* Touching one of them again is no new node. */
    g_assert_cmpint(xt_write(s, GUEST, tx, "/tn/n0", "2"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, tx, "/tn/n1024", "1"), ==, ENOSPC);
    g_assert_cmpint(xs_impl_transaction_end(s, GUEST, tx, false), ==, 0);

    /* The privileged domain has no limit. */
    tx = xt_tx_start(s, DOM0);
    for (unsigned int i = 0; i < 1100; i++) {
        snprintf(path, sizeof(path), "/tn/n%u", i);
        g_assert_cmpint(xt_write(s, DOM0, tx, path, "3"), ==, 0);
    }
    g_assert_cmpint(xt_tx_commit(s, DOM0, tx), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/tn/n1099", "3");
}

/* Reads touch nodes too; the limit can change at run time. */
static void test_tx_touched_nodes_runtime_change(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;
    char path[32];

    xt_make(s, "/tn", "", "n0,b1");
    for (unsigned int i = 0; i < 10; i++) {
        snprintf(path, sizeof(path), "/tn/n%u", i);
        g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, path, "0"), ==, 0);
    }
    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_TX_NODES, 5), ==, 0);
    tx = xt_tx_start(s, GUEST);
    for (unsigned int i = 0; i < 5; i++) {
        snprintf(path, sizeof(path), "/tn/n%u", i);
        assert_value(s, GUEST, tx, path, "0");
    }
    assert_value(s, GUEST, tx, "/tn/n4", "0");
    g_assert_cmpint(xt_write(s, GUEST, tx, "/tn/n2", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, tx, "/tn/n5", "1"), ==, ENOSPC);
    g_assert_cmpint(xs_impl_transaction_end(s, GUEST, tx, false), ==, 0);
}

/* The node-size quota counts the children a transaction adds. */
static void test_tx_node_size_counts_own_children(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx;
    char value[2100];

    memset(value, 'v', sizeof(value));
    /* 24 + 2014 + ("abcdefghi" + 1) = 2048, as outside transactions. */
    g_assert_cmpint(xt_write_bytes(s, GUEST, XBT_NULL, "big", value, 2014),
                    ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "small", ""), ==, 0);
    tx = xt_tx_start(s, GUEST);
    g_assert_cmpint(xt_write(s, GUEST, tx, "big/abcdefghi", ""), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, tx, "big/j", ""), ==, E2BIG);
    g_assert_cmpint(xt_write(s, GUEST, tx, "small/abcdefghi", ""), ==, 0);
    g_assert_cmpint(xt_write_bytes(s, GUEST, tx, "small", value, 2014),
                    ==, 0);
    g_assert_cmpint(xt_write_bytes(s, GUEST, tx, "small", value, 2015),
                    ==, E2BIG);
    g_assert_cmpint(xt_tx_commit(s, GUEST, tx), ==, 0);
    assert_dir(s, GUEST, XBT_NULL, "big", "abcdefghi");
}

/* The nodes quota holds for nodes created inside a transaction. */
static void test_tx_nodes_quota_inside(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    unsigned int owned = xs_impl_domain_nodes(s, GUEST);
    xs_transaction_t tx;

    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_NODES, owned + 2),
                    ==, 0);
    tx = xt_tx_start(s, GUEST);
    g_assert_cmpint(xt_write(s, GUEST, tx, "a", "v"), ==, 0);
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, tx, "b"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, tx, "c", "v"), ==, ENOSPC);
    g_assert_cmpint(xt_write(s, GUEST, tx, "a/c", "v"), ==, ENOSPC);
    g_assert_cmpint(xt_tx_commit(s, GUEST, tx), ==, 0);
    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, owned + 2);

    /* Removals inside give the places back at commit. */
    tx = xt_tx_start(s, GUEST);
    g_assert_cmpint(xs_impl_rm(s, GUEST, tx, "a"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, GUEST, tx), ==, 0);
    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, owned + 1);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "c", "v"), ==, 0);
}

/* RESET_WATCHES ends every open transaction of the domain. */
static void test_tx_reset_watches_ends_tx(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx[10], other;

    for (size_t i = 0; i < ARRAY_SIZE(tx); i++) {
        tx[i] = xt_tx_start(s, GUEST);
    }
    g_assert_cmpint(xt_write(s, GUEST, tx[0], "gone", "x"), ==, 0);
    other = xt_tx_start(s, OTHER);
    g_assert_cmpint(xs_impl_reset_watches(s, GUEST), ==, 0);
    for (size_t i = 0; i < ARRAY_SIZE(tx); i++) {
        assert_tx_gone(s, GUEST, tx[i]);
    }
    /* Their places are free again; other domains keep theirs. */
    for (size_t i = 0; i < ARRAY_SIZE(tx); i++) {
        tx[i] = xt_tx_start(s, GUEST);
    }
    g_assert_cmpint(xt_write(s, OTHER, other, "x", "1"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, OTHER, other), ==, 0);
}

static void test_tx_release_domain_ends_tx(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    xs_transaction_t tx, other;

    g_assert_cmpint(xs_impl_introduce_domain(s, GUEST), ==, 0);
    tx = xt_tx_start(s, GUEST);
    other = xt_tx_start(s, OTHER);
    g_assert_cmpint(xt_write(s, GUEST, tx, "gone", "x"), ==, 0);
    g_assert_cmpint(xs_impl_release_domain(s, GUEST), ==, 0);
    assert_tx_gone(s, GUEST, tx);
    g_assert_cmpint(xt_tx_commit(s, OTHER, other), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/xs-node/tx/ids-nonzero-unique",
                    test_tx_ids_nonzero_unique);
    g_test_add_func("/xs-node/tx/own-changes-visible-inside",
                    test_tx_own_changes_visible_inside);
    g_test_add_func("/xs-node/tx/invisible-outside-until-commit",
                    test_tx_invisible_outside_until_commit);
    g_test_add_func("/xs-node/tx/directory-merged-sorted",
                    test_tx_directory_merged_sorted);
    g_test_add_func("/xs-node/tx/rm-then-recreate-inside",
                    test_tx_rm_then_recreate_inside);
    g_test_add_func("/xs-node/tx/abort-discards", test_tx_abort_discards);
    g_test_add_func("/xs-node/tx/id-gone-after-end",
                    test_tx_id_gone_after_end);
    g_test_add_func("/xs-node/tx/unknown-id-enoent",
                    test_tx_unknown_id_enoent);
    g_test_add_func("/xs-node/tx/other-domain-id-enoent",
                    test_tx_other_domain_id_enoent);

    g_test_add_func("/xs-node/tx/disjoint-no-eagain",
                    test_tx_disjoint_no_eagain);
    g_test_add_func("/xs-node/tx/no-lost-update", test_tx_no_lost_update);
    g_test_add_func("/xs-node/tx/two-tx-same-node", test_tx_two_tx_same_node);
    g_test_add_func("/xs-node/tx/write-only-conflict",
                    test_tx_write_only_conflict);
    g_test_add_func("/xs-node/tx/write-then-perms-changed",
                    test_tx_write_then_perms_changed);
    g_test_add_func("/xs-node/tx/created-node-created-meanwhile",
                    test_tx_created_node_created_meanwhile);
    g_test_add_func("/xs-node/tx/mkdir-created-meanwhile",
                    test_tx_mkdir_created_meanwhile);
    g_test_add_func("/xs-node/tx/set-perms-then-value-changed",
                    test_tx_set_perms_then_value_changed);
    g_test_add_func("/xs-node/tx/rm-only-conflict",
                    test_tx_rm_only_conflict);
    g_test_add_func("/xs-node/tx/sibling-creation-no-conflict",
                    test_tx_sibling_creation_no_conflict);
    g_test_add_func("/xs-node/tx/read-absent-then-created",
                    test_tx_read_absent_then_created);
    g_test_add_func("/xs-node/tx/read-absent-parent-changed",
                    test_tx_read_absent_parent_changed);
    g_test_add_func("/xs-node/tx/read-then-removed",
                    test_tx_read_then_removed);
    g_test_add_func("/xs-node/tx/read-then-recreated",
                    test_tx_read_then_recreated);
    g_test_add_func("/xs-node/tx/directory-then-children-change",
                    test_tx_directory_then_children_change);
    g_test_add_func("/xs-node/tx/get-perms-then-perms-change",
                    test_tx_get_perms_then_perms_change);
    g_test_add_func("/xs-node/tx/snapshot-from-start",
                    test_tx_snapshot_from_start);
    g_test_add_func("/xs-node/tx/child-value-change-no-conflict",
                    test_tx_child_value_change_no_conflict);
    g_test_add_func("/xs-node/tx/eagain-applies-nothing",
                    test_tx_eagain_applies_nothing);

    g_test_add_func("/xs-node/tx/perms-apply-inside",
                    test_tx_perms_apply_inside);

    g_test_add_func("/xs-node/tx/events-at-commit-only",
                    test_tx_events_at_commit_only);
    g_test_add_func("/xs-node/tx/events-once-per-node-in-order",
                    test_tx_events_once_per_node_in_order);
    g_test_add_func("/xs-node/tx/no-events-on-abort-or-eagain",
                    test_tx_no_events_on_abort_or_eagain);
    g_test_add_func("/xs-node/tx/rm-events-at-commit",
                    test_tx_rm_events_at_commit);

    g_test_add_func("/xs-node/tx/open-limit-enospc",
                    test_tx_open_limit_enospc);
    g_test_add_func("/xs-node/tx/open-limit-runtime-change",
                    test_tx_open_limit_runtime_change);
    g_test_add_func("/xs-node/tx/touched-nodes-enospc",
                    test_tx_touched_nodes_enospc);
    g_test_add_func("/xs-node/tx/touched-nodes-runtime-change",
                    test_tx_touched_nodes_runtime_change);
    g_test_add_func("/xs-node/tx/node-size-counts-own-children",
                    test_tx_node_size_counts_own_children);
    g_test_add_func("/xs-node/tx/nodes-quota-inside",
                    test_tx_nodes_quota_inside);
    g_test_add_func("/xs-node/tx/reset-watches-ends-tx",
                    test_tx_reset_watches_ends_tx);
    g_test_add_func("/xs-node/tx/release-domain-ends-tx",
                    test_tx_release_domain_ends_tx);

    return g_test_run();
}
