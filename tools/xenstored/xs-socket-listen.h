/*
 * The listening Unix socket of qemu-xenstored: created owner-only at a
 * path, never over another server's live socket, removed again on exit.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef XS_SOCKET_LISTEN_H
#define XS_SOCKET_LISTEN_H

#include <sys/types.h>
#include "qemu/error.h"

typedef struct XsListenSocket {
    int fd;                 /* non-blocking, close-on-exec, listening */
    char *path;             /* as given */
    dev_t dev;              /* the file bind() created, to remove only it */
    ino_t ino;
} XsListenSocket;

/*
 * Listen on a new socket file at @path with mode 0600 from the moment it
 * exists.  A socket file already there is replaced when nothing answers
 * on it (left over from a server that died); when a server accepts a
 * connection on it, or when @path is something other than a socket,
 * this fails and leaves it alone.
 */
XsListenSocket *xs_listen_socket_open(const char *path, Error **errp);

/*
 * Stop listening and remove the socket file, but only if the path still
 * names the file this socket created.  NULL is allowed.
 */
void xs_listen_socket_close(XsListenSocket *ls);

#endif
