/*
 * The randomized model test's calls: each runs on the store and on the
 * model and their answers, values, lists and events are compared; the
 * whole store against the model, and the save/load round trip.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-errors.h"
#include "xs-model.h"
#include "xs-random.h"

/* ---- comparing results ---- */

/* Printable form of len bytes (at most max), for messages. */
char *escape_bytes(const uint8_t *data, size_t len, size_t max)
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

char *join_list(GList *l)
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
void check_events(Run *r)
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

void op_read(Run *r, unsigned int dom, xs_transaction_t id,
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

void op_directory(Run *r, unsigned int dom, xs_transaction_t id,
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

void op_get_perms(Run *r, unsigned int dom, xs_transaction_t id,
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

void op_set_perms(Run *r, unsigned int dom, xs_transaction_t id,
                  const char *path, GList *list)
{
    int ret = xs_impl_set_perms(r->s, dom, id, path, list);

    check_ret(r, ret, model_set_perms(&r->m, dom, id, path, list));
}

/* value is NULL for mkdir. */
void op_write(Run *r, unsigned int dom, xs_transaction_t id,
              const char *path, GByteArray *value, bool mkdir)
{
    int ret = mkdir ? xs_impl_mkdir(r->s, dom, id, path)
                    : xs_impl_write(r->s, dom, id, path, value);

    check_ret(r, ret, model_write(&r->m, dom, id, path, value, mkdir));
}

void op_rm(Run *r, unsigned int dom, xs_transaction_t id,
           const char *path)
{
    int ret = xs_impl_rm(r->s, dom, id, path);

    check_ret(r, ret, model_rm(&r->m, dom, id, path));
}

void op_tx_start(Run *r, unsigned int dom)
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

void op_tx_end(Run *r, unsigned int dom, xs_transaction_t id,
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

void op_watch(Run *r, int conn, const char *path, const char *token,
              int depth)
{
    unsigned int dom = conn_dom[conn];
    int ret = xs_impl_watch_depth(r->s, dom, path, token, depth, on_event,
                                  &r->conns[conn]);

    check_ret(r, ret, model_watch(&r->m, dom, conn, path, token, depth));
}

void op_unwatch(Run *r, int conn, const char *path, const char *token)
{
    unsigned int dom = conn_dom[conn];
    int ret = xs_impl_unwatch(r->s, dom, path, token, on_event,
                              &r->conns[conn]);

    check_ret(r, ret, model_unwatch(&r->m, dom, conn, path, token));
}

void op_reset_watches(Run *r, unsigned int dom)
{
    int ret = xs_impl_reset_watches(r->s, dom);

    model_reset_watches(&r->m, dom);
    check_ret(r, ret, 0);
}

void op_unwatch_all(Run *r, int conn)
{
    xs_impl_unwatch_all(r->s, conn_dom[conn], on_event, &r->conns[conn]);
    model_unwatch_all(&r->m, conn_dom[conn], conn);
}

void op_introduce(Run *r, unsigned int dom)
{
    int ret = xs_impl_introduce_domain(r->s, dom);

    model_introduce(&r->m, dom);
    check_ret(r, ret, 0);
}

void op_release(Run *r, unsigned int dom)
{
    int ret = xs_impl_release_domain(r->s, dom);

    check_ret(r, ret, model_release(&r->m, dom));
    if (xs_impl_is_domain_introduced(r->s, dom) != r->m.introduced[dom]) {
        mismatch(r, "is_domain_introduced(%u) disagrees", dom);
    }
}

/* ---- whole-store comparison and save/load ---- */

void compare_all(Run *r)
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
void round_trip(Run *r)
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
