/*
 * What the character backend kinds share: the backend object, whose
 * input and output fds the core (char.c) reads and writes, and the
 * socket server (char-socket.c) that changes them as clients come and go.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef CHARDEV_CHAR_INT_H
#define CHARDEV_CHAR_INT_H

#include "qemu/aio.h"
#include "chardev/char.h"

struct CharBackend {
    char *id;
    int in_fd;                  /* -1: no input (now) */
    int out_fd;                 /* -1: output is dropped */
    bool own_fds;               /* close in_fd/out_fd when freed */
    bool is_socket;             /* in_fd == out_fd is a connected client */
    bool input_blocked;         /* can_read() said 0: fd not watched */
    bool want_write;            /* a write was short: watch for room */
    int in_flags, out_flags;    /* fd flags to restore (stdio) */

    int listen_fd;              /* socket server, or -1 */
    char *sock_path;
    QEMUBH *writable_bh;        /* the writable handler, from the loop */

    CharCanReadFn *can_read;
    CharReadFn *read;
    CharWritableFn *writable;
    void *opaque;
};

/* Re-register the fds with the main loop after any state change. */
void qemu_chr_update_watches(CharBackend *be);
/*
 * The socket client went away (EOF or error): wait for the next one.
 * The device's writable handler runs (output held up for the old client
 * may go, dropped, now) from a bottom half: a disconnect found inside
 * qemu_chr_write() must not re-enter the device that is writing.
 */
void qemu_chr_socket_disconnect(CharBackend *be);
/* Open the socket server of "socket,path=P,server=on,wait=off". */
bool qemu_chr_socket_open(CharBackend *be, const char *path, Error **errp);
void qemu_chr_socket_close(CharBackend *be);

#endif
