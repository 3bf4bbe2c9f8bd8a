/*
 * The main loop: the process-wide AioContext on GLib's default main
 * context, and one-iteration-at-a-time dispatch of its sources.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "trace.h"

AioContext *qemu_get_aio_context(void)
{
    static AioContext *main_ctx;

    /* Lives as long as the process, like GLib's default context. */
    if (g_once_init_enter(&main_ctx)) {
        AioContext *ctx = g_new0(AioContext, 1);

        ctx->gctx = g_main_context_default();
        ctx->fd_handlers = g_hash_table_new(g_direct_hash, g_direct_equal);
        g_once_init_leave(&main_ctx, ctx);
    }
    return main_ctx;
}

bool main_loop_wait(bool nonblocking)
{
    AioContext *ctx = qemu_get_aio_context();
    bool progress;

    progress = g_main_context_iteration(ctx->gctx, !nonblocking);
    trace_main_loop_wait(nonblocking, progress);
    return progress;
}

void qemu_set_fd_handler(int fd, IOHandler *fd_read, IOHandler *fd_write,
                         void *opaque)
{
    aio_set_fd_handler(qemu_get_aio_context(), fd, fd_read, fd_write,
                       opaque);
}

QEMUBH *qemu_bh_new(QEMUBHFunc *cb, void *opaque)
{
    return aio_bh_new(qemu_get_aio_context(), cb, opaque);
}
