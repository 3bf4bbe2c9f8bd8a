/*
 * The store's saved state (xenstore_impl_save.c) through the public
 * calls: a store with every kind of record saves, loads and saves again
 * to the same bytes; cut or corrupted streams are refused cleanly.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-node-helpers.h"
#include "xs-sample-stores.h"

/* The sample: every record kind, its watches on one recorder. */
typedef struct Sample {
    XenstoreImplState *s;
    XtRecorder *rec;
    xs_transaction_t t1, t2, doomed;
} Sample;

static void sample_init(Sample *sm)
{
    sm->rec = xt_rec_new();
    sm->s = xt_store_new();
    xt_sample_booted_guest(sm->s, xt_rec_fn, sm->rec);
    xt_sample_limits(sm->s);
    xt_sample_open_transactions(sm->s, &sm->t1, &sm->t2);
    xt_sample_more_records(sm->s, &sm->doomed);
    xt_rec_take(sm->rec);
}

static void sample_destroy(Sample *sm)
{
    xs_impl_destroy(sm->s);
    xt_rec_free(sm->rec);
}

static bool same_bytes(const GByteArray *a, const GByteArray *b)
{
    return a->len == b->len && (!a->len || !memcmp(a->data, b->data, a->len));
}

static GByteArray *bytes_of(const uint8_t *data, size_t len)
{
    GByteArray *b = g_byte_array_sized_new(len);

    g_byte_array_append(b, data, len);
    return b;
}

/* A store to load into, with content and a watch of its own. */
static XenstoreImplState *target_new(XtRecorder *rec)
{
    XenstoreImplState *t = xt_store_new();

    xt_make(t, "/target/node", "before", "n0,r2");
    g_assert_cmpint(xt_watch(t, OTHER, "/target", "tw", rec), ==, 0);
    xt_rec_take(rec);
    return t;
}

/* Loaded into a fresh store as guest 1, with its watches on rec. */
static XenstoreImplState *load_fresh(GByteArray *bytes, XtRecorder *rec)
{
    XenstoreImplState *t = xs_impl_create(GUEST);

    g_assert_cmpint(xs_impl_deserialize(t, bytes, GUEST, xt_rec_fn, rec),
                    ==, 0);
    return t;
}

/*
 * What the two stores answer to domain 0 and the guests, outside
 * transactions: the tree, domains, quotas, features, special paths.
 */
static char *answers(XenstoreImplState *s)
{
    GString *out = g_string_new("");
    g_autofree char *tree = xt_dump_store(s);
    static const char *const specials[] = {
        "@introduceDomain", "@releaseDomain",
    };

    g_string_append(out, tree);
    for (unsigned int d = 0; d <= THIRD; d++) {
        g_string_append_printf(out, "dom%u priv %d intro %d nodes %u "
                               "features %#x quotas", d,
                               xs_impl_is_privileged(s, d),
                               xs_impl_is_domain_introduced(s, d),
                               xs_impl_domain_nodes(s, d),
                               xs_impl_get_features(s, d));
        for (XsQuota q = 0; q < XS_QUOTA__MAX; q++) {
            g_string_append_printf(out, " %u", xs_impl_get_quota(s, d, q));
        }
        g_string_append_c(out, '\n');
    }
    for (XsQuota q = 0; q < XS_QUOTA__MAX; q++) {
        g_string_append_printf(out, "default %s %u\n", xs_quota_name(q),
                               xs_impl_get_quota(s, XS_QUOTA_DEFAULT_DOMID,
                                                 q));
    }
    for (size_t i = 0; i < ARRAY_SIZE(specials); i++) {
        g_autofree char *p = NULL;

        g_assert_cmpint(xt_get_perms(s, DOM0, XBT_NULL, specials[i], &p),
                        ==, 0);
        g_string_append_printf(out, "%s %s\n", specials[i], p);
    }
    /* Domain 2 controls guest 1: it may write the guest's own node. */
    g_string_append_printf(out, "target %d\n",
                           xt_write(s, OTHER, XBT_NULL,
                                    "/local/domain/1/data/by-target", "t"));
    return g_string_free(out, FALSE);
}

/*
 * What the guest's transactions see and how their commits end.  The
 * doomed one is only asked to commit: before the save its requests still
 * answer, after a load they answer EAGAIN.
 */
static char *tx_answers(XenstoreImplState *s, const Sample *sm)
{
    g_autofree char *leaf = NULL, *perms = NULL, *dir = NULL;
    int leaf_ret, dir_ret, perms_ret, c1, c2, c3;

    /* One call at a time: the order matters, argument order is free. */
    leaf_ret = xt_read(s, GUEST, sm->t1, "data/new/leaf", &leaf);
    dir_ret = xt_read(s, GUEST, sm->t1, "device/vif/0/state", &dir);
    perms_ret = xt_get_perms(s, GUEST, sm->t2, "data", &perms);
    c1 = xs_impl_transaction_end(s, GUEST, sm->t1, true);
    c2 = xs_impl_transaction_end(s, GUEST, sm->t2, true);
    c3 = xs_impl_transaction_end(s, GUEST, sm->doomed, true);
    return g_strdup_printf("t1 leaf %d %s vif %d t2 perms %d %s "
                           "commits %d %d %d", leaf_ret, leaf, dir_ret,
                           perms_ret, perms, c1, c2, c3);
}

/* Changes that fire each of the guest's watches. */
static void fire_watches(XenstoreImplState *s)
{
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL,
                             "/local/domain/1/device/vbd/0", "1"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL,
                             "/local/domain/1/data/a/deep", "2"), ==, 0);
    g_assert_cmpint(xt_write(s, DOM0, XBT_NULL,
                             "/local/domain/1/data/top", "3"), ==, 0);
    g_assert_cmpint(xs_impl_introduce_domain(s, THIRD), ==, 0);
    g_assert_cmpint(xs_impl_release_domain(s, THIRD), ==, 0);
}

/*
 * Saved, loaded into a fresh store and saved again: the same bytes, and
 * the loaded store answers as the original does, transactions and
 * watches included.
 */
static void test_round_trip(void)
{
    Sample sm;
    g_autoptr(XtRecorder) rec = xt_rec_new();
    g_autoptr(GByteArray) saved = NULL, again = NULL;
    g_autoptr(XenstoreImplState) loaded = NULL;
    g_autofree char *want = NULL, *got = NULL;
    g_autofree char *want_tx = NULL, *got_tx = NULL;
    g_autofree char *want_ev = NULL;

    g_autofree char *late = NULL;

    sample_init(&sm);
    saved = xs_impl_serialize(sm.s);
    loaded = load_fresh(saved, rec);
    again = xs_impl_serialize(loaded);
    g_assert_cmpmem(again->data, again->len, saved->data, saved->len);
    g_assert_cmpint(xt_read(loaded, GUEST, sm.doomed, "data/late", &late),
                    ==, EAGAIN);

    want = answers(sm.s);
    got = answers(loaded);
    g_assert_cmpstr(got, ==, want);
    want_tx = tx_answers(sm.s, &sm);
    got_tx = tx_answers(loaded, &sm);
    g_test_message("transactions: %s", want_tx);
    g_assert_cmpstr(got_tx, ==, want_tx);
    /* The first commits, the second too, the doomed one cannot. */
    g_assert_true(g_str_has_suffix(want_tx, "commits 0 0 11"));
    g_free(want);
    g_free(got);
    want = xt_dump_store(sm.s);
    got = xt_dump_store(loaded);
    g_assert_cmpstr(got, ==, want);

    xt_rec_take(sm.rec);
    xt_rec_take(rec);
    fire_watches(sm.s);
    fire_watches(loaded);
    want_ev = g_strdup(xt_rec_take(sm.rec));
    g_assert_cmpstr(want_ev, !=, "");
    g_assert_cmpstr(xt_rec_take(rec), ==, want_ev);
    sample_destroy(&sm);
}

/* Every proper prefix of the stream is refused; the target is as it was. */
static void test_truncated(void)
{
    Sample sm;
    g_autoptr(XtRecorder) rec = xt_rec_new();
    g_autoptr(GByteArray) saved = NULL, before = NULL;
    g_autoptr(XenstoreImplState) t = NULL;

    sample_init(&sm);
    saved = xs_impl_serialize(sm.s);
    t = target_new(rec);
    before = xs_impl_serialize(t);
    for (guint len = 0; len < saved->len; len++) {
        g_autoptr(GByteArray) cut = bytes_of(saved->data, len);
        g_autoptr(GByteArray) after = NULL;
        int ret = xs_impl_deserialize(t, cut, GUEST, xt_rec_fn, rec);

        if (ret <= 0) {
            g_error("a stream cut to %u of %u bytes: %d", len, saved->len,
                    ret);
        }
        after = xs_impl_serialize(t);
        g_assert_true(same_bytes(after, before));
    }
    /* A refused load fires nothing. */
    g_assert_cmpuint(rec->count, ==, 0);
    sample_destroy(&sm);
}

/*
 * An accepted stream gives a store that saves, loads again and saves to
 * the same bytes, and whose tree domain 0 reads whole.
 */
static void check_accepted(GByteArray *stream)
{
    g_autoptr(XtRecorder) rec = xt_rec_new();
    g_autoptr(XenstoreImplState) a = load_fresh(stream, rec);
    g_autoptr(GByteArray) sa = xs_impl_serialize(a);
    g_autoptr(XenstoreImplState) b = load_fresh(sa, rec);
    g_autoptr(GByteArray) sb = xs_impl_serialize(b);
    g_autofree char *da = NULL, *db = NULL;

    g_assert_cmpmem(sb->data, sb->len, sa->data, sa->len);
    /* The stream may take domain 0's privilege away: look as it. */
    xs_impl_set_privileged(a, DOM0, true);
    xs_impl_set_privileged(b, DOM0, true);
    da = xt_dump_store(a);
    db = xt_dump_store(b);
    g_assert_cmpstr(db, ==, da);
}

/*
 * Each byte in turn changed (all bits, then the lowest): either the
 * load is refused and the target is as it was, or the loaded store is
 * consistent.  Returns how many were accepted.
 */
static unsigned int corrupt_each_byte(GByteArray *saved, uint8_t mask)
{
    g_autoptr(XtRecorder) rec = xt_rec_new();
    XenstoreImplState *t = target_new(rec);
    g_autoptr(GByteArray) before = xs_impl_serialize(t);
    unsigned int accepted = 0;

    for (guint i = 0; i < saved->len; i++) {
        g_autoptr(GByteArray) bad = bytes_of(saved->data, saved->len);
        int ret;

        bad->data[i] ^= mask;
        ret = xs_impl_deserialize(t, bad, GUEST, xt_rec_fn, rec);
        if (ret) {
            g_autoptr(GByteArray) after = xs_impl_serialize(t);

            if (ret < 0) {
                g_error("byte %u ^ %#x: %d", i, mask, ret);
            }
            g_assert_true(same_bytes(after, before));
            continue;
        }
        accepted++;
        check_accepted(bad);
        /* t took the stream: a new target for the next one. */
        xs_impl_destroy(t);
        t = target_new(rec);
    }
    xs_impl_destroy(t);
    return accepted;
}

static void test_corrupted(void)
{
    Sample sm;
    g_autoptr(GByteArray) saved = NULL;
    unsigned int all, low;

    sample_init(&sm);
    saved = xs_impl_serialize(sm.s);
    all = corrupt_each_byte(saved, 0xff);
    low = corrupt_each_byte(saved, 0x01);
    g_test_message("%u bytes: %u and %u changed streams accepted",
                   saved->len, all, low);
    sample_destroy(&sm);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-save/round-trip", test_round_trip);
    g_test_add_func("/xs-save/truncated", test_truncated);
    g_test_add_func("/xs-save/corrupted", test_corrupted);
    return g_test_run();
}
