/*
 * ACPI PM1a registers: status (write one to clear), enable, and control.
 * The board is always in ACPI mode, so SCI_EN reads as one; a control
 * write with SLP_EN and the _S5 sleep type is a poweroff request.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/i386/acpi-pm.h"
#include "hw/i386/acpi-build.h"

/* Control bits that keep what is written: SLP_TYP. */
#define CNT_WMASK   ACPI_PM1_CNT_SLP_TYP

void acpi_pm_init(AcpiPm *pm, AcpiPowerOffFn *poweroff, void *opaque)
{
    memset(pm, 0, sizeof(*pm));
    pm->poweroff = poweroff;
    pm->opaque = opaque;
}

static uint8_t read_byte(const AcpiPm *pm, unsigned off)
{
    uint16_t cnt = pm->cnt | ACPI_PM1_CNT_SCI_EN;

    switch (off) {
    case 0: return pm->sts;
    case 1: return pm->sts >> 8;
    case 2: return pm->en;
    case 3: return pm->en >> 8;
    case 4: return cnt;
    case 5: return cnt >> 8;
    default: return 0xff;
    }
}

static void write_cnt(AcpiPm *pm, uint16_t val, uint16_t mask)
{
    unsigned typ = (val & ACPI_PM1_CNT_SLP_TYP) >> ACPI_PM1_SLP_TYP_SHIFT;

    pm->cnt = (pm->cnt & ~(mask & CNT_WMASK)) | (val & mask & CNT_WMASK);
    if ((mask & val & ACPI_PM1_CNT_SLP_EN) &&
        typ == ACPI_S5_SLP_TYP && pm->poweroff) {
        pm->poweroff(pm->opaque);
    }
}

uint32_t acpi_pm_read(AcpiPm *pm, unsigned offset, unsigned size)
{
    uint32_t v = 0;
    unsigned i;

    if ((size != 1 && size != 2 && size != 4) || offset % size ||
        offset + size > ACPI_PM_NR_PORTS) {
        return size == 1 ? 0xff : size == 2 ? 0xffff : UINT32_MAX;
    }
    for (i = 0; i < size; i++) {
        v |= (uint32_t)read_byte(pm, offset + i) << (8 * i);
    }
    return v;
}

void acpi_pm_write(AcpiPm *pm, unsigned offset, unsigned size,
                   uint32_t val)
{
    unsigned reg;

    if ((size != 1 && size != 2 && size != 4) || offset % size ||
        offset + size > ACPI_PM_NR_PORTS) {
        return;
    }
    /* Split into the 16-bit registers touched, with a byte mask each. */
    for (reg = offset & ~1u; reg < offset + size; reg += 2) {
        uint16_t mask = 0, v = 0;
        unsigned i;

        for (i = 0; i < 2; i++) {
            unsigned a = reg + i;

            if (a >= offset && a < offset + size) {
                mask |= 0xff << (8 * i);
                v |= ((val >> (8 * (a - offset))) & 0xff) << (8 * i);
            }
        }
        switch (reg) {
        case ACPI_PM1_STS:
            pm->sts &= ~(v & mask);
            break;
        case ACPI_PM1_EN:
            pm->en = (pm->en & ~mask) | (v & mask);
            break;
        case ACPI_PM1_CNT:
            write_cnt(pm, v, mask);
            break;
        }
    }
}
