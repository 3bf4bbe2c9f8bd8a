/*
 * Load of the XenStore database from its saved stream (written by
 * xenstore_impl_save.c): a new saved state is built and checked whole,
 * then replaces the store's at once.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xenstore_impl_int.h"
#include "xenstore_impl_stream.h"
#include "qemu/bytestream.h"
#include "trace.h"

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
        !br_u32(r, &which) || which >= XS_SPECIAL__MAX ||
        !br_u32(r, &n)) {
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

/* Read the whole stream into l->s; on error say where. */
static bool load_stream(XsLoad *l, const uint8_t *bytes, size_t len,
                        Error **errp)
{
    ByteReader hdr = { .p = bytes, .len = len, .big_endian = true };
    uint32_t version, flags;
    const uint8_t *ident;
    unsigned int nr = 0;

    if (!br_bytes(&hdr, 8, &ident) || memcmp(ident, XS_STREAM_IDENT, 8) ||
        !br_u32(&hdr, &version) || version != XS_STREAM_VERSION ||
        !br_u32(&hdr, &flags) || (flags & ~XS_STREAM_FLAG_BE)) {
        error_setg(errp, "not a xenstore stream of version %u",
                   XS_STREAM_VERSION);
        return false;
    }
    for (size_t off = hdr.off;; nr++) {
        ByteReader r = { .p = bytes, .len = len, .off = off,
                       .big_endian = flags & XS_STREAM_FLAG_BE };
        uint32_t type, rlen;
        size_t padded;

        if (!br_u32(&r, &type) || !br_u32(&r, &rlen)) {
            error_setg(errp, "the store stream ends inside record %u "
                       "(offset %zu) without an END record", nr, off);
            return false;
        }
        if (type == XS_REC_END) {
            if (rlen != 0 || r.off != len) {
                error_setg(errp, "the store stream has %zu bytes after "
                           "its END record (offset %zu)", len - r.off,
                           off);
                return false;
            }
            return true;
        }
        padded = ((size_t)rlen + 7) & ~(size_t)7;
        if (len - r.off < padded) {
            error_setg(errp, "store stream record %u (type 0x%x, offset "
                       "%zu) is cut short", nr, type, off);
            return false;
        }
        /* Each record is read on its own, within its length only. */
        r.len = r.off + rlen;
        if (load_record(l, type, &r) || r.off != r.len) {
            error_setg(errp, "store stream record %u (type 0x%x, offset "
                       "%zu) is malformed or does not fit the records "
                       "before it", nr, type, off);
            return false;
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

bool xs_impl_load(XenstoreImplState *s, const uint8_t *bytes, size_t len,
                  unsigned int dom_id, xs_impl_watch_fn watch_fn,
                  void *watch_opaque, Error **errp)
{
    XsLoad l = { 0 };
    bool ok;

    if (s->watches.firing) {
        error_setg(errp, "cannot load the store from a watch callback");
        return false;
    }
    trace_xenstore_impl_deserialize(len);
    l.s = xs_impl_create(dom_id);
    /* Start from an empty tree: the stream brings every node. */
    xs_node_drop_tree(&l.s->db->access, l.s->db->root);
    l.s->db->root = xs_node_new("", 0, xs_perms_dom0_none(), NULL, 0, 0);
    xs_account_node(&l.s->db->access, l.s->db->root->perms, 1);
    l.conns = g_hash_table_new(NULL, NULL);
    l.domains_seen = g_hash_table_new(NULL, NULL);
    l.watches = g_ptr_array_new();

    ok = load_stream(&l, bytes, len, errp);
    if (ok && load_finish(&l)) {
        error_setg(errp, "the store stream is incomplete (no root node, "
                   "or a node without its extension record)");
        ok = false;
    }
    g_hash_table_destroy(l.conns);
    g_hash_table_destroy(l.domains_seen);
    if (!ok) {
        free_loaded_watches(l.watches);
        xs_impl_destroy(l.s);
        return false;
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
    return true;
}

int xs_impl_deserialize(XenstoreImplState *s, GByteArray *bytes,
                        unsigned int dom_id, xs_impl_watch_fn watch_fn,
                        void *watch_opaque)
{
    g_autoptr(Error) err = NULL;

    if (s->watches.firing) {
        return EBUSY;
    }
    return xs_impl_load(s, bytes->data, bytes->len, dom_id, watch_fn,
                        watch_opaque, &err) ? 0 : EINVAL;
}
