/*
 * Byte streams for saved state: appending fixed-size integers in a given
 * byte order to a GByteArray, and reading them back with bounds checks.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef QEMU_BYTESTREAM_H
#define QEMU_BYTESTREAM_H

void bs_put_u8(GByteArray *b, uint8_t v);
void bs_put_le16(GByteArray *b, uint16_t v);
void bs_put_le32(GByteArray *b, uint32_t v);
void bs_put_le64(GByteArray *b, uint64_t v);
void bs_put_be32(GByteArray *b, uint32_t v);
/* Bytes as they are (a magic, a page). */
void bs_put_bytes(GByteArray *b, const void *data, size_t len);
/* A little-endian u32 length, then the bytes. */
void bs_put_blob(GByteArray *b, const void *data, uint32_t len);

/*
 * A reader over len bytes.  Every call returns false, and takes nothing,
 * when fewer bytes are left than it needs.  Multi-byte values are read in
 * the reader's byte order.
 */
typedef struct ByteReader {
    const uint8_t *p;
    size_t len;
    size_t off;
    bool big_endian;
} ByteReader;

void br_init(ByteReader *r, const void *data, size_t len, bool big_endian);
static inline size_t br_remaining(const ByteReader *r)
{
    return r->len - r->off;
}
bool br_bytes(ByteReader *r, size_t n, const uint8_t **out);
/* The next n bytes are exactly @want (a magic): takes them if so. */
bool br_expect(ByteReader *r, const void *want, size_t n);
bool br_u8(ByteReader *r, uint8_t *v);
bool br_u16(ByteReader *r, uint16_t *v);
bool br_u32(ByteReader *r, uint32_t *v);
bool br_u64(ByteReader *r, uint64_t *v);
/* A u32 length of at most max, then that many bytes. */
bool br_blob(ByteReader *r, size_t max, const uint8_t **data, uint32_t *len);

#endif
