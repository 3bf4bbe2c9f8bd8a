/*
 * Tests of the XenStore wire codec: domain management and the other
 * privileged types (refused to guests), targets, features, quotas and
 * CONTROL.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_wire.h"
#include "xs-wire-fixture.h"

/* ---- domain management and privileged types ---- */

static void test_get_domain_path(void)
{
    Fix *f = fix_new();
    Reply r;

    REQ(&f->guest, XS_GET_DOMAIN_PATH, 0, "1\0", &r);
    ASSERT_REPLY(&r, XS_GET_DOMAIN_PATH, "/local/domain/1\0");
    REQ(&f->dom0, XS_GET_DOMAIN_PATH, 0, "32751\0", &r);
    ASSERT_REPLY(&r, XS_GET_DOMAIN_PATH, "/local/domain/32751\0");
    REQ(&f->guest, XS_GET_DOMAIN_PATH, 0, "0\0", &r);
    ASSERT_REPLY(&r, XS_GET_DOMAIN_PATH, "/local/domain/0\0");
    static const char *const bad[] = {
        "", "x", "-1", "1x", " 1", "32752", "4294967296", "0x1",
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        request(&f->guest, XS_GET_DOMAIN_PATH, 0, bad[i],
                strlen(bad[i]) + 1, &r);
        assert_error(&r, "EINVAL");
    }
    REQ(&f->guest, XS_GET_DOMAIN_PATH, 0, "1", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_GET_DOMAIN_PATH, 0, "1\0" "2\0", &r);
    assert_error(&r, "EINVAL");
    fix_free(f);
}

static void test_privileged_refused(void)
{
    static const struct {
        uint32_t type;
        const char *payload;
        size_t len;
    } ops[] = {
        { XS_CONTROL, "help\0", 5 },
        { XS_INTRODUCE, "2\0" "100\0" "5\0", 8 },
        { XS_RELEASE, "1\0", 2 },
        { XS_IS_DOMAIN_INTRODUCED, "1\0", 2 },
        { XS_RESUME, "1\0", 2 },
        { XS_SET_TARGET, "1\0" "2\0", 4 },
        { XS_SET_FEATURE, "1\0" "0\0", 4 },
        { XS_SET_QUOTA, "nodes\0" "5\0", 8 },
        { XS_SET_QUOTA, "1\0nodes\0" "5\0", 10 },
        { XS_GET_QUOTA, "2\0nodes\0", 8 },
        { XS_GET_QUOTA, "0\0nodes\0", 8 },
        { XS_GET_FEATURE, "2\0", 2 },
        { XS_GET_FEATURE, "0\0", 2 },
    };
    Fix *f = fix_new();
    Reply r;

    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        request(&f->guest, ops[i].type, 0, ops[i].payload, ops[i].len, &r);
        assert_error(&r, "EACCES");
    }
    /* Nothing changed. */
    g_assert(!xs_impl_is_domain_introduced(f->s, 2));
    g_assert_cmpuint(xs_impl_get_quota(f->s, XS_QUOTA_DEFAULT_DOMID,
                                       XS_QUOTA_NODES), ==, 1000);
    g_assert_cmpuint(xs_impl_get_features(f->s, GUEST), ==,
                     XS_IMPL_DEFAULT_FEATURES);

    /* A domain made unprivileged loses them too. */
    xs_impl_set_privileged(f->s, DOMID_QEMU, false);
    REQ(&f->dom0, XS_RELEASE, 0, "1\0", &r);
    assert_error(&r, "EACCES");
    fix_free(f);
}

/*
 * INTRODUCE, RELEASE, RESUME, SET_TARGET (either domid), SET_QUOTA and
 * SET_FEATURE naming domain 0 or another privileged domain: EINVAL, and
 * the other domain-0 connection keeps its watches and transactions.  The
 * GET_* types still answer for them, and SET_QUOTA without a domid still
 * sets the default.
 */
static void test_privileged_domid_einval(void)
{
    static const char *const domids[] = { "0", "7" };
    Fix *f = fix_new();
    uint32_t txb;
    Reply r;

    REQ(&f->dom0, XS_INTRODUCE, 0, "7\0" "100\0" "5\0", &r);
    ASSERT_OK(&r, XS_INTRODUCE);
    xs_impl_set_privileged(f->s, 7, true);
    REQ(&f->dom0b, XS_WATCH, 0, "/w\0b\0", &r);
    REQ(&f->dom0b, XS_WATCH, 0, "@introduceDomain\0in\0", &r);
    REQ(&f->dom0b, XS_WATCH, 0, "@releaseDomain\0out\0", &r);
    txb = start_tx(&f->dom0b);
    g_ptr_array_set_size(f->ev_dom0b, 0);

    for (size_t i = 0; i < ARRAY_SIZE(domids); i++) {
        const char *d = domids[i];
        const struct {
            uint32_t type;
            const char *parts[3];
            int n;
        } ops[] = {
            { XS_INTRODUCE, { d, "100", "5" }, 3 },
            { XS_RELEASE, { d }, 1 },
            { XS_RESUME, { d }, 1 },
            { XS_SET_TARGET, { d, "1" }, 2 },
            { XS_SET_TARGET, { "1", d }, 2 },
            { XS_SET_TARGET, { d, "32756" }, 2 },
            { XS_SET_QUOTA, { d, "nodes", "5" }, 3 },
            { XS_SET_FEATURE, { d, "1" }, 2 },
        };

        for (size_t j = 0; j < ARRAY_SIZE(ops); j++) {
            char buf[64];
            size_t len = build(buf, sizeof(buf), ops[j].parts, ops[j].n);

            request(&f->dom0, ops[j].type, 0, buf, len, &r);
            assert_error(&r, "EINVAL");
        }
    }

    /* Nothing changed. */
    REQ(&f->dom0, XS_IS_DOMAIN_INTRODUCED, 0, "0\0", &r);
    ASSERT_REPLY(&r, XS_IS_DOMAIN_INTRODUCED, "F\0");
    REQ(&f->dom0, XS_IS_DOMAIN_INTRODUCED, 0, "7\0", &r);
    ASSERT_REPLY(&r, XS_IS_DOMAIN_INTRODUCED, "T\0");
    REQ(&f->dom0, XS_GET_QUOTA, 0, "0\0nodes\0", &r);
    ASSERT_REPLY(&r, XS_GET_QUOTA, "1000\0");
    REQ(&f->dom0, XS_GET_FEATURE, 0, "0\0", &r);
    ASSERT_REPLY(&r, XS_GET_FEATURE, "7\0");
    REQ(&f->dom0, XS_GET_FEATURE, 0, "7\0", &r);
    ASSERT_REPLY(&r, XS_GET_FEATURE, "7\0");
    g_assert_cmpuint(f->ev_dom0b->len, ==, 0);
    REQ(&f->dom0, XS_WRITE, 0, "/w\0", &r);
    ASSERT_OK(&r, XS_WRITE);
    g_assert_cmpuint(f->ev_dom0b->len, ==, 1);
    g_assert_cmpstr(f->ev_dom0b->pdata[0], ==, "/w|b");
    REQ(&f->dom0b, XS_WRITE, txb, "/wb\0", &r);   /* not under the new /w */
    ASSERT_OK(&r, XS_WRITE);
    REQ(&f->dom0b, XS_TRANSACTION_END, txb, "T\0", &r);
    ASSERT_OK(&r, XS_TRANSACTION_END);

    /* The default quota is still the privileged caller's to set. */
    REQ(&f->dom0, XS_SET_QUOTA, 0, "nodes\0" "900\0", &r);
    ASSERT_OK(&r, XS_SET_QUOTA);
    REQ(&f->dom0, XS_GET_QUOTA, 0, "nodes\0", &r);
    ASSERT_REPLY(&r, XS_GET_QUOTA, "900\0");
    fix_free(f);
}

/*
 * RESET_WATCHES from one domain-0 connection drops its own watches and
 * transactions only; the other domain-0 connection keeps its own.  Even
 * a session of domain 0 marked domain-wide resets only itself.
 */
static void test_reset_watches_dom0_clients(void)
{
    Fix *f = fix_new();
    GPtrArray *ev = g_ptr_array_new_with_free_func(g_free);
    XsWireSession wide0;
    uint32_t tx, txb;
    Reply r;

    xs_wire_session_init(&wide0, f->s, DOMID_QEMU, true, record_event, ev);
    REQ(&f->dom0, XS_WATCH, 0, "/w\0a\0", &r);
    REQ(&f->dom0b, XS_WATCH, 0, "/w\0b\0", &r);
    REQ(&wide0, XS_WATCH, 0, "/w\0c\0", &r);
    tx = start_tx(&f->dom0);
    txb = start_tx(&f->dom0b);

    REQ(&f->dom0, XS_RESET_WATCHES, 0, "\0", &r);
    ASSERT_OK(&r, XS_RESET_WATCHES);
    REQ(&wide0, XS_RESET_WATCHES, 0, "\0", &r);
    ASSERT_OK(&r, XS_RESET_WATCHES);
    g_ptr_array_set_size(f->ev_dom0, 0);
    g_ptr_array_set_size(f->ev_dom0b, 0);
    g_ptr_array_set_size(ev, 0);
    REQ(&f->dom0b, XS_WRITE, 0, "/w\0", &r);
    g_assert_cmpuint(f->ev_dom0->len, ==, 0);
    g_assert_cmpuint(ev->len, ==, 0);
    g_assert_cmpuint(f->ev_dom0b->len, ==, 1);
    g_assert_cmpstr(f->ev_dom0b->pdata[0], ==, "/w|b");
    REQ(&f->dom0, XS_TRANSACTION_END, tx, "F\0", &r);
    assert_error(&r, "ENOENT");
    g_assert_cmpint(xs_impl_transaction_end(f->s, DOMID_QEMU, tx, false),
                    ==, ENOENT);
    REQ(&f->dom0b, XS_WRITE, txb, "/wb\0", &r);   /* not under the new /w */
    ASSERT_OK(&r, XS_WRITE);
    REQ(&f->dom0b, XS_TRANSACTION_END, txb, "T\0", &r);
    ASSERT_OK(&r, XS_TRANSACTION_END);
    REQ(&f->dom0b, XS_UNWATCH, 0, "/w\0b\0", &r);
    ASSERT_OK(&r, XS_UNWATCH);
    xs_wire_session_destroy(&wide0);
    g_ptr_array_unref(ev);
    fix_free(f);
}

static void test_domains(void)
{
    Fix *f = fix_new();
    Reply r;

    REQ(&f->dom0, XS_WATCH, 0, "@introduceDomain\0intro\0", &r);
    REQ(&f->dom0, XS_WATCH, 0, "@releaseDomain\0rel\0", &r);
    g_ptr_array_set_size(f->ev_dom0, 0);

    REQ(&f->dom0, XS_IS_DOMAIN_INTRODUCED, 0, "5\0", &r);
    ASSERT_REPLY(&r, XS_IS_DOMAIN_INTRODUCED, "F\0");
    REQ(&f->dom0, XS_INTRODUCE, 0, "5\0" "4096\0" "3\0", &r);
    ASSERT_OK(&r, XS_INTRODUCE);
    g_assert_cmpuint(f->ev_dom0->len, ==, 1);
    g_assert_cmpstr(f->ev_dom0->pdata[0], ==, "@introduceDomain|intro");
    REQ(&f->dom0, XS_IS_DOMAIN_INTRODUCED, 0, "5\0", &r);
    ASSERT_REPLY(&r, XS_IS_DOMAIN_INTRODUCED, "T\0");
    /* A reserved field after the three is allowed. */
    REQ(&f->dom0, XS_INTRODUCE, 0, "6\0" "1\0" "2\0\0", &r);
    ASSERT_OK(&r, XS_INTRODUCE);
    REQ(&f->dom0, XS_INTRODUCE, 0, "6\0" "1\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_INTRODUCE, 0, "6\0" "x\0" "2\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_INTRODUCE, 0, "32767\0" "1\0" "2\0", &r);
    assert_error(&r, "EINVAL");

    REQ(&f->dom0, XS_RESUME, 0, "5\0", &r);
    ASSERT_OK(&r, XS_RESUME);
    REQ(&f->dom0, XS_RESUME, 0, "7\0", &r);
    assert_error(&r, "ENOENT");
    REQ(&f->dom0, XS_RESUME, 0, "x\0", &r);
    assert_error(&r, "EINVAL");

    g_ptr_array_set_size(f->ev_dom0, 0);
    REQ(&f->dom0, XS_RELEASE, 0, "5\0", &r);
    ASSERT_OK(&r, XS_RELEASE);
    g_assert_cmpuint(f->ev_dom0->len, ==, 1);
    g_assert_cmpstr(f->ev_dom0->pdata[0], ==, "@releaseDomain|rel");
    REQ(&f->dom0, XS_IS_DOMAIN_INTRODUCED, 0, "5\0", &r);
    ASSERT_REPLY(&r, XS_IS_DOMAIN_INTRODUCED, "F\0");
    REQ(&f->dom0, XS_RELEASE, 0, "5\0", &r);
    assert_error(&r, "ENOENT");
    REQ(&f->dom0, XS_RELEASE, 0, "5", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_IS_DOMAIN_INTRODUCED, 0, "", &r);
    assert_error(&r, "EINVAL");
    fix_free(f);
}

static void test_set_target(void)
{
    Fix *f = fix_new();
    XsWireSession dom2;
    GPtrArray *ev = g_ptr_array_new_with_free_func(g_free);
    Reply r;

    xs_wire_session_init(&dom2, f->s, 2, true, record_event, ev);
    REQ(&f->guest, XS_WRITE, 0, "secret\0s", &r);
    REQ(&dom2, XS_READ, 0, "/local/domain/1/secret\0", &r);
    assert_error(&r, "EACCES");
    REQ(&f->dom0, XS_SET_TARGET, 0, "2\0" "1\0", &r);
    ASSERT_OK(&r, XS_SET_TARGET);
    REQ(&dom2, XS_READ, 0, "/local/domain/1/secret\0", &r);
    ASSERT_REPLY(&r, XS_READ, "s");
    /* DOMID_INVALID clears the target. */
    REQ(&f->dom0, XS_SET_TARGET, 0, "2\0" "32756\0", &r);
    ASSERT_OK(&r, XS_SET_TARGET);
    REQ(&dom2, XS_READ, 0, "/local/domain/1/secret\0", &r);
    assert_error(&r, "EACCES");
    REQ(&f->dom0, XS_SET_TARGET, 0, "2\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_TARGET, 0, "2\0" "32752\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_TARGET, 0, "2\0" "1\0" "3\0", &r);
    assert_error(&r, "EINVAL");
    xs_wire_session_destroy(&dom2);
    g_ptr_array_unref(ev);
    fix_free(f);
}

static void test_features(void)
{
    Fix *f = fix_new();
    Reply r;

    /* Own domain, with or without the domid; empty string = none. */
    REQ(&f->guest, XS_GET_FEATURE, 0, "", &r);
    ASSERT_REPLY(&r, XS_GET_FEATURE, "7\0");
    REQ(&f->guest, XS_GET_FEATURE, 0, "\0", &r);
    ASSERT_REPLY(&r, XS_GET_FEATURE, "7\0");
    REQ(&f->guest, XS_GET_FEATURE, 0, "1\0", &r);
    ASSERT_REPLY(&r, XS_GET_FEATURE, "7\0");
    REQ(&f->dom0, XS_SET_FEATURE, 0, "1\0" "3\0", &r);
    ASSERT_OK(&r, XS_SET_FEATURE);
    g_assert_cmpuint(xs_impl_get_features(f->s, GUEST), ==, 3);
    REQ(&f->dom0, XS_GET_FEATURE, 0, "1\0", &r);
    ASSERT_REPLY(&r, XS_GET_FEATURE, "3\0");
    REQ(&f->guest, XS_GET_FEATURE, 0, "", &r);
    ASSERT_REPLY(&r, XS_GET_FEATURE, "3\0");
    REQ(&f->dom0, XS_GET_FEATURE, 0, "", &r);
    ASSERT_REPLY(&r, XS_GET_FEATURE, "7\0");

    REQ(&f->guest, XS_GET_FEATURE, 0, "1", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_GET_FEATURE, 0, "1\0" "2\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_GET_FEATURE, 0, "z\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_FEATURE, 0, "1\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_FEATURE, 0, "1\0" "-1\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_FEATURE, 0, "1\0" "3", &r);
    assert_error(&r, "EINVAL");
    fix_free(f);
}

static void test_quotas(void)
{
    Fix *f = fix_new();
    g_autoptr(GString) names = g_string_new(NULL);
    Reply r;

    for (XsQuota q = 0; q < XS_QUOTA__MAX; q++) {
        g_string_append_len(names, xs_quota_name(q),
                            strlen(xs_quota_name(q)) + 1);
    }
    /* The list of names, for anyone. */
    REQ(&f->guest, XS_GET_QUOTA, 0, "", &r);
    assert_reply(&r, XS_GET_QUOTA, names->str, names->len);
    REQ(&f->dom0, XS_GET_QUOTA, 0, "", &r);
    assert_reply(&r, XS_GET_QUOTA, names->str, names->len);
    /* Defaults, and the caller's own values. */
    REQ(&f->guest, XS_GET_QUOTA, 0, "nodes\0", &r);
    ASSERT_REPLY(&r, XS_GET_QUOTA, "1000\0");
    REQ(&f->guest, XS_GET_QUOTA, 0, "1\0outstanding\0", &r);
    ASSERT_REPLY(&r, XS_GET_QUOTA, "1024\0");

    REQ(&f->dom0, XS_SET_QUOTA, 0, "1\0nodes\0" "7\0", &r);
    ASSERT_OK(&r, XS_SET_QUOTA);
    REQ(&f->guest, XS_GET_QUOTA, 0, "1\0nodes\0", &r);
    ASSERT_REPLY(&r, XS_GET_QUOTA, "7\0");
    REQ(&f->dom0, XS_GET_QUOTA, 0, "1\0nodes\0", &r);
    ASSERT_REPLY(&r, XS_GET_QUOTA, "7\0");
    REQ(&f->guest, XS_GET_QUOTA, 0, "nodes\0", &r);
    ASSERT_REPLY(&r, XS_GET_QUOTA, "1000\0");
    REQ(&f->dom0, XS_SET_QUOTA, 0, "watches\0" "64\0", &r);
    ASSERT_OK(&r, XS_SET_QUOTA);
    g_assert_cmpuint(xs_impl_get_quota(f->s, XS_QUOTA_DEFAULT_DOMID,
                                       XS_QUOTA_WATCHES), ==, 64);
    REQ(&f->dom0, XS_GET_QUOTA, 0, "2\0watches\0", &r);
    ASSERT_REPLY(&r, XS_GET_QUOTA, "64\0");

    /* The quota really applies to the guest. */
    for (int i = 0; i < 20; i++) {
        char buf[32];
        size_t len = g_snprintf(buf, sizeof(buf), "data/n%d", i);

        request(&f->guest, XS_WRITE, 0, buf, len + 1, &r);
        if (r.hdr.type == XS_ERROR) {
            assert_error(&r, "ENOSPC");
            break;
        }
        g_assert_cmpint(i, <, 19);
    }

    REQ(&f->dom0, XS_GET_QUOTA, 0, "nosuch\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_GET_QUOTA, 0, "1\0nosuch\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_GET_QUOTA, 0, "x\0nodes\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_GET_QUOTA, 0, "1\0nodes\0extra\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_GET_QUOTA, 0, "nodes", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_QUOTA, 0, "nodes\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_QUOTA, 0, "nosuch\0" "1\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_QUOTA, 0, "nodes\0x\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_QUOTA, 0, "40000\0nodes\0" "1\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_SET_QUOTA, 0, "1\0nodes\0" "1\0" "1\0", &r);
    assert_error(&r, "EINVAL");
    fix_free(f);
}

static void test_control(void)
{
    Fix *f = fix_new();
    Reply r;

    REQ(&f->dom0, XS_CONTROL, 0, "help\0", &r);
    ASSERT_REPLY(&r, XS_CONTROL, "help\nquota\n\0");
    REQ(&f->dom0, XS_CONTROL, 0, "quota\0", &r);
    g_assert_cmpuint(r.hdr.type, ==, XS_CONTROL);
    g_assert(strstr((char *)r.payload, "nodes 1000\n"));
    g_assert(strstr((char *)r.payload, "outstanding 1024\n"));
    REQ(&f->dom0, XS_CONTROL, 0, "quota\0nodes\0" "1234\0", &r);
    ASSERT_REPLY(&r, XS_CONTROL, "OK\0");
    g_assert_cmpuint(xs_impl_get_quota(f->s, XS_QUOTA_DEFAULT_DOMID,
                                       XS_QUOTA_NODES), ==, 1234);
    REQ(&f->guest, XS_WRITE, 0, "data/q\0", &r);
    REQ(&f->dom0, XS_CONTROL, 0, "quota\0" "1\0", &r);
    g_assert_cmpuint(r.hdr.type, ==, XS_CONTROL);
    g_assert(strstr((char *)r.payload, "nodes 1234\n"));
    /* Home (owned by 1) and data, data/q. */
    g_assert(strstr((char *)r.payload, "nodes-owned 3\n"));

    REQ(&f->dom0, XS_CONTROL, 0, "nosuch\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_CONTROL, 0, "help", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_CONTROL, 0, "", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_CONTROL, 0, "quota\0x\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_CONTROL, 0, "quota\0nosuch\0" "1\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->dom0, XS_CONTROL, 0, "quota\0nodes\0" "1\0" "2\0", &r);
    assert_error(&r, "EINVAL");
    fix_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-wire/get-domain-path", test_get_domain_path);
    g_test_add_func("/xs-wire/privileged-refused", test_privileged_refused);
    g_test_add_func("/xs-wire/privileged-domid-einval",
                    test_privileged_domid_einval);
    g_test_add_func("/xs-wire/reset-watches-dom0-clients",
                    test_reset_watches_dom0_clients);
    g_test_add_func("/xs-wire/domains", test_domains);
    g_test_add_func("/xs-wire/set-target", test_set_target);
    g_test_add_func("/xs-wire/features", test_features);
    g_test_add_func("/xs-wire/quotas", test_quotas);
    g_test_add_func("/xs-wire/control", test_control);
    return g_test_run();
}
