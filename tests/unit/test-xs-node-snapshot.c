/*
 * Tests of the database's transaction rules as docs/devel/xenstore-database.md
 * states them: snapshot views, dependencies checked at commit, quotas at
 * commit, and the memory a domain's transactions may hold.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-node-helpers.h"
#ifdef __GLIBC__
#include <malloc.h>
#endif

#define HOME "/local/domain/1/"

#define KiB 1024u
#define MiB (1024u * KiB)

/*
 * Heap the store may use beyond a domain's transaction budget: its fixed
 * structures (transactions, hash tables) and malloc's own chunk overhead.
 */
#define HEAP_SLACK (256u * KiB)
/* What may stay on the heap after every transaction has ended. */
#define HEAP_RETURN_SLACK (64u * KiB)

/* ---- helpers ----------------------------------------------------------- */

/*
 * The helpers' store, plus the guest's own "data" and "drivers" made by
 * domain 0 and owned by the guest ("n1").
 */
static XenstoreImplState *store_new(void)
{
    XenstoreImplState *s = xt_store_new();

    xt_make(s, HOME "data", "", "n1");
    xt_make(s, HOME "drivers", "", "n1");
    return s;
}

static xs_transaction_t tx_start(XenstoreImplState *s, unsigned int dom)
{
    xs_transaction_t tx = XBT_NULL;

    g_assert_cmpint(xs_impl_transaction_start(s, dom, &tx), ==, 0);
    g_assert_cmpuint(tx, !=, XBT_NULL);
    return tx;
}

static int tx_commit(XenstoreImplState *s, unsigned int dom,
                     xs_transaction_t tx)
{
    return xs_impl_transaction_end(s, dom, tx, true);
}

static int tx_abort(XenstoreImplState *s, unsigned int dom,
                    xs_transaction_t tx)
{
    return xs_impl_transaction_end(s, dom, tx, false);
}

/* A recorder of every event domain 0 may see, from now on. */
static XtRecorder *watch_all(XenstoreImplState *s)
{
    XtRecorder *r = xt_rec_new();

    xt_watch_ok(s, DOM0, "/", "all", r);
    return r;
}

/*
 * Commit tx of dom expecting err, and check that nothing was applied:
 * no watch event on r, no node changed owner count, the id is gone.
 */
static void commit_rejected(XenstoreImplState *s, unsigned int dom,
                            xs_transaction_t tx, int err, XtRecorder *r)
{
    unsigned int guest_nodes = xs_impl_domain_nodes(s, GUEST);
    unsigned int dom_nodes = xs_impl_domain_nodes(s, dom);

    xt_rec_take(r);
    g_assert_cmpint(tx_commit(s, dom, tx), ==, err);
    g_assert_cmpstr(xt_rec_take(r), ==, "");
    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, guest_nodes);
    g_assert_cmpuint(xs_impl_domain_nodes(s, dom), ==, dom_nodes);
    g_assert_cmpint(tx_abort(s, dom, tx), ==, ENOENT);
}

static void assert_absent(XenstoreImplState *s, const char *path)
{
    g_assert_false(xt_exists(s, path));
}

/* A read answering err (never a value). */
static void assert_read_fails(XenstoreImplState *s, unsigned int dom,
                              xs_transaction_t tx, const char *path, int err)
{
    g_autofree char *v = NULL;

    g_assert_cmpint(xt_read(s, dom, tx, path, &v), ==, err);
    g_assert_null(v);
}

/* n bytes: tag, then '.' up to n. */
static char *padded(const char *tag, size_t n)
{
    char *v = g_malloc(n + 1);
    size_t len = MIN(strlen(tag), n);

    memset(v, '.', n);
    memcpy(v, tag, len);
    v[n] = '\0';
    return v;
}

/* n letters, for long path components. */
static char *letters(size_t n)
{
    char *v = g_malloc(n + 1);

    for (size_t i = 0; i < n; i++) {
        v[i] = 'a' + i % 26;
    }
    v[n] = '\0';
    return v;
}

/*
 * Heap in use by malloc: glibc's mallinfo2() (uordblks, plus hblkhd for
 * the blocks it mapped on their own).  Not RSS: freed memory counts as
 * free at once.
 */
static size_t heap_in_use(void)
{
#ifdef __GLIBC__
    struct mallinfo2 mi = mallinfo2();

    return mi.uordblks + mi.hblkhd;
#else
    return 0;
#endif
}

/* Whether heap_in_use() sees allocations (not under a sanitizer's malloc). */
static bool heap_measurable(void)
{
    size_t before = heap_in_use();
    char *block = g_malloc(64 * KiB);
    bool seen;

    memset(block, 1, 64 * KiB);
    seen = heap_in_use() >= before + 64 * KiB;
    g_free(block);
    if (!seen) {
        g_test_message("heap use not measurable here: bounds not checked");
    }
    return seen;
}

/* The largest growth seen by assert_heap_below(), for the test's log. */
static size_t heap_peak;

static void assert_heap_below(bool measure, size_t base, size_t bound)
{
    if (measure) {
        size_t now = heap_in_use();
        size_t grown = now > base ? now - base : 0;

        heap_peak = MAX(heap_peak, grown);
        g_assert_cmpuint(grown, <=, bound);
    }
}

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
    xs_transaction_t tx = tx_start(s, GUEST);

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
    tx = tx_start(s, GUEST);
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
    tx = tx_start(s, GUEST);
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
    xs_transaction_t tx = tx_start(s, GUEST);

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
    xs_transaction_t tx = tx_start(s, GUEST);

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
    tx = tx_start(s, GUEST);
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
    tx = tx_start(s, GUEST);
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
    tx = tx_start(s, GUEST);
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
    tx = tx_start(s, GUEST);
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
    tx = tx_start(s, GUEST);
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
    rd = tx_start(s, GUEST);
    wr = tx_start(s, GUEST);
    mk = tx_start(s, GUEST);
    rm = tx_start(s, GUEST);
    sp = tx_start(s, GUEST);
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
    rd = tx_start(s, GUEST);
    wr = tx_start(s, GUEST);
    mk = tx_start(s, GUEST);
    rm = tx_start(s, GUEST);
    sp = tx_start(s, GUEST);
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
    taken = tx_start(s, GUEST);
    given = tx_start(s, GUEST);
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
    tx = tx_start(s, GUEST);
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
    xs_transaction_t tx = tx_start(s, GUEST);

    g_assert_cmpint(xt_write(s, GUEST, tx, "data/x", "tx"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "data/y", "out"), ==, 0);
    xt_make(s, HOME "data/w", "dom0", "n0");
    g_assert_cmpint(tx_commit(s, GUEST, tx), ==, 0);
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
    tx = tx_start(s, GUEST);
    g_assert_cmpint(xt_write(s, GUEST, tx, "data/x", "tx"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, HOME "data/z"), ==, 0);
    g_assert_cmpint(tx_commit(s, GUEST, tx), ==, 0);
    assert_dir(s, DOM0, XBT_NULL, HOME "data", "x");
}

/* Two transactions creating P/x and P/y: whichever order, both commit. */
static void test_merge_sibling_created_by_tx(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    xs_transaction_t a = tx_start(s, GUEST);
    xs_transaction_t b = tx_start(s, GUEST);

    g_assert_cmpint(xt_write(s, GUEST, a, "data/x", "a"), ==, 0);
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, b, "data/y"), ==, 0);
    g_assert_cmpint(tx_commit(s, GUEST, b), ==, 0);
    g_assert_cmpint(tx_commit(s, GUEST, a), ==, 0);
    assert_dir(s, DOM0, XBT_NULL, HOME "data", "x,y");
    assert_value(s, DOM0, XBT_NULL, HOME "data/x", "a");
}

/* ---- 5. nodes only written are checked too ----------------------------- */

/* Writing a node never read: a change by someone else is EAGAIN. */
static void test_checked_write_only(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    xs_transaction_t tx;

    xt_make(s, HOME "data/n", "0", "n1");
    r = watch_all(s);
    tx = tx_start(s, GUEST);
    g_assert_cmpint(xt_write(s, GUEST, tx, "data/n", "tx"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "data/n", "out"), ==, 0);
    commit_rejected(s, GUEST, tx, EAGAIN, r);
    assert_value(s, DOM0, XBT_NULL, HOME "data/n", "out");
}

/* Removing a node never read: a change by someone else is EAGAIN. */
static void test_checked_rm_only(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    xs_transaction_t tx;

    xt_make(s, HOME "data/n", "0", "n1");
    r = watch_all(s);
    tx = tx_start(s, GUEST);
    g_assert_cmpint(xs_impl_rm(s, GUEST, tx, "data/n"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "data/n", "out"), ==, 0);
    commit_rejected(s, GUEST, tx, EAGAIN, r);
    assert_value(s, DOM0, XBT_NULL, HOME "data/n", "out");
    assert_dir(s, DOM0, XBT_NULL, HOME "data", "n");
}

/* Setting perms on a node never read: a value written since is EAGAIN. */
static void test_checked_set_perms_only(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autoptr(XtRecorder) r = NULL;
    xs_transaction_t tx;

    xt_make(s, HOME "data/n", "0", "n1");
    r = watch_all(s);
    tx = tx_start(s, GUEST);
    g_assert_cmpint(xt_set_perms(s, GUEST, tx, "data/n", "n1,r2"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "data/n", "out"), ==, 0);
    commit_rejected(s, GUEST, tx, EAGAIN, r);
    assert_value(s, DOM0, XBT_NULL, HOME "data/n", "out");
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
    xs_transaction_t wr = tx_start(s, GUEST);
    xs_transaction_t mk = tx_start(s, GUEST);
    xs_transaction_t deep = tx_start(s, GUEST);

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
    tx = tx_start(s, GUEST);
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
    other = tx_start(s, OTHER);
    g_assert_cmpint(xt_write(s, OTHER, other, "y", "1"), ==, 0);
    g_assert_cmpint(tx_commit(s, OTHER, other), ==, 0);

    r = watch_all(s);
    g_assert_cmpint(tx_commit(s, GUEST, tx), ==, 0);
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
    xs_transaction_t same = tx_start(s, GUEST);
    xs_transaction_t gp = tx_start(s, GUEST);
    xs_transaction_t deep = tx_start(s, GUEST);
    xs_transaction_t rm = tx_start(s, GUEST);
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
    sibling = tx_start(s, GUEST);
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
    hidden = tx_start(s, GUEST);
    below = tx_start(s, GUEST);
    owner = tx_start(s, GUEST);
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
    tx = tx_start(s, GUEST);
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
    g_assert_cmpint(tx_commit(s, GUEST, tx), ==, 0);
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
    tx = tx_start(s, GUEST);
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
    tx = tx_start(s, GUEST);
    g_assert_cmpint(xt_write(s, GUEST, tx, "data/p/x", ""), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, HOME "data/p/yyyy", ""),
                    ==, 0);
    commit_rejected(s, GUEST, tx, E2BIG, r);
    assert_dir(s, DOM0, XBT_NULL, HOME "data/p", "yyyy");
    assert_value(s, DOM0, XBT_NULL, HOME "data/p", value);
}

/* ---- 9. memory: the budget of a domain's open transactions ------------- */

#define MEM_TX 10
#define MEM_MISSING 1000        /* failing reads per transaction and round */
#define MEM_DENIED 250          /* EACCES reads and writes, the same */
#define MEM_READS 50            /* succeeding reads, the same */
#define MEM_VALUE 1900          /* bytes of each value written */
#define MEM_LONG 1990           /* letters in a long path component */
/* 2 x transaction-nodes x node-size with the default quotas. */
#define MEM_BUDGET (2u * 1024u * 2048u)

/* Requests that fail (ENOENT, EACCES) or only read, in transaction tx. */
static void mem_failing_round(XenstoreImplState *s, xs_transaction_t tx,
                              unsigned int round, const char *tail)
{
    g_autofree char *half = g_strndup(tail, MEM_LONG / 2);

    for (unsigned int i = 0; i < MEM_MISSING; i++) {
        g_autofree char *p = i % 2 ?
            g_strdup_printf("data/m%u_%u_%s", round, i, tail) :
            g_strdup_printf("data/m%u_%u/%s/%s", round, i, half, half);

        assert_read_fails(s, GUEST, tx, p, ENOENT);
    }
    for (unsigned int i = 0; i < MEM_DENIED; i++) {
        g_autofree char *p = g_strdup_printf("/local/domain/2/s%u_%u_%s",
                                             round, i, tail);

        assert_read_fails(s, GUEST, tx, p, EACCES);
        g_assert_cmpint(xt_write(s, GUEST, tx, p, "v"), ==, EACCES);
    }
    for (unsigned int i = 0; i < MEM_READS; i++) {
        g_autofree char *p = g_strdup_printf("ro/r%u", i);

        assert_value(s, GUEST, tx, p, "value");
    }
}

/* New nodes with large values in tx until ENOSPC; how many went in. */
static unsigned int mem_fill(XenstoreImplState *s, xs_transaction_t tx,
                             unsigned int t, const char *value)
{
    for (unsigned int i = 0;; i++) {
        g_autofree char *p = g_strdup_printf("data/t%u/g%u/n%u",
                                             t, i / 64, i % 64);
        int err = xt_write(s, GUEST, tx, p, value);

        if (err) {
            g_assert_cmpint(err, ==, ENOSPC);
            return i;
        }
        g_assert_cmpuint(i, <, 2 * MEM_BUDGET / MEM_VALUE);
    }
}

/*
 * One guest, ten open transactions, tens of thousands of requests in
 * them (failing, refused, succeeding, and writes until ENOSPC): the heap
 * stays under the domain's budget plus a fixed allowance, and returns to
 * where it was when all transactions are aborted.
 */
static void test_memory_ten_tx_bound(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autofree char *tail = letters(MEM_LONG);
    g_autofree char *value = padded("v", MEM_VALUE);
    xs_transaction_t tx[MEM_TX];
    unsigned int written = 0;
    bool measure = heap_measurable();
    size_t base;

    for (unsigned int i = 0; i < MEM_READS; i++) {
        g_autofree char *p = g_strdup_printf(HOME "ro/r%u", i);

        xt_make(s, p, "value", "n0,r1");
    }
    base = heap_in_use();
    for (unsigned int t = 0; t < MEM_TX; t++) {
        tx[t] = tx_start(s, GUEST);
    }
    for (unsigned int t = 0; t < MEM_TX; t++) {
        mem_failing_round(s, tx[t], 0, tail);
        assert_heap_below(measure, base, MEM_BUDGET + HEAP_SLACK);
    }
    for (unsigned int t = 0; t < MEM_TX; t++) {
        written += mem_fill(s, tx[t], t, value);
        assert_heap_below(measure, base, MEM_BUDGET + HEAP_SLACK);
    }
    g_test_message("%u nodes of %u bytes written; heap grew by at most "
                   "%zu bytes (bound %u + %u)", written, MEM_VALUE,
                   heap_peak, MEM_BUDGET, HEAP_SLACK);
    g_assert_cmpuint(written, >, 0);
    /* Once full, failing and succeeding requests still answer. */
    for (unsigned int t = 0; t < MEM_TX; t++) {
        mem_failing_round(s, tx[t], 1, tail);
        assert_heap_below(measure, base, MEM_BUDGET + HEAP_SLACK);
    }
    for (unsigned int t = 0; t < MEM_TX; t++) {
        g_assert_cmpint(tx_abort(s, GUEST, tx[t]), ==, 0);
    }
    assert_heap_below(measure, base, HEAP_RETURN_SLACK);
    assert_absent(s, HOME "data/t0");
}

#define DOOM_NODES 1000
#define DOOM_VALUE 1000
#define DOOM_SEEN 8             /* rewrites read back before the budget */
/* 2 x 16 transaction-nodes x 2048 node-size. */
#define DOOM_BUDGET (2u * 16u * 2048u)

static char *doom_old(unsigned int i)
{
    g_autofree char *tag = g_strdup_printf("old%u", i);

    return padded(tag, DOOM_VALUE);
}

static char *doom_new(unsigned int i)
{
    g_autofree char *tag = g_strdup_printf("new%u", i);

    return padded(tag, DOOM_VALUE);
}

/*
 * A guest transaction that domain 0 dooms by rewriting many nodes that
 * existed at its start: old versions kept for its snapshot go past the
 * guest's (lowered) budget.  Up to then the transaction reads the old
 * values; from then on every request in it answers EAGAIN.
 */
static xs_transaction_t doom_one(XenstoreImplState *s, bool measure,
                                 size_t *base)
{
    g_autofree char *old0 = doom_old(0);
    xs_transaction_t tx;

    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_TX_NODES, 16),
                    ==, 0);
    xt_make(s, "/big", "", "n0,r1");
    for (unsigned int i = 0; i < DOOM_NODES; i++) {
        g_autofree char *p = g_strdup_printf("/big/n%u", i);
        g_autofree char *v = doom_old(i);

        g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, p, v), ==, 0);
    }
    *base = heap_in_use();
    tx = tx_start(s, GUEST);
    assert_value(s, GUEST, tx, "/big/n0", old0);

    for (unsigned int i = 0; i < DOOM_NODES; i++) {
        g_autofree char *p = g_strdup_printf("/big/n%u", i);
        g_autofree char *v = doom_new(i);

        g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, p, v), ==, 0);
        if (i < DOOM_SEEN) {
            g_autofree char *old = doom_old(i);

            assert_value(s, GUEST, tx, p, old);
        }
        assert_heap_below(measure, *base, DOOM_BUDGET + HEAP_SLACK);
    }

    /* Doomed: never a value, old or new. */
    assert_read_fails(s, GUEST, tx, "/big/n0", EAGAIN);
    assert_read_fails(s, GUEST, tx, "/big/n500", EAGAIN);
    assert_read_fails(s, GUEST, tx, "data", EAGAIN);
    g_assert_cmpint(xt_write(s, GUEST, tx, "data/x", "1"), ==, EAGAIN);
    return tx;
}

/* After a doomed transaction: nothing of it, and transactions work. */
static void doom_after(XenstoreImplState *s, xs_transaction_t tx,
                       bool measure, size_t base)
{
    g_autofree char *new0 = doom_new(0);
    xs_transaction_t again;

    g_assert_cmpint(tx_abort(s, GUEST, tx), ==, ENOENT);
    assert_absent(s, HOME "data/x");
    assert_heap_below(measure, base, HEAP_RETURN_SLACK);
    again = tx_start(s, GUEST);
    assert_value(s, GUEST, again, "/big/n0", new0);
    g_assert_cmpint(xt_write(s, GUEST, again, "data/y", "1"), ==, 0);
    g_assert_cmpint(tx_commit(s, GUEST, again), ==, 0);
    assert_value(s, DOM0, XBT_NULL, HOME "data/y", "1");
}

/* A doomed transaction's commit answers EAGAIN. */
static void test_memory_doom_commit(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    bool measure = heap_measurable();
    size_t base;
    xs_transaction_t tx = doom_one(s, measure, &base);

    g_assert_cmpint(tx_commit(s, GUEST, tx), ==, EAGAIN);
    doom_after(s, tx, measure, base);
}

/* A doomed transaction's abort answers OK. */
static void test_memory_doom_abort(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    bool measure = heap_measurable();
    size_t base;
    xs_transaction_t tx = doom_one(s, measure, &base);

    g_assert_cmpint(tx_abort(s, GUEST, tx), ==, 0);
    doom_after(s, tx, measure, base);
}

/* ---- 10. ENOSPC for a request over the budget --------------------------- */

#define REQ_PER_TX 4            /* creations per transaction, < 8 touched */
#define REQ_VALUE 1900
/* 2 x 8 transaction-nodes x 2048 node-size. */
#define REQ_BUDGET (2u * 8u * 2048u)

/*
 * With the guest's budget lowered, creations with large values spread
 * over its transactions answer ENOSPC once the budget is used up (the
 * transaction-nodes and nodes quotas are far).  The failed request
 * leaves nothing; a small one goes in once some budget is free again.
 */
static void test_memory_request_enospc(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autofree char *value = padded("v", REQ_VALUE);
    g_autofree char *failed = NULL;
    xs_transaction_t tx[MEM_TX];
    unsigned int ok = 0, fail_t = MEM_TX;
    bool measure = heap_measurable();

    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_TX_NODES, 8),
                    ==, 0);
    for (unsigned int t = 0; t < MEM_TX; t++) {
        tx[t] = tx_start(s, GUEST);
    }
    for (unsigned int t = 0; t < MEM_TX && !failed; t++) {
        for (unsigned int i = 0; i < REQ_PER_TX; i++) {
            g_autofree char *p = g_strdup_printf("data/t%u_%u", t, i);
            size_t before = heap_in_use();
            int err = xt_write(s, GUEST, tx[t], p, value);

            if (err) {
                g_assert_cmpint(err, ==, ENOSPC);
                /* Nothing left behind by the failed request. */
                assert_heap_below(measure, before, 128);
                failed = g_steal_pointer(&p);
                fail_t = t;
                break;
            }
            ok++;
        }
    }
    g_test_message("%u creations before ENOSPC", ok);
    g_assert_nonnull(failed);
    /* Half the budget surely fits; the whole of it surely does not. */
    g_assert_cmpuint(ok, >=, REQ_BUDGET / 2 / REQ_VALUE);
    g_assert_cmpuint(ok, <=, REQ_BUDGET / REQ_VALUE);
    g_assert_cmpuint(fail_t, >, 0);

    /* Free some budget: abort the first transaction (full). */
    g_assert_cmpint(tx_abort(s, GUEST, tx[0]), ==, 0);
    assert_read_fails(s, GUEST, tx[fail_t], failed, ENOENT);
    g_assert_cmpint(xt_write(s, GUEST, tx[fail_t], "data/small", "s"), ==, 0);
    g_assert_cmpint(tx_commit(s, GUEST, tx[fail_t]), ==, 0);
    assert_value(s, GUEST, XBT_NULL, "data/small", "s");
    assert_read_fails(s, GUEST, XBT_NULL, failed, ENOENT);
    for (unsigned int t = 1; t < MEM_TX; t++) {
        if (t != fail_t) {
            g_assert_cmpint(tx_abort(s, GUEST, tx[t]), ==, 0);
        }
    }
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

    g_test_add_func("/xs-node/snapshot/memory/ten-tx-bound",
                    test_memory_ten_tx_bound);
    g_test_add_func("/xs-node/snapshot/memory/doom-commit",
                    test_memory_doom_commit);
    g_test_add_func("/xs-node/snapshot/memory/doom-abort",
                    test_memory_doom_abort);
    g_test_add_func("/xs-node/snapshot/memory/request-enospc",
                    test_memory_request_enospc);

    return g_test_run();
}
