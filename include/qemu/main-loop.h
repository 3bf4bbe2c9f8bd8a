/*
 * The process's main loop: one AioContext on GLib's default main
 * context, run one iteration at a time by main_loop_wait().
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_MAIN_LOOP_H
#define QEMU_MAIN_LOOP_H

#include "qemu/aio.h"

/* The AioContext of the main loop (GLib's default main context). */
AioContext *qemu_get_aio_context(void);

/*
 * Run one iteration of the main loop: dispatch every ready fd handler and
 * scheduled bottom half.  With nonblocking false, first wait until at
 * least one is ready.  Returns true if anything was dispatched.
 */
bool main_loop_wait(bool nonblocking);

/* aio_set_fd_handler() and aio_bh_new() on the main loop's context. */
void qemu_set_fd_handler(int fd, IOHandler *fd_read, IOHandler *fd_write,
                         void *opaque);
QEMUBH *qemu_bh_new(QEMUBHFunc *cb, void *opaque);

#endif
