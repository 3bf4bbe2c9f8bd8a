/*
 * The reference model's transactions: the copy of the table each one
 * sees, its changes and dependencies, the commit, and what is left of
 * them after a save and load.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-model.h"
#include "xs-model-rules.h"
#include "xs-model-int.h"

/* What a commit does at one path a transaction changed. */
typedef struct MChange {
    bool hide;                  /* removed: the committed subtree goes */
    bool content;               /* its node: the view's value and perms */
    bool event;                 /* fires: a change, or without content a
                                 * removal */
} MChange;

/* ---- transactions ---- */

static GHashTable *path_set_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

void mtx_free(gpointer p)
{
    MTx *tx = p;

    g_hash_table_destroy(tx->view);
    g_hash_table_destroy(tx->deps);
    g_hash_table_destroy(tx->changes);
    g_hash_table_destroy(tx->changed);
    g_hash_table_destroy(tx->removed);
    g_hash_table_destroy(tx->created);
    g_hash_table_destroy(tx->outside);
    g_free(tx);
}

MTx *model_tx(Model *m, unsigned int dom, xs_transaction_t id)
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

/* Answers that depend on the store record what they depended on. */
static bool records_deps(int err)
{
    return !err || err == ENOENT || err == EACCES || err == EPERM;
}

/*
 * What counts against transaction-nodes: each path it depended on or
 * changed, once.
 */
static unsigned int tx_touched(MTx *tx)
{
    unsigned int n = g_hash_table_size(tx->deps);
    GHashTableIter it;
    gpointer key;

    g_hash_table_iter_init(&it, tx->changed);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        n += !g_hash_table_contains(tx->deps, key);
    }
    return n;
}

/*
 * The bookkeeping of a request in tx that answered err: if the answer
 * depends on the store, a dependency of kind on dep_path (when the view
 * has that node from its snapshot), and if err is 0 the paths in
 * changing.  New dependencies and newly changed paths count against
 * transaction-nodes: ENOSPC, with nothing recorded, if they take the
 * transaction over it; else err.
 */
int tx_record(Model *m, MTx *tx, int err, const char *dep_path,
              MDepKind kind, GPtrArray *changing)
{
    MNode *n = dep_path ? g_hash_table_lookup(tx->view, dep_path) : NULL;
    unsigned int more = 0;

    if (!records_deps(err)) {
        return err;
    }
    if (n && !n->ver) {
        n = NULL;               /* made by the transaction: no dependency */
    }
    more += n && !g_hash_table_contains(tx->deps, dep_path) &&
            !g_hash_table_contains(tx->changed, dep_path);
    for (guint i = 0; !err && changing && i < changing->len; i++) {
        const char *c = changing->pdata[i];

        more += !g_hash_table_contains(tx->changed, c) &&
                !g_hash_table_contains(tx->deps, c) &&
                !(n && g_str_equal(c, dep_path));
    }
    if (more && !is_privileged(tx->dom) &&
        tx_touched(tx) + more > m->quota[tx->dom][XS_QUOTA_TX_NODES]) {
        return ENOSPC;
    }
    if (n) {
        MDep *d = g_hash_table_lookup(tx->deps, dep_path);

        if (!d) {
            d = g_new0(MDep, 1);
            d->ver = n->ver;
            d->cver = n->cver;
            g_hash_table_insert(tx->deps, g_strdup(dep_path), d);
        }
        d->kind = MAX(d->kind, kind);
    }
    for (guint i = 0; !err && changing && i < changing->len; i++) {
        if (!g_hash_table_contains(tx->changed, changing->pdata[i])) {
            g_hash_table_add(tx->changed, g_strdup(changing->pdata[i]));
        }
    }
    return err;
}

static MChange *tx_change(MTx *tx, const char *path)
{
    MChange *c = g_hash_table_lookup(tx->changes, path);

    if (!c) {
        c = g_new0(MChange, 1);
        g_hash_table_insert(tx->changes, g_strdup(path), c);
    }
    return c;
}

/* The transaction sets the value (value != NULL) or perms of a node. */
void tx_update(MTx *tx, const char *path, const GByteArray *value,
               const MPerms *perms)
{
    MNode *n = g_hash_table_lookup(tx->view, path);
    MChange *c = tx_change(tx, path);

    if (value) {
        mnode_set_value(n, value->data, value->len);
    }
    if (perms) {
        n->perms = *perms;
    }
    c->content = true;
    c->event = true;
}

/*
 * The transaction creates path (absent from its view).  Unless it is
 * there because the transaction removed it or an ancestor, it was absent
 * from the snapshot and must still be absent at commit.
 */
void tx_create(MTx *tx, const char *path, const MPerms *perms,
               const uint8_t *value, size_t len, bool event)
{
    MChange *c = tx_change(tx, path);

    /* ver 0: the transaction's own node. */
    g_hash_table_insert(tx->view, g_strdup(path),
                        mnode_new(perms, value, len));
    c->content = true;
    c->event |= event;
    if (!prefix_in(tx->removed, path, true) &&
        !g_hash_table_contains(tx->created, path)) {
        g_hash_table_add(tx->created, g_strdup(path));
    }
    tx->nr_created++;
}

/* The transaction removes path and its subtree from its view. */
void tx_remove(MTx *tx, const char *path)
{
    GHashTableIter it;
    gpointer key;
    MChange *c;

    g_hash_table_iter_init(&it, tx->view);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        if (path_covers(path, key)) {
            g_hash_table_iter_remove(&it);
        }
    }
    /* Whatever it did below is gone with it. */
    g_hash_table_iter_init(&it, tx->changes);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        if (path_strictly_inside(key, path)) {
            g_hash_table_iter_remove(&it);
        }
    }
    if (!g_hash_table_contains(tx->removed, path)) {
        g_hash_table_add(tx->removed, g_strdup(path));
    }
    c = tx_change(tx, path);
    c->hide = true;
    c->content = false;
    c->event = true;
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

static GPtrArray *tx_change_paths(MTx *tx)
{
    GPtrArray *paths = g_ptr_array_new();
    GHashTableIter it;
    gpointer key;

    g_hash_table_iter_init(&it, tx->changes);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        g_ptr_array_add(paths, key);
    }
    g_ptr_array_sort(paths, cmp_tree_order);
    return paths;
}

/*
 * Apply tx's changes (paths: their paths, in tree order) to t, the store
 * or a trial copy of it.  The paths of the nodes this creates go to
 * created, if given.
 */
static void commit_apply(Model *m, MTx *tx, GHashTable *t, GPtrArray *paths,
                         GPtrArray *created)
{
    for (guint i = 0; i < paths->len; i++) {
        const char *path = paths->pdata[i];
        MChange *c = g_hash_table_lookup(tx->changes, path);
        MNode *own = g_hash_table_lookup(tx->view, path);

        if (c->hide && g_hash_table_contains(t, path)) {
            store_remove_tree(m, t, path);
        }
        if (!c->content) {
            continue;
        }
        g_assert(own);
        if (g_hash_table_contains(t, path)) {
            store_update(m, t, path, own->value, &own->perms);
        } else {
            g_autofree char *parent = parent_of(path);

            /* The dependencies passed: the parent is there or made. */
            g_assert(g_hash_table_contains(t, parent));
            store_create(m, t, path, &own->perms, own->value->data,
                         own->value->len);
            if (created) {
                g_ptr_array_add(created, (gpointer)path);
            }
        }
    }
}

/*
 * The quotas of an unprivileged domain's commit, on a trial run against
 * the store as it is now: the nodes it owns now plus those the commit
 * creates (ENOSPC); the size of every node the transaction gave content
 * and of every node gaining a child (E2BIG).
 */
static int commit_quotas(Model *m, MTx *tx, GPtrArray *paths)
{
    unsigned int dom = tx->dom;
    unsigned int limit = m->quota[dom][XS_QUOTA_NODE_SIZE];
    g_autoptr(GHashTable) trial = table_copy(m->nodes);
    g_autoptr(GPtrArray) created = g_ptr_array_new();

    commit_apply(m, tx, trial, paths, created);
    if (created->len && model_owned_by(m, dom) + created->len >
        m->quota[dom][XS_QUOTA_NODES]) {
        return ENOSPC;
    }
    for (guint i = 0; i < paths->len; i++) {
        MChange *c = g_hash_table_lookup(tx->changes, paths->pdata[i]);

        if (c->content && table_node_size(trial, paths->pdata[i]) > limit) {
            return E2BIG;
        }
    }
    for (guint i = 0; i < created->len; i++) {
        g_autofree char *parent = parent_of(created->pdata[i]);

        if (table_node_size(trial, parent) > limit) {
            return E2BIG;
        }
    }
    return 0;
}

/* EAGAIN if a dependency changed or a node it created exists. */
static bool tx_conflicts(Model *m, MTx *tx)
{
    GHashTableIter it;
    gpointer key, value;

    if (tx->doomed) {
        m->why = g_strdup("doomed when saved");
        return true;
    }
    g_hash_table_iter_init(&it, tx->deps);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        MDep *d = value;
        MNode *n = model_committed(m, key);

        if (!n || (d->kind == DEP_ALL ? n->ver != d->ver
                                      : n->cver != d->cver)) {
            m->stats.eagain[d->kind == DEP_ALL]++;
            m->why = g_strdup_printf("%s(%s) %s",
                                     d->kind == DEP_ALL ? "ALL" : "CONTENT",
                                     (char *)key,
                                     n ? "changed" : "is gone");
            return true;
        }
    }
    g_hash_table_iter_init(&it, tx->created);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        if (!prefix_in(tx->removed, key, false) && model_committed(m, key)) {
            m->stats.eagain[2]++;
            m->why = g_strdup_printf("%s, which it created, exists",
                                     (char *)key);
            return true;
        }
    }
    return false;
}

static int model_commit(Model *m, MTx *tx)
{
    g_autoptr(GPtrArray) paths = tx_change_paths(tx);
    int err;

    g_clear_pointer(&m->why, g_free);
    if (tx_conflicts(m, tx)) {
        return EAGAIN;
    }
    if (!is_privileged(tx->dom)) {
        err = commit_quotas(m, tx, paths);
        if (err) {
            m->stats.commit_quota++;
            m->why = g_strdup_printf("%s at commit", err == ENOSPC ?
                                     "nodes quota" : "node-size quota");
            return err;
        }
    }
    m->source = SRC_COMMIT;
    m->committing = tx;
    commit_apply(m, tx, m->nodes, paths, NULL);
    m->committing = NULL;
    for (guint i = 0; i < paths->len; i++) {
        const char *path = paths->pdata[i];
        MChange *c = g_hash_table_lookup(tx->changes, path);
        g_autofree char *parent = NULL;
        MNode *pn;

        if (!c->event) {
            continue;
        }
        if (c->content) {
            model_fire(m, path, &model_committed(m, path)->perms);
            continue;
        }
        parent = parent_of(path);
        pn = model_committed(m, parent);
        g_assert(pn);
        model_fire_rm(m, path, &pn->perms);
    }
    m->stats.commit_ok++;
    m->stats.commit_ok_busy += g_hash_table_size(tx->outside) > 0;
    return 0;
}

/* Generous costs, in bytes, of what a transaction holds in the store. */
#define EST_SHADOW_NODE 256     /* plus name and value */

#define EST_DEP 64

#define EST_VERSION 320

size_t model_tx_bytes(Model *m, unsigned int dom)
{
    size_t bytes = 0;

    for (guint i = 0; i < m->txs->len; i++) {
        MTx *tx = m->txs->pdata[i];
        g_autoptr(GHashTable) shadow = NULL;
        GHashTableIter it;
        gpointer key;

        if (tx->dom != dom) {
            continue;
        }
        /* Shadow nodes: the changed paths and the paths leading there. */
        shadow = path_set_new();
        g_hash_table_iter_init(&it, tx->changes);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
            g_autoptr(GPtrArray) pre = prefixes(key);

            for (guint j = 0; j < pre->len; j++) {
                if (!g_hash_table_contains(shadow, pre->pdata[j])) {
                    g_hash_table_add(shadow, g_strdup(pre->pdata[j]));
                }
            }
        }
        g_hash_table_iter_init(&it, shadow);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
            MNode *own = g_hash_table_lookup(tx->view, key);

            bytes += EST_SHADOW_NODE + strlen(key) +
                     (own ? own->value->len : 0);
        }
        bytes += EST_DEP * g_hash_table_size(tx->deps) +
                 EST_VERSION * g_hash_table_size(tx->outside);
    }
    return bytes;
}

void model_drop_txs(Model *m, unsigned int dom)
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
    tx->view = table_copy(m->nodes);
    tx->deps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     g_free);
    tx->changes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                        g_free);
    tx->changed = path_set_new();
    tx->removed = path_set_new();
    tx->created = path_set_new();
    tx->outside = path_set_new();
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

/*
 * After a save and load the store keeps no snapshot for a transaction:
 * one whose commit would conflict is doomed (every call answers EAGAIN),
 * the others see the loaded store plus their own changes, which agrees
 * with everything they depended on.
 */
static void tx_rebase(Model *m, MTx *tx)
{
    g_autoptr(GPtrArray) paths = tx_change_paths(tx);
    GHashTable *view = table_copy(m->nodes);
    GHashTableIter it;
    gpointer key, value;

    for (guint i = 0; i < paths->len; i++) {
        const char *path = paths->pdata[i];
        MChange *c = g_hash_table_lookup(tx->changes, path);
        MNode *own = g_hash_table_lookup(tx->view, path);
        MNode *now;

        if (c->hide) {
            g_hash_table_iter_init(&it, view);
            while (g_hash_table_iter_next(&it, &key, NULL)) {
                if (path_covers(path, key)) {
                    g_hash_table_iter_remove(&it);
                }
            }
        }
        if (!c->content) {
            continue;
        }
        now = g_hash_table_lookup(view, path);
        if (own->ver && now) {
            /* Its own value and perms on the node as it is now. */
            mnode_set_value(now, own->value->data, own->value->len);
            now->perms = own->perms;
        } else {
            MNode *copy = mnode_new(&own->perms, own->value->data,
                                    own->value->len);

            g_hash_table_insert(view, g_strdup(path), copy);
        }
    }
    g_hash_table_destroy(tx->view);
    tx->view = view;
    /* What it depended on, as the new snapshot has it (the same). */
    g_hash_table_iter_init(&it, tx->deps);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        MDep *d = value;
        MNode *n = model_committed(m, key);

        d->ver = n->ver;
        d->cver = n->cver;
    }
}

void model_loaded_as(Model *m, unsigned int dom)
{
    for (guint i = 0; i < m->txs->len; i++) {
        MTx *tx = m->txs->pdata[i];

        MStats stats = m->stats;    /* a check, not a commit */

        if (tx->doomed) {
            continue;
        }
        g_clear_pointer(&m->why, g_free);
        if (tx_conflicts(m, tx)) {
            tx->doomed = true;
        } else {
            tx_rebase(m, tx);
        }
        m->stats = stats;
        g_clear_pointer(&m->why, g_free);
    }
    for (guint i = 0; i < m->watches->len;) {
        MWatch *w = m->watches->pdata[i];

        if (w->dom == dom) {
            i++;
        } else {
            g_ptr_array_remove_index(m->watches, i);
        }
    }
}
