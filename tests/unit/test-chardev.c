/*
 * Tests of the character backends: -chardev spec parsing and the id
 * registry, non-blocking output with the writable callback (flow
 * control), input limited by can_read (back-pressure on the fd), files,
 * and a real Unix socket server with clients coming and going.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "qemu/main-loop.h"
#include "chardev/char.h"

typedef struct Dev {
    size_t room;                /* what can_read() says */
    GByteArray *got;
    unsigned reads;
    unsigned writables;
} Dev;

static size_t dev_can_read(void *opaque)
{
    return ((Dev *)opaque)->room;
}

static void dev_read(void *opaque, const uint8_t *buf, size_t len)
{
    Dev *d = opaque;

    g_assert_cmpuint(len, <=, d->room);
    g_byte_array_append(d->got, buf, len);
    d->reads++;
}

/* Set around qemu_chr_write(): a device must not be re-entered from it. */
static bool in_write;

static void dev_writable(void *opaque)
{
    g_assert_false(in_write);
    ((Dev *)opaque)->writables++;
}

static size_t chr_write(CharBackend *be, const void *buf, size_t len)
{
    size_t n;

    in_write = true;
    n = qemu_chr_write(be, buf, len);
    in_write = false;
    return n;
}

static void dev_init(Dev *d, size_t room)
{
    memset(d, 0, sizeof(*d));
    d->room = room;
    d->got = g_byte_array_new();
}

/* Run the main loop until nothing more is ready. */
static void run_loop(void)
{
    for (int i = 0; i < 50; i++) {
        while (main_loop_wait(true)) {
        }
        g_usleep(1000);
    }
}

static void test_parse(void)
{
    static const char *const bad[] = {
        "", "bogus", "file", "file,path=", "socket,path=/tmp/x",
        "socket,path=/tmp/x,server=on,wait=on", "null,path=/x",
        "null,nokey", "stdio,id=", "socket,path=/tmp/x,server=maybe",
    };
    Error *err = NULL;
    CharBackend *a, *b;

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_assert_null(qemu_chr_new(bad[i], &err));
        g_assert_nonnull(err);
        error_free(err);
        err = NULL;
    }
    a = qemu_chr_new("null,id=con0", &error_abort);
    g_assert_true(qemu_chr_find("con0") == a);
    g_assert_cmpstr(qemu_chr_id(a), ==, "con0");
    g_assert_null(qemu_chr_new("null,id=con0", &err));
    error_free_or_abort(&err);
    g_assert_cmpuint(qemu_chr_write(a, "abc", 3), ==, 3);
    qemu_chr_free(a);
    g_assert_null(qemu_chr_find("con0"));
    b = qemu_chr_new("null,id=con0", &error_abort);
    qemu_chr_free(b);
}

static void test_output_flow_control(void)
{
    int sv[2];
    CharBackend *be;
    Dev d;
    char buf[65536];
    size_t total = 0, n;
    int sndbuf = 4096;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    be = qemu_chr_new_fds(NULL, sv[0], sv[0], &error_abort);
    dev_init(&d, 0);
    qemu_chr_set_handlers(be, dev_can_read, dev_read, dev_writable, &d);

    memset(buf, 'x', sizeof(buf));
    /* Fill the socket: a write eventually takes less than offered. */
    do {
        n = qemu_chr_write(be, buf, sizeof(buf));
        total += n;
    } while (n == sizeof(buf));
    g_assert_cmpuint(n, <, sizeof(buf));
    /* Still full: nothing more is taken, and no callback yet. */
    g_assert_cmpuint(qemu_chr_write(be, buf, sizeof(buf)), ==, 0);
    run_loop();
    g_assert_cmpuint(d.writables, ==, 0);

    /* The reader drains: the device hears there is room again. */
    while (total) {
        ssize_t r = read(sv[1], buf, sizeof(buf));

        g_assert_cmpint(r, >, 0);
        total -= r;
    }
    run_loop();
    g_assert_cmpuint(d.writables, ==, 1);
    g_assert_cmpuint(qemu_chr_write(be, "hi", 2), ==, 2);
    g_assert_cmpint(read(sv[1], buf, sizeof(buf)), ==, 2);

    qemu_chr_free(be);
    close(sv[1]);
    g_byte_array_unref(d.got);
}

static int pending_bytes(int fd)
{
    int n = 0;

    g_assert_cmpint(ioctl(fd, FIONREAD, &n), ==, 0);
    return n;
}

static void test_input_backpressure(void)
{
    int sv[2];
    CharBackend *be;
    Dev d;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    be = qemu_chr_new_fds("in", sv[0], sv[0], &error_abort);
    dev_init(&d, 3);
    qemu_chr_set_handlers(be, dev_can_read, dev_read, dev_writable, &d);

    g_assert_cmpint(write(sv[1], "0123456789", 10), ==, 10);
    /* Three bytes at a time, never more than can_read() allowed. */
    g_assert_true(main_loop_wait(true));
    g_assert_cmpuint(d.got->len, ==, 3);
    d.room = 0;
    run_loop();
    g_assert_cmpuint(d.got->len, ==, 3);
    /* The rest stays in the fd: the host's writer is held up. */
    g_assert_cmpint(pending_bytes(sv[0]), ==, 7);

    d.room = 100;
    run_loop();
    g_assert_cmpuint(d.got->len, ==, 3);    /* not told yet: still parked */
    qemu_chr_accept_input(be);
    run_loop();
    g_assert_cmpuint(d.got->len, ==, 10);
    g_assert_cmpmem(d.got->data, 10, "0123456789", 10);

    qemu_chr_free(be);
    close(sv[1]);
    g_byte_array_unref(d.got);
}

static void test_pipes_eof(void)
{
    int in[2], out[2];
    CharBackend *be;
    Dev d;
    char buf[16];

    g_assert_cmpint(pipe(in), ==, 0);
    g_assert_cmpint(pipe(out), ==, 0);
    be = qemu_chr_new_fds(NULL, in[0], out[1], &error_abort);
    dev_init(&d, 64);
    qemu_chr_set_handlers(be, dev_can_read, dev_read, dev_writable, &d);
    g_assert_cmpint(write(in[1], "ab", 2), ==, 2);
    close(in[1]);
    run_loop();
    g_assert_cmpuint(d.got->len, ==, 2);
    /* Input ended; output still works. */
    g_assert_cmpuint(qemu_chr_write(be, "out", 3), ==, 3);
    g_assert_cmpint(read(out[0], buf, sizeof(buf)), ==, 3);
    qemu_chr_free(be);
    close(out[0]);
    g_byte_array_unref(d.got);
}

static void test_file(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-chardev-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "out.log", NULL);
    g_autofree char *spec = g_strdup_printf("file,id=f,path=%s", path);
    g_autofree char *content = NULL;
    CharBackend *be = qemu_chr_new(spec, &error_abort);
    gsize len;

    g_assert_cmpuint(qemu_chr_write(be, "hello\n", 6), ==, 6);
    qemu_chr_free(be);
    g_assert_true(g_file_get_contents(path, &content, &len, NULL));
    g_assert_cmpmem(content, len, "hello\n", 6);
    unlink(path);
    rmdir(dir);
}

/* pipe,path=P: QEMU's FIFO pair P.in and P.out, both ways. */
static void test_fifo_pair(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-chardev-XXXXXX", NULL);
    g_autofree char *base = g_build_filename(dir, "con", NULL);
    g_autofree char *in = g_strconcat(base, ".in", NULL);
    g_autofree char *out = g_strconcat(base, ".out", NULL);
    g_autofree char *spec = g_strdup_printf("pipe,id=p,path=%s", base);
    g_autoptr(Error) err = NULL;
    CharBackend *be;
    char buf[16];
    int wfd, rfd;
    Dev d;

    /* Missing FIFOs: a clear error. */
    g_assert_null(qemu_chr_new(spec, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), in));
    g_assert_cmpint(mkfifo(in, 0600), ==, 0);
    g_assert_cmpint(mkfifo(out, 0600), ==, 0);
    /* Opening does not wait for the host's ends. */
    be = qemu_chr_new(spec, &error_abort);
    dev_init(&d, 64);
    qemu_chr_set_handlers(be, dev_can_read, dev_read, dev_writable, &d);
    wfd = open(in, O_WRONLY | O_NONBLOCK);
    rfd = open(out, O_RDONLY | O_NONBLOCK);
    g_assert_cmpint(wfd, >=, 0);
    g_assert_cmpint(rfd, >=, 0);
    g_assert_cmpint(write(wfd, "ping\n", 5), ==, 5);
    /* The host's writer going away is not the end of input. */
    close(wfd);
    run_loop();
    g_assert_cmpmem(d.got->data, d.got->len, "ping\n", 5);
    g_assert_cmpuint(qemu_chr_write(be, "pong\n", 5), ==, 5);
    g_assert_cmpint(read(rfd, buf, sizeof(buf)), ==, 5);
    g_assert_cmpmem(buf, 5, "pong\n", 5);
    qemu_chr_free(be);
    close(rfd);
    unlink(in);
    unlink(out);
    rmdir(dir);
    g_byte_array_unref(d.got);
}

static int connect_unix(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    strcpy(addr.sun_path, path);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)),
                    ==, 0);
    return fd;
}

static void test_socket_server(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-chardev-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "con.sock", NULL);
    g_autofree char *spec =
        g_strdup_printf("socket,id=s,path=%s,server=on,wait=off", path);
    CharBackend *be = qemu_chr_new(spec, &error_abort);
    Dev d;
    char buf[64];
    int c1, c2;

    dev_init(&d, 64);
    qemu_chr_set_handlers(be, dev_can_read, dev_read, dev_writable, &d);
    g_assert_false(qemu_chr_connected(be));
    /* No client: output is dropped, and counts as taken. */
    g_assert_cmpuint(qemu_chr_write(be, "lost", 4), ==, 4);

    c1 = connect_unix(path);
    run_loop();
    g_assert_true(qemu_chr_connected(be));
    g_assert_cmpuint(d.writables, ==, 1);
    g_assert_cmpuint(qemu_chr_write(be, "one", 3), ==, 3);
    g_assert_cmpint(read(c1, buf, sizeof(buf)), ==, 3);
    g_assert_cmpmem(buf, 3, "one", 3);
    g_assert_cmpint(write(c1, "in1", 3), ==, 3);
    run_loop();
    g_assert_cmpmem(d.got->data, d.got->len, "in1", 3);

    /* A second client waits until the first goes. */
    c2 = connect_unix(path);
    g_assert_cmpint(write(c2, "in2", 3), ==, 3);
    run_loop();
    g_assert_cmpuint(d.got->len, ==, 3);
    close(c1);
    run_loop();
    g_assert_true(qemu_chr_connected(be));
    g_assert_cmpmem(d.got->data, d.got->len, "in1in2", 6);
    g_assert_cmpuint(qemu_chr_write(be, "two", 3), ==, 3);
    g_assert_cmpint(read(c2, buf, sizeof(buf)), ==, 3);
    g_assert_cmpmem(buf, 3, "two", 3);

    /*
     * The client goes while we write (EPIPE, found by the write itself):
     * the rest is dropped, no SIGPIPE, and the device is not called
     * back from inside its own write.
     */
    shutdown(c2, SHUT_RD);
    g_assert_cmpuint(chr_write(be, "y", 1), ==, 1);
    close(c2);
    g_assert_cmpuint(chr_write(be, "x", 1), ==, 1);
    g_assert_cmpuint(chr_write(be, "x", 1), ==, 1);
    run_loop();
    g_assert_false(qemu_chr_connected(be));
    g_assert_cmpuint(chr_write(be, "x", 1), ==, 1);

    qemu_chr_free(be);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    rmdir(dir);
    g_byte_array_unref(d.got);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/chardev/parse", test_parse);
    g_test_add_func("/chardev/output-flow-control", test_output_flow_control);
    g_test_add_func("/chardev/input-backpressure", test_input_backpressure);
    g_test_add_func("/chardev/pipes-eof", test_pipes_eof);
    g_test_add_func("/chardev/file", test_file);
    g_test_add_func("/chardev/fifo-pair", test_fifo_pair);
    g_test_add_func("/chardev/socket-server", test_socket_server);
    return g_test_run();
}
