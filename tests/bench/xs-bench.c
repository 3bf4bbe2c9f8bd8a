/*
 * Database benchmark: the workloads W1-W7 and MEM of the XenStore
 * database (docs/devel/xenstore-testing.md), one JSON line per workload.
 * Under callgrind each workload is one dump, for instructions per op.
 *
 * Besides W1-W7 it runs:
 *   W5U     the unwatch of all 200 W5 watches, in registration order
 *   TXREAD  one transaction: start, read the N W1 nodes, abort (per read)
 *   WATCH   register 200 watches on /bench and 200 on /bench/a0, in four
 *           batches of 100 (50 per path); WATCH-first is the first batch,
 *           WATCH-last the last, with 150 watches already on each path
 *   W1T     W1 again (after W7 removed /bench) with 10 transactions open,
 *           started before the writes and aborted after (per write)
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/cutils.h"
#include "hw/xen/xenstore_impl.h"

#include <malloc.h>

#ifdef CONFIG_VALGRIND_CALLGRIND
#include <valgrind/callgrind.h>
#else
/* Without valgrind's header there is nothing to mark. */
#define CALLGRIND_ZERO_STATS do { } while (0)
#define CALLGRIND_DUMP_STATS_AT(name) do { (void)(name); } while (0)
#endif

#define VALUE_LEN 32
#define CHILDREN 1000        /* b0..b999 under each /bench/a<j> */
#define W5_WATCHES 100       /* per watched path */
#define W6_TRANSACTIONS 10
#define WATCH_BATCHES 4      /* of WATCH_PER_PATH watches per path */
#define WATCH_PER_PATH 50
#define W1T_TRANSACTIONS 10

typedef struct BenchResult {
    const char *name;
    uint64_t ops;
    double seconds;
    const char *count_name;  /* extra count, or NULL */
    uint64_t count;
} BenchResult;

typedef struct Bench {
    XenstoreImplState *s;
    unsigned int n;          /* nodes */
    unsigned int nd;         /* n / 1000: directories /bench/a<j> */
    char **paths;            /* "/bench/a<i/1000>/b<i%1000>", i < n */
    GByteArray *value;       /* the 32-byte value of the next write */
    uint64_t value_seq;
    uint64_t events;         /* watch callbacks seen */
    int errors;              /* unexpected failures */
    BenchResult results[24];
    unsigned int nresults;
    double phase_start;
} Bench;

/*
 * Give every write a fresh value: a sequence number in the last 8 bytes,
 * so that the workload measures the store rather than formatting.
 */
static void next_value(Bench *b)
{
    uint64_t seq = ++b->value_seq;

    memcpy(b->value->data + VALUE_LEN - sizeof(seq), &seq, sizeof(seq));
}

static void phase_begin(Bench *b)
{
    CALLGRIND_ZERO_STATS;
    b->phase_start = g_get_monotonic_time() / 1e6;
}

/* Ends a measured phase; the dump name is the workload name. */
static BenchResult *phase_end(Bench *b, const char *name, uint64_t ops)
{
    double end = g_get_monotonic_time() / 1e6;
    BenchResult *r;

    CALLGRIND_DUMP_STATS_AT(name);
    g_assert(b->nresults < ARRAY_SIZE(b->results));
    r = &b->results[b->nresults++];
    r->name = name;
    r->ops = ops;
    r->seconds = end - b->phase_start;
    r->count_name = NULL;
    r->count = 0;
    return r;
}

static inline void check(Bench *b, int ret, const char *what,
                         const char *path)
{
    if (unlikely(ret)) {
        if (b->errors++ < 10) {
            fprintf(stderr, "xs-bench: %s %s: %s\n", what, path,
                    g_strerror(ret));
        }
    }
}

static void count_event(void *opaque, const char *path, const char *token)
{
    ((Bench *)opaque)->events++;
}

static void w1_create(Bench *b)
{
    phase_begin(b);
    for (unsigned int i = 0; i < b->n; i++) {
        next_value(b);
        check(b, xs_impl_write(b->s, 0, XBT_NULL, b->paths[i], b->value),
              "write", b->paths[i]);
    }
    phase_end(b, "W1", b->n);
}

static void w2_read(Bench *b)
{
    GByteArray *data = g_byte_array_new();

    phase_begin(b);
    for (int pass = 0; pass < 3; pass++) {
        for (unsigned int i = 0; i < b->n; i++) {
            g_byte_array_set_size(data, 0);
            check(b, xs_impl_read(b->s, 0, XBT_NULL, b->paths[i], data),
                  "read", b->paths[i]);
        }
    }
    phase_end(b, "W2", 3ull * b->n);
    if (data->len != VALUE_LEN) {
        check(b, EIO, "read length of", b->paths[b->n - 1]);
    }
    g_byte_array_unref(data);
}

/* N reads inside one transaction, which is then aborted. */
static void txread(Bench *b)
{
    GByteArray *data = g_byte_array_new();
    xs_transaction_t tx;

    phase_begin(b);
    check(b, xs_impl_transaction_start(b->s, 0, &tx), "start", "TXREAD");
    for (unsigned int i = 0; i < b->n; i++) {
        g_byte_array_set_size(data, 0);
        check(b, xs_impl_read(b->s, 0, tx, b->paths[i], data), "tx read",
              b->paths[i]);
    }
    check(b, xs_impl_transaction_end(b->s, 0, tx, false), "abort",
          "TXREAD");
    phase_end(b, "TXREAD", b->n);
    g_byte_array_unref(data);
}

static void w3_list(Bench *b)
{
    char **dirs = g_new0(char *, b->nd + 1);
    uint64_t listed = 0;

    for (unsigned int j = 0; j < b->nd; j++) {
        dirs[j] = g_strdup_printf("/bench/a%u", j);
    }
    phase_begin(b);
    for (int pass = 0; pass < 10; pass++) {
        for (unsigned int j = 0; j < b->nd; j++) {
            GList *items = NULL;
            uint64_t gen;

            check(b, xs_impl_directory(b->s, 0, XBT_NULL, dirs[j], &gen,
                                       &items), "directory", dirs[j]);
            listed += g_list_length(items);
            g_list_free_full(items, g_free);
        }
    }
    phase_end(b, "W3", 10ull * b->nd);
    if (listed != 10ull * b->n) {
        check(b, EIO, "children counted under", "/bench");
    }
    g_strfreev(dirs);
}

static void w4_transactions(Bench *b)
{
    GByteArray *data = g_byte_array_new();
    unsigned int ntx = b->n / 10;
    BenchResult *r;
    uint64_t eagain = 0;

    phase_begin(b);
    for (unsigned int t = 0; t < ntx; t++) {
        unsigned int k = t % b->nd;
        const char *path = b->paths[k * CHILDREN + k];
        xs_transaction_t tx;
        int ret;

        check(b, xs_impl_transaction_start(b->s, 0, &tx), "start", path);
        g_byte_array_set_size(data, 0);
        check(b, xs_impl_read(b->s, 0, tx, path, data), "tx read", path);
        next_value(b);
        check(b, xs_impl_write(b->s, 0, tx, path, b->value), "tx write",
              path);
        ret = xs_impl_transaction_end(b->s, 0, tx, true);
        if (ret == EAGAIN) {
            eagain++;
        } else {
            check(b, ret, "commit", path);
        }
    }
    r = phase_end(b, "W4", ntx);
    r->count_name = "eagain";
    r->count = eagain;
    g_byte_array_unref(data);
}

static void w5_watched_writes(Bench *b)
{
    char *wpaths[2 * W5_WATCHES];
    char *tokens[2 * W5_WATCHES];
    uint64_t writes = b->n / 10, failures = 0;
    BenchResult *r;

    for (int w = 0; w < 2 * W5_WATCHES; w++) {
        bool top = w < W5_WATCHES;

        wpaths[w] = g_strdup(top ? "/bench" : "/bench/a0");
        tokens[w] = g_strdup_printf("%s%d", top ? "tb" : "ta",
                                    w % W5_WATCHES);
        check(b, xs_impl_watch(b->s, 0, wpaths[w], tokens[w], count_event,
                               b), "watch", wpaths[w]);
    }
    if (b->events != 2 * W5_WATCHES) {
        check(b, EIO, "first events of watches on", "/bench");
    }
    b->events = 0;

    phase_begin(b);
    for (uint64_t i = 0; i < writes; i++) {
        next_value(b);
        check(b, xs_impl_write(b->s, 0, XBT_NULL, b->paths[i % CHILDREN],
                               b->value), "write", b->paths[i % CHILDREN]);
    }
    r = phase_end(b, "W5", writes);
    r->count_name = "events";
    r->count = b->events;
    if (b->events != writes * 2 * W5_WATCHES) {
        check(b, EIO, "events of watches on", "/bench");
    }

    phase_begin(b);
    for (int w = 0; w < 2 * W5_WATCHES; w++) {
        if (xs_impl_unwatch(b->s, 0, wpaths[w], tokens[w], count_event, b)) {
            failures++;
        }
    }
    r = phase_end(b, "W5U", 2 * W5_WATCHES);
    r->count_name = "unwatch_failures";
    r->count = failures;
    for (int w = 0; w < 2 * W5_WATCHES; w++) {
        g_free(wpaths[w]);
        g_free(tokens[w]);
    }
}

static void w6_disjoint_transactions(Bench *b)
{
    xs_transaction_t tx[W6_TRANSACTIONS];
    GByteArray *data = g_byte_array_new();
    const char *outside = b->paths[b->n - 1];
    uint64_t eagain = 0;
    BenchResult *r;

    phase_begin(b);
    for (int t = 0; t < W6_TRANSACTIONS; t++) {
        const char *path = b->paths[1 * CHILDREN + t];

        check(b, xs_impl_transaction_start(b->s, 0, &tx[t]), "start", path);
        g_byte_array_set_size(data, 0);
        check(b, xs_impl_read(b->s, 0, tx[t], path, data), "tx read", path);
        next_value(b);
        check(b, xs_impl_write(b->s, 0, tx[t], path, b->value), "tx write",
              path);
    }
    next_value(b);
    check(b, xs_impl_write(b->s, 0, XBT_NULL, outside, b->value), "write",
          outside);
    for (int t = 0; t < W6_TRANSACTIONS; t++) {
        int ret = xs_impl_transaction_end(b->s, 0, tx[t], true);

        if (ret == EAGAIN) {
            eagain++;
        } else {
            check(b, ret, "commit", b->paths[1 * CHILDREN + t]);
        }
    }
    r = phase_end(b, "W6", W6_TRANSACTIONS);
    r->count_name = "eagain";
    r->count = eagain;
    g_byte_array_unref(data);
}

static void w7_remove(Bench *b)
{
    GByteArray *data = g_byte_array_new();

    phase_begin(b);
    check(b, xs_impl_rm(b->s, 0, XBT_NULL, "/bench"), "rm", "/bench");
    /* Removed: the leaves, the a<j> directories and /bench itself. */
    phase_end(b, "W7", (uint64_t)b->n + b->nd + 1);
    if (xs_impl_read(b->s, 0, XBT_NULL, "/bench", data) != ENOENT) {
        check(b, EIO, "rm left", "/bench");
    }
    g_byte_array_unref(data);
}

/*
 * Registration cost as watches pile up on two paths: only the first and
 * the last batch are measured, so that they can be compared.
 */
static void watch_registration(Bench *b)
{
    const char *wpath[2] = { "/bench", "/bench/a0" };
    unsigned int total = WATCH_BATCHES * WATCH_PER_PATH;
    char **tokens = g_new0(char *, 2 * total + 1);
    uint64_t failures = 0;

    for (unsigned int k = 0; k < 2 * total; k++) {
        tokens[k] = g_strdup_printf("w%u", k);
    }
    for (unsigned int batch = 0; batch < WATCH_BATCHES; batch++) {
        bool measured = batch == 0 || batch == WATCH_BATCHES - 1;

        if (measured) {
            phase_begin(b);
        }
        for (unsigned int i = 0; i < 2 * WATCH_PER_PATH; i++) {
            unsigned int k = 2 * batch * WATCH_PER_PATH + i;

            check(b, xs_impl_watch(b->s, 0, wpath[k % 2], tokens[k],
                                   count_event, b), "watch", wpath[k % 2]);
        }
        if (measured) {
            phase_end(b, batch ? "WATCH-last" : "WATCH-first",
                      2 * WATCH_PER_PATH);
        }
    }
    for (unsigned int k = 0; k < 2 * total; k++) {
        if (xs_impl_unwatch(b->s, 0, wpath[k % 2], tokens[k], count_event,
                            b)) {
            failures++;
        }
    }
    if (failures) {
        check(b, ENOENT, "unwatch after WATCH on", "/bench");
    }
    g_strfreev(tokens);
}

/* W1 again, on the emptied store, with transactions open meanwhile. */
static void w1_with_transactions(Bench *b)
{
    xs_transaction_t tx[W1T_TRANSACTIONS];

    phase_begin(b);
    for (int t = 0; t < W1T_TRANSACTIONS; t++) {
        check(b, xs_impl_transaction_start(b->s, 0, &tx[t]), "start",
              "W1T");
    }
    for (unsigned int i = 0; i < b->n; i++) {
        next_value(b);
        check(b, xs_impl_write(b->s, 0, XBT_NULL, b->paths[i], b->value),
              "write", b->paths[i]);
    }
    for (int t = 0; t < W1T_TRANSACTIONS; t++) {
        check(b, xs_impl_transaction_end(b->s, 0, tx[t], false), "abort",
              "W1T");
    }
    phase_end(b, "W1T", b->n);
}

static void print_results(Bench *b, double mem_per_node)
{
    double w2_per_op = 0;

    for (unsigned int i = 0; i < b->nresults; i++) {
        if (g_str_equal(b->results[i].name, "W2")) {
            w2_per_op = b->results[i].seconds / b->results[i].ops;
        }
    }
    for (unsigned int i = 0; i < b->nresults; i++) {
        BenchResult *r = &b->results[i];
        double per_op = r->ops ? r->seconds / r->ops : 0;

        printf("{\"workload\":\"%s\",\"n\":%u,\"ops\":%" PRIu64
               ",\"seconds\":%.6f,\"ops_per_sec\":%.0f,"
               "\"ratio_to_W2\":%.3f", r->name, b->n, r->ops, r->seconds,
               r->seconds > 0 ? r->ops / r->seconds : 0,
               w2_per_op > 0 ? per_op / w2_per_op : 0);
        if (r->count_name) {
            printf(",\"%s\":%" PRIu64, r->count_name, r->count);
        }
        printf("}\n");
    }
    if (mem_per_node >= 0) {
        printf("{\"workload\":\"MEM\",\"n\":%u,\"bytes_per_node\":%.1f}\n",
               b->n, mem_per_node);
    }
    fflush(stdout);
}

static uint64_t count_of(Bench *b, const char *name)
{
    for (unsigned int i = 0; i < b->nresults; i++) {
        if (g_str_equal(b->results[i].name, name)) {
            return b->results[i].count;
        }
    }
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: xs-bench [--n N] [--only W4]\n"
            "  --n N      nodes (multiple of 1000, >= 2000; default\n"
            "             $BENCH_N or 10000)\n"
            "  --only W4  run only W1 (to fill the store) and W4\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *env_n = g_getenv("BENCH_N");
    unsigned int n = 10000;
    bool only_w4 = false;
    struct mallinfo2 before, after;
    double mem_per_node;
    Bench b = { 0 };

    if (env_n && qemu_strtoui(env_n, NULL, 10, &n) < 0) {
        usage();
    }
    for (int i = 1; i < argc; i++) {
        if (g_str_equal(argv[i], "--n") && i + 1 < argc) {
            if (qemu_strtoui(argv[++i], NULL, 10, &n) < 0) {
                usage();
            }
        } else if (g_str_equal(argv[i], "--only") && i + 1 < argc &&
                   g_str_equal(argv[i + 1], "W4")) {
            only_w4 = true;
            i++;
        } else {
            usage();
        }
    }
    if (n < 2000 || n % 1000 || n > 1000000) {
        usage();
    }

    b.n = n;
    b.nd = n / 1000;
    b.paths = g_new0(char *, n + 1);
    for (unsigned int i = 0; i < n; i++) {
        b.paths[i] = g_strdup_printf("/bench/a%u/b%u", i / CHILDREN,
                                     i % CHILDREN);
    }
    b.value = g_byte_array_sized_new(VALUE_LEN);
    g_byte_array_set_size(b.value, VALUE_LEN);
    memset(b.value->data, 'v', VALUE_LEN);
    b.s = xs_impl_create(1);

    before = mallinfo2();
    w1_create(&b);
    after = mallinfo2();
    mem_per_node = ((double)after.uordblks - before.uordblks) / n;
    if (!only_w4) {
        w2_read(&b);
        txread(&b);
        w3_list(&b);
    }
    w4_transactions(&b);
    if (!only_w4) {
        w5_watched_writes(&b);
        watch_registration(&b);
        w6_disjoint_transactions(&b);
        w7_remove(&b);
        w1_with_transactions(&b);
    }
    print_results(&b, only_w4 ? -1 : mem_per_node);

    xs_impl_destroy(b.s);
    g_byte_array_unref(b.value);
    g_strfreev(b.paths);

    if (b.errors) {
        fprintf(stderr, "xs-bench: %d unexpected failures\n", b.errors);
        return 1;
    }
    if (count_of(&b, "W6") || count_of(&b, "W5U") ||
        count_of(&b, "W4")) {
        fprintf(stderr, "xs-bench: EAGAIN in W4/W6 or unwatch failures\n");
        return 1;
    }
    return 0;
}
