/*
 * A minimal XenStore Unix-socket server for tests: poll() over the
 * listening socket and the clients, bytes moved between each socket and
 * its XsConn, everything on one thread so the store needs no lock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "hw/xen/interface/xen.h"
#include "xenstore_conn.h"
#include "xs-test-server.h"

typedef struct TestClient {
    int fd;
    XsConn *conn;
} TestClient;

struct XsTestServer {
    XenstoreImplState *store;
    int listen_fd;
    int wake[2];                /* written to stop the thread */
    GThread *thread;
    GPtrArray *clients;         /* TestClient *, touched by the thread only */
    int protocol_errors;        /* atomic: read by other threads */
};

static void client_close(XsTestServer *srv, guint i)
{
    TestClient *c = g_ptr_array_index(srv->clients, i);

    xs_conn_free(c->conn);
    close(c->fd);
    g_free(c);
    g_ptr_array_remove_index(srv->clients, i);
}

/* One poll() round's work for a client; false when it must be closed. */
static bool client_service(XsTestServer *srv, TestClient *c, short revents)
{
    uint8_t buf[XS_WIRE_MSG_MAX];
    const uint8_t *out;
    size_t n;

    if (revents & (POLLIN | POLLHUP | POLLERR)) {
        size_t space = xs_conn_input_space(c->conn);
        ssize_t got = space ? read(c->fd, buf, MIN(space, sizeof(buf))) : 0;

        if (space && got <= 0) {
            return false;
        }
        if (got > 0) {
            g_assert_cmpuint(xs_conn_feed(c->conn, buf, got), ==, got);
        }
        if (xs_conn_protocol_error(c->conn)) {
            g_atomic_int_inc(&srv->protocol_errors);
            return false;
        }
    }
    /* Write whatever is ready, as much as the socket takes. */
    while ((n = xs_conn_peek(c->conn, &out)) > 0) {
        ssize_t put = send(c->fd, out, n, MSG_DONTWAIT | MSG_NOSIGNAL);

        if (put <= 0) {
            return put < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
        }
        xs_conn_consume(c->conn, put);
    }
    return true;
}

static gpointer server_thread(gpointer opaque)
{
    XsTestServer *srv = opaque;

    for (;;) {
        guint n = srv->clients->len;
        g_autofree struct pollfd *fds = g_new0(struct pollfd, n + 2);
        const uint8_t *out;

        fds[0] = (struct pollfd) { .fd = srv->wake[0], .events = POLLIN };
        fds[1] = (struct pollfd) { .fd = srv->listen_fd, .events = POLLIN };
        for (guint i = 0; i < n; i++) {
            TestClient *c = g_ptr_array_index(srv->clients, i);

            fds[i + 2].fd = c->fd;
            fds[i + 2].events =
                (xs_conn_input_space(c->conn) ? POLLIN : 0) |
                (xs_conn_peek(c->conn, &out) ? POLLOUT : 0);
        }
        if (poll(fds, n + 2, -1) < 0) {
            g_assert(errno == EINTR);
            continue;
        }
        if (fds[0].revents) {
            break;
        }
        for (guint i = n; i-- > 0;) {
            if (fds[i + 2].revents &&
                !client_service(srv, g_ptr_array_index(srv->clients, i),
                                fds[i + 2].revents)) {
                client_close(srv, i);
            }
        }
        /* Output another client's request produced for an idle one. */
        for (guint i = srv->clients->len; i-- > 0;) {
            if (!client_service(srv, g_ptr_array_index(srv->clients, i),
                                0)) {
                client_close(srv, i);
            }
        }
        if (fds[1].revents & POLLIN) {
            int fd = accept(srv->listen_fd, NULL, NULL);

            if (fd >= 0) {
                TestClient *c = g_new0(TestClient, 1);

                c->fd = fd;
                c->conn = xs_conn_new(srv->store, DOMID_QEMU, false, NULL,
                                      NULL);
                g_ptr_array_add(srv->clients, c);
            }
        }
    }
    while (srv->clients->len) {
        client_close(srv, srv->clients->len - 1);
    }
    return NULL;
}

XsTestServer *xs_test_server_start(const char *socket_path)
{
    XsTestServer *srv = g_new0(XsTestServer, 1);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };

    g_assert_cmpuint(strlen(socket_path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, socket_path);
    srv->store = xs_impl_create(1);
    srv->clients = g_ptr_array_new();
    srv->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(srv->listen_fd, >=, 0);
    unlink(socket_path);
    g_assert_cmpint(bind(srv->listen_fd, (struct sockaddr *)&addr,
                         sizeof(addr)), ==, 0);
    g_assert_cmpint(listen(srv->listen_fd, 8), ==, 0);
    g_assert_cmpint(pipe(srv->wake), ==, 0);
    srv->thread = g_thread_new("xs-test-server", server_thread, srv);
    return srv;
}

void xs_test_server_stop(XsTestServer *srv)
{
    g_assert_cmpint(write(srv->wake[1], "x", 1), ==, 1);
    g_thread_join(srv->thread);
    close(srv->wake[0]);
    close(srv->wake[1]);
    close(srv->listen_fd);
    g_ptr_array_free(srv->clients, true);
    xs_impl_destroy(srv->store);
    g_free(srv);
}

unsigned int xs_test_server_protocol_errors(XsTestServer *srv)
{
    return g_atomic_int_get(&srv->protocol_errors);
}
