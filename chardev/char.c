/*
 * Character backends: -chardev spec parsing, the id registry, and the
 * non-blocking fd I/O every kind uses, with flow control both ways.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include <sys/socket.h>
#include "qemu/main-loop.h"
#include "chardev/char-int.h"
#include "trace.h"

/* Input is read in pieces of at most this much (bounded stack use). */
#define CHR_READ_CHUNK 4096

static GHashTable *chr_registry;

CharBackend *qemu_chr_find(const char *id)
{
    return chr_registry && id ? g_hash_table_lookup(chr_registry, id) : NULL;
}

const char *qemu_chr_id(CharBackend *be)
{
    return be->id;
}

bool qemu_chr_connected(CharBackend *be)
{
    return be->listen_fd < 0 || be->in_fd >= 0;
}

static int set_nonblock(int fd)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags >= 0 && !(flags & O_NONBLOCK)) {
        fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    }
    return flags;
}

static void chr_fd_read(void *opaque);
static void chr_fd_write(void *opaque);

void qemu_chr_update_watches(CharBackend *be)
{
    bool rd = be->in_fd >= 0 && be->read && !be->input_blocked;
    bool wr = be->out_fd >= 0 && be->want_write;

    if (be->in_fd >= 0 && be->in_fd == be->out_fd) {
        qemu_set_fd_handler(be->in_fd, rd ? chr_fd_read : NULL,
                            wr ? chr_fd_write : NULL, be);
        return;
    }
    if (be->in_fd >= 0) {
        qemu_set_fd_handler(be->in_fd, rd ? chr_fd_read : NULL, NULL, be);
    }
    if (be->out_fd >= 0) {
        qemu_set_fd_handler(be->out_fd, NULL, wr ? chr_fd_write : NULL, be);
    }
}

/* Input ended (EOF or error) on a non-socket: stop reading it. */
static void chr_input_ended(CharBackend *be)
{
    if (be->is_socket) {
        qemu_chr_socket_disconnect(be);
        return;
    }
    qemu_set_fd_handler(be->in_fd, NULL, NULL, NULL);
    if (be->in_fd != be->out_fd) {
        if (be->own_fds) {
            close(be->in_fd);
        }
    }
    be->in_fd = -1;
    qemu_chr_update_watches(be);
}

static void chr_fd_read(void *opaque)
{
    CharBackend *be = opaque;
    uint8_t buf[CHR_READ_CHUNK];
    size_t room = be->can_read ? be->can_read(be->opaque) : sizeof(buf);
    ssize_t n;

    if (!room) {
        /* Leave the bytes in the fd: the writer is held up, not us. */
        be->input_blocked = true;
        qemu_chr_update_watches(be);
        return;
    }
    n = read(be->in_fd, buf, MIN(room, sizeof(buf)));
    if (n > 0) {
        be->read(be->opaque, buf, n);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        trace_qemu_chr_input_end(be->id ? be->id : "", n ? errno : 0);
        chr_input_ended(be);
    }
}

static void chr_fd_write(void *opaque)
{
    CharBackend *be = opaque;

    be->want_write = false;
    qemu_chr_update_watches(be);
    if (be->writable) {
        be->writable(be->opaque);
    }
}

size_t qemu_chr_write(CharBackend *be, const void *buf, size_t len)
{
    size_t done = 0;

    if (be->out_fd < 0) {
        return len;             /* null, or a socket without a client */
    }
    while (done < len) {
        ssize_t n;

        if (be->is_socket) {
            /* MSG_NOSIGNAL: a client gone away is EPIPE, not SIGPIPE. */
            n = send(be->out_fd, (const char *)buf + done, len - done,
                     MSG_NOSIGNAL);
        } else {
            n = write(be->out_fd, (const char *)buf + done, len - done);
        }
        if (n > 0) {
            done += n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && errno == EAGAIN) {
            if (!be->want_write) {
                be->want_write = true;
                qemu_chr_update_watches(be);
            }
            return done;
        } else {
            /* The host end is broken: what it cannot take is dropped. */
            trace_qemu_chr_output_error(be->id ? be->id : "", n < 0 ? errno : 0);
            if (be->is_socket) {
                qemu_chr_socket_disconnect(be);
            }
            return len;
        }
    }
    return done;
}

void qemu_chr_set_handlers(CharBackend *be, CharCanReadFn *can_read,
                           CharReadFn *read, CharWritableFn *writable,
                           void *opaque)
{
    be->can_read = can_read;
    be->read = read;
    be->writable = writable;
    be->opaque = opaque;
    be->input_blocked = false;
    qemu_chr_update_watches(be);
}

void qemu_chr_accept_input(CharBackend *be)
{
    if (be->input_blocked) {
        be->input_blocked = false;
        qemu_chr_update_watches(be);
    }
}

static CharBackend *chr_alloc(const char *id, Error **errp)
{
    CharBackend *be;

    if (id && !*id) {
        error_setg(errp, "chardev: empty id");
        return NULL;
    }
    if (qemu_chr_find(id)) {
        error_setg(errp, "chardev: id '%s' is already in use", id);
        return NULL;
    }
    be = g_new0(CharBackend, 1);
    be->id = g_strdup(id);
    be->in_fd = be->out_fd = be->listen_fd = -1;
    be->in_flags = be->out_flags = -1;
    return be;
}

static void chr_register(CharBackend *be)
{
    if (!be->id) {
        return;
    }
    if (!chr_registry) {
        chr_registry = g_hash_table_new(g_str_hash, g_str_equal);
    }
    g_hash_table_insert(chr_registry, be->id, be);
}

CharBackend *qemu_chr_new_fds(const char *id, int in_fd, int out_fd,
                              Error **errp)
{
    CharBackend *be = chr_alloc(id, errp);

    if (!be) {
        return NULL;
    }
    be->own_fds = true;
    be->in_fd = in_fd;
    be->out_fd = out_fd;
    if (in_fd >= 0) {
        set_nonblock(in_fd);
    }
    if (out_fd >= 0) {
        set_nonblock(out_fd);
    }
    chr_register(be);
    return be;
}

/* "on"/"off" (and QEMU's older yes/no/true/false) */
static bool parse_bool(const char *key, const char *val, bool *out,
                       Error **errp)
{
    if (!g_strcmp0(val, "on") || !g_strcmp0(val, "yes") ||
        !g_strcmp0(val, "true")) {
        *out = true;
    } else if (!g_strcmp0(val, "off") || !g_strcmp0(val, "no") ||
               !g_strcmp0(val, "false")) {
        *out = false;
    } else {
        error_setg(errp, "chardev: %s=%s is not on or off", key, val);
        return false;
    }
    return true;
}

CharBackend *qemu_chr_new(const char *spec, Error **errp)
{
    g_auto(GStrv) parts = g_strsplit(spec ? spec : "", ",", -1);
    const char *type = parts[0], *id = NULL, *path = NULL;
    bool server = false, wait = true, have_wait = false;
    CharBackend *be;

    if (!type || !*type) {
        error_setg(errp, "chardev: no backend type");
        return NULL;
    }
    for (int i = 1; parts[i]; i++) {
        char *eq = strchr(parts[i], '=');
        const char *val;

        if (!eq) {
            error_setg(errp, "chardev: '%s' is not key=value", parts[i]);
            return NULL;
        }
        *eq = '\0';
        val = eq + 1;
        if (!strcmp(parts[i], "id")) {
            id = val;
        } else if (!strcmp(parts[i], "path") &&
                   (!strcmp(type, "file") || !strcmp(type, "socket") ||
                    !strcmp(type, "pipe"))) {
            path = val;
        } else if (!strcmp(parts[i], "server") && !strcmp(type, "socket")) {
            if (!parse_bool("server", val, &server, errp)) {
                return NULL;
            }
        } else if (!strcmp(parts[i], "wait") && !strcmp(type, "socket")) {
            if (!parse_bool("wait", val, &wait, errp)) {
                return NULL;
            }
            have_wait = true;
        } else {
            error_setg(errp, "chardev: %s does not take '%s'", type, parts[i]);
            return NULL;
        }
    }

    if (!strcmp(type, "null")) {
        be = chr_alloc(id, errp);
    } else if (!strcmp(type, "stdio")) {
        be = chr_alloc(id, errp);
        if (be) {
            be->in_fd = STDIN_FILENO;
            be->out_fd = STDOUT_FILENO;
            be->in_flags = set_nonblock(STDIN_FILENO);
            be->out_flags = set_nonblock(STDOUT_FILENO);
        }
    } else if (!strcmp(type, "file")) {
        int fd;

        if (!path || !*path) {
            error_setg(errp, "chardev: file needs path=");
            return NULL;
        }
        be = chr_alloc(id, errp);
        if (!be) {
            return NULL;
        }
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_NONBLOCK |
                  O_CLOEXEC, 0666);
        if (fd < 0) {
            error_setg_errno(errp, errno, "chardev: opening %s", path);
            qemu_chr_free(be);
            return NULL;
        }
        be->out_fd = fd;
        be->own_fds = true;
    } else if (!strcmp(type, "pipe")) {
        /*
         * QEMU's pipe: input from PATH.in, output to PATH.out, two FIFOs
         * (or files) the host made.  Opened read-write so that neither
         * open waits for the other end, and a writer that goes away is
         * not end of input.
         */
        g_autofree char *in = NULL, *out = NULL;

        if (!path || !*path) {
            error_setg(errp, "chardev: pipe needs path=");
            return NULL;
        }
        in = g_strconcat(path, ".in", NULL);
        out = g_strconcat(path, ".out", NULL);
        be = chr_alloc(id, errp);
        if (!be) {
            return NULL;
        }
        be->own_fds = true;
        be->in_fd = open(in, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        be->out_fd = be->in_fd < 0 ? -1 :
                     open(out, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (be->out_fd < 0) {
            error_setg_errno(errp, errno, "chardev: opening %s",
                             be->in_fd < 0 ? in : out);
            qemu_chr_free(be);
            return NULL;
        }
    } else if (!strcmp(type, "socket")) {
        if (!path || !*path || !server) {
            error_setg(errp, "chardev: socket needs path= and server=on "
                       "(only a Unix socket server is supported)");
            return NULL;
        }
        if (have_wait && wait) {
            error_setg(errp, "chardev: socket wait=on is not supported "
                       "(use wait=off)");
            return NULL;
        }
        be = chr_alloc(id, errp);
        if (be && !qemu_chr_socket_open(be, path, errp)) {
            qemu_chr_free(be);
            return NULL;
        }
    } else {
        error_setg(errp, "chardev: unsupported backend '%s'", type);
        return NULL;
    }
    if (be) {
        chr_register(be);
        trace_qemu_chr_new(be->id ? be->id : "", type);
    }
    return be;
}

void qemu_chr_free(CharBackend *be)
{
    if (!be) {
        return;
    }
    if (be->id && qemu_chr_find(be->id) == be) {
        g_hash_table_remove(chr_registry, be->id);
    }
    if (be->in_fd >= 0) {
        qemu_set_fd_handler(be->in_fd, NULL, NULL, NULL);
    }
    if (be->out_fd >= 0) {
        qemu_set_fd_handler(be->out_fd, NULL, NULL, NULL);
    }
    if (be->is_socket || be->listen_fd >= 0) {
        qemu_chr_socket_close(be);
    } else if (be->own_fds) {
        if (be->in_fd >= 0) {
            close(be->in_fd);
        }
        if (be->out_fd >= 0 && be->out_fd != be->in_fd) {
            close(be->out_fd);
        }
    } else {
        /* stdio: give the terminal back as we found it */
        if (be->in_fd >= 0 && be->in_flags >= 0) {
            fcntl(be->in_fd, F_SETFL, be->in_flags);
        }
        if (be->out_fd >= 0 && be->out_flags >= 0) {
            fcntl(be->out_fd, F_SETFL, be->out_flags);
        }
    }
    g_free(be->id);
    g_free(be);
}
