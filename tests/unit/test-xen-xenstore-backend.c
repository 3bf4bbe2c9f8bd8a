/*
 * Tests of the backend operations on the emulated store (what the VMM's
 * PV backends call): every operation, watch callbacks run from the main
 * loop, handle life cycle, transactions, and a PV device handshake with
 * a simulated guest frontend on the ring.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xen_backend_ops.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "hw/i386/kvm/xen_xenstore_test.h"
#include "xs-guest.h"

#define GUEST_DOMID 1

static const XenstoreBackendOps *ops = &emu_xenstore_backend_ops;

/*
 * True while the test is inside a backend operation: a watch callback
 * that sees it was called from inside a store call.
 */
static bool in_op;
#define OP(call) ({ in_op = true; __auto_type op_ret_ = (call); \
                    in_op = false; op_ret_; })
#define OP_VOID(call) do { in_op = true; (call); in_op = false; } while (0)

static XenXenstoreState *device_up(bool reset)
{
    static const XenXenstoreConfig cfg = {
        .domid = GUEST_DOMID, .name = "be-guest", .memory_kib = 65536,
    };
    XenXenstoreState *s;

    g_assert_true(xen_evtchn_create(GUEST_DOMID, &error_abort));
    s = xen_xenstore_realize(&cfg, &error_abort);
    if (reset) {
        g_assert_true(xen_xenstore_reset(s, &error_abort));
    }
    xs_guest_run();
    return s;
}

static void device_down(XenXenstoreState *s)
{
    xen_xenstore_unrealize(s);
    xen_evtchn_destroy();
    xs_guest_run();
}

/* A watch recorder: every callback, with the path, from the main loop. */
typedef struct Recorder {
    GPtrArray *paths;
} Recorder;

static void record_cb(void *opaque, const char *path)
{
    Recorder *r = opaque;

    g_assert_false(in_op);
    g_ptr_array_add(r->paths, g_strdup(path));
}

static void recorder_init(Recorder *r)
{
    r->paths = g_ptr_array_new_with_free_func(g_free);
}

static void recorder_clear(Recorder *r)
{
    g_ptr_array_set_size(r->paths, 0);
}

static void recorder_destroy(Recorder *r)
{
    g_ptr_array_free(r->paths, true);
}

static void assert_recorded(Recorder *r, const char *const *want)
{
    guint n = want ? g_strv_length((char **)want) : 0;

    g_assert_cmpuint(r->paths->len, ==, n);
    for (guint i = 0; i < n; i++) {
        g_assert_cmpstr(g_ptr_array_index(r->paths, i), ==, want[i]);
    }
    recorder_clear(r);
}

static char *read_str(qemu_xs_handle *h, xs_transaction_t t,
                      const char *path)
{
    unsigned int len = 0;
    char *v = OP(ops->read(h, t, path, &len));

    if (v) {
        g_assert_cmpuint(strlen(v), ==, len);
    }
    return v;
}

static char *perms_csv(qemu_xs_handle *h, const char *path)
{
    unsigned int n = 0;
    g_auto(GStrv) perms = OP(ops->get_perms(h, XBT_NULL, path, &n));

    g_assert_nonnull(perms);
    g_assert_cmpuint(g_strv_length(perms), ==, n);
    return g_strjoinv(",", perms);
}

/* ---- opening ---- */

static void test_open_without_device(void)
{
    Error *err = NULL;
    qemu_xs_handle *h;

    errno = 0;
    h = ops->open(&err);
    g_assert_null(h);
    g_assert_cmpint(errno, ==, ENODEV);
    error_free_or_abort(&err);

    /* Event channels alone are not a store. */
    g_assert_true(xen_evtchn_create(GUEST_DOMID, &error_abort));
    errno = 0;
    h = ops->open(&err);
    g_assert_null(h);
    g_assert_cmpint(errno, ==, ENODEV);
    error_free_or_abort(&err);
    xen_evtchn_destroy();

    /* A device that was never reset serves backends already. */
    {
        XenXenstoreState *s = device_up(false);
        g_autofree char *v = NULL;

        h = ops->open(&error_abort);
        v = read_str(h, XBT_NULL, "/local/domain/1/domid");
        g_assert_cmpstr(v, ==, "1");
        ops->close(h);
        device_down(s);
    }
    ops->close(NULL);
}

/* ---- every operation ---- */

static void test_node_ops(void)
{
    XenXenstoreState *s = device_up(true);
    qemu_xs_handle *h = ops->open(&error_abort);
    g_autofree char *dompath = OP(ops->get_domain_path(h, 5));
    g_autofree char *v = NULL;
    g_autofree char *p = NULL;
    g_auto(GStrv) dir = NULL;
    char *set[] = { (char *)"n1", (char *)"b2", (char *)"r3" };
    char *bad[] = { (char *)"x1" };
    static const uint8_t binary[] = { 'a', 0, 'b', 0xff, 0 };
    unsigned int num = 99, len = 0;
    void *raw;

    g_assert_cmpstr(dompath, ==, "/local/domain/5");

    /* write, read */
    g_assert_true(OP(ops->write(h, XBT_NULL, "/test/a/x", "abc", 3)));
    v = read_str(h, XBT_NULL, "/test/a/x");
    g_assert_cmpstr(v, ==, "abc");
    g_assert_true(OP(ops->write(h, XBT_NULL, "/test/a/bin", binary,
                                sizeof(binary))));
    raw = OP(ops->read(h, XBT_NULL, "/test/a/bin", &len));
    g_assert_cmpmem(raw, len, binary, sizeof(binary));
    g_assert_cmpint(((char *)raw)[len], ==, '\0');
    g_free(raw);
    g_assert_true(OP(ops->write(h, XBT_NULL, "/test/a/empty", "", 0)));
    g_clear_pointer(&v, g_free);
    v = read_str(h, XBT_NULL, "/test/a/empty");
    g_assert_cmpstr(v, ==, "");
    errno = 0;
    g_assert_null(OP(ops->read(h, XBT_NULL, "/test/none", &len)));
    g_assert_cmpint(errno, ==, ENOENT);
    errno = 0;
    g_assert_false(OP(ops->write(h, XBT_NULL, "/test//x", "v", 1)));
    g_assert_cmpint(errno, ==, EINVAL);
    /* Relative paths are relative to dom0's home. */
    g_assert_true(OP(ops->write(h, XBT_NULL, "rel", "r", 1)));
    g_clear_pointer(&v, g_free);
    v = read_str(h, XBT_NULL, "/local/domain/0/rel");
    g_assert_cmpstr(v, ==, "r");

    /* directory */
    dir = OP(ops->directory(h, XBT_NULL, "/test/a", &num));
    g_assert_cmpuint(num, ==, 3);
    g_assert_cmpstr(dir[0], ==, "bin");
    g_assert_cmpstr(dir[1], ==, "empty");
    g_assert_cmpstr(dir[2], ==, "x");
    g_assert_null(dir[3]);
    g_clear_pointer(&dir, g_strfreev);
    dir = OP(ops->directory(h, XBT_NULL, "/test/a/x", NULL));
    g_assert_nonnull(dir);
    g_assert_null(dir[0]);
    g_clear_pointer(&dir, g_strfreev);
    errno = 0;
    g_assert_null(OP(ops->directory(h, XBT_NULL, "/test/none", &num)));
    g_assert_cmpint(errno, ==, ENOENT);

    /* create: owner, one domain with access, the node empty */
    g_assert_true(OP(ops->create(h, XBT_NULL, 0, 1, XS_PERM_READ,
                                 "/test/be/dev")));
    g_clear_pointer(&p, g_free);
    p = perms_csv(h, "/test/be/dev");
    g_assert_cmpstr(p, ==, "n0,r1");
    g_clear_pointer(&v, g_free);
    v = read_str(h, XBT_NULL, "/test/be/dev");
    g_assert_cmpstr(v, ==, "");
    g_assert_true(OP(ops->create(h, XBT_NULL, 1, 0, XS_PERM_BOTH,
                                 "/test/fe/dev")));
    g_clear_pointer(&p, g_free);
    p = perms_csv(h, "/test/fe/dev");
    g_assert_cmpstr(p, ==, "n1,b0");
    g_assert_true(OP(ops->create(h, XBT_NULL, 2, 2, XS_PERM_READ,
                                 "/test/own")));
    g_clear_pointer(&p, g_free);
    p = perms_csv(h, "/test/own");
    g_assert_cmpstr(p, ==, "n2");
    /* On an existing node: the value stays, the perms are set. */
    g_assert_true(OP(ops->create(h, XBT_NULL, 0, 3, XS_PERM_WRITE,
                                 "/test/a/x")));
    g_clear_pointer(&v, g_free);
    v = read_str(h, XBT_NULL, "/test/a/x");
    g_assert_cmpstr(v, ==, "abc");
    g_clear_pointer(&p, g_free);
    p = perms_csv(h, "/test/a/x");
    g_assert_cmpstr(p, ==, "n0,w3");

    /* get_perms / set_perms */
    g_assert_true(OP(ops->set_perms(h, XBT_NULL, "/test/a/x", set, 3)));
    g_clear_pointer(&p, g_free);
    p = perms_csv(h, "/test/a/x");
    g_assert_cmpstr(p, ==, "n1,b2,r3");
    errno = 0;
    g_assert_false(OP(ops->set_perms(h, XBT_NULL, "/test/a/x", bad, 1)));
    g_assert_cmpint(errno, ==, EINVAL);
    errno = 0;
    g_assert_false(OP(ops->set_perms(h, XBT_NULL, "/test/a/x", set, 0)));
    g_assert_cmpint(errno, ==, EINVAL);
    g_clear_pointer(&p, g_free);
    p = perms_csv(h, "@introduceDomain");
    g_assert_cmpstr(p, ==, "n0");
    g_clear_pointer(&p, g_free);
    p = perms_csv(h, "/local/domain/1");
    g_assert_cmpstr(p, ==, "n0,r1");
    errno = 0;
    g_assert_null(OP(ops->get_perms(h, XBT_NULL, "/test/none", &num)));
    g_assert_cmpint(errno, ==, ENOENT);

    /* destroy: the whole subtree; a missing leaf is fine, not more. */
    g_assert_true(OP(ops->destroy(h, XBT_NULL, "/test/a")));
    errno = 0;
    g_assert_null(OP(ops->read(h, XBT_NULL, "/test/a/x", &len)));
    g_assert_cmpint(errno, ==, ENOENT);
    g_assert_true(OP(ops->destroy(h, XBT_NULL, "/test/a")));
    errno = 0;
    g_assert_false(OP(ops->destroy(h, XBT_NULL, "/test/a/b/c")));
    g_assert_cmpint(errno, ==, ENOENT);
    errno = 0;
    g_assert_false(OP(ops->destroy(h, XBT_NULL, "/")));
    g_assert_cmpint(errno, ==, EINVAL);

    ops->close(h);
    device_down(s);
}

/* What the guest sees of a backend's writes, and the other way round. */
static void test_shared_with_guest(void)
{
    XenXenstoreState *s = device_up(true);
    qemu_xs_handle *h = ops->open(&error_abort);
    XsGuest g;
    g_autofree char *v = NULL;

    xs_guest_init(&g, xen_xenstore_ring(s), xen_xenstore_guest_port(s));
    g_assert_true(OP(ops->write(h, XBT_NULL, "/local/domain/1/data/from-be",
                                "be", 2)));
    v = xs_guest_read_str(&g, 0, "data/from-be");
    g_assert_cmpstr(v, ==, "be");
    xs_guest_write_str(&g, 0, "data/from-fe", "fe");
    g_clear_pointer(&v, g_free);
    v = read_str(h, XBT_NULL, "/local/domain/1/data/from-fe");
    g_assert_cmpstr(v, ==, "fe");
    xs_guest_destroy(&g);
    ops->close(h);
    device_down(s);
}

/* ---- watches ---- */

static void test_watch(void)
{
    XenXenstoreState *s = device_up(true);
    qemu_xs_handle *h = ops->open(&error_abort);
    Recorder r, r2;
    qemu_xs_watch *w, *w2;

    recorder_init(&r);
    recorder_init(&r2);
    w = OP(ops->watch(h, "/test/w", record_cb, &r));
    g_assert_nonnull(w);
    /* The first call comes from the main loop, not from watch(). */
    g_assert_cmpuint(r.paths->len, ==, 0);
    xs_guest_run();
    assert_recorded(&r, (const char *[]) { "/test/w", NULL });

    /* Changes at and below the path; not beside it. */
    OP(ops->write(h, XBT_NULL, "/test/w", "1", 1));
    OP(ops->write(h, XBT_NULL, "/test/w/a/b", "2", 1));
    OP(ops->write(h, XBT_NULL, "/test/wx", "3", 1));
    g_assert_cmpuint(r.paths->len, ==, 0);
    xs_guest_run();
    assert_recorded(&r, (const char *[]) { "/test/w", "/test/w/a/b", NULL });

    /* Identical pending events are one; distinct ones keep order. */
    OP(ops->write(h, XBT_NULL, "/test/w", "4", 1));
    OP(ops->write(h, XBT_NULL, "/test/w/a", "5", 1));
    OP(ops->write(h, XBT_NULL, "/test/w", "6", 1));
    xs_guest_run();
    assert_recorded(&r, (const char *[]) { "/test/w", "/test/w/a", NULL });

    /* Removal fires for the removed path. */
    OP(ops->destroy(h, XBT_NULL, "/test/w/a"));
    xs_guest_run();
    assert_recorded(&r, (const char *[]) { "/test/w/a", NULL });

    /* Two watches on one path, one removed. */
    w2 = OP(ops->watch(h, "/test/w", record_cb, &r2));
    xs_guest_run();
    assert_recorded(&r2, (const char *[]) { "/test/w", NULL });
    OP_VOID(ops->unwatch(h, w));
    OP(ops->write(h, XBT_NULL, "/test/w", "7", 1));
    xs_guest_run();
    assert_recorded(&r, NULL);
    assert_recorded(&r2, (const char *[]) { "/test/w", NULL });

    /* Unwatch with events queued: they are dropped. */
    OP(ops->write(h, XBT_NULL, "/test/w", "8", 1));
    OP_VOID(ops->unwatch(h, w2));
    xs_guest_run();
    assert_recorded(&r2, NULL);

    /* A bad path is refused. */
    errno = 0;
    g_assert_null(OP(ops->watch(h, "/test//w", record_cb, &r)));
    g_assert_cmpint(errno, ==, EINVAL);

    /* A guest's change through the ring reaches a backend's watch. */
    {
        XsGuest g;

        w = OP(ops->watch(h, "/local/domain/1/device", record_cb, &r));
        xs_guest_run();
        recorder_clear(&r);
        xs_guest_init(&g, xen_xenstore_ring(s), xen_xenstore_guest_port(s));
        xs_guest_write_str(&g, 0, "device/vif", "");
        xs_guest_run();
        assert_recorded(&r, (const char *[]) {
            "/local/domain/1/device/vif", NULL });
        xs_guest_destroy(&g);
    }
    ops->close(h);
    recorder_destroy(&r);
    recorder_destroy(&r2);
    device_down(s);
}

/*
 * A handle that falls 4096 events behind loses the oldest: the newest
 * changes, the ones a backend must see to converge, are all delivered.
 */
static void test_watch_overflow(void)
{
    XenXenstoreState *s = device_up(true);
    qemu_xs_handle *h = ops->open(&error_abort);
    const unsigned int extra = 10, max = 4096;
    Recorder r;

    recorder_init(&r);
    g_assert_nonnull(OP(ops->watch(h, "/test/o", record_cb, &r)));
    xs_guest_run();
    recorder_clear(&r);
    for (unsigned int i = 0; i < max + extra; i++) {
        g_autofree char *path = g_strdup_printf("/test/o/n%u", i);

        g_assert_true(OP(ops->write(h, XBT_NULL, path, "x", 1)));
    }
    /* Identical pending events merge and drop nothing. */
    g_assert_true(OP(ops->write(h, XBT_NULL, "/test/o/n4100", "y", 1)));
    xs_guest_run();
    g_assert_cmpuint(r.paths->len, ==, max);
    for (unsigned int i = 0; i < max; i++) {
        g_autofree char *want = g_strdup_printf("/test/o/n%u", i + extra);

        g_assert_cmpstr(g_ptr_array_index(r.paths, i), ==, want);
    }
    ops->close(h);
    recorder_destroy(&r);
    device_down(s);
}

/* A callback that writes to the store, and one that starts a chain. */
typedef struct Chain {
    qemu_xs_handle *h;
    unsigned int calls;
    unsigned int followers;
} Chain;

static void chain_first_cb(void *opaque, const char *path)
{
    Chain *c = opaque;
    g_autofree char *v = NULL;

    g_assert_false(in_op);
    c->calls++;
    if (c->calls == 1) {
        return;     /* the first call of the watch */
    }
    /* The store is ours to use from here. */
    v = read_str(c->h, XBT_NULL, path);
    g_assert_nonnull(v);
    g_assert_true(OP(ops->write(c->h, XBT_NULL, "/test/chain/b", v,
                                strlen(v))));
}

static void chain_follow_cb(void *opaque, const char *path)
{
    Chain *c = opaque;

    g_assert_false(in_op);
    c->followers++;
}

static void test_callback_uses_store(void)
{
    XenXenstoreState *s = device_up(true);
    Chain c = { .h = ops->open(&error_abort) };
    g_autofree char *v = NULL;

    g_assert_nonnull(OP(ops->watch(c.h, "/test/chain/a", chain_first_cb,
                                   &c)));
    g_assert_nonnull(OP(ops->watch(c.h, "/test/chain/b", chain_follow_cb,
                                   &c)));
    xs_guest_run();
    g_assert_cmpuint(c.calls, ==, 1);
    g_assert_cmpuint(c.followers, ==, 1);

    for (int i = 0; i < 5; i++) {
        g_autofree char *val = g_strdup_printf("v%d", i);

        g_assert_true(OP(ops->write(c.h, XBT_NULL, "/test/chain/a", val,
                                    strlen(val))));
        g_assert_cmpuint(c.calls, ==, 1 + i);
        xs_guest_run();
        g_assert_cmpuint(c.calls, ==, 2 + i);
        g_assert_cmpuint(c.followers, ==, 2 + i);
        g_clear_pointer(&v, g_free);
        v = read_str(c.h, XBT_NULL, "/test/chain/b");
        g_assert_cmpstr(v, ==, val);
    }
    ops->close(c.h);
    device_down(s);
}

/* Callbacks that tear down what called them. */
typedef struct SelfDestruct {
    qemu_xs_handle *h;
    qemu_xs_watch *w;
    bool close_handle;
    unsigned int calls;
} SelfDestruct;

static void self_destruct_cb(void *opaque, const char *path)
{
    SelfDestruct *d = opaque;

    d->calls++;
    if (d->calls < 2) {
        return;
    }
    if (d->close_handle) {
        ops->close(d->h);
        d->h = NULL;
    } else {
        ops->unwatch(d->h, d->w);
        d->w = NULL;
    }
}

static void callback_tears_down(bool close_handle)
{
    XenXenstoreState *s = device_up(true);
    qemu_xs_handle *other = ops->open(&error_abort);
    SelfDestruct d = { .close_handle = close_handle };

    d.h = ops->open(&error_abort);
    d.w = OP(ops->watch(d.h, "/test/sd", self_destruct_cb, &d));
    xs_guest_run();
    g_assert_cmpuint(d.calls, ==, 1);
    /* Several events queued: the callback goes away on the first. */
    OP(ops->write(other, XBT_NULL, "/test/sd/a", "1", 1));
    OP(ops->write(other, XBT_NULL, "/test/sd/b", "2", 1));
    OP(ops->write(other, XBT_NULL, "/test/sd/c", "3", 1));
    xs_guest_run();
    g_assert_cmpuint(d.calls, ==, 2);
    OP(ops->write(other, XBT_NULL, "/test/sd/d", "4", 1));
    xs_guest_run();
    g_assert_cmpuint(d.calls, ==, 2);
    if (!close_handle) {
        ops->close(d.h);
    }
    ops->close(other);
    device_down(s);
}

static void test_callback_unwatches(void)
{
    callback_tears_down(false);
}

static void test_callback_closes(void)
{
    callback_tears_down(true);
}

/* ---- handles and transactions ---- */

static void test_close_drops_everything(void)
{
    XenXenstoreState *s = device_up(true);
    qemu_xs_handle *keep = ops->open(&error_abort);
    qemu_xs_handle *h = ops->open(&error_abort);
    XenstoreImplState *impl = xen_xenstore_impl(s);
    Recorder r;
    xs_transaction_t t1, t2;
    unsigned int len;

    recorder_init(&r);
    g_assert_nonnull(OP(ops->watch(h, "/test/c", record_cb, &r)));
    xs_guest_run();
    recorder_clear(&r);
    t1 = OP(ops->transaction_start(h));
    t2 = OP(ops->transaction_start(h));
    g_assert_cmpuint(t1, !=, XBT_NULL);
    g_assert_cmpuint(t2, !=, XBT_NULL);
    g_assert_cmpuint(t1, !=, t2);
    g_assert_true(OP(ops->write(h, t1, "/test/c/in-tx", "x", 1)));
    /* An event queued and not yet delivered when the handle closes. */
    g_assert_true(OP(ops->write(keep, XBT_NULL, "/test/c/now", "y", 1)));
    ops->close(h);
    xs_guest_run();
    g_assert_cmpuint(r.paths->len, ==, 0);

    /* The watch is gone from the store: no more callbacks. */
    g_assert_true(OP(ops->write(keep, XBT_NULL, "/test/c/later", "z", 1)));
    xs_guest_run();
    g_assert_cmpuint(r.paths->len, ==, 0);
    /* The transactions were aborted: nothing applied, ids gone. */
    errno = 0;
    g_assert_null(OP(ops->read(keep, XBT_NULL, "/test/c/in-tx", &len)));
    g_assert_cmpint(errno, ==, ENOENT);
    g_assert_cmpint(xs_impl_transaction_end(impl, DOMID_QEMU, t1, true), ==,
                    ENOENT);
    g_assert_cmpint(xs_impl_transaction_end(impl, DOMID_QEMU, t2, false), ==,
                    ENOENT);
    /* Another handle cannot end them either. */
    errno = 0;
    g_assert_false(OP(ops->transaction_end(keep, t1, false)));
    g_assert_cmpint(errno, ==, ENOENT);
    ops->close(keep);
    recorder_destroy(&r);
    device_down(s);
}

static void test_transactions(void)
{
    XenXenstoreState *s = device_up(true);
    qemu_xs_handle *h = ops->open(&error_abort);
    qemu_xs_handle *other = ops->open(&error_abort);
    Recorder r;
    xs_transaction_t t;
    g_autofree char *v = NULL;
    g_auto(GStrv) dir = NULL;
    unsigned int len, attempts = 0;

    recorder_init(&r);
    g_assert_nonnull(OP(ops->watch(other, "/test/t", record_cb, &r)));
    xs_guest_run();
    recorder_clear(&r);

    /* Commit: invisible until the end, then visible, events then. */
    t = OP(ops->transaction_start(h));
    g_assert_true(OP(ops->write(h, t, "/test/t/a", "1", 1)));
    g_assert_true(OP(ops->create(h, t, 0, 1, XS_PERM_READ, "/test/t/dir")));
    v = read_str(h, t, "/test/t/a");
    g_assert_cmpstr(v, ==, "1");
    dir = OP(ops->directory(h, t, "/test/t", NULL));
    g_assert_cmpuint(g_strv_length(dir), ==, 2);
    errno = 0;
    g_assert_null(OP(ops->read(other, XBT_NULL, "/test/t/a", &len)));
    g_assert_cmpint(errno, ==, ENOENT);
    xs_guest_run();
    g_assert_cmpuint(r.paths->len, ==, 0);
    g_assert_true(OP(ops->transaction_end(h, t, false)));
    xs_guest_run();
    assert_recorded(&r, (const char *[]) {
        "/test/t/a", "/test/t/dir", NULL });
    g_clear_pointer(&v, g_free);
    v = read_str(other, XBT_NULL, "/test/t/a");
    g_assert_cmpstr(v, ==, "1");
    errno = 0;
    g_assert_false(OP(ops->transaction_end(h, t, false)));
    g_assert_cmpint(errno, ==, ENOENT);

    /* Abort: nothing applied. */
    t = OP(ops->transaction_start(h));
    g_assert_true(OP(ops->destroy(h, t, "/test/t/a")));
    g_assert_true(OP(ops->transaction_end(h, t, true)));
    g_clear_pointer(&v, g_free);
    v = read_str(other, XBT_NULL, "/test/t/a");
    g_assert_cmpstr(v, ==, "1");

    /* EAGAIN: what the transaction read changed under it. */
    t = OP(ops->transaction_start(h));
    g_clear_pointer(&v, g_free);
    v = read_str(h, t, "/test/t/a");
    g_assert_true(OP(ops->write(other, XBT_NULL, "/test/t/a", "2", 1)));
    g_assert_true(OP(ops->write(h, t, "/test/t/b", v, strlen(v))));
    errno = 0;
    g_assert_false(OP(ops->transaction_end(h, t, false)));
    g_assert_cmpint(errno, ==, EAGAIN);
    errno = 0;
    g_assert_null(OP(ops->read(other, XBT_NULL, "/test/t/b", &len)));
    g_assert_cmpint(errno, ==, ENOENT);
    errno = 0;
    g_assert_false(OP(ops->transaction_end(h, t, false)));
    g_assert_cmpint(errno, ==, ENOENT);

    /* The usual loop: start again until it commits. */
    do {
        attempts++;
        t = OP(ops->transaction_start(h));
        g_clear_pointer(&v, g_free);
        v = read_str(h, t, "/test/t/a");
        if (attempts == 1) {
            /* Someone else (a guest, say) gets in the way once. */
            OP(ops->write(other, XBT_NULL, "/test/t/a", "3", 1));
        }
        OP(ops->write(h, t, "/test/t/b", v, strlen(v)));
    } while (!OP(ops->transaction_end(h, t, false)) && errno == EAGAIN);
    g_assert_cmpuint(attempts, ==, 2);
    g_clear_pointer(&v, g_free);
    v = read_str(other, XBT_NULL, "/test/t/b");
    g_assert_cmpstr(v, ==, "3");

    /* Unknown ids. */
    errno = 0;
    g_assert_false(OP(ops->transaction_end(h, XBT_NULL, false)));
    g_assert_cmpint(errno, ==, ENOENT);
    errno = 0;
    g_assert_null(OP(ops->read(h, 12345, "/test/t/a", &len)));
    g_assert_cmpint(errno, ==, ENOENT);

    ops->close(h);
    ops->close(other);
    recorder_destroy(&r);
    device_down(s);
}

/* Backend watches live through a load of the device state. */
static void test_watch_across_load(void)
{
    XenXenstoreState *s = device_up(true);
    qemu_xs_handle *h = ops->open(&error_abort);
    g_autoptr(GByteArray) state = NULL;
    Recorder r;

    recorder_init(&r);
    g_assert_nonnull(OP(ops->watch(h, "/local/domain/1/data", record_cb,
                                   &r)));
    xs_guest_run();
    recorder_clear(&r);
    state = xen_xenstore_save(s);
    g_assert_true(OP(ops->write(h, XBT_NULL, "/local/domain/1/data/x", "1",
                                1)));
    g_assert_true(xen_xenstore_load(s, state->data, state->len,
                                    &error_abort));
    xs_guest_run();
    /* The change, then one event for the tree that changed under it. */
    g_assert_cmpuint(r.paths->len, >=, 1);
    recorder_clear(&r);
    g_assert_true(OP(ops->write(h, XBT_NULL, "/local/domain/1/data/y", "2",
                                1)));
    xs_guest_run();
    assert_recorded(&r, (const char *[]) { "/local/domain/1/data/y", NULL });
    ops->close(h);
    recorder_destroy(&r);
    device_down(s);
}

/* ---- a PV device handshake (spec section 12) ---- */

#define BE_DIR "/local/domain/0/backend/vbd/1/51712"
#define FE_DIR "/local/domain/1/device/vbd/51712"

typedef struct Backend {
    qemu_xs_handle *h;
    char state;                 /* '1'..'6', as written */
    unsigned int fe_events;
} Backend;

static void backend_set_state(Backend *be, char state)
{
    be->state = state;
    g_assert_true(OP(ops->write(be->h, XBT_NULL, BE_DIR "/state", &state,
                                1)));
}

/* The backend's watch on the frontend's state. */
static void backend_fe_changed(void *opaque, const char *path)
{
    Backend *be = opaque;
    g_autofree char *fe_state = NULL;

    g_assert_false(in_op);
    be->fe_events++;
    fe_state = read_str(be->h, XBT_NULL, FE_DIR "/state");
    if (!fe_state) {
        return;
    }
    /* Initialised or Connected: the rings are there, connect. */
    if ((!strcmp(fe_state, "3") || !strcmp(fe_state, "4")) &&
        be->state == '2') {
        backend_set_state(be, '4');
    }
}

static void test_pv_handshake(void)
{
    XenXenstoreState *s = device_up(true);
    Backend be = { .h = ops->open(&error_abort) };
    XsGuest g;
    xs_transaction_t t;
    g_autofree char *p = NULL;
    g_autofree char *fe_state = NULL;
    g_autofree char *be_state = NULL;
    char guest_state = '1';
    unsigned int rounds = 0;

    xs_guest_init(&g, xen_xenstore_ring(s), xen_xenstore_guest_port(s));

    /* The toolstack part: both directories with their perms. */
    do {
        t = OP(ops->transaction_start(be.h));
        g_assert_true(OP(ops->create(be.h, t, 0, GUEST_DOMID, XS_PERM_READ,
                                     BE_DIR)));
        g_assert_true(OP(ops->create(be.h, t, GUEST_DOMID, 0, XS_PERM_READ,
                                     FE_DIR)));
        OP(ops->write(be.h, t, BE_DIR "/frontend", FE_DIR,
                      strlen(FE_DIR)));
        OP(ops->write(be.h, t, BE_DIR "/frontend-id", "1", 1));
        OP(ops->write(be.h, t, BE_DIR "/state", "1", 1));
        OP(ops->write(be.h, t, FE_DIR "/backend", BE_DIR, strlen(BE_DIR)));
        OP(ops->write(be.h, t, FE_DIR "/backend-id", "0", 1));
        OP(ops->write(be.h, t, FE_DIR "/state", "1", 1));
    } while (!OP(ops->transaction_end(be.h, t, false)) && errno == EAGAIN);
    p = perms_csv(be.h, BE_DIR "/state");
    g_assert_cmpstr(p, ==, "n0,r1");
    g_clear_pointer(&p, g_free);
    p = perms_csv(be.h, FE_DIR "/state");
    g_assert_cmpstr(p, ==, "n1,r0");
    g_clear_pointer(&p, g_free);
    p = xs_guest_perms(&g, BE_DIR);
    g_assert_cmpstr(p, ==, "n0,r1");

    /* The backend watches the frontend and says InitWait. */
    g_assert_nonnull(OP(ops->watch(be.h, FE_DIR "/state",
                                   backend_fe_changed, &be)));
    backend_set_state(&be, '2');

    /* The frontend: watch the backend's state and follow it. */
    xs_guest_watch(&g, BE_DIR "/state", "be-state");
    while (guest_state != '4') {
        g_autoptr(XsGuestMsg) ev = xs_guest_wait_event(&g);

        g_assert_nonnull(ev);
        g_assert_cmpstr(ev->body, ==, BE_DIR "/state");
        g_clear_pointer(&be_state, g_free);
        be_state = xs_guest_read_str(&g, 0, BE_DIR "/state");
        if (!strcmp(be_state, "2") && guest_state == '1') {
            guest_state = '3';      /* rings set up: Initialised */
            xs_guest_write_str(&g, 0, "device/vbd/51712/state", "3");
        } else if (!strcmp(be_state, "4") && guest_state == '3') {
            guest_state = '4';      /* Connected */
            xs_guest_write_str(&g, 0, "device/vbd/51712/state", "4");
        }
        g_assert_cmpuint(++rounds, <, 10);
    }
    xs_guest_run();
    g_clear_pointer(&be_state, g_free);
    be_state = read_str(be.h, XBT_NULL, BE_DIR "/state");
    fe_state = read_str(be.h, XBT_NULL, FE_DIR "/state");
    g_assert_cmpstr(be_state, ==, "4");
    g_assert_cmpstr(fe_state, ==, "4");
    g_assert_cmpint(be.state, ==, '4');
    /* The first call, then 3 and 4 (or both at once). */
    g_assert_cmpuint(be.fe_events, >=, 2);

    /* The guest cannot touch the backend's side. */
    {
        g_autoptr(XsGuestMsg) m = XS_GUEST_CALL(&g, XS_WRITE, 0,
                                                BE_DIR "/state\0" "6");

        xs_guest_assert_error(m, "EACCES");
    }
    xs_guest_destroy(&g);
    ops->close(be.h);
    device_down(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xen-xenstore-backend/open-without-device",
                    test_open_without_device);
    g_test_add_func("/xen-xenstore-backend/node-ops", test_node_ops);
    g_test_add_func("/xen-xenstore-backend/shared-with-guest",
                    test_shared_with_guest);
    g_test_add_func("/xen-xenstore-backend/watch", test_watch);
    g_test_add_func("/xen-xenstore-backend/watch-overflow",
                    test_watch_overflow);
    g_test_add_func("/xen-xenstore-backend/callback-uses-store",
                    test_callback_uses_store);
    g_test_add_func("/xen-xenstore-backend/callback-unwatches",
                    test_callback_unwatches);
    g_test_add_func("/xen-xenstore-backend/callback-closes",
                    test_callback_closes);
    g_test_add_func("/xen-xenstore-backend/close-drops-everything",
                    test_close_drops_everything);
    g_test_add_func("/xen-xenstore-backend/transactions", test_transactions);
    g_test_add_func("/xen-xenstore-backend/watch-across-load",
                    test_watch_across_load);
    g_test_add_func("/xen-xenstore-backend/pv-handshake", test_pv_handshake);
    return g_test_run();
}
