/*
 * The Xen platform PCI device's configuration space: the identity,
 * BARs and interrupt pin that Linux's platform-pci driver binds to.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/i386/xen-platform-pci.h"

void xen_platform_pci_init(PciDevice *d, uint8_t irq_line,
                           PciBarMapFn *map, void *opaque)
{
    pci_device_init(d, XEN_PLATFORM_VENDOR, XEN_PLATFORM_DEVICE,
                    XEN_PLATFORM_CLASS, XEN_PLATFORM_REVISION);
    pci_device_set_subsystem(d, XEN_PLATFORM_VENDOR, XEN_PLATFORM_DEVICE);
    pci_device_set_irq(d, 1, irq_line);
    pci_device_set_bar(d, XEN_PLATFORM_IO_BAR, XEN_PLATFORM_IO_SIZE,
                       PCI_BAR_IO);
    pci_device_set_bar(d, XEN_PLATFORM_MMIO_BAR, XEN_PLATFORM_MMIO_SIZE,
                       PCI_BAR_MEM32 | PCI_BAR_PREFETCH);
    pci_device_set_bar_map(d, map, opaque);
}
