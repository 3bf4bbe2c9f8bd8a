/*
 * Guest and host on one store, in one process: the device with a guest
 * driving its ring as Linux xenbus does, and libxenstore on the socket
 * server.  Each fires the other's watches; only the guest is refused.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
/* libxenstore first: its enums and our permission macros share names. */
#include <xenstore.h>
#include "qemu/osdep.h"
#include <poll.h>
#include "qemu/atomic.h"
#include "qemu/main-loop.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "hw/i386/kvm/xen_xenstore_test.h"
#include "xs-socket-server.h"
#include "xs-guest.h"
#include "xs-test-socket.h"

#define GUEST 1
/* Bounds every wait, so a broken exchange fails instead of hanging. */
#define WAIT_SECONDS 20

/* The socket, the same for every test: libxenstore finds it by env. */
static XsTestSocket sock;

typedef struct Fix {
    XenXenstoreState *dev;
    XsSocketServer *srv;
    guint ticker;
    XsGuest g;                  /* the guest's side of the ring */
    /* The host's client. */
    struct xs_handle *host;
} Fix;

/* ---- the main loop, bounded ---- */

static gboolean tick(gpointer opaque)
{
    return G_SOURCE_CONTINUE;
}

/*
 * One main-loop iteration: the device pumps the ring, the server serves
 * the host client.  The ticker wakes it so deadlines are checked.
 */
static void pump_once(gint64 deadline)
{
    g_assert_cmpint(g_get_monotonic_time(), <, deadline);
    main_loop_wait(false);
}

static gint64 deadline_from_now(void)
{
    return g_get_monotonic_time() + WAIT_SECONDS * G_USEC_PER_SEC;
}

/* ---- the host client, on a thread while the main loop runs ---- */

typedef struct HostCall {
    GThreadFunc fn;
    gpointer arg;
    gpointer result;
    bool done;
} HostCall;

static gpointer host_call_thread(gpointer opaque)
{
    HostCall *hc = opaque;

    hc->result = hc->fn(hc->arg);
    qatomic_store_release(&hc->done, true);
    g_main_context_wakeup(qemu_get_aio_context()->gctx);
    return NULL;
}

/* Run fn(arg) on a thread, serving the main loop until it returns. */
static gpointer host_call(GThreadFunc fn, gpointer arg)
{
    HostCall hc = { .fn = fn, .arg = arg };
    GThread *t = g_thread_new("host-client", host_call_thread, &hc);
    gint64 deadline = deadline_from_now();

    while (!qatomic_load_acquire(&hc.done)) {
        pump_once(deadline);
    }
    g_thread_join(t);
    return hc.result;
}

typedef struct HostOp {
    Fix *f;
    const char *path;
    const char *value;
    const char *token;
    unsigned int nperms;
    struct xs_permissions *perms;
    int err;                    /* errno of a failed call, else 0 */
    char *got;                  /* read value, or matched event path */
} HostOp;

/*
 * Write the value and, if given, the permissions: in one transaction, so
 * watchers see the node only with its final permissions.
 */
static gpointer host_write(gpointer opaque)
{
    HostOp *op = opaque;
    struct xs_handle *h = op->f->host;

    for (;;) {
        xs_transaction_t t = xs_transaction_start(h);

        if (t == XBT_NULL) {
            op->err = errno;
            return NULL;
        }
        if (!xs_write(h, t, op->path, op->value, strlen(op->value)) ||
            (op->nperms &&
             !xs_set_permissions(h, t, op->path, op->perms, op->nperms))) {
            op->err = errno;
            xs_transaction_end(h, t, true);
            return NULL;
        }
        if (xs_transaction_end(h, t, false)) {
            return NULL;
        }
        if (errno != EAGAIN) {
            op->err = errno;
            return NULL;
        }
    }
}

static gpointer host_read(gpointer opaque)
{
    HostOp *op = opaque;
    unsigned int len;

    errno = 0;
    op->got = xs_read(op->f->host, XBT_NULL, op->path, &len);
    op->err = op->got ? 0 : errno;
    return NULL;
}

static gpointer host_watch(gpointer opaque)
{
    HostOp *op = opaque;

    op->err = xs_watch(op->f->host, op->path, op->token) ? 0 : errno;
    return NULL;
}

/*
 * Wait for a watch event with op->token whose path is op->value; other
 * events (creation of intermediate nodes, the initial one) are skipped.
 */
static gpointer host_wait_event(gpointer opaque)
{
    HostOp *op = opaque;
    gint64 deadline = deadline_from_now();
    struct pollfd pfd = { .fd = xs_fileno(op->f->host), .events = POLLIN };

    while (g_get_monotonic_time() < deadline) {
        unsigned int num;
        char **ev;

        if (poll(&pfd, 1, 100) <= 0) {
            continue;
        }
        ev = xs_read_watch(op->f->host, &num);
        if (ev && !strcmp(ev[XS_WATCH_TOKEN], op->token) &&
            !strcmp(ev[XS_WATCH_PATH], op->value)) {
            op->got = g_strdup(ev[XS_WATCH_PATH]);
            free(ev);
            return NULL;
        }
        free(ev);
    }
    op->err = ETIMEDOUT;
    return NULL;
}

/* ---- the guest: the simulated xenbus frontend ---- */

/* A request of NUL-separated strings; returns the reply's error or 0. */
static int guest_call(Fix *f, uint32_t type, const char *a, const char *b,
                      char **reply)
{
    g_autoptr(GByteArray) p = g_byte_array_new();
    g_autoptr(XsGuestMsg) m = NULL;
    int err;

    g_byte_array_append(p, (const guint8 *)a, strlen(a) + 1);
    if (b) {
        /* WRITE: the value follows the path's NUL, without its own. */
        g_byte_array_append(p, (const guint8 *)b,
                            strlen(b) + (type != XS_WRITE));
    }
    m = xs_guest_call(&f->g, type, 0, p->data, p->len);
    err = xs_guest_error(m);
    if (!err) {
        g_assert_cmpuint(m->hdr.type, ==, type);
        if (reply) {
            *reply = g_strdup(m->body);
        }
    }
    return err;
}

/* ---- fixture ---- */

static void fix_setup(Fix *f, gconstpointer data)
{
    XenXenstoreConfig cfg = { .domid = GUEST, .name = "both-sides",
                              .memory_kib = 65536 };

    g_assert(xen_evtchn_create(GUEST, &error_abort));
    f->dev = xen_xenstore_realize(&cfg, &error_abort);
    g_assert(xen_xenstore_reset(f->dev, &error_abort));
    f->srv = xs_socket_server_new(xen_xenstore_impl(f->dev),
                                  sock.path, &error_abort);
    f->ticker = g_timeout_add(20, tick, NULL);
    xs_guest_init(&f->g, xen_xenstore_ring(f->dev),
                  xen_xenstore_guest_port(f->dev));
    f->host = xs_open(0);
    g_assert(f->host);
}

static void fix_teardown(Fix *f, gconstpointer data)
{
    xs_close(f->host);
    xs_guest_destroy(&f->g);
    g_source_remove(f->ticker);
    xs_socket_server_free(f->srv);
    xen_xenstore_unrealize(f->dev);
    xen_evtchn_destroy();
}

/* ---- tests ---- */

/* The host writes under the guest's home; the guest's watch fires. */
static void test_host_write_fires_guest_watch(Fix *f, gconstpointer data)
{
    HostOp op = { .f = f, .path = "/local/domain/1/data/from-host",
                  .value = "hello guest" };
    char *v = NULL;

    /* A relative watch, as Linux sets them. */
    g_assert_cmpint(guest_call(f, XS_WATCH, "data", "tok", NULL), ==, 0);
    xs_guest_assert_event(&f->g, "data", "tok");
    host_call(host_write, &op);
    g_assert_cmpint(op.err, ==, 0);
    xs_guest_assert_event(&f->g, "data/from-host", "tok");
    g_assert_cmpint(guest_call(f, XS_READ, "data/from-host", NULL, &v), ==,
                    0);
    g_assert_cmpstr(v, ==, "hello guest");
    g_free(v);
}

/* The guest writes in its device directory; a host watch reports it. */
static void test_guest_write_fires_host_watch(Fix *f, gconstpointer data)
{
    HostOp w = { .f = f, .path = "/local/domain/1/device", .token = "be" };
    HostOp ev = { .f = f, .token = "be",
                  .value = "/local/domain/1/device/vif/0/state" };
    HostOp rd = { .f = f, .path = "/local/domain/1/device/vif/0/state" };

    host_call(host_watch, &w);
    g_assert_cmpint(w.err, ==, 0);
    g_assert_cmpint(guest_call(f, XS_WRITE, "device/vif/0/state", "4",
                               NULL), ==, 0);
    host_call(host_wait_event, &ev);
    g_assert_cmpint(ev.err, ==, 0);
    g_assert_cmpstr(ev.got, ==, "/local/domain/1/device/vif/0/state");
    g_free(ev.got);
    host_call(host_read, &rd);
    g_assert_cmpint(rd.err, ==, 0);
    g_assert_cmpstr(rd.got, ==, "4");
    free(rd.got);
}

/* The guest is refused what its permissions refuse; the host is not. */
static void test_permissions_differ(Fix *f, gconstpointer data)
{
    struct xs_permissions dom0_only = { .id = 0, .perms = XS_PERM_NONE };
    HostOp secret = { .f = f, .path = "/local/domain/1/data/secret",
                      .value = "s3cret", .perms = &dom0_only, .nperms = 1 };
    HostOp tool = { .f = f, .path = "/tool/setting", .value = "x" };
    HostOp name = { .f = f, .path = "/local/domain/1/name",
                    .value = "renamed" };
    HostOp visible = { .f = f, .path = "/local/domain/1/data/visible",
                       .value = "v" };
    HostOp rd = { .f = f, .path = "/local/domain/1/data/secret" };
    char *v = NULL;

    g_assert_cmpint(guest_call(f, XS_WATCH, "data", "tok", NULL), ==, 0);
    xs_guest_assert_event(&f->g, "data", "tok");
    host_call(host_write, &secret);
    g_assert_cmpint(secret.err, ==, 0);
    host_call(host_write, &tool);
    g_assert_cmpint(tool.err, ==, 0);

    /* Reads: a node only dom0 may read, another domain's tree, "/". */
    g_assert_cmpint(guest_call(f, XS_READ, "data/secret", NULL, NULL), ==,
                    EACCES);
    g_assert_cmpint(guest_call(f, XS_READ, "/tool/setting", NULL, NULL), ==,
                    EACCES);
    g_assert_cmpint(guest_call(f, XS_DIRECTORY, "/", NULL, NULL), ==,
                    EACCES);
    host_call(host_read, &rd);
    g_assert_cmpint(rd.err, ==, 0);
    g_assert_cmpstr(rd.got, ==, "s3cret");
    free(rd.got);

    /* Writes: its name is dom0's (readable, not writable), /tool too. */
    g_assert_cmpint(guest_call(f, XS_READ, "name", NULL, &v), ==, 0);
    g_assert_cmpstr(v, ==, "both-sides");
    g_free(v);
    g_assert_cmpint(guest_call(f, XS_WRITE, "name", "mine", NULL), ==,
                    EACCES);
    g_assert_cmpint(guest_call(f, XS_WRITE, "/tool/setting", "y", NULL), ==,
                    EACCES);
    g_assert_cmpint(guest_call(f, XS_RM, "data/secret", NULL, NULL), ==,
                    EACCES);
    host_call(host_write, &name);
    g_assert_cmpint(name.err, ==, 0);
    g_assert_cmpint(guest_call(f, XS_READ, "name", NULL, &v), ==, 0);
    g_assert_cmpstr(v, ==, "renamed");
    g_free(v);

    /*
     * Its watch on data did not report the secret node it cannot read:
     * the next event is a later, readable one.
     */
    host_call(host_write, &visible);
    g_assert_cmpint(visible.err, ==, 0);
    xs_guest_assert_event(&f->g, "data/visible", "tok");
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    /* Before any thread exists. */
    xs_test_socket_init(&sock, "xs-guest-host-XXXXXX");
    g_test_add("/guest-host/host-write-fires-guest-watch", Fix, NULL,
               fix_setup, test_host_write_fires_guest_watch, fix_teardown);
    g_test_add("/guest-host/guest-write-fires-host-watch", Fix, NULL,
               fix_setup, test_guest_write_fires_host_watch, fix_teardown);
    g_test_add("/guest-host/permissions-differ", Fix, NULL,
               fix_setup, test_permissions_differ, fix_teardown);
    ret = g_test_run();
    xs_test_socket_cleanup(&sock);
    return ret;
}
