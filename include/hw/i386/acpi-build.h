/*
 * ACPI tables for the board: RSDP (revision 2), XSDT, FADT with a PM1a
 * event and control block, FACS, and a DSDT whose AML declares _S5.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_I386_ACPI_BUILD_H
#define HW_I386_ACPI_BUILD_H

#define ACPI_SDT_HEADER_LEN     36
#define ACPI_RSDP_LEN           36
#define ACPI_FACS_LEN           64
#define ACPI_FADT_LEN           276
#define ACPI_FADT_REVISION      6
#define ACPI_DSDT_REVISION      2
#define ACPI_MADT_REVISION      3
#define ACPI_LAPIC_ADDR         0xfee00000u
#define ACPI_IOAPIC_ADDR        0xfec00000u
#define ACPI_IOAPIC_ID          1
/* The PCI host bridge's memory window (_CRS): above RAM, below the IOAPIC. */
#define ACPI_PCI_MEM_BASE       0xe0000000u
#define ACPI_PCI_MEM_END        0xfebfffffu
/* Slot 2's INTA (the Xen platform device) is wired to this GSI. */
#define ACPI_PCI_SLOT2_GSI      11

#define ACPI_OEM_ID             "XSKVM "
#define ACPI_OEM_TABLE_ID       "XENKVM  "
#define ACPI_CREATOR_ID         "XSKV"

/* SLP_TYP the guest finds in _S5 and writes to PM1a_CNT to power off. */
#define ACPI_S5_SLP_TYP         5

/* The reset register: the keyboard controller's pulse-reset command. */
#define ACPI_RESET_PORT         0x64
#define ACPI_RESET_VALUE        0xfe

typedef struct AcpiConfig {
    uint64_t base;          /* guest address of the blob, 64-aligned */
    uint16_t pm_base;       /* PM1a_EVT_BLK; PM1a_CNT_BLK is pm_base+4 */
    uint16_t sci_irq;
} AcpiConfig;

typedef struct AcpiTables {
    GByteArray *blob;       /* copy it to cfg->base */
    uint64_t rsdp_addr;     /* = base: the RSDP comes first */
    /* Offsets of each table in the blob. */
    size_t rsdp, facs, xsdt, fadt, dsdt, madt;
} AcpiTables;

/* The AML of the DSDT's body: Name (_S5, Package () { 5, 5, 0, 0 }). */
void acpi_dsdt_aml(GByteArray *out);
void acpi_build(const AcpiConfig *cfg, AcpiTables *t);
void acpi_tables_free(AcpiTables *t);
/* The byte that makes len bytes at p sum to zero with it counted as 0. */
uint8_t acpi_checksum(const uint8_t *p, size_t len);

#endif
