/*
 * The real XenStore socket server, run in-process on a thread of its own
 * so that a test can talk to it with blocking client libraries.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef TESTS_SUPPORT_XS_SERVER_THREAD_H
#define TESTS_SUPPORT_XS_SERVER_THREAD_H

#include "xs-socket-server.h"

typedef struct XsServerThread XsServerThread;

/*
 * A new store for guest domain 1, an XsSocketServer on @socket_path,
 * and a thread that runs the main loop for it until stopped.
 */
XsServerThread *xs_server_thread_start(const char *socket_path);

/* Stop the thread, then free the server (closing clients) and store. */
void xs_server_thread_stop(XsServerThread *t);

/* The server, for xs_socket_server_get_stats() from any thread. */
XsSocketServer *xs_server_thread_server(XsServerThread *t);

#endif
