/*
 * Tests of PCI configuration mechanism 1 with a host bridge and the Xen
 * platform device: Linux's type-1 check and bus scan, access widths, BAR
 * sizing, BAR placement and decoding through the command register.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "hw/i386/pci-host.h"
#include "hw/i386/xen-platform-pci.h"

#define XEN_SLOT 3

typedef struct MapEvent {
    int bar;
    uint64_t addr;
    bool mapped;
} MapEvent;

typedef struct Fixture {
    PciHost host;
    PciDevice xen;
    MapEvent ev[16];
    unsigned nev;
} Fixture;

static void fx_map(void *opaque, PciDevice *d, int bar, uint64_t addr,
                   bool mapped)
{
    Fixture *f = opaque;

    g_assert_true(d == &f->xen);
    g_assert_cmpuint(f->nev, <, G_N_ELEMENTS(f->ev));
    f->ev[f->nev++] = (MapEvent) { bar, addr, mapped };
}

static void fx_setup(Fixture *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    pci_host_init(&f->host);
    xen_platform_pci_init(&f->xen, 11, fx_map, f);
    g_assert_true(pci_host_attach(&f->host, XEN_SLOT, &f->xen,
                                  &error_abort));
}

static void fx_teardown(Fixture *f, gconstpointer data)
{
}

static void select_reg(Fixture *f, unsigned bus, unsigned dev,
                       unsigned fn, unsigned reg)
{
    pci_host_ioport_write(&f->host, 0xcf8, 4, 0x80000000u | bus << 16 |
                          dev << 11 | fn << 8 | (reg & 0xfc));
}

static uint32_t cfg_read(Fixture *f, unsigned dev, unsigned reg,
                         unsigned size)
{
    select_reg(f, 0, dev, 0, reg);
    return pci_host_ioport_read(&f->host, 0xcfc + (reg & 3), size);
}

static void cfg_write(Fixture *f, unsigned dev, unsigned reg,
                      unsigned size, uint32_t val)
{
    select_reg(f, 0, dev, 0, reg);
    pci_host_ioport_write(&f->host, 0xcfc + (reg & 3), size, val);
}

/* arch/x86/pci/direct.c's probe of mechanism 1. */
static void test_type1_check(Fixture *f, gconstpointer data)
{
    PciHost *h = &f->host;
    uint32_t saved;

    pci_host_ioport_write(h, 0xcfb, 1, 0x01);
    saved = pci_host_ioport_read(h, 0xcf8, 4);
    g_assert_cmphex(saved, ==, 0);
    pci_host_ioport_write(h, 0xcf8, 4, 0x80000000);
    g_assert_cmphex(pci_host_ioport_read(h, 0xcf8, 4), ==, 0x80000000);
    pci_host_ioport_write(h, 0xcf8, 4, saved);
    g_assert_cmphex(pci_host_ioport_read(h, 0xcf8, 4), ==, 0);
    /* Reserved bits and bits 1:0 read as zero. */
    pci_host_ioport_write(h, 0xcf8, 4, 0xffffffff);
    g_assert_cmphex(pci_host_ioport_read(h, 0xcf8, 4), ==, 0x80fffffc);
    /* Narrow accesses do not reach the address register. */
    pci_host_ioport_write(h, 0xcf8, 2, 0);
    pci_host_ioport_write(h, 0xcf8, 1, 0);
    g_assert_cmphex(pci_host_ioport_read(h, 0xcf8, 4), ==, 0x80fffffc);
    g_assert_cmphex(pci_host_ioport_read(h, 0xcf8, 1), ==, 0xff);
    g_assert_cmphex(pci_host_ioport_read(h, 0xcfa, 2), ==, 0xffff);
}

static void test_enumeration(Fixture *f, gconstpointer data)
{
    unsigned dev;

    for (dev = 0; dev < 32; dev++) {
        uint32_t want = dev == 0 ? 0x1b36 : dev == XEN_SLOT ? 0x5853 :
            0xffff;

        g_assert_cmphex(cfg_read(f, dev, PCI_VENDOR_ID, 2), ==, want);
    }
    /* Other functions and buses are empty. */
    select_reg(f, 0, 0, 1, 0);
    g_assert_cmphex(pci_host_ioport_read(&f->host, 0xcfc, 4), ==,
                    0xffffffff);
    select_reg(f, 1, XEN_SLOT, 0, 0);
    g_assert_cmphex(pci_host_ioport_read(&f->host, 0xcfc, 2), ==, 0xffff);
    /* So is everything with the enable bit clear. */
    pci_host_ioport_write(&f->host, 0xcf8, 4, 0);
    g_assert_cmphex(pci_host_ioport_read(&f->host, 0xcfc, 4), ==,
                    0xffffffff);
    /* Writes there go nowhere. */
    cfg_write(f, 5, PCI_COMMAND, 2, 0x7);
    g_assert_cmphex(cfg_read(f, 5, PCI_COMMAND, 2), ==, 0xffff);
}

static void test_host_bridge(Fixture *f, gconstpointer data)
{
    g_assert_cmphex(cfg_read(f, 0, 0x00, 4), ==, 0x00081b36);
    g_assert_cmphex(cfg_read(f, 0, 0x08, 4), ==, 0x06000000);
    g_assert_cmphex(cfg_read(f, 0, PCI_HEADER_TYPE, 1), ==, 0x00);
    g_assert_cmphex(cfg_read(f, 0, PCI_BASE_ADDRESS_0, 4), ==, 0);
    cfg_write(f, 0, PCI_BASE_ADDRESS_0, 4, 0xffffffff);
    g_assert_cmphex(cfg_read(f, 0, PCI_BASE_ADDRESS_0, 4), ==, 0);
    /* Identity is read-only. */
    cfg_write(f, 0, 0x00, 4, 0x12345678);
    g_assert_cmphex(cfg_read(f, 0, 0x00, 4), ==, 0x00081b36);
}

static void test_xen_identity(Fixture *f, gconstpointer data)
{
    g_assert_cmphex(cfg_read(f, XEN_SLOT, 0x00, 4), ==, 0x00015853);
    g_assert_cmphex(cfg_read(f, XEN_SLOT, PCI_STATUS, 2), ==, 0);
    g_assert_cmphex(cfg_read(f, XEN_SLOT, 0x08, 4), ==, 0xff800001);
    g_assert_cmphex(cfg_read(f, XEN_SLOT, PCI_HEADER_TYPE, 1), ==, 0);
    g_assert_cmphex(cfg_read(f, XEN_SLOT, 0x2c, 4), ==, 0x00015853);
    g_assert_cmphex(cfg_read(f, XEN_SLOT, PCI_INTERRUPT_PIN, 1), ==, 1);
    g_assert_cmphex(cfg_read(f, XEN_SLOT, PCI_INTERRUPT_LINE, 1), ==, 11);
    g_assert_cmphex(cfg_read(f, XEN_SLOT, 0x10, 4), ==, 0x00000001);
    g_assert_cmphex(cfg_read(f, XEN_SLOT, 0x14, 4), ==, 0x00000008);
}

static void test_access_widths(Fixture *f, gconstpointer data)
{
    PciHost *h = &f->host;
    static const uint8_t id[] = { 0x53, 0x58, 0x01, 0x00 };
    unsigned i;

    select_reg(f, 0, XEN_SLOT, 0, 0x00);
    for (i = 0; i < 4; i++) {
        g_assert_cmphex(pci_host_ioport_read(h, 0xcfc + i, 1), ==, id[i]);
    }
    g_assert_cmphex(pci_host_ioport_read(h, 0xcfc, 2), ==, 0x5853);
    g_assert_cmphex(pci_host_ioport_read(h, 0xcfe, 2), ==, 0x0001);
    /* Accesses that cross the dword are refused. */
    g_assert_cmphex(pci_host_ioport_read(h, 0xcfd, 2), ==, 0xffff);
    g_assert_cmphex(pci_host_ioport_read(h, 0xcfe, 4), ==, 0xffffffff);
    g_assert_cmphex(pci_host_ioport_read(h, 0xcfc, 3), ==, 0xffffffff);
    /* Byte writes: the line is writable, the pin beside it is not. */
    cfg_write(f, XEN_SLOT, PCI_INTERRUPT_LINE, 1, 5);
    cfg_write(f, XEN_SLOT, PCI_INTERRUPT_PIN, 1, 4);
    g_assert_cmphex(cfg_read(f, XEN_SLOT, 0x3c, 4), ==, 0x0105);
    cfg_write(f, XEN_SLOT, 0x3c, 2, 0x0309);
    g_assert_cmphex(cfg_read(f, XEN_SLOT, 0x3c, 2), ==, 0x0109);
    /* A word at 0xcfe writes the upper half of the dword. */
    cfg_write(f, XEN_SLOT, 0x12, 2, 0xabcd);
    g_assert_cmphex(cfg_read(f, XEN_SLOT, 0x10, 4), ==, 0xabcd0001);
    /* Command: IO, MEM, MASTER, INTX_OFF are the writable bits. */
    cfg_write(f, XEN_SLOT, PCI_COMMAND, 2, 0xffff);
    g_assert_cmphex(cfg_read(f, XEN_SLOT, PCI_COMMAND, 2), ==, 0x0407);
}

/* __pci_read_base(): decoding off, all ones, read the mask, restore. */
static uint32_t size_bar(Fixture *f, unsigned reg)
{
    uint32_t orig = cfg_read(f, XEN_SLOT, reg, 4);
    uint32_t mask;

    cfg_write(f, XEN_SLOT, reg, 4, 0xffffffff);
    mask = cfg_read(f, XEN_SLOT, reg, 4);
    cfg_write(f, XEN_SLOT, reg, 4, orig);
    g_assert_cmphex(cfg_read(f, XEN_SLOT, reg, 4), ==, orig);
    return mask;
}

static void test_bar_sizing(Fixture *f, gconstpointer data)
{
    uint32_t m0, m1;
    unsigned reg;

    cfg_write(f, XEN_SLOT, PCI_COMMAND, 2, 0);
    m0 = size_bar(f, 0x10);
    m1 = size_bar(f, 0x14);
    g_assert_cmphex(m0, ==, 0xffffff01);
    g_assert_cmphex(m1, ==, 0xff000008);
    g_assert_cmphex(~(m0 & ~0x3u) + 1, ==, 0x100);
    g_assert_cmphex(~(m1 & ~0xfu) + 1, ==, 16 * 1024 * 1024);
    for (reg = 0x18; reg <= 0x24; reg += 4) {
        g_assert_cmphex(size_bar(f, reg), ==, 0);
    }
    g_assert_cmphex(size_bar(f, PCI_ROM_ADDRESS), ==, 0);
    g_assert_cmpuint(f->nev, ==, 0);
}

static void test_bar_decoding(Fixture *f, gconstpointer data)
{
    cfg_write(f, XEN_SLOT, 0x10, 4, 0xc000);
    cfg_write(f, XEN_SLOT, 0x14, 4, 0xf100000f);
    /* Address bits below the size and the type bits are read-only. */
    g_assert_cmphex(cfg_read(f, XEN_SLOT, 0x10, 4), ==, 0xc001);
    g_assert_cmphex(cfg_read(f, XEN_SLOT, 0x14, 4), ==, 0xf1000008);
    g_assert_cmpuint(f->nev, ==, 0);

    cfg_write(f, XEN_SLOT, PCI_COMMAND, 2, PCI_COMMAND_IO |
              PCI_COMMAND_MEMORY);
    g_assert_cmpuint(f->nev, ==, 2);
    g_assert_cmpint(f->ev[0].bar, ==, 0);
    g_assert_cmphex(f->ev[0].addr, ==, 0xc000);
    g_assert_true(f->ev[0].mapped);
    g_assert_cmpint(f->ev[1].bar, ==, 1);
    g_assert_cmphex(f->ev[1].addr, ==, 0xf1000000);
    g_assert_true(f->ev[1].mapped);
    g_assert_cmphex(f->xen.bars[1].mapped_at, ==, 0xf1000000);

    /* Moving BAR1 while decoded tells where it went. */
    cfg_write(f, XEN_SLOT, 0x14, 4, 0xe0000000);
    g_assert_cmpuint(f->nev, ==, 3);
    g_assert_cmphex(f->ev[2].addr, ==, 0xe0000000);
    /* The same value again is no news. */
    cfg_write(f, XEN_SLOT, 0x14, 4, 0xe0000000);
    g_assert_cmpuint(f->nev, ==, 3);

    /* Memory decoding off: only BAR1 goes. */
    cfg_write(f, XEN_SLOT, PCI_COMMAND, 2, PCI_COMMAND_IO);
    g_assert_cmpuint(f->nev, ==, 4);
    g_assert_cmpint(f->ev[3].bar, ==, 1);
    g_assert_false(f->ev[3].mapped);
    g_assert_cmphex(f->ev[3].addr, ==, PCI_BAR_UNMAPPED);
    /* A BAR at 0 is not decoded. */
    cfg_write(f, XEN_SLOT, 0x10, 4, 0);
    g_assert_cmpuint(f->nev, ==, 5);
    g_assert_cmpint(f->ev[4].bar, ==, 0);
    g_assert_false(f->ev[4].mapped);
}

static void test_firmware_assign(Fixture *f, gconstpointer data)
{
    pci_device_assign_bar(&f->xen, XEN_PLATFORM_IO_BAR, 0xc100);
    pci_device_assign_bar(&f->xen, XEN_PLATFORM_MMIO_BAR, 0xfd000000);
    g_assert_cmpuint(f->nev, ==, 0);
    g_assert_cmphex(cfg_read(f, XEN_SLOT, 0x10, 4), ==, 0xc101);
    g_assert_cmphex(cfg_read(f, XEN_SLOT, 0x14, 4), ==, 0xfd000008);
    /* pci_enable_device() turns decoding on. */
    cfg_write(f, XEN_SLOT, PCI_COMMAND, 2, PCI_COMMAND_IO |
              PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_cmpuint(f->nev, ==, 2);
    g_assert_cmphex(f->ev[0].addr, ==, 0xc100);
    g_assert_cmphex(f->ev[1].addr, ==, 0xfd000000);
}

static void test_attach_errors(Fixture *f, gconstpointer data)
{
    PciDevice other;
    Error *err = NULL;

    pci_device_init(&other, 0x1234, 0x5678, 0x010000, 0);
    g_assert_false(pci_host_attach(&f->host, 0, &other, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "PCI slot 0 is not one of 1..31");
    error_free(err);
    err = NULL;
    g_assert_false(pci_host_attach(&f->host, 32, &other, &err));
    error_free(err);
    err = NULL;
    g_assert_false(pci_host_attach(&f->host, XEN_SLOT, &other, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "PCI slot 3 is already taken");
    error_free(err);
    g_assert_true(pci_host_attach(&f->host, 31, &other, &error_abort));
    g_assert_cmphex(cfg_read(f, 31, 0x00, 4), ==, 0x56781234);
    g_assert_cmphex(cfg_read(f, 31, PCI_INTERRUPT_PIN, 1), ==, 0);
    /* No pin: the line register is read-only too. */
    cfg_write(f, 31, PCI_INTERRUPT_LINE, 1, 7);
    g_assert_cmphex(cfg_read(f, 31, PCI_INTERRUPT_LINE, 1), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) \
    g_test_add("/pci-host/" path, Fixture, NULL, fx_setup, fn, fx_teardown)
    ADD("type1-check", test_type1_check);
    ADD("enumeration", test_enumeration);
    ADD("host-bridge", test_host_bridge);
    ADD("xen-identity", test_xen_identity);
    ADD("access-widths", test_access_widths);
    ADD("bar-sizing", test_bar_sizing);
    ADD("bar-decoding", test_bar_decoding);
    ADD("firmware-assign", test_firmware_assign);
    ADD("attach-errors", test_attach_errors);
#undef ADD
    return g_test_run();
}
