/*
 * Tests of qemu-xenkvm's port and MMIO devices (xenkvm/xenkvm-io.c)
 * through xk_io_pio/xk_io_mmio, as the vCPU thread's exits call them:
 * the platform device's unplug ports, the 8042 reset line, ACPI S5,
 * PCI configuration of the host bridge and the platform device, COM1's
 * output, and the all-ones answer of everything else.
 *
 * The machine is built by hand, without KVM: nothing here may reach
 * the VM.  The one path that would is the UART's interrupt line
 * (kvm_vm_irq_line on m->kvm), so no test enables a UART interrupt.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include "qemu/trace-control.h"
#include "xenkvm/machine-int.h"
#include "hw/i386/xen-platform-pci.h"

#define PM_CNT_PORT     (XK_PM_BASE + ACPI_PM1_CNT)
#define COM1_THR        (SERIAL_COM1_BASE + UART_THR)
#define COM1_LSR        (SERIAL_COM1_BASE + UART_LSR)

typedef struct Fixture {
    XenKVMMachine *m;
    FILE *serial;
} Fixture;

static void fixture_setup(Fixture *f, gconstpointer data)
{
    XenKVMMachine *m = g_new0(XenKVMMachine, 1);

    /* What xenkvm_machine_new sets before xk_io_init, minus the VM. */
    f->serial = tmpfile();
    g_assert_nonnull(f->serial);
    m->cfg.serial = f->serial;
    m->cfg.serial_input = false;    /* no stdin watch in a test */
    m->kvm = NULL;
    m->stop = XK_RUNNING;
    g_mutex_init(&m->lock);
    xk_io_init(m);
    f->m = m;
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    xk_io_fini(f->m);
    g_mutex_clear(&f->m->lock);
    g_free(f->m->stop_msg);
    g_free(f->m);
    fclose(f->serial);
}

static uint32_t pio_read(XenKVMMachine *m, uint16_t port, uint8_t size)
{
    const uint32_t pattern = 0x5a5a5a5au;
    uint32_t mask = size == 4 ? UINT32_MAX : (1u << (8 * size)) - 1;
    uint32_t v = pattern;

    /* Only size bytes are the access: the rest must stay as they were. */
    xk_io_pio(m, port, size, false, (uint8_t *)&v);
    g_assert_cmphex(v & ~mask, ==, pattern & ~mask);
    return v & mask;
}

static void pio_write(XenKVMMachine *m, uint16_t port, uint8_t size,
                      uint32_t val)
{
    /* Like KVM's data area: bytes past the access are not the value's. */
    uint8_t data[8];

    memset(data, 0xa5, sizeof(data));
    memcpy(data, &val, size);
    xk_io_pio(m, port, size, true, data);
}

static uint32_t pci_cfg_read(XenKVMMachine *m, unsigned slot, unsigned fn,
                             unsigned reg, uint8_t size)
{
    pio_write(m, PCI_HOST_CONFIG_ADDR, 4,
              PCI_CONFIG_ENABLE | slot << 11 | fn << 8 | (reg & 0xfc));
    return pio_read(m, PCI_HOST_CONFIG_DATA + (reg & 3), size);
}

static void test_unplug_ports(Fixture *f, gconstpointer data)
{
    XenKVMMachine *m = f->m;

    g_assert_cmphex(pio_read(m, XK_UNPLUG_PORT, 2), ==, 0x49d2);
    g_assert_cmphex(pio_read(m, XK_UNPLUG_PORT + 2, 1), ==, 1);
    /* Other sizes are not the protocol: they float. */
    g_assert_cmphex(pio_read(m, XK_UNPLUG_PORT, 4), ==, 0xffffffff);
    g_assert_cmphex(pio_read(m, XK_UNPLUG_PORT + 2, 2), ==, 0xffff);

    g_assert_cmphex(m->unplugged, ==, 0);
    pio_write(m, XK_UNPLUG_PORT, 2, 0x0003);
    g_assert_cmphex(m->unplugged, ==, 0x0003);
    /* The 32-bit build number and the product number are not masks. */
    pio_write(m, XK_UNPLUG_PORT, 4, 0x12345678);
    pio_write(m, XK_UNPLUG_PORT + 2, 2, 0xffff);
    g_assert_cmphex(m->unplugged, ==, 0x0003);
    /* A rebooted guest starts with nothing unplugged. */
    xk_io_reset(m);
    g_assert_cmphex(m->unplugged, ==, 0);
}

static void test_i8042_reset(Fixture *f, gconstpointer data)
{
    XenKVMMachine *m = f->m;

    /* Other 8042 commands are not a reset. */
    pio_write(m, XK_I8042_CMD, 1, 0xfd);
    pio_write(m, XK_I8042_CMD, 1, 0xd1);
    pio_write(m, XK_I8042_CMD, 1, 0x00);
    g_assert_cmpint(m->stop, ==, XK_RUNNING);
    /* The port has no reader: the status floats. */
    g_assert_cmphex(pio_read(m, XK_I8042_CMD, 1), ==, 0xff);

    pio_write(m, XK_I8042_CMD, 1, XK_I8042_RESET);
    g_assert_cmpint(m->stop, ==, XK_REBOOT);
    g_assert_nonnull(m->stop_msg);
}

static void test_acpi_poweroff(Fixture *f, gconstpointer data)
{
    XenKVMMachine *m = f->m;
    uint32_t s5 = ACPI_S5_SLP_TYP << ACPI_PM1_SLP_TYP_SHIFT;

    /* SCI_EN reads set: ACPI mode from the start, no SMI handshake. */
    g_assert_true(pio_read(m, PM_CNT_PORT, 2) & ACPI_PM1_CNT_SCI_EN);
    /* S5 chosen but not entered, and SLP_EN with another state. */
    pio_write(m, PM_CNT_PORT, 2, s5);
    g_assert_cmpint(m->stop, ==, XK_RUNNING);
    pio_write(m, PM_CNT_PORT, 2, (1 << ACPI_PM1_SLP_TYP_SHIFT) |
              ACPI_PM1_CNT_SLP_EN);
    g_assert_cmpint(m->stop, ==, XK_RUNNING);

    pio_write(m, PM_CNT_PORT, 2, s5 | ACPI_PM1_CNT_SLP_EN);
    g_assert_cmpint(m->stop, ==, XK_POWEROFF);
    /* The first reason wins: a late reset does not turn it into reboot. */
    pio_write(m, XK_I8042_CMD, 1, XK_I8042_RESET);
    g_assert_cmpint(m->stop, ==, XK_POWEROFF);
}

static void test_pci_config(Fixture *f, gconstpointer data)
{
    XenKVMMachine *m = f->m;
    uint32_t cmd;

    g_assert_cmphex(pci_cfg_read(m, XK_PLATFORM_SLOT, 0, PCI_VENDOR_ID, 4),
                    ==, XEN_PLATFORM_DEVICE << 16 | XEN_PLATFORM_VENDOR);
    g_assert_cmphex(pci_cfg_read(m, XK_PLATFORM_SLOT, 0, PCI_VENDOR_ID, 2),
                    ==, 0x5853);
    g_assert_cmphex(pci_cfg_read(m, XK_PLATFORM_SLOT, 0, PCI_DEVICE_ID, 2),
                    ==, 0x0001);
    /* The BARs as firmware would have left them. */
    g_assert_cmphex(pci_cfg_read(m, XK_PLATFORM_SLOT, 0,
                                 PCI_BASE_ADDRESS_0, 4), ==, 0xc001);
    g_assert_cmphex(pci_cfg_read(m, XK_PLATFORM_SLOT, 0,
                                 PCI_BASE_ADDRESS_0 + 4, 4), ==,
                    0xfd000008);
    cmd = pci_cfg_read(m, XK_PLATFORM_SLOT, 0, PCI_COMMAND, 2);
    g_assert_cmphex(cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY), ==,
                    PCI_COMMAND_IO | PCI_COMMAND_MEMORY);

    /* The guest turns decoding off; a reset turns it back on. */
    pio_write(m, PCI_HOST_CONFIG_ADDR, 4, PCI_CONFIG_ENABLE |
              XK_PLATFORM_SLOT << 11 | PCI_COMMAND);
    pio_write(m, PCI_HOST_CONFIG_DATA, 2, 0);
    cmd = pci_cfg_read(m, XK_PLATFORM_SLOT, 0, PCI_COMMAND, 2);
    g_assert_cmphex(cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY), ==, 0);
    xk_io_reset(m);
    cmd = pci_cfg_read(m, XK_PLATFORM_SLOT, 0, PCI_COMMAND, 2);
    g_assert_cmphex(cmd & (PCI_COMMAND_IO | PCI_COMMAND_MEMORY), ==,
                    PCI_COMMAND_IO | PCI_COMMAND_MEMORY);

    /* The host bridge at 00:00.0. */
    g_assert_cmphex(pci_cfg_read(m, 0, 0, PCI_VENDOR_ID, 4), ==,
                    PCI_HOST_BRIDGE_DEVICE << 16 | PCI_HOST_BRIDGE_VENDOR);
    /* No device in slot 5, nor a second function in the platform slot. */
    g_assert_cmphex(pci_cfg_read(m, 5, 0, PCI_VENDOR_ID, 4), ==,
                    0xffffffff);
    g_assert_cmphex(pci_cfg_read(m, XK_PLATFORM_SLOT, 1, PCI_VENDOR_ID, 4),
                    ==, 0xffffffff);
    /* The address register reads back. */
    pio_write(m, PCI_HOST_CONFIG_ADDR, 4, PCI_CONFIG_ENABLE | 3 << 11);
    g_assert_cmphex(pio_read(m, PCI_HOST_CONFIG_ADDR, 4), ==,
                    PCI_CONFIG_ENABLE | 3 << 11);
}

static void test_unknown_ports(Fixture *f, gconstpointer data)
{
    XenKVMMachine *m = f->m;
    static const uint16_t ports[] = {
        0x0000, 0x0080, 0x00ed, 0x0060, 0x02f8, 0x0cf0, 0xc000, 0xffff,
    };

    for (size_t i = 0; i < G_N_ELEMENTS(ports); i++) {
        g_assert_cmphex(pio_read(m, ports[i], 1), ==, 0xff);
        g_assert_cmphex(pio_read(m, ports[i], 2), ==, 0xffff);
        g_assert_cmphex(pio_read(m, ports[i], 4), ==, 0xffffffff);
        /* Ignored: no stop, no device state touched. */
        pio_write(m, ports[i], 1, 0xfe);
        pio_write(m, ports[i], 2, 0x3400);
        pio_write(m, ports[i], 4, 0xffffffff);
    }
    g_assert_cmpint(m->stop, ==, XK_RUNNING);
    g_assert_cmphex(m->unplugged, ==, 0);
    g_assert_cmphex(pio_read(m, XK_UNPLUG_PORT, 2), ==, 0x49d2);
    g_assert_cmphex(pci_cfg_read(m, XK_PLATFORM_SLOT, 0, PCI_VENDOR_ID, 2),
                    ==, XEN_PLATFORM_VENDOR);
    g_assert_cmpint(ftell(f->serial), ==, 0);
}

static void test_com1_output(Fixture *f, gconstpointer data)
{
    XenKVMMachine *m = f->m;
    char buf[8] = "";
    uint8_t lsr;

    lsr = pio_read(m, COM1_LSR, 1);
    g_assert_cmphex(lsr & (UART_LSR_THRE | UART_LSR_TEMT), ==,
                    UART_LSR_THRE | UART_LSR_TEMT);
    pio_write(m, COM1_THR, 1, 'A');
    pio_write(m, COM1_THR, 1, '\n');
    /* Sent at once: the holding register is empty again. */
    lsr = pio_read(m, COM1_LSR, 1);
    g_assert_cmphex(lsr & (UART_LSR_THRE | UART_LSR_TEMT), ==,
                    UART_LSR_THRE | UART_LSR_TEMT);
    g_assert_false(lsr & UART_LSR_DR);

    rewind(f->serial);
    g_assert_nonnull(fgets(buf, sizeof(buf), f->serial));
    g_assert_cmpstr(buf, ==, "A\n");
}

/* -serial none: output goes nowhere, the UART still answers. */
static void test_com1_no_output(void)
{
    XenKVMMachine *m = g_new0(XenKVMMachine, 1);

    g_mutex_init(&m->lock);
    xk_io_init(m);
    pio_write(m, COM1_THR, 1, 'A');
    g_assert_cmphex(pio_read(m, COM1_LSR, 1) & UART_LSR_THRE, ==,
                    UART_LSR_THRE);
    xk_io_fini(m);
    g_mutex_clear(&m->lock);
    g_free(m);
}

static void test_mmio(Fixture *f, gconstpointer data)
{
    XenKVMMachine *m = f->m;
    uint8_t buf[8];
    uint8_t ones[8];

    memset(ones, 0xff, sizeof(ones));
    for (uint32_t len = 1; len <= 8; len *= 2) {
        memset(buf, 0, sizeof(buf));
        xk_io_mmio(m, 0xfed00000 + len, len, false, buf);
        g_assert_cmpmem(buf, len, ones, len);
        /* Only len bytes are the access. */
        for (uint32_t i = len; i < sizeof(buf); i++) {
            g_assert_cmphex(buf[i], ==, 0);
        }
    }
    /* A write goes nowhere and leaves the caller's buffer alone. */
    memset(buf, 0x12, sizeof(buf));
    xk_io_mmio(m, XK_PLATFORM_MMIO, 4, true, buf);
    g_assert_cmphex(buf[0], ==, 0x12);
    g_assert_cmpint(m->stop, ==, XK_RUNNING);
}

static void add(const char *path, void (*fn)(Fixture *, gconstpointer))
{
    g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    trace_init_from_env();
    add("/xenkvm-io/unplug-ports", test_unplug_ports);
    add("/xenkvm-io/i8042-reset", test_i8042_reset);
    add("/xenkvm-io/acpi-poweroff", test_acpi_poweroff);
    add("/xenkvm-io/pci-config", test_pci_config);
    add("/xenkvm-io/unknown-ports", test_unknown_ports);
    add("/xenkvm-io/com1-output", test_com1_output);
    g_test_add_func("/xenkvm-io/com1-no-output", test_com1_no_output);
    add("/xenkvm-io/mmio", test_mmio);
    return g_test_run();
}
