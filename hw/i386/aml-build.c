/*
 * A tiny AML emitter for the DSDT: PkgLength, integer constants,
 * NameSeg, Package and Name, encoded as the ACPI specification's AML
 * grammar gives them.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/i386/aml-build.h"

void aml_pkg_length(GByteArray *out, size_t len)
{
    uint8_t b[4];
    size_t total;
    unsigned extra, i;

    /* The encoded length counts the PkgLength bytes themselves. */
    if (len + 1 < 64) {
        b[0] = len + 1;
        g_byte_array_append(out, b, 1);
        return;
    }
    for (extra = 1; extra <= 3; extra++) {
        total = len + 1 + extra;
        if (total < (1u << (4 + 8 * extra))) {
            break;
        }
    }
    g_assert(extra <= 3);
    b[0] = extra << 6 | (total & 0xf);
    for (i = 1; i <= extra; i++) {
        b[i] = total >> (4 + 8 * (i - 1));
    }
    g_byte_array_append(out, b, extra + 1);
}

void aml_integer(GByteArray *out, uint64_t v)
{
    uint8_t b[9];
    unsigned n, i;

    if (v <= 1) {
        b[0] = v ? AML_ONE_OP : AML_ZERO_OP;
        g_byte_array_append(out, b, 1);
        return;
    }
    if (v <= 0xff) {
        b[0] = AML_BYTE_PREFIX;
        n = 1;
    } else if (v <= 0xffff) {
        b[0] = AML_WORD_PREFIX;
        n = 2;
    } else if (v <= 0xffffffff) {
        b[0] = AML_DWORD_PREFIX;
        n = 4;
    } else {
        b[0] = AML_QWORD_PREFIX;
        n = 8;
    }
    for (i = 0; i < n; i++) {
        b[1 + i] = v >> (8 * i);
    }
    g_byte_array_append(out, b, n + 1);
}

void aml_name_seg(GByteArray *out, const char *name)
{
    unsigned i;

    g_assert(strlen(name) == 4);
    for (i = 0; i < 4; i++) {
        char c = name[i];

        g_assert((c >= 'A' && c <= 'Z') || c == '_' ||
                 (i > 0 && c >= '0' && c <= '9'));
    }
    g_byte_array_append(out, (const uint8_t *)name, 4);
}

void aml_package(GByteArray *out, unsigned n, const GByteArray *elements)
{
    uint8_t op = AML_PACKAGE_OP, count = n;

    g_assert(n <= 0xff);
    g_byte_array_append(out, &op, 1);
    aml_pkg_length(out, 1 + elements->len);
    g_byte_array_append(out, &count, 1);
    g_byte_array_append(out, elements->data, elements->len);
}

void aml_name_decl(GByteArray *out, const char *name,
                   const GByteArray *value)
{
    uint8_t op = AML_NAME_OP;

    g_byte_array_append(out, &op, 1);
    aml_name_seg(out, name);
    g_byte_array_append(out, value->data, value->len);
}

/* Scope and Device: an opcode, PkgLength, a name and a body of terms. */
static void aml_named_block(GByteArray *out, const uint8_t *op,
                            unsigned oplen, const char *name,
                            const GByteArray *body)
{
    g_byte_array_append(out, op, oplen);
    aml_pkg_length(out, 4 + body->len);
    aml_name_seg(out, name);
    g_byte_array_append(out, body->data, body->len);
}

void aml_scope(GByteArray *out, const char *name, const GByteArray *body)
{
    static const uint8_t op[] = { AML_SCOPE_OP };

    aml_named_block(out, op, sizeof(op), name, body);
}

void aml_device(GByteArray *out, const char *name, const GByteArray *body)
{
    static const uint8_t op[] = { AML_EXT_PREFIX, AML_DEVICE_OP };

    aml_named_block(out, op, sizeof(op), name, body);
}

void aml_buffer(GByteArray *out, const uint8_t *data, size_t len)
{
    g_autoptr(GByteArray) body = g_byte_array_new();
    uint8_t op = AML_BUFFER_OP;

    aml_integer(body, len);
    g_byte_array_append(body, data, len);
    g_byte_array_append(out, &op, 1);
    aml_pkg_length(out, body->len);
    g_byte_array_append(out, body->data, body->len);
}

uint32_t aml_eisa_id(const char *id)
{
    uint32_t v;

    /* Three letters of 5 bits each, then four hex digits; big-endian. */
    g_assert(strlen(id) == 7);
    v = (uint32_t)(id[0] - '@') << 26 | (uint32_t)(id[1] - '@') << 21 |
        (uint32_t)(id[2] - '@') << 16 |
        (uint32_t)strtoul(id + 3, NULL, 16);
    return GUINT32_SWAP_LE_BE(v);
}
