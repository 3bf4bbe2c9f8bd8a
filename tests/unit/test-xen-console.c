/*
 * Tests of the primary Xen console device as the machine uses it, with
 * no KVM: the emulated event channels and store, the page at the console
 * PFN, a character backend on a socketpair, and a simulated hvc_xen on
 * the page.  Output and input end to end, notifications, the store
 * nodes, flow control through the socket, a hostile ring, and reboot.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include "qemu/atomic.h"
#include "qemu/main-loop.h"
#include "hw/xen/special_pages.h"
#include "hw/xen/xen_backend_ops.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "hw/i386/kvm/xen_xenstore.h"
#include "hw/char/xen_console.h"
#include "hw/char/xen_console_ring.h"

#define GUEST_DOMID 1

typedef struct Fixture {
    XenXenstoreState *xs;
    CharBackend *chr;
    XenConsole *con;
    int peer;                   /* the host user's end of the socket */
    struct xencons_interface *page;
} Fixture;

static void run_loop(void)
{
    for (int i = 0; i < 20; i++) {
        while (main_loop_wait(true)) {
        }
        g_usleep(500);
    }
}

static void fixture_up(Fixture *f, int sndbuf)
{
    static const XenXenstoreConfig cfg = {
        .domid = GUEST_DOMID, .name = "con-guest", .memory_kib = 65536,
    };
    int sv[2];

    g_assert_true(xen_evtchn_create(GUEST_DOMID, &error_abort));
    f->xs = xen_xenstore_realize(&cfg, &error_abort);
    g_assert_true(xen_xenstore_reset(f->xs, &error_abort));
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    if (sndbuf) {
        setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
        setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sndbuf, sizeof(sndbuf));
    }
    f->chr = qemu_chr_new_fds("con", sv[0], sv[0], &error_abort);
    f->peer = sv[1];
    f->con = xen_console_primary_new(NULL, GUEST_DOMID, f->chr,
                                     &error_abort);
    g_assert_true(xen_console_primary_reset(f->con, &error_abort));
    f->page = xen_console_ring_page(f->con);
    g_assert_nonnull(f->page);
    run_loop();
}

static void fixture_down(Fixture *f)
{
    xen_console_free(f->con);
    qemu_chr_free(f->chr);
    close(f->peer);
    xen_xenstore_unrealize(f->xs);
    xen_evtchn_destroy();
    run_loop();
}

static bool guest_port_pending(Fixture *f)
{
    bool pending, masked;
    evtchn_port_t port = xen_console_guest_port(f->con);

    g_assert_cmpint(xen_evtchn_get_port_bits(port, &pending, &masked), ==,
                    0);
    if (pending) {
        xen_evtchn_clear_port_pending(port);
    }
    return pending;
}

static void guest_kick(Fixture *f)
{
    struct evtchn_send send = { .port = xen_console_guest_port(f->con) };

    g_assert_cmpint(xen_evtchn_send_op(&send), ==, 0);
}

static size_t guest_write(Fixture *f, const char *data, size_t len)
{
    struct xencons_interface *p = f->page;
    uint32_t cons = qatomic_read(&p->out_cons), prod = p->out_prod;
    size_t sent = 0;

    while (sent < len && prod - cons < XENCONS_OUT_SIZE) {
        p->out[prod++ & (XENCONS_OUT_SIZE - 1)] = data[sent++];
    }
    smp_wmb();
    qatomic_set(&p->out_prod, prod);
    guest_kick(f);
    return sent;
}

static void test_publish(void)
{
    const XenstoreBackendOps *ops = &emu_xenstore_backend_ops;
    g_autofree char *ref = NULL, *port = NULL, *want = NULL;
    g_auto(GStrv) perms = NULL;
    struct evtchn_status st = { .dom = DOMID_SELF };
    qemu_xs_handle *h;
    unsigned len, n;
    Fixture f;

    fixture_up(&f, 0);
    g_assert_cmphex(xen_console_pfn(f.con), ==, 0xfeff8);
    g_assert_cmphex(xen_console_pfn(f.con), ==, XEN_CONSOLE_PFN);
    st.port = xen_console_guest_port(f.con);
    g_assert_cmpuint(st.port, >, 0);
    g_assert_cmpint(xen_evtchn_status_op(&st), ==, 0);
    g_assert_cmpint(st.status, ==, EVTCHNSTAT_interdomain);
    g_assert_cmpuint(st.u.interdomain.dom, ==, DOMID_QEMU);

    h = ops->open(&error_abort);
    ref = ops->read(h, XBT_NULL, "/local/domain/1/console/ring-ref", &len);
    port = ops->read(h, XBT_NULL, "/local/domain/1/console/port", &len);
    g_assert_cmpstr(ref, ==, "1044472");
    want = g_strdup_printf("%u", xen_console_guest_port(f.con));
    g_assert_cmpstr(port, ==, want);
    perms = ops->get_perms(h, XBT_NULL, "/local/domain/1/console/port", &n);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmpstr(perms[0], ==, "n0");
    g_assert_cmpstr(perms[1], ==, "r1");
    ops->close(h);
    fixture_down(&f);
}

static void test_output_input(void)
{
    static const char boot[] = "[    0.000000] Linux version 6.12\n";
    char buf[256], in[64];
    uint32_t cons, n = 0;
    Fixture f;

    fixture_up(&f, 0);
    guest_port_pending(&f);
    g_assert_cmpuint(guest_write(&f, boot, strlen(boot)), ==, strlen(boot));
    run_loop();
    g_assert_cmpint(read(f.peer, buf, sizeof(buf)), ==, strlen(boot));
    g_assert_cmpmem(buf, strlen(boot), boot, strlen(boot));
    g_assert_cmpuint(f.page->out_cons, ==, strlen(boot));
    /* Room was freed: the guest hears about it. */
    g_assert_true(guest_port_pending(&f));

    g_assert_cmpint(write(f.peer, "root\n", 5), ==, 5);
    run_loop();
    g_assert_true(guest_port_pending(&f));
    g_assert_cmpuint(f.page->in_prod, ==, 5);
    for (cons = f.page->in_cons; cons != f.page->in_prod; cons++) {
        in[n++] = f.page->in[cons & (XENCONS_IN_SIZE - 1)];
    }
    g_assert_cmpmem(in, n, "root\n", 5);
    fixture_down(&f);
}

/*
 * Input beyond the ring's room waits in the socket until the guest
 * reads and kicks; nothing is lost or duplicated.
 */
static void test_input_backpressure(void)
{
    char data[3000], got[3000];
    size_t n = 0;
    Fixture f;

    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = 'A' + i % 23;
    }
    fixture_up(&f, 0);
    g_assert_cmpint(write(f.peer, data, sizeof(data)), ==, sizeof(data));
    while (n < sizeof(data)) {
        uint32_t cons, prod;

        run_loop();
        cons = f.page->in_cons;
        prod = f.page->in_prod;
        g_assert_cmpuint(prod - cons, <=, XENCONS_IN_SIZE);
        g_assert_cmpuint(prod - cons, >, 0);
        while (cons != prod) {
            got[n++] = f.page->in[cons++ & (XENCONS_IN_SIZE - 1)];
        }
        qatomic_set(&f.page->in_cons, cons);
        guest_kick(&f);
    }
    g_assert_cmpmem(got, n, data, sizeof(data));
    fixture_down(&f);
}

/*
 * A host reader that does not read: the ring fills and stays full (the
 * guest is held up), and when the reader drains the socket the console
 * resumes on its own, without another guest event.
 */
static void test_flow_control(void)
{
    char data[XENCONS_OUT_SIZE], buf[65536];
    size_t total_written = 0, total_read = 0;
    uint32_t cons;
    Fixture f;

    memset(data, 'q', sizeof(data));
    fixture_up(&f, 4096);
    for (int i = 0; i < 200; i++) {
        total_written += guest_write(&f, data, sizeof(data));
        run_loop();
    }
    cons = f.page->out_cons;
    g_assert_cmpuint(f.page->out_prod - cons, ==, XENCONS_OUT_SIZE);
    g_assert_cmpuint(guest_write(&f, "x", 1), ==, 0);
    run_loop();
    g_assert_cmpuint(f.page->out_cons, ==, cons);

    /* The reader catches up, the guest does nothing meanwhile. */
    for (int i = 0; total_read < total_written; i++) {
        ssize_t r = recv(f.peer, buf, sizeof(buf), MSG_DONTWAIT);

        g_assert_cmpint(i, <, 1000);    /* stuck: nobody resumed output */
        if (r > 0) {
            total_read += r;
        }
        run_loop();
    }
    g_assert_cmpuint(f.page->out_cons, ==, f.page->out_prod);
    g_assert_false(xen_console_stopped(f.con));
    fixture_down(&f);
}

static void test_hostile_and_reboot(void)
{
    char buf[64];
    evtchn_port_t old_port;
    Fixture f;

    fixture_up(&f, 0);
    qatomic_set(&f.page->out_prod, 5000);
    guest_kick(&f);
    run_loop();
    g_assert_true(xen_console_stopped(f.con));
    /* Stopped: input is left in the socket, not put in the ring. */
    g_assert_cmpint(write(f.peer, "ignored", 7), ==, 7);
    run_loop();
    g_assert_cmpuint(f.page->in_prod, ==, 0);

    /* Reboot: a clean page, a fresh port, and it serves again. */
    old_port = xen_console_guest_port(f.con);
    g_assert_true(xen_console_primary_reset(f.con, &error_abort));
    g_assert_false(xen_console_stopped(f.con));
    g_assert_cmpuint(f.page->out_prod, ==, 0);
    g_assert_cmpuint(xen_console_guest_port(f.con), >, 0);
    {
        struct evtchn_status st = { .dom = DOMID_SELF, .port = old_port };

        if (old_port != xen_console_guest_port(f.con)) {
            g_assert_cmpint(xen_evtchn_status_op(&st), ==, 0);
            g_assert_cmpint(st.status, ==, EVTCHNSTAT_closed);
        }
    }
    run_loop();
    /* The input that waited is delivered now. */
    g_assert_cmpuint(f.page->in_prod, ==, 7);
    g_assert_cmpuint(guest_write(&f, "ok\n", 3), ==, 3);
    run_loop();
    g_assert_cmpint(read(f.peer, buf, sizeof(buf)), ==, 3);
    fixture_down(&f);
}

/* A full machine reboot: event channels and store reset first. */
static void test_machine_reboot(void)
{
    const XenstoreBackendOps *ops = &emu_xenstore_backend_ops;
    g_autofree char *port = NULL, *want = NULL;
    struct evtchn_status st = { .dom = DOMID_SELF };
    qemu_xs_handle *h;
    char buf[16];
    unsigned len;
    Fixture f;

    fixture_up(&f, 0);
    g_assert_cmpuint(guest_write(&f, "1st", 3), ==, 3);
    run_loop();
    g_assert_cmpint(read(f.peer, buf, sizeof(buf)), ==, 3);

    xen_evtchn_reset();
    g_assert_true(xen_xenstore_reset(f.xs, &error_abort));
    g_assert_true(xen_console_primary_reset(f.con, &error_abort));
    st.port = xen_console_guest_port(f.con);
    g_assert_cmpint(xen_evtchn_status_op(&st), ==, 0);
    g_assert_cmpint(st.status, ==, EVTCHNSTAT_interdomain);
    g_assert_cmpuint(f.page->out_cons, ==, 0);

    h = ops->open(&error_abort);
    port = ops->read(h, XBT_NULL, "/local/domain/1/console/port", &len);
    want = g_strdup_printf("%u", st.port);
    g_assert_cmpstr(port, ==, want);
    ops->close(h);

    g_assert_cmpuint(guest_write(&f, "2nd", 3), ==, 3);
    run_loop();
    g_assert_cmpint(read(f.peer, buf, sizeof(buf)), ==, 3);
    g_assert_cmpmem(buf, 3, "2nd", 3);
    g_assert_true(guest_port_pending(&f));
    fixture_down(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xen-console/publish", test_publish);
    g_test_add_func("/xen-console/output-input", test_output_input);
    g_test_add_func("/xen-console/input-backpressure",
                    test_input_backpressure);
    g_test_add_func("/xen-console/flow-control", test_flow_control);
    g_test_add_func("/xen-console/hostile-and-reboot",
                    test_hostile_and_reboot);
    g_test_add_func("/xen-console/machine-reboot", test_machine_reboot);
    return g_test_run();
}
