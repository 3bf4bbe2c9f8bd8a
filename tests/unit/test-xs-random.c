/*
 * Randomized test of the XenStore database against a reference model
 * written independently here: a flat table path -> (value, perms), with
 * per-transaction overlays.  Every call's result and watch events must
 * match the model's.  XS_RANDOM_SEED (a number, or "random") and
 * XS_RANDOM_STEPS choose a run; the default seed is fixed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "xenstore_impl.h"

#define NDOMS 4                 /* 0 privileged; 1-3 guests */
#define NCONNS 5                /* two connections for dom 0 */
#define MAX_DOMID 8             /* introduce/release use domains 1-7 */
#define MAX_PERMS 8
#define VALUE_MAX 65535         /* larger values: E2BIG */
#define ROUND_TRIP_EVERY 2000
#define HISTORY 24              /* calls printed on a mismatch */

static const unsigned int conn_dom[NCONNS] = { 0, 0, 1, 2, 3 };

/* ---- the model ---- */

typedef struct MPerms {
    unsigned int n;
    struct {
        uint8_t perm;           /* XS_PERM_* */
        unsigned int dom;
    } e[MAX_PERMS];
} MPerms;

typedef struct MNode {
    GByteArray *value;
    MPerms perms;
    uint64_t ver;               /* model generation: changes on any change */
} MNode;

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

typedef struct MTx {
    xs_transaction_t id;        /* as the store gave it */
    unsigned int dom;
    GHashTable *shadow;         /* path -> MShadow */
    unsigned int nr_created;
    unsigned int nr_touched;    /* read or changed nodes */
    bool removed_some;          /* has hidden a committed subtree */
} MTx;

typedef struct MWatch {
    unsigned int dom;
    int conn;
    char *canon;
    char *token;
    int depth;
    size_t rel_off;
} MWatch;

typedef struct Model {
    GHashTable *nodes;          /* canonical path -> MNode */
    uint64_t ver;
    GPtrArray *txs;             /* MTx, open */
    GPtrArray *watches;         /* MWatch, in registration order */
    bool introduced[MAX_DOMID];
    unsigned int target[NDOMS];
    unsigned int quota[NDOMS][XS_QUOTA__MAX];
    MPerms special[2];
    GPtrArray *events;          /* expected "conn|path|token" */
} Model;

/* ---- the run ---- */

typedef struct Conn {
    int index;
    GPtrArray *events;          /* seen "conn|path|token" */
} Conn;

typedef struct Run {
    GRand *rand;
    guint32 seed;
    uint64_t step;
    XenstoreImplState *s;
    Model m;
    Conn conns[NCONNS];
    GPtrArray *seen;            /* events of the current call */
    GHashTable *gen_seen;       /* path -> "ver gen" last compared */
    GHashTable *ended;          /* ids of ended transactions (stale) */
    char *history[HISTORY];
    char *op;                   /* description of the current call */
    bool failed;
    bool verbose;               /* XS_RANDOM_VERBOSE: print every call */
    int last_ret;               /* the store's answer to the last call */
    /* How often each call got each answer: shows what the run covered. */
    unsigned int stats[17][128];
} Run;

static const char *const op_names[] = {
    "read", "write", "mkdir", "rm", "directory", "get_perms", "set_perms",
    "transaction_start", "commit", "abort", "watch", "unwatch",
    "reset_watches", "unwatch_all", "introduce_domain", "release_domain",
    "set_quota",
};

static const char *const errnames[] = {
    [0] = "OK", [EINVAL] = "EINVAL", [EACCES] = "EACCES",
    [EEXIST] = "EEXIST", [EISDIR] = "EISDIR", [ENOENT] = "ENOENT",
    [ENOMEM] = "ENOMEM", [ENOSPC] = "ENOSPC", [EIO] = "EIO",
    [ENOTEMPTY] = "ENOTEMPTY", [ENOSYS] = "ENOSYS", [EROFS] = "EROFS",
    [EBUSY] = "EBUSY", [EAGAIN] = "EAGAIN", [EISCONN] = "EISCONN",
    [E2BIG] = "E2BIG", [EPERM] = "EPERM",
};

static const char *errname(int e)
{
    if (e >= 0 && e < (int)ARRAY_SIZE(errnames) && errnames[e]) {
        return errnames[e];
    }
    return "(unknown errno)";
}

static void mismatch(Run *r, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void mismatch(Run *r, const char *fmt, ...)
{
    g_autofree char *msg = NULL;
    va_list ap;

    if (r->failed) {
        return;
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    r->failed = true;
    g_test_message("MISMATCH seed %u step %" PRIu64 ": %s", r->seed,
                   r->step, r->op ? r->op : "(set-up)");
    g_test_message("  %s", msg);
    g_test_message("  reproduce: XS_RANDOM_SEED=%u XS_RANDOM_STEPS=%"
                   PRIu64, r->seed, r->step + 1);
    g_test_message("  previous calls, oldest first:");
    for (int i = 1; i <= HISTORY; i++) {
        const char *h = r->history[(r->step + i) % HISTORY];

        if (h) {
            g_test_message("    %s", h);
        }
    }
    g_test_fail();
}

static void check_ret(Run *r, int got, int want)
{
    r->last_ret = got;
    if (got != want) {
        mismatch(r, "returned %s, model says %s", errname(got),
                 errname(want));
    }
}

/* ---- model helpers: paths ---- */

static bool is_privileged(unsigned int dom)
{
    return dom == 0;
}

static char *parent_of(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash == path ? g_strdup("/") : g_strndup(path, slash - path);
}

/* Is a an ancestor of (or equal to) b? */
static bool path_covers(const char *a, const char *b)
{
    size_t la = strlen(a);

    if (!strcmp(a, "/")) {
        return b[0] == '/';
    }
    return !strncmp(a, b, la) && (b[la] == '\0' || b[la] == '/');
}

static bool path_strictly_inside(const char *inner, const char *outer)
{
    size_t lo = strlen(outer);

    return !strncmp(inner, outer, lo) && inner[lo] == '/';
}

static unsigned int path_depth(const char *p)
{
    unsigned int n = 0;

    if (p[0] != '/' || !p[1]) {
        return 0;
    }
    for (; *p; p++) {
        n += *p == '/';
    }
    return n;
}

static bool path_byte_ok(unsigned char c)
{
    return g_ascii_isalnum(c) || c == '-' || c == '/' || c == '_' ||
           c == '@';
}

/* Bytes counted against the relative limits: after /local/domain/<N>/. */
static size_t rel_part_len(const char *canon)
{
    static const char prefix[] = "/local/domain/";
    const char *p;

    if (strncmp(canon, prefix, strlen(prefix))) {
        return strlen(canon);
    }
    p = canon + strlen(prefix);
    if (!g_ascii_isdigit(*p)) {
        return strlen(canon);
    }
    while (g_ascii_isdigit(*p)) {
        p++;
    }
    return *p == '/' ? strlen(p + 1) : strlen(canon);
}

/*
 * The spec's path rules (section 2 and the decided semantics): returns
 * the canonical form in *canon and how many bytes a relative watch strips.
 */
static int model_resolve(Model *m, unsigned int dom, const char *path,
                         bool allow_special, char **canon, size_t *rel_off)
{
    g_autofree char *c = NULL;
    size_t len;

    *canon = NULL;
    *rel_off = 0;
    if (!path || !*path) {
        return EINVAL;
    }
    if (path[0] == '@') {
        if (!allow_special || !path[1]) {
            return EINVAL;
        }
        c = g_strdup(path);
    } else if (path[0] == '/') {
        c = g_strdup(path);
    } else {
        c = g_strdup_printf("/local/domain/%u/%s", dom, path);
        *rel_off = strlen(c) - strlen(path);
    }
    len = strlen(c);
    for (size_t i = 0; i < len; i++) {
        if (!path_byte_ok(c[i]) || (c[i] == '/' && c[i + 1] == '/')) {
            return EINVAL;
        }
    }
    if (len > 1 && c[len - 1] == '/') {
        return EINVAL;
    }
    if (len > 3072 || rel_part_len(c) > 2048) {
        return EINVAL;
    }
    if (!is_privileged(dom) &&
        rel_part_len(c) > m->quota[dom][XS_QUOTA_PATH_MAX]) {
        return E2BIG;
    }
    *canon = g_steal_pointer(&c);
    return 0;
}

/* ---- model helpers: permissions ---- */

static unsigned int perm_of(Model *m, const MPerms *p, unsigned int dom)
{
    if (is_privileged(dom) || p->e[0].dom == dom ||
        (dom < NDOMS && m->target[dom] != DOMID_INVALID &&
         p->e[0].dom == m->target[dom])) {
        return XS_PERM_BOTH;
    }
    for (unsigned int i = 1; i < p->n; i++) {
        if (p->e[i].dom == dom) {
            return p->e[i].perm;
        }
    }
    return p->e[0].perm;
}

static bool can_read(Model *m, const MPerms *p, unsigned int dom)
{
    return perm_of(m, p, dom) & XS_PERM_READ;
}

static bool can_write(Model *m, const MPerms *p, unsigned int dom)
{
    return perm_of(m, p, dom) & XS_PERM_WRITE;
}

static MPerms perms_for_new_node(const MPerms *parent, unsigned int dom)
{
    MPerms p = *parent;

    if (!is_privileged(dom)) {
        p.e[0].dom = dom;
    }
    return p;
}

static char *perm_string(uint8_t perm, unsigned int dom)
{
    return g_strdup_printf("%c%u", "nrwb"[perm & 3], dom);
}

/* "r1": letter n/r/w/b, 1-5 decimal digits, a domid below 0x7FF0. */
static bool parse_perm(const char *s, uint8_t *perm, unsigned int *dom)
{
    const char *letters = "nrwb";
    const char *pos = s[0] ? strchr(letters, s[0]) : NULL;
    size_t ndigits = strlen(s + (s[0] != 0));
    unsigned long v;

    if (!pos || ndigits < 1 || ndigits > 5) {
        return false;
    }
    for (const char *d = s + 1; *d; d++) {
        if (!g_ascii_isdigit(*d)) {
            return false;
        }
    }
    v = strtoul(s + 1, NULL, 10);
    if (v >= DOMID_FIRST_RESERVED) {
        return false;
    }
    *perm = pos - letters;
    *dom = v;
    return true;
}

static bool parse_perm_list(GList *list, MPerms *out)
{
    out->n = 0;
    if (!list) {
        return false;
    }
    for (GList *l = list; l; l = l->next) {
        g_assert(out->n < MAX_PERMS);
        if (!parse_perm(l->data, &out->e[out->n].perm,
                        &out->e[out->n].dom)) {
            return false;
        }
        out->n++;
    }
    return true;
}

static uint32_t node_size(const MPerms *p, size_t value_len,
                          size_t child_bytes)
{
    return 16 + 8 * p->n + value_len + child_bytes;
}

/* ---- model helpers: committed nodes ---- */

static MNode *committed(Model *m, const char *path)
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
    bump(m, committed(m, parent));
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
    bump(m, committed(m, parent));
}

static gint cmp_strp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the committed children of path. */
static GPtrArray *committed_children(Model *m, const char *path)
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
    g_ptr_array_sort(names, cmp_strp);
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

static unsigned int owned_by(Model *m, unsigned int dom)
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

/* ---- model: watch events ---- */

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

/* ---- model: transactions ---- */

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
        return committed(m, path);
    }
    pre = prefixes(path);
    for (guint i = 0; i + 1 < pre->len; i++) {
        MShadow *sh = shadow_at(tx, pre->pdata[i]);

        if (sh && sh->hide) {
            return NULL;
        }
    }
    return committed(m, path);
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
    GPtrArray *names = committed_children(m, path);
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
    g_ptr_array_sort(names, cmp_strp);
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
    MNode *n = committed(m, canon);
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
        MNode *n = committed(m, key);

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
        MNode *pn = parent ? committed(m, parent) : NULL;
        MNode *n = committed(m, path);

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

/* ---- comparing results ---- */

/* Printable form of len bytes (at most max), for messages. */
static char *escape_bytes(const uint8_t *data, size_t len, size_t max)
{
    g_autofree char *raw = g_strndup(len ? (const char *)data : "",
                                     MIN(len, max));
    g_autofree char *esc = g_strescape(raw, NULL);

    return g_strdup_printf("%zu bytes \"%s\"%s", len, esc,
                           len > max ? "..." : "");
}

static void check_bytes(Run *r, GByteArray *got, const GByteArray *want)
{
    if (got->len != want->len ||
        (got->len && memcmp(got->data, want->data, got->len))) {
        g_autofree char *g = escape_bytes(got->data, got->len, 64);
        g_autofree char *w = escape_bytes(want->data, want->len, 64);

        mismatch(r, "value %s, model %s", g, w);
    }
}

static char *join_list(GList *l)
{
    GString *s = g_string_new("[");

    for (; l; l = l->next) {
        g_string_append_printf(s, "%s%s", (char *)l->data,
                               l->next ? " " : "");
    }
    g_string_append_c(s, ']');
    return g_string_free(s, false);
}

static char *join_array(GPtrArray *a)
{
    GString *s = g_string_new("[");

    for (guint i = 0; i < a->len; i++) {
        g_string_append_printf(s, "%s%s", (char *)a->pdata[i],
                               i + 1 < a->len ? " " : "");
    }
    g_string_append_c(s, ']');
    return g_string_free(s, false);
}

static void check_list(Run *r, const char *what, GList *got, GPtrArray *want)
{
    bool same = g_list_length(got) == want->len;
    guint i = 0;

    for (GList *l = got; same && l; l = l->next, i++) {
        same = !strcmp(l->data, want->pdata[i]);
    }
    if (!same) {
        g_autofree char *g = join_list(got);
        g_autofree char *w = join_array(want);

        mismatch(r, "%s %s, model %s", what, g, w);
    }
}

static GPtrArray *perms_strings(const MPerms *p)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

    for (unsigned int i = 0; i < p->n; i++) {
        g_ptr_array_add(a, perm_string(p->e[i].perm, p->e[i].dom));
    }
    return a;
}

/*
 * Generations: the model cannot know the store's numbers, only when they
 * must change.  Same model version -> same gencnt; new version -> new.
 */
typedef struct GenSeen {
    uint64_t ver;               /* the model's version of the node */
    uint64_t gen;               /* the gencnt the store gave then */
} GenSeen;

static void check_gen(Run *r, const char *path, uint64_t ver, uint64_t gen)
{
    GenSeen *last = g_hash_table_lookup(r->gen_seen, path);

    if (!last) {
        last = g_new(GenSeen, 1);
        g_hash_table_insert(r->gen_seen, g_strdup(path), last);
    } else if (last->ver == ver && last->gen != gen) {
        mismatch(r, "gencnt of %s changed (%" PRIu64 " -> %" PRIu64
                 ") but the node did not", path, last->gen, gen);
    } else if (last->ver != ver && last->gen == gen) {
        mismatch(r, "gencnt of %s is still %" PRIu64
                 " but the node changed", path, gen);
    }
    last->ver = ver;
    last->gen = gen;
}

static void on_event(void *opaque, const char *path, const char *token)
{
    Conn *c = opaque;

    g_ptr_array_add(c->events, g_strdup_printf("%d|%s|%s", c->index, path,
                                               token ? token : "(null)"));
}

/* The events of the call just made must be exactly the model's. */
static void check_events(Run *r)
{
    GPtrArray *want = r->m.events;
    GPtrArray *got = r->seen;
    bool same;

    g_ptr_array_sort(want, cmp_strp);
    g_ptr_array_sort(got, cmp_strp);
    same = want->len == got->len;
    for (guint i = 0; same && i < want->len; i++) {
        same = !strcmp(want->pdata[i], got->pdata[i]);
    }
    if (!same) {
        g_autofree char *g = join_array(got);
        g_autofree char *w = join_array(want);

        mismatch(r, "watch events %s, model %s", g, w);
    }
    g_ptr_array_set_size(want, 0);
    g_ptr_array_set_size(got, 0);
}

/* ---- the operations: each runs on the store and the model ---- */

static MTx *lookup_tx(Run *r, unsigned int dom, xs_transaction_t id,
                      int *err)
{
    MTx *tx = NULL;

    *err = 0;
    if (id != XBT_NULL) {
        tx = model_tx(&r->m, dom, id);
        if (!tx) {
            *err = ENOENT;
        }
    }
    return tx;
}

/* The common start of node calls: path, then transaction. */
static int begin_node_call(Run *r, unsigned int dom, xs_transaction_t id,
                           const char *path, bool allow_special,
                           char **canon, MTx **tx)
{
    size_t rel_off;
    int err = model_resolve(&r->m, dom, path, allow_special, canon,
                            &rel_off);

    *tx = NULL;
    if (!err) {
        *tx = lookup_tx(r, dom, id, &err);
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

static void op_read(Run *r, unsigned int dom, xs_transaction_t id,
                    const char *path)
{
    g_autoptr(GByteArray) got = g_byte_array_new();
    g_autofree char *canon = NULL;
    MTx *tx;
    MView v = { 0 };
    int want = begin_node_call(r, dom, id, path, false, &canon, &tx);
    int ret = xs_impl_read(r->s, dom, id, path, got);

    if (!want) {
        want = model_lookup_read(&r->m, tx, dom, canon, &v);
    }
    check_ret(r, ret, want);
    if (!ret && !want) {
        check_bytes(r, got, v.value);
    }
    view_free(&v);
}

typedef struct ForeachNames {
    GList *names;               /* in reverse */
    int left;                   /* names to take before stopping, or -1 */
} ForeachNames;

static bool collect_name(void *opaque, const char *name)
{
    ForeachNames *f = opaque;

    f->names = g_list_prepend(f->names, g_strdup(name));
    return f->left < 0 || --f->left > 0;
}

/*
 * The allocation-free listing must say what the listing said: the same
 * answer, gencnt and names, and stop where its callback asks.
 */
static void check_directory_foreach(Run *r, unsigned int dom,
                                    xs_transaction_t id, const char *path,
                                    int ret, uint64_t gen, GList *items)
{
    ForeachNames f = { NULL, -1 };
    guint n = g_list_length(items), want = n;
    uint64_t fgen = 0;
    bool same;
    int fret;

    if (n && g_rand_boolean(r->rand)) {
        want = g_rand_int_range(r->rand, 1, n + 1);
        f.left = want;
    }
    fret = xs_impl_directory_foreach(r->s, dom, id, path, &fgen,
                                     collect_name, &f);
    f.names = g_list_reverse(f.names);
    if (fret != ret) {
        mismatch(r, "directory_foreach returned %s, directory %s",
                 errname(fret), errname(ret));
    } else if (!ret) {
        same = fgen == gen && g_list_length(f.names) == want;
        for (GList *a = f.names, *b = items; same && a;
             a = a->next, b = b->next) {
            same = !strcmp(a->data, b->data);
        }
        if (!same) {
            g_autofree char *g = join_list(f.names);
            g_autofree char *w = join_list(items);

            mismatch(r, "directory_foreach gave %s (gencnt %" PRIu64 "), "
                     "directory %s (gencnt %" PRIu64 "), stop after %u",
                     g, fgen, w, gen, want);
        }
    }
    g_list_free_full(f.names, g_free);
}

static void op_directory(Run *r, unsigned int dom, xs_transaction_t id,
                         const char *path)
{
    g_autofree char *canon = NULL;
    GList *items = NULL;
    uint64_t gen = 0;
    MTx *tx;
    MView v = { 0 };
    int want = begin_node_call(r, dom, id, path, false, &canon, &tx);
    int ret = xs_impl_directory(r->s, dom, id, path, &gen, &items);

    if (!want) {
        want = model_lookup_read(&r->m, tx, dom, canon, &v);
    }
    check_ret(r, ret, want);
    check_directory_foreach(r, dom, id, path, ret, gen, items);
    if (!ret && !want) {
        g_autoptr(GPtrArray) names = view_children(&r->m, tx, canon);

        check_list(r, "children", items, names);
        /* gencnt is the committed node's; one only the transaction
         * has has none. */
        if (v.comm) {
            check_gen(r, canon, v.comm->ver, gen);
        } else if (gen != 0) {
            mismatch(r, "gencnt %" PRIu64 " of a node only the "
                     "transaction has, model 0", gen);
        }
    }
    g_list_free_full(items, g_free);
    view_free(&v);
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

static void op_get_perms(Run *r, unsigned int dom, xs_transaction_t id,
                         const char *path)
{
    g_autofree char *canon = NULL;
    GList *got = NULL;
    MTx *tx;
    MView v = { 0 };
    MPerms found = { 0 };
    int want = begin_node_call(r, dom, id, path, true, &canon, &tx);
    int ret = xs_impl_get_perms(r->s, dom, id, path, &got);

    if (!want && canon[0] == '@') {
        int which = special_index(canon);

        if (which < 0) {
            want = ENOENT;
        } else {
            found = r->m.special[which];
            want = can_read(&r->m, &found, dom) ? 0 : EACCES;
        }
    } else if (!want) {
        want = model_lookup_read(&r->m, tx, dom, canon, &v);
        found = v.perms;
    }
    check_ret(r, ret, want);
    if (!ret && !want) {
        g_autoptr(GPtrArray) strs = perms_strings(&found);

        check_list(r, "perms", got, strs);
    }
    g_list_free_full(got, g_free);
    view_free(&v);
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

static void op_set_perms(Run *r, unsigned int dom, xs_transaction_t id,
                         const char *path, GList *list)
{
    g_autofree char *canon = NULL;
    MTx *tx;
    MView v = { 0 };
    MPerms new;
    int want = begin_node_call(r, dom, id, path, true, &canon, &tx);
    int ret = xs_impl_set_perms(r->s, dom, id, path, list);
    Model *m = &r->m;

    if (!want && !parse_perm_list(list, &new)) {
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
            MNode *n = committed(m, canon);

            n->perms = new;
            bump(m, n);
            model_fire(m, canon, &n->perms);
        }
    }
    check_ret(r, ret, want);
    view_free(&v);
}

static void op_write(Run *r, unsigned int dom, xs_transaction_t id,
                     const char *path, GByteArray *value, bool mkdir)
{
    g_autofree char *canon = NULL;
    MTx *tx;
    MView v = { 0 };
    int want = begin_node_call(r, dom, id, path, false, &canon, &tx);
    int ret = mkdir ? xs_impl_mkdir(r->s, dom, id, path)
                    : xs_impl_write(r->s, dom, id, path, value);
    Model *m = &r->m;
    unsigned int limit = m->quota[dom][XS_QUOTA_NODE_SIZE];
    bool unpriv = !is_privileged(dom);
    size_t len = mkdir ? 0 : value->len;
    const uint8_t *data = mkdir ? NULL : value->data;

    if (!want && len > VALUE_MAX) {
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
            MNode *n = committed(m, canon);

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
            } else if (owned_by(m, dom) + (tx ? tx->nr_created : 0) +
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
    check_ret(r, ret, want);
    view_free(&v);
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

static void op_rm(Run *r, unsigned int dom, xs_transaction_t id,
                  const char *path)
{
    g_autofree char *canon = NULL;
    MTx *tx;
    MView v = { 0 };
    int want = begin_node_call(r, dom, id, path, false, &canon, &tx);
    int ret = xs_impl_rm(r->s, dom, id, path);
    Model *m = &r->m;

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
        model_fire_rm(m, canon, &committed(m, parent)->perms);
    }
out:
    check_ret(r, ret, want);
    view_free(&v);
}

static void op_tx_start(Run *r, unsigned int dom)
{
    xs_transaction_t id = XBT_NULL;
    int ret = xs_impl_transaction_start(r->s, dom, &id);
    Model *m = &r->m;
    unsigned int open = 0;
    int want = 0;

    for (guint i = 0; i < m->txs->len; i++) {
        open += ((MTx *)m->txs->pdata[i])->dom == dom;
    }
    if (!is_privileged(dom) && open >= m->quota[dom][XS_QUOTA_TRANSACTIONS]) {
        want = ENOSPC;
    }
    check_ret(r, ret, want);
    if (ret || want) {
        return;
    }
    if (id == XBT_NULL) {
        mismatch(r, "transaction id 0");
        return;
    }
    for (guint i = 0; i < m->txs->len; i++) {
        if (((MTx *)m->txs->pdata[i])->id == id) {
            mismatch(r, "transaction id %u is already open", id);
            return;
        }
    }
    {
        MTx *tx = g_new0(MTx, 1);

        tx->id = id;
        tx->dom = dom;
        tx->shadow = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                           mshadow_free);
        g_ptr_array_add(m->txs, tx);
        g_hash_table_remove(r->ended, GUINT_TO_POINTER(id));
    }
}

static void op_tx_end(Run *r, unsigned int dom, xs_transaction_t id,
                      bool commit)
{
    int ret = xs_impl_transaction_end(r->s, dom, id, commit);
    MTx *tx = model_tx(&r->m, dom, id);
    int want = ENOENT;

    if (tx) {
        want = commit ? model_commit(&r->m, tx) : 0;
        model_end_tx(&r->m, tx);
        g_hash_table_add(r->ended, GUINT_TO_POINTER(id));
    }
    check_ret(r, ret, want);
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

static void op_watch(Run *r, int conn, const char *path, const char *token,
                     int depth)
{
    unsigned int dom = conn_dom[conn];
    g_autofree char *canon = NULL;
    size_t rel_off;
    Model *m = &r->m;
    int ret = xs_impl_watch_depth(r->s, dom, path, token, depth, on_event,
                                  &r->conns[conn]);
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
    check_ret(r, ret, want);
}

static void op_unwatch(Run *r, int conn, const char *path, const char *token)
{
    unsigned int dom = conn_dom[conn];
    g_autofree char *canon = NULL;
    size_t rel_off;
    Model *m = &r->m;
    int ret = xs_impl_unwatch(r->s, dom, path, token, on_event,
                              &r->conns[conn]);
    int want = model_resolve(m, dom, path, true, &canon, &rel_off);

    if (!want) {
        MWatch *w = model_find_watch(m, dom, conn, canon, token);

        if (w) {
            g_ptr_array_remove(m->watches, w);
        } else {
            want = ENOENT;
        }
    }
    check_ret(r, ret, want);
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

static void model_drop_txs(Run *r, unsigned int dom)
{
    Model *m = &r->m;

    for (guint i = 0; i < m->txs->len;) {
        MTx *tx = m->txs->pdata[i];

        if (tx->dom == dom) {
            g_hash_table_add(r->ended, GUINT_TO_POINTER(tx->id));
            g_ptr_array_remove_index(m->txs, i);
        } else {
            i++;
        }
    }
}

static void op_reset_watches(Run *r, unsigned int dom)
{
    int ret = xs_impl_reset_watches(r->s, dom);

    model_drop_watches(&r->m, dom, -1);
    model_drop_txs(r, dom);
    check_ret(r, ret, 0);
}

static void op_unwatch_all(Run *r, int conn)
{
    xs_impl_unwatch_all(r->s, conn_dom[conn], on_event, &r->conns[conn]);
    model_drop_watches(&r->m, conn_dom[conn], conn);
}

static void op_introduce(Run *r, unsigned int dom)
{
    int ret = xs_impl_introduce_domain(r->s, dom);

    r->m.introduced[dom] = true;
    model_fire_special(&r->m, 0);
    check_ret(r, ret, 0);
}

static void op_release(Run *r, unsigned int dom)
{
    int ret = xs_impl_release_domain(r->s, dom);
    int want = ENOENT;

    if (r->m.introduced[dom]) {
        want = 0;
        r->m.introduced[dom] = false;
        if (dom < NDOMS) {
            model_drop_watches(&r->m, dom, -1);
            model_drop_txs(r, dom);
        }
        model_fire_special(&r->m, 1);
    }
    check_ret(r, ret, want);
    if (xs_impl_is_domain_introduced(r->s, dom) != r->m.introduced[dom]) {
        mismatch(r, "is_domain_introduced(%u) disagrees", dom);
    }
}

/* ---- whole-store comparison and save/load ---- */

static void compare_all(Run *r)
{
    Model *m = &r->m;
    g_autoptr(GPtrArray) paths = g_ptr_array_new();
    GHashTableIter it;
    gpointer key;

    g_hash_table_iter_init(&it, m->nodes);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        g_ptr_array_add(paths, key);
    }
    g_ptr_array_sort(paths, cmp_strp);
    for (guint i = 0; i < paths->len && !r->failed; i++) {
        const char *path = paths->pdata[i];
        MNode *n = committed(m, path);
        g_autoptr(GByteArray) value = g_byte_array_new();
        g_autoptr(GPtrArray) kids = committed_children(m, path);
        g_autoptr(GPtrArray) strs = perms_strings(&n->perms);
        GList *items = NULL, *perms = NULL;
        uint64_t gen = 0;

        check_ret(r, xs_impl_read(r->s, 0, XBT_NULL, path, value), 0);
        check_bytes(r, value, n->value);
        check_ret(r, xs_impl_directory(r->s, 0, XBT_NULL, path, &gen,
                                       &items), 0);
        check_list(r, "children", items, kids);
        check_gen(r, path, n->ver, gen);
        check_ret(r, xs_impl_get_perms(r->s, 0, XBT_NULL, path, &perms), 0);
        check_list(r, "perms", perms, strs);
        g_list_free_full(items, g_free);
        g_list_free_full(perms, g_free);
    }
    for (unsigned int d = 0; d < NDOMS && !r->failed; d++) {
        if (xs_impl_domain_nodes(r->s, d) != owned_by(m, d)) {
            mismatch(r, "domain %u owns %u nodes, model %u", d,
                     xs_impl_domain_nodes(r->s, d), owned_by(m, d));
        }
    }
    check_events(r);
}

/*
 * Save, load into a fresh store as the guest (domain 1) and go on there.
 * Only domain 1's watches come back (silently); the other connections
 * register theirs again.
 */
static void round_trip(Run *r)
{
    GByteArray *bytes;
    XenstoreImplState *loaded = xs_impl_create(1);
    Model *m = &r->m;
    int ret;

    compare_all(r);
    g_free(r->op);
    r->op = g_strdup("save/load round trip");
    bytes = xs_impl_serialize(r->s);
    ret = xs_impl_deserialize(loaded, bytes, 1, on_event, &r->conns[2]);
    g_byte_array_unref(bytes);
    check_ret(r, ret, 0);
    if (ret) {
        xs_impl_destroy(loaded);
        return;
    }
    xs_impl_destroy(r->s);
    r->s = loaded;
    for (guint i = 0; i < m->watches->len;) {
        MWatch *w = m->watches->pdata[i];

        if (w->dom == 1) {
            i++;
        } else {
            g_ptr_array_remove_index(m->watches, i);
        }
    }
    check_events(r);
    compare_all(r);
}

/* ---- random inputs ---- */

static const char *const names[] = { "a", "b", "c" };

static char *random_components(Run *r, unsigned int max)
{
    GString *s = g_string_new(NULL);
    unsigned int n = g_rand_int_range(r->rand, 1, max + 1);

    for (unsigned int i = 0; i < n; i++) {
        const char *name = names[g_rand_int_range(r->rand, 0, 3)];

        if (g_rand_int_range(r->rand, 0, 200) == 0) {
            name = "abcdefghijkl";          /* over domain 2's path-max */
        }
        g_string_append_printf(s, "%s%s", i ? "/" : "", name);
    }
    return g_string_free(s, false);
}

static char *random_path(Run *r, unsigned int dom)
{
    int k = g_rand_int_range(r->rand, 0, 100);
    g_autofree char *comp = random_components(r, 3);

    if (k < 40) {
        return g_strdup_printf("/local/domain/%d/%s",
                               g_rand_int_range(r->rand, 0, NDOMS), comp);
    }
    if (k < 58) {
        return g_steal_pointer(&comp);       /* relative to the home */
    }
    if (k < 76) {
        return g_strdup_printf("/t/%s", comp);
    }
    if (k < 86) {
        static const char *const top[] = {
            "/", "/local", "/local/domain", "/t", "/local/domain/1",
            "/local/domain/2", "/local/domain/3", "/local/domain/0",
        };
        return g_strdup(top[g_rand_int_range(r->rand, 0, ARRAY_SIZE(top))]);
    }
    if (k < 92) {
        static const char *const special[] = {
            "@introduceDomain", "@releaseDomain", "@other",
        };
        return g_strdup(special[g_rand_int_range(r->rand, 0, 3)]);
    }
    if (k < 97) {
        static const char *const bad[] = {
            "", "/t//a", "/t/", "/t/a b", "@", "/t/a\xc3\xa9", "a/", "/t/@x",
            "x@y", "/t/a.b", "//",
        };
        return g_strdup(bad[g_rand_int_range(r->rand, 0, ARRAY_SIZE(bad))]);
    }
    {
        /* Around the length limits: 2048 relative, 3072 absolute. */
        static const char *const lead[] = {
            "/t/", "", "/local/domain/1/",
        };
        int which = g_rand_int_range(r->rand, 0, 3);
        size_t target = g_rand_boolean(r->rand) ? 2048 : 2049;
        GString *s = g_string_new(lead[which]);

        /* Outside /local/domain/<N>/ the whole path counts. */
        if (which == 2) {
            target += strlen(lead[which]);
        }
        if (g_rand_int_range(r->rand, 0, 4) == 0) {
            /* Absolute limit: a long domid keeps the relative part short. */
            g_string_assign(s, "/local/domain/");
            for (int i = 0; i < 1100; i++) {
                g_string_append_c(s, '1');
            }
            g_string_append_c(s, '/');
            target = g_rand_boolean(r->rand) ? 3072 : 3073;
        }
        while (s->len < target) {
            g_string_append_c(s, s->len % 64 == 63 ? '/' : 'x');
        }
        if (s->str[s->len - 1] == '/') {
            s->str[s->len - 1] = 'y';
        }
        return g_string_free(s, false);
    }
}

static GByteArray *random_value(Run *r)
{
    GByteArray *v = g_byte_array_new();
    int k = g_rand_int_range(r->rand, 0, 1000);
    unsigned int len = g_rand_int_range(r->rand, 0, 8);

    if (k == 0) {
        len = VALUE_MAX + 1;
    } else if (k < 20) {
        len = g_rand_int_range(r->rand, 20, 60);     /* node-size quota */
    }
    g_byte_array_set_size(v, len);
    for (unsigned int i = 0; i < len; i++) {
        v->data[i] = k < 100 ? g_rand_int_range(r->rand, 0, 256)
                             : "xyz012"[g_rand_int_range(r->rand, 0, 6)];
    }
    return v;
}

static GList *random_perms(Run *r, unsigned int dom)
{
    int k = g_rand_int_range(r->rand, 0, 100);
    unsigned int n = g_rand_int_range(r->rand, 1, 4);
    GList *l = NULL;

    if (k < 2) {
        return NULL;                        /* empty: EINVAL */
    }
    if (k < 5) {
        static const char *const bad[] = {
            "x1", "r", "r-1", "r32752", "b123456", "r1x", "",
        };
        l = g_list_append(l, g_strdup("r0"));
        return g_list_append(l, g_strdup(bad[g_rand_int_range(r->rand, 0,
                                                             7)]));
    }
    if (k < 8) {
        n = 6;                              /* over the perms quota */
    }
    for (unsigned int i = 0; i < n; i++) {
        unsigned int d = g_rand_int_range(r->rand, 0, 5);

        if (i == 0 && g_rand_int_range(r->rand, 0, 3)) {
            d = dom == 3 && g_rand_boolean(r->rand) ? 2 : dom;
        }
        l = g_list_append(l, g_strdup_printf("%c%u",
                          "nrwb"[g_rand_int_range(r->rand, 0, 4)], d));
    }
    if (g_rand_int_range(r->rand, 0, 20) == 0) {
        g_free(l->data);
        l->data = g_strdup_printf("r%05u", dom);   /* leading zeros */
    }
    return l;
}

/* A transaction id: none, one of dom's, another's, or a stale one. */
static xs_transaction_t random_tx(Run *r, unsigned int dom)
{
    Model *m = &r->m;
    g_autoptr(GPtrArray) mine = g_ptr_array_new();
    int k = g_rand_int_range(r->rand, 0, 100);

    for (guint i = 0; i < m->txs->len; i++) {
        MTx *tx = m->txs->pdata[i];

        if (tx->dom == dom) {
            g_ptr_array_add(mine, tx);
        }
    }
    if (k < 45 || (k < 95 && !mine->len)) {
        return XBT_NULL;
    }
    if (k < 95) {
        return ((MTx *)mine->pdata[g_rand_int_range(r->rand, 0,
                                                    mine->len)])->id;
    }
    if (k < 97 && m->txs->len) {
        return ((MTx *)m->txs->pdata[g_rand_int_range(r->rand, 0,
                                                      m->txs->len)])->id;
    }
    if (k < 99 && g_hash_table_size(r->ended)) {
        GHashTableIter it;
        gpointer key;

        g_hash_table_iter_init(&it, r->ended);
        g_hash_table_iter_next(&it, &key, NULL);
        return GPOINTER_TO_UINT(key);
    }
    return 0x7fffff00u + g_rand_int_range(r->rand, 0, 16);
}

static char *describe_value(GByteArray *v)
{
    return escape_bytes(v->data, v->len, 16);
}

static void remember(Run *r, char *desc)
{
    int slot = r->step % HISTORY;

    g_free(r->history[slot]);
    r->history[slot] = g_strdup_printf("step %" PRIu64 ": %s", r->step, desc);
    if (r->verbose) {
        fprintf(stderr, "%s\n", r->history[slot]);
    }
    g_free(r->op);
    r->op = desc;
}

/* Long paths are shown as their start and length. */
static char *short_path(const char *p)
{
    if (strlen(p) > 60) {
        return g_strdup_printf("%.24s...(%zu bytes)", p, strlen(p));
    }
    return g_strdup(p);
}

static void random_step(Run *r)
{
    unsigned int dom = g_rand_int_range(r->rand, 0, 10) < 3 ? 0 :
                       g_rand_int_range(r->rand, 1, NDOMS);
    int k = g_rand_int_range(r->rand, 0, 1000);
    xs_transaction_t tx = random_tx(r, dom);
    g_autofree char *path = random_path(r, dom);
    g_autofree char *spath = short_path(path);
    g_autofree char *pdesc = g_strdup_printf("dom %u tx %u %s", dom, tx,
                                             spath);
    int kind;

    r->last_ret = 0;

    if (k < 160) {
        kind = 0;
        remember(r, g_strdup_printf("read %s", pdesc));
        op_read(r, dom, tx, path);
    } else if (k < 320) {
        g_autoptr(GByteArray) v = random_value(r);
        g_autofree char *vd = describe_value(v);

        kind = 1;
        remember(r, g_strdup_printf("write %s = %s", pdesc, vd));
        op_write(r, dom, tx, path, v, false);
    } else if (k < 390) {
        kind = 2;
        remember(r, g_strdup_printf("mkdir %s", pdesc));
        op_write(r, dom, tx, path, NULL, true);
    } else if (k < 470) {
        kind = 3;
        remember(r, g_strdup_printf("rm %s", pdesc));
        op_rm(r, dom, tx, path);
    } else if (k < 570) {
        kind = 4;
        remember(r, g_strdup_printf("directory %s", pdesc));
        op_directory(r, dom, tx, path);
    } else if (k < 630) {
        kind = 5;
        remember(r, g_strdup_printf("get_perms %s", pdesc));
        op_get_perms(r, dom, tx, path);
    } else if (k < 700) {
        GList *perms = random_perms(r, dom);
        g_autofree char *pd = join_list(perms);

        kind = 6;
        remember(r, g_strdup_printf("set_perms %s %s", pdesc, pd));
        op_set_perms(r, dom, tx, path, perms);
        g_list_free_full(perms, g_free);
    } else if (k < 760) {
        kind = 7;
        remember(r, g_strdup_printf("transaction_start dom %u", dom));
        op_tx_start(r, dom);
    } else if (k < 820) {
        bool commit = g_rand_int_range(r->rand, 0, 4) != 0;

        if (tx == XBT_NULL && g_rand_int_range(r->rand, 0, 8)) {
            tx = random_tx(r, dom);
        }
        kind = commit ? 8 : 9;
        remember(r, g_strdup_printf("transaction_end dom %u tx %u %s", dom,
                                    tx, commit ? "commit" : "abort"));
        op_tx_end(r, dom, tx, commit);
    } else if (k < 900) {
        int conn = dom ? dom + 1 : g_rand_int_range(r->rand, 0, 2);
        const char *token = (const char *[]){ "t1", "t2", NULL }
                            [g_rand_int_range(r->rand, 0, dom ? 2 : 3)];
        int depth = g_rand_int_range(r->rand, 0, 4) ?
                    -1 : g_rand_int_range(r->rand, 0, 3);

        kind = 10;
        remember(r, g_strdup_printf("watch conn %d %s token %s depth %d",
                                    conn, spath,
                                    token ? token : "(null)", depth));
        op_watch(r, conn, path, token, depth);
    } else if (k < 960) {
        int conn = dom ? dom + 1 : g_rand_int_range(r->rand, 0, 2);
        const char *token = (const char *[]){ "t1", "t2", NULL }
                            [g_rand_int_range(r->rand, 0, dom ? 2 : 3)];
        Model *m = &r->m;

        /* Mostly a watch that exists, as the path it was given. */
        if (m->watches->len && g_rand_int_range(r->rand, 0, 4)) {
            MWatch *w = m->watches->pdata[g_rand_int_range(
                r->rand, 0, m->watches->len)];

            conn = w->conn;
            g_free(path);
            path = g_strdup(w->canon + (g_rand_boolean(r->rand) ?
                                        w->rel_off : 0));
            token = w->token;
        }
        g_free(spath);
        spath = short_path(path);
        kind = 11;
        remember(r, g_strdup_printf("unwatch conn %d %s token %s", conn,
                                    spath,
                                    token ? token : "(null)"));
        op_unwatch(r, conn, path, token);
    } else if (k < 970) {
        kind = 12;
        remember(r, g_strdup_printf("reset_watches dom %u", dom));
        op_reset_watches(r, dom);
    } else if (k < 975) {
        int conn = g_rand_int_range(r->rand, 0, NCONNS);

        kind = 13;
        remember(r, g_strdup_printf("unwatch_all conn %d", conn));
        op_unwatch_all(r, conn);
    } else if (k < 985) {
        unsigned int d = g_rand_int_range(r->rand, 1, MAX_DOMID);

        kind = 14;
        remember(r, g_strdup_printf("introduce_domain %u", d));
        op_introduce(r, d);
    } else if (k < 995) {
        unsigned int d = g_rand_int_range(r->rand, 1, MAX_DOMID);

        kind = 15;
        remember(r, g_strdup_printf("release_domain %u", d));
        op_release(r, d);
    } else {
        /* Quotas change at run time, also below what is in use. */
        static const struct {
            XsQuota q;
            int lo, hi;
        } range[] = {
            { XS_QUOTA_NODES, 4, 40 }, { XS_QUOTA_NODE_SIZE, 40, 200 },
            { XS_QUOTA_WATCHES, 1, 6 }, { XS_QUOTA_TRANSACTIONS, 1, 4 },
            { XS_QUOTA_PERMS, 1, 6 }, { XS_QUOTA_PATH_MAX, 8, 60 },
            { XS_QUOTA_TX_NODES, 2, 30 },
        };
        int i = g_rand_int_range(r->rand, 0, ARRAY_SIZE(range));
        unsigned int d = g_rand_int_range(r->rand, 1, NDOMS);
        unsigned int v = g_rand_int_range(r->rand, range[i].lo,
                                          range[i].hi + 1);

        kind = 16;
        remember(r, g_strdup_printf("set_quota dom %u %s %u", d,
                                    xs_quota_name(range[i].q), v));
        check_ret(r, xs_impl_set_quota(r->s, d, range[i].q, v), 0);
        r->m.quota[d][range[i].q] = v;
    }
    r->stats[kind][MIN((unsigned)r->last_ret, 127)]++;
    check_events(r);
}

static void print_stats(Run *r)
{
    for (guint k = 0; k < ARRAY_SIZE(op_names); k++) {
        GString *line = g_string_new(NULL);

        for (guint e = 0; e < ARRAY_SIZE(r->stats[k]); e++) {
            if (r->stats[k][e]) {
                g_string_append_printf(line, " %s %u", errname(e),
                                       r->stats[k][e]);
            }
        }
        g_test_message("%-18s%s", op_names[k], line->str);
        g_string_free(line, true);
    }
}

/* ---- set-up ---- */

static void model_init(Run *r)
{
    Model *m = &r->m;
    static const MPerms dom0_none = { 1, { { XS_PERM_NONE, 0 } } };

    m->nodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                     mnode_free);
    m->txs = g_ptr_array_new_with_free_func(mtx_free);
    m->watches = g_ptr_array_new_with_free_func(mwatch_free);
    m->events = g_ptr_array_new_with_free_func(g_free);
    m->special[0] = dom0_none;
    m->special[1] = dom0_none;
    for (unsigned int d = 0; d < NDOMS; d++) {
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

static void set_quota(Run *r, unsigned int dom, XsQuota q, unsigned int v)
{
    g_assert_cmpint(xs_impl_set_quota(r->s, dom, q, v), ==, 0);
    r->m.quota[dom][q] = v;
}

/*
 * Through the calls under test: dom 0 makes the guests' homes (owned by
 * each guest, readable by the next one) and a shared /t.  Domain 3
 * controls domain 2 (SET_TARGET) and has small quotas; domain 2 a small
 * node size and path length.
 */
static void set_up(Run *r)
{
    Model *m = &r->m;

    for (unsigned int d = 1; d < NDOMS; d++) {
        g_autofree char *home = g_strdup_printf("/local/domain/%u", d);
        GList *perms = NULL;

        r->op = g_strdup_printf("set-up home of %u", d);
        op_write(r, 0, XBT_NULL, home, NULL, true);
        perms = g_list_append(perms, g_strdup_printf("n%u", d));
        perms = g_list_append(perms, g_strdup_printf("r%u", d % 3 + 1));
        op_set_perms(r, 0, XBT_NULL, home, perms);
        g_list_free_full(perms, g_free);
        g_clear_pointer(&r->op, g_free);
    }
    {
        GList *perms = g_list_append(NULL, g_strdup("r0"));

        perms = g_list_append(perms, g_strdup("b2"));
        r->op = g_strdup("set-up /t");
        op_write(r, 0, XBT_NULL, "/t", NULL, true);
        op_set_perms(r, 0, XBT_NULL, "/t", perms);
        g_list_free_full(perms, g_free);
        g_clear_pointer(&r->op, g_free);
    }
    g_assert_cmpint(xs_impl_set_target(r->s, 3, 2), ==, 0);
    m->target[3] = 2;
    set_quota(r, 3, XS_QUOTA_NODES, 16);
    set_quota(r, 3, XS_QUOTA_WATCHES, 3);
    set_quota(r, 3, XS_QUOTA_TRANSACTIONS, 2);
    set_quota(r, 3, XS_QUOTA_TX_NODES, 12);
    set_quota(r, 2, XS_QUOTA_NODE_SIZE, 64);
    set_quota(r, 2, XS_QUOTA_PATH_MAX, 24);
    check_events(r);
}

static void run_free(Run *r)
{
    xs_impl_destroy(r->s);
    g_hash_table_destroy(r->m.nodes);
    g_ptr_array_free(r->m.txs, true);
    g_ptr_array_free(r->m.watches, true);
    g_ptr_array_free(r->m.events, true);
    g_ptr_array_free(r->seen, true);
    g_hash_table_destroy(r->gen_seen);
    g_hash_table_destroy(r->ended);
    for (int i = 0; i < HISTORY; i++) {
        g_free(r->history[i]);
    }
    g_free(r->op);
    g_rand_free(r->rand);
}

static void test_random_ops(void)
{
    const char *env_seed = g_getenv("XS_RANDOM_SEED");
    const char *env_steps = g_getenv("XS_RANDOM_STEPS");
    /* To find where a silent difference began: compare after each call. */
    bool compare_each = g_getenv("XS_RANDOM_COMPARE_EACH") != NULL;
    uint64_t steps = env_steps ? g_ascii_strtoull(env_steps, NULL, 10)
                               : 100000;
    Run r = { 0 };

    /* A fixed seed by default, so that make check is repeatable. */
    if (env_seed && g_str_equal(env_seed, "random")) {
        r.seed = g_random_int();
    } else {
        r.seed = env_seed ? (guint32)g_ascii_strtoull(env_seed, NULL, 10)
                          : 20261124;
    }
    g_test_message("seed %u, %" PRIu64 " steps (XS_RANDOM_SEED=%u "
                   "XS_RANDOM_STEPS=%" PRIu64 " to repeat)", r.seed, steps,
                   r.seed, steps);
    r.rand = g_rand_new_with_seed(r.seed);
    r.verbose = g_getenv("XS_RANDOM_VERBOSE") != NULL;
    r.s = xs_impl_create(1);
    r.seen = g_ptr_array_new_with_free_func(g_free);
    r.gen_seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                       g_free);
    r.ended = g_hash_table_new(NULL, NULL);
    for (int i = 0; i < NCONNS; i++) {
        r.conns[i].index = i;
        r.conns[i].events = r.seen;
    }
    model_init(&r);
    set_up(&r);

    for (r.step = 0; r.step < steps && !r.failed; r.step++) {
        random_step(&r);
        if (compare_each && !r.failed) {
            compare_all(&r);
        }
        if ((r.step + 1) % ROUND_TRIP_EVERY == 0 && !r.failed) {
            round_trip(&r);
        }
    }
    if (!r.failed) {
        compare_all(&r);
    }
    print_stats(&r);
    run_free(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-random/ops", test_random_ops);
    return g_test_run();
}
