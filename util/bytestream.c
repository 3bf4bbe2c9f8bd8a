/*
 * Byte streams for saved state: fixed-size integers appended in a given
 * byte order, and read back with bounds checks (include/qemu/bytestream.h).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/bytestream.h"

void bs_put_u8(GByteArray *b, uint8_t v)
{
    g_byte_array_append(b, &v, 1);
}

void bs_put_le16(GByteArray *b, uint16_t v)
{
    uint8_t x[2] = { v, v >> 8 };

    g_byte_array_append(b, x, 2);
}

void bs_put_le32(GByteArray *b, uint32_t v)
{
    uint8_t x[4] = { v, v >> 8, v >> 16, v >> 24 };

    g_byte_array_append(b, x, 4);
}

void bs_put_le64(GByteArray *b, uint64_t v)
{
    bs_put_le32(b, v);
    bs_put_le32(b, v >> 32);
}

void bs_put_be32(GByteArray *b, uint32_t v)
{
    uint8_t x[4] = { v >> 24, v >> 16, v >> 8, v };

    g_byte_array_append(b, x, 4);
}

void bs_put_bytes(GByteArray *b, const void *data, size_t len)
{
    g_byte_array_append(b, data, len);
}

void bs_put_blob(GByteArray *b, const void *data, uint32_t len)
{
    bs_put_le32(b, len);
    bs_put_bytes(b, data, len);
}

void br_init(ByteReader *r, const void *data, size_t len, bool big_endian)
{
    r->p = data;
    r->len = len;
    r->off = 0;
    r->big_endian = big_endian;
}

bool br_bytes(ByteReader *r, size_t n, const uint8_t **out)
{
    if (br_remaining(r) < n) {
        return false;
    }
    *out = r->p + r->off;
    r->off += n;
    return true;
}

bool br_expect(ByteReader *r, const void *want, size_t n)
{
    if (br_remaining(r) < n || memcmp(r->p + r->off, want, n)) {
        return false;
    }
    r->off += n;
    return true;
}

/* n bytes as an unsigned number in the reader's byte order. */
static bool br_uint(ByteReader *r, unsigned int n, uint64_t *v)
{
    const uint8_t *x;

    if (!br_bytes(r, n, &x)) {
        return false;
    }
    *v = 0;
    for (unsigned int i = 0; i < n; i++) {
        unsigned int shift = 8 * (r->big_endian ? n - 1 - i : i);

        *v |= (uint64_t)x[i] << shift;
    }
    return true;
}

bool br_u8(ByteReader *r, uint8_t *v)
{
    uint64_t x;

    if (!br_uint(r, 1, &x)) {
        return false;
    }
    *v = x;
    return true;
}

bool br_u16(ByteReader *r, uint16_t *v)
{
    uint64_t x;

    if (!br_uint(r, 2, &x)) {
        return false;
    }
    *v = x;
    return true;
}

bool br_u32(ByteReader *r, uint32_t *v)
{
    uint64_t x;

    if (!br_uint(r, 4, &x)) {
        return false;
    }
    *v = x;
    return true;
}

bool br_u64(ByteReader *r, uint64_t *v)
{
    return br_uint(r, 8, v);
}

bool br_blob(ByteReader *r, size_t max, const uint8_t **data, uint32_t *len)
{
    size_t start = r->off;
    uint32_t n;

    if (!br_u32(r, &n) || n > max || !br_bytes(r, n, data)) {
        r->off = start;
        return false;
    }
    *len = n;
    return true;
}
