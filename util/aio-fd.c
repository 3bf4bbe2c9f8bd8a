/*
 * File-descriptor handlers of an AioContext: one GSource per watched fd,
 * polling for the conditions its handlers want.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/aio.h"
#include "trace.h"

typedef struct AioHandler {
    GSource source;             /* first: the GSource is the allocation */
    int fd;
    gpointer tag;               /* from g_source_add_unix_fd() */
    IOHandler *io_read;
    IOHandler *io_write;
    void *opaque;
} AioHandler;

static GIOCondition aio_handler_condition(AioHandler *h)
{
    return (h->io_read ? G_IO_IN : 0) | (h->io_write ? G_IO_OUT : 0);
}

static gboolean aio_handler_dispatch(GSource *source, GSourceFunc unused,
                                     gpointer unused_data)
{
    AioHandler *h = (AioHandler *)source;
    GIOCondition revents = g_source_query_unix_fd(source, h->tag);

    trace_aio_dispatch_fd(h->fd, revents);
    /*
     * A hang-up or error is reported to the reader so it sees EOF or the
     * error from read(); a handler may remove or replace this watch, so
     * look at the source again before the second call.
     */
    if ((revents & (G_IO_IN | G_IO_HUP | G_IO_ERR)) && h->io_read) {
        h->io_read(h->opaque);
    }
    if (g_source_is_destroyed(source)) {
        return G_SOURCE_REMOVE;
    }
    if ((revents & (G_IO_OUT | G_IO_ERR)) && h->io_write) {
        h->io_write(h->opaque);
    }
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs aio_handler_funcs = {
    .dispatch = aio_handler_dispatch,
};

void aio_set_fd_handler(AioContext *ctx, int fd, IOHandler *io_read,
                        IOHandler *io_write, void *opaque)
{
    AioHandler *h = g_hash_table_lookup(ctx->fd_handlers,
                                        GINT_TO_POINTER(fd));

    trace_aio_set_fd_handler(fd, io_read != NULL, io_write != NULL);
    if (!io_read && !io_write) {
        if (h) {
            g_hash_table_remove(ctx->fd_handlers, GINT_TO_POINTER(fd));
            g_source_destroy(&h->source);
            g_source_unref(&h->source);
        }
        return;
    }
    if (!h) {
        h = (AioHandler *)g_source_new(&aio_handler_funcs,
                                       sizeof(AioHandler));
        g_source_set_name(&h->source, "aio-fd-handler");
        /*
         * GLib takes a non-recursive source's fds out of the poll set
         * while it dispatches and puts them back after, and putting fds
         * back wakes the context: every dispatch would cost a wake-up
         * write and an extra empty iteration.  Handlers never run the
         * loop themselves, so nothing is lost by allowing recursion.
         */
        g_source_set_can_recurse(&h->source, TRUE);
        h->fd = fd;
        h->tag = g_source_add_unix_fd(&h->source, fd, 0);
        g_source_attach(&h->source, ctx->gctx);
        g_hash_table_insert(ctx->fd_handlers, GINT_TO_POINTER(fd), h);
    }
    h->io_read = io_read;
    h->io_write = io_write;
    h->opaque = opaque;
    g_source_modify_unix_fd(&h->source, h->tag, aio_handler_condition(h));
}
