/*
 * Tests of the XenStore wire codec: TRANSACTION_START and
 * TRANSACTION_END, requests in transactions, the transactions quota.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/xen/interface/xen.h"
#include "hw/xen/xenstore_wire.h"
#include "xs-wire-fixture.h"

/* ---- transactions ---- */

static void test_transactions(void)
{
    Fix *f = fix_new();
    uint32_t tx, tx2;
    Reply r;

    tx = start_tx(&f->guest);
    REQ(&f->guest, XS_WRITE, tx, "data/t\0inside", &r);
    ASSERT_OK(&r, XS_WRITE);
    REQ(&f->guest, XS_READ, tx, "data/t\0", &r);
    ASSERT_REPLY(&r, XS_READ, "inside");
    REQ(&f->guest, XS_READ, 0, "data/t\0", &r);
    assert_error(&r, "ENOENT");                 /* not committed yet */
    /* Non-zero tx_id in TRANSACTION_START: EBUSY, known or not. */
    REQ(&f->guest, XS_TRANSACTION_START, tx, "\0", &r);
    assert_error(&r, "EBUSY");
    REQ(&f->guest, XS_TRANSACTION_START, 4242, "\0", &r);
    assert_error(&r, "EBUSY");
    /* END needs exactly "T\0" or "F\0". */
    REQ(&f->guest, XS_TRANSACTION_END, tx, "X\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_TRANSACTION_END, tx, "T", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_TRANSACTION_END, tx, "TT\0", &r);
    assert_error(&r, "EINVAL");
    REQ(&f->guest, XS_TRANSACTION_END, tx, "T\0", &r);
    ASSERT_OK(&r, XS_TRANSACTION_END);
    REQ(&f->guest, XS_READ, 0, "data/t\0", &r);
    ASSERT_REPLY(&r, XS_READ, "inside");
    /* The id is gone after END. */
    REQ(&f->guest, XS_READ, tx, "data/t\0", &r);
    assert_error(&r, "ENOENT");
    REQ(&f->guest, XS_TRANSACTION_END, tx, "T\0", &r);
    assert_error(&r, "ENOENT");
    REQ(&f->guest, XS_TRANSACTION_END, 0, "T\0", &r);
    assert_error(&r, "ENOENT");

    /* Abort discards. */
    tx = start_tx(&f->guest);
    REQ(&f->guest, XS_WRITE, tx, "data/t\0aborted", &r);
    REQ(&f->guest, XS_TRANSACTION_END, tx, "F\0", &r);
    ASSERT_OK(&r, XS_TRANSACTION_END);
    REQ(&f->guest, XS_READ, 0, "data/t\0", &r);
    ASSERT_REPLY(&r, XS_READ, "inside");

    /* Conflict: EAGAIN, and the id is gone even so. */
    tx = start_tx(&f->guest);
    REQ(&f->guest, XS_READ, tx, "data/t\0", &r);
    REQ(&f->guest, XS_WRITE, tx, "data/t\0mine", &r);
    REQ(&f->dom0, XS_WRITE, 0, "/local/domain/1/data/t\0theirs", &r);
    REQ(&f->guest, XS_TRANSACTION_END, tx, "T\0", &r);
    assert_error(&r, "EAGAIN");
    REQ(&f->guest, XS_TRANSACTION_END, tx, "F\0", &r);
    assert_error(&r, "ENOENT");
    REQ(&f->guest, XS_READ, 0, "data/t\0", &r);
    ASSERT_REPLY(&r, XS_READ, "theirs");

    /* Every transactional type checks the id it is given. */
    static const struct {
        uint32_t type;
        const char *payload;
        size_t len;
    } tx_ops[] = {
        { XS_READ, "/a\0", 3 }, { XS_WRITE, "/a\0v", 4 },
        { XS_MKDIR, "/a\0", 3 }, { XS_RM, "/a\0", 3 },
        { XS_DIRECTORY, "/\0", 2 }, { XS_GET_PERMS, "/\0", 2 },
        { XS_SET_PERMS, "/a\0n0\0", 6 }, { XS_DIRECTORY_PART, "/\0" "0\0", 4 },
        { XS_TRANSACTION_END, "F\0", 2 },
    };
    tx = start_tx(&f->dom0);
    tx2 = start_tx(&f->dom0b);
    for (size_t i = 0; i < ARRAY_SIZE(tx_ops); i++) {
        /* Another connection's id, same domain: ENOENT. */
        request(&f->dom0, tx_ops[i].type, tx2, tx_ops[i].payload,
                tx_ops[i].len, &r);
        assert_error(&r, "ENOENT");
        /* Another domain's id: ENOENT. */
        request(&f->guest, tx_ops[i].type, tx, tx_ops[i].payload,
                tx_ops[i].len, &r);
        assert_error(&r, "ENOENT");
        /* A made-up id: ENOENT. */
        request(&f->dom0, tx_ops[i].type, 0xdead, tx_ops[i].payload,
                tx_ops[i].len, &r);
        assert_error(&r, "ENOENT");
    }
    /* The owners still can use them. */
    REQ(&f->dom0, XS_WRITE, tx, "/own\0x", &r);
    ASSERT_OK(&r, XS_WRITE);
    REQ(&f->dom0b, XS_TRANSACTION_END, tx2, "F\0", &r);
    ASSERT_OK(&r, XS_TRANSACTION_END);
    /* Non-transactional types ignore the header's tx_id. */
    REQ(&f->guest, XS_GET_DOMAIN_PATH, 0xdead, "3\0", &r);
    ASSERT_REPLY(&r, XS_GET_DOMAIN_PATH, "/local/domain/3\0");
    fix_free(f);
}

static void test_transaction_limit(void)
{
    Fix *f = fix_new();
    uint32_t ids[10];
    Reply r;

    for (int i = 0; i < 10; i++) {
        ids[i] = start_tx(&f->guest);
    }
    REQ(&f->guest, XS_TRANSACTION_START, 0, "\0", &r);
    assert_error(&r, "ENOSPC");
    REQ(&f->guest, XS_TRANSACTION_END, ids[3], "F\0", &r);
    ASSERT_OK(&r, XS_TRANSACTION_END);
    start_tx(&f->guest);
    fix_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/xs-wire/transactions", test_transactions);
    g_test_add_func("/xs-wire/transaction-limit", test_transaction_limit);
    return g_test_run();
}
