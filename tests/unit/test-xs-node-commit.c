/*
 * Tests of the database's transaction rules: what a commit checks
 * (nodes only written, failed requests, quotas again) and what it
 * leaves alone (unrelated activity).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-node-helpers.h"
#include "xs-tx-rules.h"

/* ---- 5. nodes only written are checked too ----------------------------- */

/*
 * data/n exists; a transaction starts and the watch recorder is on.  The
 * caller's transaction then acts on data/n without reading it.
 */
static xs_transaction_t unread_node_tx(XenstoreImplState *s,
                                       XtRecorder **r)
{
    xt_make(s, HOME "data/n", "0", "n1");
    *r = watch_all(s);
    return xt_tx_start(s, GUEST);
}

/* Someone writes data/n outside: the commit is EAGAIN, their value stays. */
static void other_write_rejects(XenstoreImplState *s, xs_transaction_t tx,
                                XtRecorder *r)
{
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "data/n", "out"), ==, 0);
    commit_rejected(s, GUEST, tx, EAGAIN, r);
    assert_value(s, DOM0, XBT_NULL, HOME "data/n", "out");
}

/* Writing a node never read: a change by someone else is EAGAIN. */
static void test_checked_write_only(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    xs_transaction_t tx = unread_node_tx(s, &r);

    g_assert_cmpint(xt_write(s, GUEST, tx, "data/n", "tx"), ==, 0);
    other_write_rejects(s, tx, r);
}

/* Removing a node never read: a change by someone else is EAGAIN. */
static void test_checked_rm_only(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    xs_transaction_t tx = unread_node_tx(s, &r);

    g_assert_cmpint(xs_impl_rm(s, GUEST, tx, "data/n"), ==, 0);
    other_write_rejects(s, tx, r);
    assert_dir(s, DOM0, XBT_NULL, HOME "data", "n");
}

/* Setting perms on a node never read: a value written since is EAGAIN. */
static void test_checked_set_perms_only(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    xs_transaction_t tx = unread_node_tx(s, &r);

    g_assert_cmpint(xt_set_perms(s, GUEST, tx, "data/n", "n1,r2"), ==, 0);
    other_write_rejects(s, tx, r);
    assert_perms(s, DOM0, XBT_NULL, HOME "data/n", "n1");
}

/*
 * A node the transaction created, created by someone else first: EAGAIN
 * (no merge), for WRITE, for MKDIR, and for a parent WRITE made on the
 * way.  The other creator's nodes stay as they made them.
 */
static void test_checked_created_first(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = watch_all(s);
    xs_transaction_t wr = xt_tx_start(s, GUEST);
    xs_transaction_t mk = xt_tx_start(s, GUEST);
    xs_transaction_t deep = xt_tx_start(s, GUEST);

    g_assert_cmpint(xt_write(s, GUEST, wr, "data/x", "tx"), ==, 0);
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, mk, "data/d"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, deep, "data/p/leaf", "tx"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "data/x", "out"), ==, 0);
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, XBT_NULL, "data/d"), ==, 0);
    xt_make(s, HOME "data/p", "theirs", "n0,r1");

    commit_rejected(s, GUEST, wr, EAGAIN, r);
    commit_rejected(s, GUEST, mk, EAGAIN, r);
    commit_rejected(s, GUEST, deep, EAGAIN, r);
    assert_value(s, DOM0, XBT_NULL, HOME "data/x", "out");
    assert_value(s, DOM0, XBT_NULL, HOME "data/p", "theirs");
    assert_perms(s, DOM0, XBT_NULL, HOME "data/p", "n0,r1");
    assert_dir(s, DOM0, XBT_NULL, HOME "data/p", "");
    assert_dir(s, DOM0, XBT_NULL, HOME "data", "d,p,x");
}

/* ---- 6. unrelated activity --------------------------------------------- */

/*
 * Changes to nodes the transaction never looked at, other children of
 * directories it never listed, and children of nodes it only read, never
 * fail it.
 */
static void test_unrelated_no_eagain(void)
{
    static const char *const nodes[] = {
        "a", "b", "d", "d/kid", "e", "f", "h", "i",
    };
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    g_autofree char *perms = NULL;
    xs_transaction_t tx, other;

    for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
        g_autofree char *p = g_strconcat(HOME "data/", nodes[i], NULL);

        xt_make(s, p, "0", "n1");
    }
    tx = xt_tx_start(s, GUEST);
    assert_value(s, GUEST, tx, "data/a", "0");
    g_assert_cmpint(xt_write(s, GUEST, tx, "data/b", "tx"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, tx, "data/c", "tx"), ==, 0);
    assert_dir(s, GUEST, tx, "data/d", "kid");
    assert_perms(s, GUEST, tx, "data/e", "n1");

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, HOME "data/f", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "data/g", "1"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, HOME "data/h"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, HOME "data/i", "n1,r2"),
                    ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, HOME "data/d/kid", "1"),
                    ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, HOME "data/d/kid",
                                 "n1,r2"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "data/a/sub", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/elsewhere/x", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, OTHER, XBT_NULL, "x", "1"), ==, 0);
    other = xt_tx_start(s, OTHER);
    g_assert_cmpint(xt_write(s, OTHER, other, "y", "1"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, OTHER, other), ==, 0);

    r = watch_all(s);
    g_assert_cmpint(xt_tx_commit(s, GUEST, tx), ==, 0);
    g_assert_cmpstr(xt_rec_take_sorted(r), ==,
                    HOME "data/b|all " HOME "data/c|all");
    assert_value(s, DOM0, XBT_NULL, HOME "data/b", "tx");
    assert_value(s, DOM0, XBT_NULL, HOME "data/c", "tx");
    assert_dir(s, DOM0, XBT_NULL, HOME "data", "a,b,c,d,e,f,g,i");
    assert_value(s, DOM0, XBT_NULL, HOME "data/f", "1");
    assert_value(s, DOM0, XBT_NULL, HOME "data/d/kid", "1");
    g_assert_cmpint(xt_get_perms(s, DOM0, XBT_NULL, HOME "data/i", &perms),
                    ==, 0);
    g_assert_cmpstr(perms, ==, "n1,r2");
}

/* ---- 7. failed requests ------------------------------------------------ */

/*
 * ENOENT is an answer: creating the missing node since is EAGAIN.  The
 * dependency is on the nearest existing ancestor's child list, so any
 * child added there fails the transaction (the documented conservative
 * rule), and so does RM of a missing node answering OK.
 */
static void test_failed_enoent_counts(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = watch_all(s);
    g_autofree char *perms = NULL;
    xs_transaction_t same = xt_tx_start(s, GUEST);
    xs_transaction_t gp = xt_tx_start(s, GUEST);
    xs_transaction_t deep = xt_tx_start(s, GUEST);
    xs_transaction_t rm = xt_tx_start(s, GUEST);
    xs_transaction_t sibling;

    assert_read_fails(s, GUEST, same, "data/m", ENOENT);
    g_assert_cmpint(xt_get_perms(s, GUEST, gp, "data/m", &perms), ==, ENOENT);
    assert_read_fails(s, GUEST, deep, "data/m/n/o", ENOENT);
    g_assert_cmpint(xs_impl_rm(s, GUEST, rm, "data/m"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "data/m", "now"), ==, 0);

    commit_rejected(s, GUEST, same, EAGAIN, r);
    commit_rejected(s, GUEST, gp, EAGAIN, r);
    commit_rejected(s, GUEST, deep, EAGAIN, r);
    commit_rejected(s, GUEST, rm, EAGAIN, r);
    assert_value(s, DOM0, XBT_NULL, HOME "data/m", "now");

    /* Another child of the ancestor: EAGAIN as well. */
    sibling = xt_tx_start(s, GUEST);
    assert_read_fails(s, GUEST, sibling, "data/q", ENOENT);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "data/other", "1"), ==, 0);
    commit_rejected(s, GUEST, sibling, EAGAIN, r);
}

/*
 * EACCES and EPERM are answers too: a change that would make the request
 * allowed, or refused differently, is EAGAIN.
 */
static void test_failed_denied_counts(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    xs_transaction_t hidden, below, owner;

    xt_make(s, HOME "data/hidden", "h", "n0");
    xt_make(s, HOME "data/e", "e", "n1");
    r = watch_all(s);
    hidden = xt_tx_start(s, GUEST);
    below = xt_tx_start(s, GUEST);
    owner = xt_tx_start(s, GUEST);
    assert_read_fails(s, GUEST, hidden, "data/hidden", EACCES);
    assert_read_fails(s, GUEST, below, "data/hidden/none", EACCES);
    g_assert_cmpint(xt_set_perms(s, GUEST, owner, "data/e", "n2"), ==, EPERM);

    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, HOME "data/hidden",
                                 "n0,r1"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, HOME "data/e", "n0,b1"),
                    ==, 0);
    commit_rejected(s, GUEST, hidden, EAGAIN, r);
    commit_rejected(s, GUEST, below, EAGAIN, r);
    commit_rejected(s, GUEST, owner, EAGAIN, r);
}

/*
 * A request refused for a quota or a malformed request records nothing:
 * changes since to what it named do not fail the commit.
 */
static void test_failed_quota_records_nothing(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autofree char *big = padded("big", 200);
    g_autofree char *names = NULL;
    xs_transaction_t tx;

    xt_make(s, HOME "data/q", "q", "n1");
    xt_make(s, HOME "data/s", "s", "n1");
    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_NODE_SIZE, 100),
                    ==, 0);
    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_PATH_MAX, 20),
                    ==, 0);
    tx = xt_tx_start(s, GUEST);
    g_assert_cmpint(xt_write(s, GUEST, tx, "data/q", big), ==, E2BIG);
    g_assert_cmpint(xt_set_perms(s, GUEST, tx, "data/s",
                                 "n1,r2,r3,r4,r5,r6"), ==, ENOSPC);
    assert_read_fails(s, GUEST, tx, "data/abcdefghijklmnopq", E2BIG);
    g_assert_cmpint(xt_dir(s, GUEST, tx, "data//q", &names, NULL), ==, EINVAL);
    g_assert_cmpint(xt_write(s, GUEST, tx, "data/ok", "1"), ==, 0);

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, HOME "data/q", "dom0"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, HOME "data/s", "n1,r2"),
                    ==, 0);
    xt_make(s, HOME "data/abcdefghijklmnopq", "dom0", "n1");
    g_assert_cmpint(xt_tx_commit(s, GUEST, tx), ==, 0);
    assert_value(s, DOM0, XBT_NULL, HOME "data/ok", "1");
    assert_value(s, DOM0, XBT_NULL, HOME "data/q", "dom0");
    assert_perms(s, DOM0, XBT_NULL, HOME "data/s", "n1,r2");
}

/* ---- 8. quotas again at commit ----------------------------------------- */

/*
 * nodes: the guest is one node below its quota; the transaction creates
 * one (fits then), the guest creates another outside: commit ENOSPC.
 */
static void test_quota_nodes_at_commit(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = watch_all(s);
    unsigned int k = xs_impl_domain_nodes(s, GUEST) + 1;
    xs_transaction_t tx;

    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_NODES, k), ==, 0);
    tx = xt_tx_start(s, GUEST);
    g_assert_cmpint(xt_write(s, GUEST, tx, "data/in-tx", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "drivers/out", "1"), ==, 0);
    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, k);
    commit_rejected(s, GUEST, tx, ENOSPC, r);
    assert_absent(s, HOME "data/in-tx");
    assert_dir(s, DOM0, XBT_NULL, HOME "data", "");
    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, k);
}

/*
 * node-size: P fits one more short child; the transaction adds P/x,
 * domain 0 adds P/yyyy meanwhile: P with both is too big, commit E2BIG.
 * Sizes: P = 16 + 8 x 1 perm + 70 value = 94; + "x" 2 = 96; + "yyyy" 5
 * = 99 (domain 0 has no quota); both = 101 > 100.
 */
static void test_quota_node_size_at_commit(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    g_autofree char *value = padded("p", 70);
    xs_transaction_t tx;

    xt_make(s, HOME "data/p", value, "n1");
    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_NODE_SIZE, 100),
                    ==, 0);
    r = watch_all(s);
    tx = xt_tx_start(s, GUEST);
    g_assert_cmpint(xt_write(s, GUEST, tx, "data/p/x", ""), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, HOME "data/p/yyyy", ""),
                    ==, 0);
    commit_rejected(s, GUEST, tx, E2BIG, r);
    assert_dir(s, DOM0, XBT_NULL, HOME "data/p", "yyyy");
    assert_value(s, DOM0, XBT_NULL, HOME "data/p", value);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-node/snapshot/checked/write-only",
                    test_checked_write_only);
    g_test_add_func("/xs-node/snapshot/checked/rm-only",
                    test_checked_rm_only);
    g_test_add_func("/xs-node/snapshot/checked/set-perms-only",
                    test_checked_set_perms_only);
    g_test_add_func("/xs-node/snapshot/checked/created-first",
                    test_checked_created_first);
    g_test_add_func("/xs-node/snapshot/unrelated/no-eagain",
                    test_unrelated_no_eagain);
    g_test_add_func("/xs-node/snapshot/failed/enoent-counts",
                    test_failed_enoent_counts);
    g_test_add_func("/xs-node/snapshot/failed/denied-counts",
                    test_failed_denied_counts);
    g_test_add_func("/xs-node/snapshot/failed/quota-records-nothing",
                    test_failed_quota_records_nothing);
    g_test_add_func("/xs-node/snapshot/quota/nodes-at-commit",
                    test_quota_nodes_at_commit);
    g_test_add_func("/xs-node/snapshot/quota/node-size-at-commit",
                    test_quota_node_size_at_commit);
    return g_test_run();
}
