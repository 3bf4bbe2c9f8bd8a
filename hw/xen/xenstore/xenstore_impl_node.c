/*
 * The XenStore database's node tree: nodes with their names and inline
 * values, and the AVL tree of each node's children (ordered like strcmp,
 * links inside the children), giving O(log n) lookup and insertion and
 * in-order listing.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xenstore_node.h"

XsNode *xs_avl_find(XsNode *n, const char *name, size_t len)
{
    uint64_t key = xs_name_key(name, len);

    while (n) {
        int c = xs_node_cmp(name, len, key, n);

        if (c == 0) {
            return n;
        }
        n = c < 0 ? n->left : n->right;
    }
    return NULL;
}

XsNode *xs_node_child(XsNode *parent, const char *name, size_t len)
{
    return xs_avl_find(parent->children, name, len);
}

static inline int avl_height(XsNode *n)
{
    return n ? n->height : 0;
}

static void avl_fix_height(XsNode *n)
{
    int hl = avl_height(n->left), hr = avl_height(n->right);

    n->height = (hl > hr ? hl : hr) + 1;
}

static XsNode *avl_rotate_right(XsNode *n)
{
    XsNode *l = n->left;

    n->left = l->right;
    l->right = n;
    avl_fix_height(n);
    avl_fix_height(l);
    return l;
}

static XsNode *avl_rotate_left(XsNode *n)
{
    XsNode *r = n->right;

    n->right = r->left;
    r->left = n;
    avl_fix_height(n);
    avl_fix_height(r);
    return r;
}

static XsNode *avl_balance(XsNode *n)
{
    int b;

    avl_fix_height(n);
    b = avl_height(n->left) - avl_height(n->right);
    if (b > 1) {
        if (avl_height(n->left->left) < avl_height(n->left->right)) {
            n->left = avl_rotate_left(n->left);
        }
        return avl_rotate_right(n);
    }
    if (b < -1) {
        if (avl_height(n->right->right) < avl_height(n->right->left)) {
            n->right = avl_rotate_right(n->right);
        }
        return avl_rotate_left(n);
    }
    return n;
}

XsNode *xs_avl_insert(XsNode *root, XsNode *n)
{
    XsNode **side;
    int old_height;

    if (!root) {
        n->left = n->right = NULL;
        n->height = 1;
        return n;
    }
    side = xs_node_cmp(n->name, n->name_len, n->key, root) < 0 ?
           &root->left : &root->right;
    old_height = avl_height(*side);
    *side = xs_avl_insert(*side, n);
    /* A subtree that kept its height changes nothing above it. */
    return (*side)->height == old_height ? root : avl_balance(root);
}

static XsNode *avl_remove_min(XsNode *n, XsNode **min)
{
    if (!n->left) {
        *min = n;
        return n->right;
    }
    n->left = avl_remove_min(n->left, min);
    return avl_balance(n);
}

XsNode *xs_avl_remove(XsNode *root, XsNode *target)
{
    XsNode *min, *right;

    if (root == target) {
        if (!root->right) {
            return root->left;
        }
        right = avl_remove_min(root->right, &min);
        min->left = root->left;
        min->right = right;
        return avl_balance(min);
    }
    if (xs_node_cmp(target->name, target->name_len, target->key, root) < 0) {
        root->left = xs_avl_remove(root->left, target);
    } else {
        root->right = xs_avl_remove(root->right, target);
    }
    return avl_balance(root);
}

/* Values up to this size live in the node's own allocation. */
#define XS_INLINE_VALUE_MAX 256

static inline uint8_t *xs_node_inline_value(XsNode *n)
{
    return (uint8_t *)n->name + n->name_len + 1;
}

XsNode *xs_node_new(const char *name, size_t len, XsPerms *perms,
                    const uint8_t *value, uint32_t value_len, uint64_t gen)
{
    uint32_t cap = value_len <= XS_INLINE_VALUE_MAX ? value_len : 0;
    XsNode *n = g_malloc(MAX(sizeof(XsNode),
                             offsetof(XsNode, name) + len + 1 + cap));

    memset(n, 0, offsetof(XsNode, name));
    memcpy(n->name, name, len);
    n->name[len] = '\0';
    n->name_len = len;
    n->key = xs_name_key(name, len);
    n->perms = perms;
    n->gen = gen;
    n->cgen = gen;
    n->inline_cap = cap;
    n->value = xs_node_inline_value(n);
    xs_node_set_value(n, value, value_len);
    return n;
}

/* Children are linked and unlinked here; generations are the caller's. */
void xs_node_link_child(XsNode *parent, XsNode *child)
{
    parent->children = xs_avl_insert(parent->children, child);
    parent->children_bytes += child->name_len + 1;
}

void xs_node_unlink_child(XsNode *parent, XsNode *child)
{
    parent->children = xs_avl_remove(parent->children, child);
    parent->children_bytes -= child->name_len + 1;
}

void xs_node_set_value(XsNode *n, const uint8_t *value, uint32_t len)
{
    uint8_t *inl = xs_node_inline_value(n);

    g_assert(len <= XS_VALUE_MAX);
    if (len <= n->inline_cap) {
        if (n->value != inl) {
            g_free(n->value);
            n->value = inl;
        }
    } else if (n->value == inl || len != n->value_len) {
        if (n->value != inl) {
            g_free(n->value);
        }
        n->value = g_malloc(len);
    }
    n->value_len = len;
    if (len) {
        memcpy(n->value, value, len);
    }
}

/* Replace a node's perms, taking the reference. */
void xs_node_set_perms(XsNode *n, XsPerms *perms)
{
    xs_perms_unref(n->perms);
    n->perms = perms;
}

void xs_avl_foreach(XsNode *n, void (*fn)(XsNode *n, void *opaque),
                    void *opaque)
{
    while (n) {
        XsNode *right = n->right;

        xs_avl_foreach(n->left, fn, opaque);
        fn(n, opaque);      /* may free or relink n */
        n = right;
    }
}

void xs_node_foreach_child(XsNode *n, void (*fn)(XsNode *child, void *opaque),
                           void *opaque)
{
    xs_avl_foreach(n->children, fn, opaque);
}

/* Free one node's own memory (not its children, versions or perms' users) */
void xs_node_free(XsNode *n)
{
    xs_perms_unref(n->perms);
    if (n->value != xs_node_inline_value(n)) {
        g_free(n->value);
    }
    g_free(n);
}

static void xs_node_free_cb(XsNode *child, void *opaque)
{
    xs_node_free_tree(child);
}

/* Free a detached subtree (nothing else of it is kept anywhere). */
void xs_node_free_tree(XsNode *n)
{
    xs_avl_foreach(n->children, xs_node_free_cb, NULL);
    xs_node_free(n);
}
