/*
 * The real XenStore socket server on a thread of its own: the thread is
 * the only one iterating the main loop while it runs, so the store and
 * the connections still live on one thread, as they require.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/atomic.h"
#include "qemu/main-loop.h"
#include "xs-server-thread.h"

struct XsServerThread {
    XenstoreImplState *store;
    XsSocketServer *srv;
    GThread *thread;
    bool stop;                  /* atomic: set by the stopping thread */
};

static gpointer server_thread(gpointer opaque)
{
    XsServerThread *t = opaque;

    while (!qatomic_read(&t->stop)) {
        main_loop_wait(false);
    }
    return NULL;
}

XsServerThread *xs_server_thread_start(const char *socket_path)
{
    XsServerThread *t = g_new0(XsServerThread, 1);

    t->store = xs_impl_create(1);
    /* Set up before the thread exists: fd handlers are not thread-safe. */
    t->srv = xs_socket_server_new(t->store, socket_path, &error_abort);
    t->thread = g_thread_new("xs-server", server_thread, t);
    return t;
}

void xs_server_thread_stop(XsServerThread *t)
{
    qatomic_set(&t->stop, true);
    g_main_context_wakeup(qemu_get_aio_context()->gctx);
    g_thread_join(t->thread);
    xs_socket_server_free(t->srv);
    xs_impl_destroy(t->store);
    g_free(t);
}

XsSocketServer *xs_server_thread_server(XsServerThread *t)
{
    return t->srv;
}
