/*
 * Tests of the XenBus backend framework (xen_bus.h) on the xen-xenstore
 * device: a fake device type counts its steps while the simulated guest
 * plays the frontend on its ring, as domain 1, so every permission the
 * framework set is the one the guest meets.  Watch events reach the
 * framework from the main loop (xs_guest_run).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xen_bus.h"
#include "qemu/trace-control.h"
#include "xs-world.h"

#define BE_DIR "/local/domain/0/backend/vfake/1/7"
#define FE_DIR "/local/domain/1/device/vfake/7"

typedef struct Fake {
    unsigned int creates, connects, disconnects;
    bool fail_create;
    /* create_nodes() calls that race with a write of the guest's. */
    unsigned int races;
    World *w;
    unsigned int ring_ref;
} Fake;

static bool fake_create_nodes(XenBusDevice *d, void *opaque, Error **errp)
{
    Fake *f = opaque;

    f->creates++;
    if (f->fail_create) {
        error_setg(errp, "fake: no nodes today");
        return false;
    }
    if (f->races) {
        g_autoptr(GByteArray) v = g_byte_array_new();
        g_autofree char *path = g_strdup_printf(FE_DIR "/race%u", f->races);

        /*
         * The guest adds a node to its directory outside the build's
         * transaction, which removed that directory: it must retry.
         */
        f->races--;
        g_byte_array_append(v, (const uint8_t *)"1", 1);
        g_assert_cmpint(xs_impl_write(world_store(f->w), GUEST_DOMID,
                                      XBT_NULL, path, v), ==, 0);
    }
    return xen_bus_be_printf(d, "feature-fake", "%d", 1);
}

/* Like a ring device: no ring-ref, no connection. */
static bool fake_connect(XenBusDevice *d, void *opaque, Error **errp)
{
    Fake *f = opaque;

    f->connects++;
    if (!xen_bus_fe_read_uint(d, "ring-ref", &f->ring_ref)) {
        error_setg(errp, "fake: no ring-ref");
        return false;
    }
    return true;
}

static void fake_disconnect(XenBusDevice *d, void *opaque)
{
    Fake *f = opaque;

    f->disconnects++;
}

static const XenBusDeviceType fake_type = {
    .type = "vfake",
    .create_nodes = fake_create_nodes,
    .connect = fake_connect,
    .disconnect = fake_disconnect,
};

typedef struct Bus {
    World w;
    Fake f;
    XenBusDevice *d;
} Bus;

static void bus_up(Bus *b)
{
    memset(b, 0, sizeof(*b));
    world_up(&b->w);
    b->d = xen_bus_device_new(&fake_type, GUEST_DOMID, 7, &b->f,
                              &error_abort);
    g_assert_nonnull(b->d);
    xs_guest_run();
}

static void bus_down(Bus *b)
{
    xen_bus_device_free(b->d);
    xs_guest_run();
    world_down(&b->w);
}

/* The frontend (the guest, on its ring) writes a node of its directory. */
static void fe_write(Bus *b, const char *key, const char *value)
{
    g_autofree char *path = g_strdup_printf(FE_DIR "/%s", key);

    xs_guest_write_str(&b->w.g, 0, path, value);
    xs_guest_run();
}

/* A guest XS_WRITE that may fail: 0 or the errno of the error reply. */
static int guest_try_write(Bus *b, const char *path, const char *value)
{
    g_autoptr(GByteArray) p = g_byte_array_new();
    g_autoptr(XsGuestMsg) m = NULL;

    g_byte_array_append(p, (const uint8_t *)path, strlen(path) + 1);
    g_byte_array_append(p, (const uint8_t *)value, strlen(value));
    m = xs_guest_call(&b->w.g, XS_WRITE, 0, p->data, p->len);
    return xs_guest_error(m);
}

static void guest_rm(Bus *b, const char *path)
{
    g_autoptr(GByteArray) p = g_byte_array_new();
    g_autoptr(XsGuestMsg) m = NULL;

    g_byte_array_append(p, (const uint8_t *)path, strlen(path) + 1);
    m = xs_guest_call(&b->w.g, XS_RM, 0, p->data, p->len);
    g_assert_cmpint(xs_guest_error(m), ==, 0);
    xs_guest_run();
}

static void assert_be_state(Bus *b, XenbusState want)
{
    g_autofree char *v = dom0_read(&b->w, BE_DIR "/state");
    g_autofree char *s = g_strdup_printf("%d", want);

    g_assert_cmpint(xen_bus_device_be_state(b->d), ==, want);
    g_assert_cmpstr(v, ==, s);
}

/* dom0_read() cannot tell an empty directory node from a missing one. */
static bool dom0_exists(World *w, const char *path)
{
    g_autoptr(GByteArray) data = g_byte_array_new();

    return xs_impl_read(world_store(w), DOMID_QEMU, XBT_NULL, path,
                        data) == 0;
}

static void assert_node(Bus *b, const char *path, const char *want)
{
    g_autofree char *v = dom0_read(&b->w, path);

    g_assert_cmpstr(v, ==, want);
}

/* ring-ref and Initialised, as a frontend connects. */
static void fe_connect(Bus *b, const char *ring_ref)
{
    fe_write(b, "ring-ref", ring_ref);
    fe_write(b, "state", "3");
}

static void test_create(void)
{
    Bus b;
    g_autofree char *be_perms = NULL;
    g_autofree char *fe_perms = NULL;
    g_autofree char *fe_state_perms = NULL;
    g_autofree char *seen = NULL;

    bus_up(&b);
    g_assert_cmpstr(xen_bus_device_be_path(b.d), ==, BE_DIR);
    g_assert_cmpstr(xen_bus_device_fe_path(b.d), ==, FE_DIR);
    g_assert_cmpuint(xen_bus_device_fe_domid(b.d), ==, GUEST_DOMID);
    g_assert_cmpuint(xen_bus_device_devid(b.d), ==, 7);

    assert_node(&b, BE_DIR "/frontend", FE_DIR);
    assert_node(&b, BE_DIR "/frontend-id", "1");
    assert_node(&b, BE_DIR "/online", "1");
    assert_node(&b, BE_DIR "/feature-fake", "1");
    assert_node(&b, FE_DIR "/backend", BE_DIR);
    assert_node(&b, FE_DIR "/backend-id", "0");
    assert_node(&b, FE_DIR "/state", "1");
    assert_be_state(&b, XenbusStateInitWait);
    g_assert_cmpint(xen_bus_device_fe_state(b.d), ==,
                    XenbusStateInitialising);
    g_assert_cmpuint(b.f.creates, ==, 1);
    g_assert_cmpuint(b.f.connects, ==, 0);

    /* As the guest sees them (spec section 12). */
    be_perms = xs_guest_perms(&b.w.g, BE_DIR);
    g_assert_cmpstr(be_perms, ==, "n0,r1");
    fe_perms = xs_guest_perms(&b.w.g, FE_DIR);
    g_assert_cmpstr(fe_perms, ==, "n1,r0");
    fe_state_perms = xs_guest_perms(&b.w.g, FE_DIR "/state");
    g_assert_cmpstr(fe_state_perms, ==, "n1,r0");
    seen = xs_guest_read_str(&b.w.g, 0, BE_DIR "/state");
    g_assert_cmpstr(seen, ==, "2");
    g_assert_cmpint(guest_try_write(&b, FE_DIR "/event-channel", "5"), ==,
                    0);
    g_assert_cmpint(guest_try_write(&b, BE_DIR "/state", "4"), ==, EACCES);
    g_assert_cmpint(guest_try_write(&b, BE_DIR "/new", "x"), ==, EACCES);
    xs_guest_run();
    assert_be_state(&b, XenbusStateInitWait);
    bus_down(&b);
}

static void test_connect(void)
{
    static const char *const states[] = { "3", "4" };

    for (unsigned int i = 0; i < G_N_ELEMENTS(states); i++) {
        Bus b;

        bus_up(&b);
        fe_write(&b, "ring-ref", "8");
        fe_write(&b, "state", states[i]);
        g_assert_cmpuint(b.f.connects, ==, 1);
        g_assert_cmpuint(b.f.ring_ref, ==, 8);
        assert_be_state(&b, XenbusStateConnected);
        g_assert_cmpint(xen_bus_device_fe_state(b.d), ==, 3 + i);
        /* Connected again (or flapping 3/4): no second connect. */
        fe_write(&b, "state", states[1 - i]);
        g_assert_cmpuint(b.f.connects, ==, 1);
        assert_be_state(&b, XenbusStateConnected);
        bus_down(&b);
        g_assert_cmpuint(b.f.disconnects, ==, 1);
    }
}

static void test_connect_failure(void)
{
    Bus b;

    bus_up(&b);
    fe_write(&b, "state", "3");               /* no ring-ref */
    g_assert_cmpuint(b.f.connects, ==, 1);
    assert_be_state(&b, XenbusStateClosing);
    /* Initialised again means nothing while Closing. */
    fe_write(&b, "ring-ref", "9");
    fe_write(&b, "state", "4");
    g_assert_cmpuint(b.f.connects, ==, 1);
    /* The frontend retries the Linux way: Closed, Initialising, ... */
    fe_write(&b, "state", "6");
    assert_be_state(&b, XenbusStateClosed);
    fe_write(&b, "state", "1");
    assert_be_state(&b, XenbusStateInitWait);
    fe_write(&b, "state", "3");
    g_assert_cmpuint(b.f.connects, ==, 2);
    assert_be_state(&b, XenbusStateConnected);
    bus_down(&b);
    /* Only the connect that succeeded is undone. */
    g_assert_cmpuint(b.f.disconnects, ==, 1);
}

static void test_close_and_reload(void)
{
    Bus b;

    bus_up(&b);
    fe_connect(&b, "8");
    assert_be_state(&b, XenbusStateConnected);

    fe_write(&b, "state", "5");
    g_assert_cmpuint(b.f.disconnects, ==, 1);
    assert_be_state(&b, XenbusStateClosing);
    fe_write(&b, "state", "6");
    g_assert_cmpuint(b.f.disconnects, ==, 1);
    assert_be_state(&b, XenbusStateClosed);

    /* The driver is loaded again. */
    fe_write(&b, "state", "1");
    assert_be_state(&b, XenbusStateInitWait);
    fe_connect(&b, "12");
    g_assert_cmpuint(b.f.connects, ==, 2);
    g_assert_cmpuint(b.f.ring_ref, ==, 12);
    assert_be_state(&b, XenbusStateConnected);

    /* A driver that restarts without closing: a clean start too. */
    fe_write(&b, "state", "1");
    g_assert_cmpuint(b.f.disconnects, ==, 2);
    assert_be_state(&b, XenbusStateInitWait);
    fe_connect(&b, "13");
    g_assert_cmpuint(b.f.connects, ==, 3);
    bus_down(&b);
    g_assert_cmpuint(b.f.disconnects, ==, 3);
}

/* Run the main loop (timers too) for ms milliseconds. */
static void run_for_ms(int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, false);
        g_usleep(10 * 1000);
    }
}

/*
 * Linux's frontend stays Closed after its driver lets go: the device is
 * detached and, a little later, attached afresh, as a toolstack would.
 */
static void test_closed_reattach(void)
{
    gint64 deadline;
    Bus b;

    bus_up(&b);
    fe_connect(&b, "8");
    fe_write(&b, "state", "5");
    fe_write(&b, "state", "6");
    assert_be_state(&b, XenbusStateClosed);
    g_assert_true(dom0_exists(&b.w, FE_DIR));
    /* Detached after a while, back after as long again. */
    deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (dom0_exists(&b.w, FE_DIR) &&
           g_get_monotonic_time() < deadline) {
        run_for_ms(10);
    }
    g_assert_false(dom0_exists(&b.w, FE_DIR));
    while (!dom0_exists(&b.w, FE_DIR) &&
           g_get_monotonic_time() < deadline) {
        run_for_ms(10);
    }
    xs_guest_run();
    g_assert_true(dom0_exists(&b.w, FE_DIR "/backend"));
    assert_be_state(&b, XenbusStateInitWait);
    g_assert_cmpuint(b.f.creates, ==, 2);
    /* A new frontend connects as the first did. */
    fe_connect(&b, "9");
    g_assert_cmpuint(b.f.connects, ==, 2);
    assert_be_state(&b, XenbusStateConnected);
    bus_down(&b);
}


/*
 * A frontend that leaves Closed by itself (Initialising, as the protocol
 * allows) before the detach is due is not detached.
 */
static void test_closed_then_reopened(void)
{
    Bus b;

    bus_up(&b);
    fe_connect(&b, "8");
    fe_write(&b, "state", "6");
    fe_write(&b, "state", "1");
    assert_be_state(&b, XenbusStateInitWait);
    run_for_ms(2500);
    g_assert_true(dom0_exists(&b.w, FE_DIR "/ring-ref"));
    g_assert_cmpuint(b.f.creates, ==, 1);
    fe_connect(&b, "9");
    g_assert_cmpuint(b.f.connects, ==, 2);
    bus_down(&b);
}

/*
 * The guest acts while its device is detached: it writes into the
 * removed directory (Connected, with a ring-ref).  Nothing connects, and
 * the re-attach makes the directory afresh over what it wrote.
 */
static void test_guest_writes_while_detached(void)
{
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    Bus b;

    bus_up(&b);
    fe_connect(&b, "8");
    fe_write(&b, "state", "6");
    while (dom0_exists(&b.w, FE_DIR) &&
           g_get_monotonic_time() < deadline) {
        run_for_ms(10);
    }
    g_assert_false(dom0_exists(&b.w, FE_DIR));
    fe_write(&b, "ring-ref", "77");
    fe_write(&b, "state", "4");
    g_assert_cmpuint(b.f.connects, ==, 1);
    while (xen_bus_device_be_state(b.d) != XenbusStateInitWait &&
           g_get_monotonic_time() < deadline) {
        run_for_ms(10);
    }
    xs_guest_run();
    assert_be_state(&b, XenbusStateInitWait);
    g_assert_false(dom0_exists(&b.w, FE_DIR "/ring-ref"));
    g_assert_cmpint(xen_bus_device_fe_state(b.d), ==,
                    XenbusStateInitialising);
    g_assert_cmpuint(b.f.connects, ==, 1);
    g_assert_cmpuint(b.f.creates, ==, 2);
    bus_down(&b);
}

static void test_hostile_states(void)
{
    static const struct {
        const char *value;
        XenbusState seen;       /* what the framework makes of it */
    } bad[] = {
        { "9", XenbusStateUnknown }, { "-1", XenbusStateUnknown },
        { "abc", XenbusStateUnknown }, { "", XenbusStateUnknown },
        { "3 ", XenbusStateUnknown }, { " 3", XenbusStateUnknown },
        { "+3", XenbusStateUnknown }, { "0x3", XenbusStateUnknown },
        { "4294967299", XenbusStateUnknown },
        { "99999999999999999999", XenbusStateUnknown },
        { "7", XenbusStateReconfiguring }, { "8", XenbusStateReconfigured },
        { "0", XenbusStateUnknown }, { "2", XenbusStateInitWait },
    };
    Bus b;
    g_autofree char *big = NULL;
    g_autofree char *huge = g_strnfill(4096, '3');

    bus_up(&b);
    fe_write(&b, "ring-ref", "8");
    for (unsigned int i = 0; i < G_N_ELEMENTS(bad); i++) {
        fe_write(&b, "state", bad[i].value);
        g_assert_cmpint(xen_bus_device_fe_state(b.d), ==, bad[i].seen);
        g_assert_cmpuint(b.f.connects, ==, 0);
        assert_be_state(&b, XenbusStateInitWait);
    }
    g_assert_cmpint(xen_bus_device_fe_state(b.d), ==, XenbusStateInitWait);
    fe_write(&b, "state", "abc");
    g_assert_cmpint(xen_bus_device_fe_state(b.d), ==, XenbusStateUnknown);

    /* As big as the guest's node quota lets it write ... */
    for (size_t n = 2048; n > 0; n -= 64) {
        g_free(big);
        big = g_strnfill(n, '3');
        if (guest_try_write(&b, FE_DIR "/state", big) == 0) {
            break;
        }
    }
    g_assert_cmpuint(strlen(big), >, 1000);
    xs_guest_run();
    g_assert_cmpuint(b.f.connects, ==, 0);
    /* ... and bigger, if someone raised it. */
    dom0_write(&b.w, FE_DIR "/state", huge);
    xs_guest_run();
    g_assert_cmpuint(b.f.connects, ==, 0);
    /* The state node removed: Unknown, not a connection either. */
    guest_rm(&b, FE_DIR "/state");
    g_assert_cmpuint(b.f.connects, ==, 0);
    g_assert_cmpuint(b.f.creates, ==, 1);       /* not a removed directory */
    g_assert_false(dom0_exists(&b.w, FE_DIR "/state"));
    assert_be_state(&b, XenbusStateInitWait);
    g_assert_cmpint(xen_bus_device_fe_state(b.d), ==, XenbusStateUnknown);

    /* Garbage while connected: the frontend is broken, stop using it. */
    fe_write(&b, "state", "3");
    g_assert_cmpuint(b.f.connects, ==, 1);
    fe_write(&b, "state", "banana");
    g_assert_cmpuint(b.f.disconnects, ==, 1);
    assert_be_state(&b, XenbusStateClosed);

    /* Flapping: every state, many times, with no run in between. */
    for (unsigned int round = 0; round < 200; round++) {
        static const char *const flap[] = { "1", "3", "5", "6", "4", "x" };

        xs_guest_write_str(&b.w.g, 0, FE_DIR "/state", flap[round % 6]);
        if (round % 7 == 0) {
            xs_guest_run();
        }
    }
    xs_guest_run();
    g_assert_cmpuint(b.f.connects - b.f.disconnects, <=, 1);
    /* Still a device: a proper start connects. */
    fe_write(&b, "state", "6");
    fe_write(&b, "state", "1");
    assert_be_state(&b, XenbusStateInitWait);
    fe_write(&b, "state", "3");
    assert_be_state(&b, XenbusStateConnected);
    bus_down(&b);
    g_assert_cmpuint(b.f.connects, ==, b.f.disconnects);
}

static void test_fe_dir_removed(void)
{
    Bus b;
    g_autofree char *perms = NULL;

    bus_up(&b);
    fe_connect(&b, "8");
    fe_write(&b, "junk", "x");
    guest_rm(&b, FE_DIR);
    g_assert_cmpuint(b.f.disconnects, ==, 1);
    /* Made afresh, as at creation. */
    g_assert_cmpuint(b.f.creates, ==, 2);
    assert_be_state(&b, XenbusStateInitWait);
    assert_node(&b, FE_DIR "/state", "1");
    assert_node(&b, FE_DIR "/backend", BE_DIR);
    assert_node(&b, FE_DIR "/junk", NULL);
    perms = xs_guest_perms(&b.w.g, FE_DIR);
    g_assert_cmpstr(perms, ==, "n1,r0");
    fe_connect(&b, "9");
    g_assert_cmpuint(b.f.connects, ==, 2);
    assert_be_state(&b, XenbusStateConnected);

    /* The whole device/ directory of the guest, too. */
    guest_rm(&b, "/local/domain/1/device");
    g_assert_cmpuint(b.f.disconnects, ==, 2);
    assert_be_state(&b, XenbusStateInitWait);
    fe_connect(&b, "10");
    assert_be_state(&b, XenbusStateConnected);
    bus_down(&b);
}

static void test_reset(void)
{
    Bus b;

    bus_up(&b);
    fe_connect(&b, "8");
    fe_write(&b, "junk", "x");
    g_assert_true(xen_bus_device_reset(b.d, &error_abort));
    g_assert_cmpuint(b.f.disconnects, ==, 1);
    g_assert_cmpuint(b.f.creates, ==, 2);
    assert_be_state(&b, XenbusStateInitWait);
    assert_node(&b, FE_DIR "/state", "1");
    assert_node(&b, FE_DIR "/junk", NULL);
    assert_node(&b, FE_DIR "/ring-ref", NULL);
    assert_node(&b, BE_DIR "/feature-fake", "1");
    xs_guest_run();
    g_assert_cmpuint(b.f.connects, ==, 1);
    g_assert_cmpint(xen_bus_device_fe_state(b.d), ==,
                    XenbusStateInitialising);
    fe_connect(&b, "9");
    g_assert_cmpuint(b.f.connects, ==, 2);
    assert_be_state(&b, XenbusStateConnected);
    bus_down(&b);
}

static void test_free(void)
{
    Bus b;

    bus_up(&b);
    fe_connect(&b, "8");
    xen_bus_device_free(b.d);
    g_assert_cmpuint(b.f.disconnects, ==, 1);
    g_assert_false(dom0_exists(&b.w, BE_DIR));
    g_assert_false(dom0_exists(&b.w, FE_DIR));
    /* The guest carries on writing: nobody listens any more. */
    g_assert_cmpint(guest_try_write(&b, FE_DIR "/state", "3"), ==, 0);
    xs_guest_run();
    g_assert_cmpuint(b.f.connects, ==, 1);
    world_down(&b.w);
}

static void test_new_races(void)
{
    World w;
    Fake f = { .races = 3 };
    XenBusDevice *d;
    Error *err = NULL;

    world_up(&w);
    f.w = &w;
    d = xen_bus_device_new(&fake_type, GUEST_DOMID, 7, &f, &error_abort);
    g_assert_cmpuint(f.creates, ==, 4);
    xs_guest_run();
    g_assert_cmpint(xen_bus_device_be_state(d), ==, XenbusStateInitWait);
    xen_bus_device_free(d);

    /* A guest that always races: bounded, and nothing left behind. */
    f.creates = 0;
    f.races = 1000;
    g_assert_null(xen_bus_device_new(&fake_type, GUEST_DOMID, 7, &f, &err));
    error_free_or_abort(&err);
    g_assert_cmpuint(f.creates, >, 1);
    g_assert_cmpuint(f.creates, <=, 100);
    g_assert_false(dom0_exists(&w, BE_DIR));
    xs_guest_run();
    world_down(&w);
}

static void test_new_failure(void)
{
    World w;
    Fake f = { .fail_create = true };
    Error *err = NULL;

    /* No store at all. */
    g_assert_null(xen_bus_device_new(&fake_type, GUEST_DOMID, 7, &f, &err));
    error_free_or_abort(&err);

    /* The type fails: nothing is left in the store. */
    world_up(&w);
    g_assert_null(xen_bus_device_new(&fake_type, GUEST_DOMID, 7, &f, &err));
    error_free_or_abort(&err);
    g_assert_cmpuint(f.creates, ==, 1);
    g_assert_false(dom0_exists(&w, BE_DIR));
    g_assert_false(dom0_exists(&w, FE_DIR));
    xs_guest_run();
    world_down(&w);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    trace_init_from_env();
    g_test_add_func("/xen-bus/create", test_create);
    g_test_add_func("/xen-bus/connect", test_connect);
    g_test_add_func("/xen-bus/connect-failure", test_connect_failure);
    g_test_add_func("/xen-bus/close-and-reload", test_close_and_reload);
    g_test_add_func("/xen-bus/closed-reattach", test_closed_reattach);
    g_test_add_func("/xen-bus/closed-then-reopened",
                    test_closed_then_reopened);
    g_test_add_func("/xen-bus/guest-writes-while-detached",
                    test_guest_writes_while_detached);
    g_test_add_func("/xen-bus/hostile-states", test_hostile_states);
    g_test_add_func("/xen-bus/fe-dir-removed", test_fe_dir_removed);
    g_test_add_func("/xen-bus/reset", test_reset);
    g_test_add_func("/xen-bus/free", test_free);
    g_test_add_func("/xen-bus/new-races", test_new_races);
    g_test_add_func("/xen-bus/new-failure", test_new_failure);
    return g_test_run();
}
