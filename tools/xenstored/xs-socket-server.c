/*
 * The XenStore socket server: one non-blocking client per accepted
 * socket, bytes moved between the socket and the client's XsConn from
 * main-loop fd handlers, and the limits that keep one client from
 * stalling the others or growing the process.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include "qemu/atomic.h"
#include "qemu/main-loop.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_conn.h"
#include "xs-socket-listen.h"
#include "xs-socket-server.h"
#include "trace.h"

/* While accept() fails for lack of fds or memory, retry this often. */
#define XS_ACCEPT_RETRY_MS 100
/* Connections taken per wake-up, so a flood cannot starve the clients. */
#define XS_ACCEPT_BATCH 16

typedef struct XsSocketClient {
    XsSocketServer *srv;
    int fd;
    XsConn *conn;
    GList link;                 /* in srv->clients */
    GList pending_link;         /* in srv->pending while writing */
    bool reading;               /* read handler installed */
    bool writing;               /* write handler installed */
    /*
     * Bytes read from the socket that the connection has not taken yet.
     * One message at most: past that the socket is left unread, so the
     * kernel's buffer, not this process, holds what a client sends ahead.
     */
    uint8_t in[XS_WIRE_MSG_MAX];
    size_t in_len;
} XsSocketClient;

/* Runs after every poll: finds clients that stopped reading. */
typedef struct XsSlowClientSource {
    GSource source;             /* first: the GSource is the allocation */
    XsSocketServer *srv;
} XsSlowClientSource;

struct XsSocketServer {
    XenstoreImplState *store;
    XsListenSocket *listen;
    bool accepting;
    GSource *accept_retry;      /* set while accepting is paused */
    GQueue clients;             /* XsSocketClient * */
    GQueue pending;             /* clients with output waiting to go out */
    XsSlowClientSource *slow;
    size_t max_pending_bytes;
    XsSocketServerStats stats;  /* written with qatomic_set */
};

static void client_readable(void *opaque);
static void client_writable(void *opaque);
static void server_resume_accepting(XsSocketServer *srv);

static void stat_inc(uint64_t *counter)
{
    qatomic_set(counter, qatomic_read(counter) + 1);
}

static void client_set_handlers(XsSocketClient *c, bool reading,
                                bool writing)
{
    XsSocketServer *srv = c->srv;

    if (reading == c->reading && writing == c->writing) {
        return;
    }
    if (writing != c->writing) {
        if (writing) {
            g_queue_push_tail_link(&srv->pending, &c->pending_link);
        } else {
            g_queue_unlink(&srv->pending, &c->pending_link);
        }
    }
    c->reading = reading;
    c->writing = writing;
    qemu_set_fd_handler(c->fd, reading ? client_readable : NULL,
                        writing ? client_writable : NULL, c);
}

/*
 * Read while the buffer has room; write only while output waits, so an
 * idle client costs no wake-ups.
 */
static void client_update_handlers(XsSocketClient *c)
{
    const uint8_t *data;

    client_set_handlers(c, c->in_len < sizeof(c->in),
                        xs_conn_peek(c->conn, &data) > 0);
}

static void client_close(XsSocketClient *c, const char *why)
{
    XsSocketServer *srv = c->srv;

    trace_xenstored_close(c->fd, why);
    client_set_handlers(c, false, false);
    g_queue_unlink(&srv->clients, &c->link);
    /* Drops its watches and aborts its transactions in the store. */
    xs_conn_free(c->conn);
    close(c->fd);
    g_free(c);
    stat_inc(&srv->stats.closed);
    qatomic_set(&srv->stats.clients, srv->clients.length);
    /* An fd is free again: a waiting connection can have it now. */
    server_resume_accepting(srv);
}

/*
 * Move bytes both ways until neither moves: feed what the connection
 * takes (it answers as it goes), send what it produced.  Returns false
 * when the client was closed.
 */
static bool client_run(XsSocketClient *c)
{
    bool progress;

    do {
        const uint8_t *data;
        size_t n;

        progress = false;
        if (c->in_len) {
            size_t taken = xs_conn_feed(c->conn, c->in, c->in_len);

            if (xs_conn_protocol_error(c->conn)) {
                /* The connection traced the header; the socket goes. */
                trace_xenstored_protocol_error(c->fd);
                stat_inc(&c->srv->stats.protocol_errors);
                client_close(c, "protocol error");
                return false;
            }
            if (taken) {
                c->in_len -= taken;
                memmove(c->in, c->in + taken, c->in_len);
                progress = true;
            }
        }
        while ((n = xs_conn_peek(c->conn, &data)) > 0) {
            ssize_t put = send(c->fd, data, n, MSG_DONTWAIT | MSG_NOSIGNAL);

            if (put < 0) {
                if (errno == EINTR) {
                    continue;
                }
                if (errno == EAGAIN || errno == EWOULDBLOCK) {
                    break;
                }
                client_close(c, "send failed");
                return false;
            }
            /* May let a buffered request or a queued event in. */
            xs_conn_consume(c->conn, put);
            progress = true;
        }
    } while (progress);
    client_update_handlers(c);
    return true;
}

static void client_readable(void *opaque)
{
    XsSocketClient *c = opaque;
    ssize_t got;

    if (c->in_len < sizeof(c->in)) {
        got = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
                   MSG_DONTWAIT);
        if (got == 0) {
            /* Gone, maybe mid-message: what it sent half is dropped. */
            client_close(c, "end of file");
            return;
        }
        if (got < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                client_close(c, "receive failed");
            }
            return;
        }
        c->in_len += got;
    }
    client_run(c);
}

static void client_writable(void *opaque)
{
    client_run(opaque);
}

/*
 * Output for the client appeared while it was idle (another client's
 * request fired its watch).  This may run inside a store call: only
 * arrange for the write handler, touch nothing else.
 */
static void client_kick(void *opaque)
{
    XsSocketClient *c = opaque;

    client_set_handlers(c, c->reading, true);
}

/* ---- accepting ---- */

static void server_accept(void *opaque);

static void server_set_accepting(XsSocketServer *srv, bool on)
{
    srv->accepting = on;
    qemu_set_fd_handler(srv->listen->fd, on ? server_accept : NULL, NULL,
                        srv);
}

static void server_resume_accepting(XsSocketServer *srv)
{
    if (srv->accept_retry) {
        g_source_destroy(srv->accept_retry);
        g_source_unref(srv->accept_retry);
        srv->accept_retry = NULL;
        server_set_accepting(srv, true);
    }
}

static gboolean server_accept_retry(gpointer opaque)
{
    server_resume_accepting(opaque);
    return G_SOURCE_REMOVE;
}

/*
 * Out of fds or memory: the pending connection stays in the backlog and
 * the listening socket stays readable, so stop polling it until a client
 * goes or a while has passed, instead of spinning.  Clients already
 * connected are served meanwhile.
 */
static void server_pause_accepting(XsSocketServer *srv, int err)
{
    trace_xenstored_accept_paused(err, srv->clients.length);
    server_set_accepting(srv, false);
    srv->accept_retry = g_timeout_source_new(XS_ACCEPT_RETRY_MS);
    g_source_set_callback(srv->accept_retry, server_accept_retry, srv, NULL);
    g_source_attach(srv->accept_retry, qemu_get_aio_context()->gctx);
}

static void server_accept(void *opaque)
{
    XsSocketServer *srv = opaque;

    for (int i = 0; i < XS_ACCEPT_BATCH; i++) {
        int fd = accept4(srv->listen->fd, NULL, NULL,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        XsSocketClient *c;

        if (fd < 0) {
            int err = errno;

            if (err == EMFILE || err == ENFILE || err == ENOBUFS ||
                err == ENOMEM) {
                server_pause_accepting(srv, err);
                return;
            }
            /* EAGAIN: all taken; ECONNABORTED and the like: next one. */
            if (err == EAGAIN || err == EWOULDBLOCK) {
                return;
            }
            continue;
        }
        c = g_new0(XsSocketClient, 1);
        c->srv = srv;
        c->fd = fd;
        c->link.data = c;
        c->pending_link.data = c;
        /* A host tool acts as domain 0, as on a Xen host. */
        c->conn = xs_conn_new(srv->store, DOMID_QEMU, false, client_kick, c);
        g_queue_push_tail_link(&srv->clients, &c->link);
        stat_inc(&srv->stats.accepted);
        qatomic_set(&srv->stats.clients, srv->clients.length);
        trace_xenstored_accept(fd, srv->clients.length);
        client_set_handlers(c, true, false);
    }
}

/* ---- slow clients ---- */

/*
 * A client with output waiting has not been reading.  Its connection
 * bounds what it holds (one message, plus events up to the domain's
 * quota, dropping the oldest beyond it); past the server's own limit in
 * bytes, or once it has lost an event, it goes.
 */
static bool client_is_slow(XsSocketClient *c)
{
    return xs_conn_pending_bytes(c->conn) > c->srv->max_pending_bytes ||
           xs_conn_dropped_events(c->conn) > 0;
}

static bool server_has_slow_client(XsSocketServer *srv)
{
    for (GList *l = srv->pending.head; l; l = l->next) {
        if (client_is_slow(l->data)) {
            return true;
        }
    }
    return false;
}

/*
 * Events reach a waiting client from any request, the guest's included,
 * without a kick (its output is already pending), so look after every
 * main-loop poll rather than at any one request path.
 */
static gboolean slow_source_prepare(GSource *source, gint *timeout)
{
    *timeout = -1;
    return server_has_slow_client(((XsSlowClientSource *)source)->srv);
}

static gboolean slow_source_check(GSource *source)
{
    return server_has_slow_client(((XsSlowClientSource *)source)->srv);
}

static gboolean slow_source_dispatch(GSource *source, GSourceFunc unused,
                                     gpointer unused_data)
{
    XsSocketServer *srv = ((XsSlowClientSource *)source)->srv;
    GList *l = srv->pending.head;

    while (l) {
        XsSocketClient *c = l->data;

        l = l->next;
        if (client_is_slow(c)) {
            trace_xenstored_slow_client(c->fd, xs_conn_pending_bytes(c->conn),
                                        xs_conn_queued_events(c->conn),
                                        xs_conn_dropped_events(c->conn));
            stat_inc(&srv->stats.slow_clients);
            client_close(c, "not reading its events");
        }
    }
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs slow_source_funcs = {
    .prepare = slow_source_prepare,
    .check = slow_source_check,
    .dispatch = slow_source_dispatch,
};

/* ---- life cycle ---- */

XsSocketServer *xs_socket_server_new(XenstoreImplState *store,
                                     const char *socket_path, Error **errp)
{
    XsListenSocket *ls = xs_listen_socket_open(socket_path, errp);
    XsSocketServer *srv;

    if (!ls) {
        return NULL;
    }
    srv = g_new0(XsSocketServer, 1);
    srv->store = store;
    srv->listen = ls;
    srv->max_pending_bytes = XS_SOCKET_DEFAULT_MAX_PENDING_BYTES;
    g_queue_init(&srv->clients);
    g_queue_init(&srv->pending);
    srv->slow = (XsSlowClientSource *)g_source_new(&slow_source_funcs,
                                                   sizeof(*srv->slow));
    srv->slow->srv = srv;
    g_source_set_name(&srv->slow->source, "xenstored-slow-clients");
    g_source_attach(&srv->slow->source, qemu_get_aio_context()->gctx);
    server_set_accepting(srv, true);
    return srv;
}

void xs_socket_server_free(XsSocketServer *srv)
{
    if (!srv) {
        return;
    }
    while (srv->clients.head) {
        client_close(srv->clients.head->data, "server exit");
    }
    server_resume_accepting(srv);
    server_set_accepting(srv, false);
    g_source_destroy(&srv->slow->source);
    g_source_unref(&srv->slow->source);
    xs_listen_socket_close(srv->listen);
    g_free(srv);
}

void xs_socket_server_set_max_pending_bytes(XsSocketServer *srv,
                                            size_t max)
{
    srv->max_pending_bytes = max;
}

void xs_socket_server_get_stats(XsSocketServer *srv,
                                XsSocketServerStats *stats)
{
    stats->accepted = qatomic_read(&srv->stats.accepted);
    stats->closed = qatomic_read(&srv->stats.closed);
    stats->protocol_errors = qatomic_read(&srv->stats.protocol_errors);
    stats->slow_clients = qatomic_read(&srv->stats.slow_clients);
    stats->clients = qatomic_read(&srv->stats.clients);
}
