/*
 * Tests of the main loop: fd handlers (read, write, hang-up, changes
 * from inside a handler) and bottom halves (schedule, cancel, delete,
 * rescheduling, wake-up from another thread).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/trace-control.h"
#include "qemu/main-loop.h"
#include <sys/eventfd.h>
#include <sys/socket.h>

/* Run the loop without blocking until nothing more is ready. */
static int drain(void)
{
    int n = 0;

    while (main_loop_wait(true)) {
        n++;
        g_assert_cmpint(n, <, 1000);
    }
    return n;
}

typedef struct FdCounter {
    int fd;
    int reads;
    int writes;
    bool consume;               /* read the eventfd in the read handler */
    bool remove_in_read;
    bool drop_write_in_read;
} FdCounter;

static void count_read(void *opaque)
{
    FdCounter *c = opaque;
    uint64_t v;

    c->reads++;
    if (c->consume) {
        g_assert_cmpint(read(c->fd, &v, sizeof(v)), ==, sizeof(v));
    }
    if (c->remove_in_read) {
        qemu_set_fd_handler(c->fd, NULL, NULL, NULL);
    }
    if (c->drop_write_in_read) {
        qemu_set_fd_handler(c->fd, count_read, NULL, c);
    }
}

static void count_write(void *opaque)
{
    FdCounter *c = opaque;

    c->writes++;
}

static void signal_eventfd(int fd)
{
    uint64_t one = 1;

    g_assert_cmpint(write(fd, &one, sizeof(one)), ==, sizeof(one));
}

static void test_nothing_ready(void)
{
    drain();
    g_assert_false(main_loop_wait(true));
}

static void test_fd_read(void)
{
    FdCounter c = { .fd = eventfd(0, EFD_NONBLOCK), .consume = true };

    g_assert_cmpint(c.fd, >=, 0);
    qemu_set_fd_handler(c.fd, count_read, NULL, &c);
    drain();
    g_assert_cmpint(c.reads, ==, 0);

    signal_eventfd(c.fd);
    g_assert_true(main_loop_wait(false));
    g_assert_cmpint(c.reads, ==, 1);
    drain();
    g_assert_cmpint(c.reads, ==, 1);

    /* Removed: a signal no longer calls the handler. */
    qemu_set_fd_handler(c.fd, NULL, NULL, NULL);
    signal_eventfd(c.fd);
    drain();
    g_assert_cmpint(c.reads, ==, 1);
    /* Removing an fd that is not watched is harmless. */
    qemu_set_fd_handler(c.fd, NULL, NULL, NULL);
    close(c.fd);
}

static void test_fd_level_triggered(void)
{
    FdCounter c = { .fd = eventfd(0, EFD_NONBLOCK) };

    /* Not consumed: the handler runs again on every iteration. */
    qemu_set_fd_handler(c.fd, count_read, NULL, &c);
    signal_eventfd(c.fd);
    main_loop_wait(true);
    main_loop_wait(true);
    main_loop_wait(true);
    g_assert_cmpint(c.reads, ==, 3);
    qemu_set_fd_handler(c.fd, NULL, NULL, NULL);
    close(c.fd);
}

static void test_fd_write_and_replace(void)
{
    int sv[2];
    FdCounter c = { 0 };
    char byte = 'x';

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv),
                    ==, 0);
    c.fd = sv[0];
    qemu_set_fd_handler(sv[0], NULL, count_write, &c);
    g_assert_true(main_loop_wait(true));
    g_assert_cmpint(c.writes, ==, 1);
    g_assert_cmpint(c.reads, ==, 0);

    /* Replacing the handlers of the same fd: now only reads. */
    qemu_set_fd_handler(sv[0], count_read, NULL, &c);
    drain();
    g_assert_cmpint(c.writes, ==, 1);
    g_assert_cmpint(c.reads, ==, 0);
    g_assert_cmpint(write(sv[1], &byte, 1), ==, 1);
    main_loop_wait(true);
    g_assert_cmpint(c.reads, ==, 1);
    g_assert_cmpint(read(sv[0], &byte, 1), ==, 1);

    qemu_set_fd_handler(sv[0], NULL, NULL, NULL);
    close(sv[0]);
    close(sv[1]);
}

static void test_fd_hangup_reads(void)
{
    int sv[2];
    FdCounter c = { 0 };

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv),
                    ==, 0);
    c.fd = sv[0];
    c.remove_in_read = true;
    qemu_set_fd_handler(sv[0], count_read, NULL, &c);
    drain();
    g_assert_cmpint(c.reads, ==, 0);
    close(sv[1]);
    /* The peer's close is seen by the read handler (EOF). */
    g_assert_true(main_loop_wait(false));
    g_assert_cmpint(c.reads, ==, 1);
    drain();
    g_assert_cmpint(c.reads, ==, 1);
    close(sv[0]);
}

static void test_fd_handler_changes_itself(void)
{
    int sv[2];
    FdCounter c = { 0 };
    char byte = 'x';

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv),
                    ==, 0);
    c.fd = sv[0];
    g_assert_cmpint(write(sv[1], &byte, 1), ==, 1);

    /* Readable and writable; the read handler removes the watch. */
    c.remove_in_read = true;
    qemu_set_fd_handler(sv[0], count_read, count_write, &c);
    main_loop_wait(true);
    g_assert_cmpint(c.reads, ==, 1);
    g_assert_cmpint(c.writes, ==, 0);
    drain();
    g_assert_cmpint(c.reads, ==, 1);

    /* The read handler drops its write handler: write is not called. */
    c.remove_in_read = false;
    c.drop_write_in_read = true;
    qemu_set_fd_handler(sv[0], count_read, count_write, &c);
    main_loop_wait(true);
    g_assert_cmpint(c.reads, ==, 2);
    g_assert_cmpint(c.writes, ==, 0);

    qemu_set_fd_handler(sv[0], NULL, NULL, NULL);
    close(sv[0]);
    close(sv[1]);
}

typedef struct BHCounter {
    QEMUBH *bh;
    int runs;
    int reschedule;             /* times to schedule itself again */
    bool delete_self;
} BHCounter;

static void bh_count(void *opaque)
{
    BHCounter *b = opaque;

    b->runs++;
    if (b->reschedule > 0) {
        b->reschedule--;
        qemu_bh_schedule(b->bh);
    }
    if (b->delete_self) {
        qemu_bh_delete(b->bh);
        b->bh = NULL;
    }
}

static void test_bh_runs_once(void)
{
    BHCounter b = { 0 };

    b.bh = qemu_bh_new(bh_count, &b);
    drain();
    g_assert_cmpint(b.runs, ==, 0);
    qemu_bh_schedule(b.bh);
    qemu_bh_schedule(b.bh);
    g_assert_true(main_loop_wait(false));
    g_assert_cmpint(b.runs, ==, 1);
    drain();
    g_assert_cmpint(b.runs, ==, 1);

    qemu_bh_schedule(b.bh);
    drain();
    g_assert_cmpint(b.runs, ==, 2);
    qemu_bh_delete(b.bh);
}

static void test_bh_cancel_and_delete(void)
{
    BHCounter b = { 0 };
    BHCounter d = { 0 };

    b.bh = qemu_bh_new(bh_count, &b);
    qemu_bh_schedule(b.bh);
    qemu_bh_cancel(b.bh);
    drain();
    g_assert_cmpint(b.runs, ==, 0);
    /* Cancelling an idle one is harmless; it can be scheduled again. */
    qemu_bh_cancel(b.bh);
    qemu_bh_schedule(b.bh);
    drain();
    g_assert_cmpint(b.runs, ==, 1);
    qemu_bh_delete(b.bh);

    /* Deleting a scheduled bottom half: it never runs. */
    d.bh = qemu_bh_new(bh_count, &d);
    qemu_bh_schedule(d.bh);
    qemu_bh_delete(d.bh);
    drain();
    g_assert_cmpint(d.runs, ==, 0);
}

static void test_bh_reschedule_and_delete_self(void)
{
    BHCounter b = { .reschedule = 2, .delete_self = false };

    b.bh = qemu_bh_new(bh_count, &b);
    qemu_bh_schedule(b.bh);
    /* One run per iteration: rescheduling does not loop in place. */
    g_assert_true(main_loop_wait(true));
    g_assert_cmpint(b.runs, ==, 1);
    g_assert_true(main_loop_wait(true));
    g_assert_cmpint(b.runs, ==, 2);
    g_assert_true(main_loop_wait(true));
    g_assert_cmpint(b.runs, ==, 3);
    g_assert_false(main_loop_wait(true));

    b.delete_self = true;
    qemu_bh_schedule(b.bh);
    drain();
    g_assert_cmpint(b.runs, ==, 4);
    g_assert_null(b.bh);
}

static gpointer schedule_later(gpointer opaque)
{
    BHCounter *b = opaque;

    g_usleep(20 * 1000);
    qemu_bh_schedule(b->bh);
    return NULL;
}

static void test_bh_from_thread_wakes_loop(void)
{
    BHCounter b = { 0 };
    GThread *t;

    b.bh = qemu_bh_new(bh_count, &b);
    drain();
    t = g_thread_new("bh-scheduler", schedule_later, &b);
    /* Blocks until the other thread schedules the bottom half. */
    while (b.runs == 0) {
        main_loop_wait(false);
    }
    g_thread_join(t);
    g_assert_cmpint(b.runs, ==, 1);
    qemu_bh_delete(b.bh);
}

static void test_bh_and_fd_in_one_iteration(void)
{
    FdCounter c = { .fd = eventfd(0, EFD_NONBLOCK), .consume = true };
    BHCounter b = { 0 };

    b.bh = qemu_bh_new(bh_count, &b);
    qemu_set_fd_handler(c.fd, count_read, NULL, &c);
    signal_eventfd(c.fd);
    qemu_bh_schedule(b.bh);
    g_assert_true(main_loop_wait(false));
    g_assert_cmpint(c.reads, ==, 1);
    g_assert_cmpint(b.runs, ==, 1);
    qemu_set_fd_handler(c.fd, NULL, NULL, NULL);
    qemu_bh_delete(b.bh);
    close(c.fd);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    trace_init_from_env();
    g_test_add_func("/main-loop/nothing-ready", test_nothing_ready);
    g_test_add_func("/main-loop/fd/read", test_fd_read);
    g_test_add_func("/main-loop/fd/level-triggered",
                    test_fd_level_triggered);
    g_test_add_func("/main-loop/fd/write-and-replace",
                    test_fd_write_and_replace);
    g_test_add_func("/main-loop/fd/hangup-reads", test_fd_hangup_reads);
    g_test_add_func("/main-loop/fd/handler-changes-itself",
                    test_fd_handler_changes_itself);
    g_test_add_func("/main-loop/bh/runs-once", test_bh_runs_once);
    g_test_add_func("/main-loop/bh/cancel-and-delete",
                    test_bh_cancel_and_delete);
    g_test_add_func("/main-loop/bh/reschedule-and-delete-self",
                    test_bh_reschedule_and_delete_self);
    g_test_add_func("/main-loop/bh/from-thread-wakes-loop",
                    test_bh_from_thread_wakes_loop);
    g_test_add_func("/main-loop/bh-and-fd-in-one-iteration",
                    test_bh_and_fd_in_one_iteration);
    return g_test_run();
}
