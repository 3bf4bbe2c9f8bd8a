/*
 * Tests of the XenStore database: permissions (spec section 3), who may
 * read, create, change and remove a node, and setting permissions.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-node-helpers.h"

/* ---- permissions (spec section 3) ------------------------------------ */

/* What dom may do on path: "rw", "r-", "-w" or "--" (read, write). */
static char *access_of(XenstoreImplState *s, unsigned int dom,
                       const char *path)
{
    g_autofree char *v = NULL, *old = NULL;
    int rerr, werr;

    g_assert_cmpint(xt_read(s, DOM0, XBT_NULL, path, &old), ==, 0);
    rerr = xt_read(s, dom, XBT_NULL, path, &v);
    werr = xt_write(s, dom, XBT_NULL, path, old);
    g_assert(rerr == 0 || rerr == EACCES);
    g_assert(werr == 0 || werr == EACCES);
    return g_strdup_printf("%c%c", rerr ? '-' : 'r', werr ? '-' : 'w');
}

#define assert_access(s, dom, path, expected)                           \
    do {                                                                \
        g_autofree char *a_ = access_of(s, dom, path);                  \
        g_assert_cmpstr(a_, ==, expected);                              \
    } while (0)

static void test_perms_privileged_full_access(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    xt_make(s, "/p", "v", "n5");
    assert_access(s, DOM0, "/p", "rw");
    assert_perms(s, DOM0, XBT_NULL, "/p", "n5");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", "n6,r5"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/p"), ==, 0);

    /* Privilege can be given to and taken from any domain. */
    xt_make(s, "/p", "v", "n5");
    g_assert_true(xs_impl_is_privileged(s, DOM0));
    g_assert_false(xs_impl_is_privileged(s, 7));
    assert_access(s, 7, "/p", "--");
    xs_impl_set_privileged(s, 7, true);
    g_assert_true(xs_impl_is_privileged(s, 7));
    assert_access(s, 7, "/p", "rw");
    g_assert_cmpint(xt_set_perms(s, 7, XBT_NULL, "/p", "n8"), ==, 0);
    xs_impl_set_privileged(s, 7, false);
    assert_access(s, 7, "/p", "--");
}

static void test_perms_owner_full_access(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autofree char *names = NULL;

    /* The owner's own letter does not limit it. */
    xt_make(s, "/p", "v", "n1");
    assert_access(s, GUEST, "/p", "rw");
    g_assert_cmpint(xt_dir(s, GUEST, XBT_NULL, "/p", &names, NULL), ==, 0);
    assert_perms(s, GUEST, XBT_NULL, "/p", "n1");
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "/p", "r1,n2"), ==, 0);
    assert_access(s, OTHER, "/p", "--");
    assert_access(s, THIRD, "/p", "r-");
    /* Naming the owner again later does not limit it either. */
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "/p", "b1,n1"), ==, 0);
    assert_access(s, GUEST, "/p", "rw");
}

static void test_perms_set_target_owner_rights(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    xt_make(s, "/g", "v", "n1");
    xt_make(s, "/t", "v", "n3");
    assert_access(s, OTHER, "/g", "--");

    /* OTHER controls GUEST: owner rights on GUEST's nodes only. */
    g_assert_cmpint(xs_impl_set_target(s, OTHER, GUEST), ==, 0);
    assert_access(s, OTHER, "/g", "rw");
    assert_access(s, OTHER, "/t", "--");
    assert_access(s, GUEST, "/g", "rw");
    g_assert_cmpint(xt_set_perms(s, OTHER, XBT_NULL, "/g", "n1,r3"), ==, 0);
    assert_perms(s, DOM0, XBT_NULL, "/g", "n1,r3");
    /* Only privilege changes the owner, also for a controller. */
    g_assert_cmpint(xt_set_perms(s, OTHER, XBT_NULL, "/g", "n2"), ==, EPERM);
    /* The target does not get rights the other way round. */
    xt_make(s, "/o", "v", "n2");
    assert_access(s, GUEST, "/o", "--");

    g_assert_cmpint(xs_impl_set_target(s, OTHER, DOMID_INVALID), ==, 0);
    assert_access(s, OTHER, "/g", "--");
    g_assert_cmpint(xt_set_perms(s, OTHER, XBT_NULL, "/g", "n1"), ==, EACCES);
}

static void test_perms_first_later_entry_wins(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    xt_make(s, "/p", "v", "n1,r2,w2");
    assert_access(s, OTHER, "/p", "r-");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", "n1,w2,r2"), ==, 0);
    assert_access(s, OTHER, "/p", "-w");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", "n1,n2,b2"), ==, 0);
    assert_access(s, OTHER, "/p", "--");
    /* A later entry beats the default letter both ways. */
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", "b1,n2"), ==, 0);
    assert_access(s, OTHER, "/p", "--");
    assert_access(s, THIRD, "/p", "rw");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", "n1,b2"), ==, 0);
    assert_access(s, OTHER, "/p", "rw");
    assert_access(s, THIRD, "/p", "--");
}

/* Entry 0's letter decides for every domain not named later. */
static void test_perms_default_letter(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    static const struct {
        const char *perms, *access;
    } cases[] = {
        { "n1", "--" }, { "r1", "r-" }, { "w1", "-w" }, { "b1", "rw" },
        { "n1,r2", "--" }, { "r1,w2", "r-" }, { "w1,n2", "-w" },
        { "b1,r2", "rw" },
    };

    xt_make(s, "/p", "v", "n1");
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        g_test_message("perms %s", cases[i].perms);
        g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p",
                                     cases[i].perms), ==, 0);
        assert_access(s, THIRD, "/p", cases[i].access);
    }
}

/* The four letters as a later entry naming the caller. */
static void test_perms_letters(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    static const struct {
        const char *perms, *access;
    } cases[] = {
        { "b1,n2", "--" }, { "n1,r2", "r-" }, { "n1,w2", "-w" },
        { "n1,b2", "rw" },
    };

    xt_make(s, "/p", "v", "n1");
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        g_test_message("perms %s", cases[i].perms);
        g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p",
                                     cases[i].perms), ==, 0);
        assert_access(s, OTHER, "/p", cases[i].access);
    }
}

/* READ, DIRECTORY and GET_PERMS all need r; r alone allows them. */
static void test_perms_read_calls_need_read(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autofree char *names = NULL, *perms = NULL;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/p/c", "v"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", "n0,w2"), ==, 0);
    g_assert_cmpint(xt_dir(s, OTHER, XBT_NULL, "/p", &names, NULL),
                    ==, EACCES);
    g_assert_cmpint(xt_get_perms(s, OTHER, XBT_NULL, "/p", &perms),
                    ==, EACCES);

    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", "n0,r2"), ==, 0);
    assert_dir(s, OTHER, XBT_NULL, "/p", "c");
    assert_perms(s, OTHER, XBT_NULL, "/p", "n0,r2");
}

/* Creating needs w on the nearest existing ancestor only. */
static void test_perms_create_needs_write_on_ancestor(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    xt_make(s, "/c", "", "n0,w2");
    g_assert_cmpint(xt_write(s, OTHER, XBT_NULL, "/c/x/y", "v"), ==, 0);
    g_assert_cmpint(xs_impl_mkdir(s, OTHER, XBT_NULL, "/c/m/n"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/c/x/y", "v");
    assert_value(s, DOM0, XBT_NULL, "/c/m/n", "");

    /* An existing child that OTHER may only read stops it. */
    xt_make(s, "/c/ro", "", "n0,r2");
    g_assert_cmpint(xt_write(s, OTHER, XBT_NULL, "/c/ro/z", "v"), ==, EACCES);
    g_assert_cmpint(xs_impl_mkdir(s, OTHER, XBT_NULL, "/c/ro/z/w"),
                    ==, EACCES);
    g_assert_false(xt_exists(s, "/c/ro/z"));
    /* No w at all on the ancestor. */
    g_assert_cmpint(xt_write(s, THIRD, XBT_NULL, "/c/t", "v"), ==, EACCES);
    g_assert_false(xt_exists(s, "/c/t"));
}

/* A new node copies its parent's list; an unprivileged creator owns it. */
static void test_perms_new_node_inherits_parent(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    xt_make(s, "/i", "", "n1,r2,w3");
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/i/by0", "v"), ==, 0);
    assert_perms(s, DOM0, XBT_NULL, "/i/by0", "n1,r2,w3");
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "/i/by1", "v"), ==, 0);
    assert_perms(s, DOM0, XBT_NULL, "/i/by1", "n1,r2,w3");
    g_assert_cmpint(xt_write(s, THIRD, XBT_NULL, "/i/by3/deep", "v"), ==, 0);
    assert_perms(s, DOM0, XBT_NULL, "/i/by3", "n3,r2,w3");
    assert_perms(s, DOM0, XBT_NULL, "/i/by3/deep", "n3,r2,w3");
    g_assert_cmpint(xs_impl_mkdir(s, THIRD, XBT_NULL, "/i/m3"), ==, 0);
    assert_perms(s, DOM0, XBT_NULL, "/i/m3", "n3,r2,w3");

    /* The owner's letter is kept. */
    xt_make(s, "/k", "", "r1,w3");
    g_assert_cmpint(xt_write(s, THIRD, XBT_NULL, "/k/x", "v"), ==, 0);
    assert_perms(s, DOM0, XBT_NULL, "/k/x", "r3,w3");
    assert_access(s, OTHER, "/k/x", "r-");
}

/* MKDIR needs w on the node even when it exists and changes nothing. */
static void test_perms_mkdir_existing_needs_write(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();

    xt_make(s, "/p", "kept", "n0,r2,w3");
    xt_watch_ok(s, DOM0, "/p", "t", r);
    g_assert_cmpint(xs_impl_mkdir(s, OTHER, XBT_NULL, "/p"), ==, EACCES);
    g_assert_cmpint(xs_impl_mkdir(s, THIRD, XBT_NULL, "/p"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/p", "kept");
    assert_perms(s, DOM0, XBT_NULL, "/p", "n0,r2,w3");
    g_assert_cmpstr(xt_rec_take(r), ==, "");
}

static void test_perms_rm_needs_write(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    xt_make(s, "/p", "", "n0,w2");
    xt_make(s, "/p/ro", "v", "n0,r2");
    g_assert_cmpint(xs_impl_rm(s, OTHER, XBT_NULL, "/p/ro"), ==, EACCES);
    g_assert_true(xt_exists(s, "/p/ro"));
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p/ro", "n0,w2"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, OTHER, XBT_NULL, "/p/ro"), ==, 0);
    g_assert_false(xt_exists(s, "/p/ro"));
    g_assert_cmpint(xs_impl_rm(s, THIRD, XBT_NULL, "/p"), ==, EACCES);
    g_assert_true(xt_exists(s, "/p"));
}

/* A missing node under an unreadable one answers EACCES, not ENOENT. */
static void test_perms_no_existence_leak(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    static const char *const hidden[] = {
        "/secret", "/secret/real", "/secret/none", "/secret/none/deeper",
    };
    static const char *const visible[] = {
        "/pub/none", "/pub/none/deeper",
    };

    xt_make(s, "/secret", "", "n0");
    xt_make(s, "/secret/real", "v", "n0");
    xt_make(s, "/pub", "", "r0");

    for (size_t i = 0; i < ARRAY_SIZE(hidden); i++) {
        g_autofree char *v = NULL, *names = NULL, *perms = NULL;
        const char *p = hidden[i];

        g_test_message("%s", p);
        g_assert_cmpint(xt_read(s, GUEST, XBT_NULL, p, &v), ==, EACCES);
        g_assert_cmpint(xt_dir(s, GUEST, XBT_NULL, p, &names, NULL),
                        ==, EACCES);
        g_assert_cmpint(xt_get_perms(s, GUEST, XBT_NULL, p, &perms),
                        ==, EACCES);
        g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, p, "x"), ==, EACCES);
        g_assert_cmpint(xs_impl_rm(s, GUEST, XBT_NULL, p), ==, EACCES);
    }
    for (size_t i = 0; i < ARRAY_SIZE(visible); i++) {
        g_autofree char *v = NULL, *names = NULL, *perms = NULL;
        const char *p = visible[i];

        g_test_message("%s", p);
        g_assert_cmpint(xt_read(s, GUEST, XBT_NULL, p, &v), ==, ENOENT);
        g_assert_cmpint(xt_dir(s, GUEST, XBT_NULL, p, &names, NULL),
                        ==, ENOENT);
        g_assert_cmpint(xt_get_perms(s, GUEST, XBT_NULL, p, &perms),
                        ==, ENOENT);
    }
    /* rm of a missing node under a readable existing parent is fine. */
    g_assert_cmpint(xs_impl_rm(s, GUEST, XBT_NULL, "/pub/none"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, GUEST, XBT_NULL, "/pub/none/deeper"),
                    ==, ENOENT);
}

static void test_perms_top_nodes_protected(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    static const char *const top[] = { "/", "/local", "/local/domain" };

    for (size_t i = 0; i < ARRAY_SIZE(top); i++) {
        g_test_message("%s", top[i]);
        g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, top[i], "x"), ==, EACCES);
        g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, top[i], "b1"),
                        ==, EACCES);
        if (strcmp(top[i], "/") != 0) {
            g_assert_cmpint(xs_impl_rm(s, GUEST, XBT_NULL, top[i]),
                            ==, EACCES);
        }
        assert_value(s, DOM0, XBT_NULL, top[i], "");
        assert_perms(s, DOM0, XBT_NULL, top[i], "n0");
    }
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "/local/domain/9", "x"),
                    ==, EACCES);
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, XBT_NULL, "/local/x"), ==, EACCES);
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, XBT_NULL, "/local"), ==, EACCES);
    assert_dir(s, DOM0, XBT_NULL, "/local", "domain");
    assert_dir(s, DOM0, XBT_NULL, "/local/domain", "1,2,3");
}

static void test_perms_set_perms_owner(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "n", "v"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "n", "r1,w2,b3"), ==, 0);
    assert_perms(s, GUEST, XBT_NULL, "n", "r1,w2,b3");
    assert_access(s, OTHER, "/local/domain/1/n", "-w");
}

static void test_perms_set_perms_non_owner_eacces(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    /* Even full access is not ownership. */
    xt_make(s, "/p", "v", "n1,b2");
    g_assert_cmpint(xt_set_perms(s, OTHER, XBT_NULL, "/p", "n1,b2,b3"),
                    ==, EACCES);
    g_assert_cmpint(xt_set_perms(s, THIRD, XBT_NULL, "/p", "n1,b3"),
                    ==, EACCES);
    assert_perms(s, DOM0, XBT_NULL, "/p", "n1,b2");
}

static void test_perms_set_perms_owner_change_eperm(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    xt_make(s, "/p", "v", "n1");
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "/p", "n2"), ==, EPERM);
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "/p", "b2,r1"),
                    ==, EPERM);
    assert_perms(s, DOM0, XBT_NULL, "/p", "n1");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", "n2"), ==, 0);
    assert_access(s, GUEST, "/p", "--");
    assert_access(s, OTHER, "/p", "rw");
}

static void test_perms_set_perms_einval(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    static const char *const bad[] = {
        "", "x1", "R1", "r", "1", "rr1", "r1x", "r 1", "r-1", "r0x1",
        "n1,", "n1,q2", "n1,r", ",n1",
    };

    xt_make(s, "/p", "v", "n1");
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_test_message("perms \"%s\"", bad[i]);
        g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p", bad[i]),
                        ==, EINVAL);
        g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "/p", bad[i]),
                        ==, EINVAL);
    }
    assert_perms(s, DOM0, XBT_NULL, "/p", "n1");
}

/* At most "permissions" (5) entries for unprivileged callers. */
static void test_perms_set_perms_quota_enospc(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    xt_make(s, "/p", "v", "n1");
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "/p",
                                 "n1,r2,r3,r4,r5"), ==, 0);
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL, "/p",
                                 "n1,r2,r3,r4,r5,r6"), ==, ENOSPC);
    assert_perms(s, DOM0, XBT_NULL, "/p", "n1,r2,r3,r4,r5");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/p",
                                 "n1,r2,r3,r4,r5,r6,r7"), ==, 0);
    assert_perms(s, DOM0, XBT_NULL, "/p", "n1,r2,r3,r4,r5,r6,r7");
}

static void test_perms_special_nodes(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autofree char *perms = NULL;

    /* Default "n0": guests may neither read nor change them. */
    g_assert_cmpint(xt_get_perms(s, GUEST, XBT_NULL,
                                 XS_INTRODUCE_DOMAIN_PATH, &perms),
                    ==, EACCES);
    g_assert_cmpint(xt_set_perms(s, GUEST, XBT_NULL,
                                 XS_INTRODUCE_DOMAIN_PATH, "n1"), ==, EACCES);
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL,
                                 XS_INTRODUCE_DOMAIN_PATH, "n0,r1"), ==, 0);
    assert_perms(s, GUEST, XBT_NULL, XS_INTRODUCE_DOMAIN_PATH, "n0,r1");
    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL,
                                 XS_INTRODUCE_DOMAIN_PATH, ""), ==, EINVAL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-node/perms/privileged-full-access",
                    test_perms_privileged_full_access);
    g_test_add_func("/xs-node/perms/owner-full-access",
                    test_perms_owner_full_access);
    g_test_add_func("/xs-node/perms/set-target-owner-rights",
                    test_perms_set_target_owner_rights);
    g_test_add_func("/xs-node/perms/first-later-entry-wins",
                    test_perms_first_later_entry_wins);
    g_test_add_func("/xs-node/perms/default-letter",
                    test_perms_default_letter);
    g_test_add_func("/xs-node/perms/letters", test_perms_letters);
    g_test_add_func("/xs-node/perms/read-calls-need-read",
                    test_perms_read_calls_need_read);
    g_test_add_func("/xs-node/perms/create-needs-write-on-ancestor",
                    test_perms_create_needs_write_on_ancestor);
    g_test_add_func("/xs-node/perms/new-node-inherits-parent",
                    test_perms_new_node_inherits_parent);
    g_test_add_func("/xs-node/perms/mkdir-existing-needs-write",
                    test_perms_mkdir_existing_needs_write);
    g_test_add_func("/xs-node/perms/rm-needs-write",
                    test_perms_rm_needs_write);
    g_test_add_func("/xs-node/perms/no-existence-leak",
                    test_perms_no_existence_leak);
    g_test_add_func("/xs-node/perms/top-nodes-protected",
                    test_perms_top_nodes_protected);
    g_test_add_func("/xs-node/perms/set-perms-owner",
                    test_perms_set_perms_owner);
    g_test_add_func("/xs-node/perms/set-perms-non-owner-eacces",
                    test_perms_set_perms_non_owner_eacces);
    g_test_add_func("/xs-node/perms/set-perms-owner-change-eperm",
                    test_perms_set_perms_owner_change_eperm);
    g_test_add_func("/xs-node/perms/set-perms-einval",
                    test_perms_set_perms_einval);
    g_test_add_func("/xs-node/perms/set-perms-quota-enospc",
                    test_perms_set_perms_quota_enospc);
    g_test_add_func("/xs-node/perms/special-nodes", test_perms_special_nodes);
    return g_test_run();
}
