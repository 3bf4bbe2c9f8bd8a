/*
 * The Xen platform PCI device (5853:0001) as Linux's platform-pci driver
 * finds it: BAR0 I/O, BAR1 prefetchable MMIO holding the grant frames.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_I386_XEN_PLATFORM_PCI_H
#define HW_I386_XEN_PLATFORM_PCI_H

#include "hw/i386/pci-device.h"

#define XEN_PLATFORM_VENDOR     0x5853
#define XEN_PLATFORM_DEVICE     0x0001
#define XEN_PLATFORM_CLASS      0xff8000    /* 0xff80, prog-if 0 */
#define XEN_PLATFORM_REVISION   1
#define XEN_PLATFORM_IO_BAR     0
#define XEN_PLATFORM_IO_SIZE    0x100
#define XEN_PLATFORM_MMIO_BAR   1
#define XEN_PLATFORM_MMIO_SIZE  (16u * 1024 * 1024)

/*
 * Sets up d; map hears where the guest decodes the BARs (BAR1: where the
 * grant frames must appear).  irq_line: the ISA IRQ INTA routes to.
 */
void xen_platform_pci_init(PciDevice *d, uint8_t irq_line,
                           PciBarMapFn *map, void *opaque);

#endif
