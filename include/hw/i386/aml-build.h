/*
 * A tiny AML emitter: the few ACPI Machine Language terms the DSDT needs
 * (names, packages, integers), appended to a GByteArray.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_I386_AML_BUILD_H
#define HW_I386_AML_BUILD_H

#define AML_ZERO_OP         0x00
#define AML_ONE_OP          0x01
#define AML_NAME_OP         0x08
#define AML_BYTE_PREFIX     0x0a
#define AML_WORD_PREFIX     0x0b
#define AML_DWORD_PREFIX    0x0c
#define AML_QWORD_PREFIX    0x0e
#define AML_SCOPE_OP        0x10
#define AML_BUFFER_OP       0x11
#define AML_PACKAGE_OP      0x12
#define AML_EXT_PREFIX      0x5b
#define AML_DEVICE_OP       0x82

/* The PkgLength of a term whose body (after the PkgLength) is len. */
void aml_pkg_length(GByteArray *out, size_t len);
/* The shortest encoding of an integer constant. */
void aml_integer(GByteArray *out, uint64_t v);
/* A four-character NameSeg: [A-Z_] then [A-Z0-9_] three times. */
void aml_name_seg(GByteArray *out, const char *name);
/* Package (n) { elements }: elements holds n encoded data objects. */
void aml_package(GByteArray *out, unsigned n, const GByteArray *elements);
/* Name (name, value): value holds one encoded data object. */
void aml_name_decl(GByteArray *out, const char *name,
                   const GByteArray *value);

/* Scope (name) { body } and Device (name) { body }: body holds terms. */
void aml_scope(GByteArray *out, const char *name, const GByteArray *body);
void aml_device(GByteArray *out, const char *name, const GByteArray *body);
/* Buffer () { data }: a resource template, for instance. */
void aml_buffer(GByteArray *out, const uint8_t *data, size_t len);
/* EISAID ("PNP0A03") as the integer _HID takes. */
uint32_t aml_eisa_id(const char *id);

#endif
