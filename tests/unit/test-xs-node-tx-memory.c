/*
 * Tests of the database's transaction rules: the memory a domain's open
 * transactions may hold, dooming over the budget, ENOSPC for a request.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "xs-node-helpers.h"
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include "xs-tx-rules.h"

/*
 * Heap the store may use beyond a domain's transaction budget: its fixed
 * structures (transactions, hash tables) and malloc's own chunk overhead.
 */
#define HEAP_SLACK (256u * KiB)

/* What may stay on the heap after every transaction has ended. */
#define HEAP_RETURN_SLACK (64u * KiB)

/* n letters, for long path components. */
static char *letters(size_t n)
{
    char *v = g_malloc(n + 1);

    for (size_t i = 0; i < n; i++) {
        v[i] = 'a' + i % 26;
    }
    v[n] = '\0';
    return v;
}

/*
 * Heap in use by malloc: glibc's mallinfo2() (uordblks, plus hblkhd for
 * the blocks it mapped on their own).  Not RSS: freed memory counts as
 * free at once.
 */
static size_t heap_in_use(void)
{
#ifdef __GLIBC__
    struct mallinfo2 mi = mallinfo2();

    return mi.uordblks + mi.hblkhd;
#else
    return 0;
#endif
}

/* Whether heap_in_use() sees allocations (not under a sanitizer's malloc). */
static bool heap_measurable(void)
{
    size_t before = heap_in_use();
    char *block = g_malloc(64 * KiB);
    bool seen;

    memset(block, 1, 64 * KiB);
    seen = heap_in_use() >= before + 64 * KiB;
    g_free(block);
    if (!seen) {
        g_test_message("heap use not measurable here: bounds not checked");
    }
    return seen;
}

/* The largest growth seen by assert_heap_below(), for the test's log. */
static size_t heap_peak;

static void assert_heap_below(bool measure, size_t base, size_t bound)
{
    if (measure) {
        size_t now = heap_in_use();
        size_t grown = now > base ? now - base : 0;

        heap_peak = MAX(heap_peak, grown);
        g_assert_cmpuint(grown, <=, bound);
    }
}

/* ---- 9. memory: the budget of a domain's open transactions ------------- */

#define MEM_TX 10

#define MEM_MISSING 1000        /* failing reads per transaction and round */

#define MEM_DENIED 250          /* EACCES reads and writes, the same */

#define MEM_READS 50            /* succeeding reads, the same */

#define MEM_VALUE 1900          /* bytes of each value written */

#define MEM_LONG 1990           /* letters in a long path component */

/* 2 x transaction-nodes x node-size with the default quotas. */
#define MEM_BUDGET (2u * 1024u * 2048u)

/* Requests that fail (ENOENT, EACCES) or only read, in transaction tx. */
static void mem_failing_round(XenstoreImplState *s, xs_transaction_t tx,
                              unsigned int round, const char *tail)
{
    g_autofree char *half = g_strndup(tail, MEM_LONG / 2);

    for (unsigned int i = 0; i < MEM_MISSING; i++) {
        g_autofree char *p = i % 2 ?
            g_strdup_printf("data/m%u_%u_%s", round, i, tail) :
            g_strdup_printf("data/m%u_%u/%s/%s", round, i, half, half);

        assert_read_fails(s, GUEST, tx, p, ENOENT);
    }
    for (unsigned int i = 0; i < MEM_DENIED; i++) {
        g_autofree char *p = g_strdup_printf("/local/domain/2/s%u_%u_%s",
                                             round, i, tail);

        assert_read_fails(s, GUEST, tx, p, EACCES);
        g_assert_cmpint(xt_write(s, GUEST, tx, p, "v"), ==, EACCES);
    }
    for (unsigned int i = 0; i < MEM_READS; i++) {
        g_autofree char *p = g_strdup_printf("ro/r%u", i);

        assert_value(s, GUEST, tx, p, "value");
    }
}

/* New nodes with large values in tx until ENOSPC; how many went in. */
static unsigned int mem_fill(XenstoreImplState *s, xs_transaction_t tx,
                             unsigned int t, const char *value)
{
    for (unsigned int i = 0;; i++) {
        g_autofree char *p = g_strdup_printf("data/t%u/g%u/n%u",
                                             t, i / 64, i % 64);
        int err = xt_write(s, GUEST, tx, p, value);

        if (err) {
            g_assert_cmpint(err, ==, ENOSPC);
            return i;
        }
        g_assert_cmpuint(i, <, 2 * MEM_BUDGET / MEM_VALUE);
    }
}

/*
 * One guest, ten open transactions, tens of thousands of requests in
 * them (failing, refused, succeeding, and writes until ENOSPC): the heap
 * stays under the domain's budget plus a fixed allowance, and returns to
 * where it was when all transactions are aborted.
 */
static void test_memory_ten_tx_bound(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autofree char *tail = letters(MEM_LONG);
    g_autofree char *value = padded("v", MEM_VALUE);
    xs_transaction_t tx[MEM_TX];
    unsigned int written = 0;
    bool measure = heap_measurable();
    size_t base;

    for (unsigned int i = 0; i < MEM_READS; i++) {
        g_autofree char *p = g_strdup_printf(HOME "ro/r%u", i);

        xt_make(s, p, "value", "n0,r1");
    }
    base = heap_in_use();
    for (unsigned int t = 0; t < MEM_TX; t++) {
        tx[t] = xt_tx_start(s, GUEST);
    }
    for (unsigned int t = 0; t < MEM_TX; t++) {
        mem_failing_round(s, tx[t], 0, tail);
        assert_heap_below(measure, base, MEM_BUDGET + HEAP_SLACK);
    }
    for (unsigned int t = 0; t < MEM_TX; t++) {
        written += mem_fill(s, tx[t], t, value);
        assert_heap_below(measure, base, MEM_BUDGET + HEAP_SLACK);
    }
    g_test_message("%u nodes of %u bytes written; heap grew by at most "
                   "%zu bytes (bound %u + %u)", written, MEM_VALUE,
                   heap_peak, MEM_BUDGET, HEAP_SLACK);
    g_assert_cmpuint(written, >, 0);
    /* Once full, failing and succeeding requests still answer. */
    for (unsigned int t = 0; t < MEM_TX; t++) {
        mem_failing_round(s, tx[t], 1, tail);
        assert_heap_below(measure, base, MEM_BUDGET + HEAP_SLACK);
    }
    for (unsigned int t = 0; t < MEM_TX; t++) {
        g_assert_cmpint(xt_tx_abort(s, GUEST, tx[t]), ==, 0);
    }
    assert_heap_below(measure, base, HEAP_RETURN_SLACK);
    assert_absent(s, HOME "data/t0");
}

#define DOOM_NODES 1000

#define DOOM_VALUE 1000

#define DOOM_SEEN 8             /* rewrites read back before the budget */

/* 2 x 16 transaction-nodes x 2048 node-size. */
#define DOOM_BUDGET (2u * 16u * 2048u)

static char *doom_old(unsigned int i)
{
    g_autofree char *tag = g_strdup_printf("old%u", i);

    return padded(tag, DOOM_VALUE);
}

static char *doom_new(unsigned int i)
{
    g_autofree char *tag = g_strdup_printf("new%u", i);

    return padded(tag, DOOM_VALUE);
}

/*
 * A guest transaction that domain 0 dooms by rewriting many nodes that
 * existed at its start: old versions kept for its snapshot go past the
 * guest's (lowered) budget.  Up to then the transaction reads the old
 * values; from then on every request in it answers EAGAIN.
 */
static xs_transaction_t doom_one(XenstoreImplState *s, bool measure,
                                 size_t *base)
{
    g_autofree char *old0 = doom_old(0);
    xs_transaction_t tx;

    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_TX_NODES, 16),
                    ==, 0);
    xt_make(s, "/big", "", "n0,r1");
    for (unsigned int i = 0; i < DOOM_NODES; i++) {
        g_autofree char *p = g_strdup_printf("/big/n%u", i);
        g_autofree char *v = doom_old(i);

        g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, p, v), ==, 0);
    }
    *base = heap_in_use();
    tx = xt_tx_start(s, GUEST);
    assert_value(s, GUEST, tx, "/big/n0", old0);

    for (unsigned int i = 0; i < DOOM_NODES; i++) {
        g_autofree char *p = g_strdup_printf("/big/n%u", i);
        g_autofree char *v = doom_new(i);

        g_assert_cmpint(xt_write(s, DOM0, XBT_NULL, p, v), ==, 0);
        if (i < DOOM_SEEN) {
            g_autofree char *old = doom_old(i);

            assert_value(s, GUEST, tx, p, old);
        }
        assert_heap_below(measure, *base, DOOM_BUDGET + HEAP_SLACK);
    }

    /* Doomed: never a value, old or new. */
    assert_read_fails(s, GUEST, tx, "/big/n0", EAGAIN);
    assert_read_fails(s, GUEST, tx, "/big/n500", EAGAIN);
    assert_read_fails(s, GUEST, tx, "data", EAGAIN);
    g_assert_cmpint(xt_write(s, GUEST, tx, "data/x", "1"), ==, EAGAIN);
    return tx;
}

/* After a doomed transaction: nothing of it, and transactions work. */
static void doom_after(XenstoreImplState *s, xs_transaction_t tx,
                       bool measure, size_t base)
{
    g_autofree char *new0 = doom_new(0);
    xs_transaction_t again;

    g_assert_cmpint(xt_tx_abort(s, GUEST, tx), ==, ENOENT);
    assert_absent(s, HOME "data/x");
    assert_heap_below(measure, base, HEAP_RETURN_SLACK);
    again = xt_tx_start(s, GUEST);
    assert_value(s, GUEST, again, "/big/n0", new0);
    g_assert_cmpint(xt_write(s, GUEST, again, "data/y", "1"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, GUEST, again), ==, 0);
    assert_value(s, DOM0, XBT_NULL, HOME "data/y", "1");
}

/* A doomed transaction's commit answers EAGAIN. */
static void test_memory_doom_commit(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    bool measure = heap_measurable();
    size_t base;
    xs_transaction_t tx = doom_one(s, measure, &base);

    g_assert_cmpint(xt_tx_commit(s, GUEST, tx), ==, EAGAIN);
    doom_after(s, tx, measure, base);
}

/* A doomed transaction's abort answers OK. */
static void test_memory_doom_abort(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    bool measure = heap_measurable();
    size_t base;
    xs_transaction_t tx = doom_one(s, measure, &base);

    g_assert_cmpint(xt_tx_abort(s, GUEST, tx), ==, 0);
    doom_after(s, tx, measure, base);
}

/* ---- 10. ENOSPC for a request over the budget --------------------------- */

#define REQ_PER_TX 4            /* creations per transaction, < 8 touched */

#define REQ_VALUE 1900

/* 2 x 8 transaction-nodes x 2048 node-size. */
#define REQ_BUDGET (2u * 8u * 2048u)

/*
 * With the guest's budget lowered, creations with large values spread
 * over its transactions answer ENOSPC once the budget is used up (the
 * transaction-nodes and nodes quotas are far).  The failed request
 * leaves nothing; a small one goes in once some budget is free again.
 */
static void test_memory_request_enospc(void)
{
    g_autoptr(XenstoreImplState) s = store_new();
    g_autofree char *value = padded("v", REQ_VALUE);
    g_autofree char *failed = NULL;
    xs_transaction_t tx[MEM_TX];
    unsigned int ok = 0, fail_t = MEM_TX;
    bool measure = heap_measurable();

    g_assert_cmpint(xs_impl_set_quota(s, GUEST, XS_QUOTA_TX_NODES, 8),
                    ==, 0);
    for (unsigned int t = 0; t < MEM_TX; t++) {
        tx[t] = xt_tx_start(s, GUEST);
    }
    for (unsigned int t = 0; t < MEM_TX && !failed; t++) {
        for (unsigned int i = 0; i < REQ_PER_TX; i++) {
            g_autofree char *p = g_strdup_printf("data/t%u_%u", t, i);
            size_t before = heap_in_use();
            int err = xt_write(s, GUEST, tx[t], p, value);

            if (err) {
                g_assert_cmpint(err, ==, ENOSPC);
                /* Nothing left behind by the failed request. */
                assert_heap_below(measure, before, 128);
                failed = g_steal_pointer(&p);
                fail_t = t;
                break;
            }
            ok++;
        }
    }
    g_test_message("%u creations before ENOSPC", ok);
    g_assert_nonnull(failed);
    /* Half the budget surely fits; the whole of it surely does not. */
    g_assert_cmpuint(ok, >=, REQ_BUDGET / 2 / REQ_VALUE);
    g_assert_cmpuint(ok, <=, REQ_BUDGET / REQ_VALUE);
    g_assert_cmpuint(fail_t, >, 0);

    /* Free some budget: abort the first transaction (full). */
    g_assert_cmpint(xt_tx_abort(s, GUEST, tx[0]), ==, 0);
    assert_read_fails(s, GUEST, tx[fail_t], failed, ENOENT);
    g_assert_cmpint(xt_write(s, GUEST, tx[fail_t], "data/small", "s"), ==, 0);
    g_assert_cmpint(xt_tx_commit(s, GUEST, tx[fail_t]), ==, 0);
    assert_value(s, GUEST, XBT_NULL, "data/small", "s");
    assert_read_fails(s, GUEST, XBT_NULL, failed, ENOENT);
    for (unsigned int t = 1; t < MEM_TX; t++) {
        if (t != fail_t) {
            g_assert_cmpint(xt_tx_abort(s, GUEST, tx[t]), ==, 0);
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-node/snapshot/memory/ten-tx-bound",
                    test_memory_ten_tx_bound);
    g_test_add_func("/xs-node/snapshot/memory/doom-commit",
                    test_memory_doom_commit);
    g_test_add_func("/xs-node/snapshot/memory/doom-abort",
                    test_memory_doom_abort);
    g_test_add_func("/xs-node/snapshot/memory/request-enospc",
                    test_memory_request_enospc);
    return g_test_run();
}
