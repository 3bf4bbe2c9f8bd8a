/*
 * Tests of the XenStore database (xenstore_impl) outside transactions:
 * the initial store, nodes and directory listings, one test per rule of
 * the behaviour reference.  Paths, permissions, domain calls and quotas
 * have programs of their own (test-xs-node-*.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-node-helpers.h"

/* ---- the store as created ---------------------------------------- */

static void test_store_default_nodes(void)
{
    g_autoptr(XenstoreImplState) s = xs_impl_create(GUEST);
    static const char *const top[] = { "/", "/local", "/local/domain" };

    for (size_t i = 0; i < ARRAY_SIZE(top); i++) {
        assert_value(s, DOM0, XBT_NULL, top[i], "");
        assert_perms(s, DOM0, XBT_NULL, top[i], "n0");
    }
    assert_dir(s, DOM0, XBT_NULL, "/", "local");
    assert_dir(s, DOM0, XBT_NULL, "/local", "domain");
    assert_dir(s, DOM0, XBT_NULL, "/local/domain", "");
    /* Nothing is made for the guest the store serves. */
    g_assert_false(xt_exists(s, "/local/domain/1"));
    g_assert_cmpuint(xs_impl_domain_nodes(s, GUEST), ==, 0);
}

static void test_store_default_nodes_closed_to_guests(void)
{
    g_autoptr(XenstoreImplState) s = xs_impl_create(GUEST);
    static const char *const top[] = { "/", "/local", "/local/domain" };

    for (size_t i = 0; i < ARRAY_SIZE(top); i++) {
        g_autofree char *v = NULL;

        g_assert_cmpint(xt_read(s, GUEST, XBT_NULL, top[i], &v), ==, EACCES);
    }
}

static void test_store_perm_as_string(void)
{
    static const struct {
        unsigned int perm, domid;
        const char *text;
    } cases[] = {
        { XS_PERM_NONE, 0, "n0" },
        { XS_PERM_READ, 1, "r1" },
        { XS_PERM_WRITE, 0, "w0" },
        { XS_PERM_BOTH, 3, "b3" },
        { XS_PERM_BOTH, 32752, "b32752" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        g_autofree char *t = xs_perm_as_string(cases[i].perm,
                                               cases[i].domid);
        g_assert_cmpstr(t, ==, cases[i].text);
    }
}

/* ---- nodes ------------------------------------------------------------ */

static void test_nodes_write_read(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    static const uint8_t binary[] = { 0, 1, 0xff, 0, 'a', 0 };
    g_autoptr(GByteArray) data = g_byte_array_new();

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/n", "hello"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/n", "hello");
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/n", "bye"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/n", "bye");
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/n", ""), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/n", "");

    /* Values are bytes: NULs and high bytes survive. */
    g_assert_cmpint(xt_write_bytes(s, DOM0, XBT_NULL, "/n", binary,
                                   sizeof(binary)), ==, 0);
    g_assert_cmpint(xs_impl_read(s, DOM0, XBT_NULL, "/n", data), ==, 0);
    g_assert_cmpmem(data->data, data->len, binary, sizeof(binary));
}

static void test_nodes_read_appends(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(GByteArray) data = g_byte_array_new();

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/n", "value"), ==, 0);
    g_byte_array_append(data, (const guint8 *)"pre-", 4);
    g_assert_cmpint(xs_impl_read(s, DOM0, XBT_NULL, "/n", data), ==, 0);
    g_assert_cmpmem(data->data, data->len, "pre-value", 9);
}

/* The store copies the value: the caller may change or free its array. */
static void test_nodes_write_copies_data(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    GByteArray *data = g_byte_array_new();
    uint8_t big[3000];

    g_byte_array_append(data, (const guint8 *)"first", 5);
    g_assert_cmpint(xs_impl_write(s, DOM0, XBT_NULL, "/n", data), ==, 0);
    memset(data->data, 'X', data->len);
    assert_value(s, DOM0, XBT_NULL, "/n", "first");

    /* Growing the array moves its storage; freeing it ends it. */
    memset(big, 'b', sizeof(big));
    g_byte_array_append(data, big, sizeof(big));
    g_byte_array_free(data, TRUE);
    assert_value(s, DOM0, XBT_NULL, "/n", "first");
}

static void test_nodes_write_creates_intermediates(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/a/b/c", "v"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/a", "");
    assert_value(s, DOM0, XBT_NULL, "/a/b", "");
    assert_value(s, DOM0, XBT_NULL, "/a/b/c", "v");
    assert_dir(s, DOM0, XBT_NULL, "/a", "b");
    assert_dir(s, DOM0, XBT_NULL, "/a/b", "c");
}

static void test_nodes_missing_enoent(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autofree char *v = NULL, *names = NULL, *perms = NULL;
    static const char *const missing[] = { "/nope", "/nope/deeper" };

    for (size_t i = 0; i < ARRAY_SIZE(missing); i++) {
        const char *p = missing[i];

        g_assert_cmpint(xt_read(s, DOM0, XBT_NULL, p, &v), ==, ENOENT);
        g_assert_cmpint(xt_dir(s, DOM0, XBT_NULL, p, &names, NULL),
                        ==, ENOENT);
        g_assert_cmpint(xt_get_perms(s, DOM0, XBT_NULL, p, &perms),
                        ==, ENOENT);
        g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, p, "n0"), ==, ENOENT);
    }
}

static void test_nodes_mkdir_new(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/m"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/m", "");
    assert_dir(s, DOM0, XBT_NULL, "/m", "");
    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/p/q/r"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/p", "");
    assert_value(s, DOM0, XBT_NULL, "/p/q/r", "");
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, XBT_NULL, "g/h"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/local/domain/1/g/h", "");
    assert_perms(s, DOM0, XBT_NULL, "/local/domain/1/g/h", "n1");
}

/* MKDIR of an existing node succeeds and changes nothing. */
static void test_nodes_mkdir_existing_unchanged(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(XtRecorder) r = xt_rec_new();
    uint64_t gen;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/m/child", "c"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/m", "kept"), ==, 0);
    gen = xt_gencnt(s, "/m");
    xt_watch_ok(s, DOM0, "/m", "t", r);

    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/m"), ==, 0);
    assert_value(s, DOM0, XBT_NULL, "/m", "kept");
    assert_dir(s, DOM0, XBT_NULL, "/m", "child");
    g_assert_cmpuint(xt_gencnt(s, "/m"), ==, gen);
    g_assert_cmpstr(xt_rec_take(r), ==, "");

    /* The same for the owner of a node inside its home. */
    g_assert_cmpint(xt_write(s, GUEST, XBT_NULL, "own", "mine"), ==, 0);
    g_assert_cmpint(xs_impl_mkdir(s, GUEST, XBT_NULL, "own"), ==, 0);
    assert_value(s, GUEST, XBT_NULL, "own", "mine");
}

static void test_nodes_rm_subtree(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/r/a/b", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/r/a/c/d", "2"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/r/e", "3"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/r/a"), ==, 0);
    g_assert_false(xt_exists(s, "/r/a"));
    g_assert_false(xt_exists(s, "/r/a/b"));
    g_assert_false(xt_exists(s, "/r/a/c/d"));
    assert_value(s, DOM0, XBT_NULL, "/r/e", "3");
    assert_dir(s, DOM0, XBT_NULL, "/r", "e");
    /* The name can be used again from scratch. */
    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/r/a"), ==, 0);
    assert_dir(s, DOM0, XBT_NULL, "/r/a", "");
}

static void test_nodes_rm_missing(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xs_impl_mkdir(s, DOM0, XBT_NULL, "/r"), ==, 0);
    /* Parent exists: fine, as Xen does. */
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/r/none"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, GUEST, XBT_NULL, "none"), ==, 0);
    /* Parent missing too. */
    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/r/none/deeper"),
                    ==, ENOENT);
    g_assert_cmpint(xs_impl_rm(s, GUEST, XBT_NULL, "none/deeper"), ==, ENOENT);
    assert_dir(s, DOM0, XBT_NULL, "/r", "");
}

static void test_nodes_rm_root_einval(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();

    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/"), ==, EINVAL);
    g_assert_cmpint(xs_impl_rm(s, GUEST, XBT_NULL, "/"), ==, EINVAL);
    assert_dir(s, DOM0, XBT_NULL, "/", "local");
    g_assert_true(xt_exists(s, "/local/domain/1"));
}

static void test_nodes_directory_sorted(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    static const char *const names[] = {
        "b", "a", "B", "_x", "10", "9", "a-1", "a0", "-z", "Z", "x@t",
    };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        g_autofree char *p = g_strconcat("/d/", names[i], NULL);

        g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, p, ""), ==, 0);
    }
    assert_dir(s, DOM0, XBT_NULL, "/d", "-z,10,9,B,Z,_x,a,a-1,a0,b,x@t");
}

static void test_nodes_directory_leaf_empty(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    GList *items = (GList *)&items;   /* must be overwritten */
    uint64_t gen = 0;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/leaf", "value"), ==, 0);
    g_assert_cmpint(xs_impl_directory(s, DOM0, XBT_NULL, "/leaf", &gen,
                                      &items), ==, 0);
    g_assert_null(items);
    /* gencnt may be NULL. */
    g_assert_cmpint(xs_impl_directory(s, DOM0, XBT_NULL, "/local", NULL,
                                      &items), ==, 0);
    g_assert_cmpuint(g_list_length(items), ==, 1);
    g_assert_cmpstr(items->data, ==, "domain");
    g_list_free_full(items, g_free);
}

/* gencnt is the node's generation: it moves with every change of it. */
/* Collects names joined with ',' and stops after "stop_after" of them. */
typedef struct DirCollect {
    GString *names;
    int stop_after;
} DirCollect;

static bool dir_collect(void *opaque, const char *name)
{
    DirCollect *c = opaque;

    if (c->names->len) {
        g_string_append_c(c->names, ',');
    }
    g_string_append(c->names, name);
    return --c->stop_after != 0;
}

static void test_nodes_directory_foreach(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    g_autoptr(GString) names = g_string_new(NULL);
    DirCollect c = { .names = names, .stop_after = -1 };
    g_autofree char *listed = NULL;
    uint64_t gen = 0, gen_list = 0;
    xs_transaction_t tx;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/b", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/a", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/c", "1"), ==, 0);

    /* The same names, in the same order, as the listing call. */
    g_assert_cmpint(xs_impl_directory_foreach(s, DOM0, XBT_NULL, "/d", &gen,
                                              dir_collect, &c), ==, 0);
    g_assert_cmpint(xt_dir(s, DOM0, XBT_NULL, "/d", &listed, &gen_list),
                    ==, 0);
    g_assert_cmpstr(names->str, ==, listed);
    g_assert_cmpstr(names->str, ==, "a,b,c");
    g_assert_cmpuint(gen, ==, gen_list);

    /* Stopping early. */
    g_string_truncate(names, 0);
    c.stop_after = 2;
    g_assert_cmpint(xs_impl_directory_foreach(s, DOM0, XBT_NULL, "/d", NULL,
                                              dir_collect, &c), ==, 0);
    g_assert_cmpstr(names->str, ==, "a,b");

    /* Inside a transaction: its own children merged in, removed ones out. */
    g_assert_cmpint(xs_impl_transaction_start(s, DOM0, &tx), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, tx, "/d/bb", "1"), ==, 0);
    g_assert_cmpint(xs_impl_rm(s, DOM0, tx, "/d/a"), ==, 0);
    g_string_truncate(names, 0);
    c.stop_after = -1;
    g_assert_cmpint(xs_impl_directory_foreach(s, DOM0, tx, "/d", NULL,
                                              dir_collect, &c), ==, 0);
    g_assert_cmpstr(names->str, ==, "b,bb,c");
    g_assert_cmpint(xs_impl_transaction_end(s, DOM0, tx, false), ==, 0);

    /* Errors as for the listing call. */
    g_assert_cmpint(xs_impl_directory_foreach(s, GUEST, XBT_NULL, "/d", NULL,
                                              dir_collect, &c), ==, EACCES);
    g_assert_cmpint(xs_impl_directory_foreach(s, DOM0, XBT_NULL, "/nope",
                                              NULL, dir_collect, &c),
                    ==, ENOENT);
}

static void test_nodes_directory_gencnt(void)
{
    g_autoptr(XenstoreImplState) s = xt_store_new();
    uint64_t g0, g1, g2, g3, g4;

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/a", "1"), ==, 0);
    g0 = xt_gencnt(s, "/d");
    g_assert_cmpuint(xt_gencnt(s, "/d"), ==, g0);     /* reads leave it */

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/a", "2"), ==, 0);
    g_assert_cmpuint(xt_gencnt(s, "/d"), ==, g0);     /* child's value */

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/b", "3"), ==, 0);
    g1 = xt_gencnt(s, "/d");
    g_assert_cmpuint(g1, !=, g0);                     /* child added */

    g_assert_cmpint(xs_impl_rm(s, DOM0, XBT_NULL, "/d/a"), ==, 0);
    g2 = xt_gencnt(s, "/d");
    g_assert_cmpuint(g2, !=, g1);                     /* child removed */
    g_assert_cmpuint(g2, !=, g0);

    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d", "own"), ==, 0);
    g3 = xt_gencnt(s, "/d");
    g_assert_cmpuint(g3, !=, g2);                     /* own value */

    g_assert_cmpint(xt_set_perms(s, DOM0, XBT_NULL, "/d", "n0,r1"), ==, 0);
    g4 = xt_gencnt(s, "/d");
    g_assert_cmpuint(g4, !=, g3);                     /* own perms */

    /* Re-adding the same name still gives a new generation. */
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, "/d/a", "1"), ==, 0);
    g_assert_cmpuint(xt_gencnt(s, "/d"), !=, g4);
    g_assert_cmpuint(xt_gencnt(s, "/d"), !=, g1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-node/store/default-nodes", test_store_default_nodes);
    g_test_add_func("/xs-node/store/default-nodes-closed-to-guests",
                    test_store_default_nodes_closed_to_guests);
    g_test_add_func("/xs-node/store/perm-as-string",
                    test_store_perm_as_string);
    g_test_add_func("/xs-node/nodes/write-read", test_nodes_write_read);
    g_test_add_func("/xs-node/nodes/read-appends", test_nodes_read_appends);
    g_test_add_func("/xs-node/nodes/write-copies-data",
                    test_nodes_write_copies_data);
    g_test_add_func("/xs-node/nodes/write-creates-intermediates",
                    test_nodes_write_creates_intermediates);
    g_test_add_func("/xs-node/nodes/missing-enoent",
                    test_nodes_missing_enoent);
    g_test_add_func("/xs-node/nodes/mkdir-new", test_nodes_mkdir_new);
    g_test_add_func("/xs-node/nodes/mkdir-existing-unchanged",
                    test_nodes_mkdir_existing_unchanged);
    g_test_add_func("/xs-node/nodes/rm-subtree", test_nodes_rm_subtree);
    g_test_add_func("/xs-node/nodes/rm-missing", test_nodes_rm_missing);
    g_test_add_func("/xs-node/nodes/rm-root-einval",
                    test_nodes_rm_root_einval);
    g_test_add_func("/xs-node/nodes/directory-sorted",
                    test_nodes_directory_sorted);
    g_test_add_func("/xs-node/nodes/directory-leaf-empty",
                    test_nodes_directory_leaf_empty);
    g_test_add_func("/xs-node/nodes/directory-foreach",
                    test_nodes_directory_foreach);
    g_test_add_func("/xs-node/nodes/directory-gencnt",
                    test_nodes_directory_gencnt);
    return g_test_run();
}
