/*
 * Tests of the database's transaction rules as xenstore-database.md
 * states them: races with domain 0, what requests in a transaction see
 * of its snapshot and of its own changes, child lists merged at commit.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-node-helpers.h"
#include "xs-tx-rules.h"

/* ---- 1. race scenarios: EAGAIN, the store as domain 0 left it ---------- */

/*
 * a. The guest creates data/x in a transaction; domain 0 creates it
 * first, with perms n0.  A node the transaction created must still be
 * absent at commit.
 */
static void test_race_created_by_dom0(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = watch_all(s);
    xs_transaction_t tx = xt_tx_start(s, GUEST);

    g_assert_cmpint(xt_write(s, GUEST, tx, "data/x", "guest"), ==, 0);
    xt_make(s, HOME "data/x", "dom0", "n0");
    commit_rejected(s, GUEST, tx, EAGAIN, r);
    assert_value(s, DOM0, XBT_NULL, HOME "data/x", "dom0");
    assert_perms(s, DOM0, XBT_NULL, HOME "data/x", "n0");
    assert_dir(s, DOM0, XBT_NULL, HOME "data/x", "");
    assert_dir(s, DOM0, XBT_NULL, HOME "data", "x");
}

/*
 * b. The guest sets perms b1 on a node it owns; domain 0 takes the node
 * over meanwhile (n0,r1).  SET_PERMS depends on the node's perms.
 */
static void test_race_set_perms_taken_over(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    xs_transaction_t tx;

    xt_make(s, HOME "data/b", "mine", "n1");
    r = watch_all(s);
    tx = xt_tx_start(s, GUEST);
    g_assert_cmpint(xt_set_perms(s, GUEST, tx, "data/b", "b1"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, HOME "data/b", "n0,r1"),
                    ==, 0);
    commit_rejected(s, GUEST, tx, EAGAIN, r);
    assert_perms(s, DOM0, XBT_NULL, HOME "data/b", "n0,r1");
    assert_value(s, DOM0, XBT_NULL, HOME "data/b", "mine");
    assert_dir(s, DOM0, XBT_NULL, HOME "data/b", "");
}

/*
 * c. The guest removes a node it owns; domain 0 takes it over (n0) and
 * adds a child.  RM depends on the node and its child list.
 */
static void test_race_rm_taken_over(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    xs_transaction_t tx;

    xt_make(s, HOME "data/c", "mine", "n1");
    r = watch_all(s);
    tx = xt_tx_start(s, GUEST);
    g_assert_cmpint(xs_impl_rm(s, GUEST, tx, "data/c"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, HOME "data/c", "n0"),
                    ==, 0);
    xt_make(s, HOME "data/c/kid", "k", "n0");
    commit_rejected(s, GUEST, tx, EAGAIN, r);
    assert_value(s, DOM0, XBT_NULL, HOME "data/c", "mine");
    assert_perms(s, DOM0, XBT_NULL, HOME "data/c", "n0");
    assert_dir(s, DOM0, XBT_NULL, HOME "data/c", "kid");
    assert_value(s, DOM0, XBT_NULL, HOME "data/c/kid", "k");
    assert_perms(s, DOM0, XBT_NULL, HOME "data/c/kid", "n0");
}

/*
 * d. The guest creates drivers/new; domain 0 locks drivers (n0,r1)
 * meanwhile.  Creating depends on the nearest existing ancestor's perms.
 */
static void test_race_parent_locked(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = watch_all(s);
    xs_transaction_t tx = xt_tx_start(s, GUEST);

    g_assert_cmpint(xt_write(s, GUEST, tx, "drivers/new", "v"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, HOME "drivers", "n0,r1"),
                    ==, 0);
    commit_rejected(s, GUEST, tx, EAGAIN, r);
    assert_absent(s, HOME "drivers/new");
    assert_dir(s, DOM0, XBT_NULL, HOME "drivers", "");
    assert_perms(s, DOM0, XBT_NULL, HOME "drivers", "n0,r1");
    assert_value(s, DOM0, XBT_NULL, HOME "drivers", "");
}

/*
 * e. The guest creates data/z; domain 0 removes the guest's whole home
 * meanwhile.  The commit must not bring any of it back.
 */
static void test_race_home_removed(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = watch_all(s);
    xs_transaction_t tx = xt_tx_start(s, GUEST);

    g_assert_cmpint(xt_write(s, GUEST, tx, "data/z", "v"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/local/domain/1"), ==, 0);
    commit_rejected(s, GUEST, tx, EAGAIN, r);
    assert_absent(s, "/local/domain/1");
    assert_absent(s, HOME "data");
    assert_dir(s, DOM0, XBT_NULL, "/local/domain", "2,3");
}

/* ---- 2. the snapshot: what requests in a transaction see ---------------- */

/* READ sees the value as of the start; the node was read: EAGAIN. */
static void test_view_read(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    xs_transaction_t tx;

    xt_make(s, HOME "data/a", "a", "n1");
    r = watch_all(s);
    tx = xt_tx_start(s, GUEST);
    assert_value(s, GUEST, tx, "data/a", "a");
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, HOME "data/a", "b"), ==, 0);
    assert_value(s, GUEST, tx, "data/a", "a");
    assert_value(s, GUEST, XBT_NULL, "data/a", "b");
    commit_rejected(s, GUEST, tx, EAGAIN, r);
    assert_value(s, GUEST, XBT_NULL, "data/a", "b");
}

/*
 * The snapshot is taken at the start, not at the first read: a change
 * before the transaction's first look is not seen either.
 */
static void test_view_from_start(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    xs_transaction_t tx;

    xt_make(s, HOME "data/a", "a", "n1");
    r = watch_all(s);
    tx = xt_tx_start(s, GUEST);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, HOME "data/a", "b"), ==, 0);
    assert_value(s, GUEST, tx, "data/a", "a");
    g_assert_cmpint(xt_write(s, GUEST, tx, "data/a", "tx"), ==, 0);
    commit_rejected(s, GUEST, tx, EAGAIN, r);
    assert_value(s, GUEST, XBT_NULL, "data/a", "b");
}

/*
 * DIRECTORY lists the children as of the start: one added since is not
 * listed, one removed since still is (and can still be read).
 */
static void test_view_directory(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    xs_transaction_t tx;

    xt_make(s, HOME "data/a", "a", "n1");
    xt_make(s, HOME "data/b", "b", "n1");
    r = watch_all(s);
    tx = xt_tx_start(s, GUEST);
    assert_dir(s, GUEST, tx, "data", "a,b");
    xt_make(s, HOME "data/c", "c", "n1");
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, HOME "data/a"), ==, 0);
    assert_dir(s, GUEST, tx, "data", "a,b");
    assert_value(s, GUEST, tx, "data/a", "a");
    assert_dir(s, GUEST, XBT_NULL, "data", "b,c");
    commit_rejected(s, GUEST, tx, EAGAIN, r);
    assert_dir(s, GUEST, XBT_NULL, "data", "b,c");
}

typedef struct NameList {
    GString *names;
} NameList;

static bool collect_name(void *opaque, const char *name)
{
    NameList *l = opaque;

    if (l->names->len) {
        g_string_append_c(l->names, ',');
    }
    g_string_append(l->names, name);
    return true;
}

/*
 * DIRECTORY_PART's gencnt (both listing calls) is the generation as of
 * the start, stable while others change the child list.
 */
static void test_view_directory_gencnt(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    g_autoptr(GString) names = g_string_new("");
    NameList l = { .names = names };
    g_autofree char *listed = NULL;
    uint64_t g0, gen = 0, gen_each = 0;
    xs_transaction_t tx;

    xt_make(s, HOME "data/a", "a", "n1");
    g0 = xt_gencnt(s, HOME "data");
    r = watch_all(s);
    tx = xt_tx_start(s, GUEST);
    g_assert_cmpint(xt_dir(s, GUEST, tx, "data", &listed, &gen), ==, 0);
    g_assert_cmpuint(gen, ==, g0);

    xt_make(s, HOME "data/b", "b", "n1");
    g_assert_cmpuint(xt_gencnt(s, HOME "data"), !=, g0);
    g_free(listed);
    g_assert_cmpint(xt_dir(s, GUEST, tx, "data", &listed, &gen), ==, 0);
    g_assert_cmpstr(listed, ==, "a");
    g_assert_cmpuint(gen, ==, g0);
    g_assert_cmpint(xs_impl_directory_foreach(s, GUEST, tx, "data",
                                              &gen_each, collect_name, &l),
                    ==, 0);
    g_assert_cmpstr(names->str, ==, "a");
    g_assert_cmpuint(gen_each, ==, g0);
    commit_rejected(s, GUEST, tx, EAGAIN, r);
}

/* GET_PERMS sees the perms as of the start. */
static void test_view_get_perms(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    xs_transaction_t tx;

    xt_make(s, HOME "data/p", "p", "n1");
    r = watch_all(s);
    tx = xt_tx_start(s, GUEST);
    assert_perms(s, GUEST, tx, "data/p", "n1");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, HOME "data/p", "n1,r2"),
                    ==, 0);
    assert_perms(s, GUEST, tx, "data/p", "n1");
    commit_rejected(s, GUEST, tx, EAGAIN, r);
    assert_perms(s, GUEST, XBT_NULL, "data/p", "n1,r2");
}

/*
 * A node removed by someone else after the start still exists for every
 * request in the transaction: reads, and the existence checks of WRITE,
 * MKDIR, RM and SET_PERMS.  Each transaction then fails at commit.
 */
static void test_view_removed_still_there(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    xs_transaction_t rd, wr, mk, rm, sp;

    xt_make(s, HOME "data/r", "r", "n1");
    xt_make(s, HOME "data/r/k", "k", "n1");
    r = watch_all(s);
    rd = xt_tx_start(s, GUEST);
    wr = xt_tx_start(s, GUEST);
    mk = xt_tx_start(s, GUEST);
    rm = xt_tx_start(s, GUEST);
    sp = xt_tx_start(s, GUEST);
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, HOME "data/r"), ==, 0);
    assert_absent(s, HOME "data/r");

    assert_value(s, GUEST, rd, "data/r", "r");
    assert_value(s, GUEST, rd, "data/r/k", "k");
    assert_dir(s, GUEST, rd, "data/r", "k");
    assert_perms(s, GUEST, rd, "data/r", "n1");

    /* WRITE of an existing node: its children stay in the view. */
    g_assert_cmpint(xt_write(s, GUEST, wr, "data/r", "w"), ==, 0);
    assert_dir(s, GUEST, wr, "data/r", "k");

    /* MKDIR of an existing node leaves its value alone. */
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, mk, "data/r"), ==, 0);
    assert_value(s, GUEST, mk, "data/r", "r");

    /* RM below it: the parent exists, so OK (outside: ENOENT). */
    g_assert_cmpint(xs_impl_rm(s, GUEST, XBT_NULL, "data/r/k/x"), ==, ENOENT);
    g_assert_cmpint(xs_impl_rm(s, GUEST, rm, "data/r/k/x"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, GUEST, rm, "data/r/k"), ==, 0);
    assert_dir(s, GUEST, rm, "data/r", "");

    /* SET_PERMS finds it (outside: ENOENT). */
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "data/r", "n1"),
                    ==, ENOENT);
    g_assert_cmpint(xt_set_perms(s, GUEST, sp, "data/r", "n1,r2"), ==, 0);
    assert_perms(s, GUEST, sp, "data/r", "n1,r2");

    commit_rejected(s, GUEST, rd, EAGAIN, r);
    commit_rejected(s, GUEST, wr, EAGAIN, r);
    commit_rejected(s, GUEST, mk, EAGAIN, r);
    commit_rejected(s, GUEST, rm, EAGAIN, r);
    commit_rejected(s, GUEST, sp, EAGAIN, r);
    assert_absent(s, HOME "data/r");
    assert_dir(s, DOM0, XBT_NULL, HOME "data", "");
}

/*
 * A node created by someone else after the start is absent for every
 * request in the transaction.  Each transaction then fails at commit.
 */
static void test_view_created_not_there(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    g_autofree char *perms = NULL, *names = NULL;
    xs_transaction_t rd, wr, mk, rm, sp;

    r = watch_all(s);
    rd = xt_tx_start(s, GUEST);
    wr = xt_tx_start(s, GUEST);
    mk = xt_tx_start(s, GUEST);
    rm = xt_tx_start(s, GUEST);
    sp = xt_tx_start(s, GUEST);
    xt_make(s, HOME "data/n", "n", "n1");
    xt_make(s, HOME "data/n/k", "k", "n1");

    assert_read_fails(s, GUEST, rd, "data/n", ENOENT);
    assert_read_fails(s, GUEST, rd, "data/n/k", ENOENT);
    assert_dir(s, GUEST, rd, "data", "");
    g_assert_cmpint(xt_get_perms(s, GUEST, rd, "data/n", &perms), ==, ENOENT);
    g_assert_cmpint(xt_dir(s, GUEST, rd, "data/n", &names, NULL), ==, ENOENT);

    /* WRITE below it creates a fresh node: no "k" in it. */
    g_assert_cmpint(xt_write(s, GUEST, wr, "data/n/k2", "2"), ==, 0);
    assert_dir(s, GUEST, wr, "data/n", "k2");
    assert_value(s, GUEST, wr, "data/n", "");

    /* MKDIR creates it empty, not with the outside value. */
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, mk, "data/n"), ==, 0);
    assert_value(s, GUEST, mk, "data/n", "");
    assert_dir(s, GUEST, mk, "data/n", "");

    /* RM below it: its parent is missing in the view. */
    g_assert_cmpint(xs_impl_rm(s, GUEST, rm, "data/n/k"), ==, ENOENT);

    g_assert_cmpint(xt_set_perms(s, GUEST, sp, "data/n", "n1"), ==, ENOENT);

    commit_rejected(s, GUEST, rd, EAGAIN, r);
    commit_rejected(s, GUEST, wr, EAGAIN, r);
    commit_rejected(s, GUEST, mk, EAGAIN, r);
    commit_rejected(s, GUEST, rm, EAGAIN, r);
    commit_rejected(s, GUEST, sp, EAGAIN, r);
    assert_value(s, DOM0, XBT_NULL, HOME "data/n", "n");
    assert_dir(s, DOM0, XBT_NULL, HOME "data/n", "k");
}

/*
 * Permission checks in the transaction use the perms as of the start:
 * access taken away since is still granted in the view, access given
 * since is still refused.  Both transactions fail at commit.
 */
static void test_view_perms_as_of_start(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    xs_transaction_t taken, given;

    xt_make(s, HOME "data/mine", "m", "n1");
    xt_make(s, HOME "data/locked", "l", "n0");
    r = watch_all(s);
    taken = xt_tx_start(s, GUEST);
    given = xt_tx_start(s, GUEST);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, HOME "data/mine", "n0"),
                    ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, HOME "data/locked",
                                 "n0,b1"), ==, 0);

    assert_read_fails(s, GUEST, XBT_NULL, "data/mine", EACCES);
    assert_value(s, GUEST, taken, "data/mine", "m");
    g_assert_cmpint(xt_write(s, GUEST, taken, "data/mine", "w"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, taken, "data/mine/kid", "w"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, GUEST, taken, "data/mine", "n1,r2"),
                    ==, 0);

    assert_value(s, GUEST, XBT_NULL, "data/locked", "l");
    assert_read_fails(s, GUEST, given, "data/locked", EACCES);
    g_assert_cmpint(xt_write(s, GUEST, given, "data/locked", "w"),
                    ==, EACCES);
    g_assert_cmpint(xt_write(s, GUEST, given, "data/locked/kid", "w"),
                    ==, EACCES);

    commit_rejected(s, GUEST, taken, EAGAIN, r);
    commit_rejected(s, GUEST, given, EAGAIN, r);
    assert_value(s, DOM0, XBT_NULL, HOME "data/mine", "m");
    assert_perms(s, DOM0, XBT_NULL, HOME "data/mine", "n0");
    assert_dir(s, DOM0, XBT_NULL, HOME "data/mine", "");
    assert_value(s, DOM0, XBT_NULL, HOME "data/locked", "l");
    assert_dir(s, DOM0, XBT_NULL, HOME "data/locked", "");
}

/* ---- 3. the transaction's own changes on top of its snapshot ------------ */

static void test_own_changes_over_snapshot(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    xs_transaction_t tx;

    xt_make(s, HOME "data/a", "a", "n1");
    xt_make(s, HOME "data/b", "b", "n1");
    xt_make(s, HOME "data/c", "c", "n1");
    r = watch_all(s);
    tx = xt_tx_start(s, GUEST);
    g_assert_cmpint(xt_write(s, GUEST, tx, "data/a", "mine"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, tx, "data/n/deep", "new"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, GUEST, tx, "data/c"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, GUEST, tx, "data/b", "n1,r2"), ==, 0);

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, HOME "data/a", "out"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, HOME "data/b", "out"), ==, 0);
    xt_make(s, HOME "data/o", "o", "n1");

    /* Its own value and perms; the snapshot's for the rest. */
    assert_value(s, GUEST, tx, "data/a", "mine");
    assert_value(s, GUEST, tx, "data/b", "b");
    assert_perms(s, GUEST, tx, "data/b", "n1,r2");
    assert_value(s, GUEST, tx, "data/n/deep", "new");
    assert_read_fails(s, GUEST, tx, "data/c", ENOENT);
    assert_read_fails(s, GUEST, tx, "data/o", ENOENT);
    assert_dir(s, GUEST, tx, "data", "a,b,n");

    commit_rejected(s, GUEST, tx, EAGAIN, r);
    assert_dir(s, DOM0, XBT_NULL, HOME "data", "a,b,c,o");
    assert_value(s, DOM0, XBT_NULL, HOME "data/a", "out");
    assert_perms(s, DOM0, XBT_NULL, HOME "data/b", "n1");
}

/* ---- 4. child lists merge at commit ------------------------------------ */

/* The transaction creates P/x while someone else creates P/y: both. */
static void test_merge_sibling_created_outside(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    xs_transaction_t tx = xt_tx_start(s, GUEST);

    g_assert_cmpint(xt_write(s, GUEST, tx, "data/x", "tx"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "data/y", "out"), ==, 0);
    xt_make(s, HOME "data/w", "dom0", "n0");
    g_assert_cmpint(xt_tx_commit(s, GUEST, tx), ==, 0);
    assert_dir(s, DOM0, XBT_NULL, HOME "data", "w,x,y");
    assert_value(s, DOM0, XBT_NULL, HOME "data/x", "tx");
    assert_value(s, DOM0, XBT_NULL, HOME "data/y", "out");
}

/* The transaction creates P/x while someone else removes P/z: fine. */
static void test_merge_sibling_removed_outside(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    xs_transaction_t tx;

    xt_make(s, HOME "data/z", "z", "n1");
    tx = xt_tx_start(s, GUEST);
    g_assert_cmpint(xt_write(s, GUEST, tx, "data/x", "tx"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, HOME "data/z"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, GUEST, tx), ==, 0);
    assert_dir(s, DOM0, XBT_NULL, HOME "data", "x");
}

/* Two transactions creating P/x and P/y: whichever order, both commit. */
static void test_merge_sibling_created_by_tx(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    xs_transaction_t a = xt_tx_start(s, GUEST);
    xs_transaction_t b = xt_tx_start(s, GUEST);

    g_assert_cmpint(xt_write(s, GUEST, a, "data/x", "a"), ==, 0);
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, b, "data/y"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, GUEST, b), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, GUEST, a), ==, 0);
    assert_dir(s, DOM0, XBT_NULL, HOME "data", "x,y");
    assert_value(s, DOM0, XBT_NULL, HOME "data/x", "a");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-node/snapshot/race/created-by-dom0",
                    test_race_created_by_dom0);
    g_test_add_func("/xs-node/snapshot/race/set-perms-taken-over",
                    test_race_set_perms_taken_over);
    g_test_add_func("/xs-node/snapshot/race/rm-taken-over",
                    test_race_rm_taken_over);
    g_test_add_func("/xs-node/snapshot/race/parent-locked",
                    test_race_parent_locked);
    g_test_add_func("/xs-node/snapshot/race/home-removed",
                    test_race_home_removed);
    g_test_add_func("/xs-node/snapshot/view/read", test_view_read);
    g_test_add_func("/xs-node/snapshot/view/from-start",
                    test_view_from_start);
    g_test_add_func("/xs-node/snapshot/view/directory", test_view_directory);
    g_test_add_func("/xs-node/snapshot/view/directory-gencnt",
                    test_view_directory_gencnt);
    g_test_add_func("/xs-node/snapshot/view/get-perms", test_view_get_perms);
    g_test_add_func("/xs-node/snapshot/view/removed-still-there",
                    test_view_removed_still_there);
    g_test_add_func("/xs-node/snapshot/view/created-not-there",
                    test_view_created_not_there);
    g_test_add_func("/xs-node/snapshot/view/perms-as-of-start",
                    test_view_perms_as_of_start);
    g_test_add_func("/xs-node/snapshot/own/changes-over-snapshot",
                    test_own_changes_over_snapshot);
    g_test_add_func("/xs-node/snapshot/merge/sibling-created-outside",
                    test_merge_sibling_created_outside);
    g_test_add_func("/xs-node/snapshot/merge/sibling-removed-outside",
                    test_merge_sibling_removed_outside);
    g_test_add_func("/xs-node/snapshot/merge/sibling-created-by-tx",
                    test_merge_sibling_created_by_tx);
    return g_test_run();
}
