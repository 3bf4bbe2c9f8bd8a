/*
 * The PC devices of the qemu-xenkvm machine on I/O ports and MMIO: COM1
 * (IRQ 4, input from the terminal), PCI configuration mechanism 1 with
 * the Xen platform device, its unplug ports, the ACPI PM1 block and the
 * keyboard controller's reset line.  The PIC, IOAPIC, PIT and LAPIC are
 * KVM's.  One table row per port range; anything else floats high.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#include "qemu/osdep.h"
#include <errno.h>
#include "qemu/main-loop.h"
#include "machine-int.h"
#include "hw/i386/xen-platform-pci.h"

/* The unplug protocol of the Xen platform device (Xen's hvm docs). */
#define UNPLUG_MAGIC            0x49d2
#define UNPLUG_VERSION          1

typedef uint32_t XkPortRead(XenKVMMachine *m, uint16_t off, uint8_t size);
typedef void XkPortWrite(XenKVMMachine *m, uint16_t off, uint8_t size,
                         uint32_t val);

typedef struct XkPortRange {
    uint16_t base;
    uint16_t len;
    XkPortRead *read;           /* NULL: reads float high */
    XkPortWrite *write;         /* NULL: writes are ignored */
} XkPortRange;

/* COM1 */

static void xk_uart_tx(void *opaque, uint8_t byte)
{
    XenKVMMachine *m = opaque;

    if (!m->cfg.serial) {
        return;
    }
    fputc(byte, m->cfg.serial);
    if (byte == '\n') {
        fflush(m->cfg.serial);
    }
}

static void xk_uart_irq(void *opaque, bool level)
{
    XenKVMMachine *m = opaque;

    kvm_vm_irq_line(m->kvm, SERIAL_COM1_IRQ, level);
}

static void xk_stdin_watch(XenKVMMachine *m, bool on);

/* Terminal input, as much as the UART's FIFO takes (main thread). */
static void xk_stdin_read(void *opaque)
{
    XenKVMMachine *m = opaque;
    size_t room = serial8250_can_receive(&m->uart);
    uint8_t buf[SERIAL_FIFO_SIZE];
    ssize_t n;

    if (!room) {
        /* Resumed when the guest drains the FIFO (xk_uart_read). */
        xk_stdin_watch(m, false);
        return;
    }
    n = read(STDIN_FILENO, buf, MIN(room, sizeof(buf)));
    if (n <= 0) {
        /* End of input or an error: the guest hears no more. */
        if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
            qemu_set_fd_handler(STDIN_FILENO, NULL, NULL, NULL);
            m->stdin_watched = false;
            m->cfg.serial_input = false;
        }
        return;
    }
    serial8250_receive(&m->uart, buf, n);
}

static void xk_stdin_watch(XenKVMMachine *m, bool on)
{
    if (!m->cfg.serial_input || on == m->stdin_watched) {
        return;
    }
    qemu_set_fd_handler(STDIN_FILENO, on ? xk_stdin_read : NULL, NULL, m);
    m->stdin_watched = on;
}

static uint32_t xk_uart_read(XenKVMMachine *m, uint16_t off, uint8_t size)
{
    uint8_t v = serial8250_read(&m->uart, off);

    if (serial8250_can_receive(&m->uart)) {
        xk_stdin_watch(m, true);
    }
    return v;
}

static void xk_uart_write(XenKVMMachine *m, uint16_t off, uint8_t size,
                          uint32_t val)
{
    serial8250_write(&m->uart, off, val);
}

/* PCI configuration mechanism 1 */

static uint32_t xk_pci_read(XenKVMMachine *m, uint16_t off, uint8_t size)
{
    return pci_host_ioport_read(&m->pci, PCI_HOST_CONFIG_ADDR + off, size);
}

static void xk_pci_write(XenKVMMachine *m, uint16_t off, uint8_t size,
                         uint32_t val)
{
    pci_host_ioport_write(&m->pci, PCI_HOST_CONFIG_ADDR + off, size, val);
}

/*
 * The platform device's unplug ports: 0x10 reads the magic and takes
 * the build number (32 bits) or the unplug mask (16 bits); 0x12 reads
 * the protocol version and takes the product number.  Nothing here is
 * emulated that could be unplugged, so the mask is only remembered.
 */
static uint32_t xk_unplug_read(XenKVMMachine *m, uint16_t off, uint8_t size)
{
    if (off == 0 && size == 2) {
        return UNPLUG_MAGIC;
    }
    if (off == 2 && size == 1) {
        return UNPLUG_VERSION;
    }
    return 0xffffffffu;
}

static void xk_unplug_write(XenKVMMachine *m, uint16_t off, uint8_t size,
                            uint32_t val)
{
    if (off == 0 && size == 2) {
        m->unplugged = val;
    }
}

/* ACPI PM1 event and control blocks: S5 is the guest's poweroff. */
static uint32_t xk_pm_read(XenKVMMachine *m, uint16_t off, uint8_t size)
{
    return acpi_pm_read(&m->pm, off, size);
}

static void xk_pm_write(XenKVMMachine *m, uint16_t off, uint8_t size,
                        uint32_t val)
{
    acpi_pm_write(&m->pm, off, size, val);
}

static void xk_pm_poweroff(void *opaque)
{
    xk_request_stop(opaque, XK_POWEROFF, "the guest powered off (ACPI S5)");
}

/* The 8042's command port: 0xfe pulses the CPU reset line. */
static void xk_i8042_write(XenKVMMachine *m, uint16_t off, uint8_t size,
                           uint32_t val)
{
    if ((val & 0xff) == XK_I8042_RESET) {
        xk_request_stop(m, XK_REBOOT, "the guest reset the machine (8042)");
    }
}

static const XkPortRange xk_ports[] = {
    { XK_UNPLUG_PORT, 4, xk_unplug_read, xk_unplug_write },
    { XK_I8042_CMD, 1, NULL, xk_i8042_write },
    { XK_PM_BASE, ACPI_PM_NR_PORTS, xk_pm_read, xk_pm_write },
    { SERIAL_COM1_BASE, SERIAL_NR_PORTS, xk_uart_read, xk_uart_write },
    { PCI_HOST_CONFIG_ADDR, PCI_HOST_NR_PORTS, xk_pci_read, xk_pci_write },
};

void xk_io_pio(XenKVMMachine *m, uint16_t port, uint8_t size, bool write,
               uint8_t *data)
{
    const XkPortRange *r = NULL;
    uint32_t val = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(xk_ports); i++) {
        if (port >= xk_ports[i].base &&
            port - xk_ports[i].base < xk_ports[i].len) {
            r = &xk_ports[i];
            break;
        }
    }
    if (write) {
        memcpy(&val, data, size);
        if (r && r->write) {
            r->write(m, port - r->base, size, val);
        }
        return;
    }
    val = r && r->read ? r->read(m, port - r->base, size) : 0xffffffffu;
    memcpy(data, &val, size);
}

/* No device decodes MMIO outside the slots: reads give all ones. */
void xk_io_mmio(XenKVMMachine *m, uint64_t addr, uint32_t len, bool write,
                uint8_t *data)
{
    if (!write) {
        memset(data, 0xff, len);
    }
}

void xk_io_init(XenKVMMachine *m)
{
    g_autoptr(Error) err = NULL;

    serial8250_init(&m->uart, xk_uart_tx, xk_uart_irq, m);
    acpi_pm_init(&m->pm, xk_pm_poweroff, m);
    pci_host_init(&m->pci);
    xen_platform_pci_init(&m->platform, XK_PLATFORM_IRQ, NULL, NULL);
    if (!pci_host_attach(&m->pci, XK_PLATFORM_SLOT, &m->platform, &err)) {
        g_assert_not_reached();     /* a fixed, free slot */
    }
    xk_io_reset(m);
}

/* As firmware leaves it: BARs assigned, decoding on. */
void xk_io_reset(XenKVMMachine *m)
{
    serial8250_reset(&m->uart);
    acpi_pm_init(&m->pm, xk_pm_poweroff, m);
    m->unplugged = 0;
    pci_device_assign_bar(&m->platform, XEN_PLATFORM_IO_BAR,
                          XK_PLATFORM_IO);
    pci_device_assign_bar(&m->platform, XEN_PLATFORM_MMIO_BAR,
                          XK_PLATFORM_MMIO);
    pci_device_config_write(&m->platform, PCI_COMMAND,
                            PCI_COMMAND_IO | PCI_COMMAND_MEMORY, 2);
    xk_stdin_watch(m, true);
}

void xk_io_fini(XenKVMMachine *m)
{
    xk_stdin_watch(m, false);
}
