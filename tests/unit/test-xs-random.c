/*
 * Randomized test of the XenStore database against a reference model
 * written independently (xs-model.c): every call's result and watch
 * events must match the model's.  XS_RANDOM_SEED (a number, or "random")
 * and XS_RANDOM_STEPS choose a run; the default seed is fixed.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-errors.h"
#include "xs-model.h"
#include "xs-random.h"

/* The calls counted in Run.stats, by index. */
static const char *const op_names[] = {
    "read", "write", "mkdir", "rm", "directory", "get_perms", "set_perms",
    "transaction_start", "commit", "abort", "watch", "unwatch",
    "reset_watches", "unwatch_all", "introduce_domain", "release_domain",
    "set_quota",
};

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
