/*
 * Tests of the xen-xenstore device through the guest's eyes: a simulated
 * xenbus frontend (xs-guest.c) drives it through the real ring page and
 * event channel: every message type, the default nodes, odd deliveries,
 * flow control, ring errors, reconnection, re-binding, reset, migration.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/special_pages.h"
#include "hw/xen/xen_backend_ops.h"
#include "xen_evtchn.h"
#include "xen_xenstore.h"
#include "xenstore_conn.h"
#include "xs-guest.h"

#define GUEST_DOMID 1
#define GUEST_NAME "guest-one"
#define GUEST_MEMORY_KIB 524288

typedef struct World {
    XenXenstoreState *s;
    XsGuest g;
} World;

static const XenXenstoreConfig world_cfg = {
    .domid = GUEST_DOMID,
    .name = GUEST_NAME,
    .memory_kib = GUEST_MEMORY_KIB,
};

static XenXenstoreState *world_device(void)
{
    XenXenstoreState *s;

    g_assert_true(xen_evtchn_create(GUEST_DOMID, &error_abort));
    s = xen_xenstore_realize(&world_cfg, &error_abort);
    g_assert_nonnull(s);
    return s;
}

/* A booted guest: device realized and reset, frontend attached. */
static void world_up(World *w)
{
    w->s = world_device();
    g_assert_true(xen_xenstore_reset(w->s, &error_abort));
    xs_guest_init(&w->g, xen_xenstore_ring(w->s),
                  xen_xenstore_guest_port(w->s));
    xs_guest_run();
}

static void world_down(World *w)
{
    xs_guest_destroy(&w->g);
    xen_xenstore_unrealize(w->s);
    xen_evtchn_destroy();
    xs_guest_run();
    g_assert_null(xen_xenstore_get());
}

/*
 * Live migration: save the event channels and the device, throw both
 * away, build fresh ones and load.  The guest (its port number, its
 * half-read replies) carries on against the new page.
 */
static void world_migrate(World *w)
{
    g_autoptr(GByteArray) ev = xen_evtchn_save();
    g_autoptr(GByteArray) dev = xen_xenstore_save(w->s);

    xen_xenstore_unrealize(w->s);
    xen_evtchn_destroy();
    w->s = world_device();
    g_assert_cmpint(xen_evtchn_load(ev->data, ev->len), ==, 0);
    g_assert_true(xen_xenstore_load(w->s, dev->data, dev->len,
                                    &error_abort));
    xs_guest_retarget(&w->g, xen_xenstore_ring(w->s), w->g.port);
}

static XenstoreImplState *world_store(World *w)
{
    return xen_xenstore_impl(w->s);
}

/* Domain 0 writes a node, as a backend or the toolstack would. */
static void dom0_write(World *w, const char *path, const char *value)
{
    g_autoptr(GByteArray) data = g_byte_array_new();

    g_byte_array_append(data, (const uint8_t *)value, strlen(value));
    g_assert_cmpint(xs_impl_write(world_store(w), DOMID_QEMU, XBT_NULL, path,
                                  data), ==, 0);
}

static char *dom0_read(World *w, const char *path)
{
    g_autoptr(GByteArray) data = g_byte_array_new();
    int err = xs_impl_read(world_store(w), DOMID_QEMU, XBT_NULL, path, data);

    if (err) {
        return NULL;
    }
    return g_strndup((const char *)data->data, data->len);
}

static struct xenstore_domain_interface *world_ring(World *w)
{
    return xen_xenstore_ring(w->s);
}

static void assert_event(XsGuest *g, const char *path, const char *token)
{
    g_autoptr(XsGuestMsg) m = xs_guest_wait_event(g);
    g_autofree char *want = g_strdup_printf("%s%c%s", path, 0, token);

    g_assert_nonnull(m);
    g_assert_cmpuint(m->hdr.type, ==, XS_WATCH_EVENT);
    g_assert_cmpmem(m->body, m->hdr.len, want, strlen(path) +
                    strlen(token) + 2);
}

static void assert_no_event(XsGuest *g)
{
    xs_guest_run();
    xs_guest_read_all(g);
    g_assert_cmpuint(g_queue_get_length(&g->events), ==, 0);
}

static struct evtchn_status port_status(evtchn_port_t port)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

    g_assert_cmpint(xen_evtchn_status_op(&st), ==, 0);
    return st;
}

static unsigned int guest_ports_in_use(void)
{
    unsigned int n = 0;

    for (evtchn_port_t p = 1; p < EVTCHN_2L_NR_CHANNELS; p++) {
        n += port_status(p).status != EVTCHNSTAT_closed;
    }
    return n;
}

/* ---- what the guest finds at boot ---- */

static void test_boot_state(void)
{
    World w;
    struct xenstore_domain_interface *r;
    struct evtchn_status st;
    g_autofree char *port = NULL;
    g_autofree char *ring_ref = NULL;
    XenXenstoreState *second;
    Error *err = NULL;

    world_up(&w);
    r = world_ring(&w);
    g_assert_true(xen_xenstore_get() == w.s);
    g_assert_cmphex(xen_xenstore_pfn(w.s), ==, 0xfeff9);
    g_assert_cmphex(xen_xenstore_pfn(w.s), ==, XEN_XENSTORE_PFN);
    g_assert_cmpuint(r->server_features, ==,
                     XENSTORE_SERVER_FEATURE_RECONNECTION |
                     XENSTORE_SERVER_FEATURE_ERROR |
                     XENSTORE_SERVER_FEATURE_WATCHDEPTH);
    g_assert_cmpuint(r->connection, ==, XENSTORE_CONNECTED);
    g_assert_cmpuint(r->error, ==, XENSTORE_ERROR_NONE);
    g_assert_cmpuint(r->evtchn_port, ==, xen_xenstore_guest_port(w.s));
    g_assert_cmpuint(r->req_cons | r->req_prod | r->rsp_cons | r->rsp_prod,
                     ==, 0);

    /* The store port: the guest's end is bound to the device's. */
    st = port_status(xen_xenstore_guest_port(w.s));
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_interdomain);
    g_assert_cmpuint(st.u.interdomain.dom, ==, DOMID_QEMU);
    g_assert_cmpuint(st.u.interdomain.port, ==, xen_xenstore_be_port(w.s));
    g_assert_cmpuint(guest_ports_in_use(), ==, 1);

    port = xs_guest_read_str(&w.g, 0, "store/port");
    g_assert_cmpuint(atoi(port), ==, xen_xenstore_guest_port(w.s));
    ring_ref = xs_guest_read_str(&w.g, 0, "store/ring-ref");
    g_assert_cmpuint(g_ascii_strtoull(ring_ref, NULL, 10), ==,
                     XEN_XENSTORE_PFN);

    /* One device per machine. */
    second = xen_xenstore_realize(&world_cfg, &err);
    g_assert_null(second);
    error_free_or_abort(&err);
    world_down(&w);
}

/* ---- every message type through the ring ---- */

typedef struct TypeCase {
    uint32_t type;
    const char *payload;
    size_t len;
    uint32_t reply_type;        /* XS_ERROR for an error */
    const char *reply;
    size_t reply_len;
} TypeCase;

#define CASE(t, p, rt, r) { t, p, sizeof(p) - 1, rt, r, sizeof(r) - 1 }

static void test_every_type(void)
{
    static const TypeCase cases[] = {
        CASE(XS_CONTROL, "help\0", XS_ERROR, "EACCES\0"),
        CASE(XS_DIRECTORY, "data\0", XS_DIRECTORY, ""),
        CASE(XS_READ, "domid\0", XS_READ, "1"),
        CASE(XS_GET_PERMS, "domid\0", XS_GET_PERMS, "n0\0r1\0"),
        CASE(XS_WATCH, "data/t\0tok\0", XS_WATCH, "OK\0"),
        CASE(XS_UNWATCH, "data/t\0tok\0", XS_UNWATCH, "OK\0"),
        CASE(XS_INTRODUCE, "2\0" "1234\0" "5\0", XS_ERROR, "EACCES\0"),
        CASE(XS_RELEASE, "1\0", XS_ERROR, "EACCES\0"),
        CASE(XS_GET_DOMAIN_PATH, "1\0", XS_GET_DOMAIN_PATH,
             "/local/domain/1\0"),
        CASE(XS_GET_DOMAIN_PATH, "7\0", XS_GET_DOMAIN_PATH,
             "/local/domain/7\0"),
        CASE(XS_WRITE, "data/t\0hello", XS_WRITE, "OK\0"),
        CASE(XS_READ, "data/t\0", XS_READ, "hello"),
        CASE(XS_MKDIR, "data/d\0", XS_MKDIR, "OK\0"),
        CASE(XS_DIRECTORY, "data\0", XS_DIRECTORY, "d\0t\0"),
        CASE(XS_RM, "data/d\0", XS_RM, "OK\0"),
        CASE(XS_SET_PERMS, "data/t\0n1\0r0\0", XS_SET_PERMS, "OK\0"),
        CASE(XS_GET_PERMS, "data/t\0", XS_GET_PERMS, "n1\0r0\0"),
        CASE(XS_WATCH_EVENT, "data\0tok\0", XS_ERROR, "ENOSYS\0"),
        CASE(XS_ERROR, "EINVAL\0", XS_ERROR, "ENOSYS\0"),
        CASE(XS_IS_DOMAIN_INTRODUCED, "1\0", XS_ERROR, "EACCES\0"),
        CASE(XS_RESUME, "1\0", XS_ERROR, "EACCES\0"),
        CASE(XS_SET_TARGET, "1\0" "2\0", XS_ERROR, "EACCES\0"),
        CASE(20, "x\0", XS_ERROR, "ENOSYS\0"),
        CASE(XS_RESET_WATCHES, "\0", XS_RESET_WATCHES, "OK\0"),
        CASE(XS_GET_FEATURE, "", XS_GET_FEATURE, "7\0"),
        CASE(XS_SET_FEATURE, "1\0" "0\0", XS_ERROR, "EACCES\0"),
        CASE(XS_GET_QUOTA, "nodes\0", XS_GET_QUOTA, "1000\0"),
        CASE(XS_SET_QUOTA, "nodes\0" "5\0", XS_ERROR, "EACCES\0"),
        CASE(XS_TYPE_COUNT, "\0", XS_ERROR, "ENOSYS\0"),
        CASE(0xffff, "\0", XS_ERROR, "ENOSYS\0"),
        CASE(XS_READ, "/local/domain/0\0", XS_ERROR, "EACCES\0"),
        CASE(XS_WRITE, "domid\0" "2", XS_ERROR, "EACCES\0"),
        CASE(XS_WRITE, "newnode\0" "x", XS_ERROR, "EACCES\0"),
        CASE(XS_READ, "data/none\0", XS_ERROR, "ENOENT\0"),
        CASE(XS_READ, "data/t", XS_ERROR, "EINVAL\0"),
    };
    bool seen[XS_TYPE_COUNT] = { false };
    World w;

    world_up(&w);
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        const TypeCase *c = &cases[i];
        g_autoptr(XsGuestMsg) m = xs_guest_call(&w.g, c->type, 0, c->payload,
                                                c->len);

        if (g_test_verbose()) {
            g_test_message("type %u: reply type %u", c->type, m->hdr.type);
        }
        xs_guest_assert_reply(m, c->reply_type, c->reply, c->reply_len);
        if (c->type < XS_TYPE_COUNT) {
            seen[c->type] = true;
        }
    }
    /* The WATCH fired once, after its OK. */
    assert_event(&w.g, "data/t", "tok");
    assert_no_event(&w.g);

    /* Transactions, and DIRECTORY_PART, through the ring too. */
    {
        uint32_t tx = xs_guest_tx_start(&w.g);
        g_autoptr(XsGuestMsg) busy = NULL;
        g_autoptr(XsGuestMsg) part = NULL;
        g_autofree char *v = NULL;
        const char *names;

        seen[XS_TRANSACTION_START] = true;
        busy = XS_GUEST_CALL(&w.g, XS_TRANSACTION_START, tx, "\0");
        xs_guest_assert_error(busy, "EBUSY");
        xs_guest_write_str(&w.g, tx, "data/in-tx", "v");
        g_assert_null(dom0_read(&w, "/local/domain/1/data/in-tx"));
        v = xs_guest_read_str(&w.g, tx, "data/in-tx");
        g_assert_cmpstr(v, ==, "v");
        g_assert_cmpint(xs_guest_tx_end(&w.g, tx, true), ==, 0);
        seen[XS_TRANSACTION_END] = true;
        g_assert_cmpint(xs_guest_tx_end(&w.g, tx, true), ==, ENOENT);
        g_free(v);
        v = dom0_read(&w, "/local/domain/1/data/in-tx");
        g_assert_cmpstr(v, ==, "v");

        part = XS_GUEST_CALL(&w.g, XS_DIRECTORY_PART, 0, "data\0" "0\0");
        seen[XS_DIRECTORY_PART] = true;
        g_assert_cmpuint(part->hdr.type, ==, XS_DIRECTORY_PART);
        /* gencnt, then the names, then the empty string of the end. */
        g_assert_true(g_ascii_isdigit(part->body[0]));
        names = part->body + strlen(part->body) + 1;
        g_assert_cmpmem(names, part->hdr.len - (names - part->body),
                        "in-tx\0t\0\0", 9);
    }
    for (uint32_t t = 0; t < XS_TYPE_COUNT; t++) {
        if (!seen[t]) {
            g_error("message type %u not tried", t);
        }
    }
    world_down(&w);
}

/* ---- the default nodes of a guest (spec section 9) ---- */

static void test_default_nodes(void)
{
    static const char *const dom0_nodes[][2] = {
        { "domid", "1" },
        { "name", GUEST_NAME },
        { "control/platform-feature-xs_reset_watches", "1" },
        { "control/platform-feature-multiprocessor-suspend", "1" },
        { "platform/acpi", "1" },
        { "platform/acpi_s3", "1" },
        { "platform/acpi_s4", "1" },
        { "platform/acpi_laptop_slate", "0" },
        { "memory/target", "524288" },
        { "store/ring-ref", "1044473" },          /* 0xfeff9 */
    };
    static const char *const guest_nodes[][2] = {
        { "attr", "" }, { "control/shutdown", "" },
        { "control/feature-poweroff", "1" }, { "control/feature-reboot", "1" },
        { "control/feature-suspend", "1" }, { "control/feature-s3", "1" },
        { "control/feature-s4", "1" }, { "data", "" }, { "device", "" },
        { "drivers", "" }, { "error", "" }, { "feature", "" },
    };
    World w;
    g_autofree char *home_perms = NULL;
    g_autofree char *port = NULL;
    g_autofree char *port_perms = NULL;
    g_autoptr(XsGuestMsg) dir = NULL;
    g_autoptr(XsGuestMsg) denied = NULL;

    world_up(&w);
    home_perms = xs_guest_perms(&w.g, "/local/domain/1");
    g_assert_cmpstr(home_perms, ==, "n0,r1");
    dir = XS_GUEST_CALL(&w.g, XS_DIRECTORY, 0, "/local/domain/1\0");
    XS_GUEST_ASSERT(dir, XS_DIRECTORY,
                    "attr\0control\0data\0device\0domid\0drivers\0error\0"
                    "feature\0memory\0name\0platform\0store\0");

    for (size_t i = 0; i < ARRAY_SIZE(dom0_nodes); i++) {
        g_autofree char *v = xs_guest_read_str(&w.g, 0, dom0_nodes[i][0]);
        g_autofree char *p = xs_guest_perms(&w.g, dom0_nodes[i][0]);
        g_autoptr(GByteArray) req = g_byte_array_new();
        g_autoptr(XsGuestMsg) m = NULL;

        g_assert_cmpstr(v, ==, dom0_nodes[i][1]);
        g_assert_cmpstr(p, ==, "n0,r1");
        /* Readable, not writable. */
        g_byte_array_append(req, (const uint8_t *)dom0_nodes[i][0],
                            strlen(dom0_nodes[i][0]) + 1);
        g_byte_array_append(req, (const uint8_t *)"x", 1);
        m = xs_guest_call(&w.g, XS_WRITE, 0, req->data, req->len);
        xs_guest_assert_error(m, "EACCES");
    }
    port = xs_guest_read_str(&w.g, 0, "store/port");
    g_assert_cmpuint(atoi(port), ==, w.g.port);
    port_perms = xs_guest_perms(&w.g, "store/port");
    g_assert_cmpstr(port_perms, ==, "n0,r1");

    for (size_t i = 0; i < ARRAY_SIZE(guest_nodes); i++) {
        g_autofree char *v = xs_guest_read_str(&w.g, 0, guest_nodes[i][0]);
        g_autofree char *p = xs_guest_perms(&w.g, guest_nodes[i][0]);
        g_autofree char *child = g_strdup_printf("%s/x", guest_nodes[i][0]);

        g_assert_cmpstr(v, ==, guest_nodes[i][1]);
        g_assert_cmpstr(p, ==, "n1");
        /* The guest owns them: it writes below them and rewrites them. */
        xs_guest_write_str(&w.g, 0, child, "y");
        xs_guest_write_str(&w.g, 0, guest_nodes[i][0], guest_nodes[i][1]);
    }

    /* Nothing new in the dom0-owned home, nor above it. */
    denied = XS_GUEST_CALL(&w.g, XS_MKDIR, 0, "newdir\0");
    xs_guest_assert_error(denied, "EACCES");
    g_clear_pointer(&denied, xs_guest_msg_free);
    denied = XS_GUEST_CALL(&w.g, XS_RM, 0, "/local/domain/1\0");
    xs_guest_assert_error(denied, "EACCES");
    g_clear_pointer(&denied, xs_guest_msg_free);
    denied = XS_GUEST_CALL(&w.g, XS_DIRECTORY, 0, "/local\0");
    xs_guest_assert_error(denied, "EACCES");
    world_down(&w);
}

static void guest_reconnect(World *w);

/* ---- odd deliveries ---- */

static void test_byte_at_a_time(void)
{
    World w;
    struct xenstore_domain_interface *r;
    g_autoptr(GByteArray) req = NULL;
    g_autoptr(GByteArray) val = g_byte_array_new();
    g_autoptr(GByteArray) rd = NULL;
    g_autoptr(XsGuestMsg) m = NULL;
    unsigned int upcalls;

    world_up(&w);
    r = world_ring(&w);
    req = xs_guest_encode(XS_WRITE, 77, 0, "data/bytes\0abcdefgh", 19);
    for (guint i = 0; i < req->len; i++) {
        g_assert_cmpuint(xs_guest_put(&w.g, req->data + i, 1), ==, 1);
        xs_guest_send(&w.g);
        xs_guest_run();
        /* The device took the byte; nothing to say until the last one. */
        g_assert_cmpuint(qatomic_read(&r->req_cons), ==, i + 1);
        if (i + 1 < req->len) {
            g_assert_cmpuint(qatomic_read(&r->rsp_prod), ==, 0);
        }
    }
    m = xs_guest_wait_reply(&w.g);
    g_assert_cmpuint(m->hdr.req_id, ==, 77);
    XS_GUEST_ASSERT(m, XS_WRITE, "OK\0");
    g_clear_pointer(&m, xs_guest_msg_free);

    /* A reply longer than the ring, read a byte per notification. */
    for (int i = 0; i < 1900; i++) {
        g_byte_array_append(val, (const uint8_t *)"0123456789" + i % 10, 1);
    }
    g_byte_array_prepend(val, (const uint8_t *)"data/big", 9);
    m = xs_guest_call(&w.g, XS_WRITE, 0, val->data, val->len);
    XS_GUEST_ASSERT(m, XS_WRITE, "OK\0");
    g_clear_pointer(&m, xs_guest_msg_free);

    w.g.lazy_notify = false;
    rd = xs_guest_encode(XS_READ, 78, 0, "data/big\0", 9);
    g_assert_cmpuint(xs_guest_put(&w.g, rd->data, rd->len), ==, rd->len);
    xs_guest_send(&w.g);
    xs_guest_run();
    g_assert_cmpuint(qatomic_read(&r->rsp_prod) - qatomic_read(&r->rsp_cons),
                     ==, XENSTORE_RING_SIZE);
    upcalls = w.g.upcalls;
    for (size_t i = 0; i < 16 + 1900; i++) {
        g_assert_cmpuint(xs_guest_read(&w.g, 1), ==, 1);
        xs_guest_run();
    }
    g_assert_cmpuint(xs_guest_read(&w.g, 1), ==, 0);
    /* Every byte freed was refilled and announced. */
    g_assert_cmpuint(w.g.upcalls - upcalls, >=, 1900 - 1024);
    m = g_queue_pop_head(&w.g.replies);
    g_assert_nonnull(m);
    g_assert_cmpuint(m->hdr.req_id, ==, 78);
    g_assert_cmpmem(m->body, m->hdr.len, val->data + 9, 1900);
    world_down(&w);
}

/* A request/reply round trip with a value of len bytes, checked. */
static void round_trip(XsGuest *g, unsigned int seq, size_t len)
{
    g_autoptr(GByteArray) req = g_byte_array_new();
    g_autofree char *path = g_strdup_printf("data/wrap%u", seq % 7);
    g_autoptr(XsGuestMsg) m = NULL;
    g_autofree char *back = NULL;

    g_byte_array_append(req, (const uint8_t *)path, strlen(path) + 1);
    for (size_t i = 0; i < len; i++) {
        uint8_t c = 'a' + (seq + i) % 26;

        g_byte_array_append(req, &c, 1);
    }
    m = xs_guest_call(g, XS_WRITE, 0, req->data, req->len);
    XS_GUEST_ASSERT(m, XS_WRITE, "OK\0");
    back = xs_guest_read_str(g, 0, path);
    g_assert_cmpmem(back, strlen(back), req->data + strlen(path) + 1, len);
}

/*
 * Free-running indexes close to 2^32, left there by earlier users of
 * the ring (firmware): the device serves from wherever they are.
 */
static void wrap_from(XENSTORE_RING_IDX req_start, XENSTORE_RING_IDX rsp_start,
                      bool migrate_first)
{
    World w;
    struct xenstore_domain_interface *r;
    size_t total = 0;

    world_up(&w);
    r = world_ring(&w);
    r->req_cons = r->req_prod = req_start;
    r->rsp_cons = r->rsp_prod = rsp_start;
    smp_wmb();
    if (migrate_first) {
        /* Not served yet: the new device must adopt them too. */
        world_migrate(&w);
        r = world_ring(&w);
    }
    for (unsigned int i = 0; total < 3 * 4096; i++) {
        size_t len = (i * 397) % 1500;

        round_trip(&w.g, i, len);
        total += 2 * len + 64;
    }
    g_assert_cmpuint(r->error, ==, XENSTORE_ERROR_NONE);
    g_assert_cmpuint(r->req_cons, ==, r->req_prod);
    g_assert_cmpuint(r->rsp_cons, ==, r->rsp_prod);
    /* Both ran past 2^32 and on. */
    g_assert_cmpuint(r->req_prod - req_start, >, 4096);
    g_assert_cmpuint(r->req_prod, <, req_start);
    if (rsp_start > 0x80000000u) {
        g_assert_cmpuint(r->rsp_prod, <, rsp_start);
    }
    world_down(&w);
}

static void test_wrap(void)
{
    wrap_from(0xffffff00u, 0xffffff00u, false);
    /* A header across the 2^32 boundary; responses elsewhere. */
    wrap_from(0xfffffff8u, 0x7ffffff0u, false);
    wrap_from(0xfffffc01u, 0xfffffffdu, false);
    wrap_from(0xfffffff0u, 0xffffff10u, true);
}

/* Indexes found at first service that make no sense: a ring error. */
static void test_first_serve_bad_indexes(void)
{
    World w;
    struct xenstore_domain_interface *r;
    g_autofree char *v = NULL;

    world_up(&w);
    r = world_ring(&w);
    r->req_cons = 5000;
    r->req_prod = 5000 + XENSTORE_RING_SIZE + 1;
    smp_wmb();
    xs_guest_send(&w.g);
    xs_guest_run();
    g_assert_cmpuint(r->error, ==, XENSTORE_ERROR_RINGIDX);
    g_assert_cmpuint(r->req_cons, ==, 5000);
    guest_reconnect(&w);
    v = xs_guest_read_str(&w.g, 0, "domid");
    g_assert_cmpstr(v, ==, "1");
    world_down(&w);
}

static void test_hundred_queued(void)
{
    World w;
    struct xenstore_domain_interface *r;
    g_autoptr(GByteArray) all = g_byte_array_new();
    size_t off;
    uint32_t next_reply = 1;

    world_up(&w);
    r = world_ring(&w);
    for (uint32_t i = 1; i <= 100; i++) {
        g_autofree char *dom = g_strdup_printf("%u", 100 + i);
        g_autoptr(GByteArray) m = xs_guest_encode(XS_GET_DOMAIN_PATH, i, 0,
                                                  dom, strlen(dom) + 1);

        g_byte_array_append(all, m->data, m->len);
    }
    /* As much as fits, then one notification. */
    off = xs_guest_put(&w.g, all->data, all->len);
    g_assert_cmpuint(off, ==, XENSTORE_RING_SIZE);
    xs_guest_send(&w.g);
    xs_guest_run();
    /* Replies fill the ring off that one event: 32 of 32 bytes each. */
    g_assert_cmpuint(r->rsp_prod - r->rsp_cons, ==, XENSTORE_RING_SIZE);
    g_assert_cmpuint(w.g.sends, ==, 1);

    /* Then a lazy frontend: read, refill, notify only when needed. */
    while (next_reply <= 100) {
        XsGuestMsg *m;

        xs_guest_read_all(&w.g);
        while ((m = g_queue_pop_head(&w.g.replies))) {
            g_autofree char *want = g_strdup_printf("/local/domain/%u",
                                                    100 + next_reply);

            g_assert_cmpuint(m->hdr.req_id, ==, next_reply);
            xs_guest_assert_reply(m, XS_GET_DOMAIN_PATH, want,
                                  strlen(want) + 1);
            xs_guest_msg_free(m);
            next_reply++;
        }
        if (off < all->len) {
            size_t n = xs_guest_put(&w.g, all->data + off, all->len - off);

            if (n && r->req_cons == r->req_prod - n) {
                xs_guest_send(&w.g);
            }
            off += n;
        }
        if (!xs_guest_run() && next_reply <= 100) {
            xs_guest_read_all(&w.g);
            g_assert_cmpuint(g_queue_get_length(&w.g.replies), >, 0);
        }
    }
    g_assert_cmpuint(w.g.sends, <, 20);
    world_down(&w);
}

/* The fields the server owns are the server's: scribbling is ignored. */
static void test_guest_scribbles(void)
{
    World w;
    struct xenstore_domain_interface *r;
    g_autofree char *v = NULL;
    XENSTORE_RING_IDX req_cons, rsp_prod;

    world_up(&w);
    r = world_ring(&w);
    v = xs_guest_read_str(&w.g, 0, "domid");
    req_cons = r->req_cons;
    rsp_prod = r->rsp_prod;
    /* Claims the device never made: an error, other indexes, features. */
    r->error = XENSTORE_ERROR_PROTO;
    r->server_features = 0;
    r->req_cons = req_cons - 500;
    r->rsp_prod = rsp_prod + 300;
    xs_guest_send(&w.g);
    xs_guest_run();
    g_assert_cmpuint(r->req_cons, ==, req_cons - 500);
    /*
     * The guest reads rsp_prod itself: it puts that back.  req_cons stays
     * wrong: a device that believed it would take 500 stale bytes.
     */
    r->rsp_prod = rsp_prod;
    w.g.lazy_notify = false;    /* its lazy rule reads req_cons too */
    g_clear_pointer(&v, g_free);
    v = xs_guest_read_str(&w.g, 0, "name");
    g_assert_cmpstr(v, ==, GUEST_NAME);
    /* The device went on from its own indexes, not the scribbled ones. */
    g_assert_cmpuint(r->req_cons, ==, r->req_prod);
    g_assert_cmpuint(r->rsp_prod, ==, r->rsp_cons);
    g_assert_cmpuint(r->req_cons - req_cons, ==, 16 + 5);
    world_down(&w);
}

/* ---- watch events and flow control ---- */

static void test_watch_storm(void)
{
    World w;
    struct xenstore_domain_interface *r;
    g_autoptr(GByteArray) big = g_byte_array_new();
    g_autoptr(GByteArray) req = NULL;
    g_autoptr(XsGuestMsg) m = NULL;
    unsigned int got[200] = { 0 };

    world_up(&w);
    r = world_ring(&w);
    xs_guest_watch(&w.g, "data", "storm");
    assert_event(&w.g, "data", "storm");
    for (int i = 0; i < 3000; i++) {
        g_byte_array_append(big, (const uint8_t *)"xyz" + i % 3, 1);
    }
    g_assert_cmpint(xs_impl_write(world_store(&w), DOMID_QEMU, XBT_NULL,
                                  "/local/domain/1/data/big", big),
                    ==, 0);
    assert_event(&w.g, "data/big", "storm");

    /* A reply bigger than the ring is on its way... */
    req = xs_guest_encode(XS_READ, 5, 0, "data/big\0", 9);
    xs_guest_put(&w.g, req->data, req->len);
    xs_guest_send(&w.g);
    xs_guest_run();
    g_assert_cmpuint(r->rsp_prod - r->rsp_cons, ==, XENSTORE_RING_SIZE);
    /* ...when a storm of changes hits the watch. */
    for (int i = 0; i < 200; i++) {
        g_autofree char *p = g_strdup_printf("/local/domain/1/data/s%d", i);

        dom0_write(&w, p, "x");
    }
    xs_guest_run();
    /* The guest sees the reply whole, then the events, all whole. */
    m = xs_guest_wait_reply(&w.g);
    g_assert_cmpuint(m->hdr.req_id, ==, 5);
    g_assert_cmpmem(m->body, m->hdr.len, big->data, big->len);
    for (;;) {
        g_autoptr(XsGuestMsg) ev = xs_guest_wait_event(&w.g);
        int n;

        if (!ev) {
            break;
        }
        g_assert_cmpuint(ev->hdr.type, ==, XS_WATCH_EVENT);
        g_assert_true(g_str_has_prefix(ev->body, "data/s"));
        n = atoi(ev->body + 6);
        g_assert_cmpint(n, >=, 0);
        g_assert_cmpint(n, <, 200);
        g_assert_cmpstr(ev->body + strlen(ev->body) + 1, ==, "storm");
        g_assert_cmpuint(ev->seq, >, m->seq);
        got[n]++;
    }
    for (int i = 0; i < 200; i++) {
        g_assert_cmpuint(got[i], ==, 1);
    }
    g_assert_cmpuint(g_queue_get_length(&w.g.replies), ==, 0);
    world_down(&w);
}

static void test_never_reads(void)
{
    World w;
    struct xenstore_domain_interface *r;
    XsConn *conn;
    XENSTORE_RING_IDX cons;
    unsigned int events = 0, replies = 0;
    uint32_t sent = 0;
    uint64_t dropped;
    bool stalled = false;

    world_up(&w);
    r = world_ring(&w);
    conn = xen_xenstore_conn(w.s);
    xs_guest_watch(&w.g, "data", "w");
    assert_event(&w.g, "data", "w");

    /* Requests whenever there is room; replies never read. */
    for (int round = 0; round < 20; round++) {
        for (;;) {
            g_autoptr(GByteArray) m = xs_guest_encode(XS_READ, ++sent, 0,
                                                      "domid\0", 6);

            if (XENSTORE_RING_SIZE - (r->req_prod - r->req_cons) < m->len) {
                sent--;
                break;
            }
            g_assert_cmpuint(xs_guest_put(&w.g, m->data, m->len), ==,
                             m->len);
        }
        cons = r->req_cons;
        xs_guest_send(&w.g);
        xs_guest_run();
        if (round > 0 && r->req_cons == cons) {
            stalled = true;
        }
    }
    /* Input stopped: the ring full of requests, the reply ring full. */
    g_assert_true(stalled);
    g_assert_cmpuint(r->req_prod - r->req_cons, >, XENSTORE_RING_SIZE - 22);
    g_assert_cmpuint(r->rsp_prod - r->rsp_cons, ==, XENSTORE_RING_SIZE);

    /* Thousands of events: the queue stays at the quota. */
    for (int i = 0; i < 3000; i++) {
        g_autofree char *p = g_strdup_printf("/local/domain/1/data/n%d", i);

        dom0_write(&w, p, "v");
        g_assert_cmpuint(xs_conn_queued_events(conn), <=, 1024);
    }
    xs_guest_run();
    g_assert_cmpuint(xs_conn_queued_events(conn), ==, 1024);
    dropped = xs_conn_dropped_events(conn);
    g_assert_cmpuint(dropped, ==, 3000 - 1024);

    /* Reading again, the guest gets every reply and the kept events. */
    w.g.lazy_notify = true;
    for (;;) {
        XsGuestMsg *m;

        xs_guest_read_all(&w.g);
        while ((m = g_queue_pop_head(&w.g.replies))) {
            replies++;
            g_assert_cmpuint(m->hdr.req_id, ==, replies);
            xs_guest_msg_free(m);
        }
        while ((m = g_queue_pop_head(&w.g.events))) {
            events++;
            xs_guest_msg_free(m);
        }
        if (!xs_guest_run()) {
            xs_guest_read_all(&w.g);
            if (!w.g.replies.length && !w.g.events.length) {
                break;
            }
        }
    }
    g_assert_cmpuint(replies, ==, sent);
    g_assert_cmpuint(events, ==, 1024);
    g_assert_cmpuint(xs_conn_queued_events(conn), ==, 0);
    world_down(&w);
}

static void test_idle_event(void)
{
    World w;
    struct xenstore_domain_interface *r;
    const XenstoreBackendOps *ops = &emu_xenstore_backend_ops;
    qemu_xs_handle *h;
    XENSTORE_RING_IDX prod;
    unsigned int upcalls;
    XsGuestMsg *m;

    world_up(&w);
    r = world_ring(&w);
    xs_guest_watch(&w.g, "data/idle", "i");
    assert_event(&w.g, "data/idle", "i");
    assert_no_event(&w.g);

    h = ops->open(&error_abort);
    prod = r->rsp_prod;
    upcalls = w.g.upcalls;
    g_assert_true(ops->write(h, XBT_NULL, "/local/domain/1/data/idle",
                             "on", 2));
    /* Nothing written from inside the store call... */
    g_assert_cmpuint(r->rsp_prod, ==, prod);
    /* ...but one main loop turn later it is in the ring, announced. */
    xs_guest_run();
    g_assert_cmpuint(r->rsp_prod, >, prod);
    g_assert_cmpuint(w.g.upcalls, >, upcalls);
    xs_guest_read_all(&w.g);
    m = g_queue_pop_head(&w.g.events);
    g_assert_nonnull(m);
    g_assert_cmpmem(m->body, m->hdr.len, "data/idle\0i\0", 12);
    xs_guest_msg_free(m);
    ops->close(h);
    world_down(&w);
}

/* ---- ring errors, reconnection, reset ---- */

/* The guest asks for a reconnection and waits for it. */
static void guest_reconnect(World *w)
{
    struct xenstore_domain_interface *r = world_ring(w);
    unsigned int upcalls = w->g.upcalls;

    qatomic_set(&r->connection, XENSTORE_RECONNECT);
    smp_mb();
    xs_guest_send(&w->g);
    xs_guest_run();
    g_assert_cmpuint(qatomic_read(&r->connection), ==, XENSTORE_CONNECTED);
    g_assert_cmpuint(w->g.upcalls, >, upcalls);
    g_byte_array_set_size(w->g.rx, 0);
    g_queue_clear_full(&w->g.replies, (GDestroyNotify)xs_guest_msg_free);
    g_queue_clear_full(&w->g.events, (GDestroyNotify)xs_guest_msg_free);
}

/* Whatever the guest does now, nothing is served. */
static void assert_stopped(World *w, uint32_t error)
{
    struct xenstore_domain_interface *r = world_ring(w);
    XENSTORE_RING_IDX req_cons = r->req_cons, rsp_prod = r->rsp_prod;
    g_autoptr(GByteArray) m = xs_guest_encode(XS_READ, 9, 0, "domid\0", 6);

    g_assert_cmpuint(r->error, ==, error);
    if (r->req_prod - r->req_cons <= XENSTORE_RING_SIZE - m->len) {
        xs_guest_put(&w->g, m->data, m->len);
    }
    xs_guest_send(&w->g);
    dom0_write(w, "/local/domain/1/data/while-stopped", "x");
    xs_guest_run();
    g_assert_cmpuint(r->req_cons, ==, req_cons);
    g_assert_cmpuint(r->rsp_prod, ==, rsp_prod);
    g_assert_cmpuint(r->error, ==, error);
}

/* After a recovery: indexes at 0, nothing of the old session left. */
static void assert_fresh_session(World *w, uint32_t old_tx)
{
    struct xenstore_domain_interface *r = world_ring(w);
    g_autoptr(XsGuestMsg) m = NULL;
    g_autofree char *v = NULL;

    g_assert_cmpuint(r->error, ==, XENSTORE_ERROR_NONE);
    g_assert_cmpuint(r->req_cons | r->req_prod | r->rsp_cons | r->rsp_prod,
                     ==, 0);
    /* The old watch is gone: a change shows nothing, unwatch fails. */
    dom0_write(w, "/local/domain/1/data/w", "after");
    assert_no_event(&w->g);
    m = XS_GUEST_CALL(&w->g, XS_UNWATCH, 0, "data/w\0old\0");
    xs_guest_assert_error(m, "ENOENT");
    /* So is the transaction. */
    g_assert_cmpint(xs_guest_tx_end(&w->g, old_tx, true), ==, ENOENT);
    v = xs_guest_read_str(&w->g, 0, "domid");
    g_assert_cmpstr(v, ==, "1");
}

/* A session with a watch and an open transaction, to be lost. */
static uint32_t busy_session(World *w)
{
    uint32_t tx;

    xs_guest_watch(&w->g, "data/w", "old");
    assert_event(&w->g, "data/w", "old");
    tx = xs_guest_tx_start(&w->g);
    xs_guest_write_str(&w->g, tx, "data/tx-node", "x");
    return tx;
}

typedef enum RingFault {
    FAULT_REQ_IDX,              /* req_prod - req_cons > ring size */
    FAULT_RSP_IDX,              /* rsp_cons beyond rsp_prod */
    FAULT_PROTO,                /* len > XENSTORE_PAYLOAD_MAX */
} RingFault;

static uint32_t inject_fault(World *w, RingFault f)
{
    struct xenstore_domain_interface *r = world_ring(w);
    struct xsd_sockmsg hdr = {
        .type = XS_WRITE, .req_id = 3, .len = XENSTORE_PAYLOAD_MAX + 1,
    };
    g_autoptr(GByteArray) m = xs_guest_encode(XS_READ, 9, 0, "domid\0", 6);

    switch (f) {
    case FAULT_REQ_IDX:
        qatomic_set(&r->req_prod, r->req_cons + XENSTORE_RING_SIZE + 1);
        xs_guest_send(&w->g);
        xs_guest_run();
        return XENSTORE_ERROR_RINGIDX;
    case FAULT_RSP_IDX:
        qatomic_set(&r->rsp_cons, r->rsp_prod + 10);
        xs_guest_put(&w->g, m->data, m->len);
        xs_guest_send(&w->g);
        xs_guest_run();
        return XENSTORE_ERROR_RINGIDX;
    case FAULT_PROTO:
        xs_guest_put(&w->g, &hdr, sizeof(hdr));
        xs_guest_send(&w->g);
        xs_guest_run();
        /* The header was taken, nothing answered. */
        g_assert_cmpuint(r->req_cons, ==, r->req_prod);
        return XENSTORE_ERROR_PROTO;
    }
    g_assert_not_reached();
}

static void ring_fault_then_reconnect(gconstpointer data)
{
    RingFault f = GPOINTER_TO_INT(data);
    World w;
    uint32_t tx, error;
    unsigned int upcalls;

    world_up(&w);
    tx = busy_session(&w);
    upcalls = w.g.upcalls;
    error = inject_fault(&w, f);
    g_assert_cmpuint(world_ring(&w)->error, ==, error);
    /* The guest hears of it. */
    g_assert_cmpuint(w.g.upcalls, >, upcalls);
    assert_stopped(&w, error);
    guest_reconnect(&w);
    assert_fresh_session(&w, tx);
    world_down(&w);
}

static void ring_fault_then_reset(gconstpointer data)
{
    RingFault f = GPOINTER_TO_INT(data);
    World w;
    uint32_t tx, error;

    world_up(&w);
    tx = busy_session(&w);
    error = inject_fault(&w, f);
    assert_stopped(&w, error);
    g_assert_true(xen_xenstore_reset(w.s, &error_abort));
    xs_guest_retarget(&w.g, xen_xenstore_ring(w.s),
                      xen_xenstore_guest_port(w.s));
    g_byte_array_set_size(w.g.rx, 0);
    assert_fresh_session(&w, tx);
    world_down(&w);
}

/* A ring error is not a domain death: no @releaseDomain for it. */
static void count_cb(void *opaque, const char *path)
{
    unsigned int *n = opaque;

    (*n)++;
}

static void test_ring_error_no_release(void)
{
    const XenstoreBackendOps *ops = &emu_xenstore_backend_ops;
    World w;
    qemu_xs_handle *h;
    unsigned int released = 0;

    world_up(&w);
    h = ops->open(&error_abort);
    g_assert_nonnull(ops->watch(h, "@releaseDomain", count_cb, &released));
    xs_guest_run();
    g_assert_cmpuint(released, ==, 1);
    inject_fault(&w, FAULT_PROTO);
    guest_reconnect(&w);
    xs_guest_run();
    g_assert_cmpuint(released, ==, 1);
    ops->close(h);
    world_down(&w);
}

/* Reconnection with a half-written request and a half-read reply. */
static void test_reconnect_mid_message(void)
{
    World w;
    struct xenstore_domain_interface *r;
    g_autoptr(GByteArray) big = g_byte_array_new();
    g_autoptr(GByteArray) rd = NULL;
    g_autoptr(GByteArray) wr = NULL;
    uint32_t tx;

    world_up(&w);
    r = world_ring(&w);
    tx = busy_session(&w);
    for (int i = 0; i < 2000; i++) {
        g_byte_array_append(big, (const uint8_t *)"q", 1);
    }
    g_byte_array_prepend(big, (const uint8_t *)"data/r\0", 7);
    {
        g_autoptr(XsGuestMsg) m = xs_guest_call(&w.g, XS_WRITE, 0, big->data,
                                                big->len);

        XS_GUEST_ASSERT(m, XS_WRITE, "OK\0");
    }
    rd = xs_guest_encode(XS_READ, 50, 0, "data/r\0", 7);
    wr = xs_guest_encode(XS_WRITE, 51, 0, "data/half\0v", 11);
    xs_guest_put(&w.g, rd->data, rd->len);
    xs_guest_put(&w.g, wr->data, 20);
    xs_guest_send(&w.g);
    xs_guest_run();
    g_assert_cmpuint(xs_guest_read(&w.g, 100), ==, 100);
    g_assert_cmpuint(r->req_cons, ==, r->req_prod);

    guest_reconnect(&w);
    assert_fresh_session(&w, tx);
    /* The half request was dropped, not completed by later bytes. */
    g_assert_null(dom0_read(&w, "/local/domain/1/data/half"));
    world_down(&w);
}

/* ---- the store event channel: Windows close and re-bind ---- */

/* What Windows PV drivers do: find the remote end, close, bind again. */
static evtchn_port_t windows_rebind(World *w, bool take_old_number)
{
    struct evtchn_status st = port_status(w->g.port);
    struct evtchn_close close = { .port = w->g.port };
    struct evtchn_alloc_unbound other = {
        .dom = DOMID_SELF, .remote_dom = DOMID_SELF,
    };
    struct evtchn_bind_interdomain bind;

    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_interdomain);
    g_assert_cmpuint(st.u.interdomain.dom, ==, DOMID_QEMU);
    g_assert_cmpuint(st.u.interdomain.port, ==, xen_xenstore_be_port(w->s));
    g_assert_cmpint(xen_evtchn_close_op(&close), ==, 0);
    if (take_old_number) {
        /* Something else takes the old number meanwhile. */
        g_assert_cmpint(xen_evtchn_alloc_unbound_op(&other), ==, 0);
        g_assert_cmpuint(other.port, ==, w->g.port);
    }
    bind = (struct evtchn_bind_interdomain) {
        .remote_dom = DOMID_QEMU, .remote_port = st.u.interdomain.port,
    };
    g_assert_cmpint(xen_evtchn_bind_interdomain_op(&bind), ==, 0);
    w->g.port = bind.local_port;
    return take_old_number ? other.port : 0;
}

static void test_windows_rebind(void)
{
    World w;
    evtchn_port_t be, old, other;
    g_autofree char *v = NULL;
    g_autoptr(XsGuestMsg) m = NULL;

    world_up(&w);
    be = xen_xenstore_be_port(w.s);
    old = w.g.port;
    xs_guest_watch(&w.g, "data/win", "t");
    assert_event(&w.g, "data/win", "t");

    /* While the port is closed the device cannot notify: no harm. */
    {
        struct evtchn_close close = { .port = w.g.port };

        g_assert_cmpint(xen_evtchn_close_op(&close), ==, 0);
        dom0_write(&w, "/local/domain/1/data/win", "1");
        xs_guest_run();
        g_assert_cmpuint(world_ring(&w)->rsp_prod -
                         world_ring(&w)->rsp_cons, >, 0);
        xs_guest_read_all(&w.g);
        assert_event(&w.g, "data/win", "t");
    }
    {
        struct evtchn_bind_interdomain bind = {
            .remote_dom = DOMID_QEMU, .remote_port = be,
        };

        g_assert_cmpint(xen_evtchn_bind_interdomain_op(&bind), ==, 0);
        w.g.port = bind.local_port;
    }
    v = xs_guest_read_str(&w.g, 0, "domid");
    g_assert_cmpstr(v, ==, "1");
    g_assert_cmpuint(xen_xenstore_be_port(w.s), ==, be);

    /* Again, with the old number taken by something else. */
    other = windows_rebind(&w, true);
    g_assert_cmpuint(w.g.port, !=, old);
    g_clear_pointer(&v, g_free);
    v = xs_guest_read_str(&w.g, 0, "name");
    g_assert_cmpstr(v, ==, GUEST_NAME);
    dom0_write(&w, "/local/domain/1/data/win", "2");
    assert_event(&w.g, "data/win", "t");
    g_assert_cmpuint(xen_xenstore_be_port(w.s), ==, be);

    /* Through a migration the backend port and the ring survive. */
    world_migrate(&w);
    g_assert_cmpuint(xen_xenstore_be_port(w.s), ==, be);
    m = XS_GUEST_CALL(&w.g, XS_READ, 0, "domid\0");
    XS_GUEST_ASSERT(m, XS_READ, "1");
    g_assert_cmpuint(port_status(other).status, ==, EVTCHNSTAT_unbound);
    world_down(&w);
}

/*
 * A reboot after a Windows re-bind: the port the guest re-bound is the
 * store's, the old number now belongs to someone else.
 */
static void test_reset_after_rebind(void)
{
    World w;
    evtchn_port_t be, rebound, other;
    struct evtchn_status st;
    g_autofree char *v = NULL;

    world_up(&w);
    be = xen_xenstore_be_port(w.s);
    other = windows_rebind(&w, true);
    rebound = w.g.port;
    g_assert_cmpuint(guest_ports_in_use(), ==, 2);

    g_assert_true(xen_xenstore_reset(w.s, &error_abort));
    /* The unrelated port is untouched, the re-bound one released. */
    st = port_status(other);
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_unbound);
    g_assert_cmpuint(st.u.unbound.dom, ==, GUEST_DOMID);
    g_assert_cmpuint(guest_ports_in_use(), ==, 2);
    g_assert_cmpuint(xen_xenstore_be_port(w.s), ==, be);
    st = port_status(xen_xenstore_guest_port(w.s));
    g_assert_cmpuint(st.status, ==, EVTCHNSTAT_interdomain);
    g_assert_cmpuint(st.u.interdomain.port, ==, be);
    if (rebound != xen_xenstore_guest_port(w.s)) {
        g_assert_cmpuint(port_status(rebound).status, ==, EVTCHNSTAT_closed);
    }
    xs_guest_retarget(&w.g, xen_xenstore_ring(w.s),
                      xen_xenstore_guest_port(w.s));
    v = xs_guest_read_str(&w.g, 0, "domid");
    g_assert_cmpstr(v, ==, "1");
    world_down(&w);
}

/* ---- reset ---- */

static void test_reset_twice(void)
{
    const XenstoreBackendOps *ops = &emu_xenstore_backend_ops;
    World w;
    qemu_xs_handle *h;
    unsigned int introduced = 0, released = 0;

    /* Watch from before the first boot. */
    w.s = world_device();
    h = ops->open(&error_abort);
    g_assert_nonnull(ops->watch(h, "@introduceDomain", count_cb,
                                &introduced));
    g_assert_nonnull(ops->watch(h, "@releaseDomain", count_cb, &released));
    xs_guest_run();
    g_assert_cmpuint(introduced, ==, 1);
    g_assert_cmpuint(released, ==, 1);
    g_assert_false(xs_impl_is_domain_introduced(world_store(&w),
                                                GUEST_DOMID));
    /* Boot: the domain comes; nothing went away. */
    g_assert_true(xen_xenstore_reset(w.s, &error_abort));
    xs_guest_init(&w.g, xen_xenstore_ring(w.s),
                  xen_xenstore_guest_port(w.s));
    xs_guest_run();
    g_assert_cmpuint(introduced, ==, 2);
    g_assert_cmpuint(released, ==, 1);
    g_assert_true(xs_impl_is_domain_introduced(world_store(&w),
                                               GUEST_DOMID));

    /* Reboots: the old domain goes, the new one comes. */
    for (int round = 1; round <= 2; round++) {
        evtchn_port_t old = w.g.port;
        uint32_t tx = busy_session(&w);
        g_autofree char *port = NULL;
        g_autofree char *tx_node = NULL;

        g_assert_true(xen_xenstore_reset(w.s, &error_abort));
        xs_guest_run();
        g_assert_cmpuint(introduced, ==, 2 + round);
        g_assert_cmpuint(released, ==, 1 + round);
        g_assert_true(xs_impl_is_domain_introduced(world_store(&w),
                                                   GUEST_DOMID));
        /* The old port was released, one store port remains. */
        g_assert_cmpuint(guest_ports_in_use(), ==, 1);
        if (old != xen_xenstore_guest_port(w.s)) {
            g_assert_cmpuint(port_status(old).status, ==,
                             EVTCHNSTAT_closed);
        }
        xs_guest_retarget(&w.g, xen_xenstore_ring(w.s),
                          xen_xenstore_guest_port(w.s));
        g_byte_array_set_size(w.g.rx, 0);
        g_assert_cmpuint(world_ring(&w)->evtchn_port, ==, w.g.port);
        port = xs_guest_read_str(&w.g, 0, "store/port");
        g_assert_cmpuint(atoi(port), ==, w.g.port);
        g_assert_cmpint(xs_guest_tx_end(&w.g, tx, true), ==, ENOENT);
        tx_node = dom0_read(&w, "/local/domain/1/data/tx-node");
        g_assert_null(tx_node);
        dom0_write(&w, "/local/domain/1/data/w", "x");
        assert_no_event(&w.g);
    }
    ops->close(h);
    world_down(&w);
}

/* ---- migration ---- */

/* Interrupted after @cut bytes of a request. */
static void migrate_mid_request(size_t cut, GByteArray *req)
{
    World w;
    g_autoptr(XsGuestMsg) m = NULL;
    g_autofree char *v = NULL;
    XENSTORE_RING_IDX base;

    world_up(&w);
    xs_guest_watch(&w.g, "data/mig", "m");
    assert_event(&w.g, "data/mig", "m");
    base = world_ring(&w)->req_cons;
    xs_guest_put(&w.g, req->data, cut);
    xs_guest_send(&w.g);
    xs_guest_run();
    g_assert_cmpuint(world_ring(&w)->req_cons, ==, base + cut);
    world_migrate(&w);
    xs_guest_put(&w.g, req->data + cut, req->len - cut);
    xs_guest_send(&w.g);
    m = xs_guest_wait_reply(&w.g);
    g_assert_cmpuint(m->hdr.req_id, ==, 42);
    XS_GUEST_ASSERT(m, XS_WRITE, "OK\0");
    assert_event(&w.g, "data/mig", "m");
    v = dom0_read(&w, "/local/domain/1/data/mig");
    g_assert_cmpstr(v, ==, "migrating-value-0123456789");
    world_down(&w);
}

static void test_migrate_every_request_byte(void)
{
    g_autoptr(GByteArray) req =
        xs_guest_encode(XS_WRITE, 42, 0,
                        "data/mig\0migrating-value-0123456789", 35);

    for (size_t cut = 0; cut <= req->len; cut++) {
        migrate_mid_request(cut, req);
    }
}

/* Interrupted after the guest read @cut bytes of a reply. */
static void migrate_mid_reply(size_t cut, size_t value_len)
{
    World w;
    g_autoptr(GByteArray) val = g_byte_array_new();
    g_autoptr(GByteArray) req = xs_guest_encode(XS_READ, 43, 0,
                                                "data/val\0", 9);
    g_autoptr(XsGuestMsg) m = NULL;

    world_up(&w);
    for (size_t i = 0; i < value_len; i++) {
        g_byte_array_append(val, (const uint8_t *)"ABCDEFG" + i % 7, 1);
    }
    g_assert_cmpint(xs_impl_write(world_store(&w), DOMID_QEMU, XBT_NULL,
                                  "/local/domain/1/data/val", val), ==, 0);
    xs_guest_put(&w.g, req->data, req->len);
    xs_guest_send(&w.g);
    xs_guest_run();
    for (size_t got = 0; got < cut;) {
        size_t n = xs_guest_read(&w.g, cut - got);

        got += n;
        if (!n) {
            g_assert_true(xs_guest_run());
        }
    }
    g_assert_cmpuint(g_queue_get_length(&w.g.replies), ==,
                     cut == 16 + value_len);
    world_migrate(&w);
    m = xs_guest_wait_reply(&w.g);
    g_assert_nonnull(m);
    g_assert_cmpuint(m->hdr.req_id, ==, 43);
    g_assert_cmpuint(m->hdr.type, ==, XS_READ);
    g_assert_cmpmem(m->body, m->hdr.len, val->data, val->len);
    g_clear_pointer(&m, xs_guest_msg_free);
    /* And the ring goes on. */
    m = XS_GUEST_CALL(&w.g, XS_READ, 0, "domid\0");
    XS_GUEST_ASSERT(m, XS_READ, "1");
    world_down(&w);
}

static void test_migrate_every_reply_byte(void)
{
    for (size_t cut = 0; cut <= 16 + 100; cut++) {
        migrate_mid_reply(cut, 100);
    }
}

static void test_migrate_large_reply(void)
{
    static const size_t cuts[] = {
        0, 1, 15, 16, 17, 1000, 1023, 1024, 1025, 2047, 2048, 2049, 3000,
        3015, 3016,
    };

    for (size_t i = 0; i < ARRAY_SIZE(cuts); i++) {
        migrate_mid_reply(cuts[i], 3000);
    }
}

static void test_migrate_events_and_transactions(void)
{
    World w;
    struct xenstore_domain_interface *r;
    g_autoptr(GByteArray) big = g_byte_array_new();
    g_autoptr(GByteArray) req = xs_guest_encode(XS_READ, 60, 0,
                                                "data/big\0", 9);
    g_autoptr(XsGuestMsg) m = NULL;
    g_autofree char *seen = NULL;
    g_autofree char *v = NULL;
    uint32_t tx_ok, tx_conflict;

    world_up(&w);
    r = world_ring(&w);
    for (int i = 0; i < 3000; i++) {
        g_byte_array_append(big, (const uint8_t *)"m", 1);
    }
    g_assert_cmpint(xs_impl_write(world_store(&w), DOMID_QEMU, XBT_NULL,
                                  "/local/domain/1/data/big", big), ==, 0);
    dom0_write(&w, "/local/domain/1/data/shared", "0");
    xs_guest_watch(&w.g, "data/ev", "e");
    assert_event(&w.g, "data/ev", "e");

    /* One transaction that will commit, one that will conflict. */
    tx_ok = xs_guest_tx_start(&w.g);
    xs_guest_write_str(&w.g, tx_ok, "data/ev/from-tx", "t");
    tx_conflict = xs_guest_tx_start(&w.g);
    seen = xs_guest_read_str(&w.g, tx_conflict, "data/shared");
    g_assert_cmpstr(seen, ==, "0");
    xs_guest_write_str(&w.g, tx_conflict, "data/shared", "guest");

    /* A big reply in flight and events queued behind it. */
    xs_guest_put(&w.g, req->data, req->len);
    xs_guest_send(&w.g);
    xs_guest_run();
    g_assert_cmpuint(r->rsp_prod - r->rsp_cons, ==, XENSTORE_RING_SIZE);
    for (int i = 0; i < 10; i++) {
        g_autofree char *p = g_strdup_printf("/local/domain/1/data/ev/%d", i);

        dom0_write(&w, p, "x");
    }
    dom0_write(&w, "/local/domain/1/data/shared", "dom0");
    g_assert_cmpuint(xs_conn_queued_events(xen_xenstore_conn(w.s)), ==, 10);

    world_migrate(&w);
    g_assert_cmpuint(xs_conn_queued_events(xen_xenstore_conn(w.s)), ==, 10);
    m = xs_guest_wait_reply(&w.g);
    g_assert_cmpuint(m->hdr.req_id, ==, 60);
    g_assert_cmpmem(m->body, m->hdr.len, big->data, big->len);
    for (int i = 0; i < 10; i++) {
        g_autofree char *p = g_strdup_printf("data/ev/%d", i);

        assert_event(&w.g, p, "e");
    }
    assert_no_event(&w.g);

    g_assert_cmpint(xs_guest_tx_end(&w.g, tx_conflict, true), ==, EAGAIN);
    g_assert_cmpint(xs_guest_tx_end(&w.g, tx_ok, true), ==, 0);
    assert_event(&w.g, "data/ev/from-tx", "e");
    v = dom0_read(&w, "/local/domain/1/data/ev/from-tx");
    g_assert_cmpstr(v, ==, "t");
    g_free(v);
    v = dom0_read(&w, "/local/domain/1/data/shared");
    g_assert_cmpstr(v, ==, "dom0");
    world_down(&w);
}

/* Work the device had not looked at yet when the state was saved. */
static void test_migrate_pending_work(void)
{
    World w;
    struct xenstore_domain_interface *r;
    g_autoptr(GByteArray) req = xs_guest_encode(XS_READ, 80, 0, "domid\0", 6);
    g_autoptr(XsGuestMsg) m = NULL;
    evtchn_port_t be;

    /* A request and its notification, not yet served. */
    world_up(&w);
    xs_guest_put(&w.g, req->data, req->len);
    xs_guest_send(&w.g);
    world_migrate(&w);
    m = xs_guest_wait_reply(&w.g);
    g_assert_nonnull(m);
    g_assert_cmpuint(m->hdr.req_id, ==, 80);
    XS_GUEST_ASSERT(m, XS_READ, "1");
    g_clear_pointer(&m, xs_guest_msg_free);

    /* A reconnection asked for, not yet done. */
    xs_guest_watch(&w.g, "data/p", "p");
    assert_event(&w.g, "data/p", "p");
    r = world_ring(&w);
    qatomic_set(&r->connection, XENSTORE_RECONNECT);
    xs_guest_send(&w.g);
    world_migrate(&w);
    xs_guest_run();
    r = world_ring(&w);
    g_assert_cmpuint(r->connection, ==, XENSTORE_CONNECTED);
    g_assert_cmpuint(r->req_prod | r->rsp_prod, ==, 0);
    g_queue_clear_full(&w.g.replies, (GDestroyNotify)xs_guest_msg_free);
    g_byte_array_set_size(w.g.rx, 0);
    dom0_write(&w, "/local/domain/1/data/p", "gone");
    assert_no_event(&w.g);

    /* The guest's end closed (half-way through a Windows re-bind). */
    be = xen_xenstore_be_port(w.s);
    {
        struct evtchn_close close = { .port = w.g.port };
        struct evtchn_bind_interdomain bind = {
            .remote_dom = DOMID_QEMU, .remote_port = be,
        };

        g_assert_cmpint(xen_evtchn_close_op(&close), ==, 0);
        world_migrate(&w);
        g_assert_cmpuint(xen_xenstore_be_port(w.s), ==, be);
        g_assert_cmpint(xen_evtchn_bind_interdomain_op(&bind), ==, 0);
        w.g.port = bind.local_port;
    }
    m = XS_GUEST_CALL(&w.g, XS_READ, 0, "name\0");
    XS_GUEST_ASSERT(m, XS_READ, GUEST_NAME);
    world_down(&w);
}

/* A guest stopped by a ring error stays stopped through migration. */
static void test_migrate_ring_error(void)
{
    World w;

    world_up(&w);
    inject_fault(&w, FAULT_PROTO);
    world_migrate(&w);
    assert_stopped(&w, XENSTORE_ERROR_PROTO);
    guest_reconnect(&w);
    {
        g_autofree char *v = xs_guest_read_str(&w.g, 0, "domid");

        g_assert_cmpstr(v, ==, "1");
    }
    world_down(&w);
}

/* ---- corrupt device state ---- */

static bool same_bytes(GByteArray *a, GByteArray *b)
{
    return a->len == b->len && !memcmp(a->data, b->data, a->len);
}

/* A device in a known state, and what saving it gives now. */
typedef struct Corruptee {
    World *w;
    GByteArray *good;           /* the state to go back to */
    GByteArray *now;            /* xen_xenstore_save() of the device */
} Corruptee;

/* Load bad; if refused, the device must be exactly as before. */
static bool load_refused_untouched(Corruptee *c, const uint8_t *bad,
                                   size_t len)
{
    g_autoptr(GByteArray) after = NULL;
    Error *err = NULL;

    if (xen_xenstore_load(c->w->s, bad, len, &err)) {
        g_assert_null(err);
        /* Accepted: put the good state back for the next try. */
        g_assert_true(xen_xenstore_load(c->w->s, c->good->data,
                                        c->good->len, &error_abort));
        g_byte_array_unref(c->now);
        c->now = xen_xenstore_save(c->w->s);
        return false;
    }
    error_free_or_abort(&err);
    after = xen_xenstore_save(c->w->s);
    g_assert_true(same_bytes(c->now, after));
    return true;
}

static void test_load_corrupt(void)
{
    World w;
    g_autoptr(GByteArray) good = NULL;
    g_autoptr(GByteArray) bad = NULL;
    g_autoptr(GByteArray) req = xs_guest_encode(XS_WRITE, 70, 0,
                                                "data/c\0value", 12);
    unsigned int refused = 0;
    Corruptee c = { .w = &w };
    const size_t header = 4 * 8, page_end = header + 4096;
    size_t store_len_at;
    uint32_t conn_len;

    world_up(&w);
    xs_guest_watch(&w.g, "data", "c");
    xs_guest_tx_start(&w.g);
    xs_guest_put(&w.g, req->data, 10);
    xs_guest_send(&w.g);
    xs_guest_run();
    good = xen_xenstore_save(w.s);
    g_assert_cmpmem(good->data, 4, "XSDV", 4);
    c.good = good;
    c.now = xen_xenstore_save(w.s);
    memcpy(&conn_len, good->data + page_end, 4);
    store_len_at = page_end + 4 + GUINT32_FROM_LE(conn_len);

    /*
     * Every truncation is refused: tried at every length but inside the
     * page and the database stream, where every 8th and 5th are enough.
     */
    for (size_t len = 0; len < good->len; len++) {
        if ((len > header + 8 && len < page_end - 8 && len % 8) ||
            (len > store_len_at + 8 && len < good->len - 8 && len % 5)) {
            continue;
        }
        g_assert_true(load_refused_untouched(&c, good->data, len));
    }
    /* So is anything after the end. */
    bad = g_byte_array_new();
    g_byte_array_append(bad, good->data, good->len);
    g_byte_array_append(bad, (const uint8_t *)"", 1);
    g_assert_true(load_refused_untouched(&c, bad->data, bad->len));

    /*
     * Bit flips: some are refused, every refusal leaves it untouched.
     * Every byte of our own fields and of the connection; every fifth
     * of the database stream (its loader has its own tests), which still
     * reaches every bit position.
     */
    for (size_t off = 0; off < good->len; off++) {
        if (off >= header && off < page_end) {
            continue;       /* guest memory: any bytes are a valid page */
        }
        if (off >= store_len_at + 4 && off % 5) {
            continue;
        }
        g_byte_array_set_size(bad, 0);
        g_byte_array_append(bad, good->data, good->len);
        bad->data[off] ^= 1u << (off % 8);
        if (load_refused_untouched(&c, bad->data, bad->len)) {
            refused++;
        } else if (off < 12 || (off >= 16 && off < 24) ||
                   (off >= page_end && off < page_end + 4) ||
                   (off >= store_len_at && off < store_len_at + 4)) {
            /* magic, version, domid, backend port, flags, lengths */
            g_error("flip at %zu accepted", off);
        }
    }
    g_test_message("%u flips refused", refused);
    g_assert_cmpuint(refused, >, 0);

    /* Another guest's state, or with a backend port nobody has. */
    g_byte_array_set_size(bad, 0);
    g_byte_array_append(bad, good->data, good->len);
    bad->data[8] = 2;
    g_assert_true(load_refused_untouched(&c, bad->data, bad->len));
    g_byte_array_set_size(bad, 0);
    g_byte_array_append(bad, good->data, good->len);
    bad->data[16] = 200;
    g_assert_true(load_refused_untouched(&c, bad->data, bad->len));

    g_byte_array_unref(c.now);
    /* After all that the guest finishes its request normally. */
    xs_guest_put(&w.g, req->data + 10, req->len - 10);
    xs_guest_send(&w.g);
    {
        g_autoptr(XsGuestMsg) m = xs_guest_wait_reply(&w.g);

        g_assert_cmpuint(m->hdr.req_id, ==, 70);
        XS_GUEST_ASSERT(m, XS_WRITE, "OK\0");
    }
    world_down(&w);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xen-xenstore/boot-state", test_boot_state);
    g_test_add_func("/xen-xenstore/ring/every-type", test_every_type);
    g_test_add_func("/xen-xenstore/ring/default-nodes", test_default_nodes);
    g_test_add_func("/xen-xenstore/ring/byte-at-a-time", test_byte_at_a_time);
    g_test_add_func("/xen-xenstore/ring/wrap", test_wrap);
    g_test_add_func("/xen-xenstore/ring/first-serve-bad-indexes",
                    test_first_serve_bad_indexes);
    g_test_add_func("/xen-xenstore/ring/guest-scribbles",
                    test_guest_scribbles);
    g_test_add_func("/xen-xenstore/ring/hundred-queued",
                    test_hundred_queued);
    g_test_add_func("/xen-xenstore/watch/storm-during-reply",
                    test_watch_storm);
    g_test_add_func("/xen-xenstore/watch/guest-never-reads",
                    test_never_reads);
    g_test_add_func("/xen-xenstore/watch/idle-ring", test_idle_event);
    g_test_add_data_func("/xen-xenstore/error/req-index/reconnect",
                         GINT_TO_POINTER(FAULT_REQ_IDX),
                         ring_fault_then_reconnect);
    g_test_add_data_func("/xen-xenstore/error/rsp-index/reconnect",
                         GINT_TO_POINTER(FAULT_RSP_IDX),
                         ring_fault_then_reconnect);
    g_test_add_data_func("/xen-xenstore/error/proto/reconnect",
                         GINT_TO_POINTER(FAULT_PROTO),
                         ring_fault_then_reconnect);
    g_test_add_data_func("/xen-xenstore/error/req-index/reset",
                         GINT_TO_POINTER(FAULT_REQ_IDX),
                         ring_fault_then_reset);
    g_test_add_data_func("/xen-xenstore/error/rsp-index/reset",
                         GINT_TO_POINTER(FAULT_RSP_IDX),
                         ring_fault_then_reset);
    g_test_add_data_func("/xen-xenstore/error/proto/reset",
                         GINT_TO_POINTER(FAULT_PROTO),
                         ring_fault_then_reset);
    g_test_add_func("/xen-xenstore/error/no-release-domain",
                    test_ring_error_no_release);
    g_test_add_func("/xen-xenstore/reconnect/mid-message",
                    test_reconnect_mid_message);
    g_test_add_func("/xen-xenstore/evtchn/windows-rebind",
                    test_windows_rebind);
    g_test_add_func("/xen-xenstore/evtchn/reset-after-rebind",
                    test_reset_after_rebind);
    g_test_add_func("/xen-xenstore/reset/twice", test_reset_twice);
    g_test_add_func("/xen-xenstore/migrate/every-request-byte",
                    test_migrate_every_request_byte);
    g_test_add_func("/xen-xenstore/migrate/every-reply-byte",
                    test_migrate_every_reply_byte);
    g_test_add_func("/xen-xenstore/migrate/large-reply",
                    test_migrate_large_reply);
    g_test_add_func("/xen-xenstore/migrate/events-and-transactions",
                    test_migrate_events_and_transactions);
    g_test_add_func("/xen-xenstore/migrate/pending-work",
                    test_migrate_pending_work);
    g_test_add_func("/xen-xenstore/migrate/ring-error",
                    test_migrate_ring_error);
    g_test_add_func("/xen-xenstore/migrate/corrupt", test_load_corrupt);
    return g_test_run();
}
