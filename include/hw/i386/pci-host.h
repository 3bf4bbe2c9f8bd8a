/*
 * PCI configuration mechanism 1 (ports 0xcf8-0xcff) over bus 0: a host
 * bridge at 00:00.0 and up to 31 more single-function devices.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_I386_PCI_HOST_H
#define HW_I386_PCI_HOST_H

#include "qemu/error.h"
#include "hw/i386/pci-device.h"

#define PCI_HOST_CONFIG_ADDR    0xcf8
#define PCI_HOST_CONFIG_DATA    0xcfc
#define PCI_HOST_NR_PORTS       8
#define PCI_HOST_NR_SLOTS       32
#define PCI_CONFIG_ENABLE       0x80000000u

/* The host bridge's identity: a generic one, class 0x0600. */
#define PCI_HOST_BRIDGE_VENDOR  0x1b36
#define PCI_HOST_BRIDGE_DEVICE  0x0008
#define PCI_CLASS_HOST_BRIDGE   0x060000

typedef struct PciHost {
    uint32_t config_address;
    PciDevice bridge;
    PciDevice *slots[PCI_HOST_NR_SLOTS];
} PciHost;

void pci_host_init(PciHost *h);
/* Puts d (the caller's, which must outlive h) in a free slot 1..31. */
bool pci_host_attach(PciHost *h, unsigned slot, PciDevice *d,
                     Error **errp);

/* Accesses of size 1, 2 or 4 at port 0xcf8..0xcff. */
uint32_t pci_host_ioport_read(PciHost *h, uint16_t port, unsigned size);
void pci_host_ioport_write(PciHost *h, uint16_t port, unsigned size,
                           uint32_t val);

#endif
