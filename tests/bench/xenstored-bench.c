/*
 * Benchmark of the socket transport: libxenstore round trips per second
 * against the qemu-xenstored server code, and a bare socket ping-pong of
 * the same sizes between the same two processes.  Prints JSON lines.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
/* libxenstore first: its enums and our permission macros share names. */
#include <xenstore.h>
#include "qemu/osdep.h"
#include <signal.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <glib-unix.h>
#include "qemu/main-loop.h"
#include "xs-socket-server.h"

/*
 * The client process reads (xs_read of a 32-byte node) and writes
 * (xs_write of one); the server process runs the real socket server and,
 * on a thread, a bare echo: the physical limit.  A third client makes
 * the bare ping-pong with the system calls libxenstore makes per
 * request, which shows how much of the gap is the client's own.  Phases
 * alternate so machine load hits all alike.
 *
 * usage: xenstored-bench [--seconds S] [--rounds R]
 *   S: seconds per phase (default 0.5), R: rounds of each (default 5)
 */
#define NODE "/bench/value"
#define VALUE_LEN 32

typedef struct BenchOp {
    const char *name;
    uint32_t type;              /* XS_READ or XS_WRITE */
    size_t req_len;             /* header + payload, as libxenstore sends */
    size_t rsp_len;             /* header + payload of the reply */
} BenchOp;

static const BenchOp ops[] = {
    { "read", XS_READ, 16 + sizeof(NODE), 16 + VALUE_LEN },
    { "write", XS_WRITE, 16 + sizeof(NODE) + VALUE_LEN, 16 + 3 },
};

static const char value[VALUE_LEN + 1] = "0123456789abcdef0123456789abcdef";

/* ---- the server process ---- */

/*
 * The bare half of the ping-pong: for each request (a header with its
 * payload, arriving whole or in pieces) one reply of the real size, in
 * one write.  Blocking calls only: nothing between the bytes and the
 * kernel.
 */
static gpointer echo_thread(gpointer opaque)
{
    int fd = GPOINTER_TO_INT(opaque);
    uint8_t in[XENSTORE_PAYLOAD_MAX + 16], out[16 + VALUE_LEN];
    size_t have = 0;

    memset(out, 'r', sizeof(out));
    for (;;) {
        struct xsd_sockmsg hdr;
        ssize_t n = read(fd, in + have, sizeof(in) - have);

        if (n <= 0) {
            return NULL;
        }
        have += n;
        while (have >= sizeof(hdr)) {
            size_t whole, rsp;

            memcpy(&hdr, in, sizeof(hdr));
            whole = sizeof(hdr) + hdr.len;
            if (have < whole) {
                break;
            }
            rsp = hdr.type == XS_READ ? 16 + VALUE_LEN : 16 + 3;
            memcpy(out, &hdr, sizeof(hdr));
            if (write(fd, out, rsp) != (ssize_t)rsp) {
                return NULL;
            }
            have -= whole;
            memmove(in, in + whole, have);
        }
    }
}

static gboolean on_term(gpointer opaque)
{
    *(bool *)opaque = true;
    return G_SOURCE_CONTINUE;
}

/* The server side: the real socket server on its main loop. */
static int server_main(const char *socket_path, int echo_fd, int ready_fd)
{
    XenstoreImplState *store = xs_impl_create(1);
    XsSocketServer *srv;
    GThread *echo;
    bool quit = false;
    guint sig;

    srv = xs_socket_server_new(store, socket_path, &error_fatal);
    sig = g_unix_signal_add(SIGTERM, on_term, &quit);
    echo = g_thread_new("echo", echo_thread, GINT_TO_POINTER(echo_fd));
    if (write(ready_fd, "r", 1) != 1) {
        return 1;
    }
    close(ready_fd);
    while (!quit) {
        main_loop_wait(false);
    }
    g_source_remove(sig);
    /* The client closed its end first, so the echo thread has ended. */
    g_thread_join(echo);
    close(echo_fd);
    xs_socket_server_free(srv);
    xs_impl_destroy(store);
    return 0;
}

/* ---- the client process ---- */

typedef struct Phase {
    uint64_t round_trips;
    double seconds;
} Phase;

static double now(void)
{
    return g_get_monotonic_time() / 1e6;
}

static bool read_exact(int fd, void *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t n = read(fd, (char *)buf + got, len - got);

        if (n <= 0) {
            return false;
        }
        got += n;
    }
    return true;
}

/*
 * What libxenstore does around one request: SIGPIPE ignored and restored,
 * header and payload written, then read, each with its own call.
 */
static bool libxenstore_like_round_trip(int fd, const uint8_t *req,
                                        const BenchOp *op, uint8_t *rsp)
{
    struct sigaction ign = { .sa_handler = SIG_IGN }, old;
    bool ok;

    sigaction(SIGPIPE, &ign, &old);
    ok = write(fd, req, 16) == 16 &&
         write(fd, req + 16, op->req_len - 16) ==
             (ssize_t)(op->req_len - 16) &&
         read_exact(fd, rsp, 16) && read_exact(fd, rsp + 16, op->rsp_len - 16);
    sigaction(SIGPIPE, &old, NULL);
    return ok;
}

static bool bare_phase(int fd, const BenchOp *op, bool libxenstore_like,
                       double secs, Phase *p)
{
    uint8_t req[16 + sizeof(NODE) + VALUE_LEN], rsp[16 + VALUE_LEN];
    struct xsd_sockmsg hdr = { .type = op->type, .len = op->req_len - 16 };
    double start = now(), end = start + secs, t = start;

    memset(req, 'q', sizeof(req));
    memcpy(req, &hdr, sizeof(hdr));
    while (t < end) {
        /* Check the clock only now and then: it is not free either. */
        for (int i = 0; i < 64; i++) {
            if (libxenstore_like) {
                if (!libxenstore_like_round_trip(fd, req, op, rsp)) {
                    return false;
                }
            } else if (write(fd, req, op->req_len) != (ssize_t)op->req_len ||
                       !read_exact(fd, rsp, op->rsp_len)) {
                return false;
            }
        }
        p->round_trips += 64;
        t = now();
    }
    p->seconds += t - start;
    return true;
}

static bool xs_phase(struct xs_handle *h, const BenchOp *op, double secs,
                     Phase *p)
{
    double start = now(), end = start + secs, t = start;
    unsigned int len;

    while (t < end) {
        for (int i = 0; i < 64; i++) {
            if (op->type == XS_READ) {
                char *v = xs_read(h, XBT_NULL, NODE, &len);

                if (!v || len != VALUE_LEN) {
                    return false;
                }
                free(v);
            } else if (!xs_write(h, XBT_NULL, NODE, value, VALUE_LEN)) {
                return false;
            }
        }
        p->round_trips += 64;
        t = now();
    }
    p->seconds += t - start;
    return true;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static void print_rate(const char *op, const char *client, const Phase *p)
{
    printf("{\"bench\":\"xenstored\",\"op\":\"%s\",\"client\":\"%s\","
           "\"value_bytes\":%d,\"round_trips\":%" PRIu64 ",\"seconds\":%.3f,"
           "\"per_second\":%.0f}\n", op, client, VALUE_LEN, p->round_trips,
           p->seconds, p->round_trips / p->seconds);
}

static int client_main(int echo_fd, double secs, int rounds)
{
    struct xs_handle *h = xs_open(0);
    int failures = 0;

    if (!h || !xs_write(h, XBT_NULL, NODE, value, VALUE_LEN)) {
        fprintf(stderr, "xenstored-bench: cannot reach the server\n");
        return 1;
    }
    for (size_t k = 0; k < ARRAY_SIZE(ops); k++) {
        const BenchOp *op = &ops[k];
        Phase bare = { 0 }, like = { 0 }, xs = { 0 };
        g_autofree double *ratios = g_new(double, rounds);
        g_autofree double *like_ratios = g_new(double, rounds);

        for (int r = 0; r < rounds; r++) {
            Phase b = { 0 }, l = { 0 }, x = { 0 };

            if (!bare_phase(echo_fd, op, false, secs, &b) ||
                !xs_phase(h, op, secs, &x) ||
                !bare_phase(echo_fd, op, true, secs, &l)) {
                fprintf(stderr, "xenstored-bench: %s failed\n", op->name);
                return 1;
            }
            ratios[r] = (x.round_trips / x.seconds) /
                        (b.round_trips / b.seconds);
            like_ratios[r] = (x.round_trips / x.seconds) /
                             (l.round_trips / l.seconds);
            bare.round_trips += b.round_trips;
            bare.seconds += b.seconds;
            like.round_trips += l.round_trips;
            like.seconds += l.seconds;
            xs.round_trips += x.round_trips;
            xs.seconds += x.seconds;
        }
        qsort(ratios, rounds, sizeof(ratios[0]), compare_double);
        qsort(like_ratios, rounds, sizeof(like_ratios[0]), compare_double);
        print_rate(op->name, "bare-socket", &bare);
        print_rate(op->name, "bare-socket-libxenstore-syscalls", &like);
        print_rate(op->name, "libxenstore", &xs);
        /* The median round: a burst of load elsewhere skews one only. */
        printf("{\"bench\":\"xenstored\",\"op\":\"%s\",\"ratio_to_bare\":"
               "%.3f,\"ratio_min\":%.3f,\"ratio_max\":%.3f,\"rounds\":%d",
               op->name, ratios[rounds / 2], ratios[0], ratios[rounds - 1],
               rounds);
        printf(",\"ratio_to_libxenstore_syscalls\":%.3f",
               like_ratios[rounds / 2]);
        if (op->type == XS_READ) {
            printf(",\"target\":0.6,\"target_met\":%s",
                   ratios[rounds / 2] >= 0.6 ? "true" : "false");
        }
        printf("}\n");
        fflush(stdout);
    }
    xs_close(h);
    return failures;
}

int main(int argc, char **argv)
{
    double secs = 0.5;
    int rounds = 5, pair[2], ready[2], status, ret;
    g_autofree char *dir = g_dir_make_tmp("xenstored-bench-XXXXXX", NULL);
    g_autofree char *socket_path = NULL;
    char c;
    pid_t pid;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
            secs = g_ascii_strtod(argv[++i], NULL);
        } else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
            rounds = atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: xenstored-bench [--seconds S] "
                    "[--rounds R]\n");
            return 2;
        }
    }
    if (!dir || secs <= 0 || rounds < 1 || rounds > 1000) {
        fprintf(stderr, "xenstored-bench: bad arguments\n");
        return 2;
    }
    socket_path = g_build_filename(dir, "socket", NULL);
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0 ||
        pipe(ready) < 0) {
        perror("xenstored-bench");
        return 1;
    }
    /* Before any thread or main loop exists in this process. */
    pid = fork();
    if (pid < 0) {
        perror("xenstored-bench: fork");
        return 1;
    }
    if (pid == 0) {
        close(pair[0]);
        close(ready[0]);
        _exit(server_main(socket_path, pair[1], ready[1]));
    }
    close(pair[1]);
    close(ready[1]);
    if (read(ready[0], &c, 1) != 1) {
        fprintf(stderr, "xenstored-bench: the server did not start\n");
        return 1;
    }
    close(ready[0]);
    g_setenv("XENSTORED_PATH", socket_path, true);
    ret = client_main(pair[0], secs, rounds);
    close(pair[0]);
    kill(pid, SIGTERM);
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status)) {
        fprintf(stderr, "xenstored-bench: the server failed\n");
        ret = 1;
    }
    rmdir(dir);
    return ret;
}
