/*
 * The XenStore socket server: accepts clients on a Unix socket and
 * serves each one, as the privileged domain 0, through its own
 * connection (XsConn) on a store, driven by the main loop.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef XS_SOCKET_SERVER_H
#define XS_SOCKET_SERVER_H

#include "qemu/error.h"
#include "hw/xen/xenstore_impl.h"

typedef struct XsSocketServer XsSocketServer;

/*
 * A client that owes more than this many bytes of replies and watch
 * events, beyond what the kernel's socket buffer already holds for it,
 * is not reading: it is disconnected.  So is any client that lost an
 * event because its queue was full (the domain's "outstanding" quota):
 * it could no longer trust its view of the store.
 */
#define XS_SOCKET_DEFAULT_MAX_PENDING_BYTES (256 * 1024)

/* Counters since the server started. */
typedef struct XsSocketServerStats {
    uint64_t accepted;
    uint64_t closed;
    uint64_t protocol_errors;   /* closed for a header with len > 4096 */
    uint64_t slow_clients;      /* closed for not reading their events */
    unsigned int clients;       /* connected now */
} XsSocketServerStats;

/*
 * Listen on @socket_path (see xs_listen_socket_open) and serve @store
 * from the main loop (qemu_get_aio_context()) until freed.  The store
 * must outlive the server.
 */
XsSocketServer *xs_socket_server_new(XenstoreImplState *store,
                                     const char *socket_path, Error **errp);

/* Disconnect every client, stop listening and remove the socket file. */
void xs_socket_server_free(XsSocketServer *srv);

/* Change the slow-client limit. */
void xs_socket_server_set_max_pending_bytes(XsSocketServer *srv,
                                            size_t max);

/*
 * A snapshot of the counters.  The server runs on the main loop's
 * thread; other threads may call this while it runs.
 */
void xs_socket_server_get_stats(XsSocketServer *srv,
                                XsSocketServerStats *stats);

#endif
