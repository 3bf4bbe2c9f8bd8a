/*
 * ACPI table builder: lays out RSDP, FACS, XSDT, FADT and DSDT in one
 * blob for a fixed guest address, fills the fields at the offsets the
 * ACPI specification gives, and sets every checksum.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/i386/acpi-build.h"
#include "hw/i386/aml-build.h"

/* FADT field offsets. */
#define FADT_FIRMWARE_CTRL      36
#define FADT_DSDT               40
#define FADT_SCI_INT            46
#define FADT_PM1A_EVT_BLK       56
#define FADT_PM1A_CNT_BLK       64
#define FADT_PM1_EVT_LEN        88
#define FADT_PM1_CNT_LEN        89
#define FADT_P_LVL2_LAT         96
#define FADT_P_LVL3_LAT         98
#define FADT_IAPC_BOOT_ARCH     109
#define FADT_FLAGS              112
#define FADT_RESET_REG          116
#define FADT_RESET_VALUE        128
#define FADT_X_DSDT             140
#define FADT_X_PM1A_EVT_BLK     148
#define FADT_X_PM1A_CNT_BLK     172

/* IAPC_BOOT_ARCH: legacy devices, an 8042, no VGA. */
#define BOOT_ARCH_FLAGS         0x0007
/* WBINVD, C1 on all CPUs, power and sleep buttons absent, reset reg. */
#define FADT_FLAGS_VALUE        ((1 << 0) | (1 << 2) | (1 << 4) | \
                                 (1 << 5) | (1 << 10))
#define GAS_SYSTEM_IO           1

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v);
    put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, v);
    put32(p + 4, v >> 32);
}

uint8_t acpi_checksum(const uint8_t *p, size_t len)
{
    uint8_t sum = 0;
    size_t i;

    for (i = 0; i < len; i++) {
        sum += p[i];
    }
    return -sum;
}

/* Grows the blob to a multiple of align, then by len bytes. */
static size_t reserve(GByteArray *b, size_t align, size_t len)
{
    size_t off = (b->len + align - 1) & ~(align - 1);

    g_byte_array_set_size(b, off + len);
    return off;
}

static void sdt_header(uint8_t *t, const char *sig, uint32_t len,
                       uint8_t rev)
{
    memcpy(t, sig, 4);
    put32(t + 4, len);
    t[8] = rev;
    memcpy(t + 10, ACPI_OEM_ID, 6);
    memcpy(t + 16, ACPI_OEM_TABLE_ID, 8);
    put32(t + 24, 1);
    memcpy(t + 28, ACPI_CREATOR_ID, 4);
    put32(t + 32, 1);
}

static void sdt_checksum(uint8_t *t)
{
    uint32_t len = t[4] | t[5] << 8 | t[6] << 16 | (uint32_t)t[7] << 24;

    t[9] = 0;
    t[9] = acpi_checksum(t, len);
}

/* A Generic Address Structure for a system I/O register. */
static void gas_io(uint8_t *p, uint8_t bits, uint8_t access, uint64_t port)
{
    p[0] = GAS_SYSTEM_IO;
    p[1] = bits;
    p[2] = 0;
    p[3] = access;
    put64(p + 4, port);
}

void acpi_dsdt_aml(GByteArray *out)
{
    g_autoptr(GByteArray) elems = g_byte_array_new();
    g_autoptr(GByteArray) pkg = g_byte_array_new();

    /* SLP_TYPa, SLP_TYPb, two reserved. */
    aml_integer(elems, ACPI_S5_SLP_TYP);
    aml_integer(elems, ACPI_S5_SLP_TYP);
    aml_integer(elems, 0);
    aml_integer(elems, 0);
    aml_package(pkg, 4, elems);
    aml_name_decl(out, "_S5_", pkg);
}

static void build_fadt(uint8_t *t, const AcpiConfig *cfg, uint64_t facs,
                       uint64_t dsdt)
{
    sdt_header(t, "FACP", ACPI_FADT_LEN, ACPI_FADT_REVISION);
    put32(t + FADT_FIRMWARE_CTRL, facs);
    put32(t + FADT_DSDT, dsdt);
    put16(t + FADT_SCI_INT, cfg->sci_irq);
    /* SMI_CMD stays 0: the hardware is always in ACPI mode. */
    put32(t + FADT_PM1A_EVT_BLK, cfg->pm_base);
    put32(t + FADT_PM1A_CNT_BLK, cfg->pm_base + 4);
    t[FADT_PM1_EVT_LEN] = 4;
    t[FADT_PM1_CNT_LEN] = 2;
    /* Latencies above the limits: no C2, no C3. */
    put16(t + FADT_P_LVL2_LAT, 101);
    put16(t + FADT_P_LVL3_LAT, 1001);
    put16(t + FADT_IAPC_BOOT_ARCH, BOOT_ARCH_FLAGS);
    put32(t + FADT_FLAGS, FADT_FLAGS_VALUE);
    gas_io(t + FADT_RESET_REG, 8, 1, ACPI_RESET_PORT);
    t[FADT_RESET_VALUE] = ACPI_RESET_VALUE;
    put64(t + FADT_X_DSDT, dsdt);
    gas_io(t + FADT_X_PM1A_EVT_BLK, 32, 2, cfg->pm_base);
    gas_io(t + FADT_X_PM1A_CNT_BLK, 16, 2, cfg->pm_base + 4);
    sdt_checksum(t);
}

void acpi_build(const AcpiConfig *cfg, AcpiTables *t)
{
    g_autoptr(GByteArray) aml = g_byte_array_new();
    GByteArray *b = g_byte_array_new();
    uint8_t *p;

    g_assert(!(cfg->base & 63));
    memset(t, 0, sizeof(*t));
    acpi_dsdt_aml(aml);

    t->rsdp = reserve(b, 16, ACPI_RSDP_LEN);
    t->facs = reserve(b, 64, ACPI_FACS_LEN);
    t->xsdt = reserve(b, 16, ACPI_SDT_HEADER_LEN + 8);
    t->fadt = reserve(b, 16, ACPI_FADT_LEN);
    t->dsdt = reserve(b, 16, ACPI_SDT_HEADER_LEN + aml->len);
    memset(b->data, 0, b->len);
    t->blob = b;
    t->rsdp_addr = cfg->base + t->rsdp;

    p = b->data + t->facs;
    memcpy(p, "FACS", 4);
    put32(p + 4, ACPI_FACS_LEN);
    p[32] = 2;                          /* version */

    p = b->data + t->dsdt;
    sdt_header(p, "DSDT", ACPI_SDT_HEADER_LEN + aml->len,
               ACPI_DSDT_REVISION);
    memcpy(p + ACPI_SDT_HEADER_LEN, aml->data, aml->len);
    sdt_checksum(p);

    build_fadt(b->data + t->fadt, cfg, cfg->base + t->facs,
               cfg->base + t->dsdt);

    p = b->data + t->xsdt;
    sdt_header(p, "XSDT", ACPI_SDT_HEADER_LEN + 8, 1);
    put64(p + ACPI_SDT_HEADER_LEN, cfg->base + t->fadt);
    sdt_checksum(p);

    p = b->data + t->rsdp;
    memcpy(p, "RSD PTR ", 8);
    memcpy(p + 9, ACPI_OEM_ID, 6);
    p[15] = 2;                          /* revision: ACPI 2.0+ */
    put32(p + 20, ACPI_RSDP_LEN);
    put64(p + 24, cfg->base + t->xsdt);
    p[8] = acpi_checksum(p, 20);
    p[32] = acpi_checksum(p, ACPI_RSDP_LEN);
}

void acpi_tables_free(AcpiTables *t)
{
    if (t->blob) {
        g_byte_array_unref(t->blob);
        t->blob = NULL;
    }
}
