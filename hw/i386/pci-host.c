/*
 * PCI configuration mechanism 1: a dword address register at 0xcf8
 * (enable, bus, device, function, register) and a data window at
 * 0xcfc-0xcff.  Only bus 0, function 0 of each slot is populated.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/i386/pci-host.h"

/* Enable, bus, device, function, dword register; bits 1:0 read 0. */
#define CONFIG_ADDR_MASK    0x80fffffcu

static uint32_t all_ones(unsigned size)
{
    return size == 1 ? 0xff : size == 2 ? 0xffff : UINT32_MAX;
}

void pci_host_init(PciHost *h)
{
    memset(h, 0, sizeof(*h));
    pci_device_init(&h->bridge, PCI_HOST_BRIDGE_VENDOR,
                    PCI_HOST_BRIDGE_DEVICE, PCI_CLASS_HOST_BRIDGE, 0);
    h->slots[0] = &h->bridge;
}

bool pci_host_attach(PciHost *h, unsigned slot, PciDevice *d,
                     Error **errp)
{
    if (slot == 0 || slot >= PCI_HOST_NR_SLOTS) {
        error_setg(errp, "PCI slot %u is not one of 1..%u", slot,
                   PCI_HOST_NR_SLOTS - 1);
        return false;
    }
    if (h->slots[slot]) {
        error_setg(errp, "PCI slot %u is already taken", slot);
        return false;
    }
    h->slots[slot] = d;
    return true;
}

/* The device the address register selects, or NULL. */
static PciDevice *selected(PciHost *h)
{
    uint32_t a = h->config_address;
    unsigned bus = (a >> 16) & 0xff;
    unsigned dev = (a >> 11) & 0x1f;
    unsigned fn = (a >> 8) & 0x7;

    if (!(a & PCI_CONFIG_ENABLE) || bus != 0 || fn != 0) {
        return NULL;
    }
    return h->slots[dev];
}

static bool data_access_ok(uint16_t port, unsigned size)
{
    unsigned off = port - PCI_HOST_CONFIG_DATA;

    return (size == 1 || size == 2 || size == 4) && off < 4 &&
        off % size == 0;
}

uint32_t pci_host_ioport_read(PciHost *h, uint16_t port, unsigned size)
{
    PciDevice *d;

    if (port == PCI_HOST_CONFIG_ADDR && size == 4) {
        return h->config_address;
    }
    if (port < PCI_HOST_CONFIG_DATA || !data_access_ok(port, size)) {
        return all_ones(size);
    }
    d = selected(h);
    if (!d) {
        return all_ones(size);
    }
    return pci_device_config_read(d, (h->config_address & 0xfc) +
                                  (port - PCI_HOST_CONFIG_DATA), size);
}

void pci_host_ioport_write(PciHost *h, uint16_t port, unsigned size,
                           uint32_t val)
{
    PciDevice *d;

    if (port == PCI_HOST_CONFIG_ADDR && size == 4) {
        h->config_address = val & CONFIG_ADDR_MASK;
        return;
    }
    /* Narrower accesses at 0xcf8-0xcfb are not the address register. */
    if (port < PCI_HOST_CONFIG_DATA || !data_access_ok(port, size)) {
        return;
    }
    d = selected(h);
    if (d) {
        pci_device_config_write(d, (h->config_address & 0xfc) +
                                (port - PCI_HOST_CONFIG_DATA), val, size);
    }
}
