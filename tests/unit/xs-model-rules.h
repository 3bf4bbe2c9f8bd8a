/*
 * The rules the XenStore reference model (xs-model.c) applies, as plain
 * functions of their inputs: path syntax and limits, who may do what to
 * a node, permission entries and node-size.  Used by the model only.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_UNIT_XS_MODEL_RULES_H
#define TESTS_UNIT_XS_MODEL_RULES_H

#include "xs-model.h"

/* ---- paths (canonical: absolute, no trailing '/') ---- */

bool is_privileged(unsigned int dom);
/* A new string; "/" for a top-level node. */
char *parent_of(const char *path);
/* Is a an ancestor of (or equal to) b? */
bool path_covers(const char *a, const char *b);
bool path_strictly_inside(const char *inner, const char *outer);
/* Components below "/": 0 for "/", 1 for "/a". */
unsigned int path_depth(const char *p);
/*
 * The spec's path rules (section 2 and the decided semantics) for dom:
 * 0 or the errno; the canonical form in *canon (a new string) and how
 * many bytes a relative watch strips in *rel_off.
 */
int model_resolve(Model *m, unsigned int dom, const char *path,
                  bool allow_special, char **canon, size_t *rel_off);

/* ---- permissions ---- */

/* May dom read / write a node with perms p? */
bool can_read(Model *m, const MPerms *p, unsigned int dom);
bool can_write(Model *m, const MPerms *p, unsigned int dom);
/* What a node dom creates below one with perms parent gets. */
MPerms perms_for_new_node(const MPerms *parent, unsigned int dom);
/* A new string such as "r1". */
char *perm_string(uint8_t perm, unsigned int dom);
/* The entries of a SET_PERMS call; false if any is invalid or none. */
bool parse_perm_list(GList *list, MPerms *out);
/* The size a node counts against the node-size quota. */
uint32_t node_size(const MPerms *p, size_t value_len, size_t child_bytes);

#endif
