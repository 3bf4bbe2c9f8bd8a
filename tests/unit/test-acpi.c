/*
 * Tests of the ACPI pieces: AML encodings and the _S5 object's bytes,
 * every table's checksum and fields at their specification offsets, and
 * the PM1a control block's poweroff decode.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/i386/acpi-build.h"
#include "hw/i386/acpi-pm.h"
#include "hw/i386/aml-build.h"

#define BASE 0xe0000
#define PM_BASE 0x600

static const uint8_t s5_aml[] = {
    0x08, '_', 'S', '5', '_',           /* Name (_S5_, */
    0x12, 0x08, 0x04,                   /* Package, PkgLength 8, 4 items */
    0x0a, 0x05, 0x0a, 0x05,             /* BytePrefix 5, BytePrefix 5 */
    0x00, 0x00,                         /* Zero, Zero */
};

static uint16_t ld16(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static uint32_t ld32(const uint8_t *p)
{
    return ld16(p) | (uint32_t)ld16(p + 2) << 16;
}

static uint64_t ld64(const uint8_t *p)
{
    return ld32(p) | (uint64_t)ld32(p + 4) << 32;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
    uint8_t s = 0;

    while (len--) {
        s += *p++;
    }
    return s;
}

static void check_bytes(GByteArray *b, const uint8_t *want, size_t len)
{
    g_assert_cmpmem(b->data, b->len, want, len);
    g_byte_array_set_size(b, 0);
}

static void test_checksum(void)
{
    static const uint8_t d[] = { 0x01, 0x02, 0xfd, 0x10 };

    g_assert_cmphex(acpi_checksum(d, 4), ==, 0xf0);
    g_assert_cmphex(acpi_checksum(d, 3), ==, 0x00);
    g_assert_cmphex(acpi_checksum(d, 0), ==, 0x00);
}

static void test_aml_integer(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();

    aml_integer(b, 0);
    check_bytes(b, (const uint8_t[]){ 0x00 }, 1);
    aml_integer(b, 1);
    check_bytes(b, (const uint8_t[]){ 0x01 }, 1);
    aml_integer(b, 2);
    check_bytes(b, (const uint8_t[]){ 0x0a, 0x02 }, 2);
    aml_integer(b, 0xff);
    check_bytes(b, (const uint8_t[]){ 0x0a, 0xff }, 2);
    aml_integer(b, 0x100);
    check_bytes(b, (const uint8_t[]){ 0x0b, 0x00, 0x01 }, 3);
    aml_integer(b, 0x12345678);
    check_bytes(b, (const uint8_t[]){ 0x0c, 0x78, 0x56, 0x34, 0x12 }, 5);
    aml_integer(b, 0x123456789aULL);
    check_bytes(b, (const uint8_t[]){ 0x0e, 0x9a, 0x78, 0x56, 0x34, 0x12,
                                      0, 0, 0 }, 9);
}

static void test_aml_pkg_length(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();

    aml_pkg_length(b, 0);
    check_bytes(b, (const uint8_t[]){ 0x01 }, 1);
    aml_pkg_length(b, 62);
    check_bytes(b, (const uint8_t[]){ 0x3f }, 1);
    /* 63 + 2 = 65 = 0x41: two bytes, low nibble first. */
    aml_pkg_length(b, 63);
    check_bytes(b, (const uint8_t[]){ 0x41, 0x04 }, 2);
    aml_pkg_length(b, 4093);
    check_bytes(b, (const uint8_t[]){ 0x4f, 0xff }, 2);
    /* 4094 + 3 = 0x1001: three bytes. */
    aml_pkg_length(b, 4094);
    check_bytes(b, (const uint8_t[]){ 0x81, 0x00, 0x01 }, 3);
    /* 0xffffc + 3 = 0xfffff, the largest three-byte length. */
    aml_pkg_length(b, 0xffffc);
    check_bytes(b, (const uint8_t[]){ 0x8f, 0xff, 0xff }, 3);
    /* 0xffffd + 4 = 0x100001: four bytes. */
    aml_pkg_length(b, 0xffffd);
    check_bytes(b, (const uint8_t[]){ 0xc1, 0x00, 0x00, 0x01 }, 4);
}

/* Whether needle occurs in [p, p + len). */
static bool has_bytes(const uint8_t *p, size_t len, const uint8_t *needle,
                      size_t nlen)
{
    return memmem(p, len, needle, nlen) != NULL;
}

#define HAS(p, len, ...) \
    has_bytes(p, len, (const uint8_t[]){ __VA_ARGS__ }, \
              sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void test_aml_s5(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();

    acpi_dsdt_aml(b);
    g_assert_cmpuint(b->len, >, sizeof(s5_aml));
    g_assert_cmpmem(b->data, sizeof(s5_aml), s5_aml, sizeof(s5_aml));
}

/*
 * \_SB.PCI0, encoded by hand from the ACPI specification: Scope
 * (0x10) and Device (0x5b 0x82) with two-byte PkgLengths, _HID as
 * EISAID PNP0A03, a _CRS of bus 0-255, I/O 0-0xcf7 and 0xd00-0xffff,
 * memory 0xe0000000-0xfebfffff, and a _PRT routing slot 2 INTA to GSI 11.
 */
static void test_aml_pci_root(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    const uint8_t *p;
    size_t len;

    acpi_dsdt_aml(b);
    p = b->data + sizeof(s5_aml);
    len = b->len - sizeof(s5_aml);
    g_assert_cmpuint(len, ==, 143);
    g_assert_true(HAS(p, 11, 0x10, 0x4e, 0x08, '_', 'S', 'B', '_',
                      0x5b, 0x82, 0x46, 0x08));
    g_assert_true(HAS(p, len, 'P', 'C', 'I', '0', 0x08, '_', 'H', 'I', 'D',
                      0x0c, 0x41, 0xd0, 0x0a, 0x03));
    g_assert_true(HAS(p, len, 0x08, '_', 'A', 'D', 'R', 0x00));
    g_assert_true(HAS(p, len, 0x08, '_', 'B', 'B', 'N', 0x00));
    /* Name (_CRS, Buffer (76) {...}) */
    g_assert_true(HAS(p, len, 0x08, '_', 'C', 'R', 'S', 0x11, 0x40, 0x05,
                      0x0a, 76));
    g_assert_true(HAS(p, len, 0x88, 0x0d, 0x00, 0x02, 0x0c, 0x00,
                      0x00, 0x00, 0x00, 0x00, 0xff, 0x00, 0x00, 0x00,
                      0x00, 0x01));
    g_assert_true(HAS(p, len, 0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03,
                      0x00, 0x00, 0x00, 0x00, 0xf7, 0x0c, 0x00, 0x00,
                      0xf8, 0x0c));
    g_assert_true(HAS(p, len, 0x88, 0x0d, 0x00, 0x01, 0x0c, 0x03,
                      0x00, 0x00, 0x00, 0x0d, 0xff, 0xff, 0x00, 0x00,
                      0x00, 0xf3));
    g_assert_true(HAS(p, len, 0x87, 0x17, 0x00, 0x00, 0x0c, 0x01,
                      0, 0, 0, 0, 0x00, 0x00, 0x00, 0xe0,
                      0xff, 0xff, 0xbf, 0xfe, 0, 0, 0, 0,
                      0x00, 0x00, 0xc0, 0x1e, 0x79, 0x00));
    g_assert_true(HAS(p, len, 0x08, '_', 'P', 'R', 'T', 0x12, 0x0e, 0x01,
                      0x12, 0x0b, 0x04, 0x0c, 0xff, 0xff, 0x02, 0x00,
                      0x00, 0x00, 0x0a, 0x0b));
}

static void test_aml_name_package(void)
{
    g_autoptr(GByteArray) b = g_byte_array_new();
    g_autoptr(GByteArray) e = g_byte_array_new();
    g_autoptr(GByteArray) pkg = g_byte_array_new();
    static const uint8_t want[] = {
        0x08, 'A', 'B', '1', '_', 0x12, 0x05, 0x02, 0x01, 0x0a, 0x07,
    };

    aml_integer(e, 1);
    aml_integer(e, 7);
    aml_package(pkg, 2, e);
    aml_name_decl(b, "AB1_", pkg);
    check_bytes(b, want, sizeof(want));
}

typedef struct TablesFixture {
    AcpiTables t;
} TablesFixture;

static void tf_setup(TablesFixture *f, gconstpointer data)
{
    static const AcpiConfig cfg = {
        .base = BASE, .pm_base = PM_BASE, .sci_irq = 9,
    };

    acpi_build(&cfg, &f->t);
}

static void tf_teardown(TablesFixture *f, gconstpointer data)
{
    acpi_tables_free(&f->t);
    g_assert_null(f->t.blob);
}

static const uint8_t *tab(TablesFixture *f, size_t off)
{
    g_assert_cmpuint(off, <, f->t.blob->len);
    return f->t.blob->data + off;
}

/* Signature, length, revision, checksum, OEM fields of an SDT. */
static void check_sdt(const uint8_t *p, const char *sig, uint32_t len,
                      uint8_t rev)
{
    g_assert_cmpmem(p, 4, sig, 4);
    g_assert_cmpuint(ld32(p + 4), ==, len);
    g_assert_cmpuint(p[8], ==, rev);
    g_assert_cmphex(sum(p, len), ==, 0);
    g_assert_cmpmem(p + 10, 6, "XSKVM ", 6);
    g_assert_cmpmem(p + 16, 8, "XENKVM  ", 8);
    g_assert_cmpmem(p + 28, 4, "XSKV", 4);
}

static void test_layout(TablesFixture *f, gconstpointer data)
{
    g_assert_cmpuint(f->t.rsdp, ==, 0);
    g_assert_cmphex(f->t.rsdp_addr, ==, BASE);
    g_assert_cmphex(f->t.facs, ==, 0x40);
    g_assert_cmphex(f->t.xsdt, ==, 0x80);
    g_assert_cmphex(f->t.fadt, ==, 0xc0);
    g_assert_cmphex(f->t.dsdt, ==, 0x1e0);
    g_assert_cmphex(f->t.madt, ==,
                    (0x1e0 + 36 + sizeof(s5_aml) + 143 + 15) & ~15);
    g_assert_cmpuint(f->t.blob->len, ==, f->t.madt + 84);
}

static void test_rsdp(TablesFixture *f, gconstpointer data)
{
    const uint8_t *p = tab(f, f->t.rsdp);

    g_assert_cmpmem(p, 8, "RSD PTR ", 8);
    g_assert_cmphex(sum(p, 20), ==, 0);
    g_assert_cmphex(sum(p, 36), ==, 0);
    g_assert_cmpmem(p + 9, 6, "XSKVM ", 6);
    g_assert_cmpuint(p[15], ==, 2);
    g_assert_cmphex(ld32(p + 16), ==, 0);
    g_assert_cmpuint(ld32(p + 20), ==, 36);
    g_assert_cmphex(ld64(p + 24), ==, BASE + 0x80);
    g_assert_cmphex(p[33] | p[34] | p[35], ==, 0);
    /* Linux scans 16-byte boundaries of 0xe0000-0xfffff. */
    g_assert_cmphex(f->t.rsdp_addr & 15, ==, 0);
}

static void test_xsdt(TablesFixture *f, gconstpointer data)
{
    const uint8_t *p = tab(f, f->t.xsdt);

    check_sdt(p, "XSDT", 52, 1);
    g_assert_cmphex(ld64(p + 36), ==, BASE + 0xc0);
    g_assert_cmphex(ld64(p + 44), ==, BASE + f->t.madt);
}

/* Linux needs the MADT to use the IOAPIC and route the PIT's IRQ 0. */
static void test_madt(TablesFixture *f, gconstpointer data)
{
    const uint8_t *p = tab(f, f->t.madt);
    const uint8_t *e = p + 44;

    check_sdt(p, "APIC", 84, 3);
    g_assert_cmphex(ld32(p + 36), ==, 0xfee00000);
    g_assert_cmphex(ld32(p + 40), ==, 1);
    /* Local APIC 0, enabled. */
    g_assert_cmpuint(e[0], ==, 0);
    g_assert_cmpuint(e[1], ==, 8);
    g_assert_cmpuint(e[3], ==, 0);
    g_assert_cmphex(ld32(e + 4), ==, 1);
    e += 8;
    /* IOAPIC at 0xfec00000, GSI base 0. */
    g_assert_cmpuint(e[0], ==, 1);
    g_assert_cmpuint(e[1], ==, 12);
    g_assert_cmphex(ld32(e + 4), ==, 0xfec00000);
    g_assert_cmphex(ld32(e + 8), ==, 0);
    e += 12;
    /* IRQ 0 -> GSI 2, bus defaults. */
    g_assert_cmpuint(e[0], ==, 2);
    g_assert_cmpuint(e[1], ==, 10);
    g_assert_cmpuint(e[3], ==, 0);
    g_assert_cmphex(ld32(e + 4), ==, 2);
    g_assert_cmphex(e[8] | e[9] << 8, ==, 0);
    e += 10;
    /* The SCI: level, active high. */
    g_assert_cmpuint(e[0], ==, 2);
    g_assert_cmpuint(e[3], ==, 9);
    g_assert_cmphex(ld32(e + 4), ==, 9);
    g_assert_cmphex(e[8] | e[9] << 8, ==, 0xd);
}

static void test_fadt(TablesFixture *f, gconstpointer data)
{
    const uint8_t *p = tab(f, f->t.fadt);
    static const uint8_t reset_reg[] = { 1, 8, 0, 1, 0x64, 0, 0, 0,
                                         0, 0, 0, 0 };
    static const uint8_t evt[] = { 1, 32, 0, 2, 0x00, 0x06, 0, 0,
                                   0, 0, 0, 0 };
    static const uint8_t cnt[] = { 1, 16, 0, 2, 0x04, 0x06, 0, 0,
                                   0, 0, 0, 0 };

    check_sdt(p, "FACP", 276, 6);
    g_assert_cmphex(ld32(p + 36), ==, BASE + 0x40);     /* FIRMWARE_CTRL */
    g_assert_cmphex(ld32(p + 40), ==, BASE + 0x1e0);    /* DSDT */
    g_assert_cmpuint(p[45], ==, 0);                     /* PM profile */
    g_assert_cmpuint(ld16(p + 46), ==, 9);              /* SCI_INT */
    g_assert_cmphex(ld32(p + 48), ==, 0);               /* SMI_CMD */
    g_assert_cmphex(ld32(p + 56), ==, 0x600);           /* PM1a_EVT_BLK */
    g_assert_cmphex(ld32(p + 60), ==, 0);               /* PM1b_EVT_BLK */
    g_assert_cmphex(ld32(p + 64), ==, 0x604);           /* PM1a_CNT_BLK */
    g_assert_cmphex(ld32(p + 68), ==, 0);               /* PM1b_CNT_BLK */
    g_assert_cmphex(ld32(p + 76), ==, 0);               /* PM_TMR_BLK */
    g_assert_cmphex(ld32(p + 80), ==, 0);               /* GPE0_BLK */
    g_assert_cmpuint(p[88], ==, 4);                     /* PM1_EVT_LEN */
    g_assert_cmpuint(p[89], ==, 2);                     /* PM1_CNT_LEN */
    g_assert_cmpuint(p[91], ==, 0);                     /* PM_TMR_LEN */
    g_assert_cmpuint(ld16(p + 96), ==, 101);
    g_assert_cmpuint(ld16(p + 98), ==, 1001);
    g_assert_cmphex(ld16(p + 109), ==, 0x0007);         /* IAPC_BOOT */
    g_assert_cmphex(ld32(p + 112), ==, 0x435);          /* Flags */
    g_assert_cmpmem(p + 116, 12, reset_reg, 12);
    g_assert_cmphex(p[128], ==, 0xfe);
    g_assert_cmphex(ld64(p + 132), ==, 0);              /* X_FW_CTRL */
    g_assert_cmphex(ld64(p + 140), ==, BASE + 0x1e0);   /* X_DSDT */
    g_assert_cmpmem(p + 148, 12, evt, 12);
    g_assert_cmpmem(p + 172, 12, cnt, 12);
    g_assert_cmphex(ld64(p + 208 + 4), ==, 0);          /* X_PM_TMR */
}

static void test_facs(TablesFixture *f, gconstpointer data)
{
    const uint8_t *p = tab(f, f->t.facs);

    g_assert_cmpmem(p, 4, "FACS", 4);
    g_assert_cmpuint(ld32(p + 4), ==, 64);
    g_assert_cmphex(ld32(p + 8), ==, 0);                /* HW signature */
    g_assert_cmphex(ld32(p + 12), ==, 0);               /* waking vector */
    g_assert_cmpuint(p[32], ==, 2);                     /* version */
    g_assert_cmphex((BASE + f->t.facs) & 63, ==, 0);
}

static void test_dsdt(TablesFixture *f, gconstpointer data)
{
    const uint8_t *p = tab(f, f->t.dsdt);

    check_sdt(p, "DSDT", 36 + sizeof(s5_aml) + 143, 2);
    g_assert_cmpmem(p + 36, sizeof(s5_aml), s5_aml, sizeof(s5_aml));
}

static void test_checksums_detect(TablesFixture *f, gconstpointer data)
{
    uint8_t *p = f->t.blob->data + f->t.dsdt;

    p[40]++;
    g_assert_cmphex(sum(p, ld32(p + 4)), ==, 1);
}

static unsigned poweroffs;

static void on_poweroff(void *opaque)
{
    g_assert_true(opaque == &poweroffs);
    poweroffs++;
}

static void test_pm_poweroff(void)
{
    AcpiPm pm;

    poweroffs = 0;
    acpi_pm_init(&pm, on_poweroff, &poweroffs);
    g_assert_cmphex(acpi_pm_read(&pm, ACPI_PM1_CNT, 2), ==, 0x0001);
    /* ACPICA's S5 entry: SLP_TYP first, then SLP_TYP with SLP_EN. */
    acpi_pm_write(&pm, ACPI_PM1_CNT, 2, 5 << 10 | 1);
    g_assert_cmpuint(poweroffs, ==, 0);
    g_assert_cmphex(acpi_pm_read(&pm, ACPI_PM1_CNT, 2), ==, 0x1401);
    acpi_pm_write(&pm, ACPI_PM1_CNT, 2, 5 << 10 | 1 << 13 | 1);
    g_assert_cmpuint(poweroffs, ==, 1);
    /* SLP_EN is write-only. */
    g_assert_cmphex(acpi_pm_read(&pm, ACPI_PM1_CNT, 2), ==, 0x1401);
    /* Another sleep type is not a poweroff. */
    acpi_pm_write(&pm, ACPI_PM1_CNT, 2, 3 << 10 | 1 << 13);
    g_assert_cmpuint(poweroffs, ==, 1);
    g_assert_cmphex(acpi_pm_read(&pm, ACPI_PM1_CNT, 2), ==, 0x0c01);
    /* A byte write of the high half carries both fields. */
    acpi_pm_write(&pm, ACPI_PM1_CNT + 1, 1, (5 << 2) | (1 << 5));
    g_assert_cmpuint(poweroffs, ==, 2);
    /* The low byte alone cannot clear SCI_EN or set SLP_EN. */
    acpi_pm_write(&pm, ACPI_PM1_CNT, 1, 0x00);
    g_assert_cmphex(acpi_pm_read(&pm, ACPI_PM1_CNT, 2), ==, 0x1401);
    g_assert_cmpuint(poweroffs, ==, 2);
    /* A dword would run past the block: ignored. */
    acpi_pm_write(&pm, ACPI_PM1_CNT, 4, 5 << 10 | 1 << 13);
    g_assert_cmpuint(poweroffs, ==, 2);
    g_assert_cmphex(acpi_pm_read(&pm, ACPI_PM1_CNT, 4), ==, 0xffffffff);
}

static void test_pm_event_block(void)
{
    AcpiPm pm;

    acpi_pm_init(&pm, NULL, NULL);
    pm.sts = 0x8101;
    /* Status bits clear when written with one. */
    acpi_pm_write(&pm, ACPI_PM1_STS, 2, 0x0001);
    g_assert_cmphex(acpi_pm_read(&pm, ACPI_PM1_STS, 2), ==, 0x8100);
    acpi_pm_write(&pm, ACPI_PM1_STS, 2, 0);
    g_assert_cmphex(acpi_pm_read(&pm, ACPI_PM1_STS, 2), ==, 0x8100);
    acpi_pm_write(&pm, ACPI_PM1_EN, 2, 0x0120);
    g_assert_cmphex(acpi_pm_read(&pm, ACPI_PM1_EN, 2), ==, 0x0120);
    g_assert_cmphex(acpi_pm_read(&pm, 0, 4), ==, 0x01208100);
    g_assert_cmphex(acpi_pm_read(&pm, 3, 1), ==, 0x01);
    /* A dword at 0 writes status and enable together. */
    acpi_pm_write(&pm, 0, 4, 0x00ff8000);
    g_assert_cmphex(acpi_pm_read(&pm, 0, 4), ==, 0x00ff0100);
    /* Misaligned accesses are refused. */
    g_assert_cmphex(acpi_pm_read(&pm, 1, 2), ==, 0xffff);
    /* No poweroff callback: SLP_EN with S5 is harmless. */
    acpi_pm_write(&pm, ACPI_PM1_CNT, 2, 5 << 10 | 1 << 13);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/acpi/checksum", test_checksum);
    g_test_add_func("/acpi/aml/integer", test_aml_integer);
    g_test_add_func("/acpi/aml/pkg-length", test_aml_pkg_length);
    g_test_add_func("/acpi/aml/s5", test_aml_s5);
    g_test_add_func("/acpi/aml/pci-root", test_aml_pci_root);
    g_test_add_func("/acpi/aml/name-package", test_aml_name_package);
#define ADD(path, fn) \
    g_test_add("/acpi/tables/" path, TablesFixture, NULL, tf_setup, fn, \
               tf_teardown)
    ADD("layout", test_layout);
    ADD("rsdp", test_rsdp);
    ADD("xsdt", test_xsdt);
    ADD("fadt", test_fadt);
    ADD("madt", test_madt);
    ADD("facs", test_facs);
    ADD("dsdt", test_dsdt);
    ADD("checksums-detect", test_checksums_detect);
#undef ADD
    g_test_add_func("/acpi/pm/poweroff", test_pm_poweroff);
    g_test_add_func("/acpi/pm/event-block", test_pm_event_block);
    return g_test_run();
}
