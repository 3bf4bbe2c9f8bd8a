/*
 * ACPI PM1a event and control registers on I/O ports: SCI_EN reads as
 * set, and writing SLP_TYP 5 with SLP_EN asks the board to power off.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_I386_ACPI_PM_H
#define HW_I386_ACPI_PM_H

/* Offsets in the 6-port block: PM1a_EVT_BLK then PM1a_CNT_BLK. */
#define ACPI_PM1_STS            0
#define ACPI_PM1_EN             2
#define ACPI_PM1_CNT            4
#define ACPI_PM_NR_PORTS        6

#define ACPI_PM1_CNT_SCI_EN     0x0001
#define ACPI_PM1_CNT_SLP_TYP    0x1c00
#define ACPI_PM1_CNT_SLP_EN     0x2000
#define ACPI_PM1_SLP_TYP_SHIFT  10

typedef void AcpiPowerOffFn(void *opaque);

typedef struct AcpiPm {
    uint16_t sts;
    uint16_t en;
    uint16_t cnt;
    AcpiPowerOffFn *poweroff;
    void *opaque;
} AcpiPm;

void acpi_pm_init(AcpiPm *pm, AcpiPowerOffFn *poweroff, void *opaque);
/* Accesses of 1, 2 or 4 bytes at offset 0..5 of the block. */
uint32_t acpi_pm_read(AcpiPm *pm, unsigned offset, unsigned size);
void acpi_pm_write(AcpiPm *pm, unsigned offset, unsigned size,
                   uint32_t val);

#endif
