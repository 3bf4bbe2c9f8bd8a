/*
 * Benchmark of the xen-xenstore device's ring path: XS_READ round trips
 * of a 32-byte node between a guest thread and the device on the main
 * loop, through the real page and eventfds, against a bare eventfd
 * ping-pong between the same two threads; and, under callgrind, the
 * device's instructions per READ.  Prints one JSON object per line.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <sys/eventfd.h>
#include "qemu/atomic.h"
#include "qemu/main-loop.h"
#include "hw/xen/interface/io/xs_wire.h"
#include "hw/i386/kvm/xen_evtchn.h"
#include "hw/i386/kvm/xen_xenstore_test.h"
#ifdef CONFIG_VALGRIND_CALLGRIND
#include <valgrind/callgrind.h>
#else
#define CALLGRIND_TOGGLE_COLLECT
#endif

#define GUEST_DOMID     1
#define NODE            "data/bench"        /* relative to the home */
#define VALUE_LEN       32
#define WARMUP          200

typedef struct Bench {
    XenXenstoreState *s;
    struct xenstore_domain_interface *xs;
    uint8_t value[VALUE_LEN];
    uint8_t request[64];
    size_t request_len;
    size_t reply_len;

    /* Threaded run. */
    unsigned long round_trips;
    unsigned int rounds;
    int ping_fd, pong_fd;       /* bare ping-pong: guest -> main -> guest */
    int device_fd;              /* the device's backend eventfd */
    int guest_fd;               /* the guest's upcall eventfd */
    int done;                   /* the guest thread has finished a phase */
    unsigned long failures;
    double pingpong_s[16];
    double ring_s[16];
} Bench;

static double now_s(void)
{
    return g_get_monotonic_time() / 1e6;
}

static void efd_write(int fd)
{
    uint64_t one = 1;
    ssize_t n = write(fd, &one, sizeof(one));

    g_assert(n == sizeof(one));
}

static void efd_read(int fd)
{
    uint64_t v;
    ssize_t n = read(fd, &v, sizeof(v));

    g_assert(n == sizeof(v));
}

/* ---- the device and its node ---- */

static void bench_setup(Bench *b)
{
    XenXenstoreConfig cfg = { .domid = GUEST_DOMID, .name = "bench" };
    g_autofree char *path = g_strdup_printf("/local/domain/%u/%s",
                                            GUEST_DOMID, NODE);
    g_autoptr(GByteArray) data = g_byte_array_new();
    struct xsd_sockmsg hdr = { .type = XS_READ };

    g_assert_true(xen_evtchn_create(GUEST_DOMID, &error_abort));
    b->s = xen_xenstore_realize(&cfg, &error_abort);
    g_assert_true(xen_xenstore_reset(b->s, &error_abort));
    b->xs = xen_xenstore_ring(b->s);
    for (int i = 0; i < VALUE_LEN; i++) {
        b->value[i] = 'a' + i % 26;
    }
    g_byte_array_append(data, b->value, VALUE_LEN);
    g_assert_cmpint(xs_impl_write(xen_xenstore_impl(b->s), DOMID_QEMU,
                                  XBT_NULL, path, data), ==, 0);

    hdr.len = strlen(NODE) + 1;
    memcpy(b->request, &hdr, sizeof(hdr));
    memcpy(b->request + sizeof(hdr), NODE, hdr.len);
    b->request_len = sizeof(hdr) + hdr.len;
    b->reply_len = sizeof(hdr) + VALUE_LEN;
}

static void bench_teardown(Bench *b)
{
    xen_xenstore_unrealize(b->s);
    xen_evtchn_destroy();
}

/* ---- the guest's side of the ring (no call into the device) ---- */

static void guest_send(Bench *b, uint32_t req_id)
{
    struct xenstore_domain_interface *xs = b->xs;
    XENSTORE_RING_IDX prod = qatomic_read(&xs->req_prod);

    /* One request in flight: the ring always has room for it. */
    memcpy(b->request + 4, &req_id, sizeof(req_id));
    for (size_t i = 0; i < b->request_len; i++) {
        xs->req[MASK_XENSTORE_IDX(prod + i)] = b->request[i];
    }
    smp_wmb();
    qatomic_set(&xs->req_prod, prod + b->request_len);
}

static bool guest_reply_ready(Bench *b)
{
    struct xenstore_domain_interface *xs = b->xs;

    return qatomic_read(&xs->rsp_prod) - qatomic_read(&xs->rsp_cons) >=
           b->reply_len;
}

/* Take the reply and check it; false if it is not the expected one. */
static bool guest_receive(Bench *b, uint32_t req_id)
{
    struct xenstore_domain_interface *xs = b->xs;
    XENSTORE_RING_IDX cons = qatomic_read(&xs->rsp_cons);
    uint8_t reply[64];
    struct xsd_sockmsg hdr;

    smp_rmb();
    for (size_t i = 0; i < b->reply_len; i++) {
        reply[i] = xs->rsp[MASK_XENSTORE_IDX(cons + i)];
    }
    smp_mb();
    qatomic_set(&xs->rsp_cons, cons + b->reply_len);
    memcpy(&hdr, reply, sizeof(hdr));
    return hdr.type == XS_READ && hdr.req_id == req_id &&
           hdr.len == VALUE_LEN &&
           !memcmp(reply + sizeof(hdr), b->value, VALUE_LEN);
}

/* ---- threaded: the guest thread ---- */

static void guest_pingpong(Bench *b, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++) {
        efd_write(b->ping_fd);
        efd_read(b->pong_fd);
    }
}

static void guest_ring(Bench *b, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++) {
        guest_send(b, i);
        /* The doorbell: what a KVM ioeventfd does for a guest's send. */
        efd_write(b->device_fd);
        do {
            efd_read(b->guest_fd);      /* blocks until an upcall */
        } while (!guest_reply_ready(b));
        if (!guest_receive(b, i)) {
            b->failures++;
        }
    }
}

static gpointer guest_thread(gpointer opaque)
{
    Bench *b = opaque;

    for (unsigned int r = 0; r < b->rounds; r++) {
        double t0;

        guest_pingpong(b, WARMUP);
        t0 = now_s();
        guest_pingpong(b, b->round_trips);
        b->pingpong_s[r] = now_s() - t0;

        guest_ring(b, WARMUP);
        t0 = now_s();
        guest_ring(b, b->round_trips);
        b->ring_s[r] = now_s() - t0;
        /* Out of the main loop, back to the ping-pong responder. */
        qatomic_set(&b->done, 1);
        efd_write(b->device_fd);
    }
    return NULL;
}

/* ---- threaded: the main thread ---- */

/* The vCPU's upcall: wake the guest thread, whose handler acks it. */
static void upcall(void *opaque, evtchn_port_t port)
{
    Bench *b = opaque;

    xen_evtchn_clear_port_pending(port);
    efd_write(b->guest_fd);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static double median(const double *v, unsigned int n)
{
    double sorted[16];

    memcpy(sorted, v, n * sizeof(*v));
    qsort(sorted, n, sizeof(*sorted), cmp_double);
    return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

static int run_threaded(Bench *b)
{
    GThread *guest;
    double pp, ring, ratio;

    bench_setup(b);
    b->ping_fd = eventfd(0, EFD_CLOEXEC);
    b->pong_fd = eventfd(0, EFD_CLOEXEC);
    b->guest_fd = eventfd(0, EFD_CLOEXEC);
    b->device_fd = xen_xenstore_evtchn_fd(b->s);
    xen_evtchn_clear_port_pending(xen_xenstore_guest_port(b->s));
    xen_evtchn_set_upcall(upcall, b);

    guest = g_thread_new("guest", guest_thread, b);
    for (unsigned int r = 0; r < b->rounds; r++) {
        for (unsigned long i = 0; i < WARMUP + b->round_trips; i++) {
            efd_read(b->ping_fd);
            efd_write(b->pong_fd);
        }
        while (!qatomic_read(&b->done)) {
            main_loop_wait(false);
        }
        qatomic_set(&b->done, 0);
    }
    g_thread_join(guest);

    for (unsigned int r = 0; r < b->rounds; r++) {
        printf("{\"bench\":\"xen-xenstore-ring\",\"round\":%u,"
               "\"round_trips\":%lu,\"pingpong_per_s\":%.0f,"
               "\"ring_per_s\":%.0f}\n", r, b->round_trips,
               b->round_trips / b->pingpong_s[r],
               b->round_trips / b->ring_s[r]);
    }
    pp = b->round_trips / median(b->pingpong_s, b->rounds);
    ring = b->round_trips / median(b->ring_s, b->rounds);
    ratio = ring / pp;
    printf("{\"bench\":\"xen-xenstore-ring\",\"workload\":\"pingpong\","
           "\"round_trips\":%lu,\"rounds\":%u,\"per_second\":%.0f}\n",
           b->round_trips, b->rounds, pp);
    printf("{\"bench\":\"xen-xenstore-ring\",\"workload\":\"ring-read\","
           "\"round_trips\":%lu,\"rounds\":%u,\"per_second\":%.0f,"
           "\"ratio_to_pingpong\":%.3f,\"target_ratio\":0.5,"
           "\"target_met\":%s,\"failures\":%lu}\n",
           b->round_trips, b->rounds, ring, ratio,
           ratio >= 0.5 ? "true" : "false", b->failures);

    xen_evtchn_set_upcall(NULL, NULL);
    close(b->ping_fd);
    close(b->pong_fd);
    close(b->guest_fd);
    bench_teardown(b);
    return b->failures ? 1 : 0;
}

/*
 * Single-threaded: the bench plays the guest and calls the pump itself,
 * so that callgrind (--collect-atstart=no) counts only the device's work
 * for each READ: taking the request, the store read, the reply.
 */
static int run_device_cost(Bench *b, unsigned long n)
{
    evtchn_port_t port;
    unsigned long failures = 0;

    bench_setup(b);
    port = xen_xenstore_guest_port(b->s);
    for (unsigned long i = 0; i < WARMUP + n; i++) {
        bool measured = i >= WARMUP;

        /* A fresh event each time, as the guest's handler leaves it. */
        xen_evtchn_clear_port_pending(port);
        guest_send(b, i);
        if (measured) {
            CALLGRIND_TOGGLE_COLLECT;
        }
        xen_xenstore_pump(b->s);
        if (measured) {
            CALLGRIND_TOGGLE_COLLECT;
        }
        if (!guest_reply_ready(b) || !guest_receive(b, i)) {
            failures++;
        }
    }
    printf("{\"bench\":\"xen-xenstore-ring\",\"workload\":\"device-cost\","
           "\"reads\":%lu,\"failures\":%lu}\n", n, failures);
    bench_teardown(b);
    return failures ? 1 : 0;
}

/* The instruction total of a callgrind output file, or 0. */
static uint64_t callgrind_total(const char *file)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;
    uint64_t total = 0;

    if (!g_file_get_contents(file, &text, NULL, NULL)) {
        return 0;
    }
    lines = g_strsplit(text, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (g_str_has_prefix(*l, "totals: ") ||
            g_str_has_prefix(*l, "summary: ")) {
            total = g_ascii_strtoull(strchr(*l, ' ') + 1, NULL, 10);
        }
    }
    return total;
}

/*
 * Run this program's --device-cost mode under callgrind, collecting
 * only inside the pump, and report instructions per READ.
 */
static int run_callgrind(const char *self, unsigned long n)
{
    g_autofree char *valgrind = g_find_program_in_path("valgrind");
    g_autofree char *dir = NULL, *out = NULL, *out_arg = NULL;
    g_autofree char *reads = g_strdup_printf("%lu", n);
    g_autofree char *log = NULL, *child_out = NULL;
    g_autoptr(GError) err = NULL;
    uint64_t total;
    int status;

    if (!valgrind) {
        fprintf(stderr, "valgrind not found: no instruction counts\n");
        return 1;
    }
    dir = g_dir_make_tmp("ring-bench-XXXXXX", &err);
    g_assert_no_error(err);
    out = g_build_filename(dir, "callgrind.out", NULL);
    out_arg = g_strdup_printf("--callgrind-out-file=%s", out);
    {
        const char *args[] = {
            valgrind, "--tool=callgrind", "--collect-atstart=no", out_arg,
            self, "--device-cost", reads, NULL,
        };

        if (!g_spawn_sync(NULL, (char **)args, NULL, G_SPAWN_DEFAULT, NULL,
                          NULL, &child_out, &log, &status, &err) ||
            !g_spawn_check_wait_status(status, NULL) ||
            !strstr(child_out, "\"failures\":0}")) {
            fprintf(stderr, "callgrind run failed: %s\n%s\n",
                    err ? err->message : "non-zero exit", log ? log : "");
            return 1;
        }
    }
    total = callgrind_total(out);
    unlink(out);
    rmdir(dir);
    if (!total) {
        fprintf(stderr, "no instruction total in the callgrind output\n");
        return 1;
    }
    printf("{\"bench\":\"xen-xenstore-ring\",\"workload\":\"device-cost\","
           "\"mode\":\"callgrind\",\"reads\":%lu,\"instructions\":%" PRIu64
           ",\"instructions_per_read\":%.0f,\"target\":3000,"
           "\"target_met\":%s}\n", n, total, (double)total / n,
           (double)total / n <= 3000 ? "true" : "false");
    return 0;
}

int main(int argc, char **argv)
{
    Bench b = { .round_trips = 20000, .rounds = 3 };
    unsigned long device_cost = 0, callgrind_reads = 0;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--round-trips") && i + 1 < argc) {
            b.round_trips = strtoul(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
            b.rounds = strtoul(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--device-cost") && i + 1 < argc) {
            device_cost = strtoul(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--callgrind") && i + 1 < argc) {
            callgrind_reads = strtoul(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "usage: %s [--round-trips N] [--rounds R] "
                    "[--callgrind READS] | --device-cost READS\n", argv[0]);
            return 2;
        }
    }
    if (!b.round_trips || !b.rounds || b.rounds > 16) {
        fprintf(stderr, "%s: need N > 0 and 1 <= R <= 16\n", argv[0]);
        return 2;
    }
    if (device_cost) {
        return run_device_cost(&b, device_cost);
    }
    if (run_threaded(&b)) {
        return 1;
    }
    return callgrind_reads ? run_callgrind(argv[0], callgrind_reads) : 0;
}
