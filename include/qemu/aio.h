/*
 * Event sources of the host main loop: file-descriptor handlers and
 * bottom halves, attached to an AioContext (a GLib main context).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_AIO_H
#define QEMU_AIO_H

typedef struct QEMUBH QEMUBH;

/* A set of event sources dispatched together by one GLib main context. */
typedef struct AioContext {
    GMainContext *gctx;
    GHashTable *fd_handlers;    /* fd -> its AioHandler (util/aio-fd.c) */
} AioContext;

typedef void IOHandler(void *opaque);
typedef void QEMUBHFunc(void *opaque);

/*
 * Watch fd on ctx: io_read runs when it is readable (or hung up, or in
 * error), io_write when it is writable.  Calling again for the same fd
 * replaces both handlers and the opaque; passing NULL for both removes
 * the watch.  Handlers may change or remove any watch, their own
 * included, while they run.  The caller keeps ownership of fd and must
 * remove the watch before closing it.
 */
void aio_set_fd_handler(AioContext *ctx, int fd, IOHandler *io_read,
                        IOHandler *io_write, void *opaque);

/*
 * A bottom half: a callback that runs once from the main loop after it
 * has been scheduled.  Scheduling an already scheduled bottom half does
 * nothing; scheduling it from its own callback runs it again on a later
 * iteration.  qemu_bh_schedule() may be called from any thread and wakes
 * a main loop that is blocked.  qemu_bh_delete() cancels and frees it,
 * and is allowed from inside its own callback.
 */
QEMUBH *aio_bh_new(AioContext *ctx, QEMUBHFunc *cb, void *opaque);
void qemu_bh_schedule(QEMUBH *bh);
void qemu_bh_cancel(QEMUBH *bh);
void qemu_bh_delete(QEMUBH *bh);

#endif
