/*
 * Fuzz target: the input is a program of database calls (domains, paths
 * from a small alphabet, values, transactions, watches, save/load), run
 * against one store while simple invariants are asserted after each call.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_impl.h"
#include "xs-errors.h"

#define NDOMS 4              /* 0 privileged, 1-3 guests */
#define TX_SLOTS 3           /* remembered open transactions per domain */
#define MAX_CALLS 4000       /* bound on one input's work */

typedef struct FuzzInput {
    const uint8_t *p;
    size_t len;
} FuzzInput;

/* One watch connection per domain: the (fn, opaque) of its watches. */
typedef struct FuzzConn {
    unsigned int dom;
    uint64_t events;
} FuzzConn;

typedef struct FuzzState {
    XenstoreImplState *s;
    FuzzConn conns[NDOMS];
    xs_transaction_t tx[NDOMS][TX_SLOTS];
    GHashTable *open;        /* id -> domain + 1, every open transaction */
    GHashTable *ended;       /* ids ended and not given out again */
} FuzzState;

static uint8_t take(FuzzInput *in)
{
    if (!in->len) {
        return 0;
    }
    in->len--;
    return *in->p++;
}

/* Every call answers 0 or a name of the XenStore error table. */
static void assert_xs_errno(int ret)
{
    if (!xt_errno_known(ret)) {
        fprintf(stderr, "unexpected return %d\n", ret);
        abort();
    }
}

static bool valid_path_bytes(const char *p)
{
    for (; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-/_@", *p)) {
            return false;
        }
    }
    return true;
}

static void on_event(void *opaque, const char *path, const char *token)
{
    FuzzConn *c = opaque;

    g_assert(path && *path && valid_path_bytes(path));
    g_assert(c->dom < NDOMS);
    c->events++;
}

static const char *const names[] = { "a", "b", "c", "dd" };

/* A path: mostly well-formed and colliding, sometimes hostile. */
static char *take_path(FuzzInput *in)
{
    uint8_t b = take(in);
    GString *p = g_string_new(NULL);
    unsigned int ncomp = 1 + take(in) % 3;

    switch (b & 7) {
    case 0:
        break;                                  /* relative to home */
    case 1:
    case 2:
        g_string_printf(p, "/local/domain/%u/", 1 + (b >> 3) % 3);
        break;
    case 3:
        g_string_assign(p, "/f/");
        break;
    case 4: {
        static const char *const top[] = {
            "/", "/local", "/local/domain", "/local/domain/7",
        };
        g_string_assign(p, top[(b >> 3) % ARRAY_SIZE(top)]);
        return g_string_free(p, false);
    }
    case 5: {
        static const char *const special[] = {
            "@introduceDomain", "@releaseDomain", "@other", "@",
        };
        g_string_assign(p, special[(b >> 3) % ARRAY_SIZE(special)]);
        return g_string_free(p, false);
    }
    case 6: {
        /* Raw bytes from a small alphabet that includes bad ones. */
        static const char alphabet[] = "ab/@_-.* ~\x01\xff";
        unsigned int n = take(in) % 10;

        for (unsigned int i = 0; i < n; i++) {
            g_string_append_c(p, alphabet[take(in) %
                                          (sizeof(alphabet) - 1)]);
        }
        return g_string_free(p, false);
    }
    case 7: {
        /* Around the 2048 (relative) and 3072 (absolute) limits, in a
         * few long components so that a walk stays cheap. */
        static const char *const lead[] = { "", "/f/", "/local/domain/1/" };
        unsigned int kind = (b >> 3) & 3;
        size_t target = 2036 + take(in) % 24;

        if (kind < 3) {
            g_string_assign(p, lead[kind]);
            target += kind == 2 ? strlen(lead[2]) : 0;
        } else {
            /* A long domid keeps the relative part under its limit. */
            g_string_assign(p, "/local/domain/");
            for (int i = 0; i < 1000; i++) {
                g_string_append_c(p, '1');
            }
            g_string_append_c(p, '/');
            target += 1024;
        }
        while (p->len < target) {
            g_string_append_c(p, p->len % 512 == 511 ? '/' : 'x');
        }
        return g_string_free(p, false);
    }
    }
    for (unsigned int i = 0; i < ncomp; i++) {
        g_string_append_printf(p, "%s%s", i ? "/" : "",
                               names[take(in) % ARRAY_SIZE(names)]);
    }
    return g_string_free(p, false);
}

static GByteArray *take_value(FuzzInput *in)
{
    GByteArray *v = g_byte_array_new();
    unsigned int n = take(in) % 24;

    for (unsigned int i = 0; i < n; i++) {
        uint8_t byte = take(in);
        g_byte_array_append(v, &byte, 1);
    }
    return v;
}

static GList *take_perms(FuzzInput *in)
{
    static const char *const odd[] = {
        "", "r", "q1", "r-1", "r99999999999", "b 1", "n0x", "w65536",
    };
    unsigned int n = take(in) % 7;
    GList *perms = NULL;

    for (unsigned int i = 0; i < n; i++) {
        uint8_t b = take(in);

        if (b >= 0xf0) {
            perms = g_list_append(perms, g_strdup(odd[b % ARRAY_SIZE(odd)]));
        } else {
            perms = g_list_append(perms, g_strdup_printf("%c%u",
                                  "rwbn"[b & 3], (b >> 2) % 5));
        }
    }
    return perms;
}

/* Picks a context: 0, a remembered transaction, or a stale/bogus id. */
static xs_transaction_t take_tx(FuzzState *f, FuzzInput *in,
                                unsigned int dom)
{
    uint8_t b = take(in);

    switch (b % 8) {
    case 0: case 1: case 2: case 3:
        return XBT_NULL;
    case 7:
        return b & 0x80 ? f->tx[(dom + 1) % NDOMS][0] : 0xfffffff0u + b % 16;
    default:
        return f->tx[dom][b % TX_SLOTS];
    }
}

/* The transaction ended (any outcome): its id must be unknown now. */
static void tx_ended(FuzzState *f, unsigned int dom, xs_transaction_t id)
{
    for (int i = 0; i < TX_SLOTS; i++) {
        if (f->tx[dom][i] == id) {
            f->tx[dom][i] = XBT_NULL;
        }
    }
    g_hash_table_remove(f->open, GUINT_TO_POINTER(id));
    g_hash_table_add(f->ended, GUINT_TO_POINTER(id));
}

/* reset_watches / release_domain end all of the domain's transactions. */
static void domain_tx_ended(FuzzState *f, unsigned int dom)
{
    GHashTableIter it;
    gpointer id, owner;
    GList *ids = NULL;

    g_hash_table_iter_init(&it, f->open);
    while (g_hash_table_iter_next(&it, &id, &owner)) {
        if (GPOINTER_TO_UINT(owner) == dom + 1) {
            ids = g_list_prepend(ids, id);
        }
    }
    for (GList *l = ids; l; l = l->next) {
        tx_ended(f, dom, GPOINTER_TO_UINT(l->data));
    }
    g_list_free(ids);
}

static void check_read_after_write(FuzzState *f, unsigned int dom,
                                   xs_transaction_t tx, const char *path,
                                   GByteArray *expect)
{
    g_autoptr(GByteArray) data = g_byte_array_new();
    int ret = xs_impl_read(f->s, dom, tx, path, data);

    /* A writer may lack read access (perms "w<dom>" on a node it
     * does not own); otherwise it sees exactly what it wrote. */
    g_assert(ret == 0 || ret == EACCES);
    if (ret == 0 && expect) {
        g_assert_cmpuint(data->len, ==, expect->len);
        g_assert(!data->len || !memcmp(data->data, expect->data, data->len));
    }
}

static void check_list_sorted(GList *items)
{
    for (GList *l = items; l; l = l->next) {
        const char *name = l->data;

        g_assert(*name && !strchr(name, '/'));
        if (l->next) {
            g_assert_cmpint(strcmp(name, l->next->data), <, 0);
        }
    }
}

/* The whole answer of a lookup, to compare two of them. */
typedef struct FuzzLookup {
    int ret;
    uint64_t gen;
    GByteArray *data;
    GList *items;
} FuzzLookup;

static void lookup(FuzzState *f, unsigned int dom, xs_transaction_t tx,
                   const char *path, unsigned int kind, FuzzLookup *l)
{
    l->gen = 0;
    l->items = NULL;
    l->data = g_byte_array_new();
    switch (kind % 3) {
    case 0:
        l->ret = xs_impl_read(f->s, dom, tx, path, l->data);
        break;
    case 1:
        l->ret = xs_impl_directory(f->s, dom, tx, path, &l->gen, &l->items);
        break;
    default:
        l->ret = xs_impl_get_perms(f->s, dom, tx, path, &l->items);
        break;
    }
    assert_xs_errno(l->ret);
}

static bool lookup_same(FuzzLookup *a, FuzzLookup *b)
{
    GList *x = a->items, *y = b->items;

    if (a->ret != b->ret || a->gen != b->gen || a->data->len != b->data->len ||
        (a->data->len && memcmp(a->data->data, b->data->data, a->data->len))) {
        return false;
    }
    for (; x && y; x = x->next, y = y->next) {
        if (strcmp(x->data, y->data)) {
            return false;
        }
    }
    return !x && !y;
}

static void lookup_clear(FuzzLookup *l)
{
    g_byte_array_unref(l->data);
    g_list_free_full(l->items, g_free);
}

/* A transaction the program did not ask for: open it in the tables. */
static int start_own_tx(FuzzState *f, unsigned int dom, xs_transaction_t *id)
{
    int ret = xs_impl_transaction_start(f->s, dom, id);

    assert_xs_errno(ret);
    if (!ret) {
        g_assert(*id != XBT_NULL &&
                 !g_hash_table_contains(f->open, GUINT_TO_POINTER(*id)));
        g_hash_table_remove(f->ended, GUINT_TO_POINTER(*id));
        g_hash_table_insert(f->open, GUINT_TO_POINTER(*id),
                            GUINT_TO_POINTER(dom + 1));
    }
    return ret;
}

/*
 * Domain other changes the store at abs (an absolute path) or around it,
 * outside transactions or in a transaction of its own that it commits.
 * True if that certainly changed the node at abs (written, or given
 * permissions), which a transaction that looked at abs depends on.
 */
static bool interfere(FuzzState *f, FuzzInput *in, unsigned int other,
                      const char *abs)
{
    uint8_t how = take(in);
    xs_transaction_t otx = XBT_NULL;
    bool in_tx = (how & 0x80) && !start_own_tx(f, other, &otx);
    bool changed = false;
    int ret = 0;

    switch (how % 5) {
    case 0: {
        g_autoptr(GByteArray) value = take_value(in);

        ret = xs_impl_write(f->s, other, otx, abs, value);
        changed = !ret;
        break;
    }
    case 1: {
        GList *perms = take_perms(in);

        ret = xs_impl_set_perms(f->s, other, otx, abs, perms);
        changed = !ret;
        g_list_free_full(perms, g_free);
        break;
    }
    case 2:
        ret = xs_impl_rm(f->s, other, otx, abs);
        break;
    case 3: {
        g_autofree char *child = g_strdup_printf(
            "%s/%s", abs, names[take(in) % ARRAY_SIZE(names)]);

        ret = xs_impl_mkdir(f->s, other, otx, child);
        break;
    }
    default: {
        /* A whole subtree: the parent goes. */
        const char *slash = strrchr(abs, '/');
        g_autofree char *parent = g_strndup(abs, slash ? slash - abs : 0);

        if (*parent) {
            ret = xs_impl_rm(f->s, other, otx, parent);
        }
        break;
    }
    }
    assert_xs_errno(ret);
    if (in_tx) {
        ret = xs_impl_transaction_end(f->s, other, otx, true);
        assert_xs_errno(ret);
        tx_ended(f, other, otx);
        changed &= !ret;
    }
    return changed;
}

/*
 * The snapshot of a transaction: a lookup in tx (a new transaction if
 * XBT_NULL), another domain's change, the same lookup again.  The
 * transaction sees the store as at its start, so the second answer is
 * the first, unless the transaction was doomed (EAGAIN).  A new
 * transaction depends on what its lookup saw: if the other domain
 * changed that node, committing it answers EAGAIN.
 */
static int snapshot_probe(FuzzState *f, FuzzInput *in, unsigned int dom,
                          xs_transaction_t tx, const char *path)
{
    uint8_t b = take(in);
    unsigned int other = (dom + 1 + b % (NDOMS - 1)) % NDOMS;
    bool fresh = tx == XBT_NULL;
    g_autofree char *abs = path[0] == '/' || path[0] == '@' ?
        g_strdup(path) : g_strdup_printf("/local/domain/%u/%s", dom, path);
    FuzzLookup first, again;
    bool changed, depends;
    int ret;

    if (fresh && start_own_tx(f, dom, &tx)) {
        return 0;
    }
    lookup(f, dom, tx, path, b >> 2, &first);
    changed = interfere(f, in, other, abs);
    lookup(f, dom, tx, path, b >> 2, &again);
    /* Special nodes are outside transactions. */
    depends = abs[0] == '/' && (first.ret == 0 || first.ret == ENOENT ||
                                first.ret == EACCES);
    if (depends) {
        g_assert(again.ret == EAGAIN || lookup_same(&first, &again));
    }
    lookup_clear(&first);
    lookup_clear(&again);
    if (!fresh) {
        return 0;
    }
    ret = xs_impl_transaction_end(f->s, dom, tx, (b & 2) || changed);
    tx_ended(f, dom, tx);
    if (depends && changed) {
        g_assert_cmpint(ret, ==, EAGAIN);
    }
    return ret;
}

static void round_trip(FuzzState *f)
{
    GByteArray *saved = xs_impl_serialize(f->s);
    XenstoreImplState *loaded = xs_impl_create(1);
    int ret;

    g_assert(saved);
    ret = xs_impl_deserialize(loaded, saved, 1, on_event, &f->conns[1]);
    /* What the store wrote, it must read back. */
    g_assert_cmpint(ret, ==, 0);
    g_byte_array_unref(saved);
    xs_impl_destroy(f->s);
    f->s = loaded;
    /* Open transactions need not survive; start from a clean table. */
    memset(f->tx, 0, sizeof(f->tx));
    g_hash_table_remove_all(f->open);
    g_hash_table_remove_all(f->ended);
}

static void run_one(FuzzState *f, FuzzInput *in)
{
    uint8_t op = take(in);
    unsigned int dom = take(in) % NDOMS;
    FuzzConn *conn = &f->conns[dom];
    xs_transaction_t tx = take_tx(f, in, dom);
    g_autofree char *path = take_path(in);
    g_autoptr(GByteArray) data = g_byte_array_new();
    GList *items = NULL;
    uint64_t gen;
    int ret = 0;

    switch (op % 20) {
    case 0:
        /* Op bytes 40, 60, 100, 120, 180: a probe (the older seeds'
         * read ops have other values, so they replay as before). */
        if ((0x26c >> (op / 20)) & 1) {
            ret = snapshot_probe(f, in, dom, tx, path);
        } else {
            ret = xs_impl_read(f->s, dom, tx, path, data);
        }
        break;
    case 1:
    case 2: {
        g_autoptr(GByteArray) value = take_value(in);

        ret = xs_impl_write(f->s, dom, tx, path, value);
        if (!ret) {
            check_read_after_write(f, dom, tx, path, value);
        }
        break;
    }
    case 3:
        ret = xs_impl_mkdir(f->s, dom, tx, path);
        if (!ret) {
            check_read_after_write(f, dom, tx, path, NULL);
        }
        break;
    case 4:
        ret = xs_impl_rm(f->s, dom, tx, path);
        if (!ret) {
            ret = xs_impl_read(f->s, dom, tx, path, data);
            g_assert(ret == ENOENT || ret == EACCES);
            ret = 0;
        }
        break;
    case 5:
        ret = xs_impl_directory(f->s, dom, tx, path, &gen, &items);
        if (!ret) {
            check_list_sorted(items);
        } else {
            g_assert(!items);
        }
        g_list_free_full(items, g_free);
        break;
    case 6:
        ret = xs_impl_get_perms(f->s, dom, tx, path, &items);
        g_assert(ret || items);
        g_list_free_full(items, g_free);
        break;
    case 7: {
        GList *perms = take_perms(in);

        ret = xs_impl_set_perms(f->s, dom, tx, path, perms);
        if (!ret) {
            GList *got = NULL;

            /* The setter (privileged, or the owner, which it still is)
             * reads back exactly what was set. */
            g_assert_cmpint(xs_impl_get_perms(f->s, dom, tx, path, &got),
                            ==, 0);
            g_assert_cmpuint(g_list_length(got), ==, g_list_length(perms));
            for (GList *a = got, *b = perms; a; a = a->next, b = b->next) {
                g_assert_cmpstr(a->data, ==, b->data);
            }
            g_list_free_full(got, g_free);
        }
        g_list_free_full(perms, g_free);
        break;
    }
    case 8: {
        xs_transaction_t id = XBT_NULL;

        ret = xs_impl_transaction_start(f->s, dom, &id);
        if (!ret) {
            g_assert(id != XBT_NULL &&
                     !g_hash_table_contains(f->open, GUINT_TO_POINTER(id)));
            g_hash_table_remove(f->ended, GUINT_TO_POINTER(id));
            g_hash_table_insert(f->open, GUINT_TO_POINTER(id),
                                GUINT_TO_POINTER(dom + 1));
            f->tx[dom][id % TX_SLOTS] = id;
        }
        break;
    }
    case 9:
    case 10:
        ret = xs_impl_transaction_end(f->s, dom, tx, op % 20 == 9);
        if (tx != XBT_NULL &&
            g_hash_table_contains(f->ended, GUINT_TO_POINTER(tx))) {
            g_assert_cmpint(ret, ==, ENOENT);
        }
        if (ret != ENOENT && tx != XBT_NULL) {
            /* Ended, whatever the outcome: the id is gone. */
            tx_ended(f, dom, tx);
            g_assert_cmpint(xs_impl_transaction_end(f->s, dom, tx, false),
                            ==, ENOENT);
        }
        break;
    case 11:
    case 12: {
        static const char *const tokens[] = { "t0", "t1", "tok", NULL };
        const char *token = tokens[take(in) % (dom ? 3 : 4)];
        uint64_t before = conn->events;

        if (op % 20 == 11) {
            ret = xs_impl_watch(f->s, dom, path, token, on_event, conn);
        } else {
            ret = xs_impl_watch_depth(f->s, dom, path, token,
                                      (int)(take(in) % 4) - 1, on_event,
                                      conn);
        }
        /* Registering fires the watch exactly once. */
        g_assert(ret || conn->events == before + 1);
        if (!ret) {
            g_assert_cmpint(xs_impl_watch(f->s, dom, path, token, on_event,
                                          conn), ==, EEXIST);
        }
        break;
    }
    case 13: {
        const char *token = (take(in) & 1) ? "t0" : "t1";

        ret = xs_impl_unwatch(f->s, dom, path, token, on_event, conn);
        if (!ret) {
            g_assert_cmpint(xs_impl_unwatch(f->s, dom, path, token,
                                            on_event, conn), ==, ENOENT);
        }
        break;
    }
    case 14:
        ret = xs_impl_reset_watches(f->s, dom);
        if (!ret) {
            domain_tx_ended(f, dom);
        }
        break;
    case 15:
        xs_impl_unwatch_all(f->s, dom, on_event, conn);
        break;
    case 16: {
        unsigned int target = 1 + take(in) % 8;

        if (take(in) & 1) {
            ret = xs_impl_introduce_domain(f->s, target);
            if (!ret) {
                g_assert(xs_impl_is_domain_introduced(f->s, target));
            }
        } else {
            ret = xs_impl_release_domain(f->s, target);
            if (!ret && target < NDOMS) {
                domain_tx_ended(f, target);
            }
        }
        break;
    }
    case 17: {
        uint8_t b = take(in);

        ret = xs_impl_set_target(f->s, 1 + b % 3,
                                 b & 0x80 ? DOMID_INVALID : b % 4);
        break;
    }
    case 18: {
        uint8_t b = take(in);
        XsQuota q = b % XS_QUOTA__MAX;
        unsigned int value = take(in);

        ret = xs_impl_set_quota(f->s, (b >> 4) % NDOMS, q, value);
        if (!ret && (b >> 4) % NDOMS) {
            g_assert_cmpuint(xs_impl_get_quota(f->s, (b >> 4) % NDOMS, q),
                             ==, value);
        }
        (void)xs_impl_domain_nodes(f->s, dom);
        break;
    }
    case 19:
        round_trip(f);
        break;
    }
    assert_xs_errno(ret);
}

/* Guests 1-3 own their homes and may read each other's. */
static void set_up(FuzzState *f)
{
    f->s = xs_impl_create(1);
    f->open = g_hash_table_new(NULL, NULL);
    f->ended = g_hash_table_new(NULL, NULL);
    for (unsigned int d = 0; d < NDOMS; d++) {
        f->conns[d].dom = d;
    }
    for (unsigned int d = 1; d < NDOMS; d++) {
        g_autofree char *home = g_strdup_printf("/local/domain/%u", d);
        GList *perms = NULL;

        g_assert_cmpint(xs_impl_mkdir(f->s, 0, XBT_NULL, home), ==, 0);
        perms = g_list_append(perms, g_strdup_printf("n%u", d));
        perms = g_list_append(perms, g_strdup_printf("r%u", d % 3 + 1));
        g_assert_cmpint(xs_impl_set_perms(f->s, 0, XBT_NULL, home, perms),
                        ==, 0);
        g_list_free_full(perms, g_free);
    }
    /* Domain 3 gets small quotas so the limits are reached. */
    xs_impl_set_quota(f->s, 3, XS_QUOTA_NODES, 12);
    xs_impl_set_quota(f->s, 3, XS_QUOTA_NODE_SIZE, 64);
    xs_impl_set_quota(f->s, 3, XS_QUOTA_WATCHES, 3);
    xs_impl_set_quota(f->s, 3, XS_QUOTA_TRANSACTIONS, 2);
    xs_impl_set_quota(f->s, 3, XS_QUOTA_TX_NODES, 4);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FuzzInput in = { data, size };
    FuzzState f = { 0 };

    set_up(&f);
    for (int calls = 0; in.len && calls < MAX_CALLS; calls++) {
        run_one(&f, &in);
    }
    /* Whatever the calls did, the store saves and loads. */
    round_trip(&f);
    xs_impl_destroy(f.s);
    g_hash_table_destroy(f.open);
    g_hash_table_destroy(f.ended);
    return 0;
}
