/*
 * xs-guest-prog: a XenStore client for the guest test kit. It runs inside
 * a Xen HVM guest's initramfs (linked static, so plain libc only) and
 * talks to the store through the kernel's /dev/xen/xenbus, or on the
 * host to a xenstored's Unix socket (--socket PATH) so its own tests run
 * without a guest.
 *
 * The other side may be buggy: every reply is checked (type, req_id,
 * length, terminators) and a bad one is an error, never trusted.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "hw/xen/interface/io/xs_wire.h"

#define XENBUS_DEV "/dev/xen/xenbus"
#define REPLY_TIMEOUT_MS 20000
#define HDR_LEN ((uint32_t)sizeof(struct xsd_sockmsg))
#define MAX_EVENTS 32
#define TXN_TRIES 10
#define SPAM_DEPTH 8

/* Exit statuses: scripts tell a refusal from a broken reply. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_PROTO = 3 };

struct msg {
    struct xsd_sockmsg hdr;
    char body[XENSTORE_PAYLOAD_MAX + 1];   /* +1: always NUL-terminated */
};

struct event {
    char path[XENSTORE_PAYLOAD_MAX + 1];
    char token[XENSTORE_PAYLOAD_MAX + 1];
};

static int xs_fd = -1;
static int xs_is_device;
static uint32_t next_req_id = 1;
/* Watch events seen while waiting for replies, oldest first. */
static struct event *events;
static unsigned n_events;

static void __attribute__((noreturn, format(printf, 1, 2)))
proto_error(const char *fmt, ...)
{
    va_list ap;

    printf("error: protocol: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    exit(EXIT_PROTO);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void open_xenbus(const char *socket_path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };

    if (!socket_path) {
        xs_fd = open(XENBUS_DEV, O_RDWR | O_CLOEXEC);
        if (xs_fd < 0) {
            printf("error: open %s: %s\n", XENBUS_DEV, strerror(errno));
            exit(EXIT_FAIL);
        }
        xs_is_device = 1;
        return;
    }
    if (strlen(socket_path) >= sizeof(sa.sun_path)) {
        printf("error: socket path too long\n");
        exit(EXIT_USAGE);
    }
    strcpy(sa.sun_path, socket_path);
    xs_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (xs_fd < 0 || connect(xs_fd, (struct sockaddr *)&sa, sizeof(sa))) {
        printf("error: connect %s: %s\n", socket_path, strerror(errno));
        exit(EXIT_FAIL);
    }
}

/*
 * Send one request. The xenbus device wants each message in a single
 * write(); a socket is a byte stream, so short writes are continued.
 */
static uint32_t send_req(uint32_t type, uint32_t tx_id,
                         const char *payload, uint32_t len)
{
    static char buf[HDR_LEN + XENSTORE_PAYLOAD_MAX];
    struct xsd_sockmsg hdr = {
        .type = type, .req_id = next_req_id++, .tx_id = tx_id, .len = len,
    };
    size_t total = HDR_LEN + len, done = 0;

    if (len > XENSTORE_PAYLOAD_MAX) {
        printf("error: E2BIG (request longer than %d bytes)\n",
               XENSTORE_PAYLOAD_MAX);
        exit(EXIT_FAIL);
    }
    memcpy(buf, &hdr, HDR_LEN);
    memcpy(buf + HDR_LEN, payload, len);
    while (done < total) {
        ssize_t n = write(xs_fd, buf + done, total - done);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0 || (xs_is_device && (size_t)n != total)) {
            printf("error: write: %s\n", n < 0 ? strerror(errno) : "short");
            exit(EXIT_FAIL);
        }
        done += n;
    }
    return hdr.req_id;
}

/*
 * Read exactly n bytes before the monotonic deadline. Returns 0, or -1
 * on timeout; end of file or a read error ends the program.
 */
static int read_exact(void *buf, size_t n, double deadline)
{
    size_t got = 0;

    while (got < n) {
        struct pollfd pfd = { .fd = xs_fd, .events = POLLIN };
        int ms = (int)((deadline - now_s()) * 1000);
        ssize_t r;

        if (ms < 0) {
            return -1;
        }
        r = poll(&pfd, 1, ms);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r == 0) {
            return -1;
        }
        r = read(xs_fd, (char *)buf + got, n - got);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        if (r <= 0) {
            proto_error("%s", r ? strerror(errno) : "connection closed");
        }
        got += r;
    }
    return 0;
}

/* Read one whole message. Returns 0, or -1 when the deadline passed. */
static int read_msg(struct msg *m, double deadline)
{
    if (read_exact(&m->hdr, HDR_LEN, deadline)) {
        return -1;
    }
    /* Checked before reading on: a huge length must not be believed. */
    if (m->hdr.len > XENSTORE_PAYLOAD_MAX) {
        proto_error("message of %u bytes (type %u)", m->hdr.len,
                    m->hdr.type);
    }
    if (read_exact(m->body, m->hdr.len, deadline)) {
        proto_error("message body cut short (type %u)", m->hdr.type);
    }
    m->body[m->hdr.len] = '\0';
    return 0;
}

/* A watch event's payload is "PATH\0TOKEN\0"; keep it for later. */
static void queue_event(const struct msg *m)
{
    size_t plen = strnlen(m->body, m->hdr.len);
    size_t tlen;

    if (plen == m->hdr.len) {
        proto_error("watch event without a NUL after its path");
    }
    tlen = strnlen(m->body + plen + 1, m->hdr.len - plen - 1);
    /* The token's NUL may be the end of the payload or just inside it. */
    if (plen + 1 + tlen >= m->hdr.len) {
        proto_error("watch event without a token");
    }
    if (n_events == MAX_EVENTS) {
        /* Nobody reads them this fast: forget the oldest. */
        memmove(&events[0], &events[1], sizeof(events[0]) * --n_events);
    }
    memcpy(events[n_events].path, m->body, plen + 1);
    memcpy(events[n_events].token, m->body + plen + 1, tlen);
    events[n_events].token[tlen] = '\0';
    n_events++;
}

/*
 * Next message that is not a watch event (events are queued), within
 * the deadline; -1 on timeout.
 */
static int read_reply_any(struct msg *m, double deadline)
{
    for (;;) {
        if (read_msg(m, deadline)) {
            return -1;
        }
        if (m->hdr.type != XS_WATCH_EVENT) {
            return 0;
        }
        queue_event(m);
    }
}

/* The reply to request req_id of the given type; exits on a bad one. */
static void read_reply(struct msg *m, uint32_t type, uint32_t req_id)
{
    if (read_reply_any(m, now_s() + REPLY_TIMEOUT_MS / 1000.0)) {
        printf("error: timeout waiting for a reply\n");
        exit(EXIT_FAIL);
    }
    if (m->hdr.req_id != req_id) {
        proto_error("reply for request %u, expected %u", m->hdr.req_id,
                    req_id);
    }
    if (m->hdr.type != type && m->hdr.type != XS_ERROR) {
        proto_error("reply of type %u to a request of type %u",
                    m->hdr.type, type);
    }
}

/*
 * An XS_ERROR reply's name (e.g. "EACCES"), checked to be one word. It
 * is copied, so it outlives the message it came in.
 */
static const char *error_name(const struct msg *m)
{
    static char name[33];
    size_t i, n = strnlen(m->body, m->hdr.len);

    if (n == 0 || n > 32) {
        proto_error("error reply of %zu characters", n);
    }
    for (i = 0; i < n; i++) {
        if (m->body[i] < 'A' || m->body[i] > 'Z') {
            proto_error("error reply that is not an error name");
        }
    }
    memcpy(name, m->body, n + 1);
    return name;
}

/*
 * One request and its reply. Returns NULL on success (reply in *m), else
 * the error name the store answered.
 */
static const char *request(struct msg *m, uint32_t type, uint32_t tx_id,
                           const char *payload, uint32_t len)
{
    uint32_t id = send_req(type, tx_id, payload, len);

    read_reply(m, type, id);
    return m->hdr.type == XS_ERROR ? error_name(m) : NULL;
}

/* Build "A\0B" (b may be NULL: "A\0") into buf; returns the length. */
static uint32_t two_strings(char *buf, const char *a, const char *b,
                            size_t blen)
{
    size_t alen = strlen(a);

    if (alen + 1 + blen > XENSTORE_PAYLOAD_MAX) {
        printf("error: E2BIG (arguments too long)\n");
        exit(EXIT_FAIL);
    }
    memcpy(buf, a, alen + 1);
    if (b) {
        memcpy(buf + alen + 1, b, blen);
    }
    return alen + 1 + blen;
}

static void expect_ok(const struct msg *m)
{
    if (m->hdr.len != 3 || memcmp(m->body, "OK", 3)) {
        proto_error("expected OK, got %u bytes", m->hdr.len);
    }
}

static int fail_with(const char *err)
{
    printf("error: %s\n", err);
    return EXIT_FAIL;
}

/* --- simple commands ---------------------------------------------------- */

static const char *do_read(struct msg *m, uint32_t tx, const char *path)
{
    char buf[XENSTORE_PAYLOAD_MAX];

    return request(m, XS_READ, tx, buf, two_strings(buf, path, NULL, 0));
}

static const char *do_write(struct msg *m, uint32_t tx, const char *path,
                            const char *value)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    const char *err = request(m, XS_WRITE, tx, buf,
                              two_strings(buf, path, value, strlen(value)));

    if (!err) {
        expect_ok(m);
    }
    return err;
}

static int cmd_read(const char *path)
{
    struct msg m;
    const char *err = do_read(&m, 0, path);

    if (err) {
        return fail_with(err);
    }
    fwrite(m.body, 1, m.hdr.len, stdout);
    putchar('\n');
    return EXIT_OK;
}

static int cmd_write(const char *path, const char *value)
{
    struct msg m;
    const char *err = do_write(&m, 0, path, value);

    return err ? fail_with(err) : EXIT_OK;
}

/* rm and mkdir: a path in, "OK" back. */
static int cmd_path_ok(uint32_t type, const char *path)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    struct msg m;
    const char *err = request(&m, type, 0, buf,
                              two_strings(buf, path, NULL, 0));

    if (err) {
        return fail_with(err);
    }
    expect_ok(&m);
    return EXIT_OK;
}

/*
 * Print a list of NUL-terminated strings, separated by sep. Empty
 * payloads are an empty list; a missing final NUL is a protocol error.
 */
static void print_list(const struct msg *m, const char *sep, int need_one)
{
    uint32_t off = 0;

    if (m->hdr.len && m->body[m->hdr.len - 1] != '\0') {
        proto_error("list reply without a final NUL");
    }
    if (need_one && m->hdr.len == 0) {
        proto_error("empty list reply");
    }
    while (off < m->hdr.len) {
        size_t n = strlen(m->body + off);

        printf("%s%s", off ? sep : "", m->body + off);
        off += n + 1;
    }
    if (m->hdr.len) {
        putchar('\n');
    }
}

static int cmd_ls(const char *path)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    struct msg m;
    const char *err = request(&m, XS_DIRECTORY, 0, buf,
                              two_strings(buf, path, NULL, 0));

    if (err) {
        return fail_with(err);
    }
    print_list(&m, "\n", 0);
    return EXIT_OK;
}

static int cmd_getperms(const char *path)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    struct msg m;
    const char *err = request(&m, XS_GET_PERMS, 0, buf,
                              two_strings(buf, path, NULL, 0));

    if (err) {
        return fail_with(err);
    }
    /* Printed as setperms takes them: "n0 r5". */
    print_list(&m, " ", 1);
    return EXIT_OK;
}

static int cmd_setperms(const char *path, int nperms, char **perms)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    uint32_t len = two_strings(buf, path, NULL, 0);
    struct msg m;
    const char *err;
    int i;

    for (i = 0; i < nperms; i++) {
        size_t n = strlen(perms[i]) + 1;

        if (len + n > XENSTORE_PAYLOAD_MAX) {
            return fail_with("E2BIG");
        }
        memcpy(buf + len, perms[i], n);
        len += n;
    }
    err = request(&m, XS_SET_PERMS, 0, buf, len);
    if (err) {
        return fail_with(err);
    }
    expect_ok(&m);
    return EXIT_OK;
}

/* --- transactions --------------------------------------------------------- */

/* A transaction id from XS_TRANSACTION_START's decimal reply. */
static uint32_t parse_tx_id(const struct msg *m)
{
    char *end;
    unsigned long id;

    if (m->hdr.len < 2 || m->body[m->hdr.len - 1] != '\0' ||
        m->body[0] < '0' || m->body[0] > '9') {
        proto_error("bad transaction id reply");
    }
    errno = 0;
    id = strtoul(m->body, &end, 10);
    if (errno || *end || id == 0 || id > UINT32_MAX) {
        proto_error("bad transaction id \"%s\"", m->body);
    }
    return id;
}

/*
 * One attempt of txn-test. Returns NULL when committed (or a non-EAGAIN
 * failure in *why), "EAGAIN" when the commit should be retried.
 */
static const char *txn_attempt(const char *pa, const char *pb,
                               const char *value, const char **why)
{
    struct msg m;
    const char *err;
    uint32_t tx;

    err = request(&m, XS_TRANSACTION_START, 0, "", 1);
    if (err) {
        *why = err;
        return NULL;
    }
    tx = parse_tx_id(&m);
    if ((err = do_write(&m, tx, pa, value)) ||
        (err = do_write(&m, tx, pb, value))) {
        *why = err;
        return NULL;
    }
    /* Outside the transaction neither write is visible yet. */
    if (!do_read(&m, 0, pa) && !strcmp(m.body, value)) {
        *why = "write visible outside the transaction before commit";
        return NULL;
    }
    if (!do_read(&m, 0, pb) && !strcmp(m.body, value)) {
        *why = "write visible outside the transaction before commit";
        return NULL;
    }
    /* Inside it, they are. */
    if (do_read(&m, tx, pa) || strcmp(m.body, value)) {
        *why = "write not visible inside its transaction";
        return NULL;
    }
    err = request(&m, XS_TRANSACTION_END, tx, "T", 2);
    if (err && !strcmp(err, "EAGAIN")) {
        return err;
    }
    if (err) {
        *why = err;
        return NULL;
    }
    expect_ok(&m);
    return NULL;
}

static int cmd_txn_test(const char *path)
{
    char pa[XENSTORE_ABS_PATH_MAX + 3], pb[XENSTORE_ABS_PATH_MAX + 3];
    char value[64];
    const char *why = NULL;
    struct msg m;
    int tries;

    if (strlen(path) > XENSTORE_ABS_PATH_MAX) {
        return fail_with("E2BIG");
    }
    snprintf(pa, sizeof(pa), "%s/a", path);
    snprintf(pb, sizeof(pb), "%s/b", path);
    /* A value of this run, so stale nodes from before cannot pass. */
    snprintf(value, sizeof(value), "txn-%ld-%.0f", (long)getpid(),
             now_s() * 1e6);
    for (tries = 0; tries < TXN_TRIES; tries++) {
        if (!txn_attempt(pa, pb, value, &why)) {
            break;
        }
    }
    if (!why && tries == TXN_TRIES) {
        why = "EAGAIN on every commit";
    }
    if (!why && (do_read(&m, 0, pa) || strcmp(m.body, value) ||
                 do_read(&m, 0, pb) || strcmp(m.body, value))) {
        why = "writes not visible after commit";
    }
    if (why) {
        printf("fail: %s\n", why);
        return EXIT_FAIL;
    }
    printf("ok\n");
    return EXIT_OK;
}

/* A count or a number of seconds from the command line: 1..max. */
static long parse_count(const char *s, long max)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(s, &end, 10);
    if (errno || *end || n <= 0 || n > max) {
        printf("error: bad number \"%s\"\n", s);
        exit(EXIT_USAGE);
    }
    return n;
}

/* --- watches -------------------------------------------------------------- */

/* Is event path p the watched path w or below it? */
static int path_under(const char *p, const char *w)
{
    size_t n = strlen(w);

    if (!strcmp(w, "/")) {
        return p[0] == '/';
    }
    return !strncmp(p, w, n) && (p[n] == '\0' || p[n] == '/');
}

/*
 * Pop the next queued event for token; returns 1 and fills *e, else 0.
 * Events with other tokens are not ours and are dropped.
 */
static int pop_event(const char *token, struct event *e)
{
    while (n_events) {
        int mine = !strcmp(events[0].token, token);

        *e = events[0];
        memmove(&events[0], &events[1], sizeof(events[0]) * --n_events);
        if (mine) {
            return 1;
        }
    }
    return 0;
}

static int cmd_watch(const char *path, const char *token, const char *secs)
{
    char buf[XENSTORE_PAYLOAD_MAX];
    double deadline = now_s() + parse_count(secs, 86400);
    int skipped_initial = 0;
    struct event e;
    struct msg m;
    const char *err;

    if (strlen(token) > XENSTORE_ABS_PATH_MAX) {
        return fail_with("E2BIG");
    }
    err = request(&m, XS_WATCH, 0, buf,
                  two_strings(buf, path, token, strlen(token) + 1));
    if (err) {
        return fail_with(err);
    }
    expect_ok(&m);
    for (;;) {
        while (pop_event(token, &e)) {
            /*
             * The store fires every new watch once at once, for its own
             * path; the first such event is that one, not a change.
             */
            if (!skipped_initial && !strcmp(e.path, path)) {
                skipped_initial = 1;
                /* Tell whoever drives us that changes now count. */
                printf("watching %s\n", path);
                fflush(stdout);
                continue;
            }
            if (!path_under(e.path, path)) {
                proto_error("event for %s on a watch of %s", e.path, path);
            }
            printf("event %s %s\n", e.path, e.token);
            return EXIT_OK;
        }
        if (read_msg(&m, deadline)) {
            printf("timeout\n");
            return EXIT_FAIL;
        }
        if (m.hdr.type != XS_WATCH_EVENT) {
            /* Nothing was asked: no reply may come. */
            proto_error("unexpected message of type %u", m.hdr.type);
        }
        queue_event(&m);
    }
}

/* --- load ----------------------------------------------------------------- */

static int cmd_rtt(const char *count, const char *path)
{
    long i, n = parse_count(count, 100000000);
    const char *value = "0123456789abcdef0123456789abcdef";
    struct msg m;
    const char *err = do_write(&m, 0, path, value);
    double t0, dt;

    if (err) {
        return fail_with(err);
    }
    t0 = now_s();
    for (i = 0; i < n; i++) {
        err = do_read(&m, 0, path);
        if (err) {
            return fail_with(err);
        }
        if (m.hdr.len != 32 || memcmp(m.body, value, 32)) {
            proto_error("read returned another value");
        }
    }
    dt = now_s() - t0;
    printf("{\"reads\":%ld,\"seconds\":%.6f,\"reads_per_sec\":%.1f}\n",
           n, dt, dt > 0 ? n / dt : 0.0);
    return EXIT_OK;
}

/*
 * Keep SPAM_DEPTH requests in flight for the given time: replies may
 * come in any order, but each must answer one outstanding request.
 */
static int cmd_spam(const char *secs, const char *path)
{
    double t0 = now_s(), end = t0 + parse_count(secs, 86400);
    uint32_t inflight[SPAM_DEPTH], types[SPAM_DEPTH];
    char rbuf[XENSTORE_PAYLOAD_MAX], wbuf[XENSTORE_PAYLOAD_MAX];
    uint32_t rlen = two_strings(rbuf, path, NULL, 0);
    uint32_t wlen = two_strings(wbuf, path, "spam", 4);
    long sent = 0, replies = 0, errors = 0;
    int n = 0, i;
    struct msg m;

    while (n > 0 || now_s() < end) {
        while (n < SPAM_DEPTH && now_s() < end) {
            /* Writes first, so the reads after them find the node. */
            types[n] = sent % 2 ? XS_READ : XS_WRITE;
            inflight[n] = types[n] == XS_READ ?
                send_req(XS_READ, 0, rbuf, rlen) :
                send_req(XS_WRITE, 0, wbuf, wlen);
            n++;
            sent++;
        }
        if (read_reply_any(&m, now_s() + REPLY_TIMEOUT_MS / 1000.0)) {
            printf("error: timeout with %d requests in flight\n", n);
            return EXIT_FAIL;
        }
        for (i = 0; i < n && inflight[i] != m.hdr.req_id; i++) {
        }
        if (i == n) {
            proto_error("reply to request %u, which is not in flight",
                        m.hdr.req_id);
        }
        if (m.hdr.type == XS_ERROR) {
            error_name(&m);
            errors++;
        } else if (m.hdr.type != types[i]) {
            proto_error("reply of type %u to a request of type %u",
                        m.hdr.type, types[i]);
        }
        replies++;
        inflight[i] = inflight[n - 1];
        types[i] = types[n - 1];
        n--;
    }
    printf("{\"seconds\":%.3f,\"requests\":%ld,\"replies\":%ld,"
           "\"errors\":%ld}\n", now_s() - t0, sent, replies, errors);
    return errors || replies != sent ? EXIT_FAIL : EXIT_OK;
}

/* --- main ------------------------------------------------------------------ */

static void __attribute__((noreturn)) usage(void)
{
    fprintf(stderr,
        "usage: xs-guest-prog [--socket PATH] COMMAND ARGS...\n"
        "  read PATH | write PATH VALUE | ls PATH | rm PATH | mkdir PATH\n"
        "  setperms PATH PERM... | getperms PATH | txn-test PATH\n"
        "  watch PATH TOKEN SECONDS | rtt N PATH | spam SECONDS PATH\n"
        "Without --socket it uses " XENBUS_DEV ".\n");
    exit(EXIT_USAGE);
}

int main(int argc, char **argv)
{
    const char *socket_path = NULL, *cmd;
    int nargs;

    setvbuf(stdout, NULL, _IOLBF, 0);
    argv++;
    argc--;
    if (argc >= 2 && !strcmp(argv[0], "--socket")) {
        socket_path = argv[1];
        argv += 2;
        argc -= 2;
    }
    if (argc < 1) {
        usage();
    }
    cmd = argv[0];
    nargs = argc - 1;
    events = calloc(MAX_EVENTS, sizeof(*events));
    if (!events) {
        return EXIT_FAIL;
    }
#define IS(name, n) (!strcmp(cmd, name) && nargs == (n))
    if (!(IS("read", 1) || IS("write", 2) || IS("ls", 1) || IS("rm", 1) ||
          IS("mkdir", 1) || (!strcmp(cmd, "setperms") && nargs >= 2) ||
          IS("getperms", 1) || IS("txn-test", 1) || IS("watch", 3) ||
          IS("rtt", 2) || IS("spam", 2))) {
        usage();
    }
    open_xenbus(socket_path);
    if (!strcmp(cmd, "read")) {
        return cmd_read(argv[1]);
    } else if (!strcmp(cmd, "write")) {
        return cmd_write(argv[1], argv[2]);
    } else if (!strcmp(cmd, "ls")) {
        return cmd_ls(argv[1]);
    } else if (!strcmp(cmd, "rm")) {
        return cmd_path_ok(XS_RM, argv[1]);
    } else if (!strcmp(cmd, "mkdir")) {
        return cmd_path_ok(XS_MKDIR, argv[1]);
    } else if (!strcmp(cmd, "setperms")) {
        return cmd_setperms(argv[1], nargs - 1, argv + 2);
    } else if (!strcmp(cmd, "getperms")) {
        return cmd_getperms(argv[1]);
    } else if (!strcmp(cmd, "txn-test")) {
        return cmd_txn_test(argv[1]);
    } else if (!strcmp(cmd, "watch")) {
        return cmd_watch(argv[1], argv[2], argv[3]);
    } else if (!strcmp(cmd, "rtt")) {
        return cmd_rtt(argv[1], argv[2]);
    }
    return cmd_spam(argv[1], argv[2]);
#undef IS
}
