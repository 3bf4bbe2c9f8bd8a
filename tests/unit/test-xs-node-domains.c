/*
 * Tests of the XenStore database: the calls that change a domain refuse
 * to name a privileged one, and releasing a domain keeps the others.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-node-helpers.h"

/* ---- domain calls naming a privileged domain ---------------------- */

/* Another privileged domain besides domain 0, for the tests below. */
#define PRIV 7

/* A domain that is introduced, then made privileged. */
static void make_priv_introduced(XenstoreImplState *s)
{
    g_assert_cmpint(xs_impl_introduce_domain(s, PRIV), ==, 0);
    xs_impl_set_privileged(s, PRIV, true);
}

static xs_transaction_t tx_begin(XenstoreImplState *s, unsigned int dom)
{
    xs_transaction_t tx = XBT_NULL;

    g_assert_cmpint(xs_impl_transaction_start(s, dom, &tx), ==, 0);
    g_assert_cmpuint(tx, !=, XBT_NULL);
    return tx;
}

/* INTRODUCE of domain 0 or a privileged domain: EINVAL, no event. */
static void test_domains_introduce_privileged_einval(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) intro = xt_rec_new();

    xt_watch_ok(s, DOM0, XS_INTRODUCE_DOMAIN_PATH, "i", intro);
    g_assert_cmpint(xs_impl_introduce_domain(s, DOM0), ==, EINVAL);
    g_assert_false(xs_impl_is_domain_introduced(s, DOM0));
    xs_impl_set_privileged(s, PRIV, true);
    g_assert_cmpint(xs_impl_introduce_domain(s, PRIV), ==, EINVAL);
    g_assert_false(xs_impl_is_domain_introduced(s, PRIV));
    /* Domain 0 stays refused even when configured unprivileged. */
    xs_impl_set_privileged(s, DOM0, false);
    g_assert_cmpint(xs_impl_introduce_domain(s, DOM0), ==, EINVAL);
    g_assert_false(xs_impl_is_domain_introduced(s, DOM0));
    g_assert_cmpstr(xt_rec_take(intro), ==, "");
    /* A guest is introduced as before. */
    g_assert_cmpint(xs_impl_introduce_domain(s, GUEST), ==, 0);
    g_assert_cmpstr(xt_rec_take(intro), ==, "@introduceDomain|i");
}

/*
 * RELEASE of domain 0 or a privileged domain: EINVAL, and every
 * connection of that domain keeps its watches and transactions.
 */
static void test_domains_release_privileged_einval(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) a = xt_rec_new();
    g_autoptr(XtRecorder) b = xt_rec_new();
    g_autoptr(XtRecorder) p = xt_rec_new();
    g_autoptr(XtRecorder) rel = xt_rec_new();
    xs_transaction_t ta, tb, tp;

    xt_make(s, "/w", "", "r0");
    make_priv_introduced(s);
    xt_watch_ok(s, DOM0, "/w", "a", a);
    xt_watch_ok(s, DOM0, "/w", "b", b);
    xt_watch_ok(s, PRIV, "/w", "p", p);
    xt_watch_ok(s, DOM0, XS_RELEASE_DOMAIN_PATH, "r", rel);
    ta = tx_begin(s, DOM0);
    tb = tx_begin(s, DOM0);
    tp = tx_begin(s, PRIV);

    g_assert_cmpint(xs_impl_release_domain(s, DOM0), ==, EINVAL);
    g_assert_cmpint(xs_impl_release_domain(s, PRIV), ==, EINVAL);
    g_assert_true(xs_impl_is_domain_introduced(s, PRIV));
    g_assert_cmpstr(xt_rec_take(rel), ==, "");

    /*
     * Nothing was dropped: the watches fire, the transactions commit.
     * (A new child of /w leaves their dependency on /w intact.)
     */
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w/o", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(a), ==, "/w/o|a");
    g_assert_cmpstr(xt_rec_take(b), ==, "/w/o|b");
    g_assert_cmpstr(xt_rec_take(p), ==, "/w/o|p");
    g_assert_cmpint(xt_write(s, DOM0, ta, "/w/a", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tb, "/w/b", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, PRIV, tp, "/w/p", "1"), ==, 0);
    g_assert_cmpint(xs_impl_transaction_end(s, DOM0, ta, true), ==, 0);
    g_assert_cmpint(xs_impl_transaction_end(s, DOM0, tb, true), ==, 0);
    g_assert_cmpint(xs_impl_transaction_end(s, PRIV, tp, true), ==, 0);
    assert_dir(s, DOM0, XBT_NULL, "/w", "a,b,o,p");
}

/* RESUME of domain 0 or a privileged domain: EINVAL. */
static void test_domains_resume_privileged_einval(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xs_impl_resume_domain(s, GUEST), ==, ENOENT);
    g_assert_cmpint(xs_impl_introduce_domain(s, GUEST), ==, 0);
    g_assert_cmpint(xs_impl_resume_domain(s, GUEST), ==, 0);
    g_assert_cmpint(xs_impl_resume_domain(s, DOM0), ==, EINVAL);
    make_priv_introduced(s);
    g_assert_cmpint(xs_impl_resume_domain(s, PRIV), ==, EINVAL);
    g_assert_true(xs_impl_is_domain_introduced(s, PRIV));
}

/* SET_TARGET naming a privileged domain, either side: EINVAL. */
static void test_domains_set_target_privileged_einval(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autofree char *v = NULL;

    xt_make(s, "/g", "v", "n1");
    xt_make(s, "/z", "v", "n0");
    xt_make(s, "/p", "v", "n7");
    xs_impl_set_privileged(s, PRIV, true);
    g_assert_cmpint(xs_impl_set_target(s, OTHER, GUEST), ==, 0);

    g_assert_cmpint(xs_impl_set_target(s, DOM0, GUEST), ==, EINVAL);
    g_assert_cmpint(xs_impl_set_target(s, DOM0, DOMID_INVALID), ==, EINVAL);
    g_assert_cmpint(xs_impl_set_target(s, GUEST, DOM0), ==, EINVAL);
    g_assert_cmpint(xs_impl_set_target(s, PRIV, GUEST), ==, EINVAL);
    g_assert_cmpint(xs_impl_set_target(s, OTHER, PRIV), ==, EINVAL);
    g_assert_cmpint(xs_impl_set_target(s, OTHER, DOM0), ==, EINVAL);

    /* Nothing changed: OTHER still controls GUEST, nobody else more. */
    g_assert_cmpint(xt_read(s, OTHER, XBT_NULL, "/g", &v), ==, 0);
    g_clear_pointer(&v, g_free);
    g_assert_cmpint(xt_read(s, OTHER, XBT_NULL, "/p", &v), ==, EACCES);
    g_assert_cmpint(xt_read(s, OTHER, XBT_NULL, "/z", &v), ==, EACCES);
    g_assert_cmpint(xt_read(s, GUEST, XBT_NULL, "/z", &v), ==, EACCES);
    xs_impl_set_privileged(s, PRIV, false);
    g_assert_cmpint(xt_read(s, PRIV, XBT_NULL, "/g", &v), ==, EACCES);
}

/*
 * SET_QUOTA for domain 0 or a privileged domain: EINVAL, nothing set.
 * The defaults (no domid) may still be set, and quotas read.
 */
static void test_domains_set_quota_privileged_einval(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    unsigned int def_nodes = xs_impl_get_quota(s, XS_QUOTA_DEFAULT_DOMID,
                                               XS_QUOTA_NODES);
    unsigned int def_path = xs_impl_get_quota(s, XS_QUOTA_DEFAULT_DOMID,
                                              XS_QUOTA_PATH_MAX);

    g_assert_cmpint(xs_impl_set_quota(s, DOM0, XS_QUOTA_NODES, 1), ==,
                    EINVAL);
    g_assert_cmpint(xs_impl_set_quota(s, DOM0, XS_QUOTA_PATH_MAX, 8), ==,
                    EINVAL);
    g_assert_cmpuint(xs_impl_get_quota(s, DOM0, XS_QUOTA_NODES), ==,
                     def_nodes);
    g_assert_cmpuint(xs_impl_get_quota(s, DOM0, XS_QUOTA_PATH_MAX), ==,
                     def_path);
    xs_impl_set_privileged(s, PRIV, true);
    g_assert_cmpint(xs_impl_set_quota(s, PRIV, XS_QUOTA_WATCHES, 1), ==,
                    EINVAL);
    xs_impl_set_privileged(s, PRIV, false);
    g_assert_cmpuint(xs_impl_get_quota(s, PRIV, XS_QUOTA_WATCHES), ==,
                     xs_impl_get_quota(s, XS_QUOTA_DEFAULT_DOMID,
                                       XS_QUOTA_WATCHES));

    /* The defaults and a guest's own value are set as before. */
    g_assert_cmpint(xs_impl_set_quota(s, XS_QUOTA_DEFAULT_DOMID,
                                      XS_QUOTA_NODES, def_nodes + 1), ==, 0);
    g_assert_cmpuint(xs_impl_get_quota(s, GUEST, XS_QUOTA_NODES), ==,
                     def_nodes + 1);
    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_NODES, 5), ==, 0);
    g_assert_cmpuint(xs_impl_get_quota(s, GUEST, XS_QUOTA_NODES), ==, 5);
}

/* SET_FEATURE for domain 0 or a privileged domain: EINVAL, nothing set. */
static void test_domains_set_features_privileged_einval(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xs_impl_set_features(s, DOM0, 1), ==, EINVAL);
    g_assert_cmpuint(xs_impl_get_features(s, DOM0), ==,
                     XS_IMPL_DEFAULT_FEATURES);
    xs_impl_set_privileged(s, PRIV, true);
    g_assert_cmpint(xs_impl_set_features(s, PRIV, 1), ==, EINVAL);
    g_assert_cmpuint(xs_impl_get_features(s, PRIV), ==,
                     XS_IMPL_DEFAULT_FEATURES);
    g_assert_cmpint(xs_impl_set_features(s, GUEST, 1), ==, 0);
    g_assert_cmpuint(xs_impl_get_features(s, GUEST), ==, 1);
}

/*
 * Releasing guest domain 1 ends domain 1's watches and transactions
 * only: two connections of domain 0 (and another guest) keep theirs, and
 * they still work.
 */
static void test_domains_release_keeps_others(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) g = xt_rec_new();
    g_autoptr(XtRecorder) a = xt_rec_new();
    g_autoptr(XtRecorder) b = xt_rec_new();
    g_autoptr(XtRecorder) o = xt_rec_new();
    xs_transaction_t tg, ta, tb, to;

    xt_make(s, "/w", "", "r0");
    g_assert_cmpint(xs_impl_introduce_domain(s, GUEST), ==, 0);
    xt_watch_ok(s, GUEST, "/w", "g", g);
    xt_watch_ok(s, DOM0, "/w", "a", a);
    xt_watch_ok(s, DOM0, "/w", "b", b);
    xt_watch_ok(s, OTHER, "/w", "o", o);
    tg = tx_begin(s, GUEST);
    ta = tx_begin(s, DOM0);
    tb = tx_begin(s, DOM0);
    to = tx_begin(s, OTHER);
    g_assert_cmpint(xt_write(s, GUEST, tg, "x", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, ta, "/w/a", "1"), ==, 0);

    g_assert_cmpint(xs_impl_release_domain(s, GUEST), ==, 0);

    /* Domain 1's are gone. */
    g_assert_cmpint(xs_impl_transaction_end(s, GUEST, tg, true), ==,
                    ENOENT);
    g_assert_false(xt_exists(s, "/local/domain/1/x"));
    g_assert_cmpint(xt_unwatch(s, GUEST, "/w", "g", g), ==, ENOENT);
    /* Everyone else's fire and commit (a new child leaves /w intact). */
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/w/n", "1"), ==, 0);
    g_assert_cmpstr(xt_rec_take(g), ==, "");
    g_assert_cmpstr(xt_rec_take(a), ==, "/w/n|a");
    g_assert_cmpstr(xt_rec_take(b), ==, "/w/n|b");
    g_assert_cmpstr(xt_rec_take(o), ==, "/w/n|o");
    g_assert_cmpint(xt_write(s, DOM0, tb, "/w/b", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, OTHER, to, "/local/domain/2/o", "1"), ==, 0);
    g_assert_cmpint(xs_impl_transaction_end(s, DOM0, ta, true), ==, 0);
    g_assert_cmpint(xs_impl_transaction_end(s, DOM0, tb, true), ==, 0);
    g_assert_cmpint(xs_impl_transaction_end(s, OTHER, to, true), ==, 0);
    assert_dir(s, DOM0, XBT_NULL, "/w", "a,b,n");
    g_assert_true(xt_exists(s, "/local/domain/2/o"));
    g_assert_cmpint(xt_unwatch(s, DOM0, "/w", "a", a), ==, 0);
    g_assert_cmpint(xt_unwatch(s, DOM0, "/w", "b", b), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-node/domains/introduce-privileged-einval",
                    test_domains_introduce_privileged_einval);
    g_test_add_func("/xs-node/domains/release-privileged-einval",
                    test_domains_release_privileged_einval);
    g_test_add_func("/xs-node/domains/resume-privileged-einval",
                    test_domains_resume_privileged_einval);
    g_test_add_func("/xs-node/domains/set-target-privileged-einval",
                    test_domains_set_target_privileged_einval);
    g_test_add_func("/xs-node/domains/set-quota-privileged-einval",
                    test_domains_set_quota_privileged_einval);
    g_test_add_func("/xs-node/domains/set-features-privileged-einval",
                    test_domains_set_features_privileged_einval);
    g_test_add_func("/xs-node/domains/release-keeps-others",
                    test_domains_release_keeps_others);
    return g_test_run();
}
