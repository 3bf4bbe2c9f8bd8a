/*
 * A PCI function's type-0 configuration space.  Writes go through a
 * per-byte writable mask; BARs read back their size mask after a write
 * of all ones; the command register switches BAR decoding on and off.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/i386/pci-device.h"

static void set16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static void set32(uint8_t *p, uint32_t v)
{
    set16(p, v);
    set16(p + 2, v >> 16);
}

static uint32_t get32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

void pci_device_init(PciDevice *d, uint16_t vendor, uint16_t device,
                     uint32_t class_code, uint8_t revision)
{
    int i;

    memset(d, 0, sizeof(*d));
    set16(d->config + PCI_VENDOR_ID, vendor);
    set16(d->config + PCI_DEVICE_ID, device);
    d->config[PCI_REVISION_ID] = revision;
    d->config[PCI_CLASS_PROG] = class_code;
    d->config[PCI_CLASS_DEVICE] = class_code >> 8;
    d->config[PCI_CLASS_DEVICE + 1] = class_code >> 16;
    /* I/O, memory, bus master; INTx disable. */
    set16(d->wmask + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
          PCI_COMMAND_MASTER | PCI_COMMAND_INTX_OFF);
    for (i = 0; i < PCI_NUM_BARS; i++) {
        d->bars[i].mapped_at = PCI_BAR_UNMAPPED;
    }
}

void pci_device_set_subsystem(PciDevice *d, uint16_t vendor, uint16_t id)
{
    set16(d->config + PCI_SUBSYSTEM_VENDOR_ID, vendor);
    set16(d->config + PCI_SUBSYSTEM_ID, id);
}

void pci_device_set_irq(PciDevice *d, uint8_t pin, uint8_t line)
{
    g_assert(pin >= 1 && pin <= 4);
    d->config[PCI_INTERRUPT_PIN] = pin;
    d->config[PCI_INTERRUPT_LINE] = line;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
}

static unsigned bar_offset(int bar)
{
    return PCI_BASE_ADDRESS_0 + 4 * bar;
}

static uint32_t bar_addr_mask(const PciBar *b)
{
    uint32_t low = (b->flags & PCI_BAR_IO) ? 0x3 : 0xf;

    return ~(b->size - 1) & ~low;
}

void pci_device_set_bar(PciDevice *d, int bar, uint32_t size,
                        uint8_t flags)
{
    PciBar *b = &d->bars[bar];

    g_assert(bar >= 0 && bar < PCI_NUM_BARS);
    g_assert(size && !(size & (size - 1)));
    g_assert(size >= ((flags & PCI_BAR_IO) ? 4 : 16));
    b->size = size;
    b->flags = (flags & PCI_BAR_IO) ? PCI_BAR_IO : flags & PCI_BAR_PREFETCH;
    set32(d->config + bar_offset(bar), b->flags);
    set32(d->wmask + bar_offset(bar), bar_addr_mask(b));
}

void pci_device_set_bar_map(PciDevice *d, PciBarMapFn *fn, void *opaque)
{
    d->bar_map = fn;
    d->opaque = opaque;
}

/* Where BAR i decodes now, or PCI_BAR_UNMAPPED. */
static uint64_t bar_decoded_at(const PciDevice *d, int i)
{
    const PciBar *b = &d->bars[i];
    uint16_t cmd = d->config[PCI_COMMAND] | d->config[PCI_COMMAND + 1] << 8;
    uint32_t addr;

    if (!b->size) {
        return PCI_BAR_UNMAPPED;
    }
    addr = get32(d->config + bar_offset(i)) & bar_addr_mask(b);
    if (!(cmd & ((b->flags & PCI_BAR_IO) ? PCI_COMMAND_IO :
                 PCI_COMMAND_MEMORY)) || addr == 0) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

static void update_bars(PciDevice *d)
{
    int i;

    for (i = 0; i < PCI_NUM_BARS; i++) {
        uint64_t at = bar_decoded_at(d, i);

        if (at == d->bars[i].mapped_at) {
            continue;
        }
        d->bars[i].mapped_at = at;
        if (d->bar_map) {
            d->bar_map(d->opaque, d, i, at, at != PCI_BAR_UNMAPPED);
        }
    }
}

void pci_device_assign_bar(PciDevice *d, int bar, uint32_t addr)
{
    g_assert(d->bars[bar].size);
    g_assert(!(addr & (d->bars[bar].size - 1)));
    set32(d->config + bar_offset(bar), addr | d->bars[bar].flags);
    update_bars(d);
}

static bool access_ok(unsigned addr, unsigned size)
{
    return (size == 1 || size == 2 || size == 4) &&
        addr % size == 0 && addr + size <= PCI_CONFIG_SIZE;
}

uint32_t pci_device_config_read(PciDevice *d, unsigned addr,
                                unsigned size)
{
    uint32_t v = 0;
    unsigned i;

    if (!access_ok(addr, size)) {
        return size == 1 ? 0xff : size == 2 ? 0xffff : UINT32_MAX;
    }
    for (i = 0; i < size; i++) {
        v |= (uint32_t)d->config[addr + i] << (8 * i);
    }
    return v;
}

void pci_device_config_write(PciDevice *d, unsigned addr, uint32_t val,
                             unsigned size)
{
    bool decode = false;
    unsigned i;

    if (!access_ok(addr, size)) {
        return;
    }
    for (i = 0; i < size; i++) {
        unsigned a = addr + i;
        uint8_t m = d->wmask[a];

        d->config[a] = (d->config[a] & ~m) | ((val >> (8 * i)) & m);
        if ((a >= PCI_COMMAND && a < PCI_COMMAND + 2) ||
            (a >= PCI_BASE_ADDRESS_0 && a < bar_offset(PCI_NUM_BARS))) {
            decode = true;
        }
    }
    if (decode) {
        update_bars(d);
    }
}
