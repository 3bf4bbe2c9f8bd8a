/*
 * Tests of the XenStore database's per-domain quotas (spec section 6):
 * defaults and names, per-domain values, run-time changes, and each
 * limit (nodes, node-size, watches, path-max, permissions) in turn.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-node-helpers.h"

static const struct {
    XsQuota q;
    const char *name;
    unsigned int value;
} quota_defaults[] = {
    { XS_QUOTA_NODES, "nodes", 1000 },
    { XS_QUOTA_NODE_SIZE, "node-size", 2048 },
    { XS_QUOTA_WATCHES, "watches", 128 },
    { XS_QUOTA_TRANSACTIONS, "transactions", 10 },
    { XS_QUOTA_PERMS, "permissions", 5 },
    { XS_QUOTA_PATH_MAX, "path-max", 2048 },
    { XS_QUOTA_TX_NODES, "transaction-nodes", 1024 },
    { XS_QUOTA_WATCH_EVENTS, "outstanding", 1024 },
};

static void test_quotas_defaults_and_names(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    G_STATIC_ASSERT(G_N_ELEMENTS(quota_defaults) == XS_QUOTA__MAX);
    for (size_t i = 0; i < ARRAY_SIZE(quota_defaults); i++) {
        XsQuota q = quota_defaults[i].q;

        g_test_message("quota %s", quota_defaults[i].name);
        g_assert_cmpstr(xs_quota_name(q), ==, quota_defaults[i].name);
        g_assert_cmpint(xs_quota_from_name(quota_defaults[i].name), ==, q);
        g_assert_cmpuint(xs_impl_get_quota(s, XS_QUOTA_DEFAULT_DOMID, q),
                         ==, quota_defaults[i].value);
        g_assert_cmpuint(xs_impl_get_quota(s, GUEST, q),
                         ==, quota_defaults[i].value);
    }
    g_assert_cmpint(xs_quota_from_name("bogus"), ==, -1);
    g_assert_cmpint(xs_quota_from_name(""), ==, -1);
    g_assert_cmpint(xs_quota_from_name("Nodes"), ==, -1);
}

/* A domain's own value beats the default; the default serves the rest. */
static void test_quotas_set_per_domain(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_NODES, 7), ==, 0);
    g_assert_cmpuint(xs_impl_get_quota(s, GUEST, XS_QUOTA_NODES), ==, 7);
    g_assert_cmpuint(xs_impl_get_quota(s, OTHER, XS_QUOTA_NODES), ==, 1000);
    g_assert_cmpuint(xs_impl_get_quota(s, XS_QUOTA_DEFAULT_DOMID,
                                       XS_QUOTA_NODES), ==, 1000);
    g_assert_cmpuint(xs_impl_get_quota(s, GUEST, XS_QUOTA_WATCHES), ==, 128);

    g_assert_cmpint(xs_impl_set_quota(s, XS_QUOTA_DEFAULT_DOMID,
                                      XS_QUOTA_NODES, 500), ==, 0);
    g_assert_cmpuint(xs_impl_get_quota(s, OTHER, XS_QUOTA_NODES), ==, 500);
    g_assert_cmpuint(xs_impl_get_quota(s, GUEST, XS_QUOTA_NODES), ==, 7);
}

/* Creates nodes as dom (relative path name<i>) until it owns target. */
static void own_nodes_until(XenstoreImplState *s, unsigned int dom,
                            unsigned int target)
{
    for (unsigned int i = 0; xs_impl_domain_nodes(s, dom) < target; i++) {
        /* 32 short names per directory keep every node small. */
        g_autofree char *p = g_strdup_printf("q%u/n%u", i / 32, i % 32);

        g_assert_cmpint(xt_write(s, dom, XBT_NULL, p, "v"), ==, 0);
    }
    g_assert_cmpuint(xs_impl_domain_nodes(s, dom), ==, target);
}

static void test_quotas_nodes_default_enospc(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, 1);   /* home */
    own_nodes_until(s, GUEST, 1000);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "one-more", "v"),
                    ==, ENOSPC);
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, XBT_NULL, "one-more"), ==, ENOSPC);
    g_assert_false(xt_exists(s, "/local/domain/1/one-more"));
    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, 1000);

    /* Rewriting an owned node needs no new one; removing frees one. */
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "q0/n1", "new"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, GUEST, XBT_NULL, "q0/n1"), ==, 0);
    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, 999);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "one-more", "v"), ==, 0);
}

/* A write that would create several nodes is judged on all of them. */
static void test_quotas_nodes_several_created(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    unsigned int owned = xs_impl_domain_nodes(s, GUEST);

    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_NODES, owned + 2),
                    ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "a/b/c", "v"), ==, ENOSPC);
    g_assert_false(xt_exists(s, "/local/domain/1/a/b/c"));
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "a/b", "v"), ==, 0);
    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, owned + 2);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "c", "v"), ==, ENOSPC);
}

/*
 * Counted by ownership: a backend writing into a directory the guest owns
 * uses its own budget, never the guest's (and the other way round).
 */
static void test_quotas_nodes_counted_by_owner(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, 1);
    g_assert_cmpuint(xs_impl_domain_nodes(s, OTHER), ==, 1);
    xt_make(s, "/local/domain/1/device", "", "n1,b2");
    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, 2);
    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_NODES, 2), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "x", "v"), ==, ENOSPC);

    /* The backend fills the guest-owned directory. */
    g_assert_cmpint(xt_write(s, OTHER, XBT_NULL,
                             "/local/domain/1/device/vif/0/state", "1"),
                    ==, 0);
    g_assert_cmpuint(xs_impl_domain_nodes(s, OTHER), ==, 4);
    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, 2);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "x", "v"), ==, ENOSPC);

    /* And the guest, in a backend-owned one, uses its own budget. */
    xt_make(s, "/local/domain/2/fe", "", "n2,b1");
    g_assert_cmpuint(xs_impl_domain_nodes(s, OTHER), ==, 5);
    g_assert_cmpint(xs_impl_set_quota(s, OTHER, XS_QUOTA_NODES, 5), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "/local/domain/2/fe/x",
                             "v"), ==, ENOSPC);
    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_NODES, 3), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "/local/domain/2/fe/x",
                             "v"), ==, 0);
    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, 3);
    g_assert_cmpuint(xs_impl_domain_nodes(s, OTHER), ==, 5);

    /* Handing a node over moves it between budgets. */
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL,
                                 "/local/domain/1/device/vif/0/state",
                                 "n1"), ==, 0);
    g_assert_cmpuint(xs_impl_domain_nodes(s, OTHER), ==, 4);
    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, 4);
    /* Removing a subtree gives each owner its nodes back. */
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/local/domain/1/device"),
                    ==, 0);
    g_assert_cmpuint(xs_impl_domain_nodes(s, OTHER), ==, 2);
    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, 2);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "x", "v"), ==, 0);
}

static void test_quotas_nodes_runtime_change(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    unsigned int owned = xs_impl_domain_nodes(s, GUEST);

    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_NODES, owned + 1),
                    ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "a", "v"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "b", "v"), ==, ENOSPC);
    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_NODES, owned + 2),
                    ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "b", "v"), ==, 0);

    /* Through the default, for a domain without its own value. */
    g_assert_cmpint(xs_impl_set_quota(s, XS_QUOTA_DEFAULT_DOMID,
                                      XS_QUOTA_NODES, 2), ==, 0);
    g_assert_cmpint(xt_write(s, OTHER, XBT_NULL, "a", "v"), ==, 0);
    g_assert_cmpint(xt_write(s, OTHER, XBT_NULL, "b", "v"), ==, ENOSPC);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "c", "v"), ==, ENOSPC);
}

/*
 * node-size = 16 + 8 * perms + value + sum(child name + 1), for the
 * written node and for a parent gaining a child.
 */
static void test_quotas_node_size_e2big(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    char value[2100];
    g_autofree char *v = NULL;

    memset(value, 'v', sizeof(value));
    /* One perm entry ("n1"): 24 bytes of overhead. */
    g_assert_cmpint(xt_write_bytes(s, GUEST, XBT_NULL, "v", value, 2024),
                    ==, 0);
    g_assert_cmpint(xt_write_bytes(s, GUEST, XBT_NULL, "v", value, 2025),
                    ==, E2BIG);
    g_assert_cmpint(xt_write_bytes(s, GUEST, XBT_NULL, "w", value, 2025),
                    ==, E2BIG);
    g_assert_false(xt_exists(s, "/local/domain/1/w"));
    g_assert_cmpint(xt_read(s, GUEST, XBT_NULL, "v", &v), ==, 0);
    g_assert_cmpuint(strlen(v), ==, 2024);

    /* 24 + 2014 + ("abcdefghi" + 1) = 2048; one more child is too many. */
    g_assert_cmpint(xt_write_bytes(s, GUEST, XBT_NULL, "big", value, 2014),
                    ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "big/abcdefghi", ""), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "big/j", ""), ==, E2BIG);
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, XBT_NULL, "big/j"), ==, E2BIG);
    assert_dir(s, GUEST, XBT_NULL, "big", "abcdefghi");

    /* Two perm entries: 32 bytes of overhead. */
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "v", "short"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "v", "n1,r2"), ==, 0);
    g_assert_cmpint(xt_write_bytes(s, GUEST, XBT_NULL, "v", value, 2016),
                    ==, 0);
    g_assert_cmpint(xt_write_bytes(s, GUEST, XBT_NULL, "v", value, 2017),
                    ==, E2BIG);

    /* The privileged domain has no such limit. */
    g_assert_cmpint(xt_write_bytes(s, DOM0, XBT_NULL, "/local/domain/1/v",
                                   value, sizeof(value)), ==, 0);
}

static void test_quotas_node_size_runtime_change(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    char value[100];

    memset(value, 'v', sizeof(value));
    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_NODE_SIZE, 100),
                    ==, 0);
    g_assert_cmpint(xt_write_bytes(s, GUEST, XBT_NULL, "v", value, 76),
                    ==, 0);
    g_assert_cmpint(xt_write_bytes(s, GUEST, XBT_NULL, "v", value, 77),
                    ==, E2BIG);
    g_assert_cmpint(xt_write_bytes(s, OTHER, XBT_NULL, "v", value, 77),
                    ==, 0);
}

/* At most "watches" (128) watches per domain, over all its connections. */
static void test_quotas_watches_e2big(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) a = xt_rec_new();
    g_autoptr(XtRecorder) b = xt_rec_new();
    g_autoptr(XtRecorder) c = xt_rec_new();

    for (unsigned int i = 0; i < 128; i++) {
        g_autofree char *token = g_strdup_printf("t%u", i);

        g_assert_cmpint(xt_watch(s, GUEST, "w", token, i % 2 ? a : b),
                        ==, 0);
    }
    xt_rec_take(a);
    xt_rec_take(b);
    g_assert_cmpint(xt_watch(s, GUEST, "w", "extra", c), ==, E2BIG);
    g_assert_cmpint(xt_watch(s, GUEST, "other", "t0", a), ==, E2BIG);
    g_assert_cmpstr(xt_rec_take(c), ==, "");
    g_assert_cmpstr(xt_rec_take(a), ==, "");
    /* Other domains have their own budget. */
    xt_watch_ok(s, OTHER, "w", "t0", a);
    /* Unwatching frees a place. */
    g_assert_cmpint(xt_unwatch(s, GUEST, "w", "t5", a), ==, 0);
    xt_watch_ok(s, GUEST, "w", "extra", c);
    g_assert_cmpint(xt_watch(s, GUEST, "w", "extra2", c), ==, E2BIG);

    /* Changed at run time. */
    g_assert_cmpint(xs_impl_set_quota(s, OTHER, XS_QUOTA_WATCHES, 2), ==, 0);
    xt_watch_ok(s, OTHER, "w", "t1", a);
    g_assert_cmpint(xt_watch(s, OTHER, "w", "t2", a), ==, E2BIG);
}

/* Every way of dropping watches gives their places back. */
static void test_quotas_watches_freed_when_dropped(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) a = xt_rec_new();
    g_autoptr(XtRecorder) b = xt_rec_new();

    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_WATCHES, 4), ==, 0);
    for (unsigned int round = 0; round < 3; round++) {
        xt_watch_ok(s, GUEST, "w", "a1", a);
        xt_watch_ok(s, GUEST, "w", "a2", a);
        xt_watch_ok(s, GUEST, "w", "b1", b);
        xt_watch_ok(s, GUEST, "w", "b2", b);
        g_assert_cmpint(xt_watch(s, GUEST, "w", "b3", b), ==, E2BIG);
        switch (round) {
        case 0:
            xs_impl_unwatch_all(s, GUEST, xt_rec_fn, a);
            xs_impl_unwatch_all(s, GUEST, xt_rec_fn, b);
            break;
        case 1:
            g_assert_cmpint(xs_impl_reset_watches(s, GUEST), ==, 0);
            break;
        default:
            g_assert_cmpint(xs_impl_introduce_domain(s, GUEST), ==, 0);
            g_assert_cmpint(xs_impl_release_domain(s, GUEST), ==, 0);
            break;
        }
    }
    xt_watch_ok(s, GUEST, "w", "a1", a);
}

/* A lower "path-max" gives E2BIG for unprivileged callers only. */
static void test_quotas_path_max_e2big(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autofree char *at = xt_long_path("", 50);
    g_autofree char *over = xt_long_path("", 51);
    g_autofree char *abs_over = xt_long_path("/local/domain/1/", 51);
    g_autofree char *else_over = xt_long_path("/", 50);
    g_autofree char *v = NULL;

    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_PATH_MAX, 50),
                    ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, at, "v"), ==, 0);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, over, "v"), ==, E2BIG);
    g_assert_cmpint(xt_read(s, GUEST, XBT_NULL, over, &v), ==, E2BIG);
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, abs_over, "v"), ==, E2BIG);
    g_assert_cmpint(xt_read(s, GUEST, XBT_NULL, else_over, &v), ==, E2BIG);
    g_assert_false(xt_exists(s, abs_over));
    g_assert_cmpint(xt_write(s, OTHER, XBT_NULL, over, "v"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, abs_over, "v"), ==, 0);
}

static void test_quotas_permissions_runtime_change(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "p", "v"), ==, 0);
    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_PERMS, 2), ==, 0);
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "p", "n1,r2"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "p", "n1,r2,r3"),
                    ==, ENOSPC);
    assert_perms(s, GUEST, XBT_NULL, "p", "n1,r2");
}

/* Privileged domains have no quotas at all. */
static void test_quotas_privileged_none(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();
    g_autofree char *long_path = xt_long_path("/local/domain/1/", 100);
    char value[200];
    xs_transaction_t tx[3];

    memset(value, 'v', sizeof(value));
    for (size_t i = 0; i < ARRAY_SIZE(quota_defaults); i++) {
        g_assert_cmpint(xs_impl_set_quota(s, XS_QUOTA_DEFAULT_DOMID,
                                          quota_defaults[i].q, 1), ==, 0);
    }
    xs_impl_set_privileged(s, 7, true);

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/a/b/c", "v"), ==, 0);
    g_assert_cmpint(xt_write(s, 7, XBT_NULL, "/a/b/d", "v"), ==, 0);
    g_assert_cmpint(xt_write_bytes(s, DOM0, XBT_NULL, "/a/b/c", value,
                                   sizeof(value)), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, long_path, "v"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/a", "n0,r1,r2"), ==, 0);
    xt_watch_ok(s, DOM0, "/a", "t1", r);
    xt_watch_ok(s, DOM0, "/a", "t2", r);
    for (size_t i = 0; i < ARRAY_SIZE(tx); i++) {
        g_assert_cmpint(xs_impl_transaction_start(s, DOM0, &tx[i]), ==, 0);
    }
    g_assert_cmpint(xt_write(s, DOM0, tx[0], "/a/x", "v"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx[0], "/a/y", "v"), ==, 0);
    for (size_t i = 0; i < ARRAY_SIZE(tx); i++) {
        g_assert_cmpint(xs_impl_transaction_end(s, DOM0, tx[i], true), ==, 0);
    }
    assert_value(s, DOM0, XBT_NULL, "/a/y", "v");

    /* While an unprivileged domain is held to them. */
    xt_watch_ok(s, THIRD, "a", "t1", r);
    g_assert_cmpint(xt_watch(s, THIRD, "a", "t2", r), ==, E2BIG);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/xs-node/quotas/defaults-and-names",
                    test_quotas_defaults_and_names);
    g_test_add_func("/xs-node/quotas/set-per-domain",
                    test_quotas_set_per_domain);
    g_test_add_func("/xs-node/quotas/nodes-default-enospc",
                    test_quotas_nodes_default_enospc);
    g_test_add_func("/xs-node/quotas/nodes-several-created",
                    test_quotas_nodes_several_created);
    g_test_add_func("/xs-node/quotas/nodes-counted-by-owner",
                    test_quotas_nodes_counted_by_owner);
    g_test_add_func("/xs-node/quotas/nodes-runtime-change",
                    test_quotas_nodes_runtime_change);
    g_test_add_func("/xs-node/quotas/node-size-e2big",
                    test_quotas_node_size_e2big);
    g_test_add_func("/xs-node/quotas/node-size-runtime-change",
                    test_quotas_node_size_runtime_change);
    g_test_add_func("/xs-node/quotas/watches-e2big",
                    test_quotas_watches_e2big);
    g_test_add_func("/xs-node/quotas/watches-freed-when-dropped",
                    test_quotas_watches_freed_when_dropped);
    g_test_add_func("/xs-node/quotas/path-max-e2big",
                    test_quotas_path_max_e2big);
    g_test_add_func("/xs-node/quotas/permissions-runtime-change",
                    test_quotas_permissions_runtime_change);
    g_test_add_func("/xs-node/quotas/privileged-none",
                    test_quotas_privileged_none);

    return g_test_run();
}
