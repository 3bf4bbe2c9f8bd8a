/*
 * Save and load of the XenStore database as a stream of records in the
 * layout of Xen's xenstore-migration format, plus versioned private
 * records for what that format cannot express (docs/interop/).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xenstore_impl_int.h"
#include "qemu/bytestream.h"
#include "trace.h"

#define XS_STREAM_IDENT "xenstore"
#define XS_STREAM_VERSION 1
#define XS_STREAM_FLAG_BE 1

enum {
    XS_REC_END = 0,
    XS_REC_CONNECTION_DATA = 2,
    XS_REC_TRANSACTION_DATA = 4,
    XS_REC_NODE_DATA = 5,
    XS_REC_WATCH_DATA_EXTENDED = 8,
    /* Private records: high bit set, body starts with its own version. */
    XS_REC_QEMU_STORE = 0x80000001,     /* counters, default quotas */
    XS_REC_QEMU_DOMAIN = 0x80000002,    /* one domain's settings */
    XS_REC_QEMU_SPECIAL = 0x80000003,   /* perms of an @ path */
    XS_REC_QEMU_NODE_EXT = 0x80000004,  /* follows each NODE_DATA */
    XS_REC_QEMU_TX = 0x80000005,        /* follows TRANSACTION_DATA */
    XS_REC_QEMU_TX_DEP = 0x80000006,    /* a dependency of that tx */
};
#define XS_REC_QEMU_VERSION 2

/* NODE_DATA access values, for transaction nodes */
#define XS_ACCESS_DELETED 0
#define XS_ACCESS_READ 1
#define XS_ACCESS_WRITTEN 2

/* NODE_EXT flags, of a transaction's shadow node */
#define XS_EXT_OWN 1
#define XS_EXT_HIDE 2
#define XS_EXT_CHANGED 4
#define XS_EXT_REMOVED 8
#define XS_EXT_TOUCHED 16
#define XS_EXT_VALUE_SET 32
#define XS_EXT_PERMS_SET 64
#define XS_EXT_CHECK_ABSENT 128
#define XS_EXT_ALL 255

/* QEMU_TX flags */
#define XS_TX_DOOMED 1


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

    for (int i = 0; i < 2; i++) {
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

/* ---- reading ---- */

/* A NUL-terminated string of exactly len bytes (len includes the NUL). */
static bool get_string(ByteReader *r, size_t len, const char **out)
{
    const uint8_t *x;

    if (len == 0 || !br_bytes(r, len, &x) || x[len - 1] != '\0' ||
        memchr(x, '\0', len - 1)) {
        return false;
    }
    *out = (const char *)x;
    return true;
}

/* The state being built from a stream: becomes the store on success. */
typedef struct XsLoad {
    XenstoreImplState *s;           /* new, private until swapped in */
    GHashTable *conns;              /* conn_id -> domid + 1 */
    XsTransaction *cur_tx;          /* of the last TRANSACTION_DATA */
    XsNode *last_node;              /* expects a NODE_EXT next */
    XsTxNode *last_txnode;
    bool want_ext;
    bool want_tx_ext;
    bool tx_ext_seen;               /* the QEMU_TX of cur_tx came */
    GPtrArray *watches;             /* XsWatch * to restore */
    GHashTable *domains_seen;
    uint64_t max_gen;
    uint64_t stream_gen;
} XsLoad;

static XsPerms *load_perms(ByteReader *r, uint32_t n)
{
    XsPerms *p;

    if (n == 0 || n > 0xffff) {
        return NULL;
    }
    p = g_malloc(sizeof(XsPerms) + n * sizeof(XsPermEntry));
    p->refcnt = 1;
    p->n = n;
    return p;
}

static int load_store(XsLoad *l, ByteReader *r)
{
    uint32_t ver, nquota, next_tx;
    XenstoreImplState *s = l->s;

    if (!br_u32(r, &ver) || ver != XS_REC_QEMU_VERSION ||
        !br_u32(r, &s->db->guest_domid) || !br_u64(r, &l->stream_gen) ||
        !br_u32(r, &next_tx) || !br_u32(r, &nquota) ||
        nquota != XS_QUOTA__MAX) {
        return EINVAL;
    }
    s->db->next_tx_id = next_tx;
    for (int q = 0; q < XS_QUOTA__MAX; q++) {
        if (!br_u32(r, &s->db->access.default_quota[q])) {
            return EINVAL;
        }
    }
    s->db->access.min_path_quota = MIN(s->db->access.min_path_quota,
                            s->db->access.default_quota[XS_QUOTA_PATH_MAX]);
    return 0;
}

static int load_domain(XsLoad *l, ByteReader *r)
{
    uint32_t ver, domid, flags, nquota;
    XsDomain *d;

    if (!br_u32(r, &ver) || ver != XS_REC_QEMU_VERSION ||
        !br_u32(r, &domid) || domid >= DOMID_FIRST_RESERVED ||
        !g_hash_table_add(l->domains_seen, GUINT_TO_POINTER(domid))) {
        return EINVAL;
    }
    d = xs_domain(&l->s->db->access, domid, true);
    if (!br_u32(r, &flags) || flags > 7 || !br_u32(r, &d->features) ||
        !br_u32(r, &d->target) || !br_u32(r, &d->quota_set) ||
        !br_u32(r, &nquota) || nquota != XS_QUOTA__MAX ||
        d->quota_set >= (1u << XS_QUOTA__MAX) ||
        (d->target >= DOMID_FIRST_RESERVED && d->target != DOMID_INVALID)) {
        return EINVAL;
    }
    d->privileged = flags & 1;
    d->introduced = flags & 2;
    d->has_features = flags & 4;
    for (int q = 0; q < XS_QUOTA__MAX; q++) {
        if (!br_u32(r, &d->quota[q])) {
            return EINVAL;
        }
    }
    if (d->quota_set & (1u << XS_QUOTA_PATH_MAX)) {
        l->s->db->access.min_path_quota = MIN(l->s->db->access.min_path_quota,
                                   d->quota[XS_QUOTA_PATH_MAX]);
    }
    return 0;
}

static int load_special(XsLoad *l, ByteReader *r)
{
    uint32_t ver, which, n;
    XsPerms *p;

    if (!br_u32(r, &ver) || ver != XS_REC_QEMU_VERSION ||
        !br_u32(r, &which) || which > 1 || !br_u32(r, &n)) {
        return EINVAL;
    }
    p = load_perms(r, n);
    if (!p) {
        return EINVAL;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t domid, perm;

        if (!br_u32(r, &domid) || !br_u32(r, &perm) ||
            domid >= DOMID_FIRST_RESERVED || perm > XS_PERM_BOTH) {
            g_free(p);
            return EINVAL;
        }
        p->e[i].domid = domid;
        p->e[i].perm = perm;
    }
    xs_perms_unref(l->s->db->special_perms[which]);
    l->s->db->special_perms[which] = p;
    return 0;
}

/* Split a canonical path into its parent's node and the last name. */
static XsNode *load_find_parent(XenstoreImplState *s, const char *path,
                                const char **name)
{
    XsNode *n = s->db->root;
    const char *c = path + 1;
    size_t len;

    for (;;) {
        xs_path_next(c, &len);
        if (!c[len]) {
            *name = c;
            return n;
        }
        n = xs_node_child(n, c, len);
        if (!n) {
            return NULL;
        }
        c += len + 1;
    }
}

static int load_node(XsLoad *l, ByteReader *r)
{
    XenstoreImplState *s = l->s;
    uint32_t conn_id, tx_id;
    uint16_t plen, vlen, access, nperms;
    const uint8_t *value;
    const char *path, *name;
    g_autofree XsPerms *perms = NULL;
    XsPath canon;

    if (!br_u32(r, &conn_id) || !br_u32(r, &tx_id) ||
        !br_u16(r, &plen) || !br_u16(r, &vlen) ||
        !br_u16(r, &access) || !br_u16(r, &nperms)) {
        return EINVAL;
    }
    if (nperms) {
        perms = load_perms(r, nperms);
        for (uint16_t i = 0; i < nperms; i++) {
            uint8_t letter, flags;
            uint16_t domid;
            static const char letters[] = "nrwb";
            const char *pos;

            if (!br_u8(r, &letter) || !br_u8(r, &flags) ||
                !br_u16(r, &domid) || !letter ||
                !(pos = strchr(letters, letter)) ||
                domid >= DOMID_FIRST_RESERVED) {
                return EINVAL;
            }
            perms->e[i].perm = pos - letters;
            perms->e[i].domid = domid;
        }
    }
    if (!get_string(r, plen, &path) || !br_bytes(r, vlen, &value) ||
        path[0] != '/' ||
        xs_path_resolve(&s->db->access, DOMID_QEMU, path, false, &canon) ||
        strcmp(canon.buf, path)) {
        return EINVAL;
    }

    if (conn_id == 0 && tx_id == 0) {
        XsNode *parent, *n;

        if (!perms || access != 0 || l->cur_tx) {
            return EINVAL;
        }
        if (!strcmp(path, "/")) {
            /* The root comes first and replaces the empty one. */
            if (s->db->root->children || s->db->root->value_len ||
                l->last_node) {
                return EINVAL;
            }
            n = s->db->root;
            xs_account_node(&s->db->access, n->perms, -1);
            xs_perms_unref(n->perms);
            n->perms = g_steal_pointer(&perms);
            xs_account_node(&s->db->access, n->perms, 1);
            xs_node_set_value(n, value, vlen);
        } else {
            size_t nlen;

            parent = load_find_parent(s, path, &name);
            if (!parent) {
                return EINVAL;
            }
            nlen = strlen(name);
            if (xs_node_child(parent, name, nlen)) {
                return EINVAL;
            }
            n = xs_node_new(name, nlen, g_steal_pointer(&perms), value,
                            vlen, 0);
            xs_node_link_child(parent, n);
            xs_account_node(&s->db->access, n->perms, 1);
        }
        l->last_node = n;
        l->want_ext = true;
        return 0;
    }

    /* A node of the transaction announced last. */
    {
        XsTransaction *tx = l->cur_tx;
        XsTxNode *t, *parent;

        if (!tx || tx->id != tx_id || conn_id != tx->dom_id + 1 ||
            tx->doomed || access > XS_ACCESS_WRITTEN ||
            (access != XS_ACCESS_WRITTEN && (vlen || perms))) {
            return EINVAL;
        }
        if (!strcmp(path, "/")) {
            if (tx->root) {
                return EINVAL;
            }
            t = tx->root = xs_txnode_new("", 0);
        } else {
            const char *c = path + 1;
            size_t len;

            /* Pre-order, sorted: ancestors are the last children added. */
            parent = tx->root;
            for (;;) {
                xs_path_next(c, &len);
                if (!parent) {
                    return EINVAL;
                }
                if (!c[len]) {
                    break;
                }
                parent = parent->nr_kids ?
                         parent->kids[parent->nr_kids - 1] : NULL;
                if (parent && xs_name_cmp(c, len, parent->name)) {
                    return EINVAL;
                }
                c += len + 1;
            }
            if (parent->nr_kids &&
                xs_name_cmp(c, len,
                            parent->kids[parent->nr_kids - 1]->name) <= 0) {
                return EINVAL;
            }
            t = xs_txnode_new(c, len);
            xs_txnode_insert(parent, parent->nr_kids, t);
        }
        t->state = access == XS_ACCESS_WRITTEN ? XS_TX_PRESENT :
                   access == XS_ACCESS_DELETED ? XS_TX_DELETED : XS_TX_SAME;
        t->perms = g_steal_pointer(&perms);
        if (vlen) {
            t->value = g_memdup2(value, vlen);
            t->value_len = vlen;
        }
        xs_snap_charge(&tx->hold, sizeof(XsTxNode) + strlen(t->name) + 1 +
                     2 * sizeof(XsTxNode *) + vlen);
        l->last_txnode = t;
        l->want_tx_ext = true;
        return 0;
    }
}

static int load_node_ext(XsLoad *l, ByteReader *r)
{
    uint32_t ver, flags;
    uint64_t gen, cgen;

    if (!br_u32(r, &ver) || ver != XS_REC_QEMU_VERSION ||
        !br_u32(r, &flags) || !br_u64(r, &gen) || !br_u64(r, &cgen)) {
        return EINVAL;
    }
    if (l->want_ext) {
        if (flags || !gen || !cgen || cgen > gen) {
            return EINVAL;
        }
        l->last_node->gen = gen;
        l->last_node->cgen = cgen;
        l->want_ext = false;
    } else if (l->want_tx_ext) {
        XsTxNode *t = l->last_txnode;
        bool present = t->state == XS_TX_PRESENT;
        bool own_perms = flags & (XS_EXT_OWN | XS_EXT_PERMS_SET);
        bool own_value = flags & (XS_EXT_OWN | XS_EXT_VALUE_SET);

        if (flags & ~XS_EXT_ALL || gen || cgen ||
            (!present && flags & (XS_EXT_OWN | XS_EXT_VALUE_SET |
                                  XS_EXT_PERMS_SET)) ||
            (present && own_perms != (t->perms != NULL)) ||
            (!own_value && t->value_len)) {
            return EINVAL;
        }
        t->own = flags & XS_EXT_OWN;
        t->hide_committed = flags & XS_EXT_HIDE;
        t->changed = flags & XS_EXT_CHANGED;
        t->removed = flags & XS_EXT_REMOVED;
        t->touched = flags & XS_EXT_TOUCHED;
        t->value_set = flags & XS_EXT_VALUE_SET;
        t->perms_set = flags & XS_EXT_PERMS_SET;
        t->check_absent = flags & XS_EXT_CHECK_ABSENT;
        l->want_tx_ext = false;
        return 0;
    } else {
        return EINVAL;
    }
    if (gen > l->max_gen) {
        l->max_gen = gen;
    }
    return 0;
}

/* A dependency of the transaction announced last, on a loaded node. */
static int load_tx_dep(XsLoad *l, ByteReader *r)
{
    XenstoreImplState *s = l->s;
    XsTransaction *tx = l->cur_tx;
    uint32_t ver, kind;
    const char *path;
    XsNode *n = s->db->root;
    XsPath canon;

    if (!tx || tx->doomed || !br_u32(r, &ver) ||
        ver != XS_REC_QEMU_VERSION || !br_u32(r, &kind) || !kind ||
        kind > (XS_DEP_CONTENT | XS_DEP_ALL) ||
        !get_string(r, r->len - r->off, &path) || path[0] != '/' ||
        xs_path_resolve(&s->db->access, DOMID_QEMU, path, false, &canon) ||
        strcmp(canon.buf, path)) {
        return EINVAL;
    }
    for (const char *c = path + 1; *c && n;) {
        size_t len;

        xs_path_next(c, &len);
        n = xs_node_child(n, c, len);
        c += len + (c[len] == '/');
    }
    if (!n || xs_tx_dep_kind(tx, n)) {
        return EINVAL;
    }
    return xs_tx_dep_add(s->db, tx, n, kind);
}

static int load_connection(XsLoad *l, ByteReader *r)
{
    uint32_t conn_id, evtchn, out_len;
    uint16_t type, fields, domid, target, in_len, out_resp_len;

    if (!br_u32(r, &conn_id) || !br_u16(r, &type) ||
        !br_u16(r, &fields) || !br_u16(r, &domid) ||
        !br_u16(r, &target) || !br_u32(r, &evtchn) ||
        !br_u16(r, &in_len) || !br_u16(r, &out_resp_len) ||
        !br_u32(r, &out_len)) {
        return EINVAL;
    }
    /* The database saves no connection buffers: those are the device's. */
    if (type != 0 || in_len || out_len || out_resp_len ||
        domid >= DOMID_FIRST_RESERVED || conn_id != (uint32_t)domid + 1 ||
        g_hash_table_contains(l->conns, GUINT_TO_POINTER(conn_id))) {
        return EINVAL;
    }
    g_hash_table_add(l->conns, GUINT_TO_POINTER(conn_id));
    return 0;
}

static int load_watch(XsLoad *l, ByteReader *r)
{
    uint32_t conn_id, depth, pad;
    uint16_t wlen, tlen;
    const char *wpath, *token = NULL;
    XsWatch *w;
    XsPath p;

    if (!br_u32(r, &conn_id) || !br_u16(r, &wlen) ||
        !br_u16(r, &tlen) || !br_u32(r, &depth) || !br_u32(r, &pad) ||
        !get_string(r, wlen, &wpath) ||
        (tlen && !get_string(r, tlen, &token)) ||
        !g_hash_table_contains(l->conns, GUINT_TO_POINTER(conn_id)) ||
        (depth != UINT32_MAX && depth > XENSTORE_ABS_PATH_MAX) ||
        xs_path_check(&l->s->db->access, conn_id - 1, wpath, true, &p)) {
        return EINVAL;
    }
    w = g_new0(XsWatch, 1);
    w->dom_id = conn_id - 1;
    w->wpath = g_strdup(p.buf);
    w->token = g_strdup(token);
    w->depth = depth == UINT32_MAX ? -1 : (int)depth;
    w->rel_off = p.rel_off;
    g_ptr_array_add(l->watches, w);
    return 0;
}

static int load_transaction(XsLoad *l, ByteReader *r, bool ext)
{
    XenstoreImplState *s = l->s;
    uint32_t conn_id, tx_id, ver, flags;
    XsTransaction *tx;

    if (!ext) {
        if (!br_u32(r, &conn_id) || !br_u32(r, &tx_id) ||
            tx_id == XBT_NULL ||
            !g_hash_table_contains(l->conns, GUINT_TO_POINTER(conn_id)) ||
            g_hash_table_contains(s->db->transactions,
                                  GUINT_TO_POINTER(tx_id))) {
            return EINVAL;
        }
        tx = xs_tx_new(s->db, conn_id - 1, tx_id);
        g_hash_table_insert(s->db->transactions, GUINT_TO_POINTER(tx_id), tx);
        xs_domain(&s->db->access, tx->dom_id, true)->nr_txs++;
        l->cur_tx = tx;
        l->tx_ext_seen = false;
        return 0;
    }
    tx = l->cur_tx;
    if (!tx || l->tx_ext_seen || !br_u32(r, &ver) ||
        ver != XS_REC_QEMU_VERSION || !br_u32(r, &tx_id) ||
        tx_id != tx->id || !br_u32(r, &flags) || flags & ~XS_TX_DOOMED ||
        !br_u32(r, &tx->nr_touched) || !br_u32(r, &tx->nr_created)) {
        return EINVAL;
    }
    l->tx_ext_seen = true;
    if (flags & XS_TX_DOOMED) {
        if (tx->nr_touched || tx->nr_created) {
            return EINVAL;
        }
        xs_tx_doom(s->db, tx);
    }
    return 0;
}

static int load_record(XsLoad *l, uint32_t type, ByteReader *r)
{
    if ((l->want_ext || l->want_tx_ext) && type != XS_REC_QEMU_NODE_EXT) {
        return EINVAL;
    }
    switch (type) {
    case XS_REC_QEMU_STORE:
        return load_store(l, r);
    case XS_REC_QEMU_DOMAIN:
        return load_domain(l, r);
    case XS_REC_QEMU_SPECIAL:
        return load_special(l, r);
    case XS_REC_NODE_DATA:
        return load_node(l, r);
    case XS_REC_QEMU_NODE_EXT:
        return load_node_ext(l, r);
    case XS_REC_CONNECTION_DATA:
        return load_connection(l, r);
    case XS_REC_WATCH_DATA_EXTENDED:
        return load_watch(l, r);
    case XS_REC_TRANSACTION_DATA:
        return load_transaction(l, r, false);
    case XS_REC_QEMU_TX:
        return load_transaction(l, r, true);
    case XS_REC_QEMU_TX_DEP:
        return load_tx_dep(l, r);
    default:
        /* Records we do not know carry state we would lose: refuse. */
        return EINVAL;
    }
}

static int load_stream(XsLoad *l, const uint8_t *bytes, size_t len)
{
    ByteReader hdr = { .p = bytes, .len = len, .big_endian = true };
    uint32_t version, flags;
    const uint8_t *ident;

    if (!br_bytes(&hdr, 8, &ident) || memcmp(ident, XS_STREAM_IDENT, 8) ||
        !br_u32(&hdr, &version) || version != XS_STREAM_VERSION ||
        !br_u32(&hdr, &flags) || (flags & ~XS_STREAM_FLAG_BE)) {
        return EINVAL;
    }
    for (size_t off = hdr.off;;) {
        ByteReader r = { .p = bytes, .len = len, .off = off,
                       .big_endian = flags & XS_STREAM_FLAG_BE };
        uint32_t type, rlen;
        size_t padded;
        int err;

        if (!br_u32(&r, &type) || !br_u32(&r, &rlen)) {
            return EINVAL;
        }
        if (type == XS_REC_END) {
            return rlen == 0 && r.off == len ? 0 : EINVAL;
        }
        padded = ((size_t)rlen + 7) & ~(size_t)7;
        if (len - r.off < padded) {
            return EINVAL;
        }
        /* Each record is read on its own, within its length only. */
        r.len = r.off + rlen;
        err = load_record(l, type, &r);
        if (err) {
            return err;
        }
        if (r.off != r.len) {
            return EINVAL;
        }
        off = r.off + (padded - rlen);
    }
}

/* Counts that the stream does not carry, rebuilt from what it does. */
static int load_finish(XsLoad *l)
{
    XenstoreImplState *s = l->s;

    if (l->want_ext || l->want_tx_ext || !s->db->root->gen) {
        return EINVAL;
    }
    s->db->snap.gen = MAX(l->stream_gen, l->max_gen);
    /* Loaded transactions see the loaded store. */
    for (XsSnapHolder *h = s->db->snap.oldest; h; h = h->newer) {
        h->start = s->db->snap.gen;
    }
    return 0;
}

static void free_loaded_watches(GPtrArray *watches)
{
    for (guint i = 0; i < watches->len; i++) {
        XsWatch *w = g_ptr_array_index(watches, i);

        if (!w) {
            continue;       /* restored */
        }
        g_free(w->wpath);
        g_free(w->token);
        g_free(w);
    }
    g_ptr_array_free(watches, true);
}

int xs_impl_deserialize(XenstoreImplState *s, GByteArray *bytes,
                        unsigned int dom_id, xs_impl_watch_fn watch_fn,
                        void *watch_opaque)
{
    XsLoad l = { 0 };
    int err;

    if (s->watches.firing) {
        return EBUSY;
    }
    trace_xenstore_impl_deserialize(bytes->len);
    l.s = xs_impl_create(dom_id);
    /* Start from an empty tree: the stream brings every node. */
    xs_node_drop_tree(&l.s->db->access, l.s->db->root);
    l.s->db->root = xs_node_new("", 0,
                                xs_perms_ref(l.s->db->special_perms[0]),
                                NULL, 0, 0);
    xs_account_node(&l.s->db->access, l.s->db->root->perms, 1);
    l.conns = g_hash_table_new(NULL, NULL);
    l.domains_seen = g_hash_table_new(NULL, NULL);
    l.watches = g_ptr_array_new();

    err = load_stream(&l, bytes->data, bytes->len);
    if (!err) {
        err = load_finish(&l);
    }
    g_hash_table_destroy(l.conns);
    g_hash_table_destroy(l.domains_seen);
    if (err) {
        free_loaded_watches(l.watches);
        xs_impl_destroy(l.s);
        return err;
    }

    /*
     * The loaded domain's watches come from the stream; other
     * connections' watches stay, and fire once since the tree changed
     * under them.
     */
    xs_watch_drop_domain(&s->watches, dom_id);
    xs_impl_swap_db(s, l.s);
    xs_impl_destroy(l.s);
    xs_watch_recount(&s->watches);
    xs_watch_fire_all(&s->watches);
    for (guint i = 0; i < l.watches->len; i++) {
        XsWatch *w = g_ptr_array_index(l.watches, i);

        if (w->dom_id == dom_id) {
            l.watches->pdata[i] = NULL;
            xs_watch_restore(&s->watches, w, watch_fn, watch_opaque);
        }
    }
    free_loaded_watches(l.watches);
    return 0;
}
