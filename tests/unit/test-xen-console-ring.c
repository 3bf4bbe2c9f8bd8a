/*
 * Tests of the Xen console ring's backend side on an in-memory page:
 * the layout hvc_xen uses, output handed to a sink that takes N bytes
 * at a time, input as far as there is room, index wraparound at
 * UINT32_MAX, hostile indexes stopping the ring, flow control (a sink
 * that takes nothing keeps out_cons still and host memory flat), and a
 * guest thread scribbling on the page while the backend runs.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <malloc.h>
#include "qemu/atomic.h"
#include "hw/char/xen_console_ring.h"

/* A fake character backend taking at most limit bytes per call. */
typedef struct Sink {
    size_t limit;
    GByteArray *got;
    unsigned calls;
    size_t max_offered;
} Sink;

static size_t sink_take(void *opaque, const uint8_t *buf, size_t len)
{
    Sink *s = opaque;
    size_t n = MIN(len, s->limit);

    s->calls++;
    s->max_offered = MAX(s->max_offered, len);
    g_byte_array_append(s->got, buf, n);
    return n;
}

static struct xencons_interface *page_new(void)
{
    /* Exactly one page: a sanitizer build catches any access beyond. */
    return g_malloc0(4096);
}

/* What hvc_xen's write does: copy in while there is room, then publish. */
static size_t guest_write(struct xencons_interface *p, const char *data,
                          size_t len)
{
    uint32_t cons = p->out_cons, prod = p->out_prod;
    size_t sent = 0;

    while (sent < len && prod - cons < XENCONS_OUT_SIZE) {
        p->out[prod++ & (XENCONS_OUT_SIZE - 1)] = data[sent++];
    }
    smp_wmb();
    p->out_prod = prod;
    return sent;
}

/* What hvc_xen's read does. */
static size_t guest_read(struct xencons_interface *p, char *buf, size_t len)
{
    uint32_t cons = p->in_cons, prod = p->in_prod;
    size_t got = 0;

    smp_rmb();
    while (cons != prod && got < len) {
        buf[got++] = p->in[cons++ & (XENCONS_IN_SIZE - 1)];
    }
    smp_mb();
    p->in_cons = cons;
    return got;
}

static void sink_init(Sink *s, size_t limit)
{
    memset(s, 0, sizeof(*s));
    s->limit = limit;
    s->got = g_byte_array_new();
}

static void test_layout(void)
{
    g_assert_cmpuint(offsetof(struct xencons_interface, in), ==, 0);
    g_assert_cmpuint(offsetof(struct xencons_interface, out), ==, 1024);
    g_assert_cmpuint(offsetof(struct xencons_interface, in_cons), ==, 3072);
    g_assert_cmpuint(offsetof(struct xencons_interface, in_prod), ==, 3076);
    g_assert_cmpuint(offsetof(struct xencons_interface, out_cons), ==, 3080);
    g_assert_cmpuint(offsetof(struct xencons_interface, out_prod), ==, 3084);
    g_assert_cmpuint(sizeof(struct xencons_interface), ==, 3088);
}

static void test_output(void)
{
    struct xencons_interface *p = page_new();
    XenConsRing r = { 0 };
    Sink s;

    sink_init(&s, SIZE_MAX);
    /* Detached: nothing, and the sink is not asked. */
    g_assert_cmpuint(xencons_ring_drain_out(&r, sink_take, &s), ==, 0);
    xencons_ring_attach(&r, p);
    g_assert_cmpuint(xencons_ring_drain_out(&r, sink_take, &s), ==, 0);
    g_assert_cmpuint(s.calls, ==, 0);
    g_assert_cmpuint(guest_write(p, "hello", 5), ==, 5);
    g_assert_cmpuint(xencons_ring_out_pending(&r), ==, 5);
    g_assert_cmpuint(xencons_ring_drain_out(&r, sink_take, &s), ==, 5);
    g_assert_cmpmem(s.got->data, s.got->len, "hello", 5);
    g_assert_cmpuint(p->out_cons, ==, 5);
    g_assert_cmpuint(xencons_ring_out_pending(&r), ==, 0);
    g_byte_array_unref(s.got);
    g_free(p);
}

/* Output in a sink's small bites, across the ring's end, in order. */
static void test_output_chunks(void)
{
    struct xencons_interface *p = page_new();
    XenConsRing r = { 0 };
    GString *sent = g_string_new(NULL);
    Sink s;

    sink_init(&s, 7);
    xencons_ring_attach(&r, p);
    for (int round = 0; round < 40; round++) {
        char line[300];
        size_t len = g_snprintf(line, sizeof(line), "%d:%0*d|", round,
                                100 + round * 5, round);
        size_t done = 0;

        while (done < len) {
            size_t n = guest_write(p, line + done, len - done);

            done += n;
            g_string_append_len(sent, line + done - n, n);
            while (xencons_ring_out_pending(&r)) {
                size_t got = xencons_ring_drain_out(&r, sink_take, &s);

                g_assert_cmpuint(got, >, 0);
                g_assert_cmpuint(got, <=, 7);
            }
        }
    }
    g_assert_cmpuint(s.got->len, ==, sent->len);
    g_assert_cmpmem(s.got->data, s.got->len, sent->str, sent->len);
    g_assert_cmpuint(p->out_cons, ==, sent->len);
    g_assert_false(xencons_ring_stopped(&r));
    g_string_free(sent, true);
    g_byte_array_unref(s.got);
    g_free(p);
}

static void test_wraparound(void)
{
    struct xencons_interface *p = page_new();
    XenConsRing r = { 0 };
    char data[1500], back[1024];
    Sink s;

    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = 'a' + i % 26;
    }
    /* A guest whose indexes are about to wrap (kexec, a long uptime). */
    p->out_cons = p->out_prod = UINT32_MAX - 10;
    p->in_cons = p->in_prod = UINT32_MAX - 3;
    sink_init(&s, SIZE_MAX);
    xencons_ring_attach(&r, p);

    g_assert_cmpuint(guest_write(p, data, sizeof(data)), ==, sizeof(data));
    g_assert_cmpuint(xencons_ring_out_pending(&r), ==, sizeof(data));
    g_assert_cmpuint(xencons_ring_drain_out(&r, sink_take, &s), ==,
                     sizeof(data));
    g_assert_cmpmem(s.got->data, s.got->len, data, sizeof(data));
    g_assert_cmpuint(p->out_cons, ==, (uint32_t)(UINT32_MAX - 10 + 1500));

    g_assert_cmpuint(xencons_ring_in_room(&r), ==, XENCONS_IN_SIZE);
    g_assert_cmpuint(xencons_ring_push_in(&r, (uint8_t *)data, 100), ==, 100);
    g_assert_cmpuint(p->in_prod, ==, (uint32_t)(UINT32_MAX - 3 + 100));
    g_assert_cmpuint(guest_read(p, back, sizeof(back)), ==, 100);
    g_assert_cmpmem(back, 100, data, 100);
    g_assert_false(xencons_ring_stopped(&r));
    g_byte_array_unref(s.got);
    g_free(p);
}

static void test_input(void)
{
    struct xencons_interface *p = page_new();
    XenConsRing r = { 0 };
    uint8_t data[1500];
    char back[2048];
    size_t got = 0;

    for (size_t i = 0; i < sizeof(data); i++) {
        data[i] = i * 7;
    }
    g_assert_cmpuint(xencons_ring_in_room(&r), ==, 0);      /* detached */
    xencons_ring_attach(&r, p);
    g_assert_cmpuint(xencons_ring_in_room(&r), ==, 1024);
    /* No more than the room is taken; the rest is the caller's. */
    g_assert_cmpuint(xencons_ring_push_in(&r, data, sizeof(data)), ==, 1024);
    g_assert_cmpuint(xencons_ring_in_room(&r), ==, 0);
    g_assert_cmpuint(xencons_ring_push_in(&r, data + 1024, 476), ==, 0);
    got += guest_read(p, back, 100);
    g_assert_cmpuint(xencons_ring_in_room(&r), ==, 100);
    g_assert_cmpuint(xencons_ring_push_in(&r, data + 1024, 476), ==, 100);
    got += guest_read(p, back + got, sizeof(back) - got);
    g_assert_cmpuint(got, ==, 1124);
    g_assert_cmpmem(back, got, data, got);
    g_assert_false(xencons_ring_stopped(&r));
    g_free(p);
}

static void check_stopped(XenConsRing *r, struct xencons_interface *p)
{
    Sink s;

    sink_init(&s, SIZE_MAX);
    g_assert_true(xencons_ring_stopped(r));
    g_assert_cmpuint(xencons_ring_drain_out(r, sink_take, &s), ==, 0);
    g_assert_cmpuint(xencons_ring_out_pending(r), ==, 0);
    g_assert_cmpuint(xencons_ring_in_room(r), ==, 0);
    g_assert_cmpuint(xencons_ring_push_in(r, (uint8_t *)"x", 1), ==, 0);
    g_assert_cmpuint(s.calls, ==, 0);
    g_byte_array_unref(s.got);
}

static void test_hostile_out_prod(void)
{
    static const uint32_t bad_delta[] = { 2049, 4096, 0x80000000u,
                                          UINT32_MAX };
    struct xencons_interface *p = page_new();
    XenConsRing r = { 0 };
    Sink s;

    sink_init(&s, SIZE_MAX);
    for (size_t i = 0; i < ARRAY_SIZE(bad_delta); i++) {
        memset(p, 0, 4096);
        p->out_cons = 100;
        xencons_ring_attach(&r, p);
        p->out_prod = 100 + bad_delta[i];
        g_assert_cmpuint(xencons_ring_drain_out(&r, sink_take, &s), ==, 0);
        check_stopped(&r, p);
        /* It stays stopped even if the guest puts the index right. */
        p->out_prod = 101;
        check_stopped(&r, p);
        g_assert_cmpuint(p->out_cons, ==, 100);
    }
    /* Exactly full is fine. */
    memset(p, 0, 4096);
    xencons_ring_attach(&r, p);
    p->out_prod = XENCONS_OUT_SIZE;
    g_assert_cmpuint(xencons_ring_drain_out(&r, sink_take, &s), ==, 2048);
    g_assert_false(xencons_ring_stopped(&r));
    g_assert_cmpuint(s.calls, ==, 1);
    g_byte_array_unref(s.got);
    g_free(p);
}

static void test_hostile_in_cons(void)
{
    struct xencons_interface *p = page_new();
    XenConsRing r = { 0 };

    xencons_ring_attach(&r, p);
    g_assert_cmpuint(xencons_ring_push_in(&r, (uint8_t *)"abc", 3), ==, 3);
    /* Claims to have read a byte we never wrote. */
    p->in_cons = 4;
    g_assert_cmpuint(xencons_ring_in_room(&r), ==, 0);
    check_stopped(&r, p);
    g_assert_cmpuint(p->in_prod, ==, 3);

    /* Further behind than the ring is long. */
    memset(p, 0, 4096);
    p->in_prod = 2000;
    p->in_cons = 2000;
    xencons_ring_attach(&r, p);
    p->in_cons = 2000 - 1025;
    g_assert_cmpuint(xencons_ring_push_in(&r, (uint8_t *)"x", 1), ==, 0);
    check_stopped(&r, p);

    /* A fresh attach (reset, reconnect) serves again. */
    memset(p, 0, 4096);
    xencons_ring_attach(&r, p);
    g_assert_false(xencons_ring_stopped(&r));
    g_assert_cmpuint(xencons_ring_in_room(&r), ==, 1024);
    g_free(p);
}

/* The guest scribbling on the index we own changes nothing for us. */
static void test_guest_writes_our_index(void)
{
    struct xencons_interface *p = page_new();
    XenConsRing r = { 0 };
    Sink s;

    sink_init(&s, SIZE_MAX);
    xencons_ring_attach(&r, p);
    guest_write(p, "abcdef", 6);
    g_assert_cmpuint(xencons_ring_drain_out(&r, sink_take, &s), ==, 6);
    p->out_cons = 0;            /* asks us to repeat ourselves */
    g_assert_cmpuint(xencons_ring_drain_out(&r, sink_take, &s), ==, 0);
    g_assert_cmpuint(s.got->len, ==, 6);
    guest_write(p, "gh", 2);    /* believes the ring holds 8 bytes */
    p->out_prod = 8;
    g_assert_cmpuint(xencons_ring_drain_out(&r, sink_take, &s), ==, 2);
    g_assert_cmpmem(s.got->data, s.got->len, "abcdefgh", 8);
    g_assert_cmpuint(p->out_cons, ==, 8);
    g_byte_array_unref(s.got);
    g_free(p);
}

/*
 * A host reader that takes nothing: the ring stays full, out_cons stays
 * where it is, the guest cannot add more, and we buffer nothing.
 */
static void test_flow_control(void)
{
    struct xencons_interface *p = page_new();
    XenConsRing r = { 0 };
    char data[XENCONS_OUT_SIZE];
    struct mallinfo2 before, after;
    Sink s;

    memset(data, 'z', sizeof(data));
    sink_init(&s, 0);
    xencons_ring_attach(&r, p);
    g_assert_cmpuint(guest_write(p, data, sizeof(data)), ==, sizeof(data));
    g_byte_array_set_size(s.got, 0);

    before = mallinfo2();
    for (int i = 0; i < 100000; i++) {
        g_assert_cmpuint(xencons_ring_drain_out(&r, sink_take, &s), ==, 0);
        g_assert_cmpuint(guest_write(p, "more", 4), ==, 0);
    }
    after = mallinfo2();
    g_assert_cmpuint(after.uordblks, ==, before.uordblks);
    g_assert_cmpuint(p->out_cons, ==, 0);
    g_assert_cmpuint(s.got->len, ==, 0);
    g_assert_cmpuint(s.max_offered, ==, XENCONS_OUT_SIZE);

    /* The reader wakes up: one bite frees that much room. */
    s.limit = 1000;
    g_assert_cmpuint(xencons_ring_drain_out(&r, sink_take, &s), ==, 1000);
    g_assert_cmpuint(p->out_cons, ==, 1000);
    g_assert_cmpuint(guest_write(p, data, sizeof(data)), ==, 1000);
    g_byte_array_unref(s.got);
    g_free(p);
}

/* A hostile guest thread scribbling everywhere while the backend runs. */
typedef struct Scribbler {
    struct xencons_interface *p;
    bool stop;
} Scribbler;

static gpointer scribble(gpointer opaque)
{
    Scribbler *sc = opaque;
    GRand *rand = g_rand_new_with_seed(42);
    uint32_t *words = (uint32_t *)sc->p;

    while (!qatomic_read(&sc->stop)) {
        uint32_t i = g_rand_int_range(rand, 0, 4096 / 4);

        qatomic_set(&words[i], g_rand_int(rand));
        if (g_rand_boolean(rand)) {
            /* Mostly plausible indexes, so the backend keeps going. */
            qatomic_set(&sc->p->out_prod, qatomic_read(&sc->p->out_cons) +
                        g_rand_int_range(rand, 0, 2100));
            qatomic_set(&sc->p->in_cons, qatomic_read(&sc->p->in_prod) -
                        g_rand_int_range(rand, 0, 1030));
        }
    }
    g_rand_free(rand);
    return NULL;
}

static void test_concurrent_hostile_guest(void)
{
    Scribbler sc = { .p = page_new() };
    XenConsRing r = { 0 };
    GThread *t = g_thread_new("guest", scribble, &sc);
    gint64 end = g_get_monotonic_time() + G_USEC_PER_SEC / 2;
    unsigned stops = 0;
    Sink s;

    sink_init(&s, 100);
    while (g_get_monotonic_time() < end) {
        uint8_t in[64] = { 0 };

        xencons_ring_attach(&r, sc.p);
        for (int i = 0; i < 100 && !xencons_ring_stopped(&r); i++) {
            g_assert_cmpuint(xencons_ring_drain_out(&r, sink_take, &s), <=,
                             100);
            g_assert_cmpuint(xencons_ring_in_room(&r), <=, XENCONS_IN_SIZE);
            g_assert_cmpuint(xencons_ring_push_in(&r, in, sizeof(in)), <=,
                             sizeof(in));
        }
        stops += xencons_ring_stopped(&r);
        g_byte_array_set_size(s.got, 0);
    }
    qatomic_set(&sc.stop, true);
    g_thread_join(t);
    g_assert_cmpuint(s.max_offered, <=, XENCONS_OUT_SIZE);
    g_test_message("%u stops", stops);
    g_byte_array_unref(s.got);
    g_free(sc.p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xen-console-ring/layout", test_layout);
    g_test_add_func("/xen-console-ring/output", test_output);
    g_test_add_func("/xen-console-ring/output-chunks", test_output_chunks);
    g_test_add_func("/xen-console-ring/wraparound", test_wraparound);
    g_test_add_func("/xen-console-ring/input", test_input);
    g_test_add_func("/xen-console-ring/hostile-out-prod",
                    test_hostile_out_prod);
    g_test_add_func("/xen-console-ring/hostile-in-cons",
                    test_hostile_in_cons);
    g_test_add_func("/xen-console-ring/guest-writes-our-index",
                    test_guest_writes_our_index);
    g_test_add_func("/xen-console-ring/flow-control", test_flow_control);
    g_test_add_func("/xen-console-ring/concurrent-hostile-guest",
                    test_concurrent_hostile_guest);
    return g_test_run();
}
