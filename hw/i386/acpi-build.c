/*
 * ACPI table builder: lays out RSDP, FACS, XSDT, FADT, DSDT and MADT in one
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

/* MADT: the local APIC, the IOAPIC and the ISA overrides. */
#define MADT_PCAT_COMPAT        1       /* 8259s present (masked) */
#define MADT_LAPIC              0
#define MADT_IOAPIC             1
#define MADT_ISO                2
#define MADT_LAPIC_LEN          8
#define MADT_IOAPIC_LEN         12
#define MADT_ISO_LEN            10
#define MADT_LEN                (ACPI_SDT_HEADER_LEN + 8 + MADT_LAPIC_LEN + \
                                 MADT_IOAPIC_LEN + 2 * MADT_ISO_LEN)
/* MPS INTI flags: active high, level triggered (the SCI). */
#define MADT_INTI_HIGH_LEVEL    0x000d

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

static void put_word_addr(GByteArray *b, uint8_t type, uint8_t tflags,
                          uint16_t min, uint16_t max)
{
    uint8_t d[16] = { 0x88, 13, 0, type, 0x0c, tflags };

    /* Word Address Space: producer, fixed min and max, no translation. */
    put16(d + 8, min);
    put16(d + 10, max);
    put16(d + 14, max - min + 1);
    g_byte_array_append(b, d, sizeof(d));
}

/* Bus 0, the I/O ports around the config ports, the memory window. */
static void pci_crs(GByteArray *out)
{
    g_autoptr(GByteArray) rt = g_byte_array_new();
    uint8_t mem[26] = { 0x87, 23, 0, 0, 0x0c, 0x01 };
    static const uint8_t end[] = { 0x79, 0 };

    put_word_addr(rt, 2, 0, 0, 0xff);
    put_word_addr(rt, 1, 3, 0, 0x0cf7);
    put_word_addr(rt, 1, 3, 0x0d00, 0xffff);
    put32(mem + 10, ACPI_PCI_MEM_BASE);
    put32(mem + 14, ACPI_PCI_MEM_END);
    put32(mem + 22, ACPI_PCI_MEM_END - ACPI_PCI_MEM_BASE + 1);
    g_byte_array_append(rt, mem, sizeof(mem));
    g_byte_array_append(rt, end, sizeof(end));
    aml_buffer(out, rt->data, rt->len);
}

/* _PRT: slot 2 INTA to its GSI (the only device with a pin). */
static void pci_prt(GByteArray *out)
{
    g_autoptr(GByteArray) entry = g_byte_array_new();
    g_autoptr(GByteArray) pkg = g_byte_array_new();

    aml_integer(entry, 0x0002ffff);     /* slot 2, any function */
    aml_integer(entry, 0);              /* INTA */
    aml_integer(entry, 0);              /* no link device: a GSI */
    aml_integer(entry, ACPI_PCI_SLOT2_GSI);
    aml_package(pkg, 4, entry);
    aml_package(out, 1, pkg);
}

/* \_SB.PCI0: Linux finds PCI through this root bridge only. */
static void pci_root_aml(GByteArray *out)
{
    g_autoptr(GByteArray) dev = g_byte_array_new();
    g_autoptr(GByteArray) sb = g_byte_array_new();
    g_autoptr(GByteArray) v = g_byte_array_new();

    aml_integer(v, aml_eisa_id("PNP0A03"));
    aml_name_decl(dev, "_HID", v);
    g_byte_array_set_size(v, 0);
    aml_integer(v, 0);
    aml_name_decl(dev, "_ADR", v);
    aml_name_decl(dev, "_BBN", v);
    g_byte_array_set_size(v, 0);
    pci_crs(v);
    aml_name_decl(dev, "_CRS", v);
    g_byte_array_set_size(v, 0);
    pci_prt(v);
    aml_name_decl(dev, "_PRT", v);
    aml_device(sb, "PCI0", dev);
    aml_scope(out, "_SB_", sb);
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
    pci_root_aml(out);
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

/*
 * One vCPU (APIC id 0) and the in-kernel IOAPIC with GSIs from 0.  The
 * PIT's IRQ 0 arrives at GSI 2, as on every PC; the SCI is level.
 */
static void build_madt(uint8_t *t, const AcpiConfig *cfg)
{
    uint8_t *e = t + ACPI_SDT_HEADER_LEN + 8;

    sdt_header(t, "APIC", MADT_LEN, ACPI_MADT_REVISION);
    put32(t + ACPI_SDT_HEADER_LEN, ACPI_LAPIC_ADDR);
    put32(t + ACPI_SDT_HEADER_LEN + 4, MADT_PCAT_COMPAT);

    e[0] = MADT_LAPIC;
    e[1] = MADT_LAPIC_LEN;
    e[2] = 0;                           /* processor UID */
    e[3] = 0;                           /* APIC id */
    put32(e + 4, 1);                    /* enabled */
    e += MADT_LAPIC_LEN;

    e[0] = MADT_IOAPIC;
    e[1] = MADT_IOAPIC_LEN;
    e[2] = ACPI_IOAPIC_ID;
    put32(e + 4, ACPI_IOAPIC_ADDR);
    put32(e + 8, 0);                    /* GSI base */
    e += MADT_IOAPIC_LEN;

    e[0] = MADT_ISO;
    e[1] = MADT_ISO_LEN;
    e[2] = 0;                           /* ISA bus */
    e[3] = 0;                           /* IRQ 0 ... */
    put32(e + 4, 2);                    /* ... is GSI 2 */
    put16(e + 8, 0);                    /* bus defaults: edge, high */
    e += MADT_ISO_LEN;

    e[0] = MADT_ISO;
    e[1] = MADT_ISO_LEN;
    e[2] = 0;
    e[3] = cfg->sci_irq;
    put32(e + 4, cfg->sci_irq);
    put16(e + 8, MADT_INTI_HIGH_LEVEL);
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
    t->xsdt = reserve(b, 16, ACPI_SDT_HEADER_LEN + 16);
    t->fadt = reserve(b, 16, ACPI_FADT_LEN);
    t->dsdt = reserve(b, 16, ACPI_SDT_HEADER_LEN + aml->len);
    t->madt = reserve(b, 16, MADT_LEN);
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

    build_madt(b->data + t->madt, cfg);

    p = b->data + t->xsdt;
    sdt_header(p, "XSDT", ACPI_SDT_HEADER_LEN + 16, 1);
    put64(p + ACPI_SDT_HEADER_LEN, cfg->base + t->fadt);
    put64(p + ACPI_SDT_HEADER_LEN + 8, cfg->base + t->madt);
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
