/*
 * The randomized model test's inputs: paths (hot ones that open
 * transactions depend on), values, permissions, transactions, and the
 * guard that keeps each domain's transactions far below their budget.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-errors.h"
#include "xs-model.h"
#include "xs-random.h"

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
char *random_path(Run *r, unsigned int dom, xs_transaction_t tx)
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

GByteArray *random_value(Run *r)
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

GList *random_perms(Run *r, unsigned int dom)
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
xs_transaction_t random_tx(Run *r, unsigned int dom)
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
xs_transaction_t own_tx(Run *r, unsigned int dom)
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

char *describe_value(GByteArray *v)
{
    return escape_bytes(v->data, v->len, 16);
}

void remember(Run *r, char *desc)
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
char *short_path(const char *p)
{
    if (strlen(p) > 60) {
        return g_strdup_printf("%.24s...(%zu bytes)", p, strlen(p));
    }
    return g_strdup(p);
}

static size_t tx_budget(Run *r, unsigned int dom)
{
    return 2 * (size_t)r->m.quota[dom][XS_QUOTA_TX_NODES] *
           r->m.quota[dom][XS_QUOTA_NODE_SIZE];
}

/* A domain over half its budget, or -1. */
int domain_over_budget(Run *r)
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
XsQuota budget_partner(XsQuota q)
{
    return q == XS_QUOTA_TX_NODES ? XS_QUOTA_NODE_SIZE :
           q == XS_QUOTA_NODE_SIZE ? XS_QUOTA_TX_NODES : XS_QUOTA__MAX;
}
