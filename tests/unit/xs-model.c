/*
 * The reference model of the XenStore database for the randomized test
 * (see xs-model.h): its node table and the node and domain calls, worked
 * out from the spec on a flat path table, independently of the store.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-model.h"
#include "xs-model-rules.h"
#include "xs-model-int.h"

/* ---- node tables ---- */

MNode *model_committed(Model *m, const char *path)
{
    return g_hash_table_lookup(m->nodes, path);
}

static void mnode_free(gpointer p)
{
    MNode *n = p;

    g_byte_array_unref(n->value);
    g_free(n);
}

MNode *mnode_new(const MPerms *p, const uint8_t *value, size_t len)
{
    MNode *n = g_new0(MNode, 1);

    n->value = g_byte_array_new();
    if (len) {
        g_byte_array_append(n->value, value, len);
    }
    n->perms = *p;
    return n;
}

void mnode_set_value(MNode *n, const uint8_t *value, size_t len)
{
    g_byte_array_set_size(n->value, 0);
    if (len) {
        g_byte_array_append(n->value, value, len);
    }
}

static GHashTable *table_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                 mnode_free);
}

/* A deep copy, generations included. */
GHashTable *table_copy(GHashTable *t)
{
    GHashTable *copy = table_new();
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init(&it, t);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        MNode *n = value;
        MNode *c = mnode_new(&n->perms, n->value->data, n->value->len);

        c->ver = n->ver;
        c->cver = n->cver;
        g_hash_table_insert(copy, g_strdup(key), c);
    }
    return copy;
}

gint model_cmp_strp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the children of path in table t. */
static GPtrArray *table_children(GHashTable *t, const char *path)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    size_t plen = strcmp(path, "/") ? strlen(path) : 0;
    GHashTableIter it;
    gpointer key;

    g_hash_table_iter_init(&it, t);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        const char *k = key;

        if (strcmp(k, "/") && !strncmp(k, path, plen) && k[plen] == '/' &&
            !strchr(k + plen + 1, '/')) {
            g_ptr_array_add(names, g_strdup(k + plen + 1));
        }
    }
    g_ptr_array_sort(names, model_cmp_strp);
    return names;
}

GPtrArray *model_committed_children(Model *m, const char *path)
{
    return table_children(m->nodes, path);
}

static size_t child_bytes_of(GPtrArray *names)
{
    size_t n = 0;

    for (guint i = 0; i < names->len; i++) {
        n += strlen(names->pdata[i]) + 1;
    }
    return n;
}

/* What the node at path in t counts against node-size. */
uint32_t table_node_size(GHashTable *t, const char *path)
{
    MNode *n = g_hash_table_lookup(t, path);
    g_autoptr(GPtrArray) kids = table_children(t, path);

    return node_size(&n->perms, n->value->len, child_bytes_of(kids));
}

unsigned int model_owned_by(Model *m, unsigned int dom)
{
    GHashTableIter it;
    gpointer value;
    unsigned int n = 0;

    g_hash_table_iter_init(&it, m->nodes);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        n += ((MNode *)value)->perms.e[0].dom == dom;
    }
    return n;
}

GPtrArray *model_committed_paths(Model *m)
{
    GPtrArray *paths = g_ptr_array_new();
    GHashTableIter it;
    gpointer key;

    g_hash_table_iter_init(&it, m->nodes);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        g_ptr_array_add(paths, key);
    }
    g_ptr_array_sort(paths, model_cmp_strp);
    return paths;
}

GPtrArray *model_perms_strings(const MPerms *p)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

    for (unsigned int i = 0; i < p->n; i++) {
        g_ptr_array_add(a, perm_string(p->e[i].perm, p->e[i].dom));
    }
    return a;
}

/* The components of a canonical path as prefixes: "/", "/a", "/a/b". */
GPtrArray *prefixes(const char *canon)
{
    GPtrArray *p = g_ptr_array_new_with_free_func(g_free);

    g_ptr_array_add(p, g_strdup("/"));
    for (const char *c = canon + 1; *c; c++) {
        if (c[1] == '/' || c[1] == '\0') {
            g_ptr_array_add(p, g_strndup(canon, c + 1 - canon));
        }
    }
    return p;
}

/* Is a strict ancestor of path (or path too, if self) in the set? */
bool prefix_in(GHashTable *set, const char *path, bool self)
{
    g_autoptr(GPtrArray) pre = prefixes(path);
    guint n = pre->len - (self ? 0 : 1);

    if (!g_hash_table_size(set)) {
        return false;
    }
    for (guint i = 0; i < n; i++) {
        if (g_hash_table_contains(set, pre->pdata[i])) {
            return true;
        }
    }
    return false;
}

/* ---- changes to the store, and what open transactions see of them ---- */

/* How a node of the store changed. */
typedef enum {
    SEEN_CONTENT,               /* value or perms set */
    SEEN_OWNER,                 /* perms set, with a new owner */
    SEEN_CHILD,                 /* a child added or removed */
    SEEN_CREATED,
    SEEN_GONE,
} MSeen;

/*
 * path of the store changed: the other open transactions may keep a
 * version of it, and MStats counts the collisions with what they did.
 * true if one of them used the node.
 */
static bool store_changed(Model *m, GHashTable *t, const char *path,
                          MSeen what)
{
    bool hit = false;

    if (t != m->nodes) {
        return false;           /* a trial run of a commit */
    }
    for (guint i = 0; i < m->txs->len; i++) {
        MTx *tx = m->txs->pdata[i];
        MDep *d;
        bool dep, changed;

        if (tx == m->committing) {
            continue;
        }
        /* A version of what it saw (a new node has none). */
        if (what != SEEN_CREATED &&
            !g_hash_table_contains(tx->outside, path)) {
            g_hash_table_add(tx->outside, g_strdup(path));
        }
        d = g_hash_table_lookup(tx->deps, path);
        dep = d && (what != SEEN_CHILD || d->kind == DEP_ALL);
        changed = what != SEEN_CHILD &&
                  g_hash_table_contains(tx->changes, path);
        m->stats.hit_dep[m->source] += dep;
        m->stats.hit_changed[m->source] += changed;
        if (what == SEEN_CREATED &&
            g_hash_table_contains(tx->created, path)) {
            m->stats.hit_created[m->source]++;
            hit = true;
        }
        if (what == SEEN_OWNER && (dep || changed)) {
            m->stats.hit_owner++;
        }
        hit |= dep || changed;
    }
    return hit;
}

/* A new generation: gen always, cgen if its own content changed. */
static void stamp(Model *m, MNode *n, bool content)
{
    n->ver = ++m->ver;
    if (content) {
        n->cver = n->ver;
    }
}

/* Create path in t (the store, or a commit's trial copy of it). */
void store_create(Model *m, GHashTable *t, const char *path,
                  const MPerms *p, const uint8_t *value, size_t len)
{
    MNode *n = mnode_new(p, value, len);
    g_autofree char *parent = parent_of(path);

    stamp(m, n, true);
    g_hash_table_insert(t, g_strdup(path), n);
    stamp(m, g_hash_table_lookup(t, parent), false);
    store_changed(m, t, path, SEEN_CREATED);
    store_changed(m, t, parent, SEEN_CHILD);
}

/* Set a node's value (value != NULL) and/or perms (perms != NULL). */
void store_update(Model *m, GHashTable *t, const char *path,
                  const GByteArray *value, const MPerms *perms)
{
    MNode *n = g_hash_table_lookup(t, path);
    bool new_owner = perms && perms->e[0].dom != n->perms.e[0].dom;

    if (value) {
        mnode_set_value(n, value->data, value->len);
    }
    if (perms) {
        n->perms = *perms;
    }
    stamp(m, n, true);
    store_changed(m, t, path, new_owner ? SEEN_OWNER : SEEN_CONTENT);
}

void store_remove_tree(Model *m, GHashTable *t, const char *path)
{
    g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *parent = parent_of(path);
    GHashTableIter it;
    gpointer key;
    bool hit = false;

    g_hash_table_iter_init(&it, t);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        if (path_covers(path, key)) {
            g_ptr_array_add(gone, g_strdup(key));
            g_hash_table_iter_remove(&it);
        }
    }
    stamp(m, g_hash_table_lookup(t, parent), false);
    for (guint i = 0; i < gone->len; i++) {
        hit |= store_changed(m, t, gone->pdata[i], SEEN_GONE);
    }
    store_changed(m, t, parent, SEEN_CHILD);
    if (hit && gone->len > 1) {
        m->stats.hit_subtree++;
    }
}

/* ---- the calls ---- */

static MTx *lookup_tx(Model *m, unsigned int dom, xs_transaction_t id,
                      int *err)
{
    MTx *tx = NULL;

    *err = 0;
    if (id != XBT_NULL) {
        tx = model_tx(m, dom, id);
        if (!tx) {
            *err = ENOENT;
        } else if (tx->doomed) {
            *err = EAGAIN;
        }
    }
    return tx;
}

/* The common start of node calls: path, then transaction. */
static int begin_node_call(Model *m, unsigned int dom, xs_transaction_t id,
                           const char *path, bool allow_special,
                           char **canon, MTx **tx)
{
    size_t rel_off;
    int err = model_resolve(m, dom, path, allow_special, canon, &rel_off);

    *tx = NULL;
    if (!err) {
        *tx = lookup_tx(m, dom, id, &err);
    }
    return err;
}

/* Who a change outside transactions comes from, for MStats. */
static int source_of(unsigned int dom)
{
    return is_privileged(dom) ? SRC_DOM0 : SRC_GUEST;
}

/* What the caller sees: in a transaction its view, else the store. */
static GHashTable *view_table(Model *m, MTx *tx)
{
    return tx ? tx->view : m->nodes;
}

/* One path as the caller sees it. */
typedef struct MView {
    GPtrArray *pre;             /* the prefixes of the path */
    bool exists;
    bool parent_exists;
    const char *anc;            /* deepest existing prefix */
    MNode *anc_node;
    guint missing;              /* index of the first missing prefix */
    MNode *node;                /* when it exists */
} MView;

static void model_view(GHashTable *t, const char *canon, MView *v)
{
    memset(v, 0, sizeof(*v));
    v->pre = prefixes(canon);
    v->anc = v->pre->pdata[0];
    v->anc_node = g_hash_table_lookup(t, "/");
    v->missing = v->pre->len;
    for (guint i = 1; i < v->pre->len; i++) {
        MNode *n = g_hash_table_lookup(t, v->pre->pdata[i]);

        if (!n) {
            v->missing = i;
            break;
        }
        v->anc = v->pre->pdata[i];
        v->anc_node = n;
    }
    v->exists = v->missing == v->pre->len;
    v->parent_exists = v->missing + 1 >= v->pre->len;
    v->node = v->exists ? v->anc_node : NULL;
}

static void view_free(MView *v)
{
    if (v->pre) {
        g_ptr_array_unref(v->pre);
    }
}

static int missing_error(Model *m, MView *v, unsigned int dom)
{
    return can_read(m, &v->anc_node->perms, dom) ? ENOENT : EACCES;
}

/*
 * Is the node at path in t, rewritten with perms, a value of value_len
 * bytes and extra more bytes of child names, over the caller's node-size
 * quota?  In a transaction, with the children of its view.
 */
static bool over_node_size(Model *m, GHashTable *t, unsigned int dom,
                           const char *path, const MPerms *perms,
                           size_t value_len, size_t extra)
{
    g_autoptr(GPtrArray) kids = NULL;

    if (is_privileged(dom)) {
        return false;
    }
    kids = table_children(t, path);
    return node_size(perms, value_len, child_bytes_of(kids) + extra) >
           m->quota[dom][XS_QUOTA_NODE_SIZE];
}

static int special_index(const char *canon)
{
    if (!strcmp(canon, XS_INTRODUCE_DOMAIN_PATH)) {
        return 0;
    }
    if (!strcmp(canon, XS_RELEASE_DOMAIN_PATH)) {
        return 1;
    }
    return -1;
}

/* May dom give a node with perms cur the list new? (no quota E2BIG) */
static int model_check_set_perms(Model *m, unsigned int dom,
                                 const MPerms *cur, const MPerms *new)
{
    bool owner;

    if (is_privileged(dom)) {
        return 0;
    }
    owner = cur->e[0].dom == dom ||
            (m->target[dom] != DOMID_INVALID &&
             cur->e[0].dom == m->target[dom]);
    if (!owner) {
        return EACCES;
    }
    if (new->e[0].dom != cur->e[0].dom) {
        return EPERM;
    }
    if (new->n > m->quota[dom][XS_QUOTA_PERMS]) {
        return ENOSPC;
    }
    return 0;
}

/* What a read-type call gives back, besides the errno. */
typedef enum MLookup { LOOKUP_VALUE, LOOKUP_CHILDREN, LOOKUP_PERMS } MLookup;

static bool perms_equal(const MPerms *a, const MPerms *b)
{
    if (a->n != b->n) {
        return false;
    }
    for (unsigned int i = 0; i < a->n; i++) {
        if (a->e[i].perm != b->e[i].perm || a->e[i].dom != b->e[i].dom) {
            return false;
        }
    }
    return true;
}

/* Would the store outside the transaction give the same answer? */
static bool same_answer_live(Model *m, unsigned int dom, const char *canon,
                             MLookup what, int err, MNode *node,
                             GHashTable *view)
{
    MView live;
    int lerr;
    bool same;

    model_view(m->nodes, canon, &live);
    if (live.exists) {
        lerr = can_read(m, &live.node->perms, dom) ? 0 : EACCES;
    } else {
        lerr = missing_error(m, &live, dom);
    }
    same = lerr == err;
    if (same && !err && what == LOOKUP_VALUE) {
        same = node->value->len == live.node->value->len &&
               (!node->value->len ||
                !memcmp(node->value->data, live.node->value->data,
                        node->value->len));
    } else if (same && !err && what == LOOKUP_PERMS) {
        same = perms_equal(&node->perms, &live.node->perms);
    } else if (same && !err) {
        g_autoptr(GPtrArray) a = table_children(view, canon);
        g_autoptr(GPtrArray) b = table_children(m->nodes, canon);

        same = a->len == b->len;
        for (guint i = 0; same && i < a->len; i++) {
            same = !strcmp(a->pdata[i], b->pdata[i]);
        }
    }
    view_free(&live);
    return same;
}

/* read, directory, get_perms. */
static int model_lookup_call(Model *m, unsigned int dom, xs_transaction_t id,
                             const char *path, MLookup what, MResult *res)
{
    MTx *tx;
    MView v;
    const char *dep;
    int err = begin_node_call(m, dom, id, path, what == LOOKUP_PERMS,
                              &res->canon, &tx);

    if (err) {
        return err;
    }
    if (res->canon[0] == '@') {
        int which = special_index(res->canon);

        if (which < 0) {
            return ENOENT;
        }
        res->perms = m->special[which];
        return can_read(m, &res->perms, dom) ? 0 : EACCES;
    }
    model_view(view_table(m, tx), res->canon, &v);
    if (v.exists) {
        err = can_read(m, &v.node->perms, dom) ? 0 : EACCES;
        dep = res->canon;
    } else {
        err = missing_error(m, &v, dom);
        dep = v.anc;
    }
    if (tx) {
        bool all = !v.exists || what == LOOKUP_CHILDREN;
        int ret = tx_record(m, tx, err, dep, all ? DEP_ALL : DEP_CONTENT,
                            NULL);

        if (ret == err && !same_answer_live(m, dom, res->canon, what, err,
                                            v.node, tx->view)) {
            m->stats.stale++;
        }
        err = ret;
    }
    if (!err) {
        res->value = v.node->value;
        res->perms = v.node->perms;
        /* In a transaction: as at its start, 0 for its own nodes. */
        res->ver = v.node->ver;
        if (what == LOOKUP_CHILDREN) {
            res->children = table_children(view_table(m, tx), res->canon);
        }
    }
    view_free(&v);
    return err;
}

int model_read(Model *m, unsigned int dom, xs_transaction_t id,
               const char *path, MResult *res)
{
    return model_lookup_call(m, dom, id, path, LOOKUP_VALUE, res);
}

int model_directory(Model *m, unsigned int dom, xs_transaction_t id,
                    const char *path, MResult *res)
{
    return model_lookup_call(m, dom, id, path, LOOKUP_CHILDREN, res);
}

int model_get_perms(Model *m, unsigned int dom, xs_transaction_t id,
                    const char *path, MResult *res)
{
    return model_lookup_call(m, dom, id, path, LOOKUP_PERMS, res);
}

int model_set_perms(Model *m, unsigned int dom, xs_transaction_t id,
                    const char *path, GList *perms)
{
    g_autofree char *canon = NULL;
    g_autoptr(GPtrArray) changing = g_ptr_array_new();
    MTx *tx;
    MView v;
    MPerms new;
    int want = begin_node_call(m, dom, id, path, true, &canon, &tx);

    if (!want && !parse_perm_list(perms, &new)) {
        want = EINVAL;
    }
    if (want) {
        return want;
    }
    if (canon[0] == '@') {
        /* Special nodes are not transactional and fire nothing. */
        int which = special_index(canon);

        want = which < 0 ? ENOENT :
               model_check_set_perms(m, dom, &m->special[which], &new);
        if (!want) {
            m->special[which] = new;
        }
        return want;
    }
    model_view(view_table(m, tx), canon, &v);
    if (!v.exists) {
        want = missing_error(m, &v, dom);
    } else {
        want = model_check_set_perms(m, dom, &v.node->perms, &new);
        if (!want && over_node_size(m, view_table(m, tx), dom, canon, &new,
                                    v.node->value->len, 0)) {
            want = E2BIG;
        }
    }
    if (tx) {
        g_ptr_array_add(changing, canon);
        want = tx_record(m, tx, want, v.exists ? canon : v.anc,
                         v.exists ? DEP_CONTENT : DEP_ALL, changing);
        if (!want) {
            tx_update(tx, canon, NULL, &new);
        }
    } else if (!want) {
        m->source = source_of(dom);
        store_update(m, m->nodes, canon, NULL, &new);
        model_fire(m, canon, &new);
    }
    view_free(&v);
    return want;
}

int model_write(Model *m, unsigned int dom, xs_transaction_t id,
                const char *path, const GByteArray *value, bool mkdir)
{
    g_autofree char *canon = NULL;
    g_autoptr(GPtrArray) changing = g_ptr_array_new();
    MTx *tx;
    MView v;
    GHashTable *t;
    int want = begin_node_call(m, dom, id, path, false, &canon, &tx);
    unsigned int limit = m->quota[dom][XS_QUOTA_NODE_SIZE];
    size_t len = mkdir ? 0 : value->len;
    const uint8_t *data = mkdir ? NULL : value->data;
    unsigned int count;
    MPerms perms;

    if (!want && len > MODEL_VALUE_MAX) {
        want = E2BIG;
    }
    if (want) {
        return want;
    }
    t = view_table(m, tx);
    model_view(t, canon, &v);
    if (v.exists) {
        if (!can_write(m, &v.node->perms, dom)) {
            want = EACCES;
        } else if (!mkdir && over_node_size(m, t, dom, canon,
                                            &v.node->perms, len, 0)) {
            want = E2BIG;
        } else if (!mkdir) {
            g_ptr_array_add(changing, canon);
        }
        if (tx) {
            want = tx_record(m, tx, want, canon, DEP_CONTENT, changing);
        }
        if (want || mkdir) {
            goto out;           /* mkdir of an existing node: no change */
        }
        if (tx) {
            tx_update(tx, canon, value, NULL);
        } else {
            m->source = source_of(dom);
            store_update(m, t, canon, value, NULL);
            model_fire(m, canon, &v.node->perms);
        }
        goto out;
    }

    count = v.pre->len - v.missing;
    if (!can_write(m, &v.anc_node->perms, dom)) {
        want = EACCES;
    } else if (!is_privileged(dom)) {
        const char *first = strrchr(v.pre->pdata[v.missing], '/') + 1;

        /* The nodes the call rewrites: the ancestor gaining a child
         * and the new node (new inner nodes are not counted). */
        if (over_node_size(m, t, dom, v.anc, &v.anc_node->perms,
                           v.anc_node->value->len, strlen(first) + 1) ||
            node_size(&v.anc_node->perms, len, 0) > limit) {
            want = E2BIG;
        } else if (model_owned_by(m, dom) + (tx ? tx->nr_created : 0) +
                   count > m->quota[dom][XS_QUOTA_NODES]) {
            want = ENOSPC;
        }
    }
    for (guint i = v.missing; i < v.pre->len; i++) {
        g_ptr_array_add(changing, v.pre->pdata[i]);
    }
    if (tx) {
        want = tx_record(m, tx, want, v.anc, DEP_CONTENT, changing);
    }
    if (want) {
        goto out;
    }
    perms = perms_for_new_node(&v.anc_node->perms, dom);
    m->source = source_of(dom);
    for (guint i = v.missing; i < v.pre->len; i++) {
        bool last = i + 1 == v.pre->len;

        if (tx) {
            tx_create(tx, v.pre->pdata[i], &perms, last ? data : NULL,
                      last ? len : 0, last);
        } else {
            store_create(m, t, v.pre->pdata[i], &perms, last ? data : NULL,
                         last ? len : 0);
        }
    }
    if (!tx) {
        model_fire(m, canon, &perms);
    }
out:
    view_free(&v);
    return want;
}

int model_rm(Model *m, unsigned int dom, xs_transaction_t id,
             const char *path)
{
    g_autofree char *canon = NULL;
    g_autoptr(GPtrArray) changing = g_ptr_array_new();
    MTx *tx;
    MView v;
    int want = begin_node_call(m, dom, id, path, false, &canon, &tx);

    if (!want && !strcmp(canon, "/")) {
        want = EINVAL;
    }
    if (want) {
        return want;
    }
    model_view(view_table(m, tx), canon, &v);
    if (!v.exists) {
        want = missing_error(m, &v, dom);
        /* Already gone, and its parent is there: done. */
        if (want == ENOENT && v.parent_exists) {
            want = 0;
        }
        if (tx) {
            want = tx_record(m, tx, want, v.anc, DEP_ALL, NULL);
        }
        goto out;
    }
    want = can_write(m, &v.node->perms, dom) ? 0 : EACCES;
    if (tx) {
        g_ptr_array_add(changing, canon);
        want = tx_record(m, tx, want, canon, DEP_ALL, changing);
    }
    if (want) {
        goto out;
    }
    if (tx) {
        tx_remove(tx, canon);
    } else {
        g_autofree char *parent = parent_of(canon);

        m->source = source_of(dom);
        store_remove_tree(m, m->nodes, canon);
        model_fire_rm(m, canon, &model_committed(m, parent)->perms);
    }
out:
    view_free(&v);
    return want;
}

void model_introduce(Model *m, unsigned int dom)
{
    m->introduced[dom] = true;
    model_fire_special(m, 0);
}

int model_release(Model *m, unsigned int dom)
{
    if (!m->introduced[dom]) {
        return ENOENT;
    }
    m->introduced[dom] = false;
    if (dom < MODEL_NDOMS) {
        model_drop_watches(m, dom, -1);
        model_drop_txs(m, dom);
    }
    model_fire_special(m, 1);
    return 0;
}

/* ---- set-up ---- */

void model_init(Model *m)
{
    static const MPerms dom0_none = { 1, { { XS_PERM_NONE, 0 } } };

    memset(m, 0, sizeof(*m));
    m->nodes = table_new();
    m->txs = g_ptr_array_new_with_free_func(mtx_free);
    m->ended = g_hash_table_new(NULL, NULL);
    m->watches = g_ptr_array_new_with_free_func(mwatch_free);
    m->events = g_ptr_array_new_with_free_func(g_free);
    m->special[0] = dom0_none;
    m->special[1] = dom0_none;
    for (unsigned int d = 0; d < MODEL_NDOMS; d++) {
        static const unsigned int defaults[XS_QUOTA__MAX] = {
            [XS_QUOTA_NODES] = 1000, [XS_QUOTA_NODE_SIZE] = 2048,
            [XS_QUOTA_WATCHES] = 128, [XS_QUOTA_TRANSACTIONS] = 10,
            [XS_QUOTA_PERMS] = 5, [XS_QUOTA_PATH_MAX] = 2048,
            [XS_QUOTA_TX_NODES] = 1024, [XS_QUOTA_WATCH_EVENTS] = 1024,
        };

        memcpy(m->quota[d], defaults, sizeof(defaults));
        m->target[d] = DOMID_INVALID;
    }
    /* The tree a new store has. */
    {
        MNode *root = mnode_new(&dom0_none, NULL, 0);

        stamp(m, root, true);
        g_hash_table_insert(m->nodes, g_strdup("/"), root);
        store_create(m, m->nodes, "/local", &dom0_none, NULL, 0);
        store_create(m, m->nodes, "/local/domain", &dom0_none, NULL, 0);
    }
}

void model_destroy(Model *m)
{
    g_hash_table_destroy(m->nodes);
    g_ptr_array_free(m->txs, true);
    g_hash_table_destroy(m->ended);
    g_ptr_array_free(m->watches, true);
    g_ptr_array_free(m->events, true);
    g_free(m->why);
}

void model_result_clear(MResult *res)
{
    g_clear_pointer(&res->canon, g_free);
    if (res->children) {
        g_ptr_array_unref(res->children);
        res->children = NULL;
    }
}
