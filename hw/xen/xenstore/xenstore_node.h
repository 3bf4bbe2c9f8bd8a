/*
 * The XenStore database's node tree (xenstore_impl_node.c): nodes with
 * their names and inline values, and the AVL tree of each node's
 * children.  A pure tree: generations and accounting are its callers'.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_XENSTORE_NODE_H
#define QEMU_XENSTORE_NODE_H

#include "xenstore_access.h"

/*
 * A committed node.  Siblings form an AVL tree ordered like strcmp on
 * their names (left/right/height), so lookups are O(log n), listings are
 * an in-order walk, and there is no per-child allocation besides the node.
 *
 * While transactions are open a node may also carry older states for
 * their snapshots (old), and a removed node that a snapshot still sees
 * stays as a tombstone (dead) in its parent's tree of dead children
 * rather than in children: see xenstore_impl_snap.c.
 */
typedef struct XsNode XsNode;
struct XsNodeVersion;
struct XsNode {
    XsNode *left, *right;       /* siblings, AVL */
    XsNode *children;           /* root of the live children's AVL tree */
    XsPerms *perms;
    uint8_t *value;             /* inline after the name, or its own block */
    struct XsNodeVersion *old;  /* older states kept for snapshots */
    uint64_t gen;               /* changes on every change to this node */
    uint64_t cgen;              /* changes with value, perms, creation */
    uint64_t key;               /* xs_name_key(name): orders most siblings */
    uint32_t children_bytes;    /* sum of strlen(live child name) + 1 */
    uint16_t value_len;
    uint16_t inline_cap;        /* value bytes that fit after the name */
    uint16_t name_len;
    /* One byte, so that a small node stays in a 128-byte heap chunk. */
    uint8_t height : 7;         /* AVL */
    uint8_t dead : 1;           /* a tombstone, kept for a snapshot */
    char name[];                /* "" for the root; then inline value */
};

/* strcmp order between a component with its key and a node's name. */
static inline int xs_node_cmp(const char *a, size_t alen, uint64_t akey,
                              const XsNode *n)
{
    if (akey != n->key) {
        return akey < n->key ? -1 : 1;
    }
    /* Equal keys: equal names when shorter than 8 (names hold no NUL). */
    if (alen < 8) {
        return 0;
    }
    return xs_name_cmp(a + 8, alen - 8, n->name + 8);
}

XsNode *xs_node_child(XsNode *parent, const char *name, size_t len);
XsNode *xs_node_new(const char *name, size_t len, XsPerms *perms,
                    const uint8_t *value, uint32_t value_len, uint64_t gen);
void xs_node_link_child(XsNode *parent, XsNode *child);
void xs_node_unlink_child(XsNode *parent, XsNode *child);
XsNode *xs_avl_find(XsNode *root, const char *name, size_t len);
XsNode *xs_avl_insert(XsNode *root, XsNode *n);
XsNode *xs_avl_remove(XsNode *root, XsNode *target);
void xs_node_set_value(XsNode *n, const uint8_t *value, uint32_t len);
void xs_node_set_perms(XsNode *n, XsPerms *perms);
void xs_node_free(XsNode *n);
void xs_node_free_tree(XsNode *n);
void xs_node_foreach_child(XsNode *n, void (*fn)(XsNode *child, void *opaque),
                           void *opaque);
void xs_avl_foreach(XsNode *root, void (*fn)(XsNode *n, void *opaque),
                    void *opaque);

#endif
