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

#define GUEST 1
/* Bounds every wait, so a broken exchange fails instead of hanging. */
#define WAIT_SECONDS 20

typedef struct GuestMsg {
    struct xsd_sockmsg hdr;
    char *body;                 /* hdr.len bytes plus a NUL */
} GuestMsg;

/* The socket, the same for every test: libxenstore finds it by env. */
static char *socket_dir;
static char *socket_path;

typedef struct Fix {
    XenXenstoreState *dev;
    XsSocketServer *srv;
    guint ticker;
    /* The guest's side of the ring. */
    struct xenstore_domain_interface *ring;
    evtchn_port_t port;
    uint32_t next_req_id;
    GQueue events;              /* GuestMsg *: watch events read early */
    /* The host's client. */
    struct xs_handle *host;
} Fix;

static void guest_msg_free(GuestMsg *m)
{
    g_free(m->body);
    g_free(m);
}

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

/* ---- the guest: a tiny xenbus ring writer and reader ---- */

static void guest_notify(Fix *f)
{
    struct evtchn_send send = { .port = f->port };

    g_assert_cmpint(xen_evtchn_send_op(&send), ==, 0);
}

/* Copy into req as space allows, publishing and notifying each piece. */
static void guest_write_bytes(Fix *f, const void *data, size_t len)
{
    const uint8_t *p = data;
    gint64 deadline = deadline_from_now();

    while (len) {
        XENSTORE_RING_IDX prod = f->ring->req_prod;
        XENSTORE_RING_IDX cons = qatomic_read(&f->ring->req_cons);
        size_t space, n;

        smp_mb();
        space = XENSTORE_RING_SIZE - (prod - cons);
        if (!space) {
            pump_once(deadline);        /* the device consumes */
            continue;
        }
        n = MIN(len, space);
        n = MIN(n, XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod));
        memcpy(f->ring->req + MASK_XENSTORE_IDX(prod), p, n);
        smp_wmb();                      /* data before the index */
        qatomic_set(&f->ring->req_prod, prod + n);
        guest_notify(f);
        p += n;
        len -= n;
    }
}

static void guest_read_bytes(Fix *f, void *buf, size_t len)
{
    uint8_t *p = buf;
    gint64 deadline = deadline_from_now();

    while (len) {
        XENSTORE_RING_IDX cons = f->ring->rsp_cons;
        XENSTORE_RING_IDX prod = qatomic_read(&f->ring->rsp_prod);
        size_t n;

        smp_rmb();                      /* the index before the data */
        if (prod == cons) {
            pump_once(deadline);        /* the device answers */
            continue;
        }
        g_assert_cmpuint(prod - cons, <=, XENSTORE_RING_SIZE);
        n = MIN(len, prod - cons);
        n = MIN(n, XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons));
        memcpy(p, f->ring->rsp + MASK_XENSTORE_IDX(cons), n);
        smp_mb();                       /* done reading before freeing */
        qatomic_set(&f->ring->rsp_cons, cons + n);
        guest_notify(f);
        p += n;
        len -= n;
    }
}

static GuestMsg *guest_read_msg(Fix *f)
{
    GuestMsg *m = g_new0(GuestMsg, 1);

    guest_read_bytes(f, &m->hdr, sizeof(m->hdr));
    g_assert_cmpuint(m->hdr.len, <=, XENSTORE_PAYLOAD_MAX);
    m->body = g_malloc0(m->hdr.len + 1);
    guest_read_bytes(f, m->body, m->hdr.len);
    return m;
}

/*
 * Send one request and return its reply; watch events that arrive
 * first are kept for guest_expect_event(), as xenbus's reader does.
 */
static GuestMsg *guest_request(Fix *f, uint32_t type, const void *payload,
                               size_t len)
{
    struct xsd_sockmsg hdr = {
        .type = type, .req_id = ++f->next_req_id, .len = len,
    };
    GuestMsg *m;

    guest_write_bytes(f, &hdr, sizeof(hdr));
    guest_write_bytes(f, payload, len);
    while ((m = guest_read_msg(f))->hdr.type == XS_WATCH_EVENT) {
        g_queue_push_tail(&f->events, m);
    }
    g_assert_cmpuint(m->hdr.req_id, ==, hdr.req_id);
    return m;
}

/* The errno of an error reply's name ("EACCES"), for the names used. */
static int error_errno(const char *name)
{
    static const struct { const char *name; int err; } names[] = {
        { "EINVAL", EINVAL }, { "EACCES", EACCES }, { "EEXIST", EEXIST },
        { "ENOENT", ENOENT }, { "ENOSPC", ENOSPC }, { "E2BIG", E2BIG },
        { "EPERM", EPERM }, { "EAGAIN", EAGAIN },
    };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (!strcmp(name, names[i].name)) {
            return names[i].err;
        }
    }
    g_assert_not_reached();
}

/* A request of NUL-separated strings; returns the reply's error or 0. */
static int guest_call(Fix *f, uint32_t type, const char *a, const char *b,
                      char **reply)
{
    g_autoptr(GByteArray) p = g_byte_array_new();
    GuestMsg *m;
    int err = 0;

    g_byte_array_append(p, (const guint8 *)a, strlen(a) + 1);
    if (b) {
        /* WRITE: the value follows the path's NUL, without its own. */
        g_byte_array_append(p, (const guint8 *)b,
                            strlen(b) + (type != XS_WRITE));
    }
    m = guest_request(f, type, p->data, p->len);
    if (m->hdr.type == XS_ERROR) {
        err = error_errno(m->body);
    } else {
        g_assert_cmpuint(m->hdr.type, ==, type);
        if (reply) {
            *reply = g_strdup(m->body);
        }
    }
    guest_msg_free(m);
    return err;
}

/* The next watch event must be (path, token). */
static void guest_expect_event(Fix *f, const char *path, const char *token)
{
    GuestMsg *m = g_queue_pop_head(&f->events);

    if (!m) {
        m = guest_read_msg(f);
    }
    g_assert_cmpuint(m->hdr.type, ==, XS_WATCH_EVENT);
    g_assert_cmpuint(m->hdr.req_id, ==, 0);
    g_assert_cmpstr(m->body, ==, path);
    g_assert_cmpstr(m->body + strlen(path) + 1, ==, token);
    guest_msg_free(m);
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
                                  socket_path, &error_abort);
    f->ticker = g_timeout_add(20, tick, NULL);
    f->ring = xen_xenstore_ring(f->dev);
    f->port = xen_xenstore_guest_port(f->dev);
    g_queue_init(&f->events);
    f->host = xs_open(0);
    g_assert(f->host);
}

static void fix_teardown(Fix *f, gconstpointer data)
{
    GuestMsg *m;

    xs_close(f->host);
    while ((m = g_queue_pop_head(&f->events))) {
        guest_msg_free(m);
    }
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
    guest_expect_event(f, "data", "tok");
    host_call(host_write, &op);
    g_assert_cmpint(op.err, ==, 0);
    guest_expect_event(f, "data/from-host", "tok");
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
    guest_expect_event(f, "data", "tok");
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
    guest_expect_event(f, "data/visible", "tok");
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    socket_dir = g_dir_make_tmp("xs-guest-host-XXXXXX", NULL);
    g_assert(socket_dir);
    socket_path = g_build_filename(socket_dir, "socket", NULL);
    /* Before any thread exists. */
    g_setenv("XENSTORED_PATH", socket_path, true);
    g_test_add("/guest-host/host-write-fires-guest-watch", Fix, NULL,
               fix_setup, test_host_write_fires_guest_watch, fix_teardown);
    g_test_add("/guest-host/guest-write-fires-host-watch", Fix, NULL,
               fix_setup, test_guest_write_fires_host_watch, fix_teardown);
    g_test_add("/guest-host/permissions-differ", Fix, NULL,
               fix_setup, test_permissions_differ, fix_teardown);
    ret = g_test_run();
    rmdir(socket_dir);
    g_free(socket_path);
    g_free(socket_dir);
    return ret;
}
