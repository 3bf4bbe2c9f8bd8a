/*
 * Randomized test of the XenStore database against a reference model
 * written independently (xs-model.c): a flat table path -> (value,
 * perms), and a snapshot of it per transaction.  Every call's result and
 * watch events must match the model's.  XS_RANDOM_SEED (a number, or
 * "random") and XS_RANDOM_STEPS choose a run; the default seed is fixed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-errors.h"
#include "xs-model.h"

#define NCONNS 5                /* two connections for dom 0 */
#define ROUND_TRIP_EVERY 2000
#define HISTORY 24              /* calls printed on a mismatch */

static const unsigned int conn_dom[NCONNS] = { 0, 0, 1, 2, 3 };

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
    GHashTable *gen_seen;       /* "path vVER" -> gen, "path gGEN" -> ver */
    char *history[HISTORY];
    char *op;                   /* description of the current call */
    bool failed;
    bool verbose;               /* XS_RANDOM_VERBOSE: print every call */
    int last_ret;               /* the store's answer to the last call */
    /* How often each call got each answer: shows what the run covered. */
    unsigned int stats[17][128];
    unsigned int budget_aborts;     /* transactions ended by the guard */
    unsigned int budget_permille;   /* highest estimate / budget */
} Run;

static const char *const op_names[] = {
    "read", "write", "mkdir", "rm", "directory", "get_perms", "set_perms",
    "transaction_start", "commit", "abort", "watch", "unwatch",
    "reset_watches", "unwatch_all", "introduce_domain", "release_domain",
    "set_quota",
};

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
        mismatch(r, "returned %s, model says %s", xt_errname(got),
                 xt_errname(want));
    }
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

/*
 * Generations: the model cannot know the store's numbers, only when they
 * must change.  For each path, the model's versions and the gencnts seen
 * for them must correspond one to one: a transaction sees a node as at
 * its start, so an old version (and its gencnt) may come back.
 */
static void check_gen(Run *r, const char *path, uint64_t ver, uint64_t gen)
{
    g_autofree char *vkey = g_strdup_printf("%s v%" PRIu64, path, ver);
    g_autofree char *gkey = g_strdup_printf("%s g%" PRIu64, path, gen);
    uint64_t *gen_of_ver = g_hash_table_lookup(r->gen_seen, vkey);
    uint64_t *ver_of_gen = g_hash_table_lookup(r->gen_seen, gkey);

    if (gen_of_ver && *gen_of_ver != gen) {
        mismatch(r, "gencnt of %s is %" PRIu64 ", it was %" PRIu64
                 " for the same node", path, gen, *gen_of_ver);
    } else if (ver_of_gen && *ver_of_gen != ver) {
        mismatch(r, "gencnt of %s is still %" PRIu64
                 " but the node changed", path, gen);
    }
    if (!gen_of_ver) {
        g_hash_table_insert(r->gen_seen, g_steal_pointer(&vkey),
                            g_memdup2(&gen, sizeof(gen)));
    }
    if (!ver_of_gen) {
        g_hash_table_insert(r->gen_seen, g_steal_pointer(&gkey),
                            g_memdup2(&ver, sizeof(ver)));
    }
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

    g_ptr_array_sort(want, model_cmp_strp);
    g_ptr_array_sort(got, model_cmp_strp);
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

static void op_read(Run *r, unsigned int dom, xs_transaction_t id,
                    const char *path)
{
    g_autoptr(GByteArray) got = g_byte_array_new();
    MResult res = { 0 };
    int ret = xs_impl_read(r->s, dom, id, path, got);
    int want = model_read(&r->m, dom, id, path, &res);

    check_ret(r, ret, want);
    if (!ret && !want) {
        check_bytes(r, got, res.value);
    }
    model_result_clear(&res);
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
                 xt_errname(fret), xt_errname(ret));
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
    GList *items = NULL;
    uint64_t gen = 0;
    MResult res = { 0 };
    int ret = xs_impl_directory(r->s, dom, id, path, &gen, &items);
    int want = model_directory(&r->m, dom, id, path, &res);

    check_ret(r, ret, want);
    check_directory_foreach(r, dom, id, path, ret, gen, items);
    if (!ret && !want) {
        check_list(r, "children", items, res.children);
        /* gencnt is the committed node's; one only the transaction
         * has has none. */
        if (res.ver) {
            check_gen(r, res.canon, res.ver, gen);
        } else if (gen != 0) {
            mismatch(r, "gencnt %" PRIu64 " of a node only the "
                     "transaction has, model 0", gen);
        }
    }
    g_list_free_full(items, g_free);
    model_result_clear(&res);
}

static void op_get_perms(Run *r, unsigned int dom, xs_transaction_t id,
                         const char *path)
{
    GList *got = NULL;
    MResult res = { 0 };
    int ret = xs_impl_get_perms(r->s, dom, id, path, &got);
    int want = model_get_perms(&r->m, dom, id, path, &res);

    check_ret(r, ret, want);
    if (!ret && !want) {
        g_autoptr(GPtrArray) strs = model_perms_strings(&res.perms);

        check_list(r, "perms", got, strs);
    }
    g_list_free_full(got, g_free);
    model_result_clear(&res);
}

static void op_set_perms(Run *r, unsigned int dom, xs_transaction_t id,
                         const char *path, GList *list)
{
    int ret = xs_impl_set_perms(r->s, dom, id, path, list);

    check_ret(r, ret, model_set_perms(&r->m, dom, id, path, list));
}

/* value is NULL for mkdir. */
static void op_write(Run *r, unsigned int dom, xs_transaction_t id,
                     const char *path, GByteArray *value, bool mkdir)
{
    int ret = mkdir ? xs_impl_mkdir(r->s, dom, id, path)
                    : xs_impl_write(r->s, dom, id, path, value);

    check_ret(r, ret, model_write(&r->m, dom, id, path, value, mkdir));
}

static void op_rm(Run *r, unsigned int dom, xs_transaction_t id,
                  const char *path)
{
    int ret = xs_impl_rm(r->s, dom, id, path);

    check_ret(r, ret, model_rm(&r->m, dom, id, path));
}

static void op_tx_start(Run *r, unsigned int dom)
{
    xs_transaction_t id = XBT_NULL;
    int ret = xs_impl_transaction_start(r->s, dom, &id);
    int want = model_tx_start(&r->m, dom);

    check_ret(r, ret, want);
    if (ret || want) {
        return;
    }
    if (id == XBT_NULL) {
        mismatch(r, "transaction id 0");
        return;
    }
    if (model_tx_is_open(&r->m, id)) {
        mismatch(r, "transaction id %u is already open", id);
        return;
    }
    model_tx_opened(&r->m, dom, id);
}

static void op_tx_end(Run *r, unsigned int dom, xs_transaction_t id,
                      bool commit)
{
    int ret = xs_impl_transaction_end(r->s, dom, id, commit);
    int want = model_tx_end(&r->m, dom, id, commit);

    if (ret != want && want && r->m.why) {
        r->last_ret = ret;
        mismatch(r, "returned %s, model says %s: %s", xt_errname(ret),
                 xt_errname(want), r->m.why);
    } else {
        check_ret(r, ret, want);
    }
}

static void op_watch(Run *r, int conn, const char *path, const char *token,
                     int depth)
{
    unsigned int dom = conn_dom[conn];
    int ret = xs_impl_watch_depth(r->s, dom, path, token, depth, on_event,
                                  &r->conns[conn]);

    check_ret(r, ret, model_watch(&r->m, dom, conn, path, token, depth));
}

static void op_unwatch(Run *r, int conn, const char *path, const char *token)
{
    unsigned int dom = conn_dom[conn];
    int ret = xs_impl_unwatch(r->s, dom, path, token, on_event,
                              &r->conns[conn]);

    check_ret(r, ret, model_unwatch(&r->m, dom, conn, path, token));
}

static void op_reset_watches(Run *r, unsigned int dom)
{
    int ret = xs_impl_reset_watches(r->s, dom);

    model_reset_watches(&r->m, dom);
    check_ret(r, ret, 0);
}

static void op_unwatch_all(Run *r, int conn)
{
    xs_impl_unwatch_all(r->s, conn_dom[conn], on_event, &r->conns[conn]);
    model_unwatch_all(&r->m, conn_dom[conn], conn);
}

static void op_introduce(Run *r, unsigned int dom)
{
    int ret = xs_impl_introduce_domain(r->s, dom);

    model_introduce(&r->m, dom);
    check_ret(r, ret, 0);
}

static void op_release(Run *r, unsigned int dom)
{
    int ret = xs_impl_release_domain(r->s, dom);

    check_ret(r, ret, model_release(&r->m, dom));
    if (xs_impl_is_domain_introduced(r->s, dom) != r->m.introduced[dom]) {
        mismatch(r, "is_domain_introduced(%u) disagrees", dom);
    }
}

/* ---- whole-store comparison and save/load ---- */

static void compare_all(Run *r)
{
    Model *m = &r->m;
    g_autoptr(GPtrArray) paths = model_committed_paths(m);

    for (guint i = 0; i < paths->len && !r->failed; i++) {
        const char *path = paths->pdata[i];
        MNode *n = model_committed(m, path);
        g_autoptr(GByteArray) value = g_byte_array_new();
        g_autoptr(GPtrArray) kids = model_committed_children(m, path);
        g_autoptr(GPtrArray) strs = model_perms_strings(&n->perms);
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
    for (unsigned int d = 0; d < MODEL_NDOMS && !r->failed; d++) {
        if (xs_impl_domain_nodes(r->s, d) != model_owned_by(m, d)) {
            mismatch(r, "domain %u owns %u nodes, model %u", d,
                     xs_impl_domain_nodes(r->s, d), model_owned_by(m, d));
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
    model_loaded_as(&r->m, 1);
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

/* Paths a hot pick leaves alone: removing them would empty the run. */
static bool is_scaffold(const char *p)
{
    static const char *const keep[] = { "/", "/local", "/local/domain",
                                        "/t" };
    static const char homes[] = "/local/domain/";

    for (guint i = 0; i < ARRAY_SIZE(keep); i++) {
        if (!strcmp(p, keep[i])) {
            return true;
        }
    }
    return !strncmp(p, homes, strlen(homes)) &&
           !strchr(p + strlen(homes), '/');
}

/* A random key of a hash table, or NULL. */
static const char *random_key(Run *r, GHashTable *t)
{
    guint i = g_hash_table_size(t);
    GHashTableIter it;
    gpointer key = NULL;

    if (!i) {
        return NULL;
    }
    i = g_rand_int_range(r->rand, 0, i);
    g_hash_table_iter_init(&it, t);
    while (g_hash_table_iter_next(&it, &key, NULL) && i--) {
    }
    return key;
}

/*
 * A path an open transaction depends on, changed or created, or the
 * parent of one: calls there, in other transactions or outside, and
 * again in the same one, make the interleavings the transaction rules
 * are about.  mine: the caller's transaction, picked half of the time.
 */
static char *hot_path(Run *r, xs_transaction_t mine)
{
    Model *m = &r->m;
    MTx *tx = NULL;

    if (!m->txs->len) {
        return NULL;
    }
    for (guint i = 0; mine && i < m->txs->len; i++) {
        MTx *t = m->txs->pdata[i];

        if (t->id == mine && g_rand_boolean(r->rand)) {
            tx = t;
        }
    }
    if (!tx) {
        tx = m->txs->pdata[g_rand_int_range(r->rand, 0, m->txs->len)];
    }
    for (int tries = 0; tries < 3; tries++) {
        GHashTable *sets[] = { tx->deps, tx->changes, tx->created };
        const char *p = random_key(r, sets[g_rand_int_range(r->rand, 0,
                                                            3)]);
        const char *slash;

        if (!p || is_scaffold(p)) {
            continue;
        }
        slash = strrchr(p, '/');
        if (g_rand_int_range(r->rand, 0, 4) == 0) {
            g_autofree char *up = g_strndup(p, slash - p);

            if (!is_scaffold(up)) {
                return g_steal_pointer(&up);    /* a subtree around it */
            }
        }
        return g_strdup(p);
    }
    return NULL;
}

#define HOT_PERCENT 30

/* A path for a call as dom, in transaction tx (or XBT_NULL). */
static char *random_path(Run *r, unsigned int dom, xs_transaction_t tx)
{
    int k = g_rand_int_range(r->rand, 0, 100);
    g_autofree char *comp = NULL;

    if (k < HOT_PERCENT) {
        char *hot = hot_path(r, tx);

        if (hot) {
            return hot;
        }
    }
    k = g_rand_int_range(r->rand, 0, 100);
    comp = random_components(r, 3);

    if (k < 40) {
        return g_strdup_printf("/local/domain/%d/%s",
                               g_rand_int_range(r->rand, 0, MODEL_NDOMS),
                               comp);
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
        len = MODEL_VALUE_MAX + 1;
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
    if (k < 99 && g_hash_table_size(r->m.ended)) {
        GHashTableIter it;
        gpointer key;

        g_hash_table_iter_init(&it, r->m.ended);
        g_hash_table_iter_next(&it, &key, NULL);
        return GPOINTER_TO_UINT(key);
    }
    return 0x7fffff00u + g_rand_int_range(r->rand, 0, 16);
}

/* One of dom's open transactions, or else any id random_tx gives. */
static xs_transaction_t own_tx(Run *r, unsigned int dom)
{
    Model *m = &r->m;
    guint n = 0;

    for (guint i = 0; i < m->txs->len; i++) {
        n += ((MTx *)m->txs->pdata[i])->dom == dom;
    }
    if (n) {
        n = g_rand_int_range(r->rand, 0, n);
        for (guint i = 0; i < m->txs->len; i++) {
            MTx *tx = m->txs->pdata[i];

            if (tx->dom == dom && !n--) {
                return tx->id;
            }
        }
    }
    return random_tx(r, dom);
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

/*
 * The model leaves out the store's transaction memory budget, 2 x
 * transaction-nodes x node-size bytes per unprivileged domain, so the
 * run stays far below it: the set-up and quota changes keep every budget
 * at least MIN_BUDGET (lowering one of the two quotas raises the other
 * if needed), and a domain whose open transactions the model estimates
 * (generously) at more than half of it has its oldest one aborted.
 */
#define MIN_BUDGET (1024 * 1024)

static size_t tx_budget(Run *r, unsigned int dom)
{
    return 2 * (size_t)r->m.quota[dom][XS_QUOTA_TX_NODES] *
           r->m.quota[dom][XS_QUOTA_NODE_SIZE];
}

/* A domain over half its budget, or -1. */
static int domain_over_budget(Run *r)
{
    for (unsigned int d = 1; d < MODEL_NDOMS; d++) {
        size_t est = model_tx_bytes(&r->m, d);
        size_t budget = tx_budget(r, d);
        unsigned int permille = MIN(est * 1000 / budget, 100000);

        r->budget_permille = MAX(r->budget_permille, permille);
        if (est > budget / 2) {
            return d;
        }
    }
    return -1;
}

/* The other of the two quotas of the budget, or XS_QUOTA__MAX. */
static XsQuota budget_partner(XsQuota q)
{
    return q == XS_QUOTA_TX_NODES ? XS_QUOTA_NODE_SIZE :
           q == XS_QUOTA_NODE_SIZE ? XS_QUOTA_TX_NODES : XS_QUOTA__MAX;
}

static void random_step(Run *r)
{
    unsigned int dom = g_rand_int_range(r->rand, 0, 10) < 3 ? 0 :
                       g_rand_int_range(r->rand, 1, MODEL_NDOMS);
    int k = g_rand_int_range(r->rand, 0, 1000);
    xs_transaction_t tx = random_tx(r, dom);
    g_autofree char *path = random_path(r, dom, tx);
    g_autofree char *spath = short_path(path);
    g_autofree char *pdesc = g_strdup_printf("dom %u tx %u %s", dom, tx,
                                             spath);
    int kind;
    int over = domain_over_budget(r);

    r->last_ret = 0;
    if (over >= 0) {
        MTx *oldest = NULL;

        for (guint i = 0; i < r->m.txs->len && !oldest; i++) {
            MTx *t = r->m.txs->pdata[i];

            oldest = t->dom == (unsigned)over ? t : NULL;
        }
        r->budget_aborts++;
        remember(r, g_strdup_printf("transaction_end dom %d tx %u abort "
                                    "(near its memory budget)", over,
                                    oldest->id));
        op_tx_end(r, over, oldest->id, false);
        r->stats[9][MIN((unsigned)r->last_ret, 127)]++;
        check_events(r);
        return;
    }

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
    } else if (k < 380) {
        kind = 2;
        remember(r, g_strdup_printf("mkdir %s", pdesc));
        op_write(r, dom, tx, path, NULL, true);
    } else if (k < 460) {
        kind = 3;
        remember(r, g_strdup_printf("rm %s", pdesc));
        op_rm(r, dom, tx, path);
    } else if (k < 560) {
        kind = 4;
        remember(r, g_strdup_printf("directory %s", pdesc));
        op_directory(r, dom, tx, path);
    } else if (k < 610) {
        kind = 5;
        remember(r, g_strdup_printf("get_perms %s", pdesc));
        op_get_perms(r, dom, tx, path);
    } else if (k < 680) {
        GList *perms = random_perms(r, dom);
        g_autofree char *pd = join_list(perms);

        kind = 6;
        remember(r, g_strdup_printf("set_perms %s %s", pdesc, pd));
        op_set_perms(r, dom, tx, path, perms);
        g_list_free_full(perms, g_free);
    } else if (k < 750) {
        kind = 7;
        remember(r, g_strdup_printf("transaction_start dom %u", dom));
        op_tx_start(r, dom);
    } else if (k < 840) {
        bool commit = g_rand_int_range(r->rand, 0, 4) != 0;

        if (tx == XBT_NULL && g_rand_int_range(r->rand, 0, 8)) {
            tx = own_tx(r, dom);
        }
        kind = commit ? 8 : 9;
        remember(r, g_strdup_printf("transaction_end dom %u tx %u %s", dom,
                                    tx, commit ? "commit" : "abort"));
        op_tx_end(r, dom, tx, commit);
    } else if (k < 910) {
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
        unsigned int d = g_rand_int_range(r->rand, 1, MODEL_MAX_DOMID);

        kind = 14;
        remember(r, g_strdup_printf("introduce_domain %u", d));
        op_introduce(r, d);
    } else if (k < 995) {
        unsigned int d = g_rand_int_range(r->rand, 1, MODEL_MAX_DOMID);

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
        unsigned int d = g_rand_int_range(r->rand, 1, MODEL_NDOMS);
        unsigned int v = g_rand_int_range(r->rand, range[i].lo,
                                          range[i].hi + 1);
        XsQuota other = budget_partner(range[i].q);
        unsigned int need = 0;

        if (other != XS_QUOTA__MAX &&
            2 * (size_t)v * r->m.quota[d][other] < MIN_BUDGET) {
            need = (MIN_BUDGET + 2 * v - 1) / (2 * v);
        }
        kind = 16;
        remember(r, need ? g_strdup_printf("set_quota dom %u %s %u and "
                                           "%s %u", d,
                                           xs_quota_name(range[i].q), v,
                                           xs_quota_name(other), need)
                         : g_strdup_printf("set_quota dom %u %s %u", d,
                                           xs_quota_name(range[i].q), v));
        check_ret(r, xs_impl_set_quota(r->s, d, range[i].q, v), 0);
        r->m.quota[d][range[i].q] = v;
        if (need) {
            check_ret(r, xs_impl_set_quota(r->s, d, other, need), 0);
            r->m.quota[d][other] = need;
        }
    }
    r->stats[kind][MIN((unsigned)r->last_ret, 127)]++;
    check_events(r);
}

static void print_model_stats(Run *r)
{
    static const char *const src[] = { "domain 0", "a guest", "a commit" };
    const MStats *st = &r->m.stats;

    for (int i = 0; i < 3; i++) {
        g_test_message("changes by %-8s to nodes an open transaction "
                       "depends on %u, changed %u, created %u", src[i],
                       st->hit_dep[i], st->hit_changed[i],
                       st->hit_created[i]);
    }
    g_test_message("... of which new owners %u; subtree removals %u; "
                   "answers in transactions that differ from the store "
                   "%u", st->hit_owner, st->hit_subtree, st->stale);
    g_test_message("commits applied %u (%u after others' changes), "
                   "EAGAIN for CONTENT %u, ALL %u, created node %u, "
                   "quota %u", st->commit_ok, st->commit_ok_busy,
                   st->eagain[0], st->eagain[1], st->eagain[2],
                   st->commit_quota);
    g_test_message("memory estimate up to %u.%u%% of a budget; %u "
                   "transactions aborted near it", r->budget_permille / 10,
                   r->budget_permille % 10, r->budget_aborts);
}

static void print_stats(Run *r)
{
    for (guint k = 0; k < ARRAY_SIZE(op_names); k++) {
        GString *line = g_string_new(NULL);

        for (guint e = 0; e < ARRAY_SIZE(r->stats[k]); e++) {
            if (r->stats[k][e]) {
                g_string_append_printf(line, " %s %u", xt_errname(e),
                                       r->stats[k][e]);
            }
        }
        g_test_message("%-18s%s", op_names[k], line->str);
        g_string_free(line, true);
    }
}

/* ---- set-up ---- */

static void set_quota(Run *r, unsigned int dom, XsQuota q, unsigned int v)
{
    g_assert_cmpint(xs_impl_set_quota(r->s, dom, q, v), ==, 0);
    r->m.quota[dom][q] = v;
}

/*
 * Through the calls under test: dom 0 makes the guests' homes (owned by
 * each guest, readable by the next one) and a shared /t.  Domain 3
 * controls domain 2 (SET_TARGET) and has small quotas; domain 2 a small
 * node size and path length.  Both get a large partner quota (node size,
 * transaction nodes) for their transaction memory budget.
 */
static void set_up(Run *r)
{
    Model *m = &r->m;

    for (unsigned int d = 1; d < MODEL_NDOMS; d++) {
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
    /* Transaction memory budgets far above what the run uses. */
    set_quota(r, 3, XS_QUOTA_NODE_SIZE, 65536);
    set_quota(r, 2, XS_QUOTA_TX_NODES, 8192);
    set_quota(r, 2, XS_QUOTA_PATH_MAX, 24);
    check_events(r);
}

static void run_free(Run *r)
{
    xs_impl_destroy(r->s);
    model_destroy(&r->m);
    g_ptr_array_free(r->seen, true);
    g_hash_table_destroy(r->gen_seen);
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
    for (int i = 0; i < NCONNS; i++) {
        r.conns[i].index = i;
        r.conns[i].events = r.seen;
    }
    model_init(&r.m);
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
    print_model_stats(&r);
    run_free(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-random/ops", test_random_ops);
    return g_test_run();
}
