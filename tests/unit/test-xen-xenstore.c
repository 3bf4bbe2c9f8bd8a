/*
 * Tests of the xen-xenstore device's ring protocol through the guest's
 * eyes: a simulated xenbus frontend (xs-guest.c) drives it through the
 * real ring page and event channel: every message type, the default
 * nodes, odd deliveries, wrap, flow control, ring errors, reconnection.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/special_pages.h"
#include "hw/xen/xen_backend_ops.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "hw/i386/kvm/xen_xenstore_test.h"
#include "hw/xen/xenstore_conn.h"
#include "xs-world.h"

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
    xs_guest_assert_event(&w.g, "data/t", "tok");
    xs_guest_assert_no_event(&w.g);

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
    xs_guest_assert_event(&w.g, "data", "storm");
    for (int i = 0; i < 3000; i++) {
        g_byte_array_append(big, (const uint8_t *)"xyz" + i % 3, 1);
    }
    g_assert_cmpint(xs_impl_write(world_store(&w), DOMID_QEMU, XBT_NULL,
                                  "/local/domain/1/data/big", big),
                    ==, 0);
    xs_guest_assert_event(&w.g, "data/big", "storm");

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
    xs_guest_assert_event(&w.g, "data", "w");

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
    xs_guest_assert_event(&w.g, "data/idle", "i");
    xs_guest_assert_no_event(&w.g);

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
    xs_guest_assert_no_event(&w->g);
    m = XS_GUEST_CALL(&w->g, XS_UNWATCH, 0, "data/w\0old\0");
    xs_guest_assert_error(m, "ENOENT");
    /* So is the transaction. */
    g_assert_cmpint(xs_guest_tx_end(&w->g, old_tx, true), ==, ENOENT);
    v = xs_guest_read_str(&w->g, 0, "domid");
    g_assert_cmpstr(v, ==, "1");
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
    return g_test_run();
}
