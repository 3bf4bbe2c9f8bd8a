/*
 * Character backends: where a device's byte stream goes on the host
 * (stdio, a file, a Unix socket, nothing), named by QEMU's -chardev
 * spellings.  Output never blocks: a write takes what the host accepts
 * now and the rest stays with the caller, which is told when there is
 * room again; input is read only as far as the device has room, so a
 * slow device pushes back on the host fd instead of being buffered.
 * Everything runs in the main loop (qemu/main-loop.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CHARDEV_CHAR_H
#define CHARDEV_CHAR_H

#include "qemu/error.h"

typedef struct CharBackend CharBackend;

/*
 * "TYPE[,id=ID][,key=value...]", the -chardev option's argument:
 *   stdio                               input fd 0, output fd 1
 *   file,path=P                         output appended to P; no input
 *   socket,path=P,server=on,wait=off    a Unix socket server at P with
 *                                       one client at a time; output
 *                                       while none is connected is
 *                                       dropped (as QEMU's socket does)
 *   null                                output discarded, no input
 * With id=ID the backend is registered under ID (qemu_chr_find) until
 * it is freed; a second backend with the same id is refused.
 */
CharBackend *qemu_chr_new(const char *spec, Error **errp);
/*
 * A backend on fds the caller opened (a socketpair, pipes): in_fd or
 * out_fd may be -1 (no input / output discarded), both may be the same.
 * The backend makes them non-blocking and closes them when freed.
 */
CharBackend *qemu_chr_new_fds(const char *id, int in_fd, int out_fd,
                              Error **errp);
CharBackend *qemu_chr_find(const char *id);
/* Removes the handlers, closes what the backend opened.  NULL is fine. */
void qemu_chr_free(CharBackend *be);
const char *qemu_chr_id(CharBackend *be);

/*
 * Write up to len bytes without blocking; returns how many were taken
 * (dropped output counts as taken).  When fewer than len were taken the
 * backend watches for room and calls the writable handler once there is.
 */
size_t qemu_chr_write(CharBackend *be, const void *buf, size_t len);

/* How many bytes the device can take now (0: stop reading the fd). */
typedef size_t CharCanReadFn(void *opaque);
/* len bytes of input, never more than the last can_read() said. */
typedef void CharReadFn(void *opaque, const uint8_t *buf, size_t len);
/* A short write's rest can be tried again. */
typedef void CharWritableFn(void *opaque);

/*
 * Install (or with all NULL, remove) the device's handlers; one device
 * per backend.  After can_read() has returned 0 the fd is not read
 * until qemu_chr_accept_input() says the device has room again.
 */
void qemu_chr_set_handlers(CharBackend *be, CharCanReadFn *can_read,
                           CharReadFn *read, CharWritableFn *writable,
                           void *opaque);
void qemu_chr_accept_input(CharBackend *be);

/* For the socket backend: is a client connected (always true for fds). */
bool qemu_chr_connected(CharBackend *be);

#endif
