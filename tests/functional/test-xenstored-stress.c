/*
 * qemu-xenstored, as its own process, under heavy and hostile use: 100
 * busy clients, clients vanishing mid-message or never reading (VmRSS
 * figures printed), out of fds.  It must stay up and keep answering.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <xenstore.h>
#include <glib.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include "xs-test-socket.h"

#define WAIT_SECONDS 30
#define NR_CLIENTS 100
#define OPS_PER_CLIENT 1000

/* One socket for every test, so libxenstore finds it through the env. */
static XsTestSocket sock;

typedef struct Server {
    GPid pid;
} Server;

static gint64 deadline_from_now(void)
{
    return g_get_monotonic_time() + WAIT_SECONDS * G_USEC_PER_SEC;
}

/* ---- the server process ---- */

static unsigned int nofile_limit;

static void child_setup(gpointer unused)
{
    /* A failed assertion here must not leave the server running. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (nofile_limit) {
        struct rlimit rl = { nofile_limit, nofile_limit };

        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/*
 * Start qemu-xenstored on the test socket, with at most @nofile open
 * files (0: as inherited), tracing the events @trace matches (or none)
 * into @trace_file, and wait for the line it prints once it listens.
 */
static void server_start_traced(Server *s, unsigned int nofile,
                                const char *trace, const char *trace_file)
{
    const char *prog = g_getenv("QEMU_XENSTORED");
    const char *argv[] = { prog, "--socket", sock.path,
                           trace ? "--trace" : NULL, trace, NULL };
    g_auto(GStrv) envp = g_get_environ();
    const char *asan = g_environ_getenv(envp, "ASAN_OPTIONS");
    g_autofree char *asan_opts = NULL;
    GError *err = NULL;
    char line[4096];
    size_t len = 0;
    gint64 deadline = deadline_from_now();
    int out, err_fd = -1;

    g_assert(prog);
    /*
     * Under AddressSanitizer freed memory waits in a quarantine (256 MiB
     * by default) before reuse, which would hide what the server itself
     * keeps; a small one keeps VmRSS about the server.
     */
    asan_opts = g_strdup_printf("%s%squarantine_size_mb=1", asan ? asan : "",
                                asan ? ":" : "");
    envp = g_environ_setenv(envp, "ASAN_OPTIONS", asan_opts, true);
    if (trace_file) {
        err_fd = open(trace_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                      0600);
        g_assert_cmpint(err_fd, >=, 0);
    }
    nofile_limit = nofile;
    g_assert(g_spawn_async_with_pipes_and_fds(NULL, argv,
                                              (const char *const *)envp,
                                              G_SPAWN_DO_NOT_REAP_CHILD,
                                              child_setup, NULL, -1, -1,
                                              err_fd, NULL, NULL, 0,
                                              &s->pid, NULL, &out, NULL,
                                              &err));
    if (err_fd >= 0) {
        close(err_fd);
    }
    memset(line, 0, sizeof(line));
    while (!memchr(line, '\n', len)) {
        struct pollfd pfd = { .fd = out, .events = POLLIN };
        ssize_t n;

        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        if (poll(&pfd, 1, 100) <= 0) {
            continue;
        }
        n = read(out, line + len, sizeof(line) - 1 - len);
        g_assert_cmpint(n, >, 0);
        len += n;
    }
    close(out);
    g_assert(g_str_has_prefix(line, "XENSTORED_PATH="));
}

static void server_start(Server *s, unsigned int nofile)
{
    server_start_traced(s, nofile, NULL, NULL);
}

static bool server_running(Server *s)
{
    return waitpid(s->pid, NULL, WNOHANG) == 0;
}

/* SIGTERM, and it must exit cleanly (no sanitizer report) in time. */
static void server_stop(Server *s)
{
    gint64 deadline = deadline_from_now();
    int status;

    g_assert_cmpint(kill(s->pid, SIGTERM), ==, 0);
    while (waitpid(s->pid, &status, WNOHANG) == 0) {
        if (g_get_monotonic_time() > deadline) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &status, 0);
            g_assert_not_reached();
        }
        g_usleep(10000);
    }
    g_spawn_close_pid(s->pid);
    g_assert(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    g_assert_false(g_file_test(sock.path, G_FILE_TEST_EXISTS));
}

/* A field of /proc/<pid>/status in kB, e.g. "VmRSS". */
static unsigned long proc_status_kb(GPid pid, const char *field)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", pid);
    g_autofree char *text = NULL;
    g_autofree char *key = g_strdup_printf("\n%s:", field);
    const char *p;

    g_assert(g_file_get_contents(path, &text, NULL, NULL));
    p = strstr(text, key);
    g_assert(p);
    return strtoul(p + strlen(key), NULL, 10);
}

static unsigned int proc_open_fds(GPid pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/fd", pid);
    GDir *dir = g_dir_open(path, 0, NULL);
    unsigned int n = 0;

    g_assert(dir);
    while (g_dir_read_name(dir)) {
        n++;
    }
    g_dir_close(dir);
    return n;
}

/* utime + stime of the process, in clock ticks. */
static unsigned long proc_cpu_ticks(GPid pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", pid);
    g_autofree char *text = NULL;
    unsigned long utime, stime;
    const char *p;

    g_assert(g_file_get_contents(path, &text, NULL, NULL));
    p = strrchr(text, ')');
    g_assert(p);
    /* After ") state": fields 4..13, then utime (14) and stime (15). */
    g_assert_cmpint(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
                           "%*u %*u %lu %lu", &utime, &stime), ==, 2);
    return utime + stime;
}

/* ---- raw sockets ---- */

static int raw_connect(void)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(addr.sun_path, sock.path, sizeof(addr.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==,
                    0);
    return fd;
}

static void raw_send(int fd, const void *data, size_t len)
{
    g_assert_cmpint(send(fd, data, len, MSG_NOSIGNAL), ==, len);
}

/* A whole request message: header and payload in one buffer. */
static GByteArray *raw_request(uint32_t type, const void *payload,
                               size_t len)
{
    GByteArray *b = g_byte_array_new();
    struct xsd_sockmsg hdr = { .type = type, .req_id = 1, .len = len };

    g_byte_array_append(b, (const guint8 *)&hdr, sizeof(hdr));
    g_byte_array_append(b, payload, len);
    return b;
}

/* The server answers a read on a fresh connection. */
static void assert_server_answers(void)
{
    struct xs_handle *h = xs_open(0);
    unsigned int len;
    char *v;

    g_assert(h);
    v = xs_read(h, XBT_NULL, "/local/domain/1/name", &len);
    g_assert_cmpstr(v, ==, "guest");
    free(v);
    xs_close(h);
}

/* ---- 100 clients, 1000 mixed operations each ---- */

#define NODES_PER_CLIENT 20
/* Clients share counters in groups: conflicts happen, but not always. */
#define NR_COUNTERS 10

typedef struct Worker {
    unsigned int id;
    GThread *thread;
    unsigned int ops;
    unsigned int increments;    /* committed to its shared counter */
    unsigned int eagain;
    unsigned int failures;
    char failure[256];
} Worker;

static void worker_fail(Worker *w, const char *what, const char *path)
{
    if (!w->failures++) {
        g_snprintf(w->failure, sizeof(w->failure), "client %u: %s %s (%s)",
                   w->id, what, path, g_strerror(errno));
    }
}

/* Read-modify-write of a shared counter, retried on EAGAIN. */
static void worker_increment(Worker *w, struct xs_handle *h)
{
    g_autofree char *counter = g_strdup_printf("/stress/shared%u",
                                               w->id % NR_COUNTERS);

    for (;;) {
        xs_transaction_t t = xs_transaction_start(h);
        unsigned int len;
        char *v, buf[16];

        if (t == XBT_NULL) {
            worker_fail(w, "transaction_start", "");
            return;
        }
        v = xs_read(h, t, counter, &len);
        if (!v) {
            worker_fail(w, "read in transaction", counter);
            xs_transaction_end(h, t, true);
            return;
        }
        len = g_snprintf(buf, sizeof(buf), "%d", atoi(v) + 1);
        free(v);
        if (!xs_write(h, t, counter, buf, len)) {
            worker_fail(w, "write in transaction", counter);
            xs_transaction_end(h, t, true);
            return;
        }
        if (xs_transaction_end(h, t, false)) {
            w->increments++;
            return;
        }
        if (errno != EAGAIN) {
            worker_fail(w, "transaction_end", counter);
            return;
        }
        w->eagain++;
    }
}

static gpointer worker_run(gpointer opaque)
{
    Worker *w = opaque;
    struct xs_handle *h = xs_open(0);
    g_autoptr(GRand) rnd = g_rand_new_with_seed(w->id);
    g_autofree char *dir = g_strdup_printf("/stress/c%u", w->id);
    char *model[NODES_PER_CLIENT] = { NULL };
    unsigned int len, num;

    if (!h) {
        worker_fail(w, "xs_open", sock.path);
        return NULL;
    }
    if (!xs_mkdir(h, XBT_NULL, dir)) {
        worker_fail(w, "mkdir", dir);
    }
    for (w->ops = 0; w->ops < OPS_PER_CLIENT && !w->failures; w->ops++) {
        unsigned int k = g_rand_int_range(rnd, 0, NODES_PER_CLIENT);
        unsigned int pick = g_rand_int_range(rnd, 0, 100);
        g_autofree char *path = g_strdup_printf("%s/n%u", dir, k);
        char *v;

        if (pick < 30) {                        /* write */
            g_free(model[k]);
            model[k] = g_strdup_printf("v%u-%u", w->ops,
                                       g_rand_int(rnd));
            if (!xs_write(h, XBT_NULL, path, model[k], strlen(model[k]))) {
                worker_fail(w, "write", path);
            }
        } else if (pick < 60) {                 /* read */
            errno = 0;
            v = xs_read(h, XBT_NULL, path, &len);
            if (model[k] ? !v || strcmp(v, model[k])
                         : v || errno != ENOENT) {
                worker_fail(w, "read gave the wrong answer for", path);
            }
            free(v);
        } else if (pick < 70) {                 /* list */
            char **names = xs_directory(h, XBT_NULL, dir, &num);
            unsigned int want = 0;

            for (int i = 0; i < NODES_PER_CLIENT; i++) {
                want += model[i] != NULL;
            }
            if (!names || num != want) {
                worker_fail(w, "directory gave the wrong count for", dir);
            }
            free(names);
        } else if (pick < 80) {                 /* rm */
            g_clear_pointer(&model[k], g_free);
            if (!xs_rm(h, XBT_NULL, path)) {
                worker_fail(w, "rm", path);
            }
        } else if (pick < 85) {                 /* transaction */
            worker_increment(w, h);
        } else if (pick < 95) {                 /* permissions */
            struct xs_permissions *p =
                xs_get_permissions(h, XBT_NULL, dir, &num);

            if (!p || num != 1 || p[0].id != 0 ||
                p[0].perms != XS_PERM_NONE) {
                worker_fail(w, "get_permissions", dir);
            }
            free(p);
        } else {                                /* watch, unwatch */
            g_autofree char *token = g_strdup_printf("t%u", w->ops);

            if (!xs_watch(h, dir, token) || !xs_unwatch(h, dir, token)) {
                worker_fail(w, "watch/unwatch", dir);
            }
        }
    }
    /* What the store holds now is what this client wrote. */
    for (int i = 0; i < NODES_PER_CLIENT && !w->failures; i++) {
        g_autofree char *path = g_strdup_printf("%s/n%d", dir, i);
        char *v = xs_read(h, XBT_NULL, path, &len);

        if (model[i] ? !v || strcmp(v, model[i]) : v != NULL) {
            worker_fail(w, "final read differs for", path);
        }
        free(v);
    }
    for (int i = 0; i < NODES_PER_CLIENT; i++) {
        g_free(model[i]);
    }
    xs_close(h);
    return NULL;
}

static void test_many_clients(void)
{
    Server srv;
    Worker *w = g_new0(Worker, NR_CLIENTS);
    struct xs_handle *h;
    unsigned int increments[NR_COUNTERS] = { 0 };
    unsigned int eagain = 0, ops = 0, total = 0, len;
    gint64 start;
    double secs;

    server_start(&srv, 0);
    h = xs_open(0);
    g_assert(h);
    for (int i = 0; i < NR_COUNTERS; i++) {
        g_autofree char *p = g_strdup_printf("/stress/shared%d", i);

        g_assert(xs_write(h, XBT_NULL, p, "0", 1));
    }
    start = g_get_monotonic_time();
    for (unsigned int i = 0; i < NR_CLIENTS; i++) {
        w[i].id = i;
        w[i].thread = g_thread_new("client", worker_run, &w[i]);
    }
    for (unsigned int i = 0; i < NR_CLIENTS; i++) {
        g_thread_join(w[i].thread);
        if (w[i].failures) {
            g_test_message("%s", w[i].failure);
        }
        g_assert_cmpuint(w[i].failures, ==, 0);
        g_assert_cmpuint(w[i].ops, ==, OPS_PER_CLIENT);
        increments[i % NR_COUNTERS] += w[i].increments;
        total += w[i].increments;
        eagain += w[i].eagain;
        ops += w[i].ops;
    }
    secs = (g_get_monotonic_time() - start) / 1e6;
    g_test_message("%u clients: %u operations in %.2f s (%.0f/s); "
                   "%u increments committed, %u EAGAIN retries",
                   NR_CLIENTS, ops, secs, ops / secs, total, eagain);
    /* No increment lost, none counted twice. */
    for (int i = 0; i < NR_COUNTERS; i++) {
        g_autofree char *p = g_strdup_printf("/stress/shared%d", i);
        char *v = xs_read(h, XBT_NULL, p, &len);

        g_assert_cmpint(atoi(v), ==, increments[i]);
        free(v);
    }
    xs_close(h);
    g_assert(server_running(&srv));
    server_stop(&srv);
    g_free(w);
}

/* ---- clients that vanish mid-message ---- */

static void test_vanishing_clients(void)
{
    Server srv;
    g_autoptr(GByteArray) write = NULL;
    g_autoptr(GByteArray) watch = NULL;
    g_autoptr(GByteArray) big = NULL;
    g_autoptr(GRand) rnd = g_rand_new_with_seed(42);
    g_autofree char *value = g_strnfill(3000, 'v');
    g_autofree char *wpayload = g_strdup_printf("/vanish/node%c%s", 0,
                                                value);
    unsigned int baseline;
    gint64 deadline;

    server_start(&srv, 0);
    baseline = proc_open_fds(srv.pid);
    write = raw_request(XS_WRITE, wpayload, strlen("/vanish/node") + 1 +
                        strlen(value));
    watch = raw_request(XS_WATCH, "/vanish\0tok\0", 12);
    big = raw_request(XS_READ, "/vanish/node\0", 13);
    for (int i = 0; i < 300; i++) {
        int fd = raw_connect();

        switch (i % 5) {
        case 0:     /* half a header */
            raw_send(fd, write->data, g_rand_int_range(rnd, 1, 16));
            break;
        case 1:     /* the header and part of the payload */
            raw_send(fd, write->data,
                     g_rand_int_range(rnd, 16, write->len));
            break;
        case 2:     /* a watch, then gone with its events pending */
            raw_send(fd, watch->data, watch->len);
            break;
        case 3:     /* a request whose long reply nobody reads */
            raw_send(fd, write->data, write->len);
            raw_send(fd, big->data, big->len);
            break;
        default:    /* nothing at all */
            break;
        }
        close(fd);
    }
    /* Every connection is closed on the server's side too. */
    deadline = deadline_from_now();
    while (proc_open_fds(srv.pid) > baseline) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(10000);
    }
    assert_server_answers();
    g_assert(server_running(&srv));
    server_stop(&srv);
}

/* ---- clients that never read their events ---- */

#define SLOW_CLIENTS 8
#define FLOOD_WRITES 3000
#define FLOOD_TOKEN_LEN 3000

static void test_slow_readers(void)
{
    Server srv;
    int slow[SLOW_CLIENTS];
    struct xs_handle *h;
    g_autofree char *token = g_strnfill(FLOOD_TOKEN_LEN, 't');
    g_autofree char *wpayload = g_strdup_printf("/flood%c%s", 0, token);
    g_autofree char *trace_file = g_build_filename(sock.dir, "trace",
                                                   NULL);
    g_autofree char *trace = NULL;
    unsigned long before, after, peak = 0;
    unsigned int disconnected = 0;
    gint64 deadline;

    server_start_traced(&srv, 0, "xenstored_slow_client", trace_file);
    h = xs_open(0);
    g_assert(h);
    g_assert(xs_mkdir(h, XBT_NULL, "/flood"));
    /*
     * Long tokens make every event about 3 KB while the nodes written
     * stay small: what grows is what the server would keep for the
     * clients, not the store.
     */
    for (int i = 0; i < SLOW_CLIENTS; i++) {
        g_autoptr(GByteArray) req =
            raw_request(XS_WATCH, wpayload, strlen("/flood") + 2 +
                        FLOOD_TOKEN_LEN);

        slow[i] = raw_connect();
        raw_send(slow[i], req->data, req->len);
    }
    /* Settle the allocator on the same kind of work first. */
    for (int i = 0; i < 200; i++) {
        g_autofree char *p = g_strdup_printf("/warm/n%d", i);

        g_assert(xs_write(h, XBT_NULL, p, "w", 1));
    }
    before = proc_status_kb(srv.pid, "VmRSS");
    /*
     * 3000 events of 3 KB for each of 8 clients: 72 MB if the server
     * kept them all, 24 MB at the per-connection event quota alone.
     */
    for (int i = 0; i < FLOOD_WRITES; i++) {
        g_autofree char *p = g_strdup_printf("/flood/n%d", i);

        g_assert(xs_write(h, XBT_NULL, p, "x", 1));
        if (i % 250 == 0) {
            peak = MAX(peak, proc_status_kb(srv.pid, "VmRSS"));
            assert_server_answers();
        }
    }
    after = proc_status_kb(srv.pid, "VmRSS");
    peak = MAX(peak, after);
    g_test_message("slow readers: VmRSS before %lu kB, after %lu kB, "
                   "peak %lu kB (growth %ld kB) for %u clients sent %u "
                   "events of %u bytes", before, after, peak,
                   (long)peak - (long)before, SLOW_CLIENTS, FLOOD_WRITES,
                   (unsigned int)(16 + strlen("/flood/n0000") + 2 +
                                  FLOOD_TOKEN_LEN));
    g_assert_cmpuint(peak - MIN(peak, before), <, 16 * 1024);

    /* Each slow client was cut off: it reads its backlog, then EOF. */
    deadline = deadline_from_now();
    for (int i = 0; i < SLOW_CLIENTS; i++) {
        char buf[65536];
        ssize_t n;

        do {
            struct pollfd pfd = { .fd = slow[i], .events = POLLIN };

            g_assert_cmpint(g_get_monotonic_time(), <, deadline);
            n = poll(&pfd, 1, 100) > 0 ? read(slow[i], buf, sizeof(buf))
                                       : -1;
        } while (n != 0);
        disconnected++;
        close(slow[i]);
    }
    g_assert_cmpuint(disconnected, ==, SLOW_CLIENTS);
    assert_server_answers();
    xs_close(h);
    server_stop(&srv);
    /* Each was cut off as a slow client, and said so. */
    g_assert(g_file_get_contents(trace_file, &trace, NULL, NULL));
    {
        unsigned int traced = 0;

        for (const char *p = trace; (p = strstr(p, "xenstored_slow_client"));
             p++) {
            traced++;
        }
        g_assert_cmpuint(traced, ==, SLOW_CLIENTS);
    }
    unlink(trace_file);
}

/* ---- a client that sends ahead and reads late ---- */

#define PIPELINED 300

/*
 * Many requests with long replies sent before reading any: the replies
 * outgrow the socket buffer, so the server sends in pieces, waits for
 * the socket to drain and meanwhile reads no further.  Every reply
 * arrives, whole and in order, and the client is not taken for a slow
 * one: what it is owed never exceeds one reply.
 */
static void test_pipelined_client(void)
{
    Server srv;
    struct xs_handle *h;
    g_autofree char *value = g_strnfill(3000, 'p');
    g_autoptr(GByteArray) reqs = g_byte_array_new();
    g_autoptr(GByteArray) got = g_byte_array_new();
    gint64 deadline;
    size_t want = PIPELINED * (16 + 3000);
    int fd;

    server_start(&srv, 0);
    h = xs_open(0);
    g_assert(h);
    g_assert(xs_write(h, XBT_NULL, "/pipe", value, 3000));
    for (uint32_t i = 0; i < PIPELINED; i++) {
        struct xsd_sockmsg hdr = { .type = XS_READ, .req_id = i, .len = 6 };

        g_byte_array_append(reqs, (const guint8 *)&hdr, sizeof(hdr));
        g_byte_array_append(reqs, (const guint8 *)"/pipe", 6);
    }
    fd = raw_connect();
    raw_send(fd, reqs->data, reqs->len);
    /* Others are served while it is stuck. */
    assert_server_answers();
    deadline = deadline_from_now();
    while (got->len < want) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        uint8_t buf[4096];
        ssize_t n;

        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        if (poll(&pfd, 1, 100) <= 0) {
            continue;
        }
        n = read(fd, buf, sizeof(buf));
        g_assert_cmpint(n, >, 0);
        g_byte_array_append(got, buf, n);
    }
    g_assert_cmpuint(got->len, ==, want);
    for (uint32_t i = 0; i < PIPELINED; i++) {
        const uint8_t *m = got->data + i * (16 + 3000);
        struct xsd_sockmsg hdr;

        memcpy(&hdr, m, sizeof(hdr));
        g_assert_cmpuint(hdr.type, ==, XS_READ);
        g_assert_cmpuint(hdr.req_id, ==, i);
        g_assert_cmpuint(hdr.len, ==, 3000);
        g_assert(!memcmp(m + 16, value, 3000));
    }
    close(fd);
    xs_close(h);
    server_stop(&srv);
}

/* ---- running out of file descriptors ---- */

#define FD_LIMIT 48
#define FD_CLIENTS 80

static void test_fd_exhaustion(void)
{
    Server srv;
    int fds[FD_CLIENTS];
    unsigned long cpu0, cpu1;
    long ticks = sysconf(_SC_CLK_TCK);
    gint64 deadline;

    server_start(&srv, FD_LIMIT);
    /* More clients than the server can have fds: the rest wait. */
    for (int i = 0; i < FD_CLIENTS; i++) {
        fds[i] = raw_connect();
    }
    deadline = deadline_from_now();
    while (proc_open_fds(srv.pid) < FD_LIMIT) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_usleep(10000);
    }
    /* Out of fds, it must wait, not spin on the listening socket. */
    cpu0 = proc_cpu_ticks(srv.pid);
    g_usleep(500 * 1000);
    cpu1 = proc_cpu_ticks(srv.pid);
    g_test_message("at the fd limit: %lu ms of CPU in 500 ms",
                   (cpu1 - cpu0) * 1000 / ticks);
    g_assert_cmpuint((cpu1 - cpu0) * 1000 / ticks, <, 250);
    /* Served ones still are; the waiting ones are served once fds free. */
    for (int i = 0; i < FD_CLIENTS; i++) {
        g_autoptr(GByteArray) req = raw_request(XS_READ,
                                                "/local/domain/1/name\0", 21);
        struct xsd_sockmsg hdr;
        char body[16];
        ssize_t n = 0;

        raw_send(fds[i], req->data, req->len);
        while (n < (ssize_t)sizeof(hdr)) {
            struct pollfd pfd = { .fd = fds[i], .events = POLLIN };
            ssize_t got;

            g_assert_cmpint(poll(&pfd, 1, WAIT_SECONDS * 1000), ==, 1);
            got = read(fds[i], (char *)&hdr + n, sizeof(hdr) - n);
            g_assert_cmpint(got, >, 0);
            n += got;
        }
        g_assert_cmpuint(hdr.type, ==, XS_READ);
        g_assert_cmpuint(hdr.len, ==, 5);
        g_assert_cmpint(read(fds[i], body, hdr.len), ==, 5);
        g_assert(!memcmp(body, "guest", 5));
        /* Closing it frees an fd for a waiting one. */
        close(fds[i]);
    }
    assert_server_answers();
    server_stop(&srv);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    /* Before any thread exists. */
    xs_test_socket_init(&sock, "xs-stress-XXXXXX");
    /* A vanished peer is an error return in the tests, not a kill. */
    signal(SIGPIPE, SIG_IGN);
    g_test_add_func("/xenstored-stress/many-clients", test_many_clients);
    g_test_add_func("/xenstored-stress/vanishing-clients",
                    test_vanishing_clients);
    g_test_add_func("/xenstored-stress/slow-readers", test_slow_readers);
    g_test_add_func("/xenstored-stress/pipelined-client",
                    test_pipelined_client);
    g_test_add_func("/xenstored-stress/fd-exhaustion", test_fd_exhaustion);
    ret = g_test_run();
    xs_test_socket_cleanup(&sock);
    return ret;
}
