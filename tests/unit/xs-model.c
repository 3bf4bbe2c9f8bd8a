/*
 * The reference model of the XenStore database for the randomized test
 * (see xs-model.h): each call worked out from the spec and the decided
 * semantics on a flat path table, independently of xenstore_impl.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-model.h"
#include "xs-model-rules.h"

/* What a transaction holds for one path it walked through. */
typedef enum { SH_SAME, SH_PRESENT, SH_DELETED } MShadowState;

typedef struct MShadow {
    MShadowState state;
    bool hide;                  /* removed here: committed subtree gone */
    bool read;
    uint64_t read_ver;          /* committed version at first read, 0 none */
    bool changed;               /* fires an event at commit */
    bool removed;               /* ... as a removal */
    bool set_value;             /* its own value: applied at commit */
    bool set_perms;             /* its own perms: applied at commit */
    bool touched;               /* counts against transaction-nodes */
    GByteArray *value;          /* SH_PRESENT: own, or as first seen */
    MPerms perms;
} MShadow;

/* ---- committed nodes ---- */

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

static void bump(Model *m, MNode *n)
{
    n->ver = ++m->ver;
}

static MNode *committed_create(Model *m, const char *path, const MPerms *p,
                               const uint8_t *value, size_t len)
{
    MNode *n = g_new0(MNode, 1);
    g_autofree char *parent = parent_of(path);

    n->value = g_byte_array_new();
    g_byte_array_append(n->value, value, len);
    n->perms = *p;
    bump(m, n);
    g_hash_table_insert(m->nodes, g_strdup(path), n);
    bump(m, model_committed(m, parent));
    return n;
}

static void committed_remove_tree(Model *m, const char *path)
{
    GHashTableIter it;
    gpointer key;
    g_autofree char *parent = parent_of(path);

    g_hash_table_iter_init(&it, m->nodes);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        if (path_covers(path, key)) {
            g_hash_table_iter_remove(&it);
        }
    }
    bump(m, model_committed(m, parent));
}

gint model_cmp_strp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

GPtrArray *model_committed_children(Model *m, const char *path)
{
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    size_t plen = strcmp(path, "/") ? strlen(path) : 0;
    GHashTableIter it;
    gpointer key;

    g_hash_table_iter_init(&it, m->nodes);
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

static size_t child_bytes_of(GPtrArray *names)
{
    size_t n = 0;

    for (guint i = 0; i < names->len; i++) {
        n += strlen(names->pdata[i]) + 1;
    }
    return n;
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

/* ---- watch events ---- */

static void expect_event(Model *m, MWatch *w, const char *path)
{
    g_ptr_array_add(m->events, g_strdup_printf("%d|%s|%s", w->conn,
                                               path + w->rel_off,
                                               w->token ? w->token
                                                        : "(null)"));
}

static bool watch_may_see(Model *m, MWatch *w, const MPerms *perms)
{
    return can_read(m, perms, w->dom);
}

/* A change to path, seen by those who may read perms. */
static void model_fire(Model *m, const char *path, const MPerms *perms)
{
    for (guint i = 0; i < m->watches->len; i++) {
        MWatch *w = m->watches->pdata[i];

        if (w->canon[0] != '/' || !path_covers(w->canon, path)) {
            continue;
        }
        if (w->depth >= 0 &&
            path_depth(path) - path_depth(w->canon) > (unsigned)w->depth) {
            continue;
        }
        if (watch_may_see(m, w, perms)) {
            expect_event(m, w, path);
        }
    }
}

/* Removal of path: perms are its parent's. */
static void model_fire_rm(Model *m, const char *path, const MPerms *perms)
{
    model_fire(m, path, perms);
    for (guint i = 0; i < m->watches->len; i++) {
        MWatch *w = m->watches->pdata[i];

        if (w->canon[0] == '/' && path_strictly_inside(w->canon, path) &&
            watch_may_see(m, w, perms)) {
            expect_event(m, w, w->canon);
        }
    }
}

static void model_fire_special(Model *m, int which)
{
    const char *path = which ? XS_RELEASE_DOMAIN_PATH
                             : XS_INTRODUCE_DOMAIN_PATH;

    for (guint i = 0; i < m->watches->len; i++) {
        MWatch *w = m->watches->pdata[i];

        if (!strcmp(w->canon, path) &&
            watch_may_see(m, w, &m->special[which])) {
            expect_event(m, w, path);
        }
    }
}

/* ---- transactions ---- */

static void mshadow_free(gpointer p)
{
    MShadow *sh = p;

    if (sh->value) {
        g_byte_array_unref(sh->value);
    }
    g_free(sh);
}

static void mtx_free(gpointer p)
{
    MTx *tx = p;

    g_hash_table_destroy(tx->shadow);
    g_free(tx);
}

static MTx *model_tx(Model *m, unsigned int dom, xs_transaction_t id)
{
    for (guint i = 0; i < m->txs->len; i++) {
        MTx *tx = m->txs->pdata[i];

        if (tx->id == id && tx->dom == dom) {
            return tx;
        }
    }
    return NULL;
}

static void model_end_tx(Model *m, MTx *tx)
{
    g_ptr_array_remove(m->txs, tx);
}

/* The components of a canonical path as prefixes: "/", "/a", "/a/b". */
static GPtrArray *prefixes(const char *canon)
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

/*
 * The transaction's view of one path: its own changes where it made
 * some, the committed store elsewhere, and nothing of the committed
 * subtree of a node it removed.
 */
typedef struct MView {
    bool exists;
    bool parent_exists;
    char *anc;                  /* deepest existing prefix */
    MPerms anc_perms;
    const GByteArray *anc_value;
    guint missing;              /* index of the first missing prefix */
    MPerms perms;               /* when exists */
    const GByteArray *value;
    MNode *comm;                /* committed node showing through, or NULL */
} MView;

static MShadow *shadow_at(MTx *tx, const char *path)
{
    return tx ? g_hash_table_lookup(tx->shadow, path) : NULL;
}

/* The committed node at path unless a removal in tx hides it. */
static MNode *visible_committed(Model *m, MTx *tx, const char *path)
{
    g_autoptr(GPtrArray) pre = NULL;

    if (!tx || !tx->removed_some) {
        return model_committed(m, path);
    }
    pre = prefixes(path);
    for (guint i = 0; i + 1 < pre->len; i++) {
        MShadow *sh = shadow_at(tx, pre->pdata[i]);

        if (sh && sh->hide) {
            return NULL;
        }
    }
    return model_committed(m, path);
}

/* Does path exist in the view (given that its parent does)? */
static bool visible_here(Model *m, MTx *tx, const char *path)
{
    MShadow *sh = shadow_at(tx, path);

    if (sh && sh->state == SH_PRESENT) {
        return true;
    }
    if (sh && sh->state == SH_DELETED) {
        return false;
    }
    return visible_committed(m, tx, path) != NULL;
}

static void view_content(Model *m, MTx *tx, const char *path, MPerms *perms,
                         const GByteArray **value, MNode **comm)
{
    MShadow *sh = shadow_at(tx, path);
    MNode *n = visible_committed(m, tx, path);

    *comm = n;
    if (sh && sh->state == SH_PRESENT) {
        /* Fields it set are its own; the others show the live node. */
        *perms = sh->set_perms || !n ? sh->perms : n->perms;
        *value = sh->set_value || !n ? sh->value : n->value;
    } else {
        *perms = n->perms;
        *value = n->value;
    }
}

static void view_free(MView *v)
{
    g_free(v->anc);
}

static void model_view(Model *m, MTx *tx, const char *canon, MView *v)
{
    g_autoptr(GPtrArray) pre = prefixes(canon);
    MNode *comm;

    memset(v, 0, sizeof(*v));
    v->exists = true;
    v->parent_exists = true;
    v->anc = g_strdup("/");
    view_content(m, tx, "/", &v->anc_perms, &v->anc_value, &comm);
    v->missing = pre->len;
    for (guint i = 1; i < pre->len; i++) {
        v->parent_exists = v->exists;
        if (v->exists && visible_here(m, tx, pre->pdata[i])) {
            g_free(v->anc);
            v->anc = g_strdup(pre->pdata[i]);
            view_content(m, tx, v->anc, &v->anc_perms, &v->anc_value, &comm);
        } else if (v->exists) {
            v->exists = false;
            v->missing = i;
        }
    }
    if (v->exists) {
        view_content(m, tx, canon, &v->perms, &v->value, &v->comm);
    }
}

/* Sorted names of path's children in the view. */
static GPtrArray *view_children(Model *m, MTx *tx, const char *path)
{
    GPtrArray *names = model_committed_children(m, path);
    GHashTableIter it;
    gpointer key;

    if (tx) {
        g_hash_table_iter_init(&it, tx->shadow);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
            const char *k = key;
            g_autofree char *parent = NULL;

            if (!strcmp(k, "/")) {
                continue;
            }
            parent = parent_of(k);
            if (!strcmp(parent, path)) {
                const char *name = strrchr(k, '/') + 1;
                bool listed = false;

                for (guint i = 0; i < names->len; i++) {
                    listed |= !strcmp(names->pdata[i], name);
                }
                if (!listed) {
                    g_ptr_array_add(names, g_strdup(name));
                }
            }
        }
        /* Keep only what the view shows. */
        for (guint i = 0; i < names->len;) {
            g_autofree char *child = g_strdup_printf(
                "%s/%s", strcmp(path, "/") ? path : "",
                (char *)names->pdata[i]);

            if (visible_here(m, tx, child)) {
                i++;
            } else {
                g_ptr_array_remove_index(names, i);
            }
        }
    }
    g_ptr_array_sort(names, model_cmp_strp);
    return names;
}

/*
 * Is the node at path, rewritten with perms, a value of value_len bytes
 * and extra more bytes of child names, over the caller's node-size quota?
 * The node is the caller's view of it: in a transaction, with the
 * children the transaction sees.
 */
static bool over_node_size(Model *m, MTx *tx, unsigned int dom,
                           const char *path, const MPerms *perms,
                           size_t value_len, size_t extra)
{
    g_autoptr(GPtrArray) view = NULL;

    if (is_privileged(dom)) {
        return false;
    }
    view = view_children(m, tx, path);
    return node_size(perms, value_len, child_bytes_of(view) + extra) >
           m->quota[dom][XS_QUOTA_NODE_SIZE];
}

/*
 * Walk a transaction through path: it now holds every prefix.  Nodes it
 * only passes through do not count as touched, but their number is
 * capped too (8 x transaction-nodes + 64; ENOSPC beyond).
 */
static int model_tx_walk(Model *m, MTx *tx, const char *canon)
{
    g_autoptr(GPtrArray) pre = prefixes(canon);
    unsigned int quota = m->quota[tx->dom][XS_QUOTA_TX_NODES];
    unsigned int limit = is_privileged(tx->dom) ? UINT_MAX :
                         quota > (UINT_MAX - 64) / 8 ? UINT_MAX :
                         quota * 8 + 64;

    for (guint i = 0; i < pre->len; i++) {
        if (g_hash_table_contains(tx->shadow, pre->pdata[i])) {
            continue;
        }
        if (i > 0 && g_hash_table_size(tx->shadow) >= limit) {
            return ENOSPC;
        }
        g_hash_table_insert(tx->shadow, g_strdup(pre->pdata[i]),
                            g_new0(MShadow, 1));
    }
    return 0;
}

/* A node read or changed counts against transaction-nodes, once. */
static int model_touch(Model *m, MTx *tx, const char *canon)
{
    MShadow *sh = shadow_at(tx, canon);

    if (sh->touched) {
        return 0;
    }
    if (!is_privileged(tx->dom) &&
        tx->nr_touched >= m->quota[tx->dom][XS_QUOTA_TX_NODES]) {
        return ENOSPC;
    }
    sh->touched = true;
    tx->nr_touched++;
    return 0;
}

static int model_record_read(Model *m, MTx *tx, const char *canon)
{
    MShadow *sh = shadow_at(tx, canon);
    MNode *n = model_committed(m, canon);
    int err;

    if (sh->read) {
        return 0;
    }
    err = model_touch(m, tx, canon);
    if (!err) {
        sh->read = true;
        sh->read_ver = n ? n->ver : 0;
    }
    return err;
}

static void shadow_set_value(MShadow *sh, const uint8_t *value, size_t len)
{
    GByteArray *v = g_byte_array_new();

    g_byte_array_append(v, value, len);
    if (sh->value) {
        g_byte_array_unref(sh->value);
    }
    sh->value = v;
}

/*
 * The transaction changes a node it sees: it keeps a copy of what it saw
 * (for the case it is removed meanwhile) but owns no field yet.
 */
static void shadow_make_present(MShadow *sh, const MPerms *perms,
                                const GByteArray *value)
{
    if (sh->state == SH_PRESENT) {
        return;
    }
    shadow_set_value(sh, value->data, value->len);
    sh->perms = *perms;
    sh->state = SH_PRESENT;
    sh->set_value = sh->set_perms = false;
}

/* Order of a commit: parents before children, siblings by name. */
static gint cmp_tree_order(gconstpointer a, gconstpointer b)
{
    const unsigned char *x = *(const unsigned char *const *)a;
    const unsigned char *y = *(const unsigned char *const *)b;

    for (; *x && *x == *y; x++, y++) {
    }
    return (*x == '/' ? 1 : *x) - (*y == '/' ? 1 : *y);
}

static bool has_present_below(MTx *tx, const char *path)
{
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init(&it, tx->shadow);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        if (path_strictly_inside(key, path) &&
            ((MShadow *)value)->state == SH_PRESENT) {
            return true;
        }
    }
    return false;
}

typedef struct MPendingEvent {
    char *path;
    MPerms perms;
    bool removed;
} MPendingEvent;

static int model_commit(Model *m, MTx *tx)
{
    g_autoptr(GPtrArray) paths = g_ptr_array_new();
    g_autoptr(GArray) events = g_array_new(false, false,
                                           sizeof(MPendingEvent));
    GHashTableIter it;
    gpointer key, value;

    if (!g_hash_table_size(tx->shadow)) {
        return 0;
    }
    /* EAGAIN iff a node it read changed (generation or existence). */
    g_hash_table_iter_init(&it, tx->shadow);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        MShadow *sh = value;
        MNode *n = model_committed(m, key);

        if (sh->read && sh->read_ver != (n ? n->ver : 0)) {
            return EAGAIN;
        }
        g_ptr_array_add(paths, key);
    }
    g_ptr_array_sort(paths, cmp_tree_order);

    for (guint i = 0; i < paths->len; i++) {
        const char *path = paths->pdata[i];
        MShadow *sh = g_hash_table_lookup(tx->shadow, path);
        g_autofree char *parent = strcmp(path, "/") ? parent_of(path) : NULL;
        MNode *pn = parent ? model_committed(m, parent) : NULL;
        MNode *n = model_committed(m, path);

        /* Below a node that is not there, nothing is applied. */
        if (parent && !pn) {
            continue;
        }
        if (sh->hide && n) {
            committed_remove_tree(m, path);
            n = NULL;
        }
        if (sh->state == SH_DELETED) {
            if (sh->changed) {
                MPendingEvent ev = { g_strdup(path), pn->perms, true };
                g_array_append_val(events, ev);
            }
            continue;
        }
        if (sh->state == SH_PRESENT) {
            bool applied = true;

            if (!n) {
                n = committed_create(m, path, &sh->perms, sh->value->data,
                                     sh->value->len);
            } else if (sh->set_value || sh->set_perms) {
                /* Only the fields it set: others' changes stay. */
                if (sh->set_value) {
                    g_byte_array_set_size(n->value, 0);
                    g_byte_array_append(n->value, sh->value->data,
                                        sh->value->len);
                }
                if (sh->set_perms) {
                    n->perms = sh->perms;
                }
                bump(m, n);
            } else {
                applied = false;    /* nothing of its own to put there */
            }
            if (sh->changed && applied) {
                MPendingEvent ev = { g_strdup(path), n->perms, false };
                g_array_append_val(events, ev);
            }
        } else if (!n && has_present_below(tx, path)) {
            /* Removed meanwhile: re-created on the way to its changes. */
            MPerms p = perms_for_new_node(&pn->perms, tx->dom);

            committed_create(m, path, &p, NULL, 0);
        }
    }
    for (guint i = 0; i < events->len; i++) {
        MPendingEvent *ev = &g_array_index(events, MPendingEvent, i);

        if (ev->removed) {
            model_fire_rm(m, ev->path, &ev->perms);
        } else {
            model_fire(m, ev->path, &ev->perms);
        }
        g_free(ev->path);
    }
    return 0;
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

static int missing_error(Model *m, MView *v, unsigned int dom)
{
    return can_read(m, &v->anc_perms, dom) ? ENOENT : EACCES;
}

/* read, directory, get_perms: the shared lookup, recording a read. */
static int model_lookup_read(Model *m, MTx *tx, unsigned int dom,
                             const char *canon, MView *v)
{
    int err = 0;

    if (tx) {
        err = model_tx_walk(m, tx, canon);
        if (!err) {
            err = model_record_read(m, tx, canon);
        }
        if (err) {
            memset(v, 0, sizeof(*v));
            return err;
        }
    }
    model_view(m, tx, canon, v);
    if (!v->exists) {
        return missing_error(m, v, dom);
    }
    return can_read(m, &v->perms, dom) ? 0 : EACCES;
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

static void shadow_mark_deleted(MTx *tx, const char *canon)
{
    GHashTableIter it;
    gpointer key, value;

    tx->removed_some = true;
    g_hash_table_iter_init(&it, tx->shadow);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        MShadow *sh = value;

        if (path_covers(canon, key)) {
            sh->state = SH_DELETED;
            sh->hide = true;
            sh->changed = false;
            sh->set_value = false;
            sh->set_perms = false;
        }
    }
}

static MWatch *model_find_watch(Model *m, unsigned int dom, int conn,
                                const char *canon, const char *token)
{
    for (guint i = 0; i < m->watches->len; i++) {
        MWatch *w = m->watches->pdata[i];

        if (w->dom == dom && w->conn == conn && !strcmp(w->canon, canon) &&
            !g_strcmp0(w->token, token)) {
            return w;
        }
    }
    return NULL;
}

static void mwatch_free(gpointer p)
{
    MWatch *w = p;

    g_free(w->canon);
    g_free(w->token);
    g_free(w);
}

static void model_drop_watches(Model *m, unsigned int dom, int conn)
{
    for (guint i = 0; i < m->watches->len;) {
        MWatch *w = m->watches->pdata[i];

        if (w->dom == dom && (conn < 0 || w->conn == conn)) {
            g_ptr_array_remove_index(m->watches, i);
        } else {
            i++;
        }
    }
}

static void model_drop_txs(Model *m, unsigned int dom)
{
    for (guint i = 0; i < m->txs->len;) {
        MTx *tx = m->txs->pdata[i];

        if (tx->dom == dom) {
            g_hash_table_add(m->ended, GUINT_TO_POINTER(tx->id));
            g_ptr_array_remove_index(m->txs, i);
        } else {
            i++;
        }
    }
}

/* What a read-type call gives back, besides the errno. */
typedef enum MLookup { LOOKUP_VALUE, LOOKUP_CHILDREN, LOOKUP_PERMS } MLookup;

/* read, directory, get_perms: resolve, look up recording a read, fill. */
static int model_lookup_call(Model *m, unsigned int dom, xs_transaction_t id,
                             const char *path, MLookup what, MResult *res)
{
    MTx *tx;
    MView v;
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
    err = model_lookup_read(m, tx, dom, res->canon, &v);
    if (!err) {
        res->value = v.value;
        res->perms = v.perms;
        /* gencnt is the committed node's: none for one only the
         * transaction has. */
        res->ver = v.comm ? v.comm->ver : 0;
        if (what == LOOKUP_CHILDREN) {
            res->children = view_children(m, tx, res->canon);
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
    MTx *tx;
    MView v = { 0 };
    MPerms new;
    int want = begin_node_call(m, dom, id, path, true, &canon, &tx);

    if (!want && !parse_perm_list(perms, &new)) {
        want = EINVAL;
    }
    if (!want && canon[0] == '@') {
        /* Special nodes are not transactional and fire nothing. */
        int which = special_index(canon);

        want = which < 0 ? ENOENT :
               model_check_set_perms(m, dom, &m->special[which], &new);
        if (!want) {
            m->special[which] = new;
        }
    } else if (!want) {
        if (tx) {
            want = model_tx_walk(m, tx, canon);
        }
        if (!want) {
            model_view(m, tx, canon, &v);
            want = v.exists ? model_check_set_perms(m, dom, &v.perms, &new)
                            : missing_error(m, &v, dom);
        }
        if (!want && over_node_size(m, tx, dom, canon, &new, v.value->len,
                                    0)) {
            want = E2BIG;
        }
        if (!want && tx) {
            want = model_touch(m, tx, canon);
        }
        if (!want && tx) {
            MShadow *sh = shadow_at(tx, canon);

            shadow_make_present(sh, &v.perms, v.value);
            sh->perms = new;
            sh->set_perms = true;
            sh->changed = true;
            sh->removed = false;
        } else if (!want) {
            MNode *n = model_committed(m, canon);

            n->perms = new;
            bump(m, n);
            model_fire(m, canon, &n->perms);
        }
    }
    view_free(&v);
    return want;
}

int model_write(Model *m, unsigned int dom, xs_transaction_t id,
                const char *path, const GByteArray *value, bool mkdir)
{
    g_autofree char *canon = NULL;
    MTx *tx;
    MView v = { 0 };
    int want = begin_node_call(m, dom, id, path, false, &canon, &tx);
    unsigned int limit = m->quota[dom][XS_QUOTA_NODE_SIZE];
    bool unpriv = !is_privileged(dom);
    size_t len = mkdir ? 0 : value->len;
    const uint8_t *data = mkdir ? NULL : value->data;

    if (!want && len > MODEL_VALUE_MAX) {
        want = E2BIG;
    }
    if (!want && tx) {
        want = model_tx_walk(m, tx, canon);
    }
    if (want) {
        goto out;
    }
    model_view(m, tx, canon, &v);
    if (v.exists) {
        if (!can_write(m, &v.perms, dom)) {
            want = EACCES;
            goto out;
        }
        if (mkdir) {
            goto out;           /* exists: nothing changes, no event */
        }
        if (over_node_size(m, tx, dom, canon, &v.perms, len, 0)) {
            want = E2BIG;
            goto out;
        }
        if (tx) {
            MShadow *sh = shadow_at(tx, canon);

            want = model_touch(m, tx, canon);
            if (want) {
                goto out;
            }
            shadow_make_present(sh, &v.perms, v.value);
            shadow_set_value(sh, data, len);
            sh->set_value = true;
            sh->changed = true;
            sh->removed = false;
        } else {
            MNode *n = model_committed(m, canon);

            g_byte_array_set_size(n->value, 0);
            g_byte_array_append(n->value, data, len);
            bump(m, n);
            model_fire(m, canon, &n->perms);
        }
    } else {
        g_autoptr(GPtrArray) pre = prefixes(canon);
        unsigned int count = pre->len - v.missing;
        MPerms perms;

        if (!can_write(m, &v.anc_perms, dom)) {
            want = EACCES;
            goto out;
        }
        if (tx && unpriv) {
            unsigned int untouched = 0;

            for (guint i = v.missing; i < pre->len; i++) {
                untouched += !shadow_at(tx, pre->pdata[i])->touched;
            }
            if (tx->nr_touched + untouched >
                m->quota[dom][XS_QUOTA_TX_NODES]) {
                want = ENOSPC;
                goto out;
            }
        }
        if (unpriv) {
            const char *first = strrchr(pre->pdata[v.missing], '/') + 1;

            /* The nodes the call rewrites: the ancestor gaining a child
             * and the new node (new inner nodes are not counted). */
            if (over_node_size(m, tx, dom, v.anc, &v.anc_perms,
                               v.anc_value->len, strlen(first) + 1) ||
                node_size(&v.anc_perms, len, 0) > limit) {
                want = E2BIG;
            } else if (model_owned_by(m, dom) + (tx ? tx->nr_created : 0) +
                       count > m->quota[dom][XS_QUOTA_NODES]) {
                want = ENOSPC;
            }
            if (want) {
                goto out;
            }
        }
        perms = perms_for_new_node(&v.anc_perms, dom);
        for (guint i = v.missing; i < pre->len; i++) {
            bool last = i + 1 == pre->len;

            if (tx) {
                MShadow *sh = shadow_at(tx, pre->pdata[i]);

                /*
                 * A node it creates has this content if it is still
                 * absent at commit; if someone created it meanwhile, only
                 * a WRITE's value is applied (like a write to an existing
                 * node), and mkdir and new parents leave it alone.
                 */
                sh->state = SH_PRESENT;
                shadow_set_value(sh, last ? data : NULL, last ? len : 0);
                sh->perms = perms;
                sh->set_value = last && !mkdir;
                sh->set_perms = false;
                if (last) {
                    sh->changed = true;
                    sh->removed = false;
                }
                model_touch(m, tx, pre->pdata[i]);
                tx->nr_created++;
            } else {
                committed_create(m, pre->pdata[i], &perms,
                                 last ? data : NULL, last ? len : 0);
            }
        }
        if (!tx) {
            model_fire(m, canon, &perms);
        }
    }
out:
    view_free(&v);
    return want;
}

int model_rm(Model *m, unsigned int dom, xs_transaction_t id,
             const char *path)
{
    g_autofree char *canon = NULL;
    MTx *tx;
    MView v = { 0 };
    int want = begin_node_call(m, dom, id, path, false, &canon, &tx);

    if (!want && !strcmp(canon, "/")) {
        want = EINVAL;
    }
    if (!want && tx) {
        want = model_tx_walk(m, tx, canon);
    }
    if (want) {
        goto out;
    }
    model_view(m, tx, canon, &v);
    if (!v.exists) {
        want = missing_error(m, &v, dom);
        /* Already gone, and its parent is there: done. */
        if (want == ENOENT && v.parent_exists) {
            want = 0;
        }
        goto out;
    }
    if (!can_write(m, &v.perms, dom)) {
        want = EACCES;
        goto out;
    }
    if (tx) {
        MShadow *sh = shadow_at(tx, canon);

        want = model_touch(m, tx, canon);
        if (want) {
            goto out;
        }
        shadow_mark_deleted(tx, canon);
        sh->changed = true;
        sh->removed = true;
    } else {
        g_autofree char *parent = parent_of(canon);

        committed_remove_tree(m, canon);
        model_fire_rm(m, canon, &model_committed(m, parent)->perms);
    }
out:
    view_free(&v);
    return want;
}

int model_tx_start(Model *m, unsigned int dom)
{
    unsigned int open = 0;

    for (guint i = 0; i < m->txs->len; i++) {
        open += ((MTx *)m->txs->pdata[i])->dom == dom;
    }
    if (!is_privileged(dom) && open >= m->quota[dom][XS_QUOTA_TRANSACTIONS]) {
        return ENOSPC;
    }
    return 0;
}

bool model_tx_is_open(Model *m, xs_transaction_t id)
{
    for (guint i = 0; i < m->txs->len; i++) {
        if (((MTx *)m->txs->pdata[i])->id == id) {
            return true;
        }
    }
    return false;
}

void model_tx_opened(Model *m, unsigned int dom, xs_transaction_t id)
{
    MTx *tx = g_new0(MTx, 1);

    tx->id = id;
    tx->dom = dom;
    tx->shadow = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       mshadow_free);
    g_ptr_array_add(m->txs, tx);
    g_hash_table_remove(m->ended, GUINT_TO_POINTER(id));
}

int model_tx_end(Model *m, unsigned int dom, xs_transaction_t id,
                 bool commit)
{
    MTx *tx = model_tx(m, dom, id);
    int want = ENOENT;

    if (tx) {
        want = commit ? model_commit(m, tx) : 0;
        model_end_tx(m, tx);
        g_hash_table_add(m->ended, GUINT_TO_POINTER(id));
    }
    return want;
}

int model_watch(Model *m, unsigned int dom, int conn, const char *path,
                const char *token, int depth)
{
    g_autofree char *canon = NULL;
    size_t rel_off;
    int want = model_resolve(m, dom, path, true, &canon, &rel_off);

    if (!want && model_find_watch(m, dom, conn, canon, token)) {
        want = EEXIST;
    }
    if (!want && !is_privileged(dom)) {
        unsigned int n = 0;

        for (guint i = 0; i < m->watches->len; i++) {
            n += ((MWatch *)m->watches->pdata[i])->dom == dom;
        }
        if (n >= m->quota[dom][XS_QUOTA_WATCHES]) {
            want = E2BIG;
        }
    }
    if (!want) {
        MWatch *w = g_new0(MWatch, 1);

        w->dom = dom;
        w->conn = conn;
        w->canon = g_steal_pointer(&canon);
        w->token = g_strdup(token);
        w->depth = depth < 0 ? -1 : depth;
        w->rel_off = rel_off;
        g_ptr_array_add(m->watches, w);
        expect_event(m, w, w->canon);
    }
    return want;
}

int model_unwatch(Model *m, unsigned int dom, int conn, const char *path,
                  const char *token)
{
    g_autofree char *canon = NULL;
    size_t rel_off;
    int want = model_resolve(m, dom, path, true, &canon, &rel_off);

    if (!want) {
        MWatch *w = model_find_watch(m, dom, conn, canon, token);

        if (w) {
            g_ptr_array_remove(m->watches, w);
        } else {
            want = ENOENT;
        }
    }
    return want;
}

void model_reset_watches(Model *m, unsigned int dom)
{
    model_drop_watches(m, dom, -1);
    model_drop_txs(m, dom);
}

void model_unwatch_all(Model *m, unsigned int dom, int conn)
{
    model_drop_watches(m, dom, conn);
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

void model_loaded_as(Model *m, unsigned int dom)
{
    for (guint i = 0; i < m->watches->len;) {
        MWatch *w = m->watches->pdata[i];

        if (w->dom == dom) {
            i++;
        } else {
            g_ptr_array_remove_index(m->watches, i);
        }
    }
}

/* ---- set-up ---- */

void model_init(Model *m)
{
    static const MPerms dom0_none = { 1, { { XS_PERM_NONE, 0 } } };

    m->nodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     mnode_free);
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
        MNode *root = g_new0(MNode, 1);

        root->value = g_byte_array_new();
        root->perms = dom0_none;
        bump(m, root);
        g_hash_table_insert(m->nodes, g_strdup("/"), root);
        committed_create(m, "/local", &dom0_none, NULL, 0);
        committed_create(m, "/local/domain", &dom0_none, NULL, 0);
    }
}

void model_destroy(Model *m)
{
    g_hash_table_destroy(m->nodes);
    g_ptr_array_free(m->txs, true);
    g_hash_table_destroy(m->ended);
    g_ptr_array_free(m->watches, true);
    g_ptr_array_free(m->events, true);
}

void model_result_clear(MResult *res)
{
    g_clear_pointer(&res->canon, g_free);
    if (res->children) {
        g_ptr_array_unref(res->children);
        res->children = NULL;
    }
}
