/*
 * Save of the XenStore database as a stream of records in the layout of
 * Xen's xenstore-migration format, plus versioned private records for
 * what that format cannot express (docs/interop/); loaded again by
 * xenstore_impl_load.c.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xenstore_impl_int.h"
#include "qemu/bytestream.h"
#include "trace.h"

#include "xenstore_impl_stream.h"

/* ---- writing (little endian records) ---- */

static guint rec_begin(GByteArray *b, uint32_t type)
{
    bs_put_le32(b, type);
    bs_put_le32(b, 0);
    return b->len;
}

static void rec_end(GByteArray *b, guint start)
{
    uint32_t len = b->len - start;
    static const uint8_t zeros[8];

    b->data[start - 4] = len;
    b->data[start - 3] = len >> 8;
    b->data[start - 2] = len >> 16;
    b->data[start - 1] = len >> 24;
    g_byte_array_append(b, zeros, (8 - (len & 7)) & 7);
}

static uint8_t perm_letter(uint8_t perm)
{
    static const char letters[4] = { 'n', 'r', 'w', 'b' };

    return letters[perm & XS_PERM_BOTH];
}

static void put_node(GByteArray *b, uint32_t conn_id, uint32_t tx_id,
                     const char *path, const XsPerms *perms,
                     const uint8_t *value, uint32_t value_len,
                     uint16_t access, uint64_t gen, uint64_t cgen,
                     uint32_t ext_flags)
{
    guint r = rec_begin(b, XS_REC_NODE_DATA);
    unsigned int nperms = perms ? perms->n : 0;
    size_t plen = strlen(path) + 1;

    bs_put_le32(b, conn_id);
    bs_put_le32(b, tx_id);
    bs_put_le16(b, plen);
    bs_put_le16(b, value_len);
    bs_put_le16(b, access);
    bs_put_le16(b, nperms);
    for (unsigned int i = 0; i < nperms; i++) {
        bs_put_u8(b, perm_letter(perms->e[i].perm));
        bs_put_u8(b, 0);
        bs_put_le16(b, perms->e[i].domid);
    }
    g_byte_array_append(b, (const uint8_t *)path, plen);
    if (value_len) {
        g_byte_array_append(b, value, value_len);
    }
    rec_end(b, r);

    r = rec_begin(b, XS_REC_QEMU_NODE_EXT);
    bs_put_le32(b, XS_REC_QEMU_VERSION);
    bs_put_le32(b, ext_flags);
    bs_put_le64(b, gen);
    bs_put_le64(b, cgen);
    rec_end(b, r);
}

typedef struct XsSaver {
    GByteArray *b;
    char path[XS_PATH_BUF];
    size_t len;
} XsSaver;

static void path_push(XsSaver *sv, const char *name, size_t *saved)
{
    size_t nlen = strlen(name);

    *saved = sv->len;
    if (sv->len != 1) {
        sv->path[sv->len++] = '/';
    }
    memcpy(sv->path + sv->len, name, nlen + 1);
    sv->len += nlen;
}

static void path_pop(XsSaver *sv, size_t saved)
{
    sv->len = saved;
    sv->path[saved] = '\0';
}

static void save_node(XsSaver *sv, XsNode *n);

static void save_child_cb(XsNode *child, void *opaque)
{
    XsSaver *sv = opaque;
    size_t saved;

    path_push(sv, child->name, &saved);
    save_node(sv, child);
    path_pop(sv, saved);
}

static void save_node(XsSaver *sv, XsNode *n)
{
    put_node(sv->b, 0, 0, sv->path, n->perms, n->value, n->value_len, 0,
             n->gen, n->cgen, 0);
    xs_node_foreach_child(n, save_child_cb, sv);
}

static void save_txnode(XsSaver *sv, XsTransaction *tx, XsTxNode *t)
{
    bool present = t->state == XS_TX_PRESENT;
    uint16_t access = present ? XS_ACCESS_WRITTEN :
                      t->state == XS_TX_DELETED ? XS_ACCESS_DELETED :
                      XS_ACCESS_READ;
    bool own_perms = present && (t->own || t->perms_set);
    bool own_value = present && (t->own || t->value_set);
    uint32_t flags = (t->own ? XS_EXT_OWN : 0) |
                     (t->hide_committed ? XS_EXT_HIDE : 0) |
                     (t->changed ? XS_EXT_CHANGED : 0) |
                     (t->removed ? XS_EXT_REMOVED : 0) |
                     (t->touched ? XS_EXT_TOUCHED : 0) |
                     (t->value_set ? XS_EXT_VALUE_SET : 0) |
                     (t->perms_set ? XS_EXT_PERMS_SET : 0) |
                     (t->check_absent ? XS_EXT_CHECK_ABSENT : 0);

    put_node(sv->b, tx->dom_id + 1, tx->id, sv->path,
             own_perms ? t->perms : NULL, own_value ? t->value : NULL,
             own_value ? t->value_len : 0, access, 0, 0, flags);
    for (uint32_t i = 0; i < t->nr_kids; i++) {
        XsTxNode *c = t->kids[i];
        size_t saved;

        path_push(sv, c->name, &saved);
        save_txnode(sv, tx, c);
        path_pop(sv, saved);
    }
}

/*
 * The paths of the nodes transactions depend on: a transaction's
 * dependencies are saved by path, since a load builds new nodes.
 */
typedef struct XsDepPaths {
    XsSaver sv;
    GHashTable *paths;          /* XsNode * -> its path (or NULL) */
} XsDepPaths;

static void dep_paths_walk(XsDepPaths *dp, XsNode *n);

static void dep_paths_child(XsNode *child, void *opaque)
{
    XsDepPaths *dp = opaque;
    size_t saved;

    path_push(&dp->sv, child->name, &saved);
    dep_paths_walk(dp, child);
    path_pop(&dp->sv, saved);
}

static void dep_paths_walk(XsDepPaths *dp, XsNode *n)
{
    if (g_hash_table_contains(dp->paths, n)) {
        g_hash_table_insert(dp->paths, n, g_strdup(dp->sv.path));
    }
    xs_node_foreach_child(n, dep_paths_child, dp);
}

typedef struct XsSavedDep {
    const char *path;
    unsigned int kind;
} XsSavedDep;

static gint saved_dep_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(((const XsSavedDep *)a)->path,
                  ((const XsSavedDep *)b)->path);
}

static void save_deps(GByteArray *b, XsTransaction *tx, GHashTable *paths)
{
    g_autoptr(GArray) deps = g_array_new(false, false, sizeof(XsSavedDep));

    uint32_t count;
    XsTxDep *entries = xs_tx_deps_entries(&tx->deps, &count);

    for (uint32_t i = 0; i < count; i++) {
        XsTxDep *d = &entries[i];
        XsSavedDep sd;

        if (d->node) {
            sd.path = g_hash_table_lookup(paths, d->node);
            sd.kind = d->kind;
            g_array_append_val(deps, sd);
        }
    }
    g_array_sort(deps, saved_dep_cmp);
    for (guint i = 0; i < deps->len; i++) {
        XsSavedDep *sd = &g_array_index(deps, XsSavedDep, i);
        guint r = rec_begin(b, XS_REC_QEMU_TX_DEP);

        bs_put_le32(b, XS_REC_QEMU_VERSION);
        bs_put_le32(b, sd->kind);
        g_byte_array_append(b, (const uint8_t *)sd->path,
                            strlen(sd->path) + 1);
        rec_end(b, r);
    }
}

static void save_perms(GByteArray *b, const XsPerms *p)
{
    bs_put_le32(b, p->n);
    for (unsigned int i = 0; i < p->n; i++) {
        bs_put_le32(b, p->e[i].domid);
        bs_put_le32(b, p->e[i].perm);
    }
}

static gint cmp_uint(gconstpointer a, gconstpointer b)
{
    guint x = GPOINTER_TO_UINT(*(gpointer *)a);
    guint y = GPOINTER_TO_UINT(*(gpointer *)b);

    return x < y ? -1 : x > y;
}

/* For g_ptr_array_sort, which passes pointers to the elements. */
static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Keys of a table of uint keys, sorted, so that saving is deterministic. */
static GPtrArray *sorted_keys(GHashTable *h)
{
    GPtrArray *keys = g_ptr_array_new();
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init(&iter, h);
    while (g_hash_table_iter_next(&iter, &key, NULL)) {
        g_ptr_array_add(keys, key);
    }
    g_ptr_array_sort(keys, cmp_uint);
    return keys;
}

static void save_connections(XenstoreImplState *s, GByteArray *b,
                             GHashTable *conns)
{
    g_autoptr(GPtrArray) keys = sorted_keys(conns);

    for (guint i = 0; i < keys->len; i++) {
        unsigned int domid = GPOINTER_TO_UINT(keys->pdata[i]);
        XsDomain *d = xs_domain(&s->db->access, domid, false);
        guint r = rec_begin(b, XS_REC_CONNECTION_DATA);

        bs_put_le32(b, domid + 1);      /* conn_id */
        bs_put_le16(b, 0);              /* ring */
        bs_put_le16(b, 0);              /* fields */
        bs_put_le16(b, domid);
        bs_put_le16(b, d && d->target != DOMID_INVALID ? d->target : domid);
        bs_put_le32(b, 0);              /* event channel: the device's */
        bs_put_le16(b, 0);              /* in_len */
        bs_put_le16(b, 0);              /* out_resp_len */
        bs_put_le32(b, 0);              /* out_len */
        rec_end(b, r);
    }
}

static void save_watches(XenstoreImplState *s, GByteArray *b)
{
    g_autoptr(GPtrArray) paths = g_ptr_array_new();
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init(&iter, s->watches.watches);
    while (g_hash_table_iter_next(&iter, &key, NULL)) {
        g_ptr_array_add(paths, key);
    }
    g_ptr_array_sort(paths, cmp_str);
    for (guint i = 0; i < paths->len; i++) {
        GPtrArray *list = g_hash_table_lookup(s->watches.watches,
                                              paths->pdata[i]);

        for (guint j = 0; j < list->len; j++) {
            XsWatch *w = g_ptr_array_index(list, j);
            const char *given = w->wpath + w->rel_off;
            guint r;

            /* Privileged connections re-register their own watches. */
            if (w->dead || xs_is_privileged(&s->db->access, w->dom_id)) {
                continue;
            }
            r = rec_begin(b, XS_REC_WATCH_DATA_EXTENDED);
            bs_put_le32(b, w->dom_id + 1);
            bs_put_le16(b, strlen(given) + 1);
            bs_put_le16(b, w->token ? strlen(w->token) + 1 : 0);
            bs_put_le32(b, (uint32_t)w->depth);
            bs_put_le32(b, 0);
            g_byte_array_append(b, (const uint8_t *)given,
                                strlen(given) + 1);
            if (w->token) {
                g_byte_array_append(b, (const uint8_t *)w->token,
                                    strlen(w->token) + 1);
            }
            rec_end(b, r);
        }
    }
}

GByteArray *xs_impl_serialize(XenstoreImplState *s)
{
    GByteArray *b = g_byte_array_new();
    g_autoptr(GHashTable) conns = g_hash_table_new(NULL, NULL);
    g_autoptr(GPtrArray) doms = sorted_keys(s->db->access.domains);
    g_autoptr(GPtrArray) txids = sorted_keys(s->db->transactions);
    XsSaver *sv = g_new0(XsSaver, 1);
    XsDepPaths dp;
    GHashTableIter iter;
    gpointer value;
    guint r;

    trace_xenstore_impl_serialize();
    g_byte_array_append(b, (const uint8_t *)XS_STREAM_IDENT, 8);
    bs_put_be32(b, XS_STREAM_VERSION);
    bs_put_be32(b, 0);               /* flags: little-endian records */

    r = rec_begin(b, XS_REC_QEMU_STORE);
    bs_put_le32(b, XS_REC_QEMU_VERSION);
    bs_put_le32(b, s->db->guest_domid);
    bs_put_le64(b, s->db->snap.gen);
    bs_put_le32(b, s->db->next_tx_id);
    bs_put_le32(b, XS_QUOTA__MAX);
    for (int q = 0; q < XS_QUOTA__MAX; q++) {
        bs_put_le32(b, s->db->access.default_quota[q]);
    }
    rec_end(b, r);

    for (guint i = 0; i < doms->len; i++) {
        XsDomain *d = g_hash_table_lookup(s->db->access.domains,
                                          doms->pdata[i]);

        r = rec_begin(b, XS_REC_QEMU_DOMAIN);
        bs_put_le32(b, XS_REC_QEMU_VERSION);
        bs_put_le32(b, d->domid);
        bs_put_le32(b, (d->privileged ? 1 : 0) | (d->introduced ? 2 : 0) |
                   (d->has_features ? 4 : 0));
        bs_put_le32(b, d->features);
        bs_put_le32(b, d->target);
        bs_put_le32(b, d->quota_set);
        bs_put_le32(b, XS_QUOTA__MAX);
        for (int q = 0; q < XS_QUOTA__MAX; q++) {
            bs_put_le32(b, d->quota[q]);
        }
        rec_end(b, r);
    }

    for (int i = 0; i < XS_SPECIAL__MAX; i++) {
        r = rec_begin(b, XS_REC_QEMU_SPECIAL);
        bs_put_le32(b, XS_REC_QEMU_VERSION);
        bs_put_le32(b, i);
        save_perms(b, s->db->special_perms[i]);
        rec_end(b, r);
    }

    sv->b = b;
    strcpy(sv->path, "/");
    sv->len = 1;
    save_node(sv, s->db->root);

    /* Connections: one per domain with transactions or saved watches. */
    g_hash_table_iter_init(&iter, s->db->transactions);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        XsTransaction *tx = value;

        g_hash_table_add(conns, GUINT_TO_POINTER(tx->dom_id));
    }
    g_hash_table_iter_init(&iter, s->watches.watches);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        GPtrArray *list = value;

        for (guint j = 0; j < list->len; j++) {
            XsWatch *w = g_ptr_array_index(list, j);

            if (!w->dead && !xs_is_privileged(&s->db->access, w->dom_id)) {
                g_hash_table_add(conns, GUINT_TO_POINTER(w->dom_id));
            }
        }
    }
    save_connections(s, b, conns);
    save_watches(s, b);

    /*
     * A transaction whose answers all still hold is saved with its
     * changes and dependencies; after a load its snapshot is the loaded
     * store, which agrees with everything it depended on.  Any other is
     * saved doomed: its commit will answer EAGAIN.
     */
    dp.paths = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    for (guint i = 0; i < txids->len; i++) {
        XsTransaction *tx = g_hash_table_lookup(s->db->transactions,
                                                txids->pdata[i]);

        uint32_t count;
        XsTxDep *deps = xs_tx_deps_entries(&tx->deps, &count);

        for (uint32_t j = 0; xs_tx_valid(s->db, tx) && j < count; j++) {
            if (deps[j].node) {
                g_hash_table_insert(dp.paths, deps[j].node, NULL);
            }
        }
    }
    if (g_hash_table_size(dp.paths)) {
        strcpy(dp.sv.path, "/");
        dp.sv.len = 1;
        dep_paths_walk(&dp, s->db->root);
    }
    for (guint i = 0; i < txids->len; i++) {
        XsTransaction *tx = g_hash_table_lookup(s->db->transactions,
                                                txids->pdata[i]);
        bool valid = xs_tx_valid(s->db, tx);

        r = rec_begin(b, XS_REC_TRANSACTION_DATA);
        bs_put_le32(b, tx->dom_id + 1);
        bs_put_le32(b, tx->id);
        rec_end(b, r);
        r = rec_begin(b, XS_REC_QEMU_TX);
        bs_put_le32(b, XS_REC_QEMU_VERSION);
        bs_put_le32(b, tx->id);
        bs_put_le32(b, valid ? 0 : XS_TX_DOOMED);
        bs_put_le32(b, valid ? tx->nr_touched : 0);
        bs_put_le32(b, valid ? tx->nr_created : 0);
        rec_end(b, r);
        if (valid && tx->root) {
            strcpy(sv->path, "/");
            sv->len = 1;
            save_txnode(sv, tx, tx->root);
        }
        if (valid) {
            save_deps(b, tx, dp.paths);
        }
    }
    g_hash_table_destroy(dp.paths);

    rec_begin(b, XS_REC_END);
    g_free(sv);
    return b;
}
