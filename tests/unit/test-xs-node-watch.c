/*
 * Tests of the XenStore database's watches (spec section 4): which
 * changes fire which watches with which path, registration and removal,
 * the read-permission filter, depth, and the special domain watches.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-node-helpers.h"

/* ---- registration ------------------------------------------------------ */

/* Each registration fires once, before returning, with epath = wpath. */
static void test_watches_fire_on_registration(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();

    /* Whether or not the node exists, and as given (relative stays so). */
    g_assert_cmpint(xt_watch(s, DOM0, "/nonexistent", "t1", r), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/nonexistent|t1");
    g_assert_cmpint(xt_watch(s, DOM0, "/local", "t2", r), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/local|t2");
    g_assert_cmpint(xt_watch(s, GUEST, "dev/x", "t3", r), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "dev/x|t3");
    /* Also where the watcher may read nothing. */
    g_assert_cmpint(xt_watch(s, GUEST, "/", "t4", r), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/|t4");
    g_assert_cmpint(xs_impl_watch_depth(s, DOM0, "/d", "t5", 0, xt_rec_fn,
                                        r), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/d|t5");
}

static void test_watches_duplicate_eexist(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) a = xt_rec_new();
    g_autoptr(XtRecorder) b = xt_rec_new();

    xt_make(s, "/w", "", "r0");
    xt_watch_ok(s, GUEST, "/w", "t", a);
    g_assert_cmpint(xt_watch(s, GUEST, "/w", "t", a), ==, EEXIST);
    g_assert_cmpstr(xt_rec_take(a), ==, "");

    /* Any one part different makes a different watch. */
    xt_watch_ok(s, GUEST, "/w", "u", a);            /* token */
    xt_watch_ok(s, GUEST, "/w/x", "t", a);          /* path */
    xt_watch_ok(s, GUEST, "/w", "t", b);            /* connection */
    xt_watch_ok(s, OTHER, "/w", "t", a);            /* domain */

    /* Each fires on its own. */
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take_sorted(a), ==, "/w|t /w|t /w|u");
    g_assert_cmpstr(xt_rec_take(b), ==, "/w|t");
}

static void test_watches_unwatch_unknown_enoent(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) a = xt_rec_new();
    g_autoptr(XtRecorder) b = xt_rec_new();

    xt_watch_ok(s, GUEST, "/w", "t", a);
    g_assert_cmpint(xt_unwatch(s, GUEST, "/w", "other", a), ==, ENOENT);
    g_assert_cmpint(xt_unwatch(s, GUEST, "/w/x", "t", a), ==, ENOENT);
    g_assert_cmpint(xt_unwatch(s, GUEST, "/w", "t", b), ==, ENOENT);
    g_assert_cmpint(xt_unwatch(s, OTHER, "/w", "t", a), ==, ENOENT);
    g_assert_cmpint(xt_unwatch(s, GUEST, "/w", NULL, a), ==, ENOENT);
    g_assert_cmpint(xt_unwatch(s, GUEST, "/w", "t", a), ==, 0);
    g_assert_cmpint(xt_unwatch(s, GUEST, "/w", "t", a), ==, ENOENT);
    g_assert_cmpstr(xt_rec_take(a), ==, "");
}

static void test_watches_unwatch_stops_events(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();

    xt_watch_ok(s, DOM0, "/w", "t", r);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/w|t");
    g_assert_cmpint(xt_unwatch(s, DOM0, "/w", "t", r), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w", "2"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "");
    /* The same watch may be registered again. */
    xt_watch_ok(s, DOM0, "/w", "t", r);
}

/* Several tokens on one path: unwatching one removes exactly that one. */
static void test_watches_unwatch_one_of_several(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();
    static const char *const tokens[] = { "t0", "t1", "t2", "t3" };
    static const struct {
        const char *gone, *left;
    } steps[] = {
        { "t2", "/w|t0 /w|t1 /w|t3" },      /* a middle one */
        { "t0", "/w|t1 /w|t3" },            /* the first one */
        { "t3", "/w|t1" },                  /* the last one */
        { "t1", "" },
    };

    xt_make(s, "/w", "", "r0");
    for (size_t i = 0; i < ARRAY_SIZE(tokens); i++) {
        xt_watch_ok(s, GUEST, "/w", tokens[i], r);
    }
    for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
        g_test_message("unwatch %s", steps[i].gone);
        g_assert_cmpint(xt_unwatch(s, GUEST, "/w", steps[i].gone, r), ==, 0);
        g_assert_cmpint(xt_unwatch(s, GUEST, "/w", steps[i].gone, r),
                        ==, ENOENT);
        g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w", "v"), ==, 0);
        g_assert_cmpstr(xt_rec_take_sorted(r), ==, steps[i].left);
    }
    /* A removed one can come back while the others stay. */
    xt_watch_ok(s, GUEST, "/w", "t2", r);
    xt_watch_ok(s, GUEST, "/w", "t1", r);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w", "v"), ==, 0);
    g_assert_cmpstr(xt_rec_take_sorted(r), ==, "/w|t1 /w|t2");
}

/*
 * Hundreds of watches on one path, added and removed: each stays itself
 * (EEXIST, ENOENT) and events keep the registration order.
 */
static void test_watches_many_on_one_path(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();
    g_autoptr(GString) want = g_string_new("");
    enum { NR = 300 };
    char token[16];

    for (int i = 0; i < NR; i++) {
        snprintf(token, sizeof(token), "t%d", i);
        xt_watch_ok(s, DOM0, "/w", token, r);
        g_assert_cmpint(xt_watch(s, DOM0, "/w", token, r), ==, EEXIST);
    }
    for (int i = 0; i < NR; i += 3) {
        snprintf(token, sizeof(token), "t%d", i);
        g_assert_cmpint(xt_unwatch(s, DOM0, "/w", token, r), ==, 0);
        g_assert_cmpint(xt_unwatch(s, DOM0, "/w", token, r), ==, ENOENT);
    }
    for (int i = 1; i < NR; i++) {
        if (i % 3) {
            g_string_append_printf(want, "%s/w|t%d", want->len ? " " : "",
                                   i);
        }
    }
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w", "v"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, want->str);
    /* The survivors are still known, the removed ones may come back. */
    g_assert_cmpint(xt_watch(s, DOM0, "/w", "t1", r), ==, EEXIST);
    xt_watch_ok(s, DOM0, "/w", "t0", r);
}

/* A callback that, once, unwatches its own watch and registers it again. */
typedef struct XtRewatch {
    XenstoreImplState *s;
    XtRecorder *r;
    bool armed;
} XtRewatch;

static void rewatch_fn(void *opaque, const char *path, const char *token)
{
    XtRewatch *w = opaque;

    xt_rec_fn(w->r, path, token);
    if (w->armed && g_str_equal(token, "a")) {
        w->armed = false;
        g_assert_cmpint(xs_impl_unwatch(w->s, DOM0, "/w", "a", rewatch_fn,
                                        w), ==, 0);
        g_assert_cmpint(xs_impl_unwatch(w->s, DOM0, "/w", "a", rewatch_fn,
                                        w), ==, ENOENT);
        g_assert_cmpint(xs_impl_watch(w->s, DOM0, "/w", "a", rewatch_fn,
                                      w), ==, 0);
        g_assert_cmpint(xs_impl_watch(w->s, DOM0, "/w", "a", rewatch_fn,
                                      w), ==, EEXIST);
    }
}

/* Unwatching and watching again from a callback, while events fire. */
static void test_watches_rewatch_during_delivery(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();
    XtRewatch w = { .s = s, .r = r };

    g_assert_cmpint(xs_impl_watch(s, DOM0, "/w", "a", rewatch_fn, &w), ==, 0);
    g_assert_cmpint(xs_impl_watch(s, DOM0, "/w", "b", rewatch_fn, &w), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/w|a /w|b");
    w.armed = true;
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w", "1"), ==, 0);
    xt_rec_take(r);
    /* One "a" left, now after "b". */
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w", "2"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/w|b /w|a");
    g_assert_cmpint(xs_impl_unwatch(s, DOM0, "/w", "a", rewatch_fn, &w),
                    ==, 0);
    g_assert_cmpint(xs_impl_unwatch(s, DOM0, "/w", "a", rewatch_fn, &w),
                    ==, ENOENT);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w", "3"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/w|b");
}

/* Backend watches may have a NULL token; it is part of the identity. */
static void test_watches_null_token(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();

    xt_watch_ok(s, DOM0, "/w", NULL, r);
    g_assert_cmpint(xt_watch(s, DOM0, "/w", NULL, r), ==, EEXIST);
    xt_watch_ok(s, DOM0, "/w", "x", r);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w/c", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take_sorted(r), ==, "/w/c|(null) /w/c|x");
    g_assert_cmpint(xt_unwatch(s, DOM0, "/w", NULL, r), ==, 0);
    g_assert_cmpint(xt_unwatch(s, DOM0, "/w", NULL, r), ==, ENOENT);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w/c", "2"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/w/c|x");
}

static void test_watches_path_validated(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();
    static const char *const bad[] = { "", "/w/", "//w", "/w x", "w/" };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_assert_cmpint(xt_watch(s, GUEST, bad[i], "t", r), ==, EINVAL);
        g_assert_cmpint(xs_impl_watch_depth(s, GUEST, bad[i], "t", 1,
                                            xt_rec_fn, r), ==, EINVAL);
    }
    g_assert_cmpstr(xt_rec_take(r), ==, "");
}

/* ---- which changes fire ------------------------------------------------- */

/* A change to P fires watches on P and on each ancestor, with epath = P. */
static void test_watches_fire_for_path_and_ancestors(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();
    static const char *const wpaths[] = {
        "/", "/w", "/w/a", "/w/a/b", "/w/a/b/c",
    };

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w/a/b/c", "0"), ==, 0);
    for (size_t i = 0; i < ARRAY_SIZE(wpaths); i++) {
        xt_watch_ok(s, DOM0, wpaths[i], wpaths[i], r);
    }
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w/a/b/c", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take_sorted(r), ==,
                    "/w/a/b/c|/ /w/a/b/c|/w /w/a/b/c|/w/a /w/a/b/c|/w/a/b "
                    "/w/a/b/c|/w/a/b/c");
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w/a", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take_sorted(r), ==,
                    "/w/a|/ /w/a|/w /w/a|/w/a");
}

/* Not for siblings, not for a change of an ancestor, not for prefixes. */
static void test_watches_not_for_unrelated_paths(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w/a/x", "0"), ==, 0);
    xt_watch_ok(s, DOM0, "/w/a", "t", r);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w/b", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w/ab", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w/a-x/y", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "");
}

/* Creating missing parents is part of one change: one event, for P. */
static void test_watches_write_creating_parents_fires_once(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();

    xt_watch_ok(s, DOM0, "/w", "t", r);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w/x/y/z", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/w/x/y/z|t");
    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/w/m/n"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/w/m/n|t");
}

/* WRITE, MKDIR (of a new node), SET_PERMS and RM each fire. */
static void test_watches_fire_for_each_change(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();

    xt_watch_ok(s, DOM0, "/w", "t", r);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w/a", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/w/a|t");
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w/a", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/w/a|t");
    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/w/m"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/w/m|t");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/w/a", "n0,r1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/w/a|t");
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/w/a"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/w/a|t");
    /* Calls that fail or change nothing fire nothing. */
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "/w/a", "1"), ==, EACCES);
    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/w/m"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/w/m", "x"), ==, EINVAL);
    g_assert_cmpstr(xt_rec_take(r), ==, "");
}

/*
 * rm of P: watches on P and its ancestors get P; each watch strictly
 * inside the removed subtree gets its own wpath (relative if it was).
 */
static void test_watches_rm_subtree(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) root = xt_rec_new();
    g_autoptr(XtRecorder) top = xt_rec_new();
    g_autoptr(XtRecorder) inner = xt_rec_new();
    g_autoptr(XtRecorder) deep = xt_rec_new();
    g_autoptr(XtRecorder) outside = xt_rec_new();

    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "sub/inner/deep", "1"),
                    ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "other", "1"), ==, 0);
    xt_watch_ok(s, DOM0, "/", "root", root);
    xt_watch_ok(s, GUEST, "sub", "top", top);
    xt_watch_ok(s, GUEST, "sub/inner", "inner", inner);
    xt_watch_ok(s, DOM0, "/local/domain/1/sub/inner/deep", "deep", deep);
    xt_watch_ok(s, GUEST, "other", "outside", outside);

    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/local/domain/1/sub"),
                    ==, 0);
    g_assert_cmpstr(xt_rec_take(root), ==, "/local/domain/1/sub|root");
    g_assert_cmpstr(xt_rec_take(top), ==, "sub|top");
    g_assert_cmpstr(xt_rec_take(inner), ==, "sub/inner|inner");
    g_assert_cmpstr(xt_rec_take(deep), ==,
                    "/local/domain/1/sub/inner/deep|deep");
    g_assert_cmpstr(xt_rec_take(outside), ==, "");
}

/* Depth 0 = wpath only, 1 = also children, 2 = grandchildren too. */
static void test_watches_depth(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    XtRecorder *r[4];
    static const int depths[] = { 0, 1, 2, -1 };
    static const char *const writes[] = {
        "/d", "/d/a", "/d/a/b", "/d/a/b/c", "/d/a/b/c/e",
    };
    static const char *const expected[] = {
        "/d|t",
        "/d|t /d/a|t",
        "/d|t /d/a|t /d/a/b|t",
        "/d|t /d/a|t /d/a/b|t /d/a/b/c|t /d/a/b/c/e|t",
    };

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/a/b/c/e", ""), ==, 0);
    for (size_t i = 0; i < ARRAY_SIZE(depths); i++) {
        r[i] = xt_rec_new();
        g_assert_cmpint(xs_impl_watch_depth(s, DOM0, "/d", "t", depths[i],
                                            xt_rec_fn, r[i]), ==, 0);
        g_assert_cmpstr(xt_rec_take(r[i]), ==, "/d|t");
    }
    for (size_t w = 0; w < ARRAY_SIZE(writes); w++) {
        g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, writes[w], "1"), ==, 0);
    }
    for (size_t i = 0; i < ARRAY_SIZE(depths); i++) {
        g_test_message("depth %d", depths[i]);
        g_assert_cmpstr(xt_rec_take(r[i]), ==, expected[i]);
    }

    /* Removal of P reaches a watch only when P is within its depth. */
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/d/a/b"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r[0]), ==, "");
    g_assert_cmpstr(xt_rec_take(r[1]), ==, "");
    g_assert_cmpstr(xt_rec_take(r[2]), ==, "/d/a/b|t");
    g_assert_cmpstr(xt_rec_take(r[3]), ==, "/d/a/b|t");

    /* Depth watches are unwatched like any other. */
    for (size_t i = 0; i < ARRAY_SIZE(depths); i++) {
        g_assert_cmpint(xt_unwatch(s, DOM0, "/d", "t", r[i]), ==, 0);
        xt_rec_free(r[i]);
    }
}

/* ---- who receives what ------------------------------------------------ */

/*
 * An unprivileged watcher gets an event only for a node it may read
 * (with its new perms); for a removal, only if it may read the parent.
 */
static void test_watches_delivery_needs_read(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) g = xt_rec_new();
    g_autoptr(XtRecorder) z = xt_rec_new();

    xt_make(s, "/d", "", "n0,r1");
    xt_make(s, "/d/pub", "", "n0,r1");
    xt_make(s, "/d/priv", "", "n0");
    xt_make(s, "/d/own", "", "n1");
    xt_watch_ok(s, GUEST, "/d", "g", g);
    xt_watch_ok(s, DOM0, "/d", "z", z);

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/priv", "x"), ==, 0);
    g_assert_cmpstr(xt_rec_take(g), ==, "");
    g_assert_cmpstr(xt_rec_take(z), ==, "/d/priv|z");
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/pub", "x"), ==, 0);
    g_assert_cmpstr(xt_rec_take(g), ==, "/d/pub|g");
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/own", "x"), ==, 0);
    g_assert_cmpstr(xt_rec_take(g), ==, "/d/own|g");
    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/d/priv/kid"), ==, 0);
    g_assert_cmpstr(xt_rec_take(g), ==, "");
    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/d/new"), ==, 0);
    g_assert_cmpstr(xt_rec_take(g), ==, "/d/new|g");   /* inherits r1 */

    /* SET_PERMS: judged by the new perms. */
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/d/priv", "n0,r1"),
                    ==, 0);
    g_assert_cmpstr(xt_rec_take(g), ==, "/d/priv|g");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/d/pub", "n0"), ==, 0);
    g_assert_cmpstr(xt_rec_take(g), ==, "");
    g_assert_cmpstr(xt_rec_take_sorted(z), ==,
                    "/d/new|z /d/own|z /d/priv/kid|z /d/priv|z /d/pub|z "
                    "/d/pub|z");
}

/* Owner rights through SET_TARGET include seeing the target's changes. */
static void test_watches_delivery_to_controller(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();

    xt_make(s, "/d", "", "n0,r2");
    xt_make(s, "/d/g", "", "n1");
    xt_watch_ok(s, OTHER, "/d", "o", r);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/g", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "");
    g_assert_cmpint(xs_impl_set_target(s, OTHER, GUEST), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/g", "2"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/d/g|o");
}

static void test_watches_rm_delivery_needs_parent_read(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) g = xt_rec_new();
    g_autoptr(XtRecorder) h = xt_rec_new();

    /* Parent readable: the removal of an unreadable child is seen. */
    xt_make(s, "/d", "", "n0,r1");
    xt_make(s, "/d/priv", "", "n0");
    xt_watch_ok(s, GUEST, "/d", "g", g);
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/d/priv"), ==, 0);
    g_assert_cmpstr(xt_rec_take(g), ==, "/d/priv|g");

    /* Parent unreadable: even a readable node's removal is not. */
    xt_make(s, "/h", "", "n0");
    xt_make(s, "/h/c", "", "n0,r1");
    xt_watch_ok(s, GUEST, "/h/c", "h", h);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/h/c", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(h), ==, "/h/c|h");
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/h/c"), ==, 0);
    g_assert_cmpstr(xt_rec_take(h), ==, "");
}

/* A privileged watcher is never filtered. */
static void test_watches_privileged_sees_all(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();

    xt_make(s, "/p", "", "n5");
    xs_impl_set_privileged(s, 7, true);
    xt_watch_ok(s, 7, "/p", "t", r);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "x", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/p/a", "1"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/p"), ==, 0);
    g_assert_cmpstr(xt_rec_take(r), ==, "/p/a|t /p|t");
}

/* ---- dropping watches -------------------------------------------------- */

/* unwatch_all drops one connection's watches of one domain only. */
static void test_watches_unwatch_all(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) a = xt_rec_new();
    g_autoptr(XtRecorder) b = xt_rec_new();

    xt_watch_ok(s, GUEST, "/local/domain/1", "a1", a);
    xt_watch_ok(s, GUEST, "/local/domain/1/x", "a2", a);
    xt_watch_ok(s, GUEST, "/local/domain/1", "b1", b);
    xt_watch_ok(s, DOM0, "/local/domain/1", "a0", a);

    xs_impl_unwatch_all(s, GUEST, xt_rec_fn, a);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "x", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(a), ==, "/local/domain/1/x|a0");
    g_assert_cmpstr(xt_rec_take(b), ==, "/local/domain/1/x|b1");
    /* They are gone, not hidden: registering again is not EEXIST. */
    g_assert_cmpint(xt_unwatch(s, GUEST, "/local/domain/1", "a1", a),
                    ==, ENOENT);
    xt_watch_ok(s, GUEST, "/local/domain/1", "a1", a);
}

/* reset_watches drops every watch of the domain, all its connections. */
static void test_watches_reset_watches(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) a = xt_rec_new();
    g_autoptr(XtRecorder) b = xt_rec_new();
    g_autoptr(XtRecorder) c = xt_rec_new();

    xt_make(s, "/w", "", "r0");
    xt_watch_ok(s, GUEST, "/w", "a", a);
    xt_watch_ok(s, GUEST, "/w", "b", b);
    xt_watch_ok(s, OTHER, "/w", "c", c);
    g_assert_cmpint(xs_impl_reset_watches(s, GUEST), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(a), ==, "");
    g_assert_cmpstr(xt_rec_take(b), ==, "");
    g_assert_cmpstr(xt_rec_take(c), ==, "/w|c");
    xt_watch_ok(s, GUEST, "/w", "a", a);
}

/* ---- special watches ---------------------------------------------------- */

static void test_special_introduce_fires(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) intro = xt_rec_new();
    g_autoptr(XtRecorder) rel = xt_rec_new();

    xt_watch_ok(s, DOM0, XS_INTRODUCE_DOMAIN_PATH, "i", intro);
    xt_watch_ok(s, DOM0, XS_RELEASE_DOMAIN_PATH, "r", rel);
    g_assert_false(xs_impl_is_domain_introduced(s, 5));
    g_assert_cmpint(xs_impl_introduce_domain(s, 5), ==, 0);
    g_assert_true(xs_impl_is_domain_introduced(s, 5));
    g_assert_cmpstr(xt_rec_take(intro), ==, "@introduceDomain|i");
    g_assert_cmpstr(xt_rec_take(rel), ==, "");
}

static void test_special_release_fires(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) intro = xt_rec_new();
    g_autoptr(XtRecorder) rel = xt_rec_new();

    g_assert_cmpint(xs_impl_introduce_domain(s, 5), ==, 0);
    xt_watch_ok(s, DOM0, XS_INTRODUCE_DOMAIN_PATH, "i", intro);
    xt_watch_ok(s, DOM0, XS_RELEASE_DOMAIN_PATH, "r", rel);
    g_assert_cmpint(xs_impl_release_domain(s, 5), ==, 0);
    g_assert_false(xs_impl_is_domain_introduced(s, 5));
    g_assert_cmpstr(xt_rec_take(rel), ==, "@releaseDomain|r");
    g_assert_cmpstr(xt_rec_take(intro), ==, "");
}

/* Guests get special events only when the special node lets them read. */
static void test_special_guest_needs_read(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) intro = xt_rec_new();
    g_autoptr(XtRecorder) rel = xt_rec_new();

    xt_watch_ok(s, GUEST, XS_INTRODUCE_DOMAIN_PATH, "i", intro);
    xt_watch_ok(s, GUEST, XS_RELEASE_DOMAIN_PATH, "r", rel);
    g_assert_cmpint(xs_impl_introduce_domain(s, 5), ==, 0);
    g_assert_cmpint(xs_impl_release_domain(s, 5), ==, 0);
    g_assert_cmpstr(xt_rec_take(intro), ==, "");
    g_assert_cmpstr(xt_rec_take(rel), ==, "");

    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, XS_INTRODUCE_DOMAIN_PATH,
                                 "n0,r1"), ==, 0);
    xt_rec_take(intro);
    g_assert_cmpint(xs_impl_introduce_domain(s, 6), ==, 0);
    g_assert_cmpint(xs_impl_release_domain(s, 6), ==, 0);
    g_assert_cmpstr(xt_rec_take(intro), ==, "@introduceDomain|i");
    g_assert_cmpstr(xt_rec_take(rel), ==, "");

    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, XS_RELEASE_DOMAIN_PATH,
                                 "r0"), ==, 0);
    xt_rec_take(rel);
    g_assert_cmpint(xs_impl_introduce_domain(s, 7), ==, 0);
    g_assert_cmpint(xs_impl_release_domain(s, 7), ==, 0);
    g_assert_cmpstr(xt_rec_take(rel), ==, "@releaseDomain|r");
}

/* Releasing a domain drops its watches; its nodes stay. */
static void test_special_release_drops_watches(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) g = xt_rec_new();
    g_autoptr(XtRecorder) o = xt_rec_new();

    g_assert_cmpint(xs_impl_introduce_domain(s, GUEST), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "keep", "1"), ==, 0);
    xt_watch_ok(s, GUEST, "keep", "g", g);
    xt_watch_ok(s, OTHER, "/local/domain/2", "o", o);
    g_assert_cmpint(xs_impl_release_domain(s, GUEST), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/local/domain/1/keep", "2"),
                    ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/local/domain/2/x", "2"),
                    ==, 0);
    g_assert_cmpstr(xt_rec_take(g), ==, "");
    g_assert_cmpstr(xt_rec_take(o), ==, "/local/domain/2/x|o");
    assert_value(s, DOM0, XBT_NULL, "/local/domain/1/keep", "2");
    assert_perms(s, DOM0, XBT_NULL, "/local/domain/1/keep", "n1");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/xs-node/watches/fire-on-registration",
                    test_watches_fire_on_registration);
    g_test_add_func("/xs-node/watches/duplicate-eexist",
                    test_watches_duplicate_eexist);
    g_test_add_func("/xs-node/watches/unwatch-unknown-enoent",
                    test_watches_unwatch_unknown_enoent);
    g_test_add_func("/xs-node/watches/unwatch-stops-events",
                    test_watches_unwatch_stops_events);
    g_test_add_func("/xs-node/watches/unwatch-one-of-several",
                    test_watches_unwatch_one_of_several);
    g_test_add_func("/xs-node/watches/many-on-one-path",
                    test_watches_many_on_one_path);
    g_test_add_func("/xs-node/watches/rewatch-during-delivery",
                    test_watches_rewatch_during_delivery);
    g_test_add_func("/xs-node/watches/null-token", test_watches_null_token);
    g_test_add_func("/xs-node/watches/path-validated",
                    test_watches_path_validated);
    g_test_add_func("/xs-node/watches/fire-for-path-and-ancestors",
                    test_watches_fire_for_path_and_ancestors);
    g_test_add_func("/xs-node/watches/not-for-unrelated-paths",
                    test_watches_not_for_unrelated_paths);
    g_test_add_func("/xs-node/watches/write-creating-parents-fires-once",
                    test_watches_write_creating_parents_fires_once);
    g_test_add_func("/xs-node/watches/fire-for-each-change",
                    test_watches_fire_for_each_change);
    g_test_add_func("/xs-node/watches/rm-subtree", test_watches_rm_subtree);
    g_test_add_func("/xs-node/watches/depth", test_watches_depth);
    g_test_add_func("/xs-node/watches/delivery-needs-read",
                    test_watches_delivery_needs_read);
    g_test_add_func("/xs-node/watches/delivery-to-controller",
                    test_watches_delivery_to_controller);
    g_test_add_func("/xs-node/watches/rm-delivery-needs-parent-read",
                    test_watches_rm_delivery_needs_parent_read);
    g_test_add_func("/xs-node/watches/privileged-sees-all",
                    test_watches_privileged_sees_all);
    g_test_add_func("/xs-node/watches/unwatch-all", test_watches_unwatch_all);
    g_test_add_func("/xs-node/watches/reset-watches",
                    test_watches_reset_watches);

    g_test_add_func("/xs-node/special/introduce-fires",
                    test_special_introduce_fires);
    g_test_add_func("/xs-node/special/release-fires",
                    test_special_release_fires);
    g_test_add_func("/xs-node/special/guest-needs-read",
                    test_special_guest_needs_read);
    g_test_add_func("/xs-node/special/release-drops-watches",
                    test_special_release_drops_watches);

    return g_test_run();
}
