/*
 * White-box test of the store's node tree (xenstore_impl_node.c), a
 * private layer: includes hw/xen/xenstore/xenstore_node.h.  After
 * seeded random links and unlinks of children, the sibling AVL tree must
 * be in strcmp order and balanced, with its sizes and lookups right.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xenstore_node.h"

#define SEED 20261203
#define STEPS 6000
#define NAMES_MAX 400       /* the tree grows and shrinks around this */

/* Characters in strcmp order: '-' < '0' < '@' < 'Z' < '_' < 'a' < 'z'. */
static const char alphabet[] = "-0@Z_az";

/*
 * A name: short ones collide often; long ones share their first 8 bytes
 * (the key the tree compares first) and differ after them.
 */
static char *random_name(GRand *r)
{
    GString *s = g_string_new(NULL);
    unsigned int len;

    if (g_rand_boolean(r)) {
        len = g_rand_int_range(r, 1, 4);
    } else {
        g_string_append(s, g_rand_boolean(r) ? "prefix00" : "prefix0");
        len = g_rand_int_range(r, 0, 4);
    }
    for (unsigned int i = 0; i < len; i++) {
        g_string_append_c(s, alphabet[g_rand_int_range(r, 0,
                                                       sizeof(alphabet) - 1)]);
    }
    return g_string_free(s, FALSE);
}

/* The AVL properties below n; returns its height. */
static int check_subtree(XsNode *n)
{
    int hl, hr;

    if (!n) {
        return 0;
    }
    hl = check_subtree(n->left);
    hr = check_subtree(n->right);
    g_assert_cmpint(ABS(hl - hr), <=, 1);
    g_assert_cmpint(n->height, ==, MAX(hl, hr) + 1);
    g_assert_cmpuint(n->key, ==, xs_name_key(n->name, n->name_len));
    g_assert_cmpuint(n->name_len, ==, strlen(n->name));
    return n->height;
}

static void collect(XsNode *n, void *opaque)
{
    g_ptr_array_add(opaque, n);
}

/* Everything the parent's children must satisfy, against the set. */
static void check_tree(XsNode *parent, GHashTable *present, GRand *r)
{
    g_autoptr(GPtrArray) order = g_ptr_array_new();
    GHashTableIter it;
    gpointer name, node;
    uint32_t bytes = 0;

    check_subtree(parent->children);
    xs_avl_foreach(parent->children, collect, order);
    g_assert_cmpuint(order->len, ==, g_hash_table_size(present));
    for (guint i = 0; i < order->len; i++) {
        XsNode *n = order->pdata[i];

        if (i) {
            XsNode *prev = order->pdata[i - 1];

            g_assert_cmpint(strcmp(prev->name, n->name), <, 0);
        }
        g_assert_true(g_hash_table_lookup(present, n->name) == n);
        bytes += n->name_len + 1;
    }
    g_assert_cmpuint(parent->children_bytes, ==, bytes);

    g_hash_table_iter_init(&it, present);
    while (g_hash_table_iter_next(&it, &name, &node)) {
        g_assert_true(xs_node_child(parent, name, strlen(name)) == node);
    }
    /* Absent names, and lookups by a prefix of a longer name. */
    for (int i = 0; i < 20; i++) {
        g_autofree char *absent = random_name(r);

        if (!g_hash_table_contains(present, absent)) {
            g_assert_null(xs_node_child(parent, absent, strlen(absent)));
        }
    }
    if (order->len) {
        XsNode *n = order->pdata[g_rand_int_range(r, 0, order->len)];
        g_autofree char *longer = g_strconcat(n->name, "x", NULL);
        g_autofree char *shorter = g_strndup(n->name, n->name_len - 1);

        g_assert_true(xs_node_child(parent, n->name, n->name_len) == n);
        if (!g_hash_table_contains(present, longer)) {
            g_assert_null(xs_node_child(parent, longer, n->name_len + 1));
        }
        if (n->name_len > 1 && !g_hash_table_contains(present, shorter)) {
            g_assert_null(xs_node_child(parent, n->name, n->name_len - 1));
        }
    }
}

static XsNode *new_node(const char *name)
{
    return xs_node_new(name, strlen(name), NULL, (const uint8_t *)"v", 1, 0);
}

static void test_random_link_unlink(void)
{
    g_autoptr(GRand) r = g_rand_new_with_seed(SEED);
    /* name -> node; the names are the nodes' own, owned by the table. */
    g_autoptr(GHashTable) present = g_hash_table_new_full(g_str_hash,
                                                          g_str_equal,
                                                          g_free, NULL);
    XsNode *parent = new_node("");
    unsigned int links = 0, unlinks = 0;

    for (int step = 0; step < STEPS; step++) {
        g_autofree char *name = random_name(r);
        XsNode *n = g_hash_table_lookup(present, name);
        bool grow = g_hash_table_size(present) < NAMES_MAX;

        if (!n && (grow || g_rand_boolean(r))) {
            n = new_node(name);
            xs_node_link_child(parent, n);
            g_hash_table_insert(present, g_steal_pointer(&name), n);
            links++;
        } else if (n) {
            xs_node_unlink_child(parent, n);
            g_hash_table_remove(present, name);
            xs_node_free(n);
            unlinks++;
        }
        check_tree(parent, present, r);
    }
    g_test_message("%u links, %u unlinks, %u children left", links,
                   unlinks, g_hash_table_size(present));
    g_assert_cmpuint(links, >, 1000);
    g_assert_cmpuint(unlinks, >, 1000);
    /* Frees the children on the way (foreach allows it), then the parent. */
    xs_node_free_tree(parent);
}

/* Sorted insertions, the worst case of a plain search tree. */
static void test_sorted_inserts(void)
{
    g_autoptr(GHashTable) present = g_hash_table_new_full(g_str_hash,
                                                          g_str_equal,
                                                          g_free, NULL);
    g_autoptr(GRand) r = g_rand_new_with_seed(SEED);
    XsNode *parent = new_node("");
    int height;

    for (int i = 0; i < 1024; i++) {
        char *name = g_strdup_printf("%s%04d", i % 2 ? "z" : "a",
                                     i % 2 ? 9999 - i : i);
        XsNode *n = new_node(name);

        xs_node_link_child(parent, n);
        g_hash_table_insert(present, name, n);
    }
    check_tree(parent, present, r);
    /* 1024 nodes: an AVL tree is at most 1.44 log2(n) high. */
    height = parent->children->height;
    g_assert_cmpint(height, >=, 11);
    g_assert_cmpint(height, <=, 14);
    xs_node_free_tree(parent);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-node-tree/random-link-unlink",
                    test_random_link_unlink);
    g_test_add_func("/xs-node-tree/sorted-inserts", test_sorted_inserts);
    return g_test_run();
}
