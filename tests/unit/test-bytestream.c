/*
 * Tests of the byte-stream helpers used by every saved state: byte order
 * on the way out, bounds and byte order on the way back.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/bytestream.h"

static void test_put_byte_order(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    static const uint8_t want[] = {
        0x01, 0x03, 0x02, 0x07, 0x06, 0x05, 0x04,
        0x0f, 0x0e, 0x0d, 0x0c, 0x0b, 0x0a, 0x09, 0x08,
        0x11, 0x12, 0x13, 0x14, 0x02, 0x00, 0x00, 0x00, 'h', 'i',
        'M', 'G', 'C',
    };

    bs_put_u8(b, 0x01);
    bs_put_le16(b, 0x0203);
    bs_put_le32(b, 0x04050607);
    bs_put_le64(b, 0x08090a0b0c0d0e0fULL);
    bs_put_be32(b, 0x11121314);
    bs_put_blob(b, "hi", 2);
    bs_put_bytes(b, "MGC", 3);
    bs_put_bytes(b, NULL, 0);
    g_assert_cmpmem(b->data, b->len, want, sizeof(want));
}

static void test_reader_orders(void)
{
    static const uint8_t data[] = { 0x12, 0x34, 0x56, 0x78, 1, 2, 3, 4,
                                    5, 6, 7, 8 };
    ByteReader r;
    uint32_t v32;
    uint64_t v64;
    uint16_t v16;

    br_init(&r, data, sizeof(data), false);
    g_assert_true(br_u32(&r, &v32));
    g_assert_cmphex(v32, ==, 0x78563412);
    g_assert_true(br_u64(&r, &v64));
    g_assert_cmphex(v64, ==, 0x0807060504030201ULL);
    g_assert_cmpuint(br_remaining(&r), ==, 0);

    br_init(&r, data, sizeof(data), true);
    g_assert_true(br_u16(&r, &v16));
    g_assert_cmphex(v16, ==, 0x1234);
    g_assert_true(br_u16(&r, &v16));
    g_assert_cmphex(v16, ==, 0x5678);
}

static void test_reader_bounds(void)
{
    static const uint8_t data[] = { 3, 0, 0, 0, 'a', 'b' };
    const uint8_t *p;
    ByteReader r;
    uint32_t len, v;
    uint64_t v64;

    br_init(&r, data, 3, false);
    g_assert_false(br_u32(&r, &v));
    g_assert_cmpuint(r.off, ==, 0);
    g_assert_false(br_u64(&r, &v64));
    g_assert_false(br_bytes(&r, 4, &p));

    /* A blob longer than the data, or than max, takes nothing. */
    br_init(&r, data, sizeof(data), false);
    g_assert_false(br_blob(&r, 100, &p, &len));
    g_assert_cmpuint(r.off, ==, 0);
    br_init(&r, data, sizeof(data), false);
    g_assert_false(br_blob(&r, 2, &p, &len));
    g_assert_cmpuint(r.off, ==, 0);
}

static void test_reader_expect(void)
{
    static const uint8_t data[] = { 'X', 'Y', 'Z', 'W', 7 };
    ByteReader r;
    uint8_t v;

    /* A mismatch anywhere, or too few bytes, takes nothing. */
    br_init(&r, data, sizeof(data), false);
    g_assert_false(br_expect(&r, "XYZV", 4));
    g_assert_cmpuint(r.off, ==, 0);
    g_assert_false(br_expect(&r, "AYZW", 4));
    g_assert_cmpuint(r.off, ==, 0);
    br_init(&r, data, 3, false);
    g_assert_false(br_expect(&r, "XYZW", 4));
    g_assert_cmpuint(r.off, ==, 0);

    br_init(&r, data, sizeof(data), false);
    g_assert_true(br_expect(&r, "XYZW", 4));
    g_assert_true(br_expect(&r, "", 0));
    g_assert_true(br_u8(&r, &v));
    g_assert_cmpuint(v, ==, 7);
    g_assert_false(br_expect(&r, "X", 1));
    g_assert_cmpuint(br_remaining(&r), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bytestream/put-byte-order", test_put_byte_order);
    g_test_add_func("/bytestream/reader-orders", test_reader_orders);
    g_test_add_func("/bytestream/reader-bounds", test_reader_bounds);
    g_test_add_func("/bytestream/reader-expect", test_reader_expect);
    return g_test_run();
}
