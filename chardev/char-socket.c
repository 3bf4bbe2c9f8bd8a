/*
 * The Unix socket server backend: one client at a time.  While a client
 * is connected the listening socket is not watched, so a second client
 * waits in the backlog until the first goes; while none is connected
 * output is dropped, so a guest never stalls on an absent reader.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "qemu/main-loop.h"
#include "chardev/char-int.h"
#include "trace.h"

static void chr_socket_accept(void *opaque);

static void chr_socket_watch_listen(CharBackend *be, bool on)
{
    qemu_set_fd_handler(be->listen_fd, on ? chr_socket_accept : NULL, NULL,
                        be);
}

static void chr_socket_accept(void *opaque)
{
    CharBackend *be = opaque;
    int fd = accept4(be->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

    if (fd < 0) {
        return;                 /* EAGAIN, or the client already left */
    }
    trace_qemu_chr_socket_connect(be->id ? be->id : "", fd);
    chr_socket_watch_listen(be, false);
    be->in_fd = be->out_fd = fd;
    be->input_blocked = false;
    be->want_write = false;
    qemu_chr_update_watches(be);
    /* Output that was refused before may go now: tell the device. */
    if (be->writable) {
        be->writable(be->opaque);
    }
}

void qemu_chr_socket_disconnect(CharBackend *be)
{
    if (be->in_fd < 0) {
        return;
    }
    trace_qemu_chr_socket_disconnect(be->id ? be->id : "", be->in_fd);
    qemu_set_fd_handler(be->in_fd, NULL, NULL, NULL);
    close(be->in_fd);
    be->in_fd = be->out_fd = -1;
    be->want_write = false;
    chr_socket_watch_listen(be, true);
    /*
     * A device held up by the old client's full socket resumes; its
     * output is dropped until the next client.
     */
    qemu_bh_schedule(be->writable_bh);
}

static void chr_socket_writable_bh(void *opaque)
{
    CharBackend *be = opaque;

    if (be->writable) {
        be->writable(be->opaque);
    }
}

bool qemu_chr_socket_open(CharBackend *be, const char *path, Error **errp)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct stat st;
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        error_setg(errp, "chardev: socket path %s is too long", path);
        return false;
    }
    strcpy(addr.sun_path, path);
    /* A socket left by an earlier run would make bind() fail. */
    if (!lstat(path, &st) && S_ISSOCK(st.st_mode)) {
        unlink(path);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "chardev: socket");
        return false;
    }
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(fd, 1) < 0) {
        error_setg_errno(errp, errno, "chardev: listening on %s", path);
        close(fd);
        return false;
    }
    be->listen_fd = fd;
    be->sock_path = g_strdup(path);
    be->is_socket = true;
    be->writable_bh = qemu_bh_new(chr_socket_writable_bh, be);
    chr_socket_watch_listen(be, true);
    return true;
}

void qemu_chr_socket_close(CharBackend *be)
{
    if (be->in_fd >= 0) {
        qemu_set_fd_handler(be->in_fd, NULL, NULL, NULL);
        close(be->in_fd);
        be->in_fd = be->out_fd = -1;
    }
    if (be->listen_fd >= 0) {
        qemu_set_fd_handler(be->listen_fd, NULL, NULL, NULL);
        close(be->listen_fd);
        be->listen_fd = -1;
        unlink(be->sock_path);
    }
    if (be->writable_bh) {
        qemu_bh_delete(be->writable_bh);
        be->writable_bh = NULL;
    }
    g_free(be->sock_path);
    be->sock_path = NULL;
}
