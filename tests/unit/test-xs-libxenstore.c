/*
 * The wire codec, connection layer and socket server against Debian's
 * libxenstore, with the qemu-xenstored server code in-process: what the
 * library expects (DIRECTORY_PART, error names, EAGAIN, watch events).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <xenstore.h>
#include "xs-server-thread.h"
#include "xs-test-socket.h"

/* The socket, the same for every test: libxenstore finds it by env. */
static XsTestSocket sock;

typedef struct Fix {
    const char *path;
    XsServerThread *srv;
    struct xs_handle *h;
} Fix;

static void fix_setup(Fix *f, gconstpointer data)
{
    f->path = sock.path;
    f->srv = xs_server_thread_start(f->path);
    f->h = xs_open(0);
    g_assert(f->h);
}

static void fix_teardown(Fix *f, gconstpointer data)
{
    xs_close(f->h);
    xs_server_thread_stop(f->srv);
    /* The server removes its socket file. */
    g_assert_false(g_file_test(f->path, G_FILE_TEST_EXISTS));
}

static void test_read_write(Fix *f, gconstpointer data)
{
    unsigned int len = 0;
    char *v;

    g_assert(xs_write(f->h, XBT_NULL, "/t/a", "hello", 5));
    v = xs_read(f->h, XBT_NULL, "/t/a", &len);
    g_assert_cmpuint(len, ==, 5);
    g_assert_cmpstr(v, ==, "hello");
    free(v);
    /* Binary values round-trip. */
    g_assert(xs_write(f->h, XBT_NULL, "/t/b", "a\0b", 3));
    v = xs_read(f->h, XBT_NULL, "/t/b", &len);
    g_assert_cmpuint(len, ==, 3);
    g_assert(!memcmp(v, "a\0b", 3));
    free(v);
    /* Errors arrive as errno values from their names. */
    errno = 0;
    g_assert_null(xs_read(f->h, XBT_NULL, "/t/missing", &len));
    g_assert_cmpint(errno, ==, ENOENT);
    errno = 0;
    g_assert(!xs_write(f->h, XBT_NULL, "/t/bad path", "x", 1));
    g_assert_cmpint(errno, ==, EINVAL);
    g_assert(xs_mkdir(f->h, XBT_NULL, "/t/dir"));
    g_assert(xs_rm(f->h, XBT_NULL, "/t"));
    g_assert_null(xs_read(f->h, XBT_NULL, "/t/a", &len));
}

/*
 * xs_directory() asks DIRECTORY first and, on E2BIG, pages through
 * DIRECTORY_PART: the listing must come back whole and in order.
 */
static void test_big_directory(Fix *f, gconstpointer data)
{
    unsigned int num = 0;
    char **names;

    for (int i = 0; i < 1500; i++) {
        g_autofree char *p =
            g_strdup_printf("/big/a-long-enough-child-name-%05d", i);

        g_assert(xs_write(f->h, XBT_NULL, p, "", 0));
    }
    names = xs_directory(f->h, XBT_NULL, "/big", &num);
    g_assert(names);
    g_assert_cmpuint(num, ==, 1500);
    for (unsigned int i = 0; i < num; i++) {
        g_autofree char *want =
            g_strdup_printf("a-long-enough-child-name-%05u", i);

        g_assert_cmpstr(names[i], ==, want);
    }
    free(names);

    /* Small and empty directories through plain DIRECTORY. */
    g_assert(xs_write(f->h, XBT_NULL, "/small/x", "", 0));
    names = xs_directory(f->h, XBT_NULL, "/small", &num);
    g_assert_cmpuint(num, ==, 1);
    g_assert_cmpstr(names[0], ==, "x");
    free(names);
    g_assert(xs_mkdir(f->h, XBT_NULL, "/empty"));
    names = xs_directory(f->h, XBT_NULL, "/empty", &num);
    g_assert(names);
    g_assert_cmpuint(num, ==, 0);
    free(names);
}

static void test_transactions(Fix *f, gconstpointer data)
{
    xs_transaction_t t, t2;
    unsigned int len;
    char *v;

    t = xs_transaction_start(f->h);
    g_assert_cmpuint(t, !=, XBT_NULL);
    g_assert(xs_write(f->h, t, "/tx/a", "1", 1));
    g_assert_null(xs_read(f->h, XBT_NULL, "/tx/a", &len));
    g_assert(xs_transaction_end(f->h, t, false));
    v = xs_read(f->h, XBT_NULL, "/tx/a", &len);
    g_assert_cmpstr(v, ==, "1");
    free(v);

    /* A conflicting commit fails with EAGAIN. */
    t = xs_transaction_start(f->h);
    t2 = xs_transaction_start(f->h);
    v = xs_read(f->h, t, "/tx/a", &len);
    free(v);
    g_assert(xs_write(f->h, t, "/tx/a", "2", 1));
    g_assert(xs_write(f->h, t2, "/tx/a", "3", 1));
    g_assert(xs_transaction_end(f->h, t2, false));
    errno = 0;
    g_assert(!xs_transaction_end(f->h, t, false));
    g_assert_cmpint(errno, ==, EAGAIN);
    /* Aborting discards. */
    t = xs_transaction_start(f->h);
    g_assert(xs_write(f->h, t, "/tx/a", "4", 1));
    g_assert(xs_transaction_end(f->h, t, true));
    v = xs_read(f->h, XBT_NULL, "/tx/a", &len);
    g_assert_cmpstr(v, ==, "3");
    free(v);
}

/* The value of path as a new string, asserting it is there. */
static char *read_str(struct xs_handle *h, xs_transaction_t t,
                      const char *path)
{
    unsigned int len = 0;
    char *v = xs_read(h, t, path, &len);
    char *copy;

    g_assert(v);
    copy = g_strndup(v, len);
    free(v);
    return copy;
}

/*
 * The snapshot through the socket: handle A reads N twice in one
 * transaction and gets the value at its start both times, though handle
 * B changed it between; A's commit fails with EAGAIN and B's value stays.
 */
static void test_transaction_repeated_read(Fix *f, gconstpointer data)
{
    struct xs_handle *b = xs_open(0);
    xs_transaction_t t;
    g_autofree char *first = NULL;
    g_autofree char *again = NULL;
    g_autofree char *now_a = NULL;
    g_autofree char *now_b = NULL;

    g_assert(b);
    g_assert(xs_write(f->h, XBT_NULL, "/snap/n", "a", 1));
    t = xs_transaction_start(f->h);
    g_assert_cmpuint(t, !=, XBT_NULL);
    first = read_str(f->h, t, "/snap/n");
    g_assert_cmpstr(first, ==, "a");
    g_assert(xs_write(b, XBT_NULL, "/snap/n", "b", 1));
    again = read_str(f->h, t, "/snap/n");
    g_assert_cmpstr(again, ==, "a");
    errno = 0;
    g_assert(!xs_transaction_end(f->h, t, false));
    g_assert_cmpint(errno, ==, EAGAIN);
    now_a = read_str(f->h, XBT_NULL, "/snap/n");
    g_assert_cmpstr(now_a, ==, "b");
    now_b = read_str(b, XBT_NULL, "/snap/n");
    g_assert_cmpstr(now_b, ==, "b");
    /* The transaction is gone. */
    errno = 0;
    g_assert(!xs_transaction_end(f->h, t, true));
    g_assert_cmpint(errno, ==, ENOENT);
    xs_close(b);
}

/*
 * The same for a node that B creates after A's start: A's reads in the
 * transaction answer ENOENT before and after, and A's commit fails with
 * EAGAIN, leaving B's node.
 */
static void test_transaction_read_created_since(Fix *f,
                                                gconstpointer data)
{
    struct xs_handle *b = xs_open(0);
    xs_transaction_t t;
    unsigned int len;
    g_autofree char *now = NULL;

    g_assert(b);
    g_assert(xs_mkdir(f->h, XBT_NULL, "/snap"));
    t = xs_transaction_start(f->h);
    g_assert_cmpuint(t, !=, XBT_NULL);
    errno = 0;
    g_assert_null(xs_read(f->h, t, "/snap/late", &len));
    g_assert_cmpint(errno, ==, ENOENT);
    g_assert(xs_write(b, XBT_NULL, "/snap/late", "b", 1));
    errno = 0;
    g_assert_null(xs_read(f->h, t, "/snap/late", &len));
    g_assert_cmpint(errno, ==, ENOENT);
    errno = 0;
    g_assert(!xs_transaction_end(f->h, t, false));
    g_assert_cmpint(errno, ==, EAGAIN);
    now = read_str(f->h, XBT_NULL, "/snap/late");
    g_assert_cmpstr(now, ==, "b");
    xs_close(b);
}

/*
 * Handle A creates P/x in a transaction while handle B creates P/y, B
 * before or after A's write: A never listed P, so both commit.
 */
static void test_transaction_sibling_creations(Fix *f, gconstpointer data)
{
    struct xs_handle *b = xs_open(0);

    g_assert(b);
    for (int b_first = 0; b_first < 2; b_first++) {
        g_autofree char *p = g_strdup_printf("/sib%d", b_first);
        g_autofree char *x = g_strdup_printf("%s/x", p);
        g_autofree char *y = g_strdup_printf("%s/y", p);
        g_autofree char *vx = NULL;
        g_autofree char *vy = NULL;
        xs_transaction_t t;
        unsigned int num = 0;
        char **names;

        g_assert(xs_mkdir(f->h, XBT_NULL, p));
        t = xs_transaction_start(f->h);
        g_assert_cmpuint(t, !=, XBT_NULL);
        if (b_first) {
            g_assert(xs_write(b, XBT_NULL, y, "2", 1));
        }
        g_assert(xs_write(f->h, t, x, "1", 1));
        if (!b_first) {
            g_assert(xs_write(b, XBT_NULL, y, "2", 1));
        }
        g_assert(xs_transaction_end(f->h, t, false));
        vx = read_str(b, XBT_NULL, x);
        g_assert_cmpstr(vx, ==, "1");
        vy = read_str(f->h, XBT_NULL, y);
        g_assert_cmpstr(vy, ==, "2");
        names = xs_directory(f->h, XBT_NULL, p, &num);
        g_assert(names);
        g_assert_cmpuint(num, ==, 2);
        g_assert_cmpstr(names[0], ==, "x");
        g_assert_cmpstr(names[1], ==, "y");
        free(names);
    }
    xs_close(b);
}

/* The counter at /ctr as a number. */
static int read_counter(struct xs_handle *h, xs_transaction_t t)
{
    unsigned int len;
    char *v = xs_read(h, t, "/ctr", &len);
    int n;

    g_assert(v);
    n = atoi(v);
    free(v);
    return n;
}

static void write_counter(struct xs_handle *h, xs_transaction_t t, int n)
{
    char buf[16];
    int len = g_snprintf(buf, sizeof(buf), "%d", n);

    g_assert(xs_write(h, t, "/ctr", buf, len));
}

/*
 * Two connections increment one counter in read-modify-write
 * transactions, the usual EAGAIN retry loop: every conflict is caught,
 * so no increment is lost, and each retry eventually commits.
 */
static void test_transaction_retry(Fix *f, gconstpointer data)
{
    struct xs_handle *h2 = xs_open(0);
    struct xs_handle *hs[2] = { f->h, h2 };
    unsigned int eagain = 0;
    const int rounds = 50;

    g_assert(h2);
    write_counter(f->h, XBT_NULL, 0);
    for (int i = 0; i < rounds; i++) {
        xs_transaction_t t[2];
        bool done[2] = { false, false };

        /* Both read the same value, then both try to commit. */
        for (int c = 0; c < 2; c++) {
            t[c] = xs_transaction_start(hs[c]);
            g_assert_cmpuint(t[c], !=, XBT_NULL);
            write_counter(hs[c], t[c], read_counter(hs[c], t[c]) + 1);
        }
        for (int c = 0; c < 2; c++) {
            errno = 0;
            done[c] = xs_transaction_end(hs[c], t[c], false);
            if (!done[c]) {
                g_assert_cmpint(errno, ==, EAGAIN);
                eagain++;
            }
        }
        g_assert(done[0] != done[1]);
        /* The loser retries alone, and now commits. */
        for (int c = 0; c < 2; c++) {
            while (!done[c]) {
                xs_transaction_t r = xs_transaction_start(hs[c]);

                write_counter(hs[c], r, read_counter(hs[c], r) + 1);
                done[c] = xs_transaction_end(hs[c], r, false);
                g_assert(done[c] || errno == EAGAIN);
            }
        }
    }
    g_assert_cmpuint(eagain, ==, rounds);
    g_assert_cmpint(read_counter(h2, XBT_NULL), ==, 2 * rounds);

    /* A connection cannot use another connection's transaction. */
    {
        xs_transaction_t t = xs_transaction_start(f->h);
        unsigned int len;

        errno = 0;
        g_assert_null(xs_read(h2, t, "/ctr", &len));
        g_assert_cmpint(errno, ==, ENOENT);
        g_assert(xs_transaction_end(f->h, t, true));
    }
    xs_close(h2);
}

static void expect_watch(Fix *f, const char *path, const char *token)
{
    unsigned int num = 0;
    char **ev = xs_read_watch(f->h, &num);

    g_assert(ev);
    g_assert_cmpuint(num, ==, 2);
    g_assert_cmpstr(ev[XS_WATCH_PATH], ==, path);
    g_assert_cmpstr(ev[XS_WATCH_TOKEN], ==, token);
    free(ev);
}

static void test_watches(Fix *f, gconstpointer data)
{
    g_assert(xs_watch(f->h, "/w", "tok"));
    expect_watch(f, "/w", "tok");
    g_assert(xs_write(f->h, XBT_NULL, "/w/child", "x", 1));
    expect_watch(f, "/w/child", "tok");
    errno = 0;
    g_assert(!xs_watch(f->h, "/w", "tok"));
    g_assert_cmpint(errno, ==, EEXIST);
    g_assert(xs_watch(f->h, "@introduceDomain", "intro"));
    expect_watch(f, "@introduceDomain", "intro");
    g_assert(xs_introduce_domain(f->h, 7, 0x1234, 3));
    expect_watch(f, "@introduceDomain", "intro");
    g_assert(xs_unwatch(f->h, "/w", "tok"));
    errno = 0;
    g_assert(!xs_unwatch(f->h, "/w", "tok"));
    g_assert_cmpint(errno, ==, ENOENT);
}

/*
 * No other event is on its way: a fresh watch fires at once, after
 * whatever the server had already sent, so it must be the next event.
 */
static void expect_no_watch_queued(Fix *f)
{
    g_assert(xs_watch(f->h, "/sync", "sync"));
    expect_watch(f, "/sync", "sync");
    g_assert(xs_unwatch(f->h, "/sync", "sync"));
}

/*
 * A watch stops firing once removed: the next event after changes to
 * both paths is the other watch's, so the removed one stayed silent.
 */
static void test_watch_unset(Fix *f, gconstpointer data)
{
    g_assert(xs_watch(f->h, "/gone", "t1"));
    expect_watch(f, "/gone", "t1");
    g_assert(xs_write(f->h, XBT_NULL, "/gone/a", "1", 1));
    expect_watch(f, "/gone/a", "t1");
    g_assert(xs_unwatch(f->h, "/gone", "t1"));
    g_assert(xs_write(f->h, XBT_NULL, "/gone/b", "2", 1));
    g_assert(xs_watch(f->h, "/kept", "t2"));
    g_assert(xs_write(f->h, XBT_NULL, "/kept/c", "3", 1));
    expect_watch(f, "/kept", "t2");
    expect_watch(f, "/kept/c", "t2");
    expect_no_watch_queued(f);
}

/*
 * Domain introduction and release, as a toolstack does them, fire the
 * special watches of every privileged client.
 */
static void test_domain_watches(Fix *f, gconstpointer data)
{
    g_assert(xs_watch(f->h, "@introduceDomain", "in"));
    expect_watch(f, "@introduceDomain", "in");
    g_assert(xs_watch(f->h, "@releaseDomain", "out"));
    expect_watch(f, "@releaseDomain", "out");
    g_assert(xs_introduce_domain(f->h, 9, 0x5678, 4));
    expect_watch(f, "@introduceDomain", "in");
    g_assert(xs_is_domain_introduced(f->h, 9));
    g_assert(xs_release_domain(f->h, 9));
    expect_watch(f, "@releaseDomain", "out");
    g_assert(!xs_is_domain_introduced(f->h, 9));
    expect_no_watch_queued(f);
}

static void test_domains(Fix *f, gconstpointer data)
{
    char *p = xs_get_domain_path(f->h, 5);

    g_assert_cmpstr(p, ==, "/local/domain/5");
    free(p);
    g_assert(!xs_is_domain_introduced(f->h, 5));
    g_assert(xs_introduce_domain(f->h, 5, 100, 2));
    g_assert(xs_is_domain_introduced(f->h, 5));
    g_assert(xs_resume_domain(f->h, 5));
    g_assert(xs_set_target(f->h, 6, 5));
    g_assert(xs_release_domain(f->h, 5));
    g_assert(!xs_is_domain_introduced(f->h, 5));
    errno = 0;
    g_assert(!xs_release_domain(f->h, 5));
    g_assert_cmpint(errno, ==, ENOENT);
}

/* The next event of @h within a few seconds, or a test failure. */
static void expect_watch_on(struct xs_handle *h, const char *path,
                            const char *token)
{
    struct pollfd pfd = { .fd = xs_fileno(h), .events = POLLIN };
    char **ev = NULL;

    for (int i = 0; i < 50 && !ev; i++) {
        ev = xs_check_watch(h);
        if (!ev) {
            g_assert_cmpint(errno, ==, EAGAIN);
            poll(&pfd, 1, 100);
        }
    }
    g_assert(ev);
    g_assert_cmpstr(ev[XS_WATCH_PATH], ==, path);
    g_assert_cmpstr(ev[XS_WATCH_TOKEN], ==, token);
    free(ev);
}

/*
 * Introducing or releasing domain 0 is refused (EINVAL), and another
 * client, also domain 0, keeps its watch and its transaction.
 */
static void test_domain0_refused(Fix *f, gconstpointer data)
{
    struct xs_handle *h2 = xs_open(0);
    xs_transaction_t t;

    g_assert(h2);
    g_assert(xs_write(f->h, XBT_NULL, "/kept", "", 0));
    g_assert(xs_watch(h2, "/kept", "k"));
    expect_watch_on(h2, "/kept", "k");
    t = xs_transaction_start(h2);
    g_assert(t != XBT_NULL);

    errno = 0;
    g_assert(!xs_introduce_domain(f->h, 0, 100, 2));
    g_assert_cmpint(errno, ==, EINVAL);
    errno = 0;
    g_assert(!xs_release_domain(f->h, 0));
    g_assert_cmpint(errno, ==, EINVAL);
    g_assert(!xs_is_domain_introduced(f->h, 0));

    g_assert(xs_write(f->h, XBT_NULL, "/kept/x", "1", 1));
    expect_watch_on(h2, "/kept/x", "k");
    g_assert(xs_write(h2, t, "/kept/y", "2", 1));
    g_assert(xs_transaction_end(h2, t, false));
    xs_close(h2);
}

static void test_permissions(Fix *f, gconstpointer data)
{
    struct xs_permissions set[4] = {
        { .id = 0, .perms = XS_PERM_NONE },
        { .id = 3, .perms = XS_PERM_READ },
        { .id = 4, .perms = XS_PERM_WRITE },
        { .id = 5, .perms = XS_PERM_READ | XS_PERM_WRITE },
    };
    struct xs_permissions *got;
    unsigned int num = 0;

    g_assert(xs_write(f->h, XBT_NULL, "/p", "", 0));
    g_assert(xs_set_permissions(f->h, XBT_NULL, "/p", set, 4));
    got = xs_get_permissions(f->h, XBT_NULL, "/p", &num);
    g_assert(got);
    g_assert_cmpuint(num, ==, 4);
    for (unsigned int i = 0; i < num; i++) {
        g_assert_cmpuint(got[i].id, ==, set[i].id);
        g_assert_cmpuint(got[i].perms, ==, set[i].perms);
    }
    free(got);
    /* A new child inherits them. */
    g_assert(xs_write(f->h, XBT_NULL, "/p/child", "", 0));
    got = xs_get_permissions(f->h, XBT_NULL, "/p/child", &num);
    g_assert_cmpuint(num, ==, 4);
    g_assert_cmpuint(got[3].id, ==, 5);
    g_assert_cmpuint(got[3].perms, ==, XS_PERM_READ | XS_PERM_WRITE);
    free(got);
    errno = 0;
    g_assert_null(xs_get_permissions(f->h, XBT_NULL, "/p/none", &num));
    g_assert_cmpint(errno, ==, ENOENT);
}

static void test_control(Fix *f, gconstpointer data)
{
    char *r = xs_control_command(f->h, "help", NULL, 0);

    g_assert_cmpstr(r, ==, "help\nquota\n");
    free(r);
    r = xs_control_command(f->h, "quota", NULL, 0);
    g_assert(r && strstr(r, "nodes 1000\n"));
    free(r);
    errno = 0;
    g_assert_null(xs_control_command(f->h, "no-such-command", NULL, 0));
    g_assert_cmpint(errno, ==, EINVAL);
}

/* A client that sends len > 4096 is disconnected; others carry on. */
static void test_protocol_error_closes(Fix *f, gconstpointer data)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    uint32_t hdr[4] = { XS_READ, 1, 0, 4097 };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    char buf[16];
    XsSocketServerStats stats;
    char *v;
    unsigned int len;

    strcpy(addr.sun_path, f->path);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==,
                    0);
    g_assert_cmpint(write(fd, hdr, sizeof(hdr)), ==, sizeof(hdr));
    g_assert_cmpint(read(fd, buf, sizeof(buf)), ==, 0);
    close(fd);
    xs_socket_server_get_stats(xs_server_thread_server(f->srv), &stats);
    g_assert_cmpuint(stats.protocol_errors, ==, 1);
    g_assert(xs_write(f->h, XBT_NULL, "/still", "ok", 2));
    v = xs_read(f->h, XBT_NULL, "/still", &len);
    g_assert_cmpstr(v, ==, "ok");
    free(v);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    /* Before any thread exists. */
    xs_test_socket_init(&sock, "xs-libxenstore-XXXXXX");
    g_test_add("/xs-libxenstore/read-write", Fix, NULL, fix_setup,
               test_read_write, fix_teardown);
    g_test_add("/xs-libxenstore/big-directory", Fix, NULL, fix_setup,
               test_big_directory, fix_teardown);
    g_test_add("/xs-libxenstore/transactions", Fix, NULL, fix_setup,
               test_transactions, fix_teardown);
    g_test_add("/xs-libxenstore/transaction-retry", Fix, NULL, fix_setup,
               test_transaction_retry, fix_teardown);
    g_test_add("/xs-libxenstore/transaction-repeated-read", Fix, NULL,
               fix_setup, test_transaction_repeated_read, fix_teardown);
    g_test_add("/xs-libxenstore/transaction-read-created-since", Fix, NULL,
               fix_setup, test_transaction_read_created_since,
               fix_teardown);
    g_test_add("/xs-libxenstore/transaction-sibling-creations", Fix, NULL,
               fix_setup, test_transaction_sibling_creations, fix_teardown);
    g_test_add("/xs-libxenstore/watches", Fix, NULL, fix_setup,
               test_watches, fix_teardown);
    g_test_add("/xs-libxenstore/watch-unset", Fix, NULL, fix_setup,
               test_watch_unset, fix_teardown);
    g_test_add("/xs-libxenstore/domain-watches", Fix, NULL, fix_setup,
               test_domain_watches, fix_teardown);
    g_test_add("/xs-libxenstore/domains", Fix, NULL, fix_setup,
               test_domains, fix_teardown);
    g_test_add("/xs-libxenstore/domain0-refused", Fix, NULL, fix_setup,
               test_domain0_refused, fix_teardown);
    g_test_add("/xs-libxenstore/permissions", Fix, NULL, fix_setup,
               test_permissions, fix_teardown);
    g_test_add("/xs-libxenstore/control", Fix, NULL, fix_setup,
               test_control, fix_teardown);
    g_test_add("/xs-libxenstore/protocol-error", Fix, NULL, fix_setup,
               test_protocol_error_closes, fix_teardown);
    ret = g_test_run();
    xs_test_socket_cleanup(&sock);
    return ret;
}
