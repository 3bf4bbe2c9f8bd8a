/*
 * A PCI function's type-0 configuration space: identity, command
 * register, BARs (sized by writing all ones), interrupt pin and line.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_I386_PCI_DEVICE_H
#define HW_I386_PCI_DEVICE_H

#define PCI_CONFIG_SIZE         256
#define PCI_NUM_BARS            6

#define PCI_VENDOR_ID           0x00
#define PCI_DEVICE_ID           0x02
#define PCI_COMMAND             0x04
#define PCI_STATUS              0x06
#define PCI_REVISION_ID         0x08
#define PCI_CLASS_PROG          0x09
#define PCI_CLASS_DEVICE        0x0a
#define PCI_HEADER_TYPE         0x0e
#define PCI_BASE_ADDRESS_0      0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID        0x2e
#define PCI_ROM_ADDRESS         0x30
#define PCI_INTERRUPT_LINE      0x3c
#define PCI_INTERRUPT_PIN       0x3d

#define PCI_COMMAND_IO          0x0001
#define PCI_COMMAND_MEMORY      0x0002
#define PCI_COMMAND_MASTER      0x0004
#define PCI_COMMAND_INTX_OFF    0x0400

#define PCI_BAR_IO              0x01
#define PCI_BAR_MEM32           0x00
#define PCI_BAR_PREFETCH        0x08

#define PCI_BAR_UNMAPPED        UINT64_MAX

struct PciDevice;

/*
 * A BAR's decoding changed: mapped at addr, or no longer decoded
 * (mapped false, addr PCI_BAR_UNMAPPED).
 */
typedef void PciBarMapFn(void *opaque, struct PciDevice *d, int bar,
                         uint64_t addr, bool mapped);

typedef struct PciBar {
    uint32_t size;          /* 0: not implemented */
    uint8_t flags;          /* PCI_BAR_IO, or memory (+ PREFETCH) */
    uint64_t mapped_at;     /* PCI_BAR_UNMAPPED while not decoded */
} PciBar;

typedef struct PciDevice {
    uint8_t config[PCI_CONFIG_SIZE];
    uint8_t wmask[PCI_CONFIG_SIZE];     /* bits the guest can write */
    PciBar bars[PCI_NUM_BARS];
    PciBarMapFn *bar_map;
    void *opaque;
} PciDevice;

/* class_code: base class << 16 | subclass << 8 | programming interface. */
void pci_device_init(PciDevice *d, uint16_t vendor, uint16_t device,
                     uint32_t class_code, uint8_t revision);
void pci_device_set_subsystem(PciDevice *d, uint16_t vendor, uint16_t id);
/* pin 1..4 = INTA..INTD; the line register becomes writable. */
void pci_device_set_irq(PciDevice *d, uint8_t pin, uint8_t line);
/* size: a power of two, at least 4 (I/O) or 16 (memory). */
void pci_device_set_bar(PciDevice *d, int bar, uint32_t size,
                        uint8_t flags);
void pci_device_set_bar_map(PciDevice *d, PciBarMapFn *fn, void *opaque);
/* Firmware's part: put the BAR at addr (decoding follows COMMAND). */
void pci_device_assign_bar(PciDevice *d, int bar, uint32_t addr);

/* Accesses of 1, 2 or 4 bytes that do not cross a dword. */
uint32_t pci_device_config_read(PciDevice *d, unsigned addr,
                                unsigned size);
void pci_device_config_write(PciDevice *d, unsigned addr, uint32_t val,
                             unsigned size);

#endif
