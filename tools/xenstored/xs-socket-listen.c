/*
 * The listening Unix socket of qemu-xenstored: every client is the
 * privileged domain, so the file must never be reachable by other users,
 * not even for an instant, and must not steal another server's path.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include "xs-socket-listen.h"
#include "trace.h"

static bool fill_addr(struct sockaddr_un *addr, const char *path,
                      Error **errp)
{
    size_t len = strlen(path);

    memset(addr, 0, sizeof(*addr));
    addr->sun_family = AF_UNIX;
    if (!len || len >= sizeof(addr->sun_path)) {
        error_setg(errp, "socket path '%s' must have 1 to %zu bytes", path,
                   sizeof(addr->sun_path) - 1);
        return false;
    }
    memcpy(addr->sun_path, path, len);
    return true;
}

/*
 * Does a server accept connections there now?  A refused connection
 * means the file was left behind; a full backlog (EAGAIN on a
 * non-blocking connect) still means someone is listening.
 */
static bool socket_is_live(const struct sockaddr_un *addr)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    bool live;

    if (fd < 0) {
        return true;        /* cannot tell: do not touch it */
    }
    live = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0 ||
           errno == EAGAIN || errno == EINPROGRESS;
    close(fd);
    return live;
}

/* Make room at the path: only a socket nobody answers on may go. */
static bool remove_stale(const struct sockaddr_un *addr, Error **errp)
{
    const char *path = addr->sun_path;
    struct stat st;

    if (lstat(path, &st) < 0) {
        if (errno == ENOENT) {
            return true;
        }
        error_setg_errno(errp, errno, "cannot check socket path %s", path);
        return false;
    }
    if (!S_ISSOCK(st.st_mode)) {
        error_setg(errp, "%s exists and is not a socket; not replacing it",
                   path);
        return false;
    }
    if (socket_is_live(addr)) {
        error_setg(errp, "another server is listening on %s", path);
        return false;
    }
    trace_xenstored_stale_socket(path);
    if (unlink(path) < 0 && errno != ENOENT) {
        error_setg_errno(errp, errno, "cannot remove stale socket %s", path);
        return false;
    }
    return true;
}

XsListenSocket *xs_listen_socket_open(const char *path, Error **errp)
{
    struct sockaddr_un addr;
    struct stat st;
    mode_t old_umask;
    int fd, ret;
    XsListenSocket *ls;

    if (!fill_addr(&addr, path, errp) || !remove_stale(&addr, errp)) {
        return NULL;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot create a Unix socket");
        return NULL;
    }
    /*
     * bind() creates the file with the socket's own mode minus the umask,
     * in one step.  Narrowing both first means the file is 0600 from the
     * moment it appears: no window in which another user could connect
     * and act as domain 0.  (The umask is per process; nothing else runs
     * yet while the server starts.)
     */
    if (fchmod(fd, S_IRUSR | S_IWUSR) < 0) {
        error_setg_errno(errp, errno, "cannot restrict the socket's mode");
        close(fd);
        return NULL;
    }
    old_umask = umask(S_IRWXG | S_IRWXO | S_IXUSR);
    ret = bind(fd, (struct sockaddr *)&addr, sizeof(addr));
    umask(old_umask);
    if (ret < 0) {
        /* EADDRINUSE here: another server took the path meanwhile. */
        error_setg_errno(errp, errno, "cannot bind %s", path);
        close(fd);
        return NULL;
    }
    if (stat(path, &st) < 0 || listen(fd, SOMAXCONN) < 0) {
        error_setg_errno(errp, errno, "cannot listen on %s", path);
        unlink(path);
        close(fd);
        return NULL;
    }
    ls = g_new0(XsListenSocket, 1);
    ls->fd = fd;
    ls->path = g_strdup(path);
    ls->dev = st.st_dev;
    ls->ino = st.st_ino;
    trace_xenstored_listen(path, fd);
    return ls;
}

void xs_listen_socket_close(XsListenSocket *ls)
{
    struct stat st;

    if (!ls) {
        return;
    }
    close(ls->fd);
    /* Another server may have replaced a file we lost: leave that one. */
    if (lstat(ls->path, &st) == 0 && st.st_dev == ls->dev &&
        st.st_ino == ls->ino) {
        unlink(ls->path);
    }
    g_free(ls->path);
    g_free(ls);
}
